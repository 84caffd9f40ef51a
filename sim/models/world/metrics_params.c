/* metrics: the scenario's scoring parameters (fields of por_scenario that metrics.c and
 * world.c score with), as a parameter table (por/param.h) read by io/param_read.c and
 * documented by `porsim schema`. */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

static const por_param por__metrics_params[] = {
    {.name = "onset_ratio", .type = POR_PARAM_PERCENT, .offset = offsetof(por_scenario, onset_ratio_ppb),
     .def.i = 1000000000, .min.i = 1, .max.i = 1000000000000,
     .doc = "collateralization (true reserve / supply) below this counts as undercollateralized (the onset "
            "metric, from which the detection delays are measured)"},
};

const por_param_table por_metrics_param_table = {
    .path = "metrics",
    .params = por__metrics_params,
    .nparams = sizeof por__metrics_params / sizeof por__metrics_params[0],
};
