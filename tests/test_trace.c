/* Teaching mode: `porsim trace` on the scenarios/teaching lessons tells the expected
 * story (first answer, heartbeat, deviation report, leader change after a crash,
 * undercollateralization and Secure Mint refusals, a forged answer accepted), honours
 * --from/--to and --level message, prints no ANSI escapes when piped, never changes the
 * run's results, and writes a self-contained HTML page (screenshotted with headless
 * Chromium when /usr/bin/chromium exists). */
#include "por_test.h"

#include "por/scenario_load.h"
#include "por/trace.h"
#include "por/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LESSON(n) POR_SCENARIO_DIR "/teaching/" n ".json"

static char *g_out;

/* Runs porsim with ARGS; the combined output is left in g_out. Returns the exit code. */
static int trace(const char *args)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/out.txt", por_test_tmpdir("trace"));
    int rc = por_test_run_cli(args, path);
    free(g_out);
    g_out = por_test_slurp(path);
    ck_assert_ptr_nonnull(g_out);
    return rc;
}

/* The first line of g_out containing NEEDLE at or after FROM, or NULL. */
static const char *after(const char *from, const char *needle)
{
    return from ? strstr(from, needle) : NULL;
}

START_TEST(test_lesson1_first_answer_and_heartbeat)
{
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat")), 0);
    const char *p = after(g_out, "should-report e1/r1? YES: no answer on chain yet");
    ck_assert_ptr_nonnull(p);
    p = after(p, "ON-CHAIN ANSWER 1,000,000,000.00 USD (roundId 1");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "no: deviation 0.00% < alpha 1.00%"));
    p = after(p, "YES: heartbeat: the on-chain answer is 10m");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "ON-CHAIN ANSWER 1,000,000,000.00 USD (roundId 2"));
    ck_assert_ptr_nonnull(strstr(g_out, "landed after"));
    ck_assert_ptr_nonnull(strstr(g_out, "fully backed throughout"));
}
END_TEST

START_TEST(test_lesson2_deviation_then_answer)
{
    ck_assert_int_eq(trace("trace " LESSON("2-deviation-update")), 0);
    /* the +0.5% step is seen but not reported; the -3% step is */
    const char *p = after(g_out, "true reserve 1,000,000,000.00 USD -> 1,005,000,000.00 USD");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "no: deviation 0.50% < alpha 1.00%"));
    p = after(p, "YES: deviation 2.52% >= alpha 1.00%");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "ON-CHAIN ANSWER 974,850,000.00 USD"));
}
END_TEST

START_TEST(test_lesson3_leader_change_after_crash)
{
    ck_assert_int_eq(trace("trace " LESSON("3-leader-crash")), 0);
    const char *p = after(g_out, "oracle 3       CRASHES");
    ck_assert_ptr_nonnull(p);
    p = after(p, "no progress for DeltaProgress=45s under leader oracle 3");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "(LEADER CHANGE)"));
    ck_assert_ptr_nonnull(after(p, "leader got 3 signed observations"));
    ck_assert_ptr_nonnull(after(p, "RECOVERS"));
}
END_TEST

START_TEST(test_lesson4_shortfall_and_secure_mint)
{
    ck_assert_int_eq(trace("trace " LESSON("4-custodian-shortfall-secure-mint") " --level summary"), 0);
    const char *p = after(g_out, "UNDERCOLLATERALIZED since day 0 00:22:00.000");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "ON-CHAIN ANSWER 950,000,000.00 USD"));
    p = after(p, "REFUSED: supply + amount");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(strstr(p, "> mintable 950,000,000.00 tokens (exceeds_reserve)"));
    /* the summary level leaves the rounds out */
    ck_assert_ptr_null(strstr(g_out, "should-report"));
}
END_TEST

START_TEST(test_lesson5_and_6_attacks)
{
    ck_assert_int_eq(trace("trace " LESSON("5-byzantine-minority")), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "BEGINS: oracle(s) 1,2 turn byzantine: inflate"));
    ck_assert_ptr_nonnull(strstr(g_out, "BYZANTINE: reads 1,000,000,000.00 USD but signs 1,500,000,000.00 USD"));
    ck_assert_ptr_null(strstr(g_out, "ON-CHAIN ANSWER 1,5")); /* the median is not fooled */
    ck_assert_int_eq(trace("trace " LESSON("6-stolen-keys") " --level summary"), 0);
    const char *p = after(g_out, "FORGED report ACCEPTED by the aggregator");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "ATTACKER mint of 500,000,000.00 tokens ACCEPTED"));
}
END_TEST

/* The libocr decisions added for conformance are visible in the text trace: with 5 min
 * blocks the first report is pending for minutes and the next rounds' reports are held
 * back (transmission.go shouldTransmit); with message loss, messages arrive late after a
 * retransmission instead of vanishing (network.loss_model retransmit). */
START_TEST(test_hold_back_and_retransmission_lines)
{
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat")
                           " --set 'chains[0].block_time=5m' --to 6m --no-color"), 0);
    const char *p = after(g_out, "transmits report e1/r1");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(after(p, "holds back e1/r2 (median 1,000,000,000.00 USD): its own "
                                   "report of median 1,000,000,000.00 USD is still pending"));
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat")
                           " --set network.loss=0.3 --to 1m --level message --no-color"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "(lost, resent: 200.0ms of retransmission timeouts)"));
    ck_assert_ptr_null(strstr(g_out, "  lost\n"));
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat")
                           " --set network.loss=0.3 --set network.loss_model=drop --to 1m"
                           " --level message --no-color"), 0);
    ck_assert_ptr_null(strstr(g_out, "resent"));
    ck_assert_ptr_nonnull(strstr(g_out, "  lost\n"));
}
END_TEST

START_TEST(test_window_level_and_plain_output)
{
    ck_assert_int_eq(trace("trace " LESSON("3-leader-crash") " --from 2m --to 3m --level message"), 0);
    ck_assert_ptr_null(strchr(g_out, '\033')); /* piped: no colour */
    ck_assert_ptr_nonnull(strstr(g_out, "latency "));
    ck_assert_ptr_nonnull(strstr(g_out, "OBSERVE-REQ"));
    int lines = 0;
    for (const char *l = g_out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        unsigned d, hh, mm, ss;
        if (sscanf(l, "day %u %u:%u:%u", &d, &hh, &mm, &ss) != 4)
            continue;
        unsigned t = d * 86400 + hh * 3600 + mm * 60 + ss;
        ck_assert_msg(t >= 120 && t <= 180, "line outside --from/--to: %.80s", l);
        lines++;
    }
    ck_assert_int_gt(lines, 50);
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat") " --to 1m --color"), 0);
    ck_assert_ptr_nonnull(strchr(g_out, '\033'));
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat") " --level loud"), 2);
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat") " --run 5"), 2);
    ck_assert_int_eq(trace("trace " LESSON("1-honest-heartbeat") " --from 2m --to 1m"), 2);
    ck_assert_int_eq(trace("help trace"), 0);
    ck_assert_ptr_nonnull(strstr(g_out, "--level"));
}
END_TEST

typedef struct {
    uint64_t n[POR_TK_NKINDS];
} counter;

static void count_emit(void *ctx, const por_trace_record *r)
{
    counter *c = ctx;
    ck_assert_uint_lt(r->kind, POR_TK_NKINDS);
    c->n[r->kind]++;
}

START_TEST(test_tracing_changes_nothing)
{
    static const char *const files[] = {LESSON("4-custodian-shortfall-secure-mint"),
                                        LESSON("6-stolen-keys"), LESSON("3-leader-crash")};
    size_t ncols;
    por_world_metric_defs(&ncols);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        por_scenario *sc = NULL;
        por_error err = {POR_OK, ""};
        ck_assert_int_eq(por_scenario_load_file(files[k], NULL, 0, &sc, &err), POR_OK);
        por_metric_cell off[POR_WM_NCOLS], on[POR_WM_NCOLS];
        char s_off[POR_WM_NCOLS * POR_WORLD_STRING_BYTES], s_on[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
        counter c;
        memset(&c, 0, sizeof c);
        por_trace_sink sink = {count_emit, &c, NULL, NULL};
        por_run_options opt = {.crypto_override = -1, .trace = &sink};
        ck_assert_int_eq(por_world_run_replication(sc, 0, NULL, off, s_off, &err), POR_OK);
        ck_assert_int_eq(por_world_run_replication(sc, 0, &opt, on, s_on, &err), POR_OK);
        for (size_t i = 0; i < ncols; i++) {
            ck_assert_int_eq(off[i].present, on[i].present);
            ck_assert_int_eq(off[i].censored, on[i].censored);
            ck_assert_int_eq(off[i].ns, on[i].ns);
            ck_assert(off[i].value == on[i].value);
            ck_assert_str_eq(off[i].exact ? off[i].exact : "", on[i].exact ? on[i].exact : "");
        }
        /* and the trace saw the run: rounds, messages, answers, one record per round start */
        ck_assert_uint_gt(c.n[POR_TK_MESSAGE], 100);
        /* reports_accepted counts every accepted transmission, forged ones included */
        ck_assert_uint_eq(c.n[POR_TK_ANSWER], (uint64_t)on[POR_WM_REPORTS_ACCEPTED].value);
        ck_assert_uint_ge(c.n[POR_TK_ROUND], (uint64_t)on[POR_WM_ROUNDS].value);
        ck_assert_uint_eq(c.n[POR_TK_TX_SENT], (uint64_t)on[POR_WM_TRANSMISSIONS].value);
        por_scenario_free(sc);
    }
}
END_TEST

START_TEST(test_html_self_contained_and_rendered)
{
    char page[4096], png[4096], cmd[8192 + 2 * 4096];
    const char *dir = por_test_tmpdir("trace-html");
    snprintf(page, sizeof page, "%s/page.html", dir);
    snprintf(png, sizeof png, "%s/page.png", dir);
    snprintf(cmd, sizeof cmd, "trace " LESSON("4-custodian-shortfall-secure-mint") " --html '%s'", page);
    ck_assert_int_eq(trace(cmd), 0);
    ck_assert_ptr_null(strstr(g_out, "ON-CHAIN ANSWER")); /* --html alone prints no timeline */
    char *html = por_test_slurp(page);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(strstr(html, "<svg id=\"chart\""));
    ck_assert_ptr_nonnull(strstr(html, "onclick=\"show("));
    ck_assert_ptr_nonnull(strstr(html, "class=\"seq\" id=\"r0\""));
    ck_assert_ptr_nonnull(strstr(html, "REPORT-REQ"));
    /* the chart's last time label is anchored at its end, so it is not clipped (it was) */
    ck_assert_ptr_nonnull(strstr(html, "text-anchor=\"end\" class=\"ax\">day "));
    /* diagram times read as short durations ("+103.8ms"), not every nanosecond */
    int labels = 0;
    for (const char *p = html; (p = strstr(p, "class=\"ax\">+")) != NULL; labels++) {
        p += strlen("class=\"ax\">+");
        size_t digits = strspn(p, "0123456789.");
        ck_assert_msg(digits <= 5, "long diagram time label: %.20s", p);
    }
    ck_assert_int_gt(labels, 0);
    ck_assert_ptr_nonnull(strstr(html, "exceeds_reserve"));
    /* no resource from the network: the only URL is the SVG namespace */
    for (const char *p = html; (p = strstr(p, "http")) != NULL; p += 4) {
        if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8))
            continue;
        ck_assert_msg(!strncmp(p, "http://www.w3.org/2000/svg\"", 27), "external URL: %.60s", p);
    }
    ck_assert_ptr_null(strstr(html, "src="));
    free(html);
    if (access("/usr/bin/chromium", X_OK) != 0) {
        fprintf(stderr, "test_trace: /usr/bin/chromium absent: HTML screenshot skipped\n");
        return;
    }
    snprintf(cmd, sizeof cmd,
             "d=$(mktemp -d) && timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu "
             "--disable-quic --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync --user-data-dir=$d --screenshot='%s' "
             "--window-size=1200,1600 'file://%s' >/dev/null 2>&1; rm -rf \"$d\"",
             png, page);
    ck_assert_int_ne(system(cmd), -1);
    FILE *f = fopen(png, "rb");
    ck_assert_msg(f != NULL, "chromium wrote no screenshot");
    unsigned char sig[8];
    ck_assert_uint_eq(fread(sig, 1, 8, f), 8);
    ck_assert(!memcmp(sig, "\x89PNG\r\n\x1a\n", 8));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    /* a blank 1200x1600 page compresses to a few KB; the chart and diagram do not */
    ck_assert_int_gt(size, 40000);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *t = tcase_create("trace");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_lesson1_first_answer_and_heartbeat);
    tcase_add_test(t, test_lesson2_deviation_then_answer);
    tcase_add_test(t, test_lesson3_leader_change_after_crash);
    tcase_add_test(t, test_lesson4_shortfall_and_secure_mint);
    tcase_add_test(t, test_lesson5_and_6_attacks);
    tcase_add_test(t, test_hold_back_and_retransmission_lines);
    tcase_add_test(t, test_window_level_and_plain_output);
    tcase_add_test(t, test_tracing_changes_nothing);
    tcase_add_test(t, test_html_self_contained_and_rendered);
    suite_add_tcase(s, t);
    return s;
}
