/* The metric columns of one replication: the column indices below name the metrics
 * every replication yields (por_world_metric_defs in por/world.h describes them, in this
 * order). The exact ratio arithmetic they are computed with is in por/ratio.h (sim/core),
 * included here for the models that use both. */
#ifndef POR_METRICS_H
#define POR_METRICS_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/metrics.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/ratio.h"

#include <stdbool.h>
#include <stdint.h>

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
