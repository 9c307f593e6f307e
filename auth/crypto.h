/* Crypto helpers for WAMP authentication: WAMP-CRA signatures and key derivation, Ed25519
 * verification for WAMP-cryptosign, constant-time comparison, hex and Base64. Pure functions
 * over buffers (libsodium and OpenSSL); no I/O, no clock, no global state of ours. */
#ifndef WD_AUTH_CRYPTO_H
#define WD_AUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Base64 text (standard alphabet, '=' padded) of n bytes, NUL included. */
#define WD_B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)

/* Must run once before any other function here (calls sodium_init; idempotent). Returns 0
 * or WD_EINTERNAL. */
int wd_crypto_init(void);

/* The WAMP-CRA signature: Base64(HMAC-SHA256(key, msg)) as autobahn's compute_wcs and Autobahn
 * JS's auth_cra.sign compute it. key is the secret's UTF-8 bytes (for salted users: the Base64
 * text of the derived key, not the raw derived bytes). out receives 44 characters and a NUL. */
void wd_crypto_cra_sign(const char *key, size_t key_len, const char *msg, size_t msg_len,
			char out[WD_B64_LEN(32)]);

/* autobahn's derive_key: Base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)).
 * keylen 1..256 bytes, iterations >= 1. out must hold WD_B64_LEN(keylen) bytes. Slow on
 * purpose for large iteration counts: the router runs it off the event loop. Returns 0 or
 * WD_EINVAL (bad parameters) / WD_EINTERNAL (OpenSSL failed). */
int wd_crypto_derive_key(const char *secret, size_t secret_len, const char *salt, size_t salt_len,
			 uint32_t iterations, uint32_t keylen, char *out, size_t out_cap);

/* Constant-time comparison of two byte strings: the time depends on the lengths only, never on
 * where they differ. */
bool wd_crypto_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/* Decodes exactly out_len bytes from hex text (upper or lower case, no separators). Returns 0
 * or WD_EINVAL (wrong length or a non-hex character). */
int wd_crypto_hex_decode(const char *hex, uint8_t *out, size_t out_len);
/* Writes 2 * len lower-case hex characters and a NUL to out. */
void wd_crypto_hex_encode(const uint8_t *in, size_t len, char *out);

/* WAMP-cryptosign: checks that signed (hex text of a 64-byte Ed25519 signature followed by the
 * 32-byte message it signs, 192 hex characters as Autobahn Python and JS send it) is pubkey's
 * valid signature over exactly expected (32 bytes). Returns 0, WD_EINVAL (not 192 hex
 * characters), WD_EPROTO (bad signature) or WD_ENOTFOUND (the signed message is not the
 * challenge). */
int wd_crypto_cryptosign_verify(const uint8_t pubkey[32], const uint8_t expected[32],
				const char *signed_hex);

#endif
