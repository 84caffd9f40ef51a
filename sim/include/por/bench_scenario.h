/* `porsim bench scenario`: runs a scenario's replications exactly as `porsim run` does
 * (same runner, same models, every OCR round and every message) and reports how fast:
 * events per second, simulated days per wall second, replications per second, peak
 * resident memory, and the crypto accounting (cache hit rate; in real-signature mode the
 * time spent in libsecp256k1 against the per-operation cost timed in the same process).
 * Output is one `name=value` line per figure, for scripts. */
#ifndef POR_BENCH_SCENARIO_H
#define POR_BENCH_SCENARIO_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "por/bench_scenario.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/crypto.h"
#include "por/error.h"
#include "por/scenario.h"

#include <stdint.h>
#include <stdio.h>

typedef struct {
    unsigned threads;     /* worker threads, >= 1 */
    int crypto_override;  /* -1 = the scenario's feed.crypto, else a por_crypto_choice */
    uint32_t calib_ops;   /* real mode: signatures and recoveries timed for the per-op
                             EC cost (0 = 2000) */
} por_bench_scenario_config;

typedef struct {
    uint64_t replications; /* replications run (the scenario's count) */
    unsigned threads;
    uint64_t events;       /* events handled, all replications */
    double sim_days;       /* simulated days per replication */
    double wall_seconds;   /* wall time of the replications (loading excluded) */
    double cpu_seconds;    /* user + system CPU time of the process over the same span
                              (all threads): on a shared machine the figure that load
                              does not stretch */
    double events_per_s;
    double sim_days_per_wall_s; /* replications x sim_days / wall_seconds */
    double replications_per_s;
    long peak_rss_kib;     /* peak resident set of the process (getrusage), KiB */
    bool real_crypto;      /* the replications used libsecp256k1 */
    por_crypto_stats crypto; /* counters summed over the replications */
    double cache_hit_rate;   /* cache_hits / (cache_hits + cache_misses), 0 if none */
    /* real mode only (0 otherwise): mean ns inside libsecp256k1 per sign and per
     * recovery, timed on a fresh context in this process (half the operations just
     * before the replications, half just after, so machine load is sampled on both
     * sides); the
     * EC time the run would need if every signature cost one sign and every recovery
     * one recovery; and measured EC time / that figure */
    double ec_sign_cost_ns, ec_verify_cost_ns;
    double ec_expected_ns, ec_ratio;
} por_bench_scenario_result;

/* Runs all replications of SC (sc->replications, from replication 0) with CFG and fills
 * OUT. Returns POR_OK, or the first failing replication's status with the message in
 * ERR (OUT is then partly filled). SC is borrowed. */
por_status por_bench_scenario_run(const por_scenario *sc, const por_bench_scenario_config *cfg,
                                  por_bench_scenario_result *out, por_error *err);

/* Prints R as `name=value` lines to F, the first being `name=` SC's name. */
void por_bench_scenario_print(FILE *f, const por_scenario *sc, const por_bench_scenario_result *r);

/* The `porsim bench scenario` command (argv[0] = "porsim", argv[1] = "bench",
 * argv[2] = "scenario"). Returns the process exit code. */
int por_cli_bench_scenario(int argc, char **argv);

#endif
