/* The hand-written readers that parameter-table rows of type POR_PARAM_CUSTOM name
 * (por/param.h): values whose JSON form fits no generic type (bandwidth as a number or
 * "100Mbps", oracle-index lists checked against feed.ocr.n, the region latency matrix
 * whose symmetric entries become two links, partition groups). The tables stay below io/
 * and name a reader by its string; io looks it up here. Each reader gets the present
 * value with its path pushed and keeps the messages of the loader it came from. */
#include "json_read.h"

#include <string.h>

por__param_custom_fn por__param_custom(const char *name)
{
    static const struct {
        const char *name;
        por__param_custom_fn fn;
    } readers[] = {
        {NULL, NULL},
    };
    for (size_t i = 0; readers[i].name; i++)
        if (strcmp(readers[i].name, name) == 0)
            return readers[i].fn;
    POR_ASSERT(!"a table names a custom reader io/param_custom.c does not have");
    return NULL;
}
