/* custodians[]: a custodian of the reserve (por_custodian_config, modelled in
 * custodian.c) with its reserve (custodians[].reserve), the reserve's drift between steps
 * (custodians[].reserve.drift, por_drift, a VARIANT keyed by "model") and how its
 * attestation API publishes its figure (custodians[].attestation), as parameter tables
 * (por/param.h) read by io/param_read.c and documented by `porsim schema`. The reserve
 * steps, whose checks follow the reserve along them, are a CUSTOM reader in
 * io/param_custom.c; io/scenario_build.c gives a scenario without "custodians" one
 * custodian with these defaults. */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

#define POR__CU_FIELD(f) offsetof(por_custodian_config, f)

static const char *const por__weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                            "friday", "saturday", "sunday",    NULL};

/* An attestation API refreshes its figure hourly by default (SCHEMA.md custodians[]: a
 * bank's or fund's reporting endpoint); a wallet is read live (every 0). */
static void por__attest_default_every(void *s)
{
    por_custodian_config *cu = s;
    cu->attest_every = cu->source == POR_SOURCE_ATTESTED_API ? POR_HOUR : 0;
}

/* phase defaults to "random" (drawn per replication) when the figure is periodic. */
static void por__attest_default_phase(void *s)
{
    por_custodian_config *cu = s;
    cu->attest_phase_random = cu->attest_every > 0;
    cu->attest_phase = 0;
}

/* The API's answer time: lognormal, median 200 ms, sigma 0.5 (SCHEMA.md custodians[]). */
static const por_duration_dist por__attest_default_latency = {
    .kind = POR_DIST_LOGNORMAL, .median = 200 * POR_MS, .sigma = 0.5};

/* Market calendar (por_custodian_refreshed_at): only a periodically refreshed figure can
 * skip the weekend, and first_day means nothing without skip_weekends. */
static void por__attest_check(const por_param_check *k, const void *s)
{
    const por_custodian_config *cu = s;
    if (cu->skip_weekends && (cu->source != POR_SOURCE_ATTESTED_API || cu->attest_every <= 0))
        por_param_fail(k, "skip_weekends",
                       "needs a periodic attestation (source \"api\" with every > 0): only a refreshed figure can "
                       "skip the weekend");
    if (!cu->skip_weekends && por_param_given(k, "first_day"))
        por_param_fail(k, "first_day", "has no effect without \"skip_weekends\": true");
}

static const por_param por__attest_params[] = {
    {.name = "every", .type = POR_PARAM_DURATION, .offset = POR__CU_FIELD(attest_every),
     .derive = por__attest_default_every, .default_doc = "`\"1h\"` for source \"api\", `\"0s\"` for \"wallet\"",
     .doc = "the figure is refreshed this often; 0 = always live"},
    {.name = "lag", .type = POR_PARAM_DURATION, .offset = POR__CU_FIELD(attest_lag), .def.i = 0,
     .doc = "the figure describes the reserve this long ago"},
    {.name = "latency", .type = POR_PARAM_DISTRIBUTION, .offset = POR__CU_FIELD(api_latency),
     .def_ptr = &por__attest_default_latency, .doc = "the answer time of one read"},
    {.name = "failure_rate", .type = POR_PARAM_PROBABILITY, .offset = POR__CU_FIELD(failure_rate), .def.d = 0,
     .doc = "a read fails with this probability"},
    {.name = "outages", .type = POR_PARAM_WINDOWS, .offset = POR__CU_FIELD(outages),
     .count_offset = POR__CU_FIELD(noutages), .doc = "windows in which the API is down"},
    {.name = "ripcords", .type = POR_PARAM_WINDOWS, .offset = POR__CU_FIELD(ripcords),
     .count_offset = POR__CU_FIELD(nripcords), .doc = "windows in which the provider deliberately answers 503"},
    {.name = "rate_limit_per_min", .type = POR_PARAM_UINT32, .offset = POR__CU_FIELD(rate_limit_per_min),
     .unit = "reads per minute", .def.u = 0, .min.u = 0, .max.u = 1000000000,
     .doc = "reads over it fail; 0 = unlimited"},
    {.name = "phase", .type = POR_PARAM_CUSTOM, .custom = "attestation_phase", .offset = POR__CU_FIELD(attest_phase),
     .derive = por__attest_default_phase, .default_doc = "`\"random\"`",
     .type_doc = "\"random\" or a duration",
     .doc = "\"random\" (uniform in [0, every), drawn once per replication from the custodian's own stream) or "
            "a duration in [0, every): refreshes at phase + k · every"},
    {.name = "skip_weekends", .type = POR_PARAM_BOOL, .offset = POR__CU_FIELD(skip_weekends), .def.u = 0,
     .doc = "a market closed on weekends (a fund's NAV, a broker's statement): refreshes falling on a Saturday "
            "or Sunday do not happen, the last one before Saturday 00:00 stays in force until Monday's first "
            "refresh. Window dressing (custodian_fraud) still dresses around every grid instant"},
    {.name = "first_day", .type = POR_PARAM_ENUM, .offset = POR__CU_FIELD(first_day), .def.u = 0,
     .names = por__weekdays, .doc = "the weekday of day 0 (the run's clock is UTC days from 00:00); only with skip_weekends"},
};

_Static_assert(sizeof(uint32_t) == sizeof(int), "first_day is read as an int-sized POR_PARAM_ENUM");

const por_param_table por_attestation_param_table = {
    .path = "custodians[].attestation",
    .params = por__attest_params,
    .nparams = sizeof por__attest_params / sizeof por__attest_params[0],
    .check = por__attest_check,
    .check_doc = "skip_weekends needs source \"api\" with every > 0; first_day needs skip_weekends",
};

/* ---- custodians[].reserve.drift ---------------------------------------------------- */

_Static_assert(sizeof(por_drift_kind) == sizeof(int), "POR_PARAM_VARIANT fields are int-sized");

#define POR__DRIFT_FIELD(f) offsetof(por_drift, f)

/* The reserve moves once an hour unless told otherwise (custodian.c applies a drift step
 * every `every`). */
#define POR__DRIFT_EVERY                                                                                             \
    {.name = "every", .type = POR_PARAM_DURATION, .offset = POR__DRIFT_FIELD(every), .def.i = POR_HOUR,               \
     .positive = true, .doc = "the true reserve moves this often"}

static const por_param por__drift_random_walk_params[] = {
    POR__DRIFT_EVERY,
    {.name = "sigma_per_day", .type = POR_PARAM_NUMBER, .offset = POR__DRIFT_FIELD(sigma_per_day), .required = true,
     .min.d = 0, .max.d = 10,
     .doc = "relative standard deviation per square root of a day: each move multiplies the reserve by "
            "exp(sd · N(0, 1)), sd = sigma_per_day · sqrt(every / 1d) (custodian.c)"},
};

static const por_param por__drift_linear_params[] = {
    POR__DRIFT_EVERY,
    {.name = "rate_per_year", .type = POR_PARAM_NUMBER, .offset = POR__DRIFT_FIELD(rate_per_year), .required = true,
     .min.d = -1, .max.d = 100,
     .doc = "relative growth of the initial reserve per year (a T-bill yield: 0.05), added in steps of every"},
};

static const por_param_table por__drift_none_table = {.path = "custodians[].reserve.drift"};
static const por_param_table por__drift_random_walk_table = {
    .path = "custodians[].reserve.drift",
    .params = por__drift_random_walk_params,
    .nparams = sizeof por__drift_random_walk_params / sizeof por__drift_random_walk_params[0],
};
static const por_param_table por__drift_linear_table = {
    .path = "custodians[].reserve.drift",
    .params = por__drift_linear_params,
    .nparams = sizeof por__drift_linear_params / sizeof por__drift_linear_params[0],
};

static const char *const por__drift_models[] = {"none", "random_walk", "linear", NULL};
/* in the order of por__drift_models (por_drift_kind) */
static const por_param_table *const por__drift_variants[] = {&por__drift_none_table, &por__drift_random_walk_table,
                                                             &por__drift_linear_table};

static const por_param por__drift_params[] = {
    {.name = "model", .type = POR_PARAM_VARIANT, .offset = POR__DRIFT_FIELD(kind), .required = true,
     .def.u = POR_DRIFT_NONE, .names = por__drift_models, .variants = por__drift_variants,
     .default_doc = "(`\"none\"` without `drift`)",
     .doc = "\"none\": the reserve moves only at steps; \"random_walk\": a lognormal random walk; \"linear\": "
            "steady growth"},
};

const por_param_table por_drift_param_table = {
    .path = "custodians[].reserve.drift",
    .params = por__drift_params,
    .nparams = sizeof por__drift_params / sizeof por__drift_params[0],
};

/* ---- custodians[] and custodians[].reserve -------------------------------------------- */

_Static_assert(sizeof(por_source_kind) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

/* The default reserve, 1,000,000,000 units (SCHEMA.md custodians[]), in base units; false
 * when it does not fit in a por_amount with the custodian's decimals. */
static bool por__cu_default_initial_fits(const por_custodian_config *cu, por_amount *out)
{
    return por_amount_mul(1000000000, por_amount_pow10(cu->decimals), out);
}

static void por__cu_default_initial(void *s)
{
    por_custodian_config *cu = s;
    if (!por__cu_default_initial_fits(cu, &cu->initial))
        cu->initial = 0; /* refused by the rules below when the file relies on it */
}

/* The default initial reserve must fit with the decimals given: at reserve.initial when
 * the file has "reserve" (this rule, in reserve's table) ... */
static void por__reserve_rule_initial_fits(const por_param_check *k, const void *s)
{
    const por_custodian_config *cu = s;
    por_amount v;
    if (!por_param_given(k, "initial") && !por__cu_default_initial_fits(cu, &v))
        por_param_fail(k, "initial", "missing: the default 1000000000 does not fit with %u decimals", cu->decimals);
}

/* ... and, as the loader always said, at "initial" of the custodian when it has no
 * "reserve" at all. */
static void por__cu_rule_initial_fits(const por_param_check *k, const void *s)
{
    const por_custodian_config *cu = s;
    por_amount v;
    if (!por_param_given(k, "reserve") && !por__cu_default_initial_fits(cu, &v))
        por_param_fail(k, "initial", "missing: the default 1000000000 does not fit with %u decimals", cu->decimals);
}

/* A wallet is read on its chain (custodian.c reads the balance as of that chain's newest
 * confirmed block); an attestation API has no chain. Refused before the value is read. */
static void por__cu_rule_chain(const por_param_check *k, const void *s)
{
    const por_custodian_config *cu = s;
    if (cu->source == POR_SOURCE_WALLET && !por_param_given(k, "chain"))
        por_param_fail(k, "chain", "missing required key");
    if (cu->source != POR_SOURCE_WALLET && por_param_given(k, "chain"))
        por_param_fail(k, "chain", "not allowed unless \"source\" is \"wallet\"");
}

static const por_param por__reserve_params[] = {
    {.type = POR_PARAM_RULE, .rule = por__reserve_rule_initial_fits,
     .doc = "without initial, 1000000000 units must fit in 128 bits with the decimals"},
    {.name = "initial", .type = POR_PARAM_AMOUNT, .offset = POR__CU_FIELD(initial),
     .decimals_offset = POR__CU_FIELD(decimals), .derive = por__cu_default_initial, .default_doc = "`\"1000000000\"`",
     .doc = "the reserve at t = 0, in the custodian's decimals"},
    {.name = "steps", .type = POR_PARAM_CUSTOM, .custom = "reserve_steps", .offset = POR__CU_FIELD(steps),
     .count_offset = POR__CU_FIELD(nsteps),
     .type_doc = "array, in time order, of `{\"at\", \"change\" or \"set\", \"label\"}`",
     .doc = "changes of the true reserve (below); the reserve along the steps as written (from initial, drift and "
            "deposits aside) must stay below 2^127 base units, a step taking it beyond is refused"},
    {.name = "drift", .type = POR_PARAM_OBJECT, .offset = POR__CU_FIELD(drift), .sub = &por_drift_param_table,
     .default_doc = "no drift", .doc = "how the true reserve moves between steps, below"},
};

const por_param_table por_reserve_param_table = {
    .path = "custodians[].reserve",
    .params = por__reserve_params,
    .nparams = sizeof por__reserve_params / sizeof por__reserve_params[0],
};

static const char *const por__sources[] = {"api", "wallet", NULL};

static const por_param por__custodian_params[] = {
    {.name = "name", .type = POR_PARAM_NAME, .offset = POR__CU_FIELD(name), .max_len = POR_NAME_MAX,
     .required = true, .def_text = "custodian", .unique = "custodian",
     .default_doc = "in the array (`\"custodian\"` for the implicit custodian of a scenario without `custodians`)",
     .doc = "what feed.sources, token and attackers call it; unique"},
    {.name = "unit", .type = POR_PARAM_NAME, .offset = POR__CU_FIELD(unit),
     .max_len = sizeof(((por_custodian_config *)0)->unit), .def_text = "USD",
     .doc = "what the reserve is counted in (\"USD\", \"BTC\", \"ozt\"); the feed's sources must share one"},
    {.name = "decimals", .type = POR_PARAM_UINT32, .offset = POR__CU_FIELD(decimals), .def.u = 2, .min.u = 0,
     .max.u = POR_MAX_DECIMALS, .doc = "decimals of the reserve amounts"},
    {.name = "source", .type = POR_PARAM_ENUM, .offset = POR__CU_FIELD(source), .def.u = POR_SOURCE_ATTESTED_API,
     .names = por__sources,
     .doc = "\"api\": an attestation API; \"wallet\": an on-chain balance as of the chain's newest confirmed block "
            "(a change shows up to a block time plus the confirmations later)"},
    {.type = POR_PARAM_RULE, .rule = por__cu_rule_chain,
     .doc = "chain is required with source \"wallet\" and refused with \"api\""},
    {.name = "chain", .type = POR_PARAM_REF, .offset = POR__CU_FIELD(wallet_chain), .ref = POR_REF_CHAIN,
     .def.u = UINT32_MAX, .default_doc = "none", .doc = "the chain a wallet is read on"},
    {.name = "reserve", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_reserve_param_table,
     .default_doc = "its keys' defaults", .doc = "the true reserve, below"},
    {.type = POR_PARAM_RULE, .rule = por__cu_rule_initial_fits,
     .doc = "without reserve.initial, 1000000000 units must fit in 128 bits with the decimals"},
    {.name = "attestation", .type = POR_PARAM_OBJECT, .offset = 0, .sub = &por_attestation_param_table,
     .default_doc = "its keys' defaults", .doc = "how the API publishes its figure, below"},
};

_Static_assert(sizeof(((por_custodian_config *)0)->wallet_chain) == sizeof(uint32_t),
               "wallet_chain is read as a POR_PARAM_REF (uint32_t; the default UINT32_MAX is -1)");

const por_param_table por_custodian_param_table = {
    .path = "custodians[]",
    .params = por__custodian_params,
    .nparams = sizeof por__custodian_params / sizeof por__custodian_params[0],
};
