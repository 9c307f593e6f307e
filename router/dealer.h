/* Remote procedure calls within one realm: exact, prefix and wildcard registrations, shared
 * registrations (invoke single/roundrobin/random/first/last), progressive results, call
 * canceling and call timeouts. */
#ifndef WD_DEALER_H
#define WD_DEALER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "protocol/msg.h"

struct wd_realm;
struct wd_router;
struct wd_session;

enum wd_invoke {
	WD_INVOKE_SINGLE = 0,
	WD_INVOKE_ROUNDROBIN,
	WD_INVOKE_RANDOM,
	WD_INVOKE_FIRST,
	WD_INVOKE_LAST,
};

struct wd_registration {
	uint64_t id;
	char *uri;                 /* procedure or pattern */
	enum wd_match match;
	enum wd_invoke invoke;
	struct wd_session **callees; /* in registration order (first/last policies) */
	size_t n, cap;
	size_t next;               /* roundrobin position */
};

/* One call in flight: listed in the callee's invocations (by invocation id) and, while the
 * caller is there, in the caller's calls (by CALL request id). */
struct wd_invocation {
	uint64_t invocation_id;   /* session scope of the callee */
	uint64_t call_request_id; /* session scope of the caller */
	struct wd_session *caller; /* NULL once the caller has left: the answer is dropped */
	struct wd_session *callee;
	bool receive_progress;
	/* CALL.Options.timeout: position in the router's deadline-ordered list */
	uint64_t deadline_ms;
	bool is_timed;
	struct wd_invocation *tprev, *tnext;
};

void wd_dealer_init(struct wd_realm *realm);
void wd_dealer_deinit(struct wd_realm *realm);
/* Handlers as in broker.h. */
int wd_dealer_register(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
int wd_dealer_unregister(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
int wd_dealer_call(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
int wd_dealer_yield(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
/* CANCEL from a caller: modes skip, kill, killnowait (default) as in the spec's "Call
 * Canceling"; a callee that did not announce call_canceling is treated as skip. */
int wd_dealer_cancel(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
/* ERROR from a callee for an INVOCATION. */
int wd_dealer_invocation_error(struct wd_realm *realm, struct wd_session *s,
			       const struct wd_msg *m);
/* Leaving: drops s's registrations, fails calls it was serving (caller gets
 * wamp.error.canceled) and orphans the calls it made. */
void wd_dealer_detach(struct wd_realm *realm, struct wd_session *s);
/* Frees the router's spare invocations (at shutdown, after every realm). */
void wd_dealer_free_spares(struct wd_router *r);

#endif
