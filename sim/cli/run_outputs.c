/* The output directory of a run: see run_outputs.h. */
#include "run_outputs.h"
#include "cliopt.h"
#include "io/columns.h"
#include "por/json_write.h"
#include "por/outdir.h"
#include "por/scenario_load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The files that make a run directory self-describing (output format 2): censored.csv,
 * columns.csv (the data dictionary) and scenario.json (the effective scenario, which
 * `porsim run DIR/scenario.json` runs again with the same hash). */
static por_status por__write_described(por_outdir *od, const por_cli_run_outputs *o,
                                       por_error *err)
{
    FILE *f = por_outdir_fopen(od, "censored.csv", err);
    if (!f)
        return err->status;
    if (por_metric_table_write_censored_csv(o->table, f) != 0) {
        fclose(f);
        return por_error_set(err, POR_EIO, "%s/censored.csv: write failed: %s", o->dir,
                             strerror(errno));
    }
    if (por_outdir_fclose(od, f, "censored.csv", err) != POR_OK)
        return err->status;

    if (!(f = por_outdir_fopen(od, "columns.csv", err)))
        return err->status;
    size_t ncols = por_metric_table_cols(o->table);
    por_metric_def *defs = por_xmalloc(ncols * sizeof *defs);
    for (size_t c = 0; c < ncols; c++)
        defs[c] = *por_metric_table_def(o->table, c);
    por_columns_write_run(f, defs, ncols);
    free(defs);
    if (por_outdir_fclose(od, f, "columns.csv", err) != POR_OK)
        return err->status;

    if (!(f = por_outdir_fopen(od, "scenario.json", err)))
        return err->status;
    fputs(o->sc->effective_json, f);
    fputc('\n', f);
    return por_outdir_fclose(od, f, "scenario.json", err);
}

por_status por_cli_write_run_outputs(const por_cli_run_outputs *o, por_error *err)
{
    const char *dir = o->dir;
    const por_scenario *sc = o->sc;
    char cmdline[4096] = "";
    size_t off = 0;
    for (int i = 0; i < o->argc && off < sizeof cmdline; i++)
        off += (size_t)snprintf(cmdline + off, sizeof cmdline - off, "%s%s", i ? " " : "",
                                o->argv[i]);
    const char *crypto = sc->feed.crypto == POR_CRYPTO_MODE_REAL ? "real" : "ideal";
    por_outdir od;
    por_status st = por_outdir_begin(&od, dir, o->force, err);
    if (st != POR_OK)
        return st;
    char hash[17];
    por_scenario_hash(sc, hash);
    /* The writer adds "replications" (its row count, equal to o->completed) itself. */
    char *name = por_json_quote(sc->name);
    size_t nextra = strlen(name) + 128;
    char *extra = por_xmalloc(nextra);
    snprintf(extra, nextra, "\"scenario\": %s, \"scenario_hash\": \"%s\", \"seed\": %" PRIu64,
             name, hash, sc->seed);
    free(name);

    FILE *f = por_outdir_fopen(&od, "runs.csv", err);
    if (!f)
        goto fail;
    if (por_metric_table_write_csv(o->table, f) != 0) {
        por_error_set(err, POR_EIO, "%s/runs.csv: write failed: %s", dir, strerror(errno));
        fclose(f);
        goto fail;
    }
    if (por_outdir_fclose(&od, f, "runs.csv", err) != POR_OK)
        goto fail;

    f = por_outdir_fopen(&od, "summary.json", err);
    if (!f)
        goto fail;
    if (por_metric_table_write_summary_json(o->table, f, extra) != 0) {
        por_error_set(err, POR_EIO, "%s/summary.json: write failed: %s", dir, strerror(errno));
        fclose(f);
        goto fail;
    }
    free(extra);
    extra = NULL;
    if (por_outdir_fclose(&od, f, "summary.json", err) != POR_OK)
        goto fail;

    if (por__write_described(&od, o, err) != POR_OK)
        goto fail;

    f = por_outdir_fopen(&od, "meta.json", err);
    if (!f)
        goto fail;
    fprintf(f, "{\n  \"porsim_version\": \"%s\",\n  \"format_version\": %d,\n  \"command\": ",
            POR_VERSION, POR_OUTPUT_FORMAT_VERSION);
    por_cli_json_string(f, cmdline);
    fprintf(f, ",\n  \"scenario_file\": ");
    por_cli_json_string(f, sc->path ? sc->path : "<default>");
    /* The effective overrides (--set, then -r/--seed/--crypto as sets), in order: with
     * scenario_file they rebuild this scenario, as scenario.json holds it already built. */
    fprintf(f, ",\n  \"sets\": [");
    for (size_t i = 0; i < o->nsets; i++) {
        if (i)
            fputs(", ", f);
        por_cli_json_string(f, o->sets[i]);
    }
    fprintf(f, "]");
    fprintf(f, ",\n  \"scenario_name\": ");
    por_cli_json_string(f, sc->name);
    fprintf(f,
            ",\n  \"scenario_hash\": \"%s\",\n  \"seed\": %" PRIu64
            ",\n  \"replications_requested\": %" PRIu64 ",\n  \"replications_completed\": %" PRIu64
            ",\n  \"partial\": %s,\n  \"crypto\": \"%s\",\n  \"events\": %" PRIu64
            ",\n  \"wall_seconds\": %.3f%s\n}\n",
            hash, sc->seed, sc->replications, o->completed, o->partial ? "true" : "false",
            crypto, o->events, o->wall_seconds, o->meta_extra ? o->meta_extra : "");
    if (por_outdir_fclose(&od, f, "meta.json", err) != POR_OK)
        goto fail;
    return por_outdir_commit(&od, err) == POR_OK ? POR_OK : (por_outdir_abort(&od), err->status);
fail:
    free(extra);
    por_outdir_abort(&od);
    return err->status;
}
