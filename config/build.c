/* Builds the typed model from a checked config document, applying Crossbar's defaults.
 *
 * The document is trusted to have passed wd_config_check; anything of the wrong shape still
 * fails cleanly with WD_EINVAL instead of being guessed at. Arrays are allocated at their full
 * size up front and zeroed, so wd_config_free can release a half-built model. */
#include <stdlib.h>
#include <string.h>

#include "config/build_bridge.h"
#include "config/config.h"
#include "config/json_get.h"
#include "protocol/codec.h"
#include "protocol/error.h"

static int dup_string(char **out, const char *s)
{
	if ((*out = strdup(s)) == NULL)
		return WD_ENOMEM;
	return 0;
}

/* autobahn's convert_starred_uri, used when a permission has no "match": no '*' is exact; one
 * trailing '*' is a prefix without it; any other '*' makes a wildcard whose '*'s are removed
 * (each becomes an empty component). "" and "*" both become the prefix "": autobahn makes ""
 * exact, but Crossbar's RouterRoleStaticAuth.authorize falls back to the "" entry whatever its
 * match policy when no longer entry matches (its pytrie zero-length-key workaround, role.py),
 * so "" grants like a prefix "" there. An explicit "match" is kept as configured. */
static int convert_starred(const char *uri, struct wd_permission *p)
{
	size_t n = strlen(uri), stars = 0, i, o = 0;
	for (i = 0; i < n; i++)
		stars += uri[i] == '*';
	if (n == 0 || (stars == 1 && uri[n - 1] == '*')) {
		p->match = WD_MATCH_PREFIX;
		if ((p->uri = strndup(uri, n == 0 ? 0 : n - 1)) == NULL)
			return WD_ENOMEM;
		return 0;
	}
	if (stars == 0) {
		p->match = WD_MATCH_EXACT;
		return dup_string(&p->uri, uri);
	}
	p->match = WD_MATCH_WILDCARD;
	if ((p->uri = malloc(n + 1)) == NULL)
		return WD_ENOMEM;
	for (i = 0; i < n; i++)
		if (uri[i] != '*')
			p->uri[o++] = uri[i];
	p->uri[o] = '\0';
	return 0;
}

static int build_permission(const json_t *doc, struct wd_permission *p)
{
	const json_t *uri = json_object_get(doc, "uri");
	const json_t *match = json_object_get(doc, "match");
	const json_t *allow = json_object_get(doc, "allow");
	const json_t *disclose = json_object_get(doc, "disclose");
	if (!json_is_string(uri))
		return WD_EINVAL;
	if (match == NULL) {
		int rc = convert_starred(json_string_value(uri), p);
		if (rc < 0)
			return rc;
	} else {
		const char *m = json_string_value(match);
		if (m == NULL)
			return WD_EINVAL;
		if (strcmp(m, "exact") == 0)
			p->match = WD_MATCH_EXACT;
		else if (strcmp(m, "prefix") == 0)
			p->match = WD_MATCH_PREFIX;
		else if (strcmp(m, "wildcard") == 0)
			p->match = WD_MATCH_WILDCARD;
		else
			return WD_EINVAL;
		if (dup_string(&p->uri, json_string_value(uri)) < 0)
			return WD_ENOMEM;
	}
	/* Missing keys are false, as RouterPermissions.from_dict. */
	p->allow_call = get_bool(allow, "call", false);
	p->allow_register = get_bool(allow, "register", false);
	p->allow_publish = get_bool(allow, "publish", false);
	p->allow_subscribe = get_bool(allow, "subscribe", false);
	p->disclose_caller = get_bool(disclose, "caller", false);
	p->disclose_publisher = get_bool(disclose, "publisher", false);
	p->cache = get_bool(doc, "cache", false);
	return 0;
}

static int build_role(const json_t *doc, struct wd_role_cfg *r)
{
	const json_t *name = json_object_get(doc, "name");
	const json_t *perms = json_object_get(doc, "permissions");
	const json_t *authorizer = json_object_get(doc, "authorizer");
	size_t i;
	int rc;
	if (!json_is_string(name) || (authorizer != NULL && !json_is_string(authorizer)) ||
	    (authorizer != NULL && perms != NULL))
		return WD_EINVAL;
	if (dup_string(&r->name, json_string_value(name)) < 0)
		return WD_ENOMEM;
	if (authorizer != NULL)
		return dup_string(&r->authorizer, json_string_value(authorizer));
	if (perms == NULL) {
		/* Crossbar's RouterFactory.add_role: neither permissions nor authorizer. */
		r->allow_by_default = get_bool(doc, "allow-by-default", false);
		return 0;
	}
	if (!json_is_array(perms))
		return WD_EINVAL;
	if (json_array_size(perms) == 0)
		return 0;
	if ((r->perms = calloc(json_array_size(perms), sizeof(*r->perms))) == NULL)
		return WD_ENOMEM;
	r->n_perms = json_array_size(perms);
	for (i = 0; i < r->n_perms; i++)
		if ((rc = build_permission(json_array_get(perms, i), &r->perms[i])) < 0)
			return rc;
	return 0;
}

static int build_realm(const json_t *doc, struct wd_realm_cfg *r)
{
	const json_t *name = json_object_get(doc, "name");
	const json_t *roles = json_object_get(doc, "roles");
	const json_t *opts = json_object_get(doc, "options");
	const json_t *uri_check = json_object_get(opts, "uri_check");
	size_t i;
	int rc;
	if (!json_is_string(name))
		return WD_EINVAL;
	if (dup_string(&r->name, json_string_value(name)) < 0)
		return WD_ENOMEM;
	/* Crossbar's RouterFactory defaults to loose; only "strict" switches it. */
	r->uri_check_strict =
	        json_is_string(uri_check) && strcmp(json_string_value(uri_check), "strict") == 0;
	r->enable_meta_api = get_bool(opts, "enable_meta_api", true);
	if (roles != NULL && !json_is_array(roles))
		return WD_EINVAL;
	if (json_array_size(roles) == 0)
		return 0;
	if ((r->roles = calloc(json_array_size(roles), sizeof(*r->roles))) == NULL)
		return WD_ENOMEM;
	r->n_roles = json_array_size(roles);
	for (i = 0; i < r->n_roles; i++)
		if ((rc = build_role(json_array_get(roles, i), &r->roles[i])) < 0)
			return rc;
	return 0;
}

static int build_ws_options(const json_t *opts, struct wd_ws_options *o)
{
	const json_t *origins = json_object_get(opts, "allowed_origins");
	size_t i;
	o->max_message_size = get_u32(opts, "max_message_size", 0);
	o->max_frame_size = get_u32(opts, "max_frame_size", 0);
	o->allow_null_origin = get_bool(opts, "allow_null_origin", true);
	o->require_websocket_subprotocol = get_bool(opts, "require_websocket_subprotocol", true);
	o->enable_webstatus = get_bool(opts, "enable_webstatus", true);
	o->auto_ping_interval_ms = get_u32(opts, "auto_ping_interval", 0);
	o->auto_ping_timeout_ms = get_u32(opts, "auto_ping_timeout", 0);
	o->auto_ping_size = get_u32(opts, "auto_ping_size", 12);
	o->open_handshake_timeout_ms = get_u32(opts, "open_handshake_timeout", 0);
	o->close_handshake_timeout_ms = get_u32(opts, "close_handshake_timeout", 0);
	o->auto_fragment_size = get_u32(opts, "auto_fragment_size", 0);
	o->auto_ping_restart_on_any_traffic =
	        get_bool(opts, "auto_ping_restart_on_any_traffic", true);
	o->fail_by_drop = get_bool(opts, "fail_by_drop", false);
	o->echo_close_codereason = get_bool(opts, "echo_close_codereason", false);
	o->tcp_nodelay = get_bool(opts, "tcp_nodelay", true);
	o->validate_utf8 = get_bool(opts, "validate_utf8", true);
	o->show_server_version = get_bool(opts, "show_server_version", false);
	o->external_port = (uint16_t)get_u32(opts, "external_port", 0);
	if (origins == NULL) {
		if ((o->allowed_origins = calloc(1, sizeof(char *))) == NULL)
			return WD_ENOMEM;
		o->n_allowed_origins = 1;
		return dup_string(&o->allowed_origins[0], "*");
	}
	if (!json_is_array(origins))
		return WD_EINVAL;
	if (json_array_size(origins) == 0)
		return 0; /* as configured: only requests without an Origin header pass */
	if ((o->allowed_origins = calloc(json_array_size(origins), sizeof(char *))) == NULL)
		return WD_ENOMEM;
	o->n_allowed_origins = json_array_size(origins);
	for (i = 0; i < o->n_allowed_origins; i++) {
		const char *s = json_string_value(json_array_get(origins, i));
		if (s == NULL)
			return WD_EINVAL;
		if (dup_string(&o->allowed_origins[i], s) < 0)
			return WD_ENOMEM;
	}
	return 0;
}

/* Keeps json and msgpack in the configured order (each once); the other names Crossbar knows
 * are skipped. The default is json, msgpack. */
static int build_serializers(const json_t *list, struct wd_service_cfg *s)
{
	size_t i;
	if (list == NULL) {
		s->serializers[0] = WD_CODEC_JSON;
		s->serializers[1] = WD_CODEC_MSGPACK;
		s->n_serializers = 2;
		return 0;
	}
	if (!json_is_array(list))
		return WD_EINVAL;
	for (i = 0; i < json_array_size(list); i++) {
		const char *name = json_string_value(json_array_get(list, i));
		int id;
		size_t k;
		bool dup = false;
		if (name == NULL)
			return WD_EINVAL;
		if (strcmp(name, "json") == 0)
			id = WD_CODEC_JSON;
		else if (strcmp(name, "msgpack") == 0)
			id = WD_CODEC_MSGPACK;
		else
			continue;
		for (k = 0; k < s->n_serializers; k++)
			dup = dup || s->serializers[k] == id;
		if (!dup)
			s->serializers[s->n_serializers++] = id;
	}
	return s->n_serializers > 0 ? 0 : WD_EINVAL;
}

/* A "websocket" path service at path, or a websocket transport (path ""). */
static int build_websocket(const char *path, const json_t *doc, struct wd_service_cfg *s)
{
	int rc;
	if (json_object_get(doc, "cookie") != NULL)
		return WD_EINVAL;
	s->type = WD_SERVICE_WEBSOCKET;
	if (dup_string(&s->path, path) < 0)
		return WD_ENOMEM;
	if ((rc = wd_config_build_auth(json_object_get(doc, "auth"), &s->auth)) < 0)
		return rc;
	if ((rc = build_serializers(json_object_get(doc, "serializers"), s)) < 0)
		return rc;
	return build_ws_options(json_object_get(doc, "options"), &s->ws);
}

static int build_service(const char *path, const json_t *doc, struct wd_service_cfg *s)
{
	const json_t *type = json_object_get(doc, "type");
	if (json_is_string(type) && wd_config_is_bridge_service(json_string_value(type)))
		return wd_config_build_bridge_service(path, doc, s);
	if (!json_is_string(type) || strcmp(json_string_value(type), "websocket") != 0)
		return WD_EINVAL;
	return build_websocket(path, doc, s);
}

static int build_endpoint(const json_t *doc, struct wd_endpoint_cfg *e)
{
	const json_t *type = json_object_get(doc, "type");
	const json_t *iface = json_object_get(doc, "interface");
	const json_t *version = json_object_get(doc, "version");
	const json_t *backlog = json_object_get(doc, "backlog");
	int rc;
	if (!json_is_string(type) || strcmp(json_string_value(type), "tcp") != 0 ||
	    json_object_get(doc, "tls") != NULL || json_object_get(doc, "portrange") != NULL)
		return WD_EINVAL;
	/* The variable is read again here; it may have changed since the check. */
	if ((rc = wd_config_resolve_port(json_object_get(doc, "port"), &e->port)) < 0)
		return WD_EINVAL;
	e->version = json_is_integer(version) ? (int)json_integer_value(version) : 4;
	if (e->version != 4 && e->version != 6)
		return WD_EINVAL;
	e->backlog = json_is_integer(backlog) ? (int)json_integer_value(backlog) : 50;
	e->shared = get_bool(doc, "shared", false);
	/* Twisted binds "" to every address, like no interface at all. */
	if (json_is_string(iface) && json_string_value(iface)[0] != '\0')
		return dup_string(&e->interface, json_string_value(iface));
	return dup_string(&e->interface, e->version == 6 ? "::" : "0.0.0.0");
}

static int build_transport(const json_t *doc, struct wd_transport_cfg *t)
{
	const json_t *type = json_object_get(doc, "type");
	const json_t *id = json_object_get(doc, "id");
	const json_t *paths, *svc, *opts;
	const char *key;
	size_t i = 0;
	int rc;
	if (!json_is_string(type))
		return WD_EINVAL;
	if (json_is_string(id) && dup_string(&t->id, json_string_value(id)) < 0)
		return WD_ENOMEM;
	if ((rc = build_endpoint(json_object_get(doc, "endpoint"), &t->endpoint)) < 0)
		return rc;
	if (strcmp(json_string_value(type), "websocket") == 0 ||
	    strcmp(json_string_value(type), "rawsocket") == 0) {
		/* A RawSocket transport keeps its serializers, max_message_size and auth in the
		 * same service record as a websocket transport; the WebSocket-only options keep
		 * their defaults and are not used. */
		t->type = strcmp(json_string_value(type), "rawsocket") == 0 ? WD_TRANSPORT_RAWSOCKET
									      : WD_TRANSPORT_WEBSOCKET;
		if ((t->services = calloc(1, sizeof(*t->services))) == NULL)
			return WD_ENOMEM;
		t->n_services = 1;
		return build_websocket("", doc, &t->services[0]);
	}
	if (strcmp(json_string_value(type), "web") != 0)
		return WD_EINVAL;
	t->type = WD_TRANSPORT_WEB;
	opts = json_object_get(doc, "options");
	t->access_log = get_bool(opts, "access_log", false);
	t->client_timeout_s = get_u32(opts, "client_timeout", 0); /* null: not set */
	paths = json_object_get(doc, "paths");
	if (!json_is_object(paths))
		return WD_EINVAL;
	if (json_object_size(paths) == 0)
		return 0;
	if ((t->services = calloc(json_object_size(paths), sizeof(*t->services))) == NULL)
		return WD_ENOMEM;
	t->n_services = json_object_size(paths);
	json_object_foreach((json_t *)paths, key, svc)
	{
		if ((rc = build_service(key, svc, &t->services[i++])) < 0)
			return rc;
	}
	return 0;
}

static bool is_router(const json_t *worker)
{
	const char *type = json_string_value(json_object_get(worker, "type"));
	return type != NULL && strcmp(type, "router") == 0 && !wd_config_worker_disabled(worker);
}

/* Router and container workers run bridge components (container ones inside the router). */
static bool runs_components(const json_t *worker)
{
	const char *type = json_string_value(json_object_get(worker, "type"));
	return type != NULL && (strcmp(type, "router") == 0 || strcmp(type, "container") == 0) &&
	       !wd_config_worker_disabled(worker);
}

int wd_config_build(const json_t *doc, struct wd_config **out)
{
	const json_t *workers = json_object_get(doc, "workers");
	const json_t *w;
	struct wd_config *c;
	size_t i, k, n_realms = 0, n_transports = 0, ri = 0, ti = 0, n_comps = 0, ci = 0;
	int rc = WD_ENOMEM;
	*out = NULL;
	if (!json_is_object(doc) || (workers != NULL && !json_is_array(workers)))
		return WD_EINVAL;
	json_array_foreach(workers, i, w)
	{
		if (runs_components(w))
			n_comps += wd_config_count_components(w);
		if (!is_router(w))
			continue;
		n_realms += json_array_size(json_object_get(w, "realms"));
		n_transports += json_array_size(json_object_get(w, "transports"));
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	if (n_realms > 0 && (c->realms = calloc(n_realms, sizeof(*c->realms))) == NULL)
		goto fail_config;
	c->n_realms = n_realms;
	if (n_transports > 0 &&
	    (c->transports = calloc(n_transports, sizeof(*c->transports))) == NULL)
		goto fail_config;
	c->n_transports = n_transports;
	if (n_comps > 0 && (c->components = calloc(n_comps, sizeof(*c->components))) == NULL)
		goto fail_config;
	c->n_components = n_comps;
	json_array_foreach(workers, i, w)
	{
		const json_t *realms = json_object_get(w, "realms");
		const json_t *transports = json_object_get(w, "transports");
		/* c->components is NULL when no worker has components: &NULL[0] is undefined. */
		if (runs_components(w) && wd_config_count_components(w) > 0) {
			if ((rc = wd_config_build_components(w, &c->components[ci])) < 0)
				goto fail_config;
			ci += wd_config_count_components(w);
		}
		if (!is_router(w))
			continue;
		for (k = 0; k < json_array_size(realms); k++)
			if ((rc = build_realm(json_array_get(realms, k), &c->realms[ri++])) < 0)
				goto fail_config;
		for (k = 0; k < json_array_size(transports); k++)
			if ((rc = build_transport(json_array_get(transports, k),
			                          &c->transports[ti++])) < 0)
				goto fail_config;
	}
	*out = c;
	return 0;
fail_config:
	wd_config_free(c);
fail:
	return rc;
}

static void free_ws_options(struct wd_ws_options *o)
{
	size_t i;
	for (i = 0; i < o->n_allowed_origins; i++)
		free(o->allowed_origins[i]);
	free(o->allowed_origins);
}

void wd_config_free(struct wd_config *c)
{
	size_t i, k;
	if (c == NULL)
		return;
	for (i = 0; i < c->n_realms; i++) {
		struct wd_realm_cfg *r = &c->realms[i];
		for (k = 0; k < r->n_roles; k++) {
			size_t p;
			for (p = 0; p < r->roles[k].n_perms; p++)
				free(r->roles[k].perms[p].uri);
			free(r->roles[k].perms);
			free(r->roles[k].name);
			free(r->roles[k].authorizer);
		}
		free(r->roles);
		free(r->name);
	}
	free(c->realms);
	for (i = 0; i < c->n_transports; i++) {
		struct wd_transport_cfg *t = &c->transports[i];
		for (k = 0; k < t->n_services; k++) {
			free(t->services[k].path);
			free_ws_options(&t->services[k].ws);
			wd_config_free_bridge_service(&t->services[k]);
			wd_config_free_auth(&t->services[k].auth);
		}
		free(t->services);
		free(t->endpoint.interface);
		free(t->id);
	}
	free(c->transports);
	for (i = 0; i < c->n_components; i++)
		wd_config_free_component(&c->components[i]);
	free(c->components);
	free(c);
}
