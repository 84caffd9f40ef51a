/* The on-chain OffchainAggregator (OCR1 style): config digest, transmit() with the
 * contract's checks, the round history behind latestRoundData, listeners and per-reason
 * counters. It is not an engine entity: chain transactions call por_aggregator_transmit
 * from their execute hook, so its state is the chain's confirmed state. */
#include "por/aggregator.h"

#include "por/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    por_answer_listener fn;
    void *ctx;
} por__listener;

struct por_aggregator {
    por_aggregator_config cfg;
    por_digest digest;
    por_crypto *crypto;
    /* The newest POR_AGGREGATOR_HISTORY rounds: round k at hist[(k-1) % HISTORY], so the
     * memory is bounded however long the run (the contract keeps every round, but
     * nothing in a run reads an old one). nhist counts every accepted round. */
    por_round_data *hist;
    size_t nhist, caphist;
    uint64_t latest_er;   /* (epoch << 32) | round of the latest accepted report */
    por__listener *listeners;
    size_t nlisteners;
    uint64_t counts[POR_TRANSMIT_NRESULTS];
    unsigned faults;      /* por_aggregator_fault bits (tests only) */
};

static const char *const por__result_names[] = {
#define POR__TR_NAME(code, name) name,
    POR_TRANSMIT_RESULTS(POR__TR_NAME)
#undef POR__TR_NAME
};

const char *por_transmit_result_name(por_transmit_result r)
{
    if ((unsigned)r >= POR_TRANSMIT_NRESULTS)
        return "unknown";
    return por__result_names[r];
}

static void por__be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void por__amount_be(uint8_t p[16], por_amount a)
{
    por_uamount u = (por_uamount)a;
    for (int i = 15; i >= 0; i--, u >>= 8)
        p[i] = (uint8_t)u;
}

void por_aggregator_config_digest_of(const por_aggregator_config *cfg, por_digest *out)
{
    static const char dom[] = "porsim/ocr1/config";
    por_keccak_ctx h;
    uint8_t buf[32];
    por_keccak_init(&h);
    por_keccak_update(&h, dom, sizeof dom - 1);
    por__be(buf, cfg->config_count, 8);
    por__be(buf + 8, cfg->n, 4);
    por__be(buf + 12, cfg->f, 4);
    por_keccak_update(&h, buf, 16);
    for (uint32_t i = 0; i < cfg->n && i < POR_MAX_ORACLES; i++)
        por_keccak_update(&h, cfg->signers[i].b, 20);
    for (uint32_t i = 0; i < cfg->n && i < POR_MAX_ORACLES; i++)
        por_keccak_update(&h, cfg->transmitters[i].b, 20);
    por__amount_be(buf, cfg->min_answer);
    por__amount_be(buf + 16, cfg->max_answer);
    por_keccak_update(&h, buf, 32);
    por__be(buf, cfg->decimals, 4);
    por_keccak_update(&h, buf, 4);
    por_keccak_final(&h, out);
}

void por_report_hash(const por_report *rep, por_digest *out)
{
    /* 32 + 4 + 4 + 1 + 31 + 31*16 = 568 bytes at most: one buffer, one keccak */
    uint8_t buf[32 + 9 + POR_MAX_ORACLES * 17];
    uint32_t nobs = rep->nobs <= POR_MAX_ORACLES ? rep->nobs : POR_MAX_ORACLES;
    size_t p = 0;
    memcpy(buf, rep->config_digest.b, 32);
    p += 32;
    por__be(buf + p, rep->epoch, 4);
    p += 4;
    por__be(buf + p, rep->round, 4);
    p += 4;
    buf[p++] = (uint8_t)nobs;
    memcpy(buf + p, rep->observers, nobs);
    p += nobs;
    for (uint32_t i = 0; i < nobs; i++, p += 16)
        por__amount_be(buf + p, rep->obs[i]);
    por_keccak256(buf, p, out);
}

por_aggregator *por_aggregator_create(const por_aggregator_config *cfg, por_crypto *crypto)
{
    POR_ASSERT(cfg->n > 0 && cfg->n <= POR_MAX_ORACLES && 3 * cfg->f < cfg->n);
    por_aggregator *agg = por_xcalloc(1, sizeof *agg);
    agg->cfg = *cfg;
    agg->crypto = crypto;
    por_aggregator_config_digest_of(cfg, &agg->digest);
    return agg;
}

void por_aggregator_destroy(por_aggregator *agg)
{
    if (!agg)
        return;
    free(agg->hist);
    free(agg->listeners);
    free(agg);
}

const por_digest *por_aggregator_config_digest(const por_aggregator *agg)
{
    return &agg->digest;
}

void por_aggregator_latest(const por_aggregator *agg, por_round_data *out)
{
    if (agg->nhist == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = agg->hist[(agg->nhist - 1) % POR_AGGREGATOR_HISTORY];
}

bool por_aggregator_round(const por_aggregator *agg, uint64_t round_id, por_round_data *out)
{
    if (round_id == 0 || round_id > agg->nhist || agg->nhist - round_id >= POR_AGGREGATOR_HISTORY)
        return false;
    *out = agg->hist[(round_id - 1) % POR_AGGREGATOR_HISTORY];
    return true;
}

uint64_t por_aggregator_rounds(const por_aggregator *agg) { return agg->nhist; }
uint32_t por_aggregator_decimals(const por_aggregator *agg) { return agg->cfg.decimals; }

const por_aggregator_config *por_aggregator_get_config(const por_aggregator *agg)
{
    return &agg->cfg;
}

void por_aggregator_add_listener(por_aggregator *agg, por_answer_listener fn, void *ctx)
{
    agg->listeners = por_xrealloc(agg->listeners, (agg->nlisteners + 1) * sizeof *agg->listeners);
    agg->listeners[agg->nlisteners].fn = fn;
    agg->listeners[agg->nlisteners].ctx = ctx;
    agg->nlisteners++;
}

uint64_t por_aggregator_count(const por_aggregator *agg, por_transmit_result r)
{
    if ((unsigned)r >= POR_TRANSMIT_NRESULTS)
        return 0;
    return agg->counts[r];
}

static int32_t por__index_of(const por_addr *list, uint32_t n, const por_addr *a)
{
    for (uint32_t i = 0; i < n; i++)
        if (por_addr_eq(&list[i], a))
            return (int32_t)i;
    return -1;
}

static por_transmit_result por__check(por_aggregator *agg, const por_addr *sender,
                                      const por_report *rep, const por_sig *sigs,
                                      uint32_t nsigs)
{
    const por_aggregator_config *c = &agg->cfg;
    if (memcmp(rep->config_digest.b, agg->digest.b, 32) != 0)
        return POR_TRANSMIT_WRONG_DIGEST;
    uint64_t er = ((uint64_t)rep->epoch << 32) | rep->round;
    if (er <= agg->latest_er)
        return POR_TRANSMIT_STALE;
    if (por__index_of(c->transmitters, c->n, sender) < 0)
        return POR_TRANSMIT_NOT_TRANSMITTER;
    bool check_sigs = !(agg->faults & POR_AGG_FAULT_SKIP_SIGNATURE_CHECK);
    if (check_sigs && nsigs <= c->f)
        return POR_TRANSMIT_TOO_FEW_SIGS;
    if (check_sigs && nsigs > c->n)
        return POR_TRANSMIT_DUPLICATE_SIGNER; /* more signatures than signers */
    por_digest h;
    por_report_hash(rep, &h);
    uint32_t seen = 0;
    for (uint32_t i = 0; check_sigs && i < nsigs; i++) {
        por_addr who;
        if (!por_crypto_recover(agg->crypto, &h, &sigs[i], &who))
            return POR_TRANSMIT_BAD_SIG;
        int32_t k = por__index_of(c->signers, c->n, &who);
        if (k < 0)
            return POR_TRANSMIT_UNKNOWN_SIGNER;
        if (seen & (1u << k))
            return POR_TRANSMIT_DUPLICATE_SIGNER;
        seen |= 1u << k;
    }
    if (rep->nobs <= 2 * c->f || rep->nobs > c->n)
        return POR_TRANSMIT_TOO_FEW_OBS;
    for (uint32_t i = 1; i < rep->nobs; i++)
        if (rep->obs[i - 1] > rep->obs[i])
            return POR_TRANSMIT_UNSORTED;
    por_amount median = rep->obs[rep->nobs / 2];
    if (median < c->min_answer || median > c->max_answer)
        return POR_TRANSMIT_OUT_OF_BOUNDS;
    return POR_TRANSMIT_ACCEPTED;
}

por_transmit_result por_aggregator_transmit(por_aggregator *agg, por_sim *sim,
                                            por_time_t block_time, const por_addr *sender,
                                            const por_report *rep, const por_sig *sigs,
                                            uint32_t nsigs)
{
    por_transmit_result r = por__check(agg, sender, rep, sigs, nsigs);
    agg->counts[r]++;
    if (r != POR_TRANSMIT_ACCEPTED)
        return r;
    agg->latest_er = ((uint64_t)rep->epoch << 32) | rep->round;
    if (agg->nhist == agg->caphist && agg->caphist < POR_AGGREGATOR_HISTORY) {
        agg->caphist = agg->caphist ? agg->caphist * 2 : 64;
        agg->hist = por_xrealloc(agg->hist, agg->caphist * sizeof *agg->hist);
    }
    por_round_data *rd = &agg->hist[agg->nhist++ % POR_AGGREGATOR_HISTORY];
    rd->round_id = agg->nhist;
    rd->answer = rep->obs[rep->nobs / 2];
    rd->started_at = block_time;
    rd->updated_at = block_time;
    rd->answered_in_round = rd->round_id;
    rd->epoch = rep->epoch;
    rd->round = rep->round;
    por_round_data copy = *rd; /* hist may move if a listener causes a realloc */
    for (size_t i = 0; i < agg->nlisteners; i++)
        agg->listeners[i].fn(agg->listeners[i].ctx, sim, &copy);
    return r;
}

void por_aggregator_set_fault(por_aggregator *agg, unsigned faults) { agg->faults = faults; }
