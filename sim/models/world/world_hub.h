/* The world's event hub (internal to sim/models/world): the models' events as the world
 * hears them (a reserve changed, a source was read, a mint was decided, a redemption, a
 * bridge move, a reorg took a supply change back, an answer was published, a consumer
 * reacted, the run starts and ends), delivered to the subscribers of each event kind in
 * the order they subscribed. world.c publishes from the models' listener callbacks;
 * ground truth (world_truth.c), the invariant (world_invariants.c), the scorer
 * (world_score.c) and the trace translators (world_trace.c) subscribe at build time, in
 * the order world.c documents (the order is part of determinism: a subscriber may read
 * what an earlier one updated for the same event).
 *
 * Subscriptions are a fixed array of (function, context) per kind: publishing allocates
 * nothing and calls each subscriber directly. */
#ifndef POR_MODELS_WORLD_HUB_H
#define POR_MODELS_WORLD_HUB_H

#include "por/aggregator.h"
#include "por/amount.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/time.h"
#include "por/token.h"

#include <stdint.h>

typedef enum {
    POR__WE_START,    /* the run starts (the world entity's init), before any model event */
    POR__WE_RESERVE,  /* a custodian's true reserve changed: .reserve */
    POR__WE_READ,     /* an oracle read one source of the feed: .read */
    POR__WE_MINT,     /* a mint was decided at inclusion, accepted or refused: .supply */
    POR__WE_REDEEM,   /* a redemption burned supply: .supply */
    POR__WE_BRIDGE,   /* a bridge burn, refusal or release: .supply (bridge = true) */
    POR__WE_UNDONE,   /* a reorg took back a mint or redemption: .supply (undone = true) */
    POR__WE_ANSWER,   /* the aggregator accepted a report and published its answer: .answer */
    POR__WE_REACTION, /* a consumer acted or declined to: .reaction */
    POR__WE_FINISH,   /* the run reached its horizon (the world entity's finish) */
    POR__WE_NKINDS
} por__world_event_kind;

/* One event. NOW and OUTSTANDING (the token's outstanding supply at NOW: on-chain plus in
 * flight on a bridge, por/token.h) are set for every kind; the payload named beside the
 * kind above is set for that kind only. Pointers are borrowed for the delivery. */
typedef struct {
    por__world_event_kind kind;
    por_time_t now;
    por_amount outstanding;
    union {
        struct {
            uint32_t index;          /* the custodian */
            por_amount before, after; /* its true reserve, in its own decimals */
        } reserve;
        struct {
            uint32_t custodian, node;
            por_read_status status;
            por_amount value;  /* in the custodian's decimals (valid when status is OK) */
            por_time_t latency;
        } read;
        const por_supply_event *supply;
        const por_round_data *answer;
        const por_consumer_reaction *reaction;
    };
} por__world_event;

typedef void (*por__world_handler)(void *ctx, const por__world_event *ev);

/* At most this many subscribers per kind (world.c uses at most 5). */
#define POR__HUB_MAX_SUBSCRIBERS 8

typedef struct {
    struct {
        por__world_handler fn;
        void *ctx;
    } subs[POR__WE_NKINDS][POR__HUB_MAX_SUBSCRIBERS];
    uint8_t n[POR__WE_NKINDS];
} por__world_hub;

/* Empties H. */
void por__hub_init(por__world_hub *h);

/* Appends (FN, CTX) to the subscribers of KIND: it is called after every subscriber of
 * KIND that subscribed before it. More than POR__HUB_MAX_SUBSCRIBERS is a caller bug
 * (POR_ASSERT). CTX must outlive H's use. */
void por__hub_subscribe(por__world_hub *h, por__world_event_kind kind, por__world_handler fn,
                        void *ctx);

/* True when KIND has a subscriber (lets a publisher skip building an event nobody hears). */
static inline bool por__hub_heard(const por__world_hub *h, por__world_event_kind kind)
{
    return h->n[kind] != 0;
}

/* Delivers EV to the subscribers of EV->kind, in subscription order. A subscriber may
 * publish further events (they are delivered at once, inside this call). */
static inline void por__hub_publish(const por__world_hub *h, const por__world_event *ev)
{
    for (uint8_t i = 0; i < h->n[ev->kind]; i++)
        h->subs[ev->kind][i].fn(h->subs[ev->kind][i].ctx, ev);
}

#endif
