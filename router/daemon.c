/* Router lifetime: build realms, listen, flush output once per loop turn, shut down in
 * order (GOODBYE sessions, close listeners, close connections, stop). */
#include "router/router.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "router/conn.h"
#include "router/dealer.h"
#include "router/listener.h"
#include "router/log.h"
#include "router/realm.h"

/* Output a connection may queue before it counts as a slow consumer. */
#define DEFAULT_MAX_QUEUED_BYTES (16u << 20)
/* How long sessions get to receive their GOODBYE before connections are dropped. */
#define SHUTDOWN_GRACE_MS 2000

static void on_prepare(uv_prepare_t *p)
{
	wd_conn_flush_all(p->data);
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct wd_router *r = sig->data;
	wd_log(WD_LOG_INFO, "router", "signal %d received, shutting down", signum);
	wd_router_stop(r);
}

int wd_router_init(struct wd_router *r, uv_loop_t *loop, const struct wd_config *cfg)
{
	int rc;
	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->cfg = cfg;
	r->max_queued_bytes = DEFAULT_MAX_QUEUED_BYTES;
	r->started_ms = uv_now(loop);
	wd_map_init(&r->realms);
	wd_map_init(&r->sessions);
	if ((rc = wd_framer_init(&r->framer)) < 0)
		return rc;
	for (size_t i = 0; i < cfg->n_realms; i++) {
		struct wd_realm *realm;
		if ((rc = wd_realm_new(&realm, r, &cfg->realms[i])) < 0)
			return rc;
		if ((rc = wd_map_sput(&r->realms, cfg->realms[i].name, realm)) < 0) {
			wd_realm_free(realm);
			return rc;
		}
		wd_log(WD_LOG_INFO, "router", "realm %s started", cfg->realms[i].name);
	}
	uv_prepare_init(loop, &r->flush);
	r->flush.data = r;
	uv_prepare_start(&r->flush, on_prepare);
	uv_signal_init(loop, &r->sigint);
	uv_signal_init(loop, &r->sigterm);
	r->sigint.data = r->sigterm.data = r;
	uv_signal_start(&r->sigint, on_signal, SIGINT);
	uv_signal_start(&r->sigterm, on_signal, SIGTERM);
	uv_timer_init(loop, &r->shutdown_timer);
	r->shutdown_timer.data = r;
	uv_timer_init(loop, &r->call_timer);
	r->call_timer.data = r;
	for (size_t i = 0; i < cfg->n_transports; i++)
		if ((rc = wd_listener_start(r, &cfg->transports[i])) < 0)
			return rc;
	return 0;
}

/* Ticks during shutdown: drops connections left after the grace period, and closes the
 * router's own handles once no connection is left, which lets uv_run return. */
static void on_shutdown_tick(uv_timer_t *t)
{
	struct wd_router *r = t->data;
	if (r->conns == NULL) {
		uv_close((uv_handle_t *)&r->flush, NULL);
		uv_close((uv_handle_t *)&r->sigint, NULL);
		uv_close((uv_handle_t *)&r->sigterm, NULL);
		uv_close((uv_handle_t *)&r->shutdown_timer, NULL);
		uv_close((uv_handle_t *)&r->call_timer, NULL);
		return;
	}
	if (uv_now(r->loop) >= r->stop_deadline_ms)
		for (struct wd_conn *c = r->conns; c != NULL; c = c->next)
			wd_conn_close(c, "shutdown grace period over");
}

void wd_router_stop(struct wd_router *r)
{
	struct wd_conn *c, *next;
	if (r->is_stopping)
		return;
	r->is_stopping = true;
	wd_listener_close_all(r);
	if (r->web != NULL)
		r->web->stop(r->web_ctx);
	for (c = r->conns; c != NULL; c = next) {
		next = c->next;
		if (c->proto != NULL && c->proto->on_shutdown != NULL)
			c->proto->on_shutdown(c);
		else
			wd_conn_close(c, "router shutting down");
	}
	r->stop_deadline_ms = uv_now(r->loop) + SHUTDOWN_GRACE_MS;
	uv_timer_start(&r->shutdown_timer, on_shutdown_tick, 0, 20);
}

void wd_router_deinit(struct wd_router *r)
{
	/* Bridge sessions leave their realms before the realms go. */
	if (r->web != NULL)
		r->web->free(r->web_ctx);
	r->web = NULL;
	for (struct wd_map_entry *e = wd_map_first(&r->realms); e != NULL;
	     e = wd_map_next(&r->realms, e))
		wd_realm_free(wd_map_val(e));
	wd_map_deinit(&r->realms);
	wd_dealer_free_spares(r);
	wd_map_deinit(&r->sessions);
	wd_framer_deinit(&r->framer);
	wd_envelope_deinit(&r->envelope);
}
