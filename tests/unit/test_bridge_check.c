/* Unit tests for bridge/rest_check.c: Crossbar's HTTP bridge request checks in order, the
 * signature (the vector below was computed with Python's hmac/base64 exactly as
 * crossbar/bridge/rest/common.py does), timestamps, query parsing, IP networks, replays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "bridge/rest_check.h"
#include "protocol/error.h"

static const char BODY[] = "{\"topic\": \"com.myapp.topic1\", \"args\": [\"Hello, world\"]}";
/* base64.urlsafe_b64encode(hmac.new(b"secret123", b"foobar" + ts + b"1" + b"42" + BODY,
 * hashlib.sha256).digest()) with ts = b"2011-10-14T16:59:51.123Z" */
static const char SIG[] = "fGWXQdUvVU1Mvz64HHVSMvEXeQoUinu1V62wzh60CRg=";

static struct wd_rest_cfg cfg_plain(void)
{
	struct wd_rest_cfg c = {0};
	c.realm = "realm1";
	c.role = "anonymous";
	c.timestamp_delta_limit_s = 300;
	return c;
}

static void run(const struct wd_rest_cfg *cfg, const char *method, const char *ctype,
		const char *body, const char *query, struct wd_rest_verdict *v)
{
	struct wd_rest_request r = {0};
	r.method = method;
	r.content_type = ctype;
	r.body = (const uint8_t *)body;
	r.body_len = strlen(body);
	r.query = query;
	r.peer_ip = "127.0.0.1";
	r.decode_as_json = true;
	r.required_key = "topic";
	r.now = 1318611591.123; /* 2011-10-14T16:59:51.123Z */
	r.cfg = cfg;
	r.body_bound = 1000;
	wd_rest_check(&r, v);
}

static void expect_deny(struct wd_rest_verdict *v, int status, const char *text)
{
	assert_int_equal(v->outcome, WD_REST_DENY);
	assert_int_equal(v->status, status);
	assert_string_equal(v->error, text);
}

static void method_get_is_405_with_python_repr(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_rest_verdict v;
	run(&c, "GET", NULL, "", "", &v);
	expect_deny(&v, 405,
		    "Method not accepted by the REST bridge. (b'GET' not allowed, only POST, PUT)");
}

static void options_is_preflight(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_rest_verdict v;
	run(&c, "OPTIONS", "text/plain", "garbage", "", &v);
	assert_int_equal(v.outcome, WD_REST_OPTIONS);
}

static void content_type_and_charset(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_rest_verdict v;
	run(&c, "POST", "application/text", BODY, "", &v);
	expect_deny(&v, 400,
		    "Non-accepted content type. (must be one of '[b'application/json']', not "
		    "'b'application/text'')");
	run(&c, "POST", "application/json; charset=ascii", BODY, "", &v);
	expect_deny(&v, 400, "Non-accepted request encoding, must be UTF-8.");
	run(&c, "POST", "application/json;charset=utf-8;charset=utf-8", BODY, "", &v);
	expect_deny(&v, 400, "Non-accepted request encoding, must be UTF-8.");
	run(&c, "POST", "APPLICATION/JSON; Charset=UTF8", BODY, "", &v);
	assert_int_equal(v.outcome, WD_REST_PROCEED);
	json_decref(v.json);
}

static void body_shape(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_rest_verdict v;
	run(&c, "POST", NULL, "sometext", "", &v);
	expect_deny(&v, 400, "Request body was invalid JSON.");
	run(&c, "POST", NULL, "[{},{}]", "", &v);
	expect_deny(&v, 400, "Request body was valid JSON, but not well formed (must be a dict).");
	run(&c, "POST", NULL, "{}", "", &v);
	expect_deny(&v, 400,
		    "Request body was valid JSON, but not well formed (missing key 'topic').");
	run(&c, "POST", NULL, "{\"topic\": \"a.b\", \"args\": {\"x\": 1}}", "", &v);
	expect_deny(&v, 400,
		    "Request body was valid JSON, but not well formed ('args' must be a list).");
	/* falsy values are Crossbar's "none given" */
	run(&c, "POST", NULL, "{\"topic\": \"a.b\", \"args\": null, \"kwargs\": 0}", "", &v);
	assert_int_equal(v.outcome, WD_REST_PROCEED);
	json_decref(v.json);
	run(&c, "POST", NULL, "{\"topic\": \"a\\u00e9\", \"args\": [\"\xe9\"]}", "", &v);
	expect_deny(&v, 400, "Non-decodable request body, was not UTF-8.");
}

static void body_limit_413(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_rest_verdict v;
	c.post_body_limit = 10;
	run(&c, "POST", NULL, BODY, "", &v);
	assert_int_equal(v.status, 413);
	assert_non_null(strstr(v.error, "is longer than accepted 10)"));
}

static void signature_vector(void **state)
{
	char sig[45];
	wd_rest_signature("secret123", "foobar", "2011-10-14T16:59:51.123Z", "1", "42",
			  (const uint8_t *)BODY, strlen(BODY), sig);
	assert_string_equal(sig, SIG);
}

static void signed_requests(void **state)
{
	struct wd_rest_cfg c = cfg_plain();
	struct wd_replay_cache cache;
	struct wd_rest_request r = {0};
	struct wd_rest_verdict v;
	char q[512];
	c.key = "foobar";
	c.secret = "secret123";
	snprintf(q, sizeof(q),
		 "key=foobar&timestamp=2011-10-14T16%%3A59%%3A51.123Z&seq=1&nonce=42&signature=%s",
		 SIG);
	assert_int_equal(wd_replay_init(&cache, 4), 0);
	r.method = "POST";
	r.body = (const uint8_t *)BODY;
	r.body_len = strlen(BODY);
	r.query = q;
	r.peer_ip = "127.0.0.1";
	r.decode_as_json = true;
	r.required_key = "topic";
	r.now = 1318611591.123 + 5;
	r.cfg = &c;
	r.replay = &cache;
	wd_rest_check(&r, &v);
	assert_int_equal(v.outcome, WD_REST_PROCEED);
	json_decref(v.json);
	wd_rest_check(&r, &v); /* the same request again */
	assert_int_equal(v.status, 401);
	assert_non_null(strstr(v.error, "replayed"));
	r.now += 400; /* expired */
	wd_rest_check(&r, &v);
	expect_deny(&v, 400, "Request expired, too old timestamp.");
	r.now -= 400;
	r.body = (const uint8_t *)"{\"topic\": \"x\"}";
	r.body_len = strlen((const char *)r.body);
	wd_rest_check(&r, &v);
	expect_deny(&v, 401, "REST bridge signature secret not valid.");
	c.key = "other";
	wd_rest_check(&r, &v);
	expect_deny(&v, 401, "REST bridge signature key not valid.");
	r.query = "";
	wd_rest_check(&r, &v);
	expect_deny(&v, 400,
		    "REST bridge signature was invalid (missing mandatory field - 'key' field "
		    "missing).");
	wd_replay_deinit(&cache);
}

static void timestamps(void **state)
{
	double t;
	assert_int_equal(wd_rest_parse_timestamp("1970-01-01T00:00:00.0Z", &t), 0);
	assert_true(t == 0.0);
	assert_int_equal(wd_rest_parse_timestamp("2011-10-14T16:59:51.123Z", &t), 0);
	assert_true(t > 1318611591.12 && t < 1318611591.13);
	assert_int_equal(wd_rest_parse_timestamp("2011-10-14T16:59:51Z", &t), WD_EINVAL);
	assert_int_equal(wd_rest_parse_timestamp("2011-02-29T00:00:00.1Z", &t), WD_EINVAL);
	assert_int_equal(wd_rest_parse_timestamp("2012-02-29T00:00:00.1Z", &t), 0);
	assert_int_equal(wd_rest_parse_timestamp("2011-10-14T16:59:51.1234567Z", &t), WD_EINVAL);
}

static void integers_and_queries(void **state)
{
	char out[32];
	assert_true(wd_rest_is_integer(" -12_345 "));
	assert_false(wd_rest_is_integer("1__2"));
	assert_false(wd_rest_is_integer("0x10"));
	assert_false(wd_rest_is_integer(""));
	assert_int_equal(wd_query_get("a=1&b=x+y%21&b=2", "b", out, sizeof(out)), 4);
	assert_string_equal(out, "x y!");
	assert_int_equal(wd_query_get("flag&c=", "flag", out, sizeof(out)), 0);
	assert_int_equal(wd_query_get("a=1", "z", out, sizeof(out)), WD_ENOTFOUND);
}

static void ip_networks(void **state)
{
	struct wd_ipnet n;
	assert_int_equal(wd_ipnet_parse("10.0.0.0/8", &n), 0);
	assert_true(wd_ipnet_contains(&n, "10.1.2.3"));
	assert_false(wd_ipnet_contains(&n, "11.0.0.1"));
	assert_true(wd_ipnet_contains(&n, "::ffff:10.9.9.9"));
	assert_int_equal(wd_ipnet_parse("192.168.1.1/255.255.255.0", &n), 0);
	assert_true(wd_ipnet_contains(&n, "192.168.1.200"));
	assert_int_equal(wd_ipnet_parse("::1", &n), 0);
	assert_true(wd_ipnet_contains(&n, "::1"));
	assert_false(wd_ipnet_contains(&n, "127.0.0.1"));
	assert_int_equal(wd_ipnet_parse("10.0.0.0/33", &n), WD_EINVAL);
	assert_int_equal(wd_ipnet_parse("1.2.3.4/255.0.255.0", &n), WD_EINVAL);
}

static void github_signature(void **state)
{
	/* "sha1=" + hmac.new(b"ghs", b"{}", hashlib.sha1).hexdigest() */
	assert_true(wd_rest_github_signature_ok("ghs", "sha1=f8e8f4ef07174cc81d5bd1d69ef7fc7b9e15728e",
						(const uint8_t *)"{}", 2));
	assert_false(wd_rest_github_signature_ok("ghs", "sha1=00", (const uint8_t *)"{}", 2));
	assert_false(wd_rest_github_signature_ok("ghs", NULL, (const uint8_t *)"{}", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(method_get_is_405_with_python_repr),
		cmocka_unit_test(options_is_preflight),
		cmocka_unit_test(content_type_and_charset),
		cmocka_unit_test(body_shape),
		cmocka_unit_test(body_limit_413),
		cmocka_unit_test(signature_vector),
		cmocka_unit_test(signed_requests),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(integers_and_queries),
		cmocka_unit_test(ip_networks),
		cmocka_unit_test(github_signature),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
