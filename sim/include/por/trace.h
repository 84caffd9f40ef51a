/* The trace layer (sim/trace): typed records of what happens in one replication, emitted
 * by the models and the network through a per-simulation sink. This header sits BELOW
 * the models: it knows records, sinks and the names of reason codes, nothing of files or
 * formats. The renderers that turn records into a readable timeline, an HTML page or a
 * CSV series are declared in por/trace_render.h (sim/io, above the models); models never
 * include it.
 *
 * A record is a small fixed struct (time, actor kind and index, record kind, a reason
 * code and a few numbers), built on the emitter's stack and handed to the sink's EMIT
 * callback, which must not keep the pointer. Tracing is off when a model's sink pointer
 * is NULL: every hook is `if (sink) ...`, so an untraced run pays one predictable branch
 * and never formats or allocates. Models never format text; the consumers do, knowing
 * the scenario (names, units, decimals).
 *
 * Who emits what (units in brackets):
 *   world (sim/models/world):  TRUTH, RESERVE, READ, ANSWER, MINT, REDEEM, CONSUMER
 *                              (from the models' listeners and the observer callback)
 *   oracles (sim/models/ocr, sim/models/oracle): EPOCH, NEWEPOCH, ROUND, OBSERVATION,
 *                              REPORT_REQ, DECISION, FINAL, COMPLETE, TX_SENT,
 *                              TX_SKIPPED, TX_RESULT, CRASH, RECOVER
 *   network (sim/net):         MESSAGE, one per oracle-to-oracle send (self-sends not)
 *   attacker (sim/models/attacker): FORGED_SENT, FORGED_RESULT
 *   consumers of the trace:    ATTACK records are made by the formatters themselves from
 *                              the scenario's attack windows (no simulation cost). */
#ifndef POR_TRACE_H
#define POR_TRACE_H

#ifdef POR_LAYER_CORE
#error "por/trace.h is the trace layer, above the engine: sim/core never includes it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/time.h"

#include <stdbool.h>
#include <stdint.h>

/* Who a record is about. */
typedef enum {
    POR_TRACE_WORLD,     /* ground truth */
    POR_TRACE_CUSTODIAN, /* index = custodian */
    POR_TRACE_ORACLE,    /* index = oracle node */
    POR_TRACE_CHAIN,     /* the feed's aggregator contract */
    POR_TRACE_TOKEN,     /* Secure Mint and supply */
    POR_TRACE_CONSUMER,  /* index = consumer */
    POR_TRACE_ATTACKER,  /* index = attack in the scenario's list */
} por_trace_actor;

/* What happened. Fields not named are 0. Amount units: [c] custodian base units,
 * [f] feed base units (feed decimals), [t] token base units. */
typedef enum {
    POR_TK_TRUTH,       /* a = true reserve [t], b = total supply [t], flag = under the
                           onset ratio now, t2 = since when (valid when flag), reason =
                           por_trace_truth_cause */
    POR_TK_RESERVE,     /* custodian index: a = before, b = after [c] */
    POR_TK_READ,        /* custodian index read for oracle PEER: reason = por_read_status,
                           a = figure [c] when ok, dt = read latency */
    POR_TK_EPOCH,       /* oracle index enters EPOCH; peer = its leader */
    POR_TK_NEWEPOCH,    /* oracle index asks for EPOCH; reason = por_trace_newepoch_why */
    POR_TK_ROUND,       /* leader index starts (EPOCH, ROUND); flag = the rMax+1 request
                           that ends the epoch */
    POR_TK_OBSERVATION, /* oracle index sends its signed observation of (EPOCH, ROUND):
                           a = value [f]; flag = tampered by a byzantine behaviour (b =
                           the honest value) */
    POR_TK_REPORT_REQ,  /* leader index: count = observations included, a = median,
                           b = lowest, c = highest [f]; peer = bitmask of observers */
    POR_TK_DECISION,    /* follower index on (EPOCH, ROUND): flag = report, reason =
                           por_trace_decision_why, ppb = |median - answer| / answer,
                           dt = age of the on-chain answer on the node's clock,
                           a = median, b = on-chain answer [f] */
    POR_TK_FINAL,       /* leader index sends FINAL of (EPOCH, ROUND): count = signatures,
                           a = median [f] */
    POR_TK_COMPLETE,    /* oracle index completes (EPOCH, ROUND) with a report */
    POR_TK_TX_SENT,     /* oracle index transmits (EPOCH, ROUND): a = median [f] */
    POR_TK_TX_SKIPPED,  /* oracle index skips (EPOCH, ROUND): reason =
                           por_trace_skip_why */
    POR_TK_TX_RESULT,   /* the aggregator's verdict on oracle index's transmission of
                           (EPOCH, ROUND): reason = por_transmit_result, dt = time from
                           submission to execution, a = median [f] */
    POR_TK_ANSWER,      /* chain: a new on-chain answer a [f], count = roundId,
                           (EPOCH, ROUND) of its report, t2 = updatedAt */
    POR_TK_MINT,        /* token: reason = por_mint_result, a = amount, b = supply the
                           guard reads after it (the chain's own with supply LOCAL, the
                           total with GLOBAL), c = mintable [t] (flag2 = c known), flag =
                           by an attacker, index = chain slot, dt = age of the feed
                           answer the guard read (-1 = none) */
    POR_TK_REDEEM,      /* token: a = burned, b = supply after [t] */
    POR_TK_CONSUMER,    /* consumer index: flag = action taken (else lifted), reason =
                           por_consumer_action, ppb = reported ratio, count = threshold */
    POR_TK_CRASH,       /* oracle index goes down */
    POR_TK_RECOVER,     /* oracle index comes back */
    POR_TK_FORGED_SENT, /* attacker index submits a report forged with count stolen keys
                           for (EPOCH, ROUND): a = forged answer [f] */
    POR_TK_FORGED_RESULT, /* the aggregator's verdict on it: reason = por_transmit_result
                           (or POR_TRANSMIT_NRESULTS when the chain dropped it) */
    POR_TK_MESSAGE,     /* network: oracle index -> PEER, msg_type (por_trace_msg_name),
                           (EPOCH, ROUND) of the message, dt = latency, reason =
                           por_trace_msg_fate; flag = delivered after retransmission,
                           t2 = the part of dt spent waiting for retransmissions */
    POR_TK_ATTACK,      /* made by consumers: attack index's window opens (flag) or
                           closes (!flag) */
    POR_TK_ROUND_REQUEST, /* token (refresh-then-mint): reason = por_trace_request_step,
                           count = mints waiting (SENT) or released (RELEASED_*), dt = gas
                           used (EMITTED, REVERTED) */
    POR_TK_NKINDS
} por_trace_kind;

/* Steps of a refresh-then-mint request (POR_TK_ROUND_REQUEST reason). */
typedef enum {
    POR_REQUEST_SENT,     /* the issuer sends requestNewRound; mints wait */
    POR_REQUEST_EMITTED,  /* included: RoundRequested emitted */
    POR_REQUEST_REVERTED, /* included: "Only owner&requester can call" */
    POR_REQUEST_DROPPED,  /* the chain dropped the transaction */
    POR_REQUEST_RELEASED_ANSWER,  /* a newer answer landed: held mints go to the guard */
    POR_REQUEST_RELEASED_TIMEOUT, /* the wait timed out, or the request reverted or was
                                     dropped: held mints go to the guard */
} por_trace_request_step;

typedef enum {
    POR_TRUTH_START,   /* the run begins */
    POR_TRUTH_RESERVE, /* a custodian's true reserve changed */
    POR_TRUTH_SUPPLY,  /* a mint or redemption changed the supply */
} por_trace_truth_cause;

typedef enum {
    POR_NEWEPOCH_PROGRESS, /* ΔProgress passed without progress (e.g. a dead leader) */
    POR_NEWEPOCH_RMAX,     /* the leader ran rMax rounds: rotate */
    POR_NEWEPOCH_JOIN,     /* more than f nodes asked for it */
} por_trace_newepoch_why;

typedef enum {
    POR_DECIDE_FIRST,     /* no answer on chain yet: report */
    POR_DECIDE_HEARTBEAT, /* the on-chain answer is at least ΔC old: report */
    POR_DECIDE_DEVIATION, /* deviation >= α: report */
    POR_DECIDE_NONE,      /* deviation < α and no heartbeat due: no report */
    POR_DECIDE_OVERFLOW,  /* the arithmetic overflowed: report (conservative) */
    POR_DECIDE_UNREADABLE, /* the contract's latest answer could not be read (RPC fault):
                              OCR1 reports (as libocr does); OCR2's Report errs and the
                              node sends nothing (flag false) */
    POR_DECIDE_OUT_OF_BOUNDS, /* OCR2: the median is outside [min_answer, max_answer]: no */
    POR_DECIDE_REQUESTED, /* deviation < α, no heartbeat due, but a requestNewRound is
                             unfulfilled (RoundRequested not older than the latest
                             transmission): report */
} por_trace_decision_why;

typedef enum {
    POR_SKIP_ON_CHAIN,    /* an equal or newer report is already on chain */
    POR_SKIP_NOT_NEWER,   /* not newer than the report this node last accepted for
                             transmission (libocr shouldTransmit) */
    POR_SKIP_UNREADABLE,  /* the contract's latest (epoch, round) could not be read (RPC
                             fault): the report is dropped, as libocr does */
    POR_SKIP_HELD_BACK,   /* held back (libocr shouldTransmit): this node's own newer-
                             than-chain report is pending and this median is within alpha
                             of it; b = that report's median [f] */
    /* OCR2 ShouldAcceptFinalizedReport refusals (median.go): */
    POR_SKIP_NOT_NEWER_THAN_ACCEPTED, /* not newer than the node's latest accepted report */
    POR_SKIP_PENDING_WITHIN_ALPHA,    /* the latest accepted report is still pending and
                                         this median is within AlphaAccept of it */
} por_trace_skip_why;

typedef enum {
    POR_MSG_DELIVERED, /* will arrive after dt */
    POR_MSG_LOST,      /* random loss */
    POR_MSG_PARTITION, /* a partition separates the nodes */
    POR_MSG_ADVERSARY, /* a network attacker dropped it */
} por_trace_msg_fate;

/* One trace record (see por_trace_kind for what each field means per kind). */
typedef struct {
    por_time_t time;
    uint16_t kind;     /* por_trace_kind */
    uint8_t actor;     /* por_trace_actor */
    uint8_t reason;    /* kind-specific reason code */
    bool flag, flag2;
    uint16_t msg_type; /* MESSAGE: OCR message type */
    uint32_t index;    /* actor index */
    uint32_t peer;
    uint32_t epoch, round;
    uint32_t count;
    por_time_t dt, t2;
    int64_t ppb;
    por_amount a, b, c;
} por_trace_record;

/* The sink models emit into. EMIT receives each record (borrowed for the call). The
 * DON fills DESCRIBE so the network can tell a message's (epoch, round). */
typedef struct por_trace_sink {
    void (*emit)(void *ctx, const por_trace_record *r);
    void *ctx;
    void (*describe)(void *dctx, const void *msg, uint32_t *epoch, uint32_t *round);
    void *describe_ctx;
} por_trace_sink;

/* Hands R to the sink (SINK must not be NULL; callers test it first). */
static inline void por_trace_emit(const por_trace_sink *sink, const por_trace_record *r)
{
    sink->emit(sink->ctx, r);
}

/* Names (static strings) of a record kind ("round"), an OCR message type
 * ("OBSERVE-REQ"; "?" when unknown), a decision reason ("deviation"), a message fate. */
const char *por_trace_kind_name(por_trace_kind k);
const char *por_trace_msg_name(uint16_t type);
const char *por_trace_decision_name(por_trace_decision_why w);
const char *por_trace_fate_name(por_trace_msg_fate f);

/* A sink that forwards each record to A and then to B (either may be NULL). */
typedef struct {
    por_trace_sink sink;
    por_trace_sink *a, *b;
} por_trace_tee;
/* Initializes T; its sink is &T->sink. */
void por_trace_tee_init(por_trace_tee *t, por_trace_sink *a, por_trace_sink *b);

#endif
