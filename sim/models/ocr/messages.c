/* OCR messages: pooled, reference-counted small and big messages (no malloc per message
 * once the pools are warm), the digests oracles sign, leader election, and the checks a
 * follower applies to REPORT-REQ and FINAL, memoized on the immutable message. */
#include "ocr_internal.h"

#include "por/error.h"

#include <stdlib.h>
#include <string.h>

/* por_ocr_small_new is inline in ocr_internal.h; a message's destroy returns it to the
 * pool, and a fresh one is allocated only while the pool is empty. */
void por__ocr_small_destroy(por_msg *hdr)
{
    ocr_small *m = (ocr_small *)hdr;
    if (m->final) {
        por_msg_unref(&m->final->hdr);
        m->final = NULL;
    }
    m->next_free = m->don->free_small;
    m->don->free_small = m;
}

static void ocr__big_destroy(por_msg *hdr)
{
    ocr_big *m = (ocr_big *)hdr;
    m->next_free = m->don->free_big;
    m->don->free_big = m;
}

ocr_small *por__ocr_small_alloc(void) { return por_xmalloc(sizeof(ocr_small)); }

ocr_big *por_ocr_big_new(ocr_don *d, uint16_t type)
{
    ocr_big *m = d->free_big;
    if (m)
        d->free_big = m->next_free;
    else
        m = por_xmalloc(sizeof *m);
    m->hdr.refs = 1;
    m->hdr.type = type;
    m->hdr.size = 0; /* set by the builder once the content is known */
    m->hdr.destroy = ocr__big_destroy;
    m->don = d;
    m->next_free = NULL;
    m->report.nobs = 0;
    m->report.ocr2 = false;
    m->report.observations_timestamp = 0;
    m->nsigs = 0;
    m->valid = -1;
    m->hash_set = false;
    return m;
}

void por_ocr_pools_free(ocr_don *d)
{
    while (d->free_small) {
        ocr_small *m = d->free_small;
        d->free_small = m->next_free;
        free(m);
    }
    while (d->free_big) {
        ocr_big *m = d->free_big;
        d->free_big = m->next_free;
        free(m);
    }
}

/* V as 8 big-endian bytes at P: one store on little-endian hosts with the gcc/clang
 * byte-swap builtin (observation digests are built once per observation). */
static inline void ocr__be64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
#else
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
#endif
}

static inline void ocr__be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint32_t por_ocr_leader(ocr_don *d, uint32_t epoch)
{
    if (epoch == d->memo_epoch && epoch != 0)
        return d->memo_leader;
    uint8_t buf[40];
    memcpy(buf, d->shared_key.b, 32);
    ocr__be(buf + 32, epoch, 8);
    por_digest h;
    por_keccak256(buf, sizeof buf, &h);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = (x << 8) | h.b[i];
    d->memo_epoch = epoch;
    d->memo_leader = (uint32_t)(x % d->n);
    return d->memo_leader;
}

void por_ocr_observation_digest(const ocr_don *d, uint32_t epoch, uint32_t round, uint32_t observer,
                            por_amount value, por_digest *out)
{
    /* the message is config digest (32) || epoch (4) || round (4) || observer (1) ||
     * value (16), big-endian; the config digest's part is absorbed once per DON
     * (d->obs_prefix), so only the other 25 bytes are built and hashed here, or with
     * ideal signatures packed with the config digest's first 7 bytes (ocr_internal.h) */
    uint8_t rest[32];
    ocr__be64(rest, ((uint64_t)epoch << 32) | round);
    rest[8] = (uint8_t)observer;
    por_uamount u = (por_uamount)value; /* 16 bytes big-endian, as two 64-bit halves */
    ocr__be64(rest + 9, (uint64_t)(u >> 64));
    ocr__be64(rest + 17, (uint64_t)u);
    if (d->obs_prefix.mode == POR_CRYPTO_IDEAL) {
        memcpy(rest + 25, d->config_digest.b, 7);
        memcpy(out->b, rest, 32);
        return;
    }
    por_crypto_message_digest_after(d->crypto, &d->obs_prefix, rest, 25, out);
}

const por_digest *por_ocr_big_hash(ocr_big *m)
{
    if (!m->hash_set) {
        por_report_hash(&m->report, &m->hash);
        m->hash_set = true;
    }
    return &m->hash;
}

bool por__ocr_report_req_content_valid(ocr_don *d, ocr_big *m, uint32_t epoch, uint32_t round)
{
    const por_report *r = &m->report;
    bool ok = r->nobs > 2 * d->f && r->nobs <= d->n;
    uint32_t seen = 0;
    for (uint32_t i = 0; ok && i < r->nobs; i++) {
        uint32_t who = r->observers[i];
        if (who >= d->n || (seen & (1u << who)) || (i > 0 && r->obs[i - 1] > r->obs[i])) {
            ok = false;
            break;
        }
        seen |= 1u << who;
        por_digest od;
        por_ocr_observation_digest(d, epoch, round, who, r->obs[i], &od);
        ok = por_crypto_verify(d->crypto, &od, &m->obs_sigs[i], &d->nodes[who].key.addr);
    }
    m->valid = ok ? 1 : 0;
    return ok;
}

bool por_ocr_final_valid(ocr_don *d, ocr_big *m)
{
    if (memcmp(m->report.config_digest.b, d->config_digest.b, 32) != 0)
        return false;
    if (m->valid >= 0)
        return m->valid == 1;
    const por_digest *h = por_ocr_big_hash(m);
    bool ok = m->nsigs > d->f && m->nsigs <= d->n && m->report.nobs > 2 * d->f &&
              m->report.nobs <= d->n;
    uint32_t seen = 0;
    for (uint32_t i = 0; ok && i < m->nsigs; i++) {
        uint32_t who = m->signers[i];
        if (who >= d->n || (seen & (1u << who))) {
            ok = false;
            break;
        }
        seen |= 1u << who;
        ok = por_crypto_verify(d->crypto, h, &m->sigs[i], &d->nodes[who].key.addr);
    }
    m->valid = ok ? 1 : 0;
    return ok;
}
