/* Internal to the scenario loader: JSON text -> cJSON tree with useful syntax errors
 * (line, column and a likely cause), and the canonical hash of a tree. cJSON gives only
 * the offset where parsing stopped; the causes (truncation, NaN, trailing comma, missing
 * comma, single quotes, NUL bytes, nesting) are recognised here around that offset. */
#include "json_parse.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool por__is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

static void por__line_col(const char *text, size_t pos, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    for (size_t i = 0; i < pos; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = pos - start + 1;
}

static por_status por__syntax(por_error *err, const char *file, const char *text, size_t pos, const char *fmt,
                              const char *arg)
{
    size_t line, col;
    por__line_col(text, pos, &line, &col);
    char what[200];
    snprintf(what, sizeof what, fmt, arg);
    return por_error_set(err, POR_EINPUT, "%s: line %zu, column %zu: %s", file, line, col, what);
}

/* Scans TEXT outside strings: deepest nesting (and where it first passes LIMIT), and
 * whether the text ends inside a string or with brackets left open. */
static void por__scan(const char *text, size_t len, size_t limit, size_t *too_deep_at, bool *unbalanced,
                      size_t *open_str)
{
    size_t depth = 0;
    bool in_str = false;
    *too_deep_at = (size_t)-1;
    *open_str = (size_t)-1;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
            *open_str = i;
        } else if (ch == '[' || ch == '{') {
            if (++depth > limit && *too_deep_at == (size_t)-1)
                *too_deep_at = i;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    *unbalanced = in_str || depth > 0;
    if (!in_str)
        *open_str = (size_t)-1;
}

/* The innermost open bracket ('{' or '[') before POS, outside strings; 0 at top level. */
static char por__container_at(const char *text, size_t pos)
{
    char stack[CJSON_NESTING_LIMIT + 1];
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < pos; i++) {
        char ch = text[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (depth < sizeof stack)
                stack[depth] = ch;
            depth++;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return depth == 0 || depth > sizeof stack ? 0 : stack[depth - 1];
}

/* Explains why cJSON stopped at POS. */
static por_status por__explain(por_error *err, const char *file, const char *text, size_t len, size_t pos)
{
    size_t deep, open_str;
    bool unbalanced;
    por__scan(text, len, CJSON_NESTING_LIMIT, &deep, &unbalanced, &open_str);
    if (deep != (size_t)-1 && deep <= pos + 1)
        return por__syntax(err, file, text, deep, "nested deeper than %s levels", "1000");
    if (open_str != (size_t)-1 && pos >= open_str)
        return por__syntax(err, file, text, open_str, "%s", "string never closed (truncated file?)");
    size_t last = len; /* last non-whitespace byte */
    while (last > 0 && por__is_ws(text[last - 1]))
        last--;
    if (unbalanced && pos + 1 >= last)
        return por__syntax(err, file, text, last, "unexpected end of file (%s)",
                           "truncated? a string, object or array is not closed");
    const char *p = text + pos;
    size_t rest = len - pos;
    static const char *const nonfinite[] = {"NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "nan", "inf",
                                            "-inf", "Inf", "-Inf"};
    for (size_t i = 0; i < sizeof nonfinite / sizeof nonfinite[0]; i++) {
        size_t n = strlen(nonfinite[i]);
        if (rest >= n && memcmp(p, nonfinite[i], n) == 0)
            return por__syntax(err, file, text, pos, "%s is not a JSON number (NaN and Infinity are not allowed)",
                               nonfinite[i]);
    }
    size_t prev = pos; /* previous non-whitespace byte */
    while (prev > 0 && por__is_ws(text[prev - 1]))
        prev--;
    char pc = prev > 0 ? text[prev - 1] : '\0';
    char ch = *p;
    /* cJSON stops one byte past a bad string start: look at that byte too. */
    char before = pos > 0 ? text[pos - 1] : '\0';
    if (ch == '\'' || before == '\'')
        return por__syntax(err, file, text, ch == '\'' ? pos : pos - 1, "strings need double quotes, got %s", "'");
    if ((ch == '}' || ch == ']') && pc == ',')
        return por__syntax(err, file, text, prev - 1, "trailing comma before '%s'", ch == '}' ? "}" : "]");
    if (before == '}' || before == ']') {
        size_t b = pos - 1;
        while (b > 0 && por__is_ws(text[b - 1]))
            b--;
        if (b > 0 && text[b - 1] == ',')
            return por__syntax(err, file, text, b - 1, "trailing comma before '%s'", before == '}' ? "}" : "]");
    }
    bool ends_value = pc == '"' || pc == '}' || pc == ']' || (pc >= '0' && pc <= '9') || pc == 'e' || pc == 'l';
    bool starts_value = ch == '"' || ch == '{' || ch == '[' || (ch >= '0' && ch <= '9') || ch == '-' || ch == 't' ||
                        ch == 'f' || ch == 'n';
    if (pc == '"' && por__container_at(text, pos) == '{') {
        /* After a string inside an object: was it a key (preceded by '{' or ',')? */
        size_t q = prev - 1; /* closing quote */
        while (q > 0 && !(text[q - 1] == '"' && (q < 2 || text[q - 2] != '\\')))
            q--;
        size_t b = q > 0 ? q - 1 : 0; /* opening quote */
        while (b > 0 && por__is_ws(text[b - 1]))
            b--;
        if (b > 0 && (text[b - 1] == '{' || text[b - 1] == ','))
            return por__syntax(err, file, text, pos, "expected ':' after the key %s", "(missing colon?)");
    }
    if (ends_value && starts_value && pos > 0)
        return por__syntax(err, file, text, pos, "expected ',' or a closing bracket before this %s",
                           "(missing comma?)");
    char shown[16];
    unsigned char u = (unsigned char)ch;
    if (u >= 0x21 && u < 0x7f)
        snprintf(shown, sizeof shown, "'%c'", ch);
    else
        snprintf(shown, sizeof shown, "byte 0x%02x", u);
    return por__syntax(err, file, text, pos, "invalid JSON: unexpected %s", shown);
}

/* cJSON allocates through porsim's checked allocator: running out of memory while
 * parsing ends with "porsim: out of memory" and exit 1 (not a bogus syntax error), and
 * POR_FAIL_ALLOC counts cJSON's allocations too. Installed once, before the first parse. */
static pthread_once_t por__json_hooks_once = PTHREAD_ONCE_INIT;

static void por__json_hooks_init(void)
{
    cJSON_Hooks hooks = {por_xmalloc, free};
    cJSON_InitHooks(&hooks);
}

por_status por__json_parse(const char *text, size_t len, const char *file, cJSON **out, por_error *err)
{
    pthread_once(&por__json_hooks_once, por__json_hooks_init);
    size_t first = 0;
    while (first < len && por__is_ws(text[first]))
        first++;
    if (first == len)
        return por_error_set(err, POR_EINPUT, "%s: empty file (expected a JSON object)", file);
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return por__syntax(err, file, text, (size_t)(nul - text), "%s",
                           "NUL byte in the file (not valid in JSON text)");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t pos = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        if (pos >= len)
            pos = len - 1;
        return por__explain(err, file, text, len, pos);
    }
    size_t pos = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
    while (pos < len && por__is_ws(text[pos]))
        pos++;
    if (pos < len) {
        cJSON_Delete(root);
        return por__syntax(err, file, text, pos, "%s", "unexpected text after the end of the JSON document");
    }
    *out = root;
    return POR_OK;
}

static int por__cmp_members(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Sorts every object's members by key, recursively. */
static void por__sort_tree(cJSON *node)
{
    if (!node)
        return;
    for (cJSON *ch = node->child; ch; ch = ch->next)
        por__sort_tree(ch);
    if (!cJSON_IsObject(node) || !node->child)
        return;
    size_t n = 0;
    for (cJSON *ch = node->child; ch; ch = ch->next)
        n++;
    cJSON **items = por_xcalloc(n, sizeof *items);
    size_t i = 0;
    for (cJSON *ch = node->child; ch; ch = ch->next)
        items[i++] = ch;
    for (i = 0; i < n; i++)
        cJSON_DetachItemViaPointer(node, items[i]);
    qsort(items, n, sizeof *items, por__cmp_members);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(node, items[i]); /* keeps each member's key */
    free(items);
}

void por__json_hash(const cJSON *root, char out[17])
{
    cJSON *copy = cJSON_Duplicate(root, 1);
    char *text = NULL;
    if (copy) {
        por__sort_tree(copy);
        text = cJSON_PrintUnformatted(copy);
        cJSON_Delete(copy);
    }
    if (!text) {
        por_out_of_memory(" while hashing the scenario");
    }
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    cJSON_free(text);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

char *por__json_print(const cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);
    if (!text) {
        por_out_of_memory(" while printing the scenario");
    }
    char *out = strdup(text);
    cJSON_free(text);
    if (!out) {
        por_out_of_memory(" while printing the scenario");
    }
    return out;
}
