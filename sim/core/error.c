/* Error records, status names and exit codes, and the checked allocators. */
#include "por/error.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *por_status_name(por_status s)
{
    switch (s) {
#define POR__NAME(code, name, exit) case code: return name;
        POR_ERRORS(POR__NAME)
#undef POR__NAME
    }
    return "unknown";
}

int por_status_exit_code(por_status s)
{
    switch (s) {
#define POR__EXIT(code, name, exit) case code: return exit;
        POR_ERRORS(POR__EXIT)
#undef POR__EXIT
    }
    return 1;
}

por_status por_error_set(por_error *err, por_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

/* Allocation-failure injection for tests: POR_FAIL_ALLOC=N fails the N-th call (and any
 * after it). Returns 0 when this call must fail. Atomic: replications on several threads
 * allocate concurrently, and exactly the N-th call of the process fails. */
static long por__alloc_countdown(void)
{
    static atomic_long limit = -2, calls = 0;
    long lim = atomic_load(&limit);
    if (lim == -2) {
        const char *e = getenv("POR_FAIL_ALLOC");
        lim = e && *e ? atol(e) : -1;
        atomic_store(&limit, lim);
    }
    if (lim <= 0)
        return -1;
    return atomic_fetch_add(&calls, 1) + 1 >= lim ? 0 : 1;
}

void por_out_of_memory(const char *what, ...)
{
    va_list ap;
    va_start(ap, what);
    fputs("porsim: out of memory", stderr);
    vfprintf(stderr, what, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *por__oom(size_t n)
{
    por_out_of_memory(" (allocating %zu bytes)", n);
}

void *por_xmalloc(size_t n)
{
    void *p = por__alloc_countdown() == 0 ? NULL : malloc(n ? n : 1);
    return p ? p : por__oom(n);
}

void *por_xcalloc(size_t count, size_t size)
{
    void *p = por__alloc_countdown() == 0 ? NULL : calloc(count ? count : 1, size ? size : 1);
    return p ? p : por__oom(count * size);
}

void *por_xrealloc(void *old, size_t n)
{
    void *p = por__alloc_countdown() == 0 ? NULL : realloc(old, n ? n : 1);
    return p ? p : por__oom(n);
}

char *por_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = por_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

FILE *por_xmemstream(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        por_out_of_memory(" (opening a memory stream)");
    return f;
}

void por__assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "porsim: internal error: assertion '%s' failed at %s:%d\n", what, file, line);
    exit(1);
}
