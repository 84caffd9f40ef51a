/* Descriptive statistics and Kaplan–Meier for one metric column.
 *
 * Everything is computed from sorted copies of the data, so a summary depends only on
 * the multiset of values, never on the order replications finished in. */
#include "stats/stats_internal.h"

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

int por__cmp_obs(const void *a, const void *b)
{
    const por__obs *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (int)x->censored - (int)y->censored; /* events first at ties */
}

void por__km_begin(por__km_build *b, size_t m, void (*emit)(void *, const por_km_point *),
                   void *ctx)
{
    *b = (por__km_build){.m = m, .at_risk = m, .surv = 1.0, .emit = emit, .ctx = ctx};
}

/* Closes the group of observations at B->t; LAST when no observation follows. */
static void por__km_flush(por__km_build *b, bool last)
{
    if (b->d > 0) {
        b->surv *= (double)(b->at_risk - b->d) / (double)b->at_risk;
        b->emit(b->ctx, &(por_km_point){b->t, b->surv, b->at_risk, b->d});
    } else if (last && isfinite(b->t)) {
        /* The last time is a finite censoring after every event: mark the end. */
        b->emit(b->ctx, &(por_km_point){b->t, b->surv, b->at_risk, 0});
    }
    b->at_risk -= b->d + b->c;
    b->d = b->c = 0;
}

void por__km_add(por__km_build *b, const por__obs *o)
{
    POR_ASSERT(b->seen < b->m);
    if (!b->started) {
        /* The first point: S = 1 from min(0, the smallest time). */
        b->emit(b->ctx, &(por_km_point){o->t < 0 ? o->t : 0.0, 1.0, b->m, 0});
        b->started = true;
    } else if (o->t != b->t) {
        por__km_flush(b, false);
    }
    b->t = o->t;
    if (o->censored)
        b->c++;
    else
        b->d++;
    b->seen++;
}

void por__km_end(por__km_build *b)
{
    POR_ASSERT(b->seen == b->m);
    if (!b->started)
        b->emit(b->ctx, &(por_km_point){0.0, 1.0, 0, 0});
    else
        por__km_flush(b, true);
}

typedef struct {
    por_km_point *out;
    size_t np;
} por__km_array;

static void por__km_to_array(void *ctx, const por_km_point *p)
{
    por__km_array *a = ctx;
    a->out[a->np++] = *p;
}

size_t por_km_curve(const double *times, const bool *censored, size_t n, por_km_point *out)
{
    POR_ASSERT(out != NULL && (times != NULL || n == 0));
    por__obs *obs = por_xmalloc((n ? n : 1) * sizeof *obs);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        bool c = censored && censored[i];
        if (c)
            obs[m++] = (por__obs){isfinite(times[i]) ? times[i] : INFINITY, true};
        else if (isfinite(times[i]))
            obs[m++] = (por__obs){times[i], false};
    }
    qsort(obs, m, sizeof *obs, por__cmp_obs);

    por__km_array a = {out, 0};
    por__km_build b;
    por__km_begin(&b, m, por__km_to_array, &a);
    for (size_t i = 0; i < m; i++)
        por__km_add(&b, &obs[i]);
    por__km_end(&b);
    free(obs);
    POR_ASSERT(a.np <= n + 1);
    return a.np;
}

void por__km_median_step(por__km_median_acc *a, const por_km_point *p)
{
    /* S is a product of k rounded factors, each off by at most ~2 ulp; accept S up to
     * that much above 0.5 so that an exact 1/2 (e.g. 2 of 4 left) is never missed. */
    if (p->events > 0)
        a->factors++;
    double tol = 0.5 * 4.0 * (double)a->factors * DBL_EPSILON;
    if (!a->reached && p->events > 0 && p->survival <= 0.5 + tol) {
        a->reached = true;
        a->median = p->t;
    }
}

bool por_km_median(const por_km_point *curve, size_t npoints, double *median)
{
    POR_ASSERT(median != NULL && (curve != NULL || npoints == 0));
    por__km_median_acc a = {0, false, NAN};
    for (size_t i = 0; i < npoints && !a.reached; i++)
        por__km_median_step(&a, &curve[i]);
    *median = a.median;
    return a.reached;
}

/* ---- the same summary over a sorted column, one value at a time ---- */

/* The captured order statistics of a type 7 quantile: x[lo] and x[lo + 1]. */
typedef struct {
    double p, h;
    size_t lo;
    double x_lo, x_hi;
} por__quantile_acc;

static void por__quantile_begin(por__quantile_acc *q, size_t n, double p)
{
    q->p = p;
    q->h = (double)(n - 1) * p;
    q->lo = (size_t)floor(q->h);
    q->x_lo = q->x_hi = NAN;
}

static void por__quantile_see(por__quantile_acc *q, size_t i, double x)
{
    if (i == q->lo)
        q->x_lo = x;
    else if (i == q->lo + 1)
        q->x_hi = x;
}

/* As por__quantile_sorted. */
static double por__quantile_value(const por__quantile_acc *q, size_t n, double last)
{
    if (q->lo >= n - 1)
        return last;
    double frac = q->h - (double)q->lo;
    return q->x_lo + frac * (q->x_hi - q->x_lo);
}

typedef struct {
    por__km_median_acc med;
    por__km_quantile_acc q[POR_KM_NQ];
} por__km_summary;

static void por__km_summary_step(void *ctx, const por_km_point *p)
{
    por__km_summary *k = ctx;
    por__km_median_step(&k->med, p);
    for (int i = 0; i < POR_KM_NQ; i++)
        por__km_quantile_step(&k->q[i], p);
}

void por__summary_of_sorted(const por__sorted *sorted, bool km, por_summary *out)
{
    por_summary s = {0};
    s.mean = s.sd = s.ci_lo = s.ci_hi = NAN;
    s.median = s.p90 = s.p99 = s.min = s.max = NAN;
    s.km_median = NAN;
    s.n = sorted->nobs;
    s.censored = km ? sorted->ncens : 0;
    s.missing = sorted->missing + (km ? 0 : sorted->ncens);
    POR_ASSERT(km || sorted->ncens == 0);

    por__sorted_rd rd;
    por__obs o;
    if (s.n > 0) {
        /* Pass 1: gsl_stats_mean's recurrence (mean += (x - mean) / (i + 1), long double),
         * the extremes and the quantiles' order statistics. */
        por__quantile_acc q[3];
        por__quantile_begin(&q[0], s.n, 0.5);
        por__quantile_begin(&q[1], s.n, 0.9);
        por__quantile_begin(&q[2], s.n, 0.99);
        long double mean = 0;
        size_t i = 0;
        por__sorted_rd_open(&rd, sorted);
        while (por__sorted_rd_next(&rd, &o)) {
            if (o.censored)
                continue;
            mean += (o.t - mean) / (i + 1);
            if (i == 0)
                s.min = o.t;
            s.max = o.t;
            for (int k = 0; k < 3; k++)
                por__quantile_see(&q[k], i, o.t);
            i++;
        }
        por__sorted_rd_close(&rd);
        POR_ASSERT(i == s.n);
        s.mean = (double)mean;
        s.median = por__quantile_value(&q[0], s.n, s.max);
        s.p90 = por__quantile_value(&q[1], s.n, s.max);
        s.p99 = por__quantile_value(&q[2], s.n, s.max);
        if (s.n >= 2) {
            /* Pass 2: gsl_stats_sd_m's recurrence for the variance about the mean. */
            long double variance = 0;
            i = 0;
            por__sorted_rd_open(&rd, sorted);
            while (por__sorted_rd_next(&rd, &o)) {
                if (o.censored)
                    continue;
                const long double delta = (o.t - s.mean);
                variance += (delta * delta - variance) / (i + 1);
                i++;
            }
            por__sorted_rd_close(&rd);
            s.sd = sqrt((double)variance * ((double)s.n / (double)(s.n - 1)));
            double t = gsl_cdf_tdist_Pinv(0.975, (double)(s.n - 1));
            double half = t * s.sd / sqrt((double)s.n);
            s.ci_lo = s.mean - half;
            s.ci_hi = s.mean + half;
        }
    }

    if (km && s.n + s.censored > 0) {
        por__km_summary k;
        k.med = (por__km_median_acc){0, false, NAN};
        for (int j = 0; j < POR_KM_NQ; j++)
            por__km_quantile_begin(&k.q[j], por_km_levels[j]);
        por__km_build b;
        por__km_begin(&b, sorted->n, por__km_summary_step, &k);
        por__sorted_rd_open(&rd, sorted);
        while (por__sorted_rd_next(&rd, &o))
            por__km_add(&b, &o);
        por__sorted_rd_close(&rd);
        por__km_end(&b);
        s.km_valid = true;
        s.km_median_reached = k.med.reached;
        s.km_median = k.med.median;
        for (int j = 0; j < POR_KM_NQ; j++)
            s.km_q[j] = k.q[j].q;
    }
    *out = s;
}
