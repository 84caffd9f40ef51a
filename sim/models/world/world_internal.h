/* The state of one replication (internal to sim/models/world): world.c wires the models
 * and keeps it, world_score.c scores it into the metric row. */
#ifndef POR_MODELS_WORLD_INTERNAL_H
#define POR_MODELS_WORLD_INTERNAL_H

#include "refresh.h"
#include "world_trace.h"

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
    por_don *don;
    por_aggregator *agg;
    por_token *token;
    por_consumer **consumers;
    uint32_t token_decimals, feed_decimals;
    int64_t onset_ppb;
    por_amount *reserve_tok; /* per custodian, token decimals (saturated) */
    por_amount reserve_total;
    /* scoring */
    bool onset, detected, blocked, reacted;
    por_time_t onset_at, detect_at, block_at, react_at;
    por_amount unbacked;
    uint64_t false_rejections, mints_accepted, mints_refused, redeems;
    por_time_t last_updated_at, max_staleness;
    double min_ratio;
    uint64_t invariant_violations;
    bool keys_granted;
    uint32_t nbyzantine;         /* distinct oracles named by BYZANTINE attacks */
    char violation[256];
    /* teaching-mode trace (NULL = off) and the truth state it reports */
    por_trace_sink *trace;
    por__world_trace tr; /* the records' own state (world_trace.h) */
    por__refresh refresh;        /* refresh-then-mint wiring (token.refresh_then_mint) */
    const por_run_options *opt; /* borrowed; may be NULL */
} por__world;

/* Fills the metric row of finished world W: CELLS (POR_WM_NCOLS entries); exact amount
 * strings point into STRINGS (POR_WM_NCOLS * POR_WORLD_STRING_BYTES, por/world.h). */
void por__world_fill_cells(const por__world *w, por_metric_cell *cells, char *strings);

#endif
