#include "router/ws.h"

#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "protocol/error.h"
#include "router/conn.h"
#include "router/log.h"
#include "router/router.h"
#include "router/session.h"

/* Without close_handshake_timeout we still bound how long a peer may take to answer our
 * close frame, so a vanished peer cannot pin the connection. */
#define DEFAULT_CLOSE_GRACE_MS 2000

struct ws {
	struct wd_session_transport t; /* first: the session's transport points here */
	struct wd_conn *c;
	wslay_event_context_ptr ctx;
	const struct wd_service_cfg *svc;
	struct wd_session *session;
	const uint8_t *in;
	size_t in_len, in_off;
	uint64_t last_rx_ms;
	bool ping_outstanding;
	bool is_closed; /* close frame queued: no more data frames */
};

static ssize_t ws_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
	struct ws *w = ud;
	size_t left = w->in_len - w->in_off, n;
	(void)flags;
	if (left == 0) { /* this uv read is used up */
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	n = left < len ? left : len;
	memcpy(buf, w->in + w->in_off, n);
	w->in_off += n;
	return (ssize_t)n;
}

/* wslay writes its own control frames (pong, close) through here: a few bytes each, copied
 * into a fresh buffer on the same queue as the data frames. */
static ssize_t ws_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
		       void *ud)
{
	struct ws *w = ud;
	struct wd_buf *b = wd_buf_from(data, len);
	(void)flags;
	if (b == NULL) {
		wslay_event_set_error(ctx, WSLAY_ERR_NOMEM);
		return -1;
	}
	if (wd_conn_send(w->c, b) == WD_ETOOBIG)
		wd_conn_close(w->c, "slow consumer");
	wd_buf_unref(b);
	return (ssize_t)len;
}

static void ws_flush_wslay(struct ws *w)
{
	if (wslay_event_want_write(w->ctx) && wslay_event_send(w->ctx) != 0)
		wd_conn_close(w->c, "WebSocket send failed");
}

static void close_ws(struct ws *w, int code, const char *reason)
{
	uint64_t grace = w->svc->ws.close_handshake_timeout_ms;
	if (w->is_closed)
		return;
	w->is_closed = true;
	if (w->session != NULL && w->session->state != WD_SESSION_CLOSED)
		w->session->state = WD_SESSION_CLOSED;
	wslay_event_queue_close(w->ctx, (uint16_t)code, (const uint8_t *)reason,
				reason ? strlen(reason) : 0);
	ws_flush_wslay(w);
	/* RFC 6455 lets the server drop TCP first once its close frame is out. */
	wd_conn_close_after_flush(w->c, reason ? reason : "WebSocket close",
				  grace ? grace : DEFAULT_CLOSE_GRACE_MS);
}

static void on_msg_recv(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
			void *ud)
{
	struct ws *w = ud;
	(void)ctx;
	switch (arg->opcode) {
	case WSLAY_TEXT_FRAME:
	case WSLAY_BINARY_FRAME:
		if (!w->is_closed && w->session != NULL)
			wd_session_recv(w->session, arg->msg, arg->msg_length);
		break;
	case WSLAY_CONNECTION_CLOSE:
		/* wslay has queued its reply; close once it is written. */
		if (w->session != NULL)
			w->session->state = WD_SESSION_CLOSED;
		w->is_closed = true;
		break;
	default: /* ping is answered by wslay; any pong clears the heartbeat */
		break;
	}
}

static void on_frame_start(wslay_event_context_ptr ctx,
			  const struct wslay_event_on_frame_recv_start_arg *arg, void *ud)
{
	struct ws *w = ud;
	(void)ctx;
	if (w->svc->ws.max_frame_size > 0 && arg->payload_length > w->svc->ws.max_frame_size) {
		wd_log(WD_LOG_INFO, "ws", "conn %" PRIu64 " (%s): frame of %" PRIu64
		       " bytes over max_frame_size", w->c->id, w->c->peer, arg->payload_length);
		close_ws(w, WSLAY_CODE_MESSAGE_TOO_BIG, "frame too big");
	}
}

static const struct wslay_event_callbacks ws_callbacks = {
	.recv_callback = ws_recv,
	.send_callback = ws_send,
	.on_frame_recv_start_callback = on_frame_start,
	.on_msg_recv_callback = on_msg_recv,
};

static void arm_ping(struct ws *w)
{
	const struct wd_ws_options *o = &w->svc->ws;
	if (o->auto_ping_interval_ms > 0)
		wd_conn_set_timer(w->c, w->ping_outstanding && o->auto_ping_timeout_ms
						? o->auto_ping_timeout_ms
						: o->auto_ping_interval_ms);
}

static void on_ws_data(struct wd_conn *c, const uint8_t *data, size_t len)
{
	struct ws *w = c->proto_data;
	int rc;
	w->in = data;
	w->in_len = len;
	w->in_off = 0;
	w->last_rx_ms = uv_now(c->r->loop);
	if (w->ping_outstanding) { /* any traffic proves the peer alive (Crossbar's default) */
		w->ping_outstanding = false;
		arm_ping(w);
	}
	rc = wslay_event_recv(w->ctx);
	w->in = NULL;
	if (c->is_closing)
		return;
	if (rc != 0) {
		wd_log(WD_LOG_INFO, "ws", "conn %" PRIu64 " (%s): WebSocket error %d", c->id, c->peer,
		       rc);
		if (w->session != NULL)
			w->session->state = WD_SESSION_CLOSED;
		wd_conn_close(c, "WebSocket protocol error");
		return;
	}
	ws_flush_wslay(w);
	if (c->is_closing)
		return;
	if (!wslay_event_want_read(w->ctx)) {
		/* A close frame was exchanged (or wslay failed the connection, e.g. 1009 for
		 * max_message_size): drop TCP once the reply is out. */
		w->is_closed = true;
		if (w->session != NULL)
			w->session->state = WD_SESSION_CLOSED;
		wd_conn_close_after_flush(c, "WebSocket closed", DEFAULT_CLOSE_GRACE_MS);
	}
}

static void on_ws_timer(struct wd_conn *c)
{
	struct ws *w = c->proto_data;
	const struct wd_ws_options *o = &w->svc->ws;
	uint8_t payload[125];
	uint64_t now = uv_now(c->r->loop);
	if (w->ping_outstanding) {
		wd_log(WD_LOG_INFO, "ws", "conn %" PRIu64 " (%s): no pong within %u ms", c->id,
		       c->peer, (unsigned)o->auto_ping_timeout_ms);
		close_ws(w, 1000, "ping timeout");
		return;
	}
	if (now - w->last_rx_ms < o->auto_ping_interval_ms) { /* traffic restarts the interval */
		wd_conn_set_timer(c, o->auto_ping_interval_ms - (now - w->last_rx_ms));
		return;
	}
	size_t n = o->auto_ping_size <= sizeof(payload) ? o->auto_ping_size : sizeof(payload);
	for (size_t i = 0; i < n; i++)
		payload[i] = (uint8_t)(now >> ((i % 8) * 8)) ^ (uint8_t)i;
	struct wslay_event_msg msg = {.opcode = WSLAY_PING, .msg = payload, .msg_length = n};
	wslay_event_queue_msg(w->ctx, &msg);
	ws_flush_wslay(w);
	w->ping_outstanding = o->auto_ping_timeout_ms > 0;
	arm_ping(w);
}

static void on_ws_shutdown(struct wd_conn *c)
{
	struct ws *w = c->proto_data;
	if (w->session != NULL)
		wd_session_shutdown(w->session);
	close_ws(w, 1001, "router shutting down");
}

static void on_ws_free(struct wd_conn *c)
{
	struct ws *w = c->proto_data;
	if (w == NULL)
		return;
	if (w->session != NULL)
		wd_session_free(w->session);
	wslay_event_context_free(w->ctx);
	free(w);
	c->proto_data = NULL;
}

static const struct wd_conn_proto ws_proto = {
	.on_data = on_ws_data,
	.on_free = on_ws_free,
	.on_timer = on_ws_timer,
	.on_shutdown = on_ws_shutdown,
};

static int t_send(struct wd_session_transport *t, struct wd_buf *frame)
{
	struct ws *w = (struct ws *)t;
	int rc;
	if (w->is_closed)
		return WD_ECLOSED;
	if ((rc = wd_conn_send(w->c, frame)) == WD_ETOOBIG) {
		/* Slow consumer: drop what it has not started to receive and say 1008 (policy
		 * violation); if it does not read that either, the grace timer drops TCP. */
		wd_conn_discard_queued(w->c);
		close_ws(w, WSLAY_CODE_POLICY_VIOLATION, "slow consumer");
	}
	return rc;
}

static void t_close(struct wd_session_transport *t, int code, const char *reason)
{
	close_ws((struct ws *)t, code, reason);
}

int wd_ws_start(struct wd_conn *c, const struct wd_service_cfg *svc, const struct wd_codec *codec,
		const uint8_t *rest, size_t len)
{
	struct ws *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return WD_ENOMEM;
	if (wslay_event_context_server_init(&w->ctx, &ws_callbacks, w) != 0) {
		free(w);
		return WD_ENOMEM;
	}
	if (svc->ws.max_message_size > 0)
		wslay_event_config_set_max_recv_msg_length(w->ctx, svc->ws.max_message_size);
	w->c = c;
	w->svc = svc;
	w->t.send = t_send;
	w->t.close = t_close;
	w->t.framing = WD_FRAMING_WS;
	w->t.peer = c->peer;
	w->last_rx_ms = uv_now(c->r->loop);
	if ((w->session = wd_session_new(c->r, &w->t, codec)) == NULL) {
		wslay_event_context_free(w->ctx);
		free(w);
		return WD_ENOMEM;
	}
	wd_session_set_auth(w->session, &svc->auth);
	c->proto = &ws_proto;
	c->proto_data = w;
	wd_conn_set_timer(c, 0);
	arm_ping(w);
	if (len > 0)
		on_ws_data(c, rest, len);
	return 0;
}
