/* Throughput check of the OCR model: one simulated day with n=4 and with n=31 in ideal
 * crypto, 6 h with n=31 in real crypto (lognormal latency, a reserve that moves every
 * 2 h). Run one half with CK_RUN_CASE=ideal or CK_RUN_CASE=real. Prints events, wall
 * seconds and events per second; asserts only on simulated results (feed updates, every
 * transmission accepted or skipped as stale), never on timing. */
#include "por_test.h"

#include "por/don.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool observe_moving(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng,
                           por_amount *value, por_time_t *latency)
{
    (void)ctx;
    (void)node;
    (void)rng;
    int64_t block = por_sim_now(sim) / (2 * POR_HOUR);
    *value = (por_amount)(100000000 + (block % 2) * 5000000) * 100;
    *latency = 200 * POR_MS;
    return true;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_day(uint32_t n, uint32_t f, por_crypto_choice mode, por_time_t horizon)
{
    por_scenario sc;
    por_chain_config chain;
    memset(&sc, 0, sizeof sc);
    memset(&chain, 0, sizeof chain);
    sc.seed = por_test_seed();
    sc.duration = POR_DAY;
    sc.network.latency.kind = POR_DIST_LOGNORMAL;
    sc.network.latency.median = 80 * POR_MS;
    sc.network.latency.sigma = 0.6;
    strcpy(chain.name, "eth");
    chain.block_time = 12 * POR_SEC;
    chain.confirmations = 1;
    chain.base_gas_gwei = 20;
    chain.gas_volatility = 0.2;
    chain.transmit_gas = 250000;
    sc.chains = &chain;
    sc.nchains = 1;
    sc.feed.decimals = 2;
    sc.feed.min_answer = 1;
    sc.feed.max_answer = (por_amount)1 << 100;
    sc.feed.crypto = mode;
    sc.feed.gas_price_multiplier = 1.5;
    por_ocr_config *oc = &sc.feed.ocr;
    oc->n = n;
    oc->f = f;
    oc->delta_progress = 23 * POR_SEC;
    oc->delta_resend = 10 * POR_SEC;
    oc->delta_round = 20 * POR_SEC;
    oc->delta_grace = POR_SEC;
    oc->delta_c = 24 * POR_HOUR;
    oc->delta_stage = 20 * POR_SEC;
    oc->alpha_ppb = 10000000;
    uint32_t s[] = {1, 1, 2, 4, 8};
    memcpy(oc->schedule, s, sizeof s);
    oc->nschedule = 5;
    oc->r_max = 6;
    oc->observe_timeout = 10 * POR_SEC;

    por_sim *sim = por_sim_create(sc.seed, 0);
    por_chain *ch = por_chain_create(&chain, 0, sim);
    por_observer obs = {observe_moving, NULL};
    double t0 = wall_now();
    por_don *don = por_don_create(&sc, sim, ch, obs);
    double t1 = wall_now();
    ck_assert_int_eq(por_sim_run(sim, horizon), POR_OK);
    double t2 = wall_now();
    uint64_t ev = por_sim_events_handled(sim);
    por_aggregator *agg = por_don_aggregator(don);
    por_don_stats st;
    por_don_get_stats(don, &st);
    printf("ocr %.0f h n=%u f=%u %s: events=%" PRIu64 " setup_s=%.3f run_s=%.3f events_per_s=%.0f"
           " answers=%" PRIu64 " rounds=%" PRIu64 " epochs=%" PRIu64 " messages=%" PRIu64 "\n",
           horizon / 3.6e12, n, f, mode == POR_CRYPTO_MODE_REAL ? "real" : "ideal", ev, t1 - t0, t2 - t1,
           (double)ev / (t2 - t1), por_aggregator_rounds(agg), st.rounds_started, st.epochs,
           st.messages_sent);
    /* a reserve move of 5 % every 2 h (at 2 h, 4 h, ...) plus the first report */
    ck_assert_uint_ge(por_aggregator_rounds(agg), (uint64_t)((horizon - 1) / (2 * POR_HOUR)) + 1);
    uint64_t sent = st.transmissions_sent, acc = por_aggregator_count(agg, POR_TRANSMIT_ACCEPTED);
    /* every transaction sent was executed (accepted or stale) or still waits in the
     * mempool (confirmations = 1: nothing is mined but unexecuted) */
    ck_assert_uint_eq(acc + por_aggregator_count(agg, POR_TRANSMIT_STALE) +
                          por_chain_mempool_size(ch),
                      sent);
    for (int r = POR_TRANSMIT_WRONG_DIGEST; r < POR_TRANSMIT_NRESULTS; r++)
        if (r != POR_TRANSMIT_STALE)
            ck_assert_uint_eq(por_aggregator_count(agg, (por_transmit_result)r), 0);
    por_sim_destroy(sim);
    por_don_destroy(don);
    por_chain_destroy(ch);
}

START_TEST(day_n4) { run_day(4, 1, POR_CRYPTO_MODE_IDEAL, POR_DAY); }
END_TEST

START_TEST(day_n31) { run_day(31, 10, POR_CRYPTO_MODE_IDEAL, POR_DAY); }
END_TEST

START_TEST(day_n31_real) { run_day(31, 10, POR_CRYPTO_MODE_REAL, 6 * POR_HOUR); }
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("ocr_perf");
    /* CK_RUN_CASE=ideal or CK_RUN_CASE=real selects one half */
    TCase *tc = tcase_create("ideal");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, day_n4);
    tcase_add_test(tc, day_n31);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("real");
    tcase_set_timeout(tr, 600);
    tcase_add_test(tr, day_n31_real);
    suite_add_tcase(s, tr);
    return s;
}
