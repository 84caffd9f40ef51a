/* Teaching-mode tracing: typed records of what happens in one replication, emitted by the
 * models through a per-simulation sink, and the two consumers that turn them into a
 * readable timeline (text, streaming) or a self-contained HTML page.
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

#include "por/amount.h"
#include "por/error.h"
#include "por/scenario.h"
#include "por/time.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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

/* Formats V (base units with DECIMALS) for people: thousands separated by commas, at
 * most FRAC fractional digits (truncated), e.g. "1,000,000,000.00". BUF needs 64 bytes.
 * Returns BUF. */
char *por_trace_amount(por_amount v, unsigned decimals, unsigned frac, char *buf, size_t n);

/* A sink that forwards each record to A and then to B (either may be NULL). */
typedef struct {
    por_trace_sink sink;
    por_trace_sink *a, *b;
} por_trace_tee;
/* Initializes T; its sink is &T->sink. */
void por_trace_tee_init(por_trace_tee *t, por_trace_sink *a, por_trace_sink *b);

/* ---- the text timeline (sim/io/trace_text.c) -------------------------------------- */

typedef enum {
    POR_TRACE_LEVEL_SUMMARY, /* truth, reserves, answers, mints, leader changes, attacks */
    POR_TRACE_LEVEL_ROUND,   /* + every OCR round: leader, observations, decision, FINAL,
                                transmissions */
    POR_TRACE_LEVEL_MESSAGE, /* + every message with its latency, every read and vote */
} por_trace_level;

/* Parses "summary" | "round" | "message"; false when S is none of them. */
bool por_trace_level_parse(const char *s, por_trace_level *out);

typedef struct por_trace_text por_trace_text;

/* Creates a text formatter writing to OUT (borrowed) for scenario SC (borrowed, must
 * outlive it): records with FROM <= time <= TO are printed at LEVEL, in ANSI colour when
 * COLOUR. Lines are written as records arrive (nothing is held but O(n) per round).
 * Caller frees with por_trace_text_destroy; its sink is por_trace_text_sink(t). */
por_trace_text *por_trace_text_create(FILE *out, const por_scenario *sc, por_trace_level level,
                                      bool colour, por_time_t from, por_time_t to);
por_trace_sink *por_trace_text_sink(por_trace_text *t);
/* Prints the closing summary (what happened, how many lines were shown) at END (the
 * time the run stopped). */
void por_trace_text_finish(por_trace_text *t, por_time_t end);
void por_trace_text_destroy(por_trace_text *t);
/* Lines printed so far. */
uint64_t por_trace_text_lines(const por_trace_text *t);

/* ---- the HTML page (sim/io/trace_html.c) ------------------------------------------ */

typedef struct por_trace_html por_trace_html;

/* Creates a collector for scenario SC (borrowed) and the window [FROM, TO] (TO =
 * horizon when larger): it keeps the true reserve, reported answer and supply
 * downsampled to at most POR_TRACE_HTML_BUCKETS points, and the messages of at most
 * POR_TRACE_HTML_MAX_ROUNDS rounds in the window. Caller frees with
 * por_trace_html_destroy; its sink is por_trace_html_sink(h). */
#define POR_TRACE_HTML_BUCKETS 800
#define POR_TRACE_HTML_MAX_ROUNDS 150
#define POR_TRACE_HTML_MAX_MSGS 600
por_trace_html *por_trace_html_create(const por_scenario *sc, uint64_t replication,
                                      por_time_t from, por_time_t to);
por_trace_sink *por_trace_html_sink(por_trace_html *h);
/* Writes the self-contained page (inline CSS, SVG and a few lines of JS; no network
 * resource) to PATH. END is the time the run stopped. Returns POR_OK or POR_EIO with a
 * message in ERR. */
por_status por_trace_html_write(por_trace_html *h, const char *path, por_time_t end,
                                por_error *err);
void por_trace_html_destroy(por_trace_html *h);

/* ---- the CSV time series (sim/io/trace_series.c) ---------------------------------- */

typedef struct por_trace_series por_trace_series;

/* Starts the time series of one replication of scenario SC (borrowed, must outlive it)
 * in a temporary file next to PATH, header written: rows are
 * t_seconds,true_reserve,reported_answer,total_supply,true_ratio,reported_ratio,event,
 * one per TRUTH record (event start | reserve | supply) and per ANSWER record (event
 * answer), streamed as they arrive, and the closing row of por_trace_series_finish. Returns the collector, or NULL with ERR set (POR_EIO
 * when the file cannot be created, e.g. a missing directory; POR_EINPUT for an empty or
 * too long name). At most one series is open per process. Caller ends it with
 * por_trace_series_commit (optional) and por_trace_series_destroy; its sink is
 * por_trace_series_sink(s). */
por_trace_series *por_trace_series_create(const char *path, const por_scenario *sc,
                                          por_error *err);
por_trace_sink *por_trace_series_sink(por_trace_series *s);
/* Writes the closing row (event end): the current values at END, the time the run
 * stopped. Call once, after the run and before the commit. */
void por_trace_series_finish(por_trace_series *s, por_time_t end);
/* Flushes and renames the temporary file onto PATH. Returns POR_OK, or POR_EIO with ERR
 * set (a failed write or rename: the temporary file is removed, PATH is untouched). */
por_status por_trace_series_commit(por_trace_series *s, por_error *err);
/* Frees S (NULL is fine); without a successful commit its temporary file is removed. */
void por_trace_series_destroy(por_trace_series *s);
/* Rows written so far (the header not counted). */
uint64_t por_trace_series_rows(const por_trace_series *s);
/* Removes the open series' temporary file, if any. Async-signal-safe: for a SIGINT or
 * SIGTERM handler (exit() paths are covered by an atexit handler). */
void por_trace_series_signal_cleanup(void);
/* Formats (NUM / 10^NUM_DEC) / (DEN / 10^DEN_DEC) exactly, truncated toward zero to 9
 * decimals ("0.950000000"), into BUF (96 bytes suffice); "" when DEN <= 0. */
void por_trace_series_ratio(por_amount num, unsigned num_dec, por_amount den, unsigned den_dec,
                            char *buf, size_t n);

/* ---- the command (sim/cli/trace_cmd.c) -------------------------------------------- */

/* `porsim trace` with ARGV[1] == "trace": returns the process exit code. */
int por_trace_main(int argc, char **argv);
extern const char por_trace_usage[];

#endif
