/* Client-side WebSocket framing. Masking XORs eight bytes at a time: with pre-built frames the
 * only per-message masking is of the few bytes patched in place and of echoed RPC arguments. */
#include "bench/wsframe.h"

#include <string.h>

#include "protocol/error.h"
#include "protocol/ws_header.h"

const uint8_t wd_wsf_key[4] = {0x5a, 0x3c, 0x96, 0xe1};

size_t wd_wsf_header_len(uint64_t len)
{
	return wd_ws_header_len(len, 1);
}

size_t wd_wsf_write_header(uint8_t *out, uint8_t opcode, uint64_t len)
{
	return wd_ws_header(out, opcode, len, wd_wsf_key);
}

void wd_wsf_mask(uint8_t *data, size_t len, size_t phase)
{
	uint8_t k[8];
	for (int i = 0; i < 8; i++)
		k[i] = wd_wsf_key[(phase + (size_t)i) & 3];
	uint64_t k64;
	memcpy(&k64, k, 8);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, data + i, 8);
		v ^= k64;
		memcpy(data + i, &v, 8);
	}
	for (; i < len; i++)
		data[i] ^= k[i & 7];
}

int wd_wsf_append(struct wd_sbuf *s, uint8_t opcode, const void *payload, size_t len)
{
	size_t h = wd_wsf_header_len(len);
	if (wd_sbuf_reserve(s, h + len) < 0)
		return WD_ENOMEM;
	uint8_t *p = s->data + s->len;
	wd_wsf_write_header(p, opcode, len);
	if (len > 0)
		memcpy(p + h, payload, len);
	wd_wsf_mask(p + h, len, 0);
	s->len += h + len;
	return 0;
}

int wd_wsf_parse(const uint8_t *in, size_t len, struct wd_wsf *f)
{
	if (len < 2)
		return 0;
	if (in[0] & 0x70)
		return WD_EPROTO;
	f->fin = (in[0] & 0x80) != 0;
	f->opcode = in[0] & 0x0f;
	f->masked = (in[1] & 0x80) != 0;
	uint64_t plen = in[1] & 0x7f;
	size_t n = 2;
	if (plen == 126) {
		if (len < 4)
			return 0;
		plen = ((uint64_t)in[2] << 8) | in[3];
		n = 4;
	} else if (plen == 127) {
		if (len < 10)
			return 0;
		if (in[2] & 0x80)
			return WD_EPROTO;
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = (plen << 8) | in[2 + i];
		n = 10;
	}
	if (f->masked) {
		if (len < n + 4)
			return 0;
		memcpy(f->key, in + n, 4);
		n += 4;
	}
	f->payload_len = plen;
	return (int)n;
}
