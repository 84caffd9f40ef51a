/* Benchmarks behind `porsim bench`: the PHOLD engine workload (sim/bench/phold.c). */
#ifndef POR_BENCH_H
#define POR_BENCH_H

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
 * event to a uniformly random entity at now + Exp(mean 1 ms) + 1 ns; stops after E. */
void por_phold_run(const por_phold_config *cfg, por_phold_result *out);

#endif
