/* Ladder queue of (time, order, slot) entries; see queue.h for the tiers and the key.
 *
 * Invariants (B = bottom, R_i = rung i, cur_start(R) = R.start + R.cur * 2^R.shift):
 *  - every entry in B sorts before every entry in the rungs and in top;
 *  - B holds exactly the entries with time < cur_start of the lowest rung (or, with no
 *    rung, < top_start); rung i+1 covers the bucket of rung i just before its cur, so
 *    an entry belongs to the first rung (from 0) whose cur_start <= its time;
 *  - top holds the entries with time >= top_start;
 *  - buckets of a rung before cur are empty, so a rung whose cur reached nb is empty. */
#include "queue.h"
#include "por/error.h"

#include <stdlib.h>
#include <string.h>

/* Rung 0 gets about one bucket per this many entries of top; child rungs likewise. */
#define POR__PER_BUCKET 4u
/* Most buckets of one rung. */
#define POR__MAX_BUCKETS ((uint64_t)1 << 20)
/* A rung made for one drained bucket (por__drain_long) or for a near push
 * (por__split_for_near) gets buckets at most 2^POR__FINE_SHIFT ns wide (about a
 * millisecond) when at most 2^POR__FINE_BITS of them cover it; finer when its own rule
 * says so.
 *
 * Why: the NEWEPOCH bursts of the year benchmark (about 930 deliveries within about
 * 100 ms) landed in such a rung's buckets of 2^22 to 2^27 ns, which were then split
 * again, relinking each delivery a second time (958,193 entries walked by the drains of
 * 19,337 long buckets a simulated day). In buckets of 2^20 ns they hold a few entries
 * each and are drained as they are: 239,696 entries walked by 7,528 such drains, mostly
 * of rung-0 buckets of timers and cancelled timers. The empty buckets this makes (7.6 M
 * skipped a day) are skipped through the rung's marks of non-empty buckets (queue.h,
 * por__bucket_relink), eight to a load (docs/PERFORMANCE.md "Performance XI"). */
#define POR__FINE_SHIFT 20u
#define POR__FINE_BITS 12u

void por_queue_init(por_queue *q)
{
    memset(q, 0, sizeof *q);
    q->pf = 0; /* parked: ncap is 0 */
    q->top_start = 0;
}

/* Grows next[] to NCAP + 1 entries, keeping the lists; the new ones hold POR__QNIL, so
 * the prefetch walker (queue.h), at most ncap, never reads a link out of bounds. */
static void por__next_reserve(por_queue *q, uint32_t ncap)
{
    size_t old = q->next ? (size_t)q->ncap + 1 : 0;
    if ((size_t)ncap + 1 <= old)
        return;
    q->next = por_xrealloc(q->next, ((size_t)ncap + 1) * sizeof *q->next);
    for (size_t i = old; i <= ncap; i++)
        q->next[i] = POR__QNIL;
}

void por_queue_attach(por_queue *q, por_qnode *node, uint32_t ncap, uint32_t *free_slots,
                      uint32_t *free_len)
{
    if (q->own_nodes)
        free(q->node);
    por__next_reserve(q, ncap);
    q->node = node;
    q->ncap = ncap;
    q->walk = ncap > POR__WALK_MIN_NODES;
    q->own_nodes = false;
    q->free_slots = free_slots;
    q->free_len = free_len;
}

/* Frees node SLOT, a cancelled event's, as a pop would have (generation bumped, the slot
 * on the free list): the rare half of por__drop_dead. */
static __attribute__((noinline, cold)) void por__free_dead(por_queue *q, uint32_t slot)
{
    POR_ASSERT(q->free_slots != NULL);
    q->node[slot].ev.gen++;
    q->free_slots[(*q->free_len)++] = slot;
    q->len--;
}

/* True when node SLOT is a cancelled event's (POR_QNODE_DEAD, set only by an engine that
 * attached its free list; a queue's own nodes start zeroed): the slot then leaves the
 * queue (por__free_dead). */
static inline bool por__drop_dead(por_queue *q, uint32_t slot)
{
    bool dead = (q->node[slot].ev.prio & POR_QNODE_DEAD) != 0;
    if (__builtin_expect(dead, 0))
        por__free_dead(q, slot);
    return dead;
}

void por_queue_free(por_queue *q)
{
    free(q->bot);
    free(q->top);
    free(q->ovl);
    free(q->next);
    if (q->own_nodes)
        free(q->node);
    for (unsigned i = 0; i < POR_QUEUE_RUNGS; i++) {
        free(q->rung[i].b);
        free(q->rung[i].nonempty);
    }
    memset(q, 0, sizeof *q);
}

/* Makes node[slot] exist (a queue used alone); an attached array must be big enough. */
static void por__node_reserve(por_queue *q, uint32_t slot)
{
    if (slot < q->ncap)
        return;
    POR_ASSERT(slot < POR__QNIL && (q->own_nodes || q->node == NULL));
    uint64_t cap = q->ncap ? q->ncap : 1024;
    while (cap <= slot)
        cap *= 2;
    if (cap > POR__QNIL)
        cap = POR__QNIL;
    por__next_reserve(q, (uint32_t)cap);
    /* and the spare node[cap] of the idle prefetch walker (por_queue_attach) */
    q->node = por_xrealloc(q->node, ((size_t)cap + 1) * sizeof *q->node);
    /* zeroed: no node of a queue used alone carries POR_QNODE_DEAD */
    memset(q->node + q->ncap, 0, ((size_t)cap + 1 - q->ncap) * sizeof *q->node);
    q->ncap = (uint32_t)cap;
    q->walk = cap > POR__WALK_MIN_NODES;
    q->own_nodes = true;
}

static void por__bot_reserve(por_queue *q, size_t n)
{
    if (n <= q->bcap)
        return;
    size_t cap = q->bcap ? q->bcap : 64;
    while (cap < n)
        cap *= 2;
    q->bot = por_xrealloc(q->bot, cap * sizeof *q->bot);
    q->bcap = cap;
}

/* A near push splits bottom into a rung when that gives at least this many buckets
 * (por__split_for_near)... */
#define POR__NEAR_MIN_BUCKETS 8u
/* ...and the rung gets at most 2^this many (POR__FINE_BITS). */
#define POR__NEAR_BITS POR__FINE_BITS
/* por__bottom_to_rung: choose the width from the number of entries. */
#define POR__NO_SHIFT 64u

static unsigned por__bit_length(uint64_t x) { return x ? (unsigned)(64 - __builtin_clzll(x)) : 0; }

static void por__ovl_push(por_queue *q, por_qentry e)
{
    if (q->olen == q->ocap) {
        q->ocap = q->ocap ? 2 * q->ocap : 64;
        q->ovl = por_xrealloc(q->ovl, q->ocap * sizeof *q->ovl);
    }
    por_qentry *h = q->ovl;
    size_t i = q->olen++;
    while (i > 0 && por_qentry_less(&e, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

/* Links E into the first rung whose current-or-later buckets cover its time; returns
 * false when E falls below the lowest rung's current bucket (it belongs in bottom). */
static bool por__rungs_insert(por_queue *q, por_qentry e)
{
    uint64_t t = (uint64_t)e.time;
    for (unsigned i = 0; i < q->nrungs; i++) {
        por__qrung *r = &q->rung[i];
        if (t >= r->start) {
            uint64_t k = (t - r->start) >> r->shift;
            if (k >= r->cur) {
                POR_ASSERT(k < r->nb);
                por__bucket_link(q, r->b, r->nonempty, k, e.time, e.order, e.slot);
                return true;
            }
        }
    }
    return false;
}

static void por__rung_reserve(por__qrung *r, uint32_t nb);
static unsigned por__ceil_log2(uint64_t x);

/* Makes a new lowest rung of NB empty buckets of 2^SHIFT ns from START, holding times
 * below END, and returns it (a rung must be free). */
static inline por__qrung *por__push_rung(por_queue *q, uint64_t start, uint64_t end, unsigned shift,
                                  uint32_t nb)
{
    POR_ASSERT(q->nrungs < POR_QUEUE_RUNGS);
    por__qrung *r = &q->rung[q->nrungs++];
    por__rung_reserve(r, nb);
    r->start = start;
    r->end = end;
    r->shift = shift;
    r->nb = nb;
    r->cur = 0;
    return r;
}

/* The start of what lies above bottom: the lowest rung's current start (its end if its
 * current bucket reaches past it), or top_start without rungs. */
static uint64_t por__bottom_limit(const por_queue *q)
{
    if (q->nrungs == 0)
        return q->top_start;
    const por__qrung *low = &q->rung[q->nrungs - 1];
    uint64_t hi = low->start + ((uint64_t)low->cur << low->shift);
    return hi < low->end ? hi : low->end;
}

/* Moves bottom and the overflow heap into a new lowest rung when they hold more than
 * POR__BOT_INSERT_MAX entries over more than one instant (WANT_SHIFT POR__NO_SHIFT), or
 * when a near push asks for buckets of 2^WANT_SHIFT (por__split_for_near); returns
 * false (nothing moved) otherwise or when no rung is free.
 *
 * Why: bottom is the drained bucket of the lowest rung, and a bucket's width comes from
 * the density of the entries pending when its rung was built. In the OCR model those
 * are a few timers seconds to hours apart, so a bucket is seconds wide, and everything
 * the handlers then schedule 80 ms ahead (a round's messages, the n^2 NEWEPOCHs of a
 * leader change) falls into the bucket being consumed: before this split, 9 pushes in
 * 10 went into bottom and most of those into the overflow heap (perf: heap 18 % of a
 * year's CPU). The new rung covers [lo, hi), lo the smallest time below the rungs and
 * hi the lowest rung's current start (top_start without rungs), with about one bucket
 * per POR__PER_BUCKET entries; later pushes into that span then take a bucket, and a
 * bucket drained with too many entries is split again by por__drain_long. The heap
 * stays for the entries of one instant, which no split by time can separate. */
static bool por__bottom_to_rung(por_queue *q, unsigned want_shift)
{
    if (q->nrungs >= POR_QUEUE_RUNGS || q->blen == 0)
        return false;
    uint64_t lo = (uint64_t)q->bot[q->blen - 1].time, top = (uint64_t)q->bot[0].time;
    if (q->olen != 0 && (uint64_t)q->ovl[0].time < lo)
        lo = (uint64_t)q->ovl[0].time;
    if (top == lo && want_shift == POR__NO_SHIFT)
        return false; /* one instant: only the full key orders it */
    uint64_t hi = por__bottom_limit(q);
    POR_ASSERT(hi > top);
    uint64_t n = q->blen + q->olen;
    unsigned k = por__ceil_log2(n / POR__PER_BUCKET);
    if (k > 20)
        k = 20;
    unsigned span_bits = por__ceil_log2(hi - lo);
    unsigned shift = span_bits > k ? span_bits - k : 0;
    if (want_shift != POR__NO_SHIFT) {
        if (want_shift > POR__FINE_SHIFT)
            want_shift = POR__FINE_SHIFT; /* fine buckets for the bursts to come */
        /* at most 2^POR__NEAR_BITS buckets */
        shift = span_bits > POR__NEAR_BITS && want_shift < span_bits - POR__NEAR_BITS
                    ? span_bits - POR__NEAR_BITS
                    : want_shift;
    }
    por__qrung *r = por__push_rung(q, lo, hi, shift, (uint32_t)(((hi - lo - 1) >> shift) + 1));
    for (size_t j = 0; j < q->blen; j++) {
        const por_qentry *e = &q->bot[j];
        por__bucket_link(q, r->b, r->nonempty, ((uint64_t)e->time - lo) >> shift, e->time,
                         e->order, e->slot);
    }
    for (size_t j = 0; j < q->olen; j++) {
        const por_qentry *e = &q->ovl[j];
        por__bucket_link(q, r->b, r->nonempty, ((uint64_t)e->time - lo) >> shift, e->time,
                         e->order, e->slot);
    }
    q->blen = 0;
    q->olen = 0;
    q->peeked_ovl = false;
    return true;
}

/* E goes below the lowest rung, AHEAD of bottom's front by D > 0 (a "near push"): when
 * what bottom covers is much wider than D, turns bottom into a new lowest rung with
 * buckets of D/2 to D, at most 2^POR__FINE_SHIFT ns (at most 2^POR__NEAR_BITS of them),
 * and links E there; returns false (nothing changed) otherwise.
 *
 * Why: bottom is the bucket being drained, and its width comes from the density of the
 * entries pending when its rung was built. In the OCR model those are timers about a
 * second apart, so a bucket is 2^30 ns wide, and the messages its handlers send 30 to
 * 300 ms ahead all fell into it: a third of all pushes were sorted inserts (binary
 * search and memmove, about 150 instructions) instead of a bucket link (about 20),
 * docs/PERFORMANCE.md "Performance III". After the split, later pushes about D ahead
 * land a few buckets on; a bucket once split is not split again unless a much nearer
 * push comes. Needs no estimate of the push-ahead time: the push that would have paid
 * the insert sets the width. PHOLD makes a few hundred near pushes in 10^6. */
static bool por__split_for_near(por_queue *q, por_qentry e, uint64_t d)
{
    if (q->nrungs >= POR_QUEUE_RUNGS)
        return false;
    unsigned bits = por__bit_length(d);
    unsigned shift = bits > 0 ? bits - 1 : 0;
    uint64_t front = (uint64_t)q->bot[q->blen - 1].time;
    if (((por__bottom_limit(q) - front) >> shift) < POR__NEAR_MIN_BUCKETS)
        return false;
    return por__bottom_to_rung(q, shift) && por__rungs_insert(q, e);
}

/* Inserts below the lowest rung: sorted into a small bottom; when bottom is large, into
 * a new rung made of it (por__bottom_to_rung), else into the heap. A near push into a
 * wide bottom splits it first (por__split_for_near). */
static void por__bot_insert(por_queue *q, por_qentry e)
{
    if (q->blen > 0 && e.time > q->bot[q->blen - 1].time &&
        por__split_for_near(q, e, (uint64_t)(e.time - q->bot[q->blen - 1].time)))
        return;
    if (q->blen > POR__BOT_INSERT_MAX) {
        if (por__bottom_to_rung(q, POR__NO_SHIFT) && por__rungs_insert(q, e))
            return;
        if (q->blen > POR__BOT_INSERT_MAX) {
            por__ovl_push(q, e);
            return;
        }
    }
    por__bot_reserve(q, q->blen + 1);
    if (q->blen == 0 || por_qentry_less(&e, &q->bot[q->blen - 1])) {
        /* before the front (a message to itself, due now): no search, nothing moves */
        q->bot[q->blen++] = e;
        return;
    }
    /* Entries before position lo are greater than E. */
    size_t lo = 0, hi = q->blen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (por_qentry_less(&e, &q->bot[mid]))
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&q->bot[lo + 1], &q->bot[lo], (q->blen - lo) * sizeof *q->bot);
    q->bot[lo] = e;
    q->blen++;
}

const por_qentry *por__queue_peek_ovl(por_queue *q)
{
    /* Bottom and heap together hold everything below the lowest rung; the smaller of
     * their minima is next. */
    if (q->blen > 0 && por_qentry_less(&q->bot[q->blen - 1], &q->ovl[0])) {
        q->peeked_ovl = false;
        return &q->bot[q->blen - 1];
    }
    q->peeked_ovl = true;
    return &q->ovl[0];
}

void por__queue_drop_ovl(por_queue *q)
{
    q->len--;
    if (!q->peeked_ovl) {
        q->blen--;
        return;
    }
    por_qentry *h = q->ovl;
    por_qentry last = h[--q->olen];
    size_t n = q->olen, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && por_qentry_less(&h[c + 1], &h[c]))
            c++;
        if (!por_qentry_less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = last;
}

void por__queue_push_slow(por_queue *q, por_time_t time, uint64_t order, uint32_t slot)
{
    por_qentry e = {time, order, slot};
    POR_ASSERT(e.time >= 0);
    por__node_reserve(q, e.slot);
    uint64_t t = (uint64_t)e.time;
    q->len++;
    if (t >= q->top_start) {
        if (q->tlen == 0) {
            q->tmin = q->tmax = t;
        } else {
            if (t < q->tmin) q->tmin = t;
            if (t > q->tmax) q->tmax = t;
        }
        por_qnode *nd = &q->node[e.slot];
        nd->ev.time = e.time;
        nd->order = e.order;
        if (q->tlen == q->tcap) {
            q->tcap = q->tcap ? 2 * q->tcap : 1024;
            q->top = por_xrealloc(q->top, q->tcap * sizeof *q->top);
        }
        q->top[q->tlen++] = e.slot;
        return;
    }
    if (!por__rungs_insert(q, e))
        por__bot_insert(q, e);
}

static int por__cmp_desc(const void *pa, const void *pb)
{
    const por_qentry *a = pa, *b = pb;
    return por_qentry_less(b, a) ? -1 : por_qentry_less(a, b) ? 1 : 0;
}

/* Most entries sorted by rank (por__sort_desc): a bucket is split past
 * POR_QUEUE_THRESHOLD unless all its entries share one instant. */
#define POR__RANK_MAX POR_QUEUE_THRESHOLD

__extension__ typedef unsigned __int128 por__u128;

/* The rank sort: writes the N entries (KEY[i] = time << 64 | order, SLOT[i]) to OUT in
 * descending key order. */
static inline void por__rank_scatter(por_qentry *out, const por__u128 *key,
                                     const uint32_t *slot, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t rank = 0;
        for (size_t j = 0; j < n; j++)
            rank += key[j] > key[i];
        out[rank].time = (por_time_t)(uint64_t)(key[i] >> 64);
        out[rank].order = (uint64_t)key[i];
        out[rank].slot = slot[i];
    }
}

/* Sorts descending by key: by rank up to POR__RANK_MAX entries (the usual drained
 * bucket), insertion sort up to 24, qsort beyond.
 *
 * Why by rank: a drained bucket's entries are in random order, so an insertion sort
 * mispredicts its inner loop's exit about once an entry (perf: a fifth of PHOLD's time
 * in the sort). Counting for each entry how many keys are greater takes n^2 compares
 * but no data-dependent branch (a 128-bit compare is a subtract with borrow), and that
 * count is the entry's index in the descending order because keys are distinct. A
 * micro-benchmark of 7-entry buckets of random keys: 9.3 cycles an entry against 21. A
 * drained bucket short enough is sorted as its list is read (por__list_sorted_to_bottom). */
static void por__sort_desc(por_qentry *a, size_t n)
{
    if (n <= POR__RANK_MAX) {
        /* the key holds the entry's time and order: with the slot, the whole entry */
        por__u128 key[POR__RANK_MAX];
        uint32_t slot[POR__RANK_MAX];
        for (size_t i = 0; i < n; i++) {
            key[i] = ((por__u128)(uint64_t)a[i].time << 64) | a[i].order; /* times >= 0 */
            slot[i] = a[i].slot;
        }
        por__rank_scatter(a, key, slot, n);
        return;
    }
    if (n > 24) {
        qsort(a, n, sizeof *a, por__cmp_desc);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        por_qentry x = a[i];
        size_t j = i;
        while (j > 0 && por_qentry_less(&a[j - 1], &x)) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Copies the entries of list HEAD into the (empty) bottom, unsorted, less the cancelled
 * ones (por__drop_dead); returns how many. */
static uint32_t por__list_to_bottom(por_queue *q, uint32_t head)
{
    POR_ASSERT(q->blen == 0 && head != POR__QNIL);
    uint32_t k = 0;
    for (uint32_t i = head; i != POR__QNIL;) {
        const por_qnode *nd = &q->node[i];
        uint32_t next = q->next[i];
        if (!por__drop_dead(q, i)) {
            if (k == q->bcap)
                por__bot_reserve(q, (size_t)k + 1);
            q->bot[k].time = nd->ev.time;
            q->bot[k].order = nd->order;
            q->bot[k].slot = i;
            k++;
        }
        i = next;
    }
    return k;
}

/* Puts the N = 1 or 2 entries of list HEAD into the (empty) bottom, sorted: inline in
 * the refill, which takes such buckets in about half its drains (202,554 of 421,422 a
 * simulated day of the year benchmark); through the rank sort's function, its call and
 * frame cost about as much as the work (docs/PERFORMANCE.md "Performance XI"). */
static inline void por__list_short_to_bottom(por_queue *q, uint32_t head, uint32_t n)
{
    POR_ASSERT(q->blen == 0 && head != POR__QNIL && n >= 1 && n <= 2);
    por__bot_reserve(q, 2);
    const por_qnode *h = &q->node[head];
    por_qentry a = {h->ev.time, h->order, head};
    if (n == 1) {
        q->bot[0] = a;
        q->blen = 1;
        return;
    }
    uint32_t second = q->next[head];
    const por_qnode *g = &q->node[second];
    por_qentry b = {g->ev.time, g->order, second};
    bool a_first = por_qentry_less(&a, &b);
    q->bot[0] = a_first ? b : a;
    q->bot[1] = a_first ? a : b;
    q->blen = 2;
}

/* Sorts the 3 <= N <= POR__RANK_MAX entries of list HEAD into the (empty) bottom in the same
 * pass that reads them. N comes from the bucket, so the walk needs no test for the
 * list's end. Out of line: the refill calls it for about half its drains (the others,
 * of one or two entries, take por__list_short_to_bottom inline), and inlined its frame
 * (the keys on the stack, six saved registers) was paid by every refill. Cancelled
 * entries are not dropped here but popped (the engine skips them): the test cost PHOLD,
 * which cancels nothing, 1-2 %, and of the year benchmark's 157,729 cancellations a
 * simulated day none is in a short bucket when drained (153,456 are dropped by
 * por__drain_long, 4,273 popped).
 *
 * Ranked by time alone first: an entry's rank is the number of later times, a 64-bit
 * compare and an add with carry a pair instead of a 128-bit compare (subtract, subtract
 * with borrow, add with carry). Without a shared instant the ranks are 0..N-1, each
 * once; two entries of one instant get one rank and leave another unused, which the
 * mask of ranks taken shows, and the entries are then ranked again by the full key
 * (por__rank_scatter), whose order breaks the tie. Nothing else reads the partial
 * result: every place of the bottom is written again. A simulated day of the year
 * benchmark ranks 680,163 entries this way, a shared instant among them rarely: 722.4 ->
 * 712.3 M instructions, about 15 fewer an entry (docs/PERFORMANCE.md "Performance
 * XIII"). */
static __attribute__((noinline)) void por__list_sorted_to_bottom(por_queue *q, uint32_t head,
                                                                  uint32_t n)
{
    POR_ASSERT(q->blen == 0 && head != POR__QNIL && n >= 3 && n <= POR__RANK_MAX);
    uint64_t time[POR__RANK_MAX]; /* times >= 0: compared unsigned, a compare and an add
                                      with carry */
    uint64_t order[POR__RANK_MAX];
    uint32_t slot[POR__RANK_MAX];
    uint32_t i = head;
    for (uint32_t j = 0; j < n; j++) {
        const por_qnode *nd = &q->node[i];
        time[j] = (uint64_t)nd->ev.time;
        order[j] = nd->order;
        slot[j] = i;
        i = q->next[i];
    }
    por__bot_reserve(q, n);
    por_qentry *out = q->bot;
    uint32_t taken = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t t = time[k];
        uint32_t rank = 0;
        for (uint32_t j = 0; j < n; j++)
            rank += t < time[j];
        taken |= 1u << rank;
        out[rank].time = (por_time_t)t;
        out[rank].order = order[k];
        out[rank].slot = slot[k];
    }
    if (__builtin_expect(taken != (1u << n) - 1, 0)) { /* an instant shared */
        por__u128 key[POR__RANK_MAX];
        for (uint32_t k = 0; k < n; k++)
            key[k] = ((por__u128)time[k] << 64) | order[k];
        por__rank_scatter(out, key, slot, n);
    }
    q->blen = n;
}

/* Gives rung R room for NB buckets, the new ones empty and their marks clear, and the 8
 * marks past the last bucket clear for por__next_bucket's loads (a rung's buckets and
 * marks are all clear when it is dropped, so a reused rung starts empty). */
static void por__rung_reserve(por__qrung *r, uint32_t nb)
{
    if (nb <= r->bcap)
        return;
    r->b = por_xrealloc(r->b, (size_t)nb * sizeof *r->b);
    for (uint32_t i = r->bcap; i < nb; i++)
        r->b[i] = (por__qbucket){POR__QNIL, 0};
    size_t m0 = r->bcap ? (size_t)r->bcap + 8 : 0, m1 = (size_t)nb + 8;
    r->nonempty = por_xrealloc(r->nonempty, m1);
    memset(r->nonempty + m0, 0, m1 - m0);
    r->bcap = nb;
}

/* The first non-empty bucket of rung R at or after C and before LIM (<= R.nb), or LIM
 * when there is none: the rung's marks read eight at a time, the first set one found by
 * counting trailing zero bits (marks past nb are clear, and the 8 past the last bucket
 * exist, por__rung_reserve). Replaces a load and a test per empty bucket, which
 * mispredicted at the end of each run of empties (docs/PERFORMANCE.md "Performance XI"). */
static inline uint32_t por__next_bucket(const por__qrung *r, uint32_t c, uint32_t lim)
{
    for (; c < lim; c += 8) {
        uint64_t m;
        memcpy(&m, r->nonempty + c, 8);
        if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            uint32_t k = c + ((uint32_t)__builtin_ctzll(m) >> 3);
#else
            uint32_t k = c + ((uint32_t)__builtin_clzll(m) >> 3);
#endif
            return k < lim ? k : lim;
        }
    }
    return lim;
}

/* Empties bucket K of rung R and returns what it held (its list and count): with
 * por__bucket_relink, which fills a bucket, the places a bucket's mark changes. */
static inline por__qbucket por__bucket_take(por__qrung *r, uint64_t k)
{
    por__qbucket bk = r->b[k];
    r->b[k] = (por__qbucket){POR__QNIL, 0};
    r->nonempty[k] = 0;
    return bk;
}

static unsigned por__ceil_log2(uint64_t x)
{
    return x <= 1 ? 0 : (unsigned)(64 - __builtin_clzll(x - 1));
}

/* Drains the list HEAD of N > POR__RANK_MAX entries, taken from a bucket covering
 * [BSTART, BSTART + 2^PSHIFT) of a rung ending at PEND: when its entries are spread over
 * more than one instant and a rung is free, relinks them into a new lowest rung as the
 * list is walked, leaving the bottom empty; otherwise sorts them into the bottom. The
 * new rung has about one bucket per POR__PER_BUCKET entries, buckets at most
 * 2^POR__FINE_SHIFT ns wide when 2^POR__FINE_BITS suffice (see there).
 *
 * Why in the walk: the bucket's count says the list is long before it is read, so the
 * entries go from their nodes straight into the child buckets. They were read three
 * times before (a failed short-list pass of 16, a copy into the bottom, a pass over the
 * copy to relink), and such splits moved about 1.1 M entries a simulated day of the
 * year benchmark, about 0.8 an event (docs/PERFORMANCE.md "Performance VI"). Cancelled
 * entries leave the queue in the walk (por__drop_dead): the pacemaker's progress timers,
 * reset every round, wait in such buckets (docs/PERFORMANCE.md "Performance VII"). */
static __attribute__((noinline)) void por__drain_long(por_queue *q, uint32_t head, uint32_t n,
                                                      uint64_t bstart, unsigned pshift,
                                                      uint64_t pend)
{
    POR_ASSERT(q->blen == 0 && n > POR__RANK_MAX);
    if (pshift > 0 && q->nrungs < POR_QUEUE_RUNGS) {
        unsigned k = por__ceil_log2(n / POR__PER_BUCKET);
        if (k > pshift)
            k = pshift;
        if (k > 20)
            k = 20;
        if (pshift - k > POR__FINE_SHIFT) { /* buckets of 2^POR__FINE_SHIFT if few enough */
            unsigned kf = pshift - POR__FINE_SHIFT;
            k = kf <= POR__FINE_BITS ? kf : k > POR__FINE_BITS ? k : POR__FINE_BITS;
        }
        /* ends at the parent's current start, or its end if its last bucket reaches past */
        uint64_t bend = bstart + ((uint64_t)1 << pshift);
        por__qrung *r = por__push_rung(q, bstart, bend < pend ? bend : pend, pshift - k, 1u << k);
        uint64_t t0 = (uint64_t)q->node[head].ev.time, spread = 0;
        for (uint32_t i = head; i != POR__QNIL;) {
            uint32_t next = q->next[i];
            uint64_t t = (uint64_t)q->node[i].ev.time;
            if (!por__drop_dead(q, i)) {
                spread |= t ^ t0;
                por__bucket_relink(q, r->b, r->nonempty, (t - bstart) >> r->shift, i);
            }
            i = next;
        }
        if (spread)
            return;
        /* One instant (only the full key orders it), or none left: all went into one
         * bucket; take the list back from there and drop the rung. */
        uint64_t ko = (t0 - bstart) >> r->shift;
        head = por__bucket_take(r, ko).head;
        q->nrungs--;
        if (head == POR__QNIL)
            return; /* every entry was a cancelled event's */
    }
    uint32_t m = por__list_to_bottom(q, head);
    POR_ASSERT(m <= n);
    por__sort_desc(q->bot, m);
    q->blen = m;
}

/* Builds rung 0 from top (bottom empty, no rungs).
 *
 * The bucket width comes from the density at the front of top, not from its whole
 * span: pending times are usually skewed towards now (PHOLD's are exponential), and
 * the front is what is consumed while the rung is current. A histogram of
 * bit_length(t - tmin) gives, in one pass, the span holding the first eighth of the
 * entries (the front density) and the one holding half of them. The rung covers at
 * least that half, so each rebuild moves at least half of top and entries are relinked
 * O(1) times amortized; entries past the rung's end stay in top. */
static void por__top_to_rung0(por_queue *q)
{
    uint32_t hist[65] = {0};
    uint64_t tmin = q->tmin;
    for (size_t i = 0; i < q->tlen; i++)
        hist[por__bit_length((uint64_t)q->node[q->top[i]].ev.time - tmin)]++;
    /* cum(b) = entries with t - tmin < 2^b = hist[0..b]. */
    uint64_t eighth = q->tlen / 8 ? q->tlen / 8 : 1, half = (q->tlen + 1) / 2;
    uint64_t cum = 0, cum8 = 0;
    unsigned b8 = 64, bh = 64;
    for (unsigned b = 0; b <= 64; b++) {
        cum += hist[b];
        if (b8 == 64 && cum >= eighth) {
            b8 = b;
            cum8 = cum;
        }
        if (cum >= half) {
            bh = b;
            break;
        }
    }
    /* Width ~ POR__PER_BUCKET entries at the front density cum8 / 2^b8. */
    unsigned l = por__bit_length(cum8 / POR__PER_BUCKET);
    unsigned shift = l > 0 && b8 >= l - 1 ? b8 - (l - 1) : 0;
    if (shift > 62)
        shift = 62;
    uint64_t span = q->tmax - tmin;
    uint64_t nb;
    for (;;) {
        uint64_t full = (span >> shift) + 1;
        uint64_t need = bh >= 64 ? full : ((((uint64_t)1 << bh) - 1) >> shift) + 1;
        uint64_t soft = 2 * (uint64_t)q->tlen;
        nb = need > soft ? need : soft;
        if (nb > full)
            nb = full;
        if (nb <= POR__MAX_BUCKETS)
            break;
        shift++;
    }
    /* tmin + nb * 2^shift <= tmax + 2^shift < 2^64 for times below 2^63. */
    uint64_t end = tmin + (nb << shift);
    POR_ASSERT(q->nrungs == 0);
    por__qrung *r = por__push_rung(q, tmin, end, shift, (uint32_t)nb);
    q->top_start = end;
    /* Spread what falls before END; the rest stays in top (compacted in place). */
    size_t nrest = 0;
    uint64_t rmin = UINT64_MAX, rmax = 0;
    for (size_t j = 0; j < q->tlen; j++) {
        uint32_t i = q->top[j];
        por_qnode *nd = &q->node[i];
        uint64_t t = (uint64_t)nd->ev.time;
        if (t < end) {
            if (!por__drop_dead(q, i))
                por__bucket_relink(q, r->b, r->nonempty, (t - tmin) >> shift, i);
        } else {
            q->top[nrest++] = i;
            if (t < rmin) rmin = t;
            if (t > rmax) rmax = t;
        }
    }
    q->tlen = nrest;
    q->tmin = rmin;
    q->tmax = rmax;
}

bool por__queue_refill(por_queue *q)
{
    while (q->blen == 0) {
        if (q->nrungs > 0) {
            por__qrung *r = &q->rung[q->nrungs - 1];
            uint32_t c = por__next_bucket(r, r->cur, r->nb);
            r->cur = c;
            if (c == r->nb) {
                /* Rung used up: everything before the next rung's cur is consumed. */
                if (--q->nrungs == 0)
                    q->top_start = 0;
                continue;
            }
            por__qbucket bk = por__bucket_take(r, c);
            r->cur = c + 1;
            if (bk.n <= 2)
                por__list_short_to_bottom(q, bk.head, bk.n);
            else if (bk.n <= POR__RANK_MAX)
                por__list_sorted_to_bottom(q, bk.head, bk.n);
            else
                por__drain_long(q, bk.head, bk.n, r->start + ((uint64_t)c << r->shift),
                                r->shift, r->end);
            if (q->blen == 0)
                continue; /* split into a new rung */
            /* Start the prefetch walker on the next non-empty bucket within 8. */
            if (q->walk) {
                q->pf = q->ncap; /* parked */
                uint32_t lim = r->nb - c > 9 ? c + 9 : r->nb;
                uint32_t nx = por__next_bucket(r, c + 1, lim);
                if (nx < lim) {
                    q->pf = r->b[nx].head;
                    __builtin_prefetch(&q->node[q->pf]);
                }
            }
            return true;
        }
        if (q->tlen == 0) {
            q->top_start = 0;
            return false;
        }
        if (q->tlen <= POR_QUEUE_THRESHOLD || q->tmax == q->tmin) {
            size_t n = q->tlen;
            por__bot_reserve(q, n);
            for (size_t j = 0; j < n; j++) {
                uint32_t i = q->top[j];
                q->bot[j].time = q->node[i].ev.time;
                q->bot[j].order = q->node[i].order;
                q->bot[j].slot = i;
            }
            por__sort_desc(q->bot, n);
            q->blen = n;
            q->tlen = 0;
            q->top_start = q->tmax + 1;
            return true;
        }
        por__top_to_rung0(q);
    }
    return true;
}
