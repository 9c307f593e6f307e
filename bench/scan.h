/* Light, allocation-free scanner for the WAMP messages on the generator's hot path (EVENT,
 * PUBLISHED, RESULT, INVOCATION): splits the top-level array into element spans and reads
 * integers, without building a jansson tree. json and msgpack. Control messages (WELCOME,
 * SUBSCRIBED, ERROR...) are decoded with the protocol codecs instead. */
#ifndef WD_BENCH_SCAN_H
#define WD_BENCH_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WD_SCAN_MAX_EL 8

struct wd_scan_el {
	const uint8_t *p; /* points into the scanned message */
	size_t len;
	bool is_int;      /* an integer that fits int64 */
	int64_t ival;
};

struct wd_scan {
	int n;            /* elements found (at most WD_SCAN_MAX_EL are recorded) */
	struct wd_scan_el el[WD_SCAN_MAX_EL];
};

/* Splits the array p[0..len) into elements, recording at most max_el (1..WD_SCAN_MAX_EL; other
 * values mean WD_SCAN_MAX_EL). When the array has more than max_el - 1 elements, scanning stops
 * at the start of element max_el - 1: its len then runs to the end of p (only its start may be
 * read, e.g. by wd_scan_ints) and nothing after it is checked. Otherwise the whole array is
 * checked (no trailing bytes) and every len is exact. Returns 0, or -1 when p is not a
 * well-formed array. */
int wd_scan_msg(bool is_msgpack, const uint8_t *p, size_t len, int max_el, struct wd_scan *out);
/* Reads up to n leading integers of the array p[0..len) into out. Returns how many were read
 * (stops at the first element that is not an integer), or -1 when p is not an array. */
int wd_scan_ints(bool is_msgpack, const uint8_t *p, size_t len, int64_t *out, int n);

#endif
