/* Unit tests for protocol/utf8.c and protocol/json_scan.c. The scanner's contract is "whatever
 * it accepts, jansson accepts", so every accepted case is also fed to jansson, and every case
 * the scanner must refuse as invalid JSON is checked to be refused by jansson too; the few
 * valid texts the scanner refuses on purpose (json_scan.h) have a table of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "protocol/error.h"
#include "tests/unit/bytes.h"
#include "protocol/json_scan.h"
#include "protocol/utf8.h"

/* jansson as codec_json.c calls it, plus JSON_DECODE_ANY so scalars count as values. */
#define JANSSON_FLAGS (JSON_ALLOW_NUL | JSON_DECODE_ANY)

/* Returns true if jansson parses p[0..len) as exactly one JSON value. */
static bool jansson_accepts(const char *p, size_t len)
{
	json_error_t err;
	json_t *v = json_loadb(p, len, JANSSON_FLAGS, &err);
	json_decref(v);
	return v != NULL;
}

/* Returns true if the scanner (at position 0) accepts the whole of p[0..len). */
static bool scans_whole(const char *p, size_t len, int max_depth)
{
	size_t end = SIZE_MAX;
	if (wd_json_scan_value(u8(p), len, 0, max_depth, &end) != 0)
		return false;
	if (end == 0 || end > len)
		fail_msg("scan of %.*s: end %zu out of range", (int)len, p, end);
	return end == len;
}

/* The scanner and jansson both accept p[0..len). */
static void assert_accepted(const char *p, size_t len, int max_depth)
{
	if (!scans_whole(p, len, max_depth))
		fail_msg("scanner refused %.*s (max_depth %d)", (int)len, p, max_depth);
	if (!jansson_accepts(p, len))
		fail_msg("scanner accepted %.*s, jansson refuses it", (int)len, p);
}

/* The scanner returns WD_EDECODE for p[0..len), and jansson refuses it too. */
static void assert_refused(const char *p, size_t len)
{
	size_t end = SIZE_MAX;
	int rc = wd_json_scan_value(u8(p), len, 0, 64, &end);
	if (rc != WD_EDECODE)
		fail_msg("scanner returned %d (end %zu) for %.*s, want WD_EDECODE", rc, end,
		         (int)len, p);
	if (jansson_accepts(p, len))
		fail_msg("%.*s: jansson accepts it, so the test case is wrong", (int)len, p);
}

/* Returns depth nested containers around 1: "[[1]]" or {"a":{"a":1}}. */
static char *nested(int depth, bool is_object)
{
	char *s = malloc((size_t)depth * 6 + 2), *w = s;
	if (s == NULL)
		abort();
	for (int i = 0; i < depth; i++)
		w += is_object ? sprintf(w, "{\"a\":") : sprintf(w, "[");
	*w++ = '1';
	for (int i = 0; i < depth; i++)
		*w++ = is_object ? '}' : ']';
	*w = '\0';
	return s;
}

/* ---- UTF-8 ---- */

static void utf8_seq_accepts_valid_multibyte_forms(void **state)
{
	static const struct {
		struct text t;
		size_t want;
	} cases[] = {
	        {S("\xc2\x80"), 2},             /* U+0080, smallest 2-byte */
	        {S("\xc3\xa9"), 2},             /* é */
	        {S("\xdf\xbf"), 2},             /* U+07FF */
	        {S("\xe0\xa0\x80"), 3},         /* U+0800, smallest 3-byte */
	        {S("\xe2\x82\xac"), 3},         /* € */
	        {S("\xed\x9f\xbf"), 3},         /* U+D7FF, just below the surrogates */
	        {S("\xee\x80\x80"), 3},         /* U+E000, just above them */
	        {S("\xef\xbf\xbf"), 3},         /* U+FFFF */
	        {S("\xf0\x90\x80\x80"), 4},     /* U+10000, smallest 4-byte */
	        {S("\xf0\x9f\x98\x80"), 4},     /* 😀 */
	        {S("\xf4\x8f\xbf\xbf"), 4},     /* U+10FFFF, the last code point */
	        {S("\xc3\xa9xyz"), 2},          /* bytes after the sequence are not read */
	        {S("\xf0\x9f\x98\x80\xff"), 4}, /* even invalid ones */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = wd_utf8_seq(u8(cases[i].t.p), cases[i].t.len);
		if (got != cases[i].want)
			fail_msg("case %zu: wd_utf8_seq = %zu, want %zu", i, got, cases[i].want);
		assert_true(wd_utf8_valid(u8(cases[i].t.p), cases[i].want));
	}
}

static void utf8_seq_refuses_ascii_overlong_surrogates_and_beyond_10ffff(void **state)
{
	static const struct text cases[] = {
	        /* ASCII is not a multi-byte start. */
	        S("a"),
	        S("\x7f"),
	        S("\0"),
	        /* Continuation bytes. */
	        S("\x80"),
	        S("\xbf"),
	        S("\x80\x80"),
	        /* Overlong 2-byte. */
	        S("\xc0\x80"),
	        S("\xc0\xaf"),
	        S("\xc1\xbf"),
	        /* Overlong 3-byte. */
	        S("\xe0\x80\x80"),
	        S("\xe0\x9f\xbf"),
	        /* Overlong 4-byte. */
	        S("\xf0\x80\x80\x80"),
	        S("\xf0\x8f\xbf\xbf"),
	        /* High surrogates. */
	        S("\xed\xa0\x80"),
	        S("\xed\xaf\xbf"),
	        /* Low surrogates. */
	        S("\xed\xb0\x80"),
	        S("\xed\xbf\xbf"),
	        /* U+110000 and beyond. */
	        S("\xf4\x90\x80\x80"),
	        S("\xf4\xbf\xbf\xbf"),
	        /* Leads beyond F4, 5- and 6-byte forms. */
	        S("\xf5\x80\x80\x80"),
	        S("\xf7\xbf\xbf\xbf"),
	        S("\xf8\x88\x80\x80\x80"),
	        S("\xfc\x84\x80\x80\x80\x80"),
	        S("\xfe"),
	        S("\xff"),
	        /* A bad trail byte. */
	        S("\xc2\x41"),
	        S("\xc2\xc0"),
	        S("\xe0\xa0\x41"),
	        S("\xf0\x90\x80\x7f"),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (wd_utf8_seq(u8(cases[i].p), cases[i].len) != 0)
			fail_msg("case %zu: wd_utf8_seq accepted it", i);
		if (cases[i].p[0] & 0x80 && wd_utf8_valid(u8(cases[i].p), cases[i].len))
			fail_msg("case %zu: wd_utf8_valid accepted it", i);
	}
}

static void utf8_seq_refuses_truncated_sequences(void **state)
{
	static const struct text cases[] = {
	        S("\xc2\x80"),
	        S("\xe2\x82\xac"),
	        S("\xf0\x9f\x98\x80"),
	        S("\xf4\x8f\xbf\xbf"),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Every proper prefix is truncated, although the bytes after it are in memory. */
		for (size_t n = 1; n < cases[i].len; n++) {
			if (wd_utf8_seq(u8(cases[i].p), n) != 0)
				fail_msg("case %zu cut to %zu bytes: accepted", i, n);
			if (wd_utf8_valid(u8(cases[i].p), n))
				fail_msg("case %zu cut to %zu bytes: valid", i, n);
		}
	}
}

static void utf8_valid_accepts_mixed_text_with_nul(void **state)
{
	static const struct text good[] = {
	        S(""),
	        S("abc"),
	        S("a\0b"),
	        S("\0"),
	        S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80."),
	        S("\xf4\x8f\xbf\xbf\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80"),
	};
	static const struct text bad[] = {
	        S("abc\xff"),
	        S("\xc3\xa9\xc3"),
	        S("ab\xed\xa0\x80"
	          "cd"),
	        S("a\xc0\x80"),
	        S("\xe2\x82\xac\x80"),
	        S("ok\xf4\x90\x80\x80"),
	        S("x\xf0\x9f\x98"),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!wd_utf8_valid(u8(good[i].p), good[i].len))
			fail_msg("good case %zu refused", i);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wd_utf8_valid(u8(bad[i].p), bad[i].len))
			fail_msg("bad case %zu accepted", i);
}

/* Every lead byte with trail bytes from the boundary values, at every length 1..4: the verdict
 * must be jansson's (json_stringn checks UTF-8 the way its parser does). */
static void utf8_valid_agrees_with_jansson_on_boundaries(void **state)
{
	static const uint8_t trails[] = {0x00, 0x41, 0x7f, 0x80, 0x81, 0x8f, 0x90,
	                                 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff};
	const size_t nt = sizeof(trails);
	size_t checked = 0;
	(void)state;
	for (unsigned lead = 0x80; lead <= 0xff; lead++) {
		for (size_t a = 0; a < nt; a++) {
			for (size_t b = 0; b < nt; b++) {
				for (size_t c = 0; c < nt; c++) {
					uint8_t s[4] = {(uint8_t)lead, trails[a], trails[b],
					                trails[c]};
					for (size_t n = 1; n <= 4; n++) {
						json_t *j = json_stringn((const char *)s, n);
						bool want = j != NULL;
						json_decref(j);
						if (wd_utf8_valid(s, n) != want)
							fail_msg("%02x %02x %02x %02x (n=%zu): "
							         "jansson says %d",
							         s[0], s[1], s[2], s[3], n, want);
						checked++;
					}
				}
			}
		}
	}
	print_message("# %zu byte strings agree with jansson\n", checked);
}

/* ---- wd_json_skip_ws ---- */

static void skip_ws_skips_exactly_json_whitespace(void **state)
{
	static const char text[] = " \t\r\n x";
	(void)state;
	assert_int_equal(wd_json_skip_ws(u8(text), 6, 0), 5);
	assert_int_equal(wd_json_skip_ws(u8(text), 6, 5), 5);
	assert_int_equal(wd_json_skip_ws(u8(text), 4, 0), 4); /* stops at len */
	assert_int_equal(wd_json_skip_ws(u8(text), 6, 6), 6);
	assert_int_equal(wd_json_skip_ws(u8("\f"), 1, 0), 0); /* not JSON whitespace */
	assert_int_equal(wd_json_skip_ws(u8("\v"), 1, 0), 0);
	assert_int_equal(wd_json_skip_ws(u8("\0 "), 2, 0), 0);
	assert_int_equal(wd_json_skip_ws(u8("\xc2\xa0"), 2, 0), 0); /* no-break space */
}

/* ---- wd_json_scan_value ---- */

static const struct text valid_values[] = {
        /* Every kind of value. */
        S("null"),
        S("true"),
        S("false"),
        S("0"),
        S("-0"),
        S("7"),
        S("-7"),
        S("123456789"),
        S("0.5"),
        S("-0.5"),
        S("1.25e3"),
        S("1E3"),
        S("1e+3"),
        S("1e-3"),
        S("1E-07"),
        S("0e0"),
        S("-0.0E+0"),
        S("3.141592653589793"),
        S("\"\""),
        S("\"abc\""),
        S("[]"),
        S("{}"),
        S("[1]"),
        S("[1,2,3]"),
        S("{\"a\":1}"),
        S("{\"a\":1,\"b\":[true,false,null]}"),
        S("[[],{},[[]],{\"\":{}}]"),
        S("[\"\",0,-0,{\"k\":\"v\"},1.5,null]"),
        S("{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}"),
        S("{\"a\":1,\"a\":2}"),
        /* Whitespace wherever the grammar allows it. */
        S("[ ]"),
        S("{ }"),
        S("[ 1 ]"),
        S("[\t1,\n2\r,\r\n3 ]"),
        S("{ \"a\" : 1 , \"b\" : [ ] }"),
        S("{\n\t\"a\"\n:\n1\n}"),
        S("[ { } , [ ] , \"x\" , true , null ]"),
        /* Every escape. */
        S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
        S("\"\\u0041\\u00e9\\u20AC\\uFFFF\\uabcd\\uAbCd\""),
        S("\"a\\nb\""),
        S("{\"k\\n\\u0041\":\"\\t\"}"),
        /* Surrogate pairs. */
        S("\"\\ud83d\\ude00\""),
        S("\"\\uD800\\uDC00\""),
        S("\"\\uDBFF\\uDFFF\""),
        S("\"x\\ud83d\\ude00y\\ud83d\\ude01\""),
        S("{\"\\ud83d\\ude00\":1}"),
        /* NUL in values. */
        S("\"\\u0000\""),
        S("[\"a\\u0000b\"]"),
        S("{\"a\":\"\\u0000\"}"),
        S("{\"\\u0001\":1}"),
        S("\"\\u0000AQID\""),
        /* Raw UTF-8 and DEL (not a control character). */
        S("\"\x7f\""),
        S("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""),
        S("\"\xf4\x8f\xbf\xbf\""),
        S("\"\xed\x9f\xbf\xee\x80\x80\""),
        S("{\"\xc3\xa9\":\"\xc3\xa9\"}"),
        /* int64 limits. */
        S("9223372036854775807"),
        S("-9223372036854775808"),
        S("-9223372036854775807"),
        S("1000000000000000000"),
        S("999999999999999999"),
        S("-999999999999999999"),
        S("[9223372036854775807,-9223372036854775808]"),
        S("{\"m\":-9223372036854775808}"),
        /* Reals are not bounded by int64. */
        S("9223372036854775808.0"),
        S("9223372036854775808e0"),
        S("-9223372036854775809.5"),
        S("99999999999999999999.5"),
        S("1e99"),
        S("1e-99"),
        S("-1E+99"),
        S("1.5e-30"),
        S("0.000000000000000000000000000000000000000000000000000000000000001"),
};

static void scan_accepts_valid_values_jansson_agrees(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_values) / sizeof(valid_values[0]); i++)
		assert_accepted(valid_values[i].p, valid_values[i].len, 64);
}

/* Invalid JSON: the scanner must say WD_EDECODE (jansson's verdict is checked as well). */
static const struct text invalid_values[] = {
        S(""),
        S("nul"),
        S("tru"),
        S("fals"),
        S("True"),
        S("NULL"),
        S("nan"),
        S("NaN"),
        S("Infinity"),
        S("-Infinity"),
        S("undefined"),
        S("'a'"),
        S(","),
        S(":"),
        /* Structure. */
        S("["),
        S("]"),
        S("{"),
        S("}"),
        S("[1"),
        S("[1,"),
        S("[1,]"),
        S("[,1]"),
        S("[,]"),
        S("[1 2]"),
        S("[1}"),
        S("{\"a\":1]"),
        S("{\"a\"}"),
        S("{\"a\":}"),
        S("{\"a\" 1}"),
        S("{1:2}"),
        S("{a:1}"),
        S("{\"a\":1,}"),
        S("{,}"),
        S("{\"a\"::1}"),
        S("{\"a\",1}"),
        S("[[]"),
        S("[{]"),
        S("{\"a\":[}"),
        S("[\"a\":1]"),
        /* Garbage after a value inside a container. */
        S("{\"a\":1 \"b\":2}"),
        S("[true false]"),
        S("[nullx]"),
        S("[truex]"),
        S("[falsey]"),
        S("[1.5.5]"),
        S("[\"a\"\"b\"]"),
        S("[{}{}]"),
        S("[[]1]"),
        S("[1x]"),
        S("[0x10]"),
        S("[1 ,2 3]"),
        S("{\"a\":{}x}"),
        S("[\"a\" b]"),
        S("[[1]x]"),
        S("{\"b\":{\"a\":1}]}"),
        /* Numbers. */
        S("-"),
        S("--1"),
        S("+1"),
        S(".5"),
        S("1."),
        S("1.e5"),
        S("-.5"),
        S("1e"),
        S("1e+"),
        S("1E-"),
        S("1ee5"),
        S("[1e5.5]"),
        S("[01]"),
        S("[-01]"),
        S("[00]"),
        S("[1.]"),
        S("[.5]"),
        S("[1e]"),
        S("[-]"),
        S("[- 1]"),
        S("[1e+]"),
        S("[0.e1]"),
        S("9223372036854775808"),
        S("-9223372036854775809"),
        S("9999999999999999999"),
        S("-9999999999999999999"),
        S("10000000000000000000"),
        S("12345678901234567890"),
        S("[9223372036854775808]"),
        S("[-9223372036854775809]"),
        S("{\"a\":9223372036854775808}"),
        /* Strings: termination and escapes. */
        S("\"abc"),
        S("\""),
        S("\"\\"),
        S("\"\\\""),
        S("\"\\x\""),
        S("\"\\U0041\""),
        S("\"\\u004\""),
        S("\"\\u00G1\""),
        S("\"\\u\""),
        S("\"\\a\""),
        S("\"\\'\""),
        S("\"\\0\""),
        S("\"\\ \""),
        S("\"\\u12"),
        S("[\"a]"),
        S("{\"a:1}"),
        /* Surrogate escapes that do not pair. */
        S("\"\\ud83d\""),
        S("\"\\ud83dx\""),
        S("\"\\ude00\""),
        S("\"\\udfff\""),
        S("\"\\udc00\\ud800\""),
        S("\"\\ud83d\\u0041\""),
        S("\"\\ud83d\\ud83d\""),
        S("\"\\ud83d\\n\""),
        S("\"\\ud83d\\ude0\""),
        S("\"\\ud83d\\\""),
        S("\"\\ud83d\\ude0g\""),
        S("\"\\ud83d\\\\ude00\""),
        S("{\"\\ud800\":1}"),
        /* Invalid UTF-8 in strings and keys. */
        S("\"\xc0\x80\""),
        S("\"\xc1\xbf\""),
        S("\"\xe0\x80\x80\""),
        S("\"\xed\xa0\x80\""),
        S("\"\xed\xbf\xbf\""),
        S("\"\xf4\x90\x80\x80\""),
        S("\"\xf5\x80\x80\x80\""),
        S("\"\xff\""),
        S("\"\x80\""),
        S("\"\xc3\""),
        S("\"\xe2\x82\""),
        S("\"\xc3"),
        S("\"\xf0\x9f\x98\""),
        S("{\"\xc3\xa9\xff\":1}"),
        S("[\"\xc3\xa9\", \"\xfe\"]"),
        /* Raw NUL and bytes outside strings. */
        S("[1,\0 2]"),
        S("[\0]"),
        S("\"\0\""),
        S("{\"a\0\":1}"),
        S("\xc3\xa9"),
        S("[\xc2\xa0 1]"),
        S("[\f1]"),
        S("[\v1]"),
        /* NUL in keys: jansson refuses it as well. */
        S("{\"\\u0000\":1}"),
        S("{\"a\\u0000\":1}"),
        S("{\"a\":{\"\\u0000b\":1}}"),
};

static void scan_refuses_invalid_values_jansson_agrees(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid_values) / sizeof(invalid_values[0]); i++)
		assert_refused(invalid_values[i].p, invalid_values[i].len);
}

static void scan_refuses_control_characters_in_strings_and_keys(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 0x20; c++) {
		char value[] = "[\"a?b\"]", key[] = "{\"a?\":1}";
		value[3] = (char)c;
		key[3] = (char)c;
		assert_refused(value, sizeof(value) - 1);
		assert_refused(key, sizeof(key) - 1);
	}
	/* Escaped, every one of them is fine. */
	for (unsigned c = 1; c < 0x20; c++) {
		char value[16], key[24];
		snprintf(value, sizeof(value), "\"\\u%04x\"", c);
		snprintf(key, sizeof(key), "{\"\\u%04X\":1}", c);
		assert_accepted(value, strlen(value), 64);
		assert_accepted(key, strlen(key), 64);
	}
}

/* Valid JSON the scanner refuses on purpose (json_scan.h): callers fall back to jansson. */
static void scan_refuses_documented_valid_exceptions(void **state)
{
	static const struct text cases[] = {
	        S("1e100"),
	        S("1e-100"),
	        S("1E+308"),
	        S("1e099"),
	        S("[1.5e-300]"),
	        /* jansson refuses this one too (see invalid_values), unlike the others. */
	        S("{\"\\u0000\":1}"),
	};
	char big[260];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (scans_whole(cases[i].p, cases[i].len, 64))
			fail_msg("case %zu %s accepted", i, cases[i].p);
	}
	for (size_t i = 0; i < 5; i++)
		assert_true(jansson_accepts(cases[i].p, cases[i].len));
	/* 200 integer digits in a real are fine, 201 are not. */
	memset(big, '9', 200);
	memcpy(big + 200, ".5e99", 6);
	assert_accepted(big, strlen(big), 64);
	memset(big, '1', 201);
	memcpy(big + 201, ".5", 3);
	assert_false(scans_whole(big, strlen(big), 64));
	assert_true(jansson_accepts(big, strlen(big)));
}

/* Text after a whole value is not the scanner's business: it stops there. */
static void scan_stops_after_the_value(void **state)
{
	static const struct {
		struct text t;
		size_t pos, end;
	} cases[] = {
	        {S("01"), 0, 1},        {S("-01"), 0, 2},         {S("1 "), 0, 1},
	        {S("true,"), 0, 4},     {S("[1]]"), 0, 3},        {S("[1] x"), 0, 3},
	        {S("\"a\"b"), 0, 3},    {S("nullx"), 0, 4},       {S("1.5.5"), 0, 3},
	        {S("{}}"), 0, 2},       {S("1x"), 0, 1},          {S("0x10"), 0, 1},
	        {S("-0-"), 0, 2},       {S("xx[1]yy"), 2, 5},     {S("[1,{\"a\":2}]"), 3, 10},
	        {S("[16,1,{}]"), 1, 3}, {S("\"a\\\"b\" "), 0, 6}, {S("1e5e"), 0, 3},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t end = SIZE_MAX;
		const char *p = cases[i].t.p;
		int rc = wd_json_scan_value(u8(p), cases[i].t.len, cases[i].pos, 64, &end);
		if (rc != 0 || end != cases[i].end)
			fail_msg("%s at %zu: rc %d end %zu, want end %zu", p, cases[i].pos, rc, end,
			         cases[i].end);
		if (!jansson_accepts(p + cases[i].pos, end - cases[i].pos))
			fail_msg("%s: jansson refuses the scanned span", p);
	}
	/* The value must start at pos: whitespace before it is the caller's to skip. */
	assert_int_equal(wd_json_scan_value(u8(" 1"), 2, 0, 64, &(size_t){0}), WD_EDECODE);
	assert_int_equal(wd_json_scan_value(u8("\t[]"), 3, 0, 64, &(size_t){0}), WD_EDECODE);
	assert_int_equal(wd_json_scan_value(u8("[1]"), 3, 3, 64, &(size_t){0}), WD_EDECODE);
	assert_int_equal(wd_json_scan_value(u8("[1]"), 3, 9, 64, &(size_t){0}), WD_EDECODE);
	assert_int_equal(wd_json_scan_value(u8("[1]"), 2, 0, 64, &(size_t){0}), WD_EDECODE);
}

static void scan_int64_boundaries(void **state)
{
	(void)state;
	assert_accepted("9223372036854775807", 19, 64);
	assert_refused("9223372036854775808", 19);
	assert_accepted("-9223372036854775808", 20, 64);
	assert_refused("-9223372036854775809", 20);
	assert_refused("9223372036854775810", 19);
	assert_refused("-9223372036854775810", 20);
	assert_accepted("9223372036854775806", 19, 64);
	assert_accepted("1223372036854775809", 19, 64); /* 19 digits, below the limit */
	assert_refused("[1,9223372036854775808]", 23);
}

static void scan_nesting_is_bounded_by_max_depth(void **state)
{
	char *a64 = nested(64, false), *a65 = nested(65, false);
	char *o64 = nested(64, true), *o65 = nested(65, true);
	char *a3 = nested(3, false), *a4 = nested(4, false);
	(void)state;
	assert_accepted(a64, strlen(a64), 64);
	assert_accepted(o64, strlen(o64), 64);
	assert_false(scans_whole(a65, strlen(a65), 64));
	assert_false(scans_whole(o65, strlen(o65), 64));
	/* 64 is the most the scanner tracks, whatever the caller asks. */
	assert_false(scans_whole(a65, strlen(a65), 1000));
	assert_accepted(a64, strlen(a64), 1000);
	assert_accepted(a3, strlen(a3), 3);
	assert_false(scans_whole(a4, strlen(a4), 3));
	assert_false(scans_whole(a3, strlen(a3), 2));
	assert_false(scans_whole(o64, strlen(o64), 63));
	/* Scalars have depth 0, containers 1; siblings do not add up. */
	assert_accepted("1", 1, 0);
	assert_accepted("\"[[\"", 4, 0);
	assert_false(scans_whole("[]", 2, 0));
	assert_false(scans_whole("{}", 2, 0));
	assert_accepted("[1,2]", 5, 1);
	assert_accepted("{\"a\":1}", 7, 1);
	assert_false(scans_whole("[[]]", 4, 1));
	assert_false(scans_whole("{\"a\":[]}", 8, 1));
	assert_accepted("[[[]],[[]],{\"a\":[]}]", 20, 3);
	assert_accepted("[[1],[2],[3],[4],[5],[6]]", 25, 2);
	/* Mixed arrays and objects, 64 deep. */
	{
		char s[64 * 6 + 2], *w = s;
		for (int i = 0; i < 32; i++)
			w += sprintf(w, "{\"a\":[");
		*w++ = '0';
		for (int i = 0; i < 32; i++)
			w += sprintf(w, "]}");
		assert_accepted(s, strlen(s), 64);
		assert_false(scans_whole(s, strlen(s), 63));
	}
	free(a64);
	free(a65);
	free(o64);
	free(o65);
	free(a3);
	free(a4);
}

/* ---- wd_json_scan_plain_string ---- */

static void plain_string_accepts_text_without_escapes(void **state)
{
	static const struct text cases[] = {
	        S("\"\""),
	        S("\"abc\""),
	        S("\"com.example.topic\""),
	        S("\"\x7f\""),
	        S("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
	        S("\"\xf4\x8f\xbf\xbf\""),
	        S("\"a/b'c\""),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = cases[i].p;
		size_t len = cases[i].len, end = SIZE_MAX;
		json_error_t err;
		json_t *v;

		if (wd_json_scan_plain_string(u8(p), len, 0, &end) != 0 || end != len)
			fail_msg("%s refused (end %zu)", p, end);
		/* jansson reads the same bytes out of it. */
		v = json_loadb(p, len, JANSSON_FLAGS, &err);
		assert_true(json_is_string(v));
		assert_int_equal(json_string_length(v), len - 2);
		assert_memory_equal(json_string_value(v), p + 1, len - 2);
		json_decref(v);
	}
}

static void plain_string_stops_at_the_closing_quote(void **state)
{
	size_t end = 0;
	(void)state;
	assert_int_equal(wd_json_scan_plain_string(u8("x\"ab\"y"), 6, 1, &end), 0);
	assert_int_equal(end, 5);
	assert_int_equal(wd_json_scan_plain_string(u8("\"a\",\"b\""), 7, 0, &end), 0);
	assert_int_equal(end, 3);
	assert_int_equal(wd_json_scan_plain_string(u8("\"a\""), 3, 3, &end), WD_EDECODE);
	assert_int_equal(wd_json_scan_plain_string(u8("\"a\""), 3, 7, &end), WD_EDECODE);
}

static void plain_string_refuses_escapes_controls_and_bad_utf8(void **state)
{
	static const struct text cases[] = {
	        S(""),
	        S("abc"),
	        S("'a'"),
	        S(" \"a\""),
	        S("\""),
	        S("\"abc"),
	        S("\"a\\nb\""),
	        S("\"\\\"\""),
	        S("\"\\u0041\""),
	        S("\"a\\/b\""),
	        S("\"\\"),
	        S("\"a\tb\""),
	        S("\"a\nb\""),
	        S("\"\0\""),
	        S("\"\x1f\""),
	        S("\"\xff\""),
	        S("\"\xc0\x80\""),
	        S("\"\xed\xa0\x80\""),
	        S("\"\xf4\x90\x80\x80\""),
	        S("\"\xc3\""),
	        S("\"\xe2\x82"),
	        S("\"\x80\""),
	        S("\"ok\xf0\x9f\x98\""),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t end = SIZE_MAX;
		if (wd_json_scan_plain_string(u8(cases[i].p), cases[i].len, 0, &end) != WD_EDECODE)
			fail_msg("case %zu %s accepted (end %zu)", i, cases[i].p, end);
	}
}

/* ---- wd_json_scan_uint ---- */

static void scan_uint_reads_up_to_16_digits(void **state)
{
	static const struct {
		const char *text;
		size_t pos;
		uint64_t v;
		size_t end;
	} cases[] = {
	        {"0", 0, 0, 1},
	        {"7", 0, 7, 1},
	        {"16", 0, 16, 2},
	        {"[16,1", 1, 16, 3},
	        {"12,", 0, 12, 2},
	        {"12]", 0, 12, 2},
	        {"12 ", 0, 12, 2},
	        {"12x", 0, 12, 2}, /* what follows is the caller's to check */
	        {"0,", 0, 0, 1},
	        {"0]", 0, 0, 1},
	        {"9007199254740992", 0, UINT64_C(9007199254740992), 16},
	        {"9999999999999999", 0, UINT64_C(9999999999999999), 16},
	        {"1000000000000000", 0, UINT64_C(1000000000000000), 16},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = UINT64_MAX;
		size_t end = SIZE_MAX;
		int rc = wd_json_scan_uint(u8(cases[i].text), strlen(cases[i].text), cases[i].pos,
		                           &v, &end);
		if (rc != 0 || v != cases[i].v || end != cases[i].end)
			fail_msg("%s: rc %d v %llu end %zu", cases[i].text, rc,
			         (unsigned long long)v, end);
	}
}

static void scan_uint_refuses_long_signed_leading_zero_and_real(void **state)
{
	static const char *const cases[] = {
	        "",
	        "a",
	        "-1",
	        "+1",
	        " 1",
	        "01",
	        "00",
	        "007",
	        "1.0",
	        "0.5",
	        "1e3",
	        "1E3",
	        "0e1",
	        "1.",
	        "12.5",
	        "9e0",
	        ".5",
	        "-0",
	        "\"1\"",
	        "10000000000000000",
	        "99999999999999999",
	        "9223372036854775807",
	        "18446744073709551616",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v;
		size_t end;
		if (wd_json_scan_uint(u8(cases[i]), strlen(cases[i]), 0, &v, &end) != WD_EDECODE)
			fail_msg("%s accepted", cases[i]);
	}
	assert_int_equal(wd_json_scan_uint(u8("1"), 1, 1, &(uint64_t){0}, &(size_t){0}),
	                 WD_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(utf8_seq_accepts_valid_multibyte_forms),
	        cmocka_unit_test(utf8_seq_refuses_ascii_overlong_surrogates_and_beyond_10ffff),
	        cmocka_unit_test(utf8_seq_refuses_truncated_sequences),
	        cmocka_unit_test(utf8_valid_accepts_mixed_text_with_nul),
	        cmocka_unit_test(utf8_valid_agrees_with_jansson_on_boundaries),
	        cmocka_unit_test(skip_ws_skips_exactly_json_whitespace),
	        cmocka_unit_test(scan_accepts_valid_values_jansson_agrees),
	        cmocka_unit_test(scan_refuses_invalid_values_jansson_agrees),
	        cmocka_unit_test(scan_refuses_control_characters_in_strings_and_keys),
	        cmocka_unit_test(scan_refuses_documented_valid_exceptions),
	        cmocka_unit_test(scan_stops_after_the_value),
	        cmocka_unit_test(scan_int64_boundaries),
	        cmocka_unit_test(scan_nesting_is_bounded_by_max_depth),
	        cmocka_unit_test(plain_string_accepts_text_without_escapes),
	        cmocka_unit_test(plain_string_stops_at_the_closing_quote),
	        cmocka_unit_test(plain_string_refuses_escapes_controls_and_bad_utf8),
	        cmocka_unit_test(scan_uint_reads_up_to_16_digits),
	        cmocka_unit_test(scan_uint_refuses_long_signed_leading_zero_and_real),
	};
	return cmocka_run_group_tests_name("json_scan", tests, NULL, NULL);
}
