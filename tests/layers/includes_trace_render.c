/* Layer check (tests/CMakeLists.txt, layer_*): includes an io header. Compiled as models
 * (-DPOR_LAYER_MODELS) it must stop at por/trace_render.h's #error; compiled without a
 * layer it must compile, so the failure is the rule and nothing else. */
#include "por/trace_render.h"

int por_layer_check_io(void);
int por_layer_check_io(void) { return POR_TRACE_LEVEL_ROUND; }
