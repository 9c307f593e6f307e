#include "router/session.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/msg.h"
#include "protocol/uris.h"
#include "router/broker.h"
#include "router/dealer.h"
#include "router/log.h"
#include "router/realm.h"
#include "router/router.h"

/* Close codes for the transport after ABORT: 1002 for protocol errors, 1000 otherwise. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_PROTOCOL_ERROR 1002

struct wd_session *wd_session_new(struct wd_router *r, struct wd_session_transport *t,
				  const struct wd_codec *codec)
{
	struct wd_session *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->r = r;
	s->t = t;
	s->codec = codec;
	s->state = WD_SESSION_WAIT_HELLO;
	wd_map_init(&s->invocations);
	wd_map_init(&s->calls);
	return s;
}

static void clear_auth(struct wd_session *s)
{
	free(s->authid);
	free(s->authrole);
	free(s->authmethod);
	free(s->authprovider);
	s->authid = s->authrole = s->authmethod = s->authprovider = NULL;
	s->role = NULL;
	s->is_trusted = false;
}

/* Leaves the realm and forgets the session id; the session object stays usable. */
static void leave(struct wd_session *s)
{
	if (s->realm != NULL) {
		wd_realm_leave(s->realm, s);
		s->realm = NULL;
	}
	if (s->id != 0) {
		wd_map_del(&s->r->sessions, s->id);
		s->id = 0;
	}
	clear_auth(s);
}

void wd_session_free(struct wd_session *s)
{
	if (s == NULL)
		return;
	leave(s);
	free(s->subs);
	free(s->regs);
	wd_map_deinit(&s->invocations);
	wd_map_deinit(&s->calls);
	free(s);
}

int wd_session_send(struct wd_session *s, const json_t *msg)
{
	struct wd_buf *b = wd_frame_build(&s->r->framer, msg, s->codec, s->t->framing);
	int rc;
	if (b == NULL) {
		wd_log(WD_LOG_WARN, "session", "session %" PRIu64 " (%s): cannot encode a message",
		       s->id, s->t->peer);
		return WD_EINVAL;
	}
	rc = s->t->send(s->t, b);
	wd_buf_unref(b);
	return rc;
}

int wd_session_send_set(struct wd_session *s, struct wd_frame_set *fs)
{
	struct wd_buf *b = wd_frame_set_get(fs, &s->r->framer, s->codec, s->t->framing);
	if (b == NULL)
		return WD_EINVAL;
	return s->t->send(s->t, b);
}

int wd_session_send_payload(struct wd_session *s, const json_t *head, const struct wd_msg *src)
{
	struct wd_frame_set fs;
	int rc;
	wd_frame_set_init_payload(&fs, head, src);
	rc = wd_session_send_set(s, &fs);
	wd_frame_set_release(&fs);
	return rc;
}

int wd_session_send_error_payload(struct wd_session *s, int req_type, uint64_t req_id,
				  json_t *details, const char *uri, json_t *args, json_t *kwargs)
{
	json_t *msg = json_pack("[iiIos]", WD_MSG_ERROR, req_type, (json_int_t)req_id,
				details ? json_incref(details) : json_object(), uri);
	int rc;
	if (msg == NULL)
		return WD_ENOMEM;
	if (args != NULL || kwargs != NULL)
		json_array_append_new(msg, args ? json_incref(args) : json_array());
	if (kwargs != NULL)
		json_array_append_new(msg, json_incref(kwargs));
	rc = wd_session_send(s, msg);
	json_decref(msg);
	return rc;
}

int wd_session_send_error(struct wd_session *s, int req_type, uint64_t req_id, const char *uri,
			  const char *message)
{
	json_t *args = message ? json_pack("[s]", message) : NULL;
	int rc = wd_session_send_error_payload(s, req_type, req_id, NULL, uri, args, NULL);
	json_decref(args);
	return rc;
}

void wd_session_abort(struct wd_session *s, const char *reason, const char *message)
{
	json_t *msg;
	if (s->state == WD_SESSION_CLOSED)
		return;
	wd_log(WD_LOG_WARN, "session", "session %" PRIu64 " (%s) aborted: %s: %s", s->id,
	       s->t->peer, reason, message);
	msg = json_pack("[i{ss}s]", WD_MSG_ABORT, "message", message, reason);
	if (msg != NULL) {
		wd_session_send(s, msg);
		json_decref(msg);
	}
	s->state = WD_SESSION_CLOSED;
	s->t->close(s->t,
		    strcmp(reason, WD_ERR_PROTOCOL_VIOLATION) == 0 ? WS_CLOSE_PROTOCOL_ERROR
								   : WS_CLOSE_NORMAL,
		    reason);
}

static int violation(struct wd_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int violation(struct wd_session *s, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	wd_session_abort(s, WD_ERR_PROTOCOL_VIOLATION, text);
	return WD_EPROTO;
}

void wd_session_shutdown(struct wd_session *s)
{
	json_t *msg;
	if (s->state != WD_SESSION_ESTABLISHED)
		return;
	msg = json_pack("[i{ss}s]", WD_MSG_GOODBYE, "message", "router is shutting down",
			WD_CLOSE_SYSTEM_SHUTDOWN);
	if (msg != NULL) {
		wd_session_send(s, msg);
		json_decref(msg);
	}
	s->state = WD_SESSION_GOODBYE_SENT;
}

/* Reads a boolean feature flag from HELLO.Details.roles.<role>.features.<name>. wampy puts
 * flags directly in the role dict, so that spelling is accepted too. */
static bool feature(json_t *details, const char *role, const char *name)
{
	json_t *r = json_object_get(json_object_get(details, "roles"), role);
	json_t *f = json_object_get(json_object_get(r, "features"), name);
	if (f == NULL)
		f = json_object_get(r, name);
	return json_is_true(f);
}

static json_t *router_roles(void)
{
	/* Exactly the features implemented; Autobahn JS enables an option only when both
	 * sides announce it. */
	return json_pack("{s{s{sbsbsb}}s{s{sbsb}}}", "broker", "features",
			 "publisher_identification", 1, "publisher_exclusion", 1,
			 "subscriber_blackwhite_listing", 1, "dealer", "features",
			 "caller_identification", 1, "progressive_call_results", 1);
}

/* Crossbar-style authid for anonymous sessions: four groups of four characters. */
static void random_authid(char out[20])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXY3456789";
	uint8_t rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	for (int i = 0, j = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[j++] = '-';
		out[j++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
		out[j] = '\0';
	}
}

static bool offers_anonymous(json_t *details)
{
	json_t *methods = json_object_get(details, "authmethods"), *v;
	size_t i;
	if (methods == NULL || !json_is_array(methods) || json_array_size(methods) == 0)
		return true; /* as Crossbar: no authmethods means ["anonymous"] */
	json_array_foreach (methods, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "anonymous") == 0)
			return true;
	return false;
}

/* Gives s its identity, a session id, and joins it to realm. */
static int join(struct wd_session *s, struct wd_realm *realm, const char *authid,
		const char *authrole, const char *authmethod)
{
	s->authid = strdup(authid);
	s->authrole = strdup(authrole);
	s->authmethod = strdup(authmethod);
	s->authprovider = strdup("static");
	if (!s->authid || !s->authrole || !s->authmethod || !s->authprovider)
		return WD_ENOMEM;
	s->role = wd_realm_role(realm, s->authrole);
	s->is_trusted = strcmp(authrole, "trusted") == 0;
	do
		s->id = wd_id_global(randombytes_buf);
	while (wd_map_get(&s->r->sessions, s->id) != NULL);
	if (wd_map_put(&s->r->sessions, s->id, s) < 0) {
		s->id = 0;
		return WD_ENOMEM;
	}
	if (wd_realm_join(realm, s) < 0)
		return WD_ENOMEM;
	s->realm = realm;
	s->state = WD_SESSION_ESTABLISHED;
	return 0;
}

int wd_session_join_internal(struct wd_session *s, const char *realm_name, const char *authrole,
			     const char *authid)
{
	struct wd_realm *realm = wd_map_sget(&s->r->realms, realm_name);
	char rnd[20];
	int rc;
	if (realm == NULL)
		return WD_ENOTFOUND;
	if (authid == NULL) {
		random_authid(rnd);
		authid = rnd;
	}
	if ((rc = join(s, realm, authid, authrole, "internal")) < 0) {
		leave(s);
		return rc;
	}
	wd_log(WD_LOG_INFO, "session", "internal session %" PRIu64 " joined realm %s as %s",
	       s->id, realm_name, authrole);
	return 0;
}

static int handle_hello(struct wd_session *s, const struct wd_msg *m)
{
	struct wd_realm *realm = wd_map_sget(&s->r->realms, m->uri);
	char text[320], authid[20];
	json_t *welcome;
	int rc;
	if (realm == NULL) {
		if (m->uri[0] == '\0')
			snprintf(text, sizeof(text), "no realm requested");
		else
			snprintf(text, sizeof(text), "no realm \"%.200s\" exists on this router",
				 m->uri);
		wd_session_abort(s, WD_ERR_NO_SUCH_REALM, text);
		return 0;
	}
	if (!offers_anonymous(m->dict)) {
		/* Authentication methods other than anonymous arrive with the auth issue. */
		char *offered = json_dumps(json_object_get(m->dict, "authmethods"), JSON_COMPACT);
		snprintf(text, sizeof(text),
			 "cannot authenticate using any of the offered authmethods %.200s",
			 offered ? offered : "[]");
		free(offered);
		wd_session_abort(s, WD_ERR_NO_AUTH_METHOD, text);
		return 0;
	}
	random_authid(authid);
	if ((rc = join(s, realm, authid, "anonymous", "anonymous")) < 0)
		return rc;
	s->callee_call_canceling = feature(m->dict, "callee", "call_canceling");
	s->callee_progressive_results = feature(m->dict, "callee", "progressive_call_results");
	welcome = json_pack("[iI{sssssssssss{}so}]", WD_MSG_WELCOME, (json_int_t)s->id, "realm",
			    realm->cfg->name, "authid", s->authid, "authrole", s->authrole,
			    "authmethod", s->authmethod, "authprovider", s->authprovider,
			    "authextra", "roles", router_roles());
	if (welcome == NULL)
		return WD_ENOMEM;
	wd_log(WD_LOG_INFO, "session", "session %" PRIu64 " (%s) joined realm %s as %s/%s", s->id,
	       s->t->peer, realm->cfg->name, s->authid, s->authrole);
	wd_session_send(s, welcome);
	json_decref(welcome);
	return 0;
}

static int handle_goodbye(struct wd_session *s)
{
	/* Spec reply reason; Crossbar answers wamp.close.normal, which no client checks. */
	json_t *msg = json_pack("[i{}s]", WD_MSG_GOODBYE, WD_CLOSE_GOODBYE_AND_OUT);
	wd_log(WD_LOG_INFO, "session", "session %" PRIu64 " (%s) left", s->id, s->t->peer);
	if (msg != NULL) {
		wd_session_send(s, msg);
		json_decref(msg);
	}
	leave(s);
	/* The transport stays open: WAMP lets the client join again on it. */
	s->state = WD_SESSION_WAIT_HELLO;
	return 0;
}

static int dispatch_established(struct wd_session *s, const struct wd_msg *m)
{
	struct wd_realm *realm = s->realm;
	switch (m->type) {
	case WD_MSG_PUBLISH:
		return wd_broker_publish(realm, s, m);
	case WD_MSG_SUBSCRIBE:
		return wd_broker_subscribe(realm, s, m);
	case WD_MSG_UNSUBSCRIBE:
		return wd_broker_unsubscribe(realm, s, m);
	case WD_MSG_CALL:
		return wd_dealer_call(realm, s, m);
	case WD_MSG_REGISTER:
		return wd_dealer_register(realm, s, m);
	case WD_MSG_UNREGISTER:
		return wd_dealer_unregister(realm, s, m);
	case WD_MSG_YIELD:
		return wd_dealer_yield(realm, s, m);
	case WD_MSG_ERROR:
		if (m->req_type == WD_MSG_INVOCATION)
			return wd_dealer_invocation_error(realm, s, m);
		return violation(s, "ERROR for request type %d is not valid from a client",
				 m->req_type);
	case WD_MSG_GOODBYE:
		return handle_goodbye(s);
	case WD_MSG_ABORT:
		wd_log(WD_LOG_INFO, "session", "session %" PRIu64 " (%s) sent ABORT %s", s->id,
		       s->t->peer, m->uri);
		s->state = WD_SESSION_CLOSED;
		s->t->close(s->t, WS_CLOSE_NORMAL, "aborted by peer");
		return 0;
	case WD_MSG_HELLO:
		return violation(s, "HELLO received on an established session");
	case WD_MSG_CANCEL:
		/* call_canceling is not announced, so a conforming client does not send it. */
		wd_log(WD_LOG_DEBUG, "session", "session %" PRIu64 ": CANCEL ignored", s->id);
		return 0;
	default:
		return violation(s, "%s is not valid from a client", wd_msg_type_name(m->type));
	}
}

static int dispatch(struct wd_session *s, const struct wd_msg *m)
{
	switch (s->state) {
	case WD_SESSION_WAIT_HELLO:
		if (m->type == WD_MSG_HELLO)
			return handle_hello(s, m);
		if (m->type == WD_MSG_ABORT) {
			s->state = WD_SESSION_CLOSED;
			s->t->close(s->t, WS_CLOSE_NORMAL, "aborted by peer");
			return 0;
		}
		return violation(s, "%s received before HELLO", wd_msg_type_name(m->type));
	case WD_SESSION_ESTABLISHED:
		return dispatch_established(s, m);
	case WD_SESSION_GOODBYE_SENT:
		if (m->type == WD_MSG_GOODBYE || m->type == WD_MSG_ABORT) {
			leave(s);
			s->state = WD_SESSION_CLOSED;
			s->t->close(s->t, WS_CLOSE_NORMAL, "goodbye");
		}
		return 0; /* anything else in flight is ignored while closing */
	case WD_SESSION_CLOSED:
		return 0;
	}
	return 0;
}

void wd_session_recv(struct wd_session *s, const uint8_t *data, size_t len)
{
	json_t *root = NULL;
	struct wd_msg m;
	int rc;
	if (s->state == WD_SESSION_CLOSED)
		return;
	if ((rc = s->codec->decode(data, len, &root)) < 0) {
		if (rc == WD_ENOMEM)
			wd_session_abort(s, WD_ERR_PROTOCOL_VIOLATION, "out of memory");
		else
			violation(s, "cannot decode %s message", s->codec->name);
		return;
	}
	if (wd_msg_parse(root, &m) < 0) {
		json_t *t = json_array_get(root, 0);
		if (json_is_integer(t))
			violation(s, "malformed or unknown message (type %" JSON_INTEGER_FORMAT ")",
				  json_integer_value(t));
		else
			violation(s, "malformed message: no message type");
		json_decref(root);
		return;
	}
	wd_msg_attach_raw(&m, s->codec, data, len);
	if (wd_log_enabled(WD_LOG_TRACE))
		wd_log(WD_LOG_TRACE, "session", "session %" PRIu64 " <- %s", s->id,
		       wd_msg_type_name(m.type));
	rc = dispatch(s, &m);
	json_decref(root);
	if (rc < 0 && s->state != WD_SESSION_CLOSED)
		wd_session_abort(s, rc == WD_EPROTO ? WD_ERR_PROTOCOL_VIOLATION
						    : "wamp.error.internal_error",
				 wd_strerror(rc));
}
