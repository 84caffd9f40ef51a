/* The readable timeline of `porsim trace`: turns trace records (por/trace.h) into one
 * line each, as they arrive, in simulated clock time ("day 0 00:20:00.412"), naming each
 * actor and saying why things happen (should-report reasons, Secure Mint refusals,
 * leader changes). Three levels: summary (the story: truth, reserves, answers, mints,
 * leaders, attacks), round (+ every OCR round) and message (+ every message, read and
 * vote). Attack windows come from the scenario and are announced when the clock passes
 * them. Nothing is held but a few counters and the current round's bookkeeping, so a
 * year-long trace streams in constant memory. */
#include "por/trace_render.h"

#include "por/aggregator.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/error.h"
#include "por/ratio.h"
#include "por/token.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ANSI colours (only when writing to a terminal). */
#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_RED "\033[1;31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BLUE "\033[34m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_BOLD "\033[1m"

struct por_trace_text {
    por_trace_sink sink;
    FILE *out;
    const por_scenario *sc;
    por_trace_level level;
    bool colour;
    por_time_t from, to;
    uint64_t lines;
    /* attack windows announced so far: bit 0 opened, bit 1 closed (per attack) */
    uint8_t *attack_state;
    /* the story so far */
    bool truth_known, truth_under;
    por_amount truth_reserve, truth_supply;
    bool answer_known;
    por_amount answer;
    /* per custodian: the attestation figure the oracles last read (to announce a change
     * at every level: the refresh that reveals a loss is part of the story) */
    bool *read_known;
    por_amount *read_figure;
    uint32_t max_epoch, last_leader;
    uint64_t newepoch_key;   /* last (epoch) whose change request was printed */
    uint64_t decision_key;   /* (epoch << 32 | round) whose decision was printed */
    uint64_t complete_key;   /* (epoch << 32 | round) whose completion was printed */
    uint64_t held_key;       /* (epoch << 32 | round) whose hold-back (OCR1 or OCR2) was
                                printed */
    bool context_printed;
    /* counters for the closing summary */
    uint64_t rounds, reports, answers, mints_ok, mints_refused, forged_ok;
    bool onset_seen;
    por_time_t onset_at;
};

static const char *por__col(const por_trace_text *t, const char *c) { return t->colour ? c : ""; }

/* Prints one timeline line: clock, actor column, then the formatted text. */
static void por__line(por_trace_text *t, por_time_t at, const char *colour, const char *actor,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void por__line(por_trace_text *t, por_time_t at, const char *colour, const char *actor,
                      const char *fmt, ...)
{
    char clock[48];
    por_time_format_clock(at, clock, sizeof clock);
    fprintf(t->out, "%s%s%s  %s%-14s%s ", por__col(t, C_DIM), clock, por__col(t, C_RESET),
            por__col(t, colour), actor, t->colour && *colour ? C_RESET : "");
    if (t->colour && *colour)
        fputs(colour, t->out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->out, fmt, ap);
    va_end(ap);
    if (t->colour && *colour)
        fputs(C_RESET, t->out);
    fputc('\n', t->out);
    t->lines++;
}

/* ---- units ---------------------------------------------------------------------- */

static const char *por__unit(const por_trace_text *t)
{
    const por_feed_config *f = &t->sc->feed;
    return f->nsources && f->sources[0] < t->sc->ncustodians
               ? t->sc->custodians[f->sources[0]].unit
               : "";
}

static char *por__feed_amt(const por_trace_text *t, por_amount v, char *buf)
{
    char a[64];
    por_trace_amount(v, t->sc->feed.decimals, 2, a, sizeof a);
    snprintf(buf, 96, "%s %s", a, por__unit(t));
    return buf;
}

static char *por__tok_amt(const por_trace_text *t, por_amount v, char *buf)
{
    char a[64];
    por_trace_amount(v, t->sc->token.decimals, 2, a, sizeof a);
    snprintf(buf, 96, "%s tokens", a);
    return buf;
}

static char *por__cust_amt(const por_trace_text *t, uint32_t c, por_amount v, char *buf)
{
    char a[64];
    if (c >= t->sc->ncustodians) {
        snprintf(buf, 96, "?");
        return buf;
    }
    por_trace_amount(v, t->sc->custodians[c].decimals, 2, a, sizeof a);
    snprintf(buf, 96, "%s %s", a, t->sc->custodians[c].unit);
    return buf;
}

static char *por__dur(por_time_t d, char *buf)
{
    if (d < 0)
        d = 0;
    if (d < POR_SEC) {
        snprintf(buf, 48, "%.1fms", (double)d / 1e6);
    } else if (d < POR_MIN) {
        snprintf(buf, 48, "%.3f", (double)(d - d % POR_MS) / 1e9);
        size_t k = strlen(buf);
        while (k > 0 && buf[k - 1] == '0')
            buf[--k] = '\0';
        if (k > 0 && buf[k - 1] == '.')
            buf[--k] = '\0';
        snprintf(buf + k, 48 - k, "s");
    } else {
        por_duration_format(d - d % POR_SEC, buf, 48);
    }
    return buf;
}

static char *por__pct(int64_t ppb, char *buf)
{
    if (ppb == INT64_MAX)
        snprintf(buf, 32, "huge");
    else
        snprintf(buf, 32, "%.2f%%", (double)ppb / 1e7);
    return buf;
}

/* Reported reserve (answer rescaled to token decimals) / supply. */
static double por__ratio(const por_trace_text *t, por_amount answer, por_amount supply)
{
    double a = por_amount_to_double(answer, t->sc->feed.decimals);
    double s = por_amount_to_double(supply, t->sc->token.decimals);
    return s > 0 ? a / s : 0;
}

static char *por__nodes(const uint32_t *nodes, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 12 < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", (unsigned)nodes[i]);
    return buf;
}

static char *por__mask(uint32_t mask, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t j = 0; j < 32 && o + 12 < len; j++)
        if (mask & (1u << j))
            o += (size_t)snprintf(buf + o, len - o, "%s%u", o ? "," : "", (unsigned)j);
    return buf;
}

/* ---- attacks (from the scenario) ------------------------------------------------- */

static const char *por__byz_name(por_byzantine_behavior b)
{
    static const char *const n[] = {"inflate", "deflate", "random", "silent",
                                    "equivocate", "refuse_sign", "withhold_final",
                                    "malformed"};
    return (unsigned)b < sizeof n / sizeof n[0] ? n[b] : "?";
}

static void por__attack_text(const por_trace_text *t, const por_attack_config *a, char *buf,
                             size_t len)
{
    char nodes[160], amt[96];
    por__nodes(a->nodes, a->nnodes, nodes, sizeof nodes);
    if (a->has_leader_at) { /* "leader_at": the oracle leading at that time, plus any listed */
        char at[48], listed[96];
        snprintf(listed, sizeof listed, "%.90s", nodes);
        snprintf(nodes, sizeof nodes, "%s%sthe leader at %s", listed, a->nnodes ? " and " : "",
                 por__dur(a->leader_at, at));
    }
    switch (a->kind) {
    case POR_ATTACK_CRASH:
        snprintf(buf, len, "oracle(s) %s crash", nodes);
        break;
    case POR_ATTACK_BYZANTINE:
        snprintf(buf, len, "oracle(s) %s turn byzantine: %s%s", nodes, por__byz_name(a->behavior),
                 a->behavior == POR_BYZ_INFLATE || a->behavior == POR_BYZ_DEFLATE ? " (x" : "");
        if (a->behavior == POR_BYZ_INFLATE || a->behavior == POR_BYZ_DEFLATE) {
            size_t o = strlen(buf);
            int64_t f = a->factor_ppb > 0 ? a->factor_ppb
                                          : (a->behavior == POR_BYZ_INFLATE ? 1500000000 : 500000000);
            snprintf(buf + o, len - o, "%.3g their observations)", (double)f / 1e9);
        }
        break;
    case POR_ATTACK_KEY_COMPROMISE:
        snprintf(buf, len, "signing keys of oracle(s) %s are stolen: the attacker forges reports of %s",
                 nodes, por__feed_amt(t, a->forged_answer, amt));
        break;
    case POR_ATTACK_NETWORK:
        snprintf(buf, len, "network attack on %s%s: +%s delay, %.0f%% dropped",
                 a->nnodes || a->has_leader_at ? "oracle(s) " : "",
                 a->nnodes || a->has_leader_at ? nodes : "the leader",
                 por__dur(a->extra_delay, (char[48]){0}), a->drop * 100);
        break;
    case POR_ATTACK_CUSTODIAN_FRAUD:
        snprintf(buf, len, "custodian %s lies: %s%s",
                 a->custodian < t->sc->ncustodians ? t->sc->custodians[a->custodian].name : "?",
                 a->hide_drain ? "keeps publishing the pre-window figure" : "misreports",
                 a->misreport_ppb ? " scaled" : "");
        if (a->misreport_ppb) {
            size_t o = strlen(buf);
            snprintf(buf + o, len - o, " by %+.2f%%", (double)a->misreport_ppb / 1e7);
        }
        break;
    case POR_ATTACK_MINTER:
        snprintf(buf, len, "a stolen minter key tries %u mint(s) of %s", (unsigned)a->mint_attempts,
                 por__tok_amt(t, a->mint_amount, amt));
        break;
    }
}

/* Announces attack windows opening or closing at or before AT (in time order). */
static void por__attacks_until(por_trace_text *t, por_time_t at)
{
    for (;;) {
        size_t best = SIZE_MAX;
        por_time_t best_t = 0;
        bool open = false;
        for (size_t i = 0; i < t->sc->nattackers; i++) {
            const por_window *w = &t->sc->attackers[i].window;
            if (!(t->attack_state[i] & 1) && w->from <= at &&
                (best == SIZE_MAX || w->from < best_t)) {
                best = i, best_t = w->from, open = true;
            } else if ((t->attack_state[i] & 1) && !(t->attack_state[i] & 2) &&
                       w->until <= at && w->until < POR_TIME_MAX &&
                       (best == SIZE_MAX || w->until < best_t)) {
                best = i, best_t = w->until, open = false;
            }
        }
        if (best == SIZE_MAX)
            return;
        t->attack_state[best] |= open ? 1 : 2;
        if (best_t < t->from || best_t > t->to)
            continue;
        char what[400];
        por__attack_text(t, &t->sc->attackers[best], what, sizeof what);
        por__line(t, best_t, C_MAGENTA, "attacker", "%s %s", open ? "BEGINS:" : "ENDS:", what);
    }
}

/* ---- records --------------------------------------------------------------------- */

static bool por__visible(const por_trace_text *t, por_trace_level need) { return t->level >= need; }

static void por__truth(por_trace_text *t, const por_trace_record *r)
{
    bool changed = !t->truth_known || r->flag != t->truth_under;
    t->truth_known = true;
    t->truth_under = r->flag;
    t->truth_reserve = r->a;
    t->truth_supply = r->b;
    if (r->flag && !t->onset_seen) {
        t->onset_seen = true;
        t->onset_at = r->t2;
    }
    if (!changed && r->reason == POR_TRUTH_SUPPLY)
        return;
    double ratio = por_ratio_to_double(r->a, r->b);
    char res[96], sup[96], since[48];
    if (r->flag)
        por__line(t, r->time, C_RED, "truth",
                  "true ratio %.4f: UNDERCOLLATERALIZED since %s (reserve %s < supply %s)", ratio,
                  por_time_format_clock(r->t2, since, sizeof since),
                  por__tok_amt(t, r->a, res), por__tok_amt(t, r->b, sup));
    else
        por__line(t, r->time, C_GREEN, "truth", "true ratio %.4f: fully backed (reserve %s, supply %s)",
                  ratio, por__tok_amt(t, r->a, res), por__tok_amt(t, r->b, sup));
}

static void por__custodian(por_trace_text *t, const por_trace_record *r)
{
    const char *name = r->index < t->sc->ncustodians ? t->sc->custodians[r->index].name : "?";
    char actor[96], x[96], y[96];
    snprintf(actor, sizeof actor, "custodian %s", name);
    if (r->kind == POR_TK_RESERVE) {
        double pct = r->a != 0 ? ((double)(r->b - r->a) / (double)r->a) * 100 : 0;
        por__line(t, r->time, C_BLUE, actor, "true reserve %s -> %s (%+.2f%%)",
                  por__cust_amt(t, r->index, r->a, x), por__cust_amt(t, r->index, r->b, y), pct);
        return;
    }
    /* READ */
    bool ok = r->reason == POR_READ_OK;
    if (ok && r->index < t->sc->ncustodians) {
        bool changed = t->read_known[r->index] && t->read_figure[r->index] != r->a;
        if (changed)
            por__line(t, r->time, C_BLUE, actor,
                      "attestation now says %s (was %s; first read by oracle %u): the oracles "
                      "can see the change",
                      por__cust_amt(t, r->index, r->a, x),
                      por__cust_amt(t, r->index, t->read_figure[r->index], y), (unsigned)r->peer);
        t->read_known[r->index] = true;
        t->read_figure[r->index] = r->a;
    }
    if (!por__visible(t, ok ? POR_TRACE_LEVEL_MESSAGE : POR_TRACE_LEVEL_ROUND))
        return;
    char lat[48];
    if (ok)
        por__line(t, r->time, C_DIM, actor, "attestation read by oracle %u: %s (took %s)",
                  (unsigned)r->peer, por__cust_amt(t, r->index, r->a, x), por__dur(r->dt, lat));
    else
        por__line(t, r->time, C_YELLOW, actor, "attestation read by oracle %u FAILED: %s",
                  (unsigned)r->peer, por_read_status_name((por_read_status)r->reason));
}

static void por__oracle_round(por_trace_text *t, const por_trace_record *r)
{
    char actor[32], x[96], y[96], z[96], buf[160];
    snprintf(actor, sizeof actor, "oracle %u", (unsigned)r->index);
    uint64_t key = ((uint64_t)r->epoch << 32) | r->round;
    const por_ocr_config *oc = &t->sc->feed.ocr;
    switch (r->kind) {
    case POR_TK_ROUND:
        if (r->flag) {
            por__line(t, r->time, "", actor,
                      "leader ends epoch %u after rMax=%u rounds (OBSERVE-REQ r%u is the signal to "
                      "rotate)", (unsigned)r->epoch, (unsigned)oc->r_max, (unsigned)r->round);
        } else {
            por__line(t, r->time, C_BOLD, actor, "leader starts round e%u/r%u: OBSERVE-REQ to all",
                      (unsigned)r->epoch, (unsigned)r->round);
        }
        break;
    case POR_TK_OBSERVATION:
        if (r->flag)
            por__line(t, r->time, C_MAGENTA, actor,
                      "BYZANTINE: reads %s but signs %s for e%u/r%u", por__feed_amt(t, r->b, x),
                      por__feed_amt(t, r->a, y), (unsigned)r->epoch, (unsigned)r->round);
        else if (por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            por__line(t, r->time, C_DIM, actor, "observes %s for e%u/r%u",
                      por__feed_amt(t, r->a, x), (unsigned)r->epoch, (unsigned)r->round);
        break;
    case POR_TK_REPORT_REQ:
        por__line(t, r->time, "", actor,
                  "leader got %u signed observations (oracles %s): median %s, range %s .. %s -> "
                  "REPORT-REQ", (unsigned)r->count, por__mask(r->peer, buf, sizeof buf),
                  por__feed_amt(t, r->a, x), por__feed_amt(t, r->b, y), por__feed_amt(t, r->c, z));
        break;
    case POR_TK_DECISION: {
        bool first = t->decision_key != key;
        if (!first && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            break;
        t->decision_key = key;
        char why[400], pct[32], alpha[32], age[48], dc[48];
        por__pct(r->ppb, pct);
        por__pct(oc->alpha_ppb, alpha);
        por__dur(r->dt, age);
        por__dur(oc->delta_c, dc);
        switch ((por_trace_decision_why)r->reason) {
        case POR_DECIDE_FIRST:
            snprintf(why, sizeof why, "YES: no answer on chain yet");
            break;
        case POR_DECIDE_HEARTBEAT:
            snprintf(why, sizeof why, "YES: heartbeat: the on-chain answer is %s old >= DeltaC %s",
                     age, dc);
            break;
        case POR_DECIDE_DEVIATION:
            snprintf(why, sizeof why, "YES: deviation %s >= alpha %s (median %s vs on-chain %s)",
                     pct, alpha, por__feed_amt(t, r->a, x), por__feed_amt(t, r->b, y));
            break;
        case POR_DECIDE_NONE:
            snprintf(why, sizeof why,
                     "no: deviation %s < alpha %s and the answer is %s old < DeltaC %s", pct, alpha,
                     age, dc);
            break;
        case POR_DECIDE_UNREADABLE:
            snprintf(why, sizeof why, r->flag ? "YES: the contract's latest answer could not be read"
                                              : "no answer (OCR2): the contract could not be read, "
                                                "Report errs and nothing is sent");
            break;
        case POR_DECIDE_OUT_OF_BOUNDS:
            snprintf(why, sizeof why, "no: the median %s is outside [min_answer, max_answer]",
                     por__feed_amt(t, r->a, x));
            break;
        case POR_DECIDE_REQUESTED:
            snprintf(why, sizeof why,
                     "YES: request pending: requestNewRound asked for a report (deviation %s < alpha "
                     "%s, answer %s old)",
                     pct, alpha, age);
            break;
        default:
            snprintf(why, sizeof why, "YES: the deviation does not fit the arithmetic");
            break;
        }
        por__line(t, r->time, r->flag ? C_YELLOW : "", actor, "should-report e%u/r%u? %s%s",
                  (unsigned)r->epoch, (unsigned)r->round, why,
                  t->sc->feed.protocol == POR_PROTOCOL_OCR2 && !r->flag &&
                          r->reason != POR_DECIDE_UNREADABLE
                      ? " -> skip attestation to the leader"
                      : "");
        break;
    }
    case POR_TK_FINAL:
        por__line(t, r->time, C_BOLD, actor,
                  "leader sends FINAL e%u/r%u: report of median %s with %u signatures",
                  (unsigned)r->epoch, (unsigned)r->round, por__feed_amt(t, r->a, x),
                  (unsigned)r->count);
        break;
    case POR_TK_COMPLETE:
        if (t->complete_key == key && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            break;
        t->complete_key = key;
        if (t->sc->feed.protocol == POR_PROTOCOL_OCR2)
            por__line(t, r->time, "", actor,
                      "report e%u/r%u finalized (FINAL or FINAL-ECHO with f+1=%u signatures): echoed, "
                      "ShouldAcceptFinalizedReport next",
                      (unsigned)r->epoch, (unsigned)r->round, (unsigned)oc->f + 1);
        else
            por__line(t, r->time, "", actor,
                      "round e%u/r%u complete (more than f=%u FINAL-ECHOs): report goes to transmission",
                      (unsigned)r->epoch, (unsigned)r->round, (unsigned)oc->f);
        break;
    case POR_TK_TX_SENT:
        por__line(t, r->time, C_CYAN, actor, "transmits report e%u/r%u (median %s) to the chain",
                  (unsigned)r->epoch, (unsigned)r->round, por__feed_amt(t, r->a, x));
        break;
    case POR_TK_TX_SKIPPED:
        if (r->reason == POR_SKIP_HELD_BACK) {
            /* a decision worth seeing at round level: the first node's line of each
             * round, the others at message level */
            if (t->held_key == key && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
                break;
            t->held_key = key;
            char y[96];
            por__line(t, r->time, C_YELLOW, actor,
                      "holds back e%u/r%u (median %s): its own report of median %s is still "
                      "pending and they differ by less than alpha %s",
                      (unsigned)r->epoch, (unsigned)r->round, por__feed_amt(t, r->a, x),
                      por__feed_amt(t, r->b, y), por__pct(oc->alpha_ppb, z));
            break;
        }
        if (r->reason == POR_SKIP_PENDING_WITHIN_ALPHA && !por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
            if (t->held_key == key)
                break; /* at round level: the first node's hold-back of each round */
            t->held_key = key;
        } else if (!por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
            break;
        }
        por__line(t, r->time, C_DIM, actor, "skips transmitting e%u/r%u: %s",
                  (unsigned)r->epoch, (unsigned)r->round,
                  r->reason == POR_SKIP_ON_CHAIN     ? "an equal or newer report is on chain"
                  : r->reason == POR_SKIP_UNREADABLE ? "the contract could not be read"
                  : r->reason == POR_SKIP_NOT_NEWER_THAN_ACCEPTED
                      ? "ShouldAcceptFinalizedReport: not newer than its latest accepted report"
                  : r->reason == POR_SKIP_PENDING_WITHIN_ALPHA
                      ? "ShouldAcceptFinalizedReport: held back, its accepted report is "
                        "pending and this median is within alpha_accept of it"
                      : "not newer than the report it last accepted");
        break;
    default:
        break;
    }
}

static void por__epoch(por_trace_text *t, const por_trace_record *r)
{
    char actor[32], dp[48];
    snprintf(actor, sizeof actor, "oracle %u", (unsigned)r->index);
    if (r->kind == POR_TK_EPOCH) {
        if (r->epoch > t->max_epoch) {
            bool change = t->max_epoch > 0 && r->peer != t->last_leader;
            t->max_epoch = r->epoch;
            t->last_leader = r->peer;
            por__line(t, r->time, change ? C_YELLOW : "", "DON", "epoch %u begins: leader is oracle %u%s",
                      (unsigned)r->epoch, (unsigned)r->peer, change ? " (LEADER CHANGE)" : "");
        } else if (por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
            por__line(t, r->time, C_DIM, actor, "enters epoch %u", (unsigned)r->epoch);
        }
        return;
    }
    /* NEWEPOCH */
    bool first = r->epoch != t->newepoch_key;
    if (!por__visible(t, first ? POR_TRACE_LEVEL_ROUND : POR_TRACE_LEVEL_MESSAGE))
        return;
    t->newepoch_key = r->epoch;
    switch ((por_trace_newepoch_why)r->reason) {
    case POR_NEWEPOCH_PROGRESS:
        por__line(t, r->time, C_YELLOW, actor,
                  "no progress for DeltaProgress=%s under leader oracle %u: asks for epoch %u",
                  por__dur(t->sc->feed.ocr.delta_progress, dp), (unsigned)r->peer,
                  (unsigned)r->epoch);
        break;
    case POR_NEWEPOCH_RMAX:
        por__line(t, r->time, "", actor, "leader oracle %u ran its rMax rounds: asks for epoch %u",
                  (unsigned)r->peer, (unsigned)r->epoch);
        break;
    default:
        por__line(t, r->time, C_DIM, actor, "more than f nodes want epoch %u: joins the request",
                  (unsigned)r->epoch);
        break;
    }
}

static void por__chain(por_trace_text *t, const por_trace_record *r)
{
    char x[96], lat[48];
    if (r->kind == POR_TK_TX_RESULT) {
        if (r->reason == POR_TRANSMIT_ACCEPTED)
            por__line(t, r->time, C_CYAN, "chain",
                      "transmission of e%u/r%u by oracle %u landed after %s: ACCEPTED",
                      (unsigned)r->epoch, (unsigned)r->round, (unsigned)r->index,
                      por__dur(r->dt, lat));
        else
            por__line(t, r->time, r->reason == POR_TRANSMIT_STALE ? C_DIM : C_YELLOW, "chain",
                      "transmission of e%u/r%u by oracle %u landed after %s: refused (%s)",
                      (unsigned)r->epoch, (unsigned)r->round, (unsigned)r->index,
                      por__dur(r->dt, lat), por_transmit_result_name((por_transmit_result)r->reason));
        return;
    }
    /* ANSWER */
    t->answers++;
    t->answer_known = true;
    t->answer = r->a;
    por__line(t, r->time, C_CYAN, "chain",
              "ON-CHAIN ANSWER %s (roundId %u, report e%u/r%u): reported ratio %.4f",
              por__feed_amt(t, r->a, x), (unsigned)r->count, (unsigned)r->epoch,
              (unsigned)r->round, por__ratio(t, r->a, r->b));
}

static void por__token(por_trace_text *t, const por_trace_record *r)
{
    char x[96], y[96], z[96], age[48], st[48];
    const char *who = r->flag ? "ATTACKER mint" : "mint";
    if (r->kind == POR_TK_REDEEM && r->flag) { /* a bridge transfer (sim/models/world) */
        const por_token_config *tk = &t->sc->token;
        const char *at = t->sc->chains[tk->chains[r->index]].name;
        const char *other = t->sc->chains[tk->chains[r->peer]].name;
        if (r->reason)
            por__line(t, r->time, C_RED, "bridge", "transfer of %s from %s to %s REFUSED: more than the supply on %s",
                      por__tok_amt(t, r->a, x), at, other, at);
        else
            por__line(t, r->time, "", "bridge", "%s %s on %s (%s %s): in flight %s, on-chain supply %s",
                      r->flag2 ? "release" : "burn", por__tok_amt(t, r->a, x), at, r->flag2 ? "from" : "for",
                      other, por__tok_amt(t, r->c, y), por__tok_amt(t, r->b, z));
        return;
    }
    if (r->kind == POR_TK_REDEEM) {
        por__line(t, r->time, "", "token", "redeem %s: supply now %s", por__tok_amt(t, r->a, x),
                  por__tok_amt(t, r->b, y));
        return;
    }
    const por_secure_mint_config *sm = &t->sc->token.secure_mint;
    const por_token_config *tk = &t->sc->token;
    char on[112] = "";
    if (tk->nchains > 1 && r->index < tk->nchains) /* which chain, and whose supply */
        snprintf(on, sizeof on, " on %s%s", t->sc->chains[tk->chains[r->index]].name,
                 sm->supply == POR_SUPPLY_GLOBAL ? " (all chains' supply)" : "");
    switch ((por_mint_result)r->reason) {
    case POR_MINT_ACCEPTED:
        t->mints_ok++;
        if (r->flag2)
            por__line(t, r->time, r->flag ? C_MAGENTA : C_GREEN, "Secure Mint",
                      "%s of %s%s ACCEPTED: supply %s <= mintable %s", who, por__tok_amt(t, r->a, x),
                      on, por__tok_amt(t, r->b, y), por__tok_amt(t, r->c, z));
        else
            por__line(t, r->time, r->flag ? C_MAGENTA : C_GREEN, "Secure Mint",
                      "%s of %s ACCEPTED%s: supply %s", who, por__tok_amt(t, r->a, x),
                      sm->enabled ? "" : " (guard disabled)", por__tok_amt(t, r->b, y));
        break;
    case POR_MINT_EXCEEDS_RESERVE: {
        t->mints_refused++;
        por_amount want;
        if (!por_amount_add(r->b, r->a, &want))
            want = POR_AMOUNT_MAX;
        por__line(t, r->time, C_RED, "Secure Mint",
                  "%s of %s%s REFUSED: supply + amount %s > mintable %s (exceeds_reserve)", who,
                  por__tok_amt(t, r->a, x), on, por__tok_amt(t, want, y), por__tok_amt(t, r->c, z));
        break;
    }
    case POR_MINT_STALE:
        t->mints_refused++;
        por__line(t, r->time, C_RED, "Secure Mint",
                  "%s of %s REFUSED: the feed's answer is %s old > max_staleness %s (stale)", who,
                  por__tok_amt(t, r->a, x), por__dur(r->dt, age), por__dur(sm->max_staleness, st));
        break;
    default:
        t->mints_refused++;
        por__line(t, r->time, C_RED, "Secure Mint", "%s of %s REFUSED (%s)", who,
                  por__tok_amt(t, r->a, x), por_mint_result_name((por_mint_result)r->reason));
        break;
    }
}

/* Refresh-then-mint: the issuer's requestNewRound and the mints it holds. */
static void por__round_request(por_trace_text *t, const por_trace_record *r)
{
    unsigned n = (unsigned)r->count;
    switch ((por_trace_request_step)r->reason) {
    case POR_REQUEST_SENT:
        por__line(t, r->time, C_YELLOW, "issuer",
                  "requestNewRound sent: the reported reserve does not cover a mint; %u mint%s wait for a fresh answer",
                  n, n == 1 ? "" : "s");
        break;
    case POR_REQUEST_EMITTED:
        por__line(t, r->time, "", "chain", "requestNewRound included: RoundRequested emitted (%lld gas)",
                  (long long)r->dt);
        break;
    case POR_REQUEST_REVERTED:
        por__line(t, r->time, C_RED, "chain",
                  "requestNewRound REVERTED: \"Only owner&requester can call\" (%lld gas)", (long long)r->dt);
        break;
    case POR_REQUEST_DROPPED:
        por__line(t, r->time, C_RED, "chain", "requestNewRound dropped from the mempool");
        break;
    case POR_REQUEST_RELEASED_ANSWER:
        por__line(t, r->time, "", "issuer", "a fresh answer landed: %u held mint%s go to Secure Mint", n,
                  n == 1 ? "" : "s");
        break;
    case POR_REQUEST_RELEASED_TIMEOUT:
        por__line(t, r->time, C_RED, "issuer", "no fresh answer coming (timeout, or the request failed): %u held mint%s go to Secure Mint", n,
                  n == 1 ? "" : "s");
        break;
    }
}

static void por__consumer(por_trace_text *t, const por_trace_record *r)
{
    const char *name = r->index < t->sc->nconsumers ? t->sc->consumers[r->index].name : "?";
    char actor[96];
    snprintf(actor, sizeof actor, "consumer %s", name);
    const char *act = r->reason == POR_ACTION_PAUSE ? "pause borrowing" : "lower collateral factor";
    por__line(t, r->time, C_YELLOW, actor, "%s: %s (reported ratio %.4f)",
              r->flag ? "TAKES ACTION" : "lifts", act, (double)r->ppb / 1e9);
}

static void por__attacker(por_trace_text *t, const por_trace_record *r)
{
    char x[96];
    if (r->kind == POR_TK_FORGED_SENT) {
        if (por__visible(t, POR_TRACE_LEVEL_ROUND))
            por__line(t, r->time, C_MAGENTA, "attacker",
                      "sends a report forged with %u stolen keys claiming %s (as e%u/r%u)",
                      (unsigned)r->count, por__feed_amt(t, r->a, x), (unsigned)r->epoch,
                      (unsigned)r->round);
        return;
    }
    if (r->reason == POR_TRANSMIT_ACCEPTED) {
        t->forged_ok++;
        por__line(t, r->time, C_MAGENTA, "attacker",
                  "FORGED report ACCEPTED by the aggregator: the feed now says %s (%u stolen keys "
                  ">= f+1 = %u)", por__feed_amt(t, r->a, x), (unsigned)r->count,
                  (unsigned)t->sc->feed.ocr.f + 1);
    } else if (r->reason == POR_TRANSMIT_NRESULTS) {
        por__line(t, r->time, C_MAGENTA, "attacker", "forged transaction dropped by the chain");
    } else {
        por__line(t, r->time, C_MAGENTA, "attacker", "forged report refused by the aggregator (%s)",
                  por_transmit_result_name((por_transmit_result)r->reason));
    }
}

static void por__message(por_trace_text *t, const por_trace_record *r)
{
    char lat[48], actor[32];
    snprintf(actor, sizeof actor, "net");
    const char *name = por_trace_msg_name(r->msg_type);
    char rw[48];
    if (r->reason == POR_MSG_DELIVERED && r->flag)
        por__line(t, r->time, C_YELLOW, actor,
                  "%-11s e%u/r%u  oracle %u -> oracle %u  latency %s (lost, resent: %s of "
                  "retransmission timeouts)",
                  name, (unsigned)r->epoch, (unsigned)r->round, (unsigned)r->index,
                  (unsigned)r->peer, por__dur(r->dt, lat), por__dur(r->t2, rw));
    else if (r->reason == POR_MSG_DELIVERED)
        por__line(t, r->time, C_DIM, actor, "%-11s e%u/r%u  oracle %u -> oracle %u  latency %s",
                  name, (unsigned)r->epoch, (unsigned)r->round, (unsigned)r->index,
                  (unsigned)r->peer, por__dur(r->dt, lat));
    else
        por__line(t, r->time, C_YELLOW, actor, "%-11s e%u/r%u  oracle %u -> oracle %u  %s",
                  name, (unsigned)r->epoch, (unsigned)r->round, (unsigned)r->index,
                  (unsigned)r->peer, por_trace_fate_name((por_trace_msg_fate)r->reason));
}

/* A line describing the state at the start of a window that does not begin at 0. */
static void por__context(por_trace_text *t, por_time_t at)
{
    t->context_printed = true;
    if (t->from <= 0)
        return;
    char x[96], since[48];
    por__line(t, at, C_DIM, "(window)",
              "trace from %s: true ratio %.4f%s%s, on-chain answer %s",
              por_time_format_clock(t->from, since, sizeof since),
              t->truth_known ? por_ratio_to_double(t->truth_reserve, t->truth_supply) : 1.0,
              t->truth_under ? " (undercollateralized)" : "", "",
              t->answer_known ? por__feed_amt(t, t->answer, x) : "none yet");
}

static void por__emit(void *ctx, const por_trace_record *r)
{
    por_trace_text *t = ctx;
    por__attacks_until(t, r->time);
    bool in = r->time >= t->from && r->time <= t->to;
    if (in && !t->context_printed)
        por__context(t, r->time);
    if (!in) {
        /* keep the story's state current without printing */
        if (r->kind == POR_TK_TRUTH) {
            t->truth_known = true;
            t->truth_under = r->flag;
            t->truth_reserve = r->a;
            t->truth_supply = r->b;
            if (r->flag && !t->onset_seen) {
                t->onset_seen = true;
                t->onset_at = r->t2;
            }
        } else if (r->kind == POR_TK_ANSWER) {
            t->answer_known = true;
            t->answer = r->a;
        } else if (r->kind == POR_TK_READ && r->reason == POR_READ_OK &&
                   r->index < t->sc->ncustodians) {
            t->read_known[r->index] = true;
            t->read_figure[r->index] = r->a;
        } else if (r->kind == POR_TK_EPOCH && r->epoch > t->max_epoch) {
            t->max_epoch = r->epoch;
            t->last_leader = r->peer;
        }
        return;
    }
    if (r->kind == POR_TK_ROUND && !r->flag)
        t->rounds++;
    else if (r->kind == POR_TK_FINAL)
        t->reports++;
    switch ((por_trace_kind)r->kind) {
    case POR_TK_TRUTH:
        por__truth(t, r);
        break;
    case POR_TK_RESERVE:
    case POR_TK_READ:
        por__custodian(t, r);
        break;
    case POR_TK_EPOCH:
    case POR_TK_NEWEPOCH:
        por__epoch(t, r);
        break;
    case POR_TK_ROUND:
    case POR_TK_OBSERVATION:
    case POR_TK_REPORT_REQ:
    case POR_TK_DECISION:
    case POR_TK_FINAL:
    case POR_TK_COMPLETE:
    case POR_TK_TX_SENT:
    case POR_TK_TX_SKIPPED:
        if (por__visible(t, POR_TRACE_LEVEL_ROUND))
            por__oracle_round(t, r);
        break;
    case POR_TK_TX_RESULT:
        if (por__visible(t, POR_TRACE_LEVEL_ROUND) || r->reason == POR_TRANSMIT_ACCEPTED)
            por__chain(t, r);
        break;
    case POR_TK_ANSWER:
        por__chain(t, r);
        break;
    case POR_TK_MINT:
    case POR_TK_REDEEM:
        por__token(t, r);
        break;
    case POR_TK_CONSUMER:
        por__consumer(t, r);
        break;
    case POR_TK_ROUND_REQUEST:
        por__round_request(t, r);
        break;
    case POR_TK_CRASH:
    case POR_TK_RECOVER: {
        char actor[32];
        snprintf(actor, sizeof actor, "oracle %u", (unsigned)r->index);
        por__line(t, r->time, C_MAGENTA, actor, "%s",
                  r->kind == POR_TK_CRASH ? "CRASHES: sends nothing, answers nothing"
                                          : "RECOVERS: rejoins the DON");
        break;
    }
    case POR_TK_FORGED_SENT:
    case POR_TK_FORGED_RESULT:
        por__attacker(t, r);
        break;
    case POR_TK_MESSAGE:
        if (por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            por__message(t, r);
        break;
    default:
        break;
    }
}

bool por_trace_level_parse(const char *s, por_trace_level *out)
{
    if (!strcmp(s, "summary"))
        *out = POR_TRACE_LEVEL_SUMMARY;
    else if (!strcmp(s, "round"))
        *out = POR_TRACE_LEVEL_ROUND;
    else if (!strcmp(s, "message"))
        *out = POR_TRACE_LEVEL_MESSAGE;
    else
        return false;
    return true;
}

por_trace_text *por_trace_text_create(FILE *out, const por_scenario *sc, por_trace_level level,
                                      bool colour, por_time_t from, por_time_t to)
{
    por_trace_text *t = por_xcalloc(1, sizeof *t);
    t->out = out;
    t->sc = sc;
    t->level = level;
    t->colour = colour;
    t->from = from;
    t->to = to;
    t->attack_state = por_xcalloc(sc->nattackers ? sc->nattackers : 1, 1);
    t->read_known = por_xcalloc(sc->ncustodians ? sc->ncustodians : 1, sizeof *t->read_known);
    t->read_figure = por_xcalloc(sc->ncustodians ? sc->ncustodians : 1, sizeof *t->read_figure);
    t->newepoch_key = UINT64_MAX;
    t->decision_key = UINT64_MAX;
    t->complete_key = UINT64_MAX;
    t->held_key = UINT64_MAX;
    t->sink.emit = por__emit;
    t->sink.ctx = t;
    return t;
}

por_trace_sink *por_trace_text_sink(por_trace_text *t) { return &t->sink; }

void por_trace_text_finish(por_trace_text *t, por_time_t end)
{
    por__attacks_until(t, end);
    char clock[48], onset[48];
    por_time_format_clock(end, clock, sizeof clock);
    fprintf(t->out, "%s-- end of run at %s: %" PRIu64 " rounds started, %" PRIu64
            " reports (FINAL), %" PRIu64 " on-chain answers, mints %" PRIu64 " accepted / %" PRIu64
            " refused%s",
            por__col(t, C_BOLD), clock, t->rounds, t->reports, t->answers, t->mints_ok,
            t->mints_refused, t->forged_ok ? ", FORGED answers accepted" : "");
    if (t->onset_seen)
        fprintf(t->out, "; undercollateralized first at %s",
                por_time_format_clock(t->onset_at, onset, sizeof onset));
    else
        fprintf(t->out, "; fully backed throughout");
    fprintf(t->out, " (counts cover the --from/--to window) --%s\n", por__col(t, C_RESET));
    t->lines++;
    fflush(t->out);
}

void por_trace_text_destroy(por_trace_text *t)
{
    if (!t)
        return;
    free(t->attack_state);
    free(t->read_known);
    free(t->read_figure);
    free(t);
}

uint64_t por_trace_text_lines(const por_trace_text *t) { return t->lines; }
