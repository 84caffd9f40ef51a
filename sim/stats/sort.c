/* A column sorted for statistics in bounded memory (issue 20.4): the exact quantiles, the
 * mean and variance in sorted order (as por_summary_of computes them) and the Kaplan-Meier
 * curve all read a column's values in increasing order. Up to POR__SORT_MEM values are
 * sorted in memory; a longer (spilled) column is cut into sorted runs of that many values
 * on a temporary file, merged POR__MERGE_FAN at a time until one sorted run is left: an
 * external merge sort whose memory does not depend on the number of rows. */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    POR__SORT_MEM = 16384,  /* values sorted in memory: 256 KiB */
    POR__MERGE_FAN = 16,    /* runs merged at once */
    POR__MERGE_BUF = 16384  /* bytes buffered per merged run */
};

typedef struct {
    uint64_t off, n; /* first value and count, in values */
} por__run;

static FILE *por__sort_file(void)
{
    FILE *f = por__spill_create();
    if (!f) {
        const char *dir = getenv("TMPDIR");
        fprintf(stderr, "porsim: cannot create a temporary file in %s to sort the "
                        "replications: %s\n", dir && *dir ? dir : "/tmp", strerror(errno));
        exit(1);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16); /* one such file is written at a time */
    return f;
}

/* Merges the K runs RUNS of SRC into one run appended to DST. */
static por__run por__merge(FILE *src, const por__run *runs, size_t k, FILE *dst)
{
    POR_ASSERT(k >= 1 && k <= POR__MERGE_FAN);
    off_t at = ftello(dst);
    POR_ASSERT(at >= 0);
    por__run out = {(uint64_t)at / sizeof(por__obs), 0};
    por__spill_rd rd[POR__MERGE_FAN];
    por__obs head[POR__MERGE_FAN];
    bool live[POR__MERGE_FAN];
    for (size_t i = 0; i < k; i++) {
        por__spill_rd_open(&rd[i], src, POR__MERGE_BUF);
        rd[i].off = runs[i].off * sizeof(por__obs);
        rd[i].end = (runs[i].off + runs[i].n) * sizeof(por__obs);
        live[i] = por__spill_rd_read(&rd[i], &head[i], sizeof head[i]);
    }
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < k; i++) /* ties: the earlier run first */
            if (live[i] && (best == SIZE_MAX || por__cmp_obs(&head[i], &head[best]) < 0))
                best = i;
        if (best == SIZE_MAX)
            break;
        por__spill_write(dst, &head[best], sizeof head[best]);
        out.n++;
        live[best] = por__spill_rd_read(&rd[best], &head[best], sizeof head[best]);
    }
    for (size_t i = 0; i < k; i++)
        por__spill_rd_close(&rd[i]);
    return out;
}

/* Adds the value of CELL (column COL of T) to BUF, or counts it missing. */
static void por__sort_add(const por_metric_table *t, size_t col, const por__cell *cell,
                          por__sorted *out, por__obs *buf, size_t *nb)
{
    double x = por__cell_number(t, col, cell);
    bool censored = cell->state == POR__CELL_CENSORED_AT || cell->state == POR__CELL_CENSORED_INF;
    if (!censored && !isfinite(x)) {
        out->missing++;
        return;
    }
    por__obs *o = &buf[(*nb)++];
    memset(o, 0, sizeof *o); /* the padding goes to the file too */
    o->t = censored && !isfinite(x) ? INFINITY : x;
    o->censored = censored;
    if (censored)
        out->ncens++;
    else
        out->nobs++;
}

void por__sorted_column(const por_metric_table *t, size_t col, por__sorted *out)
{
    POR_ASSERT(t != NULL && col < t->ncols && out != NULL);
    *out = (por__sorted){0};
    size_t cap = t->nrows < POR__SORT_MEM ? t->nrows : POR__SORT_MEM;
    por__obs *buf = por_xmalloc((cap ? cap : 1) * sizeof *buf);
    size_t nb = 0, nruns = 0, runcap = 0;
    por__run *runs = NULL;
    FILE *file = NULL;

    /* Run generation: sorted runs of up to POR__SORT_MEM values. */
    por__rows it = {0};
    bool spilled = t->nspilled > 0;
    if (spilled && por__rows_open(&it, t, col) != 0)
        POR_ASSERT(!"a spilled table has distinct replications");
    for (size_t r = 0; r < t->nrows; r++) {
        const por__cell *cell;
        if (spilled) {
            bool ok = por__rows_next(&it);
            POR_ASSERT(ok);
            cell = &it.row[col];
        } else {
            cell = &t->cells[r * t->ncols + col];
        }
        por__sort_add(t, col, cell, out, buf, &nb);
        if (nb == POR__SORT_MEM && r + 1 < t->nrows) {
            qsort(buf, nb, sizeof *buf, por__cmp_obs);
            if (!file)
                file = por__sort_file();
            if (nruns == runcap) {
                runcap = runcap ? 2 * runcap : 16;
                runs = por_xrealloc(runs, runcap * sizeof *runs);
            }
            runs[nruns++] = (por__run){out->n, nb};
            por__spill_write(file, buf, nb * sizeof *buf);
            out->n += nb;
            nb = 0;
        }
    }
    if (spilled)
        por__rows_close(&it);
    qsort(buf, nb, sizeof *buf, por__cmp_obs);
    if (!file) { /* it fits: sorted in memory */
        out->mem = buf;
        out->n = nb;
        return;
    }
    if (nb > 0) {
        if (nruns == runcap) {
            runcap = runcap + 1;
            runs = por_xrealloc(runs, runcap * sizeof *runs);
        }
        runs[nruns++] = (por__run){out->n, nb};
        por__spill_write(file, buf, nb * sizeof *buf);
        out->n += nb;
    }
    free(buf);

    /* Merge passes: POR__MERGE_FAN runs into one, until one run is left. */
    while (nruns > 1) {
        FILE *next = por__sort_file();
        size_t k = 0;
        for (size_t i = 0; i < nruns; i += POR__MERGE_FAN) {
            size_t m = nruns - i < POR__MERGE_FAN ? nruns - i : POR__MERGE_FAN;
            runs[k++] = por__merge(file, runs + i, m, next);
        }
        fclose(file);
        file = next;
        nruns = k;
    }
    free(runs);
    out->file = file;
}

void por__sorted_free(por__sorted *s)
{
    free(s->mem);
    if (s->file)
        fclose(s->file);
    *s = (por__sorted){0};
}

void por__sorted_rd_open(por__sorted_rd *r, const por__sorted *s)
{
    *r = (por__sorted_rd){.s = s};
    if (s->file)
        por__spill_rd_open(&r->rd, s->file, POR__MERGE_BUF);
}

bool por__sorted_rd_next(por__sorted_rd *r, por__obs *out)
{
    if (r->i >= r->s->n)
        return false;
    if (r->s->file) {
        bool ok = por__spill_rd_read(&r->rd, out, sizeof *out);
        POR_ASSERT(ok);
    } else {
        *out = r->s->mem[r->i];
    }
    r->i++;
    return true;
}

void por__sorted_rd_close(por__sorted_rd *r)
{
    if (r->s && r->s->file)
        por__spill_rd_close(&r->rd);
    *r = (por__sorted_rd){0};
}
