/* The token: exact supply per chain, mint and redeem request processes, and the Secure
 * Mint guard that refuses mints the PoR feed does not cover.
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
 * mintable(r), with m = margin_ppb (parts per billion, 0 <= m <= 1e9; the policy uses
 * basis points with the same formulas) or a = margin_amount (token base units, >= 0):
 *   NONE               r
 *   POSITIVE_PERCENT   floor(r * (1e9 - m) / 1e9)        (reserves must exceed supply)
 *   POSITIVE_ABSOLUTE  r - a, or 0 when r < a
 *   NEGATIVE_PERCENT   floor(r * (1e9 + m) / 1e9)        (tolerates a shortfall)
 *   NEGATIVE_ABSOLUTE  r + a
 * The products are computed exactly in 128 bits (no intermediate overflow); a result or
 * a totalSupply + AMOUNT that does not fit 128 bits refuses the mint (Solidity's checked
 * arithmetic would revert), counted as POR_MINT_OVERFLOW. totalSupply is the token's
 * supply summed over all its chains (a per-chain check would let each chain mint up to
 * the whole reserve). A disabled guard accepts every mint whose arithmetic fits.
 * Redemptions are never blocked; one burns min(amount, supply on its chain).
 *
 * Requests are applied at the instant they arrive (the mint transaction's own inclusion
 * delay is not modelled). A mint or redeem on chain k changes chain k's supply; no
 * cross-chain moves are modelled, so bridge_delay is not used yet and the total supply is
 * simply the sum over chains. Processes (por_request_process), for mints and redeems alike:
 *   POISSON    arrivals at rate per_day, inside the process window;
 *   BURST      bursts at rate per_day / burst_size, each burst_size requests at once;
 *   SCHEDULED  the listed (at, amount, chain) requests; the window does not apply.
 * A window of {0, 0} (zero-initialized) means the whole run. Amounts are drawn from the
 * process's por_amount_dist (token base units, >= 1); a random request's chain is drawn
 * uniformly among the token's chains. Streams: "token" index 0, purposes
 * "mint-arrivals", "mint-amounts", "mint-chains" and the same with "redeem-".
 * Backed flows: an accepted mint of a process with `backed` (never a MINTER attacker's)
 * and a redemption of a process with `backed` carry backed = true in their supply event;
 * the world (sim/models/world/world.c) then moves the reserve custodian's true reserve by
 * the amount (scenarios/SCHEMA.md, token.mints.backed). The token never touches reserves.
 * MINTER attackers (POR_ATTACK_MINTER) make mint_attempts mints of mint_amount at
 * from + i * (end - from) / mint_attempts, i = 0 .. attempts-1, end = min(until,
 * horizon), on the token's first chain, through the same guard. */
#ifndef POR_TOKEN_H
#define POR_TOKEN_H

#include "por/aggregator.h"
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
    bool guarded;            /* the guard read the feed for this mint */
    por_round_data feed;     /* what the guard read (when guarded) */
    bool mintable_known;
    por_amount mintable;     /* mintable(reserve) the guard computed (when known) */
    bool backed;             /* an accepted backed mint (a deposit) or a backed redemption
                                (a payout) of AMOUNT; never an attacker's mint */
} por_supply_event;

typedef void (*por_supply_listener)(void *ctx, por_sim *sim, const por_supply_event *ev);

typedef struct {
    uint64_t mint_requests, mints_accepted, attacker_mints_accepted;
    uint64_t mints_refused[POR_MINT_NRESULTS]; /* index ACCEPTED stays 0 */
    uint64_t redeems;
    por_amount minted, redeemed;               /* token base units */
} por_token_stats;

typedef struct por_token por_token;

/* Creates the token of CFG, reading the feed through FEED, and registers its entity with
 * SIM (its init hook starts the request processes). ATTACKERS (may be NULL) is the
 * scenario's list; MINTER ones apply. HORIZON ends open attack windows. CFG and
 * ATTACKERS must outlive the token. Returns NULL and fills ERR when CFG is unusable (no
 * chain, decimals above POR_MAX_DECIMALS, negative or overflowing initial supply, a
 * scheduled request naming a chain the token is not on). Caller frees with
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

/* Supply on chain slot SLOT, and over all chains (token base units). */
por_amount por_token_supply(const por_token *t, uint32_t slot);
por_amount por_token_total_supply(const por_token *t);

uint32_t por_token_decimals(const por_token *t);
uint32_t por_token_nchains(const por_token *t);
void por_token_get_stats(const por_token *t, por_token_stats *out);

#endif
