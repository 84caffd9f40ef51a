/* 4-ary min-heap of (time, order, slot) entries; see queue.h for the key layout. */
#include "queue.h"
#include "por/error.h"

#include <stdlib.h>

void por_queue_init(por_queue *q)
{
    q->len = 0;
    q->cap = 1024;
    q->heap = por_xmalloc(q->cap * sizeof *q->heap);
}

void por_queue_free(por_queue *q)
{
    free(q->heap);
    q->heap = NULL;
    q->len = q->cap = 0;
}

void por_queue_push(por_queue *q, por_qentry e)
{
    if (q->len == q->cap) {
        q->cap *= 2;
        q->heap = por_xrealloc(q->heap, q->cap * sizeof *q->heap);
    }
    por_qentry *h = q->heap;
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!por_qentry_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

bool por_queue_pop(por_queue *q, por_qentry *out)
{
    if (q->len == 0)
        return false;
    por_qentry *h = q->heap;
    *out = h[0];
    por_qentry last = h[--q->len];
    size_t n = q->len, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (por_qentry_less(&h[k], &h[best]))
                best = k;
        if (!por_qentry_less(&h[best], &last))
            break;
        h[i] = h[best];
        i = best;
    }
    if (n)
        h[i] = last;
    return true;
}
