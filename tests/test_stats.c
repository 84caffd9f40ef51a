/* Tests of sim/stats: t-interval, type-7 quantiles, Kaplan–Meier (Freireich 6-MP data),
 * number formatting, and byte-exact, deterministic runs.csv / summary.json / table. */
#include "por_test.h"

#include "por/stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* ---- helpers ---------------------------------------------------------------------- */

/* Captures what WRITE puts into a FILE as a malloc'd string (caller frees). */
typedef int (*por__writer)(const por_metric_table *t, FILE *f);

static char *capture(const por_metric_table *t, por__writer write)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(write(t, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static int write_json_tiny(const por_metric_table *t, FILE *f)
{
    return por_metric_table_write_summary_json(t, f, "\"scenario\": \"tiny\", \"seed\": 42");
}

static int print_table(const por_metric_table *t, FILE *f)
{
    por_metric_table_print(t, f);
    return ferror(f) ? -1 : 0;
}

static const por_metric_def g_tiny_defs[] = {
    {"feed_detect", POR_METRIC_DURATION, true, NULL,
     "onset to first on-chain answer showing the shortfall"},
    {"unbacked_minted", POR_METRIC_AMOUNT, false, "tokens",
     "supply minted after onset, before mint_block"},
    {"rounds", POR_METRIC_COUNT, false, "rounds", NULL},
    {"ratio", POR_METRIC_RATIO, false, NULL, "a \"quoted\" help"},
};

/* The tiny 2-row table; rows added in the order given by REVERSED. */
static por_metric_table *tiny_table(bool reversed)
{
    por_metric_table *t = por_metric_table_create(g_tiny_defs, 4);
    por_metric_cell r0[] = {{true, false, 0, 12500000000LL, NULL},
                            {true, false, 1.2345678901234568e23, 0, "123456789012345678901234.5"},
                            {true, false, 42, 0, NULL},
                            {true, false, 0.92, 0, NULL}};
    por_metric_cell r1[] = {{true, true, 0, 20000000000LL, NULL}, /* censored at 20 s */
                            {true, false, 1e6, 0, NULL},
                            {false, false, 0, 0, NULL}, /* absent */
                            {true, false, 1.0 / 3, 0, NULL}};
    if (reversed) {
        por_metric_table_add_row(t, 1, r1);
        por_metric_table_add_row(t, 0, r0);
    } else {
        por_metric_table_add_row(t, 0, r0);
        por_metric_table_add_row(t, 1, r1);
    }
    return t;
}

static const char g_tiny_csv[] =
    "replication,feed_detect,unbacked_minted,rounds,ratio\n"
    "0,12.500000000,123456789012345678901234.5,42,0.92\n"
    "1,,1000000,,0.3333333333333333\n";

static const char g_tiny_json[] =
    "{\n"
    "  \"scenario\": \"tiny\", \"seed\": 42,\n"
    "  \"replications\": 2,\n"
    "  \"metrics\": {\n"
    "    \"feed_detect\": {\n"
    "      \"kind\": \"duration\",\n"
    "      \"unit\": \"s\",\n"
    "      \"help\": \"onset to first on-chain answer showing the shortfall\",\n"
    "      \"censorable\": true,\n"
    "      \"n\": 1,\n"
    "      \"censored\": 1,\n"
    "      \"missing\": 0,\n"
    "      \"mean\": 12.5,\n"
    "      \"sd\": null,\n"
    "      \"ci95\": null,\n"
    "      \"median\": 12.5,\n"
    "      \"p90\": 12.5,\n"
    "      \"p99\": 12.5,\n"
    "      \"min\": 12.5,\n"
    "      \"max\": 12.5,\n"
    "      \"km_median\": 12.5,\n"
    "      \"km_median_reached\": true,\n"
    "      \"km_curve\": [[0, 1], [12.5, 0.5], [20, 0.5]],\n"
    /* Greenwood at 12.5: n = 2, d = 1, se = .5 sqrt(1/2) = .354: S - 1.96 se < .1 there,
     * S + 1.96 se > .5 everywhere, S never falls to .1 (hand derivation). */
    "      \"km_p50\": {\"estimate\": 12.5, \"ci95\": [12.5, null], \"beyond_horizon\": false},\n"
    "      \"km_p90\": {\"estimate\": null, \"ci95\": [12.5, null], \"beyond_horizon\": true},\n"
    "      \"km_p99\": {\"estimate\": null, \"ci95\": [12.5, null], \"beyond_horizon\": true}\n"
    "    },\n"
    "    \"unbacked_minted\": {\n"
    "      \"kind\": \"amount\",\n"
    "      \"unit\": \"tokens\",\n"
    "      \"help\": \"supply minted after onset, before mint_block\",\n"
    "      \"censorable\": false,\n"
    "      \"n\": 2,\n"
    "      \"censored\": 0,\n"
    "      \"missing\": 0,\n"
    "      \"mean\": 6.172839450617284e+22,\n"
    "      \"sd\": 8.729713269414648e+22,\n"
    "      \"ci95\": [-7.226052241246204e+23, 8.460620131369662e+23],\n"
    "      \"median\": 6.172839450617284e+22,\n"
    "      \"p90\": 1.1111111011111112e+23,\n"
    "      \"p99\": 1.2222222112222223e+23,\n"
    "      \"min\": 1000000,\n"
    "      \"max\": 1.2345678901234569e+23\n"
    "    },\n"
    "    \"rounds\": {\n"
    "      \"kind\": \"count\",\n"
    "      \"unit\": \"rounds\",\n"
    "      \"help\": null,\n"
    "      \"censorable\": false,\n"
    "      \"n\": 1,\n"
    "      \"censored\": 0,\n"
    "      \"missing\": 1,\n"
    "      \"mean\": 42,\n"
    "      \"sd\": null,\n"
    "      \"ci95\": null,\n"
    "      \"median\": 42,\n"
    "      \"p90\": 42,\n"
    "      \"p99\": 42,\n"
    "      \"min\": 42,\n"
    "      \"max\": 42\n"
    "    },\n"
    "    \"ratio\": {\n"
    "      \"kind\": \"ratio\",\n"
    "      \"unit\": null,\n"
    "      \"help\": \"a \\\"quoted\\\" help\",\n"
    "      \"censorable\": false,\n"
    "      \"n\": 2,\n"
    "      \"censored\": 0,\n"
    "      \"missing\": 0,\n"
    "      \"mean\": 0.6266666666666667,\n"
    "      \"sd\": 0.4148359782961079,\n"
    "      \"ci95\": [-3.100486722611244, 4.353820055944578],\n"
    "      \"median\": 0.6266666666666667,\n"
    "      \"p90\": 0.8613333333333333,\n"
    "      \"p99\": 0.9141333333333332,\n"
    "      \"min\": 0.3333333333333333,\n"
    "      \"max\": 0.92\n"
    "    }\n"
    "  }\n"
    "}\n";

static const char g_tiny_table[] =
    "metric           n  censored       mean                   95% CI  median (obs)  p90 (obs)"
    "        max  KM p50          KM p90           KM p90 95% CI  unit\n"
    "--------------------------------------------------------------------------------------"
    "----------------------------------------------------------------------\n"
    "feed_detect      1         1       12.5                        -          12.5       12.5"
    "       12.5    12.5  beyond horizon  [12.5, beyond horizon]  s\n"
    "unbacked_minted  2         -  6.173e+22  [-7.226e+23, 8.461e+23]     6.173e+22  1.111e+23"
    "  1.235e+23       -               -                       -  tokens\n"
    "rounds           1         -         42                        -            42         42"
    "         42       -               -                       -  rounds\n"
    "ratio            2         -     0.6267            [-3.1, 4.354]        0.6267     0.8613"
    "       0.92       -               -                       -  \n";

/* ---- descriptive statistics ------------------------------------------------------- */

START_TEST(test_t_interval_known_sample)
{
    /* Hand-computed: mean 10.95, sd 1.453921899170959, t(0.975, 9) = 2.262157,
     * half-width 2.262157 * sd / sqrt(10) = 1.040073 -> [9.909927, 11.990073]. */
    const double x[10] = {12.1, 9.8, 11.4, 10.2, 13.7, 8.9, 10.5, 12.3, 11.0, 9.6};
    por_summary s;
    por_summary_of(x, NULL, 10, &s);
    ck_assert_uint_eq(s.n, 10);
    ck_assert_uint_eq(s.censored, 0);
    ck_assert_uint_eq(s.missing, 0);
    ck_assert_double_eq_tol(s.mean, 10.95, 1e-12);
    ck_assert_double_eq_tol(s.sd, 1.453921899170959, 1e-12);
    double half = 2.262157 * 1.453921899170959 / sqrt(10.0);
    ck_assert_double_eq_tol(s.ci_lo, 10.95 - half, 1e-6);
    ck_assert_double_eq_tol(s.ci_hi, 10.95 + half, 1e-6);
    ck_assert_double_eq_tol(s.ci_lo, 9.909927, 1e-6);
    ck_assert_double_eq_tol(s.ci_hi, 11.990073, 1e-6);
    ck_assert_double_eq(s.min, 8.9);
    ck_assert_double_eq(s.max, 13.7);
    ck_assert(!s.km_valid);
}
END_TEST

START_TEST(test_quantiles_type7)
{
    /* 1..10: median 5.5, p90 at h = 8.1 -> 9.1, p99 at h = 8.91 -> 9.91. */
    double a[10];
    for (int i = 0; i < 10; i++)
        a[i] = 10 - i; /* unsorted on purpose */
    por_summary s;
    por_summary_of(a, NULL, 10, &s);
    ck_assert_double_eq_tol(s.median, 5.5, 1e-12);
    ck_assert_double_eq_tol(s.p90, 9.1, 1e-12);
    ck_assert_double_eq_tol(s.p99, 9.91, 1e-12);

    /* {3,1,4,1,5,9,2,6} sorted 1 1 2 3 4 5 6 9: median h=3.5 -> 3.5; p90 h=6.3 -> 6.9;
     * p99 h=6.93 -> 8.79 (R: quantile(x, c(.5,.9,.99), type = 7)). */
    const double b[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    por_summary_of(b, NULL, 8, &s);
    ck_assert_double_eq_tol(s.median, 3.5, 1e-12);
    ck_assert_double_eq_tol(s.p90, 6.9, 1e-12);
    ck_assert_double_eq_tol(s.p99, 8.79, 1e-12);
    ck_assert_double_eq_tol(s.mean, 31.0 / 8, 1e-12);
}
END_TEST

START_TEST(test_summary_small_and_missing)
{
    por_summary s;
    por_summary_of(NULL, NULL, 0, &s);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(isnan(s.mean) && isnan(s.sd) && isnan(s.ci_lo) && isnan(s.median));

    const double one[1] = {7.0};
    por_summary_of(one, NULL, 1, &s);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_double_eq(s.mean, 7.0);
    ck_assert_double_eq(s.median, 7.0);
    ck_assert_double_eq(s.p99, 7.0);
    ck_assert(isnan(s.sd) && isnan(s.ci_lo) && isnan(s.ci_hi));

    /* Censored values never enter the mean; non-finite observations are missing. */
    const double v[6] = {1.0, 3.0, 1000.0, NAN, INFINITY, NAN};
    const bool c[6] = {false, false, true, false, false, true};
    por_summary_of(v, c, 6, &s);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(s.censored, 2);
    ck_assert_uint_eq(s.missing, 2);
    ck_assert_double_eq(s.mean, 2.0);
    ck_assert_double_eq(s.max, 3.0);
    /* t(0.975, 1) = 12.706204736; sd = sqrt(2); half = 12.7062 * sqrt(2)/sqrt(2). */
    ck_assert_double_eq_tol(s.ci_hi, 2.0 + 12.706204736174698, 1e-9);
    ck_assert(s.km_valid);
    /* KM: 1 (r=4 -> .75), 3 (r=3 -> .5): median 3. */
    ck_assert(s.km_median_reached);
    ck_assert_double_eq(s.km_median, 3.0);
}
END_TEST

/* ---- Kaplan–Meier ----------------------------------------------------------------- */

/* Freireich et al. (1963) 6-MP arm, remission weeks; censored marked. */
static const double g_mp6_t[21] = {6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16,
                                   17, 19, 20, 22, 23, 25, 32, 32, 34, 35};
static const bool g_mp6_c[21] = {0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1};

START_TEST(test_km_6mp)
{
    por_km_point curve[22];
    size_t np = por_km_curve(g_mp6_t, g_mp6_c, 21, curve);
    /* start + 7 event times + end-of-support mark at 35 */
    ck_assert_uint_eq(np, 9);
    ck_assert_double_eq(curve[0].t, 0.0);
    ck_assert_double_eq(curve[0].survival, 1.0);
    ck_assert_uint_eq(curve[0].at_risk, 21);

    const double t[7] = {6, 7, 10, 13, 16, 22, 23};
    const double textbook[7] = {0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448};
    /* Exact products of (r - d) / r, computed with rationals. */
    const double exact[7] = {0.8571428571428571, 0.8067226890756303, 0.7529411764705882,
                             0.6901960784313725, 0.6274509803921569, 0.5378151260504201,
                             0.4481792717086835};
    const size_t at_risk[7] = {21, 17, 15, 12, 11, 7, 6};
    const size_t events[7] = {3, 1, 1, 1, 1, 1, 1};
    for (int i = 0; i < 7; i++) {
        ck_assert_double_eq(curve[i + 1].t, t[i]);
        ck_assert_double_eq_tol(curve[i + 1].survival, textbook[i], 5e-4);
        ck_assert_double_eq_tol(curve[i + 1].survival, exact[i], 1e-12);
        ck_assert_uint_eq(curve[i + 1].at_risk, at_risk[i]);
        ck_assert_uint_eq(curve[i + 1].events, events[i]);
    }
    ck_assert_double_eq(curve[8].t, 35.0);
    ck_assert_uint_eq(curve[8].events, 0);
    ck_assert_uint_eq(curve[8].at_risk, 1);
    ck_assert_double_eq_tol(curve[8].survival, exact[6], 1e-12);

    double med = 0;
    ck_assert(por_km_median(curve, np, &med));
    ck_assert_double_eq(med, 23.0);

    /* Same answer whatever the input order. */
    double rt[21];
    bool rc[21];
    for (int i = 0; i < 21; i++) {
        rt[i] = g_mp6_t[20 - i];
        rc[i] = g_mp6_c[20 - i];
    }
    por_km_point curve2[22];
    ck_assert_uint_eq(por_km_curve(rt, rc, 21, curve2), np);
    ck_assert_mem_eq(curve, curve2, np * sizeof *curve);

    por_summary s;
    por_summary_of(g_mp6_t, g_mp6_c, 21, &s);
    ck_assert_uint_eq(s.n, 9);
    ck_assert_uint_eq(s.censored, 12);
    ck_assert(s.km_valid && s.km_median_reached);
    ck_assert_double_eq(s.km_median, 23.0);
}
END_TEST

START_TEST(test_km_edges)
{
    por_km_point curve[8];
    double med = -1;

    /* No censoring: S steps 3/4, 1/2 (a product 3/4 * 2/3 that must count as 1/2). */
    const double t4[4] = {4, 3, 2, 1};
    size_t np = por_km_curve(t4, NULL, 4, curve);
    ck_assert_uint_eq(np, 5);
    ck_assert_double_eq_tol(curve[2].survival, 0.5, 1e-15);
    ck_assert_double_eq(curve[4].survival, 0.0);
    ck_assert(por_km_median(curve, np, &med));
    ck_assert_double_eq(med, 2.0);

    /* 24 distinct event times: the product (23/24)(22/23)...(12/13) is exactly 1/2 but
     * rounds to 0.5000000000000001; the median is still 12. */
    double t24[24];
    por_km_point c24[25];
    for (int i = 0; i < 24; i++)
        t24[i] = i + 1;
    np = por_km_curve(t24, NULL, 24, c24);
    ck_assert_uint_eq(np, 25);
    ck_assert(por_km_median(c24, np, &med));
    ck_assert_double_eq(med, 12.0);

    /* Censored with no time (NaN) = censored at +infinity: at risk throughout, no end
     * mark. 1 (r=4, .75), 2 (r=3, .5) -> median 2. */
    const double tn[4] = {1, 2, NAN, INFINITY};
    const bool cn[4] = {false, false, true, true};
    np = por_km_curve(tn, cn, 4, curve);
    ck_assert_uint_eq(np, 3);
    ck_assert_uint_eq(curve[2].at_risk, 3);
    ck_assert(por_km_median(curve, np, &med));
    ck_assert_double_eq(med, 2.0);

    /* All censored: flat curve, median never reached. */
    const double tc[3] = {5, 7, 9};
    const bool cc[3] = {true, true, true};
    np = por_km_curve(tc, cc, 3, curve);
    ck_assert_uint_eq(np, 2);
    ck_assert_double_eq(curve[1].t, 9.0);
    ck_assert_double_eq(curve[1].survival, 1.0);
    ck_assert(!por_km_median(curve, np, &med));
    ck_assert(isnan(med));

    /* Survival stops above one half. */
    const double th[4] = {1, 8, 9, 10};
    const bool ch[4] = {false, true, true, true};
    np = por_km_curve(th, ch, 4, curve);
    ck_assert(!por_km_median(curve, np, &med));

    /* Nothing at all. */
    np = por_km_curve(NULL, NULL, 0, curve);
    ck_assert_uint_eq(np, 1);
    ck_assert_uint_eq(curve[0].at_risk, 0);
    ck_assert(!por_km_median(curve, np, &med));
}
END_TEST

/* ---- number formatting ------------------------------------------------------------ */

START_TEST(test_format_numbers)
{
    char b[64];
    ck_assert_str_eq(por_format_ns_seconds(12500000000LL, b, sizeof b), "12.500000000");
    ck_assert_str_eq(por_format_ns_seconds(0, b, sizeof b), "0.000000000");
    ck_assert_str_eq(por_format_ns_seconds(-1, b, sizeof b), "-0.000000001");
    ck_assert_str_eq(por_format_ns_seconds(INT64_MIN, b, sizeof b), "-9223372036.854775808");
    ck_assert_str_eq(por_format_ns_seconds(INT64_MAX, b, sizeof b), "9223372036.854775807");

    ck_assert_str_eq(por_format_double(0.1, b, sizeof b), "0.1");
    ck_assert_str_eq(por_format_double(-0.0, b, sizeof b), "0");
    ck_assert_str_eq(por_format_double(12.5, b, sizeof b), "12.5");
    ck_assert_str_eq(por_format_double(1e6, b, sizeof b), "1000000");
    ck_assert_str_eq(por_format_double(1e20, b, sizeof b), "100000000000000000000");
    ck_assert_str_eq(por_format_double(1e21, b, sizeof b), "1e+21");
    ck_assert_str_eq(por_format_double(1.5e-7, b, sizeof b), "1.5e-07");
    ck_assert_str_eq(por_format_double(1.0 / 3, b, sizeof b), "0.3333333333333333");
    ck_assert_str_eq(por_format_double(NAN, b, sizeof b), "null");
    ck_assert_str_eq(por_format_double(-INFINITY, b, sizeof b), "null");
    ck_assert_str_eq(por_format_double(DBL_MAX, b, sizeof b), "1.7976931348623157e+308");
    ck_assert_str_eq(por_format_double(5e-324, b, sizeof b), "5e-324");
}
END_TEST

START_TEST(test_format_double_round_trips)
{
    /* Random bit patterns: every finite double reads back exactly. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)por_test_seed());
    char b[64];
    int checked = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = ((uint64_t)gsl_rng_get(r) << 32) ^ (uint64_t)gsl_rng_get(r);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        por_format_double(x, b, sizeof b);
        ck_assert_msg(strtod(b, NULL) == x, "%s does not read back", b);
        ck_assert_msg(strlen(b) <= 24, "%s too long", b);
        checked++;
    }
    ck_assert_int_gt(checked, 190000);
    gsl_rng_free(r);
}
END_TEST

/* ---- writers ---------------------------------------------------------------------- */

START_TEST(test_csv_exact)
{
    por_metric_table *t = tiny_table(true);
    ck_assert_uint_eq(por_metric_table_rows(t), 2);
    char *a = capture(t, por_metric_table_write_csv);
    ck_assert_str_eq(a, g_tiny_csv);
    char *b = capture(t, por_metric_table_write_csv); /* twice: same bytes */
    ck_assert_str_eq(a, b);
    por_metric_table *u = tiny_table(false); /* other insertion order: same bytes */
    char *c = capture(u, por_metric_table_write_csv);
    ck_assert_str_eq(a, c);
    free(a);
    free(b);
    free(c);
    por_metric_table_destroy(t);
    por_metric_table_destroy(u);
}
END_TEST

/* censored.csv of a run directory: the censored cell (replication 1, feed_detect at
 * 20 s) is listed, the absent one (replication 1, rounds) is not; a censoring time
 * unknown (+infinity) is an empty cell. */
START_TEST(test_censored_csv)
{
    por_metric_table *t = tiny_table(true);
    char *a = capture(t, por_metric_table_write_censored_csv);
    ck_assert_str_eq(a, "replication,metric,censored_at\n1,feed_detect,20.000000000\n");
    por_metric_cell inf[] = {{false, true, 0, 0, NULL}, /* censored, time unknown */
                             {true, false, 1, 0, NULL},
                             {true, false, 1, 0, NULL},
                             {true, false, 1, 0, NULL}};
    por_metric_table_add_row(t, 2, inf);
    char *b = capture(t, por_metric_table_write_censored_csv);
    ck_assert_str_eq(b, "replication,metric,censored_at\n1,feed_detect,20.000000000\n"
                        "2,feed_detect,\n");
    free(a);
    free(b);
    por_metric_table_destroy(t);
}
END_TEST

START_TEST(test_json_exact)
{
    por_metric_table *t = tiny_table(true);
    por_metric_table *u = tiny_table(false);
    char *a = capture(t, write_json_tiny);
    char *b = capture(t, write_json_tiny);
    char *c = capture(u, write_json_tiny);
    ck_assert_str_eq(a, g_tiny_json);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, c);

    /* It is valid JSON with the values we expect. */
    cJSON *root = cJSON_Parse(a);
    ck_assert_ptr_nonnull(root);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    const cJSON *fd = cJSON_GetObjectItemCaseSensitive(m, "feed_detect");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(fd, "sd")));
    ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(fd, "km_median")->valuedouble, 12.5);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fd, "km_curve")), 3);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "seed")->valueint, 42);
    cJSON_Delete(root);
    free(a);
    free(b);
    free(c);
    por_metric_table_destroy(t);
    por_metric_table_destroy(u);
}
END_TEST

START_TEST(test_json_never_nan)
{
    /* Columns with nothing observed and everything censored. */
    const por_metric_def defs[] = {
        {"mint_block", POR_METRIC_DURATION, true, NULL, NULL},
        {"staleness", POR_METRIC_RATIO, false, "x", NULL},
    };
    por_metric_table *t = por_metric_table_create(defs, 2);
    for (uint64_t r = 0; r < 3; r++) {
        por_metric_cell cells[2] = {{r == 1, true, 0, 86400000000000LL, NULL},
                                    {true, false, r == 0 ? NAN : INFINITY, 0, NULL}};
        por_metric_table_add_row(t, r, cells);
    }
    char *j = capture(t, write_json_tiny);
    for (char *p = j; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    ck_assert_ptr_null(strstr(j, "nan"));
    ck_assert_ptr_null(strstr(j, "inf"));
    cJSON *root = cJSON_Parse(j);
    ck_assert_ptr_nonnull(root);
    const cJSON *mb = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "metrics"), "mint_block");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(mb, "n")->valueint, 0);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(mb, "censored")->valueint, 3);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(mb, "mean")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(mb, "km_median")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(mb, "km_median_reached")));
    cJSON_Delete(root);
    free(j);

    char *csv = capture(t, por_metric_table_write_csv);
    ck_assert_str_eq(csv, "replication,mint_block,staleness\n0,,\n1,,\n2,,\n");
    free(csv);
    por_metric_table_destroy(t);
}
END_TEST

START_TEST(test_print_table)
{
    por_metric_table *t = tiny_table(false);
    char *a = capture(t, print_table);
    ck_assert_str_eq(a, g_tiny_table);
    free(a);
    por_metric_table_destroy(t);

    /* Durations are shown in a unit that fits. */
    const int64_t hour = 3600000000000LL;
    const struct { int64_t ns; const char *unit; } cases[] = {
        {250000000LL, "ms"}, {12500000000LL, "s"}, {90 * 60000000000LL, "min"},
        {3 * hour, "h"},     {72 * hour, "d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const por_metric_def d = {"lag", POR_METRIC_DURATION, false, NULL, NULL};
        por_metric_table *u = por_metric_table_create(&d, 1);
        por_metric_cell cell = {true, false, 0, cases[i].ns, NULL};
        por_metric_table_add_row(u, 0, &cell);
        char *s = capture(u, print_table);
        const char *last = strrchr(s, ' ');
        ck_assert_ptr_nonnull(last);
        char want[16];
        snprintf(want, sizeof want, " %s\n", cases[i].unit);
        ck_assert_msg(strcmp(last - 0, want) == 0, "case %zu: %s", i, s);
        free(s);
        por_metric_table_destroy(u);
    }
}
END_TEST

START_TEST(test_writer_errors)
{
    const por_metric_def d = {"x", POR_METRIC_COUNT, false, NULL, NULL};
    por_metric_table *t = por_metric_table_create(&d, 1);
    por_metric_cell cell = {true, false, 1, 0, NULL};
    por_metric_table_add_row(t, 0, &cell);

    /* A stream that cannot be written. */
    FILE *ro = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(ro);
    errno = 0;
    ck_assert_int_eq(por_metric_table_write_csv(t, ro), -1);
    ck_assert_int_ne(errno, 0);
    errno = 0;
    ck_assert_int_eq(por_metric_table_write_summary_json(t, ro, NULL), -1);
    ck_assert_int_ne(errno, 0);
    fclose(ro);

    /* Two rows for one replication. */
    por_metric_table_add_row(t, 0, &cell);
    FILE *dn = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(dn);
    errno = 0;
    ck_assert_int_eq(por_metric_table_write_csv(t, dn), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(por_metric_table_write_summary_json(t, dn, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    fclose(dn);
    por_metric_table_destroy(t);
}
END_TEST

START_TEST(test_table_accessors_and_quoting)
{
    const por_metric_def defs[] = {
        {"a,b", POR_METRIC_AMOUNT, false, "USD", NULL},
        {"q\"x", POR_METRIC_COUNT, false, NULL, NULL},
    };
    por_metric_table *t = por_metric_table_create(defs, 2);
    ck_assert_uint_eq(por_metric_table_cols(t), 2);
    ck_assert_int_eq(por_metric_table_find(t, "q\"x"), 1);
    ck_assert_int_eq(por_metric_table_find(t, "nope"), -1);
    ck_assert_str_eq(por_metric_table_def(t, 0)->unit, "USD");
    char exact[] = "12.50";
    por_metric_cell cells[2] = {{true, false, 12.5, 0, exact}, {true, false, 3, 0, NULL}};
    por_metric_table_add_row(t, 7, cells);
    exact[0] = '9'; /* the table keeps its own copy */
    char *csv = capture(t, por_metric_table_write_csv);
    ck_assert_str_eq(csv, "replication,\"a,b\",\"q\"\"x\"\n7,12.50,3\n");
    free(csv);
    por_metric_table_destroy(t);
}
END_TEST

/* Kaplan–Meier quantiles with Brookmeyer–Crowley CIs (plain Greenwood) on the 6-MP arm.
 * Hand derivation (d/n at each event time; Greenwood sum g = sum d/(n(n-d));
 * se = S sqrt(g); z = 1.96):
 *   t=6  S=18/21=.857143 g=.0079365 se=.076360  S-z se=.707 S+z se=1.007
 *   t=7  S=.806723       g=.0116129 se=.086934
 *   t=10 S=.752941       g=.0163748 se=.096350  S-z se=.564
 *   t=13 S=.690196       g=.0239506 se=.106815  S-z se=.481 S+z se=.900
 *   t=16 S=.627451       g=.0330415 se=.114054              S+z se=.851
 *   t=22 S=.537815       g=.0568510 se=.128234              S+z se=.789
 *   t=23 S=.448179       g=.0901844 se=.134591              S+z se=.712
 * p50 (S <= .5): 23; lower limit (S - z se <= .5) 13; upper limit never: beyond horizon
 *   (R: quantile(survfit(Surv(t, d) ~ 1), conf.type = "plain") gives 23, 13, NA).
 * p25 (S <= .75): 13; lower limit 6 (.707 <= .75); upper limit 23 (.712 <= .75).
 * p90 (S <= .1): never reached, and neither is its lower limit (min S - z se = .184). */
START_TEST(test_km_quantiles_6mp)
{
    por_km_point curve[22];
    size_t np = por_km_curve(g_mp6_t, g_mp6_c, 21, curve);
    por_km_quantile q;
    por_km_quantile_of(curve, np, 0.5, &q);
    ck_assert(q.reached && q.lo_reached && !q.hi_reached);
    ck_assert_double_eq(q.value, 23.0);
    ck_assert_double_eq(q.lo, 13.0);
    ck_assert(isnan(q.hi));
    ck_assert_double_eq(q.end, 35.0);

    por_km_quantile_of(curve, np, 0.25, &q);
    ck_assert(q.reached && q.lo_reached && q.hi_reached);
    ck_assert_double_eq(q.value, 13.0);
    ck_assert_double_eq(q.lo, 6.0);
    ck_assert_double_eq(q.hi, 23.0);

    por_km_quantile_of(curve, np, 0.9, &q);
    ck_assert(!q.reached && !q.lo_reached && !q.hi_reached);
    ck_assert(isnan(q.value));

    /* por_summary_of carries p50, p90, p99; p50 equals km_median. */
    por_summary s;
    por_summary_of(g_mp6_t, g_mp6_c, 21, &s);
    ck_assert(s.km_valid);
    ck_assert_double_eq(s.km_q[0].p, 0.5);
    ck_assert_double_eq(s.km_q[0].value, s.km_median);
    ck_assert(!s.km_q[1].reached && !s.km_q[2].reached);
}
END_TEST

/* Without censoring the estimate is the inverse empirical CDF and se is binomial:
 * x = 1..10, p90: S(9) = 0.1 exactly (product of rounded factors), so p90 = 9;
 * at t = 8, S = .2, se = sqrt(.2 * .8 / 10) = .126, S - z se = -.048 <= .1: lower 8;
 * at t = 7, S = .3, se = .1449, S - z se = .016 <= .1: lower 7; at t = 6, S = .4,
 * se = .1549, S - z se = .096 <= .1: lower limit 6. Upper: S + z se <= .1 first at t = 10
 * (S = 0, se = 0). The p90 "plain" quantile is 9, CI [6, 10]. */
START_TEST(test_km_quantiles_uncensored)
{
    double x[10];
    bool c[10] = {0};
    for (int i = 0; i < 10; i++)
        x[i] = 10 - i;
    por_km_point curve[11];
    size_t np = por_km_curve(x, c, 10, curve);
    por_km_quantile q;
    por_km_quantile_of(curve, np, 0.9, &q);
    ck_assert(q.reached && q.lo_reached && q.hi_reached);
    ck_assert_double_eq(q.value, 9.0);
    ck_assert_double_eq(q.lo, 6.0);
    ck_assert_double_eq(q.hi, 10.0);
    /* The median: S(5) = .5 exactly. */
    por_km_quantile_of(curve, np, 0.5, &q);
    ck_assert_double_eq(q.value, 5.0);
    /* Nothing at all: every limit beyond. */
    por_km_quantile_of(curve, 0, 0.5, &q);
    ck_assert(!q.reached && !q.lo_reached && !q.hi_reached);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("summary");
    tcase_add_test(tc, test_t_interval_known_sample);
    tcase_add_test(tc, test_quantiles_type7);
    tcase_add_test(tc, test_summary_small_and_missing);
    suite_add_tcase(s, tc);
    tc = tcase_create("km");
    tcase_add_test(tc, test_km_6mp);
    tcase_add_test(tc, test_km_quantiles_6mp);
    tcase_add_test(tc, test_km_quantiles_uncensored);
    tcase_add_test(tc, test_km_edges);
    suite_add_tcase(s, tc);
    tc = tcase_create("format");
    tcase_add_test(tc, test_format_numbers);
    tcase_add_test(tc, test_format_double_round_trips);
    suite_add_tcase(s, tc);
    tc = tcase_create("writers");
    tcase_add_test(tc, test_csv_exact);
    tcase_add_test(tc, test_json_exact);
    tcase_add_test(tc, test_censored_csv);
    tcase_add_test(tc, test_json_never_nan);
    tcase_add_test(tc, test_print_table);
    tcase_add_test(tc, test_writer_errors);
    tcase_add_test(tc, test_table_accessors_and_quoting);
    suite_add_tcase(s, tc);
    return s;
}
