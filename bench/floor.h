/* wampd-floor: the reference server of issue 3's targets. It does only what no WAMP router can
 * avoid (WebSocket upgrade and framing, find the subscribers or the callee, copy one pre-built
 * frame to each receiver, coalesced writes once per loop turn) and nothing a router must do on
 * top (no validation, authorization, URI rules, options, IDs from a random source, bounds other
 * than one output cap). Its figures, measured in the same run as wampd's, are the ceiling this
 * box allows; bench/run.sh reports wampd as a share of them.
 *
 * Not a router: one realm, exact topics and procedures, one serializer per topic (topics and
 * procedures are keyed by their encoded bytes), no ERROR for anything; input it does not
 * understand closes the connection. Only wampd-bench talks to it. */
#ifndef WD_FLOOR_H
#define WD_FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "protocol/buf.h"
#include "protocol/ws_parser.h"

struct fl_server;

struct fl_conn {
	uv_tcp_t tcp;
	uv_write_t write_req;
	struct fl_server *srv;
	bool is_upgraded;
	bool is_msgpack;
	bool is_writing;
	bool is_dirty;
	bool is_closing;
	struct fl_conn *next_dirty;
	struct fl_conn *prev, *next; /* the server's connections */
	struct wd_ws_parser ws;
	struct wd_sbuf head; /* the HTTP upgrade request until its blank line */
	struct wd_sbuf out;  /* frames queued this loop turn */
	struct wd_sbuf wout; /* bytes handed to uv_write, alive until on_write */
};

/* A topic or a procedure with its subscribers or callees (callees are invoked round robin). */
struct fl_uri {
	uint8_t *key; /* the URI's encoded bytes (json string with quotes, or msgpack str) */
	size_t key_len;
	uint64_t id;
	struct fl_conn **conns;
	size_t n, cap, next;
};

struct fl_uris {
	struct fl_uri *v;
	size_t n, cap;
};

/* A call between INVOCATION and YIELD, found by its invocation ID (slot = id & mask). */
struct fl_call {
	uint64_t inv_id; /* 0: free */
	uint64_t req_id;
	struct fl_conn *caller;
};

struct fl_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_prepare_t flush;
	uv_signal_t sigterm, sigint;
	struct fl_conn *conns;
	struct fl_conn *dirty;
	uint8_t rbuf[1 << 20];
	struct wd_sbuf scratch; /* one frame being built */
	struct fl_uris topics, procs;
	struct fl_call *calls;
	size_t calls_mask;
	uint64_t next_id; /* session, subscription, registration, publication and invocation IDs */
	size_t max_out;   /* a connection with more output queued is closed */
};

/* floor.c: I/O */
/* Appends one frame (header + message) to c's output; it goes out at the end of this loop turn. */
void fl_conn_send(struct fl_conn *c, const uint8_t *frame, size_t len);
void fl_conn_close(struct fl_conn *c, const char *why);

/* floor_route.c: the WAMP minimum */
/* Handles one whole message from c (its bytes may be modified). */
void fl_route_msg(struct fl_conn *c, uint8_t *p, size_t len);
/* c is going away: drops it from topics, procedures and pending calls. */
void fl_route_forget(struct fl_conn *c);

#endif
