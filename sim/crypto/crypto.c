/* The crypto context: deterministic keys, real (libsecp256k1) and ideal signatures,
 * ecrecover-style recovery, the key registry the ideal oracle checks tags against, and
 * the verification cache.
 *
 * Ideal signature layout (65 bytes, see crypto.h for the model):
 *   b[0..19]  signer address
 *   b[20..51] tag = keccak256("porsim/ideal-sig" || secret || digest)
 *   b[52..63] zero
 *   b[64]     POR__IDEAL_V (never a valid real-mode v)
 *
 * Cache: set-associative, POR__CACHE_SETS x POR__CACHE_WAYS entries. An entry holds the
 * full 32-byte keccak of (domain, digest, sig) and the recovery result (ok + address);
 * a hit compares all 32 bytes, so an answer is never another pair's. Replacement is
 * oldest-first per set (a round-robin pointer once the set is full), so the hit/miss
 * sequence depends only on the calls made. In ideal mode a "not valid" answer can turn
 * valid once the signer's key is registered (a signature carried over from another
 * context), so a negative entry is trusted only while the registry is unchanged since it
 * was stored. */
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
    por_addr addr;
    uint8_t secret[32];
    bool used;
} por__key_slot;

typedef struct {
    uint64_t keys_gen; /* registry generation when stored (checked for negative entries) */
    uint8_t key[32];   /* keccak of the (digest, sig) pair */
    por_addr addr;     /* recovered signer when ok */
    bool used;
    bool ok;
} por__cache_entry;  /* 64 bytes */

struct por_crypto {
    por_crypto_mode mode;
    secp256k1_context *secp;
    por__key_slot *keys;
    size_t keys_cap; /* power of two, load kept at most 1/2 */
    size_t keys_len;
    uint64_t keys_gen; /* bumped on every registration */
    por__cache_entry *cache;    /* POR__CACHE_SETS * POR__CACHE_WAYS */
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

/* ---------------------------------------------------------------- context */

por_crypto *por_crypto_create(por_crypto_mode mode)
{
    POR_ASSERT(mode == POR_CRYPTO_IDEAL || mode == POR_CRYPTO_REAL);
    por_crypto *c = por_xcalloc(1, sizeof *c);
    c->mode = mode;
    c->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!c->secp) {
        fprintf(stderr, "porsim: out of memory (creating secp256k1 context)\n");
        exit(1);
    }
    /* Blinding for side-channel resistance, from a fixed seed: it never changes any
     * output (signing is RFC 6979), and a fixed seed keeps runs reproducible. */
    por_digest blind;
    por_keccak256("porsim/secp256k1-context-blinding", 33, &blind);
    int ok = secp256k1_context_randomize(c->secp, blind.b);
    POR_ASSERT(ok);
    c->keys_cap = 64;
    c->keys = por_xcalloc(c->keys_cap, sizeof *c->keys);
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

static size_t por__addr_hash(const por_addr *a)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = (h << 8) | a->b[i]; /* addresses are keccak output: already uniform */
    return (size_t)h;
}

/* Returns the slot holding ADDR, or the empty slot where it would go. */
static por__key_slot *por__key_find(por__key_slot *keys, size_t cap, const por_addr *addr)
{
    size_t i = por__addr_hash(addr) & (cap - 1);
    while (keys[i].used && !por_addr_eq(&keys[i].addr, addr))
        i = (i + 1) & (cap - 1);
    return &keys[i];
}

static void por__key_register(por_crypto *c, const por_addr *addr, const uint8_t secret[32])
{
    por__key_slot *s = por__key_find(c->keys, c->keys_cap, addr);
    if (s->used) {
        /* two secrets with one address would be a keccak/EC collision: a bug */
        POR_ASSERT(memcmp(s->secret, secret, 32) == 0);
        return;
    }
    if (2 * (c->keys_len + 1) > c->keys_cap) {
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

static void por__put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
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

static void por__ideal_tag(const uint8_t secret[32], const por_digest *digest, uint8_t tag[32])
{
    static const char dom[] = "porsim/ideal-sig";
    por_keccak_ctx h;
    por_digest d;
    por_keccak_init(&h);
    por_keccak_update(&h, dom, sizeof dom - 1);
    por_keccak_update(&h, secret, 32);
    por_keccak_update(&h, digest->b, 32);
    por_keccak_final(&h, &d);
    memcpy(tag, d.b, 32);
}

/* Returns in *ADDR the address of KEY->secret, registering the key if C has not seen it
 * (or if KEY->addr does not belong to KEY->secret). Done in both modes so that the
 * registry, and with it the cache statistics, evolve identically whatever the mode. */
static void por__signer_addr(por_crypto *c, const por_keypair *key, por_addr *addr)
{
    *addr = key->addr;
    const por__key_slot *s = por__key_find(c->keys, c->keys_cap, addr);
    if (s->used && memcmp(s->secret, key->secret, 32) == 0)
        return;
    POR_ASSERT(secp256k1_ec_seckey_verify(c->secp, key->secret)); /* caller bug if not */
    por__secret_addr(c, key->secret, addr);
    por__key_register(c, addr, key->secret);
}

void por_crypto_sign(por_crypto *c, const por_keypair *key, const por_digest *digest,
                     por_sig *out)
{
    c->stats.signs++;
    por_addr addr;
    por__signer_addr(c, key, &addr);
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
    memset(out->b, 0, sizeof out->b);
    memcpy(out->b, addr.b, 20);
    por__ideal_tag(key->secret, digest, out->b + 20);
    out->b[64] = POR__IDEAL_V;
}

/* ---------------------------------------------------------------- recovery */

/* Recovers the signer without the cache. */
static bool por__recover_compute(por_crypto *c, const por_digest *digest, const por_sig *sig,
                                 por_addr *out)
{
    c->stats.recovers++;
    if (c->mode == POR_CRYPTO_REAL) {
        uint8_t v = sig->b[64];
        if (v > 1)
            return false;
        secp256k1_ecdsa_recoverable_signature rs;
        secp256k1_pubkey pk;
        uint64_t t0 = por__now_ns();
        bool ok = secp256k1_ecdsa_recoverable_signature_parse_compact(c->secp, &rs, sig->b,
                                                                      v) &&
                  secp256k1_ecdsa_recover(c->secp, &pk, &rs, digest->b);
        if (ok)
            por__pubkey_addr(c, &pk, out);
        c->stats.ec_verify_ns += por__now_ns() - t0;
        return ok;
    }
    if (sig->b[64] != POR__IDEAL_V)
        return false;
    for (int i = 52; i < 64; i++)
        if (sig->b[i] != 0)
            return false;
    por_addr addr;
    memcpy(addr.b, sig->b, 20);
    const por__key_slot *s = por__key_find(c->keys, c->keys_cap, &addr);
    if (!s->used)
        return false;
    uint8_t tag[32];
    por__ideal_tag(s->secret, digest, tag);
    if (memcmp(tag, sig->b + 20, 32) != 0)
        return false;
    *out = addr;
    return true;
}

/* Recovers through the cache; returns the result and the signer in *OUT when true. */
static bool por__recover_cached(por_crypto *c, const por_digest *digest, const por_sig *sig,
                                por_addr *out)
{
    static const char dom[] = "porsim/verify-cache";
    por_keccak_ctx h;
    por_digest key;
    por_keccak_init(&h);
    por_keccak_update(&h, dom, sizeof dom - 1);
    por_keccak_update(&h, digest->b, 32);
    por_keccak_update(&h, sig->b, 65);
    por_keccak_final(&h, &key);

    uint32_t set = ((uint32_t)key.b[0] | (uint32_t)key.b[1] << 8 | (uint32_t)key.b[2] << 16) &
                   (POR__CACHE_SETS - 1);
    por__cache_entry *ways = c->cache + (size_t)set * POR__CACHE_WAYS;
    unsigned w = 0;
    while (w < POR__CACHE_WAYS && !(ways[w].used && memcmp(ways[w].key, key.b, 32) == 0))
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
    memcpy(e->key, key.b, 32);
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
    return por__recover_cached(c, digest, sig, out);
}

bool por_crypto_verify(por_crypto *c, const por_digest *digest, const por_sig *sig,
                       const por_addr *expected)
{
    c->stats.verify_calls++;
    por_addr got;
    return por__recover_cached(c, digest, sig, &got) && por_addr_eq(&got, expected);
}
