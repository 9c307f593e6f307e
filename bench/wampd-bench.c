/* wampd-bench: WAMP-over-WebSocket load generator. main() parses the command line, prepares the
 * shared frames, starts one libuv loop per thread, waits until every session is set up, runs the
 * measured window (go -> sleep -> stop), joins the threads and prints one JSON line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/bench.h"
#include "bench/opts.h"
#include "bench/procstat.h"
#include "bench/report.h"
#include "bench/scenario.h"
#include "bench/tmpl.h"
#include "protocol/ws_handshake.h"

/* How often the router's RSS is read during the measured window. */
#define RSS_SAMPLE_S 0.05

/* Any 16 bytes, base64: the generator does not need a fresh key per connection. */
#define WS_KEY "d2FtcGQtYmVuY2gtMDAwMQ=="

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int prepare(struct wd_bench *b)
{
	const struct wd_bench_opts *o = &b->o;
	int n = snprintf(b->upgrade_req, sizeof(b->upgrade_req),
			 "GET %s HTTP/1.1\r\n"
			 "Host: %s:%d\r\n"
			 "Upgrade: websocket\r\n"
			 "Connection: Upgrade\r\n"
			 "Sec-WebSocket-Key: " WS_KEY "\r\n"
			 "Sec-WebSocket-Version: 13\r\n"
			 "Sec-WebSocket-Protocol: %s\r\n"
			 "\r\n",
			 o->path, o->host, o->port, o->codec->subprotocol);
	if (n <= 0 || (size_t)n >= sizeof(b->upgrade_req))
		return -1;
	b->upgrade_req_len = (size_t)n;
	if (wd_ws_accept_key(WS_KEY, b->accept_key) < 0)
		return -1;
	json_t *hello = json_pack("[i,s,{s:{s:{},s:{},s:{},s:{}}}]", 1, o->realm, "roles",
				  "publisher", "subscriber", "caller", "callee");
	int rc = hello == NULL ? -1 : wd_tmpl_frame(&b->hello_frame, o->codec, hello);
	json_decref(hello);
	if (rc < 0)
		return -1;
	switch (o->scenario) {
	case WD_BENCH_PUBSUB:
		b->scn = &wd_bench_pubsub;
		return wd_bench_pubsub_prepare(b);
	case WD_BENCH_RPC:
		b->scn = &wd_bench_rpc;
		return wd_bench_rpc_prepare(b);
	case WD_BENCH_CONNS:
		b->scn = &wd_bench_conns;
		return 0;
	}
	return -1;
}

static void wake_all(struct wd_bench *b)
{
	for (unsigned i = 0; i < b->o.threads; i++)
		if (atomic_load(&b->threads[i].has_wake))
			uv_async_send(&b->threads[i].wake);
}

/* Waits until every thread is ready or one failed. Returns 0, or -1 on failure/timeout. */
static int wait_ready(struct wd_bench *b, double timeout_s)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)timeout_s;
	int rc = 0;
	pthread_mutex_lock(&b->mu);
	while (b->threads_ready + b->threads_failed < b->o.threads && rc == 0)
		rc = pthread_cond_timedwait(&b->cv, &b->mu, &dl);
	bool ok = b->threads_failed == 0 && b->threads_ready == b->o.threads;
	pthread_mutex_unlock(&b->mu);
	return ok ? 0 : -1;
}

static const char *first_error(struct wd_bench *b)
{
	for (unsigned i = 0; i < b->o.threads; i++)
		if (b->threads[i].error[0] != '\0')
			return b->threads[i].error;
	return NULL;
}

static void add_counters(struct wd_bench_counters *d, const struct wd_bench_counters *s)
{
	d->delivered += s->delivered;
	d->delivered_total += s->delivered_total;
	d->lost += s->lost;
	d->duplicated += s->duplicated;
	d->reordered += s->reordered;
	d->sent += s->sent;
	d->acked += s->acked;
	d->errors += s->errors;
	d->rx_msgs += s->rx_msgs;
	d->stalled_closed += s->stalled_closed;
}

int main(int argc, char **argv)
{
	static struct wd_bench b;
	static struct wd_bench_result r;
	int prc = wd_bench_opts_parse(&b.o, argc, argv);
	if (prc != 0)
		return prc > 0 ? 0 : 2;
	raise_nofile();
	if (prepare(&b) < 0) {
		fprintf(stderr, "wampd-bench: cannot build the frames\n");
		return 1;
	}
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	atomic_store(&b.stop_ns, UINT64_MAX);
	r.rss_before = r.rss_after = r.rss_max = -1;
	r.router_cpu_pct = -1;
	if (b.o.router_pid > 0)
		r.rss_before = wd_proc_rss_bytes(b.o.router_pid);

	if ((b.threads = calloc(b.o.threads, sizeof(*b.threads))) == NULL)
		return 1;
	uint64_t t0 = wd_bench_now_ns();
	unsigned started = 0;
	for (unsigned i = 0; i < b.o.threads; i++) {
		b.threads[i].idx = i;
		b.threads[i].b = &b;
		if (pthread_create(&b.threads[i].pthread, NULL, wd_bench_thread_main,
				   &b.threads[i]) != 0)
			break;
		started++;
	}
	double setup_timeout = 30 + (double)b.o.sessions / 200;
	int ok = started == b.o.threads ? wait_ready(&b, setup_timeout) : -1;
	if (ok < 0) {
		/* A thread whose wake handle does not exist yet sees quit before its loop runs. */
		atomic_store(&b.quit, 1);
		wake_all(&b);
		for (unsigned i = 0; i < started; i++)
			pthread_join(b.threads[i].pthread, NULL);
		const char *e = first_error(&b);
		r.error = e != NULL ? e : "setup timed out";
		r.sessions_joined = atomic_load(&b.sessions_joined);
		wd_bench_report(&b, &r);
		return 1;
	}
	uint64_t t_ready = wd_bench_now_ns();
	r.setup_s = (double)(t_ready - t0) / 1e9;
	r.sessions_joined = atomic_load(&b.sessions_joined);

	double router_cpu0 = b.o.router_pid > 0 ? wd_proc_cpu_s(b.o.router_pid) : -1;
	double gen_cpu0 = wd_proc_cpu_s(0);
	b.go_ns = wd_bench_now_ns();
	atomic_store(&b.stop_ns, b.go_ns + (uint64_t)(b.o.duration_s * 1e9));
	atomic_store(&b.go, 1);
	wake_all(&b);
	/* The window, with the router's RSS sampled every RSS_SAMPLE_S (its peak is reported). */
	for (double left = b.o.duration_s; left > 0; left -= RSS_SAMPLE_S) {
		sleep_s(left < RSS_SAMPLE_S ? left : RSS_SAMPLE_S);
		if (b.o.router_pid > 0) {
			long long rss = wd_proc_rss_bytes(b.o.router_pid);
			if (rss > r.rss_max)
				r.rss_max = rss;
		}
	}
	uint64_t stop = wd_bench_now_ns();
	atomic_store(&b.stop_ns, stop);
	double router_cpu1 = b.o.router_pid > 0 ? wd_proc_cpu_s(b.o.router_pid) : -1;
	double gen_cpu1 = wd_proc_cpu_s(0);
	if (b.o.router_pid > 0)
		r.rss_after = wd_proc_rss_bytes(b.o.router_pid);
	atomic_store(&b.stop, 1);
	wake_all(&b);
	for (unsigned i = 0; i < b.o.threads; i++)
		pthread_join(b.threads[i].pthread, NULL);

	r.window_s = (double)(stop - b.go_ns) / 1e9;
	if (router_cpu0 >= 0 && router_cpu1 >= 0)
		r.router_cpu_pct = (router_cpu1 - router_cpu0) / r.window_s * 100;
	r.generator_cpu_pct = (gen_cpu1 - gen_cpu0) / r.window_s * 100;
	for (unsigned i = 0; i < b.o.threads; i++) {
		struct wd_bench_thread *t = &b.threads[i];
		add_counters(&r.cnt, &t->cnt);
		wd_hist_merge(&r.hist, &t->hist);
		double pct = (double)(t->cpu_stop_ns - t->cpu_go_ns) / 1e9 / r.window_s * 100;
		if (t->cpu_stop_ns > t->cpu_go_ns && pct > r.generator_thread_max_pct)
			r.generator_thread_max_pct = pct;
	}
	if (b.o.scenario == WD_BENCH_PUBSUB)
		wd_bench_pubsub_finish(&b, &r.cnt);
	r.error = first_error(&b);
	if (b.o.scenario == WD_BENCH_CONNS && r.error == NULL &&
	    r.sessions_joined < b.o.sessions)
		r.error = "not every session joined";
	return wd_bench_report(&b, &r) == 0 && r.error == NULL ? 0 : 1;
}
