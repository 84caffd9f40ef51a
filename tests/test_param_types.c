/* The parameter types added for chains[], feed, token and the top level (por/param.h:
 * UINT64 and its .decimal_string form, PROBABILITY, NAME, GWEI, OBJECT, WINDOWS with and
 * without a sub-table, AMOUNT, REF, SECTION), each through the loader on the keys that use it: a good value is stored
 * as the type says, and each refusal gives its exact message at its JSON path. Then the
 * migrated sections' defaults: what the loader gives a chain without those keys equals
 * the table's defaults, and those equal their sources (the Chainlink node's EVM config
 * defaults, smartcontractkit/chainlink core/chains/evm/config/toml/defaults/fallback.toml
 * and Ethereum_Mainnet.toml; CHAIN.md "The Chainlink node's transaction manager"). These
 * tests use no randomness. */
#include "por/param.h"
#include "por/scenario_load.h"
#include "por_test.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const doc = "{\"duration\": \"1d\"}";

/* The message loading DOC with the one override SET gives (it must fail). */
static const char *set_err(const char *set)
{
    static por_error err;
    por_scenario *sc = NULL;
    memset(&err, 0, sizeof err);
    const char *sets[] = {set};
    por_status st = por_scenario_load_string(doc, strlen(doc), "t.json", sets, 1, &sc, &err);
    ck_assert_msg(st == POR_EINPUT, "%s loaded", set);
    ck_assert_ptr_null(sc);
    return err.msg;
}

/* The scenario DOC with the override SET (it must load). */
static por_scenario *set_ok(const char *set)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    const char *sets[] = {set};
    ck_assert_msg(por_scenario_load_string(doc, strlen(doc), "t.json", sets, 1, &sc, &err) == POR_OK, "%s: %s", set,
                  err.msg);
    return sc;
}

/* Asserts that SET fails with "t.json: PATH: MSG (from --set SET)". */
static void refuses(const char *set, const char *path, const char *msg)
{
    char want[1024];
    snprintf(want, sizeof want, "t.json: %s: %s (from --set %s)", path, msg, set);
    ck_assert_str_eq(set_err(set), want);
}

START_TEST(test_uint64)
{
    /* a gas limit above 2^32 is kept whole */
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"gas_limit\": 60000000000}]");
    ck_assert_uint_eq(sc->chains[0].gas_limit, 60000000000ull);
    por_scenario_free(sc);
    refuses("chains=[{\"name\": \"a\", \"gas_limit\": 1}]", "$.chains[0].gas_limit",
            "expected an integer from 2 to 1000000000000, got 1");
    refuses("chains=[{\"name\": \"a\", \"gas_limit\": 2.5}]", "$.chains[0].gas_limit",
            "expected an integer from 2 to 1000000000000, got 2.5");
    refuses("chains=[{\"name\": \"a\", \"transmit_gas\": \"9\"}]", "$.chains[0].transmit_gas",
            "expected an integer from 21000 to 1000000000, got \"9\"");
}
END_TEST

START_TEST(test_prob)
{
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"reorg_probability\": 0.25, \"rpc_failure_rate\": 1}]");
    ck_assert(sc->chains[0].reorg_probability == 0.25);
    ck_assert(sc->chains[0].rpc_failure_rate == 1.0);
    por_scenario_free(sc);
    refuses("chains=[{\"name\": \"a\", \"reorg_probability\": 1.5}]", "$.chains[0].reorg_probability",
            "expected a probability in [0, 1], got 1.5");
    refuses("chains=[{\"name\": \"a\", \"rpc_failure_rate\": -0.1}]", "$.chains[0].rpc_failure_rate",
            "expected a probability in [0, 1], got -0.1");
    refuses("chains=[{\"name\": \"a\", \"rpc_failure_rate\": \"0.1\"}]", "$.chains[0].rpc_failure_rate",
            "expected a probability in [0, 1], got \"0.1\"");
}
END_TEST

START_TEST(test_name)
{
    por_scenario *sc = set_ok("chains=[{\"name\": \"l1\"}, {\"name\": \"l2\"}]");
    ck_assert_uint_eq(sc->nchains, 2);
    ck_assert_str_eq(sc->chains[0].name, "l1");
    ck_assert_str_eq(sc->chains[1].name, "l2");
    por_scenario_free(sc);
    refuses("chains=[{}]", "$.chains[0].name", "missing required key");
    refuses("chains=[{\"name\": 5}]", "$.chains[0].name", "expected a string, got 5");
    refuses("chains=[{\"name\": \"\"}]", "$.chains[0].name", "expected a non-empty string, got \"\"");
    char set[256];
    snprintf(set, sizeof set, "chains=[{\"name\": \"%0*d\"}]", POR_NAME_MAX, 0); /* 64 characters */
    refuses(set, "$.chains[0].name", "expected at most 63 characters, got 64");
    refuses("chains=[{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"a\"}]", "$.chains[2].name",
            "duplicate chain name \"a\" (also used by entry 0)");
}
END_TEST

/* GWEI: por__gwei_to_wei's rounding, kept: gwei * 1e9 rounded to the nearest wei, and
 * from 1.8e19 wei on the cap UINT64_MAX / 2. */
START_TEST(test_gwei)
{
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"txm\": {\"bump_min_gwei\": 0.1, \"price_min_gwei\": "
                              "0.0000000016, \"price_max_gwei\": 1000000000}}]");
    ck_assert_uint_eq(sc->chains[0].txm.bump_min_wei, 100000000ull);
    ck_assert_uint_eq(sc->chains[0].txm.price_min_wei, 2); /* 1.6 wei rounds to 2 */
    ck_assert_uint_eq(sc->chains[0].txm.price_max_wei, 1000000000000000000ull);
    por_scenario_free(sc);
    ck_assert_uint_eq(por_param_gwei_to_wei(0), 0);
    ck_assert_uint_eq(por_param_gwei_to_wei(1.4e-9), 1);
    ck_assert_uint_eq(por_param_gwei_to_wei(20), 20000000000ull);
    ck_assert_uint_eq(por_param_gwei_to_wei(1.8e10), UINT64_MAX / 2);
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"price_max_gwei\": 0}}]", "$.chains[0].txm.price_max_gwei",
            "expected a number in (0, 1e+09], got 0");
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"bump_min_gwei\": -1}}]", "$.chains[0].txm.bump_min_gwei",
            "expected a number in [0, 1e+09], got -1");
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"price_min_gwei\": 2e9}}]", "$.chains[0].txm.price_min_gwei",
            "expected a number in [0, 1e+09], got 2000000000");
}
END_TEST

/* OBJECT: the nested object's keys, paths and rule are the sub-table's; absent, its
 * defaults, derived from the parent's fields (the fee model). */
START_TEST(test_object)
{
    refuses("chains=[{\"name\": \"a\", \"txm\": 5}]", "$.chains[0].txm", "expected an object, got 5");
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"percentile\": 101}}]", "$.chains[0].txm.percentile",
            "expected an integer from 0 to 100, got 101");
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"histroy_blocks\": 3}}]",
            "$.chains[0].txm.histroy_blocks", "unknown key; did you mean \"history_blocks\"?");
    refuses("chains=[{\"name\": \"a\", \"txm\": {\"price_min_gwei\": 10, \"price_max_gwei\": 5}}]",
            "$.chains[0].txm.price_min_gwei", "needs price_min_gwei <= price_max_gwei");
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"fee_model\": \"legacy\"}, {\"name\": \"b\", \"txm\": "
                              "{\"percentile\": 90}}]");
    ck_assert_uint_eq(sc->chains[0].txm.history_blocks, 8); /* fallback.toml BlockHistorySize */
    ck_assert_uint_eq(sc->chains[0].txm.percentile, 60);    /* fallback.toml TransactionPercentile */
    ck_assert_uint_eq(sc->chains[1].txm.history_blocks, 4); /* Ethereum_Mainnet.toml */
    ck_assert_uint_eq(sc->chains[1].txm.percentile, 90);
    por_scenario_free(sc);
}
END_TEST

/* WINDOWS without a sub-table (rpc_outages: elements are por_window) and with one
 * (congestion: each element a por_congestion, its window then the sub-table's factors,
 * each 1 when absent): good values stored as written, absent or [] is no windows, and every
 * refusal of the window reader and of the factor rows with its message and path. */
START_TEST(test_windows)
{
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"rpc_outages\": [{\"at\": \"1h\", \"for\": \"2h\"}], "
                              "\"congestion\": [{\"from\": \"3h\", \"until\": \"4h\", \"gas_factor\": 2}, "
                              "{\"at\": \"5h\", \"block_time_factor\": 1e6}, {}]}]");
    const por_chain_config *ch = &sc->chains[0];
    ck_assert_uint_eq(ch->nrpc_outages, 1);
    ck_assert_int_eq(ch->rpc_outages[0].from, POR_HOUR);
    ck_assert_int_eq(ch->rpc_outages[0].until, 3 * POR_HOUR);
    ck_assert_uint_eq(ch->ncongestion, 3);
    ck_assert_int_eq(ch->congestion[0].window.from, 3 * POR_HOUR);
    ck_assert_int_eq(ch->congestion[0].window.until, 4 * POR_HOUR);
    ck_assert(ch->congestion[0].gas_factor == 2.0);
    ck_assert(ch->congestion[0].block_time_factor == 1.0); /* default: no change */
    ck_assert_int_eq(ch->congestion[1].window.from, 5 * POR_HOUR);
    ck_assert_int_eq(ch->congestion[1].window.until, POR_TIME_MAX); /* open */
    ck_assert(ch->congestion[1].block_time_factor == 1e6);
    ck_assert(ch->congestion[1].gas_factor == 1.0);
    ck_assert_int_eq(ch->congestion[2].window.from, 0); /* {}: the whole run, factors 1 */
    ck_assert_int_eq(ch->congestion[2].window.until, POR_TIME_MAX);
    ck_assert(ch->congestion[2].block_time_factor == 1.0 && ch->congestion[2].gas_factor == 1.0);
    por_scenario_free(sc);
    sc = set_ok("chains=[{\"name\": \"a\", \"rpc_outages\": [], \"congestion\": []}]");
    ck_assert_uint_eq(sc->chains[0].nrpc_outages, 0);
    ck_assert_ptr_null(sc->chains[0].rpc_outages);
    ck_assert_uint_eq(sc->chains[0].ncongestion, 0);
    ck_assert_ptr_null(sc->chains[0].congestion);
    por_scenario_free(sc);
    sc = set_ok("chains=[{\"name\": \"a\"}]");
    ck_assert_uint_eq(sc->chains[0].ncongestion, 0);
    ck_assert_uint_eq(sc->chains[0].nrpc_outages, 0);
    por_scenario_free(sc);
    /* the array and its elements */
    refuses("chains=[{\"name\": \"a\", \"rpc_outages\": {}}]", "$.chains[0].rpc_outages",
            "expected an array, got an object");
    refuses("chains=[{\"name\": \"a\", \"congestion\": {}}]", "$.chains[0].congestion",
            "expected an array, got an object");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [5]}]", "$.chains[0].congestion[0]",
            "expected an object, got 5");
    refuses("chains=[{\"name\": \"a\", \"rpc_outages\": [3]}]", "$.chains[0].rpc_outages[0]",
            "expected an object, got 3");
    /* the keys: the window's four, then the sub-table's */
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"from\": \"1h\", \"bt\": 2}]}]",
            "$.chains[0].congestion[0].bt", "unknown key; did you mean \"at\"?");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"gas_factr\": 2}]}]", "$.chains[0].congestion[0].gas_factr",
            "unknown key; did you mean \"gas_factor\"?");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"zzzzzzzz\": 2}]}]", "$.chains[0].congestion[0].zzzzzzzz",
            "unknown key; expected one of: from, at, until, for, block_time_factor, gas_factor");
    refuses("chains=[{\"name\": \"a\", \"rpc_outages\": [{\"gas_factor\": 2}]}]",
            "$.chains[0].rpc_outages[0].gas_factor", "unknown key; expected one of: from, at, until, for");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"gas_factor\": 2, \"gas_factor\": 3}]}]",
            "$.chains[0].congestion[0].gas_factor", "duplicate key");
    /* the window, read before the factors */
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"from\": \"2h\", \"until\": \"1h\", \"gas_factor\": 0}]}]",
            "$.chains[0].congestion[0].until", "needs until > from, got from=2h until=1h");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"from\": \"2h\", \"at\": \"1h\"}]}]",
            "$.chains[0].congestion[0].at", "give either \"from\" or \"at\", not both");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"until\": \"2h\", \"for\": \"1h\"}]}]",
            "$.chains[0].congestion[0].for", "give either \"until\" or \"for\", not both");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"for\": \"0s\"}]}]", "$.chains[0].congestion[0].for",
            "expected a positive duration, got \"0s\"");
    refuses("chains=[{\"name\": \"a\", \"rpc_outages\": [{\"from\": \"2h\", \"until\": \"1h\"}]}]",
            "$.chains[0].rpc_outages[0].until", "needs until > from, got from=2h until=1h");
    /* the factors: [1, 1e6], numbers */
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"from\": \"1h\", \"gas_factor\": 0.5}]}]",
            "$.chains[0].congestion[0].gas_factor", "expected a number in [1, 1e+06], got 0.5");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"gas_factor\": 1000001}]}]",
            "$.chains[0].congestion[0].gas_factor", "expected a number in [1, 1e+06], got 1000001");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"gas_factor\": \"2\"}]}]",
            "$.chains[0].congestion[0].gas_factor", "expected a number in [1, 1e+06], got \"2\"");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"gas_factor\": 2}, {\"block_time_factor\": -1}]}]",
            "$.chains[0].congestion[1].block_time_factor", "expected a number in [1, 1e+06], got -1");
    refuses("chains=[{\"name\": \"a\", \"congestion\": [{\"block_time_factor\": 1e7}]}]",
            "$.chains[0].congestion[0].block_time_factor", "expected a number in [1, 1e+06], got 10000000");
    /* a factor's default is the table's, and it is "no change" (chain.c multiplies by it) */
    ck_assert_uint_eq(por_congestion_param_table.nparams, 3);
    por_congestion want;
    memset(&want, 0xff, sizeof want);
    por_param_defaults(&por_congestion_param_table, &want);
    ck_assert(want.block_time_factor == 1.0 && want.gas_factor == 1.0);
    ck_assert_int_eq(want.window.from, 0);
    ck_assert_int_eq(want.window.until, POR_TIME_MAX);
}
END_TEST

/* The rule row between keys: a transmit() must fit in a block, reported at transmit_gas. */
START_TEST(test_rule_transmit_gas)
{
    refuses("chains=[{\"name\": \"a\", \"transmit_gas\": 600000, \"gas_limit\": 500000}]",
            "$.chains[0].transmit_gas", "needs transmit_gas <= gas_limit (500000), got 600000");
    por_scenario *sc = set_ok("chains=[{\"name\": \"a\", \"transmit_gas\": 500000, \"gas_limit\": 500000}]");
    por_scenario_free(sc);
}
END_TEST

/* AMOUNT: an exact decimal string in the decimals of the section's decimals key (read
 * before it, whatever the order in the file). */
START_TEST(test_amount)
{
    por_scenario *sc = set_ok("feed={\"max_answer\": \"2.5\", \"min_answer\": \"-1.25\", \"decimals\": 2}");
    ck_assert(sc->feed.min_answer == -125);
    ck_assert(sc->feed.max_answer == 250);
    por_scenario_free(sc);
    sc = set_ok("feed.min_answer=\"0.00000001\""); /* 8 decimals by default: 1 base unit */
    ck_assert(sc->feed.min_answer == 1);
    por_scenario_free(sc);
    refuses("feed.min_answer=5", "$.feed.min_answer",
            "expected an amount as a decimal string such as \"1000000.50\" (8 decimals), got 5");
    refuses("feed={\"decimals\": 2, \"min_answer\": \"1.125\"}", "$.feed.min_answer",
            "expected an amount with at most 2 decimals, got \"1.125\": more fractional digits than the declared "
            "decimals");
}
END_TEST

/* REF: a name resolved against the array read before (chains are read before feed). */
START_TEST(test_ref)
{
    por_scenario *sc = NULL;
    const char *two = "{\"duration\": \"1d\", \"chains\": [{\"name\": \"l1\"}, {\"name\": \"l2\"}], \"feed\": "
                      "{\"chain\": \"l2\"}}";
    ck_assert_int_eq(por_scenario_load_string(two, strlen(two), "t.json", NULL, 0, &sc, NULL), POR_OK);
    ck_assert_uint_eq(sc->feed.chain, 1);
    por_scenario_free(sc);
    refuses("feed.chain=3", "$.feed.chain", "expected the name of a chain, got 3");
    refuses("feed.chain=\"etherium\"", "$.feed.chain", "unknown chain \"etherium\"; did you mean \"ethereum\"?");
    refuses("feed.chain=\"solana\"", "$.feed.chain", "unknown chain \"solana\"; known: \"ethereum\"");
}
END_TEST

/* Rules may name a key below the object (por/param.h): feed's accept_deviation rule, at
 * $.feed.ocr.accept_deviation, only when that nested key is given; and an array element
 * ($.feed.sources[2]) for the units rule. */
START_TEST(test_rule_paths)
{
    refuses("feed.ocr.accept_deviation=\"1%\"", "$.feed.ocr.accept_deviation",
            "not allowed unless feed.protocol is \"ocr2\"");
    por_scenario *sc = set_ok("feed={\"protocol\": \"ocr2\", \"ocr\": {\"accept_deviation\": \"2%\"}}");
    ck_assert_int_eq(sc->feed.ocr.alpha_accept_ppb, 20000000);
    por_scenario_free(sc);
    const char *cu = "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": "
                     "\"g\", \"unit\": \"ozt\"}], \"feed\": {\"sources\": [\"a\", \"b\", \"g\"]}}";
    por_error err = {0};
    ck_assert_int_eq(por_scenario_load_string(cu, strlen(cu), "t.json", NULL, 0, &sc, &err), POR_EINPUT);
    ck_assert_str_eq(err.msg, "t.json: $.feed.sources[2]: needs every source in the same unit, got \"a\" (USD) and "
                              "\"g\" (ozt)");
}
END_TEST

/* feed absent: the table's defaults; sources every custodian (the CUSTOM reader's
 * default), ocr the feed.ocr table's. */
START_TEST(test_feed_defaults)
{
    por_feed_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_feed_param_table, &want);
    por_scenario *sc = por_scenario_defaults();
    const por_feed_config *got = &sc->feed;
    ck_assert_uint_eq(got->chain, want.chain);
    ck_assert_uint_eq(got->decimals, want.decimals);
    ck_assert(got->min_answer == want.min_answer);
    ck_assert(got->max_answer == want.max_answer);
    ck_assert_int_eq(got->crypto, want.crypto);
    ck_assert(got->gas_price_multiplier == want.gas_price_multiplier);
    ck_assert(got->max_gas_price_gwei == want.max_gas_price_gwei);
    ck_assert_int_eq(got->protocol, want.protocol);
    ck_assert_uint_eq(got->ocr.n, want.ocr.n);
    ck_assert_int_eq(got->ocr.delta_c, want.ocr.delta_c);
    ck_assert_uint_eq(got->nsources, sc->ncustodians);
    for (size_t i = 0; i < got->nsources; i++)
        ck_assert_uint_eq(got->sources[i], i);
    por_scenario_free(sc);
    /* The first chain; 8 decimals (Chainlink's USD-denominated feeds); no bounds but 0
     * below (a reserve is never negative; OffchainAggregator's minAnswer/maxAnswer are
     * set wide); OCR1 (OffchainAggregator, what PoR feeds run); the node's own bids
     * (multiplier 1, no cap beyond the chain's PriceMax); ideal signatures. */
    ck_assert_uint_eq(want.chain, 0);
    ck_assert_uint_eq(want.decimals, 8);
    ck_assert(want.min_answer == 0);
    ck_assert(want.max_answer == POR_AMOUNT_MAX);
    ck_assert_int_eq(want.protocol, POR_PROTOCOL_OCR1);
    ck_assert(want.gas_price_multiplier == 1.0);
    ck_assert(want.max_gas_price_gwei == 0.0);
    ck_assert_int_eq(want.crypto, POR_CRYPTO_MODE_IDEAL);
}
END_TEST

/* token absent: the table's defaults (decimals, deposit_delay) and its CUSTOM rows'
 * documented defaults. */
START_TEST(test_token_defaults)
{
    por_token_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_token_param_table, &want);
    por_scenario *sc = por_scenario_defaults();
    const por_token_config *got = &sc->token;
    ck_assert_uint_eq(got->decimals, want.decimals);
    ck_assert_int_eq(got->deposit_delay, want.deposit_delay);
    /* ERC-20's usual 18 decimals (OpenZeppelin ERC20.decimals()); deposits move the
     * reserve at once */
    ck_assert_uint_eq(want.decimals, 18);
    ck_assert_int_eq(want.deposit_delay, 0);
    /* the CUSTOM rows' defaults, as their default_doc says (SCHEMA.md's token table) */
    ck_assert_uint_eq(got->nchains, 1);
    ck_assert_uint_eq(got->chains[0], sc->feed.chain);
    por_amount supply;
    ck_assert(por_amount_mul(990000000, por_amount_pow10(18), &supply));
    ck_assert(got->initial_supply[0] == supply);
    ck_assert_int_eq(got->bridge_delay, 30 * POR_MIN);
    ck_assert(got->secure_mint.enabled);
    ck_assert_int_eq(got->mints.kind, POR_PROCESS_POISSON);
    ck_assert(got->mints.per_day == 24);
    ck_assert_int_eq(got->redeems.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(got->bridges.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(got->reserve_custodian, (int32_t)sc->feed.sources[0]);
    ck_assert(!got->refresh.enabled);
    por_scenario_free(sc);
    /* CUSTOM rows are left alone by por_param_defaults (their readers set them) */
    ck_assert_ptr_null(want.chains);
    ck_assert_ptr_null(want.initial_supply);
}
END_TEST

/* token's rule: the feed's reserve scaled to the token's decimals must fit 128 bits
 * (SecureMintPolicy.sol run() scales by 10^(token - feed decimals), reverting on
 * overflow): the default reserve, 1e9 USD, is 1e17 base units at 8 feed decimals; at 30
 * token decimals it is 1e39 > 2^127 (about 1.7e38), at 20 decimals 1e29 fits. */
START_TEST(test_token_decimals_rule)
{
    refuses("token.decimals=30", "$.token.decimals",
            "the feed's reserve scaled from 8 to 30 decimals (SecureMintPolicy's 10^(token - feed decimals)) does "
            "not fit 128 bits; lower token.decimals");
    por_scenario *sc = set_ok("token.decimals=20");
    ck_assert_uint_eq(sc->token.decimals, 20);
    por_scenario_free(sc);
}
END_TEST

static void chain_eq(const por_chain_config *got, const por_chain_config *want)
{
    ck_assert_str_eq(got->name, want->name);
    ck_assert_int_eq(got->block_time, want->block_time);
    ck_assert(got->block_time_random == want->block_time_random);
    ck_assert_uint_eq(got->confirmations, want->confirmations);
    ck_assert_int_eq(got->fee_model, want->fee_model);
    ck_assert(got->base_gas_gwei == want->base_gas_gwei);
    ck_assert(got->priority_fee_gwei == want->priority_fee_gwei);
    ck_assert(got->gas_volatility == want->gas_volatility);
    ck_assert(got->demand_elasticity == want->demand_elasticity);
    ck_assert_uint_eq(got->gas_limit, want->gas_limit);
    ck_assert(got->native_price_usd == want->native_price_usd);
    ck_assert(got->reorg_probability == want->reorg_probability);
    ck_assert_uint_eq(got->reorg_depth, want->reorg_depth);
    ck_assert_uint_eq(got->transmit_gas, want->transmit_gas);
    ck_assert_uint_eq(got->txm.history_blocks, want->txm.history_blocks);
    ck_assert_uint_eq(got->txm.percentile, want->txm.percentile);
    ck_assert_uint_eq(got->txm.bump_threshold, want->txm.bump_threshold);
    ck_assert_uint_eq(got->txm.bump_percent, want->txm.bump_percent);
    ck_assert_uint_eq(got->txm.bump_min_wei, want->txm.bump_min_wei);
    ck_assert_uint_eq(got->txm.price_max_wei, want->txm.price_max_wei);
    ck_assert_uint_eq(got->txm.price_min_wei, want->txm.price_min_wei);
    ck_assert_uint_eq(got->txm.tip_cap_min_wei, want->txm.tip_cap_min_wei);
    ck_assert(got->rpc_failure_rate == want->rpc_failure_rate);
    ck_assert_uint_eq(got->ncongestion, want->ncongestion);
    ck_assert_uint_eq(got->nrpc_outages, want->nrpc_outages);
}

/* chains[] absent: one chain with exactly the table's defaults; a chain given with only a
 * name: the same but its name. The defaults are their sources' values. */
START_TEST(test_chain_defaults)
{
    por_chain_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_chain_param_table, &want);
    por_scenario *sc = por_scenario_defaults();
    ck_assert_uint_eq(sc->nchains, 1);
    chain_eq(&sc->chains[0], &want);
    por_scenario_free(sc);
    sc = set_ok("chains=[{\"name\": \"l2\"}]");
    snprintf(want.name, sizeof want.name, "l2");
    chain_eq(&sc->chains[0], &want);
    por_scenario_free(sc);
    sc = set_ok("chains=[{\"name\": \"l2\", \"txm\": {}}]"); /* an empty txm object: the same */
    chain_eq(&sc->chains[0], &want);
    por_scenario_free(sc);
    /* Ethereum: 12 s slots, EIP-1559 fees, a 30M gas limit (EIP-1559's target 15M) */
    ck_assert_int_eq(want.block_time, 12 * POR_SEC);
    ck_assert_int_eq(want.fee_model, POR_FEE_EIP1559);
    ck_assert_uint_eq(want.gas_limit, 30000000);
    /* the node's GasEstimator.LimitDefault 500_000 (fallback.toml) */
    ck_assert_uint_eq(want.transmit_gas, 500000);
    /* GasEstimator (fallback.toml): BumpThreshold 3, BumpPercent 20, BumpMin '5 gwei',
     * PriceMin '1 gwei', TipCapMin '1' (wei); PriceMax 100 micro-ETH on Ethereum (CHAIN.md) */
    ck_assert_uint_eq(want.txm.bump_threshold, 3);
    ck_assert_uint_eq(want.txm.bump_percent, 20);
    ck_assert_uint_eq(want.txm.bump_min_wei, 5000000000ull);
    ck_assert_uint_eq(want.txm.price_min_wei, 1000000000ull);
    ck_assert_uint_eq(want.txm.tip_cap_min_wei, 1);
    ck_assert_uint_eq(want.txm.price_max_wei, 100000000000000ull);
    /* BlockHistory (Ethereum_Mainnet.toml, EIP-1559): size 4, percentile 50 */
    ck_assert_uint_eq(want.txm.history_blocks, 4);
    ck_assert_uint_eq(want.txm.percentile, 50);
    /* faults off by default */
    ck_assert(want.reorg_probability == 0);
    ck_assert(want.rpc_failure_rate == 0);
}
END_TEST

/* ---- the top level (models/world/scenario_params.c) ------------------------------- */

/* JSON loaded under the display name FILE (it must load). */
static por_scenario *load_as(const char *json, const char *file)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(json, strlen(json), file, NULL, 0, &sc, &err) == POR_OK, "%s: %s", json,
                  err.msg);
    return sc;
}

/* The message loading JSON as "t.json" gives (it must fail). */
static const char *load_err(const char *json)
{
    static por_error err;
    por_scenario *sc = NULL;
    memset(&err, 0, sizeof err);
    ck_assert_msg(por_scenario_load_string(json, strlen(json), "t.json", NULL, 0, &sc, &err) == POR_EINPUT,
                  "%s loaded", json);
    ck_assert_ptr_null(sc);
    return err.msg;
}

/* UINT64 with .decimal_string (seed): a string carries all 64 bits, a JSON number only
 * up to 2^53 - 1 (a double cannot tell 2^53 + 1 from 2^53); every refusal with its
 * message. */
START_TEST(test_uint64_decimal_string)
{
    por_scenario *sc = load_as("{\"duration\": \"1d\", \"seed\": \"18446744073709551615\"}", "t.json");
    ck_assert_uint_eq(sc->seed, UINT64_MAX);
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\", \"seed\": \"9007199254740993\"}", "t.json"); /* 2^53 + 1, exact */
    ck_assert_uint_eq(sc->seed, 9007199254740993ull);
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\", \"seed\": 9007199254740991}", "t.json"); /* 2^53 - 1 as a number */
    ck_assert_uint_eq(sc->seed, 9007199254740991ull);
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\", \"seed\": \"0\"}", "t.json");
    ck_assert_uint_eq(sc->seed, 0);
    por_scenario_free(sc);
    static const char *const bad_strings[] = {"18446744073709551616", "", "-1", "0x10", " 5", "1.0",
                                              "000000000000000000001"};
    for (size_t i = 0; i < sizeof bad_strings / sizeof bad_strings[0]; i++) {
        char json[128], want[256];
        snprintf(json, sizeof json, "{\"duration\": \"1d\", \"seed\": \"%s\"}", bad_strings[i]);
        snprintf(want, sizeof want,
                 "t.json: $.seed: expected a decimal string from \"0\" to \"18446744073709551615\", got \"%s\"",
                 bad_strings[i]);
        ck_assert_str_eq(load_err(json), want);
    }
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"seed\": 9007199254740992}"),
                     "t.json: $.seed: expected an integer below 2^53, got 9.00719925474099e+15 (larger integers are "
                     "not exact in JSON numbers; write the seed as a string, e.g. \"9007199254740993\")");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"seed\": 1.5}"),
                     "t.json: $.seed: expected an integer from 0 to 9007199254740991, got 1.5");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"seed\": -1}"),
                     "t.json: $.seed: expected an integer from 0 to 9007199254740991, got -1");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"seed\": true}"),
                     "t.json: $.seed: expected an integer from 0 to 9007199254740991, got true");
}
END_TEST

/* The top-level rows: name (default: the file's base name without ".json", at most 63
 * bytes, "scenario" when that is empty), description (CUSTOM: any string, "" when
 * absent), replications, duration (required); each refusal with its message. */
START_TEST(test_top_level_rows)
{
    por_scenario *sc = load_as("{\"duration\": \"2h\", \"name\": \"n\", \"description\": \"d\", \"replications\": 7}",
                               "dir/x.json");
    ck_assert_str_eq(sc->name, "n");
    ck_assert_str_eq(sc->description, "d");
    ck_assert_uint_eq(sc->replications, 7);
    ck_assert_int_eq(sc->duration, 2 * POR_HOUR);
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\", \"description\": \"\"}", "scenarios/sub/peg-loss.json");
    ck_assert_str_eq(sc->name, "peg-loss");
    ck_assert_str_eq(sc->description, "");
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\"}", "/a/");
    ck_assert_str_eq(sc->name, "scenario");
    ck_assert_str_eq(sc->description, "");
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\"}", ".json"); /* only a suffix: kept */
    ck_assert_str_eq(sc->name, ".json");
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\"}", "no-suffix");
    ck_assert_str_eq(sc->name, "no-suffix");
    por_scenario_free(sc);
    char file[128];
    memset(file, 'a', 100);
    snprintf(file + 100, sizeof file - 100, ".json");
    sc = load_as("{\"duration\": \"1d\"}", file);
    ck_assert_uint_eq(strlen(sc->name), POR_NAME_MAX - 1);
    por_scenario_free(sc);
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"name\": 5}"), "t.json: $.name: expected a string, got 5");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"name\": \"\"}"),
                     "t.json: $.name: expected a non-empty string, got \"\"");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"description\": null}"),
                     "t.json: $.description: expected a string, got null");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"replications\": 0}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 0");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"replications\": 10000001}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 10000001");
    ck_assert_str_eq(load_err("{}"), "t.json: $.duration: missing required key");
    ck_assert_str_eq(load_err("{\"duration\": \"0s\"}"), "t.json: $.duration: expected a positive duration, got \"0s\"");
    /* rows are read in table order: name before seed before replications before duration */
    ck_assert_str_eq(load_err("{\"replications\": 0, \"seed\": -1, \"name\": 3}"),
                     "t.json: $.name: expected a string, got 3");
    ck_assert_str_eq(load_err("{\"replications\": 0}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 0");
}
END_TEST

/* SECTION rows: the table lists every top-level key (the "unknown key" list and
 * suggestions come from it, in its order), but the sections are read by their own
 * readers in dependency order: network (listed before chains) is read after feed. */
START_TEST(test_section_rows)
{
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"zzzzzzzzzzzz\": 1}"),
                     "t.json: $.zzzzzzzzzzzz: unknown key; expected one of: name, description, seed, replications, "
                     "duration, metrics, network, chains, custodians, feed, token, consumers, attackers");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"chain\": []}"),
                     "t.json: $.chain: unknown key; did you mean \"chains\"?");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"sed\": 1}"), "t.json: $.sed: unknown key; did you mean \"seed\"?");
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"seed\": 1, \"seed\": 2}"), "t.json: $.seed: duplicate key");
    /* chains before network, although network is listed first */
    ck_assert_str_eq(load_err("{\"duration\": \"1d\", \"network\": {\"bandwidth\": \"x\"}, "
                              "\"chains\": [{\"name\": \"a\", \"block_time\": \"0s\"}]}"),
                     "t.json: $.chains[0].block_time: expected a positive duration, got \"0s\"");
    size_t nsections = 0;
    for (size_t i = 0; i < por_scenario_param_table.nparams; i++)
        nsections += por_scenario_param_table.params[i].type == POR_PARAM_SECTION;
    ck_assert_uint_eq(nsections, 8);
}
END_TEST

/* The table's check, after the sections: a reserve step or an attack starting at or after
 * the end is a warning at its JSON path ("at" or "from", as written), the run still loads. */
START_TEST(test_warn_after_end)
{
    por_scenario *sc = load_as(
        "{\"duration\": \"2d\", \"custodians\": [{\"name\": \"c\", \"reserve\": {\"steps\": ["
        "{\"at\": \"1d\", \"change\": \"-1%\"}, {\"at\": \"2d\", \"change\": \"-1%\"}]}}], "
        "\"attackers\": [{\"type\": \"crash\", \"nodes\": [0], \"from\": \"3d\"}, "
        "{\"type\": \"crash\", \"nodes\": [1], \"at\": \"1d\"}, {\"type\": \"crash\", \"nodes\": [2], \"at\": \"2d\"}]}",
        "t.json");
    ck_assert_uint_eq(sc->nwarnings, 3);
    ck_assert_str_eq(sc->warnings[0], "t.json: $.custodians[0].reserve.steps[1].at: 2d is not before the end of the "
                                      "run (duration 2d): this step never happens");
    ck_assert_str_eq(sc->warnings[1], "t.json: $.attackers[0].from: 3d is not before the end of the run (duration "
                                      "2d): this attack never starts");
    ck_assert_str_eq(sc->warnings[2], "t.json: $.attackers[2].at: 2d is not before the end of the run (duration "
                                      "2d): this attack never starts");
    por_scenario_free(sc);
}
END_TEST

/* por_scenario_defaults() takes the top-level table's defaults, and those are the old
 * loader's literals (scenario_build.c before the table: seed 1, replications 100; a file
 * must give its duration and the defaults take one day, por/scenario_load.h), with the
 * name of its display name "<defaults>". A file still must give its duration. */
START_TEST(test_top_level_defaults)
{
    por_scenario want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_scenario_param_table, &want);
    ck_assert_uint_eq(want.seed, 1);
    ck_assert_uint_eq(want.replications, 100);
    ck_assert_int_eq(want.duration, POR_DAY);
    ck_assert_str_eq(want.name, "scenario"); /* no file */
    por_scenario *sc = por_scenario_defaults();
    ck_assert_uint_eq(sc->seed, want.seed);
    ck_assert_uint_eq(sc->replications, want.replications);
    ck_assert_int_eq(sc->duration, want.duration);
    ck_assert_str_eq(sc->name, "<defaults>");
    ck_assert_str_eq(sc->description, "");
    por_scenario_free(sc);
    sc = load_as("{\"duration\": \"1d\"}", "t.json");
    ck_assert_uint_eq(sc->seed, want.seed);
    ck_assert_uint_eq(sc->replications, want.replications);
    ck_assert_str_eq(sc->name, "t");
    por_scenario_free(sc);
    ck_assert_str_eq(load_err("{}"), "t.json: $.duration: missing required key");
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("param_types");
    TCase *t = tcase_create("param_types");
    tcase_add_test(t, test_uint64);
    tcase_add_test(t, test_prob);
    tcase_add_test(t, test_name);
    tcase_add_test(t, test_gwei);
    tcase_add_test(t, test_object);
    tcase_add_test(t, test_windows);
    tcase_add_test(t, test_rule_transmit_gas);
    tcase_add_test(t, test_chain_defaults);
    tcase_add_test(t, test_amount);
    tcase_add_test(t, test_ref);
    tcase_add_test(t, test_rule_paths);
    tcase_add_test(t, test_feed_defaults);
    tcase_add_test(t, test_token_defaults);
    tcase_add_test(t, test_token_decimals_rule);
    tcase_add_test(t, test_uint64_decimal_string);
    tcase_add_test(t, test_top_level_rows);
    tcase_add_test(t, test_section_rows);
    tcase_add_test(t, test_warn_after_end);
    tcase_add_test(t, test_top_level_defaults);
    suite_add_tcase(s, t);
    return s;
}
