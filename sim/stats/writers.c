/* runs.csv and summary.json writers for a metric table (formats: sim/stats/FORMATS.md).
 *
 * Both are deterministic: rows in replication order, numbers through por_format_double
 * / por_format_ns_seconds (locale-proof), undefined values as JSON null. Both stream:
 * rows are read one at a time (spilled ones from disk) and a Kaplan-Meier curve is
 * written point by point from the sorted column, so neither holds O(rows) memory. */
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
    por__rows it;
    if (por__rows_open(&it, t, POR__ALL_COLS) != 0)
        return -1; /* errno = EINVAL */
    por__out o = {f, 0};
    por__puts(&o, "replication");
    for (size_t c = 0; c < t->ncols; c++) {
        por__puts(&o, ",");
        por__csv_field(&o, t->defs[c].name);
    }
    por__puts(&o, "\n");
    char num[64];
    while (por__rows_next(&it)) {
        por__printf(&o, "%" PRIu64, it.rep);
        for (size_t c = 0; c < t->ncols; c++) {
            const por__cell *cell = &it.row[c];
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
    por__rows_close(&it);
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

const char *por_metric_kind_name(por_metric_kind k)
{
    switch (k) {
    case POR_METRIC_DURATION: return "duration";
    case POR_METRIC_AMOUNT: return "amount";
    case POR_METRIC_COUNT: return "count";
    case POR_METRIC_RATIO: return "ratio";
    }
    return "unknown";
}

/* Writes each Kaplan-Meier point as it is built: the curve is never held in memory. */
typedef struct {
    por__out *o;
    bool duration;
    size_t np;
} por__km_json;

static void por__json_km_point(void *ctx, const por_km_point *p)
{
    por__km_json *k = ctx;
    por__puts(k->o, k->np++ ? ", [" : "[");
    por__json_number(k->o, p->t, k->duration);
    por__puts(k->o, ", ");
    por__json_number(k->o, p->survival, false);
    por__puts(k->o, "]");
}

/* The Kaplan–Meier fields of a censorable column. */
static void por__json_km(por__out *o, const por_metric_table *t, size_t col, const por_summary *s)
{
    bool duration = t->defs[col].kind == POR_METRIC_DURATION;
    por__json_member_number(o, "km_median", s->km_median_reached ? s->km_median : NAN, duration);
    por__printf(o, ",\n      \"km_median_reached\": %s", s->km_median_reached ? "true" : "false");
    por__puts(o, ",\n      \"km_curve\": [");
    por__sorted sorted;
    por__sorted_column(t, col, &sorted);
    por__km_json k = {o, duration, 0};
    por__km_build b;
    por__km_begin(&b, sorted.n, por__json_km_point, &k);
    por__sorted_rd rd;
    por__obs ob;
    por__sorted_rd_open(&rd, &sorted);
    while (por__sorted_rd_next(&rd, &ob))
        por__km_add(&b, &ob);
    por__sorted_rd_close(&rd);
    por__km_end(&b);
    por__sorted_free(&sorted);
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
        por__printf(&o, ": {\n      \"kind\": \"%s\",\n      \"unit\": ", por_metric_kind_name(d->kind));
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
