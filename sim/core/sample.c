/* The one distribution sampler (see por/sample.h): per-distribution inverse-CDF tables
 * built once, draws by one uniform and a table lookup, exact quantiles in the tails. */
#include "por/sample.h"

#include "por/rng.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

__extension__ typedef unsigned __int128 por__u128;

#define POR__TWO127 170141183460469231731687303715884105728.0

/* Nearest integer to X as an amount, saturating at POR_AMOUNT_MIN/MAX; NaN gives 0. */
static por_amount por__round_amount(double x)
{
    if (isnan(x))
        return 0;
    if (x >= POR__TWO127)
        return POR_AMOUNT_MAX;
    if (x <= -POR__TWO127)
        return POR_AMOUNT_MIN;
    return (por_amount)round(x);
}

double por_sampler_quantile(const por_sampler *s, double u, double p)
{
    switch (s->kind) {
    case POR_DIST_NORMAL: {
        /* truncated at 0: the quantile of the untruncated normal at lo_mass + u * hi_mass
         * (upper tail: p * hi_mass) */
        double z = s->lo_mass + u * s->hi_mass < 0.5 ? gsl_cdf_ugaussian_Pinv(s->lo_mass + u * s->hi_mass)
                                                     : gsl_cdf_ugaussian_Qinv(p * s->hi_mass);
        double x = s->a + s->b * z;
        return x > 0.0 ? x : 0.0;
    }
    case POR_DIST_LOGNORMAL: {
        double z = u < 0.5 ? gsl_cdf_ugaussian_Pinv(u) : gsl_cdf_ugaussian_Qinv(p);
        return s->a * exp(s->b * z);
    }
    case POR_DIST_EXPONENTIAL:
        return u < 0.5 ? -s->a * log1p(-u) : -s->a * log(p);
    case POR_DIST_PARETO:
        return u < 0.5 ? s->a * exp(-log1p(-u) / s->b) : s->a * pow(p, -1.0 / s->b);
    default:
        return 0.0;
    }
}

/* Fills the knot table: knot[i] = quantile(i / CELLS) in units of 2^shift, where shift
 * is the least that keeps the last inner knot below 2^62. Only knots TAIL..CELLS-TAIL
 * are interpolated (the cells outside are the exact tails); the others are filled too,
 * knot 0 and CELLS (0 or -inf, +inf) repeating their neighbours. */
static void por__build_table(por_sampler *s)
{
    const unsigned n = POR_SAMPLE_CELLS;
    s->knot = malloc((n + 1) * sizeof *s->knot);
    if (!s->knot) {
        fprintf(stderr, "porsim: out of memory (building a distribution table)\n");
        exit(1);
    }
    const unsigned t = POR_SAMPLE_TAIL_CELLS;
    double top = por_sampler_quantile(s, (double)(n - t) / n, (double)t / n);
    s->shift = 0;
    while (!(top < 4611686018427387904.0 /* 2^62 */) && s->shift < 1000) {
        top = ldexp(top, -1);
        s->shift++;
    }
    int64_t prev = 0;
    for (unsigned i = 1; i < n; i++) {
        double q = por_sampler_quantile(s, (double)i / n, (double)(n - i) / n);
        double scaled = ldexp(q, -s->shift);
        int64_t k = scaled > 0.0 ? (int64_t)llround(scaled < 4611686018427387904.0 ? scaled
                                                                                    : 4611686018427387904.0)
                                 : 0;
        if (k < prev) /* keep the table monotone whatever rounding did */
            k = prev;
        s->knot[i] = prev = k;
    }
    s->knot[0] = s->knot[1];
    s->knot[n] = s->knot[n - 1];
    if (s->shift > 0 && s->knot[t] < ((int64_t)1 << 32)) {
        /* wider than 2^30 between the inner quantiles: a table in units of 2^shift
         * would lose the low values, so every draw inverts the CDF exactly */
        free(s->knot);
        s->knot = NULL;
        s->exact = true;
    }
}

static void por__init_continuous(por_sampler *s)
{
    s->degenerate = false;
    switch (s->kind) {
    case POR_DIST_NORMAL:
        if (!(s->b > 0.0)) {
            s->degenerate = true;
            s->value = s->a > 0.0 ? por__round_amount(s->a) : 0;
            return;
        }
        s->lo_mass = gsl_cdf_ugaussian_P(-s->a / s->b);
        s->hi_mass = gsl_cdf_ugaussian_Q(-s->a / s->b);
        if (!(s->hi_mass > 0.0)) { /* no mass left above 0 in double precision */
            s->degenerate = true;
            s->value = 0;
            return;
        }
        break;
    case POR_DIST_LOGNORMAL:
        if (!(s->a > 0.0) || !(s->b > 0.0)) {
            s->degenerate = true;
            s->value = s->a > 0.0 ? por__round_amount(s->a) : 0;
            return;
        }
        break;
    case POR_DIST_EXPONENTIAL:
        if (!(s->a > 0.0)) {
            s->degenerate = true;
            s->value = 0;
            return;
        }
        break;
    case POR_DIST_PARETO:
        if (!(s->a > 0.0) || !(s->b > 0.0)) {
            s->degenerate = true;
            s->value = s->a > 0.0 ? por__round_amount(s->a) : 0;
            return;
        }
        break;
    default:
        return;
    }
    por__build_table(s);
}

void por_sampler_init_duration(por_sampler *s, const por_duration_dist *d)
{
    *s = (por_sampler){.kind = d->kind};
    switch (d->kind) {
    case POR_DIST_CONSTANT:
        s->value = d->value;
        break;
    case POR_DIST_UNIFORM:
        s->min = d->min;
        s->max = d->max;
        break;
    case POR_DIST_EMPIRICAL:
        s->samples = d->samples;
        s->nsamples = d->nsamples;
        break;
    case POR_DIST_NORMAL:
        s->a = (double)d->mean;
        s->b = (double)d->sd;
        break;
    case POR_DIST_LOGNORMAL:
        s->a = (double)d->median;
        s->b = d->sigma;
        break;
    case POR_DIST_EXPONENTIAL:
        s->a = (double)d->mean;
        break;
    case POR_DIST_PARETO:
        s->a = (double)d->scale;
        s->b = d->shape;
        break;
    }
    por__init_continuous(s);
}

void por_sampler_init_amount(por_sampler *s, const por_amount_dist *d)
{
    *s = (por_sampler){.kind = d->kind};
    switch (d->kind) {
    case POR_DIST_UNIFORM:
        s->min = d->min;
        s->max = d->max;
        break;
    case POR_DIST_LOGNORMAL:
        s->a = (double)d->median;
        s->b = d->sigma;
        break;
    case POR_DIST_EXPONENTIAL:
        s->a = (double)d->mean;
        break;
    case POR_DIST_PARETO:
        s->a = (double)d->scale;
        s->b = d->shape;
        break;
    case POR_DIST_CONSTANT:
    case POR_DIST_NORMAL:    /* not offered for amounts by the schema: the constant */
    case POR_DIST_EMPIRICAL:
        s->kind = POR_DIST_CONSTANT;
        s->value = d->value;
        break;
    }
    por__init_continuous(s);
}

void por_sampler_free(por_sampler *s)
{
    free(s->knot);
    s->knot = NULL;
}

/* Knot units back to an amount: V * 2^shift, exact while it fits (shift <= 64 keeps
 * V < 2^63 below 2^127), else through double, saturating. */
static por_amount por__unscale(const por_sampler *s, int64_t v)
{
    if (s->shift <= 64)
        return (por_amount)v << s->shift;
    return por__round_amount(ldexp((double)v, s->shift));
}

por_amount por_sampler_at(const por_sampler *s, uint64_t x)
{
    if (s->degenerate)
        return s->value;
    if (s->exact) { /* the quantile at (2m + 1) / 2^53, m the top 52 bits of X */
        uint64_t m = x >> 12;
        double u = (double)(2 * m + 1) * 0x1p-53;
        double p = (double)((((uint64_t)1 << 53) - (2 * m + 1))) * 0x1p-53;
        return por__round_amount(por_sampler_quantile(s, u, p));
    }
    if (!s->knot)
        return s->value;
    const unsigned n = POR_SAMPLE_CELLS, t = POR_SAMPLE_TAIL_CELLS;
    unsigned i = (unsigned)(x >> (64 - POR_SAMPLE_CELL_BITS));
    uint64_t f = x << POR_SAMPLE_CELL_BITS; /* position in the cell, in units of 2^-64 */
    if (i - t < n - 2 * t) {
        int64_t a = s->knot[i], b = s->knot[i + 1];
        int64_t v = a + (int64_t)(((por__u128)(uint64_t)(b - a) * f + ((por__u128)1 << 63)) >> 64);
        return por__unscale(s, v);
    }
    /* a tail cell: the exact quantile at u = (i * 2^49 + 2m + 1) * 2^-61, m the top 48
     * bits of the position (a 53-bit integer times a power of two: exact in double; the
     * upper tail's p = 1 - u likewise) */
    uint64_t odd = 2 * (f >> 16) + 1;
    _Static_assert(POR_SAMPLE_CELL_BITS == 12 && POR_SAMPLE_TAIL_CELLS <= 16,
                   "u = 53-bit integer * 2^-61 needs 4096 cells and at most 16 tail cells");
    const double unit = 0x1p-61; /* 2^-49 / CELLS */
    if (i < t) {
        double u = (double)(((uint64_t)i << 49) + odd) * unit;
        por_amount v = por__round_amount(por_sampler_quantile(s, u, 1.0 - u));
        por_amount edge = por__unscale(s, s->knot[t]);
        return v < edge ? v : edge;
    }
    double p = (double)(((uint64_t)(n - i) << 49) - odd) * unit;
    por_amount v = por__round_amount(por_sampler_quantile(s, 1.0 - p, p));
    por_amount edge = por__unscale(s, s->knot[n - t]);
    return v > edge ? v : edge;
}

/* Uniform integer in [lo, hi] (hi >= lo) without bias when the span fits 64 bits. */
static por_amount por__uniform(por_amount lo, por_amount hi, gsl_rng *r)
{
    if (hi <= lo)
        return lo;
    por_uamount span = (por_uamount)hi - (por_uamount)lo;
    if (span < (por_uamount)UINT64_MAX)
        return lo + (por_amount)por_rng_below(r, (uint64_t)span + 1);
    /* wider spans (amounts only): 53 random bits, clamped into [lo, hi] */
    por_amount v = por__round_amount((double)lo + por_rng_uniform(r) * ((double)hi - (double)lo));
    return v < lo ? lo : v > hi ? hi : v;
}

static por_amount por__draw(const por_sampler *s, gsl_rng *r)
{
    switch (s->kind) {
    case POR_DIST_CONSTANT:
        return s->value;
    case POR_DIST_UNIFORM:
        return por__uniform(s->min, s->max, r);
    case POR_DIST_EMPIRICAL:
        return s->nsamples ? s->samples[por_rng_below(r, s->nsamples)] : 0;
    default:
        return s->degenerate ? s->value : por_sampler_at(s, por_rng_u64(r));
    }
}

por_time_t por__sample_duration_slow(const por_sampler *s, gsl_rng *r, uint64_t x)
{
    /* with a table (shift 0), X is the uniform word already drawn: no second draw */
    por_amount v = s->knot && s->shift == 0 ? por_sampler_at(s, x) : por__draw(s, r);
    return v < 0 ? 0 : v > POR_SAMPLE_MAX_DURATION ? POR_SAMPLE_MAX_DURATION : (por_time_t)v;
}

por_amount por_sample_amount(const por_sampler *s, gsl_rng *r)
{
    por_amount v = por__draw(s, r);
    return v < 1 ? 1 : v;
}
