/* Parameter sweeps, shards and their merge, and runs that stop at a target precision.
 *
 * `porsim sweep` runs a grid of scenario variants (the cartesian product of --param
 * value lists, last parameter varying fastest) and writes, per (point, replication)
 * cell, the same metric cells `porsim run` writes. `--shard K/N` runs a disjoint slice of
 * the cells (cell c, numbered point-major then replication, belongs to shard
 * (c mod N) + 1); `porsim merge` joins shard directories into exactly the bytes of the
 * unsharded sweep. `porsim run --until-ci PCT` adds replications in fixed-size batches
 * until the 95% confidence interval of one metric is narrow enough.
 *
 * The output directory (the grid, the cell rows, their writer and reader) is
 * por/sweep_dir.h. Output directory of a sweep or merge (formats documented in README.md, section
 * "Sweeps, shards and precision", and sim/stats/FORMATS.md, "Output directories"):
 *   points.csv    point,<param paths...>,scenario_hash,scenario_seed,scenario_replications,
 *                 <param path>_si... (each value in SI units: seconds, ratios; or empty)
 *   runs.csv      point,<param paths...>,replication,<metric cells as in porsim run>
 *   censored.csv  point,replication,metric,censored_at (one line per censored cell; the
 *                 censoring time in seconds with 9 decimals, empty = never, +infinity)
 *   summary.csv   point,<param paths...>,metric,n,censored,missing,mean,sd,ci_lo,ci_hi,
 *                 median,p90,km_median, then km_p50,_lo,_hi, km_p90,.., km_p99,.. (Kaplan–Meier
 *                 quantiles and 95% CI, "inf" = beyond horizon) (computed from the runs.csv/censored.csv text,
 *                 so a merge recomputes the same bytes)
 *   columns.csv   the data dictionary: file,column,kind,unit,censorable,description
 *   scenarios.jsonl  one line per point: {"point", "scenario_hash", "scenario"}, the
 *                 point's effective scenario (when the grid has them: scenarios_jsonl)
 *   meta.json     version, format_version, command, scenario, grid, shard (differs
 *                 between a merge and an unsharded sweep) */
#ifndef POR_SWEEP_H
#define POR_SWEEP_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "por/sweep.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/runner.h"
#include "por/scenario.h"
#include "por/stats.h"
#include "por/sweep_dir.h"
#include "por/world.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Help texts of `porsim sweep` and `porsim merge` (printed by `porsim help ...`). */
extern const char por_sweep_usage[];
extern const char por_merge_usage[];

/* `porsim sweep ...` with ARGV[1] == "sweep". Returns the process exit code (0 ok,
 * 1 runtime failure or interrupted, 2 bad input, 3 a safety invariant broke). */
int por_sweep_main(int argc, char **argv);

/* `porsim merge OUT_DIR SHARD_DIR...` with ARGV[1] == "merge". Returns the exit code
 * (2 for shards that do not fit together: different grids, overlapping or missing cells). */
int por_merge_main(int argc, char **argv);

/* Splits a --param value list at the commas that are outside double quotes and outside
 * [] / {} brackets; a backslash makes the next character literal ("a\,b" is one value
 * "a,b"). Returns POR_OK with *VALUES (NVALUES malloc'd strings in a malloc'd array;
 * free with por_sweep_free_values) or POR_EINPUT with ERR set for an empty value, an
 * unclosed quote or unbalanced brackets. */
por_status por_sweep_split_values(const char *list, char ***values, size_t *nvalues,
                                  por_error *err);

/* Frees what por_sweep_split_values returned. */
void por_sweep_free_values(char **values, size_t nvalues);

/* Spreading one sweep over several processes (porsim-mpi, sim/cli/mpi_sweep.c). Every
 * process runs the same command line: all validate every point; the cells of the run
 * (all of them, or those of --shard K/N) are dealt round-robin over the NRANKS processes
 * (the i-th cell of the list to rank i mod NRANKS); rank 0 alone checks and writes the
 * output directory and prints the table, from the rows of all ranks, so its outputs are
 * byte for byte those of `porsim sweep` with the same options. */
typedef struct {
    void *ctx;
    unsigned rank, nranks;
    /* Called once, after validation (and rank 0's output directory check) succeeded on
     * this process; returns 0 when every process got that far, else the exit code to
     * return (a process that fails earlier returns without calling it: the caller of
     * por_sweep_main_dist then answers for it). */
    int (*agree)(void *ctx);
    /* Called once, after this process ran its cells without a failure or interruption,
     * with its ROWS (NROWS), summed EVENTS and count of cells with a broken invariant
     * (NINVARIANT). Returns 0 or the exit code to return. On rank 0 with 0 returned, it
     * has replaced *ROWS (malloc'd, owned and freed by the sweep; the old array and rows
     * are freed by the hook or moved into the new one) with the rows of all processes
     * and set *NROWS, *EVENTS and *NINVARIANT to the totals; on other ranks it leaves
     * them as they are (still owned by the sweep). */
    int (*gather)(void *ctx, por_sweep_row **rows, size_t *nrows, uint64_t *events,
                  size_t *ninvariant);
} por_sweep_dist;

/* `porsim sweep ...` run as process DIST->rank of DIST->nranks (see por_sweep_dist);
 * DIST NULL is por_sweep_main. Returns the exit code; on a rank other than 0 a successful
 * run returns 0 without printing or writing anything. */
int por_sweep_main_dist(int argc, char **argv, const por_sweep_dist *dist);

/* Prints the per-point summary of METRIC (n, censored, mean, 95% CI, KM median) as a
 * terminal table to F, for the points that have rows. ROWS must be sorted. */
void por_sweep_print(const por_sweep_grid *g, const por_sweep_row *rows, size_t nrows,
                     const char *metric, FILE *f);

/* ---- run until the confidence interval is narrow enough --------------------------- */

/* Replications per batch of --until-ci: the stopping rule is checked after every batch,
 * so the count reached never depends on the thread count. */
#define POR_UNTIL_CI_BATCH 20

typedef struct {
    double pct;            /* stop when 95% CI half-width <= pct/100 * |mean| (pct > 0) */
    const char *metric;    /* column name (NULL: "feed_detect") */
    uint64_t max_reps;     /* cap on replications (>= 1) */
    unsigned threads;      /* >= 1 */
    por_run_options run;
    void (*progress)(void *ctx, uint64_t done, uint64_t total); /* may be NULL */
    void *progress_ctx;
    volatile sig_atomic_t *interrupt; /* may be NULL; stops at the next replication */
} por_until_ci_config;

typedef struct {
    bool reached;          /* the target precision was reached */
    size_t n;              /* observations of the metric in the final table */
    double mean;           /* mean of those (durations in ns), NaN if n = 0 */
    double half_width;     /* 95% CI half-width, NaN if n < 2 */
} por_until_ci_report;

/* Runs replications 0, 1, 2, ... of SC in batches of POR_UNTIL_CI_BATCH (the last one
 * cut at max_reps) on cfg->threads threads, until after a batch the chosen metric's 95%
 * CI half-width is within cfg->pct % of its mean (at least 2 observations) or max_reps
 * replications ran. Fills OUT like por_runner_run (caller destroys out->table; rows in
 * replication order up to the first failure) and REP. Returns POR_OK; POR_EINPUT when
 * the metric does not exist; or the first failing replication's status, in replication
 * order, with ERR set. An interrupt leaves OUT partial (out->partial). */
por_status por_run_until_ci(const por_scenario *sc, const por_until_ci_config *cfg,
                            por_runner_result *out, por_until_ci_report *rep,
                            por_error *err);

#endif
