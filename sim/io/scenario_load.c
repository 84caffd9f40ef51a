/* Scenario loader entry points (por/scenario_load.h): read the file, parse it, apply
 * --set overrides, build and validate the structs (scenario_build.c, scenario_feed.c),
 * hash the effective tree; and por_scenario_free. Validation errors longjmp back here,
 * where the half-built scenario is freed. */
#include "por/scenario_load.h"

#include "json_parse.h"
#include "json_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define POR__MAX_SCENARIO_BYTES ((size_t)64 << 20)

void por__sc_apply_set(por__jr *c, cJSON *root, const char *text, por__jr_origin *origin);

static void por__dist_free(por_duration_dist *d) { free(d->samples); }

void por_scenario_free(por_scenario *sc)
{
    if (!sc)
        return;
    free(sc->path);
    free(sc->description);
    por_network_config *nw = &sc->network;
    por__dist_free(&nw->latency);
    for (size_t i = 0; i < nw->nregions; i++)
        free(nw->regions[i].nodes);
    free(nw->regions);
    for (size_t i = 0; i < nw->nregion_links; i++)
        por__dist_free(&nw->region_links[i].latency);
    free(nw->region_links);
    for (size_t i = 0; i < nw->npartitions; i++) {
        por_partition *p = &nw->partitions[i];
        for (size_t g = 0; g < p->ngroups; g++)
            free(p->groups[g]);
        free(p->groups);
        free(p->group_sizes);
    }
    free(nw->partitions);
    for (size_t i = 0; i < sc->nchains; i++) {
        free(sc->chains[i].congestion);
        free(sc->chains[i].rpc_outages);
    }
    free(sc->chains);
    for (size_t i = 0; i < sc->ncustodians; i++) {
        por_custodian_config *cu = &sc->custodians[i];
        free(cu->steps);
        por__dist_free(&cu->api_latency);
        free(cu->outages);
        free(cu->ripcords);
    }
    free(sc->custodians);
    free(sc->feed.sources);
    free(sc->token.chains);
    free(sc->token.initial_supply);
    free(sc->token.mints.scheduled);
    free(sc->token.redeems.scheduled);
    free(sc->token.bridges.scheduled);
    por__dist_free(&sc->token.bridge_delay_dist);
    for (size_t i = 0; i < sc->nconsumers; i++)
        free(sc->consumers[i].thresholds);
    free(sc->consumers);
    for (size_t i = 0; i < sc->nattackers; i++)
        free(sc->attackers[i].nodes);
    free(sc->attackers);
    for (size_t i = 0; i < sc->nwarnings; i++)
        free(sc->warnings[i]);
    free(sc->warnings);
    free(sc->effective_json);
    free(sc);
}

/* Everything a load owns, on the heap so that nothing the longjmp skips over is an
 * automatic variable modified after setjmp. */
typedef struct {
    por__jr jr;
    cJSON *root;
    por_scenario *sc;
    por__jr_origin *origins;
} por__load;

static void por__load_free(por__load *ld)
{
    cJSON_Delete(ld->root);
    por_scenario_free(ld->sc);
    free(ld->origins);
    por__jr_free_warnings(&ld->jr);
    free(ld);
}

/* Loads JSON; with DEFAULTS a required key of a parameter table that is absent takes the
 * table's default instead of failing (por_scenario_defaults). */
static por_status por__scenario_load(const char *json, size_t len, const char *display_name, const char *const *sets,
                                     size_t nsets, bool defaults, por_scenario **out, por_error *err)
{
    const char *file = display_name ? display_name : "<string>";
    if (!json)
        return por_error_set(err, POR_EINPUT, "%s: no scenario text", file);
    cJSON *root = NULL;
    por_status st = por__json_parse(json, len, file, &root, err);
    if (st != POR_OK)
        return st;
    por__load *ld = por_xcalloc(1, sizeof *ld);
    ld->root = root;
    ld->sc = por_xcalloc(1, sizeof *ld->sc);
    ld->sc->path = por_xstrdup(file);
    ld->origins = por_xcalloc(nsets ? nsets : 1, sizeof *ld->origins);
    por__jr_init(&ld->jr, file, err);
    ld->jr.required_defaults = defaults;
    if (setjmp(ld->jr.jb)) {
        por__load_free(ld);
        return POR_EINPUT;
    }
    for (size_t i = 0; i < nsets; i++) {
        por__sc_apply_set(&ld->jr, ld->root, sets[i] ? sets[i] : "", &ld->origins[i]);
        ld->jr.origins = ld->origins;
        ld->jr.norigins = i + 1;
    }
    por__sc_build(&ld->jr, ld->root, ld->sc);
    por__json_hash(ld->root, ld->sc->hash);
    ld->sc->effective_json = por__json_print(ld->root);
    ld->sc->warnings = ld->jr.warnings;
    ld->sc->nwarnings = ld->jr.nwarnings;
    ld->jr.warnings = NULL;
    ld->jr.nwarnings = 0;
    *out = ld->sc;
    ld->sc = NULL;
    por__load_free(ld);
    return POR_OK;
}

por_status por_scenario_load_string(const char *json, size_t len, const char *display_name,
                                    const char *const *sets, size_t nsets, por_scenario **out, por_error *err)
{
    return por__scenario_load(json, len, display_name, sets, nsets, false, out, err);
}

por_scenario *por_scenario_defaults(void)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    /* Every key absent: each table's defaults, the required duration's included
     * (models/world/scenario_params.c). */
    static const char json[] = "{}";
    por_status st = por__scenario_load(json, sizeof json - 1, "<defaults>", NULL, 0, true, &sc, &err);
    POR_ASSERT(st == POR_OK); /* the defaults are valid by construction (tests/test_params.c) */
    return sc;
}

por_status por_scenario_load_file(const char *path, const char *const *sets, size_t nsets, por_scenario **out,
                                  por_error *err)
{
    if (!path || !*path)
        return por_error_set(err, POR_EINPUT, "no scenario file given");
    struct stat stt;
    if (stat(path, &stt) != 0)
        return por_error_set(err, POR_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(stt.st_mode))
        return por_error_set(err, POR_EINPUT, "%s: is a directory, expected a JSON scenario file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return por_error_set(err, POR_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = por_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= POR__MAX_SCENARIO_BYTES) {
                fclose(f);
                free(buf);
                return por_error_set(err, POR_EINPUT, "%s: file too large (over %zu MiB) for a scenario", path,
                                     POR__MAX_SCENARIO_BYTES >> 20);
            }
            cap *= 2;
            buf = por_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return por_error_set(err, POR_EINPUT, "%s: read error: %s", path, strerror(saved));
    }
    por_status st = por_scenario_load_string(buf, len, path, sets, nsets, out, err);
    free(buf);
    return st;
}

void por_scenario_hash(const por_scenario *sc, char out[17])
{
    memcpy(out, sc->hash, 17);
    out[16] = '\0';
}
