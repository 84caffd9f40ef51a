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

/* rho rotation amounts and pi lane order, walked along the pi cycle starting at lane 1 */
static const unsigned por__keccak_rotc[24] = {
    1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};
static const unsigned por__keccak_piln[24] = {
    10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static inline uint64_t por__rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n)); /* n is in [1, 63] here */
}

/* keccak-f[1600]: 24 rounds of theta, rho+pi, chi, iota on the state in place. */
static void por__keccak_f1600(uint64_t st[25])
{
    uint64_t bc[5];
    for (int round = 0; round < 24; round++) {
        /* theta: XOR each lane with the parities of two neighbouring columns */
        for (int x = 0; x < 5; x++)
            bc[x] = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t t = bc[(x + 4) % 5] ^ por__rotl64(bc[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                st[y + x] ^= t;
        }
        /* rho and pi: rotate each lane and move it to its new position */
        uint64_t carry = st[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = por__keccak_piln[i];
            uint64_t next = st[j];
            st[j] = por__rotl64(carry, por__keccak_rotc[i]);
            carry = next;
        }
        /* chi: the only non-linear step, along each row */
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++)
                bc[x] = st[y + x];
            for (int x = 0; x < 5; x++)
                st[y + x] ^= (~bc[(x + 1) % 5]) & bc[(x + 2) % 5];
        }
        /* iota */
        st[0] ^= por__keccak_rc[round];
    }
}

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
