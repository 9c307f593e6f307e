/* The WAMP message model: a decoded message is a json_t array; wd_msg_parse() checks its shape
 * for the message type and exposes typed fields that point into that array. */
#ifndef WD_MSG_H
#define WD_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wd_codec;

enum wd_msg_type {
	WD_MSG_HELLO = 1,
	WD_MSG_WELCOME = 2,
	WD_MSG_ABORT = 3,
	WD_MSG_CHALLENGE = 4,
	WD_MSG_AUTHENTICATE = 5,
	WD_MSG_GOODBYE = 6,
	WD_MSG_ERROR = 8,
	WD_MSG_PUBLISH = 16,
	WD_MSG_PUBLISHED = 17,
	WD_MSG_SUBSCRIBE = 32,
	WD_MSG_SUBSCRIBED = 33,
	WD_MSG_UNSUBSCRIBE = 34,
	WD_MSG_UNSUBSCRIBED = 35,
	WD_MSG_EVENT = 36,
	WD_MSG_CALL = 48,
	WD_MSG_CANCEL = 49,
	WD_MSG_RESULT = 50,
	WD_MSG_REGISTER = 64,
	WD_MSG_REGISTERED = 65,
	WD_MSG_UNREGISTER = 66,
	WD_MSG_UNREGISTERED = 67,
	WD_MSG_INVOCATION = 68,
	WD_MSG_INTERRUPT = 69,
	WD_MSG_YIELD = 70,
};

/* Largest WAMP ID: 2^53. */
#define WD_ID_MAX (UINT64_C(1) << 53)

/* Typed view of one message. Field use per type ("-" = unused, 0/NULL):
 *   HELLO        uri=Realm  dict=Details
 *   WELCOME      id1=Session dict=Details
 *   ABORT        dict=Details uri=Reason
 *   CHALLENGE    uri=AuthMethod dict=Extra
 *   AUTHENTICATE uri=Signature dict=Extra
 *   GOODBYE      dict=Details uri=Reason
 *   ERROR        req_type=REQUEST.Type id1=REQUEST.Request dict=Details uri=Error args kwargs
 *   PUBLISH      id1=Request dict=Options uri=Topic args kwargs
 *   PUBLISHED    id1=Request id2=Publication
 *   SUBSCRIBE    id1=Request dict=Options uri=Topic
 *   SUBSCRIBED   id1=Request id2=Subscription
 *   UNSUBSCRIBE  id1=Request id2=Subscription
 *   UNSUBSCRIBED id1=Request [dict=Details]
 *   EVENT        id1=Subscription id2=Publication dict=Details args kwargs
 *   CALL         id1=Request dict=Options uri=Procedure args kwargs
 *   CANCEL       id1=Request dict=Options
 *   RESULT       id1=Request dict=Details args kwargs
 *   REGISTER     id1=Request dict=Options uri=Procedure
 *   REGISTERED   id1=Request id2=Registration
 *   UNREGISTER   id1=Request id2=Registration
 *   UNREGISTERED id1=Request [dict=Details]
 *   INVOCATION   id1=Request id2=Registration dict=Details args kwargs
 *   INTERRUPT    id1=Request dict=Options
 *   YIELD        id1=Request dict=Options args kwargs
 */
struct wd_msg {
	enum wd_msg_type type;
	json_t *root;        /* borrowed: the whole array, owner of the fields below */
	uint64_t id1;
	uint64_t id2;
	int req_type;
	json_t *dict;        /* object; never NULL after a successful parse of a type that has one */
	const char *uri;     /* string field (URI, auth method or signature) */
	json_t *args;        /* array or NULL */
	json_t *kwargs;      /* object or NULL */
	/* Arguments and ArgumentsKw exactly as they arrived (wd_msg_attach_raw): raw_count
	 * encoded elements of raw_codec in raw[0..raw_len), or raw NULL when there are none.
	 * A message from the fast path (protocol/envelope.h) has raw but NULL args/kwargs:
	 * wd_msg_payload_decode builds them when needed. dict is read-only: the fast path shares
	 * it between messages with the same options. */
	const uint8_t *raw;
	size_t raw_len, raw_count;
	const struct wd_codec *raw_codec;
};

/* True if the dict key k of n bytes is the string literal lit. A length check and a memcmp of
 * known size, which compilers inline: options are read once per message, and a strcmp call
 * per key showed in profiles. */
#define WD_KEY_IS(k, n, lit) ((n) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

/* Zeroes every field, one by one: `= {0}` on the hot path compiled to a rep stos, whose
 * start-up cost showed in perf profiles. Keep it in step with the struct. */
static inline void wd_msg_clear(struct wd_msg *m)
{
	m->type = (enum wd_msg_type)0;
	m->root = NULL;
	m->id1 = m->id2 = 0;
	m->req_type = 0;
	m->dict = NULL;
	m->uri = NULL;
	m->args = m->kwargs = NULL;
	m->raw = NULL;
	m->raw_len = m->raw_count = 0;
	m->raw_codec = NULL;
}

/* Checks root's shape for its message type (element count, element types, IDs in
 * [0, 2^53], Arguments a list, ArgumentsKw a dict) and fills *out with borrowed pointers into
 * root. Returns 0, WD_EPROTO (malformed or unknown type). Valid while root lives.
 * Details: elements beyond the last one the type defines are WD_EPROTO; IDs must be JSON
 * integers (not reals); ERROR's REQUEST.Type is any integer in [1, INT_MAX]; string fields
 * (uri) must not contain NUL; dict is NULL only for UNSUBSCRIBED/UNREGISTERED without Details;
 * a binary payload in place of Arguments (payload transparency) is WD_EPROTO. Option and
 * detail values are not checked here. On error *out is left untouched. */
int wd_msg_parse(json_t *root, struct wd_msg *out);

/* Points m's raw fields at the payload elements of in[0..len), the bytes m was decoded from
 * with codec (borrowed: valid as long as in). Leaves raw NULL for messages without payload
 * or if the span cannot be found. */
void wd_msg_attach_raw(struct wd_msg *m, const struct wd_codec *codec, const uint8_t *in,
		       size_t len);

/* The part of an outgoing message before its payload: leading integers (the type, then IDs, or
 * ERROR's REQUEST.Type and Request), an optional dict and an optional URI, in that order. Every
 * message that carries Arguments has this shape, so the router sends EVENT, PUBLISHED,
 * INVOCATION, RESULT and ERROR without building a tree (codec encode_head). */
struct wd_head {
	uint64_t ints[4];   /* ints[0] is the message type; IDs are at most 2^53 */
	unsigned n_ints;    /* 1 to 4 */
	bool has_dict;
	const json_t *dict; /* borrowed; NULL while has_dict: an empty dict */
	const char *uri;    /* borrowed; NULL: none */
};

/* Returns a new array holding h's elements, for a serializer that needs the whole message as
 * a tree, or NULL (no memory). */
json_t *wd_head_to_json(const struct wd_head *h);

/* Returns the upper-case name of a message type ("PUBLISH") or "UNKNOWN". */
const char *wd_msg_type_name(int type);

#endif
