/* conns: N idle sessions. Each one connects, upgrades and joins (handshake time goes into the
 * histogram), then stays silent until the end; the main thread reads the router's RSS before
 * the first connect and at the end of the hold. */
#include "bench/scenario.h"

static int setup(struct wd_bench_thread *t)
{
	const struct wd_bench_opts *o = &t->b->o;
	for (unsigned i = 0; i < o->sessions; i++)
		if (i % o->threads == t->idx && wd_bench_conn_add(t, WD_ROLE_IDLE, i) == NULL)
			return UV_ENOMEM;
	return 0;
}

static void on_joined(struct wd_bench_conn *c)
{
	struct wd_bench_thread *t = c->th;
	uint64_t now = wd_bench_now_ns();
	wd_hist_record(&t->hist, now - c->t_start_ns);
	wd_bench_conn_ready(c);
	wd_bench_thread_connect_more(t);
}

static void on_msg(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	(void)p;
	(void)len;
	c->th->cnt.rx_msgs++;
}

static void on_nothing(struct wd_bench_thread *t)
{
	(void)t;
}

const struct wd_bench_scn wd_bench_conns = {
	.setup = setup,
	.on_joined = on_joined,
	.on_msg = on_msg,
	.on_go = on_nothing,
	.on_stop = on_nothing,
};
