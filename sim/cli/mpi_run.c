/* `porsim-mpi run`: porsim run's replications dealt round-robin over the MPI ranks
 * (replication i to rank i mod N), each rank running its share on -j threads with the
 * CLI's parallel executor. Rank 0 gathers every replication's metric cells (values,
 * nanoseconds, flags and exact strings, bit for bit), adds them to one metric table in
 * replication order and writes runs.csv and summary.json with porsim's writers, so they
 * are the bytes `porsim run` writes for the same options. The merge rule is runner.c's:
 * rows up to the first failed or unfinished replication. The options mirror main.c's
 * `run` (without --until-ci, whose batch loop stays single-process). */
#include "cliopt.h"
#include "mpi_cli.h"
#include "parallel.h"
#include "run_outputs.h"
#include "por/outdir.h"
#include "por/scenario_load.h"
#include "por/stats.h"
#include "por/world.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


static const char por__mpi_usage_run[] =
    "Usage: mpirun -np N porsim-mpi run [SCENARIO.json] [options]\n"
    "\n"
    "porsim run with replication i run by rank i mod N; rank 0 prints the summary and\n"
    "writes DIR/runs.csv and DIR/summary.json byte for byte as porsim run does (and\n"
    "DIR/meta.json, which also records the ranks).\n"
    "\n"
    "Options:\n"
    "  -r, --replications N   number of replications (overrides the scenario)\n"
    "  -j, --threads T        worker threads per rank (default 1)\n"
    "  --seed S               scenario seed (overrides the scenario)\n"
    "  -o, --output DIR       write runs.csv, summary.json, meta.json into DIR (rank 0)\n"
    "  --force                replace DIR if it exists\n"
    "  --set PATH=VALUE       override one scenario field (repeatable)\n"
    "  --crypto ideal|real    signature mode (overrides feed.crypto)\n"
    "  --strict               the scenario's warnings are errors (exit 2)\n"
    "  -q, --quiet            no summary table on stdout\n"
    "  -h, --help             this help\n";

/* The stop flag (cliopt.h): a second SIGINT or SIGTERM also ends running replications. */
static volatile sig_atomic_t *por__mpi_stop;

static double por__mpi_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This rank's jobs: job j is replication rank + j * size. */
typedef struct {
    const por_scenario *sc;
    por_run_options opt;
    uint64_t first, stride;
    size_t ncols;
    por_metric_cell *cells; /* njobs x ncols, exact strings owned */
} por__mpi_run_ctx;

static por_status por__mpi_run_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                                   por_error *err)
{
    por__mpi_run_ctx *c = vctx;
    por_status st = por_world_run_replication(c->sc, c->first + j * c->stride, &c->opt, cells,
                                              strings, err);
    por_metric_cell *dst = c->cells + j * c->ncols;
    for (size_t k = 0; k < c->ncols; k++) {
        dst[k] = cells[k];
        dst[k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
    }
    return st;
}

/* What rank 0 knows of one replication after the gather. */
typedef struct {
    bool done;
    por_status status;
    char *msg;               /* error message when status != POR_OK */
    por_metric_cell *cells;  /* ncols, exact strings owned; NULL unless done and OK */
} por__mpi_rep;

static void por__mpi_put_cell(por_blob *b, const por_metric_cell *c)
{
    unsigned char flags = (unsigned char)((c->present ? 1 : 0) | (c->censored ? 2 : 0));
    por_blob_put(b, &flags, 1);
    por_blob_put(b, &c->value, sizeof c->value); /* the bits: same double on rank 0 */
    por_blob_put(b, &c->ns, sizeof c->ns);
    por_blob_put_str(b, c->exact);
}

static void por__mpi_get_cell(por_blob_reader *r, por_metric_cell *c)
{
    unsigned char flags = 0;
    por_blob_get(r, &flags, 1);
    c->present = flags & 1;
    c->censored = (flags & 2) != 0;
    por_blob_get(r, &c->value, sizeof c->value);
    por_blob_get(r, &c->ns, sizeof c->ns);
    c->exact = por_blob_get_str(r);
}

/* Runs this rank's replications and returns the blob for rank 0: per job, the done
 * flag, status, error message, and (done, OK or invariant) the cells. */
static void por__mpi_run_local(const por_mpi *m, const por_scenario *sc, unsigned threads,
                               unsigned test_faults, por_blob *b)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    uint64_t R = sc->replications;
    size_t njobs = (size_t)((uint64_t)m->rank < R ? (R - (uint64_t)m->rank + (uint64_t)m->size - 1) /
                                                        (uint64_t)m->size
                                                  : 0);
    por__mpi_run_ctx ctx = {.sc = sc, .opt = {.crypto_override = -1, .horizon_override = 0,
                                              .stop = por__mpi_stop, .test_faults = test_faults},
                            .first = (uint64_t)m->rank, .stride = (uint64_t)m->size,
                            .ncols = ncols};
    ctx.cells = por_xcalloc((njobs ? njobs : 1) * ncols, sizeof *ctx.cells);
    por_parallel ex = {.njobs = njobs, .threads = threads, .job = por__mpi_run_job,
                       .ctx = &ctx, .interrupt = por__mpi_stop};
    por_parallel_run(&ex);
    por_blob_put_u64(b, njobs);
    for (size_t j = 0; j < njobs; j++) {
        por_blob_put_u64(b, ex.done[j]);
        por_blob_put_u64(b, (uint64_t)ex.status[j]);
        por_blob_put_str(b, ex.done[j] && ex.status[j] != POR_OK ? ex.errs[j].msg : "");
        if (ex.done[j] && ex.status[j] == POR_OK)
            for (size_t k = 0; k < ncols; k++)
                por__mpi_put_cell(b, &ctx.cells[j * ncols + k]);
    }
    for (size_t i = 0; i < njobs * ncols; i++)
        free((char *)ctx.cells[i].exact);
    free(ctx.cells);
    por_parallel_free(&ex);
}

/* Rank 0: reads every rank's blob into REPS (R entries). False on a malformed blob. */
static bool por__mpi_read_reps(const por_mpi *m, char **blobs, const size_t *lens, uint64_t R,
                               size_t ncols, por__mpi_rep *reps)
{
    for (int r = 0; r < m->size; r++) {
        por_blob_reader rd = {blobs[r], lens[r], true};
        uint64_t njobs = por_blob_get_u64(&rd);
        for (uint64_t j = 0; j < njobs && rd.ok; j++) {
            uint64_t rep = (uint64_t)r + j * (uint64_t)m->size;
            if (rep >= R)
                return false;
            por__mpi_rep *x = &reps[rep];
            x->done = por_blob_get_u64(&rd) != 0;
            x->status = (por_status)por_blob_get_u64(&rd);
            x->msg = por_blob_get_str(&rd);
            if (x->done && x->status == POR_OK) {
                x->cells = por_xcalloc(ncols, sizeof *x->cells);
                for (size_t k = 0; k < ncols; k++)
                    por__mpi_get_cell(&rd, &x->cells[k]);
            }
        }
        if (!rd.ok)
            return false;
    }
    return true;
}

int por_mpi_run_main(por_mpi *m, int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    por_cli_scenario_opts so;
    por_cli_scenario_opts_init(&so);
    bool force = false, quiet = false;

    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        int used;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por__mpi_usage_run, stdout);
            return 0;
        } else if ((used = por_cli_scenario_opt(&so, "run", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (por_cli_opt(argc, argv, &i, "-o", "--output", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("run", "-o needs a directory");
            out = v;
        } else if (!strcmp(a, "--until-ci") || !strncmp(a, "--until-ci=", 11) ||
                   !strcmp(a, "--metric") || !strcmp(a, "--max-reps")) {
            return por_cli_usage_error("run", "%s is not available in porsim-mpi (use porsim run)",
                                       a);
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("run", "unknown option %s", a);
        } else if (!file) {
            file = por_cli_find_scenario(a);
        } else {
            return por_cli_usage_error("run", "one scenario file at a time (got %s and %s)", file, a);
        }
    }
    unsigned test_faults;
    if (!por_cli_test_faults(&test_faults))
        return 1;
    /* Flags are applied as overrides after --set, as porsim run does. */
    const char *sets[POR_CLI_MAX_SETS + 3];
    size_t nsets = so.nsets;
    memcpy(sets, so.sets, so.nsets * sizeof *sets);
    nsets += por_cli_scenario_flag_sets(&so, true, sets + nsets);

    por_error err = {POR_OK, ""};
    por_scenario *sc = NULL;
    por_status st = file ? por_scenario_load_file(file, sets, nsets, &sc, &err)
                         : por_scenario_load_string(por_default_scenario_json,
                                                    strlen(por_default_scenario_json),
                                                    "<default>", sets, nsets, &sc, &err);
    if (st != POR_OK) {
        fprintf(stderr, "porsim: %s\n", err.msg);
        return por_status_exit_code(st);
    }
    /* Every rank loads the same scenario: each decides the same way, rank 0 prints. */
    if (m->rank == 0 ? por_cli_scenario_warnings(sc, so.strict) : (so.strict && sc->nwarnings)) {
        por_scenario_free(sc);
        return 2;
    }
    if (m->rank == 0 && out && (st = por_outdir_check(out, force, &err)) != POR_OK) {
        fprintf(stderr, "porsim: %s\n", err.msg);
        por_scenario_free(sc);
        return por_status_exit_code(st);
    }
    int rc = por_mpi_agree(m, 0);
    if (rc) {
        por_scenario_free(sc);
        return rc;
    }

    por__mpi_stop = por_cli_stop_install(0);

    double t0 = por__mpi_now();
    por_blob blob = {0};
    por__mpi_run_local(m, sc, (unsigned)so.threads, test_faults, &blob);
    char **blobs = NULL;
    size_t *lens = NULL;
    rc = por_mpi_gather(m, 0, blob.data, blob.len, &blobs, &lens);
    free(blob.data);
    if (rc || m->rank != 0) {
        por_scenario_free(sc);
        return rc;
    }

    /* Rank 0: merge in replication order, up to the first gap or failure (runner.c). */
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    uint64_t R = sc->replications;
    por__mpi_rep *rr = por_xcalloc(R ? (size_t)R : 1, sizeof *rr);
    bool ok = por__mpi_read_reps(m, blobs, lens, R, ncols, rr);
    por_mpi_free_blobs(m, blobs, lens);
    por_metric_table *table = por_metric_table_create(defs, ncols);
    uint64_t completed = 0, events = 0;
    st = POR_OK;
    if (!ok) {
        st = por_error_set(&err, POR_EIO, "malformed results from another rank");
    } else {
        for (uint64_t i = 0; i < R; i++) {
            if (!rr[i].done || rr[i].status == POR_EINTERRUPTED)
                break; /* stopped by a signal: the run is partial */
            if (rr[i].status != POR_OK) {
                st = rr[i].status;
                snprintf(err.msg, sizeof err.msg, "%s", rr[i].msg ? rr[i].msg : "");
                err.status = st;
                break;
            }
            por_metric_table_add_row(table, i, rr[i].cells);
            const por_metric_cell *ev = &rr[i].cells[POR_WM_EVENTS];
            if (ev->present)
                events += (uint64_t)ev->value;
            completed++;
        }
    }
    bool partial = st == POR_OK && completed < R;
    double wall = por__mpi_now() - t0;

    if (!quiet) {
        char dur[64];
        printf("scenario %s: %" PRIu64 " replication%s of %s, seed %" PRIu64 "%s\n", sc->name,
               completed, completed == 1 ? "" : "s",
               por_duration_format(sc->duration, dur, sizeof dur), sc->seed,
               partial ? " (interrupted: partial)" : "");
        por_metric_table_print(table, stdout);
        printf("%" PRIu64 " events in %.2f s wall (%.0f events/s) on %d ranks x %u threads\n",
               events, wall, wall > 0 ? (double)events / wall : 0.0, m->size,
               (unsigned)so.threads);
        fflush(stdout);
    }
    int code = por_status_exit_code(st);
    if (st != POR_OK)
        fprintf(stderr, "porsim: %s: %s\n", por_status_name(st), err.msg);
    if (out && (st == POR_OK || st == POR_EINVARIANT)) {
        char mpi_meta[128];
        snprintf(mpi_meta, sizeof mpi_meta,
                 ",\n  \"mpi_ranks\": %d,\n  \"threads_per_rank\": %u", m->size,
                 (unsigned)so.threads);
        por_cli_run_outputs ro = {
            .dir = out, .force = force, .sc = sc, .table = table, .completed = completed,
            .partial = partial, .events = events, .wall_seconds = wall, .argc = argc,
            .argv = argv, .sets = sets, .nsets = nsets, .meta_extra = mpi_meta,
        };
        por_error werr = {POR_OK, ""};
        if (por_cli_write_run_outputs(&ro, &werr) != POR_OK) {
            fprintf(stderr, "porsim: %s\n", werr.msg);
            if (code == 0)
                code = 1;
        } else if (!quiet) {
            printf("wrote %s/runs.csv, summary.json, meta.json\n", out);
        }
    }
    if (partial) {
        fprintf(stderr, "porsim: interrupted: kept %" PRIu64 " of %" PRIu64 " replications\n",
                completed, R);
        if (code == 0)
            code = 1;
    }
    for (uint64_t i = 0; i < R; i++) {
        free(rr[i].msg);
        if (rr[i].cells)
            for (size_t k = 0; k < ncols; k++)
                free((char *)rr[i].cells[k].exact);
        free(rr[i].cells);
    }
    free(rr);
    por_metric_table_destroy(table);
    por_scenario_free(sc);
    return code;
}
