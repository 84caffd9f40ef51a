/* Targets on run metrics: `--require EXPR` of porsim run, sweep and tune.
 *
 * An expression names a metric of the metric table, a statistic and a bound:
 *   feed_detect.p90<=1h        Kaplan–Meier p90 (censored runs count) at most 1 hour
 *   unbacked_minted.p90<=0     90 % of runs mint nothing unbacked
 *   gas.mean<=2e6              mean gas per run
 *   fee_usd.mean<=50000/365d   a budget rate, scaled to the run's simulated horizon
 * and is judged per scenario (or sweep point) at 95 % confidence: met when the whole 95 %
 * confidence interval of the statistic satisfies the bound, not met when the whole
 * interval violates it, undecided otherwise. The rules are in docs/tune.md. */
#ifndef POR_REQUIRE_H
#define POR_REQUIRE_H

#include "por/error.h"
#include "por/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { POR_REQ_LE, POR_REQ_LT, POR_REQ_GE, POR_REQ_GT } por_req_op;

typedef enum { POR_REQ_STAT_MEAN, POR_REQ_STAT_QUANTILE } por_req_stat;

/* One parsed requirement. TEXT is the expression as given (owned). COL is the metric's
 * column in the table the requirement was parsed against. The bound is VALUE (durations
 * in ns) or, when PER_NS > 0, the rate VALUE per PER_NS nanoseconds of simulated time. */
typedef struct {
    char *text;
    size_t col;
    por_req_stat stat;
    double p;          /* quantile level for POR_REQ_STAT_QUANTILE */
    por_req_op op;
    double value;
    double per_ns;     /* > 0: VALUE is a rate per PER_NS ns of horizon */
} por_require;

typedef enum { POR_VERDICT_MET, POR_VERDICT_NOT_MET, POR_VERDICT_UNDECIDED } por_verdict;

/* "met", "not met", "undecided". */
const char *por_verdict_name(por_verdict v);

/* The judgement of one requirement on one set of runs. ESTIMATE, LO and HI are the
 * statistic and its 95% CI limits (durations in ns); NaN when undefined; a quantile
 * or limit beyond the horizon is +inf. THRESHOLD is the bound for this horizon. N is the
 * number of runs used (observed, plus censored for a quantile); RUNS the number given. */
typedef struct {
    por_verdict verdict;
    double estimate, lo, hi, threshold;
    size_t n, runs;
} por_req_result;

/* Parses EXPR against the NCOLS metric definitions DEFS into OUT (caller frees with
 * por_require_free). Returns POR_OK, or POR_EINPUT with ERR naming the problem (unknown
 * metric, unknown statistic, missing operator, bad value). */
por_status por_require_parse(const char *expr, const por_metric_def *defs, size_t ncols,
                             por_require *out, por_error *err);

/* Frees what R owns. */
void por_require_free(por_require *r);

/* The smallest number of runs with which a quantile requirement can be decided in the
 * direction that needs every run on one side of the bound: ceil(ln 0.025 / ln q) where
 * q = P (for "<=" met) or 1 - P. An exact binomial test cannot decide with fewer. */
size_t por_require_min_runs(double q);

/* Judges R on the N values VALS (durations in ns; CENS flags censored values as in
 * por_summary_of, may be NULL) of a scenario whose horizon is HORIZON_NS (used by rate
 * bounds). Fills OUT. */
void por_require_judge(const por_require *r, const por_metric_def *def, const double *vals,
                       const bool *cens, size_t n, double horizon_ns, por_req_result *out);

/* As por_require_judge on column R->col of T (the values por_metric_table_column reads)
 * without copying the column: a spilled table's column is sorted on disk. */
void por_require_judge_table(const por_require *r, const por_metric_table *t,
                             double horizon_ns, por_req_result *out);

/* Formats X of metric DEF for people ("37.5 min", "1.2e+06", "beyond horizon" for +inf)
 * into BUF (>= 64 bytes). Returns BUF. */
char *por_require_format_value(const por_metric_def *def, double x, char *buf);

/* Prints "EXPR: VERDICT (stat ESTIMATE, 95% CI [LO, HI], n N)" on one line to F. */
void por_require_print(const por_require *r, const por_metric_def *def,
                       const por_req_result *res, FILE *f);

/* The combined verdict of several: not met if any is not met, else undecided if any is
 * undecided, else met (also for none). */
por_verdict por_verdict_combine(const por_req_result *res, size_t n);

/* Exit codes for scripts: 0 met, 4 not met, 5 undecided. */
int por_verdict_exit_code(por_verdict v);

#endif
