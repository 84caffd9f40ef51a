/* Parallel jobs for the CLI: see parallel.h. */
#include "parallel.h"
#include "por/world.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    por_parallel *ex;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t next, finished;
    bool stop;
} por__parallel_shared;

static void *por__parallel_worker(void *arg)
{
    por__parallel_shared *sh = arg;
    por_parallel *ex = sh->ex;
    size_t ncols;
    por_world_metric_defs(&ncols);
    por_metric_cell *cells = por_xcalloc(ncols, sizeof *cells);
    char *strings = por_xcalloc(ncols, POR_WORLD_STRING_BYTES);
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        bool interrupted = ex->interrupt && *ex->interrupt;
        if (sh->stop || interrupted || sh->next >= ex->njobs) {
            pthread_mutex_unlock(&sh->lock);
            break;
        }
        size_t j = sh->next++;
        pthread_mutex_unlock(&sh->lock);

        memset(cells, 0, ncols * sizeof *cells);
        por_error e = {POR_OK, ""};
        por_status st = ex->job(ex->ctx, j, cells, strings, &e);

        pthread_mutex_lock(&sh->lock);
        ex->status[j] = st;
        if (st != POR_OK) {
            ex->errs[j] = e;
            if (!(st == POR_EINVARIANT && ex->continue_on_invariant))
                sh->stop = true;
        }
        ex->done[j] = true;
        sh->finished++;
        pthread_cond_broadcast(&sh->cond);
        pthread_mutex_unlock(&sh->lock);
    }
    free(cells);
    free(strings);
    return NULL;
}

void por_parallel_run(por_parallel *ex)
{
    ex->done = por_xcalloc(ex->njobs ? ex->njobs : 1, sizeof *ex->done);
    ex->status = por_xcalloc(ex->njobs ? ex->njobs : 1, sizeof *ex->status);
    por__parallel_shared sh = {.ex = ex};
    ex->errs = por_xcalloc(ex->njobs ? ex->njobs : 1, sizeof *ex->errs);
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.cond, NULL);
    unsigned nthreads = ex->threads ? ex->threads : 1;
    if (nthreads > ex->njobs)
        nthreads = ex->njobs ? (unsigned)ex->njobs : 1;
    pthread_t *tids = por_xcalloc(nthreads, sizeof *tids);
    unsigned started = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        if (pthread_create(&tids[t], NULL, por__parallel_worker, &sh) != 0)
            break;
        started++;
    }
    if (started == 0)
        por__parallel_worker(&sh);

    pthread_mutex_lock(&sh.lock);
    for (;;) {
        bool interrupted = ex->interrupt && *ex->interrupt;
        size_t target = (sh.stop || interrupted) ? sh.next : ex->njobs;
        if (sh.finished >= target)
            break;
        if (ex->progress) {
            size_t done = sh.finished;
            pthread_mutex_unlock(&sh.lock);
            ex->progress(ex->progress_ctx, done, ex->njobs);
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
    if (ex->progress)
        ex->progress(ex->progress_ctx, sh.finished, ex->njobs);

    pthread_mutex_destroy(&sh.lock);
    pthread_cond_destroy(&sh.cond);
}

void por_parallel_free(por_parallel *ex)
{
    free(ex->done);
    free(ex->status);
    free(ex->errs);
    ex->done = NULL;
    ex->status = NULL;
    ex->errs = NULL;
}

