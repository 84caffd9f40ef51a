/* The token entity: exact per-chain supply, the mint/redeem/bridge request processes,
 * tokens in flight between chains, MINTER attacks, and the Secure Mint guard (formulas,
 * sources and the bridge model in por/token.h). */
#include "por/token.h"

#include "por/ratio.h"
#include "por/rng.h"
#include "por/sample.h"
#include "por/txm.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>

enum {
    POR__EV_ARRIVAL = 1,   /* a = 0 mint process, 1 redeem process, 2 bridge process */
    POR__EV_SCHEDULED = 2, /* a = 0 mint, 1 redeem, 2 bridge; b = index in the schedule */
    POR__EV_ATTACK = 3,    /* a = attacker index; b = attempt number */
    POR__EV_RELEASE = 4,   /* a bridge transfer arrives: b = index in t->transfers */
    POR__EV_REFRESHED = 5, /* refresh-then-mint: a = request serial; b = 1 a newer answer
                              landed, 0 the timeout passed: held mints go to the guard */
};

enum { POR__MINTS, POR__REDEEMS, POR__BRIDGES, POR__NPROCESSES };

#define POR__NO_TRANSFER UINT32_MAX

static const char *const por__mint_names[POR_MINT_NRESULTS] = {
    "accepted", "no_answer", "bad_answer", "future_answer", "stale", "exceeds_reserve", "overflow",
};

const char *por_mint_result_name(por_mint_result r)
{
    return (unsigned)r < POR_MINT_NRESULTS ? por__mint_names[r] : "?";
}

bool por_secure_mint_mintable(const por_secure_mint_config *cfg, por_amount reserve,
                              por_amount *out)
{
    /* SecureMintPolicy.sol totalMintableSupply: reserves * (BASIS_POINTS -/+ margin) /
     * BASIS_POINTS; k below is that factor in ppb (1 bp = 100,000 ppb), the same floor */
    int64_t bp = cfg->margin_bp;
    por_amount a = cfg->margin_amount;
    switch (cfg->margin_mode) {
    case POR_MARGIN_NONE:
        *out = reserve;
        return true;
    case POR_MARGIN_POSITIVE_PERCENT:
        if (bp < 0 || bp > POR_BASIS_POINTS || reserve < 0)
            return false;
        return por_amount_mul_ppb_floor(reserve, (POR_BASIS_POINTS - bp) * 100000, out);
    case POR_MARGIN_NEGATIVE_PERCENT:
        if (bp < 0 || bp > POR_BASIS_POINTS || reserve < 0)
            return false;
        return por_amount_mul_ppb_floor(reserve, (POR_BASIS_POINTS + bp) * 100000, out);
    case POR_MARGIN_POSITIVE_ABSOLUTE:
        if (a < 0)
            return false;
        *out = reserve < a ? 0 : reserve - a;
        return true;
    case POR_MARGIN_NEGATIVE_ABSOLUTE:
        if (a < 0)
            return false;
        return por_amount_add(reserve, a, out);
    }
    return false;
}

por_mint_result por_secure_mint_check(const por_secure_mint_config *cfg, const por_round_data *rd,
                                      uint32_t feed_decimals, uint32_t token_decimals,
                                      por_amount total_supply, por_amount amount, por_time_t now,
                                      por_amount *mintable)
{
    por_amount after, reserve, limit;
    if (!cfg->enabled)
        return por_amount_add(total_supply, amount, &after) ? POR_MINT_ACCEPTED : POR_MINT_OVERFLOW;
    if (rd->round_id == 0)
        return POR_MINT_NO_ANSWER;
    if (rd->answer <= 0)
        return POR_MINT_BAD_ANSWER;
    if (rd->updated_at > now)
        return POR_MINT_FUTURE_ANSWER;
    if (cfg->max_staleness > 0 && now - rd->updated_at > cfg->max_staleness)
        return POR_MINT_STALE;
    if (!por_amount_rescale(rd->answer, feed_decimals, token_decimals, &reserve) ||
        !por_secure_mint_mintable(cfg, reserve, &limit) ||
        !por_amount_add(total_supply, amount, &after))
        return POR_MINT_OVERFLOW;
    if (mintable)
        *mintable = limit;
    return after > limit ? POR_MINT_EXCEEDS_RESERVE : POR_MINT_ACCEPTED;
}

typedef struct {
    por_supply_listener fn;
    void *ctx;
} por__supply_listener_slot;

/* The random streams of one request process. */
typedef struct {
    gsl_rng *arrivals, *amounts, *chains;
    por_sampler amount; /* the process's amount distribution */
} por__process_rng;

/* A bridge transfer in flight (or, when free, a link in the free list). */
typedef struct {
    por_amount amount;
    uint32_t from, to;  /* chain slots */
    uint32_t next_free; /* POR__NO_TRANSFER: end of the free list */
} por__transfer;

struct por_token {
    const por_token_config *cfg;
    uint32_t entity;
    por_feed_reader feed;
    por_amount *supply; /* per chain slot */
    por_amount total;
    por__process_rng rng[POR__NPROCESSES];
    uint32_t *sched_slot[2]; /* chain slot of each scheduled mint / redeem */
    int32_t *sched_bridge[2]; /* source / destination slot of each scheduled transfer
                                 (-1: drawn) */
    int32_t bridge_from, bridge_to; /* slots of random transfers (-1: drawn) */
    gsl_rng *bridge_delays;
    por_sampler bridge_delay; /* cfg->bridge_delay_dist's table */
    por_amount in_flight;
    por__transfer *transfers; /* in flight, and free entries */
    size_t ntransfers;
    uint32_t free_transfer;
    const por_attack_config **minters;
    size_t nminters;
    por_time_t horizon;
    por__supply_listener_slot *listeners;
    size_t nlisteners;
    por_token_stats stats;
    por_token_fault fault; /* testing aid only (por_token_set_fault) */
    /* refresh-then-mint: the issuer's requestNewRound and the mints held for it */
    por_round_requester requester;
    bool request_open;            /* a request was sent and no newer answer nor timeout yet */
    uint64_t request_serial;      /* identifies the open request's events */
    uint64_t round_at_request;    /* the latest round id when the request was sent */
    por_time_t last_request_at;   /* when the last request was sent (valid if serial > 0) */
    struct {
        uint32_t slot;
        por_amount amount;
    } *held;
    size_t nheld, capheld;
    por_chain *const *chains; /* by chain index: requests are transactions (or NULL) */
    struct por__request_tx *executing; /* the request transaction being executed */
};

static const por_request_process *por__process(const por_token *t, int which)
{
    return which == POR__BRIDGES ? &t->cfg->bridges : which ? &t->cfg->redeems : &t->cfg->mints;
}

static por_window por__process_window(const por_request_process *p)
{
    por_window w = p->window;
    if (w.from == 0 && w.until == 0)
        w.until = POR_TIME_MAX;
    return w;
}

static void por__record(por_token *t, const por_supply_event *ev);

static void por__notify(por_token *t, por_sim *sim, const por_supply_event *ev)
{
    por__record(t, ev);
    for (size_t i = 0; i < t->nlisteners; i++)
        t->listeners[i].fn(t->listeners[i].ctx, sim, ev);
}

void por_token_set_fault(por_token *t, por_token_fault fault) { t->fault = fault; }

por_mint_result por_token_mint(por_token *t, por_sim *sim, uint32_t slot, por_amount amount,
                               bool by_attacker)
{
    POR_ASSERT(slot < t->cfg->nchains);
    por_supply_event ev = {0};
    ev.by_attacker = by_attacker;
    ev.chain_slot = slot;
    ev.amount = amount;
    ev.supply_before = t->total;
    ev.supply_after = t->total;
    const por_secure_mint_config *sm = &t->cfg->secure_mint;
    if (sm->enabled) {
        t->feed.latest(t->feed.ctx, &ev.feed);
        ev.guarded = true;
    }
    por_amount chain_after, total_after, minted_after;
    por_amount seen = por_token_guard_supply(t, slot);
    ev.guard_supply_after = seen;
    por_mint_result r;
    if (amount <= 0)
        r = POR_MINT_OVERFLOW; /* a non-positive mint is refused with the arithmetic ones
                                  (never drawn: request amounts are >= 1) */
    else
        r = por_secure_mint_check(sm, &ev.feed, t->feed.decimals, t->cfg->decimals, seen,
                                  amount, por_sim_now(sim), &ev.mintable);
    if (t->fault == POR_TOKEN_FAULT_SKIP_GUARD && amount > 0)
        r = POR_MINT_ACCEPTED; /* testing aid: the guard's verdict is ignored */
    ev.mintable_known = sm->enabled && (r == POR_MINT_ACCEPTED || r == POR_MINT_EXCEEDS_RESERVE);
    if (r == POR_MINT_ACCEPTED && (!por_amount_add(t->supply[slot], amount, &chain_after) ||
                                   !por_amount_add(t->total, amount, &total_after) ||
                                   !por_amount_add(t->stats.minted, amount, &minted_after)))
        r = POR_MINT_OVERFLOW;
    t->stats.mint_requests++;
    if (r == POR_MINT_ACCEPTED) {
        t->supply[slot] = chain_after;
        t->total = total_after;
        ev.guard_supply_after = por_token_guard_supply(t, slot);
        t->stats.minted = minted_after;
        t->stats.mints_accepted++;
        t->stats.attacker_mints_accepted += by_attacker;
    } else {
        t->stats.mints_refused[r]++;
    }
    ev.result = r;
    ev.supply_after = t->total;
    ev.backed = r == POR_MINT_ACCEPTED && !by_attacker && t->cfg->mints.backed;
    ev.in_flight = t->in_flight;
    por__notify(t, sim, &ev);
    return r;
}

por_amount por_token_redeem(por_token *t, por_sim *sim, uint32_t slot, por_amount amount)
{
    POR_ASSERT(slot < t->cfg->nchains);
    por_amount burn = amount < 0 ? 0 : amount > t->supply[slot] ? t->supply[slot] : amount;
    por_supply_event ev = {0};
    ev.redeem = true;
    ev.chain_slot = slot;
    ev.amount = burn;
    ev.result = POR_MINT_ACCEPTED;
    ev.supply_before = t->total;
    t->supply[slot] -= burn;
    t->total -= burn;
    ev.supply_after = t->total;
    ev.backed = t->cfg->redeems.backed && burn > 0;
    ev.in_flight = t->in_flight;
    t->stats.redeems++;
    por_amount redeemed;
    t->stats.redeemed = por_amount_add(t->stats.redeemed, burn, &redeemed) ? redeemed : POR_AMOUNT_MAX;
    por__notify(t, sim, &ev);
    return burn;
}

/* ---- mints and redemptions as transactions ------------------------------------------
 * A request becomes a transaction on its slot's chain, bid by the chain's estimator (a
 * user's wallet: no bumps, no nonce ordering between users); its execute runs the mint
 * (the Secure Mint guard reads the feed and the supply as they are at that point of the
 * including block) or the redemption, and its undo takes the change back when a reorg
 * removes the block. */
typedef struct por__request_tx {
    por_tx base;
    por_token *t;
    uint32_t slot;
    por_amount amount;
    bool redeem, by_attacker;
    bool applied;           /* executed and not undone */
    por_mint_result result; /* of the mint */
    por_amount burned;      /* of the redemption */
    bool backed;
    por_time_t applied_at;
    por_amount supply_before, in_flight;
} por__request_tx;

static void por__request_execute(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block)
{
    (void)block;
    por__request_tx *r = (por__request_tx *)tx;
    r->t->executing = r;
    r->applied_at = block_time;
    if (r->redeem)
        r->burned = por_token_redeem(r->t, sim, r->slot, r->amount);
    else
        r->result = por_token_mint(r->t, sim, r->slot, r->amount, r->by_attacker);
    r->t->executing = NULL;
    r->applied = true;
    r->t->stats.request_gas += tx->gas_used;
}

static void por__request_undo(por_tx *tx, por_sim *sim)
{
    por__request_tx *r = (por__request_tx *)tx;
    por_token *t = r->t;
    POR_ASSERT(r->applied);
    r->applied = false;
    t->stats.request_gas -= tx->gas_used;
    por_supply_event ev = {0};
    ev.undone = true;
    ev.applied_at = r->applied_at;
    ev.redeem = r->redeem;
    ev.by_attacker = r->by_attacker;
    ev.chain_slot = r->slot;
    ev.backed = r->backed;
    ev.supply_before = r->supply_before;
    if (r->redeem) {
        ev.amount = r->burned;
        ev.result = POR_MINT_ACCEPTED;
        t->supply[r->slot] += r->burned;
        t->total += r->burned;
        t->stats.redeems--;
        t->stats.redeemed -= r->burned;
    } else {
        ev.amount = r->amount;
        ev.result = r->result;
        t->stats.mint_requests--;
        if (r->result == POR_MINT_ACCEPTED) {
            t->supply[r->slot] -= r->amount;
            t->total -= r->amount;
            t->stats.minted -= r->amount;
            t->stats.mints_accepted--;
            t->stats.attacker_mints_accepted -= r->by_attacker;
        } else {
            t->stats.mints_refused[r->result]--;
        }
    }
    ev.supply_after = t->total;
    ev.in_flight = t->in_flight;
    por__notify(t, sim, &ev);
}

static void por__request_free(por_tx *tx) { free(tx); }

void por_token_set_chains(por_token *t, por_chain *const *chains) { t->chains = chains; }

por_tx *por_token_submit(por_token *t, por_sim *sim, uint32_t slot, por_amount amount, bool redeem,
                         bool by_attacker)
{
    POR_ASSERT(t->chains != NULL && slot < t->cfg->nchains);
    por_chain *ch = t->chains[t->cfg->chains[slot]];
    por__request_tx *r = por_xcalloc(1, sizeof *r);
    r->t = t;
    r->slot = slot;
    r->amount = amount;
    r->redeem = redeem;
    r->by_attacker = by_attacker;
    r->base.sender = UINT32_MAX - 2; /* a user, not an oracle key (no nonce order) */
    r->base.gas = redeem ? POR_REDEEM_GAS : POR_MINT_GAS;
    const por_chain_config *cc = por_chain_config_of(ch);
    por_txm_estimate(ch, &cc->txm, 1.0, cc->txm.price_max_wei, &r->base.max_fee_wei, &r->base.tip_wei);
    r->base.execute = por__request_execute;
    r->base.undo = por__request_undo;
    r->base.destroy = por__request_free;
    por_chain_submit(ch, sim, &r->base);
    return &r->base;
}

/* A request now: a transaction when the token has its chains, else applied at once. */
static void por__request(por_token *t, por_sim *sim, uint32_t slot, por_amount amount, bool redeem,
                         bool by_attacker)
{
    if (t->chains)
        por_token_submit(t, sim, slot, amount, redeem, by_attacker);
    else if (redeem)
        por_token_redeem(t, sim, slot, amount);
    else
        por_token_mint(t, sim, slot, amount, by_attacker);
}

/* Remembers, on the request transaction being executed, what its event reported, so
 * that its undo tells the same story backwards. */
static void por__record(por_token *t, const por_supply_event *ev)
{
    por__request_tx *r = t->executing;
    if (!r || ev->undone || ev->bridge)
        return;
    r->backed = ev->backed;
    r->supply_before = ev->supply_before;
    r->in_flight = ev->in_flight;
}

/* The delay of a transfer sent now: a draw from bridge_delay_dist (a constant draws
 * nothing from the stream); at most POR_SAMPLE_MAX_DURATION so that now + delay never
 * overflows. */
static por_time_t por__bridge_delay(por_token *t)
{
    por_time_t d = por_sample_duration(&t->bridge_delay, t->bridge_delays);
    return d < 0 ? 0 : d > POR_SAMPLE_MAX_DURATION ? POR_SAMPLE_MAX_DURATION : d;
}

bool por_token_bridge(por_token *t, por_sim *sim, uint32_t from, uint32_t to, por_amount amount)
{
    POR_ASSERT(from < t->cfg->nchains && to < t->cfg->nchains && from != to);
    por_supply_event ev = {0};
    ev.redeem = true;
    ev.bridge = true;
    ev.chain_slot = from;
    ev.other_slot = to;
    ev.amount = amount;
    ev.result = POR_MINT_ACCEPTED;
    ev.supply_before = t->total;
    t->stats.bridge_requests++;
    por_amount flight;
    if (amount <= 0 || amount > t->supply[from] || !por_amount_add(t->in_flight, amount, &flight)) {
        t->stats.bridge_refused++;
        ev.bridge_refused = true;
        ev.supply_after = t->total;
        ev.in_flight = t->in_flight;
        por__notify(t, sim, &ev);
        return false;
    }
    t->supply[from] -= amount;
    t->total -= amount;
    t->in_flight = flight;
    if (flight > t->stats.max_in_flight)
        t->stats.max_in_flight = flight;
    t->stats.bridge_transfers++;
    por_amount bridged;
    t->stats.bridged = por_amount_add(t->stats.bridged, amount, &bridged) ? bridged : POR_AMOUNT_MAX;
    uint32_t k = t->free_transfer;
    if (k != POR__NO_TRANSFER) {
        t->free_transfer = t->transfers[k].next_free;
    } else {
        POR_ASSERT(t->ntransfers < UINT32_MAX);
        t->transfers = por_xrealloc(t->transfers, (t->ntransfers + 1) * sizeof *t->transfers);
        k = (uint32_t)t->ntransfers++;
    }
    t->transfers[k] = (por__transfer){amount, from, to, POR__NO_TRANSFER};
    por_sim_schedule(sim, por_sim_now(sim) + por__bridge_delay(t), 0, t->entity, POR__EV_RELEASE, 0, k,
                     NULL);
    ev.supply_after = t->total;
    ev.in_flight = t->in_flight;
    por__notify(t, sim, &ev);
    return true;
}

/* Transfer K arrives: its amount leaves the flight and joins its destination's supply
 * (no Secure Mint check: the tokens were issued before). */
static void por__bridge_release(por_token *t, por_sim *sim, uint32_t k)
{
    POR_ASSERT(k < t->ntransfers);
    por__transfer tr = t->transfers[k];
    t->transfers[k].next_free = t->free_transfer;
    t->free_transfer = k;
    por_supply_event ev = {0};
    ev.bridge = true;
    ev.chain_slot = tr.to;
    ev.other_slot = tr.from;
    ev.amount = tr.amount;
    ev.result = POR_MINT_ACCEPTED;
    ev.supply_before = t->total;
    /* Cannot overflow in practice (the amount was on a chain before); saturate if the
     * flight's other mints pushed the total to the 128-bit limit meanwhile. */
    por_amount v;
    t->supply[tr.to] = por_amount_add(t->supply[tr.to], tr.amount, &v) ? v : POR_AMOUNT_MAX;
    t->total = por_amount_add(t->total, tr.amount, &v) ? v : POR_AMOUNT_MAX;
    t->in_flight -= tr.amount;
    t->stats.bridge_releases++;
    ev.supply_after = t->total;
    ev.in_flight = t->in_flight;
    por__notify(t, sim, &ev);
}

/* The (source, destination) slots of a transfer from FROM to TO, each -1 when drawn:
 * a drawn end is uniform among the token's chains other than the fixed end (both drawn:
 * a uniform ordered pair of distinct chains). */
static void por__bridge_pair(por_token *t, int32_t from, int32_t to, uint32_t *src, uint32_t *dst)
{
    gsl_rng *r = t->rng[POR__BRIDGES].chains;
    uint32_t n = (uint32_t)t->cfg->nchains;
    uint32_t a = from >= 0 ? (uint32_t)from : 0, b = to >= 0 ? (uint32_t)to : 0;
    if (from < 0 && to < 0) {
        a = (uint32_t)por_rng_below(r, n);
        b = (uint32_t)por_rng_below(r, n - 1);
        b += b >= a;
    } else if (from < 0) {
        a = (uint32_t)por_rng_below(r, n - 1);
        a += a >= b;
    } else if (to < 0) {
        b = (uint32_t)por_rng_below(r, n - 1);
        b += b >= a;
    }
    *src = a;
    *dst = b;
}

/* ---- refresh-then-mint ----------------------------------------------------------------
 * OffchainAggregator.sol requestNewRound + libocr shouldReport's unfulfilledRequest: an
 * issuer whose mint the reported reserve does not cover (the guard, evaluated off chain
 * against the latest answer, would say exceeds_reserve) asks the DON for a fresh report
 * and holds the mint; the first answer newer than the one it read releases every held
 * mint to the guard, in arrival order, and so does the timeout. One request is open at
 * a time: mints arriving uncovered meanwhile wait for the same answer. A released mint
 * is not held again. Attacker mints never refresh. */

void por_token_set_round_requester(por_token *t, por_round_requester r) { t->requester = r; }

/* Whether a mint of AMOUNT on SLOT waits for a refresh. */
static bool por__needs_refresh(por_token *t, por_sim *sim, uint32_t slot, por_amount amount)
{
    const por_token_config *cfg = t->cfg;
    if (!cfg->refresh.enabled || !cfg->secure_mint.enabled || !t->requester.request || amount <= 0)
        return false;
    if (!t->request_open && t->request_serial > 0 &&
        por_sim_now(sim) - t->last_request_at < cfg->refresh.min_interval)
        return false; /* refreshed recently: the issuer does not ask again yet */
    por_round_data rd;
    t->feed.latest(t->feed.ctx, &rd);
    return por_secure_mint_check(&cfg->secure_mint, &rd, t->feed.decimals, cfg->decimals,
                                 por_token_guard_supply(t, slot), amount, por_sim_now(sim),
                                 NULL) == POR_MINT_EXCEEDS_RESERVE;
}

/* A mint request of the issuer's processes: held for a refresh, or to the guard now. */
static void por__request_mint(por_token *t, por_sim *sim, uint32_t slot, por_amount amount)
{
    if (!por__needs_refresh(t, sim, slot, amount)) {
        por__request(t, sim, slot, amount, false, false);
        return;
    }
    if (t->nheld == t->capheld) {
        t->capheld = t->capheld ? 2 * t->capheld : 8;
        t->held = por_xrealloc(t->held, t->capheld * sizeof *t->held);
    }
    t->held[t->nheld].slot = slot;
    t->held[t->nheld].amount = amount;
    t->nheld++;
    t->stats.mints_held++;
    if (t->request_open)
        return;
    por_round_data rd;
    t->feed.latest(t->feed.ctx, &rd);
    t->request_open = true;
    t->request_serial++;
    t->round_at_request = rd.round_id;
    t->last_request_at = por_sim_now(sim);
    t->stats.round_requests++;
    t->requester.request(t->requester.ctx, sim, t->nheld);
    por_time_t to = t->cfg->refresh.timeout;
    if (to > 0 && to <= POR_TIME_MAX - por_sim_now(sim))
        por_sim_schedule(sim, por_sim_now(sim) + to, 0, t->entity, POR__EV_REFRESHED,
                         t->request_serial, 0, NULL);
}

void por_token_on_answer(void *ctx, por_sim *sim, const por_round_data *rd)
{
    por_token *t = ctx;
    if (!t->request_open || rd->round_id <= t->round_at_request)
        return;
    /* release in an event of its own, after the answer's other listeners */
    por_sim_schedule(sim, por_sim_now(sim), 0, t->entity, POR__EV_REFRESHED, t->request_serial, 1,
                     NULL);
}

void por_token_round_request_done(void *ctx, por_sim *sim, bool mined, bool accepted, uint64_t gas)
{
    por_token *t = ctx;
    if (!mined)
        t->stats.round_requests_dropped++;
    t->stats.round_request_gas += gas;
    if (mined && !accepted)
        t->stats.round_requests_reverted++;
    /* a reverted or dropped request brings no answer: the issuer, seeing the receipt,
     * sends the held mints to the guard now (the open request is taken to be this one:
     * a request released by its timeout whose receipt comes after a newer request
     * opened would release the newer one early) */
    if ((!mined || !accepted) && t->request_open)
        por_sim_schedule(sim, por_sim_now(sim), 0, t->entity, POR__EV_REFRESHED, t->request_serial, 0,
                         NULL);
}

static void por__release_held(por_token *t, por_sim *sim, uint64_t serial, bool by_answer)
{
    if (!t->request_open || serial != t->request_serial)
        return; /* already released (the answer and the timeout both fire) */
    t->request_open = false;
    size_t n = t->nheld;
    t->nheld = 0;
    if (by_answer)
        t->stats.refreshes_answered++;
    if (t->requester.released)
        t->requester.released(t->requester.ctx, sim, n, by_answer);
    for (size_t i = 0; i < n; i++)
        por__request(t, sim, t->held[i].slot, t->held[i].amount, false, false);
}

/* One random request of process WHICH: its amount and chain(s) drawn now. */
static void por__random_request(por_token *t, por_sim *sim, int which)
{
    por_amount amount = por_sample_amount(&t->rng[which].amount, t->rng[which].amounts);
    if (which == POR__BRIDGES) {
        uint32_t from, to;
        por__bridge_pair(t, t->bridge_from, t->bridge_to, &from, &to);
        por_token_bridge(t, sim, from, to, amount);
        return;
    }
    uint32_t slot = (uint32_t)por_rng_below(t->rng[which].chains, t->cfg->nchains);
    if (which)
        por__request(t, sim, slot, amount, true, false);
    else
        por__request_mint(t, sim, slot, amount);
}

/* Schedules the next Poisson arrival (of a request or of a burst) after FROM. */
static void por__schedule_arrival(por_token *t, por_sim *sim, int which, por_time_t from)
{
    const por_request_process *p = por__process(t, which);
    double per_day = p->per_day;
    if (p->kind == POR_PROCESS_BURST)
        per_day /= p->burst_size ? (double)p->burst_size : 1.0;
    if (!(per_day > 0))
        return;
    double mean_ns = (double)POR_DAY / per_day;
    double gap = gsl_ran_exponential(t->rng[which].arrivals, mean_ns);
    por_window w = por__process_window(p);
    if (!(gap < (double)(w.until - from)))
        return; /* the next arrival would fall outside the window */
    por_time_t at = from + (por_time_t)gap;
    if (at >= w.until)
        return;
    por_sim_schedule(sim, at, 0, t->entity, POR__EV_ARRIVAL, (uint64_t)which, 0, NULL);
}

static void por__token_init(por_sim *sim, void *self)
{
    por_token *t = self;
    for (int which = 0; which < POR__NPROCESSES; which++) {
        const por_request_process *p = por__process(t, which);
        if (p->kind == POR_PROCESS_POISSON || p->kind == POR_PROCESS_BURST) {
            por_window w = por__process_window(p);
            por__schedule_arrival(t, sim, which, w.from < 0 ? 0 : w.from);
        } else if (p->kind == POR_PROCESS_SCHEDULED) {
            for (size_t i = 0; i < p->nscheduled; i++) {
                por_time_t at = p->scheduled[i].at < 0 ? 0 : p->scheduled[i].at;
                por_sim_schedule(sim, at, 0, t->entity, POR__EV_SCHEDULED, (uint64_t)which, i,
                                 NULL);
            }
        }
    }
    for (size_t i = 0; i < t->nminters; i++) {
        const por_attack_config *a = t->minters[i];
        por_time_t from = a->window.from < 0 ? 0 : a->window.from;
        por_time_t end = a->window.until < t->horizon ? a->window.until : t->horizon;
        if (end < from)
            end = from;
        for (uint32_t k = 0; k < a->mint_attempts; k++) {
            __extension__ __int128 off = (__int128)(end - from) * k / a->mint_attempts;
            por_sim_schedule(sim, from + (por_time_t)off, 0, t->entity, POR__EV_ATTACK, i, k,
                             NULL);
        }
    }
}

static void por__token_handle(por_sim *sim, void *self, por_event *ev)
{
    por_token *t = self;
    switch (ev->type) {
    case POR__EV_ARRIVAL: {
        int which = (int)ev->a;
        const por_request_process *p = por__process(t, which);
        uint32_t n = p->kind == POR_PROCESS_BURST && p->burst_size ? p->burst_size : 1;
        for (uint32_t i = 0; i < n; i++)
            por__random_request(t, sim, which);
        por__schedule_arrival(t, sim, which, por_sim_now(sim));
        break;
    }
    case POR__EV_SCHEDULED: {
        int which = (int)ev->a;
        const por_scheduled_request *rq = &por__process(t, which)->scheduled[ev->b];
        if (which == POR__BRIDGES) {
            uint32_t from, to;
            por__bridge_pair(t, t->sched_bridge[0][ev->b], t->sched_bridge[1][ev->b], &from, &to);
            por_token_bridge(t, sim, from, to, rq->amount);
            break;
        }
        uint32_t slot = t->sched_slot[which][ev->b];
        if (which)
            por__request(t, sim, slot, rq->amount, true, false);
        else
            por__request_mint(t, sim, slot, rq->amount);
        break;
    }
    case POR__EV_ATTACK:
        por__request(t, sim, 0, t->minters[ev->a]->mint_amount, false, true);
        break;
    case POR__EV_RELEASE:
        por__bridge_release(t, sim, (uint32_t)ev->b);
        break;
    case POR__EV_REFRESHED:
        por__release_held(t, sim, ev->a, ev->b != 0);
        break;
    default:
        POR_ASSERT(!"unknown token event");
    }
}

static const por_entity_kind por__token_kind = {
    "token", por__token_init, por__token_handle, NULL, NULL,
};

/* Maps each scheduled request of process WHICH to a chain slot; false if one names a
 * chain the token is not on. */
static bool por__map_schedule(por_token *t, int which, por_error *err)
{
    const por_request_process *p = por__process(t, which);
    if (p->kind != POR_PROCESS_SCHEDULED || p->nscheduled == 0)
        return true;
    t->sched_slot[which] = por_xcalloc(p->nscheduled, sizeof *t->sched_slot[which]);
    for (size_t i = 0; i < p->nscheduled; i++) {
        int32_t chain = p->scheduled[i].chain;
        if (chain < 0)
            continue; /* slot 0: the token's first chain */
        size_t s = 0;
        while (s < t->cfg->nchains && t->cfg->chains[s] != (uint32_t)chain)
            s++;
        if (s == t->cfg->nchains) {
            por_error_set(err, POR_EINPUT, "token: scheduled %s %zu names chain %d, not one of the token's",
                          which ? "redeem" : "mint", i, (int)chain);
            return false;
        }
        t->sched_slot[which][i] = (uint32_t)s;
    }
    return true;
}

/* The slot of chain index CHAIN (-1 stays -1: drawn); false when the token is not on it. */
static bool por__bridge_slot(const por_token *t, int32_t chain, int32_t *slot)
{
    *slot = -1;
    if (chain < 0)
        return true;
    for (size_t s = 0; s < t->cfg->nchains; s++)
        if (t->cfg->chains[s] == (uint32_t)chain)
            *slot = (int32_t)s;
    return *slot >= 0;
}

/* Maps the bridge process's chains and its schedule to slots; false (ERR filled) when
 * there are fewer than two chains, a chain the token is not on, or a transfer whose
 * source and destination are the same chain. */
static bool por__map_bridges(por_token *t, por_error *err)
{
    const por_request_process *p = &t->cfg->bridges;
    t->bridge_from = t->bridge_to = -1;
    if (p->kind == POR_PROCESS_NONE)
        return true;
    if (t->cfg->nchains < 2) {
        por_error_set(err, POR_EINPUT, "token: bridges need at least two chains, the token is on %zu",
                      t->cfg->nchains);
        return false;
    }
    if (!por__bridge_slot(t, t->cfg->bridge_from, &t->bridge_from) ||
        !por__bridge_slot(t, t->cfg->bridge_to, &t->bridge_to) ||
        (t->bridge_from >= 0 && t->bridge_from == t->bridge_to)) {
        por_error_set(err, POR_EINPUT, "token: bridges from chain %d to chain %d: not two of the token's chains",
                      (int)t->cfg->bridge_from, (int)t->cfg->bridge_to);
        return false;
    }
    if (p->kind != POR_PROCESS_SCHEDULED || p->nscheduled == 0)
        return true;
    for (int e = 0; e < 2; e++)
        t->sched_bridge[e] = por_xcalloc(p->nscheduled, sizeof *t->sched_bridge[e]);
    for (size_t i = 0; i < p->nscheduled; i++) {
        const por_scheduled_request *rq = &p->scheduled[i];
        if (!por__bridge_slot(t, rq->chain, &t->sched_bridge[0][i]) ||
            !por__bridge_slot(t, rq->to_chain, &t->sched_bridge[1][i]) ||
            (t->sched_bridge[0][i] >= 0 && t->sched_bridge[0][i] == t->sched_bridge[1][i])) {
            por_error_set(err, POR_EINPUT,
                          "token: scheduled transfer %zu from chain %d to chain %d: not two of the token's chains",
                          i, (int)rq->chain, (int)rq->to_chain);
            return false;
        }
    }
    return true;
}

por_token *por_token_create(const por_token_config *cfg, por_sim *sim, por_feed_reader feed,
                            const por_attack_config *attackers, size_t nattackers,
                            por_time_t horizon, por_error *err)
{
    if (cfg->nchains == 0) {
        por_error_set(err, POR_EINPUT, "token: lives on no chain");
        return NULL;
    }
    if (cfg->decimals > POR_MAX_DECIMALS || feed.decimals > POR_MAX_DECIMALS) {
        por_error_set(err, POR_EINPUT, "token: decimals above %d", POR_MAX_DECIMALS);
        return NULL;
    }
    por_token *t = por_xcalloc(1, sizeof *t);
    t->cfg = cfg;
    t->feed = feed;
    t->horizon = horizon;
    t->supply = por_xcalloc(cfg->nchains, sizeof *t->supply);
    t->free_transfer = POR__NO_TRANSFER;
    for (size_t i = 0; i < cfg->nchains && cfg->initial_supply; i++) {
        if (cfg->initial_supply[i] < 0 || !por_amount_add(t->total, cfg->initial_supply[i], &t->total)) {
            por_error_set(err, POR_EINPUT, "token: initial supply on chain %zu negative or too large", i);
            por_token_destroy(t);
            return NULL;
        }
        t->supply[i] = cfg->initial_supply[i];
    }
    if (!por__map_schedule(t, 0, err) || !por__map_schedule(t, 1, err) || !por__map_bridges(t, err)) {
        por_token_destroy(t);
        return NULL;
    }
    static const char *const purposes[POR__NPROCESSES][3] = {
        {"mint-arrivals", "mint-amounts", "mint-chains"},
        {"redeem-arrivals", "redeem-amounts", "redeem-chains"},
        {"bridge-arrivals", "bridge-amounts", "bridge-chains"},
    };
    uint64_t seed = por_sim_seed(sim), rep = por_sim_replication(sim);
    t->bridge_delays = por_rng_new(seed, rep, por_stream_id("token", 0, "bridge-delays"));
    por_sampler_init_duration(&t->bridge_delay, &cfg->bridge_delay_dist);
    for (int w = 0; w < POR__NPROCESSES; w++) {
        t->rng[w].arrivals = por_rng_new(seed, rep, por_stream_id("token", 0, purposes[w][0]));
        t->rng[w].amounts = por_rng_new(seed, rep, por_stream_id("token", 0, purposes[w][1]));
        t->rng[w].chains = por_rng_new(seed, rep, por_stream_id("token", 0, purposes[w][2]));
        por_sampler_init_amount(&t->rng[w].amount, &por__process(t, w)->amount);
    }
    for (size_t i = 0; i < nattackers; i++)
        if (attackers[i].kind == POR_ATTACK_MINTER)
            t->nminters++;
    if (t->nminters) {
        t->minters = por_xcalloc(t->nminters, sizeof *t->minters);
        size_t k = 0;
        for (size_t i = 0; i < nattackers; i++)
            if (attackers[i].kind == POR_ATTACK_MINTER)
                t->minters[k++] = &attackers[i];
    }
    t->entity = por_sim_add_entity(sim, &por__token_kind, t);
    return t;
}

void por_token_destroy(por_token *t)
{
    if (!t)
        return;
    for (int w = 0; w < POR__NPROCESSES; w++)
        if (t->rng[w].arrivals) {
            gsl_rng_free(t->rng[w].arrivals);
            gsl_rng_free(t->rng[w].amounts);
            gsl_rng_free(t->rng[w].chains);
            por_sampler_free(&t->rng[w].amount);
        }
    for (int w = 0; w < 2; w++) {
        free(t->sched_slot[w]);
        free(t->sched_bridge[w]);
    }
    if (t->bridge_delays)
        gsl_rng_free(t->bridge_delays);
    por_sampler_free(&t->bridge_delay);
    free(t->transfers);
    free(t->held);
    free(t->supply);
    free(t->minters);
    free(t->listeners);
    free(t);
}

void por_token_add_listener(por_token *t, por_supply_listener fn, void *ctx)
{
    t->listeners = por_xrealloc(t->listeners, (t->nlisteners + 1) * sizeof *t->listeners);
    t->listeners[t->nlisteners].fn = fn;
    t->listeners[t->nlisteners].ctx = ctx;
    t->nlisteners++;
}

por_amount por_token_supply(const por_token *t, uint32_t slot)
{
    POR_ASSERT(slot < t->cfg->nchains);
    return t->supply[slot];
}

por_amount por_token_total_supply(const por_token *t) { return t->total; }

por_amount por_token_guard_supply(const por_token *t, uint32_t slot)
{
    POR_ASSERT(slot < t->cfg->nchains);
    return t->cfg->secure_mint.supply == POR_SUPPLY_GLOBAL ? t->total : t->supply[slot];
}
por_amount por_token_in_flight(const por_token *t) { return t->in_flight; }

por_amount por_token_outstanding(const por_token *t)
{
    por_amount v;
    return por_amount_add(t->total, t->in_flight, &v) ? v : POR_AMOUNT_MAX;
}
uint32_t por_token_decimals(const por_token *t) { return t->cfg->decimals; }
uint32_t por_token_nchains(const por_token *t) { return (uint32_t)t->cfg->nchains; }
void por_token_get_stats(const por_token *t, por_token_stats *out) { *out = t->stats; }
