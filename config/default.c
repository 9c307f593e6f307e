/* The config wampd runs with when the node directory has none (Crossbar would start an empty
 * node instead; wampd starts something a client can use at once). */
#include "config/config.h"

/* realm1 with the anonymous role allowed everything, and ws://127.0.0.1:8080/ws. Only the
 * loopback interface: a node nobody configured should not be reachable from the network.
 * "publish" and "call" are Crossbar's HTTP bridge paths (as in crossbar-examples' rest/
 * configs): `make run` serves ws://127.0.0.1:8080/ws, POST /publish and POST /call. */
static const char default_json[] =
        "{\n"
        "  \"version\": 2,\n"
        "  \"controller\": {},\n"
        "  \"workers\": [\n"
        "    {\n"
        "      \"type\": \"router\",\n"
        "      \"realms\": [\n"
        "        {\n"
        "          \"name\": \"realm1\",\n"
        "          \"roles\": [\n"
        "            {\n"
        "              \"name\": \"anonymous\",\n"
        "              \"permissions\": [\n"
        "                {\n"
        "                  \"uri\": \"\",\n"
        "                  \"match\": \"prefix\",\n"
        "                  \"allow\": {\"call\": true, \"register\": true, \"publish\": true, "
        "\"subscribe\": true},\n"
        "                  \"disclose\": {\"caller\": false, \"publisher\": false},\n"
        "                  \"cache\": true\n"
        "                }\n"
        "              ]\n"
        "            }\n"
        "          ]\n"
        "        }\n"
        "      ],\n"
        "      \"transports\": [\n"
        "        {\n"
        "          \"type\": \"web\",\n"
        "          \"endpoint\": {\"type\": \"tcp\", \"interface\": \"127.0.0.1\", \"port\": "
        "8080},\n"
        "          \"paths\": {\n"
        "            \"ws\": {\"type\": \"websocket\", \"serializers\": [\"json\", \"msgpack\"]},\n"
        "            \"publish\": {\"type\": \"publisher\", \"realm\": \"realm1\", \"role\": "
        "\"anonymous\"},\n"
        "            \"call\": {\"type\": \"caller\", \"realm\": \"realm1\", \"role\": "
        "\"anonymous\"}\n"
        "          }\n"
        "        }\n"
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n";

const char *wd_config_default_json(void)
{
	return default_json;
}
