/* `porsim tune`: race the points of a parameter grid to the cheapest one that meets the
 * targets (see por/tune.h and docs/tune.md).
 *
 * Stages: every live point runs replications up to the stage's count (doubling from
 * --min-reps to --max-reps); the cells of a stage run on -j threads into their own slots
 * and are used in cell order, and which cells a stage runs depends only on the earlier
 * stages' results, so the output is the same for any -j. Replication r of each point is
 * replication r of `porsim run` on that point (scenario seed, stream ids): common random
 * numbers, so the costs of two points are compared replication by replication.
 *
 * Under porsim-mpi (por_tune_dist) every process runs the same race: it runs its share
 * of a stage's cells, the processes exchange the results of their cells (por__tune_pack,
 * por__tune_unpack), and each then holds every cell's result in the slot it would have
 * had in one process, so the rest of the stage is the same code on the same numbers.
 * `porsim tune --shard K/N --exchange DIR` does the same between N separate processes
 * through files in DIR (a shared folder): shard K writes its results of stage S to a
 * file there and waits for the other shards' files of that stage (por__fs_exchange). */
#include "por/tune.h"

#include "cliopt.h"
#include "param_range.h"
#include "parallel.h"
#include "por/blob.h"
#include "por/csv.h"
#include "por/outdir.h"
#include "por/scenario_load.h"
#include "por/sweep.h"
#include "require_cli.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POR_TUNE_MAX_PARAMS 32
#define POR_TUNE_MAX_POINTS 100000u

const char por_tune_usage[] =
    "Usage: porsim tune [SCENARIO.json] --param PATH=LIST [--param ...] --require EXPR\n"
    "                   [--require ...] --minimize METRIC [options]\n"
    "\n"
    "Finds the cheapest point of a parameter grid that meets every --require target at\n"
    "95% confidence, spending replications where they decide something. The grid is the\n"
    "one porsim sweep runs (lists, LO..HI:STEP and LO..HI:Nlog ranges; see `porsim help\n"
    "sweep`). Points race in stages: a point runs replications 0..n-1, n doubling from\n"
    "--min-reps to --max-reps; replication r of every point shares its random\n"
    "streams (common random numbers). After each stage a point is dropped when a target\n"
    "is not met, or when its mean cost is confidently higher (95% paired t interval of the\n"
    "per-replication differences above 0) than that of a point that meets every target.\n"
    "Each stage the cheaper half of the live points (by mean cost) doubles its\n"
    "replications; the others wait, and are usually dropped on their first replications\n"
    "once a cheap point meets the targets.\n"
    "\n"
    "Options:\n"
    "  --param PATH=LIST      a tuned scenario field (repeatable)\n"
    "  --require EXPR         a target, e.g. feed_detect.p90<=1h (repeatable, at least one)\n"
    "  --minimize METRIC      the cost: the mean of any runs.csv metric (gas, or a fee)\n"
    "  --min-reps N           replications of the first stage (default 10)\n"
    "  --max-reps N           replications cap per point (default 320)\n"
    "  -j, --threads T        worker threads (default 1); outputs identical for any T\n"
    "  --seed S, --set PATH=VALUE, --crypto ideal|real   as for porsim run\n"
    "  -o, --output DIR       write the sweep files (points.csv, runs.csv, censored.csv,\n"
    "                         summary.csv, meta.json) plus tune.csv, requirements.csv and\n"
    "                         frontier.csv into DIR (all-or-nothing)\n"
    "  --force                replace DIR if it exists\n"
    "  --shard K/N --exchange XDIR   run as shard K of N separate processes (one per\n"
    "                         machine, say) racing together: each runs every N-th cell of\n"
    "                         each stage and they exchange the results through files in\n"
    "                         XDIR, a folder all can read and write; shard 1 prints and\n"
    "                         writes -o DIR, the same bytes as one process would\n"
    "  -q, --quiet            print only the result lines\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 a winner, no cheaper point undecided; 4 no point meets the targets;\n"
    "5 undecided at --max-reps; 1 runtime failure, 2 bad input, 3 invariant broken.\n"
    "\n"
    "Example:\n"
    "  porsim tune scenarios/fiat-stablecoin-bank-shortfall.json \\\n"
    "      --param feed.ocr.deviation=0.5%,1%,2%,4% --param feed.ocr.delta_c=1h..24h:4log \\\n"
    "      --require 'feed_detect.p90<=1h' --minimize gas -j 2 -o out/tune\n";

typedef enum { POR__T_ALIVE, POR__T_INFEASIBLE, POR__T_WORSE, POR__T_TIED } por__tstatus;

typedef struct {
    por_scenario *sc;
    por_metric_table *table; /* numeric rows, replication order */
    uint64_t reps;
    por__tstatus status;
    int dropped_stage;
    long dropped_by;
    por_verdict verdict;
    por_summary cost;
    uint64_t goal;           /* replications this point runs to in the next stage */
} por__tpoint;

typedef struct {
    uint64_t point, rep;
} por__tcell;

typedef struct {
    por__tpoint *pts;
    const por__tcell *cells;
    const size_t *map;         /* job -> cell (this process's share), or NULL: job = cell */
    por_sweep_row *rows;       /* per cell */
    por_metric_cell *numeric;  /* per cell * ncols, exact strings owned */
    size_t ncols;
    por_run_options opt;
} por__tune_ctx;

static por_status por__tune_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                                por_error *err)
{
    por__tune_ctx *c = vctx;
    if (c->map)
        j = c->map[j];
    const por__tcell *id = &c->cells[j];
    por_status st = por_world_run_replication(c->pts[id->point].sc, id->rep, &c->opt, cells,
                                              strings, err);
    if (st == POR_OK || st == POR_EINVARIANT) {
        const por_metric_def *defs = por_world_metric_defs(&c->ncols);
        por_sweep_row_format(defs, c->ncols, cells, &c->rows[j]);
        c->rows[j].point = id->point;
        c->rows[j].rep = id->rep;
        por_metric_cell *dst = c->numeric + j * c->ncols;
        for (size_t k = 0; k < c->ncols; k++) {
            dst[k] = cells[k];
            dst[k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
        }
    }
    return st;
}

/* ---- a stage's results as bytes, for the exchange between processes ---------------- */

/* This process's cells of the stage (those in MAP, NMAP of them) with how they ended, as
 * a malloc'd blob (*LEN bytes): per cell its index, done, status and error, and for a
 * finished replication its metric cells and its runs.csv row. */
static char *por__tune_pack(const por__tune_ctx *c, const size_t *map, size_t nmap,
                            const por_parallel *ex, size_t *len)
{
    por_blob b = {0};
    por_blob_put_u64(&b, nmap);
    for (size_t i = 0; i < nmap; i++) {
        size_t j = map[i];
        por_blob_put_u64(&b, j);
        por_blob_put_u64(&b, ex->done[i]);
        por_blob_put_u64(&b, (uint64_t)ex->status[i]);
        por_blob_put_str(&b, ex->done[i] && ex->status[i] != POR_OK ? ex->errs[i].msg : "");
        if (!ex->done[i] || (ex->status[i] != POR_OK && ex->status[i] != POR_EINVARIANT))
            continue;
        const por_metric_cell *m = c->numeric + j * c->ncols;
        for (size_t k = 0; k < c->ncols; k++) {
            por_blob_put_u64(&b, m[k].present);
            por_blob_put_u64(&b, m[k].censored);
            por_blob_put(&b, &m[k].value, sizeof m[k].value);
            por_blob_put_u64(&b, (uint64_t)m[k].ns);
            por_blob_put_str(&b, m[k].exact);
        }
        const por_sweep_row *row = &c->rows[j];
        por_blob_put_str(&b, row->metrics);
        por_blob_put_u64(&b, row->cens != NULL);
        if (row->cens)
            for (size_t k = 0; k < c->ncols; k++)
                por_blob_put_str(&b, row->cens[k]);
    }
    *len = b.len;
    return b.data;
}

/* Reads another process's blob into the cells' slots (C's rows and numeric cells, DONE,
 * STATUS, ERRS indexed by cell, NCELLS of them). False on a malformed blob. */
static bool por__tune_unpack(por__tune_ctx *c, size_t ncells, const char *blob, size_t len,
                             bool *done, por_status *status, por_error *errs)
{
    por_blob_reader r = {blob, len, true};
    uint64_t n = por_blob_get_u64(&r);
    for (uint64_t i = 0; i < n && r.ok; i++) {
        uint64_t j = por_blob_get_u64(&r);
        if (!r.ok || j >= ncells || done[j])
            return false;
        bool d = por_blob_get_u64(&r) != 0;
        por_status st = (por_status)por_blob_get_u64(&r);
        char *msg = por_blob_get_str(&r);
        if (!msg)
            return false;
        snprintf(errs[j].msg, sizeof errs[j].msg, "%s", msg);
        errs[j].status = st;
        free(msg);
        if (!d)
            continue;
        done[j] = true;
        status[j] = st;
        if (st != POR_OK && st != POR_EINVARIANT)
            continue;
        por_metric_cell *m = c->numeric + j * c->ncols;
        for (size_t k = 0; k < c->ncols && r.ok; k++) {
            m[k].present = por_blob_get_u64(&r) != 0;
            m[k].censored = por_blob_get_u64(&r) != 0;
            por_blob_get(&r, &m[k].value, sizeof m[k].value);
            m[k].ns = (int64_t)por_blob_get_u64(&r);
            m[k].exact = por_blob_get_str(&r);
        }
        por_sweep_row *row = &c->rows[j];
        row->point = c->cells[j].point;
        row->rep = c->cells[j].rep;
        row->metrics = por_blob_get_str(&r);
        if (por_blob_get_u64(&r)) {
            row->cens = por_xcalloc(c->ncols, sizeof *row->cens);
            for (size_t k = 0; k < c->ncols; k++)
                row->cens[k] = por_blob_get_str(&r);
        }
        if (!row->metrics)
            return false;
    }
    return r.ok && r.left == 0;
}

static volatile sig_atomic_t por__tune_interrupted;

static void por__tune_on_signal(int sig)
{
    (void)sig;
    por__tune_interrupted = 1;
}

/* ---- file shards: the exchange through a shared folder -------------------------------
 *
 * Shard K of N (rank K-1) writes each blob to DIR/<key>.<step>.<K> (a temporary name,
 * then rename, so a reader sees a whole file or none) and reads the others' files of that
 * step, waiting for them. Step "agree" holds a shard's exit code after validation, then
 * "s0", "s1", ... the results of each stage. KEY is a hash of everything the race depends
 * on (the shard count, every point's scenario hash and seed, the targets, the cost, the
 * replication bounds), so two different races never read each other's files, and a file
 * left by an earlier run of the same race holds exactly what this run would write (the
 * race is deterministic). */
typedef struct {
    const char *dir;
    unsigned k, n; /* this shard K (1-based) of N */
    uint64_t key;
    int step;      /* stages exchanged so far */
    bool agreed;
} por__fshard;

static uint64_t por__fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static void por__fs_path(const por__fshard *f, const char *step, unsigned k, char *out,
                         size_t n)
{
    snprintf(out, n, "%s/%016" PRIx64 ".%s.%u", f->dir, f->key, step, k);
}

/* Writes BLOB (LEN bytes, preceded by its length) as this shard's file of STEP; STOP: the
 * stage did not complete here (a failed cell, an interrupt), the file gets ".stop" after
 * its name so that it is never taken for a result a rerun of the race would write. */
static int por__fs_put(const por__fshard *f, const char *step, const void *blob, size_t len,
                       bool stop)
{
    char path[4096], tmp[4200];
    por__fs_path(f, step, f->k, path, sizeof path);
    if (stop)
        strncat(path, ".stop", sizeof path - strlen(path) - 1);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *o = fopen(tmp, "wb");
    uint64_t n = len;
    bool ok = o && fwrite(&n, sizeof n, 1, o) == 1 && (!len || fwrite(blob, 1, len, o) == len);
    ok = (o && fclose(o) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "porsim tune: --exchange %s: cannot write %s: %s\n", f->dir, path,
                strerror(errno));
        remove(tmp);
        return 1;
    }
    return 0;
}

/* Waits for shard K's file of STEP and reads it (*BLOB malloc'd, *LEN bytes). */
static int por__fs_get(const por__fshard *f, const char *step, unsigned k, char **blob,
                       size_t *len)
{
    char path[4096], stop[4200];
    por__fs_path(f, step, k, path, sizeof path);
    snprintf(stop, sizeof stop, "%s.stop", path);
    time_t since = time(NULL), noted = since;
    for (;;) {
        FILE *in = fopen(path, "rb");
        if (!in)
            in = fopen(stop, "rb");
        if (in) {
            uint64_t n = 0;
            struct stat st;
            bool ok = fstat(fileno(in), &st) == 0 && fread(&n, sizeof n, 1, in) == 1 &&
                      (uint64_t)st.st_size == n + sizeof n;
            char *b = ok ? por_xmalloc(n ? (size_t)n : 1) : NULL;
            ok = ok && (!n || fread(b, 1, (size_t)n, in) == n);
            fclose(in);
            if (!ok) {
                free(b);
                fprintf(stderr, "porsim tune: --exchange %s: %s is damaged\n", f->dir, path);
                return 1;
            }
            *blob = b;
            *len = (size_t)n;
            return 0;
        }
        if (por__tune_interrupted) {
            fprintf(stderr, "porsim tune: interrupted while waiting for %s\n", path);
            return 1;
        }
        time_t now = time(NULL);
        if (now - noted >= 30) {
            fprintf(stderr, "porsim tune: shard %u/%u: waiting %lds for shard %u (%s)\n", f->k,
                    f->n, (long)(now - since), k, path);
            noted = now;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Removes this shard's ".stop" files of the race (an earlier run's failed or interrupted
 * stage), so that the other shards wait for this run's results instead. */
static void por__fs_clear_stops(const por__fshard *f)
{
    DIR *d = opendir(f->dir);
    if (!d)
        return;
    char prefix[64], suffix[64];
    snprintf(prefix, sizeof prefix, "%016" PRIx64 ".s", f->key);
    snprintf(suffix, sizeof suffix, ".%u.stop", f->k);
    size_t lp = strlen(prefix), ls = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > lp + ls && !strncmp(e->d_name, prefix, lp) && !strcmp(e->d_name + n - ls, suffix)) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
            remove(path);
        }
    }
    closedir(d);
}

/* Every shard's code after validation: the largest (0 when all are ready). */
static int por__fs_agree_code(por__fshard *f, int code)
{
    f->agreed = true;
    char mine[32];
    int len = snprintf(mine, sizeof mine, "%d", code);
    if (por__fs_put(f, "agree", mine, (size_t)len, false))
        return code ? code : 1;
    int all = code;
    for (unsigned k = 1; k <= f->n; k++) {
        if (k == f->k)
            continue;
        char *b = NULL;
        size_t n = 0;
        if (por__fs_get(f, "agree", k, &b, &n))
            return 1;
        char text[32];
        snprintf(text, sizeof text, "%.*s", (int)(n < 31 ? n : 31), b);
        free(b);
        int c = atoi(text);
        all = c > all ? c : all;
    }
    return all;
}

static int por__fs_agree(void *ctx)
{
    return por__fs_agree_code(ctx, 0);
}

static int por__fs_exchange(void *ctx, bool complete, const void *blob, size_t len,
                            char ***blobs, size_t **lens)
{
    por__fshard *f = ctx;
    char step[32];
    snprintf(step, sizeof step, "s%d", f->step++);
    if (por__fs_put(f, step, blob, len, !complete))
        return 1;
    char **bs = por_xcalloc(f->n, sizeof *bs);
    size_t *ls = por_xcalloc(f->n, sizeof *ls);
    for (unsigned k = 1; k <= f->n; k++) {
        if (k == f->k) {
            bs[k - 1] = por_xmalloc(len ? len : 1);
            if (len)
                memcpy(bs[k - 1], blob, len);
            ls[k - 1] = len;
        } else if (por__fs_get(f, step, k, &bs[k - 1], &ls[k - 1])) {
            for (unsigned j = 0; j < f->n; j++)
                free(bs[j]);
            free(bs);
            free(ls);
            return 1;
        }
    }
    *blobs = bs;
    *lens = ls;
    return 0;
}


/* Everything the command holds, freed in one place. */
typedef struct {
    por_cli_param params[POR_TUNE_MAX_PARAMS];
    size_t nparams;
    por_sweep_grid grid;
    por__tpoint *pts;
    size_t npts;
    por_sweep_row *rows; /* every cell run, in run order */
    size_t nrows, caprows;
    por_cli_requires reqs;
    por_cli_frontier front;
    por_sweep_extra_file extra[4];
    size_t nextra;
    char *meta;
    por__fshard fs;     /* --shard K/N --exchange DIR (fs.dir NULL otherwise) */
    por_tune_dist fdist;
} por__tune_state;

static void por__tune_free(por__tune_state *s)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    por_cli_params_free(s->params, s->nparams);
    for (size_t i = 0; i < s->npts; i++) {
        por_scenario_free(s->pts[i].sc);
        por_metric_table_destroy(s->pts[i].table);
    }
    free(s->pts);
    for (size_t i = 0; i < s->nrows; i++)
        por_sweep_row_free(&s->rows[i], ncols);
    free(s->rows);
    por_cli_require_free(&s->reqs);
    por_cli_frontier_free(&s->front);
    for (size_t k = 0; k < s->nextra; k++)
        free((char *)s->extra[k].text);
    free(s->meta);
    por_sweep_grid_free(&s->grid);
}

/* The per-replication cost differences B - A over the replications both have (rows in
 * replication order 0..n-1 in both tables); returns their summary (mean, CI). */
static void por__paired(const por__tpoint *a, const por__tpoint *b, size_t col,
                        por_summary *out)
{
    size_t na = por_metric_table_rows(a->table), nb = por_metric_table_rows(b->table);
    size_t n = na < nb ? na : nb;
    double *va = por_xmalloc((na ? na : 1) * sizeof *va);
    double *vb = por_xmalloc((nb ? nb : 1) * sizeof *vb);
    bool *ca = por_xmalloc((na ? na : 1) * sizeof *ca);
    bool *cb = por_xmalloc((nb ? nb : 1) * sizeof *cb);
    por_metric_table_column(a->table, col, va, ca);
    por_metric_table_column(b->table, col, vb, cb);
    double *d = por_xmalloc((n ? n : 1) * sizeof *d);
    for (size_t r = 0; r < n; r++)
        d[r] = vb[r] - va[r]; /* NaN (missing) drops out of the summary */
    por_summary_of(d, NULL, n, out);
    free(d);
    free(va);
    free(vb);
    free(ca);
    free(cb);
}

/* Judges point P's targets and cost on its rows so far. */
static void por__evaluate(por__tune_state *s, size_t p, size_t cost_col)
{
    por__tpoint *t = &s->pts[p];
    size_t n = por_metric_table_rows(t->table);
    double *vals = por_xmalloc((n ? n : 1) * sizeof *vals);
    bool *cens = por_xmalloc((n ? n : 1) * sizeof *cens);
    por_req_result res[POR_CLI_MAX_REQUIRE];
    for (size_t k = 0; k < s->reqs.n; k++) {
        const por_require *q = &s->reqs.reqs[k];
        por_metric_table_column(t->table, q->col, vals, cens);
        por_require_judge(q, por_metric_table_def(t->table, q->col), vals, cens, n,
                          (double)t->sc->duration, &res[k]);
    }
    t->verdict = por_verdict_combine(res, s->reqs.n);
    por_metric_table_summarize(t->table, cost_col, &t->cost);
    free(vals);
    free(cens);
}

/* The live point that meets every target with the lowest mean cost (lowest index at
 * ties), or -1. */
static long por__incumbent(const por__tune_state *s)
{
    long best = -1;
    for (size_t p = 0; p < s->npts; p++) {
        const por__tpoint *t = &s->pts[p];
        if (t->status != POR__T_ALIVE || t->verdict != POR_VERDICT_MET || !isfinite(t->cost.mean))
            continue;
        if (best < 0 || t->cost.mean < s->pts[best].cost.mean)
            best = (long)p;
    }
    return best;
}

/* Orders live point indexes by mean cost (undefined last), then by index. */
static const por__tpoint *por__order_pts;
static int por__cmp_live(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double cx = por__order_pts[x].cost.mean, cy = por__order_pts[y].cost.mean;
    bool fx = isfinite(cx), fy = isfinite(cy);
    if (fx != fy)
        return fx ? -1 : 1;
    if (fx && cx != cy)
        return (cx > cy) - (cx < cy);
    return (x > y) - (x < y);
}

/* Sets the next stage's goals: the cheaper half (by mean cost, at least one) of the live
 * points below MAX_REPS, and the incumbent INC, double their replications (capped at
 * MAX_REPS); the other live points wait with what they have, and are still compared
 * with the incumbent on their common replications after every stage. So the points that
 * could win get the replications first, and a dear point is usually dropped on its
 * first-stage replications once a cheap one is shown to meet the targets. */
static void por__promote(por__tune_state *s, long inc, uint64_t max_reps)
{
    size_t *live = por_xmalloc(s->npts * sizeof *live), n = 0;
    for (size_t p = 0; p < s->npts; p++)
        if (s->pts[p].status == POR__T_ALIVE && s->pts[p].reps < max_reps)
            live[n++] = p;
    por__order_pts = s->pts;
    qsort(live, n, sizeof *live, por__cmp_live);
    size_t half = (n + 1) / 2;
    for (size_t i = 0; i < n; i++) {
        por__tpoint *t = &s->pts[live[i]];
        if (i < half || (long)live[i] == inc)
            t->goal = t->reps * 2 < max_reps ? t->reps * 2 : max_reps;
    }
    free(live);
}

/* "path=value ..." of point P (static buffer). */
static const char *por__tlabel(const por__tune_state *s, size_t p)
{
    static char buf[1024];
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->nparams && off < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s=%s", i ? " " : "",
                                s->grid.paths[i], s->grid.values[p * s->nparams + i]);
    return buf;
}

static const char *por__status_name(const por__tune_state *s, size_t p, long winner,
                                    long runner_up)
{
    if ((long)p == winner)
        return "winner";
    if ((long)p == runner_up)
        return "runner-up";
    switch (s->pts[p].status) {
    case POR__T_ALIVE: return "raced to the end";
    case POR__T_INFEASIBLE: return "dropped: target not met";
    case POR__T_WORSE: return "dropped: dearer";
    case POR__T_TIED: return "dropped: same cost";
    }
    return "?";
}

static int por__tune_run(int argc, char **argv, por__tune_state *s, const por_tune_dist *dist)
{
    bool lead = !dist || dist->rank == 0; /* the process that prints and writes */
    uint64_t shard_k = 1, shard_n = 1;
    bool sharded = false;
    const char *exchange = NULL;
    const char *file = NULL, *out = NULL, *minimize = NULL;
    por_cli_scenario_opts so;
    por_cli_scenario_opts_init(&so);
    uint64_t min_reps = 0, max_reps = 320;
    bool force = false, quiet = false, have_min = false;
    por_error err = {POR_OK, ""};

    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        int used;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_tune_usage, stdout);
            return 0;
        } else if ((used = por_cli_param_opt(s->params, &s->nparams, POR_TUNE_MAX_PARAMS, "tune",
                                             argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if ((used = por_cli_scenario_opt(&so, "tune", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if ((used = por_cli_require_opt(&s->reqs, "tune", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--minimize", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("tune", "--minimize needs a metric name");
            minimize = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--min-reps", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 2, 10000000, &min_reps))
                return por_cli_usage_error("tune", "--min-reps needs a count (2..10000000)");
            have_min = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-reps", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 2, 10000000, &max_reps))
                return por_cli_usage_error("tune", "--max-reps needs a count (2..10000000)");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--shard", &v, &missing)) {
            const char *slash = missing ? NULL : strchr(v, '/');
            char kbuf[32];
            if (!slash || (size_t)(slash - v) >= sizeof kbuf)
                return por_cli_usage_error("tune", "--shard needs K/N with 1 <= K <= N");
            memcpy(kbuf, v, (size_t)(slash - v));
            kbuf[slash - v] = '\0';
            if (!por_cli_parse_u64(slash + 1, 1, 4096, &shard_n) ||
                !por_cli_parse_u64(kbuf, 1, shard_n, &shard_k))
                return por_cli_usage_error("tune", "--shard needs K/N with 1 <= K <= N <= 4096 "
                                                   "(got %s)", v);
            sharded = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--exchange", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("tune", "--exchange needs a directory");
            exchange = v;
        } else if (por_cli_opt(argc, argv, &i, "-o", "--output", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("tune", "-o needs a directory");
            out = v;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("tune", "unknown option %s", a);
        } else if (!file) {
            file = a;
        } else {
            return por_cli_usage_error("tune", "one scenario file at a time (got %s and %s)",
                                       file, a);
        }
    }
    if (s->nparams == 0)
        return por_cli_usage_error("tune", "needs at least one --param PATH=v1,v2,...");
    if (s->reqs.n == 0)
        return por_cli_usage_error("tune", "needs at least one --require EXPR");
    if (!minimize)
        return por_cli_usage_error("tune", "needs --minimize METRIC (e.g. gas)");
    if (so.have_reps)
        return por_cli_usage_error("tune", "-r does not apply: tune decides the replications "
                                           "(use --min-reps / --max-reps)");
    if (por_cli_require_parse(&s->reqs, "tune") != 0)
        return 2;
    unsigned test_faults;
    if (!por_cli_test_faults(&test_faults))
        return 1;
    if (sharded != (exchange != NULL))
        return por_cli_usage_error("tune", "--shard K/N and --exchange DIR go together (the "
                                           "shards exchange each stage's results in DIR)");
    if (sharded && dist)
        return por_cli_usage_error("tune", "--shard does not apply under porsim-mpi (the "
                                           "ranks exchange the results themselves)");
    if (sharded) {
        if (mkdir(exchange, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "porsim tune: --exchange %s: %s\n", exchange, strerror(errno));
            return 2;
        }
        s->fs = (por__fshard){.dir = exchange, .k = (unsigned)shard_k, .n = (unsigned)shard_n};
        s->fdist = (por_tune_dist){.ctx = &s->fs, .rank = (unsigned)shard_k - 1,
                                   .nranks = (unsigned)shard_n, .agree = por__fs_agree,
                                   .exchange = por__fs_exchange};
        dist = &s->fdist;
        lead = shard_k == 1;
    }
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    char cost_name[128];
    snprintf(cost_name, sizeof cost_name, "%s", minimize);
    size_t mlen = strlen(cost_name);
    if (mlen > 5 && !strcmp(cost_name + mlen - 5, ".mean"))
        cost_name[mlen - 5] = '\0';
    size_t cost_col = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, cost_name))
            cost_col = c;
    if (cost_col == ncols)
        return por_cli_usage_error("tune", "--minimize %s: no such metric", minimize);

    /* The frontier: the cost, then the statistic of each target. */
    {
        char list[2048];
        size_t off = (size_t)snprintf(list, sizeof list, "%s.mean", cost_name);
        for (size_t k = 0; k < s->reqs.n && off < sizeof list; k++) {
            const por_require *q = &s->reqs.reqs[k];
            char stat[64];
            if (q->stat == POR_REQ_STAT_MEAN)
                snprintf(stat, sizeof stat, "mean");
            else
                snprintf(stat, sizeof stat, "p%s", por_format_double(q->p * 100, (char[64]){0}, 64));
            char item[256];
            snprintf(item, sizeof item, "%s.%s", defs[q->col].name, stat);
            if (!strstr(list, item))
                off += (size_t)snprintf(list + off, sizeof list - off, ",%s", item);
        }
        if (strchr(list, ',') && por_cli_frontier_parse(&s->front, "tune", list) != 0)
            return 2;
    }

    if (!have_min)
        min_reps = 10;
    if (min_reps > max_reps)
        min_reps = max_reps;

    /* The grid, last parameter fastest, as porsim sweep. */
    por_sweep_grid *g = &s->grid;
    if (por_cli_params_grid(s->params, s->nparams, POR_TUNE_MAX_POINTS, "tune", g) != 0)
        return 2;
    size_t npoints = g->npoints;

    /* Validate every point first. */
    s->pts = por_xcalloc(npoints, sizeof *s->pts);
    const char *sets[POR_CLI_MAX_SETS + POR_TUNE_MAX_PARAMS + 3];
    memcpy(sets, so.sets, so.nsets * sizeof *sets);
    for (size_t p = 0; p < npoints; p++) {
        char *psets[POR_TUNE_MAX_PARAMS];
        size_t k = so.nsets;
        for (size_t i = 0; i < s->nparams; i++) {
            const char *val = g->values[p * s->nparams + i];
            size_t len = strlen(g->paths[i]) + strlen(val) + 2;
            psets[i] = por_xmalloc(len);
            snprintf(psets[i], len, "%s=%s", g->paths[i], val);
            sets[k++] = psets[i];
        }
        k += por_cli_scenario_flag_sets(&so, true, sets + k);
        por_scenario *sc = NULL;
        por_status st = file ? por_scenario_load_file(file, sets, k, &sc, &err)
                             : por_scenario_load_string(por_default_scenario_json,
                                                        por_default_scenario_len, "<default>",
                                                        sets, k, &sc, &err);
        for (size_t i = 0; i < s->nparams; i++)
            free(psets[i]);
        if (st != POR_OK) {
            fprintf(stderr, "porsim tune: point %zu (%s): %s\n", p, por__tlabel(s, p), err.msg);
            return por_status_exit_code(st);
        }
        s->pts[p].sc = sc;
        s->pts[p].table = por_metric_table_create(defs, ncols);
        s->pts[p].dropped_stage = -1;
        s->pts[p].dropped_by = -1;
        s->pts[p].verdict = POR_VERDICT_UNDECIDED;
        s->npts++;
        por_scenario_hash(sc, g->hash[p]);
        g->seed[p] = sc->seed;
    }
    for (size_t p = 1; p < npoints; p++)
        if (g->seed[p] != g->seed[0]) {
            fprintf(stderr, "porsim tune: point %zu has seed %" PRIu64 ", point 0 has %" PRIu64
                    ": common random numbers need one seed (do not tune seed)\n",
                    p, g->seed[p], g->seed[0]);
            return 2;
        }
    if (s->fs.dir) { /* the race's key: what its results depend on */
        uint64_t h = 0xcbf29ce484222325ULL;
        h = por__fnv(h, &shard_n, sizeof shard_n);
        for (size_t p = 0; p < npoints; p++) {
            h = por__fnv(h, g->hash[p], sizeof g->hash[p]);
            h = por__fnv(h, &g->seed[p], sizeof g->seed[p]);
        }
        for (size_t k = 0; k < s->reqs.n; k++)
            h = por__fnv(h, s->reqs.reqs[k].text, strlen(s->reqs.reqs[k].text) + 1);
        h = por__fnv(h, cost_name, strlen(cost_name) + 1);
        h = por__fnv(h, &min_reps, sizeof min_reps);
        h = por__fnv(h, &max_reps, sizeof max_reps);
        s->fs.key = h;
        /* This shard's word from an earlier run of the same race (say, its output directory
         * existed) is void: it answers again below. */
        char path[4096];
        por__fs_path(&s->fs, "agree", s->fs.k, path, sizeof path);
        remove(path);
        por__fs_clear_stops(&s->fs);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = por__tune_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (out && lead) {
        por_status st = por_outdir_check(out, force, &err);
        if (st != POR_OK) {
            fprintf(stderr, "porsim: %s\n", err.msg);
            if (s->fs.dir) /* the other shards wait for this one's word */
                por__fs_agree_code(&s->fs, por_status_exit_code(st));
            return por_status_exit_code(st);
        }
    }
    if (dist) {
        int rc = dist->agree(dist->ctx);
        if (rc)
            return rc;
    }

    bool tty = lead && isatty(STDERR_FILENO) == 1;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t p = 0; p < npoints; p++)
        s->pts[p].goal = min_reps;
    uint64_t events = 0;
    size_t ninvariant = 0;
    int stage = 0;
    long inc = -1;
    for (;; stage++) {
        /* This stage's cells: every live point up to TARGET replications. */
        size_t ncells = 0;
        for (size_t p = 0; p < npoints; p++)
            if (s->pts[p].status == POR__T_ALIVE && s->pts[p].reps < s->pts[p].goal)
                ncells += s->pts[p].goal - s->pts[p].reps;
        if (ncells == 0)
            break;
        por__tcell *cells = por_xmalloc(ncells * sizeof *cells);
        size_t c = 0;
        for (size_t p = 0; p < npoints; p++)
            if (s->pts[p].status == POR__T_ALIVE)
                for (uint64_t r = s->pts[p].reps; r < s->pts[p].goal; r++)
                    cells[c++] = (por__tcell){p, r};
        por__tune_ctx ctx = {.pts = s->pts, .cells = cells,
                             .rows = por_xcalloc(ncells, sizeof *ctx.rows),
                             .numeric = por_xcalloc(ncells * ncols, sizeof *ctx.numeric),
                             .ncols = ncols,
                             .opt = {.crypto_override = -1, .test_faults = test_faults}};
        /* This process's share: every cell, or under porsim-mpi the i-th cell to process
         * i mod nranks. */
        size_t *map = NULL, nmap = ncells;
        if (dist) {
            map = por_xmalloc(ncells * sizeof *map);
            nmap = 0;
            for (size_t j = 0; j < ncells; j++)
                if (j % dist->nranks == dist->rank)
                    map[nmap++] = j;
            ctx.map = map;
        }
        por_parallel ex = {.njobs = nmap, .threads = (unsigned)so.threads,
                           .job = por__tune_job, .ctx = &ctx, .continue_on_invariant = true,
                           .interrupt = &por__tune_interrupted};
        if (tty && !quiet)
            fprintf(stderr, "stage %d: %zu cells\n", stage, ncells);
        por_parallel_run(&ex);
        /* How each cell ended, by cell: this process's own, then the others' results. */
        bool *done = ex.done;
        por_status *status = ex.status;
        por_error *errs = ex.errs;
        int rc = 0;
        if (dist) {
            done = por_xcalloc(ncells, sizeof *done);
            status = por_xcalloc(ncells, sizeof *status);
            errs = por_xcalloc(ncells, sizeof *errs);
            for (size_t i = 0; i < nmap; i++) {
                done[map[i]] = ex.done[i];
                status[map[i]] = ex.status[i];
                errs[map[i]] = ex.errs[i];
            }
            size_t len = 0;
            char *blob = por__tune_pack(&ctx, map, nmap, &ex, &len);
            char **blobs = NULL;
            size_t *lens = NULL;
            bool complete = true;
            for (size_t i = 0; i < nmap; i++)
                complete = complete && ex.done[i] &&
                           (ex.status[i] == POR_OK || ex.status[i] == POR_EINVARIANT);
            rc = dist->exchange(dist->ctx, complete, blob, len, &blobs, &lens);
            free(blob);
            if (rc == 0) {
                for (unsigned r = 0; r < dist->nranks; r++) {
                    if (r != dist->rank && rc == 0 &&
                        !por__tune_unpack(&ctx, ncells, blobs[r], lens[r], done, status, errs)) {
                        if (lead)
                            fprintf(stderr, "porsim tune: malformed results from process %u "
                                            "in stage %d; no output written\n", r, stage);
                        rc = 1;
                    }
                    free(blobs[r]);
                }
                free(blobs);
                free(lens);
            }
        }
        size_t failed = ncells, ndone = 0;
        for (size_t j = 0; j < ncells; j++) {
            ndone += done[j];
            if (done[j] && status[j] != POR_OK && status[j] != POR_EINVARIANT && failed == ncells)
                failed = j;
        }
        if (rc) {
        } else if (failed < ncells) {
            if (lead)
                fprintf(stderr, "porsim tune: point %" PRIu64 " replication %" PRIu64 ": %s: %s\n",
                        cells[failed].point, cells[failed].rep, por_status_name(status[failed]),
                        errs[failed].msg);
            rc = por_status_exit_code(status[failed]);
            rc = rc ? rc : 1;
        } else if (ndone < ncells) {
            if (lead)
                fprintf(stderr, "porsim tune: interrupted in stage %d; no output written\n",
                        stage);
            rc = 1;
        }
        /* Rows in cell order: point by point, replication by replication. */
        for (size_t j = 0; j < ncells; j++) {
            if (rc == 0) {
                por__tpoint *t = &s->pts[cells[j].point];
                por_metric_table_add_row(t->table, cells[j].rep, ctx.numeric + j * ncols);
                t->reps = cells[j].rep + 1;
                const por_metric_cell *ev = &ctx.numeric[j * ncols + POR_WM_EVENTS];
                if (ev->present && isfinite(ev->value))
                    events += (uint64_t)ev->value;
                ninvariant += status[j] == POR_EINVARIANT;
                if (s->nrows == s->caprows)
                    s->rows = por_xrealloc(s->rows, (s->caprows = s->caprows ? 2 * s->caprows
                                                                             : 256) *
                                                        sizeof *s->rows);
                s->rows[s->nrows++] = ctx.rows[j];
            } else if (done[j] && (status[j] == POR_OK || status[j] == POR_EINVARIANT)) {
                por_sweep_row_free(&ctx.rows[j], ncols);
            }
        }
        for (size_t k = 0; k < ncells * ncols; k++)
            free((char *)ctx.numeric[k].exact);
        free(ctx.numeric);
        free(ctx.rows);
        free(cells);
        if (dist) {
            free(done);
            free(status);
            free(errs);
        }
        free(map);
        por_parallel_free(&ex);
        if (rc)
            return rc;

        /* Judge, then drop the infeasible and the confidently dearer. */
        for (size_t p = 0; p < npoints; p++)
            if (s->pts[p].status == POR__T_ALIVE) {
                por__evaluate(s, p, cost_col);
                if (s->pts[p].verdict == POR_VERDICT_NOT_MET) {
                    s->pts[p].status = POR__T_INFEASIBLE;
                    s->pts[p].dropped_stage = stage;
                }
            }
        inc = por__incumbent(s);
        size_t alive = 0;
        for (size_t p = 0; p < npoints; p++) {
            por__tpoint *t = &s->pts[p];
            if (t->status != POR__T_ALIVE)
                continue;
            if (inc >= 0 && (long)p != inc) {
                por_summary d;
                por__paired(&s->pts[inc], t, cost_col, &d);
                /* Dearer for sure, or an exact tie: the same cost in every paired
                 * replication (a tie goes to the incumbent, which meets the targets). */
                bool tie = d.n >= 2 && d.sd == 0 && d.mean == 0;
                if (tie || (d.n >= 2 && isfinite(d.ci_lo) && d.ci_lo > 0)) {
                    t->status = tie ? POR__T_TIED : POR__T_WORSE;
                    t->dropped_stage = stage;
                    t->dropped_by = inc;
                    continue;
                }
            }
            alive++;
        }
        if (tty && !quiet)
            fprintf(stderr, "stage %d: %zu point%s left\n", stage, alive, alive == 1 ? "" : "s");
        if (alive == 0 || (alive == 1 && inc >= 0))
            break;
        por__promote(s, inc, max_reps);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    /* The result: winner, runner-up (the next cheapest point that met every target when
     * it was last judged), the confidence of the choice, cheaper points left undecided. */
    long winner = por__incumbent(s), runner_up = -1;
    for (size_t p = 0; p < npoints; p++) {
        const por__tpoint *t = &s->pts[p];
        if ((long)p == winner || t->verdict != POR_VERDICT_MET || !isfinite(t->cost.mean))
            continue;
        if (runner_up < 0 || t->cost.mean < s->pts[runner_up].cost.mean)
            runner_up = (long)p;
    }
    double confidence = NAN;
    size_t paired_n = 0;
    bool tie = false;
    if (winner >= 0 && runner_up >= 0) {
        por_summary d;
        por__paired(&s->pts[winner], &s->pts[runner_up], cost_col, &d);
        paired_n = d.n;
        tie = d.n >= 2 && d.sd == 0 && d.mean == 0;
        if (d.n >= 2 && isfinite(d.sd) && d.sd > 0)
            confidence = gsl_cdf_tdist_P(d.mean / (d.sd / sqrt((double)d.n)), (double)(d.n - 1));
        else if (d.n >= 2)
            confidence = d.mean > 0 ? 1.0 : d.mean < 0 ? 0.0 : 0.5;
    }
    size_t cheaper_undecided = 0, infeasible = 0;
    uint64_t total_reps = 0;
    for (size_t p = 0; p < npoints; p++) {
        const por__tpoint *t = &s->pts[p];
        total_reps += t->reps;
        g->replications[p] = t->reps;
        infeasible += t->status == POR__T_INFEASIBLE;
        if (t->status == POR__T_ALIVE && t->verdict == POR_VERDICT_UNDECIDED &&
            (winner < 0 || !(t->cost.mean >= s->pts[winner].cost.mean)))
            cheaper_undecided++;
    }
    int code = winner >= 0 ? (cheaper_undecided ? 5 : 0) : infeasible == npoints ? 4 : 5;
    uint64_t full = (uint64_t)npoints * max_reps;
    if (!lead) { /* every process took the same decisions; process 0 prints and writes */
        if (s->fs.dir && !quiet)
            printf("tune shard %u/%u: done (%d stage%s); shard 1 prints the result and writes "
                   "the output\n", s->fs.k, s->fs.n, stage + 1, stage == 0 ? "" : "s");
        return ninvariant ? 3 : code;
    }

    /* The table and the result lines. */
    const por_metric_def *cd = &defs[cost_col];
    if (!quiet) {
        printf("tune %s: %zu points, %d stage%s, %" PRIu64 " replications, %.2f s wall\n",
               s->pts[0].sc->name, npoints, stage + 1, stage == 0 ? "" : "s", total_reps, wall);
        int width = 10;
        for (size_t p = 0; p < npoints; p++) {
            int len = (int)strlen(por__tlabel(s, p));
            width = len > width ? (len > 200 ? 200 : len) : width;
        }
        printf("%6s  %-*s %6s %14s %27s %10s  %s\n", "point", width, "parameters", "reps",
               minimize, "95% CI", "targets", "status");
        for (size_t p = 0; p < npoints; p++) {
            const por__tpoint *t = &s->pts[p];
            char m[64], lo[64], hi[64], ci[140] = "-";
            por_require_format_value(cd, t->cost.mean, m);
            if (isfinite(t->cost.ci_lo)) {
                por_require_format_value(cd, t->cost.ci_lo, lo);
                por_require_format_value(cd, t->cost.ci_hi, hi);
                snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
            }
            char st[96];
            snprintf(st, sizeof st, "%s", por__status_name(s, p, winner, runner_up));
            if (t->dropped_stage >= 0)
                snprintf(st + strlen(st), sizeof st - strlen(st), " (stage %d%s)",
                         t->dropped_stage, t->status == POR__T_ALIVE ? ""
                                           : t->status == POR__T_INFEASIBLE ? "" : ", paired");
            printf("%6zu  %-*s %6" PRIu64 " %14s %27s %10s  %s\n", p, width, por__tlabel(s, p),
                   t->reps, m, ci, por_verdict_name(t->verdict), st);
        }
    }
    if (winner >= 0) {
        char m[64];
        printf("winner: point %ld (%s): %s mean %s, targets met, %" PRIu64 " replications\n",
               winner, por__tlabel(s, (size_t)winner), minimize,
               por_require_format_value(cd, s->pts[winner].cost.mean, m),
               s->pts[winner].reps);
    } else {
        printf("winner: none (%s)\n", infeasible == npoints ? "no point meets the targets"
                                                            : "undecided at --max-reps");
    }
    if (runner_up >= 0) {
        char m[64];
        printf("runner-up: point %ld (%s): %s mean %s, %" PRIu64 " replications\n", runner_up,
               por__tlabel(s, (size_t)runner_up), minimize,
               por_require_format_value(cd, s->pts[runner_up].cost.mean, m),
               s->pts[runner_up].reps);
        if (tie)
            printf("confidence: a tie: the runner-up costs the same in all %zu common "
                   "replications (the lower point index wins)\n", paired_n);
        else if (isfinite(confidence))
            printf("confidence: the winner is cheaper than the runner-up with %.1f%% "
                   "confidence (one-sided paired t over %zu common replications)\n",
                   100 * confidence, paired_n);
    } else if (winner >= 0) {
        printf("runner-up: none (every other point was dropped before meeting the targets)\n");
    }
    if (cheaper_undecided)
        printf("undecided: %zu point%s%s could not be decided in %" PRIu64
               " replications (raise --max-reps)\n",
               cheaper_undecided, cheaper_undecided == 1 ? "" : "s",
               winner >= 0 ? " not dearer than the winner" : "", max_reps);
    /* Two baselines: a sweep with --max-reps per point, and the smallest uniform sweep
     * that gives every point as many replications as the race's longest-raced point
     * (the same decisions at the same confidence, without racing). */
    uint64_t most = 0;
    for (size_t p = 0; p < npoints; p++)
        most = s->pts[p].reps > most ? s->pts[p].reps : most;
    uint64_t uniform = (uint64_t)npoints * most;
    printf("replications: %" PRIu64 " in all; a sweep with %" PRIu64 " per point (the most "
           "any point got) would take %" PRIu64 " (%.1f%% saved); with --max-reps %" PRIu64
           " per point %" PRIu64 " (%.1f%% saved)\n",
           total_reps, most, uniform,
           uniform ? 100.0 * (1.0 - (double)total_reps / (double)uniform) : 0.0, max_reps,
           full, full ? 100.0 * (1.0 - (double)total_reps / (double)full) : 0.0);
    if (ninvariant) {
        fprintf(stderr, "porsim tune: safety invariant broken in %zu cell%s\n", ninvariant,
                ninvariant == 1 ? "" : "s");
        code = 3;
    }
    fflush(stdout);

    if (out) {
        por_sweep_rows_sort(s->rows, s->nrows);
        double *horizon = por_xmalloc(npoints * sizeof *horizon);
        for (size_t p = 0; p < npoints; p++)
            horizon[p] = (double)s->pts[p].sc->duration;
        por_cli_sweep_targets(&s->reqs, &s->front, g, s->rows, s->nrows, horizon, NULL,
                              s->extra, &s->nextra, NULL);
        free(horizon);

        char *text = NULL;
        size_t len = 0;
        FILE *m = por_xmemstream(&text, &len);
        fprintf(m, "point");
        for (size_t i = 0; i < s->nparams; i++)
            fprintf(m, ",%s", g->paths[i]);
        fprintf(m, ",replications,cost_mean,cost_ci_lo,cost_ci_hi,targets,status,"
                   "dropped_at_stage,dropped_by\n");
        for (size_t p = 0; p < npoints; p++) {
            const por__tpoint *t = &s->pts[p];
            fprintf(m, "%zu", p);
            for (size_t i = 0; i < s->nparams; i++) {
                const char *v = g->values[p * s->nparams + i];
                fputc(',', m);
                por_csv_write_field(m, v); /* quoted as runs.csv */
            }
            char a[64], b[64], c2[64];
            double sc = cd->kind == POR_METRIC_DURATION ? 1e9 : 1.0;
            fprintf(m, ",%" PRIu64 ",%s,%s,%s,%s,%s,", t->reps,
                    isfinite(t->cost.mean) ? por_format_double(t->cost.mean / sc, a, 64) : "",
                    isfinite(t->cost.ci_lo) ? por_format_double(t->cost.ci_lo / sc, b, 64) : "",
                    isfinite(t->cost.ci_hi) ? por_format_double(t->cost.ci_hi / sc, c2, 64) : "",
                    por_verdict_name(t->verdict),
                    (long)p == winner ? "winner" : (long)p == runner_up ? "runner-up"
                    : t->status == POR__T_ALIVE ? "alive" : t->status == POR__T_INFEASIBLE
                    ? "infeasible" : t->status == POR__T_TIED ? "tied" : "dearer");
            if (t->dropped_stage >= 0)
                fprintf(m, "%d", t->dropped_stage);
            fputc(',', m);
            if (t->dropped_by >= 0)
                fprintf(m, "%ld", t->dropped_by);
            fputc('\n', m);
        }
        fclose(m);
        s->extra[s->nextra++] = (por_sweep_extra_file){"tune.csv", text};

        text = NULL;
        m = por_xmemstream(&text, &len);
        fprintf(m, "{\n  \"porsim_version\": \"%s\",\n  \"kind\": \"tune\",\n  \"command\": ",
                POR_VERSION);
        char cmdline[4096] = "";
        size_t off = 0;
        for (int i = 0; i < argc && off < sizeof cmdline; i++)
            off += (size_t)snprintf(cmdline + off, sizeof cmdline - off, "%s%s", i ? " " : "",
                                    argv[i]);
        por_cli_json_string(m, cmdline);
        fprintf(m, ",\n  \"scenario_file\": ");
        por_cli_json_string(m, file ? file : "<default>");
        fprintf(m, ",\n  \"scenario_name\": ");
        por_cli_json_string(m, s->pts[0].sc->name);
        fprintf(m, ",\n  \"params\": [");
        for (size_t i = 0; i < s->nparams; i++) {
            fprintf(m, "%s{\"path\": ", i ? ", " : "");
            por_cli_json_string(m, s->params[i].path);
            fprintf(m, ", \"values\": [");
            for (size_t k = 0; k < s->params[i].nvalues; k++) {
                if (k)
                    fprintf(m, ", ");
                por_cli_json_string(m, s->params[i].values[k]);
            }
            fprintf(m, "]}");
        }
        fprintf(m, "],\n  \"minimize\": ");
        por_cli_json_string(m, cost_name);
        fprintf(m, ",\n  \"require\": [");
        for (size_t k = 0; k < s->reqs.n; k++) {
            if (k)
                fprintf(m, ", ");
            por_cli_json_string(m, s->reqs.reqs[k].text);
        }
        char conf[64];
        fprintf(m,
                "],\n  \"points\": %zu,\n  \"min_reps\": %" PRIu64 ",\n  \"max_reps\": %" PRIu64
                ",\n  \"stages\": %d,\n  \"winner\": %ld,\n  \"runner_up\": %ld,\n"
                "  \"confidence\": %s,\n  \"tie\": %s,\n  \"cheaper_undecided\": %zu,\n"
                "  \"replications\": %" PRIu64 ",\n  \"replications_uniform_grid\": %" PRIu64
                ",\n  \"replications_full_grid\": %" PRIu64
                ",\n  \"cells_total\": %" PRIu64 ",\n  \"shard\": {\"k\": 1, \"n\": 1, "
                "\"rule\": \"cell c in shard (c mod n) + 1\"},\n  \"cells\": %zu,\n"
                "  \"invariant_failures\": %zu,\n  \"events\": %" PRIu64
                ",\n  \"wall_seconds\": %.3f\n}\n",
                npoints, min_reps, max_reps, stage + 1, winner, runner_up,
                por_format_double(confidence, conf, sizeof conf), tie ? "true" : "false",
                cheaper_undecided,
                total_reps, uniform, full, total_reps, s->nrows, ninvariant, events, wall);
        fclose(m);
        s->meta = text;
        por_error werr = {POR_OK, ""};
        if (por_sweep_write_dir_extra(out, force, g, s->rows, s->nrows, s->meta, s->extra,
                                      s->nextra, &werr) != POR_OK) {
            fprintf(stderr, "porsim tune: %s\n", werr.msg);
            return code ? code : 1;
        }
        if (!quiet)
            printf("wrote %s/points.csv, runs.csv, censored.csv, summary.csv, meta.json, "
                   "tune.csv, requirements.csv, frontier.csv, frontier.svg\n", out);
    }
    return code;
}

int por_tune_main_dist(int argc, char **argv, const por_tune_dist *dist)
{
    por__tune_state s;
    memset(&s, 0, sizeof s);
    int code = por__tune_run(argc, argv, &s, dist);
    por__tune_free(&s);
    return code;
}

int por_tune_main(int argc, char **argv)
{
    return por_tune_main_dist(argc, argv, NULL);
}
