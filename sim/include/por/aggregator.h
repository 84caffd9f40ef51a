/* The on-chain OffchainAggregator of a PoR feed: verifies transmitted OCR reports as the
 * real contract does and exposes latestRoundData to readers (Secure Mint, consumers,
 * transmitters). Listeners hear of every accepted answer. */
#ifndef POR_AGGREGATOR_H
#define POR_AGGREGATOR_H

#include "por/amount.h"
#include "por/crypto.h"
#include "por/engine.h"
#include "por/scenario.h"

/* latestRoundData's return values. round_id 0 = no answer yet. */
typedef struct {
    uint64_t round_id;
    por_amount answer;       /* feed base units (feed decimals) */
    por_time_t started_at;
    por_time_t updated_at;   /* block timestamp of the accepting transmission */
    uint64_t answered_in_round;
    uint32_t epoch, round;   /* the OCR (epoch, round) of the accepted report */
} por_round_data;

/* Why the aggregator refused a transmission (counted per reason). */
#define POR_TRANSMIT_RESULTS(X)                                   \
    X(POR_TRANSMIT_ACCEPTED, "accepted")                          \
    X(POR_TRANSMIT_WRONG_DIGEST, "wrong_config_digest")           \
    X(POR_TRANSMIT_STALE, "stale_epoch_round")                    \
    X(POR_TRANSMIT_TOO_FEW_SIGS, "too_few_signatures")            \
    X(POR_TRANSMIT_BAD_SIG, "bad_signature")                      \
    X(POR_TRANSMIT_UNKNOWN_SIGNER, "unknown_signer")              \
    X(POR_TRANSMIT_DUPLICATE_SIGNER, "duplicate_signer")          \
    X(POR_TRANSMIT_UNSORTED, "unsorted_observations")             \
    X(POR_TRANSMIT_TOO_FEW_OBS, "too_few_observations")           \
    X(POR_TRANSMIT_OUT_OF_BOUNDS, "median_out_of_bounds")         \
    X(POR_TRANSMIT_NOT_TRANSMITTER, "not_a_transmitter")

typedef enum {
#define POR__TR_ENUM(code, name) code,
    POR_TRANSMIT_RESULTS(POR__TR_ENUM)
#undef POR__TR_ENUM
    POR_TRANSMIT_NRESULTS
} por_transmit_result;

const char *por_transmit_result_name(por_transmit_result r);

typedef struct por_aggregator por_aggregator;

/* Called after each accepted answer, in listener registration order. */
typedef void (*por_answer_listener)(void *ctx, por_sim *sim, const por_round_data *rd);

void por_aggregator_latest(const por_aggregator *agg, por_round_data *out);
uint32_t por_aggregator_decimals(const por_aggregator *agg);
void por_aggregator_add_listener(por_aggregator *agg, por_answer_listener fn, void *ctx);
/* Count of transmissions that ended with result R. */
uint64_t por_aggregator_count(const por_aggregator *agg, por_transmit_result r);

/* ---- configuration, reports and transmit ------------------------------------------ */

/* What setConfig stores: the oracles' signing addresses and transmitter addresses (index
 * i = oracle i), f, the onchain config (answer bounds and decimals) and a config count. */
typedef struct {
    uint32_t n, f;
    por_addr signers[POR_MAX_ORACLES];
    por_addr transmitters[POR_MAX_ORACLES];
    por_amount min_answer, max_answer;
    uint32_t decimals;
    uint64_t config_count;
} por_aggregator_config;

/* An OCR report as transmitted: context (config digest, epoch, round) and the
 * observations in the order the leader put them (sorted ascending by value when honest),
 * with the oracle index of each observer. */
typedef struct {
    por_digest config_digest;
    uint32_t epoch, round;
    uint32_t nobs;
    por_amount obs[POR_MAX_ORACLES];
    uint8_t observers[POR_MAX_ORACLES];
} por_report;

/* Computes the config digest of CFG: keccak-256 over a fixed big-endian serialization of
 * config_count, n, f, signers, transmitters, min_answer, max_answer, decimals. */
void por_aggregator_config_digest_of(const por_aggregator_config *cfg, por_digest *out);

/* The report hash oracles sign and the contract recovers signers from: keccak-256 over
 * a fixed serialization of (config digest, epoch, round, nobs, observers, observations as
 * 16-byte big-endian two's complement). */
void por_report_hash(const por_report *rep, por_digest *out);

/* Creates an aggregator with configuration CFG (copied); CRYPTO (borrowed, must outlive
 * it) verifies signatures. Caller frees with por_aggregator_destroy. */
por_aggregator *por_aggregator_create(const por_aggregator_config *cfg, por_crypto *crypto);
void por_aggregator_destroy(por_aggregator *agg);

/* The current config digest (borrowed pointer into AGG). */
const por_digest *por_aggregator_config_digest(const por_aggregator *agg);

/* OffchainAggregator.transmit as executed in a block at BLOCK_TIME by SENDER: checks, in
 * order, config digest, (epoch, round) strictly above the latest accepted, sender is a
 * configured transmitter, more than f signatures, each recovering to a configured signer
 * (bad_signature when nothing recovers, unknown_signer for another address) with no
 * signer twice, more than 2f observations, observations sorted ascending, median
 * obs[nobs/2] within [min_answer, max_answer]. On success stores a new round
 * (round_id + 1, answer = median, started_at = updated_at = BLOCK_TIME, answered_in_round
 * = round_id) and calls the listeners. Counts the result and returns it. SIM may be NULL
 * in unit tests (listeners then get NULL). */
por_transmit_result por_aggregator_transmit(por_aggregator *agg, por_sim *sim,
                                            por_time_t block_time, const por_addr *sender,
                                            const por_report *rep, const por_sig *sigs,
                                            uint32_t nsigs);

/* Rounds the history keeps: the newest 4096 (a power of two; memory stays bounded however
 * long a run). */
#define POR_AGGREGATOR_HISTORY 4096u

/* Round ROUND_ID (1-based) of the history into OUT; false if there is no such round or it
 * is older than the newest POR_AGGREGATOR_HISTORY. */
bool por_aggregator_round(const por_aggregator *agg, uint64_t round_id, por_round_data *out);

/* Number of rounds accepted so far (the latest round id). */
uint64_t por_aggregator_rounds(const por_aggregator *agg);

/* The configuration (borrowed). */
const por_aggregator_config *por_aggregator_get_config(const por_aggregator *agg);

/* Test-only faults of the contract, to exercise the safety audit end to end (a correct
 * model never breaks an invariant). Never set from a scenario file. */
typedef enum {
    POR_AGG_FAULT_NONE = 0,
    /* transmit() skips "more than f signatures" and every signature check (recovery,
     * configured signer, no signer twice): under-signed reports are accepted */
    POR_AGG_FAULT_SKIP_SIGNATURE_CHECK = 1u << 0,
} por_aggregator_fault;

/* Sets the faults of AGG (a bitwise OR of por_aggregator_fault; POR_AGG_FAULT_NONE
 * clears them). For tests and the POR_TEST_FAULT testing aid (por/don.h) only. */
void por_aggregator_set_fault(por_aggregator *agg, unsigned faults);

#endif
