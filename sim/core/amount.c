/* Exact 128-bit amount parsing, formatting, rescaling (see por/amount.h). */
#include "por/amount.h"

#include <stdio.h>
#include <string.h>

por_amount por_amount_pow10(unsigned e)
{
    por_amount p = 1;
    for (unsigned i = 0; i < e && i < 38; i++)
        p *= 10;
    return p;
}

bool por_amount_rescale(por_amount v, unsigned from, unsigned to, por_amount *out)
{
    if (from == to) {
        *out = v;
        return true;
    }
    if (to > from) {
        if (to - from > 38)
            return v == 0 ? (*out = 0, true) : false;
        return por_amount_mul(v, por_amount_pow10(to - from), out);
    }
    if (from - to > 38) {
        *out = 0;
        return true;
    }
    *out = v / por_amount_pow10(from - to);
    return true;
}

int por_amount_parse(const char *s, unsigned decimals, por_amount *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!s || !*s) {
        *why = "empty amount";
        return -1;
    }
    if (decimals > POR_MAX_DECIMALS) {
        *why = "too many decimals";
        return -1;
    }
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    if (*s < '0' || *s > '9') {
        *why = "expected a decimal number such as \"1000000.50\"";
        return -1;
    }
    por_amount v = 0;
    unsigned frac_digits = 0;
    bool in_frac = false;
    for (; *s; s++) {
        if (*s == '_' || *s == ',') {
            *why = "digit separators are not allowed";
            return -1;
        }
        if (*s == '.') {
            if (in_frac) {
                *why = "two decimal points";
                return -1;
            }
            in_frac = true;
            if (!(s[1] >= '0' && s[1] <= '9')) {
                *why = "expected digits after the decimal point";
                return -1;
            }
            continue;
        }
        if (*s < '0' || *s > '9') {
            *why = "expected a decimal number such as \"1000000.50\"";
            return -1;
        }
        if (in_frac && ++frac_digits > decimals) {
            *why = "more fractional digits than the declared decimals";
            return -1;
        }
        if (!por_amount_mul(v, 10, &v) || !por_amount_add(v, *s - '0', &v)) {
            *why = "amount too large (exceeds 128-bit base units)";
            return -1;
        }
    }
    if (!por_amount_mul(v, por_amount_pow10(decimals - frac_digits), &v)) {
        *why = "amount too large (exceeds 128-bit base units)";
        return -1;
    }
    *out = neg ? -v : v;
    return 0;
}

char *por_amount_format(por_amount v, unsigned decimals, bool keep_zeros, char *buf, size_t n)
{
    char digits[64];
    size_t len = 0;
    por_uamount u = v < 0 ? (por_uamount)0 - (por_uamount)v : (por_uamount)v;
    do {
        digits[len++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (len <= decimals)
        digits[len++] = '0';
    char tmp[96];
    size_t o = 0;
    if (v < 0)
        tmp[o++] = '-';
    for (size_t i = len; i > decimals; i--)
        tmp[o++] = digits[i - 1];
    if (decimals) {
        size_t last = 0; /* how many fractional digits to keep */
        for (size_t i = 0; i < decimals; i++)
            if (keep_zeros || digits[i] != '0') {
                last = decimals - i;
                break;
            }
        if (last) {
            tmp[o++] = '.';
            for (size_t i = 0; i < last; i++)
                tmp[o++] = digits[decimals - 1 - i];
        }
    }
    tmp[o] = '\0';
    snprintf(buf, n, "%s", tmp);
    return buf;
}

double por_amount_to_double(por_amount v, unsigned decimals)
{
    return (double)v / (double)por_amount_pow10(decimals);
}

bool por_amount_mul_ppb(por_amount v, int64_t ppb, por_amount *out)
{
    /* v = q * 1e9 + r (q, r with the sign of v): v * ppb / 1e9 = q * ppb + r * ppb / 1e9,
     * both terms with the same sign, so truncating the second alone truncates the sum
     * toward zero. No intermediate v * ppb: exact whenever the result fits (a 20 % change
     * of 1e30 base units overflowed 128 bits before). */
    por_amount q = v / 1000000000, r = v % 1000000000, hi;
    if (!por_amount_mul(q, ppb, &hi))
        return false;
    return por_amount_add(hi, r * ppb / 1000000000, out);
}
