/* `porsim tune`: the cheapest point of a parameter grid that meets the targets.
 *
 * Given --param ranges (as porsim sweep), --require targets and a cost (--minimize
 * METRIC, its mean per run), tune races the points: a point runs replications 0..n-1,
 * n starting at --min-reps and doubling for the cheaper half of the live points each
 * stage, up to --max-reps. Replication r of every point uses the same random streams (the
 * scenario seed and r), so costs are compared pairwise. After each stage a point is
 * dropped when a target is not met (infeasible) or when its cost is confidently higher
 * (95 % paired t interval of the cost differences above 0) than that of a point that
 * meets every target. The race ends when one point is left or no live point can get
 * more replications. Stages run their cells on -j
 * threads and use the results in cell order: the same bytes for any -j. The output
 * directory has the sweep layout (points.csv, runs.csv, censored.csv, summary.csv,
 * meta.json) plus tune.csv, requirements.csv and frontier.csv; docs/tune.md. */
#ifndef POR_TUNE_H
#define POR_TUNE_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "por/tune.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

extern const char por_tune_usage[];

/* `porsim tune ...` with ARGV[1] == "tune". Returns the exit code: 0 a winner that meets
 * every target, with no cheaper point left undecided; 4 no point can meet the targets;
 * 5 undecided (no point confirmed, or cheaper points undecided at --max-reps); 1, 2, 3
 * as for sweep. */
int por_tune_main(int argc, char **argv);

#endif
