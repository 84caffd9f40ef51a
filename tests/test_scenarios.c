/* The scenario library (scenarios/): every JSON file under scenarios/ loads and validates through
 * the loader with no warning; the benchmark matches the performance issue's spec; each
 * use-case scenario, run for one or two replications (seed from por_test_seed(), horizon
 * cut just past what is checked), behaves as its description says: onset exactly at the
 * scheduled step, detection no earlier than the attestation allows and within a bound
 * derived from the attestation grid, OCR round and block times, Secure Mint never
 * violated, and congestion makes detection slower than the same run without it. */
#include "por_test.h"

#include "por/scenario_load.h"
#include "por/world.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- helpers ---------------------------------------------------------------------- */

typedef struct {
    char **paths;
    size_t n, cap;
} path_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends every *.json under DIR (recursively) to L. */
static void collect_json(const char *dir, path_list *l)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        ck_assert_msg(stat(path, &st) == 0, "cannot stat %s", path);
        if (S_ISDIR(st.st_mode)) {
            collect_json(path, l);
            continue;
        }
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 16;
            l->paths = realloc(l->paths, l->cap * sizeof *l->paths);
            ck_assert(l->paths != NULL);
        }
        l->paths[l->n] = malloc(strlen(path) + 1);
        ck_assert(l->paths[l->n] != NULL);
        strcpy(l->paths[l->n], path);
        l->n++;
    }
    closedir(d);
}

static void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

/* Loads scenarios/NAME with the test seed and the extra overrides SETS. */
static por_scenario *load(const char *name, const char *const *sets, size_t nsets)
{
    char path[1024], seed[64];
    snprintf(path, sizeof path, "%s/%s", POR_SCENARIO_DIR, name);
    snprintf(seed, sizeof seed, "seed=\"%" PRIu64 "\"", por_test_seed());
    const char *all[16];
    ck_assert(nsets + 1 <= sizeof all / sizeof all[0]);
    all[0] = seed;
    for (size_t i = 0; i < nsets; i++)
        all[i + 1] = sets[i];
    por_scenario *sc = NULL;
    por_error err;
    memset(&err, 0, sizeof err);
    por_status st = por_scenario_load_file(path, all, nsets + 1, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s: %s", path, err.msg);
    return sc;
}

/* Loads scenarios/NAME like load(), with every custodian's attestation phase pinned to 0
 * (refreshes at k * every from t = 0): the use-case tests check exact instants on that
 * grid. The library files keep the default random phase. */
static por_scenario *load_phase0(const char *name, const char *const *sets, size_t nsets)
{
    por_scenario *probe = load(name, sets, nsets);
    size_t n = probe->ncustodians;
    por_scenario_free(probe);
    static char pins[8][64];
    const char *all[15];
    ck_assert(n <= 8 && nsets + n <= sizeof all / sizeof all[0]);
    for (size_t i = 0; i < nsets; i++)
        all[i] = sets[i];
    for (size_t i = 0; i < n; i++) {
        snprintf(pins[i], sizeof pins[i], "custodians[%zu].attestation.phase=\"0s\"", i);
        all[nsets + i] = pins[i];
    }
    return load(name, all, nsets + n);
}

typedef struct {
    por_metric_cell c[POR_WM_NCOLS];
    char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
} row;

/* Runs replication REP of SC up to HORIZON and prints the headline metrics. */
static void run(const por_scenario *sc, uint64_t rep, por_time_t horizon, row *r)
{
    por_error err;
    memset(&err, 0, sizeof err);
    memset(r, 0, sizeof *r);
    por_run_options opt = {.crypto_override = -1, .horizon_override = horizon};
    por_status st = por_world_run_replication(sc, rep, &opt, r->c, r->strings, &err);
    ck_assert_msg(st == POR_OK, "%s rep %" PRIu64 ": %s", sc->name, rep, err.msg);
    printf("%s rep %" PRIu64 ": onset=%.3fs%s feed_detect=%.3fs%s mint_block=%.3fs%s "
           "unbacked=%s false_rej=%g reaction=%s%.3fs staleness=%.3fs violations=%g\n",
           sc->name, rep, por_time_seconds(r->c[POR_WM_ONSET].ns),
           r->c[POR_WM_ONSET].censored ? "+" : "", por_time_seconds(r->c[POR_WM_FEED_DETECT].ns),
           r->c[POR_WM_FEED_DETECT].censored ? "+" : "", por_time_seconds(r->c[POR_WM_MINT_BLOCK].ns),
           r->c[POR_WM_MINT_BLOCK].censored ? "+" : "",
           r->c[POR_WM_UNBACKED_MINTED].exact ? r->c[POR_WM_UNBACKED_MINTED].exact : "-",
           r->c[POR_WM_FALSE_REJECTIONS].value, r->c[POR_WM_CONSUMER_REACTION].present ? "" : "absent ",
           por_time_seconds(r->c[POR_WM_CONSUMER_REACTION].ns),
           por_time_seconds(r->c[POR_WM_MAX_FEED_STALENESS].ns), r->c[POR_WM_INVARIANT_VIOLATIONS].value);
}

/* The checks every use-case run shares: onset exactly at ONSET, detection observed in
 * [LO, HI] after it, Secure Mint never violated, the shortfall visible in the truth. */
static void check_common(const row *r, por_time_t onset, por_time_t lo, por_time_t hi)
{
    const por_metric_cell *c = r->c;
    ck_assert(c[POR_WM_ONSET].present && !c[POR_WM_ONSET].censored);
    ck_assert_int_eq(c[POR_WM_ONSET].ns, onset);
    ck_assert(c[POR_WM_FEED_DETECT].present && !c[POR_WM_FEED_DETECT].censored);
    ck_assert_int_ge(c[POR_WM_FEED_DETECT].ns, lo);
    ck_assert_int_le(c[POR_WM_FEED_DETECT].ns, hi);
    ck_assert(c[POR_WM_UNBACKED_MINTED].present && c[POR_WM_UNBACKED_MINTED].value >= 0);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].present);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    ck_assert(c[POR_WM_MIN_TRUE_RATIO].value < 1.0);
    ck_assert(c[POR_WM_REPORTS_ACCEPTED].value >= 2); /* the first answer and the detection */
}

/* Mint block observed after the detection: the first mint the guard sees once the feed
 * shows the loss is refused (used where no mint can be refused before detection). */
static void check_block_after_detect(const row *r)
{
    const por_metric_cell *b = &r->c[POR_WM_MINT_BLOCK];
    ck_assert(b->present);
    if (!b->censored)
        ck_assert_int_ge(b->ns, r->c[POR_WM_FEED_DETECT].ns);
}

/* Slack for one OCR round after the observation: a round every delta_round (20 s), the
 * progress timeout if a leader fails (23 s), observation timeout (5 s), two stages of
 * delta_stage (20 s) and network latency. Block waits are added per scenario. */
static const por_time_t round_slack = 20 * POR_SEC + 23 * POR_SEC + 5 * POR_SEC + 2 * 20 * POR_SEC + 2 * POR_SEC;

/* ---- the whole library validates -------------------------------------------------- */

static const char *const library[] = {
    "fiat-stablecoin-bank-shortfall.json", "treasury-stablecoin-drift.json",
    "wrapped-btc-custody-hack.json",       "tokenized-gold-audit-gap.json",
    "cross-chain-token.json",              "lending-depeg-reaction.json",
    "congested-chain-heartbeat.json",      "tokenized-etf-weekend-gap.json",
    "bench/year-n31.json",
};

START_TEST(test_every_scenario_validates)
{
    path_list l = {0};
    collect_json(POR_SCENARIO_DIR, &l);
    qsort(l.paths, l.n, sizeof *l.paths, cmp_str);
    ck_assert_uint_ge(l.n, sizeof library / sizeof library[0]);
    for (size_t i = 0; i < l.n; i++) {
        por_scenario *sc = NULL;
        por_error err;
        memset(&err, 0, sizeof err);
        por_status st = por_scenario_load_file(l.paths[i], NULL, 0, &sc, &err);
        ck_assert_msg(st == POR_OK, "%s: %s", l.paths[i], err.msg);
        ck_assert_msg(sc->description && strlen(sc->description) >= 40, "%s: needs a description",
                      l.paths[i]);
        ck_assert_msg(sc->nwarnings == 0, "%s: warning %s", l.paths[i],
                      sc->nwarnings ? sc->warnings[0] : "");
        ck_assert(sc->duration > 0 && sc->replications >= 1);
        /* library scenarios (not benchmarks) keep horizons of days: one replication
         * stays around a second */
        if (!strstr(l.paths[i], "/bench/"))
            ck_assert_msg(sc->duration <= 5 * POR_DAY, "%s: horizon above 5 days", l.paths[i]);
        printf("ok %s (%s, hash %s)\n", l.paths[i], sc->name, sc->hash);
        por_scenario_free(sc);
    }
    /* every named scenario is there */
    for (size_t k = 0; k < sizeof library / sizeof library[0]; k++) {
        char want[1024];
        snprintf(want, sizeof want, "%s/%s", POR_SCENARIO_DIR, library[k]);
        bool found = false;
        for (size_t i = 0; i < l.n && !found; i++)
            found = strcmp(l.paths[i], want) == 0;
        ck_assert_msg(found, "missing %s", want);
    }
    path_list_free(&l);
}
END_TEST

START_TEST(test_bench_matches_spec)
{
    por_scenario *sc = load("bench/year-n31.json", NULL, 0);
    ck_assert_uint_eq(sc->feed.ocr.n, 31);
    ck_assert_uint_eq(sc->feed.ocr.f, 10);
    ck_assert_int_eq(sc->feed.ocr.delta_round, 20 * POR_SEC);
    ck_assert_int_eq(sc->feed.ocr.alpha_ppb, 5000000); /* 0.5 % */
    ck_assert_int_eq(sc->feed.ocr.delta_c, 24 * POR_HOUR);
    ck_assert(sc->feed.crypto == POR_CRYPTO_MODE_IDEAL);
    ck_assert_uint_eq(sc->ncustodians, 1);
    ck_assert(sc->custodians[0].drift.kind == POR_DRIFT_RANDOM_WALK);
    ck_assert(sc->custodians[0].source == POR_SOURCE_ATTESTED_API);
    ck_assert_int_eq(sc->custodians[0].attest_every, POR_HOUR);
    ck_assert_uint_eq(sc->nchains, 1);
    ck_assert_int_eq(sc->chains[0].block_time, 12 * POR_SEC);
    ck_assert(sc->token.secure_mint.enabled);
    ck_assert(sc->token.mints.kind == POR_PROCESS_POISSON && sc->token.mints.per_day > 0);
    ck_assert_int_eq(sc->duration, 365 * POR_DAY);
    ck_assert_uint_eq(sc->replications, 1);
    por_scenario_free(sc);
}
END_TEST

/* ---- one test per use case -------------------------------------------------------- */

START_TEST(test_fiat_bank_shortfall)
{
    /* bank A -8% at 2d00:25; hourly refreshes on the hour: the feed can see it from 2d01:00 */
    por_scenario *sc = load_phase0("fiat-stablecoin-bank-shortfall.json", NULL, 0);
    const por_time_t onset = 2 * POR_DAY + 25 * POR_MIN, wait = 35 * POR_MIN;
    row r;
    run(sc, 0, onset + 6 * POR_HOUR, &r);
    check_common(&r, onset, wait, wait + round_slack + 2 * 12 * POR_SEC);
    /* 48 mints a day over 5 h after detection: one is refused */
    ck_assert(!r.c[POR_WM_MINT_BLOCK].censored);
    ck_assert(r.c[POR_WM_MIN_TRUE_RATIO].value < 0.99); /* 952M against ~970M tokens */
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_treasury_drift)
{
    /* -6% of the sleeve at 2d14:00; daily refresh at 00:00 describes 18:00 the day before,
     * so the first figure showing it is published at 3d00:00 */
    por_scenario *sc = load_phase0("treasury-stablecoin-drift.json", NULL, 0);
    const por_time_t onset = 2 * POR_DAY + 14 * POR_HOUR, wait = 10 * POR_HOUR;
    row r;
    run(sc, 0, 3 * POR_DAY + 12 * POR_HOUR, &r);
    check_common(&r, onset, wait, wait + round_slack + 2 * 12 * POR_SEC);
    ck_assert(r.c[POR_WM_MINT_BLOCK].present);
    /* 10 h blind: mints arrive at 12 a day, so some unbacked supply is expected but it
     * cannot exceed the 1% margin plus what Secure Mint let in before the loss showed */
    ck_assert(r.c[POR_WM_UNBACKED_MINTED].value < 20e6);
    ck_assert(r.c[POR_WM_MIN_TRUE_RATIO].value < 0.98);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_wrapped_btc_hack)
{
    /* wallet reads see Bitcoin's newest confirmed block (6 confirmations, random blocks
     * of mean 10 min): the drain shows once the block after it has 5 more on top, a sum
     * of 6 exponential waits (mean 60 min; above 4 h with probability ~3e-6), then a
     * round, a transmission and an Ethereum block */
    por_scenario *sc = load("wrapped-btc-custody-hack.json", NULL, 0);
    const por_time_t onset = POR_DAY + 13 * POR_HOUR + 7 * POR_MIN;
    row r;
    for (uint64_t rep = 0; rep < 2; rep++) {
        run(sc, rep, onset + 8 * POR_HOUR, &r);
        check_common(&r, onset, 1, 4 * POR_HOUR + round_slack + 2 * 12 * POR_SEC);
        check_block_after_detect(&r);
        /* at 24 mints a day of ~10 BTC, a few mints slip into the hour-long window */
        ck_assert(r.c[POR_WM_UNBACKED_MINTED].value < 500);
        ck_assert(r.c[POR_WM_FALSE_REJECTIONS].value == 0);
    }
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_gold_audit_gap)
{
    /* audit at 2d09:00; the daily bar list at 3d00:00 describes 2d12:00: 15 h blind */
    por_scenario *sc = load_phase0("tokenized-gold-audit-gap.json", NULL, 0);
    const por_time_t onset = 2 * POR_DAY + 9 * POR_HOUR, wait = 15 * POR_HOUR;
    row r;
    run(sc, 0, 3 * POR_DAY + 12 * POR_HOUR, &r);
    check_common(&r, onset, wait, wait + round_slack + 2 * 12 * POR_SEC);
    check_block_after_detect(&r);
    ck_assert(r.c[POR_WM_MIN_TRUE_RATIO].value < 0.995);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_cross_chain_sum)
{
    por_scenario *sc = load_phase0("cross-chain-token.json", NULL, 0);
    /* no chain alone exceeds the reserve after the loss: only the sum does */
    ck_assert_uint_eq(sc->token.nchains, 3);
    por_amount after = (por_amount)485000000 * por_amount_pow10(18), sum = 0;
    for (size_t i = 0; i < sc->token.nchains; i++) {
        ck_assert(sc->token.initial_supply[i] < after);
        sum += sc->token.initial_supply[i];
    }
    ck_assert(sum > after);
    /* -3% at 1d16:20, hourly refresh: visible from 1d17:00 */
    const por_time_t onset = POR_DAY + 16 * POR_HOUR + 20 * POR_MIN, wait = 40 * POR_MIN;
    row r;
    run(sc, 0, onset + 4 * POR_HOUR, &r);
    check_common(&r, onset, wait, wait + round_slack + 2 * 12 * POR_SEC);
    ck_assert(r.c[POR_WM_MIN_TRUE_RATIO].value < 0.985);
    /* secure_mint.supply local (SecureMintPolicy.run reads the subject token's own
     * totalSupply()): every chain's supply stays below the reported reserve, so no guard
     * refuses, minting never stops, and every mint after onset counts as unbacked */
    ck_assert_int_eq(sc->token.secure_mint.supply, POR_SUPPLY_LOCAL);
    ck_assert(r.c[POR_WM_MINT_BLOCK].present && r.c[POR_WM_MINT_BLOCK].censored);
    ck_assert(r.c[POR_WM_MINTS_REFUSED].value == 0);
    ck_assert(r.c[POR_WM_UNBACKED_MINTED].value > 0);
    por_scenario_free(sc);
    /* the documented --set token.secure_mint.supply=global: the summed supply exceeds
     * the reported reserve once the feed shows the loss, so minting stops after it */
    const char *global[] = {"token.secure_mint.supply=global"};
    sc = load_phase0("cross-chain-token.json", global, 1);
    run(sc, 0, onset + 4 * POR_HOUR, &r);
    check_common(&r, onset, wait, wait + round_slack + 2 * 12 * POR_SEC);
    ck_assert(r.c[POR_WM_MINT_BLOCK].present && !r.c[POR_WM_MINT_BLOCK].censored);
    check_block_after_detect(&r);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_tokenized_etf_weekend_gap)
{
    /* Fixed-income shares (seed-proof-of-reserve-lesson.txt: "Backed Finance bIB01 PoR
     * (iShares USD Treasury Bond 0-1yr UCITS ETF)"): a share count at a broker, one
     * statement a trading day at 21:00 describing the 16:30 close, none on Saturday or
     * Sunday (exchanges closed). Day 0 is a Thursday; the loss of 15,000 of 250,000 shares
     * at Friday 18:00 (1d18h) takes the 250k reserve below the 240k tokens at once. The
     * first statement describing an instant after it is Monday's (day 4, 21:00): detection
     * no earlier than 4d21h - 1d18h = 75 h, and within one round and two blocks of it.
     * With a market open every day (skip_weekends false) Saturday 21:00 shows it: 27 h. */
    const por_time_t onset = POR_DAY + 18 * POR_HOUR, slack = round_slack + 2 * 12 * POR_SEC;
    por_scenario *sc = load("tokenized-etf-weekend-gap.json", NULL, 0);
    ck_assert(sc->custodians[0].skip_weekends);
    ck_assert_uint_eq(sc->custodians[0].first_day, 3); /* Thursday */
    ck_assert(!sc->custodians[0].attest_phase_random);
    ck_assert(sc->token.initial_supply[0] > (por_amount)235000 * por_amount_pow10(18)); /* under after the loss */
    row r;
    run(sc, 0, 4 * POR_DAY + 22 * POR_HOUR, &r);
    check_common(&r, onset, 75 * POR_HOUR, 75 * POR_HOUR + slack);
    por_scenario_free(sc);
    const char *open_market[] = {"custodians[0].attestation.skip_weekends=false",
                                 "custodians[0].attestation.first_day=null"};
    sc = load("tokenized-etf-weekend-gap.json", open_market, 2);
    run(sc, 0, 2 * POR_DAY + 22 * POR_HOUR, &r);
    check_common(&r, onset, 27 * POR_HOUR, 27 * POR_HOUR + slack);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_lending_reaction)
{
    /* onset at the first step (985M < 990M tokens, no redemptions); 15 min refreshes at
     * :00/:15/..., so each step at hh:05 is visible from hh:15; the keeper polls every 5 min */
    const por_time_t onset = POR_DAY + 6 * POR_HOUR + 5 * POR_MIN, wait = 10 * POR_MIN;
    const por_time_t poll = 5 * POR_MIN, feed = round_slack + 2 * 12 * POR_SEC;
    por_scenario *sc = load_phase0("lending-depeg-reaction.json", NULL, 0);
    row r;
    run(sc, 0, 2 * POR_DAY + POR_HOUR, &r);
    check_common(&r, onset, wait, wait + feed);
    /* 99.5% reported: no action; the first cut follows the second step (6 h later) */
    const por_metric_cell *k = &r.c[POR_WM_CONSUMER_REACTION];
    ck_assert(k->present && !k->censored);
    ck_assert_int_ge(k->ns, 6 * POR_HOUR + wait);
    ck_assert_int_le(k->ns, 6 * POR_HOUR + wait + feed + poll);
    por_scenario_free(sc);

    /* the pause alone: 95.5% after the third step is not enough, 93.5% after the fourth is */
    static const char *const pause_only[] = {"consumers[0].thresholds=[{\"ratio\": \"95%\", \"action\": \"pause\"}]"};
    sc = load_phase0("lending-depeg-reaction.json", pause_only, 1);
    run(sc, 0, 2 * POR_DAY + POR_HOUR, &r);
    k = &r.c[POR_WM_CONSUMER_REACTION];
    ck_assert(k->present && !k->censored);
    ck_assert_int_ge(k->ns, 18 * POR_HOUR + wait);
    ck_assert_int_le(k->ns, 18 * POR_HOUR + wait + feed + poll);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_congestion_slows_detection)
{
    /* -3% at 2d01:02 inside the congestion window; 5 min refreshes: visible from 01:05 */
    const por_time_t onset = 2 * POR_DAY + POR_HOUR + 2 * POR_MIN, wait = 3 * POR_MIN;
    const por_time_t horizon = 2 * POR_DAY + 3 * POR_HOUR;
    static const char *const calm[] = {"chains[0].congestion=null"};
    static const char *const uncapped[] = {"feed.max_gas_price_gwei=0"};
    por_scenario *busy = load_phase0("congested-chain-heartbeat.json", uncapped, 1);
    por_scenario *free_ = load_phase0("congested-chain-heartbeat.json", calm, 1);
    ck_assert_uint_eq(busy->chains[0].ncongestion, 1);
    ck_assert_uint_eq(free_->chains[0].ncongestion, 0);
    const por_time_t slow_block = 8 * 12 * POR_SEC;
    row a, b;
    run(busy, 0, horizon, &a);
    run(free_, 0, horizon, &b);
    /* the answer applies in its including block (CHAIN.md: the chain's 2 confirmations
     * are a reader's depth, never a delay of on-chain state). Calm: a round, then up to
     * 12 s to the next block */
    check_common(&b, onset, wait, wait + round_slack + 12 * POR_SEC);
    /* congested: up to 96 s to the next block */
    check_common(&a, onset, wait, wait + round_slack + slow_block);
    ck_assert_int_gt(a.c[POR_WM_FEED_DETECT].ns, b.c[POR_WM_FEED_DETECT].ns);
    /* heartbeats inside the window land late too */
    ck_assert_int_gt(a.c[POR_WM_MAX_FEED_STALENESS].ns, b.c[POR_WM_MAX_FEED_STALENESS].ns);
    ck_assert_int_ge(b.c[POR_WM_MAX_FEED_STALENESS].ns, POR_HOUR);
    ck_assert_int_le(b.c[POR_WM_MAX_FEED_STALENESS].ns, POR_HOUR + round_slack + 12 * POR_SEC);
    por_scenario_free(busy);
    por_scenario_free(free_);
    /* with the file's 100 gwei cap below the spiked base fee (demand x15: ~300 gwei), the
     * answer showing the loss waits in the mempool until the window closes at 2d05:00 and
     * the base fee, falling at most 1/8 a block, is back under the cap (within 40 blocks) */
    por_scenario *capped = load_phase0("congested-chain-heartbeat.json", NULL, 0);
    ck_assert_double_eq(capped->feed.max_gas_price_gwei, 100);
    const por_time_t window_end = 2 * POR_DAY + 5 * POR_HOUR;
    run(capped, 0, window_end + POR_HOUR, &a);
    check_common(&a, onset, window_end - onset, window_end - onset + 40 * 12 * POR_SEC);
    /* stale reverts stop at transmit()'s epoch-and-round check: each costs less than an
     * accepted transmission (OffchainAggregator.sol) */
    const por_metric_cell *c = a.c;
    ck_assert(c[POR_WM_TRANSMISSIONS_REVERTED].value > 0);
    ck_assert(c[POR_WM_REVERTED_GAS].value / c[POR_WM_TRANSMISSIONS_REVERTED].value <
              (c[POR_WM_GAS].value - c[POR_WM_REVERTED_GAS].value) / c[POR_WM_REPORTS_ACCEPTED].value);
    ck_assert(c[POR_WM_FEE_WEI].present && c[POR_WM_FEE_WEI].exact);
    /* under the long spike nothing the oracles send can land: each key holds one
     * transaction in flight and one queued (depth 1), so the window adds at most 2n
     * transmissions besides n for each report accepted in it (old code: thousands) */
    const por_time_t window_start = 2 * POR_DAY - POR_HOUR;
    row s0, s1;
    run(capped, 0, window_start, &s0);
    run(capped, 0, window_end, &s1);
    double n = capped->feed.ocr.n;
    double sent = s1.c[POR_WM_TRANSMISSIONS].value - s0.c[POR_WM_TRANSMISSIONS].value;
    double landed = s1.c[POR_WM_REPORTS_ACCEPTED].value - s0.c[POR_WM_REPORTS_ACCEPTED].value;
    printf("spike window: %g transmissions, %g reports accepted (n = %g)\n", sent, landed, n);
    ck_assert(sent <= 2 * n + n * landed);
    por_scenario_free(capped);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("scenarios");
    TCase *t = tcase_create("library");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_every_scenario_validates);
    tcase_add_test(t, test_bench_matches_spec);
    tcase_add_test(t, test_fiat_bank_shortfall);
    tcase_add_test(t, test_treasury_drift);
    tcase_add_test(t, test_wrapped_btc_hack);
    tcase_add_test(t, test_gold_audit_gap);
    tcase_add_test(t, test_cross_chain_sum);
    tcase_add_test(t, test_tokenized_etf_weekend_gap);
    tcase_add_test(t, test_lending_reaction);
    tcase_add_test(t, test_congestion_slows_detection);
    suite_add_tcase(s, t);
    return s;
}
