/* The token: exact supply per chain, mint, redeem and bridge request processes, tokens in
 * flight between chains, and the Secure Mint guard that refuses mints the PoR feed does
 * not cover.
 *
 * Secure Mint follows Chainlink's SecureMintPolicy (smartcontractkit/chainlink-ace,
 * packages/policy-management/src/policies/SecureMintPolicy.sol) and reference/POR.md.
 * Before minting AMOUNT it reads the feed's latest round and refuses when:
 *   - there is no answer yet (round_id 0);
 *   - answer <= 0;
 *   - updatedAt > now;
 *   - max_staleness > 0 and now - updatedAt > max_staleness (== is still fresh; 0
 *     disables the check, as maxStalenessSeconds = 0 does in the policy);
 *   - totalSupply + AMOUNT > mintable(reserve), where reserve is the answer rescaled from
 *     the feed's decimals to the token's (por_amount_rescale: exact up-scaling,
 *     truncation when scaling down, as the policy's integer division).
 * mintable(r), with m = margin_bp (basis points, 0 <= m <= BASIS_POINTS = 10,000, as the
 * policy's _setReserveMargin requires) or a = margin_amount (token base units; the policy
 * requires a > 0, the loader too):
 *   NONE               r
 *   POSITIVE_PERCENT   floor(r * (10000 - m) / 10000)    (reserves must exceed supply)
 *   POSITIVE_ABSOLUTE  r - a, or 0 when r < a
 *   NEGATIVE_PERCENT   floor(r * (10000 + m) / 10000)    (tolerates a shortfall)
 *   NEGATIVE_ABSOLUTE  r + a
 * The products are computed exactly in 128 bits (no intermediate overflow); a result or
 * a totalSupply + AMOUNT that does not fit 128 bits refuses the mint (Solidity's checked
 * arithmetic would revert), counted as POR_MINT_OVERFLOW. totalSupply is, with
 * secure_mint.supply LOCAL (the default), the minting chain's own supply: the deployed
 * policy's run() reads IERC20(subject).totalSupply() on the chain it runs on, so a token
 * on several chains lets each chain mint up to the whole reserve. With GLOBAL it is the
 * supply summed over the token's chains (a cross-chain supply view the deployment wires
 * itself). One token has one feed (the scenario's): a guard on another chain reads the
 * same answer, as a copy of the feed on that chain would carry. A disabled guard accepts
 * every mint whose arithmetic fits.
 * Redemptions are never blocked; one burns min(amount, supply on its chain).
 *
 * Requests are applied at the instant they arrive (the mint transaction's own inclusion
 * delay is not modelled), except mints held for a refresh (refresh-then-mint, below),
 * which go to the guard when a newer answer lands. A mint or redeem on chain k changes
 * chain k's supply.
 * Processes (por_request_process), for mints, redeems and bridge transfers alike:
 *   POISSON    arrivals at rate per_day, inside the process window;
 *   BURST      bursts at rate per_day / burst_size, each burst_size requests at once;
 *   SCHEDULED  the listed (at, amount, chain) requests; the window does not apply.
 * A window of {0, 0} (zero-initialized) means the whole run. Amounts are drawn from the
 * process's por_amount_dist (token base units, >= 1); a random request's chain is drawn
 * uniformly among the token's chains. Streams: "token" index 0, purposes
 * "mint-arrivals", "mint-amounts", "mint-chains", the same with "redeem-" and "bridge-",
 * and "bridge-delays".
 *
 * Bridge transfers (cfg->bridges, a burn-and-mint bridge such as CCIP's burn/mint token
 * pools): a transfer of AMOUNT from chain slot A to slot B burns AMOUNT on A at once and
 * releases (mints) it on B a draw from bridge_delay_dist later (a fresh draw per
 * transfer; a constant is that long). Meanwhile the amount is "in flight": on no chain.
 * A transfer larger than A's supply is refused (counted, nothing burned). Source and
 * destination are cfg->bridge_from / bridge_to (chain indices; -1 = drawn) for random
 * transfers, a scheduled request's chain / to_chain for scheduled ones; a drawn end is
 * uniform among the token's chains other than the fixed end, both drawn give a uniform
 * ordered pair of distinct chains. The release is NOT checked by Secure Mint: the bridge
 * hands out tokens issued before (it is not an issuance), so a release may leave the
 * on-chain supply above mintable(reported reserve) without any guard refusing it.
 * Two supply views follow, on purpose:
 *   - on-chain supply (por_token_total_supply, the sum over chains) is what a consumer
 *     reading totalSupply on every chain sees; Secure Mint checks it (GLOBAL view) or
 *     one chain's part of it (LOCAL), so during a transfer it sees headroom that is not
 *     real (the in-flight amount will reappear);
 *   - outstanding supply (por_token_outstanding = on-chain + in flight) is what the
 *     issuer owes; ground truth (onset, min_true_ratio, false rejections, feed detection
 *     in sim/models/world) uses it.
 * Conservation, exactly: on-chain + in flight == initial + minted - redeemed.
 * A hand-built config with bridges.kind != NONE must set bridge_from / bridge_to (and
 * each scheduled transfer's chain / to_chain) to -1 or distinct chains of the token:
 * zero-initialized they name chain 0 twice and por_token_create refuses them.
 * Backed flows: an accepted mint of a process with `backed` (never a MINTER attacker's)
 * and a redemption of a process with `backed` carry backed = true in their supply event;
 * the world (sim/models/world/world.c) then moves the reserve custodian's true reserve by
 * the amount (scenarios/SCHEMA.md, token.mints.backed). The token never touches reserves.
 * MINTER attackers (POR_ATTACK_MINTER) make mint_attempts mints of mint_amount at
 * from + i * (end - from) / mint_attempts, i = 0 .. attempts-1, end = min(until,
 * horizon), on the token's first chain, through the same guard. */
#ifndef POR_TOKEN_H
#define POR_TOKEN_H

#include "por/layer.h"
#if POR__BELOW_MODELS
#error "por/token.h is a models header: engine, trace, crypto, net and stats never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/engine.h"
#include "por/error.h"
#include "por/scenario.h"

/* The outcome of one mint request. */
typedef enum {
    POR_MINT_ACCEPTED,
    POR_MINT_NO_ANSWER,       /* the feed has no answer yet */
    POR_MINT_BAD_ANSWER,      /* answer <= 0 */
    POR_MINT_FUTURE_ANSWER,   /* updatedAt > now */
    POR_MINT_STALE,           /* now - updatedAt > max_staleness */
    POR_MINT_EXCEEDS_RESERVE, /* supply + amount > mintable(reserve) */
    POR_MINT_OVERFLOW,        /* the arithmetic does not fit 128 bits */
    POR_MINT_NRESULTS
} por_mint_result;

/* Returns a short name ("accepted", "no_answer", "bad_answer", "future_answer", "stale",
 * "exceeds_reserve", "overflow"). */
const char *por_mint_result_name(por_mint_result r);

/* Computes mintable(RESERVE) (token base units) for CFG's margin mode into *OUT.
 * Returns false when the margin is out of range or the result does not fit. */
bool por_secure_mint_mintable(const por_secure_mint_config *cfg, por_amount reserve,
                              por_amount *out);

/* The Secure Mint decision for minting AMOUNT (> 0) on top of TOTAL_SUPPLY at NOW, with
 * the feed's latest round RD (answer in FEED_DECIMALS) and a token of TOKEN_DECIMALS.
 * *MINTABLE (may be NULL) receives mintable(reserve) when it was computed (result
 * ACCEPTED or EXCEEDS_RESERVE with an enabled guard), else is left alone. */
por_mint_result por_secure_mint_check(const por_secure_mint_config *cfg, const por_round_data *rd,
                                      uint32_t feed_decimals, uint32_t token_decimals,
                                      por_amount total_supply, por_amount amount, por_time_t now,
                                      por_amount *mintable);

/* How the token reads the feed: LATEST fills latestRoundData (e.g. from
 * por_aggregator_latest); DECIMALS is the feed's. */
typedef struct {
    void (*latest)(void *ctx, por_round_data *out);
    void *ctx;
    uint32_t decimals;
} por_feed_reader;

/* One supply change or refused mint, as listeners hear it. */
typedef struct {
    bool redeem;             /* a redemption (always accepted) rather than a mint */
    bool by_attacker;        /* a MINTER attacker's attempt */
    uint32_t chain_slot;     /* index into the token's chains */
    por_amount amount;       /* mint: requested; redeem: burned */
    por_mint_result result;  /* redeem: POR_MINT_ACCEPTED */
    por_amount supply_before, supply_after; /* total over chains */
    por_amount guard_supply_after; /* mints: the supply the guard compares (the chain's own
                                      with a LOCAL view, the total with GLOBAL), after the
                                      mint when accepted, unchanged when refused */
    bool guarded;            /* the guard read the feed for this mint */
    por_round_data feed;     /* what the guard read (when guarded) */
    bool mintable_known;
    por_amount mintable;     /* mintable(reserve) the guard computed (when known) */
    bool backed;             /* an accepted backed mint (a deposit) or a backed redemption
                                (a payout) of AMOUNT; never an attacker's mint */
    /* Bridge transfers (bridge = true; never guarded, never backed, result ACCEPTED):
     * redeem = true is the burn of AMOUNT on chain_slot for other_slot, or, with
     * bridge_refused, the refusal of a transfer of AMOUNT larger than chain_slot's supply
     * (nothing burned); redeem = false is the release of AMOUNT on chain_slot, sent from
     * other_slot. supply_before/after are on-chain totals. */
    bool bridge, bridge_refused;
    uint32_t other_slot;
    por_amount in_flight;    /* every event: amount in flight after the change */
    /* A reorg removed the block that included this mint or redemption: the change (or
     * refusal) it reported at APPLIED_AT is taken back; the transaction is pending again. */
    bool undone;
    por_time_t applied_at;
} por_supply_event;

typedef void (*por_supply_listener)(void *ctx, por_sim *sim, const por_supply_event *ev);

typedef struct {
    uint64_t mint_requests, mints_accepted, attacker_mints_accepted;
    uint64_t mints_refused[POR_MINT_NRESULTS]; /* index ACCEPTED stays 0 */
    uint64_t redeems;
    por_amount minted, redeemed;               /* token base units */
    uint64_t bridge_requests, bridge_transfers, bridge_refused, bridge_releases;
    por_amount bridged, max_in_flight;         /* token base units */
    /* refresh-then-mint: requestNewRound transactions sent, their gas (mined ones,
     * reverted included), reverted and dropped ones, mints held for a refresh, and
     * refreshes a newer answer ended (the others: timeout, or the request failed) */
    uint64_t round_requests, round_request_gas, round_requests_reverted, round_requests_dropped;
    uint64_t mints_held, refreshes_answered;
    uint64_t request_gas;  /* gas of the included mint and redemption transactions */
} por_token_stats;

typedef struct por_token por_token;

/* Creates the token of CFG, reading the feed through FEED, and registers its entity with
 * SIM (its init hook starts the request processes). ATTACKERS (may be NULL) is the
 * scenario's list; MINTER ones apply. HORIZON ends open attack windows. CFG and
 * ATTACKERS must outlive the token. Returns NULL and fills ERR when CFG is unusable (no
 * chain, decimals above POR_MAX_DECIMALS, negative or overflowing initial supply, a
 * scheduled request naming a chain the token is not on, bridges on fewer than two
 * chains or from a chain to itself). Caller frees with
 * por_token_destroy after the simulation is destroyed. */
por_token *por_token_create(const por_token_config *cfg, por_sim *sim, por_feed_reader feed,
                            const por_attack_config *attackers, size_t nattackers,
                            por_time_t horizon, por_error *err);
void por_token_destroy(por_token *t);

/* Adds a listener of supply events (called in registration order, after the change). */
void por_token_add_listener(por_token *t, por_supply_listener fn, void *ctx);

/* Requests a mint of AMOUNT on chain slot SLOT now, through the guard; applies it when
 * accepted and tells the listeners. Returns the outcome. */
por_mint_result por_token_mint(por_token *t, por_sim *sim, uint32_t slot, por_amount amount,
                               bool by_attacker);

/* Redeems (burns) up to AMOUNT on chain slot SLOT now; returns the amount burned. */
por_amount por_token_redeem(por_token *t, por_sim *sim, uint32_t slot, por_amount amount);

/* ---- mints and redemptions as transactions ------------------------------------------ */

/* Gas of a guarded mint (ERC-20 _mint: balance and totalSupply writes, Transfer event,
 * the guard's latestRoundData call and checks) and of a redemption (burn): porsim's
 * estimates, documented in scenarios/SCHEMA.md. */
#define POR_MINT_GAS 90000u
#define POR_REDEEM_GAS 60000u

/* From now on the token's mint and redemption requests are transactions: each is sent on
 * the chain of its slot (CHAINS[cfg->chains[slot]], borrowed, must outlive the token)
 * with its own bid (the chain's estimator, por_txm_estimate) and decided when its block
 * includes it: Secure Mint checks the answer and supply at that point of that block. A
 * reorg takes the change back (listeners hear an undone event). Without this call
 * requests apply at once (unit tests). Bridge transfers stay immediate. */
void por_token_set_chains(por_token *t, por_chain *const *chains);

/* Sends a mint (REDEEM false) or redemption of AMOUNT on slot SLOT as a transaction now
 * and returns it (owned by the chain; the caller may only read it, or adjust its bid
 * before the next block). Requires por_token_set_chains. */
por_tx *por_token_submit(por_token *t, por_sim *sim, uint32_t slot, por_amount amount,
                         bool redeem, bool by_attacker);

/* Requests a bridge transfer of AMOUNT from chain slot FROM to slot TO (FROM != TO, both
 * < nchains) now: burns it on FROM and schedules its release on TO after the bridge delay,
 * telling the listeners of both. Returns true; false (counted in bridge_refused, listeners
 * told, nothing changed) when AMOUNT <= 0 or exceeds FROM's supply. */
bool por_token_bridge(por_token *t, por_sim *sim, uint32_t from, uint32_t to, por_amount amount);

/* Supply on chain slot SLOT, and over all chains (token base units): what totalSupply
 * reads on each chain, and its sum. */
por_amount por_token_supply(const por_token *t, uint32_t slot);
por_amount por_token_total_supply(const por_token *t);
/* The totalSupply Secure Mint reads for a mint on chain slot SLOT: that chain's supply
 * (secure_mint.supply LOCAL) or the total over chains (GLOBAL). */
por_amount por_token_guard_supply(const por_token *t, uint32_t slot);
/* Tokens burned by a bridge on their source chain and not yet released. */
por_amount por_token_in_flight(const por_token *t);
/* On-chain supply + in flight (saturating at POR_AMOUNT_MAX): the issuer's liabilities,
 * the supply of ground truth. */
por_amount por_token_outstanding(const por_token *t);

uint32_t por_token_decimals(const por_token *t);
uint32_t por_token_nchains(const por_token *t);
void por_token_get_stats(const por_token *t, por_token_stats *out);

/* ---- refresh-then-mint (cfg->refresh) ------------------------------------------------
 * Before a mint of its request processes that the guard, evaluated off chain against the
 * latest answer, would refuse as exceeds_reserve, the issuer sends requestNewRound
 * (OffchainAggregator.sol) and holds the mint; the DON's followers then report although
 * the deviation is below alpha (libocr shouldReport: unfulfilledRequest). The first
 * answer newer than the one read at the request releases every held mint to the guard
 * (in arrival order), as does cfg->refresh.timeout. One request is open at a time; a
 * released mint is not held again; within cfg->refresh.min_interval of the last request
 * an uncovered mint goes to the guard at once; MINTER attackers never refresh. The requester is the
 * world's: it submits the transaction (por/round_request.h) and hears its outcome. */
typedef struct {
    /* sends one requestNewRound; NHELD mints wait for it */
    void (*request)(void *ctx, por_sim *sim, size_t nheld);
    /* optional: N held mints go to the guard now (BY_ANSWER: a newer answer; else timeout) */
    void (*released)(void *ctx, por_sim *sim, size_t n, bool by_answer);
    void *ctx;
} por_round_requester;

/* Sets the requester; without one (or with cfg->refresh.enabled false) mints never wait. */
void por_token_set_round_requester(por_token *t, por_round_requester r);

/* A por_answer_listener (CTX = the token): a new on-chain answer. */
void por_token_on_answer(void *ctx, por_sim *sim, const por_round_data *rd);

/* A por_round_request_done (CTX = the token): counts the request's gas and outcome. */
void por_token_round_request_done(void *ctx, por_sim *sim, bool mined, bool accepted, uint64_t gas);

/* Test-only fault (a testing aid, never a scenario key): with SKIP_GUARD the token
 * accepts every mint whatever Secure Mint says, so the world's independent invariant
 * check (supply <= mintable(reported reserve)) can be exercised end to end. Set through
 * POR_TEST_FAULT=token-skip-guard (see por/don.h). */
typedef enum { POR_TOKEN_FAULT_NONE = 0, POR_TOKEN_FAULT_SKIP_GUARD = 1 } por_token_fault;
void por_token_set_fault(por_token *t, por_token_fault fault);

#endif
