/* A nodeinfo path: a small status page (version, uptime, realms with their session counts),
 * HTML by default as Crossbar's, JSON for "Accept: application/json" or "?format=json". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/internal.h"
#include "router/realm.h"
#include "router/router.h"

static json_t *info(struct wd_bridge *b)
{
	struct wd_router *r = b->r;
	json_t *realms = json_array();
	for (struct wd_map_entry *e = wd_map_first(&r->realms); e != NULL;
	     e = wd_map_next(&r->realms, e)) {
		struct wd_realm *realm = wd_map_val(e);
		json_array_append_new(realms, json_pack("{s:s, s:I}", "name", realm->cfg->name,
							"sessions",
							(json_int_t)realm->sessions.count));
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:o}", "server", "wampd", "version", WD_VERSION,
			 "uptime", (json_int_t)((uv_now(r->loop) - r->started_ms) / 1000),
			 "sessions", (json_int_t)r->sessions.count, "realms", realms);
}

static void html_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s != '\0' && o + 7 < cap; s++) {
		const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
				: *s == '"' ? "&quot;" : NULL;
		if (rep != NULL) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

void wd_nodeinfo_handle(struct wd_bridge *b, struct wd_http_req *req)
{
	const char *accept = wd_http_header(req, "accept");
	bool want_json = strstr(req->query, "format=json") != NULL ||
			 (accept != NULL && strstr(accept, "application/json") != NULL &&
			  strstr(accept, "text/html") == NULL);
	json_t *o;
	char *text;
	if (strcmp(req->method, "GET") != 0 && !req->is_head) {
		const char *msg = "only GET and HEAD are served here\n";
		wd_http_respond(req, 405, "Content-Type: text/plain; charset=utf-8\r\nAllow: GET, HEAD\r\n",
				msg, strlen(msg));
		return;
	}
	if ((o = info(b)) == NULL) {
		wd_http_respond(req, 500, NULL, "", 0);
		return;
	}
	if (want_json) {
		text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text != NULL)
			wd_http_respond(req, 200,
					"Content-Type: application/json; charset=utf-8\r\n"
					"Cache-Control: no-store\r\n",
					text, strlen(text));
	} else {
		size_t cap = 4096 + 512 * json_array_size(json_object_get(o, "realms")), n;
		json_t *realm;
		size_t i;
		text = malloc(cap);
		if (text != NULL) {
			n = (size_t)snprintf(
				text, cap,
				"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>wampd node "
				"info</title></head><body>\n<h1>wampd node info</h1>\n<table>\n"
				"<tr><td>Release</td><td>wampd %s</td></tr>\n"
				"<tr><td>Uptime</td><td>%" JSON_INTEGER_FORMAT " s</td></tr>\n"
				"<tr><td>Sessions</td><td>%" JSON_INTEGER_FORMAT "</td></tr>\n"
				"<tr><td>Served for</td><td>%s</td></tr>\n</table>\n<h2>Realms</h2>\n"
				"<table>\n<tr><th>Realm</th><th>Sessions</th></tr>\n",
				WD_VERSION, json_integer_value(json_object_get(o, "uptime")),
				json_integer_value(json_object_get(o, "sessions")), req->peer_ip);
			json_array_foreach(json_object_get(o, "realms"), i, realm)
			{
				char name[400];
				html_escape(json_string_value(json_object_get(realm, "name")), name,
					    sizeof(name));
				n += (size_t)snprintf(
					text + n, cap - n,
					"<tr><td>%s</td><td>%" JSON_INTEGER_FORMAT "</td></tr>\n", name,
					json_integer_value(json_object_get(realm, "sessions")));
			}
			snprintf(text + n, cap - n, "</table>\n</body></html>\n");
			wd_http_respond(req, 200,
					"Content-Type: text/html; charset=utf-8\r\n"
					"Cache-Control: no-store\r\n",
					text, strlen(text));
		}
	}
	if (text == NULL)
		wd_http_respond(req, 500, NULL, "", 0);
	free(text);
	json_decref(o);
}
