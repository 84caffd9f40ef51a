/* Shared command-line helpers (see cliopt.h). */
#include "cliopt.h"
#include "param_range.h"
#include "por/don.h"
#include "por/sweep.h"
#include "por/json_write.h"
#include "por/time.h"
#include "por/world.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

int por_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "porsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see `porsim help %s`)\n", cmd);
    va_end(ap);
    return 2;
}

bool por_cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool por_cli_opt(int argc, char **argv, int *i, const char *short_name, const char *long_name,
                 const char **value, bool *missing)
{
    const char *a = argv[*i];
    size_t ll = strlen(long_name);
    if (strncmp(a, long_name, ll) == 0 && a[ll] == '=') {
        *value = a + ll + 1;
        return true;
    }
    if (strcmp(a, long_name) == 0 || (short_name && strcmp(a, short_name) == 0)) {
        if (*i + 1 >= argc) {
            *missing = true;
            return true;
        }
        *value = argv[++*i];
        return true;
    }
    return false;
}

void por_cli_json_string(FILE *f, const char *s)
{
    por_json_write_string(f, s);
}

void por_cli_scenario_opts_init(por_cli_scenario_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
}

int por_cli_scenario_opt(por_cli_scenario_opts *o, const char *cmd, int argc, char **argv,
                         int *i)
{
    const char *v = NULL;
    bool missing = false;
    if (por_cli_opt(argc, argv, i, "-r", "--replications", &v, &missing)) {
        if (missing || !por_cli_parse_u64(v, 1, 10000000, &o->reps))
            return por_cli_usage_error(cmd, "-r needs a number of replications (1..10000000)");
        o->have_reps = true;
    } else if (por_cli_opt(argc, argv, i, "-j", "--threads", &v, &missing)) {
        if (missing || !por_cli_parse_u64(v, 1, 1024, &o->threads))
            return por_cli_usage_error(cmd, "-j needs a thread count (1..1024)");
    } else if (por_cli_opt(argc, argv, i, NULL, "--seed", &v, &missing)) {
        if (missing || !por_cli_parse_u64(v, 0, UINT64_MAX, &o->seed))
            return por_cli_usage_error(cmd, "--seed needs an unsigned integer");
        o->have_seed = true;
    } else if (por_cli_opt(argc, argv, i, NULL, "--set", &v, &missing)) {
        if (missing || !strchr(v, '='))
            return por_cli_usage_error(cmd, "--set needs PATH=VALUE");
        if (o->nsets >= POR_CLI_MAX_SETS)
            return por_cli_usage_error(cmd, "too many --set options (limit %d)", POR_CLI_MAX_SETS);
        o->sets[o->nsets++] = v;
    } else if (!strcmp(argv[*i], "--strict")) {
        o->strict = true;
    } else if (por_cli_opt(argc, argv, i, NULL, "--crypto", &v, &missing)) {
        if (missing || (strcmp(v, "ideal") && strcmp(v, "real")))
            return por_cli_usage_error(cmd, "--crypto needs ideal or real");
        o->crypto = v;
    } else {
        return 0;
    }
    return 1;
}

size_t por_cli_scenario_flag_sets(por_cli_scenario_opts *o, bool with_crypto, const char **out)
{
    size_t n = 0;
    if (o->have_reps) {
        snprintf(o->flag_sets[0], sizeof o->flag_sets[0], "replications=%" PRIu64, o->reps);
        out[n++] = o->flag_sets[0];
    }
    if (o->have_seed) {
        /* Above 2^53 - 1 a JSON number would round: the exact decimal string instead
         * (the scenario's "seed" takes both). */
        snprintf(o->flag_sets[1], sizeof o->flag_sets[1],
                 o->seed < (UINT64_C(1) << 53) ? "seed=%" PRIu64 : "seed=\"%" PRIu64 "\"", o->seed);
        out[n++] = o->flag_sets[1];
    }
    if (with_crypto && o->crypto) {
        snprintf(o->flag_sets[2], sizeof o->flag_sets[2], "feed.crypto=\"%s\"", o->crypto);
        out[n++] = o->flag_sets[2];
    }
    return n;
}

/* ---- stopping ---------------------------------------------------------------------- */

static volatile sig_atomic_t por__stop;
static volatile sig_atomic_t por__stop_why; /* 0 none, else the first signal number */

static void por__on_stop_signal(int sig)
{
    if (!por__stop_why)
        por__stop_why = sig;
    if (sig == SIGINT && por__stop == 0) {
        por__stop = POR_STOP_NEW;
        static const char msg[] = "\nporsim: stopping after the running replications; press "
                                  "Ctrl-C again to stop them now\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        return;
    }
    por__stop = POR_STOP_NOW;
}

volatile sig_atomic_t *por_cli_stop_install(double max_wall_s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = por__on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (max_wall_s > 0) {
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it = {{0, 0}, {0, 0}};
        it.it_value.tv_sec = (time_t)max_wall_s;
        it.it_value.tv_usec = (suseconds_t)((max_wall_s - (double)(time_t)max_wall_s) * 1e6);
        if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
            it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
    }
    return &por__stop;
}

const char *por_cli_stop_reason(void)
{
    switch (por__stop_why) {
    case 0: return NULL;
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGALRM: return "--max-wall";
    default: return "a signal";
    }
}

bool por_cli_parse_wall(const char *s, double *out_s)
{
    char *end = NULL;
    double x = por_strtod_c(s, &end);
    if (end != s && !*end && isfinite(x) && x > 0 && x <= 1e9) {
        *out_s = x;
        return true;
    }
    por_time_t d;
    const char *why = NULL;
    if (por_duration_parse(s, &d, &why) == 0 && d > 0) {
        *out_s = (double)d / 1e9;
        return true;
    }
    return false;
}

void por_cli_warn_event_count(const char *cmd, const por_scenario *sc, uint64_t replications)
{
    char driver[128];
    double per = por_world_estimate_events(sc, driver, sizeof driver);
    if (!(per * (double)replications > POR_WORLD_EVENTS_WARN))
        return;
    char dur[64];
    fprintf(stderr,
            "porsim %s: warning: about %.2g events per replication (%.2g in all), mostly from "
            "%s over %s; this may not finish in reasonable time: bound it with --max-wall or "
            "--max-events\n",
            cmd, per, per * (double)replications, driver,
            por_duration_format(sc->duration, dur, sizeof dur));
}

bool por_cli_scenario_warnings(const por_scenario *sc, bool strict)
{
    /* Each distinct message once: a sweep loads the scenario once per point. */
    static char *seen[256];
    static size_t nseen;
    size_t n = 0;
    for (size_t w = 0; w < sc->nwarnings; w++) {
        n++;
        bool again = false;
        for (size_t k = 0; k < nseen && !again; k++)
            again = !strcmp(seen[k], sc->warnings[w]);
        if (again)
            continue;
        if (nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = por_xstrdup(sc->warnings[w]);
        fprintf(stderr, "porsim: warning: %s\n", sc->warnings[w]);
    }
    if (strict && n) {
        fprintf(stderr, "porsim: --strict: the warning%s above count%s as errors\n",
                n == 1 ? "" : "s", n == 1 ? "s" : "");
        return true;
    }
    return false;
}

bool por_cli_parse_percent(const char *s, double max, double *out, char *why, size_t n)
{
    char *end = NULL;
    double v = s && *s ? por_strtod_c(s, &end) : NAN;
    bool pct = end && *end == '%' && end[1] == '\0';
    if (!end || end == s || (*end && !pct) || !isfinite(v) || v <= 0 || v > max) {
        snprintf(why, n, "needs a percentage such as 5%% (0 < PCT <= %g%%), got %s", max, s ? s : "nothing");
        return false;
    }
    if (!pct && v <= 1) {
        snprintf(why, n, "%s is ambiguous: write %g%% for %g percent, or %g%% for the fraction %g",
                 s, v, v, 100 * v, v);
        return false;
    }
    *out = v;
    return true;
}

const char *por_cli_find_scenario(const char *arg)
{
    static char buf[8192];
    const size_t n = sizeof buf;
    struct stat st;
    if (!arg || !*arg || arg[0] == '/' || stat(arg, &st) == 0)
        return arg;
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return arg;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return arg;
    *slash = '\0';
    const char *rel = strncmp(arg, "scenarios/", 10) == 0 ? arg + 10 : arg;
    snprintf(buf, n, "%s/" POR_BINDIR_TO_SCENARIOS "/%s", exe, rel);
    return stat(buf, &st) == 0 ? buf : arg;
}

int por_cli_param_opt(por_cli_param *params, size_t *nparams, size_t max, const char *cmd,
                      int argc, char **argv, int *i)
{
    const char *v = NULL;
    bool missing = false;
    if (!por_cli_opt(argc, argv, i, NULL, "--param", &v, &missing))
        return 0;
    const char *eq = missing ? NULL : strchr(v, '=');
    if (!eq || eq == v)
        return por_cli_usage_error(cmd, "--param needs PATH=v1,v2,...");
    if (*nparams >= max)
        return por_cli_usage_error(cmd, "too many --param options (limit %zu)", max);
    por_cli_param *pp = &params[*nparams];
    pp->path = por_xmalloc((size_t)(eq - v) + 1);
    memcpy(pp->path, v, (size_t)(eq - v));
    pp->path[eq - v] = '\0';
    for (size_t k = 0; k < *nparams; k++)
        if (!strcmp(params[k].path, pp->path)) {
            free(pp->path);
            return por_cli_usage_error(cmd, "--param %s given twice", params[k].path);
        }
    por_error err = {POR_OK, ""};
    if (por_sweep_split_values(eq + 1, &pp->values, &pp->nvalues, &err) != POR_OK) {
        por_cli_usage_error(cmd, "--param %s: %s", pp->path, err.msg);
        free(pp->path);
        return 2;
    }
    (*nparams)++; /* owned from here on, whatever the ranges give */
    if (por_param_expand_ranges(&pp->values, &pp->nvalues, &err) != POR_OK)
        return por_cli_usage_error(cmd, "--param %s: %s", pp->path, err.msg);
    return 1;
}

void por_cli_params_free(por_cli_param *params, size_t nparams)
{
    for (size_t i = 0; i < nparams; i++) {
        free(params[i].path);
        por_sweep_free_values(params[i].values, params[i].nvalues);
    }
}

int por_cli_params_grid(const por_cli_param *params, size_t nparams, uint64_t max_points,
                        const char *cmd, por_sweep_grid *g)
{
    uint64_t npoints = 1;
    for (size_t i = 0; i < nparams; i++) {
        npoints *= params[i].nvalues;
        if (npoints > max_points)
            return por_cli_usage_error(cmd, "grid too large (more than %" PRIu64 " points)",
                                       max_points);
    }
    g->nparams = nparams;
    g->paths = por_xcalloc(nparams, sizeof *g->paths);
    for (size_t i = 0; i < nparams; i++)
        g->paths[i] = por_xstrdup(params[i].path);
    g->npoints = npoints;
    g->values = por_xcalloc(npoints * nparams, sizeof *g->values);
    g->hash = por_xcalloc(npoints, sizeof *g->hash);
    g->seed = por_xcalloc(npoints, sizeof *g->seed);
    g->replications = por_xcalloc(npoints, sizeof *g->replications);
    for (size_t p = 0; p < npoints; p++) {
        size_t rest = p;
        for (size_t i = nparams; i-- > 0;) {
            g->values[p * nparams + i] = por_xstrdup(params[i].values[rest % params[i].nvalues]);
            rest /= params[i].nvalues;
        }
    }
    return 0;
}

bool por_cli_test_faults(unsigned *faults)
{
    *faults = 0;
    const char *spec = getenv("POR_TEST_FAULT");
    if (!spec || !spec[0])
        return true;
    char bad[80];
    if (por_don_parse_test_faults(spec, faults, bad, sizeof bad))
        return true;
    fprintf(stderr,
            "porsim: POR_TEST_FAULT: unknown fault \"%s\" (known: "
            "aggregator-skip-signatures, transmit-tampered, token-skip-guard)\n",
            bad);
    return false;
}
