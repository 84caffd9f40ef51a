/* The OCR1 follower's "unfulfilled request" reason to report (por_ocr_unfulfilled_request in
 * sim/models/oracle/oracle.c) against libocr and the contract, on a hand-built node:
 *   libocr offchainreporting/internal/protocol/report_generation_follower.go shouldReport:
 *     unfulfilledRequest := requested.configDigest == config.ConfigDigest &&
 *       !(EpochRound{requested.epoch, requested.round}.Less(EpochRound{latest transmission}))
 *   libocr offchainreporting/types/types.go ContractTransmitter.LatestRoundRequested(ctx,
 *     lookback = DeltaC): the latest RoundRequested event, which an implementation may
 *     drop when older than the lookback; the Chainlink node's implementation
 *     (core/services/ocr/contract_tracker.go OCRContractTracker.LatestRoundRequested)
 *     returns the latest stored event whatever its age, and so does porsim;
 *   OffchainAggregator.sol requestNewRound: the event carries the latest transmission's
 *     epoch and round at the time of the request.
 * Also the requestNewRound gas formula's three paths (por/round_request.h). */
#include "por_test.h"

#include "../sim/models/ocr/ocr_internal.h"
#include "por/round_request.h"

#include <string.h>

typedef struct {
    por_crypto *crypto;
    por_aggregator *agg;
    por_sim *sim;
    por_ocr_config oc;
    ocr_don don;
    ocr_node node;
    por_addr owner;
} rr_fixture;

static void rr_init(rr_fixture *x)
{
    memset(x, 0, sizeof *x);
    x->crypto = por_crypto_create(POR_CRYPTO_IDEAL);
    por_aggregator_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n = 4;
    cfg.f = 1;
    cfg.max_answer = 1000;
    cfg.config_count = 1;
    x->agg = por_aggregator_create(&cfg, x->crypto);
    x->sim = por_sim_create(por_test_seed(), 0);
    x->oc.delta_c = POR_HOUR;
    x->don.oc = &x->oc;
    x->don.agg = x->agg;
    x->don.sim = x->sim;
    x->don.config_digest = *por_aggregator_config_digest(x->agg);
    x->node.don = &x->don;
    memset(x->owner.b, 7, sizeof x->owner.b);
    por_aggregator_set_requesters(x->agg, &x->owner, NULL, 0);
}

static void rr_free(rr_fixture *x)
{
    por_sim_destroy(x->sim);
    por_aggregator_destroy(x->agg);
    por_crypto_destroy(x->crypto);
}

/* The latest transmission as the node read it: none (round_id 0) or (EPOCH, ROUND). */
static por_round_data latest(uint64_t round_id, uint32_t epoch, uint32_t round)
{
    por_round_data rd;
    memset(&rd, 0, sizeof rd);
    rd.round_id = round_id;
    rd.epoch = epoch;
    rd.round = round;
    return rd;
}

START_TEST(test_unfulfilled_request_rule)
{
    rr_fixture x;
    rr_init(&x);
    printf("seed %llu\n", (unsigned long long)por_test_seed());
    por_round_data none = latest(0, 0, 0);
    /* no RoundRequested event: nothing pending */
    ck_assert(!por_ocr_unfulfilled_request(&x.node, &none));
    /* a request before any transmission carries (0, 0): pending */
    ck_assert(por_aggregator_request_new_round(x.agg, 0, &x.owner, NULL));
    ck_assert(por_ocr_unfulfilled_request(&x.node, &none));
    /* any transmission the node reads after it, (1, 1) or (2, 0), is newer: fulfilled */
    por_round_data t11 = latest(1, 1, 1), t20 = latest(2, 2, 0);
    ck_assert(!por_ocr_unfulfilled_request(&x.node, &t11));
    ck_assert(!por_ocr_unfulfilled_request(&x.node, &t20));
    rr_free(&x);
}
END_TEST

START_TEST(test_request_after_transmission_until_fulfilled)
{
    /* the event records the latest transmission's (epoch, round) = (3, 2): pending while
     * the node's latest transmission is (3, 2); (3, 3) and (4, 1) fulfil it */
    rr_fixture x;
    rr_init(&x);
    /* store (3, 2) as the latest accepted report through the test-only skip of
     * signature checks: the contract's other checks still apply */
    por_aggregator_set_fault(x.agg, POR_AGG_FAULT_SKIP_SIGNATURE_CHECK);
    const por_aggregator_config *cfg = por_aggregator_get_config(x.agg);
    por_report r;
    memset(&r, 0, sizeof r);
    r.config_digest = x.don.config_digest;
    r.epoch = 3;
    r.round = 2;
    r.nobs = 3;
    r.obs[0] = 10, r.obs[1] = 20, r.obs[2] = 30;
    r.observers[0] = 0, r.observers[1] = 1, r.observers[2] = 2;
    ck_assert_int_eq(por_aggregator_transmit(x.agg, NULL, 0, 0, &cfg->transmitters[0], &r, NULL, 0),
                     POR_TRANSMIT_ACCEPTED);
    ck_assert(por_aggregator_request_new_round(x.agg, 0, &x.owner, NULL));
    por_round_request ev;
    ck_assert(por_aggregator_latest_round_requested(x.agg, &ev));
    ck_assert(ev.epoch == 3 && ev.round == 2);
    por_round_data t32 = latest(1, 3, 2), t33 = latest(2, 3, 3), t41 = latest(2, 4, 1), t31 = latest(1, 3, 1);
    ck_assert(por_ocr_unfulfilled_request(&x.node, &t32));
    ck_assert(por_ocr_unfulfilled_request(&x.node, &t31)); /* a node reading an older state */
    ck_assert(!por_ocr_unfulfilled_request(&x.node, &t33));
    ck_assert(!por_ocr_unfulfilled_request(&x.node, &t41));
    rr_free(&x);
}
END_TEST

START_TEST(test_no_lookback_and_config_digest)
{
    rr_fixture x;
    rr_init(&x);
    por_round_data none = latest(0, 0, 0);
    /* now = 0, DeltaC = 1 h: the node's LatestRoundRequested ignores the lookback, so an
     * event a day old is still pending while no newer transmission exists */
    ck_assert(por_aggregator_request_new_round(x.agg, -POR_DAY, &x.owner, NULL));
    ck_assert(por_ocr_unfulfilled_request(&x.node, &none));
    /* a request under another configuration (the node runs another digest) is ignored:
     * the whole 32-byte digest is compared, so a difference in any one byte is enough */
    ck_assert(por_aggregator_request_new_round(x.agg, 0, &x.owner, NULL));
    ck_assert(por_ocr_unfulfilled_request(&x.node, &none));
    for (size_t k = 0; k < sizeof x.don.config_digest.b; k++) {
        x.don.config_digest.b[k] ^= 1;
        ck_assert_msg(!por_ocr_unfulfilled_request(&x.node, &none), "digest byte %zu", k);
        x.don.config_digest.b[k] ^= 1;
        ck_assert(por_ocr_unfulfilled_request(&x.node, &none));
    }
    rr_free(&x);
}
END_TEST

START_TEST(test_request_gas_paths)
{
    /* por/round_request.h: 21,064 intrinsic and calldata + 2,100 owner SLOAD, then
     * owner: + 2,100 + 100 hot vars + 1,893 LOG2 + 1,000 = 28,257;
     * listed: + 2,600 CALL + 2,100 accessList SLOAD on top = 32,957;
     * reverted: 21,064 + 2,100 + 2,600 + 2,100 + 2,100 checkEnabled + 1,000 = 30,964 */
    ck_assert_uint_eq(por_round_request_gas(true, true), 21064 + 2100 + 2100 + 100 + 1893 + 1000);
    ck_assert_uint_eq(por_round_request_gas(false, true), 21064 + 2100 + 2600 + 2100 + 2100 + 100 + 1893 + 1000);
    ck_assert_uint_eq(por_round_request_gas(false, false), 21064 + 2100 + 2600 + 2100 + 2100 + 1000);
    /* the access path costs more than the owner's; a revert pays less than a listed call */
    ck_assert_uint_lt(POR_ROUND_REQUEST_GAS_OWNER, POR_ROUND_REQUEST_GAS_LISTED);
    ck_assert_uint_lt(POR_ROUND_REQUEST_GAS_REVERTED, POR_ROUND_REQUEST_GAS_LISTED);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("round_request");
    TCase *t = tcase_create("round_request");
    tcase_add_test(t, test_unfulfilled_request_rule);
    tcase_add_test(t, test_request_after_transmission_until_fulfilled);
    tcase_add_test(t, test_no_lookback_and_config_digest);
    tcase_add_test(t, test_request_gas_paths);
    suite_add_tcase(s, t);
    return s;
}
