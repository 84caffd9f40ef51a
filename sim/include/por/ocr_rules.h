/* The pure decision rules of OCR1 that porsim takes from libocr (offchainreporting):
 * deviation, shouldTransmit's hold-back, the transmission order and the pacemaker's
 * change-leader epoch. Each is a function of its arguments only, so the OCR model
 * (sim/models/ocr) and the tests use the same code, and a test can state a rule against
 * the libocr function it comes from without running a simulation.
 *
 * An (epoch, round) pair is packed as (epoch << 32 | round): numeric order is libocr's
 * EpochRound.Less order, and (0, 0), the contract's state before its first report, is 0. */
#ifndef POR_OCR_RULES_H
#define POR_OCR_RULES_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/ocr_rules.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/crypto.h"

#include <stdbool.h>
#include <stdint.h>

/* (EPOCH, ROUND) packed for comparison. */
static inline uint64_t por_ocr_epoch_round(uint32_t epoch, uint32_t round)
{
    return ((uint64_t)epoch << 32) | round;
}

/* libocr observation.go, Observation.Deviates (o = NOW, old = OLD): true when
 * |NOW - OLD| / |OLD| >= ALPHA_PPB / 1e9, computed exactly. When OLD is 0: both zero is
 * no deviation, any non-zero NOW deviates. */
bool por_ocr_deviates(por_amount old, por_amount now, int64_t alpha_ppb);

/* What a node's transmission protocol remembers (libocr transmission.go,
 * transmissionState.latestEpochRound / latestMedian): the newest report it accepted for
 * transmission, recorded before the stage wait whether or not the node is in the report's
 * schedule. latest_er = 0 means none yet. */
typedef struct {
    uint64_t latest_er;
    por_amount latest_median;
} por_ocr_transmit_memory;

typedef enum {
    POR_OCR_TRANSMIT_YES,        /* accept: record it and wait for the stage */
    POR_OCR_TRANSMIT_STALE,      /* the contract already holds an equal or newer report */
    POR_OCR_TRANSMIT_NOT_NEWER,  /* not newer than the node's latest accepted report */
    POR_OCR_TRANSMIT_HELD_BACK,  /* the node's own newer-than-chain report is pending and
                                    this median does not deviate from it by alpha */
} por_ocr_transmit_verdict;

/* libocr transmission.go, transmissionState.shouldTransmit, for a report of
 * (epoch, round) REPORT_ER with median REPORT_MEDIAN, the contract's latest
 * (epoch, round) CONTRACT_ER and the node's memory MEM:
 *   contract >= report            -> STALE
 *   nothing remembered            -> YES
 *   report <= latest              -> NOT_NEWER
 *   latestMedian.Deviates(reportMedian, alpha) or latest <= contract -> YES
 *   otherwise                     -> HELD_BACK. */
por_ocr_transmit_verdict por_ocr_should_transmit(const por_ocr_transmit_memory *mem,
                                                 uint64_t contract_er, uint64_t report_er,
                                                 por_amount report_median, int64_t alpha_ppb);

/* libocr config/shared_config.go, SharedConfig.TransmissionOrderKey: the first 16 bytes of
 * keccak256(shared secret || "chainlink offchain reporting v1 transmission order key"). */
void por_ocr_transmission_order_key(const por_digest *shared_secret, uint8_t out[16]);

/* libocr transmission.go, transmissionState.transmitDelay: the stage of oracle ID for the
 * report of (EPOCH, ROUND): pi = a permutation of [0, N) keyed by the first 16 bytes of
 * keccak256(ORDER_KEY || CONFIG_DIGEST || le64(EPOCH) || le64(ROUND)); the stage is the
 * first i with pi[ID] < S[0] + ... + S[i]. Returns NSCHED when ID is in no stage.
 * (libocr draws pi from AES-CTR under the key through Go's rand.Shuffle; porsim shuffles
 * with splitmix64 seeded from the same key: same rule and distribution, other bits.) */
uint32_t por_ocr_transmit_stage(const uint8_t order_key[16], const por_digest *config_digest,
                                uint32_t epoch, uint32_t round, uint32_t n, uint32_t id,
                                const uint32_t *sched, uint32_t nsched);

/* libocr pacemaker.go, pacemakerState.eventChangeLeader (also the T_progress timeout):
 * the epoch a node asks for is max(ne, e + 1). */
uint32_t por_ocr_change_leader_epoch(uint32_t e, uint32_t ne);

/* libocr pacemaker.go, messageNewepoch: with candidateEpochs = sortedGreaterThan(newepoch,
 * FLOOR) (the requested epochs above FLOOR, ascending), the epoch chosen is
 * candidateEpochs[len - K]: the K-th largest (1-based) of the N entries of EPOCHS above
 * FLOOR, K = f + 1 to join (FLOOR = ne), 2f + 1 to move (FLOOR = e). At least K entries
 * must be above FLOOR (the caller's count says so; asserted). N <= POR_MAX_ORACLES. */
uint32_t por_ocr_kth_largest_above(const uint32_t *epochs, uint32_t n, uint32_t k,
                                   uint32_t floor);

#endif
