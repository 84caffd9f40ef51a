/* porsim command-line entry point (temporary minimal dispatcher). */
#include "por/bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    por_phold_config c = {1024, 16, 5000000, 1};
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--lps")) c.lps = (uint32_t)atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--per-lp")) c.per_lp = (uint32_t)atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--events")) c.events = strtoull(argv[i + 1], 0, 10);
    }
    por_phold_result r;
    por_phold_run(&c, &r);
    printf("porsim phold N=%u J=%u events=%llu seconds=%.3f events_per_s=%.0f\n", c.lps, c.per_lp,
           (unsigned long long)r.events, r.seconds, r.events_per_s);
    return 0;
}
