/* A blockchain entity: mines blocks at a fixed or exponential cadence (slowed by
 * congestion windows), prices them by other users' demand (EIP-1559 base fee or a legacy
 * clearing price), fills them by effective tip then per-sender nonce while gas is left,
 * and applies the transactions of a block (their execute hooks) in block order as the
 * block is mined: every later transaction and every later reader sees the effects.
 * Confirmations are a reader's depth: por_chain_confirmed_number/time give the block at
 * depth `confirmations` below the tip, for readers that wait for it (custodian wallets).
 * Short reorgs remove the newest blocks (up to reorg_depth, never a final one), undo
 * their transactions' effects newest first (their undo hooks) and return them to the
 * mempool. A block is final once it leaves the ring of the newest blocks kept (enough for
 * the confirmed view, the deepest reorg and a fee history); its transactions are freed.
 *
 * Fee model (CHAIN.md "Fees"; porsim's demand model is a documented simplification):
 * - Other users want D = target * congestion gas_factor * noise * (ref / price)^elasticity
 *   gas per block, target = gas_limit / 2, ref = gas_price_gwei, noise lognormal(0,
 *   gas_volatility) drawn per block from the chain's "gas" stream. With elasticity 1 a
 *   congestion window of factor k moves the equilibrium price to k * ref.
 * - EIP-1559: the block's base fee follows the EIP's integer rule from the parent
 *   (at most +-1/8 a block; up when the parent used more than the target). Other users
 *   pay a priority fee of priority_fee_gwei * noise, scaled up by D / gas_limit when
 *   they want more than a block holds (they outbid each other for space). A porsim
 *   transaction is includable when max_fee >= base fee; it goes before other users
 *   when its effective tip min(tip, max_fee - base) is at least theirs, after them (in
 *   what gas they leave) otherwise; it pays base + effective tip per gas.
 * - Legacy: the block's gas price clears the demand, ref * (gas_factor * noise)^(1 /
 *   elasticity); a transaction whose price covers it is included (after other users'
 *   target-sized demand) and pays its own price.
 * Readers' RPC faults (rpc_failure_rate, rpc_outages) are answered here too, drawn from
 * the reader's stream, never the chain's (por_chain_rpc_read_fails). */
#include "por/chain.h"

#include "por/error.h"
#include "por/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { POR__EV_BLOCK = 1 };

#define POR__GWEI 1000000000.0
#define POR__FEE_HISTORY 32 /* blocks of fee levels kept for estimators, at least */

typedef struct {
    por_tx *tx;
    uint64_t seq; /* submission order (kept across reorgs) */
} por__pending;

typedef struct {
    uint64_t number;
    por_time_t time;
    uint64_t base_fee;  /* EIP-1559 base fee, or the legacy clearing price (wei) */
    uint64_t fee_level; /* other users' priority fee (legacy: the price), wei */
    uint64_t gas_used;  /* all of it: other users' and porsim's */
    por__pending *txs;
    size_t ntxs, cap;
} por__block;

struct por_chain {
    const por_chain_config *cfg;
    uint32_t index;
    uint32_t entity;
    gsl_rng *block_rng, *gas_rng, *reorg_rng;
    uint64_t gas_limit;
    uint64_t ref_wei;      /* gas_price_gwei in wei */
    uint64_t tip;          /* number of the newest block */
    uint64_t final_number; /* newest block no reorg can remove (its txs are freed) */
    uint64_t confirmed_number; /* the confirmed view: newest block at depth confirmations */
    por_time_t confirmed_time;
    uint64_t next_seq;
    por__pending *mempool;
    size_t nmempool, capmempool;
    por__pending *cand;    /* scratch: the block's candidates in block order */
    size_t capcand;
    /* the newest blocks, block k in ring[k % cap]; a block leaving the ring is final */
    por__block *ring;
    size_t cap;
    por_chain_stats stats;
    por_sim *sim;
};

static double por__congestion_at(const por_chain_config *cfg, por_time_t t, double *gas_factor)
{
    double block_factor = 1.0;
    *gas_factor = 1.0;
    for (size_t i = 0; i < cfg->ncongestion; i++) {
        const por_congestion *c = &cfg->congestion[i];
        if (t >= c->window.from && t < c->window.until) {
            /* overlapping windows: the strongest factor of each kind applies */
            if (c->block_time_factor > block_factor)
                block_factor = c->block_time_factor;
            if (c->gas_factor > *gas_factor)
                *gas_factor = c->gas_factor;
        }
    }
    return block_factor;
}

static uint64_t por__wei(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 1.8e19)
        return UINT64_MAX / 2;
    return (uint64_t)llround(x);
}

static void por__schedule_block(por_chain *ch, por_sim *sim)
{
    por_time_t now = por_sim_now(sim);
    double gf;
    double mean = (double)ch->cfg->block_time * por__congestion_at(ch->cfg, now, &gf);
    double dt = ch->cfg->block_time_random ? gsl_ran_exponential(ch->block_rng, mean) : mean;
    por_time_t step = (por_time_t)llround(dt);
    if (step < 1)
        step = 1;
    if (step > POR_TIME_MAX - now)
        return; /* never again within time */
    por_sim_schedule(sim, now + step, 0, ch->entity, POR__EV_BLOCK, 0, 0, NULL);
}

static void por__push(por__pending **arr, size_t *n, size_t *cap, por__pending p)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *arr = por_xrealloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = p;
}

void por_chain_submit(por_chain *chain, por_sim *sim, por_tx *tx)
{
    tx->submitted = por_sim_now(sim);
    por__pending p = {tx, chain->next_seq++};
    por__push(&chain->mempool, &chain->nmempool, &chain->capmempool, p);
}

/* The ring slot of block NUMBER. */
static por__block *por__slot(const por_chain *ch, uint64_t number)
{
    return &ch->ring[number % ch->cap];
}

/* EIP-1559's base fee of the child of a block with BASE and USED of TARGET (integer
 * wei, as the EIP specifies; an increase is at least 1 wei). */
uint64_t por_eip1559_next_base_fee(uint64_t base, uint64_t used, uint64_t target)
{
    if (target == 0 || used == target)
        return base;
    if (used > target) {
        por_uamount d = (por_uamount)base * (used - target) / target / 8;
        if (d < 1)
            d = 1;
        por_uamount next = (por_uamount)base + d;
        return next > UINT64_MAX ? UINT64_MAX : (uint64_t)next;
    }
    por_uamount d = (por_uamount)base * (target - used) / target / 8;
    return base - (uint64_t)d;
}

/* The price of the next block: from the tip (EIP-1559), or the demand's clearing price
 * (legacy, drawn in por__mine). */
static uint64_t por__next_base_fee(const por_chain *ch)
{
    if (ch->tip == 0)
        return ch->ref_wei;
    const por__block *t = por__slot(ch, ch->tip);
    return por_eip1559_next_base_fee(t->base_fee, t->gas_used, ch->gas_limit / 2);
}

/* Removes the newest blocks (up to reorg_depth, never a final one): undoes their
 * transactions' effects newest first and returns the transactions to the mempool. */
static void por__reorg(por_chain *ch, por_sim *sim)
{
    uint32_t depth = ch->cfg->reorg_depth ? ch->cfg->reorg_depth : 1;
    uint64_t droppable = ch->tip - ch->final_number;
    if (droppable == 0)
        return;
    uint64_t drop = depth < droppable ? depth : droppable;
    for (uint64_t k = 0; k < drop; k++) {
        por__block *b = por__slot(ch, ch->tip - k);
        for (size_t i = b->ntxs; i-- > 0;) {
            por_tx *tx = b->txs[i].tx;
            if (tx->undo)
                tx->undo(tx, sim);
            /* undo its accounting: it will be counted again when re-mined */
            ch->stats.txs_mined--;
            ch->stats.gas_used -= tx->gas_used;
            ch->stats.fees_wei -= (por_amount)tx->gas_used * (por_amount)tx->price_paid_wei;
            ch->stats.txs_undone++;
            por__push(&ch->mempool, &ch->nmempool, &ch->capmempool, b->txs[i]);
        }
        b->ntxs = 0;
    }
    ch->tip -= drop;
    ch->stats.reorgs++;
}

/* Moves the confirmed view (the block at depth `confirmations`) forward; it never moves
 * back, even when a reorg removes that block. */
static void por__advance_confirmed(por_chain *ch)
{
    uint32_t conf = ch->cfg->confirmations ? ch->cfg->confirmations : 1;
    if (ch->tip < conf)
        return;
    uint64_t number = ch->tip - conf + 1;
    const por__block *b = por__slot(ch, number);
    if (number > ch->confirmed_number)
        ch->confirmed_number = number;
    if (b->time > ch->confirmed_time)
        ch->confirmed_time = b->time;
}

/* Frees the transactions of the block that leaves the ring to make room for NUMBER:
 * that block is final (no reorg reaches it any more). */
static void por__finalize_before(por_chain *ch, uint64_t number)
{
    por__block *b = por__slot(ch, number);
    if (number > ch->cap && b->number == number - ch->cap) {
        for (size_t i = 0; i < b->ntxs; i++)
            if (b->txs[i].tx->destroy)
                b->txs[i].tx->destroy(b->txs[i].tx);
        ch->final_number = b->number;
    }
    b->ntxs = 0;
}

/* The effective tip of TX in a block with BASE: what it pays above the base fee per gas
 * (legacy: its whole price). Only called for includable txs (max_fee >= base). */
static uint64_t por__effective_tip(const por_chain *ch, const por_tx *tx, uint64_t base)
{
    if (ch->cfg->fee_model == POR_FEE_LEGACY)
        return tx->max_fee_wei;
    uint64_t room = tx->max_fee_wei - base;
    return tx->tip_wei < room ? tx->tip_wei : room;
}

/* Block order: higher effective tip first, then a sender's lower nonce, then earlier
 * submission. */
static bool por__before(const por_chain *ch, uint64_t base, const por__pending *a,
                        const por__pending *b)
{
    uint64_t ta = por__effective_tip(ch, a->tx, base), tb = por__effective_tip(ch, b->tx, base);
    if (ta != tb)
        return ta > tb;
    if (a->tx->sender == b->tx->sender && a->tx->nonce != b->tx->nonce)
        return a->tx->nonce < b->tx->nonce;
    return a->seq < b->seq;
}

/* Whether a lower nonce of TX's sender is still in the mempool (it must go first). */
static bool por__blocked_by_nonce(const por_chain *ch, const por_tx *tx)
{
    if (tx->nonce == 0)
        return false;
    for (size_t i = 0; i < ch->nmempool; i++) {
        const por_tx *o = ch->mempool[i].tx;
        if (o && o != tx && o->sender == tx->sender && o->nonce != 0 && o->nonce < tx->nonce)
            return true;
    }
    return false;
}

static void por__include(por_chain *ch, por__block *b, por__pending p, uint64_t base,
                         uint64_t *gas_left)
{
    por_tx *tx = p.tx;
    *gas_left -= tx->gas;
    tx->gas_used = tx->gas;
    tx->price_paid_wei = ch->cfg->fee_model == POR_FEE_LEGACY
                             ? tx->max_fee_wei
                             : base + por__effective_tip(ch, tx, base);
    por__push(&b->txs, &b->ntxs, &b->cap, p);
}

static void por__mine(por_chain *ch, por_sim *sim)
{
    const por_chain_config *cfg = ch->cfg;
    por_time_t now = por_sim_now(sim);
    if (cfg->reorg_probability > 0.0 && por_rng_uniform(ch->reorg_rng) < cfg->reorg_probability)
        por__reorg(ch, sim);

    /* this block's price and other users' demand */
    double gas_factor;
    por__congestion_at(cfg, now, &gas_factor);
    double noise = cfg->gas_volatility > 0.0 ? gsl_ran_lognormal(ch->gas_rng, 0.0, cfg->gas_volatility)
                                             : 1.0;
    double eps = cfg->demand_elasticity > 0.0 ? cfg->demand_elasticity : 1.0;
    uint64_t target = ch->gas_limit / 2;
    uint64_t base, level, others;
    if (cfg->fee_model == POR_FEE_LEGACY) {
        base = por__wei((double)ch->ref_wei * pow(gas_factor * noise, 1.0 / eps));
        level = base;
        others = target;
    } else {
        base = por__next_base_fee(ch);
        double want = (double)target * gas_factor * noise *
                      pow((double)ch->ref_wei / (double)(base ? base : 1), eps);
        double scarcity = want > (double)ch->gas_limit ? want / (double)ch->gas_limit : 1.0;
        level = por__wei(cfg->priority_fee_gwei * POR__GWEI * noise * scarcity);
        others = want >= (double)ch->gas_limit ? ch->gas_limit : (uint64_t)want;
    }

    uint64_t number = ch->tip + 1;
    por__finalize_before(ch, number);
    por__block *b = por__slot(ch, number);
    b->number = number;
    b->time = now;
    b->base_fee = base;
    b->fee_level = level;
    ch->tip = number;
    ch->stats.blocks++;

    /* candidates: includable txs in block order (the mempool is small: insertion) */
    size_t nc = 0;
    if (ch->capcand < ch->nmempool) {
        ch->capcand = ch->nmempool;
        ch->cand = por_xrealloc(ch->cand, ch->capcand * sizeof *ch->cand);
    }
    for (size_t i = 0; i < ch->nmempool; i++) {
        por__pending p = ch->mempool[i];
        if (p.tx->max_fee_wei < base)
            continue;
        size_t j = nc++;
        while (j > 0 && por__before(ch, base, &p, &ch->cand[j - 1])) {
            ch->cand[j] = ch->cand[j - 1];
            j--;
        }
        ch->cand[j] = p;
    }
    /* as a builder's price-and-nonce heap: repeatedly the best candidate whose lower
     * nonces are already in (a sender's next nonce becomes eligible once the previous
     * one is included); txs tipping at least other users go before them, the rest fill
     * what other users leave */
    uint64_t gas_left = ch->gas_limit;
    bool others_in = false;
    for (;;) {
        size_t best = nc;
        for (size_t i = 0; i < nc && best == nc; i++)
            if (ch->cand[i].tx && !por__blocked_by_nonce(ch, ch->cand[i].tx))
                best = i;
        if (best == nc)
            break;
        por__pending p = ch->cand[best];
        ch->cand[best].tx = NULL;
        if (!others_in && por__effective_tip(ch, p.tx, base) < level) {
            gas_left -= others < gas_left ? others : gas_left;
            others_in = true;
        }
        if (p.tx->gas > gas_left)
            continue; /* waits for a later block */
        por__include(ch, b, p, base, &gas_left);
        /* out of the mempool now, so its next nonce is no longer blocked */
        for (size_t k = 0; k < ch->nmempool; k++)
            if (ch->mempool[k].tx == p.tx) {
                ch->mempool[k] = ch->mempool[--ch->nmempool];
                break;
            }
    }
    if (!others_in)
        gas_left -= others < gas_left ? others : gas_left;
    for (size_t i = 0; i < b->ntxs; i++)
        if (b->txs[i].tx->on_included)
            b->txs[i].tx->on_included(b->txs[i].tx, sim);
    uint64_t others_used = ch->gas_limit - gas_left;
    for (size_t i = 0; i < b->ntxs; i++)
        others_used -= b->txs[i].tx->gas;
    por__advance_confirmed(ch);

    /* effects apply in the including block, in block order; a transaction submitted by
     * an effect (a listener's reaction) waits in the mempool for a later block */
    uint64_t used = others_used;
    for (size_t i = 0; i < b->ntxs; i++) {
        por_tx *tx = b->txs[i].tx;
        if (tx->execute)
            tx->execute(tx, sim, now, number);
        if (tx->gas_used > tx->gas)
            tx->gas_used = tx->gas;
        used += tx->gas_used;
        ch->stats.txs_mined++;
        ch->stats.gas_used += tx->gas_used;
        ch->stats.fees_wei += (por_amount)tx->gas_used * (por_amount)tx->price_paid_wei;
    }
    b->gas_used = used;

    /* the senders of what is still pending see the new head (and may re-price); the
     * mempool is kept in submission order */
    for (size_t i = 0; i < ch->nmempool; i++) {
        por_tx *tx = ch->mempool[i].tx;
        if (tx->on_pending)
            tx->on_pending(tx, sim, number);
    }
}

static void por__chain_init(por_sim *sim, void *self)
{
    por__schedule_block(self, sim);
}

static void por__chain_handle(por_sim *sim, void *self, por_event *ev)
{
    por_chain *ch = self;
    if (ev->type != POR__EV_BLOCK)
        return;
    por__mine(ch, sim);
    por__schedule_block(ch, sim);
}

static const por_entity_kind por__chain_kind = {"chain", por__chain_init, por__chain_handle,
                                                NULL, NULL};

por_chain *por_chain_create(const por_chain_config *cfg, uint32_t index, por_sim *sim)
{
    POR_ASSERT(cfg != NULL && cfg->block_time > 0);
    por_chain *ch = por_xcalloc(1, sizeof *ch);
    ch->cfg = cfg;
    ch->index = index;
    ch->sim = sim;
    uint64_t seed = por_sim_seed(sim), rep = por_sim_replication(sim);
    ch->block_rng = por_rng_new(seed, rep, por_stream_id("chain", index, "blocks"));
    ch->gas_rng = por_rng_new(seed, rep, por_stream_id("chain", index, "gas"));
    ch->reorg_rng = por_rng_new(seed, rep, por_stream_id("chain", index, "reorg"));
    ch->gas_limit = cfg->gas_limit ? cfg->gas_limit : 30000000u;
    ch->ref_wei = por__wei(cfg->base_gas_gwei * POR__GWEI);
    uint32_t keep = cfg->confirmations > cfg->reorg_depth ? cfg->confirmations : cfg->reorg_depth;
    if (keep < cfg->txm.history_blocks)
        keep = cfg->txm.history_blocks;
    if (keep < POR__FEE_HISTORY)
        keep = POR__FEE_HISTORY;
    ch->cap = (size_t)keep + 2;
    ch->ring = por_xcalloc(ch->cap, sizeof *ch->ring);
    ch->entity = por_sim_add_entity(sim, &por__chain_kind, ch);
    return ch;
}

static void por__free_tx(por_tx *tx)
{
    if (tx->destroy)
        tx->destroy(tx);
}

void por_chain_destroy(por_chain *chain)
{
    if (!chain)
        return;
    for (size_t i = 0; i < chain->nmempool; i++)
        por__free_tx(chain->mempool[i].tx);
    for (size_t b = 0; b < chain->cap; b++) {
        for (size_t i = 0; i < chain->ring[b].ntxs; i++)
            por__free_tx(chain->ring[b].txs[i].tx);
        free(chain->ring[b].txs);
    }
    free(chain->ring);
    free(chain->mempool);
    free(chain->cand);
    gsl_rng_free(chain->block_rng);
    gsl_rng_free(chain->gas_rng);
    gsl_rng_free(chain->reorg_rng);
    free(chain);
}

uint64_t por_chain_head_price_wei(const por_chain *chain)
{
    return chain->tip ? por__slot(chain, chain->tip)->base_fee : chain->ref_wei;
}

size_t por_chain_recent_fees(const por_chain *chain, size_t k, uint64_t *out)
{
    size_t n = 0;
    for (uint64_t b = chain->tip; b > 0 && n < k && n + 2 < chain->cap; b--)
        out[n++] = por__slot(chain, b)->fee_level;
    return n;
}

uint64_t por_chain_confirmed_number(const por_chain *chain) { return chain->confirmed_number; }
por_time_t por_chain_confirmed_time(const por_chain *chain) { return chain->confirmed_time; }
const char *por_chain_name(const por_chain *chain) { return chain->cfg->name; }
void por_chain_get_stats(const por_chain *chain, por_chain_stats *out) { *out = chain->stats; }

void por_chain_set_gas_limit(por_chain *chain, uint64_t gas_limit)
{
    POR_ASSERT(gas_limit > 0);
    chain->gas_limit = gas_limit;
}

uint64_t por_chain_tip_number(const por_chain *chain) { return chain->tip; }

uint64_t por_chain_block_at_depth(const por_chain *chain, uint32_t confirmations)
{
    if (confirmations <= 1)
        return chain->tip;
    return chain->tip >= confirmations ? chain->tip - confirmations + 1 : 0;
}

size_t por_chain_mempool_size(const por_chain *chain) { return chain->nmempool; }
uint32_t por_chain_entity(const por_chain *chain) { return chain->entity; }
const por_chain_config *por_chain_config_of(const por_chain *chain) { return chain->cfg; }

/* RPC faults (porsim's model of an unreadable contract): a reader's node endpoint fails a
 * read at random, or not at all during an outage. The chain's own state is untouched. */
bool por_chain_rpc_read_fails(const por_chain *chain, por_time_t now, gsl_rng *rng)
{
    const por_chain_config *cfg = chain->cfg;
    for (size_t i = 0; i < cfg->nrpc_outages; i++)
        if (now >= cfg->rpc_outages[i].from && now < cfg->rpc_outages[i].until)
            return true;
    if (cfg->rpc_failure_rate <= 0.0 || !rng)
        return false;
    return gsl_rng_uniform(rng) < cfg->rpc_failure_rate;
}

bool por_chain_rpc_faulty(const por_chain *chain)
{
    return chain->cfg->rpc_failure_rate > 0.0 || chain->cfg->nrpc_outages > 0;
}
