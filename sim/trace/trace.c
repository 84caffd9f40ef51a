/* The trace layer (por/trace.h), below the models: names of record kinds, OCR message
 * types, decision reasons and message fates, and the tee sink that feeds two consumers
 * (e.g. the text timeline and the HTML collector) from one run. No I/O here. */
#include "por/trace.h"

#include <stddef.h>

const char *por_trace_kind_name(por_trace_kind k)
{
    static const char *const names[POR_TK_NKINDS] = {
        [POR_TK_TRUTH] = "truth",          [POR_TK_RESERVE] = "reserve",
        [POR_TK_READ] = "read",            [POR_TK_EPOCH] = "epoch",
        [POR_TK_NEWEPOCH] = "newepoch",    [POR_TK_ROUND] = "round",
        [POR_TK_OBSERVATION] = "observation", [POR_TK_REPORT_REQ] = "report_req",
        [POR_TK_DECISION] = "decision",    [POR_TK_FINAL] = "final",
        [POR_TK_COMPLETE] = "complete",    [POR_TK_TX_SENT] = "tx_sent",
        [POR_TK_TX_SKIPPED] = "tx_skipped", [POR_TK_TX_RESULT] = "tx_result",
        [POR_TK_ANSWER] = "answer",        [POR_TK_MINT] = "mint",
        [POR_TK_REDEEM] = "redeem",        [POR_TK_CONSUMER] = "consumer",
        [POR_TK_CRASH] = "crash",          [POR_TK_RECOVER] = "recover",
        [POR_TK_FORGED_SENT] = "forged_sent", [POR_TK_FORGED_RESULT] = "forged_result",
        [POR_TK_MESSAGE] = "message",      [POR_TK_ATTACK] = "attack",
        [POR_TK_ROUND_REQUEST] = "round_request", [POR_TK_BRIDGE] = "bridge",
    };
    return (unsigned)k < POR_TK_NKINDS && names[k] ? names[k] : "?";
}

/* The OCR message types, numbered as sim/models/ocr/ocr_internal.h numbers them. */
const char *por_trace_msg_name(uint16_t type)
{
    static const char *const names[] = {
        "?", "NEWEPOCH", "OBSERVE-REQ", "OBSERVE", "REPORT-REQ", "REPORT", "FINAL", "FINAL-ECHO",
    };
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

const char *por_trace_decision_name(por_trace_decision_why w)
{
    switch (w) {
    case POR_DECIDE_FIRST: return "first answer";
    case POR_DECIDE_HEARTBEAT: return "heartbeat";
    case POR_DECIDE_DEVIATION: return "deviation";
    case POR_DECIDE_NONE: return "none";
    case POR_DECIDE_OVERFLOW: return "overflow";
    case POR_DECIDE_UNREADABLE: return "contract unreadable";
    case POR_DECIDE_OUT_OF_BOUNDS: return "median out of bounds";
    case POR_DECIDE_REQUESTED: return "round requested";
    }
    return "?";
}

const char *por_trace_fate_name(por_trace_msg_fate f)
{
    switch (f) {
    case POR_MSG_DELIVERED: return "delivered";
    case POR_MSG_LOST: return "lost";
    case POR_MSG_PARTITION: return "partitioned";
    case POR_MSG_ADVERSARY: return "dropped by attacker";
    }
    return "?";
}

static void por__tee_emit(void *ctx, const por_trace_record *r)
{
    por_trace_tee *t = ctx;
    if (t->a)
        por_trace_emit(t->a, r);
    if (t->b)
        por_trace_emit(t->b, r);
}

void por_trace_tee_init(por_trace_tee *t, por_trace_sink *a, por_trace_sink *b)
{
    t->a = a;
    t->b = b;
    t->sink.emit = por__tee_emit;
    t->sink.ctx = t;
    t->sink.describe = NULL;
    t->sink.describe_ctx = NULL;
}
