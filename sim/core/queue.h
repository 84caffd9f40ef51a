/* The pending-event set of the engine (internal to sim/core).
 *
 * Keys are (time, order) where ORDER packs the priority class, source entity and
 * per-source sequence number, so comparing two keys gives the total event order of
 * DESIGN.md without ever looking at a pointer. A 4-ary min-heap with inline keys. */
#ifndef POR_CORE_QUEUE_H
#define POR_CORE_QUEUE_H

#include "por/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    por_time_t time;
    uint64_t order;
    uint32_t slot; /* index of the event in the engine's pool */
} por_qentry;

typedef struct {
    por_qentry *heap;
    size_t len, cap;
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

void por_queue_init(por_queue *q);
void por_queue_free(por_queue *q);
void por_queue_push(por_queue *q, por_qentry e);
/* Removes the smallest entry into *OUT; returns false when empty. */
bool por_queue_pop(por_queue *q, por_qentry *out);
/* The smallest entry, or NULL when empty. */
static inline const por_qentry *por_queue_peek(const por_queue *q)
{
    return q->len ? &q->heap[0] : NULL;
}

#endif
