/* Integers are exact or refused, in files and flags alike (issue 20.5): a JSON number
 * reaches porsim as a double, so "seed": 9007199254740993 ran as ...992. Now from 2^53 on
 * a JSON number is refused (with the fix: write the seed as a string), and --seed, which
 * takes any 64-bit value, passes values from 2^53 on as the exact string: the run
 * records and uses exactly the seed given (same rows as the scenario's string seed). */
#include "por_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp_in(const char *dir, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = por_test_slurp(path);
    ck_assert_msg(t != NULL, "no %s", path);
    return t;
}

START_TEST(test_seed_exact_or_refused)
{
    const char *tmp = por_test_tmpdir("integers");
    char args[3000], log[1000];
    snprintf(log, sizeof log, "%s/log", tmp);
    /* In a file (and through --set), 2^53 + 1 as a number is refused, naming the fix. */
    char file[1000];
    snprintf(file, sizeof file, "%s/s.json", tmp);
    FILE *f = fopen(file, "w");
    fputs("{\"duration\": \"1h\", \"replications\": 2, \"seed\": 9007199254740993}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "validate '%s'", file);
    ck_assert_int_eq(por_test_run_cli(args, log), 2);
    char *text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "$.seed: expected an integer below 2^53") &&
                  strstr(text, "write the seed as a string"), "%s", text);
    free(text);
    ck_assert_int_eq(por_test_run_cli("run -r 1 --set seed=9007199254740992", log), 2);
    /* --seed takes them exactly: meta.json and summary.json record the seed given, and the
     * rows are those of the scenario with the same seed as a string. */
    const char *seeds[] = {"9007199254740993", "9007199254740995", "18446744073709551615"};
    for (int k = 0; k < 3; k++) {
        snprintf(args, sizeof args, "run -r 2 -q --set duration=1h --seed %s -o '%s/flag%d'",
                 seeds[k], tmp, k);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        snprintf(args, sizeof args, "run -r 2 -q --set duration=1h --set 'seed=\"%s\"' "
                 "-o '%s/str%d'", seeds[k], tmp, k);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        char dir[1100], want[100];
        snprintf(dir, sizeof dir, "%s/flag%d", tmp, k);
        snprintf(want, sizeof want, "\"seed\": %s,", seeds[k]);
        char *meta = slurp_in(dir, "meta.json"), *sum = slurp_in(dir, "summary.json");
        ck_assert_msg(strstr(meta, want), "%s", meta);
        ck_assert_msg(strstr(sum, want), "%s", sum);
        char *rows = slurp_in(dir, "runs.csv");
        snprintf(dir, sizeof dir, "%s/str%d", tmp, k);
        char *ref = slurp_in(dir, "runs.csv");
        ck_assert_msg(!strcmp(rows, ref), "--seed %s and \"seed\": \"%s\" differ", seeds[k],
                      seeds[k]);
        free(meta);
        free(sum);
        free(rows);
        free(ref);
    }
    /* Different seeds on either side of 2^53 give different runs (none rounded together). */
    char a[1100], b[1100];
    snprintf(a, sizeof a, "%s/flag0", tmp);
    snprintf(b, sizeof b, "%s/flag1", tmp);
    char *ra = slurp_in(a, "runs.csv"), *rb = slurp_in(b, "runs.csv");
    ck_assert(strcmp(ra, rb) != 0);
    free(ra);
    free(rb);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("integers");
    TCase *tc = tcase_create("integers");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_seed_exact_or_refused);
    suite_add_tcase(s, tc);
    return s;
}
