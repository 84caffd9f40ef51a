/* Durations and time formatting (por/time.h): every unit, compound and fractional
 * terms, every error path, and the formatters. */
#include "por_test.h"
#include "por/time.h"

#include <stdio.h>
#include <string.h>

static por_time_t parse_ok(const char *s)
{
    por_time_t v = -1;
    const char *why = NULL;
    int rc = por_duration_parse(s, &v, &why);
    ck_assert_msg(rc == 0, "\"%s\" refused: %s", s, why ? why : "?");
    return v;
}

START_TEST(test_parse_units)
{
    ck_assert_int_eq(parse_ok("1ns"), 1);
    ck_assert_int_eq(parse_ok("7us"), 7000);
    ck_assert_int_eq(parse_ok("250ms"), 250 * POR_MS);
    ck_assert_int_eq(parse_ok("12s"), 12 * POR_SEC);
    ck_assert_int_eq(parse_ok("5m"), 5 * POR_MIN);
    ck_assert_int_eq(parse_ok("5min"), 5 * POR_MIN);
    ck_assert_int_eq(parse_ok("1h"), POR_HOUR);
    ck_assert_int_eq(parse_ok("30d"), 30 * POR_DAY);
    ck_assert_int_eq(parse_ok("100w"), 700 * POR_DAY);
    ck_assert_int_eq(parse_ok("0s"), 0);
    ck_assert_int_eq(parse_ok("000012s"), 12 * POR_SEC);
}
END_TEST

START_TEST(test_parse_fractions_and_compounds)
{
    ck_assert_int_eq(parse_ok("1.5s"), 1500 * POR_MS);
    ck_assert_int_eq(parse_ok("0.5ms"), 500 * POR_US);
    ck_assert_int_eq(parse_ok("1.000000001s"), POR_SEC + 1);
    ck_assert_int_eq(parse_ok("1.5min"), 90 * POR_SEC);
    ck_assert_int_eq(parse_ok("2.25h"), 2 * POR_HOUR + 15 * POR_MIN);
    ck_assert_int_eq(parse_ok("1h30m"), 90 * POR_MIN);
    ck_assert_int_eq(parse_ok("1m30s"), 90 * POR_SEC);
    ck_assert_int_eq(parse_ok("1d2h3m4s5ms6us7ns"),
                     POR_DAY + 2 * POR_HOUR + 3 * POR_MIN + 4 * POR_SEC + 5 * POR_MS +
                         6 * POR_US + 7);
    ck_assert_int_eq(parse_ok("1.5us"), 1500);
    /* The largest whole number of days that fits in int64 nanoseconds. */
    ck_assert_int_eq(parse_ok("106751d"), 106751 * POR_DAY);
}
END_TEST

static void parse_fails(const char *s)
{
    por_time_t v = 12345;
    const char *why = NULL;
    ck_assert_msg(por_duration_parse(s, &v, &why) == -1, "\"%s\" was accepted", s ? s : "NULL");
    ck_assert_msg(why != NULL && *why != '\0', "\"%s\": no reason given", s ? s : "NULL");
    ck_assert_int_eq(v, 12345); /* output untouched on error */
    /* A NULL WHY is allowed. */
    ck_assert_int_eq(por_duration_parse(s, &v, NULL), -1);
}

START_TEST(test_parse_errors)
{
    parse_fails(NULL);
    parse_fails("");
    parse_fails("12");        /* no unit */
    parse_fails("12x");       /* unknown unit */
    parse_fails("-1s");       /* negative */
    parse_fails("1.5ns");     /* not whole nanoseconds */
    parse_fails("0.1ns");
    parse_fails("300000d");   /* overflow of int64 ns */
    parse_fails("106752d");
    parse_fails("99999999999999999999s"); /* overflow of the number itself */
    parse_fails("9223372036854775807s");
    parse_fails("106751d1d"); /* overflow of the sum */
    parse_fails("1.s");       /* no digits after the point */
    parse_fails(".5s");
    parse_fails("s");
    parse_fails("1 s");
    parse_fails(" 1s");
    parse_fails("1s ");
    parse_fails("1h-");
    parse_fails("1mins");
    parse_fails("1.0000000000000000001s"); /* too many decimals */
    parse_fails("1S");
}
END_TEST

START_TEST(test_parse_error_reasons)
{
    por_time_t v;
    const char *why = NULL;
    ck_assert_int_eq(por_duration_parse("-1s", &v, &why), -1);
    ck_assert_str_eq(why, "negative duration");
    /* A dash after a term is not a negative duration (the reason used to say so). */
    ck_assert_int_eq(por_duration_parse("1h-", &v, &why), -1);
    ck_assert_ptr_null(strstr(why, "negative"));
}
END_TEST

START_TEST(test_format_clock)
{
    char buf[64];
    ck_assert_str_eq(por_time_format_clock(0, buf, sizeof buf), "day 0 00:00:00.000");
    ck_assert_str_eq(por_time_format_clock(250 * POR_MS, buf, sizeof buf), "day 0 00:00:00.250");
    ck_assert_str_eq(por_time_format_clock(POR_DAY + 2 * POR_HOUR + 3 * POR_MIN + 4 * POR_SEC +
                                               5 * POR_MS + 999,
                                           buf, sizeof buf),
                     "day 1 02:03:04.005");
    ck_assert_str_eq(por_time_format_clock(30 * POR_DAY - 1, buf, sizeof buf),
                     "day 29 23:59:59.999");
    ck_assert_str_eq(por_time_format_clock(-POR_SEC, buf, sizeof buf), "-day 0 00:00:01.000");
    /* Truncation keeps a terminated string. */
    char small[8];
    por_time_format_clock(POR_DAY, small, sizeof small);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
}
END_TEST

START_TEST(test_format_duration)
{
    char buf[64];
    struct {
        por_time_t d;
        const char *want;
    } cases[] = {
        {0, "0s"}, {1, "1ns"}, {500, "500ns"}, {1500, "1.5us"}, {250 * POR_MS, "250ms"},
        {POR_MIN, "1m"}, {90 * POR_MIN, "1h30m"}, {POR_DAY + 2 * POR_HOUR, "1d2h"},
        {POR_DAY + 4 * POR_SEC, "1d4s"}, {30 * POR_DAY, "30d"}, {-5, "-"},
        /* Fractions are exact and trimmed (a bug printed "12.5000s"). */
        {12500 * POR_MS, "12.5s"}, {12 * POR_SEC, "12s"}, {1500 * POR_MS, "1.5s"},
        {59 * POR_SEC + POR_MS, "59.001s"}, {POR_HOUR + 500 * POR_MS, "3600.5s"},
        {POR_SEC + 1, "1.000000001s"}, {1500 * POR_US, "1.5ms"}, {POR_MS + 1, "1.000001ms"},
        {1001, "1.001us"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_str_eq(por_duration_format(cases[i].d, buf, sizeof buf), cases[i].want);
    /* Whatever the rendering of seconds with a fraction, it parses back exactly. */
    por_time_t back[] = {1500 * POR_MS, 12 * POR_SEC, 12500 * POR_MS, 59 * POR_SEC + 1 * POR_MS};
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        por_duration_format(back[i], buf, sizeof buf);
        ck_assert_int_eq(parse_ok(buf), back[i]);
    }
    /* Whole durations of a minute or more round-trip exactly, whatever the mix. */
    for (por_time_t s = 60; s < 3 * 86400; s += 7919) {
        por_duration_format(s * POR_SEC, buf, sizeof buf);
        ck_assert_int_eq(parse_ok(buf), s * POR_SEC);
    }
}
END_TEST

START_TEST(test_seconds_helper)
{
    ck_assert(por_time_seconds(1500 * POR_MS) == 1.5);
    ck_assert(por_time_seconds(0) == 0.0);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("time");
    TCase *t = tcase_create("durations");
    tcase_add_test(t, test_parse_units);
    tcase_add_test(t, test_parse_fractions_and_compounds);
    tcase_add_test(t, test_parse_errors);
    tcase_add_test(t, test_parse_error_reasons);
    tcase_add_test(t, test_format_clock);
    tcase_add_test(t, test_format_duration);
    tcase_add_test(t, test_seconds_helper);
    suite_add_tcase(s, t);
    return s;
}
