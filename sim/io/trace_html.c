/* The HTML page of `porsim trace --html`: one self-contained file (inline CSS, inline SVG,
 * a few lines of inline JS; no network resource) with a timeline chart of the true
 * reserve, the reported (on-chain) answer and the token supply, key events, and for any
 * round picked (click its tick under the chart or choose it in the list) a sequence
 * diagram of that round's messages between the oracles and the chain.
 *
 * Memory stays bounded whatever the horizon: the three series are kept in
 * POR_TRACE_HTML_BUCKETS time buckets of the window (min, max and last value each), and
 * only the first POR_TRACE_HTML_MAX_ROUNDS rounds that start in the window keep their
 * messages (at most POR_TRACE_HTML_MAX_MSGS each); the page says when it cut. */
#include "por/trace_render.h"

#include "por/aggregator.h"
#include "por/error.h"
#include "por/ratio.h"
#include "por/token.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

enum { S_RESERVE, S_ANSWER, S_SUPPLY, S_N };
#define POR__MAX_TX 8
#define POR__MAX_EVENTS 300

typedef struct {
    double last[POR_TRACE_HTML_BUCKETS], lo[POR_TRACE_HTML_BUCKETS], hi[POR_TRACE_HTML_BUCKETS];
    bool has[POR_TRACE_HTML_BUCKETS];
    bool known_before; /* a value seen before the window */
    double before;
} por__series;

typedef struct {
    uint32_t from, to;
    uint16_t type;
    uint8_t fate;
    por_time_t at, latency;
} por__msg;

typedef struct {
    uint32_t sender;
    por_time_t sent, landed;
    int result; /* -1 = not landed (yet) */
} por__tx;

typedef struct {
    uint32_t epoch, round, leader, nobs, nsigs;
    por_time_t start;
    double median;
    bool decided, report, final, answered;
    uint8_t why;
    int64_t ppb;
    por__tx tx[POR__MAX_TX];
    uint32_t ntx;
    por__msg *msgs;
    uint32_t nmsgs, nmsgs_dropped;
} por__round;

typedef struct {
    por_time_t at;
    char text[200];
    const char *cls;
} por__event;

struct por_trace_html {
    por_trace_sink sink;
    const por_scenario *sc;
    uint64_t rep;
    por_time_t from, to;
    por__series s[S_N];
    por__round *rounds;
    uint32_t nrounds;
    uint64_t rounds_in_window;
    por__event *events;
    uint32_t nevents;
    uint64_t events_in_window;
    bool under;
    por_time_t onset;
    bool onset_known;
    /* rounds over the whole window, per chart bucket (bit 0: a round started, bit 1: a
     * report was made), so ticks cover the run even past the rounds kept for diagrams */
    uint8_t round_marks[POR_TRACE_HTML_BUCKETS];
};

static int por__bucket(const por_trace_html *h, por_time_t t)
{
    if (t < h->from)
        return -1;
    if (t > h->to)
        return POR_TRACE_HTML_BUCKETS;
    double span = (double)(h->to - h->from);
    int b = span > 0 ? (int)((double)(t - h->from) / span * POR_TRACE_HTML_BUCKETS) : 0;
    return b >= POR_TRACE_HTML_BUCKETS ? POR_TRACE_HTML_BUCKETS - 1 : b;
}

static void por__put(por_trace_html *h, int series, por_time_t t, double v)
{
    por__series *s = &h->s[series];
    int b = por__bucket(h, t);
    if (b < 0) {
        s->known_before = true;
        s->before = v;
        return;
    }
    if (b >= POR_TRACE_HTML_BUCKETS)
        return;
    if (!s->has[b]) {
        s->has[b] = true;
        s->lo[b] = s->hi[b] = v;
    }
    if (v < s->lo[b])
        s->lo[b] = v;
    if (v > s->hi[b])
        s->hi[b] = v;
    s->last[b] = v;
}

static void por__event_add(por_trace_html *h, por_time_t at, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void por__event_add(por_trace_html *h, por_time_t at, const char *cls, const char *fmt, ...)
{
    if (at < h->from || at > h->to)
        return;
    h->events_in_window++;
    if (h->nevents >= POR__MAX_EVENTS)
        return;
    por__event *e = &h->events[h->nevents++];
    e->at = at;
    e->cls = cls;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

static por__round *por__find_round(por_trace_html *h, uint32_t epoch, uint32_t round)
{
    for (uint32_t i = h->nrounds; i-- > 0;) {
        por__round *r = &h->rounds[i];
        if (r->epoch == epoch && r->round == round)
            return r;
        if (r->epoch < epoch)
            break;
    }
    return NULL;
}

static const char *por__unit(const por_trace_html *h)
{
    const por_feed_config *f = &h->sc->feed;
    return f->nsources && f->sources[0] < h->sc->ncustodians
               ? h->sc->custodians[f->sources[0]].unit
               : "";
}

static void por__emit(void *ctx, const por_trace_record *r)
{
    por_trace_html *h = ctx;
    const por_scenario *sc = h->sc;
    char x[64], y[64];
    switch ((por_trace_kind)r->kind) {
    case POR_TK_TRUTH: {
        const por_trace_truth *tr = &r->truth;
        por__put(h, S_RESERVE, r->time, por_amount_to_double(tr->reserve, sc->token.decimals));
        por__put(h, S_SUPPLY, r->time, por_amount_to_double(tr->supply, sc->token.decimals));
        if (tr->under != h->under || tr->cause == POR_TRUTH_START) {
            if (tr->under && !h->onset_known) {
                h->onset_known = true;
                h->onset = tr->under_since;
            }
            if (tr->under != h->under || tr->under)
                por__event_add(h, r->time, tr->under ? "bad" : "good",
                               tr->under ? "truth: UNDERCOLLATERALIZED (true ratio %.4f)"
                                         : "truth: fully backed (true ratio %.4f)",
                               por_ratio_to_double(tr->reserve, tr->supply));
            h->under = tr->under;
        }
        break;
    }
    case POR_TK_RESERVE:
        if (r->index < sc->ncustodians) {
            const por_custodian_config *c = &sc->custodians[r->index];
            por__event_add(h, r->time, "info", "custodian %s: true reserve %s -> %s %s", c->name,
                           por_trace_amount(r->reserve.before, c->decimals, 2, x, sizeof x),
                           por_trace_amount(r->reserve.after, c->decimals, 2, y, sizeof y),
                           c->unit);
        }
        break;
    case POR_TK_ANSWER: {
        const por_trace_answer *a = &r->answer;
        por__put(h, S_ANSWER, r->time, por_amount_to_double(a->answer, sc->feed.decimals));
        por__round *rd = por__find_round(h, a->epoch, a->round);
        if (rd)
            rd->answered = true;
        por__event_add(h, r->time, "answer", "on-chain answer %s %s (report e%u/r%u)",
                       por_trace_amount(a->answer, sc->feed.decimals, 2, x, sizeof x), por__unit(h),
                       (unsigned)a->epoch, (unsigned)a->round);
        break;
    }
    case POR_TK_MINT: {
        const por_trace_mint *m = &r->mint;
        if (m->result != POR_MINT_ACCEPTED)
            por__event_add(h, r->time, "bad", "Secure Mint refused %s%s tokens (%s)",
                           m->by_attacker ? "an ATTACKER mint of " : "",
                           por_trace_amount(m->amount, sc->token.decimals, 2, x, sizeof x),
                           por_mint_result_name((por_mint_result)m->result));
        else if (m->by_attacker)
            por__event_add(h, r->time, "bad", "attacker mint of %s tokens ACCEPTED",
                           por_trace_amount(m->amount, sc->token.decimals, 2, x, sizeof x));
        else if (h->under) /* the unbacked mints Secure Mint let through on a stale feed */
            por__event_add(h, r->time, "bad",
                           "mint of %s tokens ACCEPTED while undercollateralized (unbacked: "
                           "the feed does not show the loss yet)",
                           por_trace_amount(m->amount, sc->token.decimals, 2, x, sizeof x));
        break;
    }
    case POR_TK_CRASH:
    case POR_TK_RECOVER:
        por__event_add(h, r->time, "attack", "oracle %u %s", (unsigned)r->index,
                       r->kind == POR_TK_CRASH ? "crashes" : "recovers");
        break;
    case POR_TK_FORGED_RESULT:
        if (r->forged.result == POR_TRANSMIT_ACCEPTED)
            por__event_add(h, r->time, "bad", "FORGED report accepted: feed says %s %s",
                           por_trace_amount(r->forged.answer, sc->feed.decimals, 2, x, sizeof x),
                           por__unit(h));
        break;
    case POR_TK_ROUND: {
        const por_trace_round_start *rs = &r->round_start;
        if (rs->ends_epoch || r->time < h->from || r->time > h->to)
            break;
        h->rounds_in_window++;
        h->round_marks[por__bucket(h, r->time)] |= 1;
        if (h->nrounds >= POR_TRACE_HTML_MAX_ROUNDS)
            break;
        por__round *rd = &h->rounds[h->nrounds++];
        memset(rd, 0, sizeof *rd);
        rd->epoch = rs->epoch;
        rd->round = rs->round;
        rd->leader = r->index;
        rd->start = r->time;
        break;
    }
    case POR_TK_REPORT_REQ: {
        const por_trace_report_req *q = &r->report_req;
        por__round *rd = por__find_round(h, q->epoch, q->round);
        if (rd) {
            rd->nobs = q->observations;
            rd->median = por_amount_to_double(q->median, sc->feed.decimals);
        }
        break;
    }
    case POR_TK_DECISION: {
        const por_trace_decision *dec = &r->decision;
        por__round *rd = por__find_round(h, dec->epoch, dec->round);
        if (rd && !rd->decided) {
            rd->decided = true;
            rd->report = dec->report;
            rd->why = dec->why;
            rd->ppb = dec->deviation_ppb;
        }
        break;
    }
    case POR_TK_FINAL: {
        if (r->time >= h->from && r->time <= h->to)
            h->round_marks[por__bucket(h, r->time)] |= 2;
        por__round *rd = por__find_round(h, r->final.epoch, r->final.round);
        if (rd) {
            rd->final = true;
            rd->nsigs = r->final.signatures;
        }
        break;
    }
    case POR_TK_TX_SENT: {
        por__round *rd = por__find_round(h, r->tx_sent.epoch, r->tx_sent.round);
        if (rd && rd->ntx < POR__MAX_TX) {
            por__tx *t = &rd->tx[rd->ntx++];
            t->sender = r->index;
            t->sent = r->time;
            t->landed = 0;
            t->result = -1;
        }
        break;
    }
    case POR_TK_TX_RESULT: {
        const por_trace_tx_result *res = &r->tx_result;
        por__round *rd = por__find_round(h, res->epoch, res->round);
        for (uint32_t i = 0; rd && i < rd->ntx; i++)
            if (rd->tx[i].sender == res->sender && rd->tx[i].result < 0) {
                rd->tx[i].landed = r->time;
                rd->tx[i].result = res->result;
                break;
            }
        break;
    }
    case POR_TK_MESSAGE: {
        const por_trace_message *msg = &r->message;
        if (msg->round == 0)
            break; /* NEWEPOCH belongs to no round */
        por__round *rd = por__find_round(h, msg->epoch, msg->round);
        if (!rd)
            break;
        if (rd->nmsgs >= POR_TRACE_HTML_MAX_MSGS) {
            rd->nmsgs_dropped++;
            break;
        }
        if (!rd->msgs)
            rd->msgs = por_xmalloc(POR_TRACE_HTML_MAX_MSGS * sizeof *rd->msgs);
        por__msg *m = &rd->msgs[rd->nmsgs++];
        m->from = r->index;
        m->to = msg->to;
        m->type = msg->type;
        m->fate = msg->fate;
        m->at = r->time;
        m->latency = msg->latency;
        break;
    }
    default:
        break;
    }
}

por_trace_html *por_trace_html_create(const por_scenario *sc, uint64_t replication,
                                      por_time_t from, por_time_t to)
{
    por_trace_html *h = por_xcalloc(1, sizeof *h);
    h->sc = sc;
    h->rep = replication;
    h->from = from;
    h->to = to > sc->duration ? sc->duration : to;
    if (h->to < h->from)
        h->to = h->from;
    h->rounds = por_xcalloc(POR_TRACE_HTML_MAX_ROUNDS, sizeof *h->rounds);
    h->events = por_xcalloc(POR__MAX_EVENTS, sizeof *h->events);
    h->sink.emit = por__emit;
    h->sink.ctx = h;
    return h;
}

por_trace_sink *por_trace_html_sink(por_trace_html *h) { return &h->sink; }

void por_trace_html_destroy(por_trace_html *h)
{
    if (!h)
        return;
    for (uint32_t i = 0; i < h->nrounds; i++)
        free(h->rounds[i].msgs);
    free(h->rounds);
    free(h->events);
    free(h);
}

/* ---- writing ---------------------------------------------------------------------- */

static void por__esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

/* A duration for reading on a diagram: 4 significant digits ("103.8ms", "1.448s"). */
static char *por__short_duration(por_time_t d, char *buf, size_t n)
{
    if (d < POR_US)
        snprintf(buf, n, "%" PRId64 "ns", d);
    else if (d < POR_MS)
        snprintf(buf, n, "%.4gus", (double)d / 1e3);
    else if (d < POR_SEC)
        snprintf(buf, n, "%.4gms", (double)d / 1e6);
    else
        snprintf(buf, n, "%.4gs", (double)d / 1e9);
    return buf;
}

#define CW 1100.0 /* chart width */
#define CH 340.0  /* chart height */
#define CL 90.0   /* left margin */
#define CR 20.0
#define CT 20.0
#define CB 50.0

static double por__x(const por_trace_html *h, por_time_t t)
{
    double span = (double)(h->to - h->from);
    double f = span > 0 ? (double)(t - h->from) / span : 0;
    return CL + f * (CW - CL - CR);
}

static void por__series_path(FILE *f, const por__series *s, double lo,
                             double hi, const char *colour, const char *dash)
{
    double span = hi - lo, w = (CW - CL - CR) / POR_TRACE_HTML_BUCKETS;
    bool have = s->known_before;
    double cur = s->before;
    fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"", colour, dash);
    bool pen = false;
    for (int b = 0; b < POR_TRACE_HTML_BUCKETS; b++) {
        double x0 = CL + b * w;
        if (s->has[b]) {
            if (!have) {
                cur = s->last[b];
                have = true;
            }
            double yv = CT + (CH - CT - CB) * (1 - (cur - lo) / span);
            fprintf(f, "%c%.1f %.1f ", pen ? 'L' : 'M', x0, yv);
            pen = true;
            /* the bucket's range, then its last value */
            double ylo = CT + (CH - CT - CB) * (1 - (s->lo[b] - lo) / span);
            double yhi = CT + (CH - CT - CB) * (1 - (s->hi[b] - lo) / span);
            if (ylo != yhi)
                fprintf(f, "L%.1f %.1f L%.1f %.1f ", x0, ylo, x0, yhi);
            cur = s->last[b];
            fprintf(f, "L%.1f %.1f ", x0, CT + (CH - CT - CB) * (1 - (cur - lo) / span));
        } else if (have) {
            double yv = CT + (CH - CT - CB) * (1 - (cur - lo) / span);
            fprintf(f, "%c%.1f %.1f ", pen ? 'L' : 'M', x0, yv);
            pen = true;
        }
    }
    if (have) {
        double yv = CT + (CH - CT - CB) * (1 - (cur - lo) / span);
        fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', CW - CR, yv);
    }
    fputs("\"/>\n", f);
}

/* A y-axis label: V in thousands (k), millions (M) or billions (B) chosen from the
 * range's size, with as many decimals as STEP (the distance between labels) needs. */
static char *por__axis_label(double v, double range, double step, char *buf, size_t n)
{
    double scale = 1;
    const char *suffix = "";
    if (range >= 1e9) {
        scale = 1e9;
        suffix = " B";
    } else if (range >= 1e6 || fabs(v) >= 1e8) {
        scale = 1e6;
        suffix = " M";
    } else if (range >= 1e3 || fabs(v) >= 1e5) {
        scale = 1e3;
        suffix = " k";
    }
    int dec = 0;
    for (double st = step / scale; dec < 6 && st < 1 && st > 0; st *= 10)
        dec++;
    snprintf(buf, n, "%.*f%s", dec + (step / scale < 10 && step > 0 ? 1 : 0), v / scale, suffix);
    return buf;
}

static void por__chart(FILE *f, const por_trace_html *h)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < S_N; k++) {
        const por__series *s = &h->s[k];
        if (s->known_before) {
            lo = fmin(lo, s->before);
            hi = fmax(hi, s->before);
        }
        for (int b = 0; b < POR_TRACE_HTML_BUCKETS; b++)
            if (s->has[b]) {
                lo = fmin(lo, s->lo[b]);
                hi = fmax(hi, s->hi[b]);
            }
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    double pad = (hi - lo) * 0.08;
    if (pad <= 0)
        pad = fabs(hi) * 0.01 + 1;
    lo -= pad;
    hi += pad;
    fprintf(f, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
               "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", CW, CH + 30, CW, CH + 30);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" "
               "stroke=\"#ccc\"/>\n", CL, CT, CW - CL - CR, CH - CT - CB);
    /* attack windows */
    for (size_t i = 0; i < h->sc->nattackers; i++) {
        const por_window *w = &h->sc->attackers[i].window;
        por_time_t a = w->from < h->from ? h->from : w->from;
        por_time_t b = w->until > h->to ? h->to : w->until;
        if (a >= b)
            continue;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"#c0f\" "
                   "opacity=\"0.08\"><title>attack %zu window</title></rect>\n",
                por__x(h, a), CT, por__x(h, b) - por__x(h, a), CH - CT - CB, i);
    }
    /* y grid, with readable numbers and the unit (reserve and supply are in tokens, the
     * answer in the feed's unit: the chart compares them 1:1, as Secure Mint does) */
    for (int k = 0; k <= 4; k++) {
        double v = lo + (hi - lo) * k / 4, yv = CT + (CH - CT - CB) * (1 - (double)k / 4);
        char label[48];
        fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                   "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" class=\"ax ylabel\">%s</text>\n",
                CL, CW - CR, yv, yv, CL - 6, yv + 4,
                por__axis_label(v, hi - lo, (hi - lo) / 4, label, sizeof label));
    }
    fprintf(f, "<text class=\"ax yunit\" x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
               "text-anchor=\"middle\">tokens (answer in %s)</text>\n",
            (CT + CH - CB) / 2, (CT + CH - CB) / 2, por__unit(h)[0] ? por__unit(h) : "feed units");
    /* x labels */
    for (int k = 0; k <= 5; k++) {
        por_time_t t = h->from + (por_time_t)((double)(h->to - h->from) * k / 5);
        char clock[48];
        por_time_format_clock(t, clock, sizeof clock);
        clock[strlen(clock) > 4 ? strlen(clock) - 4 : 0] = '\0'; /* drop milliseconds */
        /* the end labels are anchored inward so they are not clipped at the chart's edges */
        const char *anchor = k == 0 ? "start" : k == 5 ? "end" : "middle";
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\" class=\"ax\">%s</text>\n",
                por__x(h, t), CH - CB + 16, anchor, clock);
    }
    if (h->onset_known && h->onset >= h->from && h->onset <= h->to)
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#d00\" "
                   "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.0f\" class=\"ax\" "
                   "fill=\"#d00\">onset</text>\n",
                por__x(h, h->onset), por__x(h, h->onset), CT, CH - CB, por__x(h, h->onset) + 3,
                CT + 12);
    por__series_path(f, &h->s[S_SUPPLY], lo, hi, "#e67e22", "");
    por__series_path(f, &h->s[S_RESERVE], lo, hi, "#27ae60", "");
    por__series_path(f, &h->s[S_ANSWER], lo, hi, "#2a6fdb", " stroke-dasharray=\"6 3\"");
    /* rounds over the whole window: a thin mark per bucket with rounds (blue: a report);
     * the kept rounds get clickable ticks on top */
    bool cut = h->rounds_in_window > h->nrounds;
    for (int b = 0; b < POR_TRACE_HTML_BUCKETS; b++) {
        if (!h->round_marks[b])
            continue;
        double xb = CL + (b + 0.5) * (CW - CL - CR) / POR_TRACE_HTML_BUCKETS;
        fprintf(f, "<rect class=\"rmark\" x=\"%.1f\" y=\"%.0f\" width=\"1.5\" height=\"8\" "
                   "fill=\"%s\"><title>round%s%s</title></rect>\n",
                xb - 0.75, CH - CB + 25, h->round_marks[b] & 2 ? "#2a6fdb" : "#bbb",
                h->round_marks[b] & 2 ? "s with a report" : "s",
                cut ? " (diagrams only for the first rounds: narrow --from/--to)" : "");
    }
    /* round ticks (click to show) */
    for (uint32_t i = 0; i < h->nrounds; i++) {
        const por__round *r = &h->rounds[i];
        const char *col = r->final ? "#2a6fdb" : "#999";
        fprintf(f, "<rect class=\"tick\" x=\"%.1f\" y=\"%.0f\" width=\"4\" height=\"14\" "
                   "fill=\"%s\" onclick=\"show(%u)\"><title>round e%u/r%u%s</title></rect>\n",
                por__x(h, r->start) - 2, CH - CB + 22, col, (unsigned)i, (unsigned)r->epoch,
                (unsigned)r->round, r->final ? " (report)" : "");
    }
    /* legend */
    fprintf(f, "<g class=\"ax\"><rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"3\" fill=\"#27ae60\"/>"
               "<text x=\"%.0f\" y=\"10\">true reserve</text>"
               "<rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"3\" fill=\"#2a6fdb\"/>"
               "<text x=\"%.0f\" y=\"10\">reported answer (on chain)</text>"
               "<rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"3\" fill=\"#e67e22\"/>"
               "<text x=\"%.0f\" y=\"10\">token supply</text></g>\n",
            CL, CL + 16, CL + 120, CL + 136, CL + 320, CL + 336);
    fputs("</svg>\n", f);
}

/* Row positions of a sequence diagram: every distinct instant gets its own row. */
static int por__cmp_time(const void *a, const void *b)
{
    por_time_t x = *(const por_time_t *)a, y = *(const por_time_t *)b;
    return (x > y) - (x < y);
}

static double por__row(const por_time_t *times, size_t n, por_time_t t, double step)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (times[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 50 + (double)lo * step;
}

static const char *por__msg_colour(uint16_t type)
{
    static const char *const c[] = {"#999", "#8e44ad", "#2a6fdb", "#16a085", "#d35400",
                                    "#c0392b", "#000",    "#7f8c8d"};
    return type < 8 ? c[type] : "#999";
}

static void por__sequence(FILE *f, const por_trace_html *h, uint32_t idx)
{
    const por__round *r = &h->rounds[idx];
    uint32_t n = h->sc->feed.ocr.n;
    size_t cap = 2 * (size_t)r->nmsgs + 2 * r->ntx + 1, nt = 0;
    por_time_t *times = por_xmalloc(cap * sizeof *times);
    times[nt++] = r->start;
    for (uint32_t i = 0; i < r->nmsgs; i++) {
        times[nt++] = r->msgs[i].at;
        if (r->msgs[i].fate == POR_MSG_DELIVERED)
            times[nt++] = r->msgs[i].at + r->msgs[i].latency;
    }
    for (uint32_t i = 0; i < r->ntx; i++) {
        times[nt++] = r->tx[i].sent;
        if (r->tx[i].result >= 0)
            times[nt++] = r->tx[i].landed;
    }
    qsort(times, nt, sizeof *times, por__cmp_time);
    size_t u = 0;
    for (size_t i = 0; i < nt; i++)
        if (u == 0 || times[i] != times[u - 1])
            times[u++] = times[i];
    double step = u > 1 ? 1100.0 / (double)u : 20;
    if (step > 14)
        step = 14;
    if (step < 3)
        step = 3;
    double height = 50 + (double)u * step + 40;
    double lane = 1000.0 / (n + 1), x0 = 150;
    fprintf(f, "<div class=\"seq\" id=\"r%u\" style=\"display:none\">\n", (unsigned)idx);
    char clock[48], med[64];
    fprintf(f, "<h3>Round e%u/r%u, leader oracle %u, started %s</h3>\n<p>", (unsigned)r->epoch,
            (unsigned)r->round, (unsigned)r->leader,
            por_time_format_clock(r->start, clock, sizeof clock));
    if (r->nobs)
        fprintf(f, "%u observations, median %s %s. ", (unsigned)r->nobs,
                por_trace_amount(por_amount_from_double(r->median * 100), 2, 2, med, sizeof med),
                por__unit(h));
    if (r->decided) {
        double dev = r->ppb == INT64_MAX ? 0.0 : (double)r->ppb / 1e7;
        double alpha = (double)h->sc->feed.ocr.alpha_ppb / 1e7;
        if (r->why == POR_DECIDE_DEVIATION || r->why == POR_DECIDE_NONE)
            fprintf(f, "Should-report: <b>%s</b> (deviation %.2f%% %s alpha %.2f%%%s). ",
                    r->report ? "yes" : "no", dev, dev >= alpha ? "&gt;=" : "&lt;", alpha,
                    r->why == POR_DECIDE_NONE ? ", no heartbeat due" : "");
        else
            fprintf(f, "Should-report: <b>%s</b> (%s; deviation %.2f%%). ", r->report ? "yes" : "no",
                    por_trace_decision_name((por_trace_decision_why)r->why), dev);
    }
    if (r->final)
        fprintf(f, "FINAL with %u signatures. ", (unsigned)r->nsigs);
    for (uint32_t i = 0; i < r->ntx; i++)
        fprintf(f, "Oracle %u transmitted: %s. ", (unsigned)r->tx[i].sender,
                r->tx[i].result < 0 ? "not mined in the window"
                                    : por_transmit_result_name((por_transmit_result)r->tx[i].result));
    if (r->nmsgs_dropped)
        fprintf(f, "(%u more messages not drawn.) ", (unsigned)r->nmsgs_dropped);
    fputs("Rows are instants in order (not to scale); times on the left.</p>\n", f);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1150\" height=\"%.0f\">\n",
            height);
    for (uint32_t j = 0; j <= n; j++) {
        double x = x0 + lane * j;
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"40\" y2=\"%.0f\" stroke=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"30\" text-anchor=\"middle\" class=\"lane\">%s",
                x, x, height - 20, j == n ? "#333" : "#bbb", x, j == n ? "chain" : "oracle ");
        if (j < n)
            fprintf(f, "%u%s", (unsigned)j, j == r->leader ? " (leader)" : "");
        fputs("</text>\n", f);
    }
    /* time labels: about every 40 px */
    int every = (int)(40 / step) + 1;
    for (size_t i = 0; i < u; i += (size_t)every) {
        char d[48];
        fprintf(f, "<text x=\"4\" y=\"%.1f\" class=\"ax\">+%s</text>\n",
                por__row(times, u, times[i], step) + 4, por__short_duration(times[i] - r->start, d, sizeof d));
    }
    for (uint32_t i = 0; i < r->nmsgs; i++) {
        const por__msg *m = &r->msgs[i];
        double xa = x0 + lane * m->from, xb = x0 + lane * m->to;
        double ya = por__row(times, u, m->at, step);
        char lat[48];
        if (m->fate == POR_MSG_DELIVERED) {
            double yb = por__row(times, u, m->at + m->latency, step);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                       "marker-end=\"url(#arr)\"><title>%s %u -&gt; %u, latency %s</title></line>\n",
                    xa, ya, xb, yb, por__msg_colour(m->type), por_trace_msg_name(m->type),
                    (unsigned)m->from, (unsigned)m->to, por__short_duration(m->latency, lat, sizeof lat));
        } else {
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d00\" "
                       "stroke-dasharray=\"3 3\"><title>%s %u -&gt; %u %s</title></line>\n",
                    xa, ya, (xa + xb) / 2, ya, por_trace_msg_name(m->type), (unsigned)m->from,
                    (unsigned)m->to, por_trace_fate_name((por_trace_msg_fate)m->fate));
        }
    }
    for (uint32_t i = 0; i < r->ntx; i++) {
        const por__tx *t = &r->tx[i];
        double xa = x0 + lane * t->sender, xb = x0 + lane * n;
        double ya = por__row(times, u, t->sent, step);
        double yb = t->result >= 0 ? por__row(times, u, t->landed, step) : ya;
        /* the label sits above the middle of the arrow, clear of its head */
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                   "stroke-width=\"2.5\" marker-end=\"url(#arr)\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" class=\"ax txlabel\" text-anchor=\"middle\" "
                   "style=\"paint-order:stroke;stroke:#fff;stroke-width:4px\">transmit: %s</text>\n",
                xa, ya, xb, yb, (xa + xb) / 2, (ya + yb) / 2 - 8,
                t->result < 0 ? "pending"
                              : por_transmit_result_name((por_transmit_result)t->result));
    }
    /* legend of message types */
    /* (the colour as a style: the .ax class's fill would override a fill attribute) */
    for (uint16_t k = 2; k <= 7; k++)
        fprintf(f, "<text x=\"%.0f\" y=\"12\" class=\"ax legend\" style=\"fill:%s\">&#9644; %s</text>\n",
                x0 + (k - 2) * 130.0, por__msg_colour(k), por_trace_msg_name(k));
    fputs("</svg></div>\n", f);
    free(times);
}

static const char *const por__js =
    "function show(i){var d=document.querySelectorAll('.seq');"
    "for(var k=0;k<d.length;k++)d[k].style.display='none';"
    "var e=document.getElementById('r'+i);if(e){e.style.display='block';}"
    "var s=document.getElementById('pick');if(s)s.value=i;}\n";

por_status por_trace_html_write(por_trace_html *h, const char *path, por_time_t end,
                                por_error *err)
{
    (void)end;
    FILE *f = fopen(path, "w");
    if (!f)
        return por_error_set(err, POR_EIO, "%s: cannot write the HTML page: %s", path,
                             strerror(errno));
    const por_scenario *sc = h->sc;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>porsim trace: ", f);
    por__esc(f, sc->name);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:16px;color:#222}"
          ".ax{font-size:11px;fill:#555}.lane{font-size:12px;fill:#222}"
          ".tick{cursor:pointer}.ev{font-family:monospace;font-size:12px;margin:0}"
          ".bad{color:#c00}.good{color:#080}.answer{color:#2a6fdb}.attack{color:#a0c}"
          ".info{color:#555}h1{font-size:20px}h3{font-size:16px;margin:8px 0}"
          "#events{max-height:260px;overflow:auto;border:1px solid #ddd;padding:4px}</style>\n"
          "<script>", f);
    fputs(por__js, f);
    fputs("</script></head><body>\n<h1>porsim trace: ", f);
    por__esc(f, sc->name);
    char a[48], b[48];
    fprintf(f, "</h1>\n<p>Replication %" PRIu64 ", seed %" PRIu64 ", n=%u f=%u, window %s to %s. ",
            h->rep, sc->seed, sc->feed.ocr.n, sc->feed.ocr.f,
            por_time_format_clock(h->from, a, sizeof a), por_time_format_clock(h->to, b, sizeof b));
    por__esc(f, sc->description);
    fputs("</p>\n", f);
    por__chart(f, h);
    fprintf(f, "<p>Click a tick under the chart (blue: the round produced a report) or pick a "
               "round: <select id=\"pick\" onchange=\"show(this.value)\">\n");
    int first = -1;
    for (uint32_t i = 0; i < h->nrounds; i++) {
        const por__round *r = &h->rounds[i];
        char clock[48];
        if (first < 0 && r->final)
            first = (int)i;
        fprintf(f, "<option value=\"%u\">e%u/r%u at %s%s</option>\n", (unsigned)i,
                (unsigned)r->epoch, (unsigned)r->round,
                por_time_format_clock(r->start, clock, sizeof clock),
                r->final ? " - report" : "");
    }
    fputs("</select>", f);
    if (h->rounds_in_window > h->nrounds)
        fprintf(f, " <b>Showing the first %u of the %" PRIu64 " rounds in the window</b> (narrow "
                   "it with --from/--to to see others).",
                (unsigned)h->nrounds, h->rounds_in_window);
    fputs("</p>\n", f);
    for (uint32_t i = 0; i < h->nrounds; i++)
        por__sequence(f, h, i);
    fputs("<svg width=\"0\" height=\"0\" xmlns=\"http://www.w3.org/2000/svg\"><defs><marker "
          "id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
          "markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" "
          "fill=\"#444\"/></marker></defs></svg>\n",
          f);
    fputs("<h3>Key events</h3><div id=\"events\">\n", f);
    for (uint32_t i = 0; i < h->nevents; i++) {
        char clock[48];
        fprintf(f, "<p class=\"ev %s\">%s &nbsp; ", h->events[i].cls,
                por_time_format_clock(h->events[i].at, clock, sizeof clock));
        por__esc(f, h->events[i].text);
        fputs("</p>\n", f);
    }
    if (h->events_in_window > h->nevents)
        fprintf(f, "<p class=\"ev\">... %" PRIu64 " more events not listed (first %d shown).</p>\n",
                h->events_in_window - h->nevents, POR__MAX_EVENTS);
    fputs("</div>\n", f);
    fprintf(f, "<script>show(%d);</script>\n</body></html>\n", first < 0 ? 0 : first);
    if (fclose(f) != 0)
        return por_error_set(err, POR_EIO, "%s: write failed", path);
    return POR_OK;
}
