/* The top level of a scenario: its own keys (name, description, seed, replications,
 * duration, fields of por_scenario that world.c and the runner use) and the list of every
 * key allowed there, as a parameter table (por/param.h) over por_scenario itself, read by
 * io/param_read.c and documented by `porsim schema`. The sections (metrics, network,
 * chains, ...) are SECTION rows: listed here, in the order of the "unknown key" messages,
 * and read after these rows by their own tables and readers in dependency order
 * (io/scenario_build.c). The table's check runs after the sections: it warns of reserve
 * steps and attacks the run never reaches. */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define POR__SC_FIELD(f) offsetof(por_scenario, f)

/* The default name: the file's base name without ".json" (at most POR_NAME_MAX - 1
 * bytes), "scenario" when that leaves nothing. */
static void por__scenario_default_name(void *section, const void *scenario)
{
    (void)scenario;
    por_scenario *sc = section;
    const char *file = sc->path ? sc->path : "";
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0)
        len -= 5;
    if (len >= sizeof sc->name)
        len = sizeof sc->name - 1;
    memcpy(sc->name, base, len);
    sc->name[len] = '\0';
    if (len == 0)
        snprintf(sc->name, sizeof sc->name, "scenario");
}

/* A reserve step or an attack that starts at or after `duration` is valid but surely
 * unintended (a loss at 3d in a 2d run gives "onset not reached" in every replication):
 * a warning each. */
static void por__scenario_warn_after_end(const por_param_check *k, const void *section)
{
    const por_scenario *sc = section;
    char at[48], end[48], key[96];
    por_param_duration_text(sc->duration, end, sizeof end);
    for (size_t i = 0; i < sc->ncustodians; i++)
        for (size_t s = 0; s < sc->custodians[i].nsteps; s++) {
            const por_reserve_step *st = &sc->custodians[i].steps[s];
            if (st->at < sc->duration)
                continue;
            snprintf(key, sizeof key, "custodians[%zu].reserve.steps[%zu].at", i, s);
            por_param_warn(k, key, "%s is not before the end of the run (duration %s): this step never happens",
                           por_param_duration_text(st->at, at, sizeof at), end);
        }
    for (size_t i = 0; i < sc->nattackers; i++) {
        if (sc->attackers[i].window.from < sc->duration)
            continue;
        snprintf(key, sizeof key, "attackers[%zu].at", i);
        if (!por_param_given(k, key)) /* the start was written as "from" */
            snprintf(key, sizeof key, "attackers[%zu].from", i);
        por_param_warn(k, key, "%s is not before the end of the run (duration %s): this attack never starts",
                       por_param_duration_text(sc->attackers[i].window.from, at, sizeof at), end);
    }
}

/* Rows in the order of the keys' list in "unknown key" messages (and of SCHEMA.md). */
static const por_param por__scenario_params[] = {
    {.name = "name", .type = POR_PARAM_NAME, .offset = POR__SC_FIELD(name), .max_len = POR_NAME_MAX,
     .derive_in = por__scenario_default_name, .default_doc = "the file name without `.json`",
     .doc = "shown in reports"},
    {.name = "description", .type = POR_PARAM_CUSTOM, .custom = "scenario_description", .custom_absent = true,
     .type_doc = "string (any, empty too)", .default_doc = "`\"\"`", .doc = "free text"},
    {.name = "seed", .type = POR_PARAM_UINT64, .offset = POR__SC_FIELD(seed), .decimal_string = true, .def.u = 1,
     .min.u = 0, .max.u = UINT64_MAX, .doc = "base of every random stream"},
    {.name = "replications", .type = POR_PARAM_UINT64, .offset = POR__SC_FIELD(replications), .def.u = 100,
     .min.u = 1, .max.u = 10000000, .doc = "independent runs"},
    {.name = "duration", .type = POR_PARAM_DURATION, .offset = POR__SC_FIELD(duration), .required = true,
     .def.i = POR_DAY, .positive = true, .default_doc = "(`\"1d\"` in `por_scenario_defaults()`)",
     .doc = "simulated horizon"},
    {.name = "metrics", .type = POR_PARAM_SECTION, .type_doc = "object",
     .default_doc = "below", .doc = "how runs are scored"},
    {.name = "network", .type = POR_PARAM_SECTION, .type_doc = "object",
     .default_doc = "below", .doc = "oracle-to-oracle network"},
    {.name = "chains", .type = POR_PARAM_SECTION, .type_doc = "array",
     .default_doc = "one chain `\"ethereum\"`", .doc = "blockchains"},
    {.name = "custodians", .type = POR_PARAM_SECTION, .type_doc = "array",
     .default_doc = "one custodian `\"custodian\"`", .doc = "reserve holders"},
    {.name = "feed", .type = POR_PARAM_SECTION, .type_doc = "object",
     .default_doc = "below", .doc = "the PoR feed and its OCR DON"},
    {.name = "token", .type = POR_PARAM_SECTION, .type_doc = "object",
     .default_doc = "below", .doc = "the token and Secure Mint"},
    {.name = "consumers", .type = POR_PARAM_SECTION, .type_doc = "array",
     .default_doc = "none", .doc = "DeFi protocols reacting to the feed"},
    {.name = "attackers", .type = POR_PARAM_SECTION, .type_doc = "array", .default_doc = "none",
     .doc = "faults and attacks"},
};

const por_param_table por_scenario_param_table = {
    .path = "$",
    .params = por__scenario_params,
    .nparams = sizeof por__scenario_params / sizeof por__scenario_params[0],
    .check = por__scenario_warn_after_end,
    .check_doc = "a reserve step or an attack starting at or after `duration` is a warning (it never happens)",
};
