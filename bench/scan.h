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

/* Splits the array p[0..len) into elements. Returns 0, or -1 when p is not a well-formed
 * array (or has trailing bytes). */
int wd_scan_msg(bool is_msgpack, const uint8_t *p, size_t len, struct wd_scan *out);
/* Reads up to n leading integers of the array p[0..len) into out. Returns how many were read
 * (stops at the first element that is not an integer), or -1 when p is not an array. */
int wd_scan_ints(bool is_msgpack, const uint8_t *p, size_t len, int64_t *out, int n);

#endif
