/* A source's reading in the feed's units without por_amount_rescale's power-of-ten loop
 * on every observation (internal to sim/models/world): the factor 10^(to - from) is
 * computed once per custodian when the world is built, and each reading is one checked
 * multiplication, as por_amount_rescale does it (sim/core/amount.c). Scaling down (a
 * division) and gaps over 38 digits take por_amount_rescale itself. */
#ifndef POR_MODELS_WORLD_SCALE_H
#define POR_MODELS_WORLD_SCALE_H

#include "por/amount.h"

#include <stdbool.h>

/* The factor for FROM -> TO decimals: 10^(TO - FROM) when 0 <= TO - FROM <= 38 (1 when
 * equal), else 0, meaning "ask por_amount_rescale". */
static inline por_amount por__scale_factor(unsigned from, unsigned to)
{
    por_amount f;
    if (to < from || to - from > 38 || !por_amount_rescale(1, from, to, &f))
        return 0;
    return f;
}

/* por_amount_rescale(V, FROM, TO, OUT) with FACTOR = por__scale_factor(FROM, TO): the
 * same answer and the same *OUT. */
static inline bool por__scale_by(por_amount v, por_amount factor, unsigned from, unsigned to,
                                 por_amount *out)
{
    if (factor)
        return por_amount_mul(v, factor, out);
    return por_amount_rescale(v, from, to, out);
}

#endif
