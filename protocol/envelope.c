/* See envelope.h. Both codecs check exactly what wd_msg_parse checks for PUBLISH, CALL and
 * YIELD (element count, ID range, dict, URI without NUL, Arguments a list, ArgumentsKw a
 * dict) plus what the codec's decode checks for the payload, without building it. */
#include "protocol/envelope.h"

#include <string.h>

#include "protocol/codec_msgpack.h"
#include "protocol/error.h"
#include "protocol/json_scan.h"
#include "protocol/utf8.h"

/* codec_json.c's nesting bound (the root array is level 1, so its elements get 63 more). */
#define JSON_ELEMENT_DEPTH 63
/* codec_msgpack.c's (32 levels, the root array included). */
#define MSGPACK_ELEMENT_DEPTH 31

static bool is_fast_type(uint64_t t)
{
	return t == WD_MSG_PUBLISH || t == WD_MSG_CALL || t == WD_MSG_YIELD;
}

static int set_uri(struct wd_envelope *e, const void *p, size_t n, struct wd_msg *m)
{
	wd_sbuf_reset(&e->text);
	if (wd_sbuf_append(&e->text, p, n) < 0 || wd_sbuf_append(&e->text, "", 1) < 0)
		return WD_ENOMEM;
	m->uri = (const char *)e->text.data;
	return 0;
}

/* Dicts handed out are lent, not given: jansson's reference counts are atomic operations,
 * and an increment and a decrement per message cost more than finding the dict. Every lent
 * dict is held by e (its cache, its shared {} or e->owned) until wd_envelope_release. */

/* Returns the dict cached for codec's encoding p[0..n) (lent), or NULL. */
static json_t *cache_get(struct wd_envelope *e, enum wd_codec_id codec, const uint8_t *p, size_t n)
{
	if (n > WD_ENVELOPE_CACHE_BYTES)
		return NULL;
	for (unsigned i = 0; i < WD_ENVELOPE_CACHE; i++) {
		struct wd_envelope_cached *c = &e->cache[i];
		if (c->dict != NULL && c->codec == codec && c->len == n && memcmp(c->bytes, p, n) == 0)
			return c->dict;
	}
	return NULL;
}

/* Returns a cached dict (lent) whose encoding is a prefix of p[0..avail) (a whole value is
 * self-delimiting: that prefix is the value at p) and sets *n to its length, or NULL. */
static json_t *cache_prefix(struct wd_envelope *e, enum wd_codec_id codec, const uint8_t *p,
			    size_t avail, size_t *n)
{
	for (unsigned i = 0; i < WD_ENVELOPE_CACHE; i++) {
		struct wd_envelope_cached *c = &e->cache[i];
		if (c->dict != NULL && c->codec == codec && c->len <= avail &&
		    memcmp(c->bytes, p, c->len) == 0) {
			*n = c->len;
			return c->dict;
		}
	}
	return NULL;
}

/* The shared empty dict (lent), or NULL. */
static json_t *empty_dict(struct wd_envelope *e)
{
	if (e->empty == NULL)
		e->empty = json_object();
	return e->empty;
}

/* Takes dict, a new decoding of p[0..n), into the cache (or into e->owned when it is too long
 * to cache) and returns it, lent. A slot is only ever replaced by a decode, never while a
 * decoded message is out (e->busy). */
static json_t *keep(struct wd_envelope *e, enum wd_codec_id codec, const uint8_t *p, size_t n,
		    json_t *dict)
{
	struct wd_envelope_cached *c = &e->cache[e->next_slot];
	if (n > WD_ENVELOPE_CACHE_BYTES) {
		json_decref(e->owned);
		e->owned = dict;
		return dict;
	}
	e->next_slot = (e->next_slot + 1) % WD_ENVELOPE_CACHE;
	json_decref(c->dict);
	c->dict = dict;
	c->codec = codec;
	c->len = (uint8_t)n;
	memcpy(c->bytes, p, n);
	return dict;
}

/* Skips whitespace, a comma and whitespace. */
static int comma(const uint8_t *in, size_t len, size_t *pos)
{
	size_t p = wd_json_skip_ws(in, len, *pos);
	if (p >= len || in[p] != ',')
		return WD_EUNSUPPORTED;
	*pos = wd_json_skip_ws(in, len, p + 1);
	return 0;
}

static int json_envelope(struct wd_envelope *e, const uint8_t *in, size_t len, struct wd_msg *m,
			 json_t **dict)
{
	size_t p, q, opt, opt_end, raw = 0, raw_end = 0, count = 0;
	uint64_t type;
	json_error_t err;

	p = wd_json_skip_ws(in, len, 0);
	if (p >= len || in[p] != '[')
		return WD_EUNSUPPORTED;
	p = wd_json_skip_ws(in, len, p + 1);
	if (wd_json_scan_uint(in, len, p, &type, &p) < 0 || !is_fast_type(type))
		return WD_EUNSUPPORTED;
	m->type = (enum wd_msg_type)type;
	if (comma(in, len, &p) < 0 || wd_json_scan_uint(in, len, p, &m->id1, &p) < 0 ||
	    m->id1 > WD_ID_MAX || comma(in, len, &p) < 0)
		return WD_EUNSUPPORTED;
	opt = p;
	if (p >= len || in[p] != '{')
		return WD_EUNSUPPORTED;
	/* Options seen before need no scan: their bytes are compared with the cached ones. */
	if ((*dict = cache_prefix(e, WD_CODEC_JSON, in + opt, len - opt, &q)) != NULL)
		opt_end = opt + q;
	else if (wd_json_scan_value(in, len, p, JSON_ELEMENT_DEPTH, &opt_end) < 0)
		return WD_EUNSUPPORTED;
	p = opt_end;
	if (type != WD_MSG_YIELD) {
		if (comma(in, len, &p) < 0 || wd_json_scan_plain_string(in, len, p, &q) < 0)
			return WD_EUNSUPPORTED;
		if (set_uri(e, in + p + 1, q - p - 2, m) < 0)
			return WD_ENOMEM;
		p = q;
	}
	/* Arguments (a list), then ArgumentsKw (a dict), each optional in that order. */
	for (const char *open = "[{"; *open != '\0'; open++) {
		size_t v = wd_json_skip_ws(in, len, p), end;
		if (v >= len || in[v] != ',')
			break;
		v = wd_json_skip_ws(in, len, v + 1);
		if (v >= len || in[v] != (uint8_t)*open ||
		    wd_json_scan_value(in, len, v, JSON_ELEMENT_DEPTH, &end) < 0)
			return WD_EUNSUPPORTED;
		if (count++ == 0)
			raw = v;
		raw_end = p = end;
	}
	p = wd_json_skip_ws(in, len, p);
	if (p >= len || in[p] != ']' || wd_json_skip_ws(in, len, p + 1) != len)
		return WD_EUNSUPPORTED;

	/* The options go to jansson (the router reads them) unless they came from the cache. An
	 * empty dict is common enough to skip the parser for. */
	if (*dict == NULL && in[wd_json_skip_ws(in, len, opt + 1)] == '}') {
		*dict = empty_dict(e);
	} else if (*dict == NULL) {
		*dict = json_loadb((const char *)in + opt, opt_end - opt, JSON_ALLOW_NUL, &err);
		if (*dict == NULL)
			return json_error_code(&err) == json_error_out_of_memory ? WD_ENOMEM
										  : WD_EUNSUPPORTED;
		keep(e, WD_CODEC_JSON, in + opt, opt_end - opt, *dict);
	}
	if (*dict == NULL)
		return WD_ENOMEM;
	if (count > 0) {
		m->raw = in + raw;
		m->raw_len = raw_end - raw;
		m->raw_count = count;
		m->raw_codec = &wd_codec_json;
	}
	return 0;
}

/* Reads a non-negative integer at p: a positive fixint, uint 8-64, or int 8-64 holding a
 * non-negative value (msgpack-c reads that as a positive integer too). */
static bool msgpack_uint(const uint8_t *p, uint64_t *out)
{
	int n;
	uint64_t v = 0;
	if (p[0] <= 0x7f) {
		*out = p[0];
		return true;
	}
	if (p[0] >= 0xcc && p[0] <= 0xcf)
		n = 1 << (p[0] - 0xcc); /* 1, 2, 4 or 8 bytes */
	else if (p[0] >= 0xd0 && p[0] <= 0xd3 && (p[1] & 0x80) == 0)
		n = 1 << (p[0] - 0xd0);
	else
		return false;
	for (int i = 1; i <= n; i++)
		v = (v << 8) | p[i];
	*out = v;
	return true;
}

static bool is_msgpack_map(uint8_t b)
{
	return (b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf;
}

static bool is_msgpack_array(uint8_t b)
{
	return (b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd;
}

/* The text of a str at p (the walk has checked that its bytes are there). */
static bool msgpack_str(const uint8_t *p, const uint8_t **text, size_t *n)
{
	if (p[0] >= 0xa0 && p[0] <= 0xbf) {
		*n = p[0] & 0x1f;
		*text = p + 1;
	} else if (p[0] == 0xd9) {
		*n = p[1];
		*text = p + 2;
	} else if (p[0] == 0xda) {
		*n = (size_t)p[1] << 8 | p[2];
		*text = p + 3;
	} else if (p[0] == 0xdb) {
		*n = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
		*text = p + 5;
	} else {
		return false;
	}
	return true;
}

/* Converts the options map in[0..len) (walked and vetted) into a dict. */
static int msgpack_options(struct wd_envelope *e, const uint8_t *in, size_t len, json_t **dict)
{
	msgpack_object o;
	size_t off = 0;
	int rc;

	if (in[0] == 0x80) {
		*dict = empty_dict(e); /* {} */
		return *dict != NULL ? 0 : WD_ENOMEM;
	}
	if ((*dict = cache_get(e, WD_CODEC_MSGPACK, in, len)) != NULL)
		return 0;
	if (!e->has_zone) {
		if (!msgpack_zone_init(&e->zone, 2048))
			return WD_ENOMEM;
		e->has_zone = true;
	}
	msgpack_zone_clear(&e->zone);
	if (msgpack_unpack((const char *)in, len, &off, &e->zone, &o) != MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		return WD_EUNSUPPORTED;
	if ((rc = wd_msgpack_to_json(&o, dict)) < 0)
		return rc == WD_ENOMEM ? WD_ENOMEM : WD_EUNSUPPORTED;
	keep(e, WD_CODEC_MSGPACK, in, len, *dict);
	return 0;
}

/* Reads the non-negative integer at in[*pos] (as msgpack_uint) and moves *pos past it; false
 * when there is none or it is cut short. */
static bool msgpack_take_uint(const uint8_t *in, size_t len, size_t *pos, uint64_t *out)
{
	size_t p = *pos, n;
	if (p >= len)
		return false;
	if (in[p] <= 0x7f)
		n = 0;
	else if (in[p] >= 0xcc && in[p] <= 0xcf)
		n = (size_t)1 << (in[p] - 0xcc);
	else if (in[p] >= 0xd0 && in[p] <= 0xd3)
		n = (size_t)1 << (in[p] - 0xd0);
	else
		return false;
	if (len - p - 1 < n || !msgpack_uint(in + p, out))
		return false;
	*pos = p + 1 + n;
	return true;
}

/* Reads the str at in[*pos], which must be valid UTF-8 without NUL, and moves *pos past it. */
static bool msgpack_take_text(const uint8_t *in, size_t len, size_t *pos, const uint8_t **text,
			      size_t *n)
{
	size_t p = *pos, head;
	if (p >= len)
		return false;
	head = in[p] >= 0xa0 && in[p] <= 0xbf ? 1
	       : in[p] == 0xd9		     ? 2
	       : in[p] == 0xda		     ? 3
	       : in[p] == 0xdb		     ? 5
					     : 0;
	if (head == 0 || len - p < head || !msgpack_str(in + p, text, n) || len - p - head < *n ||
	    !wd_utf8_valid(*text, *n) || memchr(*text, '\0', *n) != NULL)
		return false;
	*pos = p + head + *n;
	return true;
}

/* Walks the value at in[*pos] (vetted as wd_msgpack_to_json would, nesting as an element of
 * a message may) and moves *pos past it. */
static bool msgpack_value(const uint8_t *in, size_t len, size_t *pos)
{
	struct wd_msgpack_walk w; /* not = {...}: zeroing its unused top[] costs a rep stos */
	w.vet = true;
	w.prefix = true;
	w.max_depth = MSGPACK_ELEMENT_DEPTH;
	if (*pos >= len || wd_msgpack_walk(in + *pos, len - *pos, &w) < 0)
		return false;
	*pos += w.end;
	return true;
}

/* Reads the root array's header: its element count and where the first element starts. */
static bool msgpack_root(const uint8_t *in, size_t len, size_t *n, size_t *pos)
{
	if (len >= 1 && in[0] >= 0x90 && in[0] <= 0x9f) {
		*n = in[0] & 0x0f;
		*pos = 1;
	} else if (len >= 3 && in[0] == 0xdc) {
		*n = (size_t)in[1] << 8 | in[2];
		*pos = 3;
	} else if (len >= 5 && in[0] == 0xdd) {
		*n = (size_t)in[1] << 24 | (size_t)in[2] << 16 | (size_t)in[3] << 8 | in[4];
		*pos = 5;
	} else {
		return false;
	}
	return true;
}

static int msgpack_envelope(struct wd_envelope *e, const uint8_t *in, size_t len,
			    struct wd_msg *m, json_t **dict)
{
	size_t n, p, first, opt, opt_end, raw, q;
	uint64_t type;

	/* Element by element: each is walked (bounds, and what wd_msgpack_to_json refuses)
	 * before it is read; nothing is unpacked but options not seen before. */
	if (!msgpack_root(in, len, &n, &p) || !msgpack_take_uint(in, len, &p, &type) ||
	    !is_fast_type(type))
		return WD_EUNSUPPORTED;
	m->type = (enum wd_msg_type)type;
	first = type == WD_MSG_YIELD ? 3 : 4; /* index of Arguments */
	if (n < first || n > first + 2 || !msgpack_take_uint(in, len, &p, &m->id1) ||
	    m->id1 > WD_ID_MAX)
		return WD_EUNSUPPORTED;
	/* Options seen before need no walk: their bytes are compared with the cached ones. */
	opt = p;
	if (p >= len || !is_msgpack_map(in[p]))
		return WD_EUNSUPPORTED;
	if (in[p] == 0x80)
		p++; /* {} */
	else if ((*dict = cache_prefix(e, WD_CODEC_MSGPACK, in + p, len - p, &q)) != NULL)
		p += q;
	else if (!msgpack_value(in, len, &p))
		return WD_EUNSUPPORTED;
	opt_end = p;
	if (type != WD_MSG_YIELD) {
		const uint8_t *text;
		size_t text_len;
		if (!msgpack_take_text(in, len, &p, &text, &text_len))
			return WD_EUNSUPPORTED;
		if (set_uri(e, text, text_len, m) < 0)
			return WD_ENOMEM;
	}
	raw = p;
	if (n > first && (p >= len || !is_msgpack_array(in[p]) || !msgpack_value(in, len, &p)))
		return WD_EUNSUPPORTED;
	if (n > first + 1 && (p >= len || !is_msgpack_map(in[p]) || !msgpack_value(in, len, &p)))
		return WD_EUNSUPPORTED;
	if (p != len)
		return WD_EUNSUPPORTED;
	if (n > first) {
		m->raw = in + raw;
		m->raw_len = len - raw;
		m->raw_count = n - first;
		m->raw_codec = &wd_codec_msgpack;
	}
	return *dict != NULL ? 0 : msgpack_options(e, in + opt, opt_end - opt, dict);
}

int wd_envelope_decode(struct wd_envelope *e, const struct wd_codec *codec, const uint8_t *in,
		       size_t len, struct wd_msg *out)
{
	struct wd_msg m;
	json_t *dict = NULL;
	int rc;

	wd_msg_clear(&m);
	if (e->busy)
		return WD_EUNSUPPORTED; /* a message decoded earlier is still being dispatched */
	if (codec->id == WD_CODEC_JSON)
		rc = json_envelope(e, in, len, &m, &dict);
	else if (codec->id == WD_CODEC_MSGPACK)
		rc = msgpack_envelope(e, in, len, &m, &dict);
	else
		rc = WD_EUNSUPPORTED;
	if (rc < 0) {
		json_decref(e->owned); /* the dicts it may have lent are held by e */
		e->owned = NULL;
		return rc;
	}
	m.dict = dict;
	*out = m;
	e->busy = true;
	return 0;
}

void wd_envelope_release(struct wd_envelope *e)
{
	json_decref(e->owned);
	e->owned = NULL;
	e->busy = false;
}

void wd_envelope_deinit(struct wd_envelope *e)
{
	json_decref(e->empty);
	e->empty = NULL;
	json_decref(e->owned);
	e->owned = NULL;
	for (unsigned i = 0; i < WD_ENVELOPE_CACHE; i++) {
		json_decref(e->cache[i].dict);
		e->cache[i].dict = NULL;
	}
	wd_sbuf_free(&e->text);
	if (e->has_zone)
		msgpack_zone_destroy(&e->zone);
	e->has_zone = false;
}

int wd_msg_payload_decode(const struct wd_msg *m, json_t **args, json_t **kwargs)
{
	struct wd_sbuf b = {0};
	json_t *arr = NULL;
	int rc = WD_ENOMEM;

	*args = *kwargs = NULL;
	if (m->raw == NULL || m->raw_codec == NULL)
		return 0;
	if (m->raw_codec->id == WD_CODEC_JSON) {
		/* "[" + Arguments, ArgumentsKw + "]" */
		if (wd_sbuf_append(&b, "[", 1) < 0 || wd_sbuf_append(&b, m->raw, m->raw_len) < 0 ||
		    wd_sbuf_append(&b, "]", 1) < 0)
			goto done;
	} else {
		uint8_t head = (uint8_t)(0x90 | m->raw_count); /* fixarray of 1 or 2 */
		if (wd_sbuf_append(&b, &head, 1) < 0 || wd_sbuf_append(&b, m->raw, m->raw_len) < 0)
			goto done;
	}
	if ((rc = m->raw_codec->decode(b.data, b.len, &arr)) < 0)
		goto done;
	rc = WD_EDECODE;
	if (json_array_size(arr) != m->raw_count || !json_is_array(json_array_get(arr, 0)) ||
	    (m->raw_count == 2 && !json_is_object(json_array_get(arr, 1))))
		goto done;
	*args = json_incref(json_array_get(arr, 0));
	*kwargs = json_incref(json_array_get(arr, 1)); /* NULL-safe */
	rc = 0;
done:
	json_decref(arr);
	wd_sbuf_free(&b);
	return rc;
}
