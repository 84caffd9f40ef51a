/* Parallel replications with a deterministic merge (see por/runner.h): each replication
 * is one job of the CLI's parallel executor (parallel.h) storing its row in its own
 * slot; rows are appended to the metric table in replication order afterwards, so
 * neither the thread count nor the scheduling can change the output. */
#include "por/runner.h"
#include "parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const por_scenario *sc;
    const por_runner_config *cfg;
    size_t ncols;
    por_metric_cell *cells; /* replications x ncols, exact strings owned (strdup) */
    uint64_t *events;       /* per replication */
} por__runner_ctx;

static por_status por__runner_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                                  por_error *err)
{
    por__runner_ctx *c = vctx;
    por_status st = por_world_run_replication(c->sc, c->cfg->first_rep + j, &c->cfg->run, cells,
                                              strings, err);
    por_metric_cell *dst = c->cells + j * c->ncols;
    for (size_t k = 0; k < c->ncols; k++) {
        dst[k] = cells[k];
        dst[k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
    }
    if (st == POR_OK && cells[POR_WM_EVENTS].present)
        c->events[j] = (uint64_t)cells[POR_WM_EVENTS].value;
    return st;
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
    size_t n = cfg->replications;
    por__runner_ctx ctx = {.sc = sc, .cfg = cfg, .ncols = ncols};
    ctx.cells = por_xcalloc((n ? n : 1) * ncols, sizeof *ctx.cells);
    ctx.events = por_xcalloc(n ? n : 1, sizeof *ctx.events);

    double t0 = por__now_s();
    por_parallel ex = {.njobs = n, .threads = cfg->threads, .job = por__runner_job,
                       .ctx = &ctx, .progress = cfg->progress,
                       .progress_ctx = cfg->progress_ctx, .interrupt = cfg->interrupt};
    por_parallel_run(&ex);

    /* Merge completed replications in index order, up to the first gap or failure. */
    por_status status = POR_OK;
    out->table = por_metric_table_create(defs, ncols);
    for (size_t i = 0; i < n; i++) {
        if (!ex.done[i])
            break;
        if (ex.status[i] == POR_EINTERRUPTED) {
            snprintf(out->stop_msg, sizeof out->stop_msg, "%s", ex.errs[i].msg);
            break;
        }
        if (ex.status[i] != POR_OK) {
            status = ex.status[i];
            if (err)
                *err = ex.errs[i];
            break;
        }
        por_metric_table_add_row(out->table, cfg->first_rep + i, ctx.cells + i * ncols);
        out->events += ctx.events[i];
        out->completed++;
    }
    out->partial = status == POR_OK && out->completed < n;
    out->wall_seconds = por__now_s() - t0;

    for (size_t i = 0; i < n * ncols; i++)
        free((char *)ctx.cells[i].exact);
    free(ctx.cells);
    free(ctx.events);
    por_parallel_free(&ex);
    return status;
}
