/* Unit tests for protocol/rawsocket.c: handshake octets and length-prefixed frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/error.h"
#include "protocol/rawsocket.h"

static void hello_is_parsed_and_answered(void **state)
{
	const uint8_t in[4] = {0x7f, 0xf2, 0, 0}; /* L=15 (16 MiB), msgpack */
	struct wd_rs_hello h;
	uint8_t out[4];
	(void)state;
	assert_int_equal(wd_rs_parse_hello(in, &h), 0);
	assert_int_equal(h.serializer, 2);
	assert_int_equal(h.max_len, 1u << 24);
	wd_rs_reply_accept(out, 2, 1048576); /* Crossbar's template: 1 MiB => L = 11 */
	assert_memory_equal(out, ((uint8_t[]){0x7f, 0xb2, 0, 0}), 4);
	assert_int_equal(wd_rs_announced_max(1048576), 1048576);
	assert_int_equal(wd_rs_announced_max(1000000), 524288); /* rounded down */
	assert_int_equal(wd_rs_announced_max(100), 512);        /* at least 512 */
}

static void bad_hellos_are_refused_with_their_code(void **state)
{
	struct wd_rs_hello h;
	uint8_t out[4];
	(void)state;
	assert_int_equal(wd_rs_parse_hello((uint8_t[]){0x7e, 0xf1, 0, 0}, &h), WD_RS_ERR_RESERVED);
	assert_int_equal(wd_rs_parse_hello((uint8_t[]){0x7f, 0xf1, 0, 1}, &h), WD_RS_ERR_RESERVED);
	wd_rs_reply_error(out, WD_RS_ERR_SERIALIZER);
	assert_memory_equal(out, ((uint8_t[]){0x7f, 0x10, 0, 0}), 4);
}

static void whole_frame_is_handed_out_in_place(void **state)
{
	uint8_t buf[32];
	struct wd_rs_parser p;
	struct wd_rs_out out;
	(void)state;
	wd_rs_header(buf, WD_RS_MSG, 5);
	memcpy(buf + 4, "[6,{}", 5);
	wd_rs_parser_init(&p, 1024);
	assert_int_equal(wd_rs_parse(&p, buf, 9, &out), 9);
	assert_int_equal(out.kind, WD_RS_MESSAGE);
	assert_ptr_equal(out.data, buf + 4);
	assert_int_equal(out.len, 5);
	wd_rs_parser_deinit(&p);
}

static void split_frames_and_pings_reassemble(void **state)
{
	uint8_t buf[64];
	size_t len = 0;
	struct wd_rs_parser p;
	struct wd_rs_out out = {0};
	(void)state;
	wd_rs_header(buf, WD_RS_PING, 2);
	memcpy(buf + 4, "hb", 2);
	wd_rs_header(buf + 6, WD_RS_MSG, 10);
	memcpy(buf + 10, "[1,\"r\",{}]", 10);
	len = 20;
	wd_rs_parser_init(&p, 1024);
	int seen_ping = 0, seen_msg = 0;
	for (size_t i = 0; i < len; i++) { /* one byte per read */
		assert_int_equal(wd_rs_parse(&p, buf + i, 1, &out), 1);
		if (out.kind == WD_RS_GOT_PING) {
			assert_memory_equal(out.data, "hb", 2);
			seen_ping++;
		} else if (out.kind == WD_RS_MESSAGE) {
			assert_int_equal(out.len, 10);
			assert_memory_equal(out.data, "[1,\"r\",{}]", 10);
			seen_msg++;
		}
	}
	assert_int_equal(seen_ping, 1);
	assert_int_equal(seen_msg, 1);
	wd_rs_parser_shrink(&p);
	assert_null(p.body.data);
	wd_rs_parser_deinit(&p);
}

static void oversized_and_reserved_frames_fail(void **state)
{
	uint8_t buf[8];
	struct wd_rs_parser p;
	struct wd_rs_out out;
	(void)state;
	wd_rs_parser_init(&p, 512);
	wd_rs_header(buf, WD_RS_MSG, 513);
	assert_int_equal(wd_rs_parse(&p, buf, 4, &out), WD_ETOOBIG);
	wd_rs_parser_deinit(&p);
	wd_rs_parser_init(&p, 512);
	wd_rs_header(buf, 3, 1); /* type 3 is reserved */
	assert_int_equal(wd_rs_parse(&p, buf, 4, &out), WD_EPROTO);
	wd_rs_parser_deinit(&p);
	wd_rs_parser_init(&p, 512);
	wd_rs_header(buf, WD_RS_MSG, 1);
	buf[0] |= 0x10; /* a reserved bit */
	assert_int_equal(wd_rs_parse(&p, buf, 4, &out), WD_EPROTO);
	wd_rs_parser_deinit(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(hello_is_parsed_and_answered),
	        cmocka_unit_test(bad_hellos_are_refused_with_their_code),
	        cmocka_unit_test(whole_frame_is_handed_out_in_place),
	        cmocka_unit_test(split_frames_and_pings_reassemble),
	        cmocka_unit_test(oversized_and_reserved_frames_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
