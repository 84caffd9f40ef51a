/* The pending-event set (sim/core/queue.h) against trivially-correct references.
 *
 * Every pop sequence is compared with a qsort of the same keys, or, for interleaved
 * push/pop, with a plain binary heap kept here as the reference. Keys mimic the
 * engine's: times never fall below the last popped time, and (prio, src, seq) make
 * every key distinct. */
#include "por_test.h"
#include "core/queue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64 stream for test data (independent of the code under test). */
static uint64_t rnd_state;
static uint64_t rnd(void)
{
    uint64_t z = (rnd_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t rnd_below(uint64_t n) { return rnd() % n; }

static int cmp_entry(const void *pa, const void *pb)
{
    const por_qentry *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return 0;
}

/* Reference: binary min-heap on the same comparison. */
typedef struct {
    por_qentry *h;
    size_t len, cap;
} ref_heap;

static void ref_push(ref_heap *r, por_qentry e)
{
    if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->h = realloc(r->h, r->cap * sizeof *r->h);
        ck_assert_ptr_nonnull(r->h);
    }
    size_t i = r->len++;
    while (i > 0 && cmp_entry(&e, &r->h[(i - 1) / 2]) < 0) {
        r->h[i] = r->h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    r->h[i] = e;
}

static por_qentry ref_pop(ref_heap *r)
{
    por_qentry top = r->h[0], last = r->h[--r->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= r->len)
            break;
        if (c + 1 < r->len && cmp_entry(&r->h[c + 1], &r->h[c]) < 0)
            c++;
        if (cmp_entry(&r->h[c], &last) >= 0)
            break;
        r->h[i] = r->h[c];
        i = c;
    }
    if (r->len)
        r->h[i] = last;
    return top;
}

static uint64_t seq_counter;
static por_qentry mk(por_time_t t, unsigned prio, uint32_t src, uint32_t slot)
{
    por_qentry e = {t, por_queue_order(prio, src, seq_counter++), slot};
    return e;
}

static void expect_same(const por_qentry *got, const por_qentry *want, size_t i)
{
    if (got->time != want->time || got->order != want->order || got->slot != want->slot)
        ck_abort_msg("pop %zu: got (t=%lld order=%llx slot=%u) want (t=%lld order=%llx slot=%u)",
                     i, (long long)got->time, (unsigned long long)got->order, got->slot,
                     (long long)want->time, (unsigned long long)want->order, want->slot);
}

START_TEST(test_orders_by_time)
{
    por_queue q;
    por_queue_init(&q);
    por_time_t times[] = {50, 10, 40, 20, 30, 0, 1000000, 5};
    for (uint32_t i = 0; i < 8; i++)
        por_queue_push(&q, mk(times[i], 0, 1, i));
    ck_assert_uint_eq(q.len, 8);
    por_time_t want[] = {0, 5, 10, 20, 30, 40, 50, 1000000};
    por_qentry e;
    for (int i = 0; i < 8; i++) {
        ck_assert(por_queue_pop(&q, &e));
        ck_assert_int_eq(e.time, want[i]);
    }
    ck_assert(!por_queue_pop(&q, &e));
    ck_assert_ptr_null(por_queue_peek(&q));
    por_queue_free(&q);
}
END_TEST

START_TEST(test_ties_prio_src_seq)
{
    por_queue q;
    por_queue_init(&q);
    /* Same time: priority first, then source, then per-source sequence. */
    por_queue_push(&q, (por_qentry){7, por_queue_order(2, 0, 0), 0});
    por_queue_push(&q, (por_qentry){7, por_queue_order(1, 9, 5), 1});
    por_queue_push(&q, (por_qentry){7, por_queue_order(1, 9, 4), 2});
    por_queue_push(&q, (por_qentry){7, por_queue_order(1, 3, 99), 3});
    por_queue_push(&q, (por_qentry){7, por_queue_order(0, 0xFFFFFF, 0), 4});
    por_queue_push(&q, (por_qentry){6, por_queue_order(15, 0xFFFFFF, 0xFFFFFFFFFull), 5});
    por_queue_push(&q, (por_qentry){7, por_queue_order(0, 2, 0), 6});
    uint32_t want[] = {5, 6, 4, 3, 2, 1, 0};
    por_qentry e;
    for (int i = 0; i < 7; i++) {
        ck_assert(por_queue_pop(&q, &e));
        ck_assert_uint_eq(e.slot, want[i]);
    }
    ck_assert(!por_queue_pop(&q, &e));
    /* The packing keeps each field in its own bits. */
    ck_assert(por_queue_order(1, 0, 0) > por_queue_order(0, 0xFFFFFF, 0xFFFFFFFFFull));
    ck_assert(por_queue_order(0, 1, 0) > por_queue_order(0, 0, 0xFFFFFFFFFull));
    por_queue_free(&q);
}
END_TEST

/* Time distributions for the randomized tests. */
enum { D_TIES, D_UNIFORM, D_EXP, D_HUGE, D_CLUSTER, D_COUNT };

static por_time_t draw_time(int dist, por_time_t base)
{
    switch (dist) {
    case D_TIES: return base + (por_time_t)rnd_below(4);
    case D_UNIFORM: return base + (por_time_t)rnd_below(1000000);
    case D_EXP: {
        double u = (double)(rnd() >> 11) / 9007199254740992.0;
        return base + (por_time_t)(-log(1.0 - u) * 1e6) + 1;
    }
    case D_HUGE: {
        uint64_t room = (uint64_t)(INT64_MAX - base);
        uint64_t r = rnd() >> (rnd() & 63);
        return base + (por_time_t)(room ? r % room : 0);
    }
    default: { /* a few tight clusters far apart */
        por_time_t c = (por_time_t)rnd_below(5) * 1000000000LL;
        return base + c + (por_time_t)rnd_below(3);
    }
    }
}

static void check_batch(size_t n, int dist)
{
    por_queue q;
    por_queue_init(&q);
    por_qentry *ref = malloc((n ? n : 1) * sizeof *ref);
    for (size_t i = 0; i < n; i++) {
        ref[i] = mk(draw_time(dist, 0), (unsigned)rnd_below(16), (uint32_t)rnd_below(0x1000000),
                    (uint32_t)i);
        por_queue_push(&q, ref[i]);
    }
    qsort(ref, n, sizeof *ref, cmp_entry);
    ck_assert_uint_eq(q.len, n);
    por_qentry e;
    for (size_t i = 0; i < n; i++) {
        const por_qentry *p = por_queue_peek(&q);
        ck_assert_ptr_nonnull(p);
        expect_same(p, &ref[i], i);
        ck_assert(por_queue_pop(&q, &e));
        expect_same(&e, &ref[i], i);
    }
    ck_assert(!por_queue_pop(&q, &e));
    ck_assert_uint_eq(q.len, 0);
    free(ref);
    por_queue_free(&q);
}

START_TEST(test_random_batches_vs_qsort)
{
    rnd_state = por_test_seed() * 7 + 1;
    size_t sizes[] = {0, 1, 2, 3, 17, 64, 200, 1000, 5000, 100000};
    for (int d = 0; d < D_COUNT; d++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            check_batch(sizes[s], d);
}
END_TEST

/* Hold model: pop one, push one or several at or after the popped time (sometimes at
 * exactly that time with a smaller order), as the engine does. */
static void check_interleaved(size_t start, size_t steps, int dist)
{
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    for (size_t i = 0; i < start; i++) {
        por_qentry e = mk(draw_time(dist, 0), (unsigned)rnd_below(16),
                          (uint32_t)rnd_below(1000), slot++);
        por_queue_push(&q, e);
        ref_push(&r, e);
    }
    por_time_t now = 0;
    for (size_t s = 0; s < steps; s++) {
        ck_assert_uint_eq(q.len, r.len);
        if (r.len > 0) {
            por_qentry got, want = ref_pop(&r);
            ck_assert(por_queue_pop(&q, &got));
            expect_same(&got, &want, s);
            ck_assert_int_ge(got.time, now);
            now = got.time;
        } else {
            por_qentry got;
            ck_assert(!por_queue_pop(&q, &got));
        }
        /* 0..2 new events, mean 1: the size random-walks around START. */
        unsigned k = (unsigned)rnd_below(3);
        if (r.len == 0)
            k = 1 + (unsigned)rnd_below(3);
        for (unsigned j = 0; j < k; j++) {
            por_time_t t = rnd_below(8) == 0 ? now : draw_time(dist, now);
            por_qentry e = mk(t, (unsigned)rnd_below(16), (uint32_t)rnd_below(1000), slot++);
            por_queue_push(&q, e);
            ref_push(&r, e);
        }
    }
    while (r.len > 0) {
        por_qentry got, want = ref_pop(&r);
        ck_assert(por_queue_pop(&q, &got));
        expect_same(&got, &want, steps);
    }
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}

START_TEST(test_interleaved_vs_reference_heap)
{
    rnd_state = por_test_seed() * 13 + 5;
    for (int d = 0; d < D_COUNT; d++) {
        check_interleaved(0, 2000, d);
        check_interleaved(1, 5000, d);
        check_interleaved(50, 20000, d);
        check_interleaved(3000, 100000, d);
    }
}
END_TEST

START_TEST(test_drain_and_refill)
{
    /* Empty the queue completely, then reuse it at later and at equal times. */
    rnd_state = por_test_seed() * 3 + 11;
    por_queue q;
    por_queue_init(&q);
    por_time_t now = 0;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)rnd_below(300);
        por_qentry *ref = malloc((n ? n : 1) * sizeof *ref);
        for (size_t i = 0; i < n; i++) {
            ref[i] = mk(draw_time(round % D_COUNT == D_HUGE ? D_UNIFORM : round % D_COUNT, now),
                        0, 1, (uint32_t)i);
            por_queue_push(&q, ref[i]);
        }
        qsort(ref, n, sizeof *ref, cmp_entry);
        por_qentry e;
        for (size_t i = 0; i < n; i++) {
            ck_assert(por_queue_pop(&q, &e));
            expect_same(&e, &ref[i], i);
            now = e.time;
        }
        ck_assert(!por_queue_pop(&q, &e));
        free(ref);
    }
    por_queue_free(&q);
}
END_TEST

START_TEST(test_extreme_times)
{
    por_queue q;
    por_queue_init(&q);
    por_queue_push(&q, mk(INT64_MAX, 0, 0, 0));
    por_queue_push(&q, mk(0, 0, 0, 1));
    por_queue_push(&q, mk(INT64_MAX - 1, 0, 0, 2));
    por_queue_push(&q, mk(INT64_MAX, 0, 0, 3));
    por_queue_push(&q, mk(1, 0, 0, 4));
    uint32_t want[] = {1, 4, 2, 0, 3};
    por_qentry e;
    for (int i = 0; i < 5; i++) {
        ck_assert(por_queue_pop(&q, &e));
        ck_assert_uint_eq(e.slot, want[i]);
        if (i == 1) /* push at the current time while the far ones are pending */
            por_queue_push(&q, mk(1, 0, 0, 9));
        if (i == 1) {
            ck_assert(por_queue_pop(&q, &e));
            ck_assert_uint_eq(e.slot, 9);
        }
    }
    ck_assert(!por_queue_pop(&q, &e));
    por_queue_free(&q);
}
END_TEST

START_TEST(test_big_instant_with_inserts_at_it)
{
    /* 20000 entries at one instant, and every pop pushes another at that instant with a
     * random order: the bottom is large, so these inserts take the overflow heap; the
     * order must still be the reference's. */
    rnd_state = por_test_seed() * 17 + 3;
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    for (int i = 0; i < 20000; i++) {
        por_qentry e = mk(5, (unsigned)rnd_below(16), (uint32_t)rnd_below(100000), slot++);
        por_queue_push(&q, e);
        ref_push(&r, e);
    }
    for (int i = 0; i < 20000; i++) {
        por_qentry e = mk(i < 10000 ? 1000 : 5, 0, 3, slot++); /* later ones too */
        por_queue_push(&q, e);
        ref_push(&r, e);
    }
    for (size_t s = 0; r.len > 0; s++) {
        por_qentry got, want = ref_pop(&r);
        ck_assert(por_queue_pop(&q, &got));
        expect_same(&got, &want, s);
        if (s < 60000) {
            por_qentry e = mk(got.time, (unsigned)rnd_below(16), (uint32_t)rnd_below(100000),
                              slot++);
            por_queue_push(&q, e);
            ref_push(&r, e);
        }
    }
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

START_TEST(test_near_events_beside_far_timers)
{
    /* The OCR model's shape: a few timers seconds to a day ahead, and every handled
     * event scheduling messages about 80 ms ahead (with bursts of n^2 = 961 at one
     * moment, as at a leader change). Rung 0 is built from the sparse timers, so its
     * buckets are seconds wide and the near events fall into the bucket being
     * consumed. Rule (queue.c, por__bottom_to_rung): once bottom holds more than
     * POR__BOT_INSERT_MAX entries over more than one instant, it becomes a new rung, so
     * the overflow heap (kept for entries of one instant) is never used here and bottom
     * stays small. The order must still be the reference heap's. */
    rnd_state = por_test_seed() * 29 + 7;
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    const por_time_t ms = 1000000, s = 1000 * ms;
    for (int i = 0; i < 40; i++) { /* timers: 1 s .. 1 day */
        por_qentry e = mk((por_time_t)(s + rnd_below((uint64_t)(86400 * s))), 1,
                          (uint32_t)i, slot++);
        por_queue_push(&q, e);
        ref_push(&r, e);
    }
    size_t max_bot = 0;
    uint64_t pushes = 0;
    for (size_t k = 0; r.len > 0; k++) {
        por_qentry got, want = ref_pop(&r);
        ck_assert(por_queue_pop(&q, &got));
        expect_same(&got, &want, k);
        if (k >= 400000)
            continue;
        /* a burst of 961 at every 2000th pop, else 1 or 2 messages 40..200 ms ahead */
        unsigned m = k % 2000 == 0 ? 961 : 1 + (unsigned)rnd_below(2);
        for (unsigned j = 0; j < m; j++, pushes++) {
            por_qentry e = mk(got.time + 40 * ms + (por_time_t)rnd_below((uint64_t)(160 * ms)),
                              0, (uint32_t)rnd_below(31), slot++);
            por_queue_push(&q, e);
            ref_push(&r, e);
            ck_assert_uint_eq(q.olen, 0);
            if (q.blen > max_bot)
                max_bot = q.blen;
        }
    }
    printf("near_events_beside_far_timers: %llu pushes, bottom at most %zu entries\n",
           (unsigned long long)pushes, max_bot);
    ck_assert_uint_le(max_bot, 2 * 64 + 1);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

/* Pushes E into both the queue and the reference. */
static void push_both(por_queue *q, ref_heap *r, por_qentry e)
{
    por_queue_push(q, e);
    ref_push(r, e);
}

/* Pops one from both and checks they agree; returns the time. */
static por_time_t pop_both(por_queue *q, ref_heap *r, size_t i)
{
    por_qentry got, want = ref_pop(r);
    ck_assert(por_queue_pop(q, &got));
    expect_same(&got, &want, i);
    return got.time;
}

static uint64_t cur_start(const por__qrung *r)
{
    return r->start + ((uint64_t)r->cur << r->shift);
}

START_TEST(test_rung_from_bottom_ends_where_the_rung_above_starts)
{
    /* A rung made from a large bottom (por__bottom_to_rung) covers [lo, hi) with whole
     * buckets, so its last bucket may reach past hi, where the rung above holds the
     * entries. When that last bucket is the one being consumed and bottom grows large
     * again, the next rung must end at the rung above's start, not at the end of that
     * bucket: otherwise an entry pushed between the two goes into the new rung and
     * pops before an earlier entry of the rung above. Built step by step here. */
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    size_t pops = 0;
    const por_time_t s = 1000000000;
    for (int i = 1; i <= 40; i++) /* rung 0 from top: 1 s apart */
        push_both(&q, &r, mk(i * s, 0, 0, slot++));
    por_time_t now = pop_both(&q, &r, pops++);
    ck_assert_uint_ge(q.nrungs, 1);
    const por__qrung *low = &q.rung[q.nrungs - 1];
    uint64_t c = cur_start(low) < low->end ? cur_start(low) : low->end;
    /* 70 entries spread below C, latest first: bottom becomes a new rung R1 (a near
     * push splits it, por__split_for_near, or it grows past 64, por__bottom_to_rung). */
    unsigned before = q.nrungs;
    /* ten of them in the last 10 us below C, so R1's last bucket (the one reaching past
     * C) holds several entries whatever width R1's rule gives it */
    for (int j = 0; j < 10; j++)
        push_both(&q, &r, mk((por_time_t)c - 1 - 1000 * j, 0, 1, slot++));
    for (int j = 59; j >= 0; j--)
        push_both(&q, &r, mk(now + 1 + (por_time_t)((c - (uint64_t)now - 2) / 70 * (uint64_t)j),
                             0, 1, slot++));
    ck_assert_uint_eq(q.nrungs, before + 1);
    unsigned r1 = q.nrungs - 1;
    ck_assert_uint_eq(q.rung[r1].end, c);
    ck_assert_msg(q.rung[r1].start + ((uint64_t)q.rung[r1].nb << q.rung[r1].shift) > c,
                  "R1's last bucket should reach past C for this test");
    /* Y just at C: in the rung above */
    por_qentry y = mk((por_time_t)c, 0, 2, slot++);
    push_both(&q, &r, y);
    /* consume R1 up to its last bucket */
    while (q.nrungs > r1 && q.rung[r1].cur < q.rung[r1].nb)
        now = pop_both(&q, &r, pops++);
    ck_assert_uint_eq(q.nrungs, r1 + 1);
    /* bottom grows past 64 again: rung R2, which must end at C */
    for (int j = 69; j >= 0; j--)
        push_both(&q, &r, mk(now + 1 + (por_time_t)((c - (uint64_t)now - 2) / 70 * (uint64_t)j),
                             0, 3, slot++));
    ck_assert_uint_eq(q.nrungs, r1 + 2);
    /* X at C after Y in the key order (a later source): in the rung above too, so it
     * pops after Y */
    push_both(&q, &r, mk((por_time_t)c, 0, 4, slot++));
    while (r.len > 0)
        pop_both(&q, &r, pops++);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

START_TEST(test_near_push_splits_wide_bottom)
{
    /* Rule (queue.c, por__split_for_near): a push that lands ahead of bottom's front by
     * D, inside a bottom whose span up to the rungs is at least 8 buckets of D or
     * less, turns bottom into a new rung and goes into a bucket of it instead of a
     * sorted insert. Built step by step: timers 1 s apart make rung 0's buckets about a
     * second wide (one more timer 1 ns after the first keeps bottom non-empty after a
     * pop), then a push 80 ms after the front must not grow bottom. */
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    const por_time_t ms = 1000000, s = 1000 * ms;
    for (int i = 1; i <= 40; i++)
        push_both(&q, &r, mk(i * s, 0, 0, slot++));
    push_both(&q, &r, mk(s + 1, 0, 0, slot++));
    por_time_t now = pop_both(&q, &r, 0);
    ck_assert_uint_eq(q.nrungs, 1);
    ck_assert_uint_ge(q.blen, 1);
    ck_assert_uint_ge(q.rung[0].shift, 29); /* about a second a bucket */
    size_t blen = q.blen;
    unsigned rungs = q.nrungs;
    push_both(&q, &r, mk(now + 80 * ms, 0, 1, slot++));
    ck_assert_uint_eq(q.nrungs, rungs + 1);
    ck_assert_uint_le(q.blen, blen); /* bottom moved into the new rung, not grown */
    const por__qrung *low = &q.rung[q.nrungs - 1];
    ck_assert_uint_le((uint64_t)1 << low->shift, (uint64_t)(80 * ms));
    for (size_t i = 1; r.len > 0; i++)
        pop_both(&q, &r, i);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

/* The full model's schedule shape, drawn from rnd_below: a timer SPAN ahead after a
 * second, the size of a handled event's burst of messages (usually 1 or 2, one time in 20
 * a broadcast to 31), and message J of a burst of M sent at NOW: the first of a broadcast
 * due at once (as por_net_broadcast sends to itself), one in 16 at a common 50 ms (equal
 * times with different orders), the others 30 to 300 ms ahead. */
#define SHAPE_MS ((por_time_t)1000000)
#define SHAPE_S (1000 * SHAPE_MS)
static por_time_t shape_timer(por_time_t now, por_time_t span)
{
    return now + SHAPE_S + (por_time_t)rnd_below((uint64_t)span);
}
static unsigned shape_burst(void) { return rnd_below(20) == 0 ? 31 : 1 + (unsigned)rnd_below(2); }
static por_time_t shape_message(por_time_t now, unsigned j, unsigned m)
{
    return j == 0 && m == 31 ? now
           : rnd_below(16) == 0 ? now + 50 * SHAPE_MS
           : now + 30 * SHAPE_MS + (por_time_t)rnd_below((uint64_t)(270 * SHAPE_MS));
}

START_TEST(test_near_pushes_vs_reference_heap)
{
    /* The full model's schedule shape against the reference heap: timers 1 s to a day
     * ahead, and each handled event sending 1 to 31 messages 30 to 300 ms ahead (one of
     * them to itself at once, as por_net_broadcast does), many at equal times with
     * different orders. Checks the pop order while near pushes split bottom into rungs
     * (por__split_for_near) and others still take sorted inserts. */
    uint64_t seed = por_test_seed() * 31 + 9;
    rnd_state = seed;
    printf("near_pushes_vs_reference_heap: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    for (int i = 0; i < 100; i++)
        push_both(&q, &r, mk(shape_timer(0, 86400 * SHAPE_S), 1, (uint32_t)i, slot++));
    uint64_t pushes = 0, into_bottom = 0;
    for (size_t k = 0; r.len > 0; k++) {
        por_time_t now = pop_both(&q, &r, k);
        if (k >= 300000)
            continue;
        if (rnd_below(50) == 0) { /* a timer */
            por_time_t at = shape_timer(now, 20 * SHAPE_S);
            push_both(&q, &r, mk(at, 1, (uint32_t)rnd_below(31), slot++));
            continue;
        }
        unsigned m = shape_burst();
        for (unsigned j = 0; j < m; j++, pushes++) {
            por_time_t at = shape_message(now, j, m);
            size_t before = q.blen + q.olen;
            push_both(&q, &r, mk(at, 0, (uint32_t)rnd_below(31), slot++));
            into_bottom += q.blen + q.olen > before;
        }
    }
    printf("near_pushes_vs_reference_heap: %llu pushes, %llu into bottom\n",
           (unsigned long long)pushes, (unsigned long long)into_bottom);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

/* Every bucket's count (por__qbucket.n) is the length of its list, buckets before a
 * rung's cur are empty, and the tiers' sizes add up to len: the counts decide how a
 * bucket is drained (por__queue_refill), so one link path that forgot its count would
 * sort a long list as a short one or read past a short one's end. And a bucket's mark
 * (por__qrung.nonempty) is 1 exactly when its count is not 0, the marks past the last
 * bucket 0: the refill and the prefetch walker find buckets by the marks alone
 * (por__next_bucket), so a link path that forgot its mark would skip entries. */
static void expect_counts(const por_queue *q)
{
    size_t total = q->blen + q->olen + q->tlen;
    for (unsigned i = 0; i < q->nrungs; i++) {
        const por__qrung *r = &q->rung[i];
        for (uint32_t k = 0; k < r->nb; k++) {
            uint32_t len = 0;
            for (uint32_t x = r->b[k].head; x != POR__QNIL; x = q->next[x])
                len++;
            ck_assert_msg(len == r->b[k].n, "rung %u bucket %u: count %u, list %u", i, k,
                          r->b[k].n, len);
            ck_assert_msg(r->nonempty[k] == (len != 0), "rung %u bucket %u: mark %u, list %u",
                          i, k, r->nonempty[k], len);
            if (k < r->cur)
                ck_assert_uint_eq(len, 0);
            total += len;
        }
        for (uint32_t k = r->nb; k < r->bcap + 8; k++)
            ck_assert_msg(r->nonempty[k] == 0, "rung %u: mark past the buckets at %u", i, k);
    }
    ck_assert_uint_eq(total, q->len);
}

START_TEST(test_bucket_counts_match_lists)
{
    /* The full model's schedule shape (timers, bursts of messages, some at one instant)
     * and PHOLD-like pushes further out, so every link path runs: rung 0 from top, near
     * splits of bottom, long buckets split in their walk, bottom into a rung. */
    uint64_t seed = por_test_seed() * 53 + 29;
    rnd_state = seed;
    printf("bucket_counts_match_lists: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    for (int i = 0; i < 200; i++)
        push_both(&q, &r, mk(shape_timer(0, 3600 * SHAPE_S), 1, (uint32_t)i, slot++));
    for (size_t k = 0; r.len > 0; k++) {
        por_time_t now = pop_both(&q, &r, k);
        if (k % 1999 == 0)
            expect_counts(&q);
        if (k >= 40000)
            continue;
        if (rnd_below(40) == 0) {
            push_both(&q, &r, mk(shape_timer(now, 20 * SHAPE_S), 1, (uint32_t)rnd_below(31),
                                 slot++));
            continue;
        }
        if (rnd_below(200) == 0) { /* forty at one instant, some way ahead */
            por_time_t at = now + 2 * SHAPE_S + (por_time_t)rnd_below(SHAPE_S);
            for (int j = 0; j < 40; j++)
                push_both(&q, &r, mk(at, 0, (uint32_t)rnd_below(31), slot++));
            continue;
        }
        unsigned m = shape_burst();
        for (unsigned j = 0; j < m; j++)
            push_both(&q, &r, mk(shape_message(now, j, m), 0, (uint32_t)rnd_below(31), slot++));
    }
    expect_counts(&q);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

START_TEST(test_long_bucket_of_one_instant_is_sorted)
{
    /* A bucket of more than POR_QUEUE_THRESHOLD entries all at one instant cannot be
     * split by time (queue.h: only the full key orders them), so its drain sorts it and
     * leaves no rung behind. Top of 0, 17 x 1000 and 10^12: rung 0 gets buckets of 2^8
     * ns (por__top_to_rung0: front eighth within 2^10 ns, about 4 entries a bucket), so
     * bucket 3 holds the 17. */
    uint64_t seed = por_test_seed() * 59 + 31;
    rnd_state = seed;
    printf("long_bucket_of_one_instant_is_sorted: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    push_both(&q, &r, mk(0, 0, 1, slot++));
    push_both(&q, &r, mk(1000000000000, 0, 2, slot++));
    for (int i = 0; i < 17; i++)
        push_both(&q, &r, mk(1000, (unsigned)rnd_below(16), (uint32_t)rnd_below(1000), slot++));
    pop_both(&q, &r, 0);
    ck_assert_uint_eq(q.nrungs, 1);
    ck_assert_uint_eq(q.rung[0].shift, 8);
    ck_assert_uint_eq(q.rung[0].b[3].n, 17);
    pop_both(&q, &r, 1);
    ck_assert_uint_eq(q.nrungs, 1); /* no child rung left behind */
    ck_assert_uint_eq(q.blen, 16);
    expect_counts(&q);
    for (size_t k = 2; r.len > 0; k++)
        pop_both(&q, &r, k);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

/* The prefetch walker (por__queue_prefetch_step, run by every pop) is a hint that reads
 * next[pf] and prefetches node[pf] without a branch: it must stay on a node below ncap or
 * parked at ncap (next[ncap] and the spare node[ncap] exist), and once parked stay there
 * until a refill restarts it, through pops of buckets of every size, pushes that relink
 * lists under it (and grow the nodes) and a queue drained to empty. */
START_TEST(test_prefetch_walker_stays_in_bounds)
{
    uint64_t seed = por_test_seed() * 43 + 17;
    rnd_state = seed;
    printf("prefetch_walker_stays_in_bounds: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    uint32_t slot = 0;
    uint64_t walking = 0, idle = 0;
    for (int round = 0; round < 4; round++) {
        por_time_t now = 0;
        for (int i = 0; i < 2000; i++)
            por_queue_push(&q, mk((por_time_t)rnd_below(1000000), 0, 1, slot++));
        por_qentry e;
        for (size_t k = 0; k < 20000 && q.len > 0; k++) {
            const por_qentry *top = por_queue_peek(&q);
            ck_assert_ptr_nonnull(top);
            ck_assert_int_ge(top->time, now);
            now = top->time;
            uint32_t before = q.pf;
            por_queue_drop_peeked(&q);
            ck_assert_uint_le(q.pf, q.ncap);
            ck_assert_uint_eq(q.next[q.ncap], POR__QNIL);
            if (before == q.ncap)
                ck_assert_uint_eq(q.pf, before);
            q.pf < q.ncap ? walking++ : idle++;
            if (rnd_below(2) == 0) /* relinks buckets ahead of the walker */
                por_queue_push(&q, mk(now + (por_time_t)rnd_below(5000), 0, 2, slot++));
        }
        while (por_queue_pop(&q, &e))
            ck_assert_uint_le(q.pf, q.ncap);
    }
    printf("prefetch_walker_stays_in_bounds: %llu pops walking, %llu idle\n",
           (unsigned long long)walking, (unsigned long long)idle);
    ck_assert(walking > 0 && idle > 0);
    por_queue_free(&q);
}
END_TEST

/* The prefetch walker runs exactly while the queue has more than POR__WALK_MIN_NODES
 * nodes (queue.h: it pays only once the nodes outgrow the cache). A queue whose slots
 * stay below the bound never walks: the walker stays where it is through every pop, so
 * nothing reads next[] ahead for it; once the nodes grow past the bound it runs, and the
 * pops still come out in the reference heap's order either way. */
START_TEST(test_walker_runs_only_with_many_nodes)
{
    uint64_t seed = por_test_seed() * 47 + 29;
    rnd_state = seed;
    printf("walker_runs_only_with_many_nodes: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    por_time_t now = 0;
    uint64_t walking = 0;
    /* phase 0: slots below the bound; phase 1: past it */
    for (int phase = 0; phase < 2; phase++) {
        uint32_t slots = phase == 0 ? POR__WALK_MIN_NODES / 2 : 3 * POR__WALK_MIN_NODES;
        for (uint32_t i = 0; i < slots / 2; i++)
            push_both(&q, &r, mk(now + (por_time_t)rnd_below(1000000000), 0, 1, slot++));
        for (size_t k = 0; k < 4 * (size_t)slots && q.len > 0; k++) {
            uint32_t before = q.pf;
            now = pop_both(&q, &r, k);
            ck_assert(q.walk == (q.ncap > POR__WALK_MIN_NODES));
            if (!q.walk)
                ck_assert_uint_eq(q.pf, before);
            else
                walking += q.pf < q.ncap;
            ck_assert_uint_le(q.pf, q.ncap);
            if (slot < slots && rnd_below(2) == 0)
                push_both(&q, &r, mk(now + (por_time_t)rnd_below(1000000000), 0, 2, slot++));
        }
        ck_assert(q.walk == (phase == 1));
    }
    printf("walker_runs_only_with_many_nodes: %llu pops with the walker on a list\n",
           (unsigned long long)walking);
    ck_assert_uint_gt(walking, 0);
    while (q.len > 0)
        now = pop_both(&q, &r, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

/* QA and QB hold the same tiers: bottom, rungs (every bucket's list, node by node) and
 * top. */
static void expect_same_ladder(const por_queue *qa, const por_queue *qb)
{
    ck_assert_uint_eq(qa->len, qb->len);
    ck_assert_uint_eq(qa->blen, qb->blen);
    for (size_t i = 0; i < qa->blen; i++)
        expect_same(&qa->bot[i], &qb->bot[i], i);
    ck_assert_uint_eq(qa->tlen, qb->tlen);
    for (size_t i = 0; i < qa->tlen; i++)
        ck_assert_uint_eq(qa->top[i], qb->top[i]);
    ck_assert_uint_eq(qa->nrungs, qb->nrungs);
    for (unsigned i = 0; i < qa->nrungs; i++) {
        const por__qrung *ra = &qa->rung[i], *rb = &qb->rung[i];
        ck_assert(ra->start == rb->start && ra->end == rb->end && ra->shift == rb->shift);
        ck_assert(ra->nb == rb->nb && ra->cur == rb->cur);
        for (uint32_t k = ra->cur; k < ra->nb; k++) {
            ck_assert_uint_eq(ra->b[k].n, rb->b[k].n);
            uint32_t x = ra->b[k].head, y = rb->b[k].head;
            for (; x != POR__QNIL && y != POR__QNIL; x = qa->next[x], y = qb->next[y]) {
                ck_assert_uint_eq(x, y);
                ck_assert(qa->node[x].ev.time == qb->node[y].ev.time &&
                          qa->node[x].order == qb->node[y].order);
            }
            ck_assert(x == POR__QNIL && y == POR__QNIL);
        }
    }
}

/* The keys of the entries a test killed (POR_QNODE_DEAD), an open-addressing set: the
 * reference heap tells a killed entry by its key, not by its slot's flag, because the
 * queue may drop the entry and the slot be reused before the reference reaches it. */
enum { KILLED_CAP = 1 << 18 };
/* True when ORDER is in SET. */
static bool killed_has(const uint64_t *set, uint64_t order)
{
    for (uint64_t i = order * 0x9E3779B97F4A7C15ull >> 46;; i = (i + 1) & (KILLED_CAP - 1)) {
        if (set[i] == order)
            return true;
        if (set[i] == 0)
            return false;
    }
}
/* Adds ORDER (not 0, not yet in SET) to SET. */
static void killed_add(uint64_t *set, uint64_t order)
{
    uint64_t i = order * 0x9E3779B97F4A7C15ull >> 46;
    while (set[i] != 0)
        i = (i + 1) & (KILLED_CAP - 1);
    set[i] = order;
}

/* Entries marked POR_QNODE_DEAD (a cancelled event's, queue.h) while queued, in a queue
 * with the engine's free list attached: a drain that walks such a node frees its slot
 * (generation bumped, onto the free list) instead of carrying it on; one that reaches
 * the bottom without a walk is popped as before (the engine skips it). Either way every
 * dead slot comes back exactly once, the live entries pop in the reference heap's order,
 * and len counts what is left. On the full model's schedule shape (timers seconds
 * apart, bursts of messages), a third of the timers killed while queued, as the
 * pacemaker's progress timer is. */
START_TEST(test_dead_entries_leave_at_their_drain)
{
    uint64_t seed = por_test_seed() * 71 + 43;
    rnd_state = seed;
    printf("dead_entries_leave_at_their_drain: seed %llu\n", (unsigned long long)seed);
    enum { CAP = 1 << 16 };
    por_qnode *node = calloc(CAP + 1, sizeof *node); /* + the spare (por_queue_attach) */
    uint32_t *free_slot = malloc(CAP * sizeof *free_slot);
    uint32_t *gen_at_push = calloc(CAP, sizeof *gen_at_push);
    uint32_t *timers = malloc(CAP * sizeof *timers);
    uint64_t *order_at_push = calloc(CAP, sizeof *order_at_push);
    uint64_t *killed_set = calloc(KILLED_CAP, sizeof *killed_set); /* orders are never 0 */
    ck_assert(node && free_slot && gen_at_push && timers && order_at_push && killed_set);
    uint32_t nfree = 0, ntimers = 0;
    for (uint32_t i = CAP; i-- > 0;)
        free_slot[nfree++] = i;
    por_queue q;
    por_queue_init(&q);
    por_queue_attach(&q, node, CAP, free_slot, &nfree);
    ref_heap r = {0};
    uint64_t dropped = 0, popped_dead = 0, killed = 0;
    /* takes a free slot for a new entry (as the engine's por__place writes prio) */
#define TAKE_SLOT() (node[free_slot[nfree - 1]].ev.prio = 0, \
                     gen_at_push[free_slot[nfree - 1]] = node[free_slot[nfree - 1]].ev.gen, \
                     free_slot[--nfree])
    for (int i = 0; i < 100; i++) {
        por_qentry e = mk(shape_timer(0, 86400 * SHAPE_S), 1, (uint32_t)i, TAKE_SLOT());
        push_both(&q, &r, e);
        order_at_push[e.slot] = e.order;
        timers[ntimers++] = e.slot;
    }
    for (size_t k = 0;; k++) {
        uint32_t before = nfree;
        size_t len_before = q.len;
        por_qentry got = {0, 0, 0};
        bool any = por_queue_pop(&q, &got);
        dropped += nfree - before;
        ck_assert_uint_eq(len_before - q.len, (size_t)any + (nfree - before));
        if (!any)
            break;
        /* the reference's next entry, less the dead ones the queue dropped */
        por_qentry want;
        for (;;) {
            ck_assert(r.len > 0);
            want = ref_pop(&r);
            if (!killed_has(killed_set, want.order) || got.order == want.order)
                break;
        }
        expect_same(&got, &want, k);
        if (node[got.slot].ev.prio & POR_QNODE_DEAD)
            popped_dead++;
        node[got.slot].ev.gen++; /* the engine's pop */
        free_slot[nfree++] = got.slot;
        por_time_t now = got.time;
        if (k >= 60000)
            continue;
        if (ntimers > 0 && rnd_below(3) == 0) { /* kill a queued timer */
            uint32_t j = (uint32_t)rnd_below(ntimers);
            uint32_t s = timers[j];
            timers[j] = timers[--ntimers];
            if (node[s].ev.gen == gen_at_push[s] && !(node[s].ev.prio & POR_QNODE_DEAD)) {
                node[s].ev.prio |= POR_QNODE_DEAD;
                killed_add(killed_set, order_at_push[s]); /* the slot's entry now */
                killed++;
            }
        }
        if (rnd_below(20) == 0) {
            por_qentry e = mk(shape_timer(now, 20 * SHAPE_S), 1, (uint32_t)rnd_below(31), TAKE_SLOT());
            push_both(&q, &r, e);
            order_at_push[e.slot] = e.order;
            if (ntimers < CAP)
                timers[ntimers++] = e.slot;
            continue;
        }
        unsigned m = shape_burst();
        if (r.len > CAP / 2)
            m = 0;
        for (unsigned j = 0; j < m; j++) {
            por_qentry e = mk(shape_message(now, j, m), 0, (uint32_t)rnd_below(31), TAKE_SLOT());
            push_both(&q, &r, e);
            order_at_push[e.slot] = e.order;
        }
    }
#undef TAKE_SLOT
    /* what the reference still holds the queue dropped: dead entries */
    while (r.len > 0)
        ck_assert(killed_has(killed_set, ref_pop(&r).order));
    ck_assert_uint_eq(q.len, 0);
    ck_assert_uint_eq(nfree, CAP);
    ck_assert_uint_eq(dropped + popped_dead, killed);
    ck_assert_uint_gt(dropped, 0); /* the drain path ran */
    printf("dead_entries_leave_at_their_drain: %llu killed, %llu dropped at a drain, %llu popped\n",
           (unsigned long long)killed, (unsigned long long)dropped, (unsigned long long)popped_dead);
    free(r.h);
    por_queue_free(&q);
    free(node);
    free(free_slot);
    free(gen_at_push);
    free(timers);
    free(order_at_push);
    free(killed_set);
}
END_TEST

/* The links of the lists live in the queue's next[] (queue.h, por_qnode), not in the
 * nodes, so when the engine's pool grows (engine.c, por__grow_pool: a bigger array, the
 * nodes copied, por_queue_attach again) next[] must grow with it and keep every list:
 * entries queued in the rungs and top before the growth pop afterwards in the reference
 * heap's order, with entries pushed into the new slots. Every new link reads POR__QNIL,
 * the bound the prefetch walker relies on (por__queue_prefetch_step). */
START_TEST(test_lists_survive_pool_growth)
{
    uint64_t seed = por_test_seed() * 31 + 7;
    rnd_state = seed;
    printf("lists_survive_pool_growth: seed %llu\n", (unsigned long long)seed);
    enum { CAP0 = 1024, CAP1 = 8192 };
    por_qnode *node = calloc(CAP0 + 1, sizeof *node); /* + the spare (por_queue_attach) */
    uint32_t *free_slot = malloc(CAP1 * sizeof *free_slot);
    ck_assert(node && free_slot);
    uint32_t nfree = 0;
    for (uint32_t i = CAP0; i-- > 0;)
        free_slot[nfree++] = i;
    por_queue q;
    por_queue_init(&q);
    por_queue_attach(&q, node, CAP0, free_slot, &nfree);
    ref_heap r = {0};
    por_time_t now = 0;
    size_t k = 0;
    for (int grown = 0; grown < 2; grown++) {
        /* fill the pool: timers and bursts of messages, popping now and then so that
         * rungs are built and drained */
        while (nfree > 0) {
            if (rnd_below(4) == 0 && r.len > 0) {
                por_qentry got, want = ref_pop(&r);
                ck_assert(por_queue_pop(&q, &got));
                expect_same(&got, &want, k++);
                free_slot[nfree++] = got.slot;
                now = got.time;
                continue;
            }
            por_time_t t = rnd_below(8) == 0 ? shape_timer(now, 20 * SHAPE_S)
                                             : shape_message(now, 1, 31);
            push_both(&q, &r, mk(t, 0, (uint32_t)rnd_below(31), free_slot[--nfree]));
        }
        if (grown)
            break;
        ck_assert_uint_gt(q.nrungs, 0); /* lists were queued when the pool grew */
        por_qnode *bigger = calloc(CAP1 + 1, sizeof *bigger);
        ck_assert(bigger);
        memcpy(bigger, node, CAP0 * sizeof *node);
        free(node);
        node = bigger;
        for (uint32_t i = CAP1; i-- > CAP0;)
            free_slot[nfree++] = i;
        por_queue_attach(&q, node, CAP1, free_slot, &nfree);
        for (uint32_t i = CAP0; i < CAP1; i++)
            ck_assert_uint_eq(q.next[i], POR__QNIL);
    }
    por_qentry got;
    while (r.len > 0) {
        por_qentry want = ref_pop(&r);
        ck_assert(por_queue_pop(&q, &got));
        expect_same(&got, &want, k++);
    }
    ck_assert(!por_queue_pop(&q, &got));
    free(r.h);
    por_queue_free(&q);
    free(node);
    free(free_slot);
}
END_TEST

/* por_queue_view_link (the push of por_sim_schedule_fanout, from a copy of the rungs'
 * ranges) against por_queue_try_push: on the full model's schedule shape (timers seconds
 * ahead, bursts of 1 to 31 messages 30 to 300 ms ahead, one of them due at once), both
 * must take the fast path for the same entries and leave the same ladder, bucket lists
 * node by node, and the pops must match the reference heap. Slots are recycled as the
 * engine's pool does. */
START_TEST(test_view_link_same_as_try_push)
{
    uint64_t seed = por_test_seed() * 41 + 13;
    rnd_state = seed;
    printf("view_link_same_as_try_push: seed %llu\n", (unsigned long long)seed);
    enum { CAP = 1 << 16 };
    por_qnode *na = calloc(CAP + 1, sizeof *na), *nb = calloc(CAP + 1, sizeof *nb);
    uint32_t *free_slot = malloc(CAP * sizeof *free_slot);
    ck_assert(na && nb && free_slot);
    uint32_t nfree = 0;
    for (uint32_t i = CAP; i-- > 0;)
        free_slot[nfree++] = i;
    por_queue qa, qb;
    por_queue_init(&qa);
    por_queue_init(&qb);
    por_queue_attach(&qa, na, CAP, NULL, NULL);
    por_queue_attach(&qb, nb, CAP, NULL, NULL);
    ref_heap r = {0};
    for (int i = 0; i < 100; i++) {
        por_qentry e = mk(shape_timer(0, 86400 * SHAPE_S), 1, (uint32_t)i, free_slot[--nfree]);
        por_queue_push(&qa, e);
        por_queue_push(&qb, e);
        ref_push(&r, e);
    }
    uint64_t fast = 0, slow = 0, deep = 0;
    unsigned most_rungs = 0;
    for (size_t k = 0; r.len > 0; k++) {
        por_qentry got_a, got_b, want = ref_pop(&r);
        ck_assert(por_queue_pop(&qa, &got_a) && por_queue_pop(&qb, &got_b));
        expect_same(&got_a, &want, k);
        expect_same(&got_b, &want, k);
        free_slot[nfree++] = got_a.slot;
        por_time_t now = got_a.time;
        if (k >= 100000)
            continue;
        if (rnd_below(50) == 0) { /* a timer */
            por_time_t at = shape_timer(now, 20 * SHAPE_S);
            por_qentry e = mk(at, 1, (uint32_t)rnd_below(31), free_slot[--nfree]);
            por_queue_push(&qa, e);
            por_queue_push(&qb, e);
            ref_push(&r, e);
            continue;
        }
        unsigned m = shape_burst();
        if (r.len > CAP / 2)
            m = 0; /* keep the pending set within the node arrays */
        por_queue_view v;
        por_queue_view_take(&qa, &v);
        for (unsigned j = 0; j < m; j++) {
            por_time_t at = shape_message(now, j, m);
            por_qentry e = mk(at, 0, (uint32_t)rnd_below(31), free_slot[--nfree]);
            bool in_a = por_queue_view_link(&qa, &v, e.time, e.order, e.slot);
            bool in_b = por_queue_try_push(&qb, e);
            ck_assert_int_eq(in_a, in_b);
            if (in_a) {
                fast++;
                deep += qa.nrungs >= 3;
            } else {
                slow++;
                por__queue_push_slow(&qa, e.time, e.order, e.slot);
                por__queue_push_slow(&qb, e.time, e.order, e.slot);
                por_queue_view_take(&qa, &v);
            }
            ref_push(&r, e);
        }
        if (qa.nrungs > most_rungs)
            most_rungs = qa.nrungs;
        if (k % 4096 == 0)
            expect_same_ladder(&qa, &qb);
    }
    printf("view_link_same_as_try_push: %llu fast (%llu with 3 or more rungs), %llu slow, "
           "at most %u rungs\n",
           (unsigned long long)fast, (unsigned long long)deep, (unsigned long long)slow,
           most_rungs);
    ck_assert(fast > 0 && slow > 0 && deep > 0);
    ck_assert_uint_eq(qa.len, 0);
    por_queue_free(&qa);
    por_queue_free(&qb);
    free(na);
    free(nb);
    free(free_slot);
    free(r.h);
}
END_TEST

/* por_queue_try_push_front (the append to the bottom for entries due before its
 * smallest) against the slow path alone: on the full model's schedule shape both must
 * leave the same ladder, bottom entry by entry, and pop in the reference heap's order. */
START_TEST(test_push_front_same_as_slow_path)
{
    uint64_t seed = por_test_seed() * 61 + 37;
    rnd_state = seed;
    printf("push_front_same_as_slow_path: seed %llu\n", (unsigned long long)seed);
    por_queue qa, qb;
    por_queue_init(&qa);
    por_queue_init(&qb);
    ref_heap r = {0};
    uint32_t slot = 0;
    uint64_t front = 0, refused = 0;
    for (size_t k = 0; k < 100 || r.len > 0; k++) {
        por_time_t now = 0;
        if (k >= 100) {
            por_qentry got_a, got_b, want = ref_pop(&r);
            ck_assert(por_queue_pop(&qa, &got_a) && por_queue_pop(&qb, &got_b));
            expect_same(&got_a, &want, k);
            expect_same(&got_b, &want, k);
            now = got_a.time;
        }
        if (k >= 60000)
            continue;
        unsigned m = k < 100 ? 1 : shape_burst();
        for (unsigned j = 0; j < m; j++) {
            por_qentry e = k < 100 || rnd_below(50) == 0
                               ? mk(shape_timer(now, 20 * SHAPE_S), 1, (uint32_t)rnd_below(31), slot++)
                               : mk(shape_message(now, j, m), 0, (uint32_t)rnd_below(31), slot++);
            ref_push(&r, e);
            bool in_a = por_queue_try_push(&qa, e), in_b = por_queue_try_push(&qb, e);
            ck_assert_int_eq(in_a, in_b);
            if (in_a)
                continue;
            if (por_queue_try_push_front(&qa, e.time, e.order, e.slot))
                front++;
            else {
                refused++;
                por__queue_push_slow(&qa, e.time, e.order, e.slot);
            }
            por__queue_push_slow(&qb, e.time, e.order, e.slot);
        }
        if (k % 1024 == 0)
            expect_same_ladder(&qa, &qb);
    }
    printf("push_front_same_as_slow_path: %llu appended, %llu refused\n",
           (unsigned long long)front, (unsigned long long)refused);
    ck_assert(front > 0 && refused > 0);
    ck_assert_uint_eq(qa.len, 0);
    por_queue_free(&qa);
    por_queue_free(&qb);
    free(r.h);
}
END_TEST

/* Rule (queue.h, por__bucket_relink; queue.c, por__next_bucket): a rung marks each
 * bucket that holds entries, and only those, through every way an entry enters or
 * leaves a bucket: rung 0 built from top, near splits and large bottoms turned into
 * rungs, long buckets split in their walk (cancelled entries dropped there), the inline
 * push, the fan-out's view, the append to the bottom, the refill that takes a bucket.
 * Checked by expect_counts every 97 steps and at the end, on the full model's schedule
 * shape with a third of the timers cancelled, the pops in the reference heap's order. */
START_TEST(test_nonempty_marks_match_counts)
{
    uint64_t seed = por_test_seed() * 67 + 41;
    rnd_state = seed;
    printf("nonempty_marks_match_counts: seed %llu\n", (unsigned long long)seed);
    enum { CAP = 1 << 16 };
    por_qnode *node = calloc(CAP + 1, sizeof *node); /* + the spare (por_queue_attach) */
    uint32_t *free_slot = malloc(CAP * sizeof *free_slot);
    uint64_t *order_at_push = calloc(CAP, sizeof *order_at_push);
    uint64_t *killed_set = calloc(KILLED_CAP, sizeof *killed_set);
    uint32_t *timers = malloc(CAP * sizeof *timers);
    ck_assert(node && free_slot && order_at_push && killed_set && timers);
    uint32_t nfree = 0, ntimers = 0;
    for (uint32_t i = CAP; i-- > 0;)
        free_slot[nfree++] = i;
    por_queue q;
    por_queue_init(&q);
    por_queue_attach(&q, node, CAP, free_slot, &nfree);
    ref_heap r = {0};
    uint64_t viewed = 0, killed = 0;
#define TAKE() (node[free_slot[nfree - 1]].ev.prio = 0, free_slot[--nfree])
    for (int i = 0; i < 100; i++) {
        por_qentry e = mk(shape_timer(0, 3600 * SHAPE_S), 1, (uint32_t)i, TAKE());
        push_both(&q, &r, e);
        order_at_push[e.slot] = e.order;
        timers[ntimers++] = e.slot;
    }
    for (size_t k = 0;; k++) {
        por_qentry got;
        if (!por_queue_pop(&q, &got))
            break;
        por_qentry want;
        do {
            ck_assert(r.len > 0);
            want = ref_pop(&r);
        } while (killed_has(killed_set, want.order) && got.order != want.order);
        expect_same(&got, &want, k);
        node[got.slot].ev.gen++;
        free_slot[nfree++] = got.slot;
        if (k % 97 == 0)
            expect_counts(&q);
        if (k >= 60000)
            continue;
        por_time_t now = got.time;
        if (ntimers > 0 && rnd_below(3) == 0) { /* cancel a queued timer */
            uint32_t j = (uint32_t)rnd_below(ntimers), sl = timers[j];
            timers[j] = timers[--ntimers];
            if (order_at_push[sl] != 0 && !(node[sl].ev.prio & POR_QNODE_DEAD) &&
                !killed_has(killed_set, order_at_push[sl]) && node[sl].order == order_at_push[sl]) {
                node[sl].ev.prio |= POR_QNODE_DEAD;
                killed_add(killed_set, order_at_push[sl]);
                killed++;
            }
        }
        if (rnd_below(20) == 0) {
            por_qentry e = mk(shape_timer(now, 20 * SHAPE_S), 1, (uint32_t)rnd_below(31), TAKE());
            push_both(&q, &r, e);
            order_at_push[e.slot] = e.order;
            if (ntimers < CAP)
                timers[ntimers++] = e.slot;
            continue;
        }
        unsigned m = r.len > CAP / 2 ? 0 : shape_burst();
        por_queue_view v;
        por_queue_view_take(&q, &v);
        for (unsigned j = 0; j < m; j++) { /* as the engine's fan-out */
            por_qentry e = mk(shape_message(now, j, m), 0, (uint32_t)rnd_below(31), TAKE());
            order_at_push[e.slot] = e.order;
            ref_push(&r, e);
            if (por_queue_view_link(&q, &v, e.time, e.order, e.slot)) {
                viewed++;
                continue;
            }
            if (!por_queue_try_push_front(&q, e.time, e.order, e.slot))
                por__queue_push_slow(&q, e.time, e.order, e.slot);
            por_queue_view_take(&q, &v);
        }
    }
#undef TAKE
    expect_counts(&q);
    ck_assert_uint_eq(q.len, 0);
    while (r.len > 0)
        ck_assert(killed_has(killed_set, ref_pop(&r).order));
    printf("nonempty_marks_match_counts: %llu view links, %llu cancelled\n",
           (unsigned long long)viewed, (unsigned long long)killed);
    ck_assert(viewed > 0 && killed > 0);
    free(r.h);
    por_queue_free(&q);
    free(node);
    free(free_slot);
    free(order_at_push);
    free(killed_set);
    free(timers);
}
END_TEST

/* Rule (queue.c, POR__FINE_SHIFT): a rung made for a near push or for a long bucket has
 * buckets at most 2^20 ns wide when 2^12 of them cover it, so that the bursts sent
 * next land in buckets of a few entries. Timers 250 ms apart give rung 0 buckets of
 * 2^30 ns; a push 80 ms after bottom's front splits bottom (por__split_for_near)
 * into buckets of 2^20, not of 2^26 as the push's distance alone would give; then 40
 * entries spread over a later rung-0 bucket are split at its drain (por__drain_long)
 * into buckets of 2^20, not of 2^27 as their count alone would give. */
START_TEST(test_burst_rungs_have_fine_buckets)
{
    uint64_t seed = por_test_seed() * 73 + 47;
    rnd_state = seed;
    printf("burst_rungs_have_fine_buckets: seed %llu\n", (unsigned long long)seed);
    por_queue q;
    por_queue_init(&q);
    ref_heap r = {0};
    uint32_t slot = 0;
    const por_time_t ms = 1000000, s = 1000 * ms;
    for (int i = 1; i <= 160; i++)
        push_both(&q, &r, mk(i * s / 4, 0, 0, slot++));
    push_both(&q, &r, mk(s / 4 + 1, 0, 0, slot++));
    por_time_t now = pop_both(&q, &r, 0);
    ck_assert_uint_eq(q.nrungs, 1);
    ck_assert_uint_eq(q.rung[0].shift, 30);
    push_both(&q, &r, mk(now + 80 * ms, 0, 1, slot++));
    ck_assert_uint_eq(q.nrungs, 2);
    ck_assert_uint_eq(q.rung[1].shift, 20);
    ck_assert_uint_le(q.rung[1].nb, 4096);
    /* 40 entries within the rung-0 bucket after the current one (count rule: 2^26) */
    const por__qrung *r0 = &q.rung[0];
    uint64_t b0 = r0->start + ((uint64_t)r0->cur << r0->shift);
    uint64_t span = (uint64_t)1 << r0->shift;
    for (int i = 0; i < 40; i++)
        push_both(&q, &r, mk((por_time_t)(b0 + span / 4 + rnd_below(span / 2)), 0, 2, slot++));
    ck_assert_uint_ge(q.rung[0].b[q.rung[0].cur].n, 40); /* and its timers */
    size_t pops = 1;
    unsigned pshift = q.rung[0].shift;
    while (q.rung[0].cur == (uint32_t)((b0 - q.rung[0].start) >> q.rung[0].shift))
        pop_both(&q, &r, pops++);
    /* the bucket of the 40 was taken: split into a child rung of fine buckets */
    ck_assert_uint_eq(q.nrungs, 2);
    ck_assert_uint_eq(q.rung[1].shift, 20);
    ck_assert_uint_eq(q.rung[1].nb, 1u << (pshift - 20));
    ck_assert_uint_eq(q.rung[1].start, b0);
    expect_counts(&q);
    while (r.len > 0)
        pop_both(&q, &r, pops++);
    ck_assert_uint_eq(q.len, 0);
    free(r.h);
    por_queue_free(&q);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("queue");
    TCase *t = tcase_create("order");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_orders_by_time);
    tcase_add_test(t, test_ties_prio_src_seq);
    tcase_add_test(t, test_random_batches_vs_qsort);
    tcase_add_test(t, test_interleaved_vs_reference_heap);
    tcase_add_test(t, test_drain_and_refill);
    tcase_add_test(t, test_extreme_times);
    tcase_add_test(t, test_big_instant_with_inserts_at_it);
    tcase_add_test(t, test_near_events_beside_far_timers);
    tcase_add_test(t, test_rung_from_bottom_ends_where_the_rung_above_starts);
    tcase_add_test(t, test_near_push_splits_wide_bottom);
    tcase_add_test(t, test_near_pushes_vs_reference_heap);
    tcase_add_test(t, test_view_link_same_as_try_push);
    tcase_add_test(t, test_prefetch_walker_stays_in_bounds);
    tcase_add_test(t, test_walker_runs_only_with_many_nodes);
    tcase_add_test(t, test_bucket_counts_match_lists);
    tcase_add_test(t, test_push_front_same_as_slow_path);
    tcase_add_test(t, test_long_bucket_of_one_instant_is_sorted);
    tcase_add_test(t, test_dead_entries_leave_at_their_drain);
    tcase_add_test(t, test_lists_survive_pool_growth);
    tcase_add_test(t, test_nonempty_marks_match_counts);
    tcase_add_test(t, test_burst_rungs_have_fine_buckets);
    suite_add_tcase(s, t);
    return s;
}
