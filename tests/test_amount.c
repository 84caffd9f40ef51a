/* Exact 128-bit amounts (por/amount.h): parse/format round trips for decimals 0..36,
 * rescaling (truncation toward zero), overflow refusal at every step, 1e30 base units,
 * and the strings the parser must refuse. */
#include "por/amount.h"
#include "por/rng.h"
#include "por_test.h"

#include <stdio.h>
#include <string.h>

static por_amount parse_ok(const char *s, unsigned decimals)
{
    por_amount v = 0;
    const char *why = NULL;
    ck_assert_msg(por_amount_parse(s, decimals, &v, &why) == 0, "parse(%s, %u) failed: %s", s, decimals,
                  why ? why : "?");
    return v;
}

static const char *parse_fail(const char *s, unsigned decimals)
{
    por_amount v = 0;
    const char *why = NULL;
    ck_assert_msg(por_amount_parse(s, decimals, &v, &why) != 0, "parse(%s, %u) should fail", s, decimals);
    ck_assert_ptr_nonnull(why);
    return why;
}

static const char *fmt(por_amount v, unsigned decimals, bool keep)
{
    static char buf[64];
    return por_amount_format(v, decimals, keep, buf, sizeof buf);
}

START_TEST(test_known_values)
{
    ck_assert(parse_ok("1000000000.00", 2) == (por_amount)100000000000);
    ck_assert(parse_ok("-80000000.5", 2) == -(por_amount)8000000050);
    ck_assert(parse_ok("+7", 0) == 7);
    ck_assert(parse_ok("0.000000000000000001", 18) == 1);
    ck_assert_str_eq(fmt(parse_ok("1.5", 8), 8, true), "1.50000000");
    ck_assert_str_eq(fmt(parse_ok("1.5", 8), 8, false), "1.5");
    ck_assert_str_eq(fmt(-5, 2, true), "-0.05");
    ck_assert_str_eq(fmt(0, 3, false), "0");
    ck_assert_str_eq(fmt(0, 3, true), "0.000");
    ck_assert_str_eq(fmt(POR_AMOUNT_MAX, 0, false), "170141183460469231731687303715884105727");
    ck_assert_str_eq(fmt(POR_AMOUNT_MIN, 0, false), "-170141183460469231731687303715884105728");
    ck_assert_str_eq(fmt(POR_AMOUNT_MAX, 36, false), "170.141183460469231731687303715884105727");
    ck_assert(parse_ok("170141183460469231731687303715884105727", 0) == POR_AMOUNT_MAX);
    ck_assert(parse_ok("-170141183460469231731687303715884105727", 0) == -POR_AMOUNT_MAX);
}
END_TEST

START_TEST(test_1e30_base_units)
{
    /* a trillion tokens with 18 decimals: 1e30 base units, far past 64 bits */
    por_amount v = parse_ok("1000000000000", 18);
    por_amount e30 = por_amount_pow10(30);
    ck_assert(v == e30);
    ck_assert(v / por_amount_pow10(15) == por_amount_pow10(15));
    ck_assert_str_eq(fmt(v, 18, false), "1000000000000");
    ck_assert_str_eq(fmt(v, 0, false), "1000000000000000000000000000000");
    ck_assert_str_eq(fmt(v + 1, 18, false), "1000000000000.000000000000000001");
    por_amount sum;
    ck_assert(por_amount_add(v, v, &sum));
    ck_assert_str_eq(fmt(sum, 18, false), "2000000000000");
    ck_assert_double_eq_tol(por_amount_to_double(v, 18), 1e12, 1e-3);
    por_amount part;
    ck_assert(por_amount_mul_ppb(v, 80000000, &part)); /* 8% */
    ck_assert_str_eq(fmt(part, 18, false), "80000000000");
}
END_TEST

START_TEST(test_overflow_refused)
{
    ck_assert_str_eq(parse_fail("170141183460469231731687303715884105728", 0),
                     "amount too large (exceeds 128-bit base units)");
    ck_assert_str_eq(parse_fail("999999999999999999999999999999", 18),
                     "amount too large (exceeds 128-bit base units)");
    ck_assert_str_eq(parse_fail("1", 37), "too many decimals");
    por_amount out;
    ck_assert(!por_amount_add(POR_AMOUNT_MAX, 1, &out));
    ck_assert(!por_amount_sub(POR_AMOUNT_MIN, 1, &out));
    ck_assert(!por_amount_mul(por_amount_pow10(20), por_amount_pow10(19), &out));
    ck_assert(por_amount_mul(por_amount_pow10(19), por_amount_pow10(19), &out));
    ck_assert(out == por_amount_pow10(38));
    ck_assert(!por_amount_rescale(por_amount_pow10(30), 0, 10, &out));
    ck_assert(!por_amount_mul_ppb(POR_AMOUNT_MAX, 2000000000, &out));
    ck_assert(por_amount_rescale(0, 0, 60, &out) && out == 0);
}
END_TEST

START_TEST(test_rescale)
{
    por_amount out;
    ck_assert(por_amount_rescale(parse_ok("920000000.00", 2), 2, 18, &out));
    ck_assert(out == parse_ok("920000000", 18));
    ck_assert(por_amount_rescale(parse_ok("1.999", 3), 3, 0, &out) && out == 1);   /* truncates */
    ck_assert(por_amount_rescale(parse_ok("-1.999", 3), 3, 0, &out) && out == -1); /* toward zero */
    ck_assert(por_amount_rescale(12345, 2, 2, &out) && out == 12345);
    ck_assert(por_amount_rescale(5, 0, 36, &out) && out == 5 * por_amount_pow10(36));
    ck_assert(por_amount_rescale(por_amount_pow10(36), 36, 0, &out) && out == 1);
    ck_assert(por_amount_rescale(POR_AMOUNT_MAX, 38, 80, &out) == false);
    ck_assert(por_amount_rescale(POR_AMOUNT_MAX, 80, 0, &out) && out == 0);
    for (unsigned e = 0; e <= 38; e++) {
        por_amount p = por_amount_pow10(e);
        ck_assert(por_amount_rescale(p, e, 0, &out) && out == 1);
    }
}
END_TEST

START_TEST(test_refused_strings)
{
    const char *bad[] = {"", "-", "+", "1e6", "1.", ".5", "1,000", "1_000", "--1", "1.2.3", " 1", "1 ", "0x10",
                         "NaN", "inf", "1.23a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_fail(bad[i], 6);
    ck_assert_str_eq(parse_fail("1.005", 2), "more fractional digits than the declared decimals");
    ck_assert_str_eq(parse_fail("0.5", 0), "more fractional digits than the declared decimals");
}
END_TEST

/* Random values of every size and sign, every decimals 0..36: format then parse gives the
 * value back, and a canonical decimal string parses then formats to itself. */
START_TEST(test_round_trips)
{
    gsl_rng *r = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "amount-round-trip"));
    for (unsigned dec = 0; dec <= POR_MAX_DECIMALS; dec++) {
        for (int it = 0; it < 300; it++) {
            unsigned ndigits = 1 + (unsigned)por_rng_below(r, 38);
            por_amount v = 0;
            for (unsigned k = 0; k < ndigits; k++)
                v = v * 10 + (por_amount)por_rng_below(r, 10);
            if (por_rng_below(r, 2))
                v = -v;
            char buf[64];
            for (int keep = 0; keep < 2; keep++) {
                por_amount_format(v, dec, keep, buf, sizeof buf);
                ck_assert(parse_ok(buf, dec) == v);
            }
            /* string -> value -> string */
            char s[96];
            size_t o = 0;
            if (por_rng_below(r, 2))
                s[o++] = '-';
            unsigned whole = 1 + (unsigned)por_rng_below(r, 39 - dec);
            s[o++] = (char)('1' + por_rng_below(r, 9));
            for (unsigned k = 1; k < whole; k++)
                s[o++] = (char)('0' + por_rng_below(r, 10));
            unsigned frac = dec ? (unsigned)por_rng_below(r, dec + 1) : 0;
            if (frac) {
                s[o++] = '.';
                for (unsigned k = 0; k < frac; k++)
                    s[o++] = (char)('0' + por_rng_below(r, 10));
                s[o - 1] = (char)('1' + por_rng_below(r, 9)); /* canonical: no trailing zero */
            }
            s[o] = '\0';
            por_amount pv;
            const char *why;
            if (por_amount_parse(s, dec, &pv, &why) != 0) {
                ck_assert_str_eq(why, "amount too large (exceeds 128-bit base units)");
                continue;
            }
            ck_assert_str_eq(por_amount_format(pv, dec, false, buf, sizeof buf), s);
        }
    }
    gsl_rng_free(r);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("amount");
    TCase *t = tcase_create("amount");
    tcase_add_test(t, test_known_values);
    tcase_add_test(t, test_1e30_base_units);
    tcase_add_test(t, test_overflow_refused);
    tcase_add_test(t, test_rescale);
    tcase_add_test(t, test_refused_strings);
    tcase_add_test(t, test_round_trips);
    suite_add_tcase(s, t);
    return s;
}
