/* The crypto context: deterministic keys, real (libsecp256k1) and ideal signatures,
 * ecrecover-style recovery, the key registry the ideal oracle checks tags against, the
 * verification cache, and SipHash (1-3 for the ideal oracle, 2-4 kept beside it).
 *
 * Ideal signature layout (65 bytes, see crypto.h for the model):
 *   b[0..19]  signer address
 *   b[20..27] tag = SipHash-1-3 (64-bit output) of the digest under the signer's tag
 *             key, where the tag key is the first 16 bytes of
 *             keccak256("porsim/ideal-sig-key" || secret), computed once when the key
 *             is registered
 *   b[28..63] zero
 *   b[64]     POR__IDEAL_V (never a valid real-mode v)
 * SipHash is a PRF: without the 128-bit tag key (so without the secret) a tag for a new
 * digest is a 2^-64 guess. (It was SipHash-1-3-128 until the thirteenth round of issue
 * 19: the 64-bit output skips the second word's three finalization rounds, about 0.9 %
 * of a simulated day's instructions; no output reads the tag's bytes.) Signing and
 * checking cost one registry probe and one SipHash of 32 bytes (about 30 ns), no keccak
 * and no EC; a check of the digest its key signed last takes the tag the signing
 * computed (kept in the key's registry slot) instead of a second SipHash: an oracle's
 * signature is usually checked (by the leader) before the oracle signs again.
 *
 * Cache (real mode only): set-associative, POR__CACHE_SETS x POR__CACHE_WAYS entries. An
 * entry holds the full (digest, sig) pair and the recovery result (ok + address); a hit
 * compares all 97 bytes, so an answer is never another pair's. The set comes from a
 * cheap multiply-mix of the pair's 64-bit words (digests and signature words are hash or
 * scalar output, so already spread). Replacement is oldest-first per set (a round-robin
 * pointer once the set is full), so the hit/miss sequence depends only on the calls
 * made. A negative entry is trusted only while the key registry is unchanged since it
 * was stored (kept from when ideal mode used the cache too: there a "not valid" answer
 * can turn valid once the signer's key is registered; in real mode recovery does not
 * depend on the registry, so this only costs a recomputation).
 *
 * Ideal mode has no cache: its check (one registry probe and one SipHash of 32 bytes) is
 * cheaper than a lookup in the 1 MB table, whose misses went to memory (in the year
 * benchmark 0.03 % of the lookups hit: every observation signature is checked once). */
#include "por/crypto.h"

#include "por/error.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POR__IDEAL_V 0x49u
#define POR__CACHE_SETS 2048u /* power of two */
#define POR__CACHE_WAYS 4u

/* One registered key: address -> secret (open addressing, linear probing). */
typedef struct {
    uint64_t tag_key[2]; /* ideal-signature SipHash key derived from the secret */
    por_addr addr;
    uint8_t secret[32];
    bool used;
    /* ideal mode: the digest this key signed last and its tag (memo_set once it has
     * signed); a check of that same digest under this key takes the tag from here */
    bool memo_set;
    uint64_t memo_tag;
    por_digest memo_digest;
} por__key_slot;

typedef struct {
    uint64_t keys_gen; /* registry generation when stored (checked for negative entries) */
    por_digest digest; /* the (digest, sig) pair this entry answers for */
    por_sig sig;
    por_addr addr;     /* recovered signer when ok */
    bool used;
    bool ok;
} por__cache_entry;  /* 128 bytes */

struct por_crypto {
    por_crypto_mode mode;
    secp256k1_context *secp;
    por__key_slot *keys;
    size_t keys_cap; /* power of two, load kept at most 1/4: short probe runs (at 1/2 the
                        year benchmark's 62 keys made the probe loop mispredict) */
    size_t keys_len;
    uint64_t keys_gen; /* bumped on every registration */
    por__cache_entry *cache;    /* POR__CACHE_SETS * POR__CACHE_WAYS; NULL in ideal mode */
    uint8_t victim[POR__CACHE_SETS]; /* next way to replace in each set */
    por_crypto_stats stats;
};

static uint64_t por__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- formatting */

int por_addr_cmp(const por_addr *a, const por_addr *b)
{
    return memcmp(a->b, b->b, sizeof a->b);
}

bool por_addr_eq(const por_addr *a, const por_addr *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

void por_addr_to_hex(const por_addr *a, char out[43])
{
    static const char hex[] = "0123456789abcdef";
    char lower[40];
    for (int i = 0; i < 20; i++) {
        lower[2 * i] = hex[a->b[i] >> 4];
        lower[2 * i + 1] = hex[a->b[i] & 15];
    }
    /* EIP-55: uppercase a letter where the matching nibble of keccak(lowercase hex) >= 8 */
    por_digest h;
    por_keccak256(lower, sizeof lower, &h);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        unsigned nib = (i & 1) ? (h.b[i / 2] & 15u) : (h.b[i / 2] >> 4);
        char ch = lower[i];
        if (ch >= 'a' && nib >= 8)
            ch = (char)(ch - 'a' + 'A');
        out[2 + i] = ch;
    }
    out[42] = '\0';
}

void por_digest_to_hex(const por_digest *d, char out[67])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = hex[d->b[i] >> 4];
        out[3 + 2 * i] = hex[d->b[i] & 15];
    }
    out[66] = '\0';
}

/* ---------------------------------------------------------------- SipHash */

static inline uint64_t por__rotl(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n)); /* n is in [1, 63] here */
}

static inline uint64_t por__le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

#define POR__SIPROUND                                                                   \
    do {                                                                                \
        v0 += v1, v1 = por__rotl(v1, 13), v1 ^= v0, v0 = por__rotl(v0, 32);             \
        v2 += v3, v3 = por__rotl(v3, 16), v3 ^= v2;                                     \
        v0 += v3, v3 = por__rotl(v3, 21), v3 ^= v0;                                     \
        v2 += v1, v1 = por__rotl(v1, 17), v1 ^= v2, v2 = por__rotl(v2, 32);             \
    } while (0)

/* SipHash-c-d with 128-bit output (Aumasson and Bernstein's reference, "siphash128":
 * C rounds per 8-byte block, D finalization rounds for each output word), key as two
 * little-endian words; OUT[0] and OUT[1] are the output's two little-endian words.
 * Always inlined with constant C and D, and where the length is a constant (the 32-byte
 * digests of the ideal oracle) the loops unroll. */
#if defined(__GNUC__)
#define POR__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define POR__ALWAYS_INLINE inline
#endif
/* SipHash's four state words after the key, for a 64-bit output... */
static POR__ALWAYS_INLINE void por__sip_init64(uint64_t k0, uint64_t k1, uint64_t v[4])
{
    v[0] = 0x736f6d6570736575ull ^ k0;
    v[1] = 0x646f72616e646f6dull ^ k1;
    v[2] = 0x6c7967656e657261ull ^ k0;
    v[3] = 0x7465646279746573ull ^ k1;
}

/* ...and for a 128-bit one, which marks v1 with 0xee. */
static POR__ALWAYS_INLINE void por__sip_init(uint64_t k0, uint64_t k1, uint64_t v[4])
{
    por__sip_init64(k0, k1, v);
    v[1] ^= 0xee;
}

/* Absorbs the NBLOCKS 8-byte little-endian blocks at IN, C rounds each. */
static POR__ALWAYS_INLINE void por__sip_blocks(int c, uint64_t v[4], const uint8_t *in,
                                               size_t nblocks)
{
    uint64_t v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t m = por__le64(in + 8 * i);
        v3 ^= m;
        for (int r = 0; r < c; r++)
            POR__SIPROUND;
        v0 ^= m;
    }
    v[0] = v0, v[1] = v1, v[2] = v2, v[3] = v3;
}

/* Absorbs the last LEN % 8 bytes at TAIL with the message length LEN (the final block),
 * C rounds, into V. */
static POR__ALWAYS_INLINE void por__sip_last(int c, uint64_t v[4], const uint8_t *tail,
                                             size_t len)
{
    uint64_t v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        b |= (uint64_t)tail[i] << (8 * i);
    v3 ^= b;
    for (int r = 0; r < c; r++)
        POR__SIPROUND;
    v0 ^= b;
    v[0] = v0, v[1] = v1, v[2] = v2, v[3] = v3;
}

/* The final block (por__sip_last), then the D finalization rounds of each of the two
 * output words of the 128-bit variant. */
static POR__ALWAYS_INLINE void por__sip_finish(int c, int d, const uint64_t v[4],
                                               const uint8_t *tail, size_t len,
                                               uint64_t out[2])
{
    uint64_t w[4] = {v[0], v[1], v[2], v[3]};
    por__sip_last(c, w, tail, len);
    uint64_t v0 = w[0], v1 = w[1], v2 = w[2], v3 = w[3];
    v2 ^= 0xee;
    for (int r = 0; r < d; r++)
        POR__SIPROUND;
    out[0] = v0 ^ v1 ^ v2 ^ v3;
    v1 ^= 0xdd;
    for (int r = 0; r < d; r++)
        POR__SIPROUND;
    out[1] = v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-c-d with 64-bit output (the reference's "siphash" with an 8-byte output: v1
 * starts without the 0xee of the 128-bit variant, and 0xff, not 0xee, enters v2 before
 * the D finalization rounds). */
static POR__ALWAYS_INLINE uint64_t por__siphash64(int c, int d, uint64_t k0, uint64_t k1,
                                                  const uint8_t *in, size_t len)
{
    uint64_t v[4];
    por__sip_init64(k0, k1, v);
    por__sip_blocks(c, v, in, len / 8);
    por__sip_last(c, v, in + (len & ~(size_t)7), len);
    uint64_t v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
    v2 ^= 0xff;
    for (int r = 0; r < d; r++)
        POR__SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static POR__ALWAYS_INLINE void por__siphash128(int c, int d, uint64_t k0, uint64_t k1,
                                               const uint8_t *in, size_t len, uint64_t out[2])
{
    uint64_t v[4];
    por__sip_init(k0, k1, v);
    por__sip_blocks(c, v, in, len / 8);
    por__sip_finish(c, d, v, in + (len & ~(size_t)7), len, out);
}
#undef POR__SIPROUND

static void por__put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* V as 8 little-endian bytes at P: one store on little-endian hosts (gcc 12 does not
 * merge the byte stores of por__put_le here). */
static inline void por__put_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    por__put_le(p, v, 8);
#endif
}

void por_siphash24_128(const uint8_t key[16], const void *data, size_t len, uint8_t out[16])
{
    uint64_t h[2];
    por__siphash128(2, 4, por__le64(key), por__le64(key + 8), data, len, h);
    por__put_le64(out, h[0]);
    por__put_le64(out + 8, h[1]);
}

void por_siphash13_64(const uint8_t key[16], const void *data, size_t len, uint8_t out[8])
{
    por__put_le64(out, por__siphash64(1, 3, por__le64(key), por__le64(key + 8), data, len));
}

void por_siphash13_128(const uint8_t key[16], const void *data, size_t len, uint8_t out[16])
{
    uint64_t h[2];
    por__siphash128(1, 3, por__le64(key), por__le64(key + 8), data, len, h);
    por__put_le64(out, h[0]);
    por__put_le64(out + 8, h[1]);
}

/* ---------------------------------------------------------------- context */

por_crypto *por_crypto_create(por_crypto_mode mode)
{
    POR_ASSERT(mode == POR_CRYPTO_IDEAL || mode == POR_CRYPTO_REAL);
    por_crypto *c = por_xcalloc(1, sizeof *c);
    c->mode = mode;
    c->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!c->secp) {
        por_out_of_memory(" (creating secp256k1 context)");
    }
    /* Blinding for side-channel resistance, from a fixed seed: it never changes any
     * output (signing is RFC 6979), and a fixed seed keeps runs reproducible. */
    por_digest blind;
    por_keccak256("porsim/secp256k1-context-blinding", 33, &blind);
    int ok = secp256k1_context_randomize(c->secp, blind.b);
    POR_ASSERT(ok);
    c->keys_cap = 64;
    c->keys = por_xcalloc(c->keys_cap, sizeof *c->keys);
    if (mode == POR_CRYPTO_REAL)
        c->cache = por_xcalloc((size_t)POR__CACHE_SETS * POR__CACHE_WAYS, sizeof *c->cache);
    return c;
}

void por_crypto_destroy(por_crypto *c)
{
    if (!c)
        return;
    secp256k1_context_destroy(c->secp);
    free(c->keys);
    free(c->cache);
    free(c);
}

por_crypto_mode por_crypto_get_mode(const por_crypto *c)
{
    return c->mode;
}

void por_crypto_get_stats(const por_crypto *c, por_crypto_stats *out)
{
    *out = c->stats;
}

/* ---------------------------------------------------------------- key registry */

/* The first 8 bytes of A read big-endian (addresses are keccak output: already uniform);
 * one load and a byte swap where the compiler has one, the byte loop elsewhere. */
static size_t por__addr_hash(const por_addr *a)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, a->b, 8);
    return (size_t)__builtin_bswap64(w);
#else
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = (h << 8) | a->b[i];
    return (size_t)h;
#endif
}

/* Returns the slot holding ADDR, or the empty slot where it would go. */
static por__key_slot *por__key_find(por__key_slot *keys, size_t cap, const por_addr *addr)
{
    size_t i = por__addr_hash(addr) & (cap - 1);
    while (keys[i].used && !por_addr_eq(&keys[i].addr, addr))
        i = (i + 1) & (cap - 1);
    return &keys[i];
}

/* The ideal-signature tag key of SECRET: a domain-separated keccak, so it says nothing
 * about the secret itself. */
static void por__tag_key(const uint8_t secret[32], uint64_t tag_key[2])
{
    static const char dom[] = "porsim/ideal-sig-key";
    por_keccak_ctx h;
    por_digest d;
    por_keccak_init(&h);
    por_keccak_update(&h, dom, sizeof dom - 1);
    por_keccak_update(&h, secret, 32);
    por_keccak_final(&h, &d);
    tag_key[0] = por__le64(d.b);
    tag_key[1] = por__le64(d.b + 8);
}

static void por__key_register(por_crypto *c, const por_addr *addr, const uint8_t secret[32])
{
    por__key_slot *s = por__key_find(c->keys, c->keys_cap, addr);
    if (s->used) {
        /* two secrets with one address would be a keccak/EC collision: a bug */
        POR_ASSERT(memcmp(s->secret, secret, 32) == 0);
        return;
    }
    if (4 * (c->keys_len + 1) > c->keys_cap) {
        size_t cap = 2 * c->keys_cap;
        por__key_slot *keys = por_xcalloc(cap, sizeof *keys);
        for (size_t i = 0; i < c->keys_cap; i++)
            if (c->keys[i].used)
                *por__key_find(keys, cap, &c->keys[i].addr) = c->keys[i];
        free(c->keys);
        c->keys = keys;
        c->keys_cap = cap;
        s = por__key_find(c->keys, c->keys_cap, addr);
    }
    s->addr = *addr;
    memcpy(s->secret, secret, 32);
    por__tag_key(secret, s->tag_key);
    s->used = true;
    c->keys_len++;
    c->keys_gen++;
    c->stats.keys++;
}

/* Ethereum address of a secp256k1 public key. */
static void por__pubkey_addr(const por_crypto *c, const secp256k1_pubkey *pk, por_addr *out)
{
    uint8_t ser[65];
    size_t len = sizeof ser;
    int ok = secp256k1_ec_pubkey_serialize(c->secp, ser, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    POR_ASSERT(ok && len == 65 && ser[0] == 0x04);
    por_digest h;
    por_keccak256(ser + 1, 64, &h);
    memcpy(out->b, h.b + 12, 20);
}

/* Address of a valid secret scalar (one EC multiplication). */
static void por__secret_addr(const por_crypto *c, const uint8_t secret[32], por_addr *out)
{
    secp256k1_pubkey pk;
    int ok = secp256k1_ec_pubkey_create(c->secp, &pk, secret);
    POR_ASSERT(ok);
    por__pubkey_addr(c, &pk, out);
}

bool por_crypto_key_from_secret(por_crypto *c, const uint8_t secret[32], por_keypair *out)
{
    if (!secp256k1_ec_seckey_verify(c->secp, secret))
        return false;
    memcpy(out->secret, secret, 32);
    por__secret_addr(c, secret, &out->addr);
    por__key_register(c, &out->addr, out->secret);
    return true;
}

void por_crypto_derive_key(por_crypto *c, uint64_t seed, const char *role, uint32_t index,
                           por_keypair *out)
{
    POR_ASSERT(role != NULL);
    static const char tag[] = "porsim/key";
    size_t role_len = strlen(role);
    uint8_t buf[8];
    /* secret = keccak(tag || seed || len(role) || role || index || attempt): the length
     * prefix keeps (role, index) pairs from colliding as byte strings */
    for (uint32_t attempt = 0;; attempt++) {
        por_keccak_ctx h;
        por_digest d;
        por_keccak_init(&h);
        por_keccak_update(&h, tag, sizeof tag - 1);
        por__put_le(buf, seed, 8);
        por_keccak_update(&h, buf, 8);
        por__put_le(buf, role_len, 8);
        por_keccak_update(&h, buf, 8);
        por_keccak_update(&h, role, role_len);
        por__put_le(buf, index, 4);
        por_keccak_update(&h, buf, 4);
        por__put_le(buf, attempt, 4);
        por_keccak_update(&h, buf, 4);
        por_keccak_final(&h, &d);
        if (por_crypto_key_from_secret(c, d.b, out))
            return;
        /* not a valid scalar: probability about 2^-128, rehash with the next attempt */
    }
}

/* ---------------------------------------------------------------- signing */

/* The ideal tag of DIGEST under a registered key: one little-endian word, stored as
 * signature bytes 20..27. */
static inline uint64_t por__ideal_tag(const por__key_slot *s, const por_digest *digest)
{
    return por__siphash64(1, 3, s->tag_key[0], s->tag_key[1], digest->b, sizeof digest->b);
}

/* Returns the registry slot of KEY->secret, registering the key if C has not seen it
 * (or if KEY->addr does not belong to KEY->secret). Done in both modes so that the
 * registry, and with it the cache statistics, evolve identically whatever the mode. The
 * slot is valid until the next registration. */
static por__key_slot *por__signer_slot(por_crypto *c, const por_keypair *key)
{
    por__key_slot *s = por__key_find(c->keys, c->keys_cap, &key->addr);
    if (s->used && memcmp(s->secret, key->secret, 32) == 0)
        return s;
    POR_ASSERT(secp256k1_ec_seckey_verify(c->secp, key->secret)); /* caller bug if not */
    por_addr addr;
    por__secret_addr(c, key->secret, &addr);
    por__key_register(c, &addr, key->secret);
    return por__key_find(c->keys, c->keys_cap, &addr);
}

void por_crypto_sign(por_crypto *c, const por_keypair *key, const por_digest *digest,
                     por_sig *out)
{
    c->stats.signs++;
    por__key_slot *signer = por__signer_slot(c, key);
    if (c->mode == POR_CRYPTO_REAL) {
        secp256k1_ecdsa_recoverable_signature rs;
        int recid = -1;
        uint64_t t0 = por__now_ns();
        int ok = secp256k1_ecdsa_sign_recoverable(c->secp, &rs, digest->b, key->secret,
                                                  NULL, NULL);
        POR_ASSERT(ok);
        ok = secp256k1_ecdsa_recoverable_signature_serialize_compact(c->secp, out->b, &recid,
                                                                     &rs);
        c->stats.ec_sign_ns += por__now_ns() - t0;
        POR_ASSERT(ok);
        /* recid 2 or 3 needs r >= p - n: probability about 2^-127, and ecrecover would
         * reject it */
        POR_ASSERT(recid == 0 || recid == 1);
        out->b[64] = (uint8_t)recid;
        return;
    }
    uint64_t tag = por__ideal_tag(signer, digest);
    /* the check of this signature usually comes before the key signs again (an oracle's
     * observation or report signature, checked by the leader when it arrives) */
    signer->memo_set = true;
    signer->memo_tag = tag;
    signer->memo_digest = *digest;
    memset(out->b, 0, sizeof out->b);
    memcpy(out->b, signer->addr.b, 20);
    por__put_le64(out->b + 20, tag);
    out->b[64] = POR__IDEAL_V;
}

/* Public key of the ideal-mode message digest (any fixed value: it is no secret). */
#define POR__IDEAL_DIGEST_K0 0x6d69736f70726f70ull /* "porposim" little-endian */
#define POR__IDEAL_DIGEST_K1 0x7473656769642d6cull /* "l-digest" */

/* Ends an ideal-mode digest: absorbs the LEN bytes at REST into V (the SipHash-1-3 state
 * after the message's first TOTAL - LEN bytes, a multiple of 8) and writes the 128-bit
 * hash to bytes 0..15 of OUT, zeros after. */
static POR__ALWAYS_INLINE void por__ideal_digest(uint64_t v[4], const void *rest, size_t len,
                                                 size_t total, por_digest *out)
{
    uint64_t h[2];
    por__sip_blocks(1, v, rest, len / 8);
    por__sip_finish(1, 3, v, (const uint8_t *)rest + (len & ~(size_t)7), total, h);
    por__put_le64(out->b, h[0]);
    por__put_le64(out->b + 8, h[1]);
    memset(out->b + 16, 0, 16);
}

void por_crypto_message_digest(const por_crypto *c, const void *data, size_t len,
                               por_digest *out)
{
    if (c->mode == POR_CRYPTO_REAL) {
        por_keccak256(data, len, out);
        return;
    }
    uint64_t v[4];
    por__sip_init(POR__IDEAL_DIGEST_K0, POR__IDEAL_DIGEST_K1, v);
    por__ideal_digest(v, data, len, len, out);
}

void por_crypto_digest_prefix(const por_crypto *c, const void *prefix, size_t len,
                              por_digest_prefix *out)
{
    POR_ASSERT(len % 8 == 0 && (len == 0 || prefix != NULL));
    memset(out, 0, sizeof *out);
    out->mode = c->mode;
    out->len = len;
    if (c->mode == POR_CRYPTO_REAL) {
        por_keccak_init(&out->keccak);
        por_keccak_update(&out->keccak, prefix, len);
        return;
    }
    por__sip_init(POR__IDEAL_DIGEST_K0, POR__IDEAL_DIGEST_K1, out->sip);
    por__sip_blocks(1, out->sip, prefix, len / 8);
}

void por_crypto_message_digest_after(const por_crypto *c, const por_digest_prefix *p,
                                     const void *rest, size_t len, por_digest *out)
{
    POR_ASSERT(p->mode == c->mode && (len == 0 || rest != NULL));
    if (c->mode == POR_CRYPTO_REAL) {
        por_keccak_ctx h = p->keccak; /* plain data: a copy forks the hash */
        por_keccak_update(&h, rest, len);
        por_keccak_final(&h, out);
        return;
    }
    uint64_t v[4] = {p->sip[0], p->sip[1], p->sip[2], p->sip[3]};
    por__ideal_digest(v, rest, len, p->len + len, out);
}

/* ---------------------------------------------------------------- recovery */

/* The ideal oracle's check: true and the signer in *OUT iff SIG is what por_crypto_sign
 * makes over DIGEST with a key C knows (the address, the tag, zeros, the marker v).
 * Inlined into por_crypto_verify (every observation's check in ideal mode: no call frame,
 * and the unused signer is not stored) and the recovery. */
static POR__ALWAYS_INLINE bool por__ideal_recover(const por_crypto *c,
                                                  const por_digest *digest,
                                                  const por_sig *sig, por_addr *out)
{
    if (sig->b[64] != POR__IDEAL_V)
        return false;
    uint32_t z0;
    uint64_t z[4];
    memcpy(&z0, sig->b + 28, 4);
    memcpy(z, sig->b + 32, 32); /* bytes 28..63 must be zero */
    if ((z0 | z[0] | z[1] | z[2] | z[3]) != 0)
        return false;
    por_addr addr;
    memcpy(addr.b, sig->b, 20);
    const por__key_slot *s = por__key_find(c->keys, c->keys_cap, &addr);
    if (!s->used)
        return false;
    /* The tag is a function of the key and the digest only, so the tag this key made
     * when it last signed serves for that same digest (all 32 bytes compared): the same
     * answer as recomputing it, one SipHash fewer. Whatever por_crypto_sign did not
     * make still fails: its tag is compared with the right one either way. */
    uint64_t tag = s->memo_set && memcmp(s->memo_digest.b, digest->b, sizeof digest->b) == 0
                       ? s->memo_tag
                       : por__ideal_tag(s, digest);
    if (tag != por__le64(sig->b + 20))
        return false;
    *out = addr;
    return true;
}

/* Recovers the signer without the cache. */
static bool por__recover_compute(por_crypto *c, const por_digest *digest, const por_sig *sig,
                                 por_addr *out)
{
    c->stats.recovers++;
    if (c->mode == POR_CRYPTO_IDEAL)
        return por__ideal_recover(c, digest, sig, out);
    uint8_t v = sig->b[64];
    if (v > 1)
        return false;
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey pk;
    uint64_t t0 = por__now_ns();
    bool ok = secp256k1_ecdsa_recoverable_signature_parse_compact(c->secp, &rs, sig->b, v) &&
              secp256k1_ecdsa_recover(c->secp, &pk, &rs, digest->b);
    if (ok)
        por__pubkey_addr(c, &pk, out);
    c->stats.ec_verify_ns += por__now_ns() - t0;
    return ok;
}

/* The cache set of (DIGEST, SIG): every 64-bit word of both and v, each multiplied by
 * its own odd constant (independent multiplies, no chain), summed, then the murmur3
 * finalizer so that every input bit reaches the set bits. Not a cryptographic hash and
 * it need not be: a hit compares the whole pair. */
static uint32_t por__cache_set(const por_digest *digest, const por_sig *sig)
{
    const uint8_t *d = digest->b, *s = sig->b;
    uint64_t h = por__le64(d) * 0x9e3779b97f4a7c15ull + por__le64(d + 8) * 0xc2b2ae3d27d4eb4full +
                 por__le64(d + 16) * 0x165667b19e3779f9ull +
                 por__le64(d + 24) * 0x27d4eb2f165667c5ull +
                 por__le64(s) * 0xff51afd7ed558ccdull + por__le64(s + 8) * 0xc4ceb9fe1a85ec53ull +
                 por__le64(s + 16) * 0x94d049bb133111ebull +
                 por__le64(s + 24) * 0xbf58476d1ce4e5b9ull +
                 por__le64(s + 32) * 0x8cb92ba72f3d8dd7ull +
                 por__le64(s + 40) * 0xd6e8feb86659fd93ull +
                 por__le64(s + 48) * 0xa0761d6478bd642full +
                 por__le64(s + 56) * 0xe7037ed1a0b428dbull + (uint64_t)s[64];
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)(h & (POR__CACHE_SETS - 1));
}

/* Recovers through the cache; returns the result and the signer in *OUT when true. */
static bool por__recover_cached(por_crypto *c, const por_digest *digest, const por_sig *sig,
                                por_addr *out)
{
    uint32_t set = por__cache_set(digest, sig);
    por__cache_entry *ways = c->cache + (size_t)set * POR__CACHE_WAYS;
    unsigned w = 0;
    while (w < POR__CACHE_WAYS &&
           !(ways[w].used && memcmp(ways[w].sig.b, sig->b, sizeof sig->b) == 0 &&
             memcmp(ways[w].digest.b, digest->b, sizeof digest->b) == 0))
        w++;
    if (w < POR__CACHE_WAYS && (ways[w].ok || ways[w].keys_gen == c->keys_gen)) {
        c->stats.cache_hits++;
        if (ways[w].ok)
            *out = ways[w].addr;
        return ways[w].ok;
    }
    c->stats.cache_misses++;
    por_addr addr;
    bool ok = por__recover_compute(c, digest, sig, &addr);

    if (w == POR__CACHE_WAYS) {
        /* not present (a stale negative entry is rewritten in place): fill an empty way
         * first, else replace round-robin */
        w = 0;
        while (w < POR__CACHE_WAYS && ways[w].used)
            w++;
        if (w == POR__CACHE_WAYS) {
            w = c->victim[set];
            c->victim[set] = (uint8_t)((w + 1) % POR__CACHE_WAYS);
        }
    }
    por__cache_entry *e = &ways[w];
    e->digest = *digest;
    e->sig = *sig;
    e->used = true;
    e->ok = ok;
    e->keys_gen = c->keys_gen;
    if (ok) {
        e->addr = addr;
        *out = addr;
    } else {
        memset(e->addr.b, 0, sizeof e->addr.b);
    }
    return ok;
}

bool por_crypto_recover(por_crypto *c, const por_digest *digest, const por_sig *sig,
                        por_addr *out)
{
    c->stats.recover_calls++;
    if (c->mode == POR_CRYPTO_IDEAL)
        return por__recover_compute(c, digest, sig, out);
    return por__recover_cached(c, digest, sig, out);
}

bool por_crypto_verify(por_crypto *c, const por_digest *digest, const por_sig *sig,
                       const por_addr *expected)
{
    c->stats.verify_calls++;
    por_addr got;
    if (c->mode == POR_CRYPTO_IDEAL) {
        c->stats.recovers++;
        /* an ideal signature names its signer in bytes 0..19: another address can only
         * recover to itself or fail, so the answer is no without the tag */
        return memcmp(sig->b, expected->b, sizeof expected->b) == 0 &&
               por__ideal_recover(c, digest, sig, &got);
    }
    return por__recover_cached(c, digest, sig, &got) && por_addr_eq(&got, expected);
}
