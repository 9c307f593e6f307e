/* Differential fuzz target for protocol/json_scan.c against jansson. json_scan.h promises
 * that whatever the scanner accepts, jansson accepts (JSON_ALLOW_NUL; JSON_DECODE_ANY here
 * because a scanned value may be a scalar, as it is inside a message), and that it refuses
 * valid text only for the reasons the header lists. Both directions are checked: a refusal
 * of text jansson accepts aborts unless the text could hold one of those reasons. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "protocol/error.h"
#include "protocol/json_scan.h"
#include "protocol/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLAGS (JSON_ALLOW_NUL | JSON_DECODE_ANY)
/* The scanner's own bound (json_scan.c STACK_MAX). */
#define MAX_DEPTH 64

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Container nesting of the JSON text in[0..len) (which jansson accepted): 0 for a scalar, 1
 * for [] or {}. Counted on the text, not on jansson's tree, where a repeated key keeps only
 * its last value and so can hide deeper nesting. */
static int text_depth(const uint8_t *in, size_t len)
{
	bool in_str = false;
	int d = 0, max = 0;

	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (in[i] == '\\')
				i++;
			else if (in[i] == '"')
				in_str = false;
		} else if (in[i] == '"') {
			in_str = true;
		} else if (in[i] == '[' || in[i] == '{') {
			if (++d > max)
				max = d;
		} else if (in[i] == ']' || in[i] == '}') {
			d--;
		}
	}
	return max;
}

/* Parses in[0..len) with jansson; NULL if it refuses. */
static json_t *load(const uint8_t *in, size_t len)
{
	json_error_t err;
	return json_loadb((const char *)in, len, FLAGS, &err);
}

/* True if in[0..len) could hold something the scanner may refuse although jansson accepts
 * it: an exponent of 3+ digits, a run of 200+ digits, the escape \u0000 (refused in keys),
 * or a NUL byte right after a letter or digit. The last one is not JSON, but jansson 2.14
 * drops one NUL that follows a number or a literal ("[1\0]" loads as [1]): it reads one byte
 * past the token, and pushing a NUL back leaves its stream buffer looking empty. Looks at
 * raw bytes, so it also fires inside strings: it only ever skips checks. */
static bool may_hold_documented_refusal(const uint8_t *in, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\0' && i > 0 && (is_digit(in[i - 1]) || is_letter(in[i - 1])))
			return true;
		run = is_digit(in[i]) ? run + 1 : 0;
		if (run >= 200)
			return true;
		if (in[i] == 'e' || in[i] == 'E') {
			size_t j = i + 1, k;
			if (j < len && (in[j] == '+' || in[j] == '-'))
				j++;
			for (k = j; k < len && is_digit(in[k]); k++)
				;
			if (k - j >= 3)
				return true;
		}
		if (in[i] == '\\' && len - i >= 6 && memcmp(in + i + 1, "u0000", 5) == 0)
			return true;
	}
	return false;
}

static void check_value(const uint8_t *data, size_t size)
{
	size_t start = wd_json_skip_ws(data, size, 0), end = 0, end2 = 0;
	int rc = wd_json_scan_value(data, size, start, MAX_DEPTH, &end);
	json_t *whole = NULL, *span;
	int d;

	/* wd_json_skip_ws: everything before start is whitespace, data[start] is not. */
	if (start > size)
		abort();
	for (size_t i = 0; i < start; i++)
		if (!is_ws(data[i]))
			abort();
	if (start < size && is_ws(data[start]))
		abort();

	if (rc != 0 && rc != WD_EDECODE)
		abort();
	if (rc == 0) {
		if (end <= start || end > size)
			abort();
		/* The scanned span on its own is one JSON value for jansson. */
		if ((span = load(data + start, end - start)) == NULL)
			abort();
		if ((d = text_depth(data + start, end - start)) > MAX_DEPTH)
			abort();
		/* The harness contract: accepted and only whitespace after it => jansson
		 * accepts the whole input. */
		if (wd_json_skip_ws(data, size, end) == size) {
			if ((whole = load(data, size)) == NULL || !json_equal(whole, span))
				abort();
			json_decref(whole);
		} else if ((whole = load(data, size)) != NULL) {
			/* Something other than whitespace follows the value, yet jansson reads
			 * the whole input as one value: the scanner stopped too early. */
			if (!may_hold_documented_refusal(data, size))
				abort();
			json_decref(whole);
		}
		/* The depth bound is exact: the value's own depth passes, one less fails. */
		if (wd_json_scan_value(data, size, start, d, &end2) != 0 || end2 != end)
			abort();
		if (d > 0 && wd_json_scan_value(data, size, start, d - 1, &end2) != WD_EDECODE)
			abort();
		json_decref(span);
		return;
	}
	/* Refused: jansson must refuse too, unless the text is too deep or holds one of the
	 * documented refusals. */
	if ((whole = load(data, size)) != NULL) {
		if (text_depth(data, size) <= MAX_DEPTH && !may_hold_documented_refusal(data, size))
			abort();
		json_decref(whole);
	}
}

static void check_plain_string(const uint8_t *data, size_t size)
{
	size_t start = wd_json_skip_ws(data, size, 0), end = 0, vend = 0;
	int rc = wd_json_scan_plain_string(data, size, start, &end);
	bool plain_by_value = false;
	json_t *v;

	if (rc != 0 && rc != WD_EDECODE)
		abort();
	/* What the general scanner says about the same position. */
	if (start < size && data[start] == '"' &&
	    wd_json_scan_value(data, size, start, MAX_DEPTH, &vend) == 0)
		plain_by_value = memchr(data + start, '\\', vend - start) == NULL;
	if (rc != 0) {
		/* A string without escapes that the scanner accepts is plain. */
		if (plain_by_value)
			abort();
		return;
	}
	if (end < start + 2 || end > size || data[start] != '"' || data[end - 1] != '"')
		abort();
	if (!plain_by_value || vend != end)
		abort();
	/* The text between the quotes is the string's value, byte for byte. */
	if (memchr(data + start + 1, '"', end - start - 2) != NULL ||
	    memchr(data + start + 1, '\\', end - start - 2) != NULL ||
	    !wd_utf8_valid(data + start + 1, end - start - 2))
		abort();
	if ((v = load(data + start, end - start)) == NULL || !json_is_string(v) ||
	    json_string_length(v) != end - start - 2 ||
	    memcmp(json_string_value(v), data + start + 1, end - start - 2) != 0)
		abort();
	json_decref(v);
}

static void check_uint(const uint8_t *data, size_t size)
{
	size_t start = wd_json_skip_ws(data, size, 0), end = 0, vend = 0, n;
	uint64_t u = 0;
	int rc = wd_json_scan_uint(data, size, start, &u, &end);
	bool is_uint_by_value = false;
	json_t *v;

	if (rc != 0 && rc != WD_EDECODE)
		abort();
	/* A number the general scanner accepts that is all digits, at most 16 of them. */
	if (start < size && is_digit(data[start]) &&
	    wd_json_scan_value(data, size, start, MAX_DEPTH, &vend) == 0) {
		is_uint_by_value = vend - start <= 16;
		for (size_t i = start; i < vend; i++)
			if (!is_digit(data[i]))
				is_uint_by_value = false;
		/* "01": the scanner reads the value 0, scan_uint refuses a leading zero. */
		if (vend < size && (is_digit(data[vend]) || data[vend] == '.' ||
		                    data[vend] == 'e' || data[vend] == 'E'))
			is_uint_by_value = false;
	}
	if (rc != 0) {
		if (is_uint_by_value)
			abort();
		return;
	}
	n = end - start;
	if (n < 1 || n > 16 || end > size || !is_uint_by_value || vend != end)
		abort();
	if (n > 1 && data[start] == '0')
		abort();
	if (end < size &&
	    (is_digit(data[end]) || data[end] == '.' || data[end] == 'e' || data[end] == 'E'))
		abort();
	if ((v = load(data + start, n)) == NULL || !json_is_integer(v) ||
	    (uint64_t)json_integer_value(v) != u)
		abort();
	json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_value(data, size);
	check_plain_string(data, size);
	check_uint(data, size);
	return 0;
}
