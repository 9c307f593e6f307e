/* The daemon's root object: one per process, owned by the loop thread. Everything reaches
 * router state through it (no mutable globals), which keeps modules testable. */
#ifndef WD_ROUTER_H
#define WD_ROUTER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config/model.h"
#include "protocol/envelope.h"
#include "router/frame.h"
#include "router/map.h"

struct wd_conn;
struct wd_listener;
struct wd_invocation;
struct wd_http_req;

/* Web path services other than WebSocket (publisher, caller, webhook, nodeinfo, static) and
 * the bridge components live in bridge/, which is built on the router's public session API.
 * So that the router does not link against its own client, the bridge plugs in through
 * these hooks (bridge/bridge.h wd_bridge_attach); without them such paths answer 404. */
struct wd_web_ops {
	/* A complete request (see router/http.h for its lifetime). */
	void (*handle)(void *ctx, struct wd_http_req *req);
	/* Router shutdown began: cancel outbound work and close the hook's libuv handles. */
	void (*stop)(void *ctx);
	/* After the loop ended, before realms are freed: leave realms and free everything. */
	void (*free)(void *ctx);
};

struct wd_router {
	uv_loop_t *loop;
	const struct wd_config *cfg;     /* borrowed; outlives the router */
	struct wd_map realms;            /* name -> struct wd_realm * */
	struct wd_map sessions;          /* session id -> struct wd_session * (all realms) */
	struct wd_listener *listeners;   /* singly linked */
	struct wd_conn *conns;           /* every open connection, doubly linked */
	size_t n_conns;                  /* how many */
	struct wd_conn *dirty;           /* connections with queued output, singly linked */
	uv_prepare_t flush;              /* flushes dirty connections once per loop turn */
	uv_signal_t sigint, sigterm;
	uv_timer_t shutdown_timer;       /* bounds the graceful shutdown */
	uv_timer_t call_timer;           /* fires at the earliest CALL timeout (dealer.c) */
	struct wd_invocation *timed_head, *timed_tail; /* calls with a timeout, by deadline */
	struct wd_invocation *spare_invs; /* freed invocations kept for reuse (dealer.c) */
	size_t n_spare_invs;
	uint64_t stop_deadline_ms;       /* loop time after which connections are dropped */
	struct wd_framer framer;         /* builds outgoing frames */
	struct wd_envelope envelope;     /* fast decoding of PUBLISH/CALL/YIELD (session.c) */
	uint8_t read_buf[65536];         /* shared: consumed synchronously in read callbacks */
	bool is_reading_buf;             /* read_buf lent to libuv and not yet returned */
	uint64_t next_conn_id;
	size_t max_queued_bytes;         /* per-connection output bound (slow consumers) */
	bool is_stopping;
	const struct wd_web_ops *web;    /* NULL until bridge/ attaches */
	void *web_ctx;
	uint64_t started_ms;             /* loop time at start (uptime for nodeinfo) */
	const char *cbdir;               /* node directory (static paths); borrowed, may be NULL */
};

/* Builds router state from cfg (realms) and binds every transport's listener. Returns 0 or a
 * WD_E* (bind failure is logged with the address). */
int wd_router_init(struct wd_router *r, uv_loop_t *loop, const struct wd_config *cfg);
/* Starts a graceful shutdown: GOODBYE wamp.close.system_shutdown to every session, close
 * listeners, then close connections once flushed (bounded by a timer). Idempotent. */
void wd_router_stop(struct wd_router *r);
/* Frees everything once the loop has finished. */
void wd_router_deinit(struct wd_router *r);

#endif
