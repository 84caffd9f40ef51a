/* consumers[].thresholds[]: a lending consumer's reaction thresholds
 * (por_consumer_threshold, modelled in consumer.c), as a parameter table (por/param.h)
 * read by io/param_read.c and documented by `porsim schema`. */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_consumer_action) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__THRESHOLD_FIELD(f) offsetof(por_consumer_threshold, f)

static const char *const por__actions[] = {"lower_cf", "pause", NULL};

/* A pause sets no collateral factor: the key is refused before its value is read. */
static void por__threshold_rule_pause(const por_param_check *k, const void *s)
{
    const por_consumer_threshold *th = s;
    if (th->action == POR_ACTION_PAUSE && por_param_given(k, "collateral_factor"))
        por_param_fail(k, "collateral_factor", "not allowed with action \"pause\"");
}

/* lower_cf needs the factor it lowers to. */
static void por__threshold_check(const por_param_check *k, const void *s)
{
    const por_consumer_threshold *th = s;
    if (th->action == POR_ACTION_LOWER_CF && !por_param_given(k, "collateral_factor"))
        por_param_fail(k, "collateral_factor", "missing required key");
}

static const por_param por__threshold_params[] = {
    {.name = "ratio", .type = POR_PARAM_PERCENT, .offset = POR__THRESHOLD_FIELD(ratio_ppb), .required = true,
     .min.i = 0, .max.i = 1000000000000, .doc = "the reported reserve / supply below which the action is taken"},
    {.name = "action", .type = POR_PARAM_ENUM, .offset = POR__THRESHOLD_FIELD(action), .required = true,
     .names = por__actions, .doc = "\"lower_cf\": lower the collateral factor; \"pause\": pause the protocol"},
    {.type = POR_PARAM_RULE, .rule = por__threshold_rule_pause, .doc = "collateral_factor is refused with \"pause\""},
    {.name = "collateral_factor", .type = POR_PARAM_PERCENT, .offset = POR__THRESHOLD_FIELD(collateral_factor_ppb),
     .def.i = 0, .min.i = 0, .max.i = 1000000000,
     .doc = "lower_cf only, and required with it: the new collateral factor"},
};

const por_param_table por_threshold_param_table = {
    .path = "consumers[].thresholds[]",
    .params = por__threshold_params,
    .nparams = sizeof por__threshold_params / sizeof por__threshold_params[0],
    .check = por__threshold_check,
    .check_doc = "collateral_factor is required with \"lower_cf\"",
};
