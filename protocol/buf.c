#include "protocol/buf.h"

#include <stdlib.h>
#include <string.h>

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
	return b;
}

struct wd_buf *wd_buf_from(const void *data, size_t len)
{
	struct wd_buf *b = wd_buf_new(len);
	if (b != NULL && len > 0)
		memcpy(b->data, data, len);
	return b;
}

struct wd_buf *wd_buf_ref(struct wd_buf *b)
{
	if (b->refs != UINT32_MAX)
		b->refs++;
	return b;
}

void wd_buf_unref(struct wd_buf *b)
{
	if (b == NULL || b->refs == UINT32_MAX)
		return;
	if (--b->refs == 0)
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
