/* Unit tests for protocol/ws_handshake.c: accept key, subprotocol choice, Origin policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/error.h"
#include "protocol/ws_handshake.h"

static void accept_key_matches_rfc6455_example(void **state)
{
	char out[29];
	(void)state;
	assert_int_equal(wd_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void accept_key_ignores_surrounding_whitespace(void **state)
{
	char out[29];
	(void)state;
	assert_int_equal(wd_ws_accept_key(" \tdGhlIHNhbXBsZSBub25jZQ== ", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void accept_key_accepts_plus_and_slash(void **state)
{
	char out[29];
	(void)state;
	assert_int_equal(wd_ws_accept_key("+/+/+/+/+/+/+/+/+/+/+w==", out), 0);
	assert_int_equal(strlen(out), 28);
	assert_int_equal(out[27], '=');
}

static void accept_key_rejects_bad_keys(void **state)
{
	static const char *bad[] = {
	        "",
	        "dGhlIHNhbXBsZSBub25jZQ=",     /* 23 chars */
	        "dGhlIHNhbXBsZSBub25jZQ===",   /* 25 chars */
	        "dGhlIHNhbXBsZSBub25jZQ",      /* no padding */
	        "dGhlIHNhbXBsZSBub25jZQAA",    /* 24 chars but 18 bytes */
	        "dGhlIHNhbXBsZSBub25jZ===",    /* too much padding */
	        "dGhlIHNhbXBsZSBub25jZQ=A",    /* padding not at the end */
	        "dGhlIHNhbXBs-SBub25jZQ==",    /* url-safe alphabet */
	        "dGhlIHNhbXBs ZSBub25jZQ==",   /* inner space, 25 chars */
	        "dGhlIHNhbXBs\x01SBub25jZQ==", /* control byte */
	        "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==",
	};
	char out[29];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (wd_ws_accept_key(bad[i], out) != WD_EINVAL)
			fail_msg("accepted key \"%s\"", bad[i]);
	}
	assert_int_equal(wd_ws_accept_key(NULL, out), WD_EINVAL);
}

static const char *const json_msgpack[] = {"wamp.2.json", "wamp.2.msgpack"};

static void subprotocol_first_client_entry_we_serve_wins(void **state)
{
	(void)state;
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.cbor, wamp.2.msgpack", json_msgpack, 2), 1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.msgpack,wamp.2.json", json_msgpack, 2), 1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json, wamp.2.msgpack", json_msgpack, 2), 0);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json", json_msgpack, 2), 0);
}

static void subprotocol_trims_whitespace(void **state)
{
	(void)state;
	assert_int_equal(wd_ws_pick_subprotocol("  wamp.2.msgpack\t ", json_msgpack, 2), 1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.cbor ,\t wamp.2.json  ,x", json_msgpack, 2),
	                 0);
	assert_int_equal(wd_ws_pick_subprotocol(" , ,wamp.2.json", json_msgpack, 2), 0);
}

static void subprotocol_none_matching_returns_minus_one(void **state)
{
	(void)state;
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.cbor, wamp.2.ubjson", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol("WAMP.2.JSON", json_msgpack, 2), -1); /* case */
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json.batched", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.jso", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json x", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol("", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol(",,, ,", json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol(NULL, json_msgpack, 2), -1);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json", json_msgpack, 0), -1);
}

static void subprotocol_respects_offered_subset(void **state)
{
	static const char *const msgpack_only[] = {"wamp.2.msgpack"};
	(void)state;
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json, wamp.2.msgpack", msgpack_only, 1), 0);
	assert_int_equal(wd_ws_pick_subprotocol("wamp.2.json", msgpack_only, 1), -1);
}

static bool allowed(const char *origin, const char *pattern, bool allow_null)
{
	const char *p[] = {pattern};
	return wd_ws_origin_allowed(origin, p, 1, allow_null);
}

static void origin_missing_header_is_allowed(void **state)
{
	(void)state;
	assert_true(allowed(NULL, "https://nothing.example", false));
	assert_true(wd_ws_origin_allowed(NULL, NULL, 0, false));
}

static void origin_star_allows_any_real_origin(void **state)
{
	(void)state;
	assert_true(allowed("http://localhost:8080", "*", true));
	assert_true(allowed("https://evil.example", "*", true));
	assert_true(allowed("chrome-extension://abcdef", "*", false));
}

static void origin_null_needs_allow_null_even_with_star(void **state)
{
	(void)state;
	assert_true(allowed("null", "*", true));
	assert_false(allowed("null", "*", false));
	assert_false(allowed("NULL", "*", false));
	assert_true(allowed("Null", "https://x.example", true));
	/* Chrome sends file:// origins where Firefox sends "null"; both are the null origin. */
	assert_false(allowed("file://", "*", false));
	assert_true(allowed("file:///home/u/index.html", "https://x.example", true));
}

static void origin_default_ports_are_filled_in(void **state)
{
	(void)state;
	assert_true(allowed("https://app.example.com", "https://app.example.com:443", false));
	assert_true(allowed("http://app.example.com", "http://app.example.com:80", false));
	assert_true(allowed("http://app.example.com:80", "http://app.example.com:80", false));
	assert_false(allowed("http://app.example.com", "http://app.example.com", false));
	assert_false(allowed("https://app.example.com", "https://app.example.com:80", false));
	assert_true(allowed("http://app.example.com:8080", "http://app.example.com:8080", false));
	assert_false(allowed("http://app.example.com:8080", "http://app.example.com:80", false));
	/* Empty port means the default; leading zeros are normalised away. */
	assert_true(allowed("http://app.example.com:", "http://app.example.com:80", false));
	assert_true(allowed("http://app.example.com:0080", "http://app.example.com:80", false));
}

static void origin_glob_subdomain_pattern(void **state)
{
	const char *pat = "https://*.example.com:443";
	(void)state;
	assert_true(allowed("https://app.example.com", pat, false));
	assert_true(allowed("https://a.b.example.com:443", pat, false));
	assert_false(allowed("http://app.example.com", pat, false));       /* scheme */
	assert_false(allowed("https://app.example.com:8443", pat, false)); /* port */
	assert_false(allowed("https://example.com", pat, false));          /* needs a subdomain */
	assert_false(allowed("https://app.example.com.evil.net", pat, false));
	assert_false(allowed("https://evilexample.com", pat, false));
}

static void origin_is_lowercased_and_path_ignored(void **state)
{
	(void)state;
	assert_true(allowed("HTTPS://App.Example.COM", "https://app.example.com:443", false));
	assert_true(allowed("https://app.example.com/some/path?q=1#f",
	                    "https://app.example.com:443", false));
	assert_true(allowed("  https://app.example.com  ", "https://app.example.com:443", false));
	assert_true(
	        allowed("https://user:pw@app.example.com", "https://app.example.com:443", false));
}

static void origin_star_pattern_forms(void **state)
{
	(void)state;
	assert_true(allowed("http://localhost:8080", "http://localhost:*", false));
	assert_true(allowed("http://localhost", "http://localhost:*", false));
	assert_true(allowed("http://127.0.0.1:9000", "*://127.0.0.1:*", false));
	assert_true(allowed("https://x.example", "https://x.example*", false));
	assert_true(allowed("https://x.example", "**", false));
	assert_false(allowed("https://x.example", "https://x.exampl", false));
	assert_false(allowed("https://x.example", "", false));
	/* No default port for other schemes: nothing is appended. */
	assert_true(allowed("chrome-extension://abcdef", "chrome-extension://abcdef", false));
	assert_false(allowed("[::1]", "*", false)); /* no scheme */
	assert_true(allowed("http://[::1]:8080", "http://[::1]:8080", false));
	assert_true(allowed("http://[::1]", "http://[::1]:80", false));
}

static void origin_any_of_several_patterns(void **state)
{
	const char *p[] = {"https://a.example:443", NULL, "http://localhost:*"};
	(void)state;
	assert_true(wd_ws_origin_allowed("http://localhost:3000", p, 3, false));
	assert_true(wd_ws_origin_allowed("https://a.example", p, 3, false));
	assert_false(wd_ws_origin_allowed("https://b.example", p, 3, false));
	assert_false(wd_ws_origin_allowed("https://a.example", p, 0, false));
}

static void origin_malformed_is_denied(void **state)
{
	static const char *bad[] = {
	        "",
	        "   ",
	        "example.com",
	        "http:example.com",
	        "http://",
	        "http://:80",
	        "http://host:port",
	        "http://host:65536",
	        "http://host:-1",
	        "http://ho st",
	        "http://[::1",
	        "http://[::1]x",
	        "1http://host",
	        "://host",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (allowed(bad[i], "*", true))
			fail_msg("allowed malformed origin \"%s\"", bad[i]);
	}
	assert_true(allowed("http://host:65535", "*", false));
	assert_true(allowed("http://host:0", "*", false));
}

static void origin_long_value_is_matched(void **state)
{
	char origin[2100];
	(void)state;
	strcpy(origin, "https://");
	memset(origin + 8, 'a', 2000);
	strcpy(origin + 2008, ".example.com");
	assert_true(allowed(origin, "https://*.example.com:443", false));
	assert_false(allowed(origin, "https://b*.example.com:443", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(accept_key_matches_rfc6455_example),
	        cmocka_unit_test(accept_key_ignores_surrounding_whitespace),
	        cmocka_unit_test(accept_key_accepts_plus_and_slash),
	        cmocka_unit_test(accept_key_rejects_bad_keys),
	        cmocka_unit_test(subprotocol_first_client_entry_we_serve_wins),
	        cmocka_unit_test(subprotocol_trims_whitespace),
	        cmocka_unit_test(subprotocol_none_matching_returns_minus_one),
	        cmocka_unit_test(subprotocol_respects_offered_subset),
	        cmocka_unit_test(origin_missing_header_is_allowed),
	        cmocka_unit_test(origin_star_allows_any_real_origin),
	        cmocka_unit_test(origin_null_needs_allow_null_even_with_star),
	        cmocka_unit_test(origin_default_ports_are_filled_in),
	        cmocka_unit_test(origin_glob_subdomain_pattern),
	        cmocka_unit_test(origin_is_lowercased_and_path_ignored),
	        cmocka_unit_test(origin_star_pattern_forms),
	        cmocka_unit_test(origin_any_of_several_patterns),
	        cmocka_unit_test(origin_malformed_is_denied),
	        cmocka_unit_test(origin_long_value_is_matched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
