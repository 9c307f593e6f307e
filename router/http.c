#include "router/http.h"

#include <http_parser.h>
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
#define MAX_FIELD 64
/* A request head must arrive within this time unless the service sets
 * open_handshake_timeout; Crossbar has no such bound, but an idle half-open HTTP connection
 * should not hold resources forever. */
#define DEFAULT_HEAD_TIMEOUT_MS 30000

enum hdr {
	H_UPGRADE,
	H_CONNECTION,
	H_KEY,
	H_VERSION,
	H_PROTOCOL,
	H_ORIGIN,
	H_COUNT,
	H_OTHER = H_COUNT
};

static const char *const hdr_names[H_COUNT] = {
	"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
	"sec-websocket-protocol", "origin",
};

struct http {
	http_parser parser;
	const struct wd_transport_cfg *t;
	struct wd_sbuf url;
	char field[MAX_FIELD + 1];
	size_t field_len;
	bool in_value;
	enum hdr cur;
	struct wd_sbuf hdr[H_COUNT];
	bool has_hdr[H_COUNT];
	size_t head_bytes;
	bool head_done;
	bool is_upgrade;
};

static void http_free(struct wd_conn *c)
{
	struct http *h = c->proto_data;
	if (h == NULL)
		return;
	wd_sbuf_free(&h->url);
	for (int i = 0; i < H_COUNT; i++)
		wd_sbuf_free(&h->hdr[i]);
	free(h);
	c->proto_data = NULL;
}

static void on_head_timeout(struct wd_conn *c)
{
	wd_conn_close(c, "HTTP request head timeout");
}

static void on_http_shutdown(struct wd_conn *c)
{
	wd_conn_close(c, "router shutting down");
}

static void on_http_data(struct wd_conn *c, const uint8_t *data, size_t len);

static const struct wd_conn_proto http_proto = {
	.on_data = on_http_data,
	.on_free = http_free,
	.on_timer = on_head_timeout,
	.on_shutdown = on_http_shutdown,
};

/* Answers with a complete response and closes the connection once it is written. */
static void respond(struct wd_conn *c, int status, const char *reason, const char *ctype,
		    const char *extra_headers, const char *body)
{
	char head[512];
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nServer: wampd/" WD_VERSION
			 "\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 status, reason, ctype, blen, extra_headers ? extra_headers : "");
	struct wd_buf *b = wd_buf_new((size_t)n + blen);
	if (b != NULL) {
		memcpy(b->data, head, (size_t)n);
		memcpy(b->data + n, body, blen);
		wd_conn_send(c, b); /* a first response always fits the bound */
		wd_buf_unref(b);
	}
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) -> %d %s", c->id, c->peer, status,
	       reason);
	wd_conn_close_after_flush(c, "HTTP response sent", 2000);
}

static void respond_text(struct wd_conn *c, int status, const char *reason, const char *body)
{
	respond(c, status, reason, "text/plain; charset=utf-8", NULL, body);
}

static void end_field(struct http *h)
{
	h->cur = H_OTHER;
	for (int i = 0; i < H_COUNT; i++)
		if (h->field_len == strlen(hdr_names[i]) &&
		    strncasecmp(h->field, hdr_names[i], h->field_len) == 0)
			h->cur = (enum hdr)i;
	if (h->cur != H_OTHER && h->has_hdr[h->cur])
		wd_sbuf_append(&h->hdr[h->cur], ", ", 2); /* repeated header: join as a list */
	if (h->cur != H_OTHER)
		h->has_hdr[h->cur] = true;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	return wd_sbuf_append(&h->url, at, len) < 0 ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	if (h->in_value) {
		h->in_value = false;
		h->field_len = 0;
	}
	if (h->field_len + len > MAX_FIELD)
		len = MAX_FIELD - h->field_len; /* long names are none of ours */
	memcpy(h->field + h->field_len, at, len);
	h->field_len += len;
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http *h = p->data;
	if (!h->in_value) {
		h->in_value = true;
		end_field(h);
	}
	if (h->cur == H_OTHER)
		return 0;
	return wd_sbuf_append(&h->hdr[h->cur], at, len) < 0 ? -1 : 0;
}

static int on_headers_complete(http_parser *p)
{
	struct http *h = p->data;
	h->head_done = true;
	return 1; /* no body is expected: skip it */
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
};

/* NUL-terminated header value or NULL when absent. */
static const char *hdr(struct http *h, enum hdr which)
{
	if (!h->has_hdr[which])
		return NULL;
	if (wd_sbuf_append(&h->hdr[which], "", 1) < 0)
		return NULL;
	h->hdr[which].len--; /* keep the NUL out of the length */
	return (const char *)h->hdr[which].data;
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

/* Finds the service for a request path: "/ws" -> "ws", "/" -> "/". */
static const struct wd_service_cfg *route(const struct wd_transport_cfg *t, const char *url)
{
	char path[256];
	size_t n = strcspn(url, "?#");
	if (t->type == WD_TRANSPORT_WEBSOCKET)
		return t->n_services > 0 ? &t->services[0] : NULL;
	if (n >= sizeof(path) || n == 0 || url[0] != '/')
		return NULL;
	memcpy(path, url + 1, n - 1);
	path[n - 1] = '\0';
	if (n > 2 && path[n - 2] == '/')
		path[n - 2] = '\0'; /* "/ws/" serves "ws" too */
	for (size_t i = 0; i < t->n_services; i++) {
		const char *key = t->services[i].path;
		if (strcmp(key, "/") == 0 ? path[0] == '\0' : strcmp(key, path) == 0)
			return &t->services[i];
	}
	return NULL;
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
	respond(c, 200, "OK", "text/html; charset=utf-8", NULL, body);
}

static void upgrade(struct wd_conn *c, struct http *h, const struct wd_service_cfg *svc,
		    const uint8_t *rest, size_t rest_len)
{
	const char *offered[2], *key = hdr(h, H_KEY), *version = hdr(h, H_VERSION);
	const char *origin = hdr(h, H_ORIGIN), *proto = hdr(h, H_PROTOCOL);
	const struct wd_codec *codec = NULL;
	char accept[29], msg[256], head[512];
	int idx, n;
	struct wd_buf *b;

	if (h->parser.method != HTTP_GET) {
		respond_text(c, 405, "Method Not Allowed", "WebSocket upgrade needs GET\n");
		return;
	}
	if (version == NULL || strcmp(version, "13") != 0) {
		respond(c, 426, "Upgrade Required", "text/plain; charset=utf-8",
			"Sec-WebSocket-Version: 13\r\n", "only WebSocket version 13 is supported\n");
		return;
	}
	if (key == NULL || wd_ws_accept_key(key, accept) < 0) {
		respond_text(c, 400, "Bad Request", "missing or invalid Sec-WebSocket-Key\n");
		return;
	}
	if (!wd_ws_origin_allowed(origin, (const char *const *)svc->ws.allowed_origins,
				  svc->ws.n_allowed_origins, svc->ws.allow_null_origin)) {
		snprintf(msg, sizeof(msg), "WebSocket connection denied: origin '%s' not allowed\n",
			 origin);
		wd_log(WD_LOG_INFO, "http", "conn %" PRIu64 " (%s): origin '%s' not allowed", c->id,
		       c->peer, origin);
		respond_text(c, 400, "Bad Request", msg);
		return;
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
		respond_text(c, 400, "Bad Request", msg);
		return;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 101 Switching Protocols\r\nServer: wampd/" WD_VERSION
		     "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n%s%s%sSec-WebSocket-Accept: "
		     "%s\r\n\r\n",
		     idx >= 0 ? "Sec-WebSocket-Protocol: " : "", idx >= 0 ? codec->subprotocol : "",
		     idx >= 0 ? "\r\n" : "", accept);
	if ((b = wd_buf_from(head, (size_t)n)) == NULL) {
		wd_conn_close(c, "out of memory");
		return;
	}
	wd_conn_send(c, b);
	wd_buf_unref(b);
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) upgraded to WebSocket (%s)", c->id,
	       c->peer, codec->subprotocol);
	http_free(c);
	c->proto = NULL;
	if (wd_ws_start(c, svc, codec, rest, rest_len) < 0)
		wd_conn_close(c, "cannot start WebSocket");
}

static void handle_request(struct wd_conn *c, struct http *h, const uint8_t *rest, size_t rest_len)
{
	const char *url, *up;
	const struct wd_service_cfg *svc;
	if (wd_sbuf_append(&h->url, "", 1) < 0) {
		wd_conn_close(c, "out of memory");
		return;
	}
	url = (const char *)h->url.data;
	svc = route(h->t, url);
	wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s) %s %s", c->id, c->peer,
	       http_method_str((enum http_method)h->parser.method), url);
	if (svc == NULL) {
		respond_text(c, 404, "Not Found", "no service at this path\n");
		return;
	}
	up = hdr(h, H_UPGRADE);
	if (up != NULL && has_token(up, "websocket")) {
		const char *conn_hdr = hdr(h, H_CONNECTION);
		if (conn_hdr == NULL || !has_token(conn_hdr, "upgrade")) {
			respond_text(c, 400, "Bad Request", "Connection: Upgrade missing\n");
			return;
		}
		upgrade(c, h, svc, rest, rest_len);
		return;
	}
	if (h->parser.method != HTTP_GET && h->parser.method != HTTP_HEAD) {
		respond_text(c, 405, "Method Not Allowed", "only GET is served here\n");
		return;
	}
	if (!svc->ws.enable_webstatus) {
		respond_text(c, 426, "Upgrade Required", "this is a WebSocket endpoint\n");
		return;
	}
	status_page(c, svc);
}

static void on_http_data(struct wd_conn *c, const uint8_t *data, size_t len)
{
	struct http *h = c->proto_data;
	size_t n = http_parser_execute(&h->parser, &parser_settings, (const char *)data, len);
	h->head_bytes += n;
	if (h->head_done) {
		wd_conn_set_timer(c, 0);
		handle_request(c, h, data + n, len - n);
		return;
	}
	if (HTTP_PARSER_ERRNO(&h->parser) != HPE_OK) {
		wd_log(WD_LOG_DEBUG, "http", "conn %" PRIu64 " (%s): bad request: %s", c->id,
		       c->peer, http_errno_description(HTTP_PARSER_ERRNO(&h->parser)));
		respond_text(c, 400, "Bad Request", "malformed HTTP request\n");
		return;
	}
	if (h->head_bytes > MAX_HEAD_BYTES)
		respond_text(c, 431, "Request Header Fields Too Large", "request head too large\n");
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
	c->proto = &http_proto;
	c->proto_data = h;
	for (size_t i = 0; i < t->n_services; i++)
		if (t->services[i].ws.open_handshake_timeout_ms > 0 &&
		    t->services[i].ws.open_handshake_timeout_ms < timeout_ms)
			timeout_ms = t->services[i].ws.open_handshake_timeout_ms;
	wd_conn_set_timer(c, timeout_ms);
}
