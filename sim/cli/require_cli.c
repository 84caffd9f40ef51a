/* `--require EXPR` of porsim run, sweep and tune: options, judgement of a run or of every
 * sweep point, the verdict table and requirements.csv (see require_cli.h). */
#include "require_cli.h"

#include "cliopt.h"
#include "por/csv.h"
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

/* A JSON number (durations in seconds); null when undefined, and for +inf (beyond the
 * horizon) too, which the "beyond_horizon" flags tell apart. */
static void por__json_num(FILE *f, double x, bool duration)
{
    char buf[64];
    fputs(por_format_double(duration ? x / 1e9 : x, buf, sizeof buf), f);
}

/* The meta.json members recording the judgement RES of R. */
static char *por__require_meta(const por_cli_requires *r, const por_metric_table *t,
                               const por_req_result *res, por_verdict all)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = por_xmemstream(&text, &len);
    fprintf(m, ",\n  \"requirements\": {\"confidence\": 0.95, \"verdict\": \"%s\", "
               "\"exit_code\": %d, \"targets\": [",
            por_verdict_name(all), por_verdict_exit_code(all));
    for (size_t k = 0; k < r->n; k++) {
        const por_require *q = &r->reqs[k];
        const por_metric_def *d = por_metric_table_def(t, q->col);
        bool dur = d->kind == POR_METRIC_DURATION;
        char pb[64];
        fprintf(m, "%s\n    {\"expr\": ", k ? "," : "");
        por_cli_json_string(m, q->text);
        fprintf(m, ", \"metric\": ");
        por_cli_json_string(m, d->name);
        if (q->stat == POR_REQ_STAT_MEAN)
            fprintf(m, ", \"statistic\": \"mean\"");
        else
            fprintf(m, ", \"statistic\": \"km_p%s\"", por_format_double(q->p * 100, pb, 64));
        fprintf(m, ", \"estimate\": ");
        por__json_num(m, res[k].estimate, dur);
        fprintf(m, ", \"ci95\": [");
        por__json_num(m, res[k].lo, dur);
        fprintf(m, ", ");
        por__json_num(m, res[k].hi, dur);
        fprintf(m, "], \"beyond_horizon\": [%s, %s, %s], \"bound\": ",
                isinf(res[k].estimate) ? "true" : "false", isinf(res[k].lo) ? "true" : "false",
                isinf(res[k].hi) ? "true" : "false");
        por__json_num(m, res[k].threshold, dur);
        fprintf(m, ", \"n\": %zu, \"verdict\": \"%s\"}", res[k].n,
                por_verdict_name(res[k].verdict));
    }
    fprintf(m, "]}");
    fclose(m);
    return text;
}

por_verdict por_cli_require_judge_table(const por_cli_requires *r, const por_metric_table *t,
                                        double horizon_ns, FILE *f, char **meta)
{
    por_req_result res[POR_CLI_MAX_REQUIRE];
    fprintf(f, "requirements (95%% confidence):\n");
    for (size_t k = 0; k < r->n; k++) {
        const por_metric_def *d = por_metric_table_def(t, r->reqs[k].col);
        por_require_judge_table(&r->reqs[k], t, horizon_ns, &res[k]);
        por_require_print(&r->reqs[k], d, &res[k], f);
    }
    por_verdict v = por_verdict_combine(res, r->n);
    fprintf(f, "  all: %s (exit code %d)\n", por_verdict_name(v), por_verdict_exit_code(v));
    if (meta)
        *meta = por__require_meta(r, t, res, v);
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
            res[p * r->n + k] = (por_req_result){POR_VERDICT_UNDECIDED, NAN, NAN, NAN, NAN, 0, 0};
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
        if (r->n && pr[0].runs == 0)
            continue; /* no rows here (another shard's point) */
        char *l = por__label(g, p);
        fprintf(f, "%6zu  %-*s", p, width, l);
        free(l);
        for (size_t k = 0; k < r->n; k++)
            fprintf(f, "  %*s", w[k], por_verdict_name(pr[k].verdict));
        fprintf(f, "  %9s\n", por_verdict_name(por_verdict_combine(pr, r->n)));
    }
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
        por_csv_write_field(f, g->paths[k]);
    }
    fputs(",requirement,metric,statistic,estimate,ci_lo,ci_hi,bound,n,verdict\n", f);
    for (size_t p = 0; p < g->npoints; p++) {
        for (size_t k = 0; k < r->n; k++) {
            const por_req_result *x = &res[p * r->n + k];
            const por_require *q = &r->reqs[k];
            if (x->runs == 0)
                continue;
            bool dur = defs[q->col].kind == POR_METRIC_DURATION;
            fprintf(f, "%zu", p);
            for (size_t i = 0; i < g->nparams; i++) {
                fputc(',', f);
                por_csv_write_field(f, g->values[p * g->nparams + i]);
            }
            fputc(',', f);
            por_csv_write_field(f, q->text);
            fputc(',', f);
            por_csv_write_field(f, defs[q->col].name);
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
        if (res[p * r->n].runs == 0)
            continue;
        any = true;
        por_verdict v = por_verdict_combine(res + p * r->n, r->n);
        if (v == POR_VERDICT_MET)
            return 0;
        any_undecided |= v == POR_VERDICT_UNDECIDED;
    }
    return !any || any_undecided ? 5 : 4;
}

/* ---- frontier ----------------------------------------------------------------------- */

int por_cli_frontier_parse(por_cli_frontier *f, const char *cmd, const char *list)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    char *copy = por_xstrdup(list), *save = NULL;
    f->n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        por_error err = {POR_OK, ""};
        if (f->n >= POR_CLI_MAX_OBJECTIVES) {
            free(copy);
            por_cli_frontier_free(f);
            return por_cli_usage_error(cmd, "--frontier: at most %d objectives",
                                       POR_CLI_MAX_OBJECTIVES);
        }
        if (por_objective_parse(tok, defs, ncols, &f->objs[f->n], &err) != POR_OK) {
            free(copy);
            por_cli_frontier_free(f);
            return por_cli_usage_error(cmd, "--frontier: %s", err.msg);
        }
        f->n++;
    }
    free(copy);
    if (f->n < 2) {
        por_cli_frontier_free(f);
        return por_cli_usage_error(cmd, "--frontier needs COST,RISK[,RISK...], e.g. "
                                        "gas.mean,feed_detect.p90");
    }
    return 0;
}

void por_cli_frontier_free(por_cli_frontier *f)
{
    for (size_t k = 0; k < f->n; k++)
        por_require_free(&f->objs[k]);
    f->n = 0;
}

void por_cli_frontier_values(const por_cli_frontier *f, const por_sweep_grid *g,
                             const por_sweep_row *rows, size_t nrows,
                             const double *horizon_ns, double *obj)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    for (size_t i = 0; i < g->npoints * f->n; i++)
        obj[i] = NAN;
    double *vals = por_xmalloc((nrows ? nrows : 1) * sizeof *vals);
    bool *cens = por_xmalloc((nrows ? nrows : 1) * sizeof *cens);
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && rows[j].point == rows[i].point)
            j++;
        uint64_t p = rows[i].point;
        for (size_t k = 0; k < f->n; k++) {
            const por_require *q = &f->objs[k];
            por_req_result res;
            por_sweep_rows_values(rows + i, j - i, q->col, vals, cens);
            por_require_judge(q, &defs[q->col], vals, cens, j - i, horizon_ns[p], &res);
            obj[p * f->n + k] = res.estimate;
        }
        i = j;
    }
    free(vals);
    free(cens);
}

static const double *por__cmp_obj;
static size_t por__cmp_nobj;

/* Orders point indexes by their first objective, then by index (qsort is fine here: the
 * CLI sorts from one thread). */
static int por__cmp_cost(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double cx = por__cmp_obj[x * por__cmp_nobj], cy = por__cmp_obj[y * por__cmp_nobj];
    if (cx != cy)
        return (cx > cy) - (cx < cy);
    return (x > y) - (x < y);
}

void por_cli_frontier_print(const por_cli_frontier *f, const por_sweep_grid *g,
                            const double *obj, const long *dominated_by,
                            const por_verdict *verdict, FILE *out)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    size_t *order = por_xmalloc((g->npoints ? g->npoints : 1) * sizeof *order);
    size_t n = 0;
    for (size_t p = 0; p < g->npoints; p++)
        if (dominated_by[p] != -2)
            order[n++] = p;
    por__cmp_obj = obj;
    por__cmp_nobj = f->n;
    qsort(order, n, sizeof *order, por__cmp_cost);
    int width = 10;
    for (size_t p = 0; p < g->npoints; p++) {
        char *l = por__label(g, p);
        int len = (int)strlen(l);
        width = len > width ? (len > 200 ? 200 : len) : width;
        free(l);
    }
    fprintf(out, "frontier (cost %s; all objectives minimised):\n", f->objs[0].text);
    fprintf(out, "%6s  %-*s", "point", width, "parameters");
    for (size_t k = 0; k < f->n; k++)
        fprintf(out, "  %16s", f->objs[k].text);
    if (verdict)
        fprintf(out, "  %12s", "requirements");
    fprintf(out, "  %s\n", "pareto");
    for (int pass = 0; pass < 2; pass++) /* frontier first, then the dominated points */
        for (size_t i = 0; i < n; i++) {
            size_t p = order[i];
            if ((dominated_by[p] == -1) != (pass == 0))
                continue;
            char *l = por__label(g, p);
            fprintf(out, "%6zu  %-*s", p, width, l);
            free(l);
            for (size_t k = 0; k < f->n; k++) {
                char buf[64];
                por_require_format_value(&defs[f->objs[k].col], obj[p * f->n + k], buf);
                fprintf(out, "  %16s", buf);
            }
            if (verdict)
                fprintf(out, "  %12s", por_verdict_name(verdict[p]));
            if (dominated_by[p] == -1)
                fprintf(out, "  frontier\n");
            else
                fprintf(out, "  dominated by %ld\n", dominated_by[p]);
        }
    free(order);
}

void por_cli_frontier_write_csv(const por_cli_frontier *f, const por_sweep_grid *g,
                                const double *obj, const long *dominated_by,
                                const por_verdict *verdict, FILE *out)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    fputs("point", out);
    for (size_t k = 0; k < g->nparams; k++) {
        fputc(',', out);
        por_csv_write_field(out, g->paths[k]);
    }
    for (size_t k = 0; k < f->n; k++) {
        fputc(',', out);
        por_csv_write_field(out, f->objs[k].text);
    }
    fputs(",requirements,pareto,dominated_by\n", out);
    for (size_t p = 0; p < g->npoints; p++) {
        if (dominated_by[p] == -2)
            continue;
        fprintf(out, "%zu", p);
        for (size_t i = 0; i < g->nparams; i++) {
            fputc(',', out);
            por_csv_write_field(out, g->values[p * g->nparams + i]);
        }
        for (size_t k = 0; k < f->n; k++)
            por__num(out, obj[p * f->n + k],
                     defs[f->objs[k].col].kind == POR_METRIC_DURATION);
        fprintf(out, ",%s,%s,", verdict ? por_verdict_name(verdict[p]) : "",
                dominated_by[p] == -1 ? "true" : "false");
        if (dominated_by[p] >= 0)
            fprintf(out, "%ld", dominated_by[p]);
        fputc('\n', out);
    }
}

int por_cli_sweep_targets(const por_cli_requires *r, const por_cli_frontier *f,
                          const por_sweep_grid *g, const por_sweep_row *rows, size_t nrows,
                          const double *horizon_ns, FILE *out, por_sweep_extra_file *extra,
                          size_t *nextra, por_verdict *verdict)
{
    size_t np = g->npoints ? g->npoints : 1;
    por_verdict *v = NULL;
    int code = 0;
    if (r->n) {
        por_req_result *res = por_xmalloc(np * r->n * sizeof *res);
        por_cli_require_judge_points(r, g, rows, nrows, horizon_ns, res);
        v = por_xmalloc(np * sizeof *v);
        for (size_t p = 0; p < g->npoints; p++)
            v[p] = por_verdict_combine(res + p * r->n, r->n);
        if (verdict)
            memcpy(verdict, v, g->npoints * sizeof *v);
        if (out)
            por_cli_require_print_points(r, g, res, out);
        char *text = NULL;
        size_t len = 0;
        FILE *m = por_xmemstream(&text, &len);
        por_cli_require_write_csv(r, g, res, m);
        fclose(m);
        extra[(*nextra)++] = (por_sweep_extra_file){"requirements.csv", text};
        code = por_cli_require_sweep_code(r, g->npoints, res);
        free(res);
    }
    if (f->n) {
        double *obj = por_xmalloc(np * f->n * sizeof *obj);
        long *dom = por_xmalloc(np * sizeof *dom);
        por_cli_frontier_values(f, g, rows, nrows, horizon_ns, obj);
        por_pareto(obj, g->npoints, f->n, dom);
        if (out)
            por_cli_frontier_print(f, g, obj, dom, v, out);
        char *text = NULL;
        size_t len = 0;
        FILE *m = por_xmemstream(&text, &len);
        por_cli_frontier_write_csv(f, g, obj, dom, v, m);
        fclose(m);
        extra[(*nextra)++] = (por_sweep_extra_file){"frontier.csv", text};
        text = NULL;
        m = por_xmemstream(&text, &len);
        por_cli_frontier_write_svg(f, g, obj, dom, v, m);
        fclose(m);
        extra[(*nextra)++] = (por_sweep_extra_file){"frontier.svg", text};
        free(obj);
        free(dom);
    }
    free(v);
    return code;
}

/* ---- frontier plot ------------------------------------------------------------------ */

/* Maps V in [LO, HI] to [A, B]. */
static double por__map(double v, double lo, double hi, double a, double b)
{
    return hi > lo ? a + (v - lo) / (hi - lo) * (b - a) : (a + b) / 2;
}

void por_cli_frontier_write_svg(const por_cli_frontier *f, const por_sweep_grid *g,
                                const double *obj, const long *dominated_by,
                                const por_verdict *verdict, FILE *out)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    const por_metric_def *dx = &defs[f->objs[0].col], *dy = &defs[f->objs[1].col];
    const double W = 720, H = 450, L = 90, R = 50, T = 50, B = 60;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    bool beyond = false;
    for (size_t p = 0; p < g->npoints; p++) {
        if (dominated_by[p] == -2)
            continue;
        double x = obj[p * f->n], y = obj[p * f->n + 1];
        if (isfinite(x)) {
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
        }
        if (isfinite(y)) {
            ylo = fmin(ylo, y);
            yhi = fmax(yhi, y);
        } else if (isinf(y)) {
            beyond = true;
        }
    }
    if (!isfinite(xlo))
        xlo = 0, xhi = 1;
    if (!isfinite(ylo))
        ylo = 0, yhi = 1;
    double xpad = (xhi - xlo) * 0.05, ypad = (yhi - ylo) * 0.05;
    xlo -= xpad, xhi += xpad, ylo -= ypad, yhi += ypad;
    /* Durations in one display unit. */
    double yscale = 1, xscale = 1;
    const char *yu = dy->unit ? dy->unit : "", *xu = dx->unit ? dx->unit : "";
    if (dy->kind == POR_METRIC_DURATION)
        yu = por_duration_display_unit((ylo + yhi) / 2, &yscale);
    if (dx->kind == POR_METRIC_DURATION)
        xu = por_duration_display_unit((xlo + xhi) / 2, &xscale);
    double ytop = beyond ? T + 24 : T; /* a band on top for "beyond horizon" */

    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
                 "viewBox=\"0 0 %g %g\" font-family=\"sans-serif\" font-size=\"12\">\n",
            W, H, W, H);
    fprintf(out, "<title>Pareto frontier: %s against %s</title>\n", f->objs[0].text,
            f->objs[1].text);
    fprintf(out, "<rect width=\"%g\" height=\"%g\" fill=\"white\"/>\n", W, H);
    fprintf(out, "<text x=\"%g\" y=\"22\" font-size=\"14\">Pareto frontier (filled) and "
                 "dominated points (hollow); both axes minimised</text>\n", L);
    fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", L,
            H - B, W - R, H - B);
    fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", L, T, L,
            H - B);
    for (int k = 0; k <= 4; k++) {
        char buf[64];
        double xv = xlo + (xhi - xlo) * k / 4, yv = ylo + (yhi - ylo) * k / 4;
        double xp = por__map(xv, xlo, xhi, L, W - R), yp = por__map(yv, ylo, yhi, H - B, ytop);
        fprintf(out, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%s</text>\n", xp,
                H - B + 16, por_format_human(xv / xscale, buf));
        fprintf(out, "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 6,
                yp + 4, por_format_human(yv / yscale, buf));
    }
    fprintf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s%s%s%s</text>\n",
            (L + W - R) / 2, H - 16, f->objs[0].text, *xu ? " (" : "", xu, *xu ? ")" : "");
    fprintf(out, "<text transform=\"translate(18 %g) rotate(-90)\" text-anchor=\"middle\">"
                 "%s%s%s%s</text>\n",
            (T + H - B) / 2, f->objs[1].text, *yu ? " (" : "", yu, *yu ? ")" : "");
    if (beyond)
        fprintf(out, "<text x=\"%g\" y=\"%g\" fill=\"#555\">beyond horizon</text>\n", L + 6,
                T + 10);

    /* The frontier as a staircase, by increasing cost. */
    size_t *order = por_xmalloc((g->npoints ? g->npoints : 1) * sizeof *order), n = 0;
    for (size_t p = 0; p < g->npoints; p++)
        if (dominated_by[p] == -1 && isfinite(obj[p * f->n]))
            order[n++] = p;
    por__cmp_obj = obj;
    por__cmp_nobj = f->n;
    qsort(order, n, sizeof *order, por__cmp_cost);
    fprintf(out, "<polyline fill=\"none\" stroke=\"#1f77b4\" points=\"");
    for (size_t i = 0; i < n; i++) {
        double y = obj[order[i] * f->n + 1];
        double xp = por__map(obj[order[i] * f->n], xlo, xhi, L, W - R);
        double yp = isfinite(y) ? por__map(y, ylo, yhi, H - B, ytop) : T + 6;
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", xp, yp);
    }
    fprintf(out, "\"/>\n");
    free(order);

    for (size_t p = 0; p < g->npoints; p++) {
        if (dominated_by[p] == -2 || !isfinite(obj[p * f->n]))
            continue;
        double y = obj[p * f->n + 1];
        double xp = por__map(obj[p * f->n], xlo, xhi, L, W - R);
        double yp = isfinite(y) ? por__map(y, ylo, yhi, H - B, ytop) : T + 6;
        const char *color = !verdict ? "#1f77b4"
                            : verdict[p] == POR_VERDICT_MET ? "#2ca02c"
                            : verdict[p] == POR_VERDICT_NOT_MET ? "#d62728" : "#ff7f0e";
        bool front = dominated_by[p] == -1;
        char *label = por__label(g, p);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" stroke=\"%s\" fill=\"%s\">"
                     "<title>point %zu: %s%s%s</title></circle>\n",
                xp, yp, color, front ? color : "white", p, label,
                verdict ? ", targets " : "", verdict ? por_verdict_name(verdict[p]) : "");
        if (front)
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%zu</text>\n", xp + 7,
                    yp - 5, p);
        free(label);
    }
    if (verdict) {
        static const char *const names[3] = {"targets met", "undecided", "not met"};
        static const char *const colors[3] = {"#2ca02c", "#ff7f0e", "#d62728"};
        for (int k = 0; k < 3; k++)
            fprintf(out, "<text x=\"%g\" y=\"38\" font-size=\"11\" fill=\"%s\">%s</text>\n",
                    L + 90.0 * k, colors[k], names[k]);
    }
    fprintf(out, "</svg>\n");
}
