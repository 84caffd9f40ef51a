/* The world's event hub (world_hub.h): subscription; publishing is inline in the header. */
#include "world_hub.h"

#include "por/error.h"

#include <string.h>

void por__hub_init(por__world_hub *h)
{
    memset(h, 0, sizeof *h);
}

void por__hub_subscribe(por__world_hub *h, por__world_event_kind kind, por__world_handler fn,
                        void *ctx)
{
    POR_ASSERT(kind >= 0 && kind < POR__WE_NKINDS && fn);
    POR_ASSERT(h->n[kind] < POR__HUB_MAX_SUBSCRIBERS);
    h->subs[kind][h->n[kind]].fn = fn;
    h->subs[kind][h->n[kind]].ctx = ctx;
    h->n[kind]++;
}
