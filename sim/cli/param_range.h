/* Value ranges of --param for porsim sweep and tune (internal to sim/cli).
 *
 *   LO..HI:STEP   LO, LO+STEP, ... up to HI (within a millionth of STEP); all three in
 *                 one unit: durations ("10min..2h:10min"), percentages ("0.5%..2%:0.5%")
 *                 or plain numbers ("1..9:2")
 *   LO..HI:Nlog   N values spaced evenly on a log scale from LO to HI (N >= 2; LO > 0);
 *                 durations are rounded to whole seconds ("1h..24h:5log" gives 1h, 2h12m48s,
 *                 4h53m56s, 10h50m36s, 1d), numbers to 4 significant digits
 * Any other value is kept as it is. */
#ifndef POR_CLI_PARAM_RANGE_H
#define POR_CLI_PARAM_RANGE_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/param_range.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/error.h"

#include <stddef.h>

/* Replaces every range among the NVALUES strings *VALUES (malloc'd array of malloc'd
 * strings, as por_sweep_split_values returns) by its expansion, in place. Returns POR_OK,
 * or POR_EINPUT with ERR naming the bad range (mixed units, STEP <= 0, LO > HI, more than
 * 100000 values). */
por_status por_param_expand_ranges(char ***values, size_t *nvalues, por_error *err);

#endif
