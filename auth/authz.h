/* Static authorization: a role's configured permissions decide whether a session may call,
 * register, publish or subscribe on a URI, and whether the caller or publisher is disclosed.
 * Pure functions over the config model; no allocation, no state. */
#ifndef WD_AUTHZ_H
#define WD_AUTHZ_H

#include <jansson.h>
#include <stdbool.h>

#include "config/model.h"

enum wd_action {
	WD_ACTION_CALL = 0,
	WD_ACTION_REGISTER = 1,
	WD_ACTION_PUBLISH = 2,
	WD_ACTION_SUBSCRIBE = 3,
};

struct wd_authz_result {
	bool allow;
	/* Disclose the caller (WD_ACTION_CALL) or the publisher (WD_ACTION_PUBLISH) to the
	 * receivers, from the deciding permission's disclose.caller / disclose.publisher.
	 * Always false for register and subscribe, and whenever allow is false. */
	bool disclose;
};

/* Resolves role's static permissions for uri and action as Crossbar's RouterRoleStaticAuth
 * does (crossbar/router/role.py), and writes the decision to *out.
 *
 * role: borrowed; NULL denies everything. uri: borrowed, the URI the session asked for
 * (already checked by the caller). out: written, never NULL.
 *
 * Which permission decides (a permission's uri is after starred-URI conversion, so
 * "com.x.*" is a prefix permission "com.x."):
 *  1. Among the exact and prefix permissions whose uri is a plain string prefix of uri, the
 *     one with the longest uri is chosen (on equal uris the later permission wins, as the
 *     later entry replaces the earlier in Crossbar's trie). The empty prefix "" is a
 *     catch-all.
 *  2. If that permission is exact but its uri is not equal to uri, nothing is chosen: a
 *     shorter prefix permission does NOT apply then. This follows Crossbar (exact "a.b"
 *     shadows prefix "a." for "a.bc", which is denied), so a config migrated from Crossbar
 *     never grants more here than it did there.
 *  3. Unless step 1-2 chose an exact permission, a wildcard permission that matches uri
 *     (same number of components, each non-empty pattern component equal) overrides the
 *     choice. Among several matching wildcards, the one with the longest literal prefix
 *     (the part before its first empty component: "com." for "com..x") wins; on a tie the
 *     later permission wins. Crossbar only tries the single wildcard with the longest
 *     prefix and gives up if that one does not match, and it only recognises a wildcard by
 *     a ".." in it (so "*.x" never matches there); wampd follows its documented intent
 *     ("the rule with the longest matching URI pattern wins") instead.
 *  4. No permission chosen: deny. A chosen permission allows exactly the actions its allow
 *     object lists (missing keys are false in the model).
 * A role with allow_by_default set and no permissions and no authorizer allows everything
 * without disclosure (Crossbar's RouterRole(allow_by_default=True)). A role with a dynamic
 * authorizer is not decided here: this function denies, and the caller must consult the
 * authorizer instead. */
void wd_authz_static(const struct wd_role_cfg *role, const char *uri, enum wd_action action,
                     struct wd_authz_result *out);

/* Parses a dynamic authorizer's answer (borrowed; Crossbar's role.py RouterRoleDynamicAuth):
 * true/false, or an object {allow: bool (required), disclose?: bool, cache?: bool,
 * validate?: ignored}. Writes *out and *cache (the answer may be remembered for the session).
 * Returns 0 or WD_EINVAL (anything else: the authorizer failed). */
int wd_authz_parse_dynamic(const json_t *answer, struct wd_authz_result *out, bool *cache);

/* Returns the action's WAMP name: "call", "register", "publish", "subscribe" (static string;
 * "unknown" for a value outside the enum). */
const char *wd_action_name(enum wd_action a);

#endif
