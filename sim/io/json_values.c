/* Internal to the scenario loader: composite values shared by several sections: time
 * windows and duration / amount distributions (see json_read.h and SCHEMA.md). */
#include "json_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

por_window por__jr_window(por__jr *c, const cJSON *obj)
{
    char a[48], b[48];
    por__jr_exclusive(c, obj, "from", "at");
    por__jr_exclusive(c, obj, "until", "for");
    const char *from_key = por__jr_has(obj, "at") ? "at" : "from";
    por_window w = {por__jr_duration(c, obj, from_key, 0, false), POR_TIME_MAX};
    size_t m = por__jr_mark(c);
    if (por__jr_has(obj, "until")) {
        w.until = por__jr_duration(c, obj, "until", 0, false);
        if (w.until <= w.from) {
            por__jr_push_key(c, "until");
            por__jr_fail(c, "needs until > from, got from=%s until=%s", por__jr_dur(w.from, a, sizeof a),
                         por__jr_dur(w.until, b, sizeof b));
        }
    } else if (por__jr_has(obj, "for")) {
        por_time_t len = por__jr_duration(c, obj, "for", 0, true);
        if (len > POR_TIME_MAX - w.from) {
            por__jr_push_key(c, "for");
            por__jr_fail(c, "window ends too late (past about 292 years)");
        }
        w.until = w.from + len;
    }
    por__jr_reset(c, m);
    return w;
}

static const char *const por__dist_names[] = {"constant", "uniform",     "normal",    "lognormal",
                                              "pareto",   "exponential", "empirical", NULL};

/* Keys allowed for each duration distribution kind (index = por_dist_kind). */
static const char *const por__dist_keys[][4] = {
    {"dist", "value", NULL}, {"dist", "min", "max", NULL},      {"dist", "mean", "sd", NULL},
    {"dist", "median", "sigma", NULL}, {"dist", "scale", "shape", NULL}, {"dist", "mean", NULL},
    {"dist", "samples", NULL},
};

/* Reads the "dist" member of an object NODE against NAMES; returns the index. */
static size_t por__dist_kind(por__jr *c, const cJSON *node, const char *const *names, const char *example)
{
    char got[96];
    if (!cJSON_IsObject(node))
        por__jr_fail(c, "expected %s, got %s", example, por__jr_describe(node, got, sizeof got));
    size_t m = por__jr_mark(c);
    const cJSON *d = por__jr_require(c, node, "dist");
    por__jr_push_key(c, "dist");
    size_t k = por__jr_v_enum(c, d, names);
    por__jr_reset(c, m);
    return k;
}

static por_time_t por__req_duration(por__jr *c, const cJSON *obj, const char *key, bool positive)
{
    por__jr_require(c, obj, key);
    return por__jr_duration(c, obj, key, 0, positive);
}

static double por__req_number(por__jr *c, const cJSON *obj, const char *key, double min, bool min_open)
{
    por__jr_require(c, obj, key);
    return por__jr_number(c, obj, key, 0, min, min_open, HUGE_VAL, false);
}

void por__jr_v_duration_dist(por__jr *c, const cJSON *node, por_duration_dist *out)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsString(node)) {
        out->kind = POR_DIST_CONSTANT;
        out->value = por__jr_v_duration(c, node, false);
        return;
    }
    size_t k = por__dist_kind(c, node, por__dist_names,
                              "a duration such as \"80ms\" or an object such as "
                              "{\"dist\": \"lognormal\", \"median\": \"80ms\", \"sigma\": 0.5}");
    por__jr_v_object(c, node, por__dist_keys[k], NULL);
    out->kind = (por_dist_kind)k;
    switch (out->kind) {
    case POR_DIST_CONSTANT:
        out->value = por__req_duration(c, node, "value", false);
        break;
    case POR_DIST_UNIFORM: {
        out->min = por__req_duration(c, node, "min", false);
        out->max = por__req_duration(c, node, "max", false);
        if (out->max < out->min) {
            char a[48], b[48];
            por__jr_push_key(c, "max");
            por__jr_fail(c, "needs max >= min, got min=%s max=%s", por__jr_dur(out->min, a, sizeof a),
                         por__jr_dur(out->max, b, sizeof b));
        }
        break;
    }
    case POR_DIST_NORMAL:
        out->mean = por__req_duration(c, node, "mean", false);
        out->sd = por__req_duration(c, node, "sd", false);
        break;
    case POR_DIST_LOGNORMAL:
        out->median = por__req_duration(c, node, "median", true);
        out->sigma = por__req_number(c, node, "sigma", 0, false);
        break;
    case POR_DIST_PARETO:
        out->scale = por__req_duration(c, node, "scale", true);
        out->shape = por__req_number(c, node, "shape", 0, true);
        break;
    case POR_DIST_EXPONENTIAL:
        out->mean = por__req_duration(c, node, "mean", true);
        break;
    case POR_DIST_EMPIRICAL: {
        const cJSON *arr = por__jr_require(c, node, "samples");
        size_t m = por__jr_mark(c);
        por__jr_push_key(c, "samples");
        size_t n = por__jr_v_array(c, arr, 1, 10000000);
        out->samples = por_xcalloc(n, sizeof *out->samples);
        out->nsamples = n;
        size_t i = 0;
        for (const cJSON *s = arr->child; s; s = s->next, i++) {
            size_t m2 = por__jr_mark(c);
            por__jr_push_index(c, i);
            out->samples[i] = por__jr_v_duration(c, s, false);
            por__jr_reset(c, m2);
        }
        por__jr_reset(c, m);
        break;
    }
    }
}

static const char *const por__amount_dist_names[] = {"constant", "uniform", "lognormal", "exponential", "pareto",
                                                     NULL};
static const por_dist_kind por__amount_dist_kinds[] = {POR_DIST_CONSTANT, POR_DIST_UNIFORM, POR_DIST_LOGNORMAL,
                                                       POR_DIST_EXPONENTIAL, POR_DIST_PARETO};

static por_amount por__req_amount(por__jr *c, const cJSON *obj, const char *key, unsigned decimals, bool positive)
{
    por__jr_require(c, obj, key);
    por_amount v = por__jr_amount(c, obj, key, 0, decimals, false);
    if (positive && v == 0) {
        por__jr_push_key(c, key);
        por__jr_fail(c, "expected a positive amount, got \"%s\"", por__jr_get(obj, key)->valuestring);
    }
    return v;
}

void por__jr_v_amount_dist(por__jr *c, const cJSON *node, unsigned decimals, por_amount_dist *out)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsString(node)) {
        out->kind = POR_DIST_CONSTANT;
        out->value = por__jr_v_amount(c, node, decimals, false);
        return;
    }
    size_t k = por__dist_kind(c, node, por__amount_dist_names,
                              "an amount such as \"1000.50\" or an object such as "
                              "{\"dist\": \"lognormal\", \"median\": \"250000\", \"sigma\": 1}");
    out->kind = por__amount_dist_kinds[k];
    por__jr_v_object(c, node, por__dist_keys[out->kind], NULL);
    switch (out->kind) {
    case POR_DIST_CONSTANT:
        out->value = por__req_amount(c, node, "value", decimals, false);
        break;
    case POR_DIST_UNIFORM:
        out->min = por__req_amount(c, node, "min", decimals, false);
        out->max = por__req_amount(c, node, "max", decimals, false);
        if (out->max < out->min) {
            por__jr_push_key(c, "max");
            por__jr_fail(c, "needs max >= min, got min=\"%s\" max=\"%s\"", por__jr_get(node, "min")->valuestring,
                         por__jr_get(node, "max")->valuestring);
        }
        break;
    case POR_DIST_LOGNORMAL:
        out->median = por__req_amount(c, node, "median", decimals, true);
        out->sigma = por__req_number(c, node, "sigma", 0, false);
        break;
    case POR_DIST_EXPONENTIAL:
        out->mean = por__req_amount(c, node, "mean", decimals, true);
        break;
    case POR_DIST_PARETO:
        out->scale = por__req_amount(c, node, "scale", decimals, true);
        out->shape = por__req_number(c, node, "shape", 0, true);
        break;
    default:
        POR_ASSERT(0);
    }
}
