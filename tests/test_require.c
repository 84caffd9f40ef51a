/* --require: parsing of METRIC.STAT OP VALUE (units, percentages, ratios, rates), and the
 * 95 % judgement (met / not met / undecided) of means (Student t interval) and of
 * Kaplan–Meier quantiles (Brookmeyer–Crowley interval, censored runs counted), on data
 * whose intervals are derived by hand in the comments. Also the CLI exit codes of
 * `porsim run --require` (0 met, 4 not met, 5 undecided, 2 bad expression). No random
 * data: the seed printed is unused. */
#include "por_test.h"

#include "por/frontier.h"
#include "por/require.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const por_metric_def g_defs[] = {
    {"feed_detect", POR_METRIC_DURATION, true, NULL, NULL},
    {"gas", POR_METRIC_COUNT, false, "gas", NULL},
    {"fee_usd", POR_METRIC_AMOUNT, false, "USD", NULL},
};

static por_require parse_ok(const char *e)
{
    por_require r;
    por_error err = {POR_OK, ""};
    ck_assert_msg(por_require_parse(e, g_defs, 3, &r, &err) == POR_OK, "%s: %s", e, err.msg);
    return r;
}

static void parse_bad(const char *e, const char *want)
{
    por_require r;
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_require_parse(e, g_defs, 3, &r, &err), POR_EINPUT);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: got '%s'", e, err.msg);
}

START_TEST(test_parse)
{
    por_require r = parse_ok("feed_detect.p90<=1h");
    ck_assert_uint_eq(r.col, 0);
    ck_assert_int_eq(r.stat, POR_REQ_STAT_QUANTILE);
    ck_assert_double_eq(r.p, 0.9);
    ck_assert_int_eq(r.op, POR_REQ_LE);
    ck_assert_double_eq(r.value, 3600e9);
    ck_assert_str_eq(r.text, "feed_detect.p90<=1h");
    por_require_free(&r);

    r = parse_ok(" feed_detect.median < 90 "); /* bare seconds, blanks ignored */
    ck_assert_double_eq(r.p, 0.5);
    ck_assert_int_eq(r.op, POR_REQ_LT);
    ck_assert_double_eq(r.value, 90e9);
    por_require_free(&r);

    r = parse_ok("gas.mean>=2.5e6");
    ck_assert_int_eq(r.stat, POR_REQ_STAT_MEAN);
    ck_assert_int_eq(r.op, POR_REQ_GE);
    ck_assert_double_eq(r.value, 2.5e6);
    por_require_free(&r);

    r = parse_ok("gas.p99.5>1%"); /* pNN with decimals; a percentage */
    ck_assert_double_eq_tol(r.p, 0.995, 1e-15);
    ck_assert_double_eq(r.value, 0.01);
    por_require_free(&r);

    r = parse_ok("fee_usd.mean<=50000/365d"); /* a rate per horizon */
    ck_assert_double_eq(r.value, 50000);
    ck_assert_double_eq(r.per_ns, 365 * 86400e9);
    por_require_free(&r);

    r = parse_ok("fee_usd.mean<=100/4"); /* a plain ratio */
    ck_assert_double_eq(r.value, 25);
    ck_assert_double_eq(r.per_ns, 0);
    por_require_free(&r);

    parse_bad("feed_detect.p90", "needs METRIC.STAT<=VALUE");
    parse_bad("p90<=1h", "left side needs METRIC.STAT");
    parse_bad("nope.p90<=1h", "no metric named 'nope'");
    parse_bad("gas.p100<=1", "unknown statistic 'p100'");
    parse_bad("gas.avg<=1", "unknown statistic 'avg'");
    parse_bad("feed_detect.p90<=1x", "bad value");
    parse_bad("feed_detect.p90<=1h/2d", "bad value"); /* no rates of durations */
    parse_bad("gas.mean<=", "bad value");
    parse_bad("gas.mean<=5/0", "bad value");
}
END_TEST

/* ceil(ln 0.025 / ln q): 0.9^35 = .0250 > .025 and 0.9^36 = .0225, so 36 for p90;
 * 0.5^5 = .031, 0.5^6 = .0156: 6 for the median; 0.1^2 = .01: 2. */
START_TEST(test_min_runs)
{
    ck_assert_uint_eq(por_require_min_runs(0.9), 36);
    ck_assert_uint_eq(por_require_min_runs(0.5), 6);
    ck_assert_uint_eq(por_require_min_runs(0.1), 2);
}
END_TEST

static por_req_result judge(const char *e, const double *v, const bool *c, size_t n,
                            double horizon)
{
    por_require r = parse_ok(e);
    por_req_result res;
    por_require_judge(&r, &g_defs[r.col], v, c, n, horizon, &res);
    por_require_free(&r);
    return res;
}

/* Means: {1, 2, 3} gas has mean 2, sd 1, t(.975, 2) = 4.3027, half width
 * 4.3027/sqrt(3) = 2.4841: CI [-0.4841, 4.4841]. */
START_TEST(test_judge_mean)
{
    const double v[3] = {1, 2, 3};
    ck_assert_int_eq(judge("gas.mean<=5", v, NULL, 3, 0).verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("gas.mean<=4", v, NULL, 3, 0).verdict, POR_VERDICT_UNDECIDED);
    ck_assert_int_eq(judge("gas.mean<=-1", v, NULL, 3, 0).verdict, POR_VERDICT_NOT_MET);
    ck_assert_int_eq(judge("gas.mean>-1", v, NULL, 3, 0).verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("gas.mean>=4.5", v, NULL, 3, 0).verdict, POR_VERDICT_NOT_MET);
    por_req_result r = judge("gas.mean<=5", v, NULL, 3, 0);
    ck_assert_double_eq_tol(r.lo, -0.4841, 1e-4);
    ck_assert_double_eq_tol(r.hi, 4.4841, 1e-4);
    /* A rate: 50000 per 365 d over a 73 d horizon is a bound of 10000 per run. */
    const double fee[3] = {9000, 9100, 9200};
    r = judge("fee_usd.mean<=50000/365d", fee, NULL, 3, 73 * 86400e9);
    ck_assert_double_eq(r.threshold, 10000);
    ck_assert_int_eq(r.verdict, POR_VERDICT_MET);
    /* One observation: no interval, undecided. */
    ck_assert_int_eq(judge("gas.mean<=5", v, NULL, 1, 0).verdict, POR_VERDICT_UNDECIDED);
    /* A censored run is never averaged in and could only raise the mean: an upper bound
     * cannot be met, a clear violation still shows. Seconds 1, 2, 3 and one censored. */
    const double d[4] = {1e9, 2e9, 3e9, INFINITY};
    const bool c[4] = {0, 0, 0, 1};
    ck_assert_int_eq(judge("feed_detect.mean<=1h", d, c, 4, 0).verdict, POR_VERDICT_UNDECIDED);
    ck_assert_int_eq(judge("feed_detect.mean<=-1", d, c, 4, 0).verdict, POR_VERDICT_NOT_MET);
}
END_TEST

/* Quantiles without censoring: 1..10 s four times each (n = 40). S(t) = 1 - t/10 at the
 * integers, se = sqrt(S(1 - S)/40). p90 = 9 s (S = .1). Upper limit: S + 1.96 se at 9 is
 * .1 + 1.96 * .0474 = .193 > .1, at 10 it is 0: hi = 10 s. Lower limit: at 7,
 * .3 - 1.96 * .0725 = .158 > .1; at 8, .2 - 1.96 * .0632 = .076 <= .1: lo = 8 s. */
START_TEST(test_judge_quantile)
{
    double v[40];
    for (int i = 0; i < 40; i++)
        v[i] = (double)(i % 10 + 1) * 1e9;
    por_req_result r = judge("feed_detect.p90<=10s", v, NULL, 40, 0);
    ck_assert_double_eq(r.estimate, 9e9);
    ck_assert_double_eq(r.lo, 8e9);
    ck_assert_double_eq(r.hi, 10e9);
    ck_assert_int_eq(r.verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("feed_detect.p90<=9s", v, NULL, 40, 0).verdict, POR_VERDICT_UNDECIDED);
    ck_assert_int_eq(judge("feed_detect.p90<=7s", v, NULL, 40, 0).verdict, POR_VERDICT_NOT_MET);
    ck_assert_int_eq(judge("feed_detect.p90>=7s", v, NULL, 40, 0).verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("feed_detect.p90>10s", v, NULL, 40, 0).verdict, POR_VERDICT_NOT_MET);
    /* With 10 runs (1..10) the band says hi = 10 s too, but 10 < 36 runs cannot show a
     * p90 bound by an exact binomial test: undecided. */
    ck_assert_int_eq(judge("feed_detect.p90<=10s", v, NULL, 10, 0).verdict,
                     POR_VERDICT_UNDECIDED);
    /* A metric absent from every run: nothing to judge, undecided, but the runs count
     * (a sweep still lists the point). */
    const double none[3] = {NAN, NAN, NAN};
    por_req_result a = judge("gas.p90<=1", none, NULL, 3, 0);
    ck_assert_int_eq(a.verdict, POR_VERDICT_UNDECIDED);
    ck_assert_uint_eq(a.n, 0);
    ck_assert_uint_eq(a.runs, 3);
    /* Every run zero gas: p90 = 0 with a zero-width band; met from 36 runs on. */
    double z[36] = {0};
    ck_assert_int_eq(judge("gas.p90<=0", z, NULL, 36, 0).verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("gas.p90<=0", z, NULL, 35, 0).verdict, POR_VERDICT_UNDECIDED);
}
END_TEST

/* Censored: the 6-MP arm (weeks as seconds). KM p50 = 23 with CI [13, beyond horizon]
 * (tests/test_stats.c derives it): "p50 <= 40 s" is undecided (hi beyond), "p50 <= 12 s"
 * not met (lo 13 > 12), "p50 >= 12 s" met. The p90 is beyond the horizon and so is its
 * lower limit (min of S - 1.96 se is .184 > .1): "p90 <= 30 s" is not met, since the
 * curve runs to 35 s; "p90 <= 40 s" is undecided (past the data). */
START_TEST(test_judge_censored)
{
    static const double t[21] = {6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16,
                                 17, 19, 20, 22, 23, 25, 32, 32, 34, 35};
    static const bool c[21] = {0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1};
    double v[21];
    for (int i = 0; i < 21; i++)
        v[i] = t[i] * 1e9;
    por_req_result r = judge("feed_detect.p50<=40s", v, c, 21, 0);
    ck_assert_double_eq(r.estimate, 23e9);
    ck_assert_double_eq(r.lo, 13e9);
    ck_assert(isinf(r.hi));
    ck_assert_uint_eq(r.n, 21);
    ck_assert_int_eq(r.verdict, POR_VERDICT_UNDECIDED);
    ck_assert_int_eq(judge("feed_detect.p50<=12s", v, c, 21, 0).verdict, POR_VERDICT_NOT_MET);
    ck_assert_int_eq(judge("feed_detect.p50>=12s", v, c, 21, 0).verdict, POR_VERDICT_MET);
    ck_assert_int_eq(judge("feed_detect.p90<=30s", v, c, 21, 0).verdict, POR_VERDICT_NOT_MET);
    ck_assert_int_eq(judge("feed_detect.p90<=40s", v, c, 21, 0).verdict, POR_VERDICT_UNDECIDED);
}
END_TEST

START_TEST(test_combine_and_codes)
{
    por_req_result r[3] = {{.verdict = POR_VERDICT_MET}, {.verdict = POR_VERDICT_UNDECIDED},
                           {.verdict = POR_VERDICT_MET}};
    ck_assert_int_eq(por_verdict_combine(r, 3), POR_VERDICT_UNDECIDED);
    r[2].verdict = POR_VERDICT_NOT_MET;
    ck_assert_int_eq(por_verdict_combine(r, 3), POR_VERDICT_NOT_MET);
    ck_assert_int_eq(por_verdict_combine(r, 1), POR_VERDICT_MET);
    ck_assert_int_eq(por_verdict_combine(r, 0), POR_VERDICT_MET);
    ck_assert_int_eq(por_verdict_exit_code(POR_VERDICT_MET), 0);
    ck_assert_int_eq(por_verdict_exit_code(POR_VERDICT_NOT_MET), 4);
    ck_assert_int_eq(por_verdict_exit_code(POR_VERDICT_UNDECIDED), 5);
}
END_TEST

/* The CLI: a short default-scenario run (2 h horizon, shortfall at 1 h, 40 runs) where
 * the invariant-violation count is 0 in every run and the rounds count is positive. */
#define FAST "run -q -r 40 --set duration=2h --set 'custodians[0].reserve.steps[0].at=1h'"

START_TEST(test_cli_exit_codes)
{
    const char *out = por_test_tmpdir("require_cli");
    ck_assert_ptr_nonnull(out);
    char log[600];
    snprintf(log, sizeof log, "%s/out.txt", out);
    ck_assert_int_eq(por_test_run_cli(FAST " --require 'invariant_violations.p90<=0'", log), 0);
    char *text = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(text, "invariant_violations.p90<=0"));
    ck_assert_ptr_nonnull(strstr(text, "all: met (exit code 0)"));
    free(text);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, FAST " --require 'rounds.mean<=0' -o '%s/run'", out);
    ck_assert_int_eq(por_test_run_cli(cmd, log), 4);
    /* meta.json records the judgement for scripts. */
    char path[700];
    snprintf(path, sizeof path, "%s/run/meta.json", out);
    text = por_test_slurp(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "\"requirements\": {\"confidence\": 0.95, \"verdict\": "
                                       "\"not met\", \"exit_code\": 4, \"targets\": ["));
    ck_assert_ptr_nonnull(strstr(text, "{\"expr\": \"rounds.mean<=0\", \"metric\": \"rounds\", "
                                       "\"statistic\": \"mean\""));
    free(text);
    /* 5 runs cannot show a p90 bound: undecided. */
    ck_assert_int_eq(por_test_run_cli("run -q -r 5 --set duration=2h --set "
                                      "'custodians[0].reserve.steps[0].at=1h' "
                                      "--require 'invariant_violations.p90<=0'",
                                      log),
                     5);
    ck_assert_int_eq(por_test_run_cli(FAST " --require 'rounds.avg<=0'", log), 2);
    text = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(text, "unknown statistic 'avg'"));
    free(text);
}
END_TEST

/* Pareto: cost and one risk, both minimised. Points (cost, risk):
 * 0 (1, 9), 1 (2, 5), 2 (3, 5), 3 (4, 1), 4 (5, 3), 5 (NaN, 0), 6 (1, 9).
 * 2 is dominated by 1 (same risk, dearer); 4 by 3 (dearer and riskier); 0 and 6 tie and
 * neither dominates the other (equal everywhere); 5 is undefined. Frontier {0, 1, 3, 6}. */
START_TEST(test_pareto)
{
    const double obj[] = {1, 9, 2, 5, 3, 5, 4, 1, 5, 3, NAN, 0, 1, 9};
    long dom[7];
    ck_assert_uint_eq(por_pareto(obj, 7, 2, dom), 4);
    ck_assert_int_eq(dom[0], -1);
    ck_assert_int_eq(dom[1], -1);
    ck_assert_int_eq(dom[2], 1);
    ck_assert_int_eq(dom[3], -1);
    ck_assert_int_eq(dom[4], 3);
    ck_assert_int_eq(dom[5], -2);
    ck_assert_int_eq(dom[6], -1);
    /* +inf (beyond horizon) is worse than any finite risk. */
    const double inf[] = {1, INFINITY, 2, 100};
    ck_assert_uint_eq(por_pareto(inf, 2, 2, dom), 2);
    const double inf2[] = {3, INFINITY, 2, 100};
    ck_assert_uint_eq(por_pareto(inf2, 2, 2, dom), 1);
    ck_assert_int_eq(dom[0], 1);

    por_require o;
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_objective_parse("gas.mean", g_defs, 3, &o, &err), POR_OK);
    ck_assert_str_eq(o.text, "gas.mean");
    por_require_free(&o);
    ck_assert_int_eq(por_objective_parse("gas.mean<=3", g_defs, 3, &o, &err), POR_EINPUT);
    ck_assert_int_eq(por_objective_parse("gas.foo", g_defs, 3, &o, &err), POR_EINPUT);
}
END_TEST

/* A sweep over the fast default scenario where gas grows with the heartbeat count
 * (delta_c 10 min vs 1 h: more heartbeats, more transmissions): requirements.csv and
 * frontier.csv are written, the cheap point is on the frontier, and the exit code
 * follows the verdicts. */
START_TEST(test_cli_sweep_targets)
{
    const char *dir = por_test_tmpdir("require_sweep");
    ck_assert_ptr_nonnull(dir);
    char cmd[2048], log[600], path[700];
    snprintf(log, sizeof log, "%s/out.txt", dir);
    snprintf(cmd, sizeof cmd,
             "sweep -r 40 --set duration=2h --set 'custodians[0].reserve.steps[0].at=1h' "
             "--param feed.ocr.delta_c=10min,1h --require 'invariant_violations.p90<=0' "
             "--frontier gas.mean,feed_detect.p90 -o '%s/s'",
             dir);
    ck_assert_int_eq(por_test_run_cli(cmd, log), 0);
    /* The sweep table shows durations in one human unit and the KM quantiles. */
    char *table = por_test_slurp(log);
    ck_assert_ptr_nonnull(strstr(table, "feed_detect per point (s):"));
    ck_assert_ptr_nonnull(strstr(table, "KM p90 95% CI"));
    ck_assert_ptr_nonnull(strstr(table, "requirements per point (95% confidence):"));
    ck_assert_ptr_nonnull(strstr(table, "frontier (cost gas.mean; all objectives minimised):"));
    free(table);
    snprintf(path, sizeof path, "%s/s/requirements.csv", dir);
    char *req = por_test_slurp(path);
    ck_assert_ptr_nonnull(req);
    ck_assert_ptr_nonnull(strstr(req, "point,feed.ocr.delta_c,requirement,metric,statistic,"
                                      "estimate,ci_lo,ci_hi,bound,n,verdict\n"));
    ck_assert_ptr_nonnull(strstr(req, "0,10min,invariant_violations.p90<=0,"
                                      "invariant_violations,km_p90,0,0,0,0,40,met\n"));
    free(req);
    snprintf(path, sizeof path, "%s/s/frontier.csv", dir);
    char *fr = por_test_slurp(path);
    ck_assert_ptr_nonnull(fr);
    ck_assert_ptr_nonnull(strstr(fr, "point,feed.ocr.delta_c,gas.mean,feed_detect.p90,"
                                     "requirements,pareto,dominated_by\n"));
    /* the 1 h heartbeat sends fewer transmissions: cheaper, so on the frontier */
    ck_assert_ptr_nonnull(strstr(fr, "\n1,1h,"));
    ck_assert_ptr_nonnull(strstr(strstr(fr, "\n1,1h,"), ",met,true,"));
    free(fr);
    /* frontier.svg: one circle per point, the frontier point filled, the other hollow. */
    snprintf(path, sizeof path, "%s/s/frontier.svg", dir);
    char *svg = por_test_slurp(path);
    ck_assert_ptr_nonnull(svg);
    ck_assert(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
    int circles = 0;
    for (const char *q = svg; (q = strstr(q, "<circle ")) != NULL; q++)
        circles++;
    ck_assert_int_eq(circles, 2);
    ck_assert_ptr_nonnull(strstr(svg, "fill=\"white\"><title>point 0: feed.ocr.delta_c=10min"));
    ck_assert_ptr_nonnull(strstr(svg, "fill=\"#2ca02c\"><title>point 1: feed.ocr.delta_c=1h, "
                                      "targets met</title>"));
    ck_assert_ptr_nonnull(strstr(svg, "</svg>\n"));
    free(svg);
    /* Nothing can meet rounds.mean<=0: every point fails, exit 4. */
    snprintf(cmd, sizeof cmd,
             "sweep -q -r 5 --set duration=2h --param feed.ocr.delta_c=10min,1h "
             "--require 'rounds.mean<=0'");
    ck_assert_int_eq(por_test_run_cli(cmd, log), 4);
    ck_assert_int_eq(por_test_run_cli("sweep -q -r 2 --set duration=2h --param "
                                      "feed.ocr.delta_c=1h --frontier gas.mean",
                                      log),
                     2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("require");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_min_runs);
    suite_add_tcase(s, tc);
    tc = tcase_create("judge");
    tcase_add_test(tc, test_judge_mean);
    tcase_add_test(tc, test_judge_quantile);
    tcase_add_test(tc, test_judge_censored);
    tcase_add_test(tc, test_combine_and_codes);
    tcase_add_test(tc, test_pareto);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli");
    tcase_add_test(tc, test_cli_exit_codes);
    tcase_add_test(tc, test_cli_sweep_targets);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}
