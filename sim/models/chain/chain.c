/* A blockchain entity: mines blocks at a fixed or exponential cadence (slowed by
 * congestion windows), keeps a mempool ordered by bid then submission order, includes a
 * transaction only when its bid covers the block's going gas price and the block has gas
 * left, and applies the transactions of a block (their execute hooks) in block order as
 * the block is mined: every later transaction and every later reader sees the effects.
 * Confirmations are a reader's depth: por_chain_confirmed_number/time give the block at
 * depth `confirmations` below the tip, for readers that wait for it (custodian wallets).
 * Short reorgs remove the newest blocks (up to reorg_depth, never a final one), undo
 * their transactions' effects newest first (their undo hooks) and return them to the
 * mempool. A block is final once it leaves the ring of the newest
 * max(confirmations, reorg_depth) + 2 blocks; its transactions are then freed.
 *
 * Gas price model (porsim's simplification): each block draws its price independently,
 * base * lognormal(0, gas_volatility), multiplied by the congestion gas factor in force
 * at the block's time. Pending transactions older than tx_timeout are dropped.
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

#define POR__DEFAULT_GAS_LIMIT 30000000u

typedef struct {
    por_tx *tx;
    uint64_t seq; /* submission order (kept across reorgs) */
} por__pending;

typedef struct {
    uint64_t number;
    por_time_t time;
    por__pending *txs;
    size_t ntxs, cap;
} por__block;

struct por_chain {
    const por_chain_config *cfg;
    uint32_t index;
    uint32_t entity;
    gsl_rng *block_rng, *gas_rng, *reorg_rng;
    uint64_t gas_limit;
    double next_price;     /* drawn price of the next block, before congestion */
    uint64_t tip;          /* number of the newest block */
    uint64_t final_number; /* newest block no reorg can remove (its txs are freed) */
    uint64_t confirmed_number; /* the confirmed view: newest block at depth confirmations */
    por_time_t confirmed_time;
    uint64_t next_seq;
    por__pending *mempool;
    size_t nmempool, capmempool;
    /* the newest blocks, block k in ring[k % cap]: enough for the confirmed view and the
     * deepest reorg; a block leaving the ring is final */
    por__block *ring;
    size_t cap;
    por_chain_stats stats;
    por_sim *sim;
};

static const por_congestion *por__congestion_at(const por_chain_config *cfg, por_time_t t,
                                                double *block_factor, double *gas_factor)
{
    *block_factor = 1.0;
    *gas_factor = 1.0;
    const por_congestion *hit = NULL;
    for (size_t i = 0; i < cfg->ncongestion; i++) {
        const por_congestion *c = &cfg->congestion[i];
        if (t >= c->window.from && t < c->window.until) {
            /* overlapping windows: the strongest factor of each kind applies */
            if (c->block_time_factor > *block_factor)
                *block_factor = c->block_time_factor;
            if (c->gas_factor > *gas_factor)
                *gas_factor = c->gas_factor;
            hit = c;
        }
    }
    return hit;
}

static void por__draw_price(por_chain *ch)
{
    double base = ch->cfg->base_gas_gwei;
    if (ch->cfg->gas_volatility > 0.0)
        ch->next_price = base * gsl_ran_lognormal(ch->gas_rng, 0.0, ch->cfg->gas_volatility);
    else
        ch->next_price = base;
}

double por_chain_gas_price(const por_chain *chain, por_time_t now)
{
    double bf, gf;
    por__congestion_at(chain->cfg, now, &bf, &gf);
    return chain->next_price * gf;
}

static void por__schedule_block(por_chain *ch, por_sim *sim)
{
    por_time_t now = por_sim_now(sim);
    double bf, gf;
    por__congestion_at(ch->cfg, now, &bf, &gf);
    double mean = (double)ch->cfg->block_time * bf;
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

/* Mempool order: higher bid first, then earlier submission. */
static bool por__before(const por__pending *a, const por__pending *b)
{
    if (a->tx->gas_price_gwei != b->tx->gas_price_gwei)
        return a->tx->gas_price_gwei > b->tx->gas_price_gwei;
    return a->seq < b->seq;
}

/* Inserts keeping the mempool sorted (it is small: insertion is cheapest). */
static void por__mempool_insert(por_chain *ch, por__pending p)
{
    por__push(&ch->mempool, &ch->nmempool, &ch->capmempool, p);
    size_t i = ch->nmempool - 1;
    while (i > 0 && por__before(&p, &ch->mempool[i - 1])) {
        ch->mempool[i] = ch->mempool[i - 1];
        i--;
    }
    ch->mempool[i] = p;
}

void por_chain_submit(por_chain *chain, por_sim *sim, por_tx *tx)
{
    tx->submitted = por_sim_now(sim);
    por__pending p = {tx, chain->next_seq++};
    por__mempool_insert(chain, p);
}

static void por__drop_expired(por_chain *ch, por_sim *sim, por_time_t now)
{
    if (ch->cfg->tx_timeout <= 0)
        return;
    size_t keep = 0;
    for (size_t i = 0; i < ch->nmempool; i++) {
        por_tx *tx = ch->mempool[i].tx;
        if (now - tx->submitted > ch->cfg->tx_timeout) {
            ch->stats.txs_dropped++;
            if (tx->dropped)
                tx->dropped(tx, sim);
            if (tx->destroy)
                tx->destroy(tx);
        } else {
            ch->mempool[keep++] = ch->mempool[i];
        }
    }
    ch->nmempool = keep;
}

/* The ring slot of block NUMBER. */
static por__block *por__slot(por_chain *ch, uint64_t number) { return &ch->ring[number % ch->cap]; }

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
            ch->stats.gas_used -= tx->gas;
            ch->stats.fees_gwei -= (double)tx->gas * tx->gas_price_gwei;
            ch->stats.txs_undone++;
            por__mempool_insert(ch, b->txs[i]);
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

static void por__mine(por_chain *ch, por_sim *sim)
{
    por_time_t now = por_sim_now(sim);
    if (ch->cfg->reorg_probability > 0.0 &&
        por_rng_uniform(ch->reorg_rng) < ch->cfg->reorg_probability)
        por__reorg(ch, sim);
    por__drop_expired(ch, sim, now);

    double price = por_chain_gas_price(ch, now);
    uint64_t number = ch->tip + 1;
    por__finalize_before(ch, number);
    por__block *b = por__slot(ch, number);
    b->number = number;
    b->time = now;
    ch->tip = number;
    ch->stats.blocks++;

    /* the mempool is sorted by bid: take eligible txs in order while gas is left */
    uint64_t gas_left = ch->gas_limit;
    size_t keep = 0;
    for (size_t i = 0; i < ch->nmempool; i++) {
        por_tx *tx = ch->mempool[i].tx;
        if (tx->gas_price_gwei >= price && tx->gas <= gas_left) {
            gas_left -= tx->gas;
            ch->stats.txs_mined++;
            ch->stats.gas_used += tx->gas;
            ch->stats.fees_gwei += (double)tx->gas * tx->gas_price_gwei;
            por__push(&b->txs, &b->ntxs, &b->cap, ch->mempool[i]);
        } else {
            ch->mempool[keep++] = ch->mempool[i];
        }
    }
    ch->nmempool = keep;
    por__draw_price(ch);
    por__advance_confirmed(ch);
    /* effects apply in the including block, in block order; a transaction submitted by
     * an effect (a listener's reaction) waits in the mempool for a later block */
    for (size_t i = 0; i < b->ntxs; i++) {
        por_tx *tx = b->txs[i].tx;
        if (tx->execute)
            tx->execute(tx, sim, now, number);
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
    ch->gas_limit = POR__DEFAULT_GAS_LIMIT;
    uint32_t keep = cfg->confirmations > cfg->reorg_depth ? cfg->confirmations : cfg->reorg_depth;
    ch->cap = (size_t)keep + 2;
    ch->ring = por_xcalloc(ch->cap, sizeof *ch->ring);
    por__draw_price(ch);
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
    gsl_rng_free(chain->block_rng);
    gsl_rng_free(chain->gas_rng);
    gsl_rng_free(chain->reorg_rng);
    free(chain);
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
