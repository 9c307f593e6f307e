/* Listening sockets, one per configured transport endpoint. */
#ifndef WD_LISTENER_H
#define WD_LISTENER_H

#include <uv.h>

#include "config/model.h"

struct wd_router;
struct wd_conn;

struct wd_listener {
	uv_tcp_t tcp;
	struct wd_router *r;
	const struct wd_transport_cfg *cfg; /* borrowed from the router's config */
	struct wd_listener *next;
	uint64_t refused_log_ms;  /* loop time of the last line about refused connections */
};

/* Binds and listens on t's endpoint; links the listener into r->listeners. Returns 0 or a
 * WD_E* (logged with the address). */
int wd_listener_start(struct wd_router *r, const struct wd_transport_cfg *t);
/* Closes every listener; each frees itself from its close callback. */
void wd_listener_close_all(struct wd_router *r);
/* Attaches the first protocol layer (HTTP) to an accepted connection. */
void wd_listener_attach(const struct wd_listener *l, struct wd_conn *c);

#endif
