/* The world's trace translators (internal to sim/models/world): turn the world's events
 * (world_hub.h: reserve changes, reads, mints and redemptions, bridge moves, answers,
 * consumer reactions) and the ground truth (world_truth.h) into por/trace.h records. They
 * subscribe to the hub only when tracing is on, after truth (world.c); they format
 * nothing and decide nothing. */
#ifndef POR_MODELS_WORLD_TRACE_H
#define POR_MODELS_WORLD_TRACE_H

#include "world_hub.h"
#include "world_truth.h"

#include "por/aggregator.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/engine.h"
#include "por/token.h"
#include "por/trace.h"

#include <stdbool.h>

typedef struct {
    por_trace_sink *sink; /* not NULL when any function below is called */
    por_sim *sim;
    const por__truth *truth; /* borrowed: the true reserve and onset ratio the TRUTH records show */
    bool under;             /* the truth was under the onset ratio at the last TRUTH */
    por_time_t under_since; /* since when (valid when under) */
} por__world_trace;

/* TRUTH after CAUSE: the true reserve RESERVE and outstanding SUPPLY [t], under when
 * RESERVE / SUPPLY < ONSET_PPB / 1e9, and since when. */
void por__world_trace_truth(por__world_trace *t, por_trace_truth_cause cause, por_amount reserve,
                            por_amount supply, int64_t onset_ppb);
void por__world_trace_reserve(por__world_trace *t, uint32_t index, por_amount before,
                              por_amount after);
void por__world_trace_read(por__world_trace *t, uint32_t custodian, uint32_t node,
                           por_read_status st, por_amount v, por_time_t lat);
/* MINT or REDEEM of EV (a mint or a redemption). */
void por__world_trace_supply(por__world_trace *t, const por_supply_event *ev);
/* BRIDGE of EV (a bridge burn, release or refusal). */
void por__world_trace_bridge(por__world_trace *t, const por_supply_event *ev);
/* ANSWER RD; OUTSTANDING = the token's outstanding supply now [t]. */
void por__world_trace_answer(por__world_trace *t, const por_round_data *rd,
                             por_amount outstanding);
void por__world_trace_reaction(por__world_trace *t, const por_consumer_reaction *c);

/* Hub subscribers (CTX = the por__world_trace): START (TRUTH), RESERVE (RESERVE, then TRUTH),
 * READ, MINT and REDEEM (the record, then TRUTH when supply changed), BRIDGE, ANSWER,
 * REACTION. */
void por__world_trace_on_start(void *tr, const por__world_event *ev);
void por__world_trace_on_reserve(void *tr, const por__world_event *ev);
void por__world_trace_on_read(void *tr, const por__world_event *ev);
void por__world_trace_on_supply(void *tr, const por__world_event *ev);
void por__world_trace_on_bridge(void *tr, const por__world_event *ev);
void por__world_trace_on_answer(void *tr, const por__world_event *ev);
void por__world_trace_on_reaction(void *tr, const por__world_event *ev);

#endif
