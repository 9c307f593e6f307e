/* Unit tests for protocol/buf.c: refcounted frame buffers and the encoders' scratch buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "protocol/buf.h"
#include "protocol/error.h"

/* Under ASan, let a huge allocation fail with NULL (as malloc does) instead of aborting, so
 * the ENOMEM path can be tested. Unused in other builds. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void buf_new_starts_with_one_reference(void **state)
{
	struct wd_buf *b = wd_buf_new(10);
	(void)state;
	assert_non_null(b);
	assert_int_equal(b->refs, 1);
	assert_int_equal(b->len, 10);
	memset(b->data, 0x5a, 10); /* all 10 bytes are writable (ASan checks) */
	wd_buf_unref(b);
}

static void buf_new_of_zero_bytes_works(void **state)
{
	struct wd_buf *b = wd_buf_new(0);
	(void)state;
	assert_non_null(b);
	assert_int_equal(b->len, 0);
	wd_buf_unref(b);
}

static void buf_new_beyond_uint32_fails(void **state)
{
	(void)state;
	if (SIZE_MAX > UINT32_MAX) {
		assert_null(wd_buf_new((size_t)UINT32_MAX));
		assert_null(wd_buf_new(SIZE_MAX));
	}
}

static void buf_from_copies_the_bytes(void **state)
{
	char src[] = "frame";
	struct wd_buf *b = wd_buf_from(src, 5);
	(void)state;
	assert_non_null(b);
	src[0] = 'X';
	assert_int_equal(b->len, 5);
	assert_memory_equal(b->data, "frame", 5);
	wd_buf_unref(b);
	b = wd_buf_from(NULL, 0);
	assert_non_null(b);
	assert_int_equal(b->len, 0);
	wd_buf_unref(b);
}

static void buf_ref_and_unref_count_holders(void **state)
{
	struct wd_buf *b = wd_buf_from("x", 1);
	(void)state;
	assert_ptr_equal(wd_buf_ref(b), b);
	assert_ptr_equal(wd_buf_ref(b), b);
	assert_int_equal(b->refs, 3);
	wd_buf_unref(b);
	wd_buf_unref(b);
	assert_int_equal(b->refs, 1);
	wd_buf_unref(b); /* freed here: ASan reports a leak otherwise */
}

static void buf_static_ignores_ref_and_unref(void **state)
{
	static struct {
		struct wd_buf b;
		uint8_t bytes[2];
	} s = {{UINT32_MAX, 2, NULL}, {'o', 'k'}};
	(void)state;
	assert_ptr_equal(wd_buf_ref(&s.b), &s.b);
	assert_int_equal(s.b.refs, UINT32_MAX);
	wd_buf_unref(&s.b);
	wd_buf_unref(&s.b);
	assert_int_equal(s.b.refs, UINT32_MAX);
}

static void pool_reuses_a_returned_buffer_of_the_same_class(void **state)
{
	struct wd_buf_pool p = {0};
	struct wd_buf *a, *b;
	(void)state;
	a = wd_buf_pool_new(&p, 100);
	assert_non_null(a);
	assert_ptr_equal(a->pool, &p);
	assert_int_equal(a->len, 100);
	memset(a->data, 0xab, 100);
	assert_int_equal(p.out, 1);
	wd_buf_unref(a);
	assert_int_equal(p.out, 0);
	b = wd_buf_pool_new(&p, 110); /* 110 + header still fits the 128-byte class */
	assert_ptr_equal(b, a);
	assert_int_equal(b->refs, 1);
	assert_int_equal(b->len, 110);
	assert_int_equal(wd_buf_footprint(b), 128);
	wd_buf_unref(b);
	wd_buf_pool_deinit(&p); /* frees the idle one: ASan reports a leak otherwise */
}

static void pool_hands_large_buffers_to_malloc(void **state)
{
	struct wd_buf_pool p = {0};
	struct wd_buf *a = wd_buf_pool_new(&p, WD_BUF_POOL_MAX_LEN), *b;
	(void)state;
	assert_non_null(a);
	assert_ptr_equal(a->pool, &p);
	b = wd_buf_pool_new(&p, WD_BUF_POOL_MAX_LEN + 1);
	assert_non_null(b);
	assert_null(b->pool);
	struct wd_buf *c = wd_buf_pool_new(NULL, 10); /* no pool: malloc */
	assert_non_null(c);
	assert_null(c->pool);
	assert_int_equal(wd_buf_footprint(c), sizeof(struct wd_buf) + 10);
	assert_int_equal(wd_buf_footprint(a), 4096);
	wd_buf_unref(c);
	memset(a->data, 1, WD_BUF_POOL_MAX_LEN);
	memset(b->data, 2, WD_BUF_POOL_MAX_LEN + 1);
	wd_buf_unref(a);
	wd_buf_unref(b);
	wd_buf_pool_deinit(&p);
}

static void pool_footprint_is_the_smallest_class_that_fits(void **state)
{
	static const size_t classes[] = {128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
	struct wd_buf_pool p = {0};
	(void)state;
	for (size_t len = 0; len <= WD_BUF_POOL_MAX_LEN; len++) {
		struct wd_buf *b = wd_buf_pool_new(&p, len);
		size_t want = 0;
		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]) && want == 0; i++)
			if (classes[i] >= sizeof(struct wd_buf) + len)
				want = classes[i];
		assert_non_null(b);
		assert_int_equal(wd_buf_footprint(b), want);
		wd_buf_unref(b);
	}
	wd_buf_pool_deinit(&p);
}

static void pool_keeps_a_bounded_number_idle(void **state)
{
	enum { N = (WD_BUF_POOL_KEEP_BYTES / 128) + 100 };
	static struct wd_buf *bufs[N];
	struct wd_buf_pool p = {0};
	(void)state;
	for (size_t i = 0; i < N; i++)
		assert_non_null(bufs[i] = wd_buf_pool_new(&p, 64));
	for (size_t i = 0; i < N; i++)
		wd_buf_unref(bufs[i]);
	assert_int_equal(p.out, 0);
	assert_int_equal(p.n_idle[0], WD_BUF_POOL_KEEP_BYTES / 128);
	assert_int_equal(p.idle_bytes, WD_BUF_POOL_KEEP_BYTES);
	wd_buf_pool_deinit(&p);
	assert_null(p.idle[0]);
}

static void buf_unref_null_is_noop(void **state)
{
	(void)state;
	wd_buf_unref(NULL);
}

static void sbuf_zero_initialised_is_empty(void **state)
{
	struct wd_sbuf s = {0};
	(void)state;
	assert_int_equal(wd_sbuf_append(&s, "", 0), 0);
	assert_null(s.data); /* nothing allocated for nothing */
	assert_int_equal(s.len, 0);
	wd_sbuf_free(&s);
}

static void sbuf_append_grows_and_keeps_content(void **state)
{
	struct wd_sbuf s = {0};
	char chunk[100];
	(void)state;
	for (int i = 0; i < 100; i++) {
		memset(chunk, 'a' + i % 26, sizeof(chunk));
		assert_int_equal(wd_sbuf_append(&s, chunk, sizeof(chunk)), 0);
	}
	assert_int_equal(s.len, 10000);
	assert_true(s.cap >= s.len);
	for (int i = 0; i < 100; i++)
		assert_int_equal(s.data[i * 100 + 99], 'a' + i % 26);
	wd_sbuf_free(&s);
}

static void sbuf_reserve_makes_room_without_changing_len(void **state)
{
	struct wd_sbuf s = {0};
	uint8_t *before;
	(void)state;
	assert_int_equal(wd_sbuf_append(&s, "ab", 2), 0);
	assert_int_equal(wd_sbuf_reserve(&s, 5000), 0);
	assert_int_equal(s.len, 2);
	assert_true(s.cap >= 5002);
	before = s.data;
	assert_int_equal(wd_sbuf_append(&s, s.data, 2), 0); /* room exists: no move */
	assert_ptr_equal(s.data, before);
	assert_memory_equal(s.data, "abab", 4);
	wd_sbuf_free(&s);
}

static void sbuf_reserve_too_much_fails_with_enomem(void **state)
{
	struct wd_sbuf s = {0};
	(void)state;
	assert_int_equal(wd_sbuf_append(&s, "ab", 2), 0);
	assert_int_equal(wd_sbuf_reserve(&s, SIZE_MAX / 4), WD_ENOMEM);
	/* Sizes whose doubling would wrap are refused, not looped on. */
	assert_int_equal(wd_sbuf_reserve(&s, SIZE_MAX - 1), WD_ENOMEM);
	assert_int_equal(wd_sbuf_append(&s, "x", SIZE_MAX - 1), WD_ENOMEM);
	/* the buffer is still valid and unchanged */
	assert_int_equal(s.len, 2);
	assert_memory_equal(s.data, "ab", 2);
	wd_sbuf_free(&s);
}

static void sbuf_reset_keeps_memory(void **state)
{
	struct wd_sbuf s = {0};
	uint8_t *data;
	size_t cap;
	(void)state;
	assert_int_equal(wd_sbuf_append(&s, "hello", 5), 0);
	data = s.data;
	cap = s.cap;
	wd_sbuf_reset(&s);
	assert_int_equal(s.len, 0);
	assert_ptr_equal(s.data, data);
	assert_int_equal(s.cap, cap);
	assert_int_equal(wd_sbuf_append(&s, "x", 1), 0);
	assert_memory_equal(s.data, "x", 1);
	wd_sbuf_free(&s);
}

static void sbuf_free_leaves_reusable_empty_buffer(void **state)
{
	struct wd_sbuf s = {0};
	(void)state;
	assert_int_equal(wd_sbuf_append(&s, "abc", 3), 0);
	wd_sbuf_free(&s);
	assert_null(s.data);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.cap, 0);
	assert_int_equal(wd_sbuf_append(&s, "d", 1), 0);
	assert_memory_equal(s.data, "d", 1);
	wd_sbuf_free(&s);
	wd_sbuf_free(&s); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(buf_new_starts_with_one_reference),
	        cmocka_unit_test(buf_new_of_zero_bytes_works),
	        cmocka_unit_test(buf_new_beyond_uint32_fails),
	        cmocka_unit_test(buf_from_copies_the_bytes),
	        cmocka_unit_test(buf_ref_and_unref_count_holders),
	        cmocka_unit_test(buf_static_ignores_ref_and_unref),
	        cmocka_unit_test(buf_unref_null_is_noop),
	        cmocka_unit_test(pool_reuses_a_returned_buffer_of_the_same_class),
	        cmocka_unit_test(pool_hands_large_buffers_to_malloc),
	        cmocka_unit_test(pool_footprint_is_the_smallest_class_that_fits),
	        cmocka_unit_test(pool_keeps_a_bounded_number_idle),
	        cmocka_unit_test(sbuf_zero_initialised_is_empty),
	        cmocka_unit_test(sbuf_append_grows_and_keeps_content),
	        cmocka_unit_test(sbuf_reserve_makes_room_without_changing_len),
	        cmocka_unit_test(sbuf_reserve_too_much_fails_with_enomem),
	        cmocka_unit_test(sbuf_reset_keeps_memory),
	        cmocka_unit_test(sbuf_free_leaves_reusable_empty_buffer),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
