/* A router session the bridge runs itself: joined without HELLO (wd_session_join_internal),
 * fed JSON-encoded messages, and reading the router's unframed output back as wd_msg. JSON is
 * the codec because bridge payloads come from and go to JSON anyway. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"
#include "protocol/codec.h"
#include "protocol/error.h"
#include "router/log.h"

static int link_send(struct wd_session_transport *t, struct wd_buf *frame)
{
	struct wd_link *l = (struct wd_link *)t; /* t is the first member */
	json_t *root = NULL;
	struct wd_msg m;
	if (l->is_closed)
		return WD_ECLOSED;
	if (wd_codec_json.decode(frame->data, frame->len, &root) < 0)
		return 0;
	if (wd_msg_parse(root, &m) == 0)
		l->on_msg(l, &m);
	else
		wd_log(WD_LOG_WARN, "bridge", "%s: unparsable message from the router", l->name);
	json_decref(root);
	return 0;
}

static void link_close(struct wd_session_transport *t, int code, const char *reason)
{
	struct wd_link *l = (struct wd_link *)t;
	(void)code;
	if (!l->is_closed)
		wd_log(WD_LOG_WARN, "bridge", "%s: session closed by the router: %s", l->name,
		       reason);
	l->is_closed = true;
}

int wd_link_open(struct wd_link *l, struct wd_router *r, const char *realm, const char *role,
		 const char *name, wd_link_msg_cb *cb, void *owner)
{
	int rc;
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->t.send = link_send;
	l->t.close = link_close;
	l->t.framing = WD_FRAMING_NONE;
	l->t.peer = l->name;
	l->on_msg = cb;
	l->owner = owner;
	if ((l->s = wd_session_new(r, &l->t, &wd_codec_json)) == NULL)
		return WD_ENOMEM;
	if ((rc = wd_session_join_internal(l->s, realm, role, NULL)) < 0) {
		wd_session_free(l->s);
		l->s = NULL;
		return rc;
	}
	return 0;
}

int wd_link_send(struct wd_link *l, const json_t *msg)
{
	struct wd_sbuf out = {0};
	if (l->s == NULL || l->is_closed)
		return WD_ECLOSED;
	if (wd_codec_json.encode(msg, &out) < 0) {
		wd_sbuf_free(&out);
		return WD_EINVAL;
	}
	wd_session_recv(l->s, out.data, out.len);
	wd_sbuf_free(&out);
	return 0;
}

uint64_t wd_link_request_id(struct wd_link *l)
{
	if (++l->next_request > WD_ID_MAX)
		l->next_request = 1;
	return l->next_request;
}

void wd_link_close(struct wd_link *l)
{
	if (l->s == NULL)
		return;
	l->is_closed = true; /* nothing reaches on_msg while the session leaves */
	wd_session_free(l->s);
	l->s = NULL;
}
