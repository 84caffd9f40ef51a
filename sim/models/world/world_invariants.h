/* The safety invariants (internal to sim/models/world), checked independently of the
 * models' own verdicts:
 * - Secure Mint: after an accepted guarded mint, supply <= mintable(latest reported
 *   reserve), the answer positive and not stale or from the future (POR.md "Secure Mint
 *   guard"; chainlink-ace SecureMintPolicy.sol run: "amount + token.totalSupply() >
 *   totalMintableSupply(uint256(reserve))" rejects), where supply is the one the guard is
 *   specified to read (the minting chain's with secure_mint.supply LOCAL, the total with
 *   GLOBAL). It subscribes to MINT (world_hub.h) and reads the feed through a
 *   por_feed_reader.
 * - OCR (por/world.h): no report accepted with fewer than f+1 valid signatures, no forged
 *   report accepted unless an attacker holds f+1 keys, no accepted median outside the
 *   honest observations unless more than f oracles are byzantine; judged from the DON's
 *   counters at the end of the run.
 * Which powers the scenario grants its attackers (the attacker bookkeeping) is read once
 * from the scenario. */
#ifndef POR_MODELS_WORLD_INVARIANTS_H
#define POR_MODELS_WORLD_INVARIANTS_H

#include "world_hub.h"

#include "por/don.h"
#include "por/error.h"
#include "por/scenario.h"
#include "por/token.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const por_secure_mint_config *sm; /* borrowed */
    por_feed_reader feed;              /* latestRoundData and the feed's decimals */
    uint32_t token_decimals;
    uint32_t f;                        /* feed.ocr.f */
    bool keys_granted;   /* a KEY_COMPROMISE attack holds f+1 or more keys */
    uint32_t nbyzantine; /* distinct oracles named by BYZANTINE attacks (ids below 32) */
    uint64_t violations; /* accepted mints that broke the Secure Mint invariant */
    char violation[256]; /* the first one, described */
} por__invariants;

/* Starts INV for scenario SC (borrowed, must outlive INV) whose token reads the feed
 * through FEED. */
void por__invariants_init(por__invariants *inv, const por_scenario *sc, por_feed_reader feed);

/* MINT: checks the Secure Mint invariant after an accepted mint when the guard is on. */
void por__invariants_on_mint(void *inv, const por__world_event *ev);

/* The OCR invariants over the DON's counters DS, with DON_WHY the DON's own description of
 * its first broken report (por_don_violation; may be NULL): true and a message in OUT when
 * one broke that the scenario did not grant the attacker the power to break. */
bool por__invariants_ocr_broken(const por__invariants *inv, const por_don_stats *ds,
                                const char *don_why, char *out, size_t len);

/* The run's verdict for replication REP of scenario NAME: POR_OK, or POR_EINVARIANT with
 * the message set in ERR (Secure Mint first, unless the attacker held f+1 keys; then
 * OCR). */
por_status por__invariants_verdict(const por__invariants *inv, const por_don_stats *ds,
                                   const char *don_why, const char *name, uint64_t rep,
                                   por_error *err);

#endif
