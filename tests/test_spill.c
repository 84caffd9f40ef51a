/* A spilled metric table (por_metric_table_spill, issue 20.4) reads and writes exactly
 * as one held in memory: runs.csv, censored.csv, summary.json (mean, sd and CI computed
 * by GSL's recurrences in sorted order, exact type 7 quantiles, the Kaplan-Meier curve
 * and quantiles), the printed table and por_metric_table_column are byte for byte those
 * of the same rows kept in memory, for any window, across the sort's memory limit (one
 * merge) and past 16 runs (two merge passes). Rows are random (seed printed), with ties,
 * censoring at a time and at +infinity, absent and non-finite cells, negative durations
 * and exact amount strings. Requirements (--require) are judged alike on both. */
#define _GNU_SOURCE /* open_memstream */
#include "por_test.h"
#include "por/require.h"
#include "por/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t g_rng;

static uint64_t next_u64(void)
{ /* splitmix64 */
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

static const por_metric_def g_defs[] = {
    {"detect", POR_METRIC_DURATION, true, NULL, "a censorable duration"},
    {"reserve", POR_METRIC_AMOUNT, false, "token", "an amount with exact strings"},
    {"count", POR_METRIC_COUNT, false, "1", "a count with ties"},
    {"ratio", POR_METRIC_RATIO, true, "1", "a censorable ratio"},
    {"wide", POR_METRIC_RATIO, false, "1", "magnitudes from 1e-300 to 1e300"},
};
#define NCOLS (sizeof g_defs / sizeof g_defs[0])

/* One random row: DISTINCT bounds the distinct values of the tied columns. */
static void random_row(por_metric_cell *c, char *exact, uint64_t distinct)
{
    memset(c, 0, NCOLS * sizeof *c);
    uint64_t k = next_u64() % 10;
    /* detect: observed (8 in 10, some negative), censored at a time, at +inf */
    if (k < 8) {
        c[0] = (por_metric_cell){.present = true, .ns = (int64_t)(next_u64() % distinct) *
                                                         1000003 - 5000000};
    } else if (k == 8) {
        c[0] = (por_metric_cell){.present = true, .censored = true,
                                 .ns = (int64_t)(next_u64() % distinct) * 1000003};
    } else {
        c[0] = (por_metric_cell){.censored = true};
    }
    if (next_u64() % 7) {
        uint64_t v = next_u64() % distinct;
        snprintf(exact, 64, "%llu000000000000000000001", (unsigned long long)v);
        c[1] = (por_metric_cell){.present = true, .value = (double)v * 1e21,
                                 .exact = next_u64() % 5 ? exact : NULL};
    }
    c[2] = (por_metric_cell){.present = true, .value = (double)(next_u64() % 17)};
    k = next_u64() % 12;
    if (k < 9)
        c[3] = (por_metric_cell){.present = true, .value = next_unit() * 3 - 1};
    else if (k == 9)
        c[3] = (por_metric_cell){.present = true, .censored = true, .value = next_unit()};
    else if (k == 10)
        c[3] = (por_metric_cell){.censored = true};
    k = next_u64() % 20;
    if (k == 0)
        c[4] = (por_metric_cell){.present = true, .value = INFINITY};
    else if (k == 1)
        c[4] = (por_metric_cell){.present = true, .value = NAN};
    else if (k > 2)
        c[4] = (por_metric_cell){.present = true,
                                 .value = (next_unit() - 0.3) * pow(10, (double)(next_u64() % 601) - 300)};
}

typedef struct {
    char *csv, *json, *censored, *print;
    size_t csv_n, json_n, censored_n, print_n;
} outputs;

static void write_all(const por_metric_table *t, outputs *o)
{
    FILE *f = open_memstream(&o->csv, &o->csv_n);
    ck_assert_int_eq(por_metric_table_write_csv(t, f), 0);
    fclose(f);
    f = open_memstream(&o->json, &o->json_n);
    ck_assert_int_eq(por_metric_table_write_summary_json(t, f, "\"x\": 1"), 0);
    fclose(f);
    f = open_memstream(&o->censored, &o->censored_n);
    ck_assert_int_eq(por_metric_table_write_censored_csv(t, f), 0);
    fclose(f);
    f = open_memstream(&o->print, &o->print_n);
    por_metric_table_print(t, f);
    fclose(f);
}

static void free_outputs(outputs *o)
{
    free(o->csv);
    free(o->json);
    free(o->censored);
    free(o->print);
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* The summaries of every column agree field by field, bit for bit. */
static void same_summaries(const por_metric_table *a, const por_metric_table *b)
{
    for (size_t c = 0; c < NCOLS; c++) {
        por_summary x, y;
        por_metric_table_summarize(a, c, &x);
        por_metric_table_summarize(b, c, &y);
        ck_assert_uint_eq(x.n, y.n);
        ck_assert_uint_eq(x.censored, y.censored);
        ck_assert_uint_eq(x.missing, y.missing);
        double xs[] = {x.mean, x.sd, x.ci_lo, x.ci_hi, x.median, x.p90, x.p99, x.min, x.max,
                       x.km_median};
        double ys[] = {y.mean, y.sd, y.ci_lo, y.ci_hi, y.median, y.p90, y.p99, y.min, y.max,
                       y.km_median};
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
            ck_assert_msg(same_double(xs[i], ys[i]), "column %zu stat %zu: %.17g vs %.17g", c,
                          i, xs[i], ys[i]);
        ck_assert(x.km_valid == y.km_valid && x.km_median_reached == y.km_median_reached);
        for (int k = 0; k < POR_KM_NQ; k++) {
            const por_km_quantile *p = &x.km_q[k], *q = &y.km_q[k];
            ck_assert(p->reached == q->reached && p->lo_reached == q->lo_reached &&
                      p->hi_reached == q->hi_reached);
            ck_assert(same_double(p->value, q->value) && same_double(p->lo, q->lo) &&
                      same_double(p->hi, q->hi) && same_double(p->end, q->end));
        }
    }
}

/* por_require_judge_table on a table (spilled or not) judges as por_require_judge on the
 * column copied out of the in-memory table. */
static void same_verdicts(const por_metric_table *mem, const por_metric_table *sp)
{
    static const char *const exprs[] = {"detect.p90 <= 0.5s", "detect.median > 1s",
                                        "detect.mean < 3s",   "ratio.p99 >= 0.5",
                                        "wide.p50 <= 1",      "count.mean <= 8"};
    size_t n = por_metric_table_rows(mem);
    double *v = malloc((n + 1) * sizeof *v);
    bool *c = malloc(n + 1);
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        por_require r;
        por_error err = {POR_OK, ""};
        ck_assert_msg(por_require_parse(exprs[i], g_defs, NCOLS, &r, &err) == POR_OK, "%s: %s",
                      exprs[i], err.msg);
        por_metric_table_column(mem, r.col, v, c);
        por_req_result a, b, m;
        por_require_judge(&r, &g_defs[r.col], v, c, n, 3600e9, &a);
        por_require_judge_table(&r, sp, 3600e9, &b);
        por_require_judge_table(&r, mem, 3600e9, &m);
        for (int k = 0; k < 2; k++) {
            const por_req_result *x = k ? &m : &b;
            ck_assert_msg(a.verdict == x->verdict && a.n == x->n && a.runs == x->runs &&
                          same_double(a.estimate, x->estimate) && same_double(a.lo, x->lo) &&
                          same_double(a.hi, x->hi) && same_double(a.threshold, x->threshold),
                          "%s judged differently (n %zu)", exprs[i], n);
        }
        por_require_free(&r);
    }
    free(v);
    free(c);
}

/* Builds N random rows in memory and spilled with WINDOW, and compares the summaries;
 * with OUTPUTS_TOO also every output, the columns read back and the verdicts, else only
 * summary.json (what the sort feeds). */
static void check_rows(size_t n, size_t window, uint64_t distinct, bool outputs_too)
{
    por_metric_table *mem = por_metric_table_create(g_defs, NCOLS);
    por_metric_table *sp = por_metric_table_create(g_defs, NCOLS);
    por_metric_table_spill(sp, window);
    por_metric_cell cells[NCOLS];
    char exact[64];
    for (size_t r = 0; r < n; r++) {
        random_row(cells, exact, distinct);
        uint64_t rep = 3 * r + 7; /* increasing, not contiguous */
        por_metric_table_add_row(mem, rep, cells);
        por_metric_table_add_row(sp, rep, cells);
    }
    ck_assert_uint_eq(por_metric_table_rows(sp), n);
    if (outputs_too) {
        outputs a = {0}, b = {0};
        write_all(mem, &a);
        write_all(sp, &b);
        ck_assert_msg(a.csv_n == b.csv_n && !memcmp(a.csv, b.csv, a.csv_n),
                      "runs.csv differs (n %zu window %zu)", n, window);
        ck_assert_msg(a.censored_n == b.censored_n && !memcmp(a.censored, b.censored, a.censored_n),
                      "censored.csv differs (n %zu window %zu)", n, window);
        ck_assert_msg(a.json_n == b.json_n && !memcmp(a.json, b.json, a.json_n),
                      "summary.json differs (n %zu window %zu)", n, window);
        ck_assert_msg(a.print_n == b.print_n && !memcmp(a.print, b.print, a.print_n),
                      "printed table differs (n %zu window %zu):\n%s\n%s", n, window, a.print,
                      b.print);
        free_outputs(&a);
        free_outputs(&b);
        double *va = malloc((n + 1) * sizeof *va), *vb = malloc((n + 1) * sizeof *vb);
        bool *ca = malloc(n + 1), *cb = malloc(n + 1);
        for (size_t c = 0; c < NCOLS; c++) {
            por_metric_table_column(mem, c, va, ca);
            por_metric_table_column(sp, c, vb, cb);
            for (size_t i = 0; i < n; i++)
                ck_assert(same_double(va[i], vb[i]) && ca[i] == cb[i]);
        }
        free(va);
        free(vb);
        free(ca);
        free(cb);
    }
    if (!outputs_too) {
        outputs a = {0}, b = {0};
        FILE *f = open_memstream(&a.json, &a.json_n);
        ck_assert_int_eq(por_metric_table_write_summary_json(mem, f, NULL), 0);
        fclose(f);
        f = open_memstream(&b.json, &b.json_n);
        ck_assert_int_eq(por_metric_table_write_summary_json(sp, f, NULL), 0);
        fclose(f);
        ck_assert_msg(a.json_n == b.json_n && !memcmp(a.json, b.json, a.json_n),
                      "summary.json differs (n %zu window %zu)", n, window);
        free_outputs(&a);
        free_outputs(&b);
    }
    same_summaries(mem, sp);
    if (outputs_too)
        same_verdicts(mem, sp);
    por_metric_table_destroy(mem);
    por_metric_table_destroy(sp);
}

START_TEST(test_spilled_table_reads_as_in_memory)
{
    g_rng = por_test_seed();
    printf("seed=%llu\n", (unsigned long long)por_test_seed());
    const size_t sizes[] = {0, 1, 2, 5, 7, 8, 100, 1023, 1024, 1025, 3001};
    const size_t windows[] = {1, 7, 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t w = 0; w < 3; w++) {
            check_rows(sizes[i], windows[w], 50, true);
            check_rows(sizes[i], windows[w], 1000000000, true);
        }
}
END_TEST

/* Past the sort's 16384 values in memory: one merge of two runs. */
START_TEST(test_spilled_sort_one_merge)
{
    g_rng = por_test_seed() + 1;
    check_rows(20001, 1024, 1000000000, true);
}
END_TEST

/* Past 16 runs of 16384: a first pass merges 16 runs at a time, a second the results.
 * Values are drawn from 2000 so the Kaplan-Meier curve in summary.json stays short. */
START_TEST(test_spilled_sort_two_merge_passes)
{
    g_rng = por_test_seed() + 2;
    check_rows(17 * 16384 + 3, 4096, 2000, true);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("spill");
    TCase *tc = tcase_create("spill");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_spilled_table_reads_as_in_memory);
    tcase_add_test(tc, test_spilled_sort_one_merge);
    tcase_add_test(tc, test_spilled_sort_two_merge_passes);
    suite_add_tcase(s, tc);
    return s;
}
