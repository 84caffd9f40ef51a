/* The one distribution sampler: draws durations and amounts from the scenario's
 * distributions (por_duration_dist, por_amount_dist) for every model that needs them
 * (network latency, custodian API latency, bridge delays, mint sizes).
 *
 * A sampler is built once per distribution and run. Continuous distributions (normal,
 * lognormal, exponential, pareto) draw by inverting their CDF with ONE 64-bit uniform:
 * its top 12 bits pick one of POR_SAMPLE_CELLS (4096) equal-probability cells, the other
 * 52 bits the position inside it. In the inner cells the value is interpolated linearly
 * between the exact quantiles at the cell ends, held as integers, in integer
 * arithmetic (a table lookup, one 64x64 multiply). In the POR_SAMPLE_TAIL_CELLS (16)
 * first and last cells (the tails, probability 1/256 each) the quantile is computed
 * exactly from the same bits (u = 53-bit integer * 2^-61), so the extreme quantiles are
 * those of the distribution itself, down to a tail probability of about 2^-61. The
 * interpolation moves the CDF by at most about 6e-6 (a Pareto of shape 0.5; 3e-6 for a
 * lognormal of sigma 1.5), the largest error next to the exact tails.
 * A distribution too wide for an integer table (a Pareto of shape far below 1, whose
 * inner quantiles differ by more than 2^30 with the upper one above 2^62) inverts its
 * CDF exactly on every draw instead, from the same one uniform (52 bits).
 *
 * The rule for bounds and caps, the same for every model:
 *   - a normal distribution is TRUNCATED at 0 (drawn conditionally on being >= 0, by
 *     inverting the truncated CDF; no rejection loop, no clamping mass onto 0);
 *   - every value is rounded to the nearest integer (ns, or base units);
 *   - durations SATURATE at POR_SAMPLE_MAX_DURATION (2^62 ns, about 146 years, so
 *     now + draw never overflows) and at 0 below; amounts saturate at 1 below and at
 *     POR_AMOUNT_MAX above.
 * Exactness: tables are built with GSL's quantile functions and libm's exp/log/pow; the
 * draws between the tails use integer arithmetic only, so a run gives the same bytes
 * under any compiler and optimisation level (tests/determinism.sh). */
#ifndef POR_SAMPLE_H
#define POR_SAMPLE_H

#include "por/amount.h"
#include "por/rng.h"
#include "por/scenario.h"
#include "por/time.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* Largest duration a draw returns. */
#define POR_SAMPLE_MAX_DURATION ((por_time_t)1 << 62)

/* log2 of the number of equal-probability cells of a continuous sampler. */
#define POR_SAMPLE_CELL_BITS 12
#define POR_SAMPLE_CELLS (1u << POR_SAMPLE_CELL_BITS)
/* Cells at each end drawn by exact inversion. */
#define POR_SAMPLE_TAIL_CELLS 16u

typedef struct {
    por_dist_kind kind;
    por_amount value, min, max; /* CONSTANT (value), UNIFORM ([min, max]) */
    const por_time_t *samples;  /* EMPIRICAL: borrowed from the distribution */
    size_t nsamples;
    /* continuous kinds: parameters of the quantile function */
    double a, b;       /* NORMAL mean, sd; LOGNORMAL median, sigma; EXPONENTIAL mean;
                          PARETO scale, shape */
    double lo_mass;    /* NORMAL: P(X < 0) of the untruncated normal */
    double hi_mass;    /* NORMAL: P(X >= 0), the mass kept */
    int shift;         /* knots are in units of 2^shift */
    int64_t *knot;     /* POR_SAMPLE_CELLS + 1 quantiles, in units of 2^shift */
    bool degenerate;   /* continuous kind whose parameters give one value: value */
    bool exact;        /* continuous kind too wide for a table (its inner quantiles span
                          more than 2^30 and pass 2^62): every draw inverts exactly */
} por_sampler;

/* Builds S for the duration distribution D (D's empirical samples are borrowed: D must
 * outlive S). Never fails (exits on out of memory). */
void por_sampler_init_duration(por_sampler *s, const por_duration_dist *d);

/* Builds S for the amount distribution D. */
void por_sampler_init_amount(por_sampler *s, const por_amount_dist *d);

/* Frees S's table (S itself is the caller's). */
void por_sampler_free(por_sampler *s);

/* The value of S (before the duration or amount saturation) for the uniform word X:
 * the draw that por_sample_duration / por_sample_amount make from X. Continuous kinds
 * only; exposed for the tests of the tails. */
por_amount por_sampler_at(const por_sampler *s, uint64_t x);

/* The exact quantile of S's (truncated) distribution at lower-tail probability U or,
 * equivalently, upper-tail probability P = 1 - U (the more precise one is used, so
 * pass both). Continuous kinds only; unrounded. */
double por_sampler_quantile(const por_sampler *s, double u, double p);

/* Slow path of por_sample_duration: every draw but an inner cell of a table. R is not
 * used when S has a table in ns units (X is then the word drawn). */
por_time_t por__sample_duration_slow(const por_sampler *s, gsl_rng *r, uint64_t x);

/* True when S draws a duration from exactly one uniform word (a table in ns units):
 * then por_sample_duration_at gives its draws. */
static inline bool por_sampler_one_word(const por_sampler *s) { return s->knot && s->shift == 0; }

/* The duration por_sample_duration draws when its stream's next word is X, for S with
 * por_sampler_one_word(S): for a model that keeps a stream's state in its own hot data
 * and draws X itself (PHOLD). */
static inline por_time_t por_sample_duration_at(const por_sampler *s, uint64_t x)
{
    __extension__ typedef unsigned __int128 por__u128;
    unsigned i = (unsigned)(x >> (64 - POR_SAMPLE_CELL_BITS));
    if (i - POR_SAMPLE_TAIL_CELLS < POR_SAMPLE_CELLS - 2 * POR_SAMPLE_TAIL_CELLS) {
        /* an inner cell: the por_sampler_at rule */
        uint64_t f = x << POR_SAMPLE_CELL_BITS;
        int64_t a = s->knot[i], b = s->knot[i + 1];
        return a + (int64_t)(((por__u128)(uint64_t)(b - a) * f + ((por__u128)1 << 63)) >> 64);
    }
    return por__sample_duration_slow(s, NULL, x); /* a table never draws a second word */
}

/* Draws a duration (ns) in [0, POR_SAMPLE_MAX_DURATION] from R (a por stream). Inline:
 * the network draws one per message. */
static inline por_time_t por_sample_duration(const por_sampler *s, gsl_rng *r)
{
    if (por_sampler_one_word(s))
        return por_sample_duration_at(s, por_rng_u64(r));
    return por__sample_duration_slow(s, r, 0);
}

/* Draws an amount (base units) in [1, POR_AMOUNT_MAX] from R. */
por_amount por_sample_amount(const por_sampler *s, gsl_rng *r);

#endif
