/* Tests of sim/models/ocr/rules.c (por/ocr_rules.h): the OCR1 decision rules porsim takes
 * from libocr, each checked against the libocr function it comes from:
 * observation.go Observation.Deviates, transmission.go shouldTransmit and transmitDelay,
 * shared_config.go TransmissionOrderKey, pacemaker.go eventChangeLeader. */
#include "por_test.h"

#include "por/ocr_rules.h"
#include "por/rng.h"
#include "por/scenario.h"

#include <stdio.h>
#include <string.h>

#define PPB_1PCT 10000000  /* 1 % */
#define PPB_10PCT 100000000 /* 10 % */

/* observation.go Deviates: "Both values are zero; no deviation", "Any deviation from 0
 * is significant"; otherwise |o - old| / |old| >= threshold. */
START_TEST(deviates_against_zero)
{
    ck_assert(!por_ocr_deviates(0, 0, PPB_1PCT));
    ck_assert(!por_ocr_deviates(0, 0, 0));
    ck_assert(por_ocr_deviates(0, 1, PPB_1PCT));
    ck_assert(por_ocr_deviates(0, -1, PPB_1PCT));
    ck_assert(por_ocr_deviates(0, POR_AMOUNT_MAX, 1000000000000ll));
    /* a non-zero answer falling to 0 is a 100 % change */
    ck_assert(por_ocr_deviates(1000, 0, PPB_1PCT));
}
END_TEST

/* observation.go Deviates: change.Cmp(threshold) >= 0, relative to |old|, exact. */
START_TEST(deviates_threshold_exact)
{
    ck_assert(por_ocr_deviates(1000, 1010, PPB_1PCT));  /* exactly 1 % */
    ck_assert(!por_ocr_deviates(1000, 1009, PPB_1PCT)); /* 0.9 % */
    ck_assert(por_ocr_deviates(1000, 990, PPB_1PCT));
    ck_assert(!por_ocr_deviates(-1000, -1009, PPB_1PCT));
    ck_assert(por_ocr_deviates(-1000, -1010, PPB_1PCT));
    ck_assert(por_ocr_deviates(1000, 1000, 0)); /* alpha 0: a zero change is >= 0 */
    /* the base is OLD: 100 -> 110 is 10 %, 110 -> 100 is 9.09 % */
    ck_assert(por_ocr_deviates(100, 110, PPB_10PCT));
    ck_assert(!por_ocr_deviates(110, 100, PPB_10PCT));
    /* no overflow shortcut: values near the top of the range compare exactly */
    por_amount big = POR_AMOUNT_MAX / 3;
    ck_assert(!por_ocr_deviates(big, big + big / 1000, PPB_1PCT)); /* 0.1 % */
    ck_assert(por_ocr_deviates(big, big + big / 50, PPB_1PCT));    /* 2 % */
    ck_assert(por_ocr_deviates(POR_AMOUNT_MIN + 1, POR_AMOUNT_MAX, PPB_1PCT));
    ck_assert(!por_ocr_deviates(POR_AMOUNT_MAX, POR_AMOUNT_MAX - 1, PPB_1PCT));
}
END_TEST

/* transmission.go shouldTransmit, branch by branch. */
START_TEST(should_transmit_branches)
{
    const uint64_t e1r1 = por_ocr_epoch_round(1, 1), e1r2 = por_ocr_epoch_round(1, 2),
                   e1r3 = por_ocr_epoch_round(1, 3), e2r1 = por_ocr_epoch_round(2, 1);
    por_ocr_transmit_memory none = {0, 0};
    /* !contractEpochRound.Less(reportEpochRound): stale */
    ck_assert_int_eq(por_ocr_should_transmit(&none, e1r2, e1r2, 100, PPB_1PCT),
                     POR_OCR_TRANSMIT_STALE);
    ck_assert_int_eq(por_ocr_should_transmit(&none, e2r1, e1r3, 100, PPB_1PCT),
                     POR_OCR_TRANSMIT_STALE);
    /* latestEpochRound empty: true */
    ck_assert_int_eq(por_ocr_should_transmit(&none, 0, e1r1, 100, PPB_1PCT),
                     POR_OCR_TRANSMIT_YES);
    /* report <= latest: false */
    por_ocr_transmit_memory mem = {e1r2, 1000};
    ck_assert_int_eq(por_ocr_should_transmit(&mem, 0, e1r2, 5000, PPB_1PCT),
                     POR_OCR_TRANSMIT_NOT_NEWER);
    ck_assert_int_eq(por_ocr_should_transmit(&mem, 0, e1r1, 5000, PPB_1PCT),
                     POR_OCR_TRANSMIT_NOT_NEWER);
    /* own report (1, 2) pending (contract at (1, 1) < latest): a newer report within
     * alpha is held back, one that deviates goes */
    ck_assert_int_eq(por_ocr_should_transmit(&mem, e1r1, e1r3, 1005, PPB_1PCT),
                     POR_OCR_TRANSMIT_HELD_BACK);
    ck_assert_int_eq(por_ocr_should_transmit(&mem, e1r1, e1r3, 1020, PPB_1PCT),
                     POR_OCR_TRANSMIT_YES);
    /* nothingPending: latest <= contract, then any newer report goes */
    ck_assert_int_eq(por_ocr_should_transmit(&mem, e1r2, e1r3, 1000, PPB_1PCT),
                     POR_OCR_TRANSMIT_YES);
    /* latestMedian.Deviates(reportMedian): the NEW median is the base. Pending 100, new
     * 110, alpha 10 %: |100 - 110| / 110 = 9.09 % < 10 %: held back (with the pending
     * one as base it would be exactly 10 % and go) */
    por_ocr_transmit_memory m100 = {e1r2, 100};
    ck_assert_int_eq(por_ocr_should_transmit(&m100, e1r1, e1r3, 110, PPB_10PCT),
                     POR_OCR_TRANSMIT_HELD_BACK);
    ck_assert_int_eq(por_ocr_should_transmit(&m100, e1r1, e1r3, 90, PPB_10PCT),
                     POR_OCR_TRANSMIT_YES); /* |100 - 90| / 90 = 11 % */
    /* both zero: no deviation, so held back while pending */
    por_ocr_transmit_memory m0 = {e1r2, 0};
    ck_assert_int_eq(por_ocr_should_transmit(&m0, e1r1, e1r3, 0, PPB_1PCT),
                     POR_OCR_TRANSMIT_HELD_BACK);
}
END_TEST

/* shared_config.go TransmissionOrderKey: keccak256(sharedSecret || "chainlink offchain
 * reporting v1 transmission order key"), first 16 bytes. */
START_TEST(order_key_derivation)
{
    por_digest secret;
    for (int i = 0; i < 32; i++)
        secret.b[i] = (uint8_t)((por_test_seed() >> (8 * (i % 8))) + (uint64_t)i);
    const char dom[] = "chainlink offchain reporting v1 transmission order key";
    uint8_t buf[32 + sizeof dom - 1];
    memcpy(buf, secret.b, 32);
    memcpy(buf + 32, dom, sizeof dom - 1);
    por_digest want;
    por_keccak256(buf, sizeof buf, &want);
    uint8_t key[16];
    por_ocr_transmission_order_key(&secret, key);
    ck_assert(memcmp(key, want.b, 16) == 0);
}
END_TEST

/* transmission.go transmitDelay: pi = Permutation(n, key(orderKey, configDigest, epoch,
 * round)); oracle id transmits in the first stage i with pi[id] < S[0] + ... + S[i].
 * So, for one (epoch, round): exactly S[i] oracles in stage i (while the sum is <= n),
 * the rest in no stage; the order depends on (epoch, round) and the config digest and
 * nothing else (no report content is an input); over many rounds each oracle leads. */
START_TEST(transmit_stage_schedule)
{
    printf("seed %llu\n", (unsigned long long)por_test_seed());
    uint8_t key[16];
    por_digest secret, digest, digest2;
    memset(&secret, 0, sizeof secret);
    for (int i = 0; i < 8; i++)
        secret.b[i] = (uint8_t)(por_test_seed() >> (8 * i));
    por_ocr_transmission_order_key(&secret, key);
    memset(&digest, 0x11, sizeof digest);
    digest2 = digest;
    digest2.b[0] ^= 1;
    const uint32_t n = 7, sched[] = {1, 1, 2}, nsched = 3;
    uint32_t first[7] = {0};
    uint32_t differ_digest = 0, differ_round = 0;
    for (uint32_t e = 1; e <= 100; e++)
        for (uint32_t r = 1; r <= 6; r++) {
            uint32_t count[4] = {0};
            for (uint32_t id = 0; id < n; id++) {
                uint32_t s = por_ocr_transmit_stage(key, &digest, e, r, n, id, sched, nsched);
                ck_assert_uint_le(s, nsched);
                count[s]++;
                if (s == 0)
                    first[id]++;
                /* a pure function: the same answer at every node, every time */
                ck_assert_uint_eq(s, por_ocr_transmit_stage(key, &digest, e, r, n, id, sched,
                                                            nsched));
                differ_digest += s != por_ocr_transmit_stage(key, &digest2, e, r, n, id, sched,
                                                             nsched);
                differ_round += s != por_ocr_transmit_stage(key, &digest, e, r + 1, n, id,
                                                            sched, nsched);
            }
            ck_assert_uint_eq(count[0], 1);
            ck_assert_uint_eq(count[1], 1);
            ck_assert_uint_eq(count[2], 2);
            ck_assert_uint_eq(count[3], 3); /* 7 - (1 + 1 + 2) in no stage */
        }
    ck_assert_uint_gt(differ_digest, 0);
    ck_assert_uint_gt(differ_round, 0);
    /* 600 rounds, first stage ~ Binomial(600, 1/7) per oracle: mean 86, sd 8.6 */
    for (uint32_t id = 0; id < n; id++)
        ck_assert_msg(first[id] > 40 && first[id] < 140, "oracle %u first %u times", id,
                      first[id]);
    /* a schedule summing past n puts everyone in some stage; an id >= n in none */
    const uint32_t wide[] = {3, 10};
    for (uint32_t id = 0; id < n; id++)
        ck_assert_uint_lt(por_ocr_transmit_stage(key, &digest, 1, 1, n, id, wide, 2), 2);
    ck_assert_uint_eq(por_ocr_transmit_stage(key, &digest, 1, 1, n, n, wide, 2), 2);
}
END_TEST

/* pacemaker.go eventChangeLeader: sendEpoch = max(ne, e + 1). */
START_TEST(change_leader_epoch)
{
    ck_assert_uint_eq(por_ocr_change_leader_epoch(5, 5), 6);
    ck_assert_uint_eq(por_ocr_change_leader_epoch(5, 6), 6); /* not 7: no escalation */
    ck_assert_uint_eq(por_ocr_change_leader_epoch(5, 9), 9);
    ck_assert_uint_eq(por_ocr_change_leader_epoch(0, 0), 1);
}
END_TEST

/* libocr pacemaker.go messageNewepoch: sortedGreaterThan(newepoch, floor), then
 * candidateEpochs[len - k]. Written here as in libocr (collect, sort ascending, index
 * from the end) and compared with por_ocr_kth_largest_above on random request vectors:
 * few distinct epochs (ties), wide epochs, epochs at the top of the 32-bit range (the
 * exactly-k path finds the least above the floor as the least x - floor - 1, which wraps
 * for the entries at or below it), floors below, inside and at the top of the range, every
 * k the count allows, and the pacemaker's usual case of exactly k above. */
static uint32_t kth_by_sort(const uint32_t *xs, uint32_t n, uint32_t k, uint32_t floor)
{
    uint32_t rv[POR_MAX_ORACLES], m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (xs[i] > floor)
            rv[m++] = xs[i];
    for (uint32_t i = 1; i < m; i++) /* ascending, as sort.Slice with rv[i] < rv[j] */
        for (uint32_t j = i; j > 0 && rv[j - 1] > rv[j]; j--) {
            uint32_t t = rv[j];
            rv[j] = rv[j - 1];
            rv[j - 1] = t;
        }
    ck_assert_uint_ge(m, k);
    return rv[m - k];
}

START_TEST(kth_largest_above_same_as_sorted_greater_than)
{
    uint64_t seed = por_test_seed();
    printf("kth_largest_above: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "kth-largest"));
    uint64_t checked = 0, exactly_k = 0;
    for (int iter = 0; iter < 60000; iter++) {
        uint32_t n = 1 + (uint32_t)por_rng_below(r, POR_MAX_ORACLES);
        int kind = iter % 4; /* 3: the four largest 32-bit values */
        uint32_t spread = kind == 0 ? 3 : kind == 1 ? 40 : UINT32_MAX;
        uint32_t xs[POR_MAX_ORACLES];
        for (uint32_t i = 0; i < n; i++)
            xs[i] = kind == 3 ? UINT32_MAX - (uint32_t)por_rng_below(r, 4)
                              : (uint32_t)por_rng_below(r, (uint64_t)spread + 1);
        uint32_t floor = iter % 7 == 0 ? 0 : xs[por_rng_below(r, n)];
        if (iter % 11 == 0)
            floor = floor > 0 ? floor - 1 : 0;
        uint32_t above = 0;
        for (uint32_t i = 0; i < n; i++)
            above += xs[i] > floor;
        for (uint32_t k = 1; k <= above; k++) {
            uint32_t want = kth_by_sort(xs, n, k, floor);
            uint32_t got = por_ocr_kth_largest_above(xs, n, k, floor);
            if (got != want)
                ck_abort_msg("seed %llu iteration %d: n %u k %u floor %u: %u, sort says %u",
                             (unsigned long long)seed, iter, n, k, floor, got, want);
            checked++;
            exactly_k += k == above;
        }
    }
    gsl_rng_free(r);
    /* both paths ran: exactly k above (the least) and more than k (the sort) */
    ck_assert_uint_gt(exactly_k, 1000);
    ck_assert_uint_gt(checked - exactly_k, 1000);
    printf("kth_largest_above: %llu cases, %llu with exactly k above\n",
           (unsigned long long)checked, (unsigned long long)exactly_k);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("ocr_rules");
    TCase *tc = tcase_create("ocr_rules");
    tcase_add_test(tc, deviates_against_zero);
    tcase_add_test(tc, deviates_threshold_exact);
    tcase_add_test(tc, should_transmit_branches);
    tcase_add_test(tc, order_key_derivation);
    tcase_add_test(tc, transmit_stage_schedule);
    tcase_add_test(tc, change_leader_epoch);
    tcase_add_test(tc, kth_largest_above_same_as_sorted_greater_than);
    suite_add_tcase(s, tc);
    return s;
}
