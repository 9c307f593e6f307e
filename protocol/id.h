/* WAMP IDs (spec "IDs"): global scope random in [1, 2^53], router and session scope sequential. */
#ifndef WD_ID_H
#define WD_ID_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes; production passes libsodium's randombytes_buf. */
typedef void wd_random_fn(void *buf, size_t len);

/* Returns a uniformly random ID in [1, 2^53] using rnd. */
uint64_t wd_id_global(wd_random_fn *rnd);

/* Global IDs drawn from a buffer of random bytes refilled in batches, so an ID per
 * publication costs no call into the generator each. Zero-initialise and set rnd; the
 * buffer is never reused (every ID consumes fresh bytes). */
struct wd_id_pool {
	wd_random_fn *rnd;
	size_t off;
	uint8_t buf[4096];
};
/* Returns a uniformly random ID in [1, 2^53], like wd_id_global. */
uint64_t wd_id_pool_global(struct wd_id_pool *p);

/* Sequential generator: 1, 2, ..., 2^53, then 1 again. Zero-initialise. */
struct wd_id_seq {
	uint64_t last;
};
uint64_t wd_id_next(struct wd_id_seq *s);

#endif
