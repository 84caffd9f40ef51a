/* A custodian entity: exact true reserve over time (steps and drift), a pruned history
 * of it for lagged attestations, and the read API oracle nodes call (see
 * por/custodian.h for the model). */
#include "por/custodian.h"

#include "por/chain.h"
#include "por/ratio.h"
#include "por/rng.h"
#include "por/sample.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    POR__EV_STEP = 1,
    POR__EV_DRIFT = 2,
    POR__EV_FRAUD_SNAPSHOT = 3,
    POR__EV_CHANGE = 4,
    POR__EV_CLAIM = 5, /* a double-counting claim starts or ends: the backing changes */
};

/* The true reserve from instant T on (until the next entry). */
typedef struct {
    por_time_t t;
    por_amount v;
} por__reserve_point;

typedef struct {
    por_reserve_listener fn;
    void *ctx;
} por__reserve_listener_slot;

struct por_custodian {
    const por_custodian_config *cfg;
    uint32_t index, entity;
    por_amount reserve;
    por_amount backing;   /* reserve less the double-counted claims in force (truth) */
    bool dresses, claims; /* some fraud dresses the window / double counts */
    /* history[head..len) is what can still be asked for; entries before head are dead */
    por__reserve_point *hist;
    size_t hlen, hcap, hhead;
    gsl_rng *drift_rng;
    por_sampler api_latency; /* cfg->api_latency's table */
    uint64_t drift_ticks;
    por_amount linear_applied; /* cumulative linear growth added so far */
    por__reserve_listener_slot *listeners;
    size_t nlisteners;
    /* fraud attacks naming this custodian, and the figure frozen at each window start */
    const por_attack_config **frauds;
    por_amount *fraud_snapshot;
    size_t nfrauds;
    /* times of the last served reads (ring of rate_limit_per_min entries) */
    por_time_t *served;
    uint32_t served_head, served_count;
    por_custodian_stats stats;
    por_time_t phase;               /* refreshes at phase + k * attest_every */
    /* An API read's snapshot instant and the reserve then, for reads whose refresh grid
     * cell (por__grid_at) starts at memo_cell: por_custodian_refreshed_at depends on now
     * only through that cell, and the reserve at an instant only on the history, so the
     * pair holds until the cell ends or the history changes (por__history_push clears
     * memo_ok). A periodic figure is read by every node in every round (31 reads per
     * 20 s in the year benchmark) and refreshed hourly. */
    bool memo_ok;
    por_time_t memo_cell, memo_snap;
    por_amount memo_published;
    /* an attested API without outages, ripcords, a rate limit or fraud (set at creation):
     * a read is the latency, one failure draw and the attested figure (the year
     * benchmark's custodian) */
    bool plain_api;
    const por_chain *wallet_chain;  /* WALLET: reads see its confirmed state (may be NULL) */
};

static const char *const por__read_names[POR_READ_NRESULTS] = {
    "ok", "failed", "outage", "ripcord", "rate_limited",
};

const char *por_read_status_name(por_read_status s)
{
    return (unsigned)s < POR_READ_NRESULTS ? por__read_names[s] : "?";
}

static bool por__in_window(const por_window *w, por_time_t t)
{
    return t >= w->from && t < w->until;
}

static void por__history_push(por_custodian *c, por_time_t t, por_amount v)
{
    c->memo_ok = false;
    if (c->hlen > c->hhead && c->hist[c->hlen - 1].t == t) {
        c->hist[c->hlen - 1].v = v; /* several changes at one instant: the last counts */
    } else {
        if (c->hlen == c->hcap) {
            c->hcap = c->hcap ? 2 * c->hcap : 16;
            c->hist = por_xrealloc(c->hist, c->hcap * sizeof *c->hist);
        }
        c->hist[c->hlen].t = t;
        c->hist[c->hlen].v = v;
        c->hlen++;
    }
    /* Any later query asks for an instant > t - attest_lag - attest_every: the entry in
     * force at that bound and everything after it must stay. */
    por_time_t keep_from = t - c->cfg->attest_lag - c->cfg->attest_every;
    if (c->cfg->skip_weekends) /* the Friday refresh stays in force over the weekend */
        keep_from -= 2 * POR_DAY;
    /* a wallet read asks for the chain's confirmed time, which only moves forward */
    if (c->wallet_chain && por_chain_confirmed_time(c->wallet_chain) < keep_from)
        keep_from = por_chain_confirmed_time(c->wallet_chain);
    while (c->hhead + 1 < c->hlen && c->hist[c->hhead + 1].t <= keep_from)
        c->hhead++;
    if (c->hhead >= 64 && 2 * c->hhead >= c->hlen) {
        memmove(c->hist, c->hist + c->hhead, (c->hlen - c->hhead) * sizeof *c->hist);
        c->hlen -= c->hhead;
        c->hhead = 0;
    }
}

por_amount por_custodian_true_reserve_at(const por_custodian *c, por_time_t t)
{
    size_t lo = c->hhead, hi = c->hlen; /* find the last entry with time <= t */
    if (t < c->hist[lo].t) {
        POR_ASSERT(lo == 0); /* asking for pruned history is a caller bug */
        return c->hist[0].v;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->hist[mid].t <= t)
            lo = mid;
        else
            hi = mid;
    }
    return c->hist[lo].v;
}

por_amount por_custodian_true_reserve(const por_custodian *c) { return c->reserve; }

/* The latest periodic refresh instant phase + k * every at or before NOW. */
static por_time_t por__grid_at(const por_custodian *c, por_time_t now)
{
    por_time_t every = c->cfg->attest_every;
    por_time_t k = (now - c->phase) / every;
    if (now - c->phase < 0 && (now - c->phase) % every != 0)
        k--; /* floor division: before the first refresh the previous one was at phase - every */
    return c->phase + k * every;
}

bool por_custodian_weekend(const por_custodian_config *cfg, por_time_t t)
{
    por_time_t day = t / POR_DAY - (t < 0 && t % POR_DAY != 0); /* floor */
    int64_t wd = (int64_t)((day % 7 + 7 + (por_time_t)cfg->first_day) % 7);
    return wd >= 5; /* 5 = Saturday, 6 = Sunday */
}

por_time_t por_custodian_refreshed_at(const por_custodian *c, por_time_t now)
{
    if (c->cfg->attest_every <= 0)
        return now;
    por_time_t r = por__grid_at(c, now);
    /* a market closed on weekends publishes no new figure: step back to the last refresh
     * before the weekend's Saturday 00:00 (at most a few steps, even with every > 1 week) */
    while (c->cfg->skip_weekends && por_custodian_weekend(c->cfg, r)) {
        por_time_t day = r / POR_DAY - (r < 0 && r % POR_DAY != 0);
        while (por_custodian_weekend(c->cfg, (day - 1) * POR_DAY))
            day--; /* back to the Saturday */
        r = por__grid_at(c, day * POR_DAY - 1);
    }
    return r;
}

por_amount por_custodian_published(const por_custodian *c, por_time_t now)
{
    if (c->cfg->source == POR_SOURCE_WALLET)
        return c->wallet_chain ? por_custodian_true_reserve_at(c, por_chain_confirmed_time(c->wallet_chain))
                               : c->reserve;
    return por_custodian_true_reserve_at(c, por_custodian_refreshed_at(c, now) - c->cfg->attest_lag);
}

/* What of balance V truly backs this token at NOW: V less the double-counted claims
 * whose window holds NOW (a share truncated toward zero, or an amount), at least 0. */
static por_amount por__backing_of(const por_custodian *c, por_time_t now, por_amount v)
{
    for (size_t i = 0; c->claims && i < c->nfrauds; i++) {
        const por_attack_config *a = c->frauds[i];
        if ((!a->double_ppb && !a->double_amount) || !por__in_window(&a->window, now))
            continue;
        por_amount claim = a->double_amount;
        if (a->double_ppb && !por_amount_mul_ppb(v, a->double_ppb, &claim))
            claim = v;
        v = claim >= v ? 0 : v - claim;
    }
    return v;
}

por_amount por_custodian_backing(const por_custodian *c) { return c->backing; }

/* Recomputes the backing at now and tells the listeners when it moved. */
static void por__update_backing(por_custodian *c, por_sim *sim)
{
    por_amount before = c->backing;
    c->backing = por__backing_of(c, por_sim_now(sim), c->reserve);
    if (c->backing == before)
        return;
    for (size_t i = 0; i < c->nlisteners; i++)
        c->listeners[i].fn(c->listeners[i].ctx, sim, c->index, before, c->backing);
}

/* Sets the true reserve (clamped to >= 0) and tells the listeners (the backing). */
static void por__set_reserve(por_custodian *c, por_sim *sim, por_amount v)
{
    if (v < 0)
        v = 0;
    por_amount before = c->reserve;
    c->stats.changes++;
    if (v == before)
        return;
    c->reserve = v;
    por__history_push(c, por_sim_now(sim), v);
    if (c->claims) {
        por__update_backing(c, sim);
        return;
    }
    c->backing = v;
    for (size_t i = 0; i < c->nlisteners; i++)
        c->listeners[i].fn(c->listeners[i].ctx, sim, c->index, before, v);
}

static void por__apply_step(por_custodian *c, por_sim *sim, const por_reserve_step *s)
{
    por_amount v = c->reserve, d;
    switch (s->kind) {
    case POR_CHANGE_RELATIVE_PPB:
        if (!por_amount_mul_ppb(v, s->ppb, &d) || !por_amount_add(v, d, &v))
            v = POR_AMOUNT_MAX;
        break;
    case POR_CHANGE_ABSOLUTE:
        if (!por_amount_add(v, s->amount, &v))
            v = s->amount > 0 ? POR_AMOUNT_MAX : 0;
        break;
    case POR_CHANGE_SET:
        v = s->amount;
        break;
    }
    por__set_reserve(c, sim, v);
}

static void por__drift_tick(por_custodian *c, por_sim *sim)
{
    const por_drift *dr = &c->cfg->drift;
    c->drift_ticks++;
    por_amount v = c->reserve, delta = 0;
    if (dr->kind == POR_DRIFT_RANDOM_WALK) {
        double sd = dr->sigma_per_day * sqrt((double)dr->every / (double)POR_DAY);
        double factor = exp(sd * gsl_ran_gaussian(c->drift_rng, 1.0));
        delta = por_amount_from_double((double)v * (factor - 1.0));
    } else if (dr->kind == POR_DRIFT_LINEAR) {
        double t = (double)c->drift_ticks * (double)dr->every;
        por_amount total = por_amount_from_double((double)c->cfg->initial * dr->rate_per_year * t /
                                                  (double)(365 * POR_DAY));
        if (!por_amount_sub(total, c->linear_applied, &delta))
            delta = 0;
        c->linear_applied = total;
    }
    if (!por_amount_add(v, delta, &v))
        v = delta > 0 ? POR_AMOUNT_MAX : 0;
    por__set_reserve(c, sim, v);
}

/* Adds DELTA to the true reserve now (saturating; the reserve never goes below 0). */
static void por__apply_delta(por_custodian *c, por_sim *sim, por_amount delta)
{
    por_amount v;
    if (!por_amount_add(c->reserve, delta, &v))
        v = delta > 0 ? POR_AMOUNT_MAX : 0;
    por__set_reserve(c, sim, v);
}

void por_custodian_change(por_custodian *c, por_sim *sim, por_amount delta, por_time_t delay)
{
    if (delay <= 0) {
        por__apply_delta(c, sim, delta);
        return;
    }
    por_time_t at;
    if (__builtin_add_overflow(por_sim_now(sim), delay, &at))
        return; /* after the end of time: never happens */
    __extension__ unsigned __int128 u = (unsigned __int128)delta;
    por_sim_schedule(sim, at, 0, c->entity, POR__EV_CHANGE, (uint64_t)u, (uint64_t)(u >> 64), NULL);
}

static void por__custodian_init(por_sim *sim, void *self)
{
    por_custodian *c = self;
    for (size_t i = 0; i < c->cfg->nsteps; i++) {
        por_time_t at = c->cfg->steps[i].at < 0 ? 0 : c->cfg->steps[i].at;
        por_sim_schedule(sim, at, 0, c->entity, POR__EV_STEP, i, 0, NULL);
    }
    if (c->cfg->drift.kind != POR_DRIFT_NONE)
        por_sim_schedule(sim, c->cfg->drift.every, 0, c->entity, POR__EV_DRIFT, 0, 0, NULL);
    /* Snapshots run after the reserve changes of their instant (priority 1 > 0). */
    for (size_t i = 0; i < c->nfrauds; i++) {
        por_time_t at = c->frauds[i]->window.from < 0 ? 0 : c->frauds[i]->window.from;
        por_sim_schedule(sim, at, 1, c->entity, POR__EV_FRAUD_SNAPSHOT, i, 0, NULL);
        if (!c->frauds[i]->double_ppb && !c->frauds[i]->double_amount)
            continue;
        /* a claim moves the backing when its window opens and closes */
        por_sim_schedule(sim, at, 0, c->entity, POR__EV_CLAIM, i, 0, NULL);
        if (c->frauds[i]->window.until < POR_TIME_MAX && c->frauds[i]->window.until > at)
            por_sim_schedule(sim, c->frauds[i]->window.until, 0, c->entity, POR__EV_CLAIM, i, 0, NULL);
    }
}

static void por__custodian_handle(por_sim *sim, void *self, por_event *ev)
{
    por_custodian *c = self;
    switch (ev->type) {
    case POR__EV_STEP:
        por__apply_step(c, sim, &c->cfg->steps[ev->a]);
        break;
    case POR__EV_DRIFT: {
        por__drift_tick(c, sim);
        por_time_t next;
        if (!__builtin_add_overflow(por_sim_now(sim), c->cfg->drift.every, &next))
            por_sim_schedule(sim, next, 0, c->entity, POR__EV_DRIFT, 0, 0, NULL);
        break;
    }
    case POR__EV_FRAUD_SNAPSHOT:
        c->fraud_snapshot[ev->a] = por_custodian_published(c, por_sim_now(sim));
        break;
    case POR__EV_CLAIM:
        por__update_backing(c, sim);
        break;
    case POR__EV_CHANGE: {
        __extension__ unsigned __int128 u = ((unsigned __int128)ev->b << 64) | ev->a;
        por__apply_delta(c, sim, (por_amount)u);
        break;
    }
    default:
        POR_ASSERT(!"unknown custodian event");
    }
}

static const por_entity_kind por__custodian_kind = {
    "custodian", por__custodian_init, por__custodian_handle, NULL, NULL,
};

por_custodian *por_custodian_create(const por_custodian_config *cfg, uint32_t index,
                                    por_sim *sim, const por_attack_config *attackers,
                                    size_t nattackers, por_error *err)
{
    if (cfg->decimals > POR_MAX_DECIMALS) {
        por_error_set(err, POR_EINPUT, "custodian %s: decimals %u above %d", cfg->name,
                      (unsigned)cfg->decimals, POR_MAX_DECIMALS);
        return NULL;
    }
    if (cfg->drift.kind != POR_DRIFT_NONE && cfg->drift.every <= 0) {
        por_error_set(err, POR_EINPUT, "custodian %s: drift needs a positive 'every'", cfg->name);
        return NULL;
    }
    if (cfg->initial < 0) {
        por_error_set(err, POR_EINPUT, "custodian %s: negative initial reserve", cfg->name);
        return NULL;
    }
    if (cfg->attest_every < 0 || cfg->attest_lag < 0) {
        por_error_set(err, POR_EINPUT, "custodian %s: negative attestation period or lag",
                      cfg->name);
        return NULL;
    }
    if (cfg->skip_weekends && (cfg->attest_every <= 0 || cfg->first_day > 6)) {
        por_error_set(err, POR_EINPUT,
                      "custodian %s: skip_weekends needs periodic attestations and a first day 0..6",
                      cfg->name);
        return NULL;
    }
    if (cfg->attest_phase < 0 || (cfg->attest_phase > 0 && cfg->attest_phase >= cfg->attest_every)) {
        por_error_set(err, POR_EINPUT, "custodian %s: attestation phase outside [0, every)",
                      cfg->name);
        return NULL;
    }
    for (size_t i = 0; i < nattackers; i++) {
        const por_attack_config *a = &attackers[i];
        if (a->kind != POR_ATTACK_CUSTODIAN_FRAUD || a->custodian != index || a->dress_around <= 0)
            continue;
        if (cfg->attest_every <= 0 || a->dress_around >= cfg->attest_every - a->dress_around) {
            por_error_set(err, POR_EINPUT,
                          "custodian %s: window dressing needs 0 < around < attestation every / 2",
                          cfg->name);
            return NULL;
        }
    }
    por_custodian *c = por_xcalloc(1, sizeof *c);
    c->cfg = cfg;
    c->index = index;
    c->reserve = cfg->initial;
    c->backing = cfg->initial;
    por__history_push(c, 0, cfg->initial);
    c->drift_rng = por_rng_new(por_sim_seed(sim), por_sim_replication(sim),
                               por_stream_id("custodian", index, "drift"));
    por_sampler_init_duration(&c->api_latency, &cfg->api_latency);
    c->phase = cfg->attest_phase;
    if (cfg->attest_phase_random && cfg->attest_every > 0) {
        gsl_rng *prng = por_rng_new(por_sim_seed(sim), por_sim_replication(sim),
                                    por_stream_id("custodian", index, "attest-phase"));
        c->phase = (por_time_t)por_rng_below(prng, (uint64_t)cfg->attest_every);
        gsl_rng_free(prng);
    }
    for (size_t i = 0; i < nattackers; i++)
        if (attackers[i].kind == POR_ATTACK_CUSTODIAN_FRAUD && attackers[i].custodian == index)
            c->nfrauds++;
    if (c->nfrauds) {
        c->frauds = por_xcalloc(c->nfrauds, sizeof *c->frauds);
        c->fraud_snapshot = por_xcalloc(c->nfrauds, sizeof *c->fraud_snapshot);
        size_t k = 0;
        for (size_t i = 0; i < nattackers; i++)
            if (attackers[i].kind == POR_ATTACK_CUSTODIAN_FRAUD && attackers[i].custodian == index)
                c->frauds[k++] = &attackers[i];
        for (k = 0; k < c->nfrauds; k++) {
            c->dresses |= c->frauds[k]->dress_around > 0;
            c->claims |= c->frauds[k]->double_ppb != 0 || c->frauds[k]->double_amount != 0;
        }
    }
    if (cfg->rate_limit_per_min)
        c->served = por_xcalloc(cfg->rate_limit_per_min, sizeof *c->served);
    c->plain_api = cfg->source == POR_SOURCE_ATTESTED_API && cfg->noutages == 0 &&
                   cfg->nripcords == 0 && cfg->rate_limit_per_min == 0 && c->nfrauds == 0;
    c->entity = por_sim_add_entity(sim, &por__custodian_kind, c);
    return c;
}

void por_custodian_destroy(por_custodian *c)
{
    if (!c)
        return;
    gsl_rng_free(c->drift_rng);
    por_sampler_free(&c->api_latency);
    free(c->hist);
    free(c->listeners);
    free(c->frauds);
    free(c->fraud_snapshot);
    free(c->served);
    free(c);
}

void por_custodian_set_wallet_chain(por_custodian *c, const por_chain *chain)
{
    if (c->cfg->source == POR_SOURCE_WALLET)
        c->wallet_chain = chain;
}

por_time_t por_custodian_attest_phase(const por_custodian *c) { return c->phase; }

void por_custodian_add_listener(por_custodian *c, por_reserve_listener fn, void *ctx)
{
    c->listeners = por_xrealloc(c->listeners, (c->nlisteners + 1) * sizeof *c->listeners);
    c->listeners[c->nlisteners].fn = fn;
    c->listeners[c->nlisteners].ctx = ctx;
    c->nlisteners++;
}

/* True when the rolling-minute budget has room; records the read as served if so. */
static bool por__rate_admit(por_custodian *c, por_time_t now)
{
    uint32_t limit = c->cfg->rate_limit_per_min;
    if (limit == 0)
        return true;
    if (c->served_count < limit) {
        c->served[(c->served_head + c->served_count) % limit] = now;
        c->served_count++;
        return true;
    }
    if (c->served[c->served_head] > now - POR_MIN)
        return false; /* `limit` reads served in (now - 1min, now] already */
    c->served[c->served_head] = now;
    c->served_head = (c->served_head + 1) % limit;
    return true;
}

por_amount por_custodian_borrowed_at(const por_custodian *c, por_time_t t)
{
    por_amount sum = 0;
    for (size_t i = 0; c->dresses && i < c->nfrauds; i++) {
        const por_attack_config *a = c->frauds[i];
        if (a->dress_around <= 0 || !por__in_window(&a->window, t))
            continue;
        /* offset of T after the last snapshot (phase - lag + k * every), in [0, every) */
        por_time_t every = c->cfg->attest_every;
        por_time_t d = (t - (c->phase - c->cfg->attest_lag)) % every;
        if (d < 0)
            d += every;
        if (d >= a->dress_around && d < every - a->dress_around)
            continue; /* between two dressing intervals: the loan is repaid */
        por_amount b = a->dress_amount;
        if (a->dress_ppb && !por_amount_mul_ppb(por_custodian_true_reserve_at(c, t), a->dress_ppb, &b))
            b = POR_AMOUNT_MAX;
        if (!por_amount_add(sum, b, &sum))
            sum = POR_AMOUNT_MAX;
    }
    return sum;
}

/* V plus what is borrowed in at instant T (saturating). */
static por_amount por__dressed(const por_custodian *c, por_time_t t, por_amount v)
{
    por_amount out;
    if (!c->dresses)
        return v;
    return por_amount_add(v, por_custodian_borrowed_at(c, t), &out) ? out : POR_AMOUNT_MAX;
}

static por_amount por__apply_fraud(const por_custodian *c, por_time_t now, por_amount v)
{
    for (size_t i = 0; i < c->nfrauds; i++) {
        const por_attack_config *a = c->frauds[i];
        if (!por__in_window(&a->window, now))
            continue;
        if (a->hide_drain)
            v = c->fraud_snapshot[i];
        if (a->misreport_ppb) {
            por_amount d;
            if (!por_amount_mul_ppb(v, a->misreport_ppb, &d) || !por_amount_add(v, d, &v))
                v = POR_AMOUNT_MAX;
        }
    }
    return v;
}

/* por__attested when the memo does not hold (once per refresh cell or change): out of
 * line, so that the reads it serves from the memo keep a short frame. */
static __attribute__((noinline)) por_amount por__attested_fill(por_custodian *c, por_time_t now,
                                                               por_time_t *snap)
{
    const por_custodian_config *cfg = c->cfg;
    *snap = por_custodian_refreshed_at(c, now) - cfg->attest_lag;
    por_amount published = por_custodian_true_reserve_at(c, *snap);
    if (cfg->attest_every > 0) { /* else the figure is live: no cell */
        c->memo_ok = true;
        c->memo_cell = por__grid_at(c, now);
        c->memo_snap = *snap;
        c->memo_published = published;
    }
    return published;
}

/* What an API read at NOW sees before fraud and window dressing: the attestation's
 * snapshot instant in *SNAP and the reserve then (por_custodian_published of an API
 * source, with the refresh instant computed once). From the memo while NOW is in its
 * refresh cell; computed and kept otherwise. */
static inline por_amount por__attested(por_custodian *c, por_time_t now, por_time_t *snap)
{
    if (c->memo_ok && now >= c->memo_cell && now - c->memo_cell < c->cfg->attest_every) {
        *snap = c->memo_snap;
        return c->memo_published;
    }
    return por__attested_fill(c, now, snap);
}

/* A read of any source: the wallet's balance, or the attested API's figure through its
 * windows, rate limit and fraud. */
static __attribute__((noinline)) por_read_status
por__read_any(por_custodian *c, por_time_t now, gsl_rng *rng, por_amount *value,
              por_time_t *latency)
{
    const por_custodian_config *cfg = c->cfg;
    *latency = por_sample_duration(&c->api_latency, rng);
    double u = por_rng_uniform(rng);
    por_read_status st = POR_READ_OK;
    if (cfg->source == POR_SOURCE_WALLET) {
        /* the balance the chain shows: whatever sits in the wallet at the confirmed time */
        por_time_t seen = c->wallet_chain ? por_chain_confirmed_time(c->wallet_chain) : now;
        *value = por__dressed(c, seen, por_custodian_published(c, now));
    } else {
        for (size_t i = 0; i < cfg->noutages && st == POR_READ_OK; i++)
            if (por__in_window(&cfg->outages[i], now))
                st = POR_READ_OUTAGE;
        for (size_t i = 0; i < cfg->nripcords && st == POR_READ_OK; i++)
            if (por__in_window(&cfg->ripcords[i], now))
                st = POR_READ_RIPCORD;
        if (st == POR_READ_OK && !por__rate_admit(c, now))
            st = POR_READ_RATE_LIMITED;
        if (st == POR_READ_OK && u < cfg->failure_rate)
            st = POR_READ_FAILED;
        if (st == POR_READ_OK) {
            /* the attestation counted the accounts at its snapshot, loans included */
            por_time_t snap;
            por_amount published = por__attested(c, now, &snap);
            *value = por__apply_fraud(c, now, por__dressed(c, snap, published));
        }
    }
    c->stats.reads[st]++;
    return st;
}

por_read_status por_custodian_read(por_custodian *c, por_sim *sim, uint32_t node, gsl_rng *rng,
                                   por_amount *value, por_time_t *latency)
{
    (void)node; /* every node sees the same API; the node matters only to the caller */
    por_time_t now = por_sim_now(sim);
    if (!c->plain_api)
        return por__read_any(c, now, rng, value, latency);
    /* por__read_any with the windows, the limit and the frauds empty: the same draws */
    *latency = por_sample_duration(&c->api_latency, rng);
    por_read_status st = POR_READ_OK;
    if (por_rng_uniform(rng) < c->cfg->failure_rate) {
        st = POR_READ_FAILED;
    } else {
        por_time_t snap;
        *value = por__attested(c, now, &snap);
    }
    c->stats.reads[st]++;
    return st;
}

uint32_t por_custodian_decimals(const por_custodian *c) { return c->cfg->decimals; }
uint32_t por_custodian_index(const por_custodian *c) { return c->index; }
uint32_t por_custodian_entity(const por_custodian *c) { return c->entity; }

void por_custodian_get_stats(const por_custodian *c, por_custodian_stats *out) { *out = c->stats; }
