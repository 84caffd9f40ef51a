/* OCR transmission: once a node completes a round with a report, the oracles are ordered
 * by a pseudo-random permutation keyed by the report hash (the same at every node); the
 * node at position p belongs to the stage i where S[0] + ... + S[i-1] <= p < ... + S[i],
 * waits i * ΔStage, reads the aggregator's latest (epoch, round) at its read depth and,
 * unless an equal or newer report is already on chain, hands a transmit() transaction to
 * its key's transaction manager (por/txm.h: estimated bid, nonce, bumps up to the price
 * cap, a queue of depth 1 behind the one in flight). The transaction calls the
 * aggregator's transmit as its block is mined and pays the gas of the formula in
 * aggregator.c (a stale report reverts early and pays less); the aggregator forgets the
 * call if a reorg removes the block.
 *
 * Each report waits on its own timer (as in libocr), up to OCR_MAX_PENDING per node (the
 * oldest is evicted beyond that); a node never sends a report older than or equal to one
 * it already sent. The re-check reads the contract through the node's RPC endpoint; when
 * that read fails (the chain's rpc_failure_rate / rpc_outages) the report is dropped, as
 * libocr's transmission does when contractState() errs.
 *
 * porsim simplification: libocr's shouldTransmit also holds back a report handed to
 * transmission while the node's own newer-than-chain report is still pending, unless
 * its median deviates from that pending one by alpha; and it re-checks the contract when
 * the report arrives, not only at its stage time. Neither is modelled. Each transaction carries the honest range of its round (simulator
 * bookkeeping, not on the wire) so the accepted report can be audited when mined. */
#include "ocr_internal.h"

#include "por/chain.h"
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
        ocr_trace_tx_result(t->don, t->base.sender, &t->report, r, t->base.submitted);
    if (r == POR_TRANSMIT_ACCEPTED && !t->audited) {
        t->audited = true;
        ocr_audit_accepted(t->don, &t->report, t->sigs, t->nsigs, t->range_known, t->lo, t->hi);
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

uint32_t ocr_transmit_position(const ocr_don *d, const por_digest *h, uint32_t node)
{
    /* Fisher-Yates driven by splitmix64 seeded from the report hash */
    uint32_t perm[POR_MAX_ORACLES];
    for (uint32_t i = 0; i < d->n; i++)
        perm[i] = i;
    uint64_t s = 0;
    for (int i = 0; i < 8; i++)
        s = (s << 8) | h->b[i];
    for (uint32_t i = d->n - 1; i > 0; i--) {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = por_mix64(s);
        uint32_t j = (uint32_t)(z % (i + 1));
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (uint32_t p = 0; p < d->n; p++)
        if (perm[p] == node)
            return p;
    return d->n;
}

static uint64_t ocr__er(const por_report *r) { return ((uint64_t)r->epoch << 32) | r->round; }

static void ocr__release(ocr_node *nd, int k)
{
    ocr_cancel(nd, &nd->t_transmit[k]);
    if (nd->pending[k]) {
        por_msg_unref(&nd->pending[k]->hdr);
        nd->pending[k] = NULL;
    }
}

void ocr_transmission_abort(ocr_node *nd)
{
    for (int k = 0; k < OCR_MAX_PENDING; k++)
        ocr__release(nd, k);
}

void ocr_transmission_start(ocr_node *nd, ocr_big *fin)
{
    ocr_don *d = nd->don;
    uint32_t pos = ocr_transmit_position(d, ocr_big_hash(fin), nd->idx);
    if (pos >= d->schedule_total)
        return; /* not in the schedule for this report */
    uint32_t stage = 0, acc = 0;
    while (stage < d->nsched && pos >= acc + d->sched[stage]) {
        acc += d->sched[stage];
        stage++;
    }
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
    nd->t_transmit[slot] = ocr_timer(nd, (por_time_t)stage * d->oc->delta_stage,
                                     OCR_EV_TRANSMIT, (uint64_t)slot);
}

void ocr_transmission_on_timer(ocr_node *nd, uint64_t slot)
{
    if (slot >= OCR_MAX_PENDING)
        return;
    nd->t_transmit[slot] = 0;
    ocr_big *fin = nd->pending[slot];
    if (!fin)
        return;
    nd->pending[slot] = NULL;
    ocr_don *d = nd->don;
    por_round_data rd;
    if (!ocr_read_contract(nd, &rd)) {
        /* libocr (transmission.go, eventTTransmitTimeout): when contractState() fails the
         * pending transmission is logged and dropped, not sent blind */
        d->stats.rpc_failures_transmit++;
        d->stats.transmissions_skipped++;
        if (d->trace)
            ocr_trace_tx(nd, &fin->report, POR_TK_TX_SKIPPED, POR_SKIP_UNREADABLE);
        por_msg_unref(&fin->hdr);
        return;
    }
    uint64_t on_chain = ((uint64_t)rd.epoch << 32) | rd.round;
    uint64_t mine = ocr__er(&fin->report);
    /* skip when an equal or newer report is on chain, or this node already sent one
     * (its transaction may still be waiting for a block) */
    if ((rd.round_id != 0 && on_chain >= mine) || nd->last_sent_er >= mine) {
        d->stats.transmissions_skipped++;
        if (d->trace)
            ocr_trace_tx(nd, &fin->report, POR_TK_TX_SKIPPED,
                         rd.round_id != 0 && on_chain >= mine ? POR_SKIP_ON_CHAIN
                                                             : POR_SKIP_ALREADY_SENT);
        por_msg_unref(&fin->hdr);
        return;
    }
    nd->last_sent_er = mine;
    ocr_transmission_send(nd, fin);
    por_msg_unref(&fin->hdr);
}

void ocr_transmission_send(ocr_node *nd, const ocr_big *fin)
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
    t->range_known = ocr_honest_range(d, fin->report.epoch, fin->report.round, &t->lo, &t->hi);
    d->stats.transmissions_sent++;
    if (d->trace)
        ocr_trace_tx(nd, &t->report, POR_TK_TX_SENT, 0);
    por_txm_send(nd->txm, d->sim, &t->base);
}
