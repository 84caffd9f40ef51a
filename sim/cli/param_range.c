/* --param ranges with steps and log-spaced values (see param_range.h). */
#include "param_range.h"

#include "por/number.h"
#include "por/time.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POR__RANGE_MAX 100000

typedef enum { POR__U_NUMBER, POR__U_PERCENT, POR__U_DURATION } por__unit;

/* Reads one bound or step: a number, a percentage or a duration. */
static bool por__range_term(const char *s, double *x, por__unit *u)
{
    char *end;
    double v = por_strtod_c(s, &end);
    if (end != s && *end == '\0' && isfinite(v)) {
        *x = v;
        *u = POR__U_NUMBER;
        return true;
    }
    if (end != s && end[0] == '%' && end[1] == '\0' && isfinite(v)) {
        *x = v;
        *u = POR__U_PERCENT;
        return true;
    }
    por_time_t t;
    const char *why;
    if (por_duration_parse(s, &t, &why) == 0) {
        *x = (double)t;
        *u = POR__U_DURATION;
        return true;
    }
    return false;
}

static char *por__range_format(double x, por__unit u, bool log_spaced)
{
    char buf[64];
    if (u == POR__U_DURATION) {
        por_time_t t = (por_time_t)llround(x);
        if (log_spaced && t >= POR_SEC)
            t = (t + POR_SEC / 2) / POR_SEC * POR_SEC;
        por_duration_format(t, buf, sizeof buf);
    } else {
        por_snprintf_c(buf, sizeof buf, log_spaced ? "%.4g%s" : "%.10g%s", x,
                       u == POR__U_PERCENT ? "%" : "");
    }
    return por_xstrdup(buf);
}

/* Expands one value into OUT (appending) if it is a range; returns 0 if it is not one,
 * 1 if expanded, -1 on a bad range (ERR set). */
static int por__expand_one(const char *v, char ***out, size_t *n, size_t *cap, por_error *err)
{
    const char *dots = strstr(v, "..");
    const char *colon = dots ? strchr(dots, ':') : NULL;
    if (!dots || !colon || dots == v || v[0] == '"' || v[0] == '[' || v[0] == '{')
        return 0;
    char lo_s[64], hi_s[64], step_s[64];
    size_t ll = (size_t)(dots - v), hl = (size_t)(colon - dots - 2);
    if (ll >= sizeof lo_s || hl >= sizeof hi_s || strlen(colon + 1) >= sizeof step_s || hl == 0)
        return 0;
    memcpy(lo_s, v, ll);
    lo_s[ll] = '\0';
    memcpy(hi_s, dots + 2, hl);
    hi_s[hl] = '\0';
    strcpy(step_s, colon + 1);
    double lo, hi, step;
    por__unit ul, uh, us;
    if (!por__range_term(lo_s, &lo, &ul) || !por__range_term(hi_s, &hi, &uh))
        return 0; /* not a range: some other text with ".." and ":" */
    if (ul != uh) {
        por_error_set(err, POR_EINPUT, "range '%s': both bounds need the same kind of unit", v);
        return -1;
    }
    if (lo > hi) {
        por_error_set(err, POR_EINPUT, "range '%s': needs LO <= HI", v);
        return -1;
    }
    size_t len = strlen(step_s);
    bool log_spaced = len > 3 && !strcmp(step_s + len - 3, "log");
    size_t count;
    if (log_spaced) {
        char *end;
        unsigned long k = strtoul(step_s, &end, 10);
        if (end != step_s + len - 3 || k < 2 || k > POR__RANGE_MAX || lo <= 0) {
            por_error_set(err, POR_EINPUT, "range '%s': Nlog needs N >= 2 and LO > 0", v);
            return -1;
        }
        count = k;
    } else {
        if (!por__range_term(step_s, &step, &us) || us != ul || step <= 0) {
            por_error_set(err, POR_EINPUT, "range '%s': STEP must be positive, in the unit of "
                          "the bounds (or Nlog)", v);
            return -1;
        }
        double k = floor((hi - lo) / step + 1e-6);
        if (k + 1 > POR__RANGE_MAX) {
            por_error_set(err, POR_EINPUT, "range '%s': more than %d values", v, POR__RANGE_MAX);
            return -1;
        }
        count = (size_t)k + 1;
    }
    for (size_t i = 0; i < count; i++) {
        double x = log_spaced ? (i + 1 == count ? hi : lo * pow(hi / lo, (double)i / (double)(count - 1)))
                              : lo + (double)i * step;
        if (!log_spaced && ul != POR__U_DURATION)
            x = round(x * 1e9) / 1e9; /* 0.1 + 2 * 0.1 prints as 0.3 */
        if (*n == *cap)
            *out = por_xrealloc(*out, (*cap = *cap ? 2 * *cap : 8) * sizeof **out);
        (*out)[(*n)++] = por__range_format(x, ul, log_spaced);
    }
    return 1;
}

por_status por_param_expand_ranges(char ***values, size_t *nvalues, por_error *err)
{
    char **out = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < *nvalues; i++) {
        int r = por__expand_one((*values)[i], &out, &n, &cap, err);
        if (r < 0) {
            for (size_t k = 0; k < n; k++)
                free(out[k]);
            free(out);
            return err->status;
        }
        if (r == 0) {
            if (n == cap)
                out = por_xrealloc(out, (cap = cap ? 2 * cap : 8) * sizeof *out);
            out[n++] = por_xstrdup((*values)[i]);
        }
    }
    for (size_t i = 0; i < *nvalues; i++)
        free((*values)[i]);
    free(*values);
    *values = out;
    *nvalues = n;
    return POR_OK;
}
