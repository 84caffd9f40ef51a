/* The distribution sampler (sim/core/sample.c, por/sample.h) against GSL: for every
 * distribution the schema offers, 10^6 draws pass a Kolmogorov-Smirnov test against
 * GSL's CDF (gsl_cdf_*_P) and a two-sample test against GSL's own sampler (gsl_ran_*);
 * the tail cells return GSL's exact quantiles (gsl_cdf_*_Pinv/Qinv) down to
 * probabilities of 4e-19; the extreme-quantile frequencies are binomial; normal
 * distributions are truncated at 0 (conditioned, not clamped). Every message names the
 * seed (POR_TEST_SEED reruns it). */
#include "por_test.h"

#include "por/rng.h"
#include "por/sample.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_DRAWS 1000000
/* KS critical value sqrt(n) * D for p = 1e-4 (Kolmogorov distribution: about 2.23), so a
 * correct sampler fails one test in 10^4 seeds; the table's interpolation error (below
 * 1e-5 in CDF, por/sample.h) is far under the 2.2e-3 this allows at n = 10^6. */
#define KS_CRIT 2.23

typedef struct {
    const char *name;
    por_dist_kind kind;
    double a, b;  /* the sampler's parameters (see por_sampler) */
    bool amount;  /* build with por_sampler_init_amount */
} dist_case;

/* GSL's CDF of the case's distribution (truncated at 0 for the normal). */
static double cdf(const dist_case *c, double x)
{
    switch (c->kind) {
    case POR_DIST_NORMAL: {
        double lo = gsl_cdf_gaussian_P(-c->a, c->b), mass = gsl_cdf_gaussian_Q(-c->a, c->b);
        return x < 0 ? 0 : (gsl_cdf_gaussian_P(x - c->a, c->b) - lo) / mass;
    }
    case POR_DIST_LOGNORMAL:
        return gsl_cdf_lognormal_P(x, log(c->a), c->b);
    case POR_DIST_EXPONENTIAL:
        return gsl_cdf_exponential_P(x, c->a);
    case POR_DIST_PARETO:
        return gsl_cdf_pareto_P(x, c->b, c->a);
    case POR_DIST_UNIFORM: /* integers in [a, b]: P(X <= x) */
        return x < c->a ? 0 : x >= c->b ? 1 : (floor(x) - c->a + 1) / (c->b - c->a + 1);
    default:
        return 0;
    }
}

/* GSL's quantile at lower-tail U or upper-tail P = 1 - U (the tail side is used). */
static double quantile(const dist_case *c, double u, double p, bool upper)
{
    switch (c->kind) {
    case POR_DIST_NORMAL: {
        double lo = gsl_cdf_gaussian_P(-c->a, c->b), mass = gsl_cdf_gaussian_Q(-c->a, c->b);
        return c->a + (upper ? gsl_cdf_gaussian_Qinv(p * mass, c->b)
                             : gsl_cdf_gaussian_Pinv(lo + u * mass, c->b));
    }
    case POR_DIST_LOGNORMAL:
        return upper ? gsl_cdf_lognormal_Qinv(p, log(c->a), c->b)
                     : gsl_cdf_lognormal_Pinv(u, log(c->a), c->b);
    case POR_DIST_EXPONENTIAL:
        return upper ? gsl_cdf_exponential_Qinv(p, c->a) : gsl_cdf_exponential_Pinv(u, c->a);
    case POR_DIST_PARETO:
        return upper ? gsl_cdf_pareto_Qinv(p, c->b, c->a) : gsl_cdf_pareto_Pinv(u, c->b, c->a);
    default:
        return 0;
    }
}

/* GSL's own draw of the case's distribution (normal truncated by rejection). */
static double gsl_draw(const dist_case *c, gsl_rng *r)
{
    switch (c->kind) {
    case POR_DIST_NORMAL:
        for (;;) {
            double x = c->a + gsl_ran_gaussian(r, c->b);
            if (x >= 0)
                return x;
        }
    case POR_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, log(c->a), c->b);
    case POR_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, c->a);
    case POR_DIST_PARETO:
        return gsl_ran_pareto(r, c->b, c->a);
    case POR_DIST_UNIFORM:
        return c->a + (double)gsl_rng_uniform_int(r, (unsigned long)(c->b - c->a + 1));
    default:
        return 0;
    }
}

static void build(por_sampler *s, const dist_case *c)
{
    if (c->amount) {
        por_amount_dist d;
        memset(&d, 0, sizeof d);
        d.kind = c->kind;
        d.median = d.mean = d.scale = d.min = (por_amount)c->a;
        d.max = (por_amount)c->b;
        d.sigma = d.shape = c->b;
        por_sampler_init_amount(s, &d);
        return;
    }
    por_duration_dist d;
    memset(&d, 0, sizeof d);
    d.kind = c->kind;
    d.mean = d.median = d.scale = d.min = (por_time_t)c->a;
    d.max = d.sd = (por_time_t)c->b;
    d.sigma = d.shape = c->b;
    por_sampler_init_duration(s, &d);
}

static double draw(const por_sampler *s, const dist_case *c, gsl_rng *r)
{
    return c->amount ? (double)por_sample_amount(s, r) : (double)por_sample_duration(s, r);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static const dist_case cases[] = {
    /* the library's latency shapes, in ns */
    {"lognormal 80ms sigma 0.5", POR_DIST_LOGNORMAL, 80e6, 0.5, false},
    {"lognormal 300ms sigma 1.5", POR_DIST_LOGNORMAL, 300e6, 1.5, false},
    {"exponential mean 70ms", POR_DIST_EXPONENTIAL, 70e6, 0, false},
    {"pareto scale 40ms shape 3", POR_DIST_PARETO, 40e6, 3.0, false},
    {"pareto scale 40ms shape 1.1", POR_DIST_PARETO, 40e6, 1.1, false},
    {"normal 80ms sd 20ms (truncation negligible)", POR_DIST_NORMAL, 80e6, 20e6, false},
    {"normal 5ms sd 10ms (truncated at 0)", POR_DIST_NORMAL, 5e6, 10e6, false},
    {"normal -20ms sd 10ms (deep truncation)", POR_DIST_NORMAL, -20e6, 10e6, false},
    {"uniform [10ms, 90ms]", POR_DIST_UNIFORM, 10e6, 90e6, false},
    /* amounts: mint sizes, and one far beyond int64 (the table in units of 2^shift) */
    {"amount lognormal 100000 sigma 1", POR_DIST_LOGNORMAL, 1e5, 1.0, true},
    {"amount lognormal 1e24 sigma 1", POR_DIST_LOGNORMAL, 1e24, 1.0, true},
    {"amount exponential mean 5e6", POR_DIST_EXPONENTIAL, 5e6, 0, true},
    {"amount pareto scale 1000 shape 2", POR_DIST_PARETO, 1000, 2.0, true},
    /* too wide for a table (inner quantiles 1e10 apart, above 2^62): exact inversion */
    {"amount pareto scale 1e9 shape 0.3", POR_DIST_PARETO, 1e9, 0.3, true},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* One-sample KS against GSL's CDF and two-sample KS against GSL's sampler, 10^6 draws. */
START_TEST(ks_against_gsl)
{
    const dist_case *c = &cases[_i];
    uint64_t seed = por_test_seed();
    por_sampler s;
    build(&s, c);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", (uint32_t)_i, "sampler"));
    gsl_rng *g = por_rng_new(seed, 0, por_stream_id("test", (uint32_t)_i, "gsl"));
    double *x = malloc(N_DRAWS * sizeof *x), *y = malloc(N_DRAWS * sizeof *y);
    ck_assert(x && y);
    for (int i = 0; i < N_DRAWS; i++) {
        x[i] = draw(&s, c, r);
        y[i] = gsl_draw(c, g);
        if (c->amount) /* GSL's draw on the sampler's integer grid (amounts >= 1) */
            y[i] = y[i] < 1 ? 1 : round(y[i]);
        else
            y[i] = round(y[i]);
    }
    qsort(x, N_DRAWS, sizeof *x, cmp_double);
    qsort(y, N_DRAWS, sizeof *y, cmp_double);
    /* one sample: the draws are integers, so compare the empirical CDF just below and at
     * each distinct value with the CDF at value - 1 and at value (integer-valued variate:
     * the exact discrete CDF of the rounded continuous one is F(v + 0.5); using F(v) for
     * the continuous cases moves D by at most pdf * 0.5, negligible at these scales) */
    double d1 = 0;
    for (int i = 0; i < N_DRAWS;) {
        int j = i;
        while (j < N_DRAWS && x[j] == x[i])
            j++;
        double f_hi = c->kind == POR_DIST_UNIFORM ? cdf(c, x[i]) : cdf(c, x[i] + 0.5);
        double f_lo = c->kind == POR_DIST_UNIFORM ? cdf(c, x[i] - 1) : cdf(c, x[i] - 0.5);
        d1 = fmax(d1, fabs((double)j / N_DRAWS - f_hi));
        d1 = fmax(d1, fabs((double)i / N_DRAWS - f_lo));
        i = j;
    }
    /* two samples: sup |F_x - F_y| over all values */
    double d2 = 0;
    for (int i = 0, j = 0; i < N_DRAWS || j < N_DRAWS;) {
        double v = i < N_DRAWS && (j >= N_DRAWS || x[i] <= y[j]) ? x[i] : y[j];
        while (i < N_DRAWS && x[i] <= v)
            i++;
        while (j < N_DRAWS && y[j] <= v)
            j++;
        d2 = fmax(d2, fabs((double)(i - j) / N_DRAWS));
    }
    double k1 = d1 * sqrt((double)N_DRAWS), k2 = d2 * sqrt(N_DRAWS / 2.0);
    printf("sample: %-45s KS vs GSL CDF sqrt(n)D = %.3f, vs GSL sampler %.3f (seed %" PRIu64 ")\n",
           c->name, k1, k2, seed);
    ck_assert_msg(k1 < KS_CRIT, "%s: KS against GSL's CDF sqrt(n)D = %.3f >= %.2f (seed %" PRIu64 ")",
                  c->name, k1, KS_CRIT, seed);
    ck_assert_msg(k2 < KS_CRIT, "%s: KS against GSL's sampler sqrt(n/2)D = %.3f >= %.2f (seed %" PRIu64 ")",
                  c->name, k2, KS_CRIT, seed);
    /* extreme quantiles: the counts beyond GSL's 1e-4 and 1 - 1e-4 quantiles are
     * Binomial(10^6, 1e-4) (mean 100, sd 10); [55, 150] fails about once in 10^5 */
    if (c->kind != POR_DIST_UNIFORM) {
        double qlo = quantile(c, 1e-4, 1 - 1e-4, false), qhi = quantile(c, 1 - 1e-4, 1e-4, true);
        int below = 0, above = 0;
        for (int i = 0; i < N_DRAWS; i++) {
            below += x[i] < qlo - 0.5;
            above += x[i] > qhi + 0.5;
        }
        /* (where the 1e-4 quantile is within 2 of the least value, rounding hides it) */
        if (qlo - quantile(c, 1e-15, 1 - 1e-15, false) > 2)
            ck_assert_msg(below >= 55 && below <= 150, "%s: %d draws below the 1e-4 quantile %.0f (seed %" PRIu64 ")",
                          c->name, below, qlo, seed);
        ck_assert_msg(above >= 55 && above <= 150, "%s: %d draws above the 1-1e-4 quantile %.0f (seed %" PRIu64 ")",
                      c->name, above, qhi, seed);
    }
    free(x);
    free(y);
    gsl_rng_free(r);
    gsl_rng_free(g);
    por_sampler_free(&s);
}
END_TEST

/* The tails are exact: a uniform word in the first or last POR_SAMPLE_TAIL_CELLS cells
 * gives GSL's own quantile (gsl_cdf_*_Pinv / Qinv) at the word's position, to 1e-9
 * relative, down to the smallest tail probability a word reaches (2^-61, about 4e-19);
 * every inner cell boundary gives GSL's quantile there (the knots) to within rounding. */
START_TEST(tails_exact)
{
    const dist_case *c = &cases[_i];
    if (c->kind == POR_DIST_UNIFORM)
        return;
    por_sampler s;
    build(&s, c);
    const double n = POR_SAMPLE_CELLS;
    const unsigned t = POR_SAMPLE_TAIL_CELLS;
    /* positions inside a cell (the 52 bits below the cell index) */
    const uint64_t pos[] = {0, 1ull << 16, 1ull << 30, 1ull << 40, (1ull << 51) + 12345,
                            (1ull << 52) - (1ull << 16), (1ull << 52) - 1};
    const unsigned cells[] = {0, 1, t - 1, POR_SAMPLE_CELLS - t, POR_SAMPLE_CELLS - 2, POR_SAMPLE_CELLS - 1};
    for (size_t k = 0; k < sizeof pos / sizeof pos[0]; k++)
        for (size_t j = 0; j < sizeof cells / sizeof cells[0]; j++) {
            unsigned i = cells[j];
            uint64_t word = ((uint64_t)i << 52) | pos[k];
            /* the position: the top 48 bits m of pos, at (2m + 1) / 2^49 of the cell */
            double w = (double)(2 * (pos[k] >> 4) + 1) * 0x1p-49;
            bool upper = i >= POR_SAMPLE_CELLS / 2;
            double u = (i + w) / n, p = (n - i - w) / n;
            double want = quantile(c, u, p, upper);
            double got = (double)por_sampler_at(&s, word);
            if (want < 1e3 && c->kind == POR_DIST_NORMAL)
                continue; /* near 0 ns the truncated normal's quantile is below rounding */
            if (want >= 1e38)
                continue; /* amounts saturate at 2^127 */
            ck_assert_msg(fabs(got - round(want)) <= fmax(1.0, 1e-9 * want),
                          "%s: cell %u position %#llx (%s tail %.3g): %.17g, GSL quantile %.17g",
                          c->name, i, (unsigned long long)pos[k], upper ? "upper" : "lower",
                          upper ? p : u, got, want);
        }
    /* the largest word reaches the quantile at 1 - 2^-61 (about 1 - 4e-19) */
    double pmin = 0x1p-61, qmax = quantile(c, 1 - pmin, pmin, true);
    ck_assert_msg(qmax >= 1e38 || (double)por_sampler_at(&s, UINT64_MAX) >= 0.999999 * qmax,
                  "%s: the largest word gives %.17g, below the 1 - 2^-61 quantile %.17g", c->name,
                  (double)por_sampler_at(&s, UINT64_MAX), qmax);
    /* inner knots: word i << 52 gives the quantile at i / n (units of 2^shift rounding) */
    for (unsigned i = t; i <= POR_SAMPLE_CELLS - t - 1; i += 37) {
        double want = quantile(c, i / n, (n - i) / n, i >= n / 2);
        double got = (double)por_sampler_at(&s, (uint64_t)i << 52);
        ck_assert_msg(fabs(got - want) <= fmax(1.0, 1e-9 * want) + ldexp(1.0, s.shift),
                      "%s: knot %u: %.17g, GSL quantile %.17g", c->name, i, got, want);
    }
    por_sampler_free(&s);
}
END_TEST

/* Bounds and degenerate parameters: the documented rule (por/sample.h). */
START_TEST(bounds)
{
    gsl_rng *r = por_rng_new(por_test_seed(), 0, 1);
    por_duration_dist d;
    por_sampler s;
    /* normal with sd 0: the mean, or 0 when the mean is negative (never negative) */
    memset(&d, 0, sizeof d);
    d.kind = POR_DIST_NORMAL, d.mean = 7 * POR_MS, d.sd = 0;
    por_sampler_init_duration(&s, &d);
    ck_assert_int_eq(por_sample_duration(&s, r), 7 * POR_MS);
    por_sampler_free(&s);
    d.mean = -7 * POR_MS;
    por_sampler_init_duration(&s, &d);
    ck_assert_int_eq(por_sample_duration(&s, r), 0);
    por_sampler_free(&s);
    /* a normal with no mass above 0 in double precision: 0 */
    d.mean = -POR_SEC, d.sd = 1;
    por_sampler_init_duration(&s, &d);
    ck_assert_int_eq(por_sample_duration(&s, r), 0);
    por_sampler_free(&s);
    /* a pareto whose tail passes 2^62 ns saturates there */
    memset(&d, 0, sizeof d);
    d.kind = POR_DIST_PARETO, d.scale = POR_SEC, d.shape = 0.05;
    por_sampler_init_duration(&s, &d);
    for (int i = 0; i < 100000; i++) {
        por_time_t v = por_sample_duration(&s, r);
        ck_assert_int_ge(v, POR_SEC);
        ck_assert_int_le(v, POR_SAMPLE_MAX_DURATION);
    }
    por_sampler_free(&s);
    /* constant, empirical, uniform of one point */
    memset(&d, 0, sizeof d);
    d.kind = POR_DIST_CONSTANT, d.value = 3;
    por_sampler_init_duration(&s, &d);
    ck_assert_int_eq(por_sample_duration(&s, r), 3);
    por_sampler_free(&s);
    por_time_t samples[3] = {1, 5, 9};
    d.kind = POR_DIST_EMPIRICAL, d.samples = samples, d.nsamples = 3;
    por_sampler_init_duration(&s, &d);
    int seen[10] = {0};
    for (int i = 0; i < 30000; i++)
        seen[por_sample_duration(&s, r)]++;
    for (int k = 0; k < 3; k++) /* each a third: 10000 +- 82 (sd); 5 sd */
        ck_assert_msg(abs(seen[samples[k]] - 10000) < 410, "sample %d drawn %d times of 30000",
                      (int)samples[k], seen[samples[k]]);
    por_sampler_free(&s);
    /* amounts are at least 1 */
    por_amount_dist a;
    memset(&a, 0, sizeof a);
    a.kind = POR_DIST_EXPONENTIAL, a.mean = 1;
    por_sampler_init_amount(&s, &a);
    for (int i = 0; i < 10000; i++)
        ck_assert(por_sample_amount(&s, r) >= 1);
    por_sampler_free(&s);
    gsl_rng_free(r);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("sample");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, ks_against_gsl, 0, (int)NCASES);
    tcase_add_loop_test(tc, tails_exact, 0, (int)NCASES);
    tcase_add_test(tc, bounds);
    suite_add_tcase(s, tc);
    return s;
}
