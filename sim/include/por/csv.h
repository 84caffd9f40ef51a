/* CSV as porsim writes and reads it (sim/stats/csv.c), the one place for its rules:
 * fields separated by ',', lines ended by "\n", a field quoted per RFC 4180 (between
 * '"', inner quotes doubled) exactly when it holds a comma, a quote or a line break.
 * Every CSV file porsim writes (runs.csv, censored.csv, columns.csv, the sweep
 * directory, requirements.csv, tune.csv) quotes through here, and the sweep directory
 * reader splits lines through here. */
#ifndef POR_CSV_H
#define POR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether S must be quoted as a field (it holds ',', '"', '\r' or '\n'). */
bool por_csv_needs_quotes(const char *s);

/* Writes S to F as one field (quoted when it must be). Errors are left in ferror(F). */
void por_csv_write_field(FILE *f, const char *s);

/* S as one field: a malloc'd copy, quoted when it must be (caller frees). */
char *por_csv_field(const char *s);

/* Splits one line LINE (without its line end) into malloc'd, unquoted fields. Returns
 * the field count with *FIELDS (free with por_csv_fields_free), or (size_t)-1 for a
 * malformed quote (then *FIELDS is untouched and nothing is to be freed). */
size_t por_csv_split(const char *line, char ***fields);

/* Frees what por_csv_split returned (N fields); N == (size_t)-1 frees nothing. */
void por_csv_fields_free(char **fields, size_t n);

#endif
