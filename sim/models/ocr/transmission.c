/* OCR transmission (libocr offchainreporting/internal/protocol/transmission.go).
 *
 * When a node completes a round with a report (the FINAL-ECHO quorum, follower.go
 * messageFinalEcho), it runs libocr's eventTransmit: it reads the aggregator's latest
 * (epoch, round) through its RPC endpoint (a failed read drops the report, as libocr does
 * when contractState() errs) and asks shouldTransmit (por_ocr_should_transmit): a report
 * the contract already has or that is not newer than the node's latest accepted one is
 * dropped, and a newer one is HELD BACK while the node's own newer-than-chain report is
 * still pending, unless its median deviates from that one's by alpha. An accepted report's
 * (epoch, round) and median are recorded at once, before any stage wait and whether or
 * not the node transmits this report. Then transmitDelay: the oracles are ordered by a
 * permutation keyed by (transmissionOrderKey, configDigest, epoch, round), the same at
 * every node (por_ocr_transmit_stage); the node in stage i waits i * ΔStage; a node in no
 * stage stops here. At its stage time (eventTTransmitTimeout) it re-reads the contract
 * and sends unless an equal or newer report is on chain.
 *
 * Sending hands a transmit() transaction to the node key's transaction manager
 * (por/txm.h: estimated bid, nonce, bumps up to the price cap, a queue of depth 1 behind
 * the one in flight). The transaction calls the aggregator's transmit as its block is
 * mined and pays the gas of the formula in aggregator.c (a stale report reverts early and
 * pays less); the aggregator forgets the call if a reorg removes the block.
 *
 * porsim simplifications: every configuration is the contract's, so libocr's
 * configDigest comparisons always pass; a node keeps at most OCR_MAX_PENDING reports
 * waiting for their stage (libocr's heap is unbounded), evicting the oldest beyond that.
 * Each transaction carries the honest range of its round (simulator bookkeeping, not on
 * the wire) so the accepted report can be audited when mined. */
#include "ocr_internal.h"

#include "por/chain.h"
#include "por/ocr_rules.h"
#include "por/error.h"
#include "por/rng.h"

#include <stdlib.h>
#include <string.h>

/* A transmit() transaction: carries its own copy of the report and signatures, so it
 * does not depend on the DON's message pools (the chain may outlive the DON). */
typedef struct {
    por_tx base;
    por_aggregator *agg;
    ocr_don *don;
    por_addr sender;
    por_report report;
    uint32_t nsigs;
    por_sig sigs[POR_MAX_ORACLES];
    bool range_known;        /* honest range of the report's round, for the audit */
    por_amount lo, hi;
    por_transmit_result result; /* of the latest execution, for undo */
    bool out_of_gas;            /* ... or it ran out of gas before transmit() ended */
    bool audited;               /* accepted once: a re-inclusion after a reorg is the same
                                   report, audited (and counted) once */
} ocr_tx;

/* Whether transmit() ending with R reverts the transaction (everything but acceptance). */
static bool ocr__reverted(por_transmit_result r) { return r != POR_TRANSMIT_ACCEPTED; }

static void ocr__account(ocr_tx *t, int sign)
{
    por_don_stats *st = &t->don->stats;
    por_amount fee = (por_amount)t->base.gas_used * (por_amount)t->base.price_paid_wei;
    st->transmit_fees_wei += sign * fee;
    if (t->out_of_gas || ocr__reverted(t->result)) {
        st->transmissions_reverted += (uint64_t)(int64_t)sign;
        st->reverted_gas += (uint64_t)((int64_t)sign * (int64_t)t->base.gas_used);
    }
}

static void ocr__tx_execute(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block)
{
    ocr_tx *t = (ocr_tx *)tx;
    /* a call that would need more gas than the transaction's limit runs out of gas and
     * reverts, paying the whole limit (porsim charges this before running the checks) */
    uint64_t need = por_transmit_gas(&t->report, t->nsigs, POR_TRANSMIT_ACCEPTED);
    t->out_of_gas = need > tx->gas;
    if (t->out_of_gas) {
        tx->gas_used = tx->gas;
        ocr__account(t, 1);
        return;
    }
    por_transmit_result r = por_aggregator_transmit(t->agg, sim, block_time, block, &t->sender,
                                                    &t->report, t->sigs, t->nsigs);
    t->result = r;
    tx->gas_used = por_transmit_gas(&t->report, t->nsigs, r);
    ocr__account(t, 1);
    if (t->don->trace)
        por_ocr_trace_tx_result(t->don, t->base.sender, &t->report, r, t->base.submitted);
    if (r == POR_TRANSMIT_ACCEPTED && !t->audited) {
        t->audited = true;
        por_ocr_audit_accepted(t->don, &t->report, t->sigs, t->nsigs, t->range_known, t->lo, t->hi);
    }
}

/* A reorg removed the block: the contract forgets this call (see por_chain.h undo). */
static void ocr__tx_undo(por_tx *tx, por_sim *sim)
{
    (void)sim;
    ocr_tx *t = (ocr_tx *)tx;
    ocr__account(t, -1);
    if (!t->out_of_gas)
        por_aggregator_undo_transmit(t->agg, t->result);
}

/* The node's transaction manager replaced this transmission in its queue by a newer one
 * (the OCR transmit queue has depth 1): it never reaches the chain. */
static void ocr__tx_dropped(por_tx *tx, por_sim *sim)
{
    (void)sim;
    ocr_tx *t = (ocr_tx *)tx;
    t->don->stats.transmissions_sent--;
    t->don->stats.transmissions_skipped++;
    t->don->stats.transmissions_replaced++;
}

static void ocr__tx_destroy(por_tx *tx) { free(tx); }

static uint64_t ocr__er(const por_report *r) { return por_ocr_epoch_round(r->epoch, r->round); }

static void ocr__release(ocr_node *nd, int k)
{
    por_ocr_cancel(nd, &nd->t_transmit[k]);
    if (nd->pending[k]) {
        por_msg_unref(&nd->pending[k]->hdr);
        nd->pending[k] = NULL;
    }
}

/* The node crashes: its pending reports are lost (libocr persists them in its database;
 * porsim has no crash persistence) and so is shouldTransmit's memory, which libocr keeps
 * in memory only (transmissionState.latestEpochRound starts empty on restart). */
void por_ocr_transmission_abort(ocr_node *nd)
{
    for (int k = 0; k < OCR_MAX_PENDING; k++)
        ocr__release(nd, k);
    memset(&nd->tx_memory, 0, sizeof nd->tx_memory);
}

/* Reads the contract's latest (epoch, round) for the transmission protocol into *ER;
 * false (counted and traced, the report dropped) when the read fails: libocr's
 * transmission.go logs contractState() errors and discards the report, both in
 * eventTransmit and in eventTTransmitTimeout. */
static bool ocr__contract_er(ocr_node *nd, const por_report *rep, uint64_t *er)
{
    ocr_don *d = nd->don;
    por_round_data rd;
    if (!por_ocr_read_contract(nd, &rd)) {
        d->stats.rpc_failures_transmit++;
        d->stats.transmissions_skipped++;
        if (d->trace)
            por_ocr_trace_tx_skipped(nd, rep, POR_SKIP_UNREADABLE);
        return false;
    }
    /* before the first report the contract's latestEpochAndRound is (0, 0) */
    *er = rd.round_id != 0 ? por_ocr_epoch_round(rd.epoch, rd.round) : 0;
    return true;
}

/* libocr transmission.go, eventTransmit: the report of a completed round arrives. */
void por_ocr_transmission_start(ocr_node *nd, ocr_big *fin)
{
    ocr_don *d = nd->don;
    const por_report *rep = &fin->report;
    uint64_t on_chain;
    if (!ocr__contract_er(nd, rep, &on_chain))
        return;
    por_amount median = rep->obs[rep->nobs / 2];
    por_ocr_transmit_verdict v = por_ocr_should_transmit(
        &nd->tx_memory, on_chain, ocr__er(rep), median, d->oc->alpha_ppb);
    if (v != POR_OCR_TRANSMIT_YES) {
        d->stats.transmissions_skipped++;
        if (v == POR_OCR_TRANSMIT_HELD_BACK)
            d->stats.transmissions_held_back++;
        if (d->trace)
            por_ocr_trace_tx_skipped(nd, rep,
                                     v == POR_OCR_TRANSMIT_STALE       ? POR_SKIP_ON_CHAIN
                                     : v == POR_OCR_TRANSMIT_NOT_NEWER ? POR_SKIP_NOT_NEWER
                                                                       : POR_SKIP_HELD_BACK);
        return;
    }
    /* recorded before the stage wait, also by nodes in no stage of this report */
    nd->tx_memory.latest_er = ocr__er(rep);
    nd->tx_memory.latest_median = median;
    uint32_t stage = por_ocr_transmit_stage(d->order_key, &d->config_digest, rep->epoch,
                                            rep->round, d->n, nd->idx, d->sched, d->nsched);
    if (stage >= d->nsched)
        return; /* not in the schedule for this report (transmitDelay returns nil) */
    /* a free slot, else evict the oldest report (it is the likeliest to be stale) */
    int slot = -1, oldest = 0;
    for (int k = 0; k < OCR_MAX_PENDING; k++) {
        if (!nd->pending[k]) {
            slot = k;
            break;
        }
        if (ocr__er(&nd->pending[k]->report) < ocr__er(&nd->pending[oldest]->report))
            oldest = k;
    }
    if (slot < 0) {
        ocr__release(nd, oldest);
        slot = oldest;
    }
    nd->pending[slot] = (ocr_big *)por_msg_ref(&fin->hdr);
    nd->t_transmit[slot] = por_ocr_timer(nd, (por_time_t)stage * d->oc->delta_stage,
                                     OCR_EV_TRANSMIT, (uint64_t)slot);
}

/* libocr transmission.go, eventTTransmitTimeout: the report's stage time has come. */
void por_ocr_transmission_on_timer(ocr_node *nd, uint64_t slot)
{
    if (slot >= OCR_MAX_PENDING)
        return;
    nd->t_transmit[slot] = 0;
    ocr_big *fin = nd->pending[slot];
    if (!fin)
        return;
    nd->pending[slot] = NULL;
    ocr_don *d = nd->don;
    uint64_t on_chain, mine = ocr__er(&fin->report);
    if (!ocr__contract_er(nd, &fin->report, &on_chain)) {
        por_msg_unref(&fin->hdr);
        return;
    }
    if (on_chain >= mine) { /* "Skipping transmission because report is stale" */
        d->stats.transmissions_skipped++;
        if (d->trace)
            por_ocr_trace_tx_skipped(nd, &fin->report, POR_SKIP_ON_CHAIN);
        por_msg_unref(&fin->hdr);
        return;
    }
    por_ocr_transmission_send(nd, fin);
    por_msg_unref(&fin->hdr);
}

void por_ocr_transmission_send(ocr_node *nd, const ocr_big *fin)
{
    ocr_don *d = nd->don;
    ocr_tx *t = por_xcalloc(1, sizeof *t);
    t->base.gas = d->transmit_gas;
    t->base.execute = ocr__tx_execute;
    t->base.undo = ocr__tx_undo;
    t->base.dropped = ocr__tx_dropped;
    t->base.destroy = ocr__tx_destroy;
    t->agg = d->agg;
    t->don = d;
    t->sender = d->tkeys[nd->idx].addr;
    t->report = fin->report;
    t->nsigs = fin->nsigs;
    memcpy(t->sigs, fin->sigs, fin->nsigs * sizeof t->sigs[0]);
    if (d->test_faults & POR_DON_FAULT_TRANSMIT_TAMPERED) /* testing aid (por/don.h) */
        for (uint32_t i = 0; i < t->report.nobs; i++) {
            por_amount v = t->report.obs[i];
            if (!por_amount_mul(v, 2, &t->report.obs[i]))
                t->report.obs[i] = v < 0 ? POR_AMOUNT_MIN : POR_AMOUNT_MAX;
        }
    t->range_known = por_ocr_honest_range(d, fin->report.epoch, fin->report.round, &t->lo, &t->hi);
    d->stats.transmissions_sent++;
    if (d->trace)
        por_ocr_trace_tx_sent(nd, &t->report);
    por_txm_send(nd->txm, d->sim, &t->base);
}
