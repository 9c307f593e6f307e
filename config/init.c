/* What `wampd init` writes: .crossbar/config.json, the config `crossbar init` writes
 * (crossbar/node/templates/default/.crossbar/config.json), and web/README.md for its "/" path.
 * The config passes both `wampd check` and `crossbar check`.
 *
 * The "/" static path (serving ../web with directory listings), the "ws" path (option for
 * option) and the "info" nodeinfo path are the template's. Left out: the template's rawsocket
 * transport on port 8081, because wampd has no RawSocket transport yet (the checker would
 * report it as "not supported yet"); add it back when rawsocket lands. The bridge paths
 * "publish" and "call" of the embedded default (default.c) are not in Crossbar's template
 * either. */
#include "config/config.h"

static const char init_json[] =
        "{\n"
        "    \"$schema\": "
        "\"https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json\",\n"
        "    \"version\": 2,\n"
        "    \"controller\": {\n"
        "    },\n"
        "    \"workers\": [\n"
        "        {\n"
        "            \"type\": \"router\",\n"
        "            \"realms\": [\n"
        "                {\n"
        "                    \"name\": \"realm1\",\n"
        "                    \"roles\": [\n"
        "                        {\n"
        "                            \"name\": \"anonymous\",\n"
        "                            \"permissions\": [\n"
        "                                {\n"
        "                                    \"uri\": \"\",\n"
        "                                    \"match\": \"prefix\",\n"
        "                                    \"allow\": {\n"
        "                                        \"call\": true,\n"
        "                                        \"register\": true,\n"
        "                                        \"publish\": true,\n"
        "                                        \"subscribe\": true\n"
        "                                    },\n"
        "                                    \"disclose\": {\n"
        "                                        \"caller\": false,\n"
        "                                        \"publisher\": false\n"
        "                                    },\n"
        "                                    \"cache\": true\n"
        "                                }\n"
        "                            ]\n"
        "                        }\n"
        "                    ]\n"
        "                }\n"
        "            ],\n"
        "            \"transports\": [\n"
        "                {\n"
        "                    \"type\": \"web\",\n"
        "                    \"endpoint\": {\n"
        "                        \"type\": \"tcp\",\n"
        "                        \"port\": 8080,\n"
        "                        \"backlog\": 1024\n"
        "                    },\n"
        "                    \"paths\": {\n"
        "                        \"/\": {\n"
        "                            \"type\": \"static\",\n"
        "                            \"directory\": \"../web\",\n"
        "                            \"options\": {\n"
        "                                \"enable_directory_listing\": true\n"
        "                            }\n"
        "                        },\n"
        "                        \"ws\": {\n"
        "                            \"type\": \"websocket\",\n"
        "                            \"serializers\": [\n"
        "                                \"cbor\", \"msgpack\", \"json\"\n"
        "                            ],\n"
        "                            \"options\": {\n"
        "                                \"allowed_origins\": [\"*\"],\n"
        "                                \"allow_null_origin\": true,\n"
        "                                \"enable_webstatus\": false,\n"
        "                                \"max_frame_size\": 1048576,\n"
        "                                \"max_message_size\": 1048576,\n"
        "                                \"auto_fragment_size\": 65536,\n"
        "                                \"fail_by_drop\": true,\n"
        "                                \"open_handshake_timeout\": 2500,\n"
        "                                \"close_handshake_timeout\": 1000,\n"
        "                                \"auto_ping_interval\": 10000,\n"
        "                                \"auto_ping_timeout\": 5000,\n"
        "                                \"auto_ping_size\": 12,\n"
        "                                \"compression\": {\n"
        "                                    \"deflate\": {\n"
        "                                        \"request_no_context_takeover\": false,\n"
        "                                        \"request_max_window_bits\": 13,\n"
        "                                        \"no_context_takeover\": false,\n"
        "                                        \"max_window_bits\": 13,\n"
        "                                        \"memory_level\": 5\n"
        "                                    }\n"
        "                                }\n"
        "                            }\n"
        "                        },\n"
        "                        \"info\": {\n"
        "                            \"type\": \"nodeinfo\"\n"
        "                        }\n"
        "                    }\n"
        "                }\n"
        "            ]\n"
        "        }\n"
        "    ]\n"
        "}\n";

const char *wd_config_init_json(void)
{
	return init_json;
}

/* Crossbar's template writes web/README.md too; with directory listings on, GET / shows it
 * until an index.html is added. */
static const char web_readme[] =
        "# Web files\n"
        "\n"
        "The node serves this directory at `/` (the `\"/\"` static path in\n"
        "`../.crossbar/config.json`). Put your web files here: an `index.html` is shown\n"
        "instead of the directory listing.\n"
        "\n"
        "Other paths of this node:\n"
        "\n"
        "* `/ws`: WAMP over WebSocket, realm `realm1` (anonymous clients may do everything)\n"
        "* `/info`: the node info page\n";

const char *wd_config_init_web_readme(void)
{
	return web_readme;
}
