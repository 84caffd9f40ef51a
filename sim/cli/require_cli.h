/* `--require EXPR` for porsim run, sweep and tune (internal to sim/cli): the parsed list,
 * and its judgement of one scenario or of every sweep point (por/require.h). */
#ifndef POR_CLI_REQUIRE_CLI_H
#define POR_CLI_REQUIRE_CLI_H

#include "por/frontier.h"
#include "por/require.h"
#include "por/sweep.h"

#define POR_CLI_MAX_REQUIRE 16

typedef struct {
    const char *texts[POR_CLI_MAX_REQUIRE];
    por_require reqs[POR_CLI_MAX_REQUIRE];
    size_t n;
} por_cli_requires;

/* Consumes "--require EXPR" at argv[*I] (storing EXPR) if it is one. Returns 1 when
 * consumed, 0 when not that option, 2 after a usage error for CMD. */
int por_cli_require_opt(por_cli_requires *r, const char *cmd, int argc, char **argv, int *i);

/* Parses the stored expressions against the world's metrics. Returns 0, or 2 after
 * printing "porsim CMD: --require ...: why". */
int por_cli_require_parse(por_cli_requires *r, const char *cmd);

/* Frees the parsed requirements. */
void por_cli_require_free(por_cli_requires *r);

/* Judges every requirement on TABLE (a run), prints them to F under a heading, and
 * returns the combined verdict. With META not NULL, also sets *META to the meta.json
 * members that record them (malloc'd, caller frees): ",\n  \"requirements\": {...}". */
por_verdict por_cli_require_judge_table(const por_cli_requires *r, const por_metric_table *t,
                                        double horizon_ns, FILE *f, char **meta);

/* Judges every requirement on each point of a sweep: ROWS sorted by (point, rep),
 * HORIZON_NS per point. Fills RES (npoints * r->n, row-major; points without rows are
 * undecided with n = 0). */
void por_cli_require_judge_points(const por_cli_requires *r, const por_sweep_grid *g,
                                  const por_sweep_row *rows, size_t nrows,
                                  const double *horizon_ns, por_req_result *res);

/* Prints the per-point verdict table (one column per requirement, then "all") to F. */
void por_cli_require_print_points(const por_cli_requires *r, const por_sweep_grid *g,
                                  const por_req_result *res, FILE *f);

/* Writes requirements.csv text into F: point,<params...>,requirement,metric,statistic,
 * estimate,ci_lo,ci_hi,bound,n,verdict (durations in seconds, inf = beyond horizon). */
void por_cli_require_write_csv(const por_cli_requires *r, const por_sweep_grid *g,
                               const por_req_result *res, FILE *f);

/* The sweep's exit code from its verdicts: 0 when some point meets every requirement,
 * 4 when every point fails one, else 5 (undecided). 0 without requirements. */
int por_cli_require_sweep_code(const por_cli_requires *r, size_t npoints,
                               const por_req_result *res);


/* ---- frontier (por/frontier.h) ---------------------------------------------------- */

#define POR_CLI_MAX_OBJECTIVES 8

/* The objectives of a frontier: the cost first, then the risks. */
typedef struct {
    por_require objs[POR_CLI_MAX_OBJECTIVES];
    size_t n;
} por_cli_frontier;

/* Parses "COST,RISK[,RISK...]" (each METRIC.STAT) into F. Returns 0 or 2 after a usage
 * error for CMD. */
int por_cli_frontier_parse(por_cli_frontier *f, const char *cmd, const char *list);

void por_cli_frontier_free(por_cli_frontier *f);

/* Each point's objective estimates from sweep rows (sorted): OBJ (npoints * f->n), NaN
 * for points without rows, +inf for a quantile beyond the horizon. */
void por_cli_frontier_values(const por_cli_frontier *f, const por_sweep_grid *g,
                             const por_sweep_row *rows, size_t nrows,
                             const double *horizon_ns, double *obj);

/* Prints the frontier table to OUT: frontier points by increasing cost, then each
 * dominated point with the point that dominates it. VERDICT (npoints, may be NULL) adds
 * the combined requirement verdict per point. */
void por_cli_frontier_print(const por_cli_frontier *f, const por_sweep_grid *g,
                            const double *obj, const long *dominated_by,
                            const por_verdict *verdict, FILE *out);

/* Writes frontier.csv text: point,<params...>,<objective texts...>,requirements,pareto,
 * dominated_by (durations in seconds, inf = beyond horizon; requirements empty without
 * --require). Points without runs are left out. */
void por_cli_frontier_write_csv(const por_cli_frontier *f, const por_sweep_grid *g,
                                const double *obj, const long *dominated_by,
                                const por_verdict *verdict, FILE *out);


/* Writes frontier.svg: the first two objectives (cost across, first risk up), frontier
 * points filled and joined as a staircase, dominated points hollow, coloured by VERDICT
 * (may be NULL); a risk beyond the horizon is drawn in a band at the top. */
void por_cli_frontier_write_svg(const por_cli_frontier *f, const por_sweep_grid *g,
                                const double *obj, const long *dominated_by,
                                const por_verdict *verdict, FILE *out);

/* What --require and --frontier add to a sweep or tune once its rows are in (ROWS sorted
 * by point, HORIZON_NS per point): prints the verdict and frontier tables to OUT (unless
 * NULL), and adds requirements.csv, frontier.csv and frontier.svg (malloc'd texts; free
 * the .text members) to EXTRA (room for 3) counting *NEXTRA up. VERDICT (npoints, may be NULL)
 * receives each point's combined verdict. Returns the exit code of the verdicts
 * (por_cli_require_sweep_code). */
int por_cli_sweep_targets(const por_cli_requires *r, const por_cli_frontier *f,
                          const por_sweep_grid *g, const por_sweep_row *rows, size_t nrows,
                          const double *horizon_ns, FILE *out, por_sweep_extra_file *extra,
                          size_t *nextra, por_verdict *verdict);

#endif
