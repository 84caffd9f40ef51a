/* porsim-mpi: `porsim run`, `porsim sweep` and `porsim tune` spread over MPI ranks
 * (mpi_cli.h). Built
 * only when CMake finds MPI (option POR_MPI). Every rank parses and validates the same
 * command line; replications (run), cells (sweep) or a stage's cells (tune, which
 * exchanges every stage's results between all ranks) are dealt round-robin over the ranks,
 * each rank runs its part on -j threads, and rank 0 gathers the rows and writes exactly
 * the bytes porsim writes. Ranks other than 0 print nothing to stdout; their stderr is
 * held back and shown only when rank 0 itself did not fail (so a bad scenario is reported
 * once, a failure on one rank is reported by that rank). */
#include "mpi_cli.h"
#include "por/error.h"
#include "por/sweep.h"

#include <mpi.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POR_MPI_TAG_CODE 1
#define POR_MPI_TAG_LEN 2
#define POR_MPI_TAG_DATA 3
#define POR_MPI_CHUNK ((size_t)1 << 30)

static const char por__mpi_usage[] =
    "porsim-mpi " POR_VERSION " - porsim run, sweep and tune spread over MPI ranks\n"
    "\n"
    "Usage:\n"
    "  mpirun -np N porsim-mpi run [SCENARIO.json] [options]\n"
    "  mpirun -np N porsim-mpi sweep [SCENARIO.json] --param PATH=v1,v2,... [options]\n"
    "  mpirun -np N porsim-mpi tune [SCENARIO.json] --param PATH=LIST --require EXPR\n"
    "                               --minimize METRIC [options]\n"
    "  porsim-mpi --version\n"
    "\n"
    "The options are those of `porsim run`, `porsim sweep` and `porsim tune` (see `porsim\n"
    "help run`, ...), except run --until-ci. Replications (run), grid cells (sweep, also\n"
    "within --shard K/N) or each stage's cells (tune; the ranks exchange the results after\n"
    "every stage and take the same decisions) are dealt round-robin over the ranks; each\n"
    "rank runs its part on -j threads; rank 0 writes the outputs, byte for byte those of\n"
    "porsim with the same options (meta.json aside: command line, wall time, ranks).\n"
    "\n"
    "Exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 safety invariant broken; tune\n"
    "also 4 and 5 (see `porsim help tune`).\n";

/* ---- collectives ------------------------------------------------------------------- */

static void por__mpi_note(por_mpi *m, int code)
{
    if (code && !m->local_code)
        m->local_code = code;
}

int por_mpi_agree(por_mpi *m, int code)
{
    POR_ASSERT(!m->agreed);
    por__mpi_note(m, code);
    int all = 0;
    MPI_Allreduce(&code, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    m->agreed = true;
    m->agree_code = all;
    return all;
}

static void por__mpi_send_blob(const void *blob, size_t len)
{
    uint64_t n = len;
    MPI_Send(&n, 1, MPI_UINT64_T, 0, POR_MPI_TAG_LEN, MPI_COMM_WORLD);
    for (size_t off = 0; off < len; off += POR_MPI_CHUNK) {
        size_t k = len - off < POR_MPI_CHUNK ? len - off : POR_MPI_CHUNK;
        MPI_Send((const char *)blob + off, (int)k, MPI_BYTE, 0, POR_MPI_TAG_DATA, MPI_COMM_WORLD);
    }
}

static char *por__mpi_recv_blob(int from, size_t *len)
{
    uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, POR_MPI_TAG_LEN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    char *buf = por_xmalloc(n ? (size_t)n : 1);
    for (size_t off = 0; off < n; off += POR_MPI_CHUNK) {
        size_t k = n - off < POR_MPI_CHUNK ? (size_t)n - off : POR_MPI_CHUNK;
        MPI_Recv(buf + off, (int)k, MPI_BYTE, from, POR_MPI_TAG_DATA, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    }
    *len = (size_t)n;
    return buf;
}

int por_mpi_gather(por_mpi *m, int code, const void *blob, size_t len, char ***blobs,
                   size_t **lens)
{
    POR_ASSERT(m->agreed && !m->gathered);
    por__mpi_note(m, code);
    m->gathered = true;
    int all = code;
    if (m->rank != 0) {
        MPI_Send(&code, 1, MPI_INT, 0, POR_MPI_TAG_CODE, MPI_COMM_WORLD);
        por__mpi_send_blob(blob, code ? 0 : len);
        MPI_Bcast(&all, 1, MPI_INT, 0, MPI_COMM_WORLD);
        return all;
    }
    char **bs = por_xcalloc((size_t)m->size, sizeof *bs);
    size_t *ls = por_xcalloc((size_t)m->size, sizeof *ls);
    bs[0] = por_xmalloc(len ? len : 1);
    if (len)
        memcpy(bs[0], blob, len);
    ls[0] = len;
    for (int r = 1; r < m->size; r++) {
        int rc = 0;
        MPI_Recv(&rc, 1, MPI_INT, r, POR_MPI_TAG_CODE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        bs[r] = por__mpi_recv_blob(r, &ls[r]);
        if (rc > all)
            all = rc;
    }
    MPI_Bcast(&all, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (all || !blobs) {
        por_mpi_free_blobs(m, bs, ls);
    } else {
        *blobs = bs;
        *lens = ls;
    }
    return all;
}

void por_mpi_free_blobs(const por_mpi *m, char **blobs, size_t *lens)
{
    if (blobs)
        for (int r = 0; r < m->size; r++)
            free(blobs[r]);
    free(blobs);
    free(lens);
}

int por_mpi_finish(por_mpi *m, int code)
{
    if (!m->agreed)
        por_mpi_agree(m, code);
    if (m->agree_code == 0 && !m->gathered)
        por_mpi_gather(m, code ? code : 1, NULL, 0, NULL, NULL);
    int final = code;
    MPI_Bcast(&final, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return final;
}

/* ---- main -------------------------------------------------------------------------- */

/* Copies what this rank wrote to its held-back stderr (HELD) to the real one (FD). */
static void por__mpi_release_stderr(FILE *held, int fd)
{
    fflush(stderr);
    rewind(held);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, held)) > 0)
        if (write(fd, buf, n) < 0)
            break;
}

int main(int argc, char **argv)
{
    int provided = 0;
    /* Only the main thread calls MPI; worker threads run simulations. */
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "porsim-mpi: MPI_Init failed\n");
        return 1;
    }
    por_mpi m = {0};
    MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m.size);

    const char *cmd = argc > 1 ? argv[1] : "";
    bool is_run = !strcmp(cmd, "run"), is_sweep = !strcmp(cmd, "sweep"),
         is_tune = !strcmp(cmd, "tune");
    if (!is_run && !is_sweep && !is_tune) { /* the same answer on every rank, printed by rank 0 */
        int code = 2;
        FILE *f = stderr;
        if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
            code = 0;
            if (m.rank == 0)
                printf("porsim-mpi %s\n", POR_VERSION);
        } else if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
            code = 0;
            f = stdout;
        } else if (*cmd && m.rank == 0) {
            fprintf(stderr, "porsim-mpi: unknown command '%s'\n\n", cmd);
        }
        if (m.rank == 0 && (f == stdout || code))
            fputs(por__mpi_usage, f);
        MPI_Finalize();
        return code;
    }

    /* Ranks other than 0: stdout to /dev/null, stderr held back in a temporary file. */
    FILE *held = NULL;
    int real_stderr = -1;
    if (m.rank != 0) {
        fflush(stdout);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            close(devnull);
        }
        held = tmpfile();
        real_stderr = held ? dup(STDERR_FILENO) : -1;
        if (held && real_stderr >= 0) {
            fflush(stderr);
            dup2(fileno(held), STDERR_FILENO);
        }
    }

    int code = is_run     ? por_mpi_run_main(&m, argc, argv)
               : is_sweep ? por_mpi_sweep_main(&m, argc, argv)
                          : por_mpi_tune_main(&m, argc, argv);
    fflush(stdout);
    int final = por_mpi_finish(&m, code);

    /* Show a rank's messages only when rank 0 did not report a failure of its own. */
    int rank0_local = m.local_code;
    MPI_Bcast(&rank0_local, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (held && real_stderr >= 0) {
        if (rank0_local == 0)
            por__mpi_release_stderr(held, real_stderr);
        fclose(held);
        dup2(real_stderr, STDERR_FILENO);
        close(real_stderr);
    }
    MPI_Finalize();
    return final;
}
