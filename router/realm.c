#include "router/realm.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/msg.h"
#include "protocol/uri.h"
#include "protocol/uris.h"
#include "router/authn_dyn.h"
#include "router/broker.h"
#include "router/dealer.h"
#include "router/session.h"

int wd_realm_new(struct wd_realm **out, struct wd_router *r, const struct wd_realm_cfg *cfg)
{
	struct wd_realm *realm = calloc(1, sizeof(*realm));
	if (realm == NULL)
		return WD_ENOMEM;
	realm->r = r;
	realm->cfg = cfg;
	realm->ids.rnd = randombytes_buf;
	wd_map_init(&realm->sessions);
	wd_broker_init(realm);
	wd_dealer_init(realm);
	*out = realm;
	return 0;
}

void wd_realm_free(struct wd_realm *realm)
{
	if (realm == NULL)
		return;
	wd_dyn_realm_free(realm); /* its internal sessions leave first */
	wd_broker_deinit(realm);
	wd_dealer_deinit(realm);
	wd_map_deinit(&realm->sessions);
	free(realm);
}

const struct wd_role_cfg *wd_realm_role(const struct wd_realm *realm, const char *name)
{
	for (size_t i = 0; i < realm->cfg->n_roles; i++)
		if (strcmp(realm->cfg->roles[i].name, name) == 0)
			return &realm->cfg->roles[i];
	return NULL;
}

int wd_realm_join(struct wd_realm *realm, struct wd_session *s)
{
	return wd_map_put(&realm->sessions, s->id, s);
}

void wd_realm_leave(struct wd_realm *realm, struct wd_session *s)
{
	wd_broker_detach(realm, s);
	wd_dealer_detach(realm, s);
	wd_map_del(&realm->sessions, s->id);
}

static const char *uri_kind(enum wd_action action)
{
	return action == WD_ACTION_CALL || action == WD_ACTION_REGISTER ? "procedure" : "topic";
}

void wd_realm_send_denied(struct wd_realm *realm, struct wd_session *s, const char *uri,
			  enum wd_action action, int req_type, uint64_t req_id)
{
	char text[512];
	/* Crossbar's wording (router/router.py authorize). */
	snprintf(text, sizeof(text),
		 "session (session_id=%" PRIu64 ", authid=\"%s\", authrole=\"%s\") is not "
		 "authorized to %s %s \"%.200s\" on realm \"%s\"",
		 s->id, s->authid, s->authrole, wd_action_name(action), uri_kind(action), uri,
		 realm->cfg->name);
	wd_session_send_error(s, req_type, req_id, WD_ERR_NOT_AUTHORIZED, text);
}

bool wd_realm_authz_is_static(const struct wd_session *s)
{
	return s->is_trusted || (s->role != NULL && s->role->authorizer == NULL);
}

int wd_realm_authorize(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m,
		       const char *uri, enum wd_action action, int req_type, uint64_t req_id,
		       bool reply, bool *disclose)
{
	struct wd_authz_result res = {0};
	if (s->is_trusted) {
		res.allow = true;
		res.disclose = true;
	} else if (s->role != NULL && s->role->authorizer != NULL) {
		int rc = wd_session_authorize_dynamic(s, m, uri, action, &res);
		if (rc != 0)
			return rc; /* WD_EAGAIN: parked until the authorizer answers */
	} else {
		wd_authz_static(s->role, uri, action, &res);
	}
	if (disclose != NULL)
		*disclose = res.disclose;
	if (res.allow)
		return 1;
	if (reply)
		wd_realm_send_denied(realm, s, uri, action, req_type, req_id);
	return 0;
}

static bool check(struct wd_realm *realm, struct wd_session *s, const char *uri,
		  enum wd_uri_empty empty, int req_type, uint64_t req_id, bool reply)
{
	char text[300];
	enum wd_uri_mode mode = realm->cfg->uri_check_strict ? WD_URI_STRICT : WD_URI_LOOSE;
	if (wd_uri_check(uri, mode, empty))
		return true;
	if (reply) {
		snprintf(text, sizeof(text), "invalid URI '%.200s'", uri);
		wd_session_send_error(s, req_type, req_id, WD_ERR_INVALID_URI, text);
	}
	return false;
}

bool wd_realm_check_uri(struct wd_realm *realm, struct wd_session *s, const char *uri,
			int req_type, uint64_t req_id, bool reply)
{
	return check(realm, s, uri, WD_URI_NO_EMPTY, req_type, req_id, reply);
}

bool wd_realm_check_pattern(struct wd_realm *realm, struct wd_session *s, const char *uri,
			    enum wd_match match, int req_type, uint64_t req_id)
{
	enum wd_uri_empty empty = match == WD_MATCH_PREFIX     ? WD_URI_LAST_EMPTY
				  : match == WD_MATCH_WILDCARD ? WD_URI_ANY_EMPTY
							       : WD_URI_NO_EMPTY;
	return check(realm, s, uri, empty, req_type, req_id, true);
}
