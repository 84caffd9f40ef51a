/* Loading scenarios: JSON file or string -> validated por_scenario (por/scenario.h).
 *
 * The schema is documented in scenarios/SCHEMA.md. Loading never crashes on any input:
 * every problem is one POR_EINPUT error whose message names the file, the JSON path and
 * what was expected ("bad.json: $.feed.ocr.f: needs 3f < n, got n=4 f=2"); JSON syntax
 * errors give line and column ("bad.json: line 3, column 7: ..."). Nothing is returned
 * half-validated. */
#ifndef POR_SCENARIO_LOAD_H
#define POR_SCENARIO_LOAD_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "por/scenario_load.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/scenario.h"

#include <stddef.h>

/* Loads and validates the JSON scenario in the file PATH.
 *
 * Returns POR_OK and sets *OUT to a new scenario (caller frees with por_scenario_free),
 * or POR_EINPUT with ERR->msg set to one line "PATH: $.json.path: what was expected, got
 * what" and *OUT untouched. A missing file, a directory, an unreadable or oversized
 * (> 64 MiB) file are POR_EINPUT too, with a clear message.
 * Args:
 *   SETS[0..NSETS): overrides "json.path=VALUE" applied to the parsed tree before
 *     validation, in order (a later one wins). The path is dot-separated keys with
 *     optional [i] indices ("feed.ocr.f", "chains[0].block_time", "attackers[0].type");
 *     missing objects on the way are created, an index equal to an array's length
 *     appends. VALUE is parsed as JSON when it parses ("3", "false", "\"120ms\"",
 *     "[1,2]"), else taken as a string ("10d"); JSON null removes the key (back to its
 *     default). An error caused by an override says "(from --set ...)".
 *   ERR: may be NULL. */
por_status por_scenario_load_file(const char *path, const char *const *sets, size_t nsets, por_scenario **out,
                                  por_error *err);

/* As por_scenario_load_file for the LEN bytes at JSON (need not be NUL-terminated);
 * DISPLAY_NAME stands for the file in messages and becomes sc->path (NULL: "<string>"). */
por_status por_scenario_load_string(const char *json, size_t len, const char *display_name,
                                    const char *const *sets, size_t nsets, por_scenario **out, por_error *err);

/* A new scenario holding every default (what the file {"duration": "1d"} loads to: one
 * chain, one custodian, the feed, token and processes of scenarios/SCHEMA.md's
 * defaults; a file must give its duration, the defaults take the top-level table's one
 * day, models/world/scenario_params.c), for code and tests that start from a valid
 * scenario and change a few fields. Its name is "<defaults>". Caller frees with
 * por_scenario_free. */
por_scenario *por_scenario_defaults(void);

/* Frees SC and everything it owns (NULL is fine). */
void por_scenario_free(por_scenario *sc);

/* The embedded default scenario (byte-identical to scenarios/default.json), and its
 * length in bytes (without the terminating NUL). Load it with
 * por_scenario_load_string(por_default_scenario_json, por_default_scenario_len,
 * "<default>", ...). */
extern const char por_default_scenario_json[];
extern const size_t por_default_scenario_len;

/* Copies the scenario's stable hash into OUT: 16 lowercase hex digits of the 64-bit
 * FNV-1a of the effective scenario (the JSON tree after overrides, object keys sorted,
 * printed by cJSON_PrintUnformatted). Equal for files that differ only in whitespace or
 * key order. */
void por_scenario_hash(const por_scenario *sc, char out[17]);

#endif
