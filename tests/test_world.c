/* The world end to end on a small scenario built in C (n=4, f=1, 12 s blocks, hourly
 * attestations, 8 % reserve loss at day 1 of 2): onset exact, detection and mint block
 * finite and bounded, unbacked supply exact; no shortfall means onset censored and the
 * onset-relative metrics absent; replications are deterministic and distinct. */
#include "por_test.h"

#include "por/round_request.h"
#include "por/trace.h"
#include "por/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Everything a scenario points to, in one place. */
typedef struct {
    por_scenario sc;
    por_chain_config chain;
    por_custodian_config cust;
    por_reserve_step step;
    uint32_t sources[1];
    uint32_t token_chains[1];
    por_amount initial_supply[1];
    por_consumer_config consumer;
    por_consumer_threshold threshold;
} world_fixture;

static const por_time_t attest_every = POR_HOUR;
static const por_time_t poll_every = 10 * POR_MIN;

static void fixture_init(world_fixture *f, bool shortfall)
{
    memset(f, 0, sizeof *f);
    por_scenario *sc = &f->sc;
    snprintf(sc->name, sizeof sc->name, "world-test");
    sc->seed = 42;
    sc->replications = 2;
    sc->duration = 2 * POR_DAY;
    sc->onset_ratio_ppb = 1000000000;
    sc->network.latency.kind = POR_DIST_CONSTANT;
    sc->network.latency.value = 50 * POR_MS;

    snprintf(f->chain.name, sizeof f->chain.name, "ethereum");
    f->chain.block_time = 12 * POR_SEC;
    f->chain.confirmations = 1;
    f->chain.base_gas_gwei = 20;
    f->chain.transmit_gas = 250000;
    sc->chains = &f->chain;
    sc->nchains = 1;

    snprintf(f->cust.name, sizeof f->cust.name, "bank");
    snprintf(f->cust.unit, sizeof f->cust.unit, "USD");
    f->cust.decimals = 2;
    f->cust.source = POR_SOURCE_ATTESTED_API;
    f->cust.initial = (por_amount)100000000000LL; /* 1,000,000,000.00 */
    f->step.at = POR_DAY;
    f->step.kind = POR_CHANGE_RELATIVE_PPB;
    f->step.ppb = -80000000;
    f->cust.steps = &f->step;
    f->cust.nsteps = shortfall ? 1 : 0;
    f->cust.attest_every = attest_every;
    f->cust.api_latency.kind = POR_DIST_CONSTANT;
    f->cust.api_latency.value = 300 * POR_MS;
    sc->custodians = &f->cust;
    sc->ncustodians = 1;

    por_feed_config *fd = &sc->feed;
    fd->chain = 0;
    fd->decimals = 8;
    f->sources[0] = 0;
    fd->sources = f->sources;
    fd->nsources = 1;
    fd->min_answer = 1;
    fd->max_answer = por_amount_pow10(30);
    fd->ocr.n = 4;
    fd->ocr.f = 1;
    fd->ocr.delta_progress = 23 * POR_SEC;
    fd->ocr.delta_resend = 10 * POR_SEC;
    fd->ocr.delta_round = 20 * POR_SEC;
    fd->ocr.delta_grace = POR_SEC;
    fd->ocr.delta_c = 24 * POR_HOUR;
    fd->ocr.delta_stage = 20 * POR_SEC;
    fd->ocr.alpha_ppb = 10000000; /* 1 % */
    fd->ocr.schedule[0] = 1, fd->ocr.schedule[1] = 1, fd->ocr.schedule[2] = 2;
    fd->ocr.nschedule = 3;
    fd->ocr.r_max = 6;
    fd->ocr.observe_timeout = 5 * POR_SEC;
    fd->crypto = POR_CRYPTO_MODE_IDEAL;
    fd->gas_price_multiplier = 1.5;

    por_token_config *tk = &sc->token;
    f->token_chains[0] = 0;
    tk->chains = f->token_chains;
    tk->nchains = 1;
    tk->decimals = 18;
    f->initial_supply[0] = (por_amount)990000000 * por_amount_pow10(18);
    tk->initial_supply = f->initial_supply;
    tk->secure_mint.enabled = true;
    tk->secure_mint.max_staleness = 26 * POR_HOUR;
    tk->secure_mint.margin_mode = POR_MARGIN_NONE;
    tk->mints.kind = POR_PROCESS_POISSON;
    tk->mints.per_day = 48;
    tk->mints.amount.kind = POR_DIST_LOGNORMAL;
    tk->mints.amount.median = (por_amount)100000 * por_amount_pow10(18);
    tk->mints.amount.sigma = 1;
    tk->redeems.kind = POR_PROCESS_POISSON;
    tk->redeems.per_day = 12;
    tk->redeems.amount.kind = POR_DIST_LOGNORMAL;
    tk->redeems.amount.median = (por_amount)50000 * por_amount_pow10(18);
    tk->redeems.amount.sigma = 1;

    snprintf(f->consumer.name, sizeof f->consumer.name, "lender");
    f->consumer.chain = 0;
    f->consumer.poll_every = poll_every;
    f->threshold.ratio_ppb = 980000000;
    f->threshold.action = POR_ACTION_LOWER_CF;
    f->threshold.collateral_factor_ppb = 500000000;
    f->consumer.thresholds = &f->threshold;
    f->consumer.nthresholds = 1;
    sc->consumers = &f->consumer;
    sc->nconsumers = 1;
}

typedef struct {
    por_metric_cell cells[POR_WM_NCOLS];
    char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
} row;

static void run(const world_fixture *f, uint64_t rep, const por_run_options *opt, row *r)
{
    por_error err;
    memset(&err, 0, sizeof err);
    memset(r, 0, sizeof *r);
    por_status st = por_world_run_replication(&f->sc, rep, opt, r->cells, r->strings, &err);
    ck_assert_msg(st == POR_OK, "replication %llu: %s", (unsigned long long)rep, err.msg);
}

static void print_row(const char *tag, const row *r)
{
    size_t n;
    const por_metric_def *defs = por_world_metric_defs(&n);
    printf("%s:", tag);
    for (size_t i = 0; i < n; i++) {
        const por_metric_cell *c = &r->cells[i];
        if (!c->present)
            printf(" %s=absent", defs[i].name);
        else if (defs[i].kind == POR_METRIC_DURATION)
            printf(" %s=%.3fs%s", defs[i].name, por_time_seconds(c->ns), c->censored ? "+" : "");
        else if (c->exact)
            printf(" %s=%s", defs[i].name, c->exact);
        else
            printf(" %s=%.6g", defs[i].name, c->value);
    }
    printf("\n");
}

START_TEST(test_metric_defs)
{
    size_t n = 0;
    const por_metric_def *d = por_world_metric_defs(&n);
    ck_assert_uint_eq(n, POR_WM_NCOLS);
    for (size_t i = 0; i < n; i++) {
        ck_assert(d[i].name && d[i].name[0]);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(d[i].name, d[j].name);
    }
    ck_assert_str_eq(d[POR_WM_FEED_DETECT].name, "feed_detect");
    ck_assert(d[POR_WM_FEED_DETECT].censorable && d[POR_WM_MINT_BLOCK].censorable);
    ck_assert(d[POR_WM_UNBACKED_MINTED].kind == POR_METRIC_AMOUNT);
}
END_TEST

START_TEST(test_shortfall_detected_and_blocked)
{
    world_fixture f;
    fixture_init(&f, true);
    row r;
    for (uint64_t rep = 0; rep < 3; rep++) {
        run(&f, rep, NULL, &r);
        char tag[32];
        snprintf(tag, sizeof tag, "shortfall rep %llu", (unsigned long long)rep);
        print_row(tag, &r);
        const por_metric_cell *c = r.cells;
        /* the step happens at day 1 and supply (990M + mints) exceeds 920M at once */
        ck_assert(c[POR_WM_ONSET].present && !c[POR_WM_ONSET].censored);
        ck_assert_int_eq(c[POR_WM_ONSET].ns, POR_DAY);
        /* detection: the next attestation refresh (at most one period), then a round, the
         * transmission stages and a confirmed block */
        const por_metric_cell *d = &c[POR_WM_FEED_DETECT];
        ck_assert(d->present && !d->censored);
        por_time_t bound = attest_every + 23 * POR_SEC + 2 * 20 * POR_SEC + 3 * 20 * POR_SEC +
                           5 * POR_SEC + 3 * 12 * POR_SEC;
        ck_assert_int_gt(d->ns, 0); /* an answer lands in a later block */
        ck_assert_int_le(d->ns, bound);
        /* minting stops with the first refusal; mints keep arriving (48/day) */
        const por_metric_cell *b = &c[POR_WM_MINT_BLOCK];
        ck_assert(b->present && !b->censored);
        ck_assert_int_le(b->ns, d->ns + POR_DAY / 2);
        /* unbacked supply: exact decimal text, non-negative, matching the double */
        const por_metric_cell *u = &c[POR_WM_UNBACKED_MINTED];
        ck_assert(u->present && u->exact);
        por_amount unbacked;
        const char *why;
        ck_assert_int_eq(por_amount_parse(u->exact, 18, &unbacked, &why), 0);
        ck_assert(unbacked >= 0);
        ck_assert(fabs(u->value - por_amount_to_double(unbacked, 18)) <= 1e-9 * (u->value + 1));
        /* the lender reacts at its first poll after the answer landed */
        const por_metric_cell *k = &c[POR_WM_CONSUMER_REACTION];
        ck_assert(k->present && !k->censored);
        ck_assert_int_ge(k->ns, d->ns);
        ck_assert_int_le(k->ns, d->ns + poll_every);
        ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
        ck_assert(c[POR_WM_ROUNDS].value > 0 && c[POR_WM_REPORTS_ACCEPTED].value > 0);
        ck_assert(c[POR_WM_TRANSMISSIONS].value >= c[POR_WM_REPORTS_ACCEPTED].value);
        /* OffchainAggregator.transmit: an accepted report costs at least the intrinsic
         * 21000, f + 1 ecrecovers (3000 each) and the new round's storage slot (20000) */
        ck_assert(c[POR_WM_GAS].value >=
                  (21000.0 + 20000.0 + 3000.0 * (f.sc.feed.ocr.f + 1)) * c[POR_WM_REPORTS_ACCEPTED].value);
        ck_assert(c[POR_WM_MINTS_ACCEPTED].value > 0 && c[POR_WM_MINTS_REFUSED].value > 0);
        ck_assert(c[POR_WM_MIN_TRUE_RATIO].value < 0.93);
        /* the heartbeat is 24 h: staleness never exceeds it by much */
        ck_assert_int_le(c[POR_WM_MAX_FEED_STALENESS].ns, 24 * POR_HOUR + 5 * POR_MIN);
        ck_assert(c[POR_WM_EVENTS].value > 1000);
    }
}
END_TEST

START_TEST(test_no_shortfall_censored_and_absent)
{
    world_fixture f;
    fixture_init(&f, false);
    f.sc.token.initial_supply[0] = (por_amount)900000000 * por_amount_pow10(18);
    row r;
    run(&f, 0, NULL, &r);
    print_row("no shortfall", &r);
    const por_metric_cell *c = r.cells;
    ck_assert(c[POR_WM_ONSET].present && c[POR_WM_ONSET].censored);
    ck_assert_int_eq(c[POR_WM_ONSET].ns, 2 * POR_DAY);
    const int rel[] = {POR_WM_FEED_DETECT, POR_WM_MINT_BLOCK, POR_WM_UNBACKED_MINTED,
                       POR_WM_CONSUMER_REACTION};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
        ck_assert_msg(!c[rel[i]].present && !c[rel[i]].censored, "column %d", rel[i]);
    ck_assert(c[POR_WM_MIN_TRUE_RATIO].value >= 1.0);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    /* the horizon override shortens the run and moves the censoring time */
    por_run_options opt = {.crypto_override = -1, .horizon_override = 36 * POR_HOUR};
    run(&f, 0, &opt, &r);
    ck_assert(r.cells[POR_WM_ONSET].censored);
    ck_assert_int_eq(r.cells[POR_WM_ONSET].ns, 36 * POR_HOUR);
}
END_TEST

START_TEST(test_attestation_lag_lets_unbacked_through)
{
    /* With a 6 h attestation lag the feed cannot show the loss before onset + 6 h, and
     * Secure Mint keeps accepting mints until then: they are the unbacked supply. */
    world_fixture f;
    fixture_init(&f, true);
    f.cust.attest_lag = 6 * POR_HOUR;
    f.sc.token.initial_supply[0] = (por_amount)950000000 * por_amount_pow10(18);
    row r;
    run(&f, 0, NULL, &r);
    print_row("lag 6h", &r);
    const por_metric_cell *c = r.cells;
    ck_assert_int_eq(c[POR_WM_ONSET].ns, POR_DAY);
    ck_assert(c[POR_WM_FEED_DETECT].present && !c[POR_WM_FEED_DETECT].censored);
    ck_assert_int_ge(c[POR_WM_FEED_DETECT].ns, 6 * POR_HOUR);
    ck_assert_int_le(c[POR_WM_FEED_DETECT].ns, 6 * POR_HOUR + 5 * POR_MIN);
    ck_assert(c[POR_WM_MINT_BLOCK].present && !c[POR_WM_MINT_BLOCK].censored);
    ck_assert_int_ge(c[POR_WM_MINT_BLOCK].ns, c[POR_WM_FEED_DETECT].ns);
    por_amount unbacked;
    ck_assert_int_eq(por_amount_parse(c[POR_WM_UNBACKED_MINTED].exact, 18, &unbacked, NULL), 0);
    ck_assert(unbacked > 0);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
}
END_TEST

START_TEST(test_false_rejections_under_positive_margin)
{
    /* A 5 % over-collateralization margin caps supply at 950M while 1,000M are truly
     * held: every refusal is of a mint truth would have backed. */
    world_fixture f;
    fixture_init(&f, false);
    f.sc.token.initial_supply[0] = (por_amount)945000000 * por_amount_pow10(18);
    f.sc.token.secure_mint.margin_mode = POR_MARGIN_POSITIVE_PERCENT;
    f.sc.token.secure_mint.margin_bp = 500;
    row r;
    run(&f, 0, NULL, &r);
    print_row("margin 5%", &r);
    const por_metric_cell *c = r.cells;
    ck_assert(c[POR_WM_ONSET].censored);
    ck_assert(c[POR_WM_MINTS_REFUSED].value > 0);
    ck_assert(c[POR_WM_FALSE_REJECTIONS].value == c[POR_WM_MINTS_REFUSED].value);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
}
END_TEST

static bool rows_equal(const row *a, const row *b)
{
    for (size_t i = 0; i < POR_WM_NCOLS; i++) {
        const por_metric_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->present != y->present || x->censored != y->censored || x->ns != y->ns)
            return false;
        if (!(x->value == y->value || (isnan(x->value) && isnan(y->value))))
            return false;
        if ((x->exact == NULL) != (y->exact == NULL) || (x->exact && strcmp(x->exact, y->exact)))
            return false;
    }
    return true;
}

START_TEST(test_deterministic_and_distinct)
{
    world_fixture f;
    fixture_init(&f, true);
    f.sc.seed = por_test_seed();
    static row a, b, c;
    run(&f, 5, NULL, &a);
    run(&f, 5, NULL, &b);
    ck_assert(rows_equal(&a, &b));
    run(&f, 6, NULL, &c);
    ck_assert(!rows_equal(&a, &c));
    ck_assert(a.cells[POR_WM_EVENTS].value != c.cells[POR_WM_EVENTS].value ||
              a.cells[POR_WM_MINTS_ACCEPTED].value != c.cells[POR_WM_MINTS_ACCEPTED].value ||
              a.cells[POR_WM_REDEEMS].value != c.cells[POR_WM_REDEEMS].value);
}
END_TEST

START_TEST(test_gas_cap_waits_out_a_spike)
{
    /* A demand spike (10x: the base fee climbs to ~200 gwei, 12.5 % a block) from 30 min
     * before the loss to 2 h after it. Without a cap the transmitters' fee cap follows the
     * head's base fee and the answer showing the loss lands a round and a block after the
     * refresh at onset; with max_gas_price_gwei = 60 every bid is capped at 60 < 200 and
     * waits in the mempool until the spike ends at onset + 2 h and the base fee, falling
     * at most 1/8 a block (EIP-1559), is back under 60: more than ln(10/3) / ln(8/7) > 9
     * blocks later. */
    world_fixture f;
    fixture_init(&f, true);
    f.chain.gas_volatility = 0;
    por_congestion spike = {{POR_DAY - 30 * POR_MIN, POR_DAY + 2 * POR_HOUR}, 1.0, 10.0};
    f.chain.congestion = &spike;
    f.chain.ncongestion = 1;
    row r;
    run(&f, 0, NULL, &r);
    print_row("spike, no cap", &r);
    const por_metric_cell *d = &r.cells[POR_WM_FEED_DETECT];
    ck_assert_int_eq(r.cells[POR_WM_ONSET].ns, POR_DAY);
    ck_assert(d->present && !d->censored);
    ck_assert_int_le(d->ns, 5 * POR_MIN);
    f.sc.feed.max_gas_price_gwei = 60;
    run(&f, 0, NULL, &r);
    print_row("spike, cap 60 gwei", &r);
    ck_assert(d->present && !d->censored);
    ck_assert_int_ge(d->ns, 2 * POR_HOUR);
    ck_assert_int_le(d->ns, 2 * POR_HOUR + 40 * 12 * POR_SEC);
    ck_assert(r.cells[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    /* a cap above the spiked price changes nothing */
    row u;
    f.sc.feed.max_gas_price_gwei = 1000;
    run(&f, 0, NULL, &u);
    f.sc.feed.max_gas_price_gwei = 0;
    run(&f, 0, NULL, &r);
    ck_assert(rows_equal(&u, &r));
}
END_TEST

START_TEST(test_random_phase_mean_detection)
{
    /* With the refresh grid at a random phase per replication, the wait from the loss (at
     * 1d, on the whole-hour grid) to the first refresh showing it is the phase itself,
     * uniform on [0, 1h): mean feed_detect ~ 30 min + a round and a block (12 s .. ~2 min).
     * 24 replications: the mean of the uniform part has sd 60 / sqrt(12 * 24) = 3.5 min;
     * the tolerance is 4.5 sd plus the round-and-block spread. Phase 0 (the old grid)
     * detects within minutes in every replication. */
    world_fixture f;
    fixture_init(&f, true);
    f.sc.seed = por_test_seed();
    f.cust.attest_phase_random = true;
    por_run_options opt = {.crypto_override = -1, .horizon_override = POR_DAY + 3 * POR_HOUR};
    enum { REPS = 24 };
    double sum = 0, lo = INFINITY, hi = 0;
    row r;
    for (uint64_t rep = 0; rep < REPS; rep++) {
        run(&f, rep, &opt, &r);
        const por_metric_cell *d = &r.cells[POR_WM_FEED_DETECT];
        ck_assert(d->present && !d->censored);
        ck_assert_int_lt(d->ns, POR_HOUR + 3 * POR_MIN);
        double m = (double)d->ns / (double)POR_MIN;
        sum += m;
        lo = m < lo ? m : lo;
        hi = m > hi ? m : hi;
    }
    double mean = sum / REPS, sd = 60.0 / sqrt(12.0 * REPS);
    printf("random phase: mean feed_detect %.2f min over %d reps (min %.2f, max %.2f; seed %llu)\n",
           mean, REPS, lo, hi, (unsigned long long)f.sc.seed);
    ck_assert_msg(fabs(mean - (30.0 + 1.0)) <= 4.5 * sd + 1.0, "mean %.2f min", mean);
    ck_assert(hi - lo > 15.0); /* replications see the loss at different cycle points */
    f.cust.attest_phase_random = false;
    for (uint64_t rep = 0; rep < 3; rep++) {
        run(&f, rep, &opt, &r);
        ck_assert_int_le(r.cells[POR_WM_FEED_DETECT].ns, 3 * POR_MIN);
    }
}
END_TEST

START_TEST(test_backed_mints_move_reserves)
{
    /* Reserve 1,000,000,000.00 USD behind 990M tokens; a scheduled mint of
     * 10,000,000.005 tokens at 1h, a redemption of 20,000,000 at 2h; no guard, no loss.
     * Backed: the mint deposits 10,000,000.01 USD (rounded up to cents), the redemption
     * pays out 20,000,000.00: the ratio never drops below 1 and its minimum is
     * 1,010,000,000.01 / 1,000,000,000.005 exactly. Unbacked: the mint alone takes the
     * supply past the reserve, onset at 1h. A MINTER attacker's mint is never backed. */
    world_fixture f;
    fixture_init(&f, false);
    f.sc.nconsumers = 0;
    f.sc.token.secure_mint.enabled = false;
    por_scheduled_request mint = {POR_HOUR, (por_amount)10000000005 * por_amount_pow10(15), -1, -1};
    por_scheduled_request redeem = {2 * POR_HOUR, (por_amount)20000000 * por_amount_pow10(18), -1, -1};
    f.sc.token.mints.kind = POR_PROCESS_SCHEDULED;
    f.sc.token.mints.scheduled = &mint;
    f.sc.token.mints.nscheduled = 1;
    f.sc.token.redeems.kind = POR_PROCESS_SCHEDULED;
    f.sc.token.redeems.scheduled = &redeem;
    f.sc.token.redeems.nscheduled = 1;
    f.sc.token.mints.backed = f.sc.token.redeems.backed = true;
    f.sc.token.reserve_custodian = 0;
    por_run_options opt = {.crypto_override = -1, .horizon_override = 3 * POR_HOUR};
    row r;
    run(&f, 0, &opt, &r);
    print_row("backed", &r);
    ck_assert(r.cells[POR_WM_ONSET].censored);
    double want = 1010000000.01 / 1000000000.005;
    ck_assert_msg(fabs(r.cells[POR_WM_MIN_TRUE_RATIO].value - want) < 1e-13, "min ratio %.15f",
                  r.cells[POR_WM_MIN_TRUE_RATIO].value);
    ck_assert(r.cells[POR_WM_MIN_TRUE_RATIO].value > 1.0);
    /* a deposit delay of 30 min leaves the supply uncovered meanwhile: onset when the
     * mint transaction requested at 1h is included, in the next 12 s block */
    const por_time_t included = POR_HOUR + 12 * POR_SEC;
    f.sc.token.deposit_delay = 30 * POR_MIN;
    run(&f, 0, &opt, &r);
    ck_assert(!r.cells[POR_WM_ONSET].censored);
    ck_assert_int_eq(r.cells[POR_WM_ONSET].ns, included);
    f.sc.token.deposit_delay = 0;
    /* unbacked */
    f.sc.token.mints.backed = f.sc.token.redeems.backed = false;
    run(&f, 0, &opt, &r);
    ck_assert(!r.cells[POR_WM_ONSET].censored);
    ck_assert_int_eq(r.cells[POR_WM_ONSET].ns, included);
    /* backed processes, but the 1h mint comes from a MINTER attacker: no deposit */
    f.sc.token.mints.backed = f.sc.token.redeems.backed = true;
    f.sc.token.mints.kind = POR_PROCESS_NONE;
    por_attack_config minter;
    memset(&minter, 0, sizeof minter);
    minter.kind = POR_ATTACK_MINTER;
    minter.window.from = POR_HOUR;
    minter.window.until = POR_TIME_MAX;
    minter.mint_amount = mint.amount;
    minter.mint_attempts = 1;
    f.sc.attackers = &minter;
    f.sc.nattackers = 1;
    run(&f, 0, &opt, &r);
    ck_assert(!r.cells[POR_WM_ONSET].censored);
    ck_assert_int_eq(r.cells[POR_WM_ONSET].ns, included);
    ck_assert(r.cells[POR_WM_MINTS_ACCEPTED].value == 1);
}
END_TEST

/* The conformance columns: transmissions_held_back counts libocr shouldTransmit's
 * hold-backs (10 min blocks keep each report pending for many 20 s rounds; while nothing
 * has landed every round reports "first answer" and the nodes hold those back), and
 * messages_retransmitted counts messages that loss delayed instead of dropping: some with
 * loss_model retransmit, none with drop or without loss. */
START_TEST(test_held_back_and_retransmitted_columns)
{
    world_fixture f;
    fixture_init(&f, false);
    f.chain.block_time = 10 * POR_MIN;
    f.sc.network.loss = 0.05;
    por_run_options opt = {.crypto_override = -1, .horizon_override = 2 * POR_HOUR};
    row r;
    run(&f, 0, &opt, &r);
    print_row("slow blocks, loss 5% retransmitted", &r);
    ck_assert(r.cells[POR_WM_TX_HELD_BACK].present);
    ck_assert_double_gt(r.cells[POR_WM_TX_HELD_BACK].value, 0);
    ck_assert_double_gt(r.cells[POR_WM_MSGS_RETRANSMITTED].value, 0);
    f.sc.network.loss_model = POR_LOSS_DROP;
    run(&f, 0, &opt, &r);
    ck_assert(r.cells[POR_WM_MSGS_RETRANSMITTED].present);
    ck_assert_double_eq(r.cells[POR_WM_MSGS_RETRANSMITTED].value, 0);
    f.sc.network.loss_model = POR_LOSS_RETRANSMIT;
    f.sc.network.loss = 0;
    f.chain.block_time = 12 * POR_SEC;
    run(&f, 0, &opt, &r);
    ck_assert_double_eq(r.cells[POR_WM_MSGS_RETRANSMITTED].value, 0);
    /* 12 s blocks, no deviation, 24 h heartbeat: one report, nothing to hold back */
    ck_assert_double_eq(r.cells[POR_WM_TX_HELD_BACK].value, 0);
}
END_TEST

START_TEST(test_bridge_in_flight_in_truth)
{
    /* Reserve 1,000,000,000.00 USD, 990M tokens on ethereum, a second chain "arbitrum".
     * At 1h the bridge burns 500M on ethereum for arbitrum (1h delay); at 1h30 a guarded
     * mint of 20M passes Secure Mint (on-chain 490M + 20M <= 1000M) although 1010M are
     * outstanding. Truth counts the tokens in flight: onset at its block after 1h30 (on-chain
     * supply alone would cross only at the 2h release), the 20M are unbacked, the smallest
     * ratio is 1000 / 1010, and no invariant broke (the guard did what it can see). At
     * 2h30 a transfer of 600M from arbitrum (holding 500M) is refused. */
    world_fixture f;
    fixture_init(&f, false);
    f.sc.nconsumers = 0;
    por_chain_config chains[2] = {f.chain, f.chain};
    snprintf(chains[1].name, sizeof chains[1].name, "arbitrum");
    f.sc.chains = chains;
    f.sc.nchains = 2;
    uint32_t token_chains[2] = {0, 1};
    por_amount supply[2] = {f.initial_supply[0], 0};
    por_token_config *tk = &f.sc.token;
    tk->chains = token_chains;
    tk->nchains = 2;
    tk->initial_supply = supply;
    const por_amount M = (por_amount)1000000 * por_amount_pow10(18);
    por_scheduled_request transfers[2] = {{POR_HOUR, 500 * M, 0, 1}, {2 * POR_HOUR + 30 * POR_MIN, 600 * M, 1, 0}};
    tk->bridges.kind = POR_PROCESS_SCHEDULED;
    tk->bridges.scheduled = transfers;
    tk->bridges.nscheduled = 2;
    tk->bridge_from = tk->bridge_to = -1;
    tk->bridge_delay_dist = (por_duration_dist){.kind = POR_DIST_CONSTANT, .value = POR_HOUR};
    por_scheduled_request mint = {POR_HOUR + 30 * POR_MIN, 20 * M, -1, -1};
    tk->mints.kind = POR_PROCESS_SCHEDULED;
    tk->mints.scheduled = &mint;
    tk->mints.nscheduled = 1;
    tk->redeems.kind = POR_PROCESS_NONE;
    por_run_options opt = {.crypto_override = -1, .horizon_override = 3 * POR_HOUR};
    row r;
    run(&f, 0, &opt, &r);
    print_row("bridge", &r);
    const por_metric_cell *c = r.cells;
    ck_assert(c[POR_WM_MINTS_ACCEPTED].value == 1);
    ck_assert(!c[POR_WM_ONSET].censored);
    /* the mint requested at 1h30 applies in the next 12 s block */
    ck_assert_int_eq(c[POR_WM_ONSET].ns, POR_HOUR + 30 * POR_MIN + 12 * POR_SEC);
    ck_assert_str_eq(c[POR_WM_UNBACKED_MINTED].exact, "20000000");
    ck_assert_msg(fabs(c[POR_WM_MIN_TRUE_RATIO].value - 1000.0 / 1010.0) < 1e-12, "min ratio %.15f",
                  c[POR_WM_MIN_TRUE_RATIO].value);
    ck_assert(c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    ck_assert(c[POR_WM_BRIDGE_TRANSFERS].present && c[POR_WM_BRIDGE_TRANSFERS].value == 1);
    ck_assert(c[POR_WM_BRIDGE_REFUSED].value == 1);
    ck_assert(c[POR_WM_MAX_IN_FLIGHT].present);
    ck_assert_str_eq(c[POR_WM_MAX_IN_FLIGHT].exact, "500000000");
    ck_assert(c[POR_WM_REDEEMS].value == 0); /* a burn for the bridge is no redemption */
    /* without the transfer the guard refuses the mint (990M + 20M > 1000M): no onset */
    tk->bridges.kind = POR_PROCESS_NONE;
    run(&f, 0, &opt, &r);
    ck_assert(r.cells[POR_WM_ONSET].censored);
    ck_assert(r.cells[POR_WM_MINTS_REFUSED].value == 1 && r.cells[POR_WM_MINTS_ACCEPTED].value == 0);
    ck_assert(r.cells[POR_WM_BRIDGE_TRANSFERS].value == 0);
    ck_assert_str_eq(r.cells[POR_WM_MAX_IN_FLIGHT].exact, "0");
    /* a refused mint during a transfer is judged against outstanding supply: with a 5 %
     * positive margin (mintable 950M) a mint of 470M is refused (490M + 470M on chain);
     * 1000M of reserve do not back the 1460M it would make outstanding, so it is no false
     * rejection (on-chain supply alone, 960M, would call it one) */
    tk->bridges.kind = POR_PROCESS_SCHEDULED;
    tk->secure_mint.margin_mode = POR_MARGIN_POSITIVE_PERCENT;
    tk->secure_mint.margin_bp = 500;
    mint.amount = 470 * M;
    run(&f, 0, &opt, &r);
    ck_assert(r.cells[POR_WM_MINTS_REFUSED].value == 1);
    ck_assert(r.cells[POR_WM_FALSE_REJECTIONS].value == 0);
}
END_TEST

/* Counts decision records by reason and round-request steps (a trace sink). */
typedef struct {
    size_t requested_yes, deviation_yes, steps[8];
} refresh_trace;

static void refresh_emit(void *ctx, const por_trace_record *r)
{
    refresh_trace *t = ctx;
    if (r->kind == POR_TK_DECISION && r->decision.report && r->decision.why == POR_DECIDE_REQUESTED)
        t->requested_yes++;
    if (r->kind == POR_TK_DECISION && r->decision.report && r->decision.why == POR_DECIDE_DEVIATION)
        t->deviation_yes++;
    if (r->kind == POR_TK_ROUND_REQUEST && r->round_request.step < 8)
        t->steps[r->round_request.step]++;
}

START_TEST(test_refresh_then_mint)
{
    /* Rules: OffchainAggregator.sol requestNewRound (a transaction; require owner or the
     * requester access list, else "Only owner&requester can call"; emits RoundRequested
     * with the latest transmission's epoch and round) and libocr
     * report_generation_follower.go shouldReport (unfulfilledRequest: a RoundRequested
     * event not older than the latest transmission makes followers report although the
     * deviation is below alpha; a newer transmission fulfils it).
     * Setup: reserve 1,000,000,000.00 USD behind 990M tokens, hourly attestations at :00;
     * at 6h a deposit of 0.5 % (5M, below the 1 % alpha) raises the true reserve to
     * 1,005M, which the 6h refresh shows; the feed keeps 1,000M (no deviation, 24 h
     * heartbeat). At 8h a mint of 12M: 1,002M > 1,000M reported, <= 1,005M true.
     * Without refresh the guard refuses it: one false rejection. With refresh-then-mint
     * the issuer requests a round; the followers report 1,005M for the request (the
     * trace says so), the mint is accepted, and after that answer no follower reports
     * again (fulfilled). Gas: por/round_request.h's formula per access path. */
    world_fixture f;
    fixture_init(&f, false);
    f.sc.nconsumers = 0;
    f.step.at = 6 * POR_HOUR;
    f.step.ppb = 5000000;
    f.cust.nsteps = 1;
    por_token_config *tk = &f.sc.token;
    por_scheduled_request mint = {8 * POR_HOUR, (por_amount)12000000 * por_amount_pow10(18), -1, -1};
    tk->mints.kind = POR_PROCESS_SCHEDULED;
    tk->mints.scheduled = &mint;
    tk->mints.nscheduled = 1;
    tk->redeems.kind = POR_PROCESS_NONE;
    tk->refresh.timeout = 10 * POR_MIN;
    por_run_options opt = {.crypto_override = -1, .horizon_override = 10 * POR_HOUR};
    row r;
    /* no refresh: a false rejection, one answer (the first) */
    run(&f, 0, &opt, &r);
    print_row("no refresh", &r);
    ck_assert(r.cells[POR_WM_MINTS_REFUSED].value == 1 && r.cells[POR_WM_FALSE_REJECTIONS].value == 1);
    ck_assert(r.cells[POR_WM_REPORTS_ACCEPTED].value == 1);
    ck_assert(r.cells[POR_WM_ROUND_REQUESTS].value == 0 && r.cells[POR_WM_MINTS_HELD].value == 0);
    /* refresh from an address on the requester access list */
    tk->refresh.enabled = true;
    tk->refresh.requester = POR_REQUESTER_ACCESS_LIST;
    refresh_trace tr = {0};
    por_trace_sink sink = {refresh_emit, &tr, NULL, NULL};
    opt.trace = &sink;
    run(&f, 0, &opt, &r);
    opt.trace = NULL;
    print_row("refresh", &r);
    ck_assert(r.cells[POR_WM_MINTS_ACCEPTED].value == 1 && r.cells[POR_WM_MINTS_REFUSED].value == 0);
    ck_assert(r.cells[POR_WM_FALSE_REJECTIONS].value == 0);
    ck_assert(r.cells[POR_WM_ROUND_REQUESTS].value == 1 && r.cells[POR_WM_MINTS_HELD].value == 1);
    ck_assert(r.cells[POR_WM_ROUND_REQUEST_GAS].value == (double)POR_ROUND_REQUEST_GAS_LISTED);
    ck_assert(r.cells[POR_WM_REPORTS_ACCEPTED].value == 2); /* the first, the requested; then fulfilled */
    ck_assert_uint_gt(tr.requested_yes, 0);
    ck_assert_uint_eq(tr.deviation_yes, 0);
    ck_assert_uint_eq(tr.steps[POR_REQUEST_SENT], 1);
    ck_assert_uint_eq(tr.steps[POR_REQUEST_EMITTED], 1);
    ck_assert_uint_eq(tr.steps[POR_REQUEST_RELEASED_ANSWER], 1);
    ck_assert(r.cells[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    /* the owner's request skips the access controller call */
    tk->refresh.requester = POR_REQUESTER_OWNER;
    run(&f, 0, &opt, &r);
    ck_assert(r.cells[POR_WM_MINTS_ACCEPTED].value == 1);
    ck_assert(r.cells[POR_WM_ROUND_REQUEST_GAS].value == (double)POR_ROUND_REQUEST_GAS_OWNER);
    /* neither owner nor listed: the request reverts, no report, the held mint is refused */
    tk->refresh.requester = POR_REQUESTER_NONE;
    memset(&tr, 0, sizeof tr);
    opt.trace = &sink;
    run(&f, 0, &opt, &r);
    opt.trace = NULL;
    print_row("refresh reverted", &r);
    ck_assert(r.cells[POR_WM_MINTS_REFUSED].value == 1 && r.cells[POR_WM_FALSE_REJECTIONS].value == 1);
    ck_assert(r.cells[POR_WM_REPORTS_ACCEPTED].value == 1);
    ck_assert(r.cells[POR_WM_ROUND_REQUEST_GAS].value == (double)POR_ROUND_REQUEST_GAS_REVERTED);
    ck_assert_uint_eq(tr.requested_yes, 0);
    ck_assert_uint_eq(tr.steps[POR_REQUEST_REVERTED], 1);
    ck_assert_uint_eq(tr.steps[POR_REQUEST_RELEASED_TIMEOUT], 1);
}
END_TEST

/* Fee metrics: fee_wei is an exact integer of wei; with other users' demand at the
 * EIP-1559 target (no noise) the base fee stays at gas_price_gwei, moved only by the
 * transmissions' own gas (a 250k-gas block above a 15M target: 0.2 %, then demand pulls
 * it back), and with no priority fee to match the transmitters pay about 20 gwei a gas
 * (within 0.5 %); fee_usd = fee_wei / 1e18
 * * native_price_usd, absent when that is not set. */
START_TEST(test_fee_metrics)
{
    world_fixture f;
    fixture_init(&f, true);
    f.chain.gas_volatility = 0;
    row r;
    run(&f, 0, NULL, &r);
    const por_metric_cell *fee = &r.cells[POR_WM_FEE_WEI], *gas = &r.cells[POR_WM_GAS];
    ck_assert(fee->present && fee->exact);
    ck_assert_ptr_null(strchr(fee->exact, '.'));
    ck_assert(!r.cells[POR_WM_FEE_USD].present);
    ck_assert(gas->value > 0);
    double per_gas = fee->value / gas->value;
    printf("fee %s wei for %g gas: %.6f gwei a gas\n", fee->exact, gas->value, per_gas / 1e9);
    fflush(stdout);
    ck_assert(fabs(per_gas - 20e9) <= 0.005 * 20e9);
    ck_assert(r.cells[POR_WM_TRANSMISSIONS_REVERTED].present);
    ck_assert(r.cells[POR_WM_ANSWERS_UNDONE].value == 0); /* no reorgs */
    f.chain.native_price_usd = 2000;
    row u;
    run(&f, 0, NULL, &u);
    ck_assert_str_eq(u.cells[POR_WM_FEE_WEI].exact, fee->exact); /* the price is only a view */
    ck_assert(u.cells[POR_WM_FEE_USD].present);
    ck_assert(fabs(u.cells[POR_WM_FEE_USD].value - fee->value / 1e18 * 2000) <=
              1e-12 * u.cells[POR_WM_FEE_USD].value);
}
END_TEST

/* Reorgs (CHAIN.md): removed blocks' answers disappear and come back when their
 * transactions are included again; the metrics count what stays on chain
 * (reports_accepted) and how often an answer was removed (answers_undone), and Secure
 * Mint, deciding against the state of its block, never lets supply exceed what the
 * answer on chain allows. */
START_TEST(test_reorgs_undo_answers)
{
    world_fixture f;
    fixture_init(&f, true);
    f.chain.reorg_probability = 0.5;
    f.chain.reorg_depth = 1;
    row r, calm;
    run(&f, 0, NULL, &r);
    print_row("reorgs", &r);
    ck_assert(r.cells[POR_WM_ANSWERS_UNDONE].value > 0);
    ck_assert(r.cells[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    ck_assert(r.cells[POR_WM_FEED_DETECT].present && !r.cells[POR_WM_FEED_DETECT].censored);
    f.chain.reorg_probability = 0;
    run(&f, 0, NULL, &calm);
    ck_assert(calm.cells[POR_WM_ANSWERS_UNDONE].value == 0);
    /* the same rounds reach the chain: undone answers came back, none counted twice */
    ck_assert(r.cells[POR_WM_REPORTS_ACCEPTED].value <= calm.cells[POR_WM_REPORTS_ACCEPTED].value + 1);
    ck_assert(r.cells[POR_WM_REPORTS_ACCEPTED].value + 1 >= calm.cells[POR_WM_REPORTS_ACCEPTED].value);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("world");
    TCase *t = tcase_create("world");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_metric_defs);
    tcase_add_test(t, test_shortfall_detected_and_blocked);
    tcase_add_test(t, test_no_shortfall_censored_and_absent);
    tcase_add_test(t, test_attestation_lag_lets_unbacked_through);
    tcase_add_test(t, test_false_rejections_under_positive_margin);
    tcase_add_test(t, test_deterministic_and_distinct);
    tcase_add_test(t, test_gas_cap_waits_out_a_spike);
    tcase_add_test(t, test_random_phase_mean_detection);
    tcase_add_test(t, test_backed_mints_move_reserves);
    tcase_add_test(t, test_bridge_in_flight_in_truth);
    tcase_add_test(t, test_held_back_and_retransmitted_columns);
    tcase_add_test(t, test_refresh_then_mint);
    tcase_add_test(t, test_fee_metrics);
    tcase_add_test(t, test_reorgs_undo_answers);
    suite_add_tcase(s, t);
    return s;
}
