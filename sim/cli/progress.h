/* The progress bar of run and sweep (internal to sim/cli): one line on stderr, redrawn
 * in place, with elapsed time and an estimate of the time left; drawn only on a terminal.
 * The line is ended before any result is printed, so results never land on it. */
#ifndef POR_CLI_PROGRESS_H
#define POR_CLI_PROGRESS_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/progress.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *unit; /* "replications", "cells" */
    bool tty;         /* draw at all */
    bool open;        /* a bar is on screen without its newline */
    double t0;        /* monotonic seconds at init */
} por_cli_progress;

/* Starts the clock. TTY false makes every call below a no-op. */
void por_cli_progress_init(por_cli_progress *p, const char *unit, bool tty);

/* A runner/parallel progress callback (CTX is a por_cli_progress): redraws the line. */
void por_cli_progress_update(void *ctx, uint64_t done, uint64_t total);

/* Ends the bar's line if one is open (an interrupted run, until-ci stopping early). */
void por_cli_progress_end(por_cli_progress *p);

/* Formats the line into BUF: "[####......] 40/100 replications, 0:12 elapsed, ETA 0:18"
 * (ETA "--:--" before the first completion; h:mm:ss from an hour on). Returns BUF. */
char *por_cli_progress_format(char *buf, size_t n, uint64_t done, uint64_t total,
                              double elapsed, const char *unit);

#endif
