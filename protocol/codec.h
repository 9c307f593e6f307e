/* Serializers. A decoded WAMP message is a jansson array (json_t). Binary values are carried
 * inside json_t the way WAMP's JSON serializer puts them on the wire: a string whose first byte
 * is NUL followed by standard base64 ("\u0000" + base64). The msgpack codec converts bin <-> that
 * form, so json and msgpack sessions interoperate without knowing about each other. */
#ifndef WD_CODEC_H
#define WD_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"

struct wd_head;

enum wd_codec_id {
	WD_CODEC_JSON = 0,
	WD_CODEC_MSGPACK = 1,
	WD_CODEC_COUNT
};

struct wd_codec {
	enum wd_codec_id id;
	const char *name;        /* "json", "msgpack": the config's serializer names */
	const char *subprotocol; /* "wamp.2.json", "wamp.2.msgpack" */
	int rawsocket_id;        /* 1 json, 2 msgpack */
	bool is_binary;          /* WebSocket frame type: binary (true) or text */
	/* Decodes in[0..len) into *out (a new reference, an array of at least one element) or
	 * returns WD_EDECODE (not valid for this serializer, trailing bytes, not an array,
	 * integers beyond int64, non-string map keys, nesting deeper than 64) or WD_ENOMEM.
	 * The root array counts as one level. msgpack: nesting deeper than 32 is WD_EDECODE
	 * (msgpack-c's fixed unpack stack), as are ext types, NaN/infinity, invalid UTF-8 and
	 * NUL in map keys; bin becomes "\0" + base64 (padded). in is borrowed. */
	int (*decode)(const uint8_t *in, size_t len, json_t **out);
	/* Appends the encoding of v (borrowed) to out. Returns 0, WD_EINVAL (v holds a value the
	 * serializer cannot express, e.g. invalid base64 after a NUL prefix for msgpack) or
	 * WD_ENOMEM. On error out->len is as before the call. Any json_t value can be encoded,
	 * not only arrays. */
	int (*encode)(const json_t *v, struct wd_sbuf *out);
	/* For in[0..len) that decode() accepted (a top-level array): finds element `index` and
	 * sets *off to its first byte and *end to the end of the last element, so in[*off..*end)
	 * holds elements index.. as they arrived (the router forwards Arguments/ArgumentsKw
	 * this way without re-encoding them). Returns 0, or WD_ENOTFOUND (fewer elements) or
	 * WD_EINVAL (not an array). Must not be used on input decode() rejected. */
	int (*element_span)(const uint8_t *in, size_t len, size_t index, size_t *off, size_t *end);
	/* Appends the encoding of h (borrowed) followed by `count` more elements whose encoding is
	 * raw[0..raw_len) (payload bytes of this codec, from element_span or the envelope decoder;
	 * raw may be NULL when count is 0). Integers are written directly, like an empty dict.
	 * Returns 0, WD_EINVAL (msgpack: more than 15 elements; a dict the serializer cannot
	 * express) or WD_ENOMEM; on error out->len is as before the call. */
	int (*encode_head)(const struct wd_head *h, const uint8_t *raw, size_t raw_len,
			   size_t count, struct wd_sbuf *out);
};

extern const struct wd_codec wd_codec_json;
extern const struct wd_codec wd_codec_msgpack;

/* Returns the codec for a serializer name ("json", "msgpack"), or NULL. */
const struct wd_codec *wd_codec_by_name(const char *name);
/* Returns the codec for a WebSocket subprotocol ("wamp.2.json"), or NULL. */
const struct wd_codec *wd_codec_by_subprotocol(const char *subprotocol);
const struct wd_codec *wd_codec_by_id(enum wd_codec_id id);

#endif
