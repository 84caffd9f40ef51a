/* A blockchain entity: mines blocks at a fixed or exponential cadence (slowed by
 * congestion windows), keeps a mempool ordered by bid then submission order, includes a
 * transaction only when its bid covers the block's going gas price and the block has gas
 * left, applies transactions (their execute hooks) when their block reaches the
 * configured confirmation depth, drops transactions pending longer than the timeout, and
 * models short reorgs that drop the newest unconfirmed blocks and return their
 * transactions to the mempool.
 *
 * Gas price model (porsim's simplification): each block draws its price independently,
 * base * lognormal(0, gas_volatility), multiplied by the congestion gas factor in force
 * at the block's time. A reorg can only drop unconfirmed blocks: effects applied at the
 * confirmation depth are final (so with confirmations = 1 a reorg changes nothing).
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
    por_time_t tip_time;
    uint64_t confirmed_number;
    por_time_t confirmed_time;
    uint64_t next_seq;
    por__pending *mempool;
    size_t nmempool, capmempool;
    por__block *unconfirmed; /* oldest first */
    size_t nunconfirmed, capunconfirmed;
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

/* Drops the newest unconfirmed blocks (up to reorg_depth) back into the mempool. */
static void por__reorg(por_chain *ch)
{
    uint32_t depth = ch->cfg->reorg_depth ? ch->cfg->reorg_depth : 1;
    if (ch->nunconfirmed == 0)
        return;
    size_t drop = depth < ch->nunconfirmed ? depth : ch->nunconfirmed;
    for (size_t k = 0; k < drop; k++) {
        por__block *b = &ch->unconfirmed[ch->nunconfirmed - 1 - k];
        for (size_t i = 0; i < b->ntxs; i++) {
            /* undo its accounting: it will be counted again when re-mined */
            ch->stats.txs_mined--;
            ch->stats.gas_used -= b->txs[i].tx->gas;
            ch->stats.fees_gwei -= (double)b->txs[i].tx->gas * b->txs[i].tx->gas_price_gwei;
            por__mempool_insert(ch, b->txs[i]);
        }
        b->ntxs = 0;
    }
    ch->nunconfirmed -= drop;
    ch->tip -= drop;
    ch->tip_time = ch->nunconfirmed ? ch->unconfirmed[ch->nunconfirmed - 1].time
                                     : ch->confirmed_time;
    ch->stats.reorgs++;
}

static void por__confirm(por_chain *ch, por_sim *sim)
{
    uint32_t conf = ch->cfg->confirmations ? ch->cfg->confirmations : 1;
    size_t done = 0;
    while (done < ch->nunconfirmed && ch->unconfirmed[done].number + conf - 1 <= ch->tip) {
        por__block *b = &ch->unconfirmed[done];
        ch->confirmed_number = b->number;
        ch->confirmed_time = b->time;
        for (size_t i = 0; i < b->ntxs; i++) {
            por_tx *tx = b->txs[i].tx;
            if (tx->execute)
                tx->execute(tx, sim, b->time, b->number);
            if (tx->destroy)
                tx->destroy(tx);
        }
        b->ntxs = 0;
        done++;
    }
    if (done == 0)
        return;
    /* shift the remaining blocks down, swapping tx buffers so none is lost or shared */
    for (size_t i = 0; i + done < ch->nunconfirmed; i++) {
        por__block tmp = ch->unconfirmed[i];
        ch->unconfirmed[i] = ch->unconfirmed[i + done];
        ch->unconfirmed[i + done] = tmp;
    }
    ch->nunconfirmed -= done;
}

static void por__mine(por_chain *ch, por_sim *sim)
{
    por_time_t now = por_sim_now(sim);
    if (ch->cfg->reorg_probability > 0.0 &&
        por_rng_uniform(ch->reorg_rng) < ch->cfg->reorg_probability)
        por__reorg(ch);
    por__drop_expired(ch, sim, now);

    double price = por_chain_gas_price(ch, now);
    if (ch->nunconfirmed == ch->capunconfirmed) {
        size_t old = ch->capunconfirmed;
        ch->capunconfirmed = old ? old * 2 : 8;
        ch->unconfirmed = por_xrealloc(ch->unconfirmed,
                                       ch->capunconfirmed * sizeof *ch->unconfirmed);
        memset(ch->unconfirmed + old, 0, (ch->capunconfirmed - old) * sizeof *ch->unconfirmed);
    }
    por__block *b = &ch->unconfirmed[ch->nunconfirmed++];
    b->number = ++ch->tip;
    b->time = now;
    b->ntxs = 0;
    ch->tip_time = now;
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
    por__confirm(ch, sim);
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
    for (size_t b = 0; b < chain->capunconfirmed; b++) {
        if (b < chain->nunconfirmed)
            for (size_t i = 0; i < chain->unconfirmed[b].ntxs; i++)
                por__free_tx(chain->unconfirmed[b].txs[i].tx);
        free(chain->unconfirmed[b].txs);
    }
    free(chain->unconfirmed);
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
