/* Unit tests for auth/crypto.c and auth/authn.c against Autobahn's own computations: WAMP-CRA
 * signatures (autobahn.wamp.auth.compute_wcs), derive_key (the Crossbar documentation's salted
 * example), cryptosign signed messages (PyNaCl, as Autobahn signs them), and the pure
 * authentication state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/authn.h"
#include "auth/crypto.h"
#include "protocol/error.h"

static void cra_sign_matches_autobahn(void **state)
{
	char out[WD_B64_LEN(32)];
	const char *ch = "{\"authid\": \"joe\"}";
	wd_crypto_cra_sign("secret2", 7, ch, strlen(ch), out);
	assert_string_equal(out, "0WU6CfBMPYav6PeQsiirHfuWr+i974YePQmyyy29a5w=");
	/* salted: the key is the Base64 text of the derived key */
	wd_crypto_cra_sign("prq7+YkJ1/KlW1X0YczMHw==", 24, "hello", 5, out);
	assert_string_equal(out, "JLD0ywacTlTuOGJT000GQAc2AR2HiY2UhEh3q3nBUV4=");
}

static void derive_key_matches_crossbar_docs(void **state)
{
	char out[WD_B64_LEN(32)];
	assert_int_equal(wd_crypto_derive_key("secret1", 7, "salt123", 7, 100, 16, out, sizeof(out)), 0);
	assert_string_equal(out, "prq7+YkJ1/KlW1X0YczMHw==");
	assert_int_equal(wd_crypto_derive_key("secret", 6, "salt", 4, 1000, 32, out, sizeof(out)), 0);
	assert_string_equal(out, "qN+JnzxPIE2WfgrWPAkph8EAVeuwF7PZ0ordIY1Peq0=");
	assert_int_equal(wd_crypto_derive_key("s", 1, "s", 1, 0, 32, out, sizeof(out)), WD_EINVAL);
	assert_int_equal(wd_crypto_derive_key("s", 1, "s", 1, 1, 32, out, 10), WD_EINVAL);
}

static void equal_is_exact(void **state)
{
	assert_true(wd_crypto_equal("abc", 3, "abc", 3));
	assert_false(wd_crypto_equal("abc", 3, "abd", 3));
	assert_false(wd_crypto_equal("abc", 3, "abcd", 4));
	assert_true(wd_crypto_equal("", 0, "", 0));
}

#define CS_PUB "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define CS_CH "6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283"
#define CS_SIG                                                                                     \
	"0e6d264980051744d1e68c83a5c480a44aaf8178de36baa71b3c95eeaa825b1d5a435bbd6ea103d1e39a82d6b1" \
	"34f59f56c38c4d1496e64227847dba0552e80e" CS_CH

static void cryptosign_verify_accepts_pynacl_signature(void **state)
{
	uint8_t pub[32], ch[32], other[32];
	char bad[200];
	assert_int_equal(wd_crypto_hex_decode(CS_PUB, pub, 32), 0);
	assert_int_equal(wd_crypto_hex_decode(CS_CH, ch, 32), 0);
	assert_int_equal(wd_crypto_cryptosign_verify(pub, ch, CS_SIG), 0);
	memset(other, 0, sizeof(other));
	assert_int_equal(wd_crypto_cryptosign_verify(pub, other, CS_SIG), WD_ENOTFOUND);
	strcpy(bad, CS_SIG);
	bad[5] = bad[5] == '0' ? '1' : '0';
	assert_int_equal(wd_crypto_cryptosign_verify(pub, ch, bad), WD_EPROTO);
	assert_int_equal(wd_crypto_cryptosign_verify(pub, ch, "00"), WD_EINVAL);
	bad[0] = 'x';
	assert_int_equal(wd_crypto_cryptosign_verify(pub, ch, bad), WD_EINVAL);
}

static void hex_round_trip(void **state)
{
	uint8_t b[3];
	char h[7];
	assert_int_equal(wd_crypto_hex_decode("0aFf10", b, 3), 0);
	wd_crypto_hex_encode(b, 3, h);
	assert_string_equal(h, "0aff10");
	assert_int_equal(wd_crypto_hex_decode("0aFf1", b, 3), WD_EINVAL);
}

/* --- authn state machine ------------------------------------------------------------------ */

static void zero_random(void *buf, size_t len)
{
	memset(buf, 0, len);
}

static bool yes_realm(void *ud, const char *realm)
{
	return strcmp(realm, "realm1") == 0;
}

static bool yes_role(void *ud, const char *realm, const char *role)
{
	return strcmp(role, "frontend") == 0;
}

static const struct wd_authn_env env = {
        .session_id = 42,
        .now_ms = 1500000000123ull,
        .random = zero_random,
        .has_realm = yes_realm,
        .has_role = yes_role,
};

static void wampcra_static_challenge_and_signature(void **state)
{
	struct wd_auth_principal users[] = {{.authid = "joe", .role = "frontend", .secret = "secret2"}};
	struct wd_auth_cfg cfg = {.is_set = true,
	                          .wampcra = {.is_enabled = true, .principals = users,
	                                      .n_principals = 1}};
	struct wd_authn a = {0};
	struct wd_authn_out out;
	json_t *hello = json_pack("{s[s]ss}", "authmethods", "wampcra", "authid", "joe");
	const char *ch;
	char sig[WD_B64_LEN(32)];
	assert_int_equal(wd_authn_hello(&a, &cfg, "realm1", hello, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_CHALLENGE);
	assert_string_equal(out.method, "wampcra");
	ch = json_string_value(json_object_get(out.extra, "challenge"));
	assert_string_equal(ch, "{\"authid\": \"joe\", \"authrole\": \"frontend\", \"authmethod\": "
	                        "\"wampcra\", \"authprovider\": \"static\", \"session\": 42, "
	                        "\"nonce\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	                        "AAAAAAAA\", \"timestamp\": \"2017-07-14T02:40:00.123Z\"}");
	wd_crypto_cra_sign("secret2", 7, ch, strlen(ch), sig);
	wd_authn_out_clear(&out);
	assert_int_equal(wd_authn_authenticate(&a, sig, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_WELCOME);
	assert_string_equal(a.authid, "joe");
	assert_string_equal(a.authrole, "frontend");
	/* a replayed AUTHENTICATE finds nothing pending */
	assert_int_equal(wd_authn_authenticate(&a, sig, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_ABORT);
	assert_string_equal(out.message, "no pending authentication");
	wd_authn_clear(&a);
	json_decref(hello);
}

static void offered_methods_are_tried_in_order(void **state)
{
	struct wd_auth_cfg cfg = {.is_set = true,
	                          .anonymous = {.is_enabled = true, .role = "frontend"}};
	struct wd_authn a = {0};
	struct wd_authn_out out;
	json_t *hello = json_pack("{s[ss]}", "authmethods", "ticket", "anonymous");
	assert_int_equal(wd_authn_hello(&a, &cfg, "realm1", hello, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_WELCOME);
	assert_string_equal(a.authmethod, "anonymous");
	wd_authn_clear(&a);
	json_decref(hello);
	hello = json_pack("{s[s]}", "authmethods", "ticket");
	assert_int_equal(wd_authn_hello(&a, &cfg, "realm1", hello, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_ABORT);
	assert_string_equal(out.reason, "wamp.error.no_auth_method");
	wd_authn_clear(&a);
	json_decref(hello);
	hello = json_pack("{s[s]}", "authmethods", "magic");
	assert_int_equal(wd_authn_hello(&a, &cfg, "realm1", hello, &env, &out), 0);
	assert_int_equal(out.action, WD_AUTHN_ABORT);
	assert_string_equal(out.message, "invalid authmethod \"magic\"");
	wd_authn_clear(&a);
	json_decref(hello);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(cra_sign_matches_autobahn),
	        cmocka_unit_test(derive_key_matches_crossbar_docs),
	        cmocka_unit_test(equal_is_exact),
	        cmocka_unit_test(cryptosign_verify_accepts_pynacl_signature),
	        cmocka_unit_test(hex_round_trip),
	        cmocka_unit_test(wampcra_static_challenge_and_signature),
	        cmocka_unit_test(offered_methods_are_tried_in_order),
	};
	wd_crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
