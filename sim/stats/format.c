/* The number-format module (por/number.h): porsim's numbers as text, written and read
 * back deterministically: shortest round-trip doubles, exact nanoseconds-as-seconds, and
 * strtod / snprintf in the C locale, never dependent on the process locale. Every
 * writer (runs.csv, summary.json, the sweep directory) and every reader of those files
 * (merge, --resume) goes through here. */
#include "por/number.h"

#include "por/error.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t g_c_locale_once = PTHREAD_ONCE_INIT;
static locale_t g_c_locale = (locale_t)0;

static void por__make_c_locale(void)
{
    g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t por_c_locale(void)
{
    pthread_once(&g_c_locale_once, por__make_c_locale);
    /* newlocale("C") fails only when out of memory. */
    if (g_c_locale == (locale_t)0) {
        por_out_of_memory(" (creating the C locale)");
    }
    return g_c_locale;
}

char *por_format_double(double x, char *buf, size_t n)
{
    POR_ASSERT(buf != NULL && n >= 32);
    if (!isfinite(x)) {
        snprintf(buf, n, "null");
        return buf;
    }
    if (x == 0) { /* also folds -0 into "0" */
        snprintf(buf, n, "0");
        return buf;
    }
    locale_t old = uselocale(por_c_locale());
    if (fabs(x) < 1e21 && x == floor(x)) {
        /* Integral: every digit printed by %.0f is exact and reads back to X. */
        snprintf(buf, n, "%.0f", x);
    } else {
        /* Any decimal of <= DBL_DIG (15) digits survives decimal -> double -> %.15g, and
         * %g drops trailing zeros: so when the shortest form has <= 15 digits, %.15g
         * prints exactly it. Only subnormals (fewer bits) need the search from 1. */
        int first = fabs(x) < DBL_MIN ? 1 : DBL_DIG;
        for (int prec = first; prec <= 17; prec++) {
            snprintf(buf, n, "%.*g", prec, x);
            if (strtod(buf, NULL) == x)
                break;
        }
    }
    uselocale(old);
    return buf;
}

char *por_format_ns_seconds(int64_t ns, char *buf, size_t n)
{
    POR_ASSERT(buf != NULL && n >= 24);
    /* Magnitude as unsigned so INT64_MIN is exact too. */
    uint64_t mag = ns < 0 ? (uint64_t)(-(ns + 1)) + 1u : (uint64_t)ns;
    snprintf(buf, n, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "", mag / 1000000000u,
             mag % 1000000000u);
    return buf;
}

int por_snprintf_c(char *buf, size_t n, const char *fmt, ...)
{
    locale_t old = uselocale(por_c_locale());
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    uselocale(old);
    return k;
}

double por_strtod_c(const char *s, char **end)
{
    locale_t old = uselocale(por_c_locale());
    double v = strtod(s, end);
    uselocale(old);
    return v;
}

bool por_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = por_strtod_c(s, &end);
    return *s && *end == '\0';
}

bool por_parse_ns_seconds(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    uint64_t whole = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (whole > (UINT64_MAX - 9) / 10)
            return false;
        whole = whole * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == s || *p != '.')
        return false;
    p++;
    uint64_t frac = 0;
    for (int k = 0; k < 9; k++, p++) {
        if (*p < '0' || *p > '9')
            return false;
        frac = frac * 10 + (uint64_t)(*p - '0');
    }
    if (*p)
        return false;
    if (whole > (uint64_t)INT64_MAX / 1000000000u)
        return false;
    uint64_t mag = whole * 1000000000u + frac;
    if (!neg && mag > (uint64_t)INT64_MAX)
        return false;
    if (neg && mag > (uint64_t)INT64_MAX + 1u)
        return false;
    *out = neg ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return true;
}
