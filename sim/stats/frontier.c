/* The Pareto frontier over a cost and risks (see por/frontier.h). Quadratic in the
 * number of points, which is fine for grids of up to a few thousand points. */
#include "por/frontier.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

por_status por_objective_parse(const char *text, const por_metric_def *defs, size_t ncols,
                               por_require *out, por_error *err)
{
    if (strpbrk(text, "<>"))
        return por_error_set(err, POR_EINPUT,
                             "objective %s: give METRIC.STAT without a bound (e.g. gas.mean)",
                             text);
    size_t len = strlen(text) + 4;
    char *e = por_xmalloc(len);
    snprintf(e, len, "%s<=0", text);
    por_status st = por_require_parse(e, defs, ncols, out, err);
    free(e);
    if (st != POR_OK) /* the message names TEXT<=0: say it again without the bound */
        return por_error_set(err, POR_EINPUT, "objective %s: needs METRIC.STAT with a known "
                             "metric and STAT mean, median, p50, p90, p99 or pNN", text);
    free(out->text);
    out->text = por_xstrdup(text);
    return POR_OK;
}

/* Whether A dominates B: no worse everywhere, better somewhere. */
static bool por__dominates(const double *a, const double *b, size_t nobj)
{
    bool better = false;
    for (size_t k = 0; k < nobj; k++) {
        if (a[k] > b[k])
            return false;
        better |= a[k] < b[k];
    }
    return better;
}

size_t por_pareto(const double *obj, size_t npoints, size_t nobj, long *dominated_by)
{
    size_t nfront = 0;
    for (size_t i = 0; i < npoints; i++) {
        const double *x = obj + i * nobj;
        dominated_by[i] = -1;
        for (size_t k = 0; k < nobj; k++)
            if (isnan(x[k]))
                dominated_by[i] = -2;
        if (dominated_by[i] == -2)
            continue;
        for (size_t j = 0; j < npoints; j++) {
            const double *y = obj + j * nobj;
            bool defined = true;
            for (size_t k = 0; k < nobj; k++)
                defined &= !isnan(y[k]);
            if (j == i || !defined || !por__dominates(y, x, nobj))
                continue;
            if (dominated_by[i] < 0 || y[0] < obj[(size_t)dominated_by[i] * nobj])
                dominated_by[i] = (long)j;
        }
        nfront += dominated_by[i] == -1;
    }
    return nfront;
}
