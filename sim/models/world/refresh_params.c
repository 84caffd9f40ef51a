/* token.refresh_then_mint: the issuer's refresh-then-mint (por_refresh_config, modelled
 * in refresh.c), as a parameter table (por/param.h) read by io/param_read.c and
 * documented by `porsim schema`. The requester kinds are OffchainAggregator.sol
 * requestNewRound's access check ("Only owner&requester can call"). */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_requester_kind) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__REFRESH_FIELD(f) offsetof(por_refresh_config, f)

static const char *const por__requesters[] = {"access_list", "owner", "none", NULL};

/* Without the Secure Mint guard no mint is ever uncovered, so nothing would refresh. */
static void por__refresh_check(const por_param_check *k, const void *s)
{
    const por_refresh_config *r = s;
    const por_scenario *sc = k->scenario;
    if (r->enabled && !sc->token.secure_mint.enabled)
        por_param_fail(k, "enabled", "needs token.secure_mint.enabled: without a guard no mint is ever uncovered");
}

static const por_param por__refresh_params[] = {
    {.name = "enabled", .type = POR_PARAM_BOOL, .offset = POR__REFRESH_FIELD(enabled), .def.u = 1,
     .doc = "true when the object is given (absent object: off); needs secure_mint.enabled"},
    {.name = "requester", .type = POR_PARAM_ENUM, .offset = POR__REFRESH_FIELD(requester),
     .def.u = POR_REQUESTER_ACCESS_LIST, .names = por__requesters,
     .doc = "\"access_list\": the issuer is on the aggregator's requester access list; \"owner\": the issuer "
            "owns the aggregator; \"none\": neither, every request reverts \"Only owner&requester can call\", "
            "paying its gas"},
    {.name = "timeout", .type = POR_PARAM_DURATION, .offset = POR__REFRESH_FIELD(timeout), .def.i = 10 * POR_MIN,
     .positive = true, .doc = "held mints go to the guard when no newer answer landed by then"},
    {.name = "min_interval", .type = POR_PARAM_DURATION, .offset = POR__REFRESH_FIELD(min_interval), .def.i = 0,
     .doc = "no new request sooner than this after the last one (an uncovered mint then goes to the guard at "
            "once)"},
};

const por_param_table por_refresh_param_table = {
    .path = "token.refresh_then_mint",
    .params = por__refresh_params,
    .nparams = sizeof por__refresh_params / sizeof por__refresh_params[0],
    .check = por__refresh_check,
    .check_doc = "enabled needs token.secure_mint.enabled (without a guard no mint is ever uncovered)",
};
