/* Distribution draws for the world models (see sample.h). */
#include "models/world/sample.h"

#include "por/metrics.h"
#include "por/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>

static por_time_t por__clamp_duration(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= (double)POR__MAX_DRAWN_DURATION)
        return POR__MAX_DRAWN_DURATION;
    return (por_time_t)llround(x);
}

/* Uniform integer in [lo, hi] (hi >= lo) without bias when the span fits 64 bits. */
static por_amount por__uniform_amount(por_amount lo, por_amount hi, gsl_rng *r)
{
    if (hi <= lo)
        return lo;
    por_uamount span = (por_uamount)hi - (por_uamount)lo;
    if (span < (por_uamount)UINT64_MAX)
        return lo + (por_amount)por_rng_below(r, (uint64_t)span + 1);
    double x = (double)lo + por_rng_uniform(r) * ((double)hi - (double)lo);
    por_amount v = por_amount_from_double(x);
    return v < lo ? lo : v > hi ? hi : v;
}

por_time_t por__sample_duration(const por_duration_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case POR_DIST_CONSTANT:
        return d->value < 0 ? 0 : d->value;
    case POR_DIST_UNIFORM: {
        por_amount v = por__uniform_amount(d->min, d->max, r);
        return v < 0 ? 0 : v > POR__MAX_DRAWN_DURATION ? POR__MAX_DRAWN_DURATION : (por_time_t)v;
    }
    case POR_DIST_NORMAL:
        return por__clamp_duration((double)d->mean + (double)d->sd * gsl_ran_gaussian(r, 1.0));
    case POR_DIST_LOGNORMAL:
        return por__clamp_duration((double)d->median * exp(d->sigma * gsl_ran_gaussian(r, 1.0)));
    case POR_DIST_PARETO:
        return por__clamp_duration(gsl_ran_pareto(r, d->shape, (double)d->scale));
    case POR_DIST_EXPONENTIAL:
        return por__clamp_duration(gsl_ran_exponential(r, (double)d->mean));
    case POR_DIST_EMPIRICAL:
        if (d->nsamples == 0)
            return 0;
        {
            por_time_t v = d->samples[por_rng_below(r, d->nsamples)];
            return v < 0 ? 0 : v;
        }
    }
    return 0;
}

por_amount por__sample_amount(const por_amount_dist *d, gsl_rng *r)
{
    por_amount v = 1;
    switch (d->kind) {
    case POR_DIST_CONSTANT:
        v = d->value;
        break;
    case POR_DIST_UNIFORM:
        v = por__uniform_amount(d->min, d->max, r);
        break;
    case POR_DIST_LOGNORMAL:
        v = por_amount_from_double((double)d->median * exp(d->sigma * gsl_ran_gaussian(r, 1.0)));
        break;
    case POR_DIST_EXPONENTIAL:
        v = por_amount_from_double(gsl_ran_exponential(r, (double)d->mean));
        break;
    case POR_DIST_PARETO:
        v = por_amount_from_double(gsl_ran_pareto(r, d->shape, (double)d->scale));
        break;
    case POR_DIST_NORMAL:
    case POR_DIST_EMPIRICAL:
        v = d->value; /* not offered for amounts by the schema; treated as constant */
        break;
    }
    return v < 1 ? 1 : v;
}
