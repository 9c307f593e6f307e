/* Builds a transport's "auth" configuration (see config.h and model.h). The document passed
 * wd_config_check, so shapes are trusted but still verified where a wrong guess would be
 * unsafe (a missing secret is WD_EINVAL, never an empty one). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "protocol/error.h"

int wd_config_resolve_env(const char *value, const char **out)
{
	size_t n = strlen(value);
	*out = value;
	/* _ENVPAT = ^\$\{(.+)\}$ */
	if (n > 3 && value[0] == '$' && value[1] == '{' && value[n - 1] == '}') {
		char *name = strndup(value + 2, n - 3);
		const char *v;
		if (name == NULL)
			return WD_ENOMEM;
		v = getenv(name);
		free(name);
		if (v == NULL)
			return WD_ENOTFOUND;
		*out = v;
	}
	return 0;
}

static int dup_opt(char **out, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return WD_EINVAL;
	return (*out = strdup(json_string_value(v))) == NULL ? WD_ENOMEM : 0;
}

static int dup_secret(char **out, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	const char *val;
	if (!json_is_string(v) || wd_config_resolve_env(json_string_value(v), &val) < 0)
		return WD_EINVAL;
	return (*out = strdup(val)) == NULL ? WD_ENOMEM : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int build_keys(const json_t *list, struct wd_auth_principal *p)
{
	size_t i, k;
	if (!json_is_array(list) || json_array_size(list) == 0)
		return json_is_array(list) ? 0 : WD_EINVAL;
	if ((p->keys = calloc(json_array_size(list), sizeof(*p->keys))) == NULL)
		return WD_ENOMEM;
	p->n_keys = json_array_size(list);
	for (i = 0; i < p->n_keys; i++) {
		const char *hex = json_string_value(json_array_get(list, i));
		if (hex == NULL || strlen(hex) != 64)
			return WD_EINVAL;
		for (k = 0; k < 32; k++) {
			int hi = hexval(hex[2 * k]), lo = hexval(hex[2 * k + 1]);
			if (hi < 0 || lo < 0)
				return WD_EINVAL;
			p->keys[i][k] = (uint8_t)(hi << 4 | lo);
		}
	}
	return 0;
}

static uint32_t get_u32(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > (json_int_t)INT32_MAX)
		return 0;
	return (uint32_t)json_integer_value(v);
}

/* secret_key: "ticket", "secret" or NULL (cryptosign). */
static int build_principals(const json_t *map, const char *secret_key, bool is_cryptosign,
			    struct wd_auth_method_cfg *m)
{
	const char *authid;
	json_t *v;
	size_t i = 0;
	int rc;
	if (!json_is_object(map))
		return WD_EINVAL;
	if (json_object_size(map) == 0)
		return 0;
	if ((m->principals = calloc(json_object_size(map), sizeof(*m->principals))) == NULL)
		return WD_ENOMEM;
	m->n_principals = json_object_size(map);
	json_object_foreach((json_t *)map, authid, v)
	{
		struct wd_auth_principal *p = &m->principals[i++];
		if (!json_is_object(v))
			return WD_EINVAL;
		if ((p->authid = strdup(authid)) == NULL)
			return WD_ENOMEM;
		if ((rc = dup_opt(&p->role, v, "role")) < 0)
			return rc;
		if (secret_key != NULL && (rc = dup_secret(&p->secret, v, secret_key)) < 0)
			return rc;
		if (is_cryptosign) {
			if ((rc = dup_opt(&p->realm, v, "realm")) < 0)
				return rc;
			if ((rc = build_keys(json_object_get(v, "authorized_keys"), p)) < 0)
				return rc;
		} else if (secret_key != NULL && strcmp(secret_key, "secret") == 0) {
			if ((rc = dup_opt(&p->salt, v, "salt")) < 0)
				return rc;
			p->iterations = get_u32(v, "iterations");
			p->keylen = get_u32(v, "keylen");
		}
	}
	return 0;
}

enum method { ANONYMOUS, TICKET, WAMPCRA, CRYPTOSIGN };

static int build_method(const json_t *doc, enum method kind, struct wd_auth_method_cfg *m)
{
	const char *type = json_string_value(json_object_get(doc, "type"));
	int rc;
	if (doc == NULL)
		return 0;
	if (type == NULL)
		return WD_EINVAL;
	m->is_enabled = true;
	if ((rc = dup_opt(&m->default_role, doc, "default-role")) < 0)
		return rc;
	if (strcmp(type, "dynamic") == 0) {
		m->type = WD_AUTH_DYNAMIC;
		if (json_object_get(doc, "authenticator") == NULL)
			return WD_EINVAL;
		if ((rc = dup_opt(&m->authenticator, doc, "authenticator")) < 0 ||
		    (rc = dup_opt(&m->authenticator_realm, doc, "authenticator-realm")) < 0 ||
		    (rc = dup_opt(&m->authenticator_role, doc, "authenticator-role")) < 0)
			return rc;
		return 0;
	}
	if (strcmp(type, "static") != 0)
		return WD_EINVAL;
	m->type = WD_AUTH_STATIC;
	switch (kind) {
	case ANONYMOUS:
		if ((rc = dup_opt(&m->role, doc, "role")) < 0 ||
		    (rc = dup_opt(&m->authid, doc, "authid")) < 0)
			return rc;
		if (m->role == NULL && (m->role = strdup("anonymous")) == NULL)
			return WD_ENOMEM;
		return 0;
	case TICKET:
		return build_principals(json_object_get(doc, "principals"), "ticket", false, m);
	case WAMPCRA:
		return build_principals(json_object_get(doc, "users"), "secret", false, m);
	case CRYPTOSIGN:
		return build_principals(json_object_get(doc, "principals"), NULL, true, m);
	}
	return WD_EINVAL;
}

int wd_config_build_auth(const json_t *auth, struct wd_auth_cfg *out)
{
	int rc;
	if (auth == NULL)
		return 0;
	if (!json_is_object(auth))
		return WD_EINVAL;
	/* Crossbar: an empty "auth" is no auth (`if not auth_config`), i.e. anonymous. */
	out->is_set = json_object_size(auth) > 0;
	if (json_object_get(auth, "cookie") || json_object_get(auth, "tls") ||
	    json_object_get(auth, "scram") || json_object_get(auth, "cryptosign-proxy") ||
	    json_object_get(auth, "anonymous-proxy"))
		return WD_EINVAL;
	if ((rc = build_method(json_object_get(auth, "anonymous"), ANONYMOUS, &out->anonymous)) <
	            0 ||
	    (rc = build_method(json_object_get(auth, "ticket"), TICKET, &out->ticket)) < 0 ||
	    (rc = build_method(json_object_get(auth, "wampcra"), WAMPCRA, &out->wampcra)) < 0 ||
	    (rc = build_method(json_object_get(auth, "cryptosign"), CRYPTOSIGN,
			       &out->cryptosign)) < 0)
		return rc;
	return 0;
}

static void free_method(struct wd_auth_method_cfg *m)
{
	size_t i;
	for (i = 0; i < m->n_principals; i++) {
		struct wd_auth_principal *p = &m->principals[i];
		free(p->authid);
		free(p->role);
		if (p->secret != NULL) {
			/* Secrets do not linger in freed memory. */
			volatile char *s = p->secret;
			while (*s != '\0')
				*s++ = '\0';
		}
		free(p->secret);
		free(p->salt);
		free(p->realm);
		free(p->keys);
	}
	free(m->principals);
	free(m->role);
	free(m->authid);
	free(m->authenticator);
	free(m->authenticator_realm);
	free(m->authenticator_role);
	free(m->default_role);
	memset(m, 0, sizeof(*m));
}

void wd_config_free_auth(struct wd_auth_cfg *a)
{
	if (a == NULL)
		return;
	free_method(&a->anonymous);
	free_method(&a->ticket);
	free_method(&a->wampcra);
	free_method(&a->cryptosign);
	a->is_set = false;
}
