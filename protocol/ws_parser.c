#include "protocol/ws_parser.h"

#include <string.h>

#include "protocol/error.h"

void wd_ws_parser_init(struct wd_ws_parser *p, uint64_t max_message, uint64_t max_frame)
{
	memset(p, 0, sizeof(*p));
	p->max_message = max_message;
	p->max_frame = max_frame;
}

static void release(struct wd_sbuf *b)
{
	wd_sbuf_free(b); /* idle connections keep no buffer */
}

void wd_ws_parser_deinit(struct wd_ws_parser *p)
{
	release(&p->message);
	release(&p->control);
}

bool wd_ws_parser_is_busy(const struct wd_ws_parser *p)
{
	return p->head_len > 0 || p->in_payload || p->in_message;
}

static ssize_t fail(struct wd_ws_out *out, int rc, uint16_t code, const char *why)
{
	out->kind = WD_WS_NONE;
	out->close_code = code;
	out->error = why;
	return rc;
}

static bool is_control(uint8_t op)
{
	return op >= 0x8;
}

/* Bytes of header the first two header bytes announce (2, 4 or 10, plus the 4-byte mask). */
static size_t head_size(const uint8_t *h)
{
	uint8_t n = h[1] & 0x7f;
	return (n == 126 ? 4 : n == 127 ? 10 : 2) + ((h[1] & 0x80) ? 4 : 0);
}

static bool close_code_valid(uint16_t c)
{
	/* RFC 6455 7.4: 1004-1006 and 1015 are never sent; 1012-1014 are IANA-registered since. */
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/* Checks a complete header h and starts its frame. Returns 0 or a failure via fail(). */
static ssize_t start_frame(struct wd_ws_parser *p, const uint8_t *h, struct wd_ws_out *out)
{
	uint8_t n = h[1] & 0x7f;
	size_t off = 2;
	if (h[0] & 0x70)
		return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR,
			    "reserved bits set (no extension was negotiated)");
	p->fin = (h[0] & 0x80) != 0;
	p->opcode = h[0] & 0x0f;
	if (!(h[1] & 0x80))
		return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR, "unmasked client frame");
	if (n == 126) {
		p->payload_len = ((uint64_t)h[2] << 8) | h[3];
		off = 4;
	} else if (n == 127) {
		p->payload_len = 0;
		for (int i = 0; i < 8; i++)
			p->payload_len = (p->payload_len << 8) | h[2 + i];
		if (p->payload_len >> 63)
			return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR,
				    "64-bit payload length with the top bit set");
		off = 10;
	} else {
		p->payload_len = n;
	}
	memcpy(p->mask, h + off, 4);
	p->payload_off = 0;
	switch (p->opcode) {
	case WD_WS_OP_CONT:
		if (!p->in_message)
			return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR,
				    "continuation frame without a message to continue");
		break;
	case WD_WS_OP_TEXT:
	case WD_WS_OP_BINARY:
		if (p->in_message)
			return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR,
				    "new message before the previous one was finished");
		break;
	case WD_WS_OP_CLOSE:
	case WD_WS_OP_PING:
	case WD_WS_OP_PONG:
		if (!p->fin || p->payload_len > 125)
			return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR,
				    "fragmented or oversized control frame");
		break;
	default:
		return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR, "unknown opcode");
	}
	if (!is_control(p->opcode)) {
		uint64_t so_far = p->in_message ? p->message.len : 0;
		if (p->max_frame > 0 && p->payload_len > p->max_frame)
			return fail(out, WD_ETOOBIG, WD_WS_CLOSE_TOO_BIG, "frame too big");
		if (p->max_message > 0 && so_far + p->payload_len > p->max_message)
			return fail(out, WD_ETOOBIG, WD_WS_CLOSE_TOO_BIG, "message too big");
	}
	p->in_payload = true;
	return 0;
}

/* XORs the mask over data, eight bytes at a time; offset is data's position in the payload. */
static void unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset)
{
	uint8_t m[8];
	uint64_t m64, v;
	size_t i = 0;
	for (int k = 0; k < 8; k++)
		m[k] = mask[(offset + (uint64_t)k) & 3];
	memcpy(&m64, m, 8);
	for (; i + 8 <= len; i += 8) {
		memcpy(&v, data + i, 8);
		v ^= m64;
		memcpy(data + i, &v, 8);
	}
	for (; i < len; i++)
		data[i] ^= m[i & 7]; /* m repeats every four bytes, so i & 7 stays in step */
}

/* A control frame is complete: report it. */
static void control_done(struct wd_ws_parser *p, const uint8_t *data, size_t len,
			 struct wd_ws_out *out)
{
	out->data = data;
	out->len = len;
	out->kind = p->opcode == WD_WS_OP_PING ? WD_WS_PING
		    : p->opcode == WD_WS_OP_PONG ? WD_WS_PONG
						 : WD_WS_CLOSE;
}

/* Validates a close frame's body: empty, or a valid code and a reason. */
static ssize_t close_body(const uint8_t *data, size_t len, struct wd_ws_out *out)
{
	if (len == 0) {
		out->close_code = 0;
		return 0;
	}
	if (len == 1)
		return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR, "one-byte close payload");
	out->close_code = (uint16_t)((data[0] << 8) | data[1]);
	if (!close_code_valid(out->close_code))
		return fail(out, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR, "invalid close code");
	out->data = data + 2;
	out->len = len - 2;
	return 0;
}

ssize_t wd_ws_parse(struct wd_ws_parser *p, uint8_t *in, size_t len, struct wd_ws_out *out)
{
	size_t pos = 0;
	memset(out, 0, sizeof(*out));
	while (pos < len) {
		if (!p->in_payload) {
			/* Header: usually whole in in[] and read there; a split one is gathered in
			 * p->head. */
			const uint8_t *h = in + pos;
			size_t need;
			if (p->head_len == 0 && len - pos >= 2 && len - pos >= (need = head_size(h))) {
				pos += need;
			} else {
				need = p->head_len < 2 ? 2 : head_size(p->head);
				while (p->head_len < need && pos < len) {
					p->head[p->head_len++] = in[pos++];
					if (p->head_len == 2)
						need = head_size(p->head);
				}
				if (p->head_len < need)
					return (ssize_t)pos;
				h = p->head;
			}
			p->head_len = 0;
			ssize_t rc = start_frame(p, h, out);
			if (rc < 0)
				return rc;
		}
		/* Payload. */
		uint64_t left = p->payload_len - p->payload_off;
		size_t take = left < (uint64_t)(len - pos) ? (size_t)left : len - pos;
		uint8_t *data = in + pos;
		unmask(data, take, p->mask, p->payload_off);
		pos += take;
		p->payload_off += take;
		bool frame_done = p->payload_off == p->payload_len;
		if (is_control(p->opcode)) {
			const uint8_t *body = data;
			size_t body_len = take;
			if (!frame_done || p->control.len > 0) { /* split across reads */
				if (wd_sbuf_append(&p->control, data, take) < 0)
					return fail(out, WD_ENOMEM, WD_WS_CLOSE_GOING_AWAY, "no memory");
				if (!frame_done)
					continue;
				body = p->control.data;
				body_len = p->control.len;
			}
			p->in_payload = false;
			control_done(p, body, body_len, out);
			if (out->kind == WD_WS_CLOSE && close_body(body, body_len, out) < 0)
				return WD_EPROTO;
			p->control.len = 0; /* out->data may point here until the next call */
			return (ssize_t)pos;
		}
		/* Data frame. The fast path: a whole unfragmented message in this read. */
		if (!p->in_message && p->fin && frame_done && take == p->payload_len) {
			p->in_payload = false;
			out->kind = WD_WS_MESSAGE;
			out->opcode = p->opcode;
			out->data = data;
			out->len = take;
			return (ssize_t)pos;
		}
		if (!p->in_message) {
			p->in_message = true;
			p->message_opcode = p->opcode;
			p->message.len = 0;
		}
		if (wd_sbuf_append(&p->message, data, take) < 0)
			return fail(out, WD_ENOMEM, WD_WS_CLOSE_GOING_AWAY, "no memory");
		if (!frame_done)
			continue;
		p->in_payload = false;
		if (!p->fin)
			continue;
		p->in_message = false;
		out->kind = WD_WS_MESSAGE;
		out->opcode = p->message_opcode;
		out->data = p->message.data;
		out->len = p->message.len;
		return (ssize_t)pos;
	}
	return (ssize_t)pos;
}

void wd_ws_parser_shrink(struct wd_ws_parser *p)
{
	/* Most connections are idle most of the time; they should cost no input memory then. */
	if (!p->in_message)
		release(&p->message);
	if (!p->in_payload || !is_control(p->opcode))
		release(&p->control);
}
