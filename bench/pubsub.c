/* pubsub: P publishers and S subscribers on one topic. Publishers send acknowledged PUBLISHes
 * with at most `window` un-acked each, or unacknowledged ones at `rate` events/s in total.
 * Every event's arguments are [publisher index, sequence, send time (monotonic ns), padding];
 * subscribers check per-publisher sequence order (lost, duplicated, reordered) and record
 * now - send time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/scan.h"
#include "bench/scenario.h"
#include "bench/tmpl.h"
#include "protocol/error.h"

#define TOPIC "bench.topic"
#define TRACK_BITS 1024 /* sequences remembered behind the newest, per (subscriber, publisher) */
#define MAX_BURST 100000 /* rate mode: most publishes one publisher sends per tick */
#define MAX_BACKLOG_BYTES (64u << 20)

struct track {
	uint64_t next; /* next sequence expected */
	uint64_t seen[TRACK_BITS / 64]; /* ring: bit s % TRACK_BITS set = s received */
};

struct shared {
	struct wd_tmpl *pub; /* one template per publisher (the index differs) */
	uint64_t *published; /* per publisher: sequences sent, written at stop */
};

static bool is_bit(const struct track *k, uint64_t s)
{
	return (k->seen[(s % TRACK_BITS) / 64] >> (s % 64)) & 1;
}

static void set_bit(struct track *k, uint64_t s, bool on)
{
	uint64_t m = UINT64_C(1) << (s % 64);
	if (on)
		k->seen[(s % TRACK_BITS) / 64] |= m;
	else
		k->seen[(s % TRACK_BITS) / 64] &= ~m;
}

static void track(struct wd_bench_counters *cnt, struct track *k, uint64_t s, bool *is_new)
{
	*is_new = true;
	if (s == k->next) {
		set_bit(k, s, true);
		k->next++;
		return;
	}
	if (s > k->next) {
		cnt->lost += s - k->next;
		if (s - k->next >= TRACK_BITS)
			memset(k->seen, 0, sizeof(k->seen));
		else
			for (uint64_t i = k->next; i < s; i++)
				set_bit(k, i, false);
		set_bit(k, s, true);
		k->next = s + 1;
		return;
	}
	/* s < next: a late arrival counted as lost before, or a duplicate. Beyond the window we
	 * cannot tell; count it late. */
	if (k->next - s <= TRACK_BITS && is_bit(k, s)) {
		cnt->duplicated++;
		*is_new = false;
		return;
	}
	if (k->next - s <= TRACK_BITS)
		set_bit(k, s, true);
	cnt->reordered++;
	if (cnt->lost > 0)
		cnt->lost--;
}

int wd_bench_pubsub_prepare(struct wd_bench *b)
{
	const struct wd_bench_opts *o = &b->o;
	struct shared *sh = calloc(1, sizeof(*sh));
	int rc = WD_ENOMEM;
	if (sh == NULL)
		goto fail;
	sh->pub = calloc(o->publishers ? o->publishers : 1, sizeof(*sh->pub));
	sh->published = calloc(o->publishers ? o->publishers : 1, sizeof(*sh->published));
	if (sh->pub == NULL || sh->published == NULL)
		goto fail;
	for (unsigned i = 0; i < o->publishers; i++) {
		json_t *args = wd_tmpl_args(o->codec, i, o->payload_bytes);
		json_t *msg = args == NULL ? NULL
					   : json_pack("[i,I,{s:b},s,o]", 16,
						       (json_int_t)WD_TMPL_REQ_MARK, "acknowledge",
						       o->rate <= 0, TOPIC, args);
		if (msg == NULL)
			goto fail;
		rc = wd_tmpl_init(&sh->pub[i], o->codec, msg);
		json_decref(msg);
		if (rc < 0)
			goto fail;
		rc = WD_ENOMEM;
	}
	b->scn_shared = sh;
	return 0;
fail:
	/* The process exits right after a failed prepare; nothing to unwind. */
	return rc;
}

static int setup(struct wd_bench_thread *t)
{
	const struct wd_bench_opts *o = &t->b->o;
	unsigned nt = o->threads;
	for (unsigned i = 0; i < o->publishers; i++)
		if (i % nt == t->idx && wd_bench_conn_add(t, WD_ROLE_PUBLISHER, i) == NULL)
			return UV_ENOMEM;
	for (unsigned i = 0; i < o->subscribers + o->stalled; i++) {
		if ((i + o->publishers) % nt != t->idx)
			continue;
		struct wd_bench_conn *c = wd_bench_conn_add(t, WD_ROLE_SUBSCRIBER, i);
		if (c == NULL || (c->scn = calloc(o->publishers ? o->publishers : 1,
						  sizeof(struct track))) == NULL)
			return UV_ENOMEM;
		c->is_stalled = i >= o->subscribers;
	}
	return 0;
}

static void on_joined(struct wd_bench_conn *c)
{
	if (c->role != WD_ROLE_SUBSCRIBER) {
		wd_bench_conn_ready(c);
		return;
	}
	struct wd_sbuf f = {0};
	json_t *msg = json_pack("[i,i,{},s]", 32, 1, TOPIC);
	if (msg == NULL || wd_tmpl_frame(&f, c->th->b->o.codec, msg) < 0) {
		wd_bench_conn_fail(c, "cannot encode SUBSCRIBE");
	} else {
		wd_bench_conn_send(c, f.data, f.len);
	}
	json_decref(msg);
	wd_sbuf_free(&f);
}

static void publish(struct wd_bench_conn *c, uint64_t n)
{
	struct shared *sh = c->th->b->scn_shared;
	const struct wd_tmpl *tp = &sh->pub[c->index];
	size_t len = tp->frame.len;
	if (n == 0 || wd_bench_conn_backlog(c) > MAX_BACKLOG_BYTES)
		return;
	uint8_t *dst = wd_bench_conn_reserve(c, len * n);
	uint64_t now = c->th->now_ns;
	for (uint64_t i = 0; i < n; i++, dst += len) {
		wd_tmpl_emit(tp, dst, c->seq + 1, c->seq, now);
		c->seq++;
	}
	c->sent += n;
	c->outstanding += n;
	c->th->cnt.sent += n;
}

static void slow_msg(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	json_t *root = NULL;
	if (c->th->b->o.codec->decode(p, len, &root) < 0) {
		wd_bench_conn_fail(c, "undecodable message");
		return;
	}
	json_int_t type = json_integer_value(json_array_get(root, 0));
	if (type == 33 && c->state == WD_CONN_JOINED) {
		wd_bench_conn_ready(c);
		if (c->is_stalled)
			wd_bench_conn_pause(c);
	} else {
		char *s = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
		wd_bench_conn_fail(c, "unexpected message: %.200s", s ? s : "?");
		free(s);
	}
	json_decref(root);
}

static void on_event(struct wd_bench_conn *c, const struct wd_scan *m)
{
	struct wd_bench_thread *t = c->th;
	const struct wd_bench_opts *o = &t->b->o;
	int64_t v[3];
	if (m->n < 5 || wd_scan_ints(t->b->o.codec->is_binary, m->el[4].p, m->el[4].len, v, 3) != 3 ||
	    v[0] < 0 || (uint64_t)v[0] >= o->publishers || v[1] < WD_TMPL_ID_BASE ||
	    v[2] < WD_TMPL_TS_BASE) {
		t->cnt.errors++;
		return;
	}
	uint64_t seq = (uint64_t)(v[1] - WD_TMPL_ID_BASE);
	uint64_t sent_ns = (uint64_t)(v[2] - WD_TMPL_TS_BASE);
	bool is_new;
	track(&t->cnt, &((struct track *)c->scn)[v[0]], seq, &is_new);
	if (!is_new)
		return;
	t->cnt.delivered_total++;
	if (t->now_ns < atomic_load_explicit(&t->b->stop_ns, memory_order_relaxed))
		t->cnt.delivered++;
	wd_hist_record(&t->hist, t->now_ns > sent_ns ? t->now_ns - sent_ns : 0);
}

static void on_msg(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	struct wd_scan m;
	if (wd_scan_msg(c->th->b->o.codec->is_binary, p, len, 5, &m) < 0 || m.n < 1 || !m.el[0].is_int) {
		wd_bench_conn_fail(c, "unparsable message");
		return;
	}
	switch (m.el[0].ival) {
	case 36: /* EVENT */
		if (c->role == WD_ROLE_SUBSCRIBER && !c->is_stalled)
			on_event(c, &m);
		return;
	case 17: /* PUBLISHED */
		c->th->cnt.acked++;
		if (c->outstanding > 0)
			c->outstanding--;
		if (c->th->is_running)
			publish(c, 1);
		return;
	default:
		slow_msg(c, p, len);
	}
}

static void on_go(struct wd_bench_thread *t)
{
	if (t->b->o.rate > 0)
		return; /* on_tick paces */
	for (size_t i = 0; i < t->n_conns; i++) {
		struct wd_bench_conn *c = t->conns[i];
		if (c->role == WD_ROLE_PUBLISHER && !c->is_closing)
			publish(c, t->b->o.window);
	}
}

static void on_tick(struct wd_bench_thread *t)
{
	const struct wd_bench_opts *o = &t->b->o;
	if (o->rate <= 0)
		return;
	double per_pub = o->rate / (double)o->publishers;
	double elapsed = (double)(t->now_ns - t->go_ns) / 1e9;
	uint64_t due = (uint64_t)(per_pub * elapsed);
	for (size_t i = 0; i < t->n_conns; i++) {
		struct wd_bench_conn *c = t->conns[i];
		if (c->role != WD_ROLE_PUBLISHER || c->is_closing || due <= c->sent)
			continue;
		uint64_t n = due - c->sent;
		publish(c, n < MAX_BURST ? n : MAX_BURST);
	}
}

static void on_stop(struct wd_bench_thread *t)
{
	struct shared *sh = t->b->scn_shared;
	for (size_t i = 0; i < t->n_conns; i++) {
		struct wd_bench_conn *c = t->conns[i];
		if (c->role == WD_ROLE_PUBLISHER)
			sh->published[c->index] = c->seq;
		if (c->is_stalled) /* read what is left, to learn whether the router closed it */
			wd_bench_conn_resume(c);
	}
}

void wd_bench_pubsub_finish(struct wd_bench *b, struct wd_bench_counters *total)
{
	struct shared *sh = b->scn_shared;
	/* Sequences a subscriber never reached (not even a later one) are lost too. */
	for (unsigned ti = 0; ti < b->o.threads; ti++) {
		struct wd_bench_thread *t = &b->threads[ti];
		for (size_t i = 0; i < t->n_conns; i++) {
			struct wd_bench_conn *c = t->conns[i];
			if (c->role != WD_ROLE_SUBSCRIBER)
				continue;
			if (c->is_stalled) {
				total->stalled_closed += c->peer_closed;
				continue;
			}
			struct track *k = c->scn;
			for (unsigned p = 0; p < b->o.publishers; p++)
				if (sh->published[p] > k[p].next)
					total->lost += sh->published[p] - k[p].next;
		}
	}
}

const struct wd_bench_scn wd_bench_pubsub = {
	.setup = setup,
	.on_joined = on_joined,
	.on_msg = on_msg,
	.on_go = on_go,
	.on_stop = on_stop,
	.on_tick = on_tick,
};
