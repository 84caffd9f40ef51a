/* `porsim-mpi tune`: porsim's tune (tune.c) with each stage's cells dealt over the MPI
 * ranks through the por_tune_dist hooks. After each stage every rank sends the results of
 * its cells to every other (an all-gather), so all ranks judge the same numbers, drop the
 * same points and run the same next stage; rank 0 writes the outputs with the same code
 * as porsim tune, so they are the same bytes. */
#include "mpi_cli.h"
#include "por/error.h"
#include "por/tune.h"

#include <mpi.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POR_MPI_TUNE_CHUNK ((size_t)1 << 30)

static int por__mpi_tune_agree(void *ctx)
{
    return por_mpi_agree(ctx, 0);
}

/* Every rank's blob to every rank: the lengths by MPI_Allgather, then each rank's bytes
 * broadcast from it in chunks below 2^31 (MPI counts are int). Collective. */
static int por__mpi_tune_exchange(void *ctx, bool complete, const void *blob, size_t len,
                                  char ***blobs, size_t **lens)
{
    por_mpi *m = ctx;
    (void)complete; /* a failed cell travels in the blob; every rank sees it */
    m->gathered = true; /* the race's exchanges take the place of the one gather step */
    uint64_t mine = len;
    uint64_t *all = por_xcalloc((size_t)m->size, sizeof *all);
    MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
    char **bs = por_xcalloc((size_t)m->size, sizeof *bs);
    size_t *ls = por_xcalloc((size_t)m->size, sizeof *ls);
    for (int r = 0; r < m->size; r++) {
        size_t n = (size_t)all[r];
        bs[r] = por_xmalloc(n ? n : 1);
        ls[r] = n;
        if (r == m->rank && n)
            memcpy(bs[r], blob, n);
        for (size_t off = 0; off < n; off += POR_MPI_TUNE_CHUNK) {
            size_t k = n - off < POR_MPI_TUNE_CHUNK ? n - off : POR_MPI_TUNE_CHUNK;
            MPI_Bcast(bs[r] + off, (int)k, MPI_BYTE, r, MPI_COMM_WORLD);
        }
    }
    free(all);
    *blobs = bs;
    *lens = ls;
    return 0;
}

int por_mpi_tune_main(por_mpi *m, int argc, char **argv)
{
    por_tune_dist d = {.ctx = m, .rank = (unsigned)m->rank, .nranks = (unsigned)m->size,
                       .agree = por__mpi_tune_agree, .exchange = por__mpi_tune_exchange};
    return por_tune_main_dist(argc, argv, &d);
}
