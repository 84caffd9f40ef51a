/* porsim's random streams: xoshiro256** wrapped as a gsl_rng type, seeded by hashing
 * (seed, replication, stream id) with splitmix64 so streams are independent by name. */
#include "por/rng.h"
#include "por/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t s[4];
} por__xoshiro;

static inline uint64_t por__next(por__xoshiro *x) { return por_xoshiro_next(x->s); }

static void por__seed_state(por__xoshiro *x, uint64_t seed, uint64_t rep, uint64_t stream)
{
    /* Absorb the three numbers through splitmix64 so nearby inputs give unrelated states. */
    uint64_t h = por_mix64(seed + 0x9E3779B97F4A7C15ull);
    h = por_mix64(h ^ (rep + 0x632BE59BD9B4E019ull));
    h = por_mix64(h ^ (stream + 0x85157AF5ull));
    for (int i = 0; i < 4; i++) {
        h += 0x9E3779B97F4A7C15ull;
        x->s[i] = por_mix64(h);
    }
    if ((x->s[0] | x->s[1] | x->s[2] | x->s[3]) == 0)
        x->s[0] = 1;
}

/* GSL interface: gsl_rng_set(r, s) seeds as (s, 0, 0). */
static void por__gsl_set(void *state, unsigned long seed) { por__seed_state(state, seed, 0, 0); }
static unsigned long por__gsl_get(void *state) { return (unsigned long)(por__next(state) >> 32); }
static double por__gsl_get_double(void *state)
{
    return (double)(por__next(state) >> 11) * (1.0 / 9007199254740992.0);
}

static const gsl_rng_type por__type = {
    "por-xoshiro256**", 0xFFFFFFFFul, 0, sizeof(por__xoshiro),
    por__gsl_set, por__gsl_get, por__gsl_get_double,
};
const gsl_rng_type *por_rng_type = &por__type;

uint64_t por_stream_id(const char *kind, uint32_t index, const char *purpose)
{
    /* FNV-1a over "kind\0purpose\0" then mixed with the index. */
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = kind ? kind : ""; ; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
        if (!*p) break;
    }
    for (const char *p = purpose ? purpose : ""; ; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
        if (!*p) break;
    }
    return por_mix64(h ^ ((uint64_t)index * 0xD6E8FEB86659FD93ull));
}

gsl_rng *por_rng_new(uint64_t seed, uint64_t replication, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(por_rng_type);
    if (!r) {
        por_out_of_memory(" (allocating a random stream)");
    }
    por_rng_reseed(r, seed, replication, stream);
    return r;
}

void por_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t replication, uint64_t stream)
{
    POR_ASSERT(r->type == por_rng_type);
    por__seed_state(r->state, seed, replication, stream);
}

uint64_t por__rng_below_slow(gsl_rng *r, uint64_t n, uint64_t x)
{
    POR_ASSERT(n > 0);
    /* Lemire's multiply-shift: the first draw X gave a low word below N; reject while
     * it is below 2^64 mod n (the same draws as the single-function version). */
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)x * n;
    uint64_t low = (uint64_t)m;
    uint64_t t = (0 - n) % n;
    while (low < t) {
        x = por__next(r->state);
        m = (u128)x * n;
        low = (uint64_t)m;
    }
    return (uint64_t)(m >> 64);
}
