/* Crossbar's HTTP bridge request checks as pure functions (see rest_check.h). Error texts are
 * Crossbar's log categories (crossbar/_log_categories.py AR4xx), including the Python reprs
 * some of them print, because REST clients show them to people and tests compare them. */
#include "bridge/rest_check.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "protocol/error.h"

/* --- query strings -------------------------------------------------------------------------- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* unquote_plus of s[0..n) into out (cap bytes incl. NUL); a bad escape stays as written, as
 * Python's. Returns the length or -1 when it does not fit. */
static int unquote_plus(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '+') {
			ch = ' ';
		} else if (ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			ch = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = ch;
	}
	out[o] = '\0';
	return (int)o;
}

int wd_query_get(const char *query, const char *name, char *out, size_t cap)
{
	const char *p = query;
	char nbuf[64];
	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t nlen = eq ? (size_t)(eq - p) : n;
		if (n > 0 && unquote_plus(p, nlen, nbuf, sizeof(nbuf)) >= 0 &&
		    strcmp(nbuf, name) == 0) {
			int len = eq ? unquote_plus(eq + 1, n - nlen - 1, out, cap)
				     : unquote_plus("", 0, out, cap);
			return len < 0 ? WD_ETOOBIG : len;
		}
		p = end ? end + 1 : NULL;
	}
	return WD_ENOTFOUND;
}

/* --- signatures ----------------------------------------------------------------------------- */

/* Reads 1..max digits (strptime's %m %d %H %M %S take up to 2, %Y exactly... up to 4). */
static bool digits(const char **s, int min, int max, long *out)
{
	int n = 0;
	long v = 0;
	while (n < max && isdigit((unsigned char)**s)) {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n >= min;
}

static bool lit(const char **s, char ch)
{
	if (**s != ch)
		return false;
	(*s)++;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int wd_rest_parse_timestamp(const char *s, double *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long y, mo, d, h, mi, sec, frac = 0;
	const char *f;
	int fdigits;
	if (!digits(&s, 4, 4, &y) || !lit(&s, '-') || !digits(&s, 1, 2, &mo) || !lit(&s, '-') ||
	    !digits(&s, 1, 2, &d) || !lit(&s, 'T') || !digits(&s, 1, 2, &h) || !lit(&s, ':') ||
	    !digits(&s, 1, 2, &mi) || !lit(&s, ':') || !digits(&s, 1, 2, &sec) || !lit(&s, '.'))
		return WD_EINVAL;
	f = s;
	if (!digits(&s, 1, 6, &frac) || !lit(&s, 'Z') || *s != '\0')
		return WD_EINVAL;
	fdigits = (int)(s - f - 1);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return WD_EINVAL;
	{
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int max = mdays[mo - 1] + (mo == 2 && leap);
		if (d > max)
			return WD_EINVAL;
	}
	{
		double fr = (double)frac;
		for (int i = 0; i < fdigits; i++)
			fr /= 10.0;
		*out = (double)days_from_civil(y, mo, d) * 86400.0 + (double)(h * 3600 + mi * 60 + sec) +
		       fr;
	}
	return 0;
}

bool wd_rest_is_integer(const char *s)
{
	bool any = false, last_us = false;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		s++;
	for (; *s != '\0' && !isspace((unsigned char)*s); s++) {
		if (*s == '_') {
			if (!any || last_us)
				return false;
			last_us = true;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return false;
		any = true;
		last_us = false;
	}
	while (isspace((unsigned char)*s))
		s++;
	return any && !last_us && *s == '\0';
}

void wd_rest_signature(const char *secret, const char *key, const char *timestamp,
		       const char *seq, const char *nonce, const uint8_t *body, size_t body_len,
		       char out[45])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const uint8_t *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)seq, strlen(seq));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)nonce, strlen(nonce));
	crypto_auth_hmacsha256_update(&st, body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 45, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE);
}

static bool str_equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* the length of a signature is public */
	return la == lb && sodium_memcmp(a, b, la) == 0;
}

bool wd_rest_github_signature_ok(const char *secret, const char *header, const uint8_t *body,
				 size_t body_len)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char ours[5 + 2 * EVP_MAX_MD_SIZE + 1] = "sha1=", theirs[128];
	size_t n;
	if (header == NULL)
		return false;
	if (HMAC(EVP_sha1(), secret, (int)strlen(secret), body, body_len, mac, &mac_len) == NULL)
		return false;
	sodium_bin2hex(ours + 5, sizeof(ours) - 5, mac, mac_len);
	n = strlen(header);
	if (n >= sizeof(theirs))
		return false;
	for (size_t i = 0; i <= n; i++)
		theirs[i] = (char)tolower((unsigned char)header[i]);
	return str_equal_ct(ours, theirs);
}

int wd_replay_init(struct wd_replay_cache *c, size_t max_entries)
{
	memset(c, 0, sizeof(*c));
	wd_map_init(&c->seen);
	if ((c->ring = calloc(max_entries, sizeof(*c->ring))) == NULL)
		return WD_ENOMEM;
	c->cap = max_entries;
	randombytes_buf(c->hash_key, sizeof(c->hash_key));
	return 0;
}

void wd_replay_deinit(struct wd_replay_cache *c)
{
	wd_map_deinit(&c->seen);
	free(c->ring);
	c->ring = NULL;
}

static void replay_pop(struct wd_replay_cache *c)
{
	wd_map_del(&c->seen, c->ring[c->head].hash);
	c->head = (c->head + 1) % c->cap;
	c->n--;
}

bool wd_replay_seen(struct wd_replay_cache *c, const char *key, const char *seq,
		    const char *nonce, double now, double window_s)
{
	crypto_generichash_state st;
	uint8_t h[8];
	uint64_t hash;
	if (c->cap == 0)
		return false;
	while (c->n > 0 && c->ring[c->head].expires < now)
		replay_pop(c);
	/* a keyed hash of the three strings, each with its length so "1","23" != "12","3" */
	crypto_generichash_init(&st, c->hash_key, sizeof(c->hash_key), sizeof(h));
	for (int i = 0; i < 3; i++) {
		const char *s = i == 0 ? key : i == 1 ? seq : nonce;
		uint64_t len = strlen(s);
		crypto_generichash_update(&st, (const uint8_t *)&len, sizeof(len));
		crypto_generichash_update(&st, (const uint8_t *)s, len);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(&hash, h, sizeof(hash));
	if (hash == 0)
		hash = 1; /* keep 0 free */
	if (wd_map_get(&c->seen, hash) != NULL)
		return true;
	if (c->n == c->cap)
		replay_pop(c);
	if (wd_map_put(&c->seen, hash, (void *)1) < 0)
		return false; /* out of memory: let it through rather than refuse everyone */
	c->ring[(c->head + c->n) % c->cap] = (struct wd_replay_entry){hash, now + window_s};
	c->n++;
	return false;
}

/* --- IP networks ---------------------------------------------------------------------------- */

int wd_ipnet_parse(const char *s, struct wd_ipnet *out)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max;
	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(addr))
		return WD_EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		return WD_EINVAL;
	}
	out->prefix = max;
	if (slash != NULL) {
		uint8_t mask[4];
		char *end;
		long p;
		if (out->family == 4 && strchr(slash + 1, '.') != NULL) {
			/* netmask form, as ip_network("192.168.1.0/255.255.255.0") */
			uint32_t m;
			if (inet_pton(AF_INET, slash + 1, mask) != 1)
				return WD_EINVAL;
			m = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 |
			    (uint32_t)mask[2] << 8 | mask[3];
			p = 0;
			while (p < 32 && (m & (UINT32_C(1) << (31 - p))))
				p++;
			if (p < 32 && (m << p) != 0)
				return WD_EINVAL;
		} else {
			if (!isdigit((unsigned char)slash[1]))
				return WD_EINVAL;
			p = strtol(slash + 1, &end, 10);
			if (*end != '\0' || p < 0 || p > max)
				return WD_EINVAL;
		}
		out->prefix = (int)p;
	}
	for (int bit = out->prefix; bit < max; bit++)
		out->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return 0;
}

bool wd_ipnet_contains(const struct wd_ipnet *net, const char *ip)
{
	uint8_t a[16];
	int family;
	if (inet_pton(AF_INET, ip, a) == 1) {
		family = 4;
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		family = 6;
		if (net->family == 4 && memcmp(a, mapped, 12) == 0) {
			memmove(a, a + 12, 4);
			family = 4;
		}
	} else {
		return false;
	}
	if (family != net->family)
		return false;
	for (int bit = 0; bit < net->prefix; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		if ((a[bit / 8] & m) != (net->addr[bit / 8] & m))
			return false;
	}
	return true;
}

/* --- the pipeline --------------------------------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as autobahn's
 * Utf8Validator that Crossbar uses. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

/* Python's repr() of a bytes value: b'...' (b"..." when it holds ' but no "). */
static void bytes_repr(const char *s, size_t n, char *out, size_t cap)
{
	bool dq = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL;
	char q = dq ? '"' : '\'';
	size_t o = 0;
	if (cap < 8) {
		out[0] = '\0';
		return;
	}
	out[o++] = 'b';
	out[o++] = q;
	for (size_t i = 0; i < n && o + 6 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\\' || ch == (unsigned char)q) {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch == '\t' || ch == '\n' || ch == '\r') {
			out[o++] = '\\';
			out[o++] = ch == '\t' ? 't' : ch == '\n' ? 'n' : 'r';
		} else if (ch < 0x20 || ch >= 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o++] = q;
	out[o] = '\0';
}

static void deny(struct wd_rest_verdict *v, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void deny(struct wd_rest_verdict *v, int status, const char *fmt, ...)
{
	va_list ap;
	v->outcome = WD_REST_DENY;
	v->status = status;
	va_start(ap, fmt);
	vsnprintf(v->error, sizeof(v->error), fmt, ap);
	va_end(ap);
}

/* Content-Type elements: split on ';', stripped, lower-cased (Crossbar's content_type_elements).
 * Returns false (AR450) for a "k=v" element that is not exactly one '=' or repeats a key, or a
 * charset other than utf-8/utf8. *first receives the first element. */
static bool content_type_ok(const char *ct, char *first, size_t cap, bool *charset_ok)
{
	char keys[8][32];
	size_t nkeys = 0, idx = 0;
	const char *p = ct;
	*charset_ok = true;
	first[0] = '\0';
	for (;;) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char item[256];
		size_t a = 0, b = n;
		while (a < b && isspace((unsigned char)p[a]))
			a++;
		while (b > a && isspace((unsigned char)p[b - 1]))
			b--;
		if (b - a >= sizeof(item))
			b = a + sizeof(item) - 1;
		for (size_t i = a; i < b; i++)
			item[i - a] = (char)tolower((unsigned char)p[i]);
		item[b - a] = '\0';
		if (idx == 0)
			snprintf(first, cap, "%s", item);
		if (idx > 0 || end != NULL) {
			/* only looked at when there is more than one element */
			char *eq = strchr(item, '=');
			if (eq != NULL) {
				char key[32], val[64];
				size_t kl, vl;
				const char *k = item, *vv = eq + 1;
				if (strchr(eq + 1, '=') != NULL)
					return false;
				while (isspace((unsigned char)*k))
					k++;
				kl = (size_t)(eq - k);
				while (kl > 0 && isspace((unsigned char)k[kl - 1]))
					kl--;
				while (isspace((unsigned char)*vv))
					vv++;
				vl = strlen(vv);
				while (vl > 0 && isspace((unsigned char)vv[vl - 1]))
					vl--;
				if (kl >= sizeof(key) || vl >= sizeof(val))
					return false;
				memcpy(key, k, kl);
				key[kl] = '\0';
				memcpy(val, vv, vl);
				val[vl] = '\0';
				for (size_t i = 0; i < nkeys; i++)
					if (strcmp(keys[i], key) == 0)
						return false;
				if (nkeys < 8)
					snprintf(keys[nkeys++], sizeof(keys[0]), "%s", key);
				if (strcmp(key, "charset") == 0)
					*charset_ok =
						strcmp(val, "utf-8") == 0 || strcmp(val, "utf8") == 0;
			}
		}
		idx++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return true;
}

/* Crossbar replaces falsy args/kwargs/options by []/{}; wampd refuses other wrong types. */
static bool is_falsy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return true;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0.0;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return false;
	}
}

static bool check_shape(const json_t *obj, const char *required, struct wd_rest_verdict *v)
{
	static const char *const prefix =
		"Request body was valid JSON, but not well formed";
	const json_t *x;
	if (!json_is_string(json_object_get(obj, required))) {
		deny(v, 400, "%s ('%s' must be a string).", prefix, required);
		return false;
	}
	x = json_object_get(obj, "args");
	if (x != NULL && !json_is_array(x) && !is_falsy(x)) {
		deny(v, 400, "%s ('args' must be a list).", prefix);
		return false;
	}
	x = json_object_get(obj, "kwargs");
	if (x != NULL && !json_is_object(x) && !is_falsy(x)) {
		deny(v, 400, "%s ('kwargs' must be an object).", prefix);
		return false;
	}
	x = json_object_get(obj, "options");
	if (x != NULL && !json_is_object(x) && !is_falsy(x)) {
		deny(v, 400, "%s ('options' must be an object).", prefix);
		return false;
	}
	return true;
}

#define QV_CAP 512

void wd_rest_check(const struct wd_rest_request *req, struct wd_rest_verdict *v)
{
	const struct wd_rest_cfg *cfg = req->cfg;
	char key[QV_CAP], ts[QV_CAP], seq[QV_CAP], nonce[QV_CAP], sig[QV_CAP];
	int has_key, has_ts, has_seq, has_nonce, has_sig;
	bool secret = cfg->secret != NULL;
	uint64_t content_length;
	memset(v, 0, sizeof(*v));
	v->outcome = WD_REST_PROCEED;
	v->status = 200;

	/* 0: method */
	if (strcmp(req->method, "OPTIONS") == 0) {
		v->outcome = WD_REST_OPTIONS;
		return;
	}
	if (strcmp(req->method, "POST") != 0 && strcmp(req->method, "PUT") != 0) {
		char m[96];
		bytes_repr(req->method, strlen(req->method), m, sizeof(m));
		deny(v, 405,
		     "Method not accepted by the REST bridge. (%s not allowed, only POST, PUT)", m);
		return;
	}
	/* 1, 2: content type and charset */
	if (req->content_type != NULL) {
		char first[256], repr[300];
		bool charset_ok, ok = content_type_ok(req->content_type, first, sizeof(first),
						     &charset_ok);
		if (req->decode_as_json && strcmp(first, "application/json") != 0) {
			bytes_repr(first, strlen(first), repr, sizeof(repr));
			deny(v, 400,
			     "Non-accepted content type. (must be one of '[b'application/json']', not "
			     "'%s')",
			     repr);
			return;
		}
		if (!ok || !charset_ok) {
			deny(v, 400, "Non-accepted request encoding, must be UTF-8.");
			return;
		}
	}
	/* 3, 4, 5: lengths */
	if (req->n_content_length > 1) {
		deny(v, 400, "Multiple versions of the same header is not allowed.");
		return;
	}
	content_length = req->content_length ? strtoull(req->content_length, NULL, 10)
					      : req->body_len;
	if (content_length != req->body_len) {
		deny(v, 400, "Body length (%zu) is different to Content-Length header (%" PRIu64 ").",
		     req->body_len, content_length);
		return;
	}
	if ((cfg->post_body_limit > 0 && content_length > cfg->post_body_limit) ||
	    req->body_truncated) {
		deny(v, 413, "Request too long. (%" PRIu64 " is longer than accepted %u)",
		     content_length, cfg->post_body_limit > 0 ? cfg->post_body_limit : req->body_bound);
		return;
	}
	/* 6: GitHub signature; Crossbar's call has a typo (log_cagegory), so the text is AR400 */
	if (cfg->github_secret != NULL &&
	    !wd_rest_github_signature_ok(cfg->github_secret, req->x_hub_signature, req->body,
					 req->body_len)) {
		deny(v, 400, "Malformed request to the REST bridge.");
		return;
	}
	/* 7: query fields (checked when present, required with a secret) */
	has_key = wd_query_get(req->query, "key", key, sizeof(key)) >= 0;
	if (!has_key && secret) {
		deny(v, 400,
		     "REST bridge signature was invalid (missing mandatory field - 'key' field "
		     "missing).");
		return;
	}
	has_ts = wd_query_get(req->query, "timestamp", ts, sizeof(ts)) >= 0;
	if (has_ts) {
		double t;
		if (wd_rest_parse_timestamp(ts, &t) < 0) {
			deny(v, 400,
			     "REST bridge signature was invalid (invalid timestamp '%.200s' (must be "
			     "UTC/ISO-8601, e.g. '2011-10-14T16:59:51.123Z')).",
			     ts);
			return;
		}
		if (cfg->timestamp_delta_limit_s > 0 &&
		    (t - req->now > cfg->timestamp_delta_limit_s ||
		     req->now - t > cfg->timestamp_delta_limit_s)) {
			deny(v, 400, "Request expired, too old timestamp.");
			return;
		}
	} else if (secret) {
		deny(v, 400,
		     "REST bridge signature was invalid (missing mandatory field - signed request "
		     "required, but mandatory 'timestamp' field missing).");
		return;
	}
	has_seq = wd_query_get(req->query, "seq", seq, sizeof(seq)) >= 0;
	if (has_seq && !wd_rest_is_integer(seq)) {
		deny(v, 400,
		     "REST bridge signature was invalid (invalid sequence number '%.200s' (must be "
		     "an integer)).",
		     seq);
		return;
	} else if (!has_seq && secret) {
		deny(v, 400,
		     "REST bridge signature was invalid (missing mandatory field - 'seq' field "
		     "missing).");
		return;
	}
	has_nonce = wd_query_get(req->query, "nonce", nonce, sizeof(nonce)) >= 0;
	if (has_nonce && !wd_rest_is_integer(nonce)) {
		deny(v, 400,
		     "REST bridge signature was invalid (invalid nonce '%.200s' (must be an "
		     "integer)).",
		     nonce);
		return;
	} else if (!has_nonce && secret) {
		deny(v, 400,
		     "REST bridge signature was invalid (missing mandatory field - 'nonce' field "
		     "missing).");
		return;
	}
	has_sig = wd_query_get(req->query, "signature", sig, sizeof(sig)) >= 0;
	if (!has_sig && secret) {
		deny(v, 400,
		     "REST bridge signature was invalid (missing mandatory field - 'signature' field "
		     "missing).");
		return;
	}
	/* 8, 9: key and signature */
	if (secret) {
		char want[45];
		if (cfg->key == NULL || strcmp(key, cfg->key) != 0) {
			deny(v, 401, "REST bridge signature key not valid.");
			return;
		}
		wd_rest_signature(cfg->secret, key, ts, seq, nonce, req->body, req->body_len, want);
		if (!str_equal_ct(sig, want)) {
			deny(v, 401, "REST bridge signature secret not valid.");
			return;
		}
		/* wampd: a signed request is accepted once (Crossbar: "# FIXME: check nonce").
		 * Kept while its timestamp stays acceptable: up to twice the limit from now. */
		if (req->replay != NULL &&
		    wd_replay_seen(req->replay, key, seq, nonce, req->now,
				   cfg->timestamp_delta_limit_s > 0
					   ? 2.0 * cfg->timestamp_delta_limit_s
					   : 3600.0)) {
			deny(v, 401,
			     "REST bridge signature was invalid (replayed request: key, seq and nonce "
			     "were used before).");
			return;
		}
	}
	/* 10: client IP */
	if (req->n_nets > 0) {
		bool allowed = false;
		for (size_t i = 0; i < req->n_nets && !allowed; i++)
			allowed = wd_ipnet_contains(&req->nets[i], req->peer_ip);
		if (!allowed) {
			deny(v, 400, "Request denied based on IP address.");
			return;
		}
	}
	/* 11: TLS (the reason only goes to Crossbar's log) */
	if (cfg->require_tls && !req->is_tls) {
		deny(v, 400, "Malformed request to the REST bridge.");
		return;
	}
	/* 12: UTF-8 */
	if (!utf8_valid(req->body, req->body_len)) {
		deny(v, 400, "Non-decodable request body, was not UTF-8.");
		return;
	}
	if (!req->decode_as_json)
		return;
	/* 13, 14, 15: JSON object with the required key */
	{
		json_error_t jerr;
		json_t *obj = json_loadb((const char *)req->body, req->body_len,
					 JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (obj == NULL) {
			deny(v, 400, "Request body was invalid JSON.");
			return;
		}
		if (!json_is_object(obj)) {
			json_decref(obj);
			deny(v, 400, "Request body was valid JSON, but not well formed (must be a dict).");
			return;
		}
		if (req->required_key != NULL && json_object_get(obj, req->required_key) == NULL) {
			json_decref(obj);
			deny(v, 400,
			     "Request body was valid JSON, but not well formed (missing key '%s').",
			     req->required_key);
			return;
		}
		if (req->required_key != NULL && !check_shape(obj, req->required_key, v)) {
			json_decref(obj);
			return;
		}
		v->json = obj;
	}
}

char *wd_rest_deny_body(const char *text)
{
	json_t *o = json_pack("{s:s, s:[], s:{}}", "error", text, "args", "kwargs");
	char *s;
	if (o == NULL) {
		/* a user value echoed in the text was not UTF-8: show those bytes as '?' */
		char *copy = strdup(text);
		if (copy == NULL)
			return NULL;
		for (char *p = copy; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		o = json_pack("{s:s, s:[], s:{}}", "error", copy, "args", "kwargs");
		free(copy);
		if (o == NULL)
			return NULL;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
