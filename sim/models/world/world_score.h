/* The scorer's running state (internal to sim/models/world): the detection, refusal and
 * reaction times measured from truth's onset, the unbacked amount, the mint and
 * redemption counts and the feed's staleness, kept from the world's events (world_hub.h)
 * after truth has seen each one (world.c's subscription order). world_score.c turns them
 * and the models' counters into the metric row (por__world_fill_cells,
 * world_internal.h). */
#ifndef POR_MODELS_WORLD_SCORE_H
#define POR_MODELS_WORLD_SCORE_H

#include "world_hub.h"
#include "world_truth.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const por__truth *truth; /* borrowed: onset, the true reserve */
    uint32_t feed_decimals, token_decimals;
    bool detected, blocked, reacted;
    por_time_t detect_at, block_at, react_at;
    por_amount unbacked;
    uint64_t false_rejections, mints_accepted, mints_refused, redeems;
    por_time_t last_updated_at, max_staleness;
} por__score;

/* Starts S reading TRUTH (borrowed) for a feed of FEED_DECIMALS and a token of
 * TOKEN_DECIMALS. */
void por__score_init(por__score *s, const por__truth *truth, uint32_t feed_decimals,
                     uint32_t token_decimals);

/* MINT, REDEEM, UNDONE, ANSWER, REACTION, FINISH (one function each). */
void por__score_on_mint(void *score, const por__world_event *ev);
void por__score_on_redeem(void *score, const por__world_event *ev);
void por__score_on_undone(void *score, const por__world_event *ev);
void por__score_on_answer(void *score, const por__world_event *ev);
void por__score_on_reaction(void *score, const por__world_event *ev);
void por__score_on_finish(void *score, const por__world_event *ev);

#endif
