/* Requirements on metrics (`--require EXPR`): parsing and the 95 % judgement, see
 * por/require.h. Means are judged by their Student t interval; quantiles by the
 * Kaplan–Meier estimate and its Brookmeyer–Crowley interval (km_quantile.c), with the
 * censored runs counted. */
#include "por/require.h"

#include "por/time.h"
#include "stats/stats_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *por_verdict_name(por_verdict v)
{
    switch (v) {
    case POR_VERDICT_MET: return "met";
    case POR_VERDICT_NOT_MET: return "not met";
    case POR_VERDICT_UNDECIDED: return "undecided";
    }
    return "?";
}

int por_verdict_exit_code(por_verdict v)
{
    return v == POR_VERDICT_MET ? 0 : v == POR_VERDICT_NOT_MET ? 4 : 5;
}

por_verdict por_verdict_combine(const por_req_result *res, size_t n)
{
    por_verdict v = POR_VERDICT_MET;
    for (size_t i = 0; i < n; i++) {
        if (res[i].verdict == POR_VERDICT_NOT_MET)
            return POR_VERDICT_NOT_MET;
        if (res[i].verdict == POR_VERDICT_UNDECIDED)
            v = POR_VERDICT_UNDECIDED;
    }
    return v;
}

void por_require_free(por_require *r)
{
    if (r) {
        free(r->text);
        r->text = NULL;
    }
}

/* A plain number (strtod in the C locale), optionally with a '%' suffix. */
static bool por__req_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = por_strtod_c(s, &end);
    if (end == s || errno == ERANGE || !isfinite(x))
        return false;
    if (*end == '%') {
        x /= 100.0;
        end++;
    }
    if (*end != '\0')
        return false;
    *out = x;
    return true;
}

/* A bound of a duration metric: a duration ("1h", "90s") or bare seconds ("3600"). */
static bool por__req_duration(const char *s, double *ns)
{
    por_time_t t;
    const char *why;
    double x;
    if (por__req_number(s, &x) && !strchr(s, '%')) {
        *ns = x * 1e9;
        return true;
    }
    if (por_duration_parse(s, &t, &why) != 0)
        return false;
    *ns = (double)t;
    return true;
}

por_status por_require_parse(const char *expr, const por_metric_def *defs, size_t ncols,
                             por_require *out, por_error *err)
{
    memset(out, 0, sizeof *out);
    /* Without blanks: "feed_detect.p90 <= 1h" is the same requirement. */
    size_t len = strlen(expr);
    char *e = malloc(len + 1);
    if (!e)
        return por_error_set(err, POR_ENOMEM, "out of memory");
    size_t k = 0;
    for (const char *p = expr; *p; p++)
        if (!isspace((unsigned char)*p))
            e[k++] = *p;
    e[k] = '\0';

    char *op = strpbrk(e, "<>");
    if (!op) {
        free(e);
        return por_error_set(err, POR_EINPUT,
                             "--require %s: needs METRIC.STAT<=VALUE (or <, >=, >), e.g. "
                             "feed_detect.p90<=1h",
                             expr);
    }
    por_req_op o = op[0] == '<' ? (op[1] == '=' ? POR_REQ_LE : POR_REQ_LT)
                                : (op[1] == '=' ? POR_REQ_GE : POR_REQ_GT);
    char *rhs = op + (op[1] == '=' ? 2 : 1);
    *op = '\0';
    char *dot = strchr(e, '.'); /* metric names have no dots; "p99.5" may */
    if (!dot || dot == e || !dot[1]) {
        free(e);
        return por_error_set(err, POR_EINPUT,
                             "--require %s: the left side needs METRIC.STAT (STAT: mean, "
                             "median, p50, p90, p99 or pNN)",
                             expr);
    }
    *dot = '\0';
    const char *metric = e, *stat = dot + 1;
    size_t col = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, metric))
            col = c;
    if (col == ncols) {
        por_status st = por_error_set(err, POR_EINPUT, "--require %s: no metric named '%s'",
                                      expr, metric);
        free(e);
        return st;
    }
    out->col = col;
    out->op = o;
    double pct;
    if (!strcmp(stat, "mean")) {
        out->stat = POR_REQ_STAT_MEAN;
    } else if (!strcmp(stat, "median")) {
        out->stat = POR_REQ_STAT_QUANTILE;
        out->p = 0.5;
    } else if (stat[0] == 'p' && isdigit((unsigned char)stat[1]) && !strchr(stat, '%') &&
               por__req_number(stat + 1, &pct) && pct > 0 && pct < 100) {
        out->stat = POR_REQ_STAT_QUANTILE;
        out->p = pct / 100.0;
    } else {
        por_status st = por_error_set(err, POR_EINPUT,
                                      "--require %s: unknown statistic '%s' (mean, median, "
                                      "p50, p90, p99 or pNN with 0 < NN < 100)",
                                      expr, stat);
        free(e);
        return st;
    }

    /* The bound: VALUE, or VALUE/DIVISOR (a number, or a duration: a rate). */
    bool duration = defs[col].kind == POR_METRIC_DURATION;
    char *slash = strchr(rhs, '/');
    if (slash)
        *slash = '\0';
    bool ok = *rhs && (duration ? por__req_duration(rhs, &out->value)
                                : por__req_number(rhs, &out->value));
    if (ok && slash) {
        const char *div = slash + 1;
        double d;
        por_time_t t;
        const char *why;
        if (por__req_number(div, &d) && d != 0 && !strchr(div, '%'))
            out->value /= d;
        else if (!duration && por_duration_parse(div, &t, &why) == 0 && t > 0)
            out->per_ns = (double)t;
        else
            ok = false;
    }
    if (!ok) {
        por_status st = por_error_set(
            err, POR_EINPUT,
            "--require %s: bad value (%s; a ratio A/B divides by a number%s)", expr,
            duration ? "a duration like 1h or 90s, or seconds" : "a number, or a percentage",
            duration ? "" : " or is a rate per duration, e.g. 50000/365d");
        free(e);
        return st;
    }
    free(e);
    out->text = strdup(expr);
    if (!out->text)
        return por_error_set(err, POR_ENOMEM, "out of memory");
    return POR_OK;
}

size_t por_require_min_runs(double q)
{
    if (q <= 0)
        return 1;
    if (q >= 1)
        return SIZE_MAX;
    double n = ceil(log(0.025) / log(q) - 1e-9);
    return n < 1 ? 1 : (size_t)n;
}

/* Whether X satisfies "X OP T". */
static bool por__req_holds(por_req_op op, double x, double t)
{
    switch (op) {
    case POR_REQ_LE: return x <= t;
    case POR_REQ_LT: return x < t;
    case POR_REQ_GE: return x >= t;
    case POR_REQ_GT: return x > t;
    }
    return false;
}

/* The verdict of R from the summary S of its metric's N values and, for a quantile
 * requirement, the Kaplan-Meier quantile Q at R->p over every run (censored runs only
 * when CENSORABLE). */
static void por__require_decide(const por_require *r, bool censorable, const por_summary *s,
                                const por_km_quantile *q, size_t n, double horizon_ns,
                                por_req_result *out)
{
    por_req_result res = {POR_VERDICT_UNDECIDED, NAN, NAN, NAN, r->value, n, n};
    if (r->per_ns > 0)
        res.threshold = r->value * horizon_ns / r->per_ns;
    double t = res.threshold;
    bool upper = r->op == POR_REQ_LE || r->op == POR_REQ_LT; /* bound from above */

    if (r->stat == POR_REQ_STAT_MEAN) {
        res.estimate = s->mean;
        res.lo = s->ci_lo;
        res.hi = s->ci_hi;
        /* Censored runs are not in the mean and would only raise it: with any, the mean
         * of the observations cannot show that an upper bound holds, nor a lower bound
         * fail. */
        bool biased = censorable && s->censored > 0;
        if (s->n >= 2 && isfinite(s->ci_lo)) {
            bool lo_ok = por__req_holds(r->op, s->ci_lo, t);
            bool hi_ok = por__req_holds(r->op, s->ci_hi, t);
            if (lo_ok && hi_ok && !(biased && upper))
                res.verdict = POR_VERDICT_MET;
            else if (!lo_ok && !hi_ok && !(biased && !upper))
                res.verdict = POR_VERDICT_NOT_MET;
        }
        *out = res;
        return;
    }

    /* A quantile: Kaplan–Meier over every run (no censoring for other metrics). */
    size_t used = s->n + (censorable ? s->censored : 0);
    res.n = used;
    res.estimate = q->reached ? q->value : INFINITY;
    res.lo = q->lo_reached ? q->lo : INFINITY;
    res.hi = q->hi_reached ? q->hi : INFINITY;
    if (used == 0) {
        res.estimate = res.lo = res.hi = NAN;
        *out = res;
        return;
    }
    /* An upper bound "q <= t" is met when the CI's upper limit satisfies it, not met when
     * its lower limit violates it; a lower limit beyond the horizon (the band never fell
     * to 1 - p) lies above every t before the curve's end. Lower bounds mirror this. A
     * decision that needs every run on one side of t also needs enough runs that an
     * exact binomial test could make it (the normal band alone has zero width there). */
    bool lo_holds = q->lo_reached ? por__req_holds(r->op, q->lo, t) : !upper && t < q->end;
    bool lo_fails = q->lo_reached ? !por__req_holds(r->op, q->lo, t) : upper && t < q->end;
    bool hi_holds = q->hi_reached && por__req_holds(r->op, q->hi, t);
    bool hi_fails = q->hi_reached && !por__req_holds(r->op, q->hi, t);
    size_t need_below = por_require_min_runs(r->p);       /* all runs below t */
    size_t need_above = por_require_min_runs(1.0 - r->p); /* all runs above t */
    if (upper) {
        if (hi_holds && used >= need_below)
            res.verdict = POR_VERDICT_MET;
        else if (lo_fails && used >= need_above)
            res.verdict = POR_VERDICT_NOT_MET;
    } else {
        if (lo_holds && used >= need_above)
            res.verdict = POR_VERDICT_MET;
        else if (hi_fails && used >= need_below)
            res.verdict = POR_VERDICT_NOT_MET;
    }
    *out = res;
}

void por_require_judge(const por_require *r, const por_metric_def *def, const double *vals,
                       const bool *cens, size_t n, double horizon_ns, por_req_result *out)
{
    bool censorable = def->censorable && cens != NULL;
    por_summary s;
    por_summary_of(vals, censorable ? cens : NULL, n, &s);
    por_km_quantile q = {0};
    if (r->stat != POR_REQ_STAT_MEAN) {
        por_km_point *curve = malloc((n + 1) * sizeof *curve);
        POR_ASSERT(curve != NULL);
        size_t np = por_km_curve(vals, censorable ? cens : NULL, n, curve);
        por_km_quantile_of(curve, np, r->p, &q);
        free(curve);
    }
    por__require_decide(r, censorable, &s, &q, n, horizon_ns, out);
}

void por_require_judge_table(const por_require *r, const por_metric_table *t,
                             double horizon_ns, por_req_result *out)
{
    const por_metric_def *def = por_metric_table_def(t, r->col);
    por_summary s;
    por_metric_table_summarize(t, r->col, &s);
    por_km_quantile q = {0};
    if (r->stat != POR_REQ_STAT_MEAN)
        por_metric_table_km_quantile(t, r->col, r->p, &q);
    por__require_decide(r, def->censorable, &s, &q, por_metric_table_rows(t), horizon_ns, out);
}

char *por_require_format_value(const por_metric_def *def, double x, char *buf)
{
    if (isinf(x) && x > 0) {
        snprintf(buf, 64, "beyond horizon");
        return buf;
    }
    if (!isfinite(x)) {
        snprintf(buf, 64, "-");
        return buf;
    }
    if (def->kind != POR_METRIC_DURATION) {
        por_format_human(x, buf);
        return buf;
    }
    double scale;
    const char *unit = por_duration_display_unit(x, &scale);
    char num[64];
    por_format_human(x / scale, num);
    snprintf(buf, 64, "%.40s %s", num, unit);
    return buf;
}

void por_require_print(const por_require *r, const por_metric_def *def,
                       const por_req_result *res, FILE *f)
{
    char e[64], lo[64], hi[64], th[64];
    por_require_format_value(def, res->estimate, e);
    por_require_format_value(def, res->lo, lo);
    por_require_format_value(def, res->hi, hi);
    por_require_format_value(def, res->threshold, th);
    const char *stat = r->stat == POR_REQ_STAT_MEAN ? "mean" : "KM quantile";
    fprintf(f, "  %-32s %-9s %s %s, 95%% CI [%s, %s], bound %s, n %zu\n", r->text,
            por_verdict_name(res->verdict), stat, e, lo, hi, th, res->n);
}
