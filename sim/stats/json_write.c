/* JSON string literals (see por/json_write.h). In the stats layer because stats/writers.c
 * quotes summary.json's strings with it; io and cli, above, use the same function. */
#include "por/json_write.h"
#include "por/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at P (1..4), or 0 when the byte at P does not start
 * one: overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t por__utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

char *por_json_quote(const char *s)
{
    if (!s)
        return por_xstrdup("null");
    size_t cap = strlen(s) * 6 + 3; /* every byte as \u00XX at worst */
    char *out = por_xmalloc(cap), *o = out;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = por__utf8_len(p);
        if (n == 0) {
            memcpy(o, "\\ufffd", 6);
            o += 6;
            p++;
            continue;
        }
        if (n > 1) {
            memcpy(o, p, n);
            o += n;
            p += n;
            continue;
        }
        switch (*p) {
        case '"': memcpy(o, "\\\"", 2); o += 2; break;
        case '\\': memcpy(o, "\\\\", 2); o += 2; break;
        case '\n': memcpy(o, "\\n", 2); o += 2; break;
        case '\r': memcpy(o, "\\r", 2); o += 2; break;
        case '\t': memcpy(o, "\\t", 2); o += 2; break;
        default:
            if (*p < 0x20) {
                static const char hex[] = "0123456789abcdef";
                memcpy(o, "\\u00", 4);
                o[4] = hex[*p >> 4];
                o[5] = hex[*p & 15];
                o += 6;
            } else {
                *o++ = (char)*p;
            }
        }
        p++;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

void por_json_write_string(FILE *f, const char *s)
{
    char *q = por_json_quote(s);
    fputs(q, f);
    free(q);
}
