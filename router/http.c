#include "router/http.h"

#include <ctype.h>
#include <http_parser.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/buf.h"
#include "protocol/codec.h"
#include "protocol/ws_handshake.h"
#include "router/conn.h"
#include "router/log.h"
#include "router/router.h"
#include "router/ws.h"

#define MAX_HEAD_BYTES 16384
#define MAX_HEADERS 128
/* A request head must arrive within this time unless the service sets
 * open_handshake_timeout; Crossbar has no such bound, but an idle half-open HTTP connection
 * should not hold resources forever. The same bound applies to each wait for body bytes. */
#define DEFAULT_HEAD_TIMEOUT_MS 30000

struct http {
	http_parser parser;
	const struct wd_transport_cfg *t;
	struct wd_conn *c;
	struct wd_sbuf url;
	struct wd_sbuf name, value; /* header being read */
	bool in_value;
	struct wd_http_header *headers;
	size_t n_headers;
	size_t head_bytes;
	bool head_done;
	bool msg_done;
	/* web service requests (not WebSocket) */
	const struct wd_service_cfg *svc;
	char *subpath;
	bool wants_body;
	struct wd_sbuf body;
	uint64_t body_total;     /* bytes received, kept or not */
	uint64_t body_limit;
	bool body_truncated;
	bool is_dispatched;      /* handed to the web hook */
	bool is_answered;        /* wd_http_respond was called */
	struct wd_http_req req;
	char peer_ip[64];
};

static void http_free(struct wd_conn *c)
{
	struct http *h = c->proto_data;
	if (h == NULL)
		return;
	/* The client went away while the service still owed an answer. */
	if (h->is_dispatched && !h->is_answered && h->req.on_abort != NULL)
		h->req.on_abort(&h->req);
	wd_sbuf_free(&h->url);
	wd_sbuf_free(&h->name);
	wd_sbuf_free(&h->value);
	wd_sbuf_free(&h->body);
	for (size_t i = 0; i < h->n_headers; i++) {
		free(h->headers[i].name);
		free(h->headers[i].value);
	}
	free(h->headers);
	free(h->subpath);
	free(h);
	c->proto_data = NULL;
}

static void on_http_timeout(struct wd_conn *c)
{
	struct http *h = c->proto_data;
	wd_conn_close(c, h != NULL && h->head_done ? "HTTP request body timeout"
						   : "HTTP request head timeout");
}

static void on_http_shutdown(struct wd_conn *c)
{
	wd_conn_close(c, "router shutting down");
}

static void on_http_data(struct wd_conn *c, const uint8_t *data, size_t len);

static const struct wd_conn_proto http_proto = {
	.on_data = on_http_data,
	.on_free = http_free,
	.on_timer = on_http_timeout,
	.on_shutdown = on_http_shutdown,
};

const char *wd_http_reason(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Request Entity Too Large";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Unknown";
	}
}

/* Answers with a complete response and closes the connection once it is written. */
static void send_response(struct wd_conn *c, int status, const char *extra_headers,
			  const void *body, size_t blen, bool omit_body)
{
	static const char tail[] = "Connection: close\r\n\r\n";
	char head[160];
	size_t elen = extra_headers ? strlen(extra_headers) : 0;
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nServer: wampd/" WD_VERSION "\r\nContent-Length: %zu\r\n",
			 status, wd_http_reason(status), blen);
	size_t total = (size_t)n + elen + sizeof(tail) - 1 + (omit_body ? 0 : blen);
	struct wd_buf *b = wd_buf_new(total);
	if (b != NULL) {
		uint8_t *p = b->data;
		memcpy(p, head, (size_t)n);
		p += n;
		if (elen > 0)
			memcpy(p, extra_headers, elen);
		p += elen;
		memcpy(p, tail, sizeof(tail) - 1);
		p += sizeof(tail) - 1;
		b->len = (uint32_t)(p - b->data);
		if (!omit_body && blen > 0) {
			memcpy(p, body, blen);
			b->len += (uint32_t)blen;
		}
		wd_conn_send(c, b); /* a first response always fits the bound */
		wd_buf_unref(b);
	}
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) -> %d %s", c->id, c->peer, status,
	       wd_http_reason(status));
	wd_conn_close_after_flush(c, "HTTP response sent", 2000);
}

static void respond(struct wd_conn *c, int status, const char *ctype, const char *extra_headers,
		    const char *body)
{
	char hdrs[512];
	snprintf(hdrs, sizeof(hdrs), "Content-Type: %s\r\n%s", ctype,
		 extra_headers ? extra_headers : "");
	send_response(c, status, hdrs, body, strlen(body), false);
}

static void respond_text(struct wd_conn *c, int status, const char *body)
{
	respond(c, status, "text/plain; charset=utf-8", NULL, body);
}

void wd_http_respond(struct wd_http_req *req, int status, const char *extra_headers,
		     const void *body, size_t len)
{
	struct http *h = (struct http *)((char *)req - offsetof(struct http, req));
	if (h->is_answered)
		return;
	h->is_answered = true;
	send_response(h->c, status, extra_headers, body, len, req->is_head);
}

/* --- request head ------------------------------------------------------------------------- */

static int commit_header(struct http *h)
{
	struct wd_http_header *hd;
	if (!h->in_value)
		return 0;
	h->in_value = false;
	if (h->n_headers >= MAX_HEADERS)
		return -1;
	if (h->n_headers % 16 == 0) {
		hd = realloc(h->headers, (h->n_headers + 16) * sizeof(*hd));
		if (hd == NULL)
			return -1;
		h->headers = hd;
	}
	hd = &h->headers[h->n_headers];
	if (wd_sbuf_append(&h->name, "", 1) < 0 || wd_sbuf_append(&h->value, "", 1) < 0)
		return -1;
	hd->name = strdup((const char *)h->name.data);
	hd->value = strdup((const char *)h->value.data);
	if (hd->name == NULL || hd->value == NULL) {
		free(hd->name);
		free(hd->value);
		return -1;
	}
	/* http-parser keeps trailing blanks of a value */
	for (size_t n = strlen(hd->value); n > 0 && (hd->value[n - 1] == ' ' ||
						     hd->value[n - 1] == '\t');)
		hd->value[--n] = '\0';
	h->n_headers++;
	wd_sbuf_reset(&h->name);
	wd_sbuf_reset(&h->value);
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	return wd_sbuf_append(&h->url, at, len) < 0 ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	if (h->in_value && commit_header(h) < 0)
		return -1;
	return wd_sbuf_append(&h->name, at, len) < 0 ? -1 : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	h->in_value = true;
	return wd_sbuf_append(&h->value, at, len) < 0 ? -1 : 0;
}

size_t wd_http_header_count(const struct wd_http_req *req, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < req->n_headers; i++)
		n += strcasecmp(req->headers[i].name, name) == 0;
	return n;
}

const char *wd_http_header(const struct wd_http_req *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/* Header value, repeated headers joined as a list ("a, b"); NULL when absent. The joined
 * string lives in h->value until the next call. */
static const char *hdr(struct http *h, const char *name)
{
	const char *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < h->n_headers; i++) {
		if (strcasecmp(h->headers[i].name, name) != 0)
			continue;
		if (n++ == 0) {
			first = h->headers[i].value;
			wd_sbuf_reset(&h->value);
		} else {
			wd_sbuf_append(&h->value, ", ", 2);
		}
		wd_sbuf_append(&h->value, h->headers[i].value, strlen(h->headers[i].value));
	}
	if (n <= 1)
		return first;
	if (wd_sbuf_append(&h->value, "", 1) < 0)
		return NULL;
	return (const char *)h->value.data;
}

static bool has_token(const char *list, const char *token)
{
	size_t tl = strlen(token);
	const char *p = list;
	while (p != NULL && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == tl && strncasecmp(p, token, tl) == 0)
			return true;
		p = end;
	}
	return false;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes src[0..n) into a new string; NULL for "%00", bad escapes or no memory. */
static char *pct_decode(const char *src, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int a, b;
		if (src[i] != '%') {
			*o++ = src[i];
			continue;
		}
		if (i + 2 >= n) {
			free(out);
			return NULL;
		}
		a = hexval(src[i + 1]);
		b = hexval(src[i + 2]);
		if (a < 0 || b < 0 || (a == 0 && b == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(a * 16 + b);
		i += 2;
	}
	*o = '\0';
	return out;
}

/* Finds the service for a request target. A path key matches the first segment ("/ws",
 * "/ws/", and for leaf and static services "/call/anything"); otherwise a "/" service takes
 * the request (Crossbar's root resource). *subpath gets what follows the matched segment, or
 * the whole path for "/", percent-decoded (malloc'd). */
static const struct wd_service_cfg *route(const struct wd_transport_cfg *t, const char *url,
					  char **subpath)
{
	size_t n = strcspn(url, "?#"), seg;
	const char *path = url;
	const struct wd_service_cfg *root = NULL;
	*subpath = NULL;
	if (t->type == WD_TRANSPORT_WEBSOCKET)
		return t->n_services > 0 ? &t->services[0] : NULL;
	if (n == 0 || url[0] != '/')
		return NULL;
	path++;
	n--;
	seg = strcspn(path, "/?#");
	if (seg > n)
		seg = n;
	for (size_t i = 0; i < t->n_services; i++) {
		const struct wd_service_cfg *s = &t->services[i];
		if (strcmp(s->path, "/") == 0) {
			root = s;
			continue;
		}
		if (seg == 0 || strlen(s->path) != seg || strncmp(s->path, path, seg) != 0)
			continue;
		if (s->type == WD_SERVICE_WEBSOCKET && n > seg + 1)
			continue; /* "/ws/" serves "ws"; "/ws/x" does not */
		*subpath = pct_decode(path + seg, n - seg);
		return *subpath != NULL ? s : NULL;
	}
	if (root == NULL || (root->type == WD_SERVICE_WEBSOCKET && n > 0))
		return NULL;
	*subpath = pct_decode(url, n + 1);
	return *subpath != NULL ? root : NULL;
}

static void status_page(struct wd_conn *c, const struct wd_service_cfg *svc)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "<!DOCTYPE html><html><head><title>wampd</title></head><body>"
		 "<h1>wampd " WD_VERSION "</h1><p>This is a WAMP WebSocket endpoint. Connect with "
		 "a WAMP client using the subprotocol %s%s.</p></body></html>",
		 wd_codec_by_id(svc->serializers[0])->subprotocol,
		 svc->n_serializers > 1 ? " or wamp.2.msgpack" : "");
	respond(c, 200, "text/html; charset=utf-8", NULL, body);
}

static void upgrade(struct wd_conn *c, struct http *h, const struct wd_service_cfg *svc,
		    const uint8_t *rest, size_t rest_len)
{
	const char *offered[2], *key, *version, *origin, *proto;
	char *origin_copy = NULL, *proto_copy = NULL, *key_copy = NULL, *version_copy = NULL;
	const struct wd_codec *codec = NULL;
	char accept[29], msg[256], head[512];
	int idx, n;
	struct wd_buf *b;

	/* hdr() reuses one scratch buffer for joined lists: copy what is kept */
	key = hdr(h, "sec-websocket-key");
	key_copy = key ? strdup(key) : NULL;
	version = hdr(h, "sec-websocket-version");
	version_copy = version ? strdup(version) : NULL;
	origin = hdr(h, "origin");
	origin_copy = origin ? strdup(origin) : NULL;
	proto = hdr(h, "sec-websocket-protocol");
	proto_copy = proto ? strdup(proto) : NULL;
	key = key_copy;
	version = version_copy;
	origin = origin_copy;
	proto = proto_copy;

	if (h->parser.method != HTTP_GET) {
		respond_text(c, 405, "WebSocket upgrade needs GET\n");
		goto out;
	}
	if (version == NULL || strcmp(version, "13") != 0) {
		respond(c, 426, "text/plain; charset=utf-8", "Sec-WebSocket-Version: 13\r\n",
			"only WebSocket version 13 is supported\n");
		goto out;
	}
	if (key == NULL || wd_ws_accept_key(key, accept) < 0) {
		respond_text(c, 400, "missing or invalid Sec-WebSocket-Key\n");
		goto out;
	}
	if (!wd_ws_origin_allowed(origin, (const char *const *)svc->ws.allowed_origins,
				  svc->ws.n_allowed_origins, svc->ws.allow_null_origin)) {
		snprintf(msg, sizeof(msg), "WebSocket connection denied: origin '%s' not allowed\n",
			 origin);
		wd_log(WD_LOG_INFO, "http", "conn %" PRIu64 " (%s): origin '%s' not allowed", c->id,
		       c->peer, origin);
		respond_text(c, 400, msg);
		goto out;
	}
	for (size_t i = 0; i < svc->n_serializers; i++)
		offered[i] = wd_codec_by_id(svc->serializers[i])->subprotocol;
	idx = wd_ws_pick_subprotocol(proto, offered, svc->n_serializers);
	if (idx >= 0) {
		codec = wd_codec_by_id(svc->serializers[idx]);
	} else if ((proto == NULL || proto[0] == '\0') && !svc->ws.require_websocket_subprotocol) {
		codec = &wd_codec_json; /* as Crossbar: no subprotocol offered => JSON */
	} else {
		n = snprintf(msg, sizeof(msg), "This server only speaks WebSocket subprotocols");
		for (size_t i = 0; i < svc->n_serializers && n < (int)sizeof(msg); i++)
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s%s", i ? ", " : " ",
				      offered[i]);
		if (n < (int)sizeof(msg) - 1)
			strcat(msg, "\n");
		respond_text(c, 400, msg);
		goto out;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 101 Switching Protocols\r\nServer: wampd/" WD_VERSION
		     "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n%s%s%sSec-WebSocket-Accept: "
		     "%s\r\n\r\n",
		     idx >= 0 ? "Sec-WebSocket-Protocol: " : "", idx >= 0 ? codec->subprotocol : "",
		     idx >= 0 ? "\r\n" : "", accept);
	if ((b = wd_buf_from(head, (size_t)n)) == NULL) {
		wd_conn_close(c, "out of memory");
		goto out;
	}
	wd_conn_send(c, b);
	wd_buf_unref(b);
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) upgraded to WebSocket (%s)", c->id,
	       c->peer, codec->subprotocol);
	http_free(c);
	c->proto = NULL;
	if (wd_ws_start(c, svc, codec, rest, rest_len) < 0)
		wd_conn_close(c, "cannot start WebSocket");
out:
	free(key_copy);
	free(version_copy);
	free(origin_copy);
	free(proto_copy);
}

static void handle_websocket(struct wd_conn *c, struct http *h, const struct wd_service_cfg *svc,
			     const uint8_t *rest, size_t rest_len)
{
	const char *up = hdr(h, "upgrade");
	if (up != NULL && has_token(up, "websocket")) {
		const char *conn_hdr = hdr(h, "connection");
		if (conn_hdr == NULL || !has_token(conn_hdr, "upgrade")) {
			respond_text(c, 400, "Connection: Upgrade missing\n");
			return;
		}
		upgrade(c, h, svc, rest, rest_len);
		return;
	}
	if (h->parser.method != HTTP_GET && h->parser.method != HTTP_HEAD) {
		respond_text(c, 405, "only GET is served here\n");
		return;
	}
	if (!svc->ws.enable_webstatus) {
		respond_text(c, 426, "this is a WebSocket endpoint\n");
		return;
	}
	status_page(c, svc);
}

static bool is_rest(const struct wd_service_cfg *svc)
{
	return svc->type == WD_SERVICE_PUBLISHER || svc->type == WD_SERVICE_CALLER ||
	       svc->type == WD_SERVICE_WEBHOOK;
}

/* Crossbar's AR413 body (bridge/rest/common.py _deny_request), for bodies too large to
 * even drain. */
static void respond_too_large(struct wd_conn *c, uint64_t length, uint64_t accepted)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
			 "{\"error\": \"Request too long. (%" PRIu64
			 " is longer than accepted %" PRIu64 ")\", \"args\": [], \"kwargs\": {}}",
			 length, accepted);
	send_response(c, 413,
		      "Content-Type: application/json; charset=UTF-8\r\n"
		      "Cache-Control: no-store,no-cache,must-revalidate,max-age=0\r\n",
		      body, (size_t)n, false);
}

/* Decides, once the head is complete, whether the body is read (web services) or skipped
 * (WebSocket services, unknown paths). Returns 0 to read the body, 1 to skip it. */
static int on_headers_complete(http_parser *p)
{
	struct http *h = p->data;
	const char *cl;
	if (commit_header(h) < 0)
		return -1;
	h->head_done = true;
	if (wd_sbuf_append(&h->url, "", 1) < 0)
		return -1;
	h->svc = route(h->t, (const char *)h->url.data, &h->subpath);
	if (h->svc == NULL || h->svc->type == WD_SERVICE_WEBSOCKET || p->upgrade)
		return 1;
	h->wants_body = true;
	h->body_limit = is_rest(h->svc) && h->svc->rest.post_body_limit > 0
				? h->svc->rest.post_body_limit
				: WD_HTTP_DEFAULT_BODY_LIMIT;
	cl = NULL;
	for (size_t i = 0; i < h->n_headers; i++)
		if (strcasecmp(h->headers[i].name, "content-length") == 0)
			cl = h->headers[i].value;
	if (cl != NULL && strtoull(cl, NULL, 10) > h->body_limit + WD_HTTP_MAX_DRAIN) {
		/* Not worth reading: answered from on_http_data once execute returns. */
		h->body_truncated = true;
		h->body_total = strtoull(cl, NULL, 10);
		return 1;
	}
	{
		const char *expect = NULL;
		for (size_t i = 0; i < h->n_headers; i++)
			if (strcasecmp(h->headers[i].name, "expect") == 0)
				expect = h->headers[i].value;
		/* curl and PHP send "Expect: 100-continue" for larger bodies and wait a second
		 * for this before sending anyway. */
		if (expect != NULL && strcasecmp(expect, "100-continue") == 0) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			struct wd_buf *b = wd_buf_from(cont, sizeof(cont) - 1);
			if (b != NULL) {
				wd_conn_send(h->c, b);
				wd_buf_unref(b);
			}
		}
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	h->body_total += len;
	if (h->body_truncated)
		return h->body_total > h->body_limit + WD_HTTP_MAX_DRAIN ? -1 : 0;
	if (h->body_total > h->body_limit) {
		/* Keep draining so the 413 reaches a client that is still sending. */
		h->body_truncated = true;
		wd_sbuf_free(&h->body);
		return 0;
	}
	return wd_sbuf_append(&h->body, at, len) < 0 ? -1 : 0;
}

static int on_message_complete(http_parser *p)
{
	struct http *h = p->data;
	h->msg_done = true;
	http_parser_pause(p, 1); /* one request per connection: ignore what follows */
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* The peer address without the port: "127.0.0.1:5000" -> "127.0.0.1", "::1:5000" -> "::1". */
static void peer_ip(const char *peer, char *out, size_t cap)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, peer, n);
	out[n] = '\0';
}

static void dispatch(struct wd_conn *c, struct http *h)
{
	struct wd_http_req *req = &h->req;
	if (wd_sbuf_append(&h->body, "", 1) < 0) {
		wd_conn_close(c, "out of memory");
		return;
	}
	h->body.len--;
	peer_ip(c->peer, h->peer_ip, sizeof(h->peer_ip));
	req->r = c->r;
	req->svc = h->svc;
	req->method = http_method_str((enum http_method)h->parser.method);
	req->is_head = h->parser.method == HTTP_HEAD;
	req->target = (const char *)h->url.data;
	req->subpath = h->subpath;
	{
		const char *q = strchr(req->target, '?');
		req->query = q ? q + 1 : "";
		if (q != NULL) {
			char *hash = strchr(q, '#');
			if (hash != NULL)
				*hash = '\0';
		}
	}
	req->headers = h->headers;
	req->n_headers = h->n_headers;
	req->body = h->body.data != NULL ? h->body.data : (const uint8_t *)"";
	req->body_len = h->body_truncated ? (size_t)h->body_total : h->body.len;
	req->body_truncated = h->body_truncated;
	if (h->body_truncated)
		req->body = (const uint8_t *)"";
	req->peer_ip = h->peer_ip;
	req->is_tls = false;
	h->is_dispatched = true;
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) %s %s (%zu body bytes)", c->id,
	       c->peer, req->method, req->target, req->body_len);
	if (c->r->web == NULL || c->r->web->handle == NULL) {
		h->is_answered = true;
		respond_text(c, 404, "no service at this path\n");
		return;
	}
	c->r->web->handle(c->r->web_ctx, req);
}

static void on_http_data(struct wd_conn *c, const uint8_t *data, size_t len)
{
	struct http *h = c->proto_data;
	size_t n;
	if (h->is_dispatched)
		return; /* one request per connection; the answer is on its way */
	n = http_parser_execute(&h->parser, &parser_settings, (const char *)data, len);
	if (!h->head_done)
		h->head_bytes += n;
	if (h->head_done && !h->wants_body) {
		wd_conn_set_timer(c, 0);
		wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) %s %s", c->id, c->peer,
		       http_method_str((enum http_method)h->parser.method),
		       (const char *)h->url.data);
		if (h->svc == NULL)
			respond_text(c, 404, "no service at this path\n");
		else
			handle_websocket(c, h, h->svc, data + n, len - n);
		return;
	}
	if (h->head_done && h->body_truncated && h->body_total > h->body_limit + WD_HTTP_MAX_DRAIN) {
		wd_conn_set_timer(c, 0);
		respond_too_large(c, h->body_total,
				  is_rest(h->svc) && h->svc->rest.post_body_limit > 0
					  ? h->svc->rest.post_body_limit
					  : WD_HTTP_DEFAULT_BODY_LIMIT);
		return;
	}
	if (h->msg_done) {
		wd_conn_set_timer(c, 0);
		dispatch(c, h);
		return;
	}
	if (HTTP_PARSER_ERRNO(&h->parser) != HPE_OK) {
		enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
		wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s): bad request: %s", c->id,
		       c->peer, http_errno_description(e));
		if (e == HPE_UNEXPECTED_CONTENT_LENGTH)
			/* Crossbar's AR463 for two Content-Length headers */
			respond(c, 400, "application/json; charset=UTF-8", NULL,
				"{\"error\": \"Multiple versions of the same header is not "
				"allowed.\", \"args\": [], \"kwargs\": {}}");
		else
			respond_text(c, 400, "malformed HTTP request\n");
		return;
	}
	if (!h->head_done && h->head_bytes > MAX_HEAD_BYTES) {
		respond_text(c, 431, "request head too large\n");
		return;
	}
	if (h->head_done) /* body bytes keep coming: each wait is bounded */
		wd_conn_set_timer(c, DEFAULT_HEAD_TIMEOUT_MS);
}

void wd_http_attach(struct wd_conn *c, const struct wd_transport_cfg *t)
{
	struct http *h = calloc(1, sizeof(*h));
	uint64_t timeout_ms = DEFAULT_HEAD_TIMEOUT_MS;
	if (h == NULL) {
		wd_conn_close(c, "out of memory");
		return;
	}
	http_parser_init(&h->parser, HTTP_REQUEST);
	h->parser.data = h;
	h->t = t;
	h->c = c;
	c->proto = &http_proto;
	c->proto_data = h;
	for (size_t i = 0; i < t->n_services; i++)
		if (t->services[i].type == WD_SERVICE_WEBSOCKET &&
		    t->services[i].ws.open_handshake_timeout_ms > 0 &&
		    t->services[i].ws.open_handshake_timeout_ms < timeout_ms)
			timeout_ms = t->services[i].ws.open_handshake_timeout_ms;
	wd_conn_set_timer(c, timeout_ms);
}
