/* The CSV time series of `porsim trace --series FILE.csv`: one row per change of the true
 * reserve, the reported (on-chain) answer or the token supply, streamed as the trace
 * records arrive (nothing is held but the current values), with exact decimal amounts.
 *
 * Columns: t_seconds (exact, up to 9 decimals), true_reserve and total_supply (the TRUTH
 * record's amounts, token decimals), reported_answer (the feed's answer, feed decimals;
 * empty before the first answer), true_ratio and reported_ratio (reserve / supply and
 * answer / supply, truncated to 9 decimals; empty when the supply is 0 or no answer yet),
 * and event (start | reserve | supply | answer: which change made the row; one last row,
 * end, repeats the values at the time the run stopped). Amounts are in
 * whole units of the token (and of the feed's unit, which the world compares 1:1 with the
 * token), printed by por_amount_format with trailing zeros trimmed: a value with D
 * decimals is printed exactly, never through a double.
 *
 * All-or-nothing: rows go to a temporary sibling file (FILE.csv.partial-XXXXXX) renamed
 * onto FILE.csv by por_trace_series_commit; destroy without commit, exit() (out of memory)
 * or a signal handled through por_trace_series_signal_cleanup remove it. */
#include "por/trace_render.h"

#include "por/ratio.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POR__SERIES_RATIO_DIGITS 9
#define POR__SERIES_PATH_MAX 4096

struct por_trace_series {
    por_trace_sink sink;
    const por_scenario *sc;
    FILE *f;
    char path[POR__SERIES_PATH_MAX];
    char tmp[POR__SERIES_PATH_MAX + 32];
    bool committed;
    int werr; /* errno of the first failed write, 0 if none */
    bool have_truth, have_answer;
    por_amount reserve, supply, answer;
    uint64_t rows;
};

/* The temporary file still to remove if the process ends before commit (one series per
 * process: `porsim trace` writes at most one). A plain char array so the signal cleanup
 * reads it without locks. */
static char por__pending[POR__SERIES_PATH_MAX + 32];
static volatile sig_atomic_t por__pending_set;

void por_trace_series_signal_cleanup(void)
{
    if (por__pending_set) {
        por__pending_set = 0;
        unlink(por__pending);
    }
}

static void por__remove_pending(void) { por_trace_series_signal_cleanup(); }

/* Decimal digits of U (most significant first) into BUF; returns the length. */
static size_t por__udigits(por_uamount u, char *buf)
{
    char rev[48];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    for (size_t i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    return n;
}

void por_trace_series_ratio(por_amount num, unsigned num_dec, por_amount den, unsigned den_dec,
                            char *buf, size_t n)
{
    if (n == 0)
        return;
    buf[0] = '\0';
    if (den <= 0 || num_dec > POR_MAX_DECIMALS || den_dec > POR_MAX_DECIMALS)
        return;
    /* (num / 10^num_dec) / (den / 10^den_dec) = (num / den) * 10^shift */
    int shift = (int)den_dec - (int)num_dec;
    por_uamount a = num < 0 ? (por_uamount)0 - (por_uamount)num : (por_uamount)num;
    por_uamount b = (por_uamount)den;
    char d[48 + POR_MAX_DECIMALS + POR__SERIES_RATIO_DIGITS + 8];
    size_t len = por__udigits(a / b, d);
    size_t point = len; /* digits before the decimal point */
    por_uamount r = a % b;
    int frac = POR__SERIES_RATIO_DIGITS + (shift > 0 ? shift : 0);
    for (int i = 0; i < frac; i++) {
        /* the largest digit q with q * b <= 10 * r, compared exactly (r < b fits) */
        int q = 9;
        while (q > 0 && por_amount_cmp_products((por_amount)q, (por_amount)b, (por_amount)r, 10) > 0)
            q--;
        r = r * 10 - (por_uamount)q * b; /* exact modulo 2^128: the result is in [0, b) */
        d[len++] = (char)('0' + q);
    }
    /* Move the decimal point by SHIFT: integer digits are d[0, ip), then 9 fractional. */
    long ip = (long)point + shift;
    char out[sizeof d + POR_MAX_DECIMALS + 8];
    size_t o = 0;
    bool nonzero = false;
    for (long i = 0; i < ip; i++) {
        char c = i < (long)len ? d[i] : '0';
        if (o == 0 && c == '0' && i + 1 < ip)
            continue; /* leading zeros */
        out[o++] = c;
    }
    if (o == 0)
        out[o++] = '0';
    out[o++] = '.';
    for (long i = ip; i < ip + POR__SERIES_RATIO_DIGITS; i++)
        out[o++] = i >= 0 && i < (long)len ? d[i] : '0';
    out[o] = '\0';
    for (size_t i = 0; i < o; i++)
        nonzero |= out[i] >= '1' && out[i] <= '9';
    snprintf(buf, n, "%s%s", num < 0 && nonzero ? "-" : "", out);
}

static void por__row(por_trace_series *s, por_time_t t, const char *event)
{
    const por_scenario *sc = s->sc;
    unsigned td = sc->token.decimals, fd = sc->feed.decimals;
    char ts[64], res[64], ans[64], sup[64], tr[160], rr[160];
    por_amount_format((por_amount)t, 9, false, ts, sizeof ts);
    por_amount_format(s->reserve, td, false, res, sizeof res);
    por_amount_format(s->supply, td, false, sup, sizeof sup);
    por_trace_series_ratio(s->reserve, td, s->supply, td, tr, sizeof tr);
    if (s->have_answer) {
        por_amount_format(s->answer, fd, false, ans, sizeof ans);
        por_trace_series_ratio(s->answer, fd, s->supply, td, rr, sizeof rr);
    } else {
        ans[0] = rr[0] = '\0';
    }
    if (fprintf(s->f, "%s,%s,%s,%s,%s,%s,%s\n", ts, res, ans, sup, tr, rr, event) < 0 &&
        !s->werr)
        s->werr = errno ? errno : EIO;
    s->rows++;
}

static void por__emit(void *ctx, const por_trace_record *r)
{
    por_trace_series *s = ctx;
    switch ((por_trace_kind)r->kind) {
    case POR_TK_TRUTH:
        s->have_truth = true;
        s->reserve = r->truth.reserve;
        s->supply = r->truth.supply;
        por__row(s, r->time,
                 r->truth.cause == POR_TRUTH_START     ? "start"
                 : r->truth.cause == POR_TRUTH_RESERVE ? "reserve"
                                                       : "supply");
        break;
    case POR_TK_ANSWER:
        s->have_answer = true;
        s->answer = r->answer.answer;
        if (!s->have_truth) /* the world's START record comes first; keep the row honest */
            s->supply = r->answer.supply;
        por__row(s, r->time, "answer");
        break;
    default:
        break;
    }
}

por_trace_series *por_trace_series_create(const char *path, const por_scenario *sc,
                                          por_error *err)
{
    if (!path || !*path) {
        por_error_set(err, POR_EINPUT, "--series: empty file name");
        return NULL;
    }
    if (strlen(path) >= POR__SERIES_PATH_MAX) {
        por_error_set(err, POR_EINPUT, "--series: file name too long");
        return NULL;
    }
    POR_ASSERT(!por__pending_set);
    por_trace_series *s = por_xcalloc(1, sizeof *s);
    s->sc = sc;
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->tmp, sizeof s->tmp, "%s.partial-XXXXXX", path);
    int fd = mkstemp(s->tmp);
    if (fd < 0) {
        por_error_set(err, POR_EIO, "%s: cannot create the series file: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    /* mkstemp makes the file 0600; a finished output gets the usual 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    memcpy(por__pending, s->tmp, sizeof s->tmp);
    por__pending_set = 1;
    static bool registered;
    if (!registered)
        registered = atexit(por__remove_pending) == 0;
    s->f = fdopen(fd, "w");
    if (!s->f) {
        por_error_set(err, POR_EIO, "%s: cannot open the series file: %s", path, strerror(errno));
        close(fd);
        por__remove_pending();
        free(s);
        return NULL;
    }
    fputs("t_seconds,true_reserve,reported_answer,total_supply,true_ratio,reported_ratio,event\n",
          s->f);
    s->sink.emit = por__emit;
    s->sink.ctx = s;
    return s;
}

por_trace_sink *por_trace_series_sink(por_trace_series *s) { return &s->sink; }

void por_trace_series_finish(por_trace_series *s, por_time_t end)
{
    POR_ASSERT(s->f && !s->committed);
    if (s->have_truth || s->have_answer)
        por__row(s, end, "end");
}

uint64_t por_trace_series_rows(const por_trace_series *s) { return s->rows; }

por_status por_trace_series_commit(por_trace_series *s, por_error *err)
{
    POR_ASSERT(s->f && !s->committed);
    errno = 0;
    int werr = s->werr ? s->werr : ferror(s->f) ? EIO : 0;
    if (fflush(s->f) != 0 && !werr)
        werr = errno ? errno : EIO;
    if (fclose(s->f) != 0 && !werr)
        werr = errno ? errno : EIO;
    s->f = NULL;
    if (werr) {
        por__remove_pending();
        return por_error_set(err, POR_EIO, "%s: write failed: %s (nothing written)", s->path,
                             strerror(werr));
    }
    if (rename(s->tmp, s->path) != 0) {
        int e = errno;
        por__remove_pending();
        return por_error_set(err, POR_EIO, "%s: cannot create the series file: %s", s->path,
                             strerror(e));
    }
    por__pending_set = 0;
    s->committed = true;
    return POR_OK;
}

void por_trace_series_destroy(por_trace_series *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    if (!s->committed)
        por__remove_pending();
    free(s);
}
