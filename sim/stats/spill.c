/* A metric table's rows on disk (issue 20.4): past its window (por_metric_table_spill),
 * a table appends its rows to unlinked temporary files, one per column plus one of
 * replication numbers, and reads them back in order through por__rows. So a run keeps
 * O(window) rows in memory whatever -r is; the files grow by about 10 bytes a cell.
 *
 * A spilled cell is its state (1 byte), then for an observation or a censoring time its
 * value (8 bytes: the int64 ns of a duration, else the double's bits), then for an
 * AMOUNT observation its exact string: a uint32 length (UINT32_MAX: none) and the bytes.
 * The files are this process's scratch (native byte order), never an output. */
#include "stats/stats_internal.h"

#include "por/error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes each reader buffers: a run's CSV writer reads every column at once. */
#define POR__SPILL_RD_BUF 16384u

static _Noreturn void por__spill_fail(const char *what, int e)
{
    const char *dir = getenv("TMPDIR");
    fprintf(stderr, "porsim: cannot %s the temporary file of the replications in %s: %s\n",
            what, dir && *dir ? dir : "/tmp", strerror(e ? e : EIO));
    exit(1);
}

FILE *por__spill_create(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t len = strlen(dir) + 32;
    char *path = por_xmalloc(len);
    snprintf(path, len, "%s/porsim-rows-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    unlink(path);
    free(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

void por__spill_write(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        por__spill_fail("write", errno);
}

void por__spill_rd_open(por__spill_rd *r, FILE *f, size_t bufsize)
{
    if (fflush(f) != 0)
        por__spill_fail("write", errno);
    off_t end = ftello(f);
    if (end < 0)
        por__spill_fail("read", errno);
    *r = (por__spill_rd){.fd = fileno(f), .end = (uint64_t)end, .cap = bufsize};
    r->buf = por_xmalloc(bufsize);
}

bool por__spill_rd_read(por__spill_rd *r, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n > 0) {
        if (r->pos == r->len) {
            if (r->off >= r->end)
                return false;
            uint64_t want = r->end - r->off < r->cap ? r->end - r->off : r->cap;
            ssize_t got = pread(r->fd, r->buf, (size_t)want, (off_t)r->off);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                por__spill_fail("read", got < 0 ? errno : EIO);
            r->off += (uint64_t)got;
            r->pos = 0;
            r->len = (size_t)got;
        }
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(d, r->buf + r->pos, k);
        r->pos += k;
        d += k;
        n -= k;
    }
    return true;
}

void por__spill_rd_close(por__spill_rd *r)
{
    free(r->buf);
    r->buf = NULL;
}

void por__spill_row(por_metric_table *t, uint64_t rep, const por__cell *cells)
{
    por__spill_write(t->reps_spill, &rep, sizeof rep);
    for (size_t c = 0; c < t->ncols; c++) {
        const por__cell *cell = &cells[c];
        FILE *f = t->spill[c];
        unsigned char state = (unsigned char)cell->state;
        por__spill_write(f, &state, 1);
        if (cell->state != POR__CELL_OBSERVED && cell->state != POR__CELL_CENSORED_AT)
            continue;
        if (t->defs[c].kind == POR_METRIC_DURATION)
            por__spill_write(f, &cell->ns, sizeof cell->ns);
        else
            por__spill_write(f, &cell->value, sizeof cell->value);
        if (t->defs[c].kind == POR_METRIC_AMOUNT && cell->state == POR__CELL_OBSERVED) {
            size_t len = cell->exact ? strlen(cell->exact) : 0;
            POR_ASSERT(len < UINT32_MAX);
            uint32_t n = cell->exact ? (uint32_t)len : UINT32_MAX;
            por__spill_write(f, &n, sizeof n);
            por__spill_write(f, cell->exact, len);
        }
    }
}

/* Decodes the next spilled cell of column C into IT->buf[c]. */
static void por__rows_read_cell(por__rows *it, size_t c)
{
    const por_metric_table *t = it->t;
    por__spill_rd *r = &it->cols[c];
    por__cell *cell = &it->buf[c];
    unsigned char state;
    bool ok = por__spill_rd_read(r, &state, 1);
    POR_ASSERT(ok && state <= POR__CELL_CENSORED_INF);
    *cell = (por__cell){(por__cell_state)state, NAN, 0, NULL};
    if (cell->state != POR__CELL_OBSERVED && cell->state != POR__CELL_CENSORED_AT)
        return;
    if (t->defs[c].kind == POR_METRIC_DURATION)
        ok = por__spill_rd_read(r, &cell->ns, sizeof cell->ns);
    else
        ok = por__spill_rd_read(r, &cell->value, sizeof cell->value);
    POR_ASSERT(ok);
    if (t->defs[c].kind == POR_METRIC_AMOUNT && cell->state == POR__CELL_OBSERVED) {
        uint32_t n;
        ok = por__spill_rd_read(r, &n, sizeof n);
        POR_ASSERT(ok);
        if (n == UINT32_MAX)
            return;
        if (it->strcap[c] < (size_t)n + 1) {
            it->strcap[c] = (size_t)n + 1;
            it->str[c] = por_xrealloc(it->str[c], it->strcap[c]);
        }
        ok = por__spill_rd_read(r, it->str[c], n);
        POR_ASSERT(ok);
        it->str[c][n] = '\0';
        cell->exact = it->str[c];
    }
}

int por__rows_open(por__rows *it, const por_metric_table *t, size_t col)
{
    POR_ASSERT(col == POR__ALL_COLS || col < t->ncols);
    *it = (por__rows){.t = t, .col = col};
    it->order = por__table_row_order(t);
    if (!it->order)
        return -1; /* errno = EINVAL */
    if (t->nspilled > 0) {
        por__spill_rd_open(&it->reps, t->reps_spill, POR__SPILL_RD_BUF);
        it->cols = por_xcalloc(t->ncols, sizeof *it->cols);
        it->buf = por_xcalloc(t->ncols, sizeof *it->buf);
        it->str = por_xcalloc(t->ncols, sizeof *it->str);
        it->strcap = por_xcalloc(t->ncols, sizeof *it->strcap);
        for (size_t c = 0; c < t->ncols; c++)
            if (col == POR__ALL_COLS || c == col)
                por__spill_rd_open(&it->cols[c], t->spill[c], POR__SPILL_RD_BUF);
    }
    return 0;
}

bool por__rows_next(por__rows *it)
{
    const por_metric_table *t = it->t;
    if (it->k >= t->nrows)
        return false;
    if (it->k < t->nspilled) {
        bool ok = por__spill_rd_read(&it->reps, &it->rep, sizeof it->rep);
        POR_ASSERT(ok);
        for (size_t c = 0; c < t->ncols; c++)
            if (it->col == POR__ALL_COLS || c == it->col)
                por__rows_read_cell(it, c);
        it->row = it->buf;
    } else {
        size_t r = it->order[it->k - t->nspilled];
        it->rep = t->reps[r];
        it->row = t->cells + r * t->ncols;
    }
    it->k++;
    return true;
}

void por__rows_close(por__rows *it)
{
    if (it->cols) {
        por__spill_rd_close(&it->reps);
        for (size_t c = 0; c < it->t->ncols; c++) {
            if (it->col == POR__ALL_COLS || c == it->col)
                por__spill_rd_close(&it->cols[c]);
            free(it->str[c]);
        }
    }
    free(it->cols);
    free(it->buf);
    free(it->str);
    free(it->strcap);
    free(it->order);
    *it = (por__rows){0};
}
