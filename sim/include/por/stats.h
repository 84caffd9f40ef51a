/* Per-replication metrics, their summaries, and the run outputs built from them.
 *
 * A porsim run executes R replications; each yields one row of metrics. A metric table
 * has its columns fixed at creation (por_metric_def) and gets one row per replication.
 * From it come runs.csv (one row per replication), summary.json (descriptive statistics
 * per metric, plus Kaplan–Meier for censorable metrics) and a terminal table. Every
 * writer is deterministic: same table contents, same bytes, whatever the order the rows
 * were added in (rows are written and summarized in replication order), whatever the
 * process locale. The formats are documented in sim/stats/FORMATS.md.
 *
 * Censoring: a detection that did not happen before the horizon is censored. A censored
 * cell carries the censoring time (horizon - onset) as its value, or no value at all,
 * which Kaplan–Meier treats as censored at +infinity (at risk at every event time; this
 * equals censoring at the horizon whenever every event precedes the horizon). Censored
 * values never enter the mean, sd, CI or quantiles; they are counted apart. */
#ifndef POR_STATS_H
#define POR_STATS_H

#include "por/number.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a metric measures, which decides how it is stored and printed. */
typedef enum {
    POR_METRIC_DURATION, /* int64 nanoseconds (cell.ns); printed in seconds */
    POR_METRIC_AMOUNT,   /* token/reserve amount (cell.value, optional exact string) */
    POR_METRIC_COUNT,    /* a count (cell.value, integral) */
    POR_METRIC_RATIO     /* a dimensionless ratio (cell.value) */
} por_metric_kind;

/* The kind's name in summary.json and columns.csv: "duration", "amount", "count",
 * "ratio". */
const char *por_metric_kind_name(por_metric_kind k);

/* One column. NAME is the CSV header and JSON key: it must be non-empty and unique in a
 * table. UNIT (may be NULL) labels AMOUNT, COUNT and RATIO values ("USD", "mints");
 * DURATION columns are always reported in seconds ("s"), whatever UNIT says. HELP (may
 * be NULL) is a one-line description copied into summary.json. The table copies all
 * strings; the caller's definitions need not outlive por_metric_table_create. */
typedef struct {
    const char *name;
    por_metric_kind kind;
    bool censorable;
    const char *unit;
    const char *help;
} por_metric_def;

/* One cell of a row.
 * - present=false, censored=false: absent (the metric does not apply to this run).
 * - present=true, censored=false: an observation; DURATION reads NS, the other kinds
 *   read VALUE. A non-finite VALUE counts as absent ("missing").
 * - censored=true (only meaningful on censorable columns): censored at NS / VALUE when
 *   present, at +infinity when not. A censored cell on a non-censorable column is a
 *   caller bug (POR_ASSERT).
 * EXACT (AMOUNT only, may be NULL) is the exact decimal text of an observation, written
 *   to runs.csv instead of VALUE (amounts may exceed double precision); it is copied. */
typedef struct {
    bool present;
    bool censored;
    double value;
    int64_t ns;
    const char *exact;
} por_metric_cell;

/* Columns fixed at creation, rows appended. Not thread-safe: one thread adds rows. */
typedef struct por_metric_table por_metric_table;

/* Creates an empty table with NCOLS columns (NCOLS >= 1) copied from DEFS. Names must be
 * non-empty and distinct (POR_ASSERT). Never NULL (exits on OOM).
 * Caller frees with por_metric_table_destroy. */
por_metric_table *por_metric_table_create(const por_metric_def *defs, size_t ncols);

/* Frees T and everything it owns. T may be NULL. */
void por_metric_table_destroy(por_metric_table *t);

/* Appends the row of replication REP: CELLS holds one cell per column, in column
 * order; strings are copied. Rows may come in any order; writers sort them by REP.
 * Two rows with the same REP make the writers fail with EINVAL. */
void por_metric_table_add_row(por_metric_table *t, uint64_t rep, const por_metric_cell *cells);

/* Keeps at most WINDOW (>= 1) rows of T in memory: past it, the rows go to unlinked
 * temporary files in $TMPDIR (else /tmp), about 10 bytes a cell, read back by every
 * reader and writer of T with the same results, and the summaries sort a column on disk
 * in bounded memory. Rows must then be added in strictly increasing replication order
 * (POR_ASSERT). Call before the first row; if no temporary file can be made, T keeps
 * every row in memory as without this call. A write error later exits 1 with a message. */
void por_metric_table_spill(por_metric_table *t, size_t window);

/* Returns the number of rows added so far. */
size_t por_metric_table_rows(const por_metric_table *t);

/* Returns the number of columns. */
size_t por_metric_table_cols(const por_metric_table *t);

/* Returns the definition of column COL (< cols); owned by T, valid until destroy. */
const por_metric_def *por_metric_table_def(const por_metric_table *t, size_t col);

/* Returns the column index of the metric called NAME, or -1 if there is none. */
long por_metric_table_find(const por_metric_table *t, const char *name);

/* Descriptive summary of one column. N counts observations (present, not censored,
 * finite); CENSORED counts censored cells; MISSING counts the rest. MEAN, SD, CI, the
 * quantiles, MIN and MAX are over the N observations only (NaN when undefined: N = 0,
 * or N < 2 for SD and CI). CI is the 95% t-interval mean ± t(0.975, N-1)·SD/sqrt(N).
 * Quantiles are type 7 (linear interpolation between order statistics). KM_VALID is
 * true when a Kaplan–Meier estimate was made (censorable data with at least one
 * observation or censored cell); KM_MEDIAN is then the smallest event time t with
 * S(t) <= 0.5, valid only when KM_MEDIAN_REACHED (else NaN). Durations are in ns. */
/* A Kaplan–Meier quantile with its 95% confidence interval (por_km_quantile).
 * REACHED: the estimate exists (the curve fell to 1 - P); otherwise VALUE is NaN and
 * the quantile lies beyond the horizon (past the last time the data followed).
 * LO_REACHED / HI_REACHED likewise for the limits; a limit not reached is "beyond
 * horizon" (NaN). LO <= VALUE <= HI whenever they exist. END is the time the curve's
 * support ends (the last point of the curve: the last finite censoring time after
 * every event, else the last event time), so "beyond horizon" means "greater than END",
 * as far as the data tell. */
typedef struct {
    double p;
    bool reached, lo_reached, hi_reached;
    double value, lo, hi;
    double end;
} por_km_quantile;

/* The quantile levels summaries carry: p50, p90, p99. */
#define POR_KM_NQ 3
extern const double por_km_levels[POR_KM_NQ];

typedef struct {
    size_t n, censored, missing;
    double mean, sd, ci_lo, ci_hi, median, p90, p99, min, max;
    bool km_valid;
    double km_median;
    bool km_median_reached;
    /* With KM_VALID: the Kaplan–Meier p50, p90, p99 (por_km_levels) with their CIs. */
    por_km_quantile km_q[POR_KM_NQ];
} por_summary;

/* Summarizes N values. CENSORED (may be NULL: nothing censored, no Kaplan–Meier)
 * flags censored entries; a censored entry's value is its censoring time (NaN or +inf:
 * censored at +infinity). A non-censored NaN or infinite value counts as missing.
 * Fills OUT; allocates only temporary memory. */
void por_summary_of(const double *values, const bool *censored, size_t n, por_summary *out);

/* Reads column COL of T, rows in replication order, into VALS (durations in ns; NaN for
 * an absent cell, the censoring time or +inf for a censored one) and CENS (censored
 * flags); both need room for por_metric_table_rows(T) entries. Distinct replications
 * required (POR_ASSERT). */
void por_metric_table_column(const por_metric_table *t, size_t col, double *vals, bool *cens);

/* Summarizes column COL of T (rows in replication order) into OUT. DURATION values are
 * in nanoseconds. Kaplan–Meier is computed only for censorable columns. */
void por_metric_table_summarize(const por_metric_table *t, size_t col, por_summary *out);

/* One step of a Kaplan–Meier curve: from time T on, survival is SURVIVAL; AT_RISK
 * subjects were at risk just before T and EVENTS of them had their event at T. */
typedef struct {
    double t;
    double survival;
    size_t at_risk;
    size_t events;
} por_km_point;

/* Computes the Kaplan–Meier product-limit estimate from N times (an event time, or a
 * censoring time when CENSORED[i]; CENSORED may be NULL for no censoring). Writes to
 * OUT (capacity N + 1) and returns the number of points:
 * - first point: t = min(0, smallest time), S = 1, at_risk = all subjects, events = 0;
 * - one point per distinct event time, in increasing order (censorings tied with an
 *   event time count as at risk at that time, the usual convention);
 * - when the largest time is a finite censoring time after the last event, a last point
 *   at that time with events = 0 marks where the curve's support ends.
 * A censored time that is NaN or +inf is censored at +infinity; a non-censored NaN or
 * infinite time is ignored (missing). */
size_t por_km_curve(const double *times, const bool *censored, size_t n, por_km_point *out);

/* Finds the Kaplan–Meier median of CURVE (NPOINTS points from por_km_curve): the
 * smallest time with S(t) <= 0.5. Returns true and sets *MEDIAN, or returns false and
 * sets *MEDIAN to NaN when survival never falls to 0.5. */
bool por_km_median(const por_km_point *curve, size_t npoints, double *median);

/* Finds the Kaplan–Meier P-quantile (0 < P < 1) of CURVE (NPOINTS points from
 * por_km_curve) and its 95% confidence interval, into OUT:
 * - estimate: the smallest event time t with S(t) <= 1 - P (for P = 0.5, km_median);
 * - CI: Brookmeyer & Crowley (1982, Biometrics 38:29-41) test inversion with
 *   Greenwood's variance on the plain scale, the method of R's
 *   quantile.survfit(conf.type = "plain"): LO is the smallest event time where
 *   S(t) - z se(t) <= 1 - P and HI the smallest where S(t) + z se(t) <= 1 - P, with
 *   z = 1.959964 and se(t)^2 = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i)) (0 once
 *   S = 0). Any limit that never falls to 1 - P is "beyond horizon" (not reached).
 * Without censoring the estimate is the inverse empirical CDF (type 1 quantile) and the
 * variance is the binomial S(1 - S)/n. Comparisons allow the rounding of the products
 * (as por_km_median). */
void por_km_quantile_of(const por_km_point *curve, size_t npoints, double p,
                        por_km_quantile *out);

/* Finds the Kaplan-Meier P-quantile of column COL of T as por_km_quantile_of does on
 * por_km_curve of the column (censoring counted for censorable columns), without holding
 * the column or the curve in memory. */
void por_metric_table_km_quantile(const por_metric_table *t, size_t col, double p,
                                  por_km_quantile *out);

/* Writes runs.csv to F: header "replication,<names...>", then one line per row in
 * replication order; "\n" line ends; names quoted per RFC 4180 when needed. Cells:
 * DURATION as seconds with exactly 9 decimals from the integer ns ("12.500000000");
 * AMOUNT as its exact string when given, else like RATIO; COUNT and RATIO as the
 * shortest decimal that reads back to the same double (integral values without
 * exponent up to 1e21). Censored, absent and non-finite cells are empty.
 * Returns 0, or -1 with errno set (EINVAL for duplicate replications, else the
 * stream's error). The caller opens and closes F (temp file + rename). */
int por_metric_table_write_csv(const por_metric_table *t, FILE *f);

/* Writes summary.json to F: one object with EXTRA_JSON_FIELDS first (may be NULL or
 * empty; a comma-separated list of JSON members without braces and without a trailing
 * comma, e.g. "\"scenario\": \"x\", \"seed\": 42", inserted verbatim), then
 * "replications" and "metrics" (an object keyed by metric name, in column order).
 * Doubles are written as the shortest decimal that reads back to the same double;
 * undefined values are null, never NaN. Durations are in seconds. Censorable metrics
 * also get "km_median", "km_median_reached" and "km_curve" ([[t, S], ...]).
 * Returns 0, or -1 with errno set as for por_metric_table_write_csv. */
int por_metric_table_write_summary_json(const por_metric_table *t, FILE *f,
                                        const char *extra_json_fields);

/* Writes censored.csv to F: the header "replication,metric,censored_at", then one line
 * per censored cell in replication then column order; censored_at is the censoring time
 * as runs.csv would write the value (durations in seconds with 9 decimals), empty when
 * it is unknown (+infinity). Returns 0, or -1 with errno set as for
 * por_metric_table_write_csv. */
int por_metric_table_write_censored_csv(const por_metric_table *t, FILE *f);

/* Prints a human-readable table to F: metric, n, censored, mean, 95% CI, median, p90,
 * max, Kaplan–Meier median, unit. Durations are shown in ms, s, min, h or d, whichever
 * suits the metric's typical size. Output errors are left on F (check ferror). */
void por_metric_table_print(const por_metric_table *t, FILE *f);

/* The display unit the terminal tables use for a duration whose typical size is REF_NS
 * nanoseconds: "ms", "s", "min", "h" or "d" (rules in FORMATS.md); sets *NS_PER_UNIT. */
const char *por_duration_display_unit(double ref_ns, double *ns_per_unit);

/* Formats X for people into BUF (>= 64 bytes) as the terminal tables do: "-" when not
 * finite, whole numbers without decimals, else 4 significant digits. Returns BUF. */
char *por_format_human(double x, char *buf);

/* por_format_double and por_format_ns_seconds: por/number.h. */

#endif
