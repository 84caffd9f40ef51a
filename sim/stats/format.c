/* Deterministic number formatting for porsim's outputs: shortest round-trip doubles and
 * exact nanoseconds-as-seconds, never dependent on the process locale. */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t g_c_locale_once = PTHREAD_ONCE_INIT;
static locale_t g_c_locale = (locale_t)0;

static void por__make_c_locale(void)
{
    g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t por__stats_c_locale(void)
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
    locale_t old = uselocale(por__stats_c_locale());
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
