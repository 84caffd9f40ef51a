/* Refresh-then-mint wiring (internal to sim/models/world): gives the token a requester
 * that sends requestNewRound from the issuer's address to the feed's aggregator on the
 * feed's chain, sets the aggregator's owner and requester access list from
 * token.refresh_then_mint.requester, and traces each step. */
#ifndef POR_MODELS_WORLD_REFRESH_H
#define POR_MODELS_WORLD_REFRESH_H

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/scenario.h"
#include "por/token.h"
#include "por/trace.h"

typedef struct {
    const por_scenario *sc;
    por_chain *chain;        /* the feed's */
    por_aggregator *agg;
    por_token *token;
    por_trace_sink *trace;   /* may be NULL */
    por_sim *sim;
    por_addr issuer;
} por__refresh;

/* Wires R (whose fields sc, chain, agg, token, trace, sim the caller set) when the
 * scenario enables refresh-then-mint; nothing otherwise. R must outlive the run. */
void por__refresh_wire(por__refresh *r);

#endif
