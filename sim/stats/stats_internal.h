/* Internals shared by the files of sim/stats: the table's row storage (in memory, or
 * spilled to temporary files past a window: spill.c), the readers of its rows and
 * columns, the external sort of a column and the Kaplan-Meier steps shared by the
 * in-memory and the streamed summaries. Not a public header. (The C locale every number
 * goes through: por_c_locale, por/number.h.) */
#ifndef POR_STATS_INTERNAL_H
#define POR_STATS_INTERNAL_H

#include "por/stats.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>


/* How one stored cell reads. */
typedef enum {
    POR__CELL_ABSENT = 0,   /* no value (absent, or a non-finite observation) */
    POR__CELL_OBSERVED,     /* an observation */
    POR__CELL_CENSORED_AT,  /* censored at the stored time */
    POR__CELL_CENSORED_INF  /* censored, time unknown: at +infinity */
} por__cell_state;

typedef struct {
    por__cell_state state;
    double value;  /* AMOUNT, COUNT, RATIO */
    int64_t ns;    /* DURATION */
    char *exact;   /* AMOUNT observations only; owned; may be NULL */
} por__cell;

struct por_metric_table {
    size_t ncols;
    por_metric_def *defs; /* strings owned */
    size_t nrows;         /* all rows: spilled ones first, then the in-memory window */
    size_t nmem, cap;     /* rows in memory (the last NMEM rows), their capacity */
    uint64_t *reps;       /* nmem, in insertion order */
    por__cell *cells;     /* nmem * ncols, row-major */
    /* Spilling (por_metric_table_spill): past WINDOW rows in memory, the window goes to
     * one unlinked temporary file per column (SPILL[c]) and REPS_SPILL; rows then come
     * in increasing replication order (LAST_REP). WINDOW 0: everything in memory. */
    size_t window;
    size_t nspilled;
    FILE **spill;
    FILE *reps_spill;
    uint64_t last_rep;
};

/* Returns a malloc'd array of the in-memory rows of T (the window) sorted by
 * replication (caller frees), or NULL with errno = EINVAL when two rows share a
 * replication. With no rows it returns a valid 1-element allocation. */
size_t *por__table_row_order(const por_metric_table *t);

/* ---- spill.c: temporary files and readers ---- */

/* An unlinked temporary file in $TMPDIR (else /tmp) open for writing and reading, or
 * NULL (errno set) when none can be made. */
FILE *por__spill_create(void);

/* Appends N bytes to spill file F; on a write error, says so and exits 1 (as on OOM). */
void por__spill_write(FILE *f, const void *p, size_t n);

/* A sequential reader of a spill file from its start, with its own buffer (the file's
 * stdio position is not used, so several readers may read one file). */
typedef struct {
    int fd;
    uint64_t off, end;
    unsigned char *buf;
    size_t pos, len, cap;
} por__spill_rd;

void por__spill_rd_open(por__spill_rd *r, FILE *f, size_t bufsize);
/* Reads N bytes into DST; false at the end of the file (exits 1 on a read error). */
bool por__spill_rd_read(por__spill_rd *r, void *dst, size_t n);
void por__spill_rd_close(por__spill_rd *r);

/* Appends the row CELLS of T's columns to T's spill files (spill.c encodes the cells). */
void por__spill_row(por_metric_table *t, uint64_t rep, const por__cell *cells);

/* Reads the rows of a table in replication order: the spilled rows from disk, then the
 * in-memory ones. With COL = POR__ALL_COLS every cell is read, else only column COL
 * (the other cells of ROW are then undefined). */
#define POR__ALL_COLS SIZE_MAX
typedef struct {
    const por_metric_table *t;
    size_t col;
    size_t *order;         /* the in-memory rows in replication order */
    size_t k;              /* rows read */
    por__spill_rd reps, *cols;
    por__cell *buf;        /* ncols: a spilled row, decoded */
    char **str;            /* ncols: exact strings of the spilled row */
    size_t *strcap;
    uint64_t rep;          /* the current row's replication */
    const por__cell *row;  /* the current row's ncols cells */
} por__rows;

/* Returns 0, or -1 with errno = EINVAL when two rows share a replication. */
int por__rows_open(por__rows *it, const por_metric_table *t, size_t col);
/* Moves to the next row (IT->rep, IT->row); false after the last. */
bool por__rows_next(por__rows *it);
void por__rows_close(por__rows *it);

/* ---- sort.c: a column sorted for statistics, in bounded memory ---- */

/* One value of a column for statistics: an observation (CENSORED false, T finite) or a
 * censoring time (T, +inf when unknown). Sorted by T, events before censorings. */
typedef struct {
    double t;
    bool censored;
} por__obs;

int por__cmp_obs(const void *a, const void *b);

/* Column COL of T as sorted por__obs (absent and non-finite observations left out and
 * counted in MISSING): in memory when it fits POR__SORT_MEM records, else sorted runs
 * merged on disk. NOBS observations, NCENS censored. */
typedef struct {
    por__obs *mem;
    FILE *file;
    size_t n, nobs, ncens, missing;
} por__sorted;

void por__sorted_column(const por_metric_table *t, size_t col, por__sorted *out);
void por__sorted_free(por__sorted *s);

typedef struct {
    const por__sorted *s;
    size_t i;
    por__spill_rd rd;
} por__sorted_rd;

void por__sorted_rd_open(por__sorted_rd *r, const por__sorted *s);
bool por__sorted_rd_next(por__sorted_rd *r, por__obs *out);
void por__sorted_rd_close(por__sorted_rd *r);

/* ---- summary.c / km_quantile.c: Kaplan-Meier one point at a time ---- */

/* Builds a Kaplan-Meier curve from M sorted por__obs fed one by one (por_km_curve's
 * rules), handing each point to EMIT as soon as it is known. */
typedef struct {
    size_t m, seen, at_risk, d, c;
    double surv, t;
    bool started;
    void (*emit)(void *ctx, const por_km_point *p);
    void *ctx;
} por__km_build;

void por__km_begin(por__km_build *b, size_t m, void (*emit)(void *, const por_km_point *),
                   void *ctx);
void por__km_add(por__km_build *b, const por__obs *o);
void por__km_end(por__km_build *b);

/* por_km_median and por_km_quantile_of one curve point at a time. */
typedef struct {
    size_t factors;
    bool reached;
    double median;
} por__km_median_acc;

void por__km_median_step(por__km_median_acc *a, const por_km_point *p);

typedef struct {
    por_km_quantile q;
    double greenwood;
    size_t factors;
} por__km_quantile_acc;

void por__km_quantile_begin(por__km_quantile_acc *a, double p);
void por__km_quantile_step(por__km_quantile_acc *a, const por_km_point *c);

/* por_summary_of over a sorted column (same results, bit for bit: the mean and the
 * variance follow GSL's recurrences in long double, in sorted order). */
void por__summary_of_sorted(const por__sorted *s, bool km, por_summary *out);

/* Returns the numeric value of a cell of column COL for statistics (DURATION in ns as
 * a double): the observation or censoring time, +inf for POR__CELL_CENSORED_INF, NaN
 * for absent cells. */
double por__cell_number(const por_metric_table *t, size_t col, const por__cell *c);

#endif
