/* runs.csv and summary.json writers for a metric table (formats: sim/stats/FORMATS.md).
 *
 * Both are deterministic: rows in replication order, numbers through por_format_double
 * / por_format_ns_seconds (locale-proof), undefined values as JSON null. */
#include "stats/stats_internal.h"

#include "por/csv.h"
#include "por/error.h"
#include "por/json_write.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* An output stream that remembers the errno of its first failure. */
typedef struct {
    FILE *f;
    int err;
} por__out;

static void por__put(por__out *o, const char *s, size_t len)
{
    if (o->err == 0 && len > 0 && fwrite(s, 1, len, o->f) != len)
        o->err = errno ? errno : EIO;
}

static void por__puts(por__out *o, const char *s) { por__put(o, s, strlen(s)); }

static void por__printf(por__out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void por__printf(por__out *o, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    POR_ASSERT(k >= 0 && (size_t)k < sizeof buf);
    por__put(o, buf, (size_t)k);
}

/* Flushes and turns the remembered error into the writers' return convention. */
static int por__finish(por__out *o)
{
    if (o->err == 0 && fflush(o->f) != 0)
        o->err = errno ? errno : EIO;
    if (o->err == 0 && ferror(o->f))
        o->err = EIO;
    if (o->err != 0) {
        errno = o->err;
        return -1;
    }
    return 0;
}

/* A CSV field, quoted as por/csv.h says. */
static void por__csv_field(por__out *o, const char *s)
{
    if (!por_csv_needs_quotes(s)) {
        por__puts(o, s);
        return;
    }
    char *q = por_csv_field(s);
    por__puts(o, q);
    free(q);
}

int por_metric_table_write_csv(const por_metric_table *t, FILE *f)
{
    POR_ASSERT(t != NULL && f != NULL);
    size_t *order = por__table_row_order(t);
    if (!order)
        return -1; /* errno = EINVAL */
    por__out o = {f, 0};
    por__puts(&o, "replication");
    for (size_t c = 0; c < t->ncols; c++) {
        por__puts(&o, ",");
        por__csv_field(&o, t->defs[c].name);
    }
    por__puts(&o, "\n");
    char num[64];
    for (size_t k = 0; k < t->nrows; k++) {
        size_t r = order[k];
        por__printf(&o, "%" PRIu64, t->reps[r]);
        for (size_t c = 0; c < t->ncols; c++) {
            const por__cell *cell = &t->cells[r * t->ncols + c];
            por__puts(&o, ",");
            if (cell->state != POR__CELL_OBSERVED)
                continue; /* censored or absent: empty cell */
            if (t->defs[c].kind == POR_METRIC_DURATION)
                por__puts(&o, por_format_ns_seconds(cell->ns, num, sizeof num));
            else if (cell->exact)
                por__csv_field(&o, cell->exact);
            else
                por__puts(&o, por_format_double(cell->value, num, sizeof num));
        }
        por__puts(&o, "\n");
    }
    free(order);
    return por__finish(&o);
}

/* A JSON string literal, escaped by the one rule of por/json_write.h. */
static void por__json_string(por__out *o, const char *s)
{
    char *q = por_json_quote(s);
    por__puts(o, q);
    free(q);
}

/* A JSON number in the metric's reporting unit (durations: ns -> s); null if not finite. */
static void por__json_number(por__out *o, double x, bool duration)
{
    char num[64];
    por__puts(o, por_format_double(duration ? x / 1e9 : x, num, sizeof num));
}

static void por__json_member_number(por__out *o, const char *key, double x, bool duration)
{
    por__printf(o, ",\n      \"%s\": ", key);
    por__json_number(o, x, duration);
}

static const char *por__kind_name(por_metric_kind k)
{
    switch (k) {
    case POR_METRIC_DURATION: return "duration";
    case POR_METRIC_AMOUNT: return "amount";
    case POR_METRIC_COUNT: return "count";
    case POR_METRIC_RATIO: return "ratio";
    }
    return "unknown";
}

/* The Kaplan–Meier fields of a censorable column. */
static void por__json_km(por__out *o, const por_metric_table *t, size_t col, const por_summary *s)
{
    bool duration = t->defs[col].kind == POR_METRIC_DURATION;
    size_t n = t->nrows;
    double *times = por_xmalloc((n ? n : 1) * sizeof *times);
    bool *cens = por_xmalloc((n ? n : 1) * sizeof *cens);
    por_km_point *curve = por_xmalloc((n + 1) * sizeof *curve);
    for (size_t r = 0; r < n; r++) {
        const por__cell *c = &t->cells[r * t->ncols + col];
        times[r] = por__cell_number(t, col, c);
        cens[r] = c->state == POR__CELL_CENSORED_AT || c->state == POR__CELL_CENSORED_INF;
    }
    size_t np = por_km_curve(times, cens, n, curve);
    por__json_member_number(o, "km_median", s->km_median_reached ? s->km_median : NAN, duration);
    por__printf(o, ",\n      \"km_median_reached\": %s", s->km_median_reached ? "true" : "false");
    por__puts(o, ",\n      \"km_curve\": [");
    for (size_t i = 0; i < np; i++) {
        por__puts(o, i ? ", [" : "[");
        por__json_number(o, curve[i].t, duration);
        por__puts(o, ", ");
        por__json_number(o, curve[i].survival, false);
        por__puts(o, "]");
    }
    por__puts(o, "]");
    static const char *const names[POR_KM_NQ] = {"km_p50", "km_p90", "km_p99"};
    for (int k = 0; k < POR_KM_NQ; k++) {
        const por_km_quantile *q = &s->km_q[k];
        por__printf(o, ",\n      \"%s\": {\"estimate\": ", names[k]);
        por__json_number(o, q->reached ? q->value : NAN, duration);
        por__puts(o, ", \"ci95\": [");
        por__json_number(o, q->lo_reached ? q->lo : NAN, duration);
        por__puts(o, ", ");
        por__json_number(o, q->hi_reached ? q->hi : NAN, duration);
        por__printf(o, "], \"beyond_horizon\": %s}", q->reached ? "false" : "true");
    }
    free(curve);
    free(cens);
    free(times);
}

int por_metric_table_write_summary_json(const por_metric_table *t, FILE *f,
                                        const char *extra_json_fields)
{
    POR_ASSERT(t != NULL && f != NULL);
    size_t *order = por__table_row_order(t);
    if (!order)
        return -1; /* errno = EINVAL: duplicate replication */
    free(order);

    por__out o = {f, 0};
    por__puts(&o, "{\n");
    if (extra_json_fields) {
        const char *b = extra_json_fields, *e = b + strlen(b);
        while (b < e && isspace((unsigned char)*b))
            b++;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        if (e > b) {
            por__puts(&o, "  ");
            por__put(&o, b, (size_t)(e - b));
            por__puts(&o, ",\n");
        }
    }
    por__printf(&o, "  \"replications\": %zu,\n", t->nrows);
    por__puts(&o, "  \"metrics\": {");
    for (size_t c = 0; c < t->ncols; c++) {
        const por_metric_def *d = &t->defs[c];
        bool duration = d->kind == POR_METRIC_DURATION;
        por_summary s;
        por_metric_table_summarize(t, c, &s);

        por__puts(&o, c ? ",\n    " : "\n    ");
        por__json_string(&o, d->name);
        por__printf(&o, ": {\n      \"kind\": \"%s\",\n      \"unit\": ", por__kind_name(d->kind));
        por__json_string(&o, duration ? "s" : d->unit);
        por__puts(&o, ",\n      \"help\": ");
        por__json_string(&o, d->help);
        por__printf(&o, ",\n      \"censorable\": %s", d->censorable ? "true" : "false");
        por__printf(&o, ",\n      \"n\": %zu", s.n);
        por__printf(&o, ",\n      \"censored\": %zu", s.censored);
        por__printf(&o, ",\n      \"missing\": %zu", s.missing);
        por__json_member_number(&o, "mean", s.mean, duration);
        por__json_member_number(&o, "sd", s.sd, duration);
        por__puts(&o, ",\n      \"ci95\": ");
        if (isfinite(s.ci_lo) && isfinite(s.ci_hi)) {
            por__puts(&o, "[");
            por__json_number(&o, s.ci_lo, duration);
            por__puts(&o, ", ");
            por__json_number(&o, s.ci_hi, duration);
            por__puts(&o, "]");
        } else {
            por__puts(&o, "null");
        }
        por__json_member_number(&o, "median", s.median, duration);
        por__json_member_number(&o, "p90", s.p90, duration);
        por__json_member_number(&o, "p99", s.p99, duration);
        por__json_member_number(&o, "min", s.min, duration);
        por__json_member_number(&o, "max", s.max, duration);
        if (d->censorable)
            por__json_km(&o, t, c, &s);
        por__puts(&o, "\n    }");
    }
    por__puts(&o, t->ncols ? "\n  }\n}\n" : "}\n}\n");
    return por__finish(&o);
}
