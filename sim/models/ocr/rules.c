/* The pure decision rules of OCR1 taken from libocr (por/ocr_rules.h): deviation,
 * shouldTransmit, the transmission order and the change-leader epoch. No state, no
 * simulation: the OCR model and the tests call the same functions. */
#include "por/ocr_rules.h"

#include "por/error.h"
#include "por/rng.h"
#include "por/scenario.h"

#include <string.h>

/* A * B as three 64-bit limbs, most significant first (A < 2^128, B < 2^64). */
static void por__mul_128x64(por_uamount a, uint64_t b, uint64_t out[3])
{
    por_uamount lo = (por_uamount)(uint64_t)a * b;
    por_uamount hi = (por_uamount)(uint64_t)(a >> 64) * b;
    por_uamount mid = (lo >> 64) + (uint64_t)hi;
    out[2] = (uint64_t)lo;
    out[1] = (uint64_t)mid;
    out[0] = (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64);
}

static por_uamount por__abs(por_amount x)
{
    return x < 0 ? (por_uamount)0 - (por_uamount)x : (por_uamount)x;
}

/* The general case of por_ocr_deviates: DIFF * 1e9 >= MAG * ALPHA as 192-bit products. */
static __attribute__((noinline)) bool por__deviates_limbs(por_uamount diff, por_uamount mag,
                                                         uint64_t alpha)
{
    uint64_t lhs[3], rhs[3];
    por__mul_128x64(diff, 1000000000u, lhs);
    por__mul_128x64(mag, alpha, rhs);
    for (int i = 0; i < 3; i++)
        if (lhs[i] != rhs[i])
            return lhs[i] > rhs[i];
    return true; /* equal: change >= threshold */
}

bool por_ocr_deviates(por_amount old, por_amount now, int64_t alpha_ppb)
{
    if (old == 0)
        return now != 0; /* both zero: no deviation; any change from 0 is significant */
    /* |now - old| fits in 128 unsigned bits for any two por_amounts */
    por_uamount diff = now >= old ? (por_uamount)now - (por_uamount)old
                                  : (por_uamount)old - (por_uamount)now;
    por_uamount mag = por__abs(old);
    uint64_t alpha = alpha_ppb < 0 ? 0 : (uint64_t)alpha_ppb;
    /* both below 2^64 (the feeds' usual case): each product is below 2^128, one
     * multiplication a side and the same comparison */
    if (((diff | mag) >> 64) == 0)
        return (por_uamount)(uint64_t)diff * 1000000000u >= (por_uamount)(uint64_t)mag * alpha;
    return por__deviates_limbs(diff, mag, alpha);
}

por_ocr_transmit_verdict por_ocr_should_transmit(const por_ocr_transmit_memory *mem,
                                                 uint64_t contract_er, uint64_t report_er,
                                                 por_amount report_median, int64_t alpha_ppb)
{
    if (contract_er >= report_er)
        return POR_OCR_TRANSMIT_STALE;
    if (mem->latest_er == 0)
        return POR_OCR_TRANSMIT_YES;
    if (report_er <= mem->latest_er)
        return POR_OCR_TRANSMIT_NOT_NEWER;
    /* libocr: t.latestMedian.Deviates(reportMedian, alphaPPB): the new report's median is
     * the base of the relative change */
    bool deviates = por_ocr_deviates(report_median, mem->latest_median, alpha_ppb);
    bool nothing_pending = mem->latest_er <= contract_er;
    return deviates || nothing_pending ? POR_OCR_TRANSMIT_YES : POR_OCR_TRANSMIT_HELD_BACK;
}

void por_ocr_transmission_order_key(const por_digest *shared_secret, uint8_t out[16])
{
    static const char dom[] = "chainlink offchain reporting v1 transmission order key";
    uint8_t buf[32 + sizeof dom - 1];
    memcpy(buf, shared_secret->b, 32);
    memcpy(buf + 32, dom, sizeof dom - 1);
    por_digest h;
    por_keccak256(buf, sizeof buf, &h);
    memcpy(out, h.b, 16);
}

static void por__le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

uint32_t por_ocr_transmit_stage(const uint8_t order_key[16], const por_digest *config_digest,
                                uint32_t epoch, uint32_t round, uint32_t n, uint32_t id,
                                const uint32_t *sched, uint32_t nsched)
{
    uint8_t buf[16 + 32 + 16];
    memcpy(buf, order_key, 16);
    memcpy(buf + 16, config_digest->b, 32);
    por__le64(buf + 48, epoch);
    por__le64(buf + 56, round);
    por_digest h;
    por_keccak256(buf, sizeof buf, &h);
    /* the 16-byte permutation key folded into a splitmix64 seed */
    uint64_t s = 0;
    for (int i = 0; i < 8; i++)
        s = (s << 8) | h.b[i];
    uint64_t s2 = 0;
    for (int i = 8; i < 16; i++)
        s2 = (s2 << 8) | h.b[i];
    s ^= por_mix64(s2);
    /* Fisher-Yates from the top, as Go's rand.Shuffle */
    uint32_t pi[256];
    if (n > 256 || id >= n)
        return nsched;
    for (uint32_t i = 0; i < n; i++)
        pi[i] = i;
    for (uint32_t i = n; i-- > 1;) {
        s += 0x9E3779B97F4A7C15ull;
        uint32_t j = (uint32_t)(por_mix64(s) % (i + 1));
        uint32_t t = pi[i];
        pi[i] = pi[j];
        pi[j] = t;
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < nsched; i++) {
        sum += sched[i];
        if (pi[id] < sum)
            return i;
    }
    return nsched;
}

uint32_t por_ocr_change_leader_epoch(uint32_t e, uint32_t ne)
{
    return ne > e + 1 ? ne : e + 1;
}

uint32_t por_ocr_kth_largest_above(const uint32_t *epochs, uint32_t n, uint32_t k,
                                   uint32_t floor)
{
    POR_ASSERT(n <= POR_MAX_ORACLES && k >= 1);
    /* The usual case first: the K-th largest of exactly K values above FLOOR is the least
     * of them (the pacemaker acts when a count first passes its threshold, and a NEWEPOCH
     * raises a count by one). One pass counts them and finds that least as the least
     * offset x - floor - 1 (unsigned): an entry above FLOOR has an offset of at most
     * UINT32_MAX - floor - 1, one at or below FLOOR wraps to UINT32_MAX - (floor - x) or
     * more, so the entries below never win. The loop has no data-dependent branch (an
     * "if (above)" mispredicts about once in three entries) and no store: the copy below
     * serves only the other case. */
    uint32_t m = 0, least_off = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = epochs[i], off = x - floor - 1u;
        m += x > floor;
        least_off = off < least_off ? off : least_off;
    }
    POR_ASSERT(m >= k);
    if (m == k)
        return least_off + floor + 1u;
    uint32_t v[POR_MAX_ORACLES];
    m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (epochs[i] > floor)
            v[m++] = epochs[i];
    /* insertion sort, descending: m <= n <= 31 */
    for (uint32_t i = 1; i < m; i++) {
        uint32_t x = v[i], j = i;
        while (j > 0 && v[j - 1] < x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return v[k - 1];
}
