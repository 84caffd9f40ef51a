/* The human-readable summary table printed at the end of a run: one line per metric,
 * durations rescaled to ms/s/min/h/d, columns aligned. */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { POR__PCOLS = 12, POR__CELL = 64 };

/* "median (obs)" and "p90 (obs)" are over the uncensored runs only; the KM columns
 * count the censored runs (Kaplan–Meier quantiles, Brookmeyer–Crowley 95% CI). */
static const char *const g_headers[POR__PCOLS] = {
    "metric", "n", "censored", "mean", "95% CI", "median (obs)", "p90 (obs)", "max",
    "KM p50", "KM p90", "KM p90 95% CI", "unit"};
/* Left-aligned columns: metric name and unit; the rest are right-aligned. */
static const bool g_left[POR__PCOLS] = {true, false, false, false, false, false,
                                        false, false, false, false, false, true};

/* A duration display unit: NAME and its size in ns. */
typedef struct {
    const char *name;
    double ns;
} por__tunit;

/* Picks the unit that suits a typical duration of REF_NS nanoseconds. */
static por__tunit por__pick_time_unit(double ref_ns)
{
    double a = fabs(ref_ns);
    if (!isfinite(a) || (a >= 1e9 && a < 120e9))
        return (por__tunit){"s", 1e9};
    if (a < 1e9)
        return (por__tunit){"ms", 1e6};
    if (a < 120 * 60e9)
        return (por__tunit){"min", 60e9};
    if (a < 48 * 3600e9)
        return (por__tunit){"h", 3600e9};
    return (por__tunit){"d", 86400e9};
}

/* A number for people: "-" when undefined; whole numbers below 1e9 and anything from
 * 1e4 to 1e9 without decimals; else 4 significant digits (1.235e+23, 0.6267). */
static void por__human(char *buf, double x)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(buf, POR__CELL, "-");
    else if (a < 1e9 && (x == floor(x) || a >= 1e4))
        snprintf(buf, POR__CELL, "%.0f", x == 0 ? 0.0 : x);
    else
        snprintf(buf, POR__CELL, "%.4g", x);
}

/* A Kaplan–Meier quantile or limit for people: the number, or "beyond horizon". */
static void por__km_cell(char *buf, bool reached, double x, double scale)
{
    if (reached)
        por__human(buf, x / scale);
    else
        snprintf(buf, POR__CELL, "beyond horizon");
}

const char *por_duration_display_unit(double ref_ns, double *ns_per_unit)
{
    por__tunit u = por__pick_time_unit(ref_ns);
    *ns_per_unit = u.ns;
    return u.name;
}

char *por_format_human(double x, char *buf)
{
    locale_t old = uselocale(por_c_locale());
    por__human(buf, x);
    uselocale(old);
    return buf;
}

void por_metric_table_print(const por_metric_table *t, FILE *f)
{
    POR_ASSERT(t != NULL && f != NULL);
    size_t nlines = t->ncols + 1;
    char(*cells)[POR__PCOLS][POR__CELL] = por_xcalloc(nlines, sizeof *cells);
    locale_t old = uselocale(por_c_locale());

    for (int k = 0; k < POR__PCOLS; k++)
        snprintf(cells[0][k], POR__CELL, "%s", g_headers[k]);
    for (size_t c = 0; c < t->ncols; c++) {
        const por_metric_def *d = &t->defs[c];
        char(*row)[POR__CELL] = cells[c + 1];
        por_summary s;
        por_metric_table_summarize(t, c, &s);
        double scale = 1.0;
        const char *unit = d->unit ? d->unit : "";
        if (d->kind == POR_METRIC_DURATION) {
            double ref = isfinite(s.median) ? s.median
                         : s.km_median_reached ? s.km_median : s.max;
            por__tunit u = por__pick_time_unit(ref);
            scale = u.ns;
            unit = u.name;
        }
        snprintf(row[0], POR__CELL, "%.*s", POR__CELL - 1, d->name);
        snprintf(row[1], POR__CELL, "%zu", s.n);
        if (d->censorable)
            snprintf(row[2], POR__CELL, "%zu", s.censored);
        else
            snprintf(row[2], POR__CELL, "-");
        por__human(row[3], s.mean / scale);
        if (isfinite(s.ci_lo) && isfinite(s.ci_hi)) {
            char lo[POR__CELL], hi[POR__CELL];
            por__human(lo, s.ci_lo / scale);
            por__human(hi, s.ci_hi / scale);
            snprintf(row[4], POR__CELL, "[%.28s, %.28s]", lo, hi);
        } else {
            snprintf(row[4], POR__CELL, "-");
        }
        por__human(row[5], s.median / scale);
        por__human(row[6], s.p90 / scale);
        por__human(row[7], s.max / scale);
        if (!d->censorable || !s.km_valid) {
            for (int k = 8; k <= 10; k++)
                snprintf(row[k], POR__CELL, "-");
        } else {
            por__km_cell(row[8], s.km_q[0].reached, s.km_q[0].value, scale);
            por__km_cell(row[9], s.km_q[1].reached, s.km_q[1].value, scale);
            char lo[POR__CELL], hi[POR__CELL];
            por__km_cell(lo, s.km_q[1].lo_reached, s.km_q[1].lo, scale);
            por__km_cell(hi, s.km_q[1].hi_reached, s.km_q[1].hi, scale);
            snprintf(row[10], POR__CELL, "[%.28s, %.28s]", lo, hi);
        }
        snprintf(row[11], POR__CELL, "%.*s", POR__CELL - 1, unit);
    }

    int width[POR__PCOLS] = {0};
    for (size_t l = 0; l < nlines; l++)
        for (int k = 0; k < POR__PCOLS; k++) {
            int w = (int)strlen(cells[l][k]);
            if (w > width[k])
                width[k] = w;
        }
    for (size_t l = 0; l < nlines; l++) {
        for (int k = 0; k < POR__PCOLS; k++) {
            const char *sep = k ? "  " : "";
            if (k == POR__PCOLS - 1) /* no trailing blanks */
                fprintf(f, "%s%s", sep, cells[l][k]);
            else
                fprintf(f, "%s%*s", sep, g_left[k] ? -width[k] : width[k], cells[l][k]);
        }
        fputc('\n', f);
        if (l == 0) {
            int total = 0;
            for (int k = 0; k < POR__PCOLS; k++)
                total += width[k] + (k ? 2 : 0);
            for (int i = 0; i < total; i++)
                fputc('-', f);
            fputc('\n', f);
        }
    }
    uselocale(old);
    free(cells);
}
