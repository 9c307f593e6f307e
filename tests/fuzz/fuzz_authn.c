/* Fuzz target for auth/authn.c: the input is "<HELLO.Details JSON>\n<AUTHENTICATE signature>\n
 * <authenticator result JSON>" (missing parts are empty). The details go to wd_authn_hello on
 * a transport with every method configured statically (and a second config with dynamic
 * authenticators), then the signature to wd_authn_authenticate or the result to
 * wd_authn_call_result. Invariants: no crash or leak, WELCOME only with a complete identity,
 * and never WELCOME for a signature that is not the configured secret. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fixed_random(void *buf, size_t len)
{
	memset(buf, 7, len);
}

static bool has_realm(void *ud, const char *realm)
{
	return strcmp(realm, "realm1") == 0;
}

static bool has_role(void *ud, const char *realm, const char *role)
{
	return strcmp(role, "user") == 0;
}

static uint8_t key[1][32] = {{0x03, 0xa1, 0x07}};
static struct wd_auth_principal tickets[] = {{.authid = "joe", .role = "user", .secret = "t1"}};
static struct wd_auth_principal users[] = {
        {.authid = "joe", .role = "user", .secret = "s1"},
        {.authid = "peter", .role = "user", .secret = "k", .salt = "salt", .iterations = 10}};
static struct wd_auth_principal signers[] = {{.authid = "c", .role = "user", .keys = key,
                                              .n_keys = 1}};

static void check(const struct wd_authn *a, const struct wd_authn_out *out, const char *sig)
{
	if (out->action == WD_AUTHN_WELCOME) {
		if (a->realm == NULL || a->authid == NULL || a->authrole == NULL ||
		    a->authmethod == NULL || a->authprovider == NULL)
			abort();
		/* a static ticket is the only secret a fuzzer can know */
		if (sig != NULL && strcmp(a->authmethod, "ticket") == 0 &&
		    strcmp(a->authprovider, "static") == 0 && strcmp(sig, "t1") != 0)
			abort();
		if (sig != NULL && strcmp(a->authmethod, "cryptosign") == 0)
			abort(); /* no valid Ed25519 signature for key[] can be guessed */
	}
	if (out->action == WD_AUTHN_ABORT && (out->reason == NULL || out->message[0] == '\0'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wd_auth_cfg st = {.is_set = true};
	struct wd_auth_cfg dyn = {.is_set = true};
	struct wd_authn_env env = {.session_id = 1, .now_ms = 0, .random = fixed_random,
	                           .has_realm = has_realm, .has_role = has_role};
	char *text = malloc(size + 1), *sig = NULL, *res = NULL, *nl;
	json_t *details, *result;
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((nl = strchr(text, '\n')) != NULL) {
		*nl = '\0';
		sig = nl + 1;
		if ((nl = strchr(sig, '\n')) != NULL) {
			*nl = '\0';
			res = nl + 1;
		}
	}
	st.anonymous = (struct wd_auth_method_cfg){.is_enabled = true, .role = "user"};
	st.ticket = (struct wd_auth_method_cfg){.is_enabled = true, .principals = tickets,
	                                        .n_principals = 1};
	st.wampcra = (struct wd_auth_method_cfg){.is_enabled = true, .principals = users,
	                                         .n_principals = 2};
	st.cryptosign = (struct wd_auth_method_cfg){.is_enabled = true, .principals = signers,
	                                            .n_principals = 1};
	dyn = st;
	dyn.anonymous.type = dyn.ticket.type = dyn.wampcra.type = dyn.cryptosign.type =
	        WD_AUTH_DYNAMIC;
	dyn.anonymous.authenticator = dyn.ticket.authenticator = dyn.wampcra.authenticator =
	        dyn.cryptosign.authenticator = "com.example.auth";
	details = json_loads(text, JSON_DECODE_ANY, NULL);
	result = res ? json_loads(res, JSON_DECODE_ANY, NULL) : NULL;
	for (int round = 0; round < 2; round++) {
		struct wd_authn a = {0};
		struct wd_authn_out out;
		if (wd_authn_hello(&a, round ? &dyn : &st, "realm1", details, &env, &out) == 0) {
			check(&a, &out, NULL);
			for (int step = 0; step < 3 && out.action != WD_AUTHN_WELCOME &&
			                   out.action != WD_AUTHN_ABORT;
			     step++) {
				int rc;
				enum wd_authn_action was = out.action;
				wd_authn_out_clear(&out);
				if (was == WD_AUTHN_CHALLENGE)
					rc = wd_authn_authenticate(&a, sig ? sig : "", &env, &out);
				else if (step == 2)
					(wd_authn_call_error(&a, true, "com.x.denied", NULL, NULL, &out),
					 rc = 0);
				else
					rc = wd_authn_call_result(&a, result, &env, &out);
				if (rc != 0)
					break;
				check(&a, &out, was == WD_AUTHN_CHALLENGE && a.m != NULL &&
				                        a.m->type == WD_AUTH_STATIC ? sig : NULL);
			}
			wd_authn_out_clear(&out);
		}
		wd_authn_clear(&a);
	}
	json_decref(details);
	json_decref(result);
	free(text);
	return 0;
}
