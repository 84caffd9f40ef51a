/* Token and Secure Mint: each margin mode at its exact boundary, staleness, future and
 * non-positive answers, decimals scaling, overflow refusal, request processes (Poisson
 * rate, bursts, schedules, MINTER attacks), redemptions that are never blocked, and
 * bridge transfers (burn now, release after the delay, drawn delays and pairs, exact
 * conservation with tokens in flight, refusals, Secure Mint blind to the flight). */
#include "por_test.h"

#include "por/metrics.h"
#include "por/token.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static por_round_data answer(por_amount a, por_time_t updated)
{
    por_round_data rd;
    memset(&rd, 0, sizeof rd);
    rd.round_id = 1;
    rd.answered_in_round = 1;
    rd.answer = a;
    rd.started_at = updated;
    rd.updated_at = updated;
    return rd;
}

/* A guard with margin MODE: BP basis points (percent modes) or ABS base units. */
static por_secure_mint_config guard(por_margin_mode mode, int64_t bp, por_amount abs)
{
    por_secure_mint_config c;
    memset(&c, 0, sizeof c);
    c.enabled = true;
    c.max_staleness = 26 * POR_HOUR;
    c.margin_mode = mode;
    c.margin_bp = bp;
    c.margin_amount = abs;
    return c;
}

/* Checks that minting LIMIT - SUPPLY passes and one base unit more is refused. */
static void check_boundary(const por_secure_mint_config *c, por_amount reserve, por_amount supply,
                           por_amount limit)
{
    por_round_data rd = answer(reserve, 0);
    por_amount m = -1;
    ck_assert_int_eq(por_secure_mint_check(c, &rd, 6, 6, supply, limit - supply, 10, &m),
                     POR_MINT_ACCEPTED);
    ck_assert(m == limit);
    ck_assert_int_eq(por_secure_mint_check(c, &rd, 6, 6, supply, limit - supply + 1, 10, &m),
                     POR_MINT_EXCEEDS_RESERVE);
}

START_TEST(test_margin_boundaries)
{
    const por_amount R = 1000000000007, S = 400000000000;
    por_secure_mint_config c = guard(POR_MARGIN_NONE, 0, 0);
    check_boundary(&c, R, S, R);
    /* positive 2.5 %: floor(1000000000007 * 0.975) = floor(975000000006.825) */
    c = guard(POR_MARGIN_POSITIVE_PERCENT, 250, 0);
    check_boundary(&c, R, S, 975000000006);
    /* negative 3 %: floor(1000000000007 * 1.03) = floor(1030000000007.21) */
    c = guard(POR_MARGIN_NEGATIVE_PERCENT, 300, 0);
    check_boundary(&c, R, S, 1030000000007);
    c = guard(POR_MARGIN_POSITIVE_ABSOLUTE, 0, 5000000);
    check_boundary(&c, R, S, R - 5000000);
    c = guard(POR_MARGIN_NEGATIVE_ABSOLUTE, 0, 5000000);
    check_boundary(&c, R, S, R + 5000000);
    /* positive absolute above the reserve: mintable 0, even 1 unit on 0 supply refused */
    c = guard(POR_MARGIN_POSITIVE_ABSOLUTE, 0, R + 1);
    por_amount m;
    ck_assert(por_secure_mint_mintable(&c, R, &m) && m == 0);
    por_round_data rd = answer(R, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, 10, NULL),
                     POR_MINT_EXCEEDS_RESERVE);
    /* 100 % positive margin: nothing mintable; percent margins above 100 % are invalid */
    c = guard(POR_MARGIN_POSITIVE_PERCENT, POR_BASIS_POINTS, 0);
    ck_assert(por_secure_mint_mintable(&c, R, &m) && m == 0);
    c = guard(POR_MARGIN_NEGATIVE_PERCENT, POR_BASIS_POINTS + 1, 0);
    ck_assert(!por_secure_mint_mintable(&c, R, &m));
}
END_TEST

START_TEST(test_margin_exact_at_128_bits)
{
    /* 10^37 base units: r * (10000 - m) * 1e5 would overflow 128 bits if formed directly. */
    por_amount r = por_amount_pow10(37), m, want;
    por_secure_mint_config c = guard(POR_MARGIN_POSITIVE_PERCENT, 250, 0);
    ck_assert(por_secure_mint_mintable(&c, r, &m));
    want = 975 * por_amount_pow10(34);
    ck_assert(m == want);
    c = guard(POR_MARGIN_NEGATIVE_PERCENT, 300, 0);
    ck_assert(por_secure_mint_mintable(&c, r + 7, &m));
    want = 103 * por_amount_pow10(35) + 7; /* floor(7 * 1.03) = 7 */
    ck_assert(m == want);
    /* negative absolute past 2^127 - 1: refused as overflow */
    c = guard(POR_MARGIN_NEGATIVE_ABSOLUTE, 0, POR_AMOUNT_MAX);
    por_round_data rd = answer(r, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, 10, NULL), POR_MINT_OVERFLOW);
    /* supply + amount past 2^127 - 1 */
    c = guard(POR_MARGIN_NONE, 0, 0);
    rd = answer(POR_AMOUNT_MAX, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, POR_AMOUNT_MAX - 5, 6, 10, NULL),
                     POR_MINT_OVERFLOW);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, POR_AMOUNT_MAX - 5, 5, 10, NULL),
                     POR_MINT_ACCEPTED);
}
END_TEST

START_TEST(test_staleness_future_and_bad_answers)
{
    por_secure_mint_config c = guard(POR_MARGIN_NONE, 0, 0);
    const por_time_t up = 1000 * POR_SEC;
    por_round_data rd = answer(1000000, up);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up + 26 * POR_HOUR, NULL),
                     POR_MINT_ACCEPTED);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up + 26 * POR_HOUR + 1, NULL),
                     POR_MINT_STALE);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up - 1, NULL),
                     POR_MINT_FUTURE_ANSWER);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up, NULL), POR_MINT_ACCEPTED);
    c.max_staleness = 0; /* no staleness check, as maxStalenessSeconds = 0 */
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up + 3650 * POR_DAY, NULL),
                     POR_MINT_ACCEPTED);
    rd.answer = 0;
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up, NULL), POR_MINT_BAD_ANSWER);
    rd.answer = -5;
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up, NULL), POR_MINT_BAD_ANSWER);
    memset(&rd, 0, sizeof rd);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up, NULL), POR_MINT_NO_ANSWER);
    /* a disabled guard accepts without any answer */
    c.enabled = false;
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 6, 0, 1, up, NULL), POR_MINT_ACCEPTED);
}
END_TEST

START_TEST(test_decimals_scaling)
{
    por_secure_mint_config c = guard(POR_MARGIN_NONE, 0, 0);
    por_round_data rd = answer(123456789, 0); /* 1.23456789 at 8 decimals */
    por_amount m;
    /* feed 8 -> token 18: exact up-scaling */
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 8, 18, 0, 1234567890000000000LL, 0, &m),
                     POR_MINT_ACCEPTED);
    ck_assert(m == 1234567890000000000LL);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 8, 18, 0, 1234567890000000001LL, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
    /* feed 8 -> token 6: truncation (1.234567) */
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 8, 6, 0, 1234567, 0, &m), POR_MINT_ACCEPTED);
    ck_assert(m == 1234567);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 8, 6, 0, 1234568, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
    /* feed 18 -> token 6 */
    rd = answer(1234567890123456789LL, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 18, 6, 0, 1234567, 0, &m), POR_MINT_ACCEPTED);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 18, 6, 0, 1234568, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
    /* feed 6 -> token 8 and 18 */
    rd = answer(1, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 8, 0, 100, 0, &m), POR_MINT_ACCEPTED);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 8, 0, 101, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 18, 0, 1000000000000LL, 0, &m),
                     POR_MINT_ACCEPTED);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 6, 18, 0, 1000000000001LL, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
    /* feed 18 -> token 8: 199e10 + 9 base units at 18 decimals -> 199 at 8 */
    rd = answer(1990000000009LL, 0);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 18, 8, 0, 199, 0, &m), POR_MINT_ACCEPTED);
    ck_assert_int_eq(por_secure_mint_check(&c, &rd, 18, 8, 0, 200, 0, &m),
                     POR_MINT_EXCEEDS_RESERVE);
}
END_TEST

START_TEST(test_exact_ratio_helpers)
{
    /* 256-bit products: equal, off by one, and signs */
    ck_assert_int_eq(por_amount_cmp_products(POR_AMOUNT_MAX, 2, 2, POR_AMOUNT_MAX), 0);
    ck_assert_int_gt(por_amount_cmp_products(POR_AMOUNT_MAX, POR_AMOUNT_MAX, POR_AMOUNT_MAX,
                                             POR_AMOUNT_MAX - 1), 0);
    ck_assert_int_lt(por_amount_cmp_products(POR_AMOUNT_MIN, 3, POR_AMOUNT_MIN, 2), 0);
    ck_assert_int_lt(por_amount_cmp_products(-1, 5, 0, 0), 0);
    ck_assert_int_gt(por_amount_cmp_products(-1, -5, 4, 1), 0);
    /* ratios: the boundary itself is not below */
    ck_assert(por_ratio_below(999999999, 1000000000, POR_PPB_ONE));
    ck_assert(!por_ratio_below(1000000000, 1000000000, POR_PPB_ONE));
    ck_assert(!por_ratio_below(5, 0, POR_PPB_ONE));
    ck_assert(!por_ratio_below(0, 0, POR_PPB_ONE));
    ck_assert(por_ratio_below(0, 1, 1));
    /* 1e36 / (1e36 + 1) < 1: the products need more than 128 bits */
    por_amount e36 = por_amount_pow10(36);
    ck_assert(por_ratio_below(e36, e36 + 1, POR_PPB_ONE));
    ck_assert(!por_ratio_below(e36, e36, POR_PPB_ONE));
    ck_assert(por_ratio_below(98 * e36 / 100 - 1, e36, 980000000));
    ck_assert(!por_ratio_below(98 * e36 / 100, e36, 980000000));
    /* doubles become exact amounts by rounding half away from zero, saturating */
    ck_assert(por_amount_from_double(2.5) == 3);
    ck_assert(por_amount_from_double(-2.5) == -3);
    ck_assert(por_amount_from_double(1e40) == POR_AMOUNT_MAX);
    ck_assert(por_amount_from_double(-1e40) == POR_AMOUNT_MIN);
    ck_assert(por_amount_from_double(NAN) == 0);
    ck_assert(por_amount_from_double(ldexp(1.0, 100)) == (por_amount)1 << 100);
    por_amount m;
    ck_assert(por_amount_mul_ppb_floor(1999999999, 500000000, &m) && m == 999999999);
    ck_assert(!por_amount_mul_ppb_floor(POR_AMOUNT_MAX, 2 * POR_PPB_ONE, &m));
    ck_assert(!por_amount_mul_ppb_floor(-1, POR_PPB_ONE, &m));
}
END_TEST

/* ---- the token entity with a fake feed ---- */

typedef struct {
    por_round_data rd;
} fake_feed;

static void fake_latest(void *ctx, por_round_data *out) { *out = ((fake_feed *)ctx)->rd; }

typedef struct {
    size_t mints, refused, redeems, attacker;
    por_time_t last_at, first_at;
    size_t same_instant_max, run;
    double amount_sum;
    por_amount min_supply;
    por_time_t attack_at[8];
} tally;

static void count_event(void *ctx, por_sim *sim, const por_supply_event *ev)
{
    tally *t = ctx;
    por_time_t now = por_sim_now(sim);
    t->run = now == t->last_at ? t->run + 1 : 1;
    if (t->run > t->same_instant_max)
        t->same_instant_max = t->run;
    t->last_at = now;
    if (ev->supply_after < t->min_supply)
        t->min_supply = ev->supply_after;
    if (ev->redeem) {
        t->redeems++;
        return;
    }
    if (ev->by_attacker && t->attacker < 8)
        t->attack_at[t->attacker] = now;
    t->attacker += ev->by_attacker;
    if (ev->result == POR_MINT_ACCEPTED) {
        t->mints++;
        t->amount_sum += (double)ev->amount;
    } else {
        t->refused++;
    }
}

static por_token_config token_cfg(uint32_t *chains, size_t n, por_amount *initial)
{
    por_token_config c;
    memset(&c, 0, sizeof c);
    c.chains = chains;
    c.nchains = n;
    c.decimals = 6;
    c.initial_supply = initial;
    c.secure_mint = guard(POR_MARGIN_NONE, 0, 0);
    return c;
}

START_TEST(test_poisson_rate_and_amounts)
{
    uint32_t chains[2] = {0, 1};
    por_token_config cfg = token_cfg(chains, 2, NULL);
    cfg.secure_mint.enabled = false;
    cfg.mints.kind = POR_PROCESS_POISSON;
    cfg.mints.per_day = 48;
    cfg.mints.amount.kind = POR_DIST_EXPONENTIAL;
    cfg.mints.amount.mean = 1000000000; /* 1000 tokens */
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(por_test_seed(), 1);
    por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0,
                                    0, NULL);
    ck_assert_ptr_nonnull(t);
    tally tl = {0};
    por_token_add_listener(t, count_event, &tl);
    const double days = 1000;
    ck_assert(por_sim_run(sim, (por_time_t)days * POR_DAY) == POR_OK);
    double want = 48 * days;
    printf("poisson mints: %zu in %.0f days (want %.0f), mean amount %.4g (want 1e9)\n",
           tl.mints, days, want, tl.amount_sum / (double)tl.mints);
    ck_assert(fabs((double)tl.mints - want) < 5 * sqrt(want));
    ck_assert(fabs(tl.amount_sum / (double)tl.mints / 1e9 - 1) < 5 / sqrt((double)tl.mints));
    ck_assert(por_token_total_supply(t) ==
              por_token_supply(t, 0) + por_token_supply(t, 1));
    ck_assert(por_token_supply(t, 0) > 0 && por_token_supply(t, 1) > 0);
    por_token_stats s;
    por_token_get_stats(t, &s);
    ck_assert(s.minted == por_token_total_supply(t));
    ck_assert_uint_eq(s.mints_accepted, tl.mints);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_bursts_arrive_together)
{
    uint32_t chains[1] = {0};
    por_token_config cfg = token_cfg(chains, 1, NULL);
    cfg.secure_mint.enabled = false;
    cfg.mints.kind = POR_PROCESS_BURST;
    cfg.mints.per_day = 50;
    cfg.mints.burst_size = 5;
    cfg.mints.amount.kind = POR_DIST_CONSTANT;
    cfg.mints.amount.value = 3;
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(por_test_seed(), 2);
    por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0,
                                    0, NULL);
    tally tl = {0};
    por_token_add_listener(t, count_event, &tl);
    ck_assert(por_sim_run(sim, 200 * POR_DAY) == POR_OK);
    ck_assert_uint_eq(tl.mints % 5, 0);
    ck_assert_uint_eq(tl.same_instant_max, 5);
    double bursts = (double)tl.mints / 5, want = 10 * 200;
    ck_assert(fabs(bursts - want) < 5 * sqrt(want));
    ck_assert(por_token_total_supply(t) == 3 * (por_amount)tl.mints);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_redemptions_never_blocked)
{
    uint32_t chains[2] = {0, 1};
    por_amount initial[2] = {5000, 7000};
    por_token_config cfg = token_cfg(chains, 2, initial);
    /* the guard refuses every mint (no answer), redemptions still go through */
    cfg.mints.kind = POR_PROCESS_POISSON;
    cfg.mints.per_day = 100;
    cfg.mints.amount.kind = POR_DIST_CONSTANT;
    cfg.mints.amount.value = 10;
    cfg.redeems.kind = POR_PROCESS_POISSON;
    cfg.redeems.per_day = 100;
    cfg.redeems.amount.kind = POR_DIST_UNIFORM;
    cfg.redeems.amount.min = 1;
    cfg.redeems.amount.max = 400;
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(por_test_seed(), 3);
    por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0,
                                    0, NULL);
    tally tl = {0};
    tl.min_supply = POR_AMOUNT_MAX;
    por_token_add_listener(t, count_event, &tl);
    ck_assert(por_sim_run(sim, 30 * POR_DAY) == POR_OK);
    por_token_stats s;
    por_token_get_stats(t, &s);
    ck_assert_uint_eq(tl.mints, 0);
    ck_assert_uint_eq(s.mints_refused[POR_MINT_NO_ANSWER], tl.refused);
    ck_assert(tl.refused > 1000);
    ck_assert(tl.redeems > 1000);
    ck_assert(s.redeemed == 12000); /* everything burned, never below zero */
    ck_assert(por_token_total_supply(t) == 0 && tl.min_supply == 0);
    /* a redemption larger than the chain's supply burns exactly that supply */
    por_sim_destroy(sim);
    por_token_destroy(t);

    sim = por_sim_create(1, 0);
    cfg.mints.kind = cfg.redeems.kind = POR_PROCESS_NONE;
    t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, NULL);
    ck_assert(por_token_redeem(t, sim, 1, 9000) == 7000);
    ck_assert(por_token_supply(t, 1) == 0 && por_token_supply(t, 0) == 5000);
    ck_assert(por_token_total_supply(t) == 5000);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_schedule_attack_and_overflow)
{
    uint32_t chains[2] = {2, 5};
    por_amount initial[2] = {100, 0};
    por_token_config cfg = token_cfg(chains, 2, initial);
    por_scheduled_request sched[2] = {{POR_HOUR / 2, 50, 5, -1}, {POR_HOUR / 2, 1, -1, -1}};
    cfg.mints.kind = POR_PROCESS_SCHEDULED;
    cfg.mints.scheduled = sched;
    cfg.mints.nscheduled = 2;
    por_attack_config att;
    memset(&att, 0, sizeof att);
    att.kind = POR_ATTACK_MINTER;
    att.window.from = POR_HOUR;
    att.window.until = 5 * POR_HOUR;
    att.mint_amount = 200;
    att.mint_attempts = 4;
    fake_feed feed = {answer(551, 0)}; /* reserve 551: 100 + 50 + 1 + 2*200 fits exactly */
    por_sim *sim = por_sim_create(1, 0);
    por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, &att, 1,
                                    10 * POR_HOUR, NULL);
    ck_assert_ptr_nonnull(t);
    tally tl = {0};
    por_token_add_listener(t, count_event, &tl);
    ck_assert(por_sim_run(sim, 10 * POR_HOUR) == POR_OK);
    ck_assert(por_token_supply(t, 1) == 50);
    ck_assert(por_token_supply(t, 0) == 100 + 1 + 400);
    ck_assert_uint_eq(tl.attacker, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(tl.attack_at[i], (1 + i) * POR_HOUR);
    por_token_stats s;
    por_token_get_stats(t, &s);
    ck_assert_uint_eq(s.attacker_mints_accepted, 2);
    ck_assert_uint_eq(s.mints_refused[POR_MINT_EXCEEDS_RESERVE], 2);
    /* a mint that would overflow the supply is refused and counted, supply unchanged */
    feed.rd = answer(POR_AMOUNT_MAX, 0);
    ck_assert_int_eq(por_token_mint(t, sim, 0, POR_AMOUNT_MAX - 10, false), POR_MINT_OVERFLOW);
    ck_assert(por_token_total_supply(t) == 551);
    por_token_get_stats(t, &s);
    ck_assert_uint_eq(s.mints_refused[POR_MINT_OVERFLOW], 1);
    por_sim_destroy(sim);
    por_token_destroy(t);

    /* a schedule naming a chain the token is not on is bad input */
    sched[0].chain = 3;
    sim = por_sim_create(1, 0);
    por_error err;
    ck_assert_ptr_null(por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL,
                                        0, 0, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    por_sim_destroy(sim);
}
END_TEST

/* ---- bridge transfers ---- */

/* What a bridge listener saw: every event, with the token's state right after it. */
typedef struct {
    por_token *t;
    size_t n;
    struct {
        por_time_t at;
        por_supply_event ev;
        por_amount chain[3], in_flight, outstanding;
    } e[512];
    bool conserved; /* on-chain + in flight == initial + minted - redeemed after each event */
    por_amount initial;
    size_t checked;
} bridge_log;

static void log_event(void *ctx, por_sim *sim, const por_supply_event *ev)
{
    bridge_log *l = ctx;
    por_token_stats s;
    por_token_get_stats(l->t, &s);
    por_amount sum = 0;
    for (uint32_t k = 0; k < por_token_nchains(l->t); k++)
        sum += por_token_supply(l->t, k);
    if (sum != por_token_total_supply(l->t) ||
        sum + por_token_in_flight(l->t) != l->initial + s.minted - s.redeemed ||
        por_token_outstanding(l->t) != sum + por_token_in_flight(l->t) ||
        ev->in_flight != por_token_in_flight(l->t) || por_token_in_flight(l->t) < 0 ||
        por_token_in_flight(l->t) > s.max_in_flight)
        l->conserved = false;
    l->checked++;
    if (l->n == sizeof l->e / sizeof l->e[0])
        return;
    l->e[l->n].at = por_sim_now(sim);
    l->e[l->n].ev = *ev;
    for (uint32_t k = 0; k < por_token_nchains(l->t) && k < 3; k++)
        l->e[l->n].chain[k] = por_token_supply(l->t, k);
    l->e[l->n].in_flight = por_token_in_flight(l->t);
    l->e[l->n].outstanding = por_token_outstanding(l->t);
    l->n++;
}

static por_token *bridge_token(const por_token_config *cfg, por_sim *sim, fake_feed *feed,
                               bridge_log *l)
{
    por_error err = {0};
    por_token *t = por_token_create(cfg, sim, (por_feed_reader){fake_latest, feed, 6}, NULL, 0,
                                    10 * POR_DAY, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    memset(l, 0, sizeof *l);
    l->t = t;
    l->conserved = true;
    for (size_t i = 0; i < cfg->nchains && cfg->initial_supply; i++)
        l->initial += cfg->initial_supply[i];
    por_token_add_listener(t, log_event, l);
    return t;
}

START_TEST(test_bridge_burn_now_release_after_delay)
{
    /* chains 4 and 9 (slots 0, 1); 1000 on slot 0. A transfer of 300 at 1h burns at 1h
     * and is released at exactly 1h10m; meanwhile it is on no chain but outstanding. A
     * transfer of 701 at 2h (slot 0 holds 700) is refused and changes nothing; one of
     * exactly 700 at 3h goes through. */
    static bridge_log l;
    uint32_t chains[2] = {4, 9};
    por_amount initial[2] = {1000, 0};
    por_token_config cfg = token_cfg(chains, 2, initial);
    por_scheduled_request sched[3] = {
        {POR_HOUR, 300, 4, 9}, {2 * POR_HOUR, 701, 4, 9}, {3 * POR_HOUR, 700, 4, -1}};
    cfg.bridges.kind = POR_PROCESS_SCHEDULED;
    cfg.bridges.scheduled = sched;
    cfg.bridges.nscheduled = 3;
    cfg.bridge_from = cfg.bridge_to = -1;
    cfg.bridge_delay_dist = (por_duration_dist){.kind = POR_DIST_CONSTANT, .value = 10 * POR_MIN};
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(1, 0);
    por_token *t = bridge_token(&cfg, sim, &feed, &l);
    ck_assert(por_sim_run(sim, 5 * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(l.n, 5); /* burn, release, refusal, burn, release */
    /* the burn: immediate, source only */
    ck_assert(l.e[0].ev.bridge && l.e[0].ev.redeem && !l.e[0].ev.bridge_refused);
    ck_assert_int_eq(l.e[0].at, POR_HOUR);
    ck_assert_uint_eq(l.e[0].ev.chain_slot, 0);
    ck_assert_uint_eq(l.e[0].ev.other_slot, 1);
    ck_assert(l.e[0].chain[0] == 700 && l.e[0].chain[1] == 0);
    ck_assert(l.e[0].in_flight == 300 && l.e[0].outstanding == 1000);
    ck_assert(l.e[0].ev.supply_before == 1000 && l.e[0].ev.supply_after == 700);
    ck_assert(!l.e[0].ev.guarded && !l.e[0].ev.backed);
    /* the release: exactly bridge_delay later, destination only */
    ck_assert(l.e[1].ev.bridge && !l.e[1].ev.redeem);
    ck_assert_int_eq(l.e[1].at, POR_HOUR + 10 * POR_MIN);
    ck_assert_uint_eq(l.e[1].ev.chain_slot, 1);
    ck_assert_uint_eq(l.e[1].ev.other_slot, 0);
    ck_assert(l.e[1].chain[0] == 700 && l.e[1].chain[1] == 300);
    ck_assert(l.e[1].in_flight == 0 && l.e[1].outstanding == 1000);
    /* the refusal */
    ck_assert(l.e[2].ev.bridge && l.e[2].ev.bridge_refused && l.e[2].ev.amount == 701);
    ck_assert_int_eq(l.e[2].at, 2 * POR_HOUR);
    ck_assert(l.e[2].chain[0] == 700 && l.e[2].chain[1] == 300 && l.e[2].in_flight == 0);
    /* the whole source supply may leave; a drawn destination is the only other chain */
    ck_assert_int_eq(l.e[3].at, 3 * POR_HOUR);
    ck_assert(l.e[3].chain[0] == 0 && l.e[3].in_flight == 700 && l.e[3].ev.other_slot == 1);
    ck_assert_int_eq(l.e[4].at, 3 * POR_HOUR + 10 * POR_MIN);
    ck_assert(l.e[4].chain[0] == 0 && l.e[4].chain[1] == 1000 && l.e[4].in_flight == 0);
    ck_assert(l.conserved);
    por_token_stats s;
    por_token_get_stats(t, &s);
    ck_assert_uint_eq(s.bridge_requests, 3);
    ck_assert_uint_eq(s.bridge_transfers, 2);
    ck_assert_uint_eq(s.bridge_refused, 1);
    ck_assert_uint_eq(s.bridge_releases, 2);
    ck_assert(s.bridged == 1000 && s.max_in_flight == 700);
    ck_assert(s.redeemed == 0 && s.redeems == 0 && s.mint_requests == 0); /* not redemptions */
    /* the API: a non-positive or over-large transfer is refused, nothing burned */
    ck_assert(!por_token_bridge(t, sim, 1, 0, 0));
    ck_assert(!por_token_bridge(t, sim, 1, 0, 1001));
    ck_assert(por_token_bridge(t, sim, 1, 0, 1000));
    ck_assert(por_token_supply(t, 1) == 0 && por_token_in_flight(t) == 1000);
    ck_assert(por_token_total_supply(t) == 0 && por_token_outstanding(t) == 1000);
    por_token_get_stats(t, &s);
    ck_assert_uint_eq(s.bridge_refused, 3);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_bridge_delay_drawn)
{
    /* 200 transfers an hour apart (so each is released before the next: pairs are in
     * order), delay uniform in [5m, 15m]: every delay inside, mean 10m. */
    static bridge_log l;
    enum { N = 200 };
    static por_scheduled_request sched[N];
    uint32_t chains[2] = {0, 1};
    por_amount initial[2] = {1000000, 1000000};
    por_token_config cfg = token_cfg(chains, 2, initial);
    for (int i = 0; i < N; i++)
        sched[i] = (por_scheduled_request){(i + 1) * POR_HOUR, i + 1, -1, -1};
    cfg.bridges.kind = POR_PROCESS_SCHEDULED;
    cfg.bridges.scheduled = sched;
    cfg.bridges.nscheduled = N;
    cfg.bridge_from = cfg.bridge_to = -1;
    cfg.bridge_delay_dist.kind = POR_DIST_UNIFORM;
    cfg.bridge_delay_dist.min = 5 * POR_MIN;
    cfg.bridge_delay_dist.max = 15 * POR_MIN;
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(por_test_seed(), 7);
    por_token *t = bridge_token(&cfg, sim, &feed, &l);
    ck_assert(por_sim_run(sim, (N + 2) * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(l.n, 2 * N);
    double sum = 0, lo = 1e30, hi = 0;
    size_t to1 = 0;
    for (int i = 0; i < N; i++) {
        const por_supply_event *burn = &l.e[2 * i].ev, *rel = &l.e[2 * i + 1].ev;
        ck_assert(burn->redeem && !rel->redeem && burn->amount == i + 1 && rel->amount == i + 1);
        ck_assert_uint_eq(rel->chain_slot, burn->other_slot);
        ck_assert_uint_eq(burn->chain_slot, rel->other_slot);
        ck_assert_uint_ne(burn->chain_slot, burn->other_slot);
        to1 += burn->other_slot == 1;
        por_time_t d = l.e[2 * i + 1].at - l.e[2 * i].at;
        ck_assert_int_ge(d, 5 * POR_MIN);
        ck_assert_int_le(d, 15 * POR_MIN);
        double m = (double)d / (double)POR_MIN;
        sum += m;
        lo = m < lo ? m : lo;
        hi = m > hi ? m : hi;
    }
    double mean = sum / N, se = 10.0 / sqrt(12.0 * N);
    printf("bridge delays: mean %.3f min (want 10), min %.2f, max %.2f; %zu of %d to slot 1\n", mean,
           lo, hi, to1, N);
    ck_assert(fabs(mean - 10.0) < 5 * se);
    ck_assert(hi - lo > 5.0);
    ck_assert(fabs((double)to1 - N / 2.0) < 5 * sqrt(N / 4.0)); /* both directions drawn */
    ck_assert(l.conserved);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_bridge_conservation_random)
{
    /* Three chains, Poisson mints, redemptions and random-pair transfers with exponential
     * delays over 60 days: after every event, on-chain + in flight == initial + minted -
     * redeemed exactly, and on-chain == the sum over chains. Transfers often exceed a
     * chain's supply (refused); every ordered pair of distinct chains occurs about 1/6 of
     * the time. */
    static bridge_log l;
    uint32_t chains[3] = {0, 1, 2};
    por_amount initial[3] = {5000, 0, 1234};
    por_token_config cfg = token_cfg(chains, 3, initial);
    cfg.secure_mint.enabled = false;
    cfg.mints.kind = POR_PROCESS_POISSON;
    cfg.mints.per_day = 40;
    cfg.mints.amount.kind = POR_DIST_UNIFORM;
    cfg.mints.amount.min = 1;
    cfg.mints.amount.max = 1000;
    cfg.redeems.kind = POR_PROCESS_POISSON;
    cfg.redeems.per_day = 30;
    cfg.redeems.amount.kind = POR_DIST_UNIFORM;
    cfg.redeems.amount.min = 1;
    cfg.redeems.amount.max = 1000;
    cfg.bridges.kind = POR_PROCESS_BURST;
    cfg.bridges.per_day = 120;
    cfg.bridges.burst_size = 3;
    cfg.bridges.amount.kind = POR_DIST_LOGNORMAL;
    cfg.bridges.amount.median = 800;
    cfg.bridges.amount.sigma = 1.2;
    cfg.bridge_from = cfg.bridge_to = -1;
    cfg.bridge_delay_dist.kind = POR_DIST_EXPONENTIAL;
    cfg.bridge_delay_dist.mean = 3 * POR_HOUR;
    fake_feed feed = {{0}};
    por_sim *sim = por_sim_create(por_test_seed(), 11);
    por_token *t = bridge_token(&cfg, sim, &feed, &l);
    ck_assert(por_sim_run(sim, 60 * POR_DAY) == POR_OK);
    por_token_stats s;
    por_token_get_stats(t, &s);
    printf("bridge conservation: %zu events checked; %llu transfers, %llu refused, %llu released, "
           "max in flight %lld\n",
           l.checked, (unsigned long long)s.bridge_transfers, (unsigned long long)s.bridge_refused,
           (unsigned long long)s.bridge_releases, (long long)s.max_in_flight);
    ck_assert(l.conserved);
    ck_assert_uint_gt(l.checked, 8000);
    ck_assert_uint_gt(s.bridge_transfers, 1000);
    ck_assert_uint_gt(s.bridge_refused, 100);
    ck_assert_uint_eq(s.bridge_requests, s.bridge_transfers + s.bridge_refused);
    ck_assert_uint_le(s.bridge_releases, s.bridge_transfers);
    ck_assert(por_token_total_supply(t) + por_token_in_flight(t) == 5000 + 1234 + s.minted - s.redeemed);
    ck_assert(s.max_in_flight > 0);
    /* transfers draw from their own streams: the same token without them makes exactly
     * the same mints (the guard is off, so mints do not depend on the supply) */
    static bridge_log l2;
    por_token_config plain = cfg;
    plain.bridges.kind = POR_PROCESS_NONE;
    por_sim *sim2 = por_sim_create(por_test_seed(), 11);
    por_token *t2 = bridge_token(&plain, sim2, &feed, &l2);
    ck_assert(por_sim_run(sim2, 60 * POR_DAY) == POR_OK);
    por_token_stats s2;
    por_token_get_stats(t2, &s2);
    ck_assert_uint_eq(s2.mints_accepted, s.mints_accepted);
    ck_assert(s2.minted == s.minted);
    ck_assert_uint_eq(s2.redeems, s.redeems);
    ck_assert(l2.conserved);
    por_sim_destroy(sim2);
    por_token_destroy(t2);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

/* Counts burns per ordered (source, destination) pair of a 3-chain token. */
typedef struct {
    size_t pair[3][3];
} pair_count;

static void count_pairs(void *ctx, por_sim *sim, const por_supply_event *ev)
{
    (void)sim;
    pair_count *p = ctx;
    if (ev->bridge && ev->redeem)
        p->pair[ev->chain_slot][ev->other_slot]++;
}

START_TEST(test_bridge_random_pairs)
{
    /* Random pairs: both ends drawn give all six ordered pairs of distinct chains equally
     * often; a fixed source draws the destination among the two others. */
    uint32_t chains[3] = {0, 1, 2};
    por_amount big = por_amount_pow10(30);
    por_amount initial[3] = {big, big, big};
    por_token_config cfg = token_cfg(chains, 3, initial);
    cfg.bridges.kind = POR_PROCESS_POISSON;
    cfg.bridges.per_day = 600;
    cfg.bridges.amount.kind = POR_DIST_CONSTANT;
    cfg.bridges.amount.value = 1;
    cfg.bridge_from = cfg.bridge_to = -1;
    cfg.bridge_delay_dist = (por_duration_dist){.kind = POR_DIST_CONSTANT, .value = POR_MIN};
    fake_feed feed = {{0}};
    for (int fixed = 0; fixed < 2; fixed++) {
        cfg.bridge_from = fixed ? 2 : -1;
        por_sim *sim = por_sim_create(por_test_seed(), 20 + (uint64_t)fixed);
        por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0,
                                        0, NULL);
        ck_assert_ptr_nonnull(t);
        pair_count pc;
        memset(&pc, 0, sizeof pc);
        por_token_add_listener(t, count_pairs, &pc);
        ck_assert(por_sim_run(sim, 30 * POR_DAY) == POR_OK);
        por_token_stats s;
        por_token_get_stats(t, &s);
        ck_assert_uint_eq(s.bridge_refused, 0);
        double n = (double)s.bridge_transfers, want = n / (fixed ? 2 : 6);
        for (int a = 0; a < 3; a++) {
            ck_assert_uint_eq(pc.pair[a][a], 0);
            for (int b = 0; b < 3; b++) {
                if (a == b)
                    continue;
                if (fixed && a != 2) {
                    ck_assert_uint_eq(pc.pair[a][b], 0);
                    continue;
                }
                ck_assert_msg(fabs((double)pc.pair[a][b] - want) < 5 * sqrt(want), "pair %d->%d: %zu of %.0f",
                              a, b, pc.pair[a][b], n);
            }
        }
        por_sim_destroy(sim);
        por_token_destroy(t);
    }
}
END_TEST

START_TEST(test_secure_mint_blind_to_in_flight)
{
    /* The documented gap: reserve 1000, 900 on slot 0, no margin. A transfer of 500 to
     * slot 1 at 1h takes 1h. At 1h30 Secure Mint sees on-chain supply 400 and accepts a
     * mint of 550 (400 + 550 <= 1000) although 1450 are outstanding; the release at 2h is
     * not checked and leaves 1450 on chain above mintable 1000. Without the transfer the
     * same mint is refused. */
    static bridge_log l;
    uint32_t chains[2] = {0, 1};
    por_amount initial[2] = {900, 0};
    por_token_config cfg = token_cfg(chains, 2, initial);
    cfg.secure_mint.supply = POR_SUPPLY_GLOBAL; /* the gap of a cross-chain supply view */
    por_scheduled_request transfer = {POR_HOUR, 500, 0, 1};
    por_scheduled_request mint = {POR_HOUR + 30 * POR_MIN, 550, -1, -1};
    cfg.bridges.kind = POR_PROCESS_SCHEDULED;
    cfg.bridges.scheduled = &transfer;
    cfg.bridges.nscheduled = 1;
    cfg.bridge_from = cfg.bridge_to = -1;
    cfg.bridge_delay_dist = (por_duration_dist){.kind = POR_DIST_CONSTANT, .value = POR_HOUR};
    cfg.mints.kind = POR_PROCESS_SCHEDULED;
    cfg.mints.scheduled = &mint;
    cfg.mints.nscheduled = 1;
    fake_feed feed = {answer(1000, 0)};
    por_sim *sim = por_sim_create(1, 0);
    por_token *t = bridge_token(&cfg, sim, &feed, &l);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(l.n, 3); /* burn, mint, release */
    const por_supply_event *m = &l.e[1].ev;
    ck_assert(!m->bridge && !m->redeem && m->guarded);
    ck_assert_int_eq(m->result, POR_MINT_ACCEPTED);
    ck_assert(m->mintable_known && m->mintable == 1000);
    ck_assert(m->supply_before == 400 && m->supply_after == 950 && m->in_flight == 500);
    ck_assert(l.e[1].outstanding == 1450);
    ck_assert(l.e[2].ev.bridge && !l.e[2].ev.redeem && !l.e[2].ev.guarded);
    ck_assert_int_eq(l.e[2].at, 2 * POR_HOUR);
    ck_assert(por_token_total_supply(t) == 1450 && por_token_in_flight(t) == 0);
    ck_assert(l.conserved);
    /* now the guard sees it all: even one unit is refused */
    ck_assert_int_eq(por_token_mint(t, sim, 0, 1, false), POR_MINT_EXCEEDS_RESERVE);
    por_sim_destroy(sim);
    por_token_destroy(t);
    /* control: the same mint without the transfer is refused */
    cfg.bridges.kind = POR_PROCESS_NONE;
    sim = por_sim_create(1, 0);
    t = bridge_token(&cfg, sim, &feed, &l);
    ck_assert(por_sim_run(sim, 3 * POR_HOUR) == POR_OK);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_int_eq(l.e[0].ev.result, POR_MINT_EXCEEDS_RESERVE);
    ck_assert(por_token_total_supply(t) == 900);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

START_TEST(test_supply_view_local_and_global)
{
    /* Rule (chainlink-ace SecureMintPolicy.sol run(): "amount + token.totalSupply() >
     * totalMintableSupply(reserve)" with token = IERC20(subject), the token contract on
     * the policy's own chain): with supply LOCAL each chain's guard compares its own
     * supply, so a token with 60 on chain A and 50 on chain B, reserve 100, accepts a
     * mint of 40 on A (60 + 40 <= 100) although 150 would then exist; GLOBAL compares the
     * sum (110 + 40 > 100) and refuses it. Equal supplies on one chain: the two agree. */
    uint32_t chains[2] = {0, 1};
    por_amount initial[2] = {60, 50};
    fake_feed feed = {answer(100, 0)};
    for (int view = POR_SUPPLY_LOCAL; view <= POR_SUPPLY_GLOBAL; view++) {
        por_token_config cfg = token_cfg(chains, 2, initial);
        cfg.secure_mint.supply = (por_supply_view)view;
        por_sim *sim = por_sim_create(1, 0);
        por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, NULL);
        ck_assert_ptr_nonnull(t);
        ck_assert(por_token_guard_supply(t, 0) == (view == POR_SUPPLY_LOCAL ? 60 : 110));
        ck_assert(por_token_guard_supply(t, 1) == (view == POR_SUPPLY_LOCAL ? 50 : 110));
        por_mint_result r = por_token_mint(t, sim, 0, 40, false);
        ck_assert_int_eq(r, view == POR_SUPPLY_LOCAL ? POR_MINT_ACCEPTED : POR_MINT_EXCEEDS_RESERVE);
        /* LOCAL: chain A is now at its limit (100), chain B still has 50 of headroom */
        if (view == POR_SUPPLY_LOCAL) {
            ck_assert_int_eq(por_token_mint(t, sim, 0, 1, false), POR_MINT_EXCEEDS_RESERVE);
            ck_assert_int_eq(por_token_mint(t, sim, 1, 50, false), POR_MINT_ACCEPTED);
            ck_assert(por_token_total_supply(t) == 200); /* twice the reserve, every guard content */
        }
        por_sim_destroy(sim);
        por_token_destroy(t);
    }
    /* one chain: both views read the same totalSupply */
    por_token_config one = token_cfg(chains, 1, initial);
    for (int view = POR_SUPPLY_LOCAL; view <= POR_SUPPLY_GLOBAL; view++) {
        one.secure_mint.supply = (por_supply_view)view;
        por_sim *sim = por_sim_create(1, 0);
        por_token *t = por_token_create(&one, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, NULL);
        ck_assert_int_eq(por_token_mint(t, sim, 0, 41, false), POR_MINT_EXCEEDS_RESERVE);
        ck_assert_int_eq(por_token_mint(t, sim, 0, 40, false), POR_MINT_ACCEPTED);
        por_sim_destroy(sim);
        por_token_destroy(t);
    }
}
END_TEST

START_TEST(test_margin_basis_points_limits)
{
    /* Rule (SecureMintPolicy.sol _setReserveMargin / totalMintableSupply): a percentage
     * margin is m basis points, 0 <= m <= BASIS_POINTS = 10,000; mintable is
     * reserves * (10000 -/+ m) / 10000 in integer division. So 1 bp positive on 10,001
     * units leaves floor(10001 * 9999 / 10000) = 9999; a 100 % negative margin (allowed:
     * m <= BASIS_POINTS) doubles the reserve; 10,001 bp is out of range. */
    por_amount m;
    por_secure_mint_config c = guard(POR_MARGIN_POSITIVE_PERCENT, 1, 0);
    ck_assert(por_secure_mint_mintable(&c, 10001, &m) && m == 9999);
    c = guard(POR_MARGIN_NEGATIVE_PERCENT, POR_BASIS_POINTS, 0);
    ck_assert(por_secure_mint_mintable(&c, 12345, &m) && m == 24690);
    c = guard(POR_MARGIN_NEGATIVE_PERCENT, 1, 0); /* floor(9999 * 10001 / 10000) = 9999 */
    ck_assert(por_secure_mint_mintable(&c, 9999, &m) && m == 9999);
    c = guard(POR_MARGIN_POSITIVE_PERCENT, POR_BASIS_POINTS + 1, 0);
    ck_assert(!por_secure_mint_mintable(&c, 10000, &m));
    c = guard(POR_MARGIN_POSITIVE_PERCENT, -1, 0);
    ck_assert(!por_secure_mint_mintable(&c, 10000, &m));
}
END_TEST

START_TEST(test_bridge_config_refused)
{
    uint32_t chains[2] = {0, 1};
    por_amount initial[2] = {10, 10};
    fake_feed feed = {{0}};
    por_error err;
    /* one chain */
    por_token_config cfg = token_cfg(chains, 1, initial);
    cfg.bridges.kind = POR_PROCESS_POISSON;
    cfg.bridges.per_day = 1;
    cfg.bridges.amount.kind = POR_DIST_CONSTANT;
    cfg.bridges.amount.value = 1;
    cfg.bridge_from = cfg.bridge_to = -1;
    por_sim *sim = por_sim_create(1, 0);
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "two chains"));
    /* a chain to itself (the zero-initialized 0 -> 0), a chain the token is not on */
    cfg.nchains = 2;
    cfg.bridge_from = cfg.bridge_to = 0;
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    cfg.bridge_from = 7;
    cfg.bridge_to = -1;
    ck_assert_ptr_null(por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, &err));
    por_scheduled_request rq = {POR_HOUR, 1, 1, 1};
    cfg.bridge_from = -1;
    cfg.bridges.kind = POR_PROCESS_SCHEDULED;
    cfg.bridges.scheduled = &rq;
    cfg.bridges.nscheduled = 1;
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "scheduled transfer 0"));
    /* and a valid one is accepted (one chain is fine without bridges) */
    rq.to_chain = 0;
    por_token *t = por_token_create(&cfg, sim, (por_feed_reader){fake_latest, &feed, 6}, NULL, 0, 0, &err);
    ck_assert_ptr_nonnull(t);
    por_sim_destroy(sim);
    por_token_destroy(t);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("token");
    TCase *t = tcase_create("token");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_margin_boundaries);
    tcase_add_test(t, test_margin_exact_at_128_bits);
    tcase_add_test(t, test_staleness_future_and_bad_answers);
    tcase_add_test(t, test_decimals_scaling);
    tcase_add_test(t, test_exact_ratio_helpers);
    tcase_add_test(t, test_poisson_rate_and_amounts);
    tcase_add_test(t, test_bursts_arrive_together);
    tcase_add_test(t, test_redemptions_never_blocked);
    tcase_add_test(t, test_schedule_attack_and_overflow);
    tcase_add_test(t, test_bridge_burn_now_release_after_delay);
    tcase_add_test(t, test_bridge_delay_drawn);
    tcase_add_test(t, test_bridge_conservation_random);
    tcase_add_test(t, test_bridge_random_pairs);
    tcase_add_test(t, test_secure_mint_blind_to_in_flight);
    tcase_add_test(t, test_bridge_config_refused);
    tcase_add_test(t, test_supply_view_local_and_global);
    tcase_add_test(t, test_margin_basis_points_limits);
    suite_add_tcase(s, t);
    return s;
}
