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
#include <time.h>

/* State shared by all entities of one run. */
typedef struct {
    uint64_t done, limit;
    uint64_t checksum;
    uint32_t n;
} por__phold_world;

typedef struct {
    uint64_t *state;         /* RNG's xoshiro state, cached: one load less per draw */
    gsl_rng *rng;            /* this entity's por stream (owns STATE) */
    por__phold_world *world;
    const por_sampler *hold; /* the hold-time distribution (shared) */
} por__phold_lp;

/* Uniform integer in [0, n): the same draws as por_rng_below on the stream. */
static inline uint32_t por__phold_below(const por__phold_lp *lp, uint32_t n)
{
    __extension__ typedef unsigned __int128 u128;
    uint64_t x = por_xoshiro_next(lp->state);
    u128 m = (u128)x * n;
    if ((uint64_t)m < n)
        return (uint32_t)por__rng_below_slow(lp->rng, n, x);
    return (uint32_t)(m >> 64);
}

void por_phold_hold_init(por_sampler *s)
{
    por_duration_dist d = {.kind = POR_DIST_EXPONENTIAL, .mean = POR_PHOLD_MEAN_NS};
    por_sampler_init_duration(s, &d);
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
    por_sim_at(sim, ev->time + por_phold_hold(lp->hold, lp->rng), dst, 0, 0);
}

static const por_entity_kind por__phold_kind = {"phold", NULL, por__phold_handle, NULL, NULL};

void por_phold_run(const por_phold_config *cfg, por_phold_result *out)
{
    por_sim *sim = por_sim_create(cfg->seed, 0);
    por__phold_lp *lps = calloc(cfg->lps, sizeof *lps);
    por__phold_world world = {0, cfg->events, 0xcbf29ce484222325ull, cfg->lps};
    por_sampler hold;
    por_phold_hold_init(&hold);
    if (!lps) {
        por_out_of_memory(" (phold entities)");
    }
    for (uint32_t i = 0; i < cfg->lps; i++) {
        lps[i].rng = por_rng_new(cfg->seed, 0, por_stream_id("phold", i, "hold"));
        lps[i].state = lps[i].rng->state;
        lps[i].world = &world;
        lps[i].hold = &hold;
        por_sim_add_entity(sim, &por__phold_kind, &lps[i]);
    }
    for (uint32_t i = 0; i < cfg->lps; i++)
        for (uint32_t k = 0; k < cfg->per_lp; k++)
            por_sim_at(sim, por_phold_hold(&hold, lps[i].rng), i, 0, 0);
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
    for (uint32_t i = 0; i < cfg->lps; i++)
        gsl_rng_free(lps[i].rng);
    free(lps);
    por_sampler_free(&hold);
}
