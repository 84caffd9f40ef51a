/* Scenario loader: --set overrides "json.path=VALUE" applied to the parsed tree before
 * validation. Missing objects (or arrays, before an [i]) on the way are created; the
 * shallowest created or replaced node becomes the override's anchor, so validation
 * errors at or under it can say which override produced the value. */
#include "json_read.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool is_index;
    size_t index;
    char key[128];
} por__seg;

/* Splits PATH ("a.b[2].c") into at most MAX segments; returns the count or -1 with WHY. */
static int por__split(const char *path, size_t plen, por__seg *segs, int max, const char **why)
{
    int n = 0;
    size_t i = 0;
    if (plen == 0) {
        *why = "empty path";
        return -1;
    }
    while (i < plen) {
        if (n == max) {
            *why = "path too deep";
            return -1;
        }
        por__seg *s = &segs[n];
        memset(s, 0, sizeof *s);
        if (path[i] == '[') {
            i++;
            size_t v = 0, digits = 0;
            while (i < plen && isdigit((unsigned char)path[i]) && digits < 9) {
                v = v * 10 + (size_t)(path[i++] - '0');
                digits++;
            }
            if (digits == 0 || i >= plen || path[i] != ']') {
                *why = "expected [index] with a small non-negative integer";
                return -1;
            }
            i++;
            s->is_index = true;
            s->index = v;
        } else {
            size_t k = 0;
            while (i < plen && path[i] != '.' && path[i] != '[') {
                if (path[i] == ']') {
                    *why = "unexpected ']'";
                    return -1;
                }
                if (k + 1 >= sizeof s->key) {
                    *why = "key too long";
                    return -1;
                }
                s->key[k++] = path[i++];
            }
            if (k == 0) {
                *why = "empty key";
                return -1;
            }
            /* An all-digit key addresses an array element: "chains.0.name". */
            size_t d = 0;
            while (d < k && isdigit((unsigned char)s->key[d]))
                d++;
            if (d == k && k <= 9) {
                s->is_index = true;
                s->index = (size_t)strtoul(s->key, NULL, 10);
            }
        }
        n++;
        if (i < plen) {
            if (path[i] == '.') {
                i++;
                if (i == plen) {
                    *why = "path ends with '.'";
                    return -1;
                }
            } else if (path[i] != '[') {
                *why = "expected '.' or '['";
                return -1;
            }
        }
    }
    return n;
}

static void por__seg_path(char *buf, size_t cap, const por__seg *s)
{
    size_t len = strlen(buf);
    if (s->is_index)
        snprintf(buf + len, cap - len, "[%zu]", s->index);
    else
        snprintf(buf + len, cap - len, ".%s", s->key);
}

static const char *por__kind(const cJSON *n)
{
    return cJSON_IsObject(n) ? "an object" : cJSON_IsArray(n) ? "an array" : cJSON_IsString(n) ? "a string"
         : cJSON_IsNumber(n) ? "a number" : cJSON_IsBool(n) ? "a boolean" : "null";
}

/* Applies the override TEXT to ROOT, recording its anchor in ORIGIN. */
void por__sc_apply_set(por__jr *c, cJSON *root, const char *text, por__jr_origin *origin);
void por__sc_apply_set(por__jr *c, cJSON *root, const char *text, por__jr_origin *origin)
{
    const char *eq = strchr(text, '=');
    if (!eq)
        por__jr_fail_nopath(c, "--set %s: expected PATH=VALUE", text);
    enum { MAXSEG = 32 };
    por__seg segs[MAXSEG];
    const char *why;
    int nseg = por__split(text, (size_t)(eq - text), segs, MAXSEG, &why);
    if (nseg < 0)
        por__jr_fail_nopath(c, "--set %s: bad path: %s", text, why);
    origin->text = text;
    char path[POR__JR_PATH_MAX] = "$";
    origin->anchor[0] = '\0';

    const char *value = eq + 1;
    const char *vend = NULL;
    cJSON *val = cJSON_ParseWithLengthOpts(value, strlen(value) + 1, &vend, 1); /* + 1: the NUL it requires */
    if (!val)
        val = cJSON_CreateString(value);
    if (!val)
        por__jr_fail_nopath(c, "--set %s: out of memory", text);
    bool remove = cJSON_IsNull(val);

    cJSON *node = root;
    for (int i = 0; i < nseg; i++) {
        por__seg *s = &segs[i];
        bool last = i == nseg - 1;
        char here[POR__JR_PATH_MAX];
        snprintf(here, sizeof here, "%s", path);
        por__seg_path(path, sizeof path, s);
        cJSON *child = NULL;
        if (cJSON_IsObject(node) && !s->is_index) {
            child = cJSON_GetObjectItemCaseSensitive(node, s->key);
        } else if (cJSON_IsObject(node) && s->is_index) {
            /* "chains.0" on an object: treat the digits as a key */
            snprintf(s->key, sizeof s->key, "%zu", s->index);
            s->is_index = false;
            path[strlen(here)] = '\0';
            por__seg_path(path, sizeof path, s);
            child = cJSON_GetObjectItemCaseSensitive(node, s->key);
        } else if (cJSON_IsArray(node) && s->is_index) {
            size_t size = (size_t)cJSON_GetArraySize(node);
            if (s->index > size || (s->index == size && remove)) {
                cJSON_Delete(val);
                por__jr_fail_nopath(c, "--set %s: %s: index out of range (the array has %zu element%s)", text, path,
                                    size, size == 1 ? "" : "s");
            }
            child = s->index < size ? cJSON_GetArrayItem(node, (int)s->index) : NULL;
        } else {
            cJSON_Delete(val);
            por__jr_fail_nopath(c, "--set %s: %s is %s, cannot set %s inside it", text, here, por__kind(node),
                                s->is_index ? "an element" : "a key");
        }
        if (last) {
            if (!origin->anchor[0])
                snprintf(origin->anchor, sizeof origin->anchor, "%s", path);
            if (remove) {
                cJSON_Delete(val);
                if (child)
                    cJSON_Delete(cJSON_DetachItemViaPointer(node, child));
                return;
            }
            if (child && cJSON_IsArray(node))
                cJSON_ReplaceItemViaPointer(node, child, val);
            else if (child) /* (ReplaceItemViaPointer would drop the key) */
                cJSON_ReplaceItemInObjectCaseSensitive(node, s->key, val);
            else if (cJSON_IsArray(node))
                cJSON_AddItemToArray(node, val);
            else
                cJSON_AddItemToObject(node, s->key, val);
            return;
        }
        if (!child) {
            if (remove) { /* nothing to remove */
                cJSON_Delete(val);
                return;
            }
            child = segs[i + 1].is_index ? cJSON_CreateArray() : cJSON_CreateObject();
            if (!child) {
                cJSON_Delete(val);
                por__jr_fail_nopath(c, "--set %s: out of memory", text);
            }
            if (cJSON_IsArray(node))
                cJSON_AddItemToArray(node, child);
            else
                cJSON_AddItemToObject(node, s->key, child);
            if (!origin->anchor[0])
                snprintf(origin->anchor, sizeof origin->anchor, "%s", path);
        }
        node = child;
    }
}
