/* `porsim merge OUT_DIR SHARD_DIR...`: the command only. It reads each shard directory
 * and writes the merged one through the sweep directory format (por/sweep_dir.h,
 * sim/io/sweep_dir.c); here are its options, the checks that the shards fit together
 * (same grid, every cell exactly once) and meta.json of the merge. */
#include "io/columns.h"
#include "por/json_write.h"
#include "por/outdir.h"
#include "por/sweep.h"
#include "por/sweep_dir.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char por_merge_usage[] =
    "Usage: porsim merge OUT_DIR SHARD_DIR...\n"
    "\n"
    "Joins the output directories of `porsim sweep --shard K/N` runs into OUT_DIR, which\n"
    "then holds exactly the points.csv, runs.csv, censored.csv and summary.csv bytes of\n"
    "the unsharded sweep (summary.csv is recomputed from the merged cells; meta.json\n"
    "lists the shards). Refuses (exit 2) shards of different grids (parameters, values,\n"
    "scenario hashes, seeds or replication counts), a cell present in two shards, and\n"
    "cells that no shard has.\n"
    "\n"
    "Options:\n"
    "  --force                replace OUT_DIR if it exists\n"
    "  -q, --quiet            print nothing on success\n"
    "  -h, --help             this help\n"
    "\n"
    "Example:\n"
    "  for k in 1 2 3; do porsim sweep s.json --param feed.ocr.deviation=0.5%,1%,2% \\\n"
    "      --shard $k/3 -o out/shard$k; done\n"
    "  porsim merge out/all out/shard1 out/shard2 out/shard3\n";

typedef struct {
    uint64_t point, rep;
    size_t shard;
} por__key;

static int por__cmp_key(const void *a, const void *b)
{
    const por__key *x = a, *y = b;
    if (x->point != y->point)
        return (x->point > y->point) - (x->point < y->point);
    if (x->rep != y->rep)
        return (x->rep > y->rep) - (x->rep < y->rep);
    return (x->shard > y->shard) - (x->shard < y->shard);
}

int por_merge_main(int argc, char **argv)
{
    const char *out = NULL;
    const char **shards = por_xcalloc((size_t)argc, sizeof *shards);
    size_t nshards = 0;
    bool force = false, quiet = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por_merge_usage, stdout);
            free(shards);
            return 0;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "porsim merge: unknown option %s\n(see `porsim help merge`)\n", a);
            free(shards);
            return 2;
        } else if (!out) {
            out = a;
        } else {
            shards[nshards++] = a;
        }
    }
    if (!out || nshards == 0) {
        fprintf(stderr, "porsim merge: needs OUT_DIR and at least one SHARD_DIR\n"
                        "(see `porsim help merge`)\n");
        free(shards);
        return 2;
    }
    por_error err = {POR_OK, ""};
    por_sweep_grid g = {0};
    por_sweep_rowset rs = {0};
    char *points0 = NULL;
    char *header = NULL;
    por_status st = por_outdir_check(out, force, &err);
    for (size_t s = 0; s < nshards && st == POR_OK; s++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/points.csv", shards[s]);
        char *pts = por_sweep_file_read(path, &err);
        if (!pts) {
            st = POR_EINPUT;
            break;
        }
        if (s == 0) {
            points0 = pts;
            st = por_sweep_points_parse(path, pts, &g, &err);
            if (st != POR_OK)
                break;
            header = por_sweep_runs_header(&g);
        } else {
            /* Say what differs: the parameters, or the first differing point. */
            size_t k = por_sweep_points_first_diff(points0, pts);
            if (k != SIZE_MAX) {
                if (k == 0)
                    st = por_error_set(&err, POR_EINPUT,
                                       "%s and %s: different sweep parameters", shards[0],
                                       shards[s]);
                else
                    st = por_error_set(&err, POR_EINPUT,
                                       "%s and %s: grids differ at point %zu (parameter "
                                       "values, scenario hash, seed or replications)",
                                       shards[0], shards[s], k - 1);
            }
            free(pts);
            if (st != POR_OK)
                break;
        }
        if (st == POR_OK)
            st = por_sweep_shard_scenarios(shards[s], s == 0, &g, &err);
        st = st == POR_OK ? por_sweep_shard_read(shards[s], s, &g, header, &rs, &err) : st;
    }
    if (st == POR_OK) {
        /* Every cell exactly once: sort cell keys and walk the grid. */
        por__key *keys = por_xmalloc((rs.n ? rs.n : 1) * sizeof *keys);
        for (size_t i = 0; i < rs.n; i++)
            keys[i] = (por__key){rs.rows[i].point, rs.rows[i].rep, rs.from[i]};
        qsort(keys, rs.n, sizeof *keys, por__cmp_key);
        size_t k = 0;
        for (uint64_t p = 0; p < g.npoints && st == POR_OK; p++) {
            for (uint64_t r = 0; r < g.replications[p] && st == POR_OK; r++) {
                if (k >= rs.n || keys[k].point != p || keys[k].rep != r) {
                    st = por_error_set(&err, POR_EINPUT,
                                       "cell (point %" PRIu64 ", replication %" PRIu64
                                       ") is in none of the shards (a shard is missing?)",
                                       p, r);
                    break;
                }
                if (k + 1 < rs.n && keys[k + 1].point == p && keys[k + 1].rep == r) {
                    st = por_error_set(&err, POR_EINPUT,
                                       "cell (point %" PRIu64 ", replication %" PRIu64
                                       ") is in both %s and %s (overlapping shards)",
                                       p, r, shards[keys[k].shard], shards[keys[k + 1].shard]);
                    break;
                }
                k++;
            }
        }
        if (st == POR_OK && k < rs.n)
            st = por_error_set(&err, POR_EINPUT,
                               "cell (point %" PRIu64 ", replication %" PRIu64
                               ") is not in the grid", keys[k].point, keys[k].rep);
        free(keys);
    }
    if (st == POR_OK) {
        char *meta = NULL;
        size_t len = 0;
        FILE *m = por_xmemstream(&meta, &len);
        fprintf(m, "{\n  \"porsim_version\": \"" POR_VERSION "\",\n  \"format_version\": "
                   POR_OUTPUT_FORMAT_VERSION_STR ",\n  \"kind\": \"merge\",\n  \"points\": "
                   "%zu,\n  \"cells\": %zu,\n  \"shards\": [", g.npoints, rs.n);
        for (size_t s = 0; s < nshards; s++) {
            char *q = por_json_quote(shards[s]);
            fprintf(m, "%s%s", s ? ", " : "", q);
            free(q);
        }
        fputs("]\n}\n", m);
        if (fclose(m) != 0)
            por_out_of_memory(" (writing meta.json)");
        st = por_sweep_write_dir(out, force, &g, rs.rows, rs.n, meta, &err);
        free(meta);
        if (st == POR_OK && !quiet)
            printf("merged %zu shard%s: %zu points, %zu cells -> %s\n", nshards,
                   nshards == 1 ? "" : "s", g.npoints, rs.n, out);
    }
    if (st != POR_OK)
        fprintf(stderr, "porsim merge: %s\n", err.msg);
    por_sweep_rowset_free(&rs);
    free(points0);
    free(header);
    por_sweep_grid_free(&g);
    free(shards);
    return por_status_exit_code(st);
}
