/* porsim sweep, --shard K/N, porsim merge and run --until-ci: grid order and count, a
 * sweep point equals `porsim run` with the same --set, shards partition the cells and
 * merge to the unsharded bytes, -j1 == -j2, bad parameters refused before anything runs,
 * merge refusals, and --until-ci stopping, determinism and cap. Runs the built binary on
 * a 2-hour horizon (onset at 1 h) so each replication takes a few milliseconds. */
#include "por_test.h"

#include "por/sweep.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Short horizon, reserves drop at 1 h: every replication detects within the horizon. */
#define FAST "--set duration=2h --set 'custodians[0].reserve.steps[0].at=1h'"
/* Horizon 30 s after the drop: some detections and most mint blocks are censored. */
#define CENSORING "--set duration=3630s --set 'custodians[0].reserve.steps[0].at=1h'"

static char g_dir[512];
static char g_out[8192];

static const char *dir_for(const char *tag)
{
    const char *d = por_test_tmpdir(tag);
    ck_assert_ptr_nonnull(d);
    snprintf(g_dir, sizeof g_dir, "%s", d);
    return g_dir;
}

/* Runs porsim with a printf-formatted argument list; output kept in g_out. */
static int cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cli(const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char out[600];
    snprintf(out, sizeof out, "%s/cli-out.txt", g_dir);
    int rc = por_test_run_cli(args, out);
    char *txt = por_test_slurp(out);
    snprintf(g_out, sizeof g_out, "%s", txt ? txt : "");
    free(txt);
    return rc;
}

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Line K (0-based) of S into BUF, without the line end. */
static const char *line_at(const char *s, size_t k, char *buf, size_t n)
{
    for (size_t i = 0; i < k && s; i++) {
        s = strchr(s, '\n');
        if (s)
            s++;
    }
    ck_assert_ptr_nonnull(s);
    const char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    ck_assert_uint_lt(len, n);
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* The text after the K-th comma of LINE (fields here are unquoted up to that point). */
static const char *after_commas(const char *line, int k)
{
    for (int i = 0; i < k; i++) {
        line = strchr(line, ',');
        ck_assert_ptr_nonnull(line);
        line++;
    }
    return line;
}

/* The scenario_hash field of a points.csv line of a 2-parameter grid: fifth field from
 * the end (hash, seed, replications, then the two <param>_si cells, which hold no comma). */
static const char *hash_of_point_line(const char *line)
{
    const char *p = line + strlen(line);
    for (int commas = 0; p > line; p--)
        if (p[-1] == ',' && ++commas == 5)
            break;
    ck_assert_uint_eq(strlen(p) > 16 ? p[16] : 0, ',');
    return p;
}

static void assert_same_file(const char *a, const char *b, const char *name)
{
    char *x = por_test_slurp_in(a, name), *y = por_test_slurp_in(b, name);
    ck_assert_msg(strcmp(x, y) == 0, "%s differs between %s and %s", name, a, b);
    free(x);
    free(y);
}

START_TEST(test_split_values)
{
    char **v;
    size_t n;
    por_error err;
    ck_assert_int_eq(por_sweep_split_values("0.5%,1%,2%", &v, &n, &err), POR_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0], "0.5%");
    ck_assert_str_eq(v[2], "2%");
    por_sweep_free_values(v, n);

    ck_assert_int_eq(por_sweep_split_values("[1,1,2],[1,2],{\"a\":1,\"b\":2}", &v, &n, &err),
                     POR_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0], "[1,1,2]");
    ck_assert_str_eq(v[1], "[1,2]");
    ck_assert_str_eq(v[2], "{\"a\":1,\"b\":2}");
    por_sweep_free_values(v, n);

    ck_assert_int_eq(por_sweep_split_values("\"x,y\",z", &v, &n, &err), POR_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0], "\"x,y\"");
    ck_assert_str_eq(v[1], "z");
    por_sweep_free_values(v, n);

    ck_assert_int_eq(por_sweep_split_values("a\\,b,c", &v, &n, &err), POR_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0], "a,b");
    por_sweep_free_values(v, n);

    ck_assert_int_eq(por_sweep_split_values("a,,b", &v, &n, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty value"));
    ck_assert_int_eq(por_sweep_split_values("[1,2", &v, &n, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "unbalanced"));
    ck_assert_int_eq(por_sweep_split_values("\"abc", &v, &n, &err), POR_EINPUT);
    ck_assert_int_eq(por_sweep_split_values("", &v, &n, &err), POR_EINPUT);
}
END_TEST

START_TEST(test_grid_order_and_count)
{
    const char *d = dir_for("sweep-grid");
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.deviation=1%%,2%% "
                         "--param token.secure_mint.max_staleness=26h,2h,90m -r 2 -q -o %s/out",
                         d),
                     0);
    char out[600], buf[4096];
    snprintf(out, sizeof out, "%s/out", d);
    char *pts = por_test_slurp_in(out, "points.csv");
    ck_assert_uint_eq(count_lines(pts), 1 + 6);
    ck_assert_str_eq(line_at(pts, 0, buf, sizeof buf),
                     "point,feed.ocr.deviation,token.secure_mint.max_staleness,scenario_hash,"
                     "scenario_seed,scenario_replications,feed.ocr.deviation_si,"
                     "token.secure_mint.max_staleness_si");
    /* The SI columns (format 2, appended): 1% is the ratio 0.01, 26h is 26*3600 s. */
    ck_assert_ptr_nonnull(strstr(line_at(pts, 1, buf, sizeof buf), ",42,2,0.01,93600.000000000"));
    ck_assert_ptr_nonnull(strstr(line_at(pts, 6, buf, sizeof buf), ",42,2,0.02,5400.000000000"));
    /* Last parameter fastest. */
    const char *want[6] = {"0,1%,26h,", "1,1%,2h,", "2,1%,90m,",
                           "3,2%,26h,", "4,2%,2h,", "5,2%,90m,"};
    for (size_t k = 0; k < 6; k++) {
        line_at(pts, k + 1, buf, sizeof buf);
        ck_assert_msg(strncmp(buf, want[k], strlen(want[k])) == 0, "point line %zu: %s", k, buf);
        ck_assert_msg(strstr(buf, ",42,2") != NULL, "seed and replications: %s", buf);
    }
    /* Distinct points have distinct scenario hashes. */
    char h0[64], h1[64];
    snprintf(h0, sizeof h0, "%.16s", after_commas(line_at(pts, 1, buf, sizeof buf), 3));
    snprintf(h1, sizeof h1, "%.16s", after_commas(line_at(pts, 2, buf, sizeof buf), 3));
    ck_assert_str_ne(h0, h1);
    free(pts);

    char *runs = por_test_slurp_in(out, "runs.csv");
    ck_assert_uint_eq(count_lines(runs), 1 + 12);
    ck_assert_ptr_nonnull(strstr(line_at(runs, 0, buf, sizeof buf),
                                 "point,feed.ocr.deviation,token.secure_mint.max_staleness,"
                                 "replication,onset,feed_detect,"));
    ck_assert(strncmp(line_at(runs, 1, buf, sizeof buf), "0,1%,26h,0,", 11) == 0);
    ck_assert(strncmp(line_at(runs, 2, buf, sizeof buf), "0,1%,26h,1,", 11) == 0);
    ck_assert(strncmp(line_at(runs, 12, buf, sizeof buf), "5,2%,90m,1,", 11) == 0);
    free(runs);

    char *sum = por_test_slurp_in(out, "summary.csv");
    size_t ncols;
    por_world_metric_defs(&ncols);
    ck_assert_uint_eq(count_lines(sum), 1 + 6 * ncols);
    ck_assert_ptr_nonnull(strstr(sum, "\n3,2%,26h,feed_detect,2,0,0,"));
    free(sum);
    char *meta = por_test_slurp_in(out, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"points\": 6"));
    ck_assert_ptr_nonnull(strstr(meta, "\"cells\": 12"));
    free(meta);
}
END_TEST

START_TEST(test_point_equals_run)
{
    const char *d = dir_for("sweep-eq");
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.deviation=0.5%%,2%% "
                         "--param 'feed.ocr.schedule=[1,1,2],[1,1,1]' -r 3 --seed 7 -q -o %s/sw",
                         d),
                     0);
    ck_assert_int_eq(cli("run " FAST " --set feed.ocr.deviation=2%% "
                         "--set 'feed.ocr.schedule=[1,1,1]' -r 3 --seed 7 -q -o %s/run",
                         d),
                     0);
    char sw[600], rn[600], a[1024], b[1024];
    snprintf(sw, sizeof sw, "%s/sw", d);
    snprintf(rn, sizeof rn, "%s/run", d);
    char *sruns = por_test_slurp_in(sw, "runs.csv"), *rruns = por_test_slurp_in(rn, "runs.csv");
    /* Point 3 = (2%, [1,1,1]) is rows 10..12 of the sweep (1-based after the header). */
    for (size_t r = 0; r < 3; r++) {
        line_at(sruns, 10 + r, a, sizeof a);
        line_at(rruns, 1 + r, b, sizeof b);
        ck_assert(strncmp(a, "3,2%,\"[1,1,1]\",", 15) == 0);
        /* After "point,dev,schedule," comes "rep,cells..." exactly as porsim run writes. */
        ck_assert_str_eq(a + 15, b);
    }
    /* Point 0 differs from point 3 somewhere (the sweep really changed the scenario). */
    char *pts = por_test_slurp_in(sw, "points.csv"), *meta = por_test_slurp_in(rn, "meta.json");
    char hash[32];
    snprintf(hash, sizeof hash, "%.16s", hash_of_point_line(line_at(pts, 4, a, sizeof a)));
    ck_assert_msg(strstr(meta, hash) != NULL, "run hash != point 3 hash %s", hash);
    snprintf(hash, sizeof hash, "%.16s", hash_of_point_line(line_at(pts, 1, a, sizeof a)));
    ck_assert(strstr(meta, hash) == NULL);
    free(pts);
    free(meta);
    free(sruns);
    free(rruns);
}
END_TEST

/* Every data line of S (after the header) appended to ACC. */
static void append_rows(char **acc, size_t *len, const char *s)
{
    const char *p = strchr(s, '\n');
    ck_assert_ptr_nonnull(p);
    p++;
    size_t add = strlen(p);
    *acc = realloc(*acc, *len + add + 1);
    ck_assert_ptr_nonnull(*acc);
    memcpy(*acc + *len, p, add + 1);
    *len += add;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted lines of S (modified in place). */
static size_t sorted_lines(char *s, char **lines, size_t cap)
{
    size_t n = 0;
    for (char *tok = strtok(s, "\n"); tok; tok = strtok(NULL, "\n")) {
        ck_assert_uint_lt(n, cap);
        lines[n++] = tok;
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    return n;
}

#define GRID "--param feed.ocr.deviation=0.5%%,2%% --param feed.ocr.n=4,7 -r 5"

START_TEST(test_shards_cover_and_merge)
{
    const char *d = dir_for("sweep-shard");
    char dd[512];
    snprintf(dd, sizeof dd, "%s", d);
    ck_assert_int_eq(cli("sweep " CENSORING " " GRID " -q -o %s/full", dd), 0);
    for (int k = 1; k <= 3; k++)
        ck_assert_int_eq(cli("sweep " CENSORING " " GRID " --shard %d/3 -j %d -q -o %s/s%d", k,
                             k == 2 ? 2 : 1, dd, k),
                         0);
    char full[600], sk[3][600], merged[600];
    snprintf(full, sizeof full, "%s/full", dd);
    snprintf(merged, sizeof merged, "%s/merged", dd);
    for (int k = 0; k < 3; k++)
        snprintf(sk[k], sizeof sk[k], "%s/s%d", dd, k + 1);

    /* The scenario produces censoring, so censored.csv matters. */
    char *cens = por_test_slurp_in(full, "censored.csv");
    ck_assert_uint_gt(count_lines(cens), 1);
    free(cens);

    /* Shards partition the cells: 20 cells, 7 + 7 + 6, union = the full rows. */
    char *fr = por_test_slurp_in(full, "runs.csv");
    ck_assert_uint_eq(count_lines(fr), 21);
    char *acc = NULL;
    size_t len = 0;
    size_t want_rows[3] = {7, 7, 6};
    for (int k = 0; k < 3; k++) {
        char *r = por_test_slurp_in(sk[k], "runs.csv");
        ck_assert_uint_eq(count_lines(r), 1 + want_rows[k]);
        append_rows(&acc, &len, r);
        free(r);
        char *meta = por_test_slurp_in(sk[k], "meta.json");
        char want[64];
        snprintf(want, sizeof want, "\"shard\": {\"k\": %d, \"n\": 3", k + 1);
        ck_assert_ptr_nonnull(strstr(meta, want));
        free(meta);
    }
    char *fr_rows = strchr(fr, '\n') + 1;
    char *l1[64], *l2[64];
    size_t n1 = sorted_lines(fr_rows, l1, 64), n2 = sorted_lines(acc, l2, 64);
    ck_assert_uint_eq(n1, 20);
    ck_assert_uint_eq(n2, 20);
    for (size_t i = 0; i < n1; i++)
        ck_assert_str_eq(l1[i], l2[i]);
    free(acc);
    free(fr);

    /* Merge (in any order) gives the unsharded bytes. */
    ck_assert_int_eq(cli("merge -q %s %s %s %s", merged, sk[2], sk[0], sk[1]), 0);
    assert_same_file(full, merged, "points.csv");
    assert_same_file(full, merged, "runs.csv");
    assert_same_file(full, merged, "censored.csv");
    assert_same_file(full, merged, "summary.csv");
    assert_same_file(full, merged, "columns.csv");
    assert_same_file(full, merged, "scenarios.jsonl");

    /* Refusals: a missing shard, an overlap, a different grid; no output either time. */
    ck_assert_int_eq(cli("merge %s/bad1 %s %s", dd, sk[0], sk[1]), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "in none of the shards"));
    ck_assert(!exists(dd, "bad1"));
    ck_assert_int_eq(cli("merge %s/bad2 %s %s %s %s", dd, sk[0], sk[1], sk[1], sk[2]), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "overlapping"));
    ck_assert(!exists(dd, "bad2"));
    ck_assert_int_eq(cli("sweep " CENSORING " --param feed.ocr.deviation=0.5%%,3%% "
                         "--param feed.ocr.n=4,7 -r 5 --shard 3/3 -q -o %s/other3",
                         dd),
                     0);
    ck_assert_int_eq(cli("merge %s/bad3 %s %s %s/other3", dd, sk[0], sk[1], dd), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "grids differ at point 2"));
    ck_assert(!exists(dd, "bad3"));
    ck_assert_int_eq(cli("sweep " CENSORING " " GRID " --seed 43 --shard 3/3 -q -o %s/seed3",
                         dd),
                     0);
    ck_assert_int_eq(cli("merge %s/bad4 %s %s %s/seed3", dd, sk[0], sk[1], dd), 2);
    ck_assert(!exists(dd, "bad4"));
    /* An existing output directory is not clobbered without --force. */
    ck_assert_int_eq(cli("merge %s %s %s %s", merged, sk[0], sk[1], sk[2]), 2);
    ck_assert_int_eq(cli("merge --force -q %s %s %s %s", merged, sk[0], sk[1], sk[2]), 0);
}
END_TEST

START_TEST(test_threads_identical)
{
    const char *d = dir_for("sweep-j");
    ck_assert_int_eq(cli("sweep " CENSORING " " GRID " -j 1 -q -o %s/j1", d), 0);
    ck_assert_int_eq(cli("sweep " CENSORING " " GRID " -j 2 -q -o %s/j2", d), 0);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/j1", d);
    snprintf(b, sizeof b, "%s/j2", d);
    assert_same_file(a, b, "points.csv");
    assert_same_file(a, b, "runs.csv");
    assert_same_file(a, b, "censored.csv");
    assert_same_file(a, b, "summary.csv");
}
END_TEST

START_TEST(test_bad_params_exit_2_no_output)
{
    const char *d = dir_for("sweep-bad");
    /* Unknown path: point 0 fails, named with the path. */
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.bogus=1,2 -r 1 -o %s/o1", d), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "point 0"));
    ck_assert_ptr_nonnull(strstr(g_out, "bogus"));
    ck_assert(!exists(d, "o1"));
    /* Bad value at point 1 only: f=2 breaks 3f < n with n=4. Nothing runs. */
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1,2 -r 1 -o %s/o2", d), 2);
    ck_assert_ptr_nonnull(strstr(g_out, "point 1 (feed.ocr.f=2)"));
    ck_assert_ptr_nonnull(strstr(g_out, "$.feed.ocr.f"));
    ck_assert(!exists(d, "o2"));
    /* Usage errors. */
    ck_assert_int_eq(cli("sweep " FAST " -r 1 -o %s/o3", d), 2);              /* no --param */
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f -o %s/o3", d), 2); /* no = */
    ck_assert_int_eq(cli("sweep " FAST " --param 'feed.ocr.f=1,,2' -o %s/o3", d), 2);
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1 --param feed.ocr.f=1 -o %s/o3",
                         d),
                     2);
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1 --shard 4/3 -o %s/o3", d), 2);
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1 --shard 0/3 -o %s/o3", d), 2);
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1 --shard 1 -o %s/o3", d), 2);
    ck_assert_int_eq(cli("sweep " FAST " --param feed.ocr.f=1 --metric nope -o %s/o3", d), 2);
    ck_assert(!exists(d, "o3"));
    ck_assert_int_eq(cli("help sweep"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "--shard K/N"));
    ck_assert_int_eq(cli("help merge"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "SHARD_DIR"));
    ck_assert_int_eq(cli("merge"), 2);
}
END_TEST

START_TEST(test_until_ci)
{
    const char *d = dir_for("sweep-ci");
    char a[600], b[600], c[600];
    snprintf(a, sizeof a, "%s/j1", d);
    snprintf(b, sizeof b, "%s/j2", d);
    snprintf(c, sizeof c, "%s/cap", d);
    /* A reachable target: stops at a multiple of the batch, below the cap. */
    ck_assert_int_eq(cli("run " FAST " --until-ci 15 --max-reps 400 -j 1 -o %s", a), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "until-ci feed_detect: reached after"));
    ck_assert_int_eq(cli("run " FAST " --until-ci 15 --max-reps 400 -j 2 -q -o %s", b), 0);
    assert_same_file(a, b, "runs.csv");
    assert_same_file(a, b, "summary.json");
    char *runs = por_test_slurp_in(a, "runs.csv");
    size_t reps = count_lines(runs) - 1;
    free(runs);
    ck_assert_uint_ge(reps, POR_UNTIL_CI_BATCH);
    ck_assert_uint_lt(reps, 400);
    ck_assert_uint_eq(reps % POR_UNTIL_CI_BATCH, 0);
    char *meta = por_test_slurp_in(a, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"reached\": true"));
    char want[64];
    snprintf(want, sizeof want, "\"replications_completed\": %zu", reps);
    ck_assert_ptr_nonnull(strstr(meta, want));
    free(meta);
    /* The result is that of a plain run with as many replications. */
    char plain[600];
    snprintf(plain, sizeof plain, "%s/plain", d);
    ck_assert_int_eq(cli("run " FAST " -r %zu -q -o %s", reps, plain), 0);
    assert_same_file(a, plain, "runs.csv");

    /* An unreachable target stops at --max-reps (not a multiple of the batch). The metric
     * is the event count, which differs between replications (feed_detect can be the
     * same 12 s in every replication of this short run, a zero-width CI that reaches
     * any target). */
    ck_assert_int_eq(cli("run " FAST " --until-ci 0.001%% --metric events --max-reps 27 -j 2 -o %s", c), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "NOT reached after 27 replications"));
    runs = por_test_slurp_in(c, "runs.csv");
    ck_assert_uint_eq(count_lines(runs), 1 + 27);
    free(runs);
    meta = por_test_slurp_in(c, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"reached\": false"));
    free(meta);

    /* Option errors. */
    ck_assert_int_eq(cli("run " FAST " --until-ci 0"), 2);
    ck_assert_int_eq(cli("run " FAST " --until-ci x"), 2);
    ck_assert_int_eq(cli("run " FAST " --until-ci 5 --metric nope"), 2);
    ck_assert_int_eq(cli("run " FAST " --until-ci 5 -r 10"), 2);
    ck_assert_int_eq(cli("run " FAST " --max-reps 10"), 2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_split_values);
    tcase_add_test(tc, test_grid_order_and_count);
    tcase_add_test(tc, test_point_equals_run);
    tcase_add_test(tc, test_shards_cover_and_merge);
    tcase_add_test(tc, test_threads_identical);
    tcase_add_test(tc, test_bad_params_exit_2_no_output);
    tcase_add_test(tc, test_until_ci);
    suite_add_tcase(s, tc);
    return s;
}
