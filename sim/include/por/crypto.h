/* Crypto for the OCR model: Ethereum keccak-256, secp256k1 recoverable ECDSA with
 * ecrecover-style verification, an ideal-signature mode with no EC cost, a
 * verification cache, and SipHash (SipHash-1-3 is the ideal oracle's tag and digest
 * function; SipHash-2-4 is kept with its reference vectors).
 *
 * Hash: keccak-256 as Ethereum uses it (pre-standard Keccak, pad byte 0x01, rate 136),
 * which is NOT SHA3-256.
 *
 * Signatures (por_sig, 65 bytes) come in two modes, chosen per context:
 *  - POR_CRYPTO_REAL: r(32) s(32) v(1) from libsecp256k1, deterministic (RFC 6979),
 *    v = recovery id 0 or 1 (OCR's rawVs convention; the contract adds 27). Verification
 *    recovers the public key from (digest, sig), derives the Ethereum address (last 20
 *    bytes of keccak-256 of the 64-byte uncompressed key) and compares it with the expected
 *    signer, as an OffchainAggregator's ecrecover does. Like ecrecover, the high-s twin of
 *    a valid signature is also accepted (same signer), and a forgery usually "recovers"
 *    to some unrelated address that nobody holds a key for: check the address.
 *  - POR_CRYPTO_IDEAL: an unforgeable signature oracle. A signature is the signer's
 *    address plus a 64-bit tag, SipHash-1-3 of the digest under a key derived from the
 *    secret (a PRF: no keccak, no EC, tens of nanoseconds per sign or check; why 1-3
 *    and not 2-4 is said at por_siphash13_128, why 64 bits at por_siphash13_64); the
 *    context keeps a registry of the keys it derived or signed with and checks the tag on
 *    recovery. Anything not made by por_crypto_sign with the secret (random bytes, the
 *    right address with a wrong tag, a signature over another digest) fails recovery.
 * Keys and addresses are the same in both modes; only signature bytes differ, so callers
 * must never branch on signature bytes. Both modes accept exactly the signatures made by
 * por_crypto_sign for that digest (plus, in real mode, their high-s twins).
 *
 * A por_crypto is used by one thread at a time; each thread or replication owns its own.
 * There is no global mutable state. */
#ifndef POR_CRYPTO_H
#define POR_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint8_t b[32]; } por_digest;  /* keccak-256 output (or an ideal-mode
                                                  message digest, see
                                                  por_crypto_message_digest) */
typedef struct { uint8_t b[20]; } por_addr;    /* Ethereum-style address */
typedef struct { uint8_t b[65]; } por_sig;     /* r(32) s(32) v(1), recoverable */

typedef enum { POR_CRYPTO_IDEAL = 0, POR_CRYPTO_REAL = 1 } por_crypto_mode;

/* A signing key: the secp256k1 secret scalar and its Ethereum address. */
typedef struct {
    uint8_t secret[32];
    por_addr addr;
} por_keypair;

/* Counters of one context. Counts are deterministic (same calls, same counts); signs,
 * verify_calls, recover_calls and keys mean the same in both modes, the cache counters
 * and recovers do not: only real mode has a verification cache. The *_ns fields are
 * wall-clock time and must not go into reproducible outputs. */
typedef struct {
    uint64_t signs;         /* por_crypto_sign calls */
    uint64_t recovers;      /* recoveries actually computed: real mode, EC recoveries
                               (cache misses); ideal mode, oracle checks (every verify
                               and recover call) */
    uint64_t verify_calls;  /* por_crypto_verify calls */
    uint64_t cache_hits;    /* real mode: verify/recover calls answered by the cache;
                               ideal mode: 0 */
    uint64_t cache_misses;  /* real mode: verify/recover calls that had to compute;
                               ideal mode: 0 */
    uint64_t ec_sign_ns;    /* wall ns inside libsecp256k1 signing (real mode) */
    uint64_t ec_verify_ns;  /* wall ns inside libsecp256k1 recovery (real mode) */
    uint64_t recover_calls; /* por_crypto_recover calls */
    uint64_t keys;          /* keys registered (derived, from a secret, or signed with) */
} por_crypto_stats;

/* Opaque crypto context: libsecp256k1 context, key registry, verification cache. */
typedef struct por_crypto por_crypto;

/* ---- keccak-256 ---- */

/* Incremental keccak-256 state. Plain data: copy it to fork a hash of a common prefix. */
typedef struct {
    uint64_t st[25]; /* keccak-f[1600] state, lanes little-endian */
    size_t pos;      /* bytes absorbed into the current 136-byte block */
} por_keccak_ctx;

/* Starts a keccak-256 hash in CTX. */
void por_keccak_init(por_keccak_ctx *ctx);

/* Absorbs LEN bytes at DATA (DATA may be NULL when LEN is 0). */
void por_keccak_update(por_keccak_ctx *ctx, const void *data, size_t len);

/* Writes the digest of everything absorbed to OUT. CTX must be re-initialized before
 * reuse. */
void por_keccak_final(por_keccak_ctx *ctx, por_digest *out);

/* One-shot keccak-256 of LEN bytes at DATA into OUT. */
void por_keccak256(const void *data, size_t len, por_digest *out);

/* ---- formatting and comparison ---- */

/* Writes "0x" + 40 hex digits with the EIP-55 mixed-case checksum and a NUL to OUT. */
void por_addr_to_hex(const por_addr *a, char out[43]);

/* Writes "0x" + 64 lowercase hex digits and a NUL to OUT. */
void por_digest_to_hex(const por_digest *d, char out[67]);

/* Returns <0, 0 or >0 comparing addresses as 160-bit big-endian numbers (the order
 * Solidity uses for address). */
int por_addr_cmp(const por_addr *a, const por_addr *b);

/* Returns true iff the two addresses are equal. */
bool por_addr_eq(const por_addr *a, const por_addr *b);

/* ---- context ---- */

/* Creates a context in MODE: a libsecp256k1 context (randomized with a fixed seed, so
 * runs are reproducible), an empty key registry and, in real mode, an empty verification
 * cache (8192 entries of 128 bytes, 1 MB, touched lazily). Never NULL (exits on OOM).
 * Caller frees with por_crypto_destroy. */
por_crypto *por_crypto_create(por_crypto_mode mode);

/* Frees C and everything it owns. C may be NULL. */
void por_crypto_destroy(por_crypto *c);

/* Returns the mode C was created with. */
por_crypto_mode por_crypto_get_mode(const por_crypto *c);

/* Derives the key for (SEED, ROLE, INDEX) into OUT and registers it with C. The secret is
 * keccak-256 of a domain tag and the three inputs (rehashed with a counter until it is a
 * valid secp256k1 scalar), so the same inputs give the same key in both modes and in
 * every context. OUT->addr is the real Ethereum address (one EC multiplication per call).
 * ROLE is a NUL-terminated name such as "oracle" or "attacker". */
void por_crypto_derive_key(por_crypto *c, uint64_t seed, const char *role, uint32_t index,
                           por_keypair *out);

/* Makes OUT the keypair of the 32-byte big-endian SECRET and registers it with C.
 * Returns false (OUT untouched) if SECRET is zero or not below the curve order. */
bool por_crypto_key_from_secret(por_crypto *c, const uint8_t secret[32], por_keypair *out);

/* Signs DIGEST with KEY into OUT, deterministically (same key and digest, same bytes).
 * The signature recovers to the address of KEY->secret. A key C has not seen yet (or
 * whose addr does not match its secret) is registered under the secret's true address,
 * at the cost of one EC multiplication, in both modes. KEY->secret must be a valid
 * scalar (keys from por_crypto_derive_key always are); otherwise it is a caller bug and
 * the process stops. */
void por_crypto_sign(por_crypto *c, const por_keypair *key, const por_digest *digest,
                     por_sig *out);

/* ecrecover: returns true and writes the signer's address to OUT if SIG is a
 * well-formed signature over DIGEST (real mode: r, s in [1, n-1] and v in {0, 1}, and a
 * public key is recoverable; ideal mode: made by por_crypto_sign over DIGEST with a key C
 * knows). Returns false and leaves OUT untouched otherwise. In real mode a forged but
 * well-formed SIG returns true with an address nobody holds a key for, exactly as the
 * EVM's ecrecover does; always compare the address. Real mode answers from the cache
 * when it can (see por_crypto_verify). */
bool por_crypto_recover(por_crypto *c, const por_digest *digest, const por_sig *sig,
                        por_addr *out);

/* Returns true iff SIG over DIGEST recovers to EXPECTED. In real mode the verification
 * cache holds the recovered signer per (digest, sig), keyed by the whole pair (a hit
 * compares all 97 bytes), so a distinct (digest, sig) pair costs one EC recovery however
 * many times and against however many expected addresses it is checked (eviction only
 * costs a recomputation, never a wrong answer). Ideal mode has no cache: every call
 * checks the tag (cheaper than a lookup in a 1 MB table), so its cache counters stay 0
 * and recovers counts every call. Answers are the same in both modes. */
bool por_crypto_verify(por_crypto *c, const por_digest *digest, const por_sig *sig,
                       const por_addr *expected);

/* The digest signers in C sign for a message of LEN bytes at DATA (may be NULL when LEN
 * is 0), for messages whose digest only signatures use: nothing outside the DON
 * recomputes it (no contract, no output shows it), like OCR's observation digests.
 *  - real mode: keccak-256 of the message (por_keccak256), so real signatures are
 *    exactly what a node would sign;
 *  - ideal mode: SipHash-1-3-128 of the message under a fixed public key in bytes 0..15,
 *    zero in bytes 16..31. In ideal mode a digest only names the signed message (the
 *    tag is a PRF of it under the signer's key), so all it needs is that distinct
 *    messages get distinct digests: 128 bits make an accidental collision among 10^9
 *    digests a 2^-68 event, and no modelled adversary searches for collisions. It costs
 *    about a tenth of a keccak-f[1600] (in the year benchmark the observation digests
 *    were a third of all instructions).
 * The same message gives the same digest in every context of one mode; callers must not
 * compare digests across modes (as for signatures, see the top of this file). */
void por_crypto_message_digest(const por_crypto *c, const void *data, size_t len,
                               por_digest *out);

/* The state of por_crypto_message_digest after the first part of a message, for many
 * messages that start with the same bytes (OCR's observation digests all start with the
 * 32-byte config digest): real mode, the keccak state; ideal mode, the SipHash state
 * after the prefix's 8-byte blocks. Plain data; filled by por_crypto_digest_prefix. */
typedef struct {
    por_crypto_mode mode;  /* the mode of the context it was made for */
    size_t len;            /* prefix bytes absorbed */
    uint64_t sip[4];       /* ideal mode */
    por_keccak_ctx keccak; /* real mode */
} por_digest_prefix;

/* Absorbs the LEN bytes at PREFIX (LEN a multiple of 8) into OUT as the start of
 * messages digested by C. */
void por_crypto_digest_prefix(const por_crypto *c, const void *prefix, size_t len,
                              por_digest_prefix *out);

/* por_crypto_message_digest of PREFIX || the LEN bytes at REST, where P holds PREFIX
 * (por_crypto_digest_prefix with C or a context of the same mode): the same digest,
 * without absorbing the prefix again. */
void por_crypto_message_digest_after(const por_crypto *c, const por_digest_prefix *p,
                                     const void *rest, size_t len, por_digest *out);

/* Copies C's counters to OUT. */
void por_crypto_get_stats(const por_crypto *c, por_crypto_stats *out);

/* ---- SipHash ---- */

/* SipHash-2-4 with 128-bit output (the reference "siphash128" variant) of LEN bytes at
 * DATA (may be NULL when LEN is 0) under the 16-byte KEY, into the 16 bytes at OUT. A
 * fast keyed PRF, not a collision-resistant hash: use it where the key is secret. */
void por_siphash24_128(const uint8_t key[16], const void *data, size_t len, uint8_t out[16]);

/* SipHash-1-3 with 128-bit output: the same function with one compression round per
 * 8-byte block and three finalization rounds per output word instead of two and four
 * (the reference implementation built with cROUNDS=1, dROUNDS=3). It computes the ideal
 * mode's message digests (and, until the 64-bit tag, its signature tags): about 40 %
 * fewer rounds for a 32-byte input (11 instead of 18) and a 57-byte one (14 instead of
 * 24). Its security
 * margin against cryptanalysis is smaller than 2-4's (no attack on it is published; it
 * is the hash-table function of Rust and CPython), and in porsim that margin buys
 * nothing: no modelled adversary computes or guesses tags or digests (the forger signs
 * with stolen or its own registered keys through por_crypto_sign), no output file shows
 * their bytes, and ideal and real mode, whose digests and signatures differ in every
 * byte, give byte-identical outputs. What the model needs from a tag is that the oracle
 * rejects anything por_crypto_sign did not make, which a wrong tag of 128 bits does
 * except with probability 2^-128 per attempt, and nothing attempts. */
void por_siphash13_128(const uint8_t key[16], const void *data, size_t len, uint8_t out[16]);

/* SipHash-1-3 with 64-bit output (the reference's 8-byte output, built with cROUNDS=1,
 * dROUNDS=3), into the 8 bytes at OUT: the ideal signatures' tag. Its second word was
 * three finalization rounds more of every sign and of every check that cannot reuse the
 * tag its key made (about 0.9 % of a simulated day of the year benchmark), and the model
 * needs only that a check rejects what por_crypto_sign did not make: a wrong 64-bit tag
 * passes with probability 2^-64 per attempt, and nothing attempts (see above). */
void por_siphash13_64(const uint8_t key[16], const void *data, size_t len, uint8_t out[8]);

#endif
