/* The state of one replication (internal to sim/models/world): world.c builds the models
 * and the event hub and subscribes ground truth, the invariant, the scorer and the trace
 * to it; world_score.c scores the finished run into the metric row. */
#ifndef POR_MODELS_WORLD_INTERNAL_H
#define POR_MODELS_WORLD_INTERNAL_H

#include "refresh.h"
#include "world_hub.h"
#include "world_invariants.h"
#include "world_scale.h"
#include "world_score.h"
#include "world_trace.h"
#include "world_truth.h"

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/don.h"
#include "por/engine.h"
#include "por/token.h"
#include "por/world.h"

typedef struct {
    const por_scenario *sc;
    por_sim *sim;
    por_time_t horizon;
    uint32_t entity;
    por_chain **chains;
    por_custodian **custodians;
    por_amount *to_feed; /* per custodian: por__scale_factor(its decimals, feed's) */
    por_don *don;
    por_aggregator *agg;
    por_token *token;
    por_consumer **consumers;
    uint32_t token_decimals, feed_decimals;
    por__world_hub hub;    /* the models' events, to the subscribers below (world.c) */
    por__truth truth;      /* ground truth (world_truth.h) */
    por__invariants inv;   /* the safety invariants (world_invariants.h) */
    por__score score;      /* the scorer's running state (world_score.h) */
    /* teaching-mode trace (NULL = off) */
    por_trace_sink *trace;
    por__world_trace tr; /* the records' own state (world_trace.h) */
    por__refresh refresh;        /* refresh-then-mint wiring (token.refresh_then_mint) */
    const por_run_options *opt; /* borrowed; may be NULL */
} por__world;

/* The DON's observer (por_observer.observe, por/don.h): node NODE's reading of the feed's
 * sources at the current instant through its stream RNG, summed in the feed's decimals.
 * Every source is queried in parallel: *LATENCY is the slowest answer (at least 0); true
 * and the sum in *VALUE when every read succeeded and neither the scaling nor the sum
 * overflowed (*VALUE is left alone otherwise). por__observe takes a shorter path for a
 * feed with one source; por__observe_sources is the loop over any number, which the
 * tests compare it with. CTX is the world. */
bool por__observe(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng, por_amount *value,
                  por_time_t *latency);
bool por__observe_sources(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng,
                          por_amount *value, por_time_t *latency);

/* Fills the metric row of finished world W: CELLS (POR_WM_NCOLS entries); exact amount
 * strings point into STRINGS (POR_WM_NCOLS * POR_WORLD_STRING_BYTES, por/world.h). */
void por__world_fill_cells(const por__world *w, por_metric_cell *cells, char *strings);

#endif
