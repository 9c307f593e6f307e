/* See crypto.h. HMAC, Ed25519, Base64 and the constant-time compare come from libsodium;
 * PBKDF2 from OpenSSL (libsodium has none with SHA-256). */
#include "auth/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#include "protocol/error.h"

int wd_crypto_init(void)
{
	return sodium_init() < 0 ? WD_EINTERNAL : 0;
}

void wd_crypto_cra_sign(const char *key, size_t key_len, const char *msg, size_t msg_len,
			char out[WD_B64_LEN(32)])
{
	/* crypto_auth_hmacsha256 keys have a fixed size; the _init/_update/_final form takes a
	 * key of any length and hashes it first when it is longer than the block, as HMAC does. */
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const uint8_t *)key, key_len);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, msg_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, WD_B64_LEN(32), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(&st, sizeof(st));
}

int wd_crypto_derive_key(const char *secret, size_t secret_len, const char *salt, size_t salt_len,
			 uint32_t iterations, uint32_t keylen, char *out, size_t out_cap)
{
	uint8_t key[256];
	if (keylen == 0 || keylen > sizeof(key) || iterations == 0 || iterations > INT32_MAX ||
	    out_cap < WD_B64_LEN(keylen) || secret_len > INT32_MAX || salt_len > INT32_MAX)
		return WD_EINVAL;
	if (PKCS5_PBKDF2_HMAC(secret, (int)secret_len, (const unsigned char *)salt, (int)salt_len,
			      (int)iterations, EVP_sha256(), (int)keylen, key) != 1)
		return WD_EINTERNAL;
	sodium_bin2base64(out, out_cap, key, keylen, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
	return 0;
}

bool wd_crypto_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
	/* Compare digests so the work does not depend on the content; unequal lengths still
	 * hash both inputs. */
	uint8_t ha[crypto_generichash_BYTES], hb[crypto_generichash_BYTES];
	crypto_generichash(ha, sizeof(ha), a, a_len, NULL, 0);
	crypto_generichash(hb, sizeof(hb), b, b_len, NULL, 0);
	return (sodium_memcmp(ha, hb, sizeof(ha)) == 0) & (a_len == b_len);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int wd_crypto_hex_decode(const char *hex, uint8_t *out, size_t out_len)
{
	size_t i;
	if (hex == NULL || strlen(hex) != 2 * out_len)
		return WD_EINVAL;
	for (i = 0; i < out_len; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return WD_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void wd_crypto_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int wd_crypto_cryptosign_verify(const uint8_t pubkey[32], const uint8_t expected[32],
				const char *signed_hex)
{
	uint8_t sm[crypto_sign_BYTES + 32];
	if (wd_crypto_hex_decode(signed_hex, sm, sizeof(sm)) < 0)
		return WD_EINVAL;
	if (crypto_sign_verify_detached(sm, sm + crypto_sign_BYTES, 32, pubkey) != 0)
		return WD_EPROTO;
	if (sodium_memcmp(sm + crypto_sign_BYTES, expected, 32) != 0)
		return WD_ENOTFOUND;
	return 0;
}
