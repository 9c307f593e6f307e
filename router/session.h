/* A WAMP session: the state machine from HELLO to GOODBYE, the one place that maps WD_E*
 * failures to ABORT, and the session's side of the broker and dealer bookkeeping. The
 * transport below it (WebSocket now; RawSocket and internal bridge sessions later) is
 * reached only through struct wd_session_transport. */
#ifndef WD_SESSION_H
#define WD_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/authn.h"
#include "auth/authz.h"
#include "config/model.h"
#include "protocol/codec.h"
#include "protocol/id.h"
#include "router/frame.h"
#include "router/map.h"
#include "router/memo.h"

struct wd_router;
struct wd_realm;
struct wd_subscription;
struct wd_registration;
struct wd_dyn_call;
struct wd_msg;

struct wd_session_transport {
	/* Queues an already framed message (the transport takes its own reference or a copy).
	 * Returns 0 or a WD_E* when the transport is going away (the message is dropped). */
	int (*send)(struct wd_session_transport *t, struct wd_buf *frame);
	/* Optional (NULL: send is used): queues a copy of the frame head[0..head_len) followed
	 * by body[0..body_len), both borrowed, for a frame with one receiver. Returns as send. */
	int (*send_copy)(struct wd_session_transport *t, const uint8_t *head, size_t head_len,
			 const uint8_t *body, size_t body_len);
	/* Closes the transport after what is queued (code: WebSocket close code). */
	void (*close)(struct wd_session_transport *t, int code, const char *reason);
	enum wd_framing framing;
	const char *peer; /* "ip:port" for logs */
};

enum wd_session_state {
	WD_SESSION_WAIT_HELLO = 0,
	WD_SESSION_AUTHENTICATING, /* HELLO taken: CHALLENGE sent or an authenticator called */
	WD_SESSION_ESTABLISHED,
	WD_SESSION_GOODBYE_SENT, /* router-initiated GOODBYE, waiting for the reply */
	WD_SESSION_CLOSED,       /* aborted or transport closing: ignore further input */
};

struct wd_session {
	struct wd_router *r;
	struct wd_session_transport *t;  /* borrowed; outlives the session */
	const struct wd_codec *codec;
	uint64_t id;                     /* 0 until WELCOME */
	enum wd_session_state state;
	struct wd_realm *realm;          /* set while joined */
	char *authid, *authrole, *authmethod, *authprovider;
	const struct wd_role_cfg *role;  /* NULL: role not defined on the realm (deny all) */
	bool is_trusted;
	/* client features announced in HELLO */
	bool callee_call_canceling;
	bool callee_progressive_results;
	/* broker and dealer bookkeeping (owned by broker.c / dealer.c) */
	struct wd_subscription **subs;
	size_t n_subs, cap_subs;
	struct wd_registration **regs;
	size_t n_regs, cap_regs;
	struct wd_map invocations;       /* as callee: invocation id -> struct wd_invocation * */
	struct wd_map calls;             /* as caller: CALL request id -> struct wd_invocation * */
	struct wd_id_seq invocation_ids; /* session scope: ids of INVOCATIONs sent to it */
	/* authentication (auth/authn.c does the protocol; session.c the I/O) */
	const struct wd_auth_cfg *auth;  /* the transport's "auth" (borrowed); NULL: anonymous */
	struct wd_authn authn;           /* pending authentication */
	struct wd_dyn_call *authn_call;  /* dynamic authenticator call in flight */
	uint64_t pending_id;             /* session id promised in the CHALLENGE, used at WELCOME */
	json_t *authextra;               /* WELCOME authextra (NULL: {}) */
	/* dynamic authorization: a message waiting for the authorizer, those behind it */
	struct wd_dyn_call *authz_call;
	struct wd_parked *parked;        /* FIFO: parked[0] is being authorized when authz_call */
	size_t n_parked, cap_parked;
	size_t parked_bytes; /* bounded: a slow authorizer must not let a client grow our memory */
	json_t *authz_cache;             /* "action uri" -> integer bits (allow 1, disclose 2) */
	struct wd_authz_result authz_answer; /* the authorizer's answer for parked[0] */
	bool has_authz_answer;
	struct wd_route_memo pub_memo;   /* last PUBLISH topic (broker.c) */
	struct wd_route_memo call_memo;  /* last CALL procedure (dealer.c) */
	const uint8_t *cur_data;         /* bytes of the message being dispatched */
	size_t cur_len;
};

struct wd_parked {
	uint8_t *data; /* a copy of the message's bytes */
	size_t len;
};

/* Returns a new session in WAIT_HELLO, or NULL. */
struct wd_session *wd_session_new(struct wd_router *r, struct wd_session_transport *t,
				  const struct wd_codec *codec);
/* Sets the transport's authentication config (borrowed, outlives s; NULL: anonymous as
 * Crossbar without "auth"). Call before the first message. */
void wd_session_set_auth(struct wd_session *s, const struct wd_auth_cfg *auth);

/* For realm.c: decides action on uri with s's role's dynamic authorizer. Returns 0 with *res
 * filled (an earlier answer for this message, or one cached for the session), or WD_EAGAIN:
 * the authorizer has been called and the message being dispatched is parked until it answers
 * (s dispatches it again then, and handles refusals and failures itself). */
int wd_session_authorize_dynamic(struct wd_session *s, const struct wd_msg *m, const char *uri,
				 enum wd_action action, struct wd_authz_result *res);

/* Leaves the realm (cleaning up subscriptions, registrations and calls) and frees s. */
void wd_session_free(struct wd_session *s);

/* Handles one whole message (bytes borrowed). Protocol violations are answered with ABORT
 * and the transport is closed; nothing is returned because the caller need not act. */
void wd_session_recv(struct wd_session *s, const uint8_t *data, size_t len);

/* Encodes and sends one message (borrowed) to s. Returns 0 or a WD_E*. */
int wd_session_send(struct wd_session *s, const json_t *msg);
/* Sends the shared frame of fs for s's serializer and framing. Returns 0 or a WD_E*. */
int wd_session_send_set(struct wd_session *s, struct wd_frame_set *fs);
/* Sends head (borrowed, a message without Arguments/ArgumentsKw) followed by src's payload
 * (borrowed; NULL: none), forwarding the payload bytes unchanged when s uses src's serializer.
 * Returns 0 or a WD_E*. */
int wd_session_send_head(struct wd_session *s, const struct wd_head *head, const struct wd_msg *src);
/* Sends ERROR [8, req_type, req_id, {}, uri, [message]] (message may be NULL: no args). */
int wd_session_send_error(struct wd_session *s, int req_type, uint64_t req_id, const char *uri,
			  const char *message);
/* Sends ERROR with args and kwargs (borrowed, may be NULL). */
int wd_session_send_error_payload(struct wd_session *s, int req_type, uint64_t req_id,
				  json_t *details, const char *uri, json_t *args, json_t *kwargs);

/* Joins s (in WAIT_HELLO) to realm_name with authrole and authid as an internal session
 * (authmethod "internal", authprovider "static"), without HELLO/WELCOME: for sessions the
 * router runs itself, such as HTTP bridge paths (Crossbar attaches those the same way).
 * authid NULL: a random one. Returns 0, WD_ENOTFOUND (no such realm) or WD_ENOMEM. */
int wd_session_join_internal(struct wd_session *s, const char *realm_name, const char *authrole,
			     const char *authid);

/* Router shutdown: GOODBYE wamp.close.system_shutdown, then the transport closes. */
void wd_session_shutdown(struct wd_session *s);

/* Aborts s with reason and message, logs one line, closes the transport. */
void wd_session_abort(struct wd_session *s, const char *reason, const char *message);

#endif
