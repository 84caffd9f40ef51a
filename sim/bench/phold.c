/* PHOLD on the porsim engine: the classic hold-model benchmark of event cores.
 * Each entity draws from its own random stream, as every porsim model does. */
#include "por/bench.h"
#include "por/engine.h"
#include "por/rng.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    gsl_rng *rng;
    uint32_t n;
    uint64_t *done, limit;
    uint64_t *checksum;
} por__phold_lp;

static inline por_time_t por__phold_delay(gsl_rng *r)
{
    return (por_time_t)(-log(1.0 - por_rng_uniform(r)) * 1e6) + 1;
}

static void por__phold_handle(por_sim *sim, void *self, por_event *ev)
{
    por__phold_lp *lp = self;
    *lp->checksum = (*lp->checksum ^ ((uint64_t)ev->time * 31 + ev->dst)) * 0x100000001b3ull;
    if (++*lp->done >= lp->limit) {
        por_sim_stop(sim);
        return;
    }
    uint32_t dst = (uint32_t)por_rng_below(lp->rng, lp->n);
    por_sim_at(sim, ev->time + por__phold_delay(lp->rng), dst, 0, 0);
}

static const por_entity_kind por__phold_kind = {"phold", NULL, por__phold_handle, NULL, NULL};

void por_phold_run(const por_phold_config *cfg, por_phold_result *out)
{
    por_sim *sim = por_sim_create(cfg->seed, 0);
    por__phold_lp *lps = calloc(cfg->lps, sizeof *lps);
    uint64_t done = 0, checksum = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < cfg->lps; i++) {
        lps[i].rng = por_rng_new(cfg->seed, 0, por_stream_id("phold", i, "hold"));
        lps[i].n = cfg->lps;
        lps[i].done = &done;
        lps[i].limit = cfg->events;
        lps[i].checksum = &checksum;
        por_sim_add_entity(sim, &por__phold_kind, &lps[i]);
    }
    for (uint32_t i = 0; i < cfg->lps; i++)
        for (uint32_t k = 0; k < cfg->per_lp; k++)
            por_sim_at(sim, por__phold_delay(lps[i].rng), i, 0, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    por_sim_run(sim, POR_TIME_MAX);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->events = done;
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    out->events_per_s = out->seconds > 0 ? (double)done / out->seconds : 0;
    out->end_time_ns = por_sim_now(sim);
    out->checksum = checksum;
    por_sim_destroy(sim);
    for (uint32_t i = 0; i < cfg->lps; i++)
        gsl_rng_free(lps[i].rng);
    free(lps);
}
