/* OCR2 transmission (feed.protocol "ocr2"): libocr offchainreporting2plus/internal/ocr2/
 * protocol/transmission.go with the median plugin's ShouldAcceptFinalizedReport and
 * ShouldTransmitAcceptedReport (offchainreporting2/reportingplugin/median/median.go).
 *
 * eventTransmit (a finalized report arrives): ShouldAcceptFinalizedReport refuses a
 * report not newer than the node's latest accepted one, or not newer than the contract's
 * latest (epoch, round); otherwise it accepts it if its median deviates by AlphaAcceptPPB
 * from the latest accepted median, or if nothing is pending (the contract has caught up
 * with the latest accepted report), and then remembers it as the latest accepted. An
 * accepted report waits its stage: the oracles are ordered by a permutation keyed by
 * keccak(transmissionOrderKey, configDigest, epoch, round) (transmitDelays) and stage i
 * waits i * ΔStage.
 * eventTTransmitTimeout: ShouldTransmitAcceptedReport re-reads the contract and sends
 * only if the report is still newer than the contract's latest (epoch, round).
 * A failed contract read is an error in either function: the report is dropped.
 *
 * Pending reports use the node's OCR1 slots (ocr_node.pending, one timer each). The
 * transaction is built by ocr2__submit, the one place that talks to the chain. */
#include "ocr_internal.h"

#include "por/chain.h"
#include "por/error.h"
#include "por/rng.h"

#include <stdlib.h>
#include <string.h>

static uint64_t ocr2__er_of(const por_report *r) { return ((uint64_t)r->epoch << 32) | r->round; }

uint32_t por_ocr2_transmit_stage(const ocr_don *d, uint32_t epoch, uint32_t round, uint32_t node)
{
    /* key = keccak(transmissionOrderKey || configDigest || epoch, round as 8-byte
     * little-endian), as transmitDelays; porsim draws the permutation from the key with
     * a splitmix64-driven Fisher-Yates instead of libocr's AES-based one */
    uint8_t buf[32 + 32 + 8 + 8];
    memcpy(buf, d->transmission_order_key.b, 32);
    memcpy(buf + 32, d->config_digest.b, 32);
    for (int i = 0; i < 8; i++) {
        buf[64 + i] = (uint8_t)((uint64_t)epoch >> (8 * i));
        buf[72 + i] = (uint8_t)((uint64_t)round >> (8 * i));
    }
    por_digest key;
    por_keccak256(buf, sizeof buf, &key);
    uint32_t perm[POR_MAX_ORACLES];
    for (uint32_t i = 0; i < d->n; i++)
        perm[i] = i;
    uint64_t s = 0;
    for (int i = 0; i < 8; i++)
        s = (s << 8) | key.b[i];
    for (uint32_t i = d->n - 1; i > 0; i--) {
        s += 0x9E3779B97F4A7C15ull;
        uint32_t j = (uint32_t)(por_mix64(s) % (i + 1));
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint32_t pos = 0;
    while (pos < d->n && perm[pos] != node)
        pos++;
    if (pos >= d->schedule_total)
        return UINT32_MAX;
    uint32_t stage = 0, acc = 0;
    while (stage < d->nsched && pos >= acc + d->sched[stage]) {
        acc += d->sched[stage];
        stage++;
    }
    return stage;
}

/* ShouldAcceptFinalizedReport (median.go): 1 accept, 0 refuse, -1 error; *WHY the skip
 * reason for the trace. Updates the node's latest accepted report on acceptance. */
static int ocr2__should_accept(ocr_node *nd, const por_report *rep, por_trace_skip_why *why)
{
    ocr_don *d = nd->don;
    uint64_t er = ocr2__er_of(rep);
    if (nd->o2_accepted_er >= er) {
        *why = POR_SKIP_NOT_NEWER_THAN_ACCEPTED;
        return 0;
    }
    por_round_data rd;
    if (!por_ocr_read_contract(nd, &rd)) {
        d->stats.rpc_failures_transmit++;
        *why = POR_SKIP_UNREADABLE;
        return -1;
    }
    uint64_t contract = rd.round_id ? ((uint64_t)rd.epoch << 32) | rd.round : 0;
    if (contract >= er) {
        *why = POR_SKIP_ON_CHAIN;
        return 0;
    }
    por_amount median = rep->obs[rep->nobs / 2];
    bool deviates = por_ocr2_deviates(d->oc->alpha_accept_ppb, nd->o2_accepted_median, median);
    bool nothing_pending = contract >= nd->o2_accepted_er;
    if (!deviates && !nothing_pending) {
        *why = POR_SKIP_PENDING_WITHIN_ALPHA;
        return 0;
    }
    nd->o2_accepted_er = er;
    nd->o2_accepted_median = median;
    return 1;
}

void por_ocr2_transmission_start(ocr_node *nd, ocr_big *fin)
{
    ocr_don *d = nd->don;
    por_trace_skip_why why;
    if (ocr2__should_accept(nd, &fin->report, &why) != 1) {
        d->stats.transmissions_skipped++;
        if (d->trace)
            por_ocr_trace_tx_skipped(nd, &fin->report, why);
        return;
    }
    uint32_t stage = por_ocr2_transmit_stage(d, fin->report.epoch, fin->report.round, nd->idx);
    if (stage == UINT32_MAX)
        return; /* not in the schedule for this report */
    int slot = -1, oldest = 0;
    for (int k = 0; k < OCR_MAX_PENDING; k++) {
        if (!nd->pending[k]) {
            slot = k;
            break;
        }
        if (ocr2__er_of(&nd->pending[k]->report) < ocr2__er_of(&nd->pending[oldest]->report))
            oldest = k;
    }
    if (slot < 0) {
        por_ocr_cancel(nd, &nd->t_transmit[oldest]);
        por_msg_unref(&nd->pending[oldest]->hdr);
        nd->pending[oldest] = NULL;
        slot = oldest;
    }
    nd->pending[slot] = (ocr_big *)por_msg_ref(&fin->hdr);
    nd->t_transmit[slot] = por_ocr_timer(nd, (por_time_t)stage * d->oc->delta_stage,
                                     OCR_EV_TRANSMIT, (uint64_t)slot);
}

/* ---------------------------------------------------------------- the transaction */

/* Sends FIN as node ND's transaction: the same transmit() transaction and transaction
 * manager as OCR1 (por_ocr_transmission_send); the aggregator runs OCR2Aggregator's checks
 * for an OCR2 feed, and the gas follows the OCR1 formula with OCR2's f+1 signatures
 * (porsim's approximation of OCR2Aggregator.transmit's cost). */
static void ocr2__submit(ocr_node *nd, const ocr_big *fin) { por_ocr_transmission_send(nd, fin); }

void por_ocr2_transmission_on_timer(ocr_node *nd, uint64_t slot)
{
    if (slot >= OCR_MAX_PENDING)
        return;
    nd->t_transmit[slot] = 0;
    ocr_big *fin = nd->pending[slot];
    if (!fin)
        return;
    nd->pending[slot] = NULL;
    ocr_don *d = nd->don;
    /* ShouldTransmitAcceptedReport: the report must still be newer than the contract's */
    por_round_data rd;
    int why = -1;
    if (!por_ocr_read_contract(nd, &rd)) {
        d->stats.rpc_failures_transmit++;
        why = POR_SKIP_UNREADABLE;
    } else if (rd.round_id != 0 &&
               (((uint64_t)rd.epoch << 32) | rd.round) >= ocr2__er_of(&fin->report)) {
        why = POR_SKIP_ON_CHAIN;
    }
    if (why >= 0) {
        d->stats.transmissions_skipped++;
        if (d->trace)
            por_ocr_trace_tx_skipped(nd, &fin->report, (por_trace_skip_why)why);
    } else {
        ocr2__submit(nd, fin);
    }
    por_msg_unref(&fin->hdr);
}
