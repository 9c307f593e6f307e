/* The HTTP/1.1 side of a connection: parses the request with http-parser, routes it by path to
 * a web path service, performs the RFC 6455 upgrade for WebSocket services, and hands every
 * other service's request (with its body) to the router's web service hook (bridge/). */
#ifndef WD_HTTP_H
#define WD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"

struct wd_conn;
struct wd_router;

/* Starts reading an HTTP request on c for transport t (borrowed, outlives c). */
void wd_http_attach(struct wd_conn *c, const struct wd_transport_cfg *t);

struct wd_http_header {
	char *name;  /* as received */
	char *value; /* as received, without surrounding blanks */
};

/* One complete request for a non-WebSocket path service. Owned by router/http.c; valid until
 * the service answers with wd_http_respond or, if it has not answered yet, until on_abort. */
struct wd_http_req {
	struct wd_router *r;
	const struct wd_service_cfg *svc; /* borrowed from the router's config */
	const char *method;               /* "POST" */
	bool is_head;                     /* HEAD: wd_http_respond leaves the body out */
	const char *target;               /* the request target as received ("/call?x=1") */
	const char *subpath;              /* path below the service's segment, percent-decoded
	                                   * ("" or "/a/b.html"); for "/" services the whole path */
	const char *query;                /* raw query string after '?' (no '#...'), or "" */
	struct wd_http_header *headers;
	size_t n_headers;
	const uint8_t *body;              /* NUL-terminated for convenience (not counted) */
	size_t body_len;
	bool body_truncated;              /* the body was over the service's limit: body_len
	                                   * bytes arrived but none were kept (body is "") */
	const char *peer_ip;              /* "127.0.0.1", "::1" */
	bool is_tls;                      /* always false until TLS lands */
	/* Set by the service when it answers later: called once if the client goes away first;
	 * the service must forget req (it is freed right after). */
	void (*on_abort)(struct wd_http_req *req);
	void *service_data;
};

/* First value of header name (case-insensitive), or NULL. */
const char *wd_http_header(const struct wd_http_req *req, const char *name);
/* How many times header name appears. */
size_t wd_http_header_count(const struct wd_http_req *req, const char *name);

/* Answers req: status line with reason, "Content-Length", "Connection: close", the headers in
 * extra_headers (each "Name: value\r\n", may be NULL) and body[0..len) unless HEAD. The
 * connection closes once it is written. req must not be used afterwards. */
void wd_http_respond(struct wd_http_req *req, int status, const char *extra_headers,
		     const void *body, size_t len);

/* The reason phrase for a status code ("Not Found"). */
const char *wd_http_reason(int status);

/* Request bodies for web services are bounded: a service's own limit when it has one
 * (post_body_limit), this otherwise. Crossbar reads any size; see README "HTTP bridge". */
#define WD_HTTP_DEFAULT_BODY_LIMIT (16u << 20)
/* Past limit + this, the body is not even drained: 413 at once and the connection closes. */
#define WD_HTTP_MAX_DRAIN (1u << 20)

#endif
