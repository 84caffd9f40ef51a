/* Attacks and faults: byzantine oracles cannot move the median outside the honest range
 * (and f+1 can, as the audit reports), stolen keys (k <= f refused, k = f+1 forged answer
 * accepted and reported, not an exit-3 violation), equivocation keeps every accepted
 * report valid, an eclipsed leader costs about ΔProgress, a ripcord stales the feed until
 * Secure Mint refuses, a compromised minter is stopped once the feed shows the
 * shortfall, the signature audit counts what the contract should count, and every
 * scenario in scenarios/attacks/ validates and runs; custodian fraud by window dressing
 * (attestations fooled, live wallet reads mostly not), by double counting (truth reduced,
 * sources unchanged) and one lying source among two (the feed's sum carries exactly that
 * lie). DON-level tests build scenarios in C; world-level ones load JSON. */
#include "por_test.h"

#include "por/attacker.h"
#include "por/custodian.h"
#include "por/don.h"
#include "por/rng.h"
#include "por/trace.h"
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

/* ------------------------------------------------------------------ custodian fraud */

/* A custodian of 1000.00 (decimals 2), refreshed every hour at phase 0 with no lag. */
static por_custodian_config fraud_cfg(por_source_kind source)
{
    por_custodian_config c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "bank");
    c.decimals = 2;
    c.source = source;
    c.initial = 100000;
    c.attest_every = POR_HOUR;
    c.api_latency.kind = POR_DIST_CONSTANT;
    return c;
}

static por_attack_config fraud_attack(por_time_t from)
{
    por_attack_config a;
    memset(&a, 0, sizeof a);
    a.kind = POR_ATTACK_CUSTODIAN_FRAUD;
    a.custodian = 0;
    a.window.from = from;
    a.window.until = POR_TIME_MAX;
    return a;
}

/* Advances SIM to T and reads C once (must succeed). */
static por_amount read_at(por_custodian *c, por_sim *sim, gsl_rng *r, por_time_t t)
{
    ck_assert(por_sim_run(sim, t) == POR_OK);
    ck_assert_int_eq(por_sim_now(sim), t);
    por_amount v = -1;
    por_time_t lat;
    ck_assert_int_eq(por_custodian_read(c, sim, 0, r, &v, &lat), POR_READ_OK);
    return v;
}

typedef struct {
    por_time_t at[16];
    por_amount before[16], after[16];
    size_t n;
} heard;

static void hear(void *ctx, por_sim *sim, uint32_t index, por_amount before, por_amount after)
{
    heard *h = ctx;
    (void)index;
    ck_assert_uint_lt(h->n, 16);
    h->at[h->n] = por_sim_now(sim);
    h->before[h->n] = before;
    h->after[h->n] = after;
    h->n++;
}

/* 30 % borrowed for +-10 min around each hourly snapshot; the bank halves at 30 min.
 * The API publishes 50000 + 15000 for the whole hour after the 1 h snapshot, although
 * the loan is repaid at 1 h 10; a live wallet shows it only inside [50m, 1h10m). */
START_TEST(window_dressing_exact_around_snapshots)
{
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 30 * POR_MIN, step.kind = POR_CHANGE_RELATIVE_PPB, step.ppb = -500000000;
    por_attack_config att = fraud_attack(0);
    att.dress_ppb = 300000000;
    att.dress_around = 10 * POR_MIN;
    por_amount api[5], wallet[5];
    const por_time_t when[5] = {20 * POR_MIN, 50 * POR_MIN - 1, 65 * POR_MIN, 70 * POR_MIN, 90 * POR_MIN};
    for (int w = 0; w < 2; w++) {
        por_custodian_config cfg = fraud_cfg(w ? POR_SOURCE_WALLET : POR_SOURCE_ATTESTED_API);
        cfg.steps = &step;
        cfg.nsteps = 1;
        por_sim *sim = por_sim_create(por_test_seed(), 0);
        por_error err;
        memset(&err, 0, sizeof err);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, &att, 1, &err);
        ck_assert_msg(c != NULL, "%s", err.msg);
        heard h;
        memset(&h, 0, sizeof h);
        por_custodian_add_listener(c, hear, &h);
        gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "dress"));
        for (int i = 0; i < 5; i++)
            (w ? wallet : api)[i] = read_at(c, sim, r, when[i]);
        /* the loan at exact instants: [s - 10m, s + 10m) around s = k * 1h */
        ck_assert(por_custodian_borrowed_at(c, 0) == 30000);
        ck_assert(por_custodian_borrowed_at(c, 10 * POR_MIN - 1) == 30000);
        ck_assert(por_custodian_borrowed_at(c, 10 * POR_MIN) == 0);
        ck_assert(por_custodian_borrowed_at(c, 50 * POR_MIN - 1) == 0);
        ck_assert(por_custodian_borrowed_at(c, 50 * POR_MIN) == 15000);
        ck_assert(por_custodian_borrowed_at(c, 70 * POR_MIN - 1) == 15000);
        ck_assert(por_custodian_borrowed_at(c, 70 * POR_MIN) == 0);
        /* ground truth never sees the loan: one change, the halving */
        ck_assert(por_custodian_true_reserve(c) == 50000);
        ck_assert(por_custodian_backing(c) == 50000);
        ck_assert_uint_eq(h.n, 1);
        ck_assert(h.at[0] == 30 * POR_MIN && h.before[0] == 100000 && h.after[0] == 50000);
        gsl_rng_free(r);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
    }
    /* API: snapshot 0 (100000 + 30000) until 1h, then snapshot 1h (50000 + 15000) */
    ck_assert(api[0] == 130000 && api[1] == 130000);
    ck_assert(api[2] == 65000 && api[3] == 65000 && api[4] == 65000);
    /* live wallet: dressed only inside an interval */
    ck_assert(wallet[0] == 100000);  /* 20m: between intervals, before the halving */
    ck_assert(wallet[1] == 50000);   /* 50m - 1ns */
    ck_assert(wallet[2] == 65000);   /* 65m: inside [50m, 70m) */
    ck_assert(wallet[3] == 50000);   /* 70m: repaid */
    ck_assert(wallet[4] == 50000);

    /* outside the attack window nothing is dressed; an amount instead of a share */
    att = fraud_attack(POR_HOUR + 30 * POR_MIN);
    att.dress_amount = 777;
    att.dress_around = 10 * POR_MIN;
    por_custodian_config cfg = fraud_cfg(POR_SOURCE_ATTESTED_API);
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, &att, 1, NULL);
    ck_assert_ptr_nonnull(c);
    gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "dress"));
    ck_assert(read_at(c, sim, r, 90 * POR_MIN) == 100000); /* snapshot 1h: before the window */
    ck_assert(read_at(c, sim, r, 2 * POR_HOUR) == 100777);
    gsl_rng_free(r);
    por_sim_destroy(sim);
    por_custodian_destroy(c);

    /* around must stay below half the period */
    att.dress_around = 30 * POR_MIN;
    sim = por_sim_create(por_test_seed(), 0);
    por_error err;
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(por_custodian_create(&cfg, 0, sim, &att, 1, &err));
    ck_assert_int_eq(err.status, POR_EINPUT);
    por_sim_destroy(sim);
}
END_TEST

/* Trace capture: successful custodian reads, answers and truth records of one world run. */
typedef struct {
    por_trace_record *r;
    size_t n, cap;
} capture;

static void capture_emit(void *ctx, const por_trace_record *r)
{
    capture *c = ctx;
    if (r->kind != POR_TK_READ && r->kind != POR_TK_ANSWER && r->kind != POR_TK_TRUTH)
        return;
    if (r->kind == POR_TK_READ && r->read.status != POR_READ_OK)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->r = realloc(c->r, c->cap * sizeof *c->r);
        ck_assert_ptr_nonnull(c->r);
    }
    c->r[c->n++] = *r;
}

static void run_traced(const por_scenario *sc, row *r, capture *cap)
{
    free(cap->r);
    memset(cap, 0, sizeof *cap);
    memset(r, 0, sizeof *r);
    por_trace_sink sink = {capture_emit, cap, NULL, NULL};
    por_run_options opt = {.crypto_override = -1, .trace = &sink};
    por_error err;
    memset(&err, 0, sizeof err);
    r->st = por_world_run_replication(sc, 0, &opt, r->c, r->strings, &err);
    ck_assert_msg(r->st == POR_OK, "%s: %s", sc->name, err.msg);
}

static por_scenario *load_attack_set(const char *name, const char *const *sets, size_t nsets)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/attacks/%s", POR_SCENARIO_DIR, name);
    por_scenario *sc = NULL;
    por_error err;
    memset(&err, 0, sizeof err);
    ck_assert_msg(por_scenario_load_file(path, sets, nsets, &sc, &err) == POR_OK, "%s", err.msg);
    return sc;
}

/* The library scenario: the bank loses 25 % on day 1 and dresses +30 % around every
 * hourly snapshot from 23 h. As an attested API the feed never shows the loss; the same
 * bank read live from its wallet is seen short between the dressing intervals. */
START_TEST(window_dressing_fools_attestation_not_live_wallet)
{
    capture cap = {NULL, 0, 0};
    row api, wallet;
    por_scenario *sc = load_attack("custodian-fraud-window-dressing.json");
    run_traced(sc, &api, &cap);
    por_scenario_free(sc);
    ck_assert_int_eq(api.c[POR_WM_ONSET].ns, POR_DAY); /* the loan never counts */
    ck_assert(api.c[POR_WM_FEED_DETECT].censored);
    ck_assert(api.c[POR_WM_UNBACKED_MINTED].value > 0);
    /* every API read from day 1 shows 1.3 x the true reserve at its snapshot: deposits
     * only add to the 750M left, so never below 975M.00 */
    size_t late = 0;
    for (size_t i = 0; i < cap.n; i++)
        if (cap.r[i].kind == POR_TK_READ && cap.r[i].time >= POR_DAY + POR_HOUR) {
            ck_assert(cap.r[i].read.figure >= (por_amount)97500000000);
            late++;
        }
    ck_assert_uint_gt(late, 100);

    const char *sets[] = {"custodians[0].source=wallet", "custodians[0].chain=ethereum"};
    sc = load_attack_set("custodian-fraud-window-dressing.json", sets, 2);
    run_traced(sc, &wallet, &cap);
    por_scenario_free(sc);
    ck_assert_int_eq(wallet.c[POR_WM_ONSET].ns, POR_DAY);
    ck_assert(!wallet.c[POR_WM_FEED_DETECT].censored);
    /* the loss shows once the confirmed time leaves [23h50m, 24h10m) */
    ck_assert_int_ge(wallet.c[POR_WM_FEED_DETECT].ns, 10 * POR_MIN);
    ck_assert_int_le(wallet.c[POR_WM_FEED_DETECT].ns, 20 * POR_MIN);
    ck_assert(!wallet.c[POR_WM_MINT_BLOCK].censored);
    /* wallet reads from day 1: dressed (>= 975M) inside the intervals, short (< 800M)
     * outside, and more often short (40 of every 60 minutes) */
    size_t dressed = 0, short_ = 0;
    for (size_t i = 0; i < cap.n; i++)
        if (cap.r[i].kind == POR_TK_READ && cap.r[i].time >= POR_DAY + POR_HOUR) {
            if (cap.r[i].read.figure >= (por_amount)97500000000)
                dressed++;
            else if (cap.r[i].read.figure < (por_amount)80000000000)
                short_++;
            else
                ck_abort_msg("wallet read %" PRId64 " neither dressed nor short",
                             (int64_t)cap.r[i].read.figure);
        }
    ck_assert_uint_gt(dressed, 0);
    ck_assert_uint_gt(short_, dressed);
    ck_assert(wallet.c[POR_WM_UNBACKED_MINTED].value < api.c[POR_WM_UNBACKED_MINTED].value);
    free(cap.r);
}
END_TEST

/* 40 % of the balance double counted in [1h, 3h): truth hears 100000 -> 60000 at 1 h,
 * 60000 -> 66000 when 10000 is deposited at 2 h and 66000 -> 110000 at 3 h; every read
 * reports the whole balance. An amount claim subtracts the amount (never below 0). */
START_TEST(double_counting_reduces_truth_not_sources)
{
    por_reserve_step step;
    memset(&step, 0, sizeof step);
    step.at = 2 * POR_HOUR, step.kind = POR_CHANGE_ABSOLUTE, step.amount = 10000;
    por_attack_config att = fraud_attack(POR_HOUR);
    att.window.until = 3 * POR_HOUR;
    att.double_ppb = 400000000;
    for (int w = 0; w < 2; w++) {
        por_custodian_config cfg = fraud_cfg(w ? POR_SOURCE_WALLET : POR_SOURCE_ATTESTED_API);
        cfg.attest_every = 0; /* live figure: reads show the balance at once */
        cfg.steps = &step;
        cfg.nsteps = 1;
        por_sim *sim = por_sim_create(por_test_seed(), 0);
        por_custodian *c = por_custodian_create(&cfg, 0, sim, &att, 1, NULL);
        ck_assert_ptr_nonnull(c);
        heard h;
        memset(&h, 0, sizeof h);
        por_custodian_add_listener(c, hear, &h);
        gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "double"));
        ck_assert(read_at(c, sim, r, 90 * POR_MIN) == 100000);
        ck_assert(por_custodian_backing(c) == 60000);
        ck_assert(read_at(c, sim, r, 150 * POR_MIN) == 110000);
        ck_assert(por_custodian_backing(c) == 66000);
        ck_assert(read_at(c, sim, r, 4 * POR_HOUR) == 110000);
        ck_assert(por_custodian_backing(c) == 110000);
        ck_assert(por_custodian_true_reserve(c) == 110000);
        ck_assert_uint_eq(h.n, 3);
        ck_assert(h.at[0] == POR_HOUR && h.before[0] == 100000 && h.after[0] == 60000);
        ck_assert(h.at[1] == 2 * POR_HOUR && h.before[1] == 60000 && h.after[1] == 66000);
        ck_assert(h.at[2] == 3 * POR_HOUR && h.before[2] == 66000 && h.after[2] == 110000);
        gsl_rng_free(r);
        por_sim_destroy(sim);
        por_custodian_destroy(c);
    }
    att = fraud_attack(0);
    att.double_amount = 30000;
    por_custodian_config cfg = fraud_cfg(POR_SOURCE_ATTESTED_API);
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_custodian *c = por_custodian_create(&cfg, 0, sim, &att, 1, NULL);
    ck_assert(por_sim_run(sim, POR_MIN) == POR_OK);
    ck_assert(por_custodian_backing(c) == 70000);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
    att.double_amount = 200000; /* more than the balance: nothing backs the token */
    sim = por_sim_create(por_test_seed(), 0);
    c = por_custodian_create(&cfg, 0, sim, &att, 1, NULL);
    ck_assert(por_sim_run(sim, POR_MIN) == POR_OK);
    ck_assert(por_custodian_backing(c) == 0);
    por_sim_destroy(sim);
    por_custodian_destroy(c);
}
END_TEST

/* The library scenario: 1000M of which 40 % also backs another token; 800M of supply >
 * 600M, so onset at t = 0; every read shows the whole balance and the feed never sees it. */
START_TEST(double_counting_world_onset_at_zero_never_detected)
{
    capture cap = {NULL, 0, 0};
    row r;
    por_scenario *sc = load_attack("custodian-fraud-double-counting.json");
    run_traced(sc, &r, &cap);
    por_scenario_free(sc);
    ck_assert_int_eq(r.c[POR_WM_ONSET].ns, 0);
    ck_assert(!r.c[POR_WM_ONSET].censored);
    ck_assert(r.c[POR_WM_FEED_DETECT].censored);
    ck_assert(r.c[POR_WM_UNBACKED_MINTED].value > 0);
    ck_assert(r.c[POR_WM_MIN_TRUE_RATIO].value < 0.76);
    /* truth at t = 0 after the claim: 600M in token units (18 decimals) */
    const por_amount e18 = (por_amount)1000000000 * 1000000000;
    bool seen = false;
    size_t reads = 0;
    for (size_t i = 0; i < cap.n; i++) {
        if (cap.r[i].kind == POR_TK_TRUTH && cap.r[i].truth.cause == POR_TRUTH_RESERVE && !seen) {
            ck_assert_int_eq(cap.r[i].time, 0);
            ck_assert(cap.r[i].truth.reserve == 600000000 * e18);
            seen = true;
        }
        if (cap.r[i].kind == POR_TK_READ) {
            /* the whole 1000M.00 (and deposits) */
            ck_assert(cap.r[i].read.figure >= (por_amount)100000000000);
            reads++;
        }
    }
    ck_assert(seen);
    ck_assert_uint_gt(reads, 100);
    free(cap.r);
}
END_TEST

/* Two custodians summed by every oracle, the trust lying +50 %: every trust read is
 * 600M.00 against 400M.00 held, and every on-chain answer is exactly one bank read plus
 * 600M (feed decimals 8): the lie and nothing else. */
START_TEST(one_lying_source_among_two)
{
    capture cap = {NULL, 0, 0};
    row r;
    por_scenario *sc = load_attack("custodian-fraud-one-of-several.json");
    ck_assert_uint_eq(sc->feed.nsources, 2);
    run_traced(sc, &r, &cap);
    por_scenario_free(sc);
    ck_assert_int_eq(r.c[POR_WM_ONSET].ns, POR_DAY);
    ck_assert(r.c[POR_WM_FEED_DETECT].censored);
    ck_assert(r.c[POR_WM_UNBACKED_MINTED].value > 0);
    por_amount *bank = malloc(cap.n * sizeof *bank);
    ck_assert_ptr_nonnull(bank);
    size_t nbank = 0, ntrust = 0, nans = 0;
    for (size_t i = 0; i < cap.n; i++)
        if (cap.r[i].kind == POR_TK_READ && cap.r[i].index == 1) {
            ck_assert(cap.r[i].read.figure == (por_amount)60000000000);
            ntrust++;
        } else if (cap.r[i].kind == POR_TK_READ && cap.r[i].index == 0) {
            bank[nbank++] = cap.r[i].read.figure;
        }
    ck_assert_uint_gt(ntrust, 100);
    const por_amount lie = (por_amount)60000000000 * 1000000; /* 600M, feed decimals */
    for (size_t i = 0; i < cap.n; i++) {
        if (cap.r[i].kind != POR_TK_ANSWER)
            continue;
        nans++;
        bool found = false;
        for (size_t k = 0; k < nbank && !found; k++)
            found = cap.r[i].answer.answer == bank[k] * 1000000 + lie;
        ck_assert_msg(found, "answer %" PRId64 " at %" PRId64 " is no bank read + 600M",
                      (int64_t)cap.r[i].answer.answer, (int64_t)cap.r[i].time);
    }
    ck_assert_uint_gt(nans, 2);
    free(bank);
    free(cap.r);
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
    tcase_add_test(tc, window_dressing_exact_around_snapshots);
    tcase_add_test(tc, window_dressing_fools_attestation_not_live_wallet);
    tcase_add_test(tc, double_counting_reduces_truth_not_sources);
    tcase_add_test(tc, double_counting_world_onset_at_zero_never_detected);
    tcase_add_test(tc, one_lying_source_among_two);
    suite_add_tcase(s, tc);
    return s;
}
