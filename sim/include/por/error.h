/* porsim error codes and the error record every fallible call fills.
 *
 * One X-macro table gives the enum, the name and the process exit code together
 * (0 ok, 1 runtime failure, 2 bad input, 3 safety invariant broken). */
#ifndef POR_ERROR_H
#define POR_ERROR_H

#include <stddef.h>
#include <stdio.h>

#define POR_ERRORS(X)                                                     \
    X(POR_OK, "ok", 0)                                                    \
    X(POR_EINPUT, "bad input", 2)                                         \
    X(POR_ENOMEM, "out of memory", 1)                                     \
    X(POR_EIO, "i/o error", 1)                                            \
    X(POR_ERUNTIME, "runtime failure", 1)                                 \
    X(POR_EINVARIANT, "safety invariant broken", 3)                       \
    X(POR_EINTERRUPTED, "interrupted", 1)

typedef enum {
#define POR__ENUM(code, name, exit) code,
    POR_ERRORS(POR__ENUM)
#undef POR__ENUM
} por_status;

/* One error: a status and a full message ("file: $.path: what was expected"). */
typedef struct {
    por_status status;
    char msg[512];
} por_error;

/* Returns the short name of a status ("bad input"). */
const char *por_status_name(por_status s);

/* Returns the process exit code for a status (0, 1, 2 or 3). */
int por_status_exit_code(por_status s);

/* Fills ERR (may be NULL) with STATUS and a printf-style message; returns STATUS. */
por_status por_error_set(por_error *err, por_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The one allocation-failure handler: prints "porsim: out of memory" followed by the
 * printf-style WHAT (e.g. " (creating the C locale)"; "" for none) and a line end to
 * stderr, and exits 1. Every out-of-memory path of porsim ends here. */
void por_out_of_memory(const char *what, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Allocation that never returns NULL: on failure it prints a clear message and exits 1.
 * Tests may make the N-th allocation (N >= 1, counted over all threads) and any after it
 * fail with POR_FAIL_ALLOC=N in the environment. */
void *por_xmalloc(size_t n);
void *por_xcalloc(size_t count, size_t size);
void *por_xrealloc(void *p, size_t n);
char *por_xstrdup(const char *s);

/* open_memstream(BUF, LEN) that never returns NULL (out of memory ends in
 * por_out_of_memory). The caller fcloses the stream and frees *BUF. */
FILE *por_xmemstream(char **buf, size_t *len);

/* Internal invariants: stay on in every build; failing one is a bug, reported and
 * ended with exit 1. */
#define POR_ASSERT(cond)                                                  \
    do {                                                                  \
        if (!(cond))                                                      \
            por__assert_fail(#cond, __FILE__, __LINE__);                  \
    } while (0)
void por__assert_fail(const char *what, const char *file, int line) __attribute__((noreturn));

#endif
