/* token.secure_mint and token.secure_mint.margin: the Secure Mint guard's parameters
 * (por_secure_mint_config, modelled in token.c after chainlink-ace SecureMintPolicy.sol),
 * as parameter tables (por/param.h) over the por_token_config itself, so the margin's
 * amount can be read in the token's decimals and the staleness default can follow the
 * feed's heartbeat. The margin's value is a percentage or an amount depending on its
 * sibling "mode", so it is a CUSTOM row ("margin_value", io/param_custom.c). */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_margin_mode) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");
_Static_assert(sizeof(por_supply_view) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__SM_FIELD(f) offsetof(por_token_config, secure_mint.f)

/* The modes of SecureMintPolicy's ReserveMarginMode, in its order. */
static const char *const por__margin_modes[] = {"none", "positive_percent", "positive_absolute", "negative_percent",
                                                "negative_absolute", NULL};
static const char *const por__supply_views[] = {"local", "global", NULL};

/* max_staleness absent: the feed's heartbeat (feed.ocr.delta_c) plus two hours, so a feed
 * that is on time is never stale; capped at POR_TIME_MAX. Without a scenario, the
 * heartbeat is feed.ocr's own default. */
static void por__sm_default_staleness(void *s, const void *scenario)
{
    por_token_config *tk = s;
    const por_scenario *sc = scenario;
    por_time_t dc;
    if (sc) {
        dc = sc->feed.ocr.delta_c;
    } else {
        por_ocr_config ocr;
        por_param_defaults(&por_ocr_param_table, &ocr);
        dc = ocr.delta_c;
    }
    tk->secure_mint.max_staleness = dc <= POR_TIME_MAX - 2 * POR_HOUR ? dc + 2 * POR_HOUR : POR_TIME_MAX;
}

static const por_param por__margin_params[] = {
    {.name = "mode", .type = POR_PARAM_ENUM, .offset = POR__SM_FIELD(margin_mode), .names = por__margin_modes,
     .required = true, .def.u = POR_MARGIN_NONE,
     .doc = "SecureMintPolicy's ReserveMarginMode: the reserve must exceed the supply by the value (positive) or "
            "may fall short of it by the value (negative), a percentage or an amount"},
    {.name = "value", .type = POR_PARAM_CUSTOM, .custom = "margin_value", .custom_absent = true,
     .type_doc = "percentage or amount, by mode", .default_doc = "required unless mode is `\"none\"`",
     .doc = "percent modes: a percentage from 0% to 100% in whole basis points (`\"0.01%\"` = 1 bp; "
            "SecureMintPolicy holds `amount <= BASIS_POINTS` = 10,000 bp, so `\"0.005%\"` is refused, not rounded); "
            "absolute modes: an amount > 0 in token decimals (the policy requires `> 0`); refused with `none`"},
};

const por_param_table por_margin_param_table = {
    .path = "token.secure_mint.margin",
    .params = por__margin_params,
    .nparams = sizeof por__margin_params / sizeof por__margin_params[0],
};

static const por_param por__secure_mint_params[] = {
    {.name = "enabled", .type = POR_PARAM_BOOL, .offset = POR__SM_FIELD(enabled), .def.u = 1,
     .doc = "mints go through the guard (false: every mint is accepted)"},
    {.name = "max_staleness", .type = POR_PARAM_DURATION, .offset = POR__SM_FIELD(max_staleness), .positive = true,
     .derive_in = por__sm_default_staleness, .default_doc = "`feed.ocr.delta_c` + 2h",
     .doc = "an answer older than this refuses the mint (SecureMintPolicy's maxStalenessSeconds)"},
    {.name = "margin", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_margin_param_table,
     .default_doc = "mode `\"none\"`", .doc = "the reserve margin (SecureMintPolicy's reserveMarginMode, amount)"},
    {.name = "supply", .type = POR_PARAM_ENUM, .offset = POR__SM_FIELD(supply), .names = por__supply_views,
     .def.u = POR_SUPPLY_LOCAL,
     .doc = "\"local\": each chain's guard compares the reserve with its own chain's totalSupply (what the "
            "deployed SecureMintPolicy.run reads: `IERC20(subject).totalSupply()`); \"global\": with the supply "
            "summed over the token's chains (a cross-chain supply view the deployment must wire). Same result on "
            "one chain"},
};

const por_param_table por_secure_mint_param_table = {
    .path = "token.secure_mint",
    .params = por__secure_mint_params,
    .nparams = sizeof por__secure_mint_params / sizeof por__secure_mint_params[0],
};
