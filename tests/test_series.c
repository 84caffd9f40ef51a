/* `porsim trace --series FILE.csv` (series.svg of porsim-analyze is tested in
 * analysis/tests/test_cli.py):
 * the CSV of lesson 4 is time-ordered with exact, canonical decimals; the true reserve
 * steps exactly at the scheduled 22 min (or where --set moves it) to exactly 95%; the
 * reported answer changes only on answer rows, as many as the run's reports_accepted;
 * ratios agree with the amounts; the file is the same alone or teed with --html and the
 * text; a series that cannot be written (missing directory, a directory, a full disk)
 * exits 1 and leaves nothing behind, as does SIGINT mid-run; the exact ratio formatter on
 * hand-checked values. */
#include "por_test.h"

#include "por/amount.h"
#include "por/trace_render.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LESSON4 POR_SCENARIO_DIR "/teaching/4-custodian-shortfall-secure-mint.json"
#define HEADER "t_seconds,true_reserve,reported_answer,total_supply,true_ratio,reported_ratio,event"
#define MAX_ROWS 4096

enum { C_T, C_RESERVE, C_ANSWER, C_SUPPLY, C_TRUE_RATIO, C_REP_RATIO, C_EVENT, NCOLS };

typedef struct {
    char f[NCOLS][96];
} row;

static row g_rows[MAX_ROWS];
static size_t g_nrows;
static char g_dir[512];
static char g_out[16384];

static const char *dir_for(const char *tag)
{
    const char *d = por_test_tmpdir(tag);
    ck_assert_ptr_nonnull(d);
    snprintf(g_dir, sizeof g_dir, "%s", d);
    return g_dir;
}

/* Runs a shell command (printf-formatted); stdout+stderr kept in g_out. Returns the exit
 * code, -1 when it did not exit normally. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char c[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c, sizeof c, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "( %s ) >'%s/sh-out.txt' 2>&1 </dev/null", c, g_dir);
    int st = system(cmd);
    char path[700];
    snprintf(path, sizeof path, "%s/sh-out.txt", g_dir);
    char *txt = por_test_slurp(path);
    snprintf(g_out, sizeof g_out, "%s", txt ? txt : "");
    free(txt);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

#define porsim(fmt, ...) sh("'%s' " fmt, POR_BINARY, __VA_ARGS__)

/* Loads the series CSV at PATH into g_rows (header checked). */
static void load_series(const char *path)
{
    char *s = por_test_slurp(path);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    char *save = NULL;
    char *line = strtok_r(s, "\n", &save);
    ck_assert_ptr_nonnull(line);
    ck_assert_str_eq(line, HEADER);
    g_nrows = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        ck_assert_uint_lt(g_nrows, MAX_ROWS);
        row *r = &g_rows[g_nrows++];
        const char *p = line;
        for (int c = 0; c < NCOLS; c++) {
            size_t n = strcspn(p, ",");
            ck_assert_uint_lt(n, sizeof r->f[c]);
            memcpy(r->f[c], p, n);
            r->f[c][n] = '\0';
            ck_assert_msg(c == NCOLS - 1 ? p[n] == '\0' : p[n] == ',', "bad row: %s", line);
            p += n + 1;
        }
    }
    free(s);
}

/* S is a plain decimal with at most DEC fractional digits, in canonical form (what
 * por_amount_format prints with zeros trimmed): parses back to the same text. */
static por_amount exact(const char *s, unsigned dec)
{
    por_amount v;
    const char *why = NULL;
    ck_assert_msg(por_amount_parse(s, dec, &v, &why) == 0, "\"%s\" is not a decimal with <= %u "
                  "decimals (%s)", s, dec, why ? why : "?");
    char back[96];
    por_amount_format(v, dec, false, back, sizeof back);
    ck_assert_msg(strcmp(back, s) == 0, "\"%s\" is not canonical (%s)", s, back);
    return v;
}

/* The value of column NAME in the replication-0 row of DIR/runs.csv. */
static long runs_value(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *s = por_test_slurp(path);
    ck_assert_ptr_nonnull(s);
    char *nl = strchr(s, '\n');
    ck_assert_ptr_nonnull(nl);
    *nl = '\0';
    int col = -1, i = 0;
    for (char *h = s, *e; h; h = e ? e + 1 : NULL, i++) {
        e = strchr(h, ',');
        size_t n = e ? (size_t)(e - h) : strlen(h);
        if (n == strlen(name) && strncmp(h, name, n) == 0)
            col = i;
    }
    ck_assert_int_ge(col, 0);
    const char *p = nl + 1;
    ck_assert(strncmp(p, "0,", 2) == 0);
    for (i = 0; i < col; i++)
        p = strchr(p, ',') + 1;
    long v = strtol(p, NULL, 10);
    free(s);
    return v;
}

static bool has_event(const char *ev) { return g_nrows && strcmp(g_rows[g_nrows - 1].f[C_EVENT], ev) == 0; }

START_TEST(test_series_lesson4_exact)
{
    const char *d = dir_for("series-l4");
    ck_assert_int_eq(porsim("trace '%s' --series '%s/s.csv'", LESSON4, d), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "wrote"));
    ck_assert_ptr_null(strstr(g_out, "ON-CHAIN ANSWER")); /* no text without --level */
    char path[700];
    snprintf(path, sizeof path, "%s/s.csv", d);
    load_series(path);
    ck_assert_uint_gt(g_nrows, 10);
    ck_assert_str_eq(g_rows[0].f[C_EVENT], "start");
    ck_assert_str_eq(g_rows[0].f[C_T], "0");
    ck_assert(has_event("end"));
    ck_assert_str_eq(g_rows[g_nrows - 1].f[C_T], "3600");

    /* Time-ordered, exact decimals (token 18, feed 8 decimals), ratios = amounts. */
    por_amount prev_t = -1;
    size_t step_row = 0, answers = 0;
    for (size_t i = 0; i < g_nrows; i++) {
        const row *r = &g_rows[i];
        por_amount t = exact(r->f[C_T], 9);
        ck_assert_msg(t >= prev_t, "row %zu goes back in time", i);
        prev_t = t;
        por_amount res = exact(r->f[C_RESERVE], 18), sup = exact(r->f[C_SUPPLY], 18);
        double tr = strtod(r->f[C_TRUE_RATIO], NULL);
        ck_assert_msg(strlen(r->f[C_TRUE_RATIO]) == 11, "ratio %s: 9 decimals", r->f[C_TRUE_RATIO]);
        double want = por_amount_to_double(res, 18) / por_amount_to_double(sup, 18);
        ck_assert_msg(tr <= want + 1e-12 && want - tr < 1.01e-9, "true ratio %s vs %.12f",
                      r->f[C_TRUE_RATIO], want);
        if (r->f[C_ANSWER][0]) {
            por_amount ans = exact(r->f[C_ANSWER], 8);
            double rr = strtod(r->f[C_REP_RATIO], NULL);
            double w2 = por_amount_to_double(ans, 8) / por_amount_to_double(sup, 18);
            ck_assert_msg(rr <= w2 + 1e-12 && w2 - rr < 1.01e-9, "reported ratio %s vs %.12f",
                          r->f[C_REP_RATIO], w2);
        } else {
            ck_assert_str_eq(r->f[C_REP_RATIO], "");
            ck_assert_uint_eq(answers, 0); /* empty only before the first answer */
        }
        /* The reported answer changes only on answer rows. */
        if (i > 0 && strcmp(r->f[C_ANSWER], g_rows[i - 1].f[C_ANSWER]) != 0)
            ck_assert_msg(strcmp(r->f[C_EVENT], "answer") == 0, "answer changed on a %s row",
                          r->f[C_EVENT]);
        answers += strcmp(r->f[C_EVENT], "answer") == 0;
        /* The true reserve changes exactly at the scheduled 22 min step, to exactly 95%. */
        if (t < (por_amount)1320 * 1000000000) {
            ck_assert_str_eq(r->f[C_RESERVE], "1000000000");
        } else {
            ck_assert_str_eq(r->f[C_RESERVE], "950000000");
            if (!step_row)
                step_row = i;
        }
    }
    ck_assert_uint_gt(step_row, 0);
    ck_assert_str_eq(g_rows[step_row].f[C_T], "1320");
    ck_assert_str_eq(g_rows[step_row].f[C_EVENT], "reserve");
    ck_assert_str_eq(g_rows[step_row].f[C_SUPPLY], g_rows[step_row - 1].f[C_SUPPLY]);
    /* 950,000,000 / 993,500,000 = 0.95621540010..., truncated. */
    ck_assert_str_eq(g_rows[step_row].f[C_TRUE_RATIO], "0.956215400");
    /* Supply rows: +500,000 tokens per accepted mint, exactly. */
    for (size_t i = 1; i < g_nrows; i++)
        if (strcmp(g_rows[i].f[C_EVENT], "supply") == 0) {
            por_amount a = exact(g_rows[i - 1].f[C_SUPPLY], 18), b = exact(g_rows[i].f[C_SUPPLY], 18);
            ck_assert(b - a == (por_amount)500000 * por_amount_pow10(18));
        }
    /* As many answer rows as the run's reports_accepted (same replication via porsim run). */
    ck_assert_int_eq(porsim("run '%s' -q -o '%s/run'", LESSON4, d), 0);
    char run[700];
    snprintf(run, sizeof run, "%s/run", d);
    ck_assert_uint_eq(answers, (size_t)runs_value(run, "reports_accepted"));
    ck_assert_uint_ge(answers, 2);
    /* The last answer reports the loss, exactly. */
    ck_assert_str_eq(g_rows[g_nrows - 1].f[C_ANSWER], "950000000");
}
END_TEST

/* --set moves the step; the file is byte-identical alone and teed with --html + text. */
START_TEST(test_series_set_and_tee)
{
    const char *d = dir_for("series-tee");
#define MOVE "--set 'custodians[0].reserve.steps[0].at=30m' --set 'custodians[0].reserve.steps[0].change=-20%%'"
    ck_assert_int_eq(porsim("trace '%s' " MOVE " --series '%s/a.csv'", LESSON4, d), 0);
    ck_assert_int_eq(porsim("trace '%s' " MOVE " --series '%s/b.csv' --html '%s/t.html' --level summary",
                            LESSON4, d, d),
                     0);
    ck_assert_ptr_nonnull(strstr(g_out, "end of run")); /* the text was printed too */
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/a.csv", d);
    snprintf(b, sizeof b, "%s/b.csv", d);
    char *x = por_test_slurp(a), *y = por_test_slurp(b);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_str_eq(x, y);
    free(x);
    free(y);
    snprintf(a, sizeof a, "%s/t.html", d);
    struct stat st;
    ck_assert_int_eq(stat(a, &st), 0);
    load_series(b);
    size_t step = 0;
    for (size_t i = 0; i < g_nrows && !step; i++)
        if (strcmp(g_rows[i].f[C_RESERVE], "1000000000") != 0)
            step = i;
    ck_assert_str_eq(g_rows[step].f[C_T], "1800");
    ck_assert_str_eq(g_rows[step].f[C_RESERVE], "800000000");
    ck_assert_str_eq(g_rows[step].f[C_EVENT], "reserve");
#undef MOVE
}
END_TEST

/* Entries of DIR whose name contains PART (NULL: all but "." and ".."). */
static int entries(const char *dir, const char *part)
{
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!part || strstr(e->d_name, part)))
            n++;
    closedir(dp);
    return n;
}

/* Runs porsim trace LESSON4 --series PATH with file sizes capped at CAP bytes (writes past
 * it fail with EFBIG, SIGXFSZ ignored), output to OUT. Returns the exit code. */
static int trace_capped(const char *path, rlim_t cap, const char *out)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(120);
        dup2(fd, 1);
        dup2(fd, 2);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {cap, cap};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(121);
        execl(POR_BINARY, POR_BINARY, "trace", LESSON4, "--series", path, (char *)NULL);
        _exit(122);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

START_TEST(test_series_failed_write_leaves_nothing)
{
    const char *d = dir_for("series-fail");
    char empty[700], path[900], out[700];
    snprintf(empty, sizeof empty, "%s/empty", d);
    ck_assert_int_eq(mkdir(empty, 0755), 0);
    /* A missing directory: exit 1 with a message, before running. */
    ck_assert_int_eq(porsim("trace '%s' --series '%s/missing/s.csv'", LESSON4, empty), 1);
    ck_assert_ptr_nonnull(strstr(g_out, "cannot create the series file"));
    ck_assert_ptr_null(strstr(g_out, "wrote"));
    ck_assert_int_eq(entries(empty, NULL), 0);
    /* A directory as the file: exit 1, no temporary file left beside it. */
    ck_assert_int_eq(porsim("trace '%s' --series '%s'", LESSON4, empty), 1);
    ck_assert_ptr_nonnull(strstr(g_out, "porsim trace:"));
    ck_assert_int_eq(entries(d, ".partial-"), 0);
    ck_assert_int_eq(entries(empty, NULL), 0);
    /* Bad arguments: exit 2, nothing written. */
    ck_assert_int_eq(porsim("trace '%s' --series", LESSON4), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "--series needs a file name"));
    ck_assert_int_eq(porsim("trace '%s/nope.json' --series '%s/s.csv'", empty, empty), 2);
    ck_assert_int_eq(porsim("trace '%s' --run 5 --series '%s/s.csv'", LESSON4, empty), 2);
    ck_assert_int_eq(entries(empty, NULL), 0);
    /* A full disk while writing: exit 1, the target absent, no temporary file. */
    snprintf(path, sizeof path, "%s/s.csv", empty);
    snprintf(out, sizeof out, "%s/capped.txt", d);
    ck_assert_int_eq(trace_capped(path, 400, out), 1);
    char *msg = por_test_slurp(out);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, "write failed") != NULL, "message: %s", msg);
    free(msg);
    ck_assert_int_eq(entries(empty, NULL), 0);
    /* Uncapped, the same command writes the file (the cap was the only difference). */
    ck_assert_int_eq(trace_capped(path, RLIM_INFINITY, out), 0);
    ck_assert_int_eq(entries(empty, NULL), 1);
    ck_assert_int_eq(entries(empty, ".partial-"), 0);
}
END_TEST

/* SIGINT while a year-long trace is writing: it dies of the signal and leaves nothing. */
START_TEST(test_series_interrupt_leaves_nothing)
{
    const char *d = dir_for("series-int");
    char path[700];
    snprintf(path, sizeof path, "%s/s.csv", d);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(POR_BINARY, POR_BINARY, "trace", POR_SCENARIO_DIR "/treasury-stablecoin-drift.json",
              "--set", "duration=3650d", "--series", path, (char *)NULL);
        _exit(122);
    }
    /* Wait (at most 60 s) until the temporary file exists, then interrupt. */
    for (int i = 0; i < 6000 && entries(d, ".partial-") == 0; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    ck_assert_int_eq(entries(d, ".partial-"), 1);
    kill(pid, SIGINT);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
    ck_assert_int_eq(entries(d, NULL), 0);
}
END_TEST

START_TEST(test_series_ratio_exact)
{
    char b[128];
    por_amount e18 = por_amount_pow10(18);
    por_trace_series_ratio(950000000 * e18, 18, 993500000 * e18, 18, b, sizeof b);
    ck_assert_str_eq(b, "0.956215400");
    /* answer with 8 decimals against supply with 18: 950,000,000 / 995,000,000 */
    por_trace_series_ratio((por_amount)950000000 * 100000000, 8, 995000000 * e18, 18, b, sizeof b);
    ck_assert_str_eq(b, "0.954773869");
    por_trace_series_ratio(1, 0, 3, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.333333333");
    por_trace_series_ratio(2, 0, 3, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.666666666"); /* truncated, not rounded */
    por_trace_series_ratio(5, 0, 5, 0, b, sizeof b);
    ck_assert_str_eq(b, "1.000000000");
    por_trace_series_ratio(-1, 0, 4, 0, b, sizeof b);
    ck_assert_str_eq(b, "-0.250000000");
    por_trace_series_ratio(-1, 0, 4000000000000LL, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.000000000"); /* no "-0" */
    por_trace_series_ratio(7, 0, 0, 0, b, sizeof b);
    ck_assert_str_eq(b, "");
    /* decimals far apart: 1 / 1e-36 = 1e36, 1e-36 / 1 */
    por_trace_series_ratio(1, 0, 1, 36, b, sizeof b);
    ck_assert_str_eq(b, "1000000000000000000000000000000000000.000000000");
    por_trace_series_ratio(1, 36, 1, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.000000000");
    por_trace_series_ratio(123456789, 9, 1, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.123456789");
    /* 128-bit extremes: no overflow in the long division */
    por_trace_series_ratio(POR_AMOUNT_MIN, 0, 1, 0, b, sizeof b);
    ck_assert_str_eq(b, "-170141183460469231731687303715884105728.000000000");
    por_trace_series_ratio(POR_AMOUNT_MAX - 1, 0, POR_AMOUNT_MAX, 0, b, sizeof b);
    ck_assert_str_eq(b, "0.999999999");
    por_trace_series_ratio(POR_AMOUNT_MAX, 18, POR_AMOUNT_MAX / 3, 18, b, sizeof b);
    ck_assert_str_eq(b, "3.000000000");
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("series");
    TCase *tc = tcase_create("series");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_series_lesson4_exact);
    tcase_add_test(tc, test_series_set_and_tee);
    tcase_add_test(tc, test_series_failed_write_leaves_nothing);
    tcase_add_test(tc, test_series_interrupt_leaves_nothing);
    tcase_add_test(tc, test_series_ratio_exact);
    suite_add_tcase(s, tc);
    return s;
}
