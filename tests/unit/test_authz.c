/* Unit tests for auth/authz.c: static role permissions, precedence of exact, prefix and
 * wildcard rules, disclosure flags. Roles are built by hand, as config/build.c would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/authz.h"

#define EXACT WD_MATCH_EXACT
#define PREFIX WD_MATCH_PREFIX
#define WILD WD_MATCH_WILDCARD

/* allow bits: C call, R register, P publish, S subscribe */
enum { C = 1, R = 2, P = 4, S = 8, ALL = 15 };

static struct wd_permission perm(const char *uri, enum wd_match m, int allow)
{
	struct wd_permission p;
	memset(&p, 0, sizeof(p));
	p.uri = (char *)uri;
	p.match = m;
	p.allow_call = (allow & C) != 0;
	p.allow_register = (allow & R) != 0;
	p.allow_publish = (allow & P) != 0;
	p.allow_subscribe = (allow & S) != 0;
	return p;
}

static struct wd_role_cfg role_of(struct wd_permission *perms, size_t n)
{
	struct wd_role_cfg r;
	memset(&r, 0, sizeof(r));
	r.name = "test";
	r.perms = perms;
	r.n_perms = n;
	return r;
}

/* Returns the allow bits the role grants on uri (one bit per action). */
static int granted(const struct wd_role_cfg *r, const char *uri)
{
	static const enum wd_action actions[] = {WD_ACTION_CALL, WD_ACTION_REGISTER,
	                                         WD_ACTION_PUBLISH, WD_ACTION_SUBSCRIBE};
	static const int bits[] = {C, R, P, S};
	int g = 0;
	for (size_t i = 0; i < 4; i++) {
		struct wd_authz_result res = {true, true};
		wd_authz_static(r, uri, actions[i], &res);
		if (res.allow)
			g |= bits[i];
	}
	return g;
}

static void authz_null_role_denies(void **state)
{
	struct wd_authz_result res = {true, true};
	(void)state;
	wd_authz_static(NULL, "com.example.foo", WD_ACTION_CALL, &res);
	assert_false(res.allow);
	assert_false(res.disclose);
}

static void authz_no_matching_permission_denies(void **state)
{
	struct wd_permission p[] = {perm("com.example.", PREFIX, ALL)};
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	assert_int_equal(granted(&r, "org.other.foo"), 0);
	assert_int_equal(granted(&r, "com.exampl"), 0);
}

static void authz_missing_allow_keys_deny_those_actions(void **state)
{
	struct wd_permission p[] = {perm("com.example.", PREFIX, C | S)};
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), C | S);
}

static void authz_exact_applies_only_to_equal_uri(void **state)
{
	struct wd_permission p[] = {perm("com.example.foo", EXACT, ALL)};
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), ALL);
	assert_int_equal(granted(&r, "com.example.foo.bar"), 0);
	assert_int_equal(granted(&r, "com.example.fo"), 0);
}

static void authz_longest_prefix_wins(void **state)
{
	struct wd_permission p[] = {
	        perm("com.", PREFIX, S),
	        perm("com.example.private.", PREFIX, 0),
	        perm("com.example.", PREFIX, C | S),
	};
	struct wd_role_cfg r = role_of(p, 3);
	(void)state;
	assert_int_equal(granted(&r, "com.other"), S);
	assert_int_equal(granted(&r, "com.example.public"), C | S);
	assert_int_equal(granted(&r, "com.example.private.secret"), 0);
}

static void authz_prefix_is_plain_string_prefix(void **state)
{
	struct wd_permission p[] = {perm("com.ex", PREFIX, C)};
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), C);
	assert_int_equal(granted(&r, "com.ex"), C);
}

static void authz_empty_prefix_is_catch_all(void **state)
{
	struct wd_permission p[] = {
	        perm("", PREFIX, S),
	        perm("com.example.", PREFIX, ALL),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "anything.at.all"), S);
	assert_int_equal(granted(&r, "wamp.session.list"), S);
	assert_int_equal(granted(&r, "com.example.x"), ALL);
}

static void authz_exact_beats_prefix_on_equal_uri(void **state)
{
	struct wd_permission p[] = {
	        perm("com.example.", PREFIX, ALL),
	        perm("com.example.admin", EXACT, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.admin"), S);
	assert_int_equal(granted(&r, "com.example.other"), ALL);
}

/* Crossbar (role.py): the longest string-prefix entry is the exact one, it is not equal, so
 * the default (deny) applies; the shorter prefix rule does not take over. */
static void authz_exact_string_prefix_shadows_shorter_prefix_like_crossbar(void **state)
{
	struct wd_permission p[] = {
	        perm("com.example.", PREFIX, ALL),
	        perm("com.example.admin", EXACT, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.administrator"), 0);
	assert_int_equal(granted(&r, "com.example.admin.x"), 0);
}

static void authz_wildcard_overrides_prefix(void **state)
{
	struct wd_permission p[] = {
	        perm("com.example.", PREFIX, S),
	        perm("com.example..update", WILD, C | P),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.user.update"), C | P);
	assert_int_equal(granted(&r, "com.example.user.delete"), S);
	assert_int_equal(granted(&r, "com.example.user.x.update"), S); /* component count */
}

static void authz_wildcard_overrides_even_a_longer_prefix(void **state)
{
	/* Crossbar: any matching wildcard overrides a non-exact choice, whatever its length. */
	struct wd_permission p[] = {
	        perm("com.example.user.", PREFIX, ALL),
	        perm("com..user.update", WILD, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.user.update"), S);
	assert_int_equal(granted(&r, "com.example.user.create"), ALL);
}

static void authz_exact_beats_wildcard(void **state)
{
	struct wd_permission p[] = {
	        perm("com..foo", WILD, ALL),
	        perm("com.example.foo", EXACT, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), S);
	assert_int_equal(granted(&r, "com.other.foo"), ALL);
}

static void authz_wildcard_alone_matches_and_denies_otherwise(void **state)
{
	struct wd_permission p[] = {perm(".example.foo", WILD, C)}; /* from "*.example.foo" */
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), C);
	assert_int_equal(granted(&r, "org.example.foo"), C);
	assert_int_equal(granted(&r, "com.example.bar"), 0);
	assert_int_equal(granted(&r, "example.foo"), 0);
}

static void authz_longest_literal_wildcard_prefix_wins(void **state)
{
	struct wd_permission p[] = {
	        perm("com...update", WILD, S), perm("com.example..update", WILD, C),
	        perm("com.example.user.", WILD, P), /* literal prefix "com.example.user." */
	};
	struct wd_role_cfg r = role_of(p, 3);
	(void)state;
	assert_int_equal(granted(&r, "com.example.user.update"), P);
	assert_int_equal(granted(&r, "com.example.item.update"), C);
	assert_int_equal(granted(&r, "com.other.item.update"), S);
	assert_int_equal(granted(&r, "com.example.user.delete"), P);
}

static void authz_non_matching_longer_wildcard_falls_back_to_shorter(void **state)
{
	/* Crossbar tries only the longest-prefix wildcard and would deny here; wampd takes the
	 * longest wildcard that matches. */
	struct wd_permission p[] = {
	        perm("com..x", WILD, C),
	        perm("com.a..y", WILD, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.a.x"), C);
	assert_int_equal(granted(&r, "com.a.b.y"), S);
}

static void authz_later_duplicate_wins(void **state)
{
	struct wd_permission p[] = {
	        perm("com.example.", PREFIX, C),
	        perm("com.example.", PREFIX, S),
	};
	struct wd_role_cfg r = role_of(p, 2);
	(void)state;
	assert_int_equal(granted(&r, "com.example.x"), S);
}

static void authz_disclose_caller_only_for_call(void **state)
{
	struct wd_permission p[] = {perm("com.", PREFIX, ALL)};
	struct wd_role_cfg r = role_of(p, 1);
	struct wd_authz_result res;
	(void)state;
	p[0].disclose_caller = true;
	wd_authz_static(&r, "com.x", WD_ACTION_CALL, &res);
	assert_true(res.allow);
	assert_true(res.disclose);
	wd_authz_static(&r, "com.x", WD_ACTION_PUBLISH, &res);
	assert_true(res.allow);
	assert_false(res.disclose);
	wd_authz_static(&r, "com.x", WD_ACTION_REGISTER, &res);
	assert_false(res.disclose);
}

static void authz_disclose_publisher_only_for_publish(void **state)
{
	struct wd_permission p[] = {perm("com.", PREFIX, ALL)};
	struct wd_role_cfg r = role_of(p, 1);
	struct wd_authz_result res;
	(void)state;
	p[0].disclose_publisher = true;
	wd_authz_static(&r, "com.x", WD_ACTION_PUBLISH, &res);
	assert_true(res.allow);
	assert_true(res.disclose);
	wd_authz_static(&r, "com.x", WD_ACTION_CALL, &res);
	assert_false(res.disclose);
	wd_authz_static(&r, "com.x", WD_ACTION_SUBSCRIBE, &res);
	assert_true(res.allow);
	assert_false(res.disclose);
}

static void authz_disclose_comes_from_deciding_rule_and_needs_allow(void **state)
{
	struct wd_permission p[] = {
	        perm("com.", PREFIX, ALL),
	        perm("com.quiet.", PREFIX, ALL),
	        perm("com.closed.", PREFIX, S),
	};
	struct wd_role_cfg r = role_of(p, 3);
	struct wd_authz_result res;
	(void)state;
	p[0].disclose_caller = true;
	p[2].disclose_caller = true;
	wd_authz_static(&r, "com.loud.x", WD_ACTION_CALL, &res);
	assert_true(res.disclose);
	wd_authz_static(&r, "com.quiet.x", WD_ACTION_CALL, &res);
	assert_true(res.allow);
	assert_false(res.disclose);
	wd_authz_static(&r, "com.closed.x", WD_ACTION_CALL, &res);
	assert_false(res.allow);
	assert_false(res.disclose);
}

static void authz_allow_by_default_allows_everything_without_disclose(void **state)
{
	struct wd_role_cfg r = role_of(NULL, 0);
	struct wd_authz_result res = {false, true};
	(void)state;
	r.allow_by_default = true;
	assert_int_equal(granted(&r, "com.example.foo"), ALL);
	assert_int_equal(granted(&r, "wamp.session.count"), ALL);
	wd_authz_static(&r, "com.example.foo", WD_ACTION_CALL, &res);
	assert_false(res.disclose);
}

static void authz_role_without_permissions_denies(void **state)
{
	struct wd_role_cfg r = role_of(NULL, 0);
	(void)state;
	assert_int_equal(granted(&r, "com.example.foo"), 0);
}

static void authz_allow_by_default_ignored_when_permissions_exist(void **state)
{
	struct wd_permission p[] = {perm("com.", PREFIX, S)};
	struct wd_role_cfg r = role_of(p, 1);
	(void)state;
	r.allow_by_default = true;
	assert_int_equal(granted(&r, "com.x"), S);
	assert_int_equal(granted(&r, "org.x"), 0);
}

static void authz_dynamic_authorizer_role_is_not_decided_statically(void **state)
{
	struct wd_role_cfg r = role_of(NULL, 0);
	(void)state;
	r.authorizer = "com.example.authorize";
	r.allow_by_default = true;
	assert_int_equal(granted(&r, "com.example.foo"), 0);
}

static void authz_action_names(void **state)
{
	(void)state;
	assert_string_equal(wd_action_name(WD_ACTION_CALL), "call");
	assert_string_equal(wd_action_name(WD_ACTION_REGISTER), "register");
	assert_string_equal(wd_action_name(WD_ACTION_PUBLISH), "publish");
	assert_string_equal(wd_action_name(WD_ACTION_SUBSCRIBE), "subscribe");
	assert_string_equal(wd_action_name((enum wd_action)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(authz_null_role_denies),
	        cmocka_unit_test(authz_no_matching_permission_denies),
	        cmocka_unit_test(authz_missing_allow_keys_deny_those_actions),
	        cmocka_unit_test(authz_exact_applies_only_to_equal_uri),
	        cmocka_unit_test(authz_longest_prefix_wins),
	        cmocka_unit_test(authz_prefix_is_plain_string_prefix),
	        cmocka_unit_test(authz_empty_prefix_is_catch_all),
	        cmocka_unit_test(authz_exact_beats_prefix_on_equal_uri),
	        cmocka_unit_test(authz_exact_string_prefix_shadows_shorter_prefix_like_crossbar),
	        cmocka_unit_test(authz_wildcard_overrides_prefix),
	        cmocka_unit_test(authz_wildcard_overrides_even_a_longer_prefix),
	        cmocka_unit_test(authz_exact_beats_wildcard),
	        cmocka_unit_test(authz_wildcard_alone_matches_and_denies_otherwise),
	        cmocka_unit_test(authz_longest_literal_wildcard_prefix_wins),
	        cmocka_unit_test(authz_non_matching_longer_wildcard_falls_back_to_shorter),
	        cmocka_unit_test(authz_later_duplicate_wins),
	        cmocka_unit_test(authz_disclose_caller_only_for_call),
	        cmocka_unit_test(authz_disclose_publisher_only_for_publish),
	        cmocka_unit_test(authz_disclose_comes_from_deciding_rule_and_needs_allow),
	        cmocka_unit_test(authz_allow_by_default_allows_everything_without_disclose),
	        cmocka_unit_test(authz_role_without_permissions_denies),
	        cmocka_unit_test(authz_allow_by_default_ignored_when_permissions_exist),
	        cmocka_unit_test(authz_dynamic_authorizer_role_is_not_decided_statically),
	        cmocka_unit_test(authz_action_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
