/* analysis/porsim-analyze plot, report and the Mann-Whitney test of compare: a short real
 * run (-r 5, with its series.svg) and a 2x2 sweep are plotted and reported; the SVG and
 * HTML files must exist, be closed, name the metrics and reference nothing on the network;
 * the Mann-Whitney U and p of compare on the hand-computed sample pair in
 * tests/analysis/mw-{a,b} are pinned.
 * Tests that need gnuplot (or chromium, for the screenshot) print why and return when the
 * tool is absent. */
#include "por_test.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define ANALYZE POR_SOURCE_DIR "/analysis/porsim-analyze"
/* Default scenario, 2-hour horizon, reserves drop at 1 h: a few ms per replication. */
#define FAST "--set duration=2h --set 'custodians[0].reserve.steps[0].at=1h'"

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

/* porsim-analyze with PORSIM pointing at the built binary. */
#define analyze(fmt, ...) sh("PORSIM='%s' sh '%s' " fmt, POR_BINARY, ANALYZE, __VA_ARGS__)

static bool have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

static char *slurp2(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = por_test_slurp(path);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Every "http" in S is an XML namespace name (xmlns="http://www.w3.org/2000/svg" or
 * xmlns:xlink="http://www.w3.org/1999/xlink"), never a reference to fetch. */
static void assert_no_network_refs(const char *s, const char *what)
{
    for (const char *p = strstr(s, "http"); p; p = strstr(p + 1, "http")) {
        bool ns = (p - s >= 7 && strncmp(p - 7, "xmlns=\"", 7) == 0 &&
                   strncmp(p, "http://www.w3.org/2000/svg\"", 27) == 0) ||
                  (p - s >= 13 && strncmp(p - 13, "xmlns:xlink=\"", 13) == 0 &&
                   strncmp(p, "http://www.w3.org/1999/xlink\"", 29) == 0);
        ck_assert_msg(ns, "%s: network reference near \"%.60s\"", what, p);
    }
}

/* A standalone gnuplot SVG: opened, closed once, names each word of NEEDLES (space
 * separated), no network references. */
static void assert_svg(const char *dir, const char *name, const char *needles)
{
    char *s = slurp2(dir, name);
    ck_assert_msg(strstr(s, "<svg") != NULL, "%s: no <svg", name);
    ck_assert_int_eq(count(s, "<svg"), 1);
    ck_assert_int_eq(count(s, "</svg>"), 1);
    ck_assert_msg(strstr(s, "</svg>") > strstr(s, "<svg"), "%s: </svg> before <svg", name);
    char words[512];
    snprintf(words, sizeof words, "%s", needles);
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " "))
        ck_assert_msg(strstr(s, w) != NULL, "%s does not mention %s", name, w);
    assert_no_network_refs(s, name);
    free(s);
}

static bool skip_without(const char *tool, const char *test)
{
    if (have(tool))
        return false;
    printf("%s: SKIPPED: %s is not installed (Debian: apt-get install %s)\n", test, tool,
           strcmp(tool, "gnuplot") == 0 ? "gnuplot-nox" : tool);
    fflush(stdout);
    return true;
}

/* Parses the compare row of METRIC: nA nB meanA meanB diff [lo, hi] df U p. */
static void compare_row(const char *metric, double *na, double *nb, double *u, double *p)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s ", metric);
    const char *row = strstr(g_out, key);
    ck_assert_msg(row != NULL, "no %s row in:\n%s", metric, g_out);
    char fmt[128];
    snprintf(fmt, sizeof fmt, "%s %%lf %%lf %%*f %%*f %%*f [%%*f, %%*f] %%*s %%lf %%lf", metric);
    ck_assert_int_eq(sscanf(row + 1, fmt, na, nb, u, p), 4);
}

/* Hand computation (tests/analysis/mw-a, mw-b; one censored cell in A is left out):
 * feed_detect A = {1, 2, 2, 5, 7}, B = {2, 3, 5, 8, 9, 10}. Pooled mid-ranks: 1 -> 1,
 * the three 2s -> 3, 3 -> 5, the two 5s -> 6.5, 7 -> 8, 8, 9, 10 -> 9, 10, 11. R_A = 1 + 3
 * + 3 + 6.5 + 8 = 21.5, U_A = 21.5 - 5*6/2 = 6.5, mean 15. Ties: 3^3-3 + 2^3-2 = 30, so
 * var = 5*6/12 * (12 - 30/(11*10)) = 29.31818..., z = (|6.5 - 15| - 0.5)/sqrt(var) =
 * 1.477480, p = erfc(z/sqrt 2) = 0.139547. mint_block A = {10, 30, 40, 50, 60}, B = {15,
 * 25, ..., 65}: no ties, U_A = 14, var = 30, z = 0.5/sqrt(30), p = 0.927264.
 * unbacked_minted A = {0, 5, 0, 0, 7, 0}, B = six 0s: U_A = 2*6 wins + 4*6 ties / 2 = 24,
 * mean 18; ten tied zeros (t^3 - t = 990): var = 36/12 * (13 - 990/132) = 16.5,
 * z = 5.5/sqrt(16.5), p = 0.175734. */
START_TEST(test_mann_whitney_by_hand)
{
    dir_for("an-mw");
    ck_assert_int_eq(analyze("compare '%s/analysis/mw-a' '%s/analysis/mw-b'", POR_TEST_DIR,
                             POR_TEST_DIR),
                     0);
    double na, nb, u, p;
    compare_row("feed_detect", &na, &nb, &u, &p);
    ck_assert(na == 5 && nb == 6);
    ck_assert_double_eq(u, 6.5);
    ck_assert_double_eq_tol(p, 0.139547, 1e-4);
    ck_assert_ptr_nonnull(strstr(g_out, " 6.5    0.1395\n"));
    compare_row("mint_block", &na, &nb, &u, &p);
    ck_assert_double_eq(u, 14);
    ck_assert_double_eq_tol(p, 0.927264, 1e-4);
    compare_row("unbacked_minted", &na, &nb, &u, &p);
    ck_assert(na == 6 && nb == 6);
    ck_assert_double_eq(u, 24);
    ck_assert_double_eq_tol(p, 0.175734, 1e-4);
    ck_assert_ptr_nonnull(strstr(g_out, "not used: A 1, B 0"));
    /* Swapped: U(B) = nA*nB - U(A), same two-sided p. */
    ck_assert_int_eq(analyze("compare '%s/analysis/mw-b' '%s/analysis/mw-a' --metric feed_detect",
                             POR_TEST_DIR, POR_TEST_DIR),
                     0);
    compare_row("feed_detect", &na, &nb, &u, &p);
    ck_assert_double_eq(u, 23.5);
    ck_assert_double_eq_tol(p, 0.139547, 1e-4);
    /* A sample against itself: U at its mean, p = 1. */
    ck_assert_int_eq(analyze("compare '%s/analysis/mw-a' '%s/analysis/mw-a' --metric mint_block",
                             POR_TEST_DIR, POR_TEST_DIR),
                     0);
    compare_row("mint_block", &na, &nb, &u, &p);
    ck_assert_double_eq(u, 12.5);
    ck_assert_double_eq(p, 1);
}
END_TEST

START_TEST(test_plot_run)
{
    if (skip_without("gnuplot", "test_plot_run"))
        return;
    const char *d = dir_for("an-plot-run");
    ck_assert_int_eq(sh("'%s' run " FAST " -r 5 -q -o '%s/run'", POR_BINARY, d), 0);
    ck_assert_int_eq(analyze("plot '%s/run' -o '%s/fig'", d, d), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "wrote"));
    char fig[600];
    snprintf(fig, sizeof fig, "%s/fig", d);
    assert_svg(fig, "survival.svg", "feed_detect mint_block Kaplan-Meier n=5");
    assert_svg(fig, "hist_feed_detect.svg", "feed_detect Histogram n=5");
    /* The time series of replication 0, traced again from meta.json's scenario and sets
     * (FAST's --set overrides: the hash in the title is the run's). */
    char *meta = slurp2(d, "run/meta.json"), hash[64], want[128];
    const char *h = strstr(meta, "\"scenario_hash\": \"");
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(sscanf(h, "\"scenario_hash\": \"%63[0-9a-f]", hash), 1);
    ck_assert_ptr_nonnull(strstr(meta, "\"sets\": [\"duration=2h\", "
                                       "\"custodians[0].reserve.steps[0].at=1h\", \"replications=5\"]"));
    free(meta);
    snprintf(want, sizeof want, "onset reserve days %s", hash);
    assert_svg(fig, "series.svg", want);
    /* The scripts that drew them are kept, and rerunning one redraws the same figure. */
    char *before = slurp2(fig, "survival.svg");
    ck_assert_int_eq(sh("cd '%s' && rm survival.svg && gnuplot survival.gp", fig), 0);
    char *after = slurp2(fig, "survival.svg");
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* Default OUTDIR is DIR/plots; a directory that is neither run nor sweep exits 2. */
    ck_assert_int_eq(analyze("plot '%s/run'", d), 0);
    char plots[600];
    snprintf(plots, sizeof plots, "%s/run/plots", d);
    assert_svg(plots, "survival.svg", "feed_detect");
    ck_assert_int_eq(analyze("plot '%s/fig'", d), 2);
}
END_TEST

START_TEST(test_plot_sweep)
{
    if (skip_without("gnuplot", "test_plot_sweep"))
        return;
    const char *d = dir_for("an-plot-sweep");
    ck_assert_int_eq(sh("'%s' sweep " FAST " --param feed.ocr.delta_round=5s,20s "
                        "--param 'custodians[0].attestation.every=10m,1h' -r 5 -q -o '%s/sw'",
                        POR_BINARY, d),
                     0);
    ck_assert_int_eq(analyze("plot '%s/sw' -o '%s/fig'", d, d), 0);
    char fig[600];
    snprintf(fig, sizeof fig, "%s/fig", d);
    assert_svg(fig, "survival_feed_detect.svg", "feed_detect p0: p3: delta_round=20s");
    assert_svg(fig, "survival_mint_block.svg", "mint_block p0: p3:");
    assert_svg(fig, "hist_feed_detect.svg", "feed_detect p0: p3:");
    assert_svg(fig, "mean_feed_detect.svg", "feed_detect Kaplan-Meier p0: p3:");
    assert_svg(fig, "heatmap_feed_detect.svg",
               "feed_detect feed.ocr.delta_round custodians[0].attestation.every p0: p3: n=5");
    /* The heatmap's cell labels are summary.csv's means (%.4g, here in seconds). */
    char *sum = slurp2(d, "sw/summary.csv");
    char *hm = slurp2(fig, "heatmap_feed_detect.svg");
    for (int p = 0; p < 4; p++) {
        char key[64];
        snprintf(key, sizeof key, "\n%d,", p);
        const char *row = strstr(sum, key);
        ck_assert_ptr_nonnull(row);
        row = strstr(row, ",feed_detect,");
        ck_assert_ptr_nonnull(row);
        double n, c, miss, mean;
        ck_assert_int_eq(sscanf(row, ",feed_detect,%lf,%lf,%lf,%lf", &n, &c, &miss, &mean), 4);
        char label[64];
        snprintf(label, sizeof label, ">%.4g s<", mean);
        ck_assert_msg(strstr(hm, label) != NULL, "heatmap lacks %s", label);
    }
    free(sum);
    free(hm);
    /* One parameter: no heatmap, says why. */
    ck_assert_int_eq(sh("'%s' sweep " FAST " --param feed.ocr.delta_round=5s,20s -r 3 -q -o '%s/one'",
                        POR_BINARY, d),
                     0);
    ck_assert_int_eq(analyze("plot '%s/one' -o '%s/fig1'", d, d), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "a heatmap needs exactly 2"));
    char fig1[600];
    snprintf(fig1, sizeof fig1, "%s/fig1/heatmap_feed_detect.svg", d);
    struct stat st;
    ck_assert_int_ne(stat(fig1, &st), 0);
    snprintf(fig1, sizeof fig1, "%s/fig1", d);
    assert_svg(fig1, "mean_feed_detect.svg", "feed_detect p1:");
}
END_TEST

/* The meta.json string value of KEY (small parser: "KEY": "VALUE"). */
static void meta_value(const char *meta, const char *key, char *out, size_t cap)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(meta, k);
    ck_assert_msg(p != NULL, "meta.json has no %s", key);
    p += strlen(k);
    if (*p == '"')
        p++;
    size_t n = strcspn(p, "\",\n");
    ck_assert_uint_lt(n, cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

/* A report page: one document, title with name/hash/seed, no external anything. */
static void assert_report(const char *html, int svgs)
{
    ck_assert_msg(strncmp(html, "<!DOCTYPE html>", 15) == 0, "no doctype");
    ck_assert_int_eq(count(html, "</html>"), 1);
    ck_assert_int_eq(count(html, "<svg"), svgs);
    ck_assert_int_eq(count(html, "</svg>"), svgs);
    ck_assert_int_eq(count(html, "<table"), count(html, "</table>"));
    ck_assert_int_eq(count(html, "<figure>"), count(html, "</figure>"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<link"));
    ck_assert_ptr_null(strstr(html, "src="));
    ck_assert_ptr_null(strstr(html, "<?xml"));
    ck_assert_ptr_null(strstr(html, "@import"));
    assert_no_network_refs(html, "report");
    ck_assert_ptr_nonnull(strstr(html, "feed_detect"));
    ck_assert_ptr_nonnull(strstr(html, "mint_block"));
    ck_assert_ptr_nonnull(strstr(html, "unbacked_minted"));
}

START_TEST(test_report_run)
{
    const char *d = dir_for("an-report-run");
    ck_assert_int_eq(sh("'%s' run " FAST " -r 5 -q -o '%s/run'", POR_BINARY, d), 0);
    char *meta = slurp2(d, "run/meta.json");
    char name[128], hash[64], seed[64], title[512];
    meta_value(meta, "scenario_name", name, sizeof name);
    meta_value(meta, "scenario_hash", hash, sizeof hash);
    meta_value(meta, "seed", seed, sizeof seed);
    free(meta);
    snprintf(title, sizeof title, "<title>porsim report: %s (hash %s, seed %s)</title>", name,
             hash, seed);

    /* Without gnuplot (GNUPLOT names a missing program): the tables and a note. */
    char *html;
    ck_assert_int_eq(sh("GNUPLOT=/nonexistent/gnuplot PORSIM='%s' sh '%s' report '%s/run' -o "
                        "'%s/forced.html'",
                        POR_BINARY, ANALYZE, d, d),
                     0);
    html = slurp2(d, "forced.html");
    assert_report(html, 0);
    ck_assert_ptr_nonnull(strstr(html, "No figures: gnuplot is not installed"));
    /* Summary row of feed_detect: n = 5 uncensored of 5. */
    ck_assert_ptr_nonnull(strstr(html, "<code>feed_detect</code></td><td>5</td><td>0</td><td>0</td>"));
    free(html);

    if (skip_without("gnuplot", "test_report_run (figures)"))
        return;
    ck_assert_int_eq(analyze("report '%s/run'", d), 0);
    html = slurp2(d, "run/report.html");
    assert_report(html, 3);
    ck_assert_ptr_nonnull(strstr(html, "id='f3_gpPt0'"));
    ck_assert_ptr_nonnull(strstr(html, title));
    ck_assert_ptr_nonnull(strstr(html, "Kaplan-Meier survival"));
    /* Figure ids are prefixed so the two inlined SVGs do not share ids. */
    ck_assert_ptr_nonnull(strstr(html, "id='f1_gpPt0'"));
    ck_assert_ptr_nonnull(strstr(html, "id='f2_gpPt0'"));
    ck_assert_ptr_null(strstr(html, "id='gpPt0'"));
    free(html);
}
END_TEST

START_TEST(test_report_sweep)
{
    if (skip_without("gnuplot", "test_report_sweep"))
        return;
    const char *d = dir_for("an-report-sweep");
    ck_assert_int_eq(sh("'%s' sweep " FAST " --param feed.ocr.delta_round=5s,20s "
                        "--param 'custodians[0].attestation.every=10m,1h' -r 5 -q -o '%s/sw'",
                        POR_BINARY, d),
                     0);
    ck_assert_int_eq(analyze("report '%s/sw' -o '%s/sw.html'", d, d), 0);
    char *html = slurp2(d, "sw.html");
    assert_report(html, 5);
    ck_assert_ptr_nonnull(strstr(html, "<title>porsim report: default-fiat-stablecoin (sweep of 4 "
                                       "points, seed 42"));
    /* Each point's scenario hash from points.csv is in the page. */
    char *points = slurp2(d, "sw/points.csv");
    int hashes = 0;
    for (char *line = strtok(points, "\n"); line; line = strtok(NULL, "\n")) {
        char *h = strstr(line, ",");
        if (!h || strncmp(line, "point", 5) == 0)
            continue;
        /* point,delta_round,every,HASH,seed,reps */
        char f[6][64];
        if (sscanf(line, "%63[^,],%63[^,],%63[^,],%63[^,],%63[^,],%63s", f[0], f[1], f[2], f[3],
                   f[4], f[5]) == 6) {
            ck_assert_msg(strstr(html, f[3]) != NULL, "report lacks hash %s", f[3]);
            hashes++;
        }
    }
    ck_assert_int_eq(hashes, 4);
    free(points);
    free(html);
}
END_TEST

/* Opens the report in headless Chromium and checks the screenshot is a real page. */
START_TEST(test_report_screenshot)
{
    struct stat st;
    if (stat("/usr/bin/chromium", &st) != 0) {
        printf("test_report_screenshot: SKIPPED: /usr/bin/chromium is not installed\n");
        fflush(stdout);
        return;
    }
    if (skip_without("gnuplot", "test_report_screenshot"))
        return;
    const char *d = dir_for("an-shot");
    ck_assert_int_eq(sh("'%s' run " FAST " -r 5 -q -o '%s/run'", POR_BINARY, d), 0);
    ck_assert_int_eq(analyze("report '%s/run' -o '%s/report.html'", d, d), 0);
    int rc = sh("cd '%s' && timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu "
                "--disable-quic --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync --user-data-dir=\"$(mktemp -d)\" "
                "--screenshot='%s/shot.png' --window-size=1200,1600 'file://%s/report.html'",
                d, d, d);
    ck_assert_msg(rc == 0, "chromium exited %d:\n%s", rc, g_out);
    char png[600];
    snprintf(png, sizeof png, "%s/shot.png", d);
    ck_assert_int_eq(stat(png, &st), 0);
    /* A blank 1200x1600 page compresses to a few KB; tables and plots give far more. */
    ck_assert_msg(st.st_size > 40 * 1024, "screenshot only %ld bytes", (long)st.st_size);
    unsigned char sig[8];
    FILE *f = fopen(png, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(sig, 1, 8, f), 8);
    fclose(f);
    ck_assert(memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("analysis");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mann_whitney_by_hand);
    tcase_add_test(tc, test_plot_run);
    tcase_add_test(tc, test_plot_sweep);
    tcase_add_test(tc, test_report_run);
    tcase_add_test(tc, test_report_sweep);
    tcase_add_test(tc, test_report_screenshot);
    suite_add_tcase(s, tc);
    return s;
}
