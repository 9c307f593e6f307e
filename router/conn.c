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
/* Frames up to this size are copied into the connection's output chunks (see wd_conn_send);
 * larger ones are queued by reference. A chunk is a pooled buffer of the largest class. */
#define COPY_MAX_LEN 1024u
#define CHUNK_LEN WD_BUF_POOL_MAX_LEN
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
		wd_buf_unref(c->queue[i].b);
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

/* Appends an entry for b (a reference the queue takes over) of which len bytes go out, and
 * counts its memory against the output bound. Returns 0, WD_ETOOBIG or WD_ENOMEM. */
static int push(struct wd_conn *c, struct wd_buf *b, uint32_t len)
{
	size_t cost = wd_buf_footprint(b);
	if (c->queued_bytes + cost > c->r->max_queued_bytes) {
		wd_log(WD_LOG_WARN, "conn",
		       "conn %" PRIu64 " (%s) is a slow consumer: %zu bytes queued, bound %zu",
		       c->id, c->peer, c->queued_bytes, c->r->max_queued_bytes);
		return WD_ETOOBIG;
	}
	if (c->n_queue == c->cap_queue) {
		size_t cap = c->cap_queue ? c->cap_queue * 2 : 8;
		struct wd_out *q = realloc(c->queue, cap * sizeof(*q));
		if (q == NULL)
			return WD_ENOMEM;
		c->queue = q;
		c->cap_queue = cap;
	}
	c->queue[c->n_queue].b = b;
	c->queue[c->n_queue++].len = len;
	c->queued_bytes += cost;
	return 0;
}

static void mark_dirty(struct wd_conn *c)
{
	if (!c->is_dirty) {
		c->is_dirty = true;
		c->next_dirty = c->r->dirty;
		c->r->dirty = c;
	}
}

/* Returns where len (<= COPY_MAX_LEN) more bytes go in the connection's last chunk, taking a
 * new chunk when it is full, or NULL with *rc = WD_ETOOBIG or WD_ENOMEM. */
static uint8_t *room(struct wd_conn *c, size_t len, int *rc)
{
	struct wd_out *last = c->n_queue > 0 && c->tail_open ? &c->queue[c->n_queue - 1] : NULL;
	if (last == NULL || CHUNK_LEN - last->len < len) {
		struct wd_buf *chunk = wd_buf_pool_new(&c->r->framer.pool, CHUNK_LEN);
		*rc = chunk == NULL ? WD_ENOMEM : push(c, chunk, 0);
		if (*rc < 0) {
			wd_buf_unref(chunk);
			return NULL;
		}
		last = &c->queue[c->n_queue - 1];
		c->tail_open = true;
	}
	last->len += (uint32_t)len;
	return last->b->data + last->len - len;
}

/* After a failed queueing: out of memory closes the connection (WD_ETOOBIG is the caller's). */
static int failed(struct wd_conn *c, int rc)
{
	if (rc == WD_ENOMEM)
		wd_conn_close(c, "out of memory");
	return rc;
}

/* Frames over COPY_MAX_LEN are queued by reference, shared by every receiver (DESIGN.md
 * decision 2). Smaller ones are copied into the connection's last chunk, a deliberate
 * exception to that decision's "no per-receiver copy": the kernel copies every byte per
 * receiver anyway, and its cost per iovec is far above a 100-byte copy (with one iovec per
 * frame, _copy_from_iter was 13 % of wampd's time at msgpack 1->1 against 4 % in the floor,
 * which writes one contiguous buffer). The frame also goes back to its pool as soon as every
 * receiver has it, and is reused while still in the cache. Encoding stays once per
 * serializer. */
int wd_conn_send(struct wd_conn *c, struct wd_buf *frame)
{
	uint8_t *dst;
	int rc;
	if (c->is_closing || c->close_after_flush)
		return WD_ECLOSED;
	if (frame->len > COPY_MAX_LEN) {
		c->tail_open = false;
		if ((rc = push(c, wd_buf_ref(frame), frame->len)) < 0) {
			wd_buf_unref(frame);
			return failed(c, rc);
		}
	} else {
		if ((dst = room(c, frame->len, &rc)) == NULL)
			return failed(c, rc);
		memcpy(dst, frame->data, frame->len);
	}
	mark_dirty(c);
	return 0;
}

int wd_conn_send_copy(struct wd_conn *c, const uint8_t *head, size_t head_len,
		      const uint8_t *body, size_t body_len)
{
	size_t len = head_len + body_len;
	uint8_t *dst;
	int rc;
	if (c->is_closing || c->close_after_flush)
		return WD_ECLOSED;
	if (len > COPY_MAX_LEN) {
		struct wd_buf *b = wd_buf_pool_new(&c->r->framer.pool, len);
		if (b == NULL)
			return failed(c, WD_ENOMEM);
		memcpy(b->data, head, head_len);
		memcpy(b->data + head_len, body, body_len);
		rc = wd_conn_send(c, b);
		wd_buf_unref(b);
		return rc;
	}
	if ((dst = room(c, len, &rc)) == NULL)
		return failed(c, rc);
	memcpy(dst, head, head_len);
	memcpy(dst + head_len, body, body_len);
	mark_dirty(c);
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

/* Releases a queued buffer and its share of the output bound. */
static void drop(struct wd_conn *c, struct wd_buf *b)
{
	c->queued_bytes -= wd_buf_footprint(b);
	wd_buf_unref(b);
}

/* Writes queue[off..off+n) (n <= MAX_IOVS) and returns off + n. The write is tried at once
 * (uv_try_write: no request, no callback when the socket takes it all); what the socket does
 * not take goes into a request that holds the buffers' references until it completes. */
static size_t write_batch(struct wd_conn *c, size_t off)
{
	uv_buf_t iov[MAX_IOVS];
	size_t n = c->n_queue - off < MAX_IOVS ? c->n_queue - off : MAX_IOVS, i = 0, written;
	struct wd_out *q = &c->queue[off];
	struct write_req *w;
	int rc;

	if (n == 0)
		return off;
	for (size_t k = 0; k < n; k++)
		iov[k] = uv_buf_init((char *)q[k].b->data, q[k].len);
	/* uv_try_write refuses (UV_EAGAIN) while earlier requests are pending: order is kept. */
	rc = uv_try_write((uv_stream_t *)&c->tcp, iov, (unsigned)n);
	if (rc < 0 && rc != UV_EAGAIN) {
		for (size_t k = 0; k < n; k++)
			drop(c, q[k].b);
		wd_conn_close(c, uv_strerror(rc));
		return off + n;
	}
	for (written = rc < 0 ? 0 : (size_t)rc; i < n && written >= iov[i].len; i++) {
		written -= iov[i].len;
		drop(c, q[i].b);
	}
	if (i == n)
		return off + n; /* all written */
	iov[i].base += written;
	iov[i].len -= written;
	if ((w = malloc(sizeof(*w) + (n - i) * sizeof(w->bufs[0]))) == NULL) {
		for (size_t k = i; k < n; k++)
			drop(c, q[k].b);
		wd_conn_close(c, "out of memory");
		return off + n;
	}
	w->c = c;
	w->n = n - i;
	w->bytes = sizeof(*w) + w->n * sizeof(w->bufs[0]);
	c->queued_bytes += w->bytes;
	for (size_t k = i; k < n; k++) {
		w->bufs[k - i] = q[k].b; /* the queue's reference moves to the request */
		w->bytes += wd_buf_footprint(q[k].b);
	}
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, iov + i, (unsigned)w->n, on_write) != 0) {
		for (size_t k = 0; k < w->n; k++)
			wd_buf_unref(w->bufs[k]);
		c->queued_bytes -= w->bytes;
		free(w);
		wd_conn_close(c, "write failed");
	}
	return off + n;
}

static void flush_one(struct wd_conn *c)
{
	size_t off = 0;
	while (off < c->n_queue && !c->is_closing)
		off = write_batch(c, off);
	/* after a failure, drop what was not handed over */
	for (size_t i = off; i < c->n_queue; i++)
		drop(c, c->queue[i].b);
	c->n_queue = 0;
	c->tail_open = false;
}

void wd_conn_discard_queued(struct wd_conn *c)
{
	for (size_t i = 0; i < c->n_queue; i++)
		drop(c, c->queue[i].b);
	c->n_queue = 0;
	c->tail_open = false;
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
