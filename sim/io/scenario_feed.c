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
 * models/ocr/ocr_params.c). */
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
