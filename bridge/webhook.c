/* A webhook path: any POST body, not parsed, becomes one event on options.topic:
 * {"headers": {"Name": ["v", ...]}, "body": "<text>"}; 202 success_response or 500
 * error_response (bridge/rest/webhook.py). */
#include <ctype.h>
#include <string.h>

#include "bridge/internal.h"
#include "router/log.h"

/* Twisted's canonical header name: each '-'-separated word capitalised ("X-Hub-Signature"). */
static void canonical_name(const char *in, char *out, size_t cap)
{
	size_t i;
	bool start = true;
	for (i = 0; in[i] != '\0' && i + 1 < cap; i++) {
		out[i] = start ? (char)toupper((unsigned char)in[i]) : (char)tolower((unsigned char)in[i]);
		start = in[i] == '-';
	}
	out[i] = '\0';
}

json_t *wd_webhook_message(const struct wd_http_req *req, const struct wd_rest_cfg *cfg,
			   uint64_t request_id)
{
	json_t *headers = json_object(), *event;
	char name[128];
	for (size_t i = 0; i < req->n_headers; i++) {
		json_t *list;
		canonical_name(req->headers[i].name, name, sizeof(name));
		if ((list = json_object_get(headers, name)) == NULL) {
			list = json_array();
			json_object_set_new(headers, name, list);
		}
		json_array_append_new(list, json_string(req->headers[i].value));
	}
	event = json_pack("{s:o, s:s%}", "headers", headers, "body", (const char *)req->body,
			  req->body_len);
	if (event == NULL)
		return NULL;
	return json_pack("[iI{sb}s[o]]", WD_MSG_PUBLISH, (json_int_t)request_id, "acknowledge", 1,
			 cfg->topic, event);
}

void wd_webhook_reply(struct wd_http_req *req, const struct wd_rest_cfg *cfg,
		      const struct wd_msg *m)
{
	if (m->type == WD_MSG_PUBLISHED) {
		wd_reply_raw(req, 202, NULL, cfg->success_response);
		return;
	}
	wd_log(WD_LOG_WARN, "bridge", "webhook publish to %s failed: %s", cfg->topic,
	       m->type == WD_MSG_ERROR ? m->uri : "unexpected answer");
	wd_reply_raw(req, 500, NULL, cfg->error_response);
}
