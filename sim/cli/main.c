/* porsim's command line: the command table (por__commands, at the end: name, entry
 * point, help page, synopsis) that dispatches `porsim NAME` and builds `porsim help`;
 * and the `run`, `validate` and `bench` commands. `sweep` and `merge` live in sweep.c
 * and merge.c (por/sweep.h), `tune` in tune.c, `trace` in trace_cmd.c.
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 bad input (usage or scenario), 3 a safety
 * invariant broke. Nothing is run before the scenario and options are fully validated,
 * and output directories are written all-or-nothing (por/outdir.h). */
#include "cliopt.h"
#include "progress.h"
#include "require_cli.h"
#include "run_outputs.h"
#include "por/bench.h"
#include "por/bench_scenario.h"
#include "por/json_write.h"
#include "por/outdir.h"
#include "por/runner.h"
#include "por/scenario_load.h"
#include "por/schema.h"
#include "por/stats.h"
#include "por/sweep.h"
#include "por/trace_render.h"
#include "por/tune.h"
#include "por/world.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* `porsim help` is this head, the synopsis of every command of the table (por__commands
 * at the end of the file), then this tail. */
static const char por__usage_head[] =
    "porsim " POR_VERSION " - discrete-event simulator of Proof of Reserve\n"
    "\n"
    "Usage:\n";
static const char por__usage_tail[] =
    "  porsim help [COMMAND]                  help for a command\n"
    "  porsim --version\n"
    "\n"
    "Exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 safety invariant broken;\n"
    "with --require: 4 a requirement not met, 5 undecided at 95% confidence.\n"
    "Scenario format: scenarios/SCHEMA.md. Run `porsim help run` for examples.\n";

static const char por__usage_run[] =
    "Usage: porsim run [SCENARIO.json] [options]\n"
    "\n"
    "Runs the scenario's replications (the embedded default scenario when no file is\n"
    "given) and prints a summary of every metric. With -o, writes DIR/runs.csv (a row per\n"
    "replication), DIR/summary.json and DIR/meta.json, all-or-nothing.\n"
    "\n"
    "Options:\n"
    "  -r, --replications N   number of replications (overrides the scenario)\n"
    "  -j, --threads T        worker threads (default 1); results are identical for any T\n"
    "  --seed S               scenario seed (overrides the scenario)\n"
    "  -o, --output DIR       write runs.csv, summary.json, meta.json into DIR\n"
    "  --force                replace DIR if it exists\n"
    "  --set PATH=VALUE       override one scenario field before validation (repeatable);\n"
    "                         VALUE is JSON if it parses as JSON, else a string\n"
    "  --crypto ideal|real    signature mode (overrides feed.crypto)\n"
    "  --strict               the scenario's warnings (a step after the end of the run,\n"
    "                         an amount that looks like a fraction, ...) are errors\n"
    "  -q, --quiet            no summary table on stdout\n"
    "  --until-ci PCT         add replications in batches of 20 (in replication order)\n"
    "                         until the 95% CI half-width of --metric is within PCT % of\n"
    "                         (PCT as 5% or 5; a bare 0.05 or 1 is refused as ambiguous)\n"
    "                         its mean; the count reached is the same for any -j and\n"
    "                         is printed (also with -q) and stored in meta.json\n"
    "  --metric NAME          metric of --until-ci (default feed_detect)\n"
    "  --max-reps N           cap of --until-ci (default 10000)\n"
    "  --require EXPR         a target judged at 95% confidence, e.g. feed_detect.p90<=1h,\n"
    "                         unbacked_minted.p90<=0, gas.mean<=2e6 (repeatable; see\n"
    "                         docs/tune.md); exit 0 all met, 4 one not met, 5 undecided\n"
    "  --max-events N         stop a replication once it handled N events, and the run\n"
    "                         there (the same replications stop for any -j)\n"
    "  --max-wall DURATION    stop the run after DURATION of wall time (\"90s\", \"2h\")\n"
    "                         Both keep the replications completed before the stop, write\n"
    "                         them (meta.json \"partial\": true) and exit 1, as signals do:\n"
    "                         a first Ctrl-C lets running replications finish, a second\n"
    "                         one or SIGTERM stops them within a few thousand events\n"
    "  -h, --help             this help\n"
    "\n"
    "Examples:\n"
    "  porsim run                                    # the default scenario\n"
    "  porsim run scenarios/default.json --until-ci 5% -j 2  # mean feed_detect to +-5%\n"
    "  porsim run scenarios/default.json -r 200 -j 2 -o out/default\n"
    "  porsim run scenarios/default.json --set feed.ocr.deviation=\"0.5%\" --set duration=10d\n";

static const char por__usage_validate[] =
    "Usage: porsim validate SCENARIO.json...\n"
    "\n"
    "Loads and validates each file without running it. Prints \"FILE: ok\" or one error\n"
    "line naming the file, the JSON path and what was expected. Exit 2 if any is bad.\n"
    "Valid but suspicious settings are printed as warnings on stderr.\n"
    "\n"
    "Options:\n"
    "  --set PATH=VALUE       apply an override before validating (repeatable)\n"
    "  --strict               warnings are errors (the file counts as bad)\n"
    "\n"
    "Example:\n"
    "  porsim validate scenarios/*.json\n";

static const char por__usage_bench[] =
    "Usage: porsim bench phold [--lps N] [--per-lp J] [--events E] [--seed S]\n"
    "\n"
    "PHOLD: N entities, J initial events each; every executed event schedules one new\n"
    "event to a uniformly random entity at now + Exp(mean 1 ms) + 1 ns (drawn by porsim's\n"
    "inverse-CDF table sampler, rounded to the ns); stops after E.\n"
    "Defaults N=1024, J=16, E=5000000. Prints name=value fields, e.g.\n"
    "  porsim phold N=1024 J=16 events=5000000 seconds=0.31 events_per_s=16100000\n"
    "Compare with ns-3 in one run (needs libns3-dev):\n"
    "  sim/bench/phold-vs-ns3.sh build/sim/porsim\n"
    "\n"
    "       porsim bench scenario SCENARIO.json [-r N] [-j T] [--set PATH=VALUE]...\n"
    "                             [--crypto ideal|real] [--seed S]\n"
    "Full model: runs the scenario's replications as `porsim run` does and prints\n"
    "name=value lines (events_per_s, sim_days_per_wall_s, replications_per_s,\n"
    "peak_rss_kib, cache_hit_rate, and with real signatures the EC time against the\n"
    "per-operation costs); `porsim bench scenario -h` for the list.\n";

/* ---- run ------------------------------------------------------------------------- */


static int por__cmd_run(int argc, char **argv)
{
    const char *file = NULL, *out = NULL, *ci_metric = NULL;
    por_cli_scenario_opts so;
    por_cli_scenario_opts_init(&so);
    uint64_t max_reps = 10000, max_events = 0;
    double max_wall = 0;
    bool force = false, quiet = false;
    bool until_ci = false, have_max_reps = false;
    double ci_pct = 0;
    por_cli_requires reqs = {.n = 0};

    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        int used;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por__usage_run, stdout);
            return 0;
        } else if ((used = por_cli_scenario_opt(&so, "run", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if ((used = por_cli_require_opt(&reqs, "run", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (por_cli_opt(argc, argv, &i, "-o", "--output", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("run", "-o needs a directory");
            out = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--until-ci", &v, &missing)) {
            char why[200];
            if (missing || !por_cli_parse_percent(v, 1000, &ci_pct, why, sizeof why))
                return por_cli_usage_error("run", "--until-ci %s",
                                           missing ? "needs a percentage such as 5%" : why);
            until_ci = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--metric", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("run", "--metric needs a metric name");
            ci_metric = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-reps", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, 10000000, &max_reps))
                return por_cli_usage_error("run", "--max-reps needs a count (1..10000000)");
            have_max_reps = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-events", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, UINT64_MAX, &max_events))
                return por_cli_usage_error("run", "--max-events needs a positive count");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--max-wall", &v, &missing)) {
            if (missing || !por_cli_parse_wall(v, &max_wall))
                return por_cli_usage_error("run", "--max-wall needs a duration (\"90s\", \"10m\") "
                                                  "or seconds");
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
    if (!until_ci && (ci_metric || have_max_reps))
        return por_cli_usage_error("run", "--metric and --max-reps go with --until-ci");
    if (until_ci && so.have_reps)
        return por_cli_usage_error("run", "-r and --until-ci exclude each other (use --max-reps)");
    if (until_ci) {
        size_t ncols;
        const por_metric_def *defs = por_world_metric_defs(&ncols);
        const char *want = ci_metric ? ci_metric : "feed_detect";
        bool found = false;
        for (size_t c = 0; c < ncols; c++)
            found |= !strcmp(defs[c].name, want);
        if (!found)
            return por_cli_usage_error("run", "--metric %s: no such metric", want);
    }
    /* Flags are applied as overrides after --set, so they win and show in the hash. */
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
    if (por_cli_scenario_warnings(sc, so.strict)) {
        por_scenario_free(sc);
        return 2;
    }
    if (out && (st = por_outdir_check(out, force, &err)) != POR_OK) {
        fprintf(stderr, "porsim: %s\n", err.msg);
        por_scenario_free(sc);
        return por_status_exit_code(st);
    }

    unsigned test_faults;
    if (!por_cli_test_faults(&test_faults)) {
        por_scenario_free(sc);
        return 1;
    }
    if (por_cli_require_parse(&reqs, "run") != 0) {
        por_scenario_free(sc);
        return 2;
    }

    por_cli_warn_event_count("run", sc, until_ci ? max_reps : sc->replications);
    volatile sig_atomic_t *stop = por_cli_stop_install(max_wall);
    por_cli_progress ps;
    por_cli_progress_init(&ps, "replications", isatty(STDERR_FILENO) == 1);
    por_runner_config rc = {
        .first_rep = 0,
        .replications = sc->replications,
        .threads = (unsigned)so.threads,
        .run = {.crypto_override = -1, .horizon_override = 0, .stop = stop,
                .max_events = max_events, .test_faults = test_faults},
        .progress = por_cli_progress_update,
        .progress_ctx = &ps,
        .interrupt = stop,
    };
    por_runner_result res;
    por_until_ci_report ci = {0};
    char ci_meta[512] = "";
    if (until_ci) {
        por_until_ci_config cc = {
            .pct = ci_pct,
            .metric = ci_metric,
            .max_reps = max_reps,
            .threads = (unsigned)so.threads,
            .run = rc.run,
            .progress = por_cli_progress_update,
            .progress_ctx = &ps,
            .interrupt = stop,
        };
        st = por_run_until_ci(sc, &cc, &res, &ci, &err);
        por_cli_progress_end(&ps); /* stopped before --max-reps: end the bar's line */
        char mean[64] = "null", half[64] = "null";
        bool dur = false;
        {
            size_t ncols;
            const por_metric_def *defs = por_world_metric_defs(&ncols);
            for (size_t c = 0; c < ncols; c++)
                if (!strcmp(defs[c].name, ci_metric ? ci_metric : "feed_detect"))
                    dur = defs[c].kind == POR_METRIC_DURATION;
        }
        double scale = dur ? 1e9 : 1.0;
        por_format_double(ci.mean / scale, mean, sizeof mean);
        por_format_double(ci.half_width / scale, half, sizeof half);
        char *metric_json = por_json_quote(ci_metric ? ci_metric : "feed_detect");
        snprintf(ci_meta, sizeof ci_meta,
                 ",\n  \"until_ci\": {\"pct\": %g, \"metric\": %s, \"max_reps\": %" PRIu64
                 ", \"batch\": %d, \"reached\": %s, \"replications\": %" PRIu64
                 ", \"n\": %zu, \"mean\": %s, \"half_width\": %s}",
                 ci_pct, metric_json, max_reps, POR_UNTIL_CI_BATCH,
                 ci.reached ? "true" : "false", res.completed, ci.n, mean, half);
        free(metric_json);
        { /* the count reached is the result: printed even with -q */
            printf("until-ci %s: %s after %" PRIu64 " replications: mean %.6g%s, 95%% CI "
                   "half-width %.4g%s (%.3g%% of the mean; target %g%%)\n",
                   ci_metric ? ci_metric : "feed_detect",
                   ci.reached ? "reached" : "NOT reached", res.completed, ci.mean / scale,
                   dur ? " s" : "", ci.half_width / scale, dur ? " s" : "",
                   ci.n >= 2 && ci.mean != 0 ? 100.0 * ci.half_width / fabs(ci.mean) : NAN,
                   ci_pct);
        }
    } else {
        st = por_runner_run(sc, &rc, &res, &err);
        por_cli_progress_end(&ps); /* interrupted: end the bar's line */
    }

    if (!quiet) {
        char dur[64];
        printf("scenario %s: %" PRIu64 " replication%s of %s, seed %" PRIu64 "%s\n", sc->name,
               res.completed, res.completed == 1 ? "" : "s",
               por_duration_format(sc->duration, dur, sizeof dur), sc->seed,
               res.partial ? " (interrupted: partial)" : "");
        por_metric_table_print(res.table, stdout);
        printf("%" PRIu64 " events in %.2f s wall (%.0f events/s)\n", res.events,
               res.wall_seconds, res.wall_seconds > 0 ? (double)res.events / res.wall_seconds : 0.0);
        fflush(stdout);
    }
    int code = por_status_exit_code(st);
    if (st != POR_OK)
        fprintf(stderr, "porsim: %s: %s\n", por_status_name(st), err.msg);
    por_verdict verdict = POR_VERDICT_MET;
    char *req_meta = NULL, *meta_extra = until_ci ? ci_meta : NULL;
    if (reqs.n && (st == POR_OK || st == POR_EINVARIANT)) { /* printed even with -q */
        verdict = por_cli_require_judge_table(&reqs, res.table, (double)sc->duration, stdout,
                                              &req_meta);
        fflush(stdout);
        size_t len = strlen(ci_meta) + strlen(req_meta) + 1;
        meta_extra = por_xmalloc(len);
        snprintf(meta_extra, len, "%s%s", until_ci ? ci_meta : "", req_meta);
    }
    if (out && (st == POR_OK || st == POR_EINVARIANT)) {
        por_cli_run_outputs ro = {
            .dir = out, .force = force, .sc = sc, .table = res.table,
            .completed = res.completed, .partial = res.partial, .events = res.events,
            .wall_seconds = res.wall_seconds, .argc = argc, .argv = argv, .sets = sets,
            .nsets = nsets, .meta_extra = meta_extra,
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
    if (res.partial) {
        const char *why = por_cli_stop_reason();
        if (res.stop_msg[0])
            fprintf(stderr, "porsim: %s%s%s\n", res.stop_msg, why ? " by " : "", why ? why : "");
        fprintf(stderr, "porsim: %s: kept %" PRIu64 " of %" PRIu64 " replications\n",
                why ? "interrupted" : "stopped", res.completed,
                until_ci ? res.completed : sc->replications);
        if (code == 0)
            code = 1;
    }
    if (req_meta) {
        if (code == 0)
            code = por_verdict_exit_code(verdict);
        free(meta_extra);
        free(req_meta);
    }
    por_cli_require_free(&reqs);
    por_metric_table_destroy(res.table);
    por_scenario_free(sc);
    return code;
}

/* ---- validate -------------------------------------------------------------------- */

static int por__cmd_validate(int argc, char **argv)
{
    const char *sets[POR_CLI_MAX_SETS];
    size_t nsets = 0;
    int nfiles = 0, bad = 0;
    bool strict = false;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(por__usage_validate, stdout);
            return 0;
        }
        if (por_cli_opt(argc, argv, &i, NULL, "--set", &v, &missing)) {
            if (missing || !strchr(v, '='))
                return por_cli_usage_error("validate", "--set needs PATH=VALUE");
            if (nsets >= POR_CLI_MAX_SETS)
                return por_cli_usage_error("validate", "too many --set options");
            sets[nsets++] = v;
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return por_cli_usage_error("validate", "unknown option %s", argv[i]);
        }
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--set")) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        nfiles++;
        por_error err = {POR_OK, ""};
        por_scenario *sc = NULL;
        if (por_scenario_load_file(por_cli_find_scenario(argv[i]), sets, nsets, &sc, &err) != POR_OK) {
            fprintf(stderr, "porsim: %s\n", err.msg);
            bad++;
            continue;
        }
        if (por_cli_scenario_warnings(sc, strict)) {
            por_scenario_free(sc);
            bad++;
            continue;
        }
        char dur[64];
        printf("%s: ok (%s: n=%u f=%u, %s, %" PRIu64 " replications)\n", argv[i], sc->name,
               sc->feed.ocr.n, sc->feed.ocr.f, por_duration_format(sc->duration, dur, sizeof dur),
               sc->replications);
        por_scenario_free(sc);
    }
    if (nfiles == 0)
        return por_cli_usage_error("validate", "no scenario file given");
    return bad ? 2 : 0;
}

/* ---- bench ----------------------------------------------------------------------- */

static int por__cmd_bench(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
        fputs(por__usage_bench, argc < 3 ? stderr : stdout);
        return argc < 3 ? 2 : 0;
    }
    if (!strcmp(argv[2], "scenario"))
        return por_cli_bench_scenario(argc, argv);
    if (strcmp(argv[2], "phold") != 0)
        return por_cli_usage_error("bench", "unknown benchmark %s (have: phold, scenario)", argv[2]);
    por_phold_config c = {1024, 16, 5000000, 1};
    for (int i = 3; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        uint64_t x;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(por__usage_bench, stdout);
            return 0;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--lps", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, 1000000, &x))
                return por_cli_usage_error("bench", "--lps needs 1..1000000");
            c.lps = (uint32_t)x;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--per-lp", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, 100000, &x))
                return por_cli_usage_error("bench", "--per-lp needs 1..100000");
            c.per_lp = (uint32_t)x;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--events", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 1, UINT64_MAX / 2, &x))
                return por_cli_usage_error("bench", "--events needs a positive count");
            c.events = x;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--seed", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 0, UINT64_MAX, &x))
                return por_cli_usage_error("bench", "--seed needs an unsigned integer");
            c.seed = x;
        } else {
            return por_cli_usage_error("bench", "unknown option %s", argv[i]);
        }
    }
    if ((uint64_t)c.lps * c.per_lp > 100000000u)
        return por_cli_usage_error("bench", "--lps x --per-lp too large (limit 1e8 pending events)");
    por_phold_result r;
    por_phold_run(&c, &r);
    printf("porsim phold N=%u J=%u events=%" PRIu64 " seconds=%.3f events_per_s=%.0f "
           "end_time_ns=%" PRId64 " checksum=%016" PRIx64 "\n",
           c.lps, c.per_lp, r.events, r.seconds, r.events_per_s, r.end_time_ns, r.checksum);
    return 0;
}

/* The commands: `porsim NAME ...` calls MAIN with argv[1] == NAME and returns its exit
 * code; `porsim help NAME` prints USAGE; `porsim help` lists every SYNOPSIS (one or more
 * lines, in this order). A new command is one line here. */
typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *usage;
    const char *synopsis;
} por__command;

static const por__command por__commands[] = {
    {"run", por__cmd_run, por__usage_run,
     "  porsim run [SCENARIO.json] [options]   run replications and summarize detection\n"},
    {"sweep", por_sweep_main, por_sweep_usage,
     "  porsim sweep [SCENARIO.json] --param PATH=v1,v2,... [options]\n"
     "                                         run a parameter grid (optionally one shard)\n"},
    {"merge", por_merge_main, por_merge_usage,
     "  porsim merge OUT_DIR SHARD_DIR...      join sweep shards into the unsharded output\n"},
    {"tune", por_tune_main, por_tune_usage,
     "  porsim tune [SCENARIO.json] --param PATH=v1,v2,... --require EXPR --minimize METRIC\n"
     "                                         cheapest grid point meeting the targets\n"},
    {"validate", por__cmd_validate, por__usage_validate,
     "  porsim validate SCENARIO.json...       check scenario files without running them\n"},
    {"trace", por_trace_main, por_trace_usage,
     "  porsim trace [SCENARIO.json] [options] readable timeline of one run (teaching mode)\n"},
    {"bench", por__cmd_bench, por__usage_bench,
     "  porsim bench phold [options]           event-core benchmark (PHOLD)\n"
     "  porsim bench scenario SCENARIO.json    full-model benchmark (events/s, days/s)\n"},
    {"schema", por_schema_main, por_schema_usage,
     "  porsim schema json|markdown FILE       scenario reference from the parameter tables\n"},
};
#define POR__NCOMMANDS (sizeof por__commands / sizeof por__commands[0])

static const por__command *por__find_command(const char *name)
{
    for (size_t i = 0; i < POR__NCOMMANDS; i++)
        if (!strcmp(por__commands[i].name, name))
            return &por__commands[i];
    return NULL;
}

/* `porsim help`: the head, every command's synopsis, the tail. */
static void por__print_usage(FILE *f)
{
    fputs(por__usage_head, f);
    for (size_t i = 0; i < POR__NCOMMANDS; i++)
        fputs(por__commands[i].synopsis, f);
    fputs(por__usage_tail, f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        por__print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("porsim %s\n", POR_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        por__print_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        const por__command *c = por__find_command(argc > 2 ? argv[2] : "");
        if (c)
            fputs(c->usage, stdout);
        else
            por__print_usage(stdout);
        return 0;
    }
    const por__command *c = por__find_command(cmd);
    if (c)
        return c->main(argc, argv);
    fprintf(stderr, "porsim: unknown command '%s'\n\n", cmd);
    por__print_usage(stderr);
    return 2;
}
