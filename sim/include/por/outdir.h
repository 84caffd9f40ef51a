/* Output directories written all-or-nothing.
 *
 * Files are written into a temporary sibling directory ("DIR.partial-XXXXXX") and the
 * directory is renamed into place only when every file was written and closed without
 * error, so a failed or interrupted run never leaves a half-written DIR. An existing DIR
 * is replaced only with force, and never when it is a symbolic link, `.` or `..`, the
 * root, $HOME, a folder holding the working directory or a mount point; deleting an old
 * DIR never follows a link nor crosses into another file system. A DIR.partial-XXXXXX
 * left by a killed run (its writer gone, same host) is removed by the next run writing
 * DIR.
 *
 * Exit codes (por/error.h): a DIR that cannot be produced is found before any work by
 * por_outdir_check (which tries to create a folder next to it) and is bad input,
 * POR_EINPUT, exit 2; a write failing afterwards (full disk) is POR_EIO, exit 1. */
#ifndef POR_OUTDIR_H
#define POR_OUTDIR_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "por/outdir.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    char final_path[4096];
    char tmp_path[4096];
    bool force;
    bool open;
} por_outdir;

/* Checks before any work that DIR can be produced: its parent exists and is writable,
 * DIR is not a link, and DIR does not exist unless FORCE and it may be replaced (above).
 * POR_EINPUT with a message otherwise. */
por_status por_outdir_check(const char *dir, bool force, por_error *err);

/* Creates the temporary directory. POR_EIO on failure. */
por_status por_outdir_begin(por_outdir *od, const char *dir, bool force, por_error *err);

/* Opens NAME for writing inside the temporary directory; NULL with ERR set on failure. */
FILE *por_outdir_fopen(por_outdir *od, const char *name, por_error *err);

/* Closes F, reporting write errors (full disk) as POR_EIO naming NAME. */
por_status por_outdir_fclose(por_outdir *od, FILE *f, const char *name, por_error *err);

/* Renames the temporary directory to DIR (replacing an old DIR when forced). */
por_status por_outdir_commit(por_outdir *od, por_error *err);

/* Removes the temporary directory and everything in it. Safe to call after commit. */
void por_outdir_abort(por_outdir *od);

#endif
