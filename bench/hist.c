/* Log-linear histogram: bucket index = (exponent group, top WD_HIST_SUB_BITS bits below the
 * leading one). Recording is a clz, two shifts and an increment. */
#include "bench/hist.h"

#define SUB (1u << WD_HIST_SUB_BITS)

static unsigned bucket_of(uint64_t v)
{
	if (v < SUB)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= WD_HIST_SUB_BITS */
	unsigned group = e - WD_HIST_SUB_BITS + 1;
	unsigned sub = (unsigned)(v >> (e - WD_HIST_SUB_BITS)) & (SUB - 1);
	unsigned idx = (group << WD_HIST_SUB_BITS) + sub;
	return idx < WD_HIST_BUCKETS ? idx : WD_HIST_BUCKETS - 1;
}

/* Largest value that lands in bucket idx. */
static uint64_t bucket_top(unsigned idx)
{
	if (idx < SUB)
		return idx;
	unsigned group = idx >> WD_HIST_SUB_BITS;
	uint64_t sub = idx & (SUB - 1);
	unsigned e = group + WD_HIST_SUB_BITS - 1;
	uint64_t base = (UINT64_C(1) << e) | (sub << (e - WD_HIST_SUB_BITS));
	return base + (UINT64_C(1) << (e - WD_HIST_SUB_BITS)) - 1;
}

void wd_hist_record(struct wd_hist *h, uint64_t ns)
{
	h->buckets[bucket_of(ns)]++;
	h->count++;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void wd_hist_merge(struct wd_hist *dst, const struct wd_hist *src)
{
	for (unsigned i = 0; i < WD_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

uint64_t wd_hist_quantile(const struct wd_hist *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q >= 1.0)
		return h->max_ns;
	uint64_t rank = (uint64_t)(q * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < WD_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen > rank) {
			uint64_t top = bucket_top(i);
			return top < h->max_ns ? top : h->max_ns;
		}
	}
	return h->max_ns;
}
