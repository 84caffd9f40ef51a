/* The structure-aware scenario mutator (scenario_mutator.c). */
#ifndef POR_FUZZ_SCENARIO_MUTATOR_H
#define POR_FUZZ_SCENARIO_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Mutates the SIZE bytes at DATA (a JSON scenario) in place, up to MAX_SIZE bytes, from
 * SEED; returns the new size, or 0 (DATA unchanged) when DATA is not JSON or the mutant
 * does not fit. */
size_t por_fuzz_mutate_scenario(uint8_t *data, size_t size, size_t max_size, unsigned seed);

#endif
