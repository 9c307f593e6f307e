/* Typed configuration built from a checked Crossbar config.json (version 2). Everything the
 * router needs, with Crossbar's defaults already applied. Strings are owned by the model. */
#ifndef WD_CONFIG_MODEL_H
#define WD_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wd_match {
	WD_MATCH_EXACT = 0,
	WD_MATCH_PREFIX = 1,
	WD_MATCH_WILDCARD = 2,
};

struct wd_permission {
	char *uri;         /* after convert_starred_uri when "match" was absent ("com.x.*" -> "com.x.") */
	enum wd_match match;
	bool allow_call, allow_register, allow_publish, allow_subscribe; /* missing => false */
	bool disclose_caller, disclose_publisher;                         /* missing => false */
	bool cache;                                                       /* missing => false */
};

struct wd_role_cfg {
	char *name;
	struct wd_permission *perms;
	size_t n_perms;
	char *authorizer;      /* dynamic authorizer procedure or NULL (not supported yet: check rejects) */
	bool allow_by_default; /* "allow-by-default" when neither permissions nor authorizer */
};

struct wd_realm_cfg {
	char *name;
	struct wd_role_cfg *roles;
	size_t n_roles;
	bool uri_check_strict; /* options.uri_check "strict"; default loose */
};

struct wd_ws_options {
	uint32_t max_message_size;   /* bytes, 0 = unlimited */
	uint32_t max_frame_size;     /* bytes, 0 = unlimited */
	char **allowed_origins;      /* default ["*"] */
	size_t n_allowed_origins;
	bool allow_null_origin;      /* default true */
	bool require_websocket_subprotocol; /* default true */
	bool enable_webstatus;       /* default true: plain GET answers a short page */
	uint32_t auto_ping_interval_ms;  /* 0 = off */
	uint32_t auto_ping_timeout_ms;   /* 0 = off */
	uint32_t auto_ping_size;         /* default 12 (12..125) */
	uint32_t open_handshake_timeout_ms;  /* 0 = off */
	uint32_t close_handshake_timeout_ms; /* 0 = off */
};

enum wd_service_type {
	WD_SERVICE_WEBSOCKET = 0,
};

/* One web path service ("ws": {"type": "websocket", ...}) or a websocket transport (path ""). */
struct wd_service_cfg {
	char *path;                   /* path key without leading '/' ("ws"); "/" for the root */
	enum wd_service_type type;
	int serializers[2];           /* enum wd_codec_id in the configured order; default json, msgpack */
	size_t n_serializers;
	struct wd_ws_options ws;
};

enum wd_transport_type {
	WD_TRANSPORT_WEBSOCKET = 0, /* websocket on any request path */
	WD_TRANSPORT_WEB = 1,       /* HTTP with path services */
};

struct wd_endpoint_cfg {
	char *interface; /* bind address; default "0.0.0.0" ("::" for version 6) */
	uint16_t port;   /* after "$ENV" substitution */
	int backlog;     /* default 50 as Twisted */
	int version;     /* 4 or 6; default 4 */
};

struct wd_transport_cfg {
	enum wd_transport_type type;
	struct wd_endpoint_cfg endpoint;
	struct wd_service_cfg *services; /* web: one per path; websocket: exactly one, path "" */
	size_t n_services;
};

struct wd_config {
	struct wd_realm_cfg *realms;       /* from every router worker, in order */
	size_t n_realms;
	struct wd_transport_cfg *transports;
	size_t n_transports;
};

#endif
