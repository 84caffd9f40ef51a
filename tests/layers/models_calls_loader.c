/* Layer check (tests/CMakeLists.txt, layer_link_*): a models-layer source that calls up
 * into io (the scenario loader's por_scenario_load_file), declared by hand so that no
 * header's #error can stop it. Built as a models library (por_layer AS models) its link
 * check must fail with an undefined reference; with por_io added to its links it must
 * link, so the failure is the rule and not a typo. */
#include <stddef.h>

struct por_scenario;
struct por_error;
int por_scenario_load_file(const char *path, const char *const *sets, size_t nsets,
                           struct por_scenario **out, struct por_error *err);

int por_layer_check_models_calls_loader(void);
int por_layer_check_models_calls_loader(void)
{
    struct por_scenario *sc = NULL;
    return por_scenario_load_file("scenarios/default.json", NULL, 0, &sc, NULL);
}
