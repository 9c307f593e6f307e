#include "router/ws.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "protocol/ws_parser.h"
#include "router/conn.h"
#include "router/log.h"
#include "router/router.h"
#include "router/session.h"

/* Without close_handshake_timeout we still bound how long a peer may take to answer our
 * close frame, so a vanished peer cannot pin the connection. */
#define DEFAULT_CLOSE_GRACE_MS 2000
/* With max_message_size unset (Crossbar: unlimited) one peer could still make us assemble a
 * fragmented message without end; 64 MiB is the largest value Crossbar's checker accepts. */
#define HARD_MAX_MESSAGE (64u << 20)

struct ws {
	struct wd_session_transport t; /* first: the session's transport points here */
	struct wd_conn *c;
	const struct wd_service_cfg *svc;
	struct wd_session *session;
	/* Frames are parsed in place in the read buffer; only a partial frame or a fragmented
	 * message is assembled, so an idle connection holds no input buffer. */
	struct wd_ws_parser parser;
	uint64_t last_rx_ms;
	bool ping_outstanding;
	bool is_closed; /* close frame queued: no more data frames */
};

/* Queues one control frame (close, ping, pong) built by the router's framer. */
static void send_control(struct ws *w, uint8_t opcode, const uint8_t *payload, size_t len)
{
	struct wd_buf *b = wd_frame_ws_raw(&w->c->r->framer, opcode, payload, len);
	if (b == NULL) {
		wd_conn_close(w->c, "out of memory");
		return;
	}
	if (wd_conn_send(w->c, b) == WD_ETOOBIG)
		wd_conn_close(w->c, "slow consumer");
	wd_buf_unref(b);
}

static void close_ws(struct ws *w, int code, const char *reason)
{
	uint64_t grace = w->svc->ws.close_handshake_timeout_ms;
	uint8_t body[125];
	size_t n = reason ? strlen(reason) : 0;
	if (w->is_closed)
		return;
	w->is_closed = true;
	if (w->session != NULL && w->session->state != WD_SESSION_CLOSED)
		w->session->state = WD_SESSION_CLOSED;
	if (n > sizeof(body) - 2)
		n = sizeof(body) - 2;
	body[0] = (uint8_t)(code >> 8);
	body[1] = (uint8_t)code;
	if (n > 0)
		memcpy(body + 2, reason, n);
	send_control(w, WD_WS_OP_CLOSE, body, n + 2);
	/* RFC 6455 lets the server drop TCP first once its close frame is out. */
	wd_conn_close_after_flush(w->c, reason ? reason : "WebSocket close",
				  grace ? grace : DEFAULT_CLOSE_GRACE_MS);
}

static void arm_ping(struct ws *w)
{
	const struct wd_ws_options *o = &w->svc->ws;
	if (o->auto_ping_interval_ms > 0)
		wd_conn_set_timer(w->c, w->ping_outstanding && o->auto_ping_timeout_ms
						? o->auto_ping_timeout_ms
						: o->auto_ping_interval_ms);
}

/* One parsed frame or message. */
static void handle(struct ws *w, const struct wd_ws_out *out)
{
	switch (out->kind) {
	case WD_WS_MESSAGE:
		/* Text carries json, binary msgpack; the session's codec decides either way. */
		if (!w->is_closed && w->session != NULL)
			wd_session_recv(w->session, out->data, out->len);
		break;
	case WD_WS_PING:
		if (!w->is_closed)
			send_control(w, WD_WS_OP_PONG, out->data, out->len);
		break;
	case WD_WS_CLOSE:
		/* Answer with the peer's code (RFC 6455 5.5.1), then drop TCP once it is out. */
		if (w->session != NULL)
			w->session->state = WD_SESSION_CLOSED;
		close_ws(w, out->close_code ? out->close_code : WD_WS_CLOSE_NORMAL, NULL);
		break;
	default: /* any pong: the heartbeat is satisfied by any traffic */
		break;
	}
}

static void on_ws_data(struct wd_conn *c, const uint8_t *data, size_t len)
{
	struct ws *w = c->proto_data;
	/* The bytes sit in the router's read buffer (or the rest of the HTTP request head in
	 * that same buffer), which is ours to unmask in place. */
	uint8_t *in = (uint8_t *)data;
	size_t off = 0;
	w->last_rx_ms = uv_now(c->r->loop);
	if (w->ping_outstanding) { /* any traffic proves the peer alive (Crossbar's default) */
		w->ping_outstanding = false;
		arm_ping(w);
	}
	while (off < len && !c->is_closing && !w->is_closed) {
		struct wd_ws_out out;
		ssize_t n = wd_ws_parse(&w->parser, in + off, len - off, &out);
		if (n < 0) {
			wd_log(WD_LOG_INFO, "ws", "conn %" PRIu64 " (%s): %s", c->id, c->peer,
			       out.error ? out.error : wd_strerror((int)n));
			close_ws(w, out.close_code, out.error);
			break;
		}
		off += (size_t)n;
		if (out.kind != WD_WS_NONE)
			handle(w, &out);
	}
	if (!c->is_closing)
		wd_ws_parser_shrink(&w->parser);
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
	send_control(w, WD_WS_OP_PING, payload, n);
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
	wd_ws_parser_deinit(&w->parser);
	free(w);
	c->proto_data = NULL;
}

static const struct wd_conn_proto ws_proto = {
	.on_data = on_ws_data,
	.on_free = on_ws_free,
	.on_timer = on_ws_timer,
	.on_shutdown = on_ws_shutdown,
};

/* What queueing a frame returned: a slow consumer's output is dropped where it has not started
 * to receive it, with 1008 (policy violation); if it does not read that either, the grace
 * timer drops TCP. */
static int sent(struct ws *w, int rc)
{
	if (rc == WD_ETOOBIG) {
		wd_conn_discard_queued(w->c);
		close_ws(w, WD_WS_CLOSE_POLICY_VIOLATION, "slow consumer");
	}
	return rc;
}

static int t_send(struct wd_session_transport *t, struct wd_buf *frame)
{
	struct ws *w = (struct ws *)t;
	return w->is_closed ? WD_ECLOSED : sent(w, wd_conn_send(w->c, frame));
}

static int t_send_copy(struct wd_session_transport *t, const uint8_t *head, size_t head_len,
		       const uint8_t *body, size_t body_len)
{
	struct ws *w = (struct ws *)t;
	return w->is_closed ? WD_ECLOSED
			    : sent(w, wd_conn_send_copy(w->c, head, head_len, body, body_len));
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
	wd_ws_parser_init(&w->parser,
			  svc->ws.max_message_size ? svc->ws.max_message_size : HARD_MAX_MESSAGE,
			  svc->ws.max_frame_size);
	w->c = c;
	w->svc = svc;
	w->t.send = t_send;
	w->t.send_copy = t_send_copy;
	w->t.close = t_close;
	w->t.framing = WD_FRAMING_WS;
	w->t.peer = c->peer;
	w->last_rx_ms = uv_now(c->r->loop);
	if ((w->session = wd_session_new(c->r, &w->t, codec)) == NULL) {
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
