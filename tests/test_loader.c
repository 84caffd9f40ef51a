/* Scenario loader: the bad-scenario corpus (tests/bad/<name>.json with the exact expected
 * message in <name>.expect), every good file and every scenarios/ file, field values of a
 * full example and of the defaults, --set overrides, the hash, file errors, nesting,
 * and a mutation fuzz (flip / insert / delete / truncate bytes of good files). */
#include "por/rng.h"
#include "por/scenario_load.h"
#include "por_test.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAD_DIR POR_TEST_DIR "/bad"
#define GOOD_DIR POR_TEST_DIR "/good"

/* Names in DIR ending with ".json", sorted; caller frees with free_names. */
static char **json_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    char **names = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = realloc(names, (*n + 1) * sizeof *names);
            names[(*n)++] = strdup(e->d_name);
        }
    }
    closedir(d);
    for (size_t i = 1; i < *n; i++) /* insertion sort: tiny lists */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static por_scenario *load_ok(const char *path, const char *const *sets, size_t nsets)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    por_status st = por_scenario_load_file(path, sets, nsets, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s: expected OK, got: %s", path, err.msg);
    ck_assert_ptr_nonnull(sc);
    return sc;
}

/* Loads TEXT (a string) with SETS and returns the error message (static buffer). */
static const char *load_err(const char *text, const char *const *sets, size_t nsets)
{
    static por_error err;
    memset(&err, 0, sizeof err);
    por_scenario sentinel, *sc = &sentinel;
    por_status st = por_scenario_load_string(text, strlen(text), "t.json", sets, nsets, &sc, &err);
    ck_assert_msg(st == POR_EINPUT, "expected EINPUT for %s", text);
    ck_assert_ptr_eq(sc, &sentinel); /* *out untouched */
    ck_assert_int_eq(err.status, POR_EINPUT);
    return err.msg;
}

START_TEST(test_bad_corpus)
{
    size_t n;
    char **names = json_names(BAD_DIR, &n);
    ck_assert_uint_ge(n, 30);
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(BAD_DIR), 0); /* messages then name the file as "x.json" */
    for (size_t i = 0; i < n; i++) {
        char expect_path[512];
        snprintf(expect_path, sizeof expect_path, "%.*s.expect", (int)(strlen(names[i]) - 5), names[i]);
        char *expect = por_test_slurp(expect_path);
        ck_assert_msg(expect != NULL, "missing %s", expect_path);
        size_t el = strlen(expect);
        while (el > 0 && (expect[el - 1] == '\n' || expect[el - 1] == '\r'))
            expect[--el] = '\0';
        por_scenario sentinel, *sc = &sentinel;
        por_error err = {0};
        por_status st = por_scenario_load_file(names[i], NULL, 0, &sc, &err);
        ck_assert_msg(st == POR_EINPUT, "%s: expected EINPUT, got status %d", names[i], (int)st);
        ck_assert_msg(sc == &sentinel, "%s: *out was touched", names[i]);
        ck_assert_msg(strcmp(err.msg, expect) == 0, "%s:\n  got:    %s\n  expect: %s", names[i], err.msg, expect);
        ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s: message is not one line", names[i]);
        free(expect);
    }
    ck_assert_int_eq(chdir(cwd), 0);
    free_names(names, n);
}
END_TEST

START_TEST(test_good_files_and_library)
{
    const char *dirs[] = {GOOD_DIR, POR_SCENARIO_DIR};
    size_t total = 0;
    for (size_t d = 0; d < 2; d++) {
        size_t n;
        char **names = json_names(dirs[d], &n);
        for (size_t i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[d], names[i]);
            por_scenario *sc = load_ok(path, NULL, 0);
            ck_assert_str_eq(sc->path, path);
            ck_assert_uint_eq(strlen(sc->hash), 16);
            por_scenario_free(sc);
            total++;
        }
        free_names(names, n);
    }
    ck_assert_uint_ge(total, 6);
}
END_TEST

/* Every ```json block of scenarios/SCHEMA.md is a complete scenario that loads. */
START_TEST(test_schema_examples)
{
    char *doc = por_test_slurp(POR_SCENARIO_DIR "/SCHEMA.md");
    ck_assert_ptr_nonnull(doc);
    size_t count = 0;
    const char *p = doc;
    while ((p = strstr(p, "\n```json\n")) != NULL) {
        const char *start = p + strlen("\n```json\n");
        const char *end = strstr(start, "\n```\n");
        ck_assert_ptr_nonnull(end);
        char name[64];
        snprintf(name, sizeof name, "SCHEMA.md example %zu", ++count);
        por_scenario *sc = NULL;
        por_error err = {0};
        por_status st = por_scenario_load_string(start, (size_t)(end - start) + 1, name, NULL, 0, &sc, &err);
        ck_assert_msg(st == POR_OK, "%s", err.msg);
        por_scenario_free(sc);
        p = end;
    }
    ck_assert_uint_ge(count, 5);
    free(doc);
}
END_TEST

START_TEST(test_default_embedded)
{
    char *file = por_test_slurp(POR_SCENARIO_DIR "/default.json");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(strlen(file), por_default_scenario_len);
    ck_assert_msg(strcmp(file, por_default_scenario_json) == 0,
                  "sim/io/default_scenario.c differs from scenarios/default.json: regenerate it");
    free(file);
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_int_eq(por_scenario_load_string(por_default_scenario_json, por_default_scenario_len, "<default>", NULL,
                                              0, &sc, &err),
                     POR_OK);
    ck_assert_str_eq(sc->path, "<default>");
    ck_assert_uint_eq(sc->replications, 20);
    ck_assert_int_eq(sc->duration, 3 * POR_DAY);
    ck_assert_uint_ge(sc->feed.ocr.n, 4);
    ck_assert_uint_le(sc->feed.ocr.n, 7);
    ck_assert_int_eq(sc->feed.ocr.alpha_ppb, 10000000);
    ck_assert_int_eq(sc->feed.ocr.delta_c, 24 * POR_HOUR);
    ck_assert_int_eq(sc->feed.crypto, POR_CRYPTO_MODE_IDEAL);
    ck_assert(sc->token.secure_mint.enabled);
    ck_assert_int_eq(sc->token.mints.kind, POR_PROCESS_POISSON);
    ck_assert_uint_eq(sc->ncustodians, 1);
    ck_assert_int_eq(sc->custodians[0].attest_every, POR_HOUR);
    ck_assert_uint_eq(sc->custodians[0].nsteps, 1);
    ck_assert_int_eq(sc->custodians[0].steps[0].kind, POR_CHANGE_RELATIVE_PPB);
    ck_assert_int_eq(sc->custodians[0].steps[0].ppb, -80000000);
    ck_assert_int_eq(sc->custodians[0].steps[0].at, 2 * POR_DAY);
    ck_assert_uint_eq(sc->nwarnings, 0);
    /* the same bytes through the file path give the same hash */
    por_scenario *sc2 = load_ok(POR_SCENARIO_DIR "/default.json", NULL, 0);
    ck_assert_str_eq(sc->hash, sc2->hash);
    por_scenario_free(sc2);
    por_scenario_free(sc);
}
END_TEST

static bool amount_is(por_amount v, const char *text, unsigned decimals)
{
    por_amount want;
    ck_assert_int_eq(por_amount_parse(text, decimals, &want, NULL), 0);
    return v == want;
}

START_TEST(test_full_example_fields)
{
    por_scenario *sc = load_ok(GOOD_DIR "/full.json", NULL, 0);
    ck_assert_str_eq(sc->name, "full-example");
    ck_assert_str_eq(sc->description, "Touches every field of the schema once.");
    ck_assert(sc->seed == UINT64_MAX);
    ck_assert_uint_eq(sc->replications, 3);
    ck_assert_int_eq(sc->duration, 10 * POR_DAY);
    ck_assert_int_eq(sc->onset_ratio_ppb, 995000000);
    /* network */
    const por_network_config *nw = &sc->network;
    ck_assert_int_eq(nw->latency.kind, POR_DIST_LOGNORMAL);
    ck_assert_int_eq(nw->latency.median, 80 * POR_MS);
    ck_assert_double_eq(nw->latency.sigma, 0.6);
    ck_assert_double_eq(nw->loss, 0.001);
    ck_assert_double_eq(nw->bandwidth_bps, 100e6);
    ck_assert_int_eq(nw->clock_skew_max, 50 * POR_MS);
    ck_assert_uint_eq(nw->nregions, 2);
    ck_assert_str_eq(nw->regions[1].name, "us");
    ck_assert_uint_eq(nw->regions[1].nnodes, 5);
    ck_assert_uint_eq(nw->regions[1].nodes[4], 9);
    ck_assert_uint_eq(nw->nregion_links, 3); /* eu<->us both ways, eu->eu once */
    ck_assert_uint_eq(nw->region_links[0].from_region, 0);
    ck_assert_uint_eq(nw->region_links[1].from_region, 1);
    ck_assert_uint_eq(nw->region_links[1].to_region, 0);
    ck_assert_int_eq(nw->region_links[1].latency.kind, POR_DIST_NORMAL);
    ck_assert_int_eq(nw->region_links[1].latency.sd, 5 * POR_MS);
    ck_assert_int_eq(nw->region_links[2].latency.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(nw->region_links[2].latency.value, 5 * POR_MS);
    ck_assert_uint_eq(nw->npartitions, 1);
    ck_assert_int_eq(nw->partitions[0].window.from, 3 * POR_DAY);
    ck_assert_int_eq(nw->partitions[0].window.until, 3 * POR_DAY + 2 * POR_HOUR);
    ck_assert_uint_eq(nw->partitions[0].ngroups, 2);
    ck_assert_uint_eq(nw->partitions[0].group_sizes[1], 2);
    ck_assert_uint_eq(nw->partitions[0].groups[1][1], 4);
    /* chains */
    ck_assert_uint_eq(sc->nchains, 2);
    const por_chain_config *eth = &sc->chains[0];
    ck_assert_int_eq(eth->block_time, 12 * POR_SEC);
    ck_assert(!eth->block_time_random);
    ck_assert_uint_eq(eth->confirmations, 2);
    ck_assert_double_eq(eth->base_gas_gwei, 25.5);
    ck_assert_double_eq(eth->gas_volatility, 0.1);
    ck_assert_double_eq(eth->reorg_probability, 0.001);
    ck_assert_uint_eq(eth->reorg_depth, 2);
    ck_assert_uint_eq(eth->transmit_gas, 300000);
    ck_assert_int_eq(eth->fee_model, POR_FEE_EIP1559);
    ck_assert_double_eq(eth->priority_fee_gwei, 2);
    ck_assert_double_eq(eth->demand_elasticity, 1.5);
    ck_assert_uint_eq(eth->gas_limit, 36000000);
    ck_assert_double_eq(eth->native_price_usd, 3000);
    ck_assert_uint_eq(eth->txm.history_blocks, 6);
    ck_assert_uint_eq(eth->txm.percentile, 70);
    ck_assert_uint_eq(eth->txm.bump_threshold, 4);
    ck_assert_uint_eq(eth->txm.bump_percent, 15);
    ck_assert_uint_eq(eth->txm.bump_min_wei, 2000000000ull);
    ck_assert_uint_eq(eth->txm.price_max_wei, 500000000000ull);
    ck_assert_uint_eq(eth->txm.price_min_wei, 500000000ull);
    ck_assert_uint_eq(eth->txm.tip_cap_min_wei, 10);
    /* a legacy chain's txm defaults are the node's fallback ones (BlockHistorySize 8,
     * TransactionPercentile 60) */
    ck_assert_int_eq(sc->chains[1].fee_model, POR_FEE_LEGACY);
    ck_assert_uint_eq(sc->chains[1].txm.history_blocks, 8);
    ck_assert_uint_eq(sc->chains[1].txm.percentile, 60);
    ck_assert_uint_eq(eth->ncongestion, 1);
    ck_assert_int_eq(eth->congestion[0].window.from, 4 * POR_DAY);
    ck_assert_int_eq(eth->congestion[0].window.until, 4 * POR_DAY + 6 * POR_HOUR);
    ck_assert_double_eq(eth->congestion[0].block_time_factor, 2);
    ck_assert_double_eq(eth->congestion[0].gas_factor, 8);
    ck_assert_double_eq(eth->rpc_failure_rate, 0.02);
    ck_assert_uint_eq(eth->nrpc_outages, 1);
    ck_assert_int_eq(eth->rpc_outages[0].from, 3 * POR_DAY);
    ck_assert_int_eq(eth->rpc_outages[0].until, 3 * POR_DAY + 2 * POR_HOUR);
    ck_assert_double_eq(sc->chains[1].rpc_failure_rate, 0);
    ck_assert_uint_eq(sc->chains[1].nrpc_outages, 0);
    ck_assert_ptr_null(sc->chains[1].rpc_outages);
    ck_assert_str_eq(sc->chains[1].name, "arbitrum");
    ck_assert_int_eq(sc->chains[1].block_time, 250 * POR_MS);
    ck_assert(sc->chains[1].block_time_random);
    ck_assert_uint_eq(sc->chains[1].confirmations, 0);
    /* custodians */
    ck_assert_uint_eq(sc->ncustodians, 2);
    const por_custodian_config *a = &sc->custodians[0], *t = &sc->custodians[1];
    ck_assert_str_eq(a->unit, "USD");
    ck_assert_uint_eq(a->decimals, 2);
    ck_assert_int_eq(a->source, POR_SOURCE_ATTESTED_API);
    ck_assert_int_eq(a->wallet_chain, -1);
    ck_assert_int_eq(a->attest_phase, 10 * POR_MIN);
    ck_assert(!a->attest_phase_random);
    ck_assert(!t->attest_phase_random); /* a wallet has no refresh cycle */
    ck_assert(a->initial == (por_amount)60000000000);
    ck_assert_uint_eq(a->nsteps, 3);
    ck_assert_int_eq(a->steps[0].kind, POR_CHANGE_RELATIVE_PPB);
    ck_assert_int_eq(a->steps[0].ppb, -80000000);
    ck_assert_str_eq(a->steps[0].label, "loss");
    ck_assert_int_eq(a->steps[1].kind, POR_CHANGE_ABSOLUTE);
    ck_assert(a->steps[1].amount == -(por_amount)100000050);
    ck_assert_int_eq(a->steps[2].kind, POR_CHANGE_SET);
    ck_assert(a->steps[2].amount == (por_amount)55000000000);
    ck_assert_int_eq(a->steps[2].at, 7 * POR_DAY);
    ck_assert_int_eq(a->drift.kind, POR_DRIFT_RANDOM_WALK);
    ck_assert_double_eq(a->drift.sigma_per_day, 0.001);
    ck_assert_int_eq(a->attest_every, POR_HOUR);
    ck_assert_int_eq(a->attest_lag, 30 * POR_MIN);
    ck_assert_int_eq(a->api_latency.kind, POR_DIST_UNIFORM);
    ck_assert_int_eq(a->api_latency.max, 2 * POR_SEC);
    ck_assert_double_eq(a->failure_rate, 0.01);
    ck_assert_uint_eq(a->noutages, 1);
    ck_assert_int_eq(a->outages[0].until, 2 * POR_DAY + 6 * POR_HOUR);
    ck_assert_uint_eq(a->nripcords, 1);
    ck_assert_int_eq(a->ripcords[0].from, 8 * POR_DAY);
    ck_assert_uint_eq(a->rate_limit_per_min, 30);
    ck_assert_int_eq(t->source, POR_SOURCE_WALLET);
    ck_assert_int_eq(t->wallet_chain, 0);
    ck_assert(amount_is(t->initial, "400000000", 6));
    ck_assert_int_eq(t->drift.kind, POR_DRIFT_LINEAR);
    ck_assert_double_eq(t->drift.rate_per_year, 0.05);
    ck_assert_int_eq(t->drift.every, POR_DAY);
    ck_assert_int_eq(t->attest_every, 0); /* wallets are read live by default */
    /* feed */
    const por_feed_config *fd = &sc->feed;
    ck_assert_uint_eq(fd->chain, 0);
    ck_assert_uint_eq(fd->decimals, 8);
    ck_assert_uint_eq(fd->nsources, 2);
    ck_assert_uint_eq(fd->sources[1], 1);
    ck_assert(fd->min_answer == 0);
    ck_assert(amount_is(fd->max_answer, "100000000000", 8));
    ck_assert_uint_eq(fd->ocr.n, 10);
    ck_assert_uint_eq(fd->ocr.f, 3);
    ck_assert_int_eq(fd->ocr.delta_progress, 30 * POR_SEC);
    ck_assert_int_eq(fd->ocr.delta_resend, 12 * POR_SEC);
    ck_assert_int_eq(fd->ocr.delta_round, 25 * POR_SEC);
    ck_assert_int_eq(fd->ocr.delta_grace, 2 * POR_SEC);
    ck_assert_int_eq(fd->ocr.delta_c, 24 * POR_HOUR);
    ck_assert_int_eq(fd->ocr.alpha_ppb, 5000000);
    ck_assert_int_eq(fd->ocr.delta_stage, 15 * POR_SEC);
    ck_assert_uint_eq(fd->ocr.nschedule, 3);
    ck_assert_uint_eq(fd->ocr.schedule[2], 3);
    ck_assert_uint_eq(fd->ocr.r_max, 5);
    ck_assert_int_eq(fd->ocr.observe_timeout, 4 * POR_SEC);
    ck_assert_uint_eq(fd->ocr.read_confirmations, 3);
    ck_assert_int_eq(fd->crypto, POR_CRYPTO_MODE_REAL);
    ck_assert_double_eq(fd->gas_price_multiplier, 1.25);
    ck_assert_double_eq(fd->max_gas_price_gwei, 150);
    ck_assert(sc->token.mints.backed && !sc->token.redeems.backed);
    ck_assert_int_eq(sc->token.reserve_custodian, 0);
    ck_assert_int_eq(sc->token.deposit_delay, POR_HOUR);
    /* token */
    const por_token_config *tk = &sc->token;
    ck_assert_uint_eq(tk->nchains, 2);
    ck_assert_uint_eq(tk->chains[1], 1);
    ck_assert_uint_eq(tk->decimals, 18);
    ck_assert(amount_is(tk->initial_supply[0], "700000000", 18));
    ck_assert(amount_is(tk->initial_supply[1], "290000000.5", 18));
    ck_assert_int_eq(tk->bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(tk->bridge_delay_dist.value, 20 * POR_MIN);
    ck_assert(tk->secure_mint.enabled);
    ck_assert_int_eq(tk->secure_mint.max_staleness, 26 * POR_HOUR);
    ck_assert_int_eq(tk->secure_mint.margin_mode, POR_MARGIN_NEGATIVE_PERCENT);
    ck_assert_int_eq(tk->secure_mint.margin_bp, 50); /* 0.5 % = 50 basis points */
    ck_assert_int_eq(tk->mints.kind, POR_PROCESS_BURST);
    ck_assert_double_eq(tk->mints.per_day, 2);
    ck_assert_uint_eq(tk->mints.burst_size, 5);
    ck_assert_int_eq(tk->mints.amount.kind, POR_DIST_UNIFORM);
    ck_assert(amount_is(tk->mints.amount.max, "50000", 18));
    ck_assert_int_eq(tk->mints.window.from, POR_DAY);
    ck_assert_int_eq(tk->mints.window.until, 9 * POR_DAY);
    ck_assert_int_eq(tk->redeems.kind, POR_PROCESS_SCHEDULED);
    ck_assert_uint_eq(tk->redeems.nscheduled, 2);
    ck_assert_int_eq(tk->redeems.scheduled[0].chain, -1);
    ck_assert_int_eq(tk->redeems.scheduled[1].chain, 1);
    ck_assert(amount_is(tk->redeems.scheduled[1].amount, "5.25", 18));
    ck_assert_int_eq(tk->redeems.scheduled[1].to_chain, -1);
    ck_assert_int_eq(tk->bridges.kind, POR_PROCESS_SCHEDULED);
    ck_assert(!tk->bridges.backed);
    ck_assert_int_eq(tk->bridge_from, 0);
    ck_assert_int_eq(tk->bridge_to, -1);
    ck_assert_uint_eq(tk->bridges.nscheduled, 2);
    ck_assert_int_eq(tk->bridges.scheduled[0].at, POR_DAY);
    ck_assert(amount_is(tk->bridges.scheduled[0].amount, "1000", 18));
    ck_assert_int_eq(tk->bridges.scheduled[0].chain, 0);
    ck_assert_int_eq(tk->bridges.scheduled[0].to_chain, 1);
    ck_assert(amount_is(tk->bridges.scheduled[1].amount, "0.5", 18));
    ck_assert_int_eq(tk->bridges.scheduled[1].chain, 1);
    ck_assert_int_eq(tk->bridges.scheduled[1].to_chain, -1);
    /* consumers */
    ck_assert_uint_eq(sc->nconsumers, 1);
    ck_assert_str_eq(sc->consumers[0].name, "lender");
    ck_assert_int_eq(sc->consumers[0].poll_every, 5 * POR_MIN);
    ck_assert_uint_eq(sc->consumers[0].nthresholds, 2);
    ck_assert_int_eq(sc->consumers[0].thresholds[0].ratio_ppb, 980000000);
    ck_assert_int_eq(sc->consumers[0].thresholds[0].action, POR_ACTION_LOWER_CF);
    ck_assert_int_eq(sc->consumers[0].thresholds[0].collateral_factor_ppb, 500000000);
    ck_assert_int_eq(sc->consumers[0].thresholds[1].action, POR_ACTION_PAUSE);
    /* attackers */
    ck_assert_uint_eq(sc->nattackers, 7);
    const por_attack_config *at = sc->attackers;
    ck_assert_int_eq(at[0].kind, POR_ATTACK_CRASH);
    ck_assert_int_eq(at[0].window.until, POR_DAY + POR_HOUR);
    ck_assert_int_eq(at[1].kind, POR_ATTACK_BYZANTINE);
    ck_assert_int_eq(at[1].behavior, POR_BYZ_INFLATE);
    ck_assert_int_eq(at[1].factor_ppb, 1100000000);
    ck_assert_uint_eq(at[1].nnodes, 2);
    ck_assert_int_eq(at[1].window.until, POR_TIME_MAX);
    ck_assert_int_eq(at[2].behavior, POR_BYZ_EQUIVOCATE);
    ck_assert_int_eq(at[3].kind, POR_ATTACK_KEY_COMPROMISE);
    ck_assert(amount_is(at[3].forged_answer, "2000000000.5", 8));
    ck_assert_int_eq(at[3].window.from, 9 * POR_DAY + 12 * POR_HOUR);
    ck_assert_int_eq(at[4].kind, POR_ATTACK_NETWORK);
    ck_assert(at[4].target_leader);
    ck_assert_uint_eq(at[4].nnodes, 0);
    ck_assert_int_eq(at[4].extra_delay, 40 * POR_SEC);
    ck_assert_double_eq(at[4].drop, 0.5);
    ck_assert_int_eq(at[5].kind, POR_ATTACK_CUSTODIAN_FRAUD);
    ck_assert_uint_eq(at[5].custodian, 0);
    ck_assert_int_eq(at[5].misreport_ppb, 100000000);
    ck_assert(at[5].hide_drain);
    ck_assert_int_eq(at[6].kind, POR_ATTACK_MINTER);
    ck_assert(amount_is(at[6].mint_amount, "1000000000", 18));
    ck_assert_uint_eq(at[6].mint_attempts, 3);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_defaults)
{
    por_scenario *sc = load_ok(GOOD_DIR "/minimal.json", NULL, 0);
    ck_assert_str_eq(sc->name, "minimal");
    ck_assert_str_eq(sc->description, "");
    ck_assert_uint_eq(sc->seed, 1);
    ck_assert_uint_eq(sc->replications, 100);
    ck_assert_int_eq(sc->duration, POR_DAY);
    ck_assert_int_eq(sc->onset_ratio_ppb, 1000000000);
    ck_assert_int_eq(sc->network.latency.kind, POR_DIST_LOGNORMAL);
    ck_assert_int_eq(sc->network.latency.median, 80 * POR_MS);
    ck_assert_uint_eq(sc->nchains, 1);
    ck_assert_str_eq(sc->chains[0].name, "ethereum");
    ck_assert_int_eq(sc->chains[0].block_time, 12 * POR_SEC);
    /* the Chainlink node's EVM defaults (fallback.toml: LimitDefault 500000; BumpThreshold
     * 3, BumpPercent 20, BumpMin 5 gwei; Ethereum_Mainnet.toml: BlockHistorySize 4,
     * TransactionPercentile 50 with EIP-1559) */
    ck_assert_uint_eq(sc->chains[0].transmit_gas, 500000);
    ck_assert_int_eq(sc->chains[0].fee_model, POR_FEE_EIP1559);
    ck_assert_uint_eq(sc->chains[0].txm.history_blocks, 4);
    ck_assert_uint_eq(sc->chains[0].txm.percentile, 50);
    ck_assert_uint_eq(sc->chains[0].txm.bump_threshold, 3);
    ck_assert_uint_eq(sc->chains[0].txm.bump_percent, 20);
    ck_assert_uint_eq(sc->chains[0].txm.bump_min_wei, 5000000000ull);
    ck_assert_uint_eq(sc->chains[0].txm.price_max_wei, 100000000000000ull);
    ck_assert_uint_eq(sc->chains[0].gas_limit, 30000000);
    ck_assert_uint_eq(sc->feed.ocr.read_confirmations, 1);
    ck_assert_double_eq(sc->chains[0].rpc_failure_rate, 0); /* reads never fail */
    ck_assert_uint_eq(sc->chains[0].nrpc_outages, 0);
    ck_assert_uint_eq(sc->ncustodians, 1);
    ck_assert_str_eq(sc->custodians[0].name, "custodian");
    ck_assert(amount_is(sc->custodians[0].initial, "1000000000", 2));
    ck_assert_int_eq(sc->custodians[0].attest_every, POR_HOUR);
    ck_assert(sc->custodians[0].attest_phase_random); /* the default phase is "random" */
    ck_assert(sc->token.mints.backed);
    ck_assert_int_eq(sc->token.reserve_custodian, 0);
    ck_assert_int_eq(sc->token.deposit_delay, 0);
    ck_assert_double_eq(sc->feed.max_gas_price_gwei, 0);
    ck_assert_uint_eq(sc->feed.nsources, 1);
    ck_assert(sc->feed.max_answer == POR_AMOUNT_MAX);
    ck_assert_uint_eq(sc->feed.ocr.n, 4);
    ck_assert_uint_eq(sc->feed.ocr.f, 1);
    ck_assert_uint_eq(sc->feed.ocr.nschedule, 3); /* 1, 1, 2 */
    ck_assert_uint_eq(sc->feed.ocr.schedule[2], 2);
    ck_assert_uint_eq(sc->feed.ocr.r_max, 6);
    ck_assert_int_eq(sc->feed.ocr.alpha_ppb, 10000000);
    ck_assert_uint_eq(sc->token.nchains, 1);
    ck_assert(amount_is(sc->token.initial_supply[0], "990000000", 18));
    ck_assert(sc->token.secure_mint.enabled);
    ck_assert_int_eq(sc->token.secure_mint.max_staleness, 26 * POR_HOUR);
    ck_assert_int_eq(sc->token.mints.kind, POR_PROCESS_POISSON);
    ck_assert(amount_is(sc->token.mints.amount.median, "100000", 18));
    ck_assert_int_eq(sc->token.redeems.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(sc->token.bridges.kind, POR_PROCESS_NONE);
    ck_assert_int_eq(sc->token.bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(sc->token.bridge_delay_dist.value, 30 * POR_MIN);
    ck_assert_int_eq(sc->token.bridge_from, -1);
    ck_assert_int_eq(sc->token.bridge_to, -1);
    ck_assert_uint_eq(sc->nconsumers, 0);
    ck_assert_uint_eq(sc->nattackers, 0);
    por_scenario_free(sc);

    /* defaults that follow other fields: f from n, schedule from n, staleness from delta_c */
    const char *sets[] = {"feed.ocr.n=16", "feed.ocr.delta_c=1h"};
    sc = load_ok(GOOD_DIR "/minimal.json", sets, 2);
    ck_assert_uint_eq(sc->feed.ocr.f, 5);
    ck_assert_uint_eq(sc->feed.ocr.nschedule, 5); /* 1, 1, 2, 4, 8 */
    ck_assert_uint_eq(sc->feed.ocr.schedule[4], 8);
    ck_assert_int_eq(sc->token.secure_mint.max_staleness, 3 * POR_HOUR);
    por_scenario_free(sc);
}
END_TEST

/* token.bridges and a drawn token.bridge_delay: processes, "random" ends, defaults of
 * scheduled requests, and a distribution (EMPIRICAL allocates: freed with the scenario). */
START_TEST(test_bridges)
{
    const char *doc =
        "{\"duration\": \"1d\", \"chains\": [{\"name\": \"eth\"}, {\"name\": \"base\"}, {\"name\": \"arb\"}],"
        " \"token\": {\"chains\": [\"eth\", \"base\", \"arb\"],"
        "  \"bridge_delay\": {\"dist\": \"empirical\", \"samples\": [\"10m\", \"20m\", \"1h\"]},"
        "  \"bridges\": {\"process\": \"burst\", \"per_day\": 6, \"burst_size\": 3, \"amount\": \"250.5\","
        "               \"to_chain\": \"arb\", \"from\": \"2h\", \"for\": \"6h\"}}}";
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(doc, strlen(doc), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s",
                  err.msg);
    const por_token_config *tk = &sc->token;
    ck_assert_int_eq(tk->bridge_delay_dist.kind, POR_DIST_EMPIRICAL);
    ck_assert_uint_eq(tk->bridge_delay_dist.nsamples, 3);
    ck_assert_int_eq(tk->bridge_delay_dist.samples[2], POR_HOUR);
    ck_assert_int_eq(tk->bridges.kind, POR_PROCESS_BURST);
    ck_assert_uint_eq(tk->bridges.burst_size, 3);
    ck_assert(amount_is(tk->bridges.amount.value, "250.5", 18));
    ck_assert_int_eq(tk->bridges.window.from, 2 * POR_HOUR);
    ck_assert_int_eq(tk->bridges.window.until, 8 * POR_HOUR);
    ck_assert_int_eq(tk->bridge_from, -1);
    ck_assert_int_eq(tk->bridge_to, 2);
    ck_assert_int_eq(tk->mints.kind, POR_PROCESS_POISSON); /* untouched */
    por_scenario_free(sc);
    /* a --set turns the delay back into a constant and the bridge into a schedule */
    const char *sets[] = {"token.bridge_delay=45m",
                          "token.bridges={\"process\":\"scheduled\",\"requests\":[{\"at\":\"1h\",\"amount\":\"1\","
                          "\"from_chain\":\"base\"}]}"};
    sc = NULL;
    ck_assert_msg(por_scenario_load_string(doc, strlen(doc), "t.json", sets, 2, &sc, &err) == POR_OK, "%s",
                  err.msg);
    ck_assert_int_eq(sc->token.bridge_delay_dist.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(sc->token.bridge_delay_dist.value, 45 * POR_MIN);
    ck_assert_int_eq(sc->token.bridges.kind, POR_PROCESS_SCHEDULED);
    ck_assert_int_eq(sc->token.bridges.scheduled[0].chain, 1);
    ck_assert_int_eq(sc->token.bridges.scheduled[0].to_chain, -1);
    por_scenario_free(sc);
    /* an error inside the override names it */
    const char *bad[] = {"token.bridges.to_chain=eth", "token.bridges.from_chain=eth"};
    ck_assert_str_eq(load_err(doc, bad, 2),
                     "t.json: $.token.bridges.to_chain: a transfer needs two different chains, got \"eth\" as both "
                     "from_chain and to_chain (from --set token.bridges.to_chain=eth)");
}
END_TEST

START_TEST(test_warnings)
{
    por_scenario *sc = load_ok(GOOD_DIR "/teaching.json", NULL, 0);
    ck_assert_uint_eq(sc->nwarnings, 5);
    ck_assert_str_eq(sc->warnings[0], POR_TEST_DIR "/good/teaching.json: $.feed.ocr.delta_c: 5m is below libocr's "
                                      "Ethereum mainnet minimum of 10m (accepted)");
    ck_assert_int_eq(sc->feed.ocr.alpha_ppb, 0);
    ck_assert(!sc->token.secure_mint.enabled);
    por_scenario_free(sc);
}
END_TEST

/* issue 18: valid but surely unintended inputs warn (printed by validate and run, errors
 * with --strict): a step at or after `duration` never happens; a signed amount below one
 * unit ("-0.03") is an amount, not the fraction -3% it looks like. */
/* Loads TEXT, which must be valid, with the --set overrides SETS. Caller frees. */
static por_scenario *load_text_ok(const char *text, const char *const *sets, size_t nsets)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    por_status st = por_scenario_load_string(text, strlen(text), "t.json", sets, nsets, &sc, &err);
    ck_assert_msg(st == POR_OK, "expected OK, got: %s", err.msg);
    return sc;
}

START_TEST(test_warnings_suspicious_inputs)
{
    por_scenario *sc = load_text_ok(
        "{\"duration\": \"2d\", \"custodians\": [{\"name\": \"bank\", \"reserve\": "
        "{\"initial\": \"1000000\", \"steps\": [{\"at\": \"1d\", \"change\": \"-0.03\"}, "
        "{\"at\": \"1d\", \"change\": \"-5\"}, {\"at\": \"3d\", \"change\": \"-8%\"}]}}], "
        "\"attackers\": [{\"type\": \"crash\", \"nodes\": [0], \"from\": \"2d\"}]}", NULL, 0);
    ck_assert_uint_eq(sc->nwarnings, 3);
    ck_assert_str_eq(sc->warnings[0], "t.json: $.custodians[0].reserve.steps[0].change: \"-0.03\" is an amount "
                                      "(minus 0.03 USD of custodian bank), not a fraction; for a percentage "
                                      "write \"-3%\"");
    /* the amount really is minus 0.03 USD (2 decimals: -3 base units) */
    ck_assert(sc->custodians[0].steps[0].kind == POR_CHANGE_ABSOLUTE);
    ck_assert(sc->custodians[0].steps[0].amount == -3);
    ck_assert_str_eq(sc->warnings[1], "t.json: $.custodians[0].reserve.steps[2].at: 3d is not before the end of "
                                      "the run (duration 2d): this step never happens");
    ck_assert_str_eq(sc->warnings[2], "t.json: $.attackers[0].from: 2d is not before the end of the run "
                                      "(duration 2d): this attack never starts");
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_overrides)
{
    const char *sets[] = {"feed.ocr.n=7",
                          "feed.ocr.f=2",
                          "duration=10d",
                          "token.secure_mint.enabled=false",
                          "network.latency={\"dist\":\"lognormal\",\"median\":\"1s\",\"sigma\":1}",
                          "network.latency.median=\"120ms\"",
                          "attackers[0].type=crash",
                          "attackers[0].nodes=[6]",
                          "feed.ocr.schedule=[1,2,4]",
                          "chains.0.block_time=6s",
                          "feed.ocr.deviation=2%",
                          "name=overridden"};
    por_scenario *sc = load_ok(POR_SCENARIO_DIR "/default.json", sets, sizeof sets / sizeof sets[0]);
    ck_assert_uint_eq(sc->feed.ocr.n, 7);
    ck_assert_uint_eq(sc->feed.ocr.f, 2);
    ck_assert_int_eq(sc->duration, 10 * POR_DAY);
    ck_assert(!sc->token.secure_mint.enabled);
    ck_assert_int_eq(sc->network.latency.median, 120 * POR_MS);
    ck_assert_double_eq(sc->network.latency.sigma, 1);
    ck_assert_uint_eq(sc->nattackers, 1);
    ck_assert_uint_eq(sc->attackers[0].nodes[0], 6);
    ck_assert_int_eq(sc->chains[0].block_time, 6 * POR_SEC);
    ck_assert_int_eq(sc->feed.ocr.alpha_ppb, 20000000);
    ck_assert_str_eq(sc->name, "overridden");
    por_scenario *plain = load_ok(POR_SCENARIO_DIR "/default.json", NULL, 0);
    ck_assert_str_ne(sc->hash, plain->hash); /* the hash covers the overrides */
    por_scenario_free(plain);
    por_scenario_free(sc);

    /* null removes a key: back to the default */
    const char *rm[] = {"feed.ocr.schedule=null"};
    sc = load_ok(POR_SCENARIO_DIR "/default.json", rm, 1);
    ck_assert_uint_eq(sc->feed.ocr.nschedule, 3); /* default for n=4: 1, 1, 2 */
    ck_assert_uint_eq(sc->feed.ocr.schedule[2], 2);
    por_scenario_free(sc);

    const char *doc = "{\"duration\": \"1d\"}";
    const char *bad_f[] = {"feed.ocr.f=2"};
    ck_assert_str_eq(load_err(doc, bad_f, 1), "t.json: $.feed.ocr.f: needs 3f < n, got n=4 f=2 (from --set feed.ocr.f=2)");
    const char *unknown[] = {"feed.ocr.fx=1"};
    ck_assert_str_eq(load_err(doc, unknown, 1),
                     "t.json: $.feed.ocr.fx: unknown key; did you mean \"f\"? (from --set feed.ocr.fx=1)");
    const char *unknown_top[] = {"fed.ocr.f=1"};
    ck_assert_str_eq(load_err(doc, unknown_top, 1),
                     "t.json: $.fed: unknown key; did you mean \"feed\"? (from --set fed.ocr.f=1)");
    const char *no_eq[] = {"feed.ocr.f"};
    ck_assert_str_eq(load_err(doc, no_eq, 1), "t.json: --set feed.ocr.f: expected PATH=VALUE");
    const char *bad_path[] = {"feed..f=1"};
    ck_assert_str_eq(load_err(doc, bad_path, 1), "t.json: --set feed..f=1: bad path: empty key");
    const char *through_string[] = {"duration.x=1"};
    ck_assert_str_eq(load_err(doc, through_string, 1),
                     "t.json: --set duration.x=1: $.duration is a string, cannot set a key inside it");
    const char *range[] = {"attackers=[]", "attackers[1].type=crash"};
    ck_assert_str_eq(load_err(doc, range, 2),
                     "t.json: --set attackers[1].type=crash: $.attackers[1]: index out of range (the array has 0 "
                     "elements)");
    const char *typed[] = {"duration=5"};
    ck_assert_str_eq(load_err(doc, typed, 1), "t.json: $.duration: expected a duration string such as \"250ms\" or "
                                              "\"30d\", got 5 (from --set duration=5)");
    /* a later override wins; errors name it */
    const char *later[] = {"feed.ocr.r_max=3", "feed.ocr.r_max=0"};
    ck_assert_str_eq(load_err(doc, later, 2),
                     "t.json: $.feed.ocr.r_max: needs 0 < r_max < 255, got 0 (from --set feed.ocr.r_max=0)");
}
END_TEST

START_TEST(test_hash)
{
    const char *a = "{\"duration\": \"1d\", \"seed\": 5, \"feed\": {\"ocr\": {\"n\": 7, \"f\": 2}}}";
    const char *b = "{\n  \"feed\": {\"ocr\": {\"f\": 2, \"n\": 7}},\n  \"seed\": 5,\n  \"duration\": \"1d\"\n}\n";
    const char *c = "{\"duration\": \"1d\", \"seed\": 6, \"feed\": {\"ocr\": {\"n\": 7, \"f\": 2}}}";
    por_scenario *sa = NULL, *sb = NULL, *sc = NULL;
    por_error err;
    ck_assert_int_eq(por_scenario_load_string(a, strlen(a), "a", NULL, 0, &sa, &err), POR_OK);
    ck_assert_int_eq(por_scenario_load_string(b, strlen(b), "b", NULL, 0, &sb, &err), POR_OK);
    ck_assert_int_eq(por_scenario_load_string(c, strlen(c), "c", NULL, 0, &sc, &err), POR_OK);
    char ha[17], hb[17], hc[17];
    por_scenario_hash(sa, ha);
    por_scenario_hash(sb, hb);
    por_scenario_hash(sc, hc);
    ck_assert_uint_eq(strlen(ha), 16);
    ck_assert_uint_eq(strspn(ha, "0123456789abcdef"), 16);
    ck_assert_str_eq(ha, hb); /* whitespace and key order do not matter */
    ck_assert_str_ne(ha, hc);
    /* FNV-1a 64 of the canonical text, computed independently here */
    const char *canon = "{\"duration\":\"1d\",\"feed\":{\"ocr\":{\"f\":2,\"n\":7}},\"seed\":5}";
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = canon; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ull;
    }
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)h);
    ck_assert_str_eq(ha, want);
    por_scenario_free(sa);
    por_scenario_free(sb);
    por_scenario_free(sc);
    por_scenario_free(NULL);
}
END_TEST

START_TEST(test_file_errors)
{
    por_scenario sentinel, *sc = &sentinel;
    por_error err = {0};
    ck_assert_int_eq(por_scenario_load_file("/nonexistent/porsim.json", NULL, 0, &sc, &err), POR_EINPUT);
    ck_assert_str_eq(err.msg, "/nonexistent/porsim.json: cannot open: No such file or directory");
    ck_assert_int_eq(por_scenario_load_file(POR_TEST_DIR "/good", NULL, 0, &sc, &err), POR_EINPUT);
    ck_assert_str_eq(err.msg, POR_TEST_DIR "/good: is a directory, expected a JSON scenario file");
    ck_assert_int_eq(por_scenario_load_file("", NULL, 0, &sc, &err), POR_EINPUT);
    ck_assert_ptr_eq(sc, &sentinel);
    /* NUL bytes inside a string given with its length */
    const char text[] = "{\"duration\": \"1d\"}\0garbage";
    ck_assert_int_eq(por_scenario_load_string(text, sizeof text - 1, "n.json", NULL, 0, &sc, &err), POR_EINPUT);
    ck_assert_str_eq(err.msg, "n.json: line 1, column 19: NUL byte in the file (not valid in JSON text)");
    /* not NUL-terminated: only LEN bytes are read */
    const char *two = "{\"duration\": \"1d\"}{\"x\": 1}";
    ck_assert_int_eq(por_scenario_load_string(two, 18, "p.json", NULL, 0, &sc, &err), POR_OK);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t depth = 2000;
    char *buf = malloc(2 * depth + 1);
    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    buf[2 * depth] = '\0';
    ck_assert_str_eq(load_err(buf, NULL, 0), "t.json: line 1, column 1001: nested deeper than 1000 levels");
    free(buf);
    size_t unit = 5; /* unclosed objects: {"a":{"a":... */
    buf = malloc(unit * depth + 1);
    for (size_t i = 0; i < depth; i++)
        memcpy(buf + unit * i, "{\"a\":", unit);
    buf[unit * depth] = '\0';
    ck_assert_str_eq(load_err(buf, NULL, 0), "t.json: line 1, column 5001: nested deeper than 1000 levels");
    free(buf);
}
END_TEST

/* One random edit of BUF (length *LEN, capacity CAP). */
static void mutate(gsl_rng *r, char *buf, size_t *len, size_t cap)
{
    static const char *const tokens[] = {"\"", "{", "}", "[", "]", ",", ":", "1e999", "-", "null", "\"%\"", "NaN",
                                         "\"-1s\"", "0", "true", "\"\\u0000\"", "999999999999999999999", "\"1e6\"",
                                         "\"ethereum\"", "[]", "{}", "\"x\"", "31", "-0.5"};
    if (*len == 0)
        return;
    size_t pos = (size_t)por_rng_below(r, *len);
    switch (por_rng_below(r, 5)) {
    case 0: /* flip bits of a byte */
        buf[pos] = (char)(buf[pos] ^ (char)(1 + por_rng_below(r, 255)));
        break;
    case 1: /* truncate */
        *len = pos;
        break;
    case 2: { /* delete a short range */
        size_t n = 1 + (size_t)por_rng_below(r, 8);
        if (pos + n > *len)
            n = *len - pos;
        memmove(buf + pos, buf + pos + n, *len - pos - n);
        *len -= n;
        break;
    }
    case 3: { /* insert a JSON-ish token */
        const char *t = tokens[por_rng_below(r, sizeof tokens / sizeof tokens[0])];
        size_t n = strlen(t);
        if (*len + n >= cap)
            break;
        memmove(buf + pos + n, buf + pos, *len - pos);
        memcpy(buf + pos, t, n);
        *len += n;
        break;
    }
    default: /* random byte */
        buf[pos] = (char)por_rng_below(r, 256);
        break;
    }
}

START_TEST(test_mutation_fuzz)
{
    const char *seeds[] = {GOOD_DIR "/full.json", GOOD_DIR "/dists.json", GOOD_DIR "/cross_chain.json",
                           GOOD_DIR "/teaching.json", POR_SCENARIO_DIR "/default.json"};
    const size_t nseeds = sizeof seeds / sizeof seeds[0];
    char *orig[8];
    for (size_t i = 0; i < nseeds; i++) {
        orig[i] = por_test_slurp(seeds[i]);
        ck_assert_ptr_nonnull(orig[i]);
    }
    gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "loader-fuzz"));
    size_t ok = 0, bad = 0;
    const size_t iters = 4000;
    for (size_t it = 0; it < iters; it++) {
        const char *src = orig[it % nseeds];
        size_t len = strlen(src), cap = len + 256;
        char *buf = malloc(cap);
        memcpy(buf, src, len);
        size_t edits = 1 + (size_t)por_rng_below(r, 4);
        for (size_t e = 0; e < edits; e++)
            mutate(r, buf, &len, cap);
        por_scenario *sc = NULL;
        por_error err = {0};
        por_status st = por_scenario_load_string(buf, len, "fuzz.json", NULL, 0, &sc, &err);
        ck_assert_msg(st == POR_OK || st == POR_EINPUT, "iteration %zu: status %d", it, (int)st);
        if (st == POR_OK) {
            ck_assert_ptr_nonnull(sc);
            ok++;
            por_scenario_free(sc);
        } else {
            ck_assert_msg(strncmp(err.msg, "fuzz.json: ", 11) == 0, "iteration %zu: %s", it, err.msg);
            ck_assert_ptr_null(sc);
            bad++;
        }
        free(buf);
    }
    gsl_rng_free(r);
    for (size_t i = 0; i < nseeds; i++)
        free(orig[i]);
    ck_assert_uint_eq(ok + bad, iters);
    ck_assert_uint_gt(bad, iters / 2); /* the mutations do break most files */
}
END_TEST


START_TEST(test_secure_mint_contract_limits)
{
    /* SecureMintPolicy.sol _setReserveMargin: percentage modes need amount <=
     * BASIS_POINTS (10,000), so 100 % is allowed for both signs (negative 100 % doubles
     * the reserve); absolute modes need amount > 0. The loader holds percentages in basis
     * points: "0.01%" is 1 bp, "12.34%" is 1234 bp. token.secure_mint.supply defaults to
     * "local" (run() reads the subject token's own totalSupply()). Failing cases: the bad
     * corpus (margin_percent_over_100, margin_sub_basis_point, margin_absolute_zero,
     * secure_mint_supply_unknown, decimals_too_many, token_decimals_reserve_overflow). */
    const char *doc = "{\"duration\": \"1d\"}";
    por_scenario *sc = load_text_ok(doc, NULL, 0);
    ck_assert_int_eq(sc->token.secure_mint.supply, POR_SUPPLY_LOCAL);
    por_scenario_free(sc);
    const char *global[] = {"token.secure_mint.supply=global"};
    sc = load_text_ok(doc, global, 1);
    ck_assert_int_eq(sc->token.secure_mint.supply, POR_SUPPLY_GLOBAL);
    por_scenario_free(sc);
    const char *neg100[] = {"token.secure_mint.margin={\"mode\": \"negative_percent\", \"value\": \"100%\"}"};
    sc = load_text_ok(doc, neg100, 1);
    ck_assert_int_eq(sc->token.secure_mint.margin_bp, POR_BASIS_POINTS);
    por_scenario_free(sc);
    const char *one_bp[] = {"token.secure_mint.margin={\"mode\": \"positive_percent\", \"value\": \"0.01%\"}"};
    sc = load_text_ok(doc, one_bp, 1);
    ck_assert_int_eq(sc->token.secure_mint.margin_bp, 1);
    por_scenario_free(sc);
    const char *bp1234[] = {"token.secure_mint.margin={\"mode\": \"positive_percent\", \"value\": \"12.34%\"}"};
    sc = load_text_ok(doc, bp1234, 1);
    ck_assert_int_eq(sc->token.secure_mint.margin_bp, 1234);
    por_scenario_free(sc);
    const char *neg_pct[] = {"token.secure_mint.margin={\"mode\": \"positive_percent\", \"value\": \"-1%\"}"};
    ck_assert_str_eq(load_err(doc, neg_pct, 1),
                     "t.json: $.token.secure_mint.margin.value: needs a margin from 0% to 100% (0 to 10000 basis "
                     "points, SecureMintPolicy's BASIS_POINTS), got \"-1%\" (from --set "
                     "token.secure_mint.margin={\"mode\": \"positive_percent\", \"value\": \"-1%\"})");
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *t = tcase_create("loader");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_bad_corpus);
    tcase_add_test(t, test_good_files_and_library);
    tcase_add_test(t, test_schema_examples);
    tcase_add_test(t, test_default_embedded);
    tcase_add_test(t, test_full_example_fields);
    tcase_add_test(t, test_defaults);
    tcase_add_test(t, test_bridges);
    tcase_add_test(t, test_warnings);
    tcase_add_test(t, test_warnings_suspicious_inputs);
    tcase_add_test(t, test_overrides);
    tcase_add_test(t, test_hash);
    tcase_add_test(t, test_file_errors);
    tcase_add_test(t, test_deep_nesting);
    tcase_add_test(t, test_mutation_fuzz);
    tcase_add_test(t, test_secure_mint_contract_limits);
    suite_add_tcase(s, t);
    return s;
}
