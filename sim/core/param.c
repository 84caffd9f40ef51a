/* The parts of por/param.h that need no reader: a table's defaults and the exact
 * duration text the loader's messages use (the JSON reader lives in io/param_read.c). */
#include "por/error.h"
#include "por/param.h"
#include "por/scenario.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

uint64_t por_param_gwei_to_wei(double gwei)
{
    double w = gwei * 1e9;
    return w >= 1.8e19 ? UINT64_MAX / 2 : (uint64_t)llround(w);
}

char *por_param_duration_text(por_time_t t, char *buf, size_t n)
{
    static const struct {
        const char *unit;
        por_time_t ns;
    } units[] = {{"d", POR_DAY}, {"h", POR_HOUR}, {"m", POR_MIN}, {"s", POR_SEC}, {"ms", POR_MS}, {"us", POR_US}};
    if (t == POR_TIME_MAX || t == 0) {
        snprintf(buf, n, "%s", t ? "never" : "0s");
        return buf;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (t % units[i].ns == 0) {
            snprintf(buf, n, "%lld%s", (long long)(t / units[i].ns), units[i].unit);
            return buf;
        }
    snprintf(buf, n, "%lldns", (long long)t);
    return buf;
}

/* An .absent_off object's defaults: its "enabled" off (the object's presence turns it on). */
static void por__param_object_off(const por_param_table *t, void *section)
{
    for (size_t i = 0; i < t->nparams; i++)
        if (t->params[i].type == POR_PARAM_BOOL && strcmp(t->params[i].name, "enabled") == 0) {
            bool off = false;
            memcpy((char *)section + t->params[i].offset, &off, sizeof off);
            return;
        }
    POR_ASSERT(!"an .absent_off object's table has no BOOL row \"enabled\"");
}

void por_param_defaults(const por_param_table *table, void *section)
{
    por_param_defaults_in(table, section, NULL);
}

void por_param_defaults_in(const por_param_table *table, void *section, const void *scenario)
{
    char *base = section;
    for (size_t i = 0; i < table->nparams; i++) {
        const por_param *p = &table->params[i];
        void *field = base + p->offset;
        if (p->type == POR_PARAM_RULE)
            continue;
        if (p->given_offset) {
            bool given = false;
            memcpy(base + p->given_offset, &given, sizeof given);
        }
        /* a VARIANT's and an ARRAY's .derive: what a given object, an element starts from */
        if (p->derive && p->type != POR_PARAM_VARIANT && p->type != POR_PARAM_ARRAY) {
            p->derive(section);
            continue;
        }
        if (p->derive_in) {
            p->derive_in(section, scenario);
            continue;
        }
        switch (p->type) {
        case POR_PARAM_UINT32: {
            uint32_t v = (uint32_t)p->def.u;
            memcpy(field, &v, sizeof v);
            break;
        }
        case POR_PARAM_DURATION:
        case POR_PARAM_PERCENT:
            memcpy(field, &p->def.i, sizeof p->def.i);
            break;
        case POR_PARAM_ENUM: {
            int v = (int)p->def.u;
            memcpy(field, &v, sizeof v);
            break;
        }
        case POR_PARAM_BOOL: {
            bool v = p->def.u != 0;
            memcpy(field, &v, sizeof v);
            break;
        }
        case POR_PARAM_NUMBER:
            memcpy(field, &p->def.d, sizeof p->def.d);
            break;
        case POR_PARAM_UINT32_LIST: {
            size_t zero = 0; /* a list without derive defaults to empty */
            memcpy(base + p->count_offset, &zero, sizeof zero);
            break;
        }
        case POR_PARAM_UINT64:
            memcpy(field, &p->def.u, sizeof p->def.u);
            break;
        case POR_PARAM_NAME:
            snprintf(field, p->max_len, "%s", p->def_text ? p->def_text : "");
            break;
        case POR_PARAM_GWEI: {
            uint64_t wei = por_param_gwei_to_wei(p->def.d);
            memcpy(field, &wei, sizeof wei);
            break;
        }
        case POR_PARAM_OBJECT:
            por_param_defaults_in(p->sub, field, scenario);
            if (p->absent_off)
                por__param_object_off(p->sub, field);
            break;
        case POR_PARAM_AMOUNT:
            memcpy(field, &p->def.a, sizeof p->def.a);
            break;
        case POR_PARAM_REF: {
            uint32_t v = (uint32_t)p->def.u;
            memcpy(field, &v, sizeof v);
            break;
        }
        case POR_PARAM_PROBABILITY:
            memcpy(field, &p->def.d, sizeof p->def.d);
            break;
        case POR_PARAM_DISTRIBUTION:
            memcpy(field, p->def_ptr, sizeof(por_duration_dist));
            break;
        case POR_PARAM_AMOUNT_DIST:
            if (p->def_ptr)
                memcpy(field, p->def_ptr, sizeof(por_amount_dist));
            else
                memset(field, 0, sizeof(por_amount_dist));
            break;
        case POR_PARAM_WINDOWS:
        case POR_PARAM_ARRAY:
        case POR_PARAM_REF_LIST: {
            void *none = NULL; /* no elements */
            size_t zero = 0;
            memcpy(field, &none, sizeof none);
            memcpy(base + p->count_offset, &zero, sizeof zero);
            break;
        }
        case POR_PARAM_WINDOW: {
            por_window w = {0, POR_TIME_MAX}; /* the whole run */
            memcpy(field, &w, sizeof w);
            break;
        }
        case POR_PARAM_VARIANT: { /* the default value and its variant's defaults */
            int v = (int)p->def.u;
            memcpy(field, &v, sizeof v);
            por_param_defaults_in(p->variants[v], section, scenario);
            break;
        }
        case POR_PARAM_CUSTOM: /* left as it is, or set by its reader (custom_absent) */
        case POR_PARAM_RULE:
        case POR_PARAM_SECTION: /* its section's own table or reader fills it */
            break;
        }
    }
}
