/* One generator thread: its own libuv loop and its share of the connections. The main thread
 * steers it through the atomics in struct wd_bench and a uv_async wake-up: ready (all its
 * sessions set up) -> go -> stop -> drain (until no input for DRAIN_QUIET_MS or drain_max_s)
 * -> close everything and leave the loop. */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define READ_BUF_BYTES (1u << 20)
#define MAX_SETTING_UP 256 /* concurrent handshakes per thread */
#define DRAIN_QUIET_MS 300
#define DRAIN_CHECK_MS 20

uint64_t wd_bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void tell_main(struct wd_bench_thread *t, bool failed)
{
	struct wd_bench *b = t->b;
	if (t->reported_ready)
		return;
	t->reported_ready = true;
	pthread_mutex_lock(&b->mu);
	if (failed)
		b->threads_failed++;
	else
		b->threads_ready++;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void check_setup(struct wd_bench_thread *t)
{
	if (t->reported_ready)
		return;
	if (t->error[0] != '\0')
		tell_main(t, true);
	else if (t->n_ready == t->n_conns)
		tell_main(t, false);
}

void wd_bench_thread_connect_more(struct wd_bench_thread *t)
{
	while (t->next_to_connect < t->n_conns && t->n_setting_up < MAX_SETTING_UP &&
	       t->error[0] == '\0') {
		struct wd_bench_conn *c = t->conns[t->next_to_connect++];
		if (wd_bench_conn_start(c) < 0)
			break;
	}
}

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void close_all(struct wd_bench_thread *t)
{
	for (size_t i = 0; i < t->n_conns; i++)
		wd_bench_conn_close(t->conns[i]);
	close_handle((uv_handle_t *)&t->flush);
	close_handle((uv_handle_t *)&t->wake);
	close_handle((uv_handle_t *)&t->tick);
	close_handle((uv_handle_t *)&t->drain);
}

static void on_flush(uv_prepare_t *h)
{
	struct wd_bench_thread *t = h->data;
	/* Setup progress is checked here too: it is the one place that runs every turn. */
	if (!t->reported_ready) {
		wd_bench_thread_connect_more(t);
		check_setup(t);
	}
	while (t->dirty != NULL) {
		struct wd_bench_conn *c = t->dirty;
		t->dirty = c->next_dirty;
		wd_bench_conn_flush(c);
	}
}

static void on_tick(uv_timer_t *h)
{
	struct wd_bench_thread *t = h->data;
	if (!t->is_running)
		return;
	t->now_ns = wd_bench_now_ns();
	t->b->scn->on_tick(t);
}

static void on_drain(uv_timer_t *h)
{
	struct wd_bench_thread *t = h->data;
	uint64_t now = wd_bench_now_ns();
	uint64_t stop = atomic_load(&t->b->stop_ns);
	bool quiet = now - t->last_rx_ns > (uint64_t)DRAIN_QUIET_MS * 1000000u;
	bool expired = now > stop && (double)(now - stop) / 1e9 > t->b->o.drain_max_s;
	if (quiet || expired)
		close_all(t);
}

static void on_wake(uv_async_t *h)
{
	struct wd_bench_thread *t = h->data;
	struct wd_bench *b = t->b;
	if (atomic_load(&b->quit)) {
		close_all(t);
		return;
	}
	if (atomic_load(&b->go) && !t->is_running && !t->is_stopping) {
		t->is_running = true;
		t->go_ns = b->go_ns;
		t->now_ns = wd_bench_now_ns();
		t->last_rx_ns = t->now_ns;
		t->cpu_go_ns = thread_cpu_ns();
		b->scn->on_go(t);
		if (b->scn->on_tick != NULL)
			uv_timer_start(&t->tick, on_tick, 1, 1);
	}
	if (atomic_load(&b->stop) && t->is_running) {
		t->is_running = false;
		t->is_stopping = true;
		t->cpu_stop_ns = thread_cpu_ns();
		uv_timer_stop(&t->tick);
		b->scn->on_stop(t);
		t->last_rx_ns = wd_bench_now_ns();
		uv_timer_start(&t->drain, on_drain, DRAIN_CHECK_MS, DRAIN_CHECK_MS);
	}
}

void *wd_bench_thread_main(void *arg)
{
	struct wd_bench_thread *t = arg;
	struct wd_bench *b = t->b;
	int rc;
	if ((rc = uv_loop_init(&t->loop)) < 0) {
		snprintf(t->error, sizeof(t->error), "uv_loop_init: %s", uv_strerror(rc));
		tell_main(t, true);
		return NULL;
	}
	t->rbuf_cap = READ_BUF_BYTES;
	t->rbuf = malloc(t->rbuf_cap);
	uv_prepare_init(&t->loop, &t->flush);
	uv_async_init(&t->loop, &t->wake, on_wake);
	uv_timer_init(&t->loop, &t->tick);
	uv_timer_init(&t->loop, &t->drain);
	t->flush.data = t->wake.data = t->tick.data = t->drain.data = t;
	uv_prepare_start(&t->flush, on_flush);
	atomic_store(&t->has_wake, 1);
	if (t->rbuf == NULL || (rc = b->scn->setup(t)) < 0) {
		snprintf(t->error, sizeof(t->error), "setup failed: %s",
			 t->rbuf == NULL ? "no memory" : uv_strerror(rc));
		close_all(t);
	}
	if (atomic_load(&b->quit)) /* main gave up before wake existed */
		close_all(t);
	wd_bench_thread_connect_more(t);
	check_setup(t);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	check_setup(t); /* a thread whose loop ended before setup finished must not hang main */
	if (!t->reported_ready)
		tell_main(t, true);
	uv_loop_close(&t->loop);
	return NULL;
}
