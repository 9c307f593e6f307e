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
/* Frames up to this size are copied into the write request (see write_batch), up to this
 * many bytes per request. */
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

/* Hands queue[off..end) to one uv_write. Frames of at most GATHER_MAX_LEN bytes are copied
 * into the request's own memory, one iovec per run of them, and released at once; larger
 * ones are written from the shared buffer by reference. The kernel copies every byte either
 * way, but each iovec costs it far more than copying 100 bytes here: with one iovec per
 * frame, _copy_from_iter was 13 % of wampd's time at msgpack 1->1 against 4 % in the
 * floor, which writes one contiguous buffer. Returns the index after the last frame taken. */
static size_t write_batch(struct wd_conn *c, size_t off)
{
	size_t end = off, n_iov = 0, n_refs = 0, gather = 0, footprint = 0;
	bool in_run = false;
	for (; end < c->n_queue; end++) {
		const struct wd_buf *b = c->queue[end];
		bool small = b->len <= GATHER_MAX_LEN;
		size_t more = small && in_run ? 0 : 1;
		if (n_iov + more > MAX_IOVS || (small && gather + b->len > GATHER_MAX_BYTES))
			break;
		n_iov += more;
		in_run = small;
		if (small)
			gather += b->len;
		else
			n_refs++;
	}
	struct write_req *w = malloc(sizeof(*w) + n_refs * sizeof(w->bufs[0]) + gather);
	uv_buf_t iov[MAX_IOVS];
	if (w == NULL) {
		wd_conn_close(c, "out of memory");
		return off;
	}
	uint8_t *g = (uint8_t *)&w->bufs[n_refs];
	w->c = c;
	w->n = 0;
	n_iov = 0;
	in_run = false;
	for (size_t i = off; i < end; i++) {
		struct wd_buf *b = c->queue[i];
		footprint += wd_buf_footprint(b);
		if (b->len <= GATHER_MAX_LEN) {
			if (!in_run)
				iov[n_iov++] = uv_buf_init((char *)g, 0);
			memcpy(g, b->data, b->len);
			g += b->len;
			iov[n_iov - 1].len += b->len;
			wd_buf_unref(b);
			in_run = true;
		} else {
			w->bufs[w->n++] = b; /* the queue's reference moves to the request */
			iov[n_iov++] = uv_buf_init((char *)b->data, b->len);
			in_run = false;
		}
	}
	/* What is in flight now: the request with its copies, and the frames it references. */
	w->bytes = sizeof(*w) + n_refs * sizeof(w->bufs[0]) + gather;
	for (size_t i = 0; i < w->n; i++)
		w->bytes += wd_buf_footprint(w->bufs[i]);
	c->queued_bytes = c->queued_bytes - footprint + w->bytes;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, iov, (unsigned)n_iov, on_write) != 0) {
		for (size_t i = 0; i < w->n; i++)
			wd_buf_unref(w->bufs[i]);
		c->queued_bytes -= w->bytes;
		free(w);
		wd_conn_close(c, "write failed");
		return end;
	}
	return end;
}

static void flush_one(struct wd_conn *c)
{
	size_t off = 0;
	while (off < c->n_queue && !c->is_closing)
		off = write_batch(c, off);
	/* after a failure, drop what was not handed over */
	for (size_t i = off; i < c->n_queue; i++) {
		c->queued_bytes -= wd_buf_footprint(c->queue[i]);
		wd_buf_unref(c->queue[i]);
	}
	c->n_queue = 0;
}

void wd_conn_discard_queued(struct wd_conn *c)
{
	for (size_t i = 0; i < c->n_queue; i++) {
		c->queued_bytes -= wd_buf_footprint(c->queue[i]);
		wd_buf_unref(c->queue[i]);
	}
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
		if (!c->is_closing)
			update_reading(c);
	}
}
