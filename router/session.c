#include "router/session.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/id.h"
#include "protocol/msg.h"
#include "protocol/uris.h"
#include "router/authn_dyn.h"
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
	json_decref(s->authextra);
	s->authextra = NULL;
	json_decref(s->authz_cache);
	s->authz_cache = NULL;
}

/* Drops messages waiting for the authorizer (the session is leaving). */
static void drop_parked(struct wd_session *s)
{
	wd_dyn_cancel(s->authz_call);
	s->authz_call = NULL;
	for (size_t i = 0; i < s->n_parked; i++)
		free(s->parked[i].data);
	s->n_parked = 0;
	s->parked_bytes = 0;
	s->has_authz_answer = false;
}

/* Leaves the realm and forgets the session id; the session object stays usable. */
static void leave(struct wd_session *s)
{
	drop_parked(s);
	wd_memo_clear(&s->pub_memo);
	wd_memo_clear(&s->call_memo);
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
	wd_dyn_cancel(s->authn_call);
	wd_authn_clear(&s->authn);
	free(s->parked);
	free(s->subs);
	free(s->regs);
	wd_memo_free(&s->pub_memo);
	wd_memo_free(&s->call_memo);
	wd_map_deinit(&s->invocations);
	wd_map_deinit(&s->calls);
	free(s);
}

static int cannot_encode(const struct wd_session *s)
{
	wd_log(WD_LOG_WARN, "session", "session %" PRIu64 " (%s): cannot encode a message", s->id,
	       s->t->peer);
	return WD_EINVAL;
}

int wd_session_send(struct wd_session *s, const json_t *msg)
{
	struct wd_buf *b = wd_frame_build(&s->r->framer, msg, s->codec, s->t->framing);
	int rc;
	if (b == NULL)
		return cannot_encode(s);
	rc = s->t->send(s->t, b);
	wd_buf_unref(b);
	return rc;
}

int wd_session_send_set(struct wd_session *s, struct wd_frame_set *fs)
{
	/* Once the frame for s's serializer and framing is built, every other receiver that
	 * shares them gets it straight from the set. */
	struct wd_buf *b = wd_frame_set_built(fs, s->codec->id, s->t->framing);
	if (b == NULL && (b = wd_frame_set_get(fs, &s->r->framer, s->codec, s->t->framing)) == NULL)
		return WD_EINVAL;
	return s->t->send(s->t, b);
}

int wd_session_send_head(struct wd_session *s, const struct wd_head *head, const struct wd_msg *src)
{
	struct wd_frame_set fs;
	int rc;
	if (s->t->send_copy != NULL) {
		/* One receiver: the frame goes straight into its output, with no shared buffer. */
		uint8_t hdr[WD_FRAME_HEADER_MAX];
		const uint8_t *body;
		size_t body_len;
		rc = wd_frame_encode_head(&s->r->framer, head, src, s->codec, s->t->framing, hdr,
					  &body, &body_len);
		if (rc >= 0)
			return s->t->send_copy(s->t, hdr, (size_t)rc, body, body_len);
		if (rc != WD_EUNSUPPORTED)
			return cannot_encode(s);
	}
	wd_frame_set_init_head(&fs, head, src);
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
	return json_pack("{s{s{sbsbsbsb}}s{s{sbsbsbsbsbsb}}}", "broker", "features",
			 "publisher_identification", 1, "publisher_exclusion", 1,
			 "subscriber_blackwhite_listing", 1, "pattern_based_subscription", 1,
			 "dealer", "features", "caller_identification", 1, "progressive_call_results", 1,
			 "call_canceling", 1, "call_timeout", 1, "pattern_based_registration", 1,
			 "shared_registration", 1);
}

void wd_session_set_auth(struct wd_session *s, const struct wd_auth_cfg *auth)
{
	s->auth = auth;
}

/* Gives s its identity and a session id (the one promised in a CHALLENGE when still free),
 * and joins it to realm. */
static int join(struct wd_session *s, struct wd_realm *realm, const char *authid,
		const char *authrole, const char *authmethod, const char *authprovider)
{
	s->authid = strdup(authid);
	s->authrole = strdup(authrole);
	s->authmethod = strdup(authmethod);
	s->authprovider = strdup(authprovider);
	if (!s->authid || !s->authrole || !s->authmethod || !s->authprovider)
		return WD_ENOMEM;
	s->role = wd_realm_role(realm, s->authrole);
	s->is_trusted = strcmp(authrole, "trusted") == 0;
	s->id = s->pending_id;
	s->pending_id = 0;
	while (s->id == 0 || wd_map_get(&s->r->sessions, s->id) != NULL)
		s->id = wd_id_global(randombytes_buf);
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
		wd_authn_random_authid(randombytes_buf, rnd);
		authid = rnd;
	}
	if ((rc = join(s, realm, authid, authrole, "internal", "static")) < 0) {
		leave(s);
		return rc;
	}
	wd_log(WD_LOG_INFO, "session", "internal session %" PRIu64 " joined realm %s as %s",
	       s->id, realm_name, authrole);
	return 0;
}

/* --- authentication: auth/authn.c decides, this part does the I/O -------------------------- */

static bool env_has_realm(void *ud, const char *realm)
{
	struct wd_session *s = ud;
	return wd_map_sget(&s->r->realms, realm) != NULL;
}

static bool env_has_role(void *ud, const char *name, const char *role)
{
	struct wd_session *s = ud;
	struct wd_realm *realm = wd_map_sget(&s->r->realms, name);
	return realm != NULL && wd_realm_role(realm, role) != NULL;
}

static uint64_t unix_ms(void)
{
	uv_timeval64_t tv;
	if (uv_gettimeofday(&tv) != 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void make_env(struct wd_session *s, struct wd_authn_env *env, const json_t *transport)
{
	memset(env, 0, sizeof(*env));
	env->session_id = s->pending_id;
	env->now_ms = unix_ms();
	env->random = randombytes_buf;
	env->transport = transport;
	env->has_realm = env_has_realm;
	env->has_role = env_has_role;
	env->ud = s;
}

/* What Crossbar's TransportDetails.marshal() gives authenticators and authorizers, for the
 * fields wampd knows. */
static json_t *transport_details(struct wd_session *s)
{
	bool is_ws = s->t->framing == WD_FRAMING_WS;
	char peer[96];
	snprintf(peer, sizeof(peer), "tcp4:%s", s->t->peer);
	return json_pack("{sssssssssssbsbss}", "type", is_ws ? "websocket" : "internal",
			 "protocol", s->codec->subprotocol, "peer", is_ws ? peer : s->t->peer,
			 "channel_type", is_ws ? "tcp" : "function", "channel_framing",
			 is_ws ? "websocket" : "native", "is_server", 1, "is_secure", 0,
			 "channel_serializer", s->codec->name);
}

static const struct wd_auth_cfg no_auth; /* no "auth" block: anonymous as Crossbar */

static int authn_step(struct wd_session *s, struct wd_authn_out *out);

static void on_authn_reply(void *ud, const struct wd_dyn_reply *rep)
{
	struct wd_session *s = ud;
	struct wd_authn_out out;
	struct wd_authn_env env;
	int rc = 0;
	s->authn_call = NULL;
	if (s->state != WD_SESSION_AUTHENTICATING)
		return;
	make_env(s, &env, NULL);
	if (rep->status == WD_DYN_RESULT)
		rc = wd_authn_call_result(&s->authn, rep->result, &env, &out);
	else
		wd_authn_call_error(&s->authn, rep->status == WD_DYN_APP_ERROR, rep->uri, rep->args,
				    rep->why, &out);
	if (rc == 0)
		rc = authn_step(s, &out);
	if (rc < 0)
		wd_session_abort(s, "wamp.error.authentication_failed", wd_strerror(rc));
}

static int welcome(struct wd_session *s)
{
	struct wd_authn *a = &s->authn;
	struct wd_realm *realm = wd_map_sget(&s->r->realms, a->realm);
	json_t *msg;
	int rc;
	if (realm == NULL) {
		wd_session_abort(s, WD_ERR_NO_SUCH_REALM, "realm is gone");
		return 0;
	}
	if ((rc = join(s, realm, a->authid, a->authrole, a->authmethod, a->authprovider)) < 0)
		return rc;
	s->authextra = a->authextra;
	a->authextra = NULL;
	msg = json_pack("[iI{sssssssssss" "o" "so}]", WD_MSG_WELCOME, (json_int_t)s->id, "realm",
			realm->cfg->name, "authid", s->authid, "authrole", s->authrole,
			"authmethod", s->authmethod, "authprovider", s->authprovider, "authextra",
			s->authextra ? json_incref(s->authextra) : json_object(), "roles",
			router_roles());
	wd_authn_clear(a);
	if (msg == NULL)
		return WD_ENOMEM;
	wd_log(WD_LOG_INFO, "session", "session %" PRIu64 " (%s) joined realm %s as %s/%s (%s)",
	       s->id, s->t->peer, realm->cfg->name, s->authid, s->authrole, s->authmethod);
	wd_session_send(s, msg);
	json_decref(msg);
	return 0;
}

/* Carries out what auth/authn.c decided; consumes out. */
static int authn_step(struct wd_session *s, struct wd_authn_out *out)
{
	json_t *msg;
	int rc = 0;
	switch (out->action) {
	case WD_AUTHN_WELCOME:
		rc = welcome(s);
		break;
	case WD_AUTHN_CHALLENGE:
		s->state = WD_SESSION_AUTHENTICATING;
		msg = json_pack("[isO]", WD_MSG_CHALLENGE, out->method, out->extra);
		if (msg == NULL) {
			rc = WD_ENOMEM;
			break;
		}
		wd_session_send(s, msg);
		json_decref(msg);
		break;
	case WD_AUTHN_ABORT:
		/* One line per failed attempt, with the peer; never the secret or signature. */
		wd_log(WD_LOG_WARN, "auth", "authentication failed for %s (realm \"%s\", authid \"%s\", "
		       "method %s): %s", s->t->peer, s->authn.realm ? s->authn.realm : "",
		       s->authn.authid ? s->authn.authid : "",
		       s->authn.authmethod ? s->authn.authmethod : "-", out->message);
		wd_session_abort(s, out->reason, out->message);
		break;
	case WD_AUTHN_CALL:
		s->state = WD_SESSION_AUTHENTICATING;
		rc = wd_dyn_call(s->r, out->call_realm, out->call_role, out->procedure, out->args,
				 WD_DYN_CALL_TIMEOUT_MS, on_authn_reply, s, &s->authn_call);
		if (rc == WD_ENOTFOUND) {
			wd_session_abort(s, WD_ERR_NO_SUCH_REALM,
					 "realm of the dynamic authenticator does not exist");
			rc = 0;
		}
		break;
	}
	wd_authn_out_clear(out);
	return rc;
}

static int handle_hello(struct wd_session *s, const struct wd_msg *m)
{
	struct wd_authn_out out;
	struct wd_authn_env env;
	json_t *transport;
	int rc;
	s->callee_call_canceling = feature(m->dict, "callee", "call_canceling");
	s->callee_progressive_results = feature(m->dict, "callee", "progressive_call_results");
	do
		s->pending_id = wd_id_global(randombytes_buf);
	while (wd_map_get(&s->r->sessions, s->pending_id) != NULL);
	wd_authn_clear(&s->authn);
	transport = transport_details(s);
	make_env(s, &env, transport);
	rc = wd_authn_hello(&s->authn, s->auth ? s->auth : &no_auth, m->uri, m->dict, &env, &out);
	json_decref(transport);
	if (rc < 0)
		return rc;
	return authn_step(s, &out);
}

static int handle_authenticate(struct wd_session *s, const struct wd_msg *m)
{
	struct wd_authn_out out;
	struct wd_authn_env env;
	int rc;
	make_env(s, &env, NULL);
	if ((rc = wd_authn_authenticate(&s->authn, m->uri, &env, &out)) < 0)
		return rc;
	return authn_step(s, &out);
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
		return wd_dealer_cancel(realm, s, m);
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
	case WD_SESSION_AUTHENTICATING:
		if (m->type == WD_MSG_AUTHENTICATE)
			return handle_authenticate(s, m);
		if (m->type == WD_MSG_ABORT) {
			s->state = WD_SESSION_CLOSED;
			s->t->close(s->t, WS_CLOSE_NORMAL, "aborted by peer");
			return 0;
		}
		return violation(s, "%s received during authentication",
				 wd_msg_type_name(m->type));
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

/* Decodes and dispatches one message. */
static void recv_one(struct wd_session *s, const uint8_t *data, size_t len)
{
	json_t *root = NULL;
	struct wd_msg m;
	bool is_fast = false;
	int rc;

	/* PUBLISH, CALL and YIELD without a tree for their payload (protocol/envelope.h); the
	 * slow path below takes everything else and reports every error. */
	rc = wd_envelope_decode(&s->r->envelope, s->codec, data, len, &m);
	if (rc == 0) {
		is_fast = true;
		goto dispatch;
	}
	if (rc == WD_ENOMEM) {
		wd_session_abort(s, WD_ERR_PROTOCOL_VIOLATION, "out of memory");
		return;
	}
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
dispatch:
	if (wd_log_enabled(WD_LOG_TRACE))
		wd_log(WD_LOG_TRACE, "session", "session %" PRIu64 " <- %s", s->id,
		       wd_msg_type_name(m.type));
	s->cur_data = data;
	s->cur_len = len;
	rc = dispatch(s, &m);
	s->cur_data = NULL;
	json_decref(root);
	if (is_fast)
		wd_envelope_release(&s->r->envelope);
	if (rc < 0 && s->state != WD_SESSION_CLOSED)
		wd_session_abort(s, rc == WD_EPROTO ? WD_ERR_PROTOCOL_VIOLATION
						    : "wamp.error.internal_error",
				 wd_strerror(rc));
}

/* What one session may have waiting behind a dynamic authorizer call (the same bound as a
 * connection's output). */
#define MAX_PARKED_BYTES (16u << 20)

static int park(struct wd_session *s, const uint8_t *data, size_t len)
{
	struct wd_parked *p;
	if (s->parked_bytes + len > MAX_PARKED_BYTES)
		return WD_ETOOBIG;
	if (s->n_parked == s->cap_parked) {
		size_t cap = s->cap_parked ? s->cap_parked * 2 : 4;
		if ((p = realloc(s->parked, cap * sizeof(*p))) == NULL)
			return WD_ENOMEM;
		s->parked = p;
		s->cap_parked = cap;
	}
	p = &s->parked[s->n_parked];
	if ((p->data = malloc(len ? len : 1)) == NULL)
		return WD_ENOMEM;
	memcpy(p->data, data, len);
	p->len = len;
	s->n_parked++;
	s->parked_bytes += len;
	return 0;
}

static void pop_parked(struct wd_session *s)
{
	s->parked_bytes -= s->parked[0].len;
	free(s->parked[0].data);
	memmove(s->parked, s->parked + 1, (s->n_parked - 1) * sizeof(*s->parked));
	s->n_parked--;
}

/* Dispatches parked messages in arrival order until one waits for the authorizer. */
static void drain(struct wd_session *s)
{
	while (s->n_parked > 0 && s->authz_call == NULL && s->state == WD_SESSION_ESTABLISHED) {
		recv_one(s, s->parked[0].data, s->parked[0].len);
		if (s->authz_call == NULL && s->n_parked > 0)
			pop_parked(s);
	}
	s->has_authz_answer = false;
	if (s->state != WD_SESSION_ESTABLISHED)
		drop_parked(s);
}

void wd_session_recv(struct wd_session *s, const uint8_t *data, size_t len)
{
	if (s->state == WD_SESSION_CLOSED)
		return;
	if (s->n_parked > 0) {
		/* Behind a message waiting for the dynamic authorizer: keep the order. */
		int rc = park(s, data, len);
		if (rc == WD_ETOOBIG)
			wd_session_abort(s, WD_ERR_PROTOCOL_VIOLATION,
					 "more than 16 MiB of messages waiting for the authorizer");
		else if (rc < 0)
			wd_session_abort(s, WD_ERR_PROTOCOL_VIOLATION, "out of memory");
		return;
	}
	recv_one(s, data, len);
}

/* --- dynamic authorization ------------------------------------------------------------------ */

static char *cache_key(enum wd_action action, const char *uri)
{
	size_t n = strlen(uri) + 16;
	char *k = malloc(n);
	if (k != NULL)
		snprintf(k, n, "%s %s", wd_action_name(action), uri);
	return k;
}

/* What a parked message asks for, read again from its bytes. */
struct parked_req {
	json_t *root;
	struct wd_msg m;
	enum wd_action action;
	bool reply;
};

static bool parked_req(struct wd_session *s, struct parked_req *pr)
{
	pr->root = NULL;
	if (s->n_parked == 0 || s->codec->decode(s->parked[0].data, s->parked[0].len, &pr->root) < 0)
		return false;
	if (wd_msg_parse(pr->root, &pr->m) < 0) {
		json_decref(pr->root);
		pr->root = NULL;
		return false;
	}
	pr->reply = true;
	switch (pr->m.type) {
	case WD_MSG_PUBLISH:
		pr->action = WD_ACTION_PUBLISH;
		pr->reply = json_is_true(json_object_get(pr->m.dict, "acknowledge"));
		break;
	case WD_MSG_SUBSCRIBE:
		pr->action = WD_ACTION_SUBSCRIBE;
		break;
	case WD_MSG_CALL:
		pr->action = WD_ACTION_CALL;
		break;
	default:
		pr->action = WD_ACTION_REGISTER;
		break;
	}
	return true;
}

static void on_authz_reply(void *ud, const struct wd_dyn_reply *rep)
{
	struct wd_session *s = ud;
	struct wd_authz_result res;
	struct parked_req pr;
	bool cache = false;
	s->authz_call = NULL;
	if (s->state != WD_SESSION_ESTABLISHED || !parked_req(s, &pr)) {
		drain(s);
		return;
	}
	if (rep->status != WD_DYN_RESULT || wd_authz_parse_dynamic(rep->result, &res, &cache) < 0) {
		char text[400];
		const char *why = rep->status == WD_DYN_RESULT ? "invalid answer" :
				  rep->status == WD_DYN_APP_ERROR ? rep->uri : rep->why;
		snprintf(text, sizeof(text), "failed to authorize session for %s on \"%.200s\": %s",
			 wd_action_name(pr.action), pr.m.uri, why ? why : "unknown error");
		wd_log(WD_LOG_WARN, "authz", "session %" PRIu64 " (%s): %s", s->id, s->t->peer,
		       text);
		if (pr.reply)
			wd_session_send_error(s, pr.m.type, pr.m.id1, WD_ERR_AUTHORIZATION_FAILED,
					      text);
		pop_parked(s);
	} else {
		char *key;
		if (cache && (key = cache_key(pr.action, pr.m.uri)) != NULL) {
			if (s->authz_cache == NULL)
				s->authz_cache = json_object();
			json_object_set_new(s->authz_cache, key,
					    json_integer((res.allow ? 1 : 0) | (res.disclose ? 2 : 0)));
			free(key);
		}
		if (res.allow) {
			/* Dispatch it again; wd_session_authorize_dynamic hands out this answer. */
			s->authz_answer = res;
			s->has_authz_answer = true;
		} else {
			if (pr.reply)
				wd_realm_send_denied(s->realm, s, pr.m.uri, pr.action, pr.m.type,
						     pr.m.id1);
			pop_parked(s);
		}
	}
	json_decref(pr.root);
	drain(s);
}

static json_t *session_details(struct wd_session *s)
{
	json_t *d = json_pack("{sIssssssssss}", "session", (json_int_t)s->id, "authid", s->authid,
			      "authrole", s->authrole, "authmethod", s->authmethod, "authprovider",
			      s->authprovider, "realm", s->realm->cfg->name);
	if (d != NULL) {
		json_object_set_new(d, "authextra",
				    s->authextra ? json_incref(s->authextra) : json_null());
		json_object_set_new(d, "transport", transport_details(s));
	}
	return d;
}

int wd_session_authorize_dynamic(struct wd_session *s, const struct wd_msg *m, const char *uri,
				 enum wd_action action, struct wd_authz_result *res)
{
	json_t *cached, *args;
	char *key;
	int rc;
	if (s->has_authz_answer) {
		*res = s->authz_answer;
		s->has_authz_answer = false;
		return 0;
	}
	if (s->authz_cache != NULL && (key = cache_key(action, uri)) != NULL) {
		cached = json_object_get(s->authz_cache, key);
		free(key);
		if (cached != NULL) {
			res->allow = (json_integer_value(cached) & 1) != 0;
			res->disclose = (json_integer_value(cached) & 2) != 0;
			return 0;
		}
	}
	/* Park the message being dispatched (it is parked[0] already when it comes from the
	 * queue) and ask the authorizer: (session, uri, action, options), role.py. */
	if (s->n_parked == 0 && (s->cur_data == NULL || park(s, s->cur_data, s->cur_len) < 0))
		return WD_ENOMEM;
	args = json_pack("[osso]", session_details(s), uri, wd_action_name(action),
			 m->dict ? json_incref(m->dict) : json_object());
	if (args == NULL)
		return WD_ENOMEM;
	rc = wd_dyn_call(s->r, s->realm->cfg->name, "trusted", s->role->authorizer, args,
			 WD_DYN_CALL_TIMEOUT_MS, on_authz_reply, s, &s->authz_call);
	json_decref(args);
	if (rc < 0) {
		pop_parked(s);
		return rc;
	}
	return WD_EAGAIN;
}
