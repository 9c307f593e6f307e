/* Static role permissions (see authz.h for the precedence rules and where they come from). */
#include "auth/authz.h"

#include <string.h>

#include "protocol/error.h"

#include "protocol/uri.h"

/* Length of a wildcard pattern's literal prefix: everything before its first empty
 * component ("com." for "com..x", "com.x." for "com.x.", "" for ".x"), or the whole pattern
 * when no component is empty. */
static size_t literal_prefix_len(const char *pattern)
{
	size_t start = 0, i;

	for (i = 0;; i++) {
		if (pattern[i] == '.' || pattern[i] == '\0') {
			if (i == start)
				return start;
			if (pattern[i] == '\0')
				return i;
			start = i + 1;
		}
	}
}

static const struct wd_permission *choose(const struct wd_role_cfg *role, const char *uri)
{
	const struct wd_permission *best = NULL, *wild = NULL;
	size_t best_len = 0, wild_len = 0, i;

	/* Steps 1 and 2: the longest exact-or-prefix permission that is a string prefix. */
	for (i = 0; i < role->n_perms; i++) {
		const struct wd_permission *p = &role->perms[i];
		size_t n;
		if (p->uri == NULL || p->match == WD_MATCH_WILDCARD)
			continue;
		n = strlen(p->uri);
		if (strncmp(uri, p->uri, n) != 0)
			continue;
		if (best == NULL || n >= best_len) {
			best = p;
			best_len = n;
		}
	}
	if (best != NULL && best->match == WD_MATCH_EXACT) {
		if (strcmp(best->uri, uri) == 0)
			return best; /* an exact hit is final: no wildcard overrides it */
		best = NULL;         /* Crossbar: the exact entry shadows shorter prefixes */
	}

	/* Step 3: a matching wildcard overrides a prefix choice or the lack of one. */
	for (i = 0; i < role->n_perms; i++) {
		const struct wd_permission *p = &role->perms[i];
		size_t n;
		if (p->uri == NULL || p->match != WD_MATCH_WILDCARD)
			continue;
		if (!wd_uri_match_wildcard(p->uri, uri))
			continue;
		n = literal_prefix_len(p->uri);
		if (wild == NULL || n >= wild_len) {
			wild = p;
			wild_len = n;
		}
	}
	return wild != NULL ? wild : best;
}

void wd_authz_static(const struct wd_role_cfg *role, const char *uri, enum wd_action action,
                     struct wd_authz_result *out)
{
	const struct wd_permission *p;

	out->allow = false;
	out->disclose = false;
	if (role == NULL || uri == NULL || role->authorizer != NULL)
		return;
	if (role->n_perms == 0) {
		out->allow = role->allow_by_default;
		return;
	}
	if ((p = choose(role, uri)) == NULL)
		return;
	switch (action) {
	case WD_ACTION_CALL:
		out->allow = p->allow_call;
		out->disclose = p->allow_call && p->disclose_caller;
		break;
	case WD_ACTION_REGISTER:
		out->allow = p->allow_register;
		break;
	case WD_ACTION_PUBLISH:
		out->allow = p->allow_publish;
		out->disclose = p->allow_publish && p->disclose_publisher;
		break;
	case WD_ACTION_SUBSCRIBE:
		out->allow = p->allow_subscribe;
		break;
	}
}

const char *wd_action_name(enum wd_action a)
{
	switch (a) {
	case WD_ACTION_CALL:
		return "call";
	case WD_ACTION_REGISTER:
		return "register";
	case WD_ACTION_PUBLISH:
		return "publish";
	case WD_ACTION_SUBSCRIBE:
		return "subscribe";
	}
	return "unknown";
}

int wd_authz_parse_dynamic(const json_t *answer, struct wd_authz_result *out, bool *cache)
{
	const char *key;
	json_t *v;
	out->allow = out->disclose = false;
	*cache = false;
	if (json_is_boolean(answer)) {
		out->allow = json_is_true(answer);
		return 0;
	}
	if (!json_is_object(answer) || !json_is_boolean(json_object_get(answer, "allow")))
		return WD_EINVAL;
	/* role.py RouterRoleDynamicAuth: only these keys; "validate" needs an inventory, which
	 * wampd does not have, so it is accepted and ignored. */
	json_object_foreach((json_t *)answer, key, v)
	{
		if (strcmp(key, "allow") == 0 || strcmp(key, "validate") == 0)
			continue;
		if ((strcmp(key, "disclose") != 0 && strcmp(key, "cache") != 0) ||
		    !json_is_boolean(v))
			return WD_EINVAL;
	}
	out->allow = json_is_true(json_object_get(answer, "allow"));
	out->disclose = out->allow && json_is_true(json_object_get(answer, "disclose"));
	*cache = json_is_true(json_object_get(answer, "cache"));
	return 0;
}
