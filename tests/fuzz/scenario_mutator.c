/* A structure-aware mutator for scenario files: parses the input as JSON (cJSON), picks a
 * node and changes it in a way the schema cares about, and prints the tree back, so most
 * mutants stay valid JSON and reach the loader's checks instead of its syntax errors:
 *   - a number becomes a boundary (0, -1, 2^53 - 1, 2^53, 1e308, 31, 32, 0.5, ...);
 *   - a duration string becomes an extreme ("1ns", "0s", "-1s", "999999999d", "1.5ns");
 *   - a percentage becomes an extreme ("0%", "+100%", "-100%", "1e9%", "0.0000001%");
 *   - another string gets quotes, backslashes, control characters, non-ASCII, 2^127 - 1,
 *     or becomes empty or very long;
 *   - an object loses a member, or gains a schema key with a random value; an array
 *     loses an element, repeats one, or is emptied; any node may change its type.
 * With libFuzzer (POR_FUZZ_LIBFUZZER) it is the fuzz_scenario target's custom mutator,
 * falling back to LLVMFuzzerMutate for inputs that are not JSON; mutate_main.c also runs
 * it without libFuzzer, from a fixed seed, as the ctest fuzz_scenario_mutate. */
#include "scenario_mutator.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static uint32_t por__next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

#define POR__PICK(s, arr) (arr)[por__next(s) % (sizeof(arr) / sizeof *(arr))]

static const double por__numbers[] = {0, -1, 1, 2, 3, 31, 32, 0.5, 1e-9, 1e308, -1e308,
                                      9007199254740991.0, 9007199254740992.0, 4294967296.0,
                                      18446744073709551616.0, 1000000, 10000001};
static const char *const por__durations[] = {"0s", "1ns", "10ns", "-1s", "1e3s", "999999999d",
                                             "1.5ns", "1h30m", "106751d", "0.000000001s", "1w"};
static const char *const por__percents[] = {"0%", "+100%", "-100%", "100%", "1e9%", "0.0000001%",
                                            "%", "-0%", "99.9999999%", "-99.99%"};
static const char *const por__strings[] = {
    "", "a\"b", "back\\slash", "ctl\x01\x1f", "tab\tnew\nline", "\xc3\xb1\xe2\x82\xac\xf0\x9f\x98\x80",
    "\xff\xfe", "170141183460469231731687303715884105727", "-0.03", "0x1p4", " 7", "inf", "nan",
    "9007199254740993", "random", "none", "api", "wallet", "ethereum", "lognormal"};
static const char *const por__keys[] = {
    "n", "f", "delta_resend", "delta_round", "delta_progress", "delta_c", "delta_grace",
    "delta_stage", "block_time", "steps", "change", "set", "at", "every", "seed",
    "replications", "duration", "decimals", "initial", "attackers", "kind", "window", "from",
    "until", "nodes", "chains", "custodians", "consumers", "token", "feed", "ocr", "deviation",
    "latency", "dist", "mean", "sd", "confirmations", "congestion", "drift", "model"};

/* Every node of the tree with its parent (NULL for the root), up to CAP. */
typedef struct {
    cJSON *node, *parent;
} por__slot;

static size_t por__collect(cJSON *node, cJSON *parent, por__slot *out, size_t n, size_t cap)
{
    if (n < cap)
        out[n++] = (por__slot){node, parent};
    for (cJSON *c = node->child; c && n < cap; c = c->next)
        n = por__collect(c, node, out, n, cap);
    return n;
}

static bool por__is_duration(const char *s)
{
    size_t len = strlen(s);
    return len >= 2 && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') &&
           strchr("smhdwy", s[len - 1]) != NULL;
}

static cJSON *por__random_value(uint64_t *s)
{
    switch (por__next(s) % 6) {
    case 0: return cJSON_CreateNumber(POR__PICK(s, por__numbers));
    case 1: return cJSON_CreateString(POR__PICK(s, por__durations));
    case 2: return cJSON_CreateString(POR__PICK(s, por__percents));
    case 3: return cJSON_CreateString(POR__PICK(s, por__strings));
    case 4: return cJSON_CreateBool(por__next(s) & 1);
    default: return por__next(s) & 1 ? cJSON_CreateArray() : cJSON_CreateObject();
    }
}

/* A replacement for NODE, or NULL to leave the tree alone (an in-place change). */
static cJSON *por__mutate_node(cJSON *node, uint64_t *s)
{
    if (por__next(s) % 8 == 0)
        return por__random_value(s); /* change of type */
    if (cJSON_IsNumber(node))
        return cJSON_CreateNumber(POR__PICK(s, por__numbers));
    if (cJSON_IsBool(node))
        return cJSON_CreateBool(!cJSON_IsTrue(node));
    if (cJSON_IsString(node)) {
        const char *v = node->valuestring ? node->valuestring : "";
        if (por__is_duration(v) && por__next(s) % 4)
            return cJSON_CreateString(POR__PICK(s, por__durations));
        if (strchr(v, '%') && por__next(s) % 4)
            return cJSON_CreateString(POR__PICK(s, por__percents));
        if (por__next(s) % 8 == 0) {
            char longs[400];
            memset(longs, 'x', sizeof longs - 1);
            longs[sizeof longs - 1] = '\0';
            return cJSON_CreateString(longs);
        }
        return cJSON_CreateString(POR__PICK(s, por__strings));
    }
    if (cJSON_IsArray(node) || cJSON_IsObject(node)) {
        int n = cJSON_GetArraySize(node);
        uint32_t what = por__next(s) % 4;
        if (what == 0 && n > 0) {
            cJSON_DeleteItemFromArray(node, (int)(por__next(s) % (uint32_t)n));
        } else if (what == 1 && n > 0 && cJSON_IsArray(node)) {
            cJSON *dup = cJSON_Duplicate(cJSON_GetArrayItem(node, (int)(por__next(s) % (uint32_t)n)), 1);
            if (dup)
                cJSON_AddItemToArray(node, dup);
        } else if (what == 2 && cJSON_IsObject(node)) {
            const char *key = POR__PICK(s, por__keys);
            cJSON_DeleteItemFromObjectCaseSensitive(node, key);
            cJSON_AddItemToObject(node, key, por__random_value(s));
        } else if (what == 3) {
            while (node->child)
                cJSON_DeleteItemFromArray(node, 0);
        } else {
            cJSON_AddItemToArray(node, por__random_value(s));
        }
    }
    return NULL;
}

size_t por_fuzz_mutate_scenario(uint8_t *data, size_t size, size_t max_size, unsigned seed)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, size);
    free(text);
    if (!root)
        return 0;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    unsigned rounds = 1 + por__next(&s) % 3;
    for (unsigned r = 0; r < rounds; r++) {
        por__slot slots[4096];
        size_t n = por__collect(root, NULL, slots, 0, sizeof slots / sizeof *slots);
        por__slot pick = slots[por__next(&s) % n];
        cJSON *repl = por__mutate_node(pick.node, &s);
        if (!repl)
            continue;
        if (!pick.parent) {
            cJSON_Delete(root);
            root = repl;
        } else {
            cJSON_ReplaceItemViaPointer(pick.parent, pick.node, repl);
        }
    }
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!out)
        return 0;
    size_t len = strlen(out);
    if (len > max_size) {
        cJSON_free(out);
        return 0;
    }
    memcpy(data, out, len);
    cJSON_free(out);
    return len;
}

#ifdef POR_FUZZ_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    /* One time in four the byte-level mutator, so syntax errors stay covered too. */
    if (seed % 4 != 0) {
        size_t n = por_fuzz_mutate_scenario(data, size, max_size, seed);
        if (n > 0)
            return n;
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
#endif
