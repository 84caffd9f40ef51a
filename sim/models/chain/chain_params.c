/* chains[] and chains[].txm: the parameters of each chain (por_chain_config, modelled in
 * chain.c) and of its oracle keys' transaction managers (por_txm_config, txm.c), as
 * parameter tables (por/param.h) read by io/param_read.c and documented by
 * `porsim schema`. The txm defaults are the Chainlink node's EVM defaults
 * (smartcontractkit/chainlink core/chains/evm/config/toml/defaults/fallback.toml, and
 * Ethereum_Mainnet.toml's BlockHistory size and percentile with EIP-1559 fees).
 * rpc_outages and congestion are WINDOWS rows; congestion's windows carry two factors
 * each (the sub-table chains[].congestion[]). */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_fee_model) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__CHAIN_FIELD(f) offsetof(por_chain_config, f)

_Static_assert(offsetof(por_congestion, window) == 0, "a WINDOWS element begins with its por_window");

/* One congestion window: its window, then how much slower blocks come and how much more
 * gas other users want in it (chain.c). */
static const por_param por__congestion_params[] = {
    {.type = POR_PARAM_WINDOW, .offset = offsetof(por_congestion, window), .doc = "when the congestion lasts"},
    {.name = "block_time_factor", .type = POR_PARAM_NUMBER, .offset = offsetof(por_congestion, block_time_factor),
     .def.d = 1, .min.d = 1, .max.d = 1e6, .doc = "blocks come this many times slower"},
    {.name = "gas_factor", .type = POR_PARAM_NUMBER, .offset = offsetof(por_congestion, gas_factor), .def.d = 1,
     .min.d = 1, .max.d = 1e6,
     .doc = "other users want this many times more gas (the price follows through the fee rule, never drawn)"},
};

const por_param_table por_congestion_param_table = {
    .path = "chains[].congestion[]",
    .params = por__congestion_params,
    .nparams = sizeof por__congestion_params / sizeof por__congestion_params[0],
};

static const char *const por__fee_models[] = {"eip1559", "legacy", NULL};

/* BlockHistory.BlockHistorySize: Ethereum_Mainnet.toml's 4 with EIP-1559 fees, else
 * fallback.toml's 8. */
static void por__txm_default_history(void *s)
{
    por_chain_config *ch = s;
    ch->txm.history_blocks = ch->fee_model == POR_FEE_EIP1559 ? 4 : 8;
}

/* BlockHistory.TransactionPercentile: Ethereum_Mainnet.toml's 50 with EIP-1559 fees, else
 * fallback.toml's 60. */
static void por__txm_default_percentile(void *s)
{
    por_chain_config *ch = s;
    ch->txm.percentile = ch->fee_model == POR_FEE_EIP1559 ? 50 : 60;
}

static void por__txm_check(const por_param_check *k, const void *s)
{
    const por_chain_config *ch = s;
    if (ch->txm.price_min_wei > ch->txm.price_max_wei)
        por_param_fail(k, "price_min_gwei", "needs price_min_gwei <= price_max_gwei");
}

/* The txm sub-table reads into the chain (OBJECT at offset 0) so that its defaults can
 * follow the chain's fee model. */
#define POR__TXM_FIELD(f) offsetof(por_chain_config, txm.f)

static const por_param por__txm_params[] = {
    {.name = "history_blocks", .type = POR_PARAM_UINT32, .offset = POR__TXM_FIELD(history_blocks),
     .unit = "blocks", .derive = por__txm_default_history,
     .default_doc = "`4` with EIP-1559 (Ethereum_Mainnet.toml), `8` legacy (fallback.toml)", .min.u = 1,
     .max.u = 256, .doc = "BlockHistory.BlockHistorySize: the newest blocks the estimate reads"},
    {.name = "percentile", .type = POR_PARAM_UINT32, .offset = POR__TXM_FIELD(percentile),
     .derive = por__txm_default_percentile, .default_doc = "`50` with EIP-1559, `60` legacy", .min.u = 0,
     .max.u = 100, .doc = "BlockHistory.TransactionPercentile: the percentile of their fees bid"},
    {.name = "bump_threshold", .type = POR_PARAM_UINT32, .offset = POR__TXM_FIELD(bump_threshold),
     .unit = "blocks", .def.u = 3, .min.u = 0, .max.u = 1000000,
     .doc = "BumpThreshold: blocks a transaction stays unmined before a bump, 0 = never"},
    {.name = "bump_percent", .type = POR_PARAM_UINT32, .offset = POR__TXM_FIELD(bump_percent), .unit = "%",
     .def.u = 20, .min.u = 0, .max.u = 10000, .doc = "BumpPercent: a bump raises the price at least this much"},
    {.name = "bump_min_gwei", .type = POR_PARAM_GWEI, .offset = POR__TXM_FIELD(bump_min_wei), .def.d = 5,
     .min.d = 0, .max.d = 1e9, .doc = "BumpMin: a bump raises the price at least this much"},
    {.name = "price_max_gwei", .type = POR_PARAM_GWEI, .offset = POR__TXM_FIELD(price_max_wei), .def.d = 100000,
     .min.d = 0, .min_open = true, .max.d = 1e9,
     .doc = "PriceMax: no bid above it (100 micro-ETH on Ethereum)"},
    {.name = "price_min_gwei", .type = POR_PARAM_GWEI, .offset = POR__TXM_FIELD(price_min_wei), .def.d = 1,
     .min.d = 0, .max.d = 1e9, .doc = "PriceMin: the legacy price floor, <= price_max_gwei"},
    {.name = "tip_cap_min_wei", .type = POR_PARAM_UINT64, .offset = POR__TXM_FIELD(tip_cap_min_wei),
     .unit = "wei", .def.u = 1, .min.u = 0, .max.u = 1000000000000000ull,
     .doc = "TipCapMin: the least EIP-1559 tip bid"},
};

const por_param_table por_txm_param_table = {
    .path = "chains[].txm",
    .params = por__txm_params,
    .nparams = sizeof por__txm_params / sizeof por__txm_params[0],
    .check = por__txm_check,
    .check_doc = "price_min_gwei <= price_max_gwei",
};

/* A transmit() transaction must fit in a block. */
static void por__chain_rule_transmit_gas(const por_param_check *k, const void *s)
{
    const por_chain_config *ch = s;
    if (ch->transmit_gas > ch->gas_limit)
        por_param_fail(k, "transmit_gas", "needs transmit_gas <= gas_limit (%llu), got %llu",
                       (unsigned long long)ch->gas_limit, (unsigned long long)ch->transmit_gas);
}

/* Rows in the order of the keys' list in "unknown key" messages; the rule after gas_limit,
 * which it needs. */
static const por_param por__chain_params[] = {
    {.name = "name", .type = POR_PARAM_NAME, .offset = POR__CHAIN_FIELD(name), .max_len = POR_NAME_MAX,
     .required = true, .def_text = "ethereum", .unique = "chain",
     .default_doc = "in the array (`\"ethereum\"` for the implicit chain of a scenario without `chains`)",
     .doc = "what feed, token and custodians call the chain; unique"},
    {.name = "block_time", .type = POR_PARAM_DURATION, .offset = POR__CHAIN_FIELD(block_time), .def.i = 12 * POR_SEC,
     .positive = true, .doc = "the time between blocks (Ethereum's slot)"},
    {.name = "block_time_random", .type = POR_PARAM_BOOL, .offset = POR__CHAIN_FIELD(block_time_random),
     .def.u = 0, .doc = "exponential inter-block times with mean `block_time`"},
    {.name = "confirmations", .type = POR_PARAM_UINT32, .offset = POR__CHAIN_FIELD(confirmations),
     .unit = "blocks", .def.u = 1, .min.u = 0, .max.u = 10000,
     .doc = "the depth at which off-chain readers of this chain that wait for confirmations read it (custodian "
            "wallets with `source: \"wallet\"`); a transaction's effects apply in its including block whatever "
            "this is (0 and 1 = the newest block)"},
    {.name = "gas_price_gwei", .type = POR_PARAM_NUMBER, .offset = POR__CHAIN_FIELD(base_gas_gwei), .unit = "gwei",
     .def.d = 20, .min.d = 0, .max.d = 1e9,
     .doc = "the base fee (legacy: the gas price) when other users' demand is at its normal level (the "
            "EIP-1559 target); the first block's base fee"},
    {.name = "gas_volatility", .type = POR_PARAM_NUMBER, .offset = POR__CHAIN_FIELD(gas_volatility), .def.d = 0.05,
     .min.d = 0, .max.d = 10, .doc = "per-block lognormal sigma of other users' gas demand"},
    {.name = "reorg_probability", .type = POR_PARAM_PROBABILITY, .offset = POR__CHAIN_FIELD(reorg_probability),
     .def.d = 0,
     .doc = "per block, that the newest blocks are removed before the next is mined: their transactions' "
            "effects are undone (an accepted answer disappears) and the transactions return to the mempool"},
    {.name = "reorg_depth", .type = POR_PARAM_UINT32, .offset = POR__CHAIN_FIELD(reorg_depth), .unit = "blocks",
     .def.u = 1, .min.u = 1, .max.u = 1000, .doc = "blocks a reorg removes"},
    {.name = "transmit_gas", .type = POR_PARAM_UINT64, .offset = POR__CHAIN_FIELD(transmit_gas), .unit = "gas",
     .def.u = 500000, .min.u = 21000, .max.u = 1000000000,
     .doc = "the gas limit a node sets on a transmit() transaction (what must fit in a block; the node's "
            "`LimitDefault`), <= gas_limit. The gas used is computed from the report (see below); a call "
            "needing more runs out of gas and reverts"},
    {.name = "congestion", .type = POR_PARAM_WINDOWS, .offset = POR__CHAIN_FIELD(congestion),
     .count_offset = POR__CHAIN_FIELD(ncongestion), .sub = &por_congestion_param_table,
     .stride = sizeof(por_congestion),
     .doc = "in each window blocks come `block_time_factor` times slower and other users want `gas_factor` "
            "times more gas (the price follows through the fee rule, never drawn)"},
    {.name = "rpc_failure_rate", .type = POR_PARAM_PROBABILITY, .offset = POR__CHAIN_FIELD(rpc_failure_rate), .def.d = 0,
     .doc = "that one read of the chain's contracts by an oracle fails (its RPC endpoint errs), drawn from each "
            "node's own stream"},
    {.name = "rpc_outages", .type = POR_PARAM_WINDOWS, .offset = POR__CHAIN_FIELD(rpc_outages),
     .count_offset = POR__CHAIN_FIELD(nrpc_outages), .doc = "every such read fails inside them"},
    {.name = "fee_model", .type = POR_PARAM_ENUM, .offset = POR__CHAIN_FIELD(fee_model), .def.u = POR_FEE_EIP1559,
     .names = por__fee_models,
     .doc = "base fee + priority tips (`\"eip1559\"`) or one gas price per block (`\"legacy\"`)"},
    {.name = "priority_fee_gwei", .type = POR_PARAM_NUMBER, .offset = POR__CHAIN_FIELD(priority_fee_gwei),
     .unit = "gwei", .def.d = 1, .min.d = 0, .max.d = 1e9,
     .doc = "the priority fee other users pay (EIP-1559), times the demand noise, scaled up by demand / "
            "gas_limit when they want more than a block holds"},
    {.name = "demand_elasticity", .type = POR_PARAM_NUMBER, .offset = POR__CHAIN_FIELD(demand_elasticity),
     .def.d = 1, .min.d = 0, .min_open = true, .max.d = 100,
     .doc = "other users' demand falls as price^-elasticity (1: a congestion `gas_factor` k settles the base "
            "fee at k × `gas_price_gwei`)"},
    {.name = "gas_limit", .type = POR_PARAM_UINT64, .offset = POR__CHAIN_FIELD(gas_limit), .unit = "gas",
     .def.u = 30000000, .min.u = 2, .max.u = 1000000000000ull, .doc = "gas per block (the EIP-1559 target is half)"},
    {.type = POR_PARAM_RULE, .rule = por__chain_rule_transmit_gas, .doc = "transmit_gas <= gas_limit"},
    {.name = "native_price_usd", .type = POR_PARAM_NUMBER, .offset = POR__CHAIN_FIELD(native_price_usd),
     .unit = "USD", .def.d = 0, .min.d = 0, .max.d = 1e12,
     .doc = "USD per unit of the native coin (1e18 wei), for the `fee_usd` metric; `0` = unknown (the metric "
            "is absent)"},
    {.name = "txm", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_txm_param_table,
     .default_doc = "the node's defaults", .doc = "the transaction manager of each oracle key, see below"},
};

const por_param_table por_chain_param_table = {
    .path = "chains[]",
    .params = por__chain_params,
    .nparams = sizeof por__chain_params / sizeof por__chain_params[0],
};
