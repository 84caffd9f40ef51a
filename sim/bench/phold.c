/* PHOLD on the porsim engine: the classic hold-model benchmark of event cores.
 * Each entity draws from its own random stream, as every porsim model does, and its
 * exponential hold times through porsim's one distribution sampler (por/sample.h), as
 * the full model draws its latencies. */
#include "por/bench.h"
#include "por/engine.h"
#include "por/error.h"
#include "por/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* State shared by all entities of one run. */
typedef struct {
    uint64_t done, limit;
    uint64_t checksum;
    uint32_t n;
    const por_sampler *hold; /* the hold-time distribution */
} por__phold_world;

/* One entity: its stream's state held in place, so that a handler touches one cache line
 * of its own (the entities are reached in random order: a stream behind two pointers
 * cost two cache misses an event). */
typedef struct {
    _Alignas(64) uint64_t state[4]; /* the xoshiro256** state of its por stream */
    por__phold_world *world;
} por__phold_lp;

/* Uniform integer in [0, n): the same draws as por_rng_below on the stream (Lemire's
 * multiply-shift with rejection, as por__rng_below_slow). */
static inline uint32_t por__phold_below(por__phold_lp *lp, uint32_t n)
{
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)por_xoshiro_next(lp->state) * n;
    if ((uint64_t)m < n) {
        uint64_t t = (0 - (uint64_t)n) % n;
        while ((uint64_t)m < t)
            m = (u128)por_xoshiro_next(lp->state) * n;
    }
    return (uint32_t)(m >> 64);
}

/* One hold time: the same draw as por_phold_hold on the stream. */
static inline por_time_t por__phold_hold(por__phold_lp *lp, const por_sampler *hold)
{
    return por_sample_duration_at(hold, por_xoshiro_next(lp->state)) + 1;
}

void por_phold_hold_init(por_sampler *s)
{
    por_duration_dist d = {.kind = POR_DIST_EXPONENTIAL, .mean = POR_PHOLD_MEAN_NS};
    por_sampler_init_duration(s, &d);
    POR_ASSERT(por_sampler_one_word(s));
}

static void por__phold_handle(por_sim *sim, void *self, por_event *ev)
{
    por__phold_lp *lp = self;
    por__phold_world *w = lp->world;
    w->checksum = (w->checksum ^ ((uint64_t)ev->time * 31 + ev->dst)) * 0x100000001b3ull;
    if (++w->done >= w->limit) {
        por_sim_stop(sim);
        return;
    }
    uint32_t dst = por__phold_below(lp, w->n);
    por_sim_at(sim, ev->time + por__phold_hold(lp, w->hold), dst, 0, 0);
}

static const por_entity_kind por__phold_kind = {"phold", NULL, por__phold_handle, NULL, NULL};

void por_phold_run(const por_phold_config *cfg, por_phold_result *out)
{
    por_sim *sim = por_sim_create(cfg->seed, 0);
    por__phold_lp *lps = aligned_alloc(64, (size_t)cfg->lps * sizeof *lps);
    por_sampler hold;
    por_phold_hold_init(&hold);
    por__phold_world world = {0, cfg->events, 0xcbf29ce484222325ull, cfg->lps, &hold};
    if (!lps) {
        por_out_of_memory(" (phold entities)");
    }
    for (uint32_t i = 0; i < cfg->lps; i++) {
        gsl_rng *rng = por_rng_new(cfg->seed, 0, por_stream_id("phold", i, "hold"));
        memcpy(lps[i].state, rng->state, sizeof lps[i].state);
        gsl_rng_free(rng);
        lps[i].world = &world;
        por_sim_add_entity(sim, &por__phold_kind, &lps[i]);
    }
    for (uint32_t i = 0; i < cfg->lps; i++)
        for (uint32_t k = 0; k < cfg->per_lp; k++)
            por_sim_at(sim, por__phold_hold(&lps[i], &hold), i, 0, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    por_sim_run(sim, POR_TIME_MAX);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->events = world.done;
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    out->events_per_s = out->seconds > 0 ? (double)world.done / out->seconds : 0;
    out->end_time_ns = por_sim_now(sim);
    out->checksum = world.checksum;
    por_sim_destroy(sim);
    free(lps);
    por_sampler_free(&hold);
}
