/* Simulated time: int64 nanoseconds, parsed from and printed as human strings.
 *
 * Scenario files write durations as "250ms", "12s", "1h", "30d", "1.5s", "1h30m".
 * Floating seconds appear only at the edges (I/O, reports). */
#ifndef POR_TIME_H
#define POR_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t por_time_t;

#define POR_NS ((por_time_t)1)
#define POR_US ((por_time_t)1000)
#define POR_MS ((por_time_t)1000000)
#define POR_SEC ((por_time_t)1000000000)
#define POR_MIN (60 * POR_SEC)
#define POR_HOUR (60 * POR_MIN)
#define POR_DAY (24 * POR_HOUR)
#define POR_TIME_MAX INT64_MAX

/* Parses a duration string into nanoseconds. Units: ns us ms s m h d w (also "min").
 * Several terms may follow each other ("1h30m"); a term may have a decimal fraction
 * ("1.5s") that must resolve to whole nanoseconds. Negative values are refused.
 * Returns 0 on success, or -1 with a short reason in WHY (static string). */
int por_duration_parse(const char *s, por_time_t *out, const char **why);

/* Formats T as "day D HH:MM:SS.mmm" (day counted from 0). Returns BUF. */
char *por_time_format_clock(por_time_t t, char *buf, size_t n);

/* Formats a duration compactly ("1d2h", "250ms", "12.5s"). Returns BUF. */
char *por_duration_format(por_time_t d, char *buf, size_t n);

/* Seconds as a double, for reporting only. */
static inline double por_time_seconds(por_time_t t) { return (double)t / 1e9; }

#endif
