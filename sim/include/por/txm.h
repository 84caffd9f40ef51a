/* The transaction manager of one sending key, as a Chainlink node runs it for an OCR
 * transmitter (porsim's model of the node's EVM Txm and BlockHistory gas estimator):
 * - prices a transaction from the fee levels of the newest history_blocks blocks (the
 *   percentile-th of them) and the head's base fee, never from a future block;
 * - gives it the key's next nonce and broadcasts it;
 * - while it stays unmined for bump_threshold blocks, re-prices it by bump_percent (at
 *   least bump_min), up to price_max, never dropping it;
 * - keeps one transaction in flight per key and a queue of depth 1 behind it (OCR's
 *   transmit queue: only the newest queued transmission waits; an older queued one is
 *   dropped before it reaches the chain).
 * Formulas and the node's defaults: sim/models/chain/txm.c and scenarios/SCHEMA.md. */
#ifndef POR_TXM_H
#define POR_TXM_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/txm.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/chain.h"

typedef struct por_txm por_txm;

typedef struct {
    uint64_t broadcast, replaced_in_queue, bumps;
} por_txm_stats;

/* Creates the manager of key SENDER on CHAIN with the chain's txm settings; bids are
 * multiplied by MULTIPLIER (>= 0; 0 = 1) and never exceed PRICE_MAX_WEI when that is
 * positive and below the chain's price_max. Caller frees with por_txm_destroy after the
 * chain (which may still hold its transactions). */
por_txm *por_txm_create(por_chain *chain, uint32_t sender, double multiplier,
                        uint64_t price_max_wei);
void por_txm_destroy(por_txm *m);

/* Sends TX (gas, execute, undo, destroy set by the caller; the manager sets the bid,
 * nonce and its own hooks): broadcast now when the key has nothing in flight, else
 * queued (replacing, with its dropped hook and destroy, an older queued one). The
 * manager or the chain owns TX from now on. */
void por_txm_send(por_txm *m, por_sim *sim, por_tx *tx);

void por_txm_get_stats(const por_txm *m, por_txm_stats *out);

/* The bid the estimator gives now on CHAIN with settings CFG, times MULTIPLIER, capped
 * at PRICE_MAX_WEI: EIP-1559 tip = the percentile of recent blocks' priority fees (at
 * least tip_cap_min), max fee = tip + head base fee * 1.125^(bump_threshold + 1) (the
 * node's EIP1559FeeCapBufferBlocks default); legacy price = the percentile of recent
 * blocks' prices (at least price_min). */
void por_txm_estimate(const por_chain *chain, const por_txm_config *cfg, double multiplier,
                      uint64_t price_max_wei, uint64_t *max_fee_wei, uint64_t *tip_wei);

/* Re-prices a bid after bump_threshold blocks: each of MAX_FEE and TIP becomes the
 * largest of itself * (1 + bump_percent / 100), itself + bump_min and the current
 * estimate, capped at PRICE_MAX_WEI (values already at the cap stay). */
void por_txm_bump(const por_txm_config *cfg, uint64_t price_max_wei, uint64_t est_max_fee,
                  uint64_t est_tip, uint64_t *max_fee_wei, uint64_t *tip_wei);

#endif
