/* Descriptive statistics and Kaplan–Meier for one metric column.
 *
 * Everything is computed from sorted copies of the data, so a summary depends only on
 * the multiset of values, never on the order replications finished in. */
#include "por/stats.h"

#include "por/error.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

static int por__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Type 7 quantile of N >= 1 sorted values: linear interpolation between the order
 * statistics around h = (N - 1) P. Equal neighbours give that value exactly. */
static double por__quantile_sorted(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return x[n - 1];
    double frac = h - (double)lo;
    return x[lo] + frac * (x[lo + 1] - x[lo]);
}

void por_summary_of(const double *values, const bool *censored, size_t n, por_summary *out)
{
    POR_ASSERT(out != NULL && (values != NULL || n == 0));
    por_summary s = {0};
    s.mean = s.sd = s.ci_lo = s.ci_hi = NAN;
    s.median = s.p90 = s.p99 = s.min = s.max = NAN;
    s.km_median = NAN;

    double *obs = por_xmalloc((n ? n : 1) * sizeof *obs);
    for (size_t i = 0; i < n; i++) {
        if (censored && censored[i])
            s.censored++;
        else if (isfinite(values[i]))
            obs[s.n++] = values[i];
        else
            s.missing++;
    }

    if (s.n > 0) {
        qsort(obs, s.n, sizeof *obs, por__cmp_double);
        s.mean = gsl_stats_mean(obs, 1, s.n);
        s.min = obs[0];
        s.max = obs[s.n - 1];
        s.median = por__quantile_sorted(obs, s.n, 0.5);
        s.p90 = por__quantile_sorted(obs, s.n, 0.9);
        s.p99 = por__quantile_sorted(obs, s.n, 0.99);
        if (s.n >= 2) {
            s.sd = gsl_stats_sd_m(obs, 1, s.n, s.mean);
            double t = gsl_cdf_tdist_Pinv(0.975, (double)(s.n - 1));
            double half = t * s.sd / sqrt((double)s.n);
            s.ci_lo = s.mean - half;
            s.ci_hi = s.mean + half;
        }
    }
    free(obs);

    if (censored && s.n + s.censored > 0) {
        por_km_point *curve = por_xmalloc((n + 1) * sizeof *curve);
        size_t np = por_km_curve(values, censored, n, curve);
        s.km_valid = true;
        s.km_median_reached = por_km_median(curve, np, &s.km_median);
        for (int k = 0; k < POR_KM_NQ; k++)
            por_km_quantile_of(curve, np, por_km_levels[k], &s.km_q[k]);
        free(curve);
    }
    *out = s;
}

typedef struct {
    double t;
    bool censored;
} por__km_obs;

static int por__cmp_km_obs(const void *a, const void *b)
{
    const por__km_obs *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (int)x->censored - (int)y->censored; /* events first at ties */
}

size_t por_km_curve(const double *times, const bool *censored, size_t n, por_km_point *out)
{
    POR_ASSERT(out != NULL && (times != NULL || n == 0));
    por__km_obs *obs = por_xmalloc((n ? n : 1) * sizeof *obs);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        bool c = censored && censored[i];
        if (c)
            obs[m++] = (por__km_obs){isfinite(times[i]) ? times[i] : INFINITY, true};
        else if (isfinite(times[i]))
            obs[m++] = (por__km_obs){times[i], false};
    }
    qsort(obs, m, sizeof *obs, por__cmp_km_obs);

    size_t np = 0;
    out[np++] = (por_km_point){m > 0 && obs[0].t < 0 ? obs[0].t : 0.0, 1.0, m, 0};
    double surv = 1.0;
    size_t at_risk = m;
    size_t i = 0;
    while (i < m) {
        double t = obs[i].t;
        size_t d = 0, c = 0;
        for (; i < m && obs[i].t == t; i++) {
            if (obs[i].censored)
                c++;
            else
                d++;
        }
        if (d > 0) {
            surv *= (double)(at_risk - d) / (double)at_risk;
            out[np++] = (por_km_point){t, surv, at_risk, d};
        } else if (i == m && isfinite(t)) {
            /* The last time is a finite censoring after every event: mark the end. */
            out[np++] = (por_km_point){t, surv, at_risk, 0};
        }
        at_risk -= d + c;
    }
    free(obs);
    POR_ASSERT(np <= n + 1);
    return np;
}

bool por_km_median(const por_km_point *curve, size_t npoints, double *median)
{
    POR_ASSERT(median != NULL && (curve != NULL || npoints == 0));
    /* S is a product of k rounded factors, each off by at most ~2 ulp; accept S up to
     * that much above 0.5 so that an exact 1/2 (e.g. 2 of 4 left) is never missed. */
    size_t factors = 0;
    for (size_t i = 0; i < npoints; i++) {
        if (curve[i].events > 0)
            factors++;
        double tol = 0.5 * 4.0 * (double)factors * DBL_EPSILON;
        if (curve[i].events > 0 && curve[i].survival <= 0.5 + tol) {
            *median = curve[i].t;
            return true;
        }
    }
    *median = NAN;
    return false;
}
