/* The structure-aware mutator without libFuzzer: for every file named (directories: every
 * regular file in them), MUTANTS mutants (POR_MUTANTS, default 8) from fixed seeds are fed
 * to the scenario harness, so every build (ASan+UBSan in CI) runs a bounded, reproducible
 * round of structure-aware fuzzing. Prints "mutated N inputs (M valid JSON mutants)".
 * With POR_MUTANT_DIR=DIR each mutant is also written there (mutant-SEED.json), e.g. to
 * run the accepted ones with `porsim run --max-wall`. */
#include "fuzz_common.h"
#include "scenario_mutator.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#define POR__MAX 65536

static size_t g_inputs, g_mutants;

static void por__file(const char *path, unsigned mutants)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static uint8_t orig[POR__MAX], buf[POR__MAX];
    size_t len = fread(orig, 1, sizeof orig, f);
    fclose(f);
    g_inputs++;
    for (unsigned k = 0; k < mutants; k++) {
        memcpy(buf, orig, len);
        unsigned seed = (unsigned)(g_inputs * 7919u + k);
        size_t n = por_fuzz_mutate_scenario(buf, len, sizeof buf, seed);
        if (n == 0)
            break; /* not JSON: the byte-level replay covers it */
        g_mutants++;
        if (getenv("POR_REPLAY_VERBOSE"))
            fprintf(stderr, "mutate: %s seed %u: %.*s\n", path, seed, (int)(n > 300 ? 300 : n), buf);
        const char *dir = getenv("POR_MUTANT_DIR");
        if (dir) {
            char out[4200];
            snprintf(out, sizeof out, "%s/mutant-%u.json", dir, seed);
            FILE *w = fopen(out, "wb");
            if (w) {
                fwrite(buf, 1, n, w);
                fclose(w);
            }
        }
        uint8_t *exact = malloc(n);
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
}

static int por__cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    unsigned mutants = getenv("POR_MUTANTS") ? (unsigned)atoi(getenv("POR_MUTANTS")) : 8;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            por__file(argv[i], mutants);
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d)
            continue;
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof *names, por__cmp);
        for (size_t k = 0; k < n; k++) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                por__file(path, mutants);
            free(names[k]);
        }
        free(names);
    }
    printf("mutated %zu inputs (%zu valid JSON mutants)\n", g_inputs, g_mutants);
    return 0;
}
