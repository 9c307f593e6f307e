/* Shape checks for WAMP messages: one table row per message type lists its elements in wire
 * order; wd_msg_parse() walks the row. What the values mean (URI rules, option semantics) is
 * checked later by the modules that act on them. */
#include "protocol/msg.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "protocol/codec.h"
#include "protocol/error.h"

/* Kinds of message elements after the type code. */
enum field {
	F_END = 0,
	F_ID1,      /* integer in [0, 2^53] -> id1 */
	F_ID2,      /* integer in [0, 2^53] -> id2 */
	F_REQ_TYPE, /* ERROR's REQUEST.Type: a positive integer -> req_type */
	F_DICT,     /* object -> dict */
	F_URI,      /* string without NUL -> uri */
	F_ARGS,     /* array -> args */
	F_KWARGS,   /* object -> kwargs */
};

struct layout {
	const char *name;
	unsigned min_len; /* elements, type code included; the maximum is 1 + the field count */
	enum field fields[6];
};

/* Indexed by type code; a row without a name is an unknown type. */
static const struct layout layouts[] = {
        [WD_MSG_HELLO] = {"HELLO", 3, {F_URI, F_DICT}},
        [WD_MSG_WELCOME] = {"WELCOME", 3, {F_ID1, F_DICT}},
        [WD_MSG_ABORT] = {"ABORT", 3, {F_DICT, F_URI}},
        [WD_MSG_CHALLENGE] = {"CHALLENGE", 3, {F_URI, F_DICT}},
        [WD_MSG_AUTHENTICATE] = {"AUTHENTICATE", 3, {F_URI, F_DICT}},
        [WD_MSG_GOODBYE] = {"GOODBYE", 3, {F_DICT, F_URI}},
        [WD_MSG_ERROR] = {"ERROR", 5, {F_REQ_TYPE, F_ID1, F_DICT, F_URI, F_ARGS, F_KWARGS}},
        [WD_MSG_PUBLISH] = {"PUBLISH", 4, {F_ID1, F_DICT, F_URI, F_ARGS, F_KWARGS}},
        [WD_MSG_PUBLISHED] = {"PUBLISHED", 3, {F_ID1, F_ID2}},
        [WD_MSG_SUBSCRIBE] = {"SUBSCRIBE", 4, {F_ID1, F_DICT, F_URI}},
        [WD_MSG_SUBSCRIBED] = {"SUBSCRIBED", 3, {F_ID1, F_ID2}},
        [WD_MSG_UNSUBSCRIBE] = {"UNSUBSCRIBE", 3, {F_ID1, F_ID2}},
        /* Details appear when the router revokes a subscription (advanced profile). */
        [WD_MSG_UNSUBSCRIBED] = {"UNSUBSCRIBED", 2, {F_ID1, F_DICT}},
        [WD_MSG_EVENT] = {"EVENT", 4, {F_ID1, F_ID2, F_DICT, F_ARGS, F_KWARGS}},
        [WD_MSG_CALL] = {"CALL", 4, {F_ID1, F_DICT, F_URI, F_ARGS, F_KWARGS}},
        [WD_MSG_CANCEL] = {"CANCEL", 3, {F_ID1, F_DICT}},
        [WD_MSG_RESULT] = {"RESULT", 3, {F_ID1, F_DICT, F_ARGS, F_KWARGS}},
        [WD_MSG_REGISTER] = {"REGISTER", 4, {F_ID1, F_DICT, F_URI}},
        [WD_MSG_REGISTERED] = {"REGISTERED", 3, {F_ID1, F_ID2}},
        [WD_MSG_UNREGISTER] = {"UNREGISTER", 3, {F_ID1, F_ID2}},
        /* Details appear when the router revokes a registration (advanced profile). */
        [WD_MSG_UNREGISTERED] = {"UNREGISTERED", 2, {F_ID1, F_DICT}},
        [WD_MSG_INVOCATION] = {"INVOCATION", 4, {F_ID1, F_ID2, F_DICT, F_ARGS, F_KWARGS}},
        [WD_MSG_INTERRUPT] = {"INTERRUPT", 3, {F_ID1, F_DICT}},
        [WD_MSG_YIELD] = {"YIELD", 3, {F_ID1, F_DICT, F_ARGS, F_KWARGS}},
};

#define LAYOUT_COUNT (sizeof(layouts) / sizeof(layouts[0]))

static const struct layout *layout_of(json_int_t type)
{
	if (type < 0 || (uint64_t)type >= LAYOUT_COUNT || layouts[type].name == NULL)
		return NULL;
	return &layouts[type];
}

const char *wd_msg_type_name(int type)
{
	const struct layout *l = layout_of(type);
	return l != NULL ? l->name : "UNKNOWN";
}

static int get_id(const json_t *v, uint64_t *out)
{
	json_int_t i;

	/* Integers only: Crossbar refuses an ID sent as a float too. */
	if (!json_is_integer(v))
		return WD_EPROTO;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > WD_ID_MAX)
		return WD_EPROTO;
	*out = (uint64_t)i;
	return 0;
}

static unsigned max_len(const struct layout *l)
{
	unsigned n = 0;
	while (n < sizeof(l->fields) / sizeof(l->fields[0]) && l->fields[n] != F_END)
		n++;
	return 1 + n;
}

int wd_msg_parse(json_t *root, struct wd_msg *out)
{
	struct wd_msg m = {0};
	const struct layout *l;
	size_t n, i;
	json_t *v;

	if (!json_is_array(root) || (n = json_array_size(root)) == 0)
		return WD_EPROTO;
	v = json_array_get(root, 0);
	if (!json_is_integer(v) || (l = layout_of(json_integer_value(v))) == NULL)
		return WD_EPROTO;
	/* Elements past the last one a message defines are a protocol violation (the spec's
	 * message definitions are exhaustive). */
	if (n < l->min_len || n > max_len(l))
		return WD_EPROTO;
	m.type = (enum wd_msg_type)json_integer_value(v);
	m.root = root;
	for (i = 1; i < n; i++) {
		json_int_t t;

		v = json_array_get(root, i);
		switch (l->fields[i - 1]) {
		case F_END:
			return WD_EPROTO; /* cannot happen: n <= max_len(l) */
		case F_ID1:
			if (get_id(v, &m.id1) < 0)
				return WD_EPROTO;
			break;
		case F_ID2:
			if (get_id(v, &m.id2) < 0)
				return WD_EPROTO;
			break;
		case F_REQ_TYPE:
			if (!json_is_integer(v) || (t = json_integer_value(v)) < 1 || t > INT_MAX)
				return WD_EPROTO;
			m.req_type = (int)t;
			break;
		case F_DICT:
			if (!json_is_object(v))
				return WD_EPROTO;
			m.dict = v;
			break;
		case F_URI:
			/* A NUL inside would cut the C string that every later check reads, so
			 * the router would judge one URI and forward another. */
			if (!json_is_string(v) ||
			    strlen(json_string_value(v)) != json_string_length(v))
				return WD_EPROTO;
			m.uri = json_string_value(v);
			break;
		case F_ARGS:
			/* Payload transparency (a binary string in place of Arguments, used for
			 * end-to-end encryption) is not supported: Arguments must be a list. */
			if (!json_is_array(v))
				return WD_EPROTO;
			m.args = v;
			break;
		case F_KWARGS:
			if (!json_is_object(v))
				return WD_EPROTO;
			m.kwargs = v;
			break;
		}
	}
	*out = m;
	return 0;
}

void wd_msg_attach_raw(struct wd_msg *m, const struct wd_codec *codec, const uint8_t *in,
		       size_t len)
{
	size_t index, off, end;
	m->raw = NULL;
	m->raw_len = m->raw_count = 0;
	m->raw_codec = NULL;
	if (m->args == NULL && m->kwargs == NULL)
		return;
	switch (m->type) {
	case WD_MSG_RESULT:
	case WD_MSG_YIELD:
		index = 3;
		break;
	case WD_MSG_PUBLISH:
	case WD_MSG_CALL:
	case WD_MSG_EVENT:
	case WD_MSG_INVOCATION:
		index = 4;
		break;
	case WD_MSG_ERROR:
		index = 5;
		break;
	default:
		return;
	}
	if (codec->element_span(in, len, index, &off, &end) < 0)
		return;
	m->raw = in + off;
	m->raw_len = end - off;
	m->raw_count = m->kwargs != NULL ? 2 : 1;
	m->raw_codec = codec;
}

json_t *wd_head_to_json(const struct wd_head *h)
{
	json_t *a = json_array();
	if (a == NULL)
		return NULL;
	for (unsigned i = 0; i < h->n_ints; i++)
		if (json_array_append_new(a, json_integer((json_int_t)h->ints[i])) < 0)
			goto fail;
	if (h->has_dict &&
	    json_array_append_new(a, h->dict ? json_incref((json_t *)h->dict) : json_object()) < 0)
		goto fail;
	if (h->uri != NULL && json_array_append_new(a, json_string(h->uri)) < 0)
		goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}
