/* UTF-8 validity: the all-ASCII shortcut (words ORed together, the last one overlapping) must
 * agree with a byte-by-byte check for every length and every position of a non-ASCII byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/utf8.h"

/* The rule, one sequence at a time: the reference the shortcut is checked against. */
static bool reference_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k;
	while (i < n) {
		if (p[i] < 0x80)
			i++;
		else if ((k = wd_utf8_seq(p + i, n - i)) == 0)
			return false;
		else
			i += k;
	}
	return true;
}

static void ascii_of_every_length_is_valid(void **state)
{
	uint8_t s[64];
	(void)state;
	for (size_t i = 0; i < sizeof(s); i++)
		s[i] = (uint8_t)(i * 7 % 128); /* NUL included: valid */
	for (size_t n = 0; n <= sizeof(s); n++)
		assert_true(wd_utf8_valid(s, n));
}

static void one_bad_byte_anywhere_is_found(void **state)
{
	static const uint8_t bad[] = {0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff};
	uint8_t s[40];
	(void)state;
	for (size_t n = 1; n <= sizeof(s); n++)
		for (size_t at = 0; at < n; at++)
			for (size_t b = 0; b < sizeof(bad); b++) {
				memset(s, 'a', sizeof(s));
				s[at] = bad[b];
				assert_false(wd_utf8_valid(s, n));
			}
}

static void sequences_anywhere_agree_with_the_reference(void **state)
{
	static const char *const seqs[] = {
	        "\xc3\xa9",         /* é */
	        "\xe2\x82\xac",     /* € */
	        "\xf0\x9f\x98\x80", /* U+1F600 */
	        "\xed\xa0\x80",     /* surrogate: invalid */
	        "\xe0\x80\xaf",     /* overlong: invalid */
	        "\xf4\x90\x80\x80", /* above U+10FFFF: invalid */
	};
	uint8_t s[48];
	(void)state;
	for (size_t q = 0; q < sizeof(seqs) / sizeof(seqs[0]); q++) {
		size_t k = strlen(seqs[q]);
		for (size_t n = k; n <= 40; n++)
			for (size_t at = 0; at + k <= n; at++)
				for (size_t cut = 0; cut <= 1; cut++) { /* whole, or its last byte cut */
					size_t len = cut && at + k == n ? n - 1 : n;
					memset(s, 'z', sizeof(s));
					memcpy(s + at, seqs[q], k);
					assert_int_equal(wd_utf8_valid(s, len), reference_valid(s, len));
				}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(ascii_of_every_length_is_valid),
	        cmocka_unit_test(one_bad_byte_anywhere_is_found),
	        cmocka_unit_test(sequences_anywhere_agree_with_the_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
