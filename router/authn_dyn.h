/* Calls WAMP procedures on behalf of the router: dynamic authenticators (transport auth) and
 * dynamic authorizers (realm roles). As Crossbar's service sessions do, the call is made by
 * an internal session joined to the procedure's realm with a given authrole (default
 * "trusted"), so the backend sees an ordinary CALL and answers with YIELD or ERROR.
 *
 * One internal session per (realm, authrole) is created on first use and lives until the
 * realm is freed. Replies are always delivered from a zero-delay libuv timer, never from
 * inside wd_dyn_call, so callers need not be reentrant. */
#ifndef WD_AUTHN_DYN_H
#define WD_AUTHN_DYN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct wd_router;
struct wd_realm;
struct wd_dyn_call;

/* How long a dynamic authenticator or authorizer may take before the attempt fails. */
#define WD_DYN_CALL_TIMEOUT_MS 10000

enum wd_dyn_status {
	WD_DYN_RESULT = 0, /* the callee answered: result = Arguments[0] (may be NULL) */
	WD_DYN_APP_ERROR,  /* the callee answered ERROR: uri, args (may be NULL) */
	WD_DYN_FAILED,     /* no callee, callee gone, not permitted or timeout: why */
};

struct wd_dyn_reply {
	enum wd_dyn_status status;
	const json_t *result;
	const char *uri;
	const json_t *args;
	const char *why;
};

/* Fires once per call that was not cancelled; reply and its pointers are valid during the
 * call only. */
typedef void wd_dyn_cb(void *ud, const struct wd_dyn_reply *reply);

/* Calls procedure with args (borrowed) as a session of realm_name with authrole. Returns 0
 * and a handle in *out (valid until cb fires or wd_dyn_cancel), WD_ENOTFOUND (no such realm)
 * or WD_ENOMEM. */
int wd_dyn_call(struct wd_router *r, const char *realm_name, const char *authrole,
		const char *procedure, json_t *args, uint64_t timeout_ms, wd_dyn_cb *cb, void *ud,
		struct wd_dyn_call **out);

/* Forgets a call: cb will not fire; a late answer is dropped. NULL-safe. */
void wd_dyn_cancel(struct wd_dyn_call *c);

/* Frees the realm's internal caller sessions (pending calls are cancelled). Called by
 * wd_realm_free before the realm goes. */
void wd_dyn_realm_free(struct wd_realm *realm);

#endif
