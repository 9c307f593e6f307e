/* wampd-bench: shared types. One struct wd_bench per run (options, the threads, global flags);
 * one struct wd_bench_thread per libuv loop; one struct wd_bench_conn per WebSocket session.
 * Every connection belongs to exactly one thread and is only touched from that thread's loop;
 * threads share nothing but the atomics in struct wd_bench and the read-only options. */
#ifndef WD_BENCH_H
#define WD_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <uv.h>

#include "bench/hist.h"
#include "protocol/buf.h"
#include "protocol/codec.h"

enum wd_bench_scenario {
	WD_BENCH_PUBSUB,
	WD_BENCH_RPC,
	WD_BENCH_CONNS,
};

struct wd_bench_opts {
	enum wd_bench_scenario scenario;
	const char *scenario_name;
	const char *url;
	char host[64];
	int port;
	char path[256];
	const char *realm;
	const char *label; /* free text copied into the report ("wampd", "fox-wamp") */
	const struct wd_codec *codec;
	double duration_s;
	size_t payload_bytes;
	unsigned threads;
	unsigned publishers, subscribers;
	unsigned stalled; /* pubsub: subscribers that stop reading once subscribed */
	unsigned window;  /* outstanding un-acked publishes or calls per publisher/caller */
	double rate;      /* events/s over all publishers; 0 = window mode */
	unsigned callees, callers;
	unsigned sessions;
	int router_pid;   /* 0 = unknown */
	double drain_max_s;
};

enum wd_bench_role {
	WD_ROLE_PUBLISHER,
	WD_ROLE_SUBSCRIBER,
	WD_ROLE_CALLEE,
	WD_ROLE_CALLER,
	WD_ROLE_IDLE,
};

enum wd_bench_state {
	WD_CONN_NEW,
	WD_CONN_CONNECTING,
	WD_CONN_UPGRADING,
	WD_CONN_HELLO,
	WD_CONN_JOINED, /* WELCOME seen; scenario setup (SUBSCRIBE/REGISTER) may be pending */
	WD_CONN_READY,
	WD_CONN_CLOSED,
};

struct wd_bench_thread;

struct wd_bench_conn {
	uv_tcp_t tcp;
	uv_connect_t connect_req;
	uv_write_t write_req;
	struct wd_bench_thread *th;
	enum wd_bench_role role;
	enum wd_bench_state state;
	unsigned index;        /* index within its role, over all threads */
	bool is_writing;
	bool is_dirty;         /* on the thread's flush list */
	bool is_closing;
	bool is_stalled;       /* pubsub: reads nothing between SUBSCRIBED and the stop */
	bool peer_closed;      /* the router sent CLOSE or closed TCP */
	uint16_t close_code;   /* the code of that CLOSE (0: none) */
	struct wd_bench_conn *next_dirty;
	struct wd_sbuf out;    /* frames queued this loop turn */
	struct wd_sbuf wout;   /* bytes handed to uv_write, alive until on_write */
	struct wd_sbuf in;     /* unparsed tail of the input (partial frame or handshake) */
	struct wd_sbuf frag;   /* fragmented message being reassembled */
	uint8_t frag_opcode;
	uint64_t t_start_ns;   /* connect started (conns scenario: handshake latency) */
	uint64_t seq;          /* publisher/caller: next sequence number */
	uint64_t outstanding;  /* publisher/caller: un-acked requests */
	uint64_t sent;         /* publisher/caller: requests sent */
	void *scn;             /* scenario-specific per-connection state */
};

/* Scenario callbacks; all run on the connection's thread. */
struct wd_bench_scn {
	/* Creates the thread's connections (wd_bench_conn_add). Returns 0 or a negative errno. */
	int (*setup)(struct wd_bench_thread *t);
	/* WELCOME arrived: send SUBSCRIBE/REGISTER or call wd_bench_conn_ready(). */
	void (*on_joined)(struct wd_bench_conn *c);
	/* A whole WAMP message (after WELCOME), borrowed for the call. */
	void (*on_msg)(struct wd_bench_conn *c, const uint8_t *p, size_t len);
	void (*on_go)(struct wd_bench_thread *t);
	void (*on_stop)(struct wd_bench_thread *t);
	/* Every millisecond while running (rate mode). */
	void (*on_tick)(struct wd_bench_thread *t);
};

struct wd_bench_counters {
	uint64_t delivered;           /* events or results received before the stop time */
	uint64_t delivered_total;     /* including the drain */
	uint64_t lost, duplicated, reordered;
	uint64_t sent;                /* publishes or calls sent */
	uint64_t acked;               /* PUBLISHED received */
	uint64_t errors;              /* ERROR / ABORT / unexpected close */
	uint64_t rx_msgs;
	uint64_t stalled_closed;      /* stalled subscribers the router closed */
};

struct wd_bench;

struct wd_bench_thread {
	unsigned idx;
	struct wd_bench *b;
	pthread_t pthread;
	uv_loop_t loop;
	uv_prepare_t flush;
	uv_async_t wake;
	uv_timer_t tick;
	uv_timer_t drain;
	struct wd_bench_conn **conns;
	size_t n_conns, cap_conns;
	size_t n_ready;
	size_t next_to_connect;   /* conns scenario: connections are opened gradually */
	size_t n_setting_up;
	struct wd_bench_conn *dirty;
	uint8_t *rbuf;
	size_t rbuf_cap;
	_Atomic int has_wake;     /* wake is initialised: main may uv_async_send */
	bool is_running;
	bool is_stopping;
	bool reported_ready;
	uint64_t now_ns;          /* cached clock, refreshed per read and every few messages */
	uint64_t last_rx_ns;
	uint64_t go_ns;
	uint64_t cpu_go_ns, cpu_stop_ns; /* this thread's CPU time at go and at stop */
	struct wd_bench_counters cnt;
	struct wd_hist hist;
	void *scn;                /* scenario-specific per-thread state */
	char error[256];
};

struct wd_bench {
	struct wd_bench_opts o;
	const struct wd_bench_scn *scn;
	struct wd_bench_thread *threads;
	char upgrade_req[512];
	size_t upgrade_req_len;
	char accept_key[29];
	struct wd_sbuf hello_frame;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned threads_ready;
	unsigned threads_failed;
	uint64_t go_ns;            /* written before go is set */
	_Atomic uint64_t stop_ns;  /* events received before this count as delivered */
	_Atomic int go;
	_Atomic int stop;
	_Atomic int quit;
	_Atomic uint64_t sessions_joined;
	void *scn_shared;          /* scenario-specific shared state (read-only after setup) */
};

uint64_t wd_bench_now_ns(void);

/* conn.c */
/* Creates a connection of role/index on t (not yet connected). Returns it or NULL. */
struct wd_bench_conn *wd_bench_conn_add(struct wd_bench_thread *t, enum wd_bench_role role,
					unsigned index);
/* Starts TCP connect + upgrade + HELLO. Returns 0 or a libuv error. */
int wd_bench_conn_start(struct wd_bench_conn *c);
/* Reserves len bytes at the end of c's output; they are sent at the end of this loop turn. */
uint8_t *wd_bench_conn_reserve(struct wd_bench_conn *c, size_t len);
/* Queues a copy of a complete frame. */
int wd_bench_conn_send(struct wd_bench_conn *c, const void *frame, size_t len);
/* Marks scenario setup of c done (joined + subscribed/registered). */
void wd_bench_conn_ready(struct wd_bench_conn *c);
/* Records a failure on c's thread (first one wins) and counts an error. */
void wd_bench_conn_fail(struct wd_bench_conn *c, const char *fmt, ...);
void wd_bench_conn_close(struct wd_bench_conn *c);
/* Hands c's queued frames to one uv_write unless a write is in flight (thread.c's uv_prepare). */
void wd_bench_conn_flush(struct wd_bench_conn *c);
/* Bytes queued but not yet written (both buffers). */
size_t wd_bench_conn_backlog(const struct wd_bench_conn *c);
/* Stops or resumes reading from c (a stalled subscriber). */
void wd_bench_conn_pause(struct wd_bench_conn *c);
void wd_bench_conn_resume(struct wd_bench_conn *c);

/* thread.c */
/* pthread entry: runs t's loop from setup to the end of the drain. */
void *wd_bench_thread_main(void *arg);
/* Opens more connections while fewer than the setup limit are in progress. */
void wd_bench_thread_connect_more(struct wd_bench_thread *t);

#endif
