/* The scenario reference generated from the parameter tables (por/schema.h): markdown
 * rows for scenarios/SCHEMA.md and a JSON Schema for editors. Both read only the tables,
 * so the documentation cannot drift from what the loader accepts. */
#include "por/schema.h"

#include "json_read.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The top level ("$") comes first (its SECTION rows create the sections' properties); an
 * array's element table comes after the table holding the array (the JSON Schema
 * places it inside the array's "items"); a nested table (chains[].txm) comes after the
 * table whose OBJECT row holds it. */
const por_param_table *const por_param_tables[] = {
    &por_scenario_param_table, &por_metrics_param_table, &por_network_param_table, &por_region_param_table,
    &por_partition_param_table, &por_custodian_param_table, &por_reserve_param_table, &por_drift_param_table,
    &por_attestation_param_table, &por_chain_param_table, &por_congestion_param_table, &por_txm_param_table,
    &por_feed_param_table,
    &por_ocr_param_table, &por_token_param_table, &por_mints_param_table, &por_redeems_param_table,
    &por_bridges_param_table, &por_refresh_param_table, &por_consumer_param_table,
    &por_threshold_param_table, &por_attacker_param_table, &por_secure_mint_param_table, &por_margin_param_table,
    NULL};

#define POR__SCHEMA_BEGIN "<!-- porsim schema "
#define POR__SCHEMA_END "<!-- end porsim schema -->"

/* A growing heap string. */
typedef struct {
    char *s;
    size_t len, cap;
} por__sbuf;

__attribute__((format(printf, 2, 3))) static void por__sb_printf(por__sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    POR_ASSERT(n >= 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = por_xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void por__sb_put(por__sbuf *b, const char *s, size_t n) { por__sb_printf(b, "%.*s", (int)n, s); }

/* The enum's names as "\"a\", \"b\" or \"c\"". */
static void por__schema_names(por__sbuf *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        por__sb_printf(b, "%s`\"%s\"`", i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
}

static const char *const por__schema_ref_kind[] = {[POR_REF_CHAIN] = "chain", [POR_REF_CUSTODIAN] = "custodian"};

static void por__schema_type(por__sbuf *b, const por_param *p)
{
    char x[48], y[48];
    switch (p->type) {
    case POR_PARAM_UINT32:
        por__sb_printf(b, "integer %llu..%llu", (unsigned long long)p->min.u, (unsigned long long)p->max.u);
        break;
    case POR_PARAM_DURATION:
        por__sb_printf(b, "duration %s", p->positive ? "> 0" : ">= 0");
        break;
    case POR_PARAM_PERCENT:
        por__sb_printf(b, "percentage %s..%s", por__percent_format(p->min.i, x, sizeof x),
                       por__percent_format(p->max.i, y, sizeof y));
        break;
    case POR_PARAM_ENUM:
    case POR_PARAM_VARIANT:
        por__schema_names(b, p->names);
        break;
    case POR_PARAM_BOOL:
        por__sb_printf(b, "boolean");
        break;
    case POR_PARAM_NUMBER:
        por__sb_printf(b, "number %s %g, %s %g", p->min_open ? ">" : ">=", p->min.d, p->max_open ? "<" : "<=",
                       p->max.d);
        break;
    case POR_PARAM_UINT32_LIST:
        por__sb_printf(b, "array of 1..%zu integers %llu..%llu", p->max_len, (unsigned long long)p->min.u,
                       (unsigned long long)p->max.u);
        break;
    case POR_PARAM_NAME:
        por__sb_printf(b, "string of 1..%zu characters", p->max_len - 1);
        break;
    case POR_PARAM_REF:
        por__sb_printf(b, "%s name", por__schema_ref_kind[p->ref]);
        break;
    case POR_PARAM_PROBABILITY:
        por__sb_printf(b, "probability 0..1");
        break;
    case POR_PARAM_DISTRIBUTION:
        por__sb_printf(b, "duration distribution");
        break;
    case POR_PARAM_WINDOWS:
        por__sb_printf(b, "array of windows (`from`/`at`, `until`/`for`");
        if (p->sub)
            for (size_t i = 1; i < p->sub->nparams; i++)
                if (p->sub->params[i].type != POR_PARAM_RULE)
                    por__sb_printf(b, ", `%s`", p->sub->params[i].name);
        if (p->sub)
            por__sb_printf(b, "; `%s`", p->sub->path);
        por__sb_printf(b, ")");
        break;
    case POR_PARAM_WINDOW:
        por__sb_printf(b, "window");
        break;
    case POR_PARAM_ARRAY:
        por__sb_printf(b, "array of %zu..%zu objects (`%s`)", p->min_len, p->max_len, p->sub->path);
        break;
    case POR_PARAM_UINT64:
        por__sb_printf(b, "integer %llu..%llu", (unsigned long long)p->min.u, (unsigned long long)p->max.u);
        if (p->decimal_string)
            por__sb_printf(b, " or the same as a decimal string (from 2^53 on only as a string)");
        break;
    case POR_PARAM_GWEI:
        por__sb_printf(b, "gwei %s %g, %s %g", p->min_open ? ">" : ">=", p->min.d, p->max_open ? "<" : "<=",
                       p->max.d);
        break;
    case POR_PARAM_OBJECT:
        por__sb_printf(b, "object");
        break;
    case POR_PARAM_CUSTOM:
    case POR_PARAM_SECTION:
        por__sb_printf(b, "%s", p->type_doc);
        break;
    case POR_PARAM_AMOUNT:
        por__sb_printf(b, "amount%s", p->positive ? " > 0" : p->negative ? "" : " >= 0");
        break;
    case POR_PARAM_REF_LIST:
        por__sb_printf(b, "array of 1..%zu %s names, no repeats", p->max_len, por__schema_ref_kind[p->ref]);
        break;
    case POR_PARAM_AMOUNT_DIST:
        por__sb_printf(b, "amount distribution");
        break;
    case POR_PARAM_RULE:
        break;
    }
    if (p->unit)
        por__sb_printf(b, " (%s)", p->unit);
}

/* A duration distribution as the JSON that gives it. */
static void por__schema_dist(por__sbuf *b, const por_duration_dist *d)
{
    char x[48], y[48];
    switch (d->kind) {
    case POR_DIST_CONSTANT:
        por__sb_printf(b, "\"%s\"", por_param_duration_text(d->value, x, sizeof x));
        break;
    case POR_DIST_UNIFORM:
        por__sb_printf(b, "{\"dist\": \"uniform\", \"min\": \"%s\", \"max\": \"%s\"}",
                       por_param_duration_text(d->min, x, sizeof x), por_param_duration_text(d->max, y, sizeof y));
        break;
    case POR_DIST_NORMAL:
        por__sb_printf(b, "{\"dist\": \"normal\", \"mean\": \"%s\", \"sd\": \"%s\"}",
                       por_param_duration_text(d->mean, x, sizeof x), por_param_duration_text(d->sd, y, sizeof y));
        break;
    case POR_DIST_LOGNORMAL:
        por__sb_printf(b, "{\"dist\": \"lognormal\", \"median\": \"%s\", \"sigma\": %g}",
                       por_param_duration_text(d->median, x, sizeof x), d->sigma);
        break;
    case POR_DIST_PARETO:
        por__sb_printf(b, "{\"dist\": \"pareto\", \"scale\": \"%s\", \"shape\": %g}",
                       por_param_duration_text(d->scale, x, sizeof x), d->shape);
        break;
    case POR_DIST_EXPONENTIAL:
        por__sb_printf(b, "{\"dist\": \"exponential\", \"mean\": \"%s\"}",
                       por_param_duration_text(d->mean, x, sizeof x));
        break;
    case POR_DIST_EMPIRICAL:
        POR_ASSERT(!"an empirical default");
    }
}

/* The row's key(s) as the markdown shows them. */
static void por__schema_key(por__sbuf *b, const char *prefix, const por_param *p)
{
    const char *dot = *prefix ? "." : "";
    if (p->type == POR_PARAM_WINDOW)
        por__sb_printf(b, "`%s%sfrom`/`at`, `%s%suntil`/`for`", prefix, dot, prefix, dot);
    else
        por__sb_printf(b, "`%s%s%s`", prefix, dot, p->name);
}

static void por__schema_default(por__sbuf *b, const por_param *p)
{
    char x[48];
    if (p->required) {
        por__sb_printf(b, "**required**%s%s", p->default_doc ? " " : "", p->default_doc ? p->default_doc : "");
        return;
    }
    if (p->derive || p->derive_in || p->default_doc) {
        por__sb_printf(b, "%s", p->default_doc);
        return;
    }
    switch (p->type) {
    case POR_PARAM_UINT32:
        por__sb_printf(b, "`%llu`", (unsigned long long)p->def.u);
        break;
    case POR_PARAM_DURATION:
        por__sb_printf(b, "`\"%s\"`", por_param_duration_text(p->def.i, x, sizeof x));
        break;
    case POR_PARAM_PERCENT:
        por__sb_printf(b, "`\"%s\"`", por__percent_format(p->def.i, x, sizeof x));
        break;
    case POR_PARAM_ENUM:
    case POR_PARAM_VARIANT:
        por__sb_printf(b, "`\"%s\"`", p->names[p->def.u]);
        break;
    case POR_PARAM_BOOL:
        por__sb_printf(b, "`%s`", p->def.u ? "true" : "false");
        break;
    case POR_PARAM_NUMBER:
        por__sb_printf(b, "`%g`", p->def.d);
        break;
    case POR_PARAM_UINT32_LIST:
        por__sb_printf(b, "`[]`");
        break;
    case POR_PARAM_NAME:
        por__sb_printf(b, "`\"%s\"`", p->def_text);
        break;
    case POR_PARAM_PROBABILITY:
        por__sb_printf(b, "`%g`", p->def.d);
        break;
    case POR_PARAM_DISTRIBUTION:
        por__sb_printf(b, "`");
        por__schema_dist(b, p->def_ptr);
        por__sb_printf(b, "`");
        break;
    case POR_PARAM_WINDOWS:
    case POR_PARAM_ARRAY:
    case POR_PARAM_CUSTOM:
    case POR_PARAM_REF_LIST:
    case POR_PARAM_AMOUNT_DIST:
        por__sb_printf(b, "none");
        break;
    case POR_PARAM_OBJECT:
        por__sb_printf(b, "its keys' defaults");
        break;
    case POR_PARAM_WINDOW:
        por__sb_printf(b, "the whole run");
        break;
    case POR_PARAM_UINT64:
        por__sb_printf(b, "`%llu`", (unsigned long long)p->def.u);
        break;
    case POR_PARAM_GWEI:
        por__sb_printf(b, "`%g`", p->def.d);
        break;
    case POR_PARAM_AMOUNT:
        POR_ASSERT(p->def.a == 0); /* other defaults are given in words (.default_doc) */
        por__sb_printf(b, "`\"0\"`");
        break;
    case POR_PARAM_REF:
        por__sb_printf(b, "entry %llu", (unsigned long long)p->def.u);
        break;
    case POR_PARAM_RULE:
    case POR_PARAM_SECTION: /* always a .default_doc */
        break;
    }
}

/* T's rows as a markdown table with keys under PREFIX, then its rules in words. */
static void por__schema_rows(por__sbuf *b, const por_param_table *t, const char *prefix)
{
    por__sb_printf(b, "| key | type | default |\n|---|---|---|\n");
    for (size_t i = 0; i < t->nparams; i++) {
        const por_param *p = &t->params[i];
        if (p->type == POR_PARAM_RULE)
            continue;
        por__sb_printf(b, "| ");
        por__schema_key(b, prefix, p);
        por__sb_printf(b, " | ");
        por__schema_type(b, p);
        por__sb_printf(b, ": %s | ", p->doc);
        por__schema_default(b, p);
        por__sb_printf(b, " |\n");
    }
    const char *sep = "\nRules across keys: ";
    for (size_t i = 0; i < t->nparams; i++)
        if (t->params[i].type == POR_PARAM_RULE) {
            por__sb_printf(b, "%s%s", sep, t->params[i].doc);
            sep = "; ";
        }
    if (t->check_doc)
        por__sb_printf(b, "%s%s", sep, t->check_doc);
    if (strcmp(sep, "; ") == 0 || t->check_doc)
        por__sb_printf(b, ".\n");
}

char *por_schema_markdown(const por_param_table *t)
{
    por__sbuf b = {0};
    /* Keys are written relative to the section heading ("## feed" lists "ocr.n"). */
    const char *dot = strchr(t->path, '.');
    const char *prefix = dot ? dot + 1 : "";
    por__schema_rows(&b, t, prefix);
    for (size_t i = 0; i < t->nparams; i++) { /* a VARIANT: each value's own keys */
        const por_param *p = &t->params[i];
        if (p->type != POR_PARAM_VARIANT)
            continue;
        for (size_t v = 0; p->names[v]; v++) {
            if (p->variants[v]->nparams == 0) {
                por__sb_printf(&b, "\nWith `\"%s\": \"%s\"`: no other keys.\n", p->name, p->names[v]);
                continue;
            }
            por__sb_printf(&b, "\nWith `\"%s\": \"%s\"`:\n\n", p->name, p->names[v]);
            por__schema_rows(&b, p->variants[v], prefix);
        }
    }
    return b.s;
}

static const por_param_table *por__schema_table(const char *path, size_t len)
{
    for (size_t i = 0; por_param_tables[i]; i++)
        if (strlen(por_param_tables[i]->path) == len && memcmp(por_param_tables[i]->path, path, len) == 0)
            return por_param_tables[i];
    return NULL;
}

char *por_schema_markdown_apply(const char *doc, por_error *err)
{
    por__sbuf b = {0};
    por__sb_printf(&b, "%s", "");
    const char *p = doc;
    for (;;) {
        const char *begin = strstr(p, POR__SCHEMA_BEGIN);
        if (!begin) {
            por__sb_printf(&b, "%s", p);
            return b.s;
        }
        const char *eol = strchr(begin, '\n');
        const char *end = strstr(begin, POR__SCHEMA_END);
        const char *path = begin + strlen(POR__SCHEMA_BEGIN);
        size_t plen = strcspn(path, " \n");
        const por_param_table *t = por__schema_table(path, plen);
        if (!eol || !end || !t) {
            por_error_set(err, POR_EINPUT, "generated block \"%.*s\": %s", (int)plen, path,
                          !t ? "names no parameter table" : "has no end line " POR__SCHEMA_END);
            free(b.s);
            return NULL;
        }
        por__sb_put(&b, p, (size_t)(eol + 1 - p));
        char *md = por_schema_markdown(t);
        por__sb_printf(&b, "%s", md);
        free(md);
        p = end;
    }
}

/* ---- JSON Schema ------------------------------------------------------------------ */

/* Adds to O a "oneOf" of the $ref REF (the plain value) and an object with a "dist" key
 * (scenarios/SCHEMA.md, Distributions); returns that object, for more constraints. */
static cJSON *por__schema_dist_one_of(cJSON *o, const char *ref)
{
    cJSON *one = cJSON_AddArrayToObject(o, "oneOf");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "$ref", ref);
    cJSON_AddItemToArray(one, r);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "type", "object");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "required"), cJSON_CreateString("dist"));
    cJSON_AddItemToArray(one, d);
    return d;
}

static cJSON *por__schema_property(const por_param *p)
{
    char x[48];
    cJSON *o = cJSON_CreateObject();
    por__sbuf d = {0};
    por__schema_type(&d, p);
    por__sb_printf(&d, ": %s", p->doc);
    if ((p->derive || p->derive_in || p->default_doc) && !p->required)
        por__sb_printf(&d, ". Default: %s", p->default_doc);
    cJSON_AddStringToObject(o, "description", d.s);
    free(d.s);
    switch (p->type) {
    case POR_PARAM_UINT32:
        cJSON_AddStringToObject(o, "type", "integer");
        cJSON_AddNumberToObject(o, "minimum", (double)p->min.u);
        cJSON_AddNumberToObject(o, "maximum", (double)p->max.u);
        if (!p->derive && !p->required)
            cJSON_AddNumberToObject(o, "default", (double)p->def.u);
        break;
    case POR_PARAM_DURATION:
        cJSON_AddStringToObject(o, "$ref", "#/$defs/duration");
        if (!p->derive && !p->required)
            cJSON_AddStringToObject(o, "default", por_param_duration_text(p->def.i, x, sizeof x));
        break;
    case POR_PARAM_PERCENT:
        cJSON_AddStringToObject(o, "$ref", "#/$defs/percentage");
        if (!p->derive && !p->required)
            cJSON_AddStringToObject(o, "default", por__percent_format(p->def.i, x, sizeof x));
        break;
    case POR_PARAM_ENUM:
    case POR_PARAM_VARIANT: {
        cJSON *e = cJSON_AddArrayToObject(o, "enum");
        for (size_t i = 0; p->names[i]; i++)
            cJSON_AddItemToArray(e, cJSON_CreateString(p->names[i]));
        if (!p->derive && !p->required)
            cJSON_AddStringToObject(o, "default", p->names[p->def.u]);
        break;
    }
    case POR_PARAM_BOOL:
        cJSON_AddStringToObject(o, "type", "boolean");
        if (!p->derive && !p->required)
            cJSON_AddBoolToObject(o, "default", p->def.u != 0);
        break;
    case POR_PARAM_NUMBER:
        cJSON_AddStringToObject(o, "type", "number");
        cJSON_AddNumberToObject(o, p->min_open ? "exclusiveMinimum" : "minimum", p->min.d);
        cJSON_AddNumberToObject(o, p->max_open ? "exclusiveMaximum" : "maximum", p->max.d);
        if (!p->derive && !p->required)
            cJSON_AddNumberToObject(o, "default", p->def.d);
        break;
    case POR_PARAM_UINT32_LIST: {
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddNumberToObject(o, "minItems", 1);
        cJSON_AddNumberToObject(o, "maxItems", (double)p->max_len);
        cJSON *it = cJSON_AddObjectToObject(o, "items");
        cJSON_AddStringToObject(it, "type", "integer");
        cJSON_AddNumberToObject(it, "minimum", (double)p->min.u);
        cJSON_AddNumberToObject(it, "maximum", (double)p->max.u);
        break;
    }
    case POR_PARAM_UINT64:
        if (p->decimal_string) { /* the pattern binds the string; the loader the number's 2^53 (a
                                    double cannot print 2^53 - 1 exactly as "maximum") */
            cJSON *types = cJSON_AddArrayToObject(o, "type");
            cJSON_AddItemToArray(types, cJSON_CreateString("integer"));
            cJSON_AddItemToArray(types, cJSON_CreateString("string"));
            cJSON_AddStringToObject(o, "pattern", "^[0-9]{1,20}$");
            cJSON_AddNumberToObject(o, "minimum", (double)p->min.u);
        } else {
            cJSON_AddStringToObject(o, "type", "integer");
            cJSON_AddNumberToObject(o, "minimum", (double)p->min.u);
            cJSON_AddNumberToObject(o, "maximum", (double)p->max.u);
        }
        if (!p->required)
            cJSON_AddNumberToObject(o, "default", (double)p->def.u);
        break;
    case POR_PARAM_NAME:
        cJSON_AddStringToObject(o, "type", "string");
        cJSON_AddNumberToObject(o, "minLength", 1);
        cJSON_AddNumberToObject(o, "maxLength", (double)(p->max_len - 1));
        if (!p->required && p->def_text)
            cJSON_AddStringToObject(o, "default", p->def_text);
        break;
    case POR_PARAM_REF:
        cJSON_AddStringToObject(o, "type", "string");
        break;
    case POR_PARAM_PROBABILITY:
        cJSON_AddStringToObject(o, "type", "number");
        cJSON_AddNumberToObject(o, "minimum", 0);
        cJSON_AddNumberToObject(o, "maximum", 1);
        if (!p->required)
            cJSON_AddNumberToObject(o, "default", p->def.d);
        break;
    case POR_PARAM_GWEI:
        cJSON_AddStringToObject(o, "type", "number");
        cJSON_AddNumberToObject(o, p->min_open ? "exclusiveMinimum" : "minimum", p->min.d);
        cJSON_AddNumberToObject(o, p->max_open ? "exclusiveMaximum" : "maximum", p->max.d);
        if (!p->required)
            cJSON_AddNumberToObject(o, "default", p->def.d);
        break;
    case POR_PARAM_OBJECT:
        cJSON_AddStringToObject(o, "type", "object"); /* its keys: the sub-table's own entry */
        break;
    case POR_PARAM_AMOUNT:
        cJSON_AddStringToObject(o, "$ref", "#/$defs/amount");
        if (!p->required && !p->default_doc)
            cJSON_AddStringToObject(o, "default", "0");
        break;
    case POR_PARAM_DISTRIBUTION:
        cJSON_AddStringToObject(o, "$ref", "#/$defs/duration_distribution");
        break;
    case POR_PARAM_WINDOWS: /* with .sub, the items' keys are the sub-table's own entry */
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "items"), p->sub ? "type" : "$ref",
                                p->sub ? "object" : "#/$defs/window");
        break;
    case POR_PARAM_ARRAY:
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddNumberToObject(o, "minItems", (double)p->min_len);
        cJSON_AddNumberToObject(o, "maxItems", (double)p->max_len);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "items"), "type", "object");
        break;
    case POR_PARAM_REF_LIST:
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddNumberToObject(o, "minItems", 1);
        cJSON_AddNumberToObject(o, "maxItems", (double)p->max_len);
        cJSON_AddBoolToObject(o, "uniqueItems", true);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "items"), "type", "string");
        break;
    case POR_PARAM_AMOUNT_DIST:
        por__schema_dist_one_of(o, "#/$defs/amount");
        break;
    case POR_PARAM_SECTION: /* its keys: the section's own table, if it has one */
        cJSON_AddStringToObject(o, "type", p->type_doc);
        if (strcmp(p->type_doc, "array") == 0)
            cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "items"), "type", "object");
        break;
    case POR_PARAM_WINDOW: /* its keys are added one by one (por__schema_window) */
    case POR_PARAM_CUSTOM: /* only the description: the form is checked by a hand-written reader */
    case POR_PARAM_RULE:
        break;
    }
    return o;
}

/* The four keys of an inline window, into PROPS. */
static void por__schema_window(cJSON *props)
{
    static const char *const keys[][2] = {{"from", "start (default 0), or \"at\""},
                                          {"at", "start, the same as \"from\""},
                                          {"until", "end (default: open), or \"for\""},
                                          {"for", "length, instead of \"until\""}};
    for (size_t i = 0; i < 4; i++) {
        cJSON *k = cJSON_AddObjectToObject(props, keys[i][0]);
        cJSON_AddStringToObject(k, "$ref", "#/$defs/duration");
        cJSON_AddStringToObject(k, "description", keys[i][1]);
    }
}

/* T's keys as the "properties" (and "required") of O. */
static void por__schema_props(cJSON *o, const por_param_table *t)
{
    cJSON *props = cJSON_AddObjectToObject(o, "properties");
    cJSON *required = NULL;
    for (size_t k = 0; k < t->nparams; k++) {
        const por_param *p = &t->params[k];
        if (p->type == POR_PARAM_RULE)
            continue;
        if (p->type == POR_PARAM_WINDOW) {
            por__schema_window(props);
            continue;
        }
        cJSON_AddItemToObject(props, p->name, por__schema_property(p));
        if (p->required) {
            if (!required)
                required = cJSON_AddArrayToObject(o, "required");
            cJSON_AddItemToArray(required, cJSON_CreateString(p->name));
        }
    }
}

/* The VARIANT row P of O's table: one {"if": {discriminator: const VALUE}, "then": that
 * variant's keys and rules} per value, all in "allOf". */
static void por__schema_variants(cJSON *o, const por_param *p)
{
    cJSON *all = cJSON_AddArrayToObject(o, "allOf");
    for (size_t v = 0; p->names[v]; v++) {
        const por_param_table *t = p->variants[v];
        cJSON *branch = cJSON_CreateObject();
        cJSON *cond = cJSON_AddObjectToObject(branch, "if");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(cond, "properties"), p->name),
                                "const", p->names[v]);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(cond, "required"), cJSON_CreateString(p->name));
        cJSON *then = cJSON_AddObjectToObject(branch, "then");
        por__sbuf d = {0};
        por__sb_printf(&d, "%s \"%s\"", p->name, p->names[v]);
        const char *sep = ". Rules: ";
        for (size_t k = 0; k < t->nparams; k++)
            if (t->params[k].type == POR_PARAM_RULE) {
                por__sb_printf(&d, "%s%s", sep, t->params[k].doc);
                sep = "; ";
            }
        if (t->check_doc)
            por__sb_printf(&d, "%s%s", sep, t->check_doc);
        cJSON_AddStringToObject(then, "description", d.s);
        free(d.s);
        por__schema_props(then, t);
        cJSON_AddItemToArray(all, branch);
    }
}

/* The object schema at PATH ("feed.ocr", "consumers[].thresholds[]") under ROOT,
 * created on the way; "key[]" is an array whose items are that object. */
static cJSON *por__schema_at(cJSON *root, const char *path)
{
    cJSON *o = root;
    if (strcmp(path, "$") == 0)
        return root;
    while (*path) {
        size_t n = strcspn(path, ".");
        bool array = n > 2 && memcmp(path + n - 2, "[]", 2) == 0;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(array ? n - 2 : n), path);
        cJSON *props = cJSON_GetObjectItemCaseSensitive(o, "properties");
        if (!props)
            props = cJSON_AddObjectToObject(o, "properties");
        cJSON *next = cJSON_GetObjectItemCaseSensitive(props, key);
        if (!next) {
            next = cJSON_AddObjectToObject(props, key);
            cJSON_AddStringToObject(next, "type", array ? "array" : "object");
            if (array)
                cJSON_AddStringToObject(cJSON_AddObjectToObject(next, "items"), "type", "object");
        }
        if (array)
            next = cJSON_GetObjectItemCaseSensitive(next, "items");
        o = next;
        path += n;
        if (*path == '.')
            path++;
    }
    return o;
}

char *por_schema_json(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
    cJSON_AddStringToObject(root, "$id", "https://github.com/porsim/porsim/docs/porsim.schema.json");
    cJSON_AddStringToObject(root, "title", "porsim scenario");
    cJSON_AddStringToObject(root, "description",
                            "Generated by `porsim schema json` from the parameter tables beside the models; "
                            "scenarios/SCHEMA.md is the full reference (sections without a table are not "
                            "described here yet).");
    cJSON_AddStringToObject(root, "type", "object");
    cJSON *defs = cJSON_AddObjectToObject(root, "$defs");
    cJSON *dur = cJSON_AddObjectToObject(defs, "duration");
    cJSON_AddStringToObject(dur, "type", "string");
    cJSON_AddStringToObject(dur, "pattern", "^([0-9]+(\\.[0-9]+)?[a-z]+)+$");
    cJSON_AddStringToObject(dur, "description", "a duration: \"250ms\", \"12s\", \"1h30m\", \"1.5s\"");
    cJSON *pct = cJSON_AddObjectToObject(defs, "percentage");
    cJSON_AddStringToObject(pct, "type", "string");
    cJSON_AddStringToObject(pct, "pattern", "^[-+]?[0-9]+(\\.[0-9]+)?%$");
    cJSON_AddStringToObject(pct, "description", "a percentage: \"1%\", \"0.5%\", \"-8%\"");
    cJSON *dd = cJSON_AddObjectToObject(defs, "duration_distribution");
    cJSON_AddStringToObject(dd, "description",
                            "a duration (constant) or {\"dist\": KIND, ...} (scenarios/SCHEMA.md, Distributions)");
    cJSON *dobj = por__schema_dist_one_of(dd, "#/$defs/duration");
    cJSON *kinds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(dobj, "properties"), "dist"),
                                          "enum");
    static const char *const dist_names[] = {"constant", "uniform", "normal", "lognormal", "pareto", "exponential",
                                             "empirical"};
    for (size_t i = 0; i < sizeof dist_names / sizeof dist_names[0]; i++)
        cJSON_AddItemToArray(kinds, cJSON_CreateString(dist_names[i]));
    cJSON *win = cJSON_AddObjectToObject(defs, "window");
    cJSON_AddStringToObject(win, "type", "object");
    cJSON_AddBoolToObject(win, "additionalProperties", false);
    por__schema_window(cJSON_AddObjectToObject(win, "properties"));
    cJSON *amt = cJSON_AddObjectToObject(defs, "amount");
    cJSON_AddStringToObject(amt, "type", "string");
    cJSON_AddStringToObject(amt, "pattern", "^[-+]?[0-9]+(\\.[0-9]+)?$");
    cJSON_AddStringToObject(amt, "description",
                            "an exact decimal amount as a string, at most as many decimals as the section says: "
                            "\"1000000.50\"");
    for (size_t i = 0; por_param_tables[i]; i++) {
        const por_param_table *t = por_param_tables[i];
        cJSON *o = por__schema_at(root, t->path);
        if (t->check_doc) { /* after the description of the OBJECT row that holds it, if any */
            const cJSON *row = cJSON_GetObjectItemCaseSensitive(o, "description");
            por__sbuf d = {0};
            size_t len = row ? strlen(row->valuestring) : 0;
            por__sb_printf(&d, "%s%s%s", row ? row->valuestring : "",
                           !row ? "" : len && row->valuestring[len - 1] == '.' ? " Rules: " : ". Rules: ",
                           t->check_doc);
            cJSON_DeleteItemFromObjectCaseSensitive(o, "description");
            cJSON_AddStringToObject(o, "description", d.s);
            free(d.s);
        }
        const por_param *var = NULL;
        for (size_t k = 0; k < t->nparams; k++)
            if (t->params[k].type == POR_PARAM_VARIANT)
                var = &t->params[k];
        /* with a VARIANT the keys of the if/then branches count as known (2020-12) */
        cJSON_AddBoolToObject(o, var ? "unevaluatedProperties" : "additionalProperties", false);
        por__schema_props(o, t);
        if (var)
            por__schema_variants(o, var);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    POR_ASSERT(s);
    size_t n = strlen(s);
    char *out = por_xmalloc(n + 2);
    memcpy(out, s, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    cJSON_free(s);
    return out;
}
