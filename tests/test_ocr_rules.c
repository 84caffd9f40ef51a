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

/* observation.go Deviates, the rule written again from its definition: old = 0 deviates
 * unless now = 0 too; otherwise |now - old| / |old| >= alpha_ppb / 1e9, that is
 * |now - old| * 1e9 >= |old| * alpha_ppb, with both sides exact: here as 32-bit limbs
 * (schoolbook, least significant first), independent of rules.c's 64-bit limbs and of its
 * one-multiplication path for |old| and |now - old| below 2^64. A negative alpha is a
 * threshold every change (>= 0) reaches. */
static void limbs32_mul(por_uamount a, uint64_t b, uint32_t out[6])
{
    uint32_t x[4], y[2] = {(uint32_t)b, (uint32_t)(b >> 32)};
    for (int i = 0; i < 4; i++)
        x[i] = (uint32_t)(a >> (32 * i));
    memset(out, 0, 6 * sizeof out[0]);
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 2; j++) {
            uint64_t t = (uint64_t)x[i] * y[j] + out[i + j] + carry;
            out[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        for (int k = i + 2; carry && k < 6; k++) {
            uint64_t t = (uint64_t)out[k] + carry;
            out[k] = (uint32_t)t;
            carry = t >> 32;
        }
    }
}

static bool deviates_by_definition(por_amount old, por_amount now, int64_t alpha_ppb)
{
    if (old == 0)
        return now != 0;
    if (alpha_ppb < 0)
        return true;
    por_uamount diff = now > old ? (por_uamount)now - (por_uamount)old
                                 : (por_uamount)old - (por_uamount)now;
    por_uamount mag = old < 0 ? -(por_uamount)old : (por_uamount)old;
    uint32_t lhs[6], rhs[6];
    limbs32_mul(diff, 1000000000u, lhs);
    limbs32_mul(mag, (uint64_t)alpha_ppb, rhs);
    for (int i = 5; i >= 0; i--)
        if (lhs[i] != rhs[i])
            return lhs[i] > rhs[i];
    return true;
}

/* An amount from one of the shapes the test needs: 0 and +-1, near +-2^63 and +-2^64
 * (the one-multiplication path's edge), near the type's ends, small, and random of a
 * random bit length up to 127. */
static por_amount deviates_draw(gsl_rng *r)
{
    por_amount near = (por_amount)por_rng_below(r, 5) - 2;
    por_uamount wide = ((por_uamount)por_rng_u64(r) << 64 | por_rng_u64(r)) >> 1;
    por_amount v;
    switch (por_rng_below(r, 8)) {
    case 0: v = near; break;
    case 1: v = ((por_amount)1 << 63) + near; break;
    case 2: v = ((por_amount)1 << 64) + near; break;
    case 3: v = POR_AMOUNT_MAX - (near + 2); break;
    case 4: v = (por_amount)por_rng_below(r, 1000000); break;
    default: v = (por_amount)(wide >> por_rng_below(r, 127)); break;
    }
    return por_rng_below(r, 2) ? -v : v; /* -MAX at worst: inside the range */
}

START_TEST(deviates_same_as_definition)
{
    uint64_t seed = por_test_seed();
    printf("deviates: seed %llu\n", (unsigned long long)seed);
    gsl_rng *r = por_rng_new(seed, 0, por_stream_id("test", 0, "deviates"));
    static const int64_t alphas[] = {0, 1, 10000000, 1000000000, 5000000000, INT64_MAX, -1,
                                     INT64_MIN};
    uint64_t narrow = 0, wide = 0, at_threshold = 0, yes = 0;
    for (int iter = 0; iter < 400000; iter++) {
        int64_t alpha = iter % 3 == 0 ? (int64_t)(por_rng_u64(r) >> por_rng_below(r, 64))
                                      : alphas[por_rng_below(r, 8)];
        por_amount old = deviates_draw(r), now;
        if (iter % 2 == 0) {
            now = deviates_draw(r);
        } else {
            /* near the threshold: old +- |old| * alpha / 1e9 (exact while |old| < 2^64),
             * then -1, 0 or +1 */
            por_uamount mag = old < 0 ? -(por_uamount)old : (por_uamount)old;
            uint64_t a = alpha < 0 ? 0 : (uint64_t)alpha;
            por_uamount step = (mag >> 64) == 0 ? mag * a / 1000000000u
                                                : mag / 1000000000u * a;
            if (step > (por_uamount)POR_AMOUNT_MAX - 1) /* room for the +-1 below */
                step = (por_uamount)POR_AMOUNT_MAX - 1;
            /* two draws in a set order (in one expression their order is unspecified) */
            por_amount sign = por_rng_below(r, 2) ? 1 : -1;
            por_amount off = (por_amount)por_rng_below(r, 3) - 1;
            por_amount delta = (por_amount)step * sign + off; /* |step| + 1 <= MAX */
            if (!por_amount_add(old, delta, &now))
                now = old;
        }
        bool want = deviates_by_definition(old, now, alpha);
        bool got = por_ocr_deviates(old, now, alpha);
        if (got != want)
            ck_abort_msg("seed %llu iteration %d: old %016llx%016llx now %016llx%016llx "
                         "alpha %lld: %d, the definition says %d",
                         (unsigned long long)seed, iter,
                         (unsigned long long)((por_uamount)old >> 64), (unsigned long long)old,
                         (unsigned long long)((por_uamount)now >> 64), (unsigned long long)now,
                         (long long)alpha, got, want);
        por_uamount diff = now > old ? (por_uamount)now - (por_uamount)old
                                     : (por_uamount)old - (por_uamount)now;
        por_uamount mag = old < 0 ? -(por_uamount)old : (por_uamount)old;
        if (old != 0 && ((diff | mag) >> 64) == 0)
            narrow++;
        else if (old != 0)
            wide++;
        if (old != 0 && alpha >= 0 && ((diff | mag) >> 64) == 0 &&
            diff * 1000000000u == mag * (uint64_t)alpha)
            at_threshold++;
        yes += want;
    }
    gsl_rng_free(r);
    /* both paths ran, and the equality the >= decides */
    ck_assert_uint_gt(narrow, 50000);
    ck_assert_uint_gt(wide, 50000);
    ck_assert_uint_gt(at_threshold, 1000);
    ck_assert_uint_gt(yes, 50000);
    ck_assert_uint_gt(400000 - yes, 50000);
    printf("deviates: %llu below 2^64, %llu wider, %llu exactly at the threshold\n",
           (unsigned long long)narrow, (unsigned long long)wide,
           (unsigned long long)at_threshold);
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
    tcase_add_test(tc, deviates_same_as_definition);
    tcase_add_test(tc, should_transmit_branches);
    tcase_add_test(tc, order_key_derivation);
    tcase_add_test(tc, transmit_stage_schedule);
    tcase_add_test(tc, change_leader_epoch);
    tcase_add_test(tc, kth_largest_above_same_as_sorted_greater_than);
    suite_add_tcase(s, tc);
    return s;
}
