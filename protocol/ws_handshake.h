/* RFC 6455 opening handshake helpers (pure functions; http.c feeds them parsed headers). */
#ifndef WD_WS_HANDSHAKE_H
#define WD_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

/* Computes Sec-WebSocket-Accept for a client key: base64(SHA-1(key + GUID)). out must hold 29
 * bytes (28 + NUL). Returns 0 or WD_EINVAL (key is not 24 base64 chars decoding to 16 bytes). */
int wd_ws_accept_key(const char *client_key, char out[29]);

/* Picks the subprotocol as Crossbar does: the first entry of the client's comma-separated
 * Sec-WebSocket-Protocol list (whitespace trimmed) that is in offered[0..n_offered).
 * Returns the index into offered, or -1 if none matches (also for NULL/empty header). */
int wd_ws_pick_subprotocol(const char *header, const char *const *offered, size_t n_offered);

/* Normalises an Origin header to scheme://host:port (default port 80 for http, 443 for https)
 * and matches it against allowed patterns where '*' matches any run of characters.
 * Returns true when allowed. origin NULL (no header) is allowed; "null" is allowed only if
 * allow_null. */
bool wd_ws_origin_allowed(const char *origin, const char *const *patterns, size_t n_patterns,
			  bool allow_null);

#endif
