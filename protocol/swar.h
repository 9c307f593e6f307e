/* Byte tests on 8 bytes at once (SIMD within a register), for scanners whose input is mostly
 * plain ASCII: a block with nothing of interest is skipped in a few instructions instead of
 * eight compares. The formulas are the classic ones (Mycroft; "Bit Twiddling Hacks"). */
#ifndef WD_SWAR_H
#define WD_SWAR_H

#include <stdint.h>
#include <string.h>

#define WD_SWAR_ONES UINT64_C(0x0101010101010101)
#define WD_SWAR_HIGHS UINT64_C(0x8080808080808080)

/* The 8 bytes at p, in memory order within the word (any alignment). */
static inline uint64_t wd_swar_load(const uint8_t *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof(x));
	return x;
}

/* Nonzero if some byte of x is zero. */
static inline uint64_t wd_swar_has_zero(uint64_t x)
{
	return (x - WD_SWAR_ONES) & ~x & WD_SWAR_HIGHS;
}

/* Nonzero if some byte of x is below n (1 <= n <= 128). */
static inline uint64_t wd_swar_has_less(uint64_t x, uint8_t n)
{
	return (x - WD_SWAR_ONES * n) & ~x & WD_SWAR_HIGHS;
}

/* Index (0-7) of the first byte, in memory order, that a nonzero result of the tests above
 * flags. Those results are exact for the first such byte (later ones may be false alarms). */
static inline unsigned wd_swar_first(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(mask) >> 3;
#else
	return (unsigned)__builtin_clzll(mask) >> 3;
#endif
}

/* True if the 8 bytes of x are all ASCII digits. */
static inline int wd_swar_all_digits(uint64_t x)
{
	const uint64_t f0 = WD_SWAR_ONES * 0xf0, d0 = WD_SWAR_ONES * 0x30;
	/* Every byte is 0x30-0x3f, and adding 6 keeps it below 0x40. */
	return (x & f0) == d0 && ((x + WD_SWAR_ONES * 6) & f0) == d0;
}

/* The value of 8 ASCII digits (wd_swar_all_digits), the first in memory the most significant. */
static inline uint32_t wd_swar_digits8(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x &= WD_SWAR_ONES * 0x0f;
	x = (x * 10 + (x >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
	x = (x * 100 + (x >> 16)) & UINT64_C(0x0000ffff0000ffff);
	x = (x * 10000 + (x >> 32)) & UINT64_C(0xffffffff);
	return (uint32_t)x;
#else
	uint32_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v * 10 + (uint32_t)((x >> (8 * i)) & 0x0f);
	return v;
#endif
}

#endif
