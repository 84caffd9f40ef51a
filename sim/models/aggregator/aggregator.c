/* The on-chain OffchainAggregator (OCR1 style; with an OCR2 configuration the
 * OCR2Aggregator, whose transmit checks are in ocr2_aggregator.c): config digest,
 * transmit() with the contract's checks, the round history behind latestRoundData, listeners and per-reason
 * counters. It is not an engine entity: chain transactions call por_aggregator_transmit
 * from their execute hook as their block is mined, and por_aggregator_undo_transmit from
 * their undo hook when a reorg removes it, so its state is the chain tip's state. Each
 * round remembers its including block, for readers at a confirmation depth. */
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
    uint64_t undone;      /* accepted answers removed by reorgs */
    unsigned faults;      /* por_aggregator_fault bits (tests only) */
    /* requestNewRound: the owner, the requester access list, the latest RoundRequested
     * event (the node's LatestRoundRequested reads it) and its counters */
    por_addr owner;
    por_addr *requesters;
    size_t nrequesters;
    por_round_request last_request;
    uint64_t requests_emitted, requests_reverted;
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
    static const char dom[] = "porsim/ocr1/config", dom2[] = "porsim/ocr2/config";
    por_keccak_ctx h;
    uint8_t buf[32];
    por_keccak_init(&h);
    if (cfg->ocr2)
        por_keccak_update(&h, dom2, sizeof dom2 - 1);
    else
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
    uint8_t buf[32 + 9 + POR_MAX_ORACLES * 17 + 9];
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
    if (rep->ocr2) {
        buf[p++] = 2;
        por__be(buf + p, (uint64_t)rep->observations_timestamp, 8);
        p += 8;
    }
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
    free(agg->requesters);
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

void por_aggregator_latest_at(const por_aggregator *agg, uint64_t max_block,
                              por_round_data *out)
{
    /* newest first, over the rounds the history still holds; a reader deeper than the
     * whole history (POR_AGGREGATOR_HISTORY rounds) gets the oldest one held */
    size_t kept = agg->nhist < POR_AGGREGATOR_HISTORY ? agg->nhist : POR_AGGREGATOR_HISTORY;
    bool truncated = agg->nhist > kept;
    for (size_t i = 0; i < kept; i++) {
        const por_round_data *rd = &agg->hist[(agg->nhist - 1 - i) % POR_AGGREGATOR_HISTORY];
        if (rd->block <= max_block || (truncated && i + 1 == kept)) {
            *out = *rd;
            return;
        }
    }
    memset(out, 0, sizeof *out);
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

/* The checks of OffchainAggregator.transmit (libocr contract/OffchainAggregator.sol), in
 * the order of its requires, so the first failing one is the reason counted:
 *   configDigest mismatch; stale report; not enough signatures; too many signatures
 *   (more than maxNumOracles); num observations out of bounds / too few values to trust
 *   median (both counted as too_few_observations); observer index repeated; unauthorized
 *   transmitter; per signature: address not authorized to sign (porsim tells a signature
 *   that recovers no address, bad_signature, from one by an unknown key,
 *   unknown_signer), non-unique signature; observations not sorted; median out of
 *   min-max range. The calldata length check has no counterpart (porsim passes structs). */
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
    bool check_sigs = !(agg->faults & POR_AGG_FAULT_SKIP_SIGNATURE_CHECK);
    if (check_sigs && nsigs <= c->f)
        return POR_TRANSMIT_TOO_FEW_SIGS;
    if (check_sigs && nsigs > POR_MAX_ORACLES)
        return POR_TRANSMIT_TOO_MANY_SIGS;
    if (rep->nobs > POR_MAX_ORACLES || rep->nobs <= 2 * c->f)
        return POR_TRANSMIT_TOO_FEW_OBS;
    uint32_t seen_obs = 0;
    for (uint32_t i = 0; i < rep->nobs; i++) {
        /* an index past maxNumOracles makes the contract's seen[] lookup revert too */
        uint8_t k = rep->observers[i];
        if (k >= POR_MAX_ORACLES || (seen_obs & (1u << k)))
            return POR_TRANSMIT_OBSERVER_REPEATED;
        seen_obs |= 1u << k;
    }
    if (por__index_of(c->transmitters, c->n, sender) < 0)
        return POR_TRANSMIT_NOT_TRANSMITTER;
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
    for (uint32_t i = 1; i < rep->nobs; i++)
        if (rep->obs[i - 1] > rep->obs[i])
            return POR_TRANSMIT_UNSORTED;
    por_amount median = rep->obs[rep->nobs / 2];
    if (median < c->min_answer || median > c->max_answer)
        return POR_TRANSMIT_OUT_OF_BOUNDS;
    return POR_TRANSMIT_ACCEPTED;
}

por_transmit_result por_aggregator_transmit(por_aggregator *agg, por_sim *sim,
                                            por_time_t block_time, uint64_t block,
                                            const por_addr *sender, const por_report *rep,
                                            const por_sig *sigs, uint32_t nsigs)
{
    por_transmit_result r =
        agg->cfg.ocr2
            ? por_ocr2_aggregator_check(&agg->cfg, &agg->digest, agg->latest_er, agg->crypto,
                                        sender, rep, sigs, nsigs,
                                        !(agg->faults & POR_AGG_FAULT_SKIP_SIGNATURE_CHECK))
            : por__check(agg, sender, rep, sigs, nsigs);
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
    /* OCR2Aggregator._report stores observationsTimestamp, returned as startedAt */
    rd->started_at = agg->cfg.ocr2 ? rep->observations_timestamp : block_time;
    rd->updated_at = block_time;
    rd->answered_in_round = rd->round_id;
    rd->epoch = rep->epoch;
    rd->round = rep->round;
    rd->block = block;
    por_round_data copy = *rd; /* hist may move if a listener causes a realloc */
    for (size_t i = 0; i < agg->nlisteners; i++)
        agg->listeners[i].fn(agg->listeners[i].ctx, sim, &copy);
    return r;
}

void por_aggregator_undo_transmit(por_aggregator *agg, por_transmit_result r)
{
    POR_ASSERT((unsigned)r < POR_TRANSMIT_NRESULTS && agg->counts[r] > 0);
    agg->counts[r]--;
    if (r != POR_TRANSMIT_ACCEPTED)
        return;
    POR_ASSERT(agg->nhist > 0);
    agg->nhist--;
    agg->undone++;
    const por_round_data *prev =
        agg->nhist ? &agg->hist[(agg->nhist - 1) % POR_AGGREGATOR_HISTORY] : NULL;
    agg->latest_er = prev ? ((uint64_t)prev->epoch << 32) | prev->round : 0;
}

uint64_t por_aggregator_undone(const por_aggregator *agg) { return agg->undone; }

/* ---- gas of a transmit() call ---------------------------------------------------------
 * Derived from libocr contract/OffchainAggregator.sol (OCR1), function transmit, and
 * OffchainAggregatorBilling.sol reimburseAndRewardOracles, with EIP-2028 calldata prices
 * and EIP-2929/3529 storage prices. Constants are per the fee schedule; the few that are
 * porsim's estimates of compiled code (loop bodies, ABI decoding) are marked so. */
#define POR__G_TX 21000u           /* intrinsic gas of a transaction */
#define POR__G_BYTE_NONZERO 16u    /* EIP-2028 */
#define POR__G_BYTE_ZERO 4u
#define POR__G_COLD_SLOAD 2100u    /* EIP-2929 */
#define POR__G_SSTORE_SET 20000u   /* zero -> non-zero */
#define POR__G_SSTORE_RESET 2900u  /* non-zero -> non-zero, slot already read */
#define POR__G_ECRECOVER 3000u     /* precompile */
#define POR__G_LOG 375u            /* per LOG, per topic; 8 per data byte */
#define POR__G_LOG_BYTE 8u
/* porsim estimates: everything before the stale check (msg.data length check, abi.decode
 * of the report, config digest compare) besides the hotVars read; the per-observation and
 * per-signature loop bodies (memory copies, seen[] checks, keccak of the report) */
#define POR__G_PRECHECK 1900u
#define POR__G_PER_OBS 400u
#define POR__G_PER_SIG_LOOP 400u
#define POR__G_TAIL 5000u          /* memory, abi.encode of the events, function exit */
/* OffchainAggregatorBilling.accountingGasCost: the contract's own figure for the
 * reimbursement bookkeeping after its last gasleft() */
#define POR__G_ACCOUNTING 6035u

static uint64_t por__calldata_word(uint32_t nonzero_bytes)
{
    return (uint64_t)nonzero_bytes * POR__G_BYTE_NONZERO + (32u - nonzero_bytes) * POR__G_BYTE_ZERO;
}

/* Non-zero bytes of V as a 32-byte two's complement word (int192 sign-extended). */
static uint32_t por__nonzero_bytes(por_amount v)
{
    por_uamount u = (por_uamount)v;
    uint32_t n = 0;
    for (int i = 0; i < 16; i++, u >>= 8)
        n += (u & 0xff) != 0;
    return v < 0 ? n + 16 : n; /* the sign extension bytes are 0xff */
}

uint64_t por_transmit_calldata_gas(const por_report *rep, uint32_t nsigs)
{
    uint32_t nobs = rep->nobs <= POR_MAX_ORACLES ? rep->nobs : POR_MAX_ORACLES;
    /* selector; 3 offsets, rawVs (one v byte per signature), 3 lengths (small numbers:
     * one non-zero byte each) */
    uint64_t g = 4 * POR__G_BYTE_NONZERO + 6 * por__calldata_word(1) +
                 por__calldata_word(nsigs < 32 ? nsigs : 32);
    /* the report: rawReportContext (11 zero bytes, digest 16, epoch 4, round 1), the
     * observers word, the observations' offset and length, one word per observation */
    g += por__calldata_word(21);
    uint32_t who = 0;
    for (uint32_t i = 0; i < nobs; i++)
        who += rep->observers[i] != 0;
    g += por__calldata_word(who) + 2 * por__calldata_word(1);
    for (uint32_t i = 0; i < nobs; i++)
        g += por__calldata_word(por__nonzero_bytes(rep->obs[i]));
    /* _rs and _ss: 64 random bytes per signature */
    g += (uint64_t)nsigs * 64u * POR__G_BYTE_NONZERO;
    return g;
}

uint64_t por_transmit_gas(const por_report *rep, uint32_t nsigs, por_transmit_result r)
{
    uint64_t nobs = rep->nobs <= POR_MAX_ORACLES ? rep->nobs : POR_MAX_ORACLES;
    /* up to the stale check: hotVars read, decode, digest, epoch-and-round */
    uint64_t g = POR__G_TX + por_transmit_calldata_gas(rep, nsigs) + POR__G_COLD_SLOAD +
                 POR__G_PRECHECK;
    if (r == POR_TRANSMIT_WRONG_DIGEST || r == POR_TRANSMIT_STALE)
        return g;
    /* counts, vs copy, observers loop, s_oracles[msg.sender] and s_transmitters[index] */
    g += nobs * POR__G_PER_OBS / 2 + 2 * POR__G_COLD_SLOAD;
    if (r == POR_TRANSMIT_NOT_TRANSMITTER || r == POR_TRANSMIT_TOO_FEW_SIGS ||
        r == POR_TRANSMIT_TOO_FEW_OBS)
        return g;
    /* signatures: ecrecover, s_oracles[signer] (cold), the loop (charged in full on a
     * failing signature: an upper bound) */
    g += (uint64_t)nsigs * (POR__G_ECRECOVER + POR__G_COLD_SLOAD + POR__G_PER_SIG_LOOP);
    if (r == POR_TRANSMIT_BAD_SIG || r == POR_TRANSMIT_UNKNOWN_SIGNER ||
        r == POR_TRANSMIT_DUPLICATE_SIGNER)
        return g;
    g += nobs * POR__G_PER_OBS / 2; /* the sorted check */
    if (r != POR_TRANSMIT_ACCEPTED)
        return g;
    /* s_transmissions[new round] (new slot, cold), s_hotVars written back, the validator
     * config read (no validator set) */
    g += POR__G_SSTORE_SET + POR__G_COLD_SLOAD + POR__G_SSTORE_RESET + POR__G_COLD_SLOAD;
    /* NewTransmission (2 topics; data: answer, transmitter, 2 offsets, rawReportContext,
     * the observations array and the observers bytes), NewRound and AnswerUpdated (3
     * topics, one data word each) */
    g += 3 * POR__G_LOG + POR__G_LOG_BYTE * (256 + 32 * nobs);
    g += 2 * (4 * POR__G_LOG + POR__G_LOG_BYTE * 32);
    /* billing: s_billing read; the observation counts (uint16[31], two slots) and the
     * transmitter's reimbursement, read and written; the accounting tail */
    g += POR__G_COLD_SLOAD + 3 * (POR__G_COLD_SLOAD + POR__G_SSTORE_RESET) + POR__G_ACCOUNTING;
    return g + POR__G_TAIL;
}

void por_aggregator_set_fault(por_aggregator *agg, unsigned faults) { agg->faults = faults; }

/* ---- requestNewRound ---------------------------------------------------------------- */

void por_aggregator_set_requesters(por_aggregator *agg, const por_addr *owner,
                                   const por_addr *requesters, size_t n)
{
    agg->owner = *owner;
    free(agg->requesters);
    agg->requesters = n ? por_xcalloc(n, sizeof *requesters) : NULL;
    if (n)
        memcpy(agg->requesters, requesters, n * sizeof *requesters);
    agg->nrequesters = n;
}

bool por_aggregator_is_owner(const por_aggregator *agg, const por_addr *sender)
{
    return por_addr_eq(sender, &agg->owner);
}

bool por_aggregator_may_request(const por_aggregator *agg, const por_addr *sender)
{
    if (por_addr_eq(sender, &agg->owner))
        return true; /* msg.sender == owner */
    for (size_t i = 0; i < agg->nrequesters; i++)
        if (por_addr_eq(sender, &agg->requesters[i]))
            return true; /* s_requesterAccessController.hasAccess(msg.sender, msg.data) */
    return false;
}

bool por_aggregator_request_new_round(por_aggregator *agg, por_time_t block_time,
                                      const por_addr *sender, uint64_t *next_round_id)
{
    /* OffchainAggregator.sol requestNewRound(): require(msg.sender == owner ||
     * s_requesterAccessController.hasAccess(msg.sender, msg.data), "Only owner&requester
     * can call"); emit RoundRequested(msg.sender, latestConfigDigest, epoch and round of
     * latestEpochAndRound); return latestAggregatorRoundId + 1 */
    if (!por_aggregator_may_request(agg, sender)) {
        agg->requests_reverted++;
        return false;
    }
    por_round_request *ev = &agg->last_request;
    ev->emitted = true;
    ev->requester = *sender;
    ev->config_digest = agg->digest;
    ev->epoch = (uint32_t)(agg->latest_er >> 32);
    ev->round = (uint32_t)agg->latest_er;
    ev->block_time = block_time;
    agg->requests_emitted++;
    if (next_round_id)
        *next_round_id = agg->nhist + 1;
    return true;
}

bool por_aggregator_latest_round_requested(const por_aggregator *agg, por_round_request *out)
{
    *out = agg->last_request;
    return out->emitted;
}

const por_round_request *por_aggregator_last_request(const por_aggregator *agg)
{
    return &agg->last_request;
}

void por_aggregator_request_counts(const por_aggregator *agg, uint64_t *emitted, uint64_t *reverted)
{
    *emitted = agg->requests_emitted;
    *reverted = agg->requests_reverted;
}
