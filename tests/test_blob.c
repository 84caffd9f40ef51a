/* por/blob.h: what a blob holds reads back the same (u64s, bytes, strings, NULL), and a
 * short or malformed blob fails the reader instead of reading past its end. The format is
 * the one porsim-mpi's gathers and tune's file shards exchange. */
#include "por_test.h"

#include "por/blob.h"

#include <stdlib.h>
#include <string.h>

START_TEST(test_round_trip)
{
    por_blob b = {0};
    double d = -0.1;
    por_blob_put_u64(&b, UINT64_MAX - 1);
    por_blob_put_str(&b, "a\"b");
    por_blob_put_str(&b, NULL);
    por_blob_put_str(&b, "");
    por_blob_put(&b, &d, sizeof d);
    /* 8 + (8 + 3) + 8 + 8 + 8 bytes: lengths are u64s, NULL writes no bytes */
    ck_assert_uint_eq(b.len, 43);
    por_blob_reader r = {b.data, b.len, true};
    ck_assert(por_blob_get_u64(&r) == UINT64_MAX - 1);
    char *s = por_blob_get_str(&r);
    ck_assert_str_eq(s, "a\"b");
    free(s);
    ck_assert_ptr_null(por_blob_get_str(&r));
    ck_assert(r.ok);
    s = por_blob_get_str(&r);
    ck_assert_str_eq(s, "");
    free(s);
    double e;
    por_blob_get(&r, &e, sizeof e);
    ck_assert(memcmp(&d, &e, sizeof d) == 0);
    ck_assert(r.ok);
    ck_assert_uint_eq(r.left, 0);
    free(b.data);
}
END_TEST

START_TEST(test_short_blob_fails)
{
    por_blob b = {0};
    por_blob_put_str(&b, "hello");
    /* The string's length says 5 bytes, only 4 follow. */
    por_blob_reader r = {b.data, b.len - 1, true};
    ck_assert_ptr_null(por_blob_get_str(&r));
    ck_assert(!r.ok);
    /* Once failed, every read gives zeros. */
    ck_assert(por_blob_get_u64(&r) == 0);
    ck_assert(!r.ok);
    por_blob_reader empty = {b.data, 3, true};
    ck_assert(por_blob_get_u64(&empty) == 0);
    ck_assert(!empty.ok);
    free(b.data);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("blob");
    TCase *tc = tcase_create("blob");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_short_blob_fails);
    suite_add_tcase(s, tc);
    return s;
}
