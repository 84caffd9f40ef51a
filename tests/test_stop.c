/* Every run can be stopped (issue 20.3). A replication that never ends in reasonable time
 * (feed.ocr.delta_resend of 10 ns: valid, warned at most) used to ignore SIGINT and
 * SIGTERM, which were only looked at between replications. Now the engine polls a stop
 * flag every POR_SIM_POLL_EVENTS events:
 *   - SIGTERM, or a second SIGINT, stops a running replication and the run writes what
 *     is complete ("partial": true) and exits 1; a first SIGINT lets it go on;
 *   - --max-wall stops it the same way after a wall-time budget;
 *   - --max-events stops a replication past its event budget, deterministically: the
 *     same replications are kept for -j1 and -j2, and a budget no replication reaches
 *     changes nothing. */
#include "por_test.h"
#include "por/metrics.h"
#include "por/scenario_load.h"
#include "por/world.h"

#include <dirent.h>

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

/* Waits (at most 60 s) until porsim runs with a handler for SIG, then a moment more so
 * the replication is under way: a fixed sleep alone raced a slow start under load. */
static void wait_handler(pid_t pid, int sig)
{
    for (int i = 0; i < 6000 && !por_test_porsim_catches(pid, sig); i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    ck_assert_msg(por_test_porsim_catches(pid, sig), "porsim never installed a handler for %d", sig);
    nanosleep(&(struct timespec){0, 500000000}, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Waits up to LIMIT_S for PID; kills it and fails the test if it is still running.
 * Returns its exit code. */
static int wait_limit(pid_t pid, double limit_s, const char *what)
{
    double t0 = now_s();
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (now_s() - t0 > limit_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            ck_abort_msg("%s: still running %.0f s after the stop", what, limit_s);
        }
        sleep_s(0.05);
    }
    ck_assert_msg(WIFEXITED(st), "%s: ended by signal %d", what, WTERMSIG(st));
    return WEXITSTATUS(st);
}

static bool still_running(pid_t pid)
{
    int st;
    return waitpid(pid, &st, WNOHANG) == 0;
}

/* Checks DIR holds a partial run with 0 completed replications, and LOG says WHY. */
static void expect_partial(const char *dir, const char *log, const char *why)
{
    char path[700];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    char *meta = por_test_slurp(path);
    ck_assert_msg(meta != NULL, "no %s", path);
    ck_assert_msg(strstr(meta, "\"partial\": true"), "%s", meta);
    ck_assert_msg(strstr(meta, "\"replications_completed\": 0"), "%s", meta);
    free(meta);
    char *text = por_test_slurp(log);
    ck_assert_msg(strstr(text, why), "expected \"%s\" in: %s", why, text);
    free(text);
}

/* The replication that does not end: every 10 ns a resend, for 3 days of simulated time. */
#define ENDLESS "--set", "feed.ocr.delta_resend=\"10ns\""

/* Limit for a stop to take effect: a poll is a few ms of CPU, but this machine may be
 * shared; before the fix the run went on for hours. */
#define STOP_LIMIT_S 60.0

START_TEST(test_sigterm_stops_running_replication)
{
    const char *tmp = por_test_tmpdir("stop-term");
    char out[600], log[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    char *argv[] = {"porsim", "run", "-r", "2", "-q", ENDLESS, "-o", out, NULL};
    pid_t pid = por_test_spawn(argv, log);
    wait_handler(pid, SIGTERM);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_int_eq(wait_limit(pid, STOP_LIMIT_S, "SIGTERM"), 1);
    expect_partial(out, log, "interrupted: kept 0 of 2");
}
END_TEST

START_TEST(test_second_sigint_stops_running_replication)
{
    const char *tmp = por_test_tmpdir("stop-int2");
    char out[600], log[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    char *argv[] = {"porsim", "run", "-r", "2", "-j", "2", "-q", ENDLESS, "-o", out, NULL};
    pid_t pid = por_test_spawn(argv, log);
    wait_handler(pid, SIGINT);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    sleep_s(2.0);
    ck_assert_msg(still_running(pid), "a first SIGINT must let running replications go on");
    char *text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "Ctrl-C again"), "%s", text);
    free(text);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    ck_assert_int_eq(wait_limit(pid, STOP_LIMIT_S, "second SIGINT"), 1);
    expect_partial(out, log, "stopped at simulated time");
}
END_TEST

START_TEST(test_max_wall_stops)
{
    const char *tmp = por_test_tmpdir("stop-wall");
    char out[600], log[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    char *argv[] = {"porsim", "run", "-r", "2", "-q", ENDLESS, "--max-wall", "1s", "-o", out,
                    NULL};
    pid_t pid = por_test_spawn(argv, log);
    ck_assert_int_eq(wait_limit(pid, STOP_LIMIT_S + 1, "--max-wall 1s"), 1);
    expect_partial(out, log, "by --max-wall");
}
END_TEST

START_TEST(test_max_events_deterministic)
{
    const char *tmp = por_test_tmpdir("stop-events");
    char args[2000], log[600], path[700];
    snprintf(log, sizeof log, "%s/log", tmp);
    /* A budget of 1 event ends replication 0 at the first poll: nothing kept, exit 1. */
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args,
                 "run -r 3 -j %d -q --set duration=1h --max-events 1 -o '%s/one-j%d'", j, tmp, j);
        ck_assert_int_eq(por_test_run_cli(args, log), 1);
        snprintf(path, sizeof path, "%s/one-j%d", tmp, j);
        expect_partial(path, log, "reached --max-events 1 at simulated time");
    }
    /* A budget no replication reaches changes nothing: same bytes as without it. */
    snprintf(args, sizeof args, "run -r 3 -j 2 -q --set duration=1h --max-events 1000000000 "
                                "-o '%s/big'", tmp);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    snprintf(args, sizeof args, "run -r 3 -q --set duration=1h -o '%s/none'", tmp);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    const char *files[] = {"runs.csv", "summary.json"};
    for (int k = 0; k < 2; k++) {
        char a[700], b[700];
        snprintf(a, sizeof a, "%s/big/%s", tmp, files[k]);
        snprintf(b, sizeof b, "%s/none/%s", tmp, files[k]);
        char *x = por_test_slurp(a), *y = por_test_slurp(b);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(y);
        ck_assert_msg(!strcmp(x, y), "%s differs with an unreached --max-events", files[k]);
        free(x);
        free(y);
    }
    ck_assert_int_eq(por_test_run_cli("run --max-events 0", log), 2);
    ck_assert_int_eq(por_test_run_cli("run --max-wall soon", log), 2);
}
END_TEST

/* The estimate is an order of magnitude of what a replication really handles: within a
 * factor of 10 for every library scenario (run for 12 h), and names the period that a
 * pathological value makes dominant. */
START_TEST(test_event_estimate)
{
    DIR *d = opendir(POR_SCENARIO_DIR);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    size_t ncols, checked = 0;
    por_world_metric_defs(&ncols);
    por_metric_cell *cells = calloc(ncols, sizeof *cells);
    char *strings = calloc(ncols, POR_WORLD_STRING_BYTES);
    const char *sets[] = {"duration=\"12h\""};
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", POR_SCENARIO_DIR, e->d_name);
        por_scenario *sc = NULL;
        por_error err = {POR_OK, ""};
        ck_assert_msg(por_scenario_load_file(path, sets, 1, &sc, &err) == POR_OK, "%s", err.msg);
        char driver[128];
        double est = por_world_estimate_events(sc, driver, sizeof driver);
        memset(cells, 0, ncols * sizeof *cells);
        por_status st = por_world_run_replication(sc, 0, NULL, cells, strings, &err);
        ck_assert_msg(st == POR_OK || st == POR_EINVARIANT, "%s: %s", path, err.msg);
        double real = cells[POR_WM_EVENTS].value;
        printf("%s: estimated %.0f events (mostly %s), handled %.0f\n", e->d_name, est, driver,
               real);
        ck_assert_msg(est <= 10 * real && real <= 10 * est, "%s: estimated %.0f, handled %.0f",
                      e->d_name, est, real);
        por_scenario_free(sc);
        checked++;
    }
    closedir(d);
    free(cells);
    free(strings);
    ck_assert_uint_gt(checked, 5);

    const char *cases[][2] = {{"feed.ocr.delta_resend=\"10ns\"", "feed.ocr.delta_resend=10ns"},
                              {"chains[0].block_time=\"1us\"", "chains[0].block_time=1us"}};
    for (int k = 0; k < 2; k++) {
        por_scenario *sc = NULL;
        por_error err = {POR_OK, ""};
        ck_assert_int_eq(por_scenario_load_string(por_default_scenario_json,
                                                  strlen(por_default_scenario_json), "<default>",
                                                  &cases[k][0], 1, &sc, &err), POR_OK);
        char driver[128];
        ck_assert(por_world_estimate_events(sc, driver, sizeof driver) > POR_WORLD_EVENTS_WARN);
        ck_assert_str_eq(driver, cases[k][1]);
        por_scenario_free(sc);
    }
    /* The CLI warns before running, naming it. */
    const char *tmp = por_test_tmpdir("stop-warn");
    char log[600];
    snprintf(log, sizeof log, "%s/log", tmp);
    ck_assert_int_eq(por_test_run_cli("run -q --set 'feed.ocr.delta_resend=\"10ns\"' "
                                      "--max-events 1", log), 1);
    char *text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "warning: about 1e+14 events per replication") &&
                  strstr(text, "feed.ocr.delta_resend=10ns over 3d"), "%s", text);
    free(text);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("stop");
    TCase *tc = tcase_create("stop");
    tcase_set_timeout(tc, 400);
    tcase_add_test(tc, test_sigterm_stops_running_replication);
    tcase_add_test(tc, test_second_sigint_stops_running_replication);
    tcase_add_test(tc, test_max_wall_stops);
    tcase_add_test(tc, test_max_events_deterministic);
    tcase_add_test(tc, test_event_estimate);
    suite_add_tcase(s, tc);
    return s;
}
