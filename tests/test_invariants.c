/* The safety audit end to end (sim/models/ocr/audit.c, the forgers' audit, the world's
 * "OCR safety" verdict and the CLI's exit status 3). A correct model never breaks an
 * invariant, so these tests switch on the test-only faults of por/don.h: the aggregator
 * skipping its signature checks (POR_AGG_FAULT_SKIP_SIGNATURE_CHECK) and DON
 * transmissions tampered after signing. Through the API (por_don_set_test_faults), the
 * run options (por_run_options.test_faults) and, for the CLI only, the POR_TEST_FAULT
 * environment variable: the models never read the environment. */
#include "por_test.h"

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/don.h"
#include "por/scenario_load.h"
#include "por/world.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* n = 4, f = 1, two days; one stolen key (at most f: never enough to forge a report). */
static const char *const forger_doc =
    "{\"name\": \"inv\", \"duration\": \"2d\", \"replications\": 1,"
    " \"feed\": {\"ocr\": {\"n\": 4, \"f\": 1}},"
    " \"attackers\": [{\"type\": \"key_compromise\", \"nodes\": [0], \"at\": \"1d\","
    " \"forged_answer\": \"2000000000\"}]}";
/* n = 4, f = 1, two days; the reserve loses 8 % at day 1 (supply then exceeds it). */
static const char *const shortfall_doc =
    "{\"name\": \"short\", \"duration\": \"2d\", \"replications\": 1,"
    " \"custodians\": [{\"name\": \"bank\", \"reserve\": {\"initial\": \"1000000000.00\","
    " \"steps\": [{\"at\": \"1d\", \"change\": \"-8%\"}]}}],"
    " \"feed\": {\"ocr\": {\"n\": 4, \"f\": 1}}}";
/* n = 4, f = 1, one day, no attacker. */
static const char *const plain_doc =
    "{\"name\": \"plain\", \"duration\": \"1d\", \"replications\": 1,"
    " \"feed\": {\"ocr\": {\"n\": 4, \"f\": 1}}}";

static por_scenario *load(const char *doc)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    por_status st = por_scenario_load_string(doc, strlen(doc), "inv.json", NULL, 0, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s", err.msg);
    return sc;
}

typedef struct {
    por_status st;
    char msg[sizeof(((por_error *)0)->msg)];
    double undersigned, median_outside, forged_accepted, reports_accepted, mint_violations;
} run_result;

/* Replication 0 of DOC with the test faults FAULT (names as POR_TEST_FAULT takes them;
 * NULL: none) passed in through the run options. */
static run_result run_world(const char *doc, const char *fault)
{
    por_run_options opt = {.crypto_override = -1};
    if (fault) {
        char bad[80];
        ck_assert_msg(por_don_parse_test_faults(fault, &opt.test_faults, bad, sizeof bad), "%s",
                      bad);
    }
    por_scenario *sc = load(doc);
    por_metric_cell cells[POR_WM_NCOLS];
    static char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
    por_error err = {0};
    run_result r;
    memset(&r, 0, sizeof r);
    r.st = por_world_run_replication(sc, 0, &opt, cells, strings, &err);
    snprintf(r.msg, sizeof r.msg, "%s", err.msg);
    r.undersigned = cells[POR_WM_UNDERSIGNED_REPORTS].value;
    r.median_outside = cells[POR_WM_MEDIAN_OUTSIDE_HONEST].value;
    r.forged_accepted = cells[POR_WM_FORGED_ACCEPTED].value;
    r.reports_accepted = cells[POR_WM_REPORTS_ACCEPTED].value;
    r.mint_violations = cells[POR_WM_INVARIANT_VIOLATIONS].value;
    por_scenario_free(sc);
    return r;
}

START_TEST(parse_test_faults)
{
    unsigned f = 99;
    char bad[80];
    ck_assert(por_don_parse_test_faults("aggregator-skip-signatures", &f, bad, sizeof bad));
    ck_assert_uint_eq(f, POR_DON_FAULT_AGG_SKIP_SIGNATURES);
    ck_assert(por_don_parse_test_faults("transmit-tampered,aggregator-skip-signatures", &f, bad,
                                        sizeof bad));
    ck_assert_uint_eq(f, POR_DON_FAULT_AGG_SKIP_SIGNATURES | POR_DON_FAULT_TRANSMIT_TAMPERED);
    ck_assert(!por_don_parse_test_faults("aggregator-skip-signature", &f, bad, sizeof bad));
    ck_assert_str_eq(bad, "aggregator-skip-signature");
    ck_assert(!por_don_parse_test_faults("transmit-tampered,,", &f, bad, sizeof bad));
    ck_assert_str_eq(bad, "");
    ck_assert(!por_don_parse_test_faults("", &f, NULL, 0));
    ck_assert(por_don_parse_test_faults("token-skip-guard", &f, bad, sizeof bad));
    ck_assert_uint_eq(f, POR_DON_FAULT_TOKEN_SKIP_GUARD);
}
END_TEST

/* Control: the same scenarios without a fault break nothing. */
START_TEST(no_fault_no_violation)
{
    run_result r = run_world(forger_doc, NULL);
    ck_assert_msg(r.st == POR_OK, "%s", r.msg);
    ck_assert(r.undersigned == 0 && r.forged_accepted == 0 && r.median_outside == 0);
    ck_assert(r.reports_accepted >= 2); /* the first answer and a ΔC heartbeat */
}
END_TEST

/* A contract that skips its signature checks lets one stolen key (at most f) publish:
 * the forgers' audit counts under-signed accepted reports and the replication fails
 * with POR_EINVARIANT, "OCR safety". */
START_TEST(skipped_signature_check_lets_a_forger_through)
{
    run_result r = run_world(forger_doc, "aggregator-skip-signatures");
    printf("skip-signatures + 1 stolen key: %s\n", r.msg);
    ck_assert_int_eq(r.st, POR_EINVARIANT);
    ck_assert_ptr_nonnull(strstr(r.msg, "OCR safety"));
    ck_assert_ptr_nonnull(strstr(r.msg, "fewer than f+1 valid signatures"));
    ck_assert(r.forged_accepted > 0);
    ck_assert(r.undersigned > 0);
    ck_assert(r.undersigned <= r.forged_accepted);
}
END_TEST

/* DON transmissions tampered after signing (observations doubled) are accepted by a
 * contract that skips signature checks: audit.c counts every accepted DON report as
 * under-signed (0 valid signers) and its median as outside the honest range. */
START_TEST(tampered_reports_caught_by_the_audit)
{
    run_result r = run_world(plain_doc, "aggregator-skip-signatures,transmit-tampered");
    printf("skip-signatures + tampered: %s\n", r.msg);
    ck_assert_int_eq(r.st, POR_EINVARIANT);
    ck_assert_ptr_nonnull(strstr(r.msg, "OCR safety: report (epoch "));
    ck_assert_ptr_nonnull(strstr(r.msg, "accepted with 0 valid distinct signatures"));
    ck_assert_ptr_nonnull(strstr(r.msg, "[POR_TEST_FAULT is set]"));
    ck_assert(r.reports_accepted > 20);
    ck_assert(r.undersigned == r.reports_accepted);
    ck_assert(r.median_outside == r.reports_accepted);
    /* tampering alone: the contract rejects every tampered report; nothing is accepted */
    r = run_world(plain_doc, "transmit-tampered");
    ck_assert_msg(r.st == POR_OK, "%s", r.msg);
    ck_assert(r.reports_accepted == 0 && r.undersigned == 0 && r.median_outside == 0);
}
END_TEST

static bool observe_const(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng,
                          por_amount *value, por_time_t *latency)
{
    (void)ctx, (void)sim, (void)node, (void)rng;
    *value = (por_amount)100000000000;
    *latency = 200 * POR_MS;
    return true;
}

/* The API path: por_don_set_test_faults on a DON built by hand, and the aggregator's
 * fault alone (honest DON reports stay fully signed: nothing to catch). */
START_TEST(api_faults_on_a_don)
{
    por_scenario *sc = load(plain_doc);
    ck_assert_int_eq(unsetenv("POR_TEST_FAULT"), 0);
    for (unsigned faults = 0; faults < 4; faults++) {
        por_sim *sim = por_sim_create(por_test_seed(), 0);
        por_chain *chain = por_chain_create(&sc->chains[0], 0, sim);
        por_observer obs = {observe_const, NULL};
        por_don *don = por_don_create(sc, sim, chain, obs);
        por_don_set_test_faults(don, faults);
        ck_assert_int_eq(por_sim_run(sim, 6 * POR_HOUR), POR_OK);
        por_don_stats st;
        por_don_get_stats(don, &st);
        uint64_t acc = por_aggregator_rounds(por_don_aggregator(don));
        bool skip = faults & POR_DON_FAULT_AGG_SKIP_SIGNATURES;
        bool tamper = faults & POR_DON_FAULT_TRANSMIT_TAMPERED;
        if (tamper && !skip) {
            ck_assert_uint_eq(acc, 0);
            ck_assert_uint_gt(st.transmissions_sent, 0);
        } else if (tamper) {
            ck_assert_uint_gt(acc, 100); /* each doubled answer deviates: a report a round */
        } else {
            ck_assert_uint_ge(acc, 1); /* the first answer (ΔC is 24 h) */
        }
        ck_assert_uint_eq(st.undersigned_accepted, skip && tamper ? acc : 0);
        ck_assert_uint_eq(st.median_outside_honest, skip && tamper ? acc : 0);
        ck_assert((por_don_violation(don) != NULL) == (skip && tamper));
        por_sim_destroy(sim);
        por_don_destroy(don);
        por_chain_destroy(chain);
    }
    por_scenario_free(sc);
}
END_TEST

/* A token that ignores Secure Mint's verdict: the world's independent check (supply <=
 * mintable(reported reserve) after every accepted guarded mint) catches the first mint
 * past the reported reserve and the replication fails with POR_EINVARIANT; the CLI exits
 * 3. Without the fault the same scenario breaks nothing. */
START_TEST(skipped_secure_mint_guard_is_caught)
{
    run_result r = run_world(shortfall_doc, NULL);
    ck_assert_msg(r.st == POR_OK, "%s", r.msg);
    ck_assert(r.mint_violations == 0);
    r = run_world(shortfall_doc, "token-skip-guard");
    printf("token-skip-guard: %s\n", r.msg);
    ck_assert_int_eq(r.st, POR_EINVARIANT);
    ck_assert_ptr_nonnull(strstr(r.msg, "Secure Mint accepted a mint"));
    ck_assert(r.mint_violations > 0);

    const char *dir = por_test_tmpdir("invariants-mint");
    char path[512], args[1200], out[600];
    snprintf(path, sizeof path, "%s/short.json", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(shortfall_doc, f);
    fclose(f);
    snprintf(args, sizeof args, "run %s -r 1", path);
    ck_assert_int_eq(setenv("POR_TEST_FAULT", "token-skip-guard", 1), 0);
    ck_assert_int_eq(por_test_run_cli(args, out), 3);
    char *text = por_test_slurp(out);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "Secure Mint accepted a mint"));
    free(text);
    ck_assert_int_eq(unsetenv("POR_TEST_FAULT"), 0);
}
END_TEST

/* Faults reach a model only through the run options: POR_TEST_FAULT in the
 * environment of a library caller changes nothing (the DON used to read it itself). */
START_TEST(env_is_not_read_by_models)
{
    run_result clean = run_world(forger_doc, NULL);
    ck_assert_int_eq(setenv("POR_TEST_FAULT", "aggregator-skip-signatures", 1), 0);
    run_result r = run_world(forger_doc, NULL);
    ck_assert_int_eq(unsetenv("POR_TEST_FAULT"), 0);
    ck_assert_int_eq(r.st, clean.st);
    ck_assert_int_eq(r.st, POR_OK);
    ck_assert(r.forged_accepted == clean.forged_accepted);
    /* The same fault through the options breaks the invariant. */
    run_result f = run_world(forger_doc, "aggregator-skip-signatures");
    ck_assert_int_eq(f.st, POR_EINVARIANT);
}
END_TEST

/* The CLI: exit status 3 under the fault, 0 without it, 1 for an unknown fault name. */
START_TEST(cli_exit_status_3)
{
    const char *dir = por_test_tmpdir("invariants");
    char path[512], args[1200], out[600];
    snprintf(path, sizeof path, "%s/inv.json", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(forger_doc, f);
    fclose(f);
    snprintf(args, sizeof args, "run %s -r 1", path);
    ck_assert_int_eq(unsetenv("POR_TEST_FAULT"), 0);
    ck_assert_int_eq(por_test_run_cli(args, out), 0);
    ck_assert_int_eq(setenv("POR_TEST_FAULT", "aggregator-skip-signatures", 1), 0);
    ck_assert_int_eq(por_test_run_cli(args, out), 3);
    char *text = por_test_slurp(out);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "OCR safety"));
    free(text);
    ck_assert_int_eq(setenv("POR_TEST_FAULT", "skip-everything", 1), 0);
    ck_assert_int_eq(por_test_run_cli(args, out), 1);
    text = por_test_slurp(out);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "POR_TEST_FAULT: unknown fault \"skip-everything\""));
    free(text);
    ck_assert_int_eq(unsetenv("POR_TEST_FAULT"), 0);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("invariants");
    TCase *tc = tcase_create("invariants");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, parse_test_faults);
    tcase_add_test(tc, env_is_not_read_by_models);
    tcase_add_test(tc, no_fault_no_violation);
    tcase_add_test(tc, skipped_signature_check_lets_a_forger_through);
    tcase_add_test(tc, tampered_reports_caught_by_the_audit);
    tcase_add_test(tc, api_faults_on_a_don);
    tcase_add_test(tc, cli_exit_status_3);
    tcase_add_test(tc, skipped_secure_mint_guard_is_caught);
    suite_add_tcase(s, tc);
    return s;
}
