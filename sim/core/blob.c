/* Length-prefixed blobs for the exchange between processes (por/blob.h). */
#include "por/blob.h"

#include "por/error.h"

#include <string.h>

void por_blob_put(por_blob *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = b->cap ? b->cap : 4096;
        while (b->len + n > b->cap)
            b->cap *= 2;
        b->data = por_xrealloc(b->data, b->cap);
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void por_blob_put_u64(por_blob *b, uint64_t x)
{
    por_blob_put(b, &x, sizeof x);
}

void por_blob_put_str(por_blob *b, const char *s)
{
    if (!s) {
        por_blob_put_u64(b, UINT64_MAX);
        return;
    }
    size_t n = strlen(s);
    por_blob_put_u64(b, n);
    por_blob_put(b, s, n);
}

void por_blob_get(por_blob_reader *r, void *out, size_t n)
{
    if (!r->ok || r->left < n) {
        r->ok = false;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
}

uint64_t por_blob_get_u64(por_blob_reader *r)
{
    uint64_t x;
    por_blob_get(r, &x, sizeof x);
    return x;
}

char *por_blob_get_str(por_blob_reader *r)
{
    uint64_t n = por_blob_get_u64(r);
    if (!r->ok || n == UINT64_MAX)
        return NULL;
    if (n > r->left) {
        r->ok = false;
        return NULL;
    }
    char *s = por_xmalloc((size_t)n + 1);
    por_blob_get(r, s, (size_t)n);
    s[n] = '\0';
    return s;
}
