/* The WebSocket side of a connection: wslay's event API for input (reassembly, control
 * frames, close handshake, size limits), shared pre-built frames for output, heartbeats. */
#ifndef WD_WS_H
#define WD_WS_H

#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "protocol/codec.h"

struct wd_conn;

/* Switches c to WebSocket after a successful upgrade; rest[0..len) are bytes that arrived
 * after the request head (borrowed). Returns 0 or a WD_E* (c is then closed). */
int wd_ws_start(struct wd_conn *c, const struct wd_service_cfg *svc, const struct wd_codec *codec,
		const uint8_t *rest, size_t len);

#endif
