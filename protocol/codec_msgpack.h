/* Pieces of the msgpack codec that the envelope decoder (envelope.c) shares. */
#ifndef WD_CODEC_MSGPACK_H
#define WD_CODEC_MSGPACK_H

#include <jansson.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

/* Returns 0 if in[0..len) holds exactly one well-formed msgpack value with no ext types,
 * nesting at most 32 levels and no container count larger than the bytes left could hold
 * (so msgpack-c's allocations stay bounded), or WD_EDECODE. */
int wd_msgpack_skim(const uint8_t *in, size_t len);

/* Converts o (from input wd_msgpack_skim accepted) into a new json_t at *out, with the
 * codec's rules (bin -> "\0" + base64, string keys without NUL, UTF-8, finite floats,
 * integers within int64). Returns 0, WD_EDECODE or WD_ENOMEM. */
int wd_msgpack_to_json(const msgpack_object *o, json_t **out);

#endif
