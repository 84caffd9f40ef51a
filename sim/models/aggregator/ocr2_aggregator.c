/* OCR2Aggregator.transmit's checks (libocr contract2/OCR2Aggregator.sol, functions
 * transmit and _report), as a pure function the aggregator (aggregator.c) calls when its
 * configuration is an OCR2 one. Everything else (round storage, listeners, counters) is
 * shared with the OCR1 OffchainAggregator; what differs in storage is startedAt, which
 * OCR2 sets to the report's observationsTimestamp (see por_aggregator_transmit). */
#include "por/aggregator.h"

#include <string.h>

static int32_t por__ocr2_index_of(const por_addr *list, uint32_t n, const por_addr *a)
{
    for (uint32_t i = 0; i < n; i++)
        if (por_addr_eq(&list[i], a))
            return (int32_t)i;
    return -1;
}

por_transmit_result por_ocr2_aggregator_check(const por_aggregator_config *c,
                                              const por_digest *digest, uint64_t latest_er,
                                              por_crypto *crypto, const por_addr *sender,
                                              const por_report *rep, const por_sig *sigs,
                                              uint32_t nsigs, bool check_sigs)
{
    /* require(hotVars.latestEpochAndRound < epochAndRound, "stale report") */
    uint64_t er = ((uint64_t)rep->epoch << 32) | rep->round;
    if (er <= latest_er)
        return POR_TRANSMIT_STALE;
    /* require(s_transmitters[msg.sender].active, "unauthorized transmitter") */
    if (por__ocr2_index_of(c->transmitters, c->n, sender) < 0)
        return POR_TRANSMIT_NOT_TRANSMITTER;
    /* require(s_latestConfigDigest == reportContext[0], "configDigest mismatch") */
    if (memcmp(rep->config_digest.b, digest->b, 32) != 0 || !rep->ocr2)
        return POR_TRANSMIT_WRONG_DIGEST;
    if (check_sigs) {
        /* require(rs.length == hotVars.f + 1, "wrong number of signatures") */
        if (nsigs != c->f + 1)
            return POR_TRANSMIT_WRONG_SIG_COUNT;
        por_digest h;
        por_report_hash(rep, &h);
        uint32_t seen = 0;
        bool twice = false;
        for (uint32_t i = 0; i < nsigs; i++) {
            /* require(signer.active, "signature error") for each ecrecover */
            por_addr who;
            if (!por_crypto_recover(crypto, &h, &sigs[i], &who))
                return POR_TRANSMIT_BAD_SIG;
            int32_t k = por__ocr2_index_of(c->signers, c->n, &who);
            if (k < 0)
                return POR_TRANSMIT_UNKNOWN_SIGNER;
            twice |= (seen & (1u << k)) != 0;
            seen |= 1u << k;
        }
        /* the signedCount mask is checked after the loop: "duplicate signer" */
        if (twice)
            return POR_TRANSMIT_DUPLICATE_SIGNER;
    }
    /* _report: "num observations out of bounds", "too few values to trust median" */
    if (rep->nobs > POR_MAX_ORACLES || rep->nobs <= c->f)
        return POR_TRANSMIT_TOO_FEW_OBS;
    /* require(minAnswer <= median && median <= maxAnswer, "median is out of min-max range") */
    por_amount median = rep->obs[rep->nobs / 2];
    if (median < c->min_answer || median > c->max_answer)
        return POR_TRANSMIT_OUT_OF_BOUNDS;
    return POR_TRANSMIT_ACCEPTED;
}
