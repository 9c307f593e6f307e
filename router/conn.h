/* A TCP connection: libuv handles, the shared read path, the write queue (flushed once per loop
 * turn: output chunks holding copies of small frames, and references to shared frames over
 * 1 KiB) and the output bound that protects the router from slow consumers. The protocol on
 * top (HTTP, then WebSocket) is reached through conn->proto. */
#ifndef WD_CONN_H
#define WD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "protocol/buf.h"

struct wd_router;
struct wd_conn;
struct wd_listener;

/* Protocol layer attached to a connection (http.c first, ws.c after the upgrade). */
struct wd_conn_proto {
	/* Bytes arrived (borrowed, valid during the call). */
	void (*on_data)(struct wd_conn *c, const uint8_t *data, size_t len);
	/* The connection is being freed: release protocol state (called once). */
	void (*on_free)(struct wd_conn *c);
	/* A timer armed with wd_conn_set_timer fired. */
	void (*on_timer)(struct wd_conn *c);
	/* The router shuts down: say goodbye (then call wd_conn_close_after_flush). */
	void (*on_shutdown)(struct wd_conn *c);
};

/* A piece of queued output: len bytes of b's data (b: a reference; a chunk being filled has
 * more room than len). */
struct wd_out {
	struct wd_buf *b;
	uint32_t len;
};

struct wd_conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	struct wd_router *r;
	const struct wd_listener *listener;
	uint64_t id;
	char peer[64];                 /* "ip:port" for logs */
	const struct wd_conn_proto *proto;
	void *proto_data;              /* owned by the protocol layer */
	struct wd_conn *prev, *next;   /* router's list of connections */
	struct wd_conn *next_dirty;    /* router's list of connections with queued output */
	struct wd_out *queue;          /* output waiting for the next flush */
	size_t n_queue, cap_queue;
	bool tail_open;                /* the last entry is a chunk small frames are copied into */
	size_t queued_bytes;           /* memory of frames queued + in flight (wd_buf_footprint) */
	int open_handles;
	bool is_dirty;
	bool is_closing;
	bool is_reading;
	bool close_after_flush;        /* close once everything queued is written */
};

/* Called by the listener for an accepted socket; takes over the tcp handle's ownership. */
int wd_conn_accept(struct wd_router *r, const struct wd_listener *l, uv_stream_t *server);

/* Queues frame: a copy of a small one, a reference to a large one (the caller keeps its
 * own reference either way). Returns 0, WD_ECLOSED (closing:
 * dropped silently) or WD_ETOOBIG (over the output bound, logged: the caller must close the
 * connection as a slow consumer, e.g. wd_conn_discard_queued + a 1008 close frame). */
int wd_conn_send(struct wd_conn *c, struct wd_buf *frame);

/* Queues a frame made of head[0..head_len) followed by body[0..body_len) (both borrowed,
 * copied): for a frame with one receiver, which needs no shared buffer. Returns as
 * wd_conn_send. */
int wd_conn_send_copy(struct wd_conn *c, const uint8_t *head, size_t head_len,
		      const uint8_t *body, size_t body_len);

/* Drops queued frames that have not been handed to the kernel yet (whole frames only, so
 * what is in flight stays well-formed). */
void wd_conn_discard_queued(struct wd_conn *c);

/* Closes now (queued output is dropped). Idempotent; frees from the close callback. */
void wd_conn_close(struct wd_conn *c, const char *why);
/* Closes once the queued output has been written, or after grace_ms at the latest. */
void wd_conn_close_after_flush(struct wd_conn *c, const char *why, uint64_t grace_ms);

/* (Re)arms the connection's single timer; 0 stops it. proto->on_timer fires. */
void wd_conn_set_timer(struct wd_conn *c, uint64_t timeout_ms);

/* Writes every dirty connection's queue (called from the router's uv_prepare). */
void wd_conn_flush_all(struct wd_router *r);

#endif
