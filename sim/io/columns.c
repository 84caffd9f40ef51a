/* columns.csv (the data dictionary of an output directory) and the SI value of swept
 * parameters: see columns.h. */
#include "io/columns.h"

#include "por/csv.h"
#include "por/number.h"
#include "por/time.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *por_param_si(const char *text, char *buf, size_t n, const char **unit)
{
    const char *u = "";
    buf[0] = '\0';
    por_time_t ns;
    size_t len = strlen(text);
    if (len > 0 && por_duration_parse(text, &ns, NULL) == 0) {
        por_format_ns_seconds(ns, buf, n);
        u = "s";
    } else if (len > 0 && strspn(text, "0123456789.-+eE%") == len) {
        /* A decimal number, or a percentage: strtod in the C locale, whole text used. */
        bool pct = text[len - 1] == '%';
        char num[64];
        if (len - pct < sizeof num) {
            memcpy(num, text, len - pct);
            num[len - pct] = '\0';
            char *end = NULL;
            errno = 0;
            double v = por_strtod_c(num, &end);
            if (end != num && *end == '\0' && errno == 0 && isfinite(v) && !strchr(num, '%')) {
                por_format_double(pct ? v / 100 : v, buf, n);
                u = pct ? "ratio" : "1";
            }
        }
    }
    if (unit)
        *unit = u;
    return buf;
}

/* One columns.csv line (fields quoted as RFC 4180 asks when they hold a comma or quote). */
static void por__column_c(FILE *f, const char *file, const char *column, const char *kind,
                          const char *unit, bool censorable, const char *description)
{
    const char *fields[6] = {file, column, kind, unit ? unit : "", censorable ? "true" : "false",
                             description ? description : ""};
    for (int i = 0; i < 6; i++) {
        if (i)
            fputc(',', f);
        por_csv_write_field(f, fields[i]);
    }
    fputc('\n', f);
}

static void por__column(FILE *f, const char *file, const char *column, const char *kind,
                        const char *unit, const char *description)
{
    por__column_c(f, file, column, kind, unit, false, description);
}

/* The metric columns of runs.csv (FILE), one line each. */
static void por__metric_columns(FILE *f, const char *file, const por_metric_def *defs,
                                size_t ndefs)
{
    for (size_t c = 0; c < ndefs; c++) {
        const por_metric_def *d = &defs[c];
        por__column_c(f, file, d->name, por_metric_kind_name(d->kind),
                      d->kind == POR_METRIC_DURATION ? "s" : d->unit, d->censorable,
                      d->help ? d->help : d->name);
    }
}

static void por__censored_columns(FILE *f)
{
    por__column(f, "censored.csv", "replication", "index", "", "replication index (0-based)");
    por__column(f, "censored.csv", "metric", "text", "",
                "name of a censorable metric whose cell in runs.csv is censored");
    por__column(f, "censored.csv", "censored_at", "number", "@metric",
                "censoring time in the metric's unit (seconds for durations); empty: "
                "censored at +infinity");
}

void por_columns_write_run(FILE *f, const por_metric_def *defs, size_t ndefs)
{
    fputs(POR_COLUMNS_HEADER, f);
    por__column(f, "runs.csv", "replication", "index", "", "replication index (0-based)");
    por__metric_columns(f, "runs.csv", defs, ndefs);
    por__censored_columns(f);
}

/* The unit shared by every value of parameter I ("" when they differ or are not numbers). */
static const char *por__param_unit(const por_sweep_grid *g, size_t i)
{
    const char *unit = NULL;
    char buf[64];
    for (size_t p = 0; p < g->npoints; p++) {
        const char *u;
        por_param_si(g->values[p * g->nparams + i], buf, sizeof buf, &u);
        if (!unit)
            unit = u;
        else if (strcmp(unit, u) != 0)
            return "";
    }
    return unit ? unit : "";
}

static void por__param_columns(FILE *f, const char *file, const por_sweep_grid *g)
{
    for (size_t i = 0; i < g->nparams; i++)
        por__column(f, file, g->paths[i], "text", "",
                    "swept parameter: the value as given to --param");
}

/* The description of a summary.csv statistic column. */
static const char *por__stat_help(const char *name)
{
    static const struct {
        const char *name, *help;
    } help[] = {
        {"n", "observations: present, not censored, finite"},
        {"censored", "censored cells"},
        {"missing", "absent or non-finite cells"},
        {"mean", "mean of the observations"},
        {"sd", "standard deviation of the observations (n-1 denominator)"},
        {"ci_lo", "lower end of the 95% Student t confidence interval of the mean"},
        {"ci_hi", "upper end of the 95% Student t confidence interval of the mean"},
        {"median", "median of the observations (type-7 quantile)"},
        {"p90", "90th percentile of the observations (type-7 quantile)"},
        {"km_median", "Kaplan-Meier median (censorable metrics; empty when not reached)"},
        {"km_p50", "Kaplan-Meier 50th percentile (censorable metrics; inf = beyond horizon)"},
        {"km_p50_lo", "lower end of the Brookmeyer-Crowley 95% CI of km_p50"},
        {"km_p50_hi", "upper end of the Brookmeyer-Crowley 95% CI of km_p50 (inf = beyond horizon)"},
        {"km_p90", "Kaplan-Meier 90th percentile (censorable metrics; inf = beyond horizon)"},
        {"km_p90_lo", "lower end of the Brookmeyer-Crowley 95% CI of km_p90"},
        {"km_p90_hi", "upper end of the Brookmeyer-Crowley 95% CI of km_p90 (inf = beyond horizon)"},
        {"km_p99", "Kaplan-Meier 99th percentile (censorable metrics; inf = beyond horizon)"},
        {"km_p99_lo", "lower end of the Brookmeyer-Crowley 95% CI of km_p99"},
        {"km_p99_hi", "upper end of the Brookmeyer-Crowley 95% CI of km_p99 (inf = beyond horizon)"},
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        if (strcmp(help[i].name, name) == 0)
            return help[i].help;
    return "statistic of the metric (see FORMATS.md)";
}

void por_columns_write_sweep(FILE *f, const por_sweep_grid *g, const por_metric_def *defs,
                                 size_t ndefs, const char *summary_stats)
{
    fputs(POR_COLUMNS_HEADER, f);
    por__column(f, "points.csv", "point", "index", "", "point index (0-based)");
    por__param_columns(f, "points.csv", g);
    por__column(f, "points.csv", "scenario_hash", "text", "", "hash of the point's effective scenario");
    por__column(f, "points.csv", "scenario_seed", "count", "", "the point's seed");
    por__column(f, "points.csv", "scenario_replications", "count", "",
                "replications of the point");
    for (size_t i = 0; i < g->nparams; i++) {
        char name[1024], desc[1100];
        snprintf(name, sizeof name, "%s_si", g->paths[i]);
        snprintf(desc, sizeof desc, "%s as a number in SI units (durations in seconds, "
                 "percentages as ratios); empty when the value is not a number", g->paths[i]);
        const char *unit = por__param_unit(g, i);
        por__column(f, "points.csv", name, strcmp(unit, "s") == 0 ? "duration" : "number", unit,
                    desc);
    }
    por__column(f, "runs.csv", "point", "index", "", "point index (0-based), as in points.csv");
    por__param_columns(f, "runs.csv", g);
    por__column(f, "runs.csv", "replication", "index", "", "replication index (0-based)");
    por__metric_columns(f, "runs.csv", defs, ndefs);
    por__column(f, "censored.csv", "point", "index", "", "point index (0-based)");
    por__censored_columns(f);
    por__column(f, "summary.csv", "point", "index", "", "point index (0-based)");
    por__param_columns(f, "summary.csv", g);
    por__column(f, "summary.csv", "metric", "text", "", "metric name (a column of runs.csv)");
    char stats[1024];
    snprintf(stats, sizeof stats, "%s", summary_stats);
    for (char *save = NULL, *s = strtok_r(stats, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        bool counts = !strcmp(s, "n") || !strcmp(s, "censored") || !strcmp(s, "missing");
        por__column(f, "summary.csv", s, counts ? "count" : "number", counts ? "" : "@metric",
                    por__stat_help(s));
    }
}
