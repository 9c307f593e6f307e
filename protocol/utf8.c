#include "protocol/utf8.h"

#include <string.h>

#include "protocol/swar.h"

size_t wd_utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t b = p[0];
	size_t len, i;
	uint32_t cp;

	if (b < 0xc2 || b > 0xf4)
		return 0; /* ASCII, a continuation byte, an overlong lead or beyond U+10FFFF */
	len = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = b & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* True if p[0..n) is all ASCII: the bytes are ORed together, the last word overlapping the
 * one before, so a string costs a few loads and one test, with no loop over its tail. */
static bool all_ascii(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			acc |= wd_swar_load(p + i);
		acc |= wd_swar_load(p + n - 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		acc = a | b;
	} else {
		for (size_t i = 0; i < n; i++)
			acc |= p[i];
	}
	return (acc & WD_SWAR_HIGHS) == 0;
}

bool wd_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	if (all_ascii(p, n))
		return true; /* most strings a router sees: URIs, keys, plain text */
	while (i < n) {
		size_t k;
		if (n - i >= 8 && (wd_swar_load(p + i) & WD_SWAR_HIGHS) == 0) {
			i += 8; /* eight ASCII bytes */
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = wd_utf8_seq(p + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}
