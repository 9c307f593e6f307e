/* Bridge lifetime and request dispatch. The router calls in through struct wd_web_ops
 * (router/router.h): bridge/ depends on the router's public session API, never the reverse,
 * and the wampd executable links both and attaches the bridge after wd_router_init. */
#include "bridge/bridge.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge/internal.h"
#include "protocol/error.h"
#include "router/log.h"
#include "router/router.h"

double wd_bridge_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wd_component_stop(struct wd_component *c)
{
	c->stop(c);
}

void wd_component_free(struct wd_component *c)
{
	c->free(c);
}

static void on_request(void *ctx, struct wd_http_req *req)
{
	struct wd_bridge *b = ctx;
	switch (req->svc->type) {
	case WD_SERVICE_NODEINFO:
		wd_nodeinfo_handle(b, req);
		return;
	case WD_SERVICE_STATIC:
		wd_static_handle(b, req);
		return;
	case WD_SERVICE_PUBLISHER:
	case WD_SERVICE_CALLER:
	case WD_SERVICE_WEBHOOK:
		for (size_t i = 0; i < b->n_paths; i++)
			if (b->paths[i]->svc == req->svc) {
				wd_rest_path_handle(b->paths[i], req);
				return;
			}
		break;
	default:
		break;
	}
	wd_http_respond(req, 404, "Content-Type: text/plain; charset=utf-8\r\n",
			"no service at this path\n", 24);
}

static void on_stop(void *ctx)
{
	struct wd_bridge *b = ctx;
	if (b->is_stopping)
		return;
	b->is_stopping = true;
	for (size_t i = 0; i < b->n_paths; i++)
		wd_rest_path_stop(b->paths[i]);
	for (size_t i = 0; i < b->n_components; i++)
		wd_component_stop(b->components[i]);
	if (b->curl != NULL)
		wd_curl_stop(b->curl);
}

static void bridge_free(struct wd_bridge *b)
{
	for (size_t i = 0; i < b->n_components; i++)
		wd_component_free(b->components[i]);
	free(b->components);
	for (size_t i = 0; i < b->n_paths; i++)
		wd_rest_path_free(b->paths[i]);
	free(b->paths);
	wd_curl_free(b->curl);
	free(b);
}

static void on_free(void *ctx)
{
	bridge_free(ctx);
}

static const struct wd_web_ops bridge_ops = {
	.handle = on_request,
	.stop = on_stop,
	.free = on_free,
};

static bool is_rest(enum wd_service_type t)
{
	return t == WD_SERVICE_PUBLISHER || t == WD_SERVICE_CALLER || t == WD_SERVICE_WEBHOOK;
}

int wd_bridge_attach(struct wd_router *r)
{
	const struct wd_config *cfg = r->cfg;
	struct wd_bridge *b;
	size_t n_paths = 0;
	int rc = WD_ENOMEM;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return WD_ENOMEM;
	b->r = r;
	for (size_t i = 0; i < cfg->n_transports; i++)
		for (size_t k = 0; k < cfg->transports[i].n_services; k++)
			n_paths += is_rest(cfg->transports[i].services[k].type);
	if (n_paths > 0 && (b->paths = calloc(n_paths, sizeof(*b->paths))) == NULL)
		goto fail;
	if (cfg->n_components > 0 &&
	    (b->components = calloc(cfg->n_components, sizeof(*b->components))) == NULL)
		goto fail;
	for (size_t i = 0; i < cfg->n_transports; i++)
		for (size_t k = 0; k < cfg->transports[i].n_services; k++) {
			const struct wd_service_cfg *svc = &cfg->transports[i].services[k];
			if (!is_rest(svc->type))
				continue;
			if ((rc = wd_rest_path_new(&b->paths[b->n_paths], b, svc)) < 0)
				goto fail;
			b->n_paths++;
		}
	if (cfg->n_components > 0 && (rc = wd_curl_new(&b->curl, r->loop)) < 0)
		goto fail;
	for (size_t i = 0; i < cfg->n_components; i++) {
		const struct wd_component_cfg *c = &cfg->components[i];
		rc = c->cls == WD_COMPONENT_FORWARDER
			     ? wd_forwarder_new(&b->components[b->n_components], b, c)
			     : wd_callee_new(&b->components[b->n_components], b, c);
		if (rc < 0)
			goto fail;
		b->n_components++;
	}
	r->web = &bridge_ops;
	r->web_ctx = b;
	return 0;
fail:
	/* nothing ran on the loop yet except curl's handles: close them, then free */
	on_stop(b);
	r->web = &bridge_ops; /* daemon.c frees it once the loop has closed the handles */
	r->web_ctx = b;
	return rc;
}
