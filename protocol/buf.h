/* Refcounted immutable byte buffers (outgoing frames, shared among receivers) and a growable
 * scratch buffer used by encoders. */
#ifndef WD_BUF_H
#define WD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct wd_buf_pool;

struct wd_buf {
	uint32_t refs; /* UINT32_MAX marks a static buffer: ref/unref do nothing */
	uint32_t len;
	struct wd_buf_pool *pool; /* where it returns at refs 0; NULL: to free() */
	uint8_t data[]; /* written once by its builder, read-only afterwards */
};

/* Returns a new buffer of len bytes with refs = 1 (owned by the caller), or NULL. */
struct wd_buf *wd_buf_new(size_t len);
/* Returns a new buffer holding a copy of data[0..len), or NULL. */
struct wd_buf *wd_buf_from(const void *data, size_t len);
/* Frees b or gives it back to its pool (wd_buf_unref calls it when refs reaches 0). */
void wd_buf_release(struct wd_buf *b);

/* refs++ unless static; returns b. Inline, like unref: a fan-out takes and drops one
 * reference per receiver. */
static inline struct wd_buf *wd_buf_ref(struct wd_buf *b)
{
	if (b->refs != UINT32_MAX)
		b->refs++;
	return b;
}

/* NULL-safe; frees at 0. */
static inline void wd_buf_unref(struct wd_buf *b)
{
	if (b != NULL && b->refs != UINT32_MAX && --b->refs == 0)
		wd_buf_release(b);
}

/* Recycled buffers for the frames a router sends by the million: malloc and free of ~150-byte
 * blocks that live one loop turn cost more than building the frame. Buffers up to
 * WD_BUF_POOL_MAX_LEN bytes come from size classes 1.5x apart (128, 192, 256, ... 4096 bytes
 * with the header) and go back to idle lists holding WD_BUF_POOL_KEEP_BYTES at most; larger
 * ones are plain wd_buf_new. One pool per thread (not thread-safe); every buffer it gave out
 * must be back before wd_buf_pool_deinit. */
#define WD_BUF_POOL_CLASSES 11
#define WD_BUF_POOL_MAX_LEN (4096 - sizeof(struct wd_buf))
#define WD_BUF_POOL_KEEP_BYTES (2u << 20)

struct wd_buf_pool {
	/* Idle buffers per class, a stack of pointers: popping reads the pool's own array, not
	 * a link inside a buffer that may have left the cache long ago (that load showed as a
	 * miss on most pops when the idle buffers were linked through their first bytes). */
	struct wd_buf **idle[WD_BUF_POOL_CLASSES];
	uint32_t n_idle[WD_BUF_POOL_CLASSES], cap_idle[WD_BUF_POOL_CLASSES];
	size_t idle_bytes;
	uint64_t out;                             /* buffers given out and not yet back */
};

/* Zero the struct to initialise. Frees the idle buffers. */
void wd_buf_pool_deinit(struct wd_buf_pool *p);
/* Like wd_buf_new, from p (NULL: wd_buf_new). */
struct wd_buf *wd_buf_pool_new(struct wd_buf_pool *p, size_t len);
/* Class sizes, header included, and the class of each 64-byte step of a size. */
static const uint16_t wd_buf_class_size[WD_BUF_POOL_CLASSES] = {128,  192,  256,  384,
								 512,  768,  1024, 1536,
								 2048, 3072, 4096};
static const uint8_t wd_buf_class_by_step[64] = {
        0,  0,  1,  2,  3,  3,  4,  4,  5,  5,  5,  5,  6,  6,  6,  6,  7,  7,  7,  7,  7,  7,
        7,  7,  8,  8,  8,  8,  8,  8,  8,  8,  9,  9,  9,  9,  9,  9,  9,  9,  9,  9,  9,  9,
        9,  9,  9,  9,  10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
};

/* The class of a pooled buffer of len bytes (len <= WD_BUF_POOL_MAX_LEN). */
static inline int wd_buf_class(size_t len)
{
	return wd_buf_class_by_step[(sizeof(struct wd_buf) + len - 1) / 64];
}

/* The memory b holds (header and size-class rounding included): what output bounds count. */
static inline size_t wd_buf_footprint(const struct wd_buf *b)
{
	return b->pool != NULL ? wd_buf_class_size[wd_buf_class(b->len)] : sizeof(*b) + b->len;
}

/* Growable scratch buffer. Zero-initialise; wd_sbuf_free() releases it. */
struct wd_sbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Appends len bytes. Returns 0 or WD_ENOMEM (the buffer stays valid). */
int wd_sbuf_append(struct wd_sbuf *s, const void *data, size_t len);
/* Makes room for at least extra more bytes. Returns 0 or WD_ENOMEM. */
int wd_sbuf_reserve(struct wd_sbuf *s, size_t extra);
void wd_sbuf_reset(struct wd_sbuf *s); /* len = 0, keeps the memory */
void wd_sbuf_free(struct wd_sbuf *s);

#endif
