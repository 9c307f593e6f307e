/* Differential fuzz target for protocol/envelope.c: the input is decoded under both codecs by
 * the fast path and, when it accepts, by the slow path (codec->decode + wd_msg_parse +
 * wd_msg_attach_raw), which must accept too and give the same type, ID, URI, dict, raw span
 * and count; the raw payload must decode (wd_msg_payload_decode) to the slow path's Arguments
 * and ArgumentsKw. One envelope lives across inputs, so the options cache holds dicts from
 * earlier inputs and every hit is checked against a fresh decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "protocol/envelope.h"
#include "protocol/error.h"
#include "protocol/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wd_envelope env;

static bool both_null_or_equal(const json_t *a, const json_t *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && json_equal(a, b));
}

static void check(const struct wd_codec *c, const uint8_t *data, size_t size)
{
	struct wd_msg fast, slow, busy;
	json_t *root = NULL, *args = NULL, *kwargs = NULL;
	int rc = wd_envelope_decode(&env, c, data, size, &fast);

	if (rc == WD_EUNSUPPORTED || rc == WD_ENOMEM)
		return;
	if (rc != 0)
		abort(); /* the fast path only ever says "handled" or "not mine" */
	/* Busy until released. */
	if (wd_envelope_decode(&env, c, data, size, &busy) != WD_EUNSUPPORTED)
		abort();

	if (c->decode(data, size, &root) != 0 || wd_msg_parse(root, &slow) != 0)
		abort();
	wd_msg_attach_raw(&slow, c, data, size);
	if (fast.type != slow.type || fast.id1 != slow.id1 || fast.id2 != 0 || fast.req_type != 0)
		abort();
	if (fast.type != WD_MSG_PUBLISH && fast.type != WD_MSG_CALL && fast.type != WD_MSG_YIELD)
		abort();
	if (fast.root != NULL || fast.args != NULL || fast.kwargs != NULL)
		abort();
	if ((fast.uri == NULL) != (slow.uri == NULL) ||
	    (fast.uri != NULL && strcmp(fast.uri, slow.uri) != 0))
		abort();
	if (!json_is_object(fast.dict) || !json_equal(fast.dict, slow.dict))
		abort();
	if (fast.raw != slow.raw || fast.raw_len != slow.raw_len ||
	    fast.raw_count != slow.raw_count || fast.raw_codec != slow.raw_codec)
		abort();
	if (fast.raw != NULL && (fast.raw_codec != c || fast.raw_count < 1 || fast.raw_count > 2))
		abort();

	rc = wd_msg_payload_decode(&fast, &args, &kwargs);
	if (rc == 0) {
		if (!both_null_or_equal(args, slow.args) ||
		    !both_null_or_equal(kwargs, slow.kwargs))
			abort();
	} else if (rc != WD_ENOMEM) {
		abort();
	}
	json_decref(args);
	json_decref(kwargs);
	wd_envelope_release(&env);
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(&wd_codec_json, data, size);
	check(&wd_codec_msgpack, data, size);
	/* Again, now that the options may be cached by the first round. */
	check(&wd_codec_json, data, size);
	check(&wd_codec_msgpack, data, size);
	return 0;
}
