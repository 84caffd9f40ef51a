/* `porsim sweep` (parameter grids, --shard K/N) and `porsim run --until-ci` (replications
 * added in fixed batches until a confidence interval is narrow enough); see por/sweep.h.
 *
 * Both run (scenario, replication) cells on worker threads that take cell indices from a
 * shared counter and store each cell's result in its own slot; results are used in cell
 * order afterwards, so neither the thread count nor the scheduling changes any output.
 * A replication of a sweep point is exactly replication r of `porsim run` on the point's
 * scenario (same scenario hash and seed, same streams). */
#include "cliopt.h"
#include "param_range.h"
#include "io/columns.h"
#include "parallel.h"
#include "progress.h"
#include "require_cli.h"
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
    "Ranges: LO..HI:STEP (durations, percentages or numbers) and LO..HI:Nlog (N values\n"
    "spaced evenly on a log scale; durations rounded to whole seconds):\n"
    "  --param feed.ocr.deviation=0.5%..2%:0.5%      0.5%, 1%, 1.5%, 2%\n"
    "  --param feed.ocr.delta_c=1h..24h:5log         1h, 2h12m48s, 4h53m56s, 10h50m36s, 1d\n"
    "\n"
    "Options:\n"
    "  --param PATH=LIST      a swept scenario field (repeatable, up to 32)\n"
    "  -r, --replications N   replications per point (overrides the scenario)\n"
    "  -j, --threads T        worker threads (default 1); outputs identical for any T\n"
    "  --seed S               scenario seed (overrides the scenario)\n"
    "  --set PATH=VALUE       fixed override applied to every point (repeatable)\n"
    "  --crypto ideal|real    signature mode (overrides feed.crypto)\n"
    "  --strict               the scenario's warnings are errors (exit 2)\n"
    "  --shard K/N            run only shard K of N (1 <= K <= N): cell c (cells numbered\n"
    "                         point by point, replication within point) is in shard\n"
    "                         (c mod N) + 1; join the shard directories with porsim merge\n"
    "  -o, --output DIR       write points.csv, runs.csv, censored.csv, summary.csv and\n"
    "                         meta.json into DIR (all-or-nothing; interrupted: the\n"
    "                         complete points, \"partial\": true in meta.json)\n"
    "  --force                replace DIR if it exists\n"
    "  --resume DIR           finish the interrupted sweep in DIR (run with the same\n"
    "                         options): its complete points are kept, the rest run; -o\n"
    "                         defaults to DIR, which is replaced\n"
    "  --until-ci PCT         per point, add replications in batches of 20 until the 95%\n"
    "                         CI half-width of --metric is within PCT % of its mean (as\n"
    "                         porsim run --until-ci; PCT as 5% or 5); excludes -r, --shard\n"
    "  --max-reps N           cap per point of --until-ci (default 10000)\n"
    "  --max-events N         stop a cell once it handled N events (its point is then\n"
    "                         incomplete; the same cells stop for any -j)\n"
    "  --max-wall DURATION    stop the sweep after DURATION of wall time (\"90s\", \"2h\")\n"
    "                         Both keep the complete points, write them (meta.json\n"
    "                         \"partial\": true) and exit 1, as signals do; --resume DIR\n"
    "                         runs the rest\n"
    "  --metric NAME          metric of the terminal table and of --until-ci\n"
    "                         (default feed_detect)\n"
    "  -q, --quiet            no table on stdout\n"
    "  --require EXPR         a target judged per point at 95% confidence (repeatable;\n"
    "                         docs/tune.md): verdict table and DIR/requirements.csv; exit\n"
    "                         0 some point meets all, 4 every point fails one, 5 undecided\n"
    "  --frontier COST,RISK.. Pareto frontier over METRIC.STAT objectives, all minimised\n"
    "                         (e.g. gas.mean,feed_detect.p90): table and DIR/frontier.csv\n"
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
    por_metric_cell *keep;   /* --until-ci: per job, the metric cells (exact strings owned) */
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
        if (c->keep)
            for (size_t k = 0; k < ncols; k++) {
                c->keep[j * ncols + k] = cells[k];
                c->keep[j * ncols + k].exact = cells[k].exact ? por_xstrdup(cells[k].exact) : NULL;
            }
    }
    return st;
}

static int por__cmp_cell_row(const void *a, const void *b)
{
    const por_sweep_row *x = a, *y = b;
    if (x->point != y->point)
        return (x->point > y->point) - (x->point < y->point);
    return (x->rep > y->rep) - (x->rep < y->rep);
}

/* Progress of a sweep run in rounds (--until-ci): cells before this round are added. */
typedef struct {
    por_cli_progress *bar;
    uint64_t offset, total;
} por__round_progress;

static void por__round_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    por__round_progress *rp = ctx;
    (void)total;
    por_cli_progress_update(rp->bar, rp->offset + done, rp->total);
}

/* Everything the sweep command holds, freed in one place. */
typedef struct {
    por_cli_param params[POR_SWEEP_MAX_PARAMS];
    size_t nparams;
    por_sweep_grid grid;
    por_scenario **scs;
    size_t nscs;
    por__cell_id *cells;
    por_sweep_row *rows;
    uint64_t *events;
    size_t ncells;
    char *meta;
    bool *resumed;           /* per point: kept from the --resume directory */
    por_sweep_row *kept;     /* the rows kept from it */
    size_t nkept;
    por_metric_table **tables; /* --until-ci: per point */
    por_cli_requires reqs;   /* --require */
    por_cli_frontier front;  /* --frontier */
} por__sweep_state;

static void por__sweep_state_free(por__sweep_state *s)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    por_cli_params_free(s->params, s->nparams);
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
    for (size_t i = 0; i < s->nkept; i++)
        por_sweep_row_free(&s->kept[i], ncols);
    free(s->kept);
    if (s->tables)
        for (size_t p = 0; p < s->grid.npoints; p++)
            por_metric_table_destroy(s->tables[p]);
    free(s->tables);
    free(s->resumed);
    por_cli_require_free(&s->reqs);
    por_cli_frontier_free(&s->front);
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

/* Appends point P's line to G's scenarios.jsonl: {"point": P, "scenario_hash": ...,
 * "scenario": the effective scenario after the base --set list and P's values}. */
static void por__scenarios_line(por_sweep_grid *g, size_t p, const por_scenario *sc)
{
    char hash[17];
    por_scenario_hash(sc, hash);
    size_t old = g->scenarios_jsonl ? strlen(g->scenarios_jsonl) : 0;
    size_t add = strlen(sc->effective_json) + 96;
    g->scenarios_jsonl = por_xrealloc(g->scenarios_jsonl, old + add);
    snprintf(g->scenarios_jsonl + old, add, "{\"point\": %zu, \"scenario_hash\": \"%s\", "
             "\"scenario\": %s}\n", p, hash, sc->effective_json);
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
    const char *resume = NULL;
    bool until_ci = false, have_max_reps = false;
    double ci_pct = 0;
    uint64_t max_reps = 10000, max_events = 0;
    double max_wall = 0;
    por_error err = {POR_OK, ""};

    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        int used;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_sweep_usage, stdout);
            return 0;
        } else if ((used = por_cli_param_opt(s->params, &s->nparams, POR_SWEEP_MAX_PARAMS,
                                             "sweep", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if ((used = por_cli_scenario_opt(&so, "sweep", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if ((used = por_cli_require_opt(&s->reqs, "sweep", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--frontier", &v, &missing)) {
            if (missing || por_cli_frontier_parse(&s->front, "sweep", v) != 0)
                return missing ? por_cli_usage_error("sweep", "--frontier needs COST,RISK...")
                               : 2;
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
        } else if (por_cli_opt(argc, argv, &i, NULL, "--resume", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("sweep", "--resume needs the directory of an "
                                                    "interrupted sweep");
            resume = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--until-ci", &v, &missing)) {
            char why[200];
            if (missing || !por_cli_parse_percent(v, 1000, &ci_pct, why, sizeof why))
                return por_cli_usage_error("sweep", "--until-ci %s",
                                           missing ? "needs a percentage such as 5%" : why);
            until_ci = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-reps", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, 10000000, &max_reps))
                return por_cli_usage_error("sweep", "--max-reps needs a count (1..10000000)");
            have_max_reps = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-events", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, UINT64_MAX, &max_events))
                return por_cli_usage_error("sweep", "--max-events needs a positive count");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-wall", &v, &missing)) {
            if (missing || !por_cli_parse_wall(v, &max_wall))
                return por_cli_usage_error("sweep", "--max-wall needs a duration (\"90s\", "
                                                    "\"10m\") or seconds");
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("sweep", "unknown option %s", a);
        } else if (!file) {
            file = por_cli_find_scenario(a);
        } else {
            return por_cli_usage_error("sweep", "one scenario file at a time (got %s and %s)", file, a);
        }
    }
    if (s->nparams == 0)
        return por_cli_usage_error("sweep", "needs at least one --param PATH=v1,v2,...");
    if (!until_ci && have_max_reps)
        return por_cli_usage_error("sweep", "--max-reps goes with --until-ci");
    if (until_ci && so.have_reps)
        return por_cli_usage_error("sweep", "-r and --until-ci exclude each other (use --max-reps)");
    if (until_ci && sharded)
        return por_cli_usage_error("sweep", "--until-ci and --shard exclude each other (a "
                                            "point's count is known only as it runs)");
    if (dist && (until_ci || resume))
        return por_cli_usage_error("sweep", "--until-ci and --resume are for porsim sweep, "
                                            "not porsim-mpi");
    if (resume && !out)
        out = resume;
    if (resume && !strcmp(out, resume))
        force = true; /* the interrupted sweep's own directory is replaced */
    if (por_cli_require_parse(&s->reqs, "sweep") != 0)
        return 2;
    unsigned test_faults;
    if (!por_cli_test_faults(&test_faults))
        return 1;
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
    por_sweep_grid *g = &s->grid;
    if (por_cli_params_grid(s->params, s->nparams, POR_SWEEP_MAX_POINTS, "sweep", g) != 0)
        return 2;
    uint64_t npoints = g->npoints;

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
        /* Warnings printed by one process (rank 0 under MPI); --strict stops every rank. */
        if (dist && dist->rank != 0 ? so.strict && sc->nwarnings
                                    : por_cli_scenario_warnings(sc, so.strict))
            return 2;
        por__scenarios_line(g, p, sc);
        por_scenario_hash(sc, g->hash[p]);
        g->seed[p] = sc->seed;
        g->replications[p] = sc->replications;
        total_cells += sc->replications;
        if (total_cells > POR_SWEEP_MAX_CELLS)
            return por_cli_usage_error("sweep", "too many cells (more than %u replications in all)",
                                          POR_SWEEP_MAX_CELLS);
    }
    if (until_ci) /* the cap; a point's count becomes the one it reached */
        for (size_t p = 0; p < npoints; p++)
            g->replications[p] = max_reps;
    /* --resume: the points DIR holds are kept and not run again (an interrupted sweep
     * writes only complete points). */
    bool *resumed = s->resumed = por_xcalloc(npoints, sizeof *resumed);
    if (resume) {
        uint64_t *old_reps = por_xcalloc(npoints, sizeof *old_reps);
        por_status st = por_sweep_read_dir(resume, g, !until_ci, &s->kept, &s->nkept, old_reps,
                                           &err);
        if (st == POR_OK)
            for (size_t i = 0; i < s->nkept; i++)
                resumed[s->kept[i].point] = true;
        if (st == POR_OK && until_ci)
            for (size_t p = 0; p < npoints; p++)
                if (resumed[p])
                    g->replications[p] = old_reps[p];
        free(old_reps);
        if (st != POR_OK) {
            fprintf(stderr, "porsim sweep: --resume %s\n", err.msg);
            return por_status_exit_code(st);
        }
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

    volatile sig_atomic_t *stop = por_cli_stop_install(max_wall); /* see cliopt.h */
    por_cli_progress bar;
    por_cli_progress_init(&bar, "cells", isatty(STDERR_FILENO) == 1);
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);

    /* Cells run in rounds: one round of all of them; with --until-ci, rounds of a batch of
     * POR_UNTIL_CI_BATCH replications of every point still short of its target, checked
     * after each round as `porsim run --until-ci` checks after each batch, so a point
     * reaches the count `run --until-ci` reaches on its scenario, for any -j. */
    bool *finished = por_xcalloc(npoints, sizeof *finished);
    size_t points_reached = 0;
    long ci_col = -1;
    if (until_ci) {
        s->tables = por_xcalloc(npoints, sizeof *s->tables);
        for (size_t p = 0; p < npoints; p++)
            s->tables[p] = por_metric_table_create(defs, ncols);
        ci_col = por_metric_table_find(s->tables[0], metric);
        for (size_t p = 0; p < npoints; p++)
            finished[p] = resumed[p];
    }
    uint8_t *cdone = NULL; /* per cell: 0 not run, 1 ok, 2 a broken invariant */
    size_t cap = 0, ndone = 0, ninvariant = 0, failed = SIZE_MAX, first_inv = SIZE_MAX;
    uint64_t events = 0;
    por_error first_err = {POR_OK, ""};
    char stop_msg[sizeof first_err.msg + 64] = ""; /* the first stopped cell's message */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (bool first_round = true;; first_round = false) {
        size_t first = s->ncells;
        uint64_t upper = 0; /* cells at most still to run (the progress total) */
        if (!until_ci && first_round) {
            /* This shard's cells: global cell c is in shard (c mod N) + 1. */
            cap = total_cells / shard_n + 1;
            s->cells = por_xmalloc(cap * sizeof *s->cells);
            uint64_t c = 0;
            for (size_t p = 0; p < npoints; p++)
                for (uint64_t r = 0; r < g->replications[p]; r++, c++)
                    if (c % shard_n == shard_k - 1 && !resumed[p])
                        s->cells[s->ncells++] = (por__cell_id){p, r};
            if (dist) { /* this process's part: the i-th cell of the list to rank i mod nranks */
                size_t mine = 0;
                for (size_t i = 0; i < s->ncells; i++)
                    if (i % dist->nranks == dist->rank)
                        s->cells[mine++] = s->cells[i];
                s->ncells = mine;
            }
            upper = s->ncells;
        } else if (until_ci) {
            for (size_t p = 0; p < npoints; p++) {
                if (finished[p])
                    continue;
                uint64_t next = s->tables[p] ? por_metric_table_rows(s->tables[p]) : 0;
                uint64_t b = max_reps - next < POR_UNTIL_CI_BATCH ? max_reps - next
                                                                  : POR_UNTIL_CI_BATCH;
                upper += max_reps - next;
                if (s->ncells + b > cap) {
                    cap = (s->ncells + b) * 2;
                    s->cells = por_xrealloc(s->cells, cap * sizeof *s->cells);
                }
                for (uint64_t r = 0; r < b; r++)
                    s->cells[s->ncells++] = (por__cell_id){p, next + r};
            }
        }
        if (s->ncells == first && !first_round)
            break;
        size_t nround = s->ncells - first;
        s->rows = por_xrealloc(s->rows, (s->ncells ? s->ncells : 1) * sizeof *s->rows);
        s->events = por_xrealloc(s->events, (s->ncells ? s->ncells : 1) * sizeof *s->events);
        cdone = por_xrealloc(cdone, (s->ncells ? s->ncells : 1) * sizeof *cdone);
        memset(s->rows + first, 0, nround * sizeof *s->rows);
        memset(s->events + first, 0, nround * sizeof *s->events);
        por_metric_cell *keep = until_ci ? por_xcalloc(nround * ncols + 1, sizeof *keep) : NULL;
        por__sweep_ctx ctx = {.scs = s->scs, .cells = s->cells + first, .rows = s->rows + first,
                              .events = s->events + first, .keep = keep,
                              .opt = {.crypto_override = -1, .stop = stop,
                                      .test_faults = test_faults,
                                      .max_events = max_events}};
        por__round_progress rp = {&bar, first, first + upper};
        por_parallel ex = {.njobs = nround, .threads = (unsigned)so.threads,
                           .job = por__sweep_job, .ctx = &ctx, .continue_on_invariant = true,
                           .progress = until_ci ? por__round_progress_update
                                                : por_cli_progress_update,
                           .progress_ctx = until_ci ? (void *)&rp : (void *)&bar,
                           .interrupt = stop};
        por_parallel_run(&ex);
        /* The first failure in cell order decides; broken invariants keep their rows. */
        for (size_t j = 0; j < nround; j++) {
            size_t at = first + j;
            if (ex.done[j] && ex.status[j] == POR_EINTERRUPTED) {
                /* stopped by a signal or --max-events: not a completed cell */
                if (!stop_msg[0])
                    snprintf(stop_msg, sizeof stop_msg, "point %" PRIu64 " %s",
                             s->cells[at].point, ex.errs[j].msg);
                ex.done[j] = false;
            }
            cdone[at] = !ex.done[j] ? 0 : ex.status[j] == POR_EINVARIANT ? 2 : 1;
            ndone += ex.done[j];
            events += s->events[at];
            if (!ex.done[j] || ex.status[j] == POR_OK)
                continue;
            if (ex.status[j] == POR_EINVARIANT) {
                if (ninvariant++ == 0 && failed == SIZE_MAX) {
                    first_inv = at;
                    first_err = ex.errs[j];
                    first_err.status = ex.status[j];
                }
            } else if (failed == SIZE_MAX) {
                failed = at;
                first_err = ex.errs[j];
                first_err.status = ex.status[j];
            }
        }
        bool complete = ndone == s->ncells && failed == SIZE_MAX;
        if (until_ci && complete) {
            /* Each point's batch, in replication order, then its stopping rule. */
            for (size_t j = 0; j < nround; j++) {
                const por__cell_id *id = &s->cells[first + j];
                por_metric_table_add_row(s->tables[id->point], id->rep, keep + j * ncols);
            }
            for (size_t j = 0; j < nround; j++) {
                uint64_t p = s->cells[first + j].point;
                if (finished[p])
                    continue;
                por_summary sum;
                por_metric_table_summarize(s->tables[p], (size_t)ci_col, &sum);
                double half = sum.n >= 2 ? (sum.ci_hi - sum.ci_lo) / 2 : NAN;
                bool reached = sum.n >= 2 && isfinite(half) && half <= ci_pct / 100.0 * fabs(sum.mean);
                uint64_t n = por_metric_table_rows(s->tables[p]);
                if (reached || n >= max_reps) {
                    finished[p] = true;
                    points_reached += reached;
                    g->replications[p] = n;
                }
            }
        }
        if (keep)
            for (size_t k = 0; k < nround * ncols; k++)
                free((char *)keep[k].exact);
        free(keep);
        por_parallel_free(&ex);
        if (!until_ci || !complete)
            break;
    }
    por_cli_progress_end(&bar);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (failed != SIZE_MAX) {
        const por__cell_id *id = &s->cells[failed];
        fprintf(stderr, "porsim sweep: point %" PRIu64 " replication %" PRIu64 ": %s: %s\n",
                id->point, id->rep, por_status_name(first_err.status), first_err.msg);
        fprintf(stderr, "porsim sweep: no output written\n");
        free(cdone);
        free(finished);
        int rc = por_status_exit_code(first_err.status);
        return rc ? rc : 1;
    }
    bool partial = ndone < s->ncells;
    if (partial && dist) {
        fprintf(stderr, "porsim sweep: interrupted after %zu of %zu cells; no output written\n",
                ndone, s->ncells);
        free(cdone);
        free(finished);
        return 1;
    }
    if (partial) {
        /* Keep the complete points, as run keeps its completed replications: every cell of
         * the point done (with --until-ci: the point reached its stopping rule). */
        bool *whole = por_xcalloc(npoints, sizeof *whole);
        for (size_t j = 0; j < s->ncells; j++)
            whole[s->cells[j].point] = true;
        for (size_t j = 0; j < s->ncells; j++)
            if (!cdone[j] || (until_ci && !finished[s->cells[j].point]))
                whole[s->cells[j].point] = false;
        size_t k = 0, kept_inv = SIZE_MAX;
        bool msg_kept = false; /* the cell whose message first_err holds is kept first */
        ninvariant = 0;
        events = 0;
        for (size_t j = 0; j < s->ncells; j++) {
            if (whole[s->cells[j].point] && cdone[j]) {
                if (cdone[j] == 2 && ninvariant++ == 0) {
                    kept_inv = k;
                    msg_kept = j == first_inv;
                }
                events += s->events[j];
                s->rows[k] = s->rows[j];
                s->cells[k] = s->cells[j];
                s->events[k++] = s->events[j];
            } else {
                por_sweep_row_free(&s->rows[j], ncols);
            }
        }
        s->ncells = k;
        free(whole);
        /* Report the first kept broken invariant; its message only when first_err has it
         * (the first one overall may be in a point the interruption dropped). */
        first_inv = kept_inv;
        if (ninvariant && !msg_kept)
            snprintf(first_err.msg, sizeof first_err.msg,
                     "its message was not kept (see invariant_violations in runs.csv)");
    }
    free(cdone);
    free(finished);
    if (s->nkept) { /* the resumed points join the rows, which are then put in cell order */
        s->rows = por_xrealloc(s->rows, (s->ncells + s->nkept) * sizeof *s->rows);
        memcpy(s->rows + s->ncells, s->kept, s->nkept * sizeof *s->rows);
        s->ncells += s->nkept;
        free(s->kept);
        s->kept = NULL;
        s->nkept = 0;
    }
    qsort(s->rows, s->ncells, sizeof *s->rows, por__cmp_cell_row);
    size_t points_kept = 0;
    for (size_t j = 0; j < s->ncells; j++)
        points_kept += j == 0 || s->rows[j].point != s->rows[j - 1].point;
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
        if (until_ci)
            printf("sweep %s: %zu point%s, %zu cells (--until-ci)", s->scs[0]->name,
                   (size_t)npoints, npoints == 1 ? "" : "s", s->ncells);
        else
            printf("sweep %s: %zu point%s x replications = %" PRIu64 " cells", s->scs[0]->name,
                   (size_t)npoints, npoints == 1 ? "" : "s", total_cells);
        if (sharded)
            printf(", shard %" PRIu64 "/%" PRIu64 ": %zu cells", shard_k, shard_n, s->ncells);
        printf(", %.2f s wall\n", wall);
        por_sweep_print(g, s->rows, s->ncells, metric, stdout);
        fflush(stdout);
    }
    if (until_ci) { /* the counts reached are the result: printed even with -q */
        printf("until-ci %s: %zu of %zu point%s reached the target %g%% (95%% CI half-width "
               "within PCT %% of the mean) in this run%s\n",
               metric, points_reached, (size_t)npoints, npoints == 1 ? "" : "s", ci_pct,
               resume ? " (resumed points not counted)" : "");
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
    /* --require and --frontier: verdict and frontier tables, their csv files. */
    por_sweep_extra_file extra[3];
    size_t nextra = 0;
    if (s->reqs.n || s->front.n) {
        double *horizon = por_xmalloc(npoints * sizeof *horizon);
        for (size_t p = 0; p < npoints; p++)
            horizon[p] = (double)s->scs[p]->duration;
        por_sweep_rows_sort(s->rows, s->ncells);
        int rc = por_cli_sweep_targets(&s->reqs, &s->front, g, s->rows, s->ncells, horizon,
                                       quiet ? NULL : stdout, extra, &nextra, NULL);
        free(horizon);
        if (code == 0)
            code = rc;
        if (!quiet)
            fflush(stdout);
    }
    if (out) {
        char *mbuf = NULL;
        size_t mlen = 0;
        FILE *m = por_xmemstream(&mbuf, &mlen);
        fprintf(m, "{\n  \"porsim_version\": \"%s\",\n  \"format_version\": %d,\n"
                   "  \"kind\": \"sweep\",\n  \"command\": ",
                POR_VERSION, POR_OUTPUT_FORMAT_VERSION);
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
                ",\n  \"events\": %" PRIu64 ",\n  \"wall_seconds\": %.3f",
                npoints, total_cells, shard_k, shard_n, s->ncells, ninvariant, events, wall);
        /* An interrupted sweep keeps its complete points; --resume DIR runs the rest. */
        fprintf(m, ",\n  \"partial\": %s,\n  \"points_completed\": %zu",
                partial ? "true" : "false", points_kept);
        if (resume) {
            fprintf(m, ",\n  \"resumed_from\": ");
            por_cli_json_string(m, resume);
        }
        if (until_ci) {
            fprintf(m, ",\n  \"until_ci\": {\"pct\": %g, \"metric\": ", ci_pct);
            por_cli_json_string(m, metric);
            fprintf(m, ", \"max_reps\": %" PRIu64 ", \"batch\": %d}", max_reps,
                    POR_UNTIL_CI_BATCH);
        }
        fprintf(m, "\n}\n");
        fclose(m);
        s->meta = mbuf;
        por_error werr = {POR_OK, ""};
        por_status wst = por_sweep_write_dir_extra(out, force, g, s->rows, s->ncells, s->meta,
                                                   extra, nextra, &werr);
        if (wst != POR_OK) {
            fprintf(stderr, "porsim sweep: %s\n", werr.msg);
            for (size_t k = 0; k < nextra; k++)
                free((char *)extra[k].text);
            return code ? code : 1;
        }
        if (!quiet) {
            printf("wrote %s/points.csv, runs.csv, censored.csv, summary.csv, columns.csv, "
                   "scenarios.jsonl, meta.json", out);
            for (size_t k = 0; k < nextra; k++)
                printf(", %s", extra[k].name);
            printf("\n");
        }
    }
    if (partial) {
        const char *why = por_cli_stop_reason();
        if (stop_msg[0])
            fprintf(stderr, "porsim sweep: %s%s%s\n", stop_msg, why ? " by " : "",
                    why ? why : "");
        else if (why)
            fprintf(stderr, "porsim sweep: stopped by %s\n", why);
        fprintf(stderr, "porsim sweep: interrupted: kept %zu of %zu points (%zu cells)%s%s\n",
                points_kept, (size_t)npoints, s->ncells, out ? " in " : "; no -o, nothing written",
                out ? out : "");
        if (out)
            fprintf(stderr, "porsim sweep: to finish it, run the same command with --resume %s\n",
                    out);
        if (code == 0)
            code = 1;
    }
    for (size_t k = 0; k < nextra; k++)
        free((char *)extra[k].text);
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
