/* `porsim sweep --max-events / --max-wall` (issue 20.3), with the semantics of `porsim
 * run`'s (tests/test_stop.c): a cell past its event budget, or every running cell once the
 * wall-time budget is spent, stops; the sweep keeps its complete points, writes them with
 * "partial": true, exits 1, and `--resume DIR` finishes it into the bytes of the sweep
 * that was never stopped. Deterministic: the same cells stop for -j1 and -j2. */
#include "por_test.h"
#include "por/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Two points, 1 h and 1 d of simulated time: the second handles ~24 times the events. */
#define GRID "sweep --param duration=1h,1d -r 2 -q"

/* The least and the greatest "events" of point POINT's cells in a sweep's runs.csv. */
static void events_range(const char *dir, long point, uint64_t *lo, uint64_t *hi)
{
    char *runs = por_test_slurp_in(dir, "runs.csv");
    char *save = NULL, *line = strtok_r(runs, "\n", &save);
    int col = -1, k = 0;
    for (char *p = line; p && *p; k++) {
        char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 6 && !strncmp(p, "events", 6))
            col = k;
        p = comma ? comma + 1 : NULL;
    }
    ck_assert_int_ge(col, 0);
    *lo = UINT64_MAX;
    *hi = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (strtol(line, NULL, 10) != point)
            continue;
        const char *p = line;
        for (int c = 0; c < col; c++)
            p = strchr(p, ',') + 1;
        uint64_t e = strtoull(p, NULL, 10);
        *lo = e < *lo ? e : *lo;
        *hi = e > *hi ? e : *hi;
    }
    free(runs);
    ck_assert_uint_gt(*hi, 0);
}

START_TEST(test_max_events_keeps_points_and_resumes)
{
    char base[512], ref[700], part[700], log[700], args[2000];
    snprintf(base, sizeof base, "%s", por_test_tmpdir("sweep-stop-events"));
    snprintf(ref, sizeof ref, "%s/ref", base);
    snprintf(log, sizeof log, "%s/log", base);
    printf("seed: the default scenario's\n");
    snprintf(args, sizeof args, GRID " -o '%s'", ref);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);

    /* A budget above every cell of point 0 and below every cell of point 1 by more than a
     * poll period (the engine looks at the budget every POR_SIM_POLL_EVENTS events). */
    uint64_t lo0, hi0, lo1, hi1;
    events_range(ref, 0, &lo0, &hi0);
    events_range(ref, 1, &lo1, &hi1);
    uint64_t budget = hi0 + 1;
    ck_assert_msg(lo1 >= budget + POR_SIM_POLL_EVENTS, "point 1 handles %llu events, too few",
                  (unsigned long long)lo1);
    printf("events: point 0 %llu..%llu, point 1 %llu..%llu; --max-events %llu\n",
           (unsigned long long)lo0, (unsigned long long)hi0, (unsigned long long)lo1,
           (unsigned long long)hi1, (unsigned long long)budget);

    char *want = por_test_slurp_in(ref, "runs.csv");
    for (int j = 1; j <= 2; j++) {
        snprintf(part, sizeof part, "%s/part-j%d", base, j);
        snprintf(args, sizeof args, GRID " -j %d --max-events %llu -o '%s'", j,
                 (unsigned long long)budget, part);
        ck_assert_int_eq(por_test_run_cli(args, log), 1);
        char *text = por_test_slurp(log);
        char expect[200];
        snprintf(expect, sizeof expect, "reached --max-events %llu at simulated time",
                 (unsigned long long)budget);
        ck_assert_msg(strstr(text, expect) && strstr(text, "point 1 replication "), "%s", text);
        ck_assert_msg(strstr(text, "interrupted: kept 1 of 2 points") &&
                      strstr(text, "--resume "), "%s", text);
        free(text);
        char *meta = por_test_slurp_in(part, "meta.json");
        ck_assert_msg(strstr(meta, "\"partial\": true") &&
                      strstr(meta, "\"points_completed\": 1"), "%s", meta);
        free(meta);
        /* Point 0 is kept whole: the header and its two rows, as in the full sweep. */
        char *runs = por_test_slurp_in(part, "runs.csv");
        const char *cut = want;
        for (int l = 0; l < 3; l++)
            cut = strchr(cut, '\n') + 1;
        ck_assert_msg(strlen(runs) == (size_t)(cut - want) && !strncmp(runs, want, strlen(runs)),
                      "-j %d kept other rows: %s", j, runs);
        free(runs);

        /* --resume (without the budget) finishes it into the bytes of the full sweep. */
        snprintf(args, sizeof args, GRID " -j %d --resume '%s'", j, part);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        const char *files[] = {"points.csv", "runs.csv", "censored.csv", "summary.csv"};
        for (int i = 0; i < 4; i++) {
            char *a = por_test_slurp_in(part, files[i]), *b = por_test_slurp_in(ref, files[i]);
            ck_assert_msg(strcmp(a, b) == 0, "%s differs after --resume (-j %d)", files[i], j);
            free(a);
            free(b);
        }
    }
    free(want);

    /* A budget no cell reaches changes nothing. */
    snprintf(part, sizeof part, "%s/big", base);
    snprintf(args, sizeof args, GRID " -j 2 --max-events 1000000000 -o '%s'", part);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    char *a = por_test_slurp_in(part, "runs.csv"), *b = por_test_slurp_in(ref, "runs.csv");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);

    ck_assert_int_eq(por_test_run_cli("sweep --param duration=1h --max-events 0", log), 2);
    ck_assert_int_eq(por_test_run_cli("sweep --param duration=1h --max-wall soon", log), 2);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A sweep whose cells never end (a resend every 10 ns for 3 days) stops at --max-wall. */
START_TEST(test_max_wall_stops_sweep)
{
    char base[512], out[700], log[700];
    snprintf(base, sizeof base, "%s", por_test_tmpdir("sweep-stop-wall"));
    snprintf(out, sizeof out, "%s/out", base);
    snprintf(log, sizeof log, "%s/log", base);
    char *argv[] = {"porsim", "sweep", "--param", "seed=1,2", "-r", "1", "-q", "--set",
                    "feed.ocr.delta_resend=\"10ns\"", "--max-wall", "1s", "-o", out, NULL};
    pid_t pid = por_test_spawn(argv, log);
    double t0 = now_s();
    int st;
    for (;;) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            break;
        if (now_s() - t0 > 61) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            ck_abort_msg("sweep --max-wall 1s still running after 61 s");
        }
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    char *text = por_test_slurp(log);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, text);
    ck_assert_msg(strstr(text, "by --max-wall") && strstr(text, "interrupted: kept 0 of 2"),
                  "%s", text);
    free(text);
    char *meta = por_test_slurp_in(out, "meta.json");
    ck_assert_msg(strstr(meta, "\"partial\": true") && strstr(meta, "\"points_completed\": 0"),
                  "%s", meta);
    free(meta);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("sweep_stop");
    TCase *tc = tcase_create("sweep_stop");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_max_events_keeps_points_and_resumes);
    tcase_add_test(tc, test_max_wall_stops_sweep);
    suite_add_tcase(s, tc);
    return s;
}
