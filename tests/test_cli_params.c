/* The --param options shared by `porsim sweep` and `porsim tune` (sim/cli/cliopt.c):
 * PATH=LIST parsed once for both, and the grid as por/sweep.h defines it: the cartesian
 * product of the value lists with the last parameter varying fastest. No randomness: the
 * seed check_main prints is unused. */
#include "por_test.h"

#include "cli/cliopt.h"

#include <stdlib.h>
#include <string.h>

static int parse(por_cli_param *ps, size_t *n, size_t max, const char *arg)
{
    char a0[] = "porsim", a1[] = "sweep", a2[] = "--param";
    char *a3 = strdup(arg);
    char *argv[] = {a0, a1, a2, a3, NULL};
    int i = 2;
    int used = por_cli_param_opt(ps, n, max, "sweep", 4, argv, &i);
    if (used == 1)
        ck_assert_int_eq(i, 3); /* advanced past the value */
    free(a3);
    return used;
}

START_TEST(test_grid_last_parameter_fastest)
{
    por_cli_param ps[4];
    size_t n = 0;
    ck_assert_int_eq(parse(ps, &n, 4, "a=1,2"), 1);
    ck_assert_int_eq(parse(ps, &n, 4, "b=x,y,z"), 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ps[1].path, "b");
    por_sweep_grid g;
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(por_cli_params_grid(ps, n, 100, "sweep", &g), 0);
    ck_assert_uint_eq(g.npoints, 6);
    const char *want[6][2] = {{"1", "x"}, {"1", "y"}, {"1", "z"},
                              {"2", "x"}, {"2", "y"}, {"2", "z"}};
    for (size_t p = 0; p < 6; p++)
        for (size_t i = 0; i < 2; i++)
            ck_assert_str_eq(g.values[p * 2 + i], want[p][i]);
    por_sweep_grid_free(&g);

    /* More points than the command allows: a usage error (exit code 2), no grid. */
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(por_cli_params_grid(ps, n, 5, "sweep", &g), 2);
    ck_assert_uint_eq(g.npoints, 0);
    por_cli_params_free(ps, n);
}
END_TEST

START_TEST(test_param_errors_are_usage_errors)
{
    por_cli_param ps[2];
    size_t n = 0;
    ck_assert_int_eq(parse(ps, &n, 2, "novalue"), 2);  /* no PATH= */
    ck_assert_int_eq(parse(ps, &n, 2, "=1,2"), 2);     /* empty PATH */
    ck_assert_int_eq(parse(ps, &n, 2, "a=[1"), 2);     /* unbalanced bracket */
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(parse(ps, &n, 2, "a=1"), 1);
    ck_assert_int_eq(parse(ps, &n, 2, "a=2"), 2);      /* a path given twice */
    ck_assert_int_eq(parse(ps, &n, 2, "b=1%..3%:1%"), 1); /* a range, expanded */
    ck_assert_uint_eq(ps[1].nvalues, 3);
    ck_assert_int_eq(parse(ps, &n, 2, "c=1"), 2);      /* more than MAX */
    ck_assert_uint_eq(n, 2);
    por_cli_params_free(ps, n);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("cli_params");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_grid_last_parameter_fastest);
    tcase_add_test(t, test_param_errors_are_usage_errors);
    suite_add_tcase(s, t);
    return s;
}
