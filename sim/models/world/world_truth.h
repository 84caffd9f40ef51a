/* Ground truth (internal to sim/models/world): the true reserve of every custodian
 * rescaled to the token's decimals and their sum, against the token's outstanding supply
 * (on-chain plus in flight on a bridge), as the world's events change them; the smallest
 * true ratio seen and the onset, the first instant true reserve / supply falls below
 * metrics.onset_ratio (README "Metrics", scenarios/SCHEMA.md onset_ratio). It subscribes
 * to START, RESERVE, MINT, REDEEM and UNDONE (world_hub.h); the scorer, the trace and
 * world_score.c read it. */
#ifndef POR_MODELS_WORLD_TRUTH_H
#define POR_MODELS_WORLD_TRUTH_H

#include "world_hub.h"

#include "por/amount.h"
#include "por/scenario.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const por_custodian_config *custodians; /* borrowed: their decimals */
    size_t ncustodians;
    uint32_t token_decimals;
    int64_t onset_ppb;       /* onset when reserve / supply < onset_ppb / 1e9 */
    por_amount *reserve_tok; /* per custodian, token decimals (saturated) */
    por_amount reserve_total; /* their sum (saturated) */
    double min_ratio;         /* smallest reserve / supply at a check (INFINITY: none yet) */
    bool onset;
    por_time_t onset_at;
} por__truth;

/* a + b, saturated at the ends of por_amount (truth's and the scorer's sums). */
static inline por_amount por__amount_sat_add(por_amount a, por_amount b)
{
    por_amount s;
    return por_amount_add(a, b, &s) ? s : (b > 0 ? POR_AMOUNT_MAX : POR_AMOUNT_MIN);
}

/* Starts T with the NCUSTODIANS custodians' initial reserves (CUSTODIANS[i].initial in
 * CUSTODIANS[i].decimals; borrowed, must outlive T) rescaled to TOKEN_DECIMALS (one that
 * does not fit counts as POR_AMOUNT_MAX), and onset at ONSET_PPB. Caller frees with
 * por__truth_close. */
void por__truth_init(por__truth *t, const por_custodian_config *custodians, size_t ncustodians,
                     uint32_t token_decimals, int64_t onset_ppb);
void por__truth_close(por__truth *t);

/* START, MINT (accepted only), REDEEM, UNDONE: re-checks the ratio at EV's outstanding
 * supply. RESERVE: takes the custodian's new reserve, then re-checks. */
void por__truth_on_supply(void *truth, const por__world_event *ev);
void por__truth_on_reserve(void *truth, const por__world_event *ev);

#endif
