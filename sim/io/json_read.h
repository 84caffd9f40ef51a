/* Internal to the scenario loader: a typed reader over cJSON trees.
 *
 * A reader context tracks the JSON path of the value being read ("$.feed.ocr.f") and
 * ends the whole load with one error message ("FILE: $.path: expected X, got Y") by
 * longjmp back to the loader's entry point, so the section builders read straight-line.
 * Every allocation a builder makes must be attached to the scenario at once, so that
 * por_scenario_free releases a half-built scenario after such a jump.
 *
 * Key readers (por__jr_<type>(c, obj, key, ...)) push ".key" on the path, return the
 * default when the key is absent and check type and range otherwise; value readers
 * (por__jr_v_<type>(c, node, ...)) check a node already at the current path. */
#ifndef POR_IO_JSON_READ_H
#define POR_IO_JSON_READ_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "io/json_read.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/error.h"
#include "por/param.h"
#include "por/scenario.h"
#include "por/time.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POR__JR_PATH_MAX 400

/* Where a --set override put its value: errors at or under ANCHOR name the override. */
typedef struct {
    char anchor[POR__JR_PATH_MAX]; /* "$.feed.ocr" when the override created "ocr" */
    const char *text;              /* the override as given, "feed.ocr.f=3" */
} por__jr_origin;

typedef struct {
    jmp_buf jb;
    por_error *err;
    const char *file;               /* display name used in messages */
    char path[POR__JR_PATH_MAX];
    size_t plen;
    const por__jr_origin *origins;  /* overrides, in order given */
    size_t norigins;
    char **warnings;                /* owned; moved to the scenario on success */
    size_t nwarnings;
    bool required_defaults;         /* a table's absent required key takes its default
                                       (por_scenario_defaults) instead of failing */
} por__jr;

/* ---- path and errors -------------------------------------------------------------- */

void por__jr_init(por__jr *c, const char *file, por_error *err);
/* Current path length, to restore with por__jr_reset after pushing segments. */
static inline size_t por__jr_mark(const por__jr *c) { return c->plen; }
void por__jr_reset(por__jr *c, size_t mark);
void por__jr_push_key(por__jr *c, const char *key);
void por__jr_push_index(por__jr *c, size_t i);

/* Ends the load: "FILE: $.path: <message>" (plus the --set that produced the value). */
void por__jr_fail(por__jr *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Ends the load with a message that names no path ("FILE: <message>"). */
void por__jr_fail_nopath(por__jr *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Records a warning "FILE: $.path: <message>" and goes on. */
void por__jr_warn(por__jr *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void por__jr_free_warnings(por__jr *c);

/* Describes NODE for "got ..." ("the string \"4\"", "an array", "3.5", "null"). BUF>=96. */
const char *por__jr_describe(const cJSON *node, char *buf, size_t n);

/* Formats a duration exactly in its largest whole unit ("90m", "250ms", "0ns"). */
char *por__jr_dur(por_time_t t, char *buf, size_t n);

/* Levenshtein distance, bytes; capped work for long strings. */
size_t por__jr_levenshtein(const char *a, const char *b);
/* The candidate closest to WORD if it is close enough to be a likely typo, else NULL. */
const char *por__jr_nearest(const char *word, const char *const *cands, size_t ncands);

/* ---- structure -------------------------------------------------------------------- */

/* Fails unless NODE is an object; then fails on duplicate keys and on keys not in
 * ALLOWED (NULL-terminated), suggesting the nearest allowed key. WHAT names the object
 * kind in the message when non-NULL ("for type \"crash\""). */
void por__jr_v_object(por__jr *c, const cJSON *node, const char *const *allowed, const char *what);
/* The member KEY of object OBJ, or NULL when absent. */
const cJSON *por__jr_get(const cJSON *obj, const char *key);
static inline bool por__jr_has(const cJSON *obj, const char *key) { return por__jr_get(obj, key) != NULL; }
/* Fails unless NODE is an array; returns its length. Fails when it has fewer than MIN
 * or more than MAX elements. */
size_t por__jr_v_array(por__jr *c, const cJSON *node, size_t min, size_t max);
/* Fails when both A and B are present in OBJ. */
void por__jr_exclusive(por__jr *c, const cJSON *obj, const char *a, const char *b);
/* Fails at OBJ.KEY when it is present: "only allowed when ...". */
void por__jr_forbid(por__jr *c, const cJSON *obj, const char *key, const char *why);
/* Fails at OBJ.KEY when absent: "missing required key". */
const cJSON *por__jr_require(por__jr *c, const cJSON *obj, const char *key);

/* ---- scalars (value readers: node at the current path) ---------------------------- */

bool por__jr_v_bool(por__jr *c, const cJSON *node);
/* An integer in [MIN, MAX] (MAX <= 2^53). */
uint64_t por__jr_v_uint(por__jr *c, const cJSON *node, uint64_t min, uint64_t max);
/* A finite number in [MIN, MAX]; MIN_OPEN/MAX_OPEN exclude the bound. */
double por__jr_v_number(por__jr *c, const cJSON *node, double min, bool min_open, double max, bool max_open);
/* A probability: a number in [0, 1]. */
double por__jr_v_prob(por__jr *c, const cJSON *node);
/* Copies a string of 1..CAP-1 bytes into BUF. */
void por__jr_v_string(por__jr *c, const cJSON *node, char *buf, size_t cap);
/* A duration string; POSITIVE refuses 0. */
por_time_t por__jr_v_duration(por__jr *c, const cJSON *node, bool positive);
/* An exact decimal amount string with DECIMALS; refuses negatives unless ALLOW_NEG. */
por_amount por__jr_v_amount(por__jr *c, const cJSON *node, unsigned decimals, bool allow_neg);
/* A percentage string ("1%", "-0.5%") in ppb within [MIN_PPB, MAX_PPB]. */
int64_t por__jr_v_percent(por__jr *c, const cJSON *node, int64_t min_ppb, int64_t max_ppb);
/* One of the NULL-terminated NAMES; returns its index. */
size_t por__jr_v_enum(por__jr *c, const cJSON *node, const char *const *names);

/* ---- scalars by key (default when absent) ----------------------------------------- */

bool por__jr_bool(por__jr *c, const cJSON *obj, const char *key, bool def);
uint64_t por__jr_uint(por__jr *c, const cJSON *obj, const char *key, uint64_t def, uint64_t min, uint64_t max);
double por__jr_number(por__jr *c, const cJSON *obj, const char *key, double def, double min,
                      bool min_open, double max, bool max_open);
/* A probability in [0, 1]. */
double por__jr_prob(por__jr *c, const cJSON *obj, const char *key, double def);
void por__jr_string(por__jr *c, const cJSON *obj, const char *key, const char *def, char *buf, size_t cap);
por_time_t por__jr_duration(por__jr *c, const cJSON *obj, const char *key, por_time_t def, bool positive);
por_amount por__jr_amount(por__jr *c, const cJSON *obj, const char *key, por_amount def,
                          unsigned decimals, bool allow_neg);
int64_t por__jr_percent(por__jr *c, const cJSON *obj, const char *key, int64_t def, int64_t min_ppb,
                        int64_t max_ppb);
size_t por__jr_enum(por__jr *c, const cJSON *obj, const char *key, size_t def, const char *const *names);

/* ---- composite values -------------------------------------------------------------- */

/* A window from keys "from"|"at" (default 0) and "until"|"for" (default open) of OBJ,
 * which the caller has already key-checked. */
por_window por__jr_window(por__jr *c, const cJSON *obj);
/* A duration distribution: a duration string (constant) or {"dist": ..., params}. */
void por__jr_v_duration_dist(por__jr *c, const cJSON *node, por_duration_dist *out);
/* An amount distribution in DECIMALS: an amount string (constant) or {"dist": ...}. */
void por__jr_v_amount_dist(por__jr *c, const cJSON *node, unsigned decimals, por_amount_dist *out);
/* Parses "12.5%" into ppb. Returns 0, or -1 with a static reason. */
int por__percent_parse(const char *s, int64_t *ppb, const char **why);
/* Formats ppb as a percentage ("-8%", "0.5%"). */
char *por__percent_format(int64_t ppb, char *buf, size_t n);

/* ---- parameter tables (param_read.c) ---------------------------------------------- */

/* Reads OBJ (NULL: absent, all defaults) at the current path into SECTION as TABLE
 * describes: key check with suggestions, typed values, defaults, rules (which see SC,
 * the scenario read so far). */
void por__param_read(por__jr *c, const cJSON *obj, const por_param_table *t, void *section, const por_scenario *sc);
/* Runs the .check of table T, whose SECTION rows the caller has read since por__param_read
 * (OBJ, SECTION, SC as there; the path that of OBJ). */
void por__param_check(por__jr *c, const cJSON *obj, const por_param_table *t, void *section, const por_scenario *sc);
/* Reads the JSON array NODE (path pushed) element by element with table T into ELEMS (SIZE
 * bytes apart), each with its index on the path (NAME's .unique compares earlier ones). */
void por__param_read_elements(por__jr *c, const cJSON *node, const por_param_table *t, void *elems, size_t size,
                              const por_scenario *sc);
/* Checks NODE (path pushed) is an array of MIN..MAX elements and returns a zeroed array
 * of them (NULL when empty), which the caller attaches to the scenario before reading
 * any element (a POR_PARAM_ARRAY row does both). */
void *por__param_array(por__jr *c, const cJSON *node, size_t min, size_t max, size_t size, size_t *count);
/* Reads the one key P of OBJ (a row of no table: the top-level "consumers") into
 * SECTION: its value, its default, or "missing required key". */
void por__param_read_key(por__jr *c, const cJSON *obj, const por_param *p, void *section, const por_scenario *sc);
/* A hand-written reader named by a POR_PARAM_CUSTOM row (param_custom.c): V is present,
 * its path pushed, or NULL when the key is absent and the row is .custom_absent; SECTION
 * is the object the row belongs to. */
typedef void (*por__param_custom_fn)(por__jr *c, const cJSON *v, const por_param *p, void *section,
                                     const por_scenario *sc);
por__param_custom_fn por__param_custom(const char *name);

/* The section form of a CUSTOM reader (param_custom.c): READER is the loader's por__jr with the key's path pushed, NODE
 * the key's value (a const cJSON *; NULL when the key is absent, and then the reader sets
 * the default), SECTION the section struct, SCENARIO the scenario read so far. */
typedef void (*por__param_custom_section_fn)(void *reader, const void *node, void *section, const void *scenario);
/* 10^DECIMALS * UNITS, the default of the absent KEY (pushed for the failure), or the
 * failure "missing: the default does not fit in 128 bits". */
por_amount por__param_default_units(por__jr *c, const char *key, por_amount units, unsigned decimals);
/* Calls the reader row P names, with V (NULL: absent, only for .custom_absent rows). */
void por__param_custom_call(por__jr *c, const cJSON *v, const por_param *p, void *section, const por_scenario *sc);

/* ---- the section builders (scenario_*.c) ------------------------------------------ */

void por__sc_build(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_chains(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_custodians(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_feed(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_network(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_token(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_consumers(por__jr *c, const cJSON *root, por_scenario *sc);
void por__sc_attackers(por__jr *c, const cJSON *root, por_scenario *sc);
/* Reads an array of at least MIN oracle indices (each < N, no repeats) into *OUT,
 * attaching the allocation to *OUT / *COUNT before reading any element. */
void por__sc_nodes(por__jr *c, const cJSON *node, uint32_t n, size_t min, uint32_t **out, size_t *count);
/* Resolves a chain name (a string node) to its index. */
uint32_t por__sc_chain_ref(por__jr *c, const cJSON *node, const por_scenario *sc);
/* Resolves a custodian name (a string node) to its index. */
uint32_t por__sc_custodian_ref(por__jr *c, const cJSON *node, const por_scenario *sc);
/* Resolves the string NODE against NCANDS names laid out STRIDE bytes apart from BASE
 * ("unknown KIND ...; did you mean ...?" otherwise). */
uint32_t por__sc_name_ref(por__jr *c, const cJSON *node, const char *base, size_t stride, size_t ncands,
                          const char *kind);

#endif
