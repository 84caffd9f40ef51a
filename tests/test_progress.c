/* The progress bar of run and sweep (sim/cli/progress.c): the line shows elapsed time and
 * an ETA (elapsed x remaining / done), and on a terminal the result lines never land on
 * the bar's line (issue 18). The terminal cases run porsim under a pseudo-terminal. */
#define _XOPEN_SOURCE 600
#include "por_test.h"
#include "cli/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(test_format_elapsed_and_eta)
{
    char buf[256];
    /* 40 of 100 in 12 s: 60 left at 0.3 s each = 18 s. */
    ck_assert_str_eq(por_cli_progress_format(buf, sizeof buf, 40, 100, 12.0, "replications"),
                     "[############..................] 40/100 replications, 0:12 elapsed, ETA 0:18");
    /* nothing done yet: no estimate */
    ck_assert_str_eq(por_cli_progress_format(buf, sizeof buf, 0, 10, 0.4, "cells"),
                     "[..............................] 0/10 cells, 0:00 elapsed, ETA --:--");
    /* 1 of 4 in 1250 s: 3750 s left = 1:02:30; elapsed 20:50 */
    ck_assert_str_eq(por_cli_progress_format(buf, sizeof buf, 1, 4, 1250.0, "cells"),
                     "[#######.......................] 1/4 cells, 20:50 elapsed, ETA 1:02:30");
    ck_assert_str_eq(por_cli_progress_format(buf, sizeof buf, 4, 4, 3.0, "cells"),
                     "[##############################] 4/4 cells, 0:03 elapsed, ETA 0:00");
}
END_TEST

/* Runs porsim with ARGS (argv, NULL-terminated) on a pseudo-terminal (stdout and stderr
 * both) and returns everything it wrote (caller frees). */
static char *run_on_pty(char *const *args, int *code)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    const char *slave_name = ptsname(master);
    ck_assert_ptr_nonnull(slave_name);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setsid();
        int slave = open(slave_name, O_RDWR);
        if (slave < 0)
            _exit(127);
        dup2(slave, 1);
        dup2(slave, 2);
        close(master);
        execv(POR_BINARY, args);
        _exit(127);
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    for (;;) {
        if (len + 4096 > cap)
            text = realloc(text, cap *= 2);
        ssize_t r = read(master, text + len, 4096);
        if (r > 0)
            len += (size_t)r;
        else if (r < 0 && errno == EINTR)
            continue;
        else
            break; /* EIO once the child closed the terminal */
    }
    text[len] = '\0';
    close(master);
    int status;
    waitpid(pid, &status, 0);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return text;
}

/* The line that contains NEEDLE starts right after a newline: not after a bar's \r. */
static void assert_own_line(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", needle, text);
    ck_assert_msg(p == text || p[-1] == '\n', "\"%s\" shares a line with the bar:\n%s", needle, text);
}

START_TEST(test_terminal_bar_and_result_lines)
{
    int code;
    char *const run_args[] = {"porsim", "run", "-r", "20", "--set", "duration=1d", NULL};
    char *text = run_on_pty(run_args, &code);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(text, "20/20 replications, "));
    ck_assert_ptr_nonnull(strstr(text, " elapsed, ETA "));
    assert_own_line(text, "scenario default-fiat-stablecoin");
    free(text);
    /* --until-ci stops before --max-reps: the result line used to land on the bar. */
    char *const ci_args[] = {"porsim", "run", "--until-ci", "50%", "--max-reps", "200", "-q",
                             NULL};
    text = run_on_pty(ci_args, &code);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(text, "/200 replications, "));
    assert_own_line(text, "until-ci feed_detect: reached");
    free(text);
    char *const sweep_args[] = {"porsim", "sweep", "--param", "feed.ocr.n=4,7", "-r", "2",
                                "--set", "duration=1d", NULL};
    text = run_on_pty(sweep_args, &code);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(text, "4/4 cells, "));
    assert_own_line(text, "sweep default-fiat-stablecoin");
    free(text);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_format_elapsed_and_eta);
    tcase_add_test(tc, test_terminal_bar_and_result_lines);
    suite_add_tcase(s, tc);
    return s;
}
