#include "protocol/utf8.h"

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

bool wd_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
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
