/* Layer check (tests/CMakeLists.txt, layer_*): includes a models header. Compiled as the
 * engine (-DPOR_LAYER_CORE) or the network (-DPOR_LAYER_NET) it must stop at por/chain.h's
 * #error; compiled without a layer it must compile. */
#include "por/chain.h"

int por_layer_check_models(void);
int por_layer_check_models(void) { return (int)sizeof(por_chain_stats); }
