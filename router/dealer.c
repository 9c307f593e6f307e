#include "router/dealer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/asan.h"
#include "protocol/error.h"
#include "protocol/id.h"
#include "protocol/uri.h"
#include "protocol/uris.h"
#include "router/log.h"
#include "router/router.h"
#include "router/realm.h"
#include "router/session.h"

void wd_dealer_init(struct wd_realm *realm)
{
	wd_map_init(&realm->dealer.by_uri);
	wd_map_init(&realm->dealer.by_prefix);
	wd_map_init(&realm->dealer.by_wildcard);
	wd_map_init(&realm->dealer.by_id);
}

void wd_dealer_deinit(struct wd_realm *realm)
{
	wd_map_deinit(&realm->dealer.by_uri);
	wd_map_deinit(&realm->dealer.by_prefix);
	wd_map_deinit(&realm->dealer.by_wildcard);
	wd_map_deinit(&realm->dealer.by_id);
}

/* Every call allocates an invocation and frees it at the answer: spare ones are kept (up to
 * SPARE_INVS) instead of going through malloc. Not under ASan, which should see every
 * invocation's lifetime. */
#define SPARE_INVS 4096

static struct wd_invocation *inv_new(struct wd_router *r)
{
	struct wd_invocation *inv = r->spare_invs;
	if (inv == NULL)
		return calloc(1, sizeof(*inv));
	r->spare_invs = inv->tnext;
	r->n_spare_invs--;
	memset(inv, 0, sizeof(*inv));
	return inv;
}

static void inv_free(struct wd_router *r, struct wd_invocation *inv)
{
	if (WD_ASAN || r->n_spare_invs >= SPARE_INVS) {
		free(inv);
		return;
	}
	inv->tnext = r->spare_invs;
	r->spare_invs = inv;
	r->n_spare_invs++;
}

void wd_dealer_free_spares(struct wd_router *r)
{
	while (r->spare_invs != NULL) {
		struct wd_invocation *inv = r->spare_invs;
		r->spare_invs = inv->tnext;
		free(inv);
	}
	r->n_spare_invs = 0;
}

static struct wd_map *table(struct wd_dealer *d, enum wd_match match)
{
	return match == WD_MATCH_PREFIX     ? &d->by_prefix
	       : match == WD_MATCH_WILDCARD ? &d->by_wildcard
					    : &d->by_uri;
}

static const char *const invoke_names[] = {"single", "roundrobin", "random", "first", "last"};

static int parse_match(const char *s)
{
	return strcmp(s, "exact") == 0      ? WD_MATCH_EXACT
	       : strcmp(s, "prefix") == 0   ? WD_MATCH_PREFIX
	       : strcmp(s, "wildcard") == 0 ? WD_MATCH_WILDCARD
					    : -1;
}

static int parse_invoke(const char *s)
{
	for (int i = 0; i < (int)(sizeof(invoke_names) / sizeof(invoke_names[0])); i++)
		if (strcmp(s, invoke_names[i]) == 0)
			return i;
	return -1;
}

static void drop_registration(struct wd_dealer *d, struct wd_registration *reg);

static bool has_callee(const struct wd_registration *reg, const struct wd_session *s)
{
	for (size_t i = 0; i < reg->n; i++)
		if (reg->callees[i] == s)
			return true;
	return false;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;
	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 4;
	if ((p = realloc(*arr, c * size)) == NULL)
		return WD_ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static const char *option_str(json_t *opts, const char *key, const char *dflt)
{
	json_t *v = json_object_get(opts, key);
	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* --- call timeouts: one router timer over a deadline-ordered list ------------------------ */

static void arm_timer(struct wd_router *r);

static void untime(struct wd_router *r, struct wd_invocation *inv)
{
	if (!inv->is_timed)
		return;
	if (inv->tprev != NULL)
		inv->tprev->tnext = inv->tnext;
	else
		r->timed_head = inv->tnext;
	if (inv->tnext != NULL)
		inv->tnext->tprev = inv->tprev;
	else
		r->timed_tail = inv->tprev;
	inv->tprev = inv->tnext = NULL;
	inv->is_timed = false;
}

/* Inserts by deadline, searching from the tail: calls with equal timeouts arrive in deadline
 * order, so this is O(1) in the common case. */
static void time_call(struct wd_router *r, struct wd_invocation *inv, uint64_t timeout_ms)
{
	struct wd_invocation *after = r->timed_tail;
	inv->deadline_ms = uv_now(r->loop) + timeout_ms;
	while (after != NULL && after->deadline_ms > inv->deadline_ms)
		after = after->tprev;
	inv->tprev = after;
	inv->tnext = after ? after->tnext : r->timed_head;
	if (inv->tnext != NULL)
		inv->tnext->tprev = inv;
	else
		r->timed_tail = inv;
	if (after != NULL)
		after->tnext = inv;
	else
		r->timed_head = inv;
	inv->is_timed = true;
	if (r->timed_head == inv)
		arm_timer(r);
}

/* Tells the callee to stop, if it announced it can. */
static void interrupt(struct wd_invocation *inv, const char *mode)
{
	json_t *msg;
	if (!inv->callee->callee_call_canceling)
		return;
	msg = json_pack("[iI{ss}]", WD_MSG_INTERRUPT, (json_int_t)inv->invocation_id, "mode", mode);
	if (msg != NULL) {
		wd_session_send(inv->callee, msg);
		json_decref(msg);
	}
}

/* The caller has its answer (or is gone): whatever the callee sends later is dropped, but
 * the invocation stays listed at the callee so a late YIELD is not a protocol violation. */
static void orphan(struct wd_invocation *inv)
{
	untime(inv->callee->r, inv);
	if (inv->caller != NULL) {
		wd_map_del(&inv->caller->calls, inv->call_request_id);
		inv->caller = NULL;
	}
}

static void on_call_timer(uv_timer_t *t)
{
	struct wd_router *r = t->data;
	uint64_t now = uv_now(r->loop);
	while (r->timed_head != NULL && r->timed_head->deadline_ms <= now) {
		struct wd_invocation *inv = r->timed_head;
		/* Spec "Call Timeouts": the dealer answers wamp.error.timeout and interrupts the
		 * callee (Crossbar answers wamp.error.canceled, in seconds; DESIGN.md decision 9). */
		wd_session_send_error(inv->caller, WD_MSG_CALL, inv->call_request_id, WD_ERR_TIMEOUT,
				      "call timed out");
		interrupt(inv, "killnowait");
		orphan(inv);
	}
	arm_timer(r);
}

static void arm_timer(struct wd_router *r)
{
	uint64_t now = uv_now(r->loop);
	if (r->timed_head == NULL) {
		uv_timer_stop(&r->call_timer);
		return;
	}
	uv_timer_start(&r->call_timer, on_call_timer,
		       r->timed_head->deadline_ms > now ? r->timed_head->deadline_ms - now : 0, 0);
}

static int send_new(struct wd_session *s, json_t *msg)
{
	int rc;
	if (msg == NULL)
		return WD_ENOMEM;
	rc = wd_session_send(s, msg);
	json_decref(msg);
	return rc;
}

int wd_dealer_register(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_dealer *d = &realm->dealer;
	struct wd_registration *reg;
	int match = parse_match(option_str(m->dict, "match", "exact"));
	int invoke = parse_invoke(option_str(m->dict, "invoke", "single"));
	char text[300];
	if (match < 0 || invoke < 0) {
		wd_session_send_error(s, WD_MSG_REGISTER, m->id1, WD_ERR_INVALID_ARGUMENT,
				      match < 0 ? "match must be \"exact\", \"prefix\" or "
						  "\"wildcard\""
						: "invoke must be \"single\", \"roundrobin\", "
						  "\"random\", \"first\" or \"last\"");
		return 0;
	}
	if (!wd_realm_check_pattern(realm, s, m->uri, (enum wd_match)match, WD_MSG_REGISTER,
				    m->id1))
		return 0;
	if (!s->is_trusted && strncmp(m->uri, "wamp.", 5) == 0) {
		wd_session_send_error(s, WD_MSG_REGISTER, m->id1, WD_ERR_INVALID_URI,
				      "registering procedures in the reserved namespace 'wamp.' "
				      "is not allowed");
		return 0;
	}
	if (wd_realm_authorize(realm, s, m, m->uri, WD_ACTION_REGISTER, WD_MSG_REGISTER, m->id1,
				true, NULL) != 1)
		return 0;
	if ((reg = wd_map_sget(table(d, (enum wd_match)match), m->uri)) != NULL) {
		/* Shared registrations (spec "Shared Registration"): callees join an existing
		 * registration only with the same, non-single policy. */
		if (reg->invoke != (enum wd_invoke)invoke) {
			snprintf(text, sizeof(text),
				 "procedure '%.200s' is registered with invocation policy '%s'",
				 m->uri, invoke_names[reg->invoke]);
			wd_session_send_error(
				s, WD_MSG_REGISTER, m->id1,
				"wamp.error.procedure_exists_with_different_invocation_policy", text);
			return 0;
		}
		if (reg->invoke == WD_INVOKE_SINGLE || has_callee(reg, s)) {
			snprintf(text, sizeof(text),
				 "register for already registered procedure '%.200s'", m->uri);
			wd_session_send_error(s, WD_MSG_REGISTER, m->id1,
					      WD_ERR_PROCEDURE_ALREADY_EXISTS, text);
			return 0;
		}
	} else {
		if ((reg = calloc(1, sizeof(*reg))) == NULL || (reg->uri = strdup(m->uri)) == NULL)
			goto fail_reg;
		reg->match = (enum wd_match)match;
		reg->invoke = (enum wd_invoke)invoke;
		do
			reg->id = wd_id_global(randombytes_buf);
		while (wd_map_get(&d->by_id, reg->id) != NULL);
		if (wd_map_sput(table(d, reg->match), reg->uri, reg) < 0)
			goto fail_reg;
		if (wd_map_put(&d->by_id, reg->id, reg) < 0)
			goto fail_uri;
		d->epoch++;
	}
	if (grow((void **)&reg->callees, &reg->cap, reg->n, sizeof(reg->callees[0])) < 0 ||
	    grow((void **)&s->regs, &s->cap_regs, s->n_regs, sizeof(s->regs[0])) < 0) {
		if (reg->n == 0)
			drop_registration(d, reg);
		return WD_ENOMEM;
	}
	reg->callees[reg->n++] = s;
	s->regs[s->n_regs++] = reg;
	return send_new(s, json_pack("[iII]", WD_MSG_REGISTERED, (json_int_t)m->id1,
				     (json_int_t)reg->id));
fail_uri:
	wd_map_sdel(table(d, reg->match), reg->uri);
fail_reg:
	if (reg != NULL)
		free(reg->uri);
	free(reg);
	return WD_ENOMEM;
}

static void drop_registration(struct wd_dealer *d, struct wd_registration *reg)
{
	d->epoch++;
	wd_map_sdel(table(d, reg->match), reg->uri);
	wd_map_del(&d->by_id, reg->id);
	free(reg->callees);
	free(reg->uri);
	free(reg);
}

/* Takes s out of reg (keeping the order of the others) and drops reg when it is empty. */
static void remove_callee(struct wd_dealer *d, struct wd_registration *reg, struct wd_session *s)
{
	for (size_t i = 0; i < reg->n; i++)
		if (reg->callees[i] == s) {
			memmove(reg->callees + i, reg->callees + i + 1,
				(reg->n - i - 1) * sizeof(reg->callees[0]));
			reg->n--;
			break;
		}
	if (reg->n == 0)
		drop_registration(d, reg);
}

int wd_dealer_unregister(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_dealer *d = &realm->dealer;
	struct wd_registration *reg = wd_map_get(&d->by_id, m->id2);
	if (reg == NULL || !has_callee(reg, s)) {
		wd_session_send_error(s, WD_MSG_UNREGISTER, m->id1, WD_ERR_NO_SUCH_REGISTRATION,
				      "no registration with this ID for this session");
		return 0;
	}
	for (size_t i = 0; i < s->n_regs; i++)
		if (s->regs[i] == reg) {
			s->regs[i] = s->regs[--s->n_regs];
			break;
		}
	remove_callee(d, reg, s);
	return send_new(s, json_pack("[iI]", WD_MSG_UNREGISTERED, (json_int_t)m->id1));
}

/* Length of a wildcard pattern's literal part before its first empty component. */
static size_t literal_prefix(const char *pattern)
{
	const char *p = strstr(pattern, "..");
	if (pattern[0] == '.')
		return 0;
	return p ? (size_t)(p - pattern) + 1 : strlen(pattern);
}

/* The registration a CALL goes to: exact, else the longest matching prefix (by string length,
 * as Crossbar), else the matching wildcard with the longest literal part before its first
 * empty component (spec; Crossbar takes the first it finds). */
static struct wd_registration *lookup(struct wd_dealer *d, const char *uri)
{
	struct wd_registration *best = wd_map_sget(&d->by_uri, uri);
	size_t best_len = 0;
	if (best != NULL)
		return best;
	for (struct wd_map_entry *e = wd_map_first(&d->by_prefix); e != NULL;
	     e = wd_map_next(&d->by_prefix, e)) {
		struct wd_registration *reg = wd_map_val(e);
		size_t n = strlen(reg->uri);
		if ((best == NULL || n > best_len) && wd_uri_match_prefix(reg->uri, uri)) {
			best = reg;
			best_len = n;
		}
	}
	if (best != NULL)
		return best;
	for (struct wd_map_entry *e = wd_map_first(&d->by_wildcard); e != NULL;
	     e = wd_map_next(&d->by_wildcard, e)) {
		struct wd_registration *reg = wd_map_val(e);
		size_t n = literal_prefix(reg->uri);
		if ((best == NULL || n > best_len) && wd_uri_match_wildcard(reg->uri, uri)) {
			best = reg;
			best_len = n;
		}
	}
	return best;
}

/* The callee of a shared registration, by its policy. */
static struct wd_session *pick_callee(struct wd_registration *reg)
{
	switch (reg->invoke) {
	case WD_INVOKE_ROUNDROBIN:
		return reg->callees[reg->next++ % reg->n];
	case WD_INVOKE_RANDOM:
		return reg->callees[randombytes_uniform((uint32_t)reg->n)];
	case WD_INVOKE_LAST:
		return reg->callees[reg->n - 1];
	case WD_INVOKE_SINGLE:
	case WD_INVOKE_FIRST:
		break;
	}
	return reg->callees[0];
}

/* CALL options the dealer reads, in one pass over the dict (most CALLs carry none, and a
 * lookup per key would hash each name for every call). */
struct call_opts {
	json_t *timeout;
	bool receive_progress, disclose_me;
};

static void read_call_opts(json_t *opts, struct call_opts *o)
{
	const char *key;
	size_t n;
	json_t *v;
	json_object_keylen_foreach (opts, key, n, v) {
		if (WD_KEY_IS(key, n, "timeout"))
			o->timeout = v;
		else if (WD_KEY_IS(key, n, "receive_progress"))
			o->receive_progress = json_is_true(v);
		else if (WD_KEY_IS(key, n, "disclose_me"))
			o->disclose_me = json_is_true(v);
	}
}

int wd_dealer_call(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct call_opts o = {0};
	struct wd_registration *reg;
	struct wd_invocation *inv;
	struct wd_session *callee;
	struct wd_head head;
	void *target;
	json_t *details;
	bool disclose = false;
	char text[300];
	/* A procedure this session called before (memo.h) needs no checks or lookup. */
	if (wd_memo_get(&s->call_memo, realm, realm->dealer.epoch, m->uri, &target, &disclose)) {
		reg = target;
	} else {
		if (!wd_realm_check_uri(realm, s, m->uri, WD_MSG_CALL, m->id1, true) ||
		    wd_realm_authorize(realm, s, m, m->uri, WD_ACTION_CALL, WD_MSG_CALL, m->id1,
					true, &disclose) != 1)
			return 0;
		if ((reg = lookup(&realm->dealer, m->uri)) == NULL) {
			snprintf(text, sizeof(text), "no callee registered for procedure <%.200s>",
				 m->uri);
			wd_session_send_error(s, WD_MSG_CALL, m->id1, WD_ERR_NO_SUCH_PROCEDURE,
					      text);
			return 0;
		}
		if (wd_realm_authz_is_static(s))
			wd_memo_put(&s->call_memo, realm, realm->dealer.epoch, m->uri, reg, disclose);
	}
	if (wd_map_get(&s->calls, m->id1) != NULL)
		return WD_EPROTO; /* a request id still in flight was reused */
	read_call_opts(m->dict, &o);
	json_t *timeout = o.timeout;
	if (timeout != NULL && (!json_is_integer(timeout) || json_integer_value(timeout) < 0)) {
		wd_session_send_error(s, WD_MSG_CALL, m->id1, WD_ERR_INVALID_ARGUMENT,
				      "timeout must be a number of milliseconds (0: none)");
		return 0;
	}
	callee = pick_callee(reg);
	if ((inv = inv_new(realm->r)) == NULL)
		return WD_ENOMEM;
	inv->call_request_id = m->id1;
	inv->caller = s;
	inv->callee = callee;
	do
		inv->invocation_id = wd_id_next(&callee->invocation_ids);
	while (wd_map_get(&callee->invocations, inv->invocation_id) != NULL);
	inv->receive_progress = o.receive_progress && callee->callee_progressive_results;
	/* Role disclose.caller and the caller's disclose_me both disclose (DESIGN.md decision 9:
	 * spec behaviour; Crossbar ignores disclose_me). */
	disclose = disclose || o.disclose_me;
	details = NULL; /* {} */
	if (disclose)
		details = json_pack("{sIssss}", "caller", (json_int_t)s->id, "caller_authid",
				    s->authid, "caller_authrole", s->authrole);
	else if (inv->receive_progress || reg->match != WD_MATCH_EXACT)
		details = json_object(); /* filled below */
	if ((disclose || inv->receive_progress || reg->match != WD_MATCH_EXACT) && details == NULL)
		goto fail_inv;
	if (details != NULL && inv->receive_progress)
		json_object_set_new(details, "receive_progress", json_true());
	if (details != NULL && reg->match != WD_MATCH_EXACT) /* spec: pattern callees learn it */
		json_object_set_new(details, "procedure", json_string(m->uri));
	if (wd_map_put(&callee->invocations, inv->invocation_id, inv) < 0)
		goto fail_details;
	if (wd_map_put(&s->calls, m->id1, inv) < 0) {
		wd_map_del(&callee->invocations, inv->invocation_id);
		goto fail_details;
	}
	if (timeout != NULL && json_integer_value(timeout) > 0)
		time_call(realm->r, inv, (uint64_t)json_integer_value(timeout));
	head = (struct wd_head){.ints = {WD_MSG_INVOCATION, inv->invocation_id, reg->id},
				.n_ints = 3,
				.has_dict = true,
				.dict = details};
	wd_session_send_head(callee, &head, m);
	json_decref(details);
	return 0;
fail_details:
	json_decref(details);
fail_inv:
	inv_free(realm->r, inv);
	return WD_ENOMEM;
}

static void finish(struct wd_invocation *inv)
{
	untime(inv->callee->r, inv);
	wd_map_del(&inv->callee->invocations, inv->invocation_id);
	if (inv->caller != NULL)
		wd_map_del(&inv->caller->calls, inv->call_request_id);
	inv_free(inv->callee->r, inv);
}

int wd_dealer_yield(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_invocation *inv = wd_map_get(&s->invocations, m->id1);
	bool progress;
	if (inv == NULL)
		return WD_EPROTO; /* YIELD for a request this callee never got */
	progress = inv->receive_progress && json_is_true(json_object_get(m->dict, "progress"));
	if (inv->caller != NULL) {
		json_t *details = NULL; /* {} */
		struct wd_head head = {.ints = {WD_MSG_RESULT, inv->call_request_id},
				       .n_ints = 2,
				       .has_dict = true};
		if (progress && (details = json_pack("{sb}", "progress", 1)) == NULL)
			return WD_ENOMEM;
		head.dict = details;
		wd_session_send_head(inv->caller, &head, m);
		json_decref(details);
	}
	if (!progress)
		finish(inv);
	return 0;
}

int wd_dealer_cancel(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_invocation *inv = wd_map_get(&s->calls, m->id1);
	const char *mode = option_str(m->dict, "mode", "killnowait");
	(void)realm;
	if (strcmp(mode, "skip") != 0 && strcmp(mode, "kill") != 0 &&
	    strcmp(mode, "killnowait") != 0) {
		wd_session_send_error(s, WD_MSG_CANCEL, m->id1, WD_ERR_INVALID_ARGUMENT,
				      "mode must be \"skip\", \"kill\" or \"killnowait\"");
		return 0;
	}
	if (inv == NULL)
		return 0; /* already answered: the spec says to ignore it */
	if (strcmp(mode, "kill") == 0 && inv->callee->callee_call_canceling) {
		/* The callee answers (normally ERROR wamp.error.canceled) and that answer goes
		 * to the caller as usual. */
		untime(realm->r, inv);
		interrupt(inv, "kill");
		return 0;
	}
	/* skip, killnowait, or a callee that cannot cancel: the caller is answered now. Crossbar
	 * sends nothing for skip (crossbar #1377); the spec answers, and so does wampd. */
	wd_session_send_error(s, WD_MSG_CALL, inv->call_request_id, WD_ERR_CANCELED,
			      "call canceled");
	if (strcmp(mode, "killnowait") == 0)
		interrupt(inv, "killnowait");
	orphan(inv);
	return 0;
}

int wd_dealer_invocation_error(struct wd_realm *realm, struct wd_session *s,
			       const struct wd_msg *m)
{
	struct wd_invocation *inv = wd_map_get(&s->invocations, m->id1);
	(void)realm;
	if (inv == NULL)
		return WD_EPROTO;
	if (inv->caller != NULL) {
		struct wd_head head = {.ints = {WD_MSG_ERROR, WD_MSG_CALL, inv->call_request_id},
				       .n_ints = 3,
				       .has_dict = true,
				       .uri = m->uri};
		wd_session_send_head(inv->caller, &head, m);
	}
	finish(inv);
	return 0;
}

/* Copies a map's values so entries can be removed while walking them. */
static void **values(struct wd_map *map, size_t *n)
{
	void **v;
	size_t i = 0;
	*n = 0;
	if (map->count == 0 || (v = malloc(map->count * sizeof(*v))) == NULL)
		return NULL;
	for (struct wd_map_entry *e = wd_map_first(map); e != NULL; e = wd_map_next(map, e))
		v[i++] = wd_map_val(e);
	*n = i;
	return v;
}

void wd_dealer_detach(struct wd_realm *realm, struct wd_session *s)
{
	size_t n;
	void **v;
	for (size_t i = 0; i < s->n_regs; i++)
		remove_callee(&realm->dealer, s->regs[i], s);
	s->n_regs = 0;

	/* Calls this session was serving: their callers get an error. */
	v = values(&s->invocations, &n);
	for (size_t i = 0; i < n; i++) {
		struct wd_invocation *inv = v[i];
		if (inv->caller != NULL)
			wd_session_send_error(inv->caller, WD_MSG_CALL, inv->call_request_id,
					      WD_ERR_CANCELED,
					      "callee disconnected from in-flight request");
		finish(inv);
	}
	free(v);

	/* Calls this session made: the callee's answer will be dropped; a callee that can
	 * cancel is told to stop (spec "Caller Leaving"). */
	v = values(&s->calls, &n);
	for (size_t i = 0; i < n; i++) {
		struct wd_invocation *inv = v[i];
		orphan(inv);
		interrupt(inv, "killnowait");
	}
	free(v);
}
