/* crossbar.bridge.rest.RESTCallee: registers extra.procedure; each call's method, url, body,
 * headers and params (keyword or positional, as the Python handler's signature takes them)
 * become one HTTP request to urljoin(baseurl, url); the result is one positional dict
 * {"code": status, "content": text, "headers": {"Name": ["v", ...]}} (bridge/rest/callee.py).
 * A request that gets no HTTP response is answered wamp.error.runtime_error, as autobahn
 * reports the Python exception. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"
#include "protocol/error.h"
#include "router/log.h"
#include "bridge/curl_api.h"

/* libcurl is loaded on demand (curl_api.h); every call goes through its table. */
#define CURL_API (wd_curl_api_get())

struct invocation;

struct callee {
	struct wd_component base;
	uint64_t register_request;
	struct invocation *invocations;
	bool is_stopped;
};

struct invocation {
	struct callee *c;
	uint64_t request_id; /* INVOCATION.Request */
	struct wd_http_call *call;
	struct invocation *prev, *next;
};

static void inv_unlink(struct invocation *inv)
{
	struct callee *c = inv->c;
	if (inv->prev != NULL)
		inv->prev->next = inv->next;
	else
		c->invocations = inv->next;
	if (inv->next != NULL)
		inv->next->prev = inv->prev;
}

static void reply_error(struct callee *c, uint64_t request_id, const char *uri, const char *text)
{
	json_t *msg = json_pack("[iiI{}s[s]]", WD_MSG_ERROR, WD_MSG_INVOCATION,
				(json_int_t)request_id, uri, text);
	if (msg != NULL)
		wd_link_send(&c->base.link, msg);
	json_decref(msg);
}

static void on_response(struct wd_http_call *call, void *ud, long status, const char *err,
			const char *body, size_t body_len, json_t *headers)
{
	struct invocation *inv = ud;
	struct callee *c = inv->c;
	json_t *content, *msg;
	(void)call;
	inv_unlink(inv);
	if (status == 0) {
		reply_error(c, inv->request_id, "wamp.error.runtime_error", err ? err : "failed");
		free(inv);
		return;
	}
	/* treq's text_content decodes as UTF-8 with replacement */
	if ((content = json_stringn(body, body_len)) == NULL) {
		char *copy = strndup(body, body_len);
		for (size_t i = 0; copy != NULL && i < body_len; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		content = json_string(copy ? copy : "");
		free(copy);
	}
	msg = json_pack("[iI{}[{s:I, s:o, s:O}]]", WD_MSG_YIELD, (json_int_t)inv->request_id,
			"code", (json_int_t)status, "content", content, "headers", headers);
	if (msg != NULL)
		wd_link_send(&c->base.link, msg);
	json_decref(msg);
	free(inv);
}

/* urljoin(base, url) for the cases a REST client uses: absolute URLs, "//host/x", "/x",
 * "x" (relative to base's directory), "?q" and "". */
static char *url_join(const char *base, const char *url)
{
	const char *scheme_end = strstr(base, "://");
	const char *host_start = scheme_end ? scheme_end + 3 : base;
	const char *path_start = strchr(host_start, '/');
	const char *q = strchr(base, '?');
	size_t keep;
	char *out;
	if (strstr(url, "://") != NULL && strcspn(url, "/?#") > strcspn(url, ":"))
		return strdup(url);
	if (url[0] == '\0')
		return strdup(base);
	if (url[0] == '/' && url[1] == '/')
		keep = scheme_end ? (size_t)(scheme_end - base) + 1 : 0;
	else if (url[0] == '/')
		keep = path_start ? (size_t)(path_start - base) : strlen(base);
	else if (url[0] == '?')
		keep = q ? (size_t)(q - base) : strlen(base);
	else {
		const char *end = q ? q : base + strlen(base);
		const char *slash = end;
		while (slash > host_start && slash[-1] != '/')
			slash--;
		keep = slash > host_start ? (size_t)(slash - base) : strlen(base);
		if (slash <= host_start) {
			/* "http://host" + "x" -> "http://host/x" */
			if ((out = malloc(strlen(base) + strlen(url) + 2)) == NULL)
				return NULL;
			sprintf(out, "%s/%s", base, url);
			return out;
		}
	}
	if ((out = malloc(keep + strlen(url) + 1)) == NULL)
		return NULL;
	memcpy(out, base, keep);
	strcpy(out + keep, url);
	return out;
}

/* Appends params ({"k": "v"}) as a query, percent-encoded. */
static char *add_params(char *url, const json_t *params, CURL *esc)
{
	struct wd_sbuf b = {0};
	const char *k;
	json_t *v;
	bool first = strchr(url, '?') == NULL;
	wd_sbuf_append(&b, url, strlen(url));
	json_object_foreach((json_t *)params, k, v)
	{
		char *ek, *ev;
		if (!json_is_string(v))
			continue;
		ek = CURL_API->easy_escape(esc, k, 0);
		ev = CURL_API->easy_escape(esc, json_string_value(v), 0);
		if (ek != NULL && ev != NULL) {
			wd_sbuf_append(&b, first ? "?" : "&", 1);
			wd_sbuf_append(&b, ek, strlen(ek));
			wd_sbuf_append(&b, "=", 1);
			wd_sbuf_append(&b, ev, strlen(ev));
			first = false;
		}
		CURL_API->free(ek);
		CURL_API->free(ev);
	}
	wd_sbuf_append(&b, "", 1);
	free(url);
	return (char *)b.data;
}

/* The handler's parameters (method, url, body, headers, params) by keyword or position. */
static const json_t *param(const struct wd_msg *m, const char *name, size_t pos)
{
	const json_t *v = m->kwargs ? json_object_get(m->kwargs, name) : NULL;
	if (v == NULL && m->args != NULL)
		v = json_array_get(m->args, pos);
	return v;
}

static void on_invocation(struct callee *c, const struct wd_msg *m)
{
	const struct wd_component_cfg *cfg = c->base.cfg;
	const json_t *method = param(m, "method", 0), *url = param(m, "url", 1);
	const json_t *body = param(m, "body", 2), *headers = param(m, "headers", 3);
	const json_t *params = param(m, "params", 4);
	struct wd_http_request_spec spec = {0};
	struct invocation *inv;
	char *full;
	CURL *esc;
	int rc;
	if (!json_is_string(method) || (url != NULL && !json_is_string(url) && !json_is_null(url)) ||
	    (body != NULL && !json_is_string(body)) || (headers != NULL && !json_is_object(headers)) ||
	    (params != NULL && !json_is_object(params))) {
		reply_error(c, m->id1, "wamp.error.invalid_argument",
			    "expected method (string) and optional url, body (strings), headers "
			    "({name: [values]}) and params ({name: value})");
		return;
	}
	if ((full = url_join(cfg->baseurl, json_is_string(url) ? json_string_value(url) : "")) ==
	    NULL) {
		reply_error(c, m->id1, "wamp.error.runtime_error", "out of memory");
		return;
	}
	if (params != NULL && (esc = CURL_API->easy_init()) != NULL) {
		full = add_params(full, params, esc);
		CURL_API->easy_cleanup(esc);
	}
	if (full == NULL || (inv = calloc(1, sizeof(*inv))) == NULL) {
		free(full);
		reply_error(c, m->id1, "wamp.error.runtime_error", "out of memory");
		return;
	}
	inv->c = c;
	inv->request_id = m->id1;
	spec.method = json_string_value(method);
	spec.url = full;
	spec.body = body ? json_string_value(body) : "";
	spec.body_len = body ? json_string_length(body) : 0;
	spec.headers = headers;
	spec.timeout_ms = cfg->timeout_ms;
	if (cfg->debug)
		wd_log(WD_LOG_INFO, "bridge", "RESTCallee: %s %s", spec.method, full);
	rc = wd_curl_start(c->base.b->curl, &spec, on_response, inv, &inv->call);
	free(full);
	if (rc < 0) {
		free(inv);
		reply_error(c, m->id1, "wamp.error.runtime_error", "cannot start the HTTP request");
		return;
	}
	inv->next = c->invocations;
	if (c->invocations != NULL)
		c->invocations->prev = inv;
	c->invocations = inv;
}

static void on_router_msg(struct wd_link *l, const struct wd_msg *m)
{
	struct callee *c = l->owner;
	const struct wd_component_cfg *cfg = c->base.cfg;
	if (c->is_stopped)
		return;
	if (m->type == WD_MSG_REGISTERED && m->id1 == c->register_request)
		wd_log(WD_LOG_INFO, "bridge", "RESTCallee: %s -> %s", cfg->procedure, cfg->baseurl);
	else if (m->type == WD_MSG_ERROR && m->req_type == WD_MSG_REGISTER)
		wd_log(WD_LOG_ERROR, "bridge", "RESTCallee: cannot register %s: %s", cfg->procedure,
		       m->uri);
	else if (m->type == WD_MSG_INVOCATION)
		on_invocation(c, m);
}

static void callee_stop(struct wd_component *comp)
{
	struct callee *c = (struct callee *)comp;
	c->is_stopped = true;
	while (c->invocations != NULL) {
		struct invocation *inv = c->invocations;
		inv_unlink(inv);
		wd_curl_cancel(c->base.b->curl, inv->call);
		free(inv);
	}
}

static void callee_free(struct wd_component *comp)
{
	struct callee *c = (struct callee *)comp;
	wd_link_close(&c->base.link);
	free(c);
}

int wd_callee_new(struct wd_component **out, struct wd_bridge *b,
		  const struct wd_component_cfg *cfg)
{
	struct callee *c = calloc(1, sizeof(*c));
	json_t *msg;
	int rc;
	if (c == NULL)
		return WD_ENOMEM;
	c->base.cfg = cfg;
	c->base.b = b;
	c->base.stop = callee_stop;
	c->base.free = callee_free;
	if ((rc = wd_link_open(&c->base.link, b->r, cfg->realm, cfg->role, "RESTCallee",
			       on_router_msg, c)) < 0) {
		wd_log(WD_LOG_ERROR, "bridge", "RESTCallee: cannot join realm %s: %s", cfg->realm,
		       rc == WD_ENOTFOUND ? "no such realm" : wd_strerror(rc));
		free(c);
		return rc;
	}
	c->register_request = wd_link_request_id(&c->base.link);
	msg = json_pack("[iI{}s]", WD_MSG_REGISTER, (json_int_t)c->register_request,
			cfg->procedure);
	if (msg != NULL)
		wd_link_send(&c->base.link, msg);
	json_decref(msg);
	*out = &c->base;
	return 0;
}
