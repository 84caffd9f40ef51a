/* The on-chain OffchainAggregator of a PoR feed: verifies transmitted OCR reports as the
 * real contract does and exposes latestRoundData to readers (Secure Mint, consumers,
 * transmitters). Listeners hear of every accepted answer. */
#ifndef POR_AGGREGATOR_H
#define POR_AGGREGATOR_H

#include "por/amount.h"
#include "por/engine.h"

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

#endif
