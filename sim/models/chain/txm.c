/* The transaction manager of one sending key (por/txm.h): BlockHistory-style estimate,
 * nonces, bumping after bump_threshold blocks up to price_max, one transaction in flight
 * and a transmit queue of depth 1 behind it.
 *
 * Sources: the Chainlink node's EVM defaults (smartcontractkit/chainlink
 * core/chains/evm/config/toml/defaults/fallback.toml and Ethereum_Mainnet.toml):
 * GasEstimator.Mode BlockHistory, BlockHistorySize 8 (4 on Ethereum), TransactionPercentile
 * 60 (50 on Ethereum), BumpThreshold 3, BumpPercent 20, BumpMin 5 gwei, PriceMin 1 gwei,
 * TipCapMin 1 wei; EIP1559FeeCapBufferBlocks defaults to BumpThreshold + 1.
 * porsim simplifications: the estimator samples one fee level per block (what other
 * users paid) rather than every transaction; a key keeps one transaction in flight (the
 * node allows Transactions.MaxInFlight = 16, but a key's later nonces cannot be mined
 * before the stuck one anyway); the queue holds transactions not yet broadcast. */
#include "por/txm.h"

#include "por/error.h"

#include <math.h>
#include <stdlib.h>

struct por_txm {
    por_chain *chain;
    const por_txm_config *cfg;
    uint32_t sender;
    double multiplier;
    uint64_t price_max;
    uint64_t next_nonce;
    por_tx *in_flight; /* broadcast, not yet included */
    por_tx *queued;    /* waiting behind it (depth 1) */
    por_txm_stats stats;
};

static uint64_t por__capped(double x, uint64_t cap)
{
    if (!(x > 0))
        return 0;
    if (x >= (double)cap)
        return cap;
    return (uint64_t)llround(x);
}

static int por__cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void por_txm_estimate(const por_chain *chain, const por_txm_config *cfg, double multiplier,
                      uint64_t price_max_wei, uint64_t *max_fee_wei, uint64_t *tip_wei)
{
    const por_chain_config *cc = por_chain_config_of(chain);
    uint64_t cap = price_max_wei ? price_max_wei : UINT64_MAX;
    double mult = multiplier > 0 ? multiplier : 1.0;
    uint64_t hist[256];
    size_t k = cfg->history_blocks < 256 ? cfg->history_blocks : 256;
    size_t n = por_chain_recent_fees(chain, k ? k : 1, hist);
    uint64_t level;
    if (n == 0) {
        level = cc->fee_model == POR_FEE_LEGACY ? por_chain_head_price_wei(chain)
                                                : cfg->tip_cap_min_wei;
    } else {
        qsort(hist, n, sizeof hist[0], por__cmp_u64);
        /* nearest rank: the smallest value with at least percentile % of samples <= it */
        size_t rank = (size_t)ceil((double)cfg->percentile / 100.0 * (double)n);
        level = hist[rank ? rank - 1 : 0];
    }
    if (cc->fee_model == POR_FEE_LEGACY) {
        if (level < cfg->price_min_wei)
            level = cfg->price_min_wei;
        *max_fee_wei = *tip_wei = por__capped((double)level * mult, cap);
        return;
    }
    if (level < cfg->tip_cap_min_wei)
        level = cfg->tip_cap_min_wei;
    uint64_t tip = por__capped((double)level * mult, cap);
    double buffer = pow(1.125, (double)cfg->bump_threshold + 1.0);
    double fee = (double)tip + (double)por_chain_head_price_wei(chain) * buffer * mult;
    *tip_wei = tip;
    *max_fee_wei = por__capped(fee, cap);
}

static uint64_t por__bump_one(const por_txm_config *cfg, uint64_t cap, uint64_t v, uint64_t est)
{
    if (v >= cap)
        return v;
    double up = (double)v * (1.0 + cfg->bump_percent / 100.0);
    double min = (double)v + (double)cfg->bump_min_wei;
    double x = up > min ? up : min;
    if ((double)est > x)
        x = (double)est;
    return por__capped(x, cap);
}

void por_txm_bump(const por_txm_config *cfg, uint64_t price_max_wei, uint64_t est_max_fee,
                  uint64_t est_tip, uint64_t *max_fee_wei, uint64_t *tip_wei)
{
    uint64_t cap = price_max_wei ? price_max_wei : UINT64_MAX;
    *max_fee_wei = por__bump_one(cfg, cap, *max_fee_wei, est_max_fee);
    *tip_wei = por__bump_one(cfg, cap, *tip_wei, est_tip);
    if (*tip_wei > *max_fee_wei)
        *tip_wei = *max_fee_wei;
}

static void por__txm_on_pending(por_tx *tx, por_sim *sim, uint64_t block)
{
    (void)sim;
    por_txm *m = tx->mgr;
    const por_txm_config *cfg = m->cfg;
    if (cfg->bump_threshold == 0 || block < tx->priced_block + cfg->bump_threshold)
        return;
    uint64_t fee = tx->max_fee_wei, tip = tx->tip_wei, est_fee, est_tip;
    por_txm_estimate(m->chain, cfg, m->multiplier, m->price_max, &est_fee, &est_tip);
    por_txm_bump(cfg, m->price_max, est_fee, est_tip, &tx->max_fee_wei, &tx->tip_wei);
    tx->priced_block = block;
    if (tx->max_fee_wei != fee || tx->tip_wei != tip)
        m->stats.bumps++;
}

static void por__broadcast(por_txm *m, por_sim *sim, por_tx *tx)
{
    por_txm_estimate(m->chain, m->cfg, m->multiplier, m->price_max, &tx->max_fee_wei, &tx->tip_wei);
    tx->priced_block = por_chain_tip_number(m->chain);
    tx->nonce = ++m->next_nonce;
    m->in_flight = tx;
    m->stats.broadcast++;
    por_chain_submit(m->chain, sim, tx);
}

static void por__txm_on_included(por_tx *tx, por_sim *sim)
{
    por_txm *m = tx->mgr;
    if (m->in_flight != tx)
        return; /* re-included after a reorg: its successor may already be out */
    m->in_flight = NULL;
    if (m->queued) {
        por_tx *next = m->queued;
        m->queued = NULL;
        por__broadcast(m, sim, next);
    }
}

por_txm *por_txm_create(por_chain *chain, uint32_t sender, double multiplier,
                        uint64_t price_max_wei)
{
    por_txm *m = por_xcalloc(1, sizeof *m);
    m->chain = chain;
    m->cfg = &por_chain_config_of(chain)->txm;
    m->sender = sender;
    m->multiplier = multiplier > 0 ? multiplier : 1.0;
    m->price_max = m->cfg->price_max_wei;
    if (price_max_wei > 0 && (m->price_max == 0 || price_max_wei < m->price_max))
        m->price_max = price_max_wei;
    return m;
}

void por_txm_destroy(por_txm *m)
{
    if (!m)
        return;
    if (m->queued && m->queued->destroy)
        m->queued->destroy(m->queued);
    free(m);
}

void por_txm_send(por_txm *m, por_sim *sim, por_tx *tx)
{
    tx->sender = m->sender;
    tx->mgr = m;
    tx->on_pending = por__txm_on_pending;
    tx->on_included = por__txm_on_included;
    if (!m->in_flight) {
        por__broadcast(m, sim, tx);
        return;
    }
    if (m->queued) {
        por_tx *old = m->queued;
        m->stats.replaced_in_queue++;
        if (old->dropped)
            old->dropped(old, sim);
        if (old->destroy)
            old->destroy(old);
    }
    m->queued = tx;
}

void por_txm_get_stats(const por_txm *m, por_txm_stats *out) { *out = m->stats; }
