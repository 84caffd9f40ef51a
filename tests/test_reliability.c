/* Reliability of the porsim binary under resource faults and signals, and determinism
 * across crypto modes:
 *   - allocation failure injected with POR_FAIL_ALLOC=N at points spread over a whole
 *     run (loading, replications, writing outputs): always "porsim: out of memory" and
 *     exit 1, never a crash, never a half-written or leftover output directory; cJSON's
 *     allocations are counted too (they go through por_xmalloc);
 *   - a full disk (RLIMIT_FSIZE makes writes fail with EFBIG, as ENOSPC would) and an
 *     output directory that cannot be created: a clear error, exit 1, nothing left;
 *   - SIGINT and SIGTERM sent to a running `porsim run -o DIR`: exit 1, DIR written with
 *     "partial": true, the completed replications are exactly the first K rows of an
 *     uninterrupted run (runs.csv and summary.json byte-identical to `-r K`);
 *   - real vs ideal signatures give byte-identical runs.csv and summary.json;
 *   - every library scenario runs a replication with the safety invariants checked and
 *     unbroken. */
#include "por_test.h"

#include "por/scenario_load.h"
#include "por/world.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Runs porsim with ENV assignments before it (a shell word list, may be ""), ARGS, and
 * stdout+stderr to OUT. Returns the exit code or -1. Leak checking is off in the child:
 * an exit(1) in the middle of a run leaves live allocations by design. */
static int run_env(const char *env, const char *args, const char *out)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=detect_leaks=0 %s '%s' %s >'%s' 2>&1 </dev/null", env,
             POR_BINARY, args, out);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in DIR whose name starts with PREFIX. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void rm_rf(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* ---- allocation failure -------------------------------------------------------------- */

/* Runs ARGS with POR_FAIL_ALLOC=N; checks the outcome; returns true if the run completed
 * (N beyond the last allocation). OUTDIR (may be NULL) is the run's -o target in TMP. */
static bool oom_case(const char *tmp, const char *args, long n, const char *outdir, int ok_code)
{
    char env[64], log[600];
    snprintf(env, sizeof env, "POR_FAIL_ALLOC=%ld", n);
    snprintf(log, sizeof log, "%s/oom.log", tmp);
    int code = run_env(env, args, log);
    char *text = por_test_slurp(log);
    ck_assert_ptr_nonnull(text);
    bool done = code == ok_code;
    if (!done) {
        ck_assert_msg(code == 1, "POR_FAIL_ALLOC=%ld %s: exit %d, expected 1:\n%.400s", n, args, code, text);
        ck_assert_msg(strstr(text, "porsim: out of memory") != NULL, "POR_FAIL_ALLOC=%ld: %.400s", n, text);
    }
    if (outdir) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", tmp, outdir);
        if (done) {
            char f[800];
            snprintf(f, sizeof f, "%s/meta.json", path);
            ck_assert_msg(file_exists(f), "completed run without %s", f);
            rm_rf(path);
        } else {
            ck_assert_msg(!file_exists(path), "POR_FAIL_ALLOC=%ld left %s", n, path);
        }
        ck_assert_msg(count_prefixed(tmp, "out.partial-") == 0,
                      "POR_FAIL_ALLOC=%ld left a temporary directory in %s", n, tmp);
    }
    free(text);
    return done;
}

/* The number of checked allocations ARGS makes: the largest N that still fails, found by
 * doubling then bisection. */
static long oom_count(const char *tmp, const char *args, const char *outdir, int ok_code)
{
    long lo = 1, hi = 1;
    while (!oom_case(tmp, args, hi, outdir, ok_code)) {
        lo = hi;
        hi *= 2;
        ck_assert_msg(hi < (1L << 24), "no end of allocations found");
    }
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (oom_case(tmp, args, mid, outdir, ok_code))
            hi = mid;
        else
            lo = mid;
    }
    return lo;
}

/* The one allocation-failure handler (por/error.h: por_out_of_memory): "porsim: out of
 * memory", the caller's detail, a line end on stderr, exit status 1 (the exit code of
 * POR_ENOMEM in the error table). Run in a forked child. */
START_TEST(test_out_of_memory_handler)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        por_out_of_memory(" (allocating %d widgets)", 7);
    }
    close(fds[1]);
    char text[256] = "";
    size_t len = 0;
    ssize_t got;
    while ((got = read(fds[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)got;
    text[len] = '\0';
    close(fds[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), por_status_exit_code(POR_ENOMEM));
    ck_assert_str_eq(text, "porsim: out of memory (allocating 7 widgets)\n");
}
END_TEST

START_TEST(test_oom_run_everywhere)
{
    const char *tmp = por_test_tmpdir("rel-oom");
    ck_assert_ptr_nonnull(tmp);
    char args[800];
    snprintf(args, sizeof args, "run -r 2 -q --set duration=1h -o '%s/out'", tmp);
    long total = oom_count(tmp, args, "out", 0);
    ck_assert_int_gt(total, 50);
    /* Spread over the whole run, and every one of the last 40 (the output writing). */
    for (long n = 1; n <= total; n = n + 1 + n / 4)
        ck_assert(!oom_case(tmp, args, n, "out", 0));
    for (long n = total > 40 ? total - 40 : 1; n <= total; n++)
        ck_assert(!oom_case(tmp, args, n, "out", 0));
    ck_assert(oom_case(tmp, args, total + 1, "out", 0));
}
END_TEST

START_TEST(test_oom_threads)
{
    const char *tmp = por_test_tmpdir("rel-oomj");
    ck_assert_ptr_nonnull(tmp);
    char args[800];
    snprintf(args, sizeof args, "run -r 4 -j 2 -q --set duration=1h -o '%s/out'", tmp);
    /* The count is atomic: the N-th allocation of the process fails whichever thread
     * makes it, so every N up to the total fails and the one after does not. */
    long total = oom_count(tmp, args, "out", 0);
    ck_assert_int_gt(total, 50);
    for (long n = 1; n <= total; n = n + 1 + n / 3)
        ck_assert(!oom_case(tmp, args, n, "out", 0));
    ck_assert(!oom_case(tmp, args, total, "out", 0));
    ck_assert(oom_case(tmp, args, total + 1, "out", 0));
}
END_TEST

/* Loading goes through cJSON; its allocations are counted, so a scenario with K
 * key/value pairs needs at least K checked allocations to load, and failing any of
 * them is "out of memory" (exit 1), never "bad input" (exit 2). */
START_TEST(test_oom_loader_counts_cjson)
{
    const char *tmp = por_test_tmpdir("rel-oomload");
    ck_assert_ptr_nonnull(tmp);
    char file[600], args[800];
    snprintf(file, sizeof file, "%s/good/full.json", POR_TEST_DIR);
    char *text = por_test_slurp(file);
    ck_assert_ptr_nonnull(text);
    long pairs = 0;
    for (const char *p = text; *p; p++)
        pairs += *p == ':';
    free(text);
    snprintf(args, sizeof args, "validate '%s'", file);
    long total = oom_count(tmp, args, NULL, 0);
    ck_assert_msg(total >= pairs, "%ld checked allocations to load %ld pairs", total, pairs);
    for (long n = 1; n <= total; n = n + 1 + n / 8)
        ck_assert(!oom_case(tmp, args, n, NULL, 0));
}
END_TEST

/* ---- output directory faults -------------------------------------------------------- */

/* Forks porsim with ARGV, stdout+stderr to OUT; FSIZE > 0 caps file sizes (writes past it
 * fail with EFBIG, SIGXFSZ ignored). Returns the pid. */
static pid_t spawn(char *const argv[], const char *out, long fsize)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        if (fsize > 0) {
            struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        execv(POR_BINARY, argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "porsim ended by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return WEXITSTATUS(st);
}

START_TEST(test_disk_full)
{
    const char *tmp = por_test_tmpdir("rel-full");
    ck_assert_ptr_nonnull(tmp);
    char out[600], log[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    /* 4 KiB: runs.csv fits, summary.json (about 9 KiB) does not. */
    char *argv[] = {"porsim", "run", "-r", "3", "-q", "--set", "duration=1h", "-o", out, NULL};
    int code = wait_exit(spawn(argv, log, 4096));
    char *text = por_test_slurp(log);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(code == 1, "exit %d: %s", code, text);
    ck_assert_msg(strstr(text, "summary.json: write failed: File too large") != NULL, "%s", text);
    ck_assert(!file_exists(out));
    ck_assert_int_eq(count_prefixed(tmp, "out."), 0);
    free(text);

    /* With --force over an existing DIR porsim wrote, the old DIR is kept intact. */
    ck_assert_int_eq(mkdir(out, 0755), 0);
    char meta[700];
    snprintf(meta, sizeof meta, "%s/meta.json", out);
    FILE *m = fopen(meta, "w");
    ck_assert_ptr_nonnull(m);
    fputs("{\"porsim_version\": \"0.1.0\"}\n", m);
    fclose(m);
    char keep[700];
    snprintf(keep, sizeof keep, "%s/keep.txt", out);
    FILE *f = fopen(keep, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old results\n", f);
    fclose(f);
    char *argv2[] = {"porsim", "run", "-r", "3", "-q", "--force", "--set", "duration=1h", "-o", out, NULL};
    ck_assert_int_eq(wait_exit(spawn(argv2, log, 4096)), 1);
    char *kept = por_test_slurp(keep);
    ck_assert_ptr_nonnull(kept);
    ck_assert_str_eq(kept, "old results\n");
    free(kept);
    ck_assert_int_eq(count_prefixed(tmp, "out."), 0);
}
END_TEST

/* The output directory gets the mode mkdir would give it (not mkdtemp's 0700). */
START_TEST(test_output_mode)
{
    const char *tmp = por_test_tmpdir("rel-mode");
    ck_assert_ptr_nonnull(tmp);
    char args[800], log[600], out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    snprintf(args, sizeof args, "run -r 1 -q --set duration=1h -o '%s'", out);
    mode_t old = umask(022);
    int code = run_env("", args, log);
    umask(old);
    ck_assert_int_eq(code, 0);
    struct stat st;
    ck_assert_int_eq(stat(out, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0755);
}
END_TEST

START_TEST(test_output_not_creatable)
{
    const char *tmp = por_test_tmpdir("rel-nodir");
    ck_assert_ptr_nonnull(tmp);
    char log[600];
    snprintf(log, sizeof log, "%s/log", tmp);
    /* A parent that is a file: refused before running (bad input). */
    char file[600], args[1400];
    snprintf(file, sizeof file, "%s/plain", tmp);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(args, sizeof args, "run -r 1 -q --set duration=1h -o '%s/sub/out'", file);
    ck_assert_int_eq(run_env("", args, log), 2);
    char *text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "parent directory") != NULL, "%s", text);
    free(text);
    /* procfs refuses new directories even to root, where access() says yes: found by
     * trying before the run (issue 20.6: it used to fail after simulating), exit 2 as for
     * every output path that cannot be written. */
    snprintf(args, sizeof args, "run -r 1 --set duration=1h -o /proc/porsim-cannot-create-%ld",
             (long)getpid());
    ck_assert_int_eq(run_env("", args, log), 2);
    text = por_test_slurp(log);
    ck_assert_msg(strstr(text, "cannot create a folder in /proc") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "replication") == NULL, "ran before failing: %s", text);
    free(text);
    /* An unwritable parent, where permissions apply (not to root). */
    if (geteuid() != 0) {
        char ro[600];
        snprintf(ro, sizeof ro, "%s/ro", tmp);
        ck_assert_int_eq(mkdir(ro, 0555), 0);
        snprintf(args, sizeof args, "run -r 1 -q --set duration=1h -o '%s/out'", ro);
        ck_assert_int_eq(run_env("", args, log), 2);
        text = por_test_slurp(log);
        ck_assert_msg(strstr(text, "not writable") != NULL, "%s", text);
        free(text);
    }
}
END_TEST

/* ---- signals ------------------------------------------------------------------------ */

/* Overwrites the value of "scenario_hash" in JSON text with zeros. */
static void blank_hash(char *json)
{
    char *h = strstr(json, "\"scenario_hash\": \"");
    ck_assert_ptr_nonnull(h);
    h += strlen("\"scenario_hash\": \"");
    for (int i = 0; i < 16 && h[i] && h[i] != '"'; i++)
        h[i] = '0';
}

/* Starts a long run, waits until its handlers are in place and some replications have
 * had time to complete, sends SIG, and checks the partial output against `-r K`. */
static void interrupt_case(int sig, const char *threads)
{
    const char *tmp = por_test_tmpdir(sig == SIGINT ? "rel-sigint" : "rel-sigterm");
    ck_assert_ptr_nonnull(tmp);
    char out[600], log[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    char *argv[] = {"porsim", "run", "-r", "1000000", "-j", (char *)threads, "-q",
                    "--set", "duration=2h", "-o", out, NULL};
    pid_t pid = spawn(argv, log, 0);
    for (int i = 0; i < 6000 && !por_test_porsim_catches(pid, sig); i++)
        por_test_sleep_ms(10);
    ck_assert_msg(por_test_porsim_catches(pid, sig), "porsim never installed a handler for signal %d", sig);
    por_test_sleep_ms(1500);
    ck_assert_int_eq(kill(pid, sig), 0);
    int code = wait_exit(pid);
    char *text = por_test_slurp(log);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(code == 1, "exit %d after signal %d: %s", code, sig, text);
    ck_assert_msg(strstr(text, "porsim: interrupted: kept ") != NULL, "%s", text);
    free(text);

    char path[700];
    snprintf(path, sizeof path, "%s/meta.json", out);
    char *meta = por_test_slurp(path);
    ck_assert_ptr_nonnull(meta);
    ck_assert_msg(strstr(meta, "\"partial\": true") != NULL, "%s", meta);
    const char *rc = strstr(meta, "\"replications_completed\": ");
    ck_assert_ptr_nonnull(rc);
    long k = strtol(rc + strlen("\"replications_completed\": "), NULL, 10);
    ck_assert_int_lt(k, 1000000);
    free(meta);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    char *csv = por_test_slurp(path);
    ck_assert_ptr_nonnull(csv);
    ck_assert_int_eq(count_lines(csv), k + 1);
    ck_assert_int_eq(count_prefixed(tmp, "out."), 0);

    if (k > 0) { /* the kept rows are exactly those of an uninterrupted -r K run */
        char args[1400], ref[600];
        snprintf(ref, sizeof ref, "%s/ref", tmp);
        snprintf(args, sizeof args, "run -r %ld -q --set duration=2h -o '%s'", k, ref);
        ck_assert_int_eq(run_env("", args, log), 0);
        snprintf(path, sizeof path, "%s/runs.csv", ref);
        char *ref_csv = por_test_slurp(path);
        ck_assert_ptr_nonnull(ref_csv);
        ck_assert_msg(strcmp(csv, ref_csv) == 0, "runs.csv of the kept rows differs from -r %ld", k);
        free(ref_csv);
        char p1[700], p2[700];
        snprintf(p1, sizeof p1, "%s/summary.json", out);
        snprintf(p2, sizeof p2, "%s/summary.json", ref);
        char *s1 = por_test_slurp(p1), *s2 = por_test_slurp(p2);
        ck_assert_ptr_nonnull(s1);
        ck_assert_ptr_nonnull(s2);
        /* The scenario hash covers "replications" (1000000 vs K): blank it in both. */
        blank_hash(s1);
        blank_hash(s2);
        ck_assert_msg(strcmp(s1, s2) == 0, "summary.json of the kept rows differs from -r %ld", k);
        free(s1);
        free(s2);
    }
    free(csv);
}

START_TEST(test_sigint_keeps_completed)
{
    interrupt_case(SIGINT, "1");
}
END_TEST

START_TEST(test_sigterm_keeps_completed_threads)
{
    interrupt_case(SIGTERM, "2");
}
END_TEST

/* ---- determinism: real vs ideal signatures ------------------------------------------ */

START_TEST(test_real_vs_ideal_identical)
{
    const char *tmp = por_test_tmpdir("rel-crypto");
    ck_assert_ptr_nonnull(tmp);
    char args[1400], log[600];
    snprintf(log, sizeof log, "%s/log", tmp);
    const char *modes[2] = {"ideal", "real"};
    for (int m = 0; m < 2; m++) {
        snprintf(args, sizeof args, "run -r 2 -q --crypto %s --set duration=12h -o '%s/%s'", modes[m],
                 tmp, modes[m]);
        ck_assert_int_eq(run_env("", args, log), 0);
    }
    const char *files[2] = {"runs.csv", "summary.json"};
    for (int i = 0; i < 2; i++) {
        char p1[700], p2[700];
        snprintf(p1, sizeof p1, "%s/ideal/%s", tmp, files[i]);
        snprintf(p2, sizeof p2, "%s/real/%s", tmp, files[i]);
        char *a = por_test_slurp(p1), *b = por_test_slurp(p2);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_int_ge(count_lines(a), i == 0 ? 3 : 2);
        if (i == 1) { /* the hash covers feed.crypto */
            blank_hash(a);
            blank_hash(b);
        }
        ck_assert_msg(strcmp(a, b) == 0, "%s differs between ideal and real crypto", files[i]);
        free(a);
        free(b);
    }
    char p[700];
    snprintf(p, sizeof p, "%s/real/meta.json", tmp);
    char *meta = por_test_slurp(p);
    ck_assert_ptr_nonnull(meta);
    ck_assert_msg(strstr(meta, "\"crypto\": \"real\"") != NULL, "%s", meta);
    free(meta);
}
END_TEST

/* ---- invariants on every replication of every library scenario ----------------------- */

static void invariants_in_dir(const char *dir, int *nfiles)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    long inv_col = -1;
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, "invariant_violations"))
            inv_col = (long)c;
    ck_assert_int_ge(inv_col, 0);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        por_scenario *sc = NULL;
        por_error err = {POR_OK, ""};
        ck_assert_msg(por_scenario_load_file(path, NULL, 0, &sc, &err) == POR_OK, "%s", err.msg);
        bool keys_granted = false;
        for (size_t i = 0; i < sc->nattackers; i++)
            keys_granted |= sc->attackers[i].kind == POR_ATTACK_KEY_COMPROMISE &&
                            sc->attackers[i].nnodes >= (size_t)sc->feed.ocr.f + 1;
        por_metric_cell *cells = calloc(ncols, sizeof *cells);
        char *strings = calloc(ncols, POR_WORLD_STRING_BYTES);
        ck_assert_ptr_nonnull(cells);
        ck_assert_ptr_nonnull(strings);
        por_run_options opt = {.crypto_override = POR_CRYPTO_MODE_IDEAL, .horizon_override = 0};
        for (uint64_t rep = 1; rep < 2; rep++) {
            por_status st = por_world_run_replication(sc, rep, &opt, cells, strings, &err);
            ck_assert_msg(st == POR_OK, "%s rep %llu: %s", path, (unsigned long long)rep, err.msg);
            ck_assert_msg(cells[inv_col].present, "%s: invariant_violations not reported", path);
            if (!keys_granted)
                ck_assert_msg(cells[inv_col].value == 0, "%s: %g violations", path, cells[inv_col].value);
        }
        free(cells);
        free(strings);
        por_scenario_free(sc);
        (*nfiles)++;
    }
    closedir(d);
}

START_TEST(test_invariants_every_library_scenario)
{
    int n = 0;
    invariants_in_dir(POR_SCENARIO_DIR, &n);
    invariants_in_dir(POR_SCENARIO_DIR "/attacks", &n);
    ck_assert_int_ge(n, 10);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("reliability");
    TCase *t = tcase_create("faults");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_out_of_memory_handler);
    tcase_add_test(t, test_oom_run_everywhere);
    tcase_add_test(t, test_oom_threads);
    tcase_add_test(t, test_oom_loader_counts_cjson);
    tcase_add_test(t, test_disk_full);
    tcase_add_test(t, test_output_mode);
    tcase_add_test(t, test_output_not_creatable);
    tcase_add_test(t, test_sigint_keeps_completed);
    tcase_add_test(t, test_sigterm_keeps_completed_threads);
    tcase_add_test(t, test_real_vs_ideal_identical);
    tcase_add_test(t, test_invariants_every_library_scenario);
    suite_add_tcase(s, t);
    return s;
}
