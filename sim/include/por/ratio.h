/* Exact ratio arithmetic (sim/core/ratio.c), in the ground floor so that models, the
 * trace renderers and the writers share one implementation.
 *
 * Collateralization ratios compare amounts that may use the full 128 bits (trillions of
 * 18-decimal tokens exceed 1e30 base units), so "reserve / supply < threshold" is decided
 * exactly with 256-bit products, never with doubles. */
#ifndef POR_RATIO_H
#define POR_RATIO_H

#include "por/amount.h"

#include <stdbool.h>
#include <stdint.h>

/* Parts per billion of 1: a ratio of 1 is POR_PPB_ONE. */
#define POR_PPB_ONE INT64_C(1000000000)

/* Returns <0, 0 or >0 as A*B is less than, equal to or greater than C*D, exactly (the
 * products are formed in 256 bits; any signs allowed). */
int por_amount_cmp_products(por_amount a, por_amount b, por_amount c, por_amount d);

/* Returns true iff NUM / DEN < PPB / 1e9, exactly, i.e. NUM * 1e9 < PPB * DEN.
 * DEN must be >= 0; with DEN == 0 the ratio is +infinity (or undefined when NUM is also
 * 0) and the answer is false: an empty supply is never undercollateralized. */
bool por_ratio_below(por_amount num, por_amount den, int64_t ppb);

/* NUM / DEN as a double, for reporting only (+inf when DEN == 0 and NUM > 0, 1 when
 * both are 0). */
double por_ratio_to_double(por_amount num, por_amount den);

/* Rounds X (base units, any sign) to the nearest amount, ties away from zero, saturating
 * at POR_AMOUNT_MIN / POR_AMOUNT_MAX; NaN gives 0. For the few quantities that are drawn
 * or computed in double (mint sizes, drift) before they become exact. */
por_amount por_amount_from_double(double x);

/* floor(V * K / 1e9) for V >= 0 and 0 <= K <= 4e9, exact (no intermediate overflow
 * beyond the result). Returns false when the result does not fit. */
bool por_amount_mul_ppb_floor(por_amount v, int64_t k, por_amount *out);

#endif
