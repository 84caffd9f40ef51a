/* Scenario loader, part 1: the top level (its keys are the table of
 * models/world/scenario_params.c), chains and custodians (the tables of
 * models/chain/chain_params.c and models/custodian/custodian_params.c) and the network,
 * from a parsed cJSON tree
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
