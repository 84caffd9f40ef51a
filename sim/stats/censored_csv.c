/* censored.csv of a run directory: one line per censored cell of a metric table, so
 * that a censored cell and an absent one (both empty in runs.csv) can be told apart
 * without summary.json. Same columns as a sweep's censored.csv without the point
 * (format: sim/stats/FORMATS.md). */
#include "stats/stats_internal.h"

#include "por/csv.h"
#include "por/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int por_metric_table_write_censored_csv(const por_metric_table *t, FILE *f)
{
    POR_ASSERT(t != NULL && f != NULL);
    size_t *order = por__table_row_order(t);
    if (!order)
        return -1; /* errno = EINVAL */
    fputs("replication,metric,censored_at\n", f);
    char num[64];
    for (size_t k = 0; k < t->nrows; k++) {
        size_t r = order[k];
        for (size_t c = 0; c < t->ncols; c++) {
            const por__cell *cell = &t->cells[r * t->ncols + c];
            if (cell->state != POR__CELL_CENSORED_AT && cell->state != POR__CELL_CENSORED_INF)
                continue;
            fprintf(f, "%" PRIu64 ",", t->reps[r]);
            por_csv_write_field(f, t->defs[c].name);
            fputc(',', f);
            if (cell->state == POR__CELL_CENSORED_AT)
                fputs(t->defs[c].kind == POR_METRIC_DURATION
                          ? por_format_ns_seconds(cell->ns, num, sizeof num)
                          : por_format_double(cell->value, num, sizeof num),
                      f);
            fputc('\n', f);
        }
    }
    free(order);
    if (fflush(f) != 0 || ferror(f)) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return 0;
}
