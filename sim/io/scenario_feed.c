/* Scenario loader, part 2: the feed (its keys are the tables of
 * models/aggregator/feed_params.c and models/ocr/ocr_params.c), the token (the tables of
 * models/token/), consumers and attackers (the tables of models/consumer/consumer_params.c
 * and models/attacker/attacker_params.c; schema in scenarios/SCHEMA.md). */
#include "json_read.h"
#include "por/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void por__sc_attackers(por__jr *c, const cJSON *root, por_scenario *sc)
{
    por__param_read_key(c, root, &por_attackers_param, sc, sc); /* models/attacker/attacker_params.c */
}
