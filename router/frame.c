#include "router/frame.h"

#include <string.h>

#include "protocol/envelope.h"
#include "protocol/error.h"
#include "protocol/rawsocket.h"
#include "protocol/ws_header.h"

/* wslay's frame layer writes the header and payload through this callback; our callback
 * always takes everything, so one wslay_frame_send call produces the whole frame. */
static ssize_t on_frame_send(const uint8_t *data, size_t len, int flags, void *user_data)
{
	struct wd_framer *f = user_data;
	(void)flags;
	if (f->out == NULL || f->out->len + len > f->out_cap)
		return WSLAY_ERR_INVALID_ARGUMENT;
	memcpy(f->out->data + f->out->len, data, len);
	f->out->len += (uint32_t)len;
	return (ssize_t)len;
}

static ssize_t on_frame_recv(uint8_t *buf, size_t len, int flags, void *user_data)
{
	(void)buf, (void)len, (void)flags, (void)user_data;
	return WSLAY_ERR_INVALID_ARGUMENT; /* the framer only sends */
}

static int on_genmask(uint8_t *buf, size_t len, void *user_data)
{
	(void)user_data;
	memset(buf, 0, len); /* server frames are never masked */
	return 0;
}

static const struct wslay_frame_callbacks framer_callbacks = {
	.send_callback = on_frame_send,
	.recv_callback = on_frame_recv,
	.genmask_callback = on_genmask,
};

int wd_framer_init(struct wd_framer *f)
{
	memset(f, 0, sizeof(*f));
	if (wslay_frame_context_init(&f->wslay, &framer_callbacks, f) != 0)
		return WD_ENOMEM;
	return 0;
}

void wd_framer_deinit(struct wd_framer *f)
{
	if (f->wslay != NULL)
		wslay_frame_context_free(f->wslay);
	wd_sbuf_free(&f->scratch);
	wd_buf_pool_deinit(&f->pool);
	f->wslay = NULL;
}

struct wd_buf *wd_frame_ws_raw(struct wd_framer *f, uint8_t opcode, const uint8_t *payload,
			       size_t len)
{
	struct wslay_frame_iocb iocb = {
		.fin = 1,
		.rsv = 0,
		.opcode = opcode,
		.payload_length = len,
		.mask = 0,
		.data = payload,
		.data_length = len,
	};
	struct wd_buf *b = wd_buf_new(len + 14);
	ssize_t n;
	if (b == NULL)
		return NULL;
	b->len = 0;
	f->out = b;
	f->out_cap = len + 14;
	n = wslay_frame_send(f->wslay, &iocb);
	f->out = NULL;
	if (n < 0 || (size_t)n != len) {
		wd_buf_unref(b);
		return NULL;
	}
	return b;
}

_Static_assert(WD_FRAME_HEADER_MAX >= WD_WS_HEADER_MAX && WD_FRAME_HEADER_MAX >= 4,
	       "room for every framing's header");

/* Writes the frame header for a message of len bytes into hdr (WD_FRAME_HEADER_MAX bytes).
 * Returns its size, or -1 if the framing cannot carry that much. */
static int frame_header(uint8_t *hdr, const struct wd_codec *codec, enum wd_framing framing,
			size_t len)
{
	if (framing == WD_FRAMING_RS) {
		if (len >= (UINT32_C(1) << 24))
			return -1; /* RawSocket cannot carry 16 MiB or more */
		wd_rs_header(hdr, WD_RS_MSG, (uint32_t)len);
		return 4;
	}
	if (framing == WD_FRAMING_WS) /* one final, unmasked frame, shareable by every receiver */
		return (int)wd_ws_header(hdr, codec->is_binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME,
					 len, NULL);
	return 0;
}

/* Frames the message encoded in the scratch buffer: copied once, behind its frame header, into
 * a pooled shared buffer. */
static struct wd_buf *frame_scratch(struct wd_framer *f, const struct wd_codec *codec,
				    enum wd_framing framing)
{
	uint8_t hdr[WD_FRAME_HEADER_MAX];
	size_t len = f->scratch.len;
	int h = frame_header(hdr, codec, framing, len);
	struct wd_buf *b;

	if (h < 0)
		return NULL;
	if ((b = wd_buf_pool_new(&f->pool, (size_t)h + len)) != NULL) {
		memcpy(b->data, hdr, (size_t)h);
		memcpy(b->data + h, f->scratch.data, len);
	}
	return b;
}

struct wd_buf *wd_frame_build(struct wd_framer *f, const json_t *msg, const struct wd_codec *codec,
			      enum wd_framing framing)
{
	wd_sbuf_reset(&f->scratch);
	if (codec->encode(msg, &f->scratch) < 0)
		return NULL;
	return frame_scratch(f, codec, framing);
}

void wd_frame_set_init(struct wd_frame_set *fs, const json_t *msg)
{
	fs->msg = msg;
	fs->head = NULL;
	fs->src = NULL;
	fs->owned = NULL;
	fs->built = 0; /* the slots are garbage until built (wd_frame_set_built) */
}

void wd_frame_set_init_head(struct wd_frame_set *fs, const struct wd_head *head,
			    const struct wd_msg *src)
{
	wd_frame_set_init(fs, NULL);
	fs->head = head;
	if (src != NULL && (src->args != NULL || src->kwargs != NULL || src->raw != NULL))
		fs->src = src;
}

/* The whole message for serializers other than the payload's own: head + args + kwargs. */
static const json_t *full_message(struct wd_frame_set *fs)
{
	const struct wd_msg *m = fs->src;
	json_t *full, *args = NULL, *kwargs = NULL;
	if (fs->msg != NULL)
		return fs->msg;
	if (m->args != NULL || m->kwargs != NULL) {
		args = json_incref(m->args);
		kwargs = json_incref(m->kwargs);
	} else if (wd_msg_payload_decode(m, &args, &kwargs) < 0) {
		return NULL; /* only the payload's bytes came with it (protocol/envelope.h) */
	}
	if ((full = wd_head_to_json(fs->head)) == NULL)
		goto fail;
	if (json_array_append_new(full, args ? args : json_array()) < 0) {
		args = NULL;
		goto fail;
	}
	args = NULL;
	if (kwargs != NULL && json_array_append_new(full, kwargs) < 0) {
		kwargs = NULL;
		goto fail;
	}
	fs->owned = full;
	fs->msg = full;
	return full;
fail:
	json_decref(args);
	json_decref(kwargs);
	json_decref(full);
	return NULL;
}

/* True if head + src's payload is written without a tree for codec: there is no payload, or
 * it came in codec's bytes. */
static bool spliceable(const struct wd_msg *src, const struct wd_codec *codec)
{
	return src == NULL || (src->raw != NULL && src->raw_codec == codec);
}

struct wd_buf *wd_frame_set_get(struct wd_frame_set *fs, struct wd_framer *f,
				const struct wd_codec *codec, enum wd_framing framing)
{
	struct wd_buf **slot = &fs->bufs[codec->id][framing];
	const json_t *msg;
	if (wd_frame_set_built(fs, codec->id, framing) != NULL)
		return *slot;
	if (fs->head != NULL && spliceable(fs->src, codec)) {
		/* Serialize once: the payload goes out in the bytes it came in. */
		const struct wd_msg *m = fs->src;
		wd_sbuf_reset(&f->scratch);
		if (codec->encode_head(fs->head, m ? m->raw : NULL, m ? m->raw_len : 0,
				       m ? m->raw_count : 0, &f->scratch) < 0)
			return NULL;
		*slot = frame_scratch(f, codec, framing);
	} else {
		if ((msg = full_message(fs)) == NULL)
			return NULL;
		*slot = wd_frame_build(f, msg, codec, framing);
	}
	if (*slot != NULL)
		fs->built |= 1u << (codec->id * WD_FRAMING_COUNT + framing);
	return *slot;
}

int wd_frame_encode_head(struct wd_framer *f, const struct wd_head *head, const struct wd_msg *src,
			 const struct wd_codec *codec, enum wd_framing framing, uint8_t *hdr,
			 const uint8_t **body, size_t *body_len)
{
	int h;
	if (src != NULL && src->args == NULL && src->kwargs == NULL && src->raw == NULL)
		src = NULL; /* no payload */
	if (!spliceable(src, codec))
		return WD_EUNSUPPORTED;
	wd_sbuf_reset(&f->scratch);
	if (codec->encode_head(head, src ? src->raw : NULL, src ? src->raw_len : 0,
			       src ? src->raw_count : 0, &f->scratch) < 0 ||
	    (h = frame_header(hdr, codec, framing, f->scratch.len)) < 0)
		return WD_EINVAL;
	*body = f->scratch.data;
	*body_len = f->scratch.len;
	return h;
}

void wd_frame_set_release(struct wd_frame_set *fs)
{
	/* Most sets build one frame: only the slots in use are visited. */
	while (fs->built != 0) {
		unsigned i = (unsigned)__builtin_ctz(fs->built);
		wd_buf_unref(fs->bufs[i / WD_FRAMING_COUNT][i % WD_FRAMING_COUNT]);
		fs->built &= fs->built - 1;
	}
	if (fs->owned != NULL) {
		json_decref(fs->owned);
		fs->owned = NULL;
	}
}
