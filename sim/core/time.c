/* Duration parsing and time formatting for simulated nanosecond time. */
#include "por/time.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    por_time_t ns;
} por__units[] = {
    {"ns", POR_NS}, {"us", POR_US}, {"ms", POR_MS}, {"min", POR_MIN}, {"s", POR_SEC},
    {"m", POR_MIN}, {"h", POR_HOUR}, {"d", POR_DAY}, {"w", 7 * POR_DAY},
};

/* Matches the longest unit name at P; returns its length (0 if none). */
static size_t por__match_unit(const char *p, por_time_t *ns)
{
    size_t best = 0;
    for (size_t i = 0; i < sizeof por__units / sizeof por__units[0]; i++) {
        size_t len = strlen(por__units[i].name);
        if (len > best && strncmp(p, por__units[i].name, len) == 0) {
            best = len;
            *ns = por__units[i].ns;
        }
    }
    return best;
}

int por_duration_parse(const char *s, por_time_t *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!s || !*s) {
        *why = "empty duration";
        return -1;
    }
    const char *p = s;
    por_time_t total = 0;
    while (*p) {
        if (*p == '-' && p == s) {
            *why = "negative duration";
            return -1;
        }
        if (*p < '0' || *p > '9') {
            *why = "expected a number followed by a unit (ns, us, ms, s, m, h, d, w)";
            return -1;
        }
        /* Whole part and fraction kept as integers: no floating point rounding. */
        uint64_t whole = 0, frac = 0, frac_scale = 1;
        while (*p >= '0' && *p <= '9') {
            if (whole > (UINT64_MAX - 9) / 10) {
                *why = "duration too large";
                return -1;
            }
            whole = whole * 10 + (uint64_t)(*p++ - '0');
        }
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') {
                *why = "expected digits after the decimal point";
                return -1;
            }
            while (*p >= '0' && *p <= '9') {
                if (frac_scale >= 1000000000000000000ull) {
                    *why = "too many decimal places";
                    return -1;
                }
                frac = frac * 10 + (uint64_t)(*p++ - '0');
                frac_scale *= 10;
            }
        }
        por_time_t unit = 0;
        size_t ulen = por__match_unit(p, &unit);
        if (ulen == 0) {
            *why = "missing or unknown unit (use ns, us, ms, s, m, h, d or w)";
            return -1;
        }
        p += ulen;
        if (whole > (uint64_t)(INT64_MAX / unit)) {
            *why = "duration too large (limit is about 292 years)";
            return -1;
        }
        por_time_t term = (por_time_t)whole * unit;
        if (frac) {
            /* frac/frac_scale * unit must be a whole number of nanoseconds. */
            __extension__ unsigned __int128 num = (unsigned __int128)frac * (uint64_t)unit;
            if (num % frac_scale != 0) {
                *why = "fraction does not resolve to whole nanoseconds";
                return -1;
            }
            uint64_t add = (uint64_t)(num / frac_scale);
            if (add > (uint64_t)(INT64_MAX - term)) {
                *why = "duration too large (limit is about 292 years)";
                return -1;
            }
            term += (por_time_t)add;
        }
        if (term > INT64_MAX - total) {
            *why = "duration too large (limit is about 292 years)";
            return -1;
        }
        total += term;
    }
    *out = total;
    return 0;
}

char *por_time_format_clock(por_time_t t, char *buf, size_t n)
{
    const char *sign = "";
    if (t < 0) {
        sign = "-";
        t = t == INT64_MIN ? INT64_MAX : -t;
    }
    int64_t day = t / POR_DAY, rem = t % POR_DAY;
    int hh = (int)(rem / POR_HOUR), mm = (int)(rem % POR_HOUR / POR_MIN);
    int ss = (int)(rem % POR_MIN / POR_SEC), ms = (int)(rem % POR_SEC / POR_MS);
    snprintf(buf, n, "%sday %" PRId64 " %02d:%02d:%02d.%03d", sign, day, hh, mm, ss, ms);
    return buf;
}

/* Writes WHOLE.FRAC (FRAC of DIGITS digits, trailing zeros trimmed) and UNIT. */
static void por__format_fixed(char *buf, size_t n, int64_t whole, int64_t frac, int digits,
                              const char *unit)
{
    if (frac == 0) {
        snprintf(buf, n, "%" PRId64 "%s", whole, unit);
        return;
    }
    char f[24];
    snprintf(f, sizeof f, "%0*" PRId64, digits, frac);
    size_t len = strlen(f);
    while (len > 0 && f[len - 1] == '0')
        f[--len] = '\0';
    snprintf(buf, n, "%" PRId64 ".%s%s", whole, f, unit);
}

char *por_duration_format(por_time_t d, char *buf, size_t n)
{
    if (d < 0) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (d == 0) {
        snprintf(buf, n, "0s");
        return buf;
    }
    /* Exact decimal renderings (no floating point), so every string parses back. */
    if (d < POR_US) {
        snprintf(buf, n, "%" PRId64 "ns", d);
        return buf;
    }
    if (d < POR_MS) {
        por__format_fixed(buf, n, d / POR_US, d % POR_US, 3, "us");
        return buf;
    }
    if (d < POR_SEC) {
        por__format_fixed(buf, n, d / POR_MS, d % POR_MS, 6, "ms");
        return buf;
    }
    if (d % POR_SEC != 0 || d < POR_MIN) {
        por__format_fixed(buf, n, d / POR_SEC, d % POR_SEC, 9, "s");
        return buf;
    }
    int64_t s = d / POR_SEC;
    int64_t days = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
    size_t off = 0;
    buf[0] = '\0';
    if (days && off < n) off += (size_t)snprintf(buf + off, n - off, "%" PRId64 "d", days);
    if (h && off < n) off += (size_t)snprintf(buf + off, n - off, "%" PRId64 "h", h);
    if (m && off < n) off += (size_t)snprintf(buf + off, n - off, "%" PRId64 "m", m);
    if (sec && off < n) snprintf(buf + off, n - off, "%" PRId64 "s", sec);
    return buf;
}
