/* The world's event hub and two of its subscribers as units fed hand-made events:
 * - the hub (sim/models/world/world_hub.h): subscription order is the delivery order, an
 *   event kind reaches only its own subscribers, and an event published by a subscriber
 *   is delivered before the next subscriber of the outer event runs (how a backed mint's
 *   deposit reaches truth before the mint does);
 * - ground truth (world_truth.h): reserve = sum of the custodians' true reserves rescaled
 *   to the token's decimals; onset = the first instant true reserve / outstanding supply
 *   falls below metrics.onset_ratio (README "Metrics", scenarios/SCHEMA.md onset_ratio);
 * - the safety invariants (world_invariants.h): after an accepted guarded mint, supply <=
 *   mintable(latest reported reserve) with a positive, fresh answer (POR.md "Secure Mint
 *   guard"; chainlink-ace SecureMintPolicy.sol run and totalMintableSupply); OCR's, from
 *   the DON's counters (por/world.h; OffchainAggregator.sol transmit: "not enough
 *   signatures" unless more than f).
 * Every expected value below is computed from those rules, not taken from a run. */
#include "por_test.h"

#include "models/world/world_hub.h"
#include "models/world/world_internal.h"
#include "models/world/world_invariants.h"
#include "models/world/world_scale.h"
#include "models/world/world_truth.h"

#include "por/ratio.h"
#include "por/rng.h"

#include <stdio.h>
#include <string.h>

/* ---- the hub ------------------------------------------------------------------------- */

typedef struct {
    char log[64];
    size_t len;
} recorder;

typedef struct {
    recorder *rec;
    char name;
} tag;

static void record(void *ctx, const por__world_event *ev)
{
    tag *t = ctx;
    (void)ev;
    ck_assert_uint_lt(t->rec->len, sizeof t->rec->log - 1);
    t->rec->log[t->rec->len++] = t->name;
}

static por__world_event event_of(por__world_event_kind kind)
{
    return (por__world_event){.kind = kind};
}

/* por__hub_subscribe: "it is called after every subscriber of KIND that subscribed before
 * it"; each kind keeps its own order. */
START_TEST(hub_delivers_in_subscription_order)
{
    recorder rec = {0};
    tag a = {&rec, 'a'}, b = {&rec, 'b'}, c = {&rec, 'c'};
    por__world_hub h;
    por__hub_init(&h);
    por__hub_subscribe(&h, POR__WE_MINT, record, &b);
    por__hub_subscribe(&h, POR__WE_MINT, record, &c);
    por__hub_subscribe(&h, POR__WE_MINT, record, &a);
    por__hub_subscribe(&h, POR__WE_RESERVE, record, &c);
    por__hub_subscribe(&h, POR__WE_RESERVE, record, &a);
    por__world_event ev = event_of(POR__WE_MINT);
    por__hub_publish(&h, &ev);
    ck_assert_str_eq(rec.log, "bca");
    ev = event_of(POR__WE_RESERVE);
    por__hub_publish(&h, &ev);
    ck_assert_str_eq(rec.log, "bcaca");
    /* the same context may subscribe twice and then hears the event twice */
    por__hub_subscribe(&h, POR__WE_MINT, record, &b);
    ev = event_of(POR__WE_MINT);
    por__hub_publish(&h, &ev);
    ck_assert_str_eq(rec.log, "bcacabcab");
}
END_TEST

typedef struct {
    por__world_event_kind kind;
    unsigned heard, wrong;
} counter;

static void count(void *ctx, const por__world_event *ev)
{
    counter *c = ctx;
    if (ev->kind == c->kind)
        c->heard++;
    else
        c->wrong++;
}

/* An event of kind K reaches the subscribers of K and no one else: one counter per kind,
 * a random number of events of each kind in a random order. */
START_TEST(hub_kind_reaches_only_its_subscribers)
{
    gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "world-hub-kinds"));
    counter cs[POR__WE_NKINDS];
    unsigned sent[POR__WE_NKINDS] = {0};
    por__world_hub h;
    por__hub_init(&h);
    for (int k = 0; k < POR__WE_NKINDS; k++) {
        cs[k] = (counter){.kind = (por__world_event_kind)k};
        ck_assert(!por__hub_heard(&h, (por__world_event_kind)k));
    }
    /* READ is left without a subscriber: publishing it reaches no one */
    for (int k = 0; k < POR__WE_NKINDS; k++)
        if (k != POR__WE_READ)
            por__hub_subscribe(&h, (por__world_event_kind)k, count, &cs[k]);
    for (int k = 0; k < POR__WE_NKINDS; k++)
        ck_assert(por__hub_heard(&h, (por__world_event_kind)k) == (k != POR__WE_READ));
    for (int i = 0; i < 500; i++) {
        int k = (int)gsl_rng_uniform_int(r, POR__WE_NKINDS);
        sent[k]++;
        por__world_event ev = event_of((por__world_event_kind)k);
        por__hub_publish(&h, &ev);
    }
    for (int k = 0; k < POR__WE_NKINDS; k++) {
        ck_assert_uint_eq(cs[k].wrong, 0);
        ck_assert_uint_eq(cs[k].heard, k == POR__WE_READ ? 0 : sent[k]);
    }
    gsl_rng_free(r);
}
END_TEST

typedef struct {
    por__world_hub *hub;
    tag *self;
} republisher;

static void republish_reserve(void *ctx, const por__world_event *ev)
{
    republisher *p = ctx;
    record(p->self, ev);
    por__world_event inner = event_of(POR__WE_RESERVE);
    por__hub_publish(p->hub, &inner);
}

/* A subscriber that publishes (world.c's backing moving a custodian's reserve on MINT)
 * has that event delivered to all its subscribers before the outer event's next
 * subscriber runs. */
START_TEST(hub_nested_publish_delivered_at_once)
{
    recorder rec = {0};
    tag backing = {&rec, 'b'}, truth_r = {&rec, 'R'}, truth_m = {&rec, 'm'}, trace_r = {&rec, 'T'};
    por__world_hub h;
    por__hub_init(&h);
    republisher p = {&h, &backing};
    por__hub_subscribe(&h, POR__WE_MINT, republish_reserve, &p);
    por__hub_subscribe(&h, POR__WE_MINT, record, &truth_m);
    por__hub_subscribe(&h, POR__WE_RESERVE, record, &truth_r);
    por__hub_subscribe(&h, POR__WE_RESERVE, record, &trace_r);
    por__world_event ev = event_of(POR__WE_MINT);
    por__hub_publish(&h, &ev);
    ck_assert_str_eq(rec.log, "bRTm");
}
END_TEST

/* ---- ground truth -------------------------------------------------------------------- */

/* Two custodians in different units: 1,000.00 at 2 decimals and 500.00000000 at 8, a
 * token of 6 decimals: the true reserve is 1,500 tokens = 1,500 * 10^6 base units. */
static void two_custodians(por_custodian_config cust[2])
{
    memset(cust, 0, 2 * sizeof *cust);
    cust[0].decimals = 2;
    cust[0].initial = 100000; /* 1,000.00 */
    cust[1].decimals = 8;
    cust[1].initial = 50000000000; /* 500.00000000 */
}

static const por_amount TOKEN = 1000000; /* one token at 6 decimals */

static por__world_event supply_event(por__world_event_kind kind, por_time_t now,
                                     por_amount outstanding, const por_supply_event *s)
{
    por__world_event ev = {.kind = kind, .now = now, .outstanding = outstanding};
    ev.supply = s;
    return ev;
}

static por__world_event reserve_event(por_time_t now, por_amount outstanding, uint32_t index,
                                      por_amount before, por_amount after)
{
    por__world_event ev = {.kind = POR__WE_RESERVE, .now = now, .outstanding = outstanding};
    ev.reserve.index = index;
    ev.reserve.before = before;
    ev.reserve.after = after;
    return ev;
}

/* The reserve is the custodians' sum in token units; a ratio of exactly the onset ratio is
 * not below it; onset is the time of the first event that takes the ratio below, and later
 * recoveries and falls do not move it. */
START_TEST(truth_onset_is_first_instant_below)
{
    por_custodian_config cust[2];
    two_custodians(cust);
    por__truth t;
    por__truth_init(&t, cust, 2, 6, POR_PPB_ONE);
    ck_assert(t.reserve_total == 1500 * TOKEN);
    por__world_event ev = {.kind = POR__WE_START, .now = 0, .outstanding = 1500 * TOKEN};
    por__truth_on_supply(&t, &ev);
    ck_assert(!t.onset); /* 1500 / 1500 = 100 % is not below 100 % */
    ck_assert(t.min_ratio == 1.0);

    /* custodian 1 loses 100 of its 500 at 1 h: 1400 / 1500 < 100 % */
    ev = reserve_event(POR_HOUR, 1500 * TOKEN, 1, 50000000000, 40000000000);
    por__truth_on_reserve(&t, &ev);
    ck_assert(t.reserve_total == 1400 * TOKEN);
    ck_assert(t.onset);
    ck_assert_int_eq(t.onset_at, POR_HOUR);
    ck_assert(t.min_ratio == por_ratio_to_double(1400 * TOKEN, 1500 * TOKEN));

    /* it recovers (custodian 0 to 2,000.00) and falls again (to 0): onset stays at 1 h,
     * the smallest ratio follows the fall */
    ev = reserve_event(2 * POR_HOUR, 1500 * TOKEN, 0, 100000, 200000);
    por__truth_on_reserve(&t, &ev);
    ck_assert(t.reserve_total == 2400 * TOKEN);
    ev = reserve_event(3 * POR_HOUR, 1500 * TOKEN, 0, 200000, 0);
    por__truth_on_reserve(&t, &ev);
    ck_assert(t.reserve_total == 400 * TOKEN);
    ck_assert_int_eq(t.onset_at, POR_HOUR);
    ck_assert(t.min_ratio == por_ratio_to_double(400 * TOKEN, 1500 * TOKEN));
    por__truth_close(&t);
}
END_TEST

/* Supply events re-check the ratio at their outstanding supply (on-chain plus in flight,
 * README "Metrics"): a refused mint changes nothing and is not checked; the accepted mint
 * that takes the ratio below is the onset; a redemption or a reorg's undo re-checks too. */
START_TEST(truth_supply_events)
{
    por_custodian_config cust[2];
    two_custodians(cust);
    por_supply_event refused = {.amount = 200 * TOKEN, .result = POR_MINT_EXCEEDS_RESERVE};
    por_supply_event accepted = {.amount = 200 * TOKEN, .result = POR_MINT_ACCEPTED};
    por_supply_event redeem = {.redeem = true, .amount = 10 * TOKEN, .result = POR_MINT_ACCEPTED};
    por_supply_event undone = {.undone = true, .redeem = true, .amount = 10 * TOKEN,
                               .result = POR_MINT_ACCEPTED};

    por__truth t;
    por__truth_init(&t, cust, 2, 6, POR_PPB_ONE);
    por__world_event ev = supply_event(POR__WE_MINT, 10 * POR_MIN, 1700 * TOKEN, &refused);
    por__truth_on_supply(&t, &ev);
    ck_assert(!t.onset);
    ck_assert(t.min_ratio > 1e300); /* no check yet: still INFINITY */
    ev = supply_event(POR__WE_MINT, 20 * POR_MIN, 1700 * TOKEN, &accepted);
    por__truth_on_supply(&t, &ev);
    ck_assert(t.onset);
    ck_assert_int_eq(t.onset_at, 20 * POR_MIN);
    por__truth_close(&t);

    /* a redemption that leaves 1,501 outstanding against 1,500: below */
    por__truth_init(&t, cust, 2, 6, POR_PPB_ONE);
    ev = supply_event(POR__WE_REDEEM, 5 * POR_MIN, 1501 * TOKEN, &redeem);
    por__truth_on_supply(&t, &ev);
    ck_assert(t.onset && t.onset_at == 5 * POR_MIN);
    por__truth_close(&t);

    /* a reorg undoing a redemption puts supply back: 1,510 against 1,500 */
    por__truth_init(&t, cust, 2, 6, POR_PPB_ONE);
    ev = supply_event(POR__WE_UNDONE, 7 * POR_MIN, 1510 * TOKEN, &undone);
    por__truth_on_supply(&t, &ev);
    ck_assert(t.onset && t.onset_at == 7 * POR_MIN);
    por__truth_close(&t);
}
END_TEST

/* With onset_ratio 105 %: 1,500 against 1,420 (105.6 %) is not onset, against 1,430
 * (104.9 %) it is. */
START_TEST(truth_onset_ratio_above_one)
{
    por_custodian_config cust[2];
    two_custodians(cust);
    por__truth t;
    por__truth_init(&t, cust, 2, 6, 1050000000);
    por__world_event ev = {.kind = POR__WE_START, .now = 0, .outstanding = 1420 * TOKEN};
    por__truth_on_supply(&t, &ev);
    ck_assert(!t.onset);
    ev.outstanding = 1430 * TOKEN;
    ev.now = POR_MIN;
    por__truth_on_supply(&t, &ev);
    ck_assert(t.onset && t.onset_at == POR_MIN);
    por__truth_close(&t);
}
END_TEST

/* ---- the Secure Mint invariant ------------------------------------------------------- */

static por_round_data g_latest;

static void fake_latest(void *ctx, por_round_data *out)
{
    (void)ctx;
    *out = g_latest;
}

/* A scenario with only what the invariants read: the token (6 decimals) and its guard,
 * feed.ocr.f, the attackers. */
static void guard_scenario(por_scenario *sc, por_margin_mode mode, int64_t margin_bp,
                           por_time_t max_staleness)
{
    memset(sc, 0, sizeof *sc);
    sc->token.decimals = 6;
    sc->token.secure_mint.enabled = true;
    sc->token.secure_mint.margin_mode = mode;
    sc->token.secure_mint.margin_bp = margin_bp;
    sc->token.secure_mint.max_staleness = max_staleness;
    sc->feed.ocr.f = 1;
}

/* The feed (2 decimals) reports ANSWER, updated at UPDATED, in round ROUND_ID (0: none). */
static void report(por_amount answer, por_time_t updated, uint64_t round_id)
{
    g_latest = (por_round_data){0};
    g_latest.round_id = round_id;
    g_latest.answer = answer;
    g_latest.updated_at = updated;
}

static void mint(por__invariants *inv, por_time_t now, por_mint_result result,
                 por_amount guard_supply_after)
{
    por_supply_event s = {.amount = TOKEN, .result = result, .guarded = true,
                          .guard_supply_after = guard_supply_after};
    por__world_event ev = supply_event(POR__WE_MINT, now, guard_supply_after, &s);
    por__invariants_on_mint(inv, &ev);
}

/* Margin none: mintable(reserve) = reserve (SecureMintPolicy totalMintableSupply), and the
 * policy rejects amount + totalSupply > mintable, so supply after = mintable holds and one
 * base unit more breaks the invariant. Refused mints are never judged. */
START_TEST(invariant_supply_at_most_mintable)
{
    por_scenario sc;
    guard_scenario(&sc, POR_MARGIN_NONE, 0, 0);
    por__invariants inv;
    por__invariants_init(&inv, &sc, (por_feed_reader){fake_latest, NULL, 2});
    report(100000, 0, 7); /* 1,000.00 reported */
    mint(&inv, POR_HOUR, POR_MINT_ACCEPTED, 1000 * TOKEN);
    ck_assert_uint_eq(inv.violations, 0);
    mint(&inv, POR_HOUR, POR_MINT_EXCEEDS_RESERVE, 1000 * TOKEN + 1);
    ck_assert_uint_eq(inv.violations, 0);
    mint(&inv, POR_HOUR, POR_MINT_ACCEPTED, 1000 * TOKEN + 1);
    ck_assert_uint_eq(inv.violations, 1);
    ck_assert_ptr_nonnull(strstr(inv.violation, "Secure Mint accepted a mint of "));
    ck_assert_ptr_nonnull(strstr(inv.violation, ": supply above mintable"));
    /* the count grows; the message stays the first one's */
    report(0, 0, 8);
    mint(&inv, POR_HOUR, POR_MINT_ACCEPTED, TOKEN);
    ck_assert_uint_eq(inv.violations, 2);
    ck_assert_ptr_nonnull(strstr(inv.violation, ": supply above mintable"));

    /* the guard off: nothing is an invariant */
    sc.token.secure_mint.enabled = false;
    por__invariants_init(&inv, &sc, (por_feed_reader){fake_latest, NULL, 2});
    mint(&inv, POR_HOUR, POR_MINT_ACCEPTED, 5000 * TOKEN);
    ck_assert_uint_eq(inv.violations, 0);
}
END_TEST

/* Positive percentage margin of 10 % (1,000 bp): mintable = reserve * (10,000 - 1,000) /
 * 10,000 (SecureMintPolicy totalMintableSupply), 900 tokens for 1,000 reported. */
START_TEST(invariant_positive_margin)
{
    por_scenario sc;
    guard_scenario(&sc, POR_MARGIN_POSITIVE_PERCENT, 1000, 0);
    por__invariants inv;
    por__invariants_init(&inv, &sc, (por_feed_reader){fake_latest, NULL, 2});
    report(100000, 0, 7);
    mint(&inv, POR_MIN, POR_MINT_ACCEPTED, 900 * TOKEN);
    ck_assert_uint_eq(inv.violations, 0);
    mint(&inv, POR_MIN, POR_MINT_ACCEPTED, 900 * TOKEN + 1);
    ck_assert_uint_eq(inv.violations, 1);
}
END_TEST

/* The answer must exist, be positive (POR.md: refuse when answer <= 0) and be neither
 * from the future nor older than max_staleness (SecureMintPolicy run: block.timestamp -
 * updatedAt > maxStalenessSeconds is stale, so exactly max_staleness old is fresh). */
START_TEST(invariant_answer_positive_and_fresh)
{
    por_scenario sc;
    guard_scenario(&sc, POR_MARGIN_NONE, 0, POR_HOUR);
    por__invariants inv;
    struct {
        por_amount answer;
        por_time_t updated;
        uint64_t round;
        const char *why; /* NULL: holds */
    } cases[] = {
        {100000, POR_DAY - POR_HOUR, 7, NULL},
        {100000, POR_DAY - POR_HOUR - 1, 7, "stale or future answer"},
        {100000, POR_DAY + 1, 7, "stale or future answer"},
        {0, POR_DAY, 7, "non-positive answer"},
        {-1, POR_DAY, 7, "non-positive answer"},
        {100000, POR_DAY, 0, "no answer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        por__invariants_init(&inv, &sc, (por_feed_reader){fake_latest, NULL, 2});
        report(cases[i].answer, cases[i].updated, cases[i].round);
        mint(&inv, POR_DAY, POR_MINT_ACCEPTED, 10 * TOKEN);
        ck_assert_msg(inv.violations == (cases[i].why ? 1u : 0u), "case %zu", i);
        if (cases[i].why)
            ck_assert_msg(strstr(inv.violation, cases[i].why), "case %zu: %s", i, inv.violation);
    }
}
END_TEST

/* ---- the OCR invariants and the verdict ---------------------------------------------- */

/* f = 1. Fewer than f+1 valid signatures is never granted (OffchainAggregator transmit:
 * require(_rs.length > threshold)); forged reports need f+1 stolen keys; a median outside
 * the honest range needs more than f byzantine oracles, counted once each however many
 * attacks name them. */
START_TEST(ocr_invariants_and_granted_powers)
{
    por_scenario sc;
    guard_scenario(&sc, POR_MARGIN_NONE, 0, 0);
    uint32_t two_keys[] = {0, 1}, one_key[] = {2}, byz_a[] = {1, 3}, byz_b[] = {3};
    por_attack_config atk[3];
    memset(atk, 0, sizeof atk);
    sc.attackers = atk;
    por_feed_reader feed = {fake_latest, NULL, 2};
    char out[320];
    por__invariants inv;

    por_don_stats undersigned = {0}, forged = {0}, median = {0};
    undersigned.undersigned_accepted = 1;
    forged.forged_accepted = 3;
    median.median_outside_honest = 2;

    /* no attacker */
    por__invariants_init(&inv, &sc, feed);
    ck_assert(por__invariants_ocr_broken(&inv, &undersigned, NULL, out, sizeof out));
    ck_assert(por__invariants_ocr_broken(&inv, &forged, NULL, out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "at most f=1 keys"));
    ck_assert(por__invariants_ocr_broken(&inv, &median, NULL, out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "with 0 byzantine oracles, f=1"));

    /* exactly f = 1 byzantine oracle is within what OCR tolerates */
    atk[0] = (por_attack_config){.kind = POR_ATTACK_BYZANTINE, .nodes = byz_b, .nnodes = 1};
    sc.nattackers = 1;
    por__invariants_init(&inv, &sc, feed);
    ck_assert_uint_eq(inv.nbyzantine, 1);
    ck_assert(por__invariants_ocr_broken(&inv, &median, NULL, out, sizeof out));

    /* one key stolen (f) and two byzantine attacks naming oracles 1, 3 and 3 again: two
     * distinct byzantine oracles > f */
    atk[0] = (por_attack_config){.kind = POR_ATTACK_KEY_COMPROMISE, .nodes = one_key, .nnodes = 1};
    atk[1] = (por_attack_config){.kind = POR_ATTACK_BYZANTINE, .nodes = byz_a, .nnodes = 2};
    atk[2] = (por_attack_config){.kind = POR_ATTACK_BYZANTINE, .nodes = byz_b, .nnodes = 1};
    sc.nattackers = 3;
    por__invariants_init(&inv, &sc, feed);
    ck_assert(!inv.keys_granted);
    ck_assert_uint_eq(inv.nbyzantine, 2);
    ck_assert(por__invariants_ocr_broken(&inv, &forged, NULL, out, sizeof out));
    ck_assert(!por__invariants_ocr_broken(&inv, &median, NULL, out, sizeof out));

    /* f+1 = 2 keys stolen: forged reports are the attacker's power; undersigned never */
    atk[0].nodes = two_keys;
    atk[0].nnodes = 2;
    por__invariants_init(&inv, &sc, feed);
    ck_assert(inv.keys_granted);
    ck_assert(!por__invariants_ocr_broken(&inv, &forged, NULL, out, sizeof out));
    ck_assert(por__invariants_ocr_broken(&inv, &undersigned, "the DON's words", out, sizeof out));
    ck_assert_str_eq(out, "the DON's words (1 reports)");
}
END_TEST

/* The verdict: a Secure Mint violation fails the replication unless f+1 keys were stolen
 * (then the forged answers explain it); otherwise an OCR one does; else POR_OK. */
START_TEST(verdict_messages)
{
    por_scenario sc;
    guard_scenario(&sc, POR_MARGIN_NONE, 0, 0);
    por__invariants inv;
    por__invariants_init(&inv, &sc, (por_feed_reader){fake_latest, NULL, 2});
    por_don_stats clean = {0}, undersigned = {0};
    undersigned.undersigned_accepted = 2;
    por_error err = {0};
    ck_assert_int_eq(por__invariants_verdict(&inv, &clean, NULL, "s", 4, &err), POR_OK);
    ck_assert_int_eq(por__invariants_verdict(&inv, &undersigned, NULL, "s", 4, &err),
                     POR_EINVARIANT);
    ck_assert_ptr_nonnull(strstr(err.msg, "s: replication 4: OCR safety: "));
    report(100000, 0, 7);
    mint(&inv, POR_MIN, POR_MINT_ACCEPTED, 1001 * TOKEN);
    ck_assert_int_eq(por__invariants_verdict(&inv, &undersigned, NULL, "s", 4, &err),
                     POR_EINVARIANT);
    ck_assert_ptr_nonnull(strstr(err.msg, "s: replication 4: Secure Mint accepted a mint of "));
    ck_assert_ptr_nonnull(strstr(err.msg, "(1 violations)"));
    inv.keys_granted = true;
    ck_assert_int_eq(por__invariants_verdict(&inv, &clean, NULL, "s", 4, &err), POR_OK);
}
END_TEST

/* world_scale.h: a reading scaled by the factor computed once per custodian is what
 * por_amount_rescale gives (the same result and the same overflow answer), for every
 * pair of decimals 0..40 and values from 0 to both ends of the range, random ones
 * included; the factor is 0 (the general path) exactly when rescale would divide or the
 * gap exceeds 38 digits. */
START_TEST(scale_by_factor_same_as_rescale)
{
    uint64_t seed = por_test_seed();
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "world-scale"));
    por_amount fixed[] = {0, 1, -1, 7, -123456789, 100000000000, POR_AMOUNT_MAX,
                          POR_AMOUNT_MIN, POR_AMOUNT_MAX / 10, POR_AMOUNT_MIN / 1000 + 1};
    for (unsigned from = 0; from <= 40; from++) {
        for (unsigned to = 0; to <= 40; to++) {
            por_amount f = por__scale_factor(from, to);
            ck_assert_msg((f != 0) == (to >= from && to - from <= 38), "%u -> %u", from, to);
            for (int k = 0; k < 60; k++) {
                por_amount v;
                if (k < (int)(sizeof fixed / sizeof fixed[0])) {
                    v = fixed[k];
                } else {
                    /* a random magnitude of 0..127 bits, either sign */
                    unsigned bits = (unsigned)por_rng_below(r, 128);
                    por_uamount u = ((por_uamount)por_rng_u64(r) << 64) | por_rng_u64(r);
                    v = (por_amount)(bits ? u >> (128 - bits) : 0);
                    if (por_rng_below(r, 2))
                        v = -v;
                }
                por_amount want = 11, got = 11;
                bool ok_want = por_amount_rescale(v, from, to, &want);
                bool ok_got = por__scale_by(v, f, from, to, &got);
                ck_assert_msg(ok_want == ok_got, "seed %llu: %u -> %u, k %d",
                              (unsigned long long)seed, from, to, k);
                if (ok_want)
                    ck_assert_msg(want == got, "seed %llu: %u -> %u, k %d",
                                  (unsigned long long)seed, from, to, k);
            }
        }
    }
    gsl_rng_free(r);
}
END_TEST

/* ---- the observer ----------------------------------------------------------------- */

/* A world of one custodian feeding one source, as much of it as the observer reads: the
 * scenario's feed and custodian, the custodian model on its own simulation, the factor to
 * the feed's decimals. */
typedef struct {
    por_scenario sc;
    por_custodian_config cfg;
    uint32_t source;
    por_custodian *cust;
    por_amount to_feed;
    por__world w;
} observed_world;

static void observed_world_init(observed_world *o, const por_custodian_config *cfg,
                                uint32_t feed_decimals, uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    o->sc.custodians = &o->cfg;
    o->sc.ncustodians = 1;
    o->sc.feed.sources = &o->source;
    o->sc.feed.nsources = 1;
    o->sc.feed.decimals = feed_decimals;
    o->w.sc = &o->sc;
    o->w.sim = por_sim_create(seed, 0);
    por_error err;
    o->cust = por_custodian_create(&o->cfg, 0, o->w.sim, NULL, 0, &err);
    ck_assert_ptr_nonnull(o->cust);
    o->w.custodians = &o->cust;
    o->to_feed = por__scale_factor(cfg->decimals, feed_decimals);
    o->w.to_feed = &o->to_feed;
    o->w.feed_decimals = feed_decimals;
    por__hub_init(&o->w.hub);
}

static void observed_world_free(observed_world *o)
{
    por_custodian_destroy(o->cust);
    por_sim_destroy(o->w.sim);
}

/* world.c: por__observe's path for a feed of one source gives what the loop over the
 * sources (por__observe_sources) gives for it: the same answer, the same *VALUE (left
 * alone when there is no observation), the same latency and the same draws from the
 * node's stream. Two identical worlds, one observed each way, at the same instants; the
 * custodian's reserve follows a random walk and is attested every 10 minutes; reads fail
 * at random (failure_rate); the decimals are scaled up by a factor (2 -> 8), down by
 * por_amount_rescale (10 -> 8), and up past the range (an overflow: no observation). */
START_TEST(observe_one_source_same_as_loop)
{
    uint64_t seed = por_test_seed();
    printf("observe_one_source: seed %llu\n", (unsigned long long)seed);
    static const struct {
        uint32_t decimals;
        por_amount initial;
    } cases[] = {
        {2, 100000000000},                /* 1e9.00: up by 10^6 */
        {10, (por_amount)1000000000 * 10000000000}, /* 1e9 in 10 decimals: down by 100 */
        {2, POR_AMOUNT_MAX / 1000},       /* up by 10^6 overflows */
    };
    uint64_t ok_count[3] = {0}, failed[3] = {0};
    for (int k = 0; k < 3; k++) {
        por_custodian_config cfg;
        memset(&cfg, 0, sizeof cfg);
        snprintf(cfg.name, sizeof cfg.name, "bank");
        cfg.decimals = cases[k].decimals;
        cfg.source = POR_SOURCE_ATTESTED_API;
        cfg.initial = cases[k].initial;
        cfg.drift.kind = POR_DRIFT_RANDOM_WALK;
        cfg.drift.every = 60 * POR_SEC;
        cfg.drift.sigma_per_day = 0.05;
        cfg.attest_every = 10 * 60 * POR_SEC;
        cfg.api_latency.kind = POR_DIST_LOGNORMAL;
        cfg.api_latency.median = 300 * POR_MS;
        cfg.api_latency.sigma = 0.5;
        cfg.failure_rate = 0.2;
        observed_world one, loop;
        observed_world_init(&one, &cfg, 8, seed + (uint64_t)k);
        observed_world_init(&loop, &cfg, 8, seed + (uint64_t)k);
        gsl_rng *r1 = por_rng_new(seed, 0, por_stream_id("test", (uint64_t)k, "observe"));
        gsl_rng *r2 = por_rng_new(seed, 0, por_stream_id("test", (uint64_t)k, "observe"));
        gsl_rng *when = por_rng_new(seed, 0, por_stream_id("test", (uint64_t)k, "when"));
        por_time_t t = 0;
        for (int i = 0; i < 3000; i++) {
            t += (por_time_t)por_rng_below(when, 40 * (uint64_t)POR_SEC);
            ck_assert(por_sim_run(one.w.sim, t) == POR_OK);
            ck_assert(por_sim_run(loop.w.sim, t) == POR_OK);
            uint32_t node = (uint32_t)por_rng_below(when, 31);
            por_amount v1 = -7, v2 = -7; /* left alone without an observation */
            por_time_t l1 = -1, l2 = -1;
            bool ok1 = por__observe(&one.w, one.w.sim, node, r1, &v1, &l1);
            bool ok2 = por__observe_sources(&loop.w, loop.w.sim, node, r2, &v2, &l2);
            ck_assert_msg(ok1 == ok2 && v1 == v2 && l1 == l2,
                          "seed %llu case %d read %d: one source %d %lld %lld, loop %d %lld %lld",
                          (unsigned long long)seed, k, i, ok1, (long long)v1, (long long)l1,
                          ok2, (long long)v2, (long long)l2);
            ok_count[k] += ok1;
            failed[k] += !ok1;
        }
        ck_assert(por_rng_u64(r1) == por_rng_u64(r2)); /* the same draws were taken */
        gsl_rng_free(r1);
        gsl_rng_free(r2);
        gsl_rng_free(when);
        observed_world_free(&one);
        observed_world_free(&loop);
    }
    /* both answers in the scaled cases; the overflow case never observes */
    ck_assert_uint_gt(ok_count[0], 2000);
    ck_assert_uint_gt(failed[0], 400);
    ck_assert_uint_gt(ok_count[1], 2000);
    ck_assert_uint_eq(ok_count[2], 0);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("world_events");
    TCase *h = tcase_create("hub");
    tcase_add_test(h, hub_delivers_in_subscription_order);
    tcase_add_test(h, hub_kind_reaches_only_its_subscribers);
    tcase_add_test(h, hub_nested_publish_delivered_at_once);
    suite_add_tcase(s, h);
    TCase *t = tcase_create("truth");
    tcase_add_test(t, truth_onset_is_first_instant_below);
    tcase_add_test(t, truth_supply_events);
    tcase_add_test(t, truth_onset_ratio_above_one);
    suite_add_tcase(s, t);
    TCase *i = tcase_create("invariants");
    tcase_add_test(i, invariant_supply_at_most_mintable);
    tcase_add_test(i, invariant_positive_margin);
    tcase_add_test(i, invariant_answer_positive_and_fresh);
    tcase_add_test(i, ocr_invariants_and_granted_powers);
    tcase_add_test(i, verdict_messages);
    suite_add_tcase(s, i);
    TCase *o = tcase_create("observer");
    tcase_add_test(o, observe_one_source_same_as_loop);
    suite_add_tcase(s, o);
    TCase *sc = tcase_create("scale");
    tcase_add_test(sc, scale_by_factor_same_as_rescale);
    suite_add_tcase(s, sc);
    return s;
}
