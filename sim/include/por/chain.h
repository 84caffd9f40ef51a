/* A blockchain: blocks at a (possibly random, possibly congested) cadence, a mempool
 * ordered by gas price bid, per-reader confirmation depth and short reorgs. A
 * transaction's effect (its execute hook) applies in the block that includes it; a reorg
 * removes the newest blocks, undoes their transactions (undo hooks, newest first) and
 * returns them to the mempool. Readers that wait for confirmations read the block at
 * their depth (por_chain_confirmed_*, por_chain_block_at_depth). */
#ifndef POR_CHAIN_H
#define POR_CHAIN_H

#include "por/engine.h"
#include "por/scenario.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>

typedef struct por_tx por_tx;
struct por_tx {
    uint32_t sender;        /* who sent it (oracle index, or a model-defined id) */
    double gas_price_gwei;  /* bid: mined only when >= the going price of the block */
    uint64_t gas;           /* gas used when mined */
    por_time_t submitted;   /* set by por_chain_submit */
    /* Applies the transaction in block BLOCK_NUMBER at BLOCK_TIME (the block's timestamp)
     * as the block is mined; may be NULL. Called again if a reorg removed the block and
     * the transaction is included anew. */
    void (*execute)(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block_number);
    /* Reverts what execute did, when a reorg removes the including block; transactions
     * of removed blocks are undone newest first, so the state is exactly as before the
     * execute. May be NULL (no effect to undo). */
    void (*undo)(por_tx *tx, por_sim *sim);
    /* Called instead of execute when the transaction is dropped (timeout); may be NULL. */
    void (*dropped)(por_tx *tx, por_sim *sim);
    /* Frees the transaction after execute or dropped (the chain owns submitted txs). */
    void (*destroy)(por_tx *tx);
};

typedef struct {
    uint64_t blocks, reorgs, txs_mined, txs_dropped, gas_used;
    uint64_t txs_undone;    /* inclusions removed by reorgs (each tx is then re-mined) */
    double fees_gwei;       /* sum over mined txs of gas * price paid, in gwei */
} por_chain_stats;

typedef struct por_chain por_chain;

/* Creates chain INDEX of the scenario and registers its entity with SIM. Caller frees
 * with por_chain_destroy after the simulation is destroyed. */
por_chain *por_chain_create(const por_chain_config *cfg, uint32_t index, por_sim *sim);
void por_chain_destroy(por_chain *chain);

/* Submits TX; the chain owns it from now on. */
void por_chain_submit(por_chain *chain, por_sim *sim, por_tx *tx);

/* The going gas price (gwei) at NOW, congestion included. */
double por_chain_gas_price(const por_chain *chain, por_time_t now);

/* Number and timestamp of the confirmed view: the block `confirmations` deep (the tip
 * is 1 deep); 0, 0 before there is one. It never moves back. */
uint64_t por_chain_confirmed_number(const por_chain *chain);
por_time_t por_chain_confirmed_time(const por_chain *chain);

const char *por_chain_name(const por_chain *chain);
void por_chain_get_stats(const por_chain *chain, por_chain_stats *out);

/* Sets the most gas one block may hold (default 30,000,000). A transaction whose gas
 * does not fit in what is left of a block waits for a later block. */
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

/* Whether one read of the chain's contract state at NOW fails through the reader's RPC
 * endpoint: always inside an rpc_outages window, otherwise with probability
 * rpc_failure_rate drawn from RNG (the reader's own stream; nothing is drawn when the
 * rate is 0, and RNG may then be NULL). Returns true when the read fails. */
bool por_chain_rpc_read_fails(const por_chain *chain, por_time_t now, gsl_rng *rng);

/* Whether the chain's configuration can make a read fail (a rate above 0 or an outage). */
bool por_chain_rpc_faulty(const por_chain *chain);

#endif
