/* libFuzzer target for protocol/ws_handshake.c. The input is split at '\n' into up to four
 * fields: Sec-WebSocket-Key, Sec-WebSocket-Protocol, Origin, and one extra allowed_origins
 * pattern. Beyond memory safety it checks a few invariants and aborts when one breaks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/ws_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies the next '\n'-terminated field of data[*off..size) into a new NUL-terminated string
 * (NULL when the input is used up or memory is short). Bytes after an embedded NUL are
 * invisible to the functions under test, as they would be in a C header string. */
static char *next_field(const uint8_t *data, size_t size, size_t *off)
{
	const uint8_t *nl;
	size_t n;
	char *s;

	if (*off > size)
		return NULL;
	nl = memchr(data + *off, '\n', size - *off);
	n = nl != NULL ? (size_t)(nl - (data + *off)) : size - *off;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, data + *off, n);
	s[n] = '\0';
	*off += n + 1;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const offered[] = {"wamp.2.json", "wamp.2.msgpack"};
	const char *star[] = {"*"};
	const char *patterns[3] = {"https://*.example.com:443", "http://localhost:*", NULL};
	size_t off = 0;
	char *key = next_field(data, size, &off);
	char *proto = next_field(data, size, &off);
	char *origin = next_field(data, size, &off);
	char *pattern = next_field(data, size, &off);
	char accept[29];
	int idx;
	bool with_list, with_star;

	if (key != NULL) {
		memset(accept, 'x', sizeof(accept));
		if (wd_ws_accept_key(key, accept) == 0 &&
		    (strlen(accept) != 28 || accept[27] != '='))
			abort();
	}
	idx = wd_ws_pick_subprotocol(proto, offered, 2);
	if (idx < -1 || idx > 1)
		abort();
	if (idx >= 0 && (proto == NULL || strstr(proto, offered[idx]) == NULL))
		abort();
	patterns[2] = pattern;
	with_list = wd_ws_origin_allowed(origin, patterns, 3, false);
	with_star = wd_ws_origin_allowed(origin, star, 1, false);
	/* "*" matches every normalised origin, so nothing a pattern list allows is refused by
	 * it (the null origin is refused by both here, allow_null being false). */
	if (with_list && !with_star)
		abort();
	if (origin == NULL && !with_list)
		abort();
	(void)wd_ws_origin_allowed(origin, patterns, 3, true);
	free(key);
	free(proto);
	free(origin);
	free(pattern);
	return 0;
}
