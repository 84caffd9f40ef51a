/* The hand-written readers that parameter-table rows of type POR_PARAM_CUSTOM name
 * (por/param.h): values whose JSON form fits no generic type (bandwidth as a number or
 * "100Mbps", oracle-index lists checked against feed.ocr.n, the region latency matrix
 * whose symmetric entries become two links, partition groups, an attacker's byzantine factor
 * as a number or a percentage and a custodian fraud's shares as a percentage or an amount
 * in the custodian's decimals, a custodian's reserve steps, token.initial_supply's
 * amount-or-map, Secure Mint's margin value whose form follows its mode, bridge ends that
 * may be "random", the scenario's free-text description). The tables stay below io/ and
 * name a reader by its string; io looks it up here. Each reader gets the present value
 * with its path pushed (NULL when absent for a .custom_absent row) and keeps the messages
 * of the loader it came from. The section readers of token (in this file) are
 * listed here too; they are also called when their key is absent (.custom_absent) and
 * then set the default. */
#include "json_read.h"
#include "por/ratio.h"

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

/* attackers[].factor of a byzantine inflate/deflate: a multiplier number (1.1) in [0,
 * .max.i / 1e9] or a percentage string ("110%") in [.min.i, .max.i] ppb, into int64_t ppb. */
static void por__custom_attack_factor(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                      const por_scenario *sc)
{
    (void)sc;
    int64_t ppb;
    if (cJSON_IsString(v)) {
        ppb = por__jr_v_percent(c, v, p->min.i, p->max.i);
    } else {
        double x = por__jr_v_number(c, v, (double)p->min.i / 1e9, false, (double)p->max.i / 1e9, false);
        ppb = (int64_t)llround(x * 1e9);
    }
    memcpy((char *)section + p->offset, &ppb, sizeof ppb);
}

/* A custodian fraud's share V: a percentage string in (0, MAX_PPB] into *PPB, or an amount
 * string > 0 in the decimals of the attacker's custodian (read before) into *AMOUNT. */
static void por__custom_share(por__jr *c, const cJSON *v, int64_t max_ppb, const por_attack_config *at,
                              const por_scenario *sc, int64_t *ppb, por_amount *amount)
{
    char got[96], lim[48];
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
        *amount = por__jr_v_amount(c, v, sc->custodians[at->custodian].decimals, false);
        if (*amount <= 0)
            por__jr_fail(c, "expected a positive amount, got %s", por__jr_describe(v, got, sizeof got));
    }
}

/* attackers[].window_dressing of a custodian fraud: dress_ppb or dress_amount. */
static void por__custom_window_dressing(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                        const por_scenario *sc)
{
    por_attack_config *at = section;
    por__custom_share(c, v, p->max.i, at, sc, &at->dress_ppb, &at->dress_amount);
}

/* attackers[].double_counted of a custodian fraud: double_ppb or double_amount. */
static void por__custom_double_counted(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                       const por_scenario *sc)
{
    por_attack_config *at = section;
    por__custom_share(c, v, p->max.i, at, sc, &at->double_ppb, &at->double_amount);
}

/* custodians[].reserve.steps: changes of the true reserve in time order, each "change"
 * (a percentage, or a signed amount in the custodian's decimals, with a warning for a
 * magnitude below one unit) or "set"; the reserve along them must stay representable.
 * Section: the por_custodian_config (decimals, unit, name and initial read before). */
static void por__custom_reserve_steps(por__jr *c, const cJSON *a, const por_param *p, void *section,
                                      const por_scenario *sc)
{
    (void)p;
    (void)sc;
    static const char *const keys[] = {"at", "change", "set", "label", NULL};
    por_custodian_config *cu = section;
    size_t n = por__jr_v_array(c, a, 0, 1000000);
    if (n == 0)
        return;
    cu->steps = por_xcalloc(n, sizeof *cu->steps);
    cu->nsteps = n;
    size_t m = por__jr_mark(c), i = 0;
    por_amount reserve_path = cu->initial, reserve_before = cu->initial;
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

/* 10^DECIMALS * UNITS, the default of the absent KEY, or a failure at KEY naming it. */
por_amount por__param_default_units(por__jr *c, const char *key, por_amount units, unsigned decimals)
{
    por_amount v = 0;
    if (por_amount_mul(units, por_amount_pow10(decimals), &v))
        return v;
    por__jr_push_key(c, key);
    por__jr_fail(c, "missing: the default does not fit in 128 bits with %u decimals", decimals);
}

/* token.initial_supply: an amount (all on the first chain), or an object giving each of
 * token.chains its own (by chain name; missing chains hold 0); absent, 990,000,000
 * tokens on the first chain. A map keyed by another key's names, so no generic type. */
static void por__custom_token_supply(void *reader, const void *node, void *section, const void *scenario)
{
    por__jr *c = reader;
    const cJSON *s = node;
    por_token_config *tk = section;
    const por_scenario *sc = scenario;
    tk->initial_supply = por_xcalloc(tk->nchains, sizeof *tk->initial_supply);
    if (!s) {
        tk->initial_supply[0] = por__param_default_units(c, "initial_supply", 990000000, tk->decimals);
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

/* token.secure_mint.margin.value, whose form depends on its sibling "mode" (read before):
 * refused with mode "none"; percent modes: a percentage from 0% to 100% in whole basis
 * points, as SecureMintPolicy holds it (_setReserveMargin: "margin must be <=
 * BASIS_POINTS for percentage modes"; its uint256 cannot hold a fraction of a basis
 * point, so a sub-basis-point value is refused rather than rounded); absolute modes: an
 * amount > 0 in token decimals (_setReserveMargin: "margin must be > 0 for absolute
 * modes"). Section: the por_token_config (the margin's table reads over it). */
static void por__custom_margin_value(void *reader, const void *node, void *section, const void *scenario)
{
    (void)scenario;
    por__jr *c = reader;
    const cJSON *v = node;
    por_token_config *tk = section;
    por_secure_mint_config *sm = &tk->secure_mint;
    if (sm->margin_mode == POR_MARGIN_NONE) {
        if (v)
            por__jr_fail(c, "not allowed with mode \"none\"");
        return;
    }
    if (!v) {
        por__jr_push_key(c, "value");
        por__jr_fail(c, "missing required key");
    }
    if (sm->margin_mode == POR_MARGIN_POSITIVE_PERCENT || sm->margin_mode == POR_MARGIN_NEGATIVE_PERCENT) {
        int64_t ppb = por__jr_v_percent(c, v, -POR_PPB_ONE * 1000, POR_PPB_ONE * 1000);
        if (ppb < 0 || ppb > POR_PPB_ONE)
            por__jr_fail(c, "needs a margin from 0%% to 100%% (0 to 10000 basis points, SecureMintPolicy's "
                            "BASIS_POINTS), got \"%s\"", v->valuestring);
        if (ppb % (POR_PPB_ONE / POR_BASIS_POINTS) != 0)
            por__jr_fail(c, "needs whole basis points (0.01%%): SecureMintPolicy holds percentage margins "
                            "in basis points, got \"%s\"", v->valuestring);
        sm->margin_bp = ppb / (POR_PPB_ONE / POR_BASIS_POINTS);
        return;
    }
    sm->margin_amount = por__jr_v_amount(c, v, tk->decimals, false);
    if (sm->margin_amount == 0)
        por__jr_fail(c, "needs an absolute margin above 0 (SecureMintPolicy: \"margin must be > 0 for absolute "
                        "modes\"; use mode \"none\" for no margin)");
}

/* A bridge end (token.bridges.from_chain / to_chain, and a scheduled transfer's): the
 * name of one of token.chains, stored as its chain index, or "random" (-1, drawn per
 * transfer): an int32_t at the row's offset. */
static void por__custom_bridge_end(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                   const por_scenario *sc)
{
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
    memcpy((char *)section + p->offset, &got, sizeof got);
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
    {"attack_factor", por__custom_attack_factor, NULL},
    {"fraud_window_dressing", por__custom_window_dressing, NULL},
    {"fraud_double_counted", por__custom_double_counted, NULL},
    {"reserve_steps", por__custom_reserve_steps, NULL},
    {"token_supply", NULL, por__custom_token_supply},
    {"margin_value", NULL, por__custom_margin_value},
    {"bridge_end", por__custom_bridge_end, NULL},
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
