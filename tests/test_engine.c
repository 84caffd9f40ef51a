/* The engine (por/engine.h): cancellation, same-time scheduling, stop, horizons, and
 * two oracles: a random model with heavy ties, priorities and cancellations run both on
 * the engine and on a reference engine written here (binary heap on the explicit tuple
 * (time, prio, src, seq)), and PHOLD (por/bench.h) against a reference PHOLD on the
 * same reference heap. A faster queue that reorders ties fails these. PHOLD's hold times
 * pass a Kolmogorov-Smirnov test against the exponential CDF (10^6 draws). */
#include "por_test.h"
#include "por/bench.h"
#include "por/engine.h"
#include "por/rng.h"

#include <gsl/gsl_cdf.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a recording model ---------------------------------------------------------- */

#define LOG_MAX 4096
typedef struct {
    por_time_t time[LOG_MAX];
    uint32_t dst[LOG_MAX];
    uint64_t a[LOG_MAX];
    size_t len;
    int discards[LOG_MAX]; /* discard hook calls per payload a */
    /* actions done by handle() */
    por_event_id cancel_on_handle; /* cancelled when the event with a == trigger runs */
    uint64_t cancel_trigger;
    bool cancel_result;
    bool cancel_self;
    por_event_id self_id;
    uint64_t stop_at_a;           /* por_sim_stop when handling this a (0 = never) */
    int same_time_children;       /* schedule this many events at now, chained */
} rec_world;

typedef struct {
    rec_world *w;
    uint32_t id;
} rec_entity;

static void rec_handle(por_sim *sim, void *self, por_event *ev)
{
    rec_entity *e = self;
    rec_world *w = e->w;
    ck_assert_uint_lt(w->len, LOG_MAX);
    ck_assert_int_eq(ev->time, por_sim_now(sim));
    ck_assert_uint_eq(ev->dst, e->id);
    ck_assert_uint_eq(por_sim_current(sim), e->id);
    w->time[w->len] = ev->time;
    w->dst[w->len] = ev->dst;
    w->a[w->len] = ev->a;
    w->len++;
    if (w->cancel_on_handle && ev->a == w->cancel_trigger)
        w->cancel_result = por_sim_cancel(sim, w->cancel_on_handle);
    if (w->cancel_self && ev->a == w->cancel_trigger)
        w->cancel_result = por_sim_cancel(sim, w->self_id);
    if (w->stop_at_a && ev->a == w->stop_at_a)
        por_sim_stop(sim);
    if (ev->type == 1 && w->same_time_children > 0) {
        w->same_time_children--;
        por_sim_at(sim, por_sim_now(sim), e->id, 1, ev->a + 1);
    }
}

static void rec_discard(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    rec_entity *e = self;
    ck_assert_uint_lt(ev->a, LOG_MAX);
    e->w->discards[ev->a]++;
}

static const por_entity_kind rec_kind = {"rec", NULL, rec_handle, NULL, rec_discard};

static por_sim *rec_sim(rec_world *w, rec_entity *ents, uint32_t n)
{
    memset(w, 0, sizeof *w);
    por_sim *sim = por_sim_create(1, 0);
    for (uint32_t i = 0; i < n; i++) {
        ents[i].w = w;
        ents[i].id = i;
        ck_assert_uint_eq(por_sim_add_entity(sim, &rec_kind, &ents[i]), i);
    }
    return sim;
}

START_TEST(test_cancel_lazy_and_discard_once)
{
    rec_world w;
    rec_entity ents[2];
    por_sim *sim = rec_sim(&w, ents, 2);
    por_sim_at(sim, 10, 0, 0, 1);
    por_event_id b = por_sim_at(sim, 20, 1, 0, 2);
    por_sim_at(sim, 30, 0, 0, 3);
    ck_assert(!por_sim_cancel(sim, 0));
    ck_assert(!por_sim_cancel(sim, 0xFFFFFFFF00000000ull | 12345u));
    ck_assert(por_sim_cancel(sim, b));
    ck_assert_int_eq(w.discards[2], 1);
    ck_assert(!por_sim_cancel(sim, b)); /* twice: no-op, no second discard */
    ck_assert_int_eq(w.discards[2], 1);
    ck_assert_uint_eq(por_sim_events_pending(sim), 3); /* lazy: still queued */
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX), POR_OK);
    ck_assert_uint_eq(w.len, 2);
    ck_assert_uint_eq(w.a[0], 1);
    ck_assert_uint_eq(w.a[1], 3);
    ck_assert_uint_eq(por_sim_events_handled(sim), 2);
    ck_assert_uint_eq(por_sim_events_pending(sim), 0);
    ck_assert_int_eq(w.discards[2], 1);
    ck_assert_int_eq(w.discards[1] + w.discards[3], 0);
    ck_assert(!por_sim_cancel(sim, b)); /* after it left the queue */
    por_sim_destroy(sim);
    ck_assert_int_eq(w.discards[2], 1);
}
END_TEST

START_TEST(test_cancel_stale_handle_after_reuse)
{
    rec_world w;
    rec_entity ents[1];
    por_sim *sim = rec_sim(&w, ents, 1);
    por_event_id x = por_sim_at(sim, 1, 0, 0, 1);
    por_sim_run(sim, 1);
    ck_assert_uint_eq(w.len, 1);
    /* The freed slot is reused by the next event; X's handle must not reach it. */
    por_event_id y = por_sim_at(sim, 5, 0, 0, 2);
    ck_assert_uint_eq(x & 0xFFFFFFFFu, y & 0xFFFFFFFFu); /* same slot: the case we test */
    ck_assert(!por_sim_cancel(sim, x));
    /* Same with a cancelled event whose slot is recycled at pop. */
    por_event_id z = por_sim_at(sim, 3, 0, 0, 3);
    ck_assert(por_sim_cancel(sim, z));
    por_sim_run(sim, 4); /* pops the cancelled Z, frees its slot */
    por_event_id v = por_sim_at(sim, 6, 0, 0, 4);
    ck_assert_uint_eq(z & 0xFFFFFFFFu, v & 0xFFFFFFFFu);
    ck_assert(!por_sim_cancel(sim, z));
    ck_assert_int_eq(w.discards[3], 1);
    por_sim_run(sim, POR_TIME_MAX);
    ck_assert_uint_eq(w.len, 3);
    ck_assert_uint_eq(w.a[1], 2);
    ck_assert_uint_eq(w.a[2], 4);
    ck_assert_int_eq(w.discards[2] + w.discards[4], 0);
    por_sim_destroy(sim);
}
END_TEST

/* A cancelled event leaves the queue when the walk of its bucket reaches it (queue.h,
 * POR_QNODE_DEAD), not only when popped: its slot goes back to the free list with its
 * generation bumped, so its handle stays dead when the slot is reused, and the events
 * handled are the same. Forty events 10^9 ns out share one bucket of rung 0 (2^27 ns
 * wide by por__top_to_rung0's rule for this top: its front eighth within 2^30 ns,
 * about four entries a bucket), more than POR_QUEUE_THRESHOLD, so peeking past the
 * event at t = 1 splits that bucket. Fails when drains keep cancelled entries: then 40
 * stay pending. */
START_TEST(test_cancelled_events_leave_at_their_drain)
{
    rec_world w;
    rec_entity ents[1];
    por_sim *sim = rec_sim(&w, ents, 1);
    por_sim_at(sim, 1, 0, 0, 1);
    por_event_id far[40];
    for (int k = 0; k < 40; k++)
        far[k] = por_sim_at(sim, 1000000000 + 1000 * k, 0, 0, 100 + (uint64_t)k);
    for (int k = 0; k < 40; k++)
        if (k % 4 != 0)
            ck_assert(por_sim_cancel(sim, far[k]));
    ck_assert_uint_eq(por_sim_events_pending(sim), 41);
    ck_assert_int_eq(por_sim_run(sim, 500000000), POR_OK);
    ck_assert_uint_eq(w.len, 1);
    ck_assert_uint_eq(por_sim_events_pending(sim), 10); /* the 30 cancelled left */
    for (int k = 0; k < 40; k++)
        ck_assert_int_eq(w.discards[100 + k], k % 4 != 0);
    /* new events take the freed slots; the cancelled handles reach none of them */
    for (int k = 0; k < 30; k++)
        por_sim_at(sim, 600000000 + k, 0, 0, 200 + (uint64_t)k);
    for (int k = 0; k < 40; k++)
        if (k % 4 != 0)
            ck_assert(!por_sim_cancel(sim, far[k]));
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX), POR_OK);
    /* t = 1, the 30 new ones, then the 10 far ones never cancelled, in time order */
    ck_assert_uint_eq(w.len, 41);
    ck_assert_uint_eq(por_sim_events_handled(sim), 41);
    for (int k = 0; k < 30; k++)
        ck_assert_uint_eq(w.a[1 + k], 200 + (uint64_t)k);
    for (int k = 0; k < 10; k++)
        ck_assert_uint_eq(w.a[31 + k], 100 + 4 * (uint64_t)k);
    for (int k = 0; k < 40; k++)
        ck_assert_int_eq(w.discards[100 + k], k % 4 != 0);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_cancel_from_handler)
{
    rec_world w;
    rec_entity ents[2];
    por_sim *sim = rec_sim(&w, ents, 2);
    por_sim_at(sim, 10, 0, 0, 1);
    por_event_id later = por_sim_at(sim, 10, 1, 0, 2); /* same time, runs after */
    w.cancel_on_handle = later;
    w.cancel_trigger = 1;
    por_sim_run(sim, POR_TIME_MAX);
    ck_assert(w.cancel_result);
    ck_assert_uint_eq(w.len, 1);
    ck_assert_int_eq(w.discards[2], 1);
    /* Cancelling the event being handled is a no-op: it is no longer pending. */
    por_sim_destroy(sim);
    sim = rec_sim(&w, ents, 1);
    w.self_id = por_sim_at(sim, 4, 0, 0, 7);
    w.cancel_self = true;
    w.cancel_trigger = 7;
    w.cancel_result = true;
    por_sim_run(sim, POR_TIME_MAX);
    ck_assert(!w.cancel_result);
    ck_assert_int_eq(w.discards[7], 0);
    ck_assert_uint_eq(w.len, 1);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_destroy_discards_pending_once)
{
    rec_world w;
    rec_entity ents[3];
    por_sim *sim = rec_sim(&w, ents, 3);
    for (uint64_t a = 1; a <= 100; a++)
        por_sim_at(sim, (por_time_t)(a * 1000), (uint32_t)(a % 3), 0, a);
    por_event_id c = por_sim_at(sim, 5000000, 0, 0, 200);
    ck_assert(por_sim_cancel(sim, c));
    por_sim_run(sim, 50000);
    ck_assert_uint_eq(w.len, 50);
    por_sim_destroy(sim);
    for (uint64_t a = 1; a <= 100; a++)
        ck_assert_int_eq(w.discards[a], a <= 50 ? 0 : 1);
    ck_assert_int_eq(w.discards[200], 1);
}
END_TEST

START_TEST(test_same_time_runs_after_current)
{
    rec_world w;
    rec_entity ents[4];
    por_sim *sim = rec_sim(&w, ents, 4);
    w.same_time_children = 5;
    por_sim_at(sim, 0, 2, 0, 900); /* set-up source: after entity sources at equal prio */
    por_sim_schedule(sim, 0, 0, 1, 1, 100, 0, NULL);
    por_sim_at(sim, 1, 3, 0, 950);
    por_sim_run(sim, POR_TIME_MAX);
    /* 100 (set-up, seq 1) vs 900 (set-up, seq 0): 900 first. Then 100 spawns 101 from
     * source 1, which sorts before any set-up event and after the current one. */
    uint64_t want[] = {900, 100, 101, 102, 103, 104, 105, 950};
    ck_assert_uint_eq(w.len, 8);
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(w.a[i], want[i]);
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(w.time[i], 0);
    ck_assert_int_eq(w.time[7], 1);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_priority_within_instant)
{
    rec_world w;
    rec_entity ents[1];
    por_sim *sim = rec_sim(&w, ents, 1);
    por_sim_schedule(sim, 5, 3, 0, 0, 3, 0, NULL);
    por_sim_schedule(sim, 5, 0, 0, 0, 0, 0, NULL);
    por_sim_schedule(sim, 5, POR_PRIO_MAX, 0, 0, 15, 0, NULL);
    por_sim_schedule(sim, 4, POR_PRIO_MAX, 0, 0, 99, 0, NULL);
    por_sim_schedule(sim, 5, 1, 0, 0, 1, 0, NULL);
    por_sim_run(sim, POR_TIME_MAX);
    uint64_t want[] = {99, 0, 1, 3, 15};
    ck_assert_uint_eq(w.len, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(w.a[i], want[i]);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_stop_and_continue)
{
    rec_world w;
    rec_entity ents[2];
    por_sim *sim = rec_sim(&w, ents, 2);
    for (uint64_t a = 1; a <= 10; a++)
        por_sim_at(sim, (por_time_t)a * 7, (uint32_t)(a & 1), 0, a);
    w.stop_at_a = 3;
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX), POR_OK);
    ck_assert_uint_eq(w.len, 3);
    ck_assert_int_eq(por_sim_now(sim), 21);
    ck_assert_uint_eq(por_sim_events_pending(sim), 7);
    /* A new run continues where the stopped one ended. */
    w.stop_at_a = 0;
    por_sim_run(sim, POR_TIME_MAX);
    ck_assert_uint_eq(w.len, 10);
    ck_assert_uint_eq(w.a[9], 10);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_horizon_and_second_run)
{
    rec_world w;
    rec_entity ents[1];
    por_sim *sim = rec_sim(&w, ents, 1);
    por_sim_at(sim, 10, 0, 0, 1);
    por_sim_at(sim, 20, 0, 0, 2);
    por_sim_at(sim, 30, 0, 0, 3);
    por_sim_run(sim, 20); /* events at exactly the horizon run */
    ck_assert_uint_eq(w.len, 2);
    ck_assert_int_eq(por_sim_now(sim), 20);
    por_sim_run(sim, 25);
    ck_assert_uint_eq(w.len, 2);
    ck_assert_int_eq(por_sim_now(sim), 25);
    por_sim_at(sim, 26, 0, 0, 4);
    por_sim_run(sim, 40);
    ck_assert_uint_eq(w.len, 4);
    ck_assert_uint_eq(w.a[2], 4);
    ck_assert_uint_eq(w.a[3], 3);
    ck_assert_int_eq(por_sim_now(sim), 40);
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_one_ns_horizon)
{
    rec_world w;
    rec_entity ents[1];
    por_sim *sim = rec_sim(&w, ents, 1);
    por_sim_at(sim, 0, 0, 0, 1);
    por_sim_at(sim, 1, 0, 0, 2);
    por_sim_at(sim, 2, 0, 0, 3);
    por_sim_run(sim, 1);
    ck_assert_uint_eq(w.len, 2);
    ck_assert_int_eq(por_sim_now(sim), 1);
    ck_assert_uint_eq(por_sim_events_pending(sim), 1);
    por_sim_destroy(sim);
    ck_assert_int_eq(w.discards[3], 1);
}
END_TEST

/* A heartbeat every day for 100 years (plus a far event past the horizon). */
typedef struct {
    uint64_t beats;
    por_time_t last;
} beat_state;

static void beat_handle(por_sim *sim, void *self, por_event *ev)
{
    beat_state *b = self;
    b->beats++;
    b->last = ev->time;
    por_sim_at(sim, ev->time + POR_DAY, 0, 0, 0);
}
static const por_entity_kind beat_kind = {"beat", NULL, beat_handle, NULL, NULL};

START_TEST(test_hundred_year_horizon)
{
    por_time_t year = 365 * POR_DAY + 6 * POR_HOUR;
    por_time_t horizon = 100 * year;
    beat_state b = {0, -1};
    por_sim *sim = por_sim_create(1, 0);
    por_sim_add_entity(sim, &beat_kind, &b);
    por_sim_at(sim, 0, 0, 0, 0);
    por_sim_at(sim, 200 * year, 0, 0, 0);
    ck_assert_int_eq(por_sim_run(sim, horizon), POR_OK);
    ck_assert_uint_eq(b.beats, (uint64_t)(horizon / POR_DAY) + 1); /* 0 .. 36525 days */
    ck_assert_int_eq(b.last, horizon);
    ck_assert_int_eq(por_sim_now(sim), horizon);
    ck_assert_uint_eq(por_sim_events_pending(sim), 2);
    por_sim_destroy(sim);
}
END_TEST

/* ---- oracle 1: a random model on the engine and on a reference engine ------------- */

typedef struct {
    por_time_t time;
    uint32_t dst, src;
    int prio;
    uint64_t seq, a;
    bool cancelled;
} ref_ev;

typedef struct {
    ref_ev *ev;
    size_t nev, evcap;
    size_t *heap; /* indices into ev */
    size_t hlen, hcap;
    uint64_t *seq; /* per source; [n] is set-up */
    uint32_t n, current;
    por_time_t now;
} ref_engine;

static bool ref_less(const ref_engine *r, size_t x, size_t y)
{
    const ref_ev *a = &r->ev[x], *b = &r->ev[y];
    if (a->time != b->time) return a->time < b->time;
    if (a->prio != b->prio) return a->prio < b->prio;
    if (a->src != b->src) return a->src < b->src;
    return a->seq < b->seq;
}

static size_t ref_schedule(ref_engine *r, por_time_t at, int prio, uint32_t dst, uint64_t a)
{
    if (r->nev == r->evcap) {
        r->evcap = r->evcap ? r->evcap * 2 : 1024;
        r->ev = realloc(r->ev, r->evcap * sizeof *r->ev);
    }
    if (r->hlen == r->hcap) {
        r->hcap = r->hcap ? r->hcap * 2 : 1024;
        r->heap = realloc(r->heap, r->hcap * sizeof *r->heap);
    }
    ck_assert(r->ev && r->heap);
    uint32_t src = r->current;
    uint64_t *sp = src == POR_SRC_SETUP ? &r->seq[r->n] : &r->seq[src];
    size_t id = r->nev++;
    r->ev[id] = (ref_ev){at, dst, src, prio, (*sp)++, a, false};
    size_t i = r->hlen++;
    while (i > 0 && ref_less(r, id, r->heap[(i - 1) / 2])) {
        r->heap[i] = r->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    r->heap[i] = id;
    return id;
}

static size_t ref_pop(ref_engine *r)
{
    size_t top = r->heap[0], last = r->heap[--r->hlen], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= r->hlen) break;
        if (c + 1 < r->hlen && ref_less(r, r->heap[c + 1], r->heap[c])) c++;
        if (!ref_less(r, r->heap[c], last)) break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (r->hlen) r->heap[i] = last;
    return top;
}

/* The model: each event logs itself, then with a shared deterministic stream schedules
 * 0-2 events at now + 0..3 ns (many ties) with random priority and destination, and
 * sometimes cancels one of the last 32 scheduled events. Same order => same stream
 * use => same log; any reordering shows up in the log. */
typedef struct {
    uint64_t rs;
    uint64_t handles[32];
    size_t nh;
    uint64_t *log;
    size_t len, cap, limit;
    uint32_t n;
} rand_model;

static uint64_t rm_next(rand_model *m)
{
    uint64_t z = (m->rs += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef uint64_t (*rm_sched_fn)(void *ctx, por_time_t at, int prio, uint32_t dst, uint64_t a);
typedef bool (*rm_cancel_fn)(void *ctx, uint64_t h);

static void rm_step(rand_model *m, void *ctx, rm_sched_fn sched, rm_cancel_fn cancel,
                    por_time_t now, uint32_t self, uint64_t a)
{
    ck_assert_uint_lt(m->len, m->cap);
    m->log[m->len++] = ((uint64_t)now << 24) ^ ((uint64_t)self << 8) ^ a;
    if (m->len >= m->limit)
        return;
    uint64_t r = rm_next(m);
    unsigned k = (unsigned)(r % 3);
    if (k == 0 && (r >> 8) % 4 == 0)
        k = 3; /* keep the population from dying out */
    for (unsigned i = 0; i < k; i++) {
        uint64_t x = rm_next(m);
        por_time_t at = now + (por_time_t)(x % 4);
        int prio = (int)((x >> 8) % 3);
        uint32_t dst = (uint32_t)((x >> 16) % m->n);
        m->handles[m->nh++ % 32] = sched(ctx, at, prio, dst, (x >> 32) & 0xFF);
    }
    if (r % 7 == 0 && m->nh > 0) {
        uint64_t h = m->handles[(r >> 40) % (m->nh < 32 ? m->nh : 32)];
        bool ok = cancel(ctx, h);
        m->log[m->len - 1] ^= (uint64_t)ok << 63;
    }
}

typedef struct {
    rand_model *m;
    uint32_t id;
} rm_entity;

static uint64_t rm_engine_sched(void *ctx, por_time_t at, int prio, uint32_t dst, uint64_t a)
{
    return por_sim_schedule(ctx, at, prio, dst, 0, a, 0, NULL);
}
static bool rm_engine_cancel(void *ctx, uint64_t h) { return por_sim_cancel(ctx, h); }

static void rm_handle(por_sim *sim, void *self, por_event *ev)
{
    rm_entity *e = self;
    rm_step(e->m, sim, rm_engine_sched, rm_engine_cancel, ev->time, e->id, ev->a);
    if (e->m->len >= e->m->limit)
        por_sim_stop(sim);
}
static const por_entity_kind rm_kind = {"rand", NULL, rm_handle, NULL, NULL};

static uint64_t rm_ref_sched(void *ctx, por_time_t at, int prio, uint32_t dst, uint64_t a)
{
    return ref_schedule(ctx, at, prio, dst, a);
}
static bool rm_ref_cancel(void *ctx, uint64_t h)
{
    ref_engine *r = ctx;
    ref_ev *ev = &r->ev[h];
    /* Popped events are marked cancelled by the reference loop, so this is a no-op for
     * handled ones, as in the engine. */
    if (ev->cancelled)
        return false;
    ev->cancelled = true;
    return true;
}

START_TEST(test_random_model_vs_reference)
{
    for (int round = 0; round < 4; round++) {
        uint32_t n = round == 0 ? 1 : round == 1 ? 3 : round == 2 ? 17 : 200;
        size_t limit = 200000;
        uint64_t seed = por_test_seed() * 31 + (uint64_t)round;
        /* engine */
        rand_model m1 = {seed, {0}, 0, calloc(limit, 8), 0, limit, limit, n};
        rm_entity *ents = calloc(n, sizeof *ents);
        por_sim *sim = por_sim_create(seed, 0);
        for (uint32_t i = 0; i < n; i++) {
            ents[i] = (rm_entity){&m1, i};
            por_sim_add_entity(sim, &rm_kind, &ents[i]);
        }
        for (uint32_t i = 0; i < 4 * n; i++)
            m1.handles[m1.nh++ % 32] =
                rm_engine_sched(sim, (por_time_t)(i % 3), (int)(i % 2), i % n, i & 0xFF);
        por_sim_run(sim, POR_TIME_MAX);
        /* reference */
        rand_model m2 = {seed, {0}, 0, calloc(limit, 8), 0, limit, limit, n};
        ref_engine r = {0};
        r.n = n;
        r.seq = calloc(n + 1, sizeof *r.seq);
        r.current = POR_SRC_SETUP;
        for (uint32_t i = 0; i < 4 * n; i++)
            m2.handles[m2.nh++ % 32] =
                rm_ref_sched(&r, (por_time_t)(i % 3), (int)(i % 2), i % n, i & 0xFF);
        while (r.hlen > 0 && m2.len < limit) {
            size_t id = ref_pop(&r);
            ref_ev ev = r.ev[id];
            r.ev[id].cancelled = true; /* no longer pending: cancel becomes a no-op */
            if (ev.cancelled)
                continue;
            r.now = ev.time;
            r.current = ev.dst;
            rm_step(&m2, &r, rm_ref_sched, rm_ref_cancel, ev.time, ev.dst, ev.a);
        }
        ck_assert_uint_eq(m1.len, m2.len);
        ck_assert_uint_gt(m1.len, 1000);
        for (size_t i = 0; i < m1.len; i++)
            if (m1.log[i] != m2.log[i])
                ck_abort_msg("n=%u: event %zu differs (%llx vs %llx)", n, i,
                             (unsigned long long)m1.log[i], (unsigned long long)m2.log[i]);
        if (m1.len == limit) /* stopped by the model: now is the last event's time */
            ck_assert_int_eq(por_sim_now(sim), r.now);
        por_sim_destroy(sim);
        free(ents);
        free(m1.log);
        free(m2.log);
        free(r.ev);
        free(r.heap);
        free(r.seq);
    }
}
END_TEST

/* ---- oracle 2: PHOLD against a reference PHOLD ---------------------------------- */

static void ref_phold(const por_phold_config *cfg, por_phold_result *out)
{
    por_sampler hold;
    por_phold_hold_init(&hold);
    ref_engine r = {0};
    r.n = cfg->lps;
    r.seq = calloc(cfg->lps + 1, sizeof *r.seq);
    r.current = POR_SRC_SETUP;
    gsl_rng **rng = calloc(cfg->lps, sizeof *rng);
    for (uint32_t i = 0; i < cfg->lps; i++)
        rng[i] = por_rng_new(cfg->seed, 0, por_stream_id("phold", i, "hold"));
    for (uint32_t i = 0; i < cfg->lps; i++)
        for (uint32_t k = 0; k < cfg->per_lp; k++)
            ref_schedule(&r, por_phold_hold(&hold, rng[i]), 0, i, 0);
    uint64_t done = 0, checksum = 0xcbf29ce484222325ull;
    while (r.hlen > 0) {
        size_t id = ref_pop(&r);
        ref_ev ev = r.ev[id];
        r.now = ev.time;
        r.current = ev.dst;
        checksum = (checksum ^ ((uint64_t)ev.time * 31 + ev.dst)) * 0x100000001b3ull;
        if (++done >= cfg->events)
            break;
        uint32_t dst = (uint32_t)por_rng_below(rng[ev.dst], cfg->lps);
        ref_schedule(&r, ev.time + por_phold_hold(&hold, rng[ev.dst]), 0, dst, 0);
    }
    out->events = done;
    out->end_time_ns = r.now;
    out->checksum = checksum;
    for (uint32_t i = 0; i < cfg->lps; i++)
        gsl_rng_free(rng[i]);
    free(rng);
    free(r.ev);
    free(r.heap);
    free(r.seq);
    por_sampler_free(&hold);
}

static int cmp_time(const void *x, const void *y)
{
    por_time_t a = *(const por_time_t *)x, b = *(const por_time_t *)y;
    return a < b ? -1 : a > b;
}

/* The PHOLD workload (Fujimoto's hold model, and sim/bench/ns3/ns3_phold.cc's
 * -log(1 - u) * 1e6 + 1) wants hold times of 1 ns plus an exponential of mean 1 ms.
 * 10^6 draws of por_phold_hold from a PHOLD stream: sqrt(n) * D against the exponential
 * CDF (GSL's gsl_cdf_exponential_P; the draws are rounded to integers, so the value v
 * stands for [v - 0.5, v + 0.5)) below 2.23 (p = 1e-4), and the sample mean within 5
 * standard errors (5 * 1 ms / sqrt(n) = 5 us) of 1 ms + 1 ns. */
START_TEST(test_phold_hold_is_exponential)
{
    enum { N = 1000000 };
    uint64_t seed = por_test_seed();
    por_sampler hold;
    por_phold_hold_init(&hold);
    gsl_rng *rng = por_rng_new(seed, 0, por_stream_id("phold", 0, "hold"));
    por_time_t *x = malloc(N * sizeof *x);
    ck_assert(x != NULL);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = por_phold_hold(&hold, rng);
        ck_assert_int_ge(x[i], 1);
        sum += (double)x[i];
    }
    qsort(x, N, sizeof *x, cmp_time);
    const double mean = 1e6;
    double d = 0;
    for (int i = 0; i < N;) {
        int j = i;
        while (j < N && x[j] == x[i])
            j++;
        double v = (double)(x[i] - 1); /* the exponential part */
        d = fmax(d, fabs((double)j / N - gsl_cdf_exponential_P(v + 0.5, mean)));
        d = fmax(d, fabs((double)i / N - gsl_cdf_exponential_P(fmax(v - 0.5, 0), mean)));
        i = j;
    }
    double ks = d * sqrt((double)N), avg = sum / N;
    printf("phold hold times: sqrt(n)D = %.3f, mean %.1f ns (seed %" PRIu64 ")\n", ks, avg, seed);
    ck_assert_msg(ks < 2.23, "KS sqrt(n)D = %.3f >= 2.23 (seed %" PRIu64 ")", ks, seed);
    ck_assert_msg(fabs(avg - (mean + 1)) < 5 * mean / sqrt((double)N),
                  "mean %.1f ns, want 1000001 +- 5000 (seed %" PRIu64 ")", avg, seed);
    free(x);
    gsl_rng_free(rng);
    por_sampler_free(&hold);
}
END_TEST

START_TEST(test_phold_matches_reference)
{
    por_phold_config cfgs[] = {
        {64, 4, 200000, por_test_seed()},
        {7, 1, 50000, por_test_seed() + 1},
        {1024, 16, 100000, 1}, /* the benchmark's shape and seed */
    };
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++) {
        por_phold_result got, want;
        por_phold_run(&cfgs[c], &got);
        ref_phold(&cfgs[c], &want);
        printf("phold N=%u J=%u E=%llu: checksum=%016llx end=%lld\n", cfgs[c].lps,
               cfgs[c].per_lp, (unsigned long long)cfgs[c].events,
               (unsigned long long)got.checksum, (long long)got.end_time_ns);
        ck_assert_uint_eq(got.events, cfgs[c].events);
        ck_assert_uint_eq(got.events, want.events);
        ck_assert_int_eq(got.end_time_ns, want.end_time_ns);
        ck_assert_uint_eq(got.checksum, want.checksum);
    }
}
END_TEST

/* ---- fan-out against one schedule each ------------------------------------------ */

#define FAN_LOG 60000
typedef struct {
    bool fanout;          /* schedule deliveries with por_sim_schedule_fanout */
    uint64_t rnd;         /* splitmix64 state: the same draws in both modes */
    int triggers_left;
    size_t len;
    por_time_t time[FAN_LOG];
    uint32_t dst[FAN_LOG], src[FAN_LOG];
    uint64_t a[FAN_LOG], b[FAN_LOG];
    uint16_t type[FAN_LOG];
    por_event_id ids[FAN_LOG]; /* ids of the triggers scheduled after each fan-out */
    size_t nids;
    uint64_t max_pending;
    uint32_t nent;
} fan_world;

static uint64_t fan_rnd(fan_world *w)
{
    uint64_t z = (w->rnd += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A burst of 1..150 deliveries at now..now+3 (heavy ties, so only the sequence orders
 * them), then one trigger; both modes draw the same numbers. */
static void fan_burst(por_sim *sim, fan_world *w, uint64_t tag)
{
    uint32_t m = 1 + (uint32_t)(fan_rnd(w) % 150);
    por_time_t at[150];
    uint32_t dst[150];
    por_time_t now = por_sim_now(sim);
    for (uint32_t i = 0; i < m; i++) {
        at[i] = now + (por_time_t)(fan_rnd(w) % 4);
        dst[i] = (uint32_t)(fan_rnd(w) % w->nent);
    }
    int prio = (int)(fan_rnd(w) % 3);
    if (w->fanout) {
        por_sim_schedule_fanout(sim, m, at, dst, prio, 2, tag, 1000, NULL);
    } else {
        for (uint32_t i = 0; i < m; i++)
            por_sim_schedule(sim, at[i], prio, dst[i], 2, tag, 1000 + i, NULL);
    }
    if (w->triggers_left > 0) {
        w->triggers_left--;
        w->ids[w->nids++] = por_sim_schedule(sim, now + (por_time_t)(fan_rnd(w) % 3), 0,
                                             (uint32_t)(fan_rnd(w) % w->nent), 1, tag + 1,
                                             0, NULL);
    }
    if (por_sim_events_pending(sim) > w->max_pending)
        w->max_pending = por_sim_events_pending(sim);
}

static void fan_handle(por_sim *sim, void *self, por_event *ev)
{
    fan_world *w = self;
    ck_assert_uint_lt(w->len, FAN_LOG);
    w->time[w->len] = ev->time;
    w->dst[w->len] = ev->dst;
    w->src[w->len] = ev->src;
    w->a[w->len] = ev->a;
    w->b[w->len] = ev->b;
    w->type[w->len] = ev->type;
    w->len++;
    if (ev->type == 1) {
        fan_burst(sim, w, ev->a * 2);
        fan_burst(sim, w, ev->a * 2 + 1);
    }
}

static const por_entity_kind fan_kind = {"fan", NULL, fan_handle, NULL, NULL};

static void fan_run(fan_world *w, bool fanout, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->fanout = fanout;
    w->rnd = seed;
    w->triggers_left = 200;
    w->nent = 5;
    por_sim *sim = por_sim_create(1, 0);
    for (uint32_t i = 0; i < w->nent; i++)
        por_sim_add_entity(sim, &fan_kind, w);
    for (int i = 0; i < 8; i++) /* from the set-up source, before the run */
        fan_burst(sim, w, 1000000 + (uint64_t)i);
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX), POR_OK);
    por_sim_destroy(sim);
}

START_TEST(test_fanout_same_as_one_schedule_each)
{
    /* Rule (engine.h, por_sim_schedule_fanout): N deliveries at once are the same events
     * in the same order, with the same pool slots (the trigger ids scheduled after
     * each burst are equal), as N calls of por_sim_schedule, including when the pool
     * grows in the middle of a burst and from the set-up source. */
    uint64_t seed = por_test_seed() * 7 + 3;
    printf("fanout_same_as_one_schedule_each: seed %llu\n", (unsigned long long)seed);
    static fan_world one, fan;
    fan_run(&one, false, seed);
    fan_run(&fan, true, seed);
    ck_assert_uint_gt(one.max_pending, 1024); /* the pool grew (1024 slots at first) */
    ck_assert_uint_gt(one.len, 1000);
    ck_assert_uint_eq(one.len, fan.len);
    for (size_t i = 0; i < one.len; i++)
        if (one.time[i] != fan.time[i] || one.dst[i] != fan.dst[i] ||
            one.src[i] != fan.src[i] || one.a[i] != fan.a[i] || one.b[i] != fan.b[i] ||
            one.type[i] != fan.type[i])
            ck_abort_msg("event %zu differs: t %lld/%lld dst %u/%u a %llu/%llu b %llu/%llu", i,
                         (long long)one.time[i], (long long)fan.time[i], one.dst[i], fan.dst[i],
                         (unsigned long long)one.a[i], (unsigned long long)fan.a[i],
                         (unsigned long long)one.b[i], (unsigned long long)fan.b[i]);
    ck_assert_uint_eq(one.nids, fan.nids);
    for (size_t i = 0; i < one.nids; i++)
        ck_assert_uint_eq(one.ids[i], fan.ids[i]);
}
END_TEST

/* ---- poll points and pool growth ---------------------------------------------------- */

/* A model whose events each schedule the next (a chain), and whose event number GROW_AT
 * schedules BURST more at once, so the pool grows inside that handler. */
typedef struct {
    uint64_t handled, limit, grow_at, burst;
    uint64_t polls, polled_at[8];
    bool burst_intact;
} chain_world;

static void chain_handle(por_sim *sim, void *self, por_event *ev)
{
    chain_world *w = self;
    w->handled++;
    if (ev->a == w->grow_at) {
        uint64_t a = ev->a, b = ev->b;
        por_time_t t = ev->time;
        for (uint64_t i = 0; i < w->burst; i++)
            por_sim_schedule(sim, t + 1000000000, 0, 0, 2, 0, 0, NULL);
        /* the handler's event lives in the old pool array, kept until the next poll
         * point (engine.c): still readable after the growth (ASan: no use after free) */
        w->burst_intact = ev->a == a && ev->b == b && ev->time == t;
    }
    if (ev->type == 1 && ev->a + 1 < w->limit)
        por_sim_schedule(sim, ev->time + 1000, 0, 0, 1, ev->a + 1, ev->a, NULL);
}

static void chain_poll(void *ctx, por_sim *sim)
{
    chain_world *w = ctx;
    if (w->polls < 8)
        w->polled_at[w->polls] = por_sim_events_handled(sim);
    w->polls++;
}

static const por_entity_kind chain_kind = {"chain", NULL, chain_handle, NULL, NULL};

/* The rule of por/engine.h: the poll hook runs after every POR_SIM_POLL_EVENTS handled
 * events, from the run's start and whatever else the run does (here a pool growth inside
 * a handler, whose old array is freed at a poll point, engine.c). */
START_TEST(test_poll_every_poll_events_through_pool_growth)
{
    printf("poll_every_poll_events_through_pool_growth: no seed (deterministic)\n");
    chain_world w = {.limit = 5 * POR_SIM_POLL_EVENTS + 17, .grow_at = 100, .burst = 3000};
    por_sim *sim = por_sim_create(1, 0);
    por_sim_add_entity(sim, &chain_kind, &w);
    por_sim_set_poll(sim, chain_poll, &w);
    por_sim_at(sim, 0, 0, 1, 0);
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX - 1), POR_OK);
    ck_assert(w.burst_intact);
    ck_assert_uint_eq(w.handled, w.limit + w.burst);
    ck_assert_uint_eq(w.polls, w.handled / POR_SIM_POLL_EVENTS);
    for (uint64_t i = 0; i < w.polls && i < 8; i++)
        ck_assert_uint_eq(w.polled_at[i], (i + 1) * POR_SIM_POLL_EVENTS);
    por_sim_destroy(sim);

    /* without a hook the run is the same; a hook set afterwards counts from then */
    chain_world v = {.limit = 3 * POR_SIM_POLL_EVENTS, .grow_at = 7, .burst = 5000};
    sim = por_sim_create(1, 0);
    por_sim_add_entity(sim, &chain_kind, &v);
    por_sim_at(sim, 0, 0, 1, 0);
    ck_assert_int_eq(por_sim_run(sim, 10 * 1000), POR_OK); /* events 0..10: the growth */
    ck_assert(v.burst_intact);
    uint64_t before = por_sim_events_handled(sim);
    ck_assert_uint_eq(v.polls, 0);
    por_sim_set_poll(sim, chain_poll, &v);
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX - 1), POR_OK);
    ck_assert_uint_eq(v.polls, (por_sim_events_handled(sim) - before) / POR_SIM_POLL_EVENTS);
    ck_assert_uint_eq(v.polled_at[0], before + POR_SIM_POLL_EVENTS);
    por_sim_destroy(sim);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *t = tcase_create("rules");
    tcase_add_test(t, test_cancel_lazy_and_discard_once);
    tcase_add_test(t, test_cancel_stale_handle_after_reuse);
    tcase_add_test(t, test_cancelled_events_leave_at_their_drain);
    tcase_add_test(t, test_cancel_from_handler);
    tcase_add_test(t, test_destroy_discards_pending_once);
    tcase_add_test(t, test_same_time_runs_after_current);
    tcase_add_test(t, test_priority_within_instant);
    tcase_add_test(t, test_stop_and_continue);
    tcase_add_test(t, test_horizon_and_second_run);
    tcase_add_test(t, test_one_ns_horizon);
    tcase_add_test(t, test_hundred_year_horizon);
    tcase_add_test(t, test_fanout_same_as_one_schedule_each);
    tcase_add_test(t, test_poll_every_poll_events_through_pool_growth);
    suite_add_tcase(s, t);
    TCase *o = tcase_create("oracles");
    tcase_set_timeout(o, 300);
    tcase_add_test(o, test_random_model_vs_reference);
    tcase_add_test(o, test_phold_matches_reference);
    tcase_add_test(o, test_phold_hold_is_exponential);
    suite_add_tcase(s, o);
    return s;
}
