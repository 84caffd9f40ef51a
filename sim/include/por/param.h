/* Declarative scenario parameters: each model describes the scenario keys it reads as a
 * table of por_param (name, type, unit, default, range, doc) over the fields of its
 * existing config struct (offsetof), plus rules across fields. One generic reader in
 * sim/io/param_read.c walks a table against a JSON object; `porsim schema` turns the
 * same tables into the reference tables of scenarios/SCHEMA.md and into
 * docs/porsim.schema.json. Adding a parameter = one row here + its use in the model
 * (docs/ARCHITECTURE.md, "Adding a parameter").
 *
 * This header names nothing from io/: rules report through the por_param_check sink the
 * reader passes in, so models stay below io/.
 *
 * Types, and how a row describes each (the field at .offset of the section struct):
 *   UINT32, UINT64       an integer in [min.u, max.u] (max <= 2^53 - 1), default .def.u;
 *                        UINT64 with .decimal_string also takes a decimal string for the
 *                        full 64 bits ("seed": a JSON number cannot tell 2^53 + 1 from 2^53,
 *                        so a number from 2^53 on is refused with a hint to write a string)
 *   NUMBER, PROBABILITY  a double; NUMBER in [min.d, max.d] (open bounds per .min_open,
 *                        .max_open), PROBABILITY in [0, 1]; default .def.d
 *   DURATION, PERCENT    por_time_t / int64_t ppb; default .def.i
 *   ENUM, BOOL           an int-sized enum (one of .names) / a bool; default .def.u
 *   NAME                 char[.max_len]: a string of 1..max_len-1 bytes, default .def_text; with
 *                        .unique, an element of an array of objects may not repeat an
 *                        earlier element's name ("duplicate chain name ...")
 *   GWEI                 uint64_t wei from a JSON number of gwei in [min.d, max.d], rounded
 *                        to the nearest wei (por_param_gwei_to_wei); default .def.d gwei
 *   AMOUNT               por_amount: an exact decimal string with as many decimals as the
 *                        uint32_t field at .decimals_offset of the same section (read
 *                        before it); .negative allows negatives; default .def.a (base
 *                        units; the schema prints .default_doc when it is not 0)
 *   REF                  uint32_t: the index of the element of another array (.ref: the
 *                        scenario's chains, custodians) the JSON string names, resolved
 *                        against the scenario read so far; default .def.u
 *   OBJECT               a nested object read by the table .sub over the struct at .offset
 *                        (0 = the same struct as the parent, so the sub-table's derived
 *                        defaults can see the parent's fields); absent: .sub's defaults
 *   DISTRIBUTION, WINDOWS, WINDOW, ARRAY: see the enum below
 *   CUSTOM               a key whose value no generic type describes: .custom names a
 *                        reader in sim/io/param_custom.c (by string, so a model's table
 *                        never links against io/); with .custom_absent it is also called
 *                        with no value when the key is absent (for a default that depends
 *                        on the scenario); por_param_defaults leaves the field as it is.
 *                        .type_doc says its type for the schema
 *   UINT32_LIST          see below; RULE is not a key but a check at that point
 *   SECTION              a top-level key whose object or array its own table or reader
 *                        reads after the table's other rows (io/scenario_build.c, in
 *                        dependency order: network needs feed.ocr.n); the generic reader
 *                        only admits the key. A table with SECTION rows (the scenario's,
 *                        models/world/scenario_params.c) has its .check run by the caller
 *                        after the sections (por__param_check), so it may reach across them.
 *                        .type_doc ("object", "array") and .default_doc for the schema
 * A rule's KEY may be a path below the object: a dotted one for por_param_given and
 * por_param_fail ("ocr.accept_deviation"), an element for por_param_fail ("sources[1]").
 * A row that is .required has no default in a file ("missing required key"), but
 * por_param_defaults still fills it (an implicit element such as the one chain of a
 * scenario without "chains" takes the defaults). */
#ifndef POR_PARAM_H
#define POR_PARAM_H

#include "por/amount.h"
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
    POR_PARAM_WINDOWS,     /* an array of 0..1000000 {"from"|"at", "until"|"for"} objects:
                              the pointer at .offset, its size_t count at .count_offset;
                              default none. Elements are por_window, or with .sub structs of
                              .stride bytes that begin with their por_window, read by .sub:
                              its first row a WINDOW at offset 0, then the window's own keys
                              (chains[].congestion: factors per window) */
    POR_PARAM_WINDOW,      /* por_window from the object's own keys "from"|"at" (default 0)
                              and "until"|"for" (default open); .name is NULL */
    POR_PARAM_ARRAY,       /* an array of .min_len..max_len objects, each read by the table
                              .sub into elements of .stride bytes: the pointer at .offset,
                              its size_t count at .count_offset; default none */
    POR_PARAM_CUSTOM,      /* a value only a hand-written reader in io/ understands: io
                              looks up the reader named .custom (sim/io/param_custom.c);
                              .type_doc says the accepted form for the schema. Absent: the
                              field is left as it is (zero in a loaded scenario) unless
                              .derive/.derive_in sets it, or .custom_absent asks the reader
                              to set the default itself (it is then called with no value) */
    POR_PARAM_UINT64,      /* uint64_t: JSON integer in [min.u, max.u] */
    POR_PARAM_GWEI,        /* uint64_t wei: JSON number of gwei in [min.d, max.d] */
    POR_PARAM_OBJECT,      /* a nested object read by .sub over the struct at .offset */
    POR_PARAM_AMOUNT,      /* por_amount: decimal string in the decimals at .decimals_offset */
    POR_PARAM_SECTION,     /* a top-level key read by its section's own table or reader after
                              the table's other rows; the generic reader only admits it */
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
    por_amount a;
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
    size_t max_len;       /* UINT32_LIST: capacity of the array; NAME: size of the char array */
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
    bool decimal_string;     /* UINT64: a decimal string is read too, for all 64 bits */
    const char *const *names; /* ENUM: NULL-terminated */
    size_t decimals_offset;     /* AMOUNT: offsetof the uint32_t decimals in the section */
    bool negative;              /* AMOUNT: negatives allowed */
    const char *doc;          /* one line for SCHEMA.md and the JSON Schema's description */
    /* RULE: checks the fields read so far; DOC says the rule in words. */
    void (*rule)(const por_param_check *k, const void *section);
    /* ARRAY, OBJECT, WINDOWS: the element's (the object's) table; ARRAY, WINDOWS: the
     * element size; ARRAY: the least length (max_len above) */
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
    bool custom_absent;    /* CUSTOM: the reader is also called when the key is absent */
    const char *type_doc;  /* CUSTOM: the accepted form, for the schema */
} por_param;

struct por_param_table {
    const char *path;       /* the object's JSON path from the root, "feed.ocr"; "[]" marks
                               the elements of an array ("consumers[].thresholds[]"); "$"
                               the top level */
    const por_param *params; /* keys in the order they are listed and read */
    size_t nparams;
    /* Rules across fields checked after every key is read (NULL: none); with SECTION rows,
     * after the sections too (the caller runs it). */
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

/* GWEI gwei in wei, rounded to the nearest wei; from 1.8e19 wei on, UINT64_MAX / 2 (a cap
 * no bid reaches, which leaves room to add without overflow). */
uint64_t por_param_gwei_to_wei(double gwei);

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
extern const por_param_table por_chain_param_table; /* chains[]: models/chain/chain_params.c */
extern const por_param_table por_txm_param_table;   /* chains[].txm: models/chain/chain_params.c */
extern const por_param_table por_congestion_param_table; /* chains[].congestion[]: chain_params.c */
extern const por_param_table por_feed_param_table;  /* feed: models/aggregator/feed_params.c */
extern const por_param_table por_token_param_table; /* token: models/token/token_params.c */
extern const por_param_table por_scenario_param_table; /* the top level, path "$" (on por_scenario):
                                                          models/world/scenario_params.c */


#endif
