#include "por_test.h"
START_TEST(test_nothing) { ck_assert_int_eq(1, 1); }
END_TEST
Suite *por_test_suite(void) { Suite *s = suite_create("smoke"); TCase *t = tcase_create("x"); tcase_add_test(t, test_nothing); suite_add_tcase(s, t); return s; }
