/* A publisher, caller or webhook path: one internal session of its realm (authrole = the
 * path's role, as Crossbar's _create_resource), the request checks, and the requests waiting
 * for the router's answer (PUBLISHED, RESULT or ERROR), keyed by WAMP request id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"
#include "protocol/error.h"
#include "router/log.h"
#include "router/router.h"

/* Signed requests remembered per path for replay protection. */
#define REPLAY_MAX_ENTRIES 65536

static void on_pending_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Forgets p: out of the map, timer closed, freed (from the timer's close callback). */
static void pending_free(struct wd_pending *p)
{
	wd_map_del(&p->path->pending, p->request_id);
	if (p->req != NULL) {
		p->req->on_abort = NULL;
		p->req->service_data = NULL;
		p->req = NULL;
	}
	if (p->has_timer) {
		uv_timer_stop(&p->timer);
		uv_close((uv_handle_t *)&p->timer, on_pending_closed);
	} else {
		free(p);
	}
}

static void on_abort(struct wd_http_req *req)
{
	struct wd_pending *p = req->service_data;
	wd_log(WD_LOG_DEBUG, "bridge", "%s: client left before request %" PRIu64 " was answered",
	       p->path->link.name, p->request_id);
	p->req = NULL; /* req is being freed */
	pending_free(p);
}

static void on_timeout(uv_timer_t *t)
{
	struct wd_pending *p = t->data;
	struct wd_rest_path *path = p->path;
	uint32_t ms = (uint32_t)uv_timer_get_repeat(t);
	json_t *cancel;
	wd_log(WD_LOG_INFO, "bridge", "%s: call %" PRIu64 " timed out", path->link.name,
	       p->request_id);
	if (p->req != NULL) {
		struct wd_http_req *req = p->req;
		p->req->on_abort = NULL;
		p->req = NULL;
		wd_caller_timed_out(req, ms);
	}
	/* The dealer may learn to cancel; until then the late RESULT is dropped here. */
	cancel = json_pack("[iI{ss}]", WD_MSG_CANCEL, (json_int_t)p->request_id, "mode",
			   "killnowait");
	pending_free(p);
	if (cancel != NULL) {
		wd_link_send(&path->link, cancel);
		json_decref(cancel);
	}
}

static void on_router_msg(struct wd_link *l, const struct wd_msg *m)
{
	struct wd_rest_path *path = l->owner;
	struct wd_pending *p;
	struct wd_http_req *req;
	uint64_t id;
	switch (m->type) {
	case WD_MSG_PUBLISHED:
	case WD_MSG_RESULT:
	case WD_MSG_ERROR:
		id = m->id1;
		break;
	default:
		return; /* nothing else is expected by a caller/publisher session */
	}
	if ((p = wd_map_get(&path->pending, id)) == NULL)
		return; /* abandoned or timed out */
	req = p->req;
	pending_free(p);
	if (req == NULL)
		return;
	switch (path->svc->type) {
	case WD_SERVICE_PUBLISHER:
		wd_publisher_reply(req, m);
		break;
	case WD_SERVICE_CALLER:
		wd_caller_reply(req, m);
		break;
	default:
		wd_webhook_reply(req, &path->svc->rest, m);
		break;
	}
}

int wd_rest_path_new(struct wd_rest_path **out, struct wd_bridge *b,
		     const struct wd_service_cfg *svc)
{
	const struct wd_rest_cfg *cfg = &svc->rest;
	struct wd_rest_path *p;
	char name[96];
	int rc = WD_ENOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto fail;
	p->b = b;
	p->svc = svc;
	wd_map_init(&p->pending);
	if (cfg->n_require_ip > 0) {
		if ((p->nets = calloc(cfg->n_require_ip, sizeof(*p->nets))) == NULL)
			goto fail_path;
		for (size_t i = 0; i < cfg->n_require_ip; i++)
			if (wd_ipnet_parse(cfg->require_ip[i], &p->nets[i]) < 0) {
				rc = WD_EINVAL;
				goto fail_path;
			}
		p->n_nets = cfg->n_require_ip;
	}
	if (cfg->secret != NULL && (rc = wd_replay_init(&p->replay, REPLAY_MAX_ENTRIES)) < 0)
		goto fail_path;
	snprintf(name, sizeof(name), "bridge /%s", strcmp(svc->path, "/") == 0 ? "" : svc->path);
	if ((rc = wd_link_open(&p->link, b->r, cfg->realm, cfg->role, name, on_router_msg, p)) <
	    0) {
		wd_log(WD_LOG_ERROR, "bridge", "%s: cannot join realm %s: %s", name, cfg->realm,
		       rc == WD_ENOTFOUND ? "no such realm" : wd_strerror(rc));
		goto fail_replay;
	}
	*out = p;
	return 0;
fail_replay:
	wd_replay_deinit(&p->replay);
fail_path:
	free(p->nets);
	wd_map_deinit(&p->pending);
	free(p);
fail:
	return rc;
}

void wd_rest_path_handle(struct wd_rest_path *path, struct wd_http_req *req)
{
	const struct wd_rest_cfg *cfg = &path->svc->rest;
	enum wd_service_type type = path->svc->type;
	struct wd_rest_request in = {0};
	struct wd_rest_verdict v;
	struct wd_pending *p;
	json_t *msg;
	uint32_t timeout_ms = 0;

	in.method = req->method;
	in.content_type = wd_http_header(req, "content-type");
	in.n_content_length = wd_http_header_count(req, "content-length");
	in.content_length = wd_http_header(req, "content-length");
	in.body = req->body;
	in.body_len = req->body_len;
	in.body_truncated = req->body_truncated;
	in.body_bound = WD_HTTP_DEFAULT_BODY_LIMIT;
	in.query = req->query;
	in.peer_ip = req->peer_ip;
	in.is_tls = req->is_tls;
	in.x_hub_signature = wd_http_header(req, "x-hub-signature");
	in.decode_as_json = type != WD_SERVICE_WEBHOOK;
	in.required_key = type == WD_SERVICE_PUBLISHER ? "topic"
			  : type == WD_SERVICE_CALLER  ? "procedure"
						       : NULL;
	in.now = wd_bridge_now();
	in.cfg = cfg;
	in.nets = path->nets;
	in.n_nets = path->n_nets;
	in.replay = cfg->secret != NULL ? &path->replay : NULL;
	wd_rest_check(&in, &v);
	if (v.outcome == WD_REST_OPTIONS) {
		wd_reply_raw(req, 200,
			     "Allow: POST,PUT,OPTIONS\r\n"
			     "Access-Control-Allow-Methods: POST,PUT,OPTIONS\r\n",
			     "");
		return;
	}
	if (v.outcome == WD_REST_DENY) {
		if (cfg->debug || wd_log_enabled(WD_LOG_DEBUG))
			wd_log(cfg->debug ? WD_LOG_INFO : WD_LOG_DEBUG, "bridge", "%s: %d %s",
			       path->link.name, v.status, v.error);
		wd_reply_deny(req, v.status, v.error);
		return;
	}
	if (path->link.is_closed) {
		json_decref(v.json);
		wd_reply_internal(req);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		json_decref(v.json);
		wd_reply_internal(req);
		return;
	}
	p->path = path;
	p->request_id = wd_link_request_id(&path->link);
	if (type == WD_SERVICE_PUBLISHER)
		msg = wd_publisher_message(v.json, p->request_id);
	else if (type == WD_SERVICE_CALLER)
		msg = wd_caller_message(v.json, p->request_id);
	else
		msg = wd_webhook_message(req, cfg, p->request_id);
	if (type == WD_SERVICE_CALLER)
		timeout_ms = wd_caller_timeout_ms(v.json, cfg);
	json_decref(v.json);
	if (msg == NULL || wd_map_put(&path->pending, p->request_id, p) < 0) {
		json_decref(msg);
		free(p);
		wd_reply_internal(req);
		return;
	}
	p->req = req;
	req->on_abort = on_abort;
	req->service_data = p;
	if (timeout_ms > 0) {
		uv_timer_init(path->b->r->loop, &p->timer);
		p->timer.data = p;
		p->has_timer = true;
		uv_timer_start(&p->timer, on_timeout, timeout_ms, timeout_ms);
	}
	/* The answer may come back inside this call (PUBLISHED, an ERROR, a local callee):
	 * p must not be touched afterwards. */
	if (wd_link_send(&path->link, msg) < 0 && wd_map_get(&path->pending, p->request_id) == p) {
		pending_free(p);
		wd_reply_internal(req);
	}
	json_decref(msg);
}

void wd_rest_path_stop(struct wd_rest_path *path)
{
	struct wd_pending **all;
	size_t n = 0, cap = path->pending.count;
	struct wd_map_entry *e;
	if (cap == 0)
		return;
	if ((all = calloc(cap, sizeof(*all))) == NULL)
		return;
	for (e = wd_map_first(&path->pending); e != NULL && n < cap;
	     e = wd_map_next(&path->pending, e))
		all[n++] = wd_map_val(e);
	for (size_t i = 0; i < n; i++) {
		struct wd_http_req *req = all[i]->req;
		pending_free(all[i]);
		if (req != NULL)
			wd_reply_deny(req, 503, "wampd is shutting down.");
	}
	free(all);
}

void wd_rest_path_free(struct wd_rest_path *path)
{
	if (path == NULL)
		return;
	wd_link_close(&path->link);
	wd_map_deinit(&path->pending);
	if (path->svc->rest.secret != NULL)
		wd_replay_deinit(&path->replay);
	free(path->nets);
	free(path);
}
