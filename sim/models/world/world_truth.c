/* Ground truth (world_truth.h): true reserves against outstanding supply, the smallest
 * true ratio and the onset, kept from the world's events. Moved out of world.c. */
#include "world_truth.h"

#include "por/error.h"
#include "por/ratio.h"

#include <math.h>
#include <stdlib.h>

void por__truth_init(por__truth *t, const por_custodian_config *custodians, size_t ncustodians,
                     uint32_t token_decimals, int64_t onset_ppb)
{
    *t = (por__truth){.custodians = custodians, .ncustodians = ncustodians,
                      .token_decimals = token_decimals, .onset_ppb = onset_ppb,
                      .min_ratio = INFINITY};
    t->reserve_tok = por_xcalloc(ncustodians ? ncustodians : 1, sizeof *t->reserve_tok);
    for (size_t i = 0; i < ncustodians; i++) {
        por_amount v;
        if (!por_amount_rescale(custodians[i].initial, custodians[i].decimals, token_decimals, &v))
            v = POR_AMOUNT_MAX;
        t->reserve_tok[i] = v;
        t->reserve_total = por__amount_sat_add(t->reserve_total, v);
    }
}

void por__truth_close(por__truth *t)
{
    free(t->reserve_tok);
    t->reserve_tok = NULL;
}

/* Re-checks the collateralization ratio after a change of reserves or supply. */
static void por__truth_check(por__truth *t, por_time_t now, por_amount supply)
{
    double r = por_ratio_to_double(t->reserve_total, supply);
    if (r < t->min_ratio)
        t->min_ratio = r;
    if (!t->onset && por_ratio_below(t->reserve_total, supply, t->onset_ppb)) {
        t->onset = true;
        t->onset_at = now;
    }
}

void por__truth_on_supply(void *truth, const por__world_event *ev)
{
    por__truth *t = truth;
    if (ev->kind == POR__WE_MINT && ev->supply->result != POR_MINT_ACCEPTED)
        return; /* a refused mint changes nothing */
    por__truth_check(t, ev->now, ev->outstanding);
}

void por__truth_on_reserve(void *truth, const por__world_event *ev)
{
    por__truth *t = truth;
    uint32_t i = ev->reserve.index;
    POR_ASSERT(i < t->ncustodians);
    por_amount v;
    if (!por_amount_rescale(ev->reserve.after, t->custodians[i].decimals, t->token_decimals, &v))
        v = POR_AMOUNT_MAX;
    t->reserve_tok[i] = v;
    t->reserve_total = 0;
    for (size_t k = 0; k < t->ncustodians; k++)
        t->reserve_total = por__amount_sat_add(t->reserve_total, t->reserve_tok[k]);
    por__truth_check(t, ev->now, ev->outstanding);
}
