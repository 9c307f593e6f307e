/* Unit tests for router/map.c: open-addressing hash maps with backward-shift deletion, checked
 * against a plain array through many random inserts and deletes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/error.h"
#include "router/map.h"

#define N_KEYS 600

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void map_matches_a_reference_under_random_puts_and_deletes(void **state)
{
	static int present[N_KEYS];
	static int vals[N_KEYS];
	struct wd_map m = {0};
	uint64_t seed = 88172645463325252u;
	size_t count = 0;
	(void)state;
	memset(present, 0, sizeof(present));
	for (int round = 0; round < 200000; round++) {
		/* Keys that collide a lot: small ids and multiples of 1024. */
		size_t k = next_rand(&seed) % N_KEYS;
		uint64_t key = (k % 2) ? k : k * 1024;
		if (present[k]) {
			assert_ptr_equal(wd_map_get(&m, key), &vals[k]);
			assert_ptr_equal(wd_map_del(&m, key), &vals[k]);
			assert_null(wd_map_get(&m, key));
			present[k] = 0;
			count--;
		} else {
			assert_null(wd_map_get(&m, key));
			assert_int_equal(wd_map_put(&m, key, &vals[k]), 0);
			present[k] = 1;
			count++;
		}
		assert_int_equal(m.count, count);
		if (round % 997 == 0)
			for (size_t i = 0; i < N_KEYS; i++) {
				uint64_t ki = (i % 2) ? i : i * 1024;
				assert_ptr_equal(wd_map_get(&m, ki), present[i] ? &vals[i] : NULL);
			}
	}
	wd_map_deinit(&m);
}

static void map_iteration_visits_every_entry_once(void **state)
{
	struct wd_map m = {0};
	int vals[100], seen[100] = {0};
	size_t n = 0;
	(void)state;
	for (int i = 0; i < 100; i++)
		assert_int_equal(wd_map_put(&m, (uint64_t)i * 7919, &vals[i]), 0);
	for (struct wd_map_entry *e = wd_map_first(&m); e != NULL; e = wd_map_next(&m, e)) {
		int *v = wd_map_val(e);
		seen[v - vals]++;
		assert_int_equal(wd_map_key(e), (uint64_t)(v - vals) * 7919);
		n++;
	}
	assert_int_equal(n, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(seen[i], 1);
	wd_map_deinit(&m);
	assert_null(wd_map_first(&m));
}

static void map_string_keys_are_compared_by_content(void **state)
{
	struct wd_map m = {0};
	char keys[300][16];
	int vals[300];
	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(keys[i], sizeof(keys[i]), "com.topic.%d", i);
		assert_int_equal(wd_map_sput(&m, keys[i], &vals[i]), 0);
	}
	for (int i = 0; i < 300; i += 2)
		assert_ptr_equal(wd_map_sdel(&m, keys[i]), &vals[i]);
	for (int i = 0; i < 300; i++) {
		char probe[16];
		snprintf(probe, sizeof(probe), "com.topic.%d", i); /* another copy of the key */
		assert_ptr_equal(wd_map_sget(&m, probe), (i % 2) ? &vals[i] : NULL);
	}
	assert_null(wd_map_sget(&m, "com.topic"));
	/* An integer key never matches a string key with the same hash value. */
	assert_null(wd_map_get(&m, m.slots[0].used ? m.slots[0].hash : 1));
	wd_map_deinit(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(map_matches_a_reference_under_random_puts_and_deletes),
	        cmocka_unit_test(map_iteration_visits_every_entry_once),
	        cmocka_unit_test(map_string_keys_are_compared_by_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
