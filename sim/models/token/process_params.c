/* token.mints, token.redeems and token.bridges: the request processes (por_request_process,
 * drawn by token.c's arrival, amount and chain streams) as parameter tables (por/param.h),
 * one per process kind since each kind takes its own keys ("unknown key for process
 * \"none\""): the VARIANT row "process" of por_mints/redeems/bridges_param_table picks it.
 * Mints and redemptions read over their por_request_process; bridges over the
 * por_token_config (offset 0), since a bridge's random ends are the token's bridge_from /
 * bridge_to. Scheduled requests are an ARRAY of por_scheduled_request. A request's chain
 * must be one of token.chains; a bridge end is that or "random" (CUSTOM "bridge_end"). */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>
#include <stdio.h>

_Static_assert(sizeof(por_process_kind) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");
_Static_assert(sizeof(int32_t) == sizeof(uint32_t), "POR_PARAM_REF fills a request's chain as a uint32_t");

#define POR__RP(f) offsetof(por_request_process, f)
#define POR__RQ(f) offsetof(por_scheduled_request, f)
#define POR__BR(f) offsetof(por_token_config, bridges.f)

const char *const por_process_kinds[] = {"none", "poisson", "burst", "scheduled", NULL};

/* ---- one scheduled request ---------------------------------------------------------- */

/* Scheduled requests come in time order (token.c replays them as given). */
static void por__rq_rule_order(const por_param_check *k, const void *s)
{
    const por_scheduled_request *r = s, *prev = k->prev;
    char a1[48], a2[48];
    if (prev && r->at < prev->at)
        por_param_fail(k, "at", "requests must be in time order, got %s after %s",
                       por_param_duration_text(r->at, a1, sizeof a1), por_param_duration_text(prev->at, a2, sizeof a2));
}

/* A request's chain absent: the token's first chain (-1). */
static void por__rq_default_chain(void *s, const void *scenario)
{
    (void)scenario;
    ((por_scheduled_request *)s)->chain = -1;
}

static bool por__token_has_chain(const por_scenario *sc, int32_t ch)
{
    for (size_t k = 0; k < sc->token.nchains; k++)
        if ((int32_t)sc->token.chains[k] == ch)
            return true;
    return false;
}

/* A mint's or redemption's chain is one of the token's. */
static void por__rq_rule_token_chain(const por_param_check *k, const void *s)
{
    const por_scheduled_request *r = s;
    const por_scenario *sc = k->scenario;
    if (por_param_given(k, "chain") && !por__token_has_chain(sc, r->chain))
        por_param_fail(k, "chain", "chain \"%s\" is not one of token.chains", sc->chains[r->chain].name);
}

/* FROM and TO (-1: drawn) name different chains; reported at to_chain when given, else at
 * from_chain. */
static void por__bridge_pair(const por_param_check *k, int32_t from, int32_t to)
{
    const por_scenario *sc = k->scenario;
    if (from >= 0 && from == to)
        por_param_fail(k, por_param_given(k, "to_chain") ? "to_chain" : "from_chain",
                       "a transfer needs two different chains, got \"%s\" as both from_chain and to_chain",
                       sc->chains[from].name);
}

static void por__rq_rule_pair(const por_param_check *k, const void *s)
{
    const por_scheduled_request *r = s;
    por__bridge_pair(k, r->chain, r->to_chain);
}

/* A scheduled transfer's ends absent: the process's from_chain / to_chain. */
static void por__rq_default_from(void *s, const void *scenario)
{
    const por_scenario *sc = scenario;
    ((por_scheduled_request *)s)->chain = sc ? sc->token.bridge_from : -1;
}

static void por__rq_default_to(void *s, const void *scenario)
{
    const por_scenario *sc = scenario;
    ((por_scheduled_request *)s)->to_chain = sc ? sc->token.bridge_to : -1;
}

/* A mint or redemption has no destination. */
static void por__rq_no_destination(void *s)
{
    ((por_scheduled_request *)s)->to_chain = -1;
}

#define POR__RQ_AT                                                                                                   \
    {.name = "at", .type = POR_PARAM_DURATION, .offset = POR__RQ(at), .required = true,                             \
     .doc = "when the request arrives"},                                                                            \
        {.type = POR_PARAM_RULE, .rule = por__rq_rule_order, .doc = "requests in time order"}
#define POR__RQ_AMOUNT                                                                                               \
    {.name = "amount", .type = POR_PARAM_AMOUNT, .offset = POR__RQ(amount), .token_decimals = true, .positive = true, \
     .required = true, .doc = "the amount, in token decimals"}

static const por_param por__request_params[] = {
    POR__RQ_AT,
    POR__RQ_AMOUNT,
    {.name = "chain", .type = POR_PARAM_REF, .offset = POR__RQ(chain), .ref = POR_REF_CHAIN,
     .derive_in = por__rq_default_chain, .default_doc = "the token's first chain",
     .doc = "one of token.chains"},
    {.type = POR_PARAM_RULE, .rule = por__rq_rule_token_chain, .doc = "`chain` is one of token.chains"},
};

static const por_param_table por__request_table = {
    .path = "token.mints.requests[]",
    .params = por__request_params,
    .nparams = sizeof por__request_params / sizeof por__request_params[0],
};

static const por_param por__bridge_request_params[] = {
    POR__RQ_AT,
    POR__RQ_AMOUNT,
    {.name = "from_chain", .type = POR_PARAM_CUSTOM, .offset = POR__RQ(chain), .custom = "bridge_end",
     .derive_in = por__rq_default_from, .type_doc = "chain name or \"random\"",
     .default_doc = "the process's `from_chain`", .doc = "where the transfer burns"},
    {.name = "to_chain", .type = POR_PARAM_CUSTOM, .offset = POR__RQ(to_chain), .custom = "bridge_end",
     .derive_in = por__rq_default_to, .type_doc = "chain name or \"random\"",
     .default_doc = "the process's `to_chain`", .doc = "where it is released"},
    {.type = POR_PARAM_RULE, .rule = por__rq_rule_pair, .doc = "`from_chain` and `to_chain` differ"},
};

static const por_param_table por__bridge_request_table = {
    .path = "token.bridges.requests[]",
    .params = por__bridge_request_params,
    .nparams = sizeof por__bridge_request_params / sizeof por__bridge_request_params[0],
};

/* ---- mints and redemptions (over a por_request_process) ------------------------------- */

#define POR__PER_DAY(off)                                                                                            \
    {.name = "per_day", .type = POR_PARAM_NUMBER, .offset = off, .required = true, .min.d = 0, .min_open = true,     \
     .max.d = 1e9, .unit = "requests", .doc = "mean requests (poisson) or bursts (burst) a day"}
#define POR__BURST_SIZE(off)                                                                                         \
    {.name = "burst_size", .type = POR_PARAM_UINT32, .offset = off, .def.u = 10, .min.u = 1, .max.u = 1000000,     \
     .unit = "requests", .doc = "requests arriving together"}
#define POR__AMOUNT(off)                                                                                             \
    {.name = "amount", .type = POR_PARAM_AMOUNT_DIST, .offset = off, .token_decimals = true, .required = true,      \
     .doc = "each request's amount, in token decimals"}
#define POR__BACKED                                                                                                  \
    {.name = "backed", .type = POR_PARAM_BOOL, .offset = POR__RP(backed), .def.u = 1,                               \
     .doc = "mints bring reserves to the reserve custodian, redemptions take them out"}
#define POR__REQUESTS(off, count, table, start)                                                                      \
    {.name = "requests", .type = POR_PARAM_ARRAY, .offset = off, .count_offset = count, .sub = table, .derive = start, \
     .stride = sizeof(por_scheduled_request), .min_len = 1, .max_len = 10000000, .required = true,                  \
     .doc = "the requests"}

static const por_param por__rp_poisson[] = {
    POR__PER_DAY(POR__RP(per_day)), POR__AMOUNT(POR__RP(amount)),
    {.type = POR_PARAM_WINDOW, .offset = POR__RP(window), .doc = "requests arrive in this window"},
    POR__BACKED,
};
static const por_param por__rp_burst[] = {
    POR__PER_DAY(POR__RP(per_day)), POR__BURST_SIZE(POR__RP(burst_size)),
    POR__AMOUNT(POR__RP(amount)),
    {.type = POR_PARAM_WINDOW, .offset = POR__RP(window), .doc = "bursts arrive in this window"},
    POR__BACKED,
};
static const por_param por__rp_scheduled[] = {
    POR__REQUESTS(POR__RP(scheduled), POR__RP(nscheduled), &por__request_table, por__rq_no_destination),
    POR__BACKED,
};

#define POR__TABLE(path_, rows) {.path = path_, .params = rows, .nparams = sizeof rows / sizeof rows[0]}

static const por_param_table por__rp_tables[] = {
    {.path = "token.mints"}, /* "none": no key but "process" */
    POR__TABLE("token.mints", por__rp_poisson),
    POR__TABLE("token.mints", por__rp_burst),
    POR__TABLE("token.mints", por__rp_scheduled),
};

const por_param_table *const por_request_process_tables[] = {&por__rp_tables[0], &por__rp_tables[1],
                                                             &por__rp_tables[2], &por__rp_tables[3]};

/* ---- bridge transfers (over the por_token_config) ------------------------------------ */

/* Transfers need somewhere to go. */
static void por__br_rule_two_chains(const por_param_check *k, const void *s)
{
    const por_token_config *tk = s;
    if (tk->nchains < 2)
        por_param_fail(k, NULL, "needs a token on at least two chains, token.chains has %zu", tk->nchains);
}

static void por__br_rule_pair(const por_param_check *k, const void *s)
{
    const por_token_config *tk = s;
    por__bridge_pair(k, tk->bridge_from, tk->bridge_to);
}

static void por__br_default_end(void *s, const void *scenario)
{
    (void)scenario;
    por_token_config *tk = s;
    tk->bridge_from = tk->bridge_to = -1;
}

#define POR__BR_TWO {.type = POR_PARAM_RULE, .rule = por__br_rule_two_chains, .doc = "token.chains has two chains"}
#define POR__BR_ENDS                                                                                                 \
    {.name = "from_chain", .type = POR_PARAM_CUSTOM, .offset = offsetof(por_token_config, bridge_from),             \
     .custom = "bridge_end", .derive_in = por__br_default_end, .type_doc = "chain name or \"random\"",              \
     .default_doc = "`\"random\"`", .doc = "where random transfers burn"},                                          \
        {.name = "to_chain", .type = POR_PARAM_CUSTOM, .offset = offsetof(por_token_config, bridge_to),             \
         .custom = "bridge_end", .type_doc = "chain name or \"random\"", .default_doc = "`\"random\"`",             \
         .doc = "where they are released"},                                                                         \
        {.type = POR_PARAM_RULE, .rule = por__br_rule_pair, .doc = "`from_chain` and `to_chain` differ"}

static const por_param por__br_poisson[] = {
    POR__BR_TWO, POR__PER_DAY(POR__BR(per_day)), POR__AMOUNT(POR__BR(amount)),
    {.type = POR_PARAM_WINDOW, .offset = POR__BR(window), .doc = "transfers arrive in this window"},
    POR__BR_ENDS,
};
static const por_param por__br_burst[] = {
    POR__BR_TWO, POR__PER_DAY(POR__BR(per_day)), POR__BURST_SIZE(POR__BR(burst_size)),
    POR__AMOUNT(POR__BR(amount)),
    {.type = POR_PARAM_WINDOW, .offset = POR__BR(window), .doc = "bursts arrive in this window"},
    POR__BR_ENDS,
};
/* The ends are read before the requests, whose ends default to them. */
static const por_param por__br_scheduled[] = {
    POR__BR_TWO, POR__BR_ENDS,
    POR__REQUESTS(POR__BR(scheduled), POR__BR(nscheduled), &por__bridge_request_table, NULL),
};
static const char *const por__br_scheduled_keys[] = {"process", "requests", "from_chain", "to_chain", NULL};

static const por_param_table por__br_tables[] = {
    {.path = "token.bridges"}, /* "none": no key but "process" */
    POR__TABLE("token.bridges", por__br_poisson),
    POR__TABLE("token.bridges", por__br_burst),
    {.path = "token.bridges", .params = por__br_scheduled, .nparams = sizeof por__br_scheduled / sizeof por__br_scheduled[0],
     .keys = por__br_scheduled_keys},
};

const por_param_table *const por_bridge_process_tables[] = {&por__br_tables[0], &por__br_tables[1],
                                                            &por__br_tables[2], &por__br_tables[3]};

/* ---- the process objects: "process" picks one of the tables above ------------------- */

/* What every kind of a given mints / redeems object starts from: the whole run as its
 * window, backed (the kinds without a window or "backed" key keep these). */
static void por__rp_start(void *s)
{
    por_request_process *rp = s;
    rp->window = (por_window){0, POR_TIME_MAX};
    rp->backed = true;
}

/* A given bridges object: the whole run, not backed, random ends. */
static void por__br_start(void *s)
{
    por_token_config *tk = s;
    tk->bridges.window = (por_window){0, POR_TIME_MAX};
    tk->bridges.backed = false;
    tk->bridge_from = tk->bridge_to = -1;
}

#define POR__PROCESS_VARIANT(off, start, tables)                                                                     \
    {.name = "process", .type = POR_PARAM_VARIANT, .offset = off, .names = por_process_kinds, .required = true,      \
     .variants = tables, .derive = start, .doc = "the arrival process"}

static const por_param por__mints_params[] = {
    POR__PROCESS_VARIANT(POR__RP(kind), por__rp_start, por_request_process_tables)};
static const por_param por__redeems_params[] = {
    POR__PROCESS_VARIANT(POR__RP(kind), por__rp_start, por_request_process_tables)};
static const por_param por__bridges_params[] = {
    POR__PROCESS_VARIANT(POR__BR(kind), por__br_start, por_bridge_process_tables)};

const por_param_table por_mints_param_table = POR__TABLE("token.mints", por__mints_params);
const por_param_table por_redeems_param_table = POR__TABLE("token.redeems", por__redeems_params);
const por_param_table por_bridges_param_table = POR__TABLE("token.bridges", por__bridges_params);
