/* rpc: K callees register one procedure (round-robin when K > 1), C callers keep `window`
 * CALLs outstanding each. Callees echo the arguments in YIELD; callers time each RESULT
 * against the send timestamp carried in the arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/scan.h"
#include "bench/scenario.h"
#include "bench/tmpl.h"
#include "bench/wsframe.h"
#include "protocol/error.h"

#define PROCEDURE "bench.echo"

struct shared {
	struct wd_tmpl *call; /* one template per caller */
};

int wd_bench_rpc_prepare(struct wd_bench *b)
{
	const struct wd_bench_opts *o = &b->o;
	struct shared *sh = calloc(1, sizeof(*sh));
	int rc = WD_ENOMEM;
	if (sh == NULL || (sh->call = calloc(o->callers ? o->callers : 1, sizeof(*sh->call))) == NULL)
		return rc;
	for (unsigned i = 0; i < o->callers; i++) {
		json_t *args = wd_tmpl_args(o->codec, i, o->payload_bytes);
		json_t *msg = args == NULL ? NULL
					   : json_pack("[i,I,{},s,o]", 48, (json_int_t)WD_TMPL_REQ_MARK,
						       PROCEDURE, args);
		if (msg == NULL)
			return WD_ENOMEM;
		rc = wd_tmpl_init(&sh->call[i], o->codec, msg);
		json_decref(msg);
		if (rc < 0)
			return rc;
	}
	b->scn_shared = sh;
	return 0;
}

static int setup(struct wd_bench_thread *t)
{
	const struct wd_bench_opts *o = &t->b->o;
	unsigned nt = o->threads;
	for (unsigned i = 0; i < o->callees; i++)
		if (i % nt == t->idx && wd_bench_conn_add(t, WD_ROLE_CALLEE, i) == NULL)
			return UV_ENOMEM;
	for (unsigned i = 0; i < o->callers; i++)
		if ((i + o->callees) % nt == t->idx &&
		    wd_bench_conn_add(t, WD_ROLE_CALLER, i) == NULL)
			return UV_ENOMEM;
	return 0;
}

static void on_joined(struct wd_bench_conn *c)
{
	if (c->role != WD_ROLE_CALLEE) {
		wd_bench_conn_ready(c);
		return;
	}
	struct wd_sbuf f = {0};
	json_t *msg = c->th->b->o.callees > 1
			      ? json_pack("[i,i,{s:s},s]", 64, 1, "invoke", "roundrobin", PROCEDURE)
			      : json_pack("[i,i,{},s]", 64, 1, PROCEDURE);
	if (msg == NULL || wd_tmpl_frame(&f, c->th->b->o.codec, msg) < 0)
		wd_bench_conn_fail(c, "cannot encode REGISTER");
	else
		wd_bench_conn_send(c, f.data, f.len);
	json_decref(msg);
	wd_sbuf_free(&f);
}

static void call(struct wd_bench_conn *c, uint64_t n)
{
	struct shared *sh = c->th->b->scn_shared;
	const struct wd_tmpl *tp = &sh->call[c->index];
	size_t len = tp->frame.len;
	if (n == 0)
		return;
	uint8_t *dst = wd_bench_conn_reserve(c, len * n);
	for (uint64_t i = 0; i < n; i++, dst += len) {
		wd_tmpl_emit(tp, dst, c->seq + 1, c->seq, c->th->now_ns);
		c->seq++;
	}
	c->sent += n;
	c->outstanding += n;
	c->th->cnt.sent += n;
}

/* YIELD [70, Request, {}, Arguments] with the INVOCATION's arguments copied verbatim. */
static void yield(struct wd_bench_conn *c, uint64_t req, const uint8_t *args, size_t args_len)
{
	uint8_t head[32];
	size_t hn;
	if (c->th->b->o.codec->is_binary) {
		head[0] = args != NULL ? 0x94 : 0x93;
		head[1] = 70;
		head[2] = 0xcf;
		for (int i = 0; i < 8; i++)
			head[3 + i] = (uint8_t)(req >> (56 - 8 * i));
		head[11] = 0x80;
		hn = 12;
	} else {
		hn = (size_t)snprintf((char *)head, sizeof(head), "[70,%llu,{}%s",
				      (unsigned long long)req, args != NULL ? "," : "");
	}
	size_t tail = c->th->b->o.codec->is_binary ? 0 : 1;
	size_t plen = hn + args_len + tail;
	size_t h = wd_wsf_header_len(plen);
	uint8_t *dst = wd_bench_conn_reserve(c, h + plen);
	wd_wsf_write_header(dst, c->th->b->o.codec->is_binary ? WD_WS_BINARY : WD_WS_TEXT, plen);
	uint8_t *p = dst + h;
	memcpy(p, head, hn);
	if (args_len > 0)
		memcpy(p + hn, args, args_len);
	if (tail)
		p[hn + args_len] = ']';
	wd_wsf_mask(p, plen, 0);
}

static void slow_msg(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	json_t *root = NULL;
	if (c->th->b->o.codec->decode(p, len, &root) < 0) {
		wd_bench_conn_fail(c, "undecodable message");
		return;
	}
	json_int_t type = json_integer_value(json_array_get(root, 0));
	if (type == 65 && c->state == WD_CONN_JOINED) {
		wd_bench_conn_ready(c);
	} else if (type == 8 && c->role == WD_ROLE_CALLER && c->state == WD_CONN_READY) {
		/* An ERROR for a CALL: count it and keep the window full. */
		c->th->cnt.errors++;
		if (c->outstanding > 0)
			c->outstanding--;
		if (c->th->is_running)
			call(c, 1);
	} else {
		char *s = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
		wd_bench_conn_fail(c, "unexpected message: %.200s", s ? s : "?");
		free(s);
	}
	json_decref(root);
}

static void on_result(struct wd_bench_conn *c, const struct wd_scan *m)
{
	struct wd_bench_thread *t = c->th;
	int64_t v[3];
	if (c->outstanding > 0)
		c->outstanding--;
	if (m->n < 4 || wd_scan_ints(t->b->o.codec->is_binary, m->el[3].p, m->el[3].len, v, 3) != 3 ||
	    v[2] < WD_TMPL_TS_BASE) {
		t->cnt.errors++;
	} else {
		uint64_t sent_ns = (uint64_t)(v[2] - WD_TMPL_TS_BASE);
		t->cnt.delivered_total++;
		if (t->now_ns < atomic_load_explicit(&t->b->stop_ns, memory_order_relaxed))
			t->cnt.delivered++;
		wd_hist_record(&t->hist, t->now_ns > sent_ns ? t->now_ns - sent_ns : 0);
	}
	if (t->is_running)
		call(c, 1);
}

static void on_msg(struct wd_bench_conn *c, const uint8_t *p, size_t len)
{
	struct wd_scan m;
	if (wd_scan_msg(c->th->b->o.codec->is_binary, p, len, 5, &m) < 0 || m.n < 1 || !m.el[0].is_int) {
		wd_bench_conn_fail(c, "unparsable message");
		return;
	}
	switch (m.el[0].ival) {
	case 68: /* INVOCATION [68, Request, Registration, Details, Arguments?, ArgumentsKw?] */
		/* The echo needs the exact span of Arguments: scan the whole message. */
		if (wd_scan_msg(c->th->b->o.codec->is_binary, p, len, WD_SCAN_MAX_EL, &m) < 0 ||
		    m.n < 4 || !m.el[1].is_int) {
			wd_bench_conn_fail(c, "bad INVOCATION");
			return;
		}
		yield(c, (uint64_t)m.el[1].ival, m.n >= 5 ? m.el[4].p : NULL,
		      m.n >= 5 ? m.el[4].len : 0);
		return;
	case 50: /* RESULT */
		on_result(c, &m);
		return;
	default:
		slow_msg(c, p, len);
	}
}

static void on_go(struct wd_bench_thread *t)
{
	for (size_t i = 0; i < t->n_conns; i++) {
		struct wd_bench_conn *c = t->conns[i];
		if (c->role == WD_ROLE_CALLER && !c->is_closing)
			call(c, t->b->o.window);
	}
}

static void on_stop(struct wd_bench_thread *t)
{
	(void)t;
}

const struct wd_bench_scn wd_bench_rpc = {
	.setup = setup,
	.on_joined = on_joined,
	.on_msg = on_msg,
	.on_go = on_go,
	.on_stop = on_stop,
};
