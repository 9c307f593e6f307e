/* A JSON scanner that validates text in place and builds nothing, for the router's hot path:
 * a PUBLISH or CALL payload is forwarded as it arrived, so it must be checked but never needs
 * a tree. jansson has no way to validate without building one (its parse of a 120-byte PUBLISH
 * costs more than the rest of routing it), so this exists; jansson stays the JSON library for
 * every value the router reads.
 *
 * Contract: whatever these functions accept, jansson (json_loadb with JSON_ALLOW_NUL, as
 * codec_json.c calls it) accepts with the same meaning. They may refuse valid text they do not
 * handle cheaply: reals with a 3-digit exponent or 200+ integer digits, and "\u0000" in object keys. Callers then fall back to jansson, which
 * decides. tests/fuzz/fuzz_json_scan.c checks this against jansson. */
#ifndef WD_JSON_SCAN_H
#define WD_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Returns the first position >= pos in in[0..len) that is not JSON whitespace. Inline: called
 * between every two tokens of a message. */
static inline size_t wd_json_skip_ws(const uint8_t *in, size_t len, size_t pos)
{
	while (pos < len && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t'))
		pos++;
	return pos;
}

/* Scans one JSON value starting at in[pos] (no whitespace before it) whose containers nest
 * at most max_depth levels (the value itself counts as one). Returns 0 and sets *end just
 * past the value, or WD_EDECODE (invalid or not handled, see above). */
int wd_json_scan_value(const uint8_t *in, size_t len, size_t pos, int max_depth, size_t *end);

/* Scans a string at in[pos] (a '"') that has no escape sequence, no control character and
 * valid UTF-8: its text is in[pos + 1 .. *end - 1). Returns 0 or WD_EDECODE. */
int wd_json_scan_plain_string(const uint8_t *in, size_t len, size_t pos, size_t *end);

/* Scans a non-negative integer of at most 16 digits at in[pos] that is not followed by a
 * fraction or an exponent. Returns 0 and sets *v and *end, or WD_EDECODE. */
int wd_json_scan_uint(const uint8_t *in, size_t len, size_t pos, uint64_t *v, size_t *end);

#endif
