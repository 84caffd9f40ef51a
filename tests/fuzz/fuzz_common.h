/* Shared by the fuzz harnesses: the libFuzzer entry point they define, and a check that
 * aborts (so libFuzzer, AFL++ and the corpus replay all report it) with a message. */
#ifndef POR_FUZZ_COMMON_H
#define POR_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The harness: runs one input; returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POR_FUZZ_CHECK(cond, ...)                                                    \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

#endif
