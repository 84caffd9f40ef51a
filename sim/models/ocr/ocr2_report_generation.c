/* OCR2 report generation and report finalization (feed.protocol "ocr2"): libocr
 * offchainreporting2plus/internal/ocr2/protocol (report_generation_leader.go,
 * report_generation_follower.go, report_finalization.go) with the median reporting
 * plugin (offchainreporting2/reportingplugin/median/median.go). The pacemaker is OCR1's
 * (pacemaker.c), as in libocr, and so are the messages (ocr_small / ocr_big).
 *
 * Leader (startRound): a round starts when both ΔRound has passed and the previous round
 * completed (readyToStartRound), so a slow round delays the next one instead of
 * overlapping it. OBSERVE-REQ(e, r) (the median plugin's query is empty); after more than
 * 2f signed observations it waits ΔGrace and sends REPORT-REQ with every attributed
 * observation; with f + 1 matching REPORT messages (reportQuorum = f + 1: the median
 * plugin does not ask for unique reports) it sends FINAL carrying exactly those f + 1
 * signatures, or, when the f + 1 matching answers are "skip", nothing; either way the
 * round is complete and the next may start.
 * Follower: observes (value and a timestamp of its own clock, whole seconds), signs and
 * sends OBSERVE; on REPORT-REQ for exactly its current round, once, it verifies the
 * observations (distinct observers, valid signatures, more than 2f), and runs the
 * plugin's Report: the report is the observations sorted by value with the median of
 * their timestamps as observationsTimestamp (evmreportcodec BuildReport), sent signed if
 * shouldReport says so, else a "skip" attestation, which completes the round
 * (progress). A contract read failure is an error in shouldReport: libocr then sends
 * nothing for the round (OCR1 reports instead).
 * Finalization: a FINAL from the leader for the current round, or a FINAL-ECHO from
 * anyone for any (epoch, round) not yet finalized nor expired, with valid signatures:
 * the node echoes it once to all and hands it to transmission (a FINAL also completes
 * the round). Finalized rounds are remembered in a ring per node; rounds more than
 * expirationAgeRounds (10 min of ΔRound, between 10 and 1000 rounds) behind the latest
 * are expired.
 *
 * porsim simplifications: the leader puts the observations in the REPORT-REQ already in
 * report order, and the report itself next to them; a follower checks that this report
 * is the one BuildReport makes from them (sorted values, median timestamp) instead of
 * building it again. BYZANTINE equivocate is not modelled for OCR2 (the loader refuses
 * it); the other behaviours are OCR1's. */
#include "ocr_internal.h"

#include "por/error.h"
#include "por/rng.h"

#include <stdlib.h>
#include <string.h>

static uint64_t ocr2__er(uint32_t e, uint32_t r) { return ((uint64_t)e << 32) | r; }

/* ---------------------------------------------------------------- DON state */

void por_ocr2_don_init(ocr_don *d)
{
    static const char dom[] = "porsim/ocr2/transmission-order-key";
    uint8_t buf[sizeof dom - 1 + 32];
    memcpy(buf, dom, sizeof dom - 1);
    memcpy(buf + sizeof dom - 1, d->shared_key.b, 32);
    por_keccak256(buf, sizeof buf, &d->transmission_order_key);
    /* report_finalization.go expirationAgeRounds: ceil(10 min / ΔRound) in [10, 1000] */
    por_time_t dr = d->oc->delta_round > 0 ? d->oc->delta_round : 1;
    uint64_t age = (uint64_t)((10 * POR_MIN + dr - 1) / dr);
    if (age < 10)
        age = 10;
    if (age > 1000)
        age = 1000;
    d->o2_expiration_rounds = (uint32_t)age;
    d->o2_ring = 2 * (uint32_t)age + 2;
    for (uint32_t i = 0; i < d->n; i++)
        d->nodes[i].o2_finalized = por_xcalloc(d->o2_ring, sizeof(uint64_t));
}

void por_ocr2_don_free(ocr_don *d)
{
    for (uint32_t i = 0; i < d->n; i++) {
        free(d->nodes[i].o2_finalized);
        d->nodes[i].o2_finalized = NULL;
    }
}

/* ---------------------------------------------------------------- plugin rules */

/* median.go DefaultDeviationFunc is observation.go Observation.Deviates again (old = 0
 * apart, big.Rat |new - old| / |old| against thresholdPPB / 1e9, exact, >=), so the
 * OCR1 rule answers it: exact for any two amounts, where products in 128 bits overflow
 * near 2^127 or with a large alpha. Only the argument order differs. */
bool por_ocr2_deviates(int64_t alpha_ppb, por_amount old, por_amount now)
{
    return por_ocr_deviates(old, now, alpha_ppb);
}

/* The digest an oracle signs for its OCR2 observation: OCR1's over (config digest,
 * epoch, round, observer, value), then the timestamp. */
static void ocr2__observation_digest(const ocr_don *d, uint32_t epoch, uint32_t round,
                                     uint32_t observer, por_amount value, por_time_t ts,
                                     por_digest *out)
{
    por_digest base;
    por_ocr_observation_digest(d, epoch, round, observer, value, &base);
    uint8_t buf[32 + 8];
    memcpy(buf, base.b, 32);
    for (int i = 0; i < 8; i++)
        buf[32 + i] = (uint8_t)((uint64_t)ts >> (56 - 8 * i));
    por_crypto_message_digest(d->crypto, buf, sizeof buf, out);
}

/* The median of TS[0..n) (evmreportcodec BuildReport: sorted, element n/2). */
static por_time_t ocr2__median_ts(const por_time_t *ts, uint32_t n)
{
    por_time_t v[POR_MAX_ORACLES] = {0};
    POR_ASSERT(n > 0 && n <= POR_MAX_ORACLES);
    memcpy(v, ts, n * sizeof v[0]);
    for (uint32_t i = 1; i < n; i++) {
        por_time_t x = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return v[n / 2];
}

/* verifyReportReq (observers in range and distinct, signatures valid, more than 2f),
 * plus the check that the report is BuildReport's (memoized on the message). */
static bool ocr2__report_req_valid(ocr_don *d, ocr_big *m, uint32_t epoch, uint32_t round)
{
    const por_report *r = &m->report;
    if (r->epoch != epoch || r->round != round || !r->ocr2 ||
        memcmp(r->config_digest.b, d->config_digest.b, 32) != 0)
        return false;
    if (m->valid >= 0)
        return m->valid == 1;
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
        ocr2__observation_digest(d, epoch, round, who, r->obs[i], m->obs_ts[i], &od);
        ok = por_crypto_verify(d->crypto, &od, &m->obs_sigs[i], &d->nodes[who].key.addr);
    }
    if (ok)
        ok = r->observations_timestamp == ocr2__median_ts(m->obs_ts, r->nobs);
    m->valid = ok ? 1 : 0;
    return ok;
}

/* The median plugin's shouldReport (median.go). Returns 1 report, 0 skip, -1 error (the
 * contract could not be read: Report errs and the follower sends nothing); *WHY gets the
 * trace reason, *RD the contract state read. */
static int ocr2__should_report(ocr_node *nd, const por_report *rep, por_round_data *rd,
                               por_trace_decision_why *why)
{
    ocr_don *d = nd->don;
    if (!por_ocr_read_contract(nd, rd)) {
        d->stats.rpc_failures_report++;
        *why = POR_DECIDE_UNREADABLE;
        return -1;
    }
    por_amount answer = rep->obs[rep->nobs / 2];
    const por_feed_config *fd = &d->sc->feed;
    if (answer < fd->min_answer || answer > fd->max_answer) {
        *why = POR_DECIDE_OUT_OF_BOUNDS; /* no, answer is outside of min/max */
        return 0;
    }
    /* initialRound: the contract's latest (epoch, round) is (0, 0) */
    if (rd->round_id == 0) {
        *why = POR_DECIDE_FIRST;
        return 1;
    }
    if (por_ocr2_deviates(d->oc->alpha_ppb, rd->answer, answer)) {
        *why = POR_DECIDE_DEVIATION;
        return 1;
    }
    /* deltaCTimeout: latestTimestamp (the transmission's block time) + ΔC before now,
     * on the node's own clock */
    por_time_t local_now = por_ocr_now(nd) + nd->clock_offset;
    if (d->oc->delta_c > 0 && rd->updated_at + d->oc->delta_c < local_now) {
        *why = POR_DECIDE_HEARTBEAT;
        return 1;
    }
    /* unfulfilledRequest: no requestNewRound is modelled for OCR2 */
    *why = POR_DECIDE_NONE;
    return 0;
}

/* ---------------------------------------------------------------- rounds (leader) */

static void ocr2__start_round(ocr_node *nd)
{
    ocr_don *d = nd->don;
    if (!nd->o2_ready) {
        nd->o2_ready = true; /* the other of (ΔRound passed, round complete) will start it */
        return;
    }
    if (nd->r > d->oc->r_max)
        return;
    nd->r++;
    nd->obs_mask = nd->rep_mask = nd->skip_mask = 0;
    por_ocr_cancel(nd, &nd->t_grace);
    if (nd->req) {
        por_msg_unref(&nd->req->hdr);
        nd->req = NULL;
    }
    nd->o2_ready = false;
    por_ocr_cancel(nd, &nd->t_round);
    nd->t_round = por_ocr_timer(nd, d->oc->delta_round, OCR_EV_ROUND, nd->e);
    if (d->trace)
        por_ocr_trace_round(nd);
    ocr_small *m = por_ocr_small_new(d, OCR_OBSERVE_REQ, nd->e, nd->r);
    m->skip = false;
    m->obs_ts = 0;
    por_ocr_broadcast(nd, &m->hdr);
    por_msg_unref(&m->hdr);
    if (nd->r > d->oc->r_max) {
        nd->phase = OCR_PHASE_IDLE; /* the signal to change leader */
        return;
    }
    d->stats.rounds_started++;
    nd->phase = OCR_PHASE_OBSERVE;
}

void por_ocr2_repgen_start_epoch(ocr_node *nd)
{
    nd->rf = 0;
    nd->observing = false;
    nd->o2_sent_report = false;
    nd->o2_completed = false;
    nd->r = 0;
    nd->phase = OCR_PHASE_IDLE;
    nd->o2_ready = false;
    if (nd->leader == nd->idx) {
        ocr2__start_round(nd);
        ocr2__start_round(nd); /* report_generation.go run(): "kick off the protocol" */
    }
}

void por_ocr2_repgen_on_round_timer(ocr_node *nd, uint64_t a)
{
    nd->t_round = 0;
    if (a != nd->e || nd->leader != nd->idx)
        return;
    ocr2__start_round(nd);
}

static void ocr2__on_observe(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    uint32_t bit = 1u << from;
    if (nd->leader != nd->idx || m->epoch != nd->e || m->round != nd->r ||
        (nd->phase != OCR_PHASE_OBSERVE && nd->phase != OCR_PHASE_GRACE) ||
        (nd->obs_mask & bit))
        return;
    por_digest od;
    ocr2__observation_digest(d, m->epoch, m->round, from, m->value, m->obs_ts, &od);
    if (!por_crypto_verify(d->crypto, &od, &m->sig, &d->nodes[from].key.addr))
        return;
    nd->obs_val[from] = m->value;
    nd->obs_sig[from] = m->sig;
    nd->obs_ts[from] = m->obs_ts;
    nd->obs_mask |= bit;
    if (nd->phase == OCR_PHASE_OBSERVE && por_ocr_popcount(nd->obs_mask) > 2 * d->f) {
        nd->phase = OCR_PHASE_GRACE;
        nd->t_grace = por_ocr_timer(nd, d->oc->delta_grace, OCR_EV_GRACE, nd->r);
    }
}

void por_ocr2_repgen_on_grace(ocr_node *nd, uint64_t a)
{
    nd->t_grace = 0;
    ocr_don *d = nd->don;
    if (nd->leader != nd->idx || a != nd->r || nd->phase != OCR_PHASE_GRACE)
        return;
    /* report order: by (value, oracle index) */
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
    ocr_big *m = por_ocr_big_new(d, OCR_REPORT_REQ);
    por_report *rep = &m->report;
    rep->config_digest = d->config_digest;
    rep->epoch = nd->e;
    rep->round = nd->r;
    rep->ocr2 = true;
    for (uint32_t i = 0; i < k; i++) {
        rep->obs[i] = nd->obs_val[order[i]];
        rep->observers[i] = (uint8_t)order[i];
        m->obs_sigs[i] = nd->obs_sig[order[i]];
        m->obs_ts[i] = nd->obs_ts[order[i]];
    }
    rep->nobs = k;
    rep->observations_timestamp = ocr2__median_ts(m->obs_ts, k);
    m->hdr.size = 16 + 32 + 8 + k * (16 + 1 + 4 + 65);
    POR_ASSERT(k > 2 * d->f);
    m->valid = 1; /* every observation passed this leader's verification (see OCR1) */
    nd->req = m;  /* keep the creation reference */
    por_ocr_broadcast(nd, &m->hdr);
    nd->phase = OCR_PHASE_REPORT;
    if (d->trace)
        por_ocr_trace_report_req(nd, m);
}

/* The FINAL of the leader's report with exactly the f + 1 signatures of MASK. */
static void ocr2__send_final(ocr_node *nd, uint32_t mask)
{
    ocr_don *d = nd->don;
    ocr_big *fin = por_ocr_big_new(d, OCR_FINAL);
    fin->report = nd->req->report;
    fin->hash = *por_ocr_big_hash(nd->req);
    fin->hash_set = true;
    uint32_t s = 0;
    for (uint32_t j = 0; j < d->n && s <= d->f; j++)
        if (mask & (1u << j)) {
            fin->signers[s] = (uint8_t)j;
            fin->sigs[s] = nd->rep_sig[j];
            s++;
        }
    fin->nsigs = s;
    fin->hdr.size = 16 + 32 + 8 + 8 + fin->report.nobs * 17 + s * 66;
    d->stats.finals++;
    if (d->trace)
        por_ocr_trace_final(nd, fin);
    por_ocr_broadcast(nd, &fin->hdr);
    por_msg_unref(&fin->hdr);
}

static void ocr2__on_report(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    uint32_t bit = 1u << from;
    if (m->epoch != nd->e || nd->leader != nd->idx || m->round != nd->r ||
        nd->phase != OCR_PHASE_REPORT || !nd->req || ((nd->rep_mask | nd->skip_mask) & bit))
        return;
    if (m->skip) {
        nd->skip_mask |= bit;
        if (por_ocr_popcount(nd->skip_mask) < d->f + 1)
            return;
        /* f + 1 agree not to report: the round is complete without a FINAL */
        nd->phase = OCR_PHASE_FINAL;
        ocr2__start_round(nd);
        return;
    }
    const por_digest *h = por_ocr_big_hash(nd->req);
    if (memcmp(m->digest.b, h->b, 32) != 0)
        return; /* a report other than the one this REPORT-REQ makes */
    if (!por_crypto_verify(d->crypto, h, &m->sig, &d->nodes[from].key.addr))
        return;
    nd->rep_sig[from] = m->sig;
    nd->rep_mask |= bit;
    if (por_ocr_popcount(nd->rep_mask) < d->f + 1)
        return;
    nd->phase = OCR_PHASE_FINAL;
    d->stats.rounds_reported++;
    if (!por_ocr_byzantine(nd, POR_BYZ_WITHHOLD_FINAL))
        ocr2__send_final(nd, nd->rep_mask);
    ocr2__start_round(nd);
}

/* ---------------------------------------------------------------- follower */

static void ocr2__on_observe_req(ocr_node *nd, uint32_t from, const ocr_small *m)
{
    ocr_don *d = nd->don;
    if (m->epoch != nd->e || from != nd->leader || m->round <= nd->rf ||
        m->round > d->oc->r_max + 1)
        return;
    nd->rf = m->round;
    por_ocr_cancel(nd, &nd->t_observe);
    nd->observing = false;
    if (m->round > d->oc->r_max) {
        por_ocr_pacemaker_change_leader(nd);
        return;
    }
    nd->o2_sent_report = false;
    nd->o2_completed = false;
    por_amount v = 0;
    por_time_t lat = 0;
    if (!d->observer.observe(d->observer.ctx, d->sim, nd->idx, nd->observe_rng, &v, &lat))
        return;
    if (lat < 0)
        lat = 0;
    if (d->oc->observe_timeout > 0 && lat > d->oc->observe_timeout)
        return;
    if (!nd->byz_listed)
        por_ocr_record_honest(d, nd->e, m->round, v);
    nd->obs_value = por_ocr_tamper_observation(nd, v);
    if (d->trace)
        por_ocr_trace_observation(nd, m->round, v, nd->obs_value);
    nd->observing = true;
    nd->t_observe = por_ocr_timer(nd, lat, OCR_EV_OBSERVED, nd->rf);
}

void por_ocr2_repgen_on_observed(ocr_node *nd, uint64_t a)
{
    nd->t_observe = 0;
    if (!nd->observing || a != nd->rf)
        return;
    nd->observing = false;
    ocr_don *d = nd->don;
    /* median.go Observation: uint32(time.Now().Unix()) of the node's clock */
    por_time_t local = por_ocr_now(nd) + nd->clock_offset;
    if (local < 0)
        local = 0;
    ocr_small *m = por_ocr_small_new(d, OCR_OBSERVE, nd->e, nd->rf);
    m->value = nd->obs_value;
    m->obs_ts = local / POR_SEC * POR_SEC;
    m->skip = false;
    m->hdr.size += 4;
    por_digest od;
    ocr2__observation_digest(d, nd->e, nd->rf, nd->idx, m->value, m->obs_ts, &od);
    por_ocr_sign(nd, &od, &m->sig);
    d->stats.observations++;
    por_ocr_send(nd, nd->leader, &m->hdr);
    por_msg_unref(&m->hdr);
}

/* completeRound: once per round, progress to the pacemaker. */
static void ocr2__complete_round(ocr_node *nd)
{
    if (nd->o2_completed)
        return;
    nd->o2_completed = true;
    por_ocr_pacemaker_progress(nd);
}

static void ocr2__on_report_req(ocr_node *nd, uint32_t from, ocr_big *m)
{
    ocr_don *d = nd->don;
    if (m->report.epoch != nd->e || from != nd->leader || m->report.round != nd->rf ||
        nd->o2_sent_report || nd->o2_completed)
        return;
    if (!ocr2__report_req_valid(d, m, nd->e, nd->rf))
        return;
    por_round_data rd;
    por_trace_decision_why why;
    int decision = ocr2__should_report(nd, &m->report, &rd, &why);
    if (d->trace)
        por_ocr_trace_decision(nd, &m->report, decision == 1, why, decision >= 0 ? &rd : NULL);
    if (decision < 0)
        return; /* Report errored: nothing is sent for this round */
    if (decision == 1 && por_ocr_byzantine(nd, POR_BYZ_REFUSE_SIGN))
        return;
    ocr_small *rep = por_ocr_small_new(d, OCR_REPORT, nd->e, nd->rf);
    rep->skip = decision == 0;
    rep->obs_ts = 0;
    if (decision == 1) {
        rep->digest = *por_ocr_big_hash(m);
        por_ocr_sign(nd, &rep->digest, &rep->sig);
        d->stats.reports_signed++;
    } else {
        memset(&rep->digest, 0, sizeof rep->digest);
        rep->hdr.size = 16 + 8 + 1;
        ocr2__complete_round(nd);
    }
    nd->o2_sent_report = true;
    por_ocr_send(nd, nd->leader, &rep->hdr);
    por_msg_unref(&rep->hdr);
}

/* ---------------------------------------------------------------- finalization */

static uint64_t ocr2__round_index(const ocr_don *d, uint64_t er)
{
    return (uint64_t)d->oc->r_max * (er >> 32) + (er & 0xffffffffu);
}

static bool ocr2__expired(const ocr_node *nd, uint64_t er)
{
    const ocr_don *d = nd->don;
    uint64_t latest = ocr2__round_index(d, nd->o2_final_latest);
    return latest >= d->o2_expiration_rounds &&
           ocr2__round_index(d, er) <= latest - d->o2_expiration_rounds;
}

static bool ocr2__finalized(const ocr_node *nd, uint64_t er)
{
    for (uint32_t i = 0; i < nd->don->o2_ring; i++)
        if (nd->o2_finalized[i] == er)
            return true;
    return false;
}

/* finalize: remember, echo to all, hand to transmission. */
static void ocr2__finalize(ocr_node *nd, ocr_big *fin)
{
    ocr_don *d = nd->don;
    uint64_t er = ocr2__er(fin->report.epoch, fin->report.round);
    nd->o2_finalized[nd->o2_nfinal_pos] = er;
    nd->o2_nfinal_pos = (nd->o2_nfinal_pos + 1) % d->o2_ring;
    if (nd->o2_final_latest < er)
        nd->o2_final_latest = er;
    if (d->trace)
        por_ocr_trace_complete(nd, fin);
    if (!por_ocr_byzantine(nd, POR_BYZ_WITHHOLD_FINAL)) {
        ocr_small *m = por_ocr_small_new(d, OCR_FINAL_ECHO, fin->report.epoch, fin->report.round);
        m->final = (ocr_big *)por_msg_ref(&fin->hdr);
        m->hdr.size = fin->hdr.size;
        m->skip = false;
        m->obs_ts = 0;
        por_ocr_broadcast(nd, &m->hdr);
        por_msg_unref(&m->hdr);
    }
    por_ocr2_transmission_start(nd, fin);
}

static bool ocr2__final_ok(ocr_node *nd, ocr_big *fin)
{
    uint64_t er = ocr2__er(fin->report.epoch, fin->report.round);
    return fin->report.ocr2 && !ocr2__expired(nd, er) && !ocr2__finalized(nd, er) &&
           por_ocr_final_valid(nd->don, fin);
}

static void ocr2__on_final(ocr_node *nd, uint32_t from, ocr_big *fin)
{
    if (fin->report.epoch != nd->e || fin->report.round != nd->rf || from != nd->leader)
        return;
    if (!fin->report.ocr2 || !por_ocr_final_valid(nd->don, fin))
        return;
    uint64_t er = ocr2__er(fin->report.epoch, fin->report.round);
    if (!ocr2__expired(nd, er) && !ocr2__finalized(nd, er))
        ocr2__finalize(nd, fin);
    ocr2__complete_round(nd);
}

static void ocr2__on_final_echo(ocr_node *nd, const ocr_small *m)
{
    ocr_big *fin = m->final;
    if (!fin || fin->report.round > nd->don->oc->r_max || !ocr2__final_ok(nd, fin))
        return;
    ocr2__finalize(nd, fin);
}

void por_ocr2_repgen_on_message(ocr_node *nd, uint32_t from, por_msg *m)
{
    switch (m->type) {
    case OCR_OBSERVE_REQ:
        ocr2__on_observe_req(nd, from, (const ocr_small *)m);
        break;
    case OCR_OBSERVE:
        ocr2__on_observe(nd, from, (const ocr_small *)m);
        break;
    case OCR_REPORT_REQ:
        ocr2__on_report_req(nd, from, (ocr_big *)m);
        break;
    case OCR_REPORT:
        ocr2__on_report(nd, from, (const ocr_small *)m);
        break;
    case OCR_FINAL:
        ocr2__on_final(nd, from, (ocr_big *)m);
        break;
    case OCR_FINAL_ECHO:
        ocr2__on_final_echo(nd, (const ocr_small *)m);
        break;
    default:
        break;
    }
}
