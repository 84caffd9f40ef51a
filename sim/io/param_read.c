/* The generic reader of parameter tables (por/param.h): checks the object's keys against
 * the table (with the same suggestions as every other object), reads each key with the
 * typed readers of json_read.c (so messages and JSON paths are those of the hand-written
 * readers), fills absent keys from the table's defaults, and runs the table's rules
 * through a por_param_check sink that reports at "$.path.key". Nested objects (OBJECT)
 * are read by their sub-table at "$.path.key"; CUSTOM keys by their io/ reader. A table
 * with a VARIANT row has its discriminator read before the key check, which then allows
 * the chosen variant's keys too ("unknown key for type \"crash\""); the variant's rows
 * are read after the common ones. */
#include "json_read.h"
#include "por/param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    por__jr *c;
    const cJSON *obj;
} por__param_reader;

/* The array an element being read belongs to: NAME's .unique compares with the
 * elements before it. */
typedef struct {
    const char *base; /* element 0 */
    size_t stride, index;
} por__param_elems;

static void por__param_read_in(por__jr *c, const cJSON *obj, const por_param_table *t, void *section,
                               const por_scenario *sc, const por__param_elems *in);

/* The value at KEY, which may be a path below the object, dotted and with elements
 * ("ocr.accept_deviation", "attackers[2].at"), or NULL. */
static const cJSON *por__param_lookup(const por__param_reader *r, const char *key)
{
    const cJSON *o = r->obj;
    char seg[64];
    while (o && *key) {
        size_t n = strcspn(key, ".[");
        snprintf(seg, sizeof seg, "%.*s", (int)n, key);
        o = por__jr_get(o, seg);
        key += n;
        while (o && *key == '[') {
            char *end;
            unsigned long i = strtoul(key + 1, &end, 10);
            o = cJSON_IsArray(o) && *end == ']' ? cJSON_GetArrayItem(o, (int)i) : NULL;
            key = *end == ']' ? end + 1 : end;
        }
        key += *key == '.';
    }
    return o;
}

static bool por__param_given(void *reader, const char *key) { return por__param_lookup(reader, key) != NULL; }

static const char *por__param_describe(void *reader, const char *key, char *buf, size_t n)
{
    return por__jr_describe(por__param_lookup(reader, key), buf, n);
}

__attribute__((noreturn)) static void por__param_fail(void *reader, const char *key, const char *message)
{
    const por__param_reader *r = reader;
    if (key)
        por__jr_push_key(r->c, key);
    por__jr_fail(r->c, "%s", message);
}

static void por__param_warn(void *reader, const char *key, const char *message)
{
    const por__param_reader *r = reader;
    size_t m = por__jr_mark(r->c);
    if (key)
        por__jr_push_key(r->c, key);
    por__jr_warn(r->c, "%s", message);
    por__jr_reset(r->c, m);
}

/* Reads the array V (path pushed) into P's pointer and count: the allocation is attached
 * to the section before any element can fail (json_read.h). */
static void por__param_elements(por__jr *c, const cJSON *v, const por_param *p, char *base, const por_scenario *sc)
{
    size_t n;
    void *elems = por__param_array(c, v, p->min_len, p->max_len, p->stride, &n);
    memcpy(base + p->offset, &elems, sizeof elems);
    memcpy(base + p->count_offset, &n, sizeof n);
    for (size_t i = 0; p->derive && i < n; i++)
        p->derive((char *)elems + i * p->stride); /* what each element starts from */
    por__param_read_elements(c, v, p->sub, elems, p->stride, sc);
}

/* WINDOWS: 0..1000000 windows. Without .sub each element is a por_window read from
 * {"from"|"at", "until"|"for"}; with .sub each element (.stride bytes) is read by .sub,
 * whose first row is the element's WINDOW at offset 0 and whose other rows are the
 * window's own keys. */
static void por__param_windows(por__jr *c, const cJSON *v, const por_param *p, char *base, const por_scenario *sc)
{
    static const por_param window_only[] = {{.type = POR_PARAM_WINDOW, .offset = 0}};
    static const por_param_table plain = {.path = "", .params = window_only, .nparams = 1};
    por_param as_array = *p; /* an ARRAY of its windows */
    as_array.sub = p->sub ? p->sub : &plain;
    as_array.stride = p->sub ? p->stride : sizeof(por_window);
    as_array.min_len = 0;
    as_array.max_len = 1000000;
    as_array.derive = NULL;
    const por_param_table *t = as_array.sub;
    POR_ASSERT(t->nparams > 0 && t->params[0].type == POR_PARAM_WINDOW && t->params[0].offset == 0);
    por__param_elements(c, v, &as_array, base, sc);
}

/* UINT64 with .decimal_string: a decimal string "MIN".."MAX" (all 64 bits), or a JSON
 * number, which reaches porsim as a double: 2^53 + 1 arrives as 2^53, so from 2^53 on the
 * number written cannot be told apart from its neighbours and is refused. */
static uint64_t por__param_uint64_text(por__jr *c, const cJSON *v, const por_param *p)
{
    char got[96];
    if (cJSON_IsString(v) && v->valuestring) {
        const char *s = v->valuestring;
        uint64_t x = 0;
        bool ok = *s != '\0' && strlen(s) <= 20;
        for (; ok && *s; s++) {
            unsigned d = (unsigned)(*s - '0');
            if (*s < '0' || *s > '9' || x > (UINT64_MAX - d) / 10)
                ok = false;
            else
                x = x * 10 + d;
        }
        if (!ok || x < p->min.u || x > p->max.u)
            por__jr_fail(c, "expected a decimal string from \"%llu\" to \"%llu\", got %s", (unsigned long long)p->min.u,
                         (unsigned long long)p->max.u, por__jr_describe(v, got, sizeof got));
        return x;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 9007199254740992.0)
        por__jr_fail(c, "expected an integer below 2^53, got %s (larger integers are not exact in JSON numbers; write "
                        "the %s as a string, e.g. \"9007199254740993\")",
                     por__jr_describe(v, got, sizeof got), p->name);
    return por__jr_v_uint(c, v, p->min.u, p->max.u < 9007199254740991ull ? p->max.u : 9007199254740991ull);
}

/* A list of 1..max_len names of chains or custodians (P->ref; no more than the scenario
 * has), none twice, into P's uint32_t * and count: the allocation is attached before an
 * element can fail. */
static void por__param_ref_list(por__jr *c, const cJSON *v, const por_param *p, char *base, const por_scenario *sc)
{
    bool chain = p->ref == POR_REF_CHAIN;
    size_t have = chain ? sc->nchains : sc->ncustodians;
    size_t n = por__jr_v_array(c, v, 1, have < p->max_len ? have : p->max_len);
    uint32_t *ix = por_xcalloc(n, sizeof *ix);
    memcpy(base + p->offset, &ix, sizeof ix);
    memcpy(base + p->count_offset, &n, sizeof n);
    size_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        ix[i] = chain ? por__sc_chain_ref(c, e, sc) : por__sc_custodian_ref(c, e, sc);
        for (size_t j = 0; j < i; j++)
            if (ix[j] == ix[i])
                por__jr_fail(c, "%s \"%s\" listed twice", chain ? "chain" : "custodian",
                             chain ? sc->chains[ix[i]].name : sc->custodians[ix[i]].name);
        por__jr_reset(c, m);
    }
}

/* The decimals of an AMOUNT or AMOUNT_DIST row: token.decimals, or the section's field. */
static unsigned por__param_decimals(const por_param *p, const char *base, const por_scenario *sc)
{
    uint32_t dec;
    if (p->decimals_in)
        return p->decimals_in(base, sc);
    if (p->token_decimals)
        return sc->token.decimals;
    memcpy(&dec, base + p->decimals_offset, sizeof dec);
    return dec;
}

/* Reads the present key P of OBJ (path already pushed) into FIELD. */
static void por__param_value(por__jr *c, const cJSON *v, const por_param *p, char *base, const por_scenario *sc,
                             const por__param_elems *in)
{
    void *field = base + p->offset;
    switch (p->type) {
    case POR_PARAM_UINT32: {
        uint64_t x;
        if (p->range_msg) {
            x = por__jr_v_uint(c, v, 0, 9007199254740991ull);
            if (x < p->min.u || x > p->max.u)
                por__jr_fail(c, p->range_msg, (unsigned long long)x);
        } else {
            x = por__jr_v_uint(c, v, p->min.u, p->max.u);
        }
        uint32_t u = (uint32_t)x;
        memcpy(field, &u, sizeof u);
        break;
    }
    case POR_PARAM_DURATION: {
        por_time_t t = por__jr_v_duration(c, v, p->positive);
        memcpy(field, &t, sizeof t);
        break;
    }
    case POR_PARAM_PERCENT: {
        int64_t ppb = por__jr_v_percent(c, v, p->min.i, p->max.i);
        memcpy(field, &ppb, sizeof ppb);
        break;
    }
    case POR_PARAM_ENUM: {
        int e = (int)por__jr_v_enum(c, v, p->names);
        memcpy(field, &e, sizeof e);
        break;
    }
    case POR_PARAM_BOOL: {
        bool b = por__jr_v_bool(c, v);
        memcpy(field, &b, sizeof b);
        break;
    }
    case POR_PARAM_NUMBER: {
        double d = por__jr_v_number(c, v, p->min.d, p->min_open, p->max.d, p->max_open);
        memcpy(field, &d, sizeof d);
        break;
    }
    case POR_PARAM_UINT32_LIST: {
        size_t n = por__jr_v_array(c, v, 1, p->max_len);
        uint32_t *arr = field;
        size_t i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t m = por__jr_mark(c);
            por__jr_push_index(c, i);
            arr[i] = (uint32_t)por__jr_v_uint(c, e, p->min.u, p->max.u);
            por__jr_reset(c, m);
        }
        memcpy(base + p->count_offset, &n, sizeof n);
        break;
    }
    case POR_PARAM_NAME:
        por__jr_v_string(c, v, field, p->max_len);
        for (size_t j = 0; p->unique && in && j < in->index; j++)
            if (strcmp(in->base + j * in->stride + p->offset, field) == 0)
                por__jr_fail(c, "duplicate %s name \"%s\" (also used by entry %zu)", p->unique, (char *)field, j);
        break;
    case POR_PARAM_REF: {
        uint32_t r = p->ref == POR_REF_CHAIN ? por__sc_chain_ref(c, v, sc) : por__sc_custodian_ref(c, v, sc);
        memcpy(field, &r, sizeof r);
        break;
    }
    case POR_PARAM_PROBABILITY: {
        char got[96];
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > 1)
            por__jr_fail(c, "expected a probability in [0, 1], got %s", por__jr_describe(v, got, sizeof got));
        memcpy(field, &v->valuedouble, sizeof v->valuedouble);
        break;
    }
    case POR_PARAM_DISTRIBUTION:
        por__jr_v_duration_dist(c, v, field);
        break;
    case POR_PARAM_WINDOWS:
        por__param_windows(c, v, p, base, sc);
        break;
    case POR_PARAM_ARRAY:
        por__param_elements(c, v, p, base, sc);
        break;
    case POR_PARAM_CUSTOM:
        por__param_custom_call(c, v, p, base, sc);
        break;
    case POR_PARAM_UINT64: {
        uint64_t x = p->decimal_string ? por__param_uint64_text(c, v, p) : por__jr_v_uint(c, v, p->min.u, p->max.u);
        memcpy(field, &x, sizeof x);
        break;
    }
    case POR_PARAM_GWEI: {
        double gwei = por__jr_v_number(c, v, p->min.d, p->min_open, p->max.d, p->max_open);
        uint64_t wei = por_param_gwei_to_wei(gwei);
        memcpy(field, &wei, sizeof wei);
        break;
    }
    case POR_PARAM_OBJECT:
        por__param_read_in(c, v, p->sub, field, sc, NULL);
        break;
    case POR_PARAM_AMOUNT: {
        por_amount a = por__jr_v_amount(c, v, por__param_decimals(p, base, sc), p->negative);
        if (p->positive && a == 0)
            por__jr_fail(c, "expected a positive amount, got \"%s\"", v->valuestring);
        memcpy(field, &a, sizeof a);
        break;
    }
    case POR_PARAM_AMOUNT_DIST:
        por__jr_v_amount_dist(c, v, por__param_decimals(p, base, sc), field);
        break;
    case POR_PARAM_REF_LIST:
        por__param_ref_list(c, v, p, base, sc);
        break;
    case POR_PARAM_WINDOW: /* read from the object itself (por__param_read_in) */
    case POR_PARAM_VARIANT: /* read before the key check (por__param_read_in) */
    case POR_PARAM_RULE:
    case POR_PARAM_SECTION: /* read by its section's reader (por__sc_build) */
        break;
    }
}

void por__param_read_key(por__jr *c, const cJSON *obj, const por_param *p, void *section, const por_scenario *sc)
{
    por_param_table one = {.params = p, .nparams = 1};
    const cJSON *v = por__jr_get(obj, p->name);
    size_t m = por__jr_mark(c);
    if (!v && p->required) {
        por__jr_push_key(c, p->name);
        por__jr_fail(c, "missing required key");
    } else if (!v) {
        por_param_defaults_in(&one, section, sc);
    } else {
        por__jr_push_key(c, p->name);
        por__param_value(c, v, p, section, sc, NULL);
    }
    por__jr_reset(c, m);
}

/* Appends T's keys but SKIP's to KEYS (N so far; room for 64), the four window keys for a
 * WINDOW row. */
static void por__param_keys(const por_param_table *t, const por_param *skip, const char **keys, size_t *n)
{
    static const char *const window_keys[] = {"from", "at", "until", "for"};
    for (size_t i = 0; i < t->nparams; i++)
        if (t->params[i].type == POR_PARAM_WINDOW) {
            POR_ASSERT(*n + 4 < 64);
            for (size_t w = 0; w < 4; w++)
                keys[(*n)++] = window_keys[w];
        } else if (t->params[i].type != POR_PARAM_RULE && &t->params[i] != skip) {
            POR_ASSERT(*n < 64);
            keys[(*n)++] = t->params[i].name;
        }
}

/* Reads T's rows (but a VARIANT, read before) from OBJ into SECTION, then T's check. */
static void por__param_rows(por__jr *c, const cJSON *obj, const por_param_table *t, void *section,
                            const por_scenario *sc, const por__param_elems *in, const por_param_check *k)
{
    char *base = section;
    bool sections = false;
    for (size_t i = 0; i < t->nparams; i++) {
        const por_param *p = &t->params[i];
        const cJSON *v = p->name ? por__jr_get(obj, p->name) : NULL;
        size_t m = por__jr_mark(c);
        if (p->type == POR_PARAM_SECTION) {
            sections = true; /* read by the caller, which then runs the check (por__param_check) */
        } else if (p->type == POR_PARAM_RULE) {
            p->rule(k, section);
        } else if (p->type == POR_PARAM_VARIANT) {
            /* read before the key check */
        } else if (p->type == POR_PARAM_WINDOW && obj) {
            por_window w = por__jr_window(c, obj);
            memcpy(base + p->offset, &w, sizeof w);
        } else if (!v && p->required && !c->required_defaults) {
            por__jr_push_key(c, p->name);
            por__jr_fail(c, "missing required key");
        } else if (!v && p->type == POR_PARAM_CUSTOM && p->custom_absent) {
            por__param_custom_call(c, NULL, p, section, sc);
        } else if (!v) {
            por_param_table one = {.params = p, .nparams = 1};
            por_param_defaults_in(&one, section, sc);
        } else {
            por__jr_push_key(c, p->name);
            por__param_value(c, v, p, base, sc, in);
        }
        if (p->given_offset) {
            bool given = v != NULL;
            memcpy(base + p->given_offset, &given, sizeof given);
        }
        por__jr_reset(c, m);
    }
    if (t->check && !sections)
        t->check(k, section);
}

/* T's VARIANT row (NULL: none): its discriminator is read from OBJ (absent: the default,
 * or "missing required key") into SECTION before the keys are checked; returns the chosen
 * variant's table and, in WHAT, "for NAME \"VALUE\"" for the unknown-key message. */
static const por_param_table *por__param_variant(por__jr *c, const cJSON *obj, const por_param *p, void *section,
                                                 char *what, size_t n)
{
    char got[96];
    if (obj && !cJSON_IsObject(obj))
        por__jr_fail(c, "expected an object, got %s", por__jr_describe(obj, got, sizeof got));
    const cJSON *v = por__jr_get(obj, p->name);
    int e = (int)p->def.u;
    size_t m = por__jr_mark(c);
    por__jr_push_key(c, p->name);
    if (!v && obj && p->required)
        por__jr_fail(c, "missing required key");
    if (v)
        e = (int)por__jr_v_enum(c, v, p->names);
    por__jr_reset(c, m);
    if (obj && p->derive)
        p->derive(section); /* what every variant starts from */
    memcpy((char *)section + p->offset, &e, sizeof e);
    snprintf(what, n, "for %s \"%s\"", p->name, p->names[e]);
    return p->variants[e];
}

static void por__param_read_in(por__jr *c, const cJSON *obj, const por_param_table *t, void *section,
                               const por_scenario *sc, const por__param_elems *in)
{
    const por_param *var = NULL;
    for (size_t i = 0; i < t->nparams; i++)
        if (t->params[i].type == POR_PARAM_VARIANT)
            var = &t->params[i];
    const char *keys[65];
    size_t nkeys = 0;
    const por_param_table *vt = NULL;
    char what[96];
    if (var) {
        vt = por__param_variant(c, obj, var, section, what, sizeof what);
        keys[nkeys++] = var->name;
    }
    por__param_keys(t, var, keys, &nkeys);
    if (vt)
        por__param_keys(vt, NULL, keys, &nkeys);
    keys[nkeys] = NULL;
    if (obj)
        por__jr_v_object(c, obj, vt && vt->keys ? vt->keys : t->keys ? t->keys : keys, vt ? what : t->what);
    por__param_reader r = {c, obj};
    por_param_check k = {&r, sc, por__param_given, por__param_fail, por__param_warn, por__param_describe,
                         in && in->index ? in->base + (in->index - 1) * in->stride : NULL};
    if (!vt) {
        por__param_rows(c, obj, t, section, sc, in, &k);
        return;
    }
    por_param_table common = *t;
    common.check = NULL;
    por__param_rows(c, obj, &common, section, sc, in, &k);
    por__param_rows(c, obj, vt, section, sc, in, &k);
    if (t->check)
        t->check(&k, section);
}

void por__param_read(por__jr *c, const cJSON *obj, const por_param_table *t, void *section, const por_scenario *sc)
{
    por__param_read_in(c, obj, t, section, sc, NULL);
}

void por__param_check(por__jr *c, const cJSON *obj, const por_param_table *t, void *section, const por_scenario *sc)
{
    por__param_reader r = {c, obj};
    por_param_check k = {&r, sc, por__param_given, por__param_fail, por__param_warn, por__param_describe, NULL};
    if (t->check)
        t->check(&k, section);
}

void *por__param_array(por__jr *c, const cJSON *node, size_t min, size_t max, size_t size, size_t *count)
{
    size_t n = por__jr_v_array(c, node, min, max);
    *count = n;
    return n ? por_xcalloc(n, size) : NULL;
}

void por__param_read_elements(por__jr *c, const cJSON *node, const por_param_table *t, void *elems, size_t size,
                              const por_scenario *sc)
{
    size_t i = 0;
    for (const cJSON *e = node->child; e; e = e->next, i++) {
        size_t m = por__jr_mark(c);
        por__jr_push_index(c, i);
        por__param_elems in = {elems, size, i};
        por__param_read_in(c, e, t, (char *)elems + i * size, sc, &in);
        por__jr_reset(c, m);
    }
}
