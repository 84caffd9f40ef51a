/* A rough count of one replication's events before running it (see por/world.h), so a
 * valid scenario that would run for days (a 1 ns block time, a 10 ns resend interval)
 * is named before it starts rather than after a user gives up on it.
 *
 * Each periodic process contributes duration / period times a weight, the events one
 * period costs: a block is one event per chain; an OCR round (delta_round) costs about
 * 6n (observations, reports, signatures and transmissions of n oracles); a heartbeat
 * (delta_c) about 5n; a resend (delta_resend) or progress timer (delta_progress) about
 * n; an attestation refresh about n (every oracle reads it); a drift step, a consumer
 * poll and a mint, redemption or bridge request about one. The weights were read off the
 * default scenario (25,387 events in 6 h: 1,080 rounds of n = 4 at about 23 events each,
 * 1,800 blocks) and varying one period at a time; the result is an order of magnitude,
 * not a prediction. */
#include "por/world.h"

#include <stdio.h>

typedef struct {
    double total, best;
    char *driver;
    size_t n;
} por__estimate;

static void por__term(por__estimate *e, double duration_ns, por_time_t period, double weight,
                      const char *path, size_t index, const char *field)
{
    if (period <= 0)
        return;
    double x = duration_ns / (double)period * weight;
    e->total += x;
    if (x > e->best) {
        e->best = x;
        char every[64];
        por_duration_format(period, every, sizeof every);
        if (index == (size_t)-1)
            snprintf(e->driver, e->n, "%s=%s", path, every);
        else
            snprintf(e->driver, e->n, "%s[%zu].%s=%s", path, index, field, every);
    }
}

static double por__requests(const por_request_process *p, double days)
{
    if (p->kind == POR_PROCESS_POISSON || p->kind == POR_PROCESS_BURST)
        return p->per_day * days * (p->kind == POR_PROCESS_BURST && p->burst_size ? p->burst_size : 1);
    if (p->kind == POR_PROCESS_SCHEDULED)
        return (double)p->nscheduled;
    return 0;
}

double por_world_estimate_events(const por_scenario *sc, char *driver, size_t n)
{
    char sink[8];
    por__estimate e = {0, 0, driver && n ? driver : sink, driver && n ? n : sizeof sink};
    e.driver[0] = '\0';
    double d = (double)sc->duration;
    double on = (double)sc->feed.ocr.n;
    for (size_t i = 0; i < sc->nchains; i++)
        por__term(&e, d, sc->chains[i].block_time, 1, "chains", i, "block_time");
    const por_ocr_config *o = &sc->feed.ocr;
    por__term(&e, d, o->delta_round, 6 * on, "feed.ocr.delta_round", (size_t)-1, NULL);
    por__term(&e, d, o->delta_c, 5 * on, "feed.ocr.delta_c", (size_t)-1, NULL);
    por__term(&e, d, o->delta_resend, on, "feed.ocr.delta_resend", (size_t)-1, NULL);
    por__term(&e, d, o->delta_progress, on, "feed.ocr.delta_progress", (size_t)-1, NULL);
    for (size_t i = 0; i < sc->ncustodians; i++) {
        por__term(&e, d, sc->custodians[i].attest_every, on, "custodians", i, "attestation.every");
        if (sc->custodians[i].drift.kind != POR_DRIFT_NONE)
            por__term(&e, d, sc->custodians[i].drift.every, 1, "custodians", i, "reserve.drift.every");
    }
    for (size_t i = 0; i < sc->nconsumers; i++)
        por__term(&e, d, sc->consumers[i].poll_every, 1, "consumers", i, "poll_every");
    const por_request_process *req[3] = {&sc->token.mints, &sc->token.redeems, &sc->token.bridges};
    const char *req_path[3] = {"token.mints", "token.redeems", "token.bridges"};
    double days = d / 86400e9;
    for (int k = 0; k < 3; k++) {
        double x = por__requests(req[k], days);
        e.total += x;
        if (x > e.best) {
            e.best = x;
            snprintf(e.driver, e.n, "%s", req_path[k]);
        }
    }
    return e.total;
}
