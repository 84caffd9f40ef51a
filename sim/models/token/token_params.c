/* token: the token's top-level parameters (por_token_config, modelled in token.c and
 * the world's mint/redeem/bridge processes), as a parameter table (por/param.h) read by
 * io/param_read.c and documented by `porsim schema`. Its sub-tables are beside it:
 * secure_mint_params.c (token.secure_mint and its margin), process_params.c (mints,
 * redeems, bridges: one table per process kind) and models/world/refresh_params.c
 * (refresh_then_mint). CUSTOM rows (readers in io/param_custom.c): initial_supply (an
 * amount or a map keyed by token.chains' names) and the three processes (the reader only
 * picks the table by "process"). The decimals rule is SecureMintPolicy's (chainlink-ace
 * SecureMintPolicy.sol run(): the reserve is scaled by 10^(token - feed decimals) in
 * uint256, reverting on overflow; porsim's amounts are 128-bit). */
#include "por/error.h"
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>
#include <string.h>

#define POR__TOKEN_FIELD(f) offsetof(por_token_config, f)

/* The feed's reserve (the sources' initial reserves) scaled to the token's decimals must
 * fit, or every mint would be refused as an overflow. */
static void por__token_rule_decimals(const por_param_check *k, const void *s)
{
    const por_token_config *tk = s;
    const por_scenario *sc = k->scenario;
    const por_feed_config *fd = &sc->feed;
    por_amount total = 0, scaled;
    for (size_t i = 0; i < fd->nsources; i++) {
        const por_custodian_config *cu = &sc->custodians[fd->sources[i]];
        por_amount v;
        if (!por_amount_rescale(cu->initial, cu->decimals, fd->decimals, &v) || !por_amount_add(total, v, &total))
            return; /* refused with feed.decimals already */
    }
    if (!por_amount_rescale(total, fd->decimals, tk->decimals, &scaled))
        por_param_fail(k, "decimals",
                       "the feed's reserve scaled from %u to %u decimals (SecureMintPolicy's 10^(token - feed "
                       "decimals)) does not fit 128 bits; lower token.decimals",
                       fd->decimals, tk->decimals);
}

/* token.chains absent: the feed's chain (the chain 0 without a scenario). */
static void por__token_default_chains(void *s, const void *scenario)
{
    por_token_config *tk = s;
    const por_scenario *sc = scenario;
    tk->chains = por_xcalloc(1, sizeof *tk->chains);
    tk->nchains = 1;
    tk->chains[0] = sc ? sc->feed.chain : 0;
}

/* token.reserve_custodian absent: the feed's first source (custodian 0 without one). */
static void por__token_default_reserve(void *s, const void *scenario)
{
    por_token_config *tk = s;
    const por_scenario *sc = scenario;
    tk->reserve_custodian = sc && sc->feed.nsources ? (int32_t)sc->feed.sources[0] : 0;
}

/* Backed mints deposit with the reserve custodian in the feed's unit. */
static void por__token_rule_reserve_unit(const por_param_check *k, const void *s)
{
    const por_token_config *tk = s;
    const por_scenario *sc = k->scenario;
    if (!por_param_given(k, "reserve_custodian"))
        return; /* the feed's first source */
    const por_custodian_config *got = &sc->custodians[tk->reserve_custodian];
    const por_custodian_config *want = &sc->custodians[sc->feed.nsources ? sc->feed.sources[0] : 0];
    if (strcmp(got->unit, want->unit) != 0)
        por_param_fail(k, "reserve_custodian", "needs a custodian in the feed's unit \"%s\", got \"%s\" (%s)",
                       want->unit, got->name, got->unit);
}

/* A bridge transfer takes 30 minutes unless the scenario says otherwise. */
static const por_duration_dist por__token_bridge_delay = {.kind = POR_DIST_CONSTANT, .value = 30 * POR_MIN};

_Static_assert(sizeof(int32_t) == sizeof(uint32_t), "POR_PARAM_REF fills reserve_custodian as a uint32_t");

/* Absent mints: Poisson, 24 a day, lognormal amounts of median 100,000 tokens and sigma 1
 * (the old loader's default issuer), backed, over the whole run; absent redemptions and
 * transfers: none. A median that does not fit 128 bits is refused by the rule below. */
static void por__token_default_process(por_request_process *rp, por_process_kind kind, bool backed)
{
    memset(rp, 0, sizeof *rp);
    rp->kind = kind;
    rp->window = (por_window){0, POR_TIME_MAX};
    rp->backed = backed;
}

static void por__token_default_mints(void *s, const void *scenario)
{
    (void)scenario;
    por_token_config *tk = s;
    por__token_default_process(&tk->mints, POR_PROCESS_POISSON, true);
    tk->mints.per_day = 24;
    tk->mints.amount.kind = POR_DIST_LOGNORMAL;
    if (!por_amount_mul(100000, por_amount_pow10(tk->decimals), &tk->mints.amount.median))
        tk->mints.amount.median = 0;
    tk->mints.amount.sigma = 1.0;
}

static void por__token_rule_default_mints(const por_param_check *k, const void *s)
{
    const por_token_config *tk = s;
    por_amount v;
    if (!por_param_given(k, "mints") && !por_amount_mul(100000, por_amount_pow10(tk->decimals), &v))
        por_param_fail(k, "mints", "missing: the default does not fit in 128 bits with %u decimals", tk->decimals);
}

static void por__token_default_redeems(void *s, const void *scenario)
{
    (void)scenario;
    por_token_config *tk = s;
    por__token_default_process(&tk->redeems, POR_PROCESS_NONE, true);
}

static void por__token_default_bridges(void *s, const void *scenario)
{
    (void)scenario;
    por_token_config *tk = s;
    por__token_default_process(&tk->bridges, POR_PROCESS_NONE, false);
    tk->bridge_from = tk->bridge_to = -1;
}
/* Rows in the order of the keys' list in "unknown key" messages (also the order they
 * depend on each other: decimals before amounts, chains before bridges). */
static const por_param por__token_params[] = {
    {.name = "chains", .type = POR_PARAM_REF_LIST, .offset = POR__TOKEN_FIELD(chains),
     .count_offset = POR__TOKEN_FIELD(nchains), .max_len = 64, .ref = POR_REF_CHAIN,
     .derive_in = por__token_default_chains, .default_doc = "`[feed.chain]`",
     .doc = "the chains the token is deployed on"},
    {.name = "decimals", .type = POR_PARAM_UINT32, .offset = POR__TOKEN_FIELD(decimals), .def.u = 18, .min.u = 0,
     .max.u = POR_MAX_DECIMALS,
     .doc = "the token's decimals (ERC-20's usual 18; SecureMintPolicy reads a uint8, porsim's 128-bit amounts hold "
            "36)"},
    {.type = POR_PARAM_RULE, .rule = por__token_rule_decimals,
     .doc = "the feed's reserve scaled to `decimals` fits 128 bits"},
    {.name = "initial_supply", .type = POR_PARAM_CUSTOM, .custom = "token_supply", .custom_absent = true,
     .type_doc = "amount, or an object chain name -> amount", .default_doc = "`\"990000000\"`",
     .doc = "in token decimals: an amount is all on the first chain; an object gives each of token.chains its "
            "own (missing chains hold 0)"},
    {.name = "bridge_delay", .type = POR_PARAM_DISTRIBUTION, .offset = POR__TOKEN_FIELD(bridge_delay_dist),
     .def_ptr = &por__token_bridge_delay,
     .doc = "how long a bridge transfer takes: a duration, or a distribution (as `network.latency`) drawn per "
            "transfer"},
    {.name = "secure_mint", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_secure_mint_param_table,
     .default_doc = "on, see below", .doc = "the Secure Mint guard, see below"},
    {.name = "mints", .type = POR_PARAM_OBJECT, .offset = POR__TOKEN_FIELD(mints), .sub = &por_mints_param_table,
     .derive_in = por__token_default_mints,
     .default_doc = "Poisson, 24 a day, lognormal median 100000 tokens, sigma 1", .doc = "the issuer's mints"},
    {.type = POR_PARAM_RULE, .rule = por__token_rule_default_mints,
     .doc = "the default mints' median fits 128 bits in token decimals"},
    {.name = "redeems", .type = POR_PARAM_OBJECT, .offset = POR__TOKEN_FIELD(redeems),
     .sub = &por_redeems_param_table, .derive_in = por__token_default_redeems, .default_doc = "none",
     .doc = "the holders' redemptions"},
    {.name = "reserve_custodian", .type = POR_PARAM_REF, .offset = POR__TOKEN_FIELD(reserve_custodian),
     .ref = POR_REF_CUSTODIAN, .derive_in = por__token_default_reserve, .default_doc = "the feed's first source",
     .doc = "the custodian (in the feed's unit) receiving backed deposits and paying backed redemptions"},
    {.type = POR_PARAM_RULE, .rule = por__token_rule_reserve_unit,
     .doc = "`reserve_custodian` holds the feed's unit"},
    {.name = "deposit_delay", .type = POR_PARAM_DURATION, .offset = POR__TOKEN_FIELD(deposit_delay), .def.i = 0,
     .doc = "a backed mint or redemption moves the custodian's true reserve this long after the supply change"},
    {.name = "bridges", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_bridges_param_table,
     .derive_in = por__token_default_bridges, .default_doc = "none",
     .doc = "transfers between the token's chains; needs a token on two chains or more"},
    {.name = "refresh_then_mint", .type = POR_PARAM_OBJECT, .offset = POR__TOKEN_FIELD(refresh),
     .sub = &por_refresh_param_table, .absent_off = true, .default_doc = "off",
     .doc = "before a mint the reported reserve does not cover, the issuer calls the aggregator's "
            "`requestNewRound` and holds the mint for a fresh answer; the object's presence turns it on"},
};

const por_param_table por_token_param_table = {
    .path = "token",
    .params = por__token_params,
    .nparams = sizeof por__token_params / sizeof por__token_params[0],
};
