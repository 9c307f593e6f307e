/* The RawSocket side of a connection: the 4-octet handshake picks the serializer and both
 * sides' message limits, then length-prefixed frames carry WAMP messages, PING and PONG. */
#include "router/rs.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "protocol/rawsocket.h"
#include "router/conn.h"
#include "router/log.h"
#include "router/router.h"
#include "router/session.h"

/* The handshake must arrive within this time (Crossbar has no option for it). */
#define HANDSHAKE_TIMEOUT_MS 10000
/* Crossbar's RawSocket default receive limit (autobahn/twisted/rawsocket.py). */
#define DEFAULT_MAX_LEN (UINT32_C(1) << 24)

struct rs {
	struct wd_session_transport t; /* first: the session's transport points here */
	struct wd_conn *c;
	const struct wd_service_cfg *svc;
	struct wd_session *session;
	struct wd_rs_parser parser;
	uint8_t hello[4];
	size_t hello_len;
	uint32_t peer_max; /* the longest message the peer accepts */
	bool is_closed;
};

static void close_rs(struct rs *r, const char *why)
{
	if (r->is_closed)
		return;
	r->is_closed = true;
	if (r->session != NULL)
		r->session->state = WD_SESSION_CLOSED;
	wd_conn_close_after_flush(r->c, why, 2000);
}

static void send_raw(struct rs *r, const uint8_t *data, size_t len)
{
	struct wd_buf *b = wd_buf_from(data, len);
	if (b == NULL) {
		wd_conn_close(r->c, "out of memory");
		return;
	}
	if (wd_conn_send(r->c, b) == WD_ETOOBIG)
		wd_conn_close(r->c, "slow consumer");
	wd_buf_unref(b);
}

static int t_send(struct wd_session_transport *t, struct wd_buf *frame)
{
	struct rs *r = (struct rs *)t;
	int rc;
	if (r->is_closed)
		return WD_ECLOSED;
	if (frame->len - 4 > r->peer_max) {
		/* The spec has no way to send a message the peer refused to take: drop it. */
		wd_log(WD_LOG_WARN, "rs", "conn %" PRIu64 " (%s): message of %u bytes over the "
		       "peer's limit of %u; closing", r->c->id, r->c->peer, frame->len - 4,
		       r->peer_max);
		close_rs(r, "message over the peer's limit");
		return WD_ETOOBIG;
	}
	if ((rc = wd_conn_send(r->c, frame)) == WD_ETOOBIG) {
		/* Slow consumer: RawSocket has no close frame, so the connection just ends. */
		wd_conn_discard_queued(r->c);
		close_rs(r, "slow consumer");
	}
	return rc;
}

static void t_close(struct wd_session_transport *t, int code, const char *reason)
{
	(void)code;
	close_rs((struct rs *)t, reason ? reason : "closed");
}

static void handshake(struct rs *r)
{
	const struct wd_service_cfg *svc = r->svc;
	struct wd_conn *c = r->c;
	struct wd_rs_hello hello;
	const struct wd_codec *codec = NULL;
	uint32_t our_max = svc->ws.max_message_size ? svc->ws.max_message_size : DEFAULT_MAX_LEN;
	uint8_t reply[4];
	int err = wd_rs_parse_hello(r->hello, &hello);
	for (size_t i = 0; err == 0 && i < svc->n_serializers && codec == NULL; i++) {
		const struct wd_codec *k = wd_codec_by_id(svc->serializers[i]);
		if (k->rawsocket_id == hello.serializer)
			codec = k;
	}
	if (err == 0 && codec == NULL)
		err = WD_RS_ERR_SERIALIZER;
	if (err != 0) {
		wd_log(WD_LOG_INFO, "rs", "conn %" PRIu64 " (%s): RawSocket handshake refused (error %d)",
		       c->id, c->peer, err);
		wd_rs_reply_error(reply, err);
		send_raw(r, reply, 4);
		close_rs(r, "RawSocket handshake refused");
		return;
	}
	r->peer_max = hello.max_len;
	our_max = wd_rs_announced_max(our_max);
	wd_rs_parser_init(&r->parser, our_max);
	if ((r->session = wd_session_new(c->r, &r->t, codec)) == NULL) {
		wd_conn_close(c, "out of memory");
		return;
	}
	wd_session_set_auth(r->session, &svc->auth);
	wd_rs_reply_accept(reply, (uint8_t)hello.serializer, our_max);
	send_raw(r, reply, 4);
	wd_conn_set_timer(c, 0);
	wd_log(WD_LOG_DEBUG, "rs", "conn %" PRIu64 " (%s): RawSocket with %s, limits %u in / %u out",
	       c->id, c->peer, codec->name, our_max, r->peer_max);
}

static void on_rs_data(struct wd_conn *c, const uint8_t *data, size_t len)
{
	struct rs *r = c->proto_data;
	size_t off = 0;
	while (r->session == NULL && off < len && !r->is_closed) {
		r->hello[r->hello_len++] = data[off++];
		if (r->hello_len == 4)
			handshake(r);
	}
	while (off < len && r->session != NULL && !r->is_closed && !c->is_closing) {
		struct wd_rs_out out;
		ssize_t n = wd_rs_parse(&r->parser, data + off, len - off, &out);
		if (n < 0) {
			wd_log(WD_LOG_INFO, "rs", "conn %" PRIu64 " (%s): %s", c->id, c->peer,
			       n == WD_ETOOBIG ? "message over our limit" : "bad RawSocket frame");
			/* The spec: a peer over the announced limit must be dropped. */
			r->session->state = WD_SESSION_CLOSED;
			wd_conn_close(c, "RawSocket protocol error");
			return;
		}
		off += (size_t)n;
		if (out.kind == WD_RS_MESSAGE) {
			wd_session_recv(r->session, out.data, out.len);
		} else if (out.kind == WD_RS_GOT_PING) {
			struct wd_buf *b = wd_buf_new(4 + out.len);
			if (b == NULL) {
				wd_conn_close(c, "out of memory");
				return;
			}
			wd_rs_header(b->data, WD_RS_PONG, (uint32_t)out.len); /* PONG echoes PING */
			memcpy(b->data + 4, out.data, out.len);
			if (wd_conn_send(c, b) == WD_ETOOBIG)
				wd_conn_close(c, "slow consumer");
			wd_buf_unref(b);
		}
	}
	if (r->session != NULL && !c->is_closing)
		wd_rs_parser_shrink(&r->parser);
}

static void on_rs_timer(struct wd_conn *c)
{
	wd_conn_close(c, "RawSocket handshake timeout");
}

static void on_rs_shutdown(struct wd_conn *c)
{
	struct rs *r = c->proto_data;
	if (r->session != NULL)
		wd_session_shutdown(r->session);
	close_rs(r, "router shutting down");
}

static void on_rs_free(struct wd_conn *c)
{
	struct rs *r = c->proto_data;
	if (r == NULL)
		return;
	if (r->session != NULL)
		wd_session_free(r->session);
	wd_rs_parser_deinit(&r->parser);
	free(r);
	c->proto_data = NULL;
}

static const struct wd_conn_proto rs_proto = {
	.on_data = on_rs_data,
	.on_free = on_rs_free,
	.on_timer = on_rs_timer,
	.on_shutdown = on_rs_shutdown,
};

void wd_rs_attach(struct wd_conn *c, const struct wd_transport_cfg *t)
{
	struct rs *r = calloc(1, sizeof(*r));
	if (r == NULL || t->n_services == 0) {
		free(r);
		wd_conn_close(c, "out of memory");
		return;
	}
	r->c = c;
	r->svc = &t->services[0];
	r->t.send = t_send;
	r->t.close = t_close;
	r->t.framing = WD_FRAMING_RS;
	r->t.peer = c->peer;
	c->proto = &rs_proto;
	c->proto_data = r;
	wd_conn_set_timer(c, HANDSHAKE_TIMEOUT_MS);
}
