/* The HTTP bridge's request checks, in Crossbar's order (bridge/rest/common.py
 * _render_request, WAMP-NOTES §2.2), as pure functions over the request's parts: no I/O, no
 * clock (time comes in as an argument), so they are unit-tested and fuzzed directly. */
#ifndef WD_BRIDGE_REST_CHECK_H
#define WD_BRIDGE_REST_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "router/map.h"

/* --- query strings -------------------------------------------------------------------------- */

/* Finds the first value of name in a raw query string as Python's parse_qs (keep_blank_values)
 * reads it: pairs split on '&', name and value split on the first '=', '+' is a space, %XX
 * decoded. Writes the NUL-terminated value to out. Returns its length, WD_ENOTFOUND (absent) or
 * WD_ETOOBIG (does not fit cap). */
int wd_query_get(const char *query, const char *name, char *out, size_t cap);

/* --- signatures ----------------------------------------------------------------------------- */

/* Parses a timestamp in Crossbar's format %Y-%m-%dT%H:%M:%S.%fZ (UTC; 1..6 fraction digits
 * required) into seconds since the epoch. Returns 0 or WD_EINVAL. */
int wd_rest_parse_timestamp(const char *s, double *out);

/* Python int() over a query value: blanks around, a sign, digits with single '_' between.
 * Only validity matters (Crossbar never uses the value). */
bool wd_rest_is_integer(const char *s);

/* base64url(HMAC-SHA256(secret, key || timestamp || seq || nonce || body)) with '=' padding,
 * Crossbar's request signature. out must hold 45 bytes (44 characters and a NUL). */
void wd_rest_signature(const char *secret, const char *key, const char *timestamp,
		       const char *seq, const char *nonce, const uint8_t *body, size_t body_len,
		       char out[45]);

/* GitHub's X-Hub-Signature check: header == "sha1=" + hex(HMAC-SHA1(secret, body)), compared
 * lower-cased in constant time. header may be NULL (false). */
bool wd_rest_github_signature_ok(const char *secret, const char *header, const uint8_t *body,
				 size_t body_len);

/* Remembers signed requests (key, seq, nonce) for the time their timestamp stays acceptable,
 * so a replay within the window is refused (Crossbar has "# FIXME: check nonce"). Bounded:
 * past max_entries the oldest entry is forgotten. */
struct wd_replay_entry {
	uint64_t hash;
	double expires;
};
struct wd_replay_cache {
	struct wd_map seen;             /* hash -> (void *)1 */
	struct wd_replay_entry *ring;   /* insertion order = expiry order */
	size_t cap, head, n;
	uint8_t hash_key[16];           /* SipHash key, random per cache */
};
/* Returns 0 or WD_ENOMEM. */
int wd_replay_init(struct wd_replay_cache *c, size_t max_entries);
void wd_replay_deinit(struct wd_replay_cache *c);
/* True if (key, seq, nonce) was recorded and has not expired at now; otherwise records it
 * until now + window_s and returns false. */
bool wd_replay_seen(struct wd_replay_cache *c, const char *key, const char *seq,
		    const char *nonce, double now, double window_s);

/* --- IP networks ---------------------------------------------------------------------------- */

struct wd_ipnet {
	int family;        /* 4 or 6 */
	uint8_t addr[16];
	int prefix;        /* bits */
};
/* Parses "10.0.0.0/8", "127.0.0.1", "::1/128" or "192.168.1.0/255.255.255.0". Host bits are
 * masked off. Returns 0 or WD_EINVAL. */
int wd_ipnet_parse(const char *s, struct wd_ipnet *out);
/* True if ip ("127.0.0.1", "::1", "::ffff:127.0.0.1") lies in net. */
bool wd_ipnet_contains(const struct wd_ipnet *net, const char *ip);

/* --- the whole pipeline --------------------------------------------------------------------- */

struct wd_rest_request {
	const char *method;            /* "POST" */
	const char *content_type;      /* first Content-Type header or NULL */
	size_t n_content_length;       /* Content-Length headers seen */
	const char *content_length;    /* the first one, or NULL */
	const uint8_t *body;
	size_t body_len;               /* bytes received */
	bool body_truncated;           /* over the bound: body is not available */
	uint32_t body_bound;           /* wampd's bound when post_body_limit is 0 */
	const char *query;             /* raw query string ("" if none) */
	const char *peer_ip;
	bool is_tls;
	const char *x_hub_signature;   /* or NULL */
	bool decode_as_json;           /* publisher, caller: true; webhook: false */
	const char *required_key;      /* "topic", "procedure" or NULL (webhook) */
	double now;                    /* seconds since the epoch, UTC */
	const struct wd_rest_cfg *cfg;
	const struct wd_ipnet *nets;   /* cfg->require_ip parsed */
	size_t n_nets;
	struct wd_replay_cache *replay; /* NULL: no replay check */
};

enum wd_rest_outcome {
	WD_REST_PROCEED = 0, /* all checks passed: *json holds the body object (publisher/caller) */
	WD_REST_OPTIONS = 1, /* CORS preflight: answer 200 with an empty body */
	WD_REST_DENY = 2,    /* answer status with Crossbar's {"error": text, ...} body */
};

struct wd_rest_verdict {
	enum wd_rest_outcome outcome;
	int status;
	char error[640];
	json_t *json; /* PROCEED with decode_as_json: the body object (a new reference) */
};

/* Runs Crossbar's checks 0..15 (method, content type, charset, lengths, body limit, GitHub
 * signature, query fields, key and signature, replay, IP, TLS, UTF-8, JSON shape) and wampd's
 * own for publisher/caller bodies: "args" must be a list and "kwargs"/"options" objects (or
 * falsy, which Crossbar replaces by []/{}), the topic/procedure a string. Fills *v. */
void wd_rest_check(const struct wd_rest_request *req, struct wd_rest_verdict *v);

/* Crossbar's deny body {"error": text, "args": [], "kwargs": {}}, compact as its dump_json.
 * Returns a malloc'd NUL-terminated string or NULL. */
char *wd_rest_deny_body(const char *text);

#endif
