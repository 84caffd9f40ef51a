/* Exact amounts: signed 128-bit integers in base units (e.g. wei for an 18-decimal token).
 *
 * Supplies, reserves, mint sizes and feed answers are never floating point inside the
 * model: 18-decimal tokens with trillions of supply exceed 64 bits. Every arithmetic
 * helper detects overflow and reports it instead of wrapping. Doubles appear only when
 * reporting (por_amount_to_double). */
#ifndef POR_AMOUNT_H
#define POR_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 por_amount;
__extension__ typedef unsigned __int128 por_uamount;

#define POR_AMOUNT_MAX ((por_amount)(((por_uamount)1 << 127) - 1))
#define POR_AMOUNT_MIN (-POR_AMOUNT_MAX - 1)
/* Largest decimals a token, feed or custodian may declare. */
#define POR_MAX_DECIMALS 36

/* Overflow-checked arithmetic: return false (and leave *out unspecified) on overflow. */
static inline bool por_amount_add(por_amount a, por_amount b, por_amount *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline bool por_amount_sub(por_amount a, por_amount b, por_amount *out)
{
    return !__builtin_sub_overflow(a, b, out);
}
static inline bool por_amount_mul(por_amount a, por_amount b, por_amount *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* 10^e for 0 <= e <= 38, as an amount (e <= 38 fits in 127 bits). */
por_amount por_amount_pow10(unsigned e);

/* Rescales V from FROM decimals to TO decimals. Scaling down truncates toward zero
 * (as Solidity integer division does). Returns false on overflow. */
bool por_amount_rescale(por_amount v, unsigned from, unsigned to, por_amount *out);

/* Parses a decimal string ("1000000000.00", "-5", "1e6" is NOT accepted) with at most
 * DECIMALS fractional digits into base units (value * 10^DECIMALS). Leading '+'/'-'
 * allowed. Returns 0, or -1 with a static reason in WHY. */
int por_amount_parse(const char *s, unsigned decimals, por_amount *out, const char **why);

/* Formats V (base units with DECIMALS) as a plain decimal string, trailing fractional
 * zeros kept to DECIMALS digits when KEEP_ZEROS, else trimmed. BUF needs 48 bytes. */
char *por_amount_format(por_amount v, unsigned decimals, bool keep_zeros, char *buf, size_t n);

/* V / 10^DECIMALS as a double, for reporting only. */
double por_amount_to_double(por_amount v, unsigned decimals);

/* V * ppb / 1e9 (parts per billion), truncated toward zero; false on overflow. */
bool por_amount_mul_ppb(por_amount v, int64_t ppb, por_amount *out);

#endif
