/* HTTP answers of the bridge paths, byte for byte as Crossbar's (bridge/rest/common.py):
 * common CORS and cache headers on every response, compact JSON for denials and results
 * (dump_json), Python's default json.dumps spacing for WAMP errors (_fail_request). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"

void wd_reply_common_headers(const struct wd_http_req *req, const char *extra, char *out,
			     size_t cap)
{
	const char *origin = wd_http_header(req, "origin");
	const char *acrh = wd_http_header(req, "access-control-request-headers");
	if (origin == NULL || strcmp(origin, "null") == 0)
		origin = "*";
	snprintf(out, cap,
		 "Access-Control-Allow-Origin: %.300s\r\n"
		 "Access-Control-Allow-Credentials: true\r\n"
		 "Cache-Control: no-store,no-cache,must-revalidate,max-age=0\r\n"
		 "Content-Type: application/json; charset=UTF-8\r\n"
		 "%s%.500s%s%s",
		 origin, acrh ? "Access-Control-Allow-Headers: " : "", acrh ? acrh : "",
		 acrh ? "\r\n" : "", extra ? extra : "");
}

void wd_reply_raw(struct wd_http_req *req, int status, const char *extra, const char *body)
{
	char hdrs[1400];
	wd_reply_common_headers(req, extra, hdrs, sizeof(hdrs));
	wd_http_respond(req, status, hdrs, body, strlen(body));
}

void wd_reply_deny(struct wd_http_req *req, int status, const char *text)
{
	char *body = wd_rest_deny_body(text);
	wd_reply_raw(req, status, NULL, body ? body : "");
	free(body);
}

void wd_reply_json(struct wd_http_req *req, int status, const json_t *obj, bool spaced)
{
	char *body = json_dumps(obj, (spaced ? JSON_ENSURE_ASCII : JSON_COMPACT) |
					     JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (body == NULL) {
		wd_reply_internal(req);
		return;
	}
	wd_reply_raw(req, status, NULL, body);
	free(body);
}

void wd_reply_wamp_error(struct wd_http_req *req, const struct wd_msg *m)
{
	/* "This is a user-level error, not a CB error, so return 200" (_fail_request) */
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(m->uri));
	json_object_set_new(o, "args", m->args && json_array_size(m->args) ? json_incref(m->args)
									: json_array());
	json_object_set_new(o, "kwargs", m->kwargs && json_object_size(m->kwargs)
						 ? json_incref(m->kwargs)
						 : json_object());
	wd_reply_json(req, 200, o, true);
	json_decref(o);
}

void wd_reply_internal(struct wd_http_req *req)
{
	wd_reply_raw(req, 500, NULL,
		     "{\"error\": \"wamp.error.runtime_error\", \"args\": [\"Sorry, Crossbar.io has "
		     "encountered a problem.\"], \"kwargs\": {}}");
}
