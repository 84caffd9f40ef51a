/* The data dictionary of an output directory (columns.csv: every column of every CSV
 * file, with its kind, unit and meaning), the numeric SI value of a swept parameter's
 * text, and the output format version recorded in meta.json. Part of the output
 * directory format in sim/io (used by the run writer and the sweep directory writer,
 * sweep_dir.c); formats in sim/stats/FORMATS.md. */
#ifndef POR_IO_COLUMNS_H
#define POR_IO_COLUMNS_H

#include "por/stats.h"
#include "por/sweep_dir.h"

#include <stddef.h>
#include <stdio.h>

/* Version of the output directory layout (meta.json "format_version"): 2 added
 * columns.csv, scenario.json / scenarios.jsonl, a run's censored.csv and the
 * <param>_si columns of points.csv. */
#define POR_OUTPUT_FORMAT_VERSION 2
#define POR_OUTPUT_FORMAT_VERSION_STR "2"

/* The header of columns.csv. */
#define POR_COLUMNS_HEADER "file,column,kind,unit,censorable,description\n"

/* The SI value of a swept parameter's TEXT: a duration ("90m", "1.5s") in seconds with
 * 9 decimals, a percentage ("2%") as a ratio, a plain decimal number as itself; anything
 * else (a list, a word) gives "". Writes into BUF (at least 64 bytes) and returns BUF.
 * *UNIT (may be NULL) is set to "s", "ratio", "1" or "" accordingly. */
const char *por_param_si(const char *text, char *buf, size_t n, const char **unit);

/* Writes columns.csv of a run directory (runs.csv with the DEFS columns, censored.csv)
 * to F. */
void por_columns_write_run(FILE *f, const por_metric_def *defs, size_t ndefs);

/* Writes columns.csv of a sweep directory to F: points.csv, runs.csv, censored.csv and
 * summary.csv, whose statistics columns are those of SUMMARY_STATS (the part of the
 * summary.csv header after "metric,", comma-separated, no line end). */
void por_columns_write_sweep(FILE *f, const por_sweep_grid *g, const por_metric_def *defs,
                                 size_t ndefs, const char *summary_stats);

#endif
