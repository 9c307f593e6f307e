/* Fuzz target for protocol/ws_parser.c. The first byte picks limits; the rest is parsed twice,
 * in one piece and byte by byte, and both must report the same events: splitting input across
 * reads must never change what the router sees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/ws_parser.h"

#define MAX_EVENTS 64

struct event {
	int kind;
	uint8_t opcode;
	uint16_t code;
	size_t len;
	uint64_t sum; /* cheap fingerprint of the payload */
};

static size_t run(const uint8_t *data, size_t size, size_t chunk, uint64_t max_msg,
		  struct event *ev, int *err)
{
	struct wd_ws_parser p;
	uint8_t *buf = malloc(size ? size : 1);
	size_t n_ev = 0, off = 0;
	memcpy(buf, data, size);
	wd_ws_parser_init(&p, max_msg, 0);
	*err = 0;
	while (off < size && n_ev < MAX_EVENTS) {
		size_t len = size - off < chunk ? size - off : chunk, used = 0;
		while (used < len && n_ev < MAX_EVENTS) {
			struct wd_ws_out out;
			ssize_t r = wd_ws_parse(&p, buf + off + used, len - used, &out);
			if (r < 0) {
				*err = (int)r;
				goto done;
			}
			used += (size_t)r;
			if (out.kind != WD_WS_NONE) {
				struct event *e = &ev[n_ev++];
				e->kind = out.kind;
				e->opcode = out.opcode;
				e->code = out.close_code;
				e->len = out.len;
				e->sum = 0;
				for (size_t i = 0; i < out.len; i++)
					e->sum = e->sum * 31 + out.data[i];
			}
		}
		off += used;
		wd_ws_parser_shrink(&p);
	}
done:
	wd_ws_parser_deinit(&p);
	free(buf);
	return n_ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event a[MAX_EVENTS], b[MAX_EVENTS];
	int err_a, err_b;
	uint64_t max_msg;
	size_t na, nb;
	if (size < 1 || size > 1 << 16)
		return 0;
	memset(a, 0, sizeof(a)); /* memcmp below also compares padding */
	memset(b, 0, sizeof(b));
	max_msg = data[0] & 1 ? 0 : (uint64_t)data[0] * 16;
	na = run(data + 1, size - 1, size, max_msg, a, &err_a);
	nb = run(data + 1, size - 1, 1, max_msg, b, &err_b);
	if (na != nb || err_a != err_b || memcmp(a, b, na * sizeof(a[0])) != 0)
		abort();
	return 0;
}
