/* Shared inside bridge/ only. */
#ifndef WD_BRIDGE_INTERNAL_H
#define WD_BRIDGE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "bridge/rest_check.h"
#include "config/model.h"
#include "protocol/msg.h"
#include "router/http.h"
#include "router/map.h"
#include "router/session.h"

struct wd_bridge;
struct wd_curl;

/* --- link.c: a router session run by the bridge ------------------------------------------ */

struct wd_link;
/* A message the router sent to the link's session (m valid during the call). May be called
 * from inside wd_link_send. */
typedef void wd_link_msg_cb(struct wd_link *l, const struct wd_msg *m);

struct wd_link {
	struct wd_session_transport t;
	struct wd_session *s;
	wd_link_msg_cb *on_msg;
	void *owner;
	uint64_t next_request;
	bool is_closed;          /* the router aborted the session */
	char name[96];           /* "bridge /call" for logs */
};

/* Joins realm as authrole with an internal session. Returns 0, WD_ENOTFOUND or WD_ENOMEM. */
int wd_link_open(struct wd_link *l, struct wd_router *r, const char *realm, const char *role,
		 const char *name, wd_link_msg_cb *cb, void *owner);
/* Hands msg (borrowed) to the session as if a client had sent it. Returns 0 or WD_ECLOSED. */
int wd_link_send(struct wd_link *l, const json_t *msg);
/* Next session-scope request id. */
uint64_t wd_link_request_id(struct wd_link *l);
/* Leaves the realm and frees the session (not inside one of its callbacks). Idempotent. */
void wd_link_close(struct wd_link *l);

/* --- reply.c: HTTP answers ------------------------------------------------------------------ */

/* Crossbar's _set_common_headers plus extra (may be NULL) into out. */
void wd_reply_common_headers(const struct wd_http_req *req, const char *extra, char *out,
			     size_t cap);
/* status with body text as is, with the common headers. */
void wd_reply_raw(struct wd_http_req *req, int status, const char *extra, const char *body);
/* status with {"error": text, "args": [], "kwargs": {}} (compact, as Crossbar's deny). */
void wd_reply_deny(struct wd_http_req *req, int status, const char *text);
/* status with obj (borrowed) dumped compact (dump_json) or, when spaced, as Python's
 * json.dumps default (", " and ": ", ASCII only: Crossbar's _fail_request). */
void wd_reply_json(struct wd_http_req *req, int status, const json_t *obj, bool spaced);
/* Crossbar's _fail_request for a WAMP ERROR message m: 200 {"error", "args", "kwargs"}. */
void wd_reply_wamp_error(struct wd_http_req *req, const struct wd_msg *m);
/* 500 with Crossbar's runtime_error body. */
void wd_reply_internal(struct wd_http_req *req);

/* --- rest.c: publisher, caller, webhook paths ----------------------------------------------- */

struct wd_pending;

struct wd_rest_path {
	struct wd_bridge *b;
	const struct wd_service_cfg *svc;
	struct wd_link link;
	struct wd_ipnet *nets;
	size_t n_nets;
	struct wd_replay_cache replay;
	struct wd_map pending;   /* request id -> struct wd_pending * */
};

struct wd_pending {
	struct wd_rest_path *path;
	struct wd_http_req *req; /* NULL once answered or abandoned */
	uint64_t request_id;
	uv_timer_t timer;        /* caller timeout */
	bool has_timer;
};

int wd_rest_path_new(struct wd_rest_path **out, struct wd_bridge *b,
		     const struct wd_service_cfg *svc);
void wd_rest_path_handle(struct wd_rest_path *p, struct wd_http_req *req);
/* Answers every pending request with 503 and closes timers (router shutdown). */
void wd_rest_path_stop(struct wd_rest_path *p);
void wd_rest_path_free(struct wd_rest_path *p);

/* Per type: the WAMP message for a checked request (json: the body object, or NULL for the
 * webhook), and the HTTP answer for the router's reply m to it. */
json_t *wd_publisher_message(const json_t *body, uint64_t request_id);
void wd_publisher_reply(struct wd_http_req *req, const struct wd_msg *m);
json_t *wd_caller_message(const json_t *body, uint64_t request_id);
void wd_caller_reply(struct wd_http_req *req, const struct wd_msg *m);
/* The call's timeout: body "timeout" (ms) if a positive integer, else the path's option. */
uint32_t wd_caller_timeout_ms(const json_t *body, const struct wd_rest_cfg *cfg);
void wd_caller_timed_out(struct wd_http_req *req, uint32_t timeout_ms);
json_t *wd_webhook_message(const struct wd_http_req *req, const struct wd_rest_cfg *cfg,
			   uint64_t request_id);
void wd_webhook_reply(struct wd_http_req *req, const struct wd_rest_cfg *cfg,
		      const struct wd_msg *m);

/* --- nodeinfo.c, static.c ------------------------------------------------------------------- */

void wd_nodeinfo_handle(struct wd_bridge *b, struct wd_http_req *req);
void wd_static_handle(struct wd_bridge *b, struct wd_http_req *req);

/* --- curl_uv.c: libcurl's multi interface on the router's loop ----------------------------- */

struct wd_http_call;
/* Fires once per transfer: status 0 when no HTTP response arrived (error text in err). body
 * and headers are valid during the call (headers: a JSON object {name: [values]}). */
typedef void wd_http_done_cb(struct wd_http_call *call, void *ud, long status, const char *err,
			     const char *body, size_t body_len, json_t *headers);

struct wd_http_request_spec {
	const char *method;
	const char *url;
	const char *body;          /* may be NULL */
	size_t body_len;
	const json_t *headers;     /* {name: [v, ...]} or {name: v}; may be NULL */
	const char *content_type;  /* added when not NULL */
	uint32_t timeout_ms;
};

int wd_curl_new(struct wd_curl **out, uv_loop_t *loop);
/* Starts a transfer; cb fires later (never from inside this call). Returns 0 or WD_E*. */
int wd_curl_start(struct wd_curl *cu, const struct wd_http_request_spec *spec,
		  wd_http_done_cb *cb, void *ud, struct wd_http_call **out);
/* Cancels a transfer: its callback will not fire. */
void wd_curl_cancel(struct wd_curl *cu, struct wd_http_call *call);
/* Cancels everything and closes the libuv handles (router shutdown). */
void wd_curl_stop(struct wd_curl *cu);
/* Frees what is left (after the loop ended). */
void wd_curl_free(struct wd_curl *cu);

/* --- forwarder.c, callee.c ------------------------------------------------------------------ */

/* What both component kinds share; each embeds it first. */
struct wd_component {
	const struct wd_component_cfg *cfg;
	struct wd_bridge *b;
	struct wd_link link;
	void (*stop)(struct wd_component *c);
	void (*free)(struct wd_component *c);
};

int wd_forwarder_new(struct wd_component **out, struct wd_bridge *b,
		     const struct wd_component_cfg *cfg);
int wd_callee_new(struct wd_component **out, struct wd_bridge *b,
		  const struct wd_component_cfg *cfg);
void wd_component_stop(struct wd_component *c);
void wd_component_free(struct wd_component *c);

/* --- bridge.c ------------------------------------------------------------------------------- */

struct wd_bridge {
	struct wd_router *r;
	struct wd_rest_path **paths;
	size_t n_paths;
	struct wd_component **components;
	size_t n_components;
	struct wd_curl *curl;
	bool is_stopping;
};

/* Wall clock in seconds (signature timestamps). */
double wd_bridge_now(void);

#endif
