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

/* (EPOCH, ROUND) as one key, to print a round's first line of a kind only once. */
static uint64_t por__key(uint32_t epoch, uint32_t round) { return ((uint64_t)epoch << 32) | round; }

/* The story's truth after TR (printed or not). */
static void por__note_truth(por_trace_text *t, const por_trace_truth *tr)
{
    t->truth_known = true;
    t->truth_under = tr->under;
    t->truth_reserve = tr->reserve;
    t->truth_supply = tr->supply;
    if (tr->under && !t->onset_seen) {
        t->onset_seen = true;
        t->onset_at = tr->under_since;
    }
}

static void por__truth(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_truth *tr = &r->truth;
    bool changed = !t->truth_known || tr->under != t->truth_under;
    por__note_truth(t, tr);
    if (!changed && tr->cause == POR_TRUTH_SUPPLY)
        return;
    double ratio = por_ratio_to_double(tr->reserve, tr->supply);
    char res[96], sup[96], since[48];
    if (tr->under)
        por__line(t, r->time, C_RED, "truth",
                  "true ratio %.4f: UNDERCOLLATERALIZED since %s (reserve %s < supply %s)", ratio,
                  por_time_format_clock(tr->under_since, since, sizeof since),
                  por__tok_amt(t, tr->reserve, res), por__tok_amt(t, tr->supply, sup));
    else
        por__line(t, r->time, C_GREEN, "truth", "true ratio %.4f: fully backed (reserve %s, supply %s)",
                  ratio, por__tok_amt(t, tr->reserve, res), por__tok_amt(t, tr->supply, sup));
}

static void por__custodian(por_trace_text *t, const por_trace_record *r)
{
    const char *name = r->index < t->sc->ncustodians ? t->sc->custodians[r->index].name : "?";
    char actor[96], x[96], y[96];
    snprintf(actor, sizeof actor, "custodian %s", name);
    if (r->kind == POR_TK_RESERVE) {
        const por_trace_reserve *rs = &r->reserve;
        double pct = rs->before != 0
                         ? ((double)(rs->after - rs->before) / (double)rs->before) * 100
                         : 0;
        por__line(t, r->time, C_BLUE, actor, "true reserve %s -> %s (%+.2f%%)",
                  por__cust_amt(t, r->index, rs->before, x),
                  por__cust_amt(t, r->index, rs->after, y), pct);
        return;
    }
    const por_trace_read *rd = &r->read;
    bool ok = rd->status == POR_READ_OK;
    if (ok && r->index < t->sc->ncustodians) {
        bool changed = t->read_known[r->index] && t->read_figure[r->index] != rd->figure;
        if (changed)
            por__line(t, r->time, C_BLUE, actor,
                      "attestation now says %s (was %s; first read by oracle %u): the oracles "
                      "can see the change",
                      por__cust_amt(t, r->index, rd->figure, x),
                      por__cust_amt(t, r->index, t->read_figure[r->index], y), (unsigned)rd->node);
        t->read_known[r->index] = true;
        t->read_figure[r->index] = rd->figure;
    }
    if (!por__visible(t, ok ? POR_TRACE_LEVEL_MESSAGE : POR_TRACE_LEVEL_ROUND))
        return;
    char lat[48];
    if (ok)
        por__line(t, r->time, C_DIM, actor, "attestation read by oracle %u: %s (took %s)",
                  (unsigned)rd->node, por__cust_amt(t, r->index, rd->figure, x),
                  por__dur(rd->latency, lat));
    else
        por__line(t, r->time, C_YELLOW, actor, "attestation read by oracle %u FAILED: %s",
                  (unsigned)rd->node, por_read_status_name((por_read_status)rd->status));
}

/* A follower's should-report line: the decision's own reason and the figures beside it. */
static void por__decision(por_trace_text *t, const char *actor, const por_trace_record *r)
{
    const por_trace_decision *dec = &r->decision;
    const por_ocr_config *oc = &t->sc->feed.ocr;
    uint64_t key = por__key(dec->epoch, dec->round);
    bool first = t->decision_key != key;
    if (!first && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
        return;
    t->decision_key = key;
    char why[400], pct[32], alpha[32], age[48], dc[48], x[96], y[96];
    por__pct(dec->deviation_ppb, pct);
    por__pct(oc->alpha_ppb, alpha);
    por__dur(dec->answer_age, age);
    por__dur(oc->delta_c, dc);
    switch ((por_trace_decision_why)dec->why) {
    case POR_DECIDE_FIRST:
        snprintf(why, sizeof why, "YES: no answer on chain yet");
        break;
    case POR_DECIDE_HEARTBEAT:
        snprintf(why, sizeof why, "YES: heartbeat: the on-chain answer is %s old >= DeltaC %s",
                 age, dc);
        break;
    case POR_DECIDE_DEVIATION:
        snprintf(why, sizeof why, "YES: deviation %s >= alpha %s (median %s vs on-chain %s)",
                 pct, alpha, por__feed_amt(t, dec->median, x), por__feed_amt(t, dec->answer, y));
        break;
    case POR_DECIDE_NONE:
        snprintf(why, sizeof why,
                 "no: deviation %s < alpha %s and the answer is %s old < DeltaC %s", pct, alpha,
                 age, dc);
        break;
    case POR_DECIDE_UNREADABLE:
        snprintf(why, sizeof why, dec->report ? "YES: the contract's latest answer could not be read"
                                              : "no answer (OCR2): the contract could not be read, "
                                                "Report errs and nothing is sent");
        break;
    case POR_DECIDE_OUT_OF_BOUNDS:
        snprintf(why, sizeof why, "no: the median %s is outside [min_answer, max_answer]",
                 por__feed_amt(t, dec->median, x));
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
    por__line(t, r->time, dec->report ? C_YELLOW : "", actor, "should-report e%u/r%u? %s%s",
              (unsigned)dec->epoch, (unsigned)dec->round, why,
              t->sc->feed.protocol == POR_PROTOCOL_OCR2 && !dec->report &&
                      dec->why != POR_DECIDE_UNREADABLE
                  ? " -> skip attestation to the leader"
                  : "");
}

/* A node's refusal to transmit: hold-backs at round level (the first node's line of each
 * round), the other reasons at message level. */
static void por__tx_skipped(por_trace_text *t, const char *actor, const por_trace_record *r)
{
    const por_trace_tx_skipped *sk = &r->tx_skipped;
    uint64_t key = por__key(sk->epoch, sk->round);
    char x[96], y[96], z[96];
    if (sk->why == POR_SKIP_HELD_BACK) {
        if (t->held_key == key && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            return;
        t->held_key = key;
        por__line(t, r->time, C_YELLOW, actor,
                  "holds back e%u/r%u (median %s): its own report of median %s is still "
                  "pending and they differ by less than alpha %s",
                  (unsigned)sk->epoch, (unsigned)sk->round, por__feed_amt(t, sk->median, x),
                  por__feed_amt(t, sk->pending_median, y),
                  por__pct(t->sc->feed.ocr.alpha_ppb, z));
        return;
    }
    if (sk->why == POR_SKIP_PENDING_WITHIN_ALPHA && !por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
        if (t->held_key == key)
            return; /* at round level: the first node's hold-back of each round */
        t->held_key = key;
    } else if (!por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
        return;
    }
    por__line(t, r->time, C_DIM, actor, "skips transmitting e%u/r%u: %s",
              (unsigned)sk->epoch, (unsigned)sk->round,
              sk->why == POR_SKIP_ON_CHAIN     ? "an equal or newer report is on chain"
              : sk->why == POR_SKIP_UNREADABLE ? "the contract could not be read"
              : sk->why == POR_SKIP_NOT_NEWER_THAN_ACCEPTED
                  ? "ShouldAcceptFinalizedReport: not newer than its latest accepted report"
              : sk->why == POR_SKIP_PENDING_WITHIN_ALPHA
                  ? "ShouldAcceptFinalizedReport: held back, its accepted report is "
                    "pending and this median is within alpha_accept of it"
                  : "not newer than the report it last accepted");
}

static void por__oracle_round(por_trace_text *t, const por_trace_record *r)
{
    char actor[32], x[96], y[96], z[96], buf[160];
    snprintf(actor, sizeof actor, "oracle %u", (unsigned)r->index);
    const por_ocr_config *oc = &t->sc->feed.ocr;
    switch (r->kind) {
    case POR_TK_ROUND: {
        const por_trace_round_start *rs = &r->round_start;
        if (rs->ends_epoch) {
            por__line(t, r->time, "", actor,
                      "leader ends epoch %u after rMax=%u rounds (OBSERVE-REQ r%u is the signal to "
                      "rotate)", (unsigned)rs->epoch, (unsigned)oc->r_max, (unsigned)rs->round);
        } else {
            por__line(t, r->time, C_BOLD, actor, "leader starts round e%u/r%u: OBSERVE-REQ to all",
                      (unsigned)rs->epoch, (unsigned)rs->round);
        }
        break;
    }
    case POR_TK_OBSERVATION: {
        const por_trace_observation *ob = &r->observation;
        if (ob->tampered)
            por__line(t, r->time, C_MAGENTA, actor,
                      "BYZANTINE: reads %s but signs %s for e%u/r%u",
                      por__feed_amt(t, ob->honest_value, x), por__feed_amt(t, ob->value, y),
                      (unsigned)ob->epoch, (unsigned)ob->round);
        else if (por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            por__line(t, r->time, C_DIM, actor, "observes %s for e%u/r%u",
                      por__feed_amt(t, ob->value, x), (unsigned)ob->epoch, (unsigned)ob->round);
        break;
    }
    case POR_TK_REPORT_REQ: {
        const por_trace_report_req *q = &r->report_req;
        por__line(t, r->time, "", actor,
                  "leader got %u signed observations (oracles %s): median %s, range %s .. %s -> "
                  "REPORT-REQ", (unsigned)q->observations, por__mask(q->observers, buf, sizeof buf),
                  por__feed_amt(t, q->median, x), por__feed_amt(t, q->lowest, y),
                  por__feed_amt(t, q->highest, z));
        break;
    }
    case POR_TK_DECISION:
        por__decision(t, actor, r);
        break;
    case POR_TK_FINAL:
        por__line(t, r->time, C_BOLD, actor,
                  "leader sends FINAL e%u/r%u: report of median %s with %u signatures",
                  (unsigned)r->final.epoch, (unsigned)r->final.round,
                  por__feed_amt(t, r->final.median, x), (unsigned)r->final.signatures);
        break;
    case POR_TK_COMPLETE: {
        const por_trace_report *c = &r->complete;
        uint64_t key = por__key(c->epoch, c->round);
        if (t->complete_key == key && !por__visible(t, POR_TRACE_LEVEL_MESSAGE))
            break;
        t->complete_key = key;
        if (t->sc->feed.protocol == POR_PROTOCOL_OCR2)
            por__line(t, r->time, "", actor,
                      "report e%u/r%u finalized (FINAL or FINAL-ECHO with f+1=%u signatures): echoed, "
                      "ShouldAcceptFinalizedReport next",
                      (unsigned)c->epoch, (unsigned)c->round, (unsigned)oc->f + 1);
        else
            por__line(t, r->time, "", actor,
                      "round e%u/r%u complete (more than f=%u FINAL-ECHOs): report goes to transmission",
                      (unsigned)c->epoch, (unsigned)c->round, (unsigned)oc->f);
        break;
    }
    case POR_TK_TX_SENT:
        por__line(t, r->time, C_CYAN, actor, "transmits report e%u/r%u (median %s) to the chain",
                  (unsigned)r->tx_sent.epoch, (unsigned)r->tx_sent.round,
                  por__feed_amt(t, r->tx_sent.median, x));
        break;
    case POR_TK_TX_SKIPPED:
        por__tx_skipped(t, actor, r);
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
        const por_trace_enter *e = &r->enter;
        if (e->epoch > t->max_epoch) {
            bool change = t->max_epoch > 0 && e->leader != t->last_leader;
            t->max_epoch = e->epoch;
            t->last_leader = e->leader;
            por__line(t, r->time, change ? C_YELLOW : "", "DON", "epoch %u begins: leader is oracle %u%s",
                      (unsigned)e->epoch, (unsigned)e->leader, change ? " (LEADER CHANGE)" : "");
        } else if (por__visible(t, POR_TRACE_LEVEL_MESSAGE)) {
            por__line(t, r->time, C_DIM, actor, "enters epoch %u", (unsigned)e->epoch);
        }
        return;
    }
    const por_trace_newepoch *ne = &r->newepoch;
    bool first = ne->epoch != t->newepoch_key;
    if (!por__visible(t, first ? POR_TRACE_LEVEL_ROUND : POR_TRACE_LEVEL_MESSAGE))
        return;
    t->newepoch_key = ne->epoch;
    switch ((por_trace_newepoch_why)ne->why) {
    case POR_NEWEPOCH_PROGRESS:
        por__line(t, r->time, C_YELLOW, actor,
                  "no progress for DeltaProgress=%s under leader oracle %u: asks for epoch %u",
                  por__dur(t->sc->feed.ocr.delta_progress, dp), (unsigned)ne->leader,
                  (unsigned)ne->epoch);
        break;
    case POR_NEWEPOCH_RMAX:
        por__line(t, r->time, "", actor, "leader oracle %u ran its rMax rounds: asks for epoch %u",
                  (unsigned)ne->leader, (unsigned)ne->epoch);
        break;
    default:
        por__line(t, r->time, C_DIM, actor, "more than f nodes want epoch %u: joins the request",
                  (unsigned)ne->epoch);
        break;
    }
}

static void por__chain(por_trace_text *t, const por_trace_record *r)
{
    char x[96], lat[48];
    if (r->kind == POR_TK_TX_RESULT) {
        const por_trace_tx_result *res = &r->tx_result;
        if (res->result == POR_TRANSMIT_ACCEPTED)
            por__line(t, r->time, C_CYAN, "chain",
                      "transmission of e%u/r%u by oracle %u landed after %s: ACCEPTED",
                      (unsigned)res->epoch, (unsigned)res->round, (unsigned)res->sender,
                      por__dur(res->delay, lat));
        else
            por__line(t, r->time, res->result == POR_TRANSMIT_STALE ? C_DIM : C_YELLOW, "chain",
                      "transmission of e%u/r%u by oracle %u landed after %s: refused (%s)",
                      (unsigned)res->epoch, (unsigned)res->round, (unsigned)res->sender,
                      por__dur(res->delay, lat),
                      por_transmit_result_name((por_transmit_result)res->result));
        return;
    }
    const por_trace_answer *a = &r->answer;
    t->answers++;
    t->answer_known = true;
    t->answer = a->answer;
    por__line(t, r->time, C_CYAN, "chain",
              "ON-CHAIN ANSWER %s (roundId %u, report e%u/r%u): reported ratio %.4f",
              por__feed_amt(t, a->answer, x), (unsigned)a->round_id, (unsigned)a->epoch,
              (unsigned)a->round, por__ratio(t, a->answer, a->supply));
}

/* A bridge transfer (sim/models/world): a burn, a release or a refusal. */
static void por__bridge(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_bridge *br = &r->bridge;
    char x[96], y[96], z[96];
    const por_token_config *tk = &t->sc->token;
    const char *at = t->sc->chains[tk->chains[br->chain_slot]].name;
    const char *other = t->sc->chains[tk->chains[br->other_slot]].name;
    if (br->refused)
        por__line(t, r->time, C_RED, "bridge", "transfer of %s from %s to %s REFUSED: more than the supply on %s",
                  por__tok_amt(t, br->amount, x), at, other, at);
    else
        por__line(t, r->time, "", "bridge", "%s %s on %s (%s %s): in flight %s, on-chain supply %s",
                  br->release ? "release" : "burn", por__tok_amt(t, br->amount, x), at,
                  br->release ? "from" : "for", other, por__tok_amt(t, br->in_flight, y),
                  por__tok_amt(t, br->supply_after, z));
}

static void por__mint(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_mint *m = &r->mint;
    char x[96], y[96], z[96], age[48], st[48];
    const char *who = m->by_attacker ? "ATTACKER mint" : "mint";
    const por_secure_mint_config *sm = &t->sc->token.secure_mint;
    const por_token_config *tk = &t->sc->token;
    char on[112] = "";
    if (tk->nchains > 1 && m->chain_slot < tk->nchains) /* which chain, and whose supply */
        snprintf(on, sizeof on, " on %s%s", t->sc->chains[tk->chains[m->chain_slot]].name,
                 sm->supply == POR_SUPPLY_GLOBAL ? " (all chains' supply)" : "");
    switch ((por_mint_result)m->result) {
    case POR_MINT_ACCEPTED:
        t->mints_ok++;
        if (m->mintable_known)
            por__line(t, r->time, m->by_attacker ? C_MAGENTA : C_GREEN, "Secure Mint",
                      "%s of %s%s ACCEPTED: supply %s <= mintable %s", who,
                      por__tok_amt(t, m->amount, x), on, por__tok_amt(t, m->supply, y),
                      por__tok_amt(t, m->mintable, z));
        else
            por__line(t, r->time, m->by_attacker ? C_MAGENTA : C_GREEN, "Secure Mint",
                      "%s of %s ACCEPTED%s: supply %s", who, por__tok_amt(t, m->amount, x),
                      sm->enabled ? "" : " (guard disabled)", por__tok_amt(t, m->supply, y));
        break;
    case POR_MINT_EXCEEDS_RESERVE: {
        t->mints_refused++;
        por_amount want;
        if (!por_amount_add(m->supply, m->amount, &want))
            want = POR_AMOUNT_MAX;
        por__line(t, r->time, C_RED, "Secure Mint",
                  "%s of %s%s REFUSED: supply + amount %s > mintable %s (exceeds_reserve)", who,
                  por__tok_amt(t, m->amount, x), on, por__tok_amt(t, want, y),
                  por__tok_amt(t, m->mintable, z));
        break;
    }
    case POR_MINT_STALE:
        t->mints_refused++;
        por__line(t, r->time, C_RED, "Secure Mint",
                  "%s of %s REFUSED: the feed's answer is %s old > max_staleness %s (stale)", who,
                  por__tok_amt(t, m->amount, x), por__dur(m->feed_age, age),
                  por__dur(sm->max_staleness, st));
        break;
    default:
        t->mints_refused++;
        por__line(t, r->time, C_RED, "Secure Mint", "%s of %s REFUSED (%s)", who,
                  por__tok_amt(t, m->amount, x), por_mint_result_name((por_mint_result)m->result));
        break;
    }
}

/* Refresh-then-mint: the issuer's requestNewRound and the mints it holds. */
static void por__round_request(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_round_request *rq = &r->round_request;
    unsigned n = (unsigned)rq->mints;
    switch ((por_trace_request_step)rq->step) {
    case POR_REQUEST_SENT:
        por__line(t, r->time, C_YELLOW, "issuer",
                  "requestNewRound sent: the reported reserve does not cover a mint; %u mint%s wait for a fresh answer",
                  n, n == 1 ? "" : "s");
        break;
    case POR_REQUEST_EMITTED:
        por__line(t, r->time, "", "chain", "requestNewRound included: RoundRequested emitted (%lld gas)",
                  (long long)rq->gas);
        break;
    case POR_REQUEST_REVERTED:
        por__line(t, r->time, C_RED, "chain",
                  "requestNewRound REVERTED: \"Only owner&requester can call\" (%lld gas)", (long long)rq->gas);
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
    const por_trace_consumer *c = &r->consumer;
    const char *name = r->index < t->sc->nconsumers ? t->sc->consumers[r->index].name : "?";
    char actor[96];
    snprintf(actor, sizeof actor, "consumer %s", name);
    const char *act = c->action == POR_ACTION_PAUSE ? "pause borrowing" : "lower collateral factor";
    por__line(t, r->time, C_YELLOW, actor, "%s: %s (reported ratio %.4f)",
              c->engaged ? "TAKES ACTION" : "lifts", act, (double)c->reported_ratio_ppb / 1e9);
}

static void por__attacker(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_forged *fo = &r->forged;
    char x[96];
    if (r->kind == POR_TK_FORGED_SENT) {
        if (por__visible(t, POR_TRACE_LEVEL_ROUND))
            por__line(t, r->time, C_MAGENTA, "attacker",
                      "sends a report forged with %u stolen keys claiming %s (as e%u/r%u)",
                      (unsigned)fo->stolen_keys, por__feed_amt(t, fo->answer, x),
                      (unsigned)fo->epoch, (unsigned)fo->round);
        return;
    }
    if (fo->result == POR_TRANSMIT_ACCEPTED) {
        t->forged_ok++;
        por__line(t, r->time, C_MAGENTA, "attacker",
                  "FORGED report ACCEPTED by the aggregator: the feed now says %s (%u stolen keys "
                  ">= f+1 = %u)", por__feed_amt(t, fo->answer, x), (unsigned)fo->stolen_keys,
                  (unsigned)t->sc->feed.ocr.f + 1);
    } else if (fo->result == POR_TRANSMIT_NRESULTS) {
        por__line(t, r->time, C_MAGENTA, "attacker", "forged transaction dropped by the chain");
    } else {
        por__line(t, r->time, C_MAGENTA, "attacker", "forged report refused by the aggregator (%s)",
                  por_transmit_result_name((por_transmit_result)fo->result));
    }
}

static void por__message(por_trace_text *t, const por_trace_record *r)
{
    const por_trace_message *m = &r->message;
    char lat[48], actor[32];
    snprintf(actor, sizeof actor, "net");
    const char *name = por_trace_msg_name(m->type);
    char rw[48];
    if (m->fate == POR_MSG_DELIVERED && m->resent)
        por__line(t, r->time, C_YELLOW, actor,
                  "%-11s e%u/r%u  oracle %u -> oracle %u  latency %s (lost, resent: %s of "
                  "retransmission timeouts)",
                  name, (unsigned)m->epoch, (unsigned)m->round, (unsigned)r->index,
                  (unsigned)m->to, por__dur(m->latency, lat), por__dur(m->resend_wait, rw));
    else if (m->fate == POR_MSG_DELIVERED)
        por__line(t, r->time, C_DIM, actor, "%-11s e%u/r%u  oracle %u -> oracle %u  latency %s",
                  name, (unsigned)m->epoch, (unsigned)m->round, (unsigned)r->index,
                  (unsigned)m->to, por__dur(m->latency, lat));
    else
        por__line(t, r->time, C_YELLOW, actor, "%-11s e%u/r%u  oracle %u -> oracle %u  %s",
                  name, (unsigned)m->epoch, (unsigned)m->round, (unsigned)r->index,
                  (unsigned)m->to, por_trace_fate_name((por_trace_msg_fate)m->fate));
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
            por__note_truth(t, &r->truth);
        } else if (r->kind == POR_TK_ANSWER) {
            t->answer_known = true;
            t->answer = r->answer.answer;
        } else if (r->kind == POR_TK_READ && r->read.status == POR_READ_OK &&
                   r->index < t->sc->ncustodians) {
            t->read_known[r->index] = true;
            t->read_figure[r->index] = r->read.figure;
        } else if (r->kind == POR_TK_EPOCH && r->enter.epoch > t->max_epoch) {
            t->max_epoch = r->enter.epoch;
            t->last_leader = r->enter.leader;
        }
        return;
    }
    if (r->kind == POR_TK_ROUND && !r->round_start.ends_epoch)
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
        if (por__visible(t, POR_TRACE_LEVEL_ROUND) || r->tx_result.result == POR_TRANSMIT_ACCEPTED)
            por__chain(t, r);
        break;
    case POR_TK_ANSWER:
        por__chain(t, r);
        break;
    case POR_TK_MINT:
        por__mint(t, r);
        break;
    case POR_TK_REDEEM: {
        char x[96], y[96];
        por__line(t, r->time, "", "token", "redeem %s: supply now %s",
                  por__tok_amt(t, r->redeem.amount, x), por__tok_amt(t, r->redeem.supply_after, y));
        break;
    }
    case POR_TK_BRIDGE:
        por__bridge(t, r);
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
