/* The one JSON line a run prints. */
#ifndef WD_BENCH_REPORT_H
#define WD_BENCH_REPORT_H

#include "bench/bench.h"

struct wd_bench_result {
	double window_s;           /* go -> stop, as measured */
	double setup_s;            /* start -> all sessions ready */
	struct wd_bench_counters cnt;
	struct wd_hist hist;
	double router_cpu_pct;     /* -1 when unknown */
	double generator_cpu_pct;  /* the whole process; may exceed 100 with threads */
	double generator_thread_max_pct;
	long long rss_before, rss_after; /* router VmRSS (conns), -1 when unknown */
	long long rss_max;         /* router VmRSS, the most seen while running, -1 when unknown */
	uint64_t sessions_joined;
	const char *error;         /* NULL on success */
};

/* Prints r as one JSON line on stdout. Returns 0 or -1. */
int wd_bench_report(const struct wd_bench *b, const struct wd_bench_result *r);

#endif
