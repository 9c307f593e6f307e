/* WAMP MessagePack serializer ("wamp.2.msgpack") on msgpack-c. Decoded values become the same
 * json_t tree the JSON codec produces; bin values become "\0" + standard base64 strings and
 * go back to bin on encode, so the router never needs to know which serializer a peer uses. */
#include "protocol/codec.h"
#include "protocol/codec_msgpack.h"

#include <math.h>
#include <msgpack.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/msg.h"
#include "protocol/utf8.h"

/* Deepest container nesting accepted on decode; the root array counts as 1. The codec contract
 * allows 64, but msgpack-c 4.0's C unpacker keeps a fixed stack of MSGPACK_EMBED_STACK_SIZE
 * (32, compiled into the library) open containers and fails deeper input as "no memory", so
 * msgpack input deeper than 32 is WD_EDECODE. */
#define MAX_DEPTH 32

/* Reads a big-endian unsigned integer of n bytes (1, 2 or 4). */
static size_t be_read(const uint8_t *p, int n)
{
	size_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Reads the n-byte length or count field at in[*pos] into *out and moves *pos past it. */
static bool take_len(const uint8_t *in, size_t len, size_t *pos, int n, size_t *out)
{
	if (len - *pos < (size_t)n)
		return false;
	*out = be_read(in + *pos, n);
	*pos += (size_t)n;
	return true;
}

/* The checks wd_msgpack_to_json makes of a scalar with lead byte b and data p[0..n): text is
 * UTF-8, keys are text without NUL, integers fit int64, floats are finite. */
static bool vet_scalar(uint8_t b, const uint8_t *p, size_t n, bool is_str, bool is_key)
{
	if (is_key && (!is_str || (n > 0 && memchr(p, '\0', n) != NULL)))
		return false;
	if (is_str)
		return wd_utf8_valid(p, n);
	if (b == 0xcf)
		return (p[0] & 0x80) == 0; /* uint 64 above INT64_MAX */
	if (b == 0xca)
		return !((p[0] & 0x7f) == 0x7f && (p[1] & 0x80) != 0); /* exponent all ones */
	if (b == 0xcb)
		return !((p[0] & 0x7f) == 0x7f && (p[1] & 0xf0) == 0xf0);
	return true;
}

/* What a lead byte announces: its class in the high nibble, a byte count in the low one
 * (the data that follows for MP_FIXED and MP_CHECKED, the size of the length or count field
 * for MP_STR, MP_BIN, MP_ARRAY and MP_MAP). One table load replaces a chain of compares. */
enum {
	MP_FIXED,    /* nil, bools, integers (fixints hold their value in the lead byte) */
	MP_CHECKED,  /* what the vet looks into: uint 64 (above INT64_MAX?), float 32 and 64 */
	MP_FIXSTR,   /* str of (lead & 0x1f) bytes */
	MP_STR,      /* str 8, 16, 32 */
	MP_BIN,      /* bin 8, 16, 32 */
	MP_FIXARRAY, /* array of (lead & 0x0f) values */
	MP_FIXMAP,   /* map of (lead & 0x0f) pairs */
	MP_ARRAY,    /* array 16, 32 */
	MP_MAP,      /* map 16, 32 */
	MP_BAD,      /* 0xc1 (never used), ext and fixext: WAMP defines no extension types */
};
static const uint8_t mp_lead[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60, 0x60,
	0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	0x00, 0x90, 0x00, 0x00, 0x41, 0x42, 0x44, 0x90, 0x90, 0x90, 0x14, 0x18, 0x01, 0x02, 0x04, 0x18,
	0x01, 0x02, 0x04, 0x08, 0x90, 0x90, 0x90, 0x90, 0x90, 0x31, 0x32, 0x34, 0x72, 0x74, 0x82, 0x84,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* See codec_msgpack.h: walks the value tree without building it.
 *
 * Why skim: msgpack-c allocates a container's element array from its declared count before reading
 * any element, so a five-byte header claiming 2^32 elements would allocate ~100 GB. Here every
 * declared count must fit into the bytes that remain (each value takes at least one byte), which
 * bounds msgpack-c's allocations by a small multiple of len.
 *
 * The values left in the open container and whether it is a map stay in locals (n, map); the
 * levels above wait in left[] and in_map[]. */
int wd_msgpack_walk(const uint8_t *in, size_t len, struct wd_msgpack_walk *w)
{
	size_t left[MAX_DEPTH + 1]; /* values still expected at each level below the open one */
	bool in_map[MAX_DEPTH + 1];
	size_t pos = 0, n = 1; /* the root level expects one value */
	bool map = false;
	int top = 0, max_depth = w != NULL && w->max_depth > 0 ? w->max_depth : MAX_DEPTH;
	bool prefix = w != NULL && w->prefix, vet = w != NULL && w->vet;
	bool record = w != NULL && !prefix; /* the root array's element offsets */

	if (max_depth > MAX_DEPTH)
		max_depth = MAX_DEPTH;
	if (w != NULL)
		w->n_top = w->count = 0;
	if (record && (len == 0 || (mp_lead[in[0]] >> 4 != MP_FIXARRAY &&
				    mp_lead[in[0]] >> 4 != MP_ARRAY)))
		return WD_EDECODE; /* a WAMP message is an array */
	for (;;) {
		size_t skip, count;
		bool is_key, is_map;
		uint8_t b, t;

		while (n == 0) {
			if (top == 0) {
				if (prefix) {
					w->end = pos;
					return 0;
				}
				return pos == len ? 0 : WD_EDECODE; /* trailing bytes */
			}
			top--;
			n = left[top];
			map = in_map[top];
		}
		/* Map entries alternate key, value; a map of k entries starts with 2k left. */
		is_key = map && n % 2 == 0;
		n--;
		if (pos >= len)
			return WD_EDECODE; /* truncated */
		if (record && top == 1 && w->n_top < WD_MSGPACK_TOP_MAX)
			w->top[w->n_top++] = pos;
		b = in[pos++];
		t = mp_lead[b];
		switch (t >> 4) {
		case MP_FIXED:
			skip = t & 0x0f;
			if (len - pos < skip || (vet && is_key))
				return WD_EDECODE;
			pos += skip;
			continue;
		case MP_CHECKED:
			skip = t & 0x0f;
			if (len - pos < skip || (vet && !vet_scalar(b, in + pos, skip, false, is_key)))
				return WD_EDECODE;
			pos += skip;
			continue;
		case MP_FIXSTR:
			skip = b & 0x1f;
			goto text;
		case MP_STR:
		case MP_BIN:
			if (!take_len(in, len, &pos, t & 0x0f, &skip))
				return WD_EDECODE;
			if (t >> 4 == MP_BIN) {
				if (len - pos < skip || (vet && is_key))
					return WD_EDECODE;
				pos += skip;
				continue;
			}
		text:
			if (len - pos < skip || (vet && !vet_scalar(b, in + pos, skip, true, is_key)))
				return WD_EDECODE;
			pos += skip;
			continue;
		case MP_FIXARRAY:
		case MP_FIXMAP:
			count = b & 0x0f;
			is_map = t >> 4 == MP_FIXMAP;
			break;
		case MP_ARRAY:
		case MP_MAP:
			if (!take_len(in, len, &pos, t & 0x0f, &count))
				return WD_EDECODE;
			is_map = t >> 4 == MP_MAP;
			break;
		default:
			return WD_EDECODE;
		}
		/* A container. */
		if (vet && is_key)
			return WD_EDECODE; /* dict keys are strings */
		if (top + 1 > max_depth)
			return WD_EDECODE;
		if (count > (len - pos) / (is_map ? 2 : 1))
			return WD_EDECODE; /* cannot hold that many values */
		if (record && top == 0)
			w->count = count;
		left[top] = n;
		in_map[top] = map;
		top++;
		n = is_map ? 2 * count : count;
		map = is_map;
	}
}

int wd_msgpack_skim(const uint8_t *in, size_t len)
{
	return wd_msgpack_walk(in, len, NULL);
}

/* Returns the bytes of a str or bin object. msgpack-c leaves the pointer NULL for some empty
 * strings (an empty fixstr before any other sized value), and jansson refuses NULL. */
static const char *bytes_of(const char *ptr)
{
	return ptr != NULL ? ptr : "";
}

/* Tells why jansson refused the text p[0..n): 0 if it is valid UTF-8 after all (the refusal was
 * an allocation failure, so the caller reports WD_ENOMEM), WD_EDECODE if not, WD_ENOMEM. */
static int text_status(const char *p, size_t n)
{
	json_t *s;

	if ((s = json_stringn(p, n)) != NULL) {
		json_decref(s);
		return 0;
	}
	if ((s = json_stringn_nocheck(p, n)) == NULL)
		return WD_ENOMEM;
	json_decref(s);
	return WD_EDECODE;
}

/* Returns a new string "\0" + base64(p[0..n)) or NULL (no memory). */
static json_t *bin_to_string(const uint8_t *p, size_t n)
{
	size_t enc_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s;
	json_t *v;

	if ((s = malloc(1 + enc_len)) == NULL)
		return NULL;
	s[0] = '\0';
	sodium_bin2base64(s + 1, enc_len, p, n, sodium_base64_VARIANT_ORIGINAL);
	/* The text is ASCII and its length is exact, so jansson need not check it. */
	v = json_stringn_nocheck(s, 1 + strlen(s + 1));
	free(s);
	return v;
}

/* See codec_msgpack.h. wd_msgpack_skim() has bounded the nesting, so the recursion is
 * bounded. */
int wd_msgpack_to_json(const msgpack_object *o, json_t **out)
{
	json_t *v = NULL, *child;
	int rc;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		v = json_null();
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		v = json_boolean(o->via.boolean);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		if (o->via.u64 > (uint64_t)INT64_MAX)
			return WD_EDECODE; /* json_t integers are int64 */
		v = json_integer((json_int_t)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		v = json_integer((json_int_t)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (!isfinite(o->via.f64))
			return WD_EDECODE; /* JSON has no NaN or infinity; jansson refuses them */
		v = json_real(o->via.f64);
		break;
	case MSGPACK_OBJECT_STR:
		if ((v = json_stringn(bytes_of(o->via.str.ptr), o->via.str.size)) == NULL) {
			rc = text_status(bytes_of(o->via.str.ptr), o->via.str.size);
			return rc < 0 ? rc : WD_ENOMEM;
		}
		break;
	case MSGPACK_OBJECT_BIN:
		v = bin_to_string((const uint8_t *)bytes_of(o->via.bin.ptr), o->via.bin.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		if ((v = json_array()) == NULL)
			return WD_ENOMEM;
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if ((rc = wd_msgpack_to_json(&o->via.array.ptr[i], &child)) < 0)
				goto fail_container;
			if (json_array_append_new(v, child) < 0) {
				rc = WD_ENOMEM;
				goto fail_container;
			}
		}
		break;
	case MSGPACK_OBJECT_MAP:
		if ((v = json_object()) == NULL)
			return WD_ENOMEM;
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			const char *key;
			size_t key_len;

			/* WAMP dicts have string keys. A NUL inside a key is refused as jansson's
			 * JSON parser refuses it, so both serializers accept the same keys. */
			rc = WD_EDECODE;
			if (kv->key.type != MSGPACK_OBJECT_STR)
				goto fail_container;
			key = bytes_of(kv->key.via.str.ptr);
			key_len = kv->key.via.str.size;
			if (key_len > 0 && memchr(key, '\0', key_len) != NULL)
				goto fail_container;
			if ((rc = wd_msgpack_to_json(&kv->val, &child)) < 0)
				goto fail_container;
			/* Last one wins for a repeated key, as jansson does for JSON text. */
			if (json_object_setn_new(v, key, key_len, child) < 0) {
				rc = text_status(key, key_len);
				if (rc == 0)
					rc = WD_ENOMEM;
				goto fail_container;
			}
		}
		break;
	default:
		return WD_EDECODE; /* ext: wd_msgpack_skim() has refused it already */
	}
	if (v == NULL)
		return WD_ENOMEM;
	*out = v;
	return 0;
fail_container:
	json_decref(v);
	return rc;
}

static int msgpack_decode(const uint8_t *in, size_t len, json_t **out)
{
	msgpack_unpacked u;
	size_t off = 0;
	json_t *v;
	int rc;

	if ((rc = wd_msgpack_skim(in, len)) < 0)
		return rc;
	msgpack_unpacked_init(&u);
	switch (msgpack_unpack_next(&u, (const char *)in, len, &off)) {
	case MSGPACK_UNPACK_SUCCESS:
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		rc = WD_ENOMEM;
		goto done;
	default:
		rc = WD_EDECODE; /* wd_msgpack_skim() accepted what msgpack-c refuses: stay safe */
		goto done;
	}
	if (off != len || u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size == 0) {
		rc = WD_EDECODE;
		goto done;
	}
	if ((rc = wd_msgpack_to_json(&u.data, &v)) < 0)
		goto done;
	*out = v;
	rc = 0;
done:
	msgpack_unpacked_destroy(&u);
	return rc;
}

struct pack_ctx {
	struct wd_sbuf *out;
	int rc; /* the first error of an append */
};

static int append_cb(void *data, const char *buf, size_t len)
{
	struct pack_ctx *c = data;
	struct wd_sbuf *out = c->out;
	/* msgpack-c calls this for every header and scalar (1-9 bytes): copy in place while
	 * there is room, and grow the buffer only when there is not. */
	if (out->data != NULL && out->cap - out->len >= len) {
		memcpy(out->data + out->len, buf, len);
		out->len += len;
		return 0;
	}
	if ((c->rc = wd_sbuf_append(out, buf, len)) < 0)
		return -1;
	return 0;
}

/* Packs s[0..n) (n >= 1, s[0] == NUL) as bin: the base64 text after the NUL, decoded. Padding
 * is optional, as some clients leave it out; anything else that is not base64 is WD_EINVAL. */
static int pack_bin(msgpack_packer *pk, const char *s, size_t n)
{
	const char *b64 = s + 1;
	size_t b64_len = n - 1, max = b64_len / 4 * 3 + 3, bin_len;
	unsigned char *bin;
	int rc = WD_EINVAL;

	if ((bin = malloc(max)) == NULL)
		return WD_ENOMEM;
	if (sodium_base642bin(bin, max, b64, b64_len, NULL, &bin_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 &&
	    sodium_base642bin(bin, max, b64, b64_len, NULL, &bin_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		goto done;
	rc = WD_ENOMEM; /* the write callback fails only for memory */
	if (msgpack_pack_bin(pk, bin_len) < 0 || msgpack_pack_bin_body(pk, bin, bin_len) < 0)
		goto done;
	rc = 0;
done:
	free(bin);
	return rc;
}

/* Packs one string of n bytes; msgpack lengths are 32-bit. */
static int pack_text(msgpack_packer *pk, const char *s, size_t n)
{
	if (n > UINT32_MAX)
		return WD_EINVAL;
	if (msgpack_pack_str(pk, n) < 0 || msgpack_pack_str_body(pk, s, n) < 0)
		return WD_ENOMEM;
	return 0;
}

/* Appends v. depth guards the C stack against a json_t that refers to itself. */
static int pack(msgpack_packer *pk, const json_t *v, int depth)
{
	const char *key;
	size_t key_len, i;
	json_t *child;
	int rc;

	if (depth > 2048)
		return WD_EINVAL;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) > UINT32_MAX)
			return WD_EINVAL;
		if (msgpack_pack_map(pk, json_object_size(v)) < 0)
			return WD_ENOMEM;
		json_object_keylen_foreach((json_t *)v, key, key_len, child)
		{
			if ((rc = pack_text(pk, key, key_len)) < 0 ||
			    (rc = pack(pk, child, depth + 1)) < 0)
				return rc;
		}
		return 0;
	case JSON_ARRAY:
		if (json_array_size(v) > UINT32_MAX)
			return WD_EINVAL;
		if (msgpack_pack_array(pk, json_array_size(v)) < 0)
			return WD_ENOMEM;
		json_array_foreach(v, i, child)
		{
			if ((rc = pack(pk, child, depth + 1)) < 0)
				return rc;
		}
		return 0;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		/* WAMP's JSON form of binary: a leading NUL, then base64. */
		if (n > 0 && s[0] == '\0')
			return pack_bin(pk, s, n);
		return pack_text(pk, s, n);
	}
	case JSON_INTEGER:
		/* msgpack-c picks the shortest encoding (fixint, uint8, ..., int64). */
		rc = msgpack_pack_int64(pk, json_integer_value(v));
		break;
	case JSON_REAL:
		rc = msgpack_pack_double(pk, json_real_value(v));
		break;
	case JSON_TRUE:
		rc = msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		rc = msgpack_pack_false(pk);
		break;
	case JSON_NULL:
		rc = msgpack_pack_nil(pk);
		break;
	default:
		return WD_EINVAL;
	}
	return rc < 0 ? WD_ENOMEM : 0;
}

static int msgpack_encode(const json_t *v, struct wd_sbuf *out)
{
	struct pack_ctx c = {.out = out, .rc = 0};
	size_t start = out->len;
	msgpack_packer pk;
	int rc;

	msgpack_packer_init(&pk, &c, append_cb);
	if ((rc = pack(&pk, v, 1)) < 0) {
		out->len = start; /* leave out as it was */
		return c.rc < 0 ? c.rc : rc;
	}
	return 0;
}

/* Size of the header of the msgpack value at in[0] and what follows it: *payload bytes of
 * string/bin/number data and *children values (2 per map entry). The input was validated by
 * wd_msgpack_skim(), so every header is complete. */
static size_t header(const uint8_t *in, size_t *payload, size_t *children)
{
	uint8_t b = in[0];
	*payload = *children = 0;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 1;
	if (b <= 0x8f) {
		*children = 2 * (size_t)(b & 0x0f);
		return 1;
	}
	if (b <= 0x9f) {
		*children = b & 0x0f;
		return 1;
	}
	if (b <= 0xbf) {
		*payload = b & 0x1f;
		return 1;
	}
	switch (b) {
	case 0xc4:
	case 0xd9:
		*payload = in[1];
		return 2;
	case 0xc5:
	case 0xda:
		*payload = be_read(in + 1, 2);
		return 3;
	case 0xc6:
	case 0xdb:
		*payload = be_read(in + 1, 4);
		return 5;
	case 0xcc:
	case 0xd0:
		*payload = 1;
		return 1;
	case 0xcd:
	case 0xd1:
		*payload = 2;
		return 1;
	case 0xca:
	case 0xce:
	case 0xd2:
		*payload = 4;
		return 1;
	case 0xcb:
	case 0xcf:
	case 0xd3:
		*payload = 8;
		return 1;
	case 0xdc:
		*children = be_read(in + 1, 2);
		return 3;
	case 0xdd:
		*children = be_read(in + 1, 4);
		return 5;
	case 0xde:
		*children = 2 * be_read(in + 1, 2);
		return 3;
	case 0xdf:
		*children = 2 * be_read(in + 1, 4);
		return 5;
	}
	return 0; /* not reached for validated input */
}

static int msgpack_element_span(const uint8_t *in, size_t len, size_t index, size_t *off,
				size_t *end)
{
	size_t p, payload, n;
	if (len == 0 || !((in[0] >= 0x90 && in[0] <= 0x9f) || in[0] == 0xdc || in[0] == 0xdd))
		return WD_EINVAL;
	p = header(in, &payload, &n);
	if (index >= n)
		return WD_ENOTFOUND;
	for (size_t i = 0; i < index; i++) {
		size_t pending = 1; /* values left to skip for element i, nested ones included */
		while (pending > 0) {
			size_t children, h = header(in + p, &payload, &children);
			if (h == 0 || p + h + payload > len)
				return WD_EINVAL;
			p += h + payload;
			pending = pending - 1 + children;
		}
	}
	*off = p;
	*end = len;
	return 0;
}

/* Writes v as msgpack-c's msgpack_pack_uint64 would (the shortest form). Returns its length. */
static size_t write_uint(uint8_t *p, uint64_t v)
{
	int n;
	if (v < 128) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v < 256) {
		p[0] = 0xcc;
		n = 1;
	} else if (v < 65536) {
		p[0] = 0xcd;
		n = 2;
	} else if (v < (UINT64_C(1) << 32)) {
		p[0] = 0xce;
		n = 4;
	} else {
		p[0] = 0xcf;
		n = 8;
	}
	if (n == 8) { /* most IDs: random up to 2^53 */
		for (int i = 0; i < 8; i++)
			p[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		return 9;
	}
	for (int i = 0; i < n; i++)
		p[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return 1 + (size_t)n;
}

static int msgpack_encode_head(const struct wd_head *h, const uint8_t *raw, size_t raw_len,
			       size_t count, struct wd_sbuf *out)
{
	size_t start = out->len, n = h->n_ints + h->has_dict + (h->uri != NULL) + count;
	uint8_t *p;
	int rc = WD_ENOMEM;

	if (n > 15)
		return WD_EINVAL; /* one fixarray header */
	if (wd_sbuf_reserve(out, 1 + h->n_ints * 9 + 1 + raw_len) < 0)
		return WD_ENOMEM;
	p = out->data + out->len;
	*p++ = (uint8_t)(0x90 | n);
	for (unsigned i = 0; i < h->n_ints; i++)
		p += write_uint(p, h->ints[i]);
	out->len = (size_t)(p - out->data);
	if (h->has_dict) {
		if (h->dict == NULL || json_object_size(h->dict) == 0)
			out->data[out->len++] = 0x80; /* {} */
		else if ((rc = msgpack_encode(h->dict, out)) < 0)
			goto fail;
	}
	if (h->uri != NULL) {
		struct pack_ctx c = {.out = out, .rc = 0};
		msgpack_packer pk;
		msgpack_packer_init(&pk, &c, append_cb);
		if ((rc = pack_text(&pk, h->uri, strlen(h->uri))) < 0)
			goto fail;
	}
	rc = WD_ENOMEM;
	if (count > 0) {
		/* Room was reserved above unless a dict or URI was appended since. */
		if (out->cap - out->len < raw_len && wd_sbuf_reserve(out, raw_len) < 0)
			goto fail;
		memcpy(out->data + out->len, raw, raw_len);
		out->len += raw_len;
	}
	return 0;
fail:
	out->len = start;
	return rc;
}

const struct wd_codec wd_codec_msgpack = {
        .id = WD_CODEC_MSGPACK,
        .name = "msgpack",
        .subprotocol = "wamp.2.msgpack",
        .rawsocket_id = 2,
        .is_binary = true,
        .decode = msgpack_decode,
        .encode = msgpack_encode,
        .element_span = msgpack_element_span,
        .encode_head = msgpack_encode_head,
};
