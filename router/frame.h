/* Outgoing frames: encode a WAMP message once per serializer, wrap it once per framing, and
 * share the resulting immutable struct wd_buf among every receiver. */
#ifndef WD_FRAME_H
#define WD_FRAME_H

#include <jansson.h>
#include <wslay/wslay.h>

#include "protocol/buf.h"
#include "protocol/codec.h"
#include "protocol/msg.h"

enum wd_framing {
	WD_FRAMING_WS = 0,   /* one unmasked WebSocket frame (text for json, binary for msgpack) */
	WD_FRAMING_NONE = 1, /* the encoded message alone (internal sessions, e.g. the bridge) */
	WD_FRAMING_RS = 2,   /* a RawSocket frame: 4-octet header, then the message */
	WD_FRAMING_COUNT
};

/* Largest frame header any framing writes (WebSocket: 14 bytes; RawSocket: 4). */
#define WD_FRAME_HEADER_MAX 14

/* Frame builder; one per router (holds wslay's frame context and a scratch buffer). */
struct wd_framer {
	wslay_frame_context_ptr wslay;
	struct wd_sbuf scratch;
	struct wd_buf *out;  /* frame being written by wslay's send callback */
	size_t out_cap;
	struct wd_buf_pool pool; /* frames come from here (all back before wd_framer_deinit) */
};

int wd_framer_init(struct wd_framer *f);
void wd_framer_deinit(struct wd_framer *f);

/* Encodes msg (borrowed) with codec and frames it. Returns a new reference or NULL
 * (encoding failed or out of memory). */
struct wd_buf *wd_frame_build(struct wd_framer *f, const json_t *msg, const struct wd_codec *codec,
			      enum wd_framing framing);

/* Builds a WebSocket control frame (close/ping/pong) or any frame from raw payload bytes.
 * Returns a new reference or NULL. */
struct wd_buf *wd_frame_ws_raw(struct wd_framer *f, uint8_t opcode, const uint8_t *payload,
			       size_t len);

/* Lazily built frames of one message for every (serializer, framing). */
struct wd_frame_set {
	const json_t *msg;         /* borrowed full message, or built from head + src below */
	const struct wd_head *head; /* borrowed: the message without its payload, or NULL */
	const struct wd_msg *src;  /* borrowed: where the payload comes from, or NULL (none) */
	json_t *owned;             /* full message built on demand */
	struct wd_buf *bufs[WD_CODEC_COUNT][WD_FRAMING_COUNT]; /* valid where built says so */
	unsigned built;            /* bit codec * WD_FRAMING_COUNT + framing: bufs slot in use */
};

/* The set's frame for (codec id, framing) if it was built already, else NULL. The slots are
 * not zeroed at init (a memset of the set compiles to rep stos, whose start-up cost showed
 * in the profile): only built tells which hold a frame. */
static inline struct wd_buf *wd_frame_set_built(const struct wd_frame_set *fs, int codec_id,
						enum wd_framing framing)
{
	unsigned bit = 1u << (codec_id * WD_FRAMING_COUNT + framing);
	return fs->built & bit ? fs->bufs[codec_id][framing] : NULL;
}

void wd_frame_set_init(struct wd_frame_set *fs, const json_t *msg);
/* A message made of head (borrowed, without Arguments/ArgumentsKw) followed by src's payload
 * (borrowed; NULL: no payload). Receivers on src's serializer get src's payload bytes as they
 * arrived (no re-encoding); others get an encoding of the whole message. Both must outlive
 * the set. */
void wd_frame_set_init_head(struct wd_frame_set *fs, const struct wd_head *head,
			    const struct wd_msg *src);
/* Returns a buffer owned by the set (take your own reference to keep it) or NULL. */
struct wd_buf *wd_frame_set_get(struct wd_frame_set *fs, struct wd_framer *f,
				const struct wd_codec *codec, enum wd_framing framing);
/* For a message with one receiver, which needs no shared buffer: encodes head (borrowed)
 * followed by src's payload (NULL: none) in f's scratch buffer and writes the frame header
 * for framing into hdr (WD_FRAME_HEADER_MAX bytes). The frame is then hdr[0..returned size)
 * followed by *body[0..*body_len), valid until f is used again. Returns the header size,
 * WD_EUNSUPPORTED when the payload came in another serializer (use a frame set: it
 * re-encodes), or WD_EINVAL. */
int wd_frame_encode_head(struct wd_framer *f, const struct wd_head *head, const struct wd_msg *src,
			 const struct wd_codec *codec, enum wd_framing framing, uint8_t *hdr,
			 const uint8_t **body, size_t *body_len);

/* Drops the set's references (and the full message it may have built). */
void wd_frame_set_release(struct wd_frame_set *fs);

#endif
