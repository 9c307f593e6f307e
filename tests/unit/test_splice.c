/* Unit tests for payload pass-through (codec element_span + encode_head, wd_msg_attach_raw):
 * for every spec vector with a payload, a message rebuilt from its head and the payload bytes
 * as they arrived decodes to the original message, for both serializers. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "protocol/msg.h"
#include "vectors.h"

struct run {
	const struct wd_codec *codec;
	size_t spliced;
};

/* The elements of root before its payload (keep of them) as a struct wd_head: integers, then
 * a dict, then a string, which is the shape of every message that carries a payload. */
static void head_of(json_t *root, size_t keep, struct wd_head *h)
{
	size_t i = 0;
	memset(h, 0, sizeof(*h));
	for (; i < keep && json_is_integer(json_array_get(root, i)); i++)
		h->ints[h->n_ints++] = (uint64_t)json_integer_value(json_array_get(root, i));
	if (i < keep && json_is_object(json_array_get(root, i))) {
		h->has_dict = true;
		h->dict = json_array_get(root, i++);
	}
	if (i < keep && json_is_string(json_array_get(root, i)))
		h->uri = json_string_value(json_array_get(root, i++));
	assert_int_equal(i, keep);
}

/* Re-encodes m as head (elements before the payload) + raw payload and compares. */
static void check_splice(const struct wd_codec *c, const uint8_t *in, size_t len, const char *what)
{
	json_t *root = NULL, *again = NULL;
	struct wd_msg m;
	struct wd_sbuf out = {0};
	struct wd_head head;
	size_t keep;
	if (c->decode(in, len, &root) < 0)
		return; /* samples the codec rejects are the codec tests' business */
	if (wd_msg_parse(root, &m) < 0) {
		json_decref(root);
		return;
	}
	wd_msg_attach_raw(&m, c, in, len);
	if (m.raw == NULL) {
		/* only messages without a payload, or types that carry none, have no raw span */
		if (m.args != NULL)
			assert_true(m.type != WD_MSG_PUBLISH && m.type != WD_MSG_CALL &&
				    m.type != WD_MSG_YIELD && m.type != WD_MSG_RESULT &&
				    m.type != WD_MSG_EVENT && m.type != WD_MSG_INVOCATION &&
				    m.type != WD_MSG_ERROR);
		json_decref(root);
		return;
	}
	keep = json_array_size(root) - m.raw_count;
	head_of(root, keep, &head);
	assert_int_equal(c->encode_head(&head, m.raw, m.raw_len, m.raw_count, &out), 0);
	if (c->decode(out.data, out.len, &again) < 0)
		fail_msg("%s: spliced %s message does not decode", what, c->name);
	if (!json_equal(root, again))
		fail_msg("%s: spliced %s message differs from the original", what, c->name);
	json_decref(again);
	json_decref(root);
	wd_sbuf_free(&out);
}

static void on_sample(const struct vec_sample *s, void *ud)
{
	struct run *r = ud;
	json_t *repr;
	size_t i;
	json_array_foreach (s->reprs, i, repr) {
		size_t len;
		uint8_t *bytes = vec_bytes(repr, &len);
		check_splice(r->codec, bytes, len, s->file);
		free(bytes);
		r->spliced++;
	}
}

static void vectors_splice_back_to_the_original_json(void **state)
{
	struct run r = {.codec = &wd_codec_json};
	(void)state;
	assert_true(vec_for_each("json", on_sample, &r) > 0);
}

static void vectors_splice_back_to_the_original_msgpack(void **state)
{
	struct run r = {.codec = &wd_codec_msgpack};
	(void)state;
	assert_true(vec_for_each("msgpack", on_sample, &r) > 0);
}

static void json_span_survives_strings_with_brackets_and_escapes(void **state)
{
	static const char in[] = " [16, 7, {\"a\": \"],\\\"[\"}, \"t.x\" , [\"a,]\\\\\", {\"k\": [1, {}]}] ,"
				 " {\"x\": \"}\"} ] ";
	json_t *root;
	struct wd_msg m;
	(void)state;
	assert_int_equal(wd_codec_json.decode((const uint8_t *)in, strlen(in), &root), 0);
	assert_int_equal(wd_msg_parse(root, &m), 0);
	wd_msg_attach_raw(&m, &wd_codec_json, (const uint8_t *)in, strlen(in));
	assert_non_null(m.raw);
	assert_int_equal(m.raw_count, 2);
	assert_int_equal(m.raw_len, strlen("[\"a,]\\\\\", {\"k\": [1, {}]}] , {\"x\": \"}\"}"));
	assert_memory_equal(m.raw, "[\"a,]\\\\\", {\"k\": [1, {}]}] , {\"x\": \"}\"}", m.raw_len);
	check_splice(&wd_codec_json, (const uint8_t *)in, strlen(in), "hand-written");
	json_decref(root);
}

static void span_of_missing_element_is_not_found(void **state)
{
	static const char in[] = "[16,7,{},\"t\"]";
	size_t off, end;
	(void)state;
	assert_int_equal(wd_codec_json.element_span((const uint8_t *)in, strlen(in), 4, &off, &end),
			 WD_ENOTFOUND);
	/* [16,7,{},"t"] in msgpack */
	static const uint8_t mp[] = {0x94, 0x10, 0x07, 0x80, 0xa1, 't'};
	assert_int_equal(wd_codec_msgpack.element_span(mp, sizeof(mp), 4, &off, &end),
			 WD_ENOTFOUND);
	assert_int_equal(wd_codec_msgpack.element_span(mp, sizeof(mp), 3, &off, &end), 0);
	assert_int_equal(off, 4);
	assert_int_equal(end, sizeof(mp));
}

/* A head alone encodes exactly as the whole message built with jansson would. */
static void head_alone_matches_the_tree_encoding(void **state)
{
	static const json_t *none;
	json_t *details = json_pack("{s:I}", "publisher", (json_int_t)9007199254740992);
	const struct wd_head heads[] = {
	        {.ints = {WD_MSG_PUBLISHED, 1, 9007199254740992}, .n_ints = 3},
	        {.ints = {WD_MSG_EVENT, 300, 70000}, .n_ints = 3, .has_dict = true, .dict = none},
	        {.ints = {WD_MSG_RESULT, 4294967296}, .n_ints = 2, .has_dict = true, .dict = details},
	        {.ints = {WD_MSG_ERROR, WD_MSG_CALL, 127}, .n_ints = 3, .has_dict = true,
	         .uri = "wamp.error.canceled \"q\" \u00e9"},
	};
	const struct wd_codec *codecs[] = {&wd_codec_json, &wd_codec_msgpack};
	(void)state;
	for (size_t c = 0; c < 2; c++)
		for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
			struct wd_sbuf direct = {0}, tree = {0};
			json_t *msg = wd_head_to_json(&heads[i]);
			assert_non_null(msg);
			assert_int_equal(codecs[c]->encode_head(&heads[i], NULL, 0, 0, &direct), 0);
			assert_int_equal(codecs[c]->encode(msg, &tree), 0);
			assert_int_equal(direct.len, tree.len);
			assert_memory_equal(direct.data, tree.data, tree.len);
			json_decref(msg);
			wd_sbuf_free(&direct);
			wd_sbuf_free(&tree);
		}
	json_decref(details);
}

/* Integers around every digit-count boundary encode as jansson itself writes them (the json
 * codec's own tree encoder writes integers with the same code as encode_head), and in msgpack
 * as msgpack-c packs them. */
static void head_integers_match_jansson(void **state)
{
	uint64_t v[80];
	size_t n = 0;
	(void)state;
	for (uint64_t p = 1; n + 3 <= 60; p *= 10) {
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
		if (p > UINT64_C(922337203685477580))
			break;
	}
	v[n++] = UINT64_C(9223372036854775807);
	/* msgpack's encoding boundaries */
	static const uint64_t mp[] = {127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296};
	for (size_t i = 0; i < sizeof(mp) / sizeof(mp[0]); i++)
		v[n++] = mp[i];
	for (size_t i = 0; i < n; i++) {
		struct wd_head h = {.ints = {WD_MSG_PUBLISHED, v[i], v[i]}, .n_ints = 3};
		struct wd_sbuf direct = {0};
		json_t *msg = wd_head_to_json(&h);
		char *text = json_dumps(msg, JSON_COMPACT);
		assert_int_equal(wd_codec_json.encode_head(&h, NULL, 0, 0, &direct), 0);
		assert_int_equal(direct.len, strlen(text));
		assert_memory_equal(direct.data, text, direct.len);
		free(text);
		/* msgpack: as msgpack-c packs the same integers */
		struct wd_sbuf mp = {0}, tree = {0};
		assert_int_equal(wd_codec_msgpack.encode_head(&h, NULL, 0, 0, &mp), 0);
		assert_int_equal(wd_codec_msgpack.encode(msg, &tree), 0);
		assert_int_equal(mp.len, tree.len);
		assert_memory_equal(mp.data, tree.data, tree.len);
		wd_sbuf_free(&mp);
		wd_sbuf_free(&tree);
		json_decref(msg);
		wd_sbuf_free(&direct);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(vectors_splice_back_to_the_original_json),
	        cmocka_unit_test(vectors_splice_back_to_the_original_msgpack),
	        cmocka_unit_test(json_span_survives_strings_with_brackets_and_escapes),
	        cmocka_unit_test(span_of_missing_element_is_not_found),
	        cmocka_unit_test(head_alone_matches_the_tree_encoding),
	        cmocka_unit_test(head_integers_match_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
