/* An interrupted sweep keeps its complete points (written with "partial": true, as run
 * keeps its completed replications) and `--resume DIR` finishes it into exactly the bytes
 * of the uninterrupted sweep; `sweep --until-ci` stops each point where `porsim run
 * --until-ci` stops on that point's scenario (issue 18). Runs the built binary on a
 * 2-hour horizon with the loss at 1 h, so each replication takes milliseconds. */
#include "por_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAST "--set duration=2h --set custodians[0].reserve.steps[0].at=1h"

/* The seeds 1..600 as one --param value list. */
static void seed_list(char *buf, size_t n)
{
    size_t o = 0;
    for (int s = 1; s <= 600 && o < n; s++)
        o += (size_t)snprintf(buf + o, n - o, "%s%d", s > 1 ? "," : "", s);
}

START_TEST(test_interrupted_sweep_keeps_points_and_resumes)
{
    char base[512], ref[700], part[700], log[700], seeds[4000], args[9000];
    snprintf(base, sizeof base, "%s", por_test_tmpdir("sweep-resume"));
    snprintf(ref, sizeof ref, "%s/ref", base);
    snprintf(part, sizeof part, "%s/out/part", base); /* out/ is created too */
    snprintf(log, sizeof log, "%s/log", base);
    seed_list(seeds, sizeof seeds);

    /* The interrupted sweep, run directly so it can be signalled. */
    char seedparam[4100];
    snprintf(seedparam, sizeof seedparam, "seed=%s", seeds);
    char *argv[] = {"porsim", "sweep", "--param", seedparam, "-r", "3", "-q", "--set",
                    "duration=2h", "--set", "custodians[0].reserve.steps[0].at=1h", "-o", part,
                    NULL};
    pid_t pid = por_test_spawn(argv, log);
    for (int i = 0; i < 6000 && !por_test_porsim_catches(pid, SIGINT); i++)
        por_test_sleep_ms(10);
    ck_assert(por_test_porsim_catches(pid, SIGINT));
    por_test_sleep_ms(1000);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    char *text = por_test_slurp(log);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit %d: %s", WEXITSTATUS(st), text);
    ck_assert_msg(strstr(text, "porsim sweep: interrupted: kept ") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "--resume ") != NULL, "%s", text);
    free(text);
    char *meta = por_test_slurp_in(part, "meta.json");
    ck_assert_msg(strstr(meta, "\"partial\": true") != NULL, "%s", meta);
    const char *pc = strstr(meta, "\"points_completed\": ");
    ck_assert_ptr_nonnull(pc);
    long kept = strtol(pc + strlen("\"points_completed\": "), NULL, 10);
    ck_assert_int_gt(kept, 0);
    ck_assert_int_lt(kept, 600);
    free(meta);
    /* Only complete points: every kept point has its 3 replications. */
    char *runs = por_test_slurp_in(part, "runs.csv");
    long lines = 0;
    for (const char *p = runs; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 1 + 3 * kept);
    free(runs);

    /* --resume finishes it: the same bytes as the uninterrupted sweep. */
    snprintf(args, sizeof args, "sweep --param seed=%s -r 3 -q " FAST " --resume '%s'", seeds, part);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    snprintf(args, sizeof args, "sweep --param seed=%s -r 3 -q " FAST " -o '%s'", seeds, ref);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    const char *files[] = {"points.csv", "runs.csv", "censored.csv", "summary.csv"};
    for (int i = 0; i < 4; i++) {
        char *a = por_test_slurp_in(part, files[i]), *b = por_test_slurp_in(ref, files[i]);
        ck_assert_msg(strcmp(a, b) == 0, "%s differs after --resume", files[i]);
        free(a);
        free(b);
    }
    meta = por_test_slurp_in(part, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"partial\": false"));
    free(meta);

    /* A resume with another grid is refused, naming the directory. */
    snprintf(args, sizeof args, "sweep --param seed=1,2 -r 3 -q " FAST " --resume '%s'", part);
    ck_assert_int_eq(por_test_run_cli(args, log), 2);
    text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "resume with the command that wrote it") != NULL, "%s", text);
    free(text);
}
END_TEST

/* Each point stops where `porsim run --until-ci` stops on its scenario: the same rule
 * (95% CI half-width within PCT % of the mean, checked after every batch of 20). */
START_TEST(test_sweep_until_ci_per_point)
{
    char base[512], sw[700], r0[700], r1[700], log[700], args[4000];
    snprintf(base, sizeof base, "%s", por_test_tmpdir("sweep-ci"));
    snprintf(sw, sizeof sw, "%s/sweep", base);
    snprintf(log, sizeof log, "%s/log", base);
    snprintf(args, sizeof args,
             "sweep --param feed.ocr.n=4,7 --until-ci 10%% --max-reps 200 -j 2 -q " FAST
             " -o '%s'", sw);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    char *points = por_test_slurp_in(sw, "points.csv");
    const char *ns[] = {"4", "7"};
    char *dirs[] = {r0, r1};
    for (int p = 0; p < 2; p++) {
        snprintf(dirs[p], 700, "%s/run%d", base, p);
        snprintf(args, sizeof args,
                 "run --until-ci 10%% --max-reps 200 -j 2 -q " FAST " --set feed.ocr.n=%s -o '%s'",
                 ns[p], dirs[p]);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        char *meta = por_test_slurp_in(dirs[p], "meta.json");
        const char *rc = strstr(meta, "\"replications_completed\": ");
        ck_assert_ptr_nonnull(rc);
        long n = strtol(rc + strlen("\"replications_completed\": "), NULL, 10);
        const char *hash = strstr(meta, "\"scenario_hash\": \"");
        ck_assert_ptr_nonnull(hash);
        char line[200];
        /* the point's row up to scenario_replications (its _si columns follow) */
        snprintf(line, sizeof line, "%d,%s,%.16s,42,%ld,", p, ns[p],
                 hash + strlen("\"scenario_hash\": \""), n);
        ck_assert_msg(strstr(points, line) != NULL, "no \"%s\" in points.csv:\n%s", line, points);
        free(meta);
    }
    free(points);
    /* Excluded combinations are refused. */
    ck_assert_int_eq(por_test_run_cli("sweep --param feed.ocr.n=4,7 --until-ci 5% -r 10", log), 2);
    ck_assert_int_eq(por_test_run_cli("sweep --param feed.ocr.n=4,7 --until-ci 5% --shard 1/2", log), 2);
    ck_assert_int_eq(por_test_run_cli("sweep --param feed.ocr.n=4,7 --until-ci 0.05", log), 2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("sweep_resume");
    TCase *tc = tcase_create("sweep_resume");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_interrupted_sweep_keeps_points_and_resumes);
    tcase_add_test(tc, test_sweep_until_ci_per_point);
    suite_add_tcase(s, tc);
    return s;
}
