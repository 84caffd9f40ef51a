/* A DeFi consumer of the PoR feed: a lending protocol whose keeper reads the feed and
 * the token's total supply, computes the reported collateralization ratio
 *     answer (rescaled from feed to token decimals) / total supply
 * and applies its thresholds: below a threshold's ratio_ppb it takes the threshold's
 * action (lower the collateral factor, or pause borrowing); when the reported ratio is
 * back at or above it, it lifts the action. Comparisons are exact (por_ratio_below).
 * Nothing happens while the feed has no answer; an empty supply is never below.
 *
 * Reading cadence: with poll_every > 0 the keeper polls at poll_every, 2*poll_every, ...;
 * with poll_every == 0 it reacts only to answers, when the world calls
 * por_consumer_on_answer from an aggregator listener. Each action and lift is reported
 * to listeners (the world measures reaction time from onset). */
#ifndef POR_CONSUMER_H
#define POR_CONSUMER_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/consumer.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/engine.h"
#include "por/error.h"
#include "por/scenario.h"
#include "por/token.h"

/* One action taken or lifted. */
typedef struct {
    uint32_t consumer;          /* consumer index */
    size_t threshold;           /* index in the consumer's thresholds */
    por_consumer_action action;
    bool engaged;               /* true: taken; false: lifted */
    int64_t collateral_factor_ppb; /* LOWER_CF: the threshold's factor */
    int64_t reported_ratio_ppb; /* floor(ratio * 1e9), saturated to INT64_MAX */
    por_time_t answer_updated_at; /* updatedAt of the answer that triggered it */
} por_consumer_reaction;

typedef void (*por_consumer_listener)(void *ctx, por_sim *sim, const por_consumer_reaction *r);

typedef struct {
    uint64_t polls;        /* feed reads (polls and answer notifications) */
    uint64_t evaluations;  /* reads with an answer and a supply to compare */
    uint64_t actions, lifts;
} por_consumer_stats;

typedef struct por_consumer por_consumer;

/* Creates consumer INDEX of CFG, reading FEED and TOKEN's total supply, and registers its
 * entity with SIM. CFG and TOKEN must outlive it. Returns NULL and fills ERR when a
 * threshold is unusable (ratio_ppb <= 0, or a LOWER_CF factor outside [0, 1e9]).
 * Caller frees with por_consumer_destroy after the simulation is destroyed. */
por_consumer *por_consumer_create(const por_consumer_config *cfg, uint32_t index, por_sim *sim,
                                  por_feed_reader feed, const por_token *token, por_error *err);
void por_consumer_destroy(por_consumer *c);

void por_consumer_add_listener(por_consumer *c, por_consumer_listener fn, void *ctx);

/* Reads the feed now and applies the thresholds (what a poll does); for answer
 * listeners. */
void por_consumer_on_answer(por_consumer *c, por_sim *sim);

/* True while a PAUSE threshold is engaged. */
bool por_consumer_paused(const por_consumer *c);

/* The lowest collateral factor among engaged LOWER_CF thresholds, or -1 when none is
 * engaged (the protocol's normal factor applies). */
int64_t por_consumer_collateral_factor(const por_consumer *c);

void por_consumer_get_stats(const por_consumer *c, por_consumer_stats *out);

#endif
