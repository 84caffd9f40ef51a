/* Benchmarks behind `porsim bench`: the PHOLD engine workload (sim/bench/phold.c). */
#ifndef POR_BENCH_H
#define POR_BENCH_H

#include "por/sample.h"

#include <stdint.h>

typedef struct {
    uint32_t lps;        /* N entities */
    uint32_t per_lp;     /* J initial events per entity */
    uint64_t events;     /* E events to execute */
    uint64_t seed;
} por_phold_config;

typedef struct {
    uint64_t events;     /* events executed */
    double seconds;      /* wall time of the run loop */
    double events_per_s;
    int64_t end_time_ns; /* simulated time reached (a checksum of the order) */
    uint64_t checksum;   /* hash of (time, entity) of every executed event */
} por_phold_result;

/* Runs PHOLD: N entities, J initial events each; each executed event schedules one new
 * event to a uniformly random entity at now + por_phold_hold (about Exp(mean 1 ms) + 1
 * ns); stops after E. */
void por_phold_run(const por_phold_config *cfg, por_phold_result *out);

/* Mean of PHOLD's exponential hold time, ns. */
#define POR_PHOLD_MEAN_NS ((por_time_t)1000000)

/* Builds S: the exponential of mean POR_PHOLD_MEAN_NS, as porsim's one distribution
 * sampler draws it (por/sample.h: one uniform and an inverse-CDF table, exact tails,
 * rounded to the nanosecond). Free with por_sampler_free. */
void por_phold_hold_init(por_sampler *s);

/* One hold time from stream R: a draw of S (built by por_phold_hold_init) plus 1 ns, so
 * every event lies strictly after the one that scheduled it. tests/test_engine.c checks
 * these draws by Kolmogorov-Smirnov against the exponential CDF. */
static inline por_time_t por_phold_hold(const por_sampler *s, gsl_rng *r)
{
    return por_sample_duration(s, r) + 1;
}

#endif
