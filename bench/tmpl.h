/* Pre-built outgoing frames. A message is encoded once by the protocol codec with marker values
 * in the places that change per send (request ID, sequence number, send timestamp), framed and
 * masked once; each send copies the frame and overwrites the markers in place (re-masking only
 * those bytes). Markers keep a fixed width on the wire: json writes base + n with a constant
 * digit count, msgpack a uint64 (0xcf + 8 bytes). */
#ifndef WD_BENCH_TMPL_H
#define WD_BENCH_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/codec.h"

/* Values as they travel: request ID and sequence = WD_TMPL_ID_BASE + n (16 digits, below 2^53),
 * timestamp = WD_TMPL_TS_BASE + monotonic ns (19 digits, below 2^63). */
#define WD_TMPL_ID_BASE INT64_C(1000000000000000)
#define WD_TMPL_TS_BASE INT64_C(1000000000000000000)
#define WD_TMPL_REQ_MARK INT64_C(1888888888888888)
#define WD_TMPL_SEQ_MARK INT64_C(1777777777777777)
#define WD_TMPL_TS_MARK INT64_C(1999999999999999999)

enum {
	WD_TMPL_REQ,
	WD_TMPL_SEQ,
	WD_TMPL_TS,
	WD_TMPL_FIELDS
};

struct wd_tmpl {
	struct wd_sbuf frame; /* header + masked payload */
	size_t hdr_len;
	bool is_msgpack;
	size_t off[WD_TMPL_FIELDS]; /* payload offset of each marker's value bytes, SIZE_MAX if absent */
};

/* Encodes msg (borrowed) with codec c and finds the markers. Returns 0, WD_ENOMEM, WD_EINVAL
 * (encoding failed) or WD_ENOTFOUND (a marker appears more than once). */
int wd_tmpl_init(struct wd_tmpl *t, const struct wd_codec *c, const json_t *msg);
void wd_tmpl_deinit(struct wd_tmpl *t);
/* Writes t's frame to dst (t->frame.len bytes) with the markers replaced. */
void wd_tmpl_emit(const struct wd_tmpl *t, uint8_t *dst, uint64_t req, uint64_t seq,
		  uint64_t ts_ns);

/* Returns a new array [index, SEQ_MARK, TS_MARK, "xxx..."] whose encoding with c is about
 * payload_bytes long (never shorter than the three integers need), or NULL. */
json_t *wd_tmpl_args(const struct wd_codec *c, int64_t index, size_t payload_bytes);

/* Appends msg (borrowed) encoded with c as one masked frame. Returns 0 or a WD_E* code. */
int wd_tmpl_frame(struct wd_sbuf *out, const struct wd_codec *c, const json_t *msg);

#endif
