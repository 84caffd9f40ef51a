/* The pending-event set of the engine (internal to sim/core): a ladder queue.
 *
 * Keys are (time, order) where ORDER packs the priority class, source entity and
 * per-source sequence number, so comparing two keys gives the total event order of
 * README.md ("Determinism") without ever looking at a pointer. Every key is distinct (a
 * source never reuses a sequence number), so the order is total.
 *
 * Layout (after Tang, Goh & Thng, "Ladder queue", ACM TOMACS 2005), three tiers:
 *   top    unsorted array of the slots of entries with time >= top_start (far future);
 *   rungs  up to POR_QUEUE_RUNGS arrays of buckets; rung i+1 splits one bucket of
 *          rung i. A bucket is an unsorted list (threaded through the nodes) of the
 *          entries whose time falls in [start + k*2^shift, start + (k+1)*2^shift),
 *          with its length; a rung marks its non-empty buckets, a byte each. Widths are
 *          powers of two, so the bucket of a time is a subtraction and a shift;
 *   bottom the entries before the lowest rung's current bucket, sorted descending by
 *          the full key, so the smallest is at the end and a pop is an index decrement.
 * Buckets are only ever filled by time, and all entries of one instant fall into one
 * bucket, so sorting a bucket by (time, order) orders ties exactly like a heap would.
 * When bottom runs empty the next non-empty bucket of the lowest rung is sorted into it
 * (or, when it holds more than POR_QUEUE_THRESHOLD entries spread over several instants,
 * relinked into a new rung in the walk that reads it); an entry due before bottom's
 * smallest is appended to it; when the ladder runs empty, rung 0 is built over the front
 * of top (width from the density there, see por__top_to_rung0). A push into bottom well
 * ahead of its front turns a wide bottom into a rung of buckets about that far apart
 * (por__split_for_near), so the pushes after it take a bucket instead of a sorted
 * insert. Each entry is thus moved a small constant number of times: O(1) amortized
 * per event.
 *
 * Speed (sim/bench/PERF_LOG.md): a node is the engine's 64-byte pool slot, so draining
 * a bucket warms the line each handler reads; while bottom is consumed a prefetch walker
 * runs ahead along the next bucket's list (when the nodes outgrow the cache,
 * POR__WALK_MIN_NODES); the rung-0 push is inline; a cancelled event's entry leaves the
 * queue when a split or a rung-0 build walks its node, its slot back on the engine's free
 * list (POR_QNODE_DEAD, por_queue_attach). */
#ifndef POR_CORE_QUEUE_H
#define POR_CORE_QUEUE_H

#include "por/engine.h"
#include "por/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    por_time_t time;
    uint64_t order;
    uint32_t slot; /* index of the event in the engine's pool */
} por_qentry;

/* Most rungs the ladder grows; a bucket still too full at the last one is sorted. */
#define POR_QUEUE_RUNGS 8
/* A bucket with more entries than this is split into a new rung rather than sorted. */
#define POR_QUEUE_THRESHOLD 16

/* Rung and top entries live in nodes indexed by the entry's slot, chained into singly
 * linked lists: moving an entry between tiers relinks it instead of copying it, an
 * empty bucket costs 8 bytes, and no node allocator is needed because slots are unique
 * among pending events. A node is the engine's whole pool slot (the event plus the
 * entry's order), one cache line: draining a bucket loads the very line the run loop
 * reads next. The engine attaches its pool with por_queue_attach; a queue used alone
 * grows its own node array.
 *
 * The lists' links are not in the nodes but in the queue's own array next[slot], 4
 * bytes a slot. Why: a walk along a list (a split, a sort into the bottom) loaded each
 * node to learn where the next one is, so each cache miss on a node waited for the one
 * before; the far-future entries a split walks (timers due tens of seconds later) have
 * left the cache by then. With the links in a dense array that stays cached, the walk
 * runs ahead along next[] and the node loads overlap (docs/PERFORMANCE.md "Performance
 * VIII"). */
typedef struct {
    por_event ev;    /* ev.time is the entry's time */
    uint64_t order;
    uint64_t spare;
} por_qnode;
_Static_assert(sizeof(por_qnode) == 64, "a pool slot is one cache line");
#define POR__QNIL 0xFFFFFFFFu

/* The flag in ev.prio of an entry whose event was cancelled (por_sim_cancel). A queue
 * that has a free list (por_queue_attach) drops such an entry when it walks its node,
 * instead of carrying it on to a pop. */
#define POR_QNODE_DEAD 0x8000u

/* A bucket: the head of its list (POR__QNIL when empty) and how many entries the list
 * holds. The count lets a drain choose its way before walking the list: a short bucket
 * is sorted as it is read, a long one is split into a new rung in one walk (queue.c,
 * por__queue_refill). Same cache line as the head, so keeping it costs a push one add. */
typedef struct {
    uint32_t head;
    uint32_t n;
} por__qbucket;

typedef struct {
    uint64_t start;     /* time of bucket 0 */
    uint64_t end;       /* the rung holds times in [start + cur * 2^shift, end): END is
                           the next rung's current start when the rung was made (top_start
                           for rung 0), constant while the rung exists */
    unsigned shift;     /* bucket width is 2^shift ns */
    uint32_t nb, cur;   /* buckets in use; first bucket not yet taken */
    por__qbucket *b;    /* buckets (capacity bcap, kept across reuse); 8 bytes each
                           to keep the array small */
    uint8_t *nonempty;  /* nonempty[k] is 1 exactly when bucket k is non-empty
                           (por__bucket_relink, por__bucket_take); bcap + 8 bytes,
                           the 8 past the buckets 0 */
    uint32_t bcap;
} por__qrung;

typedef struct {
    por_qentry *bot;    /* sorted descending: smallest key at bot[blen - 1] */
    size_t blen, bcap;
    por_qnode *node;    /* node[slot] for entries in top and the rungs */
    uint32_t *next;     /* next[slot]: the next node in slot's list, or POR__QNIL; NCAP
                           + 1 entries (next[ncap], POR__QNIL, holds the parked prefetch
                           walker), owned by the queue (see por_qnode) */
    uint32_t ncap;
    bool own_nodes;     /* node was allocated here (not attached) */
    /* The engine's stack of free pool slots (por_queue_attach), where a drain puts the
     * slot of an entry marked POR_QNODE_DEAD, its generation bumped as a pop would (the
     * cancelled event's handle no longer reaches the slot). NULL: nothing is dropped.
     * Why: a simulated day of the year benchmark cancels 157,729 events (mostly the
     * pacemaker's progress timer, reset every round); each went on through the sort of
     * its drained bucket, the bottom and the run loop only to be skipped. */
    uint32_t *free_slots, *free_len;
    uint32_t *top;      /* slots of the entries with time >= top_start, unordered: an
                           array, so passes over top load the nodes independently */
    size_t tlen, tcap;
    uint64_t top_start, tmin, tmax;
    por__qrung rung[POR_QUEUE_RUNGS];
    unsigned nrungs;
    size_t len;         /* entries in all tiers */
    uint32_t pf;        /* prefetch walker in the next bucket's list, or ncap when idle
                           (parked: por__queue_prefetch_step) */
    bool walk;          /* the prefetch walker runs: more than POR__WALK_MIN_NODES nodes
                           (set with ncap; see por__queue_prefetch_step) */
    /* Entries pushed below the lowest rung while the bottom is large go to this binary
     * min-heap instead of a sorted insert, which would move half the bottom each time
     * (many events at one instant, each scheduling more at that instant). Empty in
     * the usual case, where the pop path never looks at it. */
    por_qentry *ovl;
    size_t olen, ocap;
    bool peeked_ovl;    /* the last peek returned ovl[0] */
} por_queue;

/* Packs the tie-breaking part of the key: priority (4 bits), source (24), seq (36). */
static inline uint64_t por_queue_order(unsigned prio, uint32_t src, uint64_t seq)
{
    return ((uint64_t)prio << 60) | ((uint64_t)(src & 0xFFFFFFu) << 36) |
           (seq & 0xFFFFFFFFFull);
}

static inline bool por_qentry_less(const por_qentry *a, const por_qentry *b)
{
    return a->time < b->time || (a->time == b->time && a->order < b->order);
}

/* Sets up an empty queue. Free with por_queue_free. */
void por_queue_init(por_queue *q);
void por_queue_free(por_queue *q);

/* Makes NODE[0..NCAP] (owned by the caller, 64-byte aligned for speed) the queue's node
 * array; the caller re-attaches after moving or growing it. Slots pushed must then be
 * below NCAP; NODE[NCAP] is a spare the queue never writes, where the idle prefetch
 * walker points its prefetches (por__queue_prefetch_step). FREE_SLOTS[0 .. *FREE_LEN),
 * with room for NCAP slots, is the caller's stack of free slots, where drains put the
 * slots of entries marked POR_QNODE_DEAD (or NULL: such entries are kept and popped).
 * The queue's next[] grows to NCAP + 1 entries with it, keeping the lists of the entries
 * already queued. */
void por_queue_attach(por_queue *q, por_qnode *node, uint32_t ncap, uint32_t *free_slots,
                      uint32_t *free_len);

/* Slow path of por_queue_push: node growth, top, lower rungs, bottom. The entry comes
 * as its three fields, in registers: a por_qentry by value goes through the stack, and
 * that made every inlined push (the engine's schedule) keep a stack frame for it. */
void por__queue_push_slow(por_queue *q, por_time_t time, uint64_t order, uint32_t slot);

/* Links node SLOT (its time and order already written) at the front of bucket K of the
 * rung whose buckets are B and whose marks are NONEMPTY: the one place a list, its count
 * and its mark change together.
 *
 * Why the marks: a refill looks for the next non-empty bucket and the prefetch walker
 * for the one after it. With a byte per bucket, 1 while it holds entries, that is one
 * load and a count of trailing zeros for eight buckets (queue.c, por__next_bucket)
 * instead of a load and a test per bucket, so the fine buckets of the rungs made for
 * bursts cost little to skip (docs/PERFORMANCE.md "Performance XI"). A byte, not a bit:
 * the mark is then one store on every link; a bit (load, shift, or) cost about 18 M more
 * instructions a simulated day of the year benchmark. Cleared when the bucket is
 * emptied (queue.c, por__bucket_take). */
static inline void por__bucket_relink(por_queue *q, por__qbucket *b, uint8_t *nonempty,
                                      uint64_t k, uint32_t slot)
{
    por__qbucket *bk = &b[k];
    q->next[slot] = bk->head;
    bk->head = slot;
    bk->n++;
    nonempty[k] = 1;
}

/* Writes the entry (TIME, ORDER, SLOT) into its node and links it into bucket K of the
 * rung with buckets B and marks NONEMPTY. */
static inline void por__bucket_link(por_queue *q, por__qbucket *b, uint8_t *nonempty, uint64_t k,
                                    por_time_t time, uint64_t order, uint32_t slot)
{
    por_qnode *nd = &q->node[slot];
    nd->ev.time = time;
    nd->order = order;
    por__bucket_relink(q, b, nonempty, k, slot);
}

/* Adds the entry (TIME, ORDER, SLOT) to bucket K of the rung with buckets B and marks
 * NONEMPTY (the fast paths of por_queue_push and por_queue_view_link). */
static inline void por__queue_link(por_queue *q, por__qbucket *b, uint8_t *nonempty, uint64_t k,
                                   por_time_t time, uint64_t order, uint32_t slot)
{
    por__bucket_link(q, b, nonempty, k, time, order, slot);
    q->len++;
}

/* Adds an entry when it falls into a current-or-later bucket of a rung (the fast path of
 * por_queue_push) and returns true; returns false, the queue untouched, otherwise. Rung i
 * holds [its current start, end), end of rung i + 1 being the current start of rung i
 * and end of rung 0 top_start, so the ranges are disjoint: rung 0 is tried first
 * (PHOLD's pushes, timers further out), then the rungs from the lowest up (the full
 * model's message deliveries, tens of ms ahead). */
static inline bool por_queue_try_push(por_queue *q, por_qentry e)
{
    uint64_t t = (uint64_t)e.time;
    if (e.time >= 0 && q->nrungs > 0 && e.slot < q->ncap) {
        por__qrung *r = &q->rung[0];
        uint64_t k = (t - r->start) >> r->shift;
        if (t >= r->start && t < q->top_start && k >= r->cur) {
            por__queue_link(q, r->b, r->nonempty, k, e.time, e.order, e.slot);
            return true;
        }
        for (unsigned i = q->nrungs; i-- > 1;) {
            r = &q->rung[i];
            if (t < r->end) {
                k = (t - r->start) >> r->shift;
                if (t >= r->start && k >= r->cur) {
                    por__queue_link(q, r->b, r->nonempty, k, e.time, e.order, e.slot);
                    return true;
                }
                break; /* before the lowest rung's current bucket: bottom */
            }
        }
    }
    return false;
}

/* The rungs' ranges copied out for a burst of pushes (por_sim_schedule_fanout), lowest
 * rung first: rung j of the view takes times in [lo[j], hi[j]) (its current start to its
 * end, top_start for rung 0). Valid until the next push that takes the slow path, pop or
 * refill; unused entries have lo = UINT64_MAX, hi = 0.
 *
 * Why: por_queue_try_push tries rung 0, then the rungs from the lowest up, reading each
 * rung's fields again after every store into the pool (they may alias), and each of its
 * tests depends on the time: about three branches a push that no predictor can learn,
 * since a broadcast's deliveries fall in rung 0, the lowest rung or one between at
 * random (1 day of the year benchmark: 217,496, 522,623 and 596,711 of them). The
 * ranges are consecutive, lowest rung first, so the rung of a time is the number of
 * ranges starting at or before it, minus one: counted without a branch. */
typedef struct {
    uint64_t lo[POR_QUEUE_RUNGS], hi[POR_QUEUE_RUNGS], start[POR_QUEUE_RUNGS];
    por__qbucket *b[POR_QUEUE_RUNGS];
    uint8_t *nonempty[POR_QUEUE_RUNGS];
    unsigned shift[POR_QUEUE_RUNGS];
    unsigned n;
} por_queue_view;

static inline void por_queue_view_take(const por_queue *q, por_queue_view *v)
{
    unsigned n = q->nrungs;
    v->n = n;
    for (unsigned j = 0; j < POR_QUEUE_RUNGS; j++) {
        if (j < n) {
            const por__qrung *r = &q->rung[n - 1 - j];
            v->start[j] = r->start;
            v->shift[j] = r->shift;
            v->b[j] = r->b;
            v->nonempty[j] = r->nonempty;
            uint64_t lo = r->start + ((uint64_t)r->cur << r->shift);
            v->hi[j] = j + 1 == n ? q->top_start : r->end;
            /* a current bucket reaching past the end (a rung made from the bottom or used
             * up): an empty range at the end, so the ranges stay in order for the count */
            v->lo[j] = lo < v->hi[j] ? lo : v->hi[j];
        } else {
            v->lo[j] = UINT64_MAX;
            v->hi[j] = 0;
        }
    }
}

/* Links the entry (TIME, ORDER, SLOT) into its rung's bucket, as por_queue_try_push
 * would (the same rung and bucket: the ranges are disjoint), when TIME falls in a rung of
 * V, and returns true; returns false, the queue untouched, otherwise. SLOT < q->ncap. */
static inline bool por_queue_view_link(por_queue *q, const por_queue_view *v, por_time_t time,
                                       uint64_t order, uint32_t slot)
{
    uint64_t t = (uint64_t)time;
    unsigned c = 0;
    for (unsigned j = 0; j < v->n; j++)
        c += t >= v->lo[j];
    /* c = 0 (below every rung) gives the last entry, whose lo is above t */
    unsigned j = (c - 1) & (POR_QUEUE_RUNGS - 1);
    /* One test, not two branches: inside is the usual case */
    if (!((unsigned)(t >= v->lo[j]) & (unsigned)(t < v->hi[j])))
        return false;
    por__queue_link(q, v->b[j], v->nonempty[j], (t - v->start[j]) >> v->shift[j], time, order,
                    slot);
    return true;
}

/* Bottoms up to this size take sorted inserts; past it, inserts go to the heap. */
#define POR__BOT_INSERT_MAX 64

/* Adds the entry (TIME, ORDER, SLOT) at the end of the bottom when it sorts before the
 * bottom's smallest entry and the slow path would put it there too (no overflow heap, a
 * bottom of 1 to POR__BOT_INSERT_MAX entries with room for one more), and returns true;
 * returns false, the queue untouched, otherwise. A bottom entry is the por_qentry alone:
 * its node is not written.
 *
 * Why: a broadcast's delivery to its sender is due at once, and it and other messages
 * due before the next event (62,567 a simulated day of the year benchmark) took the
 * slow path, which tries top, the rungs and a near split before appending. */
static inline bool por_queue_try_push_front(por_queue *q, por_time_t time, uint64_t order,
                                            uint32_t slot)
{
    size_t n = q->blen;
    if (q->olen != 0 || n - 1 >= POR__BOT_INSERT_MAX || n == q->bcap)
        return false;
    por_qentry e = {time, order, slot};
    if (!por_qentry_less(&e, &q->bot[n - 1]))
        return false;
    q->bot[n] = e;
    q->blen = n + 1;
    q->len++;
    return true;
}

/* Adds an entry. E.time must be >= 0, keys must be distinct, and E.slot must not be the
 * slot of an entry still queued (slots index the queue's nodes). The slow path takes
 * entries for top and bottom. */
static inline void por_queue_push(por_queue *q, por_qentry e)
{
    if (!por_queue_try_push(q, e) && !por_queue_try_push_front(q, e.time, e.order, e.slot))
        por__queue_push_slow(q, e.time, e.order, e.slot);
}

/* Slow path of por_queue_peek: refills bottom from the rungs or top. Returns false when
 * the queue is empty. */
bool por__queue_refill(por_queue *q);

/* The smallest entry, or NULL when empty. May reorganize the queue (not its contents);
 * the pointer is valid until the next push or pop. */
/* Slow paths while the overflow heap is not empty. */
const por_qentry *por__queue_peek_ovl(por_queue *q);
void por__queue_drop_ovl(por_queue *q);

static inline const por_qentry *por_queue_peek(por_queue *q)
{
    if (q->olen != 0)
        return por__queue_peek_ovl(q);
    if (q->blen == 0 && !por__queue_refill(q))
        return NULL;
    return &q->bot[q->blen - 1];
}

/* The prefetch walker runs only when the queue has more nodes than this (q->walk, set
 * with ncap): 4,096 nodes of 64 bytes are 256 KB, a quarter of this machine's L2.
 *
 * Why: the walker pays where the nodes of the next bucket have left the cache, as in
 * PHOLD (16,384 pending events; without the walker about 8 % fewer events a second). The
 * year benchmark never has more than 1,024 events pending, its nodes stay cached, and
 * since its rungs got buckets of about a millisecond (one or two entries each, Performance
 * XI) the walker there only cost its scan for the next bucket at each refill and its step
 * at each pop: 712.3 M -> 682.6 M instructions a simulated day without them, and less
 * CPU time (docs/PERFORMANCE.md "Performance XIII"). */
#define POR__WALK_MIN_NODES 4096u

/* One step of the prefetch walker: while the bottom is consumed, the list of the bucket
 * that will be drained next is walked one node per pop, each node prefetched a pop
 * ahead, so draining it later does not wait for one cache miss after the other. Run only
 * while q->walk. */
static inline void por__queue_prefetch_step(por_queue *q)
{
    /* Only a hint: the list may have been relinked since, but every next[] entry holds
     * POR__QNIL or a slot below ncap, and the walker is always at most ncap, so the walk
     * stays in bounds.
     *
     * Without a branch: whether the walker is still on a list depends on the lengths of
     * the buckets, and a test on it mispredicted often enough in the full model
     * (docs/PERFORMANCE.md "Performance V"). The end of a list parks the walker at ncap:
     * next[ncap] (POR__QNIL) keeps it there and node[ncap] is the spare node its
     * prefetches then touch (por_queue_attach), so the step is a load, a conditional
     * move and a prefetch. It was a masked form (an idle walker read and prefetched node
     * 0) of about 21 instructions a pop (docs/PERFORMANCE.md "Performance XIII"). */
    uint32_t nx = q->next[q->pf];
    uint32_t pf = nx < q->ncap ? nx : q->ncap;
    q->pf = pf;
    __builtin_prefetch(&q->node[pf]);
}

/* Removes the smallest entry of the bottom (the overflow heap empty). */
static inline void por__drop_bottom(por_queue *q)
{
    q->blen--;
    q->len--;
    if (q->walk)
        por__queue_prefetch_step(q);
}

/* Removes the entry por_queue_peek just returned (non-NULL). */
static inline void por_queue_drop_peeked(por_queue *q)
{
    if (q->olen != 0) {
        por__queue_drop_ovl(q);
        return;
    }
    por__drop_bottom(q);
}

/* The run loop's pop: when the smallest entry's time is at most UNTIL, removes it, puts
 * its slot in *SLOT and returns true; returns false, the queue unchanged, when it is
 * empty or its smallest entry is later. Why not por_queue_peek and por_queue_drop_peeked:
 * each tests the overflow heap, and the peek's NULL for an empty queue is tested again by
 * the caller; here the usual case (no heap, a non-empty bottom) is two tests. */
static inline bool por_queue_pop_until(por_queue *q, por_time_t until, uint32_t *slot)
{
    if (__builtin_expect(q->olen == 0, 1)) {
        size_t n = q->blen;
        if (n == 0) {
            if (!por__queue_refill(q))
                return false;
            n = q->blen;
        }
        const por_qentry *e = &q->bot[n - 1];
        if (e->time > until)
            return false;
        *slot = e->slot;
        por__drop_bottom(q);
        return true;
    }
    const por_qentry *e = por__queue_peek_ovl(q);
    if (e->time > until)
        return false;
    *slot = e->slot;
    por__queue_drop_ovl(q);
    return true;
}

/* Removes the smallest entry into *OUT; returns false when empty. */
static inline bool por_queue_pop(por_queue *q, por_qentry *out)
{
    const por_qentry *top = por_queue_peek(q);
    if (!top)
        return false;
    *out = *top;
    por_queue_drop_peeked(q);
    return true;
}

#endif
