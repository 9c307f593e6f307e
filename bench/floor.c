/* wampd-floor's I/O (see floor.h): listener, HTTP upgrade, WebSocket frames in, one contiguous
 * output buffer per connection written once per loop turn.
 *   wampd-floor PORT      listens on 127.0.0.1:PORT until SIGTERM or SIGINT */
#define _GNU_SOURCE /* memmem */
#include "bench/floor.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/ws_handshake.h"

#define MAX_HEAD 8192
#define MAX_MESSAGE (16u << 20)

static void require_mem(int rc)
{
	if (rc < 0) {
		fprintf(stderr, "wampd-floor: out of memory\n");
		abort();
	}
}

void fl_conn_send(struct fl_conn *c, const uint8_t *frame, size_t len)
{
	struct fl_server *s = c->srv;
	if (c->is_closing)
		return;
	if (c->out.len + c->wout.len + len > s->max_out) {
		fl_conn_close(c, "output bound reached");
		return;
	}
	require_mem(wd_sbuf_append(&c->out, frame, len));
	if (!c->is_dirty) {
		c->is_dirty = true;
		c->next_dirty = s->dirty;
		s->dirty = c;
	}
}

static void on_closed(uv_handle_t *h)
{
	struct fl_conn *c = h->data;
	struct fl_server *s = c->srv;
	if (c->is_dirty) {
		struct fl_conn **pp = &s->dirty;
		while (*pp != c)
			pp = &(*pp)->next_dirty;
		*pp = c->next_dirty;
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	wd_ws_parser_deinit(&c->ws);
	wd_sbuf_free(&c->head);
	wd_sbuf_free(&c->out);
	wd_sbuf_free(&c->wout);
	free(c);
}

void fl_conn_close(struct fl_conn *c, const char *why)
{
	if (c->is_closing)
		return;
	c->is_closing = true;
	if (why != NULL)
		fprintf(stderr, "wampd-floor: closing a connection: %s\n", why);
	fl_route_forget(c);
	uv_close((uv_handle_t *)&c->tcp, on_closed);
}

/* Value of header name in the request head (NUL-terminated), copied to out; false if absent. */
static bool header(const char *head, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l != NULL; l = strstr(l + 2, "\r\n")) {
		const char *v = l + 2, *e;
		if (strncasecmp(v, name, n) != 0 || v[n] != ':')
			continue;
		v += n + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if ((e = strstr(v, "\r\n")) == NULL || (size_t)(e - v) >= cap)
			return false;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return true;
	}
	return false;
}

static void upgrade(struct fl_conn *c)
{
	static const char *const offered[] = {"wamp.2.json", "wamp.2.msgpack"};
	char key[64], proto[256], accept[29], reply[256];
	int pick, n;
	require_mem(wd_sbuf_append(&c->head, "", 1));
	if (!header((const char *)c->head.data, "Sec-WebSocket-Key", key, sizeof(key)) ||
	    !header((const char *)c->head.data, "Sec-WebSocket-Protocol", proto, sizeof(proto)) ||
	    (pick = wd_ws_pick_subprotocol(proto, offered, 2)) < 0 ||
	    wd_ws_accept_key(key, accept) < 0) {
		fl_conn_close(c, "bad upgrade request");
		return;
	}
	c->is_msgpack = pick == 1;
	n = snprintf(reply, sizeof(reply),
	             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	             "Sec-WebSocket-Protocol: %s\r\n\r\n",
	             accept, offered[pick]);
	fl_conn_send(c, (const uint8_t *)reply, (size_t)n);
	c->is_upgraded = true;
	wd_sbuf_free(&c->head);
}

static void frames(struct fl_conn *c, uint8_t *p, size_t len)
{
	size_t off = 0;
	while (off < len && !c->is_closing) {
		struct wd_ws_out o;
		ssize_t n = wd_ws_parse(&c->ws, p + off, len - off, &o);
		if (n < 0) {
			fl_conn_close(c, o.error != NULL ? o.error : "bad frame");
			return;
		}
		off += (size_t)n;
		if (o.kind == WD_WS_MESSAGE)
			fl_route_msg(c, (uint8_t *)o.data, o.len);
		else if (o.kind == WD_WS_CLOSE)
			fl_conn_close(c, NULL);
		else if (o.kind == WD_WS_NONE)
			break;
	}
	wd_ws_parser_shrink(&c->ws);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct fl_conn *c = h->data;
	(void)hint;
	buf->base = (char *)c->srv->rbuf;
	buf->len = sizeof(c->srv->rbuf);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct fl_conn *c = st->data;
	uint8_t *p = (uint8_t *)buf->base;
	size_t len = (size_t)nread;
	if (nread < 0) {
		fl_conn_close(c, nread == UV_EOF ? NULL : uv_strerror((int)nread));
		return;
	}
	if (nread == 0 || c->is_closing)
		return;
	if (!c->is_upgraded) {
		const uint8_t *end;
		size_t old = c->head.len, used;
		require_mem(wd_sbuf_append(&c->head, p, len));
		end = memmem(c->head.data, c->head.len, "\r\n\r\n", 4);
		if (end == NULL) {
			if (c->head.len > MAX_HEAD)
				fl_conn_close(c, "upgrade request too long");
			return;
		}
		used = (size_t)(end + 4 - c->head.data) - old; /* bytes of this read in the head */
		c->head.len = (size_t)(end + 2 - c->head.data);
		upgrade(c);
		p += used;
		len -= used;
	}
	frames(c, p, len);
}

static void on_write(uv_write_t *req, int status)
{
	struct fl_conn *c = req->data;
	struct fl_server *s = c->srv;
	c->is_writing = false;
	c->wout.len = 0;
	if (status < 0) {
		fl_conn_close(c, status == UV_ECANCELED ? NULL : uv_strerror(status));
		return;
	}
	if (c->out.len > 0 && !c->is_dirty && !c->is_closing) {
		c->is_dirty = true;
		c->next_dirty = s->dirty;
		s->dirty = c;
	}
}

static void flush(struct fl_conn *c)
{
	struct wd_sbuf tmp;
	uv_buf_t ub;
	c->is_dirty = false;
	if (c->is_closing || c->is_writing || c->out.len == 0)
		return;
	tmp = c->wout;
	c->wout = c->out;
	c->out = tmp;
	c->out.len = 0;
	ub = uv_buf_init((char *)c->wout.data, (unsigned)c->wout.len);
	c->write_req.data = c;
	if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &ub, 1, on_write) < 0) {
		fl_conn_close(c, "write failed");
		return;
	}
	c->is_writing = true;
}

static void on_prepare(uv_prepare_t *h)
{
	struct fl_server *s = h->data;
	struct fl_conn *c = s->dirty, *next;
	s->dirty = NULL;
	for (; c != NULL; c = next) {
		next = c->next_dirty;
		c->next_dirty = NULL;
		flush(c);
	}
}

static void on_connection(uv_stream_t *l, int status)
{
	struct fl_server *s = l->data;
	struct fl_conn *c;
	if (status < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	wd_ws_parser_init(&c->ws, MAX_MESSAGE, MAX_MESSAGE);
	if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0) {
		fl_conn_close(c, "accept failed");
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		fl_conn_close(c, "read failed");
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct fl_server *s = h->data;
	(void)signum;
	uv_stop(s->loop);
}

int main(int argc, char **argv)
{
	static struct fl_server srv; /* 1 MiB read buffer: not on the stack */
	struct fl_server *s = &srv;
	struct sockaddr_in sa;
	int port = argc == 2 ? atoi(argv[1]) : 0, rc;
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: wampd-floor PORT   (listens on 127.0.0.1:PORT)\n");
		return 2;
	}
	s->loop = uv_default_loop();
	s->max_out = 64u << 20;
	s->next_id = 1;
	uv_ip4_addr("127.0.0.1", port, &sa);
	uv_tcp_init(s->loop, &s->listener);
	s->listener.data = s;
	if ((rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&sa, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 4096, on_connection)) < 0) {
		fprintf(stderr, "wampd-floor: cannot listen on 127.0.0.1:%d: %s\n", port,
		        uv_strerror(rc));
		return 1;
	}
	uv_prepare_init(s->loop, &s->flush);
	s->flush.data = s;
	uv_prepare_start(&s->flush, on_prepare);
	uv_signal_init(s->loop, &s->sigterm);
	uv_signal_init(s->loop, &s->sigint);
	s->sigterm.data = s->sigint.data = s;
	uv_signal_start(&s->sigterm, on_signal, SIGTERM);
	uv_signal_start(&s->sigint, on_signal, SIGINT);
	uv_run(s->loop, UV_RUN_DEFAULT);
	return 0;
}
