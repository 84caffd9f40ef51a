/* feed: the PoR feed's top-level parameters (por_feed_config: the aggregator contract it
 * reports to, in aggregator.c / ocr2_aggregator.c, and its DON), as a parameter table
 * (por/param.h) read by io/param_read.c and documented by `porsim schema`. The OCR
 * parameters are the nested table feed.ocr (models/ocr/ocr_params.c). The bounds are
 * OffchainAggregator.sol's minAnswer / maxAnswer (an answer outside them is refused).
 * `sources` is a list of custodian names (REF_LIST), every custodian when absent. */
#include "por/error.h"
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(por_ocr_protocol) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");
_Static_assert(sizeof(por_crypto_choice) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__FEED_FIELD(f) offsetof(por_feed_config, f)

static const char *const por__cryptos[] = {"ideal", "real", NULL};
static const char *const por__protocols[] = {"ocr1", "ocr2", NULL};

/* sources absent: every custodian, in their order (none without a scenario, as
 * por_param_defaults leaves a list). */
static void por__feed_default_sources(void *s, const void *scenario)
{
    por_feed_config *fd = s;
    const por_scenario *sc = scenario;
    fd->sources = NULL;
    fd->nsources = 0;
    if (!sc)
        return;
    fd->sources = por_xcalloc(sc->ncustodians, sizeof *fd->sources);
    fd->nsources = sc->ncustodians;
    for (size_t i = 0; i < sc->ncustodians; i++)
        fd->sources[i] = (uint32_t)i;
}

/* Every node sums its sources' reserves, so they must count the same thing. */
static void por__feed_rule_units(const por_param_check *k, const void *s)
{
    const por_feed_config *fd = s;
    const por_scenario *sc = k->scenario;
    bool given = por_param_given(k, "sources");
    for (size_t i = 1; i < fd->nsources; i++) {
        const por_custodian_config *a = &sc->custodians[fd->sources[0]], *b = &sc->custodians[fd->sources[i]];
        if (strcmp(a->unit, b->unit) == 0)
            continue;
        char at[32];
        snprintf(at, sizeof at, "sources[%zu]", i);
        por_param_fail(k, given ? at : NULL, "needs every source in the same unit, got \"%s\" (%s) and \"%s\" (%s)%s",
                       a->name, a->unit, b->name, b->unit, given ? "" : " (sources default to every custodian)");
    }
}

/* The sources' reserves must be expressible in the feed's base units (128 bits):
 * otherwise no node could ever observe them and the feed would never publish. */
static void por__feed_rule_fits(const por_param_check *k, const void *s)
{
    const por_feed_config *fd = s;
    const por_scenario *sc = k->scenario;
    por_amount total = 0;
    for (size_t i = 0; i < fd->nsources; i++) {
        const por_custodian_config *cu = &sc->custodians[fd->sources[i]];
        por_amount v;
        if (!por_amount_rescale(cu->initial, cu->decimals, fd->decimals, &v) || !por_amount_add(total, v, &total))
            por_param_fail(k, "decimals",
                           "the sources' initial reserves do not fit 128-bit base units with %u decimals (custodian "
                           "\"%s\"); lower feed.decimals",
                           fd->decimals, cu->name);
    }
}

/* OffchainAggregator's constructor takes minAnswer < maxAnswer. */
static void por__feed_rule_bounds(const por_param_check *k, const void *s)
{
    const por_feed_config *fd = s;
    if (fd->max_answer <= fd->min_answer)
        por_param_fail(k, por_param_given(k, "max_answer") ? "max_answer" : "min_answer",
                       "needs min_answer < max_answer");
}

/* accept_deviation is OCR2's median plugin parameter (AlphaAcceptPPB): OCR1 has none. */
static void por__feed_rule_accept(const por_param_check *k, const void *s)
{
    const por_feed_config *fd = s;
    if (fd->protocol != POR_PROTOCOL_OCR2 && por_param_given(k, "ocr.accept_deviation"))
        por_param_fail(k, "ocr.accept_deviation", "not allowed unless feed.protocol is \"ocr2\"");
}

/* Rows in the order of the keys' list in "unknown key" messages. */
static const por_param por__feed_params[] = {
    {.name = "chain", .type = POR_PARAM_REF, .offset = POR__FEED_FIELD(chain), .ref = POR_REF_CHAIN, .def.u = 0,
     .default_doc = "the first chain", .doc = "the chain of the feed's aggregator, which the oracles read"},
    {.name = "decimals", .type = POR_PARAM_UINT32, .offset = POR__FEED_FIELD(decimals), .def.u = 8, .min.u = 0,
     .max.u = POR_MAX_DECIMALS, .doc = "decimals of the answer (the aggregator's `decimals()`)"},
    {.name = "sources", .type = POR_PARAM_REF_LIST, .offset = POR__FEED_FIELD(sources),
     .count_offset = POR__FEED_FIELD(nsources), .max_len = 1000, .ref = POR_REF_CUSTODIAN,
     .derive_in = por__feed_default_sources, .default_doc = "every custodian",
     .doc = "the custodians whose reserves every node sums (all in the same unit)"},
    {.type = POR_PARAM_RULE, .rule = por__feed_rule_units, .doc = "every source in the same unit"},
    {.type = POR_PARAM_RULE, .rule = por__feed_rule_fits,
     .doc = "the sources' initial reserves fit 128-bit base units with `decimals`"},
    {.name = "min_answer", .type = POR_PARAM_AMOUNT, .offset = POR__FEED_FIELD(min_answer),
     .decimals_offset = POR__FEED_FIELD(decimals), .negative = true, .def.a = 0,
     .doc = "in the feed's decimals: the aggregator's minAnswer, < max_answer"},
    {.name = "max_answer", .type = POR_PARAM_AMOUNT, .offset = POR__FEED_FIELD(max_answer),
     .decimals_offset = POR__FEED_FIELD(decimals), .negative = true, .def.a = POR_AMOUNT_MAX,
     .default_doc = "unbounded", .doc = "in the feed's decimals: the aggregator's maxAnswer"},
    {.type = POR_PARAM_RULE, .rule = por__feed_rule_bounds, .doc = "min_answer < max_answer"},
    {.name = "ocr", .type = POR_PARAM_OBJECT, .offset = POR__FEED_FIELD(ocr), .sub = &por_ocr_param_table,
     .default_doc = "the defaults below", .doc = "the OCR parameters, below"},
    {.name = "crypto", .type = POR_PARAM_ENUM, .offset = POR__FEED_FIELD(crypto), .def.u = POR_CRYPTO_MODE_IDEAL,
     .names = por__cryptos,
     .doc = "`\"ideal\"`: ideal signatures (a keyed SipHash tag, no elliptic-curve cost); `\"real\"`: secp256k1 "
            "signing and ecrecover"},
    {.name = "gas_price_multiplier", .type = POR_PARAM_NUMBER, .offset = POR__FEED_FIELD(gas_price_multiplier),
     .def.d = 1, .min.d = 0, .min_open = true, .max.d = 1000,
     .doc = "the transmitters' transaction managers multiply their estimate by this"},
    {.name = "max_gas_price_gwei", .type = POR_PARAM_NUMBER, .offset = POR__FEED_FIELD(max_gas_price_gwei),
     .unit = "gwei", .def.d = 0, .min.d = 0, .max.d = 1e9,
     .doc = "no transmitter bid exceeds this (it lowers the chain's `txm.price_max_gwei`); during a gas spike "
            "above it a transmission waits in the mempool, bumped up to the cap, until the base fee falls back "
            "under it. `0` = the chain's cap"},
    {.name = "protocol", .type = POR_PARAM_ENUM, .offset = POR__FEED_FIELD(protocol), .def.u = POR_PROTOCOL_OCR1,
     .names = por__protocols,
     .doc = "`\"ocr1\"`: libocr offchainreporting, OffchainAggregator; `\"ocr2\"`: libocr offchainreporting2 with "
            "the median reporting plugin, OCR2Aggregator (see [docs/OCR2.md](../docs/OCR2.md))"},
    {.type = POR_PARAM_RULE, .rule = por__feed_rule_accept,
     .doc = "`ocr.accept_deviation` only with protocol `\"ocr2\"`"},
};

const por_param_table por_feed_param_table = {
    .path = "feed",
    .params = por__feed_params,
    .nparams = sizeof por__feed_params / sizeof por__feed_params[0],
};
