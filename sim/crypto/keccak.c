/* keccak-256 as Ethereum uses it: the keccak-f[1600] permutation and a sponge with rate
 * 136 bytes, capacity 512 bits and the original Keccak padding (0x01 ... 0x80), which
 * differs from SHA3-256 (0x06 ... 0x80) only in that first pad byte.
 *
 * The state is 25 little-endian 64-bit lanes; input bytes are XORed straight into it,
 * so the context needs no block buffer. Portable C, no endianness assumptions. */
#include "por/crypto.h"

#include <string.h>

#define POR__KECCAK_RATE 136 /* bytes: (1600 - 2 * 256) / 8 */

static const uint64_t por__keccak_rc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull,
    0x8000000080008000ull, 0x000000000000808bull, 0x0000000080000001ull,
    0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008aull,
    0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull,
    0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
    0x000000000000800aull, 0x800000008000000aull, 0x8000000080008081ull,
    0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

static inline uint64_t por__rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n)); /* n is in [1, 63] here */
}

/* keccak-f[1600]: 24 rounds of theta, rho+pi, chi, iota on the state in place. Lane
 * (x, y) is st[x + 5 y]. Every step is written out with constant indices on a local
 * copy of the state (rather than looped with "% 5" and index tables) so that gcc -O2
 * keeps the lanes in registers: about five times faster than the looped form (0.5 us
 * against 2.6 us per block here), and every hash in the simulator (digests, ideal
 * signatures, cache keys) goes through it. */
#define POR__THETA_COL(x) \
    (st[(x)] ^ st[(x) + 5] ^ st[(x) + 10] ^ st[(x) + 15] ^ st[(x) + 20])
#define POR__THETA_MIX(x, t)                                                            \
    do {                                                                                \
        uint64_t t_ = (t);                                                              \
        st[(x)] ^= t_, st[(x) + 5] ^= t_, st[(x) + 10] ^= t_, st[(x) + 15] ^= t_,       \
            st[(x) + 20] ^= t_;                                                         \
    } while (0)
#define POR__CHI_ROW(y)                                                                 \
    do {                                                                                \
        uint64_t a0 = st[(y)], a1 = st[(y) + 1], a2 = st[(y) + 2], a3 = st[(y) + 3],    \
                 a4 = st[(y) + 4];                                                      \
        st[(y)] = a0 ^ (~a1 & a2);                                                      \
        st[(y) + 1] = a1 ^ (~a2 & a3);                                                  \
        st[(y) + 2] = a2 ^ (~a3 & a4);                                                  \
        st[(y) + 3] = a3 ^ (~a4 & a0);                                                  \
        st[(y) + 4] = a4 ^ (~a0 & a1);                                                  \
    } while (0)

#define POR__RHO_PI(j, r) (next = st[(j)], st[(j)] = por__rotl64(carry, (r)), carry = next)

static void por__keccak_f1600(uint64_t state[25])
{
    /* a local copy with constant indices only lets the compiler keep lanes in registers */
    uint64_t st[25];
    memcpy(st, state, sizeof st);
    for (int round = 0; round < 24; round++) {
        /* theta: XOR each lane with the parities of the two neighbouring columns */
        uint64_t c0 = POR__THETA_COL(0), c1 = POR__THETA_COL(1), c2 = POR__THETA_COL(2),
                 c3 = POR__THETA_COL(3), c4 = POR__THETA_COL(4);
        POR__THETA_MIX(0, c4 ^ por__rotl64(c1, 1));
        POR__THETA_MIX(1, c0 ^ por__rotl64(c2, 1));
        POR__THETA_MIX(2, c1 ^ por__rotl64(c3, 1));
        POR__THETA_MIX(3, c2 ^ por__rotl64(c4, 1));
        POR__THETA_MIX(4, c3 ^ por__rotl64(c0, 1));
        /* rho and pi, walking the pi cycle from lane 1: POR__RHO_PI(j, r) puts the carried
         * lane, rotated by its rho offset r, at position j and carries the old st[j] on */
        uint64_t carry = st[1], next;
        POR__RHO_PI(10, 1); POR__RHO_PI(7, 3); POR__RHO_PI(11, 6); POR__RHO_PI(17, 10);
        POR__RHO_PI(18, 15); POR__RHO_PI(3, 21); POR__RHO_PI(5, 28); POR__RHO_PI(16, 36);
        POR__RHO_PI(8, 45); POR__RHO_PI(21, 55); POR__RHO_PI(24, 2); POR__RHO_PI(4, 14);
        POR__RHO_PI(15, 27); POR__RHO_PI(23, 41); POR__RHO_PI(19, 56); POR__RHO_PI(13, 8);
        POR__RHO_PI(12, 25); POR__RHO_PI(2, 43); POR__RHO_PI(20, 62); POR__RHO_PI(14, 18);
        POR__RHO_PI(22, 39); POR__RHO_PI(9, 61); POR__RHO_PI(6, 20); POR__RHO_PI(1, 44);
        /* chi: the only non-linear step, along each row */
        POR__CHI_ROW(0);
        POR__CHI_ROW(5);
        POR__CHI_ROW(10);
        POR__CHI_ROW(15);
        POR__CHI_ROW(20);
        /* iota */
        st[0] ^= por__keccak_rc[round];
    }
    memcpy(state, st, sizeof st);
}
#undef POR__THETA_COL
#undef POR__THETA_MIX
#undef POR__CHI_ROW
#undef POR__RHO_PI

static inline uint64_t por__load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void por_keccak_init(por_keccak_ctx *ctx)
{
    memset(ctx->st, 0, sizeof ctx->st);
    ctx->pos = 0;
}

void por_keccak_update(por_keccak_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t pos = ctx->pos;
    while (len > 0) {
        if ((pos & 7) == 0 && len >= 8) {
            /* whole lanes while aligned */
            while (len >= 8 && pos < POR__KECCAK_RATE) {
                ctx->st[pos >> 3] ^= por__load64_le(p);
                p += 8;
                pos += 8;
                len -= 8;
            }
        } else {
            ctx->st[pos >> 3] ^= (uint64_t)*p << (8 * (pos & 7));
            p++;
            pos++;
            len--;
        }
        if (pos == POR__KECCAK_RATE) {
            por__keccak_f1600(ctx->st);
            pos = 0;
        }
    }
    ctx->pos = pos;
}

void por_keccak_final(por_keccak_ctx *ctx, por_digest *out)
{
    size_t pos = ctx->pos;
    ctx->st[pos >> 3] ^= (uint64_t)0x01 << (8 * (pos & 7));
    ctx->st[(POR__KECCAK_RATE - 1) >> 3] ^= (uint64_t)0x80 << (8 * ((POR__KECCAK_RATE - 1) & 7));
    por__keccak_f1600(ctx->st);
    for (int i = 0; i < 32; i++)
        out->b[i] = (uint8_t)(ctx->st[i >> 3] >> (8 * (i & 7)));
    ctx->pos = 0;
}

void por_keccak256(const void *data, size_t len, por_digest *out)
{
    por_keccak_ctx ctx;
    por_keccak_init(&ctx);
    por_keccak_update(&ctx, data, len);
    por_keccak_final(&ctx, out);
}
