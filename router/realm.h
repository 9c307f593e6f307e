/* A realm: its sessions, roles, broker and dealer. Reached only from the loop that owns it. */
#ifndef WD_REALM_H
#define WD_REALM_H

#include <stdbool.h>

#include "auth/authz.h"
#include "config/model.h"
#include "protocol/id.h"
#include "router/map.h"

struct wd_router;
struct wd_session;
struct wd_msg;
struct wd_dyn_caller;

struct wd_broker {
	struct wd_map by_uri;      /* topic -> struct wd_subscription * (exact match) */
	struct wd_map by_prefix;   /* prefix pattern -> struct wd_subscription * */
	struct wd_map by_wildcard; /* wildcard pattern -> struct wd_subscription * */
	struct wd_map by_id;       /* subscription id -> struct wd_subscription * */
	uint64_t epoch;            /* moves when a subscription is created or dropped (memo.h) */
};

struct wd_dealer {
	struct wd_map by_uri;      /* procedure -> struct wd_registration * (exact match) */
	struct wd_map by_prefix;   /* prefix pattern -> struct wd_registration * */
	struct wd_map by_wildcard; /* wildcard pattern -> struct wd_registration * */
	struct wd_map by_id;       /* registration id -> struct wd_registration * */
	uint64_t epoch;            /* moves when a registration is created or dropped (memo.h) */
};

struct wd_realm {
	struct wd_router *r;
	const struct wd_realm_cfg *cfg; /* borrowed from the router's config */
	struct wd_map sessions;         /* session id -> struct wd_session * */
	struct wd_broker broker;
	struct wd_dealer dealer;
	struct wd_id_pool ids; /* publication IDs: one per PUBLISH, so randomness is batched */
	struct wd_dyn_caller *dyn_callers; /* internal sessions calling authenticators and
	                                    * authorizers on this realm (authn_dyn.c) */
};

int wd_realm_new(struct wd_realm **out, struct wd_router *r, const struct wd_realm_cfg *cfg);
/* The realm must have no sessions left. */
void wd_realm_free(struct wd_realm *realm);

/* Returns the role named name on the realm, or NULL. */
const struct wd_role_cfg *wd_realm_role(const struct wd_realm *realm, const char *name);

/* Adds / removes a session (leave also detaches it from broker and dealer). */
int wd_realm_join(struct wd_realm *realm, struct wd_session *s);
void wd_realm_leave(struct wd_realm *realm, struct wd_session *s);

/* Authorizes action on uri for s, the request m (borrowed) of type req_type with id req_id.
 * Trusted sessions may do anything; otherwise the role's static permissions decide, or its
 * dynamic authorizer (answers with cache: true are remembered for the session).
 * Returns 1 (allowed; *disclose, may be NULL, gets the role's disclose flag), 0 (denied:
 * ERROR wamp.error.not_authorized was sent when reply is true) or WD_EAGAIN: the authorizer
 * has been called and m parked; the session dispatches m again once it answers, so the
 * caller must return without acting. */
/* True if s's permissions are decided by static rules (or s is trusted), so a decision holds
 * for the session's life (memo.h); false for a dynamic authorizer. */
bool wd_realm_authz_is_static(const struct wd_session *s);
int wd_realm_authorize(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m,
		       const char *uri, enum wd_action action, int req_type, uint64_t req_id,
		       bool reply, bool *disclose);

/* Sends Crossbar's not_authorized ERROR for a denied action (router/router.py wording). */
void wd_realm_send_denied(struct wd_realm *realm, struct wd_session *s, const char *uri,
			  enum wd_action action, int req_type, uint64_t req_id);

/* Checks a topic/procedure URI under the realm's uri_check rule; on failure sends ERROR
 * wamp.error.invalid_uri (when reply) and returns false. */
bool wd_realm_check_uri(struct wd_realm *realm, struct wd_session *s, const char *uri,
			int req_type, uint64_t req_id, bool reply);
/* The same for a pattern of a SUBSCRIBE/REGISTER with match mode `match`: as Crossbar,
 * exact patterns need non-empty components, prefix patterns may end in an empty one, and
 * wildcard patterns may have empty components anywhere. Always replies on failure. */
bool wd_realm_check_pattern(struct wd_realm *realm, struct wd_session *s, const char *uri,
			    enum wd_match match, int req_type, uint64_t req_id);

#endif
