/* Builds the report with jansson and prints it compactly on one line. */
#include "bench/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define SATURATED_PCT 90.0

static double us(uint64_t ns)
{
	return (double)(ns / 100) / 10.0; /* 0.1 us resolution */
}

static json_t *params(const struct wd_bench_opts *o)
{
	json_t *p = json_object();
	json_object_set_new(p, "payload", json_integer((json_int_t)o->payload_bytes));
	json_object_set_new(p, "threads", json_integer(o->threads));
	switch (o->scenario) {
	case WD_BENCH_PUBSUB:
		json_object_set_new(p, "publishers", json_integer(o->publishers));
		json_object_set_new(p, "subscribers", json_integer(o->subscribers));
		if (o->stalled > 0)
			json_object_set_new(p, "stalled", json_integer(o->stalled));
		if (o->rate > 0)
			json_object_set_new(p, "rate", json_real(o->rate));
		else
			json_object_set_new(p, "window", json_integer(o->window));
		break;
	case WD_BENCH_RPC:
		json_object_set_new(p, "callees", json_integer(o->callees));
		json_object_set_new(p, "callers", json_integer(o->callers));
		json_object_set_new(p, "window", json_integer(o->window));
		break;
	case WD_BENCH_CONNS:
		json_object_set_new(p, "sessions", json_integer(o->sessions));
		break;
	}
	return p;
}

static double round1(double v)
{
	return (double)(long long)(v * 10 + (v < 0 ? -0.5 : 0.5)) / 10.0;
}

int wd_bench_report(const struct wd_bench *b, const struct wd_bench_result *r)
{
	const struct wd_bench_opts *o = &b->o;
	json_t *j = json_object();
	json_object_set_new(j, "scenario", json_string(o->scenario_name));
	if (o->label[0] != '\0')
		json_object_set_new(j, "router", json_string(o->label));
	json_object_set_new(j, "serializer", json_string(o->codec->name));
	json_object_set_new(j, "params", params(o));
	json_object_set_new(j, "duration", json_real(round1(r->window_s * 10) / 10));
	double rate = r->window_s > 0 ? (double)r->cnt.delivered / r->window_s : 0;
	switch (o->scenario) {
	case WD_BENCH_PUBSUB:
		json_object_set_new(j, "events_per_s", json_integer((json_int_t)rate));
		json_object_set_new(j, "published", json_integer((json_int_t)r->cnt.sent));
		if (o->stalled > 0)
			json_object_set_new(j, "stalled_closed",
					    json_integer((json_int_t)r->cnt.stalled_closed));
		break;
	case WD_BENCH_RPC:
		json_object_set_new(j, "calls_per_s", json_integer((json_int_t)rate));
		json_object_set_new(j, "calls_sent", json_integer((json_int_t)r->cnt.sent));
		break;
	case WD_BENCH_CONNS:
		json_object_set_new(j, "sessions", json_integer((json_int_t)r->sessions_joined));
		json_object_set_new(j, "setup_s", json_real(round1(r->setup_s * 100) / 100));
		if (r->rss_before >= 0 && r->rss_after >= 0) {
			json_object_set_new(j, "router_rss_before", json_integer(r->rss_before));
			json_object_set_new(j, "router_rss_after", json_integer(r->rss_after));
			if (r->sessions_joined > 0)
				json_object_set_new(
					j, "bytes_per_session",
					json_integer((r->rss_after - r->rss_before) /
						     (long long)r->sessions_joined));
		}
		break;
	}
	if (r->rss_max >= 0 && o->scenario != WD_BENCH_CONNS) {
		json_object_set_new(j, "router_rss_start", json_integer(r->rss_before));
		json_object_set_new(j, "router_rss_max", json_integer(r->rss_max));
	}
	json_object_set_new(j, "delivered", json_integer((json_int_t)r->cnt.delivered));
	json_object_set_new(j, "lost", json_integer((json_int_t)r->cnt.lost));
	json_object_set_new(j, "duplicated", json_integer((json_int_t)r->cnt.duplicated));
	json_object_set_new(j, "reordered", json_integer((json_int_t)r->cnt.reordered));
	json_object_set_new(j, "errors", json_integer((json_int_t)r->cnt.errors));
	json_object_set_new(j, "p50_us", json_real(us(wd_hist_quantile(&r->hist, 0.50))));
	json_object_set_new(j, "p99_us", json_real(us(wd_hist_quantile(&r->hist, 0.99))));
	json_object_set_new(j, "max_us", json_real(us(r->hist.max_ns)));
	json_object_set_new(j, "router_cpu_pct",
			    r->router_cpu_pct < 0 ? json_null() : json_real(round1(r->router_cpu_pct)));
	json_object_set_new(j, "generator_cpu_pct", json_real(round1(r->generator_cpu_pct)));
	json_object_set_new(j, "generator_thread_max_pct",
			    json_real(round1(r->generator_thread_max_pct)));
	bool router_sat = r->router_cpu_pct >= SATURATED_PCT;
	bool gen_sat = r->generator_thread_max_pct >= SATURATED_PCT;
	json_object_set_new(j, "saturated",
			    json_string(router_sat && gen_sat ? "router+generator"
					: router_sat	      ? "router"
					: gen_sat	      ? "generator"
								  : "none"));
	if (r->error != NULL)
		json_object_set_new(j, "error", json_string(r->error));
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(j);
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	return 0;
}
