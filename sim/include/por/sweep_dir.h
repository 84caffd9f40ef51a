/* The sweep directory format (sim/io/sweep_dir.c): the output directory of `porsim
 * sweep`, `porsim merge` and `porsim tune`, as one writer and one reader.
 *
 *   points.csv    point,<param paths...>,scenario_hash,scenario_seed,scenario_replications,
 *                 <param path>_si... (each value in SI units: seconds, ratios; or empty)
 *   runs.csv      point,<param paths...>,replication,<metric cells as in porsim run>
 *   censored.csv  point,replication,metric,censored_at
 *   summary.csv   point,<param paths...>,metric,n,censored,missing,mean,... (computed
 *                 from the runs.csv/censored.csv text, so a merge recomputes the same bytes)
 *   columns.csv   the data dictionary (io/columns.h)
 *   scenarios.jsonl, meta.json, and the extra files a command adds
 * Formats: sim/stats/FORMATS.md, "Output directories". A sweep keeps each (point,
 * replication) cell as the text runs.csv will hold; the reader reads the same text back,
 * so writing what was read reproduces the bytes. Numbers go through por/number.h, CSV
 * fields through por/csv.h. */
#ifndef POR_SWEEP_DIR_H
#define POR_SWEEP_DIR_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "por/sweep_dir.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The grid: NPARAMS parameter paths and, per point, its value texts and the resolved
 * scenario's hash, seed and replication count. All strings owned. */
typedef struct {
    size_t nparams;
    char **paths;          /* nparams */
    size_t npoints;
    char **values;         /* npoints * nparams, row-major (value text as given) */
    char (*hash)[17];      /* npoints */
    uint64_t *seed;        /* npoints */
    uint64_t *replications; /* npoints */
    char *scenarios_jsonl; /* scenarios.jsonl (one line per point: its effective scenario),
                            * or NULL: not written */
} por_sweep_grid;

/* Frees everything G owns (not G itself). */
void por_sweep_grid_free(por_sweep_grid *g);

/* One (point, replication) cell as text. METRICS is the runs.csv text of the metric
 * cells (comma-joined, no line end). CENS is NULL when nothing is censored, else NCOLS
 * strings: NULL = not censored, "" = censored at +infinity, else the censoring time as
 * runs.csv would write it. All owned. */
typedef struct {
    uint64_t point, rep;
    char *metrics;
    char **cens;
} por_sweep_row;

/* Formats one replication's CELLS (NCOLS columns described by DEFS) as a row, exactly
 * as por_metric_table_write_csv writes the cells (plus the censoring times). Fills ROW
 * (caller frees with por_sweep_row_free). Thread-safe. */
void por_sweep_row_format(const por_metric_def *defs, size_t ncols,
                          const por_metric_cell *cells, por_sweep_row *row);

/* Frees what ROW owns. */
void por_sweep_row_free(por_sweep_row *row, size_t ncols);

/* Writes points.csv, runs.csv, censored.csv, summary.csv, columns.csv, scenarios.jsonl
 * (when G has it) and META_JSON (the whole text of meta.json) into DIR all-or-nothing (por/outdir.h); replaces DIR only with FORCE.
 * ROWS (NROWS, any order; sorted in place by (point, rep)) must have distinct cells.
 * Returns POR_OK, or POR_EIO / POR_EINPUT with ERR set. */
por_status por_sweep_write_dir(const char *dir, bool force, const por_sweep_grid *g,
                               por_sweep_row *rows, size_t nrows, const char *meta_json,
                               por_error *err);

/* Reads the rows of the sweep directory DIR (runs.csv with censored.csv) for --resume,
 * after checking that its points.csv describes grid G: same parameters, values, scenario
 * hashes and seeds, and with SAME_REPS the same replications. Returns POR_OK with *ROWS
 * (malloc'd, *NROWS; caller frees each with por_sweep_row_free and the array) and, when
 * REPS is not NULL, DIR's replications per point in REPS (G->npoints); POR_EINPUT with
 * ERR naming DIR otherwise. */
por_status por_sweep_read_dir(const char *dir, const por_sweep_grid *g, bool same_reps,
                              por_sweep_row **rows, size_t *nrows, uint64_t *reps,
                              por_error *err);
/* One more file of a sweep directory (tune and --require/--frontier add
 * requirements.csv, frontier.csv, tune.json): NAME in the directory, TEXT its bytes. */
typedef struct {
    const char *name;
    const char *text;
} por_sweep_extra_file;

/* por_sweep_write_dir, plus the NEXTRA files EXTRA written in the same all-or-nothing
 * commit. */
por_status por_sweep_write_dir_extra(const char *dir, bool force, const por_sweep_grid *g,
                                     por_sweep_row *rows, size_t nrows, const char *meta_json,
                                     const por_sweep_extra_file *extra, size_t nextra,
                                     por_error *err);

/* Sorts ROWS by (point, replication). */
void por_sweep_rows_sort(por_sweep_row *rows, size_t nrows);

/* Reads column COL of the N rows ROWS (text, as runs.csv holds it) into VALS (durations
 * in ns; an empty cell is NaN, a censored one its censoring time or +inf) and CENS. */
void por_sweep_rows_values(const por_sweep_row *rows, size_t n, size_t col, double *vals,
                           bool *cens);


/* ---- reading shard directories (porsim merge) ------------------------------------- */

/* Reads the whole file PATH into a malloc'd NUL-terminated buffer (caller frees), or
 * returns NULL with ERR set (POR_EINPUT, naming PATH). */
char *por_sweep_file_read(const char *path, por_error *err);

/* Builds grid G (caller frees with por_sweep_grid_free) from TEXT, the bytes of the
 * points.csv at PATH (named in errors). Returns POR_OK or POR_EINPUT with ERR set. */
por_status por_sweep_points_parse(const char *path, const char *text, por_sweep_grid *g,
                                  por_error *err);

/* Where two points.csv texts A and B first differ: SIZE_MAX when they are equal, 0 when
 * their headers (the parameters) differ, else 1 + the index of the first point whose
 * line differs. */
size_t por_sweep_points_first_diff(const char *a, const char *b);

/* The header line of runs.csv for grid G (no line end; caller frees). */
char *por_sweep_runs_header(const por_sweep_grid *g);

/* Rows read from several shard directories, with the shard index of each. */
typedef struct {
    por_sweep_row *rows;
    size_t n, cap;
    size_t *from; /* n: the shard index each row came from */
} por_sweep_rowset;

/* Frees what RS owns (its rows too; not RS itself). */
void por_sweep_rowset_free(por_sweep_rowset *rs);

/* Appends to RS the rows of the runs.csv in DIR (whose header must be RUNS_HEADER, from
 * por_sweep_runs_header) with their censoring from DIR's censored.csv, tagged SHARD.
 * Every row must be a cell of grid G and every cell a value porsim writes (an edited
 * file is refused). Returns POR_OK or POR_EINPUT with ERR naming the file. */
por_status por_sweep_shard_read(const char *dir, size_t shard, const por_sweep_grid *g,
                                const char *runs_header, por_sweep_rowset *rs, por_error *err);

/* scenarios.jsonl of shard DIR: with FIRST, kept in G (none when DIR has none, as
 * before output format 2); otherwise it must exist exactly when G has one and hold the
 * same bytes. Returns POR_OK or POR_EINPUT with ERR set. */
por_status por_sweep_shard_scenarios(const char *dir, bool first, por_sweep_grid *g,
                                     por_error *err);

#endif
