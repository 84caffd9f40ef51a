/* The world of one replication: chains, custodians, the oracle network and its feed, the
 * token with Secure Mint, consumers, and the ground truth that scores them.
 *
 * por_world_run_replication builds every model of a scenario in one simulation, runs it
 * to the horizon and turns what happened into one row of metrics (columns in
 * por_world_metric_defs order, indices in por/metrics.h). Ground truth is tracked
 * continuously: true reserve = sum of what truly backs the token at each custodian (its
 * true reserve less any claim of another issuer: por_custodian_backing), each rescaled to the
 * token's decimals; total supply = sum over the token's chains plus tokens in flight on a
 * bridge; onset = the first instant
 * true reserve / total supply < onset_ratio_ppb / 1e9 (checked at start and after every
 * reserve or supply change). */
#ifndef POR_WORLD_H
#define POR_WORLD_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/world.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/crypto.h"
#include "por/error.h"
#include "por/metrics.h"
#include "por/scenario.h"
#include "por/stats.h"
#include "por/trace.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Levels of a stop flag (por_run_options.stop), raised by signals or a wall-time budget:
 * at POR_STOP_NEW no new replication starts; at POR_STOP_NOW running replications also
 * end, at their engine's next poll (every POR_SIM_POLL_EVENTS events), with
 * POR_EINTERRUPTED. */
#define POR_STOP_NEW 1
#define POR_STOP_NOW 2

/* Bytes of OUT_STRINGS per column (exact amount strings). */
#define POR_WORLD_STRING_BYTES 48

typedef struct {
    int crypto_override;         /* -1 = the scenario's choice, else a por_crypto_choice */
    por_time_t horizon_override; /* 0 = the scenario's duration */
    por_trace_sink *trace;       /* teaching-mode trace (por/trace.h); NULL = off. Tracing
                                    never changes the run's results. Borrowed. */
    por_crypto_stats *crypto_stats; /* NULL, or an array indexed by replication index:
                                    entry REP receives replication REP's crypto counters
                                    (each replication writes only its own entry, so
                                    threads never share one). Borrowed. */
    volatile sig_atomic_t *stop; /* NULL, or a stop flag (POR_STOP_NOW ends the run). */
    uint64_t max_events;         /* 0, or a replication handling this many events ends
                                    with POR_EINTERRUPTED (checked at each poll) */
    unsigned test_faults;        /* test-only faults, a bitwise OR of por_don_fault
                                    (por/don.h), applied to the DON before the run; 0
                                    normally (the CLI reads them from POR_TEST_FAULT) */
} por_run_options;

/* The metric columns every replication yields: a static table (never freed) of *NCOLS
 * (= POR_WM_NCOLS) definitions, in por_world_metric order:
 *   onset               DURATION, censorable: run start -> onset; censored at the horizon
 *   feed_detect         DURATION, censorable: onset -> first accepted on-chain answer that
 *                       shows the shortfall (answer rescaled to token decimals / supply at
 *                       that instant < onset ratio); censored at horizon - onset; absent
 *                       without onset
 *   mint_block          DURATION, censorable: onset -> first Secure Mint refusal at or
 *                       after onset (any reason); censored/absent as feed_detect
 *   unbacked_minted     AMOUNT (token units, exact string): accepted mints in
 *                       [onset, mint_block) (to the horizon when never blocked); absent
 *                       without onset
 *   false_rejections    COUNT: refused mints that truth would have backed (true reserve /
 *                       (supply + amount) >= onset ratio at the refusal)
 *   consumer_reaction   DURATION, censorable: onset -> first consumer action taken at or
 *                       after onset; absent without onset or without consumers
 *   rounds, epochs      COUNT: OCR rounds started, epochs (DON statistics)
 *   reports_accepted    COUNT: transmissions the aggregator accepted
 *   transmissions       COUNT: transmissions the DON sent
 *   gas                 COUNT: gas used on all chains
 *   max_feed_staleness  DURATION: max over the run of now - updatedAt, sampled just before
 *                       each new answer and at the horizon (time since run start before
 *                       the first answer)
 *   mints_accepted, mints_refused, redeems   COUNT (attacker mints included)
 *   min_true_ratio      RATIO: smallest true reserve / supply seen
 *   invariant_violations COUNT: accepted mints that left supply above mintable(reported
 *                       reserve) (a bug unless an attacker holds >= f+1 keys)
 *   events              COUNT: simulation events handled
 *   forged_reports_accepted  COUNT: reports forged with stolen keys (KEY_COMPROMISE) that
 *                       the aggregator accepted (an outcome when k >= f+1 keys are stolen)
 *   forged_reports_rejected  COUNT: forged reports the aggregator refused
 *   undersigned_reports COUNT: accepted reports with fewer than f+1 valid distinct
 *                       signatures, counted by an audit independent of the aggregator
 *                       (always a violation)
 *   median_outside_honest COUNT: accepted DON reports whose median lies outside [min, max]
 *                       of the honest observations of their round (a violation when at
 *                       most f nodes are byzantine, an outcome otherwise)
 *   bridge_transfers    COUNT: cross-chain moves burned on their source chain
 *   bridge_refused      COUNT: moves refused (larger than the source chain's supply)
 *   max_in_flight       AMOUNT (token units, exact): largest amount burned and not yet
 *                       released; truth counts it as supply, Secure Mint does not see it
 *   transmissions_held_back COUNT: reports a node's shouldTransmit held back (its own
 *                       newer-than-chain report pending, medians within alpha)
 *   messages_retransmitted COUNT: oracle-to-oracle messages lost at least once and
 *                       delivered after retransmission (network.loss_model retransmit) */
const por_metric_def *por_world_metric_defs(size_t *ncols);

/* Runs replication REP of SC (seed sc->seed) with OPT (NULL = defaults) and fills CELLS
 * (POR_WM_NCOLS entries). Exact amount strings point into OUT_STRINGS, a caller buffer of
 * POR_WM_NCOLS * POR_WORLD_STRING_BYTES bytes that must outlive the use of CELLS.
 * Returns POR_OK; POR_EINVARIANT with a message in ERR (cells are still filled) when a
 * safety invariant broke that no attacker was granted the power to break: Secure Mint
 * let supply exceed mintable(reported reserve) (unless >= f+1 keys are stolen); a report
 * was accepted with fewer than f+1 valid signatures; a forged report was accepted with
 * at most f stolen keys; an accepted median left the honest range with at most f
 * byzantine nodes; POR_EINPUT for a scenario the models refuse; or the status a model
 * failed the simulation with. */
por_status por_world_run_replication(const por_scenario *sc, uint64_t rep,
                                     const por_run_options *opt, por_metric_cell *cells,
                                     char *out_strings, por_error *err);

/* A rough count (an order of magnitude) of the events one replication of SC handles,
 * summed over its periodic processes (blocks, OCR rounds, heartbeats, resends,
 * attestation refreshes, drift, consumer polls, requests); DRIVER (N bytes, may be NULL)
 * receives the scenario path and value of the largest term ("feed.ocr.delta_resend=10ns"). */
double por_world_estimate_events(const por_scenario *sc, char *driver, size_t n);

/* Estimated events per replication above which porsim run and sweep warn before
 * running (about an hour of wall time at this machine's full-model speed). */
#define POR_WORLD_EVENTS_WARN 1e10

#endif
