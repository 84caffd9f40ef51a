/* The hand-written readers that parameter-table rows of type POR_PARAM_CUSTOM name
 * (por/param.h): values whose JSON form fits no generic type (bandwidth as a number or
 * "100Mbps", oracle-index lists checked against feed.ocr.n, the region latency matrix
 * whose symmetric entries become two links, partition groups, the scenario's free-text
 * description). The tables stay below io/ and name a reader by its string; io looks it up
 * here. Each reader gets the present value with its path pushed (NULL when absent for a
 * .custom_absent row) and keeps the messages of the loader it came from. The
 * section readers of feed and token (scenario_feed.c) are
 * listed here too; they are also called when their key is absent (.custom_absent) and
 * then set the default. */
#include "json_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* description (the top level's free text, .custom_absent): any string, empty too, copied
 * to the heap; "" when absent. The one key of that form, so no generic type. Section: the
 * por_scenario. */
static void por__custom_description(por__jr *c, const cJSON *d, const por_param *p, void *section,
                                    const por_scenario *sc)
{
    (void)p;
    (void)sc;
    por_scenario *s = section;
    char got[96];
    if (d && (!cJSON_IsString(d) || !d->valuestring))
        por__jr_fail(c, "expected a string, got %s", por__jr_describe(d, got, sizeof got));
    s->description = por_xstrdup(d ? d->valuestring : "");
}

/* custodians[].attestation.phase: "random" (drawn per replication when the figure is
 * periodic) or a duration below every. Section: the por_custodian_config. */
static void por__custom_attestation_phase(por__jr *c, const cJSON *p, const por_param *row, void *section,
                                          const por_scenario *sc)
{
    (void)row;
    (void)sc;
    por_custodian_config *cu = section;
    cu->attest_phase_random = cu->attest_every > 0;
    cu->attest_phase = 0;
    if (cJSON_IsString(p) && p->valuestring && strcmp(p->valuestring, "random") == 0)
        return;
    char got[96];
    if (!cJSON_IsString(p))
        por__jr_fail(c, "expected \"random\" or a duration, got %s", por__jr_describe(p, got, sizeof got));
    cu->attest_phase_random = false;
    cu->attest_phase = por__jr_v_duration(c, p, false);
    if (cu->attest_phase > 0 && cu->attest_phase >= cu->attest_every) {
        char ph[32], ev[32];
        por__jr_fail(c, "needs phase < every, got phase=%s every=%s", por__jr_dur(cu->attest_phase, ph, sizeof ph),
                     por__jr_dur(cu->attest_every, ev, sizeof ev));
    }
}

/* network.bandwidth: bits per second as a number or a string "100Mbps" (bps, kbps, Mbps,
 * Gbps), into a double. */
static void por__custom_bandwidth(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                  const por_scenario *sc)
{
    (void)sc;
    char got[96];
    double bps;
    if (cJSON_IsNumber(v)) {
        bps = por__jr_v_number(c, v, 0, false, 1e15, false);
        memcpy((char *)section + p->offset, &bps, sizeof bps);
        return;
    }
    if (cJSON_IsString(v) && v->valuestring) {
        static const struct {
            const char *unit;
            double mul;
        } units[] = {{"bps", 1}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}};
        const char *s = v->valuestring;
        size_t i = 0;
        while ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')
            i++;
        if (i > 0 && i < 32 && s[0] != '.') {
            char num[32];
            memcpy(num, s, i);
            num[i] = '\0';
            char *end;
            double x = strtod(num, &end);
            for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
                if (*end == '\0' && strcmp(s + i, units[u].unit) == 0 && isfinite(x) && x * units[u].mul <= 1e15) {
                    bps = x * units[u].mul;
                    memcpy((char *)section + p->offset, &bps, sizeof bps);
                    return;
                }
        }
    }
    por__jr_fail(c, "expected bits per second as a number or a string such as \"100Mbps\" (bps, kbps, Mbps, Gbps), "
                    "got %s", por__jr_describe(v, got, sizeof got));
}

/* An array of at least .min_len oracle indices below feed.ocr.n, no repeats: uint32_t *
 * at .offset, its size_t count at .count_offset. */
static void por__custom_oracle_nodes(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                     const por_scenario *sc)
{
    char *base = section;
    por__sc_nodes(c, v, sc->feed.ocr.n, p->min_len, (uint32_t **)(void *)(base + p->offset),
                  (size_t *)(void *)(base + p->count_offset));
}

static uint32_t por__sc_region_ref(por__jr *c, const cJSON *o, const char *key, const por_network_config *nw)
{
    por__jr_require(c, o, key);
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, key);
    if (nw->nregions == 0)
        por__jr_fail(c, "no regions are defined (add \"regions\" to \"network\")");
    uint32_t r = por__sc_name_ref(c, por__jr_get(o, key), nw->regions[0].name, sizeof nw->regions[0], nw->nregions,
                                  "region");
    por__jr_reset(c, m);
    return r;
}

/* network.region_latency: [{"from", "to", "latency", "symmetric"}], a symmetric entry
 * between two regions becoming a link each way; no direction given twice. Section: the
 * por_network_config (its regions are read before). */
static void por__custom_region_latency(por__jr *c, const cJSON *a, const por_param *p, void *section,
                                       const por_scenario *sc)
{
    (void)p;
    (void)sc;
    static const char *const keys[] = {"from", "to", "latency", "symmetric", NULL};
    por_network_config *nw = section;
    size_t cnt = por__jr_v_array(c, a, 0, 100000);
    if (cnt == 0)
        return;
    nw->region_links = por_xcalloc(2 * cnt, sizeof *nw->region_links);
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t m2 = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__jr_v_object(c, e, keys, NULL);
        uint32_t from = por__sc_region_ref(c, e, "from", nw);
        uint32_t to = por__sc_region_ref(c, e, "to", nw);
        bool sym = por__jr_bool(c, e, "symmetric", true);
        por__jr_require(c, e, "latency");
        for (int dir = 0; dir < (sym && from != to ? 2 : 1); dir++) {
            uint32_t f = dir ? to : from, t = dir ? from : to;
            for (size_t k = 0; k < nw->nregion_links; k++)
                if (nw->region_links[k].from_region == f && nw->region_links[k].to_region == t)
                    por__jr_fail(c, "latency from \"%s\" to \"%s\" is given twice", nw->regions[f].name,
                                 nw->regions[t].name);
            por_region_link *l = &nw->region_links[nw->nregion_links++];
            l->from_region = f;
            l->to_region = t;
            size_t m3 = por__jr_mark(c);
            por__jr_push_key(c, "latency");
            por__jr_v_duration_dist(c, por__jr_get(e, "latency"), &l->latency);
            por__jr_reset(c, m3);
        }
        por__jr_reset(c, m2);
    }
}

/* network.partitions[].groups: 1..31 groups of oracle indices, no oracle in two groups.
 * Section: the por_partition. */
static void por__custom_oracle_groups(por__jr *c, const cJSON *g, const por_param *p, void *section,
                                      const por_scenario *sc)
{
    (void)p;
    por_partition *pt = section;
    size_t ng = por__jr_v_array(c, g, 1, POR_MAX_ORACLES);
    pt->groups = por_xcalloc(ng, sizeof *pt->groups);
    pt->group_sizes = por_xcalloc(ng, sizeof *pt->group_sizes);
    pt->ngroups = ng;
    bool used[POR_MAX_ORACLES] = {false};
    size_t j = 0;
    for (const cJSON *ge = g->child; ge; ge = ge->next, j++) {
        size_t m3 = por__jr_mark(c);
        por__jr_push_index(c, j);
        por__sc_nodes(c, ge, sc->feed.ocr.n, 1, &pt->groups[j], &pt->group_sizes[j]);
        for (size_t k = 0; k < pt->group_sizes[j]; k++) {
            if (used[pt->groups[j][k]]) {
                por__jr_push_index(c, k);
                por__jr_fail(c, "oracle %u is in two groups", pt->groups[j][k]);
            }
            used[pt->groups[j][k]] = true;
        }
        por__jr_reset(c, m3);
    }
}

static const struct {
    const char *name;
    por__param_custom_fn fn;                /* the value-reader form ... */
    por__param_custom_section_fn section_fn; /* ... or the section-reader form */
} por__custom_readers[] = {
    {"bandwidth", por__custom_bandwidth, NULL},
    {"oracle_nodes", por__custom_oracle_nodes, NULL},
    {"region_latency", por__custom_region_latency, NULL},
    {"oracle_groups", por__custom_oracle_groups, NULL},
    {"attestation_phase", por__custom_attestation_phase, NULL},
    {"scenario_description", por__custom_description, NULL},
    {"feed_sources", NULL, por_param_read_feed_sources},
    {"token_chains", NULL, por_param_read_token_chains},
    {"token_supply", NULL, por_param_read_token_supply},
    {"token_bridge_delay", NULL, por_param_read_token_bridge_delay},
    {"token_secure_mint", NULL, por_param_read_token_secure_mint},
    {"token_mints", NULL, por_param_read_token_mints},
    {"token_redeems", NULL, por_param_read_token_redeems},
    {"token_reserve_custodian", NULL, por_param_read_token_reserve_custodian},
    {"token_bridges", NULL, por_param_read_token_bridges},
    {"token_refresh", NULL, por_param_read_token_refresh},
    {NULL, NULL, NULL},
};

static size_t por__custom_index(const char *name)
{
    for (size_t i = 0; por__custom_readers[i].name; i++)
        if (strcmp(por__custom_readers[i].name, name) == 0)
            return i;
    POR_ASSERT(!"a table names a custom reader io/param_custom.c does not have");
    return 0;
}

por__param_custom_fn por__param_custom(const char *name)
{
    return por__custom_readers[por__custom_index(name)].fn;
}

void por__param_custom_call(por__jr *c, const cJSON *v, const por_param *p, void *section, const por_scenario *sc)
{
    size_t i = por__custom_index(p->custom);
    if (por__custom_readers[i].section_fn)
        por__custom_readers[i].section_fn(c, v, section, sc);
    else if (v || p->custom_absent)
        por__custom_readers[i].fn(c, v, p, section, sc);
}
