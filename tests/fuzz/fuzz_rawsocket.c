/* Fuzz target for protocol/rawsocket.c: the first 4 bytes are a handshake, the rest frames,
 * parsed whole and byte by byte; both must report the same frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/rawsocket.h"

#define MAX_EVENTS 64

struct event {
	int kind;
	size_t len;
	uint64_t sum;
};

static size_t run(const uint8_t *data, size_t size, size_t chunk, struct event *ev, int *err)
{
	struct wd_rs_parser p;
	size_t n_ev = 0, off = 0;
	wd_rs_parser_init(&p, 4096);
	*err = 0;
	while (off < size && n_ev < MAX_EVENTS) {
		size_t len = size - off < chunk ? size - off : chunk, used = 0;
		while (used < len && n_ev < MAX_EVENTS) {
			struct wd_rs_out out;
			ssize_t r = wd_rs_parse(&p, data + off + used, len - used, &out);
			if (r < 0) {
				*err = (int)r;
				goto done;
			}
			used += (size_t)r;
			if (out.kind != WD_RS_NONE) {
				struct event *e = &ev[n_ev++];
				e->kind = out.kind;
				e->len = out.len;
				e->sum = 0;
				for (size_t i = 0; i < out.len; i++)
					e->sum = e->sum * 31 + out.data[i];
			}
		}
		off += used;
		wd_rs_parser_shrink(&p);
	}
done:
	wd_rs_parser_deinit(&p);
	return n_ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event a[MAX_EVENTS], b[MAX_EVENTS];
	struct wd_rs_hello h;
	uint8_t reply[4];
	int ea, eb;
	size_t na, nb;
	if (size < 4 || size > 1 << 16)
		return 0;
	if (wd_rs_parse_hello(data, &h) == 0)
		wd_rs_reply_accept(reply, h.serializer, h.max_len);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	na = run(data + 4, size - 4, size, a, &ea);
	nb = run(data + 4, size - 4, 1, b, &eb);
	if (na != nb || ea != eb || memcmp(a, b, na * sizeof(a[0])) != 0)
		abort();
	return 0;
}
