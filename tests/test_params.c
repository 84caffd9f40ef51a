/* Parameter tables (por/param.h) and what is generated from them: the committed
 * scenarios/SCHEMA.md blocks and docs/porsim.schema.json equal what `porsim schema`
 * generates now (regenerate with the commands in `porsim help schema`); the loader fills
 * an absent section with exactly the table's defaults; por_scenario_defaults() is a
 * valid scenario; the generic reader keeps the hand-written readers' messages (unknown
 * key suggestions, range messages, rule paths); and the derived defaults follow the
 * rules they are documented by (OffchainAggregator.sol setConfig: 3f < n; libocr's
 * default schedule sums to n). These tests use no randomness. */
#include "por/metrics.h"
#include "por/param.h"
#include "por/scenario_load.h"
#include "por/schema.h"
#include "por_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *load_err(const char *json, const char *const *sets, size_t nsets)
{
    static por_error err;
    por_scenario *sc = NULL;
    memset(&err, 0, sizeof err);
    por_status st = por_scenario_load_string(json, strlen(json), "t.json", sets, nsets, &sc, &err);
    ck_assert_int_eq(st, POR_EINPUT);
    ck_assert_ptr_null(sc);
    return err.msg;
}

START_TEST(test_schema_md_is_generated)
{
    char *doc = por_test_slurp(POR_SCENARIO_DIR "/SCHEMA.md");
    ck_assert_ptr_nonnull(doc);
    por_error err = {0};
    char *gen = por_schema_markdown_apply(doc, &err);
    ck_assert_msg(gen != NULL, "%s", err.msg);
    ck_assert_msg(strcmp(doc, gen) == 0,
                  "scenarios/SCHEMA.md differs from its parameter tables; regenerate: porsim schema markdown "
                  "scenarios/SCHEMA.md > /tmp/S.md && mv /tmp/S.md scenarios/SCHEMA.md");
    /* every table has its block in SCHEMA.md */
    for (size_t i = 0; por_param_tables[i]; i++) {
        char marker[128];
        snprintf(marker, sizeof marker, "<!-- porsim schema %s ", por_param_tables[i]->path);
        ck_assert_msg(strstr(doc, marker) != NULL, "SCHEMA.md has no generated block for %s",
                      por_param_tables[i]->path);
    }
    free(gen);
    free(doc);
}
END_TEST

START_TEST(test_json_schema_is_generated)
{
    char *file = por_test_slurp(POR_SCENARIO_DIR "/../docs/porsim.schema.json");
    ck_assert_ptr_nonnull(file);
    char *gen = por_schema_json();
    ck_assert_msg(strcmp(file, gen) == 0, "docs/porsim.schema.json is stale; regenerate: porsim schema json "
                                          "> docs/porsim.schema.json");
    /* It is JSON, and every key of every table is a property of a closed object; with a
     * VARIANT row, the keys of each variant are the properties of the "then" branch whose
     * "if" holds the discriminator at that value, and the object is closed by
     * unevaluatedProperties (draft 2020-12: additionalProperties would not see the
     * branches' keys). */
    cJSON *root = cJSON_Parse(gen);
    ck_assert_ptr_nonnull(root);
    for (size_t i = 0; por_param_tables[i]; i++) {
        const por_param_table *t = por_param_tables[i];
        const cJSON *o = root;
        char path[128];
        snprintf(path, sizeof path, "%s", strcmp(t->path, "$") == 0 ? "" : t->path); /* "$": the root */
        for (char *save = NULL, *k = strtok_r(path, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
            size_t len = strlen(k);
            bool array = len > 2 && strcmp(k + len - 2, "[]") == 0;
            if (array)
                k[len - 2] = '\0';
            o = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "properties"), k);
            if (array)
                o = cJSON_GetObjectItemCaseSensitive(o, "items");
        }
        ck_assert_ptr_nonnull(o);
        const por_param *var = NULL;
        for (size_t k = 0; k < t->nparams; k++)
            if (t->params[k].type == POR_PARAM_VARIANT)
                var = &t->params[k];
        ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, var ? "unevaluatedProperties"
                                                                        : "additionalProperties")));
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(o, "properties");
        for (size_t k = 0; k < t->nparams; k++) {
            const char *name = t->params[k].type == POR_PARAM_WINDOW ? "from" : t->params[k].name;
            if (t->params[k].type != POR_PARAM_RULE)
                ck_assert_msg(cJSON_GetObjectItemCaseSensitive(props, name) != NULL, "%s.%s missing", t->path, name);
        }
        for (size_t v = 0; var && var->names[v]; v++) {
            const cJSON *branch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "allOf"), (int)v);
            const cJSON *cond = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(branch, "if"), "properties"),
                var->name);
            ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cond, "const")->valuestring, var->names[v]);
            const cJSON *vprops =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(branch, "then"), "properties");
            const por_param_table *vt = var->variants[v];
            for (size_t k = 0; k < vt->nparams; k++) {
                const char *name = vt->params[k].type == POR_PARAM_WINDOW ? "from" : vt->params[k].name;
                if (vt->params[k].type != POR_PARAM_RULE)
                    ck_assert_msg(cJSON_GetObjectItemCaseSensitive(vprops, name) != NULL,
                                  "%s (%s \"%s\").%s missing", t->path, var->name, var->names[v], name);
            }
        }
    }
    cJSON_Delete(root);
    free(gen);
    free(file);
}
END_TEST

START_TEST(test_markdown_apply_errors)
{
    por_error err = {0};
    ck_assert_ptr_null(por_schema_markdown_apply("a\n<!-- porsim schema no.such (x) -->\n<!-- end porsim schema -->\n",
                                                 &err));
    ck_assert_str_eq(err.msg, "generated block \"no.such\": names no parameter table");
    ck_assert_ptr_null(por_schema_markdown_apply("<!-- porsim schema feed.ocr (x) -->\nrows\n", &err));
    ck_assert_str_eq(err.msg, "generated block \"feed.ocr\": has no end line <!-- end porsim schema -->");
    char *same = por_schema_markdown_apply("no blocks here\n", &err);
    ck_assert_str_eq(same, "no blocks here\n");
    free(same);
}
END_TEST

/* The loader reads an absent feed.ocr as exactly the table's defaults. */
START_TEST(test_defaults_from_table)
{
    por_scenario *sc = por_scenario_defaults();
    ck_assert_ptr_nonnull(sc);
    por_ocr_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_ocr_param_table, &want);
    const por_ocr_config *got = &sc->feed.ocr;
    ck_assert_uint_eq(got->n, want.n);
    ck_assert_uint_eq(got->f, want.f);
    ck_assert_int_eq(got->delta_progress, want.delta_progress);
    ck_assert_int_eq(got->delta_resend, want.delta_resend);
    ck_assert_int_eq(got->delta_round, want.delta_round);
    ck_assert_int_eq(got->delta_grace, want.delta_grace);
    ck_assert_int_eq(got->delta_c, want.delta_c);
    ck_assert_int_eq(got->delta_stage, want.delta_stage);
    ck_assert_int_eq(got->alpha_ppb, want.alpha_ppb);
    ck_assert_int_eq(got->alpha_accept_ppb, want.alpha_accept_ppb);
    ck_assert_uint_eq(got->nschedule, want.nschedule);
    for (size_t i = 0; i < want.nschedule; i++)
        ck_assert_uint_eq(got->schedule[i], want.schedule[i]);
    ck_assert_uint_eq(got->r_max, want.r_max);
    ck_assert_int_eq(got->observe_timeout, want.observe_timeout);
    ck_assert_int_eq(got->leader_schedule, want.leader_schedule);
    ck_assert_uint_eq(got->read_confirmations, want.read_confirmations);
    /* SCHEMA.md's documented defaults: n=4, ΔC 24h, α 1%, libocr's reference values */
    ck_assert_uint_eq(want.n, 4);
    ck_assert_int_eq(want.delta_c, 24 * POR_HOUR);
    ck_assert_int_eq(want.alpha_ppb, POR_PPB_ONE / 100);
    /* metrics absent: the table's default onset ratio, 100% (fully backed) */
    por_scenario mwant;
    por_param_defaults(&por_metrics_param_table, &mwant);
    ck_assert_int_eq(sc->onset_ratio_ppb, mwant.onset_ratio_ppb);
    ck_assert_int_eq(mwant.onset_ratio_ppb, POR_PPB_ONE);
    /* token.refresh_then_mint absent: off, with the table's other defaults */
    por_refresh_config rwant;
    por_param_defaults(&por_refresh_param_table, &rwant);
    ck_assert(!sc->token.refresh.enabled);
    ck_assert_int_eq(sc->token.refresh.requester, rwant.requester);
    ck_assert_int_eq(sc->token.refresh.timeout, rwant.timeout);
    ck_assert_int_eq(sc->token.refresh.min_interval, rwant.min_interval);
    /* given as {}: on (its presence enables it), same defaults otherwise */
    por_scenario *on = NULL;
    const char *set[] = {"token.refresh_then_mint={}"};
    ck_assert_int_eq(por_scenario_load_string("{\"duration\": \"1d\"}", 18, "t.json", set, 1, &on, NULL), POR_OK);
    ck_assert(on->token.refresh.enabled);
    ck_assert_int_eq(on->token.refresh.timeout, 10 * POR_MIN);
    por_scenario_free(on);
    /* the default scenario is a whole one: the other sections have their defaults too */
    ck_assert_uint_ge(sc->nchains, 1);
    ck_assert_uint_ge(sc->ncustodians, 1);
    ck_assert_uint_ge(sc->feed.nsources, 1);
    por_scenario_free(sc);
}
END_TEST

/* Derived defaults obey the rules they come from, for every n: f is the largest f with
 * 3f < n (OffchainAggregator.setConfig "faulty-oracle threshold too high"), the default
 * schedule sums to n (every oracle transmits in some stage) and fits 1..31 stages. */
START_TEST(test_derived_defaults_follow_rules)
{
    for (uint32_t n = 1; n <= POR_MAX_ORACLES; n++) {
        char json[96];
        snprintf(json, sizeof json, "{\"duration\": \"1d\", \"feed\": {\"ocr\": {\"n\": %u}}}", n);
        por_scenario *sc = NULL;
        por_error err = {0};
        ck_assert_msg(por_scenario_load_string(json, strlen(json), "t.json", NULL, 0, &sc, &err) == POR_OK, "%s",
                      err.msg);
        const por_ocr_config *o = &sc->feed.ocr;
        ck_assert(3 * o->f < n);
        ck_assert(3 * (o->f + 1) >= n);
        uint32_t sum = 0;
        for (size_t i = 0; i < o->nschedule; i++)
            sum += o->schedule[i];
        ck_assert_uint_eq(sum, n);
        ck_assert_uint_ge(o->nschedule, 1);
        por_scenario_free(sc);
    }
}
END_TEST

/* The generic reader keeps the hand-written readers' messages, paths and suggestions. */
START_TEST(test_reader_messages)
{
    const char *doc = "{\"duration\": \"1d\", \"feed\": {\"ocr\": {\"n\": 4}}}";
    const char *typo[] = {"feed.ocr.delta_cc=\"1h\""};
    ck_assert_str_eq(load_err(doc, typo, 1),
                     "t.json: $.feed.ocr.delta_cc: unknown key; did you mean \"delta_c\"? (from --set "
                     "feed.ocr.delta_cc=\"1h\")");
    const char *syn[] = {"feed.ocr.heartbeat=\"1h\""};
    ck_assert_str_eq(load_err(doc, syn, 1),
                     "t.json: $.feed.ocr.heartbeat: unknown key; did you mean \"delta_c\", the heartbeat: a report "
                     "at least this often (libocr DeltaC)? (from --set feed.ocr.heartbeat=\"1h\")");
    const char *rmax[] = {"feed.ocr.r_max=4294967296"};
    ck_assert_str_eq(load_err(doc, rmax, 1),
                     "t.json: $.feed.ocr.r_max: needs 0 < r_max < 255, got 4294967296 (from --set "
                     "feed.ocr.r_max=4294967296)");
    const char *order[] = {"feed.ocr.delta_round=\"30s\""};
    ck_assert_str_eq(load_err(doc, order, 1),
                     "t.json: $.feed.ocr.delta_round: needs delta_round < delta_progress, got delta_round=30s "
                     "delta_progress=23s (from --set feed.ocr.delta_round=\"30s\")");
    const char *sched[] = {"feed.ocr.schedule=[2,3]"};
    ck_assert_str_eq(load_err(doc, sched, 1),
                     "t.json: $.feed.ocr.schedule: needs sum(schedule) <= n, got sum 5 with n=4 (from --set "
                     "feed.ocr.schedule=[2,3])");
    const char *elem[] = {"feed.ocr.schedule=[1,\"2\"]"};
    ck_assert_str_eq(load_err(doc, elem, 1),
                     "t.json: $.feed.ocr.schedule[1]: expected an integer from 0 to 31, got \"2\" (from "
                     "--set feed.ocr.schedule=[1,\"2\"])");
    /* token.refresh_then_mint: the rule across sections (Secure Mint must be on) at .enabled */
    const char *refresh[] = {"token.secure_mint.enabled=false", "token.refresh_then_mint={}"};
    ck_assert_str_eq(load_err(doc, refresh, 2),
                     "t.json: $.token.refresh_then_mint.enabled: needs token.secure_mint.enabled: without a guard "
                     "no mint is ever uncovered (from --set token.refresh_then_mint={})");
    const char *requester[] = {"token.refresh_then_mint.requester=\"owners\""};
    ck_assert_str_eq(load_err(doc, requester, 1),
                     "t.json: $.token.refresh_then_mint.requester: expected one of \"access_list\", \"owner\", "
                     "\"none\", got \"owners\"; did you mean \"owner\"? (from --set "
                     "token.refresh_then_mint.requester=\"owners\")");
    const char *onset[] = {"metrics.onset_ratio=\"0%\""};
    ck_assert_str_eq(load_err(doc, onset, 1),
                     "t.json: $.metrics.onset_ratio: expected a percentage from 0.0000001% to 100000%, got \"0%\" "
                     "(from --set metrics.onset_ratio=\"0%\")");
    const char *mkey[] = {"metrics.onset=\"90%\""};
    ck_assert_str_eq(load_err(doc, mkey, 1),
                     "t.json: $.metrics.onset: unknown key; expected one of: onset_ratio (from --set "
                     "metrics.onset=\"90%\")");
    /* consumers[].thresholds[]: required keys, and the rules of action "pause" / "lower_cf" */
    const char *th_pause[] = {"consumers=[{\"name\": \"l\", \"thresholds\": [{\"ratio\": \"90%\", \"action\": \"pause\", "
                              "\"collateral_factor\": \"x\"}]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, th_pause, 1),
                                 "t.json: $.consumers[0].thresholds[0].collateral_factor: not allowed with action "
                                 "\"pause\" (from --set"));
    const char *th_cf[] = {"consumers=[{\"name\": \"l\", \"thresholds\": [{\"ratio\": \"90%\", \"action\": \"pause\"}, "
                           "{\"ratio\": \"80%\", \"action\": \"lower_cf\"}]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, th_cf, 1),
                                 "t.json: $.consumers[0].thresholds[1].collateral_factor: missing required key (from "
                                 "--set"));
    const char *th_ratio[] = {"consumers=[{\"name\": \"l\", \"thresholds\": [{\"action\": \"pause\"}]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, th_ratio, 1),
                                 "t.json: $.consumers[0].thresholds[0].ratio: missing required key (from --set"));
    /* a mainnet-minimum warning names the key, only when the file gave it */
    por_scenario *sc = NULL;
    const char *fast[] = {"feed.ocr.delta_c=\"1m\""};
    ck_assert_int_eq(por_scenario_load_string(doc, strlen(doc), "t.json", fast, 1, &sc, NULL), POR_OK);
    ck_assert_uint_eq(sc->nwarnings, 1);
    ck_assert_ptr_nonnull(strstr(sc->warnings[0], "$.feed.ocr.delta_c: 1m is below libocr's Ethereum mainnet "
                                                  "minimum of 10m (accepted)"));
    por_scenario_free(sc);
}
END_TEST

static por_scenario *load_ok(const char *json, const char *const *sets, size_t nsets)
{
    por_scenario *sc = NULL;
    por_error err = {0};
    ck_assert_msg(por_scenario_load_string(json, strlen(json), "t.json", sets, nsets, &sc, &err) == POR_OK, "%s",
                  err.msg);
    return sc;
}

/* consumers[] and network absent: exactly their tables' defaults. Where they come from:
 * the network's latency is SCHEMA.md's documented WAN default (lognormal, median 80 ms,
 * sigma 0.5); retransmit_timeout is Linux TCP's TCP_RTO_MIN (HZ/5 = 200 ms,
 * include/net/tcp.h); loss 0, no bandwidth limit, no clock skew, no regions or
 * partitions; a consumer polls once a minute (a keeper) on the feed's chain. */
START_TEST(test_defaults_network_consumers)
{
    por_scenario *sc = por_scenario_defaults();
    por_network_config want;
    memset(&want, 0, sizeof want);
    por_param_defaults(&por_network_param_table, &want);
    const por_network_config *got = &sc->network;
    ck_assert_int_eq(got->latency.kind, want.latency.kind);
    ck_assert_int_eq(got->latency.median, want.latency.median);
    ck_assert(got->latency.sigma == want.latency.sigma);
    ck_assert(got->loss == want.loss);
    ck_assert_int_eq(got->loss_model, want.loss_model);
    ck_assert_int_eq(got->retransmit_timeout, want.retransmit_timeout);
    ck_assert(got->bandwidth_bps == want.bandwidth_bps);
    ck_assert_int_eq(got->clock_skew_max, want.clock_skew_max);
    ck_assert_uint_eq(got->nregions, 0);
    ck_assert_uint_eq(got->nregion_links, 0);
    ck_assert_uint_eq(got->npartitions, 0);
    ck_assert_ptr_null(got->regions);
    ck_assert_int_eq(want.latency.kind, POR_DIST_LOGNORMAL);
    ck_assert_int_eq(want.latency.median, 80 * POR_MS);
    ck_assert(want.latency.sigma == 0.5);
    ck_assert_int_eq(want.retransmit_timeout, 200 * POR_MS);
    ck_assert_int_eq(want.loss_model, POR_LOSS_RETRANSMIT);
    ck_assert(want.loss == 0 && want.bandwidth_bps == 0);
    ck_assert_uint_eq(sc->nconsumers, 0);
    ck_assert_ptr_null(sc->consumers);
    por_scenario_free(sc);
    /* a consumer giving only name and thresholds: poll_every and chain from the table */
    const char *two[] = {"chains=[{\"name\": \"a\"}, {\"name\": \"b\"}]", "feed.chain=\"b\"",
                         ("consumers=[{\"name\": \"l\", \"thresholds\": [{\"ratio\": \"90%\", \"action\": "
                          "\"pause\"}]}]")};
    sc = load_ok("{\"duration\": \"1d\"}", two, 3);
    por_consumer_config cwant;
    memset(&cwant, 0, sizeof cwant);
    por_param_defaults_in(&por_consumer_param_table, &cwant, sc);
    ck_assert_uint_eq(sc->nconsumers, 1);
    ck_assert_int_eq(sc->consumers[0].poll_every, cwant.poll_every);
    ck_assert_int_eq(cwant.poll_every, POR_MIN);
    ck_assert_uint_eq(sc->consumers[0].chain, 1); /* feed.chain "b" */
    ck_assert_uint_eq(cwant.chain, 1);
    por_scenario_free(sc);
}
END_TEST

/* The generic types added for consumers[] and network: a good value of each is stored
 * as the struct field holds it, and each refusal keeps the hand-written reader's
 * message and JSON path. */
START_TEST(test_param_types)
{
    const char *doc = "{\"duration\": \"1d\", \"feed\": {\"ocr\": {\"n\": 6, \"f\": 1}}}";
    const char *th = "\"thresholds\": [{\"ratio\": \"90%\", \"action\": \"pause\"}]";
    char set[512];
    const char *sets[1] = {set};
    /* NAME (and ARRAY of tables, REF of a chain) */
    snprintf(set, sizeof set, "consumers=[{\"name\": \"lender\", \"chain\": \"ethereum\", %s}, {\"name\": \"b\", %s}]",
             th, th);
    por_scenario *sc = load_ok(doc, sets, 1);
    ck_assert_uint_eq(sc->nconsumers, 2);
    ck_assert_str_eq(sc->consumers[0].name, "lender");
    ck_assert_str_eq(sc->consumers[1].name, "b");
    ck_assert_uint_eq(sc->consumers[0].chain, 0);
    ck_assert_uint_eq(sc->consumers[0].nthresholds, 1);
    ck_assert_int_eq(sc->consumers[0].thresholds[0].ratio_ppb, 9 * POR_PPB_ONE / 10);
    por_scenario_free(sc);
    snprintf(set, sizeof set, "consumers=[{\"name\": 3, %s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0].name: expected a string, got 3 "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"\", %s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0].name: expected a non-empty string, got \"\" "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"%0100d\", %s}]", 0, th);
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, sets, 1), "$.consumers[0].name: expected at most 63 characters, got 100 "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"a\", %s}, {\"name\": \"a\", %s}]", th, th);
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, sets, 1), "$.consumers[1].name: duplicate consumer name \"a\" (also used by entry 0) "));
    snprintf(set, sizeof set, "consumers=[{%s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0].name: missing required key "));
    /* REF */
    snprintf(set, sizeof set, "consumers=[{\"name\": \"a\", \"chain\": \"ethereun\", %s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1),
                                 "$.consumers[0].chain: unknown chain \"ethereun\"; did you mean \"ethereum\"? "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"a\", \"chain\": 1, %s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0].chain: expected the name of a chain, got 1 "));
    /* ARRAY: not an array, too short, too long, an element not an object */
    snprintf(set, sizeof set, "consumers={}");
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers: expected an array, got an object "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"a\", \"thresholds\": []}]");
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, sets, 1), "$.consumers[0].thresholds: expected at least 1 element, got 0 "));
    snprintf(set, sizeof set, "network.regions=[");
    for (int i = 0; i < 32; i++)
        snprintf(set + strlen(set), sizeof set - strlen(set), "%s{}", i ? "," : "");
    snprintf(set + strlen(set), sizeof set - strlen(set), "]");
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.network.regions: expected at most 31 elements, got 32 "));
    snprintf(set, sizeof set, "consumers=[5]");
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0]: expected an object, got 5 "));
    snprintf(set, sizeof set, "consumers=[{\"name\": \"a\", \"chian\": \"x\", %s}]", th);
    ck_assert_ptr_nonnull(strstr(load_err(doc, sets, 1), "$.consumers[0].chian: unknown key; did you mean \"chain\"? "));
    /* PROBABILITY */
    const char *loss[] = {"network.loss=0.25"};
    sc = load_ok(doc, loss, 1);
    ck_assert(sc->network.loss == 0.25);
    por_scenario_free(sc);
    const char *loss_bad[] = {"network.loss=1.5"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, loss_bad, 1), "$.network.loss: expected a probability in [0, 1], got 1.5 "));
    const char *loss_str[] = {"network.loss=\"1%\""};
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, loss_str, 1), "$.network.loss: expected a probability in [0, 1], got \"1%\" "));
    /* DISTRIBUTION: a constant, an object, a wrong type, an unknown kind */
    const char *lat_c[] = {"network.latency=\"30ms\""};
    sc = load_ok(doc, lat_c, 1);
    ck_assert_int_eq(sc->network.latency.kind, POR_DIST_CONSTANT);
    ck_assert_int_eq(sc->network.latency.value, 30 * POR_MS);
    por_scenario_free(sc);
    const char *lat_p[] = {"network.latency={\"dist\": \"pareto\", \"scale\": \"40ms\", \"shape\": 3}"};
    sc = load_ok(doc, lat_p, 1);
    ck_assert_int_eq(sc->network.latency.kind, POR_DIST_PARETO);
    ck_assert_int_eq(sc->network.latency.scale, 40 * POR_MS);
    ck_assert(sc->network.latency.shape == 3);
    por_scenario_free(sc);
    const char *lat_bad[] = {"network.latency=5"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, lat_bad, 1),
                                 "$.network.latency: expected a duration such as \"80ms\" or an object such as "
                                 "{\"dist\": \"lognormal\", \"median\": \"80ms\", \"sigma\": 0.5}, got 5 "));
    /* WINDOW (inline keys of a partition) */
    const char *win[] = {"network.partitions=[{\"at\": \"6h\", \"for\": \"30m\", \"groups\": [[0, 1], [2]]}]"};
    sc = load_ok(doc, win, 1);
    ck_assert_uint_eq(sc->network.npartitions, 1);
    ck_assert_int_eq(sc->network.partitions[0].window.from, 6 * POR_HOUR);
    ck_assert_int_eq(sc->network.partitions[0].window.until, 6 * POR_HOUR + 30 * POR_MIN);
    ck_assert_uint_eq(sc->network.partitions[0].ngroups, 2);
    por_scenario_free(sc);
    const char *win_open[] = {"network.partitions=[{\"groups\": [[0]]}]"};
    sc = load_ok(doc, win_open, 1);
    ck_assert_int_eq(sc->network.partitions[0].window.from, 0);
    ck_assert_int_eq(sc->network.partitions[0].window.until, POR_TIME_MAX);
    por_scenario_free(sc);
    const char *win_both[] = {"network.partitions=[{\"from\": \"1h\", \"at\": \"1h\", \"groups\": [[0]]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, win_both, 1),
                                 "$.network.partitions[0].at: give either \"from\" or \"at\", not both "));
    const char *win_order[] = {"network.partitions=[{\"from\": \"2h\", \"until\": \"1h\", \"groups\": [[0]]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, win_order, 1),
                                 "$.network.partitions[0].until: needs until > from, got from=2h until=1h "));
    const char *win_key[] = {"network.partitions=[{\"fro\": \"2h\", \"groups\": [[0]]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, win_key, 1),
                                 "$.network.partitions[0].fro: unknown key; did you mean \"from\"? "));
    /* CUSTOM: bandwidth as a number or a unit string; refused otherwise */
    const char *bw[] = {"network.bandwidth=\"2.5Gbps\""};
    sc = load_ok(doc, bw, 1);
    ck_assert(sc->network.bandwidth_bps == 2.5e9);
    por_scenario_free(sc);
    const char *bw_bad[] = {"network.bandwidth=\"100Mbit\""};
    ck_assert_ptr_nonnull(strstr(load_err(doc, bw_bad, 1),
                                 "$.network.bandwidth: expected bits per second as a number or a string such as "
                                 "\"100Mbps\" (bps, kbps, Mbps, Gbps), got \"100Mbit\" "));
    /* a region RULE: an oracle in two regions, at the second one's index of it */
    const char *reg[] = {"network.regions=[{\"name\": \"a\", \"nodes\": [0, 1]}, {\"name\": \"b\", \"nodes\": [2, 1]}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, reg, 1),
                                 "$.network.regions[1].nodes[1]: oracle 1 is already in region \"a\" "));
}
END_TEST

/* custodians[].attestation: its defaults (an API refreshed hourly at a random phase,
 * lognormal 200 ms answers, SCHEMA.md custodians[]; a wallet read live), and the WINDOWS
 * type its outages and ripcords use: good lists stored in order, each refusal with the
 * hand-written reader's message. */
START_TEST(test_attestation_table)
{
    por_scenario *sc = por_scenario_defaults();
    por_custodian_config want;
    memset(&want, 0, sizeof want);
    want.source = POR_SOURCE_ATTESTED_API; /* the table derives every from source */
    por_param_defaults(&por_attestation_param_table, &want);
    const por_custodian_config *got = &sc->custodians[0];
    ck_assert_int_eq(got->attest_every, want.attest_every);
    ck_assert_int_eq(want.attest_every, POR_HOUR);
    ck_assert(got->attest_phase_random && want.attest_phase_random);
    ck_assert_int_eq(got->attest_lag, want.attest_lag);
    ck_assert_int_eq(got->api_latency.kind, POR_DIST_LOGNORMAL);
    ck_assert_int_eq(got->api_latency.median, want.api_latency.median);
    ck_assert_int_eq(want.api_latency.median, 200 * POR_MS);
    ck_assert(got->api_latency.sigma == want.api_latency.sigma && want.api_latency.sigma == 0.5);
    ck_assert(got->failure_rate == 0 && want.failure_rate == 0);
    ck_assert_uint_eq(got->noutages, 0);
    ck_assert_uint_eq(got->nripcords, 0);
    ck_assert_uint_eq(got->rate_limit_per_min, want.rate_limit_per_min);
    ck_assert(!got->skip_weekends && !want.skip_weekends);
    ck_assert_uint_eq(got->first_day, want.first_day);
    por_scenario_free(sc);
    /* a wallet custodian: every 0 (live), so no random phase */
    memset(&want, 0, sizeof want);
    want.source = POR_SOURCE_WALLET;
    por_param_defaults(&por_attestation_param_table, &want);
    ck_assert_int_eq(want.attest_every, 0);
    ck_assert(!want.attest_phase_random);

    const char *doc = "{\"duration\": \"1d\"}";
    const char *win[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"every\": \"2h\", \"phase\": \"30m\", "
                         "\"outages\": [{\"at\": \"1h\", \"for\": \"1h\"}, {\"from\": \"5h\"}], "
                         "\"ripcords\": [{\"from\": \"3h\", \"until\": \"4h\"}]}}]"};
    sc = load_ok(doc, win, 1);
    got = &sc->custodians[0];
    ck_assert_int_eq(got->attest_every, 2 * POR_HOUR);
    ck_assert(!got->attest_phase_random);
    ck_assert_int_eq(got->attest_phase, 30 * POR_MIN);
    ck_assert_uint_eq(got->noutages, 2);
    ck_assert_int_eq(got->outages[0].from, POR_HOUR);
    ck_assert_int_eq(got->outages[0].until, 2 * POR_HOUR);
    ck_assert_int_eq(got->outages[1].from, 5 * POR_HOUR);
    ck_assert_int_eq(got->outages[1].until, POR_TIME_MAX);
    ck_assert_uint_eq(got->nripcords, 1);
    ck_assert_int_eq(got->ripcords[0].until, 4 * POR_HOUR);
    por_scenario_free(sc);
    const char *w_obj[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"outages\": {}}}]"};
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, w_obj, 1), "$.custodians[0].attestation.outages: expected an array, got an object "));
    const char *w_elem[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"ripcords\": [5]}}]"};
    ck_assert_ptr_nonnull(
        strstr(load_err(doc, w_elem, 1), "$.custodians[0].attestation.ripcords[0]: expected an object, got 5 "));
    const char *w_key[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"outages\": [{\"fro\": \"1h\"}]}}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, w_key, 1),
                                 "$.custodians[0].attestation.outages[0].fro: unknown key; did you mean \"from\"? "));
    const char *w_order[] = {
        "custodians=[{\"name\": \"b\", \"attestation\": {\"outages\": [{\"from\": \"2h\", \"until\": \"1h\"}]}}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, w_order, 1), "$.custodians[0].attestation.outages[0].until: needs until "
                                                             "> from, got from=2h until=1h "));
    /* the table's rules: the phase below every; the market calendar needs a periodic figure */
    const char *ph[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"every\": \"1h\", \"phase\": \"2h\"}}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, ph, 1),
                                 "$.custodians[0].attestation.phase: needs phase < every, got phase=2h every=1h "));
    const char *sw[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"every\": \"0s\", \"skip_weekends\": true}}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, sw, 1), "$.custodians[0].attestation.skip_weekends: needs a periodic "
                                                       "attestation (source \"api\" with every > 0)"));
    const char *fd[] = {"custodians=[{\"name\": \"b\", \"attestation\": {\"first_day\": \"friday\"}}]"};
    ck_assert_ptr_nonnull(strstr(load_err(doc, fd, 1), "$.custodians[0].attestation.first_day: has no effect without "
                                                       "\"skip_weekends\": true "));
}
END_TEST

/* `porsim schema json` prints the committed JSON Schema; `markdown FILE` reprints the
 * committed SCHEMA.md unchanged (it is up to date); bad usage exits 2. */
START_TEST(test_schema_command)
{
    const char *dir = por_test_tmpdir("params_cli");
    char out[512], args[1024];
    snprintf(out, sizeof out, "%s/schema.json", dir);
    ck_assert_int_eq(por_test_run_cli("schema json", out), 0);
    char *got = por_test_slurp(out), *want = por_test_slurp(POR_SCENARIO_DIR "/../docs/porsim.schema.json");
    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_nonnull(want);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    snprintf(out, sizeof out, "%s/SCHEMA.md", dir);
    snprintf(args, sizeof args, "schema markdown '%s'", POR_SCENARIO_DIR "/SCHEMA.md");
    ck_assert_int_eq(por_test_run_cli(args, out), 0);
    got = por_test_slurp(out);
    want = por_test_slurp(POR_SCENARIO_DIR "/SCHEMA.md");
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    ck_assert_int_eq(por_test_run_cli("schema", NULL), 2);
    ck_assert_int_eq(por_test_run_cli("schema markdown /nonexistent/SCHEMA.md", NULL), 2);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("params");
    TCase *t = tcase_create("params");
    tcase_add_test(t, test_schema_md_is_generated);
    tcase_add_test(t, test_json_schema_is_generated);
    tcase_add_test(t, test_markdown_apply_errors);
    tcase_add_test(t, test_defaults_from_table);
    tcase_add_test(t, test_derived_defaults_follow_rules);
    tcase_add_test(t, test_reader_messages);
    tcase_add_test(t, test_schema_command);
    tcase_add_test(t, test_defaults_network_consumers);
    tcase_add_test(t, test_param_types);
    tcase_add_test(t, test_attestation_table);
    suite_add_tcase(s, t);
    return s;
}
