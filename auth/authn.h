/* WAMP authentication as Crossbar does it (crossbar/router/session.py onHello/onAuthenticate,
 * crossbar/router/auth/{pending,anonymous,ticket,wampcra,cryptosign}.py): a pure per-session
 * state machine. HELLO details and the transport's auth config go in; out comes WELCOME,
 * CHALLENGE, ABORT, or a request to call a dynamic authenticator, whose RESULT or ERROR is fed
 * back in. No I/O, no clock, no logging: time, randomness and the router's realm/role lookups
 * come in through struct wd_authn_env. */
#ifndef WD_AUTHN_H
#define WD_AUTHN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/crypto.h"
#include "config/model.h"
#include "protocol/id.h"

/* What the router supplies for one step. All pointers are borrowed for the call. */
struct wd_authn_env {
	uint64_t session_id;     /* the id WELCOME will carry (also in the WAMP-CRA challenge) */
	uint64_t now_ms;         /* Unix time in milliseconds (WAMP-CRA challenge timestamp) */
	wd_random_fn *random;    /* randombytes_buf in production */
	const json_t *transport; /* transport details handed to dynamic authenticators */
	bool (*has_realm)(void *ud, const char *realm);
	bool (*has_role)(void *ud, const char *realm, const char *role);
	void *ud;
};

enum wd_authn_action {
	WD_AUTHN_WELCOME = 0, /* authenticated: the identity is in struct wd_authn */
	WD_AUTHN_CHALLENGE,   /* send CHALLENGE [4, out.method, out.extra], wait for AUTHENTICATE */
	WD_AUTHN_ABORT,       /* send ABORT {message: out.message} out.reason */
	WD_AUTHN_CALL,        /* call out.procedure with out.args as a session joined to
	                       * out.call_realm with out.call_role; feed the answer back */
};

struct wd_authn_out {
	enum wd_authn_action action;
	const char *method;    /* CHALLENGE: static string */
	json_t *extra;         /* CHALLENGE: new reference */
	const char *reason;    /* ABORT: static URI */
	char message[320];     /* ABORT: human-readable (never a secret) */
	const char *procedure; /* CALL: borrowed from the config */
	const char *call_realm, *call_role; /* CALL: borrowed (config or struct wd_authn) */
	json_t *args;          /* CALL: new reference, [realm, authid, details] */
};

enum wd_authn_step {
	WD_AUTHN_STEP_HELLO = 0,       /* nothing happened yet */
	WD_AUTHN_STEP_HELLO_CALL,      /* waiting for the authenticator (anonymous, wampcra,
	                                * cryptosign dynamic) */
	WD_AUTHN_STEP_AUTHENTICATE,    /* CHALLENGE sent, waiting for AUTHENTICATE */
	WD_AUTHN_STEP_AUTHENTICATE_CALL, /* waiting for the ticket authenticator */
	WD_AUTHN_STEP_DONE,            /* WELCOME or ABORT decided */
};

/* Pending authentication of one session. Zero-initialise; release with wd_authn_clear. After
 * WD_AUTHN_WELCOME, realm/authid/authrole/authmethod/authprovider/authextra hold the identity
 * (authextra may be NULL: send {}). */
struct wd_authn {
	enum wd_authn_step step;
	const struct wd_auth_method_cfg *m; /* borrowed from the config */
	int method;                         /* internal method index */
	char *realm, *authid, *authrole;
	const char *authmethod, *authprovider; /* static strings */
	json_t *authextra;
	json_t *details;    /* what dynamic authenticators get as their third argument */
	char *call_realm;   /* realm of the authenticator session */
	char *error_uri;    /* the authenticator's error URI after wd_authn_call_error */
	const char *secret; /* static ticket: borrowed from the config */
	char expected[WD_B64_LEN(32)]; /* WAMP-CRA: the signature the client must send */
	uint8_t pubkey[32], challenge[32]; /* cryptosign */
};

/* HELLO for realm (borrowed; "" if none) with details (borrowed HELLO.Details). cfg is the
 * transport's auth config (borrowed, must outlive a). Returns 0 with *out filled, or
 * WD_ENOMEM. Call at most once per struct wd_authn. */
int wd_authn_hello(struct wd_authn *a, const struct wd_auth_cfg *cfg, const char *realm,
		   const json_t *details, const struct wd_authn_env *env, struct wd_authn_out *out);

/* AUTHENTICATE with its signature (borrowed, untrusted). Outside STEP_AUTHENTICATE this is an
 * ABORT not_authorized ("no pending authentication"), as Crossbar answers. Returns 0 or
 * WD_ENOMEM. */
int wd_authn_authenticate(struct wd_authn *a, const char *signature,
			  const struct wd_authn_env *env, struct wd_authn_out *out);

/* The dynamic authenticator's RESULT: result is Arguments[0] (borrowed; NULL when the result
 * had no arguments). A string is the role; an object may set role, authid, realm, extra and,
 * per method, secret/salt/iterations/keylen (wampcra) or pubkey (cryptosign). Anything else
 * is ABORT wamp.error.authentication_failed. Returns 0 or WD_ENOMEM. */
int wd_authn_call_result(struct wd_authn *a, const json_t *result, const struct wd_authn_env *env,
			 struct wd_authn_out *out);

/* The dynamic authenticator failed. is_application: the callee itself answered ERROR uri with
 * args (borrowed, may be NULL): ABORT uri with args[0] as the message, as Crossbar
 * (_marshal_dynamic_authenticator_error). Otherwise (no callee, callee gone, timeout) ABORT
 * wamp.error.authentication_failed with why. Fills *out; never fails. */
void wd_authn_call_error(struct wd_authn *a, bool is_application, const char *uri,
			 const json_t *args, const char *why, struct wd_authn_out *out);

/* Releases what a owns (identity strings included); a can be reused after. */
void wd_authn_clear(struct wd_authn *a);
/* Drops out's references. */
void wd_authn_out_clear(struct wd_authn_out *out);

/* Crossbar-style random authid ("XXXX-XXXX-XXXX-XXXX", autobahn's generate_serial_number
 * shape) into out. */
void wd_authn_random_authid(wd_random_fn *rnd, char out[20]);

#endif
