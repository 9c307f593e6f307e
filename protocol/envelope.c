/* See envelope.h. Both codecs check exactly what wd_msg_parse checks for PUBLISH, CALL and
 * YIELD (element count, ID range, dict, URI without NUL, Arguments a list, ArgumentsKw a
 * dict) plus what the codec's decode checks for the payload, without building it. */
#include "protocol/envelope.h"

#include <math.h>
#include <string.h>

#include "protocol/codec_msgpack.h"
#include "protocol/error.h"
#include "protocol/json_scan.h"
#include "protocol/utf8.h"

/* codec_json.c's nesting bound (the root array is level 1, so its elements get 63 more). */
#define JSON_ELEMENT_DEPTH 63

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

/* Returns a new reference to the dict cached for codec's encoding p[0..n), or NULL. */
static json_t *cache_get(struct wd_envelope *e, enum wd_codec_id codec, const uint8_t *p, size_t n)
{
	if (n > WD_ENVELOPE_CACHE_BYTES)
		return NULL;
	for (unsigned i = 0; i < WD_ENVELOPE_CACHE; i++) {
		struct wd_envelope_cached *c = &e->cache[i];
		if (c->dict != NULL && c->codec == codec && c->len == n && memcmp(c->bytes, p, n) == 0)
			return json_incref(c->dict);
	}
	return NULL;
}

static void cache_put(struct wd_envelope *e, enum wd_codec_id codec, const uint8_t *p, size_t n,
		      json_t *dict)
{
	struct wd_envelope_cached *c = &e->cache[e->next_slot];
	if (n > WD_ENVELOPE_CACHE_BYTES)
		return;
	e->next_slot = (e->next_slot + 1) % WD_ENVELOPE_CACHE;
	json_decref(c->dict);
	c->dict = json_incref(dict);
	c->codec = codec;
	c->len = (uint8_t)n;
	memcpy(c->bytes, p, n);
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
	if (p >= len || in[p] != '{' ||
	    wd_json_scan_value(in, len, p, JSON_ELEMENT_DEPTH, &opt_end) < 0)
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

	/* The options go to jansson: the router reads them. An empty dict is common enough to
	 * skip the parser for. */
	if (in[wd_json_skip_ws(in, len, opt + 1)] == '}') {
		*dict = json_object();
	} else if ((*dict = cache_get(e, WD_CODEC_JSON, in + opt, opt_end - opt)) == NULL) {
		*dict = json_loadb((const char *)in + opt, opt_end - opt, JSON_ALLOW_NUL, &err);
		if (*dict == NULL)
			return json_error_code(&err) == json_error_out_of_memory ? WD_ENOMEM
										  : WD_EUNSUPPORTED;
		cache_put(e, WD_CODEC_JSON, in + opt, opt_end - opt, *dict);
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

/* True if o (from input wd_msgpack_skim accepted) is something wd_msgpack_to_json converts:
 * the same rules, without building anything. */
static bool msgpack_vet(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
	case MSGPACK_OBJECT_BOOLEAN:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
	case MSGPACK_OBJECT_BIN:
		return true;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return o->via.u64 <= (uint64_t)INT64_MAX;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return isfinite(o->via.f64);
	case MSGPACK_OBJECT_STR:
		return wd_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		for (uint32_t i = 0; i < o->via.array.size; i++)
			if (!msgpack_vet(&o->via.array.ptr[i]))
				return false;
		return true;
	case MSGPACK_OBJECT_MAP:
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			const msgpack_object_str *k = &kv->key.via.str;
			if (kv->key.type != MSGPACK_OBJECT_STR ||
			    (k->size > 0 && memchr(k->ptr, '\0', k->size) != NULL) ||
			    !wd_utf8_valid((const uint8_t *)k->ptr, k->size) || !msgpack_vet(&kv->val))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static bool msgpack_id(const msgpack_object *o, uint64_t *out)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > WD_ID_MAX)
		return false;
	*out = o->via.u64;
	return true;
}

static int msgpack_envelope(struct wd_envelope *e, const uint8_t *in, size_t len,
			    struct wd_msg *m, json_t **dict)
{
	msgpack_object root, *el;
	size_t off = 0, n, first, raw, raw_end, opt, opt_end, rest_end;
	uint64_t type;
	int rc;

	if (wd_msgpack_skim(in, len) < 0)
		return WD_EUNSUPPORTED;
	if (!e->has_zone) {
		if (!msgpack_zone_init(&e->zone, 4096))
			return WD_ENOMEM;
		e->has_zone = true;
	}
	msgpack_zone_clear(&e->zone);
	if (msgpack_unpack((const char *)in, len, &off, &e->zone, &root) != MSGPACK_UNPACK_SUCCESS ||
	    off != len || root.type != MSGPACK_OBJECT_ARRAY || root.via.array.size == 0)
		return WD_EUNSUPPORTED;
	el = root.via.array.ptr;
	n = root.via.array.size;
	if (!msgpack_id(&el[0], &type) || !is_fast_type(type))
		return WD_EUNSUPPORTED;
	m->type = (enum wd_msg_type)type;
	first = type == WD_MSG_YIELD ? 3 : 4; /* index of Arguments */
	if (n < first || n > first + 2 || !msgpack_id(&el[1], &m->id1) ||
	    el[2].type != MSGPACK_OBJECT_MAP || !msgpack_vet(&el[2]))
		return WD_EUNSUPPORTED;
	if (type != WD_MSG_YIELD) {
		const msgpack_object_str *u = &el[3].via.str;
		if (el[3].type != MSGPACK_OBJECT_STR ||
		    (u->size > 0 && memchr(u->ptr, '\0', u->size) != NULL) ||
		    !wd_utf8_valid((const uint8_t *)u->ptr, u->size))
			return WD_EUNSUPPORTED;
		if (set_uri(e, u->size > 0 ? u->ptr : "", u->size, m) < 0)
			return WD_ENOMEM;
	}
	if ((n > first && (el[first].type != MSGPACK_OBJECT_ARRAY || !msgpack_vet(&el[first]))) ||
	    (n > first + 1 &&
	     (el[first + 1].type != MSGPACK_OBJECT_MAP || !msgpack_vet(&el[first + 1]))))
		return WD_EUNSUPPORTED;
	if (n > first) {
		if (wd_codec_msgpack.element_span(in, len, first, &raw, &raw_end) < 0)
			return WD_EUNSUPPORTED;
		m->raw = in + raw;
		m->raw_len = raw_end - raw;
		m->raw_count = n - first;
		m->raw_codec = &wd_codec_msgpack;
	}
	if (el[2].via.map.size == 0) {
		*dict = json_object();
	} else {
		/* The options' bytes run from element 2 to element 3 (or the end). */
		if (wd_codec_msgpack.element_span(in, len, 2, &opt, &opt_end) < 0)
			return WD_EUNSUPPORTED;
		if (n > 3 && wd_codec_msgpack.element_span(in, len, 3, &opt_end, &rest_end) < 0)
			return WD_EUNSUPPORTED;
		if ((*dict = cache_get(e, WD_CODEC_MSGPACK, in + opt, opt_end - opt)) == NULL) {
			if ((rc = wd_msgpack_to_json(&el[2], dict)) < 0)
				return rc == WD_ENOMEM ? WD_ENOMEM : WD_EUNSUPPORTED;
			cache_put(e, WD_CODEC_MSGPACK, in + opt, opt_end - opt, *dict);
		}
	}
	return *dict != NULL ? 0 : WD_ENOMEM;
}

int wd_envelope_decode(struct wd_envelope *e, const struct wd_codec *codec, const uint8_t *in,
		       size_t len, struct wd_msg *out, json_t **dict_owner)
{
	struct wd_msg m = {0};
	json_t *dict = NULL;
	int rc;

	if (e->busy)
		return WD_EUNSUPPORTED; /* a message decoded earlier is still being dispatched */
	if (codec->id == WD_CODEC_JSON)
		rc = json_envelope(e, in, len, &m, &dict);
	else if (codec->id == WD_CODEC_MSGPACK)
		rc = msgpack_envelope(e, in, len, &m, &dict);
	else
		rc = WD_EUNSUPPORTED;
	if (rc < 0) {
		json_decref(dict);
		return rc;
	}
	m.dict = dict;
	*out = m;
	*dict_owner = dict;
	e->busy = true;
	return 0;
}

void wd_envelope_release(struct wd_envelope *e)
{
	e->busy = false;
}

void wd_envelope_deinit(struct wd_envelope *e)
{
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
