/* Trace records of the OCR model (por/trace.h). The protocol files call these only when
 * the DON has a sink (`if (d->trace) por_ocr_trace_...`), so an untraced run never
 * reaches this file. Each helper builds one record on the stack. The decision record
 * carries the reason the decision itself returned (report_generation.c shouldReport,
 * ocr2_report_generation.c's should-report) and, beside it, the on-chain answer's age and
 * deviation from the answer the decision read, without reading the contract again. */
#include "ocr_internal.h"

/* The header of a record of KIND about oracle INDEX, now. */
#define OCR__REC(d, k, i) .time = por_sim_now((d)->sim), .kind = (uint16_t)(k), \
                          .actor = POR_TRACE_ORACLE, .index = (i)

/* The median of REP's observations [f], 0 when it has none. */
static por_amount ocr__median(const por_report *rep)
{
    return rep->nobs ? rep->obs[rep->nobs / 2] : 0;
}

void por_ocr_trace_epoch(ocr_node *nd)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_EPOCH, nd->idx),
                          .enter = {.epoch = nd->e, .leader = nd->leader}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_newepoch(ocr_node *nd, uint32_t epoch, por_trace_newepoch_why why)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_NEWEPOCH, nd->idx),
                          .newepoch = {.epoch = epoch, .leader = nd->leader, .why = (uint8_t)why}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_round(ocr_node *nd)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_ROUND, nd->idx),
                          .round_start = {.epoch = nd->e,
                                          .round = nd->r,
                                          .ends_epoch = nd->r > nd->don->oc->r_max}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_observation(ocr_node *nd, uint32_t round, por_amount honest, por_amount sent)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_OBSERVATION, nd->idx),
                          .observation = {.value = sent,
                                          .honest_value = honest,
                                          .epoch = nd->e,
                                          .round = round,
                                          .leader = nd->leader,
                                          .tampered = sent != honest}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_report_req(ocr_node *nd, const ocr_big *req)
{
    const por_report *rep = &req->report;
    por_trace_record r = {OCR__REC(nd->don, POR_TK_REPORT_REQ, nd->idx),
                          .report_req = {.median = ocr__median(rep),
                                         .lowest = rep->nobs ? rep->obs[0] : 0,
                                         .highest = rep->nobs ? rep->obs[rep->nobs - 1] : 0,
                                         .epoch = rep->epoch,
                                         .round = rep->round,
                                         .observations = rep->nobs}};
    for (uint32_t i = 0; i < rep->nobs; i++)
        r.report_req.observers |= 1u << rep->observers[i];
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_decision(ocr_node *nd, const por_report *rep, bool report,
                            por_trace_decision_why why, const por_round_data *rdp)
{
    ocr_don *d = nd->don;
    por_trace_record r = {OCR__REC(d, POR_TK_DECISION, nd->idx),
                          .decision = {.median = ocr__median(rep),
                                       .answer_age = -1,
                                       .epoch = rep->epoch,
                                       .round = rep->round,
                                       .leader = nd->leader,
                                       .why = (uint8_t)why, /* the decision's own reason */
                                       .report = report}};
    por_trace_decision *dec = &r.decision;
    if (rdp) {
        dec->answer = rdp->answer;
        if (rdp->round_id != 0) {
            /* the figures shown beside the reason: the answer's age and the deviation */
            por_time_t local_now = por_ocr_now(nd) + nd->clock_offset;
            dec->answer_age = local_now - rdp->updated_at;
            por_amount diff, scaled;
            bool ok = por_amount_sub(dec->median, rdp->answer, &diff);
            if (ok && diff < 0)
                diff = -diff;
            por_amount base = rdp->answer < 0 ? -rdp->answer : rdp->answer;
            if (ok && base != 0 && por_amount_mul(diff, 1000000000, &scaled))
                dec->deviation_ppb =
                    (int64_t)(scaled / base > INT64_MAX ? INT64_MAX : scaled / base);
            else
                dec->deviation_ppb = ok && diff == 0 ? 0 : INT64_MAX;
        }
    }
    por_trace_emit(d->trace, &r);
}

void por_ocr_trace_final(ocr_node *nd, const ocr_big *fin)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_FINAL, nd->idx),
                          .final = {.median = ocr__median(&fin->report),
                                    .epoch = fin->report.epoch,
                                    .round = fin->report.round,
                                    .signatures = fin->nsigs}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_complete(ocr_node *nd, const ocr_big *fin)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_COMPLETE, nd->idx),
                          .complete = {.median = ocr__median(&fin->report),
                                       .epoch = fin->report.epoch,
                                       .round = fin->report.round}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_tx_sent(ocr_node *nd, const por_report *rep)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_TX_SENT, nd->idx),
                          .tx_sent = {.median = ocr__median(rep),
                                      .epoch = rep->epoch,
                                      .round = rep->round}};
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_tx_skipped(ocr_node *nd, const por_report *rep, por_trace_skip_why why)
{
    por_trace_record r = {OCR__REC(nd->don, POR_TK_TX_SKIPPED, nd->idx),
                          .tx_skipped = {.median = ocr__median(rep),
                                         .epoch = rep->epoch,
                                         .round = rep->round,
                                         .why = (uint8_t)why}};
    if (why == POR_SKIP_HELD_BACK) /* the pending report it is held back for */
        r.tx_skipped.pending_median = nd->tx_memory.latest_median;
    por_trace_emit(nd->don->trace, &r);
}

void por_ocr_trace_tx_result(ocr_don *d, uint32_t sender, const por_report *rep,
                             por_transmit_result res, por_time_t submitted)
{
    por_time_t now = por_sim_now(d->sim);
    por_trace_record r = {.time = now,
                          .kind = POR_TK_TX_RESULT,
                          .actor = POR_TRACE_CHAIN,
                          .tx_result = {.median = ocr__median(rep),
                                        .delay = now - submitted,
                                        .epoch = rep->epoch,
                                        .round = rep->round,
                                        .sender = sender,
                                        .result = (uint8_t)res}};
    por_trace_emit(d->trace, &r);
}

void por_ocr_trace_node(ocr_node *nd, por_trace_kind kind)
{
    por_trace_record r = {OCR__REC(nd->don, kind, nd->idx), .node = {.epoch = nd->e}};
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
