/* WAMP IDs: global scope drawn at random, router and session scope counted. */
#include "protocol/id.h"

#define ID_MAX (UINT64_C(1) << 53) /* 2^53: past it, doubles (JavaScript numbers) skip integers */

static uint64_t from_bytes(const uint8_t b[8])
{
	uint64_t v = 0;
	for (size_t i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	v &= ID_MAX - 1; /* uniform in [0, 2^53 - 1] */
	/* Mapping 0 to 2^53 keeps the draw uniform over exactly [1, 2^53] with no rejection
	 * loop: each of the 2^53 values still has one preimage. */
	return v == 0 ? ID_MAX : v;
}

uint64_t wd_id_global(wd_random_fn *rnd)
{
	uint8_t b[8];
	rnd(b, sizeof(b));
	return from_bytes(b);
}

uint64_t wd_id_pool_global(struct wd_id_pool *p)
{
	if (p->off == 0 || p->off + 8 > sizeof(p->buf)) {
		p->rnd(p->buf, sizeof(p->buf));
		p->off = 0;
	}
	p->off += 8;
	return from_bytes(p->buf + p->off - 8);
}

uint64_t wd_id_next(struct wd_id_seq *s)
{
	if (s->last >= ID_MAX)
		s->last = 0;
	return ++s->last;
}
