/* The engine: entity table, event pool (slab with free list), run loop, cancellation.
 *
 * Handlers receive a pointer to the event in its pool slot, which is recycled only after
 * the handler returns (its generation is bumped before, so its own handle no longer
 * cancels it). The pool may grow while a handler schedules: the old array is then kept
 * until the next poll point of the run (every POR_SIM_POLL_EVENTS handled events) or its
 * end, so the handler's pointer stays valid without a copy. */
#include "por/engine.h"
#include "queue.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POR__CANCELLED POR_QNODE_DEAD /* queue.h: a drain may free the slot */

/* The run loop prefetches the next event's entity only with more entities than this.
 * Why: with few entities their state stays cached (the year benchmark: 35 entities, the
 * 31 oracle nodes 7,456 bytes each, in the core's L2), and there the prefetch only cost
 * its loads: without them (this test left) 6 instructions fewer an event, 1.2 % of a
 * simulated day, and the same CPU time (docs/PERFORMANCE.md "Performance XIII"). 64
 * oracle nodes are about 477 KB, half this machine's L2. */
#define POR__PREFETCH_MIN_ENTITIES 64u

typedef struct {
    const por_entity_kind *kind;
    void *self;
} por__entity;

struct por_sim {
    por__sim_head head;   /* now: first, read inline by por_sim_now (por/engine.h) */
    por_queue queue;
    por_qnode *pool;      /* slab of event slots, shared with the queue as its nodes */
    void *pool_mem;       /* the allocation POOL is aligned within */
    uint32_t pool_cap;
    uint32_t *free_slots; /* stack of free slot indices */
    uint32_t free_len;
    por__entity *entities;
    uint64_t *seq;        /* per-source sequence numbers; [count] is the set-up source */
    uint32_t count, cap;
    uint32_t current;
    uint64_t handled;
    uint64_t seed, replication;
    bool started, stopping;
    bool halt;            /* stopping or failed: checked once per event */
    bool prefetch_entities; /* more than POR__PREFETCH_MIN_ENTITIES entities (por_sim_run) */
    uint64_t poll_left;   /* events until the next poll point (the hook, if any, and the
                             freeing of retired pools) */
    por_sim_poll_fn poll;
    void *poll_ctx;
    void *retired[40];    /* pool arrays replaced since the last poll point (a growth
                             doubles the pool: at most 31 in all) */
    unsigned nretired;
    por_error error;
    void *user;
};

_Static_assert(offsetof(struct por_sim, head) == 0, "por_sim_now reads the head at offset 0");

por_sim *por_sim_create(uint64_t seed, uint64_t replication)
{
    por_sim *sim = por_xcalloc(1, sizeof *sim);
    por_queue_init(&sim->queue);
    sim->seed = seed;
    sim->replication = replication;
    sim->current = POR_SRC_SETUP;
    sim->cap = 16;
    sim->entities = por_xmalloc(sim->cap * sizeof *sim->entities);
    sim->seq = por_xcalloc(sim->cap + 1, sizeof *sim->seq);
    sim->error.status = POR_OK;
    sim->poll_left = POR_SIM_POLL_EVENTS;
    return sim;
}

static void por__free_retired(por_sim *sim)
{
    while (sim->nretired > 0)
        free(sim->retired[--sim->nretired]);
}

static void por__discard(por_sim *sim, por_event *ev)
{
    if (ev->dst < sim->count) {
        const por__entity *ent = &sim->entities[ev->dst];
        if (ent->kind->discard)
            ent->kind->discard(sim, ent->self, ev);
    }
}

void por_sim_destroy(por_sim *sim)
{
    if (!sim)
        return;
    por_qentry e;
    while (por_queue_pop(&sim->queue, &e)) {
        por_event *ev = &sim->pool[e.slot].ev;
        if (!(ev->prio & POR__CANCELLED))
            por__discard(sim, ev);
    }
    por_queue_free(&sim->queue);
    por__free_retired(sim);
    free(sim->pool_mem);
    free(sim->free_slots);
    free(sim->entities);
    free(sim->seq);
    free(sim);
}

uint32_t por_sim_add_entity(por_sim *sim, const por_entity_kind *kind, void *self)
{
    POR_ASSERT(kind != NULL);
    if (sim->count >= POR_MAX_ENTITIES) {
        fprintf(stderr, "porsim: too many entities (limit %u)\n", POR_MAX_ENTITIES);
        exit(1);
    }
    if (sim->count == sim->cap) {
        uint64_t setup_seq = sim->seq[sim->count];
        sim->cap *= 2;
        sim->entities = por_xrealloc(sim->entities, sim->cap * sizeof *sim->entities);
        sim->seq = por_xrealloc(sim->seq, (sim->cap + 1) * sizeof *sim->seq);
        memset(sim->seq + sim->count, 0, (sim->cap + 1 - sim->count) * sizeof *sim->seq);
        sim->seq[sim->cap] = setup_seq;
    } else {
        /* Keep the set-up source's counter at index cap. */
    }
    uint32_t id = sim->count++;
    sim->prefetch_entities = sim->count > POR__PREFETCH_MIN_ENTITIES;
    sim->entities[id].kind = kind;
    sim->entities[id].self = self;
    return id;
}

static void por__grow_pool(por_sim *sim)
{
    uint32_t old = sim->pool_cap;
    uint32_t cap = old ? old * 2 : 1024;
    if (cap > 0x7FFFFFFFu) {
        fprintf(stderr, "porsim: too many pending events\n");
        exit(1);
    }
    /* Not realloc: a handler may hold a pointer into the old array (see top). Aligned by
     * hand (through the checked allocator) so each slot is exactly one cache line. */
    void *mem = por_xmalloc(((size_t)cap + 1) * sizeof(por_qnode) + 63); /* + the queue's spare */
    por_qnode *pool = (por_qnode *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    if (old)
        memcpy(pool, sim->pool, (size_t)old * sizeof *pool);
    POR_ASSERT(sim->nretired < sizeof sim->retired / sizeof sim->retired[0]);
    sim->retired[sim->nretired++] = sim->pool_mem;
    sim->pool_mem = mem;
    sim->pool = pool;
    sim->free_slots = por_xrealloc(sim->free_slots, (size_t)cap * sizeof *sim->free_slots);
    por_queue_attach(&sim->queue, pool, cap, sim->free_slots, &sim->free_len);
    for (uint32_t i = cap; i > old; i--) {
        sim->pool[i - 1].ev.gen = 1;
        sim->free_slots[sim->free_len++] = i - 1;
    }
    sim->pool_cap = cap;
}

/* The rare halves of por_sim_schedule, out of line: each returns what
 * por_sim_schedule returns, so it is called last (a jump), and the common path needs no
 * stack frame or saved registers (it was about 20 instructions of a schedule's 122,
 * docs/PERFORMANCE.md "Performance III"). */
static __attribute__((noinline, cold)) por_event_id
por__schedule_after_grow(por_sim *sim, por_time_t at, int prio, uint32_t dst, uint16_t type,
                         uint64_t a, uint64_t b, void *ptr)
{
    por__grow_pool(sim);
    return por_sim_schedule(sim, at, prio, dst, type, a, b, ptr);
}

static __attribute__((noinline)) por_event_id por__schedule_push_slow(por_sim *sim,
                                                                       por_qentry e,
                                                                       por_event_id id)
{
    por__queue_push_slow(&sim->queue, e.time, e.order, e.slot);
    return id;
}

/* The sequence counter of source SRC (the set-up source's is the one past the entities). */
static inline __attribute__((always_inline)) uint64_t *por__seq_of(por_sim *sim, uint32_t src)
{
    return src == POR_SRC_SETUP ? &sim->seq[sim->cap] : &sim->seq[src];
}

/* Takes a free pool slot (one must be free) and writes the event into it; returns the
 * slot. Shared by por_sim_schedule and por_sim_schedule_fanout. */
static inline __attribute__((always_inline)) uint32_t por__place(por_sim *sim, por_time_t at, int prio,
                                                                 uint32_t dst, uint32_t src, uint16_t type,
                                                                 uint64_t a, uint64_t b, void *ptr)
{
    uint32_t slot = sim->free_slots[--sim->free_len];
    por_event *ev = &sim->pool[slot].ev;
    ev->time = at;
    ev->dst = dst;
    ev->src = src;
    ev->type = type;
    ev->prio = (uint16_t)prio;
    ev->a = a;
    ev->b = b;
    ev->ptr = ptr;
    return slot;
}

por_event_id por_sim_schedule(por_sim *sim, por_time_t at, int prio, uint32_t dst,
                              uint16_t type, uint64_t a, uint64_t b, void *ptr)
{
    POR_ASSERT(at >= sim->head.now);
    POR_ASSERT(prio >= 0 && prio <= POR_PRIO_MAX);
    POR_ASSERT(dst < sim->count);
    if (sim->free_len == 0)
        return por__schedule_after_grow(sim, at, prio, dst, type, a, b, ptr);
    uint32_t src = sim->current;
    uint64_t seq = (*por__seq_of(sim, src))++;
    POR_ASSERT(seq <= 0xFFFFFFFFFull);
    uint32_t slot = por__place(sim, at, prio, dst, src, type, a, b, ptr);
    por_qentry e = {at, por_queue_order((unsigned)prio, src, seq), slot};
    por_event_id id = ((uint64_t)sim->pool[slot].ev.gen << 32) | (uint64_t)(slot + 1);
    if (!por_queue_try_push(&sim->queue, e) &&
        !por_queue_try_push_front(&sim->queue, e.time, e.order, e.slot))
        return por__schedule_push_slow(sim, e, id);
    return id;
}

void por_sim_schedule_fanout(por_sim *sim, uint32_t n, const por_time_t *at,
                             const uint32_t *dst, int prio, uint16_t type, uint64_t a,
                             uint64_t b0, void *ptr)
{
    if (n == 0)
        return;
    POR_ASSERT(prio >= 0 && prio <= POR_PRIO_MAX);
    uint32_t src = sim->current;
    uint64_t *seqp = por__seq_of(sim, src);
    uint64_t seq = *seqp;
    POR_ASSERT(seq + n - 1 <= 0xFFFFFFFFFull);
    *seqp = seq + n;
    /* the sequence field cannot carry into the source's bits (checked above) */
    uint64_t order = por_queue_order((unsigned)prio, src, seq);
    por_time_t now = sim->head.now;
    uint32_t count = sim->count;
    por_queue *q = &sim->queue;
    /* The rungs change only in the queue's slow path: look them up from a copy (see
     * por_queue_view), taken again after each push that went the general way. */
    por_queue_view view;
    por_queue_view_take(q, &view);
    for (uint32_t i = 0; i < n; i++) {
        POR_ASSERT(at[i] >= now);
        POR_ASSERT(dst[i] < count);
        if (sim->free_len == 0)
            por__grow_pool(sim); /* where por_sim_schedule would: the same slots */
        uint32_t slot = por__place(sim, at[i], prio, dst[i], src, type, a, b0 + i, ptr);
        if (!por_queue_view_link(q, &view, at[i], order + i, slot) &&
            !por_queue_try_push_front(q, at[i], order + i, slot)) {
            por__queue_push_slow(q, at[i], order + i, slot); /* the rungs said no */
            por_queue_view_take(q, &view);
        }
    }
}

bool por_sim_cancel(por_sim *sim, por_event_id id)
{
    if (id == 0)
        return false;
    uint32_t slot = (uint32_t)(id & 0xFFFFFFFFu) - 1;
    uint32_t gen = (uint32_t)(id >> 32);
    if (slot >= sim->pool_cap)
        return false;
    por_event *ev = &sim->pool[slot].ev;
    if (ev->gen != gen || (ev->prio & POR__CANCELLED))
        return false;
    ev->prio |= POR__CANCELLED;
    por__discard(sim, ev);
    ev->ptr = NULL;
    return true;
}

por_status por_sim_run(por_sim *sim, por_time_t until)
{
    sim->stopping = false; /* a stop ends one run; the next call continues */
    if (!sim->started) {
        sim->started = true;
        for (uint32_t i = 0; i < sim->count; i++)
            if (sim->entities[i].kind->init) {
                sim->current = i;
                sim->entities[i].kind->init(sim, sim->entities[i].self);
            }
        sim->current = POR_SRC_SETUP;
    }
    sim->halt = sim->error.status != POR_OK;
    por_queue *q = &sim->queue;
    uint32_t slot;
    while (!sim->halt && por_queue_pop_until(q, until, &slot)) {
        por_event *ev = &sim->pool[slot].ev;
        /* The entity state of the next event in the bottom, ahead of its handler:
         * entities are reached in no order, so their state is rarely in cache. */
        if (sim->prefetch_entities && q->blen > 0) {
            uint32_t next = sim->pool[q->bot[q->blen - 1].slot].ev.dst;
            if (next < sim->count)
                __builtin_prefetch(sim->entities[next].self);
        }
        ev->gen++; /* its handle no longer reaches it */
        if (ev->prio & POR__CANCELLED) {
            sim->free_slots[sim->free_len++] = slot;
            continue;
        }
        sim->head.now = ev->time;
        sim->handled++;
        const por__entity *ent = &sim->entities[ev->dst];
        sim->current = ev->dst;
        ent->kind->handle(sim, ent->self, ev);
        sim->free_slots[sim->free_len++] = slot;
        /* One decrement a handled event: the poll that makes a long run stoppable, and
         * where the pool arrays a growth replaced are freed (no handler holds a pointer
         * into them any more; at most 31 growths in all, so they wait safely). */
        if (--sim->poll_left == 0) {
            sim->poll_left = POR_SIM_POLL_EVENTS;
            por__free_retired(sim);
            if (sim->poll)
                sim->poll(sim->poll_ctx, sim);
        }
    }
    por__free_retired(sim);
    if (sim->head.now < until && !sim->stopping && sim->error.status == POR_OK)
        sim->head.now = until;
    for (uint32_t i = 0; i < sim->count; i++)
        if (sim->entities[i].kind->finish) {
            sim->current = i;
            sim->entities[i].kind->finish(sim, sim->entities[i].self);
        }
    sim->current = POR_SRC_SETUP;
    return sim->error.status;
}

void por_sim_set_poll(por_sim *sim, por_sim_poll_fn poll, void *ctx)
{
    sim->poll = poll;
    sim->poll_ctx = ctx;
    sim->poll_left = POR_SIM_POLL_EVENTS;
}

void por_sim_stop(por_sim *sim)
{
    sim->stopping = true;
    sim->halt = true;
}

void por_sim_fail(por_sim *sim, por_status status, const char *fmt, ...)
{
    if (sim->error.status != POR_OK)
        return; /* keep the first failure */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->error.msg, sizeof sim->error.msg, fmt, ap);
    va_end(ap);
    sim->error.status = status;
    sim->halt = true;
}

const por_error *por_sim_error(const por_sim *sim) { return &sim->error; }
uint64_t por_sim_seed(const por_sim *sim) { return sim->seed; }
uint64_t por_sim_replication(const por_sim *sim) { return sim->replication; }
uint64_t por_sim_events_handled(const por_sim *sim) { return sim->handled; }
uint64_t por_sim_events_pending(const por_sim *sim) { return sim->queue.len; }
void por_sim_set_user(por_sim *sim, void *user) { sim->user = user; }
void *por_sim_user(const por_sim *sim) { return sim->user; }
uint32_t por_sim_current(const por_sim *sim) { return sim->current; }
