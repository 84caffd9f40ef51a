/* `porsim schema`: prints the scenario reference generated from the parameter tables
 * (por/schema.h): the JSON Schema for editors, or SCHEMA.md with its generated blocks
 * brought up to date. docs/porsim.schema.json and scenarios/SCHEMA.md are
 * regenerated with it (tests/test_params.c fails when they are stale). */
#include "por/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char por_schema_usage[] =
    "Usage: porsim schema json\n"
    "       porsim schema markdown SCHEMA.md\n"
    "\n"
    "Prints the scenario reference generated from the parameter tables beside the models:\n"
    "  json                the JSON Schema editors use (docs/porsim.schema.json)\n"
    "  markdown FILE       FILE with every generated block (from \"<!-- porsim schema PATH\"\n"
    "                      to \"<!-- end porsim schema -->\") regenerated; the rest unchanged\n"
    "\n"
    "Regenerate the committed files:\n"
    "  porsim schema json > docs/porsim.schema.json\n"
    "  porsim schema markdown scenarios/SCHEMA.md > /tmp/S.md && mv /tmp/S.md scenarios/SCHEMA.md\n";

static char *por__schema_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = por_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap)
            buf = por_xrealloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int por_schema_main(int argc, char **argv)
{
    const char *what = argc > 2 ? argv[2] : "";
    if (!strcmp(what, "-h") || !strcmp(what, "--help")) {
        fputs(por_schema_usage, stdout);
        return 0;
    }
    if (!strcmp(what, "json") && argc == 3) {
        char *s = por_schema_json();
        fputs(s, stdout);
        free(s);
        return 0;
    }
    if (!strcmp(what, "markdown") && argc == 4) {
        char *doc = por__schema_slurp(argv[3]);
        if (!doc) {
            fprintf(stderr, "porsim schema: %s: cannot read\n", argv[3]);
            return 2;
        }
        por_error err = {0};
        char *out = por_schema_markdown_apply(doc, &err);
        free(doc);
        if (!out) {
            fprintf(stderr, "porsim schema: %s: %s\n", argv[3], err.msg);
            return 2;
        }
        fputs(out, stdout);
        free(out);
        return 0;
    }
    fprintf(stderr, "porsim schema: expected \"json\" or \"markdown FILE\"\n\n%s", por_schema_usage);
    return 2;
}
