/* Layer check (tests/CMakeLists.txt, layer_link_*): a network-layer source that calls up
 * into models (world.c's por_world_metric_defs), declared by hand so that no header's
 * #error can stop it. Built as a net library (por_layer AS net) its link check must fail
 * with an undefined reference; with por_models added to its links it must link, so the
 * failure is the rule and not a typo. */
#include <stddef.h>

struct por_metric_def;
const struct por_metric_def *por_world_metric_defs(size_t *ncols);

size_t por_layer_check_net_calls_world(void);
size_t por_layer_check_net_calls_world(void)
{
    size_t n = 0;
    por_world_metric_defs(&n);
    return n;
}
