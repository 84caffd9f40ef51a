/* Every JSON file porsim writes (run's summary.json and meta.json, with and without
 * --until-ci; sweep's and merge's meta.json) parses with cJSON and has no duplicate key,
 * when the strings in it (scenario name, file path, --set values, shard folders) hold
 * quotes, backslashes, control characters, non-ASCII and invalid UTF-8 (issue 20.2: a
 * scenario named a"b gave a summary.json that was not JSON, with "replications" twice),
 * and each such string reads back exactly (invalid UTF-8 bytes as U+FFFD). */
#include "por_test.h"
#include "por/json_write.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The scenario name, as it must read back: quote, backslash, control characters (U+0001,
 * tab, newline), n with tilde, euro sign, an emoji. */
static const char g_name[] = "a\"b\\c\x01\t\n\xc3\xb1\xe2\x82\xac\xf0\x9f\x98\x80";

/* Parses PATH, fails the test unless it is JSON whose objects have no repeated key. */
static cJSON *parse_strict(const char *path)
{
    char *txt = por_test_slurp(path);
    ck_assert_msg(txt != NULL, "%s missing", path);
    cJSON *j = cJSON_Parse(txt);
    ck_assert_msg(j != NULL, "%s is not JSON near: %.60s", path,
                  cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
    free(txt);
    /* Depth-first over objects: no two members of one object share a name. */
    cJSON *stack[256];
    size_t top = 0;
    stack[top++] = j;
    while (top) {
        cJSON *o = stack[--top];
        for (cJSON *a = o->child; a; a = a->next) {
            if (cJSON_IsObject(o))
                for (cJSON *b = a->next; b; b = b->next)
                    ck_assert_msg(strcmp(a->string, b->string), "%s: key \"%s\" twice", path,
                                  a->string);
            if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && top < 256)
                stack[top++] = a;
        }
    }
    return j;
}

static void expect_string(const cJSON *j, const char *key, const char *want, const char *path)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    ck_assert_msg(cJSON_IsString(v), "%s: no string \"%s\"", path, key);
    ck_assert_msg(!strcmp(v->valuestring, want), "%s: %s reads back as %s", path, key,
                  v->valuestring);
}

START_TEST(test_quote_rule)
{
    /* Invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/', a
     * surrogate) becomes U+FFFD; valid sequences pass through. */
    char *q = por_json_quote("\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xc3\xa9\x7f");
    ck_assert_str_eq(q, "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
                        "\xc3\xa9\x7f\"");
    free(q);
    q = por_json_quote(NULL);
    ck_assert_str_eq(q, "null");
    free(q);
    q = por_json_quote(g_name);
    cJSON *j = cJSON_Parse(q);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(j->valuestring, g_name);
    cJSON_Delete(j);
    free(q);
}
END_TEST

START_TEST(test_every_json_output_parses)
{
    const char *base = por_test_tmpdir("json-out");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/we\"ird\\dir \xc3\xa9", base); /* the path is a string too */
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char file[4300];
    snprintf(file, sizeof file, "%s/s.json", dir);
    FILE *f = fopen(file, "w");
    char *name = por_json_quote(g_name);
    fprintf(f, "{\"name\": %s, \"duration\": \"2h\", \"replications\": 2}\n", name);
    free(name);
    fclose(f);

    char args[20000], out[4400], log[4400], path[4500];
    snprintf(log, sizeof log, "%s/log.txt", base);
    /* run, with a --set string holding a quote and a backslash */
    const char *set = "--set 'description=\"x\\\"y\\\\z\"'";
    const char *runs[] = {"run '%s' -q %s -o '%s/run'", "run '%s' -q %s --until-ci 50 "
                          "--max-reps 40 -o '%s/ci'"};
    const char *sub[] = {"run", "ci"};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, runs[k], file, set, dir);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        snprintf(out, sizeof out, "%s/%s", dir, sub[k]);
        snprintf(path, sizeof path, "%s/summary.json", out);
        cJSON *j = parse_strict(path);
        expect_string(j, "scenario", g_name, path);
        cJSON_Delete(j);
        snprintf(path, sizeof path, "%s/meta.json", out);
        j = parse_strict(path);
        expect_string(j, "scenario_name", g_name, path);
        expect_string(j, "scenario_file", file, path);
        const cJSON *sets = cJSON_GetObjectItemCaseSensitive(j, "sets");
        ck_assert(cJSON_IsArray(sets));
        ck_assert_str_eq(cJSON_GetArrayItem(sets, 0)->valuestring, "description=\"x\\\"y\\\\z\"");
        cJSON_Delete(j);
    }
    /* sweep (two shards) and merge */
    for (int k = 1; k <= 2; k++) {
        snprintf(args, sizeof args, "sweep '%s' -q --param seed=1,2 --shard %d/2 -o '%s/shard%d'",
                 file, k, dir, k);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
        snprintf(path, sizeof path, "%s/shard%d/meta.json", dir, k);
        cJSON *j = parse_strict(path);
        expect_string(j, "scenario_name", g_name, path);
        expect_string(j, "scenario_file", file, path);
        cJSON_Delete(j);
    }
    snprintf(args, sizeof args, "merge -q '%s/merged' '%s/shard1' '%s/shard2'", dir, dir, dir);
    ck_assert_int_eq(por_test_run_cli(args, log), 0);
    snprintf(path, sizeof path, "%s/merged/meta.json", dir);
    cJSON *j = parse_strict(path);
    const cJSON *shards = cJSON_GetObjectItemCaseSensitive(j, "shards");
    ck_assert(cJSON_IsArray(shards));
    snprintf(out, sizeof out, "%s/shard1", dir);
    ck_assert_str_eq(cJSON_GetArrayItem(shards, 0)->valuestring, out);
    cJSON_Delete(j);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("outputs_json");
    TCase *tc = tcase_create("outputs_json");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_quote_rule);
    tcase_add_test(tc, test_every_json_output_parses);
    suite_add_tcase(s, tc);
    return s;
}
