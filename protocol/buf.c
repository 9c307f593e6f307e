#include "protocol/buf.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/asan.h"
#include "protocol/error.h"

struct wd_buf *wd_buf_new(size_t len)
{
	struct wd_buf *b;
	if (len > UINT32_MAX - 1)
		return NULL;
	if ((b = malloc(sizeof(*b) + len)) == NULL)
		return NULL;
	b->refs = 1;
	b->len = (uint32_t)len;
	b->pool = NULL;
	return b;
}

struct wd_buf *wd_buf_from(const void *data, size_t len)
{
	struct wd_buf *b = wd_buf_new(len);
	if (b != NULL && len > 0)
		memcpy(b->data, data, len);
	return b;
}

/* Idle pooled buffers are poisoned under ASan (protocol/asan.h). */

struct wd_buf *wd_buf_pool_new(struct wd_buf_pool *p, size_t len)
{
	struct wd_buf *b;
	int c;
	if (p == NULL || len > WD_BUF_POOL_MAX_LEN)
		return wd_buf_new(len);
	c = wd_buf_class(len);
	if (p->n_idle[c] > 0) {
		b = p->idle[c][--p->n_idle[c]];
		WD_UNPOISON(b, wd_buf_class_size[c]);
		p->idle_bytes -= wd_buf_class_size[c];
	} else if ((b = malloc(wd_buf_class_size[c])) == NULL) {
		return NULL;
	}
	b->refs = 1;
	b->len = (uint32_t)len;
	b->pool = p;
	p->out++;
	return b;
}

static void pool_put(struct wd_buf_pool *p, struct wd_buf *b)
{
	int c = wd_buf_class(b->len);
	p->out--;
	if (p->idle_bytes + wd_buf_class_size[c] > WD_BUF_POOL_KEEP_BYTES) {
		free(b);
		return;
	}
	if (p->n_idle[c] == p->cap_idle[c]) {
		uint32_t cap = p->cap_idle[c] ? 2 * p->cap_idle[c] : 64;
		struct wd_buf **a = realloc(p->idle[c], cap * sizeof(*a));
		if (a == NULL) {
			free(b);
			return;
		}
		p->idle[c] = a;
		p->cap_idle[c] = cap;
	}
	WD_POISON(b, wd_buf_class_size[c]);
	p->idle[c][p->n_idle[c]++] = b;
	p->idle_bytes += wd_buf_class_size[c];
}

void wd_buf_pool_deinit(struct wd_buf_pool *p)
{
	for (int c = 0; c < WD_BUF_POOL_CLASSES; c++) {
		while (p->n_idle[c] > 0) {
			struct wd_buf *b = p->idle[c][--p->n_idle[c]];
			WD_UNPOISON(b, wd_buf_class_size[c]);
			free(b);
		}
		free(p->idle[c]);
		p->idle[c] = NULL;
		p->cap_idle[c] = 0;
	}
	p->idle_bytes = 0;
}
void wd_buf_release(struct wd_buf *b)
{
	if (b->pool != NULL)
		pool_put(b->pool, b);
	else
		free(b);
}

int wd_sbuf_reserve(struct wd_sbuf *s, size_t extra)
{
	size_t need = s->len + extra, cap = s->cap ? s->cap : 256;
	uint8_t *p;
	if (extra > SIZE_MAX / 2 - s->len)
		return WD_ENOMEM; /* also keeps the doubling below from wrapping */
	if (need <= s->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(s->data, cap)) == NULL)
		return WD_ENOMEM;
	s->data = p;
	s->cap = cap;
	return 0;
}

int wd_sbuf_append(struct wd_sbuf *s, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (wd_sbuf_reserve(s, len) < 0)
		return WD_ENOMEM;
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

void wd_sbuf_reset(struct wd_sbuf *s)
{
	s->len = 0;
}

void wd_sbuf_free(struct wd_sbuf *s)
{
	free(s->data);
	s->data = NULL;
	s->len = s->cap = 0;
}
