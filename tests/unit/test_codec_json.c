/* Unit tests for protocol/codec_json.c: the WAMP spec's vectors, then hand-written edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "vectors.h"

static const struct wd_codec *const C = &wd_codec_json;

/* Decodes text; returns the codec's result and frees any value. */
static int decode_rc(const char *text)
{
	json_t *v = NULL;
	int rc = C->decode((const uint8_t *)text, strlen(text), &v);
	if (rc == 0)
		json_decref(v);
	return rc;
}

/* Decodes text that must be valid. */
static json_t *decode_ok(const char *text, size_t len)
{
	json_t *v = NULL;
	int rc = C->decode((const uint8_t *)text, len, &v);
	if (rc != 0)
		fail_msg("decode of %.*s failed: %s", (int)len, text, wd_strerror(rc));
	assert_non_null(v);
	return v;
}

/* Encodes v; the returned buffer must be freed with wd_sbuf_free. */
static struct wd_sbuf encode_ok(const json_t *v)
{
	struct wd_sbuf b = {0};
	int rc = C->encode(v, &b);
	if (rc != 0)
		fail_msg("encode failed: %s", wd_strerror(rc));
	return b;
}

/* Encodes v and checks the exact text. */
static void assert_encodes_to(const json_t *v, const char *want)
{
	struct wd_sbuf b = encode_ok(v);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		fail_msg("encoded %.*s, want %s", (int)b.len, (const char *)b.data, want);
	wd_sbuf_free(&b);
}

static void json_codec_has_wamp_names(void **state)
{
	(void)state;
	assert_string_equal(C->name, "json");
	assert_string_equal(C->subprotocol, "wamp.2.json");
	assert_int_equal(C->rawsocket_id, 1);
	assert_false(C->is_binary);
	assert_int_equal(C->id, WD_CODEC_JSON);
	assert_ptr_equal(wd_codec_by_name("json"), C);
	assert_ptr_equal(wd_codec_by_subprotocol("wamp.2.json"), C);
	assert_ptr_equal(wd_codec_by_id(WD_CODEC_JSON), C);
}

struct vec_stats {
	size_t samples, reprs;
};

static void check_sample(const struct vec_sample *s, void *ud)
{
	struct vec_stats *st = ud;
	json_t *want = vec_expected_array(s), *repr;
	bool canonical = false;
	size_t i;

	json_array_foreach(s->reprs, i, repr)
	{
		size_t len;
		uint8_t *bytes = vec_bytes(repr, &len);
		json_t *got = NULL, *again = NULL;
		struct wd_sbuf b = {0};
		int rc;

		if ((rc = C->decode(bytes, len, &got)) != 0)
			fail_msg("%s[%zu] %s: decode: %s", s->file, s->index, s->desc,
			         wd_strerror(rc));
		if (!json_equal(got, want))
			fail_msg("%s[%zu] %s: decoded %s, attributes say %s", s->file, s->index,
			         s->desc, vec_dump(got), vec_dump(want));
		if ((rc = C->encode(got, &b)) != 0)
			fail_msg("%s[%zu]: encode: %s", s->file, s->index, wd_strerror(rc));
		if ((rc = C->decode(b.data, b.len, &again)) != 0 || !json_equal(again, got))
			fail_msg("%s[%zu]: re-decode of %.*s differs", s->file, s->index,
			         (int)b.len, (const char *)b.data);
		/* Our compact output should be one of the listed encodings, byte for byte. */
		for (size_t k = 0; k < json_array_size(s->reprs) && !canonical; k++) {
			size_t n;
			uint8_t *other = vec_bytes(json_array_get(s->reprs, k), &n);
			canonical = n == b.len && memcmp(other, b.data, n) == 0;
			free(other);
		}
		if (!canonical)
			fail_msg("%s[%zu]: encoding %.*s is none of the listed ones", s->file,
			         s->index, (int)b.len, (const char *)b.data);
		json_decref(again);
		json_decref(got);
		wd_sbuf_free(&b);
		free(bytes);
		st->reprs++;
	}
	json_decref(want);
	st->samples++;
}

static void json_vectors_decode_to_expected_and_round_trip(void **state)
{
	struct vec_stats st = {0};
	(void)state;
	vec_for_each("json", check_sample, &st);
	print_message("# checked %zu json samples (%zu encodings) from %s\n", st.samples, st.reprs,
	              vec_dir());
	/* 26 message files; a vector set that suddenly shrinks is a broken checkout. */
	assert_true(st.samples >= 26);
}

static void json_nul_base64_string_survives_round_trip(void **state)
{
	const char *text = "[16,1,{},\"t\",[\"\\u0000AQID\",\"\\u0000\",\"\\u0000AQ==\"]]";
	json_t *v = decode_ok(text, strlen(text));
	json_t *args = json_array_get(v, 4);
	(void)state;
	assert_int_equal(json_string_length(json_array_get(args, 0)), 5);
	assert_memory_equal(json_string_value(json_array_get(args, 0)), "\0AQID", 5);
	assert_int_equal(json_string_length(json_array_get(args, 1)), 1);
	assert_int_equal(json_string_length(json_array_get(args, 2)), 5);
	assert_encodes_to(v, text);
	json_decref(v);
}

static void json_integers_2pow53_round_trip(void **state)
{
	const char *text = "[1,9007199254740992,-9007199254740992]";
	json_t *v = decode_ok(text, strlen(text));
	(void)state;
	assert_true(json_integer_value(json_array_get(v, 1)) == (json_int_t)1 << 53);
	assert_true(json_integer_value(json_array_get(v, 2)) == -((json_int_t)1 << 53));
	assert_encodes_to(v, text);
	json_decref(v);
}

static void json_int64_limits_accepted(void **state)
{
	const char *text = "[1,9223372036854775807,-9223372036854775808]";
	json_t *v = decode_ok(text, strlen(text));
	(void)state;
	assert_true(json_integer_value(json_array_get(v, 1)) == INT64_MAX);
	assert_true(json_integer_value(json_array_get(v, 2)) == INT64_MIN);
	assert_encodes_to(v, text);
	json_decref(v);
}

static void json_integer_beyond_int64_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("[1,9223372036854775808]"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,-9223372036854775809]"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,18446744073709551615]"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,1e400]"), WD_EDECODE);
}

static void json_unicode_string_stays_utf8(void **state)
{
	const char *raw = "[1,\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\"]"; /* ü€😀 */
	const char *escaped = "[1,\"\\u00fc\\u20ac\\ud83d\\ude00\"]";
	json_t *a = decode_ok(raw, strlen(raw)), *b = decode_ok(escaped, strlen(escaped));
	(void)state;
	assert_true(json_equal(a, b));
	assert_int_equal(json_string_length(json_array_get(a, 1)), 9);
	assert_encodes_to(b, raw);
	json_decref(a);
	json_decref(b);
}

static void json_invalid_utf8_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("[1,\"\xff\"]"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,\"\xc0\xaf\"]"), WD_EDECODE);     /* overlong '/' */
	assert_int_equal(decode_rc("[1,\"\xed\xa0\x80\"]"), WD_EDECODE); /* surrogate */
	assert_int_equal(decode_rc("[1,\"\\ud800\"]"), WD_EDECODE);      /* lone surrogate */
}

/* Returns depth nested arrays: "[[...[1]...]]". */
static char *nested(int depth, char open, char close)
{
	char *s = malloc((size_t)depth * 2 + 2);
	int i = 0;
	assert_non_null(s);
	for (int d = 0; d < depth; d++)
		s[i++] = d == 0 ? '[' : open;
	s[i++] = '1';
	for (int d = depth - 1; d >= 0; d--)
		s[i++] = d == 0 ? ']' : close;
	s[i] = '\0';
	return s;
}

static void json_depth_64_accepted(void **state)
{
	char *s = nested(64, '[', ']');
	(void)state;
	assert_int_equal(decode_rc(s), 0);
	free(s);
}

static void json_depth_65_rejected(void **state)
{
	char *s = nested(65, '[', ']');
	const char *obj = "[{\"a\":{\"a\":1}}]";
	(void)state;
	assert_int_equal(decode_rc(s), WD_EDECODE);
	free(s);
	s = nested(3000, '[', ']'); /* beyond jansson's own limit as well */
	assert_int_equal(decode_rc(s), WD_EDECODE);
	free(s);
	assert_int_equal(decode_rc(obj), 0);
}

static void json_objects_count_toward_depth(void **state)
{
	char s[1024];
	int i = 0;
	(void)state;
	/* [ then 64 levels of {"a": ... } : 65 levels in all. */
	s[i++] = '[';
	for (int d = 0; d < 64; d++)
		i += sprintf(s + i, "{\"a\":");
	s[i++] = '1';
	for (int d = 0; d < 64; d++)
		s[i++] = '}';
	s[i++] = ']';
	s[i] = '\0';
	assert_int_equal(decode_rc(s), WD_EDECODE);
}

static void json_truncated_input_rejected(void **state)
{
	const char *text = "[16,1,{\"a\":[true,null,1.5]},\"t\",[\"x\"],{\"k\":\"v\"}]";
	json_t *v;
	(void)state;
	for (size_t n = 0; n < strlen(text); n++) {
		v = NULL;
		if (C->decode((const uint8_t *)text, n, &v) != WD_EDECODE)
			fail_msg("prefix of %zu bytes accepted", n);
	}
	v = decode_ok(text, strlen(text));
	json_decref(v);
}

static void json_non_array_root_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("{\"a\":1}"), WD_EDECODE);
	assert_int_equal(decode_rc("\"x\""), WD_EDECODE);
	assert_int_equal(decode_rc("1"), WD_EDECODE);
	assert_int_equal(decode_rc("null"), WD_EDECODE);
	assert_int_equal(decode_rc("true"), WD_EDECODE);
	assert_int_equal(decode_rc(""), WD_EDECODE);
	assert_int_equal(decode_rc("  "), WD_EDECODE);
}

static void json_empty_array_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("[]"), WD_EDECODE);
	assert_int_equal(decode_rc(" [ ] "), WD_EDECODE);
}

static void json_trailing_garbage_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("[1,2]x"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,2][3]"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,2],"), WD_EDECODE);
	assert_int_equal(decode_rc("[1,2] \n"), 0); /* whitespace is not garbage */
}

static void json_embedded_nul_byte_outside_string_rejected(void **state)
{
	json_t *v = NULL;
	(void)state;
	assert_int_equal(C->decode((const uint8_t *)"[1]\0", 4, &v), WD_EDECODE);
	assert_int_equal(C->decode((const uint8_t *)"[1,\"a\0\"]", 8, &v), WD_EDECODE);
	/* jansson 2.14 alone accepts a NUL right after a number or literal. */
	assert_int_equal(C->decode((const uint8_t *)"[1\0]", 4, &v), WD_EDECODE);
	assert_int_equal(C->decode((const uint8_t *)"[true\0]", 7, &v), WD_EDECODE);
	assert_int_equal(C->decode((const uint8_t *)"[16,1\0,{},\"t\"]", 15, &v), WD_EDECODE);
	assert_null(v);
}

static void json_nul_in_object_key_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_rc("[1,{\"a\\u0000b\":1}]"), WD_EDECODE);
}

static void json_reals_round_trip_exactly(void **state)
{
	const double vals[] = {0.1, 1.0 / 3, 1e300, 5e-324, -2.5, 123456789.123456789, 1.0};
	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		json_t *arr = json_pack("[if]", 1, vals[i]), *back;
		struct wd_sbuf b = encode_ok(arr);
		back = decode_ok((const char *)b.data, b.len);
		assert_true(json_is_real(json_array_get(back, 1)));
		if (json_real_value(json_array_get(back, 1)) != vals[i])
			fail_msg("%.17g came back as %.17g via %.*s", vals[i],
			         json_real_value(json_array_get(back, 1)), (int)b.len,
			         (const char *)b.data);
		json_decref(back);
		json_decref(arr);
		wd_sbuf_free(&b);
	}
}

static void json_encode_is_compact_and_keeps_key_order(void **state)
{
	json_t *v = json_pack("[i{s[ii]sb}sn]", 1, "z", 1, 2, "a", 1, "x");
	(void)state;
	assert_encodes_to(v, "[1,{\"z\":[1,2],\"a\":true},\"x\",null]");
	json_decref(v);
}

static void json_encode_appends_to_buffer(void **state)
{
	struct wd_sbuf b = {0};
	json_t *v = json_pack("[i]", 6);
	(void)state;
	assert_int_equal(wd_sbuf_append(&b, "ab", 2), 0);
	assert_int_equal(C->encode(v, &b), 0);
	assert_int_equal(C->encode(v, &b), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "ab[6][6]", 8);
	json_decref(v);
	wd_sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(json_codec_has_wamp_names),
	        cmocka_unit_test(json_vectors_decode_to_expected_and_round_trip),
	        cmocka_unit_test(json_nul_base64_string_survives_round_trip),
	        cmocka_unit_test(json_integers_2pow53_round_trip),
	        cmocka_unit_test(json_int64_limits_accepted),
	        cmocka_unit_test(json_integer_beyond_int64_rejected),
	        cmocka_unit_test(json_unicode_string_stays_utf8),
	        cmocka_unit_test(json_invalid_utf8_rejected),
	        cmocka_unit_test(json_depth_64_accepted),
	        cmocka_unit_test(json_depth_65_rejected),
	        cmocka_unit_test(json_objects_count_toward_depth),
	        cmocka_unit_test(json_truncated_input_rejected),
	        cmocka_unit_test(json_non_array_root_rejected),
	        cmocka_unit_test(json_empty_array_rejected),
	        cmocka_unit_test(json_trailing_garbage_rejected),
	        cmocka_unit_test(json_embedded_nul_byte_outside_string_rejected),
	        cmocka_unit_test(json_nul_in_object_key_rejected),
	        cmocka_unit_test(json_reals_round_trip_exactly),
	        cmocka_unit_test(json_encode_is_compact_and_keeps_key_order),
	        cmocka_unit_test(json_encode_appends_to_buffer),
	};
	return cmocka_run_group_tests_name("codec_json", tests, NULL, NULL);
}
