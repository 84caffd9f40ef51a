/* Teaching mode: `porsim trace` on the scenarios/teaching lessons tells the expected
 * story (first answer, heartbeat, deviation report, leader change after a crash,
 * undercollateralization and Secure Mint refusals, a forged answer accepted), honours
 * --from/--to and --level message, prints no ANSI escapes when piped, never changes the
 * run's results, and writes a self-contained HTML page (screenshotted with headless
 * Chromium when /usr/bin/chromium exists). */
#include "por_test.h"

#include "por/custodian.h"
#include "por/scenario_load.h"
#include "por/token.h"
#include "por/trace_render.h"
#include "por/world.h"

#include <inttypes.h>
#include <math.h>
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

/* ---- the lessons as scenarios/teaching/README.md writes them ---------------------- */

/* What each lesson promises the reader will see, quoted from its text in the README (the
 * test also checks each quote is still there, so text and test move together). Lesson N's
 * commands are the indented `./build/sim/porsim trace` lines of its section, run as
 * written (without `| less -R`); every promise must appear in the output of one of them. */
static const char *const lesson_promises[][8] = {
    {"should-report e1/r1? YES: no answer on chain yet", "ON-CHAIN ANSWER 1,000,000,000.00 USD",
     "YES: heartbeat: the on-chain answer is 10m", NULL},
    {"no: deviation 0.50% < alpha 1.00%", "YES: deviation 2.52% >= alpha 1.00%",
     "ON-CHAIN ANSWER 974,850,000.00 USD", NULL},
    {"leader starts round e1/r4", "should-report e1/r4? no", "BEGINS: oracle(s) 3 crash",
     "no progress for DeltaProgress=45s under leader oracle 3: asks for epoch 2",
     "epoch 2 begins: leader is oracle 2 (LEADER CHANGE)",
     "leader got 3 signed observations (oracles 0,1,2)", "00:01:31.425", "00:02:16.425"},
    {"UNDERCOLLATERALIZED since day 0 00:22:00.000", "custodian bank attestation now says",
     "950,000,000.00 USD (was 1,000,000,000.00 USD;", "ON-CHAIN ANSWER 950,000,000.00 USD",
     "mintable 950,000,000.00 tokens (exceeds_reserve)",
     "mint of 500,000.00 tokens ACCEPTED while undercollateralized", NULL},
    {"BYZANTINE: reads 1,000,000,000.00 USD but signs 1,500,000,000.00 USD", NULL},
    {"FORGED report ACCEPTED by the aggregator", "ATTACKER mint of 500,000,000.00 tokens ACCEPTED",
     NULL},
};

/* Replaces every FROM in S (malloc'd) by TO; returns the new malloc'd string. */
static char *replace_all(char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    for (const char *p = s; (p = strstr(p, from)); p += nf)
        n++;
    char *out = malloc(strlen(s) + n * (nt > nf ? nt - nf : 0) + 1), *o = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, nt);
        o += nt;
        p = q + nf;
    }
    free(s);
    return out;
}

START_TEST(test_lessons_as_written)
{
    char *readme = por_test_slurp(POR_SCENARIO_DIR "/teaching/README.md");
    ck_assert_ptr_nonnull(readme);
    for (int lesson = 1; lesson <= 6; lesson++) {
        char head[16], next[16];
        snprintf(head, sizeof head, "\n## %d. ", lesson);
        snprintf(next, sizeof next, "\n## %d. ", lesson + 1);
        const char *sec = strstr(readme, head);
        ck_assert_msg(sec != NULL, "README has no lesson %d", lesson);
        const char *end = strstr(sec, next);
        size_t len = end ? (size_t)(end - sec) : strlen(sec);
        char *text = strndup(sec, len);
        /* every command of the section, concatenated output */
        char *all = strdup("");
        int ncmds = 0;
        for (char *l = strstr(text, "\n    ./build/sim/porsim trace "); l;
             l = strstr(l + 1, "\n    ./build/sim/porsim trace ")) {
            char *eol = strchr(l + 1, '\n');
            char *cmd = strndup(l + strlen("\n    ./build/sim/porsim "),
                                (size_t)((eol ? eol : l + strlen(l)) - l) - strlen("\n    ./build/sim/porsim "));
            char *pipe = strstr(cmd, " | less -R");
            if (pipe)
                *pipe = '\0';
            cmd = replace_all(cmd, "scenarios/", POR_SCENARIO_DIR "/");
            /* an --html page goes to a temporary folder */
            char html[600];
            snprintf(html, sizeof html, "--html %s/lesson.html", por_test_tmpdir("lesson-page"));
            cmd = replace_all(cmd, "--html lesson4.html", html);
            ck_assert_msg(trace(cmd) == 0, "lesson %d: `%s` failed:\n%s", lesson, cmd, g_out);
            if (strstr(cmd, "--html ")) { /* the page's key events count as output */
                char *pg = por_test_slurp(strstr(cmd, "--html ") + 7);
                ck_assert_ptr_nonnull(pg);
                size_t a = strlen(all);
                all = realloc(all, a + strlen(pg) + 1);
                strcpy(all + a, pg);
                free(pg);
            }
            size_t a = strlen(all);
            all = realloc(all, a + strlen(g_out) + 1);
            strcpy(all + a, g_out);
            ncmds++;
            free(cmd);
        }
        ck_assert_msg(ncmds > 0, "lesson %d has no command", lesson);
        for (int k = 0; k < 8 && lesson_promises[lesson - 1][k]; k++) {
            const char *want = lesson_promises[lesson - 1][k];
            /* the quote may wrap across README lines: compare with whitespace folded */
            char *folded = replace_all(strdup(text), "\n", " ");
            ck_assert_msg(strstr(folded, want) || strstr(text, want),
                          "lesson %d no longer promises \"%s\"", lesson, want);
            free(folded);
            ck_assert_msg(strstr(all, want) != NULL, "lesson %d promises \"%s\"; its commands do not print it", lesson, want);
        }
        free(all);
        free(text);
    }
    free(readme);
}
END_TEST

/* Lesson 3's second command shows the rule: the follower asks for a new epoch exactly
 * ΔProgress (the scenario's delta_progress) after its last progress (pacemaker.c:
 * T_progress restarts on progress; libocr offchainreporting pacemaker.go). */
START_TEST(test_lesson3_progress_counted_from_last_progress)
{
    ck_assert_int_eq(trace("trace " LESSON("3-leader-crash") " --from 1m31s --to 2m17s --level message"), 0);
    const char *progress = strstr(g_out, "oracle 0       should-report e1/r4? no");
    const char *gives_up = strstr(g_out, "oracle 0       no progress for DeltaProgress=45s");
    ck_assert_ptr_nonnull(progress);
    ck_assert_ptr_nonnull(gives_up);
    while (progress > g_out && progress[-1] != '\n')
        progress--;
    while (gives_up > g_out && gives_up[-1] != '\n')
        gives_up--;
    unsigned d1, h1, m1, s1, ms1, d2, h2, m2, s2, ms2;
    ck_assert_int_eq(sscanf(progress, "day %u %u:%u:%u.%u", &d1, &h1, &m1, &s1, &ms1), 5);
    ck_assert_int_eq(sscanf(gives_up, "day %u %u:%u:%u.%u", &d2, &h2, &m2, &s2, &ms2), 5);
    long t1 = (((long)d1 * 24 + h1) * 60 + m1) * 60000L + s1 * 1000L + ms1;
    long t2 = (((long)d2 * 24 + h2) * 60 + m2) * 60000L + s2 * 1000L + ms2;
    por_scenario *sc = NULL;
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_scenario_load_file(LESSON("3-leader-crash"), NULL, 0, &sc, &err), POR_OK);
    ck_assert_int_eq(t2 - t1, sc->feed.ocr.delta_progress / POR_MS);
    por_scenario_free(sc);
}
END_TEST

/* Returns the number of occurrences of NEEDLE in S. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* issue 18: the page's sequence legend was all grey (the .ax CSS fill beat each colour
 * attribute), 'transmit: accepted' sat under its arrowhead, the y axis read 9.895e+08
 * with no unit, the round heading said 'deviation, deviation 5.00%', key events left out
 * the mints accepted after the loss, and round ticks stopped after 150 rounds. */
START_TEST(test_html_page_fixes)
{
    char page[600], cmd[1400];
    snprintf(page, sizeof page, "%s/page.html", por_test_tmpdir("trace-html-fixes"));
    snprintf(cmd, sizeof cmd, "trace " LESSON("4-custodian-shortfall-secure-mint") " --html '%s'", page);
    ck_assert_int_eq(trace(cmd), 0);
    char *html = por_test_slurp(page);
    ck_assert_ptr_nonnull(html);
    /* legend: each message type in its own colour, given as a style */
    ck_assert_int_eq(count(html, "class=\"ax legend\" style=\"fill:#"), 6 * count(html, "class=\"seq\""));
    ck_assert_ptr_nonnull(strstr(html, "style=\"fill:#2a6fdb\">&#9644; OBSERVE-REQ"));
    ck_assert_ptr_nonnull(strstr(html, "style=\"fill:#16a085\">&#9644; OBSERVE"));
    /* the transmit label is above the middle of its arrow, far from the head */
    const char *lbl = strstr(html, "class=\"ax txlabel\"");
    ck_assert_ptr_nonnull(lbl);
    const char *ln = lbl;
    while (ln > html && strncmp(ln, "<line ", 6))
        ln--;
    double x1, y1, x2, y2, tx, ty;
    ck_assert_int_eq(sscanf(ln, "<line x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"", &x1, &y1, &x2, &y2), 4);
    const char *tt = strstr(ln, "<text ");
    ck_assert_int_eq(sscanf(tt, "<text x=\"%lf\" y=\"%lf\"", &tx, &ty), 2);
    ck_assert(fabs(tx - (x1 + x2) / 2) < 0.2);
    ck_assert(hypot(tx - x2, ty - y2) > 30);
    /* y axis: readable numbers with a unit */
    ck_assert_int_eq(count(html, "class=\"ax ylabel\">"), 5);
    for (const char *p = html; (p = strstr(p, "class=\"ax ylabel\">")); p++) {
        const char *v = p + strlen("class=\"ax ylabel\">");
        ck_assert_msg(strncmp(v, "1004 M", 6) == 0 || (v[0] >= '0' && v[0] <= '9' && strstr(v, " M<") - v < 8),
                      "y label %.20s", v);
        ck_assert(strncmp(v, "9.", 2) != 0 || v[1] != '.');
    }
    ck_assert_ptr_null(strstr(html, "e+0"));
    ck_assert_ptr_nonnull(strstr(html, ">tokens (answer in USD)</text>"));
    /* headings */
    ck_assert_ptr_null(strstr(html, "deviation, deviation"));
    ck_assert_ptr_nonnull(strstr(html, "(deviation 5.00% &gt;= alpha 1.00%)"));
    /* key events: every mint accepted between the loss and the feed showing it (counted
     * from the text trace of the same run: ACCEPTED lines between the two) */
    ck_assert_int_eq(trace("trace " LESSON("4-custodian-shortfall-secure-mint") " --level summary"), 0);
    const char *loss = strstr(g_out, "UNDERCOLLATERALIZED since");
    const char *seen = strstr(g_out, "ON-CHAIN ANSWER 950,000,000.00 USD");
    ck_assert(loss && seen && loss < seen);
    int accepted = 0;
    for (const char *p = loss; (p = strstr(p, "tokens ACCEPTED")) && p < seen; p++)
        accepted++;
    ck_assert_int_gt(accepted, 0);
    ck_assert_int_eq(count(html, "ACCEPTED while undercollateralized"), accepted);
    free(html);
    /* ticks over the whole run: 2 h of 30 s rounds is 240 > POR_TRACE_HTML_MAX_ROUNDS */
    snprintf(cmd, sizeof cmd, "trace " LESSON("1-honest-heartbeat") " --set duration=2h --html '%s'", page);
    ck_assert_int_eq(trace(cmd), 0);
    html = por_test_slurp(page);
    double last = 0;
    for (const char *p = html; (p = strstr(p, "<rect class=\"rmark\" x=\"")); p++)
        last = fmax(last, atof(p + strlen("<rect class=\"rmark\" x=\"")));
    /* the chart spans x = 90 .. 1080; the last round starts within the last 30 s of 2 h */
    ck_assert_msg(last > 1080 - 990 * 0.01, "last round mark at x=%.1f", last);
    ck_assert_ptr_nonnull(strstr(html, "Showing the first 150 of the"));
    free(html);
}
END_TEST

/* ---- the record: a tagged union (por/trace.h) ------------------------------------- */

/* A sink that keeps copies of what it is given (by value: EMIT borrows the record). */
typedef struct {
    por_trace_record r[POR_TK_NKINDS];
    size_t n;
} keep;

static void keep_emit(void *ctx, const por_trace_record *r)
{
    keep *k = ctx;
    ck_assert_uint_lt(k->n, POR_TK_NKINDS);
    k->r[k->n++] = *r;
}

/* One record of KIND with distinct values in every named field of its payload: amounts
 * beyond 64 bits and negative times, so a truncating or overlapping field shows. */
static por_trace_record sample_record(por_trace_kind kind)
{
    const por_amount big = (por_amount)INT64_MAX * 1000 + (por_amount)kind;
    por_trace_record r = {.time = 1000 + kind, .kind = (uint16_t)kind,
                          .actor = POR_TRACE_ORACLE, .index = 7 + kind};
    switch (kind) {
    case POR_TK_TRUTH:
        r.truth = (por_trace_truth){.reserve = big, .supply = big + 1, .under_since = -5,
                                    .onset_ppb = 950000000, .cause = POR_TRUTH_SUPPLY,
                                    .under = true};
        break;
    case POR_TK_RESERVE:
        r.reserve = (por_trace_reserve){.before = big, .after = -big};
        break;
    case POR_TK_READ:
        r.read = (por_trace_read){.figure = big, .latency = 123, .node = 30, .status = 3};
        break;
    case POR_TK_EPOCH:
        r.enter = (por_trace_enter){.epoch = 0xFFFFFFFFu, .leader = 30};
        break;
    case POR_TK_NEWEPOCH:
        r.newepoch = (por_trace_newepoch){.epoch = 9, .leader = 4, .why = POR_NEWEPOCH_JOIN};
        break;
    case POR_TK_ROUND:
        r.round_start = (por_trace_round_start){.epoch = 3, .round = 4, .ends_epoch = true};
        break;
    case POR_TK_OBSERVATION:
        r.observation = (por_trace_observation){.value = big, .honest_value = big - 1, .epoch = 5,
                                                .round = 6, .leader = 2, .tampered = true};
        break;
    case POR_TK_REPORT_REQ:
        r.report_req = (por_trace_report_req){.median = big, .lowest = big - 2, .highest = big + 2,
                                              .epoch = 7, .round = 8, .observations = 21,
                                              .observers = 0x80000001u};
        break;
    case POR_TK_DECISION:
        r.decision = (por_trace_decision){.median = big, .answer = big - 3,
                                          .deviation_ppb = INT64_MAX, .answer_age = -1,
                                          .epoch = 9, .round = 10, .leader = 11,
                                          .why = POR_DECIDE_REQUESTED, .report = true};
        break;
    case POR_TK_FINAL:
        r.final = (por_trace_final){.median = big, .epoch = 12, .round = 13, .signatures = 11};
        break;
    case POR_TK_COMPLETE:
        r.complete = (por_trace_report){.median = big, .epoch = 14, .round = 15};
        break;
    case POR_TK_TX_SENT:
        r.tx_sent = (por_trace_report){.median = -big, .epoch = 16, .round = 17};
        break;
    case POR_TK_TX_SKIPPED:
        r.tx_skipped = (por_trace_tx_skipped){.median = big, .pending_median = big + 4,
                                              .epoch = 18, .round = 19,
                                              .why = POR_SKIP_PENDING_WITHIN_ALPHA};
        break;
    case POR_TK_TX_RESULT:
        r.tx_result = (por_trace_tx_result){.median = big, .delay = 999, .epoch = 20,
                                            .round = 21, .sender = 22, .result = 5};
        break;
    case POR_TK_ANSWER:
        r.answer = (por_trace_answer){.answer = big, .supply = big * 2, .updated_at = -7,
                                      .round_id = 0xFFFFFFFEu, .epoch = 23, .round = 24};
        break;
    case POR_TK_MINT:
        r.mint = (por_trace_mint){.amount = big, .supply = big + 5, .mintable = big + 6,
                                  .feed_age = -1, .chain_slot = 3, .result = 6,
                                  .by_attacker = true, .mintable_known = true};
        break;
    case POR_TK_REDEEM:
        r.redeem = (por_trace_redeem){.amount = big, .supply_after = big - 7};
        break;
    case POR_TK_CONSUMER:
        r.consumer = (por_trace_consumer){.reported_ratio_ppb = -1,
                                          .collateral_factor_ppb = 800000000, .threshold = 2,
                                          .action = 1, .engaged = true};
        break;
    case POR_TK_CRASH:
    case POR_TK_RECOVER:
        r.node = (por_trace_node){.epoch = 25 + kind};
        break;
    case POR_TK_FORGED_SENT:
    case POR_TK_FORGED_RESULT:
        r.forged = (por_trace_forged){.answer = -big, .epoch = 26, .round = 27, .stolen_keys = 11,
                                      .result = (uint8_t)kind};
        break;
    case POR_TK_MESSAGE:
        r.message = (por_trace_message){.latency = 500, .resend_wait = 400, .to = 30, .epoch = 28,
                                        .round = 29, .size = 4096, .type = 7,
                                        .fate = POR_MSG_ADVERSARY, .resent = true};
        break;
    case POR_TK_ATTACK:
        r.attack = (por_trace_attack){.opens = true};
        break;
    case POR_TK_ROUND_REQUEST:
        r.round_request = (por_trace_round_request){.gas = UINT64_MAX, .mints = 31,
                                                    .step = POR_REQUEST_RELEASED_TIMEOUT};
        break;
    case POR_TK_BRIDGE:
        r.bridge = (por_trace_bridge){.amount = big, .supply_after = big + 8, .in_flight = big + 9,
                                      .chain_slot = 1, .other_slot = 2, .release = true,
                                      .refused = true};
        break;
    case POR_TK_NKINDS:
        break;
    }
    return r;
}

#define SAME(f) ck_assert_msg(got->f == want->f, "%s: " #f " differs", por_trace_kind_name(k))

/* GOT carries WANT's header and every named field of WANT's payload. */
static void same_record(const por_trace_record *got, const por_trace_record *want)
{
    por_trace_kind k = (por_trace_kind)want->kind;
    SAME(time);
    SAME(kind);
    SAME(actor);
    SAME(index);
    switch (k) {
    case POR_TK_TRUTH:
        SAME(truth.reserve); SAME(truth.supply); SAME(truth.under_since);
        SAME(truth.onset_ppb); SAME(truth.cause); SAME(truth.under);
        break;
    case POR_TK_RESERVE:
        SAME(reserve.before); SAME(reserve.after);
        break;
    case POR_TK_READ:
        SAME(read.figure); SAME(read.latency); SAME(read.node); SAME(read.status);
        break;
    case POR_TK_EPOCH:
        SAME(enter.epoch); SAME(enter.leader);
        break;
    case POR_TK_NEWEPOCH:
        SAME(newepoch.epoch); SAME(newepoch.leader); SAME(newepoch.why);
        break;
    case POR_TK_ROUND:
        SAME(round_start.epoch); SAME(round_start.round); SAME(round_start.ends_epoch);
        break;
    case POR_TK_OBSERVATION:
        SAME(observation.value); SAME(observation.honest_value); SAME(observation.epoch);
        SAME(observation.round); SAME(observation.leader); SAME(observation.tampered);
        break;
    case POR_TK_REPORT_REQ:
        SAME(report_req.median); SAME(report_req.lowest); SAME(report_req.highest);
        SAME(report_req.epoch); SAME(report_req.round); SAME(report_req.observations);
        SAME(report_req.observers);
        break;
    case POR_TK_DECISION:
        SAME(decision.median); SAME(decision.answer); SAME(decision.deviation_ppb);
        SAME(decision.answer_age); SAME(decision.epoch); SAME(decision.round);
        SAME(decision.leader); SAME(decision.why); SAME(decision.report);
        break;
    case POR_TK_FINAL:
        SAME(final.median); SAME(final.epoch); SAME(final.round); SAME(final.signatures);
        break;
    case POR_TK_COMPLETE:
        SAME(complete.median); SAME(complete.epoch); SAME(complete.round);
        break;
    case POR_TK_TX_SENT:
        SAME(tx_sent.median); SAME(tx_sent.epoch); SAME(tx_sent.round);
        break;
    case POR_TK_TX_SKIPPED:
        SAME(tx_skipped.median); SAME(tx_skipped.pending_median); SAME(tx_skipped.epoch);
        SAME(tx_skipped.round); SAME(tx_skipped.why);
        break;
    case POR_TK_TX_RESULT:
        SAME(tx_result.median); SAME(tx_result.delay); SAME(tx_result.epoch);
        SAME(tx_result.round); SAME(tx_result.sender); SAME(tx_result.result);
        break;
    case POR_TK_ANSWER:
        SAME(answer.answer); SAME(answer.supply); SAME(answer.updated_at);
        SAME(answer.round_id); SAME(answer.epoch); SAME(answer.round);
        break;
    case POR_TK_MINT:
        SAME(mint.amount); SAME(mint.supply); SAME(mint.mintable); SAME(mint.feed_age);
        SAME(mint.chain_slot); SAME(mint.result); SAME(mint.by_attacker);
        SAME(mint.mintable_known);
        break;
    case POR_TK_REDEEM:
        SAME(redeem.amount); SAME(redeem.supply_after);
        break;
    case POR_TK_CONSUMER:
        SAME(consumer.reported_ratio_ppb); SAME(consumer.collateral_factor_ppb);
        SAME(consumer.threshold); SAME(consumer.action); SAME(consumer.engaged);
        break;
    case POR_TK_CRASH:
    case POR_TK_RECOVER:
        SAME(node.epoch);
        break;
    case POR_TK_FORGED_SENT:
    case POR_TK_FORGED_RESULT:
        SAME(forged.answer); SAME(forged.epoch); SAME(forged.round); SAME(forged.stolen_keys);
        SAME(forged.result);
        break;
    case POR_TK_MESSAGE:
        SAME(message.latency); SAME(message.resend_wait); SAME(message.to); SAME(message.epoch);
        SAME(message.round); SAME(message.size); SAME(message.type); SAME(message.fate);
        SAME(message.resent);
        break;
    case POR_TK_ATTACK:
        SAME(attack.opens);
        break;
    case POR_TK_ROUND_REQUEST:
        SAME(round_request.gas); SAME(round_request.mints); SAME(round_request.step);
        break;
    case POR_TK_BRIDGE:
        SAME(bridge.amount); SAME(bridge.supply_after); SAME(bridge.in_flight);
        SAME(bridge.chain_slot); SAME(bridge.other_slot); SAME(bridge.release);
        SAME(bridge.refused);
        break;
    case POR_TK_NKINDS:
        ck_abort_msg("no such kind");
    }
}

/* Rule (por/trace.h): a record is a header and the payload its kind names; the sink
 * hands it on intact (a tee to two consumers, each copying it by value), every field
 * named in the payload comes back as emitted, and every kind has a name. The record stays
 * within the size bound the header asserts at compile time. */
START_TEST(test_record_round_trips_per_kind)
{
    printf("sizeof(por_trace_record) = %zu (bound 80)\n", sizeof(por_trace_record));
    ck_assert_uint_le(sizeof(por_trace_record), 80);
    keep a = {.n = 0}, b = {.n = 0};
    por_trace_sink sa = {keep_emit, &a, NULL, NULL}, sb = {keep_emit, &b, NULL, NULL};
    por_trace_tee tee;
    por_trace_tee_init(&tee, &sa, &sb);
    for (int k = 0; k < POR_TK_NKINDS; k++) {
        ck_assert_str_ne(por_trace_kind_name((por_trace_kind)k), "?");
        por_trace_record r = sample_record((por_trace_kind)k);
        por_trace_emit(&tee.sink, &r);
        memset(&r, 0xA5, sizeof r); /* the sink kept no pointer to the emitter's stack */
    }
    ck_assert_uint_eq(a.n, POR_TK_NKINDS);
    ck_assert_uint_eq(b.n, POR_TK_NKINDS);
    for (int k = 0; k < POR_TK_NKINDS; k++) {
        por_trace_record want = sample_record((por_trace_kind)k);
        same_record(&a.r[k], &want);
        same_record(&b.r[k], &want);
    }
    /* a field of one kind's payload is not another's: the union holds one at a time */
    por_trace_record r = sample_record(POR_TK_DECISION);
    ck_assert(r.decision.report && r.decision.why == POR_DECIDE_REQUESTED);
    ck_assert_str_eq(por_trace_kind_name(POR_TK_BRIDGE), "bridge");
}
END_TEST

/* Checks the records of one traced run against the rules their fields state. */
typedef struct {
    const por_scenario *sc;
    uint64_t n[POR_TK_NKINDS];
    uint64_t tampered, forged_keys, refused_exceeds, last_round_id;
} rules;

static void rules_emit(void *ctx, const por_trace_record *r)
{
    rules *c = ctx;
    const por_ocr_config *oc = &c->sc->feed.ocr;
    ck_assert_uint_lt(r->kind, POR_TK_NKINDS);
    c->n[r->kind]++;
    switch ((por_trace_kind)r->kind) {
    case POR_TK_TRUTH: {
        /* under = reserve / supply < onset ratio (world.c's onset rule), since when */
        const por_trace_truth *t = &r->truth;
        if (t->supply > 0)
            ck_assert_int_eq(t->under,
                             t->reserve * 1000000000 < (por_amount)t->onset_ppb * t->supply);
        if (t->under)
            ck_assert_int_le(t->under_since, r->time);
        break;
    }
    case POR_TK_READ:
        ck_assert_uint_lt(r->read.node, oc->n);
        ck_assert_int_ge(r->read.latency, 0);
        if (r->read.status != POR_READ_OK)
            ck_assert(r->read.figure == 0);
        break;
    case POR_TK_OBSERVATION:
        ck_assert_int_eq(r->observation.tampered,
                         r->observation.value != r->observation.honest_value);
        c->tampered += r->observation.tampered;
        break;
    case POR_TK_REPORT_REQ: {
        /* the leader's median of sorted observations (libocr report_generation_leader.go) */
        const por_trace_report_req *q = &r->report_req;
        ck_assert_int_eq(__builtin_popcount(q->observers), q->observations);
        ck_assert_uint_gt(q->observations, 2 * oc->f); /* more than 2f observations */
        ck_assert(q->lowest <= q->median && q->median <= q->highest);
        break;
    }
    case POR_TK_DECISION: {
        /* libocr report_generation_follower.go shouldReport: the reason and its figures */
        const por_trace_decision *d = &r->decision;
        switch ((por_trace_decision_why)d->why) {
        case POR_DECIDE_FIRST:
            ck_assert(d->report && d->answer == 0 && d->answer_age == -1);
            break;
        case POR_DECIDE_HEARTBEAT:
            ck_assert(d->report);
            ck_assert_int_ge(d->answer_age, oc->delta_c);
            break;
        case POR_DECIDE_DEVIATION:
            ck_assert(d->report);
            ck_assert_int_ge(d->deviation_ppb, oc->alpha_ppb);
            break;
        case POR_DECIDE_NONE:
            ck_assert(!d->report);
            ck_assert_int_le(d->deviation_ppb, oc->alpha_ppb);
            ck_assert_int_le(d->answer_age, oc->delta_c);
            break;
        default:
            break;
        }
        break;
    }
    case POR_TK_FINAL:
        ck_assert_uint_gt(r->final.signatures, oc->f); /* more than f signatures */
        break;
    case POR_TK_TX_RESULT:
        ck_assert_uint_lt(r->tx_result.sender, oc->n);
        ck_assert_int_ge(r->tx_result.delay, 0);
        break;
    case POR_TK_ANSWER:
        /* OffchainAggregator.sol transmit: roundId = latest + 1 */
        ck_assert_uint_eq(r->answer.round_id, c->last_round_id + 1);
        c->last_round_id = r->answer.round_id;
        ck_assert_int_le(r->answer.updated_at, r->time);
        break;
    case POR_TK_MINT:
        /* SecureMintPolicy: refused when supply + amount > mintable */
        if (r->mint.result == POR_MINT_EXCEEDS_RESERVE) {
            ck_assert(r->mint.mintable_known);
            ck_assert(r->mint.supply + r->mint.amount > r->mint.mintable);
            c->refused_exceeds++;
        }
        break;
    case POR_TK_FORGED_SENT:
        c->forged_keys = r->forged.stolen_keys;
        break;
    case POR_TK_MESSAGE:
        ck_assert_uint_lt(r->message.to, oc->n);
        ck_assert_uint_ne(r->message.to, r->index); /* self-sends are not traced */
        ck_assert_int_ge(r->message.resend_wait, 0);
        if (r->message.fate == POR_MSG_DELIVERED)
            ck_assert_int_ge(r->message.latency, r->message.resend_wait);
        if (r->message.resent)
            ck_assert_int_gt(r->message.resend_wait, 0);
        break;
    default:
        break;
    }
}

/* The emitters fill the named fields by the rules they state: lessons 4 (Secure Mint
 * refusals), 5 (byzantine observations) and 6 (a forged report), one replication each. */
START_TEST(test_emitters_fill_named_fields)
{
    static const char *const files[] = {LESSON("4-custodian-shortfall-secure-mint"),
                                        LESSON("5-byzantine-minority"), LESSON("6-stolen-keys")};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        por_scenario *sc = NULL;
        por_error err = {POR_OK, ""};
        ck_assert_int_eq(por_scenario_load_file(files[k], NULL, 0, &sc, &err), POR_OK);
        rules c;
        memset(&c, 0, sizeof c);
        c.sc = sc;
        por_trace_sink sink = {rules_emit, &c, NULL, NULL};
        por_run_options opt = {.crypto_override = -1, .trace = &sink};
        por_metric_cell cells[POR_WM_NCOLS];
        char strings[POR_WM_NCOLS * POR_WORLD_STRING_BYTES];
        ck_assert_int_eq(por_world_run_replication(sc, 0, &opt, cells, strings, &err), POR_OK);
        printf("%s: %" PRIu64 " decisions, %" PRIu64 " messages, %" PRIu64 " tampered, %" PRIu64
               " refused (exceeds_reserve), forged with %" PRIu64 " keys\n", files[k],
               c.n[POR_TK_DECISION], c.n[POR_TK_MESSAGE], c.tampered, c.refused_exceeds,
               c.forged_keys);
        ck_assert_uint_gt(c.n[POR_TK_DECISION], 0);
        ck_assert_uint_gt(c.n[POR_TK_ANSWER], 0);
        if (k == 0)
            ck_assert_uint_gt(c.refused_exceeds, 0);
        if (k == 1)
            ck_assert_uint_gt(c.tampered, 0);
        if (k == 2)
            ck_assert_uint_gt(c.forged_keys, sc->feed.ocr.f); /* f+1 stolen keys forge */
        por_scenario_free(sc);
    }
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
    tcase_add_test(t, test_lessons_as_written);
    tcase_add_test(t, test_lesson3_progress_counted_from_last_progress);
    tcase_add_test(t, test_html_page_fixes);
    tcase_add_test(t, test_record_round_trips_per_kind);
    tcase_add_test(t, test_emitters_fill_named_fields);
    suite_add_tcase(s, t);
    return s;
}
