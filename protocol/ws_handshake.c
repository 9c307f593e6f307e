/* RFC 6455 opening handshake helpers. Header values arrive as parsed by router/http.c; these
 * functions only read them. */
#include "protocol/ws_handshake.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "protocol/error.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define KEY_LEN 24

/* Optional whitespace around header values (RFC 7230 OWS is SP / HTAB; Autobahn strips all
 * ASCII whitespace with str.strip(), so we do too). */
static bool is_ows(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Narrows [*b, *e) to drop leading and trailing whitespace. */
static void trim(const char **b, const char **e)
{
	while (*b < *e && is_ows(**b))
		(*b)++;
	while (*e > *b && is_ows((*e)[-1]))
		(*e)--;
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int wd_ws_accept_key(const char *client_key, char out[29])
{
	unsigned char buf[KEY_LEN + sizeof(WS_GUID) - 1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	const char *b, *e;
	size_t i;

	if (client_key == NULL)
		return WD_EINVAL;
	/* Surrounding whitespace is not part of the field value (RFC 7230 OWS). */
	b = client_key;
	e = b + strlen(b);
	trim(&b, &e);
	/* 16 bytes encode as 22 base64 characters and "==". Like Autobahn we do not insist that
	 * the unused low bits of the 22nd character are zero: any such key decodes to 16 bytes. */
	if (e - b != KEY_LEN || b[22] != '=' || b[23] != '=')
		return WD_EINVAL;
	for (i = 0; i < 22; i++) {
		if (!is_b64(b[i]))
			return WD_EINVAL;
	}
	memcpy(buf, b, KEY_LEN);
	memcpy(buf + KEY_LEN, WS_GUID, sizeof(WS_GUID) - 1);
	if (EVP_Digest(buf, sizeof(buf), md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20)
		return WD_EINTERNAL;
	sodium_bin2base64(out, 29, md, 20, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int wd_ws_pick_subprotocol(const char *header, const char *const *offered, size_t n_offered)
{
	const char *p = header;

	if (header == NULL || offered == NULL)
		return -1;
	/* Client order decides, as in Crossbar's WampWebSocketServerProtocol.onConnect: the first
	 * listed subprotocol we serve wins, whatever our own order. Tokens are case-sensitive. */
	for (;;) {
		const char *b = p, *e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		p = e;
		trim(&b, &e);
		if (e > b) {
			size_t n = (size_t)(e - b);
			for (size_t i = 0; i < n_offered; i++) {
				if (offered[i] != NULL && strlen(offered[i]) == n &&
				    memcmp(offered[i], b, n) == 0)
					return (int)i;
			}
		}
		if (*p == '\0')
			return -1;
		p++; /* skip the comma */
	}
}

/* '*' matches any run of characters (also none); everything else matches itself, case
 * sensitively, as Autobahn's wildcards2patterns regular expressions do. Linear-space
 * backtracking over the last star: worst case O(len(pattern) * len(s)). */
static bool glob_match(const char *pat, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_pi = SIZE_MAX, star_si = 0;

	while (si < slen) {
		if (pat[pi] == '*') {
			star_pi = pi++;
			star_si = si;
		} else if (pat[pi] != '\0' && pat[pi] == s[si]) {
			pi++;
			si++;
		} else if (star_pi != SIZE_MAX) {
			pi = star_pi + 1;
			si = ++star_si;
		} else {
			return false;
		}
	}
	while (pat[pi] == '*')
		pi++;
	return pat[pi] == '\0';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++) {
		if (lower(a[i]) != lit[i])
			return false;
	}
	return true;
}

/* An Origin split the way Python's urlsplit does it for Autobahn's _url_to_origin. */
struct origin {
	const char *scheme, *host; /* not NUL-terminated; lowercased on output */
	size_t scheme_len, host_len;
	long port; /* -1: none given and no default for the scheme */
	bool is_null;
};

/* Parses [b, e). Returns false for a value Autobahn refuses ("HTTP Origin header invalid"):
 * no scheme, no "//" authority, empty host, or a port that is not 0..65535. */
static bool parse_origin(const char *b, const char *e, struct origin *o)
{
	const char *p = b, *auth, *auth_end, *at, *hb, *he, *pb = NULL, *pe = NULL;

	memset(o, 0, sizeof(*o));
	if (ieq(b, (size_t)(e - b), "null")) {
		o->is_null = true;
		return true;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (p == e || !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	while (p < e && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	                 (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
		p++;
	if (p == e || *p != ':')
		return false;
	o->scheme = b;
	o->scheme_len = (size_t)(p - b);
	/* Chrome sends file:// origins for local pages where Firefox sends "null"; Autobahn
	 * treats both as the null origin. */
	if (ieq(o->scheme, o->scheme_len, "file")) {
		o->is_null = true;
		return true;
	}
	p++;
	if (e - p < 2 || p[0] != '/' || p[1] != '/')
		return false;
	auth = p + 2;
	for (auth_end = auth; auth_end < e; auth_end++) {
		if (*auth_end == '/' || *auth_end == '?' || *auth_end == '#')
			break;
	}
	/* userinfo ends at the last '@' of the authority */
	hb = auth;
	for (at = auth; at < auth_end; at++) {
		if (*at == '@')
			hb = at + 1;
	}
	if (hb < auth_end && *hb == '[') {
		/* IPv6 literal: keep the brackets so host:port stays unambiguous. Python's
		 * hostname drops them; an allowed_origins entry for an IPv6 origin is easier
		 * to write this way, and "*" patterns match either way. */
		he = memchr(hb, ']', (size_t)(auth_end - hb));
		if (he == NULL)
			return false;
		he++;
		if (he < auth_end) {
			if (*he != ':')
				return false;
			pb = he + 1;
			pe = auth_end;
		}
	} else {
		he = memchr(hb, ':', (size_t)(auth_end - hb));
		if (he != NULL) {
			pb = he + 1;
			pe = auth_end;
		} else {
			he = auth_end;
		}
	}
	if (he == hb)
		return false;
	for (p = hb; p < he; p++) {
		/* Nothing in a host name is whitespace or a control character; such bytes could
		 * only be an attempt to smuggle something past a pattern. */
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	o->host = hb;
	o->host_len = (size_t)(he - hb);
	o->port = -1;
	if (pb != NULL && pb < pe) {
		long v = 0;
		for (p = pb; p < pe; p++) {
			if (*p < '0' || *p > '9')
				return false;
			v = v * 10 + (*p - '0');
			if (v > 65535)
				return false;
		}
		o->port = v;
	} else if (ieq(o->scheme, o->scheme_len, "http")) {
		o->port = 80;
	} else if (ieq(o->scheme, o->scheme_len, "https")) {
		o->port = 443;
	}
	/* An empty port ("http://h:") counts as none, as in Python. For schemes without a
	 * default port and none given, we write no ":port" (Autobahn would write ":None"). */
	return true;
}

bool wd_ws_origin_allowed(const char *origin, const char *const *patterns, size_t n_patterns,
                          bool allow_null)
{
	char stack[256], *norm = stack;
	const char *b, *e;
	struct origin o;
	size_t need, len = 0, i;
	bool ok = false;

	/* No Origin header: not a browser, so the same-origin policy has nothing to protect. */
	if (origin == NULL)
		return true;
	b = origin;
	e = b + strlen(b);
	trim(&b, &e);
	if (!parse_origin(b, e, &o))
		return false;
	/* Autobahn: the null origin is allowed only by allowNullOrigin, never by a pattern,
	 * not even "*". */
	if (o.is_null)
		return allow_null;
	need = o.scheme_len + 3 + o.host_len + 1 + 5 + 1;
	if (need > sizeof(stack) && (norm = malloc(need)) == NULL)
		return false; /* fail closed */
	for (i = 0; i < o.scheme_len; i++)
		norm[len++] = lower(o.scheme[i]);
	memcpy(norm + len, "://", 3);
	len += 3;
	for (i = 0; i < o.host_len; i++)
		norm[len++] = lower(o.host[i]);
	if (o.port >= 0) {
		char digits[6];
		int n = 0;
		long v = o.port;
		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v > 0);
		norm[len++] = ':';
		while (n > 0)
			norm[len++] = digits[--n];
	}
	norm[len] = '\0';
	for (i = 0; patterns != NULL && i < n_patterns && !ok; i++) {
		if (patterns[i] != NULL && glob_match(patterns[i], norm, len))
			ok = true;
	}
	if (norm != stack)
		free(norm);
	return ok;
}
