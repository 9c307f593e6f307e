/* Unit tests for payload pass-through (codec element_span + encode_spliced, wd_msg_attach_raw):
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

/* Re-encodes m as head (elements before the payload) + raw payload and compares. */
static void check_splice(const struct wd_codec *c, const uint8_t *in, size_t len, const char *what)
{
	json_t *root = NULL, *head, *again = NULL;
	struct wd_msg m;
	struct wd_sbuf out = {0};
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
	head = json_array();
	for (size_t i = 0; i < keep; i++)
		json_array_append(head, json_array_get(root, i));
	assert_int_equal(c->encode_spliced(head, m.raw, m.raw_len, m.raw_count, &out), 0);
	if (c->decode(out.data, out.len, &again) < 0)
		fail_msg("%s: spliced %s message does not decode", what, c->name);
	if (!json_equal(root, again))
		fail_msg("%s: spliced %s message differs from the original", what, c->name);
	json_decref(again);
	json_decref(head);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(vectors_splice_back_to_the_original_json),
	        cmocka_unit_test(vectors_splice_back_to_the_original_msgpack),
	        cmocka_unit_test(json_span_survives_strings_with_brackets_and_escapes),
	        cmocka_unit_test(span_of_missing_element_is_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
