#include "protocol/rawsocket.h"

#include <string.h>

#include "protocol/error.h"

#define MIN_EXP 9  /* 2^9 = 512 bytes */
#define MAX_EXP 24 /* 2^24 = 16 MiB */

int wd_rs_parse_hello(const uint8_t in[4], struct wd_rs_hello *out)
{
	if (in[0] != WD_RS_MAGIC || in[2] != 0 || in[3] != 0)
		return WD_RS_ERR_RESERVED;
	out->serializer = in[1] & 0x0f;
	out->max_len = UINT32_C(1) << (MIN_EXP + (in[1] >> 4));
	return 0;
}

uint32_t wd_rs_announced_max(uint32_t max_len)
{
	int e = MAX_EXP;
	while (e > MIN_EXP && (UINT32_C(1) << e) > max_len)
		e--;
	return UINT32_C(1) << e;
}

void wd_rs_reply_accept(uint8_t out[4], uint8_t serializer, uint32_t max_len)
{
	int e = MIN_EXP;
	while (e < MAX_EXP && (UINT32_C(1) << e) < wd_rs_announced_max(max_len))
		e++;
	out[0] = WD_RS_MAGIC;
	out[1] = (uint8_t)(((e - MIN_EXP) << 4) | (serializer & 0x0f));
	out[2] = out[3] = 0;
}

void wd_rs_reply_error(uint8_t out[4], int error)
{
	out[0] = WD_RS_MAGIC;
	out[1] = (uint8_t)(error << 4);
	out[2] = out[3] = 0;
}

void wd_rs_header(uint8_t out[4], int type, uint32_t len)
{
	out[0] = (uint8_t)type;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

void wd_rs_parser_init(struct wd_rs_parser *p, uint32_t max_len)
{
	memset(p, 0, sizeof(*p));
	p->max_len = max_len;
}

void wd_rs_parser_deinit(struct wd_rs_parser *p)
{
	wd_sbuf_free(&p->body);
}

void wd_rs_parser_shrink(struct wd_rs_parser *p)
{
	if (!p->in_payload)
		wd_sbuf_free(&p->body);
}

static enum wd_rs_event event_of(int type)
{
	return type == WD_RS_MSG ? WD_RS_MESSAGE : type == WD_RS_PING ? WD_RS_GOT_PING : WD_RS_GOT_PONG;
}

ssize_t wd_rs_parse(struct wd_rs_parser *p, const uint8_t *in, size_t len, struct wd_rs_out *out)
{
	size_t pos = 0;
	memset(out, 0, sizeof(*out));
	if (!p->in_payload) {
		while (p->head_len < 4 && pos < len)
			p->head[p->head_len++] = in[pos++];
		if (p->head_len < 4)
			return (ssize_t)pos;
		p->head_len = 0;
		/* The first octet is 5 reserved bits and the type; the "X" bit variant for
		 * exactly 2^24 bytes is never needed since we announce at most 16 MiB - 1. */
		if ((p->head[0] & 0xf8) != 0 || (p->head[0] & 0x07) > WD_RS_PONG)
			return WD_EPROTO;
		p->type = p->head[0] & 0x07;
		p->len = ((uint32_t)p->head[1] << 16) | ((uint32_t)p->head[2] << 8) | p->head[3];
		if (p->len > p->max_len)
			return WD_ETOOBIG;
		p->in_payload = true;
		p->body.len = 0;
		/* Fast path: the whole payload is here. */
		if (len - pos >= p->len) {
			p->in_payload = false;
			out->kind = event_of(p->type);
			out->data = in + pos;
			out->len = p->len;
			return (ssize_t)(pos + p->len);
		}
	}
	size_t take = p->len - p->body.len;
	if (take > len - pos)
		take = len - pos;
	if (wd_sbuf_append(&p->body, in + pos, take) < 0)
		return WD_ENOMEM;
	pos += take;
	if (p->body.len == p->len) {
		p->in_payload = false;
		out->kind = event_of(p->type);
		out->data = p->body.data;
		out->len = p->body.len;
	}
	return (ssize_t)pos;
}
