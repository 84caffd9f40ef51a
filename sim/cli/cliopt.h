/* Small command-line helpers shared by porsim's subcommands (internal to sim/cli):
 * option matching, bounded integers, usage errors, JSON string output. */
#ifndef POR_CLI_CLIOPT_H
#define POR_CLI_CLIOPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Prints "porsim CMD: <message>" and a pointer to `porsim help CMD` on stderr; returns 2
 * (the bad-input exit code). */
int por_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses an unsigned decimal integer in [MIN, MAX]; false if S is not one. */
bool por_cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Matches "-x VALUE", "--long VALUE" or "--long=VALUE" at argv[*I] (SHORT_NAME may be NULL).
 * On a match returns true and sets *VALUE (advancing *I past a separate value), or sets
 * *MISSING when the value is absent. */
bool por_cli_opt(int argc, char **argv, int *i, const char *short_name, const char *long_name,
                 const char **value, bool *missing);

/* Writes S as a JSON string literal (quotes, backslashes and control bytes escaped). */
void por_cli_json_string(FILE *f, const char *s);

#endif
