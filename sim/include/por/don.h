/* The decentralized oracle network of one feed: n oracle nodes running OCR (pacemaker,
 * report generation, transmission) over a por_net, transmitting to an aggregator on a
 * por_chain. The nodes read reserves through a por_observer supplied by the world. */
#ifndef POR_DON_H
#define POR_DON_H

#include "por/aggregator.h"
#include "por/chain.h"
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
 * KEY_COMPROMISE and NETWORK in the scenario are applied by the DON. Caller frees with
 * por_don_destroy after the simulation is destroyed. */
por_don *por_don_create(const por_scenario *scenario, por_sim *sim, por_chain *chain,
                        por_observer observer);
void por_don_destroy(por_don *don);

por_aggregator *por_don_aggregator(por_don *don);
void por_don_get_stats(const por_don *don, por_don_stats *out);

#endif
