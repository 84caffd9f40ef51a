/* `porsim tune`: the cheapest point of a parameter grid that meets the targets.
 *
 * Given --param ranges (as porsim sweep), --require targets and a cost (--minimize
 * METRIC, its mean per run), tune races the points: a point runs replications 0..n-1,
 * n starting at --min-reps and doubling for the cheaper half of the live points each
 * stage, up to --max-reps. Replication r of every point uses the same random streams (the
 * scenario seed and r), so costs are compared pairwise. After each stage a point is
 * dropped when a target is not met (infeasible) or when its cost is confidently higher
 * (95 % paired t interval of the cost differences above 0) than that of a point that
 * meets every target. The race ends when one point is left or no live point can get
 * more replications. Stages run their cells on -j
 * threads and use the results in cell order: the same bytes for any -j. The output
 * directory has the sweep layout (points.csv, runs.csv, censored.csv, summary.csv,
 * meta.json) plus tune.csv, requirements.csv and frontier.csv; docs/tune.md. */
#ifndef POR_TUNE_H
#define POR_TUNE_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "por/tune.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include <stdbool.h>
#include <stddef.h>

extern const char por_tune_usage[];

/* `porsim tune ...` with ARGV[1] == "tune". Returns the exit code: 0 a winner that meets
 * every target, with no cheaper point left undecided; 4 no point can meet the targets;
 * 5 undecided (no point confirmed, or cheaper points undecided at --max-reps); 1, 2, 3
 * as for sweep. */
int por_tune_main(int argc, char **argv);

/* Spreading one race over several processes (porsim-mpi tune, sim/cli/mpi_tune.c). Every
 * process runs the same command line and the same race: each validates every point, runs
 * its share of each stage's cells (the i-th cell of the stage to process i mod NRANKS) on
 * -j threads, and hands the results of its cells to EXCHANGE, which gives every process
 * the results of all; each then judges and drops points on the same numbers in the same
 * order, so every process takes the same decisions and the next stage has the same
 * cells. Process 0 alone checks and writes the output directory and prints, so its
 * outputs are byte for byte those of `porsim tune` with the same options (meta.json's
 * command line and wall time aside). */
typedef struct {
    void *ctx;
    unsigned rank, nranks;
    /* Called once, after validation (and process 0's output directory check) succeeded on
     * this process; returns 0 when every process got that far, else the exit code to
     * return (a process that fails earlier returns without calling it: the caller of
     * por_tune_main_dist then answers for it). */
    int (*agree)(void *ctx);
    /* Called once per stage by every process, with this process's results (BLOB, LEN
     * bytes; COMPLETE false when one of its cells failed or was not run). Returns 0 with
     * *BLOBS (NRANKS malloc'd buffers, process r's blob at r) and *LENS (malloc'd) set on
     * every process, freed by the caller with free(); or the exit code to return, with
     * nothing set. */
    int (*exchange)(void *ctx, bool complete, const void *blob, size_t len, char ***blobs,
                    size_t **lens);
} por_tune_dist;

/* `porsim tune ...` run as process DIST->rank of DIST->nranks (see por_tune_dist); DIST
 * NULL is por_tune_main. On a process other than 0 a successful race returns its exit
 * code without printing or writing anything. */
int por_tune_main_dist(int argc, char **argv, const por_tune_dist *dist);

#endif
