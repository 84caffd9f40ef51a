/* Custodian model: exact steps, drift against its closed forms, attestation lag, read
 * failures, outage/ripcord windows, rate limit, wallet reads, fraud. */
#include "por_test.h"

#include "por/chain.h"
#include "por/custodian.h"
#include "por/engine.h"
#include "por/rng.h"
#include "por/sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static por_custodian_config base_cfg(void)
{
    por_custodian_config c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "bank");
    c.decimals = 2;
    c.source = POR_SOURCE_ATTESTED_API;
    c.initial = 100000; /* 1000.00 */
    c.api_latency.kind = POR_DIST_CONSTANT;
    return c;
}

/* An attested API over a random walk (1e12 base units, drift every hour, sigma 0.05 a
 * day) in one of three calendars: KIND 0 attests hourly, 1 hourly with a 10-minute lag, 2
 * daily at 21:00 skipping weekends (day 0 a Thursday). */
static por_custodian_config walk_cfg(int kind)
{
    por_custodian_config cfg = base_cfg();
    cfg.initial = (por_amount)1000000000000LL;
    cfg.drift.kind = POR_DRIFT_RANDOM_WALK;
    cfg.drift.every = POR_HOUR;
    cfg.drift.sigma_per_day = 0.05;
    cfg.attest_every = kind == 2 ? POR_DAY : POR_HOUR;
    cfg.attest_lag = kind == 1 ? 10 * POR_MIN : 0;
    if (kind == 2) {
        cfg.attest_phase = 21 * POR_HOUR;
        cfg.skip_weekends = true;
        cfg.first_day = 3;
    }
    return cfg;
}

static gsl_rng *test_rng(const char *purpose)
{
    return por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, purpose));
}

/* A listener that records changes. */
typedef struct {
    size_t n, cap;
    por_amount *before, *after;
    por_time_t *at;
} changes;

static void record_change(void *ctx, por_sim *sim, uint32_t index, por_amount before,
                          por_amount after)
{
    changes *c = ctx;
    (void)index;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->before = realloc(c->before, c->cap * sizeof *c->before);
        c->after = realloc(c->after, c->cap * sizeof *c->after);
        c->at = realloc(c->at, c->cap * sizeof *c->at);
        ck_assert_ptr_nonnull(c->before);
        ck_assert_ptr_nonnull(c->after);
        ck_assert_ptr_nonnull(c->at);
    }
    c->before[c->n] = before;
    c->after[c->n] = after;
    c->at[c->n] = por_sim_now(sim);
    c->n++;
}

static void changes_free(changes *c)
{
    free(c->before);
    free(c->after);
    free(c->at);
}

START_TEST(test_steps_exact)
{
    por_custodian_config cfg = base_cfg();
    por_reserve_step steps[4];
    memset(steps, 0, sizeof steps);
    steps[0].at = POR_HOUR, steps[0].kind = POR_CHANGE_RELATIVE_PPB, steps[0].ppb = -80000000;
    steps[1].at = 2 * POR_HOUR, steps[1].kind = POR_CHANGE_ABSOLUTE, steps[1].amount = 12345;
    steps[2].at = 3 * POR_HOUR, steps[2].kind = POR_CHANGE_RELATIVE_PPB,
    steps[2].ppb = -333333333; /* 104345 * 0.333333333 = 34781.6..., truncated */
    steps[3].at = 4 * POR_HOUR, steps[3].kind = POR_CHANGE_SET, steps[3].amount = 7;
    cfg.steps = steps;
    cfg.nsteps = 4;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_error err;
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, &err);
    ck_assert_ptr_nonnull(c);
    changes ch = {0};
    por_custodian_add_listener(c, record_change, &ch);
    ck_assert(por_sim_run(sim, POR_HOUR - 1) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 100000);
    ck_assert(por_sim_run(sim, POR_HOUR) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 92000);
    ck_assert(por_sim_run(sim, 2 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 104345);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR) == POR_OK);
    /* 104345 - trunc(104345 * 333333333 / 1e9) = 104345 - 34781 */
    ck_assert(por_custodian_true_reserve(c) == 104345 - 34781);
    ck_assert(por_sim_run(sim, 5 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 7);
    ck_assert_uint_eq(ch.n, 4);
    ck_assert(ch.before[0] == 100000 && ch.after[0] == 92000 && ch.at[0] == POR_HOUR);
    ck_assert(ch.after[3] == 7 && ch.at[3] == 4 * POR_HOUR);
    /* history answers for past instants (nothing pruned with lag 0, every 0? the last
     * entry is always kept) */
    ck_assert(por_custodian_true_reserve_at(c, 5 * POR_HOUR) == 7);
    changes_free(&ch);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_random_walk_moments)
{
    por_custodian_config cfg = base_cfg();
    cfg.initial = (por_amount)1000000000000000000LL; /* large: rounding is negligible */
    cfg.drift.kind = POR_DRIFT_RANDOM_WALK;
    cfg.drift.every = POR_HOUR;
    cfg.drift.sigma_per_day = 0.1;
    const size_t nticks = 20000;
    por_sim *sim = por_sim_create(por_test_seed(), 3);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    changes ch = {0};
    por_custodian_add_listener(c, record_change, &ch);
    ck_assert(por_sim_run(sim, (por_time_t)nticks * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(ch.n, nticks);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < ch.n; i++) {
        double x = log((double)ch.after[i] / (double)ch.before[i]);
        sum += x;
        sum2 += x * x;
        ck_assert(ch.at[i] == (por_time_t)(i + 1) * POR_HOUR);
    }
    double n = (double)ch.n, mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
    double want_var = 0.1 * 0.1 / 24.0;
    printf("random walk: log-step mean %.3g var %.6g (want 0, %.6g)\n", mean, var, want_var);
    ck_assert(fabs(mean) < 5 * sqrt(want_var / n));
    ck_assert(fabs(var / want_var - 1) < 5 * sqrt(2.0 / n));
    changes_free(&ch);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_linear_growth_exact)
{
    por_custodian_config cfg = base_cfg();
    cfg.initial = 1000000000000; /* 10,000,000,000.00 */
    cfg.drift.kind = POR_DRIFT_LINEAR;
    cfg.drift.every = POR_DAY;
    cfg.drift.rate_per_year = 0.05;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert(por_sim_run(sim, 365 * POR_DAY) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 1050000000000);
    ck_assert(por_sim_run(sim, 365 * POR_DAY + POR_DAY / 2) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 1050000000000);
    ck_assert(por_sim_run(sim, 366 * POR_DAY) == POR_OK);
    /* 1e12 * 0.05 * 366 / 365 = 50136986301.369... -> 50136986301 */
    ck_assert(por_custodian_true_reserve(c) == 1050136986301);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_attestation_lag_exact)
{
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 2 * POR_HOUR + 30 * POR_MIN;
    step.kind = POR_CHANGE_RELATIVE_PPB;
    step.ppb = -500000000;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.attest_every = POR_HOUR;
    cfg.attest_lag = 10 * POR_MIN;
    cfg.api_latency.value = 2 * POR_SEC;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    gsl_rng *r = test_rng("lag");
    struct { por_time_t at; por_amount want; } cases[] = {
        {0, 100000},
        {2 * POR_HOUR + 40 * POR_MIN, 100000}, /* truth moved, figure still from 1h50 */
        {3 * POR_HOUR - 1, 100000},            /* refreshed at 2h, describing 1h50 */
        {3 * POR_HOUR, 50000},                 /* refreshed at 3h, describing 2h50 */
        {5 * POR_HOUR + 7, 50000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert(por_sim_run(sim, cases[i].at) == POR_OK);
        por_amount v = -1;
        por_time_t lat = -1;
        ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
        ck_assert_msg(v == cases[i].want, "case %zu: got %lld", i, (long long)v);
        ck_assert_int_eq(lat, 2 * POR_SEC);
    }
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);

    /* Lag longer than the change-to-refresh gap: the 3h refresh describes 2h15 (old). */
    cfg.attest_lag = 45 * POR_MIN;
    sim = por_sim_create(1, 0);
    c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_published(c, 3 * POR_HOUR) == 100000);
    ck_assert(por_sim_run(sim, 4 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_published(c, 4 * POR_HOUR) == 50000);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_history_pruned_but_correct)
{
    /* A minute drift over 30 days with a 1-day lag: history is pruned yet lagged
     * figures stay equal to what the listener saw a day earlier. */
    por_custodian_config cfg = base_cfg();
    cfg.initial = (por_amount)1000000000000LL;
    cfg.drift.kind = POR_DRIFT_RANDOM_WALK;
    cfg.drift.every = POR_MIN;
    cfg.drift.sigma_per_day = 0.05;
    cfg.attest_every = 0;
    cfg.attest_lag = POR_DAY;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    changes ch = {0};
    por_custodian_add_listener(c, record_change, &ch);
    for (int d = 2; d <= 30; d++) {
        ck_assert(por_sim_run(sim, (por_time_t)d * POR_DAY + 30 * POR_SEC) == POR_OK);
        /* truth at (d-1) days + 30 s: the change at minute (d-1)*1440 */
        size_t k = (size_t)(d - 1) * 1440 - 1;
        ck_assert(ch.at[k] == (por_time_t)(d - 1) * POR_DAY);
        ck_assert(por_custodian_published(c, por_sim_now(sim)) == ch.after[k]);
    }
    changes_free(&ch);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_failure_rate)
{
    por_custodian_config cfg = base_cfg();
    cfg.failure_rate = 0.2;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    gsl_rng *r = test_rng("failure");
    const int n = 100000;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        por_amount v;
        por_time_t lat;
        por_read_status st = por_custodian_read(c, sim, (uint32_t)(i % 4), r, &v, &lat);
        ck_assert(st == POR_READ_OK || st == POR_READ_FAILED);
        failed += st == POR_READ_FAILED;
    }
    double p = (double)failed / n;
    printf("failure rate: %.5f (want 0.2)\n", p);
    ck_assert(fabs(p - 0.2) < 5 * sqrt(0.2 * 0.8 / n));
    por_custodian_stats s;
    por_custodian_get_stats(c, &s);
    ck_assert_uint_eq(s.reads[POR_READ_FAILED], (uint64_t)failed);
    ck_assert_uint_eq(s.reads[POR_READ_OK], (uint64_t)(n - failed));
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_outage_ripcord_windows)
{
    por_custodian_config cfg = base_cfg();
    por_window out = {POR_HOUR, 2 * POR_HOUR}, rip = {3 * POR_HOUR, 4 * POR_HOUR};
    cfg.outages = &out;
    cfg.noutages = 1;
    cfg.ripcords = &rip;
    cfg.nripcords = 1;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    gsl_rng *r = test_rng("windows");
    struct { por_time_t at; por_read_status want; } cases[] = {
        {POR_HOUR - 1, POR_READ_OK},     {POR_HOUR, POR_READ_OUTAGE},
        {2 * POR_HOUR - 1, POR_READ_OUTAGE}, {2 * POR_HOUR, POR_READ_OK},
        {3 * POR_HOUR - 1, POR_READ_OK}, {3 * POR_HOUR, POR_READ_RIPCORD},
        {4 * POR_HOUR - 1, POR_READ_RIPCORD}, {4 * POR_HOUR, POR_READ_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert(por_sim_run(sim, cases[i].at) == POR_OK);
        por_amount v;
        por_time_t lat;
        ck_assert_int_eq(por_custodian_read(c, sim, 1, r, &v, &lat), cases[i].want);
    }
    por_custodian_stats s;
    por_custodian_get_stats(c, &s);
    ck_assert_uint_eq(s.reads[POR_READ_OUTAGE], 2);
    ck_assert_uint_eq(s.reads[POR_READ_RIPCORD], 2);
    ck_assert_uint_eq(s.reads[POR_READ_OK], 4);
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

/* An outage window alone, then a ripcord window alone (the other rules empty): each
 * still answers for its window, and only there. */
START_TEST(test_outage_or_ripcord_alone)
{
    por_window w = {POR_HOUR, 2 * POR_HOUR};
    for (int which = 0; which < 2; which++) {
        por_custodian_config cfg = base_cfg();
        if (which == 0)
            cfg.outages = &w, cfg.noutages = 1;
        else
            cfg.ripcords = &w, cfg.nripcords = 1;
        por_read_status inside = which == 0 ? POR_READ_OUTAGE : POR_READ_RIPCORD;
        por_sim *sim = por_sim_create(1, 0);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
        gsl_rng *r = test_rng("alone");
        por_time_t at[] = {POR_HOUR - 1, POR_HOUR, 2 * POR_HOUR - 1, 2 * POR_HOUR};
        for (int i = 0; i < 4; i++) {
            ck_assert(por_sim_run(sim, at[i]) == POR_OK);
            por_amount v;
            por_time_t lat;
            ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat),
                             (i == 1 || i == 2) ? inside : POR_READ_OK);
        }
        gsl_rng_free(r);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
    }
}
END_TEST

START_TEST(test_rate_limit_rolling_minute)
{
    por_custodian_config cfg = base_cfg();
    cfg.rate_limit_per_min = 5;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    gsl_rng *r = test_rng("rate");
    por_amount v;
    por_time_t lat;
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(por_custodian_read(c, sim, (uint32_t)i, r, &v, &lat), POR_READ_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_RATE_LIMITED);
    ck_assert(por_sim_run(sim, 30 * POR_SEC) == POR_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_RATE_LIMITED);
    ck_assert(por_sim_run(sim, POR_MIN - 1) == POR_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_RATE_LIMITED);
    /* at exactly 1 min the reads at 0 leave the window (now - 1min, now] */
    ck_assert(por_sim_run(sim, POR_MIN) == POR_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_RATE_LIMITED);
    por_custodian_stats s;
    por_custodian_get_stats(c, &s);
    ck_assert_uint_eq(s.reads[POR_READ_RATE_LIMITED], 4);
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_wallet_is_live_and_reliable)
{
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = POR_HOUR, step.kind = POR_CHANGE_ABSOLUTE, step.amount = -1;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.source = POR_SOURCE_WALLET;
    cfg.failure_rate = 1.0;
    cfg.attest_every = POR_DAY;
    cfg.attest_lag = POR_DAY;
    por_window out = {0, POR_TIME_MAX};
    cfg.outages = &out;
    cfg.noutages = 1;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    gsl_rng *r = test_rng("wallet");
    ck_assert(por_sim_run(sim, POR_HOUR) == POR_OK);
    por_amount v = 0;
    por_time_t lat;
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
        ck_assert(v == 99999);
    }
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_fraud_hide_drain_and_misreport)
{
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 3 * POR_HOUR, step.kind = POR_CHANGE_RELATIVE_PPB, step.ppb = -500000000;
    cfg.steps = &step;
    cfg.nsteps = 1;
    por_attack_config att[2];
    memset(att, 0, sizeof att);
    att[0].kind = POR_ATTACK_CUSTODIAN_FRAUD;
    att[0].custodian = 0;
    att[0].window.from = 2 * POR_HOUR;
    att[0].window.until = 5 * POR_HOUR;
    att[0].hide_drain = true;
    att[1].kind = POR_ATTACK_CUSTODIAN_FRAUD; /* names another custodian: ignored */
    att[1].custodian = 1;
    att[1].window.until = POR_TIME_MAX;
    att[1].misreport_ppb = 900000000;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, att, 2, NULL);
    gsl_rng *r = test_rng("fraud");
    por_amount v;
    por_time_t lat;
    ck_assert(por_sim_run(sim, 4 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 50000);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 100000); /* frozen at the window start */
    ck_assert(por_sim_run(sim, 5 * POR_HOUR) == POR_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 50000); /* window over */
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);

    att[0].hide_drain = false;
    att[0].misreport_ppb = 100000000; /* +10 % */
    sim = por_sim_create(1, 0);
    c = por_custodian_create(&cfg, 0, sim, att, 2, NULL);
    r = test_rng("fraud");
    ck_assert(por_sim_run(sim, 4 * POR_HOUR) == POR_OK);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 55000);
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

START_TEST(test_bad_config_refused)
{
    por_custodian_config cfg = base_cfg();
    cfg.drift.kind = POR_DRIFT_RANDOM_WALK;
    cfg.drift.every = 0;
    por_sim *sim = por_sim_create(1, 0);
    por_error err;
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_custodian_create(&cfg, 0, sim, NULL, 0, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "every"));
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_attestation_phase_fixed_exact)
{
    /* refreshes at 20m + k * 1h: a halving at 2h30 shows from 3h20 exactly */
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 2 * POR_HOUR + 30 * POR_MIN, step.kind = POR_CHANGE_RELATIVE_PPB, step.ppb = -500000000;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.attest_every = POR_HOUR;
    cfg.attest_phase = 20 * POR_MIN;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(por_custodian_attest_phase(c), 20 * POR_MIN);
    /* before the first refresh the one in force was at phase - every */
    ck_assert_int_eq(por_custodian_refreshed_at(c, 0), -40 * POR_MIN);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 20 * POR_MIN - 1), -40 * POR_MIN);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 20 * POR_MIN), 20 * POR_MIN);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 3 * POR_HOUR + 19 * POR_MIN), 2 * POR_HOUR + 20 * POR_MIN);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR + 20 * POR_MIN - 1) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 50000);
    ck_assert(por_custodian_published(c, 3 * POR_HOUR + 20 * POR_MIN - 1) == 100000);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR + 20 * POR_MIN) == POR_OK);
    ck_assert(por_custodian_published(c, 3 * POR_HOUR + 20 * POR_MIN) == 50000);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
    /* a phase outside [0, every) is refused */
    cfg.attest_phase = POR_HOUR;
    sim = por_sim_create(1, 0);
    por_error err;
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_custodian_create(&cfg, 0, sim, NULL, 0, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "phase"));
    por_sim_destroy(sim);
}
END_TEST

START_TEST(test_attestation_skips_weekends)
{
    /* Rule (market calendar: an exchange-traded fund's NAV and the broker's position
     * statement are produced on trading days only; LSE and NYSE are closed on Saturday and
     * Sunday): with skip_weekends a daily refresh at 21:00 on a Saturday or Sunday does not
     * happen. Day 0 is a Thursday: day 1 Friday, days 2-3 the weekend, day 4 Monday. A loss
     * at Friday 22:00 (after Friday's refresh) shows at Monday 21:00, not Saturday 21:00;
     * without skip_weekends it shows on Saturday. */
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = POR_DAY + 22 * POR_HOUR, step.kind = POR_CHANGE_RELATIVE_PPB, step.ppb = -100000000;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.attest_every = POR_DAY;
    cfg.attest_phase = 21 * POR_HOUR;
    cfg.skip_weekends = true;
    cfg.first_day = 3; /* Thursday */
    ck_assert(!por_custodian_weekend(&cfg, POR_DAY + 23 * POR_HOUR));       /* Friday */
    ck_assert(por_custodian_weekend(&cfg, 2 * POR_DAY));                    /* Saturday 00:00 */
    ck_assert(por_custodian_weekend(&cfg, 4 * POR_DAY - 1));                /* Sunday 23:59 */
    ck_assert(!por_custodian_weekend(&cfg, 4 * POR_DAY));                   /* Monday 00:00 */
    ck_assert(por_custodian_weekend(&cfg, 9 * POR_DAY + POR_HOUR));         /* next Saturday */
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert_ptr_nonnull(c);
    const por_time_t fri = POR_DAY + 21 * POR_HOUR, mon = 4 * POR_DAY + 21 * POR_HOUR;
    ck_assert_int_eq(por_custodian_refreshed_at(c, fri), fri);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 2 * POR_DAY + 21 * POR_HOUR), fri); /* Sat */
    ck_assert_int_eq(por_custodian_refreshed_at(c, 3 * POR_DAY + 22 * POR_HOUR), fri); /* Sun */
    ck_assert_int_eq(por_custodian_refreshed_at(c, mon - 1), fri);
    ck_assert_int_eq(por_custodian_refreshed_at(c, mon), mon);
    ck_assert(por_sim_run(sim, mon - 1) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 90000);
    ck_assert(por_custodian_published(c, mon - 1) == 100000); /* blind all weekend */
    ck_assert(por_sim_run(sim, mon) == POR_OK);
    ck_assert(por_custodian_published(c, mon) == 90000);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
    /* control: every day refreshes, the loss shows at Saturday 21:00 */
    cfg.skip_weekends = false;
    sim = por_sim_create(1, 0);
    c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert(por_sim_run(sim, 2 * POR_DAY + 21 * POR_HOUR) == POR_OK);
    ck_assert(por_custodian_published(c, 2 * POR_DAY + 21 * POR_HOUR) == 90000);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
    /* a refresh every 8 days steps back over several weekends: day 0 a Saturday, grid
     * ..., -8 (Friday), 0 (Saturday), 8 (Sunday), 16 (Monday): until day 16 the refresh
     * in force is day -8's */
    cfg.skip_weekends = true;
    cfg.first_day = 5;
    cfg.attest_every = 8 * POR_DAY;
    cfg.attest_phase = 0;
    sim = por_sim_create(1, 0);
    c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    ck_assert_int_eq(por_custodian_refreshed_at(c, POR_HOUR), -8 * POR_DAY);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 8 * POR_DAY), -8 * POR_DAY);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 16 * POR_DAY - 1), -8 * POR_DAY);
    ck_assert_int_eq(por_custodian_refreshed_at(c, 16 * POR_DAY), 16 * POR_DAY);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

/* por/custodian.h: an attested API read returns the figure published at the latest
 * refresh, the true reserve at (refresh instant - lag), i.e. por_custodian_published
 * (computed afresh there). custodian.c keeps the last read's snapshot and figure for
 * the rest of its refresh grid cell until the history changes; here reads at random
 * instants, at refresh instants and one before them, and again right after a change at
 * that same instant (lag 0: the change is at the snapshot instant itself), with hourly
 * drift on the refresh grid, a lag, and a weekend calendar, must all equal
 * por_custodian_published. */
START_TEST(test_read_same_as_published_across_changes)
{
    printf("test_read_same_as_published_across_changes: seed %llu\n",
           (unsigned long long)por_test_seed());
    for (int variant = 0; variant < 3; variant++) {
        por_custodian_config cfg = walk_cfg(variant);
        por_sim *sim = por_sim_create(por_test_seed(), 0);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
        ck_assert_ptr_nonnull(c);
        gsl_rng *r = test_rng("read-memo");
        por_time_t t = 0;
        int reads = 0;
        for (int step = 0; step < 3000; step++) {
            uint64_t how = por_rng_below(r, 4);
            if (how == 0) /* a random later instant */
                t += 1 + (por_time_t)por_rng_below(r, (uint64_t)(3 * POR_HOUR));
            else          /* the next refresh instant of the grid, or one before it */
                t = (t / cfg.attest_every + 1) * cfg.attest_every + cfg.attest_phase % cfg.attest_every -
                    (how == 1 ? 1 : 0);
            ck_assert(por_sim_run(sim, t) == POR_OK);
            por_time_t now = por_sim_now(sim);
            for (int again = 0; again < 2; again++) {
                por_amount v = -1;
                por_time_t lat;
                ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
                por_amount want = por_custodian_published(c, now);
                if (v != want)
                    ck_abort_msg("seed %llu variant %d step %d at %lld (read %d): %lld, "
                                 "published %lld", (unsigned long long)por_test_seed(), variant,
                                 step, (long long)now, again, (long long)v, (long long)want);
                reads++;
                if (again == 0) /* a change now, at what may be the snapshot instant */
                    por_custodian_change(c, sim, 1 + (por_amount)por_rng_below(r, 1000), 0);
            }
        }
        ck_assert_int_eq(reads, 6000);
        gsl_rng_free(r);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
    }
}
END_TEST

/* An attested API without outages, ripcords, a rate limit or fraud (the common case,
 * which por_custodian_read answers on a short path): each read is, from the node's
 * stream, one latency draw through the API's sampler, then one uniform that fails the
 * read when below failure_rate; a read that does not fail returns por_custodian_published
 * at that instant, a failed one leaves *VALUE alone; the read counters count both.
 * Checked against a twin of the stream and a sampler built from the configuration, with
 * failure rates 0, 0.3 and 1, lags, weekends and changes between reads. */
START_TEST(test_plain_read_by_definition)
{
    uint64_t seed = por_test_seed();
    printf("test_plain_read_by_definition: seed %llu\n", (unsigned long long)seed);
    static const double rates[] = {0.0, 0.3, 1.0};
    for (int variant = 0; variant < 6; variant++) {
        por_custodian_config cfg = walk_cfg(variant % 3);
        cfg.failure_rate = rates[variant % 3];
        if (variant >= 3) { /* a latency table, and the sampler's slow path without one */
            cfg.api_latency.kind = POR_DIST_LOGNORMAL;
            cfg.api_latency.median = 300 * POR_MS;
            cfg.api_latency.sigma = 0.5;
        } else {
            cfg.api_latency.kind = POR_DIST_UNIFORM;
            cfg.api_latency.min = 10 * POR_MS;
            cfg.api_latency.max = 900 * POR_MS;
        }
        por_sim *sim = por_sim_create(seed, 0);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
        ck_assert_ptr_nonnull(c);
        por_sampler lat_of;
        por_sampler_init_duration(&lat_of, &cfg.api_latency);
        gsl_rng *r = por_rng_new(seed, (uint64_t)variant, por_stream_id("test", 0, "plain"));
        gsl_rng *twin = por_rng_new(seed, (uint64_t)variant, por_stream_id("test", 0, "plain"));
        gsl_rng *when = por_rng_new(seed, (uint64_t)variant, por_stream_id("test", 0, "when"));
        uint64_t ok = 0, failed = 0;
        por_time_t t = 0;
        for (int step = 0; step < 2000; step++) {
            t += (por_time_t)por_rng_below(when, (uint64_t)(2 * POR_HOUR));
            ck_assert(por_sim_run(sim, t) == POR_OK);
            por_time_t now = por_sim_now(sim);
            for (int k = 0; k < 3; k++) {
                por_amount v = -1;
                por_time_t lat = -1;
                por_read_status st = por_custodian_read(c, sim, (uint32_t)k, r, &v, &lat);
                por_time_t want_lat = por_sample_duration(&lat_of, twin);
                bool fails = por_rng_uniform(twin) < cfg.failure_rate;
                por_amount want = fails ? -1 : por_custodian_published(c, now);
                if (st != (fails ? POR_READ_FAILED : POR_READ_OK) || v != want || lat != want_lat)
                    ck_abort_msg("seed %llu variant %d step %d read %d: %s %lld after %lld, "
                                 "want %s %lld after %lld", (unsigned long long)seed, variant,
                                 step, k, por_read_status_name(st), (long long)v,
                                 (long long)lat, fails ? "failed" : "ok", (long long)want,
                                 (long long)want_lat);
                ok += !fails;
                failed += fails;
                if (k == 0 && por_rng_below(when, 4) == 0) /* a change between two reads */
                    por_custodian_change(c, sim, 1 + (por_amount)por_rng_below(when, 1000), 0);
            }
        }
        por_custodian_stats s;
        por_custodian_get_stats(c, &s);
        ck_assert_uint_eq(s.reads[POR_READ_OK], ok);
        ck_assert_uint_eq(s.reads[POR_READ_FAILED], failed);
        if (cfg.failure_rate == 0.0)
            ck_assert_uint_eq(failed, 0);
        else if (cfg.failure_rate == 1.0)
            ck_assert_uint_eq(ok, 0);
        else
            ck_assert(ok > 1000 && failed > 1000);
        ck_assert(por_rng_u64(r) == por_rng_u64(twin)); /* no draw more, none fewer */
        gsl_rng_free(r);
        gsl_rng_free(twin);
        gsl_rng_free(when);
        por_sampler_free(&lat_of);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
    }
}
END_TEST

START_TEST(test_attestation_phase_random_per_replication)
{
    /* "random": one uniform draw in [0, every) per replication, the same for the same
     * (seed, replication), different across replications; the figure switches exactly at
     * the drawn refresh instants */
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 2 * POR_HOUR, step.kind = POR_CHANGE_SET, step.amount = 1;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.attest_every = POR_HOUR;
    cfg.attest_phase_random = true;
    enum { REPS = 40 };
    por_time_t phase[REPS];
    double sum = 0;
    for (uint64_t rep = 0; rep < REPS; rep++) {
        por_sim *sim = por_sim_create(por_test_seed(), rep);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
        phase[rep] = por_custodian_attest_phase(c);
        ck_assert_int_ge(phase[rep], 0);
        ck_assert_int_lt(phase[rep], POR_HOUR);
        sum += (double)phase[rep];
        for (uint64_t k = 0; k < rep; k++)
            ck_assert_msg(phase[k] != phase[rep], "reps %llu and %llu drew the same phase",
                          (unsigned long long)k, (unsigned long long)rep);
        /* the step at 2h is first published at 2h + phase (phase 0: at 2h itself) */
        por_time_t shows = 2 * POR_HOUR + phase[rep];
        ck_assert(por_sim_run(sim, shows - 1) == POR_OK);
        ck_assert(por_custodian_published(c, shows - 1) == 100000 || phase[rep] == 0);
        ck_assert(por_sim_run(sim, shows) == POR_OK);
        ck_assert(por_custodian_published(c, shows) == 1);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
        por_sim *again = por_sim_create(por_test_seed(), rep);
        c = por_custodian_create(&cfg, 0, again, NULL, 0, NULL);
        ck_assert_int_eq(por_custodian_attest_phase(c), phase[rep]);
        por_sim_destroy(again);
        por_custodian_destroy(c);
    }
    /* mean of 40 uniforms on [0, 1h): 30 min, sd 1h / sqrt(12 * 40) = 2.7 min; 5 sd */
    double mean_min = sum / REPS / (double)POR_MIN;
    ck_assert_msg(fabs(mean_min - 30.0) < 5 * 60.0 / sqrt(12.0 * REPS), "mean phase %.2f min", mean_min);
}
END_TEST

START_TEST(test_wallet_reads_confirmed_block)
{
    /* blocks every 12 s, 2 confirmations: a block is confirmed when the next one is mined.
     * The drain at 100 s lands in the 108 s block, confirmed at 120 s: a read at 119 s
     * still sees the balance as of the 96 s block, a read at 120 s sees the drain. */
    por_chain_config ch;
    memset(&ch, 0, sizeof ch);
    snprintf(ch.name, sizeof ch.name, "bitcoin");
    ch.block_time = 12 * POR_SEC;
    ch.confirmations = 2;
    ch.transmit_gas = 1;
    por_custodian_config cfg = base_cfg();
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 100 * POR_SEC, step.kind = POR_CHANGE_SET, step.amount = 25;
    cfg.steps = &step;
    cfg.nsteps = 1;
    cfg.source = POR_SOURCE_WALLET;
    cfg.wallet_chain = 0;
    por_sim *sim = por_sim_create(1, 0);
    por_chain *chain = por_chain_create(&ch, 0, sim);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    por_custodian_set_wallet_chain(c, chain);
    gsl_rng *r = test_rng("wallet-chain");
    por_amount v = -1;
    por_time_t lat;
    ck_assert(por_sim_run(sim, 100 * POR_SEC) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 25);
    ck_assert_int_eq(por_chain_confirmed_time(chain), 84 * POR_SEC);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 100000);
    ck_assert(por_sim_run(sim, 120 * POR_SEC - 1) == POR_OK);
    ck_assert_int_eq(por_chain_confirmed_time(chain), 96 * POR_SEC);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 100000);
    ck_assert(por_sim_run(sim, 120 * POR_SEC) == POR_OK);
    ck_assert_int_eq(por_chain_confirmed_time(chain), 108 * POR_SEC);
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    ck_assert(v == 25);
    ck_assert(por_custodian_published(c, 120 * POR_SEC) == 25);
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
    por_chain_destroy(chain);
}
END_TEST

START_TEST(test_change_now_and_delayed)
{
    /* deposits and payouts go through the change path: history, listeners, clamping */
    por_custodian_config cfg = base_cfg();
    cfg.attest_every = POR_HOUR;
    por_sim *sim = por_sim_create(1, 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, NULL, 0, NULL);
    changes ch = {0};
    por_custodian_add_listener(c, record_change, &ch);
    ck_assert(por_sim_run(sim, POR_MIN) == POR_OK);
    por_custodian_change(c, sim, 2345, 0);
    ck_assert(por_custodian_true_reserve(c) == 102345);
    ck_assert_uint_eq(ch.n, 1);
    ck_assert(ch.before[0] == 100000 && ch.after[0] == 102345 && ch.at[0] == POR_MIN);
    /* a payout larger than 64 bits can hold, delayed 10 min: carried exactly */
    por_custodian_change(c, sim, -((por_amount)1 << 70), 10 * POR_MIN);
    por_custodian_change(c, sim, -345, 5 * POR_MIN);
    ck_assert(por_sim_run(sim, 6 * POR_MIN) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 102000);
    ck_assert(ch.n == 2 && ch.at[1] == 6 * POR_MIN);
    ck_assert(por_sim_run(sim, 11 * POR_MIN) == POR_OK);
    ck_assert(por_custodian_true_reserve(c) == 0); /* clamped */
    ck_assert(ch.n == 3 && ch.at[2] == 11 * POR_MIN && ch.after[2] == 0);
    ck_assert(por_custodian_true_reserve_at(c, 2 * POR_MIN) == 102345);
    por_custodian_change(c, sim, (por_amount)1 << 80, 0);
    ck_assert(por_custodian_true_reserve(c) == (por_amount)1 << 80);
    changes_free(&ch);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("custodian");
    TCase *t = tcase_create("custodian");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_steps_exact);
    tcase_add_test(t, test_random_walk_moments);
    tcase_add_test(t, test_linear_growth_exact);
    tcase_add_test(t, test_attestation_lag_exact);
    tcase_add_test(t, test_history_pruned_but_correct);
    tcase_add_test(t, test_failure_rate);
    tcase_add_test(t, test_outage_ripcord_windows);
    tcase_add_test(t, test_rate_limit_rolling_minute);
    tcase_add_test(t, test_wallet_is_live_and_reliable);
    tcase_add_test(t, test_fraud_hide_drain_and_misreport);
    tcase_add_test(t, test_bad_config_refused);
    tcase_add_test(t, test_attestation_phase_fixed_exact);
    tcase_add_test(t, test_attestation_phase_random_per_replication);
    tcase_add_test(t, test_wallet_reads_confirmed_block);
    tcase_add_test(t, test_change_now_and_delayed);
    tcase_add_test(t, test_attestation_skips_weekends);
    tcase_add_test(t, test_read_same_as_published_across_changes);
    tcase_add_test(t, test_plain_read_by_definition);
    tcase_add_test(t, test_outage_or_ripcord_alone);
    suite_add_tcase(s, t);
    return s;
}
