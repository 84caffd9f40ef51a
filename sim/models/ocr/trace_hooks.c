/* Teaching-mode trace records of the OCR model (por/trace.h). The protocol files call
 * these only when the DON has a sink (`if (d->trace) ocr_trace_...`), so an untraced run
 * never reaches this file. Each helper fills one por_trace_record on the stack; the
 * decision helper re-derives *why* a follower decided as it did with the same formula as
 * report_generation.c's should-report (a pure function of the contract's latest answer
 * the decision read, the node's clock and the report), without touching the decision
 * itself or reading the contract again. */
#include "ocr_internal.h"

#include <string.h>

static void ocr__rec_init(por_trace_record *r, ocr_don *d, por_trace_kind kind, uint32_t index)
{
    memset(r, 0, sizeof *r);
    r->time = por_sim_now(d->sim);
    r->kind = (uint16_t)kind;
    r->actor = POR_TRACE_ORACLE;
    r->index = index;
}

void por_ocr_trace_epoch(ocr_node *nd)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_EPOCH, nd->idx);
    r.epoch = nd->e;
    r.peer = nd->leader;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_newepoch(ocr_node *nd, uint32_t epoch, por_trace_newepoch_why why)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_NEWEPOCH, nd->idx);
    r.epoch = epoch;
    r.reason = (uint8_t)why;
    r.peer = nd->leader;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_round(ocr_node *nd)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_ROUND, nd->idx);
    r.epoch = nd->e;
    r.round = nd->r;
    r.flag = nd->r > nd->don->oc->r_max;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_observation(ocr_node *nd, uint32_t round, por_amount honest, por_amount sent)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_OBSERVATION, nd->idx);
    r.epoch = nd->e;
    r.round = round;
    r.a = sent;
    r.b = honest;
    r.flag = sent != honest;
    r.peer = nd->leader;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_report_req(ocr_node *nd, const ocr_big *req)
{
    const por_report *rep = &req->report;
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_REPORT_REQ, nd->idx);
    r.epoch = rep->epoch;
    r.round = rep->round;
    r.count = rep->nobs;
    if (rep->nobs) {
        r.a = rep->obs[rep->nobs / 2];
        r.b = rep->obs[0];
        r.c = rep->obs[rep->nobs - 1];
    }
    for (uint32_t i = 0; i < rep->nobs; i++)
        r.peer |= 1u << rep->observers[i];
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_decision(ocr_node *nd, const por_report *rep, bool report,
                        por_trace_decision_why why, const por_round_data *rdp)
{
    ocr_don *d = nd->don;
    por_trace_record r;
    ocr__rec_init(&r, d, POR_TK_DECISION, nd->idx);
    r.epoch = rep->epoch;
    r.round = rep->round;
    r.flag = report;
    r.reason = (uint8_t)why; /* the decision's own reason (ocr__should_report) */
    r.peer = nd->leader;
    r.a = rep->nobs ? rep->obs[rep->nobs / 2] : 0;
    r.dt = -1;
    if (!rdp) { /* no answer known: b = 0, ppb = 0 */
        por_trace_emit(d->trace, &r);
        return;
    }
    const por_round_data rd = *rdp;
    r.b = rd.answer;
    if (rd.round_id != 0) {
        /* the numbers shown beside the reason: the answer's age and the deviation */
        por_time_t local_now = por_ocr_now(nd) + por_net_clock_offset(d->net, nd->idx);
        r.dt = local_now - rd.updated_at;
        por_amount diff, scaled;
        bool ok = por_amount_sub(r.a, rd.answer, &diff);
        if (ok && diff < 0)
            diff = -diff;
        por_amount base = rd.answer < 0 ? -rd.answer : rd.answer;
        if (ok && base != 0 && por_amount_mul(diff, 1000000000, &scaled))
            r.ppb = (int64_t)(scaled / base > INT64_MAX ? INT64_MAX : scaled / base);
        else
            r.ppb = ok && diff == 0 ? 0 : INT64_MAX;
    }
    por_trace_emit(d->trace, &r);
}

void por_ocr_trace_final(ocr_node *nd, const ocr_big *fin)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_FINAL, nd->idx);
    r.epoch = fin->report.epoch;
    r.round = fin->report.round;
    r.count = fin->nsigs;
    r.a = fin->report.nobs ? fin->report.obs[fin->report.nobs / 2] : 0;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_complete(ocr_node *nd, const ocr_big *fin)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, POR_TK_COMPLETE, nd->idx);
    r.epoch = fin->report.epoch;
    r.round = fin->report.round;
    r.a = fin->report.nobs ? fin->report.obs[fin->report.nobs / 2] : 0;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_tx(ocr_node *nd, const por_report *rep, por_trace_kind kind, int reason)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, kind, nd->idx);
    r.epoch = rep->epoch;
    r.round = rep->round;
    r.reason = (uint8_t)reason;
    r.a = rep->nobs ? rep->obs[rep->nobs / 2] : 0;
    if (kind == POR_TK_TX_SKIPPED && reason == POR_SKIP_HELD_BACK)
        r.b = nd->tx_memory.latest_median; /* the pending report it is held back for */
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_tx_result(ocr_don *d, uint32_t sender, const por_report *rep,
                         por_transmit_result res, por_time_t submitted)
{
    por_trace_record r;
    ocr__rec_init(&r, d, POR_TK_TX_RESULT, sender);
    r.actor = POR_TRACE_CHAIN;
    r.epoch = rep->epoch;
    r.round = rep->round;
    r.reason = (uint8_t)res;
    r.dt = r.time - submitted;
    r.a = rep->nobs ? rep->obs[rep->nobs / 2] : 0;
    por_trace_emit(d->trace, &r);
}

void por_ocr_trace_node(ocr_node *nd, por_trace_kind kind)
{
    por_trace_record r;
    ocr__rec_init(&r, nd->don, kind, nd->idx);
    r.epoch = nd->e;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_describe(void *dctx, const void *msg, uint32_t *epoch, uint32_t *round)
{
    (void)dctx;
    const por_msg *m = msg;
    if (m->type == OCR_REPORT_REQ || m->type == OCR_FINAL) {
        const ocr_big *b = msg;
        *epoch = b->report.epoch;
        *round = b->report.round;
    } else {
        const ocr_small *s = msg;
        *epoch = s->epoch;
        *round = s->round;
    }
}
