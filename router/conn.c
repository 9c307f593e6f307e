#include "router/conn.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"
#include "router/listener.h"
#include "router/log.h"
#include "router/router.h"

/* Reading pauses while a connection's own output is above this fraction of the bound, so
 * a client that floods requests without reading replies cannot grow our memory. */
#define READ_PAUSE_DIVISOR 2
#define MAX_IOVS 256
/* Frames up to this size are copied into the router's gather area (see write_batch), which
 * holds this many bytes. */
#define GATHER_MAX_LEN 1024u
#define GATHER_MAX_BYTES (256u << 10)
/* Reads of at least this many bytes flush all output at once (see on_read). */
#define EARLY_FLUSH_READ (16u << 10)

struct write_req {
	uv_write_t req;
	struct wd_conn *c;
	size_t n;
	size_t bytes;
	struct wd_buf *bufs[];
};

static void conn_free(struct wd_conn *c)
{
	struct wd_router *r = c->r;
	if (c->is_dirty) { /* rare: closed with output queued in this loop turn */
		struct wd_conn **pp = &r->dirty;
		while (*pp != c)
			pp = &(*pp)->next_dirty;
		*pp = c->next_dirty;
	}
	if (c->proto != NULL && c->proto->on_free != NULL)
		c->proto->on_free(c);
	for (size_t i = 0; i < c->n_queue; i++)
		wd_buf_unref(c->queue[i]);
	free(c->queue);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	r->n_conns--;
	if (c->next != NULL)
		c->next->prev = c->prev;
	wd_log(WD_LOG_DEBUG, "conn", "conn %" PRIu64 " freed", c->id);
	free(c);
}

static void on_closed(uv_handle_t *h)
{
	struct wd_conn *c = h->data;
	if (--c->open_handles == 0)
		conn_free(c);
}

void wd_conn_close(struct wd_conn *c, const char *why)
{
	if (c->is_closing)
		return;
	c->is_closing = true;
	wd_log(WD_LOG_DEBUG, "conn", "conn %" PRIu64 " (%s) closing: %s", c->id, c->peer, why);
	uv_close((uv_handle_t *)&c->timer, on_closed);
	uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_timer(uv_timer_t *t)
{
	struct wd_conn *c = t->data;
	if (c->close_after_flush) {
		wd_conn_close(c, "close grace period over");
		return;
	}
	if (c->proto != NULL && c->proto->on_timer != NULL)
		c->proto->on_timer(c);
}

void wd_conn_set_timer(struct wd_conn *c, uint64_t timeout_ms)
{
	if (c->is_closing || c->close_after_flush)
		return;
	if (timeout_ms == 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_timer, timeout_ms, 0);
}

void wd_conn_close_after_flush(struct wd_conn *c, const char *why, uint64_t grace_ms)
{
	if (c->is_closing || c->close_after_flush)
		return;
	wd_log(WD_LOG_DEBUG, "conn", "conn %" PRIu64 " closing after flush: %s", c->id, why);
	if (c->queued_bytes == 0) {
		wd_conn_close(c, why);
		return;
	}
	c->close_after_flush = true;
	if (c->is_reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->is_reading = false;
	}
	uv_timer_start(&c->timer, on_timer, grace_ms, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct wd_conn *c = h->data;
	(void)suggested;
	/* One shared buffer: each read is consumed synchronously before the next one. */
	buf->base = (char *)c->r->read_buf;
	buf->len = sizeof(c->r->read_buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct wd_conn *c = s->data;
	if (n < 0) {
		wd_conn_close(c, n == UV_EOF ? "peer closed" : uv_strerror((int)n));
		return;
	}
	if (n == 0 || c->is_closing || c->close_after_flush)
		return;
	c->proto->on_data(c, (const uint8_t *)buf->base, (size_t)n);
	/* A big read makes a lot of output: send it now rather than after every other read of
	 * this loop turn, so that receivers (and a publisher waiting for acknowledgements) work
	 * on it while we read on. Waiting for the end of the turn makes router and clients take
	 * turns instead of overlapping. */
	if ((size_t)n >= EARLY_FLUSH_READ)
		wd_conn_flush_all(c->r);
}

static void update_reading(struct wd_conn *c)
{
	bool want = !c->is_closing && !c->close_after_flush &&
		    c->queued_bytes <= c->r->max_queued_bytes / READ_PAUSE_DIVISOR;
	if (want && !c->is_reading) {
		if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
			c->is_reading = true;
	} else if (!want && c->is_reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->is_reading = false;
	}
}

int wd_conn_accept(struct wd_router *r, const struct wd_listener *l, uv_stream_t *server)
{
	struct wd_conn *c = calloc(1, sizeof(*c));
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	if (c == NULL)
		return WD_ENOMEM;
	c->r = r;
	c->listener = l;
	c->id = ++r->next_conn_id;
	uv_tcp_init(r->loop, &c->tcp);
	uv_timer_init(r->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->open_handles = 2;
	c->next = r->conns;
	if (r->conns != NULL)
		r->conns->prev = c;
	r->conns = c;
	r->n_conns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		wd_conn_close(c, "accept failed");
		return WD_ECLOSED;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	strcpy(c->peer, "?");
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		char ip[48] = "?";
		int port = 0;
		if (ss.ss_family == AF_INET) {
			uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
		snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
	}
	wd_log(WD_LOG_DEBUG, "conn", "conn %" PRIu64 " accepted from %s", c->id, c->peer);
	wd_listener_attach(l, c);
	update_reading(c);
	return 0;
}

int wd_conn_send(struct wd_conn *c, struct wd_buf *frame)
{
	if (c->is_closing || c->close_after_flush)
		return WD_ECLOSED;
	size_t cost = wd_buf_footprint(frame);
	if (c->queued_bytes + cost > c->r->max_queued_bytes) {
		wd_log(WD_LOG_WARN, "conn",
		       "conn %" PRIu64 " (%s) is a slow consumer: %zu bytes queued, bound %zu",
		       c->id, c->peer, c->queued_bytes, c->r->max_queued_bytes);
		return WD_ETOOBIG;
	}
	if (c->n_queue == c->cap_queue) {
		size_t cap = c->cap_queue ? c->cap_queue * 2 : 8;
		struct wd_buf **q = realloc(c->queue, cap * sizeof(*q));
		if (q == NULL) {
			wd_conn_close(c, "out of memory");
			return WD_ENOMEM;
		}
		c->queue = q;
		c->cap_queue = cap;
	}
	c->queue[c->n_queue++] = wd_buf_ref(frame);
	c->queued_bytes += cost;
	if (!c->is_dirty) {
		c->is_dirty = true;
		c->next_dirty = c->r->dirty;
		c->r->dirty = c;
	}
	return 0;
}

static void on_write(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	struct wd_conn *c = w->c;
	for (size_t i = 0; i < w->n; i++)
		wd_buf_unref(w->bufs[i]);
	c->queued_bytes -= w->bytes;
	free(w);
	if (c->is_closing)
		return;
	if (status < 0) {
		wd_conn_close(c, uv_strerror(status));
		return;
	}
	if (c->close_after_flush && c->queued_bytes == 0) {
		wd_conn_close(c, "flushed");
		return;
	}
	update_reading(c);
}

/* Releases a queued frame and its share of the output bound. */
static void drop_frame(struct wd_conn *c, struct wd_buf *b)
{
	c->queued_bytes -= wd_buf_footprint(b);
	wd_buf_unref(b);
}

/* What uv_try_write left of iov[0..n) after written bytes: goes into a request. Bytes in the
 * router's gather area are copied into the request's memory (the area is reused at once);
 * frames written from their shared buffer keep their reference in it. */
static void write_rest(struct wd_conn *c, uv_buf_t *iov, struct wd_buf **ref, size_t n,
		       size_t written)
{
	size_t i = 0, n_refs = 0, copy = 0, held = 0;
	for (; i < n && written >= iov[i].len; i++) {
		written -= iov[i].len;
		if (ref[i] != NULL)
			drop_frame(c, ref[i]);
	}
	if (i == n)
		return; /* all written */
	iov[i].base += written;
	iov[i].len -= written;
	for (size_t k = i; k < n; k++) {
		if (ref[k] != NULL)
			n_refs++, held += wd_buf_footprint(ref[k]);
		else
			copy += iov[k].len;
	}
	size_t own = sizeof(struct write_req) + n_refs * sizeof(struct wd_buf *) + copy;
	struct write_req *w = malloc(own);
	if (w == NULL) {
		for (size_t k = i; k < n; k++)
			if (ref[k] != NULL)
				drop_frame(c, ref[k]);
		wd_conn_close(c, "out of memory");
		return;
	}
	uint8_t *g = (uint8_t *)&w->bufs[n_refs];
	w->c = c;
	w->n = 0;
	w->bytes = own + held;
	for (size_t k = i; k < n; k++) {
		if (ref[k] != NULL) {
			w->bufs[w->n++] = ref[k]; /* the queue's reference moves to the request */
		} else {
			memcpy(g, iov[k].base, iov[k].len);
			iov[k].base = (char *)g;
			g += iov[k].len;
		}
	}
	c->queued_bytes += own;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, iov + i, (unsigned)(n - i), on_write) != 0) {
		for (size_t k = 0; k < w->n; k++)
			wd_buf_unref(w->bufs[k]);
		c->queued_bytes -= w->bytes;
		free(w);
		wd_conn_close(c, "write failed");
	}
}

/* Writes queue[off..end), as much as fits in one writev, and returns end. Frames of at most
 * GATHER_MAX_LEN bytes are copied into the router's gather area, one iovec per run of them,
 * and released at once; larger ones are written from their shared buffer. The kernel copies
 * every byte either way, but each iovec costs it far more than copying 100 bytes here: with one
 * iovec per frame, _copy_from_iter was 13 % of wampd's time at msgpack 1->1 against 4 % in the
 * floor, which writes one contiguous buffer. The write is tried at once (uv_try_write); only
 * what the socket does not take then is copied into a request (write_rest). */
static size_t write_batch(struct wd_conn *c, size_t off)
{
	struct wd_router *r = c->r;
	uv_buf_t iov[MAX_IOVS];
	struct wd_buf *ref[MAX_IOVS]; /* per iovec: the frame it is written from, or NULL */
	size_t end = off, n = 0, used = 0;
	int rc;

	if (r->gather == NULL && (r->gather = malloc(GATHER_MAX_BYTES)) == NULL) {
		wd_conn_close(c, "out of memory");
		return off;
	}
	for (; end < c->n_queue; end++) {
		struct wd_buf *b = c->queue[end];
		if (b->len <= GATHER_MAX_LEN) {
			bool more = n == 0 || ref[n - 1] != NULL;
			if ((more && n == MAX_IOVS) || used + b->len > GATHER_MAX_BYTES)
				break;
			if (more) {
				iov[n] = uv_buf_init((char *)r->gather + used, 0);
				ref[n++] = NULL;
			}
			memcpy(r->gather + used, b->data, b->len);
			used += b->len;
			iov[n - 1].len += b->len;
			drop_frame(c, b);
		} else {
			if (n == MAX_IOVS)
				break;
			iov[n] = uv_buf_init((char *)b->data, b->len);
			ref[n++] = b; /* the queue's reference, until written */
		}
	}
	/* uv_try_write refuses (UV_EAGAIN) while earlier requests are pending: order is kept. */
	rc = uv_try_write((uv_stream_t *)&c->tcp, iov, (unsigned)n);
	if (rc < 0 && rc != UV_EAGAIN) {
		for (size_t k = 0; k < n; k++)
			if (ref[k] != NULL)
				drop_frame(c, ref[k]);
		wd_conn_close(c, uv_strerror(rc));
		return end;
	}
	write_rest(c, iov, ref, n, rc < 0 ? 0 : (size_t)rc);
	return end;
}

static void flush_one(struct wd_conn *c)
{
	size_t off = 0;
	while (off < c->n_queue && !c->is_closing)
		off = write_batch(c, off);
	/* after a failure, drop what was not handed over */
	for (size_t i = off; i < c->n_queue; i++)
		drop_frame(c, c->queue[i]);
	c->n_queue = 0;
}

void wd_conn_discard_queued(struct wd_conn *c)
{
	for (size_t i = 0; i < c->n_queue; i++)
		drop_frame(c, c->queue[i]);
	c->n_queue = 0;
}

void wd_conn_flush_all(struct wd_router *r)
{
	struct wd_conn *c = r->dirty, *next;
	r->dirty = NULL;
	for (; c != NULL; c = next) {
		next = c->next_dirty;
		c->is_dirty = false;
		c->next_dirty = NULL;
		if (!c->is_closing)
			flush_one(c);
		if (c->close_after_flush && c->queued_bytes == 0)
			wd_conn_close(c, "flushed"); /* all written at once: no on_write will see it */
		if (!c->is_closing)
			update_reading(c);
	}
}
