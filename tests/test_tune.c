/* porsim tune and --param ranges: range expansion (steps, percentages, log-spaced
 * durations, refusals), and the race on a fast scenario: the cheaper feasible point wins,
 * an infeasible grid exits 4, the output directory has the sweep layout plus tune.csv and
 * is the same for -j 1 and -j 2 and over 3 file shards (--shard --exchange), porsim merge
 * reads it, bad options exit 2. Runs the built
 * binary on a 2-hour horizon (onset at 1 h), a few milliseconds per replication. The
 * scenario seed is fixed (42, the default scenario's); the suite seed printed is unused. */
#include "por_test.h"

#include "cli/param_range.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void expand_ok(const char *range, const char *want)
{
    char **v = malloc(sizeof *v);
    v[0] = strdup(range);
    size_t n = 1;
    por_error err = {POR_OK, ""};
    ck_assert_msg(por_param_expand_ranges(&v, &n, &err) == POR_OK, "%s: %s", range, err.msg);
    char got[1024] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(got, i ? "," : "");
        strcat(got, v[i]);
        free(v[i]);
    }
    free(v);
    ck_assert_str_eq(got, want);
}

static void expand_bad(const char *range, const char *want)
{
    char **v = malloc(sizeof *v);
    v[0] = strdup(range);
    size_t n = 1;
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_param_expand_ranges(&v, &n, &err), POR_EINPUT);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: got '%s'", range, err.msg);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* 1h..24h:5log: 1h * 24^(k/4) = 1 h, 2.21336 h (2h12m48.1s), 4.89898 h (4h53m56.3s),
 * 10.8432 h (10h50m35.6s), 24 h, rounded to whole seconds. */
START_TEST(test_ranges)
{
    expand_ok("0.5%..2%:0.5%", "0.5%,1%,1.5%,2%");
    expand_ok("1..9:2", "1,3,5,7,9");
    expand_ok("0.1..0.3:0.1", "0.1,0.2,0.3");
    expand_ok("10min..1h:20min", "10m,30m,50m");
    expand_ok("1h..24h:5log", "1h,2h12m48s,4h53m56s,10h50m36s,1d");
    expand_ok("1..100:3log", "1,10,100");
    expand_ok("[1,2]", "[1,2]");      /* not ranges: kept */
    expand_ok("a..b:c", "a..b:c");
    expand_ok("1%", "1%");
    expand_bad("2%..1%:0.5%", "needs LO <= HI");
    expand_bad("1h..2h:0s", "STEP must be positive");
    expand_bad("1%..2h:1h", "same kind of unit");
    expand_bad("1..10:1log", "Nlog needs N >= 2");
    expand_bad("0..10:3log", "LO > 0");
    expand_bad("0..1e9:1", "more than 100000 values");
}
END_TEST

#define FAST "--set duration=2h --set 'custodians[0].reserve.steps[0].at=1h'"

static char g_dir[512];

static int tune(const char *extra, const char *log)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "tune " FAST " %s", extra);
    return por_test_run_cli(cmd, log);
}

static char *read_in(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return por_test_slurp(path);
}

/* A heartbeat every 10 min sends about 12 transmissions in 2 h, every hour about 2: the
 * hourly point is cheaper (gas = transmissions x transmit_gas). Both keep every safety
 * invariant, so both meet invariant_violations.p90<=0 once 36 runs are in. Stage 0 runs
 * both to 10; the cheaper half (the hourly point) doubles to 20, then 40, where it meets
 * the target (stage 2); the 10-minute point, still at 10, is then dropped on its 10
 * paired gas differences: 40 + 10 = 50 replications instead of 2 x 40. */
START_TEST(test_tune_race)
{
    const char *d = por_test_tmpdir("tune");
    ck_assert_ptr_nonnull(d);
    snprintf(g_dir, sizeof g_dir, "%s", d);
    char log[700], args[2048];
    snprintf(log, sizeof log, "%s/log.txt", g_dir);
    snprintf(args, sizeof args,
             "--param feed.ocr.delta_c=10min,1h --require 'invariant_violations.p90<=0' "
             "--minimize gas --max-reps 80 -j 1 -o '%s/j1'",
             g_dir);
    ck_assert_int_eq(tune(args, log), 0);
    char *out = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(out, "winner: point 1 (feed.ocr.delta_c=1h)"));
    ck_assert_ptr_nonnull(strstr(out, "replications: 50 in all; a sweep with 40 per point"));
    free(out);
    snprintf(args, sizeof args,
             "--param feed.ocr.delta_c=10min,1h --require 'invariant_violations.p90<=0' "
             "--minimize gas --max-reps 80 -j 2 -o '%s/j2'",
             g_dir);
    ck_assert_int_eq(tune(args, log), 0);

    char j1[600], j2[600];
    snprintf(j1, sizeof j1, "%s/j1", g_dir);
    snprintf(j2, sizeof j2, "%s/j2", g_dir);
    const char *files[] = {"points.csv", "runs.csv", "censored.csv", "summary.csv",
                           "tune.csv", "requirements.csv", "frontier.csv", "frontier.svg"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char *a = read_in(j1, files[k]), *b = read_in(j2, files[k]);
        ck_assert_msg(a && b, "%s missing", files[k]);
        ck_assert_msg(!strcmp(a, b), "%s differs between -j 1 and -j 2", files[k]);
        free(a);
        free(b);
    }
    char *t = read_in(j1, "tune.csv");
    /* the costs come from the transmit gas formula (por_transmit_gas), so only the race's
     * structure is pinned: who ran how far, and why each point left it */
    ck_assert_ptr_eq(strstr(t, "point,feed.ocr.delta_c,replications,cost_mean,cost_ci_lo,"
                               "cost_ci_hi,targets,status,dropped_at_stage,dropped_by\n0,10min,10,"),
                     t);
    const char *l1 = strstr(t, "\n1,1h,40,");
    ck_assert_ptr_nonnull(l1);
    ck_assert_ptr_nonnull(strstr(t, ",undecided,dearer,2,1\n1,1h,40,"));
    ck_assert_str_eq(l1 + strlen(l1) - strlen(",met,winner,,\n"), ",met,winner,,\n");
    free(t);
    char *meta = read_in(j1, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"kind\": \"tune\""));
    ck_assert_ptr_nonnull(strstr(meta, "\"winner\": 1,"));
    ck_assert_ptr_nonnull(strstr(meta, "\"replications_full_grid\": 160,"));
    free(meta);
    /* porsim merge reads it as a one-shard sweep and rebuilds the same cells. */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "merge '%s/merged' '%s'", g_dir, j1);
    ck_assert_int_eq(por_test_run_cli(cmd, log), 0);
    char m[600];
    snprintf(m, sizeof m, "%s/merged", g_dir);
    char *a = read_in(j1, "runs.csv"), *b = read_in(m, "runs.csv");
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* The same race split over 3 separate processes (--shard K/3) that exchange each stage's
 * results through files in one folder (--exchange): shard 1 writes the bytes one process
 * writes (all but meta.json's command line and wall time), the three exit with its code.
 * The race is deterministic, so the files a race left in the folder are what a rerun
 * would write: shard 1 run again alone finds the other shards' files and finishes with
 * the same output. */
START_TEST(test_tune_file_shards)
{
    const char *d = por_test_tmpdir("tune_shards");
    ck_assert_ptr_nonnull(d);
    char log[700], args[2048], cmd[8192];
    snprintf(log, sizeof log, "%s/log.txt", d);
    const char *grid = "--param feed.ocr.delta_c=10min,1h --require 'invariant_violations.p90<=0' "
                       "--minimize gas --max-reps 80 -q";
    snprintf(args, sizeof args, "%s -j 1 -o '%s/ref'", grid, d);
    ck_assert_int_eq(tune(args, log), 0);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && for k in 2 3; do ('%s' tune " FAST " %s --shard $k/3 --exchange x "
             ">out$k 2>&1; echo $? >rc$k) & done; '%s' tune " FAST " %s --shard 1/3 --exchange "
             "x -o sh1 >out1 2>&1; echo $? >rc1; wait",
             d, POR_BINARY, grid, POR_BINARY, grid);
    ck_assert_int_eq(system(cmd), 0);
    const char *files[] = {"points.csv", "runs.csv", "censored.csv", "summary.csv", "columns.csv",
                           "tune.csv", "requirements.csv", "frontier.csv", "frontier.svg"};
    char ref[600], sh1[600], again[600];
    snprintf(ref, sizeof ref, "%s/ref", d);
    snprintf(sh1, sizeof sh1, "%s/sh1", d);
    snprintf(again, sizeof again, "%s/again", d);
    for (int k = 1; k <= 3; k++) {
        char name[16];
        snprintf(name, sizeof name, "rc%d", k);
        char *rc = read_in(d, name);
        ck_assert_ptr_nonnull(rc);
        ck_assert_msg(!strcmp(rc, "0\n"), "shard %d exited %s", k, rc);
        free(rc);
    }
    /* shard 1 alone again, on the files the race left */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' tune " FAST " %s --shard 1/3 --exchange x "
                              "-o again >out1b 2>&1",
             d, POR_BINARY, grid);
    ck_assert_int_eq(system(cmd), 0);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char *a = read_in(ref, files[k]), *b = read_in(sh1, files[k]);
        char *c = read_in(again, files[k]);
        ck_assert_msg(a && b && c, "%s missing", files[k]);
        ck_assert_msg(!strcmp(a, b), "%s differs between one process and 3 shards", files[k]);
        ck_assert_msg(!strcmp(a, c), "%s differs on the rerun of shard 1", files[k]);
        free(a);
        free(b);
        free(c);
    }
    /* shard 1 prints the result lines; the others print nothing with -q */
    char *o1 = read_in(d, "out1"), *o2 = read_in(d, "out2");
    ck_assert_ptr_nonnull(strstr(o1, "winner: point 1 (feed.ocr.delta_c=1h)"));
    ck_assert_str_eq(o2, "");
    free(o1);
    free(o2);
    /* A shard whose partner never starts waits for it until interrupted, then exits 1. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && timeout --preserve-status -s INT 2 '%s' tune " FAST " %s "
             "--shard 1/2 --exchange y -o alone >out_alone 2>&1",
             d, POR_BINARY, grid);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 1);
    char *oa = read_in(d, "out_alone");
    ck_assert_ptr_nonnull(strstr(oa, "interrupted while waiting for y/"));
    free(oa);
    snprintf(cmd, sizeof cmd, "%s/alone", d);
    ck_assert_int_ne(access(cmd, F_OK), 0);
    ck_assert_int_eq(tune("--param feed.ocr.delta_c=1h --require 'gas.mean<=1' --minimize gas "
                          "--shard 1/2",
                          log),
                     2);
    char *out = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(out, "--shard K/N and --exchange DIR go together"));
    free(out);
}
END_TEST

START_TEST(test_tune_infeasible_and_bad)
{
    const char *d = por_test_tmpdir("tune_bad");
    ck_assert_ptr_nonnull(d);
    char log[700];
    snprintf(log, sizeof log, "%s/log.txt", d);
    /* Every run has rounds: rounds.mean<=0 fails everywhere, at the first stage. */
    ck_assert_int_eq(tune("--param feed.ocr.delta_c=10min,1h --require 'rounds.mean<=0' "
                          "--minimize gas --min-reps 5 -q",
                          log),
                     4);
    char *out = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(out, "winner: none (no point meets the targets)"));
    ck_assert_ptr_nonnull(strstr(out, "replications: 10 in all"));
    free(out);
    ck_assert_int_eq(tune("--param feed.ocr.delta_c=1h --minimize gas", log), 2);
    ck_assert_int_eq(tune("--param feed.ocr.delta_c=1h --require 'gas.mean<=1' --minimize nope",
                          log),
                     2);
    ck_assert_int_eq(tune("--param feed.ocr.delta_c=1h --require 'gas.mean<=1' --minimize gas "
                          "-r 5",
                          log),
                     2);
    ck_assert_int_eq(tune("--param seed=1,2 --require 'gas.mean<=1' --minimize gas", log), 2);
    out = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(out, "common random numbers need one seed"));
    free(out);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("tune");
    TCase *tc = tcase_create("ranges");
    tcase_add_test(tc, test_ranges);
    suite_add_tcase(s, tc);
    tc = tcase_create("race");
    tcase_add_test(tc, test_tune_race);
    tcase_add_test(tc, test_tune_infeasible_and_bad);
    tcase_add_test(tc, test_tune_file_shards);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    return s;
}
