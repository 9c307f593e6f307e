/* Fuzz target for the JSON codec: whatever decodes must encode, decode again to an equal
 * value, and encode to the same bytes a second time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wd_codec *c = &wd_codec_json;
	struct wd_sbuf a = {0}, b = {0};
	json_t *v, *w;

	if (c->decode(data, size, &v) != 0)
		return 0;
	if (c->encode(v, &a) != 0)
		abort();
	if (c->decode(a.data, a.len, &w) != 0)
		abort();
	if (!json_equal(v, w))
		abort();
	if (c->encode(w, &b) != 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	/* The msgpack encoder must take any decoded JSON value or refuse it cleanly (a NUL
	 * string whose rest is not base64). */
	b.len = 0;
	(void)wd_codec_msgpack.encode(v, &b);
	json_decref(v);
	json_decref(w);
	wd_sbuf_free(&a);
	wd_sbuf_free(&b);
	return 0;
}
