/* Parallel replications with a deterministic merge (see por/runner.h): replications run
 * in chunks of POR__RUNNER_CHUNK, each replication one job of the CLI's parallel executor
 * (parallel.h) storing its row in its own slot of the chunk; after a chunk, its rows are
 * appended to the metric table in replication order and the slots reused. So neither the
 * thread count nor the scheduling can change the output. The table keeps its last
 * POR__RUNNER_WINDOW rows in memory and the others on temporary files (spill.c), so the
 * memory of a run does not depend on -r (it held replications x metrics cells and an
 * error record per replication up front: ~24 GB for -r 10000000). */
#include "por/runner.h"
#include "parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Replications per chunk: large enough that threads rarely wait at a chunk's end, small
 * enough that the chunk's rows and error records stay far below a MiB. */
#define POR__RUNNER_CHUNK 256u
/* Rows of the metric table kept in memory (about 1.2 KB each); the rest are spilled. */
#define POR__RUNNER_WINDOW 1024u

typedef struct {
    const por_scenario *sc;
    const por_runner_config *cfg;
    uint64_t first;         /* replication offset of the chunk (from cfg->first_rep) */
    size_t ncols;
    por_metric_cell *cells; /* chunk x ncols, exact strings owned (strdup) */
    uint64_t *events;       /* per replication of the chunk */
    /* progress over the whole run */
    uint64_t done_before, total;
} por__runner_ctx;

static por_status por__runner_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                                  por_error *err)
{
    por__runner_ctx *c = vctx;
    por_status st = por_world_run_replication(c->sc, c->cfg->first_rep + c->first + j,
                                              &c->cfg->run, cells, strings, err);
    por_metric_cell *dst = c->cells + j * c->ncols;
    for (size_t k = 0; k < c->ncols; k++) {
        dst[k] = cells[k];
        dst[k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
    }
    c->events[j] = st == POR_OK && cells[POR_WM_EVENTS].present
                       ? (uint64_t)cells[POR_WM_EVENTS].value
                       : 0;
    return st;
}

static void por__runner_progress(void *vctx, uint64_t done, uint64_t total)
{
    (void)total;
    por__runner_ctx *c = vctx;
    c->cfg->progress(c->cfg->progress_ctx, c->done_before + done, c->total);
}

static double por__now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

por_status por_runner_run(const por_scenario *sc, const por_runner_config *cfg,
                          por_runner_result *out, por_error *err)
{
    memset(out, 0, sizeof *out);
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    uint64_t n = cfg->replications;
    size_t chunk = n < POR__RUNNER_CHUNK ? (size_t)(n ? n : 1) : POR__RUNNER_CHUNK;
    por__runner_ctx ctx = {.sc = sc, .cfg = cfg, .ncols = ncols, .total = n};
    ctx.cells = por_xcalloc(chunk * ncols, sizeof *ctx.cells);
    ctx.events = por_xcalloc(chunk, sizeof *ctx.events);
    out->table = por_metric_table_create(defs, ncols);
    por_metric_table_spill(out->table, POR__RUNNER_WINDOW);

    double t0 = por__now_s();
    por_status status = POR_OK;
    bool stopped = false;
    for (uint64_t first = 0; first < n && !stopped; first += chunk) {
        size_t m = n - first < chunk ? (size_t)(n - first) : chunk;
        ctx.first = first;
        ctx.done_before = first;
        por_parallel ex = {.njobs = m, .threads = cfg->threads, .job = por__runner_job,
                           .ctx = &ctx, .progress = cfg->progress ? por__runner_progress : NULL,
                           .progress_ctx = &ctx, .interrupt = cfg->interrupt};
        por_parallel_run(&ex);
        /* Merge the chunk in index order, up to the first gap, stop or failure. */
        for (size_t i = 0; i < m && !stopped; i++) {
            if (!ex.done[i]) {
                stopped = true;
            } else if (ex.status[i] == POR_EINTERRUPTED) {
                snprintf(out->stop_msg, sizeof out->stop_msg, "%s", ex.errs[i].msg);
                stopped = true;
            } else if (ex.status[i] != POR_OK) {
                status = ex.status[i];
                if (err)
                    *err = ex.errs[i];
                stopped = true;
            } else {
                por_metric_table_add_row(out->table, cfg->first_rep + first + i,
                                         ctx.cells + i * ncols);
                out->events += ctx.events[i];
                out->completed++;
            }
        }
        for (size_t i = 0; i < m * ncols; i++) {
            free((char *)ctx.cells[i].exact);
            ctx.cells[i].exact = NULL;
        }
        por_parallel_free(&ex);
        if (cfg->interrupt && *cfg->interrupt)
            stopped = true;
    }
    out->partial = status == POR_OK && out->completed < n;
    out->wall_seconds = por__now_s() - t0;
    free(ctx.cells);
    free(ctx.events);
    return status;
}
