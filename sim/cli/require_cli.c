/* `--require EXPR` of porsim run, sweep and tune: options, judgement of a run or of every
 * sweep point, the verdict table and requirements.csv (see require_cli.h). */
#include "require_cli.h"

#include "cliopt.h"
#include "por/world.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int por_cli_require_opt(por_cli_requires *r, const char *cmd, int argc, char **argv, int *i)
{
    const char *v = NULL;
    bool missing = false;
    if (!por_cli_opt(argc, argv, i, NULL, "--require", &v, &missing))
        return 0;
    if (missing || !*v) {
        por_cli_usage_error(cmd, "--require needs METRIC.STAT<=VALUE, e.g. feed_detect.p90<=1h");
        return 2;
    }
    if (r->n >= POR_CLI_MAX_REQUIRE) {
        por_cli_usage_error(cmd, "too many --require options (limit %d)", POR_CLI_MAX_REQUIRE);
        return 2;
    }
    r->texts[r->n++] = v;
    return 1;
}

int por_cli_require_parse(por_cli_requires *r, const char *cmd)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    for (size_t k = 0; k < r->n; k++) {
        por_error err = {POR_OK, ""};
        if (por_require_parse(r->texts[k], defs, ncols, &r->reqs[k], &err) != POR_OK) {
            for (size_t j = 0; j < k; j++)
                por_require_free(&r->reqs[j]);
            r->n = 0;
            return por_cli_usage_error(cmd, "%s", err.msg);
        }
    }
    return 0;
}

void por_cli_require_free(por_cli_requires *r)
{
    for (size_t k = 0; k < r->n; k++)
        por_require_free(&r->reqs[k]);
    r->n = 0;
}

por_verdict por_cli_require_judge_table(const por_cli_requires *r, const por_metric_table *t,
                                        double horizon_ns, FILE *f)
{
    size_t n = por_metric_table_rows(t);
    double *vals = por_xmalloc((n ? n : 1) * sizeof *vals);
    bool *cens = por_xmalloc((n ? n : 1) * sizeof *cens);
    por_req_result res[POR_CLI_MAX_REQUIRE];
    fprintf(f, "requirements (95%% confidence):\n");
    for (size_t k = 0; k < r->n; k++) {
        const por_metric_def *d = por_metric_table_def(t, r->reqs[k].col);
        por_metric_table_column(t, r->reqs[k].col, vals, cens);
        por_require_judge(&r->reqs[k], d, vals, cens, n, horizon_ns, &res[k]);
        por_require_print(&r->reqs[k], d, &res[k], f);
    }
    free(vals);
    free(cens);
    por_verdict v = por_verdict_combine(res, r->n);
    fprintf(f, "  all: %s (exit code %d)\n", por_verdict_name(v), por_verdict_exit_code(v));
    return v;
}

void por_cli_require_judge_points(const por_cli_requires *r, const por_sweep_grid *g,
                                  const por_sweep_row *rows, size_t nrows,
                                  const double *horizon_ns, por_req_result *res)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    for (size_t p = 0; p < g->npoints; p++)
        for (size_t k = 0; k < r->n; k++)
            res[p * r->n + k] = (por_req_result){POR_VERDICT_UNDECIDED, NAN, NAN, NAN, NAN, 0};
    double *vals = por_xmalloc((nrows ? nrows : 1) * sizeof *vals);
    bool *cens = por_xmalloc((nrows ? nrows : 1) * sizeof *cens);
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && rows[j].point == rows[i].point)
            j++;
        uint64_t p = rows[i].point;
        for (size_t k = 0; k < r->n; k++) {
            const por_require *q = &r->reqs[k];
            por_sweep_rows_values(rows + i, j - i, q->col, vals, cens);
            por_require_judge(q, &defs[q->col], vals, cens, j - i, horizon_ns[p],
                              &res[p * r->n + k]);
        }
        i = j;
    }
    free(vals);
    free(cens);
}

/* "path=value path=value" of point P into a malloc'd string. */
static char *por__label(const por_sweep_grid *g, size_t p)
{
    size_t len = 1;
    for (size_t k = 0; k < g->nparams; k++)
        len += strlen(g->paths[k]) + strlen(g->values[p * g->nparams + k]) + 2;
    char *s = por_xmalloc(len), *o = s;
    *o = '\0';
    for (size_t k = 0; k < g->nparams; k++)
        o += sprintf(o, "%s%s=%s", k ? " " : "", g->paths[k], g->values[p * g->nparams + k]);
    return s;
}

void por_cli_require_print_points(const por_cli_requires *r, const por_sweep_grid *g,
                                  const por_req_result *res, FILE *f)
{
    int width = 10;
    for (size_t p = 0; p < g->npoints; p++) {
        char *l = por__label(g, p);
        int len = (int)strlen(l);
        width = len > width ? (len > 200 ? 200 : len) : width;
        free(l);
    }
    fprintf(f, "requirements per point (95%% confidence):\n");
    fprintf(f, "%6s  %-*s", "point", width, "parameters");
    int w[POR_CLI_MAX_REQUIRE];
    for (size_t k = 0; k < r->n; k++) {
        w[k] = (int)strlen(r->reqs[k].text);
        if (w[k] < 9)
            w[k] = 9;
        fprintf(f, "  %*s", w[k], r->reqs[k].text);
    }
    fprintf(f, "  %9s\n", "all");
    for (size_t p = 0; p < g->npoints; p++) {
        const por_req_result *pr = res + p * r->n;
        if (r->n && pr[0].n == 0)
            continue; /* no rows here (another shard's point) */
        char *l = por__label(g, p);
        fprintf(f, "%6zu  %-*s", p, width, l);
        free(l);
        for (size_t k = 0; k < r->n; k++)
            fprintf(f, "  %*s", w[k], por_verdict_name(pr[k].verdict));
        fprintf(f, "  %9s\n", por_verdict_name(por_verdict_combine(pr, r->n)));
    }
}

static void por__csv(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A number of requirements.csv: seconds for durations, inf, or empty when undefined. */
static void por__num(FILE *f, double x, bool duration)
{
    char buf[64];
    fputc(',', f);
    if (isinf(x) && x > 0)
        fputs("inf", f);
    else if (isfinite(x))
        fputs(por_format_double(duration ? x / 1e9 : x, buf, sizeof buf), f);
}

void por_cli_require_write_csv(const por_cli_requires *r, const por_sweep_grid *g,
                               const por_req_result *res, FILE *f)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    fputs("point", f);
    for (size_t k = 0; k < g->nparams; k++) {
        fputc(',', f);
        por__csv(f, g->paths[k]);
    }
    fputs(",requirement,metric,statistic,estimate,ci_lo,ci_hi,bound,n,verdict\n", f);
    for (size_t p = 0; p < g->npoints; p++) {
        for (size_t k = 0; k < r->n; k++) {
            const por_req_result *x = &res[p * r->n + k];
            const por_require *q = &r->reqs[k];
            if (x->n == 0)
                continue;
            bool dur = defs[q->col].kind == POR_METRIC_DURATION;
            fprintf(f, "%zu", p);
            for (size_t i = 0; i < g->nparams; i++) {
                fputc(',', f);
                por__csv(f, g->values[p * g->nparams + i]);
            }
            fputc(',', f);
            por__csv(f, q->text);
            fputc(',', f);
            por__csv(f, defs[q->col].name);
            if (q->stat == POR_REQ_STAT_MEAN) {
                fputs(",mean", f);
            } else {
                char pb[64];
                fprintf(f, ",km_p%s", por_format_double(q->p * 100, pb, sizeof pb));
            }
            por__num(f, x->estimate, dur);
            por__num(f, x->lo, dur);
            por__num(f, x->hi, dur);
            por__num(f, x->threshold, dur);
            fprintf(f, ",%zu,%s\n", x->n, por_verdict_name(x->verdict));
        }
    }
}

int por_cli_require_sweep_code(const por_cli_requires *r, size_t npoints,
                               const por_req_result *res)
{
    if (r->n == 0)
        return 0;
    bool any_undecided = false, any = false;
    for (size_t p = 0; p < npoints; p++) {
        if (res[p * r->n].n == 0)
            continue;
        any = true;
        por_verdict v = por_verdict_combine(res + p * r->n, r->n);
        if (v == POR_VERDICT_MET)
            return 0;
        any_undecided |= v == POR_VERDICT_UNDECIDED;
    }
    return !any || any_undecided ? 5 : 4;
}
