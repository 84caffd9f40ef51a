/* `porsim-mpi sweep`: porsim's sweep (sweep.c) with its cells dealt over the MPI ranks
 * through the por_sweep_dist hooks. Each rank sends its finished rows (already the text
 * runs.csv and censored.csv will hold, see por_sweep_row) to rank 0, which writes them
 * with the same writer as porsim sweep, so the output files are the same bytes. */
#include "mpi_cli.h"
#include "por/sweep.h"
#include "por/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int por__mpi_sweep_agree(void *ctx)
{
    return por_mpi_agree(ctx, 0);
}

static void por__mpi_put_row(por_blob *b, const por_sweep_row *row, size_t ncols)
{
    por_blob_put_u64(b, row->point);
    por_blob_put_u64(b, row->rep);
    por_blob_put_str(b, row->metrics);
    por_blob_put_u64(b, row->cens != NULL);
    if (row->cens)
        for (size_t k = 0; k < ncols; k++)
            por_blob_put_str(b, row->cens[k]);
}

/* Reads one row into ROW; false on a malformed blob (ROW then holds nothing to free). */
static bool por__mpi_get_row(por_blob_reader *r, por_sweep_row *row, size_t ncols)
{
    memset(row, 0, sizeof *row);
    row->point = por_blob_get_u64(r);
    row->rep = por_blob_get_u64(r);
    row->metrics = por_blob_get_str(r);
    if (por_blob_get_u64(r)) {
        row->cens = por_xcalloc(ncols, sizeof *row->cens);
        for (size_t k = 0; k < ncols; k++)
            row->cens[k] = por_blob_get_str(r);
    }
    if (!r->ok || !row->metrics) {
        por_sweep_row_free(row, ncols);
        memset(row, 0, sizeof *row);
        return false;
    }
    return true;
}

static int por__mpi_sweep_gather(void *ctx, por_sweep_row **rows, size_t *nrows,
                                 uint64_t *events, size_t *ninvariant)
{
    por_mpi *m = ctx;
    size_t ncols;
    por_world_metric_defs(&ncols);
    por_blob b = {0};
    por_blob_put_u64(&b, *events);
    por_blob_put_u64(&b, *ninvariant);
    por_blob_put_u64(&b, *nrows);
    if (m->rank != 0)
        for (size_t i = 0; i < *nrows; i++)
            por__mpi_put_row(&b, &(*rows)[i], ncols);
    char **blobs = NULL;
    size_t *lens = NULL;
    int rc = por_mpi_gather(m, 0, b.data, b.len, &blobs, &lens);
    free(b.data);
    if (rc) {
        if (m->rank == 0)
            fprintf(stderr, "porsim-mpi sweep: a cell failed on another rank; no output written\n");
        return rc;
    }
    if (m->rank != 0)
        return 0;

    /* Rank 0: its own rows (moved), then every other rank's. */
    size_t total = 0;
    uint64_t ev = 0, ninv = 0;
    por_blob_reader *rd = por_xcalloc((size_t)m->size, sizeof *rd);
    uint64_t *counts = por_xcalloc((size_t)m->size, sizeof *counts);
    for (int r = 0; r < m->size; r++) {
        rd[r] = (por_blob_reader){blobs[r], lens[r], true};
        ev += por_blob_get_u64(&rd[r]);
        ninv += por_blob_get_u64(&rd[r]);
        counts[r] = por_blob_get_u64(&rd[r]);
        total += (size_t)counts[r];
    }
    por_sweep_row *all = por_xcalloc(total ? total : 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < *nrows; i++)
        all[n++] = (*rows)[i];
    free(*rows);
    *rows = all;
    *nrows = n;
    bool ok = true;
    for (int r = 1; r < m->size && ok; r++)
        for (uint64_t i = 0; i < counts[r] && ok; i++) {
            ok = por__mpi_get_row(&rd[r], &all[n], ncols);
            if (ok)
                *nrows = ++n;
        }
    free(rd);
    free(counts);
    por_mpi_free_blobs(m, blobs, lens);
    if (!ok) {
        fprintf(stderr, "porsim-mpi sweep: malformed rows from another rank; no output written\n");
        return 1;
    }
    *events = ev;
    *ninvariant = (size_t)ninv;
    return 0;
}

int por_mpi_sweep_main(por_mpi *m, int argc, char **argv)
{
    por_sweep_dist d = {.ctx = m, .rank = (unsigned)m->rank, .nranks = (unsigned)m->size,
                        .agree = por__mpi_sweep_agree, .gather = por__mpi_sweep_gather};
    return por_sweep_main_dist(argc, argv, &d);
}
