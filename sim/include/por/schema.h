/* The scenario reference generated from the parameter tables (por/param.h): the
 * reference tables inside scenarios/SCHEMA.md and the JSON Schema
 * docs/porsim.schema.json that editors use for completion and checking. `porsim
 * schema` writes them; tests/test_params.c fails when the committed files differ. */
#ifndef POR_SCHEMA_H
#define POR_SCHEMA_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "por/schema.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"
#include "por/param.h"

#include <stddef.h>

/* Every parameter table, in the order SCHEMA.md documents them; NULL-terminated. */
extern const por_param_table *const por_param_tables[];

/* The markdown reference of TABLE: the table of its keys and a line with its rules.
 * Returns a heap string (caller frees). */
char *por_schema_markdown(const por_param_table *table);

/* DOC (a SCHEMA.md text) with every generated block, from a line
 * "<!-- porsim schema PATH ..." to the line "<!-- end porsim schema -->", replaced by
 * the current reference of the table at PATH. Returns a heap string, or NULL with ERR
 * set (POR_EINPUT) when a block names no table or is not closed. */
char *por_schema_markdown_apply(const char *doc, por_error *err);

/* The JSON Schema (draft 2020-12) of a scenario file for the keys the tables describe;
 * heap string, caller frees. */
char *por_schema_json(void);

/* `porsim schema`: the command (cli/schema_cmd.c) and its help text. */
int por_schema_main(int argc, char **argv);
extern const char por_schema_usage[];

#endif
