/* The metric table: fixed columns (por_metric_def), one row per replication, cells
 * stored as observation / censored / absent with their values and exact strings; in
 * memory, or past a window on temporary files (spill.c). */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *por__dup_or_null(const char *s) { return s ? por_xstrdup(s) : NULL; }

por_metric_table *por_metric_table_create(const por_metric_def *defs, size_t ncols)
{
    POR_ASSERT(defs != NULL && ncols >= 1);
    por_metric_table *t = por_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->defs = por_xcalloc(ncols, sizeof *t->defs);
    for (size_t i = 0; i < ncols; i++) {
        POR_ASSERT(defs[i].name != NULL && defs[i].name[0] != '\0');
        POR_ASSERT(defs[i].kind >= POR_METRIC_DURATION && defs[i].kind <= POR_METRIC_RATIO);
        for (size_t j = 0; j < i; j++)
            POR_ASSERT(strcmp(defs[i].name, defs[j].name) != 0);
        t->defs[i].name = por_xstrdup(defs[i].name);
        t->defs[i].kind = defs[i].kind;
        t->defs[i].censorable = defs[i].censorable;
        t->defs[i].unit = por__dup_or_null(defs[i].unit);
        t->defs[i].help = por__dup_or_null(defs[i].help);
    }
    return t;
}

void por_metric_table_destroy(por_metric_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nmem * t->ncols; i++)
        free(t->cells[i].exact);
    if (t->spill) {
        for (size_t c = 0; c < t->ncols; c++)
            fclose(t->spill[c]);
        free(t->spill);
        fclose(t->reps_spill);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        free((char *)t->defs[i].name);
        free((char *)t->defs[i].unit);
        free((char *)t->defs[i].help);
    }
    free(t->defs);
    free(t->reps);
    free(t->cells);
    free(t);
}

void por_metric_table_spill(por_metric_table *t, size_t window)
{
    POR_ASSERT(t != NULL && window >= 1 && t->nrows == 0 && !t->spill);
    FILE **files = por_xcalloc(t->ncols + 1, sizeof *files);
    for (size_t c = 0; c <= t->ncols; c++) {
        files[c] = por__spill_create();
        if (!files[c]) { /* no temporary file: keep the rows in memory */
            for (size_t k = 0; k < c; k++)
                fclose(files[k]);
            free(files);
            return;
        }
    }
    t->reps_spill = files[t->ncols];
    t->spill = files;
    t->window = window;
}

/* Moves the window's rows to the spill files. */
static void por__table_spill_window(por_metric_table *t)
{
    for (size_t r = 0; r < t->nmem; r++) {
        por__cell *row = t->cells + r * t->ncols;
        por__spill_row(t, t->reps[r], row);
        for (size_t c = 0; c < t->ncols; c++) {
            free(row[c].exact);
            row[c].exact = NULL;
        }
    }
    t->nspilled += t->nmem;
    t->nmem = 0;
}

void por_metric_table_add_row(por_metric_table *t, uint64_t rep, const por_metric_cell *cells)
{
    POR_ASSERT(t != NULL && cells != NULL);
    if (t->window) {
        POR_ASSERT(t->nrows == 0 || rep > t->last_rep);
        t->last_rep = rep;
        if (t->nmem == t->window)
            por__table_spill_window(t);
    }
    if (t->nmem == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        if (t->window && t->cap > t->window)
            t->cap = t->window;
        t->reps = por_xrealloc(t->reps, t->cap * sizeof *t->reps);
        t->cells = por_xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    }
    t->reps[t->nmem] = rep;
    por__cell *row = t->cells + t->nmem * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        const por_metric_def *d = &t->defs[i];
        const por_metric_cell *in = &cells[i];
        bool duration = d->kind == POR_METRIC_DURATION;
        por__cell c = {POR__CELL_ABSENT, NAN, 0, NULL};
        if (in->censored) {
            POR_ASSERT(d->censorable);
            if (in->present && (duration || isfinite(in->value)))
                c.state = POR__CELL_CENSORED_AT;
            else
                c.state = POR__CELL_CENSORED_INF;
        } else if (in->present && (duration || isfinite(in->value))) {
            c.state = POR__CELL_OBSERVED;
            if (d->kind == POR_METRIC_AMOUNT)
                c.exact = por__dup_or_null(in->exact);
        }
        if (c.state == POR__CELL_OBSERVED || c.state == POR__CELL_CENSORED_AT) {
            if (duration)
                c.ns = in->ns;
            else
                c.value = in->value;
        }
        row[i] = c;
    }
    t->nmem++;
    t->nrows++;
}

size_t por_metric_table_rows(const por_metric_table *t) { return t->nrows; }

size_t por_metric_table_cols(const por_metric_table *t) { return t->ncols; }

const por_metric_def *por_metric_table_def(const por_metric_table *t, size_t col)
{
    POR_ASSERT(col < t->ncols);
    return &t->defs[col];
}

long por_metric_table_find(const por_metric_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->defs[i].name, name) == 0)
            return (long)i;
    return -1;
}

double por__cell_number(const por_metric_table *t, size_t col, const por__cell *c)
{
    switch (c->state) {
    case POR__CELL_OBSERVED:
    case POR__CELL_CENSORED_AT:
        return t->defs[col].kind == POR_METRIC_DURATION ? (double)c->ns : c->value;
    case POR__CELL_CENSORED_INF:
        return INFINITY;
    case POR__CELL_ABSENT:
        break;
    }
    return NAN;
}

void por_metric_table_column(const por_metric_table *t, size_t col, double *vals, bool *cens)
{
    POR_ASSERT(t != NULL && col < t->ncols && vals != NULL && cens != NULL);
    por__rows it;
    int rc = por__rows_open(&it, t, col);
    POR_ASSERT(rc == 0);
    for (size_t k = 0; por__rows_next(&it); k++) {
        const por__cell *c = &it.row[col];
        vals[k] = por__cell_number(t, col, c);
        cens[k] = c->state == POR__CELL_CENSORED_AT || c->state == POR__CELL_CENSORED_INF;
    }
    por__rows_close(&it);
}

void por_metric_table_summarize(const por_metric_table *t, size_t col, por_summary *out)
{
    POR_ASSERT(t != NULL && col < t->ncols && out != NULL);
    if (t->nspilled > 0) { /* sorted on disk, then summarized as it streams by */
        por__sorted s;
        por__sorted_column(t, col, &s);
        por__summary_of_sorted(&s, t->defs[col].censorable, out);
        por__sorted_free(&s);
        return;
    }
    size_t n = t->nrows;
    double *vals = por_xmalloc((n ? n : 1) * sizeof *vals);
    bool *cens = por_xmalloc((n ? n : 1) * sizeof *cens);
    for (size_t r = 0; r < n; r++) {
        const por__cell *c = &t->cells[r * t->ncols + col];
        vals[r] = por__cell_number(t, col, c);
        cens[r] = c->state == POR__CELL_CENSORED_AT || c->state == POR__CELL_CENSORED_INF;
    }
    por_summary_of(vals, t->defs[col].censorable ? cens : NULL, n, out);
    free(vals);
    free(cens);
}

static void por__table_km_step(void *ctx, const por_km_point *p)
{
    por__km_quantile_step(ctx, p);
}

void por_metric_table_km_quantile(const por_metric_table *t, size_t col, double p,
                                  por_km_quantile *out)
{
    POR_ASSERT(t != NULL && col < t->ncols && out != NULL && p > 0 && p < 1);
    por__sorted s;
    por__sorted_column(t, col, &s);
    por__km_quantile_acc acc;
    por__km_quantile_begin(&acc, p);
    por__km_build b;
    por__km_begin(&b, s.n, por__table_km_step, &acc);
    por__sorted_rd rd;
    por__obs o;
    por__sorted_rd_open(&rd, &s);
    while (por__sorted_rd_next(&rd, &o))
        por__km_add(&b, &o);
    por__sorted_rd_close(&rd);
    por__km_end(&b);
    por__sorted_free(&s);
    *out = acc.q;
}

typedef struct {
    uint64_t rep;
    size_t row;
} por__rep_row;

static int por__cmp_rep_row(const void *a, const void *b)
{
    const por__rep_row *x = a, *y = b;
    return (x->rep > y->rep) - (x->rep < y->rep);
}

size_t *por__table_row_order(const por_metric_table *t)
{
    size_t n = t->nmem;
    size_t *idx = por_xmalloc((n ? n : 1) * sizeof *idx);
    por__rep_row *pairs = por_xmalloc((n ? n : 1) * sizeof *pairs);
    for (size_t i = 0; i < n; i++)
        pairs[i] = (por__rep_row){t->reps[i], i};
    qsort(pairs, n, sizeof *pairs, por__cmp_rep_row);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && pairs[i].rep == pairs[i - 1].rep) {
            free(pairs);
            free(idx);
            errno = EINVAL;
            return NULL;
        }
        idx[i] = pairs[i].row;
    }
    free(pairs);
    return idx;
}
