/* Drawing scenario distributions (durations, amounts) from porsim streams; internal to
 * the world models (custodian, token, consumer, world). Doubles appear only inside a
 * draw: every result is an exact integer (nanoseconds or base units). */
#ifndef POR_MODELS_WORLD_SAMPLE_H
#define POR_MODELS_WORLD_SAMPLE_H

#include "por/scenario.h"

#include <gsl/gsl_rng.h>

/* Largest duration a draw returns (2^62 ns, about 146 years), so now + draw never
 * overflows. */
#define POR__MAX_DRAWN_DURATION ((por_time_t)1 << 62)

/* Draws one duration from D using R: CONSTANT value; UNIFORM integer in [min, max];
 * NORMAL mean + sd * N(0,1) clamped at 0; LOGNORMAL median * exp(sigma * N(0,1));
 * PARETO scale * U^(-1/shape); EXPONENTIAL mean * Exp(1); EMPIRICAL a uniformly chosen
 * sample. Rounded to whole ns, clamped to [0, POR__MAX_DRAWN_DURATION]. */
por_time_t por__sample_duration(const por_duration_dist *d, gsl_rng *r);

/* Draws one amount (base units) from D using R: CONSTANT value; UNIFORM integer in
 * [min, max]; LOGNORMAL median * exp(sigma * N(0,1)); EXPONENTIAL mean * Exp(1); PARETO
 * scale * U^(-1/shape). Computed in double, rounded to base units, clamped to >= 1
 * (saturating at POR_AMOUNT_MAX, which any supply check then refuses as overflow). */
por_amount por__sample_amount(const por_amount_dist *d, gsl_rng *r);

#endif
