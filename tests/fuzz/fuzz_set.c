/* Fuzz harness for the --param value-list splitter and the --set override parser.
 *
 * Input: text lines. Line 1 is a sweep parameter "PATH=v1,v2,..." (as after --param):
 * its value list goes through por_sweep_split_values, and each value (up to 8) is
 * applied to the embedded default scenario as the override "PATH=value" (what a sweep
 * point does), together with lines 2..17 as further --set overrides in order.
 * Checked, beyond "no crash, no leak, no undefined behaviour":
 *   - the splitter returns POR_OK with >= 1 non-empty values, or POR_EINPUT with a
 *     message; values never exceed the input length;
 *   - with no comma, quote, bracket or backslash in the list, it is exactly one value
 *     equal to the list;
 *   - loading gives POR_OK or POR_EINPUT with a message starting with the display name,
 *     and the same result twice. */
#include "fuzz_common.h"

#include "por/scenario_load.h"
#include "por/sweep.h"

#include <string.h>

#define POR_FUZZ_NAME "<default>"
#define POR_FUZZ_MAX_SETS 16
#define POR_FUZZ_MAX_VALUES 8

static void por__load_twice(const char *const *sets, size_t nsets)
{
    por_error e1 = {POR_OK, ""}, e2 = {POR_OK, ""};
    por_scenario *s1 = NULL, *s2 = NULL;
    por_status st1 = por_scenario_load_string(por_default_scenario_json, por_default_scenario_len,
                                              POR_FUZZ_NAME, sets, nsets, &s1, &e1);
    por_status st2 = por_scenario_load_string(por_default_scenario_json, por_default_scenario_len,
                                              POR_FUZZ_NAME, sets, nsets, &s2, &e2);
    POR_FUZZ_CHECK(st1 == st2, "status %d then %d", (int)st1, (int)st2);
    if (st1 == POR_OK) {
        POR_FUZZ_CHECK(s1 && s2, "POR_OK without a scenario");
        POR_FUZZ_CHECK(s1->feed.ocr.n >= 1 && s1->feed.ocr.n <= 31 && 3u * s1->feed.ocr.f < s1->feed.ocr.n,
                       "n=%u f=%u", s1->feed.ocr.n, s1->feed.ocr.f);
        char h1[17], h2[17];
        por_scenario_hash(s1, h1);
        por_scenario_hash(s2, h2);
        POR_FUZZ_CHECK(strcmp(h1, h2) == 0, "hash %s then %s", h1, h2);
    } else {
        POR_FUZZ_CHECK(st1 == POR_EINPUT, "status %d (%s)", (int)st1, e1.msg);
        POR_FUZZ_CHECK(strncmp(e1.msg, POR_FUZZ_NAME ": ", sizeof POR_FUZZ_NAME + 1) == 0 ||
                           strncmp(e1.msg, "--set ", 6) == 0,
                       "message '%s'", e1.msg);
        POR_FUZZ_CHECK(strchr(e1.msg, '\n') == NULL, "multi-line message '%s'", e1.msg);
        POR_FUZZ_CHECK(strcmp(e1.msg, e2.msg) == 0, "message '%s' then '%s'", e1.msg, e2.msg);
    }
    por_scenario_free(s1);
    por_scenario_free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0; /* a command line, not a file: keep iterations fast */
    char *text = malloc(size + 1);
    POR_FUZZ_CHECK(text != NULL, "malloc");
    memcpy(text, data, size);
    text[size] = '\0'; /* an embedded NUL ends the text, as in argv */

    char *lines[1 + POR_FUZZ_MAX_SETS];
    size_t nlines = 0;
    for (char *p = text; nlines < 1 + POR_FUZZ_MAX_SETS;) {
        lines[nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }

    const char *param = lines[0];
    const char *eq = strchr(param, '=');
    const char *list = eq ? eq + 1 : param;
    char **values = NULL;
    size_t nvalues = 0;
    por_error err = {POR_OK, ""};
    por_status st = por_sweep_split_values(list, &values, &nvalues, &err);
    if (st == POR_OK) {
        POR_FUZZ_CHECK(nvalues >= 1, "no values from '%s'", list);
        for (size_t i = 0; i < nvalues; i++)
            POR_FUZZ_CHECK(values[i][0] && strlen(values[i]) <= strlen(list), "value %zu '%s'", i, values[i]);
        if (!strpbrk(list, ",\"[]{}\\"))
            POR_FUZZ_CHECK(nvalues == 1 && strcmp(values[0], list) == 0, "plain list '%s'", list);
    } else {
        POR_FUZZ_CHECK(st == POR_EINPUT && err.msg[0], "status %d", (int)st);
        POR_FUZZ_CHECK(values == NULL && nvalues == 0, "outputs set on error");
    }

    const char *sets[1 + POR_FUZZ_MAX_SETS];
    size_t nsets = 0;
    for (size_t l = 1; l < nlines; l++)
        sets[1 + nsets++] = lines[l];
    if (st == POR_OK && eq) {
        size_t plen = (size_t)(eq - param);
        for (size_t i = 0; i < nvalues && i < POR_FUZZ_MAX_VALUES; i++) {
            size_t vlen = strlen(values[i]);
            char *set = malloc(plen + 1 + vlen + 1);
            POR_FUZZ_CHECK(set != NULL, "malloc");
            memcpy(set, param, plen + 1);
            memcpy(set + plen + 1, values[i], vlen + 1);
            sets[0] = set;
            por__load_twice(sets, nsets + 1);
            free(set);
        }
    } else {
        por__load_twice(sets + 1, nsets);
    }
    if (st == POR_OK)
        por_sweep_free_values(values, nvalues);
    free(text);
    return 0;
}
