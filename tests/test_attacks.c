/* Attacks and faults: byzantine oracles cannot move the median outside the honest range
 * (and f+1 can, as the audit reports), stolen keys (k <= f refused, k = f+1 forged answer
 * accepted and reported, not an exit-3 violation), equivocation keeps every accepted
 * report valid, an eclipsed leader costs about ΔProgress, a ripcord stales the feed until
 * Secure Mint refuses, a compromised minter is stopped once the feed shows the
 * shortfall, the signature audit counts what the contract should count, and every
 * scenario in scenarios/attacks/ validates and runs. DON-level tests build scenarios in
 * C; world-level ones load JSON. */
#include "por_test.h"

#include "por/attacker.h"
#include "por/don.h"
#include "por/scenario_load.h"
#include "por/world.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC 100 /* feed decimals 2 */
#define R0 ((por_amount)1000000 * DEC)

typedef struct {
    por_time_t at[256];
    por_amount value[256];
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
    uint32_t attack_nodes[4][POR_MAX_ORACLES];
    reserve_sched reserve;
} tscen;

/* n, f, 50 ms links, 12 s blocks, heartbeat 10 min, deviation 1 %, reserve R0. */
static void scen_init(tscen *t, uint32_t n, uint32_t f)
{
    memset(t, 0, sizeof *t);
    por_scenario *sc = &t->sc;
    strcpy(sc->name, "attack-test");
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
    oc->schedule[0] = 1, oc->schedule[1] = 1, oc->schedule[2] = 2;
    oc->nschedule = 3;
    oc->r_max = 6;
    oc->observe_timeout = 5 * POR_SEC;
    t->reserve.value[0] = R0;
    t->reserve.n = 1;
}

static por_attack_config *scen_attack(tscen *t, por_attack_kind kind, por_byzantine_behavior b,
                                      por_time_t from, por_time_t until, const uint32_t *nodes,
                                      size_t nn)
{
    size_t k = t->sc.nattackers++;
    por_attack_config *a = &t->attacks[k];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->behavior = b;
    a->window.from = from;
    a->window.until = until;
    memcpy(t->attack_nodes[k], nodes, nn * sizeof *nodes);
    a->nodes = t->attack_nodes[k];
    a->nnodes = nn;
    t->sc.attackers = t->attacks;
    return a;
}

/* Reserve alternates between R0 and R0 * 1.02 every PERIOD from PERIOD on. */
static void flipping(tscen *t, por_time_t period, size_t count)
{
    for (size_t i = 1; i <= count && t->reserve.n < 256; i++) {
        t->reserve.at[t->reserve.n] = (por_time_t)i * period + 3 * POR_SEC;
        t->reserve.value[t->reserve.n] = (i % 2) ? R0 / 100 * 102 : R0;
        t->reserve.n++;
    }
}

typedef struct {
    por_sim *sim;
    por_chain *chain;
    por_don *don;
    por_aggregator *agg;
    por_don_stats st;
} tworld;

static void run_don(tworld *w, tscen *t, por_time_t horizon)
{
    w->sim = por_sim_create(t->sc.seed, 0);
    w->chain = por_chain_create(&t->chain, 0, w->sim);
    por_observer obs = {observe_sched, &t->reserve};
    w->don = por_don_create(&t->sc, w->sim, w->chain, obs);
    w->agg = por_don_aggregator(w->don);
    ck_assert_int_eq(por_sim_run(w->sim, horizon), POR_OK);
    por_don_get_stats(w->don, &w->st);
}

static void free_don(tworld *w)
{
    por_sim_destroy(w->sim);
    por_don_destroy(w->don);
    por_chain_destroy(w->chain);
}

static por_round_data round_at(tworld *w, uint64_t id)
{
    por_round_data rd;
    ck_assert(por_aggregator_round(w->agg, id, &rd));
    return rd;
}

/* ------------------------------------------------------------------ byzantine */

START_TEST(f_inflaters_cannot_move_median)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_attack_config *a =
        scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_INFLATE, 0, POR_TIME_MAX, (uint32_t[]){1}, 1);
    a->factor_ppb = 1500000000;
    tworld w;
    run_don(&w, &t, 6 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg);
    printf("f=1 inflater: %" PRIu64 " answers, audit outside=%" PRIu64 " unchecked=%" PRIu64 "\n", n,
           w.st.median_outside_honest, w.st.median_unchecked);
    ck_assert_uint_ge(n, 30); /* a heartbeat every 10 min */
    for (uint64_t i = 1; i <= n; i++)
        ck_assert(round_at(&w, i).answer == R0); /* every honest node observed R0 */
    ck_assert_uint_eq(w.st.median_outside_honest, 0);
    ck_assert_uint_eq(w.st.undersigned_accepted, 0);
    ck_assert_uint_eq(w.st.median_unchecked, 0);
    free_don(&w);
}
END_TEST

/* The control: f+1 inflaters do move it, and the audit says so. */
START_TEST(f_plus_1_inflaters_move_median_and_audit_sees_it)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_attack_config *a = scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_INFLATE, 0, POR_TIME_MAX,
                                       (uint32_t[]){1, 2}, 2);
    a->factor_ppb = 1500000000;
    tworld w;
    run_don(&w, &t, 2 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg), moved = 0;
    for (uint64_t i = 1; i <= n; i++)
        moved += round_at(&w, i).answer == R0 / 2 * 3;
    printf("f+1 inflaters: %" PRIu64 " answers, %" PRIu64 " at 1.5x, audit outside=%" PRIu64 "\n", n,
           moved, w.st.median_outside_honest);
    ck_assert_uint_gt(moved, 0);
    ck_assert_uint_eq(w.st.median_outside_honest, moved);
    free_don(&w);
}
END_TEST

START_TEST(equivocation_keeps_reports_valid)
{
    tscen t;
    scen_init(&t, 4, 1);
    flipping(&t, 2 * POR_MIN, 90);
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_EQUIVOCATE, 0, POR_TIME_MAX, (uint32_t[]){0}, 1);
    tworld w;
    run_don(&w, &t, 3 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg);
    printf("equivocation: %" PRIu64 " answers, finals=%" PRIu64 " rounds_reported=%" PRIu64
           " outside=%" PRIu64 " unchecked=%" PRIu64 "\n",
           n, w.st.finals, w.st.rounds_reported, w.st.median_outside_honest, w.st.median_unchecked);
    /* the equivocating leader sent two FINALs in some rounds */
    ck_assert_uint_gt(w.st.finals, w.st.rounds_reported);
    /* the feed follows the 90 flips */
    ck_assert_uint_ge(n, 60);
    uint64_t prev = 0;
    for (uint64_t i = 1; i <= n; i++) {
        por_round_data rd = round_at(&w, i);
        ck_assert(rd.answer == R0 || rd.answer == R0 / 100 * 102);
        uint64_t er = ((uint64_t)rd.epoch << 32) | rd.round;
        ck_assert_uint_gt(er, prev); /* one report per (epoch, round), in order */
        prev = er;
    }
    ck_assert_uint_eq(w.st.median_outside_honest, 0);
    ck_assert_uint_eq(w.st.undersigned_accepted, 0);
    free_don(&w);
}
END_TEST

/* ------------------------------------------------------------------ keys */

START_TEST(f_plus_1_stolen_keys_publish_forged_answer)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_attack_config *a = scen_attack(&t, POR_ATTACK_KEY_COMPROMISE, 0, POR_HOUR, 2 * POR_HOUR,
                                       (uint32_t[]){1, 2}, 2);
    a->forged_answer = 2 * R0;
    tworld w;
    run_don(&w, &t, 4 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg), forged = 0;
    for (uint64_t i = 1; i <= n; i++) {
        por_round_data rd = round_at(&w, i);
        if (rd.answer == 2 * R0) {
            forged++;
            ck_assert_int_ge(rd.updated_at, POR_HOUR);
            ck_assert_int_lt(rd.updated_at, 2 * POR_HOUR + 5 * POR_MIN);
        }
    }
    printf("k=f+1: %" PRIu64 " answers, %" PRIu64 " forged; stats sent=%" PRIu64 " accepted=%" PRIu64
           " rejected=%" PRIu64 "\n",
           n, forged, w.st.forged_sent, w.st.forged_accepted, w.st.forged_rejected);
    ck_assert_uint_gt(forged, 0);
    ck_assert_uint_eq(w.st.forged_accepted, forged);
    ck_assert_uint_eq(w.st.forged_undersigned_accepted, 0);
    /* after the window the DON restores the truth */
    ck_assert(round_at(&w, n).answer == R0);
    ck_assert_int_gt(round_at(&w, n).updated_at, 2 * POR_HOUR);
    free_don(&w);
}
END_TEST

START_TEST(f_stolen_keys_are_refused)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_attack_config *a = scen_attack(&t, POR_ATTACK_KEY_COMPROMISE, 0, POR_HOUR, 2 * POR_HOUR,
                                       (uint32_t[]){2}, 1);
    a->forged_answer = 2 * R0;
    tworld w;
    run_don(&w, &t, 4 * POR_HOUR);
    uint64_t n = por_aggregator_rounds(w.agg);
    uint64_t refused = por_aggregator_count(w.agg, POR_TRANSMIT_TOO_FEW_SIGS) +
                       por_aggregator_count(w.agg, POR_TRANSMIT_BAD_SIG) +
                       por_aggregator_count(w.agg, POR_TRANSMIT_UNKNOWN_SIGNER);
    printf("k=f: %" PRIu64 " answers; forged sent=%" PRIu64 " rejected=%" PRIu64
           " (unknown_signer=%" PRIu64 ")\n",
           n, w.st.forged_sent, w.st.forged_rejected,
           por_aggregator_count(w.agg, POR_TRANSMIT_UNKNOWN_SIGNER));
    ck_assert_uint_gt(w.st.forged_sent, 0);
    ck_assert_uint_eq(w.st.forged_accepted, 0);
    ck_assert_uint_eq(w.st.forged_rejected, w.st.forged_sent);
    ck_assert_uint_ge(refused, w.st.forged_sent);
    ck_assert_uint_ge(n, 20); /* heartbeats go on */
    for (uint64_t i = 1; i <= n; i++)
        ck_assert(round_at(&w, i).answer == R0);
    free_don(&w);
}
END_TEST

/* The audit counts distinct configured signers with valid signatures, nothing else. */
START_TEST(audit_counts_valid_distinct_signers)
{
    por_crypto *c = por_crypto_create(POR_CRYPTO_IDEAL);
    por_aggregator_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n = 4;
    cfg.f = 1;
    por_keypair k[4], stranger;
    for (uint32_t i = 0; i < 4; i++) {
        por_crypto_derive_key(c, por_test_seed(), "oracle", i, &k[i]);
        cfg.signers[i] = k[i].addr;
    }
    por_crypto_derive_key(c, por_test_seed(), "attacker", 0, &stranger);
    por_report rep;
    memset(&rep, 0, sizeof rep);
    rep.epoch = 3;
    rep.round = 2;
    rep.nobs = 3;
    for (uint32_t i = 0; i < 3; i++)
        rep.obs[i] = R0, rep.observers[i] = (uint8_t)i;
    por_digest h, other;
    por_report_hash(&rep, &h);
    memset(other.b, 7, sizeof other.b);
    por_sig s[6];
    por_crypto_sign(c, &k[0], &h, &s[0]);
    por_crypto_sign(c, &k[0], &h, &s[1]);      /* duplicate signer */
    por_crypto_sign(c, &stranger, &h, &s[2]);  /* unknown signer */
    por_crypto_sign(c, &k[1], &other, &s[3]);  /* over another digest */
    memset(s[4].b, 0xa5, sizeof s[4].b);       /* garbage */
    ck_assert_uint_eq(por_report_valid_signers(c, &cfg, &rep, s, 5), 1);
    por_crypto_sign(c, &k[3], &h, &s[5]);
    ck_assert_uint_eq(por_report_valid_signers(c, &cfg, &rep, s, 6), 2);
    rep.obs[0] = R0 - 1; /* the signatures no longer cover this report */
    ck_assert_uint_eq(por_report_valid_signers(c, &cfg, &rep, s, 6), 0);
    por_crypto_destroy(c);
}
END_TEST

/* ------------------------------------------------------------------ network */

/* First accepted round with ANSWER updated at or after T; 0 if none. */
static uint64_t first_answer(tworld *w, por_amount answer, por_time_t t)
{
    uint64_t n = por_aggregator_rounds(w->agg);
    for (uint64_t i = 1; i <= n; i++) {
        por_round_data rd = round_at(w, i);
        if (rd.answer == answer && rd.updated_at >= t)
            return i;
    }
    return 0;
}

/* At T0 the adversary cuts off whoever leads then (every message to or from it dropped)
 * and the reserve moves 20% one second later. Every following epoch that node leads is
 * lost to a progress timeout; the new value must be on chain within (k + 1) ΔProgress +
 * ΔResend plus one round (grace, read, a few hops), one transmission stage and a block. */
START_TEST(eclipsed_leader_costs_about_delta_progress)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.sc.feed.ocr.delta_c = POR_HOUR;
    por_time_t t0 = 3 * POR_HOUR + 5 * POR_SEC;
    por_amount v2 = R0 / 10 * 12;
    t.reserve.at[1] = t0 + POR_SEC;
    t.reserve.value[1] = v2;
    t.reserve.n = 2;
    tworld w;
    run_don(&w, &t, t0);
    uint32_t e0 = por_don_node_epoch(w.don, 0);
    uint32_t leader = por_don_leader_of(w.don, e0);
    free_don(&w);
    run_don(&w, &t, t0 + 10 * POR_MIN); /* baseline: no attack */
    uint64_t id = first_answer(&w, v2, t0);
    ck_assert_uint_gt(id, 0);
    por_time_t calm = round_at(&w, id).updated_at - t0;
    free_don(&w);

    por_attack_config *a =
        scen_attack(&t, POR_ATTACK_NETWORK, 0, t0, POR_TIME_MAX, (uint32_t[]){leader}, 1);
    a->drop = 1.0;
    run_don(&w, &t, t0 + 10 * POR_MIN);
    uint32_t k = 0;
    while (por_don_leader_of(w.don, e0 + 1 + k) == leader)
        k++;
    id = first_answer(&w, v2, t0);
    ck_assert_uint_gt(id, 0);
    por_time_t took = round_at(&w, id).updated_at - t0;
    const por_ocr_config *oc = &t.sc.feed.ocr;
    por_time_t bound = (por_time_t)(k + 1) * oc->delta_progress + oc->delta_resend +
                       oc->delta_grace + 300 * POR_MS + 10 * 50 * POR_MS + oc->delta_stage +
                       t.chain.block_time;
    printf("eclipsed leader %u (epoch %u, k=%u): new answer %.1fs after the eclipse (calm %.1fs, "
           "bound %.1fs), epochs %" PRIu64 "\n",
           leader, e0, k, por_time_seconds(took), por_time_seconds(calm), por_time_seconds(bound),
           w.st.epochs);
    ck_assert_int_le(took, bound);
    ck_assert_int_gt(took, calm); /* the eclipse did cost something */
    ck_assert_uint_ge(por_don_node_epoch(w.don, leader == 0 ? 1 : 0), e0 + 1 + k);
    free_don(&w);
}
END_TEST

/* ------------------------------------------------------------------ world level */

typedef struct {
    por_metric_cell c[POR_WM_NCOLS];
    char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
    por_status st;
    char msg[512];
} row;

static por_scenario *load_string(const char *json)
{
    por_scenario *sc = NULL;
    por_error err;
    memset(&err, 0, sizeof err);
    por_status st = por_scenario_load_string(json, strlen(json), "test.json", NULL, 0, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s", err.msg);
    return sc;
}

static por_scenario *load_attack(const char *name)
{
    char path[1024];
    int len = snprintf(path, sizeof path, "%s/attacks/%s", POR_SCENARIO_DIR, name);
    ck_assert(len > 0 && (size_t)len < sizeof path);
    por_scenario *sc = NULL;
    por_error err;
    memset(&err, 0, sizeof err);
    por_status st = por_scenario_load_file(path, NULL, 0, &sc, &err);
    ck_assert_msg(st == POR_OK, "%s: %s", path, err.msg);
    return sc;
}

static void run_world(const por_scenario *sc, row *r)
{
    por_error err;
    memset(&err, 0, sizeof err);
    memset(r, 0, sizeof *r);
    r->st = por_world_run_replication(sc, 0, NULL, r->c, r->strings, &err);
    snprintf(r->msg, sizeof r->msg, "%s", err.msg);
    printf("%s: status=%d onset=%.0fs%s detect=%.0fs%s block=%.0fs%s unbacked=%s refused=%g "
           "false_rej=%g staleness=%.0fs epochs=%g forged acc=%g rej=%g undersigned=%g outside=%g %s\n",
           sc->name, (int)r->st, por_time_seconds(r->c[POR_WM_ONSET].ns),
           r->c[POR_WM_ONSET].censored ? "+" : "", por_time_seconds(r->c[POR_WM_FEED_DETECT].ns),
           r->c[POR_WM_FEED_DETECT].censored ? "+" : "", por_time_seconds(r->c[POR_WM_MINT_BLOCK].ns),
           r->c[POR_WM_MINT_BLOCK].censored ? "+" : "",
           r->c[POR_WM_UNBACKED_MINTED].exact ? r->c[POR_WM_UNBACKED_MINTED].exact : "-",
           r->c[POR_WM_MINTS_REFUSED].value, r->c[POR_WM_FALSE_REJECTIONS].value,
           por_time_seconds(r->c[POR_WM_MAX_FEED_STALENESS].ns), r->c[POR_WM_EPOCHS].value,
           r->c[POR_WM_FORGED_ACCEPTED].value, r->c[POR_WM_FORGED_REJECTED].value,
           r->c[POR_WM_UNDERSIGNED_REPORTS].value, r->c[POR_WM_MEDIAN_OUTSIDE_HONEST].value, r->msg);
}

/* A ripcord from 6 h for 12 h with a 1 h heartbeat and max_staleness 2 h: a mint 30 min
 * in is accepted, one at 2 h 5 min in is refused (stale feed), one 1 h after the ripcord
 * is accepted again. */
START_TEST(ripcord_stales_feed_and_secure_mint_refuses)
{
    por_scenario *sc = load_string(
        "{\"duration\": \"1d\", \"seed\": 5,"
        " \"custodians\": [{\"name\": \"bank\", \"reserve\": {\"initial\": \"1000000000.00\"},"
        "   \"attestation\": {\"every\": \"1h\", \"ripcords\": [{\"at\": \"6h\", \"for\": \"12h\"}]}}],"
        " \"feed\": {\"ocr\": {\"n\": 4, \"f\": 1, \"delta_c\": \"1h\"}},"
        " \"token\": {\"initial_supply\": \"900000000\","
        "   \"secure_mint\": {\"max_staleness\": \"2h\"},"
        "   \"mints\": {\"process\": \"scheduled\", \"requests\": ["
        "     {\"at\": \"6h30m\", \"amount\": \"1000\"}, {\"at\": \"8h5m\", \"amount\": \"1000\"},"
        "     {\"at\": \"19h\", \"amount\": \"1000\"}]}}}");
    row r;
    run_world(sc, &r);
    ck_assert_int_eq(r.st, POR_OK);
    ck_assert(r.c[POR_WM_ONSET].censored);
    ck_assert(r.c[POR_WM_MINTS_ACCEPTED].value == 2);
    ck_assert(r.c[POR_WM_MINTS_REFUSED].value == 1);
    ck_assert(r.c[POR_WM_FALSE_REJECTIONS].value == 1); /* the reserves were fine */
    ck_assert_int_ge(r.c[POR_WM_MAX_FEED_STALENESS].ns, 12 * POR_HOUR);
    ck_assert_int_le(r.c[POR_WM_MAX_FEED_STALENESS].ns, 14 * POR_HOUR);
    por_scenario_free(sc);
}
END_TEST

START_TEST(minter_blocked_once_feed_shows_shortfall)
{
    por_scenario *sc = load_attack("minter-compromise.json");
    row r;
    run_world(sc, &r);
    ck_assert_int_eq(r.st, POR_OK);
    ck_assert_int_eq(r.c[POR_WM_ONSET].ns, POR_DAY + 10 * POR_MIN);
    ck_assert(!r.c[POR_WM_FEED_DETECT].censored && !r.c[POR_WM_MINT_BLOCK].censored);
    /* the first refusal after onset is the first attempt after the feed showed it: attempts
     * come every 4 h / 100 = 144 s */
    ck_assert_int_ge(r.c[POR_WM_MINT_BLOCK].ns, r.c[POR_WM_FEED_DETECT].ns);
    ck_assert_int_le(r.c[POR_WM_MINT_BLOCK].ns, r.c[POR_WM_FEED_DETECT].ns + 144 * POR_SEC);
    /* unbacked: whole 1M mints, more than none, far below the 100M Secure Mint headroom */
    double u = r.c[POR_WM_UNBACKED_MINTED].value;
    ck_assert(u >= 1e6 && u < 100e6);
    ck_assert(r.c[POR_WM_MINTS_ACCEPTED].value == u / 1e6); /* no other mints in it */
    /* the huge one and every attempt after detection refused */
    ck_assert(r.c[POR_WM_MINTS_REFUSED].value == 1 + 100 - u / 1e6);
    ck_assert(r.c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    por_scenario_free(sc);
}
END_TEST

START_TEST(key_compromise_outcome_not_violation)
{
    por_scenario *sc = load_attack("key-compromise-threshold.json");
    row r;
    run_world(sc, &r);
    ck_assert_msg(r.st == POR_OK, "%s", r.msg); /* granted power: reported, not exit 3 */
    ck_assert(r.c[POR_WM_FORGED_ACCEPTED].value > 0);
    ck_assert(r.c[POR_WM_UNDERSIGNED_REPORTS].value == 0);
    ck_assert(r.c[POR_WM_INVARIANT_VIOLATIONS].value == 0);
    /* the minter's mints against the forged reserve are unbacked */
    ck_assert(!r.c[POR_WM_ONSET].censored);
    ck_assert(r.c[POR_WM_UNBACKED_MINTED].value >= 400e6);
    por_scenario_free(sc);

    sc = load_attack("key-compromise-below-threshold.json");
    run_world(sc, &r);
    ck_assert_msg(r.st == POR_OK, "%s", r.msg);
    ck_assert(r.c[POR_WM_FORGED_ACCEPTED].value == 0);
    ck_assert(r.c[POR_WM_FORGED_REJECTED].value > 0);
    ck_assert(!r.c[POR_WM_FEED_DETECT].censored); /* the real loss still shows */
    por_scenario_free(sc);
}
END_TEST

/* Every scenarios/attacks/ file loads without warnings and runs one replication. */
START_TEST(library_attacks_validate_and_run)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/attacks", POR_SCENARIO_DIR);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    char names[32][256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 32) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    ck_assert_uint_ge(n, 8);
    for (size_t i = 0; i < n; i++) {
        por_scenario *sc = load_attack(names[i]);
        ck_assert_msg(sc->nwarnings == 0, "%s: %s", names[i], sc->warnings[0]);
        ck_assert_msg(sc->description && strlen(sc->description) > 40, "%s: no description",
                      names[i]);
        row r;
        run_world(sc, &r);
        ck_assert_msg(r.st == POR_OK, "%s: %s", names[i], r.msg);
        ck_assert(r.c[POR_WM_UNDERSIGNED_REPORTS].value == 0);
        if (strcmp(names[i], "byzantine-oracles.json") == 0) {
            ck_assert(r.c[POR_WM_MEDIAN_OUTSIDE_HONEST].value == 0);
            ck_assert(!r.c[POR_WM_FEED_DETECT].censored);
        } else if (strcmp(names[i], "custodian-fraud-hidden-drain.json") == 0) {
            ck_assert(r.c[POR_WM_FEED_DETECT].censored);
            ck_assert(r.c[POR_WM_UNBACKED_MINTED].value > 0);
        } else if (strcmp(names[i], "data-source-faults.json") == 0) {
            ck_assert(r.c[POR_WM_FALSE_REJECTIONS].value > 0);
            ck_assert_int_ge(r.c[POR_WM_MAX_FEED_STALENESS].ns, 10 * POR_HOUR);
        } else if (strcmp(names[i], "network-eclipse-leader.json") == 0) {
            ck_assert(!r.c[POR_WM_FEED_DETECT].censored);
            ck_assert_int_ge(r.c[POR_WM_FEED_DETECT].ns, 5 * POR_MIN); /* the 10 min window */
        }
        por_scenario_free(sc);
    }
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("attacks");
    TCase *tc = tcase_create("attacks");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, f_inflaters_cannot_move_median);
    tcase_add_test(tc, f_plus_1_inflaters_move_median_and_audit_sees_it);
    tcase_add_test(tc, equivocation_keeps_reports_valid);
    tcase_add_test(tc, f_plus_1_stolen_keys_publish_forged_answer);
    tcase_add_test(tc, f_stolen_keys_are_refused);
    tcase_add_test(tc, audit_counts_valid_distinct_signers);
    tcase_add_test(tc, eclipsed_leader_costs_about_delta_progress);
    tcase_add_test(tc, ripcord_stales_feed_and_secure_mint_refuses);
    tcase_add_test(tc, minter_blocked_once_feed_shows_shortfall);
    tcase_add_test(tc, key_compromise_outcome_not_violation);
    tcase_add_test(tc, library_attacks_validate_and_run);
    suite_add_tcase(s, tc);
    return s;
}
