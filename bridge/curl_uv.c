/* libcurl's multi interface driven by the router's libuv loop: curl tells which sockets to
 * watch (CURLMOPT_SOCKETFUNCTION -> uv_poll) and when to call back (CURLMOPT_TIMERFUNCTION ->
 * uv_timer); the loop reports readiness with curl_multi_socket_action. Nothing blocks. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "bridge/internal.h"
#include "protocol/error.h"
#include "router/log.h"
#include "bridge/curl_api.h"

/* libcurl is loaded on demand (curl_api.h); every call goes through its table. */
#define CURL_API (wd_curl_api_get())

struct wd_curl {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	struct wd_http_call *calls; /* doubly linked */
	bool is_stopped;
};

struct sock {
	uv_poll_t poll;
	curl_socket_t fd;
	struct wd_curl *cu;
};

struct wd_http_call {
	struct wd_curl *cu;
	CURL *easy;
	struct curl_slist *headers;
	char *req_body;
	struct wd_sbuf body;
	json_t *resp_headers;
	char err[CURL_ERROR_SIZE];
	wd_http_done_cb *cb;
	void *ud;
	struct wd_http_call *prev, *next;
};

static void call_free(struct wd_http_call *call)
{
	struct wd_curl *cu = call->cu;
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		cu->calls = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	if (cu->multi != NULL)
		CURL_API->multi_remove_handle(cu->multi, call->easy);
	CURL_API->easy_cleanup(call->easy);
	CURL_API->slist_free_all(call->headers);
	free(call->req_body);
	wd_sbuf_free(&call->body);
	json_decref(call->resp_headers);
	free(call);
}

static void check_done(struct wd_curl *cu)
{
	CURLMsg *msg;
	int left;
	while (cu->multi != NULL && (msg = CURL_API->multi_info_read(cu->multi, &left)) != NULL) {
		struct wd_http_call *call = NULL;
		long status = 0;
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL_API->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		if (msg->data.result == CURLE_OK)
			CURL_API->easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
		else if (call->err[0] == '\0')
			snprintf(call->err, sizeof(call->err), "%s",
				 CURL_API->easy_strerror(msg->data.result));
		CURL_API->multi_remove_handle(cu->multi, call->easy);
		if (wd_sbuf_append(&call->body, "", 1) == 0)
			call->body.len--;
		call->cb(call, call->ud, msg->data.result == CURLE_OK ? status : 0,
			 msg->data.result == CURLE_OK ? NULL : call->err,
			 call->body.data ? (const char *)call->body.data : "", call->body.len,
			 call->resp_headers);
		call_free(call);
	}
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	struct sock *s = p->data;
	struct wd_curl *cu = s->cu;
	int flags = 0, running;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	CURL_API->multi_socket_action(cu->multi, s->fd, flags, &running);
	check_done(cu);
}

static void on_sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct wd_curl *cu = userp;
	struct sock *s = socketp;
	int events = 0;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, on_sock_closed);
			CURL_API->multi_assign(cu->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->fd = fd;
		s->cu = cu;
		if (uv_poll_init_socket(cu->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		CURL_API->multi_assign(cu->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_timer(uv_timer_t *t)
{
	struct wd_curl *cu = t->data;
	int running;
	CURL_API->multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(cu);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct wd_curl *cu = userp;
	(void)multi;
	if (cu->is_stopped)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&cu->timer);
	else
		uv_timer_start(&cu->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

int wd_curl_new(struct wd_curl **out, uv_loop_t *loop)
{
	struct wd_curl *cu;
	char err[256];
	if (wd_curl_api_load(err, sizeof(err)) == NULL) {
		wd_log(WD_LOG_ERROR, "bridge", "%s", err);
		return WD_EUNSUPPORTED;
	}
	if ((cu = calloc(1, sizeof(*cu))) == NULL)
		return WD_ENOMEM;
	if (CURL_API->global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (cu->multi = CURL_API->multi_init()) == NULL) {
		free(cu);
		return WD_ENOMEM;
	}
	cu->loop = loop;
	uv_timer_init(loop, &cu->timer);
	cu->timer.data = cu;
	CURL_API->multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	CURL_API->multi_setopt(cu->multi, CURLMOPT_SOCKETDATA, cu);
	CURL_API->multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	CURL_API->multi_setopt(cu->multi, CURLMOPT_TIMERDATA, cu);
	*out = cu;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct wd_http_call *call = ud;
	/* responses are for WAMP payloads: bounded */
	if (call->body.len + size * n > (16u << 20))
		return 0;
	return wd_sbuf_append(&call->body, data, size * n) < 0 ? 0 : size * n;
}

/* Twisted's canonical capitalisation, as Crossbar's RESTCallee returns names. */
static void canonical_name(const char *in, size_t n, char *out, size_t cap)
{
	size_t i;
	bool start = true;
	for (i = 0; i < n && i + 1 < cap; i++) {
		out[i] = start ? (char)toupper((unsigned char)in[i]) : (char)tolower((unsigned char)in[i]);
		start = in[i] == '-';
	}
	out[i] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct wd_http_call *call = ud;
	size_t len = size * n, k, vs, ve;
	char name[128], *value;
	json_t *list;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		json_object_clear(call->resp_headers); /* a new response (after 1xx or redirect) */
		return len;
	}
	for (k = 0; k < len && data[k] != ':'; k++)
		;
	if (k == 0 || k == len)
		return len;
	canonical_name(data, k, name, sizeof(name));
	for (vs = k + 1; vs < len && (data[vs] == ' ' || data[vs] == '\t'); vs++)
		;
	for (ve = len; ve > vs && (data[ve - 1] == '\r' || data[ve - 1] == '\n' ||
				   data[ve - 1] == ' '); ve--)
		;
	if ((value = strndup(data + vs, ve - vs)) == NULL)
		return 0;
	if ((list = json_object_get(call->resp_headers, name)) == NULL) {
		list = json_array();
		json_object_set_new(call->resp_headers, name, list);
	}
	json_array_append_new(list, json_string(value));
	free(value);
	return len;
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[2048];
	struct curl_slist *l;
	if (strchr(value, '\r') || strchr(value, '\n') || strchr(name, '\r') || strchr(name, '\n'))
		return WD_EINVAL;
	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((l = CURL_API->slist_append(*list, line)) == NULL)
		return WD_ENOMEM;
	*list = l;
	return 0;
}

int wd_curl_start(struct wd_curl *cu, const struct wd_http_request_spec *spec,
		  wd_http_done_cb *cb, void *ud, struct wd_http_call **out)
{
	struct wd_http_call *call;
	const char *name;
	json_t *v;
	bool has_ct = false;
	if (cu->is_stopped)
		return WD_ECLOSED;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return WD_ENOMEM;
	call->cu = cu;
	call->cb = cb;
	call->ud = ud;
	if ((call->easy = CURL_API->easy_init()) == NULL || (call->resp_headers = json_object()) == NULL)
		goto fail;
	json_object_foreach((json_t *)spec->headers, name, v)
	{
		size_t i;
		json_t *it;
		if (strcasecmp(name, "content-type") == 0)
			has_ct = true;
		if (json_is_string(v) && add_header(&call->headers, name, json_string_value(v)) < 0)
			goto fail;
		if (json_is_array(v))
			json_array_foreach(v, i, it) if (json_is_string(it) &&
							 add_header(&call->headers, name,
								    json_string_value(it)) < 0) goto fail;
	}
	if (spec->content_type != NULL && !has_ct &&
	    add_header(&call->headers, "Content-Type", spec->content_type) < 0)
		goto fail;
	/* no "Expect: 100-continue" round trip */
	if (add_header(&call->headers, "Expect", "") < 0)
		goto fail;
	CURL_API->easy_setopt(call->easy, CURLOPT_URL, spec->url);
	CURL_API->easy_setopt(call->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	CURL_API->easy_setopt(call->easy, CURLOPT_NOSIGNAL, 1L);
	CURL_API->easy_setopt(call->easy, CURLOPT_CUSTOMREQUEST, spec->method);
	if (strcmp(spec->method, "HEAD") == 0)
		CURL_API->easy_setopt(call->easy, CURLOPT_NOBODY, 1L);
	if (spec->body != NULL && (spec->body_len > 0 || strcmp(spec->method, "GET") != 0) &&
	    strcmp(spec->method, "HEAD") != 0) {
		if ((call->req_body = malloc(spec->body_len + 1)) == NULL)
			goto fail;
		memcpy(call->req_body, spec->body, spec->body_len);
		CURL_API->easy_setopt(call->easy, CURLOPT_POSTFIELDS, call->req_body);
		CURL_API->easy_setopt(call->easy, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)spec->body_len);
	}
	CURL_API->easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers);
	CURL_API->easy_setopt(call->easy, CURLOPT_TIMEOUT_MS, (long)spec->timeout_ms);
	CURL_API->easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)spec->timeout_ms);
	CURL_API->easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, on_body);
	CURL_API->easy_setopt(call->easy, CURLOPT_WRITEDATA, call);
	CURL_API->easy_setopt(call->easy, CURLOPT_HEADERFUNCTION, on_header);
	CURL_API->easy_setopt(call->easy, CURLOPT_HEADERDATA, call);
	CURL_API->easy_setopt(call->easy, CURLOPT_ERRORBUFFER, call->err);
	CURL_API->easy_setopt(call->easy, CURLOPT_PRIVATE, call);
	CURL_API->easy_setopt(call->easy, CURLOPT_USERAGENT, "wampd/" WD_VERSION);
	call->next = cu->calls;
	if (cu->calls != NULL)
		cu->calls->prev = call;
	cu->calls = call;
	if (CURL_API->multi_add_handle(cu->multi, call->easy) != CURLM_OK) {
		call_free(call);
		return WD_EINVAL;
	}
	if (out != NULL)
		*out = call;
	return 0;
fail:
	if (call->easy != NULL)
		CURL_API->easy_cleanup(call->easy);
	CURL_API->slist_free_all(call->headers);
	free(call->req_body);
	json_decref(call->resp_headers);
	free(call);
	return WD_ENOMEM;
}

void wd_curl_cancel(struct wd_curl *cu, struct wd_http_call *call)
{
	(void)cu;
	call_free(call);
}

void wd_curl_stop(struct wd_curl *cu)
{
	if (cu == NULL || cu->is_stopped)
		return;
	cu->is_stopped = true;
	while (cu->calls != NULL)
		call_free(cu->calls);
	/* closes cached connections; their sockets come back through on_socket(REMOVE) */
	CURL_API->multi_cleanup(cu->multi);
	cu->multi = NULL;
	uv_timer_stop(&cu->timer);
	uv_close((uv_handle_t *)&cu->timer, NULL);
}

void wd_curl_free(struct wd_curl *cu)
{
	if (cu == NULL)
		return;
	free(cu);
	CURL_API->global_cleanup();
}
