/* The CSV module (por/csv.h): RFC 4180 quoting of one field, and splitting a line
 * back into fields, for every CSV file porsim writes or reads. */
#include "por/csv.h"

#include "por/error.h"

#include <stdlib.h>
#include <string.h>

bool por_csv_needs_quotes(const char *s) { return strpbrk(s, ",\"\r\n") != NULL; }

void por_csv_write_field(FILE *f, const char *s)
{
    if (!por_csv_needs_quotes(s)) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

char *por_csv_field(const char *s)
{
    if (!por_csv_needs_quotes(s))
        return por_xstrdup(s);
    size_t quotes = 0;
    for (const char *p = s; *p; p++)
        quotes += *p == '"';
    char *out = por_xmalloc(strlen(s) + quotes + 3), *q = out;
    *q++ = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            *q++ = '"';
        *q++ = *p;
    }
    *q++ = '"';
    *q = '\0';
    return out;
}

size_t por_csv_split(const char *line, char ***fields)
{
    size_t n = 0, cap = 8;
    char **out = por_xmalloc(cap * sizeof *out);
    size_t room = strlen(line) + 1; /* no field is longer than the line */
    const char *p = line;
    for (;;) {
        char *field = por_xmalloc(room), *w = field;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    free(field);
                    goto bad;
                }
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0') {
                free(field);
                goto bad;
            }
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        *w = '\0';
        if (n == cap)
            out = por_xrealloc(out, (cap *= 2) * sizeof *out);
        out[n++] = field;
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *fields = out;
    return n;
bad:
    por_csv_fields_free(out, n);
    return (size_t)-1;
}

void por_csv_fields_free(char **fields, size_t n)
{
    if (n == (size_t)-1)
        return;
    for (size_t i = 0; i < n; i++)
        free(fields[i]);
    free(fields);
}
