/* Fuzz target for the msgpack codec: whatever decodes must encode (unless a string starts with
 * NUL but is not base64 after it), decode again, and re-encode to the same bytes; the JSON
 * codec must carry the decoded value too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "protocol/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wd_codec *c = &wd_codec_msgpack;
	struct wd_sbuf a = {0}, b = {0};
	json_t *v, *w = NULL, *x = NULL;
	int rc;

	if (c->decode(data, size, &v) != 0)
		return 0;
	rc = c->encode(v, &a);
	if (rc != 0 && rc != WD_EINVAL)
		abort();
	if (rc == 0) {
		/* A msgpack str "\0AQI" comes back as "\0AQI=" (bin, re-padded), so compare
		 * encodings rather than values. */
		if (c->decode(a.data, a.len, &w) != 0)
			abort();
		if (c->encode(w, &b) != 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	/* JSON carries every decoded value unchanged (depth 32 < 64). */
	b.len = 0;
	if (wd_codec_json.encode(v, &b) != 0 || wd_codec_json.decode(b.data, b.len, &x) != 0 ||
	    !json_equal(v, x))
		abort();
	json_decref(x);
	json_decref(w);
	json_decref(v);
	wd_sbuf_free(&a);
	wd_sbuf_free(&b);
	return 0;
}
