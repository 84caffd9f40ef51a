/* Internal to the scenario loader: parsing JSON text with line/column diagnostics, and
 * the canonical hash of a tree (json_parse.c). */
#ifndef POR_IO_JSON_PARSE_H
#define POR_IO_JSON_PARSE_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "io/json_parse.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Parses LEN bytes at TEXT into *OUT (caller frees with cJSON_Delete). On failure
 * returns POR_EINPUT with "FILE: line L, column C: cause" (or "FILE: empty file ...")
 * in ERR and leaves *OUT alone. */
por_status por__json_parse(const char *text, size_t len, const char *file, cJSON **out, por_error *err);

/* 16 hex digits of FNV-1a 64 over cJSON_PrintUnformatted of ROOT with keys sorted. */
void por__json_hash(const cJSON *root, char out[17]);

/* ROOT as compact JSON (cJSON_PrintUnformatted, members in document order), malloc'd
 * (caller frees with free); exits on out of memory like por__json_hash. */
char *por__json_print(const cJSON *root);

#endif
