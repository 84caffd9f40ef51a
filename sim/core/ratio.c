/* Exact ratio arithmetic for ground truth, Secure Mint margins and consumers (see
 * por/ratio.h): 256-bit products of 128-bit amounts, and the single place where a
 * double becomes an exact amount. */
#include "por/ratio.h"

#include <math.h>

/* An unsigned 256-bit number as two 128-bit halves. */
typedef struct {
    por_uamount hi, lo;
} por__u256;

static por__u256 por__mul_u128(por_uamount a, por_uamount b)
{
    const por_uamount m64 = ((por_uamount)1 << 64) - 1;
    por_uamount a0 = a & m64, a1 = a >> 64, b0 = b & m64, b1 = b >> 64;
    por_uamount lo = a0 * b0, mid1 = a1 * b0, mid2 = a0 * b1, hi = a1 * b1;
    por_uamount t = (lo >> 64) + (mid1 & m64) + (mid2 & m64);
    por__u256 r;
    r.lo = (lo & m64) | ((t & m64) << 64);
    r.hi = hi + (mid1 >> 64) + (mid2 >> 64) + (t >> 64);
    return r;
}

static int por__cmp_u256(por__u256 x, por__u256 y)
{
    if (x.hi != y.hi)
        return x.hi < y.hi ? -1 : 1;
    if (x.lo != y.lo)
        return x.lo < y.lo ? -1 : 1;
    return 0;
}

static por_uamount por__magnitude(por_amount v)
{
    return v < 0 ? (por_uamount)0 - (por_uamount)v : (por_uamount)v;
}

static int por__sign(por_amount v) { return (v > 0) - (v < 0); }

int por_amount_cmp_products(por_amount a, por_amount b, por_amount c, por_amount d)
{
    int s1 = por__sign(a) * por__sign(b), s2 = por__sign(c) * por__sign(d);
    if (s1 != s2)
        return s1 < s2 ? -1 : 1;
    if (s1 == 0)
        return 0;
    int m = por__cmp_u256(por__mul_u128(por__magnitude(a), por__magnitude(b)),
                          por__mul_u128(por__magnitude(c), por__magnitude(d)));
    return s1 > 0 ? m : -m;
}

bool por_ratio_below(por_amount num, por_amount den, int64_t ppb)
{
    if (den <= 0)
        return false;
    return por_amount_cmp_products(num, POR_PPB_ONE, ppb, den) < 0;
}

double por_ratio_to_double(por_amount num, por_amount den)
{
    if (den == 0)
        return num > 0 ? INFINITY : num < 0 ? -INFINITY : 1.0;
    return (double)num / (double)den;
}

por_amount por_amount_from_double(double x)
{
    const double two127 = 170141183460469231731687303715884105728.0;
    if (isnan(x))
        return 0;
    if (x >= two127)
        return POR_AMOUNT_MAX;
    if (x <= -two127)
        return POR_AMOUNT_MIN;
    return (por_amount)round(x);
}

bool por_amount_mul_ppb_floor(por_amount v, int64_t k, por_amount *out)
{
    if (v < 0 || k < 0 || k > 4 * POR_PPB_ONE)
        return false;
    por_amount q = v / POR_PPB_ONE, s = v % POR_PPB_ONE, hi;
    if (!por_amount_mul(q, k, &hi))
        return false;
    return por_amount_add(hi, s * k / POR_PPB_ONE, out);
}
