/* Unit tests for protocol/envelope.c. The fast path must give exactly what the slow path
 * (codec->decode + wd_msg_parse + wd_msg_attach_raw) gives for PUBLISH, CALL and YIELD, and
 * must decline (WD_EUNSUPPORTED) everything else, so every case here is decoded both ways:
 * accepted messages are compared field by field, declined ones are checked against what the
 * slow path then decides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/codec.h"
#include "protocol/envelope.h"
#include "protocol/error.h"
#include "tests/unit/bytes.h"
#include "protocol/msg.h"

static const struct wd_codec *const JSON = &wd_codec_json;
static const struct wd_codec *const MSGPACK = &wd_codec_msgpack;

/* Returns jansson's dump of v for failure messages (static buffer). */
static const char *dump(const json_t *v)
{
	static char buf[512];
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "(null)");
	free(s);
	return buf;
}

/* Encodes JSON text (valid, NUL allowed) as msgpack into *out (wd_sbuf_free it). */
static void to_msgpack(const char *text, size_t len, struct wd_sbuf *out)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	int rc;

	if (v == NULL)
		fail_msg("test JSON %.*s: %s", (int)len, text, err.text);
	out->len = 0;
	if ((rc = MSGPACK->encode(v, out)) != 0)
		fail_msg("msgpack encode of %.*s: %s", (int)len, text, wd_strerror(rc));
	json_decref(v);
}

static bool both_null_or_equal(const json_t *a, const json_t *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && json_equal(a, b));
}

/* Decodes in[0..len) with the fast path (must succeed) and the slow path, and compares every
 * field and the decoded payload. Also checks that e refuses a second message until released.
 * Returns a new reference to the fast path's dict (for identity checks of the cache). */
static json_t *check_same(struct wd_envelope *e, const struct wd_codec *c, const uint8_t *in,
                          size_t len, const char *what)
{
	struct wd_msg fast, slow, other;
	json_t *root = NULL, *args = NULL, *kwargs = NULL;
	json_t *dict;
	int rc;

	if ((rc = wd_envelope_decode(e, c, in, len, &fast)) != 0)
		fail_msg("%s (%s): fast path: %s", what, c->name, wd_strerror(rc));
	if ((rc = c->decode(in, len, &root)) != 0)
		fail_msg("%s (%s): fast path accepted, codec decode: %s", what, c->name,
		         wd_strerror(rc));
	if ((rc = wd_msg_parse(root, &slow)) != 0)
		fail_msg("%s (%s): fast path accepted, wd_msg_parse: %s", what, c->name,
		         wd_strerror(rc));
	wd_msg_attach_raw(&slow, c, in, len);

	if (fast.type != slow.type || fast.id1 != slow.id1)
		fail_msg("%s (%s): type/id1 %d/%llu, slow %d/%llu", what, c->name, fast.type,
		         (unsigned long long)fast.id1, slow.type, (unsigned long long)slow.id1);
	assert_true(fast.type == WD_MSG_PUBLISH || fast.type == WD_MSG_CALL ||
	            fast.type == WD_MSG_YIELD);
	assert_true(fast.id2 == 0 && fast.req_type == 0);
	assert_null(fast.root);
	assert_null(fast.args);
	assert_null(fast.kwargs);
	if (slow.uri == NULL) {
		assert_null(fast.uri);
	} else {
		assert_non_null(fast.uri);
		if (strcmp(fast.uri, slow.uri) != 0)
			fail_msg("%s (%s): uri '%s', slow '%s'", what, c->name, fast.uri, slow.uri);
	}
	if (!json_is_object(fast.dict) || !json_equal(fast.dict, slow.dict))
		fail_msg("%s (%s): dict %s, slow %s", what, c->name, dump(fast.dict),
		         dump(slow.dict));
	/* The same span of the same buffer, not merely equal bytes. */
	if (fast.raw != slow.raw || fast.raw_len != slow.raw_len ||
	    fast.raw_count != slow.raw_count || fast.raw_codec != slow.raw_codec)
		fail_msg("%s (%s): raw +%td/%zu/%zu, slow +%td/%zu/%zu", what, c->name,
		         fast.raw != NULL ? fast.raw - in : -1, fast.raw_len, fast.raw_count,
		         slow.raw != NULL ? slow.raw - in : -1, slow.raw_len, slow.raw_count);
	if (fast.raw != NULL)
		assert_ptr_equal(fast.raw_codec, c);

	if ((rc = wd_msg_payload_decode(&fast, &args, &kwargs)) != 0)
		fail_msg("%s (%s): payload decode: %s", what, c->name, wd_strerror(rc));
	if (!both_null_or_equal(args, slow.args) || !both_null_or_equal(kwargs, slow.kwargs))
		fail_msg("%s (%s): payload %s / %s differs from the slow path's", what, c->name,
		         dump(args), dump(kwargs));
	json_decref(args);
	json_decref(kwargs);

	/* Busy until released: even the same message is declined, and fast is left intact. */
	dict = json_incref(fast.dict);
	if (wd_envelope_decode(e, c, in, len, &other) != WD_EUNSUPPORTED)
		fail_msg("%s (%s): decoded a second message while busy", what, c->name);
	if (slow.uri != NULL)
		assert_string_equal(fast.uri, slow.uri);
	assert_true(json_equal(fast.dict, slow.dict)); /* still lent and intact */
	wd_envelope_release(e);
	json_decref(root);
	return dict;
}

static void check_same_free(struct wd_envelope *e, const struct wd_codec *c, const uint8_t *in,
                            size_t len, const char *what)
{
	json_decref(check_same(e, c, in, len, what));
}

/* The fast path declines in[0..len); the slow path then accepts it iff slow_ok. */
static void check_declined(struct wd_envelope *e, const struct wd_codec *c, const uint8_t *in,
                           size_t len, bool slow_ok, const char *what)
{
	struct wd_msg m;
	json_t *root = NULL;
	int rc = wd_envelope_decode(e, c, in, len, &m);
	bool ok;

	if (rc != WD_EUNSUPPORTED)
		fail_msg("%s (%s): fast path returned %d, want WD_EUNSUPPORTED", what, c->name, rc);
	ok = c->decode(in, len, &root) == 0 && wd_msg_parse(root, &m) == 0;
	json_decref(root);
	if (ok != slow_ok)
		fail_msg("%s (%s): slow path %s it; the test expects otherwise", what, c->name,
		         ok ? "accepts" : "refuses");
}

/* ---- Messages the fast path handles ---- */

static const char *const fast_msgs[] = {
        /* PUBLISH */
        "[16,1,{},\"com.example.topic\"]",
        "[16,2,{\"acknowledge\":true},\"com.example.topic\",[1,\"two\",3.5,null,true,false]]",
        "[16,3,{},\"t\",[],{}]",
        "[16,4,{\"exclude_me\":false,\"eligible\":[1,2]},\"t\",[{\"a\":[1,{\"b\":null}]}],"
        "{\"k\":\"v\",\"n\":-5}]",
        "[16,0,{},\"t\"]",
        "[16,9007199254740992,{},\"t\",[9007199254740992]]",
        "[16,5,{},\"\"]",
        "[16,6,{},\"com.ex\xc3\xa4mple.\xd1\x82\xd0\xb5\xd0\xbc\xd0\xb0.\xf0\x9f\x98\x80\","
        "[\"\xc3\xa9\"]]",
        "[16,7,{},\"t\",[\"\\u0000AQID\",\"\\u0000\"],{\"b\":\"\\u0000/w==\"}]",
        "[16,8,{\"x\":\"\\u0000AAEC\"},\"t\"]",
        "[16,9,{\"k\\n\":\"v\\u0041\"},\"t\",[\"a\\\"b\\\\c\\/"
        "\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"]]",
        "[16,10,{},\"t\",[9223372036854775807,-9223372036854775808,1.5e-30,0.1,1e99]]",
        " \t\n[ 16 ,\r 11 , { \"exclude_me\" : false } , \"a.b\" , [ 1 , 2 ] , { \"x\" : 1 } ] \n",
        "[16,12,{},\"t\" , [ ] ]",
        "[16,13,{ },\"t\",[ ],{ }]",
        /* CALL */
        "[48,7814135,{},\"com.myapp.ping\"]",
        "[48,7814135,{\"timeout\":1000,\"receive_progress\":true},\"com.myapp.echo\","
        "[\"Hello, world!\"]]",
        "[48,14,{},\"com.myapp.user.new\",[\"johnny\"],"
        "{\"firstname\":\"John\",\"surname\":\"Doe\"}]",
        "[48,15,{\"disclose_me\":true},\"\xe6\x97\xa5\xe6\x9c\xac.\xe8\xaa\x9e\","
        "[[[[]]]],{\"\":{}}]",
        "\n[48\n,\n16\n,\n{\n}\n,\n\"p\"\n,\n[\n]\n,\n{\n}\n]\n",
        "\r\n[\t48\t,\t17\t,\t{\t\"a\"\t:\t1\t}\t,\t\"p\"\t]\t",
        /* YIELD */
        "[70,6131533,{}]",
        "[70,6131533,{},[\"Hello, world!\"]]",
        "[70,6131533,{\"progress\":true},[],{\"userid\":123,\"karma\":10}]",
        " [70 , 18 , { } , [ ] ] ",
        "[70,19,{},[\"\\u0000AQID\"]]",
        "[70,20,{\"a\":{\"b\":{\"c\":[1,2,{\"d\":\"\\u0000\"}]}}},[{}],{\"z\":[]}]",
};

static void envelope_json_matches_slow_path(void **state)
{
	struct wd_envelope e = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(fast_msgs) / sizeof(fast_msgs[0]); i++)
		check_same_free(&e, JSON, u8(fast_msgs[i]), strlen(fast_msgs[i]), fast_msgs[i]);
	wd_envelope_deinit(&e);
}

static void envelope_msgpack_matches_slow_path(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(fast_msgs) / sizeof(fast_msgs[0]); i++) {
		to_msgpack(fast_msgs[i], strlen(fast_msgs[i]), &b);
		check_same_free(&e, MSGPACK, b.data, b.len, fast_msgs[i]);
	}
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* msgpack encodings other than the shortest ones msgpack-c writes. */
static const struct text msgpack_fast[] = {
        /* [16 as int8, 1 as uint64, {}, "t"] */
        S("\x94\xd0\x10\xcf\x00\x00\x00\x00\x00\x00\x00\x01\x80\xa1t"),
        /* uint8 type, uint16 ID, str8 URI */
        S("\x94\xcc\x10\xcd\x01\x00\x80\xd9\x01t"),
        /* array16 root, str16 URI; str32 URI */
        S("\xdc\x00\x04\x10\x01\x80\xda\x00\x01t"),
        S("\x94\x10\x01\x80\xdb\x00\x00\x00\x01t"),
        /* CALL in array32, map16 options {"k":true}, array16 args [1.5 as float32] */
        S("\xdd\x00\x00\x00\x05\x30\x01\xde\x00\x01\xa1k\xc3\xa1p\xdc\x00\x01\xca\x3f\xc0\x00\x00"),
        /* ID 2^53 */
        S("\x94\x10\xcf\x00\x20\x00\x00\x00\x00\x00\x00\x80\xa1t"),
        /* INT64_MAX as uint64 and INT64_MIN as int64 in the payload */
        S("\x95\x10\x01\x80\xa1t\x91\xcf\x7f\xff\xff\xff\xff\xff\xff\xff"),
        S("\x95\x10\x01\x80\xa1t\x91\xd3\x80\x00\x00\x00\x00\x00\x00\x00"),
        /* empty URI (msgpack-c may leave its pointer NULL), empty key and string */
        S("\x94\x10\x01\x80\xa0"),
        S("\x95\x10\x01\x81\xa0\xa0\xa1t\x91\xa0"),
        /* a repeated options key: the last one wins on both paths */
        S("\x94\x10\x01\x82\xa1k\x01\xa1k\x02\xa1t"),
        /* bin 8 and 16 in the payload, bin in the options */
        S("\x96\x10\x01\x80\xa1t\x92\xc4\x03\x01\x02\x03\xc4\x00\x81\xa1k\xc5\x00\x01\xff"),
        S("\x94\x10\x01\x81\xa1k\xc4\x02\x00\x01\xa1t"),
        /* YIELD: map32 kwargs; float64 args; negative integers of every width; no payload */
        S("\x95\x46\x01\x80\x90\xdf\x00\x00\x00\x01\xa1k\xc0"),
        S("\x94\x46\x01\x80\x91\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"),
        S("\x94\x46\x01\x80\x95\xff\xe0\xd0\x80\xd1\x80\x00\xd2\x80\x00\x00\x00"),
        S("\x93\x46\x01\x80"),
        /* invalid UTF-8 inside a bin is just bytes */
        S("\x95\x30\x01\x80\xa1p\x91\xc4\x02\xff\xfe"),
};

static void envelope_msgpack_other_encodings_match_slow_path(void **state)
{
	struct wd_envelope e = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(msgpack_fast) / sizeof(msgpack_fast[0]); i++) {
		char what[32];
		snprintf(what, sizeof(what), "msgpack_fast[%zu]", i);
		check_same_free(&e, MSGPACK, u8(msgpack_fast[i].p), msgpack_fast[i].len, what);
	}
	wd_envelope_deinit(&e);
}

/* Appends n copies of the text piece to *w. */
static void put(char **w, const char *piece, int n)
{
	size_t len = strlen(piece);
	for (int i = 0; i < n; i++) {
		memcpy(*w, piece, len);
		*w += len;
	}
}

/* Returns a PUBLISH whose Arguments (or Options) nest depth containers: the message is
 * depth + 1 deep. */
static char *deep_publish(int depth, bool in_options)
{
	char *s = malloc((size_t)depth * 6 + 32), *w = s;
	if (s == NULL)
		abort();
	if (in_options) {
		put(&w, "[16,1,", 1);
		put(&w, "{\"a\":", depth);
		put(&w, "1", 1);
		put(&w, "}", depth);
		put(&w, ",\"t\"]", 1);
	} else {
		put(&w, "[16,1,{},\"t\",", 1);
		put(&w, "[", depth);
		put(&w, "]", depth);
		put(&w, "]", 1);
	}
	*w = '\0';
	return s;
}

/* JSON allows 64 levels, the root included; msgpack 32 (codec.h). */
static void envelope_nesting_limits_match_codecs(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	(void)state;
	for (int opt = 0; opt < 2; opt++) {
		char *ok = deep_publish(63, opt), *deep = deep_publish(64, opt);
		check_same_free(&e, JSON, u8(ok), strlen(ok), "63 levels under the root");
		check_declined(&e, JSON, u8(deep), strlen(deep), false, "64 levels under the root");
		free(ok);
		free(deep);
		ok = deep_publish(31, opt);
		deep = deep_publish(32, opt);
		to_msgpack(ok, strlen(ok), &b);
		check_same_free(&e, MSGPACK, b.data, b.len, "31 levels under the root");
		to_msgpack(deep, strlen(deep), &b);
		check_declined(&e, MSGPACK, b.data, b.len, false, "32 levels under the root");
		free(ok);
		free(deep);
	}
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* ---- The options cache ---- */

static void envelope_repeated_options_share_one_dict(void **state)
{
	static const char *const msgs[] = {
	        "[16,1,{\"acknowledge\":true},\"a\"]",
	        "[16,2,{\"acknowledge\":true},\"b\",[1]]",
	        "[48,3,{\"acknowledge\":true},\"c\",[],{}]",
	        "[70,4,{\"acknowledge\":true},[2]]",
	        "[70,5,{\"acknowledge\":true}]",
	};
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	json_t *first_json = NULL, *first_mp = NULL;
	(void)state;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		json_t *d = check_same(&e, JSON, u8(msgs[i]), strlen(msgs[i]), msgs[i]);
		if (first_json == NULL)
			first_json = json_incref(d);
		assert_ptr_equal(d, first_json);
		json_decref(d);
		/* msgpack: the options bytes are the same whatever follows them. */
		to_msgpack(msgs[i], strlen(msgs[i]), &b);
		d = check_same(&e, MSGPACK, b.data, b.len, msgs[i]);
		if (first_mp == NULL)
			first_mp = json_incref(d);
		assert_ptr_equal(d, first_mp);
		json_decref(d);
	}
	/* One entry per codec: equal content, separate dicts. */
	assert_ptr_not_equal(first_json, first_mp);
	assert_true(json_equal(first_json, first_mp));
	/* Different bytes, same meaning: a separate entry, equal content. */
	{
		const char *spaced = "[16,6,{ \"acknowledge\" : true },\"a\"]";
		json_t *d = check_same(&e, JSON, u8(spaced), strlen(spaced), spaced);
		assert_ptr_not_equal(d, first_json);
		assert_true(json_equal(d, first_json));
		json_decref(d);
	}
	json_decref(first_json);
	json_decref(first_mp);
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* More distinct options than the cache holds (WD_ENVELOPE_CACHE, round robin): every decode
 * stays right, the newest entries stay shared, the oldest are replaced. */
static void envelope_cache_wraps_around_correctly(void **state)
{
	enum { N = 3 * WD_ENVELOPE_CACHE + 3 };
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	json_t *held[2][N];
	char msg[N][64];
	(void)state;
	for (int codec = 0; codec < 2; codec++) {
		const struct wd_codec *c = codec == 0 ? JSON : MSGPACK;
		for (int i = 0; i < N; i++) {
			snprintf(msg[i], sizeof(msg[i]),
			         "[16,%d,{\"n\":%d,\"s\":\"v%d\"},\"t\",[%d]]", i, i, i, i);
			if (c == MSGPACK)
				to_msgpack(msg[i], strlen(msg[i]), &b);
			held[codec][i] =
			        c == JSON ? check_same(&e, c, u8(msg[i]), strlen(msg[i]), msg[i])
			                  : check_same(&e, c, b.data, b.len, msg[i]);
		}
		for (int i = 0; i < N; i++) {
			json_t *d;
			if (c == MSGPACK)
				to_msgpack(msg[i], strlen(msg[i]), &b);
			d = c == JSON ? check_same(&e, c, u8(msg[i]), strlen(msg[i]), msg[i])
			              : check_same(&e, c, b.data, b.len, msg[i]);
			assert_true(json_equal(d, held[codec][i]));
			/* N > WD_ENVELOPE_CACHE: the first options were evicted long ago. */
			if (i == 0)
				assert_ptr_not_equal(d, held[codec][i]);
			json_decref(d);
		}
	}
	for (int codec = 0; codec < 2; codec++)
		for (int i = 0; i < N; i++)
			json_decref(held[codec][i]);
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

static void envelope_cache_keeps_newest_entries(void **state)
{
	struct wd_envelope e = {0};
	json_t *held[WD_ENVELOPE_CACHE + 1];
	char msg[WD_ENVELOPE_CACHE + 1][48];
	(void)state;
	for (int i = 0; i <= WD_ENVELOPE_CACHE; i++) {
		snprintf(msg[i], sizeof(msg[i]), "[70,%d,{\"i\":%d}]", i, i);
		held[i] = check_same(&e, JSON, u8(msg[i]), strlen(msg[i]), msg[i]);
	}
	/* Entries 1..8 are the 8 newest: each is still the same dict. */
	for (int i = WD_ENVELOPE_CACHE; i >= 1; i--) {
		json_t *d = check_same(&e, JSON, u8(msg[i]), strlen(msg[i]), msg[i]);
		assert_ptr_equal(d, held[i]);
		json_decref(d);
	}
	for (int i = 0; i <= WD_ENVELOPE_CACHE; i++)
		json_decref(held[i]);
	wd_envelope_deinit(&e);
}

/* Options longer than WD_ENVELOPE_CACHE_BYTES are parsed every time, and correctly. */
static void envelope_long_options_are_not_cached(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	char msg[256];
	json_t *a, *d;
	(void)state;
	snprintf(msg, sizeof(msg), "[16,1,{\"k\":\"%0*d\"},\"t\",[1]]", WD_ENVELOPE_CACHE_BYTES, 7);
	for (int codec = 0; codec < 2; codec++) {
		const struct wd_codec *c = codec == 0 ? JSON : MSGPACK;
		const uint8_t *in = u8(msg);
		size_t len = strlen(msg);
		if (c == MSGPACK) {
			to_msgpack(msg, len, &b);
			in = b.data;
			len = b.len;
		}
		a = check_same(&e, c, in, len, msg);
		d = check_same(&e, c, in, len, msg);
		assert_ptr_not_equal(a, d);
		assert_true(json_equal(a, d));
		json_decref(a);
		json_decref(d);
	}
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* ---- Messages the fast path declines ---- */

static const struct {
	struct text t;
	bool slow_ok;
} json_declined[] = {
        /* Other message types, valid or not. */
        {S("[32,713845233,{},\"com.myapp.mytopic1\"]"), true},
        {S("[64,25349185,{},\"com.myapp.myprocedure1\"]"), true},
        {S("[8,48,7814135,{},\"wamp.error.no_such_procedure\"]"), true},
        {S("[8,48,7814135,{},\"wamp.error.x\",[1],{\"a\":1}]"), true},
        {S("[1,\"realm1\",{}]"), true},
        {S("[50,1,{},[1]]"), true},
        {S("[36,1,2,{},[1]]"), true},
        {S("[68,1,2,{},[1]]"), true},
        {S("[6,{},\"wamp.close.normal\"]"), true},
        {S("[17,1,2]"), true},
        {S("[99,1,{},\"t\"]"), false},
        /* IDs: beyond 2^53, beyond 16 digits, negative, reals, quoted, leading zeros. */
        {S("[16,9007199254740993,{},\"t\"]"), false},
        {S("[16,10000000000000000,{},\"t\"]"), false},
        {S("[16,99999999999999999999,{},\"t\"]"), false},
        {S("[16,-1,{},\"t\"]"), false},
        {S("[16,-0,{},\"t\"]"), true},
        {S("[16,1.0,{},\"t\"]"), false},
        {S("[16,1e3,{},\"t\"]"), false},
        {S("[16,1E0,{},\"t\"]"), false},
        {S("[16,\"1\",{},\"t\"]"), false},
        {S("[16,01,{},\"t\"]"), false},
        {S("[16.0,1,{},\"t\"]"), false},
        {S("[16e0,1,{},\"t\"]"), false},
        {S("[016,1,{},\"t\"]"), false},
        {S("[\"16\",1,{},\"t\"]"), false},
        /* URIs with escapes (valid, left to jansson), with NUL, invalid ones. */
        {S("[16,1,{},\"com.ex\\u0061mple\"]"), true},
        {S("[16,1,{},\"a\\/b\"]"), true},
        {S("[48,1,{},\"\\ud83d\\ude00\"]"), true},
        {S("[16,1,{},\"a\\u0000b\"]"), false},
        {S("[16,1,{},\"a\xff\"]"), false},
        {S("[16,1,{},\"a\tb\"]"), false},
        {S("[16,1,{},\"a\\ud800\"]"), false},
        {S("[16,1,{},5]"), false},
        {S("[16,1,{},null]"), false},
        /* Options not a dict. */
        {S("[16,1,[],\"t\"]"), false},
        {S("[16,1,null,\"t\"]"), false},
        {S("[16,1,\"{}\",\"t\"]"), false},
        {S("[70,1,[]]"), false},
        /* Payload shapes wd_msg_parse refuses. */
        {S("[16,1,{},\"t\",{\"a\":1}]"), false}, /* kwargs without args */
        {S("[70,1,{},{\"a\":1}]"), false},
        {S("[16,1,{},\"t\",\"notalist\"]"), false},
        {S("[16,1,{},\"t\",null]"), false},
        {S("[16,1,{},\"t\",\"\\u0000AQID\"]"), false}, /* payload transparency */
        {S("[16,1,{},\"t\",[],[]]"), false},
        {S("[16,1,{},\"t\",[],null]"), false},
        {S("[16,1,{},\"t\",[],{},1]"), false}, /* 3 payload elements */
        {S("[70,1,{},[],{},{}]"), false},
        {S("[48,1,{},\"p\",[],{},[]]"), false},
        {S("[16,1,{}]"), false},
        {S("[48,1,{}]"), false},
        {S("[70,1]"), false},
        {S("[16]"), false},
        /* Bytes after the message, and broken framing. */
        {S("[16,1,{},\"t\"]x"), false},
        {S("[16,1,{},\"t\"] [1]"), false},
        {S("[16,1,{},\"t\"]]"), false},
        {S("[16,1,{},\"t\"]\0"), false},
        {S("[16,1,{},\"t\"] \0"), false},
        {S("[16,1,{},\"t\""), false},
        {S("[16,1,{},\"t\","), false},
        {S("[16,1,{},\"t\",]"), false},
        {S("[16,1 {},\"t\"]"), false},
        {S("[16,,1,{},\"t\"]"), false},
        {S("\xef\xbb\xbf[16,1,{},\"t\"]"), false},
        {S(""), false},
        {S("[]"), false},
        {S("{}"), false},
        {S("\"x\""), false},
        {S("16"), false},
        /* Invalid JSON inside the options or the payload. */
        {S("[16,1,{},\"t\",[1,]]"), false},
        {S("[16,1,{},\"t\",[01]]"), false},
        {S("[16,1,{},\"t\",[\"\\x\"]]"), false},
        {S("[16,1,{},\"t\",[\"\xc0\x80\"]]"), false},
        {S("[16,1,{},\"t\",[\"\\ud800\"]]"), false},
        {S("[16,1,{},\"t\",[],{\"a\":}]"), false},
        {S("[16,1,{},\"t\",[],{\"\\u0000\":1}]"), false},
        {S("[16,1,{\"\\u0000\":1},\"t\"]"), false},
        {S("[16,1,{\"a\":},\"t\"]"), false},
        {S("[16,1,{\"a\":1,},\"t\"]"), false},
        {S("[16,1,{\"a\":1]"), false},
        {S("[16,1,{},\"t\",[9223372036854775808]]"), false},
        {S("[70,1,{},[-9223372036854775809]]"), false},
        /* Valid JSON the scanner leaves to jansson (json_scan.h). */
        {S("[16,1,{},\"t\",[1e100]]"), true},
        {S("[16,1,{\"x\":1e100},\"t\"]"), true},
        {S("[16,1,{},\"t\",[],{\"a\":1e-100}]"), true},
};

static void envelope_json_declines_other_types_and_shapes(void **state)
{
	struct wd_envelope e = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(json_declined) / sizeof(json_declined[0]); i++)
		check_declined(&e, JSON, u8(json_declined[i].t.p), json_declined[i].t.len,
		               json_declined[i].slow_ok, json_declined[i].t.p);
	wd_envelope_deinit(&e);
}

/* The declined JSON cases that are valid JSON, as msgpack: declined as well, except these,
 * whose only problem was their JSON spelling. */
static const char *const json_only_declines[] = {
        "[16,-0,{},\"t\"]",
        "[16,1,{},\"com.ex\\u0061mple\"]",
        "[16,1,{},\"a\\/b\"]",
        "[48,1,{},\"\\ud83d\\ude00\"]",
        "[16,1,{},\"t\",[1e100]]",
        "[16,1,{\"x\":1e100},\"t\"]",
        "[16,1,{},\"t\",[],{\"a\":1e-100}]",
};

static bool is_json_only_decline(const char *text)
{
	for (size_t i = 0; i < sizeof(json_only_declines) / sizeof(json_only_declines[0]); i++)
		if (strcmp(text, json_only_declines[i]) == 0)
			return true;
	return false;
}

static void envelope_msgpack_declines_json_cases_too(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	size_t n = 0, fast = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(json_declined) / sizeof(json_declined[0]); i++) {
		const char *text = json_declined[i].t.p;
		json_error_t err;
		json_t *v = json_loadb(text, json_declined[i].t.len, JSON_ALLOW_NUL, &err);
		if (v == NULL)
			continue;
		b.len = 0;
		if (MSGPACK->encode(v, &b) == 0) {
			if (is_json_only_decline(text)) {
				check_same_free(&e, MSGPACK, b.data, b.len, text);
				fast++;
			} else {
				check_declined(&e, MSGPACK, b.data, b.len, json_declined[i].slow_ok,
				               text);
			}
			n++;
		}
		json_decref(v);
	}
	print_message("# %zu declined JSON cases checked as msgpack\n", n);
	assert_int_equal(fast, sizeof(json_only_declines) / sizeof(json_only_declines[0]));
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

static const struct {
	struct text t;
	bool slow_ok;
	const char *what;
} msgpack_declined[] = {
        {S("\x94\x20\x01\x80\xa1t"), true, "SUBSCRIBE"},
        {S("\x94\x40\x01\x80\xa1t"), true, "REGISTER"},
        {S("\x95\x08\x30\x01\x80\xa1t"), true, "ERROR"},
        {S("\x93\x01\xa1r\x80"), true, "HELLO"},
        {S("\x94\x10\xcf\x00\x20\x00\x00\x00\x00\x00\x01\x80\xa1t"), false, "ID 2^53 + 1"},
        {S("\x94\x10\xcf\xff\xff\xff\xff\xff\xff\xff\xff\x80\xa1t"), false, "ID 2^64 - 1"},
        {S("\x94\x10\xff\x80\xa1t"), false, "ID -1"},
        {S("\x94\x10\xd3\xff\xff\xff\xff\xff\xff\xff\xff\x80\xa1t"), false, "ID -1 as int64"},
        {S("\x94\x10\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00\x80\xa1t"), false, "ID 1.0"},
        {S("\x94\x10\xca\x3f\x80\x00\x00\x80\xa1t"), false, "ID 1.0 as float32"},
        {S("\x94\xcb\x40\x30\x00\x00\x00\x00\x00\x00\x01\x80\xa1t"), false, "type 16.0"},
        {S("\x94\xa2\x31\x36\x01\x80\xa1t"), false, "type \"16\""},
        {S("\x94\x10\xa1\x31\x80\xa1t"), false, "ID \"1\""},
        {S("\x94\x10\x01\x80\xa3\x61\x00\x62"), false, "URI with NUL"},
        {S("\x94\x10\x01\x80\xa1\x00"), false, "URI that is NUL"},
        {S("\x94\x10\x01\x80\xa1\xff"), false, "URI with invalid UTF-8"},
        {S("\x94\x10\x01\x80\xa3\xed\xa0\x80"), false, "URI with a surrogate"},
        {S("\x94\x10\x01\x80\xc4\x01t"), false, "URI as bin"},
        {S("\x94\x10\x01\x80\x05"), false, "URI as integer"},
        {S("\x94\x10\x01\x90\xa1t"), false, "options as array"},
        {S("\x94\x10\x01\xc0\xa1t"), false, "options nil"},
        {S("\x94\x10\x01\x81\x01\x02\xa1t"), false, "options key integer"},
        {S("\x94\x10\x01\x81\xc4\x01k\x02\xa1t"), false, "options key bin"},
        {S("\x94\x10\x01\x81\xa2k\x00\x01\xa1t"), false, "options key with NUL"},
        {S("\x94\x10\x01\x81\xa1\xc3\x01\xa1t"), false, "options key invalid UTF-8"},
        {S("\x94\x10\x01\x81\xa1k\xa1\xff\xa1t"), false, "options value invalid UTF-8"},
        {S("\x94\x10\x01\x81\xa1k\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\xa1t"), false, "options NaN"},
        {S("\x94\x10\x01\x81\xa1k\xcf\x80\x00\x00\x00\x00\x00\x00\x00\xa1t"), false,
         "options uint64 2^63"},
        {S("\x94\x10\x01\x81\xa1k\xd4\x01\x00\xa1t"), false, "options ext"},
        {S("\x95\x10\x01\x80\xa1t\x80"), false, "kwargs without args"},
        {S("\x94\x46\x01\x80\x80"), false, "YIELD kwargs without args"},
        {S("\x95\x10\x01\x80\xa1t\xa1x"), false, "args a string"},
        {S("\x95\x10\x01\x80\xa1t\xc0"), false, "args nil"},
        {S("\x95\x10\x01\x80\xa1t\xc4\x01x"), false, "args bin"},
        {S("\x96\x10\x01\x80\xa1t\x90\x90"), false, "kwargs an array"},
        {S("\x96\x10\x01\x80\xa1t\x90\xc0"), false, "kwargs nil"},
        {S("\x97\x10\x01\x80\xa1t\x90\x80\x01"), false, "3 payload elements"},
        {S("\x96\x46\x01\x80\x90\x80\x01"), false, "YIELD 3 payload elements"},
        {S("\x93\x10\x01\x80"), false, "PUBLISH without URI"},
        {S("\x92\x46\x01"), false, "YIELD without options"},
        {S("\x91\x30"), false, "CALL alone"},
        {S("\x94\x10\x01\x80\xa1t\xc0"), false, "trailing byte"},
        {S("\x94\x10\x01\x80\xa1t\x94\x10\x01\x80\xa1t"), false, "two messages"},
        {S("\x95\x10\x01\x80\xa1t\x91"), false, "truncated"},
        {S("\x94\x10\x01\x80\xa2t"), false, "truncated string"},
        {S("\x95\x10\x01\x80\xa1t\x91\xa2\xc3\x28"), false, "payload invalid UTF-8"},
        {S("\x95\x10\x01\x80\xa1t\x91\xa3\xed\xbf\xbf"), false, "payload surrogate"},
        {S("\x95\x10\x01\x80\xa1t\x91\xa2\xc0\x80"), false, "payload overlong"},
        {S("\x96\x10\x01\x80\xa1t\x90\x81\xa1\xff\x01"), false, "kwargs key invalid UTF-8"},
        {S("\x96\x10\x01\x80\xa1t\x90\x81\xa1\x00\x01"), false, "kwargs key NUL"},
        {S("\x96\x10\x01\x80\xa1t\x90\x81\x01\x02"), false, "kwargs key integer"},
        {S("\x95\x10\x01\x80\xa1t\x91\x81\x01\x02"), false, "nested map key integer"},
        {S("\x95\x10\x01\x80\xa1t\x91\xcf\x80\x00\x00\x00\x00\x00\x00\x00"), false,
         "payload uint64 2^63"},
        {S("\x95\x10\x01\x80\xa1t\x91\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), false,
         "payload uint64 2^64 - 1"},
        {S("\x96\x10\x01\x80\xa1t\x90\x81\xa1k\xcf\x80\x00\x00\x00\x00\x00\x00\x01"), false,
         "kwargs uint64 beyond int64"},
        {S("\x95\x10\x01\x80\xa1t\x91\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"), false, "payload NaN"},
        {S("\x95\x10\x01\x80\xa1t\x91\xcb\xff\xf0\x00\x00\x00\x00\x00\x00"), false,
         "payload -infinity"},
        {S("\x95\x10\x01\x80\xa1t\x91\xca\x7f\x80\x00\x00"), false, "payload float32 infinity"},
        {S("\x96\x10\x01\x80\xa1t\x90\x81\xa1k\xca\x7f\xc0\x00\x00"), false, "kwargs NaN"},
        {S("\x95\x10\x01\x80\xa1t\x91\xd4\x01\x00"), false, "payload fixext 1"},
        {S("\x95\x10\x01\x80\xa1t\x91\xc7\x01\x05\x00"), false, "payload ext 8"},
        {S("\x95\x10\x01\x80\xa1t\x91\xc1"), false, "payload 0xc1"},
        {S("\x95\x10\x01\x80\xa1t\x9f"), false, "array count beyond the bytes"},
        {S("\x95\x10\x01\x80\xa1t\xdd\xff\xff\xff\xff"), false, "array32 count 2^32 - 1"},
        {S("\x81\xa1k\x01"), false, "root map"},
        {S("\x90"), false, "empty array"},
        {S(""), false, "empty input"},
        {S("\x10"), false, "integer root"},
};

static void envelope_msgpack_declines_other_types_and_shapes(void **state)
{
	struct wd_envelope e = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(msgpack_declined) / sizeof(msgpack_declined[0]); i++)
		check_declined(&e, MSGPACK, u8(msgpack_declined[i].t.p), msgpack_declined[i].t.len,
		               msgpack_declined[i].slow_ok, msgpack_declined[i].what);
	wd_envelope_deinit(&e);
}

/* A JSON message is not msgpack and a msgpack message is not JSON. */
static void envelope_declines_the_other_codecs_bytes(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	const char *text = "[16,1,{},\"t\",[1]]";
	(void)state;
	to_msgpack(text, strlen(text), &b);
	check_declined(&e, MSGPACK, u8(text), strlen(text), false, "JSON as msgpack");
	check_declined(&e, JSON, b.data, b.len, false, "msgpack as JSON");
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* ---- Envelope state ---- */

static void envelope_is_busy_until_released(void **state)
{
	const char *a = "[16,1,{\"x\":1},\"topic.a\",[1]]", *b = "[48,2,{},\"proc.b\"]";
	struct wd_envelope e = {0};
	struct wd_msg ma, mb;
	(void)state;
	assert_int_equal(wd_envelope_decode(&e, JSON, u8(a), strlen(a), &ma), 0);
	assert_int_equal(wd_envelope_decode(&e, JSON, u8(b), strlen(b), &mb), WD_EUNSUPPORTED);
	assert_int_equal(wd_envelope_decode(&e, MSGPACK, u8("\x94\x10\x01\x80\xa1t"), 6, &mb),
	                 WD_EUNSUPPORTED);
	/* The first message is untouched by the refused ones. */
	assert_string_equal(ma.uri, "topic.a");
	assert_int_equal(ma.id1, 1);
	assert_int_equal(json_integer_value(json_object_get(ma.dict, "x")), 1);
	wd_envelope_release(&e);
	assert_int_equal(wd_envelope_decode(&e, JSON, u8(b), strlen(b), &mb), 0);
	assert_string_equal(mb.uri, "proc.b");
	wd_envelope_release(&e);
	wd_envelope_release(&e); /* releasing twice is harmless */
	check_same_free(&e, JSON, u8(a), strlen(a), a);
	wd_envelope_deinit(&e);
}

/* Options too long for the cache are held by the envelope for one message: still equal to
 * the slow path's while lent, released with the message (ASan reports a leak otherwise). */
static void envelope_lends_uncached_options_until_release(void **state)
{
	struct wd_envelope e = {0};
	struct wd_sbuf b = {0};
	struct wd_msg m;
	json_t *opts = json_object();
	char key[16];
	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "option%02d", i);
		json_object_set_new(opts, key, json_integer(i));
	}
	for (int c = 0; c < 2; c++) {
		const struct wd_codec *codec = c ? MSGPACK : JSON;
		json_t *msg = json_pack("[i,i,O,s,[i]]", 16, 1, opts, "t", 1);
		b.len = 0;
		assert_int_equal(codec->encode(msg, &b), 0);
		assert_int_equal(wd_envelope_decode(&e, codec, b.data, b.len, &m), 0);
		assert_true(json_equal(m.dict, opts));
		wd_envelope_release(&e);
		assert_null(e.owned);
		check_same_free(&e, codec, b.data, b.len, "long options");
		json_decref(msg);
	}
	json_decref(opts);
	wd_sbuf_free(&b);
	wd_envelope_deinit(&e);
}

/* A declined message does not make the envelope busy or spoil the next one. */
static void envelope_declined_message_leaves_envelope_usable(void **state)
{
	struct wd_envelope e = {0};
	const char *good =
	        "[16,1,{\"y\":2},\"a.long.topic.name.to.grow.the.buffer\",[1],{\"k\":1}]";
	const char *bad = "[16,1,{\"y\":2},\"short\",[1],{\"k\":1},3]"; /* fails after the URI */
	(void)state;
	for (int i = 0; i < 3; i++) {
		check_declined(&e, JSON, u8(bad), strlen(bad), false, bad);
		check_same_free(&e, JSON, u8(good), strlen(good), good);
	}
	check_declined(&e, MSGPACK, u8("\x97\x10\x01\x80\xa1t\x90\x80\x01"), 9, false, "msgpack");
	check_same_free(&e, MSGPACK, u8("\x94\x10\x01\x80\xa1t"), 6, "msgpack after a decline");
	wd_envelope_deinit(&e);
	wd_envelope_deinit(&e); /* deinit twice is harmless */
}

/* A zeroed envelope that never decoded anything deinits cleanly. */
static void envelope_unused_deinits_cleanly(void **state)
{
	struct wd_envelope e = {0};
	(void)state;
	wd_envelope_deinit(&e);
}

static void payload_decode_of_message_without_payload_gives_nulls(void **state)
{
	struct wd_msg m = {0};
	json_t *args = (json_t *)1, *kwargs = (json_t *)1;
	(void)state;
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), 0);
	assert_null(args);
	assert_null(kwargs);
}

static void payload_decode_refuses_raw_that_is_not_a_payload(void **state)
{
	struct wd_msg m = {0};
	json_t *args, *kwargs;
	(void)state;
	m.raw_codec = JSON;
	m.raw = u8("1");
	m.raw_len = 1;
	m.raw_count = 1;
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), WD_EDECODE);
	m.raw = u8("[1],[2]");
	m.raw_len = 7;
	m.raw_count = 2;
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), WD_EDECODE);
	m.raw = u8("[1],{\"a\":[2]}");
	m.raw_len = 13;
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), 0);
	assert_int_equal(json_array_size(args), 1);
	assert_int_equal(json_object_size(kwargs), 1);
	json_decref(args);
	json_decref(kwargs);
	m.raw_codec = MSGPACK;
	m.raw = u8("\x91\x01\x81\xa1k\x02");
	m.raw_len = 6;
	m.raw_count = 2;
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), 0);
	json_decref(args);
	json_decref(kwargs);
	m.raw_count = 1; /* the count must cover the bytes */
	assert_int_equal(wd_msg_payload_decode(&m, &args, &kwargs), WD_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(envelope_json_matches_slow_path),
	        cmocka_unit_test(envelope_msgpack_matches_slow_path),
	        cmocka_unit_test(envelope_msgpack_other_encodings_match_slow_path),
	        cmocka_unit_test(envelope_nesting_limits_match_codecs),
	        cmocka_unit_test(envelope_repeated_options_share_one_dict),
	        cmocka_unit_test(envelope_cache_wraps_around_correctly),
	        cmocka_unit_test(envelope_cache_keeps_newest_entries),
	        cmocka_unit_test(envelope_long_options_are_not_cached),
	        cmocka_unit_test(envelope_json_declines_other_types_and_shapes),
	        cmocka_unit_test(envelope_msgpack_declines_json_cases_too),
	        cmocka_unit_test(envelope_msgpack_declines_other_types_and_shapes),
	        cmocka_unit_test(envelope_declines_the_other_codecs_bytes),
	        cmocka_unit_test(envelope_is_busy_until_released),
	        cmocka_unit_test(envelope_lends_uncached_options_until_release),
	        cmocka_unit_test(envelope_declined_message_leaves_envelope_usable),
	        cmocka_unit_test(envelope_unused_deinits_cleanly),
	        cmocka_unit_test(payload_decode_of_message_without_payload_gives_nulls),
	        cmocka_unit_test(payload_decode_refuses_raw_that_is_not_a_payload),
	};
	return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
