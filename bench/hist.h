/* Log-linear latency histogram (HDR-style): values below 2^WD_HIST_SUB_BITS nanoseconds have
 * their own bucket; above, each power of two is split into 2^WD_HIST_SUB_BITS linear buckets,
 * so the relative error is at most 1/32 (about 3 %). Not thread-safe: one per thread, merged at
 * the end. */
#ifndef WD_BENCH_HIST_H
#define WD_BENCH_HIST_H

#include <stdint.h>

#define WD_HIST_SUB_BITS 5
#define WD_HIST_GROUPS 40 /* up to 2^44 ns (about 4.9 hours) */
#define WD_HIST_BUCKETS (WD_HIST_GROUPS << WD_HIST_SUB_BITS)

struct wd_hist {
	uint64_t count;
	uint64_t max_ns;
	uint64_t buckets[WD_HIST_BUCKETS];
};

void wd_hist_record(struct wd_hist *h, uint64_t ns);
/* Adds src's counts into dst. */
void wd_hist_merge(struct wd_hist *dst, const struct wd_hist *src);
/* Returns the upper bound (ns) of the bucket holding quantile q in [0, 1], or 0 when empty.
 * q = 1 returns the exact maximum. */
uint64_t wd_hist_quantile(const struct wd_hist *h, double q);

#endif
