/* Fuzzes the HTTP bridge's request checks (bridge/rest_check.c). The input is split at the
 * first three 0x00 bytes into method, Content-Type, query string and body; the checks run
 * against a signed publisher config. Invariants: a verdict is one of the statuses Crossbar
 * uses, a PROCEED for JSON carries an object, and the deny body always serialises. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/rest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *next_part(const uint8_t **p, size_t *left, char *buf, size_t cap)
{
	const uint8_t *z = memchr(*p, 0, *left);
	size_t n = z ? (size_t)(z - *p) : *left;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	if (z != NULL) {
		*left -= (size_t)(z - *p) + 1;
		*p = z + 1;
	} else {
		*p += *left;
		*left = 0;
	}
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wd_replay_cache cache;
	static bool ready;
	char method[32], ctype[256], query[2048], out[64];
	struct wd_rest_cfg cfg = {0};
	struct wd_rest_request r = {0};
	struct wd_rest_verdict v;
	struct wd_ipnet net;
	double t;
	char *deny;
	if (!ready) {
		if (sodium_init() < 0 || wd_replay_init(&cache, 64) < 0)
			abort();
		ready = true;
	}
	next_part(&data, &size, method, sizeof(method));
	next_part(&data, &size, ctype, sizeof(ctype));
	next_part(&data, &size, query, sizeof(query));
	cfg.realm = "realm1";
	cfg.role = "anonymous";
	cfg.key = "foobar";
	cfg.secret = size % 2 ? "secret" : NULL;
	cfg.post_body_limit = size % 3 ? 0 : 64;
	cfg.timestamp_delta_limit_s = 300;
	r.method = method;
	r.content_type = ctype[0] ? ctype : NULL;
	r.body = data;
	r.body_len = size;
	r.body_bound = 1 << 20;
	r.query = query;
	r.peer_ip = "127.0.0.1";
	r.decode_as_json = true;
	r.required_key = "topic";
	r.now = 1318611591.0;
	r.cfg = &cfg;
	r.replay = &cache;
	wd_rest_check(&r, &v);
	if (v.outcome == WD_REST_DENY) {
		if (v.status != 400 && v.status != 401 && v.status != 405 && v.status != 413)
			abort();
		if ((deny = wd_rest_deny_body(v.error)) == NULL)
			abort();
		free(deny);
	} else if (v.outcome == WD_REST_PROCEED) {
		if (!json_is_object(v.json))
			abort();
		json_decref(v.json);
	}
	wd_query_get(query, "nonce", out, sizeof(out));
	wd_rest_parse_timestamp(query, &t);
	wd_rest_is_integer(query);
	if (wd_ipnet_parse(ctype, &net) == 0)
		wd_ipnet_contains(&net, method);
	return 0;
}
