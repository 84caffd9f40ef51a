/* Declarative scenario parameters: each model describes the scenario keys it reads as a
 * table of por_param (name, type, unit, default, range, doc) over the fields of its
 * existing config struct (offsetof), plus rules across fields. One generic reader in
 * sim/io/param_read.c walks a table against a JSON object; `porsim schema` turns the
 * same tables into the reference tables of scenarios/SCHEMA.md and into
 * docs/porsim.schema.json. Adding a parameter = one row here + its use in the model
 * (docs/ARCHITECTURE.md, "Adding a parameter").
 *
 * This header names nothing from io/: rules report through the por_param_check sink the
 * reader passes in, so models stay below io/. */
#ifndef POR_PARAM_H
#define POR_PARAM_H

#include "por/time.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    POR_PARAM_UINT32,      /* uint32_t: JSON integer in [min.u, max.u] */
    POR_PARAM_DURATION,    /* por_time_t: duration string; .positive refuses 0 */
    POR_PARAM_PERCENT,     /* int64_t ppb: percentage string in [min.i, max.i] ppb */
    POR_PARAM_ENUM,        /* an enum (int-sized): one of .names, stored as its index */
    POR_PARAM_BOOL,        /* bool */
    POR_PARAM_NUMBER,      /* double in [min.d, max.d], bounds open per .min_open/.max_open */
    POR_PARAM_UINT32_LIST, /* uint32_t[.max_len] with its size_t count at .count_offset;
                              1..max_len elements, each in [min.u, max.u] */
    POR_PARAM_RULE,        /* not a key: .rule checks the keys read so far, at this point */
    POR_PARAM_NAME,        /* char[.max_len]: a non-empty string; default .def_text. With
                              .unique ("consumer") an element of an ARRAY refuses a name an
                              earlier element has ("duplicate consumer name ...") */
    POR_PARAM_REF,         /* uint32_t: the name of a chain or custodian (.ref) of the scenario
                              read so far, stored as its index */
    POR_PARAM_PROBABILITY, /* double in [0, 1] */
    POR_PARAM_DISTRIBUTION, /* por_duration_dist: a duration string (constant) or a
                               {"dist": ...} object; default *.def_ptr (a por_duration_dist) */
    POR_PARAM_WINDOWS,     /* por_window * with its size_t count at .count_offset: an array
                              of {"from"|"at", "until"|"for"} objects; default none */
    POR_PARAM_WINDOW,      /* por_window from the object's own keys "from"|"at" (default 0)
                              and "until"|"for" (default open); .name is NULL */
    POR_PARAM_ARRAY,       /* an array of .min_len..max_len objects, each read by the table
                              .sub into elements of .stride bytes: the pointer at .offset,
                              its size_t count at .count_offset; default none */
    POR_PARAM_CUSTOM,      /* a value only a hand-written reader in io/ understands: io
                              looks up the reader named .custom (sim/io/param_custom.c);
                              .type_doc says the accepted form for the schema. Absent: the
                              field is left as it is (zero in a loaded scenario) unless
                              .derive/.derive_in sets it */
} por_param_type;

/* What a POR_PARAM_REF names. */
typedef enum {
    POR_REF_CHAIN,     /* chains[].name */
    POR_REF_CUSTODIAN, /* custodians[].name */
} por_param_ref;

typedef union {
    uint64_t u;
    int64_t i;
    double d;
} por_param_value;

/* Where a rule reports; implemented by the reader (io/) and handed to every rule. */
typedef struct por_param_check {
    void *reader;
    /* The scenario being read (const por_scenario *), with the sections read before this
     * one, for rules that reach across sections. */
    const void *scenario;
    /* Whether the scenario gave KEY (of the table's object) rather than taking the default. */
    bool (*given)(void *reader, const char *key);
    /* Ends the load with "FILE: $.path.KEY: MESSAGE" (KEY NULL: the object's path). */
    void (*fail)(void *reader, const char *key, const char *message) __attribute__((noreturn));
    /* Records the warning "FILE: $.path.KEY: MESSAGE" and goes on. */
    void (*warn)(void *reader, const char *key, const char *message);
} por_param_check;

static inline bool por_param_given(const por_param_check *k, const char *key) { return k->given(k->reader, key); }

__attribute__((format(printf, 3, 4), noreturn)) static inline void por_param_fail(const por_param_check *k,
                                                                                   const char *key,
                                                                                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    k->fail(k->reader, key, msg);
}

__attribute__((format(printf, 3, 4))) static inline void por_param_warn(const por_param_check *k, const char *key,
                                                                         const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    k->warn(k->reader, key, msg);
}

typedef struct por_param_table por_param_table;

typedef struct {
    const char *name;     /* the JSON key; NULL for a RULE and a WINDOW */
    por_param_type type;
    size_t offset;        /* offsetof the field in the section struct */
    size_t count_offset;  /* UINT32_LIST: offsetof its size_t count */
    size_t max_len;       /* UINT32_LIST: capacity of the array */
    const char *unit;     /* what the number counts ("oracles", "blocks"), or NULL */
    bool required;        /* absent: "missing required key" (no default) */
    por_param_value def;  /* the default when the key is absent ... */
    /* ... unless this derives it from the fields read before (e.g. f from n); then
     * DEFAULT_DOC says in words what it is, for the schema. */
    void (*derive)(void *section);
    const char *default_doc;
    por_param_value min, max;
    /* UINT32: when set, any integer up to 2^53 - 1 is read and one outside [min, max] is
     * refused with this message (one %llu: the value) instead of the range message. */
    const char *range_msg;
    bool min_open, max_open; /* NUMBER */
    bool positive;           /* DURATION: > 0 */
    const char *const *names; /* ENUM: NULL-terminated */
    const char *doc;          /* one line for SCHEMA.md and the JSON Schema's description */
    /* RULE: checks the fields read so far; DOC says the rule in words. */
    void (*rule)(const por_param_check *k, const void *section);
    /* ARRAY: the element table, the element size and the least length (max_len above) */
    const por_param_table *sub;
    size_t stride;
    size_t min_len;
    por_param_ref ref;     /* REF */
    const char *unique;    /* NAME: the kind named in "duplicate KIND name" (NULL: no check) */
    const char *def_text;  /* NAME: the default */
    const void *def_ptr;   /* DISTRIBUTION: the default (const por_duration_dist *) */
    /* A default derived from the scenario read so far (SCENARIO is a const por_scenario *,
     * NULL from por_param_defaults); DEFAULT_DOC says what it is. */
    void (*derive_in)(void *section, const void *scenario);
    const char *custom;    /* CUSTOM: the io/ reader's name */
    const char *type_doc;  /* CUSTOM: the accepted form, for the schema */
} por_param;

struct por_param_table {
    const char *path;       /* the object's JSON path from the root, "feed.ocr"; "[]" marks
                               the elements of an array ("consumers[].thresholds[]") */
    const por_param *params; /* keys in the order they are listed and read */
    size_t nparams;
    /* Rules across fields checked after every key is read (NULL: none). */
    void (*check)(const por_param_check *k, const void *section);
    const char *check_doc;  /* those rules in words, for the schema */
};

/* Fills SECTION with TABLE's defaults (derived ones included), as when the scenario
 * gives an empty object; runs no rules. */
void por_param_defaults(const por_param_table *table, void *section);
/* The same with the defaults derived from SCENARIO (const por_scenario *, the sections
 * read before; NULL: none, as por_param_defaults). */
void por_param_defaults_in(const por_param_table *table, void *section, const void *scenario);

/* Formats a duration exactly in its largest whole unit ("90m", "250ms", "0s"), the form
 * the loader's messages use. Returns BUF. */
char *por_param_duration_text(por_time_t t, char *buf, size_t n);

/* ---- the tables, each beside its model ------------------------------------------- */

extern const por_param_table por_ocr_param_table;     /* feed.ocr: models/ocr/ocr_params.c */
extern const por_param_table por_metrics_param_table; /* metrics (on por_scenario itself):
                                                         models/world/metrics_params.c */
extern const por_param_table por_threshold_param_table; /* consumers[].thresholds[]:
                                                           models/consumer/consumer_params.c */
extern const por_param_table por_refresh_param_table; /* token.refresh_then_mint:
                                                         models/world/refresh_params.c */
extern const por_param_table por_consumer_param_table; /* consumers[]: models/consumer/consumer_params.c */
extern const por_param por_consumers_param;            /* the top-level "consumers" array (on
                                                          por_scenario): consumer_params.c */
extern const por_param_table por_attestation_param_table; /* custodians[].attestation:
                                                             models/custodian/custodian_params.c */
extern const por_param_table por_network_param_table;  /* network: net/net_params.c */
extern const por_param_table por_region_param_table;   /* network.regions[]: net/net_params.c */
extern const por_param_table por_partition_param_table; /* network.partitions[]: net/net_params.c */

#endif
