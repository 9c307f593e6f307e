/* crossbar.bridge.rest.MessageForwarder: subscribes to each configured topic and turns every
 * event into an HTTP request to the subscription's url with body {"args": [...], "kwargs":
 * {...}} (bridge/rest/subscriber.py). Unlike Crossbar, which logs a failed delivery and drops
 * it, wampd retries with exponential backoff up to max_retries, never blocking the loop, and
 * bounds what waits. Without expectedcode, a delivery succeeds on any 2xx status (Crossbar
 * takes any status). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"
#include "protocol/error.h"
#include "router/log.h"
#include "router/router.h"

/* Deliveries in flight or waiting to be retried, per forwarder. */
#define MAX_DELIVERIES 10000
#define MAX_RETRY_DELAY_MS 60000

struct delivery;

struct forwarder {
	struct wd_component base;
	uint64_t *sub_requests;  /* SUBSCRIBE request id per configured subscription */
	uint64_t *sub_ids;       /* subscription id per configured subscription (0: none yet) */
	struct delivery *deliveries;
	size_t n_deliveries;
	bool is_stopped;
};

struct delivery {
	struct forwarder *f;
	size_t sub;              /* index into cfg->subs */
	char *body;
	size_t body_len;
	uint32_t attempt;
	uv_timer_t timer;        /* retry backoff */
	struct wd_http_call *call;
	struct delivery *prev, *next;
};

static void on_delivery_closed(uv_handle_t *h)
{
	struct delivery *d = h->data;
	free(d->body);
	free(d);
}

static void delivery_done(struct delivery *d)
{
	struct forwarder *f = d->f;
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		f->deliveries = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	f->n_deliveries--;
	if (d->call != NULL)
		wd_curl_cancel(f->base.b->curl, d->call);
	d->call = NULL;
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_delivery_closed);
}

static void send_delivery(struct delivery *d);

static void on_retry(uv_timer_t *t)
{
	send_delivery(t->data);
}

static void on_response(struct wd_http_call *call, void *ud, long status, const char *err,
			const char *body, size_t body_len, json_t *headers)
{
	struct delivery *d = ud;
	struct forwarder *f = d->f;
	const struct wd_component_cfg *cfg = f->base.cfg;
	const char *url = cfg->subs[d->sub].url;
	bool ok = cfg->expected_code > 0 ? status == cfg->expected_code
					 : status >= 200 && status < 300;
	(void)call;
	(void)headers;
	d->call = NULL; /* curl frees it after this callback */
	if (cfg->debug)
		wd_log(WD_LOG_INFO, "bridge", "forwarder: %s answered %ld: %.*s", url, status,
		       (int)(body_len > 200 ? 200 : body_len), body);
	if (ok) {
		delivery_done(d);
		return;
	}
	d->attempt++;
	if (d->attempt > cfg->max_retries) {
		wd_log(WD_LOG_WARN, "bridge",
		       "forwarder: delivery of an event of %s to %s failed (%ld%s%s), dropped after "
		       "%u attempts",
		       cfg->subs[d->sub].topic, url, status, err ? ": " : "", err ? err : "",
		       d->attempt);
		delivery_done(d);
		return;
	}
	{
		uint64_t delay = cfg->retry_delay_ms;
		for (uint32_t i = 1; i < d->attempt && delay < MAX_RETRY_DELAY_MS; i++)
			delay *= 2;
		if (delay > MAX_RETRY_DELAY_MS)
			delay = MAX_RETRY_DELAY_MS;
		wd_log(WD_LOG_WARN, "bridge",
		       "forwarder: delivery to %s failed (status %ld%s%s), retry %u of %u in %" PRIu64
		       " ms",
		       url, status, err ? ": " : "", err ? err : "", d->attempt, cfg->max_retries,
		       delay);
		uv_timer_start(&d->timer, on_retry, delay, 0);
	}
}

static void send_delivery(struct delivery *d)
{
	const struct wd_component_cfg *cfg = d->f->base.cfg;
	struct wd_http_request_spec spec = {
		.method = cfg->method,
		.url = cfg->subs[d->sub].url,
		.body = d->body,
		.body_len = d->body_len,
		.content_type = "application/json",
		.timeout_ms = cfg->timeout_ms,
	};
	if (wd_curl_start(d->f->base.b->curl, &spec, on_response, d, &d->call) < 0) {
		wd_log(WD_LOG_WARN, "bridge", "forwarder: cannot start a request to %s", spec.url);
		delivery_done(d);
	}
}

static void forward(struct forwarder *f, size_t sub, const struct wd_msg *m)
{
	struct delivery *d;
	json_t *o;
	if (f->n_deliveries >= MAX_DELIVERIES) {
		wd_log(WD_LOG_WARN, "bridge",
		       "forwarder: %zu deliveries waiting, event for %s dropped", f->n_deliveries,
		       f->base.cfg->subs[sub].url);
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return;
	o = json_object();
	json_object_set_new(o, "args", m->args ? json_incref(m->args) : json_array());
	json_object_set_new(o, "kwargs", m->kwargs ? json_incref(m->kwargs) : json_object());
	/* json.dumps(..., separators=(',', ':'), ensure_ascii=False) */
	d->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (d->body == NULL) {
		free(d);
		return;
	}
	d->body_len = strlen(d->body);
	d->f = f;
	d->sub = sub;
	uv_timer_init(f->base.b->r->loop, &d->timer);
	d->timer.data = d;
	d->next = f->deliveries;
	if (f->deliveries != NULL)
		f->deliveries->prev = d;
	f->deliveries = d;
	f->n_deliveries++;
	send_delivery(d);
}

static void on_router_msg(struct wd_link *l, const struct wd_msg *m)
{
	struct forwarder *f = l->owner;
	const struct wd_component_cfg *cfg = f->base.cfg;
	if (f->is_stopped)
		return;
	for (size_t i = 0; i < cfg->n_subs; i++) {
		if (m->type == WD_MSG_SUBSCRIBED && m->id1 == f->sub_requests[i]) {
			f->sub_ids[i] = m->id2;
			wd_log(WD_LOG_INFO, "bridge", "forwarder: %s -> %s", cfg->subs[i].topic,
			       cfg->subs[i].url);
		} else if (m->type == WD_MSG_ERROR && m->req_type == WD_MSG_SUBSCRIBE &&
			   m->id1 == f->sub_requests[i]) {
			wd_log(WD_LOG_ERROR, "bridge", "forwarder: cannot subscribe to %s: %s",
			       cfg->subs[i].topic, m->uri);
		} else if (m->type == WD_MSG_EVENT && f->sub_ids[i] == m->id1) {
			forward(f, i, m);
		}
	}
}

static void forwarder_stop(struct wd_component *c)
{
	struct forwarder *f = (struct forwarder *)c;
	f->is_stopped = true;
	while (f->deliveries != NULL)
		delivery_done(f->deliveries);
}

static void forwarder_free(struct wd_component *c)
{
	struct forwarder *f = (struct forwarder *)c;
	wd_link_close(&f->base.link);
	free(f->sub_requests);
	free(f->sub_ids);
	free(f);
}

int wd_forwarder_new(struct wd_component **out, struct wd_bridge *b,
		     const struct wd_component_cfg *cfg)
{
	struct forwarder *f = calloc(1, sizeof(*f));
	int rc;
	if (f == NULL)
		return WD_ENOMEM;
	f->base.cfg = cfg;
	f->base.b = b;
	f->base.stop = forwarder_stop;
	f->base.free = forwarder_free;
	f->sub_requests = calloc(cfg->n_subs, sizeof(uint64_t));
	f->sub_ids = calloc(cfg->n_subs, sizeof(uint64_t));
	if (f->sub_requests == NULL || f->sub_ids == NULL) {
		forwarder_free(&f->base);
		return WD_ENOMEM;
	}
	if ((rc = wd_link_open(&f->base.link, b->r, cfg->realm, cfg->role, "MessageForwarder",
			       on_router_msg, f)) < 0) {
		wd_log(WD_LOG_ERROR, "bridge", "MessageForwarder: cannot join realm %s: %s",
		       cfg->realm, rc == WD_ENOTFOUND ? "no such realm" : wd_strerror(rc));
		forwarder_free(&f->base);
		return rc;
	}
	for (size_t i = 0; i < cfg->n_subs; i++) {
		static const char *const match[] = {"exact", "prefix", "wildcard"};
		json_t *opts = cfg->subs[i].match == WD_MATCH_EXACT
				       ? json_object()
				       : json_pack("{ss}", "match", match[cfg->subs[i].match]);
		json_t *msg;
		f->sub_requests[i] = wd_link_request_id(&f->base.link);
		msg = json_pack("[iIos]", WD_MSG_SUBSCRIBE, (json_int_t)f->sub_requests[i], opts,
				cfg->subs[i].topic);
		if (msg != NULL)
			wd_link_send(&f->base.link, msg);
		json_decref(msg);
	}
	*out = &f->base;
	return 0;
}
