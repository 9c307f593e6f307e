/* The HTTP bridge and friends: web path services other than WebSocket (publisher, caller,
 * webhook, nodeinfo, static) and Crossbar's REST bridge components (MessageForwarder,
 * RESTCallee). Each REST path and each component is one internal session of its realm, so
 * the broker and dealer never know HTTP exists (DESIGN.md). */
#ifndef WD_BRIDGE_H
#define WD_BRIDGE_H

struct wd_router;

/* Creates the bridge for r's config (borrowed; r outlives it): joins one internal session per
 * publisher/caller/webhook path and per component, starts libcurl on r's loop, and plugs
 * itself into r->web so router/http.c hands it requests and router/daemon.c stops and frees
 * it. Returns 0, WD_ENOTFOUND (a path or component names a realm that does not exist, logged)
 * or WD_ENOMEM. On failure nothing stays attached. */
int wd_bridge_attach(struct wd_router *r);

#endif
