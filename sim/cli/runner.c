/* Parallel replications with a deterministic merge (see por/runner.h).
 *
 * Worker threads take replication indices from a shared counter and store each row in
 * its own slot; rows are appended to the metric table in index order afterwards, so
 * neither the thread count nor the scheduling can change the output. */
#include "por/runner.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    por_metric_cell *cells; /* ncols */
    char *strings;          /* ncols * POR_RUNNER_STR */
    por_status status;
    por_error err;
    uint64_t events;
    bool done;
} por__slot;

#define POR_RUNNER_STR 48

typedef struct {
    const por_scenario *sc;
    const por_runner_config *cfg;
    size_t ncols;
    long events_col; /* column "events" (events handled), or -1 */
    por__slot *slots;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t next, finished;
    bool stop; /* a replication failed: start no more */
} por__shared;

static void *por__worker(void *arg)
{
    por__shared *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        bool interrupted = sh->cfg->interrupt && *sh->cfg->interrupt;
        if (sh->stop || interrupted || sh->next >= sh->cfg->replications) {
            pthread_mutex_unlock(&sh->lock);
            return NULL;
        }
        uint64_t i = sh->next++;
        pthread_mutex_unlock(&sh->lock);

        por__slot *slot = &sh->slots[i];
        slot->status = por_world_run_replication(sh->sc, sh->cfg->first_rep + i, &sh->cfg->run,
                                                 slot->cells, slot->strings, &slot->err);
        if (slot->status == POR_OK && sh->events_col >= 0 &&
            slot->cells[sh->events_col].present)
            slot->events = (uint64_t)slot->cells[sh->events_col].value;
        pthread_mutex_lock(&sh->lock);
        slot->done = true;
        sh->finished++;
        if (slot->status != POR_OK)
            sh->stop = true;
        pthread_cond_broadcast(&sh->cond);
        pthread_mutex_unlock(&sh->lock);
    }
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
    por__shared sh = {.sc = sc, .cfg = cfg, .ncols = ncols, .events_col = -1};
    for (size_t c = 0; c < ncols; c++)
        if (strcmp(defs[c].name, "events") == 0)
            sh.events_col = (long)c;
    sh.slots = por_xcalloc(cfg->replications ? cfg->replications : 1, sizeof *sh.slots);
    for (uint64_t i = 0; i < cfg->replications; i++) {
        sh.slots[i].cells = por_xcalloc(ncols, sizeof *sh.slots[i].cells);
        sh.slots[i].strings = por_xcalloc(ncols, POR_RUNNER_STR);
    }
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.cond, NULL);

    double t0 = por__now_s();
    unsigned nthreads = cfg->threads ? cfg->threads : 1;
    if (nthreads > cfg->replications)
        nthreads = cfg->replications ? (unsigned)cfg->replications : 1;
    pthread_t *tids = por_xcalloc(nthreads, sizeof *tids);
    unsigned started = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        if (pthread_create(&tids[t], NULL, por__worker, &sh) != 0)
            break;
        started++;
    }
    if (started == 0) /* no thread could start: run on this one */
        por__worker(&sh);

    /* Wait, reporting progress about ten times a second. */
    pthread_mutex_lock(&sh.lock);
    for (;;) {
        bool interrupted = cfg->interrupt && *cfg->interrupt;
        uint64_t target = (sh.stop || interrupted) ? sh.next : cfg->replications;
        if (sh.finished >= target)
            break;
        if (cfg->progress) {
            uint64_t done = sh.finished;
            pthread_mutex_unlock(&sh.lock);
            cfg->progress(cfg->progress_ctx, done, cfg->replications);
            pthread_mutex_lock(&sh.lock);
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&sh.cond, &sh.lock, &until);
    }
    pthread_mutex_unlock(&sh.lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    if (cfg->progress)
        cfg->progress(cfg->progress_ctx, sh.finished, cfg->replications);

    /* Merge completed replications in index order, up to the first gap or failure. */
    por_status status = POR_OK;
    out->table = por_metric_table_create(defs, ncols);
    for (uint64_t i = 0; i < cfg->replications; i++) {
        por__slot *slot = &sh.slots[i];
        if (!slot->done)
            break;
        if (slot->status != POR_OK) {
            status = slot->status;
            if (err) {
                err->status = slot->status;
                memcpy(err->msg, slot->err.msg, sizeof err->msg);
            }
            break;
        }
        por_metric_table_add_row(out->table, cfg->first_rep + i, slot->cells);
        out->events += slot->events;
        out->completed++;
    }
    out->partial = status == POR_OK && out->completed < cfg->replications;
    out->wall_seconds = por__now_s() - t0;

    for (uint64_t i = 0; i < cfg->replications; i++) {
        free(sh.slots[i].cells);
        free(sh.slots[i].strings);
    }
    free(sh.slots);
    pthread_mutex_destroy(&sh.lock);
    pthread_cond_destroy(&sh.cond);
    return status;
}
