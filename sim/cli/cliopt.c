/* Shared command-line helpers (see cliopt.h). */
#include "cliopt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int por_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "porsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see `porsim help %s`)\n", cmd);
    va_end(ap);
    return 2;
}

bool por_cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool por_cli_opt(int argc, char **argv, int *i, const char *short_name, const char *long_name,
                 const char **value, bool *missing)
{
    const char *a = argv[*i];
    size_t ll = strlen(long_name);
    if (strncmp(a, long_name, ll) == 0 && a[ll] == '=') {
        *value = a + ll + 1;
        return true;
    }
    if (strcmp(a, long_name) == 0 || (short_name && strcmp(a, short_name) == 0)) {
        if (*i + 1 >= argc) {
            *missing = true;
            return true;
        }
        *value = argv[++*i];
        return true;
    }
    return false;
}

void por_cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}
