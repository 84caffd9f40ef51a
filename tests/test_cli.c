/* CLI contract: exit codes, help, validate, run outputs (all-or-nothing, --force),
 * and byte-identical outputs for -j1 and -j2. Runs the built porsim binary. */
#include "por_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

static char g_out[4096];

static const char *tmpfile_path(const char *name)
{
    static char path[4096];
    const char *d = por_test_tmpdir(name);
    ck_assert_ptr_nonnull(d);
    snprintf(path, sizeof path, "%s/out.txt", d);
    return path;
}

static int run(const char *args)
{
    const char *o = tmpfile_path("cli");
    int rc = por_test_run_cli(args, o);
    char *txt = por_test_slurp(o);
    snprintf(g_out, sizeof g_out, "%s", txt ? txt : "");
    free(txt);
    return rc;
}

START_TEST(test_no_args_is_usage_error)
{
    ck_assert_int_eq(run(""), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "Usage:"));
}
END_TEST

START_TEST(test_version_and_help)
{
    ck_assert_int_eq(run("--version"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "porsim "));
    ck_assert_int_eq(run("help run"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "Examples:"));
    ck_assert_int_eq(run("run --help"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "--replications"));
    ck_assert_int_eq(run("validate --help"), 0);
    ck_assert_int_eq(run("bench --help"), 0);
}
END_TEST

/* The command table (sim/cli/main.c): every command `porsim help` lists has its own help
 * page, the same as `porsim NAME --help`, opening "Usage: porsim NAME"; an unknown
 * command is exit 2 with the list. */
START_TEST(test_every_listed_command_has_help)
{
    ck_assert_int_eq(run("help"), 0);
    char list[4096];
    snprintf(list, sizeof list, "%s", g_out);
    size_t seen = 0;
    char last[64] = "";
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        char name[64];
        if (sscanf(line, "  porsim %63[a-z]", name) != 1 || !strcmp(name, "help") ||
            !strcmp(name, last))
            continue;
        snprintf(last, sizeof last, "%s", name);
        seen++;
        char args[128], want[128];
        snprintf(args, sizeof args, "help %s", name);
        ck_assert_int_eq(run(args), 0);
        snprintf(want, sizeof want, "Usage: porsim %s", name);
        ck_assert_msg(!strncmp(g_out, want, strlen(want)), "help %s: %.80s", name, g_out);
        char page[4096];
        snprintf(page, sizeof page, "%s", g_out);
        snprintf(args, sizeof args, "%s --help", name);
        ck_assert_int_eq(run(args), 0);
        ck_assert_str_eq(g_out, page);
    }
    ck_assert_uint_ge(seen, 7); /* run sweep merge tune validate trace bench */
    ck_assert_int_eq(run("no-such-command"), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "porsim: unknown command 'no-such-command'"));
    ck_assert_ptr_nonnull(strstr(g_out, "  porsim run "));
}
END_TEST

START_TEST(test_bad_options_exit_2)
{
    ck_assert_int_eq(run("frobnicate"), 2);
    ck_assert_int_eq(run("run --bogus"), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "unknown option --bogus"));
    ck_assert_int_eq(run("run -r 0"), 2);
    ck_assert_int_eq(run("run -r x"), 2);
    ck_assert_int_eq(run("run -j"), 2);
    ck_assert_int_eq(run("run --set novalue"), 2);
    ck_assert_int_eq(run("run --crypto fast"), 2);
    ck_assert_int_eq(run("bench phold --lps 0"), 2);
    ck_assert_int_eq(run("validate"), 2);
}
END_TEST

START_TEST(test_missing_scenario_file)
{
    ck_assert_int_eq(run("run /nonexistent/x.json"), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "/nonexistent/x.json"));
    ck_assert_int_eq(run("validate /nonexistent/x.json"), 2);
}
END_TEST

START_TEST(test_validate_good_and_bad)
{
    char args[4096];
    snprintf(args, sizeof args, "validate '%s/default.json'", POR_SCENARIO_DIR);
    ck_assert_int_eq(run(args), 0);
    ck_assert_ptr_nonnull(strstr(g_out, ": ok"));
    /* An override that breaks the OCR config check is reported with its JSON path. */
    snprintf(args, sizeof args, "validate '%s/default.json' --set feed.ocr.f=5",
             POR_SCENARIO_DIR);
    ck_assert_int_eq(run(args), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "$.feed.ocr.f"));
}
END_TEST

START_TEST(test_run_default_prints_summary)
{
    ck_assert_int_eq(run("run -r 2"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "feed_detect"));
    ck_assert_ptr_nonnull(strstr(g_out, "2 replications"));
}
END_TEST

START_TEST(test_run_bad_set_exit_2_no_output)
{
    const char *d = por_test_tmpdir("cli-badset");
    char args[4096];
    snprintf(args, sizeof args, "run -r 1 -o '%s/out' --set feed.ocr.nn=4", d);
    ck_assert_int_eq(run(args), 2);
    char path[4200];
    snprintf(path, sizeof path, "%s/out", d);
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0); /* nothing half-written */
}
END_TEST

static char *read_out(const char *dir, const char *name)
{
    char path[8600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return por_test_slurp(path);
}

START_TEST(test_outputs_identical_for_j1_j2)
{
    const char *base = por_test_tmpdir("cli-j");
    char a[4200], b[4200], args[9000];
    snprintf(a, sizeof a, "%s/j1", base);
    snprintf(b, sizeof b, "%s/j2", base);
    snprintf(args, sizeof args, "run -r 4 -j 1 -q -o '%s'", a);
    ck_assert_int_eq(run(args), 0);
    snprintf(args, sizeof args, "run -r 4 -j 2 -q -o '%s'", b);
    ck_assert_int_eq(run(args), 0);
    const char *files[] = {"runs.csv", "summary.json"};
    for (int i = 0; i < 2; i++) {
        char *x = read_out(a, files[i]), *y = read_out(b, files[i]);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(y);
        ck_assert_str_eq(x, y);
        free(x);
        free(y);
    }
    char *meta = read_out(a, "meta.json");
    ck_assert_ptr_nonnull(meta);
    ck_assert_ptr_nonnull(strstr(meta, "\"partial\": false"));
    free(meta);
    char *csv = read_out(a, "runs.csv");
    ck_assert_ptr_nonnull(strstr(csv, "replication,"));
    int lines = 0;
    for (const char *p = csv; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 5); /* header + 4 rows */
    free(csv);
}
END_TEST

START_TEST(test_existing_output_needs_force)
{
    char base[4096], args[9000]; /* a copy: run() reuses por_test_tmpdir's buffer */
    snprintf(base, sizeof base, "%s", por_test_tmpdir("cli-force"));
    snprintf(args, sizeof args, "run -r 1 -q -o '%s'", base);
    ck_assert_int_eq(run(args), 2); /* the directory exists */
    ck_assert_ptr_nonnull(strstr(g_out, "--force"));
    snprintf(args, sizeof args, "run -r 1 -q --force -o '%s'", base);
    ck_assert_int_eq(run(args), 0);
    char *csv = read_out(base, "runs.csv");
    ck_assert_ptr_nonnull(csv);
    free(csv);
}
END_TEST

/* issue 18: every `-o out/...` README example failed in a fresh clone, and
 * `-o results --force` deleted a folder porsim never wrote. */
START_TEST(test_output_parents_created_foreign_folder_kept)
{
    char base[4096], dir[4300], args[9000];
    snprintf(base, sizeof base, "%s", por_test_tmpdir("cli-mkdirp"));
    snprintf(dir, sizeof dir, "%s/out/grid", base);
    snprintf(args, sizeof args, "run -r 1 -q -o '%s'", dir);
    ck_assert_int_eq(run(args), 0);
    char *csv = read_out(dir, "runs.csv");
    ck_assert_ptr_nonnull(csv);
    free(csv);
    snprintf(dir, sizeof dir, "%s/results", base);
    mkdir(dir, 0755);
    char pdf[4400];
    snprintf(pdf, sizeof pdf, "%s/paper-figure.pdf", dir);
    FILE *f = fopen(pdf, "w");
    fputs("%PDF", f);
    fclose(f);
    snprintf(args, sizeof args, "run -r 1 -q --force -o '%s'", dir);
    ck_assert_int_eq(run(args), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "porsim did not write this directory"));
    char *kept = por_test_slurp(pdf);
    ck_assert_ptr_nonnull(kept);
    free(kept);
}
END_TEST

/* issue 18: the warnings below libocr's minimums were collected but never printed; a
 * step after the end passed silently; --strict makes warnings errors (exit 2). */
START_TEST(test_warnings_printed_strict_refuses)
{
    char args[9000];
    snprintf(args, sizeof args, "validate " POR_SCENARIO_DIR "/default.json --set feed.ocr.delta_c=5m");
    ck_assert_int_eq(run(args), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "porsim: warning: "));
    ck_assert_ptr_nonnull(strstr(g_out, "$.feed.ocr.delta_c: 5m is below libocr's Ethereum mainnet minimum"));
    snprintf(args, sizeof args,
             "validate --strict " POR_SCENARIO_DIR "/default.json --set feed.ocr.delta_c=5m");
    ck_assert_int_eq(run(args), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "--strict"));
    ck_assert_ptr_null(strstr(g_out, ": ok"));
    snprintf(args, sizeof args, "run -r 1 -q --set duration=1d --set feed.ocr.delta_c=5m");
    ck_assert_int_eq(run(args), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "5m is below libocr's Ethereum mainnet minimum"));
    snprintf(args, sizeof args, "run -r 1 -q --strict --set duration=1d --set feed.ocr.delta_c=5m");
    ck_assert_int_eq(run(args), 2);
    snprintf(args, sizeof args, "validate --strict " POR_SCENARIO_DIR "/default.json");
    ck_assert_int_eq(run(args), 0); /* no warnings: strict changes nothing */
    /* a sweep loads the scenario once per point: each warning is printed once */
    snprintf(args, sizeof args,
             "sweep --param feed.ocr.n=4,7 -r 1 -q --set duration=2h "
             "--set 'custodians[0].reserve.steps[0].at=1h' --set feed.ocr.delta_c=5m");
    ck_assert_int_eq(run(args), 0);
    const char *w1 = strstr(g_out, "5m is below libocr");
    ck_assert_ptr_nonnull(w1);
    ck_assert_ptr_null(strstr(w1 + 1, "5m is below libocr"));
    ck_assert_int_eq(run("sweep --param feed.ocr.n=4,7 -r 1 -q --strict --set feed.ocr.delta_c=5m"), 2);
}
END_TEST

/* issue 18: `--until-ci 5%` was refused while `--until-ci 0.05` meant 0.05 %. */
START_TEST(test_until_ci_percent_syntax)
{
    ck_assert_int_eq(run("run --until-ci 0.05 -q"), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "0.05 is ambiguous: write 0.05% for 0.05 percent, or 5% for the fraction 0.05"));
    ck_assert_int_eq(run("run --until-ci 1 -q"), 2);
    ck_assert_int_eq(run("run --until-ci 5x -q"), 2);
    ck_assert_int_eq(run("run --until-ci 5% --max-reps 20 -q --set duration=1d"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "target 5%"));
    ck_assert_int_eq(run("run --until-ci 5 --max-reps 20 -q --set duration=1d"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "target 5%"));
}
END_TEST

/* issue 18: `bench --help` pointed to ../shared/bench/phold-vs-ns3.sh, which a clone
 * lacks. Every file a help text names (a word with a '/' ending in .sh, .md, .c, .cc or
 * .json; build outputs and placeholders such as DIR/x aside) exists in the repository. */
START_TEST(test_help_names_only_files_of_the_repo)
{
    const char *topics[] = {"", "run", "sweep", "merge", "validate", "bench", "trace"};
    for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++) {
        char args[64];
        snprintf(args, sizeof args, "help %s", topics[t]);
        ck_assert_int_eq(run(args), 0);
        ck_assert_msg(strstr(g_out, "../") == NULL, "help %s names a file outside the repo", topics[t]);
        for (char *w = strtok(g_out, " \n\t()`'\",;:"); w; w = strtok(NULL, " \n\t()`'\",;:")) {
            size_t n = strlen(w);
            /* DIR/summary.json and the like are placeholders, not files */
            bool file = strchr(w, '/') && !(w[0] >= 'A' && w[0] <= 'Z') && !strchr(w, '*') &&
                        strncmp(w, "build/", 6) && strncmp(w, "out/", 4) &&
                        ((n > 3 && !strcmp(w + n - 3, ".sh")) || (n > 3 && !strcmp(w + n - 3, ".md")) ||
                         (n > 2 && !strcmp(w + n - 2, ".c")) || (n > 3 && !strcmp(w + n - 3, ".cc")) ||
                         (n > 5 && !strcmp(w + n - 5, ".json")));
            if (!file)
                continue;
            char path[4200];
            snprintf(path, sizeof path, "%s/../%s", POR_TEST_DIR, w);
            struct stat st;
            ck_assert_msg(stat(path, &st) == 0, "help %s names %s, which the repository lacks",
                          topics[t], w);
        }
    }
}
END_TEST

START_TEST(test_seed_changes_results)
{
    const char *base = por_test_tmpdir("cli-seed");
    char a[4200], b[4200], args[9000];
    snprintf(a, sizeof a, "%s/s1", base);
    snprintf(b, sizeof b, "%s/s2", base);
    snprintf(args, sizeof args, "run -r 2 -q --seed 1 -o '%s'", a);
    ck_assert_int_eq(run(args), 0);
    snprintf(args, sizeof args, "run -r 2 -q --seed 2 -o '%s'", b);
    ck_assert_int_eq(run(args), 0);
    char *x = read_out(a, "runs.csv"), *y = read_out(b, "runs.csv");
    ck_assert_str_ne(x, y);
    free(x);
    free(y);
}
END_TEST

START_TEST(test_bench_phold_prints_fields)
{
    ck_assert_int_eq(run("bench phold --lps 16 --per-lp 2 --events 10000"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "events=10000"));
    ck_assert_ptr_nonnull(strstr(g_out, "events_per_s="));
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_no_args_is_usage_error);
    tcase_add_test(tc, test_version_and_help);
    tcase_add_test(tc, test_every_listed_command_has_help);
    tcase_add_test(tc, test_bad_options_exit_2);
    tcase_add_test(tc, test_missing_scenario_file);
    tcase_add_test(tc, test_validate_good_and_bad);
    tcase_add_test(tc, test_run_default_prints_summary);
    tcase_add_test(tc, test_run_bad_set_exit_2_no_output);
    tcase_add_test(tc, test_outputs_identical_for_j1_j2);
    tcase_add_test(tc, test_existing_output_needs_force);
    tcase_add_test(tc, test_output_parents_created_foreign_folder_kept);
    tcase_add_test(tc, test_warnings_printed_strict_refuses);
    tcase_add_test(tc, test_until_ci_percent_syntax);
    tcase_add_test(tc, test_help_names_only_files_of_the_repo);
    tcase_add_test(tc, test_seed_changes_results);
    tcase_add_test(tc, test_bench_phold_prints_fields);
    suite_add_tcase(s, tc);
    return s;
}
