/* The HTTP/1.1 side of a connection: parses the request head with http-parser, routes it by
 * path to a web path service, and performs the RFC 6455 upgrade for WebSocket services. */
#ifndef WD_HTTP_H
#define WD_HTTP_H

#include "config/model.h"

struct wd_conn;

/* Starts reading an HTTP request on c for transport t (borrowed, outlives c). */
void wd_http_attach(struct wd_conn *c, const struct wd_transport_cfg *t);

#endif
