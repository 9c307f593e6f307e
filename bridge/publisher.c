/* POST /publish: {topic, args?, kwargs?, options?} -> PUBLISH with acknowledge, answered
 * {"id": publication} or, for a WAMP error, 200 with the error (bridge/rest/publisher.py). */
#include <string.h>

#include "bridge/internal.h"

/* The options Crossbar passes on (PR #2031); others are ignored as there. */
static const char *const passed_options[] = {
	"forward_for",       "retain",          "exclude_me",        "exclude_authid",
	"exclude_authrole",  "exclude",         "eligible_authid",   "eligible_authrole",
	"eligible",          NULL,
};

/* Crossbar replaces a falsy value by [] / {} (`event['args'] if ... else []`). */
static json_t *or_empty(const json_t *v, bool is_list)
{
	if (is_list ? json_is_array(v) && json_array_size(v) > 0
		    : json_is_object(v) && json_object_size(v) > 0)
		return json_incref((json_t *)v);
	return NULL;
}

json_t *wd_publisher_message(const json_t *body, uint64_t request_id)
{
	json_t *opts = json_object(), *in = json_object_get(body, "options"), *msg;
	json_t *args = or_empty(json_object_get(body, "args"), true);
	json_t *kwargs = or_empty(json_object_get(body, "kwargs"), false);
	json_object_set_new(opts, "acknowledge", json_true());
	if (json_is_object(in))
		for (size_t i = 0; passed_options[i] != NULL; i++) {
			json_t *v = json_object_get(in, passed_options[i]);
			/* PublishOptions(x=None) leaves the option out */
			if (v != NULL && !json_is_null(v))
				json_object_set(opts, passed_options[i], v);
		}
	msg = json_pack("[iIos]", WD_MSG_PUBLISH, (json_int_t)request_id, opts,
			json_string_value(json_object_get(body, "topic")));
	if (msg != NULL && (args != NULL || kwargs != NULL))
		json_array_append_new(msg, args ? json_incref(args) : json_array());
	if (msg != NULL && kwargs != NULL)
		json_array_append(msg, kwargs);
	json_decref(args);
	json_decref(kwargs);
	return msg;
}

void wd_publisher_reply(struct wd_http_req *req, const struct wd_msg *m)
{
	if (m->type == WD_MSG_PUBLISHED) {
		json_t *o = json_pack("{sI}", "id", (json_int_t)m->id2);
		wd_reply_json(req, 200, o, false);
		json_decref(o);
	} else if (m->type == WD_MSG_ERROR) {
		wd_reply_wamp_error(req, m);
	} else {
		wd_reply_internal(req);
	}
}
