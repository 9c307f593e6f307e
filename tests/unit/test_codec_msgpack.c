/* Unit tests for protocol/codec_msgpack.c: the WAMP spec's vectors, then hand-written cases
 * (bytes written as hex, spaces allowed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "vectors.h"

static const struct wd_codec *const C = &wd_codec_msgpack;

/* Returns the bytes of hex (spaces ignored) in a malloc'd buffer; *len is their count. */
static uint8_t *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2 + 1;
	uint8_t *out = malloc(n);
	assert_non_null(out);
	if (sodium_hex2bin(out, n, hex, strlen(hex), " ", len, NULL) != 0)
		fail_msg("bad hex in test: %s", hex);
	return out;
}

static int decode_hex_rc(const char *hex)
{
	size_t len;
	uint8_t *in = unhex(hex, &len);
	json_t *v = NULL;
	int rc = C->decode(in, len, &v);
	if (rc == 0)
		json_decref(v);
	free(in);
	return rc;
}

static json_t *decode_hex_ok(const char *hex)
{
	size_t len;
	uint8_t *in = unhex(hex, &len);
	json_t *v = NULL;
	int rc = C->decode(in, len, &v);
	if (rc != 0)
		fail_msg("decode of %s failed: %s", hex, wd_strerror(rc));
	free(in);
	return v;
}

static void assert_bytes(const struct wd_sbuf *b, const char *hex)
{
	size_t len;
	uint8_t *want = unhex(hex, &len);
	if (b->len != len || memcmp(b->data, want, len) != 0) {
		char got[2 * 256 + 1];
		sodium_bin2hex(got, sizeof(got), b->data, b->len < 256 ? b->len : 256);
		fail_msg("encoded %s, want %s", got, hex);
	}
	free(want);
}

static void assert_encodes_to(const json_t *v, const char *hex)
{
	struct wd_sbuf b = {0};
	int rc = C->encode(v, &b);
	if (rc != 0)
		fail_msg("encode failed: %s", wd_strerror(rc));
	assert_bytes(&b, hex);
	wd_sbuf_free(&b);
}

/* Decodes hex, checks that the value's compact JSON is want_json, and that encoding it gives
 * hex back (canonical input only). */
static void assert_round_trip(const char *hex, const char *want_json)
{
	json_t *v = decode_hex_ok(hex);
	char *s = vec_dump(v);
	if (strcmp(s, want_json) != 0)
		fail_msg("%s decoded to %s, want %s", hex, s, want_json);
	free(s);
	assert_encodes_to(v, hex);
	json_decref(v);
}

/* Asserts that the second element of the decoded array is the string want[0..n). */
static void assert_decodes_to_string(const char *hex, const char *want, size_t n)
{
	json_t *v = decode_hex_ok(hex), *s = json_array_get(v, 1);
	assert_true(json_is_string(s));
	assert_int_equal(json_string_length(s), n);
	assert_memory_equal(json_string_value(s), want, n);
	json_decref(v);
}

static void msgpack_codec_has_wamp_names(void **state)
{
	(void)state;
	assert_string_equal(C->name, "msgpack");
	assert_string_equal(C->subprotocol, "wamp.2.msgpack");
	assert_int_equal(C->rawsocket_id, 2);
	assert_true(C->is_binary);
	assert_int_equal(C->id, WD_CODEC_MSGPACK);
	assert_ptr_equal(wd_codec_by_name("msgpack"), C);
	assert_ptr_equal(wd_codec_by_subprotocol("wamp.2.msgpack"), C);
	assert_ptr_equal(wd_codec_by_id(WD_CODEC_MSGPACK), C);
	assert_null(wd_codec_by_name("cbor"));
}

struct vec_stats {
	size_t samples, reprs;
};

static void check_sample(const struct vec_sample *s, void *ud)
{
	struct vec_stats *st = ud;
	json_t *want = vec_expected_array(s), *repr;
	size_t i;

	json_array_foreach(s->reprs, i, repr)
	{
		size_t len;
		uint8_t *bytes = vec_bytes(repr, &len);
		json_t *got = NULL, *again = NULL;
		struct wd_sbuf b = {0};
		bool canonical = false;
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
			fail_msg("%s[%zu]: re-decode differs", s->file, s->index);
		/* msgpack-c packs the shortest forms, as the vectors' producer did. */
		for (size_t k = 0; k < json_array_size(s->reprs) && !canonical; k++) {
			size_t n;
			uint8_t *other = vec_bytes(json_array_get(s->reprs, k), &n);
			canonical = n == b.len && memcmp(other, b.data, n) == 0;
			free(other);
		}
		if (!canonical)
			fail_msg("%s[%zu]: our encoding is none of the listed ones", s->file,
			         s->index);
		json_decref(again);
		json_decref(got);
		wd_sbuf_free(&b);
		free(bytes);
		st->reprs++;
	}
	json_decref(want);
	st->samples++;
}

static void msgpack_vectors_decode_to_expected_and_round_trip(void **state)
{
	struct vec_stats st = {0};
	(void)state;
	vec_for_each("msgpack", check_sample, &st);
	print_message("# checked %zu msgpack samples (%zu encodings) from %s\n", st.samples,
	              st.reprs, vec_dir());
	assert_true(st.samples >= 26);
}

static void msgpack_bin_decodes_to_nul_base64_string(void **state)
{
	(void)state;
	assert_decodes_to_string("92 01 c4 03 010203", "\0AQID", 5);
}

static void msgpack_empty_bin_decodes_to_lone_nul_string(void **state)
{
	(void)state;
	assert_decodes_to_string("92 01 c4 00", "\0", 1);
}

static void msgpack_bin_of_1_and_2_bytes_decodes_padded(void **state)
{
	(void)state;
	assert_decodes_to_string("92 01 c4 01 01", "\0AQ==", 5);
	assert_decodes_to_string("92 01 c4 02 0102", "\0AQI=", 5);
	assert_decodes_to_string("92 01 c5 0000", "\0", 1); /* bin16, empty */
}

static void msgpack_nul_base64_string_encodes_to_bin(void **state)
{
	json_t *v = json_array();
	(void)state;
	json_array_append_new(v, json_integer(1));
	json_array_append_new(v, json_stringn("\0AQID", 5));
	json_array_append_new(v, json_stringn("\0", 1));
	json_array_append_new(v, json_stringn("\0AQ==", 5));
	json_array_append_new(v, json_stringn("\0AQI=", 5));
	assert_encodes_to(v, "95 01 c403010203 c400 c40101 c4020102");
	json_decref(v);
}

static void msgpack_unpadded_base64_encodes_to_bin(void **state)
{
	json_t *v = json_array();
	(void)state;
	json_array_append_new(v, json_integer(1));
	json_array_append_new(v, json_stringn("\0AQI", 4));
	json_array_append_new(v, json_stringn("\0AQ", 3));
	assert_encodes_to(v, "93 01 c4020102 c40101");
	json_decref(v);
}

static void msgpack_invalid_base64_after_nul_fails_encode_with_einval(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
	        {"\0!!!!", 5},  {"\0AQ=x", 5},   {"\0A", 2},    {"\0AR==", 5},
	        {"\0AQ ID", 6}, {"\0AQID\0", 6}, {"\0AQ-_", 5}, /* url-safe alphabet */
	};
	struct wd_sbuf b = {0};
	(void)state;
	assert_int_equal(wd_sbuf_append(&b, "xy", 2), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *v = json_array();
		json_array_append_new(v, json_integer(1));
		json_array_append_new(v, json_stringn(bad[i].s, bad[i].n));
		if (C->encode(v, &b) != WD_EINVAL)
			fail_msg("case %zu encoded", i);
		assert_int_equal(b.len, 2); /* nothing left behind */
		json_decref(v);
	}
	wd_sbuf_free(&b);
}

static void binary_crosses_from_json_to_msgpack_and_back(void **state)
{
	uint8_t raw[300];
	char b64[sodium_base64_ENCODED_LEN(300, sodium_base64_VARIANT_ORIGINAL)];
	struct wd_sbuf jtext = {0}, mp = {0}, jback = {0};
	json_t *v, *w;
	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	for (size_t n = 0; n <= sizeof(raw); n += n < 8 ? 1 : 97) {
		char hdr[16];
		/* [1, "\u0000" + base64(raw[0..n))] as JSON text */
		jtext.len = 0;
		wd_sbuf_append(&jtext, "[1,\"\\u0000", 10);
		sodium_bin2base64(b64, sizeof(b64), raw, n, sodium_base64_VARIANT_ORIGINAL);
		wd_sbuf_append(&jtext, b64, strlen(b64));
		wd_sbuf_append(&jtext, "\"]", 2);
		assert_int_equal(wd_codec_json.decode(jtext.data, jtext.len, &v), 0);
		mp.len = 0;
		assert_int_equal(C->encode(v, &mp), 0);
		/* 92 01, then bin 8 or bin 16 with the raw bytes */
		if (n < 256)
			snprintf(hdr, sizeof(hdr), "%c%c%c%c", 0x92, 0x01, 0xc4, (int)n);
		else
			snprintf(hdr, sizeof(hdr), "%c%c%c%c%c", 0x92, 0x01, 0xc5, (int)(n >> 8),
			         (int)(n & 0xff));
		assert_int_equal(mp.len, (n < 256 ? 4 : 5) + n);
		assert_memory_equal(mp.data + 2, hdr + 2, n < 256 ? 2 : 3);
		if (n > 0)
			assert_memory_equal(mp.data + mp.len - n, raw, n);
		assert_int_equal(C->decode(mp.data, mp.len, &w), 0);
		assert_true(json_equal(v, w));
		jback.len = 0;
		assert_int_equal(wd_codec_json.encode(w, &jback), 0);
		assert_int_equal(jback.len, jtext.len);
		assert_memory_equal(jback.data, jtext.data, jtext.len);
		json_decref(v);
		json_decref(w);
	}
	wd_sbuf_free(&jtext);
	wd_sbuf_free(&mp);
	wd_sbuf_free(&jback);
}

static void msgpack_integers_2pow53_round_trip(void **state)
{
	(void)state;
	assert_round_trip("93 01 cf0020000000000000 d3ffe0000000000000",
	                  "[1,9007199254740992,-9007199254740992]");
}

static void msgpack_int64_limits_accepted(void **state)
{
	(void)state;
	assert_round_trip("93 01 cf7fffffffffffffff d38000000000000000",
	                  "[1,9223372036854775807,-9223372036854775808]");
}

static void msgpack_uint64_above_int64_max_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 cf8000000000000000"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 cfffffffffffffffff"), WD_EDECODE);
}

static void msgpack_integers_encode_in_shortest_form(void **state)
{
	(void)state;
	assert_round_trip("9f 00 7f cc80 ccff cd0100 ce00010000 cf0000000100000000 ff e0 d0df "
	                  "d080 d1ff7f d18000 d2ffff7fff d280000000",
	                  "[0,127,128,255,256,65536,4294967296,-1,-32,-33,-128,-129,-32768,"
	                  "-32769,-2147483648]");
}

static void msgpack_non_shortest_integers_decode(void **state)
{
	json_t *v = decode_hex_ok("94 01 cd0001 d005 d3ffffffffffffffff");
	(void)state;
	assert_true(json_integer_value(json_array_get(v, 1)) == 1);
	assert_true(json_integer_value(json_array_get(v, 2)) == 5);
	assert_true(json_integer_value(json_array_get(v, 3)) == -1);
	assert_encodes_to(v, "94 01 01 05 ff");
	json_decref(v);
}

static void msgpack_floats_decode_to_reals(void **state)
{
	json_t *v = decode_hex_ok("93 01 ca3fc00000 cb3fb999999999999a");
	(void)state;
	assert_true(json_is_real(json_array_get(v, 1)));
	assert_true(json_real_value(json_array_get(v, 1)) == 1.5);
	assert_true(json_real_value(json_array_get(v, 2)) == 0.1);
	/* Reals always go out as float 64. */
	assert_encodes_to(v, "93 01 cb3ff8000000000000 cb3fb999999999999a");
	json_decref(v);
}

static void msgpack_nan_and_infinity_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 cb7ff8000000000000"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 ca7f800000"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 cbfff0000000000000"), WD_EDECODE);
}

static void msgpack_nil_and_booleans_round_trip(void **state)
{
	(void)state;
	assert_round_trip("94 01 c0 c2 c3", "[1,null,false,true]");
}

static void msgpack_unicode_string_round_trips(void **state)
{
	(void)state;
	/* "ü€😀": 2 + 3 + 4 bytes of UTF-8 */
	assert_round_trip("92 01 a9 c3bc e282ac f09f9880",
	                  "[1,\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\"]");
}

static void msgpack_invalid_utf8_string_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 a1 ff"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 a2 c0af"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 a3 eda080"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 81 a1ff 01"), WD_EDECODE); /* as a key */
}

static void msgpack_long_strings_use_str8_and_str16(void **state)
{
	char s[300];
	json_t *v;
	struct wd_sbuf b = {0};
	(void)state;
	memset(s, 'a', sizeof(s));
	v = json_array();
	json_array_append_new(v, json_stringn(s, 40));
	json_array_append_new(v, json_stringn(s, 300));
	assert_int_equal(C->encode(v, &b), 0);
	assert_int_equal(b.len, 1 + 2 + 40 + 3 + 300);
	assert_int_equal(b.data[1], 0xd9);
	assert_int_equal(b.data[2], 40);
	assert_int_equal(b.data[43], 0xda);
	json_decref(v);
	assert_int_equal(C->decode(b.data, b.len, &v), 0);
	assert_int_equal(json_string_length(json_array_get(v, 1)), 300);
	json_decref(v);
	wd_sbuf_free(&b);
}

/* Found by fuzz_codec_msgpack: msgpack-c hands over a NULL pointer for an empty fixstr that
 * comes before any other sized value, which jansson refused. */
static void msgpack_empty_strings_decode(void **state)
{
	(void)state;
	assert_round_trip("91 a0", "[\"\"]");
	assert_round_trip("91 81 a0 a0", "[{\"\":\"\"}]");
	assert_round_trip("92 c400 a0", "[\"\\u0000\",\"\"]");
	json_decref(decode_hex_ok("91 d900"));
	json_decref(decode_hex_ok("91 c500 00"));
}

static void msgpack_map_with_non_string_key_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 81 01 02"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 81 c0 02"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 81 c40161 02"), WD_EDECODE); /* bin key */
	assert_int_equal(decode_hex_rc("92 01 81 90 02"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 82 a161 01 02 03"), WD_EDECODE);
}

static void msgpack_map_key_with_nul_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 81 a3610062 01"), WD_EDECODE);
}

static void msgpack_map_round_trips_in_key_order(void **state)
{
	(void)state;
	assert_round_trip("92 01 83 a17a 01 a161 80 a0 90", "[1,{\"z\":1,\"a\":{},\"\":[]}]");
}

static void msgpack_ext_types_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 d4 01 00"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 d5 01 0000"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 c7 01 05 00"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 c8 0001 05 00"), WD_EDECODE);
	/* timestamp 32 (ext -1) */
	assert_int_equal(decode_hex_rc("92 01 d6 ff 00000000"), WD_EDECODE);
}

static void msgpack_reserved_byte_c1_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("92 01 c1"), WD_EDECODE);
}

static void msgpack_truncated_input_rejected(void **state)
{
	size_t len;
	uint8_t *in = unhex("96 10 ce0e49c1af 81 a161 93 c3 c0 cb3ff8000000000000 a174 "
	                    "92 c40101 d90474657374 81 a16b a176",
	                    &len);
	json_t *v = NULL;
	(void)state;
	for (size_t n = 0; n < len; n++)
		if (C->decode(in, n, &v) != WD_EDECODE)
			fail_msg("prefix of %zu bytes accepted", n);
	assert_int_equal(C->decode(in, len, &v), 0);
	json_decref(v);
	free(in);
}

static void msgpack_trailing_bytes_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("91 01 00"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("91 01 91 01"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("91 01 c1"), WD_EDECODE);
}

static void msgpack_non_array_root_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("80"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("81 a161 01"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("01"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("a161"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("c0"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("c400"), WD_EDECODE);
}

static void msgpack_empty_array_rejected(void **state)
{
	(void)state;
	assert_int_equal(decode_hex_rc("90"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("dc 0000"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("dd 00000000"), WD_EDECODE);
}

static void msgpack_empty_input_rejected(void **state)
{
	json_t *v = NULL;
	uint8_t byte = 0x91;
	(void)state;
	assert_int_equal(C->decode(NULL, 0, &v), WD_EDECODE);
	assert_int_equal(C->decode(&byte, 0, &v), WD_EDECODE);
	assert_int_equal(C->decode(&byte, 1, &v), WD_EDECODE);
}

static void msgpack_array16_and_map16_decode(void **state)
{
	json_t *v = decode_hex_ok("dc 0003 01 de0001 a161 02 dd00000001 03");
	char *s = vec_dump(v);
	(void)state;
	assert_string_equal(s, "[1,{\"a\":2},[3]]");
	free(s);
	assert_encodes_to(v, "93 01 81a16102 9103");
	json_decref(v);
}

/* Returns hex for depth nested one-element arrays around 01: "91 91 ... 01". */
static char *nested_hex(int depth)
{
	char *s = malloc((size_t)depth * 3 + 3);
	assert_non_null(s);
	s[0] = '\0';
	for (int i = 0; i < depth; i++)
		strcat(s, "91 ");
	strcat(s, "01");
	return s;
}

static void msgpack_depth_32_accepted(void **state)
{
	char *h = nested_hex(32);
	(void)state;
	assert_int_equal(decode_hex_rc(h), 0);
	free(h);
}

static void msgpack_depth_33_rejected_as_msgpack_c_stack_limit(void **state)
{
	char *h = nested_hex(33);
	(void)state;
	assert_int_equal(decode_hex_rc(h), WD_EDECODE);
	free(h);
	h = nested_hex(65);
	assert_int_equal(decode_hex_rc(h), WD_EDECODE);
	free(h);
	/* an empty container counts as a level too */
	h = nested_hex(32);
	h[strlen(h) - 2] = '9';
	h[strlen(h) - 1] = '0';
	assert_int_equal(decode_hex_rc(h), WD_EDECODE);
	free(h);
}

static void msgpack_deep_json_value_still_encodes(void **state)
{
	json_t *v = json_array(), *inner = v;
	struct wd_sbuf b = {0};
	(void)state;
	for (int i = 0; i < 63; i++) {
		json_t *a = json_array();
		json_array_append_new(inner, a);
		inner = a;
	}
	json_array_append_new(inner, json_integer(1));
	assert_int_equal(C->encode(v, &b), 0);
	assert_int_equal(b.len, 65);
	json_decref(v);
	wd_sbuf_free(&b);
}

static void msgpack_huge_declared_sizes_rejected_without_allocating(void **state)
{
	char *h;
	(void)state;
	assert_int_equal(decode_hex_rc("dd ffffffff 01"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("91 df ffffffff a161 01"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 db ffffffff 61"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 c6 ffffffff 61"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("dc 0003 01 02"), WD_EDECODE);
	assert_int_equal(decode_hex_rc("92 01 82 a161 01"), WD_EDECODE);
	/* 30 nested arrays that each claim 16M elements: would be gigabytes in msgpack-c */
	h = malloc(30 * 11 + 1);
	assert_non_null(h);
	h[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(h, "dd00ffffff ");
	assert_int_equal(decode_hex_rc(h), WD_EDECODE);
	free(h);
}

static void msgpack_string_starting_with_nul_decodes_as_text(void **state)
{
	/* A msgpack str that begins with NUL is indistinguishable from WAMP's JSON binary form
	 * once decoded: it goes out again as bin if its rest is base64, else encode refuses. */
	json_t *v = decode_hex_ok("93 01 a5 0041514944 a3 002121");
	struct wd_sbuf b = {0};
	(void)state;
	assert_int_equal(json_string_length(json_array_get(v, 1)), 5);
	assert_int_equal(C->encode(v, &b), WD_EINVAL);
	assert_int_equal(b.len, 0);
	json_array_remove(v, 2);
	assert_encodes_to(v, "92 01 c403010203");
	json_decref(v);
	wd_sbuf_free(&b);
}

static void msgpack_encode_appends_and_encodes_any_value(void **state)
{
	struct wd_sbuf b = {0};
	json_t *v = json_pack("[i]", 6), *s = json_string("a");
	(void)state;
	assert_int_equal(wd_sbuf_append(&b, "\x01", 1), 0);
	assert_int_equal(C->encode(v, &b), 0);
	assert_int_equal(C->encode(s, &b), 0);
	assert_bytes(&b, "01 9106 a161");
	json_decref(v);
	json_decref(s);
	wd_sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(msgpack_codec_has_wamp_names),
	        cmocka_unit_test(msgpack_vectors_decode_to_expected_and_round_trip),
	        cmocka_unit_test(msgpack_bin_decodes_to_nul_base64_string),
	        cmocka_unit_test(msgpack_empty_bin_decodes_to_lone_nul_string),
	        cmocka_unit_test(msgpack_bin_of_1_and_2_bytes_decodes_padded),
	        cmocka_unit_test(msgpack_nul_base64_string_encodes_to_bin),
	        cmocka_unit_test(msgpack_unpadded_base64_encodes_to_bin),
	        cmocka_unit_test(msgpack_invalid_base64_after_nul_fails_encode_with_einval),
	        cmocka_unit_test(binary_crosses_from_json_to_msgpack_and_back),
	        cmocka_unit_test(msgpack_integers_2pow53_round_trip),
	        cmocka_unit_test(msgpack_int64_limits_accepted),
	        cmocka_unit_test(msgpack_uint64_above_int64_max_rejected),
	        cmocka_unit_test(msgpack_integers_encode_in_shortest_form),
	        cmocka_unit_test(msgpack_non_shortest_integers_decode),
	        cmocka_unit_test(msgpack_floats_decode_to_reals),
	        cmocka_unit_test(msgpack_nan_and_infinity_rejected),
	        cmocka_unit_test(msgpack_nil_and_booleans_round_trip),
	        cmocka_unit_test(msgpack_unicode_string_round_trips),
	        cmocka_unit_test(msgpack_invalid_utf8_string_rejected),
	        cmocka_unit_test(msgpack_long_strings_use_str8_and_str16),
	        cmocka_unit_test(msgpack_empty_strings_decode),
	        cmocka_unit_test(msgpack_map_with_non_string_key_rejected),
	        cmocka_unit_test(msgpack_map_key_with_nul_rejected),
	        cmocka_unit_test(msgpack_map_round_trips_in_key_order),
	        cmocka_unit_test(msgpack_ext_types_rejected),
	        cmocka_unit_test(msgpack_reserved_byte_c1_rejected),
	        cmocka_unit_test(msgpack_truncated_input_rejected),
	        cmocka_unit_test(msgpack_trailing_bytes_rejected),
	        cmocka_unit_test(msgpack_non_array_root_rejected),
	        cmocka_unit_test(msgpack_empty_array_rejected),
	        cmocka_unit_test(msgpack_empty_input_rejected),
	        cmocka_unit_test(msgpack_array16_and_map16_decode),
	        cmocka_unit_test(msgpack_depth_32_accepted),
	        cmocka_unit_test(msgpack_depth_33_rejected_as_msgpack_c_stack_limit),
	        cmocka_unit_test(msgpack_deep_json_value_still_encodes),
	        cmocka_unit_test(msgpack_huge_declared_sizes_rejected_without_allocating),
	        cmocka_unit_test(msgpack_string_starting_with_nul_decodes_as_text),
	        cmocka_unit_test(msgpack_encode_appends_and_encodes_any_value),
	};
	return cmocka_run_group_tests_name("codec_msgpack", tests, NULL, NULL);
}
