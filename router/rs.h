/* RawSocket transport (spec "RawSocket Transport") on an accepted TCP connection. */
#ifndef WD_RS_H
#define WD_RS_H

#include "config/model.h"

struct wd_conn;

/* Starts the RawSocket handshake on c for transport t (borrowed, outlives c). */
void wd_rs_attach(struct wd_conn *c, const struct wd_transport_cfg *t);

#endif
