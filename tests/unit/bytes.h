/* Byte-string literals for unit tests of parsers. */
#ifndef WD_TEST_BYTES_H
#define WD_TEST_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* A byte string that may hold NUL: S("a\0b") keeps its length. */
struct text {
	const char *p;
	size_t len;
};
#define S(lit)                                                                                     \
	{                                                                                          \
		lit, sizeof(lit) - 1                                                               \
	}

static inline const uint8_t *u8(const char *p)
{
	return (const uint8_t *)p;
}

#endif
