/* The trace layer (sim/trace): typed records of what happens in one replication, emitted
 * by the models and the network through a per-simulation sink. This header sits BELOW
 * the models: it knows records, sinks and the names of reason codes, nothing of files or
 * formats. The renderers that turn records into a readable timeline, an HTML page or a
 * CSV series are declared in por/trace_render.h (sim/io, above the models); models never
 * include it.
 *
 * A record is a tagged union: a header (time, actor, actor index, kind) and one payload
 * struct per kind, or per family of kinds sharing one, with named, typed fields
 * (r.decision.why, r.decision.deviation_ppb, r.observation.tampered); por_trace_kind says
 * which member each kind carries. The meaning of a field is its name and type, not a
 * comment on a shared slot. Emitters build the record on the stack with a designated
 * initializer (everything not named is 0) and hand it to the sink's EMIT callback, which
 * must not keep the pointer. Tracing is off when a model's sink pointer is NULL: every
 * hook is `if (sink) ...`, so an untraced run pays one predictable branch and never
 * formats or allocates. Models never format text; the consumers do, knowing the scenario
 * (names, units, decimals). The record's size is bounded at compile time (below).
 *
 * Who emits what:
 *   world (sim/models/world):  TRUTH, RESERVE, READ, ANSWER, MINT, REDEEM, BRIDGE,
 *                              CONSUMER (from the models' listeners and the observer
 *                              callback), ROUND_REQUEST (refresh.c)
 *   oracles (sim/models/ocr, sim/models/oracle): EPOCH, NEWEPOCH, ROUND, OBSERVATION,
 *                              REPORT_REQ, DECISION, FINAL, COMPLETE, TX_SENT,
 *                              TX_SKIPPED, TX_RESULT, CRASH, RECOVER
 *   network (sim/net):         MESSAGE, one per oracle-to-oracle send (self-sends not)
 *   attacker (sim/models/attacker): FORGED_SENT, FORGED_RESULT
 *   nobody yet:                ATTACK (the text timeline derives attack windows from the
 *                              scenario's attack list, at no simulation cost) */
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

/* What happened: which member of por_trace_record's union a record carries (named after
 * the kind unless a family shares one), and who emits it. */
typedef enum {
    POR_TK_TRUTH,         /* .truth          world: the ground truth changed */
    POR_TK_RESERVE,       /* .reserve        a custodian's true reserve changed */
    POR_TK_READ,          /* .read           an oracle read a custodian's figure */
    POR_TK_EPOCH,         /* .enter          an oracle enters an epoch */
    POR_TK_NEWEPOCH,      /* .newepoch       an oracle asks for a new epoch */
    POR_TK_ROUND,         /* .round_start    a leader starts a round (OBSERVE-REQ) */
    POR_TK_OBSERVATION,   /* .observation    an oracle signs its observation */
    POR_TK_REPORT_REQ,    /* .report_req     a leader sends REPORT-REQ */
    POR_TK_DECISION,      /* .decision       a follower's should-report decision */
    POR_TK_FINAL,         /* .final          a leader sends FINAL */
    POR_TK_COMPLETE,      /* .complete       an oracle completes a round with a report */
    POR_TK_TX_SENT,       /* .tx_sent        an oracle transmits a report */
    POR_TK_TX_SKIPPED,    /* .tx_skipped     an oracle does not transmit it */
    POR_TK_TX_RESULT,     /* .tx_result      the aggregator's verdict on a transmission */
    POR_TK_ANSWER,        /* .answer         a new on-chain answer */
    POR_TK_MINT,          /* .mint           Secure Mint's verdict on a mint */
    POR_TK_REDEEM,        /* .redeem         a redemption burns tokens */
    POR_TK_CONSUMER,      /* .consumer       a consumer takes or lifts an action */
    POR_TK_CRASH,         /* .node           an oracle goes down */
    POR_TK_RECOVER,       /* .node           an oracle comes back */
    POR_TK_FORGED_SENT,   /* .forged         an attacker submits a forged report */
    POR_TK_FORGED_RESULT, /* .forged         the aggregator's verdict on it */
    POR_TK_MESSAGE,       /* .message        one oracle-to-oracle send (self-sends not) */
    POR_TK_ATTACK,        /* .attack         an attack window opens or closes */
    POR_TK_ROUND_REQUEST, /* .round_request  a step of refresh-then-mint's requestNewRound */
    POR_TK_BRIDGE,        /* .bridge         a bridge burn, release or refusal */
    POR_TK_NKINDS
} por_trace_kind;

/* Steps of a refresh-then-mint request (por_trace_round_request.step). */
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
                             of it; the record's pending_median is that report's
                             median */
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

/* ---- payloads ---------------------------------------------------------------------
 * One struct per kind, or per family of kinds with the same payload. Amount units in
 * brackets: [c] custodian base units, [f] feed base units (feed decimals), [t] token base
 * units. A reason code from a model's enum (por_read_status, por_transmit_result,
 * por_mint_result, por_consumer_action) is kept in a byte, since this layer includes no
 * model header; the comment names the enum. Amounts come first, then 8-byte, then 4-byte
 * fields, then bytes, so no payload pads more than it must (see the size bound below). */

/* TRUTH (actor WORLD): the ground truth after the run starts or a reserve or the supply
 * changes. */
typedef struct {
    por_amount reserve;     /* true reserve [t] */
    por_amount supply;      /* total supply [t] */
    por_time_t under_since; /* since when under the onset ratio (valid when under) */
    int64_t onset_ppb;      /* the onset ratio (reserve / supply, ppb) UNDER is judged by */
    uint8_t cause;          /* por_trace_truth_cause */
    bool under;             /* reserve / supply is below the onset ratio now */
} por_trace_truth;

/* RESERVE (actor CUSTODIAN, index = custodian): its true reserve changed. */
typedef struct {
    por_amount before, after; /* [c] */
} por_trace_reserve;

/* READ (actor CUSTODIAN, index = custodian): an oracle read the custodian's figure. */
typedef struct {
    por_amount figure;  /* what it read [c]; 0 unless status is POR_READ_OK */
    por_time_t latency; /* how long the read took */
    uint32_t node;      /* the oracle that read */
    uint8_t status;     /* por_read_status */
} por_trace_read;

/* EPOCH (actor ORACLE, index = node): the node enters EPOCH, led by LEADER. */
typedef struct {
    uint32_t epoch, leader;
} por_trace_enter;

/* NEWEPOCH (actor ORACLE, index = node): the node asks for EPOCH. */
typedef struct {
    uint32_t epoch;
    uint32_t leader; /* the node's leader when it asks */
    uint8_t why;     /* por_trace_newepoch_why */
} por_trace_newepoch;

/* ROUND (actor ORACLE, index = leader): the leader starts (EPOCH, ROUND). */
typedef struct {
    uint32_t epoch, round;
    bool ends_epoch; /* the rMax+1 OBSERVE-REQ: the signal that ends the epoch */
} por_trace_round_start;

/* OBSERVATION (actor ORACLE, index = node): the node sends its signed observation of
 * (EPOCH, ROUND) to LEADER. */
typedef struct {
    por_amount value;        /* the value it signed [f] */
    por_amount honest_value; /* the value it read [f] (differs when tampered) */
    uint32_t epoch, round, leader;
    bool tampered;           /* changed by a byzantine behaviour */
} por_trace_observation;

/* REPORT_REQ (actor ORACLE, index = leader): REPORT-REQ of (EPOCH, ROUND). */
typedef struct {
    por_amount median, lowest, highest; /* of the observations included [f] (0 if none) */
    uint32_t epoch, round;
    uint32_t observations; /* how many are included */
    uint32_t observers;    /* bitmask of the oracles whose observations are included */
} por_trace_report_req;

/* DECISION (actor ORACLE, index = follower): should-report on (EPOCH, ROUND) and why,
 * with the figures shown beside the reason. */
typedef struct {
    por_amount median;      /* the report's median [f] */
    por_amount answer;      /* the on-chain answer the decision read [f] (0: none read) */
    int64_t deviation_ppb;  /* |median - answer| / |answer| (ppb, saturated; 0: none) */
    por_time_t answer_age;  /* the answer's age on the node's clock (-1: no answer) */
    uint32_t epoch, round, leader;
    uint8_t why;            /* por_trace_decision_why, the decision's own reason */
    bool report;            /* the decision */
} por_trace_decision;

/* FINAL (actor ORACLE, index = leader): FINAL of (EPOCH, ROUND). */
typedef struct {
    por_amount median; /* [f] */
    uint32_t epoch, round;
    uint32_t signatures;
} por_trace_final;

/* COMPLETE and TX_SENT (actor ORACLE, index = node): a report of (EPOCH, ROUND) with
 * MEDIAN [f] completes at the node / is transmitted by it. */
typedef struct {
    por_amount median;
    uint32_t epoch, round;
} por_trace_report;

/* TX_SKIPPED (actor ORACLE, index = node): the node does not transmit (EPOCH, ROUND). */
typedef struct {
    por_amount median;         /* [f] */
    por_amount pending_median; /* POR_SKIP_HELD_BACK: the median of the node's own pending
                                  report it holds back for [f]; else 0 */
    uint32_t epoch, round;
    uint8_t why;               /* por_trace_skip_why */
} por_trace_tx_skipped;

/* TX_RESULT (actor CHAIN): the aggregator's verdict on SENDER's transmission of (EPOCH,
 * ROUND). */
typedef struct {
    por_amount median;  /* [f] */
    por_time_t delay;   /* from submission to execution */
    uint32_t epoch, round;
    uint32_t sender;    /* the transmitting oracle */
    uint8_t result;     /* por_transmit_result */
} por_trace_tx_result;

/* ANSWER (actor CHAIN): a new on-chain answer, from the report of (EPOCH, ROUND). */
typedef struct {
    por_amount answer;     /* [f] */
    por_amount supply;     /* the token's total supply outstanding at that moment [t] */
    por_time_t updated_at; /* the answer's updatedAt */
    uint32_t round_id;     /* the aggregator's roundId */
    uint32_t epoch, round;
} por_trace_answer;

/* MINT (actor TOKEN): Secure Mint's verdict on a mint on CHAIN_SLOT. */
typedef struct {
    por_amount amount;   /* [t] */
    por_amount supply;   /* the supply the guard reads after it [t]: the chain's own with
                            supply LOCAL, the total with GLOBAL */
    por_amount mintable; /* [t], valid when mintable_known */
    por_time_t feed_age; /* age of the feed answer the guard read (-1: none, or unguarded) */
    uint32_t chain_slot; /* the chain the mint is on (slot into token.chains) */
    uint8_t result;      /* por_mint_result */
    bool by_attacker;    /* minted by a compromised minter */
    bool mintable_known; /* the guard computed MINTABLE */
} por_trace_mint;

/* REDEEM (actor TOKEN): a redemption burns AMOUNT. */
typedef struct {
    por_amount amount, supply_after; /* [t] */
} por_trace_redeem;

/* BRIDGE (actor TOKEN): a bridge moves tokens between two of the token's chains: the burn
 * of AMOUNT on CHAIN_SLOT for OTHER_SLOT, its release on CHAIN_SLOT from OTHER_SLOT, or
 * the refusal of a transfer larger than CHAIN_SLOT's supply (nothing burned). */
typedef struct {
    por_amount amount;       /* [t] */
    por_amount supply_after; /* CHAIN_SLOT's on-chain supply after [t] */
    por_amount in_flight;    /* tokens burned and not yet released, after [t] */
    uint32_t chain_slot, other_slot;
    bool release;            /* a release (else a burn or a refusal) */
    bool refused;            /* refused: more than CHAIN_SLOT's supply */
} por_trace_bridge;

/* CONSUMER (actor CONSUMER, index = consumer): it takes or lifts an action. */
typedef struct {
    int64_t reported_ratio_ppb;    /* the reported ratio that triggered it (ppb) */
    int64_t collateral_factor_ppb; /* LOWER_CF: the threshold's factor (ppb) */
    uint32_t threshold;            /* index into the consumer's thresholds */
    uint8_t action;                /* por_consumer_action */
    bool engaged;                  /* taken (else lifted) */
} por_trace_consumer;

/* CRASH and RECOVER (actor ORACLE, index = node). */
typedef struct {
    uint32_t epoch; /* the node's epoch then */
} por_trace_node;

/* FORGED_SENT and FORGED_RESULT (actor ATTACKER; index 0: the forger does not know its
 * place in the scenario's attack list): a report forged with STOLEN_KEYS keys for (EPOCH,
 * ROUND), and the aggregator's verdict on it. */
typedef struct {
    por_amount answer; /* the forged answer [f] */
    uint32_t epoch, round;
    uint32_t stolen_keys;
    uint8_t result;    /* FORGED_RESULT: por_transmit_result, POR_TRANSMIT_NRESULTS when
                          the chain dropped it; FORGED_SENT: 0 */
} por_trace_forged;

/* MESSAGE (actor ORACLE, index = sender): one send to TO, of (EPOCH, ROUND) as the sink's
 * DESCRIBE tells them. */
typedef struct {
    por_time_t latency;     /* send to delivery (DELIVERED) */
    por_time_t resend_wait; /* the part of LATENCY spent waiting for retransmissions */
    uint32_t to;
    uint32_t epoch, round;
    uint32_t size;          /* bytes on the wire */
    uint16_t type;          /* OCR message type (por_trace_msg_name) */
    uint8_t fate;           /* por_trace_msg_fate */
    bool resent;            /* delivered after retransmission */
} por_trace_message;

/* ATTACK (actor ATTACKER, index = attack): its window opens or closes. */
typedef struct {
    bool opens;
} por_trace_attack;

/* ROUND_REQUEST (actor TOKEN): a step of refresh-then-mint. */
typedef struct {
    uint64_t gas;  /* gas used (EMITTED, REVERTED) */
    uint32_t mints; /* mints waiting (SENT) or released (RELEASED_*) */
    uint8_t step;  /* por_trace_request_step */
} por_trace_round_request;

/* One trace record: who and when, then the payload KIND names. Build it with a
 * designated initializer, which zeroes what it does not name:
 *   por_trace_record r = {.time = now, .kind = POR_TK_FINAL, .actor = POR_TRACE_ORACLE,
 *                         .index = leader, .final = {.median = m, .epoch = e, ...}}; */
typedef struct {
    por_time_t time;
    uint16_t kind;  /* por_trace_kind: which union member is valid */
    uint8_t actor;  /* por_trace_actor */
    uint32_t index; /* the actor's index (custodian, oracle, consumer, attack); 0 for
                       WORLD, CHAIN and TOKEN */
    union {
        por_trace_truth truth;
        por_trace_reserve reserve;
        por_trace_read read;
        por_trace_enter enter;
        por_trace_newepoch newepoch;
        por_trace_round_start round_start;
        por_trace_observation observation;
        por_trace_report_req report_req;
        por_trace_decision decision;
        por_trace_final final;
        por_trace_report complete;
        por_trace_report tx_sent;
        por_trace_tx_skipped tx_skipped;
        por_trace_tx_result tx_result;
        por_trace_answer answer;
        por_trace_mint mint;
        por_trace_redeem redeem;
        por_trace_bridge bridge;
        por_trace_consumer consumer;
        por_trace_node node;
        por_trace_forged forged;
        por_trace_message message;
        por_trace_attack attack;
        por_trace_round_request round_request;
    };
} por_trace_record;

/* A record is built on the emitter's stack and copied by value wherever a consumer keeps
 * one; MESSAGE records come once per oracle-to-oracle send, the hot path of a traced run.
 * Bound: 16 bytes of header plus 64 of payload (the largest payloads, DECISION, MINT,
 * REPORT_REQ and BRIDGE, hold two or three 16-byte amounts and fill 64). The flat record
 * this replaced was 112 bytes. A new field that breaks the bound belongs in a smaller
 * type or a payload of its own. */
_Static_assert(sizeof(por_trace_record) <= 80,
               "por_trace_record grew past 80 bytes: 16 of header + 64 of payload");

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
