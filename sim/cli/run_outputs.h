/* The output directory of a run (`porsim run -o`, `porsim-mpi run -o`): runs.csv,
 * summary.json, censored.csv, columns.csv, scenario.json and meta.json (formats:
 * sim/stats/FORMATS.md), written all-or-nothing through por/outdir.h. Internal to
 * sim/cli. */
#ifndef POR_CLI_RUN_OUTPUTS_H
#define POR_CLI_RUN_OUTPUTS_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/run_outputs.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/scenario.h"
#include "por/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *dir;
    bool force;                 /* replace an existing DIR */
    const por_scenario *sc;
    const por_metric_table *table; /* rows of the completed replications */
    uint64_t completed;
    bool partial;               /* interrupted before every replication ran */
    uint64_t events;
    double wall_seconds;
    int argc;                   /* the command line, recorded in meta.json */
    char **argv;
    const char *const *sets;    /* the effective overrides, in order (meta.json "sets") */
    size_t nsets;
    const char *meta_extra;     /* more meta.json members, each starting ",\n  ", or NULL */
} por_cli_run_outputs;

/* Writes the files of DIR (above); on any failure nothing is left in place of DIR and
 * ERR says why (POR_EIO). */
por_status por_cli_write_run_outputs(const por_cli_run_outputs *o, por_error *err);

#endif
