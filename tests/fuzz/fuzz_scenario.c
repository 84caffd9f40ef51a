/* Fuzz harness for the scenario loader: any bytes -> por_scenario_load_string.
 *
 * Checked on every input, beyond "no crash, no leak, no undefined behaviour":
 *   - the result is POR_OK with a scenario, or POR_EINPUT with a one-line message that
 *     starts with the display name (never another status, never an empty message);
 *   - loading the same bytes twice gives the same status and the same message, or the
 *     same scenario hash (catches reads of uninitialized memory and hidden state);
 *   - an accepted scenario satisfies the basic validated bounds (1 <= n <= 31, 3f < n,
 *     positive duration, at least one replication, decimals <= 36).
 * Built three ways (tests/CMakeLists.txt): a libFuzzer target (POR_FUZZ=ON, clang), and
 * a plain main() (replay_main.c) that replays the corpus in ctest or runs under AFL++. */
#include "fuzz_common.h"

#include "por/scenario_load.h"

#include <string.h>

#define POR_FUZZ_NAME "fuzz.json"

static void por__check_scenario(const por_scenario *sc)
{
    POR_FUZZ_CHECK(sc->feed.ocr.n >= 1 && sc->feed.ocr.n <= 31, "n=%u", sc->feed.ocr.n);
    POR_FUZZ_CHECK(3u * sc->feed.ocr.f < sc->feed.ocr.n, "n=%u f=%u", sc->feed.ocr.n, sc->feed.ocr.f);
    POR_FUZZ_CHECK(sc->duration > 0, "duration %lld", (long long)sc->duration);
    POR_FUZZ_CHECK(sc->replications >= 1, "replications 0");
    POR_FUZZ_CHECK(sc->token.decimals <= 36 && sc->feed.decimals <= 36, "decimals %u/%u",
                   (unsigned)sc->token.decimals, (unsigned)sc->feed.decimals);
    char hash[17];
    por_scenario_hash(sc, hash);
    POR_FUZZ_CHECK(strlen(hash) == 16 && strspn(hash, "0123456789abcdef") == 16, "hash '%s'", hash);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    por_error e1 = {POR_OK, ""}, e2 = {POR_OK, ""};
    por_scenario *s1 = NULL, *s2 = NULL;
    por_status st1 = por_scenario_load_string((const char *)data, size, POR_FUZZ_NAME, NULL, 0, &s1, &e1);
    por_status st2 = por_scenario_load_string((const char *)data, size, POR_FUZZ_NAME, NULL, 0, &s2, &e2);
    POR_FUZZ_CHECK(st1 == st2, "status %d then %d", (int)st1, (int)st2);
    if (st1 == POR_OK) {
        POR_FUZZ_CHECK(s1 && s2, "POR_OK without a scenario");
        por__check_scenario(s1);
        char h1[17], h2[17];
        por_scenario_hash(s1, h1);
        por_scenario_hash(s2, h2);
        POR_FUZZ_CHECK(strcmp(h1, h2) == 0, "hash %s then %s", h1, h2);
    } else {
        POR_FUZZ_CHECK(st1 == POR_EINPUT, "status %d (%s)", (int)st1, e1.msg);
        POR_FUZZ_CHECK(s1 == NULL && s2 == NULL, "scenario returned with an error");
        POR_FUZZ_CHECK(strncmp(e1.msg, POR_FUZZ_NAME ": ", sizeof POR_FUZZ_NAME + 1) == 0,
                       "message '%s'", e1.msg);
        POR_FUZZ_CHECK(strlen(e1.msg) > sizeof POR_FUZZ_NAME + 1, "empty message");
        POR_FUZZ_CHECK(strchr(e1.msg, '\n') == NULL, "multi-line message '%s'", e1.msg);
        POR_FUZZ_CHECK(strcmp(e1.msg, e2.msg) == 0, "message '%s' then '%s'", e1.msg, e2.msg);
    }
    por_scenario_free(s1);
    por_scenario_free(s2);
    return 0;
}
