/* Length-prefixed blobs: the bytes processes exchange (porsim-mpi's gathers, porsim tune's
 * file shards). Native-endian u64s and strings (the length as a u64, then the bytes; NULL
 * is the length UINT64_MAX), appended to a growing buffer and read back by a reader that
 * fails (ok = false, zeros from then on) on a short or malformed blob. */
#ifndef POR_BLOB_H
#define POR_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; zero-initialize, free(data) when done. */
typedef struct {
    char *data;
    size_t len, cap;
} por_blob;

void por_blob_put(por_blob *b, const void *p, size_t n);
void por_blob_put_u64(por_blob *b, uint64_t x);
/* A string or NULL (length UINT64_MAX). */
void por_blob_put_str(por_blob *b, const char *s);

/* Reading a blob back: {bytes, length, true}. */
typedef struct {
    const char *p;
    size_t left;
    bool ok;
} por_blob_reader;

void por_blob_get(por_blob_reader *r, void *out, size_t n);
uint64_t por_blob_get_u64(por_blob_reader *r);
/* Returns a malloc'd string, or NULL for a NULL string or a read failure. */
char *por_blob_get_str(por_blob_reader *r);

#endif
