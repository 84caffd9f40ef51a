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
 *                        units; the schema prints .default_doc when it is not 0);
 *                        .token_decimals: in token.decimals instead; .positive refuses 0
 *   REF                  uint32_t: the index of the element of another array (.ref: the
 *                        scenario's chains, custodians) the JSON string names, resolved
 *                        against the scenario read so far; default .def.u
 *   OBJECT               a nested object read by the table .sub over the struct at .offset
 *                        (0 = the same struct as the parent, so the sub-table's derived
 *                        defaults can see the parent's fields); absent: .sub's defaults
 *                        (with .absent_off, its "enabled" false)
 *   DISTRIBUTION, WINDOWS, WINDOW, ARRAY, REF_LIST: see the enum below
 *   CUSTOM               a key whose value no generic type describes: .custom names a
 *                        reader in sim/io/param_custom.c (by string, so a model's table
 *                        never links against io/); with .custom_absent it is also called
 *                        with no value when the key is absent (for a default that depends
 *                        on the scenario); por_param_defaults leaves the field as it is.
 *                        .type_doc says its type for the schema
 *   UINT32_LIST          see below; RULE is not a key but a check at that point
 *   VARIANT              an object whose allowed keys depend on a discriminator key: the
 *                        row's .name is that key ("type" of an attacker), .names its values,
 *                        stored as an int-sized enum at .offset (default .def.u when not
 *                        .required), and .variants one table per value, read over the same
 *                        section (por_attack_config for every attack kind). The reader reads
 *                        the discriminator first, then checks the object's keys against the
 *                        discriminator, the other common rows and the chosen variant's rows,
 *                        in that order ("unknown key for type \"crash\"" with suggestions,
 *                        the variant named as "for NAME \"VALUE\""); it reads the common rows,
 *                        then the variant's rows, RULE rows and check, then the common table's
 *                        check. A table has at most one VARIANT row; the schema lists each
 *                        variant's keys (markdown) and gives one if/then per value (JSON Schema).
 *                        With .derive, a given object's section is first set by it (what every
 *                        variant starts from: a process's whole-run window); a variant's .keys
 *                        give the unknown-key order for its value
 * Any row: with .given_offset (not 0) the bool there says whether the key was given (a
 * time where 0 is a value, such as an attack's leader_at). AMOUNT: with .decimals_in the
 * decimals come from the scenario read so far (the feed's, the token's) instead of
 * .decimals_offset; .positive refuses 0 ("expected a positive amount, got \"0\"").
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
                              its size_t count at .count_offset; default none. With
                              .derive, each element starts from it (a mint request's
                              to_chain -1) */
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
    POR_PARAM_VARIANT,     /* an int-sized enum discriminator (.names) choosing the table of
                              .variants that gives the rest of the object's keys */
    POR_PARAM_REF_LIST,    /* uint32_t * with its size_t count at .count_offset: an array of
                              1..max_len names of .ref (and no more than there are), no name
                              twice ("chain \"x\" listed twice"), stored as indices; absent:
                              .derive_in (which allocates), else none */
    POR_PARAM_AMOUNT_DIST, /* por_amount_dist: an amount string (constant) or a {"dist": ...}
                              object of amounts (constant, uniform, lognormal, exponential,
                              pareto), in the decimals an AMOUNT row would use; default
                              *.def_ptr (a por_amount_dist), else zero */
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
    /* Writes KEY's JSON value as the loader's messages describe it ("1.1", "\"110%\"",
     * "an array"; "nothing" when absent) into BUF (>= 96 bytes); returns BUF. */
    const char *(*describe)(void *reader, const char *key, char *buf, size_t n);
    /* An element of an ARRAY: the element before it (NULL for the first one, and outside
     * arrays), for rules between neighbours (requests in time order). */
    const void *prev;
} por_param_check;

static inline bool por_param_given(const por_param_check *k, const char *key) { return k->given(k->reader, key); }

static inline const char *por_param_describe(const por_param_check *k, const char *key, char *buf, size_t n)
{
    return k->describe(k->reader, key, buf, n);
}

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
    bool positive;           /* DURATION, AMOUNT: > 0 */
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
    /* VARIANT: the table of each value of .names, in the same order */
    const por_param_table *const *variants;
    size_t given_offset;   /* any row: offsetof a bool set to whether the key is given (0: none) */
    /* AMOUNT: the decimals from the scenario read so far (SCENARIO: const por_scenario *,
     * NULL from por_param_defaults), instead of .decimals_offset */
    unsigned (*decimals_in)(const void *section, const void *scenario);
    /* OBJECT: the object's presence turns its feature on: absent, the sub-table's defaults
     * with its BOOL row "enabled" false (given, "enabled" keeps its own default) */
    bool absent_off;
    /* AMOUNT, AMOUNT_DIST: in the decimals of token.decimals (of the scenario read so far)
     * instead of the field at .decimals_offset; AMOUNT with .positive refuses 0 ("expected
     * a positive amount") */
    bool token_decimals;
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
    /* What an unknown key is not allowed for, added to its message ("for process
     * \"none\"": "unknown key for process \"none\"; expected one of: ..."); NULL: nothing */
    const char *what;
    /* The keys in the order "unknown key" messages list them, when that is not the order
     * the rows read them (NULL-terminated; NULL: the rows' order) */
    const char *const *keys;
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
extern const por_param_table por_attacker_param_table; /* attackers[], its VARIANT "type" choosing
                                                          one table per attack kind:
                                                          models/attacker/attacker_params.c */
extern const por_param por_attackers_param;            /* the top-level "attackers" array (on
                                                          por_scenario): attacker_params.c */
extern const por_param_table por_drift_param_table;    /* custodians[].reserve.drift (por_drift), its
                                                          VARIANT "model":
                                                          models/custodian/custodian_params.c */
extern const por_param_table por_custodian_param_table; /* custodians[]:
                                                           models/custodian/custodian_params.c */
extern const por_param_table por_reserve_param_table;   /* custodians[].reserve (on the custodian
                                                           itself): custodian_params.c */
extern const por_param_table por_secure_mint_param_table; /* token.secure_mint (over the
                                                             por_token_config):
                                                             models/token/secure_mint_params.c */
extern const por_param_table por_margin_param_table; /* token.secure_mint.margin (likewise) */
/* token.mints / token.redeems (over a por_request_process) and token.bridges (over the
 * por_token_config): one table per process kind, indexed by por_process_kind, named by
 * por_process_kinds: models/token/process_params.c */
extern const char *const por_process_kinds[];
extern const por_param_table *const por_request_process_tables[];
extern const por_param_table *const por_bridge_process_tables[];
extern const por_param_table por_scenario_param_table; /* the top level, path "$" (on por_scenario):
                                                          models/world/scenario_params.c */
/* token.mints, token.redeems, token.bridges: their VARIANT "process" over those tables */
extern const por_param_table por_mints_param_table;
extern const por_param_table por_redeems_param_table;
extern const por_param_table por_bridges_param_table;


#endif
