/* A requestNewRound transaction: what an issuer sends to the OCR1 OffchainAggregator to
 * ask the DON for a fresh report (refresh-then-mint, token.refresh_then_mint). The
 * contract side (the access rule and the RoundRequested event) is in por/aggregator.h;
 * this module prices the transaction and submits it to the feed's chain. */
#ifndef POR_ROUND_REQUEST_H
#define POR_ROUND_REQUEST_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/round_request.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/aggregator.h"
#include "por/chain.h"

/* Gas used by requestNewRound, from OffchainAggregator.sol requestNewRound (Solidity
 * 0.7.6) with EIP-2929/EIP-2028 costs:
 *   21,000 intrinsic + 4 x 16 calldata (the 4-byte selector, no arguments)
 *   + 2,100 cold SLOAD of owner
 *   not the owner: + 2,600 cold CALL to the requester access controller + 2,100 cold
 *     SLOAD of accessList[sender] (SimpleWriteAccessController.hasAccess); a sender not
 *     on the list also reads checkEnabled (+ 2,100) and the require reverts here
 *   + 2,100 cold SLOAD of s_hotVars, + 100 its warm second read
 *   + 1,893 LOG2 RoundRequested (375 + 2 x 375 topics + 8 x 96 data bytes)
 *   + 1,000 dispatch, memory and ABI encoding (an estimate: the bytecode is not run).
 * Owner 28,257; on the access list 32,957; reverted 30,964. */
#define POR_ROUND_REQUEST_GAS_OWNER UINT64_C(28257)
#define POR_ROUND_REQUEST_GAS_LISTED UINT64_C(32957)
#define POR_ROUND_REQUEST_GAS_REVERTED UINT64_C(30964)

/* The gas of a requestNewRound by a sender that is the owner (OWNER), else on the access
 * list (LISTED), else neither (reverted). */
uint64_t por_round_request_gas(bool owner, bool listed);

/* Told once per submitted request: MINED false when the chain dropped the transaction
 * (no gas paid); otherwise ACCEPTED = the event was emitted (false: reverted) and GAS the
 * gas it used. */
typedef void (*por_round_request_done)(void *ctx, por_sim *sim, bool mined, bool accepted,
                                       uint64_t gas);

/* Submits requestNewRound from SENDER (model id SENDER_ID) to AGG as a transaction on
 * CHAIN, bidding the chain's estimate (por_txm_estimate) times MULTIPLIER, capped at
 * PRICE_MAX_WEI (0: the chain's txm price cap); it executes in the block that includes
 * it. It is not bumped and has no undo: a reorg that removes its block re-executes it
 * when it is included again. DONE (may be NULL) hears the outcome. */
void por_round_request_submit(por_chain *chain, por_sim *sim, por_aggregator *agg,
                              const por_addr *sender, uint32_t sender_id, double multiplier,
                              uint64_t price_max_wei, por_round_request_done done, void *ctx);

#endif
