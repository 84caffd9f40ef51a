/* The decentralized oracle network of one feed: n oracle nodes running OCR (pacemaker,
 * report generation, transmission) over a por_net, transmitting to an aggregator on a
 * por_chain. The nodes read reserves through a por_observer supplied by the world. */
#ifndef POR_DON_H
#define POR_DON_H

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
} por_don_stats;

typedef struct por_don por_don;

/* Builds the feed's aggregator and n oracle entities (registered with SIM), their keys
 * (derived from the scenario seed), the network among them (a por_net it creates from
 * scenario->network) and their view of CHAIN. Attackers of kinds CRASH, BYZANTINE,
 * KEY_COMPROMISE and NETWORK in the scenario are applied by the DON (so far: CRASH,
 * BYZANTINE inflate/deflate/random/silent/refuse_sign/withhold_final/malformed, and
 * NETWORK; BYZANTINE equivocate and KEY_COMPROMISE are not applied yet). Caller frees with
 * por_don_destroy after the simulation is destroyed. */
por_don *por_don_create(const por_scenario *scenario, por_sim *sim, por_chain *chain,
                        por_observer observer);
void por_don_destroy(por_don *don);

por_aggregator *por_don_aggregator(por_don *don);
void por_don_get_stats(const por_don *don, por_don_stats *out);

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
