/* Shared command-line helpers (see cliopt.h). */
#include "cliopt.h"
#include "por/json_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
        snprintf(o->flag_sets[1], sizeof o->flag_sets[1], "seed=%" PRIu64, o->seed);
        out[n++] = o->flag_sets[1];
    }
    if (with_crypto && o->crypto) {
        snprintf(o->flag_sets[2], sizeof o->flag_sets[2], "feed.crypto=\"%s\"", o->crypto);
        out[n++] = o->flag_sets[2];
    }
    return n;
}
