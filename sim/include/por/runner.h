/* Replications in parallel: runs R replications of a scenario on T threads and merges
 * their metric rows in replication order, so the result is the same for any T.
 *
 * Each replication is independent (its own simulation, streams and crypto context); the
 * scenario is shared read-only. A progress callback is called from the calling thread
 * about ten times a second while replications run. */
#ifndef POR_RUNNER_H
#define POR_RUNNER_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "por/runner.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/scenario.h"
#include "por/stats.h"
#include "por/world.h"

#include <signal.h>

typedef struct {
    uint64_t first_rep;      /* replication index of the first run (for shards) */
    uint64_t replications;   /* how many */
    unsigned threads;        /* >= 1 */
    por_run_options run;     /* passed to every replication */
    /* Called with (done, total) from the calling thread; may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* When non-NULL and set non-zero (e.g. by a signal handler), no new replication starts
     * and the result is marked partial; at POR_STOP_NOW (por/world.h) the running ones end
     * too if run.stop points to the same flag. */
    volatile sig_atomic_t *interrupt;
} por_runner_config;

typedef struct {
    por_metric_table *table; /* rows of completed replications, in replication order */
    uint64_t completed;      /* rows in table */
    bool partial;            /* interrupted before all replications ran */
    char stop_msg[512];      /* when partial because a replication was stopped (run.stop,
                                run.max_events): its message; else "" */
    uint64_t events;         /* events handled over all replications */
    double wall_seconds;
} por_runner_result;

/* Runs the replications. On success returns POR_OK and fills OUT (caller destroys
 * out->table). If a replication fails, the first failure in replication order is
 * returned in ERR (POR_EINVARIANT for a broken safety invariant) and OUT still holds the
 * rows of the replications before it. A replication ended by a stop request or its event
 * budget (POR_EINTERRUPTED) is not a failure: OUT is partial, with the replications
 * before it, and out->stop_msg says why. */
por_status por_runner_run(const por_scenario *sc, const por_runner_config *cfg,
                          por_runner_result *out, por_error *err);

#endif
