/* Ground-truth arithmetic and the metric columns of one replication.
 *
 * Collateralization ratios compare amounts that may use the full 128 bits (trillions of
 * 18-decimal tokens exceed 1e30 base units), so "reserve / supply < threshold" is decided
 * exactly with 256-bit products, never with doubles. The column indices below name the
 * metrics every replication yields (por_world_metric_defs in por/world.h describes them,
 * in this order). */
#ifndef POR_METRICS_H
#define POR_METRICS_H

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

/* The per-replication metric columns, in table order. */
typedef enum {
    POR_WM_ONSET,             /* duration from run start; censored at horizon if never */
    POR_WM_FEED_DETECT,       /* onset -> first accepted answer showing the shortfall */
    POR_WM_MINT_BLOCK,        /* onset -> first Secure Mint refusal */
    POR_WM_UNBACKED_MINTED,   /* token units minted in [onset, mint_block) */
    POR_WM_FALSE_REJECTIONS,  /* refusals of mints that truth would have backed */
    POR_WM_CONSUMER_REACTION, /* onset -> first consumer action */
    POR_WM_ROUNDS,
    POR_WM_EPOCHS,
    POR_WM_REPORTS_ACCEPTED,
    POR_WM_TRANSMISSIONS,
    POR_WM_GAS,
    POR_WM_MAX_FEED_STALENESS,
    POR_WM_MINTS_ACCEPTED,
    POR_WM_MINTS_REFUSED,
    POR_WM_REDEEMS,
    POR_WM_MIN_TRUE_RATIO,
    POR_WM_INVARIANT_VIOLATIONS,
    POR_WM_EVENTS,
    POR_WM_FORGED_ACCEPTED,   /* forged (stolen-key) reports the aggregator accepted */
    POR_WM_FORGED_REJECTED,   /* forged reports the aggregator refused */
    POR_WM_UNDERSIGNED_REPORTS, /* accepted with fewer than f+1 valid distinct signers */
    POR_WM_MEDIAN_OUTSIDE_HONEST, /* accepted medians outside the round's honest range */
    POR_WM_BRIDGE_TRANSFERS,  /* bridge transfers burned on their source chain */
    POR_WM_BRIDGE_REFUSED,    /* bridge transfers refused (larger than the source's supply) */
    POR_WM_MAX_IN_FLIGHT,     /* largest amount in flight between chains (token units) */
    POR_WM_TX_HELD_BACK,      /* reports held back by the nodes' shouldTransmit */
    POR_WM_MSGS_RETRANSMITTED, /* oracle messages delivered after a retransmission */
    POR_WM_ROUND_REQUESTS,    /* refresh-then-mint: requestNewRound transactions sent */
    POR_WM_ROUND_REQUEST_GAS, /* gas those transactions used (reverted ones included) */
    POR_WM_MINTS_HELD,        /* mints that waited for a refresh before the guard */
    POR_WM_FEE_WEI,           /* fees of the oracles' transmit txs, feed chain's wei (exact) */
    POR_WM_FEE_USD,           /* the same in USD at chains[].native_price_usd (if set) */
    POR_WM_TRANSMISSIONS_REVERTED, /* included transmit txs that reverted (stale, ...) */
    POR_WM_REVERTED_GAS,      /* gas those reverted transmissions used */
    POR_WM_ANSWERS_UNDONE,    /* accepted answers removed by reorgs */
    POR_WM_NCOLS
} por_world_metric;

#endif
