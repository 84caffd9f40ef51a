/* The requestNewRound transaction (por/round_request.h): its gas, and its submission to the
 * feed's chain through the chain's transaction API. Kept apart from the token so that a
 * change of the chain's transaction API touches only this file. */
#include "por/round_request.h"

#include "por/error.h"
#include "por/txm.h"

#include <stdlib.h>

uint64_t por_round_request_gas(bool owner, bool listed)
{
    if (owner)
        return POR_ROUND_REQUEST_GAS_OWNER;
    return listed ? POR_ROUND_REQUEST_GAS_LISTED : POR_ROUND_REQUEST_GAS_REVERTED;
}

typedef struct {
    por_tx base; /* first: the chain hands back the por_tx pointer */
    por_aggregator *agg;
    por_addr sender;
    por_round_request_done done;
    void *ctx;
} por__request_tx;

static void por__request_execute(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block_number)
{
    (void)block_number;
    por__request_tx *t = (por__request_tx *)tx;
    bool ok = por_aggregator_request_new_round(t->agg, block_time, &t->sender, NULL);
    if (t->done)
        t->done(t->ctx, sim, true, ok, tx->gas);
}

static void por__request_dropped(por_tx *tx, por_sim *sim)
{
    por__request_tx *t = (por__request_tx *)tx;
    if (t->done)
        t->done(t->ctx, sim, false, false, 0);
}

static void por__request_destroy(por_tx *tx) { free(tx); }

void por_round_request_submit(por_chain *chain, por_sim *sim, por_aggregator *agg,
                              const por_addr *sender, uint32_t sender_id, double multiplier,
                              uint64_t price_max_wei, por_round_request_done done, void *ctx)
{
    por__request_tx *t = por_xcalloc(1, sizeof *t);
    t->base.sender = sender_id;
    /* one bid from the chain's estimator, as a user's wallet bids (no bumps) */
    const por_chain_config *cc = por_chain_config_of(chain);
    por_txm_estimate(chain, &cc->txm, multiplier, price_max_wei, &t->base.max_fee_wei,
                     &t->base.tip_wei);
    /* the path the contract takes depends only on the access configuration, fixed for the
     * run: the transaction uses that path's gas */
    t->base.gas = por_round_request_gas(por_aggregator_is_owner(agg, sender),
                                        por_aggregator_may_request(agg, sender));
    t->base.execute = por__request_execute;
    t->base.dropped = por__request_dropped;
    t->base.destroy = por__request_destroy;
    t->agg = agg;
    t->sender = *sender;
    t->done = done;
    t->ctx = ctx;
    por_chain_submit(chain, sim, &t->base);
}
