/* Internals shared by the files of sim/stats: the table's row storage. Not a public
 * header. (The C locale every number goes through: por_c_locale, por/number.h.) */
#ifndef POR_STATS_INTERNAL_H
#define POR_STATS_INTERNAL_H

#include "por/stats.h"

#include <locale.h>


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
    size_t nrows, cap;
    uint64_t *reps;       /* nrows, in insertion order */
    por__cell *cells;     /* nrows * ncols, row-major */
};

/* Returns a malloc'd array of T's row indexes sorted by replication (caller frees),
 * or NULL with errno = EINVAL when two rows share a replication. With no rows it
 * returns a valid 1-element allocation. */
size_t *por__table_row_order(const por_metric_table *t);

/* Returns the numeric value of a cell of column COL for statistics (DURATION in ns as
 * a double): the observation or censoring time, +inf for POR__CELL_CENSORED_INF, NaN
 * for absent cells. */
double por__cell_number(const por_metric_table *t, size_t col, const por__cell *c);

#endif
