/* Numbers as text in porsim's outputs, one module for writing and reading them back
 * (sim/stats/format.c): shortest round-trip doubles, exact nanoseconds as seconds with 9
 * decimals, and strtod / snprintf pinned to the C locale, so no output or parse ever
 * depends on setlocale(). Formats: sim/stats/FORMATS.md. */
#ifndef POR_NUMBER_H
#define POR_NUMBER_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The "C" locale object, created once for the process (thread-safe; out of memory ends
 * in por_out_of_memory). Code that prints or parses numbers switches the calling thread
 * to it with uselocale() so that printf/strtod never see a ',' decimal separator. */
locale_t por_c_locale(void);

/* Formats X as the shortest decimal string that strtod reads back to X exactly
 * (integral |X| < 1e21 without exponent), independent of the process locale; NaN and
 * infinities as "null" (the JSON spelling). BUF needs at least 32 bytes. Returns BUF. */
char *por_format_double(double x, char *buf, size_t n);

/* Formats NS nanoseconds as seconds with exactly 9 decimals ("-0.000000001",
 * "12.500000000"), exact for every int64. BUF needs at least 24 bytes. Returns BUF. */
char *por_format_ns_seconds(int64_t ns, char *buf, size_t n);

/* snprintf in the C locale. Returns what snprintf returns. */
int por_snprintf_c(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* strtod in the C locale (errno as strtod leaves it). */
double por_strtod_c(const char *s, char **end);

/* Reads S, which must be one number and nothing else, with strtod in the C locale into
 * *OUT. Returns false for an empty string or trailing text (*OUT is set anyway). */
bool por_parse_double(const char *s, double *out);

/* Reads seconds written with exactly 9 decimals ("-12.500000000", what
 * por_format_ns_seconds writes) back to integer nanoseconds. Returns false for any
 * other form or a value outside int64. */
bool por_parse_ns_seconds(const char *s, int64_t *out);

#endif
