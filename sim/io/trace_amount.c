/* Amounts for people in the trace renderers (por/trace_render.h): thousands separated
 * by commas, a bounded number of fractional digits. */
#include "por/trace_render.h"

#include <stddef.h>

char *por_trace_amount(por_amount v, unsigned decimals, unsigned frac, char *buf, size_t n)
{
    char raw[64];
    por_amount_format(v, decimals, true, raw, sizeof raw);
    const char *p = raw;
    size_t o = 0;
    if (*p == '-') {
        if (o + 1 < n)
            buf[o++] = '-';
        p++;
    }
    size_t intlen = 0;
    while (p[intlen] && p[intlen] != '.')
        intlen++;
    for (size_t i = 0; i < intlen; i++) {
        if (i > 0 && (intlen - i) % 3 == 0 && o + 1 < n)
            buf[o++] = ',';
        if (o + 1 < n)
            buf[o++] = p[i];
    }
    if (p[intlen] == '.' && frac > 0) {
        if (o + 1 < n)
            buf[o++] = '.';
        const char *f = p + intlen + 1;
        for (unsigned i = 0; i < frac && f[i] && o + 1 < n; i++)
            buf[o++] = f[i];
    }
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return buf;
}
