/* OCR report generation: one instance per (node, epoch).
 *
 * Leader: every ΔRound sends OBSERVE-REQ(e, r); after 2f+1 valid signed observations
 * waits ΔGrace, then sends REPORT-REQ with the observations sorted by value; with f+1
 * valid report signatures sends FINAL. After rMax rounds it sends OBSERVE-REQ(e, rMax+1),
 * on which every node (leader included) raises change-leader (the OCR paper's follower
 * rule), so the epoch ends without waiting for ΔProgress.
 * Follower: observes through the por_observer (the observation leaves after the read's
 * latency), signs it and replies OBSERVE; on REPORT-REQ checks it (signatures valid,
 * observers distinct, more than 2f, sorted), decides should-report (no answer on chain
 * yet, deviation >= alpha against the contract's latest answer, or the latest answer
 * older than ΔC on the node's own clock), and either signals progress (no report needed)
 * or signs the report and replies REPORT. Declining completes the round (libocr
 * report_generation_follower.go, completeRound). FINAL and FINAL-ECHO follow OCR1 and are
 * taken only for the follower's current round: a node echoes the first valid FINAL (or
 * FINAL-ECHO) of the round once, and with valid echoes from more than f nodes, unless the
 * round is already complete, hands the report it echoed to transmission and completes
 * the round (messageFinal, messageFinalEcho).
 *
 * Equivocation (BYZANTINE equivocate): as a follower the node signs a low (x0.5) and a
 * high (x1.5) version of its observation and sends the low one to even-numbered nodes,
 * the high one to odd-numbered ones (only the leader uses it). As a leader with more
 * than 2f + 1 observations it builds two REPORT-REQs, one from the lowest 2f + 1 and one
 * from the highest 2f + 1 observations, sends each to half of the nodes, collects report
 * signatures for both, and sends each variant's FINAL only to the nodes that got that
 * variant. Both variants are valid reports, so honest nodes may complete the round with
 * either; the contract accepts at most one report per (epoch, round).
 *
 * Reading the contract goes through the node's RPC endpoint (por_ocr_read_contract), which
 * fails per the feed chain's rpc_failure_rate and rpc_outages; a node that cannot read
 * the latest answer reports ("contract unreadable"), as libocr's shouldReport does.
 *
 * "A transmission is pending" is not a reason to report: libocr's OCR1 shouldReport
 * (report_generation_follower.go) reports on the first round of a configuration,
 * deviation >= alpha, the ΔC heartbeat, an unfulfilled requestNewRound (the latest
 * RoundRequested event not older than the latest transmission: por_ocr_unfulfilled_request,
 * checked last as libocr does), or an unreadable contract; nothing else. Pending
 * transmissions matter only in libocr's transmission protocol (shouldTransmit), where a
 * node's own pending report makes it hold back a newer one that does not deviate from it
 * by alpha (see transmission.c).
 *
 * porsim simplification: a follower accepts a REPORT-REQ for a round at or above the
 * latest OBSERVE-REQ it saw (libocr: only the current round), moving to that round first
 * (so one lost OBSERVE-REQ does not also cost its signature). */
#include "ocr_internal.h"

#include "por/error.h"
#include "por/rng.h"

#include <string.h>

/* ---------------------------------------------------------------- life cycle */

static void ocr__drop_eq(ocr_node *nd)
{
    if (nd->eq_req) {
        por_msg_unref(&nd->eq_req->hdr);
        nd->eq_req = NULL;
    }
    nd->eq_to = nd->eq_rep_mask = nd->eq_finals = 0;
}

static void ocr__drop_echo(ocr_node *nd)
{
    if (nd->sent_echo) {
        por_msg_unref(&nd->sent_echo->hdr);
        nd->sent_echo = NULL;
    }
}

/* libocr messageObserveReq: "Re-initialize follower state, in preparation for the next
 * round" (sentEcho, sentReport, completedRound, receivedEcho). */
static void ocr__follower_new_round(ocr_node *nd, uint32_t round)
{
    nd->rf = round;
    por_ocr_cancel(nd, &nd->t_observe);
    nd->observing = false;
    ocr__drop_echo(nd);
    nd->sent_report = false;
    nd->completed = false;
    nd->echo_mask = 0;
}

/* libocr completeRound: the round is complete for this follower; progress. */
static void ocr__complete_round(ocr_node *nd)
{
    nd->completed = true;
    por_ocr_pacemaker_progress(nd);
}

void por_ocr_repgen_abort(ocr_node *nd)
{
    por_ocr_cancel(nd, &nd->t_round);
    por_ocr_cancel(nd, &nd->t_grace);
    por_ocr_cancel(nd, &nd->t_observe);
    if (nd->req) {
        por_msg_unref(&nd->req->hdr);
        nd->req = NULL;
    }
    ocr__drop_eq(nd);
    ocr__drop_echo(nd);
    nd->observing = false;
    nd->phase = OCR_PHASE_IDLE;
}

static void ocr__start_round(ocr_node *nd)
{
    ocr_don *d = nd->don;
    nd->r++;
    nd->obs_mask = 0;
    nd->rep_mask = 0;
    por_ocr_cancel(nd, &nd->t_grace);
    if (nd->req) {
        por_msg_unref(&nd->req->hdr);
        nd->req = NULL;
    }
    ocr__drop_eq(nd);
    if (d->trace)
        por_ocr_trace_round(nd);
    ocr_small *m = por_ocr_small_new(d, OCR_OBSERVE_REQ, nd->e, nd->r);
    por_ocr_broadcast(nd, &m->hdr);
    por_msg_unref(&m->hdr);
    if (nd->r > d->oc->r_max) {
        nd->phase = OCR_PHASE_IDLE; /* the signal to change leader; no more rounds */
        return;
    }
    d->stats.rounds_started++;
    nd->phase = OCR_PHASE_OBSERVE;
    nd->t_round = por_ocr_timer(nd, d->oc->delta_round, OCR_EV_ROUND, nd->e);
}

void por_ocr_repgen_start_epoch(ocr_node *nd)
{
    if (nd->don->protocol == POR_PROTOCOL_OCR2) {
        por_ocr2_repgen_start_epoch(nd);
        return;
    }
    ocr__follower_new_round(nd, 0);
    nd->r = 0;
    nd->phase = OCR_PHASE_IDLE;
    if (nd->leader == nd->idx)
        ocr__start_round(nd);
}

void por_ocr_repgen_on_round_timer(ocr_node *nd, uint64_t a)
{
    nd->t_round = 0;
    if (a != nd->e || nd->leader != nd->idx)
        return;
    ocr__start_round(nd);
}

/* ---------------------------------------------------------------- observation */

por_amount por__ocr_tamper_listed(ocr_node *nd, por_amount v)
{
    const por_attack_config *a;
    por_amount out;
    if ((a = por_ocr_byzantine(nd, POR_BYZ_INFLATE)) != NULL) {
        int64_t f = a->factor_ppb > 0 ? a->factor_ppb : 1500000000; /* default x1.5 */
        return por_amount_mul_ppb(v, f, &out) ? out : POR_AMOUNT_MAX;
    }
    if ((a = por_ocr_byzantine(nd, POR_BYZ_DEFLATE)) != NULL) {
        int64_t f = a->factor_ppb > 0 ? a->factor_ppb : 500000000; /* default x0.5 */
        return por_amount_mul_ppb(v, f, &out) ? out : 0;
    }
    if (por_ocr_byzantine(nd, POR_BYZ_RANDOM) != NULL) {
        /* uniform factor in [0, 2) */
        int64_t f = (int64_t)por_rng_below(nd->byz_rng, 2000000000u);
        return por_amount_mul_ppb(v, f, &out) ? out : v;
    }
    return v;
}

static void ocr__on_observe_req(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    if (m->epoch != nd->e || from != nd->leader || m->round <= nd->rf ||
        m->round > d->oc->r_max + 1) /* libocr: "out of bounds round" */
        return;
    if (m->round > d->oc->r_max) {
        nd->rf = m->round;
        por_ocr_cancel(nd, &nd->t_observe);
        nd->observing = false;
        por_ocr_pacemaker_change_leader(nd);
        return;
    }
    ocr__follower_new_round(nd, m->round);
    por_amount v = 0;
    por_time_t lat = 0;
    if (!d->observer.observe(d->observer.ctx, d->sim, nd->idx, nd->observe_rng, &v, &lat))
        return;
    if (lat < 0)
        lat = 0;
    if (d->oc->observe_timeout > 0 && lat > d->oc->observe_timeout)
        return; /* the read did not finish in time: no observation this round */
    if (!nd->byz_listed)
        por_ocr_record_honest(d, nd->e, m->round, v);
    nd->obs_value = por_ocr_tamper_observation(nd, v);
    if (d->trace)
        por_ocr_trace_observation(nd, m->round, v, nd->obs_value);
    nd->observing = true;
    nd->t_observe = por_ocr_timer(nd, lat, OCR_EV_OBSERVED, nd->rf);
}

/* An equivocating follower: a low signed observation to even nodes, a high one to odd. */
static void ocr__observe_equivocal(ocr_node *nd)
{
    ocr_don *d = nd->don;
    por_amount v[2];
    if (!por_amount_mul_ppb(nd->obs_value, 500000000, &v[0]))
        v[0] = 0;
    if (!por_amount_mul_ppb(nd->obs_value, 1500000000, &v[1]))
        v[1] = POR_AMOUNT_MAX;
    ocr_small *m[2];
    for (int k = 0; k < 2; k++) {
        m[k] = por_ocr_small_new(d, OCR_OBSERVE, nd->e, nd->rf);
        m[k]->value = v[k];
        por_ocr_observation_digest(d, nd->e, nd->rf, nd->idx, v[k], &m[k]->digest);
        m[k]->digest_observer = (int32_t)nd->idx;
        por_ocr_sign(nd, &m[k]->digest, &m[k]->sig);
    }
    d->stats.observations++;
    for (uint32_t j = 0; j < d->n; j++)
        por_ocr_send(nd, j, &m[j & 1]->hdr);
    por_msg_unref(&m[0]->hdr);
    por_msg_unref(&m[1]->hdr);
}

void por_ocr_repgen_on_observed(ocr_node *nd, uint64_t a)
{
    nd->t_observe = 0;
    if (!nd->observing || a != nd->rf)
        return;
    nd->observing = false;
    ocr_don *d = nd->don;
    if (por_ocr_byzantine(nd, POR_BYZ_EQUIVOCATE)) {
        ocr__observe_equivocal(nd);
        return;
    }
    ocr_small *m = por_ocr_small_new(d, OCR_OBSERVE, nd->e, nd->rf);
    m->value = nd->obs_value;
    por_ocr_observation_digest(d, nd->e, nd->rf, nd->idx, m->value, &m->digest);
    m->digest_observer = (int32_t)nd->idx;
    por_ocr_sign(nd, &m->digest, &m->sig);
    d->stats.observations++;
    por_ocr_send(nd, nd->leader, &m->hdr);
    por_msg_unref(&m->hdr);
}

/* ---------------------------------------------------------------- leader */

static void ocr__on_observe(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    uint32_t bit = 1u << from;
    if (nd->leader != nd->idx || m->epoch != nd->e || m->round != nd->r ||
        (nd->phase != OCR_PHASE_OBSERVE && nd->phase != OCR_PHASE_GRACE) ||
        (nd->obs_mask & bit))
        return;
    por_digest od;
    const por_digest *odp = &m->digest;
    if (m->digest_observer != (int32_t)from) {
        por_ocr_observation_digest(d, m->epoch, m->round, from, m->value, &od);
        odp = &od;
    }
    if (!por_crypto_verify(d->crypto, odp, &m->sig, &d->nodes[from].key.addr))
        return;
    nd->obs_val[from] = m->value;
    nd->obs_sig[from] = m->sig;
    nd->obs_mask |= bit;
    if (nd->phase == OCR_PHASE_OBSERVE && por_ocr_popcount(nd->obs_mask) > 2 * d->f) {
        nd->phase = OCR_PHASE_GRACE;
        nd->t_grace = por_ocr_timer(nd, d->oc->delta_grace, OCR_EV_GRACE, nd->r);
    }
}

/* A REPORT-REQ from the observations of nodes ORDER[0..K), already sorted by value. */
static ocr_big *ocr__make_req(ocr_node *nd, const uint32_t *order, uint32_t k)
{
    ocr_don *d = nd->don;
    ocr_big *m = por_ocr_big_new(d, OCR_REPORT_REQ);
    por_report *rep = &m->report;
    rep->config_digest = d->config_digest;
    rep->epoch = nd->e;
    rep->round = nd->r;
    for (uint32_t i = 0; i < k; i++) {
        rep->obs[i] = nd->obs_val[order[i]];
        rep->observers[i] = (uint8_t)order[i];
        m->obs_sigs[i] = nd->obs_sig[order[i]];
    }
    rep->nobs = k;
    m->hdr.size = 16 + 32 + 8 + k * (16 + 1 + 65);
    /* every observation here passed this leader's verification over the same digest,
     * observers are distinct, values sorted and k > 2f by construction: the followers'
     * (memoized) content check can only answer "valid", so it starts answered */
    POR_ASSERT(k > 2 * d->f);
    m->valid = 1;
    return m;
}

void por_ocr_repgen_on_grace(ocr_node *nd, uint64_t a)
{
    nd->t_grace = 0;
    ocr_don *d = nd->don;
    if (nd->leader != nd->idx || a != nd->r || nd->phase != OCR_PHASE_GRACE)
        return;
    /* insertion sort of the observers by (value, index): n <= 31 */
    uint32_t order[POR_MAX_ORACLES], k = 0;
    for (uint32_t j = 0; j < d->n; j++) {
        if (!(nd->obs_mask & (1u << j)))
            continue;
        uint32_t i = k++;
        while (i > 0 && nd->obs_val[order[i - 1]] > nd->obs_val[j]) {
            order[i] = order[i - 1];
            i--;
        }
        order[i] = j;
    }
    uint32_t q = 2 * d->f + 1;
    if (k > q && por_ocr_byzantine(nd, POR_BYZ_EQUIVOCATE)) {
        /* two valid reports: lowest q observations to even nodes, highest q to odd */
        nd->req = ocr__make_req(nd, order, q);
        nd->eq_req = ocr__make_req(nd, order + (k - q), q);
        nd->eq_to = 0;
        for (uint32_t j = 1; j < d->n; j += 2)
            nd->eq_to |= 1u << j;
        for (uint32_t j = 0; j < d->n; j++)
            por_ocr_send(nd, j, (j & 1) ? &nd->eq_req->hdr : &nd->req->hdr);
    } else {
        nd->req = ocr__make_req(nd, order, k); /* keep the creation reference */
        por_ocr_broadcast(nd, &nd->req->hdr);
    }
    nd->phase = OCR_PHASE_REPORT;
    if (d->trace)
        por_ocr_trace_report_req(nd, nd->req);
}

/* The FINAL of REQ (hash H) with the first f + 1 signatures of MASK from SIGS. */
static ocr_big *ocr__make_final(ocr_node *nd, ocr_big *req, const por_digest *h, uint32_t mask,
                                const por_sig *sigs)
{
    ocr_don *d = nd->don;
    ocr_big *fin = por_ocr_big_new(d, OCR_FINAL);
    fin->report = req->report;
    fin->hash = *h;
    fin->hash_set = true;
    uint32_t s = 0;
    for (uint32_t j = 0; j < d->n && s <= d->f; j++)
        if (mask & (1u << j)) {
            fin->signers[s] = (uint8_t)j;
            fin->sigs[s] = sigs[j];
            s++;
        }
    fin->nsigs = s;
    fin->hdr.size = 16 + 32 + 8 + fin->report.nobs * 17 + s * 66;
    d->stats.finals++;
    if (d->trace)
        por_ocr_trace_final(nd, fin);
    return fin;
}

/* An equivocating leader's REPORT: it may sign either variant; each variant with f + 1
 * signatures gets its own FINAL, sent only to the nodes that got that variant. */
static void ocr__on_report_equivocal(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    uint32_t bit = 1u << from;
    for (uint32_t v = 0; v < 2; v++) {
        ocr_big *req = v ? nd->eq_req : nd->req;
        uint32_t *mask = v ? &nd->eq_rep_mask : &nd->rep_mask;
        por_sig *sigs = v ? nd->eq_rep_sig : nd->rep_sig;
        if ((nd->eq_finals & (1u << v)) || (*mask & bit))
            continue;
        const por_digest *h = por_ocr_big_hash(req);
        if (memcmp(m->digest.b, h->b, 32) != 0)
            continue;
        if (!por_crypto_verify(d->crypto, h, &m->sig, &d->nodes[from].key.addr))
            return;
        sigs[from] = m->sig;
        *mask |= bit;
        if (por_ocr_popcount(*mask) <= d->f)
            return;
        if (nd->eq_finals == 0)
            d->stats.rounds_reported++;
        nd->eq_finals |= 1u << v;
        if (nd->eq_finals == 3)
            nd->phase = OCR_PHASE_FINAL;
        if (por_ocr_byzantine(nd, POR_BYZ_WITHHOLD_FINAL))
            return;
        ocr_big *fin = ocr__make_final(nd, req, h, *mask, sigs);
        uint32_t to = v ? nd->eq_to : ~nd->eq_to;
        for (uint32_t j = 0; j < d->n; j++)
            if (to & (1u << j))
                por_ocr_send(nd, j, &fin->hdr);
        por_msg_unref(&fin->hdr);
        return;
    }
}

static void ocr__on_report(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    uint32_t bit = 1u << from;
    if (nd->leader != nd->idx || m->epoch != nd->e || m->round != nd->r ||
        nd->phase != OCR_PHASE_REPORT || !nd->req)
        return;
    if (nd->eq_req) {
        ocr__on_report_equivocal(nd, from, m);
        return;
    }
    if (nd->rep_mask & bit)
        return;
    const por_digest *h = por_ocr_big_hash(nd->req);
    if (memcmp(m->digest.b, h->b, 32) != 0)
        return;
    if (!por_crypto_verify(d->crypto, h, &m->sig, &d->nodes[from].key.addr))
        return;
    nd->rep_sig[from] = m->sig;
    nd->rep_mask |= bit;
    if (por_ocr_popcount(nd->rep_mask) <= d->f)
        return;
    nd->phase = OCR_PHASE_FINAL;
    d->stats.rounds_reported++;
    if (por_ocr_byzantine(nd, POR_BYZ_WITHHOLD_FINAL))
        return;
    ocr_big *fin = ocr__make_final(nd, nd->req, h, nd->rep_mask, nd->rep_sig);
    por_ocr_broadcast(nd, &fin->hdr);
    por_msg_unref(&fin->hdr);
}

/* ---------------------------------------------------------------- follower */

/* Should-report (libocr's shouldReport), returning why: the trace prints this reason and
 * never recomputes it. RD receives the contract's latest round; false in *READ when it
 * could not be read, and then the node reports (POR_DECIDE_UNREADABLE): libocr errs on
 * the side of too many reports ("the Ethereum node might be down, but that need not
 * prevent us from still contributing to the protocol"). Every reason but
 * POR_DECIDE_NONE reports. */
static por_trace_decision_why ocr__should_report(ocr_node *nd, const por_report *rep,
                                                 por_round_data *out, bool *read)
{
    ocr_don *d = nd->don;
    *read = por_ocr_read_contract(nd, out);
    if (!*read) {
        d->stats.rpc_failures_report++;
        return POR_DECIDE_UNREADABLE;
    }
    const por_round_data *rd = out;
    if (rd->round_id == 0)
        return POR_DECIDE_FIRST; /* first report ever */
    por_time_t local_now = por_ocr_now(nd) + nd->clock_offset;
    if (d->oc->delta_c > 0 && local_now - rd->updated_at >= d->oc->delta_c)
        return POR_DECIDE_HEARTBEAT;
    por_amount median = rep->obs[rep->nobs / 2], diff;
    if (!por_amount_sub(median, rd->answer, &diff))
        return POR_DECIDE_OVERFLOW; /* |median - answer| deviates: por_ocr_deviates agrees */
    /* libocr observation.go Observation.Deviates(answer): against an answer of 0, a
     * median of 0 is no deviation and any other median is one */
    if (por_ocr_deviates_memo(d, rd->answer, median, d->oc->alpha_ppb))
        return POR_DECIDE_DEVIATION;
    if (por_ocr_unfulfilled_request(nd, rd))
        return POR_DECIDE_REQUESTED; /* "a new report has been explicitly requested" */
    return POR_DECIDE_NONE;
}

static void ocr__on_report_req(ocr_node *nd, uint32_t from, ocr_big *m)
{
    ocr_don *d = nd->don;
    uint32_t round = m->report.round;
    if (from != nd->leader || m->report.epoch != nd->e || round < nd->rf)
        return;
    if (round > nd->rf) /* porsim simplification: see the top of this file */
        ocr__follower_new_round(nd, round);
    if (nd->sent_report || nd->completed) /* libocr messageReportReq */
        return;
    if (!por_ocr_report_req_valid(d, m, nd->e, round))
        return;
    por_round_data rd;
    bool read;
    por_trace_decision_why why = ocr__should_report(nd, &m->report, &rd, &read);
    bool report = why != POR_DECIDE_NONE;
    if (d->trace)
        por_ocr_trace_decision(nd, &m->report, report, why, read ? &rd : NULL);
    if (!report) {
        ocr__complete_round(nd); /* the round completed without a report */
        return;
    }
    if (por_ocr_byzantine(nd, POR_BYZ_REFUSE_SIGN))
        return;
    nd->sent_report = true;
    ocr_small *rep = por_ocr_small_new(d, OCR_REPORT, nd->e, round);
    rep->digest = *por_ocr_big_hash(m);
    por_ocr_sign(nd, &rep->digest, &rep->sig);
    d->stats.reports_signed++;
    por_ocr_send(nd, nd->leader, &rep->hdr);
    por_msg_unref(&rep->hdr);
}

/* Echoes FIN (sentEcho <- FIN, FINAL-ECHO to all). */
static void ocr__send_echo(ocr_node *nd, ocr_big *fin)
{
    nd->sent_echo = (ocr_big *)por_msg_ref(&fin->hdr);
    if (por_ocr_byzantine(nd, POR_BYZ_WITHHOLD_FINAL))
        return;
    ocr_small *m = por_ocr_small_new(nd->don, OCR_FINAL_ECHO, fin->report.epoch, fin->report.round);
    m->final = (ocr_big *)por_msg_ref(&fin->hdr);
    m->hdr.size = fin->hdr.size;
    por_ocr_broadcast(nd, &m->hdr);
    por_msg_unref(&m->hdr);
}

/* libocr messageFinal: only the current round's FINAL from the leader, echoed once. (A
 * follower that declined to report still echoes it; it just never transmits it.) */
static void ocr__on_final(ocr_node *nd, uint32_t from, ocr_big *fin)
{
    if (fin->report.epoch != nd->e || fin->report.round != nd->rf || from != nd->leader ||
        nd->sent_echo)
        return;
    if (!por_ocr_final_valid(nd->don, fin))
        return;
    ocr__send_echo(nd, fin);
}

/* libocr messageFinalEcho: only for the current round and only until the round is
 * complete; with echoes from more than f nodes the report this node echoed goes to
 * transmission and the round completes. */
static void ocr__on_final_echo(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    ocr_big *fin = m->final;
    if (!fin || fin->report.epoch != nd->e || fin->report.round != nd->rf ||
        (nd->echo_mask & (1u << from)) || nd->completed)
        return;
    if (!por_ocr_final_valid(d, fin))
        return;
    nd->echo_mask |= 1u << from;
    if (!nd->sent_echo)
        ocr__send_echo(nd, fin);
    if (por_ocr_popcount(nd->echo_mask) > d->f) {
        ocr_big *echoed = nd->sent_echo;
        if (d->trace)
            por_ocr_trace_complete(nd, echoed);
        por_ocr_transmission_start(nd, echoed);
        ocr__complete_round(nd);
    }
}

void por_ocr_repgen_deliver(ocr_node *nd, uint32_t from, por_msg *m)
{
    switch (m->type) {
    case OCR_OBSERVE_REQ:
        ocr__on_observe_req(nd, from, (const ocr_small *)m);
        break;
    case OCR_OBSERVE:
        ocr__on_observe(nd, from, (const ocr_small *)m);
        break;
    case OCR_REPORT_REQ:
        ocr__on_report_req(nd, from, (ocr_big *)m);
        break;
    case OCR_REPORT:
        ocr__on_report(nd, from, (const ocr_small *)m);
        break;
    case OCR_FINAL:
        ocr__on_final(nd, from, (ocr_big *)m);
        break;
    case OCR_FINAL_ECHO:
        ocr__on_final_echo(nd, from, (const ocr_small *)m);
        break;
    default:
        break;
    }
    por_msg_unref(m);
}
