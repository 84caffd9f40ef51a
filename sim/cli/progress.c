/* The progress bar (see progress.h). */
#include "progress.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

static double por__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "m:ss", or "h:mm:ss" from an hour on. */
static void por__clock(double s, char *out, size_t n)
{
    uint64_t t = s > 0 && isfinite(s) ? (uint64_t)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, n, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, n, "%" PRIu64 ":%02" PRIu64, t / 60, t % 60);
}

char *por_cli_progress_format(char *buf, size_t n, uint64_t done, uint64_t total,
                              double elapsed, const char *unit)
{
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = total ? (int)(WIDTH * (done < total ? done : total) / total) : WIDTH;
    for (int k = 0; k < WIDTH; k++)
        bar[k] = k < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    char el[32], eta[32] = "--:--";
    por__clock(elapsed, el, sizeof el);
    if (done >= total)
        snprintf(eta, sizeof eta, "0:00");
    else if (done > 0)
        por__clock(elapsed * (double)(total - done) / (double)done, eta, sizeof eta);
    snprintf(buf, n, "[%s] %" PRIu64 "/%" PRIu64 " %s, %s elapsed, ETA %s", bar, done, total, unit,
             el, eta);
    return buf;
}

void por_cli_progress_init(por_cli_progress *p, const char *unit, bool tty)
{
    p->unit = unit;
    p->tty = tty;
    p->open = false;
    p->t0 = por__now();
}

void por_cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    por_cli_progress *p = ctx;
    if (!p->tty)
        return;
    char line[256];
    por_cli_progress_format(line, sizeof line, done, total, por__now() - p->t0, p->unit);
    /* \033[K clears what a longer previous line left. */
    fprintf(stderr, "\r%s\033[K", line);
    p->open = done < total;
    if (!p->open)
        fputc('\n', stderr);
    fflush(stderr);
}

void por_cli_progress_end(por_cli_progress *p)
{
    if (p->tty && p->open) {
        fputc('\n', stderr);
        fflush(stderr);
    }
    p->open = false;
}
