/* One WebSocket client session: TCP connect, HTTP upgrade, frame parsing, HELLO/WELCOME, and
 * an output buffer flushed once per loop turn (thread.c's uv_prepare) as a single uv_write. */
#include "bench/bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/wsframe.h"
#include "protocol/error.h"

/* Output beyond this is written before more is queued in the same loop turn. Writing only at
 * the end of a turn makes generator and router take turns on one batch (lockstep: each idles
 * while the other works) instead of overlapping. */
#define EARLY_FLUSH_BYTES (16u << 10)

static void require_mem(int rc)
{
	if (rc < 0) {
		fprintf(stderr, "wampd-bench: out of memory\n");
		abort();
	}
}

struct wd_bench_conn *wd_bench_conn_add(struct wd_bench_thread *t, enum wd_bench_role role,
					unsigned index)
{
	if (t->n_conns == t->cap_conns) {
		size_t cap = t->cap_conns ? t->cap_conns * 2 : 16;
		struct wd_bench_conn **v = realloc(t->conns, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		t->conns = v;
		t->cap_conns = cap;
	}
	struct wd_bench_conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->th = t;
	c->role = role;
	c->index = index;
	c->state = WD_CONN_NEW;
	t->conns[t->n_conns++] = c;
	return c;
}

size_t wd_bench_conn_backlog(const struct wd_bench_conn *c)
{
	return c->out.len + c->wout.len;
}

/* Writes what is queued now, while the loop turn goes on, so that the router can work on it
 * while this thread produces the rest (see EARLY_FLUSH_BYTES). */
static void flush_early(struct wd_bench_conn *c)
{
	uv_buf_t ub = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
	int n = uv_try_write((uv_stream_t *)&c->tcp, &ub, 1);
	if (n <= 0)
		return; /* EAGAIN or an error: the regular flush deals with it */
	memmove(c->out.data, c->out.data + n, c->out.len - (size_t)n);
	c->out.len -= (size_t)n;
}

uint8_t *wd_bench_conn_reserve(struct wd_bench_conn *c, size_t len)
{
	struct wd_bench_thread *t = c->th;
	if (c->out.len >= EARLY_FLUSH_BYTES && !c->is_writing && !c->is_closing &&
	    c->state >= WD_CONN_HELLO)
		flush_early(c);
	require_mem(wd_sbuf_reserve(&c->out, len));
	uint8_t *p = c->out.data + c->out.len;
	c->out.len += len;
	if (!c->is_dirty) {
		c->is_dirty = true;
		c->next_dirty = t->dirty;
		t->dirty = c;
	}
	return p;
}

int wd_bench_conn_send(struct wd_bench_conn *c, const void *frame, size_t len)
{
	memcpy(wd_bench_conn_reserve(c, len), frame, len);
	return 0;
}

void wd_bench_conn_fail(struct wd_bench_conn *c, const char *fmt, ...)
{
	struct wd_bench_thread *t = c->th;
	t->cnt.errors++;
	if (t->error[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(t->error, sizeof(t->error), fmt, ap);
		va_end(ap);
	}
	wd_bench_conn_close(c);
}

static void on_closed(uv_handle_t *h)
{
	(void)h; /* connections are freed with their thread, after the loop has ended */
}

void wd_bench_conn_close(struct wd_bench_conn *c)
{
	if (c->is_closing)
		return;
	c->is_closing = true;
	if (c->state < WD_CONN_READY && c->state != WD_CONN_NEW && c->th->n_setting_up > 0)
		c->th->n_setting_up--;
	if (c->state != WD_CONN_NEW)
		uv_close((uv_handle_t *)&c->tcp, on_closed);
	c->state = WD_CONN_CLOSED;
}

void wd_bench_conn_ready(struct wd_bench_conn *c)
{
	struct wd_bench_thread *t = c->th;
	c->state = WD_CONN_READY;
	t->n_ready++;
	if (t->n_setting_up > 0)
		t->n_setting_up--;
}

/* ---- input ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct wd_bench_conn *c = h->data;
	(void)hint;
	/* One large buffer per thread: each read is parsed (and its tail copied to c->in) before
	 * the next alloc. */
	buf->base = (char *)c->th->rbuf;
	buf->len = c->th->rbuf_cap;
}

static void deliver(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	struct wd_bench_thread *t = c->th;
	if ((++t->cnt.rx_msgs & 63) == 0)
		t->now_ns = wd_bench_now_ns();
	t->last_rx_ns = t->now_ns;
	if (c->state != WD_CONN_HELLO) {
		t->b->scn->on_msg(c, p, len);
		return;
	}
	json_t *root = NULL;
	if (t->b->o.codec->decode(p, len, &root) < 0) {
		wd_bench_conn_fail(c, "undecodable message during HELLO");
		return;
	}
	json_int_t type = json_integer_value(json_array_get(root, 0));
	if (type != 2) {
		char *s = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
		wd_bench_conn_fail(c, "expected WELCOME, got %.200s", s ? s : "?");
		free(s);
		json_decref(root);
		return;
	}
	json_decref(root);
	c->state = WD_CONN_JOINED;
	atomic_fetch_add(&t->b->sessions_joined, 1);
	t->b->scn->on_joined(c);
}

static void handle_frame(struct wd_bench_conn *c, const struct wd_wsf *f, uint8_t *p, size_t len)
{
	struct wd_bench_thread *t = c->th;
	if (f->masked) { /* servers must not mask; tolerate it */
		for (size_t i = 0; i < len; i++)
			p[i] ^= f->key[i & 3];
	}
	switch (f->opcode) {
	case WD_WS_TEXT:
	case WD_WS_BINARY:
		if (f->fin) {
			deliver(c, p, len);
			return;
		}
		c->frag.len = 0;
		c->frag_opcode = f->opcode;
		require_mem(wd_sbuf_append(&c->frag, p, len));
		return;
	case WD_WS_CONT:
		if (c->frag_opcode == 0) {
			wd_bench_conn_fail(c, "continuation frame without a start");
			return;
		}
		require_mem(wd_sbuf_append(&c->frag, p, len));
		if (f->fin) {
			c->frag_opcode = 0;
			deliver(c, c->frag.data, c->frag.len);
			c->frag.len = 0;
		}
		return;
	case WD_WS_PING: {
		struct wd_sbuf tmp = {0};
		require_mem(wd_wsf_append(&tmp, WD_WS_PONG, p, len));
		wd_bench_conn_send(c, tmp.data, tmp.len);
		wd_sbuf_free(&tmp);
		return;
	}
	case WD_WS_PONG:
		return;
	case WD_WS_CLOSE:
		c->peer_closed = true;
		c->close_code = len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : 0;
		if (t->is_stopping)
			wd_bench_conn_close(c);
		else
			wd_bench_conn_fail(c, "router sent CLOSE %u",
					   len >= 2 ? (unsigned)(p[0] << 8 | p[1]) : 0u);
		return;
	default:
		wd_bench_conn_fail(c, "unknown opcode %u", f->opcode);
	}
}

static bool header_has(const char *hdr, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(hdr + i, needle, n) == 0)
			return true;
	return false;
}

/* Parses the HTTP 101 response. Returns bytes consumed, 0 for "need more", -1 when closed. */
static ssize_t parse_upgrade(struct wd_bench_conn *c, uint8_t *p, size_t len)
{
	struct wd_bench *b = c->th->b;
	const char *s = (const char *)p;
	size_t end = 0;
	for (size_t i = 0; i + 4 <= len; i++) {
		if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
			end = i + 4;
			break;
		}
	}
	if (end == 0) {
		if (len > 16384) {
			wd_bench_conn_fail(c, "HTTP response headers too long");
			return -1;
		}
		return 0;
	}
	if (end < 12 || memcmp(s, "HTTP/1.1 101", 12) != 0) {
		wd_bench_conn_fail(c, "upgrade refused: %.*s", (int)(end < 80 ? end : 80), s);
		return -1;
	}
	if (!header_has(s, end, b->accept_key)) {
		wd_bench_conn_fail(c, "bad Sec-WebSocket-Accept");
		return -1;
	}
	if (!header_has(s, end, b->o.codec->subprotocol)) {
		wd_bench_conn_fail(c, "router did not pick %s", b->o.codec->subprotocol);
		return -1;
	}
	c->state = WD_CONN_HELLO;
	wd_bench_conn_send(c, b->hello_frame.data, b->hello_frame.len);
	return (ssize_t)end;
}

/* Consumes whole frames from p[0..len). Returns bytes consumed or -1 once c is closing. */
static ssize_t process(struct wd_bench_conn *c, uint8_t *p, size_t len)
{
	size_t off = 0;
	if (c->state == WD_CONN_UPGRADING) {
		ssize_t n = parse_upgrade(c, p, len);
		if (n <= 0)
			return n;
		off = (size_t)n;
	}
	while (off < len) {
		struct wd_wsf f;
		int h = wd_wsf_parse(p + off, len - off, &f);
		if (h < 0) {
			wd_bench_conn_fail(c, "bad frame header");
			return -1;
		}
		if (h == 0 || f.payload_len > len - off - (size_t)h)
			break;
		handle_frame(c, &f, p + off + (size_t)h, (size_t)f.payload_len);
		if (c->is_closing)
			return -1;
		off += (size_t)h + (size_t)f.payload_len;
	}
	return (ssize_t)off;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct wd_bench_conn *c = s->data;
	struct wd_bench_thread *t = c->th;
	if (nread == 0)
		return;
	if (nread < 0) {
		c->peer_closed = true;
		if (t->is_stopping)
			wd_bench_conn_close(c);
		else
			wd_bench_conn_fail(c, "read: %s", uv_strerror((int)nread));
		return;
	}
	t->now_ns = wd_bench_now_ns();
	uint8_t *p = (uint8_t *)buf->base;
	size_t len = (size_t)nread;
	if (c->in.len > 0) {
		require_mem(wd_sbuf_append(&c->in, p, len));
		ssize_t used = process(c, c->in.data, c->in.len);
		if (used < 0)
			return;
		memmove(c->in.data, c->in.data + used, c->in.len - (size_t)used);
		c->in.len -= (size_t)used;
		return;
	}
	ssize_t used = process(c, p, len);
	if (used < 0)
		return;
	if ((size_t)used < len)
		require_mem(wd_sbuf_append(&c->in, p + used, len - (size_t)used));
}

void wd_bench_conn_pause(struct wd_bench_conn *c)
{
	if (!c->is_closing)
		uv_read_stop((uv_stream_t *)&c->tcp);
}

void wd_bench_conn_resume(struct wd_bench_conn *c)
{
	if (!c->is_closing && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		wd_bench_conn_close(c);
}

/* ---- output ---- */

static void on_write(uv_write_t *req, int status)
{
	struct wd_bench_conn *c = req->data;
	c->is_writing = false;
	c->wout.len = 0;
	if (status < 0) {
		if (!c->th->is_stopping && status != UV_ECANCELED)
			wd_bench_conn_fail(c, "write: %s", uv_strerror(status));
		return;
	}
	if (c->out.len > 0 && !c->is_dirty && !c->is_closing) {
		c->is_dirty = true;
		c->next_dirty = c->th->dirty;
		c->th->dirty = c;
	}
}

/* Called from the thread's uv_prepare: one uv_write per connection per loop turn. */
void wd_bench_conn_flush(struct wd_bench_conn *c)
{
	c->is_dirty = false;
	if (c->is_closing || c->is_writing || c->out.len == 0 || c->state < WD_CONN_UPGRADING)
		return;
	struct wd_sbuf tmp = c->wout;
	c->wout = c->out;
	c->out = tmp;
	c->out.len = 0;
	uv_buf_t ub = uv_buf_init((char *)c->wout.data, (unsigned)c->wout.len);
	c->write_req.data = c;
	int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &ub, 1, on_write);
	if (rc < 0) {
		wd_bench_conn_fail(c, "write: %s", uv_strerror(rc));
		return;
	}
	c->is_writing = true;
}

static void on_connect(uv_connect_t *req, int status)
{
	struct wd_bench_conn *c = req->data;
	struct wd_bench *b = c->th->b;
	if (c->is_closing)
		return;
	if (status < 0) {
		wd_bench_conn_fail(c, "connect: %s", uv_strerror(status));
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if (rc < 0) {
		wd_bench_conn_fail(c, "read_start: %s", uv_strerror(rc));
		return;
	}
	c->state = WD_CONN_UPGRADING;
	wd_bench_conn_send(c, b->upgrade_req, b->upgrade_req_len);
}

int wd_bench_conn_start(struct wd_bench_conn *c)
{
	struct wd_bench_thread *t = c->th;
	struct sockaddr_in sa;
	int rc = uv_ip4_addr(t->b->o.host, t->b->o.port, &sa);
	if (rc < 0)
		return rc;
	if ((rc = uv_tcp_init(&t->loop, &c->tcp)) < 0)
		return rc;
	c->tcp.data = c;
	c->connect_req.data = c;
	c->state = WD_CONN_CONNECTING;
	c->t_start_ns = wd_bench_now_ns();
	t->n_setting_up++;
	rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&sa, on_connect);
	if (rc < 0) {
		wd_bench_conn_fail(c, "connect: %s", uv_strerror(rc));
		return rc;
	}
	return 0;
}
