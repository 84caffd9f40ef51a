/* Scenario loader, part 2: the feed (its keys are the tables of
 * models/aggregator/feed_params.c and models/ocr/ocr_params.c), the token with Secure
 * Mint and its request processes, consumers and attackers (the tables of
 * models/consumer/consumer_params.c and models/attacker/attacker_params.c; schema in
 * scenarios/SCHEMA.md). */
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

/* The keys of token are the table in models/token/token_params.c; these are its CUSTOM
 * readers (por/param.h), each called with the key's value, or NULL when it is absent. */

/* 10^DECIMALS * UNITS, the default of the absent KEY, or a failure at KEY naming it. */
static por_amount por__sc_default_units(por__jr *c, const char *key, por_amount units, unsigned decimals)
{
    por_amount v = 0;
    if (por_amount_mul(units, por_amount_pow10(decimals), &v))
        return v;
    por__jr_push_key(c, key);
    por__jr_fail(c, "missing: the default does not fit in 128 bits with %u decimals", decimals);
}

void por_param_read_token_chains(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *ch = node;
    por_token_config *tk = section;
    const por_scenario *sc = scenario;
    if (!ch) { /* the feed's chain */
        tk->chains = por_xcalloc(1, sizeof *tk->chains);
        tk->nchains = 1;
        tk->chains[0] = sc->feed.chain;
        return;
    }
    size_t n = por__jr_v_array(c, ch, 1, sc->nchains < 64 ? sc->nchains : 64);
    tk->chains = por_xcalloc(n, sizeof *tk->chains);
    tk->nchains = n;
    size_t i = 0;
    for (const cJSON *e = ch->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        tk->chains[i] = por__sc_chain_ref(c, e, sc);
        for (size_t j = 0; j < i; j++)
            if (tk->chains[j] == tk->chains[i])
                por__jr_fail(c, "chain \"%s\" listed twice", sc->chains[tk->chains[i]].name);
        por__jr_reset(c, m);
    }
}

void por_param_read_token_supply(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *s = node;
    por_token_config *tk = section;
    const por_scenario *sc = scenario;
    tk->initial_supply = por_xcalloc(tk->nchains, sizeof *tk->initial_supply);
    if (!s) {
        tk->initial_supply[0] = por__sc_default_units(c, "initial_supply", 990000000, tk->decimals);
        return;
    }
    if (!cJSON_IsObject(s)) {
        tk->initial_supply[0] = por__jr_v_amount(c, s, tk->decimals, false);
        return;
    }
    const char *names[65];
    for (size_t i = 0; i < tk->nchains; i++)
        names[i] = sc->chains[tk->chains[i]].name;
    names[tk->nchains] = NULL;
    por__jr_v_object(c, s, names, "(not one of token.chains)");
    for (size_t i = 0; i < tk->nchains; i++)
        tk->initial_supply[i] = por__jr_amount(c, s, names[i], 0, tk->decimals, false);
}

/* A percentage margin at M.value in basis points, as SecureMintPolicy holds it
 * (_setReserveMargin: "margin must be <= BASIS_POINTS for percentage modes"; the policy's
 * uint256 cannot hold a fraction of a basis point, so a sub-basis-point value is refused
 * rather than rounded). */
static int64_t por__sc_margin_bp(por__jr *c, const cJSON *m)
{
    por__jr_require(c, m, "value");
    int64_t ppb = por__jr_percent(c, m, "value", 0, -POR_PPB_ONE * 1000, POR_PPB_ONE * 1000);
    const char *got = por__jr_get(m, "value")->valuestring;
    if (ppb < 0 || ppb > POR_PPB_ONE) {
        por__jr_push_key(c, "value");
        por__jr_fail(c, "needs a margin from 0%% to 100%% (0 to 10000 basis points, SecureMintPolicy's "
                        "BASIS_POINTS), got \"%s\"", got);
    }
    if (ppb % (POR_PPB_ONE / POR_BASIS_POINTS) != 0) {
        por__jr_push_key(c, "value");
        por__jr_fail(c, "needs whole basis points (0.01%%): SecureMintPolicy holds percentage margins "
                        "in basis points, got \"%s\"", got);
    }
    return ppb / (POR_PPB_ONE / POR_BASIS_POINTS);
}

void por_param_read_token_secure_mint(void *reader, const void *node, void *section, const void *scenario)
{
    static const char *const keys[] = {"enabled", "max_staleness", "margin", "supply", NULL};
    static const char *const mkeys[] = {"mode", "value", NULL};
    static const char *const modes[] = {"none", "positive_percent", "positive_absolute", "negative_percent",
                                        "negative_absolute", NULL};
    static const char *const views[] = {"local", "global", NULL};
    por__jr *c = reader;
    const cJSON *s = node;
    por_token_config *tk = section;
    const por_scenario *sc = scenario;
    por_secure_mint_config *sm = &tk->secure_mint;
    const size_t base = por__jr_mark(c);
    if (s)
        por__jr_v_object(c, s, keys, NULL);
    sm->enabled = por__jr_bool(c, s, "enabled", true);
    por_time_t def = sc->feed.ocr.delta_c <= POR_TIME_MAX - 2 * POR_HOUR ? sc->feed.ocr.delta_c + 2 * POR_HOUR
                                                                          : POR_TIME_MAX;
    sm->max_staleness = por__jr_duration(c, s, "max_staleness", def, true);
    sm->supply = (por_supply_view)por__jr_enum(c, s, "supply", POR_SUPPLY_LOCAL, views);
    sm->margin_mode = POR_MARGIN_NONE;
    const cJSON *m = por__sc_enter(c, s, "margin");
    if (m) {
        por__jr_v_object(c, m, mkeys, NULL);
        por__jr_require(c, m, "mode");
        sm->margin_mode = (por_margin_mode)por__jr_enum(c, m, "mode", 0, modes);
        switch (sm->margin_mode) {
        case POR_MARGIN_NONE:
            por__jr_forbid(c, m, "value", "with mode \"none\"");
            break;
        case POR_MARGIN_POSITIVE_PERCENT:
        case POR_MARGIN_NEGATIVE_PERCENT:
            sm->margin_bp = por__sc_margin_bp(c, m);
            break;
        case POR_MARGIN_POSITIVE_ABSOLUTE:
        case POR_MARGIN_NEGATIVE_ABSOLUTE:
            por__jr_require(c, m, "value");
            sm->margin_amount = por__jr_amount(c, m, "value", 0, tk->decimals, false);
            if (sm->margin_amount == 0) { /* _setReserveMargin: "margin must be > 0 for
                                             absolute modes" */
                por__jr_push_key(c, "value");
                por__jr_fail(c, "needs an absolute margin above 0 (SecureMintPolicy: \"margin must be > 0 "
                                "for absolute modes\"; use mode \"none\" for no margin)");
            }
            break;
        }
    }
    por__jr_reset(c, base);
}

/* A bridge endpoint at OBJ.KEY: the index of one of token.chains, or -1 for "random";
 * DEF when the key is absent. */
static int32_t por__sc_bridge_end(por__jr *c, const cJSON *obj, const char *key, int32_t def,
                                  const por_scenario *sc)
{
    const size_t m = por__jr_mark(c);
    const cJSON *v = por__sc_enter(c, obj, key);
    if (!v)
        return def;
    int32_t got = -1;
    char desc[96];
    if (!cJSON_IsString(v) || !v->valuestring)
        por__jr_fail(c, "expected the name of one of token.chains or \"random\", got %s",
                     por__jr_describe(v, desc, sizeof desc));
    if (strcmp(v->valuestring, "random") != 0) {
        uint32_t ch = por__sc_chain_ref(c, v, sc);
        for (size_t k = 0; k < sc->token.nchains; k++)
            if (sc->token.chains[k] == ch)
                got = (int32_t)ch;
        if (got < 0)
            por__jr_fail(c, "chain \"%s\" is not one of token.chains", sc->chains[ch].name);
    }
    por__jr_reset(c, m);
    return got;
}

/* Fails when FROM and TO (read from OBJ, or defaults) name the same chain, at to_chain
 * when OBJ has it, else at from_chain. */
static void por__sc_bridge_pair(por__jr *c, const cJSON *obj, int32_t from, int32_t to, const por_scenario *sc)
{
    if (from < 0 || from != to)
        return;
    por__jr_push_key(c, por__jr_has(obj, "to_chain") ? "to_chain" : "from_chain");
    por__jr_fail(c, "a transfer needs two different chains, got \"%s\" as both from_chain and to_chain",
                 sc->chains[from].name);
}

static void por__sc_requests(por__jr *c, const cJSON *p, const por_scenario *sc, por_request_process *rp,
                             bool bridge)
{
    static const char *const mint_keys[] = {"at", "amount", "chain", NULL};
    static const char *const bridge_keys[] = {"at", "amount", "from_chain", "to_chain", NULL};
    const char *const *keys = bridge ? bridge_keys : mint_keys;
    const cJSON *a = por__jr_require(c, p, "requests");
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, "requests");
    size_t n = por__jr_v_array(c, a, 1, 10000000);
    rp->scheduled = por_xcalloc(n, sizeof *rp->scheduled);
    rp->nscheduled = n;
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m2 = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__jr_v_object(c, e, keys, NULL);
        por_scheduled_request *r = &rp->scheduled[i];
        por__jr_require(c, e, "at");
        r->at = por__jr_duration(c, e, "at", 0, false);
        if (i > 0 && r->at < rp->scheduled[i - 1].at) {
            char a1[48], a2[48];
            por__jr_push_key(c, "at");
            por__jr_fail(c, "requests must be in time order, got %s after %s", por__jr_dur(r->at, a1, sizeof a1),
                         por__jr_dur(rp->scheduled[i - 1].at, a2, sizeof a2));
        }
        por__jr_require(c, e, "amount");
        r->amount = por__jr_amount(c, e, "amount", 0, sc->token.decimals, false);
        if (r->amount == 0) {
            por__jr_push_key(c, "amount");
            por__jr_fail(c, "expected a positive amount, got \"%s\"", por__jr_get(e, "amount")->valuestring);
        }
        r->chain = -1;
        r->to_chain = -1;
        if (bridge) {
            r->chain = por__sc_bridge_end(c, e, "from_chain", sc->token.bridge_from, sc);
            r->to_chain = por__sc_bridge_end(c, e, "to_chain", sc->token.bridge_to, sc);
            por__sc_bridge_pair(c, e, r->chain, r->to_chain, sc);
        } else if (por__sc_enter(c, e, "chain")) {
            uint32_t ch = por__sc_chain_ref(c, por__jr_get(e, "chain"), sc);
            r->chain = -1;
            for (size_t k = 0; k < sc->token.nchains; k++)
                if (sc->token.chains[k] == ch)
                    r->chain = (int32_t)ch;
            if (r->chain < 0)
                por__jr_fail(c, "chain \"%s\" is not one of token.chains", sc->chains[ch].name);
        }
        por__jr_reset(c, m2);
    }
    por__jr_reset(c, m);
}

/* token.mints, token.redeems or (BRIDGE) token.bridges at P (NULL: absent), whose chains
 * are from_chain and to_chain instead of chain, and which has no "backed". */
static void por__sc_process(por__jr *c, const cJSON *p, const char *key, por_token_config *tk,
                            const por_scenario *sc, por_request_process *rp, bool bridge)
{
    static const char *const kinds[] = {"none", "poisson", "burst", "scheduled", NULL};
    static const char *const flow_keys[][10] = {
        {"process", NULL},
        {"process", "per_day", "amount", "from", "at", "until", "for", "backed", NULL},
        {"process", "per_day", "burst_size", "amount", "from", "at", "until", "for", "backed", NULL},
        {"process", "requests", "backed", NULL},
    };
    static const char *const bridge_keys[][11] = {
        {"process", NULL},
        {"process", "per_day", "amount", "from", "at", "until", "for", "from_chain", "to_chain", NULL},
        {"process", "per_day", "burst_size", "amount", "from", "at", "until", "for", "from_chain", "to_chain", NULL},
        {"process", "requests", "from_chain", "to_chain", NULL},
    };
    const size_t base = por__jr_mark(c);
    unsigned dec = tk->decimals;
    rp->window.from = 0;
    rp->window.until = POR_TIME_MAX;
    rp->backed = !bridge;
    if (!p) {
        if (strcmp(key, "mints") == 0) { /* default: Poisson mints, 24 a day, ~100000 tokens */
            rp->kind = POR_PROCESS_POISSON;
            rp->per_day = 24;
            rp->amount.kind = POR_DIST_LOGNORMAL;
            rp->amount.median = por__sc_default_units(c, key, 100000, dec);
            rp->amount.sigma = 1.0;
        } else {
            rp->kind = POR_PROCESS_NONE;
        }
        return;
    }
    char got[96], what[48];
    if (!cJSON_IsObject(p))
        por__jr_fail(c, "expected an object, got %s", por__jr_describe(p, got, sizeof got));
    por__jr_require(c, p, "process");
    size_t k = por__jr_enum(c, p, "process", 0, kinds);
    snprintf(what, sizeof what, "for process \"%s\"", kinds[k]);
    por__jr_v_object(c, p, bridge ? bridge_keys[k] : flow_keys[k], what);
    rp->kind = (por_process_kind)k;
    rp->backed = !bridge && por__jr_bool(c, p, "backed", true);
    if (bridge && rp->kind != POR_PROCESS_NONE) {
        if (tk->nchains < 2)
            por__jr_fail(c, "needs a token on at least two chains, token.chains has %zu", tk->nchains);
        tk->bridge_from = por__sc_bridge_end(c, p, "from_chain", -1, sc);
        tk->bridge_to = por__sc_bridge_end(c, p, "to_chain", -1, sc);
        por__sc_bridge_pair(c, p, tk->bridge_from, tk->bridge_to, sc);
    }
    if (rp->kind == POR_PROCESS_POISSON || rp->kind == POR_PROCESS_BURST) {
        por__jr_require(c, p, "per_day");
        rp->per_day = por__jr_number(c, p, "per_day", 0, 0, true, 1e9, false);
        if (rp->kind == POR_PROCESS_BURST)
            rp->burst_size = (uint32_t)por__jr_uint(c, p, "burst_size", 10, 1, 1000000);
        const cJSON *am = por__jr_require(c, p, "amount");
        size_t m = por__jr_mark(c);
        por__jr_push_key(c, "amount");
        por__jr_v_amount_dist(c, am, dec, &rp->amount);
        por__jr_reset(c, m);
        rp->window = por__jr_window(c, p);
    } else if (rp->kind == POR_PROCESS_SCHEDULED) {
        por__sc_requests(c, p, sc, rp, bridge);
    }
    por__jr_reset(c, base);
}

void por_param_read_token_mints(void *reader, const void *node, void *section, const void *scenario)
{
    por_token_config *tk = section;
    por__sc_process(reader, node, "mints", tk, scenario, &tk->mints, false);
}

void por_param_read_token_redeems(void *reader, const void *node, void *section, const void *scenario)
{
    por_token_config *tk = section;
    por__sc_process(reader, node, "redeems", tk, scenario, &tk->redeems, false);
}

void por_param_read_token_bridges(void *reader, const void *node, void *section, const void *scenario)
{
    por_token_config *tk = section;
    tk->bridge_from = tk->bridge_to = -1;
    por__sc_process(reader, node, "bridges", tk, scenario, &tk->bridges, true);
}

/* token.reserve_custodian: the custodian backed mints deposit with (default: the feed's
 * first source); it must hold the feed's unit. */
void por_param_read_token_reserve_custodian(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *rc = node;
    por_token_config *tk = section;
    const por_scenario *sc = scenario;
    tk->reserve_custodian = sc->feed.nsources ? (int32_t)sc->feed.sources[0] : 0;
    if (!rc)
        return;
    tk->reserve_custodian = (int32_t)por__sc_custodian_ref(c, rc, sc);
    const por_custodian_config *got = &sc->custodians[tk->reserve_custodian];
    const por_custodian_config *want = &sc->custodians[sc->feed.nsources ? sc->feed.sources[0] : 0];
    if (strcmp(got->unit, want->unit) != 0)
        por__jr_fail(c, "needs a custodian in the feed's unit \"%s\", got \"%s\" (%s)", want->unit, got->name,
                     got->unit);
}

/* token.bridge_delay: a duration, or a duration distribution drawn per transfer (any
 * other JSON type gets the distribution reader's message, which names both forms). */
void por_param_read_token_bridge_delay(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *d = node;
    por_token_config *tk = section;
    (void)scenario;
    if (!d || cJSON_IsString(d)) {
        tk->bridge_delay = d ? por__jr_v_duration(c, d, false) : 30 * POR_MIN;
        return;
    }
    por__jr_v_duration_dist(c, d, &tk->bridge_delay_dist);
    tk->bridge_delay_drawn = true;
}

/* token.refresh_then_mint (models/world/refresh_params.c): absent, refresh-then-mint is
 * off; the object's presence turns it on unless it says "enabled": false. */
void por_param_read_token_refresh(void *reader, const void *node, void *section, const void *scenario)
{
    por_token_config *tk = section;
    if (!node) {
        por_param_defaults(&por_refresh_param_table, &tk->refresh);
        tk->refresh.enabled = false;
        return;
    }
    por__param_read(reader, node, &por_refresh_param_table, &tk->refresh, scenario);
}

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

void por__sc_attackers(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__param_read_key(c, root, &por_attackers_param, sc, sc); /* models/attacker/attacker_params.c */
}
