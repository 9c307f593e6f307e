/* See authn_dyn.h. An internal caller session talks JSON without framing: wd_session_recv
 * takes the CALL's bytes, and the session's transport send() gets RESULT/ERROR bytes back. */
#include "router/authn_dyn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "protocol/id.h"
#include "protocol/msg.h"
#include "protocol/uris.h"
#include "router/log.h"
#include "router/map.h"
#include "router/realm.h"
#include "router/router.h"
#include "router/session.h"

struct wd_dyn_caller {
	struct wd_session_transport t; /* first: the session's transport points here */
	struct wd_dyn_caller *next;           /* the realm's list */
	struct wd_router *r;
	struct wd_session *s;
	char *authrole;
	struct wd_map calls;           /* request id -> struct wd_dyn_call * */
	struct wd_id_seq ids;
	char peer[32];
	bool is_closed;
};

struct wd_dyn_call {
	uv_timer_t timer;
	struct wd_dyn_caller *caller; /* NULL once detached (answered, cancelled or caller gone) */
	uint64_t request_id;
	wd_dyn_cb *cb;
	void *ud;
	json_t *reply;         /* the RESULT or ERROR array, kept for delivery */
	const char *why;       /* WD_DYN_FAILED reason (static) */
	bool is_delivering;    /* reply or failure stored; the timer delivers it */
	bool is_cancelled;
};

static void on_call_closed(uv_handle_t *h)
{
	struct wd_dyn_call *c = h->data;
	json_decref(c->reply);
	free(c);
}

static void detach(struct wd_dyn_call *c)
{
	if (c->caller != NULL) {
		wd_map_del(&c->caller->calls, c->request_id);
		c->caller = NULL;
	}
}

static void on_deliver(uv_timer_t *t)
{
	struct wd_dyn_call *c = t->data;
	struct wd_dyn_reply rep = {.status = WD_DYN_FAILED, .why = c->why};
	struct wd_msg m;
	detach(c);
	uv_timer_stop(&c->timer);
	if (!c->is_delivering)
		rep.why = "no answer within the timeout";
	else if (c->reply != NULL && wd_msg_parse(c->reply, &m) == 0) {
		if (m.type == WD_MSG_RESULT) {
			rep.status = WD_DYN_RESULT;
			rep.result = json_array_get(m.args, 0);
		} else if (strcmp(m.uri, WD_ERR_NO_SUCH_PROCEDURE) == 0 ||
			   strcmp(m.uri, WD_ERR_CANCELED) == 0 ||
			   strcmp(m.uri, WD_ERR_NOT_AUTHORIZED) == 0 ||
			   strcmp(m.uri, WD_ERR_INVALID_URI) == 0) {
			/* The router's own refusals: nobody answered. */
			rep.why = json_string_value(json_array_get(m.args, 0));
			if (rep.why == NULL)
				rep.why = m.uri;
		} else {
			rep.status = WD_DYN_APP_ERROR;
			rep.uri = m.uri;
			rep.args = m.args;
		}
	}
	if (!c->is_cancelled)
		c->cb(c->ud, &rep);
	uv_close((uv_handle_t *)&c->timer, on_call_closed);
}

/* Stores the outcome and lets the timer deliver it on the next loop turn. */
static void settle(struct wd_dyn_call *c, json_t *reply, const char *why)
{
	if (c->is_delivering)
		return;
	c->is_delivering = true;
	c->reply = reply ? json_incref(reply) : NULL;
	c->why = why;
	detach(c);
	uv_timer_start(&c->timer, on_deliver, 0, 0);
}

static int t_send(struct wd_session_transport *t, struct wd_buf *frame)
{
	struct wd_dyn_caller *cl = (struct wd_dyn_caller *)t;
	json_t *root = NULL;
	struct wd_msg m;
	struct wd_dyn_call *c;
	if (wd_codec_json.decode(frame->data, frame->len, &root) < 0)
		return 0;
	if (wd_msg_parse(root, &m) == 0 &&
	    (m.type == WD_MSG_RESULT || (m.type == WD_MSG_ERROR && m.req_type == WD_MSG_CALL)) &&
	    (c = wd_map_get(&cl->calls, m.id1)) != NULL) {
		/* Progressive results are not asked for, so a RESULT is final. */
		settle(c, root, NULL);
	}
	json_decref(root);
	return 0;
}

static void t_close(struct wd_session_transport *t, int code, const char *reason)
{
	struct wd_dyn_caller *cl = (struct wd_dyn_caller *)t;
	cl->is_closed = true;
	wd_log(WD_LOG_WARN, "authn", "internal caller session (%s) closed: %s", cl->authrole,
	       reason ? reason : "");
}

static struct wd_dyn_caller *caller_get(struct wd_router *r, struct wd_realm *realm, const char *role)
{
	struct wd_dyn_caller *cl;
	for (cl = realm->dyn_callers; cl != NULL; cl = cl->next)
		if (!cl->is_closed && strcmp(cl->authrole, role) == 0)
			return cl;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	if ((cl->authrole = strdup(role)) == NULL)
		goto fail_caller;
	cl->r = r;
	cl->t.send = t_send;
	cl->t.close = t_close;
	cl->t.framing = WD_FRAMING_NONE;
	snprintf(cl->peer, sizeof(cl->peer), "internal");
	cl->t.peer = cl->peer;
	wd_map_init(&cl->calls);
	if ((cl->s = wd_session_new(r, &cl->t, &wd_codec_json)) == NULL)
		goto fail_role;
	if (wd_session_join_internal(cl->s, realm->cfg->name, role, "wampd-service") < 0)
		goto fail_session;
	cl->next = realm->dyn_callers;
	realm->dyn_callers = cl;
	return cl;
fail_session:
	wd_session_free(cl->s);
fail_role:
	free(cl->authrole);
fail_caller:
	free(cl);
	return NULL;
}

int wd_dyn_call(struct wd_router *r, const char *realm_name, const char *authrole,
		const char *procedure, json_t *args, uint64_t timeout_ms, wd_dyn_cb *cb, void *ud,
		struct wd_dyn_call **out)
{
	struct wd_realm *realm = wd_map_sget(&r->realms, realm_name);
	struct wd_dyn_caller *cl;
	struct wd_dyn_call *c;
	json_t *msg;
	char *text;
	if (realm == NULL)
		return WD_ENOTFOUND;
	if ((cl = caller_get(r, realm, authrole)) == NULL)
		return WD_ENOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return WD_ENOMEM;
	c->caller = cl;
	c->cb = cb;
	c->ud = ud;
	c->request_id = wd_id_next(&cl->ids);
	uv_timer_init(r->loop, &c->timer);
	c->timer.data = c;
	if (wd_map_put(&cl->calls, c->request_id, c) < 0) {
		c->caller = NULL;
		c->is_cancelled = true;
		uv_close((uv_handle_t *)&c->timer, on_call_closed);
		return WD_ENOMEM;
	}
	uv_timer_start(&c->timer, on_deliver, timeout_ms, 0);
	*out = c;
	msg = json_pack("[iI{}sO]", WD_MSG_CALL, (json_int_t)c->request_id, procedure, args);
	text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	if (text == NULL) {
		settle(c, NULL, "out of memory");
		return 0;
	}
	wd_session_recv(cl->s, (const uint8_t *)text, strlen(text));
	free(text);
	return 0;
}

void wd_dyn_cancel(struct wd_dyn_call *c)
{
	if (c == NULL || c->is_cancelled)
		return;
	c->is_cancelled = true;
	detach(c);
	if (!c->is_delivering) {
		c->is_delivering = true;
		uv_timer_stop(&c->timer);
		uv_close((uv_handle_t *)&c->timer, on_call_closed);
	}
	/* else: the zero-delay timer is armed; on_deliver closes it without calling cb. */
}

void wd_dyn_realm_free(struct wd_realm *realm)
{
	struct wd_dyn_caller *cl, *next;
	for (cl = realm->dyn_callers; cl != NULL; cl = next) {
		struct wd_map_entry *e;
		next = cl->next;
		/* Calls still waiting lose their caller; their timers fail them later (the loop
		 * has stopped by now in practice, so nothing fires). */
		while ((e = wd_map_first(&cl->calls)) != NULL) {
			struct wd_dyn_call *c = wd_map_val(e);
			detach(c);
		}
		wd_map_deinit(&cl->calls);
		wd_session_free(cl->s);
		free(cl->authrole);
		free(cl);
	}
	realm->dyn_callers = NULL;
}
