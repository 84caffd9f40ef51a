/* Numbers at their boundaries, validated or handled exactly:
 *   - 128-bit amounts: por_amount_mul_ppb exact whenever the result fits (no overflow of
 *     an intermediate product), checked against the plain product on random values;
 *   - huge reserves and supplies (1e30 base units, and the 128-bit maximum): a 20 % loss
 *     of 1e30 is exactly 2e29, an unbacked mint of 27 digits is reported to the unit;
 *     one past the maximum is refused;
 *   - zero reserves and supplies; negative answers (forged with stolen keys): refused
 *     below min_answer, accepted above it but never minted against;
 *   - decimals 0..36 on token, feed and custodian (37 refused), and runs at 0 and 36;
 *   - durations of 1 ns and of 100 years (run, not only validated), the int64-ns limit
 *     (about 292 years), zero and fractions of a nanosecond refused;
 *   - committee sizes n = 1..31 with every f < n/3 accepted, 3f >= n, n = 0 and n = 32
 *     refused, and runs at n = 4 and n = 31. */
#include "por_test.h"

#include "por/amount.h"
#include "por/rng.h"
#include "por/scenario_load.h"
#include "por/world.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------- */

static por_status load(const char *json, const char *const *sets, size_t nsets, por_scenario **sc,
                       por_error *err)
{
    *sc = NULL;
    return por_scenario_load_string(json, strlen(json), "n.json", sets, nsets, sc, err);
}

static por_scenario *load_ok(const char *json, const char *const *sets, size_t nsets)
{
    por_scenario *sc = NULL;
    por_error err = {POR_OK, ""};
    por_status st = load(json, sets, nsets, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s", err.msg);
    return sc;
}

/* Loading must fail with a message containing WANT. */
static void load_bad(const char *json, const char *const *sets, size_t nsets, const char *want)
{
    por_scenario *sc = NULL;
    por_error err = {POR_OK, ""};
    por_status st = load(json, sets, nsets, &sc, &err);
    ck_assert_msg(st == POR_EINPUT, "accepted; expected an error containing '%s'", want);
    ck_assert_ptr_null(sc);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

static size_t col(const char *name)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, name))
            return c;
    ck_abort_msg("no metric %s", name);
    return 0;
}

typedef struct {
    por_metric_cell *cells;
    char *strings;
} run_out;

/* One replication of SC (HORIZON 0 = the scenario's); must succeed. */
static run_out run_rep(const por_scenario *sc, uint64_t rep, por_time_t horizon)
{
    size_t ncols;
    por_world_metric_defs(&ncols);
    run_out r = {calloc(ncols, sizeof *r.cells), calloc(ncols, POR_WORLD_STRING_BYTES)};
    ck_assert_ptr_nonnull(r.cells);
    ck_assert_ptr_nonnull(r.strings);
    por_run_options opt = {.crypto_override = -1, .horizon_override = horizon};
    por_error err = {POR_OK, ""};
    por_status st = por_world_run_replication(sc, rep, &opt, r.cells, r.strings, &err);
    ck_assert_msg(st == POR_OK, "replication failed: %s", err.msg);
    ck_assert(r.cells[col("invariant_violations")].present);
    ck_assert(r.cells[col("invariant_violations")].value == 0);
    return r;
}

static void run_free(run_out *r)
{
    free(r->cells);
    free(r->strings);
}

/* True when the event of a censorable duration column happened (present, not censored). */
static bool happened(const run_out *r, const char *name)
{
    const por_metric_cell *c = &r->cells[col(name)];
    return c->present && !c->censored;
}

static double cell(const run_out *r, const char *name)
{
    const por_metric_cell *c = &r->cells[col(name)];
    ck_assert_msg(c->present, "%s absent", name);
    return c->value;
}

/* ---- 128-bit arithmetic ------------------------------------------------------------- */

START_TEST(test_mul_ppb_exact)
{
    por_amount e30 = por_amount_pow10(30), out;
    ck_assert(por_amount_mul_ppb(e30, -200000000, &out)); /* -20 % of 1e30 */
    ck_assert(out == -2 * por_amount_pow10(29));
    ck_assert(por_amount_mul_ppb(POR_AMOUNT_MAX, 1000000000, &out) && out == POR_AMOUNT_MAX);
    ck_assert(por_amount_mul_ppb(POR_AMOUNT_MIN, 1000000000, &out) && out == POR_AMOUNT_MIN);
    ck_assert(por_amount_mul_ppb(POR_AMOUNT_MAX, -1000000000, &out) && out == -POR_AMOUNT_MAX);
    ck_assert(!por_amount_mul_ppb(POR_AMOUNT_MAX, 1000000001, &out));
    ck_assert(!por_amount_mul_ppb(POR_AMOUNT_MIN, -1000000000, &out));
    ck_assert(por_amount_mul_ppb(POR_AMOUNT_MAX, 500000000, &out) && out == POR_AMOUNT_MAX / 2);
    ck_assert(por_amount_mul_ppb(-7, 500000000, &out) && out == -3); /* toward zero */
    ck_assert(por_amount_mul_ppb(7, -500000000, &out) && out == -3);
    ck_assert(por_amount_mul_ppb(0, INT64_MAX, &out) && out == 0);

    /* Random values: equal to the plain product / 1e9 whenever that does not overflow. */
    gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "mul-ppb"));
    int compared = 0;
    for (int i = 0; i < 200000; i++) {
        unsigned bits = (unsigned)gsl_rng_uniform_int(r, 127);
        por_uamount u = 0;
        for (int k = 0; k < 4; k++)
            u = (u << 32) | (por_uamount)gsl_rng_get(r);
        por_amount v = (por_amount)(u & (((por_uamount)1 << bits) - 1));
        if (gsl_rng_get(r) & 1)
            v = -v;
        int64_t ppb = (int64_t)gsl_rng_uniform_int(r, 4000000001u) - 2000000000;
        por_amount plain, got;
        bool ok = por_amount_mul_ppb(v, ppb, &got);
        if (por_amount_mul(v, ppb, &plain)) {
            ck_assert_msg(ok && got == plain / 1000000000, "v bits %u ppb %lld", bits, (long long)ppb);
            compared++;
        }
    }
    gsl_rng_free(r);
    ck_assert_int_gt(compared, 100000);
}
END_TEST

/* ---- huge amounts ------------------------------------------------------------------- */

/* 1e30 base units of reserve (0 decimals) backing 9e29 of supply; the reserve loses 20 %
 * at day 1; one mint of 123456789012345678901234567 one second later (the feed still
 * shows 1e30: accepted and unbacked), one of 1 unit two hours later (refused). */
static const char huge_json[] =
    "{\"name\": \"huge\", \"duration\": \"2d\", \"seed\": 7,"
    " \"custodians\": [{\"name\": \"vault\", \"decimals\": 0, \"source\": \"api\","
    "   \"reserve\": {\"initial\": \"1000000000000000000000000000000\","
    "                 \"steps\": [{\"at\": \"1d\", \"change\": \"-20%\"}]},"
    "   \"attestation\": {\"every\": \"1h\"}}],"
    " \"feed\": {\"decimals\": 8, \"sources\": [\"vault\"]},"
    " \"token\": {\"decimals\": 0, \"initial_supply\": \"900000000000000000000000000000\","
    "   \"mints\": {\"process\": \"scheduled\", \"requests\": ["
    "      {\"at\": \"1d1s\", \"amount\": \"123456789012345678901234567\"},"
    "      {\"at\": \"1d2h\", \"amount\": \"1\"}]},"
    "   \"redeems\": {\"process\": \"none\"}}}";

START_TEST(test_huge_reserve_exact)
{
    por_scenario *sc = load_ok(huge_json, NULL, 0);
    ck_assert(sc->custodians[0].initial == por_amount_pow10(30));
    run_out r = run_rep(sc, 0, 0);
    ck_assert(happened(&r, "onset"));
    ck_assert_int_eq(r.cells[col("onset")].ns, 86400LL * 1000000000LL);
    const por_metric_cell *u = &r.cells[col("unbacked_minted")];
    ck_assert(u->present && u->exact);
    ck_assert_str_eq(u->exact, "123456789012345678901234567");
    ck_assert(cell(&r, "mints_accepted") == 1);
    ck_assert(cell(&r, "mints_refused") == 1);
    /* 8e29 / 9e29 after the loss; lower after the unbacked mint unless mints deposit */
    ck_assert_double_le_tol(cell(&r, "min_true_ratio"), 8.0 / 9.0, 1e-12);
    ck_assert_double_ge_tol(cell(&r, "min_true_ratio"), 8e29 / (9e29 + 123456789012345678901234567.0), 1e-12);
    ck_assert(happened(&r, "feed_detect"));
    run_free(&r);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_amount_limits)
{
    static const char base[] =
        "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"c\", \"decimals\": 0, \"reserve\": {\"initial\": \"1\"}}],"
        " \"feed\": {\"decimals\": 0}, \"token\": {\"decimals\": 0, \"initial_supply\": \"1\","
        " \"mints\": {\"process\": \"none\"}}}";
    const char *max[] = {"token.initial_supply=\"170141183460469231731687303715884105727\"",
                         "custodians[0].reserve.initial=\"170141183460469231731687303715884105727\""};
    for (int i = 0; i < 2; i++) {
        por_scenario *sc = load_ok(base, &max[i], 1);
        ck_assert(i == 0 ? sc->token.initial_supply[0] == POR_AMOUNT_MAX : sc->custodians[0].initial == POR_AMOUNT_MAX);
        por_scenario_free(sc);
    }
    const char *over[] = {"token.initial_supply=\"170141183460469231731687303715884105728\"",
                          "custodians[0].reserve.initial=\"170141183460469231731687303715884105728\"",
                          "token.initial_supply=\"1e30\"", "custodians[0].reserve.initial=1e30"};
    const char *why[] = {"amount too large", "amount too large", "1e30", "decimal string"};
    for (int i = 0; i < 4; i++)
        load_bad(base, &over[i], 1, why[i]);
    const char *neg[] = {"token.initial_supply=\"-1\"", "custodians[0].reserve.initial=\"-1\""};
    for (int i = 0; i < 2; i++)
        load_bad(base, &neg[i], 1, "non-negative");
}
END_TEST

/* ---- zero and negative ---------------------------------------------------------------- */

START_TEST(test_zero_reserve_and_supply)
{
    /* No reserve at all: onset at once, the feed reports 0, Secure Mint refuses every
     * mint (a non-positive answer never backs one). */
    const char *zero_reserve[] = {"custodians[0].reserve.initial=\"0\"", "custodians[0].reserve.steps=null"};
    por_scenario *sc = load_ok(por_default_scenario_json, zero_reserve, 2);
    run_out r = run_rep(sc, 0, 12 * POR_HOUR);
    ck_assert(happened(&r, "onset"));
    ck_assert_int_eq(r.cells[col("onset")].ns, 0);
    ck_assert(cell(&r, "mints_accepted") == 0);
    ck_assert(cell(&r, "mints_refused") > 0);
    ck_assert(cell(&r, "min_true_ratio") == 0);
    ck_assert(cell(&r, "reports_accepted") > 0);
    run_free(&r);
    por_scenario_free(sc);

    /* No supply: nothing is unbacked until something is minted. */
    const char *zero_supply[] = {"token.initial_supply=\"0\"", "custodians[0].reserve.steps=null"};
    sc = load_ok(por_default_scenario_json, zero_supply, 2);
    r = run_rep(sc, 0, 12 * POR_HOUR);
    ck_assert(!happened(&r, "onset"));
    ck_assert(cell(&r, "mints_accepted") > 0);
    ck_assert(cell(&r, "min_true_ratio") > 1);
    run_free(&r);
    por_scenario_free(sc);

    /* Losing all of it (-100 %) is allowed; more than all is not. */
    const char *all[] = {"custodians[0].reserve.steps[0].change=\"-100%\""};
    sc = load_ok(por_default_scenario_json, all, 1);
    r = run_rep(sc, 0, 0);
    ck_assert(cell(&r, "min_true_ratio") == 0);
    ck_assert(happened(&r, "mint_block"));
    run_free(&r);
    por_scenario_free(sc);
    const char *more[] = {"custodians[0].reserve.steps[0].change=\"-100.0001%\""};
    load_bad(por_default_scenario_json, more, 1, "from -100%");
    const char *zero_mint[] = {"token.mints={\"process\":\"scheduled\",\"requests\":[{\"at\":\"1h\",\"amount\":\"0\"}]}"};
    load_bad(por_default_scenario_json, zero_mint, 1, "$.token.mints.requests[0].amount");
}
END_TEST

/* f+1 = 2 stolen keys forge a negative answer from 6h on. */
static const char *const forge_neg[] = {
    "attackers=[{\"type\": \"key_compromise\", \"nodes\": [1, 2], \"forged_answer\": \"-5\", \"from\": \"6h\"}]",
    "custodians[0].reserve.steps=null",
};

START_TEST(test_negative_answer)
{
    /* min_answer defaults to 0: the aggregator refuses the negative answer. */
    por_scenario *sc = load_ok(por_default_scenario_json, forge_neg, 2);
    ck_assert(sc->attackers[0].forged_answer == -5 * por_amount_pow10(sc->feed.decimals));
    run_out r = run_rep(sc, 0, 1 * POR_DAY);
    ck_assert(cell(&r, "forged_reports_accepted") == 0);
    ck_assert(cell(&r, "forged_reports_rejected") > 0);
    run_free(&r);
    por_scenario_free(sc);

    /* With min_answer below it, the negative answer is published, and Secure Mint
     * refuses every mint after it (an answer <= 0 backs nothing). */
    const char *sets[3] = {forge_neg[0], forge_neg[1], "feed.min_answer=\"-100\""};
    sc = load_ok(por_default_scenario_json, sets, 3);
    ck_assert(sc->feed.min_answer == -100 * por_amount_pow10(sc->feed.decimals));
    run_out all = run_rep(sc, 0, 1 * POR_DAY);
    ck_assert(cell(&all, "forged_reports_accepted") > 0);
    run_free(&all);
    run_out early = run_rep(sc, 0, 6 * POR_HOUR);
    run_out late = run_rep(sc, 0, 1 * POR_DAY);
    /* mints accepted in [6h, 1d) all came before the first forged report landed */
    ck_assert(cell(&late, "mints_refused") > cell(&early, "mints_refused"));
    run_free(&early);
    run_free(&late);
    por_scenario_free(sc);
    const char *bad[] = {"feed.min_answer=\"-1\"", "feed.max_answer=\"-2\""};
    load_bad(por_default_scenario_json, bad, 2, "min_answer < max_answer");
}
END_TEST

/* ---- decimals ------------------------------------------------------------------------ */

START_TEST(test_decimals_0_to_36)
{
    static const char fmt[] =
        "{\"duration\": \"1d\", \"custodians\": [{\"name\": \"c\", \"decimals\": %u,"
        "  \"reserve\": {\"initial\": \"%s\"}}],"
        " \"feed\": {\"decimals\": %u},"
        " \"token\": {\"decimals\": %u, \"initial_supply\": \"1\", \"mints\": {\"process\": \"none\"},"
        "  \"secure_mint\": {\"enabled\": true}}}";
    char json[1024];
    for (unsigned d = 0; d <= 36; d++) {
        snprintf(json, sizeof json, fmt, d, d ? "1.5" : "2", d, d);
        por_scenario *sc = load_ok(json, NULL, 0);
        ck_assert_uint_eq(sc->token.decimals, d);
        ck_assert_uint_eq(sc->feed.decimals, d);
        ck_assert(sc->custodians[0].initial == (d ? 15 * por_amount_pow10(d - 1) : 2));
        ck_assert(sc->token.initial_supply[0] == por_amount_pow10(d));
        if (d == 0 || d == 18 || d == 36) {
            run_out r = run_rep(sc, 0, 2 * POR_HOUR);
            ck_assert(cell(&r, "reports_accepted") > 0);
            ck_assert(!happened(&r, "onset"));
            ck_assert_double_eq_tol(cell(&r, "min_true_ratio"), d ? 1.5 : 2.0, 1e-12);
            run_free(&r);
        }
        por_scenario_free(sc);
    }
    const char *paths[] = {"token.decimals=37", "feed.decimals=37", "custodians[0].decimals=37",
                           "token.decimals=-1"};
    snprintf(json, sizeof json, fmt, 0u, "2", 0u, 0u);
    for (int i = 0; i < 4; i++)
        load_bad(json, &paths[i], 1, "from 0 to 36");
    /* More fractional digits than the decimals allow is refused, not rounded. */
    snprintf(json, sizeof json, fmt, 2u, "1.005", 2u, 2u);
    load_bad(json, NULL, 0, "at most 2 decimals");
}
END_TEST

/* ---- durations ----------------------------------------------------------------------- */

START_TEST(test_duration_bounds)
{
    const char *ns1[] = {"duration=1ns"};
    por_scenario *sc = load_ok(por_default_scenario_json, ns1, 1);
    ck_assert_int_eq(sc->duration, 1);
    run_out r = run_rep(sc, 0, 0);
    ck_assert(!happened(&r, "onset"));
    ck_assert(cell(&r, "rounds") <= 1); /* at most the round started at time 0 */
    ck_assert(cell(&r, "mints_accepted") == 0);
    run_free(&r);
    por_scenario_free(sc);

    const char *lim[] = {"duration=106751d"};
    sc = load_ok(por_default_scenario_json, lim, 1);
    ck_assert_int_eq(sc->duration, 106751LL * 86400 * 1000000000LL);
    por_scenario_free(sc);
    const char *bad[] = {"duration=106752d", "duration=0s", "duration=\"0.5ns\"", "duration=\"-1ns\"",
                         "duration=\"9223372036854775808ns\""};
    const char *why[] = {"too large", "$.duration", "$.duration", "$.duration", "too large"};
    for (int i = 0; i < 5; i++)
        load_bad(por_default_scenario_json, &bad[i], 1, why[i]);
}
END_TEST

/* 100 years, run to the end: OCR paced to one round a month, weekly attestations, a
 * reserve loss at year 50. Times near 3.2e18 ns must stay exact. */
START_TEST(test_hundred_years)
{
    static const char json[] =
        "{\"name\": \"century\", \"duration\": \"36525d\", \"seed\": 3,"
        " \"custodians\": [{\"name\": \"bank\", \"decimals\": 2,"
        "   \"reserve\": {\"initial\": \"1000000000.00\", \"steps\": [{\"at\": \"18262d\", \"change\": \"-50%\"}]},"
        "   \"attestation\": {\"every\": \"1w\"}}],"
        " \"feed\": {\"decimals\": 8, \"ocr\": {\"delta_round\": \"30d\", \"delta_progress\": \"31d\","
        "   \"delta_resend\": \"1d\", \"delta_grace\": \"1h\", \"delta_c\": \"365d\", \"delta_stage\": \"1d\"}},"
        " \"token\": {\"decimals\": 18, \"initial_supply\": \"900000000\","
        "   \"secure_mint\": {\"max_staleness\": \"400d\"},"
        "   \"mints\": {\"process\": \"poisson\", \"per_day\": 0.01, \"amount\": \"1000\"}}}";
    por_scenario *sc = load_ok(json, NULL, 0);
    ck_assert_int_eq(sc->duration, 36525LL * 86400 * 1000000000LL);
    run_out r = run_rep(sc, 0, 0);
    ck_assert(happened(&r, "onset"));
    ck_assert_int_eq(r.cells[col("onset")].ns, 18262LL * 86400 * 1000000000LL);
    ck_assert(happened(&r, "feed_detect"));
    ck_assert_int_ge(r.cells[col("feed_detect")].ns, 0);
    ck_assert_int_le(r.cells[col("feed_detect")].ns, 31LL * 86400 * 1000000000LL);
    ck_assert(cell(&r, "rounds") >= 1000); /* about one a month for 1200 months */
    ck_assert(cell(&r, "rounds") <= 2000);
    ck_assert(cell(&r, "mints_accepted") > 100);
    run_free(&r);
    por_scenario_free(sc);
}
END_TEST

/* ---- committee size ------------------------------------------------------------------ */

START_TEST(test_n_range)
{
    char n_set[32], f_set[32];
    const char *sets[3] = {n_set, f_set, "feed.ocr.schedule=[1]"};
    for (unsigned n = 1; n <= 31; n++) {
        for (unsigned f = 0; 3 * f < n + 3; f++) {
            snprintf(n_set, sizeof n_set, "feed.ocr.n=%u", n);
            snprintf(f_set, sizeof f_set, "feed.ocr.f=%u", f);
            if (3 * f < n) {
                por_scenario *sc = load_ok(por_default_scenario_json, sets, 3);
                ck_assert_uint_eq(sc->feed.ocr.n, n);
                ck_assert_uint_eq(sc->feed.ocr.f, f);
                por_scenario_free(sc);
            } else {
                load_bad(por_default_scenario_json, sets, 3, "needs 3f < n");
            }
        }
    }
    const char *out[][1] = {{"feed.ocr.n=0"}, {"feed.ocr.n=32"}, {"feed.ocr.n=-4"}};
    for (int i = 0; i < 3; i++)
        load_bad(por_default_scenario_json, out[i], 1, "from 1 to 31");
    unsigned runs[2][2] = {{4, 1}, {31, 10}};
    for (int i = 0; i < 2; i++) {
        snprintf(n_set, sizeof n_set, "feed.ocr.n=%u", runs[i][0]);
        snprintf(f_set, sizeof f_set, "feed.ocr.f=%u", runs[i][1]);
        por_scenario *sc = load_ok(por_default_scenario_json, sets, 2);
        run_out r = run_rep(sc, 0, 1 * POR_HOUR);
        ck_assert(cell(&r, "rounds") > 10);
        ck_assert(cell(&r, "reports_accepted") > 0);
        ck_assert(cell(&r, "undersigned_reports") == 0);
        run_free(&r);
        por_scenario_free(sc);
    }
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("numbers");
    TCase *t = tcase_create("boundaries");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_mul_ppb_exact);
    tcase_add_test(t, test_huge_reserve_exact);
    tcase_add_test(t, test_amount_limits);
    tcase_add_test(t, test_zero_reserve_and_supply);
    tcase_add_test(t, test_negative_answer);
    tcase_add_test(t, test_decimals_0_to_36);
    tcase_add_test(t, test_duration_bounds);
    tcase_add_test(t, test_hundred_years);
    tcase_add_test(t, test_n_range);
    suite_add_tcase(s, t);
    return s;
}
