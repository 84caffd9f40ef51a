/* Consumer: exact threshold boundaries on the reported ratio (feed and token decimals
 * differ), poll cadence, lifting, answer-driven mode, bad thresholds. */
#include "por_test.h"

#include "por/consumer.h"
#include "por/metrics.h"

#include <string.h>

typedef struct {
    por_round_data rd;
} fake_feed;

static void fake_latest(void *ctx, por_round_data *out) { *out = ((fake_feed *)ctx)->rd; }

static void set_answer(fake_feed *f, por_amount a, por_time_t at)
{
    f->rd.round_id++;
    f->rd.answer = a;
    f->rd.updated_at = at;
}

typedef struct {
    size_t n;
    por_consumer_reaction r[16];
    por_time_t at[16];
} reactions;

static void record(void *ctx, por_sim *sim, const por_consumer_reaction *r)
{
    reactions *x = ctx;
    ck_assert_uint_lt(x->n, 16);
    x->r[x->n] = *r;
    x->at[x->n] = por_sim_now(sim);
    x->n++;
}

typedef struct {
    uint32_t chains[1];
    por_amount initial[1];
    por_token_config tcfg;
    por_consumer_threshold th[2];
    por_consumer_config ccfg;
} fixture;

static void fixture_init(fixture *f, por_time_t poll_every)
{
    memset(f, 0, sizeof *f);
    f->initial[0] = 1000000; /* 1 token at 6 decimals */
    f->tcfg.chains = f->chains;
    f->tcfg.nchains = 1;
    f->tcfg.decimals = 6;
    f->tcfg.initial_supply = f->initial;
    f->th[0].ratio_ppb = 980000000;
    f->th[0].action = POR_ACTION_LOWER_CF;
    f->th[0].collateral_factor_ppb = 500000000;
    f->th[1].ratio_ppb = 900000000;
    f->th[1].action = POR_ACTION_PAUSE;
    f->ccfg.poll_every = poll_every;
    f->ccfg.thresholds = f->th;
    f->ccfg.nthresholds = 2;
}

START_TEST(test_poll_thresholds_exact)
{
    fixture fx;
    fixture_init(&fx, POR_HOUR);
    fake_feed feed = {{0}};
    por_feed_reader rd = {fake_latest, &feed, 8};
    por_sim *sim = por_sim_create(1, 0);
    por_token *tok = por_token_create(&fx.tcfg, sim, rd, NULL, 0, 0, NULL);
    por_consumer *c = por_consumer_create(&fx.ccfg, 0, sim, rd, tok, NULL);
    ck_assert_ptr_nonnull(c);
    reactions rx = {0};
    por_consumer_add_listener(c, record, &rx);
    ck_assert(por_sim_run(sim, 2 * POR_HOUR) == POR_OK); /* no answer yet: nothing */
    por_consumer_stats s;
    por_consumer_get_stats(c, &s);
    ck_assert_uint_eq(s.polls, 2);
    ck_assert_uint_eq(s.evaluations, 0);
    set_answer(&feed, 98000000, 2 * POR_HOUR); /* exactly 0.98: not below */
    ck_assert(por_sim_run(sim, 3 * POR_HOUR + POR_HOUR / 2) == POR_OK);
    ck_assert_uint_eq(rx.n, 0);
    set_answer(&feed, 97999999, 3 * POR_HOUR); /* one unit under 0.98 */
    ck_assert(por_sim_run(sim, 4 * POR_HOUR + POR_HOUR / 2) == POR_OK);
    ck_assert_uint_eq(rx.n, 1);
    ck_assert(rx.at[0] == 4 * POR_HOUR && rx.r[0].engaged && rx.r[0].threshold == 0);
    /* 97999999 at 8 decimals truncates to 979999 at 6: ratio 0.979999 */
    ck_assert_int_eq(rx.r[0].reported_ratio_ppb, 979999000);
    ck_assert_int_eq(por_consumer_collateral_factor(c), 500000000);
    ck_assert(!por_consumer_paused(c));
    set_answer(&feed, 89999999, 4 * POR_HOUR);
    ck_assert(por_sim_run(sim, 5 * POR_HOUR + POR_HOUR / 2) == POR_OK);
    ck_assert_uint_eq(rx.n, 2);
    ck_assert(rx.at[1] == 5 * POR_HOUR && rx.r[1].action == POR_ACTION_PAUSE && rx.r[1].engaged);
    ck_assert(por_consumer_paused(c));
    set_answer(&feed, 100000000, 5 * POR_HOUR);
    ck_assert(por_sim_run(sim, 6 * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(rx.n, 4);
    ck_assert(!rx.r[2].engaged && !rx.r[3].engaged && rx.at[3] == 6 * POR_HOUR);
    ck_assert(!por_consumer_paused(c));
    ck_assert_int_eq(por_consumer_collateral_factor(c), -1);
    por_consumer_get_stats(c, &s);
    ck_assert_uint_eq(s.actions, 2);
    ck_assert_uint_eq(s.lifts, 2);
    por_sim_destroy(sim);
    por_consumer_destroy(c);
    por_token_destroy(tok);
}
END_TEST

START_TEST(test_answer_driven_and_supply_changes)
{
    fixture fx;
    fixture_init(&fx, 0);
    fx.tcfg.secure_mint.enabled = false;
    fake_feed feed = {{0}};
    por_feed_reader rd = {fake_latest, &feed, 8};
    por_sim *sim = por_sim_create(1, 0);
    por_token *tok = por_token_create(&fx.tcfg, sim, rd, NULL, 0, 0, NULL);
    por_consumer *c = por_consumer_create(&fx.ccfg, 3, sim, rd, tok, NULL);
    reactions rx = {0};
    por_consumer_add_listener(c, record, &rx);
    ck_assert(por_sim_run(sim, 10 * POR_DAY) == POR_OK);
    por_consumer_stats s;
    por_consumer_get_stats(c, &s);
    ck_assert_uint_eq(s.polls, 0); /* poll_every 0: no keeper polls */
    set_answer(&feed, 100000000, por_sim_now(sim));
    por_consumer_on_answer(c, sim);
    ck_assert_uint_eq(rx.n, 0);
    /* mint 1/49 of the supply: 1e6 / (1e6 + 20409) = 0.97999... < 0.98 */
    ck_assert_int_eq(por_token_mint(tok, sim, 0, 20409, false), POR_MINT_ACCEPTED);
    por_consumer_on_answer(c, sim);
    ck_assert_uint_eq(rx.n, 1);
    ck_assert_uint_eq(rx.r[0].consumer, 3);
    ck_assert(rx.at[0] == 10 * POR_DAY);
    /* redeeming everything: empty supply is never below */
    por_token_redeem(tok, sim, 0, POR_AMOUNT_MAX);
    por_consumer_on_answer(c, sim);
    ck_assert_uint_eq(rx.n, 1);
    por_sim_destroy(sim);
    por_consumer_destroy(c);
    por_token_destroy(tok);
}
END_TEST

START_TEST(test_bad_threshold_refused)
{
    fixture fx;
    fixture_init(&fx, POR_HOUR);
    fx.th[0].collateral_factor_ppb = 1500000000;
    fake_feed feed = {{0}};
    por_feed_reader rd = {fake_latest, &feed, 8};
    por_sim *sim = por_sim_create(1, 0);
    por_token *tok = por_token_create(&fx.tcfg, sim, rd, NULL, 0, 0, NULL);
    por_error err;
    ck_assert_ptr_null(por_consumer_create(&fx.ccfg, 0, sim, rd, tok, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    por_sim_destroy(sim);
    por_token_destroy(tok);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("consumer");
    TCase *t = tcase_create("consumer");
    tcase_add_test(t, test_poll_thresholds_exact);
    tcase_add_test(t, test_answer_driven_and_supply_changes);
    tcase_add_test(t, test_bad_threshold_refused);
    suite_add_tcase(s, t);
    return s;
}
