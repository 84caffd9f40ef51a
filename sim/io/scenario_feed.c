/* Scenario loader, part 2: the feed (its keys are the tables of
 * models/aggregator/feed_params.c and models/ocr/ocr_params.c), the token (the tables of
 * models/token/), consumers and attackers (schema in scenarios/SCHEMA.md). */
#include "json_read.h"
#include "por/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Descends into OBJ.KEY when present (returns it), leaving the path pushed. */
static const cJSON *por__sc_enter(por__jr *c, const cJSON *obj, const char *key)
{
    const cJSON *v = por__jr_get(obj, key);
    if (v)
        por__jr_push_key(c, key);
    return v;
}

/* ---- feed and OCR ----------------------------------------------------------------- */

/* The keys of feed are the table in models/aggregator/feed_params.c (feed.ocr's in
 * models/ocr/ocr_params.c); this is its CUSTOM reader (por/param.h) for sources. */
void por_param_read_feed_sources(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *src = node;
    por_feed_config *fd = section;
    const por_scenario *sc = scenario;
    if (!src) { /* every custodian */
        fd->sources = por_xcalloc(sc->ncustodians, sizeof *fd->sources);
        fd->nsources = sc->ncustodians;
        for (size_t i = 0; i < sc->ncustodians; i++)
            fd->sources[i] = (uint32_t)i;
        return;
    }
    size_t n = por__jr_v_array(c, src, 1, sc->ncustodians);
    fd->sources = por_xcalloc(n, sizeof *fd->sources);
    fd->nsources = n;
    size_t i = 0;
    for (const cJSON *e = src->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        fd->sources[i] = por__sc_custodian_ref(c, e, sc);
        for (size_t j = 0; j < i; j++)
            if (fd->sources[j] == fd->sources[i])
                por__jr_fail(c, "custodian \"%s\" listed twice", sc->custodians[fd->sources[i]].name);
        por__jr_reset(c, m);
    }
}

void por__sc_feed(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__jr_push_key(c, "feed"); /* even when absent: the sources' unit rule reports at $.feed */
    por__param_read(c, por__jr_get(root, "feed"), &por_feed_param_table, &sc->feed, sc);
    por__jr_reset(c, 1);
}

/* ---- token ------------------------------------------------------------------------ */

/* The keys of token are the tables in models/token/ (token_params.c and its sub-tables);
 * their CUSTOM readers are in param_custom.c. */
void por__sc_token(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__jr_push_key(c, "token");
    por__param_read(c, por__jr_get(root, "token"), &por_token_param_table, &sc->token, sc);
    por__jr_reset(c, 1);
}

/* ---- consumers -------------------------------------------------------------------- */

void por__sc_consumers(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__param_read_key(c, root, &por_consumers_param, sc, sc); /* models/consumer/consumer_params.c */
}

/* ---- attackers -------------------------------------------------------------------- */

static const char *const por__attack_types[] = {"crash",   "byzantine",       "key_compromise",
                                                "network", "custodian_fraud", "minter", NULL};
static const char *const por__attack_keys[][12] = {
    {"type", "from", "at", "until", "for", "nodes", "leader_at", NULL},
    {"type", "from", "at", "until", "for", "nodes", "behavior", "factor", NULL},
    {"type", "from", "at", "until", "for", "nodes", "forged_answer", NULL},
    {"type", "from", "at", "until", "for", "nodes", "leader", "leader_at", "extra_delay", "drop", NULL},
    {"type", "from", "at", "until", "for", "custodian", "misreport", "hide_drain", "window_dressing", "around",
     "double_counted", NULL},
    {"type", "from", "at", "until", "for", "amount", "attempts", NULL},
};
static const char *const por__byz_behaviors[] = {"inflate",    "deflate",     "random",         "silent",
                                                 "equivocate", "refuse_sign", "withhold_final", "malformed", NULL};

/* The byzantine "factor": a multiplier number (1.1) or a percentage string ("110%"). */
static int64_t por__sc_factor(por__jr *c, const cJSON *o, por_byzantine_behavior b)
{
    const cJSON *v = por__jr_require(c, o, "factor");
    const size_t m = por__jr_mark(c);
    por__jr_push_key(c, "factor");
    int64_t ppb;
    if (cJSON_IsString(v)) {
        ppb = por__jr_v_percent(c, v, 0, 100000000000);
    } else {
        double x = por__jr_v_number(c, v, 0, false, 100, false);
        ppb = (int64_t)llround(x * 1e9);
    }
    char got[96];
    if (b == POR_BYZ_INFLATE && ppb <= 1000000000)
        por__jr_fail(c, "inflate needs a factor above 1, got %s", por__jr_describe(v, got, sizeof got));
    if (b == POR_BYZ_DEFLATE && ppb >= 1000000000)
        por__jr_fail(c, "deflate needs a factor below 1, got %s", por__jr_describe(v, got, sizeof got));
    por__jr_reset(c, m);
    return ppb;
}

/* OBJ.KEY of a custodian fraud: a percentage string in (0, MAX_PPB] into *PPB, or an
 * amount string > 0 with the custodian's DECIMALS into *AMOUNT. False when absent. */
static bool por__sc_share(por__jr *c, const cJSON *o, const char *key, unsigned decimals, int64_t max_ppb,
                          int64_t *ppb, por_amount *amount)
{
    const cJSON *v = por__jr_get(o, key);
    if (!v)
        return false;
    char got[96], lim[48];
    const size_t m = por__jr_mark(c);
    por__jr_push_key(c, key);
    if (!cJSON_IsString(v) || !v->valuestring)
        por__jr_fail(c, "expected a percentage such as \"5%%\" or an amount string, got %s",
                     por__jr_describe(v, got, sizeof got));
    size_t len = strlen(v->valuestring);
    if (len > 0 && v->valuestring[len - 1] == '%') {
        *ppb = por__jr_v_percent(c, v, 0, max_ppb);
        if (*ppb <= 0)
            por__jr_fail(c, "expected a percentage in (0%%, %s], got %s", por__percent_format(max_ppb, lim, sizeof lim),
                         por__jr_describe(v, got, sizeof got));
    } else {
        *amount = por__jr_v_amount(c, v, decimals, false);
        if (*amount <= 0)
            por__jr_fail(c, "expected a positive amount, got %s", por__jr_describe(v, got, sizeof got));
    }
    por__jr_reset(c, m);
    return true;
}

/* The window-dressing and double-counting keys of a custodian fraud. */
static void por__sc_fraud_extras(por__jr *c, const cJSON *o, const por_scenario *sc, por_attack_config *at)
{
    const por_custodian_config *cu = &sc->custodians[at->custodian];
    char a[48], b[48];
    if (por__sc_share(c, o, "window_dressing", cu->decimals, 100000000000, &at->dress_ppb, &at->dress_amount)) {
        const size_t m = por__jr_mark(c);
        if (cu->attest_every <= 0) {
            por__jr_push_key(c, "window_dressing");
            por__jr_fail(c, "needs periodic attestations, but custodian \"%s\" has attestation.every=0 (continuous)",
                         cu->name);
        }
        por__jr_require(c, o, "around");
        at->dress_around = por__jr_duration(c, o, "around", 0, true);
        por__jr_push_key(c, "around");
        if (at->dress_around >= cu->attest_every - at->dress_around)
            por__jr_fail(c, "needs around < half the attestation period of custodian \"%s\" (every=%s), got %s",
                         cu->name, por__jr_dur(cu->attest_every, a, sizeof a),
                         por__jr_dur(at->dress_around, b, sizeof b));
        por__jr_reset(c, m);
    } else {
        por__jr_forbid(c, o, "around", "without \"window_dressing\"");
    }
    por__sc_share(c, o, "double_counted", cu->decimals, 1000000000, &at->double_ppb, &at->double_amount);
}

/* "leader_at" of a crash or network attack: a time no later than the window's start. */
static void por__sc_leader_at(por__jr *c, const cJSON *o, por_attack_config *at)
{
    if (!por__jr_has(o, "leader_at"))
        return;
    char a[48], b[48];
    at->has_leader_at = true;
    at->leader_at = por__jr_duration(c, o, "leader_at", 0, false);
    const size_t m = por__jr_mark(c);
    por__jr_push_key(c, "leader_at");
    if (at->leader_at > at->window.from)
        por__jr_fail(c, "needs leader_at <= from (the target is chosen before the attack starts), got "
                        "leader_at=%s from=%s",
                     por__jr_dur(at->leader_at, a, sizeof a), por__jr_dur(at->window.from, b, sizeof b));
    por__jr_reset(c, m);
}

static void por__sc_attacker(por__jr *c, const cJSON *o, por_scenario *sc, por_attack_config *at)
{
    char got[96], what[48];
    if (!cJSON_IsObject(o))
        por__jr_fail(c, "expected an object, got %s", por__jr_describe(o, got, sizeof got));
    por__jr_require(c, o, "type");
    size_t k = por__jr_enum(c, o, "type", 0, por__attack_types);
    snprintf(what, sizeof what, "for type \"%s\"", por__attack_types[k]);
    const char *allowed[12];
    size_t na = 0;
    for (; por__attack_keys[k][na]; na++)
        allowed[na] = por__attack_keys[k][na];
    allowed[na] = NULL;
    por__jr_v_object(c, o, allowed, what);
    at->kind = (por_attack_kind)k;
    at->window = por__jr_window(c, o);
    const size_t base = por__jr_mark(c);
    uint32_t n = sc->feed.ocr.n;
    if (at->kind == POR_ATTACK_CRASH || at->kind == POR_ATTACK_NETWORK)
        por__sc_leader_at(c, o, at);
    switch (at->kind) {
    case POR_ATTACK_CRASH:
        if (at->has_leader_at && !por__jr_has(o, "nodes"))
            break; /* the leader at leader_at only */
        /* fall through */
    case POR_ATTACK_BYZANTINE:
    case POR_ATTACK_KEY_COMPROMISE:
        por__jr_require(c, o, "nodes");
        por__jr_push_key(c, "nodes");
        por__sc_nodes(c, por__jr_get(o, "nodes"), n, 1, &at->nodes, &at->nnodes);
        por__jr_reset(c, base);
        if (at->kind == POR_ATTACK_BYZANTINE) {
            por__jr_require(c, o, "behavior");
            at->behavior = (por_byzantine_behavior)por__jr_enum(c, o, "behavior", 0, por__byz_behaviors);
            if (at->behavior == POR_BYZ_EQUIVOCATE && sc->feed.protocol == POR_PROTOCOL_OCR2) {
                por__jr_push_key(c, "behavior");
                por__jr_fail(c, "\"equivocate\" is not modelled for feed.protocol \"ocr2\"");
            }
            if (at->behavior == POR_BYZ_INFLATE || at->behavior == POR_BYZ_DEFLATE)
                at->factor_ppb = por__sc_factor(c, o, at->behavior);
            else
                por__jr_forbid(c, o, "factor", "unless behavior is \"inflate\" or \"deflate\"");
        } else if (at->kind == POR_ATTACK_KEY_COMPROMISE) {
            por__jr_require(c, o, "forged_answer");
            at->forged_answer = por__jr_amount(c, o, "forged_answer", 0, sc->feed.decimals, true);
        }
        break;
    case POR_ATTACK_NETWORK:
        at->target_leader = por__jr_bool(c, o, "leader", false);
        if (por__sc_enter(c, o, "nodes")) {
            por__sc_nodes(c, por__jr_get(o, "nodes"), n, 0, &at->nodes, &at->nnodes);
            por__jr_reset(c, base);
        }
        if (at->nnodes == 0 && !at->target_leader && !at->has_leader_at)
            por__jr_fail(c, "needs \"nodes\", \"leader\": true or \"leader_at\"");
        at->extra_delay = por__jr_duration(c, o, "extra_delay", 0, false);
        at->drop = por__jr_prob(c, o, "drop", 0);
        if (at->extra_delay == 0 && at->drop == 0)
            por__jr_fail(c, "needs \"extra_delay\" > 0 or \"drop\" > 0");
        break;
    case POR_ATTACK_CUSTODIAN_FRAUD:
        por__jr_require(c, o, "custodian");
        por__jr_push_key(c, "custodian");
        at->custodian = por__sc_custodian_ref(c, por__jr_get(o, "custodian"), sc);
        por__jr_reset(c, base);
        at->misreport_ppb = por__jr_percent(c, o, "misreport", 0, -1000000000, 1000000000000);
        at->hide_drain = por__jr_bool(c, o, "hide_drain", false);
        por__sc_fraud_extras(c, o, sc, at);
        if (at->misreport_ppb == 0 && !at->hide_drain && at->dress_around == 0 && at->double_ppb == 0 &&
            at->double_amount == 0)
            por__jr_fail(c, "needs \"misreport\" other than 0%%, \"hide_drain\": true, \"window_dressing\" or "
                            "\"double_counted\"");
        break;
    case POR_ATTACK_MINTER:
        por__jr_require(c, o, "amount");
        at->mint_amount = por__jr_amount(c, o, "amount", 0, sc->token.decimals, false);
        if (at->mint_amount == 0) {
            por__jr_push_key(c, "amount");
            por__jr_fail(c, "expected a positive amount, got \"%s\"", por__jr_get(o, "amount")->valuestring);
        }
        at->mint_attempts = (uint32_t)por__jr_uint(c, o, "attempts", 1, 1, 1000000);
        break;
    }
}

void por__sc_attackers(por__jr *c, const cJSON *root, por_scenario *sc)
{
    const cJSON *a = por__sc_enter(c, root, "attackers");
    if (!a)
        return;
    size_t n = por__jr_v_array(c, a, 0, 100000);
    if (n > 0) {
        sc->attackers = por_xcalloc(n, sizeof *sc->attackers);
        sc->nattackers = n;
    }
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__sc_attacker(c, e, sc, &sc->attackers[i]);
        por__jr_reset(c, m);
    }
    por__jr_reset(c, 1);
}
