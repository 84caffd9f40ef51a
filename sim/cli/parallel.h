/* Parallel jobs for the CLI (internal to sim/cli): worker threads take job indices from a
 * shared counter, each job stores its result in its own slot, and callers read results in
 * job order afterwards, so neither the thread count nor the scheduling changes an output.
 * Used by `run` (replications), `sweep` (grid cells) and `run --until-ci` (batches). */
#ifndef POR_CLI_PARALLEL_H
#define POR_CLI_PARALLEL_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/parallel.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/stats.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs job J with scratch CELLS/STRINGS (POR_WM_NCOLS entries each, reused between jobs of
 * one thread); the job stores what it needs in its own storage and returns the
 * replication's status (ERR set on failure). */
typedef por_status (*por_job_fn)(void *ctx, size_t j, por_metric_cell *cells, char *strings,
                                  por_error *err);

typedef struct {
    size_t njobs;
    unsigned threads;
    por_job_fn job;
    void *ctx;
    bool continue_on_invariant; /* a broken invariant does not stop the other cells */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    volatile sig_atomic_t *interrupt;
    /* results, one per job */
    bool *done;
    por_status *status;
    por_error *errs;      /* the error of each failed job */
} por_parallel;

/* Runs the jobs of EX on ex->threads threads, calling ex->progress about ten times a
 * second from the calling thread; fills ex->done, ex->status and ex->errs (free them with
 * por_parallel_free). A failed job stops new jobs from starting, except a broken
 * invariant when continue_on_invariant; so does *ex->interrupt becoming non-zero. */
void por_parallel_run(por_parallel *ex);
void por_parallel_free(por_parallel *ex);

#endif
