/* Kaplan–Meier quantiles (p50, p90, p99, or any level) with Brookmeyer–Crowley
 * confidence intervals from Greenwood's variance; see por_km_quantile_of in por/stats.h.
 *
 * The survival curve S(t) of a censorable duration is "not yet detected at t", so its
 * P-quantile is where S falls to 1 - P. Censored runs stay at risk until their censoring
 * time: a p90 over 30 runs of which 2 never detected is computed from all 30, and is
 * "beyond horizon" when fewer than 90 % were seen to detect. */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <float.h>
#include <math.h>

const double por_km_levels[POR_KM_NQ] = {0.5, 0.9, 0.99};

/* z(0.975) of the standard normal. */
#define POR__Z975 1.959963984540054

void por__km_quantile_begin(por__km_quantile_acc *a, double p)
{
    POR_ASSERT(p > 0 && p < 1);
    *a = (por__km_quantile_acc){
        .q = {.p = p, .value = NAN, .lo = NAN, .hi = NAN, .end = -INFINITY}};
}

void por__km_quantile_step(por__km_quantile_acc *a, const por_km_point *c)
{
    por_km_quantile *q = &a->q;
    double target = 1.0 - q->p;
    if (c->t > q->end)
        q->end = c->t;
    if (c->events == 0)
        return;
    a->factors++;
    if (c->at_risk > c->events) /* Greenwood: sum d_i / (n_i (n_i - d_i)) */
        a->greenwood += (double)c->events /
                        ((double)c->at_risk * (double)(c->at_risk - c->events));
    double s = c->survival;
    double se = s > 0 ? s * sqrt(a->greenwood) : 0.0;
    /* Each factor of S is off by at most ~2 ulp (as in por_km_median). */
    double tol = 0.5 * 4.0 * (double)a->factors * DBL_EPSILON;
    if (!q->reached && s <= target + tol) {
        q->reached = true;
        q->value = c->t;
    }
    if (!q->lo_reached && s - POR__Z975 * se <= target + tol) {
        q->lo_reached = true;
        q->lo = c->t;
    }
    if (!q->hi_reached && s + POR__Z975 * se <= target + tol) {
        q->hi_reached = true;
        q->hi = c->t;
    }
}

void por_km_quantile_of(const por_km_point *curve, size_t npoints, double p,
                        por_km_quantile *out)
{
    POR_ASSERT(out != NULL && (curve != NULL || npoints == 0) && p > 0 && p < 1);
    por__km_quantile_acc a;
    por__km_quantile_begin(&a, p);
    for (size_t i = 0; i < npoints; i++)
        por__km_quantile_step(&a, &curve[i]);
    *out = a.q;
}
