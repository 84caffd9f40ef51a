/* The text modules every output file goes through: the CSV module (por/csv.h: RFC 4180
 * section 2 rules 6 and 7, a field is quoted when it holds a comma, a double quote or a
 * line break, and a quote inside a quoted field is doubled) and the number-format module
 * (por/number.h: seconds with exactly 9 decimals read back to the same int64
 * nanoseconds; a number parse takes the whole text), and the sweep directory reader's
 * points.csv comparison (por/sweep_dir.h). No randomness: the seed check_main prints is
 * unused. */
#include "por_test.h"

#include "por/csv.h"
#include "por/number.h"
#include "por/sweep_dir.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_csv_quotes_only_when_needed)
{
    /* RFC 4180 2.6: fields with commas, quotes or line breaks are enclosed in quotes. */
    const char *plain[] = {"", "feed_detect", "1.5", "a b", "x;y"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        ck_assert(!por_csv_needs_quotes(plain[i]));
        char *f = por_csv_field(plain[i]);
        ck_assert_str_eq(f, plain[i]);
        free(f);
    }
    struct {
        const char *in, *out;
    } quoted[] = {{"a,b", "\"a,b\""},
                  {"say \"hi\"", "\"say \"\"hi\"\"\""}, /* 2.7: inner quotes doubled */
                  {"two\nlines", "\"two\nlines\""},
                  {"cr\r", "\"cr\r\""}};
    for (size_t i = 0; i < sizeof quoted / sizeof quoted[0]; i++) {
        ck_assert(por_csv_needs_quotes(quoted[i].in));
        char *f = por_csv_field(quoted[i].in);
        ck_assert_str_eq(f, quoted[i].out);
        free(f);
        /* The stream writer writes the same bytes. */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        ck_assert_ptr_nonnull(m);
        por_csv_write_field(m, quoted[i].in);
        fclose(m);
        ck_assert_str_eq(buf, quoted[i].out);
        free(buf);
    }
}
END_TEST

START_TEST(test_csv_split_reads_back_what_was_written)
{
    const char *fields[] = {"point", "a,b", "say \"hi\"", "", "x"};
    size_t n = sizeof fields / sizeof fields[0];
    char line[256] = "";
    for (size_t i = 0; i < n; i++) {
        char *f = por_csv_field(fields[i]);
        strcat(line, i ? "," : "");
        strcat(line, f);
        free(f);
    }
    char **got = NULL;
    ck_assert_uint_eq(por_csv_split(line, &got), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(got[i], fields[i]);
    por_csv_fields_free(got, n);

    /* An empty line is one empty field; a trailing comma adds an empty field. */
    ck_assert_uint_eq(por_csv_split("", &got), 1);
    ck_assert_str_eq(got[0], "");
    por_csv_fields_free(got, 1);
    ck_assert_uint_eq(por_csv_split("a,", &got), 2);
    ck_assert_str_eq(got[1], "");
    por_csv_fields_free(got, 2);

    /* Malformed quoting: unclosed, or text after the closing quote. */
    ck_assert_uint_eq(por_csv_split("\"open", &got), (size_t)-1);
    ck_assert_uint_eq(por_csv_split("\"a\"b,c", &got), (size_t)-1);
}
END_TEST

START_TEST(test_ns_seconds_round_trip)
{
    int64_t cases[] = {0, 1, -1, 999999999, 1000000000, -12500000000, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        por_format_ns_seconds(cases[i], buf, sizeof buf);
        int64_t back = 42;
        ck_assert_msg(por_parse_ns_seconds(buf, &back), "%s", buf);
        ck_assert_int_eq(back, cases[i]);
    }
    /* Only the form por_format_ns_seconds writes: exactly 9 decimals, no sign but '-'. */
    const char *bad[] = {"", "1", "1.5", "1.0000000000", ".000000001", "+1.000000000",
                         "1e3", "9223372036.854775808", "-9223372036.854775809",
                         "1.00000000x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        ck_assert_msg(!por_parse_ns_seconds(bad[i], &v), "accepted '%s'", bad[i]);
    }
}
END_TEST

START_TEST(test_parse_double_takes_the_whole_text)
{
    double v;
    ck_assert(por_parse_double("0.1", &v));
    ck_assert(v == 0.1);
    ck_assert(por_parse_double("-2e-3", &v));
    ck_assert(v == -2e-3);
    ck_assert(!por_parse_double("", &v));
    ck_assert(!por_parse_double("1.5s", &v));
    ck_assert(!por_parse_double("1,5", &v)); /* never the ',' of a locale */
    /* por_format_double's output reads back to the same double. */
    double xs[] = {0.1, 1.0 / 3.0, 6.02214076e23, -5e-324, 123456789.125};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        char buf[64];
        por_format_double(xs[i], buf, sizeof buf);
        ck_assert(por_parse_double(buf, &v));
        ck_assert_msg(v == xs[i], "%s", buf);
    }
    char buf[64];
    ck_assert_int_eq(por_snprintf_c(buf, sizeof buf, "%.4g", 1.5), 3);
    ck_assert_str_eq(buf, "1.5");
}
END_TEST

START_TEST(test_points_first_diff)
{
    const char *a = "point,x,scenario_hash\n0,1,h0\n1,2,h1\n";
    ck_assert_uint_eq(por_sweep_points_first_diff(a, a), SIZE_MAX);
    ck_assert_uint_eq(por_sweep_points_first_diff(a, "point,y,scenario_hash\n0,1,h0\n1,2,h1\n"), 0);
    ck_assert_uint_eq(por_sweep_points_first_diff(a, "point,x,scenario_hash\n0,1,h0\n1,3,h1\n"), 2);
    ck_assert_uint_eq(por_sweep_points_first_diff(a, "point,x,scenario_hash\n0,1,h0\n"), 2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("text_formats");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_csv_quotes_only_when_needed);
    tcase_add_test(t, test_csv_split_reads_back_what_was_written);
    tcase_add_test(t, test_ns_seconds_round_trip);
    tcase_add_test(t, test_parse_double_takes_the_whole_text);
    tcase_add_test(t, test_points_first_diff);
    suite_add_tcase(s, t);
    return s;
}
