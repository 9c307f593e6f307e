/* Builds the HTTP bridge parts of the model: publisher, caller and webhook paths, nodeinfo and
 * static paths, and the MessageForwarder / RESTCallee components, with Crossbar's defaults. The
 * document passed wd_config_check; a wrong shape still fails with WD_EINVAL. */
#include "config/build_bridge.h"

#include <stdlib.h>
#include <string.h>

#include "config/json_get.h"
#include "protocol/error.h"

/* Copies obj[key] when it is a string (NULL stays NULL otherwise), or dflt when absent. */
static int get_str(const json_t *obj, const char *key, const char *dflt, char **out)
{
	const char *s = json_string_value(json_object_get(obj, key));
	if (s == NULL)
		s = dflt;
	if (s == NULL)
		return 0;
	return (*out = strdup(s)) == NULL ? WD_ENOMEM : 0;
}

bool wd_config_is_bridge_service(const char *type)
{
	return strcmp(type, "publisher") == 0 || strcmp(type, "caller") == 0 ||
	       strcmp(type, "webhook") == 0 || strcmp(type, "nodeinfo") == 0 ||
	       strcmp(type, "static") == 0;
}

static int build_rest(const json_t *doc, struct wd_rest_cfg *r, bool is_webhook)
{
	const json_t *opts = json_object_get(doc, "options");
	const json_t *ips = json_object_get(opts, "require_ip");
	size_t i;
	int rc;
	if ((rc = get_str(doc, "realm", NULL, &r->realm)) < 0 ||
	    (rc = get_str(doc, "role", "anonymous", &r->role)) < 0 ||
	    (rc = get_str(opts, "key", NULL, &r->key)) < 0 ||
	    (rc = get_str(opts, "secret", NULL, &r->secret)) < 0)
		return rc;
	if (r->realm == NULL)
		return WD_EINVAL;
	r->require_tls = get_bool(opts, "require_tls", false);
	r->post_body_limit = get_u32(opts, "post_body_limit", 0);
	/* Crossbar's code default (common.py); its docs say 0. */
	r->timestamp_delta_limit_s = get_u32(opts, "timestamp_delta_limit", 300);
	r->timeout_ms = get_u32(opts, "timeout", 0);
	r->debug = get_bool(opts, "debug", false);
	if (json_array_size(ips) > 0) {
		if ((r->require_ip = calloc(json_array_size(ips), sizeof(char *))) == NULL)
			return WD_ENOMEM;
		r->n_require_ip = json_array_size(ips);
		for (i = 0; i < r->n_require_ip; i++) {
			const char *s = json_string_value(json_array_get(ips, i));
			if (s == NULL)
				return WD_EINVAL;
			if ((r->require_ip[i] = strdup(s)) == NULL)
				return WD_ENOMEM;
		}
	}
	if (!is_webhook)
		return 0;
	if ((rc = get_str(opts, "topic", NULL, &r->topic)) < 0 ||
	    (rc = get_str(opts, "success_response", "OK", &r->success_response)) < 0 ||
	    (rc = get_str(opts, "error_response", "NOT OK", &r->error_response)) < 0)
		return rc;
	/* Crossbar checks the GitHub signature only for a non-empty secret. */
	if (json_is_string(json_object_get(opts, "github_secret")) &&
	    json_string_value(json_object_get(opts, "github_secret"))[0] != '\0' &&
	    (rc = get_str(opts, "github_secret", NULL, &r->github_secret)) < 0)
		return rc;
	return r->topic == NULL ? WD_EINVAL : 0;
}

static int build_static(const json_t *doc, struct wd_static_cfg *st)
{
	const json_t *opts = json_object_get(doc, "options");
	const json_t *mime = json_object_get(opts, "mime_types");
	const char *key;
	json_t *v;
	size_t i = 0;
	int rc;
	if ((rc = get_str(doc, "directory", NULL, &st->directory)) < 0 ||
	    (rc = get_str(opts, "default_file", "index.html", &st->default_file)) < 0)
		return rc;
	if (st->directory == NULL)
		return WD_EINVAL;
	st->enable_directory_listing = get_bool(opts, "enable_directory_listing", false);
	st->cache_timeout_s = get_u32(opts, "cache_timeout", 0);
	if (json_object_size(mime) == 0)
		return 0;
	if ((st->mime_types = calloc(json_object_size(mime), sizeof(*st->mime_types))) == NULL)
		return WD_ENOMEM;
	st->n_mime_types = json_object_size(mime);
	json_object_foreach((json_t *)mime, key, v)
	{
		if (!json_is_string(v))
			return WD_EINVAL;
		if ((st->mime_types[i].ext = strdup(key)) == NULL ||
		    (st->mime_types[i].type = strdup(json_string_value(v))) == NULL)
			return WD_ENOMEM;
		i++;
	}
	return 0;
}

int wd_config_build_bridge_service(const char *path, const json_t *doc, struct wd_service_cfg *s)
{
	const char *type = json_string_value(json_object_get(doc, "type"));
	if (type == NULL)
		return WD_EINVAL;
	if ((s->path = strdup(path)) == NULL)
		return WD_ENOMEM;
	if (strcmp(type, "publisher") == 0) {
		s->type = WD_SERVICE_PUBLISHER;
		return build_rest(doc, &s->rest, false);
	}
	if (strcmp(type, "caller") == 0) {
		s->type = WD_SERVICE_CALLER;
		return build_rest(doc, &s->rest, false);
	}
	if (strcmp(type, "webhook") == 0) {
		s->type = WD_SERVICE_WEBHOOK;
		return build_rest(doc, &s->rest, true);
	}
	if (strcmp(type, "nodeinfo") == 0) {
		s->type = WD_SERVICE_NODEINFO;
		return 0;
	}
	if (strcmp(type, "static") == 0) {
		s->type = WD_SERVICE_STATIC;
		return build_static(doc, &s->stat);
	}
	return WD_EINVAL;
}

void wd_config_free_bridge_service(struct wd_service_cfg *s)
{
	struct wd_rest_cfg *r = &s->rest;
	struct wd_static_cfg *st = &s->stat;
	size_t i;
	free(r->realm);
	free(r->role);
	free(r->key);
	free(r->secret);
	for (i = 0; i < r->n_require_ip; i++)
		free(r->require_ip[i]);
	free(r->require_ip);
	free(r->topic);
	free(r->success_response);
	free(r->error_response);
	free(r->github_secret);
	free(st->directory);
	free(st->default_file);
	for (i = 0; i < st->n_mime_types; i++) {
		free(st->mime_types[i].ext);
		free(st->mime_types[i].type);
	}
	free(st->mime_types);
	memset(r, 0, sizeof(*r));
	memset(st, 0, sizeof(*st));
}

size_t wd_config_count_components(const json_t *worker)
{
	return json_array_size(json_object_get(worker, "components"));
}

static enum wd_match parse_match(const json_t *v)
{
	const char *m = json_string_value(v);
	if (m != NULL && strcmp(m, "prefix") == 0)
		return WD_MATCH_PREFIX;
	if (m != NULL && strcmp(m, "wildcard") == 0)
		return WD_MATCH_WILDCARD;
	return WD_MATCH_EXACT; /* subscriber.py: match defaults to exact */
}

static int build_component(const json_t *doc, struct wd_component_cfg *c)
{
	const char *cls = json_string_value(json_object_get(doc, "classname"));
	const json_t *extra = json_object_get(doc, "extra");
	const json_t *subs = json_object_get(extra, "subscriptions");
	size_t i;
	int rc;
	if (cls == NULL || !json_is_object(extra))
		return WD_EINVAL;
	if ((rc = get_str(doc, "realm", NULL, &c->realm)) < 0 ||
	    (rc = get_str(doc, "role", "anonymous", &c->role)) < 0)
		return rc;
	if (c->realm == NULL)
		return WD_EINVAL;
	c->debug = get_bool(extra, "debug", false);
	c->timeout_ms = get_u32(extra, "timeout", 10000);
	if (strstr(cls, ".RESTCallee") != NULL) {
		c->cls = WD_COMPONENT_REST_CALLEE;
		if ((rc = get_str(extra, "procedure", NULL, &c->procedure)) < 0 ||
		    (rc = get_str(extra, "baseurl", NULL, &c->baseurl)) < 0)
			return rc;
		return c->procedure && c->baseurl ? 0 : WD_EINVAL;
	}
	if (strstr(cls, ".MessageForwarder") == NULL)
		return WD_EINVAL;
	c->cls = WD_COMPONENT_FORWARDER;
	if ((rc = get_str(extra, "method", "POST", &c->method)) < 0)
		return rc;
	c->expected_code = (int)get_u32(extra, "expectedcode", 0);
	c->max_retries = get_u32(extra, "max_retries", 5);
	c->retry_delay_ms = get_u32(extra, "retry_delay", 1000);
	if (json_array_size(subs) == 0)
		return WD_EINVAL;
	if ((c->subs = calloc(json_array_size(subs), sizeof(*c->subs))) == NULL)
		return WD_ENOMEM;
	c->n_subs = json_array_size(subs);
	for (i = 0; i < c->n_subs; i++) {
		const json_t *s = json_array_get(subs, i);
		if ((rc = get_str(s, "topic", NULL, &c->subs[i].topic)) < 0 ||
		    (rc = get_str(s, "url", NULL, &c->subs[i].url)) < 0)
			return rc;
		if (c->subs[i].topic == NULL || c->subs[i].url == NULL)
			return WD_EINVAL;
		c->subs[i].match = parse_match(json_object_get(s, "match"));
	}
	return 0;
}

int wd_config_build_components(const json_t *worker, struct wd_component_cfg *out)
{
	const json_t *comps = json_object_get(worker, "components");
	size_t i;
	int rc;
	for (i = 0; i < json_array_size(comps); i++)
		if ((rc = build_component(json_array_get(comps, i), &out[i])) < 0)
			return rc;
	return 0;
}

void wd_config_free_component(struct wd_component_cfg *c)
{
	size_t i;
	free(c->realm);
	free(c->role);
	for (i = 0; i < c->n_subs; i++) {
		free(c->subs[i].topic);
		free(c->subs[i].url);
	}
	free(c->subs);
	free(c->method);
	free(c->procedure);
	free(c->baseurl);
	memset(c, 0, sizeof(*c));
}
