/* End-to-end tests of the OCR model (pacemaker, report generation, transmission) with
 * the network, chain and aggregator: deviation latency bound, heartbeats, crash faults
 * (f keep the feed alive, f+1 stop it), leader replacement, byzantine nodes, and crypto
 * mode independence of the protocol trace, and unreadable contracts (chain RPC faults).
 * Scenarios are built in C. The libocr conformance tests at the end also drive single
 * nodes through the model's internal entry points (models/ocr/ocr_internal.h): the
 * pacemaker's change-leader and the follower's FINAL / FINAL-ECHO rules. */
#include "por_test.h"

#include "por/don.h"
#include "por/rng.h"
#include "por/trace.h"

#include "models/ocr/ocr_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC 100 /* feed decimals 2 */
#define NET_LAT (50 * POR_MS)
#define OBS_LAT (300 * POR_MS)

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
    *latency = OBS_LAT;
    return true;
}

typedef struct {
    por_scenario sc;
    por_chain_config chain;
    por_attack_config attacks[4];
    uint32_t attack_nodes[4][POR_MAX_ORACLES];
    reserve_sched reserve;
} tscen;

/* A small valid scenario: n, f, constant 50 ms latency, 12 s blocks, 1 h heartbeat,
 * 1 % deviation, reserve 1,000,000.00 constant unless steps are added. */
static void scen_init(tscen *t, uint32_t n, uint32_t f)
{
    memset(t, 0, sizeof *t);
    por_scenario *sc = &t->sc;
    strcpy(sc->name, "test");
    sc->seed = por_test_seed();
    sc->replications = 1;
    sc->duration = POR_DAY;
    sc->network.latency.kind = POR_DIST_CONSTANT;
    sc->network.latency.value = NET_LAT;
    strcpy(t->chain.name, "eth");
    t->chain.block_time = 12 * POR_SEC;
    t->chain.confirmations = 1;
    t->chain.base_gas_gwei = 20.0;
    t->chain.transmit_gas = 250000;
    sc->chains = &t->chain;
    sc->nchains = 1;
    por_feed_config *fd = &sc->feed;
    fd->chain = 0;
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
    oc->delta_c = POR_HOUR;
    oc->delta_stage = 20 * POR_SEC;
    oc->alpha_ppb = 10000000; /* 1 % */
    oc->schedule[0] = 1, oc->schedule[1] = 1, oc->schedule[2] = 2;
    oc->nschedule = 3;
    oc->r_max = 6;
    oc->observe_timeout = 5 * POR_SEC;
    t->reserve.at[0] = 0;
    t->reserve.value[0] = (por_amount)1000000 * DEC;
    t->reserve.n = 1;
}

static void scen_step(tscen *t, por_time_t at, por_amount value)
{
    t->reserve.at[t->reserve.n] = at;
    t->reserve.value[t->reserve.n] = value;
    t->reserve.n++;
}

static void scen_attack(tscen *t, por_attack_kind kind, por_byzantine_behavior b,
                        por_time_t from, por_time_t until, const uint32_t *nodes, size_t nn)
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
}

typedef struct {
    por_sim *sim;
    por_chain *chain;
    por_don *don;
} tworld;

static void world_init(tworld *w, tscen *t)
{
    w->sim = por_sim_create(t->sc.seed, 0);
    w->chain = por_chain_create(&t->chain, 0, w->sim);
    por_observer obs = {observe_sched, &t->reserve};
    w->don = por_don_create(&t->sc, w->sim, w->chain, obs);
}

static void world_free(tworld *w)
{
    por_sim_destroy(w->sim);
    por_don_destroy(w->don);
    por_chain_destroy(w->chain);
}

static uint64_t nrounds(tworld *w) { return por_aggregator_rounds(por_don_aggregator(w->don)); }

static por_round_data round_at(tworld *w, uint64_t id)
{
    por_round_data rd;
    ck_assert(por_aggregator_round(por_don_aggregator(w->don), id, &rd));
    return rd;
}

/* First accepted round with ANSWER updated at or after T; 0 if none. */
static uint64_t first_answer(tworld *w, por_amount answer, por_time_t t)
{
    for (uint64_t i = 1; i <= nrounds(w); i++) {
        por_round_data rd = round_at(w, i);
        if (rd.answer == answer && rd.updated_at >= t)
            return i;
    }
    return 0;
}

START_TEST(deviation_reaches_chain_within_bound)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_time_t step_at = 2 * POR_HOUR + 7 * POR_SEC;
    por_amount v2 = (por_amount)1050000 * DEC; /* +5 % > alpha */
    scen_step(&t, step_at, v2);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 3 * POR_HOUR), POR_OK);
    /* the first report ever: initial value, within the first round */
    ck_assert_uint_ge(nrounds(&w), 2);
    por_round_data r1 = round_at(&w, 1);
    ck_assert(r1.answer == t.reserve.value[0]);
    uint64_t id = first_answer(&w, v2, 0);
    ck_assert_uint_gt(id, 0);
    por_round_data rd = round_at(&w, id);
    /* bound: the next round starts within ΔRound (plus an epoch change's two network
     * hops after rMax rounds), then read latency, OBSERVE, ΔGrace, REPORT-REQ, REPORT,
     * FINAL, FINAL-ECHO (5 hops), and the next block */
    por_time_t bound = t.sc.feed.ocr.delta_round + 2 * NET_LAT + OBS_LAT + NET_LAT +
                       t.sc.feed.ocr.delta_grace + 4 * NET_LAT + t.chain.block_time;
    por_time_t took = rd.updated_at - step_at;
    printf("deviation: answer on chain %.3f s after the step (bound %.3f s), round %" PRIu64
           " of %" PRIu64 "\n", took / 1e9, bound / 1e9, id, nrounds(&w));
    ck_assert_msg(took > 0 && took <= bound, "deviation took %" PRId64 " ns, bound %" PRId64,
                  took, bound);
    /* nothing between the first answer and the step was reported without cause */
    for (uint64_t i = 2; i < id; i++) {
        por_round_data x = round_at(&w, i);
        ck_assert(x.answer == t.reserve.value[0]);
        ck_assert_int_ge(x.updated_at - round_at(&w, i - 1).updated_at, t.sc.feed.ocr.delta_c);
    }
    ck_assert_uint_eq(por_aggregator_count(por_don_aggregator(w.don), POR_TRANSMIT_ACCEPTED),
                      nrounds(&w));
    world_free(&w);
}
END_TEST

START_TEST(heartbeat_every_delta_c)
{
    tscen t;
    scen_init(&t, 4, 1);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, POR_DAY), POR_OK);
    uint64_t n = nrounds(&w);
    ck_assert_uint_ge(n, 23);
    ck_assert_uint_le(n, 25);
    const por_ocr_config *oc = &t.sc.feed.ocr;
    por_time_t slack = oc->delta_round + oc->delta_grace + t.chain.block_time + 10 * NET_LAT +
                       OBS_LAT;
    for (uint64_t i = 2; i <= n; i++) {
        por_time_t gap = round_at(&w, i).updated_at - round_at(&w, i - 1).updated_at;
        ck_assert_msg(gap >= oc->delta_c && gap <= oc->delta_c + slack,
                      "heartbeat gap %" PRId64 " ns at round %" PRIu64, gap, i);
    }
    por_don_stats st;
    por_don_get_stats(w.don, &st);
    printf("heartbeat: %" PRIu64 " answers in 1 day; rounds=%" PRIu64 " epochs=%" PRIu64
           " leader_changes=%" PRIu64 " messages=%" PRIu64 " tx sent=%" PRIu64 " skipped=%" PRIu64
           "\n", n, st.rounds_started, st.epochs, st.leader_changes, st.messages_sent,
           st.transmissions_sent, st.transmissions_skipped);
    ck_assert_uint_eq(st.finals, n);
    ck_assert_uint_eq(st.transmissions_sent, n); /* later stages see it on chain */
    ck_assert_uint_ge(st.transmissions_skipped, n);
    ck_assert_uint_gt(st.epochs, 1);
    ck_assert_uint_gt(st.rounds_started, 4000);
    world_free(&w);
}
END_TEST

/* Reserve flips between two values every 30 min from 1 h on. */
static void flipping_reserve(tscen *t)
{
    for (int i = 0; i < 40; i++)
        scen_step(t, POR_HOUR + 30 * POR_MIN * i + 3 * POR_SEC,
                  (por_amount)(i % 2 ? 1000000 : 1100000) * DEC);
}

START_TEST(f_crashed_keeps_updating)
{
    tscen t;
    scen_init(&t, 4, 1);
    flipping_reserve(&t);
    uint32_t bad[] = {2};
    scen_attack(&t, POR_ATTACK_CRASH, 0, POR_HOUR, POR_TIME_MAX, bad, 1);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 20 * POR_HOUR), POR_OK);
    /* every flip reaches the chain within a few minutes (a run of epochs led by the
     * crashed node costs ΔProgress each), most within a round's bound plus one ΔStage
     * (the crashed node may hold the first transmission stage) */
    const por_ocr_config *oc = &t.sc.feed.ocr;
    por_time_t quick = oc->delta_round + 4 * NET_LAT + OBS_LAT + 4 * NET_LAT + oc->delta_grace +
                       oc->delta_stage + t.chain.block_time;
    int fast = 0;
    for (int i = 0; i < 38; i++) {
        por_time_t at = POR_HOUR + 30 * POR_MIN * i + 3 * POR_SEC;
        por_amount v = (por_amount)(i % 2 ? 1000000 : 1100000) * DEC;
        uint64_t id = first_answer(&w, v, at);
        ck_assert_msg(id > 0, "flip %d never reported", i);
        por_time_t took = round_at(&w, id).updated_at - at;
        ck_assert_int_le(took, 5 * POR_MIN);
        fast += took <= quick;
    }
    ck_assert_int_ge(fast, 38 * 6 / 10);
    por_don_stats st;
    por_don_get_stats(w.don, &st);
    ck_assert_uint_gt(st.leader_changes, 0);
    world_free(&w);
}
END_TEST

START_TEST(f_plus_1_crashed_stops)
{
    tscen t;
    scen_init(&t, 4, 1);
    flipping_reserve(&t);
    uint32_t bad[] = {0, 3};
    scen_attack(&t, POR_ATTACK_CRASH, 0, POR_HOUR, POR_TIME_MAX, bad, 2);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 10 * POR_HOUR), POR_OK);
    ck_assert_uint_ge(nrounds(&w), 1);
    por_round_data last = round_at(&w, nrounds(&w));
    /* a transaction already in flight at the crash may still land, nothing after */
    ck_assert_int_le(last.updated_at, POR_HOUR + 2 * POR_MIN);
    world_free(&w);

    /* the crash ends at 5 h: the feed resumes */
    tscen t2;
    scen_init(&t2, 4, 1);
    flipping_reserve(&t2);
    scen_attack(&t2, POR_ATTACK_CRASH, 0, POR_HOUR, 5 * POR_HOUR, bad, 2);
    world_init(&w, &t2);
    ck_assert_int_eq(por_sim_run(w.sim, 10 * POR_HOUR), POR_OK);
    last = round_at(&w, nrounds(&w));
    ck_assert_int_ge(last.updated_at, 9 * POR_HOUR);
    world_free(&w);
}
END_TEST

START_TEST(crashed_leader_replaced)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_time_t t0 = 3 * POR_HOUR + 5 * POR_SEC;
    por_amount v2 = (por_amount)1200000 * DEC;
    scen_step(&t, t0 + POR_SEC, v2);
    /* who leads at t0 in the fault-free run */
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, t0), POR_OK);
    uint32_t e0 = por_don_node_epoch(w.don, 0);
    uint32_t leader = por_don_leader_of(w.don, e0);
    world_free(&w);

    uint32_t bad[] = {leader};
    scen_attack(&t, POR_ATTACK_CRASH, 0, t0, POR_TIME_MAX, bad, 1);
    world_init(&w, &t);
    /* epochs after e0 led by the crashed node again each cost another ΔProgress */
    uint32_t k = 0;
    while (por_don_leader_of(w.don, e0 + 1 + k) == leader)
        k++;
    ck_assert_int_eq(por_sim_run(w.sim, t0 + 10 * POR_MIN), POR_OK);
    uint32_t other = leader == 0 ? 1 : 0;
    ck_assert_uint_ge(por_don_node_epoch(w.don, other), e0 + 1 + k);
    uint64_t id = first_answer(&w, v2, t0);
    ck_assert_uint_gt(id, 0);
    const por_ocr_config *oc = &t.sc.feed.ocr;
    /* (k+1) progress timeouts, then a round, and the crashed node may hold the report's
     * first transmission stage (one ΔStage) */
    por_time_t bound = (por_time_t)(k + 1) * oc->delta_progress + oc->delta_resend +
                       oc->delta_grace + OBS_LAT + 10 * NET_LAT + oc->delta_stage +
                       t.chain.block_time;
    por_time_t took = round_at(&w, id).updated_at - t0;
    printf("crashed leader %u (epoch %u, k=%u): new answer %.3f s after the crash (bound %.3f s)\n",
           leader, e0, k, took / 1e9, bound / 1e9);
    ck_assert_msg(took <= bound, "leader %u crash: progress after %" PRId64 " ns, bound %" PRId64
                  " (k=%u)", leader, took, bound, k);
    world_free(&w);
}
END_TEST

/* por_ocr_byzantine (ocr_internal.h) answers NULL without searching when no BYZANTINE
 * attack lists the node (byz_listed); that must be what the search of the node's attack
 * list answers: for every node, behaviour and time, nodes with a BYZANTINE attack in a
 * window, a node with only a CRASH attack, and nodes with none. */
START_TEST(byzantine_fast_path_same_as_list_search)
{
    tscen t;
    scen_init(&t, 7, 2);
    flipping_reserve(&t);
    uint32_t bad[] = {1, 4}, crashed[] = {5}, late[] = {4, 6};
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_INFLATE, 0, POR_TIME_MAX, bad, 2);
    scen_attack(&t, POR_ATTACK_CRASH, POR_BYZ_INFLATE, 0, 30 * POR_SEC, crashed, 1);
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_WITHHOLD_FINAL, 20 * POR_SEC, 40 * POR_SEC,
                late, 2);
    tworld w;
    world_init(&w, &t);
    ck_assert_uint_eq(w.don->byz_listed, (1u << 1) | (1u << 4) | (1u << 6));
    uint32_t found = 0;
    for (int step = 0; step < 6; step++) {
        ck_assert_int_eq(por_sim_run(w.sim, (por_time_t)(step * 10 + 5) * POR_SEC), POR_OK);
        for (uint32_t i = 0; i < w.don->n; i++) {
            const ocr_node *nd = &w.don->nodes[i];
            for (int b = POR_BYZ_INFLATE; b <= POR_BYZ_MALFORMED; b++) {
                const por_attack_config *fast = por_ocr_byzantine(nd, (por_byzantine_behavior)b);
                ck_assert_ptr_eq(fast, por__ocr_byzantine_listed(nd, (por_byzantine_behavior)b));
                found += fast != NULL;
            }
        }
    }
    /* INFLATE on nodes 1 and 4 at each of 6 times, WITHHOLD_FINAL on 4 and 6 at 25 s, 35 s */
    ck_assert_uint_eq(found, 2 * 6 + 2 * 2);
    world_free(&w);
}
END_TEST

/* messages.c por_ocr_observation_digest (ocr_internal.h): the digest an oracle signs for
 * its observation. With real signatures it is keccak-256 (por_crypto_message_digest) of
 * config digest (32) || epoch (4) || round (4) || observer (1) || value (16), big-endian,
 * the message the contract would hash: the DON absorbs the config digest once (its
 * obs_prefix), and the result must be that of the whole 57-byte message. With ideal
 * signatures it is that message's last 25 bytes followed by the config digest's first 7:
 * an injective packing (two observations differing in any field get different digests).
 * Random fields and edge values (seed printed). */
START_TEST(observation_digest_is_digest_of_layout)
{
    printf("observation_digest_is_digest_of_layout: seed %llu\n",
           (unsigned long long)por_test_seed());
    gsl_rng *rng = por_rng_new(por_test_seed(), 0, por_stream_id("test_ocr", 0, "obs-digest"));
    for (int m = 0; m < 2; m++) {
        tscen t;
        scen_init(&t, 7, 2);
        t.sc.feed.crypto = m ? POR_CRYPTO_MODE_REAL : POR_CRYPTO_MODE_IDEAL;
        tworld w;
        world_init(&w, &t);
        const ocr_don *d = w.don;
        for (int i = 0; i < 2000; i++) {
            uint32_t epoch = (uint32_t)por_rng_u64(rng), round = (uint32_t)por_rng_u64(rng);
            uint32_t who = (uint32_t)por_rng_below(rng, d->n);
            por_amount v = (por_amount)(((por_uamount)por_rng_u64(rng) << 64) | por_rng_u64(rng));
            if (i < 4) { /* edges */
                epoch = i & 1 ? UINT32_MAX : 0;
                round = i & 2 ? UINT32_MAX : 0;
                v = i & 1 ? POR_AMOUNT_MAX : -1;
            }
            uint8_t msg[57];
            memcpy(msg, d->config_digest.b, 32);
            por_uamount u = (por_uamount)v;
            for (int j = 0; j < 4; j++) {
                msg[32 + j] = (uint8_t)(epoch >> (24 - 8 * j));
                msg[36 + j] = (uint8_t)(round >> (24 - 8 * j));
            }
            msg[40] = (uint8_t)who;
            for (int j = 0; j < 16; j++)
                msg[41 + j] = (uint8_t)(u >> (120 - 8 * j));
            por_digest want, got;
            if (m) {
                por_crypto_message_digest(d->crypto, msg, sizeof msg, &want);
            } else {
                memcpy(want.b, msg + 32, 25);
                memcpy(want.b + 25, msg, 7);
            }
            por_ocr_observation_digest(d, epoch, round, who, v, &got);
            ck_assert_msg(memcmp(want.b, got.b, 32) == 0, "mode %d case %d", m, i);
            /* a change of any one field changes the digest */
            por_digest other;
            por_ocr_observation_digest(d, epoch ^ 1u, round, who, v, &other);
            ck_assert(memcmp(other.b, got.b, 32) != 0);
            por_ocr_observation_digest(d, epoch, round ^ 0x80000000u, who, v, &other);
            ck_assert(memcmp(other.b, got.b, 32) != 0);
            por_ocr_observation_digest(d, epoch, round, (who + 1) % d->n, v, &other);
            ck_assert(memcmp(other.b, got.b, 32) != 0);
            por_ocr_observation_digest(d, epoch, round, who, v ^ ((por_amount)1 << 100), &other);
            ck_assert(memcmp(other.b, got.b, 32) != 0);
        }
        world_free(&w);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(byzantine_minority_cannot_move_median)
{
    static const por_byzantine_behavior behaviours[] = {
        POR_BYZ_INFLATE, POR_BYZ_DEFLATE, POR_BYZ_RANDOM, POR_BYZ_SILENT,
        POR_BYZ_REFUSE_SIGN, POR_BYZ_WITHHOLD_FINAL, POR_BYZ_MALFORMED};
    for (size_t b = 0; b < sizeof behaviours / sizeof behaviours[0]; b++) {
        tscen t;
        scen_init(&t, 7, 2);
        flipping_reserve(&t);
        uint32_t bad[] = {1, 4};
        scen_attack(&t, POR_ATTACK_BYZANTINE, behaviours[b], 0, POR_TIME_MAX, bad, 2);
        t.attacks[0].factor_ppb = behaviours[b] == POR_BYZ_DEFLATE ? 100000000 : 10000000000;
        tworld w;
        world_init(&w, &t);
        ck_assert_int_eq(por_sim_run(w.sim, 8 * POR_HOUR), POR_OK);
        ck_assert_uint_ge(nrounds(&w), 14);
        for (uint64_t i = 1; i <= nrounds(&w); i++) {
            por_amount a = round_at(&w, i).answer;
            ck_assert_msg(a == (por_amount)1000000 * DEC || a == (por_amount)1100000 * DEC,
                          "behaviour %zu moved the answer", b);
        }
        /* every flip still lands */
        for (int i = 0; i < 12; i++) {
            por_time_t at = POR_HOUR + 30 * POR_MIN * i + 3 * POR_SEC;
            por_amount v = (por_amount)(i % 2 ? 1000000 : 1100000) * DEC;
            ck_assert_msg(first_answer(&w, v, at) > 0, "behaviour %zu: flip %d lost", b, i);
        }
        world_free(&w);
    }
}
END_TEST

/* The accepted sequence and every counter that does not measure wall time. */
typedef struct {
    uint64_t n;
    por_round_data rounds[400];
    por_don_stats don;
    por_crypto_stats crypto;
    por_chain_stats chain;
} run_summary;

static void run_mode(por_crypto_choice mode, run_summary *out)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.sc.feed.crypto = mode;
    t.sc.network.latency.kind = POR_DIST_LOGNORMAL;
    t.sc.network.latency.median = 80 * POR_MS;
    t.sc.network.latency.sigma = 0.8;
    t.sc.network.loss = 0.02;
    flipping_reserve(&t);
    uint32_t bad[] = {3};
    scen_attack(&t, POR_ATTACK_CRASH, 0, 2 * POR_HOUR, 3 * POR_HOUR, bad, 1);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 6 * POR_HOUR), POR_OK);
    memset(out, 0, sizeof *out);
    out->n = nrounds(&w);
    ck_assert_uint_le(out->n, 400);
    for (uint64_t i = 1; i <= out->n; i++)
        out->rounds[i - 1] = round_at(&w, i);
    por_don_get_stats(w.don, &out->don);
    por_crypto_get_stats(por_don_crypto(w.don), &out->crypto);
    por_chain_get_stats(w.chain, &out->chain);
    world_free(&w);
}

START_TEST(real_and_ideal_crypto_same_trace)
{
    static run_summary a, b;
    run_mode(POR_CRYPTO_MODE_IDEAL, &a);
    run_mode(POR_CRYPTO_MODE_REAL, &b);
    ck_assert_uint_ge(a.n, 10);
    ck_assert_uint_eq(a.n, b.n);
    for (uint64_t i = 0; i < a.n; i++) {
        ck_assert_uint_eq(a.rounds[i].epoch, b.rounds[i].epoch);
        ck_assert_uint_eq(a.rounds[i].round, b.rounds[i].round);
        ck_assert(a.rounds[i].answer == b.rounds[i].answer);
        ck_assert_int_eq(a.rounds[i].updated_at, b.rounds[i].updated_at);
    }
    ck_assert_mem_eq(&a.don, &b.don, sizeof a.don);
    ck_assert_uint_eq(a.crypto.signs, b.crypto.signs);
    ck_assert_uint_eq(a.crypto.verify_calls, b.crypto.verify_calls);
    ck_assert_uint_eq(a.crypto.recover_calls, b.crypto.recover_calls);
    ck_assert_uint_eq(a.chain.txs_mined, b.chain.txs_mined);
    ck_assert_uint_gt(a.crypto.signs, 1000);
    /* crypto.h por_crypto_stats: ideal mode checks every call (no cache); in real mode
     * the cache makes each distinct signature cost one recovery */
    ck_assert_uint_eq(a.crypto.recovers, a.crypto.verify_calls + a.crypto.recover_calls);
    ck_assert_uint_eq(a.crypto.cache_hits, 0);
    ck_assert_uint_lt(b.crypto.recovers, b.crypto.verify_calls + b.crypto.recover_calls);
    ck_assert_uint_gt(b.crypto.ec_sign_ns, 0);
    printf("crypto: signs=%" PRIu64 " verify_calls=%" PRIu64 " recover_calls=%" PRIu64
           " recovers=%" PRIu64 " cache_hits=%" PRIu64 " real ec_sign_ms=%.1f ec_verify_ms=%.1f\n",
           b.crypto.signs, b.crypto.verify_calls, b.crypto.recover_calls, b.crypto.recovers,
           b.crypto.cache_hits, b.crypto.ec_sign_ns / 1e6, b.crypto.ec_verify_ns / 1e6);
}
END_TEST

START_TEST(same_seed_same_run)
{
    static run_summary a, b;
    run_mode(POR_CRYPTO_MODE_IDEAL, &a);
    run_mode(POR_CRYPTO_MODE_IDEAL, &b);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_mem_eq(a.rounds, b.rounds, a.n * sizeof a.rounds[0]);
    ck_assert_mem_eq(&a.don, &b.don, sizeof a.don);
}
END_TEST

/* Contract unreadable, every read: followers report every round (libocr's shouldReport
 * answers yes on a read error) and every transmission re-check fails, so FINALs are
 * made every round but nothing is sent or accepted (libocr drops the transmission). */
START_TEST(rpc_always_failing_reports_but_never_transmits)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.chain.rpc_failure_rate = 1.0;
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 6 * POR_HOUR), POR_OK);
    por_don_stats st;
    por_don_get_stats(w.don, &st);
    printf("rpc rate 1: rounds=%" PRIu64 " finals=%" PRIu64 " read failures at report=%" PRIu64
           " at transmit=%" PRIu64 "\n",
           st.rounds_started, st.finals, st.rpc_failures_report, st.rpc_failures_transmit);
    ck_assert_uint_eq(nrounds(&w), 0);
    ck_assert_uint_eq(st.transmissions_sent, 0);
    ck_assert_uint_gt(st.rounds_started, 500);
    ck_assert_uint_ge(st.finals * 10, st.rounds_started * 9); /* nearly every round */
    ck_assert_uint_ge(st.rpc_failures_report, st.reports_signed);
    ck_assert_uint_gt(st.rpc_failures_transmit, 0);
    ck_assert_uint_eq(st.rpc_failures_transmit, st.transmissions_skipped);
    world_free(&w);
}
END_TEST

/* por_ocr_read_contract (inline in ocr_internal.h): a read that goes through returns
 * the aggregator's latest round as of the block at the node's confirmation depth
 * (por_aggregator_latest_at of por_chain_block_at_depth); one whose RPC fails returns
 * false with *OUT zeroed. Read by every node at several instants of a running DON, with
 * RPC reads that always work and that always fail. */
START_TEST(read_contract_at_depth_or_zeroed)
{
    for (int fails = 0; fails < 2; fails++) {
        tscen t;
        scen_init(&t, 4, 1);
        t.chain.rpc_failure_rate = fails ? 1.0 : 0.0;
        tworld w;
        world_init(&w, &t);
        ocr_don *d = w.don;
        uint64_t seen = 0;
        for (int k = 1; k <= 12; k++) {
            ck_assert_int_eq(por_sim_run(w.sim, (por_time_t)k * 30 * POR_MIN), POR_OK);
            for (uint32_t i = 0; i < d->n; i++) {
                por_round_data got, want;
                memset(&got, 0xab, sizeof got);
                bool ok = por_ocr_read_contract(&d->nodes[i], &got);
                if (fails) {
                    memset(&want, 0, sizeof want);
                } else {
                    por_aggregator_latest_at(
                        d->agg,
                        por_chain_block_at_depth(d->chain, d->sc->feed.ocr.read_confirmations),
                        &want);
                    seen += want.round_id != 0;
                }
                ck_assert(ok == !fails);
                ck_assert_msg(got.round_id == want.round_id && got.answer == want.answer &&
                                  got.started_at == want.started_at &&
                                  got.updated_at == want.updated_at &&
                                  got.answered_in_round == want.answered_in_round &&
                                  got.epoch == want.epoch && got.round == want.round &&
                                  got.block == want.block,
                              "rpc fails %d, read %d, node %u", fails, k, i);
            }
        }
        if (!fails)
            ck_assert_uint_gt(seen, 0); /* rounds were there to read */
        world_free(&w);
    }
}
END_TEST

/* A node's clock (the local time of should-report's heartbeat test, report_generation.c)
 * is true time plus the network's clock offset for that node (net.h:
 * por_net_clock_offset, constant over a replication), which the node keeps from its
 * creation: with skews up to 2 s, every node's offset is the network's, within the
 * bound, and the offsets differ. The seed is the scenario's. */
START_TEST(node_clock_offset_is_the_networks)
{
    tscen t;
    scen_init(&t, 7, 2);
    t.sc.network.clock_skew_max = 2 * POR_SEC;
    printf("node_clock_offset_is_the_networks: seed %llu\n", (unsigned long long)t.sc.seed);
    tworld w;
    world_init(&w, &t);
    ocr_don *d = w.don;
    uint32_t distinct = 0;
    for (int k = 0; k < 2; k++) { /* at creation and after an hour of running */
        for (uint32_t i = 0; i < d->n; i++) {
            por_time_t o = por_net_clock_offset(d->net, i);
            ck_assert_int_eq(d->nodes[i].clock_offset, o);
            ck_assert_int_le(o < 0 ? -o : o, 2 * POR_SEC);
            distinct += i > 0 && o != por_net_clock_offset(d->net, 0);
        }
        ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    }
    ck_assert_uint_gt(distinct, 0);
    world_free(&w);
}
END_TEST

/* An RPC outage from 6 h to 12 h: no answer lands inside it (after the last transaction
 * sent before it is mined), and the overdue heartbeat lands right after it. Outside
 * it, hourly heartbeats as usual. */
START_TEST(rpc_outage_window)
{
    tscen t;
    scen_init(&t, 4, 1);
    por_window outage = {6 * POR_HOUR, 12 * POR_HOUR};
    t.chain.rpc_outages = &outage;
    t.chain.nrpc_outages = 1;
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, POR_DAY), POR_OK);
    uint64_t n = nrounds(&w), before = 0, after = 0;
    por_time_t first_after = -1;
    for (uint64_t i = 1; i <= n; i++) {
        por_time_t u = round_at(&w, i).updated_at;
        ck_assert_msg(u < outage.from + 2 * POR_MIN || u >= outage.until,
                      "answer at %" PRId64 " ns inside the outage", u);
        if (u < outage.from)
            before++;
        if (u >= outage.until) {
            after++;
            if (first_after < 0)
                first_after = u;
        }
    }
    por_don_stats st;
    por_don_get_stats(w.don, &st);
    printf("rpc outage 6h-12h: %" PRIu64 " answers before, %" PRIu64 " after (first %.1f s "
           "after the outage); read failures at report=%" PRIu64 " at transmit=%" PRIu64 "\n",
           before, after, (double)(first_after - outage.until) / POR_SEC,
           st.rpc_failures_report, st.rpc_failures_transmit);
    ck_assert_uint_ge(before, 5);
    ck_assert_uint_ge(after, 11);
    ck_assert_int_ge(first_after, outage.until);
    ck_assert_int_le(first_after - outage.until, 3 * POR_MIN);
    ck_assert_uint_gt(st.rpc_failures_report, 100);
    ck_assert_uint_gt(st.rpc_failures_transmit, 0);
    world_free(&w);
}
END_TEST

/* A flaky RPC (30 % of reads fail) with a constant reserve: the unreadable reads make
 * nodes report without deviation or heartbeat, so many more answers land than the
 * hourly heartbeat alone (all of them the true reserve); with rate 0 only heartbeats. */
START_TEST(rpc_flaky_reads_add_reports)
{
    uint64_t answers[2];
    for (int k = 0; k < 2; k++) {
        tscen t;
        scen_init(&t, 4, 1);
        t.chain.rpc_failure_rate = k ? 0.3 : 0.0;
        tworld w;
        world_init(&w, &t);
        ck_assert_int_eq(por_sim_run(w.sim, 6 * POR_HOUR), POR_OK);
        answers[k] = nrounds(&w);
        for (uint64_t i = 1; i <= answers[k]; i++)
            ck_assert(round_at(&w, i).answer == t.reserve.value[0]);
        por_don_stats st;
        por_don_get_stats(w.don, &st);
        if (!k)
            ck_assert_uint_eq(st.rpc_failures_report + st.rpc_failures_transmit, 0);
        else
            ck_assert_uint_gt(st.rpc_failures_report, 0);
        world_free(&w);
    }
    printf("rpc rate 0.3: %" PRIu64 " answers in 6 h (rate 0: %" PRIu64 ")\n", answers[1],
           answers[0]);
    ck_assert_uint_ge(answers[0], 5);
    ck_assert_uint_le(answers[0], 7);
    ck_assert_uint_gt(answers[1], 10 * answers[0]);
}
END_TEST

/* ---------------------------------------------------------------- libocr conformance */

/* libocr observation.go Deviates: with the on-chain answer at 0, a median of 0 is no
 * deviation. A reserve set to 0 is reported once, then only by the ΔC heartbeat (1 h):
 * before the fix every round (every 20 s) reported. */
START_TEST(zero_answer_reports_only_heartbeats)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.sc.feed.min_answer = 0;
    scen_step(&t, POR_HOUR, 0);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 6 * POR_HOUR), POR_OK);
    uint64_t n = nrounds(&w);
    printf("reserve 0 from 1 h: %" PRIu64 " answers in 6 h\n", n);
    ck_assert(first_answer(&w, 0, POR_HOUR) != 0);
    /* the first answer, the drop to 0, then hourly heartbeats: 1 + 1 + 5 at most */
    ck_assert_uint_ge(n, 6);
    ck_assert_uint_le(n, 8);
    world_free(&w);
}
END_TEST

/* The node that is in epoch E with its T_progress running, after 1 s of a fresh run. */
static ocr_node *running_follower(tworld *w)
{
    ck_assert_int_eq(por_sim_run(w->sim, POR_SEC), POR_OK);
    for (uint32_t i = 0; i < w->don->n; i++) {
        ocr_node *nd = &w->don->nodes[i];
        if (nd->leader != nd->idx) {
            ck_assert_uint_eq(nd->e, 1);
            ck_assert(nd->t_progress != 0);
            return nd;
        }
    }
    ck_abort_msg("no follower");
    return NULL;
}

/* libocr pacemaker.go eventChangeLeader (and eventTProgressTimeout, which calls it):
 * T_progress stops and NEWEPOCH(max(ne, e + 1)) goes to all, also when an epoch change
 * is already pending (ne > e): the node re-sends ne rather than escalating to ne + 1. */
START_TEST(change_leader_asks_max_ne_e_plus_1_and_stops_progress)
{
    tscen t;
    scen_init(&t, 4, 1);
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    uint64_t sent = w.don->stats.messages_sent;
    por_ocr_pacemaker_change_leader(nd);
    ck_assert_uint_eq(nd->ne, 2);
    ck_assert(nd->t_progress == 0);
    ck_assert_uint_eq(w.don->stats.messages_sent, sent + w.don->n); /* NEWEPOCH to all */

    /* an epoch change to 4 already pending: asks for 4 again, T_progress stopped */
    por_ocr_pacemaker_progress(nd);
    nd->ne = 4;
    sent = w.don->stats.messages_sent;
    por_ocr_pacemaker_change_leader(nd);
    ck_assert_uint_eq(nd->ne, 4);
    ck_assert(nd->t_progress == 0);
    ck_assert_uint_eq(w.don->stats.messages_sent, sent + w.don->n);

    /* the progress timeout: same rule */
    por_ocr_pacemaker_progress(nd);
    por_ocr_cancel(nd, &nd->t_progress); /* as if it fired */
    por_ocr_pacemaker_on_progress_timeout(nd);
    ck_assert_uint_eq(nd->ne, 4);
    ck_assert(nd->t_progress == 0);
    world_free(&w);
}
END_TEST

/* The destroy hook of the message deliver_counted hands over, and how often it ran. */
static void (*delivery_destroy)(por_msg *m);
static uint64_t delivery_destroyed;
static void delivery_counting_destroy(por_msg *m)
{
    delivery_destroyed++;
    delivery_destroy(m);
}

/* M from FROM handed to the node's dispatch (por_ocr_node_kind.handle) as the network
 * hands it over: a POR_EV_NET_DELIVER event that owns one reference to the message
 * (net.h), which the handler must drop, and checks that it dropped exactly that one.
 * With SHARED the test holds a second reference, as the other receivers of a broadcast
 * do: the handler frees nothing and the test's drop then frees the message; without it,
 * the handler's drop is the last and frees it. Either way it is freed once. */
static void deliver_counted(ocr_node *nd, uint32_t from, por_msg *m, bool shared)
{
    delivery_destroy = m->destroy;
    m->destroy = delivery_counting_destroy;
    if (shared)
        por_msg_ref(m);
    uint64_t destroyed = delivery_destroyed;
    uint16_t type = m->type;
    por_event ev = {.time = por_sim_now(nd->don->sim), .dst = nd->entity,
                    .type = POR_EV_NET_DELIVER, .a = from, .b = nd->idx, .ptr = m};
    por_ocr_node_kind.handle(nd->don->sim, nd, &ev);
    if (shared) {
        ck_assert_msg(m->refs == 1 && delivery_destroyed == destroyed,
                      "type %u, down %d, from %u: refs %u, freed %llu", type, nd->down,
                      from, m->refs, (unsigned long long)(delivery_destroyed - destroyed));
        por_msg_unref(m);
    }
    ck_assert_msg(delivery_destroyed == destroyed + 1,
                  "type %u, down %d, shared %d, from %u: freed %llu times", type, nd->down,
                  shared, from, (unsigned long long)(delivery_destroyed - destroyed));
}

/* A NEWEPOCH(EPOCH) from FROM delivered through the dispatch (deliver_counted). */
static void deliver_newepoch_ref(ocr_node *nd, uint32_t from, uint32_t epoch, bool shared)
{
    ocr_small *m = por_ocr_small_new(nd->don, OCR_NEWEPOCH, epoch, 0);
    deliver_counted(nd, from, &m->hdr, shared);
}

static void deliver_newepoch(ocr_node *nd, uint32_t from, uint32_t epoch)
{
    deliver_newepoch_ref(nd, from, epoch, false);
}

/* libocr pacemaker.go messageNewepoch: newepoch[sender] keeps the highest epoch asked
 * for, and a NEWEPOCH not above it returns before both "upon" rules (no join, no epoch
 * change, nothing sent); more than f requests above ne make the node ask for the
 * (f+1)-th highest, more than 2f above e move it to the (2f+1)-th highest. */
START_TEST(newepoch_not_above_recorded_changes_nothing)
{
    tscen t;
    scen_init(&t, 4, 1);
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    uint32_t a = (nd->idx + 1) % 4, b = (nd->idx + 2) % 4, c = (nd->idx + 3) % 4;
    uint64_t sent = w.don->stats.messages_sent;
    deliver_newepoch(nd, a, 3); /* one request above ne = 1: f = 1, nothing yet */
    ck_assert_uint_eq(nd->newepoch[a], 3);
    ck_assert_uint_eq(nd->ne, 1);
    ck_assert_uint_eq(w.don->stats.messages_sent, sent);
    deliver_newepoch(nd, a, 2); /* below the recorded 3: kept at 3 */
    ck_assert_uint_eq(nd->newepoch[a], 3);
    deliver_newepoch(nd, b, 3); /* two above ne > f: joins, asks for 3 */
    ck_assert_uint_eq(nd->ne, 3);
    ck_assert_uint_eq(nd->e, 1);
    ck_assert_uint_eq(w.don->stats.messages_sent, sent + 4);
    /* repeats from a and b: nothing changes, nothing is sent */
    ocr_node before = *nd;
    sent = w.don->stats.messages_sent;
    deliver_newepoch(nd, b, 3);
    deliver_newepoch(nd, a, 1);
    ck_assert_mem_eq(before.newepoch, nd->newepoch, sizeof nd->newepoch);
    ck_assert_uint_eq(nd->ne, before.ne);
    ck_assert_uint_eq(nd->e, before.e);
    ck_assert_uint_eq(nd->above_ne, before.above_ne);
    ck_assert_uint_eq(nd->above_e, before.above_e);
    ck_assert_uint_eq(w.don->stats.messages_sent, sent);
    deliver_newepoch(nd, c, 3); /* three above e = 1 > 2f: enters 3 */
    ck_assert_uint_eq(nd->e, 3);
    world_free(&w);
}
END_TEST

/* What the early return above relies on (ocr_internal.h, por_ocr_pacemaker_newepoch_record):
 * between events every running node has at most f requests above ne and at most 2f
 * above e, and its two counts are those of its requests. Checked every 50 ms through
 * leader changes, a crashed leader and a restart (n = 7, f = 2). */
START_TEST(pacemaker_counts_within_thresholds_between_events)
{
    tscen t;
    scen_init(&t, 7, 2);
    t.sc.network.latency.kind = POR_DIST_UNIFORM;
    t.sc.network.latency.min = 10 * POR_MS;
    t.sc.network.latency.max = 300 * POR_MS;
    tworld w;
    world_init(&w, &t);
    uint32_t leader = por_don_leader_of(w.don, 1);
    uint32_t bad[] = {leader};
    scen_attack(&t, POR_ATTACK_CRASH, 0, 2 * POR_MIN, 9 * POR_MIN, bad, 1);
    world_free(&w);
    world_init(&w, &t);
    uint64_t checks = 0;
    for (por_time_t now = 50 * POR_MS; now <= 20 * POR_MIN; now += 50 * POR_MS) {
        ck_assert_int_eq(por_sim_run(w.sim, now), POR_OK);
        for (uint32_t i = 0; i < w.don->n; i++) {
            const ocr_node *nd = &w.don->nodes[i];
            if (nd->down)
                continue;
            uint32_t above_ne = 0, above_e = 0;
            for (uint32_t j = 0; j < w.don->n; j++) {
                above_ne += nd->newepoch[j] > nd->ne;
                above_e += nd->newepoch[j] > nd->e;
            }
            ck_assert_uint_eq(nd->above_ne, above_ne);
            ck_assert_uint_eq(nd->above_e, above_e);
            ck_assert_uint_le(above_ne, w.don->f);
            ck_assert_uint_le(above_e, 2 * w.don->f);
            checks++;
        }
    }
    uint32_t other = leader == 0 ? 1 : 0;
    printf("pacemaker counts: %llu node checks, node %u ends in epoch %u\n",
           (unsigned long long)checks, other, por_don_node_epoch(w.don, other));
    ck_assert_uint_gt(por_don_node_epoch(w.don, other), 2); /* epochs did change */
    world_free(&w);
}
END_TEST

/* libocr offchainreporting/internal/protocol/pacemaker.go messageNewepoch written from
 * scratch: record the request if above the sender's; then sortedGreaterThan(newepoch, ne)
 * and, with more than f candidates, sendNewepoch(candidates[len - (f+1)]) (ne <- that);
 * then sortedGreaterThan(newepoch, e) and, with more than 2f, e <- candidates[len -
 * (2f+1)], ne <- max(ne, e). */
typedef struct {
    uint32_t newepoch[POR_MAX_ORACLES], e, ne;
} ref_pacemaker;

static uint32_t ref_candidate(const uint32_t *newepoch, uint32_t n, uint32_t floor,
                              uint32_t k, bool *found)
{
    uint32_t c[POR_MAX_ORACLES] = {0}, len = 0;
    for (uint32_t j = 0; j < n; j++)
        if (newepoch[j] > floor)
            c[len++] = newepoch[j];
    for (uint32_t i = 1; i < len; i++) /* ascending, as sortedGreaterThan */
        for (uint32_t j = i; j > 0 && c[j - 1] > c[j]; j--) {
            uint32_t t = c[j];
            c[j] = c[j - 1];
            c[j - 1] = t;
        }
    *found = len >= k;
    return *found ? c[len - k] : 0;
}

static void ref_message_newepoch(ref_pacemaker *p, uint32_t n, uint32_t f, uint32_t from,
                                 uint32_t epoch, uint64_t *joins, uint64_t *moves)
{
    if (!(p->newepoch[from] < epoch))
        return;
    p->newepoch[from] = epoch;
    bool found;
    uint32_t join = ref_candidate(p->newepoch, n, p->ne, f + 1, &found);
    if (found) {
        p->ne = join;
        (*joins)++;
    }
    uint32_t move = ref_candidate(p->newepoch, n, p->e, 2 * f + 1, &found);
    if (found) {
        p->e = move;
        if (p->ne < p->e)
            p->ne = p->e;
        (*moves)++;
    }
}

/* The node's dispatch of a NEWEPOCH (oracle.c: por_ocr_pacemaker_newepoch_record inline,
 * the handlers out of line when it asks for them, then the drop of the delivery's
 * reference) moves e and ne as messageNewepoch does, delivery by delivery: random
 * senders (the node itself included) and epochs around the current one, n = 7, f = 2,
 * every third message shared with other receivers (one reference dropped, none freed).
 * A node that is down (oracle.c: a crashed node ignores every message) records nothing
 * and still drops the message. */
START_TEST(newepoch_same_as_message_newepoch)
{
    tscen t;
    scen_init(&t, 7, 2);
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    uint64_t seed = por_test_seed();
    printf("newepoch_same_as_message_newepoch: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, 31);
    ref_pacemaker p;
    memcpy(p.newepoch, nd->newepoch, sizeof p.newepoch);
    p.e = nd->e;
    p.ne = nd->ne;
    uint64_t joins = 0, moves = 0;
    for (uint32_t k = 0; k < 20000; k++) {
        uint32_t from = (uint32_t)por_rng_below(r, w.don->n);
        uint32_t epoch = p.e + (uint32_t)por_rng_below(r, 6); /* e .. e + 5 */
        if (epoch > 1 && por_rng_below(r, 4) == 0)
            epoch -= 1 + (uint32_t)por_rng_below(r, epoch - 1); /* some below e */
        ref_message_newepoch(&p, w.don->n, w.don->f, from, epoch, &joins, &moves);
        deliver_newepoch_ref(nd, from, epoch, k % 3 == 0);
        ck_assert_mem_eq(nd->newepoch, p.newepoch, sizeof p.newepoch);
        if (nd->e != p.e || nd->ne != p.ne)
            ck_abort_msg("seed %llu, delivery %u (from %u, epoch %u): node e=%u ne=%u, "
                         "messageNewepoch e=%u ne=%u",
                         (unsigned long long)seed, k, from, epoch, nd->e, nd->ne, p.e, p.ne);
    }
    printf("newepoch_same_as_message_newepoch: %llu joins, %llu epoch changes, ends in %u\n",
           (unsigned long long)joins, (unsigned long long)moves, nd->e);
    ck_assert_uint_gt(joins, 100);
    ck_assert_uint_gt(moves, 100);

    /* down: requests far above e from every sender change nothing */
    ocr_node before = *nd;
    nd->down = true;
    for (uint32_t from = 0; from < w.don->n; from++)
        deliver_newepoch_ref(nd, from, nd->e + 10, from % 2 == 0);
    ck_assert_mem_eq(nd->newepoch, before.newepoch, sizeof nd->newepoch);
    ck_assert_uint_eq(nd->e, before.e);
    ck_assert_uint_eq(nd->ne, before.ne);
    ck_assert_uint_eq(nd->above_ne, before.above_ne);
    ck_assert_uint_eq(nd->above_e, before.above_e);
    nd->down = false;
    gsl_rng_free(r);
    world_free(&w);
}
END_TEST

/* net.h: a POR_EV_NET_DELIVER event owns one reference to its message, and the handler
 * must drop it. The node's dispatch (oracle.c; for OCR1 the drop happens in report
 * generation's por_ocr_repgen_deliver, for NEWEPOCH in the dispatch itself) drops exactly
 * that one, whatever the message's type, whether the node is running or down and whether
 * the handler acts on the message (from the leader, in the node's epoch and the next
 * round) or ignores it (from another node): a message other receivers still hold keeps
 * their references, one held by this delivery alone is freed once. */
START_TEST(node_drops_each_delivery_once)
{
    tscen t;
    scen_init(&t, 4, 1);
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    uint32_t other = (nd->leader + 1) % 4 == nd->idx ? (nd->leader + 2) % 4 : (nd->leader + 1) % 4;
    static const uint16_t types[] = {OCR_NEWEPOCH, OCR_OBSERVE_REQ, OCR_OBSERVE, OCR_REPORT_REQ,
                                     OCR_REPORT, OCR_FINAL, OCR_FINAL_ECHO};
    uint64_t cases = 0;
    for (int down = 0; down < 2; down++)
        for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++)
            for (int shared = 0; shared < 2; shared++)
                for (int from_leader = 0; from_leader < 2; from_leader++) {
                    uint16_t type = types[ti];
                    uint32_t from = from_leader ? nd->leader : other;
                    por_msg *m;
                    if (type == OCR_REPORT_REQ || type == OCR_FINAL) {
                        ocr_big *b = por_ocr_big_new(w.don, type);
                        b->report.epoch = nd->e;
                        b->report.round = nd->rf + 1;
                        m = &b->hdr;
                    } else {
                        ocr_small *sm = por_ocr_small_new(w.don, type, nd->e, nd->rf + 1);
                        if (type == OCR_FINAL_ECHO)
                            sm->final = por_ocr_big_new(w.don, OCR_FINAL); /* its reference */
                        m = &sm->hdr;
                    }
                    nd->down = down != 0;
                    uint32_t rf = nd->rf, ne = nd->ne, newepoch = nd->newepoch[from];
                    bool observing = nd->observing;
                    deliver_counted(nd, from, m, shared != 0);
                    if (down) { /* oracle.c: a node that is down ignores every message */
                        ck_assert_uint_eq(nd->rf, rf);
                        ck_assert_uint_eq(nd->ne, ne);
                        ck_assert_uint_eq(nd->newepoch[from], newepoch);
                        ck_assert(nd->observing == observing);
                    } else if (type == OCR_OBSERVE_REQ && from_leader) {
                        /* libocr messageObserveReq: the leader's request for the next
                         * round is acted on */
                        ck_assert_uint_eq(nd->rf, rf + 1);
                        ck_assert(nd->observing);
                    }
                    nd->down = false;
                    cases++;
                }
    printf("node_drops_each_delivery_once: %llu deliveries\n", (unsigned long long)cases);
    world_free(&w);
}
END_TEST

/* por_ocr_popcount (the quorum counts of report generation: more than 2f observations,
 * more than f reports or echoes, libocr reportgeneration_leader.go / _follower.go) is the
 * number of set bits: masks built by setting K distinct random bits count K, and every
 * 16-bit value and 200,000 random words count what a bit-by-bit loop counts. */
START_TEST(popcount_counts_set_bits)
{
    uint64_t seed = por_test_seed();
    printf("popcount_counts_set_bits: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, 33);
    for (uint32_t k = 0; k <= 32; k++)
        for (int rep = 0; rep < 200; rep++) {
            uint32_t x = 0;
            for (uint32_t set = 0; set < k;) {
                uint32_t bit = 1u << por_rng_below(r, 32);
                if (!(x & bit)) {
                    x |= bit;
                    set++;
                }
            }
            ck_assert_msg(por_ocr_popcount(x) == k, "seed %llu: mask %08x has %u bits, got %u",
                          (unsigned long long)seed, x, k, por_ocr_popcount(x));
        }
    for (uint32_t i = 0; i < 200000 + 65536; i++) {
        uint32_t x = i < 65536 ? i : (uint32_t)(por_rng_u64(r) >> 32);
        unsigned loop = 0;
        for (uint32_t y = x; y; y >>= 1)
            loop += y & 1u;
        ck_assert_msg(por_ocr_popcount(x) == loop, "seed %llu: mask %08x: loop %u, got %u",
                      (unsigned long long)seed, x, loop, por_ocr_popcount(x));
    }
    gsl_rng_free(r);
}
END_TEST

/* Timer events seen by the recorder entity of node_timer_arms_at_now_plus_delay. */
typedef struct {
    uint32_t n;
    por_time_t time[64];
    uint16_t type[64];
    uint64_t a[64];
} timer_log;

static void timer_log_handle(por_sim *sim, void *self, por_event *ev)
{
    timer_log *log = self;
    (void)sim;
    ck_assert_uint_lt(log->n, 64);
    log->time[log->n] = ev->time;
    log->type[log->n] = ev->type;
    log->a[log->n] = ev->a;
    log->n++;
}

/* A node's timer (por_ocr_timer, inline in ocr_internal.h) arms one event for the node's
 * entity at now + max(DELAY, 0) carrying TYPE and the payload A; a delay past the end of
 * time arms nothing and returns 0; por_ocr_cancel clears the id and the event is never
 * handled. Random delays from a mid-run instant, checked against the handled events. */
START_TEST(node_timer_arms_at_now_plus_delay)
{
    uint64_t seed = por_test_seed();
    printf("node_timer_arms_at_now_plus_delay: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, 34);
    por_sim *sim = por_sim_create(seed, 0);
    static const por_entity_kind kind = {.name = "timer_log", .handle = timer_log_handle};
    timer_log log = {0};
    ocr_don d = {.sim = sim};
    ocr_node nd = {.don = &d, .entity = por_sim_add_entity(sim, &kind, &log)};
    const por_time_t t0 = 5 * POR_SEC;
    ck_assert_int_eq(por_sim_run(sim, t0), POR_OK);
    ck_assert_int_eq(por_sim_now(sim), t0);
    por_time_t want[32];
    uint64_t want_a[32];
    uint16_t want_type[32];
    uint32_t nwant = 0;
    for (uint32_t k = 0; k < 32; k++) {
        por_time_t delay = (por_time_t)por_rng_below(r, 4 * POR_SEC) - POR_SEC; /* some < 0 */
        uint16_t type = (uint16_t)(1 + k % 7);
        uint64_t a = por_rng_u64(r);
        por_event_id id = por_ocr_timer(&nd, delay, type, a);
        ck_assert_uint_ne(id, 0);
        if (k % 4 == 3) {
            por_ocr_cancel(&nd, &id);
            ck_assert_uint_eq(id, 0);
            continue;
        }
        want[nwant] = t0 + (delay < 0 ? 0 : delay);
        want_type[nwant] = type;
        want_a[nwant++] = a;
    }
    uint64_t pending = por_sim_events_pending(sim);
    ck_assert_uint_eq(por_ocr_timer(&nd, POR_TIME_MAX - t0 + 1, 1, 0), 0);
    ck_assert_uint_eq(por_sim_events_pending(sim), pending);
    ck_assert_int_eq(por_sim_run(sim, t0 + 10 * POR_SEC), POR_OK);
    ck_assert_uint_eq(log.n, nwant);
    for (uint32_t i = 0; i < log.n; i++) {
        uint32_t j = 0; /* the armed timer carrying this payload (payloads are distinct) */
        while (j < nwant && want_a[j] != log.a[i])
            j++;
        ck_assert_msg(j < nwant && log.time[i] == want[j] && log.type[i] == want_type[j],
                      "seed %llu: event %u at %lld, payload %llu not armed for that time and type",
                      (unsigned long long)seed, i, (long long)log.time[i],
                      (unsigned long long)log.a[i]);
    }
    por_sim_destroy(sim);
    gsl_rng_free(r);
}
END_TEST

/* The node's send, broadcast and signature (oracle.c's rules, inline in ocr_internal.h):
 * a node that is down or SILENT sends nothing (no network send, no count); any other
 * node's send is one network send and one messages_sent, a broadcast n of each; a
 * MALFORMED node's signature is the garbage with v = 0xff that recovers nothing, any
 * other node's is por_crypto_sign's with its key. */
START_TEST(node_send_and_sign_follow_their_rules)
{
    tscen t;
    scen_init(&t, 7, 2);
    uint32_t silent[] = {1}, malformed[] = {2};
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_SILENT, 0, POR_TIME_MAX, silent, 1);
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_MALFORMED, 0, POR_TIME_MAX, malformed, 1);
    tworld w;
    world_init(&w, &t);
    printf("node_send_and_sign_follow_their_rules: seed %llu\n",
           (unsigned long long)t.sc.seed);
    ck_assert_int_eq(por_sim_run(w.sim, 5 * POR_SEC), POR_OK);
    ocr_don *d = w.don;
    d->nodes[3].down = true;
    por_digest dig;
    por_crypto_message_digest(d->crypto, "node_send_and_sign", 18, &dig);
    for (uint32_t i = 0; i < d->n; i++) {
        ocr_node *nd = &d->nodes[i];
        bool sends = i != 1 && i != 3;
        for (int bcast = 0; bcast < 2; bcast++) {
            por_net_stats before, after;
            por_net_get_stats(d->net, &before);
            uint64_t counted = d->stats.messages_sent;
            ocr_small *m = por_ocr_small_new(d, OCR_OBSERVE, nd->e, 1);
            if (bcast)
                por_ocr_broadcast(nd, &m->hdr);
            else
                por_ocr_send(nd, (i + 1) % d->n, &m->hdr);
            por_msg_unref(&m->hdr);
            por_net_get_stats(d->net, &after);
            uint64_t want = sends ? (bcast ? d->n : 1) : 0;
            ck_assert_uint_eq(after.sent - before.sent, want);
            ck_assert_uint_eq(d->stats.messages_sent - counted, want);
        }
        por_sig got, want;
        por_ocr_sign(nd, &dig, &got);
        if (i == 2) {
            ck_assert_uint_eq(got.b[64], 0xff);
            ck_assert_uint_eq(got.b[0], 0xa5);
        } else {
            por_crypto_sign(d->crypto, &nd->key, &dig, &want);
            ck_assert_mem_eq(got.b, want.b, sizeof got.b);
        }
        por_addr who;
        ck_assert(por_crypto_recover(d->crypto, &dig, &got, &who) == (i != 2));
    }
    d->nodes[3].down = false;
    world_free(&w);
}
END_TEST

/* The rule of por_ocr_tamper_observation: an observation changes only under a BYZANTINE
 * attack that lists the node and is active now (inflate x1.5, deflate x0.5 by default);
 * every other node reports the value it observed. The inline test of the DON's byz_listed
 * mask answers for the unlisted nodes without a call: this fails if it reads the wrong
 * bit, lets a listed node through untampered or tampers with an unlisted one. */
START_TEST(tamper_only_by_listed_active_attacks)
{
    tscen t;
    scen_init(&t, 7, 2);
    uint32_t inflate[] = {1, 5}, deflate[] = {2}, later[] = {4};
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_INFLATE, 0, POR_TIME_MAX, inflate, 2);
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_DEFLATE, 0, POR_TIME_MAX, deflate, 1);
    scen_attack(&t, POR_ATTACK_BYZANTINE, POR_BYZ_INFLATE, 60 * POR_SEC, POR_TIME_MAX, later, 1);
    tworld w;
    world_init(&w, &t);
    ck_assert_int_eq(por_sim_run(w.sim, 5 * POR_SEC), POR_OK); /* node 4's attack not yet */
    ocr_don *d = w.don;
    const por_amount vals[] = {0, 2, 1000000, (por_amount)123456789012LL * 1000000};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
        for (uint32_t i = 0; i < d->n; i++) {
            por_amount v = vals[k], want = v; /* even: x1.5 and x0.5 are exact */
            if (i == 1 || i == 5)
                want = v / 2 * 3;
            else if (i == 2)
                want = v / 2;
            por_amount got = por_ocr_tamper_observation(&d->nodes[i], v);
            ck_assert_msg(got == want, "node %u, value %zu: tampered to a different value", i, k);
        }
    world_free(&w);
}
END_TEST

/* por_ocr_deviates_memo answers what por_ocr_deviates answers (libocr observation.go
 * Deviates: |now - old| / |old| >= alpha_ppb / 1e9, old = 0 deviates unless now = 0),
 * whether the call repeats the last question, changes one of its three parts or all of
 * them; before its first question the memo's fields mean nothing (here: a wrong answer
 * planted for the first question asked). */
START_TEST(deviates_memo_same_as_deviates)
{
    uint64_t seed = por_test_seed();
    printf("deviates_memo: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "deviates-memo"));
    ocr_don *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    d->dev_old = 5, d->dev_now = 100, d->dev_alpha = 1, d->dev_answer = false; /* unset */
    ck_assert(por_ocr_deviates(5, 100, 1));
    ck_assert(por_ocr_deviates_memo(d, 5, 100, 1));
    const por_amount big = (por_amount)100000000000000000LL * 1000;
    const por_amount olds[] = {1000, -1000, 0, big};
    const por_amount nows[] = {1005, 1010, 990, 0, -1010, big + big / 100};
    const int64_t alphas[] = {0, 10000000, 5000000, -1};
    uint64_t repeats = 0, one_part = 0, yes = 0;
    por_amount po = 5, pn = 100;
    int64_t pa = 1;
    for (int i = 0; i < 100000; i++) {
        por_amount old = olds[por_rng_below(r, 4)], now = nows[por_rng_below(r, 6)];
        int64_t alpha = alphas[por_rng_below(r, 4)];
        bool want = por_ocr_deviates(old, now, alpha);
        bool got = por_ocr_deviates_memo(d, old, now, alpha);
        ck_assert_msg(got == want, "seed %llu call %d: %d, por_ocr_deviates says %d",
                      (unsigned long long)seed, i, got, want);
        int same = (old == po) + (now == pn) + (alpha == pa);
        repeats += same == 3;
        one_part += same == 2;
        yes += want;
        po = old, pn = now, pa = alpha;
    }
    ck_assert_uint_gt(repeats, 500);
    ck_assert_uint_gt(one_part, 5000);
    ck_assert_uint_gt(yes, 20000);
    ck_assert_uint_gt(100000 - yes, 3000);
    free(d);
    gsl_rng_free(r);
}
END_TEST

/* por_ocr_small_new (inline in ocr_internal.h): whether it comes from the DON's pool
 * (the last message released first) or from a fresh allocation once the pool is empty, a
 * small message starts with one reference, its type, the wire size of its type (header
 * 16 + context 8, plus value 24 and signature 65 for an OBSERVE, digest 32 and signature
 * 65 for a REPORT), the pool's destroy, its DON, no pool link, its epoch and round, value
 * 0, no FINAL and no digest observer, whatever the released message held. */
START_TEST(small_message_starts_clean)
{
    tscen t;
    scen_init(&t, 7, 2);
    tworld w;
    world_init(&w, &t);
    ocr_don *d = w.don;
    static const uint16_t types[] = {OCR_NEWEPOCH, OCR_OBSERVE_REQ, OCR_OBSERVE, OCR_REPORT,
                                     OCR_FINAL_ECHO};
    enum { N = 12 };
    ocr_small *held[6];
    int nheld = 0, fresh = 0;
    for (int pass = 0; pass < 3; pass++) {
        ocr_small *m[N];
        for (int i = 0; i < N; i++) {
            uint16_t type = types[(i + pass) % 5];
            uint32_t epoch = 1000u * (uint32_t)pass + (uint32_t)i, round = 7u + (uint32_t)i;
            bool pooled = d->free_small != NULL;
            ocr_small *head = d->free_small;
            m[i] = por_ocr_small_new(d, type, epoch, round);
            if (pooled)
                ck_assert_ptr_eq(m[i], head);
            fresh += !pooled;
            uint32_t size = type == OCR_OBSERVE ? 16 + 8 + 24 + 65
                            : type == OCR_REPORT ? 16 + 8 + 32 + 65 : 16 + 8;
            ck_assert_uint_eq(m[i]->hdr.refs, 1);
            ck_assert_uint_eq(m[i]->hdr.type, type);
            ck_assert_uint_eq(m[i]->hdr.size, size);
            ck_assert(m[i]->hdr.destroy == por__ocr_small_destroy);
            ck_assert_ptr_eq(m[i]->don, d);
            ck_assert_ptr_null(m[i]->next_free);
            ck_assert_uint_eq(m[i]->epoch, epoch);
            ck_assert_uint_eq(m[i]->round, round);
            ck_assert(m[i]->value == 0);
            ck_assert_ptr_null(m[i]->final);
            ck_assert_int_eq(m[i]->digest_observer, -1);
            /* what a sender writes before it lets go */
            m[i]->value = (por_amount)123456789 * (i + 1);
            m[i]->digest_observer = i;
            m[i]->hdr.size = 1;
        }
        for (int i = 0; i < N - 2 * pass; i++) /* the pool holds what is released */
            por_msg_unref(&m[i]->hdr);
        for (int i = N - 2 * pass; i < N; i++)
            held[nheld++] = m[i]; /* held past the next pass's requests */
    }
    ck_assert_int_eq(fresh, N + 2); /* the first pass, and two more once the pool ran dry */
    for (int i = 0; i < nheld; i++)
        por_msg_unref(&held[i]->hdr);
    world_free(&w);
}
END_TEST

/* por_ocr_record_honest (inline in ocr_internal.h, with the DON's last slot remembered)
 * keeps the table audit.c describes: a direct-mapped table of OCR_RANGE_SLOTS rounds in
 * which a round's first honest observation starts its range [v, v], evicting whatever
 * round held the slot, and later ones widen it. Written here as that table and compared
 * through por_ocr_honest_range after every record, for rounds that share a slot
 * (evicting one another), others, and runs of one round as its 31 observers make. */
START_TEST(honest_ranges_same_as_direct_mapped_table)
{
    uint64_t seed = por_test_seed();
    printf("honest_ranges: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "honest-ranges"));
    ocr_don *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    uint64_t pool[8];
    int npool = 0;
    pool[npool++] = ((uint64_t)1 << 32) | 1;
    for (uint32_t k = 2; npool < 3; k++) /* two more rounds in the first one's slot */
        if (por_ocr_range_slot(((uint64_t)1 << 32) | k) == por_ocr_range_slot(pool[0]))
            pool[npool++] = ((uint64_t)1 << 32) | k;
    while (npool < 8)
        pool[npool++] = por_rng_u64(r);
    struct {
        bool used;
        uint64_t er;
        por_amount lo, hi;
    } *ref = calloc(OCR_RANGE_SLOTS, sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    uint64_t er = pool[0], evictions = 0;
    for (int i = 0; i < 20000; i++) {
        if (por_rng_below(r, 10) < 3)
            er = pool[por_rng_below(r, npool)];
        por_amount v = (por_amount)por_rng_below(r, 2001) - 1000;
        por_ocr_record_honest(d, (uint32_t)(er >> 32), (uint32_t)er, v);
        size_t slot = por_ocr_range_slot(er);
        if (!ref[slot].used || ref[slot].er != er) {
            evictions += ref[slot].used;
            ref[slot].used = true, ref[slot].er = er, ref[slot].lo = ref[slot].hi = v;
        } else {
            ref[slot].lo = v < ref[slot].lo ? v : ref[slot].lo;
            ref[slot].hi = v > ref[slot].hi ? v : ref[slot].hi;
        }
        for (int k = 0; k < npool; k++) {
            size_t s = por_ocr_range_slot(pool[k]);
            bool known = ref[s].used && ref[s].er == pool[k];
            por_amount lo = 1, hi = -1;
            bool got = por_ocr_honest_range(d, (uint32_t)(pool[k] >> 32), (uint32_t)pool[k],
                                            &lo, &hi);
            ck_assert_msg(got == known && (!known || (lo == ref[s].lo && hi == ref[s].hi)),
                          "seed %llu record %d, round %d of the pool", (unsigned long long)seed,
                          i, k);
        }
    }
    ck_assert_uint_gt(evictions, 500); /* the shared slot changed hands */
    free(ref);
    free(d->ranges);
    free(d);
    gsl_rng_free(r);
}
END_TEST

/* A valid FINAL of (epoch, ROUND) with f + 1 signatures, signed by the DON's own keys. */
static ocr_big *valid_final(ocr_don *d, uint32_t epoch, uint32_t round)
{
    ocr_big *fin = por_ocr_big_new(d, OCR_FINAL);
    por_report *rep = &fin->report;
    rep->config_digest = d->config_digest;
    rep->epoch = epoch;
    rep->round = round;
    rep->nobs = 2 * d->f + 1;
    for (uint32_t i = 0; i < rep->nobs; i++) {
        rep->obs[i] = (por_amount)(1000000 + i) * DEC;
        rep->observers[i] = (uint8_t)i;
    }
    fin->nsigs = d->f + 1;
    for (uint32_t i = 0; i < fin->nsigs; i++) {
        fin->signers[i] = (uint8_t)i;
        por_ocr_sign(&d->nodes[i], por_ocr_big_hash(fin), &fin->sigs[i]);
    }
    ck_assert(por_ocr_final_valid(d, fin));
    return fin;
}

/* A REPORT-REQ of (EPOCH, ROUND) with the observations of nodes 0..2f, values ascending,
 * each signed by its observer (libocr messageReportReq's checks all pass), its content
 * not yet checked. */
static ocr_big *report_req(ocr_don *d, uint32_t epoch, uint32_t round)
{
    ocr_big *m = por_ocr_big_new(d, OCR_REPORT_REQ);
    por_report *rep = &m->report;
    rep->config_digest = d->config_digest;
    rep->epoch = epoch;
    rep->round = round;
    rep->nobs = 2 * d->f + 1;
    for (uint32_t i = 0; i < rep->nobs; i++) {
        rep->obs[i] = (por_amount)(1000000 + i) * DEC;
        rep->observers[i] = (uint8_t)i;
        por_digest od;
        por_ocr_observation_digest(d, epoch, round, i, rep->obs[i], &od);
        por_ocr_sign(&d->nodes[i], &od, &m->obs_sigs[i]);
    }
    return m;
}

/* por_ocr_report_req_valid (inline in ocr_internal.h, the content check in messages.c):
 * a REPORT-REQ is valid for a follower in (epoch, round) when its context is that epoch,
 * round and config digest, checked for every receiver, and its content holds (more than
 * 2f and at most n observations, observers distinct and below n, values ascending, each
 * signature its observer's over the observation digest), checked once and remembered on
 * the immutable message. */
START_TEST(report_req_valid_context_then_content)
{
    tscen t;
    scen_init(&t, 7, 2);
    tworld w;
    world_init(&w, &t);
    ocr_don *d = w.don;
    const uint32_t e = 3, r = 2;
    ocr_big *m = report_req(d, e, r);
    ck_assert_int_eq(m->valid, -1);
    ck_assert(!por_ocr_report_req_valid(d, m, e + 1, r)); /* context first: nothing */
    ck_assert(!por_ocr_report_req_valid(d, m, e, r + 1)); /* memoized yet */
    ck_assert_int_eq(m->valid, -1);
    ck_assert(por_ocr_report_req_valid(d, m, e, r));
    ck_assert_int_eq(m->valid, 1);
    /* a remembered "valid" does not cover another context */
    ck_assert(!por_ocr_report_req_valid(d, m, e, r + 1));
    ck_assert(!por_ocr_report_req_valid(d, m, e - 1, r));
    m->report.config_digest.b[31] ^= 1;
    ck_assert(!por_ocr_report_req_valid(d, m, e, r));
    m->report.config_digest.b[31] ^= 1;
    ck_assert(por_ocr_report_req_valid(d, m, e, r));
    por_msg_unref(&m->hdr);
    /* each broken content is refused, and the refusal remembered */
    for (int broken = 0; broken < 6; broken++) {
        m = report_req(d, e, r);
        por_report *rep = &m->report;
        switch (broken) {
        case 0: rep->nobs = 2 * d->f; break;                   /* too few */
        case 1: rep->observers[1] = rep->observers[0]; break;  /* one observer twice */
        case 2: rep->observers[2] = (uint8_t)d->n; break;      /* no such oracle */
        case 3: rep->obs[0] = rep->obs[1] + 1; break;          /* out of order */
        case 4: m->obs_sigs[3].b[25] ^= 1; break;              /* a bad tag */
        case 5: m->obs_sigs[4] = m->obs_sigs[3]; break;        /* another's signature */
        }
        ck_assert_msg(!por_ocr_report_req_valid(d, m, e, r), "broken %d", broken);
        ck_assert_int_eq(m->valid, 0);
        ck_assert(!por_ocr_report_req_valid(d, m, e, r));
        por_msg_unref(&m->hdr);
    }
    /* the leader's own (ocr__make_req) starts answered: the remembered answer is used */
    m = report_req(d, e, r);
    m->obs_sigs[0].b[25] ^= 1;
    m->valid = 1;
    ck_assert(por_ocr_report_req_valid(d, m, e, r));
    por_msg_unref(&m->hdr);
    world_free(&w);
}
END_TEST

static void deliver_echo(ocr_node *nd, uint32_t from, ocr_big *fin)
{
    ocr_small *m = por_ocr_small_new(nd->don, OCR_FINAL_ECHO, fin->report.epoch, fin->report.round);
    m->final = (ocr_big *)por_msg_ref(&fin->hdr);
    por_ocr_repgen_on_message(nd, from, &m->hdr);
    por_msg_unref(&m->hdr);
}

/* The follower's state as libocr's messageObserveReq leaves it for round R. */
static void follower_at_round(ocr_node *nd, uint32_t r)
{
    por_ocr_repgen_start_epoch(nd); /* a follower: resets its round state */
    nd->rf = r;
}

/* libocr report_generation_follower.go messageFinal / messageFinalEcho: FINAL and
 * FINAL-ECHO count only for the follower's current round (msg.Round !=
 * followerState.r is dropped), FINAL only from the leader, echoed once. */
START_TEST(final_only_for_current_round)
{
    tscen t;
    scen_init(&t, 4, 1);
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    ocr_don *d = w.don;
    follower_at_round(nd, 3);
    ocr_big *older = valid_final(d, nd->e, 2), *newer = valid_final(d, nd->e, 4),
            *current = valid_final(d, nd->e, 3);
    por_ocr_repgen_on_message(nd, nd->leader, &newer->hdr);
    ck_assert(nd->sent_echo == NULL); /* before the fix: a higher round was echoed */
    por_ocr_repgen_on_message(nd, nd->leader, &older->hdr);
    ck_assert(nd->sent_echo == NULL);
    uint32_t other = (nd->leader + 1) % d->n == nd->idx ? (nd->leader + 2) % d->n
                                                         : (nd->leader + 1) % d->n;
    por_ocr_repgen_on_message(nd, other, &current->hdr); /* not from the leader */
    ck_assert(nd->sent_echo == NULL);
    /* echoes of another round neither count nor make it echo */
    for (uint32_t j = 0; j < d->n; j++)
        deliver_echo(nd, j, newer);
    ck_assert(nd->sent_echo == NULL);
    ck_assert_uint_eq(nd->echo_mask, 0);
    ck_assert(!nd->completed);
    por_ocr_repgen_on_message(nd, nd->leader, &current->hdr);
    ck_assert(nd->sent_echo == current);
    ocr_big *again = valid_final(d, nd->e, 3);
    por_ocr_repgen_on_message(nd, nd->leader, &again->hdr); /* only once */
    ck_assert(nd->sent_echo == current);
    por_msg_unref(&older->hdr);
    por_msg_unref(&newer->hdr);
    por_msg_unref(&current->hdr);
    por_msg_unref(&again->hdr);
    world_free(&w);
}
END_TEST

/* libocr completeRound: a follower whose shouldReport said no completes the round, and
 * messageFinalEcho drops echoes after completion ("received final echo after round
 * completion"), so it never hands that round's report to transmission; a follower that
 * did not complete the round does, with more than f echoes, and records the report's
 * (epoch, round) for shouldTransmit even when it is in no transmission stage. */
START_TEST(declined_follower_never_transmits)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.sc.feed.ocr.schedule[0] = 1; /* one transmitter per report: three nodes in no stage */
    t.sc.feed.ocr.nschedule = 1;
    tworld w;
    world_init(&w, &t);
    ocr_node *nd = running_follower(&w);
    ocr_don *d = w.don;
    follower_at_round(nd, 3);
    ocr_big *fin = valid_final(d, nd->e, 3);
    nd->completed = true; /* as completeRound leaves a follower that declined */
    por_ocr_repgen_on_message(nd, nd->leader, &fin->hdr);
    ck_assert(nd->sent_echo == fin); /* messageFinal does not look at completedRound */
    for (uint32_t j = 0; j < d->n; j++)
        deliver_echo(nd, j, fin);
    ck_assert_uint_eq(nd->echo_mask, 0);
    ck_assert_uint_eq(nd->tx_memory.latest_er, 0); /* nothing went to transmission */

    /* the same round at a follower that signed: more than f echoes hand it over */
    follower_at_round(nd, 3);
    for (uint32_t j = 0; j <= d->f; j++)
        deliver_echo(nd, j, fin);
    ck_assert(nd->completed);
    ck_assert(nd->sent_echo == fin);
    ck_assert_uint_eq(nd->tx_memory.latest_er, por_ocr_epoch_round(nd->e, 3));
    uint32_t stage = por_ocr_transmit_stage(d->order_key, &d->config_digest, nd->e, 3, d->n,
                                            nd->idx, d->sched, d->nsched);
    bool queued = false;
    for (int k = 0; k < OCR_MAX_PENDING; k++)
        queued |= nd->pending[k] == fin;
    ck_assert(queued == (stage < d->nsched));
    /* a crash loses shouldTransmit's memory (libocr keeps latestEpochRound in memory
     * only) and the pending reports (porsim has no crash persistence) */
    por_ocr_transmission_abort(nd);
    ck_assert_uint_eq(nd->tx_memory.latest_er, 0);
    for (int k = 0; k < OCR_MAX_PENDING; k++)
        ck_assert(nd->pending[k] == NULL);
    por_msg_unref(&fin->hdr);
    world_free(&w);
}
END_TEST

/* Trace capture of the TX_SKIPPED records. */
typedef struct {
    uint64_t held, sent;
    int64_t alpha_ppb;
    bool rule_ok;
} hold_capture;

static void hold_emit(void *ctx, const por_trace_record *r)
{
    hold_capture *c = ctx;
    if (r->kind == POR_TK_TX_SENT)
        c->sent++;
    if (r->kind != POR_TK_TX_SKIPPED || r->tx_skipped.why != POR_SKIP_HELD_BACK)
        return;
    c->held++;
    /* held back only when the pending median does not deviate from the new one */
    if (por_ocr_deviates(r->tx_skipped.median, r->tx_skipped.pending_median, c->alpha_ppb))
        c->rule_ok = false;
}

/* libocr transmission.go shouldTransmit on a slow chain (10 min blocks) with a reserve
 * drifting 0.4 % per 30 s (alpha 1 %): reports come every few rounds while earlier ones
 * are still unmined. A node holds back a new report while its own newer-than-chain one is
 * pending unless the medians differ by alpha; every hold-back seen obeys that rule, and
 * a node sends at most one transaction per report it accepted. */
START_TEST(hold_back_while_own_report_pending)
{
    tscen t;
    scen_init(&t, 4, 1);
    t.chain.block_time = 10 * POR_MIN;
    for (int i = 1; i < 60; i++)
        scen_step(&t, 30 * POR_SEC * i, (por_amount)(1000000 + 4000 * i) * DEC);
    tworld w;
    world_init(&w, &t);
    hold_capture cap = {0, 0, t.sc.feed.ocr.alpha_ppb, true};
    por_trace_sink sink = {hold_emit, &cap, NULL, NULL};
    por_don_set_trace(w.don, &sink);
    ck_assert_int_eq(por_sim_run(w.sim, 2 * POR_HOUR), POR_OK);
    por_don_stats st;
    por_don_get_stats(w.don, &st);
    printf("slow chain: %" PRIu64 " answers, %" PRIu64 " sent, %" PRIu64 " held back\n",
           nrounds(&w), st.transmissions_sent, st.transmissions_held_back);
    ck_assert(cap.rule_ok);
    ck_assert_uint_gt(st.transmissions_held_back, 0);
    ck_assert_uint_eq(cap.held, st.transmissions_held_back);
    /* a send the trace shows reaches the chain or is replaced in the key's depth-1 queue */
    ck_assert_uint_eq(cap.sent, st.transmissions_sent + st.transmissions_replaced);
    ck_assert_uint_gt(nrounds(&w), 0);
    world_free(&w);
}
END_TEST

/* Confirmations are a reader's own depth (CHAIN.md): oracles reading the aggregator at
 * the newest block see an accepted report before the next transmission stage and skip
 * it; reading 60 blocks deep they do not, send it again, and those copies revert as
 * stale (OffchainAggregator.transmit's epoch-and-round check). */
START_TEST(read_confirmations_are_the_oracles_depth)
{
    por_don_stats st[2];
    for (int k = 0; k < 2; k++) {
        tscen t;
        scen_init(&t, 4, 1);
        t.sc.feed.ocr.read_confirmations = k ? 60 : 1;
        tworld w;
        world_init(&w, &t);
        ck_assert_int_eq(por_sim_run(w.sim, 6 * POR_HOUR), POR_OK);
        por_don_get_stats(w.don, &st[k]);
        world_free(&w);
    }
    printf("read depth 1: %" PRIu64 " transmissions, %" PRIu64 " reverted; depth 60: %" PRIu64
           ", %" PRIu64 "\n", st[0].transmissions_sent, st[0].transmissions_reverted,
           st[1].transmissions_sent, st[1].transmissions_reverted);
    ck_assert_uint_eq(st[0].transmissions_reverted, 0);
    ck_assert_uint_gt(st[1].transmissions_reverted, 0);
    ck_assert_uint_gt(st[1].transmissions_sent, st[0].transmissions_sent);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("ocr");
    TCase *tc = tcase_create("ocr");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, deviation_reaches_chain_within_bound);
    tcase_add_test(tc, heartbeat_every_delta_c);
    tcase_add_test(tc, f_crashed_keeps_updating);
    tcase_add_test(tc, f_plus_1_crashed_stops);
    tcase_add_test(tc, crashed_leader_replaced);
    tcase_add_test(tc, newepoch_not_above_recorded_changes_nothing);
    tcase_add_test(tc, pacemaker_counts_within_thresholds_between_events);
    tcase_add_test(tc, newepoch_same_as_message_newepoch);
    tcase_add_test(tc, node_drops_each_delivery_once);
    tcase_add_test(tc, popcount_counts_set_bits);
    tcase_add_test(tc, node_timer_arms_at_now_plus_delay);
    tcase_add_test(tc, node_send_and_sign_follow_their_rules);
    tcase_add_test(tc, byzantine_minority_cannot_move_median);
    tcase_add_test(tc, byzantine_fast_path_same_as_list_search);
    tcase_add_test(tc, real_and_ideal_crypto_same_trace);
    tcase_add_test(tc, observation_digest_is_digest_of_layout);
    tcase_add_test(tc, same_seed_same_run);
    tcase_add_test(tc, rpc_always_failing_reports_but_never_transmits);
    tcase_add_test(tc, rpc_outage_window);
    tcase_add_test(tc, rpc_flaky_reads_add_reports);
    tcase_add_test(tc, zero_answer_reports_only_heartbeats);
    tcase_add_test(tc, change_leader_asks_max_ne_e_plus_1_and_stops_progress);
    tcase_add_test(tc, final_only_for_current_round);
    tcase_add_test(tc, declined_follower_never_transmits);
    tcase_add_test(tc, hold_back_while_own_report_pending);
    tcase_add_test(tc, read_confirmations_are_the_oracles_depth);
    tcase_add_test(tc, tamper_only_by_listed_active_attacks);
    tcase_add_test(tc, deviates_memo_same_as_deviates);
    tcase_add_test(tc, small_message_starts_clean);
    tcase_add_test(tc, honest_ranges_same_as_direct_mapped_table);
    tcase_add_test(tc, report_req_valid_context_then_content);
    tcase_add_test(tc, read_contract_at_depth_or_zeroed);
    tcase_add_test(tc, node_clock_offset_is_the_networks);
    suite_add_tcase(s, tc);
    return s;
}
