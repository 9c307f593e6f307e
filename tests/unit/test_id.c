/* Unit tests for protocol/id.c: global IDs in [1, 2^53], sequential IDs with wrap-around. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/id.h"

#define ID_MAX (UINT64_C(1) << 53)

/* Deterministic "random" sources: each fills with one fixed byte pattern. */
static uint8_t fill_bytes[8];

static void fixed_random(void *buf, size_t len)
{
	assert_int_equal(len, 8);
	memcpy(buf, fill_bytes, len);
}

static void set_fill(uint64_t big_endian_value)
{
	for (int i = 7; i >= 0; i--) {
		fill_bytes[i] = (uint8_t)big_endian_value;
		big_endian_value >>= 8;
	}
}

static void id_global_all_zero_bits_map_to_2_pow_53(void **state)
{
	(void)state;
	set_fill(0);
	assert_true(wd_id_global(fixed_random) == ID_MAX);
	set_fill(UINT64_C(0xffe0000000000000)); /* only the masked-off top 11 bits set */
	assert_true(wd_id_global(fixed_random) == ID_MAX);
}

static void id_global_all_one_bits_give_2_pow_53_minus_1(void **state)
{
	(void)state;
	set_fill(UINT64_MAX);
	assert_true(wd_id_global(fixed_random) == ID_MAX - 1);
}

static void id_global_keeps_low_53_bits(void **state)
{
	(void)state;
	set_fill(1);
	assert_true(wd_id_global(fixed_random) == 1);
	set_fill(UINT64_C(0x0123456789abcdef));
	assert_true(wd_id_global(fixed_random) == (UINT64_C(0x0123456789abcdef) & (ID_MAX - 1)));
}

/* xorshift64: a reproducible stream to check the range over many draws. */
static uint64_t xs_state = 88172645463325252u;

static void xorshift_random(void *buf, size_t len)
{
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		xs_state ^= xs_state << 13;
		xs_state ^= xs_state >> 7;
		xs_state ^= xs_state << 17;
		b[i] = (uint8_t)xs_state;
	}
}

static void id_global_stays_in_range_over_many_draws(void **state)
{
	uint64_t high_seen = 0;
	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t id = wd_id_global(xorshift_random);
		assert_true(id >= 1 && id <= ID_MAX);
		if (id > ID_MAX / 2)
			high_seen++;
	}
	/* Roughly half the draws land in the upper half; a masking bug would show here. */
	assert_true(high_seen > 45000 && high_seen < 55000);
}

static void id_seq_starts_at_one_and_counts(void **state)
{
	struct wd_id_seq s = {0};
	(void)state;
	assert_true(wd_id_next(&s) == 1);
	assert_true(wd_id_next(&s) == 2);
	assert_true(wd_id_next(&s) == 3);
}

static void id_seq_reaches_2_pow_53_then_wraps_to_one(void **state)
{
	struct wd_id_seq s = {ID_MAX - 2};
	(void)state;
	assert_true(wd_id_next(&s) == ID_MAX - 1);
	assert_true(wd_id_next(&s) == ID_MAX);
	assert_true(wd_id_next(&s) == 1);
	assert_true(wd_id_next(&s) == 2);
}

static int pool_refills;

/* Fills with a counter so every 8-byte draw differs; counts refills. */
static void counting_random(void *buf, size_t len)
{
	static uint64_t n;
	uint8_t *b = buf;
	pool_refills++;
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v = ++n;
		for (int k = 7; k >= 0; k--, v >>= 8)
			b[i + (size_t)k] = (uint8_t)v;
	}
}

static void id_pool_draws_fresh_bytes_and_refills_in_batches(void **state)
{
	struct wd_id_pool p = {.rnd = counting_random};
	uint64_t prev = 0;
	(void)state;
	pool_refills = 0;
	for (size_t i = 0; i < 2 * sizeof(p.buf) / 8; i++) {
		uint64_t id = wd_id_pool_global(&p);
		assert_true(id >= 1 && id <= ID_MAX);
		assert_true(id != prev); /* no 8 bytes are used twice */
		prev = id;
	}
	assert_int_equal(pool_refills, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(id_global_all_zero_bits_map_to_2_pow_53),
	        cmocka_unit_test(id_global_all_one_bits_give_2_pow_53_minus_1),
	        cmocka_unit_test(id_global_keeps_low_53_bits),
	        cmocka_unit_test(id_global_stays_in_range_over_many_draws),
	        cmocka_unit_test(id_seq_starts_at_one_and_counts),
	        cmocka_unit_test(id_pool_draws_fresh_bytes_and_refills_in_batches),
	        cmocka_unit_test(id_seq_reaches_2_pow_53_then_wraps_to_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
