/* Unit tests for protocol/ws_parser.c: RFC 6455 client frames parsed in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/error.h"
#include "protocol/ws_parser.h"

static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Appends one masked client frame to buf at *len. */
static void frame(uint8_t *buf, size_t *len, int fin, uint8_t opcode, const void *payload,
		  size_t n)
{
	uint8_t *p = buf + *len;
	*p++ = (uint8_t)((fin ? 0x80 : 0) | opcode);
	if (n < 126) {
		*p++ = (uint8_t)(0x80 | n);
	} else if (n < 65536) {
		*p++ = 0x80 | 126;
		*p++ = (uint8_t)(n >> 8);
		*p++ = (uint8_t)n;
	} else {
		*p++ = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			*p++ = (uint8_t)((uint64_t)n >> (8 * i));
	}
	memcpy(p, MASK, 4);
	p += 4;
	for (size_t i = 0; i < n; i++)
		p[i] = ((const uint8_t *)payload)[i] ^ MASK[i & 3];
	*len = (size_t)(p + n - buf);
}

/* Parses all of in[], one call at a time; returns the first event and its consumed count. */
static ssize_t parse_all(struct wd_ws_parser *p, uint8_t *in, size_t len, struct wd_ws_out *out)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = wd_ws_parse(p, in + off, len - off, out);
		if (n < 0)
			return n;
		off += (size_t)n;
		if (out->kind != WD_WS_NONE)
			return (ssize_t)off;
	}
	return (ssize_t)off;
}

static void whole_text_frame_is_unmasked_in_place(void **state)
{
	uint8_t buf[64];
	size_t len = 0;
	struct wd_ws_parser p;
	struct wd_ws_out out;
	(void)state;
	frame(buf, &len, 1, WD_WS_OP_TEXT, "[1,\"realm1\",{}]", 15);
	wd_ws_parser_init(&p, 0, 0);
	assert_int_equal(wd_ws_parse(&p, buf, len, &out), (ssize_t)len);
	assert_int_equal(out.kind, WD_WS_MESSAGE);
	assert_int_equal(out.opcode, WD_WS_OP_TEXT);
	assert_ptr_equal(out.data, buf + 6); /* no copy */
	assert_memory_equal(out.data, "[1,\"realm1\",{}]", 15);
	assert_false(wd_ws_parser_is_busy(&p));
	wd_ws_parser_deinit(&p);
}

static void frame_split_byte_by_byte_arrives_whole(void **state)
{
	uint8_t buf[400], payload[300];
	size_t len = 0, off = 0;
	struct wd_ws_parser p;
	struct wd_ws_out out = {0};
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	frame(buf, &len, 1, WD_WS_OP_BINARY, payload, sizeof(payload)); /* 16-bit length */
	wd_ws_parser_init(&p, 0, 0);
	for (; off < len; off++) {
		assert_int_equal(wd_ws_parse(&p, buf + off, 1, &out), 1);
		if (off + 1 < len)
			assert_int_equal(out.kind, WD_WS_NONE);
	}
	assert_int_equal(out.kind, WD_WS_MESSAGE);
	assert_int_equal(out.len, sizeof(payload));
	assert_memory_equal(out.data, payload, sizeof(payload));
	wd_ws_parser_shrink(&p);
	assert_null(p.message.data); /* an idle parser holds no buffer */
	wd_ws_parser_deinit(&p);
}

static void fragments_with_a_ping_between_them_reassemble(void **state)
{
	uint8_t buf[128];
	size_t len = 0;
	ssize_t n;
	struct wd_ws_parser p;
	struct wd_ws_out out;
	(void)state;
	frame(buf, &len, 0, WD_WS_OP_TEXT, "[16,1,", 6);
	frame(buf, &len, 1, WD_WS_OP_PING, "hb", 2);
	frame(buf, &len, 0, WD_WS_OP_CONT, "{},", 3);
	frame(buf, &len, 1, WD_WS_OP_CONT, "\"t\"]", 4);
	wd_ws_parser_init(&p, 0, 0);
	n = parse_all(&p, buf, len, &out);
	assert_int_equal(out.kind, WD_WS_PING);
	assert_memory_equal(out.data, "hb", 2);
	assert_true(wd_ws_parser_is_busy(&p));
	assert_int_equal(parse_all(&p, buf + n, len - (size_t)n, &out), (ssize_t)(len - (size_t)n));
	assert_int_equal(out.kind, WD_WS_MESSAGE);
	assert_int_equal(out.opcode, WD_WS_OP_TEXT);
	assert_int_equal(out.len, 13);
	assert_memory_equal(out.data, "[16,1,{},\"t\"]", 13);
	wd_ws_parser_deinit(&p);
}

static void large_64_bit_length_frame_is_read(void **state)
{
	size_t n = 70000, len = 0;
	uint8_t *payload = calloc(1, n), *buf = malloc(n + 14);
	struct wd_ws_parser p;
	struct wd_ws_out out;
	(void)state;
	payload[n - 1] = 0x42;
	frame(buf, &len, 1, WD_WS_OP_BINARY, payload, n);
	wd_ws_parser_init(&p, 0, 0);
	assert_int_equal(wd_ws_parse(&p, buf, len, &out), (ssize_t)len);
	assert_int_equal(out.kind, WD_WS_MESSAGE);
	assert_int_equal(out.len, n);
	assert_int_equal(out.data[n - 1], 0x42);
	wd_ws_parser_deinit(&p);
	free(payload);
	free(buf);
}

/* Feeds raw bytes and expects an error with the given result and close code. */
static void expect_error(uint8_t *buf, size_t len, uint64_t max_msg, uint64_t max_frame,
			 ssize_t rc, uint16_t code)
{
	struct wd_ws_parser p;
	struct wd_ws_out out;
	wd_ws_parser_init(&p, max_msg, max_frame);
	assert_int_equal(parse_all(&p, buf, len, &out), rc);
	assert_int_equal(out.close_code, code);
	assert_non_null(out.error);
	wd_ws_parser_deinit(&p);
}

static void unmasked_frame_is_a_protocol_error(void **state)
{
	uint8_t buf[] = {0x81, 0x02, 'h', 'i'};
	(void)state;
	expect_error(buf, sizeof(buf), 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

static void reserved_bits_and_unknown_opcodes_are_protocol_errors(void **state)
{
	uint8_t buf[32];
	size_t len = 0;
	(void)state;
	frame(buf, &len, 1, WD_WS_OP_TEXT, "x", 1);
	buf[0] |= 0x40; /* RSV1 without permessage-deflate */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
	len = 0;
	frame(buf, &len, 1, 0x3, "x", 1);
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

static void bad_control_frames_are_protocol_errors(void **state)
{
	uint8_t buf[300], big[126] = {0};
	size_t len = 0;
	(void)state;
	frame(buf, &len, 1, WD_WS_OP_PING, big, sizeof(big)); /* over 125 bytes */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
	len = 0;
	frame(buf, &len, 0, WD_WS_OP_PING, "a", 1); /* fragmented */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

static void continuation_rules_are_enforced(void **state)
{
	uint8_t buf[64];
	size_t len = 0;
	(void)state;
	frame(buf, &len, 1, WD_WS_OP_CONT, "x", 1); /* nothing to continue */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
	len = 0;
	frame(buf, &len, 0, WD_WS_OP_TEXT, "x", 1);
	frame(buf, &len, 1, WD_WS_OP_TEXT, "y", 1); /* a new message inside the first */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

static void size_limits_give_1009(void **state)
{
	uint8_t buf[64];
	size_t len = 0;
	(void)state;
	frame(buf, &len, 0, WD_WS_OP_TEXT, "12345", 5);
	frame(buf, &len, 1, WD_WS_OP_CONT, "67890", 5);
	expect_error(buf, len, 8, 0, WD_ETOOBIG, WD_WS_CLOSE_TOO_BIG); /* message over 8 */
	expect_error(buf, len, 0, 4, WD_ETOOBIG, WD_WS_CLOSE_TOO_BIG); /* frame over 4 */
}

static void close_frames_report_code_and_reason(void **state)
{
	uint8_t buf[64], body[] = {0x03, 0xe8, 'b', 'y', 'e'}, bad_code[] = {0x03, 0xed};
	size_t len = 0;
	struct wd_ws_parser p;
	struct wd_ws_out out;
	(void)state;
	frame(buf, &len, 1, WD_WS_OP_CLOSE, body, sizeof(body));
	frame(buf, &len, 1, WD_WS_OP_CLOSE, "", 0);
	wd_ws_parser_init(&p, 0, 0);
	ssize_t n = parse_all(&p, buf, len, &out);
	assert_int_equal(out.kind, WD_WS_CLOSE);
	assert_int_equal(out.close_code, 1000);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "bye", 3);
	assert_int_equal(parse_all(&p, buf + n, len - (size_t)n, &out), (ssize_t)(len - (size_t)n));
	assert_int_equal(out.kind, WD_WS_CLOSE);
	assert_int_equal(out.close_code, 0); /* no code given */
	wd_ws_parser_deinit(&p);
	len = 0;
	frame(buf, &len, 1, WD_WS_OP_CLOSE, bad_code, sizeof(bad_code)); /* 1005 is never sent */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
	len = 0;
	frame(buf, &len, 1, WD_WS_OP_CLOSE, "x", 1); /* a one-byte body */
	expect_error(buf, len, 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

static void top_bit_of_64_bit_length_is_a_protocol_error(void **state)
{
	uint8_t buf[] = {0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
	(void)state;
	expect_error(buf, sizeof(buf), 0, 0, WD_EPROTO, WD_WS_CLOSE_PROTOCOL_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(whole_text_frame_is_unmasked_in_place),
	        cmocka_unit_test(frame_split_byte_by_byte_arrives_whole),
	        cmocka_unit_test(fragments_with_a_ping_between_them_reassemble),
	        cmocka_unit_test(large_64_bit_length_frame_is_read),
	        cmocka_unit_test(unmasked_frame_is_a_protocol_error),
	        cmocka_unit_test(reserved_bits_and_unknown_opcodes_are_protocol_errors),
	        cmocka_unit_test(bad_control_frames_are_protocol_errors),
	        cmocka_unit_test(continuation_rules_are_enforced),
	        cmocka_unit_test(size_limits_give_1009),
	        cmocka_unit_test(close_frames_report_code_and_reason),
	        cmocka_unit_test(top_bit_of_64_bit_length_is_a_protocol_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
