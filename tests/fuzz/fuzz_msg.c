/* Fuzz target for wd_msg_parse behind both codecs: the input is decoded as JSON and as msgpack;
 * each value that decodes is parsed, its typed fields are checked against the contract, and a
 * valid message is re-encoded with both codecs and must parse again to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "protocol/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fields(const struct wd_msg *m)
{
	if (strcmp(wd_msg_type_name(m->type), "UNKNOWN") == 0)
		abort();
	if (m->id1 > WD_ID_MAX || m->id2 > WD_ID_MAX)
		abort();
	if (m->dict != NULL && !json_is_object(m->dict))
		abort();
	if (m->dict == NULL && m->type != WD_MSG_UNSUBSCRIBED && m->type != WD_MSG_UNREGISTERED &&
	    m->type != WD_MSG_PUBLISHED && m->type != WD_MSG_SUBSCRIBED &&
	    m->type != WD_MSG_UNSUBSCRIBE && m->type != WD_MSG_REGISTERED &&
	    m->type != WD_MSG_UNREGISTER)
		abort();
	if (m->args != NULL && !json_is_array(m->args))
		abort();
	if (m->kwargs != NULL && (!json_is_object(m->kwargs) || m->args == NULL))
		abort();
}

static int depth(const json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;
	int d = 0, cd;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			if ((cd = depth(child)) > d)
				d = cd;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
		{
			if ((cd = depth(child)) > d)
				d = cd;
		}
	} else {
		return 0;
	}
	return d + 1;
}

static bool same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Encodes m's root with c, decodes and parses it again; the typed fields must match. */
static void reencode(const struct wd_msg *m, const struct wd_codec *c)
{
	struct wd_sbuf b = {0};
	struct wd_msg m2;
	json_t *v;
	int rc;

	rc = c->encode(m->root, &b);
	if (rc == WD_EINVAL && c == &wd_codec_msgpack)
		goto done; /* a NUL-prefixed string that is not base64 */
	if (rc != 0)
		abort();
	rc = c->decode(b.data, b.len, &v);
	if (rc == WD_EDECODE && c == &wd_codec_msgpack && depth(m->root) > 32)
		goto done; /* msgpack-c's nesting limit */
	if (rc != 0)
		abort();
	if (wd_msg_parse(v, &m2) != 0)
		abort();
	if (m2.type != m->type || m2.id1 != m->id1 || m2.id2 != m->id2 ||
	    m2.req_type != m->req_type || !same_str(m2.uri, m->uri) ||
	    (m2.dict == NULL) != (m->dict == NULL) || (m2.args == NULL) != (m->args == NULL) ||
	    (m2.kwargs == NULL) != (m->kwargs == NULL))
		abort();
	json_decref(v);
done:
	wd_sbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wd_codec *codecs[] = {&wd_codec_json, &wd_codec_msgpack};

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct wd_msg m;
		json_t *v;

		if (codecs[i]->decode(data, size, &v) != 0)
			continue;
		if (wd_msg_parse(v, &m) == 0) {
			check_fields(&m);
			reencode(&m, &wd_codec_json);
			reencode(&m, &wd_codec_msgpack);
		}
		json_decref(v);
	}
	return 0;
}
