/* WAMP RawSocket (spec "RawSocket Transport"): the 4-octet handshake and the framing of
 * messages behind a 4-octet header (type in the low 3 bits of the first octet, then a
 * 24-bit big-endian length). Pure code: the parser works in place over the caller's buffer
 * and only assembles messages split across reads. */
#ifndef WD_RAWSOCKET_H
#define WD_RAWSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol/buf.h"

#define WD_RS_MAGIC 0x7f

/* Handshake error codes (upper nibble of the reply's second octet). */
#define WD_RS_ERR_SERIALIZER 1 /* serializer unsupported */
#define WD_RS_ERR_MAX_LEN 2    /* maximum message length unacceptable */
#define WD_RS_ERR_RESERVED 3   /* use of reserved bits */
#define WD_RS_ERR_MAX_CONN 4   /* maximum connection count reached */

/* Frame types (low three bits of the first header octet). */
#define WD_RS_MSG 0
#define WD_RS_PING 1
#define WD_RS_PONG 2

struct wd_rs_hello {
	uint8_t serializer;   /* 1 json, 2 msgpack, ... */
	uint32_t max_len;     /* what the peer accepts from us: 2^(9+L) bytes */
};

/* Parses a client's 4-octet handshake. Returns 0, or a WD_RS_ERR_* code to put in the
 * error reply (magic wrong or reserved octets set: WD_RS_ERR_RESERVED). */
int wd_rs_parse_hello(const uint8_t in[4], struct wd_rs_hello *out);

/* The router's reply: accept with serializer and our own receive limit (rounded down to a
 * power of two in 512 B .. 16 MiB), or refuse with an error code. */
void wd_rs_reply_accept(uint8_t out[4], uint8_t serializer, uint32_t max_len);
void wd_rs_reply_error(uint8_t out[4], int error);
/* The limit actually announced by wd_rs_reply_accept for max_len. */
uint32_t wd_rs_announced_max(uint32_t max_len);

/* Writes the 4-octet header for a frame of type and len bytes (len < 2^24). */
void wd_rs_header(uint8_t out[4], int type, uint32_t len);

enum wd_rs_event {
	WD_RS_NONE = 0, /* need more input */
	WD_RS_MESSAGE,
	WD_RS_GOT_PING,
	WD_RS_GOT_PONG,
};

struct wd_rs_out {
	enum wd_rs_event kind;
	const uint8_t *data; /* valid until the next call */
	size_t len;
};

struct wd_rs_parser {
	uint32_t max_len;  /* our announced receive limit */
	uint8_t head[4];
	size_t head_len;
	bool in_payload;
	int type;
	uint32_t len;
	struct wd_sbuf body; /* a frame split across reads */
};

void wd_rs_parser_init(struct wd_rs_parser *p, uint32_t max_len);
void wd_rs_parser_deinit(struct wd_rs_parser *p);
/* Frees the assembly buffer when no frame is partly read. */
void wd_rs_parser_shrink(struct wd_rs_parser *p);

/* Consumes input from in[0..len) and stops after one complete frame (reported in *out).
 * Returns the bytes consumed, or WD_EPROTO (reserved bits or an unknown frame type) or
 * WD_ETOOBIG (longer than max_len): then the connection must be dropped, as the spec says. */
ssize_t wd_rs_parse(struct wd_rs_parser *p, const uint8_t *in, size_t len, struct wd_rs_out *out);

#endif
