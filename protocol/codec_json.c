/* WAMP JSON serializer ("wamp.2.json") on jansson. Binary values need no work here: on the wire
 * they already are strings "\u0000" + base64, and JSON_ALLOW_NUL keeps that leading NUL. */
#include "protocol/codec.h"

#include <string.h>

#include "protocol/error.h"
#include "protocol/msg.h"

/* Deepest container nesting accepted on decode; the root array counts as 1. */
#define MAX_DEPTH 64

/* Returns true if v nests containers deeper than MAX_DEPTH. depth is v's own level. jansson
 * bounds its parser at 2048 levels, so this recursion is bounded too. */
static bool too_deep(const json_t *v, int depth)
{
	const char *key;
	json_t *child;
	size_t i;

	if (!json_is_array(v) && !json_is_object(v))
		return false;
	if (depth > MAX_DEPTH)
		return true;
	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			if (too_deep(child, depth + 1))
				return true;
		}
	} else {
		json_object_foreach((json_t *)v, key, child)
		{
			if (too_deep(child, depth + 1))
				return true;
		}
	}
	return false;
}

static int json_decode(const uint8_t *in, size_t len, json_t **out)
{
	json_error_t err;
	json_t *v;

	/* A raw NUL byte is never valid JSON (inside strings it must be escaped), but jansson
	 * 2.14 drops one that follows a number or literal ("[1\0]"), and the router would then
	 * forward those bytes as they came. */
	if (memchr(in, '\0', len) != NULL)
		return WD_EDECODE;
	/* jansson itself rejects trailing data (no JSON_DISABLE_EOF_CHECK), invalid UTF-8 and
	 * integers outside int64 ("too big integer"). */
	v = json_loadb((const char *)in, len, JSON_ALLOW_NUL, &err);
	if (v == NULL)
		return json_error_code(&err) == json_error_out_of_memory ? WD_ENOMEM : WD_EDECODE;
	if (!json_is_array(v) || json_array_size(v) == 0 || too_deep(v, 1)) {
		json_decref(v);
		return WD_EDECODE;
	}
	*out = v;
	return 0;
}

struct dump_ctx {
	struct wd_sbuf *out;
	int rc; /* the first error of an append */
};

static int append_cb(const char *buffer, size_t size, void *data)
{
	struct dump_ctx *c = data;
	if ((c->rc = wd_sbuf_append(c->out, buffer, size)) < 0)
		return -1;
	return 0;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
				  "31323334353637383940414243444546474849505152535455565758596061"
				  "6263646566676869707172737475767778798081828384858687888990919293949596979899";

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The 8 digits of v (< 10^8), zero-padded, as ASCII in memory order: v is split into four
 * two-digit lanes and then into digits with multiply-shift divisions that stay inside each
 * lane. */
static uint64_t digits8(uint32_t v)
{
	uint64_t x = (v / 10000) | ((uint64_t)(v % 10000) << 32); /* two lanes below 10^4 */
	uint64_t y = ((x * 10486) >> 20) & UINT64_C(0x0000007f0000007f); /* lane / 100 */
	uint64_t z = y | ((x - 100 * y) << 16);          /* four 16-bit lanes below 100 */
	uint64_t t = ((z * 103) >> 10) & UINT64_C(0x000f000f000f000f); /* lane / 10 */
	return (t | ((z - 10 * t) << 8)) + UINT64_C(0x3030303030303030);
}
#endif

/* Writes v (< 10^8) as exactly 8 digits, zero-padded. */
static void put8(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t d = digits8(v);
	memcpy(p, &d, 8);
#else
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(p, digit_pairs + (hi / 100) * 2, 2);
	memcpy(p + 2, digit_pairs + (hi % 100) * 2, 2);
	memcpy(p + 4, digit_pairs + (lo / 100) * 2, 2);
	memcpy(p + 6, digit_pairs + (lo % 100) * 2, 2);
#endif
}

/* Writes v (< 10^8) without padding to p (room for 8 bytes). Returns the digit count. */
static size_t put_small(uint8_t *p, uint32_t v)
{
	if (v < 10) {
		*p = (uint8_t)('0' + v);
		return 1;
	}
	if (v < 100) {
		memcpy(p, digit_pairs + v * 2, 2);
		return 2;
	}
	if (v >= 10000000) {
		put8(p, v); /* the leading group of most random 53-bit IDs (16 digits) */
		return 8;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* All eight digits at once, then the leading zeros shifted out: no loop, no branch on
	 * the length (request IDs and counters have 3 to 7 digits). */
	size_t n = 3 + (v >= 1000) + (v >= 10000) + (v >= 100000) + (v >= 1000000);
	uint64_t d = digits8(v) >> (8 * (8 - n));
	memcpy(p, &d, 8);
	return n;
#else
	size_t n = 1;
	uint8_t *q;
	for (uint32_t t = 10; v >= t; t *= 10)
		n++;
	q = p + n;
	while (v >= 100) {
		q -= 2;
		memcpy(q, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(q - 2, digit_pairs + v * 2, 2);
	else
		q[-1] = (uint8_t)('0' + v);
	return n;
#endif
}

/* Writes the decimal digits of u to p (room for 20 bytes), in groups of 8 so that most of the
 * arithmetic is 32-bit. Returns their count. */
static size_t write_uint(uint8_t *p, uint64_t u)
{
	const uint64_t e8 = 100000000, e16 = e8 * e8;
	size_t n;
	if (u < e8)
		return put_small(p, (uint32_t)u);
	if (u < e16) {
		n = put_small(p, (uint32_t)(u / e8));
		put8(p + n, (uint32_t)(u % e8));
		return n + 8;
	}
	n = put_small(p, (uint32_t)(u / e16));
	u %= e16;
	put8(p + n, (uint32_t)(u / e8));
	put8(p + n + 8, (uint32_t)(u % e8));
	return n + 16;
}

/* Writes the decimal text of i, as jansson writes it ("%" JSON_INTEGER_FORMAT), to p (room
 * for 20 bytes). Returns its length. */
static size_t write_int(uint8_t *p, json_int_t i)
{
	/* Negating INT64_MIN overflows, so the digits come from the unsigned magnitude. */
	if (i < 0) {
		*p = '-';
		return 1 + write_uint(p + 1, -(uint64_t)i);
	}
	return write_uint(p, (uint64_t)i);
}

static int dump(const json_t *v, struct wd_sbuf *out);

/* Message envelopes are arrays of integers and small dicts: jansson formats each integer
 * through snprintf (~150 ns), so arrays are walked here, integers and empty dicts written
 * directly, and every other element left to jansson. Same bytes as jansson's JSON_COMPACT. */
static int encode_array(const json_t *v, struct wd_sbuf *out)
{
	size_t i, n = json_array_size(v);
	int rc;

	if ((rc = wd_sbuf_append(out, "[", 1)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		uint8_t *p;
		/* Room for a comma, 20 digits and "]". */
		if ((rc = wd_sbuf_reserve(out, 22)) < 0)
			return rc;
		p = out->data + out->len;
		if (i > 0)
			*p++ = ',';
		if (json_is_integer(e)) {
			p += write_int(p, json_integer_value(e));
		} else if (json_is_object(e) && json_object_size(e) == 0) {
			*p++ = '{';
			*p++ = '}';
		} else {
			out->len = (size_t)(p - out->data);
			if ((rc = dump(e, out)) < 0)
				return rc;
			continue;
		}
		out->len = (size_t)(p - out->data);
	}
	return wd_sbuf_append(out, "]", 1);
}

static int json_encode(const json_t *v, struct wd_sbuf *out)
{
	size_t start = out->len;
	int rc = json_is_array(v) ? encode_array(v, out) : dump(v, out);
	if (rc < 0)
		out->len = start; /* leave out as it was */
	return rc;
}

static int dump(const json_t *v, struct wd_sbuf *out)
{
	struct dump_ctx c = {.out = out, .rc = 0};
	size_t start = out->len;

	/* Precision 17 (%.17g) makes every double read back bit-identical. Without
	 * JSON_ENSURE_ASCII, non-ASCII text stays UTF-8, as other WAMP JSON peers send it. */
	if (json_dump_callback(v, append_cb, &c,
	                       JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) == 0)
		return 0;
	/* Leave out as it was. Besides our callback, jansson fails only on values JSON cannot
	 * hold (a reference cycle). */
	out->len = start;
	return c.rc < 0 ? c.rc : WD_EINVAL;
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The input was validated by json_decode, so a scan that only tracks strings (with their
 * escapes) and bracket depth finds element boundaries exactly. */
static int json_element_span(const uint8_t *in, size_t len, size_t index, size_t *off, size_t *end)
{
	size_t p = 0, e = len;
	while (p < len && is_ws(in[p]))
		p++;
	while (e > p && is_ws(in[e - 1]))
		e--;
	if (p >= e || in[p] != '[' || in[e - 1] != ']')
		return WD_EINVAL;
	p++;
	e--; /* the closing bracket */
	for (size_t i = 0; i < index; i++) {
		int depth = 0;
		bool in_str = false;
		for (; p < e; p++) {
			uint8_t c = in[p];
			if (in_str) {
				if (c == '\\')
					p++;
				else if (c == '"')
					in_str = false;
			} else if (c == '"') {
				in_str = true;
			} else if (c == '[' || c == '{') {
				depth++;
			} else if (c == ']' || c == '}') {
				depth--;
			} else if (c == ',' && depth == 0) {
				break;
			}
		}
		if (p >= e)
			return WD_ENOTFOUND;
		p++; /* the comma */
	}
	while (p < e && is_ws(in[p]))
		p++;
	while (e > p && is_ws(in[e - 1]))
		e--;
	if (p >= e)
		return WD_ENOTFOUND;
	*off = p;
	*end = e;
	return 0;
}

static int json_encode_head(const struct wd_head *h, const uint8_t *raw, size_t raw_len,
			    size_t count, struct wd_sbuf *out)
{
	size_t start = out->len;
	uint8_t *p;
	int rc;

	/* "[", the integers with their commas, ",{}", "," + payload and "]". Every ID is below
	 * 2^53 (16 digits); the type and REQUEST.Type are small. */
	if (wd_sbuf_reserve(out, 1 + h->n_ints * 21 + 3 + 1 + raw_len + 1) < 0)
		return WD_ENOMEM;
	p = out->data + out->len;
	*p++ = '[';
	for (unsigned i = 0; i < h->n_ints; i++) {
		if (i > 0)
			*p++ = ',';
		p += write_uint(p, h->ints[i]);
	}
	if (h->has_dict && (h->dict == NULL || json_object_size(h->dict) == 0)) {
		memcpy(p, ",{}", 3);
		p += 3;
	} else if (h->has_dict) {
		*p++ = ',';
		out->len = (size_t)(p - out->data);
		if ((rc = dump(h->dict, out)) < 0)
			goto fail;
		p = out->data + out->len;
	}
	out->len = (size_t)(p - out->data);
	if (h->uri != NULL) {
		json_t *uri = json_string(h->uri);
		rc = uri == NULL ? WD_EINVAL
				 : wd_sbuf_append(out, ",", 1) < 0 ? WD_ENOMEM : dump(uri, out);
		json_decref(uri);
		if (rc < 0)
			goto fail;
	}
	/* Room was reserved above unless a dict or URI was appended since. */
	rc = WD_ENOMEM;
	if (out->cap - out->len < 1 + raw_len + 1 && wd_sbuf_reserve(out, 1 + raw_len + 1) < 0)
		goto fail;
	p = out->data + out->len;
	if (count > 0) {
		*p++ = ',';
		memcpy(p, raw, raw_len);
		p += raw_len;
	}
	*p++ = ']';
	out->len = (size_t)(p - out->data);
	return 0;
fail:
	out->len = start;
	return rc;
}

const struct wd_codec wd_codec_json = {
        .id = WD_CODEC_JSON,
        .name = "json",
        .subprotocol = "wamp.2.json",
        .rawsocket_id = 1,
        .is_binary = false,
        .decode = json_decode,
        .encode = json_encode,
        .element_span = json_element_span,
        .encode_head = json_encode_head,
};
