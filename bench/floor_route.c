/* wampd-floor's WAMP minimum (see floor.h): HELLO, SUBSCRIBE, PUBLISH, REGISTER, CALL, YIELD
 * and GOODBYE, read with the generator's in-place scanner. An EVENT or INVOCATION is the
 * received payload bytes behind a new head, framed once and copied to each receiver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/floor.h"
#include "bench/scan.h"
#include "protocol/ws_header.h"
#include "protocol/ws_parser.h"

#define MSG_HELLO 1
#define MSG_WELCOME 2
#define MSG_GOODBYE 6
#define MSG_PUBLISH 16
#define MSG_PUBLISHED 17
#define MSG_SUBSCRIBE 32
#define MSG_SUBSCRIBED 33
#define MSG_EVENT 36
#define MSG_CALL 48
#define MSG_RESULT 50
#define MSG_REGISTER 64
#define MSG_REGISTERED 65
#define MSG_INVOCATION 68
#define MSG_YIELD 70

static void require(bool ok)
{
	if (!ok) {
		fprintf(stderr, "wampd-floor: out of memory\n");
		abort();
	}
}

static void *grow(void *arr, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 8;
	void *p = realloc(arr, c * size);
	require(p != NULL);
	*cap = c;
	return p;
}

/* ---- building one frame in the server's scratch buffer ---- */

static void put(struct fl_server *s, const void *p, size_t n)
{
	if (s->scratch.cap - s->scratch.len < n)
		require(wd_sbuf_reserve(&s->scratch, n) == 0);
	memcpy(s->scratch.data + s->scratch.len, p, n);
	s->scratch.len += n;
}

static void put_int(struct fl_server *s, bool is_msgpack, uint64_t v)
{
	static const char pairs[] =
	        "00010203040506070809101112131415161718192021222324252627282930"
	        "31323334353637383940414243444546474849505152535455565758596061"
	        "6263646566676869707172737475767778798081828384858687888990919293949596979899";
	uint8_t b[24], *e = b + sizeof(b), *q = e;
	if (is_msgpack) {
		if (v < 128) {
			b[0] = (uint8_t)v;
			put(s, b, 1);
			return;
		}
		b[0] = 0xcf;
		for (int i = 0; i < 8; i++)
			b[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		put(s, b, 9);
		return;
	}
	for (; v >= 100; v /= 100) {
		q -= 2;
		memcpy(q, pairs + (v % 100) * 2, 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + v * 2, 2);
	} else {
		*--q = (uint8_t)('0' + v);
	}
	put(s, q, (size_t)(e - q));
}

/* Starts a message of `count` elements: the frame header is written by finish(). */
static void begin(struct fl_server *s, bool is_msgpack, size_t count)
{
	s->scratch.len = 0;
	require(wd_sbuf_reserve(&s->scratch, WD_WS_HEADER_MAX) == 0);
	s->scratch.len = WD_WS_HEADER_MAX; /* room for the header */
	if (is_msgpack) {
		uint8_t h = (uint8_t)(0x90 | count);
		put(s, &h, 1);
	} else {
		put(s, "[", 1);
	}
}

static void sep(struct fl_server *s, bool is_msgpack)
{
	if (!is_msgpack)
		put(s, ",", 1);
}

/* Frames the scratch message; returns where the frame starts and its length in *len. */
static const uint8_t *finish(struct fl_server *s, bool is_msgpack, bool close_json, size_t *len)
{
	uint8_t hdr[WD_WS_HEADER_MAX];
	size_t mlen, h;
	if (!is_msgpack && close_json)
		put(s, "]", 1);
	mlen = s->scratch.len - WD_WS_HEADER_MAX;
	h = wd_ws_header(hdr, is_msgpack ? WD_WS_OP_BINARY : WD_WS_OP_TEXT, mlen, NULL);
	memcpy(s->scratch.data + WD_WS_HEADER_MAX - h, hdr, h);
	*len = h + mlen;
	return s->scratch.data + WD_WS_HEADER_MAX - h;
}

static void send_ints(struct fl_conn *c, uint64_t type, uint64_t a, uint64_t b)
{
	struct fl_server *s = c->srv;
	const uint8_t *f;
	size_t n;
	begin(s, c->is_msgpack, 3);
	put_int(s, c->is_msgpack, type);
	sep(s, c->is_msgpack);
	put_int(s, c->is_msgpack, a);
	sep(s, c->is_msgpack);
	put_int(s, c->is_msgpack, b);
	f = finish(s, c->is_msgpack, true, &n);
	fl_conn_send(c, f, n);
}

/* Elements in the array p starts with (msgpack), or 0 when p is not an array header. */
static size_t mp_count(const uint8_t *p, size_t len)
{
	if (len >= 1 && p[0] >= 0x90 && p[0] <= 0x9f)
		return p[0] & 0x0f;
	if (len >= 3 && p[0] == 0xdc)
		return (size_t)p[1] << 8 | p[2];
	if (len >= 5 && p[0] == 0xdd)
		return (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
	return 0;
}

/* Starts [type, a, b?, {}, payload...]: the payload is element `first` of m onwards, as it
 * arrived (json: up to and including the closing bracket). Returns the frame. */
static const uint8_t *with_payload(struct fl_server *s, bool is_msgpack, const uint8_t *msg,
                                   size_t msg_len, const struct wd_scan *m, int first,
                                   const uint64_t *ints, int n_ints, size_t *len)
{
	bool has_payload = m->n > first;
	size_t n_payload = 0;
	if (has_payload && is_msgpack)
		n_payload = mp_count(msg, msg_len) - (size_t)first;
	begin(s, is_msgpack, (size_t)n_ints + 1 + n_payload);
	for (int i = 0; i < n_ints; i++) {
		if (i > 0)
			sep(s, is_msgpack);
		put_int(s, is_msgpack, ints[i]);
	}
	if (is_msgpack) {
		put(s, "\x80", 1);
	} else {
		put(s, ",{}", 3);
		if (has_payload)
			put(s, ",", 1);
	}
	if (has_payload)
		put(s, m->el[first].p, (size_t)(msg + msg_len - m->el[first].p));
	return finish(s, is_msgpack, !has_payload, len);
}

/* Does the options element ask for acknowledge: true? */
static bool wants_ack(bool is_msgpack, const struct wd_scan_el *opts)
{
	const uint8_t *k = opts->p, *e = opts->p + opts->len;
	while (k + 11 <= e && memcmp(k, "acknowledge", 11) != 0)
		k++;
	if (k + 11 > e)
		return false;
	k += 11;
	if (is_msgpack)
		return k < e && *k == 0xc3;
	while (k < e && (*k == '"' || *k == ' ' || *k == ':'))
		k++;
	return k < e && *k == 't';
}

/* ---- messages ---- */

static void hello(struct fl_conn *c)
{
	static const char json_details[] = "{\"roles\":{\"broker\":{},\"dealer\":{}}}";
	/* {"roles": {"broker": {}, "dealer": {}}} in msgpack */
	static const uint8_t mp_details[] = {0x81, 0xa5, 'r', 'o', 'l', 'e', 's', 0x82,
	                                     0xa6, 'b',  'r', 'o', 'k', 'e', 'r', 0x80,
	                                     0xa6, 'd',  'e', 'a', 'l', 'e', 'r', 0x80};
	struct fl_server *s = c->srv;
	const uint8_t *f;
	size_t n;
	begin(s, c->is_msgpack, 3);
	put_int(s, c->is_msgpack, MSG_WELCOME);
	sep(s, c->is_msgpack);
	put_int(s, c->is_msgpack, s->next_id++);
	sep(s, c->is_msgpack);
	if (c->is_msgpack)
		put(s, mp_details, sizeof(mp_details));
	else
		put(s, json_details, sizeof(json_details) - 1);
	f = finish(s, c->is_msgpack, true, &n);
	fl_conn_send(c, f, n);
}

static struct fl_uri *find(struct fl_uris *t, const struct wd_scan_el *el)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].key_len == el->len && memcmp(t->v[i].key, el->p, el->len) == 0)
			return &t->v[i];
	return NULL;
}

/* Adds c to the topic or procedure named by element 3 of m and returns that entry. */
static struct fl_uri *join(struct fl_server *s, struct fl_uris *t, struct fl_conn *c,
                           const struct wd_scan *m)
{
	struct fl_uri *u = find(t, &m->el[3]);
	if (u == NULL) {
		if (t->n == t->cap)
			t->v = grow(t->v, &t->cap, sizeof(*t->v));
		u = &t->v[t->n++];
		memset(u, 0, sizeof(*u));
		require((u->key = malloc(m->el[3].len)) != NULL);
		memcpy(u->key, m->el[3].p, m->el[3].len);
		u->key_len = m->el[3].len;
		u->id = s->next_id++;
	}
	if (u->n == u->cap)
		u->conns = grow(u->conns, &u->cap, sizeof(*u->conns));
	u->conns[u->n++] = c;
	return u;
}

static void publish(struct fl_conn *c, const uint8_t *p, size_t len, const struct wd_scan *m)
{
	struct fl_server *s = c->srv;
	struct fl_uri *t = find(&s->topics, &m->el[3]);
	uint64_t pub_id = s->next_id++;
	const uint8_t *f;
	size_t n;
	if (wants_ack(c->is_msgpack, &m->el[2]))
		send_ints(c, MSG_PUBLISHED, (uint64_t)m->el[1].ival, pub_id);
	if (t == NULL)
		return;
	uint64_t ints[3] = {MSG_EVENT, t->id, pub_id};
	f = with_payload(s, c->is_msgpack, p, len, m, 4, ints, 3, &n);
	/* The publisher is excluded, as by default in WAMP. */
	for (size_t k = 0; k < t->n; k++)
		if (t->conns[k] != c)
			fl_conn_send(t->conns[k], f, n);
}

/* A free slot for a new invocation ID, doubling the table while the slot is taken. */
static struct fl_call *call_slot(struct fl_server *s, uint64_t id)
{
	while (s->calls == NULL || s->calls[id & s->calls_mask].inv_id != 0) {
		size_t old = s->calls == NULL ? 0 : s->calls_mask + 1, cap = old ? old * 2 : 4096;
		struct fl_call *t = calloc(cap, sizeof(*t));
		require(t != NULL);
		for (size_t i = 0; i < old; i++)
			if (s->calls[i].inv_id != 0)
				t[s->calls[i].inv_id & (cap - 1)] = s->calls[i];
		free(s->calls);
		s->calls = t;
		s->calls_mask = cap - 1;
	}
	return &s->calls[id & s->calls_mask];
}

static void call(struct fl_conn *c, const uint8_t *p, size_t len, const struct wd_scan *m)
{
	struct fl_server *s = c->srv;
	struct fl_uri *pr = find(&s->procs, &m->el[3]);
	struct fl_call *slot;
	const uint8_t *f;
	size_t n;
	if (pr == NULL || pr->n == 0) {
		fl_conn_close(c, "CALL to an unknown procedure");
		return;
	}
	uint64_t ints[3] = {MSG_INVOCATION, s->next_id++, pr->id};
	slot = call_slot(s, ints[1]);
	slot->inv_id = ints[1];
	slot->req_id = (uint64_t)m->el[1].ival;
	slot->caller = c;
	f = with_payload(s, c->is_msgpack, p, len, m, 4, ints, 3, &n);
	fl_conn_send(pr->conns[pr->next++ % pr->n], f, n);
}

static void yield(struct fl_conn *c, const uint8_t *p, size_t len, const struct wd_scan *m)
{
	struct fl_server *s = c->srv;
	uint64_t id = (uint64_t)m->el[1].ival;
	struct fl_call *slot = s->calls == NULL ? NULL : &s->calls[id & s->calls_mask];
	const uint8_t *f;
	size_t n;
	uint64_t ints[2] = {MSG_RESULT, 0};
	if (slot == NULL || slot->inv_id != id)
		return; /* its caller has gone */
	ints[1] = slot->req_id;
	f = with_payload(s, c->is_msgpack, p, len, m, 3, ints, 2, &n);
	if (slot->caller != NULL)
		fl_conn_send(slot->caller, f, n);
	slot->inv_id = 0;
}

static void goodbye(struct fl_conn *c)
{
	static const char json[] = "[6,{},\"wamp.close.goodbye_and_out\"]";
	static const uint8_t mp[] = {0x93, 6,   0x80, 0xba, 'w', 'a', 'm', 'p', '.', 'c',
	                             'l',  'o', 's',  'e',  '.', 'g', 'o', 'o', 'd', 'b',
	                             'y',  'e', '_',  'a',  'n', 'd', '_', 'o', 'u', 't'};
	uint8_t frame[64];
	const uint8_t *msg = c->is_msgpack ? mp : (const uint8_t *)json;
	size_t len = c->is_msgpack ? sizeof(mp) : sizeof(json) - 1;
	size_t h = wd_ws_header(frame, c->is_msgpack ? WD_WS_OP_BINARY : WD_WS_OP_TEXT, len, NULL);
	memcpy(frame + h, msg, len);
	fl_conn_send(c, frame, h + len);
}

void fl_route_msg(struct fl_conn *c, uint8_t *p, size_t len)
{
	struct wd_scan m;
	if (wd_scan_msg(c->is_msgpack, p, len, 5, &m) < 0 || m.n < 2 || !m.el[0].is_int) {
		fl_conn_close(c, "unparsable message");
		return;
	}
	switch (m.el[0].ival) {
	case MSG_HELLO:
		hello(c);
		return;
	case MSG_SUBSCRIBE:
		if (m.n >= 4 && m.el[1].is_int)
			send_ints(c, MSG_SUBSCRIBED, (uint64_t)m.el[1].ival,
			          join(c->srv, &c->srv->topics, c, &m)->id);
		return;
	case MSG_PUBLISH:
		if (m.n >= 4 && m.el[1].is_int)
			publish(c, p, len, &m);
		return;
	case MSG_REGISTER:
		if (m.n >= 4 && m.el[1].is_int)
			send_ints(c, MSG_REGISTERED, (uint64_t)m.el[1].ival,
			          join(c->srv, &c->srv->procs, c, &m)->id);
		return;
	case MSG_CALL:
		if (m.n >= 4 && m.el[1].is_int)
			call(c, p, len, &m);
		return;
	case MSG_YIELD:
		if (m.n >= 3 && m.el[1].is_int)
			yield(c, p, len, &m);
		return;
	case MSG_GOODBYE:
		goodbye(c);
		return;
	default:
		return; /* UNSUBSCRIBE, ERROR...: not needed by the generator */
	}
}

static void drop(struct fl_conn **arr, size_t *n, struct fl_conn *c)
{
	for (size_t i = 0; i < *n;)
		if (arr[i] == c)
			arr[i] = arr[--*n];
		else
			i++;
}

void fl_route_forget(struct fl_conn *c)
{
	struct fl_server *s = c->srv;
	for (size_t i = 0; i < s->topics.n; i++)
		drop(s->topics.v[i].conns, &s->topics.v[i].n, c);
	for (size_t i = 0; i < s->procs.n; i++)
		drop(s->procs.v[i].conns, &s->procs.v[i].n, c);
	if (s->calls != NULL)
		for (size_t i = 0; i <= s->calls_mask; i++)
			if (s->calls[i].caller == c)
				s->calls[i].caller = NULL;
}
