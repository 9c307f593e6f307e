/* The scenarios: each fills struct wd_bench_scn and adds its figures to the report. */
#ifndef WD_BENCH_SCENARIO_H
#define WD_BENCH_SCENARIO_H

#include <jansson.h>

#include "bench/bench.h"

extern const struct wd_bench_scn wd_bench_pubsub;
extern const struct wd_bench_scn wd_bench_rpc;
extern const struct wd_bench_scn wd_bench_conns;

/* Builds the scenario's shared, read-only state (templates) before the threads start.
 * Returns 0 or a negative WD_E* code. */
int wd_bench_pubsub_prepare(struct wd_bench *b);
int wd_bench_rpc_prepare(struct wd_bench *b);
/* After all threads have been joined: end-of-run accounting (pubsub: events never delivered
 * count as lost). */
void wd_bench_pubsub_finish(struct wd_bench *b, struct wd_bench_counters *total);

#endif
