/* A plain main() for the fuzz harnesses (no libFuzzer): feeds every file named on the
 * command line (directories: every regular file in them, sorted) to
 * LLVMFuzzerTestOneInput, or, with no argument, standard input once. The replay is the
 * ctest that runs the corpus in every build (ASan+UBSan in CI); compiled with afl-cc it
 * is an AFL++ target (`afl-fuzz -i corpus -o out -- ./fuzz_x_afl @@`). Prints
 * "replayed N inputs" and exits 0, or dies on the first failing input (its name is
 * printed before it runs). */
#include "fuzz_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#ifdef __AFL_FUZZ_TESTCASE_LEN
#include <unistd.h>
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
__AFL_FUZZ_INIT()
#endif

static unsigned char *por__read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    POR_FUZZ_CHECK(buf != NULL, "malloc");
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, cap *= 2);
            POR_FUZZ_CHECK(buf != NULL, "realloc");
        }
    }
    *len = n;
    return buf;
}

static size_t por__run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        exit(2);
    }
    size_t len;
    unsigned char *buf = por__read_all(f, &len);
    fclose(f);
    if (getenv("POR_REPLAY_VERBOSE"))
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    /* Give the harness exactly LEN bytes (ASan sees reads past the end). */
    unsigned char *exact = malloc(len ? len : 1);
    POR_FUZZ_CHECK(exact != NULL, "malloc");
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

static int por__cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t por__run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: no such file or directory\n", path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode))
        return por__run_file(path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", path);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            POR_FUZZ_CHECK(names != NULL, "realloc");
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        POR_FUZZ_CHECK(names[n] != NULL, "malloc");
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, por__cmp);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat fs;
        if (stat(names[i], &fs) == 0 && S_ISREG(fs.st_mode))
            count += por__run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
#ifdef __AFL_FUZZ_TESTCASE_LEN
        /* AFL++ persistent mode with shared-memory test cases. */
        __AFL_INIT();
        unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
        while (__AFL_LOOP(10000)) {
            size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
            unsigned char *exact = malloc(len ? len : 1);
            POR_FUZZ_CHECK(exact != NULL, "malloc");
            memcpy(exact, buf, len);
            LLVMFuzzerTestOneInput(exact, len);
            free(exact);
        }
        return 0;
#else
        size_t len;
        unsigned char *buf = por__read_all(stdin, &len);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        printf("replayed 1 input (stdin)\n");
        return 0;
#endif
    }
    size_t count = 0;
    for (int i = 1; i < argc; i++)
        count += por__run_path(argv[i]);
    printf("replayed %zu inputs\n", count);
    return count ? 0 : 1;
}
