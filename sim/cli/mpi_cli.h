/* porsim-mpi (internal to sim/cli, built only with MPI): the process group and the two
 * collective steps every command goes through, so that all ranks stay in step whatever
 * fails where.
 *
 * Every rank runs the same command line. A command calls, in this order and at most
 * once each: por_mpi_agree when its input is validated (every rank must get there before
 * anything runs), then por_mpi_gather with its results (rank 0 receives everyone's). A
 * rank whose command returns before one of the steps has it completed by
 * por_mpi_finish with the command's exit code, so the other ranks see the failure
 * instead of waiting forever. Rank 0 prints and writes; its exit code is everyone's. */
#ifndef POR_CLI_MPI_CLI_H
#define POR_CLI_MPI_CLI_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/mpi_cli.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/blob.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int rank, size;
    bool agreed;     /* por_mpi_agree called */
    int agree_code;  /* what it returned */
    bool gathered;   /* por_mpi_gather called */
    int local_code;  /* the first non-zero code this rank passed to a step, else 0 */
} por_mpi;

/* The agreement step: CODE is this rank's status (0 = ready to run). Returns the largest
 * code over all ranks (0 when every rank is ready). Collective. */
int por_mpi_agree(por_mpi *m, int code);

/* The gather step: sends CODE and BLOB (LEN bytes, may be NULL when LEN is 0) to rank 0.
 * Returns the largest code over all ranks, on every rank. On rank 0, when that is 0,
 * *BLOBS gets a malloc'd array of m->size malloc'd buffers (rank r's blob, rank 0's a
 * copy) and *LENS their lengths (malloc'd); the caller frees them with
 * por_mpi_free_blobs. A rank other than 0 may pass BLOBS and LENS NULL. Collective. */
int por_mpi_gather(por_mpi *m, int code, const void *blob, size_t len, char ***blobs,
                   size_t **lens);

/* Frees what por_mpi_gather returned on rank 0 (NULLs allowed). */
void por_mpi_free_blobs(const por_mpi *m, char **blobs, size_t *lens);

/* Completes the steps the command skipped, with its exit CODE, and returns the exit code
 * of rank 0 (the same on every rank). Collective. */
int por_mpi_finish(por_mpi *m, int code);

/* `porsim-mpi run ...` and `porsim-mpi sweep ...` (ARGV[1] is the command). Return the
 * exit code of this rank's command (por_mpi_finish makes it everyone's). */
int por_mpi_run_main(por_mpi *m, int argc, char **argv);
int por_mpi_sweep_main(por_mpi *m, int argc, char **argv);
/* `porsim-mpi tune ...`: instead of the one gather step, one all-gather per stage of the
 * race (mpi_tune.c); every rank takes part in each, so they stay in step. */
int por_mpi_tune_main(por_mpi *m, int argc, char **argv);

#endif
