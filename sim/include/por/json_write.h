/* JSON string literals for every porsim writer (summary.json, meta.json of run, sweep and
 * merge): one escaping rule, so a scenario name, a path or a --set value holding quotes,
 * backslashes, control characters or any bytes at all still gives valid JSON. */
#ifndef POR_JSON_WRITE_H
#define POR_JSON_WRITE_H

#include <stdio.h>

/* Returns S as a JSON string literal, quotes included, in a malloc'd string the caller
 * frees ("null" when S is NULL). '"' and '\' are backslash-escaped, control characters
 * (below 0x20) written as \n, \r, \t or \u00XX; valid UTF-8 passes through
 * unchanged and each byte that is not part of a valid UTF-8 sequence becomes \ufffd, so
 * the output is always valid UTF-8 JSON (RFC 8259). */
char *por_json_quote(const char *s);

/* Writes por_json_quote(S) to F. Errors show in ferror(F). */
void por_json_write_string(FILE *f, const char *s);

#endif
