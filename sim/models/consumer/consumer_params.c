/* consumers[] and consumers[].thresholds[]: a lending consumer (por_consumer_config) and
 * its reaction thresholds (por_consumer_threshold), modelled in consumer.c, as parameter
 * tables (por/param.h) read by io/param_read.c and documented by `porsim schema`. */
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

#define POR__CONSUMER_FIELD(f) offsetof(por_consumer_config, f)

/* A consumer reads the feed on the feed's chain unless it names another (SCHEMA.md
 * consumers[]); without a scenario (por_param_defaults) the first chain. */
static void por__consumer_default_chain(void *s, const void *scenario)
{
    por_consumer_config *cs = s;
    const por_scenario *sc = scenario;
    cs->chain = sc ? sc->feed.chain : 0;
}

static const por_param por__consumer_params[] = {
    {.name = "name", .type = POR_PARAM_NAME, .offset = POR__CONSUMER_FIELD(name), .max_len = POR_NAME_MAX,
     .required = true, .unique = "consumer", .doc = "the consumer's name, unique among consumers"},
    {.name = "chain", .type = POR_PARAM_REF, .offset = POR__CONSUMER_FIELD(chain), .ref = POR_REF_CHAIN,
     .derive_in = por__consumer_default_chain, .default_doc = "`feed.chain`",
     .doc = "the chain whose copy of the feed it reads"},
    /* a keeper polling the feed once a minute (consumer.c) */
    {.name = "poll_every", .type = POR_PARAM_DURATION, .offset = POR__CONSUMER_FIELD(poll_every), .def.i = POR_MIN,
     .positive = true, .doc = "how often it reads the feed (a keeper)"},
    {.name = "thresholds", .type = POR_PARAM_ARRAY, .offset = POR__CONSUMER_FIELD(thresholds),
     .count_offset = POR__CONSUMER_FIELD(nthresholds), .sub = &por_threshold_param_table,
     .stride = sizeof(por_consumer_threshold), .min_len = 1, .max_len = 1000, .required = true,
     .doc = "its reactions, each when the reported ratio falls below its ratio"},
};

const por_param_table por_consumer_param_table = {
    .path = "consumers[]",
    .params = por__consumer_params,
    .nparams = sizeof por__consumer_params / sizeof por__consumer_params[0],
};

const por_param por_consumers_param = {
    .name = "consumers", .type = POR_PARAM_ARRAY, .offset = offsetof(por_scenario, consumers),
    .count_offset = offsetof(por_scenario, nconsumers), .sub = &por_consumer_param_table,
    .stride = sizeof(por_consumer_config), .min_len = 0, .max_len = 1000,
    .doc = "lending protocols that read the feed",
};
