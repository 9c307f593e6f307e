/* Unit tests for protocol/uri.c: the spec's URI patterns, realm names, prefix and wildcard
 * matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/uri.h"

#define LOOSE WD_URI_LOOSE
#define STRICT WD_URI_STRICT
#define NO_EMPTY WD_URI_NO_EMPTY
#define LAST_EMPTY WD_URI_LAST_EMPTY
#define ANY_EMPTY WD_URI_ANY_EMPTY

struct uri_case {
	const char *uri;
	bool no_empty, last_empty, any_empty; /* expected result per empty rule */
};

static void check_table(const struct uri_case *t, size_t n, enum wd_uri_mode mode)
{
	for (size_t i = 0; i < n; i++) {
		if (wd_uri_check(t[i].uri, mode, NO_EMPTY) != t[i].no_empty ||
		    wd_uri_check(t[i].uri, mode, LAST_EMPTY) != t[i].last_empty ||
		    wd_uri_check(t[i].uri, mode, ANY_EMPTY) != t[i].any_empty)
			fail_msg("uri \"%s\" (mode %d): expected %d/%d/%d, got %d/%d/%d", t[i].uri,
			         (int)mode, t[i].no_empty, t[i].last_empty, t[i].any_empty,
			         wd_uri_check(t[i].uri, mode, NO_EMPTY),
			         wd_uri_check(t[i].uri, mode, LAST_EMPTY),
			         wd_uri_check(t[i].uri, mode, ANY_EMPTY));
	}
}

/* Expected values come from the spec's regular expressions:
 * NO_EMPTY   ^([^\s\.#]+\.)*([^\s\.#]+)$
 * LAST_EMPTY ^([^\s\.#]+\.)*([^\s\.#]*)$
 * ANY_EMPTY  ^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$ */
static void uri_empty_rules_follow_spec_patterns(void **state)
{
	static const struct uri_case t[] = {
	        {"com.example.foo", true, true, true},
	        {"a", true, true, true},
	        {"", false, true, true},
	        {".", false, false, true},
	        {"..", false, false, true},
	        {"com.", false, true, true},
	        {".com", false, false, true},
	        {"com..foo", false, false, true},
	        {"com.example.", false, true, true},
	        {"com..", false, false, true},
	        {"a.b.c.d.e.f", true, true, true},
	};
	(void)state;
	check_table(t, sizeof(t) / sizeof(t[0]), LOOSE);
	check_table(t, sizeof(t) / sizeof(t[0]), STRICT);
}

static void uri_loose_accepts_mixed_case_and_symbols(void **state)
{
	(void)state;
	assert_true(wd_uri_check("Com.Example-Foo.bar$1", LOOSE, NO_EMPTY));
	assert_true(wd_uri_check("com.example/x:y", LOOSE, NO_EMPTY));
	assert_true(wd_uri_check("wamp.session.on_join", LOOSE, NO_EMPTY));
	assert_true(wd_uri_check("com.\xc3\xa4pfel", LOOSE, NO_EMPTY)); /* "äpfel" in UTF-8 */
}

static void uri_loose_rejects_whitespace_and_hash(void **state)
{
	static const char *bad[] = {
	        "com.exa mple",      "com.example#1", "#",       "com.\texample", "com.example\n",
	        "com.ex\rample",     "com.\vx",       "com.\fx", "com.\x1fx",     " com.x",
	        "com.\xc2\xa0x",     /* U+00A0 no-break space */
	        "com.\xe2\x80\x83x", /* U+2003 em space */
	        "com.\xe3\x80\x80x", /* U+3000 ideographic space */
	        "com.\xe2\x80\xa8x", /* U+2028 line separator */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (wd_uri_check(bad[i], LOOSE, NO_EMPTY) ||
		    wd_uri_check(bad[i], LOOSE, LAST_EMPTY) ||
		    wd_uri_check(bad[i], LOOSE, ANY_EMPTY))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void uri_loose_accepts_non_space_multibyte_lookalikes(void **state)
{
	(void)state;
	/* Lead bytes of whitespace sequences followed by other bytes are ordinary text. */
	assert_true(wd_uri_check("com.\xe2\x80\x94x", LOOSE, NO_EMPTY)); /* U+2014 em dash */
	assert_true(wd_uri_check("com.\xc2\xa9x", LOOSE, NO_EMPTY));     /* U+00A9 (c) */
	assert_true(wd_uri_check("com.\xe3\x81\x82", LOOSE, NO_EMPTY));  /* U+3042 hiragana a */
	/* A truncated lead byte at the end is not whitespace and reads no further. */
	assert_true(wd_uri_check("com.x\xe2", LOOSE, NO_EMPTY));
	assert_true(wd_uri_check("com.x\xe2\x80", LOOSE, NO_EMPTY));
}

static void uri_strict_rejects_upper_case_and_symbols(void **state)
{
	static const char *bad[] = {"Com.example", "com.exa-mple", "com.example$", "com.ex ample",
	                            "com.ex#",     "com.\xc3\xa4", "com/x",        "com.x:y"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (wd_uri_check(bad[i], STRICT, NO_EMPTY) ||
		    wd_uri_check(bad[i], STRICT, ANY_EMPTY))
			fail_msg("strict accepted \"%s\"", bad[i]);
	}
	assert_true(wd_uri_check("com.example_2.foo_bar", STRICT, NO_EMPTY));
	assert_true(wd_uri_check("0.9", STRICT, NO_EMPTY));
}

static void uri_strict_rejects_empty_component(void **state)
{
	(void)state;
	assert_false(wd_uri_check("com..foo", STRICT, NO_EMPTY));
	assert_false(wd_uri_check("com..foo", STRICT, LAST_EMPTY));
	assert_true(wd_uri_check("com..foo", STRICT, ANY_EMPTY));
	assert_true(wd_uri_check("com.foo.", STRICT, LAST_EMPTY));
}

static void uri_null_is_invalid(void **state)
{
	(void)state;
	assert_false(wd_uri_check(NULL, LOOSE, ANY_EMPTY));
	assert_false(wd_uri_realm_valid(NULL));
	assert_false(wd_uri_match_prefix(NULL, "a"));
	assert_false(wd_uri_match_wildcard("a", NULL));
}

static void realm_names_follow_crossbar_pattern(void **state)
{
	char longest[256], too_long[257];
	(void)state;
	assert_true(wd_uri_realm_valid("realm1"));
	assert_true(wd_uri_realm_valid("abc"));
	assert_true(wd_uri_realm_valid("My-Realm_2@example.com"));
	assert_false(wd_uri_realm_valid(""));
	assert_false(wd_uri_realm_valid("ab"));     /* fewer than 3 characters */
	assert_false(wd_uri_realm_valid("1realm")); /* must start with a letter */
	assert_false(wd_uri_realm_valid("_realm"));
	assert_false(wd_uri_realm_valid("realm 1"));
	assert_false(wd_uri_realm_valid("realm#1"));
	assert_false(wd_uri_realm_valid("realm1\n")); /* Python's $ would allow this; we do not */
	assert_false(wd_uri_realm_valid("r\xc3\xa4lm"));
	memset(longest, 'a', 255);
	longest[255] = '\0';
	assert_true(wd_uri_realm_valid(longest));
	memset(too_long, 'a', 256);
	too_long[256] = '\0';
	assert_false(wd_uri_realm_valid(too_long));
}

static void prefix_match_is_plain_string_prefix(void **state)
{
	(void)state;
	assert_true(wd_uri_match_prefix("com.example.", "com.example.foo"));
	assert_true(wd_uri_match_prefix("com.example", "com.example.foo"));
	assert_true(wd_uri_match_prefix("com.ex", "com.example")); /* not component-aligned */
	assert_true(wd_uri_match_prefix("", "anything"));
	assert_true(wd_uri_match_prefix("com.x", "com.x"));
	assert_false(wd_uri_match_prefix("com.example.foo", "com.example"));
	assert_false(wd_uri_match_prefix("com.y", "com.x"));
}

static void wildcard_match_needs_same_component_count(void **state)
{
	(void)state;
	assert_true(wd_uri_match_wildcard("com..foo", "com.example.foo"));
	assert_true(wd_uri_match_wildcard(".example.", "com.example.foo"));
	assert_true(wd_uri_match_wildcard("..", "a.b.c"));
	assert_true(wd_uri_match_wildcard("com.example.foo", "com.example.foo"));
	assert_false(wd_uri_match_wildcard("com..foo", "com.example.bar"));
	assert_false(wd_uri_match_wildcard("com..foo", "com.a.b.foo"));
	assert_false(wd_uri_match_wildcard("com..", "com.a"));
	assert_false(wd_uri_match_wildcard("com.", "com.a.b"));
	assert_true(wd_uri_match_wildcard("com.", "com.a"));
	assert_false(wd_uri_match_wildcard("com.ex", "com.example")); /* whole components */
	assert_false(wd_uri_match_wildcard("com.example", "com.ex"));
	assert_false(wd_uri_match_wildcard("com.example", "com.example.foo"));
	assert_true(wd_uri_match_wildcard("", "single"));
	assert_false(wd_uri_match_wildcard("", "two.parts"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(uri_empty_rules_follow_spec_patterns),
	        cmocka_unit_test(uri_loose_accepts_mixed_case_and_symbols),
	        cmocka_unit_test(uri_loose_rejects_whitespace_and_hash),
	        cmocka_unit_test(uri_loose_accepts_non_space_multibyte_lookalikes),
	        cmocka_unit_test(uri_strict_rejects_upper_case_and_symbols),
	        cmocka_unit_test(uri_strict_rejects_empty_component),
	        cmocka_unit_test(uri_null_is_invalid),
	        cmocka_unit_test(realm_names_follow_crossbar_pattern),
	        cmocka_unit_test(prefix_match_is_plain_string_prefix),
	        cmocka_unit_test(wildcard_match_needs_same_component_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
