/* The decentralized oracle network of one feed: n oracle nodes running OCR (pacemaker,
 * report generation, transmission) over a por_net, transmitting to an aggregator on a
 * por_chain. The nodes read reserves through a por_observer supplied by the world. */
#ifndef POR_DON_H
#define POR_DON_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/don.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/crypto.h"
#include "por/net.h"
#include "por/scenario.h"

#include <gsl/gsl_rng.h>

/* How a node reads its data sources. */
typedef struct {
    /* Reads the reserve figure node NODE observes now, in feed base units. Returns false
     * when no value can be had (every source failed). *LATENCY is how long the read took
     * (the observation is sent after it). RNG is the node's own observe stream. */
    bool (*observe)(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng, por_amount *value,
                    por_time_t *latency);
    void *ctx;
} por_observer;

typedef struct {
    uint64_t rounds_started, rounds_reported, epochs, leader_changes;
    uint64_t observations, reports_signed, finals, transmissions_sent, transmissions_skipped;
    uint64_t messages_sent;
    /* safety audit of accepted DON reports (independent of the aggregator's checks) */
    uint64_t undersigned_accepted;  /* accepted with fewer than f + 1 valid signers */
    uint64_t median_outside_honest; /* accepted median outside the round's honest range */
    uint64_t median_unchecked;      /* accepted reports whose round range was unknown */
    /* KEY_COMPROMISE forgers, summed over attacks */
    uint64_t forged_sent, forged_accepted, forged_rejected;
    uint64_t forged_undersigned_accepted; /* forged and accepted with <= f valid signers */
    /* reads of the aggregator that failed (the chain's rpc_failure_rate / rpc_outages):
     * at should-report (the node then reports) and at the transmission re-check (the
     * node then drops the report) */
    uint64_t rpc_failures_report, rpc_failures_transmit;
    /* reports a node's shouldTransmit held back (also counted in transmissions_skipped):
     * its own newer-than-chain report was pending and the median within alpha of it */
    uint64_t transmissions_held_back;
    /* the oracles' transmit transactions as included on chain (a reorg takes back what
     * it removed): reverted ones (stale, or out of gas) and their gas; fees paid in the
     * chain's native unit (wei, exact) */
    uint64_t transmissions_reverted, reverted_gas;
    por_amount transmit_fees_wei;
    /* transmissions a node's transaction manager replaced in its queue before they
     * reached the chain (counted in transmissions_skipped, not in _sent) */
    uint64_t transmissions_replaced;
} por_don_stats;

typedef struct por_don por_don;

/* Builds the feed's aggregator and n oracle entities (registered with SIM), their keys
 * (derived from the scenario seed), the network among them (a por_net it creates from
 * scenario->network) and their view of CHAIN. Attackers of kinds CRASH, BYZANTINE,
 * KEY_COMPROMISE and NETWORK in the scenario are applied by the DON (every BYZANTINE
 * behaviour; KEY_COMPROMISE through a por_forger entity per attack, see por/attacker.h).
 * Every accepted DON report is audited (valid signers, median within the honest range
 * of its round); the counts are in por_don_stats. Caller frees with por_don_destroy
 * after the simulation is destroyed. */
por_don *por_don_create(const por_scenario *scenario, por_sim *sim, por_chain *chain,
                        por_observer observer);
void por_don_destroy(por_don *don);

por_aggregator *por_don_aggregator(por_don *don);

/* Turns teaching-mode tracing on (SINK) or off (NULL) for the oracles, their network
 * and the key-compromise forgers (por/trace.h). Fills SINK->describe so message records
 * carry their (epoch, round). SINK is borrowed and must outlive the simulation run. */
struct por_trace_sink;
void por_don_set_trace(por_don *don, struct por_trace_sink *sink);
/* The first safety violation the audit found, as a sentence (borrowed), or NULL. */
const char *por_don_violation(const por_don *don);
void por_don_get_stats(const por_don *don, por_don_stats *out);

/* Test-only faults, to exercise the safety audit end to end (a testing aid: never a
 * scenario key). They come in through the run options (por_run_options.test_faults,
 * por/world.h), set with por_don_set_test_faults; the models never read the environment.
 * The CLI reads the environment variable POR_TEST_FAULT, a comma-separated list of these
 * names, once per command (por_cli_test_faults: unknown names end the command with a
 * message and exit status 1). */
typedef enum {
    /* "aggregator-skip-signatures": the aggregator accepts reports without checking
     * their signatures (POR_AGG_FAULT_SKIP_SIGNATURE_CHECK) */
    POR_DON_FAULT_AGG_SKIP_SIGNATURES = 1u << 0,
    /* "transmit-tampered": every DON transmission doubles the report's observations
     * after it was signed (its signatures then match nothing) */
    POR_DON_FAULT_TRANSMIT_TAMPERED = 1u << 1,
    /* "token-skip-guard": the token accepts every mint whatever Secure Mint says (applied
     * by the world through por_token_set_fault) */
    POR_DON_FAULT_TOKEN_SKIP_GUARD = 1u << 2,
} por_don_fault;

/* The test-only faults in force for DON (0 normally). */
unsigned por_don_test_faults(const por_don *don);

/* Parses SPEC (comma-separated fault names, e.g. "aggregator-skip-signatures") into
 * *OUT, a bitwise OR of por_don_fault. Returns false at the first unknown or empty name
 * (copied into BAD, BADLEN bytes, when BAD is not NULL). */
bool por_don_parse_test_faults(const char *spec, unsigned *out, char *bad, size_t badlen);
/* Sets DON's test faults (a bitwise OR of por_don_fault; 0 clears them), including its
 * aggregator's. Call before the simulation runs. */
void por_don_set_test_faults(por_don *don, unsigned faults);

/* The DON's crypto context (signing, verification cache, counters), its network, and
 * its number of oracles. Borrowed: they live as long as the DON. */
por_crypto *por_don_crypto(por_don *don);
por_net *por_don_net(por_don *don);
uint32_t por_don_size(const por_don *don);

/* The epoch node NODE is in now, and the leader of EPOCH (keccak(shared key, epoch)
 * mod n, as every node computes it). */
uint32_t por_don_node_epoch(const por_don *don, uint32_t node);
uint32_t por_don_leader_of(por_don *don, uint32_t epoch);

/* Node NODE's engine entity id, signing address and transmitter address (borrowed). */
uint32_t por_don_node_entity(const por_don *don, uint32_t node);
const por_addr *por_don_signer(const por_don *don, uint32_t node);
const por_addr *por_don_transmitter(const por_don *don, uint32_t node);

#endif
