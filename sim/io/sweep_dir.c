/* The sweep directory format (por/sweep_dir.h): the one writer and the one reader of
 * points.csv, runs.csv, censored.csv, summary.csv, columns.csv, scenarios.jsonl and
 * meta.json of a `porsim sweep`, `merge` or `tune` directory.
 *
 * A sweep keeps each (point, replication) cell as the text runs.csv will hold, and
 * summary.csv is computed from that text (durations are exact: seconds with 9 decimals
 * read back to integer ns; other numbers are shortest round-trip doubles, por/number.h).
 * The reader (merge, --resume) reads the same text back, so it recomputes exactly the
 * same bytes. CSV fields are quoted and split by por/csv.h. */
#include "por/sweep_dir.h"

#include "io/columns.h"
#include "por/csv.h"
#include "por/number.h"
#include "por/outdir.h"
#include "por/world.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- text buffer -------------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
} por__buf;

static void por__buf_add(por__buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = por_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void por__buf_str(por__buf *b, const char *s) { por__buf_add(b, s, strlen(s)); }


/* S as one CSV field (por/csv.h). */
static void por__buf_csv(por__buf *b, const char *s)
{
    if (!por_csv_needs_quotes(s)) {
        por__buf_str(b, s);
        return;
    }
    char *q = por_csv_field(s);
    por__buf_str(b, q);
    free(q);
}

/* ---- rows --------------------------------------------------------------------------- */

void por_sweep_row_format(const por_metric_def *defs, size_t ncols,
                          const por_metric_cell *cells, por_sweep_row *row)
{
    por__buf b = {0};
    por__buf_add(&b, "", 0);
    row->cens = NULL;
    char num[64];
    for (size_t c = 0; c < ncols; c++) {
        const por_metric_def *d = &defs[c];
        const por_metric_cell *in = &cells[c];
        bool duration = d->kind == POR_METRIC_DURATION;
        bool has_value = in->present && (duration || isfinite(in->value));
        if (c)
            por__buf_str(&b, ",");
        if (in->censored) {
            POR_ASSERT(d->censorable);
            if (!row->cens)
                row->cens = por_xcalloc(ncols, sizeof *row->cens);
            if (!has_value)
                row->cens[c] = por_xstrdup("");
            else
                row->cens[c] = por_xstrdup(duration ? por_format_ns_seconds(in->ns, num, sizeof num)
                                                    : por_format_double(in->value, num, sizeof num));
            continue; /* censored: empty cell */
        }
        if (!has_value)
            continue;
        if (duration)
            por__buf_str(&b, por_format_ns_seconds(in->ns, num, sizeof num));
        else if (d->kind == POR_METRIC_AMOUNT && in->exact)
            por__buf_csv(&b, in->exact);
        else
            por__buf_str(&b, por_format_double(in->value, num, sizeof num));
    }
    row->metrics = b.s;
}

void por_sweep_row_free(por_sweep_row *row, size_t ncols)
{
    free(row->metrics);
    if (row->cens)
        for (size_t c = 0; c < ncols; c++)
            free(row->cens[c]);
    free(row->cens);
    row->metrics = NULL;
    row->cens = NULL;
}

void por_sweep_grid_free(por_sweep_grid *g)
{
    for (size_t i = 0; i < g->nparams; i++)
        free(g->paths[i]);
    for (size_t i = 0; i < g->npoints * g->nparams; i++)
        free(g->values[i]);
    free(g->paths);
    free(g->values);
    free(g->hash);
    free(g->seed);
    free(g->replications);
    free(g->scenarios_jsonl);
    memset(g, 0, sizeof *g);
}

static int por__cmp_row(const void *a, const void *b)
{
    const por_sweep_row *x = a, *y = b;
    if (x->point != y->point)
        return (x->point > y->point) - (x->point < y->point);
    return (x->rep > y->rep) - (x->rep < y->rep);
}

void por_sweep_rows_sort(por_sweep_row *rows, size_t nrows)
{
    qsort(rows, nrows, sizeof *rows, por__cmp_row);
}

/* ---- summary ------------------------------------------------------------------------ */

/* Reads the value of column COL of ROW for statistics (DURATION in ns as a double):
 * observation, censoring time (+inf when unknown) or NaN for an empty cell. */
static bool por__cell_value(const por_metric_def *d, const char *text, const char *cens,
                            double *v, bool *censored)
{
    *censored = cens != NULL;
    const char *s = cens ? cens : text;
    if (!*s) {
        *v = cens ? INFINITY : NAN;
        return true;
    }
    if (d->kind == POR_METRIC_DURATION) {
        int64_t ns;
        if (!por_parse_ns_seconds(s, &ns))
            return false;
        *v = (double)ns;
        return true;
    }
    return por_parse_double(s, v);
}

/* Summarizes rows [FIRST, LAST) (one point) into one summary.csv line per metric. */
static por_status por__summary_point(const por_sweep_grid *g, const por_metric_def *defs,
                                     size_t ncols, const por_sweep_row *rows, size_t first,
                                     size_t last, por__buf *out, por_error *err)
{
    size_t n = last - first;
    double *vals = por_xmalloc(ncols * n * sizeof *vals);
    bool *cens = por_xmalloc(ncols * n * sizeof *cens);
    por_status st = POR_OK;
    for (size_t r = 0; r < n && st == POR_OK; r++) {
        const por_sweep_row *row = &rows[first + r];
        char **f = NULL;
        size_t nf = por_csv_split(row->metrics, &f);
        if (nf != ncols) {
            st = por_error_set(err, POR_EINPUT,
                               "runs.csv: point %" PRIu64 " replication %" PRIu64
                               ": %zu metric cells, expected %zu",
                               row->point, row->rep, nf == (size_t)-1 ? 0 : nf, ncols);
            if (nf != (size_t)-1)
                por_csv_fields_free(f, nf);
            break;
        }
        for (size_t c = 0; c < ncols; c++) {
            const char *ct = row->cens ? row->cens[c] : NULL;
            if (!por__cell_value(&defs[c], f[c], ct, &vals[c * n + r], &cens[c * n + r])) {
                st = por_error_set(err, POR_EINPUT,
                                   "runs.csv: point %" PRIu64 " replication %" PRIu64
                                   ": %s: not a %s: '%s'",
                                   row->point, row->rep, defs[c].name,
                                   defs[c].kind == POR_METRIC_DURATION ? "duration" : "number",
                                   ct ? ct : f[c]);
                break;
            }
        }
        por_csv_fields_free(f, nf);
    }
    uint64_t p = rows[first].point;
    char num[64];
    for (size_t c = 0; c < ncols && st == POR_OK; c++) {
        const por_metric_def *d = &defs[c];
        por_summary s;
        por_summary_of(vals + c * n, d->censorable ? cens + c * n : NULL, n, &s);
        double scale = d->kind == POR_METRIC_DURATION ? 1e9 : 1.0;
        char head[64];
        snprintf(head, sizeof head, "%" PRIu64, p);
        por__buf_str(out, head);
        for (size_t i = 0; i < g->nparams; i++) {
            por__buf_str(out, ",");
            por__buf_csv(out, g->values[p * g->nparams + i]);
        }
        por__buf_str(out, ",");
        por__buf_csv(out, d->name);
        snprintf(head, sizeof head, ",%zu,%zu,%zu", s.n, s.censored, s.missing);
        por__buf_str(out, head);
        double nums[] = {s.mean, s.sd, s.ci_lo, s.ci_hi, s.median, s.p90,
                         d->censorable && s.km_median_reached ? s.km_median : NAN};
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            por__buf_str(out, ",");
            if (isfinite(nums[k]))
                por__buf_str(out, por_format_double(nums[k] / scale, num, sizeof num));
        }
        /* Kaplan–Meier p50/p90/p99 and their 95% CI limits: "inf" = beyond horizon. */
        for (int k = 0; k < POR_KM_NQ; k++) {
            const por_km_quantile *q = &s.km_q[k];
            bool reached[3] = {q->reached, q->lo_reached, q->hi_reached};
            double v[3] = {q->value, q->lo, q->hi};
            for (int m = 0; m < 3; m++) {
                por__buf_str(out, ",");
                if (!d->censorable || !s.km_valid)
                    continue;
                por__buf_str(out, reached[m] ? por_format_double(v[m] / scale, num, sizeof num)
                                             : "inf");
            }
        }
        por__buf_str(out, "\n");
    }
    free(vals);
    free(cens);
    return st;
}

/* ---- writing a directory ------------------------------------------------------------ */

/* The statistics columns of summary.csv, after "metric" (also read by columns.csv). */
#define POR__SUMMARY_STATS                                                                  \
    "n,censored,missing,mean,sd,ci_lo,ci_hi,median,p90,km_median,km_p50,km_p50_lo,km_p50_hi,"   \
    "km_p90,km_p90_lo,km_p90_hi,km_p99,km_p99_lo,km_p99_hi"

static void por__params_header(FILE *f, const por_sweep_grid *g)
{
    fputs("point", f);
    for (size_t i = 0; i < g->nparams; i++) {
        fputc(',', f);
        por_csv_write_field(f, g->paths[i]);
    }
}

static void por__point_prefix(FILE *f, const por_sweep_grid *g, uint64_t p)
{
    fprintf(f, "%" PRIu64, p);
    for (size_t i = 0; i < g->nparams; i++) {
        fputc(',', f);
        por_csv_write_field(f, g->values[p * g->nparams + i]);
    }
}

/* Opens NAME in OD, or NULL with ERR set. */
static FILE *por__open(por_outdir *od, const char *name, por_error *err)
{
    return por_outdir_fopen(od, name, err);
}

por_status por_sweep_write_dir(const char *dir, bool force, const por_sweep_grid *g,
                               por_sweep_row *rows, size_t nrows, const char *meta_json,
                               por_error *err)
{
    return por_sweep_write_dir_extra(dir, force, g, rows, nrows, meta_json, NULL, 0, err);
}

por_status por_sweep_write_dir_extra(const char *dir, bool force, const por_sweep_grid *g,
                                     por_sweep_row *rows, size_t nrows, const char *meta_json,
                                     const por_sweep_extra_file *extra, size_t nextra,
                                     por_error *err)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    qsort(rows, nrows, sizeof *rows, por__cmp_row);
    for (size_t i = 1; i < nrows; i++)
        if (rows[i].point == rows[i - 1].point && rows[i].rep == rows[i - 1].rep)
            return por_error_set(err, POR_EINPUT,
                                 "cell (point %" PRIu64 ", replication %" PRIu64 ") given twice",
                                 rows[i].point, rows[i].rep);

    /* summary.csv first: it is the only part that can fail on the content. */
    por__buf sum = {0};
    por__buf_add(&sum, "", 0);
    por_status st = POR_OK;
    for (size_t i = 0; i < nrows && st == POR_OK;) {
        size_t j = i;
        while (j < nrows && rows[j].point == rows[i].point)
            j++;
        st = por__summary_point(g, defs, ncols, rows, i, j, &sum, err);
        i = j;
    }
    if (st != POR_OK) {
        free(sum.s);
        return st;
    }

    por_outdir od;
    if ((st = por_outdir_begin(&od, dir, force, err)) != POR_OK) {
        free(sum.s);
        return st;
    }
    FILE *f = por__open(&od, "points.csv", err);
    if (!f)
        goto fail;
    por__params_header(f, g);
    fputs(",scenario_hash,scenario_seed,scenario_replications", f);
    for (size_t i = 0; i < g->nparams; i++) { /* appended: each parameter in SI units */
        fputc(',', f);
        char name[1024];
        snprintf(name, sizeof name, "%s_si", g->paths[i]);
        por_csv_write_field(f, name);
    }
    fputc('\n', f);
    for (size_t p = 0; p < g->npoints; p++) {
        por__point_prefix(f, g, p);
        fprintf(f, ",%s,%" PRIu64 ",%" PRIu64, g->hash[p], g->seed[p], g->replications[p]);
        char si[64];
        for (size_t i = 0; i < g->nparams; i++)
            fprintf(f, ",%s", por_param_si(g->values[p * g->nparams + i], si, sizeof si, NULL));
        fputc('\n', f);
    }
    if (por_outdir_fclose(&od, f, "points.csv", err) != POR_OK)
        goto fail;

    if (!(f = por__open(&od, "runs.csv", err)))
        goto fail;
    por__params_header(f, g);
    fputs(",replication", f);
    for (size_t c = 0; c < ncols; c++) {
        fputc(',', f);
        por_csv_write_field(f, defs[c].name);
    }
    fputc('\n', f);
    for (size_t i = 0; i < nrows; i++) {
        por__point_prefix(f, g, rows[i].point);
        fprintf(f, ",%" PRIu64 ",%s\n", rows[i].rep, rows[i].metrics);
    }
    if (por_outdir_fclose(&od, f, "runs.csv", err) != POR_OK)
        goto fail;

    if (!(f = por__open(&od, "censored.csv", err)))
        goto fail;
    fputs("point,replication,metric,censored_at\n", f);
    for (size_t i = 0; i < nrows; i++) {
        if (!rows[i].cens)
            continue;
        for (size_t c = 0; c < ncols; c++) {
            if (!rows[i].cens[c])
                continue;
            fprintf(f, "%" PRIu64 ",%" PRIu64 ",", rows[i].point, rows[i].rep);
            por_csv_write_field(f, defs[c].name);
            fprintf(f, ",%s\n", rows[i].cens[c]);
        }
    }
    if (por_outdir_fclose(&od, f, "censored.csv", err) != POR_OK)
        goto fail;

    if (!(f = por__open(&od, "summary.csv", err)))
        goto fail;
    por__params_header(f, g);
    fputs(",metric," POR__SUMMARY_STATS "\n", f);
    fputs(sum.s, f);
    if (por_outdir_fclose(&od, f, "summary.csv", err) != POR_OK)
        goto fail;

    if (!(f = por__open(&od, "columns.csv", err)))
        goto fail;
    por_columns_write_sweep(f, g, defs, ncols, POR__SUMMARY_STATS);
    if (por_outdir_fclose(&od, f, "columns.csv", err) != POR_OK)
        goto fail;

    if (g->scenarios_jsonl) {
        if (!(f = por__open(&od, "scenarios.jsonl", err)))
            goto fail;
        fputs(g->scenarios_jsonl, f);
        if (por_outdir_fclose(&od, f, "scenarios.jsonl", err) != POR_OK)
            goto fail;
    }

    if (!(f = por__open(&od, "meta.json", err)))
        goto fail;
    fputs(meta_json, f);
    if (por_outdir_fclose(&od, f, "meta.json", err) != POR_OK)
        goto fail;
    for (size_t k = 0; k < nextra; k++) {
        if (!(f = por__open(&od, extra[k].name, err)))
            goto fail;
        fputs(extra[k].text, f);
        if (por_outdir_fclose(&od, f, extra[k].name, err) != POR_OK)
            goto fail;
    }
    free(sum.s);
    if (por_outdir_commit(&od, err) != POR_OK) {
        por_outdir_abort(&od);
        return err->status;
    }
    return POR_OK;
fail:
    free(sum.s);
    por_outdir_abort(&od);
    return err->status;
}

/* ---- reading ----------------------------------------------------------------------- */

void por_sweep_rows_values(const por_sweep_row *rows, size_t n, size_t col, double *vals,
                           bool *cens)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    POR_ASSERT(col < ncols);
    for (size_t r = 0; r < n; r++) {
        char **fl = NULL;
        size_t nf = por_csv_split(rows[r].metrics, &fl);
        vals[r] = NAN;
        cens[r] = false;
        if (nf == ncols) {
            const char *ct = rows[r].cens ? rows[r].cens[col] : NULL;
            if (!por__cell_value(&defs[col], fl[col], ct, &vals[r], &cens[r]))
                vals[r] = NAN;
        }
        if (nf != (size_t)-1)
            por_csv_fields_free(fl, nf);
    }
}

char *por_sweep_file_read(const char *path, por_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        por_error_set(err, POR_EINPUT, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    por__buf b = {0};
    por__buf_add(&b, "", 0);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        por__buf_add(&b, chunk, got);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(b.s);
        por_error_set(err, POR_EINPUT, "%s: read error", path);
        return NULL;
    }
    return b.s;
}

/* Next line of *P (without "\n"), NUL-terminating it in place; NULL at the end. */
static char *por__next_line(char **p)
{
    if (!**p)
        return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

static bool por__parse_index(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* Whether the LEN bytes at S are a cell as porsim writes one for a metric of KIND (FORMATS.md):
 * empty; a duration as non-negative seconds with exactly 9 decimals; an amount as a
 * plain decimal; a count or ratio as the shortest round-trip form of a finite double.
 * A merge copies cells verbatim, so an edited shard ("inf", "0x1p4", " 7", a negative
 * duration) must be refused rather than passed on. */
static bool por__cell_ok(const char *s, size_t len, por_metric_kind kind)
{
    if (len == 0)
        return true;
    char buf[128];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (kind == POR_METRIC_DURATION) {
        const char *dot = strchr(buf, '.');
        if (!dot || dot == buf || strlen(dot + 1) != 9 || (buf[0] == '0' && dot != buf + 1))
            return false;
        for (const char *q = buf; *q; q++)
            if (q != dot && (*q < '0' || *q > '9'))
                return false;
        int64_t ns;
        return por_parse_ns_seconds(buf, &ns) && ns >= 0;
    }
    double v;
    if (!por_parse_double(buf, &v) || !isfinite(v))
        return false;
    if (kind == POR_METRIC_AMOUNT) {
        const char *q = buf + (buf[0] == '-');
        bool digits = false, dot = false;
        for (; *q; q++) {
            if (*q >= '0' && *q <= '9')
                digits = true;
            else if (*q == '.' && !dot && digits && q[1])
                dot = true;
            else
                break;
        }
        if (!*q && digits)
            return true;
    }
    char canon[64];
    return strcmp(por_format_double(v, canon, sizeof canon), buf) == 0;
}

/* Checks every cell of a runs.csv row's metric text (after the parameter columns). */
static por_status por__check_cells(const char *path, const char *text, uint64_t pt, uint64_t rep,
                                   por_error *err)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    const char *b = text;
    for (size_t c = 0; c < ncols; c++) {
        const char *e = strchr(b, ',');
        if (!e)
            e = b + strlen(b);
        if ((c + 1 < ncols) != (*e == ',') || !por__cell_ok(b, (size_t)(e - b), defs[c].kind))
            return por_error_set(err, POR_EINPUT,
                                 "%s: point %" PRIu64 " replication %" PRIu64 ": %s '%.*s' is not "
                                 "a value porsim writes (was the file edited?)",
                                 path, pt, rep, defs[c].name, (int)((e - b) > 40 ? 40 : e - b), b);
        b = *e ? e + 1 : e;
    }
    return POR_OK;
}

/* Builds the grid from the text of points.csv. */
static por_status por__grid_parse(const char *path, char *text, por_sweep_grid *g,
                                  por_error *err)
{
    memset(g, 0, sizeof *g);
    char *p = text, *line = por__next_line(&p);
    char **f = NULL;
    size_t nf = line ? por_csv_split(line, &f) : (size_t)-1;
    /* point, the parameters, scenario_hash, scenario_seed, scenario_replications, then
     * (format 2) one <param>_si column per parameter. */
    size_t h = 1;
    while (h < nf && nf != (size_t)-1 && strcmp(f[h], "scenario_hash"))
        h++;
    size_t width = 2 * h + 2; /* with the SI columns */
    if (nf == (size_t)-1 || nf < 4 || strcmp(f[0], "point") || h + 2 >= nf ||
        strcmp(f[h + 1], "scenario_seed") || strcmp(f[h + 2], "scenario_replications") ||
        (nf != h + 3 && nf != width)) {
        if (nf != (size_t)-1)
            por_csv_fields_free(f, nf);
        return por_error_set(err, POR_EINPUT, "%s: not a porsim sweep points.csv", path);
    }
    size_t hdr_nf = nf;
    g->nparams = h - 1;
    g->paths = por_xcalloc(g->nparams ? g->nparams : 1, sizeof *g->paths);
    for (size_t i = 0; i < g->nparams; i++)
        g->paths[i] = por_xstrdup(f[1 + i]);
    por_csv_fields_free(f, nf);
    size_t cap = 0;
    while ((line = por__next_line(&p))) {
        nf = por_csv_split(line, &f);
        uint64_t idx;
        if (nf != hdr_nf || !por__parse_index(f[0], &idx) || idx != g->npoints ||
            strlen(f[h]) != 16) {
            if (nf != (size_t)-1)
                por_csv_fields_free(f, nf);
            size_t at = g->npoints; /* before the free clears it */
            por_sweep_grid_free(g);
            return por_error_set(err, POR_EINPUT, "%s: malformed line for point %zu", path, at);
        }
        if (g->npoints == cap) {
            cap = cap ? cap * 2 : 16;
            g->values = por_xrealloc(g->values, cap * (g->nparams ? g->nparams : 1) * sizeof *g->values);
            g->hash = por_xrealloc(g->hash, cap * sizeof *g->hash);
            g->seed = por_xrealloc(g->seed, cap * sizeof *g->seed);
            g->replications = por_xrealloc(g->replications, cap * sizeof *g->replications);
        }
        size_t pt = g->npoints;
        for (size_t i = 0; i < g->nparams; i++)
            g->values[pt * g->nparams + i] = por_xstrdup(f[1 + i]);
        memcpy(g->hash[pt], f[h], 17);
        bool ok = por__parse_index(f[h + 1], &g->seed[pt]) &&
                  por__parse_index(f[h + 2], &g->replications[pt]);
        g->npoints++;
        por_csv_fields_free(f, nf);
        if (!ok) {
            por_sweep_grid_free(g);
            return por_error_set(err, POR_EINPUT, "%s: malformed line for point %zu", path, pt);
        }
    }
    if (g->npoints == 0) {
        por_sweep_grid_free(g);
        return por_error_set(err, POR_EINPUT, "%s: no points", path);
    }
    return POR_OK;
}

por_status por_sweep_shard_read(const char *dir, size_t shard, const por_sweep_grid *g,
                                const char *want_header, por_sweep_rowset *rs, por_error *err)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *text = por_sweep_file_read(path, err);
    if (!text)
        return POR_EINPUT;
    char *p = text, *line = por__next_line(&p);
    if (!line || strcmp(line, want_header) != 0) {
        free(text);
        return por_error_set(err, POR_EINPUT,
                             "%s: header differs from the grid's (another porsim version or "
                             "parameter list)",
                             path);
    }
    size_t first = rs->n;
    por_status st = POR_OK;
    while ((line = por__next_line(&p)) && st == POR_OK) {
        /* point, nparams values, replication, then the metric text verbatim. */
        size_t skip = 2 + g->nparams, ncut = 0;
        char *cut = NULL;
        bool inq = false;
        for (char *q = line; *q; q++) {
            if (*q == '"')
                inq = !inq;
            else if (*q == ',' && !inq && ++ncut == skip) {
                cut = q;
                break;
            }
        }
        uint64_t pt = 0, rep = 0;
        if (!cut) {
            st = por_error_set(err, POR_EINPUT, "%s: malformed row '%.60s'", path, line);
            break;
        }
        char **f = NULL;
        *cut = '\0';
        size_t nf = por_csv_split(line, &f);
        bool ok = nf == skip && por__parse_index(f[0], &pt) && por__parse_index(f[nf - 1], &rep) &&
                  pt < g->npoints && rep < g->replications[pt];
        for (size_t i = 0; ok && i < g->nparams; i++)
            ok = strcmp(f[1 + i], g->values[pt * g->nparams + i]) == 0;
        if (nf != (size_t)-1)
            por_csv_fields_free(f, nf);
        if (!ok) {
            st = por_error_set(err, POR_EINPUT,
                               "%s: row '%.60s' is not a cell of the grid (point index, "
                               "parameter values or replication out of range)",
                               path, line);
            break;
        }
        if ((st = por__check_cells(path, cut + 1, pt, rep, err)) != POR_OK)
            break;
        if (rs->n == rs->cap) {
            rs->cap = rs->cap ? rs->cap * 2 : 256;
            rs->rows = por_xrealloc(rs->rows, rs->cap * sizeof *rs->rows);
            rs->from = por_xrealloc(rs->from, rs->cap * sizeof *rs->from);
        }
        rs->rows[rs->n] = (por_sweep_row){pt, rep, por_xstrdup(cut + 1), NULL};
        rs->from[rs->n++] = shard;
    }
    free(text);
    if (st != POR_OK)
        return st;

    /* censored.csv: attach each censoring to its row of this shard. */
    snprintf(path, sizeof path, "%s/censored.csv", dir);
    if (!(text = por_sweep_file_read(path, err)))
        return POR_EINPUT;
    p = text;
    line = por__next_line(&p);
    if (!line || strcmp(line, "point,replication,metric,censored_at") != 0) {
        free(text);
        return por_error_set(err, POR_EINPUT, "%s: not a porsim censored.csv", path);
    }
    /* Rows of this shard are in (point, rep) order as written: binary search. */
    size_t n = rs->n - first;
    por_sweep_row *mine = rs->rows + first;
    while ((line = por__next_line(&p)) && st == POR_OK) {
        char **f = NULL;
        size_t nf = por_csv_split(line, &f);
        uint64_t pt = 0, rep = 0;
        size_t col = ncols;
        if (nf == 4 && por__parse_index(f[0], &pt) && por__parse_index(f[1], &rep))
            for (size_t c = 0; c < ncols; c++)
                if (!strcmp(defs[c].name, f[2]) && defs[c].censorable)
                    col = c;
        por_sweep_row *hit = NULL;
        if (col < ncols) {
            size_t lo = 0, hi = n;
            por_sweep_row key = {pt, rep, NULL, NULL};
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int cmp = por__cmp_row(&mine[mid], &key);
                if (cmp == 0) {
                    hit = &mine[mid];
                    break;
                }
                if (cmp < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
        if (hit && !por__cell_ok(f[3], strlen(f[3]), defs[col].kind)) {
            st = por_error_set(err, POR_EINPUT, "%s: line '%.60s': censored_at is not a value "
                               "porsim writes (was the file edited?)", path, line);
        } else if (!hit || (hit->cens && hit->cens[col])) {
            st = por_error_set(err, POR_EINPUT, "%s: line '%.60s' names no censorable cell of "
                               "this shard (or repeats one)", path, line);
        } else {
            if (!hit->cens)
                hit->cens = por_xcalloc(ncols, sizeof *hit->cens);
            hit->cens[col] = por_xstrdup(f[3]);
        }
        if (nf != (size_t)-1)
            por_csv_fields_free(f, nf);
    }
    free(text);
    return st;
}

por_status por_sweep_read_dir(const char *dir, const por_sweep_grid *g, bool same_reps,
                              por_sweep_row **rows, size_t *nrows, uint64_t *reps,
                              por_error *err)
{
    *rows = NULL;
    *nrows = 0;
    size_t ncols;
    por_world_metric_defs(&ncols);
    char path[4200];
    snprintf(path, sizeof path, "%s/points.csv", dir);
    char *text = por_sweep_file_read(path, err);
    if (!text)
        return POR_EINPUT;
    por_sweep_grid old;
    por_status st = por__grid_parse(path, text, &old, err);
    free(text);
    if (st != POR_OK)
        return st;
    bool same = old.nparams == g->nparams && old.npoints == g->npoints;
    for (size_t i = 0; same && i < g->nparams; i++)
        same = !strcmp(old.paths[i], g->paths[i]);
    if (!same) {
        por_sweep_grid_free(&old);
        return por_error_set(err, POR_EINPUT,
                             "%s: a sweep of other parameters (resume with the command that "
                             "wrote it)",
                             dir);
    }
    for (size_t p = 0; p < g->npoints; p++) {
        bool ok = !strcmp(old.hash[p], g->hash[p]) && old.seed[p] == g->seed[p] &&
                  (!same_reps || old.replications[p] == g->replications[p]);
        for (size_t i = 0; ok && i < g->nparams; i++)
            ok = !strcmp(old.values[p * g->nparams + i], g->values[p * g->nparams + i]);
        if (!ok) {
            por_sweep_grid_free(&old);
            return por_error_set(err, POR_EINPUT,
                                 "%s: grid differs at point %zu (parameter values, scenario "
                                 "hash, seed or replications); resume with the command that "
                                 "wrote it",
                                 dir, p);
        }
    }
    char *header = por_sweep_runs_header(g);
    por_sweep_rowset rs = {0};
    st = por_sweep_shard_read(dir, 0, &old, header, &rs, err);
    free(header);
    if (reps)
        memcpy(reps, old.replications, g->npoints * sizeof *reps);
    por_sweep_grid_free(&old);
    free(rs.from);
    if (st != POR_OK) {
        for (size_t i = 0; i < rs.n; i++)
            por_sweep_row_free(&rs.rows[i], ncols);
        free(rs.rows);
        return st;
    }
    *rows = rs.rows;
    *nrows = rs.n;
    return POR_OK;
}

por_status por_sweep_shard_scenarios(const char *dir, bool first, por_sweep_grid *g,
                                     por_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/scenarios.jsonl", dir);
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (first && !exists)
        return POR_OK;
    if (!exists || (!first && !g->scenarios_jsonl))
        return por_error_set(err, POR_EINPUT, "%s: scenarios.jsonl in some shards only", path);
    char *text = por_sweep_file_read(path, err);
    if (!text)
        return POR_EINPUT;
    if (first) {
        g->scenarios_jsonl = text;
        return POR_OK;
    }
    bool same = strcmp(text, g->scenarios_jsonl) == 0;
    free(text);
    return same ? POR_OK
                : por_error_set(err, POR_EINPUT,
                                "%s: differs from the first shard's (different scenarios)", path);
}


char *por_sweep_runs_header(const por_sweep_grid *g)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    por__buf h = {0};
    por__buf_str(&h, "point");
    for (size_t i = 0; i < g->nparams; i++) {
        por__buf_str(&h, ",");
        por__buf_csv(&h, g->paths[i]);
    }
    por__buf_str(&h, ",replication");
    for (size_t c = 0; c < ncols; c++) {
        por__buf_str(&h, ",");
        por__buf_csv(&h, defs[c].name);
    }
    return h.s;
}

por_status por_sweep_points_parse(const char *path, const char *text, por_sweep_grid *g,
                                  por_error *err)
{
    char *copy = por_xstrdup(text); /* por__grid_parse cuts it into lines */
    por_status st = por__grid_parse(path, copy, g, err);
    free(copy);
    return st;
}

size_t por_sweep_points_first_diff(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return SIZE_MAX;
    char *ca = por_xstrdup(a), *cb = por_xstrdup(b);
    char *pa = ca, *pb = cb;
    size_t k = 0;
    for (;; k++) {
        char *la = por__next_line(&pa), *lb = por__next_line(&pb);
        if (!la || !lb || strcmp(la, lb))
            break;
    }
    free(ca);
    free(cb);
    return k;
}

void por_sweep_rowset_free(por_sweep_rowset *rs)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    for (size_t i = 0; i < rs->n; i++)
        por_sweep_row_free(&rs->rows[i], ncols);
    free(rs->rows);
    free(rs->from);
    memset(rs, 0, sizeof *rs);
}
