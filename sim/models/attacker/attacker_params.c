/* attackers[]: the faults and attacks of a scenario (por_attack_config), as a parameter
 * table (por/param.h) read by io/param_read.c and documented by `porsim schema`: the keys
 * every attacker has (its "type", a VARIANT row, and its window), then one table per
 * attack kind over the same struct, with the rules the models rely on. Values with no
 * generic form are CUSTOM rows read in io/param_custom.c: oracle-index lists (checked
 * against feed.ocr.n), the byzantine factor (a number or a percentage) and a custodian
 * fraud's shares (a percentage or an amount in the custodian's decimals). */
#include "por/param.h"
#include "por/ratio.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_attack_kind) == sizeof(int), "POR_PARAM_VARIANT fields are int-sized");
_Static_assert(sizeof(por_byzantine_behavior) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__ATTACK_FIELD(f) offsetof(por_attack_config, f)

/* ---- rules ------------------------------------------------------------------------ */

/* The oracle hit by leader_at is the one leading at that time (models/oracle/leader_at.c
 * resolves it when the clock reaches leader_at), so it must be known when the window
 * opens. */
static void por__attack_rule_leader_at(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    char a[48], b[48];
    if (at->has_leader_at && at->leader_at > at->window.from)
        por_param_fail(k, "leader_at",
                       "needs leader_at <= from (the target is chosen before the attack starts), got leader_at=%s "
                       "from=%s",
                       por_param_duration_text(at->leader_at, a, sizeof a),
                       por_param_duration_text(at->window.from, b, sizeof b));
}

/* A crash hits its nodes, or the leader at leader_at alone. */
static void por__attack_rule_crash_target(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    if (!at->has_leader_at && !por_param_given(k, "nodes"))
        por_param_fail(k, "nodes", "missing required key");
}

/* Equivocation (a leader sending two different valid reports to two halves of the
 * followers) is modelled only on OCR1's leader, the REPORT-REQ of libocr
 * offchainreporting/internal/protocol/report_generation_leader.go as porsim's
 * models/ocr/report_generation.c builds it; the OCR2 leader has no such path (docs/OCR2.md). */
static void por__attack_rule_equivocate(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    const por_scenario *sc = k->scenario;
    if (at->behavior == POR_BYZ_EQUIVOCATE && sc && sc->feed.protocol == POR_PROTOCOL_OCR2)
        por_param_fail(k, "behavior", "\"equivocate\" is not modelled for feed.protocol \"ocr2\"");
}

/* Only inflate and deflate scale the observation (report_generation.c), and they need
 * the factor they scale by; refused before its value is read. */
static void por__attack_rule_factor_given(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    bool scales = at->behavior == POR_BYZ_INFLATE || at->behavior == POR_BYZ_DEFLATE;
    if (scales && !por_param_given(k, "factor"))
        por_param_fail(k, "factor", "missing required key");
    if (!scales && por_param_given(k, "factor"))
        por_param_fail(k, "factor", "not allowed unless behavior is \"inflate\" or \"deflate\"");
}

/* Inflating multiplies by more than 1, deflating by less. */
static void por__attack_rule_factor_direction(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    char got[96];
    if (at->behavior == POR_BYZ_INFLATE && at->factor_ppb <= POR_PPB_ONE)
        por_param_fail(k, "factor", "inflate needs a factor above 1, got %s",
                       por_param_describe(k, "factor", got, sizeof got));
    if (at->behavior == POR_BYZ_DEFLATE && at->factor_ppb >= POR_PPB_ONE)
        por_param_fail(k, "factor", "deflate needs a factor below 1, got %s",
                       por_param_describe(k, "factor", got, sizeof got));
}

/* A network attack needs whom to hit ... */
static void por__attack_rule_network_target(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    if (at->nnodes == 0 && !at->target_leader && !at->has_leader_at)
        por_param_fail(k, NULL, "needs \"nodes\", \"leader\": true or \"leader_at\"");
}

/* ... and what to do to their messages. */
static void por__attack_rule_network_effect(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    if (at->extra_delay == 0 && at->drop == 0)
        por_param_fail(k, NULL, "needs \"extra_delay\" > 0 or \"drop\" > 0");
}

/* Window dressing borrows around each attestation snapshot (custodian.c), so the
 * custodian's figure must be refreshed periodically. */
static void por__attack_rule_dress_periodic(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    const por_scenario *sc = k->scenario;
    if (!por_param_given(k, "window_dressing"))
        return;
    const por_custodian_config *cu = &sc->custodians[at->custodian];
    if (cu->attest_every <= 0)
        por_param_fail(k, "window_dressing",
                       "needs periodic attestations, but custodian \"%s\" has attestation.every=0 (continuous)",
                       cu->name);
}

/* around goes with window dressing, and only with it; refused before its value is read. */
static void por__attack_rule_around_given(const por_param_check *k, const void *s)
{
    (void)s;
    bool dressing = por_param_given(k, "window_dressing");
    if (dressing && !por_param_given(k, "around"))
        por_param_fail(k, "around", "missing required key");
    if (!dressing && por_param_given(k, "around"))
        por_param_fail(k, "around", "not allowed without \"window_dressing\"");
}

/* The loan is in for [s - around, s + around) of each snapshot s and out in between
 * (custodian.c por_custodian_borrowed_at): the intervals of consecutive snapshots must
 * not meet, around < every - around. */
static void por__attack_rule_around_half(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    const por_scenario *sc = k->scenario;
    if (!por_param_given(k, "window_dressing"))
        return;
    const por_custodian_config *cu = &sc->custodians[at->custodian];
    char a[48], b[48];
    if (at->dress_around >= cu->attest_every - at->dress_around)
        por_param_fail(k, "around", "needs around < half the attestation period of custodian \"%s\" (every=%s), got %s",
                       cu->name, por_param_duration_text(cu->attest_every, a, sizeof a),
                       por_param_duration_text(at->dress_around, b, sizeof b));
}

/* A custodian fraud that changes nothing is a mistake. */
static void por__attack_check_fraud(const por_param_check *k, const void *s)
{
    const por_attack_config *at = s;
    if (at->misreport_ppb == 0 && !at->hide_drain && at->dress_around == 0 && at->double_ppb == 0 &&
        at->double_amount == 0)
        por_param_fail(k, NULL, "needs \"misreport\" other than 0%%, \"hide_drain\": true, \"window_dressing\" or "
                                "\"double_counted\"");
}

static unsigned por__attack_feed_decimals(const void *s, const void *scenario)
{
    (void)s;
    const por_scenario *sc = scenario;
    return sc ? sc->feed.decimals : 8;
}

static unsigned por__attack_token_decimals(const void *s, const void *scenario)
{
    (void)s;
    const por_scenario *sc = scenario;
    return sc ? sc->token.decimals : 18;
}

/* ---- one table per attack kind ---------------------------------------------------- */

#define POR__NODES(min, req, what)                                                                                    \
    {.name = "nodes", .type = POR_PARAM_CUSTOM, .custom = "oracle_nodes", .offset = POR__ATTACK_FIELD(nodes),        \
     .count_offset = POR__ATTACK_FIELD(nnodes), .min_len = (min), .required = (req),                                 \
     .type_doc = "array of " #min "+ oracle indices below feed.ocr.n, no repeats", .doc = (what)}

#define POR__LEADER_AT(what)                                                                                          \
    {.name = "leader_at", .type = POR_PARAM_DURATION, .offset = POR__ATTACK_FIELD(leader_at),                         \
     .given_offset = POR__ATTACK_FIELD(has_leader_at), .def.i = 0, .default_doc = "none", .doc = (what)},             \
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_leader_at, .doc = "leader_at <= from"}

static const por_param por__crash_params[] = {
    POR__NODES(1, false, "the oracles that stop entirely; required without leader_at"),
    POR__LEADER_AT("also crash the oracle leading at this time (the leader of the highest epoch any oracle "
                   "has entered, by the pacemaker's leader function), <= from"),
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_crash_target, .doc = "nodes is required without leader_at"},
};

static const char *const por__byz_behaviors[] = {"inflate",    "deflate",     "random",         "silent",
                                                 "equivocate", "refuse_sign", "withhold_final", "malformed", NULL};

static const por_param por__byzantine_params[] = {
    POR__NODES(1, true, "the misbehaving oracles"),
    {.name = "behavior", .type = POR_PARAM_ENUM, .offset = POR__ATTACK_FIELD(behavior), .required = true,
     .names = por__byz_behaviors,
     .doc = "inflate or deflate their observations by factor, send random ones, stay silent, equivocate as "
            "leader, refuse to sign, withhold the final report, or send malformed messages"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_equivocate,
     .doc = "\"equivocate\" is refused with feed.protocol \"ocr2\""},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_factor_given,
     .doc = "factor is required with \"inflate\" and \"deflate\" and refused otherwise"},
    {.name = "factor", .type = POR_PARAM_CUSTOM, .custom = "attack_factor", .offset = POR__ATTACK_FIELD(factor_ppb),
     .min.i = 0, .max.i = 100 * POR_PPB_ONE,
     .type_doc = "number 0..100 (`1.1`) or percentage 0%..10000% (`\"110%\"`)",
     .doc = "the observation is multiplied by it"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_factor_direction,
     .doc = "inflate needs a factor above 1, deflate one below 1"},
};

static const por_param por__key_compromise_params[] = {
    POR__NODES(1, true, "the oracles whose keys are stolen"),
    {.name = "forged_answer", .type = POR_PARAM_AMOUNT, .offset = POR__ATTACK_FIELD(forged_answer), .required = true,
     .negative = true, .decimals_in = por__attack_feed_decimals,
     .doc = "the answer the attacker's forged reports carry, in the feed's decimals"},
};

static const por_param por__network_params[] = {
    POR__NODES(0, false, "the oracles whose messages are hit"),
    {.name = "leader", .type = POR_PARAM_BOOL, .offset = POR__ATTACK_FIELD(target_leader), .def.u = 0,
     .doc = "hit whoever leads the sender's current epoch"},
    POR__LEADER_AT("also hit the oracle leading at this time, <= from"),
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_network_target,
     .doc = "needs nodes, \"leader\": true or leader_at"},
    {.name = "extra_delay", .type = POR_PARAM_DURATION, .offset = POR__ATTACK_FIELD(extra_delay), .def.i = 0,
     .doc = "added to each message's latency"},
    {.name = "drop", .type = POR_PARAM_PROBABILITY, .offset = POR__ATTACK_FIELD(drop), .def.d = 0,
     .doc = "each message is dropped with this probability"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_network_effect, .doc = "needs extra_delay > 0 or drop > 0"},
};

static const por_param por__custodian_fraud_params[] = {
    {.name = "custodian", .type = POR_PARAM_REF, .offset = POR__ATTACK_FIELD(custodian), .ref = POR_REF_CUSTODIAN,
     .required = true, .doc = "the lying custodian"},
    {.name = "misreport", .type = POR_PARAM_PERCENT, .offset = POR__ATTACK_FIELD(misreport_ppb), .def.i = 0,
     .min.i = -POR_PPB_ONE, .max.i = 1000 * POR_PPB_ONE, .doc = "reported = true × (1 + misreport)"},
    {.name = "hide_drain", .type = POR_PARAM_BOOL, .offset = POR__ATTACK_FIELD(hide_drain), .def.u = 0,
     .doc = "keep reporting the figure from before the window"},
    {.name = "window_dressing", .type = POR_PARAM_CUSTOM, .custom = "fraud_window_dressing",
     .offset = POR__ATTACK_FIELD(dress_ppb), .max.i = 100 * POR_PPB_ONE,
     .type_doc = "percentage in (0%, 10000%] or amount > 0 (the custodian's decimals)",
     .doc = "borrowed in around each attestation snapshot: a share of the true reserve, or an amount"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_dress_periodic,
     .doc = "window_dressing needs a custodian with periodic attestations (every > 0)"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_around_given,
     .doc = "around is required with window_dressing and refused without it"},
    {.name = "around", .type = POR_PARAM_DURATION, .offset = POR__ATTACK_FIELD(dress_around), .def.i = 0,
     .positive = true, .default_doc = "none", .doc = "the loan is in this long either side of each snapshot"},
    {.type = POR_PARAM_RULE, .rule = por__attack_rule_around_half,
     .doc = "around < half the custodian's attestation.every"},
    {.name = "double_counted", .type = POR_PARAM_CUSTOM, .custom = "fraud_double_counted",
     .offset = POR__ATTACK_FIELD(double_ppb), .max.i = POR_PPB_ONE,
     .type_doc = "percentage in (0%, 100%] or amount > 0 (the custodian's decimals)",
     .doc = "of the balance also pledged to another issuer's token"},
};

static const por_param por__minter_params[] = {
    {.name = "amount", .type = POR_PARAM_AMOUNT, .offset = POR__ATTACK_FIELD(mint_amount), .required = true,
     .positive = true, .decimals_in = por__attack_token_decimals,
     .doc = "each attempt mints this much, in the token's decimals"},
    {.name = "attempts", .type = POR_PARAM_UINT32, .offset = POR__ATTACK_FIELD(mint_attempts), .def.u = 1,
     .min.u = 1, .max.u = 1000000, .doc = "mint attempts spread over the window"},
};

#define POR__VARIANT(v, rows, chk, chk_doc)                                                                          \
    static const por_param_table v = {.path = "attackers[]",                                                          \
                                      .params = rows,                                                                 \
                                      .nparams = sizeof rows / sizeof rows[0],                                        \
                                      .check = chk,                                                                   \
                                      .check_doc = chk_doc}

POR__VARIANT(por__crash_table, por__crash_params, NULL, NULL);
POR__VARIANT(por__byzantine_table, por__byzantine_params, NULL, NULL);
POR__VARIANT(por__key_compromise_table, por__key_compromise_params, NULL, NULL);
POR__VARIANT(por__network_table, por__network_params, NULL, NULL);
POR__VARIANT(por__custodian_fraud_table, por__custodian_fraud_params, por__attack_check_fraud,
             "needs misreport other than 0%, \"hide_drain\": true, window_dressing or double_counted");
POR__VARIANT(por__minter_table, por__minter_params, NULL, NULL);

/* ---- every attacker --------------------------------------------------------------- */

static const char *const por__attack_types[] = {"crash",   "byzantine",       "key_compromise",
                                                "network", "custodian_fraud", "minter", NULL};
/* in the order of por__attack_types (por_attack_kind) */
static const por_param_table *const por__attack_variants[] = {
    &por__crash_table,   &por__byzantine_table,       &por__key_compromise_table,
    &por__network_table, &por__custodian_fraud_table, &por__minter_table,
};

static const por_param por__attacker_params[] = {
    {.name = "type", .type = POR_PARAM_VARIANT, .offset = POR__ATTACK_FIELD(kind), .required = true,
     .names = por__attack_types, .variants = por__attack_variants,
     .doc = "the attack; each type allows only its own keys (below)"},
    {.type = POR_PARAM_WINDOW, .offset = POR__ATTACK_FIELD(window), .doc = "when the attack is on"},
};

const por_param_table por_attacker_param_table = {
    .path = "attackers[]",
    .params = por__attacker_params,
    .nparams = sizeof por__attacker_params / sizeof por__attacker_params[0],
};

const por_param por_attackers_param = {
    .name = "attackers", .type = POR_PARAM_ARRAY, .offset = offsetof(por_scenario, attackers),
    .count_offset = offsetof(por_scenario, nattackers), .sub = &por_attacker_param_table,
    .stride = sizeof(por_attack_config), .min_len = 0, .max_len = 100000, .doc = "faults and attacks",
};
