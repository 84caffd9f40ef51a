/* A custodian: the true reserve it holds over time, and the source oracle nodes read it
 * through (an attestation API with lag, failures, outages, ripcords and a rate limit, or
 * an on-chain wallet read directly).
 *
 * True reserve: initial, then scheduled steps (relative ppb, absolute, set), plus drift
 * (random walk: every `every` multiply by exp(N(0, sigma_per_day * sqrt(every / 1d)));
 * linear: the reserve grows by initial * rate_per_year * t / 365d, added tick by tick
 * at multiples of `every` as exact differences of the rounded cumulative growth). The
 * reserve is exact (por_amount) and clamped to [0, POR_AMOUNT_MAX]. Every change is
 * announced to listeners (the world's ground truth).
 *
 * Attestation API: the published figure refreshes at k * attest_every (k = 0, 1, ...)
 * and then describes the true reserve at (refresh instant - attest_lag) (the initial
 * reserve for instants before 0); attest_every = 0 means refreshed continuously. A read
 * by a node, in this order: inside an outage window -> OUTAGE; inside a ripcord window ->
 * RIPCORD (HTTP 503); when rate_limit_per_min reads were already served in the last
 * minute (served reads at times in (now - 1min, now]) -> RATE_LIMITED; with probability
 * failure_rate -> FAILED; else OK with the published figure. Every read draws a latency
 * from api_latency and one uniform for the failure test from the caller's stream, whatever
 * its outcome, so outcomes never shift later draws.
 * WALLET source: the read returns the true reserve now (no lag) and never fails; it still
 * takes an api_latency (the RPC call).
 *
 * Fraud (scenario attackers of kind POR_ATTACK_CUSTODIAN_FRAUD naming this custodian),
 * for API reads inside the attack window only: hide_drain freezes the figure at what the
 * API published at the window start; then misreport_ppb scales it by (1 + ppb / 1e9),
 * truncated toward zero. Wallet reads cannot be falsified. */
#ifndef POR_CUSTODIAN_H
#define POR_CUSTODIAN_H

#include "por/engine.h"
#include "por/error.h"
#include "por/scenario.h"

#include <gsl/gsl_rng.h>

/* The outcome of one read of a custodian's source. */
typedef enum {
    POR_READ_OK,
    POR_READ_FAILED,       /* random API failure (failure_rate) */
    POR_READ_OUTAGE,       /* inside an outage window */
    POR_READ_RIPCORD,      /* inside a ripcord window: the provider answers 503 */
    POR_READ_RATE_LIMITED, /* over rate_limit_per_min in the rolling minute */
    POR_READ_NRESULTS
} por_read_status;

/* Returns a short name ("ok", "failed", "outage", "ripcord", "rate_limited"). */
const char *por_read_status_name(por_read_status s);

/* Hears each change of the true reserve of custodian INDEX, BEFORE -> AFTER (custodian
 * base units), at por_sim_now(SIM). */
typedef void (*por_reserve_listener)(void *ctx, por_sim *sim, uint32_t index,
                                     por_amount before, por_amount after);

typedef struct {
    uint64_t changes;                   /* true-reserve changes (steps and drift ticks) */
    uint64_t reads[POR_READ_NRESULTS];  /* reads by outcome */
} por_custodian_stats;

typedef struct por_custodian por_custodian;

/* Creates custodian INDEX from CFG and registers its entity with SIM (its init hook
 * schedules the steps and drift). ATTACKERS (NATTACKERS entries, may be NULL) is the
 * scenario's attacker list; the CUSTODIAN_FRAUD ones naming INDEX apply. CFG and
 * ATTACKERS must outlive the custodian. Returns NULL and fills ERR when CFG is unusable
 * (drift without a positive `every`, decimals above POR_MAX_DECIMALS, negative initial
 * reserve). Caller frees with por_custodian_destroy after the simulation is destroyed. */
por_custodian *por_custodian_create(const por_custodian_config *cfg, uint32_t index,
                                    por_sim *sim, const por_attack_config *attackers,
                                    size_t nattackers, por_error *err);

/* Frees C (may be NULL). */
void por_custodian_destroy(por_custodian *c);

/* Adds a listener of true-reserve changes (called in registration order). */
void por_custodian_add_listener(por_custodian *c, por_reserve_listener fn, void *ctx);

/* The true reserve now (custodian base units). */
por_amount por_custodian_true_reserve(const por_custodian *c);

/* The true reserve at instant T (changes at T included), for T >= now - attest_lag -
 * attest_every (older history is pruned; earlier T is a caller bug). T < 0 gives the
 * initial reserve. */
por_amount por_custodian_true_reserve_at(const por_custodian *c, por_time_t t);

/* The figure the attestation API publishes now, before any fraud (the WALLET source:
 * the true reserve). */
por_amount por_custodian_published(const por_custodian *c, por_time_t now);

/* Reads the custodian's source for oracle NODE at por_sim_now(SIM), drawing from RNG
 * (the node's observe stream). Writes the figure (custodian base units) to *VALUE when
 * the result is POR_READ_OK, and how long the read took to *LATENCY always. */
por_read_status por_custodian_read(por_custodian *c, por_sim *sim, uint32_t node, gsl_rng *rng,
                                   por_amount *value, por_time_t *latency);

/* The custodian's decimals and index; its engine entity id. */
uint32_t por_custodian_decimals(const por_custodian *c);
uint32_t por_custodian_index(const por_custodian *c);
uint32_t por_custodian_entity(const por_custodian *c);

void por_custodian_get_stats(const por_custodian *c, por_custodian_stats *out);

#endif
