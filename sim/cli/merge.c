/* Sweep output directories: the row text shared by `porsim sweep` and `porsim merge`,
 * the writer of points.csv / runs.csv / censored.csv / summary.csv, and the merge of
 * shard directories (see por/sweep.h).
 *
 * A sweep keeps each (point, replication) cell as the text runs.csv will hold, and
 * summary.csv is computed from that text (durations are exact: seconds with 9 decimals
 * read back to integer ns; other numbers are shortest round-trip doubles). A merge reads
 * the same text back from the shards, so it recomputes exactly the same bytes. */
#include "columns.h"
#include "por/json_write.h"
#include "por/outdir.h"
#include "por/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char por_merge_usage[] =
    "Usage: porsim merge OUT_DIR SHARD_DIR...\n"
    "\n"
    "Joins the output directories of `porsim sweep --shard K/N` runs into OUT_DIR, which\n"
    "then holds exactly the points.csv, runs.csv, censored.csv and summary.csv bytes of\n"
    "the unsharded sweep (summary.csv is recomputed from the merged cells; meta.json\n"
    "lists the shards). Refuses (exit 2) shards of different grids (parameters, values,\n"
    "scenario hashes, seeds or replication counts), a cell present in two shards, and\n"
    "cells that no shard has.\n"
    "\n"
    "Options:\n"
    "  --force                replace OUT_DIR if it exists\n"
    "  -q, --quiet            print nothing on success\n"
    "  -h, --help             this help\n"
    "\n"
    "Example:\n"
    "  for k in 1 2 3; do porsim sweep s.json --param feed.ocr.deviation=0.5%,1%,2% \\\n"
    "      --shard $k/3 -o out/shard$k; done\n"
    "  porsim merge out/all out/shard1 out/shard2 out/shard3\n";

/* ---- numbers ------------------------------------------------------------------------ */

static pthread_once_t g_locale_once = PTHREAD_ONCE_INIT;
static locale_t g_c_locale = (locale_t)0;

static void por__make_locale(void) { g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* strtod in the C locale whatever setlocale() the program did; false unless the whole
 * of S is one number. */
static bool por__parse_double(const char *s, double *out)
{
    pthread_once(&g_locale_once, por__make_locale);
    if (g_c_locale == (locale_t)0) {
        fprintf(stderr, "porsim: out of memory (creating the C locale)\n");
        exit(1);
    }
    locale_t old = uselocale(g_c_locale);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    bool ok = *s && *end == '\0';
    uselocale(old);
    *out = v;
    return ok;
}

/* Reads seconds written with exactly 9 decimals ("-12.500000000") back to integer ns. */
static bool por__parse_ns_seconds(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    uint64_t whole = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (whole > (UINT64_MAX - 9) / 10)
            return false;
        whole = whole * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == s || *p != '.')
        return false;
    p++;
    uint64_t frac = 0;
    for (int k = 0; k < 9; k++, p++) {
        if (*p < '0' || *p > '9')
            return false;
        frac = frac * 10 + (uint64_t)(*p - '0');
    }
    if (*p)
        return false;
    if (whole > (uint64_t)INT64_MAX / 1000000000u)
        return false;
    uint64_t mag = whole * 1000000000u + frac;
    if (!neg && mag > (uint64_t)INT64_MAX)
        return false;
    if (neg && mag > (uint64_t)INT64_MAX + 1u)
        return false;
    *out = neg ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return true;
}

/* ---- CSV text ----------------------------------------------------------------------- */

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

/* A CSV field, quoted per RFC 4180 when it holds a comma, quote or line break (the rule
 * of por_metric_table_write_csv). */
static void por__buf_csv(por__buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        por__buf_str(b, s);
        return;
    }
    por__buf_str(b, "\"");
    for (const char *p = s; *p; p++)
        por__buf_add(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    por__buf_str(b, "\"");
}

static void por__fput_csv(FILE *f, const char *s)
{
    por__buf b = {0};
    por__buf_csv(&b, s);
    fputs(b.s, f);
    free(b.s);
}

/* Splits one CSV line (no line end) into malloc'd unquoted fields. Returns the field
 * count, or (size_t)-1 for a malformed quote. Caller frees each field and *FIELDS. */
static size_t por__csv_split(const char *line, char ***fields)
{
    size_t n = 0, cap = 8;
    char **out = por_xmalloc(cap * sizeof *out);
    const char *p = line;
    for (;;) {
        por__buf b = {0};
        por__buf_add(&b, "", 0);
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    free(b.s);
                    goto bad;
                }
                if (*p == '"' && p[1] == '"') {
                    por__buf_add(&b, "\"", 1);
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    por__buf_add(&b, p++, 1);
                }
            }
            if (*p != ',' && *p != '\0') {
                free(b.s);
                goto bad;
            }
        } else {
            const char *e = p;
            while (*e && *e != ',')
                e++;
            por__buf_add(&b, p, (size_t)(e - p));
            p = e;
        }
        if (n == cap)
            out = por_xrealloc(out, (cap *= 2) * sizeof *out);
        out[n++] = b.s;
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *fields = out;
    return n;
bad:
    for (size_t i = 0; i < n; i++)
        free(out[i]);
    free(out);
    return (size_t)-1;
}

static void por__free_fields(char **f, size_t n)
{
    for (size_t i = 0; i < n && n != (size_t)-1; i++)
        free(f[i]);
    free(f);
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
        if (!por__parse_ns_seconds(s, &ns))
            return false;
        *v = (double)ns;
        return true;
    }
    return por__parse_double(s, v);
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
        size_t nf = por__csv_split(row->metrics, &f);
        if (nf != ncols) {
            st = por_error_set(err, POR_EINPUT,
                               "runs.csv: point %" PRIu64 " replication %" PRIu64
                               ": %zu metric cells, expected %zu",
                               row->point, row->rep, nf == (size_t)-1 ? 0 : nf, ncols);
            if (nf != (size_t)-1)
                por__free_fields(f, nf);
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
        por__free_fields(f, nf);
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
        por__fput_csv(f, g->paths[i]);
    }
}

static void por__point_prefix(FILE *f, const por_sweep_grid *g, uint64_t p)
{
    fprintf(f, "%" PRIu64, p);
    for (size_t i = 0; i < g->nparams; i++) {
        fputc(',', f);
        por__fput_csv(f, g->values[p * g->nparams + i]);
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
        por__fput_csv(f, name);
    }
    fputc('\n', f);
    for (size_t p = 0; p < g->npoints; p++) {
        por__point_prefix(f, g, p);
        fprintf(f, ",%s,%" PRIu64 ",%" PRIu64, g->hash[p], g->seed[p], g->replications[p]);
        char si[64];
        for (size_t i = 0; i < g->nparams; i++)
            fprintf(f, ",%s", por_cli_param_si(g->values[p * g->nparams + i], si, sizeof si, NULL));
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
        por__fput_csv(f, defs[c].name);
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
            por__fput_csv(f, defs[c].name);
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
    por_cli_write_sweep_columns(f, g, defs, ncols, POR__SUMMARY_STATS);
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

/* ---- terminal table ----------------------------------------------------------------- */

void por_sweep_rows_values(const por_sweep_row *rows, size_t n, size_t col, double *vals,
                           bool *cens)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    POR_ASSERT(col < ncols);
    for (size_t r = 0; r < n; r++) {
        char **fl = NULL;
        size_t nf = por__csv_split(rows[r].metrics, &fl);
        vals[r] = NAN;
        cens[r] = false;
        if (nf == ncols) {
            const char *ct = rows[r].cens ? rows[r].cens[col] : NULL;
            if (!por__cell_value(&defs[col], fl[col], ct, &vals[r], &cens[r]))
                vals[r] = NAN;
        }
        if (nf != (size_t)-1)
            por__free_fields(fl, nf);
    }
}

/* A KM quantile or limit for the terminal, in the table's unit. */
static void por__km_text(char *buf, bool reached, double x, double scale)
{
    if (reached)
        por_format_human(x / scale, buf);
    else
        snprintf(buf, 64, "beyond horizon");
}

void por_sweep_print(const por_sweep_grid *g, const por_sweep_row *rows, size_t nrows,
                     const char *metric, FILE *f)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    size_t col = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, metric))
            col = c;
    if (col == ncols)
        return;
    const por_metric_def *d = &defs[col];
    bool km = d->censorable;

    /* One summary per point that has rows. */
    size_t npts = 0;
    por_summary *sum = por_xcalloc(nrows ? nrows : 1, sizeof *sum);
    uint64_t *pid = por_xcalloc(nrows ? nrows : 1, sizeof *pid);
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && rows[j].point == rows[i].point)
            j++;
        size_t n = j - i;
        double *vals = por_xmalloc(n * sizeof *vals);
        bool *cens = por_xmalloc(n * sizeof *cens);
        por_sweep_rows_values(rows + i, n, col, vals, cens);
        por_summary_of(vals, km ? cens : NULL, n, &sum[npts]);
        pid[npts++] = rows[i].point;
        free(vals);
        free(cens);
        i = j;
    }

    /* Durations in one unit for the whole table, chosen from the middle point's typical
     * value (KM p50 when reached, else the mean). */
    double scale = 1.0;
    const char *unit = d->unit ? d->unit : "";
    if (d->kind == POR_METRIC_DURATION) {
        double *ref = por_xmalloc((npts ? npts : 1) * sizeof *ref);
        size_t nref = 0;
        for (size_t k = 0; k < npts; k++) {
            double x = km && sum[k].km_q[0].reached ? sum[k].km_q[0].value : sum[k].mean;
            if (isfinite(x))
                ref[nref++] = x;
        }
        for (size_t a = 1; a < nref; a++) /* insertion sort: a few hundred points at most */
            for (size_t b = a; b > 0 && ref[b - 1] > ref[b]; b--) {
                double t = ref[b];
                ref[b] = ref[b - 1];
                ref[b - 1] = t;
            }
        unit = por_duration_display_unit(nref ? ref[nref / 2] : NAN, &scale);
        free(ref);
    }
    fprintf(f, "%s per point%s%s%s:\n", metric, *unit ? " (" : "", unit, *unit ? ")" : "");
    int width = 10;
    for (size_t p = 0; p < g->npoints; p++) {
        size_t len = 0;
        for (size_t k = 0; k < g->nparams; k++)
            len += strlen(g->paths[k]) + strlen(g->values[p * g->nparams + k]) + 2;
        if (len > (size_t)width)
            width = len > 200 ? 200 : (int)len;
    }
    fprintf(f, "%6s  %-*s %6s %6s %10s %23s", "point", width, "parameters", "n", "cens", "mean",
            "95% CI");
    if (km)
        fprintf(f, " %14s %14s %31s", "KM p50", "KM p90", "KM p90 95% CI");
    fputc('\n', f);
    for (size_t k = 0; k < npts; k++) {
        const por_summary *s = &sum[k];
        uint64_t p = pid[k];
        por__buf pb = {0};
        por__buf_add(&pb, "", 0);
        for (size_t q = 0; q < g->nparams; q++) {
            if (q)
                por__buf_str(&pb, " ");
            por__buf_str(&pb, g->paths[q]);
            por__buf_str(&pb, "=");
            por__buf_str(&pb, g->values[p * g->nparams + q]);
        }
        char mean[64], lo[64], hi[64], ci[140] = "-";
        por_format_human(s->mean / scale, mean);
        if (isfinite(s->ci_lo)) {
            por_format_human(s->ci_lo / scale, lo);
            por_format_human(s->ci_hi / scale, hi);
            snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        }
        fprintf(f, "%6" PRIu64 "  %-*s %6zu %6zu %10s %23s", p, width, pb.s, s->n, s->censored,
                mean, ci);
        if (km) {
            char q50[64] = "-", q90[64] = "-", kci[140] = "-";
            if (s->km_valid) {
                por__km_text(q50, s->km_q[0].reached, s->km_q[0].value, scale);
                por__km_text(q90, s->km_q[1].reached, s->km_q[1].value, scale);
                por__km_text(lo, s->km_q[1].lo_reached, s->km_q[1].lo, scale);
                por__km_text(hi, s->km_q[1].hi_reached, s->km_q[1].hi, scale);
                snprintf(kci, sizeof kci, "[%s, %s]", lo, hi);
            }
            fprintf(f, " %14s %14s %31s", q50, q90, kci);
        }
        fputc('\n', f);
        free(pb.s);
    }
    free(sum);
    free(pid);
}

/* ---- merge -------------------------------------------------------------------------- */

/* Reads PATH into a malloc'd NUL-terminated buffer, or NULL with ERR set. */
static char *por__slurp(const char *path, por_error *err)
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
        return por__parse_ns_seconds(buf, &ns) && ns >= 0;
    }
    double v;
    if (!por__parse_double(buf, &v) || !isfinite(v))
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
    size_t nf = line ? por__csv_split(line, &f) : (size_t)-1;
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
            por__free_fields(f, nf);
        return por_error_set(err, POR_EINPUT, "%s: not a porsim sweep points.csv", path);
    }
    size_t hdr_nf = nf;
    g->nparams = h - 1;
    g->paths = por_xcalloc(g->nparams ? g->nparams : 1, sizeof *g->paths);
    for (size_t i = 0; i < g->nparams; i++)
        g->paths[i] = por_xstrdup(f[1 + i]);
    por__free_fields(f, nf);
    size_t cap = 0;
    while ((line = por__next_line(&p))) {
        nf = por__csv_split(line, &f);
        uint64_t idx;
        if (nf != hdr_nf || !por__parse_index(f[0], &idx) || idx != g->npoints ||
            strlen(f[h]) != 16) {
            if (nf != (size_t)-1)
                por__free_fields(f, nf);
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
        por__free_fields(f, nf);
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

typedef struct {
    por_sweep_row *rows;
    size_t n, cap;
    size_t *from; /* shard index of each row */
} por__rows;

/* Appends the runs.csv rows of one shard (and their censoring from censored.csv). */
static por_status por__read_shard(const char *dir, size_t shard, const por_sweep_grid *g,
                                  const char *want_header, por__rows *rs, por_error *err)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *text = por__slurp(path, err);
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
        size_t nf = por__csv_split(line, &f);
        bool ok = nf == skip && por__parse_index(f[0], &pt) && por__parse_index(f[nf - 1], &rep) &&
                  pt < g->npoints && rep < g->replications[pt];
        for (size_t i = 0; ok && i < g->nparams; i++)
            ok = strcmp(f[1 + i], g->values[pt * g->nparams + i]) == 0;
        if (nf != (size_t)-1)
            por__free_fields(f, nf);
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
    if (!(text = por__slurp(path, err)))
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
        size_t nf = por__csv_split(line, &f);
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
            por__free_fields(f, nf);
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
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    char path[4200];
    snprintf(path, sizeof path, "%s/points.csv", dir);
    char *text = por__slurp(path, err);
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
    por__rows rs = {0};
    st = por__read_shard(dir, 0, &old, h.s, &rs, err);
    free(h.s);
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

/* scenarios.jsonl of a shard: the first shard's is kept in G (none when it has none, as
 * before output format 2); every other shard must have the same bytes. */
static por_status por__shard_scenarios(const char *dir, bool first, por_sweep_grid *g,
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
    char *text = por__slurp(path, err);
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

typedef struct {
    uint64_t point, rep;
    size_t shard;
} por__key;

static int por__cmp_key(const void *a, const void *b)
{
    const por__key *x = a, *y = b;
    if (x->point != y->point)
        return (x->point > y->point) - (x->point < y->point);
    if (x->rep != y->rep)
        return (x->rep > y->rep) - (x->rep < y->rep);
    return (x->shard > y->shard) - (x->shard < y->shard);
}

int por_merge_main(int argc, char **argv)
{
    const char *out = NULL;
    const char **shards = por_xcalloc((size_t)argc, sizeof *shards);
    size_t nshards = 0;
    bool force = false, quiet = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_merge_usage, stdout);
            free(shards);
            return 0;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "porsim merge: unknown option %s\n(see `porsim help merge`)\n", a);
            free(shards);
            return 2;
        } else if (!out) {
            out = a;
        } else {
            shards[nshards++] = a;
        }
    }
    if (!out || nshards == 0) {
        fprintf(stderr, "porsim merge: needs OUT_DIR and at least one SHARD_DIR\n"
                        "(see `porsim help merge`)\n");
        free(shards);
        return 2;
    }
    por_error err = {POR_OK, ""};
    por_sweep_grid g = {0};
    por__rows rs = {0};
    char *points0 = NULL;
    char *header = NULL;
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    por_status st = por_outdir_check(out, force, &err);
    for (size_t s = 0; s < nshards && st == POR_OK; s++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/points.csv", shards[s]);
        char *pts = por__slurp(path, &err);
        if (!pts) {
            st = POR_EINPUT;
            break;
        }
        if (s == 0) {
            points0 = pts;
            char *copy = por_xstrdup(pts);
            st = por__grid_parse(path, copy, &g, &err);
            free(copy);
            if (st != POR_OK)
                break;
            por__buf h = {0};
            por__buf_str(&h, "point");
            for (size_t i = 0; i < g.nparams; i++) {
                por__buf_str(&h, ",");
                por__buf_csv(&h, g.paths[i]);
            }
            por__buf_str(&h, ",replication");
            for (size_t c = 0; c < ncols; c++) {
                por__buf_str(&h, ",");
                por__buf_csv(&h, defs[c].name);
            }
            header = h.s;
        } else {
            bool same = strcmp(pts, points0) == 0;
            if (!same) {
                /* Say what differs: the parameters, or the first differing point. */
                char *a = points0, *b = pts, *la, *lb;
                size_t k = 0;
                char *ca = por_xstrdup(a), *cb = por_xstrdup(b);
                a = ca;
                b = cb;
                for (;; k++) {
                    la = por__next_line(&a);
                    lb = por__next_line(&b);
                    if (!la || !lb || strcmp(la, lb))
                        break;
                }
                if (k == 0)
                    st = por_error_set(&err, POR_EINPUT,
                                       "%s and %s: different sweep parameters", shards[0],
                                       shards[s]);
                else
                    st = por_error_set(&err, POR_EINPUT,
                                       "%s and %s: grids differ at point %zu (parameter "
                                       "values, scenario hash, seed or replications)",
                                       shards[0], shards[s], k - 1);
                free(ca);
                free(cb);
            }
            free(pts);
            if (st != POR_OK)
                break;
        }
        if (st == POR_OK)
            st = por__shard_scenarios(shards[s], s == 0, &g, &err);
        st = st == POR_OK ? por__read_shard(shards[s], s, &g, header, &rs, &err) : st;
    }
    if (st == POR_OK) {
        /* Every cell exactly once: sort cell keys and walk the grid. */
        por__key *keys = por_xmalloc((rs.n ? rs.n : 1) * sizeof *keys);
        for (size_t i = 0; i < rs.n; i++)
            keys[i] = (por__key){rs.rows[i].point, rs.rows[i].rep, rs.from[i]};
        qsort(keys, rs.n, sizeof *keys, por__cmp_key);
        size_t k = 0;
        for (uint64_t p = 0; p < g.npoints && st == POR_OK; p++) {
            for (uint64_t r = 0; r < g.replications[p] && st == POR_OK; r++) {
                if (k >= rs.n || keys[k].point != p || keys[k].rep != r) {
                    st = por_error_set(&err, POR_EINPUT,
                                       "cell (point %" PRIu64 ", replication %" PRIu64
                                       ") is in none of the shards (a shard is missing?)",
                                       p, r);
                    break;
                }
                if (k + 1 < rs.n && keys[k + 1].point == p && keys[k + 1].rep == r) {
                    st = por_error_set(&err, POR_EINPUT,
                                       "cell (point %" PRIu64 ", replication %" PRIu64
                                       ") is in both %s and %s (overlapping shards)",
                                       p, r, shards[keys[k].shard], shards[keys[k + 1].shard]);
                    break;
                }
                k++;
            }
        }
        if (st == POR_OK && k < rs.n)
            st = por_error_set(&err, POR_EINPUT,
                               "cell (point %" PRIu64 ", replication %" PRIu64
                               ") is not in the grid", keys[k].point, keys[k].rep);
        free(keys);
    }
    if (st == POR_OK) {
        por__buf m = {0};
        por__buf_str(&m, "{\n  \"porsim_version\": \"" POR_VERSION "\",\n  \"format_version\": " POR_OUTPUT_FORMAT_VERSION_STR ",\n  \"kind\": \"merge\",\n"
                         "  \"points\": ");
        char num[64];
        snprintf(num, sizeof num, "%zu,\n  \"cells\": %zu,\n  \"shards\": [", g.npoints, rs.n);
        por__buf_str(&m, num);
        for (size_t s = 0; s < nshards; s++) {
            char *q = por_json_quote(shards[s]);
            por__buf_str(&m, s ? ", " : "");
            por__buf_str(&m, q);
            free(q);
        }
        por__buf_str(&m, "]\n}\n");
        st = por_sweep_write_dir(out, force, &g, rs.rows, rs.n, m.s, &err);
        free(m.s);
        if (st == POR_OK && !quiet)
            printf("merged %zu shard%s: %zu points, %zu cells -> %s\n", nshards,
                   nshards == 1 ? "" : "s", g.npoints, rs.n, out);
    }
    if (st != POR_OK)
        fprintf(stderr, "porsim merge: %s\n", err.msg);
    for (size_t i = 0; i < rs.n; i++)
        por_sweep_row_free(&rs.rows[i], ncols);
    free(rs.rows);
    free(rs.from);
    free(points0);
    free(header);
    por_sweep_grid_free(&g);
    free(shards);
    return por_status_exit_code(st);
}
