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
	char *authorizer;      /* dynamic authorizer procedure or NULL */
	bool allow_by_default; /* "allow-by-default" when neither permissions nor authorizer */
};

struct wd_realm_cfg {
	char *name;
	struct wd_role_cfg *roles;
	size_t n_roles;
	bool uri_check_strict; /* options.uri_check "strict"; default loose */
	bool enable_meta_api;  /* options.enable_meta_api; default true (wamp.session.* etc.) */
	/* options.event_dispatching_chunk_size, bridge_meta_api(_prefix) and realm/role keys such
	 * as "id" are accepted and ignored; "store", "rlinks", "inventory" and "stats" with a
	 * non-empty value are rejected by the checker as not supported yet. */
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
	uint32_t auto_fragment_size;     /* bytes, 0 = never fragment outgoing messages */
	bool auto_ping_restart_on_any_traffic; /* default true */
	bool fail_by_drop;               /* default false: drop TCP instead of a closing handshake */
	bool echo_close_codereason;      /* default false */
	bool tcp_nodelay;                /* default true */
	bool validate_utf8;              /* default true */
	bool show_server_version;        /* default false: Server header without the version */
	uint16_t external_port;          /* 0 = not set (the listening port is used) */
	/* Accepted and ignored: enable_hybi10 (wslay speaks RFC 6455 only; enable_rfc6455 false
	 * and mask_server_frames true are rejected by the checker), require_masked_client_frames,
	 * apply_mask, enable_flash_policy, flash_policy and compression: wampd does not negotiate
	 * permessage-deflate, which RFC 7692 allows a server to do. */
};

enum wd_service_type {
	WD_SERVICE_WEBSOCKET = 0,
	WD_SERVICE_PUBLISHER = 1, /* HTTP bridge (bridge/): POST -> PUBLISH */
	WD_SERVICE_CALLER = 2,    /* POST -> CALL */
	WD_SERVICE_WEBHOOK = 3,   /* any POST body -> PUBLISH {headers, body} */
	WD_SERVICE_NODEINFO = 4,  /* status page */
	WD_SERVICE_STATIC = 5,    /* files from a directory */
};

/* A publisher, caller or webhook path (Crossbar's keys; bridge/ serves it). */
struct wd_rest_cfg {
	char *realm;                  /* required */
	char *role;                   /* required by the checker; the session's authrole */
	char *key, *secret;           /* signed requests when secret is set */
	bool require_tls;
	char **require_ip;            /* "a.b.c.d", "a.b.c.d/n" or IPv6 networks */
	size_t n_require_ip;
	uint32_t post_body_limit;     /* bytes; 0 = Crossbar's "unlimited" (wampd still bounds it:
	                               * WD_HTTP_DEFAULT_BODY_LIMIT in router/http.h) */
	uint32_t timestamp_delta_limit_s; /* default 300 (Crossbar's code; its docs say 0); 0 = off */
	uint32_t timeout_ms;          /* caller: wampd's options.timeout (ms); 0 = none */
	bool debug;
	char *topic;                  /* webhook */
	char *success_response;       /* webhook; default "OK" */
	char *error_response;         /* webhook; default "NOT OK" */
	char *github_secret;          /* webhook; NULL = not checked */
};

struct wd_mime_cfg {
	char *ext;  /* ".svg" */
	char *type; /* "image/svg+xml" */
};

/* A static path: files under directory (a relative one is taken from the node directory). */
struct wd_static_cfg {
	char *directory;
	bool enable_directory_listing;  /* default false */
	struct wd_mime_cfg *mime_types; /* options.mime_types, ahead of the built-in table */
	size_t n_mime_types;
	uint32_t cache_timeout_s;       /* options.cache_timeout; 0 = no max-age */
	char *default_file;             /* options.default_file; default "index.html" */
};

/* Transport authentication ("auth" of a websocket transport or path service). */
enum wd_auth_type {
	WD_AUTH_STATIC = 0,
	WD_AUTH_DYNAMIC = 1,
};

/* One principal of a static method. Which fields are used depends on the method. */
struct wd_auth_principal {
	char *authid;
	char *role;           /* NULL: not given (the session is then refused: no role) */
	char *secret;         /* ticket: "ticket"; wampcra: "secret" (after ${ENV} substitution) */
	char *salt;           /* wampcra: NULL when unsalted */
	uint32_t iterations;  /* wampcra: 0 = not given (1000 is sent with a salt) */
	uint32_t keylen;      /* wampcra: 0 = not given (32 is sent with a salt) */
	char *realm;          /* cryptosign: NULL = the realm the client asked for */
	uint8_t (*keys)[32];  /* cryptosign: authorized_keys, decoded */
	size_t n_keys;
};

struct wd_auth_method_cfg {
	bool is_enabled;      /* the method's key is present */
	enum wd_auth_type type;
	/* static */
	char *role;           /* anonymous: "role" (default "anonymous") */
	char *authid;         /* anonymous: "authid" (NULL: a random one per session) */
	struct wd_auth_principal *principals; /* ticket/cryptosign "principals", wampcra "users" */
	size_t n_principals;
	/* dynamic */
	char *authenticator;       /* procedure URI */
	char *authenticator_realm; /* NULL: the realm the client asked for */
	char *authenticator_role;  /* NULL: "trusted" */
	char *default_role;        /* "default-role": used when the authenticator names none */
};

struct wd_auth_cfg {
	bool is_set; /* "auth" present; without it every client joins as anonymous (Crossbar) */
	struct wd_auth_method_cfg anonymous, ticket, wampcra, cryptosign;
};

/* One web path service ("ws": {"type": "websocket", ...}) or a websocket transport (path ""). */
struct wd_service_cfg {
	char *path;                   /* path key without leading '/' ("ws"); "/" for the root */
	enum wd_service_type type;
	int serializers[2];           /* enum wd_codec_id in the configured order; default json, msgpack.
	                               * "cbor", "ubjson" and "flatbuffers" are accepted in the
	                               * configured list (Crossbar's template lists them) and left
	                               * out here; check rejects a list without json or msgpack. */
	size_t n_serializers;
	struct wd_ws_options ws;
	struct wd_auth_cfg auth;
	struct wd_rest_cfg rest;      /* publisher, caller, webhook */
	struct wd_static_cfg stat;    /* static */
};

enum wd_transport_type {
	WD_TRANSPORT_WEBSOCKET = 0, /* websocket on any request path */
	WD_TRANSPORT_WEB = 1,       /* HTTP with path services */
	WD_TRANSPORT_RAWSOCKET = 2, /* RawSocket; services[0] holds serializers, limit, auth */
};

struct wd_endpoint_cfg {
	char *interface; /* bind address; default "0.0.0.0" ("::" for version 6) */
	uint16_t port;   /* after "$ENV" substitution */
	int backlog;     /* default 50 as Twisted */
	int version;     /* 4 or 6; default 4 */
	bool shared;     /* "shared": SO_REUSEPORT; default false */
	/* "user_timeout" is accepted and ignored. */
};

struct wd_transport_cfg {
	enum wd_transport_type type;
	struct wd_endpoint_cfg endpoint;
	struct wd_service_cfg *services; /* web: one per path; websocket: exactly one, path "" */
	size_t n_services;
	char *id;                        /* the transport's "id" or NULL */
	bool access_log;                 /* web options.access_log; default false */
	uint32_t client_timeout_s;       /* web options.client_timeout (seconds); 0 = not set */
};

/* Crossbar's REST bridge components, run natively inside wampd by bridge/. */
enum wd_component_class {
	WD_COMPONENT_FORWARDER = 0,   /* crossbar.bridge.rest.MessageForwarder */
	WD_COMPONENT_REST_CALLEE = 1, /* crossbar.bridge.rest.RESTCallee */
};

struct wd_forward_cfg {
	char *topic;
	char *url;
	enum wd_match match; /* default exact */
};

struct wd_component_cfg {
	enum wd_component_class cls;
	char *realm;
	char *role;                    /* router component "role"; default "anonymous" */
	/* MessageForwarder ("extra") */
	struct wd_forward_cfg *subs;
	size_t n_subs;
	char *method;                  /* default "POST" */
	int expected_code;             /* "expectedcode"; 0 = any 2xx */
	bool debug;
	uint32_t max_retries;          /* wampd: "max_retries", default 5 */
	uint32_t retry_delay_ms;       /* wampd: "retry_delay" first delay, doubled; default 1000 */
	uint32_t timeout_ms;           /* wampd: "timeout" per HTTP request; default 10000 */
	/* RESTCallee ("extra") */
	char *procedure;
	char *baseurl;
};

struct wd_config {
	/* Router workers whose options.disabled is true are skipped (as Crossbar's node does). */
	struct wd_realm_cfg *realms;       /* from every router worker, in order */
	size_t n_realms;
	struct wd_transport_cfg *transports;
	size_t n_transports;
	/* router workers' and container workers' "components" (bridge classes), in order */
	struct wd_component_cfg *components;
	size_t n_components;
};

#endif
