/* `porsim trace`: runs one replication of a scenario with tracing on and prints the
 * readable timeline (sim/io/trace_text.c) to stdout as it happens, and/or writes the
 * self-contained HTML page (sim/io/trace_html.c) and the CSV time series
 * (sim/io/trace_series.c); one tee chain feeds every consumer asked for. Tracing never
 * changes the run: the same replication gives the same metrics as `porsim run`. */
#include "cliopt.h"
#include "por/scenario_load.h"
#include "por/trace_render.h"
#include "por/world.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define POR__TRACE_MAX_SETS 256

const char por_trace_usage[] =
    "Usage: porsim trace [SCENARIO.json] [options]\n"
    "\n"
    "Runs one replication with tracing on and prints a readable timeline: custodian\n"
    "reserves, each OCR round (leader, observations, median, the should-report decision\n"
    "and why), FINAL, transmissions and whether they landed, on-chain answers, Secure Mint\n"
    "decisions, attacks, and the ground truth. Colour on a terminal, plain when piped.\n"
    "\n"
    "Options:\n"
    "  --run K                replication index to trace (default 0)\n"
    "  --from T, --to T       only print what happens in [T1, T2] (durations: 6h, 1d2h)\n"
    "  --level LEVEL          summary | round (default) | message (every message and its\n"
    "                         latency, every source read and every oracle's vote)\n"
    "  --html FILE            also write a self-contained HTML page: chart of true reserve,\n"
    "                         reported answer and supply, and a sequence diagram of any\n"
    "                         round; with --html the text is printed only if --level is given\n"
    "  --series FILE.csv      also write the run's time series: one row per change of the true\n"
    "                         reserve, the on-chain answer or the supply (t_seconds,\n"
    "                         true_reserve,reported_answer,total_supply,true_ratio,\n"
    "                         reported_ratio,event), exact decimals in token units, whole run\n"
    "                         (--from/--to do not cut it), all-or-nothing; like --html, the\n"
    "                         text is then printed only if --level is given\n"
    "  --color, --no-color    force ANSI colours on or off (default: on for a terminal)\n"
    "  --set PATH=VALUE       override one scenario field (repeatable)\n"
    "  --strict               the scenario's warnings are errors (exit 2)\n"
    "  -h, --help             this help\n"
    "\n"
    "Examples:\n"
    "  porsim trace scenarios/teaching/1-honest-heartbeat.json | less -R\n"
    "  porsim trace scenarios/teaching/2-deviation-update.json --from 55m --to 1h10m\n"
    "  porsim trace scenarios/teaching/3-leader-crash.json --level message --to 2m\n"
    "  porsim trace scenarios/teaching/4-custodian-shortfall-secure-mint.json --html t.html\n"
    "  porsim trace scenarios/default.json --series series.csv\n";

/* SIGINT/SIGTERM while a series is open: remove its temporary file, then die of the
 * signal as before. */
static void por__trace_on_signal(int sig)
{
    por_trace_series_signal_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

int por_trace_main(int argc, char **argv)
{
    const char *file = NULL, *html = NULL, *series_path = NULL;
    const char *sets[POR__TRACE_MAX_SETS];
    size_t nsets = 0;
    uint64_t run = 0;
    por_time_t from = 0, to = POR_TIME_MAX;
    por_trace_level level = POR_TRACE_LEVEL_ROUND;
    bool have_level = false;
    int colour = -1; /* -1 auto */
    bool strict = false;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL, *why = NULL;
        bool missing = false;
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_trace_usage, stdout);
            return 0;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--run", &v, &missing)) {
            if (missing || !por_cli_parse_u64(v, 0, 10000000, &run))
                return por_cli_usage_error("trace", "--run needs a replication index (0..)");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--from", &v, &missing)) {
            if (missing || por_duration_parse(v, &from, &why) != 0)
                return por_cli_usage_error("trace", "--from needs a duration such as 6h (%s)",
                                           why ? why : "missing");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--to", &v, &missing)) {
            if (missing || por_duration_parse(v, &to, &why) != 0)
                return por_cli_usage_error("trace", "--to needs a duration such as 1d (%s)",
                                           why ? why : "missing");
        } else if (por_cli_opt(argc, argv, &i, NULL, "--level", &v, &missing)) {
            if (missing || !por_trace_level_parse(v, &level))
                return por_cli_usage_error("trace", "--level needs summary, round or message");
            have_level = true;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--html", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("trace", "--html needs a file name");
            html = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--series", &v, &missing)) {
            if (missing || !*v)
                return por_cli_usage_error("trace", "--series needs a file name");
            series_path = v;
        } else if (por_cli_opt(argc, argv, &i, NULL, "--set", &v, &missing)) {
            if (missing || !strchr(v, '='))
                return por_cli_usage_error("trace", "--set needs PATH=VALUE");
            if (nsets >= POR__TRACE_MAX_SETS)
                return por_cli_usage_error("trace", "too many --set options");
            sets[nsets++] = v;
        } else if (!strcmp(a, "--strict")) {
            strict = true;
        } else if (!strcmp(a, "--color") || !strcmp(a, "--colour")) {
            colour = 1;
        } else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour")) {
            colour = 0;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("trace", "unknown option %s", a);
        } else if (!file) {
            file = por_cli_find_scenario(a);
        } else {
            return por_cli_usage_error("trace", "one scenario file at a time (got %s and %s)",
                                       file, a);
        }
    }
    if (from > to)
        return por_cli_usage_error("trace", "--from is after --to");
    unsigned test_faults;
    if (!por_cli_test_faults(&test_faults))
        return 1;

    por_error err = {POR_OK, ""};
    por_scenario *sc = NULL;
    por_status st = file ? por_scenario_load_file(file, sets, nsets, &sc, &err)
                         : por_scenario_load_string(por_default_scenario_json,
                                                    por_default_scenario_len, "<default>", sets,
                                                    nsets, &sc, &err);
    if (st != POR_OK) {
        fprintf(stderr, "porsim: %s\n", err.msg);
        return por_status_exit_code(st);
    }
    if (por_cli_scenario_warnings(sc, strict)) {
        por_scenario_free(sc);
        return 2;
    }
    if (run >= sc->replications) {
        fprintf(stderr, "porsim trace: --run %" PRIu64 ": the scenario has %" PRIu64
                " replications (0..%" PRIu64 ")\n", run, sc->replications, sc->replications - 1);
        por_scenario_free(sc);
        return 2;
    }
    bool print_text = (!html && !series_path) || have_level;
    bool use_colour = colour < 0 ? isatty(STDOUT_FILENO) != 0 : colour == 1;
    por_trace_text *text = NULL;
    por_trace_html *page = NULL;
    por_trace_series *series = NULL;
    if (series_path) {
        /* The handler first, and the signals held while the temporary file is made, so no
         * interrupt falls between its creation and its registration for removal. */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = por__trace_on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigset_t hold, old;
        sigemptyset(&hold);
        sigaddset(&hold, SIGINT);
        sigaddset(&hold, SIGTERM);
        sigprocmask(SIG_BLOCK, &hold, &old);
        /* Created before the run: a missing directory fails at once, nothing written. */
        series = por_trace_series_create(series_path, sc, &err);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (!series) {
            fprintf(stderr, "porsim trace: %s\n", err.msg);
            por_scenario_free(sc);
            return por_status_exit_code(err.status);
        }
    }
    if (html) {
        /* Before the run: a page that cannot be written fails at once, saying why. */
        bool existed = access(html, F_OK) == 0;
        FILE *probe = fopen(html, "a");
        if (!probe) {
            fprintf(stderr, "porsim trace: %s: cannot write the HTML page: %s\n", html,
                    strerror(errno));
            por_trace_series_destroy(series);
            por_scenario_free(sc);
            return 2;
        }
        fclose(probe);
        if (!existed)
            unlink(html);
    }
    if (print_text) {
        text = por_trace_text_create(stdout, sc, level, use_colour, from, to);
        char dur[48];
        printf("%s# porsim trace: %s, replication %" PRIu64 ", seed %" PRIu64
               ", %s, n=%u f=%u, level %s%s\n",
               use_colour ? "\033[1m" : "", sc->name, run, sc->seed,
               por_duration_format(sc->duration, dur, sizeof dur), sc->feed.ocr.n,
               sc->feed.ocr.f,
               level == POR_TRACE_LEVEL_SUMMARY ? "summary"
               : level == POR_TRACE_LEVEL_ROUND ? "round"
                                                : "message",
               use_colour ? "\033[0m" : "");
        if (sc->description)
            printf("# %s\n", sc->description);
    }
    if (html)
        page = por_trace_html_create(sc, run, from, to);
    por_trace_tee tee, tee2;
    por_trace_tee_init(&tee2, page ? por_trace_html_sink(page) : NULL,
                       series ? por_trace_series_sink(series) : NULL);
    por_trace_tee_init(&tee, text ? por_trace_text_sink(text) : NULL, &tee2.sink);

    size_t ncols;
    por_world_metric_defs(&ncols);
    por_metric_cell *cells = por_xcalloc(ncols, sizeof *cells);
    char *strings = por_xcalloc(ncols, POR_WORLD_STRING_BYTES);
    por_run_options opt = {.crypto_override = -1, .horizon_override = 0, .trace = &tee.sink,
                           .test_faults = test_faults};
    st = por_world_run_replication(sc, run, &opt, cells, strings, &err);
    if (text)
        por_trace_text_finish(text, sc->duration);
    int code = 0;
    if (st != POR_OK) {
        fflush(stdout);
        fprintf(stderr, "porsim: %s\n", err.msg);
        code = por_status_exit_code(st);
    }
    if (page && (st == POR_OK || st == POR_EINVARIANT)) {
        por_error herr = {POR_OK, ""};
        if (por_trace_html_write(page, html, sc->duration, &herr) != POR_OK) {
            fprintf(stderr, "porsim: %s\n", herr.msg);
            code = code ? code : 1;
        } else {
            fprintf(stderr, "porsim trace: wrote %s\n", html);
        }
    }
    if (series && (st == POR_OK || st == POR_EINVARIANT)) {
        por_error serr = {POR_OK, ""};
        por_trace_series_finish(series, sc->duration);
        if (por_trace_series_commit(series, &serr) != POR_OK) {
            fprintf(stderr, "porsim trace: %s\n", serr.msg);
            code = code ? code : 1;
        } else {
            /* The hash lets porsim-analyze check it traced the scenario of a run dir. */
            char hash[17];
            por_scenario_hash(sc, hash);
            fprintf(stderr, "porsim trace: wrote %s (%" PRIu64 " rows, scenario hash %s)\n",
                    series_path, por_trace_series_rows(series), hash);
        }
    }
    por_trace_text_destroy(text);
    por_trace_html_destroy(page);
    por_trace_series_destroy(series);
    free(cells);
    free(strings);
    por_scenario_free(sc);
    return code;
}
