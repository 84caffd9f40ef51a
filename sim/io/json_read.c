/* Internal to the scenario loader: path tracking, error messages, key checking with
 * suggestions, and typed scalar readers over cJSON (see json_read.h). */
#include "json_read.h"
#include "por/param.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POR__JR_MAX_SAFE_INT 9007199254740992.0 /* 2^53 */

/* ---- path and errors -------------------------------------------------------------- */

void por__jr_init(por__jr *c, const char *file, por_error *err)
{
    memset(c, 0, sizeof *c);
    c->err = err;
    c->file = file;
    c->path[0] = '$';
    c->path[1] = '\0';
    c->plen = 1;
}

void por__jr_reset(por__jr *c, size_t mark)
{
    POR_ASSERT(mark <= c->plen);
    c->plen = mark;
    c->path[mark] = '\0';
}

static void por__jr_append(por__jr *c, const char *s)
{
    size_t n = strlen(s);
    if (c->plen + n >= sizeof c->path) /* absurdly deep: keep the path truncated */
        n = sizeof c->path - 1 - c->plen;
    memcpy(c->path + c->plen, s, n);
    c->plen += n;
    c->path[c->plen] = '\0';
}

void por__jr_push_key(por__jr *c, const char *key)
{
    por__jr_append(c, ".");
    por__jr_append(c, key);
}

void por__jr_push_index(por__jr *c, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%zu]", i);
    por__jr_append(c, buf);
}

/* The override that produced the value at the current path, or NULL. The last override
 * whose anchor is the path or one of its ancestors wins. */
static const char *por__jr_origin_of(const por__jr *c)
{
    for (size_t i = c->norigins; i-- > 0;) {
        const char *a = c->origins[i].anchor;
        size_t n = strlen(a);
        if (strncmp(c->path, a, n) == 0 &&
            (c->path[n] == '\0' || c->path[n] == '.' || c->path[n] == '['))
            return c->origins[i].text;
    }
    return NULL;
}

/* Appends S to OUT (capacity N, current length *O), cutting what does not fit. Control
 * characters (a key or --set text may hold a newline) become \xNN, so a message stays
 * one line. */
static void por__jr_cat(char *out, size_t n, size_t *o, const char *s)
{
    for (; *s && *o + 1 < n; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f) {
            if (*o + 5 >= n)
                break;
            *o += (size_t)snprintf(out + *o, n - *o, "\\x%02x", ch);
        } else {
            out[(*o)++] = (char)ch;
        }
    }
    out[*o] = '\0';
}

static void por__jr_format(por__jr *c, char *out, size_t n, bool with_path, const char *fmt, va_list ap)
{
    char body[400];
    vsnprintf(body, sizeof body, fmt, ap);
    const char *origin = with_path ? por__jr_origin_of(c) : NULL;
    size_t o = 0;
    out[0] = '\0';
    por__jr_cat(out, n, &o, c->file);
    por__jr_cat(out, n, &o, ": ");
    if (with_path) {
        por__jr_cat(out, n, &o, c->path);
        por__jr_cat(out, n, &o, ": ");
    }
    por__jr_cat(out, n, &o, body);
    if (origin) {
        por__jr_cat(out, n, &o, " (from --set ");
        por__jr_cat(out, n, &o, origin);
        por__jr_cat(out, n, &o, ")");
    }
}

void por__jr_fail(por__jr *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[sizeof c->err->msg];
    por__jr_format(c, msg, sizeof msg, true, fmt, ap);
    va_end(ap);
    por_error_set(c->err, POR_EINPUT, "%s", msg);
    longjmp(c->jb, 1);
}

void por__jr_fail_nopath(por__jr *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[sizeof c->err->msg];
    por__jr_format(c, msg, sizeof msg, false, fmt, ap);
    va_end(ap);
    por_error_set(c->err, POR_EINPUT, "%s", msg);
    longjmp(c->jb, 1);
}

void por__jr_warn(por__jr *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    por__jr_format(c, msg, sizeof msg, true, fmt, ap);
    va_end(ap);
    c->warnings = por_xrealloc(c->warnings, (c->nwarnings + 1) * sizeof *c->warnings);
    c->warnings[c->nwarnings++] = por_xstrdup(msg);
}

void por__jr_free_warnings(por__jr *c)
{
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    c->warnings = NULL;
    c->nwarnings = 0;
}

/* Copies S into OUT as a short quoted literal, escaping what is not printable. */
static void por__jr_quote(const char *s, char *out, size_t n)
{
    size_t o = 0;
    const size_t limit = 40;
    if (n < 8)
        return;
    out[o++] = '"';
    size_t i = 0;
    for (; s[i] && i < limit && o + 6 < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20 || ch >= 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    if (s[i] && o + 5 < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
}

const char *por__jr_describe(const cJSON *node, char *buf, size_t n)
{
    if (!node)
        snprintf(buf, n, "nothing");
    else if (cJSON_IsString(node))
        por__jr_quote(node->valuestring ? node->valuestring : "", buf, n);
    else if (cJSON_IsNumber(node)) {
        if (isfinite(node->valuedouble))
            snprintf(buf, n, "%.15g", node->valuedouble);
        else
            snprintf(buf, n, "a number out of range");
    } else if (cJSON_IsTrue(node))
        snprintf(buf, n, "true");
    else if (cJSON_IsFalse(node))
        snprintf(buf, n, "false");
    else if (cJSON_IsNull(node))
        snprintf(buf, n, "null");
    else if (cJSON_IsArray(node))
        snprintf(buf, n, "an array");
    else if (cJSON_IsObject(node))
        snprintf(buf, n, "an object");
    else
        snprintf(buf, n, "an invalid value");
    return buf;
}

char *por__jr_dur(por_time_t t, char *buf, size_t n) { return por_param_duration_text(t, buf, n); }

/* ---- suggestions ------------------------------------------------------------------ */

size_t por__jr_levenshtein(const char *a, const char *b)
{
    enum { CAP = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > CAP)
        la = CAP;
    if (lb > CAP)
        lb = CAP;
    size_t prev[CAP + 1], cur[CAP + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *por__jr_nearest(const char *word, const char *const *cands, size_t ncands)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < ncands; i++) {
        size_t d = por__jr_levenshtein(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return best && bestd <= limit && bestd < len ? best : NULL;
}

/* Words people bring from Chainlink's docs, libocr's code or other simulators, each with
 * the key porsim spells it as and what that key is. Only suggested where that key is
 * allowed (feed.ocr.heartbeat -> delta_c; a top-level "heartbeat" gets no suggestion). */
static const struct {
    const char *word, *key, *gloss;
} por__jr_synonyms[] = {
    {"heartbeat", "delta_c", "the heartbeat: a report at least this often (libocr DeltaC)"},
    {"delta_heartbeat", "delta_c", "the heartbeat (libocr DeltaC)"},
    {"deltac", "delta_c", "the heartbeat (libocr DeltaC)"},
    {"deviation_threshold", "deviation", "the deviation threshold (libocr Alpha)"},
    {"threshold", "deviation", "the deviation threshold (libocr Alpha)"},
    {"alpha", "deviation", "the deviation threshold (libocr Alpha)"},
    {"progress_timeout", "delta_progress", "libocr DeltaProgress"},
    {"resend_interval", "delta_resend", "libocr DeltaResend"},
    {"round_interval", "delta_round", "libocr DeltaRound"},
    {"grace", "delta_grace", "libocr DeltaGrace"},
    {"grace_period", "delta_grace", "libocr DeltaGrace"},
    {"stage", "delta_stage", "libocr DeltaStage"},
    {"max_rounds", "r_max", "rounds per epoch (libocr RMax)"},
    {"rmax", "r_max", "rounds per epoch (libocr RMax)"},
    {"oracles", "n", "the number of oracles"},
    {"num_oracles", "n", "the number of oracles"},
    {"nodes", "n", "the number of oracles"},
    {"faulty", "f", "the number of faulty oracles tolerated"},
    {"max_faulty", "f", "the number of faulty oracles tolerated"},
    {"horizon", "duration", "the simulated time of one run"},
    {"end", "duration", "the simulated time of one run"},
    {"runs", "replications", "the number of runs"},
    {"reps", "replications", "the number of runs"},
    {"block_interval", "block_time", "the time between blocks"},
    {"finality", "confirmations", "blocks before a transaction counts as final"},
    {"staleness", "max_staleness", "the oldest reserve answer a mint accepts"},
    {"losses", "steps", "reserve changes: {\"at\", \"change\"}"},
    {"changes", "steps", "reserve changes: {\"at\", \"change\"}"},
    {"events", "steps", "reserve changes: {\"at\", \"change\"}"},
    {"precision", "decimals", "digits after the decimal point"},
    {"attacks", "attackers", "the attacks"},
};

/* The key KEY stands for when it is a known synonym of one of ALLOWED; NULL otherwise.
 * *GLOSS gets what that key is. */
static const char *por__jr_synonym(const char *key, const char *const *allowed, size_t nallowed,
                                   const char **gloss)
{
    for (size_t s = 0; s < sizeof por__jr_synonyms / sizeof por__jr_synonyms[0]; s++) {
        if (strcmp(por__jr_synonyms[s].word, key) != 0)
            continue;
        for (size_t k = 0; k < nallowed; k++)
            if (!strcmp(allowed[k], por__jr_synonyms[s].key)) {
                *gloss = por__jr_synonyms[s].gloss;
                return allowed[k];
            }
    }
    return NULL;
}

/* Writes "a, b, c" (or "\"a\", \"b\"" when QUOTED) into OUT. */
static void por__jr_list(const char *const *names, bool quoted, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; names[i] && o < n; i++)
        o += (size_t)snprintf(out + o, n - o, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "", names[i]);
}

/* ---- structure -------------------------------------------------------------------- */

const cJSON *por__jr_get(const cJSON *obj, const char *key)
{
    if (!obj || !cJSON_IsObject(obj))
        return NULL;
    for (const cJSON *ch = obj->child; ch; ch = ch->next)
        if (ch->string && strcmp(ch->string, key) == 0)
            return ch;
    return NULL;
}

void por__jr_v_object(por__jr *c, const cJSON *node, const char *const *allowed, const char *what)
{
    char got[96];
    if (!cJSON_IsObject(node))
        por__jr_fail(c, "expected an object, got %s", por__jr_describe(node, got, sizeof got));
    size_t nallowed = 0;
    while (allowed[nallowed])
        nallowed++;
    POR_ASSERT(nallowed <= 64);
    bool seen[64] = {false};
    for (const cJSON *ch = node->child; ch; ch = ch->next) {
        const char *key = ch->string ? ch->string : "";
        size_t k = 0;
        while (k < nallowed && strcmp(allowed[k], key) != 0)
            k++;
        size_t mark = por__jr_mark(c);
        por__jr_push_key(c, key);
        if (k == nallowed) {
            const char *gloss = NULL;
            const char *syn = por__jr_synonym(key, allowed, nallowed, &gloss);
            const char *near = por__jr_nearest(key, allowed, nallowed);
            char list[300];
            por__jr_list(allowed, false, list, sizeof list);
            const char *sep = what ? " " : "";
            if (syn)
                por__jr_fail(c, "unknown key%s%s; did you mean \"%s\", %s?", sep, what ? what : "",
                             syn, gloss);
            if (near)
                por__jr_fail(c, "unknown key%s%s; did you mean \"%s\"?", sep, what ? what : "", near);
            por__jr_fail(c, "unknown key%s%s; expected one of: %s", sep, what ? what : "", list);
        }
        if (seen[k])
            por__jr_fail(c, "duplicate key");
        seen[k] = true;
        por__jr_reset(c, mark);
    }
}

size_t por__jr_v_array(por__jr *c, const cJSON *node, size_t min, size_t max)
{
    char got[96];
    if (!cJSON_IsArray(node))
        por__jr_fail(c, "expected an array, got %s", por__jr_describe(node, got, sizeof got));
    size_t n = (size_t)cJSON_GetArraySize(node);
    if (n < min)
        por__jr_fail(c, "expected at least %zu element%s, got %zu", min, min == 1 ? "" : "s", n);
    if (n > max)
        por__jr_fail(c, "expected at most %zu element%s, got %zu", max, max == 1 ? "" : "s", n);
    return n;
}

void por__jr_exclusive(por__jr *c, const cJSON *obj, const char *a, const char *b)
{
    if (por__jr_has(obj, a) && por__jr_has(obj, b)) {
        por__jr_push_key(c, b);
        por__jr_fail(c, "give either \"%s\" or \"%s\", not both", a, b);
    }
}

void por__jr_forbid(por__jr *c, const cJSON *obj, const char *key, const char *why)
{
    if (por__jr_has(obj, key)) {
        por__jr_push_key(c, key);
        por__jr_fail(c, "not allowed %s", why);
    }
}

const cJSON *por__jr_require(por__jr *c, const cJSON *obj, const char *key)
{
    const cJSON *v = por__jr_get(obj, key);
    if (!v) {
        por__jr_push_key(c, key);
        por__jr_fail(c, "missing required key");
    }
    return v;
}

/* ---- scalars ---------------------------------------------------------------------- */

bool por__jr_v_bool(por__jr *c, const cJSON *node)
{
    char got[96];
    if (!cJSON_IsBool(node))
        por__jr_fail(c, "expected true or false, got %s", por__jr_describe(node, got, sizeof got));
    return cJSON_IsTrue(node);
}

uint64_t por__jr_v_uint(por__jr *c, const cJSON *node, uint64_t min, uint64_t max)
{
    char got[96];
    POR_ASSERT(max <= (uint64_t)POR__JR_MAX_SAFE_INT);
    /* From 2^53 on a double no longer tells neighbouring integers apart (2^53 + 1 arrives
     * as 2^53), so 2^53 itself is refused too: what is accepted is what was written. */
    if (!cJSON_IsNumber(node) || !isfinite(node->valuedouble) || node->valuedouble != floor(node->valuedouble) ||
        node->valuedouble < (double)min || node->valuedouble > (double)max ||
        node->valuedouble >= POR__JR_MAX_SAFE_INT) {
        if (cJSON_IsNumber(node) && node->valuedouble >= POR__JR_MAX_SAFE_INT)
            por__jr_fail(c, "expected an integer from %llu to %llu, got %s (integers from 2^53 on are not exact in JSON)",
                         (unsigned long long)min, (unsigned long long)max, por__jr_describe(node, got, sizeof got));
        por__jr_fail(c, "expected an integer from %llu to %llu, got %s", (unsigned long long)min,
                     (unsigned long long)max, por__jr_describe(node, got, sizeof got));
    }
    return (uint64_t)node->valuedouble;
}

double por__jr_v_number(por__jr *c, const cJSON *node, double min, bool min_open, double max, bool max_open)
{
    char got[96], want[96];
    if (cJSON_IsNumber(node) && isfinite(node->valuedouble)) {
        double v = node->valuedouble;
        bool lo_ok = min_open ? v > min : v >= min;
        bool hi_ok = max_open ? v < max : v <= max;
        if (lo_ok && hi_ok)
            return v;
    }
    bool has_lo = isfinite(min), has_hi = isfinite(max);
    if (has_lo && has_hi)
        snprintf(want, sizeof want, "a number in %c%g, %g%c", min_open ? '(' : '[', min, max, max_open ? ')' : ']');
    else if (has_lo)
        snprintf(want, sizeof want, "a number %s %g", min_open ? ">" : ">=", min);
    else if (has_hi)
        snprintf(want, sizeof want, "a number %s %g", max_open ? "<" : "<=", max);
    else
        snprintf(want, sizeof want, "a finite number");
    por__jr_fail(c, "expected %s, got %s", want, por__jr_describe(node, got, sizeof got));
}

void por__jr_v_string(por__jr *c, const cJSON *node, char *buf, size_t cap)
{
    char got[96];
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected a string, got %s", por__jr_describe(node, got, sizeof got));
    size_t n = strlen(node->valuestring);
    if (n == 0)
        por__jr_fail(c, "expected a non-empty string, got \"\"");
    if (n >= cap)
        por__jr_fail(c, "expected at most %zu characters, got %zu", cap - 1, n);
    memcpy(buf, node->valuestring, n + 1);
}

por_time_t por__jr_v_duration(por__jr *c, const cJSON *node, bool positive)
{
    char got[96];
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected a duration string such as \"250ms\" or \"30d\", got %s",
                     por__jr_describe(node, got, sizeof got));
    por_time_t t;
    const char *why;
    if (por_duration_parse(node->valuestring, &t, &why) != 0)
        por__jr_fail(c, "expected a duration such as \"250ms\" or \"30d\", got %s: %s",
                     por__jr_describe(node, got, sizeof got), why);
    if (positive && t <= 0)
        por__jr_fail(c, "expected a positive duration, got %s", por__jr_describe(node, got, sizeof got));
    return t;
}

por_amount por__jr_v_amount(por__jr *c, const cJSON *node, unsigned decimals, bool allow_neg)
{
    char got[96];
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected an amount as a decimal string such as \"1000000.50\" (%u decimals), got %s",
                     decimals, por__jr_describe(node, got, sizeof got));
    por_amount v;
    const char *why;
    if (por_amount_parse(node->valuestring, decimals, &v, &why) != 0)
        por__jr_fail(c, "expected an amount with at most %u decimals, got %s: %s", decimals,
                     por__jr_describe(node, got, sizeof got), why);
    if (!allow_neg && v < 0)
        por__jr_fail(c, "expected a non-negative amount, got %s", por__jr_describe(node, got, sizeof got));
    return v;
}

int por__percent_parse(const char *s, int64_t *ppb, const char **why)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9') {
        *why = "expected digits";
        return -1;
    }
    int64_t whole = 0;
    while (*p >= '0' && *p <= '9') {
        if (whole > 1000000000) {
            *why = "percentage too large";
            return -1;
        }
        whole = whole * 10 + (*p++ - '0');
    }
    int64_t frac = 0; /* in units of 1e-7 % = 1 ppb */
    int digits = 0;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') {
            *why = "expected digits after the decimal point";
            return -1;
        }
        while (*p >= '0' && *p <= '9') {
            if (++digits > 7) {
                *why = "more than 7 decimal places (finer than 1 ppb)";
                return -1;
            }
            frac = frac * 10 + (*p++ - '0');
        }
    }
    for (int i = digits; i < 7; i++)
        frac *= 10;
    if (*p != '%' || p[1] != '\0') {
        *why = *p == '\0' ? "missing '%'" : "unexpected text after the number";
        return -1;
    }
    if (whole > 1000000000) {
        *why = "percentage too large";
        return -1;
    }
    int64_t v = whole * 10000000 + frac;
    *ppb = neg ? -v : v;
    return 0;
}

char *por__percent_format(int64_t ppb, char *buf, size_t n)
{
    uint64_t u = ppb < 0 ? (uint64_t)0 - (uint64_t)ppb : (uint64_t)ppb;
    uint64_t whole = u / 10000000, frac = u % 10000000;
    if (frac == 0) {
        snprintf(buf, n, "%s%llu%%", ppb < 0 ? "-" : "", (unsigned long long)whole);
        return buf;
    }
    char f[8];
    snprintf(f, sizeof f, "%07llu", (unsigned long long)frac);
    size_t len = 7;
    while (len > 0 && f[len - 1] == '0')
        f[--len] = '\0';
    snprintf(buf, n, "%s%llu.%s%%", ppb < 0 ? "-" : "", (unsigned long long)whole, f);
    return buf;
}

/* For a bare number X given where a percentage is meant (0.01 or "0.01"): both readings,
 * "; write \"1%\" for the fraction 0.01, or \"0.01%\" for 0.01 percent", into BUF; "" when
 * TEXT is not a plain number. */
static const char *por__percent_fix(const char *text, char *buf, size_t n)
{
    char *end = NULL;
    double x = text && *text ? strtod(text, &end) : 0;
    if (!end || end == text || *end || !isfinite(x)) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "; write \"%g%%\" for the fraction %s, or \"%s%%\" for %s percent",
             100 * x, text, text, text);
    return buf;
}

int64_t por__jr_v_percent(por__jr *c, const cJSON *node, int64_t min_ppb, int64_t max_ppb)
{
    char got[96], lo[32], hi[32], fix[160];
    if (cJSON_IsNumber(node)) {
        char num[48];
        /* the shortest text that reads back the same number */
        for (int p = 1; p <= 17; p++) {
            snprintf(num, sizeof num, "%.*g", p, node->valuedouble);
            if (strtod(num, NULL) == node->valuedouble)
                break;
        }
        por__jr_fail(c, "expected a percentage string such as \"1%%\" or \"-0.5%%\", got %s%s",
                     por__jr_describe(node, got, sizeof got), por__percent_fix(num, fix, sizeof fix));
    }
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected a percentage string such as \"1%%\" or \"-0.5%%\", got %s",
                     por__jr_describe(node, got, sizeof got));
    int64_t v;
    const char *why;
    if (por__percent_parse(node->valuestring, &v, &why) != 0)
        por__jr_fail(c, "expected a percentage such as \"1%%\" or \"-0.5%%\", got %s: %s%s",
                     por__jr_describe(node, got, sizeof got), why,
                     por__percent_fix(node->valuestring, fix, sizeof fix));
    if (v < min_ppb || v > max_ppb)
        por__jr_fail(c, "expected a percentage from %s to %s, got %s", por__percent_format(min_ppb, lo, sizeof lo),
                     por__percent_format(max_ppb, hi, sizeof hi), por__jr_describe(node, got, sizeof got));
    return v;
}

size_t por__jr_v_enum(por__jr *c, const cJSON *node, const char *const *names)
{
    char got[96], list[300];
    size_t n = 0;
    while (names[n])
        n++;
    por__jr_list(names, true, list, sizeof list);
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected one of %s, got %s", list, por__jr_describe(node, got, sizeof got));
    for (size_t i = 0; i < n; i++)
        if (strcmp(node->valuestring, names[i]) == 0)
            return i;
    const char *near = por__jr_nearest(node->valuestring, names, n);
    if (near)
        por__jr_fail(c, "expected one of %s, got %s; did you mean \"%s\"?", list,
                     por__jr_describe(node, got, sizeof got), near);
    por__jr_fail(c, "expected one of %s, got %s", list, por__jr_describe(node, got, sizeof got));
}

/* ---- by key ----------------------------------------------------------------------- */

/* Pushes KEY, returning the node (NULL when absent: path left unchanged). */
static const cJSON *por__jr_enter(por__jr *c, const cJSON *obj, const char *key)
{
    const cJSON *v = por__jr_get(obj, key);
    if (v)
        por__jr_push_key(c, key);
    return v;
}

bool por__jr_bool(por__jr *c, const cJSON *obj, const char *key, bool def)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    bool r = v ? por__jr_v_bool(c, v) : def;
    por__jr_reset(c, m);
    return r;
}

uint64_t por__jr_uint(por__jr *c, const cJSON *obj, const char *key, uint64_t def, uint64_t min, uint64_t max)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    uint64_t r = v ? por__jr_v_uint(c, v, min, max) : def;
    por__jr_reset(c, m);
    return r;
}

double por__jr_number(por__jr *c, const cJSON *obj, const char *key, double def, double min, bool min_open,
                      double max, bool max_open)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    double r = v ? por__jr_v_number(c, v, min, min_open, max, max_open) : def;
    por__jr_reset(c, m);
    return r;
}

double por__jr_v_prob(por__jr *c, const cJSON *node)
{
    char got[96];
    if (!cJSON_IsNumber(node) || !isfinite(node->valuedouble) || node->valuedouble < 0 || node->valuedouble > 1)
        por__jr_fail(c, "expected a probability in [0, 1], got %s", por__jr_describe(node, got, sizeof got));
    return node->valuedouble;
}

double por__jr_prob(por__jr *c, const cJSON *obj, const char *key, double def)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    double r = v ? por__jr_v_prob(c, v) : def;
    por__jr_reset(c, m);
    return r;
}

void por__jr_string(por__jr *c, const cJSON *obj, const char *key, const char *def, char *buf, size_t cap)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    if (v)
        por__jr_v_string(c, v, buf, cap);
    else
        snprintf(buf, cap, "%s", def);
    por__jr_reset(c, m);
}

por_time_t por__jr_duration(por__jr *c, const cJSON *obj, const char *key, por_time_t def, bool positive)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    por_time_t r = v ? por__jr_v_duration(c, v, positive) : def;
    por__jr_reset(c, m);
    return r;
}

por_amount por__jr_amount(por__jr *c, const cJSON *obj, const char *key, por_amount def, unsigned decimals,
                          bool allow_neg)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    por_amount r = v ? por__jr_v_amount(c, v, decimals, allow_neg) : def;
    por__jr_reset(c, m);
    return r;
}

int64_t por__jr_percent(por__jr *c, const cJSON *obj, const char *key, int64_t def, int64_t min_ppb,
                        int64_t max_ppb)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    int64_t r = v ? por__jr_v_percent(c, v, min_ppb, max_ppb) : def;
    por__jr_reset(c, m);
    return r;
}

size_t por__jr_enum(por__jr *c, const cJSON *obj, const char *key, size_t def, const char *const *names)
{
    size_t m = por__jr_mark(c);
    const cJSON *v = por__jr_enter(c, obj, key);
    size_t r = v ? por__jr_v_enum(c, v, names) : def;
    por__jr_reset(c, m);
    return r;
}
