/* The Pareto frontier of sweep and tune points over a cost and one or more risks.
 *
 * Every objective is a statistic of a metric (METRIC.STAT as in --require: mean, median,
 * pNN) and is minimised: less gas, earlier detection, less unbacked supply. A point is
 * dominated when another point is no worse in every objective and better in one; the
 * frontier is the set of points no point dominates. Points with an undefined objective
 * (no runs, NaN) take no part. A quantile beyond the horizon counts as +infinity. */
#ifndef POR_FRONTIER_H
#define POR_FRONTIER_H

#include "por/require.h"

#include <stddef.h>

/* Parses an objective "METRIC.STAT" (no bound) into OUT (free with por_require_free).
 * Returns POR_OK or POR_EINPUT with ERR set. */
por_status por_objective_parse(const char *text, const por_metric_def *defs, size_t ncols,
                               por_require *out, por_error *err);

/* Marks the Pareto frontier of NPOINTS points with NOBJ objectives each (OBJ row-major,
 * all minimised). DOMINATED_BY[i] is -1 for a frontier point, -2 for a point with an
 * undefined (NaN) objective, else the index of the point that dominates it with the
 * smallest first objective (lowest index at ties). Returns the frontier's size. */
size_t por_pareto(const double *obj, size_t npoints, size_t nobj, long *dominated_by);

#endif
