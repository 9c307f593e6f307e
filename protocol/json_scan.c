/* See json_scan.h. The grammar is RFC 8259's; the limits are jansson 2.14's (strtoll/strtod
 * overflow is an error there, underflow is not; strings are UTF-8 without raw control
 * characters; surrogate escapes must pair). */
#include "protocol/json_scan.h"

#include <stdbool.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/swar.h"
#include "protocol/utf8.h"

/* Deepest nesting this scanner tracks (codec_json.c allows 64 for a whole message). */
#define STACK_MAX 64
/* int64's digit count; 19-digit integers are compared with its limits. */
#define INT_DIGITS_MAX 19
/* A real below 10^(200 + 99) cannot overflow a double. */
#define REAL_INT_DIGITS_MAX 200
#define REAL_EXP_DIGITS_MAX 2

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int hex4(const uint8_t *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return WD_EDECODE;
	}
	*out = v;
	return 0;
}

/* Flags the bytes of the 8 in x that end a plain run of string text: a quote, a backslash, a
 * control character or a byte of a multi-byte sequence (wd_swar_first finds the first). */
static uint64_t plain_run_ends(uint64_t x)
{
	return wd_swar_has_less(x, 0x20) | wd_swar_has_zero(x ^ (WD_SWAR_ONES * '"')) |
	       wd_swar_has_zero(x ^ (WD_SWAR_ONES * '\\')) | (x & WD_SWAR_HIGHS);
}

/* Returns the position of the first byte from pos that ends a plain run of string text, or
 * len. */
static size_t skip_plain(const uint8_t *in, size_t len, size_t pos)
{
	for (; len - pos >= 8; pos += 8) {
		uint64_t m = plain_run_ends(wd_swar_load(in + pos));
		if (m != 0)
			return pos + wd_swar_first(m);
	}
	while (pos < len && in[pos] >= 0x20 && in[pos] < 0x80 && in[pos] != '"' && in[pos] != '\\')
		pos++;
	return pos;
}

/* Returns the first position from pos that is not an ASCII digit, or len. */
static size_t skip_digits(const uint8_t *in, size_t len, size_t pos)
{
	while (len - pos >= 8 && wd_swar_all_digits(wd_swar_load(in + pos)))
		pos += 8;
	while (pos < len && is_digit(in[pos]))
		pos++;
	return pos;
}

/* Scans a string at in[pos] == '"'. is_key: jansson refuses NUL in object keys. */
static int scan_string(const uint8_t *in, size_t len, size_t pos, bool is_key, size_t *end)
{
	pos++;
	while ((pos = skip_plain(in, len, pos)) < len) {
		uint8_t c = in[pos];
		if (c == '"') {
			*end = pos + 1;
			return 0;
		}
		if (c < 0x20)
			return WD_EDECODE;
		if (c < 0x80 && c != '\\') {
			pos++;
			continue;
		}
		if (c >= 0x80) {
			size_t k = wd_utf8_seq(in + pos, len - pos);
			if (k == 0)
				return WD_EDECODE;
			pos += k;
			continue;
		}
		/* An escape sequence. */
		if (pos + 1 >= len)
			return WD_EDECODE;
		c = in[pos + 1];
		if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
		    c == 'r' || c == 't') {
			pos += 2;
			continue;
		}
		if (c != 'u' || len - pos < 6) {
			return WD_EDECODE;
		} else {
			unsigned u, lo;
			if (hex4(in + pos + 2, &u) < 0)
				return WD_EDECODE;
			pos += 6;
			if (u == 0 && is_key)
				return WD_EDECODE;
			if (u >= 0xdc00 && u <= 0xdfff)
				return WD_EDECODE; /* a low surrogate without a high one */
			if (u >= 0xd800 && u <= 0xdbff) {
				if (len - pos < 6 || in[pos] != '\\' || in[pos + 1] != 'u' ||
				    hex4(in + pos + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return WD_EDECODE;
				pos += 6;
			}
		}
	}
	return WD_EDECODE; /* unterminated */
}

/* Scans a number at in[pos] ('-' or a digit). */
static int scan_number(const uint8_t *in, size_t len, size_t pos, size_t *end)
{
	size_t int_digits = 0, exp_digits = 0, digits;
	bool is_real = false, is_neg = in[pos] == '-';

	if (is_neg)
		pos++;
	digits = pos;
	if (pos >= len || !is_digit(in[pos]))
		return WD_EDECODE;
	if (in[pos] == '0') {
		pos++;
		int_digits = 1;
	} else {
		pos = skip_digits(in, len, pos);
		int_digits = pos - digits;
	}
	if (pos < len && in[pos] == '.') {
		size_t start = ++pos;
		is_real = true;
		pos = skip_digits(in, len, pos);
		if (pos == start)
			return WD_EDECODE;
	}
	if (pos < len && (in[pos] == 'e' || in[pos] == 'E')) {
		is_real = true;
		pos++;
		if (pos < len && (in[pos] == '+' || in[pos] == '-'))
			pos++;
		while (pos < len && is_digit(in[pos])) {
			pos++;
			exp_digits++;
		}
		if (exp_digits == 0 || exp_digits > REAL_EXP_DIGITS_MAX)
			return WD_EDECODE;
	}
	if (is_real ? int_digits > REAL_INT_DIGITS_MAX : int_digits > INT_DIGITS_MAX)
		return WD_EDECODE;
	/* jansson refuses integers beyond int64 ("too big integer"); 19 digits that do not start
	 * with 9 are below it (nanosecond timestamps are 19 digits). */
	if (!is_real && int_digits == INT_DIGITS_MAX && in[digits] == '9' &&
	    memcmp(in + digits, is_neg ? "9223372036854775808" : "9223372036854775807",
		   INT_DIGITS_MAX) > 0)
		return WD_EDECODE;
	*end = pos;
	return 0;
}

static int scan_literal(const uint8_t *in, size_t len, size_t pos, const char *word, size_t *end)
{
	size_t i = 0;
	for (; word[i] != '\0'; i++)
		if (pos + i >= len || in[pos + i] != (uint8_t)word[i])
			return WD_EDECODE;
	*end = pos + i;
	return 0;
}

int wd_json_scan_value(const uint8_t *in, size_t len, size_t pos, int max_depth, size_t *end)
{
	uint8_t stack[STACK_MAX]; /* '[' or '{' per open container */
	int top = 0;

	if (max_depth > STACK_MAX)
		max_depth = STACK_MAX;
	for (;;) {
		/* A value starts at in[pos]. */
		if (pos >= len)
			return WD_EDECODE;
		switch (in[pos]) {
		case '[':
		case '{':
			if (top >= max_depth)
				return WD_EDECODE;
			stack[top++] = in[pos];
			pos = wd_json_skip_ws(in, len, pos + 1);
			if (pos < len && in[pos] == (stack[top - 1] == '[' ? ']' : '}')) {
				pos++;
				top--;
				break; /* an empty container is a whole value */
			}
			if (stack[top - 1] == '[')
				continue; /* its first element */
			goto key;
		case '"':
			if (scan_string(in, len, pos, false, &pos) < 0)
				return WD_EDECODE;
			break;
		case 't':
			if (scan_literal(in, len, pos, "true", &pos) < 0)
				return WD_EDECODE;
			break;
		case 'f':
			if (scan_literal(in, len, pos, "false", &pos) < 0)
				return WD_EDECODE;
			break;
		case 'n':
			if (scan_literal(in, len, pos, "null", &pos) < 0)
				return WD_EDECODE;
			break;
		default:
			if (in[pos] != '-' && !is_digit(in[pos]))
				return WD_EDECODE;
			if (scan_number(in, len, pos, &pos) < 0)
				return WD_EDECODE;
			break;
		}
		/* After a value: close containers or go on to the next element. */
		for (;;) {
			if (top == 0) {
				*end = pos;
				return 0;
			}
			pos = wd_json_skip_ws(in, len, pos);
			if (pos >= len)
				return WD_EDECODE;
			if (in[pos] == (stack[top - 1] == '[' ? ']' : '}')) {
				pos++;
				top--;
				continue;
			}
			if (in[pos] != ',')
				return WD_EDECODE;
			pos = wd_json_skip_ws(in, len, pos + 1);
			if (stack[top - 1] == '[')
				break; /* the next element */
			goto key;
		}
		continue;
key:
		/* An object member: "key" : value */
		if (pos >= len || in[pos] != '"' || scan_string(in, len, pos, true, &pos) < 0)
			return WD_EDECODE;
		pos = wd_json_skip_ws(in, len, pos);
		if (pos >= len || in[pos] != ':')
			return WD_EDECODE;
		pos = wd_json_skip_ws(in, len, pos + 1);
	}
}

int wd_json_scan_plain_string(const uint8_t *in, size_t len, size_t pos, size_t *end)
{
	if (pos >= len || in[pos] != '"')
		return WD_EDECODE;
	for (pos = skip_plain(in, len, pos + 1); pos < len; pos = skip_plain(in, len, pos + 1)) {
		uint8_t c = in[pos];
		if (c == '"') {
			*end = pos + 1;
			return 0;
		}
		if (c < 0x20 || c == '\\')
			return WD_EDECODE;
		if (c >= 0x80) {
			size_t k = wd_utf8_seq(in + pos, len - pos);
			if (k == 0)
				return WD_EDECODE;
			pos += k - 1;
		}
	}
	return WD_EDECODE;
}

int wd_json_scan_uint(const uint8_t *in, size_t len, size_t pos, uint64_t *v, size_t *end)
{
	uint64_t x = 0;
	size_t start = pos;

	if (pos >= len || !is_digit(in[pos]))
		return WD_EDECODE;
	if (in[pos] == '0') {
		pos++;
	} else {
		/* Request IDs are often 16 digits: eight at a time while they last. */
		while (len - pos >= 8 && pos - start <= 8 &&
		       wd_swar_all_digits(wd_swar_load(in + pos))) {
			x = x * 100000000 + wd_swar_digits8(wd_swar_load(in + pos));
			pos += 8;
		}
		while (pos < len && is_digit(in[pos]) && pos - start < 16)
			x = x * 10 + (uint64_t)(in[pos++] - '0');
	}
	if (pos < len && (is_digit(in[pos]) || in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E'))
		return WD_EDECODE;
	*v = x;
	*end = pos;
	return 0;
}
