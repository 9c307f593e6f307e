#include "router/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "protocol/error.h"
#include "router/conn.h"
#include "router/http.h"
#include "router/log.h"
#include "router/router.h"
#include "router/rs.h"

/* At most one line per second about refused connections: a flood of them (say, at the
 * descriptor limit) must not flood the log too. */
#define REFUSED_LOG_MS 1000

static void log_refusal(struct wd_listener *l, const char *why)
{
	uint64_t now = uv_now(l->r->loop);
	if (l->refused_log_ms != 0 && now - l->refused_log_ms < REFUSED_LOG_MS)
		return;
	l->refused_log_ms = now;
	wd_log(WD_LOG_WARN, "router", "%zu connections open; new ones are refused: %s",
	       l->r->n_conns, why);
}

/* True if no descriptor is left. At that point libuv accepts each new connection on a spare
 * descriptor and closes it at once, without telling us, so this is where we learn it. */
static bool descriptors_exhausted(struct wd_listener *l)
{
	uv_os_fd_t own;
	int fd;
	if (uv_fileno((uv_handle_t *)&l->tcp, &own) != 0)
		return false;
	fd = fcntl(own, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EMFILE;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct wd_listener *l = server->data;
	if (status < 0) {
		log_refusal(l, uv_strerror(status));
		return;
	}
	if (l->r->is_stopping)
		return;
	wd_conn_accept(l->r, l, server);
	if (descriptors_exhausted(l))
		log_refusal(l, "the file descriptor limit is reached (until some close)");
}

int wd_listener_start(struct wd_router *r, const struct wd_transport_cfg *t)
{
	struct wd_listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage addr;
	const struct wd_endpoint_cfg *ep = &t->endpoint;
	int rc;
	if (l == NULL)
		return WD_ENOMEM;
	l->r = r;
	l->cfg = t;
	if (ep->version == 6)
		rc = uv_ip6_addr(ep->interface, ep->port, (struct sockaddr_in6 *)&addr);
	else
		rc = uv_ip4_addr(ep->interface, ep->port, (struct sockaddr_in *)&addr);
	if (rc != 0) {
		wd_log(WD_LOG_ERROR, "router", "bad listening address %s: %s", ep->interface,
		       uv_strerror(rc));
		free(l);
		return WD_EINVAL;
	}
	uv_tcp_init(r->loop, &l->tcp);
	l->tcp.data = l;
	l->next = r->listeners;
	r->listeners = l; /* linked first so close_all frees it even if bind fails */
	if ((rc = uv_tcp_bind(&l->tcp, (struct sockaddr *)&addr, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&l->tcp, ep->backlog, on_connection)) != 0) {
		wd_log(WD_LOG_ERROR, "router", "cannot listen on %s:%u: %s", ep->interface,
		       (unsigned)ep->port, uv_strerror(rc));
		return WD_EINVAL;
	}
	wd_log(WD_LOG_INFO, "router", "listening on %s:%u (%s transport)", ep->interface,
	       (unsigned)ep->port,
	       t->type == WD_TRANSPORT_WEB	       ? "web"
	       : t->type == WD_TRANSPORT_RAWSOCKET ? "rawsocket"
						   : "websocket");
	return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
	free(h->data);
}

void wd_listener_close_all(struct wd_router *r)
{
	struct wd_listener *l = r->listeners, *next;
	r->listeners = NULL;
	for (; l != NULL; l = next) {
		next = l->next;
		uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
	}
}

void wd_listener_attach(const struct wd_listener *l, struct wd_conn *c)
{
	if (l->cfg->type == WD_TRANSPORT_RAWSOCKET)
		wd_rs_attach(c, l->cfg);
	else
		wd_http_attach(c, l->cfg);
}
