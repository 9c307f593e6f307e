/* RFC 6455 frame parser for the server side, working in place: payloads are unmasked inside
 * the caller's input buffer and a message that arrived whole in one read is handed out from
 * there without a copy. Only partial frames and fragmented messages are assembled, in buffers
 * that exist while they are needed, so an idle connection holds no input buffer at all.
 * Pure code: no I/O, no allocation besides those assembly buffers. */
#ifndef WD_WS_PARSER_H
#define WD_WS_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol/buf.h"

/* Close codes the parser asks for (RFC 6455 section 7.4.1). */
#define WD_WS_CLOSE_NORMAL 1000
#define WD_WS_CLOSE_GOING_AWAY 1001
#define WD_WS_CLOSE_PROTOCOL_ERROR 1002
#define WD_WS_CLOSE_POLICY_VIOLATION 1008
#define WD_WS_CLOSE_TOO_BIG 1009

#define WD_WS_OP_CONT 0x0
#define WD_WS_OP_TEXT 0x1
#define WD_WS_OP_BINARY 0x2
#define WD_WS_OP_CLOSE 0x8
#define WD_WS_OP_PING 0x9
#define WD_WS_OP_PONG 0xa

enum wd_ws_event {
	WD_WS_NONE = 0, /* nothing complete yet: call again with more input */
	WD_WS_MESSAGE,  /* a whole text or binary message */
	WD_WS_PING,
	WD_WS_PONG,
	WD_WS_CLOSE, /* the peer's close frame (close_code 0 when it carried none) */
};

struct wd_ws_out {
	enum wd_ws_event kind;
	uint8_t opcode;       /* WD_WS_OP_TEXT or WD_WS_OP_BINARY for messages */
	const uint8_t *data;  /* payload (close: the reason); valid until the next call */
	size_t len;
	uint16_t close_code;  /* WD_WS_CLOSE: the peer's code; on error: the code to send */
	const char *error;    /* on error: why, for the log */
};

struct wd_ws_parser {
	uint64_t max_message; /* bytes; 0 = no limit (the caller should still set one) */
	uint64_t max_frame;   /* bytes; 0 = no limit */
	/* the frame being read */
	uint8_t head[14];
	size_t head_len;
	bool in_payload;
	uint8_t opcode;
	bool fin;
	uint8_t mask[4];
	uint64_t payload_len, payload_off;
	/* a fragmented or split message being assembled */
	bool in_message;
	uint8_t message_opcode;
	struct wd_sbuf message;
	struct wd_sbuf control; /* a control frame split across reads (at most 125 bytes) */
};

/* Zero the struct, then set the limits. */
void wd_ws_parser_init(struct wd_ws_parser *p, uint64_t max_message, uint64_t max_frame);
/* Frees the assembly buffers. */
void wd_ws_parser_deinit(struct wd_ws_parser *p);

/* Consumes input from in[0..len), unmasking payload bytes in place. Stops after the first
 * complete message or control frame and reports it in *out (out->kind == WD_WS_NONE when the
 * input ran out first). Returns the number of bytes consumed (call again with the rest), or
 * WD_EPROTO (out->close_code 1002, out->error says why) or WD_ETOOBIG (out->close_code 1009)
 * or WD_ENOMEM; after an error the connection must be closed. out->data points into in[]
 * or into the parser and is valid until the next call. */
ssize_t wd_ws_parse(struct wd_ws_parser *p, uint8_t *in, size_t len, struct wd_ws_out *out);

/* Frees assembly buffers not needed for what is partly read; call when a read's input is
 * used up (after that, earlier out->data pointers into the parser are invalid). */
void wd_ws_parser_shrink(struct wd_ws_parser *p);

/* True while a frame or message is partly read (the connection is not idle). */
bool wd_ws_parser_is_busy(const struct wd_ws_parser *p);

#endif
