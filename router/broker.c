#include "router/broker.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/id.h"
#include "protocol/uri.h"
#include "protocol/uris.h"
#include "router/frame.h"
#include "router/realm.h"
#include "router/router.h"
#include "router/session.h"

void wd_broker_init(struct wd_realm *realm)
{
	wd_map_init(&realm->broker.by_uri);
	wd_map_init(&realm->broker.by_prefix);
	wd_map_init(&realm->broker.by_wildcard);
	wd_map_init(&realm->broker.by_id);
}

void wd_broker_deinit(struct wd_realm *realm)
{
	/* Sessions detach before the realm goes, so only the tables are left. */
	wd_map_deinit(&realm->broker.by_uri);
	wd_map_deinit(&realm->broker.by_prefix);
	wd_map_deinit(&realm->broker.by_wildcard);
	wd_map_deinit(&realm->broker.by_id);
}

/* The table that holds subscriptions of a match mode (keyed by their pattern). */
static struct wd_map *table(struct wd_broker *b, enum wd_match match)
{
	return match == WD_MATCH_PREFIX     ? &b->by_prefix
	       : match == WD_MATCH_WILDCARD ? &b->by_wildcard
					    : &b->by_uri;
}

static void sub_free(struct wd_subscription *sub)
{
	free(sub->uri);
	free(sub->subscribers);
	free(sub);
}

static int push(void ***arr, size_t *n, size_t *cap, void *v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		void **p = realloc(*arr, c * sizeof(*p));
		if (p == NULL)
			return WD_ENOMEM;
		*arr = p;
		*cap = c;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

static bool pull(void **arr, size_t *n, void *v)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i] == v) {
			arr[i] = arr[--*n];
			return true;
		}
	return false;
}

static const char *option_str(json_t *opts, const char *key, const char *dflt)
{
	json_t *v = json_object_get(opts, key);
	return json_is_string(v) ? json_string_value(v) : dflt;
}

int wd_broker_subscribe(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_broker *b = &realm->broker;
	struct wd_subscription *sub;
	const char *mode = option_str(m->dict, "match", "exact");
	enum wd_match match;
	json_t *reply;
	if (strcmp(mode, "exact") == 0) {
		match = WD_MATCH_EXACT;
	} else if (strcmp(mode, "prefix") == 0) {
		match = WD_MATCH_PREFIX;
	} else if (strcmp(mode, "wildcard") == 0) {
		match = WD_MATCH_WILDCARD;
	} else {
		wd_session_send_error(s, WD_MSG_SUBSCRIBE, m->id1, WD_ERR_INVALID_ARGUMENT,
				      "match must be \"exact\", \"prefix\" or \"wildcard\"");
		return 0;
	}
	if (!wd_realm_check_pattern(realm, s, m->uri, match, WD_MSG_SUBSCRIBE, m->id1) ||
	    wd_realm_authorize(realm, s, m, m->uri, WD_ACTION_SUBSCRIBE, WD_MSG_SUBSCRIBE, m->id1,
				true, NULL) != 1)
		return 0;
	if ((sub = wd_map_sget(table(b, match), m->uri)) == NULL) {
		if ((sub = calloc(1, sizeof(*sub))) == NULL || (sub->uri = strdup(m->uri)) == NULL)
			goto fail_sub;
		sub->match = match;
		do
			sub->id = wd_id_global(randombytes_buf);
		while (wd_map_get(&b->by_id, sub->id) != NULL);
		if (wd_map_sput(table(b, match), sub->uri, sub) < 0)
			goto fail_sub;
		if (wd_map_put(&b->by_id, sub->id, sub) < 0)
			goto fail_uri;
		b->epoch++;
	}
	/* A repeated SUBSCRIBE from the same session returns the same subscription. */
	bool present = false;
	for (size_t i = 0; i < sub->n && !present; i++)
		present = sub->subscribers[i] == s;
	if (!present) {
		if (push((void ***)&sub->subscribers, &sub->n, &sub->cap, s) < 0)
			return WD_ENOMEM;
		if (push((void ***)&s->subs, &s->n_subs, &s->cap_subs, sub) < 0) {
			pull((void **)sub->subscribers, &sub->n, s);
			return WD_ENOMEM;
		}
	}
	reply = json_pack("[iII]", WD_MSG_SUBSCRIBED, (json_int_t)m->id1, (json_int_t)sub->id);
	if (reply == NULL)
		return WD_ENOMEM;
	wd_session_send(s, reply);
	json_decref(reply);
	return 0;
fail_uri:
	wd_map_sdel(table(b, sub->match), sub->uri);
fail_sub:
	if (sub != NULL)
		sub_free(sub);
	return WD_ENOMEM;
}

static void drop_if_empty(struct wd_broker *b, struct wd_subscription *sub)
{
	if (sub->n > 0)
		return;
	wd_map_sdel(table(b, sub->match), sub->uri);
	wd_map_del(&b->by_id, sub->id);
	sub_free(sub);
	b->epoch++;
}

int wd_broker_unsubscribe(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	struct wd_broker *b = &realm->broker;
	struct wd_subscription *sub = wd_map_get(&b->by_id, m->id2);
	json_t *reply;
	if (sub == NULL || !pull((void **)sub->subscribers, &sub->n, s)) {
		wd_session_send_error(s, WD_MSG_UNSUBSCRIBE, m->id1, WD_ERR_NO_SUCH_SUBSCRIPTION,
				      "no subscription with this ID for this session");
		return 0;
	}
	pull((void **)s->subs, &s->n_subs, sub);
	drop_if_empty(b, sub);
	reply = json_pack("[iI]", WD_MSG_UNSUBSCRIBED, (json_int_t)m->id1);
	if (reply == NULL)
		return WD_ENOMEM;
	wd_session_send(s, reply);
	json_decref(reply);
	return 0;
}

void wd_broker_detach(struct wd_realm *realm, struct wd_session *s)
{
	for (size_t i = 0; i < s->n_subs; i++) {
		pull((void **)s->subs[i]->subscribers, &s->subs[i]->n, s);
		drop_if_empty(&realm->broker, s->subs[i]);
	}
	s->n_subs = 0;
}

/* A black/white listing option's value v: the list when valid, or *bad set. */
static json_t *id_list(json_t *v, bool want_str, bool *bad)
{
	json_t *e;
	size_t i;
	if (!json_is_array(v)) {
		*bad = true;
		return NULL;
	}
	json_array_foreach (v, i, e)
		if (want_str ? !json_is_string(e) : !json_is_integer(e))
			*bad = true;
	return v;
}

static bool has_id(json_t *list, uint64_t id)
{
	json_t *e;
	size_t i;
	json_array_foreach (list, i, e)
		if ((uint64_t)json_integer_value(e) == id)
			return true;
	return false;
}

static bool has_str(json_t *list, const char *str)
{
	json_t *e;
	size_t i;
	json_array_foreach (list, i, e)
		if (strcmp(json_string_value(e), str) == 0)
			return true;
	return false;
}

struct filter {
	json_t *exclude, *exclude_authid, *exclude_authrole;
	json_t *eligible, *eligible_authid, *eligible_authrole;
	struct wd_session *publisher;
	bool exclude_me;
};

/* PUBLISH options, read in one pass over the dict (a lookup per known key would hash each
 * of them for every publication). */
struct pub_opts {
	struct filter f;
	bool ack, disclose_me, bad;
};

static void read_pub_opts(json_t *opts, struct pub_opts *o)
{
	const char *key;
	size_t n;
	json_t *v;
	json_object_keylen_foreach (opts, key, n, v) {
		if (WD_KEY_IS(key, n, "acknowledge"))
			o->ack = json_is_true(v);
		else if (WD_KEY_IS(key, n, "exclude_me") && json_is_boolean(v))
			o->f.exclude_me = json_is_true(v);
		else if (WD_KEY_IS(key, n, "disclose_me"))
			o->disclose_me = json_is_true(v);
		else if (WD_KEY_IS(key, n, "exclude"))
			o->f.exclude = id_list(v, false, &o->bad);
		else if (WD_KEY_IS(key, n, "exclude_authid"))
			o->f.exclude_authid = id_list(v, true, &o->bad);
		else if (WD_KEY_IS(key, n, "exclude_authrole"))
			o->f.exclude_authrole = id_list(v, true, &o->bad);
		else if (WD_KEY_IS(key, n, "eligible"))
			o->f.eligible = id_list(v, false, &o->bad);
		else if (WD_KEY_IS(key, n, "eligible_authid"))
			o->f.eligible_authid = id_list(v, true, &o->bad);
		else if (WD_KEY_IS(key, n, "eligible_authrole"))
			o->f.eligible_authrole = id_list(v, true, &o->bad);
	}
}

/* A receiver must be in every eligible list given and in no exclude list. */
static bool receives(const struct filter *f, const struct wd_session *r)
{
	if (r == f->publisher && f->exclude_me)
		return false;
	if (r->state != WD_SESSION_ESTABLISHED)
		return false;
	if ((f->exclude && has_id(f->exclude, r->id)) ||
	    (f->exclude_authid && has_str(f->exclude_authid, r->authid)) ||
	    (f->exclude_authrole && has_str(f->exclude_authrole, r->authrole)))
		return false;
	if ((f->eligible && !has_id(f->eligible, r->id)) ||
	    (f->eligible_authid && !has_str(f->eligible_authid, r->authid)) ||
	    (f->eligible_authrole && !has_str(f->eligible_authrole, r->authrole)))
		return false;
	return true;
}

/* details: NULL for an empty dict. */
static int dispatch_event(struct wd_subscription *sub, const struct filter *f, uint64_t pub_id,
			  const json_t *details, const struct wd_msg *m)
{
	struct wd_frame_set fs;
	struct wd_head ev = {
		.ints = {WD_MSG_EVENT, sub->id, pub_id}, .n_ints = 3, .has_dict = true, .dict = details};
	if (sub->n == 1) { /* nothing to share: straight into the one subscriber's output */
		if (receives(f, sub->subscribers[0]))
			wd_session_send_head(sub->subscribers[0], &ev, m);
		return 0;
	}
	/* One encoding per serializer for the whole subscription, shared by reference; the
	 * publisher's serializer gets its payload bytes as they came. */
	wd_frame_set_init_head(&fs, &ev, m);
	for (size_t i = 0; i < sub->n; i++) {
		struct wd_session *r = sub->subscribers[i];
		if (receives(f, r))
			wd_session_send_set(r, &fs);
	}
	wd_frame_set_release(&fs);
	return 0;
}

/* Delivers to the prefix and wildcard subscriptions that match m's topic. */
static int dispatch_patterns(struct wd_realm *realm, const struct filter *f, uint64_t pub_id,
			     const json_t *details, const struct wd_msg *m)
{
	struct wd_map *tables[] = {&realm->broker.by_prefix, &realm->broker.by_wildcard};
	json_t *d = details != NULL ? json_deep_copy(details) : json_object();
	int rc = 0;
	if (d == NULL || json_object_set_new(d, "topic", json_string(m->uri)) < 0) {
		json_decref(d);
		return WD_ENOMEM;
	}
	for (size_t t = 0; t < 2 && rc == 0; t++)
		for (struct wd_map_entry *e = wd_map_first(tables[t]); e != NULL && rc == 0;
		     e = wd_map_next(tables[t], e)) {
			struct wd_subscription *sub = wd_map_val(e);
			bool hit = sub->match == WD_MATCH_PREFIX
					   ? wd_uri_match_prefix(sub->uri, m->uri)
					   : wd_uri_match_wildcard(sub->uri, m->uri);
			if (hit)
				rc = dispatch_event(sub, f, pub_id, d, m);
		}
	json_decref(d);
	return rc;
}

int wd_broker_publish(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m)
{
	void *target;
	json_t *details;
	struct pub_opts o = {.f = {.publisher = s, .exclude_me = true}};
	struct filter *f = &o.f;
	bool ack, disclose = false;
	struct wd_subscription *sub;
	uint64_t pub_id;
	int rc = 0;

	read_pub_opts(m->dict, &o);
	ack = o.ack;

	/* A topic this session published to before (memo.h) needs no checks or lookup. */
	if (wd_memo_get(&s->pub_memo, realm, realm->broker.epoch, m->uri, &target, &disclose)) {
		sub = target;
	} else {
		if (!wd_realm_check_uri(realm, s, m->uri, WD_MSG_PUBLISH, m->id1, ack))
			return 0;
		if (!s->is_trusted && strncmp(m->uri, "wamp.", 5) == 0) {
			if (ack)
				wd_session_send_error(s, WD_MSG_PUBLISH, m->id1, WD_ERR_INVALID_URI,
						      "publishing to the reserved namespace 'wamp.' "
						      "is not allowed");
			return 0;
		}
		if (wd_realm_authorize(realm, s, m, m->uri, WD_ACTION_PUBLISH, WD_MSG_PUBLISH,
					m->id1, ack, &disclose) != 1)
			return 0;
		sub = wd_map_sget(&realm->broker.by_uri, m->uri);
		if (wd_realm_authz_is_static(s))
			wd_memo_put(&s->pub_memo, realm, realm->broker.epoch, m->uri, sub, disclose);
	}
	if (o.bad) {
		if (ack)
			wd_session_send_error(s, WD_MSG_PUBLISH, m->id1, WD_ERR_INVALID_ARGUMENT,
					      "exclude/eligible options must be lists of session "
					      "IDs, authids or authroles");
		return 0;
	}
	pub_id = wd_id_pool_global(&realm->ids);
	if (ack) {
		struct wd_head reply = {.ints = {WD_MSG_PUBLISHED, m->id1, pub_id}, .n_ints = 3};
		wd_session_send_head(s, &reply, NULL);
	}
	/* The role's disclose.publisher and the client's disclose_me both disclose (DESIGN.md
	 * decision 9: spec behaviour; Crossbar ignores disclose_me). */
	disclose = disclose || o.disclose_me;
	details = NULL; /* {} */
	if (disclose &&
	    (details = json_pack("{sIssss}", "publisher", (json_int_t)s->id, "publisher_authid",
				 s->authid, "publisher_authrole", s->authrole)) == NULL)
		return WD_ENOMEM;
	/* Once per matching subscription, with the same publication id (spec "Pattern-based
	 * Subscriptions"); pattern subscribers also learn the topic. */
	if (sub != NULL)
		rc = dispatch_event(sub, f, pub_id, details, m);
	if (rc == 0 && (realm->broker.by_prefix.count > 0 || realm->broker.by_wildcard.count > 0))
		rc = dispatch_patterns(realm, f, pub_id, details, m);
	json_decref(details);
	return rc;
}
