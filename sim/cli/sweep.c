/* `porsim sweep` (parameter grids, --shard K/N) and `porsim run --until-ci` (replications
 * added in fixed batches until a confidence interval is narrow enough); see por/sweep.h.
 *
 * Both run (scenario, replication) cells on worker threads that take cell indices from a
 * shared counter and store each cell's result in its own slot; results are used in cell
 * order afterwards, so neither the thread count nor the scheduling changes any output.
 * A replication of a sweep point is exactly replication r of `porsim run` on the point's
 * scenario (same scenario hash and seed, same streams). */
#include "cliopt.h"
#include "parallel.h"
#include "por/outdir.h"
#include "por/scenario_load.h"
#include "por/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POR_SWEEP_MAX_PARAMS 32
#define POR_SWEEP_MAX_POINTS 1000000u
#define POR_SWEEP_MAX_CELLS 100000000u

const char por_sweep_usage[] =
    "Usage: porsim sweep [SCENARIO.json] --param PATH=v1,v2,... [--param ...] [options]\n"
    "\n"
    "Runs every point of a parameter grid: the cartesian product of the --param value\n"
    "lists, in the order the options are given, the last parameter varying fastest. Point\n"
    "i is the scenario with --set PATH=v applied for each parameter (after the --set\n"
    "options, before -r/--seed/--crypto), so its replications are exactly those of\n"
    "`porsim run SCENARIO --set ... --set PATH=v` (same scenario hash, same seeds).\n"
    "Every point is validated before anything runs.\n"
    "\n"
    "Values are JSON if they parse as JSON, else strings. A value list is split at the\n"
    "commas outside double quotes and outside [] or {} brackets; \\, is a literal comma:\n"
    "  --param feed.ocr.schedule=[1,1,2],[1,2,3]   two values\n"
    "  --param token.decimals=6,18                   two values\n"
    "\n"
    "Options:\n"
    "  --param PATH=LIST      a swept scenario field (repeatable, up to 32)\n"
    "  -r, --replications N   replications per point (overrides the scenario)\n"
    "  -j, --threads T        worker threads (default 1); outputs identical for any T\n"
    "  --seed S               scenario seed (overrides the scenario)\n"
    "  --set PATH=VALUE       fixed override applied to every point (repeatable)\n"
    "  --crypto ideal|real    signature mode (overrides feed.crypto)\n"
    "  --shard K/N            run only shard K of N (1 <= K <= N): cell c (cells numbered\n"
    "                         point by point, replication within point) is in shard\n"
    "                         (c mod N) + 1; join the shard directories with porsim merge\n"
    "  -o, --output DIR       write points.csv, runs.csv, censored.csv, summary.csv and\n"
    "                         meta.json into DIR (all-or-nothing)\n"
    "  --force                replace DIR if it exists\n"
    "  --metric NAME          metric of the terminal table (default feed_detect)\n"
    "  -q, --quiet            no table on stdout\n"
    "  -h, --help             this help\n"
    "\n"
    "Examples:\n"
    "  porsim sweep scenarios/default.json --param feed.ocr.deviation=0.5%,1%,2% \\\n"
    "      --param feed.ocr.n=4,7 -r 50 -j 2 -o out/dev-n\n"
    "  porsim sweep scenarios/default.json --param feed.ocr.deviation=0.5%,1%,2% \\\n"
    "      -r 50 --shard 2/3 -o out/shard2      # then: porsim merge out/all out/shard*\n";

/* ---- value lists -------------------------------------------------------------------- */

void por_sweep_free_values(char **values, size_t nvalues)
{
    for (size_t i = 0; i < nvalues; i++)
        free(values[i]);
    free(values);
}

por_status por_sweep_split_values(const char *list, char ***values, size_t *nvalues,
                                  por_error *err)
{
    size_t n = 0, cap = 4, len = strlen(list);
    char **out = por_xmalloc(cap * sizeof *out);
    char *cur = por_xmalloc(len + 1);
    size_t cl = 0;
    int depth = 0;
    bool inq = false;
    for (const char *p = list;; p++) {
        if (*p == '\\' && p[1]) {
            /* Keep escapes inside a JSON string as they are; outside, \x is x. */
            if (inq)
                cur[cl++] = *p;
            cur[cl++] = *++p;
            continue;
        }
        if (*p == '\0' || (*p == ',' && depth == 0 && !inq)) {
            if (inq || depth != 0) {
                por_sweep_free_values(out, n);
                free(cur);
                return por_error_set(err, POR_EINPUT, "value list '%s': %s", list,
                                     inq ? "unclosed double quote" : "unbalanced brackets");
            }
            if (cl == 0) {
                por_sweep_free_values(out, n);
                free(cur);
                return por_error_set(err, POR_EINPUT, "value list '%s': empty value (value %zu)",
                                     list, n + 1);
            }
            cur[cl] = '\0';
            if (n == cap)
                out = por_xrealloc(out, (cap *= 2) * sizeof *out);
            out[n++] = por_xstrdup(cur);
            cl = 0;
            if (*p == '\0')
                break;
            continue;
        }
        if (*p == '"')
            inq = !inq;
        else if (!inq && (*p == '[' || *p == '{'))
            depth++;
        else if (!inq && (*p == ']' || *p == '}')) {
            if (--depth < 0) {
                por_sweep_free_values(out, n);
                free(cur);
                return por_error_set(err, POR_EINPUT, "value list '%s': unbalanced brackets",
                                     list);
            }
        }
        cur[cl++] = *p;
    }
    free(cur);
    *values = out;
    *nvalues = n;
    return POR_OK;
}

/* ---- sweep -------------------------------------------------------------------------- */

typedef struct {
    uint64_t point, rep;
} por__cell_id;

typedef struct {
    por_scenario **scs;      /* per point */
    por__cell_id *cells;     /* the jobs */
    por_sweep_row *rows;     /* per job */
    uint64_t *events;        /* per job */
    por_run_options opt;
} por__sweep_ctx;

static por_status por__sweep_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                                 por_error *err)
{
    por__sweep_ctx *c = vctx;
    const por__cell_id *id = &c->cells[j];
    por_status st = por_world_run_replication(c->scs[id->point], id->rep, &c->opt, cells,
                                              strings, err);
    if (st == POR_OK || st == POR_EINVARIANT) {
        size_t ncols;
        const por_metric_def *defs = por_world_metric_defs(&ncols);
        por_sweep_row_format(defs, ncols, cells, &c->rows[j]);
        c->rows[j].point = id->point;
        c->rows[j].rep = id->rep;
        if (cells[POR_WM_EVENTS].present && isfinite(cells[POR_WM_EVENTS].value))
            c->events[j] = (uint64_t)cells[POR_WM_EVENTS].value;
    }
    return st;
}

static void por__sweep_progress(void *ctx, uint64_t done, uint64_t total)
{
    if (!*(bool *)ctx)
        return;
    int width = 30;
    int filled = total ? (int)(width * done / total) : width;
    char bar[64];
    for (int k = 0; k < width; k++)
        bar[k] = k < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " cells", bar, done, total);
    if (done >= total)
        fprintf(stderr, "\n");
    fflush(stderr);
}

typedef struct {
    char *path;
    char **values;
    size_t nvalues;
} por__param;

/* Everything the sweep command holds, freed in one place. */
typedef struct {
    por__param params[POR_SWEEP_MAX_PARAMS];
    size_t nparams;
    por_sweep_grid grid;
    por_scenario **scs;
    size_t nscs;
    por__cell_id *cells;
    por_sweep_row *rows;
    uint64_t *events;
    size_t ncells;
    char *meta;
} por__sweep_state;

static void por__sweep_state_free(por__sweep_state *s)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    for (size_t i = 0; i < s->nparams; i++) {
        free(s->params[i].path);
        por_sweep_free_values(s->params[i].values, s->params[i].nvalues);
    }
    for (size_t i = 0; i < s->nscs; i++)
        por_scenario_free(s->scs[i]);
    free(s->scs);
    if (s->rows)
        for (size_t i = 0; i < s->ncells; i++)
            por_sweep_row_free(&s->rows[i], ncols);
    free(s->rows);
    free(s->cells);
    free(s->events);
    free(s->meta);
    por_sweep_grid_free(&s->grid);
}

/* "path=value path=value" of point P, for messages. */
static void por__point_label(const por__sweep_state *s, size_t p, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->nparams && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s%s=%s", i ? " " : "", s->grid.paths[i],
                                s->grid.values[p * s->nparams + i]);
}

static int por__sweep_run(int argc, char **argv, por__sweep_state *s,
                          const por_sweep_dist *dist)
{
    const char *file = NULL, *out = NULL, *metric = "feed_detect";
    por_cli_scenario_opts so;
    por_cli_scenario_opts_init(&so);
    const char *sets[POR_CLI_MAX_SETS + POR_SWEEP_MAX_PARAMS + 3];
    uint64_t shard_k = 1, shard_n = 1;
    bool force = false, quiet = false, sharded = false;
    por_error err = {POR_OK, ""};

    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        int used;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_sweep_usage, stdout);
            return 0;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--param", &v, &missing)) {
            const char *eq = missing ? NULL : strchr(v, '=');
            if (!eq || eq == v)
                return por_cli_usage_error("sweep", "--param needs PATH=v1,v2,...");
            if (s->nparams >= POR_SWEEP_MAX_PARAMS)
                return por_cli_usage_error("sweep", "too many --param options (limit %d)",
                                              POR_SWEEP_MAX_PARAMS);
            por__param *pp = &s->params[s->nparams];
            pp->path = por_xmalloc((size_t)(eq - v) + 1);
            memcpy(pp->path, v, (size_t)(eq - v));
            pp->path[eq - v] = '\0';
            for (size_t k = 0; k < s->nparams; k++)
                if (!strcmp(s->params[k].path, pp->path)) {
                    free(pp->path);
                    return por_cli_usage_error("sweep", "--param %s given twice", s->params[k].path);
                }
            if (por_sweep_split_values(eq + 1, &pp->values, &pp->nvalues, &err) != POR_OK) {
                por_cli_usage_error("sweep", "--param %s: %s", pp->path, err.msg);
                free(pp->path);
                return 2;
            }
            s->nparams++;
        } else if ((used = por_cli_scenario_opt(&so, "sweep", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (por_cli_opt(argc, argv, &i, "-o", "--output", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("sweep", "-o needs a directory");
            out = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--shard", &v, &missing)) {
            const char *slash = missing ? NULL : strchr(v, '/');
            char kbuf[32];
            if (!slash || (size_t)(slash - v) >= sizeof kbuf)
                return por_cli_usage_error("sweep", "--shard needs K/N with 1 <= K <= N");
            memcpy(kbuf, v, (size_t)(slash - v));
            kbuf[slash - v] = '\0';
            if (!por_cli_parse_u64(slash + 1, 1, 1000000, &shard_n) ||
                !por_cli_parse_u64(kbuf, 1, shard_n, &shard_k))
                return por_cli_usage_error("sweep", "--shard needs K/N with 1 <= K <= N (got %s)", v);
            sharded = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--metric", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("sweep", "--metric needs a metric name");
            metric = v;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("sweep", "unknown option %s", a);
        } else if (!file) {
            file = a;
        } else {
            return por_cli_usage_error("sweep", "one scenario file at a time (got %s and %s)", file, a);
        }
    }
    if (s->nparams == 0)
        return por_cli_usage_error("sweep", "needs at least one --param PATH=v1,v2,...");
    {
        size_t ncols;
        const por_metric_def *defs = por_world_metric_defs(&ncols);
        bool found = false;
        for (size_t c = 0; c < ncols; c++)
            found |= !strcmp(defs[c].name, metric);
        if (!found)
            return por_cli_usage_error("sweep", "--metric %s: no such metric", metric);
    }

    /* The grid: last parameter fastest. */
    uint64_t npoints = 1;
    for (size_t i = 0; i < s->nparams; i++) {
        npoints *= s->params[i].nvalues;
        if (npoints > POR_SWEEP_MAX_POINTS)
            return por_cli_usage_error("sweep", "grid too large (more than %u points)",
                                          POR_SWEEP_MAX_POINTS);
    }
    por_sweep_grid *g = &s->grid;
    g->nparams = s->nparams;
    g->paths = por_xcalloc(s->nparams, sizeof *g->paths);
    for (size_t i = 0; i < s->nparams; i++)
        g->paths[i] = por_xstrdup(s->params[i].path);
    g->values = por_xcalloc(npoints * s->nparams, sizeof *g->values);
    g->npoints = npoints;
    g->hash = por_xcalloc(npoints, sizeof *g->hash);
    g->seed = por_xcalloc(npoints, sizeof *g->seed);
    g->replications = por_xcalloc(npoints, sizeof *g->replications);
    for (size_t p = 0; p < npoints; p++) {
        size_t rest = p;
        for (size_t i = s->nparams; i-- > 0;) {
            g->values[p * s->nparams + i] =
                por_xstrdup(s->params[i].values[rest % s->params[i].nvalues]);
            rest /= s->params[i].nvalues;
        }
    }

    /* Validate every point before running anything. */
    memcpy(sets, so.sets, so.nsets * sizeof *sets);
    size_t base = so.nsets;
    s->scs = por_xcalloc(npoints, sizeof *s->scs);
    uint64_t total_cells = 0;
    for (size_t p = 0; p < npoints; p++) {
        char **psets = por_xmalloc(s->nparams * sizeof *psets);
        size_t k = base;
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
        free(psets);
        if (st != POR_OK) {
            char label[1024];
            por__point_label(s, p, label, sizeof label);
            fprintf(stderr, "porsim sweep: point %zu (%s): %s\n", p, label, err.msg);
            return por_status_exit_code(st);
        }
        s->scs[s->nscs++] = sc;
        por_scenario_hash(sc, g->hash[p]);
        g->seed[p] = sc->seed;
        g->replications[p] = sc->replications;
        total_cells += sc->replications;
        if (total_cells > POR_SWEEP_MAX_CELLS)
            return por_cli_usage_error("sweep", "too many cells (more than %u replications in all)",
                                          POR_SWEEP_MAX_CELLS);
    }
    if (out && (!dist || dist->rank == 0)) {
        por_status st = por_outdir_check(out, force, &err);
        if (st != POR_OK) {
            fprintf(stderr, "porsim: %s\n", err.msg);
            return por_status_exit_code(st);
        }
    }
    if (dist) {
        int rc = dist->agree(dist->ctx);
        if (rc)
            return rc;
    }

    /* This shard's cells: global cell c is in shard (c mod N) + 1. */
    s->cells = por_xmalloc((total_cells / shard_n + 1) * sizeof *s->cells);
    uint64_t c = 0;
    for (size_t p = 0; p < npoints; p++)
        for (uint64_t r = 0; r < g->replications[p]; r++, c++)
            if (c % shard_n == shard_k - 1)
                s->cells[s->ncells++] = (por__cell_id){p, r};
    if (dist) { /* this process's part: the i-th cell of the list to rank i mod nranks */
        size_t mine = 0;
        for (size_t i = 0; i < s->ncells; i++)
            if (i % dist->nranks == dist->rank)
                s->cells[mine++] = s->cells[i];
        s->ncells = mine;
    }
    s->rows = por_xcalloc(s->ncells ? s->ncells : 1, sizeof *s->rows);
    s->events = por_xcalloc(s->ncells ? s->ncells : 1, sizeof *s->events);

    volatile sig_atomic_t *stop = por_cli_stop_install(0); /* see cliopt.h */
    bool tty = isatty(STDERR_FILENO) == 1;

    por__sweep_ctx ctx = {.scs = s->scs, .cells = s->cells, .rows = s->rows,
                          .events = s->events, .opt = {.crypto_override = -1, .stop = stop}};
    por_parallel ex = {.njobs = s->ncells, .threads = (unsigned)so.threads, .job = por__sweep_job,
                    .ctx = &ctx, .continue_on_invariant = true,
                    .progress = por__sweep_progress, .progress_ctx = &tty,
                    .interrupt = stop};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    por_parallel_run(&ex);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    /* The first failure in cell order decides; broken invariants keep their rows. */
    size_t ndone = 0, ninvariant = 0, failed = s->ncells, first_inv = s->ncells;
    uint64_t events = 0;
    for (size_t j = 0; j < s->ncells; j++) {
        if (ex.done[j] && ex.status[j] == POR_EINTERRUPTED)
            ex.done[j] = false; /* stopped by a signal: not a completed cell */
        ndone += ex.done[j];
        events += s->events[j];
        if (!ex.done[j] || ex.status[j] == POR_OK)
            continue;
        if (ex.status[j] == POR_EINVARIANT) {
            if (ninvariant++ == 0)
                first_inv = j;
        } else if (failed == s->ncells) {
            failed = j;
        }
    }
    por_error first_err = {POR_OK, ""};
    if (failed < s->ncells || first_inv < s->ncells) {
        size_t at = failed < s->ncells ? failed : first_inv;
        first_err = ex.errs[at];
        first_err.status = ex.status[at];
    }
    por_parallel_free(&ex);
    if (failed < s->ncells) {
        const por__cell_id *id = &s->cells[failed];
        fprintf(stderr, "porsim sweep: point %" PRIu64 " replication %" PRIu64 ": %s: %s\n",
                id->point, id->rep, por_status_name(first_err.status), first_err.msg);
        fprintf(stderr, "porsim sweep: no output written\n");
        int rc = por_status_exit_code(first_err.status);
        return rc ? rc : 1;
    }
    if (ndone < s->ncells) {
        fprintf(stderr, "porsim sweep: interrupted after %zu of %zu cells; no output written\n",
                ndone, s->ncells);
        return 1;
    }
    if (dist) {
        if (ninvariant) /* this process's cells; rank 0 reports the total below */
            fprintf(stderr,
                    "porsim sweep: rank %u: safety invariant broken in %zu cell%s; first: point "
                    "%" PRIu64 " replication %" PRIu64 ": %s\n",
                    dist->rank, ninvariant, ninvariant == 1 ? "" : "s",
                    s->cells[first_inv].point, s->cells[first_inv].rep, first_err.msg);
        int rc = dist->gather(dist->ctx, &s->rows, &s->ncells, &events, &ninvariant);
        if (rc || dist->rank != 0)
            return rc;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }

    if (!quiet) {
        printf("sweep %s: %zu point%s x replications = %" PRIu64 " cells", s->scs[0]->name,
               (size_t)npoints, npoints == 1 ? "" : "s", total_cells);
        if (sharded)
            printf(", shard %" PRIu64 "/%" PRIu64 ": %zu cells", shard_k, shard_n, s->ncells);
        printf(", %.2f s wall\n", wall);
        por_sweep_print(g, s->rows, s->ncells, metric, stdout);
        fflush(stdout);
    }
    int code = 0;
    if (ninvariant && dist) {
        fprintf(stderr, "porsim sweep: safety invariant broken in %zu cell%s (all ranks)\n",
                ninvariant, ninvariant == 1 ? "" : "s");
        code = 3;
    } else if (ninvariant) {
        fprintf(stderr,
                "porsim sweep: safety invariant broken in %zu cell%s; first: point %" PRIu64
                " replication %" PRIu64 ": %s\n",
                ninvariant, ninvariant == 1 ? "" : "s", s->cells[first_inv].point,
                s->cells[first_inv].rep, first_err.msg);
        code = 3;
    }
    if (out) {
        char *mbuf = NULL;
        size_t mlen = 0;
        FILE *m = open_memstream(&mbuf, &mlen);
        if (!m) {
            fprintf(stderr, "porsim sweep: out of memory\n");
            return 1;
        }
        fprintf(m, "{\n  \"porsim_version\": \"%s\",\n  \"kind\": \"sweep\",\n  \"command\": ",
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
        por_cli_json_string(m, s->scs[0]->name);
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
        fprintf(m,
                "],\n  \"points\": %" PRIu64 ",\n  \"cells_total\": %" PRIu64
                ",\n  \"shard\": {\"k\": %" PRIu64 ", \"n\": %" PRIu64 ", \"rule\": \"cell c "
                "in shard (c mod n) + 1\"},\n  \"cells\": %zu,\n  \"invariant_failures\": %zu"
                ",\n  \"events\": %" PRIu64 ",\n  \"wall_seconds\": %.3f\n}\n",
                npoints, total_cells, shard_k, shard_n, s->ncells, ninvariant, events, wall);
        fclose(m);
        s->meta = mbuf;
        por_error werr = {POR_OK, ""};
        if (por_sweep_write_dir(out, force, g, s->rows, s->ncells, s->meta, &werr) != POR_OK) {
            fprintf(stderr, "porsim sweep: %s\n", werr.msg);
            return code ? code : 1;
        }
        if (!quiet)
            printf("wrote %s/points.csv, runs.csv, censored.csv, summary.csv, meta.json\n", out);
    }
    return code;
}

int por_sweep_main_dist(int argc, char **argv, const por_sweep_dist *dist)
{
    por__sweep_state s;
    memset(&s, 0, sizeof s);
    int code = por__sweep_run(argc, argv, &s, dist);
    por__sweep_state_free(&s);
    return code;
}

int por_sweep_main(int argc, char **argv)
{
    return por_sweep_main_dist(argc, argv, NULL);
}

/* ---- run --until-ci ----------------------------------------------------------------- */

typedef struct {
    const por_scenario *sc;
    uint64_t first_rep;
    por_run_options opt;
    por_metric_cell *cells; /* batch * ncols, exact strings owned */
    size_t ncols;
} por__ci_ctx;

static por_status por__ci_job(void *vctx, size_t j, por_metric_cell *cells, char *strings,
                              por_error *err)
{
    por__ci_ctx *c = vctx;
    por_status st = por_world_run_replication(c->sc, c->first_rep + j, &c->opt, cells, strings,
                                              err);
    por_metric_cell *dst = c->cells + j * c->ncols;
    for (size_t k = 0; k < c->ncols; k++) {
        dst[k] = cells[k];
        dst[k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
    }
    return st;
}

por_status por_run_until_ci(const por_scenario *sc, const por_until_ci_config *cfg,
                            por_runner_result *out, por_until_ci_report *rep, por_error *err)
{
    memset(out, 0, sizeof *out);
    memset(rep, 0, sizeof *rep);
    rep->mean = rep->half_width = NAN;
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    const char *metric = cfg->metric ? cfg->metric : "feed_detect";
    out->table = por_metric_table_create(defs, ncols);
    long col = por_metric_table_find(out->table, metric);
    if (col < 0)
        return por_error_set(err, POR_EINPUT, "--metric %s: no such metric", metric);
    POR_ASSERT(cfg->pct > 0 && cfg->max_reps >= 1);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    por_status status = POR_OK;
    uint64_t done = 0;
    while (done < cfg->max_reps) {
        uint64_t b = cfg->max_reps - done < POR_UNTIL_CI_BATCH ? cfg->max_reps - done
                                                                : POR_UNTIL_CI_BATCH;
        por__ci_ctx ctx = {sc, done, cfg->run, por_xcalloc(b * ncols, sizeof *ctx.cells), ncols};
        por_parallel ex = {.njobs = b, .threads = cfg->threads, .job = por__ci_job, .ctx = &ctx,
                        .progress = NULL, .interrupt = cfg->interrupt};
        por_parallel_run(&ex);
        if (cfg->progress)
            cfg->progress(cfg->progress_ctx, done + b, cfg->max_reps);
        bool stop = false;
        for (uint64_t j = 0; j < b; j++) {
            if (!ex.done[j]) {
                stop = true;
                break;
            }
            if (ex.status[j] == POR_EINTERRUPTED) { /* a stop request or --max-events */
                snprintf(out->stop_msg, sizeof out->stop_msg, "%s", ex.errs[j].msg);
                stop = true;
                break;
            }
            if (ex.status[j] != POR_OK) {
                status = ex.status[j];
                if (err)
                    *err = ex.errs[j];
                stop = true;
                break;
            }
            por_metric_table_add_row(out->table, done + j, ctx.cells + j * ncols);
            const por_metric_cell *ev = &ctx.cells[j * ncols + POR_WM_EVENTS];
            if (ev->present && isfinite(ev->value))
                out->events += (uint64_t)ev->value;
            out->completed++;
        }
        for (size_t k = 0; k < b * ncols; k++)
            free((char *)ctx.cells[k].exact);
        free(ctx.cells);
        por_parallel_free(&ex);
        done += b;
        por_summary s;
        por_metric_table_summarize(out->table, (size_t)col, &s);
        rep->n = s.n;
        rep->mean = s.mean;
        rep->half_width = s.n >= 2 ? (s.ci_hi - s.ci_lo) / 2 : NAN;
        if (stop) {
            out->partial = status == POR_OK;
            break;
        }
        if (s.n >= 2 && isfinite(rep->half_width) &&
            rep->half_width <= cfg->pct / 100.0 * fabs(s.mean)) {
            rep->reached = true;
            break;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return status;
}
