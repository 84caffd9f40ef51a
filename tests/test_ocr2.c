/* Per-replication leader schedules, "leader_at" attack targets, and OCR2 (libocr
 * offchainreporting2 with the median reporting plugin, OCR2Aggregator).
 *
 * Each test names the rule it checks and its source: libocr's
 * offchainreporting2/reportingplugin/median/median.go, offchainreporting2plus/internal/
 * ocr2/protocol/ and contract2/OCR2Aggregator.sol. DON-level tests build scenarios
 * in C (one replication per por_sim); CLI tests run the porsim binary. */
#include "por_test.h"

#include "models/ocr/ocr_internal.h"
#include "por/chain.h"
#include "por/don.h"
#include "por/metrics.h"
#include "por/scenario_load.h"
#include "por/world.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC 100 /* feed decimals 2 */
#define R0 ((por_amount)1000000 * DEC)

typedef struct {
    por_time_t at[64];
    por_amount value[64];
    size_t n;
} reserve_sched;

static bool observe_sched(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng,
                          por_amount *value, por_time_t *latency)
{
    (void)node;
    (void)rng;
    const reserve_sched *rs = ctx;
    por_time_t now = por_sim_now(sim);
    por_amount v = rs->value[0];
    for (size_t i = 1; i < rs->n; i++)
        if (now >= rs->at[i])
            v = rs->value[i];
    *value = v;
    *latency = 300 * POR_MS;
    return true;
}

typedef struct {
    por_scenario sc;
    por_chain_config chain;
    por_attack_config attacks[4];
    reserve_sched reserve;
} tscen;

/* n, f, 50 ms links, 12 s blocks, heartbeat 10 min, deviation 1 %, reserve R0. */
static void scen_init(tscen *t, uint32_t n, uint32_t f, por_ocr_protocol protocol)
{
    memset(t, 0, sizeof *t);
    por_scenario *sc = &t->sc;
    strcpy(sc->name, "ocr2-test");
    sc->seed = por_test_seed();
    sc->replications = 1;
    sc->duration = POR_DAY;
    sc->network.latency.kind = POR_DIST_CONSTANT;
    sc->network.latency.value = 50 * POR_MS;
    strcpy(t->chain.name, "eth");
    t->chain.block_time = 12 * POR_SEC;
    t->chain.confirmations = 1;
    t->chain.base_gas_gwei = 20.0;
    t->chain.transmit_gas = 250000;
    sc->chains = &t->chain;
    sc->nchains = 1;
    por_feed_config *fd = &sc->feed;
    fd->decimals = 2;
    fd->min_answer = 1;
    fd->max_answer = (por_amount)1000000000000000000ll * 1000;
    fd->crypto = POR_CRYPTO_MODE_IDEAL;
    fd->gas_price_multiplier = 1.0;
    fd->protocol = protocol;
    por_ocr_config *oc = &fd->ocr;
    oc->n = n;
    oc->f = f;
    oc->delta_progress = 23 * POR_SEC;
    oc->delta_resend = 10 * POR_SEC;
    oc->delta_round = 20 * POR_SEC;
    oc->delta_grace = 1 * POR_SEC;
    oc->delta_c = 10 * POR_MIN;
    oc->delta_stage = 20 * POR_SEC;
    oc->alpha_ppb = 10000000;
    oc->alpha_accept_ppb = 10000000;
    oc->schedule[0] = 1, oc->schedule[1] = 1, oc->schedule[2] = 2;
    oc->nschedule = 3;
    oc->r_max = 6;
    oc->observe_timeout = 5 * POR_SEC;
    t->reserve.value[0] = R0;
    t->reserve.n = 1;
}

typedef struct {
    por_sim *sim;
    por_chain *chain;
    por_don *don;
    por_aggregator *agg;
    por_don_stats st;
} tworld;

static void make_don(tworld *w, tscen *t, uint64_t replication)
{
    w->sim = por_sim_create(t->sc.seed, replication);
    w->chain = por_chain_create(&t->chain, 0, w->sim);
    por_observer obs = {observe_sched, &t->reserve};
    w->don = por_don_create(&t->sc, w->sim, w->chain, obs);
    w->agg = por_don_aggregator(w->don);
}

static void run_don(tworld *w, tscen *t, uint64_t replication, por_time_t horizon)
{
    make_don(w, t, replication);
    ck_assert_int_eq(por_sim_run(w->sim, horizon), POR_OK);
    por_don_get_stats(w->don, &w->st);
}

static void free_don(tworld *w)
{
    por_sim_destroy(w->sim);
    por_don_destroy(w->don);
    por_chain_destroy(w->chain);
}

/* ------------------------------------------------------------ leader schedules */

#define NEPOCHS 40

/* The leaders of epochs 1..NEPOCHS and the signer addresses of replication REP. */
static void schedule_of(tscen *t, uint64_t rep, uint32_t *leaders, por_addr *signers)
{
    tworld w;
    make_don(&w, t, rep);
    for (uint32_t e = 0; e < NEPOCHS; e++)
        leaders[e] = por_don_leader_of(w.don, e + 1);
    for (uint32_t i = 0; i < t->sc.feed.ocr.n; i++)
        signers[i] = *por_don_signer(w.don, i);
    free_don(&w);
}

/* leader_schedule "fixed" (the default) keeps porsim's original rule: leaders and keys
 * are configuration derived from the seed, the same in every replication; the leader of
 * an epoch is the pacemaker's keccak(shared key, epoch) mod n (por_ocr_leader). */
START_TEST(fixed_schedule_is_the_same_in_every_replication)
{
    tscen t;
    scen_init(&t, 7, 2, POR_PROTOCOL_OCR1);
    printf("seed=%" PRIu64 "\n", t.sc.seed);
    uint32_t l0[NEPOCHS], l1[NEPOCHS];
    por_addr s0[POR_MAX_ORACLES], s1[POR_MAX_ORACLES];
    schedule_of(&t, 0, l0, s0);
    for (uint64_t rep = 1; rep < 4; rep++) {
        schedule_of(&t, rep, l1, s1);
        ck_assert_mem_eq(l0, l1, sizeof l0);
        ck_assert_mem_eq(s0, s1, 7 * sizeof s0[0]);
    }
}
END_TEST

/* leader_schedule "per_replication": the key seed is drawn per replication from the
 * stream ("don", 0, "leader_schedule"), so replications get different leader sequences
 * and signing keys, and the same (seed, replication) always gets the same ones. */
START_TEST(per_replication_schedules_differ_and_reproduce)
{
    tscen t;
    scen_init(&t, 7, 2, POR_PROTOCOL_OCR1);
    t.sc.feed.ocr.leader_schedule = POR_LEADER_SCHEDULE_PER_REPLICATION;
    printf("seed=%" PRIu64 "\n", t.sc.seed);
    uint32_t l[4][NEPOCHS], again[NEPOCHS];
    por_addr s[4][POR_MAX_ORACLES], sa[POR_MAX_ORACLES];
    for (uint64_t rep = 0; rep < 4; rep++)
        schedule_of(&t, rep, l[rep], s[rep]);
    for (uint64_t a = 0; a < 4; a++)
        for (uint64_t b = a + 1; b < 4; b++) {
            /* 40 epochs of 7 candidates: equal sequences by chance have odds 7^-40 */
            ck_assert(memcmp(l[a], l[b], sizeof l[a]) != 0);
            ck_assert(memcmp(&s[a][0], &s[b][0], sizeof s[a][0]) != 0);
        }
    schedule_of(&t, 2, again, sa);
    ck_assert_mem_eq(again, l[2], sizeof again);
    ck_assert_mem_eq(sa, s[2], 7 * sizeof sa[0]);
}
END_TEST

/* Same seed, any -j: the per-replication schedule is a function of (seed, replication)
 * only, so runs.csv and summary.json are byte-identical with -j 1 and -j 3. */
START_TEST(per_replication_schedule_same_for_any_jobs)
{
    const char *dir = por_test_tmpdir("ocr2-jobs");
    char args[1024], a[512], b[512];
    const char *sc = POR_SCENARIO_DIR "/teaching/3-leader-crash.json";
    for (int j = 1; j <= 3; j += 2) {
        snprintf(args, sizeof args,
                 "run %s -r 4 -j %d --set feed.ocr.leader_schedule=per_replication -o %s/j%d", sc,
                 j, dir, j);
        ck_assert_int_eq(por_test_run_cli(args, NULL), 0);
    }
    const char *files[] = {"runs.csv", "summary.json"};
    for (int k = 0; k < 2; k++) {
        snprintf(a, sizeof a, "%s/j1/%s", dir, files[k]);
        snprintf(b, sizeof b, "%s/j3/%s", dir, files[k]);
        char *x = por_test_slurp(a), *y = por_test_slurp(b);
        ck_assert(x && y);
        ck_assert_str_eq(x, y);
        free(x);
        free(y);
    }
}
END_TEST

/* A crash attack with "leader_at": t hits the oracle that leads at t, the leader of the
 * highest epoch entered by then under the pacemaker's leader function (por_ocr_leader), here
 * with a per-replication schedule so the target differs from the fixed one's. */
START_TEST(crash_leader_at_hits_the_leader_at_that_time)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR1);
    t.sc.feed.ocr.leader_schedule = POR_LEADER_SCHEDULE_PER_REPLICATION;
    printf("seed=%" PRIu64 "\n", t.sc.seed);
    por_time_t t0 = 2 * POR_HOUR + 7 * POR_SEC;
    for (uint64_t rep = 0; rep < 3; rep++) {
        tworld w;
        run_don(&w, &t, rep, t0);
        uint32_t top = 0;
        for (uint32_t i = 0; i < 4; i++)
            if (por_don_node_epoch(w.don, i) > top)
                top = por_don_node_epoch(w.don, i);
        uint32_t leader = por_don_leader_of(w.don, top);
        free_don(&w);

        tscen ta = t;
        ta.sc.attackers = ta.attacks;
        ta.sc.nattackers = 1;
        por_attack_config *a = &ta.attacks[0];
        a->kind = POR_ATTACK_CRASH;
        a->has_leader_at = true;
        a->leader_at = t0;
        a->window.from = t0;
        a->window.until = t0 + 10 * POR_MIN;
        run_don(&w, &ta, rep, t0 + 5 * POR_MIN);
        ocr_don *d = w.don;
        printf("replication %" PRIu64 ": leader at t0 (epoch %u) is oracle %u\n", rep, top,
               leader);
        ck_assert_uint_eq(por_ocr_leader_at_target(d, 0), leader);
        for (uint32_t i = 0; i < 4; i++)
            ck_assert(d->nodes[i].down == (i == leader));
        /* the others left its epoch: the crash cost the leader its lead */
        ck_assert_uint_gt(por_don_node_epoch(w.don, leader == 0 ? 1 : 0), top);
        free_don(&w);
    }
}
END_TEST

/* A network attack with "leader_at" resolves to the same oracle and drops its messages:
 * with drop 1 the DON must leave that leader's epoch, and it recovers once the window
 * ends. */
START_TEST(eclipse_leader_at_targets_the_leader)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR1);
    printf("seed=%" PRIu64 "\n", t.sc.seed);
    por_time_t t0 = POR_HOUR + 3 * POR_SEC;
    tworld w;
    run_don(&w, &t, 0, t0);
    uint32_t e0 = por_don_node_epoch(w.don, 0);
    uint32_t leader = por_don_leader_of(w.don, e0);
    free_don(&w);
    t.sc.attackers = t.attacks;
    t.sc.nattackers = 1;
    por_attack_config *a = &t.attacks[0];
    a->kind = POR_ATTACK_NETWORK;
    a->has_leader_at = true;
    a->leader_at = t0;
    a->window.from = t0;
    a->window.until = t0 + 5 * POR_MIN;
    a->drop = 1.0;
    run_don(&w, &t, 0, t0 + 2 * POR_MIN);
    ck_assert_uint_eq(por_ocr_leader_at_target(w.don, 0), leader);
    uint32_t other = leader == 0 ? 1 : 0;
    ck_assert_uint_gt(por_don_node_epoch(w.don, other), e0);
    free_don(&w);
}
END_TEST


/* ------------------------------------------------------------ OCR2Aggregator */

typedef struct {
    por_crypto *crypto;
    por_keypair keys[4], tkeys[4];
    por_aggregator_config cfg;
    por_aggregator *agg;
    por_report rep;
} agg_fx;

static void agg_init(agg_fx *fx, bool ocr2)
{
    memset(fx, 0, sizeof *fx);
    fx->crypto = por_crypto_create(POR_CRYPTO_IDEAL);
    fx->cfg.n = 4;
    fx->cfg.f = 1;
    fx->cfg.ocr2 = ocr2;
    for (uint32_t i = 0; i < 4; i++) {
        por_crypto_derive_key(fx->crypto, por_test_seed(), "oracle", i, &fx->keys[i]);
        por_crypto_derive_key(fx->crypto, por_test_seed(), "transmitter", i, &fx->tkeys[i]);
        fx->cfg.signers[i] = fx->keys[i].addr;
        fx->cfg.transmitters[i] = fx->tkeys[i].addr;
    }
    fx->cfg.min_answer = 1;
    fx->cfg.max_answer = 1000000;
    fx->cfg.config_count = 1;
    fx->agg = por_aggregator_create(&fx->cfg, fx->crypto);
    fx->rep.config_digest = *por_aggregator_config_digest(fx->agg);
    fx->rep.epoch = 1;
    fx->rep.round = 1;
    fx->rep.nobs = 3;
    fx->rep.ocr2 = ocr2;
    fx->rep.observations_timestamp = ocr2 ? 1234 * POR_SEC : 0;
    for (uint32_t i = 0; i < 3; i++)
        fx->rep.obs[i] = 100 + i, fx->rep.observers[i] = (uint8_t)i;
}

static por_transmit_result agg_send(agg_fx *fx, uint32_t nsigs, por_time_t when)
{
    por_digest h;
    por_sig sigs[4];
    por_report_hash(&fx->rep, &h);
    for (uint32_t i = 0; i < nsigs; i++)
        por_crypto_sign(fx->crypto, &fx->keys[i], &h, &sigs[i]);
    return por_aggregator_transmit(fx->agg, NULL, when, 0, &fx->tkeys[0].addr, &fx->rep, sigs, nsigs);
}

static void agg_free(agg_fx *fx)
{
    por_aggregator_destroy(fx->agg);
    por_crypto_destroy(fx->crypto);
}

/* OCR2Aggregator.transmit: require(rs.length == hotVars.f + 1, "wrong number of
 * signatures"): f + 2 valid signatures are refused (OCR1's OffchainAggregator takes any
 * number above f), f are refused, exactly f + 1 are accepted. */
START_TEST(ocr2_aggregator_wants_exactly_f_plus_1_signatures)
{
    agg_fx fx;
    printf("seed=%" PRIu64 "\n", por_test_seed());
    agg_init(&fx, true);
    ck_assert_int_eq(agg_send(&fx, 3, POR_HOUR), POR_TRANSMIT_WRONG_SIG_COUNT);
    ck_assert_int_eq(agg_send(&fx, 1, POR_HOUR), POR_TRANSMIT_WRONG_SIG_COUNT);
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_ACCEPTED);
    agg_free(&fx);
    agg_init(&fx, false);
    ck_assert_int_eq(agg_send(&fx, 3, POR_HOUR), POR_TRANSMIT_ACCEPTED);
    agg_free(&fx);
}
END_TEST

/* OCR2Aggregator._report stores observationsTimestamp, and latestRoundData returns it as
 * startedAt (updatedAt is the block's timestamp); OCR1 sets both to the block time. */
START_TEST(ocr2_started_at_is_observations_timestamp)
{
    agg_fx fx;
    agg_init(&fx, true);
    ck_assert_int_eq(agg_send(&fx, 2, 2 * POR_HOUR), POR_TRANSMIT_ACCEPTED);
    por_round_data rd;
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_int_eq(rd.started_at, 1234 * POR_SEC);
    ck_assert_int_eq(rd.updated_at, 2 * POR_HOUR);
    ck_assert(rd.answer == 101);
    agg_free(&fx);
}
END_TEST

/* The order of OCR2Aggregator's requires: "stale report" comes before "unauthorized
 * transmitter" and "configDigest mismatch"; _report wants only more than f observations
 * (not 2f) and does not check that they are sorted (obs[len/2] is taken as is). */
START_TEST(ocr2_aggregator_check_order_and_report_rules)
{
    agg_fx fx;
    agg_init(&fx, true);
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_ACCEPTED);
    fx.rep.config_digest.b[0] ^= 1; /* stale and wrong digest: stale first */
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_STALE);
    fx.rep.round = 2;
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_WRONG_DIGEST);
    fx.rep.config_digest.b[0] ^= 1;
    fx.rep.nobs = 2; /* f + 1 observations, unsorted */
    fx.rep.obs[0] = 500;
    fx.rep.obs[1] = 300;
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_ACCEPTED);
    por_round_data rd;
    por_aggregator_latest(fx.agg, &rd);
    ck_assert(rd.answer == 300);
    fx.rep.round = 3;
    fx.rep.nobs = 1; /* f observations: "too few values to trust median" */
    ck_assert_int_eq(agg_send(&fx, 2, POR_HOUR), POR_TRANSMIT_TOO_FEW_OBS);
    agg_free(&fx);
}
END_TEST

/* ------------------------------------------------------------ median plugin rules */

/* median.go DefaultDeviationFunc: both zero is no deviation, anything from 0 is; else
 * |new - old| / |old| >= alpha (the boundary counts). */
START_TEST(ocr2_deviation_func)
{
    ck_assert(!por_ocr2_deviates(10000000, 0, 0));
    ck_assert(por_ocr2_deviates(10000000, 0, 1));
    ck_assert(por_ocr2_deviates(10000000, 1000, 1010));  /* exactly 1 % */
    ck_assert(!por_ocr2_deviates(10000000, 1000, 1009));
    ck_assert(por_ocr2_deviates(10000000, -1000, -990)); /* |old| as the base */
}
END_TEST

/* median.go:338 DefaultDeviationFunc compares big.Rat values exactly:
 * |new - old| / |old| >= thresholdPPB / 1e9 (median.go:346-354). Near 2^127 the products
 * |new - old| * 1e9 and |old| * alpha do not fit in 128 bits, and neither does new - old
 * when the two have opposite signs; porsim once answered "deviates" whenever one of them
 * overflowed. Each case below is no deviation by the exact rule (and a few, beside them,
 * are deviations, so the answer is not just "no"). */
START_TEST(ocr2_deviation_exact_near_2_127)
{
    const por_amount p126 = (por_amount)1 << 126, p119 = (por_amount)1 << 119;
    /* 0.5 % of 2^126 against 1 %: |new - old| * 1e9 overflows */
    ck_assert(!por_ocr2_deviates(10000000, p126, p126 + p126 / 200));
    ck_assert(!por_ocr2_deviates(10000000, -p126, -p126 - p126 / 200));
    /* exactly 1 % of 100 * 2^119 is 2^119: the boundary counts, one less does not */
    ck_assert(por_ocr2_deviates(10000000, 100 * p119, 100 * p119 + p119));
    ck_assert(!por_ocr2_deviates(10000000, 100 * p119, 100 * p119 + p119 - 1));
    ck_assert(!por_ocr2_deviates(10000000, -100 * p119, -100 * p119 - p119 + 1));
    /* new - old overflows: from 2^126 to -2^126 - 1 is a change of 2 + 2^-126 */
    ck_assert(!por_ocr2_deviates(3000000000, p126, -p126 - 1));
    ck_assert(por_ocr2_deviates(2000000000, p126, -p126 - 1));
    /* the type's ends: (2^128 - 1) / 2^127 is just below 2 */
    ck_assert(!por_ocr2_deviates(2000000000, POR_AMOUNT_MIN, POR_AMOUNT_MAX));
    ck_assert(por_ocr2_deviates(1999999999, POR_AMOUNT_MIN, POR_AMOUNT_MAX));
    /* AlphaAcceptPPB at ocr.accept_deviation's maximum (10000 %) with 1e10 tokens of 18
     * decimals: |old| * alpha overflows, yet no change (or half) is no deviation */
    const por_amount e28 = (por_amount)10000000000 * 1000000000000000000;
    ck_assert(!por_ocr2_deviates(100000000000, e28, e28));
    ck_assert(!por_ocr2_deviates(100000000000, e28, e28 + e28 / 2));
    ck_assert(!por_ocr2_deviates(100000000000, e28, -e28 * 16)); /* 1700 % */
    ck_assert(por_ocr2_deviates(100000000000, e28, e28 * 101));  /* exactly 10000 % */
    ck_assert(!por_ocr2_deviates(100000000000, e28, e28 * 101 - 1));
}
END_TEST

/* The sign of A/B - C/D (B, D > 0), by continued fractions: compare the integer parts,
 * then the remainders' fractions turned over (a/b < c/d exactly when b/a > d/c), until
 * one side has no remainder left. Only division, no product, so nothing can overflow:
 * an exact comparison independent of the 192-bit products rules.c makes. */
static int frac_cmp(por_uamount a, por_uamount b, por_uamount c, por_uamount d)
{
    int sign = 1;
    for (;;) {
        por_uamount qa = a / b, qc = c / d;
        if (qa != qc)
            return qa > qc ? sign : -sign;
        a %= b;
        c %= d;
        if (a == 0 || c == 0)
            return a == c ? 0 : a != 0 ? sign : -sign;
        por_uamount t = a;
        a = b;
        b = t;
        t = c;
        c = d;
        d = t;
        sign = -sign;
    }
}

/* median.go:338 DefaultDeviationFunc from its definition: old = 0 deviates unless
 * new = 0 too; else the rational |new - old| / |old| >= thresholdPPB / 1e9. libocr's
 * threshold is a uint64; porsim's alpha is an int64 the loader keeps >= 0, and a negative
 * one is taken as a threshold every change reaches (por_ocr_deviates does the same). */
static bool ocr2_deviates_by_definition(int64_t alpha_ppb, por_amount old, por_amount now)
{
    if (old == 0)
        return now != 0;
    if (alpha_ppb < 0)
        return true;
    por_uamount diff = now > old ? (por_uamount)now - (por_uamount)old
                                 : (por_uamount)old - (por_uamount)now;
    por_uamount mag = old < 0 ? (por_uamount)0 - (por_uamount)old : (por_uamount)old;
    return frac_cmp(diff, mag, (por_uamount)alpha_ppb, 1000000000u) >= 0;
}

/* An amount of one of the shapes the comparison needs: 0 and +-1, the type's two ends
 * (POR_AMOUNT_MIN included: |MIN| = 2^127), +-2^126, small, and random of a random bit
 * length up to 127. Every draw in its own statement, so their order is set. */
static por_amount ocr2_draw(gsl_rng *r)
{
    por_amount near = (por_amount)por_rng_below(r, 5) - 2;
    por_uamount hi = por_rng_u64(r);
    por_uamount wide = (hi << 64 | por_rng_u64(r)) >> 1;
    uint64_t shape = por_rng_below(r, 7);
    bool neg = por_rng_below(r, 2);
    switch (shape) {
    case 0: return near;
    case 1: return POR_AMOUNT_MAX - (near + 2);
    case 2: return POR_AMOUNT_MIN + (near + 2);
    case 3: return neg ? -((por_amount)1 << 126) + near : ((por_amount)1 << 126) + near;
    case 4: {
        por_amount v = (por_amount)por_rng_below(r, 1000000);
        return neg ? -v : v;
    }
    default: {
        por_amount v = (por_amount)(wide >> por_rng_below(r, 127)); /* <= MAX */
        return neg ? -v : v;
    }
    }
}

/* por_ocr2_deviates against ocr2_deviates_by_definition: half the cases two drawn
 * amounts, half a change built to sit exactly on the threshold (|old| = k * 1e9,
 * |new - old| = k * alpha, then -1, 0 or +1), with k up to what fits, so the products
 * reach far past 2^128. Alphas: 0, small, 1 %, 100 %, 300 %, ocr.accept_deviation's
 * maximum, INT64_MAX, negative ones, and random. */
START_TEST(ocr2_deviation_same_as_definition)
{
    uint64_t seed = por_test_seed();
    printf("ocr2 deviates: seed %" PRIu64 "\n", seed);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "ocr2-deviates"));
    static const int64_t alphas[] = {0,          1,         10000000, 1000000000,
                                     3000000000, 100000000000, INT64_MAX, -1,
                                     INT64_MIN};
    const int iters = 300000;
    uint64_t past_128 = 0, past_128_no = 0, at_threshold = 0, yes = 0;
    for (int iter = 0; iter < iters; iter++) {
        int64_t alpha;
        if (iter % 3 == 0) {
            uint64_t bits = por_rng_u64(r);
            alpha = (int64_t)(bits >> (1 + por_rng_below(r, 63)));
        } else {
            alpha = alphas[por_rng_below(r, sizeof alphas / sizeof alphas[0])];
        }
        por_amount old = ocr2_draw(r), now;
        if (iter % 2 == 0) {
            now = ocr2_draw(r);
        } else {
            uint64_t a = alpha < 0 ? 0 : (uint64_t)alpha;
            por_uamount hi = por_rng_u64(r);
            por_uamount k = hi << 64 | por_rng_u64(r);
            k >>= 1 + por_rng_below(r, 127);
            por_uamount bound = (por_uamount)POR_AMOUNT_MAX / 1000000000u;
            if (a > 0 && ((por_uamount)POR_AMOUNT_MAX - 1) / a < bound)
                bound = ((por_uamount)POR_AMOUNT_MAX - 1) / a; /* k * a + 1 <= MAX */
            k %= bound + 1;
            bool neg_old = por_rng_below(r, 2);
            bool neg_change = por_rng_below(r, 2);
            por_amount off = (por_amount)por_rng_below(r, 3) - 1;
            por_amount mag = (por_amount)(k * 1000000000u), change = (por_amount)(k * a);
            old = neg_old ? -mag : mag;
            por_amount delta = (neg_change ? -change : change) + off;
            if (!por_amount_add(old, delta, &now) && !por_amount_sub(old, delta, &now))
                now = old;
        }
        bool want = ocr2_deviates_by_definition(alpha, old, now);
        bool got = por_ocr2_deviates(alpha, old, now);
        if (got != want)
            ck_abort_msg("seed %" PRIu64 " iteration %d: alpha %" PRId64 " old %016" PRIx64
                         "%016" PRIx64 " now %016" PRIx64 "%016" PRIx64
                         ": %d, the definition says %d",
                         seed, iter, alpha, (uint64_t)((por_uamount)old >> 64),
                         (uint64_t)old,
                         (uint64_t)((por_uamount)now >> 64), (uint64_t)now, got, want);
        /* what the cases covered: products past the 128-bit range (where porsim used to
         * answer "deviates"), the boundary itself, both answers */
        por_uamount diff = now > old ? (por_uamount)now - (por_uamount)old
                                     : (por_uamount)old - (por_uamount)now;
        por_uamount umag = old < 0 ? (por_uamount)0 - (por_uamount)old : (por_uamount)old;
        if (old != 0 && alpha >= 0) {
            bool past = diff > (por_uamount)POR_AMOUNT_MAX / 1000000000u ||
                        (alpha > 0 && umag > (por_uamount)POR_AMOUNT_MAX / (uint64_t)alpha);
            past_128 += past;
            past_128_no += past && !want;
            at_threshold += frac_cmp(diff, umag, (por_uamount)alpha, 1000000000u) == 0;
        }
        yes += want;
    }
    gsl_rng_free(r);
    printf("ocr2 deviates: %" PRIu64 " past 128 bits (%" PRIu64 " of them no deviation), "
           "%" PRIu64 " exactly at the threshold, %" PRIu64 " deviations of %d\n",
           past_128, past_128_no, at_threshold, yes, iters);
    ck_assert_uint_gt(past_128_no, 20000);
    ck_assert_uint_gt(at_threshold, 20000);
    ck_assert_uint_gt(yes, 50000);
    ck_assert_uint_gt((uint64_t)iters - yes, 50000);
}
END_TEST

static ocr_big *final_of(ocr_don *d, uint32_t epoch, uint32_t round, por_amount median)
{
    ocr_big *m = por_ocr_big_new(d, OCR_FINAL);
    m->report.config_digest = d->config_digest;
    m->report.epoch = epoch;
    m->report.round = round;
    m->report.ocr2 = true;
    m->report.nobs = 3;
    for (uint32_t i = 0; i < 3; i++)
        m->report.obs[i] = median, m->report.observers[i] = (uint8_t)i;
    return m;
}

/* median.go ShouldAcceptFinalizedReport, as run by transmission.go eventTransmit:
 * refuse a report not newer than the latest accepted one; while the latest accepted one
 * is pending (not yet on chain) accept a newer one only if its median deviates by
 * AlphaAcceptPPB from it; with nothing pending accept. */
START_TEST(ocr2_should_accept_finalized_report)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR2);
    t.sc.feed.ocr.alpha_accept_ppb = 20000000; /* 2 % */
    tworld w;
    make_don(&w, &t, 0);
    ocr_don *d = w.don;
    ocr_node *nd = &d->nodes[0];
    ocr_big *m = final_of(d, 1, 2, R0);
    por_ocr2_transmission_start(nd, m); /* nothing pending, contract empty: accept */
    ck_assert_uint_eq(nd->o2_accepted_er, (1ull << 32) | 2);
    ocr_big *older = final_of(d, 1, 1, R0 * 2);
    por_ocr2_transmission_start(nd, older); /* not newer than the accepted (1, 2) */
    ck_assert_uint_eq(nd->o2_accepted_er, (1ull << 32) | 2);
    ocr_big *close = final_of(d, 1, 3, R0 / 100 * 101); /* +1 % < 2 %, (1, 2) pending */
    por_ocr2_transmission_start(nd, close);
    ck_assert_uint_eq(nd->o2_accepted_er, (1ull << 32) | 2);
    ocr_big *far = final_of(d, 1, 4, R0 / 100 * 103); /* +3 % >= 2 % */
    por_ocr2_transmission_start(nd, far);
    ck_assert_uint_eq(nd->o2_accepted_er, (1ull << 32) | 4);
    ck_assert(nd->o2_accepted_median == R0 / 100 * 103);
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.transmissions_skipped, 2);
    por_msg_unref(&m->hdr);
    por_msg_unref(&older->hdr);
    por_msg_unref(&close->hdr);
    por_msg_unref(&far->hdr);
    free_don(&w);
}
END_TEST

/* End to end under OCR2 with a reserve flipping by 2 % every 15 min (deviation 1 %):
 * every accepted report carries exactly f + 1 valid signatures and its startedAt is its
 * observationsTimestamp (whole seconds, no later than the block that accepted it), and
 * the audits find no violation. */
START_TEST(ocr2_runs_end_to_end)
{
    tscen t;
    scen_init(&t, 7, 2, POR_PROTOCOL_OCR2);
    printf("seed=%" PRIu64 "\n", t.sc.seed);
    for (size_t i = 1; i < 40; i++) {
        t.reserve.at[i] = (por_time_t)i * 15 * POR_MIN;
        t.reserve.value[i] = (i % 2) ? R0 / 100 * 102 : R0;
    }
    t.reserve.n = 40;
    tworld w;
    run_don(&w, &t, 0, 10 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg);
    printf("OCR2: %" PRIu64 " answers, %" PRIu64 " finals, %" PRIu64 " sent, %" PRIu64
           " skipped\n",
           n, w.st.finals, w.st.transmissions_sent, w.st.transmissions_skipped);
    ck_assert_uint_ge(n, 39); /* every flip reported (plus the first answer) */
    for (uint64_t i = 1; i <= n; i++) {
        por_round_data rd;
        ck_assert(por_aggregator_round(w.agg, i, &rd));
        ck_assert_int_eq(rd.started_at % POR_SEC, 0);
        ck_assert_int_le(rd.started_at, rd.updated_at);
        ck_assert_int_gt(rd.started_at, rd.updated_at - 2 * POR_MIN);
    }
    ck_assert_uint_eq(por_aggregator_count(w.agg, POR_TRANSMIT_WRONG_SIG_COUNT), 0);
    ck_assert_uint_eq(w.st.undersigned_accepted, 0);
    ck_assert_uint_eq(w.st.median_outside_honest, 0);
    ck_assert_ptr_null(por_don_violation(w.don));
    free_don(&w);
}
END_TEST

/* ShouldTransmitAcceptedReport (median.go), at the stage time: a report whose (epoch,
 * round) is not above the contract's latest is not sent; a newer one is. */
START_TEST(ocr2_should_transmit_accepted_report)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR2);
    tworld w;
    make_don(&w, &t, 0);
    ocr_don *d = w.don;
    /* put (2, 1) on chain through the aggregator as a transmission would */
    ocr_big *onchain = final_of(d, 2, 1, R0);
    onchain->report.observations_timestamp = POR_SEC;
    const por_digest *h = por_ocr_big_hash(onchain);
    por_sig sigs[2];
    for (uint32_t i = 0; i < 2; i++)
        por_crypto_sign(d->crypto, &d->nodes[i].key, h, &sigs[i]);
    ck_assert_int_eq(por_aggregator_transmit(d->agg, NULL, POR_MIN, 0, por_don_transmitter(d, 0),
                                             &onchain->report, sigs, 2),
                     POR_TRANSMIT_ACCEPTED);
    ocr_node *nd = &d->nodes[0];
    ocr_big *stale = final_of(d, 1, 5, R0 * 2), *fresh = final_of(d, 2, 2, R0 * 2);
    nd->pending[0] = (ocr_big *)por_msg_ref(&stale->hdr);
    nd->pending[1] = (ocr_big *)por_msg_ref(&fresh->hdr);
    por_ocr2_transmission_on_timer(nd, 0);
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.transmissions_skipped, 1);
    ck_assert_uint_eq(w.st.transmissions_sent, 0);
    por_ocr2_transmission_on_timer(nd, 1);
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.transmissions_sent, 1);
    ck_assert_ptr_null(nd->pending[0]);
    ck_assert_ptr_null(nd->pending[1]);
    por_msg_unref(&onchain->hdr);
    por_msg_unref(&stale->hdr);
    por_msg_unref(&fresh->hdr);
    free_don(&w);
}
END_TEST

/* report_generation_leader.go startRound: the leader starts round r+1 only when ΔRound
 * has passed AND round r completed (readyToStartRound), so with 15 s links a round that
 * takes ~45 s spaces the next one by ~45 s, not ΔRound = 20 s; OCR1 starts one every
 * ΔRound regardless. */
START_TEST(ocr2_round_waits_for_completion_and_delta_round)
{
    por_time_t horizon = 2 * POR_HOUR;
    uint64_t rounds[2];
    for (int p = 0; p < 2; p++) {
        tscen t;
        scen_init(&t, 4, 1, p ? POR_PROTOCOL_OCR2 : POR_PROTOCOL_OCR1);
        t.sc.network.latency.value = 15 * POR_SEC;
        t.sc.feed.ocr.delta_progress = 5 * POR_MIN;
        t.sc.feed.ocr.delta_resend = POR_MIN;
        tworld w;
        run_don(&w, &t, 0, horizon);
        rounds[p] = w.st.rounds_started;
        free_don(&w);
    }
    /* one round: OBSERVE-REQ, OBSERVE, REPORT-REQ, REPORT = 4 hops of 15 s (+ grace) */
    uint64_t ocr2_max = (uint64_t)(horizon / (4 * 15 * POR_SEC)) + 2;
    printf("rounds in 2 h: OCR1 %" PRIu64 ", OCR2 %" PRIu64 " (bound %" PRIu64 ")\n", rounds[0],
           rounds[1], ocr2_max);
    ck_assert_uint_le(rounds[1], ocr2_max);
    ck_assert_uint_gt(rounds[0], 2 * ocr2_max); /* OCR1 keeps its ΔRound pace */
}
END_TEST

/* report_generation_follower.go messageReportReq: a follower answers a REPORT-REQ only
 * for its current round, only once, and when it does not report it sends a "skip"
 * attestation and completes the round (progress). Observed in a quiet feed: after the
 * first answer every round's REPORT-REQ gets skips, the leader never sends a FINAL for
 * them, and the DON keeps its leaders (no progress timeout) for the whole run. */
START_TEST(ocr2_skip_attestations_complete_rounds)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR2);
    t.sc.feed.ocr.delta_c = 10 * POR_HOUR;
    tworld w;
    run_don(&w, &t, 0, 2 * POR_HOUR);
    printf("quiet OCR2 feed: %" PRIu64 " rounds, %" PRIu64 " finals, %" PRIu64 " epochs\n",
           w.st.rounds_started, w.st.finals, w.st.epochs);
    ck_assert_uint_eq(w.st.finals, 1);                /* the first answer only */
    ck_assert_uint_eq(por_aggregator_rounds(w.agg), 1);
    /* epochs change only after rMax rounds: rounds / rMax, never by timeouts */
    ck_assert_uint_le(w.st.epochs, w.st.rounds_started / t.sc.feed.ocr.r_max + 2);
    free_don(&w);
}
END_TEST

/* Same scenario and seed under OCR2: byte-identical runs.csv and summary.json for -j 1
 * and -j 3; and porsim trace shows the OCR2 phases (skip attestation, finalization, the
 * ShouldAcceptFinalizedReport hold-back). */
START_TEST(ocr2_cli_deterministic_and_traced)
{
    const char *dir = por_test_tmpdir("ocr2-cli");
    char args[1024], a[512], b[512];
    const char *sc = POR_SCENARIO_DIR "/congested-chain-heartbeat-ocr2.json";
    for (int j = 1; j <= 3; j += 2) {
        snprintf(args, sizeof args, "run %s -r 3 -j %d -o %s/j%d", sc, j, dir, j);
        ck_assert_int_eq(por_test_run_cli(args, NULL), 0);
    }
    const char *files[] = {"runs.csv", "summary.json"};
    for (int k = 0; k < 2; k++) {
        snprintf(a, sizeof a, "%s/j1/%s", dir, files[k]);
        snprintf(b, sizeof b, "%s/j3/%s", dir, files[k]);
        char *x = por_test_slurp(a), *y = por_test_slurp(b);
        ck_assert(x && y);
        ck_assert_str_eq(x, y);
        free(x);
        free(y);
    }
    snprintf(a, sizeof a, "%s/trace.txt", dir);
    snprintf(args, sizeof args, "trace %s --from 1d23h --to 2d1h", sc); /* the gas spike */
    ck_assert_int_eq(por_test_run_cli(args, a), 0);
    char *txt = por_test_slurp(a);
    ck_assert(txt);
    ck_assert_ptr_nonnull(strstr(txt, "-> skip attestation to the leader"));
    ck_assert_ptr_nonnull(strstr(txt, "finalized (FINAL or FINAL-ECHO with f+1=3 signatures)"));
    ck_assert_ptr_nonnull(strstr(txt, "ShouldAcceptFinalizedReport: held back"));
    free(txt);
}
END_TEST

/* transmission.go transmitDelays: the schedule is a permutation of the oracles keyed by
 * (transmissionOrderKey, configDigest, epoch, round): stage i gets exactly S[i] oracles,
 * every node computes the same, and the order changes with the round. */
START_TEST(ocr2_transmit_order_follows_schedule)
{
    tscen t;
    scen_init(&t, 7, 2, POR_PROTOCOL_OCR2);
    tworld w;
    make_don(&w, &t, 0);
    const uint32_t S[] = {1, 1, 2}; /* scen_init's schedule */
    uint32_t first[2] = {0, 0};
    for (uint32_t round = 1; round <= 2; round++) {
        uint32_t count[4] = {0};
        for (uint32_t i = 0; i < 7; i++) {
            uint32_t st = por_ocr2_transmit_stage(w.don, 3, round, i);
            ck_assert(st == UINT32_MAX || st < 3);
            count[st == UINT32_MAX ? 3 : st]++;
            if (st == 0)
                first[round - 1] = i;
        }
        for (uint32_t k = 0; k < 3; k++)
            ck_assert_uint_eq(count[k], S[k]);
        ck_assert_uint_eq(count[3], 7 - 4);
    }
    /* some (epoch, round) pair has another first transmitter (7 candidates each) */
    bool moved = first[0] != first[1];
    for (uint32_t e = 4; e < 20 && !moved; e++)
        for (uint32_t i = 0; i < 7 && !moved; i++)
            moved = por_ocr2_transmit_stage(w.don, e, 1, i) == 0 && i != first[0];
    ck_assert(moved);
    free_don(&w);
}
END_TEST

/* A FINAL of (E, R) with the first K oracles' signatures over its report. */
static ocr_big *signed_final(ocr_don *d, uint32_t e, uint32_t r, uint32_t k)
{
    ocr_big *fin = final_of(d, e, r, R0);
    fin->report.observations_timestamp = 7 * POR_SEC;
    const por_digest *h = por_ocr_big_hash(fin);
    for (uint32_t i = 0; i < k; i++) {
        fin->signers[i] = (uint8_t)i;
        por_crypto_sign(d->crypto, &d->nodes[i].key, h, &fin->sigs[i]);
    }
    fin->nsigs = k;
    return fin;
}

static void deliver_echo(ocr_node *nd, ocr_big *fin, uint32_t from)
{
    ocr_small *m = por_ocr_small_new(nd->don, OCR_FINAL_ECHO, fin->report.epoch, fin->report.round);
    m->final = (ocr_big *)por_msg_ref(&fin->hdr);
    por_ocr2_repgen_on_message(nd, from, &m->hdr);
    por_msg_unref(&m->hdr);
}

/* report_finalization.go messageFinalEcho: ONE FINAL-ECHO with a quorum (f + 1) of valid
 * signatures finalizes a report for any epoch (OCR1 waits for more than f echoes of the
 * current epoch); the same (epoch, round) is finalized once; fewer than f + 1 signatures
 * are refused; an (epoch, round) expirationAgeRounds behind the latest finalized one is
 * dropped. Finalization hands the report to ShouldAcceptFinalizedReport, which records it
 * as the node's latest accepted. */
START_TEST(ocr2_one_final_echo_finalizes)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR2);
    tworld w;
    make_don(&w, &t, 0);
    ocr_don *d = w.don;
    ocr_node *nd = &d->nodes[3];
    ocr_big *weak = signed_final(d, 9, 2, 1); /* f signatures */
    deliver_echo(nd, weak, 1);
    ck_assert_uint_eq(nd->o2_final_latest, 0);
    ocr_big *fin = signed_final(d, 9, 2, 2); /* f + 1, epoch 9 while the node is in 0 */
    deliver_echo(nd, fin, 1);
    ck_assert_uint_eq(nd->o2_final_latest, (9ull << 32) | 2);
    ck_assert_uint_eq(nd->o2_accepted_er, (9ull << 32) | 2);
    por_don_get_stats(w.don, &w.st);
    uint64_t sent = w.st.messages_sent;
    deliver_echo(nd, fin, 2); /* already finalized: no second echo */
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.messages_sent, sent);
    /* expirationAgeRounds = max(10, ceil(10 min / ΔRound 20 s)) = 30 rounds; r_max 6 */
    ck_assert_uint_eq(d->o2_expiration_rounds, 30);
    ocr_big *old = signed_final(d, 4, 1, 2); /* index 6*4+1 = 25 <= 6*9+2-30 = 26 */
    deliver_echo(nd, old, 1);
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.messages_sent, sent);
    ocr_big *recent = signed_final(d, 5, 1, 2); /* index 31 > 26: not expired */
    deliver_echo(nd, recent, 1);
    por_don_get_stats(w.don, &w.st);
    ck_assert_uint_eq(w.st.messages_sent, sent + 4); /* echoed to all */
    por_msg_unref(&weak->hdr);
    por_msg_unref(&fin->hdr);
    por_msg_unref(&old->hdr);
    por_msg_unref(&recent->hdr);
    free_don(&w);
}
END_TEST

/* The safety audit recounts an accepted OCR2 report's signatures over the OCR2 report
 * hash (observationsTimestamp included): honest runs count no violation (above), and with
 * the POR_TEST_FAULT aids "aggregator-skip-signatures" + "transmit-tampered" (reports
 * doubled after signing, accepted unchecked) every accepted report is counted as
 * under-signed with a median outside the honest range. */
START_TEST(ocr2_audit_sees_tampered_reports)
{
    tscen t;
    scen_init(&t, 4, 1, POR_PROTOCOL_OCR2);
    tworld w;
    make_don(&w, &t, 0);
    por_don_set_test_faults(w.don,
                            POR_DON_FAULT_AGG_SKIP_SIGNATURES | POR_DON_FAULT_TRANSMIT_TAMPERED);
    ck_assert_int_eq(por_sim_run(w.sim, 2 * POR_HOUR), POR_OK);
    por_don_get_stats(w.don, &w.st);
    uint64_t n = por_aggregator_rounds(w.agg);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_eq(w.st.undersigned_accepted, n);
    ck_assert_uint_eq(w.st.median_outside_honest, n);
    ck_assert_ptr_nonnull(por_don_violation(w.don));
    free_don(&w);
}
END_TEST

typedef struct {
    por_metric_cell c[POR_WM_NCOLS];
    char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
} row;

static void run_library(const char *name, row *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", POR_SCENARIO_DIR, name);
    por_scenario *sc = NULL;
    por_error err;
    memset(&err, 0, sizeof err);
    ck_assert_msg(por_scenario_load_file(path, NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(por_world_run_replication(sc, 0, NULL, r->c, r->strings, &err), POR_OK);
    printf("%s (seed %" PRIu64 "): transmissions %g gas %g reports %g staleness %.2f h\n", name,
           sc->seed, r->c[POR_WM_TRANSMISSIONS].value, r->c[POR_WM_GAS].value,
           r->c[POR_WM_REPORTS_ACCEPTED].value,
           por_time_seconds(r->c[POR_WM_MAX_FEED_STALENESS].ns) / 3600);
    por_scenario_free(sc);
}

/* What congested-chain-heartbeat-ocr2's description claims against the OCR1 original:
 * both protocols hold back a report within alpha of the node's pending one (OCR1:
 * transmission.go shouldTransmit; OCR2: median.go ShouldAcceptFinalizedReport with
 * accept_deviation = deviation), and the nodes' transaction managers never drop a
 * pending transaction, so the gas spike costs the two protocols transmissions of the
 * same order (within a factor 2 of each other, both far below one per round) and both
 * detect the loss. */
START_TEST(library_ocr2_scenario_claims)
{
    row o1, o2;
    run_library("congested-chain-heartbeat.json", &o1);
    run_library("congested-chain-heartbeat-ocr2.json", &o2);
    ck_assert(o2.c[POR_WM_TRANSMISSIONS].value <= 2 * o1.c[POR_WM_TRANSMISSIONS].value);
    ck_assert(o1.c[POR_WM_TRANSMISSIONS].value <= 2 * o2.c[POR_WM_TRANSMISSIONS].value);
    ck_assert(o1.c[POR_WM_TRANSMISSIONS].value * 10 < o1.c[POR_WM_ROUNDS].value);
    ck_assert(o2.c[POR_WM_TRANSMISSIONS].value * 10 < o2.c[POR_WM_ROUNDS].value);
    ck_assert(o1.c[POR_WM_FEED_DETECT].present && o2.c[POR_WM_FEED_DETECT].present);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("ocr2");
    TCase *tc = tcase_create("leaders");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fixed_schedule_is_the_same_in_every_replication);
    tcase_add_test(tc, per_replication_schedules_differ_and_reproduce);
    tcase_add_test(tc, per_replication_schedule_same_for_any_jobs);
    tcase_add_test(tc, crash_leader_at_hits_the_leader_at_that_time);
    tcase_add_test(tc, eclipse_leader_at_targets_the_leader);
    suite_add_tcase(s, tc);
    TCase *o2 = tcase_create("ocr2");
    tcase_set_timeout(o2, 300);
    tcase_add_test(o2, ocr2_aggregator_wants_exactly_f_plus_1_signatures);
    tcase_add_test(o2, ocr2_started_at_is_observations_timestamp);
    tcase_add_test(o2, ocr2_aggregator_check_order_and_report_rules);
    tcase_add_test(o2, ocr2_deviation_func);
    tcase_add_test(o2, ocr2_deviation_exact_near_2_127);
    tcase_add_test(o2, ocr2_deviation_same_as_definition);
    tcase_add_test(o2, ocr2_should_accept_finalized_report);
    tcase_add_test(o2, ocr2_runs_end_to_end);
    tcase_add_test(o2, ocr2_should_transmit_accepted_report);
    tcase_add_test(o2, ocr2_round_waits_for_completion_and_delta_round);
    tcase_add_test(o2, ocr2_skip_attestations_complete_rounds);
    tcase_add_test(o2, ocr2_cli_deterministic_and_traced);
    tcase_add_test(o2, library_ocr2_scenario_claims);
    tcase_add_test(o2, ocr2_transmit_order_follows_schedule);
    tcase_add_test(o2, ocr2_one_final_echo_finalizes);
    tcase_add_test(o2, ocr2_audit_sees_tampered_reports);
    suite_add_tcase(s, o2);
    return s;
}
