/* Attackers that act as entities of their own, and the safety audit of accepted reports.
 *
 * The key-compromise forger (KEY_COMPROMISE attack): an attacker holding k stolen oracle
 * signing keys (and the transmitter key of the first of those nodes) builds OCR reports
 * whose every observation is the forged answer, signs them with the stolen keys, and
 * sends them to the aggregator in its own transactions. With k <= f the contract refuses
 * them (the attacker pads the signature list with keys of its own, which recover to
 * unknown signers); with k >= f + 1 they are accepted and the feed shows the forged
 * answer until the DON's next report replaces it. The forger transmits at the window's
 * start and again after each accepted answer that is not its own while the window is
 * open, one transaction in flight at a time.
 *
 * The audit (por_report_valid_signers) counts what the contract should have counted,
 * with its own code, so the world can check that no report was accepted with fewer than
 * f + 1 valid distinct signatures. */
#ifndef POR_ATTACKER_H
#define POR_ATTACKER_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/attacker.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/crypto.h"
#include "por/engine.h"
#include "por/scenario.h"

#include <stddef.h>
#include <stdint.h>

/* Number of distinct configured signers of CFG that have a valid signature over REP's
 * report hash among SIGS[0..NSIGS) (signatures recovering to nobody, to an address not
 * in CFG->signers, or to a signer already counted are not counted). CRYPTO verifies. */
uint32_t por_report_valid_signers(por_crypto *crypto, const por_aggregator_config *cfg,
                                  const por_report *rep, const por_sig *sigs, uint32_t nsigs);

typedef struct {
    uint64_t sent;      /* forged transactions submitted */
    uint64_t accepted;  /* accepted by the aggregator */
    uint64_t rejected;  /* refused by the aggregator (any reason), or out of gas */
    uint64_t undersigned_accepted; /* accepted with fewer than f + 1 valid signers (audit) */
} por_forger_stats;

typedef struct por_forger por_forger;

/* Creates the forger of attack ATK (kind KEY_COMPROMISE; borrowed, must outlive it) and
 * registers its entity with SIM. STOLEN[0..NSTOLEN) are copies of the stolen signing
 * keys; SENDER is the transmitter address it sends from. AGG receives its transactions
 * through CHAIN; CRYPTO signs and audits. OWN_SEED derives the attacker's own padding
 * keys. All pointers are borrowed and must outlive the simulation run. Caller frees with
 * por_forger_destroy after the simulation (and the chain's pending transactions) are
 * gone. */
por_forger *por_forger_create(const por_attack_config *atk, por_sim *sim, por_chain *chain,
                              por_aggregator *agg, por_crypto *crypto,
                              const por_keypair *stolen, size_t nstolen, const por_addr *sender,
                              uint64_t own_seed);
void por_forger_destroy(por_forger *fg);

/* Turns teaching-mode tracing on (SINK, borrowed) or off (NULL): each forged
 * transaction emits POR_TK_FORGED_SENT and its verdict POR_TK_FORGED_RESULT. */
struct por_trace_sink;
void por_forger_set_trace(por_forger *fg, struct por_trace_sink *sink);

/* Copies the forger's counters to OUT. */
void por_forger_get_stats(const por_forger *fg, por_forger_stats *out);

#endif
