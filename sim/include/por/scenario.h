/* A scenario: every input of a simulation, validated, as plain C structs.
 *
 * The JSON schema that fills these structs is documented in scenarios/SCHEMA.md and read
 * by sim/io/scenario_load.c; every field here has a default there. Names of entities
 * (chains, custodians) are resolved to indices at load time. All durations are
 * nanoseconds, all amounts exact base units (por_amount), all rates in [0,1] doubles,
 * all thresholds in parts per billion (ppb) unless said otherwise. A loaded scenario is
 * immutable and shared read-only by every replication (and thread). */
#ifndef POR_SCENARIO_H
#define POR_SCENARIO_H

#include "por/amount.h"
#include "por/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POR_MAX_ORACLES 31
#define POR_NAME_MAX 64

/* ---- distributions ---------------------------------------------------------------- */

/* A distribution of durations (latencies, API delays, block times). */
typedef enum {
    POR_DIST_CONSTANT,    /* value */
    POR_DIST_UNIFORM,     /* min, max */
    POR_DIST_NORMAL,      /* mean, sd; truncated at 0 */
    POR_DIST_LOGNORMAL,   /* median, sigma */
    POR_DIST_PARETO,      /* scale (minimum), shape */
    POR_DIST_EXPONENTIAL, /* mean */
    POR_DIST_EMPIRICAL,   /* samples, drawn uniformly */
} por_dist_kind;

typedef struct {
    por_dist_kind kind;
    por_time_t value, min, max, mean, sd, median, scale;
    double sigma, shape;
    por_time_t *samples; /* EMPIRICAL only */
    size_t nsamples;
} por_duration_dist;

/* A distribution of amounts (mint sizes). Parameters in base units of the token. */
typedef struct {
    por_dist_kind kind; /* CONSTANT, UNIFORM, LOGNORMAL, EXPONENTIAL, PARETO */
    por_amount value, min, max, median, mean, scale;
    double sigma, shape;
} por_amount_dist;

/* A time window [from, until); until = POR_TIME_MAX when open-ended. */
typedef struct {
    por_time_t from, until;
} por_window;

/* ---- network ---------------------------------------------------------------------- */

typedef struct {
    char name[POR_NAME_MAX];
    uint32_t *nodes; /* oracle indices */
    size_t nnodes;
} por_region;

typedef struct {
    uint32_t from_region, to_region;
    por_duration_dist latency;
} por_region_link;

typedef struct {
    por_window window;
    /* groups[i] lists oracle indices; nodes in different groups cannot talk. Nodes in no
     * group form one more implicit group. */
    uint32_t **groups;
    size_t *group_sizes;
    size_t ngroups;
} por_partition;

/* What a lost oracle-to-oracle message becomes (network.loss_model). */
typedef enum {
    POR_LOSS_RETRANSMIT, /* OCR's authenticated streams resend it: a delay (default) */
    POR_LOSS_DROP,       /* the message is gone (porsim's former simplification) */
} por_loss_model;

/* Retransmission of a lost message: the timeout doubles on each loss of the same message
 * up to POR_NET_RTO_MAX, and after POR_NET_MAX_RETRANSMITS losses in a row the message is
 * lost for good (Linux TCP: TCP_RTO_MAX = 120 s, tcp_retries2 = 15). */
#define POR_NET_RTO_MAX (120 * POR_SEC)
#define POR_NET_MAX_RETRANSMITS 15

typedef struct {
    por_duration_dist latency; /* default one-way latency of every oracle-to-oracle link */
    double loss;               /* probability one transmission of a message is lost */
    por_loss_model loss_model;
    por_time_t retransmit_timeout; /* first retransmission timeout (loss_model retransmit) */
    double bandwidth_bps;      /* 0 = infinite; else size/bandwidth is added */
    por_time_t clock_skew_max; /* each node's clock offset uniform in [-max, max] */
    por_region *regions;
    size_t nregions;
    por_region_link *region_links;
    size_t nregion_links;
    por_partition *partitions;
    size_t npartitions;
} por_network_config;

/* ---- chains ----------------------------------------------------------------------- */

typedef struct {
    por_window window;
    double block_time_factor; /* >= 1: blocks this much slower */
    double gas_factor;        /* >= 1: other users' gas demand multiplied */
} por_congestion;

typedef enum { POR_FEE_EIP1559, POR_FEE_LEGACY } por_fee_model;

/* The transaction manager of each oracle key (the Chainlink node's EVM GasEstimator and
 * Txm settings; defaults in scenarios/SCHEMA.md with their sources). */
typedef struct {
    uint32_t history_blocks;  /* BlockHistory.BlockHistorySize */
    uint32_t percentile;      /* BlockHistory.TransactionPercentile, 0..100 */
    uint32_t bump_threshold;  /* blocks unmined before a bump (0 = never bump) */
    uint32_t bump_percent;    /* BumpPercent */
    uint64_t bump_min_wei;    /* BumpMin */
    uint64_t price_max_wei;   /* PriceMax: no bid above it */
    uint64_t price_min_wei;   /* PriceMin (legacy floor) */
    uint64_t tip_cap_min_wei; /* TipCapMin */
} por_txm_config;

typedef struct {
    char name[POR_NAME_MAX];
    por_time_t block_time;
    bool block_time_random;   /* exponential inter-block times with mean block_time */
    uint32_t confirmations;   /* depth at which waiting readers (wallets) read the chain */
    por_fee_model fee_model;
    double base_gas_gwei;     /* base fee (legacy: gas price) at normal demand */
    double priority_fee_gwei; /* other users' typical priority fee (EIP-1559) */
    double gas_volatility;    /* per-block lognormal sigma of other users' demand */
    double demand_elasticity; /* demand ~ price^-elasticity */
    uint64_t gas_limit;       /* per block; the EIP-1559 target is half */
    double native_price_usd;  /* 0 = unknown: no USD fee metric */
    double reorg_probability; /* per block: the newest blocks are removed and re-mined */
    uint32_t reorg_depth;     /* blocks removed by a reorg */
    uint64_t transmit_gas;    /* gas limit of a transmit() transaction */
    por_txm_config txm;
    por_congestion *congestion;
    size_t ncongestion;
    /* RPC faults seen by readers of the chain's contracts (the oracles' reads of the
     * aggregator's latest answer): each read fails with this probability, and every read
     * fails inside an outage window. Defaults 0 / none: reads never fail. */
    double rpc_failure_rate;
    por_window *rpc_outages;
    size_t nrpc_outages;
} por_chain_config;

/* ---- custodians ------------------------------------------------------------------- */

typedef enum { POR_CHANGE_RELATIVE_PPB, POR_CHANGE_ABSOLUTE, POR_CHANGE_SET } por_change_kind;

typedef struct {
    por_time_t at;
    por_change_kind kind;
    int64_t ppb;         /* RELATIVE: -80000000 = -8% */
    por_amount amount;   /* ABSOLUTE (signed) or SET */
    char label[POR_NAME_MAX];
} por_reserve_step;

typedef enum { POR_DRIFT_NONE, POR_DRIFT_RANDOM_WALK, POR_DRIFT_LINEAR } por_drift_kind;

typedef struct {
    por_drift_kind kind;
    por_time_t every;      /* how often the true reserve moves */
    double sigma_per_day;  /* RANDOM_WALK: relative sd per sqrt(day) */
    double rate_per_year;  /* LINEAR: relative growth per year (e.g. T-bill yield) */
} por_drift;

typedef enum {
    POR_SOURCE_ATTESTED_API, /* an attestation API that refreshes a figure periodically */
    POR_SOURCE_WALLET,       /* an on-chain reserve wallet read directly */
} por_source_kind;

typedef struct {
    char name[POR_NAME_MAX];
    char unit[16];            /* "USD", "BTC", "ozt", ... */
    uint32_t decimals;        /* decimals of the reserve amounts */
    por_source_kind source;
    int32_t wallet_chain;     /* WALLET: chain index read for the balance */
    por_amount initial;
    por_reserve_step *steps;
    size_t nsteps;
    por_drift drift;
    /* attestation API */
    por_time_t attest_every;  /* figure refreshed this often (0 = always live) */
    por_time_t attest_lag;    /* the figure describes the reserve this long ago */
    por_duration_dist api_latency;
    double failure_rate;      /* a read fails with this probability */
    por_window *outages;      /* API down */
    size_t noutages;
    por_window *ripcords;     /* provider deliberately answers 503 */
    size_t nripcords;
    uint32_t rate_limit_per_min; /* 0 = unlimited: reads over it fail */
    /* refreshes at attest_phase + k * attest_every; 0 <= attest_phase < attest_every */
    por_time_t attest_phase;
    bool attest_phase_random; /* draw the phase per replication instead (uniform) */
    /* Market calendar (attestation.skip_weekends): a refresh falling on a Saturday or
     * Sunday (UTC days of the run's clock, day 0 being weekday first_day) does not
     * happen; the last weekday refresh stays in force. */
    bool skip_weekends;
    uint32_t first_day;       /* weekday of day 0: 0 = Monday .. 6 = Sunday */
} por_custodian_config;

/* ---- feed and OCR ----------------------------------------------------------------- */

typedef enum { POR_CRYPTO_MODE_IDEAL, POR_CRYPTO_MODE_REAL } por_crypto_choice;

typedef enum {
    POR_LEADER_SCHEDULE_FIXED,          /* keys and leaders from the seed (the default) */
    POR_LEADER_SCHEDULE_PER_REPLICATION, /* drawn per replication */
} por_leader_schedule;

/* The off-chain reporting protocol of the feed. */
typedef enum {
    POR_PROTOCOL_OCR1, /* libocr offchainreporting + OffchainAggregator (the default) */
    POR_PROTOCOL_OCR2, /* libocr offchainreporting2 with the median reporting plugin +
                          OCR2Aggregator (see sim/models/ocr/ocr2_*.c) */
} por_ocr_protocol;

typedef struct {
    uint32_t n, f;
    por_time_t delta_progress, delta_resend, delta_round, delta_grace, delta_c, delta_stage;
    int64_t alpha_ppb;           /* deviation threshold */
    uint32_t schedule[POR_MAX_ORACLES]; /* S: oracles transmitting in each stage */
    size_t nschedule;
    uint32_t r_max;
    por_time_t observe_timeout;  /* max time a node spends reading its sources */
    /* Where the leader-election key and the oracles' keys come from: the scenario seed
     * alone (FIXED: every replication has the same leaders) or a key seed drawn per
     * replication from the stream ("don", 0, "leader_schedule"). */
    por_leader_schedule leader_schedule;
    /* OCR2 only (feed.protocol "ocr2"): the median plugin's AlphaAcceptPPB, the
     * deviation a finalized report needs from the node's latest accepted report to be
     * accepted while that one is still pending (median.go ShouldAcceptFinalizedReport).
     * AlphaReportPPB is alpha_ppb and DeltaC is delta_c. */
    int64_t alpha_accept_ppb;
    uint32_t read_confirmations; /* depth at which oracles read the aggregator (1 = tip) */
} por_ocr_config;

typedef struct {
    uint32_t chain;              /* chain index */
    uint32_t decimals;           /* decimals of the answer */
    uint32_t *sources;           /* custodian indices summed by every node */
    size_t nsources;
    por_amount min_answer, max_answer; /* aggregator bounds (base units of the feed) */
    por_ocr_config ocr;
    por_ocr_protocol protocol;
    por_crypto_choice crypto;
    double gas_price_multiplier; /* transmitters bid going price * this */
    double max_gas_price_gwei;   /* bids are capped at this (0 = no cap) */
} por_feed_config;

/* ---- token and Secure Mint -------------------------------------------------------- */

typedef enum {
    POR_MARGIN_NONE,
    POR_MARGIN_POSITIVE_PERCENT, /* reserves must exceed supply by p % */
    POR_MARGIN_POSITIVE_ABSOLUTE,
    POR_MARGIN_NEGATIVE_PERCENT, /* tolerate a shortfall of p % */
    POR_MARGIN_NEGATIVE_ABSOLUTE,
} por_margin_mode;

/* SecureMintPolicy.sol's BASIS_POINTS: percentage margins are held in basis points. */
#define POR_BASIS_POINTS INT64_C(10000)

/* Which totalSupply the guard compares with the reserve (token.secure_mint.supply). */
typedef enum {
    POR_SUPPLY_LOCAL,  /* the minting chain's own totalSupply(), as the deployed
                          SecureMintPolicy.run reads IERC20(subject).totalSupply() */
    POR_SUPPLY_GLOBAL, /* the supply summed over the token's chains (a cross-chain supply
                          view the deployment has to wire itself) */
} por_supply_view;

typedef struct {
    bool enabled;
    por_time_t max_staleness;
    por_margin_mode margin_mode;
    int64_t margin_bp;           /* PERCENT modes: basis points, 0..10,000 (BASIS_POINTS) */
    por_amount margin_amount;    /* ABSOLUTE modes, token base units, > 0 */
    por_supply_view supply;      /* default LOCAL */
} por_secure_mint_config;

typedef enum { POR_PROCESS_NONE, POR_PROCESS_POISSON, POR_PROCESS_BURST, POR_PROCESS_SCHEDULED } por_process_kind;

typedef struct {
    por_time_t at;
    por_amount amount;
    int32_t chain;               /* -1 = the token's first chain; bridges: the source chain,
                                    -1 = drawn (see por_token_config.bridges) */
    int32_t to_chain;            /* bridges only: the destination chain, -1 = drawn */
} por_scheduled_request;

typedef struct {
    por_process_kind kind;
    double per_day;              /* POISSON / BURST: mean requests per day */
    uint32_t burst_size;         /* BURST: requests arriving together */
    por_amount_dist amount;
    por_scheduled_request *scheduled;
    size_t nscheduled;
    por_window window;
    bool backed;                 /* mints bring reserves / redemptions take them out
                                    (the loader's default is true; zero-initialized: false) */
} por_request_process;

/* Who the issuer is to the feed's OffchainAggregator when it calls requestNewRound. */
typedef enum {
    POR_REQUESTER_ACCESS_LIST, /* on the requester access list (hasAccess) */
    POR_REQUESTER_OWNER,       /* the contract's owner */
    POR_REQUESTER_NONE,        /* neither: the call reverts "Only owner&requester can call" */
} por_requester_kind;

/* Refresh-then-mint (token.refresh_then_mint, por/token.h): before a mint the reported
 * reserve does not cover, the issuer calls requestNewRound and holds the mint until a
 * newer answer lands (or TIMEOUT passes), then sends it to the guard. */
typedef struct {
    bool enabled;
    por_requester_kind requester;
    por_time_t timeout;
    por_time_t min_interval;     /* no new request sooner than this after the last one: an
                                    uncovered mint then goes to the guard at once */
} por_refresh_config;

typedef struct {
    uint32_t *chains;            /* chain indices the token lives on */
    size_t nchains;
    uint32_t decimals;
    por_amount *initial_supply;  /* per chain, base units */
    por_secure_mint_config secure_mint;
    por_request_process mints, redeems;
    int32_t reserve_custodian;   /* custodian receiving backed deposits (-1: feed's first source) */
    por_time_t deposit_delay;    /* a backed mint or redemption moves the reserve this much later */
    /* Cross-chain transfers (por/token.h): arrivals, amounts, window and schedule as for
     * mints (`backed` unused). A transfer burns on its source chain at once and releases
     * on its destination a draw from bridge_delay_dist later (a constant: that long). */
    por_request_process bridges;
    int32_t bridge_from, bridge_to; /* chain indices of random transfers, -1 = drawn */
    por_duration_dist bridge_delay_dist; /* token.bridge_delay */
    por_refresh_config refresh;
} por_token_config;

/* ---- consumers -------------------------------------------------------------------- */

typedef enum { POR_ACTION_LOWER_CF, POR_ACTION_PAUSE } por_consumer_action;

typedef struct {
    int64_t ratio_ppb;           /* reported reserve / supply below this triggers */
    por_consumer_action action;
    int64_t collateral_factor_ppb; /* LOWER_CF: new collateral factor */
} por_consumer_threshold;

typedef struct {
    char name[POR_NAME_MAX];
    uint32_t chain;
    por_time_t poll_every;       /* how often it reads the feed (keeper) */
    por_consumer_threshold *thresholds;
    size_t nthresholds;
} por_consumer_config;

/* ---- attackers and faults --------------------------------------------------------- */

typedef enum {
    POR_ATTACK_CRASH,            /* nodes stop entirely */
    POR_ATTACK_BYZANTINE,        /* nodes misbehave per behaviour */
    POR_ATTACK_KEY_COMPROMISE,   /* keys stolen: forged reports sent to the chain */
    POR_ATTACK_NETWORK,          /* delay/drop messages of nodes or the leader */
    POR_ATTACK_CUSTODIAN_FRAUD,  /* the custodian misreports, dresses its window, double counts */
    POR_ATTACK_MINTER,           /* a compromised minter key tries to mint */
} por_attack_kind;

typedef enum {
    POR_BYZ_INFLATE, POR_BYZ_DEFLATE, POR_BYZ_RANDOM, POR_BYZ_SILENT, POR_BYZ_EQUIVOCATE,
    POR_BYZ_REFUSE_SIGN, POR_BYZ_WITHHOLD_FINAL, POR_BYZ_MALFORMED,
} por_byzantine_behavior;

typedef struct {
    por_attack_kind kind;
    por_window window;
    uint32_t *nodes;             /* oracle indices (CRASH, BYZANTINE, KEY_COMPROMISE, NETWORK) */
    size_t nnodes;
    bool target_leader;          /* NETWORK: hit whoever leads the current epoch */
    /* CRASH, NETWORK: also hit the oracle that leads at time leader_at (<= window.from):
     * the leader of the highest epoch any oracle has entered by then, by the pacemaker's
     * leader function (resolved during the run, see sim/models/oracle/leader_at.c) */
    bool has_leader_at;
    por_time_t leader_at;
    por_byzantine_behavior behavior;
    int64_t factor_ppb;          /* INFLATE/DEFLATE: observation * factor */
    por_time_t extra_delay;      /* NETWORK */
    double drop;                 /* NETWORK: probability of dropping */
    por_amount forged_answer;    /* KEY_COMPROMISE: answer the attacker publishes */
    uint32_t custodian;          /* CUSTODIAN_FRAUD */
    int64_t misreport_ppb;       /* CUSTODIAN_FRAUD: reported = true * (1 + ppb) */
    bool hide_drain;             /* CUSTODIAN_FRAUD: keep reporting the pre-window figure */
    por_amount mint_amount;      /* MINTER: each attempt */
    uint32_t mint_attempts;      /* MINTER: attempts spread over the window */
    /* CUSTODIAN_FRAUD, window dressing (active when dress_around > 0): funds borrowed in
     * for [s - around, s + around) of each attestation snapshot s; dress_ppb of the true
     * reserve at the instant looked at, or dress_amount (custodian base units) when
     * dress_ppb is 0. A liability: never part of the true reserve. */
    int64_t dress_ppb;
    por_amount dress_amount;
    por_time_t dress_around;
    /* CUSTODIAN_FRAUD, double counting: this share (ppb) of the balance, or this amount
     * (custodian base units) when double_ppb is 0, is also pledged to another issuer's
     * token (not simulated): the true backing is reduced, the sources still see it all. */
    int64_t double_ppb;
    por_amount double_amount;
} por_attack_config;

/* ---- the whole scenario ----------------------------------------------------------- */

typedef struct {
    char *path;                  /* file it came from ("<default>" for the embedded one) */
    char name[POR_NAME_MAX];
    char *description;
    uint64_t seed;
    uint64_t replications;
    por_time_t duration;
    int64_t onset_ratio_ppb;     /* collateralization below this = undercollateralized */
    por_network_config network;
    por_chain_config *chains;
    size_t nchains;
    por_custodian_config *custodians;
    size_t ncustodians;
    por_feed_config feed;
    por_token_config token;
    por_consumer_config *consumers;
    size_t nconsumers;
    por_attack_config *attackers;
    size_t nattackers;
    /* Filled by the loader (por/scenario_load.h): */
    char hash[17];               /* stable hash of the effective scenario, 16 hex digits */
    char **warnings;             /* accepted oddities ("below libocr's mainnet minimum") */
    size_t nwarnings;
    char *effective_json;        /* the scenario after every --set override, as compact JSON
                                  * (what the hash covers, member order kept): written as
                                  * scenario.json beside a run's results, loadable again */
} por_scenario;

#endif
