/* `porsim bench scenario` (por/bench_scenario.h): the benchmark does the same work as
 * `porsim run` (same events, same crypto counts whatever the thread count), its crypto
 * accounting adds up, real mode yields per-operation EC costs and a ratio, and the
 * command prints only name=value lines. No assertion on timing. */
#include "por_test.h"

#include "por/bench_scenario.h"
#include "por/runner.h"
#include "por/scenario_load.h"
#include "por/stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default scenario, shortened, with REPS replications and the test seed. */
static por_scenario *bench_scenario(const char *duration, uint64_t reps)
{
    char dur[64], rep[64], seed[64];
    snprintf(dur, sizeof dur, "duration=%s", duration);
    snprintf(rep, sizeof rep, "replications=%" PRIu64, reps);
    snprintf(seed, sizeof seed, "seed=%" PRIu64, por_test_seed() % 1000000u);
    const char *sets[] = {dur, rep, seed};
    por_scenario *sc = NULL;
    por_error err = {POR_OK, ""};
    por_status st = por_scenario_load_string(por_default_scenario_json,
                                             strlen(por_default_scenario_json), "<default>",
                                             sets, 3, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s", err.msg);
    return sc;
}

START_TEST(test_same_events_as_run)
{
    por_scenario *sc = bench_scenario("3h", 2);
    por_runner_config rc = {.first_rep = 0, .replications = 2, .threads = 1,
                            .run = {.crypto_override = -1}};
    por_runner_result res;
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_runner_run(sc, &rc, &res, &err), POR_OK);
    por_metric_table_destroy(res.table);

    por_bench_scenario_config cfg = {.threads = 1, .crypto_override = -1};
    por_bench_scenario_result r;
    ck_assert_int_eq(por_bench_scenario_run(sc, &cfg, &r, &err), POR_OK);
    ck_assert_uint_gt(res.events, 1000);
    ck_assert_uint_eq(r.events, res.events);
    ck_assert_uint_eq(r.replications, 2);
    ck_assert_double_eq_tol(r.sim_days, 3.0 / 24.0, 1e-12);
    ck_assert(r.wall_seconds > 0.0 && r.events_per_s > 0.0 && r.cpu_seconds >= 0.0);
    ck_assert_double_eq_tol(r.sim_days_per_wall_s, 2 * r.sim_days / r.wall_seconds, 1e-9);
    ck_assert(r.peak_rss_kib > 0);
    ck_assert(!r.real_crypto);
    ck_assert_double_eq(r.ec_ratio, 0.0);
    /* ideal mode (crypto.h por_crypto_stats): no cache, every verify and recover call
     * is an oracle check; the hit rate of no lookups is 0 */
    ck_assert_uint_eq(r.crypto.recovers, r.crypto.verify_calls + r.crypto.recover_calls);
    ck_assert_uint_eq(r.crypto.cache_hits, 0);
    ck_assert_uint_eq(r.crypto.cache_misses, 0);
    ck_assert_uint_gt(r.crypto.signs, 0);
    ck_assert_double_eq(r.cache_hit_rate, 0.0);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_threads_same_counts)
{
    por_scenario *sc = bench_scenario("2h", 3);
    por_error err = {POR_OK, ""};
    por_bench_scenario_config c1 = {.threads = 1, .crypto_override = -1};
    por_bench_scenario_config c2 = {.threads = 2, .crypto_override = -1};
    por_bench_scenario_result r1, r2;
    ck_assert_int_eq(por_bench_scenario_run(sc, &c1, &r1, &err), POR_OK);
    ck_assert_int_eq(por_bench_scenario_run(sc, &c2, &r2, &err), POR_OK);
    ck_assert_uint_eq(r2.threads, 2);
    ck_assert_uint_eq(r1.events, r2.events);
    ck_assert_uint_eq(r1.crypto.signs, r2.crypto.signs);
    ck_assert_uint_eq(r1.crypto.verify_calls, r2.crypto.verify_calls);
    ck_assert_uint_eq(r1.crypto.cache_hits, r2.crypto.cache_hits);
    por_scenario_free(sc);
}
END_TEST

START_TEST(test_real_mode_accounting)
{
    por_scenario *sc = bench_scenario("20min", 1);
    por_error err = {POR_OK, ""};
    por_bench_scenario_config ideal = {.threads = 1, .crypto_override = POR_CRYPTO_MODE_IDEAL};
    por_bench_scenario_config real = {.threads = 1, .crypto_override = POR_CRYPTO_MODE_REAL,
                                      .calib_ops = 40};
    por_bench_scenario_result ri, rr;
    ck_assert_int_eq(por_bench_scenario_run(sc, &ideal, &ri, &err), POR_OK);
    ck_assert_int_eq(por_bench_scenario_run(sc, &real, &rr, &err), POR_OK);
    ck_assert(rr.real_crypto);
    /* same protocol in both modes: same events and calls; in real mode every verify
     * and recover call is a cache hit or a miss, and misses are EC recoveries */
    ck_assert_uint_eq(ri.events, rr.events);
    ck_assert_uint_eq(ri.crypto.signs, rr.crypto.signs);
    ck_assert_uint_eq(ri.crypto.verify_calls, rr.crypto.verify_calls);
    ck_assert_uint_eq(ri.crypto.recover_calls, rr.crypto.recover_calls);
    ck_assert_uint_eq(rr.crypto.cache_hits + rr.crypto.cache_misses,
                      rr.crypto.verify_calls + rr.crypto.recover_calls);
    ck_assert_uint_eq(rr.crypto.cache_misses, rr.crypto.recovers);
    uint64_t lookups = rr.crypto.cache_hits + rr.crypto.cache_misses;
    ck_assert_double_eq_tol(rr.cache_hit_rate, (double)rr.crypto.cache_hits / (double)lookups,
                            1e-12);
    ck_assert_uint_eq(ri.crypto.ec_sign_ns, 0);
    ck_assert_uint_gt(rr.crypto.ec_sign_ns, 0);
    ck_assert_uint_gt(rr.crypto.ec_verify_ns, 0);
    ck_assert(rr.ec_sign_cost_ns > 0.0 && rr.ec_verify_cost_ns > 0.0);
    double expect = (double)rr.crypto.signs * rr.ec_sign_cost_ns +
                    (double)rr.crypto.recovers * rr.ec_verify_cost_ns;
    ck_assert_double_eq_tol(rr.ec_expected_ns, expect, 1e-6 * expect);
    double measured = (double)(rr.crypto.ec_sign_ns + rr.crypto.ec_verify_ns);
    ck_assert_double_eq_tol(rr.ec_ratio, measured / expect, 1e-9);
    por_scenario_free(sc);
}
END_TEST

/* Every line of `porsim bench scenario` is name=value with a known first name. */
START_TEST(test_cli_name_value)
{
    const char *dir = por_test_tmpdir("bench");
    char out[512], args[1024];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    /* the loss moved inside the 1 h horizon: a step after it would print a warning */
    snprintf(args, sizeof args,
             "bench scenario %s/scenarios/default.json --set duration=1h "
             "--set 'custodians[0].reserve.steps[0].at=30m' -r 1",
             POR_SOURCE_DIR);
    ck_assert_int_eq(por_test_run_cli(args, out), 0);
    char *text = por_test_slurp(out);
    ck_assert_ptr_nonnull(text);
    ck_assert(strncmp(text, "name=", 5) == 0);
    const char *want[] = {"\nevents=", "\nevents_per_s=", "\ncpu_seconds=", "\nsim_days_per_wall_s=",
                          "\nreplications_per_s=", "\npeak_rss_kib=", "\ncache_hit_rate="};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "missing %s", want[i] + 1);
    int lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        const char *eq = strchr(line, '=');
        ck_assert_msg(eq && eq > line, "not name=value: %s", line);
        for (const char *p = line; p < eq; p++)
            ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'),
                          "bad name in %s", line);
        lines++;
    }
    ck_assert_int_ge(lines, 15);
    free(text);
    ck_assert_int_eq(por_test_run_cli("bench scenario", NULL), 2);
    ck_assert_int_eq(por_test_run_cli("bench scenario x.json --bogus", NULL), 2);
    ck_assert_int_eq(por_test_run_cli("bench scenario /nonexistent/x.json", NULL), 2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("scenario");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_same_events_as_run);
    tcase_add_test(tc, test_threads_same_counts);
    tcase_add_test(tc, test_real_mode_accounting);
    tcase_add_test(tc, test_cli_name_value);
    suite_add_tcase(s, tc);
    return s;
}
