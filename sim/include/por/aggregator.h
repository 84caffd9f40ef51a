/* The on-chain OffchainAggregator of a PoR feed: verifies transmitted OCR reports as the
 * real contract does and exposes latestRoundData to readers (Secure Mint, consumers,
 * transmitters). Listeners hear of every accepted answer. */
#ifndef POR_AGGREGATOR_H
#define POR_AGGREGATOR_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/aggregator.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

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
    uint64_t block;          /* number of the including block (bookkeeping for readers
                                at a confirmation depth; not returned by the contract) */
} por_round_data;

/* Why the aggregator refused a transmission (counted per reason). Listed in the order
 * codes were added; por_aggregator_transmit checks them in the order of the contract's
 * requires (see aggregator.c). */
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
    X(POR_TRANSMIT_NOT_TRANSMITTER, "not_a_transmitter")          \
    X(POR_TRANSMIT_TOO_MANY_SIGS, "too_many_signatures")          \
    X(POR_TRANSMIT_OBSERVER_REPEATED, "observer_index_repeated") \
    X(POR_TRANSMIT_WRONG_SIG_COUNT, "wrong_number_of_signatures")

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
/* latestRoundData as of block MAX_BLOCK: the newest round included in a block numbered
 * at most MAX_BLOCK (what a reader waiting for confirmations sees); zeros when none. */
void por_aggregator_latest_at(const por_aggregator *agg, uint64_t max_block,
                              por_round_data *out);
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
    bool ocr2;                   /* an OCR2Aggregator (contract2/OCR2Aggregator.sol) */
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
    /* OCR2 (median plugin evmreportcodec): the report also carries the median of the
     * observers' timestamps, which the OCR2Aggregator stores as startedAt. Both false/0
     * in OCR1 reports. */
    bool ocr2;
    por_time_t observations_timestamp; /* whole seconds, as the uint32 on chain */
} por_report;

/* Computes the config digest of CFG: keccak-256 over a fixed big-endian serialization of
 * config_count, n, f, signers, transmitters, min_answer, max_answer, decimals. */
void por_aggregator_config_digest_of(const por_aggregator_config *cfg, por_digest *out);

/* The report hash oracles sign and the contract recovers signers from: keccak-256 over
 * a fixed serialization of (config digest, epoch, round, nobs, observers, observations as
 * 16-byte big-endian two's complement), followed for an OCR2 report by a marker byte and
 * the observations timestamp (8 bytes big-endian). */
void por_report_hash(const por_report *rep, por_digest *out);

/* Creates an aggregator with configuration CFG (copied); CRYPTO (borrowed, must outlive
 * it) verifies signatures. Caller frees with por_aggregator_destroy. */
por_aggregator *por_aggregator_create(const por_aggregator_config *cfg, por_crypto *crypto);
void por_aggregator_destroy(por_aggregator *agg);

/* The current config digest (borrowed pointer into AGG). */
const por_digest *por_aggregator_config_digest(const por_aggregator *agg);

/* OffchainAggregator.transmit as executed in block BLOCK at BLOCK_TIME by SENDER: checks, in
 * order, config digest, (epoch, round) strictly above the latest accepted, sender is a
 * configured transmitter, more than f signatures, each recovering to a configured signer
 * (bad_signature when nothing recovers, unknown_signer for another address) with no
 * signer twice, more than 2f observations, observations sorted ascending, median
 * obs[nobs/2] within [min_answer, max_answer]. On success stores a new round
 * (round_id + 1, answer = median, started_at = updated_at = BLOCK_TIME, answered_in_round
 * = round_id) and calls the listeners. Counts the result and returns it. SIM may be NULL
 * in unit tests (listeners then get NULL). With CFG.ocr2 the checks are
 * por_ocr2_aggregator_check's and started_at is the report's observations_timestamp. */
por_transmit_result por_aggregator_transmit(por_aggregator *agg, por_sim *sim,
                                            por_time_t block_time, uint64_t block,
                                            const por_addr *sender, const por_report *rep,
                                            const por_sig *sigs, uint32_t nsigs);

/* Undoes the newest transmit, which ended with R, because a reorg removed its block:
 * the count of R goes back down and, when R is accepted, the newest round is removed
 * (the previous one is latestRoundData again). Transmits are undone newest first. */
void por_aggregator_undo_transmit(por_aggregator *agg, por_transmit_result r);

/* Accepted answers removed by reorgs so far (each counted once per removal). */
uint64_t por_aggregator_undone(const por_aggregator *agg);

/* Gas used by OffchainAggregator.transmit(REP with NSIGS signatures) ending with R, per
 * the formula in aggregator.c derived from the contract: intrinsic 21,000 + calldata
 * (16 gas per non-zero byte, 4 per zero byte of the ABI-encoded call) + what executes up
 * to the check that decides R: a stale or wrong-digest report reverts right after the
 * hotVars read, an accepted one pays ecrecover and a cold signer read per signature, the
 * per-observation loops, the new round's storage, three events and the billing. */
uint64_t por_transmit_gas(const por_report *rep, uint32_t nsigs, por_transmit_result r);

/* The calldata part of por_transmit_gas. */
uint64_t por_transmit_calldata_gas(const por_report *rep, uint32_t nsigs);

/* OCR2Aggregator.transmit's checks (contract2/OCR2Aggregator.sol, in the order of its
 * requires): (epoch, round) above LATEST_ER ("stale report"), SENDER a transmitter
 * ("unauthorized transmitter"), config digest ("configDigest mismatch"), exactly f + 1
 * signatures ("wrong number of signatures"), each recovering to a configured signer
 * ("signature error": bad_signature when nothing recovers, unknown_signer otherwise), no
 * signer twice ("duplicate signer"), then in _report: at most 31 and more than f
 * observations ("too few values to trust median"), median obs[nobs/2] within
 * [min_answer, max_answer]. The contract does not check that observations are sorted.
 * CHECK_SIGS false skips the signature checks (the test-only fault). Pure. */
por_transmit_result por_ocr2_aggregator_check(const por_aggregator_config *cfg,
                                              const por_digest *digest, uint64_t latest_er,
                                              por_crypto *crypto, const por_addr *sender,
                                              const por_report *rep, const por_sig *sigs,
                                              uint32_t nsigs, bool check_sigs);

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

/* ---- requestNewRound (OffchainAggregator.sol, "requestNewRound logic") ---------------- */

/* The latest RoundRequested event: who asked, and the config digest and (epoch, round) of
 * the latest accepted transmission when they asked ((0, 0) before any); block_time is the
 * timestamp of the block that included the request. emitted = false: none yet. */
typedef struct {
    bool emitted;
    por_addr requester;
    por_digest config_digest;
    uint32_t epoch, round;
    por_time_t block_time;
} por_round_request;

/* Sets the contract's owner and the addresses on its requester access list (the
 * SimpleWriteAccessController behind setRequesterAccessController, with its check
 * enabled); copies them. Without a call the owner is the zero address and the list empty. */
void por_aggregator_set_requesters(por_aggregator *agg, const por_addr *owner,
                                   const por_addr *requesters, size_t n);

/* Whether SENDER is the contract's owner. */
bool por_aggregator_is_owner(const por_aggregator *agg, const por_addr *sender);

/* Whether SENDER passes requestNewRound's require: the owner, or on the access list. */
bool por_aggregator_may_request(const por_aggregator *agg, const por_addr *sender);

/* OffchainAggregator.requestNewRound executed by SENDER in a block at BLOCK_TIME. Returns
 * false when the require fails ("Only owner&requester can call": the transaction
 * reverts, nothing stored); otherwise stores the RoundRequested event (latest config
 * digest, the latest transmission's epoch and round) and returns true with the next
 * aggregator round id in *NEXT_ROUND_ID (may be NULL). As the contract says, there is no
 * causality between the request and the report of that round. */
bool por_aggregator_request_new_round(por_aggregator *agg, por_time_t block_time,
                                      const por_addr *sender, uint64_t *next_round_id);

/* The latest RoundRequested event into OUT; false (OUT zeroed) when none was emitted. */
bool por_aggregator_latest_round_requested(const por_aggregator *agg, por_round_request *out);
/* The same event in place (emitted = false: none yet), valid until the next request: for
 * a reader that only compares it (every follower's should-report), no copy. */
const por_round_request *por_aggregator_last_request(const por_aggregator *agg);

/* Requests that emitted the event, and requests that reverted on the access rule. */
void por_aggregator_request_counts(const por_aggregator *agg, uint64_t *emitted, uint64_t *reverted);

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
