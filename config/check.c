/* Walks a Crossbar config (version 2) and reports every error, each with its key path.
 *
 * The rules follow Crossbar's checker (crossbar/common/checkconfig.py) for what wampd
 * implements: unknown keys are errors where Crossbar rejects them (top level, controller,
 * worker, transport, endpoint, WebSocket options, web options, path services, permission
 * entries), while realm and role objects take any extra key, as Crossbar's do. Features wampd
 * does not have yet get a "... is not supported yet" error naming the key, never silence
 * (DESIGN.md decision 5). Where wampd is stricter than Crossbar's checker the line says so. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config/config.h"
#include "protocol/error.h"
#include "protocol/uri.h"

#define PATH_CAP 512
#define MSG_CAP 512
#define QUOTE_MAX 64 /* characters of a user string echoed in a message */

struct seen_realm {
	const char *name; /* borrowed from the document */
	char *where;      /* key path of the realm that defined it first */
};

struct ctx {
	struct wd_config_errors *errs;
	size_t n; /* errors found by this call, stored or not */
	char path[PATH_CAP];
	size_t len;
	bool in_disabled_worker; /* its realms do not take part in the duplicate check */
	struct seen_realm *realms;
	size_t n_realms;
};

struct field;
typedef void field_fn(struct ctx *c, const json_t *v, const struct field *f);

/* One allowed key of an object. check NULL accepts any value; what is the message of the
 * "not supported yet" checks; lo/hi bound the integer checks. The generic container checks
 * read two more members: item checks each element of a list (f_list) or each member of a map
 * (f_map), and sub holds the fields of an object value (f_fields, also as an item check).
 * A table ends with {.key = NULL}, or with EXTENDS(base) when it adds keys to base. */
struct field {
	const char *key;
	field_fn *check;
	bool required;
	const char *what;
	int64_t lo, hi;
	field_fn *item;
	const struct field *sub;
};

#define EXTENDS(base)                                                                              \
	{                                                                                          \
		.key = NULL, .sub = (base)                                                         \
	}

/* --- key paths and error lines ------------------------------------------------------------ */

static void append(struct ctx *c, const char *s, size_t n)
{
	if (c->len + n + 4 > PATH_CAP) {
		/* Very long keys only come from odd documents; keep the start of the path. */
		if (c->len + 4 <= PATH_CAP &&
		    (c->len < 3 || strcmp(c->path + c->len - 3, "...") != 0)) {
			memcpy(c->path + c->len, "...", 3);
			c->len += 3;
		}
		c->path[c->len] = '\0';
		return;
	}
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
}

static bool is_plain_key(const char *k)
{
	if (*k == '\0')
		return false;
	for (; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-' && *k != '$')
			return false;
	return true;
}

/* Writes s as a JSON string literal (quotes included) into buf, cut with "..." after max
 * bytes (at a UTF-8 character boundary). cap must hold max * 6 + 16 bytes. */
static void quote_into(char *buf, size_t cap, const char *s, size_t max)
{
	size_t o = 0, i;
	if (cap < 8) {
		if (cap > 0)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		size_t n;
		if (i >= max && (ch & 0xc0) != 0x80) {
			if (o + 5 >= cap)
				break;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			n = 2;
		} else if (ch < 0x20 || ch == 0x7f) {
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", ch);
		} else {
			esc[0] = (char)ch;
			n = 1;
		}
		if (o + n + 2 >= cap)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

static size_t push_key(struct ctx *c, const char *key)
{
	size_t mark = c->len;
	if (is_plain_key(key)) {
		if (c->len > 0)
			append(c, ".", 1);
		append(c, key, strlen(key));
	} else {
		char q[PATH_CAP];
		quote_into(q, sizeof(q), key, QUOTE_MAX);
		append(c, "[", 1);
		append(c, q, strlen(q));
		append(c, "]", 1);
	}
	return mark;
}

static size_t push_index(struct ctx *c, size_t i)
{
	char buf[32];
	size_t mark = c->len;
	int n = snprintf(buf, sizeof(buf), "[%zu]", i);
	append(c, buf, (size_t)n);
	return mark;
}

static void pop(struct ctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

static void add_line(struct ctx *c, const char *msg)
{
	struct wd_config_errors *e = c->errs;
	const char *p = c->len > 0 ? c->path : "(root)";
	size_t need = strlen(p) + 2 + strlen(msg) + 1;
	char *line, **grown;
	c->n++;
	if ((line = malloc(need)) == NULL)
		return;
	snprintf(line, need, "%s: %s", p, msg);
	if ((grown = realloc(e->lines, (e->n + 1) * sizeof(*grown))) == NULL) {
		free(line);
		return;
	}
	e->lines = grown;
	e->lines[e->n++] = line;
}

__attribute__((format(printf, 2, 3))) static void err(struct ctx *c, const char *fmt, ...)
{
	char msg[MSG_CAP];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_line(c, msg);
}

/* Error at a child key of the current path. */
__attribute__((format(printf, 3, 4))) static void err_at(struct ctx *c, const char *key,
                                                         const char *fmt, ...)
{
	char msg[MSG_CAP];
	va_list ap;
	size_t mark = push_key(c, key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_line(c, msg);
	pop(c, mark);
}

/* Describes a value for "got ...": strings quoted, numbers and literals as written,
 * containers by kind. */
static const char *describe(const json_t *v, char *buf, size_t cap)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		quote_into(buf, cap, json_string_value(v), QUOTE_MAX);
		return buf;
	case JSON_INTEGER:
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		/* 15 significant digits, with ".0" so 2.0 does not look like 2. */
		snprintf(buf, cap, "%.15g", json_real_value(v));
		if (strcspn(buf, ".eEni") == strlen(buf) && strlen(buf) + 3 <= cap)
			strcat(buf, ".0");
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
	default:
		return "null";
	}
}

static void expected(struct ctx *c, const char *what, const json_t *v)
{
	char buf[QUOTE_MAX * 6 + 16];
	err(c, "expected %s, got %s", what, describe(v, buf, sizeof(buf)));
}

static const char *quoted(const char *s, char *buf, size_t cap)
{
	quote_into(buf, cap, s, QUOTE_MAX);
	return buf;
}

/* --- small value checks (the path points at the value) ------------------------------------ */

static bool want_object(struct ctx *c, const json_t *v)
{
	if (json_is_object(v))
		return true;
	expected(c, "an object", v);
	return false;
}

static bool want_list(struct ctx *c, const json_t *v)
{
	if (json_is_array(v))
		return true;
	expected(c, "a list", v);
	return false;
}

static bool want_string(struct ctx *c, const json_t *v)
{
	if (json_is_string(v))
		return true;
	expected(c, "a string", v);
	return false;
}

/* JSON true/false only: Python's isinstance(1, bool) is False too. */
static void f_bool(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_boolean(v))
		expected(c, "a boolean", v);
}

static void f_string(struct ctx *c, const json_t *v, const struct field *f)
{
	want_string(c, v);
}

static void f_object(struct ctx *c, const json_t *v, const struct field *f)
{
	want_object(c, v);
}

/* Integer in [f->lo, f->hi]. Booleans are not integers here (Python would take true as 1;
 * wampd is stricter on purpose). */
static void f_int_range(struct ctx *c, const json_t *v, const struct field *f)
{
	char what[96];
	json_int_t x;
	if (f->hi == INT64_MAX)
		snprintf(what, sizeof(what), "an integer >= %" PRId64, f->lo);
	else
		snprintf(what, sizeof(what), "an integer %" PRId64 "..%" PRId64, f->lo, f->hi);
	if (!json_is_integer(v)) {
		expected(c, what, v);
		return;
	}
	x = json_integer_value(v);
	if (x < f->lo || x > f->hi)
		expected(c, what, v);
}

static void f_int(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_integer(v))
		expected(c, "an integer", v);
}

/* Crossbar's _check_milliseconds: 0 (off) or at least 1000; 1..999 are taken for seconds
 * given by mistake. The upper bound is the model's uint32_t. */
static void f_millis(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *what = "0 or an integer 1000..4294967295 (milliseconds)";
	json_int_t x;
	if (!json_is_integer(v)) {
		expected(c, what, v);
		return;
	}
	x = json_integer_value(v);
	if (x < 0 || (x > 0 && x < 1000) || x > (json_int_t)UINT32_MAX)
		expected(c, what, v);
}

/* Crossbar's check_id for worker, transport and path service ids. */
static void f_id(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *what = "an id matching ^[a-z][a-z0-9_]{2,63}$";
	const char *s;
	size_t i, n;
	if (!json_is_string(v)) {
		expected(c, what, v);
		return;
	}
	s = json_string_value(v);
	n = strlen(s);
	if (n < 3 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z')) {
		expected(c, what, v);
		return;
	}
	for (i = 1; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_')) {
			expected(c, what, v);
			return;
		}
	}
}

static void f_unsupported(struct ctx *c, const json_t *v, const struct field *f)
{
	err(c, "%s", f->what);
}

/* Crossbar only acts on these when they hold something ("store" in config and
 * config["store"]), so null, false, {} and [] change nothing and pass. */
static void f_unsupported_if_set(struct ctx *c, const json_t *v, const struct field *f)
{
	if (json_is_null(v) || json_is_false(v) ||
	    (json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0))
		return;
	f_unsupported(c, v, f);
}

/* Finds key in fields or in the tables it extends. */
static const struct field *find_field(const struct field *fields, const char *key)
{
	const struct field *f;
	for (;;) {
		for (f = fields; f->key != NULL; f++)
			if (strcmp(f->key, key) == 0)
				return f;
		if ((fields = f->sub) == NULL)
			return NULL;
	}
}

/* Reports the required keys obj lacks: those of the extended table first, as if its entries
 * came first. */
static void report_missing(struct ctx *c, const json_t *obj, const struct field *fields)
{
	const struct field *f;
	for (f = fields; f->key != NULL; f++)
		;
	if (f->sub != NULL)
		report_missing(c, obj, f->sub);
	for (f = fields; f->key != NULL; f++)
		if (f->required && json_object_get(obj, f->key) == NULL)
			err_at(c, f->key, "required key is missing");
}

/* Walks obj's keys in document order: unknown keys are errors unless allow_unknown; each known
 * key's value goes to its check with the key on the path. Then reports missing required keys. */
static void walk(struct ctx *c, const json_t *obj, const struct field *fields, bool allow_unknown)
{
	const char *key;
	json_t *v;
	const struct field *f;
	json_object_foreach((json_t *)obj, key, v)
	{
		if ((f = find_field(fields, key)) == NULL) {
			if (!allow_unknown)
				err_at(c, key, "unknown key");
			continue;
		}
		if (f->check != NULL) {
			size_t mark = push_key(c, key);
			f->check(c, v, f);
			pop(c, mark);
		}
	}
	report_missing(c, obj, fields);
}

/* An object whose keys are f->sub. */
static void f_fields(struct ctx *c, const json_t *v, const struct field *f)
{
	if (want_object(c, v))
		walk(c, v, f->sub, false);
}

/* A list whose elements each pass f->item (called with f, the index on the path). */
static void f_list(struct ctx *c, const json_t *v, const struct field *f)
{
	size_t i;
	json_t *it;
	if (!want_list(c, v))
		return;
	json_array_foreach(v, i, it)
	{
		size_t mark = push_index(c, i);
		f->item(c, it, f);
		pop(c, mark);
	}
}

/* An object of any keys whose values each pass f->item (called with f, the key on the path). */
static void f_map(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *key;
	json_t *it;
	if (!want_object(c, v))
		return;
	json_object_foreach((json_t *)v, key, it)
	{
		size_t mark = push_key(c, key);
		f->item(c, it, f);
		pop(c, mark);
	}
}

/* Checks that the string value is one of the NULL-terminated names; the message lists them. */
static bool want_one_of(struct ctx *c, const json_t *v, const char *const *names)
{
	char what[256];
	size_t o = 0, i, n = 0;
	if (json_is_string(v))
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(json_string_value(v), names[i]) == 0)
				return true;
	while (names[n] != NULL)
		n++;
	o += (size_t)snprintf(what + o, sizeof(what) - o, n > 2 ? "one of " : "");
	for (i = 0; i < n && o < sizeof(what); i++) {
		const char *sep = i == 0 ? "" : (i + 1 == n ? " or " : ", ");
		o += (size_t)snprintf(what + o, sizeof(what) - o, "%s\"%s\"", sep, names[i]);
	}
	expected(c, what, v);
	return false;
}

static bool in_list(const char *s, const char *const *names)
{
	size_t i;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

/* --- shared helpers (config.h) ------------------------------------------------------------- */

/* Crossbar's _ENV_VAR_PAT, ^\$([a-zA-Z_][a-zA-Z0-9_]*)$: returns the name after '$' or NULL. */
static const char *env_var_name(const char *s)
{
	size_t i;
	if (s[0] != '$' || !(isalpha((unsigned char)s[1]) || s[1] == '_'))
		return NULL;
	for (i = 2; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return NULL;
	return s + 1;
}

int wd_config_resolve_port(const json_t *port, uint16_t *out)
{
	const char *name, *val, *p;
	unsigned long x = 0;
	if (json_is_integer(port)) {
		json_int_t n = json_integer_value(port);
		if (n < 1 || n > 65535)
			return WD_EINVAL;
		*out = (uint16_t)n;
		return 0;
	}
	if (!json_is_string(port) || (name = env_var_name(json_string_value(port))) == NULL)
		return WD_EINVAL;
	if ((val = getenv(name)) == NULL)
		return WD_ENOTFOUND;
	p = val;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return WD_EINVAL;
	while (isdigit((unsigned char)*p)) {
		x = x * 10 + (unsigned long)(*p - '0');
		if (x > 65535)
			return WD_EINVAL;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || x < 1)
		return WD_EINVAL;
	*out = (uint16_t)x;
	return 0;
}

bool wd_config_worker_disabled(const json_t *worker)
{
	const json_t *opts = json_object_get(worker, "options");
	const json_t *d = json_object_get(opts, "disabled");
	const char *val;
	if (json_is_boolean(d))
		return json_is_true(d);
	/* Crossbar's maybe_from_env: "${VAR}" reads VAR (unset: enabled); any other string is
	 * used as it is. Any non-empty value means disabled. */
	if (!json_is_string(d) || wd_config_resolve_env(json_string_value(d), &val) < 0)
		return false;
	return val[0] != '\0';
}

/* --- controller and worker options (accepted and ignored by wampd) ------------------------ */

static const char *const shutdown_modes[] = {
        "shutdown_on_shutdown_requested", "shutdown_on_worker_exit",
        "shutdown_on_worker_exit_with_error", "shutdown_on_last_worker_exit", NULL};

static void f_shutdown_mode(struct ctx *c, const json_t *v, const struct field *f)
{
	want_one_of(c, v, shutdown_modes);
}

static void f_shutdown(struct ctx *c, const json_t *v, const struct field *f)
{
	if (json_is_string(v))
		f_shutdown_mode(c, v, f);
	else if (json_is_array(v))
		f_list(c, v, f);
	else
		expected(c, "a shutdown mode or a list of them", v);
}

static const struct field controller_options_fields[] = {
        {.key = "title", .check = f_string},
        {.key = "shutdown", .check = f_shutdown, .item = f_shutdown_mode},
        {.key = "enable_parallel_worker_start", .check = f_bool},
        {.key = NULL},
};

static const struct field manhole_user_fields[] = {
        {.key = "user", .check = f_string, .required = true},
        {.key = "password", .check = f_string, .required = true},
        {.key = NULL},
};

/* The manhole is Crossbar's Python debugging shell: wampd has none and ignores the block
 * after this shape check (its endpoint is not opened). */
static const struct field manhole_fields[] = {
        {.key = "endpoint", .check = f_object, .required = true},
        {.key = "users",
         .check = f_list,
         .item = f_fields,
         .sub = manhole_user_fields,
         .required = true},
        {.key = NULL},
};

static const struct field keyring_file_fields[] = {{.key = "type"}, {.key = "path"}, {.key = NULL}};
static const struct field keyring_hsm_fields[] = {
        {.key = "type"}, {.key = "driver"}, {.key = "port"}, {.key = NULL}};

static void f_keyring(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const types[] = {"file", "hsm", NULL};
	const json_t *t;
	size_t mark;
	if (!want_object(c, v))
		return;
	if ((t = json_object_get(v, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_one_of(c, t, types)) {
		pop(c, mark);
		return;
	}
	pop(c, mark);
	walk(c, v,
	     strcmp(json_string_value(t), "file") == 0 ? keyring_file_fields : keyring_hsm_fields,
	     false);
}

static const struct field controller_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "options", .check = f_fields, .sub = controller_options_fields},
        {.key = "manhole", .check = f_fields, .sub = manhole_fields},
        {.key = "connections"},
        {.key = "keyring", .check = f_keyring},
        {.key = NULL},
};

static void f_env_inherit(struct ctx *c, const json_t *v, const struct field *f)
{
	if (json_is_boolean(v))
		return;
	if (json_is_array(v)) {
		f_list(c, v, f);
		return;
	}
	expected(c, "a boolean or a list of variable names", v);
}

/* Worker process environment: wampd runs no worker processes, so this is checked and ignored. */
static const struct field env_fields[] = {
        {.key = "inherit", .check = f_env_inherit, .item = f_string},
        {.key = "vars", .check = f_map, .item = f_string},
        {.key = NULL},
};

static void f_disabled(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_boolean(v) && !json_is_string(v))
		expected(c, "a boolean or a string", v);
}

/* Crossbar's native worker options. wampd runs in one process, so all but "disabled" are
 * accepted and ignored. */
static const struct field worker_options_fields[] = {
        {.key = "extra"},
        {.key = "title", .check = f_string},
        {.key = "python", .check = f_string},
        {.key = "pythonpath", .check = f_list, .item = f_string},
        {.key = "cpu_affinity", .check = f_list, .item = f_int},
        {.key = "env", .check = f_fields, .sub = env_fields},
        {.key = "expose_controller", .check = f_bool},
        {.key = "expose_shared", .check = f_bool},
        {.key = "disabled", .check = f_disabled},
        {.key = NULL},
};

/* --- realms, roles, permissions ------------------------------------------------------------ */

/* Crossbar's _URI_PAT_REALM_NAME (wd_uri_realm_valid). */
static void f_realm_name(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) || !wd_uri_realm_valid(json_string_value(v)))
		expected(c, "a realm name matching ^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$", v);
}

/* Crossbar's _URI_PAT_LOOSE_EMPTY, ^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$: loose components, any of
 * them empty, so exactly the strings without whitespace (Python's \s) and '#'. */
static void f_perm_uri(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) ||
	    !wd_uri_check(json_string_value(v), WD_URI_LOOSE, WD_URI_ANY_EMPTY))
		expected(c, "a URI pattern without whitespace or '#'", v);
}

static void f_match(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const modes[] = {"exact", "prefix", "wildcard", NULL};
	want_one_of(c, v, modes);
}

static const struct field allow_fields[] = {
        {.key = "call", .check = f_bool},
        {.key = "register", .check = f_bool},
        {.key = "publish", .check = f_bool},
        {.key = "subscribe", .check = f_bool},
        {.key = NULL},
};

static const struct field disclose_fields[] = {
        {.key = "caller", .check = f_bool},
        {.key = "publisher", .check = f_bool},
        {.key = NULL},
};

static const struct field permission_fields[] = {
        {.key = "uri", .check = f_perm_uri, .required = true},
        {.key = "match", .check = f_match},
        {.key = "allow", .check = f_fields, .sub = allow_fields},
        {.key = "disclose", .check = f_fields, .sub = disclose_fields},
        {.key = "cache", .check = f_bool},
        {.key = "validate",
         .check = f_unsupported,
         .what = "payload validation is not supported yet"},
        {.key = NULL},
};

static field_fn f_proc_uri;

/* Role objects are not key-checked by Crossbar (real configs carry "id" and more), so
 * unknown keys pass. */
static const struct field role_fields[] = {
        {.key = "name", .check = f_string, .required = true},
        {.key = "permissions", .check = f_list, .item = f_fields, .sub = permission_fields},
        {.key = "authorizer", .check = f_proc_uri}, /* exclusive with "permissions": below */
        {.key = "allow-by-default", .check = f_bool},
        {.key = NULL},
};

static void f_role(struct ctx *c, const json_t *role, const struct field *f)
{
	bool has_auth, has_perms;
	if (!want_object(c, role))
		return;
	walk(c, role, role_fields, true);
	has_auth = json_object_get(role, "authorizer") != NULL;
	has_perms = json_object_get(role, "permissions") != NULL;
	if (has_auth && has_perms)
		err(c, "can't specify both 'authorizer' and 'permissions' at once");
}

static void f_uri_check(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const modes[] = {"strict", "loose", NULL};
	want_one_of(c, v, modes); /* Crossbar takes any value and treats non-"strict" as loose */
}

static const struct field realm_options_fields[] = {
        {.key = "uri_check", .check = f_uri_check},
        {.key = "event_dispatching_chunk_size", .check = f_int_range, .lo = 1, .hi = INT64_MAX},
        {.key = "enable_meta_api", .check = f_bool},
        {.key = "bridge_meta_api", .check = f_bool},
        /* Read by Crossbar's router but missing from its checker's list; accepted here. */
        {.key = "bridge_meta_api_prefix", .check = f_string},
        {.key = NULL},
};

/* Realm objects are not key-checked by Crossbar either; the keys that change behaviour
 * wampd lacks are reported when they hold something. */
static const struct field realm_fields[] = {
        {.key = "name", .check = f_realm_name, .required = true},
        {.key = "roles", .check = f_list, .item = f_role},
        {.key = "options", .check = f_fields, .sub = realm_options_fields},
        {.key = "store",
         .check = f_unsupported_if_set,
         .what = "realm stores (event history, call queues) are not supported yet"},
        {.key = "rlinks",
         .check = f_unsupported_if_set,
         .what = "router-to-router links are not supported yet"},
        {.key = "inventory",
         .check = f_unsupported_if_set,
         .what = "realm type inventories are not supported yet"},
        {.key = "stats",
         .check = f_unsupported_if_set,
         .what = "realm statistics (wamp.session.on_stats) are not supported yet"},
        {.key = NULL},
};

static void f_realm(struct ctx *c, const json_t *realm, const struct field *f)
{
	const json_t *name;
	const char *s;
	size_t i;
	struct seen_realm *grown;
	if (!want_object(c, realm))
		return;
	walk(c, realm, realm_fields, true);
	name = json_object_get(realm, "name");
	if (!json_is_string(name) || !wd_uri_realm_valid(json_string_value(name)) ||
	    c->in_disabled_worker)
		return;
	s = json_string_value(name);
	for (i = 0; i < c->n_realms; i++) {
		if (strcmp(c->realms[i].name, s) == 0) {
			char q[QUOTE_MAX * 6 + 16];
			err_at(c, "name", "realm %s is already defined at %s",
			       quoted(s, q, sizeof(q)), c->realms[i].where);
			return;
		}
	}
	if ((grown = realloc(c->realms, (c->n_realms + 1) * sizeof(*grown))) == NULL)
		return;
	c->realms = grown;
	if ((c->realms[c->n_realms].where = strdup(c->path)) == NULL)
		return;
	c->realms[c->n_realms++].name = s;
}

/* --- endpoints ----------------------------------------------------------------------------- */

static void f_port(struct ctx *c, const json_t *v, const struct field *f)
{
	uint16_t port;
	int rc = wd_config_resolve_port(v, &port);
	if (rc == 0)
		return;
	if (rc == WD_ENOTFOUND) {
		err(c, "environment variable %s is not set", json_string_value(v));
		return;
	}
	if (json_is_string(v) && env_var_name(json_string_value(v)) != NULL) {
		const char *val = getenv(json_string_value(v) + 1);
		if (val != NULL) {
			char q[QUOTE_MAX * 6 + 16];
			err(c, "environment variable %s holds %s, not a port 1..65535",
			    json_string_value(v), quoted(val, q, sizeof(q)));
			return;
		}
	}
	expected(c, "an integer 1..65535 or \"$VAR\"", v);
}

static void f_ip_version(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_integer(v) || (json_integer_value(v) != 4 && json_integer_value(v) != 6))
		expected(c, "4 or 6", v);
}

static const struct field tcp_endpoint_fields[] = {
        {.key = "type"},
        {.key = "version", .check = f_ip_version},
        {.key = "port", .check = f_port},
        {.key = "portrange", .check = f_unsupported, .what = "port ranges are not supported yet"},
        {.key = "shared", .check = f_bool},
        {.key = "interface", .check = f_string},
        {.key = "backlog", .check = f_int_range, .lo = 1, .hi = 65535},
        {.key = "tls", .check = f_unsupported, .what = "TLS is not supported yet"},
        {.key = "user_timeout", .check = f_int_range, .lo = 0, .hi = 65535},
        {.key = NULL},
};

static void f_endpoint(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const types[] = {"tcp", "unix", "twisted", "onion", NULL};
	const json_t *t;
	const char *s;
	size_t mark;
	if (!want_object(c, v))
		return;
	if ((t = json_object_get(v, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_one_of(c, t, types)) {
		pop(c, mark);
		return;
	}
	s = json_string_value(t);
	if (strcmp(s, "tcp") != 0) {
		char q[QUOTE_MAX * 6 + 16];
		err(c, "endpoint type %s is not supported yet", quoted(s, q, sizeof(q)));
		pop(c, mark);
		return;
	}
	pop(c, mark);
	walk(c, v, tcp_endpoint_fields, false);
	if (json_object_get(v, "port") == NULL && json_object_get(v, "portrange") == NULL)
		err_at(c, "port", "required key is missing");
}

/* --- WebSocket ----------------------------------------------------------------------------- */

/* autobahn.websocket.util.parse_url as Crossbar applies it to "url": scheme ws or wss, a host,
 * an optional port 1..65535, no fragment. */
static bool ws_url_valid(const char *url)
{
	const char *p = url, *host, *end, *at, *hend;
	size_t i;
	if (strncasecmp(p, "ws://", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "wss://", 6) == 0)
		p += 6;
	else
		return false;
	end = p + strcspn(p, "/?#");
	host = p;
	for (at = p; at < end; at++)
		if (*at == '@')
			host = at + 1;
	if (*host == '[') {
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL || hend == host + 1)
			return false;
		hend++;
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL)
			hend = end;
		if (hend == host)
			return false;
	}
	if (hend < end) {
		unsigned long port = 0;
		if (*hend != ':')
			return false;
		for (i = 1; hend + i < end; i++) {
			if (!isdigit((unsigned char)hend[i]) ||
			    (port = port * 10 + (unsigned long)(hend[i] - '0')) > 65535)
				return false;
		}
		if (i > 1 && port < 1)
			return false;
	}
	if ((p = strchr(end, '#')) != NULL && p[1] != '\0')
		return false;
	return true;
}

static void f_ws_url(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) || !ws_url_valid(json_string_value(v)))
		expected(c, "a ws:// or wss:// URL with a host and no fragment", v);
}

/* Crossbar's server factory accepts these names; wampd speaks json and msgpack and ignores
 * the others, so Crossbar's own template (["cbor", "msgpack", "json"]) works unchanged. */
static const char *const serializer_names[] = {"json",   "msgpack",     "cbor",
                                               "ubjson", "flatbuffers", NULL};

static void f_serializers(struct ctx *c, const json_t *v, const struct field *f)
{
	size_t i;
	json_t *it;
	bool ok = true, usable = false;
	if (!want_list(c, v))
		return;
	if (json_array_size(v) == 0) {
		err(c, "expected a non-empty list"); /* Crossbar: "no valid WAMP serializers" */
		return;
	}
	json_array_foreach(v, i, it)
	{
		size_t mark = push_index(c, i);
		if (!want_one_of(c, it, serializer_names)) {
			ok = false;
		} else {
			const char *s = json_string_value(it);
			if (strcmp(s, "json") == 0 || strcmp(s, "msgpack") == 0)
				usable = true;
		}
		pop(c, mark);
	}
	if (ok && !usable)
		err(c,
		    "none of these serializers is supported yet (wampd speaks json and msgpack)");
}

static const struct field deflate_fields[] = {
        {.key = "request_no_context_takeover", .check = f_bool},
        {.key = "request_max_window_bits", .check = f_int_range, .lo = 0, .hi = 15}, /* and below */
        {.key = "no_context_takeover", .check = f_bool},
        {.key = "max_window_bits", .check = f_int_range, .lo = 9, .hi = 15},
        {.key = "memory_level", .check = f_int_range, .lo = 1, .hi = 9},
        {.key = NULL},
};

static void f_deflate(struct ctx *c, const json_t *v, const struct field *f)
{
	const json_t *bits;
	if (!want_object(c, v))
		return;
	walk(c, v, deflate_fields, false);
	/* autobahn's permessage-deflate takes 0 (not requested) or a window of 9..15 bits. */
	bits = json_object_get(v, "request_max_window_bits");
	if (json_is_integer(bits) && json_integer_value(bits) > 0 && json_integer_value(bits) < 9) {
		size_t mark = push_key(c, "request_max_window_bits");
		expected(c, "0 or an integer 9..15", bits);
		pop(c, mark);
	}
}

/* Crossbar's checker leaves "compression" unchecked (a FIXME); wampd checks the deflate
 * parameters Crossbar's router reads, then ignores them: not negotiating permessage-deflate
 * is legal for a server (RFC 7692 section 5). */
static const struct field compression_fields[] = {
        {.key = "deflate", .check = f_deflate},
        {.key = NULL},
};

static void f_rfc6455(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_boolean(v))
		expected(c, "a boolean", v);
	else if (json_is_false(v))
		err(c, "turning RFC 6455 off is not supported (wampd speaks only RFC 6455)");
}

static void f_mask_server_frames(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_boolean(v))
		expected(c, "a boolean", v);
	else if (json_is_true(v))
		err(c,
		    "masked server frames are not supported (frames are shared between receivers)");
}

static const struct field ws_options_fields[] = {
        {.key = "allowed_origins", .check = f_list, .item = f_string},
        {.key = "allow_null_origin", .check = f_bool},
        {.key = "external_port", .check = f_int_range, .lo = 1, .hi = 65535},
        {.key = "enable_hybi10", .check = f_bool},
        {.key = "enable_rfc6455", .check = f_rfc6455},
        {.key = "open_handshake_timeout", .check = f_millis},
        {.key = "close_handshake_timeout", .check = f_millis},
        {.key = "enable_webstatus", .check = f_bool},
        {.key = "validate_utf8", .check = f_bool},
        {.key = "mask_server_frames", .check = f_mask_server_frames},
        {.key = "require_masked_client_frames", .check = f_bool},
        {.key = "apply_mask", .check = f_bool},
        {.key = "max_frame_size", .check = f_int_range, .lo = 0, .hi = UINT32_MAX},
        {.key = "max_message_size", .check = f_int_range, .lo = 1, .hi = 64 * 1024 * 1024},
        {.key = "auto_fragment_size", .check = f_int_range, .lo = 0, .hi = UINT32_MAX},
        {.key = "fail_by_drop", .check = f_bool},
        {.key = "echo_close_codereason", .check = f_bool},
        {.key = "tcp_nodelay", .check = f_bool},
        {.key = "auto_ping_interval", .check = f_millis},
        {.key = "auto_ping_timeout", .check = f_millis},
        {.key = "auto_ping_size", .check = f_int_range, .lo = 12, .hi = 125},
        {.key = "auto_ping_restart_on_any_traffic", .check = f_bool},
        {.key = "enable_flash_policy", .check = f_bool},
        {.key = "flash_policy"},
        {.key = "compression", .check = f_fields, .sub = compression_fields},
        {.key = "require_websocket_subprotocol", .check = f_bool},
        {.key = "show_server_version", .check = f_bool},
        {.key = NULL},
};

/* --- transport authentication ("auth") ------------------------------------------------------ */

/* Crossbar's maybe_from_env: a whole value "${VAR}" is read from the environment. Crossbar
 * keeps the literal text when VAR is unset (so the ticket would be "${VAR}"); wampd reports
 * that as an error instead. */
static void f_env_secret(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *val;
	if (!want_string(c, v))
		return;
	if (wd_config_resolve_env(json_string_value(v), &val) == WD_ENOTFOUND)
		err(c, "environment variable %s is not set", json_string_value(v));
}

static void f_proc_uri(struct ctx *c, const json_t *v, const struct field *f)
{
	/* check_or_raise_uri: _URI_PAT_STRICT_NON_EMPTY */
	if (!json_is_string(v) ||
	    !wd_uri_check(json_string_value(v), WD_URI_STRICT, WD_URI_NO_EMPTY))
		expected(c, "a procedure URI (strict, no empty components)", v);
}

static bool is_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

static void f_pubkey(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) || !is_hex(json_string_value(v), 64))
		expected(c, "an Ed25519 public key (64 hex characters)", v);
}

static const struct field auth_dynamic_fields[] = {
        {.key = "type"},
        {.key = "authenticator", .check = f_proc_uri, .required = true},
        {.key = "authenticator-realm", .check = f_realm_name},
        {.key = "authenticator-role", .check = f_string},
        {.key = "default-role", .check = f_string},
        {.key = NULL},
};

/* anonymous static: "realm" is accepted as Crossbar's checker does; its anonymous
 * authenticator ignores it, and so does wampd. */
static const struct field auth_anonymous_fields[] = {
        {.key = "type"},
        {.key = "role", .check = f_string},
        {.key = "authid", .check = f_string},
        {.key = "realm", .check = f_realm_name},
        {.key = NULL},
};

static const struct field ticket_principal_fields[] = {
        {.key = "ticket", .check = f_env_secret, .required = true},
        {.key = "role", .check = f_string},
        {.key = NULL},
};

static const struct field wampcra_user_fields[] = {
        {.key = "secret", .check = f_env_secret, .required = true},
        {.key = "role", .check = f_string},
        {.key = "salt", .check = f_string},
        {.key = "iterations", .check = f_int_range, .lo = 1, .hi = INT32_MAX},
        {.key = "keylen", .check = f_int_range, .lo = 1, .hi = 256},
        {.key = NULL},
};

static const struct field cryptosign_principal_fields[] = {
        {.key = "authorized_keys", .check = f_list, .item = f_pubkey, .required = true},
        {.key = "role", .check = f_string, .required = true},
        {.key = "realm", .check = f_realm_name},
        {.key = NULL},
};

static const struct field auth_ticket_fields[] = {
        {.key = "type"},
        {.key = "principals",
         .check = f_map,
         .item = f_fields,
         .sub = ticket_principal_fields,
         .required = true},
        {.key = "default-role", .check = f_string},
        {.key = NULL},
};

static const struct field auth_wampcra_fields[] = {
        {.key = "type"},
        {.key = "users",
         .check = f_map,
         .item = f_fields,
         .sub = wampcra_user_fields,
         .required = true},
        {.key = "default-role", .check = f_string},
        {.key = NULL},
};

static const struct field auth_cryptosign_fields[] = {
        {.key = "type"},
        {.key = "principals",
         .check = f_map,
         .item = f_fields,
         .sub = cryptosign_principal_fields,
         .required = true},
        {.key = "default-role", .check = f_string},
        {.key = "trustroot",
         .check = f_unsupported,
         .what = "cryptosign trustroots (Ethereum certificates) are not supported yet"},
        {.key = NULL},
};

/* One method object: "type" static|dynamic decides which keys it takes (f->sub for static).
 * Crossbar does not key-check dynamic configurations; wampd does (an unknown key there is a
 * typo). */
static void f_auth_method(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const types[] = {"static", "dynamic", NULL};
	const json_t *t;
	size_t mark;
	if (!want_object(c, v))
		return;
	if ((t = json_object_get(v, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (json_is_string(t) && strcmp(json_string_value(t), "function") == 0) {
		err(c, "authenticators of type \"function\" (Python callables) are not supported");
		pop(c, mark);
		return;
	}
	if (!want_one_of(c, t, types)) {
		pop(c, mark);
		return;
	}
	pop(c, mark);
	if (strcmp(json_string_value(t), "static") == 0)
		walk(c, v, f->sub, false);
	else
		walk(c, v, auth_dynamic_fields, false);
}

static const struct field auth_fields[] = {
        {.key = "anonymous", .check = f_auth_method, .sub = auth_anonymous_fields},
        {.key = "ticket", .check = f_auth_method, .sub = auth_ticket_fields},
        {.key = "wampcra", .check = f_auth_method, .sub = auth_wampcra_fields},
        {.key = "cryptosign", .check = f_auth_method, .sub = auth_cryptosign_fields},
        {.key = "cookie",
         .check = f_unsupported,
         .what = "cookie authentication is not supported yet"},
        {.key = "tls",
         .check = f_unsupported,
         .what = "TLS client certificate authentication is not supported yet"},
        {.key = "scram", .check = f_unsupported, .what = "WAMP-SCRAM is not supported yet"},
        {.key = "cryptosign-proxy",
         .check = f_unsupported,
         .what = "proxy authentication (cryptosign-proxy) is not supported yet"},
        {.key = "anonymous-proxy",
         .check = f_unsupported,
         .what = "proxy authentication (anonymous-proxy) is not supported yet"},
        {.key = NULL},
};

/* --- transports ---------------------------------------------------------------------------- */

static const struct field websocket_service_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "url", .check = f_ws_url},
        {.key = "serializers", .check = f_serializers},
        {.key = "cookie", .check = f_unsupported, .what = "cookie tracking is not supported yet"},
        {.key = "auth", .check = f_fields, .sub = auth_fields},
        {.key = "options", .check = f_fields, .sub = ws_options_fields},
        {.key = "debug", .check = f_bool},
        {.key = NULL},
};

/* A websocket transport is the "ws" path service with its own endpoint. */
static const struct field websocket_transport_fields[] = {
        {.key = "endpoint", .check = f_endpoint, .required = true},
        EXTENDS(websocket_service_fields),
};

/* Crossbar's check_listening_transport_rawsocket: RawSocket options are only the message
 * limit (1..64 MiB; the RawSocket handshake announces at most 16 MiB, rounded down to a power
 * of two). */
static const struct field rawsocket_options_fields[] = {
        {.key = "max_message_size", .check = f_int_range, .lo = 1, .hi = 64 * 1024 * 1024},
        {.key = NULL},
};

static const struct field rawsocket_transport_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "endpoint", .check = f_endpoint, .required = true},
        {.key = "serializers", .check = f_serializers},
        {.key = "debug", .check = f_bool},
        {.key = "options", .check = f_fields, .sub = rawsocket_options_fields},
        {.key = "auth", .check = f_fields, .sub = auth_fields},
        {.key = NULL},
};

/* --- HTTP bridge path services and bridge components (issue 5) ----------------------------- */

/* Crossbar's check_web_path_service_rest_post_body_limit: 0..2^20 ("0" = no limit). */
static void f_post_body_limit(struct ctx *c, const json_t *v, const struct field *f)
{
	static const struct field range = {.lo = 0, .hi = 1 << 20};
	f_int_range(c, v, &range);
}

/* An ip_network string as Python's ipaddress.ip_network takes it: an address with an
 * optional /prefix. Host bits set under the prefix are an error there; wampd accepts them. */
static bool ip_network_valid(const char *s)
{
	char addr[64];
	unsigned char buf[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int family, max;
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1) {
		family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, buf) == 1) {
		family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	if (slash != NULL && family == AF_INET && strchr(slash + 1, '.') != NULL) {
		/* netmask form, as ip_network("192.168.1.0/255.255.255.0") */
		unsigned char m[4];
		uint32_t mask;
		if (inet_pton(AF_INET, slash + 1, m) != 1)
			return false;
		mask = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
		return (mask & (~mask >> 1)) == 0 || ((~mask) & ((~mask) + 1)) == 0;
	}
	if (slash != NULL) {
		char *end;
		long p;
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		p = strtol(slash + 1, &end, 10);
		if (*end != '\0' || p < 0 || p > max)
			return false;
	}
	return true;
}

static void f_ip_network(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) || !ip_network_valid(json_string_value(v)))
		expected(c, "an IP network (\"127.0.0.1\", \"10.0.0.0/8\", \"::1\")", v);
}

/* The options of publisher paths; caller paths extend them. */
static const struct field rest_options_fields[] = {
        {.key = "debug", .check = f_bool},
        {.key = "key", .check = f_string},
        {.key = "secret", .check = f_string},
        {.key = "require_tls", .check = f_bool},
        {.key = "require_ip", .check = f_list, .item = f_ip_network},
        {.key = "post_body_limit", .check = f_post_body_limit},
        {.key = "timestamp_delta_limit", .check = f_int_range, .lo = 0, .hi = 86400},
        {.key = NULL},
};

/* "timeout" (ms) is wampd's: Crossbar's caller waits for the callee forever (crossbar #861). */
static const struct field caller_options_fields[] = {
        {.key = "timeout", .check = f_int_range, .lo = 0, .hi = 86400000},
        EXTENDS(rest_options_fields),
};

/* Crossbar's checker lets "topic" out, but its webhook then fails every request (KeyError):
 * wampd requires it. */
static const struct field webhook_options_fields[] = {
        {.key = "debug", .check = f_bool},
        {.key = "post_body_limit", .check = f_post_body_limit},
        {.key = "topic", .check = f_string, .required = true},
        {.key = "success_response", .check = f_string},
        {.key = "error_response", .check = f_string},
        {.key = "github_secret", .check = f_string},
        {.key = NULL},
};

/* The options object of a publisher, caller or webhook path (f->sub). */
static void f_rest_options(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!want_object(c, v))
		return;
	walk(c, v, f->sub, false);
	/* Crossbar compares the request's key with None and answers 401 to every request. */
	if (json_object_get(v, "secret") != NULL && json_object_get(v, "key") == NULL)
		err_at(c, "key", "required when \"secret\" is set (signed requests name their key)");
}

/* What publisher, caller and webhook paths share; each adds its "options". */
static const struct field rest_path_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "realm", .check = f_realm_name, .required = true},
        {.key = "role", .check = f_string, .required = true},
        {.key = "auth",
         .check = f_unsupported,
         .what = "HTTP Basic/ticket authentication of bridge requests is not supported yet"},
        {.key = NULL},
};

static const struct field publisher_fields[] = {
        {.key = "options", .check = f_rest_options, .sub = rest_options_fields},
        EXTENDS(rest_path_fields),
};

static const struct field caller_fields[] = {
        {.key = "options", .check = f_rest_options, .sub = caller_options_fields},
        EXTENDS(rest_path_fields),
};

static const struct field webhook_fields[] = {
        {.key = "options",
         .check = f_rest_options,
         .sub = webhook_options_fields,
         .required = true},
        EXTENDS(rest_path_fields),
};

static const struct field nodeinfo_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = NULL},
};

static void f_mime_types(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *key;
	json_t *it;
	if (!want_object(c, v))
		return;
	json_object_foreach((json_t *)v, key, it)
	{
		size_t mark = push_key(c, key);
		if (key[0] != '.')
			err(c, "expected a file extension starting with '.'");
		want_string(c, it);
		pop(c, mark);
	}
}

static const struct field static_options_fields[] = {
        {.key = "enable_directory_listing", .check = f_bool},
        {.key = "mime_types", .check = f_mime_types},
        {.key = "cache_timeout", .check = f_int_range, .lo = 0, .hi = INT32_MAX},
        {.key = "default_file", .check = f_string},
        {.key = NULL},
};

static void f_static_options(struct ctx *c, const json_t *v, const struct field *f)
{
	if (want_object(c, v))
		walk(c, v, static_options_fields, false);
}

static const struct field static_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "directory", .check = f_string, .required = true},
        {.key = "package",
         .check = f_unsupported,
         .what = "serving Python package resources is not supported (use \"directory\")"},
        {.key = "resource",
         .check = f_unsupported,
         .what = "serving Python package resources is not supported (use \"directory\")"},
        {.key = "options", .check = f_static_options},
        {.key = NULL},
};

/* Returns the fields of a bridge path service type, or NULL. */
static const struct field *bridge_service_fields(const char *type)
{
	if (strcmp(type, "publisher") == 0)
		return publisher_fields;
	if (strcmp(type, "caller") == 0)
		return caller_fields;
	if (strcmp(type, "webhook") == 0)
		return webhook_fields;
	if (strcmp(type, "nodeinfo") == 0)
		return nodeinfo_fields;
	if (strcmp(type, "static") == 0)
		return static_fields;
	return NULL;
}

static bool http_url_valid(const char *s)
{
	return (strncmp(s, "http://", 7) == 0 && s[7] != '\0') ||
	       (strncmp(s, "https://", 8) == 0 && s[8] != '\0');
}

static void f_http_url(struct ctx *c, const json_t *v, const struct field *f)
{
	if (!json_is_string(v) || !http_url_valid(json_string_value(v)))
		expected(c, "an http:// or https:// URL", v);
}

static void f_http_method(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const methods[] = {"GET",    "POST",    "PUT",   "PATCH",
	                                      "DELETE", "OPTIONS", "HEAD", NULL};
	want_one_of(c, v, methods);
}

static const struct field forward_sub_fields[] = {
        {.key = "url", .check = f_http_url, .required = true},
        {.key = "topic", .check = f_perm_uri, .required = true},
        {.key = "match", .check = f_match},
        {.key = NULL},
};

static void f_forward_subs(struct ctx *c, const json_t *v, const struct field *f)
{
	if (json_is_array(v) && json_array_size(v) == 0)
		err(c, "expected at least one subscription");
	else
		f_list(c, v, f);
}

/* "extra" of crossbar.bridge.rest.MessageForwarder; max_retries, retry_delay (ms) and timeout
 * (ms) are wampd's (Crossbar drops a failed delivery). */
static const struct field forwarder_extra_fields[] = {
        {.key = "subscriptions",
         .check = f_forward_subs,
         .item = f_fields,
         .sub = forward_sub_fields,
         .required = true},
        {.key = "method", .check = f_http_method},
        {.key = "expectedcode", .check = f_int_range, .lo = 100, .hi = 599},
        {.key = "debug", .check = f_bool},
        {.key = "max_retries", .check = f_int_range, .lo = 0, .hi = 100},
        {.key = "retry_delay", .check = f_int_range, .lo = 1, .hi = 3600000},
        {.key = "timeout", .check = f_int_range, .lo = 1, .hi = 600000},
        {.key = NULL},
};

/* "extra" of crossbar.bridge.rest.RESTCallee; timeout (ms) is wampd's. */
static const struct field callee_extra_fields[] = {
        {.key = "procedure", .check = f_perm_uri, .required = true},
        {.key = "baseurl", .check = f_http_url, .required = true},
        {.key = "debug", .check = f_bool},
        {.key = "timeout", .check = f_int_range, .lo = 1, .hi = 600000},
        {.key = NULL},
};

/* Both module paths: the docs still say crossbar.adapter.rest.*, the code moved to
 * crossbar.bridge.rest.* (bridge/rest/__init__.py). */
static const char *const forwarder_classes[] = {"crossbar.bridge.rest.MessageForwarder",
                                                "crossbar.adapter.rest.MessageForwarder", NULL};
static const char *const callee_classes[] = {"crossbar.bridge.rest.RESTCallee",
                                             "crossbar.adapter.rest.RESTCallee", NULL};

static void f_component_classname(struct ctx *c, const json_t *v, const struct field *f)
{
	char q[QUOTE_MAX * 6 + 16];
	if (!want_string(c, v))
		return;
	if (in_list(json_string_value(v), forwarder_classes) ||
	    in_list(json_string_value(v), callee_classes))
		return;
	err(c,
	    "component class %s is not supported (wampd is not Python: it runs only "
	    "crossbar.bridge.rest.MessageForwarder and crossbar.bridge.rest.RESTCallee, natively)",
	    quoted(json_string_value(v), q, sizeof(q)));
}

static void f_connecting_transport(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const types[] = {"websocket", "rawsocket", NULL};
	const json_t *t;
	if (!want_object(c, v))
		return;
	if ((t = json_object_get(v, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	{
		size_t mark = push_key(c, "type");
		want_one_of(c, t, types);
		pop(c, mark);
	}
}

/* Router components join their realm inside the router ("role" is their authrole, default
 * "anonymous" as Crossbar's start_router_component); container components connect over
 * "transport" in Crossbar, which wampd checks but does not use: it runs them inside the router
 * on the realm named, with the authrole "anonymous" that Crossbar's default anonymous
 * transport would give them. */
static const struct field component_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "classname", .check = f_component_classname, .required = true},
        {.key = "realm", .check = f_realm_name, .required = true},
        {.key = "extra", .check = f_object, .required = true},
        {.key = NULL},
};

static const struct field router_component_fields[] = {
        {.key = "role", .check = f_string},
        {.key = "references", .check = f_list, .item = f_string},
        EXTENDS(component_fields),
};

static const struct field container_component_fields[] = {
        {.key = "transport", .check = f_connecting_transport, .required = true},
        {.key = "auth",
         .check = f_unsupported,
         .what = "component authentication is not supported (wampd runs bridge components "
                 "inside the router, as anonymous)"},
        EXTENDS(component_fields),
};

/* A component of a router (f->sub = router_component_fields) or container worker. */
static void f_component(struct ctx *c, const json_t *comp, const struct field *f)
{
	const json_t *t, *cls, *extra;
	size_t mark;
	char q[QUOTE_MAX * 6 + 16];
	if (!want_object(c, comp))
		return;
	if ((t = json_object_get(comp, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_string(c, t)) {
		pop(c, mark);
		return;
	}
	if (strcmp(json_string_value(t), "class") != 0) {
		if (strcmp(json_string_value(t), "function") == 0)
			err(c, "function components are not supported (they are Python callables)");
		else
			err(c, "unknown component type %s", quoted(json_string_value(t), q, sizeof(q)));
		pop(c, mark);
		return;
	}
	pop(c, mark);
	walk(c, comp, f->sub, false);
	cls = json_object_get(comp, "classname");
	extra = json_object_get(comp, "extra");
	if (!json_is_string(cls) || !json_is_object(extra))
		return;
	mark = push_key(c, "extra");
	if (in_list(json_string_value(cls), forwarder_classes))
		walk(c, extra, forwarder_extra_fields, false);
	else if (in_list(json_string_value(cls), callee_classes))
		walk(c, extra, callee_extra_fields, false);
	pop(c, mark);
}

static void f_container_shutdown(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const modes[] = {
	        "shutdown-manual", "shutdown-on-last-component-stopped",
	        "shutdown-on-any-component-failed", "shutdown-on-any-component-stopped", NULL};
	want_one_of(c, v, modes);
}

static void f_container_restart(struct ctx *c, const json_t *v, const struct field *f)
{
	static const char *const modes[] = {"restart-always", "restart-on-failed", "restart-never",
	                                    NULL};
	want_one_of(c, v, modes);
}

/* Crossbar's native worker options plus the container's shutdown and restart policies, which
 * wampd accepts and ignores (its components live as long as the router). */
static const struct field container_options_fields[] = {
        {.key = "shutdown", .check = f_container_shutdown},
        {.key = "restart", .check = f_container_restart},
        EXTENDS(worker_options_fields),
};

static const struct field container_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "options", .check = f_fields, .sub = container_options_fields},
        {.key = "manhole", .check = f_fields, .sub = manhole_fields},
        {.key = "components",
         .check = f_list,
         .item = f_component,
         .sub = container_component_fields},
        {.key = "connections",
         .check = f_unsupported_if_set,
         .what = "container connections are not supported yet"},
        {.key = NULL},
};

/* Every other web service Crossbar knows (personality.py WEB_SERVICE_CHECKERS). */
static const char *const later_services[] = {"static",    "nodeinfo",
                                             "publisher", "caller",
                                             "webhook",   "json",
                                             "redirect",  "reverseproxy",
                                             "path",      "longpoll",
                                             "wsgi",      "resource",
                                             "cgi",       "archive",
                                             "wap",       "catalog",
                                             "none",      "websocket-reverseproxy",
                                             "upload",    NULL};

static void check_service(struct ctx *c, const json_t *svc)
{
	const json_t *t;
	const char *s;
	size_t mark;
	char q[QUOTE_MAX * 6 + 16];
	if (!want_object(c, svc))
		return;
	if ((t = json_object_get(svc, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_string(c, t)) {
		pop(c, mark);
		return;
	}
	s = json_string_value(t);
	if (strcmp(s, "websocket") == 0) {
		pop(c, mark);
		walk(c, svc, websocket_service_fields, false);
		return;
	}
	if (bridge_service_fields(s) != NULL) {
		pop(c, mark);
		walk(c, svc, bridge_service_fields(s), false);
		return;
	}
	if (in_list(s, later_services))
		err(c, "web service type %s is not supported yet", quoted(s, q, sizeof(q)));
	else
		err(c, "unknown web service type %s", quoted(s, q, sizeof(q)));
	pop(c, mark);
}

/* Crossbar's _WEB_PATH_PAT_STR: ^([a-z0-9A-Z_\-]+|/)$ */
static bool web_path_valid(const char *p)
{
	if (strcmp(p, "/") == 0)
		return true;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

static void f_paths(struct ctx *c, const json_t *v, const struct field *f)
{
	const char *key;
	json_t *svc;
	if (!want_object(c, v))
		return;
	json_object_foreach((json_t *)v, key, svc)
	{
		size_t mark = push_key(c, key);
		if (!web_path_valid(key))
			err(c,
			    "invalid path: must match ^([a-z0-9A-Z_\\-]+|/)$ (one segment; deeper "
			    "paths need a \"path\" service)");
		check_service(c, svc);
		pop(c, mark);
	}
}

static void f_client_timeout(struct ctx *c, const json_t *v, const struct field *f)
{
	if (json_is_null(v))
		return;
	f_int_range(c, v, f);
}

static const struct field web_options_fields[] = {
        {.key = "access_log", .check = f_bool},
        {.key = "display_tracebacks", .check = f_bool},
        {.key = "hsts", .check = f_bool},
        {.key = "hsts_max_age", .check = f_int_range, .lo = 0, .hi = INT64_MAX},
        {.key = "client_timeout", .check = f_client_timeout, .lo = 1, .hi = 86400},
        {.key = NULL},
};

static const struct field web_transport_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "endpoint", .check = f_endpoint, .required = true},
        {.key = "paths", .check = f_paths, .required = true},
        {.key = "options", .check = f_fields, .sub = web_options_fields},
        {.key = NULL},
};

static void f_transport(struct ctx *c, const json_t *tr, const struct field *f)
{
	static const char *const types[] = {
	        "web",         "websocket",        "rawsocket",     "universal", "mqtt",
	        "flashpolicy", "websocket.testee", "stream.testee", NULL};
	const json_t *t;
	const char *s;
	size_t mark;
	if (!want_object(c, tr))
		return;
	if ((t = json_object_get(tr, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_one_of(c, t, types)) {
		pop(c, mark);
		return;
	}
	s = json_string_value(t);
	if (strcmp(s, "websocket") == 0 || strcmp(s, "web") == 0 || strcmp(s, "rawsocket") == 0) {
		pop(c, mark);
		walk(c, tr,
		     strcmp(s, "web") == 0	     ? web_transport_fields
		     : strcmp(s, "rawsocket") == 0 ? rawsocket_transport_fields
						   : websocket_transport_fields,
		     false);
		return;
	}
	{
		char q[QUOTE_MAX * 6 + 16];
		err(c, "transport type %s is not supported yet", quoted(s, q, sizeof(q)));
	}
	pop(c, mark);
}

/* --- workers and the top level ------------------------------------------------------------- */

static const struct field router_fields[] = {
        {.key = "id", .check = f_id},
        {.key = "type"},
        {.key = "options", .check = f_fields, .sub = worker_options_fields},
        {.key = "manhole", .check = f_fields, .sub = manhole_fields},
        {.key = "realms", .check = f_list, .item = f_realm},
        {.key = "transports", .check = f_list, .item = f_transport},
        {.key = "components", .check = f_list, .item = f_component, .sub = router_component_fields},
        {.key = "connections",
         .check = f_unsupported_if_set,
         .what = "router connections are not supported yet"},
        {.key = NULL},
};

static void f_worker(struct ctx *c, const json_t *w, const struct field *f)
{
	static const char *const types[] = {"router", "container",        "guest",
	                                    "proxy",  "websocket-testee", NULL};
	const json_t *t;
	const char *s;
	size_t mark;
	if (!want_object(c, w))
		return;
	if ((t = json_object_get(w, "type")) == NULL) {
		err_at(c, "type", "required key is missing");
		return;
	}
	mark = push_key(c, "type");
	if (!want_one_of(c, t, types)) {
		pop(c, mark);
		return;
	}
	s = json_string_value(t);
	if (strcmp(s, "container") == 0) {
		pop(c, mark);
		walk(c, w, container_fields, false);
		return;
	}
	if (strcmp(s, "router") != 0) {
		char q[QUOTE_MAX * 6 + 16];
		err(c, "worker type %s is not supported yet", quoted(s, q, sizeof(q)));
		pop(c, mark);
		return;
	}
	pop(c, mark);
	c->in_disabled_worker = wd_config_worker_disabled(w);
	walk(c, w, router_fields, false);
	c->in_disabled_worker = false;
}

static const struct field top_fields[] = {
        {.key = "$schema", .check = f_string},
        {.key = "version"}, /* checked first */
        {.key = "controller", .check = f_fields, .sub = controller_fields},
        {.key = "workers", .check = f_list, .item = f_worker},
        {.key = NULL},
};

/* Crossbar's check_config: a missing version means 1, and only 2 is current. */
static bool check_version(struct ctx *c, const json_t *doc)
{
	const json_t *v = json_object_get(doc, "version");
	if (v == NULL) {
		err_at(c, "version",
		       "required key is missing; a config without it is version 1: "
		       "configuration too old, current is 2 - please upgrade using "
		       "'crossbar upgrade'");
		return false;
	}
	if (!json_is_integer(v)) {
		size_t mark = push_key(c, "version");
		expected(c, "the integer 2", v);
		pop(c, mark);
		return false;
	}
	if (json_integer_value(v) == 1) {
		err_at(c, "version",
		       "configuration too old: version 1, while current is 2 - please "
		       "upgrade using 'crossbar upgrade'");
		return false;
	}
	if (json_integer_value(v) != 2) {
		size_t mark = push_key(c, "version");
		expected(c, "the integer 2", v);
		pop(c, mark);
		return false;
	}
	return true;
}

size_t wd_config_check(const json_t *doc, struct wd_config_errors *errs)
{
	struct ctx c;
	size_t i;
	memset(&c, 0, sizeof(c));
	c.errs = errs;
	if (doc == NULL || !json_is_object(doc)) {
		if (doc == NULL)
			err(&c, "expected an object, got nothing");
		else
			want_object(&c, doc);
		return c.n;
	}
	if (check_version(&c, doc))
		walk(&c, doc, top_fields, false);
	for (i = 0; i < c.n_realms; i++)
		free(c.realms[i].where);
	free(c.realms);
	return c.n;
}

void wd_config_errors_free(struct wd_config_errors *e)
{
	size_t i;
	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	e->lines = NULL;
	e->n = 0;
}
