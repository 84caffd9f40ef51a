/* porsim merge refuses edited shards instead of copying them (issue 20.6): merge copies
 * each runs.csv cell verbatim, so a cell porsim never writes ("inf", "0x1p4", " 7", a
 * negative duration, in runs.csv or censored.csv) must stop the merge, exit 2, naming the
 * file, cell and column; and a malformed points.csv line is named by its own point index
 * (it was always "point 0": the grid was freed before the message read its count). */
#include "por_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_dir[600];

static int cli(const char *fmt, const char *a, const char *b)
{
    char args[4000], log[700];
    snprintf(args, sizeof args, fmt, a, b);
    snprintf(log, sizeof log, "%s/log", g_dir);
    return por_test_run_cli(args, log);
}

static char *log_text(void)
{
    char log[700];
    snprintf(log, sizeof log, "%s/log", g_dir);
    return por_test_slurp(log);
}

/* Copies shard 1 to DIR/edited with line LINE (1-based) of FILE replaced by TEXT. */
static void edited_copy(const char *file, int line, const char *text)
{
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/edited' && cp -r '%s/s1' '%s/edited'", g_dir, g_dir,
             g_dir);
    ck_assert_int_eq(system(cmd), 0);
    char path[800];
    snprintf(path, sizeof path, "%s/edited/%s", g_dir, file);
    char *old = por_test_slurp(path);
    ck_assert_ptr_nonnull(old);
    FILE *f = fopen(path, "w");
    int n = 1;
    for (char *p = old; *p; n++) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n == line)
            fprintf(f, "%s\n", text);
        else
            fprintf(f, "%.*s\n", (int)len, p);
        p += len + (e != NULL);
    }
    fclose(f);
    free(old);
}

START_TEST(test_edited_cells_refused)
{
    snprintf(g_dir, sizeof g_dir, "%s", por_test_tmpdir("merge-cells"));
    char s1[700], s2[700];
    snprintf(s1, sizeof s1, "%s/s1", g_dir);
    snprintf(s2, sizeof s2, "%s/s2", g_dir);
    ck_assert_int_eq(cli("sweep -q --param seed=1,2 -r 2 --set duration=2h --shard 1/2 -o '%s'%s",
                         s1, ""), 0);
    ck_assert_int_eq(cli("sweep -q --param seed=1,2 -r 2 --set duration=2h --shard 2/2 -o '%s'%s",
                         s2, ""), 0);
    char m[700];
    snprintf(m, sizeof m, "%s/m", g_dir);
    char path[800];
    snprintf(path, sizeof path, "%s/s1/runs.csv", g_dir);
    char *runs = por_test_slurp(path);
    ck_assert_ptr_nonnull(runs);
    /* Row 1 of shard 1 (line 2) and its columns, to edit one cell at a time. */
    char *row = strchr(runs, '\n') + 1;
    *strchr(row, '\n') = '\0';
    char *header = runs;
    *strchr(header, '\n') = '\0';
    struct {
        const char *column, *value, *file;
    } cases[] = {
        {"rounds", "inf", "runs.csv"},       {"gas", "0x1p4", "runs.csv"},
        {"rounds", " 7", "runs.csv"},        {"max_feed_staleness", "-7188.000000000", "runs.csv"},
        {"min_true_ratio", "1e0", "runs.csv"}, {"censored_at", "nan", "censored.csv"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char line[4000] = "";
        if (!strcmp(cases[k].file, "runs.csv")) {
            /* find the column index in the header, replace that field of ROW */
            int col = 0, want = -1;
            for (char *h = header, *e; h; h = e ? e + 1 : NULL, col++) {
                e = strchr(h, ',');
                size_t len = e ? (size_t)(e - h) : strlen(h);
                if (strlen(cases[k].column) == len && !strncmp(h, cases[k].column, len))
                    want = col;
            }
            ck_assert_int_ge(want, 0);
            col = 0;
            size_t o = 0;
            for (char *r = row, *e; r; r = e ? e + 1 : NULL, col++) {
                e = strchr(r, ',');
                size_t len = e ? (size_t)(e - r) : strlen(r);
                o += (size_t)snprintf(line + o, sizeof line - o, "%s%.*s", col ? "," : "",
                                      col == want ? (int)strlen(cases[k].value) : (int)len,
                                      col == want ? cases[k].value : r);
            }
            edited_copy("runs.csv", 2, line);
        } else {
            snprintf(line, sizeof line, "0,0,onset,%s", cases[k].value);
            edited_copy("censored.csv", 2, line);
        }
        char ed[700];
        snprintf(ed, sizeof ed, "%s/edited", g_dir);
        snprintf(m, sizeof m, "%s/m%zu", g_dir, k);
        char args[2000];
        snprintf(args, sizeof args, "merge -q '%s' '%s' '%%s'%%s", m, ed);
        ck_assert_int_eq(cli(args, s2, ""), 2);
        char *text = log_text();
        ck_assert_msg(strstr(text, "is not a value porsim writes") && strstr(text, cases[k].file),
                      "%s=%s: %s", cases[k].column, cases[k].value, text);
        free(text);
    }
    free(runs);
    /* The unedited shards merge. */
    snprintf(m, sizeof m, "%s/ok", g_dir);
    char args[2000];
    snprintf(args, sizeof args, "merge -q '%s' '%s' '%%s'%%s", m, s1);
    ck_assert_int_eq(cli(args, s2, ""), 0);
    /* points.csv: a malformed second line is point 1. */
    edited_copy("points.csv", 3, "1,2,not-a-hash,2,2");
    char ed[700];
    snprintf(ed, sizeof ed, "%s/edited", g_dir);
    snprintf(m, sizeof m, "%s/mp", g_dir);
    snprintf(args, sizeof args, "merge -q '%s' '%s' '%%s'%%s", m, ed);
    ck_assert_int_eq(cli(args, s2, ""), 2);
    char *text = log_text();
    ck_assert_msg(strstr(text, "points.csv: malformed line for point 1"), "%s", text);
    free(text);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("merge_cells");
    TCase *tc = tcase_create("merge_cells");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_edited_cells_refused);
    suite_add_tcase(s, tc);
    return s;
}
