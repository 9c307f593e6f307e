/* Pieces of the msgpack codec that the envelope decoder (envelope.c) shares. */
#ifndef WD_CODEC_MSGPACK_H
#define WD_CODEC_MSGPACK_H

#include <jansson.h>
#include <stdbool.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

/* Returns 0 if in[0..len) holds exactly one well-formed msgpack value with no ext types,
 * nesting at most 32 levels and no container count larger than the bytes left could hold
 * (so msgpack-c's allocations stay bounded), or WD_EDECODE. */
int wd_msgpack_skim(const uint8_t *in, size_t len);

/* What wd_msgpack_walk found: the offsets of the root array's first elements. */
#define WD_MSGPACK_TOP_MAX 8
struct wd_msgpack_walk {
	bool vet;                       /* in: also make wd_msgpack_to_json's checks */
	bool prefix;                    /* in: the value may be followed by more bytes (its end
	                                 * goes to end) and need not be an array */
	int max_depth;                  /* in: nesting allowed, the value itself counting as one;
	                                 * 0: 32 */
	size_t end;                     /* out, with prefix: where the value ends */
	size_t count;                   /* out: elements of the root array */
	size_t n_top;                   /* out: offsets recorded, min(count, WD_MSGPACK_TOP_MAX) */
	size_t top[WD_MSGPACK_TOP_MAX]; /* out: where each element starts */
};

/* wd_msgpack_skim, for a root that must be an array (unless w->prefix), which also records
 * where its elements start and, with w->vet, refuses what wd_msgpack_to_json would (invalid
 * UTF-8, keys that are not text or hold NUL, integers beyond int64, NaN and infinities). One
 * pass, no allocation: the router's fast path (envelope.c) validates a payload this way
 * without building it. Returns 0 or WD_EDECODE. */
int wd_msgpack_walk(const uint8_t *in, size_t len, struct wd_msgpack_walk *w);

/* Converts o (from input wd_msgpack_skim accepted) into a new json_t at *out, with the
 * codec's rules (bin -> "\0" + base64, string keys without NUL, UTF-8, finite floats,
 * integers within int64). Returns 0, WD_EDECODE or WD_ENOMEM. */
int wd_msgpack_to_json(const msgpack_object *o, json_t **out);

#endif
