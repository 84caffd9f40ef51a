/* Random streams: one per entity and purpose, derived from (seed, replication, stream id).
 *
 * A stream is a gsl_rng of porsim's own type "por-xoshiro256**" (32 bytes of state), so
 * every GSL distribution (gsl_ran_*) draws from it. Its starting state is a hash of the
 * three numbers alone: adding an entity, or drawing more from one stream, never changes
 * another stream's draws. Stream ids are stable names hashed with por_stream_id(). */
#ifndef POR_RNG_H
#define POR_RNG_H

#include "por/error.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The GSL generator type behind every porsim stream. */
extern const gsl_rng_type *por_rng_type;

/* Returns a stream id for a stable name: KIND ("oracle", "custodian"), the entity's
 * index or 0, and PURPOSE ("latency", "observe"). Same inputs, same id, always. */
uint64_t por_stream_id(const char *kind, uint32_t index, const char *purpose);

/* Allocates a stream seeded from (seed, replication, stream). Never NULL (exits on OOM).
 * Caller frees with gsl_rng_free. */
gsl_rng *por_rng_new(uint64_t seed, uint64_t replication, uint64_t stream);

/* Re-seeds an existing por stream in place. */
void por_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t replication, uint64_t stream);

/* One step of xoshiro256** on a 4-word state (the core of every por stream). */
static inline uint64_t por_xoshiro_next(uint64_t *s)
{
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* The hot draws below are inline: they are called once or more per event. R must be a
 * por stream (por_rng_new); they read its xoshiro state directly. */

/* The raw 64-bit output of a por stream (faster than gsl_rng_get for hot paths). */
static inline uint64_t por_rng_u64(gsl_rng *r) { return por_xoshiro_next((uint64_t *)r->state); }

/* Uniform double in [0, 1) with 53 random bits. */
static inline double por_rng_uniform(gsl_rng *r)
{
    return (double)(por_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Slow path of por_rng_below: rejection when the first draw fell in the biased zone. */
uint64_t por__rng_below_slow(gsl_rng *r, uint64_t n, uint64_t x);

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire's multiply-shift with
 * rejection). */
static inline uint64_t por_rng_below(gsl_rng *r, uint64_t n)
{
    __extension__ typedef unsigned __int128 por__u128;
    POR_ASSERT(n > 0);
    uint64_t x = por_rng_u64(r);
    por__u128 m = (por__u128)x * n;
    if ((uint64_t)m < n)
        return por__rng_below_slow(r, n, x);
    return (uint64_t)(m >> 64);
}

/* splitmix64 finalizer: a good 64-bit mixing function. */
static inline uint64_t por_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif
