/* A blockchain: blocks at a (possibly random, possibly congested) cadence, EIP-1559 or
 * legacy fees driven by other users' demand, a mempool ordered by effective tip then
 * nonce, per-reader confirmation depth and short reorgs. A transaction's effect (its
 * execute hook) applies in the block that includes it; a reorg removes the newest
 * blocks, undoes their transactions (undo hooks, newest first) and returns them to the
 * mempool. Readers that wait for confirmations read the block at their depth
 * (por_chain_confirmed_*, por_chain_block_at_depth). The fee model is in chain.c. */
#ifndef POR_CHAIN_H
#define POR_CHAIN_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/chain.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/engine.h"
#include "por/scenario.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>

typedef struct por_tx por_tx;
struct por_tx {
    uint32_t sender;        /* who sent it (oracle index, or a model-defined id) */
    uint64_t nonce;         /* per-sender sequence: a sender's tx is included only after
                               its lower nonces (0 = no ordering constraint) */
    /* The bid, in wei per gas. EIP-1559: includable while max_fee_wei >= the block's base
     * fee; pays base + min(tip_wei, max_fee_wei - base). Legacy: max_fee_wei is the gas
     * price, includable while >= the block's price, and paid in full (tip_wei unused). */
    uint64_t max_fee_wei, tip_wei;
    uint64_t gas;           /* gas limit: what must fit in the block */
    uint64_t gas_used;      /* set to gas at inclusion; execute may lower it (a revert) */
    uint64_t price_paid_wei; /* per gas, set at inclusion */
    por_time_t submitted;   /* set by por_chain_submit */
    void *mgr;              /* the sender's transaction manager (por/txm.h), or NULL */
    uint64_t priced_block;  /* head block number when the bid was last set (txm) */
    /* Applies the transaction in block BLOCK_NUMBER at BLOCK_TIME (the block's timestamp)
     * as the block is mined; may be NULL. Called again if a reorg removed the block and
     * the transaction is included anew. */
    void (*execute)(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block_number);
    /* Reverts what execute did, when a reorg removes the including block; transactions
     * of removed blocks are undone newest first, so the state is exactly as before the
     * execute. May be NULL (no effect to undo). */
    void (*undo)(por_tx *tx, por_sim *sim);
    /* Called as the tx is included, before any execute of its block (the sender's
     * transaction manager learns its nonce is used). May be NULL. */
    void (*on_included)(por_tx *tx, por_sim *sim);
    /* Called when the sender's transaction manager drops the tx before it reaches the
     * chain (a newer one replaced it in the queue); destroy follows. May be NULL. */
    void (*dropped)(por_tx *tx, por_sim *sim);
    /* Called after each mined block that did not include the (still pending) tx, with
     * that block's number: the sender's transaction manager may re-price it here (the
     * chain re-reads the bid). May be NULL. */
    void (*on_pending)(por_tx *tx, por_sim *sim, uint64_t block_number);
    /* Frees the transaction once its block is final, or at por_chain_destroy (the chain
     * owns submitted txs). */
    void (*destroy)(por_tx *tx);
};

typedef struct {
    uint64_t blocks, reorgs, txs_mined, gas_used;
    uint64_t txs_undone;    /* inclusions removed by reorgs (each tx is then re-mined) */
    por_amount fees_wei;    /* sum over included txs of gas_used * price paid, in wei */
} por_chain_stats;

typedef struct por_chain por_chain;

/* Creates chain INDEX of the scenario and registers its entity with SIM. Caller frees
 * with por_chain_destroy after the simulation is destroyed. */
por_chain *por_chain_create(const por_chain_config *cfg, uint32_t index, por_sim *sim);
void por_chain_destroy(por_chain *chain);

/* Submits TX; the chain owns it from now on. */
void por_chain_submit(por_chain *chain, por_sim *sim, por_tx *tx);

/* The newest block's base fee (EIP-1559) or clearing gas price (legacy), in wei per gas:
 * what a sender can read from the head; never the next block's. Before the first block:
 * the chain's gas_price_gwei. */
uint64_t por_chain_head_price_wei(const por_chain *chain);

/* The fee levels of up to K of the newest blocks (newest first) into OUT: the priority
 * fee other users paid (EIP-1559) or the gas price (legacy), wei per gas; what a
 * BlockHistory estimator samples. Returns how many were written. */
size_t por_chain_recent_fees(const por_chain *chain, size_t k, uint64_t *out);

/* Number and timestamp of the confirmed view: the block `confirmations` deep (the tip
 * is 1 deep); 0, 0 before there is one. It never moves back. */
uint64_t por_chain_confirmed_number(const por_chain *chain);
por_time_t por_chain_confirmed_time(const por_chain *chain);

const char *por_chain_name(const por_chain *chain);
void por_chain_get_stats(const por_chain *chain, por_chain_stats *out);

/* Sets the most gas one block may hold (default: the chain's gas_limit). A transaction
 * whose gas does not fit in what is left of a block waits for a later block; the
 * EIP-1559 target is half of it. */
void por_chain_set_gas_limit(por_chain *chain, uint64_t gas_limit);

/* Number of the newest block mined (confirmed or not; 0 before the first). */
uint64_t por_chain_tip_number(const por_chain *chain);

/* The newest block number a reader waiting for CONFIRMATIONS blocks sees: tip -
 * confirmations + 1 (confirmations 0 or 1: the tip), 0 when the chain is not that deep. */
uint64_t por_chain_block_at_depth(const por_chain *chain, uint32_t confirmations);

/* Transactions waiting in the mempool now. */
size_t por_chain_mempool_size(const por_chain *chain);

/* The engine entity id of the chain. */
uint32_t por_chain_entity(const por_chain *chain);

/* The configuration the chain was created with (borrowed). */
const por_chain_config *por_chain_config_of(const por_chain *chain);

/* EIP-1559's base fee of the child of a block with base fee BASE that used USED gas of
 * TARGET (= gas limit / 2), in integer wei as the EIP computes it: BASE +- BASE * |USED -
 * TARGET| / TARGET / 8, an increase at least 1 wei. */
uint64_t por_eip1559_next_base_fee(uint64_t base, uint64_t used, uint64_t target);

/* Whether one read of the chain's contract state at NOW fails through the reader's RPC
 * endpoint: always inside an rpc_outages window, otherwise with probability
 * rpc_failure_rate drawn from RNG (the reader's own stream; nothing is drawn when the
 * rate is 0, and RNG may then be NULL). Returns true when the read fails. */
bool por_chain_rpc_read_fails(const por_chain *chain, por_time_t now, gsl_rng *rng);

/* Whether the chain's configuration can make a read fail (a rate above 0 or an outage). */
bool por_chain_rpc_faulty(const por_chain *chain);

#endif
