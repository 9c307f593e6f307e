/* Frame templates: see tmpl.h. */
#include "bench/tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "bench/wsframe.h"
#include "protocol/error.h"

static const int64_t marks[WD_TMPL_FIELDS] = {WD_TMPL_REQ_MARK, WD_TMPL_SEQ_MARK, WD_TMPL_TS_MARK};

/* Wire form of a marker: its decimal digits (json) or 0xcf + big-endian uint64 (msgpack). */
static size_t mark_bytes(bool is_msgpack, int64_t v, uint8_t out[24])
{
	if (is_msgpack) {
		out[0] = 0xcf;
		for (int i = 0; i < 8; i++)
			out[1 + i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
		return 9;
	}
	char tmp[24];
	int n = 0;
	for (uint64_t u = (uint64_t)v; u > 0; u /= 10)
		tmp[n++] = (char)('0' + u % 10);
	for (int i = 0; i < n; i++)
		out[i] = (uint8_t)tmp[n - 1 - i];
	return (size_t)n;
}

static size_t find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m, size_t from)
{
	for (size_t i = from; i + m <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
			return i;
	return SIZE_MAX;
}

int wd_tmpl_init(struct wd_tmpl *t, const struct wd_codec *c, const json_t *msg)
{
	struct wd_sbuf enc = {0};
	int rc;
	memset(t, 0, sizeof(*t));
	t->is_msgpack = c->is_binary;
	if ((rc = c->encode(msg, &enc)) < 0)
		goto fail;
	for (int f = 0; f < WD_TMPL_FIELDS; f++) {
		uint8_t m[24];
		size_t mlen = mark_bytes(t->is_msgpack, marks[f], m);
		size_t at = find(enc.data, enc.len, m, mlen, 0);
		if (at != SIZE_MAX && find(enc.data, enc.len, m, mlen, at + 1) != SIZE_MAX) {
			rc = WD_ENOTFOUND;
			goto fail_enc;
		}
		/* msgpack: the value bytes follow the 0xcf type byte. */
		t->off[f] = at == SIZE_MAX ? SIZE_MAX : at + (t->is_msgpack ? 1 : 0);
	}
	if ((rc = wd_wsf_append(&t->frame, c->is_binary ? WD_WS_BINARY : WD_WS_TEXT, enc.data,
				enc.len)) < 0)
		goto fail_enc;
	t->hdr_len = wd_wsf_header_len(enc.len);
	wd_sbuf_free(&enc);
	return 0;
fail_enc:
	wd_sbuf_free(&enc);
fail:
	return rc;
}

void wd_tmpl_deinit(struct wd_tmpl *t)
{
	wd_sbuf_free(&t->frame);
}

static void patch(const struct wd_tmpl *t, uint8_t *dst, int f, uint64_t v)
{
	size_t off = t->off[f];
	if (off == SIZE_MAX)
		return;
	uint8_t b[24];
	size_t n;
	if (t->is_msgpack) {
		for (int i = 0; i < 8; i++)
			b[i] = (uint8_t)(v >> (56 - 8 * i));
		n = 8;
	} else {
		/* Fixed width: as many digits as the marker, which has the same digit count as
		 * every base + n value used. */
		n = f == WD_TMPL_TS ? 19 : 16;
		for (size_t i = n; i-- > 0; v /= 10)
			b[i] = (uint8_t)('0' + v % 10);
	}
	wd_wsf_mask(b, n, off);
	memcpy(dst + t->hdr_len + off, b, n);
}

void wd_tmpl_emit(const struct wd_tmpl *t, uint8_t *dst, uint64_t req, uint64_t seq,
		  uint64_t ts_ns)
{
	memcpy(dst, t->frame.data, t->frame.len);
	patch(t, dst, WD_TMPL_REQ, (uint64_t)WD_TMPL_ID_BASE + req);
	patch(t, dst, WD_TMPL_SEQ, (uint64_t)WD_TMPL_ID_BASE + seq);
	patch(t, dst, WD_TMPL_TS, (uint64_t)WD_TMPL_TS_BASE + ts_ns);
}

json_t *wd_tmpl_args(const struct wd_codec *c, int64_t index, size_t payload_bytes)
{
	json_t *args = json_pack("[I,I,I,s]", (json_int_t)index, (json_int_t)WD_TMPL_SEQ_MARK,
				 (json_int_t)WD_TMPL_TS_MARK, "");
	if (args == NULL)
		return NULL;
	/* Two passes: the string header of msgpack grows with the string. */
	for (int pass = 0; pass < 2; pass++) {
		struct wd_sbuf enc = {0};
		if (c->encode(args, &enc) < 0) {
			wd_sbuf_free(&enc);
			json_decref(args);
			return NULL;
		}
		size_t pad = strlen(json_string_value(json_array_get(args, 3)));
		size_t base = enc.len - pad;
		wd_sbuf_free(&enc);
		size_t want = payload_bytes > base ? payload_bytes - base : 0;
		if (want == pad)
			break;
		char *s = malloc(want + 1);
		if (s == NULL) {
			json_decref(args);
			return NULL;
		}
		memset(s, 'x', want);
		s[want] = '\0';
		json_array_set_new(args, 3, json_string(s));
		free(s);
	}
	return args;
}

int wd_tmpl_frame(struct wd_sbuf *out, const struct wd_codec *c, const json_t *msg)
{
	struct wd_sbuf enc = {0};
	int rc = c->encode(msg, &enc);
	if (rc == 0)
		rc = wd_wsf_append(out, c->is_binary ? WD_WS_BINARY : WD_WS_TEXT, enc.data, enc.len);
	wd_sbuf_free(&enc);
	return rc;
}
