/* See authn.h. Each method's rules and messages follow Crossbar's PendingAuth classes; the
 * source file named on a line is under crossbar/router/auth/. */
#include "auth/authn.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/error.h"
#include "protocol/uris.h"

#define ERR_AUTHENTICATION_FAILED "wamp.error.authentication_failed"
#define ERR_NO_SUCH_PRINCIPAL "wamp.error.no_such_principal"

enum method { M_ANONYMOUS = 0, M_TICKET, M_WAMPCRA, M_CRYPTOSIGN, M_COUNT };

static const char *const method_names[M_COUNT] = {"anonymous", "ticket", "wampcra", "cryptosign"};

/* Every name Crossbar knows (AUTHMETHODS); an offered name outside this list is refused. */
static const char *const known_methods[] = {"anonymous", "anonymous-proxy", "ticket", "wampcra",
					    "tls", "cryptosign", "cryptosign-proxy", "cookie",
					    "scram", NULL};

void wd_authn_random_authid(wd_random_fn *rnd, char out[20])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXY3456789";
	uint8_t b[16];
	int i, j = 0;
	rnd(b, sizeof(b));
	for (i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[j++] = '-';
		out[j++] = alphabet[b[i] % (sizeof(alphabet) - 1)];
	}
	out[j] = '\0';
}

__attribute__((format(printf, 3, 4))) static int deny(struct wd_authn_out *out,
						       const char *reason, const char *fmt, ...)
{
	va_list ap;
	out->action = WD_AUTHN_ABORT;
	out->reason = reason;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return 0;
}

static int set_str(char **dst, const char *s)
{
	char *c = NULL;
	if (s != NULL && (c = strdup(s)) == NULL)
		return WD_ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static const char *jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Crossbar's PendingAuth._assign_principal. role/authid/realm/extra override what a has when
 * given (extra is borrowed). Returns 0 (a->step unchanged, out untouched) or an ABORT in *out
 * (returns 1), or WD_ENOMEM. */
static int assign(struct wd_authn *a, const char *realm, const char *authid, const char *role,
		  const json_t *extra, const struct wd_authn_env *env, struct wd_authn_out *out)
{
	if ((realm != NULL && set_str(&a->realm, realm) < 0) ||
	    (authid != NULL && set_str(&a->authid, authid) < 0))
		return WD_ENOMEM;
	if (role == NULL)
		role = a->m != NULL ? a->m->default_role : NULL;
	if (role != NULL && set_str(&a->authrole, role) < 0)
		return WD_ENOMEM;
	if (extra != NULL && !json_is_null(extra)) {
		json_decref(a->authextra);
		a->authextra = json_deep_copy(extra);
	}
	if (a->realm == NULL || a->realm[0] == '\0')
		return deny(out, WD_ERR_NO_SUCH_REALM, "no realm assigned"), 1;
	if (a->authid == NULL || a->authid[0] == '\0')
		return deny(out, ERR_NO_SUCH_PRINCIPAL, "no authid assigned"), 1;
	if (a->authrole == NULL || a->authrole[0] == '\0')
		return deny(out, WD_ERR_NO_SUCH_ROLE, "no authrole assigned"), 1;
	if (!env->has_realm(env->ud, a->realm))
		return deny(out, WD_ERR_NO_SUCH_REALM, "no realm \"%.100s\" exists on this router",
			    a->realm),
		       1;
	/* Roles "trusted" and "anonymous" need not be defined on the realm (pending.py). */
	if (strcmp(a->authrole, "trusted") != 0 && strcmp(a->authrole, "anonymous") != 0 &&
	    !env->has_role(env->ud, a->realm, a->authrole))
		return deny(out, WD_ERR_NO_SUCH_ROLE, "realm \"%.100s\" has no role \"%.100s\"",
			    a->realm, a->authrole),
		       1;
	return 0;
}

static int welcome(struct wd_authn *a, struct wd_authn_out *out)
{
	a->step = WD_AUTHN_STEP_DONE;
	out->action = WD_AUTHN_WELCOME;
	return 0;
}

/* Prepares the CALL of the method's dynamic authenticator: (realm, authid, details). */
static int call(struct wd_authn *a, const struct wd_authn_env *env, struct wd_authn_out *out,
		enum wd_authn_step next)
{
	const struct wd_auth_method_cfg *m = a->m;
	const char *role = m->authenticator_role ? m->authenticator_role : "trusted";
	if (set_str(&a->call_realm, m->authenticator_realm ? m->authenticator_realm : a->realm) < 0)
		return WD_ENOMEM;
	if (a->call_realm == NULL || a->call_realm[0] == '\0' ||
	    !env->has_realm(env->ud, a->call_realm))
		return deny(out, WD_ERR_NO_SUCH_REALM,
			    "realm <%.100s> of the dynamic authenticator does not exist",
			    a->call_realm ? a->call_realm : "");
	if (strcmp(role, "trusted") != 0 && !env->has_role(env->ud, a->call_realm, role))
		return deny(out, WD_ERR_NO_SUCH_ROLE,
			    "explicit role <%.100s> on realm <%.100s> configured for dynamic "
			    "authenticator does not exist",
			    role, a->call_realm);
	out->args = json_pack("[s?s?O]", a->realm, a->authid, a->details);
	if (out->args == NULL)
		return WD_ENOMEM;
	out->action = WD_AUTHN_CALL;
	out->procedure = m->authenticator;
	out->call_realm = a->call_realm;
	out->call_role = role;
	a->step = next;
	return 0;
}

static const struct wd_auth_principal *find(const struct wd_auth_method_cfg *m, const char *authid)
{
	size_t i;
	if (authid == NULL)
		return NULL;
	for (i = 0; i < m->n_principals; i++)
		if (strcmp(m->principals[i].authid, authid) == 0)
			return &m->principals[i];
	return NULL;
}

/* --- WAMP-CRA (wampcra.py) --------------------------------------------------------------- */

/* autobahn's utcnow(): "2017-04-01T12:34:56.789Z". */
static void utc_timestamp(uint64_t now_ms, char out[64])
{
	time_t secs = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(now_ms % 1000));
}

/* Builds the challenge and the expected signature. Documented (pre-2025) salted semantics,
 * WAMP-NOTES 1.11 #1: secret is used as the HMAC key as it is (for a salted user it already
 * is the derived key), and the challenge carries salt, iterations and keylen (1000 and 32
 * when only the salt is configured) so the client can derive the same key from its
 * password. Crossbar 25.12 derives the key in the router instead; wampd does not. */
static int cra_challenge(struct wd_authn *a, const char *secret, const char *salt,
			 uint32_t iterations, uint32_t keylen, const struct wd_authn_env *env,
			 struct wd_authn_out *out)
{
	uint8_t rnd[48];
	char nonce[WD_B64_LEN(48)], ts[64], *text;
	json_t *ch;
	env->random(rnd, sizeof(rnd));
	/* util.newid(64): 64 Base64 characters */
	sodium_bin2base64(nonce, sizeof(nonce), rnd, sizeof(rnd), sodium_base64_VARIANT_ORIGINAL);
	utc_timestamp(env->now_ms, ts);
	ch = json_pack("{s:s?,s:s?,s:s,s:s,s:I,s:s,s:s}", "authid", a->authid, "authrole",
		       a->authrole, "authmethod", "wampcra", "authprovider", a->authprovider,
		       "session", (json_int_t)env->session_id, "nonce", nonce, "timestamp", ts);
	/* json.dumps(..., ensure_ascii=False): ", " and ": " separators, keys in that order */
	text = ch ? json_dumps(ch, JSON_PRESERVE_ORDER) : NULL;
	json_decref(ch);
	if (text == NULL)
		return WD_ENOMEM;
	wd_crypto_cra_sign(secret, strlen(secret), text, strlen(text), a->expected);
	out->extra = json_pack("{ss}", "challenge", text);
	free(text);
	if (out->extra == NULL)
		return WD_ENOMEM;
	if (salt != NULL) {
		json_object_set_new(out->extra, "salt", json_string(salt));
		json_object_set_new(out->extra, "iterations",
				    json_integer(iterations ? iterations : 1000));
		json_object_set_new(out->extra, "keylen", json_integer(keylen ? keylen : 32));
	}
	out->action = WD_AUTHN_CHALLENGE;
	out->method = "wampcra";
	a->step = WD_AUTHN_STEP_AUTHENTICATE;
	return 0;
}

/* --- cryptosign (cryptosign.py) ---------------------------------------------------------- */

static int cs_challenge(struct wd_authn *a, const struct wd_authn_env *env,
			struct wd_authn_out *out)
{
	char hex[65];
	env->random(a->challenge, sizeof(a->challenge));
	wd_crypto_hex_encode(a->challenge, sizeof(a->challenge), hex);
	if ((out->extra = json_pack("{sssn}", "challenge", hex, "channel_binding")) == NULL)
		return WD_ENOMEM;
	out->action = WD_AUTHN_CHALLENGE;
	out->method = "cryptosign";
	a->step = WD_AUTHN_STEP_AUTHENTICATE;
	return 0;
}

static bool has_key(const struct wd_auth_principal *p, const uint8_t key[32])
{
	for (size_t i = 0; i < p->n_keys; i++)
		if (memcmp(p->keys[i], key, 32) == 0)
			return true;
	return false;
}

static int cs_hello(struct wd_authn *a, const json_t *hextra, const struct wd_authn_env *env,
		    struct wd_authn_out *out)
{
	const json_t *cb = json_object_get(hextra, "channel_binding");
	const json_t *pk = json_object_get(hextra, "pubkey");
	const json_t *rc = json_object_get(hextra, "challenge");
	const struct wd_auth_principal *p = NULL;
	bool has_pubkey = false;
	size_t i, k;
	if (cb != NULL && !json_is_null(cb)) {
		if (json_is_string(cb) && strcmp(json_string_value(cb), "tls-unique") == 0)
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "channel binding \"tls-unique\" requested, but this transport "
				    "does not use TLS");
		return deny(out, WD_ERR_NOT_AUTHORIZED, "invalid channel binding type requested");
	}
	if (rc != NULL && !json_is_null(rc))
		return deny(out, WD_ERR_NOT_AUTHORIZED,
			    "router authentication (authextra.challenge) is not supported");
	if (pk != NULL && !json_is_null(pk)) {
		if (!json_is_string(pk) ||
		    wd_crypto_hex_decode(json_string_value(pk), a->pubkey, 32) < 0)
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "authextra.pubkey must be an Ed25519 public key in hex");
		has_pubkey = true;
	}
	if (a->m->type == WD_AUTH_DYNAMIC)
		return call(a, env, out, WD_AUTHN_STEP_HELLO_CALL);
	if (!has_pubkey)
		return deny(out, WD_ERR_NOT_AUTHORIZED,
			    "cannot identify client: no extra.pubkey provided");
	if (a->authid == NULL) {
		/* Infer the authid from the key; it must belong to exactly one principal. */
		for (i = 0; i < a->m->n_principals; i++) {
			for (k = 0; k < a->m->principals[i].n_keys; k++)
				if (memcmp(a->m->principals[i].keys[k], a->pubkey, 32) == 0)
					break;
			if (k == a->m->principals[i].n_keys)
				continue;
			if (p != NULL)
				return deny(out, WD_ERR_NOT_AUTHORIZED,
					    "cannot infer client identity from pubkey: multiple "
					    "authids in principal database have this pubkey");
			p = &a->m->principals[i];
		}
		if (p == NULL)
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "cannot identify client: no authid requested and no principal "
				    "found for provided extra.pubkey");
	} else if ((p = find(a->m, a->authid)) == NULL) {
		return deny(out, WD_ERR_NOT_AUTHORIZED, "no principal with authid \"%.100s\" exists",
			    a->authid);
	}
	if (!has_key(p, a->pubkey))
		return deny(out, WD_ERR_NOT_AUTHORIZED,
			    "extra.pubkey provided does not match any one of authorized_keys for "
			    "the principal");
	if ((k = (size_t)assign(a, p->realm, p->authid, p->role, NULL, env, out)) != 0)
		return (int)k;
	return cs_challenge(a, env, out);
}

/* --- HELLO ------------------------------------------------------------------------------- */

static int start(struct wd_authn *a, const struct wd_auth_cfg *cfg, const json_t *hextra,
		 const struct wd_authn_env *env, struct wd_authn_out *out)
{
	const struct wd_auth_principal *p;
	char rnd[20];
	int rc;
	a->authprovider = a->m->type == WD_AUTH_DYNAMIC ? "dynamic" : "static";
	a->authmethod = method_names[a->method];
	if (json_object_set_new(a->details, "authmethod", json_string(a->authmethod)) < 0)
		return WD_ENOMEM;
	switch (a->method) {
	case M_ANONYMOUS:
		/* anonymous.py: the HELLO authid is ignored */
		wd_authn_random_authid(env->random, rnd);
		if (set_str(&a->authid, a->m->authid ? a->m->authid : rnd) < 0)
			return WD_ENOMEM;
		if (a->m->type == WD_AUTH_DYNAMIC)
			return call(a, env, out, WD_AUTHN_STEP_HELLO_CALL);
		if ((rc = assign(a, NULL, NULL, a->m->role, hextra, env, out)) != 0)
			return rc < 0 ? rc : 0;
		return welcome(a, out);
	case M_TICKET:
		if (a->m->type == WD_AUTH_DYNAMIC) {
			/* ticket.py: check the authenticator's realm now, call it with the ticket */
			const struct wd_auth_method_cfg *m = a->m;
			const char *realm = m->authenticator_realm ? m->authenticator_realm : a->realm;
			if (realm == NULL || !env->has_realm(env->ud, realm))
				return deny(out, WD_ERR_NO_SUCH_REALM,
					    "realm <%.100s> of the dynamic authenticator does not "
					    "exist",
					    realm ? realm : "");
		} else {
			if ((p = find(a->m, a->authid)) == NULL)
				return deny(out, WD_ERR_NOT_AUTHORIZED,
					    "no principal with authid \"%.100s\" exists",
					    a->authid ? a->authid : "");
			if ((rc = assign(a, NULL, NULL, p->role, hextra, env, out)) != 0)
				return rc < 0 ? rc : 0;
			a->secret = p->secret;
		}
		if ((out->extra = json_object()) == NULL)
			return WD_ENOMEM;
		out->action = WD_AUTHN_CHALLENGE;
		out->method = "ticket";
		a->step = WD_AUTHN_STEP_AUTHENTICATE;
		return 0;
	case M_WAMPCRA:
		if (a->m->type == WD_AUTH_DYNAMIC)
			return call(a, env, out, WD_AUTHN_STEP_HELLO_CALL);
		if ((p = find(a->m, a->authid)) == NULL)
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "no principal with authid \"%.100s\" exists",
				    a->authid ? a->authid : "");
		if ((rc = assign(a, NULL, NULL, p->role, NULL, env, out)) != 0)
			return rc < 0 ? rc : 0;
		return cra_challenge(a, p->secret, p->salt, p->iterations, p->keylen, env, out);
	case M_CRYPTOSIGN:
		return cs_hello(a, hextra, env, out);
	}
	(void)cfg;
	return deny(out, WD_ERR_NOT_AUTHORIZED, "internal error: unknown method");
}

int wd_authn_hello(struct wd_authn *a, const struct wd_auth_cfg *cfg, const char *realm,
		   const json_t *details, const struct wd_authn_env *env, struct wd_authn_out *out)
{
	const json_t *methods = json_object_get(details, "authmethods"), *v;
	const json_t *hextra = json_object_get(details, "authextra");
	const char *hauthid = jstr(details, "authid"), *hrole = jstr(details, "authrole");
	char offered[200];
	char *dump;
	size_t i;

	memset(out, 0, sizeof(*out));
	a->step = WD_AUTHN_STEP_DONE;
	if (!json_is_object(hextra))
		hextra = NULL;
	if (!json_is_array(methods) || json_array_size(methods) == 0)
		methods = NULL; /* Crossbar: details.authmethods or ['anonymous'] */
	dump = methods ? json_dumps(methods, JSON_COMPACT) : NULL;
	snprintf(offered, sizeof(offered), "%s", dump ? dump : "[\"anonymous\"]");
	free(dump);
	if (set_str(&a->realm, realm) < 0 || set_str(&a->authid, hauthid) < 0)
		return WD_ENOMEM;

	if (!cfg->is_set) {
		/* No "auth": anyone who offers anonymous joins as role "anonymous" (session.py). */
		char rnd[20];
		bool offers = methods == NULL;
		json_array_foreach((json_t *)methods, i, v) offers =
			offers || (json_is_string(v) && strcmp(json_string_value(v), "anonymous") == 0);
		if (!offers)
			return deny(out, WD_ERR_NO_AUTH_METHOD,
				    "cannot authenticate using any of the offered authmethods %s",
				    offered);
		if (realm == NULL || realm[0] == '\0')
			return deny(out, WD_ERR_NO_SUCH_REALM, "no realm requested");
		if (!env->has_realm(env->ud, realm))
			return deny(out, WD_ERR_NO_SUCH_REALM,
				    "no realm \"%.200s\" exists on this router", realm);
		wd_authn_random_authid(env->random, rnd);
		if (set_str(&a->authid, rnd) < 0 || set_str(&a->authrole, "anonymous") < 0)
			return WD_ENOMEM;
		a->authmethod = "anonymous";
		a->authprovider = "static";
		return welcome(a, out);
	}

	a->details = json_pack("{s:O?,s:I,s:n,s:s?,s:s?,s:O?}", "transport", env->transport,
			       "session", (json_int_t)env->session_id, "authmethod", "authid",
			       hauthid, "authrole", hrole, "authextra", hextra);
	if (a->details == NULL)
		return WD_ENOMEM;
	for (i = 0; methods == NULL || i < json_array_size(methods); i++) {
		const char *name = methods ? json_string_value(json_array_get(methods, i))
					   : "anonymous";
		const struct wd_auth_method_cfg *mcfgs[M_COUNT] = {&cfg->anonymous, &cfg->ticket,
								   &cfg->wampcra, &cfg->cryptosign};
		bool known = false;
		int k;
		for (k = 0; name != NULL && known_methods[k] != NULL; k++)
			known = known || strcmp(name, known_methods[k]) == 0;
		if (!known)
			return deny(out, WD_ERR_NOT_AUTHORIZED, "invalid authmethod \"%.100s\"",
				    name ? name : "(not a string)");
		for (k = 0; k < M_COUNT; k++) {
			if (strcmp(name, method_names[k]) == 0 && mcfgs[k]->is_enabled) {
				a->m = mcfgs[k];
				a->method = k;
				a->step = WD_AUTHN_STEP_HELLO;
				return start(a, cfg, hextra, env, out);
			}
		}
		if (methods == NULL)
			break;
	}
	return deny(out, WD_ERR_NO_AUTH_METHOD,
		    "cannot authenticate using any of the offered authmethods %s", offered);
}

/* --- AUTHENTICATE ------------------------------------------------------------------------ */

int wd_authn_authenticate(struct wd_authn *a, const char *signature,
			  const struct wd_authn_env *env, struct wd_authn_out *out)
{
	size_t n = signature ? strlen(signature) : 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (a->step != WD_AUTHN_STEP_AUTHENTICATE) {
		a->step = WD_AUTHN_STEP_DONE;
		return deny(out, WD_ERR_NOT_AUTHORIZED, "no pending authentication");
	}
	a->step = WD_AUTHN_STEP_DONE; /* one AUTHENTICATE per CHALLENGE: a replay is refused */
	switch (a->method) {
	case M_TICKET:
		if (a->m->type == WD_AUTH_DYNAMIC) {
			if (json_object_set_new(a->details, "ticket", json_string(signature)) < 0)
				return WD_ENOMEM;
			return call(a, env, out, WD_AUTHN_STEP_AUTHENTICATE_CALL);
		}
		if (!wd_crypto_equal(signature, n, a->secret, strlen(a->secret)))
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "ticket in static WAMP-Ticket authentication is invalid");
		return welcome(a, out);
	case M_WAMPCRA:
		if (!wd_crypto_equal(signature, n, a->expected, strlen(a->expected)))
			return deny(out, WD_ERR_NOT_AUTHORIZED, "WAMP-CRA client signature is invalid");
		return welcome(a, out);
	case M_CRYPTOSIGN:
		rc = wd_crypto_cryptosign_verify(a->pubkey, a->challenge, signature);
		if (rc == WD_EINVAL)
			return deny(out, WD_ERR_NOT_AUTHORIZED,
				    "signed message is invalid (must be 96 bytes as 192 hex "
				    "characters, got %zu characters)",
				    n);
		if (rc == WD_EPROTO)
			return deny(out, WD_ERR_NOT_AUTHORIZED, "signed message has invalid signature");
		if (rc < 0)
			return deny(out, WD_ERR_NOT_AUTHORIZED, "message signed is bogus");
		return welcome(a, out);
	}
	return deny(out, WD_ERR_NOT_AUTHORIZED, "no pending authentication");
}

/* --- dynamic authenticator answers ------------------------------------------------------- */

static uint32_t u32_of(const json_t *v)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT32_MAX)
		return 0;
	return (uint32_t)json_integer_value(v);
}

int wd_authn_call_result(struct wd_authn *a, const json_t *result, const struct wd_authn_env *env,
			 struct wd_authn_out *out)
{
	enum wd_authn_step step = a->step;
	const char *role = NULL, *authid = NULL, *realm = NULL;
	const json_t *extra = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	a->step = WD_AUTHN_STEP_DONE;
	if (step != WD_AUTHN_STEP_HELLO_CALL && step != WD_AUTHN_STEP_AUTHENTICATE_CALL)
		return deny(out, ERR_AUTHENTICATION_FAILED, "unexpected authenticator result");
	if (json_is_string(result)) {
		role = json_string_value(result); /* older authenticators return the role */
	} else if (json_is_object(result)) {
		if ((json_object_get(result, "role") && !jstr(result, "role")) ||
		    (json_object_get(result, "authid") && !jstr(result, "authid")) ||
		    (json_object_get(result, "realm") && !jstr(result, "realm")))
			return deny(out, ERR_AUTHENTICATION_FAILED,
				    "dynamic authenticator returned a non-string role, authid or "
				    "realm");
		role = jstr(result, "role");
		authid = jstr(result, "authid");
		realm = jstr(result, "realm");
		extra = json_object_get(result, "extra");
	} else {
		return deny(out, ERR_AUTHENTICATION_FAILED,
			    "got invalid return type from dynamic authenticator");
	}
	if ((rc = assign(a, realm, authid, role, extra, env, out)) != 0)
		return rc < 0 ? rc : 0;
	switch (a->method) {
	case M_ANONYMOUS:
	case M_TICKET:
		return welcome(a, out);
	case M_WAMPCRA: {
		const char *secret = jstr(result, "secret");
		if (secret == NULL)
			return deny(out, ERR_AUTHENTICATION_FAILED,
				    "dynamic WAMP-CRA authenticator returned no secret");
		return cra_challenge(a, secret, jstr(result, "salt"),
				     u32_of(json_object_get(result, "iterations")),
				     u32_of(json_object_get(result, "keylen")), env, out);
	}
	case M_CRYPTOSIGN:
		if (wd_crypto_hex_decode(jstr(result, "pubkey"), a->pubkey, 32) < 0)
			return deny(out, ERR_AUTHENTICATION_FAILED,
				    "dynamic cryptosign authenticator returned no valid pubkey");
		return cs_challenge(a, env, out);
	}
	return deny(out, ERR_AUTHENTICATION_FAILED, "unexpected authentication method");
}

void wd_authn_call_error(struct wd_authn *a, bool is_application, const char *uri,
			 const json_t *args, const char *why, struct wd_authn_out *out)
{
	const json_t *first = json_array_get(args, 0);
	memset(out, 0, sizeof(*out));
	a->step = WD_AUTHN_STEP_DONE;
	out->action = WD_AUTHN_ABORT;
	if (!is_application || uri == NULL) {
		out->reason = ERR_AUTHENTICATION_FAILED;
		snprintf(out->message, sizeof(out->message), "dynamic authenticator failed: %s",
			 why ? why : "unknown error");
		return;
	}
	snprintf(out->message, sizeof(out->message), "%s",
		 json_is_string(first) ? json_string_value(first)
				       : "dynamic authenticator denied access");
	/* The callee's URI is kept in a until the next step, so out need not own it. */
	out->reason = set_str(&a->error_uri, uri) == 0 ? a->error_uri : ERR_AUTHENTICATION_FAILED;
}

void wd_authn_clear(struct wd_authn *a)
{
	free(a->realm);
	free(a->authid);
	free(a->authrole);
	free(a->call_realm);
	free(a->error_uri);
	json_decref(a->authextra);
	json_decref(a->details);
	sodium_memzero(a, sizeof(*a));
}

void wd_authn_out_clear(struct wd_authn_out *out)
{
	json_decref(out->extra);
	json_decref(out->args);
	out->extra = out->args = NULL;
}
