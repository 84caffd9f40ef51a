/* The terminal table of `porsim sweep` (por_sweep_print, por/sweep.h): per point, the
 * summary of one metric read from the rows' runs.csv text. Presentation only; the
 * sweep directory itself is written by sim/io/sweep_dir.c. */
#include "por/sweep.h"
#include "por/sweep_dir.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A KM quantile or limit for the terminal, in the table's unit. */
static void por__km_text(char *buf, bool reached, double x, double scale)
{
    if (reached)
        por_format_human(x / scale, buf);
    else
        snprintf(buf, 64, "beyond horizon");
}

void por_sweep_print(const por_sweep_grid *g, const por_sweep_row *rows, size_t nrows,
                     const char *metric, FILE *f)
{
    size_t ncols;
    const por_metric_def *defs = por_world_metric_defs(&ncols);
    size_t col = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!strcmp(defs[c].name, metric))
            col = c;
    if (col == ncols)
        return;
    const por_metric_def *d = &defs[col];
    bool km = d->censorable;

    /* One summary per point that has rows. */
    size_t npts = 0;
    por_summary *sum = por_xcalloc(nrows ? nrows : 1, sizeof *sum);
    uint64_t *pid = por_xcalloc(nrows ? nrows : 1, sizeof *pid);
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && rows[j].point == rows[i].point)
            j++;
        size_t n = j - i;
        double *vals = por_xmalloc(n * sizeof *vals);
        bool *cens = por_xmalloc(n * sizeof *cens);
        por_sweep_rows_values(rows + i, n, col, vals, cens);
        por_summary_of(vals, km ? cens : NULL, n, &sum[npts]);
        pid[npts++] = rows[i].point;
        free(vals);
        free(cens);
        i = j;
    }

    /* Durations in one unit for the whole table, chosen from the middle point's typical
     * value (KM p50 when reached, else the mean). */
    double scale = 1.0;
    const char *unit = d->unit ? d->unit : "";
    if (d->kind == POR_METRIC_DURATION) {
        double *ref = por_xmalloc((npts ? npts : 1) * sizeof *ref);
        size_t nref = 0;
        for (size_t k = 0; k < npts; k++) {
            double x = km && sum[k].km_q[0].reached ? sum[k].km_q[0].value : sum[k].mean;
            if (isfinite(x))
                ref[nref++] = x;
        }
        for (size_t a = 1; a < nref; a++) /* insertion sort: a few hundred points at most */
            for (size_t b = a; b > 0 && ref[b - 1] > ref[b]; b--) {
                double t = ref[b];
                ref[b] = ref[b - 1];
                ref[b - 1] = t;
            }
        unit = por_duration_display_unit(nref ? ref[nref / 2] : NAN, &scale);
        free(ref);
    }
    fprintf(f, "%s per point%s%s%s:\n", metric, *unit ? " (" : "", unit, *unit ? ")" : "");
    int width = 10;
    for (size_t p = 0; p < g->npoints; p++) {
        size_t len = 0;
        for (size_t k = 0; k < g->nparams; k++)
            len += strlen(g->paths[k]) + strlen(g->values[p * g->nparams + k]) + 2;
        if (len > (size_t)width)
            width = len > 200 ? 200 : (int)len;
    }
    fprintf(f, "%6s  %-*s %6s %6s %10s %23s", "point", width, "parameters", "n", "cens", "mean",
            "95% CI");
    if (km)
        fprintf(f, " %14s %14s %31s", "KM p50", "KM p90", "KM p90 95% CI");
    fputc('\n', f);
    for (size_t k = 0; k < npts; k++) {
        const por_summary *s = &sum[k];
        uint64_t p = pid[k];
        char *params = NULL;
        size_t plen = 0;
        FILE *pb = por_xmemstream(&params, &plen);
        for (size_t q = 0; q < g->nparams; q++)
            fprintf(pb, "%s%s=%s", q ? " " : "", g->paths[q], g->values[p * g->nparams + q]);
        if (fclose(pb) != 0)
            por_out_of_memory(" (printing the sweep table)");
        char mean[64], lo[64], hi[64], ci[140] = "-";
        por_format_human(s->mean / scale, mean);
        if (isfinite(s->ci_lo)) {
            por_format_human(s->ci_lo / scale, lo);
            por_format_human(s->ci_hi / scale, hi);
            snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        }
        fprintf(f, "%6" PRIu64 "  %-*s %6zu %6zu %10s %23s", p, width, params, s->n, s->censored,
                mean, ci);
        if (km) {
            char q50[64] = "-", q90[64] = "-", kci[140] = "-";
            if (s->km_valid) {
                por__km_text(q50, s->km_q[0].reached, s->km_q[0].value, scale);
                por__km_text(q90, s->km_q[1].reached, s->km_q[1].value, scale);
                por__km_text(lo, s->km_q[1].lo_reached, s->km_q[1].lo, scale);
                por__km_text(hi, s->km_q[1].hi_reached, s->km_q[1].hi, scale);
                snprintf(kci, sizeof kci, "[%s, %s]", lo, hi);
            }
            fprintf(f, " %14s %14s %31s", q50, q90, kci);
        }
        fputc('\n', f);
        free(params);
    }
    free(sum);
    free(pid);
}

