/* POST /call: {procedure, args?, kwargs?} -> CALL; RESULT mapped as autobahn maps it to a
 * Python value and Crossbar's caller.py serialises that (WAMP-NOTES §2.4). wampd adds a
 * timeout: body "timeout" (ms) or the path's options.timeout, answered 504 wamp.error.timeout,
 * because Crossbar's HTTP request otherwise waits for ever (crossbar #861). */
#include <stdio.h>

#include "bridge/internal.h"

json_t *wd_caller_message(const json_t *body, uint64_t request_id)
{
	const json_t *args = json_object_get(body, "args");
	const json_t *kwargs = json_object_get(body, "kwargs");
	bool has_args = json_is_array(args) && json_array_size(args) > 0;
	bool has_kwargs = json_is_object(kwargs) && json_object_size(kwargs) > 0;
	json_t *msg = json_pack("[iI{}s]", WD_MSG_CALL, (json_int_t)request_id,
				json_string_value(json_object_get(body, "procedure")));
	if (msg == NULL)
		return NULL;
	if (has_args || has_kwargs)
		json_array_append_new(msg, has_args ? json_incref((json_t *)args) : json_array());
	if (has_kwargs)
		json_array_append(msg, (json_t *)kwargs);
	return msg;
}

uint32_t wd_caller_timeout_ms(const json_t *body, const struct wd_rest_cfg *cfg)
{
	const json_t *t = json_object_get(body, "timeout");
	if (json_is_integer(t) && json_integer_value(t) > 0 &&
	    json_integer_value(t) <= 86400000)
		return (uint32_t)json_integer_value(t);
	return cfg->timeout_ms;
}

void wd_caller_reply(struct wd_http_req *req, const struct wd_msg *m)
{
	json_t *res;
	size_t na, nk;
	if (m->type == WD_MSG_ERROR) {
		wd_reply_wamp_error(req, m);
		return;
	}
	if (m->type != WD_MSG_RESULT) {
		wd_reply_internal(req);
		return;
	}
	na = m->args ? json_array_size(m->args) : 0;
	nk = m->kwargs ? json_object_size(m->kwargs) : 0;
	res = json_object();
	if (nk == 0) {
		/* None -> [null]; one value -> [x]; CallResult(a, b, ...) -> [a, b, ...] */
		json_object_set_new(res, "args", na == 0 ? json_pack("[n]") : json_incref(m->args));
	} else {
		if (na > 0)
			json_object_set(res, "args", m->args);
		json_object_set(res, "kwargs", m->kwargs);
	}
	wd_reply_json(req, 200, res, false);
	json_decref(res);
}

void wd_caller_timed_out(struct wd_http_req *req, uint32_t timeout_ms)
{
	char text[96];
	json_t *o;
	snprintf(text, sizeof(text), "call timed out after %u ms", timeout_ms);
	o = json_pack("{s:s, s:[s], s:{}}", "error", "wamp.error.timeout", "args", text, "kwargs");
	wd_reply_json(req, 504, o, true);
	json_decref(o);
}
