/* The discrete-event engine: entities, events, the run loop.
 *
 * Models plug in as entities through a tiny vtable (init / handle / finish / discard);
 * the engine never names a model and models never touch the queue. Events are ordered
 * totally and deterministically by (time, priority class, source entity, per-source
 * sequence number). Cancellation is lazy: a cancelled event stays queued until the queue
 * next walks its entry (a split of its bucket) or pops it, and is dropped then. Events
 * live in a slab pool owned by the simulation. */
#ifndef POR_ENGINE_H
#define POR_ENGINE_H

#include "por/error.h"
#include "por/time.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct por_sim por_sim;

/* A handle to a scheduled event, for cancellation. 0 is "no event". */
typedef uint64_t por_event_id;

/* Source id used for events scheduled outside any handler (set-up). */
#define POR_SRC_SETUP 0xFFFFFFu
/* Largest number of entities a simulation may hold. */
#define POR_MAX_ENTITIES 0xFFFFF0u
/* Priority classes: lower runs first among events at the same instant. */
#define POR_PRIO_MAX 15

/* One event as a handler sees it. The payload fields a, b, ptr are the model's; if PTR
 * owns memory, the destination kind's discard hook frees it for events never handled,
 * and the handler takes ownership of it for events that are handled. */
typedef struct por_event {
    por_time_t time;
    uint32_t dst;    /* destination entity */
    uint32_t src;    /* entity that scheduled it, or POR_SRC_SETUP */
    uint16_t type;   /* model-defined event type */
    uint16_t prio;   /* priority class, 0..POR_PRIO_MAX */
    uint32_t gen;    /* engine-private: slot generation */
    uint64_t a, b;   /* small payload */
    void *ptr;       /* optional payload */
} por_event;

/* An entity kind: the vtable a model registers. Any hook may be NULL. */
typedef struct por_entity_kind {
    const char *name;
    /* Called once when the run starts, in entity-id order; schedules first events. */
    void (*init)(por_sim *sim, void *self);
    /* Called for each event delivered to this entity, in total order. */
    void (*handle)(por_sim *sim, void *self, por_event *ev);
    /* Called once when the run ends (horizon reached or stopped), in entity-id order. */
    void (*finish)(por_sim *sim, void *self);
    /* Called for an event that will never be handled (cancelled, or left at the end). */
    void (*discard)(por_sim *sim, void *self, por_event *ev);
} por_entity_kind;

/* Creates an empty simulation for one replication. Never NULL (exits on OOM).
 * Caller frees with por_sim_destroy. */
por_sim *por_sim_create(uint64_t seed, uint64_t replication);

/* Frees the simulation; events still queued are discarded through their hooks. */
void por_sim_destroy(por_sim *sim);

/* Registers an entity; returns its id (0, 1, 2, ... in registration order). SELF is the
 * model's state, owned by the caller, and must outlive the simulation. */
uint32_t por_sim_add_entity(por_sim *sim, const por_entity_kind *kind, void *self);

/* Schedules an event at absolute time AT (>= now) for entity DST. Returns its id. */
por_event_id por_sim_schedule(por_sim *sim, por_time_t at, int prio, uint32_t dst,
                              uint16_t type, uint64_t a, uint64_t b, void *ptr);

/* Schedules N events from the current source at once, exactly as N calls
 * por_sim_schedule(sim, AT[i], PRIO, DST[i], TYPE, A, B0 + i, PTR) for i = 0, 1, ...
 * in that order would (the same sequence numbers, so the same event order, and the
 * same pool slots), without their ids: one counter fetch and one set of checks for a
 * broadcast's deliveries. Each AT[i] >= now, each DST[i] a registered entity. */
void por_sim_schedule_fanout(por_sim *sim, uint32_t n, const por_time_t *at,
                             const uint32_t *dst, int prio, uint16_t type, uint64_t a,
                             uint64_t b0, void *ptr);

/* Shorthand: priority 0, payload A only. */
static inline por_event_id por_sim_at(por_sim *sim, por_time_t at, uint32_t dst,
                                      uint16_t type, uint64_t a)
{
    return por_sim_schedule(sim, at, 0, dst, type, a, 0, (void *)0);
}

/* Cancels a scheduled event (lazy: it leaves the pending count when the queue drops it).
 * Cancelling 0, a handled or an already cancelled event is a no-op. Returns true if an
 * event was cancelled. */
bool por_sim_cancel(por_sim *sim, por_event_id id);

/* Runs: init hooks (first call only), then events with time <= UNTIL in order, then finish
 * hooks. Returns POR_OK, or the status a model set with por_sim_fail. */
por_status por_sim_run(por_sim *sim, por_time_t until);

/* Events handled between two calls of a run's poll hook. */
#define POR_SIM_POLL_EVENTS 4096u

/* A hook the run calls after every POR_SIM_POLL_EVENTS handled events, so the embedding
 * code can end a long run (a stop request, an event or wall-time budget) with
 * por_sim_fail; it must not schedule events. */
typedef void (*por_sim_poll_fn)(void *ctx, por_sim *sim);

/* Sets (or with NULL removes) the poll hook; CTX is passed back to it. */
void por_sim_set_poll(por_sim *sim, por_sim_poll_fn poll, void *ctx);

/* The head of every por_sim, for the inline accessors below (the rest is private to
 * sim/core/engine.c, which checks that the head comes first). */
typedef struct {
    por_time_t now;
} por__sim_head;

/* Current simulated time. Inline: the models ask for it about 600,000 times a simulated
 * day of the year benchmark, and as a call it was a call and a return each. */
static inline por_time_t por_sim_now(const por_sim *sim)
{
    return ((const por__sim_head *)(const void *)sim)->now;
}

/* Ends the run after the current event (from a handler). */
void por_sim_stop(por_sim *sim);

/* Ends the run with an error (from a handler); por_sim_run returns STATUS and the
 * message is available from por_sim_error. */
void por_sim_fail(por_sim *sim, por_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const por_error *por_sim_error(const por_sim *sim);

/* The seed and replication index this simulation was created with. */
uint64_t por_sim_seed(const por_sim *sim);
uint64_t por_sim_replication(const por_sim *sim);

/* Events handled so far (cancelled ones not counted), and currently queued. */
uint64_t por_sim_events_handled(const por_sim *sim);
uint64_t por_sim_events_pending(const por_sim *sim);

/* A pointer the embedding code may hang on the simulation (the world of models). */
void por_sim_set_user(por_sim *sim, void *user);
void *por_sim_user(const por_sim *sim);

/* The entity being handled now (POR_SRC_SETUP outside handlers). */
uint32_t por_sim_current(const por_sim *sim);

#endif
