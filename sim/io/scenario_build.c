/* Scenario loader, part 1: the top level, chains and custodians (their keys are the
 * tables of models/chain/chain_params.c and models/custodian/custodian_params.c) and the
 * network, from a parsed cJSON tree
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

/* ---- top level -------------------------------------------------------------------- */

static const char *const por__top_keys[] = {"name",     "description", "seed",  "replications", "duration",
                                            "metrics",  "network",     "chains", "custodians",  "feed",
                                            "token",    "consumers",   "attackers", NULL};

static uint64_t por__sc_seed(por__jr *c, const cJSON *root)
{
    const cJSON *v = por__jr_get(root, "seed");
    if (!v)
        return 1;
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, "seed");
    char got[96];
    uint64_t seed = 0;
    if (cJSON_IsString(v) && v->valuestring) {
        const char *s = v->valuestring;
        bool ok = *s != '\0' && strlen(s) <= 20;
        for (; ok && *s; s++) {
            unsigned d = (unsigned)(*s - '0');
            if (*s < '0' || *s > '9' || seed > (UINT64_MAX - d) / 10)
                ok = false;
            else
                seed = seed * 10 + d;
        }
        if (!ok)
            por__jr_fail(c, "expected a decimal string from \"0\" to \"18446744073709551615\", got %s",
                         por__jr_describe(v, got, sizeof got));
    } else if (cJSON_IsNumber(v) && v->valuedouble >= 9007199254740992.0) {
        /* A JSON number reaches porsim as a double: 2^53 + 1 arrives as 2^53, so from 2^53
         * on the value written cannot be told apart from its neighbours. */
        por__jr_fail(c, "expected an integer below 2^53, got %s (larger integers are not exact in "
                        "JSON numbers; write the seed as a string, e.g. \"9007199254740993\")",
                     por__jr_describe(v, got, sizeof got));
    } else {
        seed = por__jr_v_uint(c, v, 0, 9007199254740991ull);
    }
    por__jr_reset(c, m);
    return seed;
}

/* The default scenario name: the file's base name without ".json". */
static void por__sc_default_name(const char *file, char *out, size_t n)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0)
        len -= 5;
    if (len >= n)
        len = n - 1;
    memcpy(out, base, len);
    out[len] = '\0';
    if (len == 0)
        snprintf(out, n, "scenario");
}

/* Warnings for events the run never reaches: a reserve step or an attack that starts at
 * or after `duration` is valid but surely unintended (a loss at 3d in a 2d run gives
 * "onset not reached" in every replication). */
static void por__sc_warn_after_end(por__jr *c, const cJSON *root, const por_scenario *sc)
{
    char at[48], end[48];
    por__jr_dur(sc->duration, end, sizeof end);
    const cJSON *cus = por__jr_get(root, "custodians");
    size_t i = 0;
    for (const cJSON *cu = cJSON_IsArray(cus) ? cus->child : NULL; cu && i < sc->ncustodians;
         cu = cu->next, i++) {
        const cJSON *steps = por__jr_get(por__jr_get(cu, "reserve"), "steps");
        const por_custodian_config *cc = &sc->custodians[i];
        for (size_t k = 0; k < cc->nsteps && steps; k++) {
            if (cc->steps[k].at < sc->duration)
                continue;
            size_t m = por__jr_mark(c);
            por__jr_push_key(c, "custodians");
            por__jr_push_index(c, i);
            por__jr_push_key(c, "reserve");
            por__jr_push_key(c, "steps");
            por__jr_push_index(c, k);
            por__jr_push_key(c, "at");
            por__jr_warn(c, "%s is not before the end of the run (duration %s): this step never "
                            "happens",
                         por__jr_dur(cc->steps[k].at, at, sizeof at), end);
            por__jr_reset(c, m);
        }
    }
    const cJSON *atk = por__jr_get(root, "attackers");
    i = 0;
    for (const cJSON *a = cJSON_IsArray(atk) ? atk->child : NULL; a && i < sc->nattackers;
         a = a->next, i++) {
        if (sc->attackers[i].window.from < sc->duration)
            continue;
        size_t m = por__jr_mark(c);
        por__jr_push_key(c, "attackers");
        por__jr_push_index(c, i);
        por__jr_push_key(c, por__jr_has(a, "at") ? "at" : "from");
        por__jr_warn(c, "%s is not before the end of the run (duration %s): this attack never "
                        "starts",
                     por__jr_dur(sc->attackers[i].window.from, at, sizeof at), end);
        por__jr_reset(c, m);
    }
}

void por__sc_build(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__jr_v_object(c, root, por__top_keys, NULL);
    char defname[POR_NAME_MAX];
    por__sc_default_name(c->file, defname, sizeof defname);
    por__jr_string(c, root, "name", defname, sc->name, sizeof sc->name);
    const cJSON *d = por__jr_get(root, "description");
    if (d) {
        char got[96];
        por__jr_push_key(c, "description");
        if (!cJSON_IsString(d) || !d->valuestring)
            por__jr_fail(c, "expected a string, got %s", por__jr_describe(d, got, sizeof got));
        por__jr_reset(c, 1);
    }
    sc->description = por_xstrdup(d ? d->valuestring : "");
    sc->seed = por__sc_seed(c, root);
    sc->replications = por__jr_uint(c, root, "replications", 100, 1, 10000000);
    por__jr_require(c, root, "duration");
    sc->duration = por__jr_duration(c, root, "duration", 0, true);

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
    por__sc_warn_after_end(c, root, sc);
}

/* ---- chains ----------------------------------------------------------------------- */

/* The keys of chains[] and chains[].txm are the tables in models/chain/chain_params.c;
 * these are its CUSTOM readers (por/param.h), for the arrays of windows. */

void por_param_read_chain_congestion(void *reader, const void *node, void *section, const void *scenario)
{
    static const char *const keys[] = {"from", "at", "until", "for", "block_time_factor", "gas_factor", NULL};
    por__jr *c = reader;
    const cJSON *a = node;
    por_chain_config *ch = section;
    (void)scenario;
    if (!a)
        return;
    size_t n = por__jr_v_array(c, a, 0, 1000000);
    if (n == 0)
        return;
    ch->congestion = por_xcalloc(n, sizeof *ch->congestion);
    ch->ncongestion = n;
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__jr_v_object(c, e, keys, NULL);
        por_congestion *cg = &ch->congestion[i];
        cg->window = por__jr_window(c, e);
        cg->block_time_factor = por__jr_number(c, e, "block_time_factor", 1, 1, false, 1e6, false);
        cg->gas_factor = por__jr_number(c, e, "gas_factor", 1, 1, false, 1e6, false);
        por__jr_reset(c, m);
    }
}

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

/* The keys of custodians[] are the tables in models/custodian/custodian_params.c (the
 * reserve steps a CUSTOM reader in param_custom.c); a scenario without "custodians" has
 * one custodian with the tables' defaults. */
void por__sc_custodians(por__jr *c, const cJSON *root, por_scenario *sc)
{
    const cJSON *a = por__jr_get(root, "custodians");
    if (!a) {
        sc->custodians = por_xcalloc(1, sizeof *sc->custodians);
        sc->ncustodians = 1;
        por_param_defaults_in(&por_custodian_param_table, &sc->custodians[0], sc);
        return;
    }
    por__jr_push_key(c, "custodians");
    sc->custodians = por__param_array(c, a, 1, 1000, sizeof *sc->custodians, &sc->ncustodians);
    por__param_read_elements(c, a, &por_custodian_param_table, sc->custodians, sizeof *sc->custodians, sc);
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
