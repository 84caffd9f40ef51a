/* The parameter types added for chains[], feed, token, attackers and the top level
 * (por/param.h: UINT64 and its .decimal_string form, PROBABILITY, NAME, GWEI, OBJECT,
 * CUSTOM, WINDOWS with and without a sub-table, AMOUNT, REF, SECTION, VARIANT; REF_LIST,
 * AMOUNT_DIST, OBJECT's .absent_off, AMOUNT's .positive and .token_decimals, a table's
 * .what and .keys, por_param_check.prev for neighbours in an array), each through the
 * loader on the keys that use it: a good value is stored as the type says, and each
 * refusal gives its exact message at its JSON path. Then the migrated sections' defaults:
 * what the loader gives a chain without those keys equals the table's defaults, and those
 * equal their sources (the Chainlink node's EVM config defaults,
 * smartcontractkit/chainlink core/chains/evm/config/toml/defaults/fallback.toml and
 * Ethereum_Mainnet.toml; CHAIN.md "The Chainlink node's transaction manager"). Then the
 * VARIANT type on attackers[] and each attacker rule with the model it protects. These
 * tests use no randomness. */
#include "por/param.h"
#include "por/scenario_load.h"
#include "por_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
    /* the defaults as SCHEMA.md's token table says: the feed's chain (REF_LIST's derived
     * default); 990,000,000 tokens on it (the CUSTOM supply reader); bridges take 30
     * minutes (the hand-written reader's 30 * POR_MIN); Secure Mint on; Poisson mints, 24
     * a day; no redemptions, no bridges; the feed's first source holds the reserve;
     * refresh-then-mint off (an .absent_off object) */
    ck_assert_uint_eq(got->nchains, 1);
    ck_assert_uint_eq(got->chains[0], sc->feed.chain);
    por_amount supply;
    ck_assert(por_amount_mul(990000000, por_amount_pow10(18), &supply));
    ck_assert(got->initial_supply[0] == supply);
    ck_assert_int_eq(got->bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(got->bridge_delay_dist.value, 30 * POR_MIN);
    ck_assert(got->secure_mint.enabled);
    ck_assert_int_eq(got->mints.kind, POR_PROCESS_POISSON);
    ck_assert(got->mints.per_day == 24);
    ck_assert_int_eq(got->redeems.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(got->bridges.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(got->reserve_custodian, (int32_t)sc->feed.sources[0]);
    ck_assert(!got->refresh.enabled);
    por_scenario_free(sc);
    /* without a scenario the table's own defaults: chain 0, custodian 0, 30m, off */
    ck_assert_uint_eq(want.nchains, 1);
    ck_assert_uint_eq(want.chains[0], 0);
    free(want.chains);
    ck_assert_int_eq(want.reserve_custodian, 0);
    ck_assert_int_eq(want.bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(want.bridge_delay_dist.value, 30 * POR_MIN);
    ck_assert(!want.refresh.enabled);
    ck_assert_int_eq(want.refresh.timeout, 10 * POR_MIN); /* the sub-table's own default */
    /* CUSTOM rows are left alone by por_param_defaults (their readers set them) */
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

/* The message loading the document D as "t.json" fails with (it must fail, and leave no
 * scenario behind). */
static const char *doc_err(const char *d)
{
    static por_error err;
    por_scenario *sc = NULL;
    memset(&err, 0, sizeof err);
    ck_assert_msg(por_scenario_load_string(d, strlen(d), "t.json", NULL, 0, &sc, &err) == POR_EINPUT, "%s loaded",
                  d);
    ck_assert_ptr_null(sc);
    return err.msg;
}

/* REF_LIST (token.chains): names of the scenario's chains stored as their indices in the
 * given order; refused: not an array, empty, longer than the chains there are (or 64),
 * a name twice, an unknown name (with the loader's suggestion), a non-string. */
START_TEST(test_ref_list)
{
    static const char *const head = "{\"duration\": \"1d\", \"chains\": [{\"name\": \"eth\"}, {\"name\": "
                                    "\"base\"}, {\"name\": \"arb\"}], \"token\": {\"chains\": ";
    char d[512];
    snprintf(d, sizeof d, "%s[\"arb\", \"eth\"]}}", head);
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(d, strlen(d), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
    ck_assert_uint_eq(sc->token.nchains, 2);
    ck_assert_uint_eq(sc->token.chains[0], 2);
    ck_assert_uint_eq(sc->token.chains[1], 0);
    por_scenario_free(sc);
    static const struct {
        const char *value, *msg;
    } bad[] = {
        {"\"eth\"", "t.json: $.token.chains: expected an array, got \"eth\""},
        {"[]", "t.json: $.token.chains: expected at least 1 element, got 0"},
        {"[\"eth\", \"base\", \"arb\", \"eth\"]", "t.json: $.token.chains: expected at most 3 elements, got 4"},
        {"[\"base\", \"base\"]", "t.json: $.token.chains[1]: chain \"base\" listed twice"},
        {"[\"bsae\"]", "t.json: $.token.chains[0]: unknown chain \"bsae\"; did you mean \"base\"?"},
        {"[1]", "t.json: $.token.chains[0]: expected the name of a chain, got 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(d, sizeof d, "%s%s}}", head, bad[i].value);
        ck_assert_str_eq(doc_err(d), bad[i].msg);
    }
    /* at most 64 names (.max_len) even when the scenario has more chains */
    char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"duration\": \"1d\", \"chains\": [");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{\"name\": \"c%d\"}", i ? ", " : "", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "], \"token\": {\"chains\": [");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"c%d\"", i ? ", " : "", i);
    snprintf(big + n, sizeof big - n, "]}}");
    ck_assert_str_eq(doc_err(big), "t.json: $.token.chains: expected at most 64 elements, got 65");
}
END_TEST

/* REF with a RULE (token.reserve_custodian): absent, the feed's first source (the
 * derived default); given, a custodian in the feed's unit, else refused at the key. */
START_TEST(test_reserve_custodian)
{
    static const char *const head = "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"a\"}, {\"name\": "
                                    "\"b\"}, {\"name\": \"e\", \"unit\": \"EUR\"}], \"feed\": {\"sources\": "
                                    "[\"b\"]}";
    char d[512];
    snprintf(d, sizeof d, "%s}", head);
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(d, strlen(d), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
    ck_assert_int_eq(sc->token.reserve_custodian, 1);
    por_scenario_free(sc);
    snprintf(d, sizeof d, "%s, \"token\": {\"reserve_custodian\": \"a\"}}", head);
    ck_assert_msg(por_scenario_load_string(d, strlen(d), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
    ck_assert_int_eq(sc->token.reserve_custodian, 0);
    por_scenario_free(sc);
    snprintf(d, sizeof d, "%s, \"token\": {\"reserve_custodian\": \"e\"}}", head);
    ck_assert_str_eq(doc_err(d), "t.json: $.token.reserve_custodian: needs a custodian in the feed's unit \"USD\", "
                                 "got \"e\" (EUR)");
    snprintf(d, sizeof d, "%s, \"token\": {\"reserve_custodian\": 2}}", head);
    ck_assert_str_eq(doc_err(d), "t.json: $.token.reserve_custodian: expected the name of a custodian, got 2");
}
END_TEST

/* OBJECT with .absent_off (token.refresh_then_mint): absent, off with the sub-table's
 * other defaults; given (even empty), on; "enabled": false keeps it off. */
START_TEST(test_object_absent_off)
{
    por_refresh_config want;
    por_param_defaults(&por_refresh_param_table, &want);
    ck_assert(want.enabled); /* the sub-table's own default: a given object is on */
    por_scenario *sc = por_scenario_defaults();
    ck_assert(!sc->token.refresh.enabled);
    ck_assert_int_eq(sc->token.refresh.timeout, want.timeout);
    por_scenario_free(sc);
    sc = set_ok("token.refresh_then_mint={}");
    ck_assert(sc->token.refresh.enabled);
    por_scenario_free(sc);
    sc = set_ok("token.refresh_then_mint={\"enabled\": false}");
    ck_assert(!sc->token.refresh.enabled);
    por_scenario_free(sc);
    refuses("token.refresh_then_mint=3", "$.token.refresh_then_mint", "expected an object, got 3");
}
END_TEST

/* DISTRIBUTION (token.bridge_delay): a duration is a constant distribution (drawing
 * nothing), an object a distribution; refusals are the duration distribution's. */
START_TEST(test_bridge_delay)
{
    por_scenario *sc = set_ok("token.bridge_delay=\"45m\"");
    ck_assert_int_eq(sc->token.bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(sc->token.bridge_delay_dist.value, 45 * POR_MIN);
    por_scenario_free(sc);
    sc = set_ok("token.bridge_delay={\"dist\": \"uniform\", \"min\": \"1m\", \"max\": \"2m\"}");
    ck_assert_int_eq(sc->token.bridge_delay_dist.kind, POR_DIST_UNIFORM);
    ck_assert_int_eq(sc->token.bridge_delay_dist.max, 2 * POR_MIN);
    por_scenario_free(sc);
    refuses("token.bridge_delay=\"-5m\"", "$.token.bridge_delay",
            "expected a duration such as \"250ms\" or \"30d\", got \"-5m\": negative duration");
    refuses("token.bridge_delay=true", "$.token.bridge_delay",
            "expected a duration such as \"80ms\" or an object such as {\"dist\": \"lognormal\", \"median\": "
            "\"80ms\", \"sigma\": 0.5}, got true");
}
END_TEST

/* token.secure_mint (OBJECT over the token struct) and its margin (mode ENUM + the
 * CUSTOM "margin_value" whose form follows the mode): defaults from their sources and
 * every refusal of the margin's value (SecureMintPolicy.sol _setReserveMargin: percent
 * modes "margin must be <= BASIS_POINTS", held in whole basis points of 10,000;
 * absolute modes "margin must be > 0"). */
START_TEST(test_secure_mint)
{
    por_scenario *sc = por_scenario_defaults();
    const por_secure_mint_config *sm = &sc->token.secure_mint;
    /* on; the old loader's default staleness: the heartbeat (delta_c) + 2h; no margin
     * (ReserveMarginMode.None); the local supply (SecureMintPolicy.run reads
     * IERC20(subject).totalSupply() of its own chain) */
    ck_assert(sm->enabled);
    ck_assert_int_eq(sm->max_staleness, sc->feed.ocr.delta_c + 2 * POR_HOUR);
    ck_assert_int_eq(sm->margin_mode, POR_MARGIN_NONE);
    ck_assert_int_eq(sm->supply, POR_SUPPLY_LOCAL);
    por_scenario_free(sc);
    por_token_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_secure_mint_param_table, &want); /* no scenario: feed.ocr's delta_c */
    por_ocr_config ocr;
    por_param_defaults(&por_ocr_param_table, &ocr);
    ck_assert_int_eq(want.secure_mint.max_staleness, ocr.delta_c + 2 * POR_HOUR);
    ck_assert(want.secure_mint.enabled);
    sc = set_ok("feed.ocr.delta_c=\"6h\"");
    ck_assert_int_eq(sc->token.secure_mint.max_staleness, 8 * POR_HOUR);
    por_scenario_free(sc);
    sc = set_ok("feed.ocr.delta_c=\"2562047h\""); /* within 2h of POR_TIME_MAX: capped */
    ck_assert_int_eq(sc->token.secure_mint.max_staleness, POR_TIME_MAX);
    por_scenario_free(sc);
    sc = set_ok("token.secure_mint.margin={\"mode\": \"negative_percent\", \"value\": \"100%\"}");
    ck_assert_int_eq(sc->token.secure_mint.margin_mode, POR_MARGIN_NEGATIVE_PERCENT);
    ck_assert_int_eq(sc->token.secure_mint.margin_bp, 10000); /* BASIS_POINTS */
    por_scenario_free(sc);
    sc = set_ok("token.secure_mint.margin={\"mode\": \"positive_absolute\", \"value\": \"0.5\"}");
    ck_assert(sc->token.secure_mint.margin_amount == por_amount_pow10(18) / 2);
    por_scenario_free(sc);
    static const struct {
        const char *margin, *path, *msg;
    } bad[] = {
        {"{\"mode\": \"none\", \"value\": \"1%\"}", "$.token.secure_mint.margin.value",
         "not allowed with mode \"none\""},
        {"{\"mode\": \"positive_percent\"}", "$.token.secure_mint.margin.value", "missing required key"},
        {"{\"value\": \"1%\"}", "$.token.secure_mint.margin.mode", "missing required key"},
        {"{\"mode\": \"negative_percent\", \"value\": \"101%\"}", "$.token.secure_mint.margin.value",
         "needs a margin from 0% to 100% (0 to 10000 basis points, SecureMintPolicy's BASIS_POINTS), got \"101%\""},
        {"{\"mode\": \"positive_percent\", \"value\": \"-1%\"}", "$.token.secure_mint.margin.value",
         "needs a margin from 0% to 100% (0 to 10000 basis points, SecureMintPolicy's BASIS_POINTS), got \"-1%\""},
        {"{\"mode\": \"positive_percent\", \"value\": \"0.005%\"}", "$.token.secure_mint.margin.value",
         "needs whole basis points (0.01%): SecureMintPolicy holds percentage margins in basis points, got "
         "\"0.005%\""},
        {"{\"mode\": \"positive_absolute\", \"value\": \"0\"}", "$.token.secure_mint.margin.value",
         "needs an absolute margin above 0 (SecureMintPolicy: \"margin must be > 0 for absolute modes\"; use mode "
         "\"none\" for no margin)"},
        {"{\"mode\": \"positive_absolute\", \"value\": 5}", "$.token.secure_mint.margin.value",
         "expected an amount as a decimal string such as \"1000000.50\" (18 decimals), got 5"},
    };
    char set[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(set, sizeof set, "token.secure_mint.margin=%s", bad[i].margin);
        refuses(set, bad[i].path, bad[i].msg);
    }
    refuses("token.secure_mint.max_staleness=\"0s\"", "$.token.secure_mint.max_staleness",
            "expected a positive duration, got \"0s\"");
}
END_TEST

/* AMOUNT_DIST (token.mints.amount, in token decimals): an amount string is a constant,
 * an object one of the amount kinds, each parameter in the token's decimals; every
 * refusal at its path. */
START_TEST(test_amount_dist)
{
    por_scenario *sc = set_ok("token={\"decimals\": 2, \"mints\": {\"process\": \"poisson\", \"per_day\": 1, "
                              "\"amount\": \"1.5\"}}");
    ck_assert_int_eq(sc->token.mints.amount.kind, POR_DIST_CONSTANT);
    ck_assert(sc->token.mints.amount.value == 150);
    por_scenario_free(sc);
    sc = set_ok("token={\"decimals\": 2, \"mints\": {\"process\": \"poisson\", \"per_day\": 1, "
                "\"amount\": {\"dist\": \"uniform\", \"min\": \"1\", \"max\": \"2.5\"}}}");
    ck_assert_int_eq(sc->token.mints.amount.kind, POR_DIST_UNIFORM);
    ck_assert(sc->token.mints.amount.min == 100 && sc->token.mints.amount.max == 250);
    por_scenario_free(sc);
    sc = set_ok("token={\"decimals\": 0, \"mints\": {\"process\": \"poisson\", \"per_day\": 1, "
                "\"amount\": {\"dist\": \"pareto\", \"scale\": \"7\", \"shape\": 1.5}}}");
    ck_assert_int_eq(sc->token.mints.amount.kind, POR_DIST_PARETO);
    ck_assert(sc->token.mints.amount.scale == 7);
    ck_assert(sc->token.mints.amount.shape == 1.5);
    por_scenario_free(sc);
    static const struct {
        const char *amount, *path, *msg;
    } bad[] = {
        {"5", "", "expected an amount such as \"1000.50\" or an object such as {\"dist\": \"lognormal\", \"median\": "
                  "\"250000\", \"sigma\": 1}, got 5"},
        {"\"-5\"", "", "expected a non-negative amount, got \"-5\""},
        {"\"1.5\"", "", "expected an amount with at most 0 decimals, got \"1.5\": more fractional digits than the "
                        "declared decimals"},
        {"{\"dist\": \"gamma\"}", ".dist",
         "expected one of \"constant\", \"uniform\", \"lognormal\", \"exponential\", \"pareto\", got \"gamma\""},
        {"{\"dist\": \"normal\"}", ".dist",
         "expected one of \"constant\", \"uniform\", \"lognormal\", \"exponential\", \"pareto\", got \"normal\""},
        {"{\"median\": \"5\"}", ".dist", "missing required key"},
        {"{\"dist\": \"constant\"}", ".value", "missing required key"},
        {"{\"dist\": \"constant\", \"value\": \"1\", \"x\": 1}", ".x", "unknown key; expected one of: dist, value"},
        {"{\"dist\": \"uniform\", \"min\": \"9\", \"max\": \"3\"}", ".max",
         "needs max >= min, got min=\"9\" max=\"3\""},
        {"{\"dist\": \"lognormal\", \"median\": \"0\", \"sigma\": 1}", ".median",
         "expected a positive amount, got \"0\""},
        {"{\"dist\": \"lognormal\", \"median\": \"9\", \"sigma\": -1}", ".sigma", "expected a number >= 0, got -1"},
        {"{\"dist\": \"exponential\", \"mean\": \"0\"}", ".mean", "expected a positive amount, got \"0\""},
        {"{\"dist\": \"pareto\", \"scale\": \"1\", \"shape\": 0}", ".shape", "expected a number > 0, got 0"},
    };
    char set[512], path[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(set, sizeof set, "token={\"decimals\": 0, \"mints\": {\"process\": \"poisson\", \"per_day\": 1, "
                                  "\"amount\": %s}}", bad[i].amount);
        snprintf(path, sizeof path, "$.token.mints.amount%s", bad[i].path);
        refuses(set, path, bad[i].msg);
    }
}
END_TEST

/* token.mints / redeems / bridges as OBJECT rows whose VARIANT "process" picks one table
 * per kind (models/token/process_params.c): a key of another kind is refused with the
 * kind named ("unknown key for process \"none\"", the VARIANT's wording, as the
 * hand-written reader said it), listing the discriminator, then the kind's keys (a
 * variant's .keys: bridges list their ends after the requests); a given object starts
 * from the VARIANT's .derive (backed, the whole run), an absent one is the OBJECT row's
 * .derive_in (no redemptions) and the rule after it refuses a default mint median that
 * does not fit 128 bits in token decimals (por_amount is 128 bits). */
START_TEST(test_process_variants)
{
    static const struct {
        const char *key, *kind, *extra, *keys;
    } mint[] = {
        {"mints", "none", "", "process"},
        {"mints", "poisson", ", \"per_day\": 1, \"amount\": \"1\"",
         "process, per_day, amount, from, at, until, for, backed"},
        {"mints", "burst", ", \"per_day\": 1, \"amount\": \"1\"",
         "process, per_day, burst_size, amount, from, at, until, for, backed"},
        {"redeems", "scheduled", ", \"requests\": [{\"at\": \"1h\", \"amount\": \"1\"}]",
         "process, requests, backed"},
    };
    char set[512], path[128], msg[256];
    for (size_t i = 0; i < sizeof mint / sizeof mint[0]; i++) {
        /* a bridge's key is not a mint's or a redemption's */
        snprintf(set, sizeof set, "token.%s={\"process\": \"%s\"%s, \"from_chain\": \"random\"}", mint[i].key,
                 mint[i].kind, mint[i].extra);
        snprintf(path, sizeof path, "$.token.%s.from_chain", mint[i].key);
        snprintf(msg, sizeof msg, "unknown key for process \"%s\"; expected one of: %s", mint[i].kind, mint[i].keys);
        refuses(set, path, msg);
    }
    refuses("token.bridges={\"process\": \"poisson\", \"per_day\": 1, \"amount\": \"1\", \"requests\": []}",
            "$.token.bridges.requests",
            "unknown key for process \"poisson\"; expected one of: process, per_day, amount, from, at, until, for, "
            "from_chain, to_chain");
    refuses("token.bridges={\"process\": \"scheduled\", \"per_day\": 1}", "$.token.bridges.per_day",
            "unknown key for process \"scheduled\"; expected one of: process, requests, from_chain, to_chain");
    refuses("token.bridges={\"process\": \"none\", \"amount\": \"1\"}", "$.token.bridges.amount",
            "unknown key for process \"none\"; expected one of: process");
    refuses("token.redeems={\"per_day\": 1}", "$.token.redeems.process", "missing required key");

    por_scenario *sc = set_ok("token.mints={\"process\": \"none\"}");
    ck_assert_int_eq(sc->token.mints.kind, POR_PROCESS_NONE);
    ck_assert(sc->token.mints.backed);
    ck_assert_int_eq(sc->token.mints.window.until, POR_TIME_MAX);
    ck_assert_int_eq(sc->token.redeems.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(sc->token.bridges.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(sc->token.bridge_from, -1);
    ck_assert_int_eq(sc->token.bridge_to, -1);
    por_scenario_free(sc);

    /* 100000 * 10^34 > 2^127: the absent default does not fit; given mints need no default */
    static const char ovf[] = "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"a\", \"unit\": \"USD\", "
                              "\"decimals\": 0, \"reserve\": {\"initial\": \"1\"}}], \"feed\": {\"decimals\": 0}, "
                              "\"token\": {\"decimals\": 34, \"initial_supply\": \"1\"}}";
    ck_assert_str_eq(doc_err(ovf),
                     "t.json: $.token.mints: missing: the default does not fit in 128 bits with 34 decimals");
}
END_TEST

/* The request processes (models/token/process_params.c): one table per kind, picked by
 * "process"; defaults from the old loader's literals (absent mints: Poisson, 24 a day,
 * lognormal median 100000 tokens, sigma 1; a burst of 10; backed; the whole run); a
 * scheduled request's AMOUNT .positive and its chain's rule; the ARRAY neighbour rule
 * (time order, through por_param_check.prev); the table's .what in unknown-key messages
 * and .keys (bridges read their ends before the requests but list them after). */
START_TEST(test_processes)
{
    por_scenario *sc = por_scenario_defaults();
    const por_request_process *m = &sc->token.mints;
    ck_assert_int_eq(m->kind, POR_PROCESS_POISSON);
    ck_assert(m->per_day == 24);
    ck_assert_int_eq(m->amount.kind, POR_DIST_LOGNORMAL);
    por_amount median;
    ck_assert(por_amount_mul(100000, por_amount_pow10(sc->token.decimals), &median));
    ck_assert(m->amount.median == median);
    ck_assert(m->amount.sigma == 1.0);
    ck_assert(m->backed);
    ck_assert_int_eq(m->window.from, 0);
    ck_assert_int_eq(m->window.until, POR_TIME_MAX);
    ck_assert(!sc->token.bridges.backed);
    ck_assert_int_eq(sc->token.bridge_from, -1);
    ck_assert_int_eq(sc->token.bridge_to, -1);
    por_scenario_free(sc);
    sc = set_ok("token.redeems={\"process\": \"burst\", \"per_day\": 2, \"amount\": \"5\", \"at\": \"1h\"}");
    ck_assert_int_eq(sc->token.redeems.kind, POR_PROCESS_BURST);
    ck_assert_uint_eq(sc->token.redeems.burst_size, 10);
    ck_assert(sc->token.redeems.backed);
    ck_assert_int_eq(sc->token.redeems.window.from, POR_HOUR);
    ck_assert_int_eq(sc->token.redeems.window.until, POR_TIME_MAX);
    por_scenario_free(sc);
    sc = set_ok("token.mints={\"process\": \"scheduled\", \"backed\": false, \"requests\": [{\"at\": \"1h\", "
                "\"amount\": \"2\"}, {\"at\": \"1h\", \"amount\": \"3\", \"chain\": \"ethereum\"}]}");
    ck_assert_uint_eq(sc->token.mints.nscheduled, 2);
    ck_assert_int_eq(sc->token.mints.scheduled[0].chain, -1);
    ck_assert_int_eq(sc->token.mints.scheduled[1].chain, 0);
    ck_assert_int_eq(sc->token.mints.scheduled[1].to_chain, -1);
    ck_assert(!sc->token.mints.backed);
    por_scenario_free(sc);
    refuses("token.mints={\"process\": \"scheduled\", \"requests\": [{\"at\": \"2h\", \"amount\": \"1\"}, "
            "{\"at\": \"1h\", \"amount\": \"1\"}]}",
            "$.token.mints.requests[1].at", "requests must be in time order, got 1h after 2h");
    refuses("token.mints={\"process\": \"scheduled\", \"requests\": [{\"at\": \"2h\", \"amount\": \"0.0\"}]}",
            "$.token.mints.requests[0].amount", "expected a positive amount, got \"0.0\"");
    refuses("token.mints={\"process\": \"none\", \"per_day\": 3}", "$.token.mints.per_day",
            "unknown key for process \"none\"; expected one of: process");
    refuses("token.mints={\"process\": \"burst\", \"per_day\": 3, \"amount\": \"1\", \"chain\": \"x\"}",
            "$.token.mints.chain",
            "unknown key for process \"burst\"; expected one of: process, per_day, burst_size, amount, from, at, "
            "until, for, backed");
    refuses("token.mints={\"per_day\": 3}", "$.token.mints.process", "missing required key");
    refuses("token.mints={\"process\": \"poisson\", \"per_day\": 0, \"amount\": \"1\"}", "$.token.mints.per_day",
            "expected a number in (0, 1e+09], got 0");
    refuses("token.bridges={\"process\": \"poisson\", \"per_day\": 1, \"amount\": \"1\"}", "$.token.bridges",
            "needs a token on at least two chains, token.chains has 1");
    /* bridges: the table's .keys order, the ends' CUSTOM reader and the pair rule */
    static const char *const head = "{\"duration\": \"1d\", \"chains\": [{\"name\": \"eth\"}, {\"name\": "
                                    "\"base\"}, {\"name\": \"arb\"}], \"token\": {\"chains\": [\"eth\", \"base\"], "
                                    "\"bridges\": ";
    static const struct {
        const char *bridges, *msg;
    } bad[] = {
        {"{\"process\": \"scheduled\", \"per_day\": 1}",
         "t.json: $.token.bridges.per_day: unknown key for process \"scheduled\"; expected one of: process, requests, "
         "from_chain, to_chain"},
        {"{\"process\": \"scheduled\", \"from_chain\": \"base\", \"requests\": [{\"at\": \"1h\", \"amount\": "
         "\"1\", \"to_chain\": \"base\"}]}",
         "t.json: $.token.bridges.requests[0].to_chain: a transfer needs two different chains, got \"base\" as both "
         "from_chain and to_chain"},
        {"{\"process\": \"poisson\", \"per_day\": 1, \"amount\": \"1\", \"from_chain\": \"arb\"}",
         "t.json: $.token.bridges.from_chain: chain \"arb\" is not one of token.chains"},
        {"{\"process\": \"poisson\", \"per_day\": 1, \"amount\": \"1\", \"to_chain\": 1}",
         "t.json: $.token.bridges.to_chain: expected the name of one of token.chains or \"random\", got 1"},
        {"{\"process\": \"none\"}, \"mints\": {\"process\": \"scheduled\", \"requests\": [{\"at\": \"1h\", "
         "\"amount\": \"1\", \"chain\": \"arb\"}]}",
         "t.json: $.token.mints.requests[0].chain: chain \"arb\" is not one of token.chains"},
        {"{\"process\": \"poisson\", \"per_day\": 1, \"amount\": \"1\", \"from_chain\": \"eth\"}",
         NULL}, /* loads */
    };
    char d[1024];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(d, sizeof d, "%s%s}}", head, bad[i].bridges);
        if (bad[i].msg) {
            ck_assert_str_eq(doc_err(d), bad[i].msg);
            continue;
        }
        por_error err = {0};
        ck_assert_msg(por_scenario_load_string(d, strlen(d), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
        ck_assert_int_eq(sc->token.bridge_from, 0);
        ck_assert_int_eq(sc->token.bridge_to, -1);
        ck_assert(!sc->token.bridges.backed);
        por_scenario_free(sc);
    }
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

/* ---- VARIANT, on attackers[] (models/attacker/attacker_params.c) ------------------- */

/* JSON loaded under the display name FILE (it must load). */
static por_scenario *load_as(const char *json, const char *file)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(json, strlen(json), file, NULL, 0, &sc, &err) == POR_OK, "%s: %s", json,
                  err.msg);
    return sc;
}

static por_scenario *doc_ok(const char *json) { return load_as(json, "t.json"); }

/* Asserts that the one attacker ATT (a JSON object) is refused at $.attackers[0]PATH. */
static void attacker_refused(const char *att, const char *path, const char *msg)
{
    char set[1024];
    snprintf(set, sizeof set, "attackers=[%s]", att);
    char where[256];
    snprintf(where, sizeof where, "$.attackers[0]%s", path);
    refuses(set, where, msg);
}

/* The discriminator chooses the table: each type's keys are stored in the same struct, a
 * key of another type is unknown "for type ..." with the list the old loader gave (the
 * discriminator, the window keys, then the type's own keys, scenario_feed.c's
 * por__attack_keys at a2d72f0) or a suggestion; the discriminator is read before the
 * keys are checked, so a missing or misspelt type is reported first. */
START_TEST(test_variant)
{
    por_scenario *sc = set_ok("attackers=[{\"type\": \"crash\", \"nodes\": [0, 3], \"at\": \"1h\", \"for\": \"2h\"}, "
                              "{\"type\": \"minter\", \"amount\": \"7\"}, {\"type\": \"network\", \"leader\": true, "
                              "\"drop\": 0.25}]");
    ck_assert_uint_eq(sc->nattackers, 3);
    ck_assert_int_eq(sc->attackers[0].kind, POR_ATTACK_CRASH);
    ck_assert_uint_eq(sc->attackers[0].nnodes, 2);
    ck_assert_uint_eq(sc->attackers[0].nodes[1], 3);
    ck_assert_int_eq(sc->attackers[0].window.from, POR_HOUR);
    ck_assert_int_eq(sc->attackers[0].window.until, 3 * POR_HOUR);
    ck_assert(!sc->attackers[0].has_leader_at);
    ck_assert_int_eq(sc->attackers[1].kind, POR_ATTACK_MINTER);
    ck_assert_int_eq(sc->attackers[1].window.until, POR_TIME_MAX); /* no window: the whole run */
    ck_assert_uint_eq(sc->attackers[1].mint_attempts, 1);          /* default */
    ck_assert(sc->attackers[1].mint_amount == 7 * por_amount_pow10(sc->token.decimals));
    ck_assert_int_eq(sc->attackers[2].kind, POR_ATTACK_NETWORK);
    ck_assert(sc->attackers[2].target_leader);
    ck_assert(sc->attackers[2].drop == 0.25);
    por_scenario_free(sc);
    sc = set_ok("attackers=[]");
    ck_assert_uint_eq(sc->nattackers, 0);
    ck_assert_ptr_null(sc->attackers);
    por_scenario_free(sc);

    attacker_refused("{\"type\": \"crash\", \"nodes\": [1], \"behavior\": \"silent\"}", ".behavior",
                     "unknown key for type \"crash\"; expected one of: type, from, at, until, for, nodes, leader_at");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behaviour\": \"silent\"}", ".behaviour",
                     "unknown key for type \"byzantine\"; did you mean \"behavior\"?");
    attacker_refused("{\"type\": \"minter\", \"amount\": \"1\", \"fro\": \"1h\"}", ".fro",
                     "unknown key for type \"minter\"; did you mean \"from\"?");
    attacker_refused("{\"nodes\": [1], \"qqqqqqqq\": 1}", ".type", "missing required key");
    attacker_refused("{\"type\": \"crsh\", \"qqqqqqqq\": 1}", ".type",
                     "expected one of \"crash\", \"byzantine\", \"key_compromise\", \"network\", "
                     "\"custodian_fraud\", \"minter\", got \"crsh\"; did you mean \"crash\"?");
    attacker_refused("{\"type\": 5}", ".type",
                     "expected one of \"crash\", \"byzantine\", \"key_compromise\", \"network\", "
                     "\"custodian_fraud\", \"minter\", got 5");
    attacker_refused("3", "", "expected an object, got 3");
    refuses("attackers={}", "$.attackers", "expected an array, got an object");

    /* por_param_defaults: the discriminator's default and that variant's defaults */
    por_attack_config at;
    memset(&at, 0xff, sizeof at);
    por_param_defaults(&por_attacker_param_table, &at);
    ck_assert_int_eq(at.kind, POR_ATTACK_CRASH);
    ck_assert(!at.has_leader_at);
    ck_assert_int_eq(at.window.from, 0);
    ck_assert_int_eq(at.window.until, POR_TIME_MAX);
}
END_TEST

/* leader_at (crash, network): the oracle leading at leader_at is looked up when the clock
 * reaches it (models/oracle/leader_at.c), so it must be no later than the window's start;
 * a crash needs nodes unless it has leader_at (the old loader, scenario_feed.c
 * por__sc_attacker). */
START_TEST(test_attack_leader_at)
{
    attacker_refused("{\"type\": \"crash\", \"leader_at\": \"2h\", \"from\": \"1h\"}", ".leader_at",
                     "needs leader_at <= from (the target is chosen before the attack starts), got leader_at=2h "
                     "from=1h");
    attacker_refused("{\"type\": \"network\", \"leader_at\": \"1s\", \"drop\": 1}", ".leader_at",
                     "needs leader_at <= from (the target is chosen before the attack starts), got leader_at=1s "
                     "from=0s");
    attacker_refused("{\"type\": \"crash\", \"from\": \"1h\"}", ".nodes", "missing required key");
    por_scenario *sc = set_ok("attackers=[{\"type\": \"crash\", \"leader_at\": \"1h\", \"at\": \"1h\"}, "
                              "{\"type\": \"crash\", \"leader_at\": \"0s\", \"nodes\": [2]}]");
    ck_assert(sc->attackers[0].has_leader_at); /* given, even at the same time as from */
    ck_assert_int_eq(sc->attackers[0].leader_at, POR_HOUR);
    ck_assert_uint_eq(sc->attackers[0].nnodes, 0);
    ck_assert(sc->attackers[1].has_leader_at); /* 0 is a time, not "absent" */
    ck_assert_int_eq(sc->attackers[1].leader_at, 0);
    por_scenario_free(sc);
}
END_TEST

/* byzantine: equivocation is modelled on OCR1's leader only (libocr
 * offchainreporting/internal/protocol/report_generation_leader.go, porsim's
 * models/ocr/report_generation.c; docs/OCR2.md); factor scales the observation for
 * inflate (above 1) and deflate (below 1) only, written as a number or a percentage. */
START_TEST(test_attack_byzantine)
{
    const char *ocr2 = "{\"duration\": \"1d\", \"feed\": {\"protocol\": \"ocr2\"}, \"attackers\": [{\"type\": "
                       "\"byzantine\", \"nodes\": [1], \"behavior\": \"equivocate\"}]}";
    ck_assert_str_eq(doc_err(ocr2),
                     "t.json: $.attackers[0].behavior: \"equivocate\" is not modelled for feed.protocol \"ocr2\"");
    por_scenario *sc = set_ok("attackers=[{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"equivocate\"}]");
    ck_assert_int_eq(sc->attackers[0].behavior, POR_BYZ_EQUIVOCATE);
    por_scenario_free(sc);
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"inflate\"}", ".factor",
                     "missing required key");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"silent\", \"factor\": \"x\"}",
                     ".factor", "not allowed unless behavior is \"inflate\" or \"deflate\"");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"inflate\", \"factor\": 1}",
                     ".factor", "inflate needs a factor above 1, got 1");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"inflate\", \"factor\": \"100%\"}",
                     ".factor", "inflate needs a factor above 1, got \"100%\"");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"deflate\", \"factor\": 1.2}",
                     ".factor", "deflate needs a factor below 1, got 1.2");
    attacker_refused("{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"deflate\", \"factor\": 101}",
                     ".factor", "expected a number in [0, 100], got 101");
    sc = set_ok("attackers=[{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"inflate\", \"factor\": 1.1}, "
                "{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"inflate\", \"factor\": \"110%\"}, "
                "{\"type\": \"byzantine\", \"nodes\": [1], \"behavior\": \"deflate\", \"factor\": 0.5}]");
    ck_assert_int_eq(sc->attackers[0].factor_ppb, 1100000000); /* 1.1 = 110% = 1.1e9 ppb */
    ck_assert_int_eq(sc->attackers[1].factor_ppb, 1100000000);
    ck_assert_int_eq(sc->attackers[2].factor_ppb, 500000000);
    por_scenario_free(sc);
}
END_TEST

/* network: an attack on no one or that changes nothing is refused (the old loader); key
 * compromise: the forged answer is an amount in the feed's decimals (a report's answer). */
START_TEST(test_attack_network_key)
{
    attacker_refused("{\"type\": \"network\", \"nodes\": [], \"drop\": 0.5}", "",
                     "needs \"nodes\", \"leader\": true or \"leader_at\"");
    attacker_refused("{\"type\": \"network\", \"leader\": true, \"extra_delay\": \"0s\"}", "",
                     "needs \"extra_delay\" > 0 or \"drop\" > 0");
    attacker_refused("{\"type\": \"key_compromise\", \"nodes\": [1]}", ".forged_answer", "missing required key");
    por_scenario *sc = doc_ok("{\"duration\": \"1d\", \"feed\": {\"decimals\": 2}, \"attackers\": [{\"type\": "
                              "\"key_compromise\", \"nodes\": [1], \"forged_answer\": \"-5.25\"}, {\"type\": "
                              "\"network\", \"nodes\": [2], \"extra_delay\": \"3s\"}]}");
    ck_assert(sc->attackers[0].forged_answer == -525);
    ck_assert_int_eq(sc->attackers[1].extra_delay, 3 * POR_SEC);
    por_scenario_free(sc);
}
END_TEST

/* custodian_fraud: window dressing borrows around each attestation snapshot
 * (custodian.c por_custodian_borrowed_at), so it needs periodic attestations, around with
 * it and only with it, and dressing intervals [s - around, s + around) of consecutive
 * snapshots that do not meet (around < every - around); a fraud must change something;
 * shares are a percentage or an amount in the custodian's decimals. */
START_TEST(test_attack_custodian_fraud)
{
    const char *wallet = "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"v\", \"source\": \"wallet\", "
                         "\"chain\": \"ethereum\"}], \"attackers\": [{\"type\": \"custodian_fraud\", \"custodian\": "
                         "\"v\", \"window_dressing\": \"5%\", \"around\": \"1m\"}]}";
    ck_assert_str_eq(doc_err(wallet), "t.json: $.attackers[0].window_dressing: needs periodic attestations, but "
                                      "custodian \"v\" has attestation.every=0 (continuous)");
    /* the default custodian attests every hour (custodian_params.c) */
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"window_dressing\": \"5%\"}",
                     ".around", "missing required key");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"around\": \"x\", "
                     "\"misreport\": \"5%\"}",
                     ".around", "not allowed without \"window_dressing\"");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"window_dressing\": \"5%\", "
                     "\"around\": \"30m\"}",
                     ".around",
                     "needs around < half the attestation period of custodian \"custodian\" (every=1h), got 30m");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"misreport\": \"0%\"}", "",
                     "needs \"misreport\" other than 0%, \"hide_drain\": true, \"window_dressing\" or "
                     "\"double_counted\"");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodain\", \"hide_drain\": true}",
                     ".custodian", "unknown custodian \"custodain\"; did you mean \"custodian\"?");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"double_counted\": \"150%\"}",
                     ".double_counted", "expected a percentage from 0% to 100%, got \"150%\"");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"double_counted\": \"0%\"}",
                     ".double_counted", "expected a percentage in (0%, 100%], got \"0%\"");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"double_counted\": \"0\"}",
                     ".double_counted", "expected a positive amount, got \"0\"");
    attacker_refused("{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", \"double_counted\": 5}",
                     ".double_counted", "expected a percentage such as \"5%\" or an amount string, got 5");
    por_scenario *sc = set_ok("attackers=[{\"type\": \"custodian_fraud\", \"custodian\": \"custodian\", "
                              "\"window_dressing\": \"1000.50\", \"around\": \"29m\", \"double_counted\": \"5%\"}]");
    ck_assert(sc->attackers[0].dress_amount == 100050); /* 2 decimals by default */
    ck_assert_int_eq(sc->attackers[0].dress_ppb, 0);
    ck_assert_int_eq(sc->attackers[0].dress_around, 29 * POR_MIN);
    ck_assert_int_eq(sc->attackers[0].double_ppb, 50000000);
    por_scenario_free(sc);
}
END_TEST

/* minter: each attempt mints a positive amount in the token's decimals (a mint of 0 is
 * no attack; the old loader), attempts at least 1. */
START_TEST(test_attack_minter)
{
    attacker_refused("{\"type\": \"minter\", \"amount\": \"0.00\"}", ".amount",
                     "expected a positive amount, got \"0.00\"");
    attacker_refused("{\"type\": \"minter\", \"amount\": \"1\", \"attempts\": 0}", ".attempts",
                     "expected an integer from 1 to 1000000, got 0");
    por_scenario *sc = doc_ok("{\"duration\": \"1d\", \"token\": {\"decimals\": 6}, \"attackers\": [{\"type\": "
                              "\"minter\", \"amount\": \"1.5\", \"attempts\": 3}]}");
    ck_assert(sc->attackers[0].mint_amount == 1500000);
    ck_assert_uint_eq(sc->attackers[0].mint_attempts, 3);
    por_scenario_free(sc);
}
END_TEST

/* A second VARIANT, nested in an object: custodians[].reserve.drift keyed by "model"
 * (custodian.c's drift tick reads every and the model's own parameter); a model without
 * keys of its own ("none") refuses every other key, and the old loader's defaults hold:
 * no drift without the key, a move every hour. */
START_TEST(test_drift_variant)
{
    por_scenario *sc = set_ok("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"model\": \"linear\", "
                              "\"rate_per_year\": 0.05}}}, {\"name\": \"b\", \"reserve\": {\"drift\": {\"model\": "
                              "\"random_walk\", \"every\": \"1d\", \"sigma_per_day\": 0.01}}}, {\"name\": \"c\"}]");
    ck_assert_int_eq(sc->custodians[0].drift.kind, POR_DRIFT_LINEAR);
    ck_assert(sc->custodians[0].drift.rate_per_year == 0.05);
    ck_assert_int_eq(sc->custodians[0].drift.every, POR_HOUR);
    ck_assert_int_eq(sc->custodians[1].drift.kind, POR_DRIFT_RANDOM_WALK);
    ck_assert_int_eq(sc->custodians[1].drift.every, POR_DAY);
    ck_assert(sc->custodians[1].drift.sigma_per_day == 0.01);
    ck_assert_int_eq(sc->custodians[2].drift.kind, POR_DRIFT_NONE);
    por_scenario_free(sc);
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"model\": \"none\", \"every\": \"1h\"}}}]",
            "$.custodians[0].reserve.drift.every", "unknown key for model \"none\"; expected one of: model");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"model\": \"linear\", \"sigma_per_day\": 1}}}]",
            "$.custodians[0].reserve.drift.sigma_per_day",
            "unknown key for model \"linear\"; expected one of: model, every, rate_per_year");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"every\": \"1h\"}}}]",
            "$.custodians[0].reserve.drift.model", "missing required key");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"model\": \"randomwalk\"}}}]",
            "$.custodians[0].reserve.drift.model",
            "expected one of \"none\", \"random_walk\", \"linear\", got \"randomwalk\"; did you mean \"random_walk\"?");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": {\"model\": \"random_walk\"}}}]",
            "$.custodians[0].reserve.drift.sigma_per_day", "missing required key");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"drift\": []}}]", "$.custodians[0].reserve.drift",
            "expected an object, got an array");
    por_drift d;
    memset(&d, 0xff, sizeof d);
    por_param_defaults(&por_drift_param_table, &d);
    ck_assert_int_eq(d.kind, POR_DRIFT_NONE);
}
END_TEST

/* custodians[] (models/custodian/custodian_params.c): a scenario without custodians has one
 * custodian with the table's defaults (SCHEMA.md: "custodian" holding 1,000,000,000.00
 * USD, read from an attestation API); a wallet is read on a chain and an API has none
 * (custodian.c reads a wallet's balance on its chain); the default reserve must fit in
 * 128 bits (por_amount) with the decimals given, reported where the loader always did;
 * the steps keep their order rule (custodian.c applies them in order). */
START_TEST(test_custodian_table)
{
    por_scenario *sc = doc_ok("{\"duration\": \"1d\"}");
    por_custodian_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_custodian_param_table, &want);
    ck_assert_uint_eq(sc->ncustodians, 1);
    ck_assert_str_eq(sc->custodians[0].name, "custodian");
    ck_assert_str_eq(want.name, "custodian");
    ck_assert_str_eq(sc->custodians[0].unit, "USD");
    ck_assert_str_eq(want.unit, "USD");
    ck_assert_uint_eq(want.decimals, 2);
    ck_assert(want.initial == (por_amount)100000000000); /* 1,000,000,000.00 */
    ck_assert(sc->custodians[0].initial == want.initial);
    ck_assert_int_eq(want.source, POR_SOURCE_ATTESTED_API);
    ck_assert_int_eq(want.wallet_chain, -1);
    ck_assert_int_eq(sc->custodians[0].wallet_chain, -1);
    ck_assert_int_eq(want.attest_every, POR_HOUR); /* custodians[].attestation's default for "api" */
    ck_assert_int_eq(want.drift.kind, POR_DRIFT_NONE);
    por_scenario_free(sc);

    refuses("custodians=[{\"name\": \"a\", \"source\": \"wallet\"}]", "$.custodians[0].chain", "missing required key");
    refuses("custodians=[{\"name\": \"a\", \"chain\": 5}]", "$.custodians[0].chain",
            "not allowed unless \"source\" is \"wallet\"");
    refuses("custodians=[{\"name\": \"a\"}, {\"name\": \"a\"}]", "$.custodians[1].name",
            "duplicate custodian name \"a\" (also used by entry 0)");
    refuses("custodians=[{\"name\": \"a\", \"decimals\": 30}]", "$.custodians[0].initial",
            "missing: the default 1000000000 does not fit with 30 decimals");
    refuses("custodians=[{\"name\": \"a\", \"decimals\": 30, \"reserve\": {}}]", "$.custodians[0].reserve.initial",
            "missing: the default 1000000000 does not fit with 30 decimals");
    refuses("custodians=[{\"name\": \"a\", \"reserve\": {\"steps\": [{\"at\": \"2h\", \"set\": \"1\"}, {\"at\": "
            "\"1h\", \"set\": \"2\"}]}}]",
            "$.custodians[0].reserve.steps[1].at", "steps must be in time order, got 1h after 2h");
    sc = set_ok("custodians=[{\"name\": \"a\", \"decimals\": 30, \"reserve\": {\"initial\": \"1\", \"steps\": "
                "[{\"at\": \"1h\", \"change\": \"-8%\"}]}}, {\"name\": \"w\", \"source\": \"wallet\", \"chain\": "
                "\"ethereum\"}]");
    ck_assert(sc->custodians[0].initial == por_amount_pow10(30));
    ck_assert_uint_eq(sc->custodians[0].nsteps, 1);
    ck_assert_int_eq(sc->custodians[0].steps[0].ppb, -80000000);
    ck_assert_int_eq(sc->custodians[1].wallet_chain, 0);
    ck_assert_int_eq(sc->custodians[1].attest_every, 0); /* a wallet is read live */
    por_scenario_free(sc);
}
END_TEST

/* ---- the top level (models/world/scenario_params.c) ------------------------------- */

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
        ck_assert_str_eq(doc_err(json), want);
    }
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"seed\": 9007199254740992}"),
                     "t.json: $.seed: expected an integer below 2^53, got 9.00719925474099e+15 (larger integers are "
                     "not exact in JSON numbers; write the seed as a string, e.g. \"9007199254740993\")");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"seed\": 1.5}"),
                     "t.json: $.seed: expected an integer from 0 to 9007199254740991, got 1.5");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"seed\": -1}"),
                     "t.json: $.seed: expected an integer from 0 to 9007199254740991, got -1");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"seed\": true}"),
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
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"name\": 5}"), "t.json: $.name: expected a string, got 5");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"name\": \"\"}"),
                     "t.json: $.name: expected a non-empty string, got \"\"");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"description\": null}"),
                     "t.json: $.description: expected a string, got null");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"replications\": 0}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 0");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"replications\": 10000001}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 10000001");
    ck_assert_str_eq(doc_err("{}"), "t.json: $.duration: missing required key");
    ck_assert_str_eq(doc_err("{\"duration\": \"0s\"}"), "t.json: $.duration: expected a positive duration, got \"0s\"");
    /* rows are read in table order: name before seed before replications before duration */
    ck_assert_str_eq(doc_err("{\"replications\": 0, \"seed\": -1, \"name\": 3}"),
                     "t.json: $.name: expected a string, got 3");
    ck_assert_str_eq(doc_err("{\"replications\": 0}"),
                     "t.json: $.replications: expected an integer from 1 to 10000000, got 0");
}
END_TEST

/* SECTION rows: the table lists every top-level key (the "unknown key" list and
 * suggestions come from it, in its order), but the sections are read by their own
 * readers in dependency order: network (listed before chains) is read after feed. */
START_TEST(test_section_rows)
{
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"zzzzzzzzzzzz\": 1}"),
                     "t.json: $.zzzzzzzzzzzz: unknown key; expected one of: name, description, seed, replications, "
                     "duration, metrics, network, chains, custodians, feed, token, consumers, attackers");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"chain\": []}"),
                     "t.json: $.chain: unknown key; did you mean \"chains\"?");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"sed\": 1}"), "t.json: $.sed: unknown key; did you mean \"seed\"?");
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"seed\": 1, \"seed\": 2}"), "t.json: $.seed: duplicate key");
    /* chains before network, although network is listed first */
    ck_assert_str_eq(doc_err("{\"duration\": \"1d\", \"network\": {\"bandwidth\": \"x\"}, "
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
    ck_assert_str_eq(doc_err("{}"), "t.json: $.duration: missing required key");
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
    tcase_add_test(t, test_variant);
    tcase_add_test(t, test_attack_leader_at);
    tcase_add_test(t, test_attack_byzantine);
    tcase_add_test(t, test_attack_network_key);
    tcase_add_test(t, test_attack_custodian_fraud);
    tcase_add_test(t, test_attack_minter);
    tcase_add_test(t, test_drift_variant);
    tcase_add_test(t, test_custodian_table);
    tcase_add_test(t, test_ref_list);
    tcase_add_test(t, test_reserve_custodian);
    tcase_add_test(t, test_object_absent_off);
    tcase_add_test(t, test_bridge_delay);
    tcase_add_test(t, test_secure_mint);
    tcase_add_test(t, test_amount_dist);
    tcase_add_test(t, test_processes);
    tcase_add_test(t, test_uint64_decimal_string);
    tcase_add_test(t, test_top_level_rows);
    tcase_add_test(t, test_section_rows);
    tcase_add_test(t, test_warn_after_end);
    tcase_add_test(t, test_top_level_defaults);
    tcase_add_test(t, test_process_variants);
    suite_add_tcase(s, t);
    return s;
}
