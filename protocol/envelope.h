/* Fast decoding of the messages a router receives most (PUBLISH, CALL, YIELD): the envelope
 * (type, request ID, options, URI) is read in place and the payload is validated and kept as
 * the bytes it arrived in (wd_msg raw), never turned into a tree unless a receiver on another
 * serializer needs one (wd_msg_payload_decode). Every other message, and anything unusual
 * about these three, is left to codec->decode + wd_msg_parse, which also decide what is
 * invalid: the fast path only ever says "handled" or "not mine". */
#ifndef WD_ENVELOPE_H
#define WD_ENVELOPE_H

#include <jansson.h>
#include <msgpack.h>
#include <stdbool.h>

#include "protocol/buf.h"
#include "protocol/codec.h"
#include "protocol/msg.h"

/* Options dicts are decoded once per distinct encoding and shared: a client sends the same
 * few options (say {"acknowledge":true}) with every message, and parsing them costs as much
 * as the rest of a PUBLISH. Dicts of received messages are read-only (wd_msg), so sharing is
 * safe. */
#define WD_ENVELOPE_CACHE 8
#define WD_ENVELOPE_CACHE_BYTES 96

struct wd_envelope_cached {
	json_t *dict;          /* NULL: empty slot */
	enum wd_codec_id codec;
	uint8_t len;
	uint8_t bytes[WD_ENVELOPE_CACHE_BYTES];
};

/* Scratch state for one decoded message at a time; zero-initialise, then wd_envelope_deinit. */
struct wd_envelope {
	struct wd_envelope_cached cache[WD_ENVELOPE_CACHE];
	json_t *empty;        /* the shared {} of messages without options */
	json_t *owned;        /* options of the current message too long to cache */
	unsigned next_slot;   /* replaced next when the cache is full (round robin) */
	struct wd_sbuf text;  /* the URI of the current message, NUL-terminated */
	msgpack_zone zone;    /* msgpack-c objects of a non-empty msgpack options map */
	bool has_zone;
	bool busy;            /* between a successful decode and wd_envelope_release */
};

void wd_envelope_deinit(struct wd_envelope *e);

/* Decodes in[0..len), bytes of codec, into *out the way codec->decode + wd_msg_parse +
 * wd_msg_attach_raw would, except that args and kwargs stay NULL and out->raw holds the
 * payload (root is NULL). out->dict and out->uri are lent by e: valid until
 * wd_envelope_release(e), which must come once out has been dealt with (no reference to take
 * or drop: see envelope.c). Returns 0, WD_EUNSUPPORTED (not a fast-path message, or e is busy:
 * use the slow path, which also reports any error) or WD_ENOMEM. */
int wd_envelope_decode(struct wd_envelope *e, const struct wd_codec *codec, const uint8_t *in,
		       size_t len, struct wd_msg *out);
void wd_envelope_release(struct wd_envelope *e);

/* Decodes the payload of m into new references: *args (an array or NULL) and *kwargs (an
 * object or NULL). For a message whose payload is only in raw form. Returns 0, WD_EDECODE or
 * WD_ENOMEM. */
int wd_msg_payload_decode(const struct wd_msg *m, json_t **args, json_t **kwargs);

#endif
