/* Tests of sim/models/aggregator: transmit() accepts a well-formed report and rejects,
 * with the right reason, each malformed one; history, listeners and counters. Run in
 * both crypto modes. */
#include "por_test.h"

#include "por/aggregator.h"

#include <string.h>

typedef struct {
    por_crypto *crypto;
    por_keypair keys[4], tkeys[4];
    por_aggregator_config cfg;
    por_aggregator *agg;
    por_report rep;
    por_digest h;
    por_sig sigs[4];
} fixture;

static void fx_init(fixture *fx, por_crypto_mode mode)
{
    memset(fx, 0, sizeof *fx);
    fx->crypto = por_crypto_create(mode);
    fx->cfg.n = 4;
    fx->cfg.f = 1;
    for (uint32_t i = 0; i < 4; i++) {
        por_crypto_derive_key(fx->crypto, por_test_seed(), "oracle", i, &fx->keys[i]);
        por_crypto_derive_key(fx->crypto, por_test_seed(), "transmitter", i, &fx->tkeys[i]);
        fx->cfg.signers[i] = fx->keys[i].addr;
        fx->cfg.transmitters[i] = fx->tkeys[i].addr;
    }
    fx->cfg.min_answer = 1;
    fx->cfg.max_answer = 1000000;
    fx->cfg.decimals = 2;
    fx->cfg.config_count = 1;
    fx->agg = por_aggregator_create(&fx->cfg, fx->crypto);
    fx->rep.config_digest = *por_aggregator_config_digest(fx->agg);
    fx->rep.epoch = 1;
    fx->rep.round = 1;
    fx->rep.nobs = 3;
    por_amount obs[3] = {100, 200, 300};
    uint8_t who[3] = {2, 0, 3};
    for (int i = 0; i < 3; i++) {
        fx->rep.obs[i] = obs[i];
        fx->rep.observers[i] = who[i];
    }
}

/* Re-signs the report with the keys listed (oracle indices). */
static void fx_sign(fixture *fx, const uint32_t *idx, uint32_t n)
{
    por_report_hash(&fx->rep, &fx->h);
    for (uint32_t i = 0; i < n; i++)
        por_crypto_sign(fx->crypto, &fx->keys[idx[i]], &fx->h, &fx->sigs[i]);
}

static void fx_free(fixture *fx)
{
    por_aggregator_destroy(fx->agg);
    por_crypto_destroy(fx->crypto);
}

static por_transmit_result fx_tx(fixture *fx, uint32_t nsigs)
{
    return por_aggregator_transmit(fx->agg, NULL, 1000 * POR_SEC, 1, &fx->tkeys[1].addr, &fx->rep,
                                   fx->sigs, nsigs);
}

static int listened;
static por_round_data last_heard;
static void listener(void *ctx, por_sim *sim, const por_round_data *rd)
{
    (void)sim;
    *(int *)ctx += 1;
    last_heard = *rd;
}

START_TEST(accepts_and_rejects)
{
    por_crypto_mode mode = _i ? POR_CRYPTO_REAL : POR_CRYPTO_IDEAL;
    fixture fx;
    fx_init(&fx, mode);
    listened = 0;
    por_aggregator_add_listener(fx.agg, listener, &listened);
    const uint32_t two[] = {0, 3};

    /* too few signatures: f = 1 needs 2 */
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 1), POR_TRANSMIT_TOO_FEW_SIGS);
    ck_assert_int_eq(fx_tx(&fx, 0), POR_TRANSMIT_TOO_FEW_SIGS);

    /* duplicate signer */
    const uint32_t dup[] = {3, 3};
    fx_sign(&fx, dup, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_DUPLICATE_SIGNER);

    /* unknown signer: a valid signature by a key that is not configured */
    por_keypair stranger;
    por_crypto_derive_key(fx.crypto, por_test_seed(), "attacker", 0, &stranger);
    fx_sign(&fx, two, 2);
    por_crypto_sign(fx.crypto, &stranger, &fx.h, &fx.sigs[1]);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_UNKNOWN_SIGNER);

    /* bad signature: garbage that recovers nothing (v out of range in both modes) */
    fx_sign(&fx, two, 2);
    memset(fx.sigs[1].b, 0x5a, 64);
    fx.sigs[1].b[64] = 9;
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_BAD_SIG);

    /* a signature over another report does not count for this one */
    por_report other = fx.rep;
    other.obs[1] = 201;
    por_digest oh;
    por_report_hash(&other, &oh);
    fx_sign(&fx, two, 2);
    por_crypto_sign(fx.crypto, &fx.keys[3], &oh, &fx.sigs[1]);
    por_transmit_result r = fx_tx(&fx, 2);
    ck_assert(r == POR_TRANSMIT_BAD_SIG || r == POR_TRANSMIT_UNKNOWN_SIGNER);

    /* not a transmitter: an oracle signing key is not a transmitter address */
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 1, &fx.keys[0].addr, &fx.rep, fx.sigs,
                                             2),
                     POR_TRANSMIT_NOT_TRANSMITTER);

    /* unsorted observations (validly signed) */
    fx.rep.obs[0] = 250;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_UNSORTED);
    fx.rep.obs[0] = 100;

    /* too few observations: 2f = 2 is not more than 2f */
    fx.rep.nobs = 2;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_TOO_FEW_OBS);
    fx.rep.nobs = 3;

    /* wrong config digest */
    fx.rep.config_digest.b[5] ^= 1;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_WRONG_DIGEST);
    fx.rep.config_digest = *por_aggregator_config_digest(fx.agg);

    /* median out of bounds (median = obs[1]) */
    fx.rep.obs[1] = 2000000;
    fx.rep.obs[2] = 3000000;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_OUT_OF_BOUNDS);
    fx.rep.obs[1] = 0;
    fx.rep.obs[0] = 0;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_OUT_OF_BOUNDS);
    fx.rep.obs[0] = 100, fx.rep.obs[1] = 200, fx.rep.obs[2] = 300;

    ck_assert_uint_eq(por_aggregator_rounds(fx.agg), 0);
    ck_assert_int_eq(listened, 0);

    /* accepted: more signatures than needed are fine */
    const uint32_t three[] = {1, 0, 2};
    fx_sign(&fx, three, 3);
    ck_assert_int_eq(fx_tx(&fx, 3), POR_TRANSMIT_ACCEPTED);
    por_round_data rd;
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_uint_eq(rd.round_id, 1);
    ck_assert(rd.answer == 200);
    ck_assert_int_eq(rd.updated_at, 1000 * POR_SEC);
    ck_assert_int_eq(rd.started_at, 1000 * POR_SEC);
    ck_assert_uint_eq(rd.answered_in_round, 1);
    ck_assert_uint_eq(rd.epoch, 1);
    ck_assert_uint_eq(rd.round, 1);
    ck_assert_int_eq(listened, 1);
    ck_assert(last_heard.answer == 200);

    /* stale: the same (epoch, round) again, and an older one */
    ck_assert_int_eq(fx_tx(&fx, 3), POR_TRANSMIT_STALE);
    fx.rep.epoch = 0;
    fx.rep.round = 9;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_STALE);
    /* a later round of the same epoch is fresh; an even larger one of a later epoch too */
    fx.rep.epoch = 1;
    fx.rep.round = 2;
    fx.rep.obs[2] = 350;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_ACCEPTED);
    fx.rep.epoch = 2;
    fx.rep.round = 1;
    fx.rep.nobs = 4;
    fx.rep.obs[0] = 50, fx.rep.obs[1] = 60, fx.rep.obs[2] = 70, fx.rep.obs[3] = 80;
    fx.rep.observers[3] = 1;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_ACCEPTED);
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_uint_eq(rd.round_id, 3);
    ck_assert(rd.answer == 70); /* obs[4/2] */
    ck_assert(por_aggregator_round(fx.agg, 1, &rd) && rd.answer == 200);
    ck_assert(!por_aggregator_round(fx.agg, 4, &rd));

    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_ACCEPTED), 3);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_TOO_FEW_SIGS), 2);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_STALE), 2);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_OUT_OF_BOUNDS), 2);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_DUPLICATE_SIGNER), 1);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_WRONG_DIGEST), 1);
    ck_assert_str_eq(por_transmit_result_name(POR_TRANSMIT_UNSORTED), "unsorted_observations");
    fx_free(&fx);
}
END_TEST

/* OffchainAggregator.transmit (libocr contract/OffchainAggregator.sol): the observer
 * index repeated check, and the order of the requires, so a report failing several checks
 * is counted under the first one the contract runs: configDigest, stale, not enough
 * signatures, too many signatures (> maxNumOracles), observations out of bounds / too few,
 * observer index repeated, unauthorized transmitter, signatures (authorized, unique),
 * sorted, median in range. */
START_TEST(contract_require_order)
{
    por_crypto_mode mode = _i ? POR_CRYPTO_REAL : POR_CRYPTO_IDEAL;
    fixture fx;
    fx_init(&fx, mode);
    const uint32_t two[] = {0, 3};
    const por_addr *outsider = &fx.keys[0].addr; /* a signing key, not a transmitter */

    /* "observer index repeated", validly signed */
    fx.rep.observers[2] = fx.rep.observers[0];
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_OBSERVER_REPEATED);
    /* ... checked before the transmitter and the signatures */
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 0, outsider, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_OBSERVER_REPEATED);
    memset(fx.sigs[1].b, 0x5a, sizeof fx.sigs[1].b);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_OBSERVER_REPEATED);
    /* ... and after the observation count */
    fx.rep.nobs = 2;
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_TOO_FEW_OBS);
    fx.rep.nobs = 3;
    fx.rep.observers[2] = 3;

    /* not enough signatures comes before the transmitter check */
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 0, outsider, &fx.rep, fx.sigs, 1),
                     POR_TRANSMIT_TOO_FEW_SIGS);
    /* too few observations comes before the transmitter check */
    fx.rep.nobs = 2;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 0, outsider, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_TOO_FEW_OBS);
    fx.rep.nobs = 3;
    /* the transmitter check comes before the signatures */
    fx_sign(&fx, two, 2);
    memset(fx.sigs[1].b, 0x5a, 64);
    fx.sigs[1].b[64] = 9;
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 0, outsider, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_NOT_TRANSMITTER);
    /* signatures come before sortedness */
    fx.rep.obs[0] = 250;
    fx_sign(&fx, two, 2);
    fx.sigs[1] = fx.sigs[0];
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_DUPLICATE_SIGNER);
    fx.rep.obs[0] = 100;

    /* "too many signatures": more than maxNumOracles (31), before anything after it */
    por_sig many[POR_MAX_ORACLES + 1];
    fx_sign(&fx, two, 2);
    for (uint32_t i = 0; i <= POR_MAX_ORACLES; i++)
        many[i] = fx.sigs[i % 2];
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 0, 0, outsider, &fx.rep, many,
                                             POR_MAX_ORACLES + 1),
                     POR_TRANSMIT_TOO_MANY_SIGS);
    ck_assert_str_eq(por_transmit_result_name(POR_TRANSMIT_OBSERVER_REPEATED),
                     "observer_index_repeated");
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_OBSERVER_REPEATED), 3);
    ck_assert_uint_eq(por_aggregator_rounds(fx.agg), 0);
    /* the well-formed report still goes through */
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_ACCEPTED);
    fx_free(&fx);
}
END_TEST

/* CHAIN.md "EVM state": a reorg undoes a transmit, so the previous round is
 * latestRoundData again and the same (epoch, round) can be accepted anew; a reader at a
 * confirmation depth sees only rounds included at or below its block. */
START_TEST(undo_and_read_at_depth)
{
    fixture fx;
    fx_init(&fx, POR_CRYPTO_IDEAL);
    uint32_t two[2] = {0, 1};
    fx_sign(&fx, two, 2);
    const por_addr *tr = &fx.tkeys[1].addr;
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 12 * POR_SEC, 1, tr, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_ACCEPTED);
    fx.rep.round = 2;
    fx.rep.obs[1] = 250;
    fx_sign(&fx, two, 2);
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 36 * POR_SEC, 3, tr, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_ACCEPTED);
    /* a repeat of round 2 in block 3 reverts as stale */
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 36 * POR_SEC, 3, tr, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_STALE);
    por_round_data rd;
    por_aggregator_latest_at(fx.agg, 3, &rd);
    ck_assert_uint_eq(rd.round_id, 2);
    ck_assert_int_eq(rd.answer, 250);
    ck_assert_uint_eq(rd.block, 3);
    por_aggregator_latest_at(fx.agg, 2, &rd); /* a reader 2 blocks deep at tip 3 */
    ck_assert_uint_eq(rd.round_id, 1);
    ck_assert_int_eq(rd.answer, 200);
    por_aggregator_latest_at(fx.agg, 0, &rd);
    ck_assert_uint_eq(rd.round_id, 0);
    /* block 3 is reorged away: undo newest first */
    por_aggregator_undo_transmit(fx.agg, POR_TRANSMIT_STALE);
    por_aggregator_undo_transmit(fx.agg, POR_TRANSMIT_ACCEPTED);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_STALE), 0);
    ck_assert_uint_eq(por_aggregator_count(fx.agg, POR_TRANSMIT_ACCEPTED), 1);
    ck_assert_uint_eq(por_aggregator_undone(fx.agg), 1);
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_uint_eq(rd.round_id, 1);
    ck_assert_int_eq(rd.answer, 200);
    /* round 2 is no longer stale: it is accepted again in the new block 3 */
    ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, 40 * POR_SEC, 3, tr, &fx.rep, fx.sigs, 2),
                     POR_TRANSMIT_ACCEPTED);
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_uint_eq(rd.round_id, 2);
    ck_assert_int_eq(rd.updated_at, 40 * POR_SEC);
    fx_free(&fx);
}
END_TEST

/* Reading at a depth once the history has wrapped (por/aggregator.h keeps the newest
 * POR_AGGREGATOR_HISTORY rounds): a reader at block B sees the newest round included at
 * or below B (CHAIN.md, confirmations are the reader's depth), and undoing the newest
 * round makes the one before it latestRoundData again (a reorg, CHAIN.md). Round k is
 * included in block 2k here, so the round a reader at block B sees is floor(B / 2). */
START_TEST(read_at_depth_after_history_wraps)
{
    fixture fx;
    fx_init(&fx, POR_CRYPTO_IDEAL);
    uint32_t two[2] = {0, 1};
    const por_addr *tr = &fx.tkeys[1].addr;
    const uint32_t rounds = POR_AGGREGATOR_HISTORY + 100;
    for (uint32_t k = 1; k <= rounds; k++) {
        fx.rep.round = k;
        fx_sign(&fx, two, 2);
        ck_assert_int_eq(por_aggregator_transmit(fx.agg, NULL, (por_time_t)k * POR_SEC, 2 * k, tr,
                                                 &fx.rep, fx.sigs, 2),
                         POR_TRANSMIT_ACCEPTED);
    }
    por_round_data rd;
    for (uint64_t b = 2 * rounds; b > 2 * (rounds - 50); b--) {
        por_aggregator_latest_at(fx.agg, b, &rd);
        ck_assert_uint_eq(rd.round_id, b / 2);
        ck_assert_uint_eq(rd.block, 2 * (b / 2));
    }
    por_aggregator_undo_transmit(fx.agg, POR_TRANSMIT_ACCEPTED);
    por_aggregator_latest(fx.agg, &rd);
    ck_assert_uint_eq(rd.round_id, rounds - 1);
    ck_assert_uint_eq(rd.round, rounds - 1);
    por_aggregator_latest_at(fx.agg, 2 * rounds, &rd);
    ck_assert_uint_eq(rd.round_id, rounds - 1);
    fx_free(&fx);
}
END_TEST

/* The transmit gas formula against OffchainAggregator.sol and the fee schedule: calldata
 * is 4 + 7 * 32 + report (128 + 32 * nobs) + 64 per signature bytes, priced 16 per
 * non-zero and 4 per zero byte (EIP-2028); a stale report reverts at the epoch-and-round
 * check, before the signature loop and the storage writes, so it costs less than an
 * accepted one by at least f + 1 ecrecovers (3000) and the new round's slot (20000). */
START_TEST(transmit_gas_formula)
{
    fixture fx;
    fx_init(&fx, POR_CRYPTO_IDEAL);
    const uint64_t bytes = 4 + 7 * 32 + 128 + 32 * 3 + 64 * 2;
    uint64_t cd = por_transmit_calldata_gas(&fx.rep, 2);
    ck_assert_uint_ge(cd, 4 * bytes);
    ck_assert_uint_le(cd, 16 * bytes);
    /* one more signature: 64 random bytes (non-zero) and one more v byte in rawVs */
    ck_assert_uint_eq(por_transmit_calldata_gas(&fx.rep, 3) - cd, 64 * 16 + (16 - 4));
    /* an observation with more non-zero bytes costs 12 gas per extra one */
    por_report big = fx.rep;
    big.obs[2] = 0x01010101; /* 4 non-zero bytes where 300 = 0x012c had 2 */
    ck_assert_uint_eq(por_transmit_calldata_gas(&big, 2) - cd, 2 * (16 - 4));
    uint64_t stale = por_transmit_gas(&fx.rep, 2, POR_TRANSMIT_STALE);
    uint64_t ok = por_transmit_gas(&fx.rep, 2, POR_TRANSMIT_ACCEPTED);
    ck_assert_uint_ge(stale, 21000 + cd);
    ck_assert_uint_ge(ok - stale, 2 * 3000 + 20000);
    ck_assert_uint_eq(por_transmit_gas(&fx.rep, 2, POR_TRANSMIT_WRONG_DIGEST), stale);
    /* every rejection pays at most what acceptance does */
    for (int r = 0; r < POR_TRANSMIT_NRESULTS; r++)
        ck_assert_uint_le(por_transmit_gas(&fx.rep, 2, (por_transmit_result)r), ok);
    /* a 31-oracle report with 11 signatures lands in the range observed for OCR1 feeds
     * on Ethereum (roughly 150k to 300k gas per transmit) */
    por_report r31 = fx.rep;
    r31.nobs = 31;
    for (uint32_t i = 0; i < 31; i++) {
        r31.obs[i] = (por_amount)100000000000000ll + i;
        r31.observers[i] = (uint8_t)i;
    }
    uint64_t g31 = por_transmit_gas(&r31, 11, POR_TRANSMIT_ACCEPTED);
    ck_assert_uint_gt(g31, 150000);
    ck_assert_uint_lt(g31, 300000);
    fx_free(&fx);
}
END_TEST

START_TEST(digests_are_deterministic_and_sensitive)
{
    fixture a, b;
    fx_init(&a, POR_CRYPTO_IDEAL);
    fx_init(&b, POR_CRYPTO_REAL);
    /* same keys, same config, same digest in both modes */
    ck_assert_mem_eq(por_aggregator_config_digest(a.agg)->b,
                     por_aggregator_config_digest(b.agg)->b, 32);
    por_aggregator_config c = a.cfg;
    por_digest d1, d2;
    por_aggregator_config_digest_of(&c, &d1);
    c.config_count = 2;
    por_aggregator_config_digest_of(&c, &d2);
    ck_assert(memcmp(d1.b, d2.b, 32) != 0);
    por_report_hash(&a.rep, &d1);
    a.rep.observers[0] = 1;
    por_report_hash(&a.rep, &d2);
    ck_assert(memcmp(d1.b, d2.b, 32) != 0);
    fx_free(&a);
    fx_free(&b);
}
END_TEST

/* por_aggregator_last_request is the event por_aggregator_latest_round_requested copies
 * out (aggregator.h): the same emitted flag and, once emitted, the same fields. */
static void check_last_request(const por_aggregator *agg)
{
    por_round_request ev;
    bool emitted = por_aggregator_latest_round_requested(agg, &ev);
    const por_round_request *in = por_aggregator_last_request(agg);
    ck_assert(in->emitted == emitted);
    if (!emitted)
        return;
    ck_assert(por_addr_eq(&in->requester, &ev.requester));
    ck_assert_mem_eq(in->config_digest.b, ev.config_digest.b, 32);
    ck_assert(in->epoch == ev.epoch && in->round == ev.round && in->block_time == ev.block_time);
}

START_TEST(request_new_round_access_and_event)
{
    /* OffchainAggregator.sol requestNewRound(): require(msg.sender == owner ||
     * s_requesterAccessController.hasAccess(msg.sender, msg.data), "Only owner&requester
     * can call"); emit RoundRequested(msg.sender, latestConfigDigest, epoch and round of
     * latestEpochAndRound); return latestAggregatorRoundId + 1. */
    fixture fx;
    fx_init(&fx, POR_CRYPTO_IDEAL);
    por_round_request ev;
    ck_assert(!por_aggregator_latest_round_requested(fx.agg, &ev));
    check_last_request(fx.agg);
    por_addr owner = fx.tkeys[0].addr, listed = fx.tkeys[2].addr, stranger = fx.tkeys[3].addr;
    /* nobody set: the zero-address owner and an empty list refuse everyone else */
    ck_assert(!por_aggregator_request_new_round(fx.agg, 10 * POR_SEC, &stranger, NULL));
    por_aggregator_set_requesters(fx.agg, &owner, &listed, 1);
    ck_assert(por_aggregator_is_owner(fx.agg, &owner) && !por_aggregator_is_owner(fx.agg, &listed));
    ck_assert(!por_aggregator_request_new_round(fx.agg, 20 * POR_SEC, &stranger, NULL));
    ck_assert(!por_aggregator_latest_round_requested(fx.agg, &ev)); /* a revert stores nothing */
    check_last_request(fx.agg);
    /* before any transmission: epoch and round 0, next round id 1 */
    uint64_t next = 0;
    ck_assert(por_aggregator_request_new_round(fx.agg, 30 * POR_SEC, &owner, &next));
    ck_assert_uint_eq(next, 1);
    ck_assert(por_aggregator_latest_round_requested(fx.agg, &ev));
    check_last_request(fx.agg);
    ck_assert(ev.epoch == 0 && ev.round == 0 && ev.block_time == 30 * POR_SEC);
    ck_assert(por_addr_eq(&ev.requester, &owner));
    ck_assert(memcmp(ev.config_digest.b, por_aggregator_config_digest(fx.agg)->b, 32) == 0);
    /* after report (1, 1) is accepted, a listed requester's event carries (1, 1) */
    uint32_t signers[2] = {0, 1};
    fx_sign(&fx, signers, 2);
    ck_assert_int_eq(fx_tx(&fx, 2), POR_TRANSMIT_ACCEPTED);
    ck_assert(por_aggregator_request_new_round(fx.agg, 2000 * POR_SEC, &listed, &next));
    ck_assert_uint_eq(next, 2);
    ck_assert(por_aggregator_latest_round_requested(fx.agg, &ev));
    check_last_request(fx.agg);
    ck_assert(ev.epoch == 1 && ev.round == 1 && por_addr_eq(&ev.requester, &listed));
    uint64_t emitted, reverted;
    por_aggregator_request_counts(fx.agg, &emitted, &reverted);
    ck_assert(emitted == 2 && reverted == 2);
    fx_free(&fx);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("aggregator");
    TCase *tc = tcase_create("aggregator");
    tcase_add_loop_test(tc, accepts_and_rejects, 0, 2);
    tcase_add_loop_test(tc, contract_require_order, 0, 2);
    tcase_add_test(tc, digests_are_deterministic_and_sensitive);
    tcase_add_test(tc, request_new_round_access_and_event);
    tcase_add_test(tc, undo_and_read_at_depth);
    tcase_add_test(tc, read_at_depth_after_history_wraps);
    tcase_add_test(tc, transmit_gas_formula);
    suite_add_tcase(s, tc);
    return s;
}
