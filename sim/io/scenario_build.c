/* Scenario loader, part 1: the top level (its keys are the table of
 * models/world/scenario_params.c), chains (the tables of models/chain/chain_params.c),
 * custodians and the network, from a parsed cJSON tree
 * into por_scenario (schema in scenarios/SCHEMA.md). Sections are read
 * in dependency order (chains, custodians, feed, network, token, consumers, attackers) so
 * that names resolve to indices and oracle indices can be checked against n. */
#include "json_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers --------------------------------------------------------------- */

uint32_t por__sc_name_ref(por__jr *c, const cJSON *node, const char *base, size_t stride, size_t ncands,
                          const char *kind)
{
    char got[96];
    if (!cJSON_IsString(node) || !node->valuestring)
        por__jr_fail(c, "expected the name of a %s, got %s", kind, por__jr_describe(node, got, sizeof got));
    for (size_t i = 0; i < ncands; i++)
        if (strcmp(base + i * stride, node->valuestring) == 0)
            return (uint32_t)i;
    const char **names = por_xcalloc(ncands + 1, sizeof *names);
    for (size_t i = 0; i < ncands; i++)
        names[i] = base + i * stride;
    char near[POR_NAME_MAX] = "", list[200] = "";
    const char *n = por__jr_nearest(node->valuestring, names, ncands);
    if (n)
        snprintf(near, sizeof near, "%s", n);
    size_t o = 0;
    for (size_t i = 0; i < ncands && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s\"%s\"", i ? ", " : "", names[i]);
    free(names);
    por__jr_describe(node, got, sizeof got);
    if (near[0])
        por__jr_fail(c, "unknown %s %s; did you mean \"%s\"?", kind, got, near);
    por__jr_fail(c, "unknown %s %s; known: %s", kind, got, list);
}

uint32_t por__sc_chain_ref(por__jr *c, const cJSON *node, const por_scenario *sc)
{
    return por__sc_name_ref(c, node, sc->chains[0].name, sizeof sc->chains[0], sc->nchains, "chain");
}

uint32_t por__sc_custodian_ref(por__jr *c, const cJSON *node, const por_scenario *sc)
{
    return por__sc_name_ref(c, node, sc->custodians[0].name, sizeof sc->custodians[0], sc->ncustodians, "custodian");
}

void por__sc_nodes(por__jr *c, const cJSON *node, uint32_t n, size_t min, uint32_t **out, size_t *count)
{
    size_t len = por__jr_v_array(c, node, min, POR_MAX_ORACLES);
    *out = por_xcalloc(len ? len : 1, sizeof **out);
    *count = len;
    size_t i = 0;
    for (const cJSON *e = node->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        char got[96];
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble != floor(e->valuedouble) ||
            e->valuedouble < 0)
            por__jr_fail(c, "expected an oracle index (an integer from 0 to n-1), got %s",
                         por__jr_describe(e, got, sizeof got));
        if (e->valuedouble >= (double)n)
            por__jr_fail(c, "needs an oracle index below n=%u, got %s", n, por__jr_describe(e, got, sizeof got));
        uint32_t v = (uint32_t)e->valuedouble;
        for (size_t j = 0; j < i; j++)
            if ((*out)[j] == v)
                por__jr_fail(c, "oracle %u listed twice", v);
        (*out)[i] = v;
        por__jr_reset(c, m);
    }
}

/* Fails when NAME (at the current path) equals one of the COUNT earlier names. */
static void por__sc_unique(por__jr *c, const char *name, const char *base, size_t stride, size_t count,
                           const char *kind)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(base + i * stride, name) == 0)
            por__jr_fail(c, "duplicate %s name \"%s\" (also used by entry %zu)", kind, name, i);
}

/* Reads the array at ROOT.KEY, or returns NULL when absent. */
static const cJSON *por__sc_array(por__jr *c, const cJSON *root, const char *key, size_t min, size_t max,
                                  size_t *n)
{
    const cJSON *a = por__jr_get(root, key);
    *n = 0;
    if (!a)
        return NULL;
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, key);
    *n = por__jr_v_array(c, a, min, max);
    por__jr_reset(c, m);
    return a;
}

/* ---- top level ------------------------------------------------------------------- */

void por__sc_build(por__jr *c, const cJSON *root, por_scenario *sc)
{
    /* The top-level table (models/world/scenario_params.c): the key check, name, description,
     * seed, replications and duration; its SECTION rows are read here, in dependency order. */
    por__param_read(c, root, &por_scenario_param_table, sc, sc);

    const cJSON *metrics = por__jr_get(root, "metrics");
    if (metrics)
        por__jr_push_key(c, "metrics");
    por__param_read(c, metrics, &por_metrics_param_table, sc, sc); /* models/world/metrics_params.c */
    por__jr_reset(c, 1);

    por__sc_chains(c, root, sc);
    por__sc_custodians(c, root, sc);
    por__sc_feed(c, root, sc);
    por__sc_network(c, root, sc);
    por__sc_token(c, root, sc);
    por__sc_consumers(c, root, sc);
    por__sc_attackers(c, root, sc);
    por__param_check(c, root, &por_scenario_param_table, sc, sc); /* steps and attacks after the end */
}

/* ---- chains ----------------------------------------------------------------------- */

/* The keys of chains[], chains[].txm and chains[].congestion[] are the tables in
 * models/chain/chain_params.c. */

void por__sc_chains(por__jr *c, const cJSON *root, por_scenario *sc)
{
    const cJSON *a = por__jr_get(root, "chains");
    if (!a) { /* one chain with the table's defaults */
        sc->chains = por_xcalloc(1, sizeof *sc->chains);
        sc->nchains = 1;
        por_param_defaults(&por_chain_param_table, &sc->chains[0]);
        return;
    }
    por__jr_push_key(c, "chains");
    sc->chains = por__param_array(c, a, 1, 1000, sizeof *sc->chains, &sc->nchains);
    por__param_read_elements(c, a, &por_chain_param_table, sc->chains, sizeof *sc->chains, sc);
    por__jr_reset(c, 1);
}

/* ---- custodians ------------------------------------------------------------------- */

static void por__sc_steps(por__jr *c, const cJSON *reserve, por_custodian_config *cu)
{
    static const char *const keys[] = {"at", "change", "set", "label", NULL};
    size_t n;
    const cJSON *a = por__sc_array(c, reserve, "steps", 0, 1000000, &n);
    if (!a || n == 0)
        return;
    cu->steps = por_xcalloc(n, sizeof *cu->steps);
    cu->nsteps = n;
    size_t m = por__jr_mark(c), i = 0;
    por_amount reserve_path = cu->initial, reserve_before = cu->initial;
    por__jr_push_key(c, "steps");
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m2 = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__jr_v_object(c, e, keys, NULL);
        por_reserve_step *st = &cu->steps[i];
        por__jr_require(c, e, "at");
        st->at = por__jr_duration(c, e, "at", 0, false);
        if (i > 0 && st->at < cu->steps[i - 1].at) {
            char a1[48], a2[48];
            por__jr_push_key(c, "at");
            por__jr_fail(c, "steps must be in time order, got %s after %s", por__jr_dur(st->at, a1, sizeof a1),
                         por__jr_dur(cu->steps[i - 1].at, a2, sizeof a2));
        }
        por__jr_exclusive(c, e, "change", "set");
        const cJSON *chg = por__jr_get(e, "change");
        if (chg) {
            size_t m3 = por__jr_mark(c);
            por__jr_push_key(c, "change");
            char got[96];
            if (!cJSON_IsString(chg) || !chg->valuestring)
                por__jr_fail(c, "expected a percentage such as \"-8%%\" or a signed amount such as \"-80000000.00\", "
                                "got %s", por__jr_describe(chg, got, sizeof got));
            size_t len = strlen(chg->valuestring);
            if (len > 0 && chg->valuestring[len - 1] == '%') {
                st->kind = POR_CHANGE_RELATIVE_PPB;
                st->ppb = por__jr_v_percent(c, chg, -1000000000, 100000000000000);
            } else {
                st->kind = POR_CHANGE_ABSOLUTE;
                st->amount = por__jr_v_amount(c, chg, cu->decimals, true);
                /* "-0.03" is 0.03 units of the reserve, not 3%: a magnitude below one unit
                 * is almost surely a fraction meant as a percentage. */
                por_amount one = por_amount_pow10(cu->decimals);
                if (st->amount != 0 && st->amount > -one && st->amount < one) {
                    const char *v = chg->valuestring;
                    bool neg = v[0] == '-';
                    double pct = 100.0 * strtod(v + (neg || v[0] == '+'), NULL);
                    por__jr_warn(c, "\"%s\" is an amount (%s%s %s of custodian %s), not a fraction; "
                                    "for a percentage write \"%s%g%%\"",
                                 v, neg ? "minus " : "", v + (neg || v[0] == '+'),
                                 cu->unit[0] ? cu->unit : "units", cu->name, neg ? "-" : "", pct);
                }
            }
            por__jr_reset(c, m3);
        } else if (por__jr_has(e, "set")) {
            st->kind = POR_CHANGE_SET;
            st->amount = por__jr_amount(c, e, "set", 0, cu->decimals, false);
        } else {
            por__jr_fail(c, "needs \"change\" (\"-8%%\" or \"-80000000.00\") or \"set\" (\"920000000.00\")");
        }
        por__jr_string(c, e, "label", "", st->label, sizeof st->label);
        /* The reserve along the steps as written (drift and deposits aside) must stay a
         * representable amount: the custodian would otherwise saturate at 2^127 - 1 base
         * units, silently not the change asked for. */
        por_amount d;
        bool fits = true;
        if (st->kind == POR_CHANGE_RELATIVE_PPB)
            fits = por_amount_mul_ppb(reserve_path, st->ppb, &d) &&
                   por_amount_add(reserve_path, d, &reserve_path);
        else if (st->kind == POR_CHANGE_ABSOLUTE && !por_amount_add(reserve_path, st->amount, &reserve_path))
            reserve_path = 0, fits = st->amount < 0; /* as the custodian: below the range, 0 */
        else if (st->kind == POR_CHANGE_SET)
            reserve_path = st->amount;
        if (!fits) {
            char before[64];
            por__jr_push_key(c, st->kind == POR_CHANGE_SET ? "set" : "change");
            por__jr_fail(c, "takes the reserve from %s beyond the largest amount, 2^127-1 base units",
                         por_amount_format(reserve_before, cu->decimals, false, before, sizeof before));
        }
        reserve_before = reserve_path;
        por__jr_reset(c, m2);
    }
    por__jr_reset(c, m);
}

static void por__sc_drift(por__jr *c, const cJSON *reserve, por_custodian_config *cu)
{
    static const char *const models[] = {"none", "random_walk", "linear", NULL};
    static const char *const keys[][5] = {
        {"model", NULL},
        {"model", "every", "sigma_per_day", NULL},
        {"model", "every", "rate_per_year", NULL},
    };
    cu->drift.kind = POR_DRIFT_NONE;
    const cJSON *d = por__jr_get(reserve, "drift");
    if (!d)
        return;
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, "drift");
    char got[96];
    if (!cJSON_IsObject(d))
        por__jr_fail(c, "expected an object, got %s", por__jr_describe(d, got, sizeof got));
    por__jr_require(c, d, "model");
    size_t k = por__jr_enum(c, d, "model", 0, models);
    char what[48];
    snprintf(what, sizeof what, "for model \"%s\"", models[k]);
    por__jr_v_object(c, d, keys[k], what);
    cu->drift.kind = (por_drift_kind)k;
    if (k != POR_DRIFT_NONE)
        cu->drift.every = por__jr_duration(c, d, "every", POR_HOUR, true);
    if (k == POR_DRIFT_RANDOM_WALK) {
        por__jr_require(c, d, "sigma_per_day");
        cu->drift.sigma_per_day = por__jr_number(c, d, "sigma_per_day", 0, 0, false, 10, false);
    } else if (k == POR_DRIFT_LINEAR) {
        por__jr_require(c, d, "rate_per_year");
        cu->drift.rate_per_year = por__jr_number(c, d, "rate_per_year", 0, -1, false, 100, false);
    }
    por__jr_reset(c, m);
}

/* attestation.phase: "random" (the default when refreshes are periodic) or a duration in
 * [0, every). */
static void por__sc_custodian(por__jr *c, const cJSON *o, por_scenario *sc, size_t idx, por_custodian_config *cu,
                              bool implicit)
{
    static const char *const keys[] = {"name", "unit", "decimals", "source", "chain", "reserve", "attestation",
                                       NULL};
    static const char *const rkeys[] = {"initial", "steps", "drift", NULL};
    static const char *const sources[] = {"api", "wallet", NULL};
    por__jr_v_object(c, o, keys, NULL);
    if (!implicit)
        por__jr_require(c, o, "name");
    por__jr_string(c, o, "name", "custodian", cu->name, sizeof cu->name);
    if (!implicit) {
        size_t m = por__jr_mark(c);
        por__jr_push_key(c, "name");
        por__sc_unique(c, cu->name, sc->custodians[0].name, sizeof sc->custodians[0], idx, "custodian");
        por__jr_reset(c, m);
    }
    por__jr_string(c, o, "unit", "USD", cu->unit, sizeof cu->unit);
    cu->decimals = (uint32_t)por__jr_uint(c, o, "decimals", 2, 0, POR_MAX_DECIMALS);
    cu->source = (por_source_kind)por__jr_enum(c, o, "source", 0, sources);
    cu->wallet_chain = -1;
    if (cu->source == POR_SOURCE_WALLET) {
        por__jr_require(c, o, "chain");
        size_t m = por__jr_mark(c);
        por__jr_push_key(c, "chain");
        cu->wallet_chain = (int32_t)por__sc_chain_ref(c, por__jr_get(o, "chain"), sc);
        por__jr_reset(c, m);
    } else {
        por__jr_forbid(c, o, "chain", "unless \"source\" is \"wallet\"");
    }
    const cJSON *r = por__jr_get(o, "reserve");
    size_t m = por__jr_mark(c);
    if (r) {
        por__jr_push_key(c, "reserve");
        por__jr_v_object(c, r, rkeys, NULL);
    }
    por_amount def = 0;
    if (!por__jr_has(r, "initial") && !por_amount_mul(1000000000, por_amount_pow10(cu->decimals), &def)) {
        por__jr_push_key(c, "initial");
        por__jr_fail(c, "missing: the default 1000000000 does not fit with %u decimals", cu->decimals);
    }
    cu->initial = por__jr_amount(c, r, "initial", def, cu->decimals, false);
    por__sc_steps(c, r, cu);
    por__sc_drift(c, r, cu);
    por__jr_reset(c, m);
    const cJSON *a = por__jr_get(o, "attestation");
    if (a)
        por__jr_push_key(c, "attestation");
    por__param_read(c, a, &por_attestation_param_table, cu, sc); /* models/custodian/custodian_params.c */
    por__jr_reset(c, m);
}

void por__sc_custodians(por__jr *c, const cJSON *root, por_scenario *sc)
{
    size_t n;
    const cJSON *a = por__sc_array(c, root, "custodians", 1, 1000, &n);
    if (!a) {
        cJSON *empty = cJSON_CreateObject();
        if (!empty)
            por__jr_fail_nopath(c, "out of memory");
        sc->custodians = por_xcalloc(1, sizeof *sc->custodians);
        sc->ncustodians = 1;
        por__sc_custodian(c, empty, sc, 0, &sc->custodians[0], true); /* defaults only */
        cJSON_Delete(empty);
        return;
    }
    sc->custodians = por_xcalloc(n, sizeof *sc->custodians);
    sc->ncustodians = n;
    size_t i = 0;
    por__jr_push_key(c, "custodians");
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__sc_custodian(c, e, sc, i, &sc->custodians[i], false);
        por__jr_reset(c, m);
    }
    por__jr_reset(c, 1);
}

/* ---- network ---------------------------------------------------------------------- */

void por__sc_network(por__jr *c, const cJSON *root, por_scenario *sc)
{
    const cJSON *net = por__jr_get(root, "network");
    if (net)
        por__jr_push_key(c, "network");
    por__param_read(c, net, &por_network_param_table, &sc->network, sc); /* net/net_params.c */
    por__jr_reset(c, 1);
}
