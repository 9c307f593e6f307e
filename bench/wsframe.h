/* RFC 6455 framing for the load generator's client side: masked outgoing frames with one fixed
 * masking key (the generator pre-builds frames and patches them in place, so the key never
 * changes), and header parsing for the router's unmasked frames. Pure functions over buffers. */
#ifndef WD_BENCH_WSFRAME_H
#define WD_BENCH_WSFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"

enum {
	WD_WS_CONT = 0x0,
	WD_WS_TEXT = 0x1,
	WD_WS_BINARY = 0x2,
	WD_WS_CLOSE = 0x8,
	WD_WS_PING = 0x9,
	WD_WS_PONG = 0xa,
};

/* The fixed masking key of every frame the generator sends. */
extern const uint8_t wd_wsf_key[4];

/* Header length of a masked frame carrying len payload bytes: 6, 8 or 14. */
size_t wd_wsf_header_len(uint64_t len);
/* Writes the header of a final, masked frame (wd_wsf_key) into out, which must hold
 * wd_wsf_header_len(len) bytes. Returns the header length. */
size_t wd_wsf_write_header(uint8_t *out, uint8_t opcode, uint64_t len);
/* XORs data[0..len) with wd_wsf_key, as if data started at payload offset phase. */
void wd_wsf_mask(uint8_t *data, size_t len, size_t phase);
/* Appends a complete masked frame (header + masked copy of payload). Returns 0 or WD_ENOMEM. */
int wd_wsf_append(struct wd_sbuf *s, uint8_t opcode, const void *payload, size_t len);

struct wd_wsf {
	bool fin;
	bool masked;
	uint8_t opcode;
	uint8_t key[4];
	uint64_t payload_len;
};

/* Parses the frame header at in[0..len). Returns the header length (> 0), 0 when more bytes
 * are needed, or WD_EPROTO (reserved bits, 64-bit length with the top bit set). */
int wd_wsf_parse(const uint8_t *in, size_t len, struct wd_wsf *f);

#endif
