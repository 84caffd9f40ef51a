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
 * Attestation API: the published figure refreshes at phase + k * attest_every (k any
 * integer) and then describes the true reserve at (refresh instant - attest_lag) (the
 * initial reserve for instants before 0); attest_every = 0 means refreshed continuously.
 * The phase is attest_phase, or with attest_phase_random a uniform draw from
 * [0, attest_every) (whole nanoseconds) made once per replication from the custodian's
 * own stream ("custodian" INDEX "attest-phase"), so replications see the loss at
 * different points of the refresh cycle. A read
 * by a node, in this order: inside an outage window -> OUTAGE; inside a ripcord window ->
 * RIPCORD (HTTP 503); when rate_limit_per_min reads were already served in the last
 * minute (served reads at times in (now - 1min, now]) -> RATE_LIMITED; with probability
 * failure_rate -> FAILED; else OK with the published figure. Every read draws a latency
 * from api_latency and one uniform for the failure test from the caller's stream, whatever
 * its outcome, so outcomes never shift later draws.
 * WALLET source: the read returns the on-chain balance as of the wallet chain's newest
 * confirmed block (the true reserve at por_chain_confirmed_time; at 0 before the first
 * block), so a change shows once a block at or after it is confirmed: up to a block time
 * plus the confirmations later. Without a chain (por_custodian_set_wallet_chain not
 * called) it returns the true reserve now. It never fails; it still takes an api_latency
 * (the RPC call).
 *
 * Deposits and withdrawals (por_custodian_change) move the true reserve by a signed
 * amount, now or after a delay, through the same path as steps: history, stats and
 * listeners see them.
 *
 * Fraud (scenario attackers of kind POR_ATTACK_CUSTODIAN_FRAUD naming this custodian),
 * for API reads inside the attack window only: hide_drain freezes the figure at what the
 * API published at the window start; then misreport_ppb scales it by (1 + ppb / 1e9),
 * truncated toward zero. Wallet reads cannot be falsified.
 * Window dressing (dress_around > 0): the custodian borrows funds in for
 * [s - around, s + around) around each attestation snapshot s = phase - attest_lag +
 * k * attest_every (the instant the attestation counts the accounts: the refresh instant
 * when attest_lag is 0) and repays them after; the loan is dress_ppb of the true reserve
 * at the instant looked at (truncated) or dress_amount. Only the attack window's instants
 * count (the instant looked at must lie in it). The loan is a liability: the true reserve
 * and the listeners never see it; the sources do: an API read adds the loan at its
 * snapshot (before hide_drain / misreport), so every attestation in the window is
 * dressed; a WALLET read adds the loan at the chain's confirmed time, so it sees the funds
 * only when that time falls in a dressing interval.
 * Double counting (double_ppb or double_amount): the same funds are also pledged to
 * another issuer's token (not simulated). While the attack window holds, only the
 * balance less the claim (the share truncated toward zero, or the amount; at least 0)
 * backs this token: that is the backing the listeners hear (ground truth), while every
 * source still reports the whole balance. */
#ifndef POR_CUSTODIAN_H
#define POR_CUSTODIAN_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/custodian.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/chain.h"
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

/* Hears each change of the backing of custodian INDEX (the true reserve less any
 * double-counted claim in force; the true reserve when there is none), BEFORE -> AFTER
 * (custodian base units), at por_sim_now(SIM). A claim's window opening or closing is a
 * change too. */
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
 * reserve, window dressing without 0 < around < attest_every / 2). Caller frees with
 * por_custodian_destroy after the simulation is destroyed. */
por_custodian *por_custodian_create(const por_custodian_config *cfg, uint32_t index,
                                    por_sim *sim, const por_attack_config *attackers,
                                    size_t nattackers, por_error *err);

/* Frees C (may be NULL). */
void por_custodian_destroy(por_custodian *c);

/* Adds a listener of true-reserve changes (called in registration order). */
void por_custodian_add_listener(por_custodian *c, por_reserve_listener fn, void *ctx);

/* The true reserve now (custodian base units): the whole balance the custodian holds. */
por_amount por_custodian_true_reserve(const por_custodian *c);

/* What of the true reserve truly backs this token as of the last event handled: the true
 * reserve less the double-counted claims in force (custodian base units). */
por_amount por_custodian_backing(const por_custodian *c);

/* The funds borrowed in by window dressing at instant T (custodian base units; 0 outside
 * every dressing interval or without window dressing). T must be an instant whose true
 * reserve is still known (see por_custodian_true_reserve_at). */
por_amount por_custodian_borrowed_at(const por_custodian *c, por_time_t t);

/* The true reserve at instant T (changes at T included), for T >= now - attest_lag -
 * attest_every (- 2 days with skip_weekends; older history is pruned; earlier T is a
 * caller bug). T < 0 gives the
 * initial reserve. */
por_amount por_custodian_true_reserve_at(const por_custodian *c, por_time_t t);

/* The figure the attestation API publishes now, before any fraud or window dressing (the WALLET source:
 * the balance at the wallet chain's confirmed block). NOW must be por_sim_now. */
por_amount por_custodian_published(const por_custodian *c, por_time_t now);

/* The instant of the attestation refresh in force at NOW: the largest phase + k * every
 * <= NOW (NOW itself when attest_every is 0). With skip_weekends, refreshes on a Saturday
 * or Sunday do not happen (a market closed on weekends: no NAV, no broker statement), so
 * from Saturday 00:00 to the first refresh of Monday the last refresh before Saturday
 * stays in force. Window dressing (custodian_fraud) keeps dressing around every grid
 * instant, weekend ones included. */
por_time_t por_custodian_refreshed_at(const por_custodian *c, por_time_t now);

/* Whether instant T falls on a Saturday or Sunday of CFG's calendar (day 0 is weekday
 * CFG->first_day, 0 = Monday; days are UTC days of the run's clock). */
bool por_custodian_weekend(const por_custodian_config *cfg, por_time_t t);

/* The attestation phase of this replication (attest_phase, or the random draw). */
por_time_t por_custodian_attest_phase(const por_custodian *c);

/* Makes a WALLET custodian read its balance as of CHAIN's newest confirmed block. CHAIN
 * (borrowed) must outlive the custodian. Ignored for other sources. */
void por_custodian_set_wallet_chain(por_custodian *c, const por_chain *chain);

/* Changes the true reserve by DELTA (custodian base units, signed: a deposit or a
 * payout) at now + DELAY (DELAY <= 0: at once), saturating at POR_AMOUNT_MAX and 0.
 * The change goes through the custodian's change path: history, stats and listeners. */
void por_custodian_change(por_custodian *c, por_sim *sim, por_amount delta, por_time_t delay);

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
