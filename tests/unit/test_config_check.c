/* Unit tests for config/: locate, load, check (every error with its key path) and build
 * (Crossbar's defaults). Runs with the repository root as working directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "protocol/codec.h"
#include "protocol/error.h"

#define CONFIGS "tests/unit/configs/"

/* Documents are written with single quotes to stay readable; this swaps them for double
 * quotes (no test document needs a literal single quote). */
static json_t *parse_sq(const char *text)
{
	char *s = strdup(text);
	json_error_t je;
	json_t *doc;
	size_t i;
	assert_non_null(s);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '\'')
			s[i] = '"';
	doc = json_loads(s, JSON_DECODE_ANY, &je);
	if (doc == NULL)
		fail_msg("test document does not parse: %s (%s)", je.text, s);
	free(s);
	return doc;
}

static json_t *load(const char *path)
{
	char err[512];
	json_t *doc = NULL;
	if (wd_config_load_file(path, &doc, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return doc;
}

static void print_errors(const struct wd_config_errors *e)
{
	size_t i;
	for (i = 0; i < e->n; i++)
		print_message("  %s\n", e->lines[i]);
}

static void assert_valid(const json_t *doc)
{
	struct wd_config_errors e = {0};
	size_t n = wd_config_check(doc, &e);
	if (n != 0) {
		print_errors(&e);
		fail_msg("expected a valid document, got %zu errors", n);
	}
	wd_config_errors_free(&e);
}

static struct wd_config *build_ok(const json_t *doc)
{
	struct wd_config *c = NULL;
	assert_valid(doc);
	assert_int_equal(wd_config_build(doc, &c), 0);
	assert_non_null(c);
	return c;
}

static void setup_env(void)
{
	setenv("WD_TEST_FULL_PORT", "8080", 1);
	setenv("WD_TEST_BAD_PORT", "http", 1);
	setenv("WD_TEST_BIG_PORT", "65536", 1);
	unsetenv("WD_TEST_UNSET_PORT");
}

/* --- good documents -------------------------------------------------------------------------- */

static void default_json_passes_check(void **state)
{
	json_t *doc = parse_sq(wd_config_default_json());
	assert_valid(doc);
	json_decref(doc);
}

static void init_json_passes_check(void **state)
{
	json_t *doc = parse_sq(wd_config_init_json());
	const char *text = wd_config_init_json();
	const char *readme = wd_config_init_web_readme();
	assert_valid(doc);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_equal(readme[strlen(readme) - 1], '\n');
	assert_string_equal(
	        json_string_value(json_object_get(doc, "$schema")),
	        "https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json");
	json_decref(doc);
}

static void full_config_with_every_accepted_key_passes(void **state)
{
	json_t *doc;
	setup_env();
	doc = load(CONFIGS "full.json");
	assert_valid(doc);
	json_decref(doc);
}

static void crossbar_extra_realm_and_role_keys_pass(void **state)
{
	json_t *doc = load(CONFIGS "crossbar_extra_keys.json");
	assert_valid(doc);
	json_decref(doc);
}

/* Crossbar's own `crossbar init` config passes as it is: its rawsocket transport, "/" static
 * path, "ws" path with compression, pings and timeouts, and "info" nodeinfo path. */
static void crossbar_init_template_passes(void **state)
{
	json_t *doc = load(CONFIGS "crossbar_init_template.json");
	(void)state;
	assert_valid(doc);
	json_decref(doc);
}

/* --- bad documents: doc -> its first error line --------------------------------------------- */

#define W(x) "{'version':2,'workers':[{'type':'router'," x "}]}"
#define T(x) W("'transports':[" x "]")
#define R(x) W("'realms':[" x "]")
#define EP(x) T("{'type':'websocket','endpoint':" x "}")
#define WSO(x) T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'options':" x "}")
#define WEB(x) T("{'type':'web','endpoint':{'type':'tcp','port':8080}," x "}")
#define PATHS(x) WEB("'paths':" x)
#define DEFLATE(x) WSO("{'compression':{'deflate':" x "}}")
#define ROLE(x) R("{'name':'realm1','roles':[" x "]}")
#define PERM(x) ROLE("{'name':'r1','permissions':[" x "]}")

#define AUTH(x) T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'auth':" x "}")

#define P_T "workers[0].transports[0]"
#define P_AUTH P_T ".auth"
#define P_EP P_T ".endpoint"
#define P_WSO P_T ".options"
#define P_DEFLATE P_WSO ".compression.deflate"
#define P_R "workers[0].realms[0]"
#define P_ROLE P_R ".roles[0]"
#define P_PERM P_ROLE ".permissions[0]"
#define PORT_MSG "expected an integer 1..65535 or \"$VAR\""
#define MS_MSG "expected 0 or an integer 1000..4294967295 (milliseconds)"
#define ID_MSG "expected an id matching ^[a-z][a-z0-9_]{2,63}$"

struct bad_case {
	const char *doc;
	const char *first_error;
};

static const struct bad_case bad_cases[] = {
        /* top level */
        {"[]", "(root): expected an object, got a list"},
        {"'config'", "(root): expected an object, got \"config\""},
        {"{}", "version: required key is missing; a config without it is version 1: configuration "
               "too old, current is 2 - please upgrade using 'crossbar upgrade'"},
        {"{'version':1,'workers':[]}", "version: configuration too old: version 1, while current "
                                       "is 2 - please upgrade using 'crossbar upgrade'"},
        {"{'version':3}", "version: expected the integer 2, got 3"},
        {"{'version':'2'}", "version: expected the integer 2, got \"2\""},
        {"{'version':2.0}", "version: expected the integer 2, got 2.0"},
        {"{'version':2,'foo':1}", "foo: unknown key"},
        {"{'version':2,'$schema':1}", "$schema: expected a string, got 1"},
        {"{'version':2,'workers':{}}", "workers: expected a list, got an object"},
        {"{'version':2,'workers':[7]}", "workers[0]: expected an object, got 7"},
        /* controller */
        {"{'version':2,'controller':[]}", "controller: expected an object, got a list"},
        {"{'version':2,'controller':{'foo':1}}", "controller.foo: unknown key"},
        {"{'version':2,'controller':{'id':'N1'}}", "controller.id: " ID_MSG ", got \"N1\""},
        {"{'version':2,'controller':{'options':{'title':5}}}",
         "controller.options.title: expected a string, got 5"},
        {"{'version':2,'controller':{'options':{'shutdown':['shutdown_on_worker_exit','never']}}}",
         "controller.options.shutdown[1]: expected one of \"shutdown_on_shutdown_requested\", "
         "\"shutdown_on_worker_exit\", \"shutdown_on_worker_exit_with_error\" or "
         "\"shutdown_on_last_worker_exit\", got \"never\""},
        {"{'version':2,'controller':{'options':{'shutdown':1}}}",
         "controller.options.shutdown: expected a shutdown mode or a list of them, got 1"},
        {"{'version':2,'controller':{'options':{'enable_parallel_worker_start':'yes'}}}",
         "controller.options.enable_parallel_worker_start: expected a boolean, got \"yes\""},
        {"{'version':2,'controller':{'keyring':{'type':'usb'}}}",
         "controller.keyring.type: expected \"file\" or \"hsm\", got \"usb\""},
        {"{'version':2,'controller':{'keyring':{'type':'file','driver':'x'}}}",
         "controller.keyring.driver: unknown key"},
        {"{'version':2,'controller':{'manhole':{'endpoint':{}}}}",
         "controller.manhole.users: required key is missing"},
        {"{'version':2,'controller':{'manhole':{'endpoint':{},'users':[{'user':'a'}]}}}",
         "controller.manhole.users[0].password: required key is missing"},
        /* workers */
        {"{'version':2,'workers':[{}]}", "workers[0].type: required key is missing"},
        {"{'version':2,'workers':[{'type':'container','components':[{'type':'function'}]}]}",
         "workers[0].components[0].type: function components are not supported (they are "
         "Python callables)"},
        {"{'version':2,'workers':[{'type':'container','components':[{'type':'class','classname':"
         "'crossbar.bridge.rest.RESTCallee','realm':'realm1','extra':{'procedure':'a.b',"
         "'baseurl':'http://x/'}}]}]}",
         "workers[0].components[0].transport: required key is missing"},
        {"{'version':2,'workers':[{'type':'guest','executable':'ls'}]}",
         "workers[0].type: worker type \"guest\" is not supported yet"},
        {"{'version':2,'workers':[{'type':'proxy'}]}",
         "workers[0].type: worker type \"proxy\" is not supported yet"},
        {"{'version':2,'workers':[{'type':'websocket-testee'}]}",
         "workers[0].type: worker type \"websocket-testee\" is not supported yet"},
        {"{'version':2,'workers':[{'type':'hostmonitor'}]}",
         "workers[0].type: expected one of \"router\", \"container\", \"guest\", \"proxy\" or "
         "\"websocket-testee\", got \"hostmonitor\""},
        {W("'foo':1"), "workers[0].foo: unknown key"},
        {W("'id':'r'"), "workers[0].id: " ID_MSG ", got \"r\""},
        {W("'components':[{'type':'class','classname':'a.B','realm':'realm1','extra':{}}]"),
         "workers[0].components[0].classname: component class \"a.B\" is not supported (wampd "
         "is not Python: it runs only crossbar.bridge.rest.MessageForwarder and "
         "crossbar.bridge.rest.RESTCallee, natively)"},
        {W("'components':[{'type':'class','classname':'crossbar.bridge.rest.MessageForwarder',"
           "'realm':'realm1','extra':{'subscriptions':[{'topic':'a.b','url':'ftp://x'}]}}]"),
         "workers[0].components[0].extra.subscriptions[0].url: expected an http:// or https:// "
         "URL, got \"ftp://x\""},
        {W("'connections':[{'id':'c1'}]"),
         "workers[0].connections: router connections are not supported yet"},
        {W("'options':{'foo':1}"), "workers[0].options.foo: unknown key"},
        {W("'options':{'disabled':1}"),
         "workers[0].options.disabled: expected a boolean or a string, got 1"},
        {W("'options':{'env':{'inherit':'yes'}}"),
         "workers[0].options.env.inherit: expected a boolean or a list of variable names, got "
         "\"yes\""},
        {W("'options':{'env':{'vars':{'A':1}}}"),
         "workers[0].options.env.vars.A: expected a string, got 1"},
        {W("'options':{'cpu_affinity':[0,'1']}"),
         "workers[0].options.cpu_affinity[1]: expected an integer, got \"1\""},
        {W("'manhole':{'users':[]}"), "workers[0].manhole.endpoint: required key is missing"},
        {W("'realms':{}"), "workers[0].realms: expected a list, got an object"},
        {W("'transports':null"), "workers[0].transports: expected a list, got null"},
        /* realms */
        {R("{}"), P_R ".name: required key is missing"},
        {R("{'name':'ab'}"), P_R ".name: expected a realm name matching "
                                 "^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$, got \"ab\""},
        {R("{'name':'1realm'}"), P_R ".name: expected a realm name matching "
                                     "^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$, got \"1realm\""},
        {R("{'name':'realm 1'}"), P_R ".name: expected a realm name matching "
                                      "^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$, got \"realm 1\""},
        {R("{'name':'realm1','store':{'type':'memory'}}"),
         P_R ".store: realm stores (event history, call queues) are not supported yet"},
        {R("{'name':'realm1','rlinks':[{'id':'link1'}]}"),
         P_R ".rlinks: router-to-router links are not supported yet"},
        {R("{'name':'realm1','inventory':{'type':'wamp.eth'}}"),
         P_R ".inventory: realm type inventories are not supported yet"},
        {R("{'name':'realm1','stats':{'trigger_on_join':true}}"),
         P_R ".stats: realm statistics (wamp.session.on_stats) are not supported yet"},
        {R("{'name':'realm1','options':{'uri_check':'medium'}}"),
         P_R ".options.uri_check: expected \"strict\" or \"loose\", got \"medium\""},
        {R("{'name':'realm1','options':{'event_dispatching_chunk_size':0}}"),
         P_R ".options.event_dispatching_chunk_size: expected an integer >= 1, got 0"},
        {R("{'name':'realm1','options':{'enable_meta_api':'yes'}}"),
         P_R ".options.enable_meta_api: expected a boolean, got \"yes\""},
        {R("{'name':'realm1','options':{'foo':1}}"), P_R ".options.foo: unknown key"},
        {R("{'name':'realm1','options':[]}"), P_R ".options: expected an object, got a list"},
        {R("{'name':'realm1','roles':{}}"), P_R ".roles: expected a list, got an object"},
        /* roles */
        {ROLE("{}"), P_ROLE ".name: required key is missing"},
        {ROLE("'anonymous'"), P_ROLE ": expected an object, got \"anonymous\""},
        {ROLE("{'name':'r1','authorizer':'com.example.authorize','permissions':[]}"),
         P_ROLE ": can't specify both 'authorizer' and 'permissions' at once"},
        {ROLE("{'name':'r1','authorizer':'com.example..authorize'}"),
         P_ROLE ".authorizer: expected a procedure URI (strict, no empty components), got "
                "\"com.example..authorize\""},
        {ROLE("{'name':'r1','authorizer':5}"),
         P_ROLE ".authorizer: expected a procedure URI (strict, no empty components), got 5"},
        {ROLE("{'name':'r1','allow-by-default':1}"),
         P_ROLE ".allow-by-default: expected a boolean, got 1"},
        {ROLE("{'name':'r1','permissions':{}}"),
         P_ROLE ".permissions: expected a list, got an object"},
        /* permissions */
        {PERM("{}"), P_PERM ".uri: required key is missing"},
        {PERM("{'uri':'com.a b'}"),
         P_PERM ".uri: expected a URI pattern without whitespace or '#', got \"com.a b\""},
        {PERM("{'uri':'com.#'}"),
         P_PERM ".uri: expected a URI pattern without whitespace or '#', got \"com.#\""},
        {PERM("{'uri':'com.\\u3000x'}"), P_PERM
         ".uri: expected a URI pattern without whitespace or '#', got \"com.\xe3\x80\x80x\""},
        {PERM("{'uri':null}"),
         P_PERM ".uri: expected a URI pattern without whitespace or '#', got null"},
        {PERM("{'uri':'com.a','match':'regex'}"),
         P_PERM ".match: expected one of \"exact\", \"prefix\" or \"wildcard\", got \"regex\""},
        {PERM("{'uri':'com.a','allow':{'call':1}}"),
         P_PERM ".allow.call: expected a boolean, got 1"},
        {PERM("{'uri':'com.a','allow':{'read':true}}"), P_PERM ".allow.read: unknown key"},
        {PERM("{'uri':'com.a','allow':{'x y':true}}"), P_PERM ".allow[\"x y\"]: unknown key"},
        {PERM("{'uri':'com.a','disclose':{'callee':true}}"),
         P_PERM ".disclose.callee: unknown key"},
        {PERM("{'uri':'com.a','cache':'yes'}"), P_PERM ".cache: expected a boolean, got \"yes\""},
        {PERM("{'uri':'com.a','validate':{'call':'uint256_t'}}"),
         P_PERM ".validate: payload validation is not supported yet"},
        {PERM("{'uri':'com.a','call':true}"), P_PERM ".call: unknown key"},
        /* transports */
        {T("{}"), P_T ".type: required key is missing"},
        {T("{'type':'rawsocket','endpoint':{'type':'tcp','port':8081},'options':{'max_message_size':0}}"),
         P_T ".options.max_message_size: expected an integer 1..67108864, got 0"},
        {T("{'type':'rawsocket','endpoint':{'type':'tcp','port':8081},'options':{'auto_ping_size':12}}"),
         P_T ".options.auto_ping_size: unknown key"},
        {T("{'type':'rawsocket','endpoint':{'type':'tcp','port':8081},'cookie':{}}"),
         P_T ".cookie: unknown key"},
        {T("{'type':'universal'}"), P_T ".type: transport type \"universal\" is not supported yet"},
        {T("{'type':'mqtt'}"), P_T ".type: transport type \"mqtt\" is not supported yet"},
        {T("{'type':'flashpolicy'}"),
         P_T ".type: transport type \"flashpolicy\" is not supported yet"},
        {T("{'type':'http'}"),
         P_T ".type: expected one of \"web\", \"websocket\", \"rawsocket\", \"universal\", "
             "\"mqtt\", \"flashpolicy\", \"websocket.testee\" or \"stream.testee\", got \"http\""},
        {T("{'type':'websocket'}"), P_T ".endpoint: required key is missing"},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'paths':{}}"),
         P_T ".paths: unknown key"},
        {T("{'type':'websocket','id':'WS','endpoint':{'type':'tcp','port':8080}}"),
         P_T ".id: " ID_MSG ", got \"WS\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'auth':{'anonymous':{}}}"),
         P_T ".auth.anonymous.type: required key is missing"},
        /* transport auth (issue 4) */
        {AUTH("[]"), P_AUTH ": expected an object, got a list"},
        {AUTH("{'password':{}}"), P_AUTH ".password: unknown key"},
        {AUTH("{'cookie':{}}"), P_AUTH ".cookie: cookie authentication is not supported yet"},
        {AUTH("{'tls':{'type':'static'}}"),
         P_AUTH ".tls: TLS client certificate authentication is not supported yet"},
        {AUTH("{'scram':{'type':'static'}}"), P_AUTH ".scram: WAMP-SCRAM is not supported yet"},
        {AUTH("{'cryptosign-proxy':{'type':'static'}}"),
         P_AUTH ".cryptosign-proxy: proxy authentication (cryptosign-proxy) is not supported yet"},
        {AUTH("{'anonymous-proxy':{'type':'static'}}"),
         P_AUTH ".anonymous-proxy: proxy authentication (anonymous-proxy) is not supported yet"},
        {AUTH("{'anonymous':{'type':'open'}}"),
         P_AUTH ".anonymous.type: expected \"static\" or \"dynamic\", got \"open\""},
        {AUTH("{'anonymous':{'type':'function','create':'a.b'}}"),
         P_AUTH ".anonymous.type: authenticators of type \"function\" (Python callables) are "
                "not supported"},
        {AUTH("{'anonymous':{'type':'static','role':5}}"),
         P_AUTH ".anonymous.role: expected a string, got 5"},
        {AUTH("{'anonymous':{'type':'static','principals':{}}}"),
         P_AUTH ".anonymous.principals: unknown key"},
        {AUTH("{'ticket':{'type':'static'}}"),
         P_AUTH ".ticket.principals: required key is missing"},
        {AUTH("{'ticket':{'type':'static','principals':[]}}"),
         P_AUTH ".ticket.principals: expected an object, got a list"},
        {AUTH("{'ticket':{'type':'static','principals':{'joe':{'role':'user'}}}}"),
         P_AUTH ".ticket.principals.joe.ticket: required key is missing"},
        {AUTH("{'ticket':{'type':'static','principals':{'joe':{'ticket':1}}}}"),
         P_AUTH ".ticket.principals.joe.ticket: expected a string, got 1"},
        {AUTH("{'ticket':{'type':'static','principals':{'joe':{'ticket':'${WD_TEST_UNSET}'}}}}"),
         P_AUTH ".ticket.principals.joe.ticket: environment variable ${WD_TEST_UNSET} is not "
                "set"},
        {AUTH("{'ticket':{'type':'static','principals':{'a b':{'ticket':'x','secret':'y'}}}}"),
         P_AUTH ".ticket.principals[\"a b\"].secret: unknown key"},
        {AUTH("{'ticket':{'type':'dynamic'}}"),
         P_AUTH ".ticket.authenticator: required key is missing"},
        {AUTH("{'ticket':{'type':'dynamic','authenticator':'com.x auth'}}"),
         P_AUTH ".ticket.authenticator: expected a procedure URI (strict, no empty components), "
                "got \"com.x auth\""},
        {AUTH("{'ticket':{'type':'dynamic','authenticator':'com.a','authenticator-realm':'x'}}"),
         P_AUTH ".ticket.authenticator-realm: expected a realm name matching "
                "^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$, got \"x\""},
        {AUTH("{'ticket':{'type':'dynamic','authenticator':'com.a','principals':{}}}"),
         P_AUTH ".ticket.principals: unknown key"},
        {AUTH("{'wampcra':{'type':'static','principals':{}}}"),
         P_AUTH ".wampcra.principals: unknown key"},
        {AUTH("{'wampcra':{'type':'static','users':{'u':{'secret':'s','iterations':0}}}}"),
         P_AUTH ".wampcra.users.u.iterations: expected an integer 1..2147483647, got 0"},
        {AUTH("{'wampcra':{'type':'static','users':{'u':{'secret':'s','keylen':512}}}}"),
         P_AUTH ".wampcra.users.u.keylen: expected an integer 1..256, got 512"},
        {AUTH("{'wampcra':{'type':'static','users':{'u':{'secret':'s','salt':1}}}}"),
         P_AUTH ".wampcra.users.u.salt: expected a string, got 1"},
        {AUTH("{'wampcra':{'type':'static','users':{'u':{'role':'r'}}}}"),
         P_AUTH ".wampcra.users.u.secret: required key is missing"},
        {AUTH("{'cryptosign':{'type':'static','principals':{'c':{'authorized_keys':['00']}}}}"),
         P_AUTH ".cryptosign.principals.c.authorized_keys[0]: expected an Ed25519 public key "
                "(64 hex characters), got \"00\""},
        {AUTH("{'cryptosign':{'type':'static','principals':{'c':{'authorized_keys':[]}}}}"),
         P_AUTH ".cryptosign.principals.c.role: required key is missing"},
        {AUTH("{'cryptosign':{'type':'static','principals':{'c':{'authorized_keys':'ab',"
              "'role':'r'}}}}"),
         P_AUTH ".cryptosign.principals.c.authorized_keys: expected a list, got \"ab\""},
        {AUTH("{'cryptosign':{'type':'static','trustroot':'0x1','principals':{}}}"),
         P_AUTH ".cryptosign.trustroot: cryptosign trustroots (Ethereum certificates) are not "
                "supported yet"},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'cookie':{}}"),
         P_T ".cookie: cookie tracking is not supported yet"},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'debug':'x'}"),
         P_T ".debug: expected a boolean, got \"x\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'url':'http://x/'}"),
         P_T ".url: expected a ws:// or wss:// URL with a host and no fragment, got \"http://x/\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'url':'ws://h/#top'}"),
         P_T ".url: expected a ws:// or wss:// URL with a host and no fragment, got "
             "\"ws://h/#top\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'url':'ws://h:99999'}"),
         P_T ".url: expected a ws:// or wss:// URL with a host and no fragment, got "
             "\"ws://h:99999\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'url':'ws://:80/'}"),
         P_T ".url: expected a ws:// or wss:// URL with a host and no fragment, got \"ws://:80/\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'serializers':'json'}"),
         P_T ".serializers: expected a list, got \"json\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'serializers':[]}"),
         P_T ".serializers: expected a non-empty list"},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'serializers':['json',"
           "'yaml']}"),
         P_T ".serializers[1]: expected one of \"json\", \"msgpack\", \"cbor\", \"ubjson\" or "
             "\"flatbuffers\", got \"yaml\""},
        {T("{'type':'websocket','endpoint':{'type':'tcp','port':8080},'serializers':['cbor',"
           "'ubjson']}"),
         P_T ".serializers: none of these serializers is supported yet (wampd speaks json and "
             "msgpack)"},
        /* endpoints */
        {EP("[]"), P_EP ": expected an object, got a list"},
        {EP("{'port':8080}"), P_EP ".type: required key is missing"},
        {EP("{'type':'unix','path':'/tmp/wampd.sock'}"),
         P_EP ".type: endpoint type \"unix\" is not supported yet"},
        {EP("{'type':'twisted','server_string':'tcp:80'}"),
         P_EP ".type: endpoint type \"twisted\" is not supported yet"},
        {EP("{'type':'onion'}"), P_EP ".type: endpoint type \"onion\" is not supported yet"},
        {EP("{'type':'udp'}"),
         P_EP ".type: expected one of \"tcp\", \"unix\", \"twisted\" or \"onion\", got \"udp\""},
        {EP("{'type':'tcp'}"), P_EP ".port: required key is missing"},
        {EP("{'type':'tcp','port':70000}"), P_EP ".port: " PORT_MSG ", got 70000"},
        {EP("{'type':'tcp','port':0}"), P_EP ".port: " PORT_MSG ", got 0"},
        {EP("{'type':'tcp','port':'8080'}"), P_EP ".port: " PORT_MSG ", got \"8080\""},
        {EP("{'type':'tcp','port':true}"), P_EP ".port: " PORT_MSG ", got true"},
        {EP("{'type':'tcp','port':'${PORT}'}"), P_EP ".port: " PORT_MSG ", got \"${PORT}\""},
        {EP("{'type':'tcp','port':'$WD_TEST_UNSET_PORT'}"),
         P_EP ".port: environment variable $WD_TEST_UNSET_PORT is not set"},
        {EP("{'type':'tcp','port':'$WD_TEST_BAD_PORT'}"),
         P_EP ".port: environment variable $WD_TEST_BAD_PORT holds \"http\", not a port "
              "1..65535"},
        {EP("{'type':'tcp','port':'$WD_TEST_BIG_PORT'}"),
         P_EP ".port: environment variable $WD_TEST_BIG_PORT holds \"65536\", not a port "
              "1..65535"},
        {EP("{'type':'tcp','portrange':[8000,8100]}"),
         P_EP ".portrange: port ranges are not supported yet"},
        {EP("{'type':'tcp','port':443,'tls':{'key':'k.pem','certificate':'c.pem'}}"),
         P_EP ".tls: TLS is not supported yet"},
        {EP("{'type':'tcp','port':8080,'version':5}"), P_EP ".version: expected 4 or 6, got 5"},
        {EP("{'type':'tcp','port':8080,'backlog':0}"),
         P_EP ".backlog: expected an integer 1..65535, got 0"},
        {EP("{'type':'tcp','port':8080,'shared':'yes'}"),
         P_EP ".shared: expected a boolean, got \"yes\""},
        {EP("{'type':'tcp','port':8080,'interface':127}"),
         P_EP ".interface: expected a string, got 127"},
        {EP("{'type':'tcp','port':8080,'user_timeout':-1}"),
         P_EP ".user_timeout: expected an integer 0..65535, got -1"},
        {EP("{'type':'tcp','port':8080,'host':'localhost'}"), P_EP ".host: unknown key"},
        /* WebSocket options */
        {WSO("[]"), P_WSO ": expected an object, got a list"},
        {WSO("{'foo':1}"), P_WSO ".foo: unknown key"},
        {WSO("{'open_handshake_timeout':500}"),
         P_WSO ".open_handshake_timeout: " MS_MSG ", got 500"},
        {WSO("{'close_handshake_timeout':-1}"),
         P_WSO ".close_handshake_timeout: " MS_MSG ", got -1"},
        {WSO("{'auto_ping_interval':2.5}"), P_WSO ".auto_ping_interval: " MS_MSG ", got 2.5"},
        {WSO("{'auto_ping_timeout':'5s'}"), P_WSO ".auto_ping_timeout: " MS_MSG ", got \"5s\""},
        {WSO("{'auto_ping_size':11}"),
         P_WSO ".auto_ping_size: expected an integer 12..125, got 11"},
        {WSO("{'auto_ping_size':126}"),
         P_WSO ".auto_ping_size: expected an integer 12..125, got 126"},
        {WSO("{'max_message_size':0}"),
         P_WSO ".max_message_size: expected an integer 1..67108864, got 0"},
        {WSO("{'max_message_size':67108865}"),
         P_WSO ".max_message_size: expected an integer 1..67108864, got 67108865"},
        {WSO("{'max_frame_size':-1}"),
         P_WSO ".max_frame_size: expected an integer 0..4294967295, got -1"},
        {WSO("{'allowed_origins':'*'}"), P_WSO ".allowed_origins: expected a list, got \"*\""},
        {WSO("{'allowed_origins':[1]}"), P_WSO ".allowed_origins[0]: expected a string, got 1"},
        {WSO("{'external_port':0}"), P_WSO ".external_port: expected an integer 1..65535, got 0"},
        {WSO("{'require_websocket_subprotocol':'no'}"),
         P_WSO ".require_websocket_subprotocol: expected a boolean, got \"no\""},
        {WSO("{'enable_rfc6455':false}"),
         P_WSO ".enable_rfc6455: turning RFC 6455 off is not supported (wampd speaks only RFC "
               "6455)"},
        {WSO("{'mask_server_frames':true}"),
         P_WSO ".mask_server_frames: masked server frames are not supported (frames are shared "
               "between receivers)"},
        {WSO("{'compression':true}"), P_WSO ".compression: expected an object, got true"},
        {WSO("{'compression':{'gzip':{}}}"), P_WSO ".compression.gzip: unknown key"},
        {DEFLATE("{'memory_level':10}"),
         P_DEFLATE ".memory_level: expected an integer 1..9, got 10"},
        {DEFLATE("{'max_window_bits':16}"),
         P_DEFLATE ".max_window_bits: expected an integer 9..15, got 16"},
        {DEFLATE("{'request_max_window_bits':8}"),
         P_DEFLATE ".request_max_window_bits: expected 0 or an integer 9..15, got 8"},
        {DEFLATE("{'no_context_takeover':1}"),
         P_DEFLATE ".no_context_takeover: expected a boolean, got 1"},
        {DEFLATE("{'level':1}"), P_DEFLATE ".level: unknown key"},
        /* web transports and path services */
        {T("{'type':'web','endpoint':{'type':'tcp','port':8080}}"),
         P_T ".paths: required key is missing"},
        {PATHS("[]"), P_T ".paths: expected an object, got a list"},
        {PATHS("{'a/b':{'type':'websocket'}}"), P_T
         ".paths[\"a/b\"]: invalid path: must match ^([a-z0-9A-Z_\\-]+|/)$ (one segment; deeper "
         "paths need a \"path\" service)"},
        {PATHS("{'':{'type':'websocket'}}"),
         P_T ".paths[\"\"]: invalid path: must match ^([a-z0-9A-Z_\\-]+|/)$ (one segment; deeper "
             "paths need a \"path\" service)"},
        {PATHS("{'/':{'type':'static','package':'p','resource':'r'}}"),
         P_T ".paths[\"/\"].package: serving Python package resources is not supported (use "
             "\"directory\")"},
        {PATHS("{'info':{'type':'nodeinfo','x':1}}"), P_T ".paths.info.x: unknown key"},
        {PATHS("{'publish':{'type':'publisher','realm':'realm1','role':'anonymous',"
               "'options':{'post_body_limit':2000000}}}"),
         P_T ".paths.publish.options.post_body_limit: expected an integer 0..1048576, got "
             "2000000"},
        {PATHS("{'call':{'type':'caller','realm':'realm1','role':'anonymous','options':{"
               "'secret':'s'}}}"),
         P_T ".paths.call.options.key: required when \"secret\" is set (signed requests name "
             "their key)"},
        {PATHS("{'call':{'type':'caller','realm':'realm1','role':'anonymous','options':{"
               "'require_ip':['10.0.0.0/33']}}}"),
         P_T ".paths.call.options.require_ip[0]: expected an IP network (\"127.0.0.1\", "
             "\"10.0.0.0/8\", \"::1\"), got \"10.0.0.0/33\""},
        {PATHS("{'hook':{'type':'webhook'}}"), P_T ".paths.hook.realm: required key is missing"},
        {PATHS("{'proxy':{'type':'websocket-reverseproxy'}}"),
         P_T ".paths.proxy.type: web service type \"websocket-reverseproxy\" is not supported yet"},
        {PATHS("{'x':{'type':'ftp'}}"), P_T ".paths.x.type: unknown web service type \"ftp\""},
        {PATHS("{'x':{'type':5}}"), P_T ".paths.x.type: expected a string, got 5"},
        {PATHS("{'ws':{}}"), P_T ".paths.ws.type: required key is missing"},
        {PATHS("{'ws':'websocket'}"), P_T ".paths.ws: expected an object, got \"websocket\""},
        {PATHS("{'ws':{'type':'websocket','endpoint':{}}}"), P_T ".paths.ws.endpoint: unknown key"},
        {PATHS("{'ws':{'type':'websocket','auth':{'anonymous':{'type':'static','x':1}}}}"),
         P_T ".paths.ws.auth.anonymous.x: unknown key"},
        {PATHS("{'ws':{'type':'websocket','cookie':{'name':'cbtid'}}}"),
         P_T ".paths.ws.cookie: cookie tracking is not supported yet"},
        {PATHS("{'ws':{'type':'websocket','id':'W'}}"), P_T ".paths.ws.id: " ID_MSG ", got \"W\""},
        {PATHS("{'ws':{'type':'websocket','options':{'auto_ping_size':200}}}"),
         P_T ".paths.ws.options.auto_ping_size: expected an integer 12..125, got 200"},
        {PATHS("{'ws':{'type':'websocket','serializers':['json','bson']}}"),
         P_T ".paths.ws.serializers[1]: expected one of \"json\", \"msgpack\", \"cbor\", "
             "\"ubjson\" or \"flatbuffers\", got \"bson\""},
        {WEB("'paths':{},'options':{'gzip':true}"), P_T ".options.gzip: unknown key"},
        {WEB("'paths':{},'options':{'client_timeout':0}"),
         P_T ".options.client_timeout: expected an integer 1..86400, got 0"},
        {WEB("'paths':{},'options':{'hsts_max_age':-1}"),
         P_T ".options.hsts_max_age: expected an integer >= 0, got -1"},
        {WEB("'paths':{},'options':{'access_log':1}"),
         P_T ".options.access_log: expected a boolean, got 1"},
        {WEB("'paths':{},'serializers':['json']"), P_T ".serializers: unknown key"},
        /* realms across workers */
        {"{'version':2,'workers':[{'type':'router','realms':[{'name':'realm1'}]},"
         "{'type':'router','realms':[{'name':'realm1'}]}]}",
         "workers[1].realms[0].name: realm \"realm1\" is already defined at workers[0].realms[0]"},
        {R("{'name':'realm1'},{'name':'realm2'},{'name':'realm1'}"),
         "workers[0].realms[2].name: realm \"realm1\" is already defined at workers[0].realms[0]"},
};

static void bad_documents_report_their_key_path(void **state)
{
	size_t i, failures = 0;
	setup_env();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct wd_config_errors e = {0};
		json_t *doc = parse_sq(bad_cases[i].doc);
		size_t n = wd_config_check(doc, &e);
		if (n == 0 || e.n != n || strcmp(e.lines[0], bad_cases[i].first_error) != 0) {
			print_message("case %zu: %s\n  want: %s\n  got (%zu):\n", i,
			              bad_cases[i].doc, bad_cases[i].first_error, n);
			print_errors(&e);
			failures++;
		}
		wd_config_errors_free(&e);
		json_decref(doc);
	}
	assert_int_equal(failures, 0);
}

/* The walk goes on after an error: every problem is reported, in document order, with the
 * missing required keys of an object after its other errors. */
static void every_error_is_reported(void **state)
{
	static const char *const want[] = {
	        "controller.bogus: unknown key",
	        "workers[0].realms[0].name: expected a realm name matching "
	        "^[A-Za-z][A-Za-z0-9_\\-@.]{2,254}$, got \"r\"",
	        "workers[0].realms[0].roles[0].permissions[0].allow.call: expected a boolean, got "
	        "\"yes\"",
	        "workers[0].realms[0].roles[0].permissions[1].uri: required key is missing",
	        "workers[0].transports[0].endpoint: required key is missing",
	        "workers[0].transports[1].endpoint.port: expected an integer 1..65535 or \"$VAR\", "
	        "got 0",
	        "workers[0].transports[1].options.auto_ping_size: expected an integer 12..125, got "
	        "1",
	        "workers[0].transports[1].options.open_handshake_timeout: expected 0 or an integer "
	        "1000..4294967295 (milliseconds), got 10",
	        "workers[0].transports[2].pathz: unknown key",
	        "workers[0].transports[2].paths: required key is missing",
	        "workers[1].type: worker type \"guest\" is not supported yet",
	};
	struct wd_config_errors e = {0};
	json_t *doc =
	        parse_sq("{'version':2,'controller':{'bogus':true},'workers':[{'type':'router',"
	                 "'realms':[{'name':'r','roles':[{'name':'x','permissions':[{'uri':'a',"
	                 "'allow':{'call':'yes'}},{'match':'exact'}]}]}],"
	                 "'transports':[{'type':'rawsocket'},"
	                 "{'type':'websocket','endpoint':{'type':'tcp','port':0},"
	                 "'options':{'auto_ping_size':1,'open_handshake_timeout':10}},"
	                 "{'type':'web','endpoint':{'type':'tcp','port':80},"
	                 "'pathz':{'ws':{'type':'websocket','serializers':['xml']}}}]},"
	                 "{'type':'guest'}]}");
	size_t i, n = wd_config_check(doc, &e);
	print_errors(&e);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_int_equal(e.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(e.lines[i], want[i]);
	wd_config_errors_free(&e);
	json_decref(doc);
}

static void unknown_keys_are_quoted_in_paths(void **state)
{
	struct wd_config_errors e = {0};
	json_t *doc = parse_sq("{'version':2,'controller':{'a\\\"b\\\\c\\n':1}}");
	assert_int_equal(wd_config_check(doc, &e), 1);
	assert_string_equal(e.lines[0], "controller[\"a\\\"b\\\\c\\u000a\"]: unknown key");
	wd_config_errors_free(&e);
	json_decref(doc);
}

static void wrong_version_stops_the_walk(void **state)
{
	struct wd_config_errors e = {0};
	json_t *doc = parse_sq("{'workers':[{'type':'router','realms':[{'name':'x'}]}]}");
	assert_int_equal(wd_config_check(doc, &e), 1);
	assert_non_null(strstr(e.lines[0], "version: required key is missing"));
	wd_config_errors_free(&e);
	json_decref(doc);
}

static void null_document_is_an_error(void **state)
{
	struct wd_config_errors e = {0};
	assert_int_equal(wd_config_check(NULL, &e), 1);
	assert_string_equal(e.lines[0], "(root): expected an object, got nothing");
	wd_config_errors_free(&e);
	wd_config_errors_free(&e); /* idempotent */
	wd_config_errors_free(NULL);
}

static void realms_of_disabled_workers_may_repeat(void **state)
{
	json_t *doc;
	struct wd_config *c;
	setenv("WD_TEST_DISABLE", "yes", 1);
	unsetenv("WD_TEST_NOT_SET");
	doc = parse_sq(
	        "{'version':2,'workers':["
	        "{'type':'router','options':{'disabled':true},'realms':[{'name':'realm1'}]},"
	        "{'type':'router','options':{'disabled':'${WD_TEST_DISABLE}'},"
	        "'realms':[{'name':'realm1'}]},"
	        "{'type':'router','options':{'disabled':'${WD_TEST_NOT_SET}'},"
	        "'realms':[{'name':'realm1'}],"
	        "'transports':[{'type':'websocket','endpoint':{'type':'tcp','port':9}}]},"
	        "{'type':'router','options':{'disabled':''},'realms':[{'name':'realm2'}]}]}");
	c = build_ok(doc);
	assert_int_equal(c->n_realms, 2);
	assert_string_equal(c->realms[0].name, "realm1");
	assert_string_equal(c->realms[1].name, "realm2");
	assert_int_equal(c->n_transports, 1);
	assert_int_equal(c->transports[0].endpoint.port, 9);
	wd_config_free(c);
	json_decref(doc);
}

/* --- build ----------------------------------------------------------------------------------- */

static void build_applies_crossbar_defaults(void **state)
{
	json_t *doc = parse_sq(
	        "{'version':2,'workers':[{'type':'router','realms':[{'name':'realm1','roles':["
	        "{'name':'anonymous','permissions':[{'uri':'com.x','allow':{'call':true}}]},"
	        "{'name':'nobody'}]}],"
	        "'transports':[{'type':'websocket','endpoint':{'type':'tcp','port':8080}},"
	        "{'type':'websocket','endpoint':{'type':'tcp','port':8081,'version':6,"
	        "'interface':''}}]}]}");
	struct wd_config *c = build_ok(doc);
	const struct wd_transport_cfg *t = &c->transports[0];
	const struct wd_service_cfg *s = &t->services[0];
	const struct wd_realm_cfg *r = &c->realms[0];
	assert_int_equal(c->n_realms, 1);
	assert_string_equal(r->name, "realm1");
	assert_false(r->uri_check_strict);
	assert_true(r->enable_meta_api);
	assert_int_equal(r->n_roles, 2);
	assert_string_equal(r->roles[0].name, "anonymous");
	assert_null(r->roles[0].authorizer);
	assert_false(r->roles[0].allow_by_default);
	assert_int_equal(r->roles[0].n_perms, 1);
	assert_string_equal(r->roles[0].perms[0].uri, "com.x");
	assert_int_equal(r->roles[0].perms[0].match, WD_MATCH_EXACT);
	assert_true(r->roles[0].perms[0].allow_call);
	assert_false(r->roles[0].perms[0].allow_register);
	assert_false(r->roles[0].perms[0].allow_publish);
	assert_false(r->roles[0].perms[0].allow_subscribe);
	assert_false(r->roles[0].perms[0].disclose_caller);
	assert_false(r->roles[0].perms[0].disclose_publisher);
	assert_false(r->roles[0].perms[0].cache);
	assert_int_equal(r->roles[1].n_perms, 0);
	assert_false(r->roles[1].allow_by_default);

	assert_int_equal(c->n_transports, 2);
	assert_int_equal(t->type, WD_TRANSPORT_WEBSOCKET);
	assert_null(t->id);
	assert_string_equal(t->endpoint.interface, "0.0.0.0");
	assert_int_equal(t->endpoint.port, 8080);
	assert_int_equal(t->endpoint.backlog, 50);
	assert_int_equal(t->endpoint.version, 4);
	assert_false(t->endpoint.shared);
	assert_false(t->access_log);
	assert_int_equal(t->client_timeout_s, 0);
	assert_int_equal(t->n_services, 1);
	assert_string_equal(s->path, "");
	assert_int_equal(s->type, WD_SERVICE_WEBSOCKET);
	assert_int_equal(s->n_serializers, 2);
	assert_int_equal(s->serializers[0], WD_CODEC_JSON);
	assert_int_equal(s->serializers[1], WD_CODEC_MSGPACK);
	assert_int_equal(s->ws.max_message_size, 0);
	assert_int_equal(s->ws.max_frame_size, 0);
	assert_int_equal(s->ws.n_allowed_origins, 1);
	assert_string_equal(s->ws.allowed_origins[0], "*");
	assert_true(s->ws.allow_null_origin);
	assert_true(s->ws.require_websocket_subprotocol);
	assert_true(s->ws.enable_webstatus);
	assert_int_equal(s->ws.auto_ping_interval_ms, 0);
	assert_int_equal(s->ws.auto_ping_timeout_ms, 0);
	assert_int_equal(s->ws.auto_ping_size, 12);
	assert_int_equal(s->ws.open_handshake_timeout_ms, 0);
	assert_int_equal(s->ws.close_handshake_timeout_ms, 0);
	assert_int_equal(s->ws.auto_fragment_size, 0);
	assert_true(s->ws.auto_ping_restart_on_any_traffic);
	assert_false(s->ws.fail_by_drop);
	assert_false(s->ws.echo_close_codereason);
	assert_true(s->ws.tcp_nodelay);
	assert_true(s->ws.validate_utf8);
	assert_false(s->ws.show_server_version);
	assert_int_equal(s->ws.external_port, 0);

	assert_string_equal(c->transports[1].endpoint.interface, "::");
	assert_int_equal(c->transports[1].endpoint.version, 6);
	wd_config_free(c);
	json_decref(doc);
}

struct starred_case {
	const char *perm;
	const char *uri;
	enum wd_match match;
};

static void build_converts_starred_uris(void **state)
{
	static const struct starred_case cases[] = {
	        {"{'uri':'com.example.add2'}", "com.example.add2", WD_MATCH_EXACT},
	        {"{'uri':'com.example.*'}", "com.example.", WD_MATCH_PREFIX},
	        {"{'uri':'com.example*'}", "com.example", WD_MATCH_PREFIX},
	        {"{'uri':'*'}", "", WD_MATCH_PREFIX},
	        {"{'uri':''}", "", WD_MATCH_PREFIX},
	        {"{'uri':'com.*.ping'}", "com..ping", WD_MATCH_WILDCARD},
	        {"{'uri':'com.*.*'}", "com..", WD_MATCH_WILDCARD},
	        {"{'uri':'*.ping'}", ".ping", WD_MATCH_WILDCARD},
	        {"{'uri':'*.*'}", ".", WD_MATCH_WILDCARD},
	        /* an explicit match keeps the URI as written */
	        {"{'uri':'com.*','match':'prefix'}", "com.*", WD_MATCH_PREFIX},
	        {"{'uri':'com.x','match':'prefix'}", "com.x", WD_MATCH_PREFIX},
	        {"{'uri':'com..x','match':'wildcard'}", "com..x", WD_MATCH_WILDCARD},
	        {"{'uri':'','match':'exact'}", "", WD_MATCH_EXACT},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		json_t *doc;
		struct wd_config *c;
		snprintf(text, sizeof(text), PERM("%s"), cases[i].perm);
		doc = parse_sq(text);
		c = build_ok(doc);
		assert_int_equal(c->realms[0].roles[0].n_perms, 1);
		if (strcmp(c->realms[0].roles[0].perms[0].uri, cases[i].uri) != 0 ||
		    c->realms[0].roles[0].perms[0].match != cases[i].match)
			fail_msg("%s: got \"%s\" match %d", cases[i].perm,
			         c->realms[0].roles[0].perms[0].uri,
			         c->realms[0].roles[0].perms[0].match);
		wd_config_free(c);
		json_decref(doc);
	}
}

static void build_resolves_port_from_environment(void **state)
{
	static const char *const values[] = {"9123", " +9123 ", "09123"};
	size_t i;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		json_t *doc = parse_sq(EP("{'type':'tcp','port':'$WD_TEST_PORT'}"));
		struct wd_config *c;
		setenv("WD_TEST_PORT", values[i], 1);
		c = build_ok(doc);
		assert_int_equal(c->transports[0].endpoint.port, 9123);
		wd_config_free(c);
		/* A variable that went away between check and build fails the build. */
		unsetenv("WD_TEST_PORT");
		assert_int_equal(wd_config_build(doc, &c), WD_EINVAL);
		assert_null(c);
		json_decref(doc);
	}
}

static void resolve_port_accepts_integers_and_env_names(void **state)
{
	uint16_t port = 0;
	json_t *v;
	setenv("WD_TEST_PORT", "65535", 1);
	v = json_integer(1);
	assert_int_equal(wd_config_resolve_port(v, &port), 0);
	assert_int_equal(port, 1);
	json_decref(v);
	v = json_string("$WD_TEST_PORT");
	assert_int_equal(wd_config_resolve_port(v, &port), 0);
	assert_int_equal(port, 65535);
	json_decref(v);
	v = json_string("$WD-TEST");
	assert_int_equal(wd_config_resolve_port(v, &port), WD_EINVAL);
	json_decref(v);
	v = json_string("$");
	assert_int_equal(wd_config_resolve_port(v, &port), WD_EINVAL);
	json_decref(v);
	v = json_string("$WD_TEST_UNSET_PORT");
	unsetenv("WD_TEST_UNSET_PORT");
	assert_int_equal(wd_config_resolve_port(v, &port), WD_ENOTFOUND);
	json_decref(v);
	v = json_real(80.0);
	assert_int_equal(wd_config_resolve_port(v, &port), WD_EINVAL);
	json_decref(v);
}

static void build_keeps_json_and_msgpack_in_configured_order(void **state)
{
	static const struct {
		const char *list;
		size_t n;
		int first, second;
	} cases[] = {
	        {"['cbor','msgpack','json']", 2, WD_CODEC_MSGPACK, WD_CODEC_JSON},
	        {"['json','json','msgpack','msgpack']", 2, WD_CODEC_JSON, WD_CODEC_MSGPACK},
	        {"['flatbuffers','json','ubjson']", 1, WD_CODEC_JSON, -1},
	        {"['msgpack']", 1, WD_CODEC_MSGPACK, -1},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		json_t *doc;
		struct wd_config *c;
		const struct wd_service_cfg *s;
		snprintf(text, sizeof(text), PATHS("{'ws':{'type':'websocket','serializers':%s}}"),
		         cases[i].list);
		doc = parse_sq(text);
		c = build_ok(doc);
		s = &c->transports[0].services[0];
		assert_int_equal(s->n_serializers, cases[i].n);
		assert_int_equal(s->serializers[0], cases[i].first);
		if (cases[i].n > 1)
			assert_int_equal(s->serializers[1], cases[i].second);
		wd_config_free(c);
		json_decref(doc);
	}
}

static void build_default_json(void **state)
{
	json_t *doc = parse_sq(wd_config_default_json());
	struct wd_config *c = build_ok(doc);
	const struct wd_transport_cfg *t;
	assert_int_equal(c->n_realms, 1);
	assert_string_equal(c->realms[0].name, "realm1");
	assert_int_equal(c->realms[0].n_roles, 1);
	assert_string_equal(c->realms[0].roles[0].name, "anonymous");
	assert_int_equal(c->realms[0].roles[0].n_perms, 1);
	assert_string_equal(c->realms[0].roles[0].perms[0].uri, "");
	assert_int_equal(c->realms[0].roles[0].perms[0].match, WD_MATCH_PREFIX);
	assert_true(c->realms[0].roles[0].perms[0].allow_call);
	assert_true(c->realms[0].roles[0].perms[0].allow_register);
	assert_true(c->realms[0].roles[0].perms[0].allow_publish);
	assert_true(c->realms[0].roles[0].perms[0].allow_subscribe);
	assert_false(c->realms[0].roles[0].perms[0].disclose_caller);
	assert_false(c->realms[0].roles[0].perms[0].disclose_publisher);
	assert_true(c->realms[0].roles[0].perms[0].cache);
	assert_int_equal(c->n_transports, 1);
	t = &c->transports[0];
	assert_int_equal(t->type, WD_TRANSPORT_WEB);
	assert_string_equal(t->endpoint.interface, "127.0.0.1");
	assert_int_equal(t->endpoint.port, 8080);
	assert_int_equal(t->n_services, 3); /* ws, and the bridge's publish and call */
	assert_string_equal(t->services[0].path, "ws");
	assert_int_equal(t->services[1].type, WD_SERVICE_PUBLISHER);
	assert_int_equal(t->services[2].type, WD_SERVICE_CALLER);
	assert_string_equal(t->services[2].rest.realm, "realm1");
	assert_int_equal(t->services[0].n_serializers, 2);
	assert_int_equal(t->services[0].serializers[0], WD_CODEC_JSON);
	assert_int_equal(t->services[0].serializers[1], WD_CODEC_MSGPACK);
	wd_config_free(c);
	json_decref(doc);
}

static void build_init_json_keeps_template_options(void **state)
{
	json_t *doc = parse_sq(wd_config_init_json());
	struct wd_config *c = build_ok(doc);
	const struct wd_transport_cfg *rs = &c->transports[0], *t = &c->transports[1];
	const struct wd_ws_options *o = &t->services[1].ws;
	assert_int_equal(c->n_transports, 2);
	/* The template's rawsocket transport: 8081, 1 MiB, serializers cbor (ignored), msgpack,
	 * json. */
	assert_int_equal(rs->type, WD_TRANSPORT_RAWSOCKET);
	assert_int_equal(rs->endpoint.port, 8081);
	assert_int_equal(rs->n_services, 1);
	assert_int_equal(rs->services[0].ws.max_message_size, 1048576);
	assert_int_equal(rs->services[0].n_serializers, 2);
	assert_int_equal(rs->services[0].serializers[0], WD_CODEC_MSGPACK);
	assert_int_equal(t->type, WD_TRANSPORT_WEB);
	assert_string_equal(t->endpoint.interface, "0.0.0.0");
	assert_int_equal(t->endpoint.port, 8080);
	assert_int_equal(t->endpoint.backlog, 1024);
	/* Crossbar's template paths in its order: "/" static ../web, "ws", "info" nodeinfo. */
	assert_int_equal(t->n_services, 3);
	assert_string_equal(t->services[0].path, "/");
	assert_int_equal(t->services[0].type, WD_SERVICE_STATIC);
	assert_string_equal(t->services[0].stat.directory, "../web");
	assert_true(t->services[0].stat.enable_directory_listing);
	assert_string_equal(t->services[1].path, "ws");
	assert_int_equal(t->services[1].type, WD_SERVICE_WEBSOCKET);
	assert_int_equal(t->services[1].n_serializers, 2);
	assert_int_equal(t->services[1].serializers[0], WD_CODEC_MSGPACK);
	assert_int_equal(t->services[1].serializers[1], WD_CODEC_JSON);
	assert_string_equal(t->services[2].path, "info");
	assert_int_equal(t->services[2].type, WD_SERVICE_NODEINFO);
	assert_false(o->enable_webstatus);
	assert_int_equal(o->max_frame_size, 1048576);
	assert_int_equal(o->max_message_size, 1048576);
	assert_int_equal(o->auto_fragment_size, 65536);
	assert_true(o->fail_by_drop);
	assert_int_equal(o->open_handshake_timeout_ms, 2500);
	assert_int_equal(o->close_handshake_timeout_ms, 1000);
	assert_int_equal(o->auto_ping_interval_ms, 10000);
	assert_int_equal(o->auto_ping_timeout_ms, 5000);
	assert_int_equal(o->auto_ping_size, 12);
	wd_config_free(c);
	json_decref(doc);
}

static void build_full_config(void **state)
{
	json_t *doc;
	struct wd_config *c;
	const struct wd_transport_cfg *t;
	const struct wd_ws_options *o;
	setup_env();
	doc = load(CONFIGS "full.json");
	c = build_ok(doc);
	/* The third worker is disabled: its realm1 and transport are skipped. */
	assert_int_equal(c->n_realms, 3);
	assert_string_equal(c->realms[0].name, "realm1");
	assert_string_equal(c->realms[1].name, "realm2");
	assert_string_equal(c->realms[2].name, "eth.realm-3@example");
	assert_true(c->realms[0].uri_check_strict);
	assert_false(c->realms[0].enable_meta_api);
	assert_false(c->realms[1].uri_check_strict);
	assert_int_equal(c->realms[0].n_roles, 4);
	assert_int_equal(c->realms[0].roles[1].n_perms, 4);
	assert_string_equal(c->realms[0].roles[1].perms[1].uri, "com..ping");
	assert_int_equal(c->realms[0].roles[1].perms[1].match, WD_MATCH_WILDCARD);
	assert_true(c->realms[0].roles[1].perms[1].disclose_caller);
	assert_true(c->realms[0].roles[2].allow_by_default);
	assert_false(c->realms[0].roles[3].allow_by_default);
	assert_int_equal(c->n_transports, 2);

	t = &c->transports[0];
	o = &t->services[0].ws;
	assert_string_equal(t->id, "ws_transport");
	assert_string_equal(t->endpoint.interface, "::1");
	assert_int_equal(t->endpoint.version, 6);
	assert_int_equal(t->endpoint.backlog, 100);
	assert_true(t->endpoint.shared);
	assert_int_equal(t->services[0].serializers[0], WD_CODEC_MSGPACK);
	assert_int_equal(o->n_allowed_origins, 2);
	assert_string_equal(o->allowed_origins[1], "http://localhost:*");
	assert_false(o->allow_null_origin);
	assert_int_equal(o->external_port, 443);
	assert_false(o->enable_webstatus);
	assert_int_equal(o->max_frame_size, 65536);
	assert_int_equal(o->max_message_size, 64 * 1024 * 1024);
	assert_true(o->fail_by_drop);
	assert_true(o->echo_close_codereason);
	assert_false(o->tcp_nodelay);
	assert_int_equal(o->auto_ping_interval_ms, 30000);
	assert_int_equal(o->auto_ping_size, 125);
	assert_false(o->auto_ping_restart_on_any_traffic);
	assert_false(o->require_websocket_subprotocol);
	assert_true(o->show_server_version);

	t = &c->transports[1];
	assert_int_equal(t->type, WD_TRANSPORT_WEB);
	assert_int_equal(t->endpoint.port, 8080);
	assert_true(t->access_log);
	assert_int_equal(t->client_timeout_s, 60);
	assert_int_equal(t->n_services, 3);
	assert_string_equal(t->services[0].path, "/");
	assert_string_equal(t->services[1].path, "ws");
	assert_string_equal(t->services[2].path, "ws-2_b");
	assert_int_equal(t->services[1].n_serializers, 2);
	assert_int_equal(t->services[1].serializers[0], WD_CODEC_MSGPACK);
	assert_int_equal(t->services[2].n_serializers, 1);
	wd_config_free(c);
	json_decref(doc);
}

static void build_empty_config(void **state)
{
	json_t *doc = parse_sq("{'version':2,'controller':{},'workers':[]}");
	struct wd_config *c = build_ok(doc);
	assert_int_equal(c->n_realms, 0);
	assert_int_equal(c->n_transports, 0);
	wd_config_free(c);
	wd_config_free(NULL);
	json_decref(doc);
	doc = parse_sq("{'version':2}");
	c = build_ok(doc);
	wd_config_free(c);
	json_decref(doc);
}

/* Regression (fuzz_config_check, corpus disabled.json under clang UBSan): a router without
 * components made the builder compute &NULL[0] for the component array. */
static void build_router_without_components_has_no_component_array(void **state)
{
	json_t *doc = parse_sq("{'version':2,'workers':[{'type':'router','realms':[{'name':'realm1',"
	                       "'roles':[]}],'transports':[]},{'type':'container','components':[]}]}");
	struct wd_config *c = build_ok(doc);
	assert_int_equal(c->n_realms, 1);
	assert_int_equal(c->n_components, 0);
	assert_null(c->components);
	wd_config_free(c);
	json_decref(doc);
}

static void build_rejects_unchecked_shapes(void **state)
{
	static const char *const docs[] = {
	        "[]",
	        "{'version':2,'workers':{}}",
	        R("{'name':5}"),
	        EP("{'type':'unix'}"),
	        PATHS("{'/':{'type':'static'}}"),
	        ROLE("{'name':'r','authorizer':'com.a','permissions':[]}"),
	        T("{'type':'websocket','endpoint':{'type':'tcp','port':1},'auth':{'tls':{}}}"),
	        T("{'type':'websocket','endpoint':{'type':'tcp','port':1},"
	          "'auth':{'ticket':{'type':'static','principals':{'a':{'ticket':'${WD_TEST_UNSET}'}}}}}"),
	};
	size_t i;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *doc = parse_sq(docs[i]);
		struct wd_config *c = (struct wd_config *)1;
		assert_int_equal(wd_config_build(doc, &c), WD_EINVAL);
		assert_null(c);
		json_decref(doc);
	}
}

/* --- load and locate ------------------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/wd_config_test.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void load_reports_path_line_and_column(void **state)
{
	char path[256], err[256];
	json_t *doc = (json_t *)1;
	make_tmpdir();
	write_file(tmpdir, "bad.json", "{\n  \"version\": 2,\n  oops\n}\n");
	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	assert_int_equal(wd_config_load_file(path, &doc, err, sizeof(err)), WD_EINVAL);
	assert_null(doc);
	{
		char want[300];
		snprintf(want, sizeof(want), "%s:3:", path);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("got %s", err);
	}
	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	assert_int_equal(wd_config_load_file(path, &doc, err, sizeof(err)), WD_EINVAL);
	{
		char want[300];
		snprintf(want, sizeof(want), "%s: No such file or directory", path);
		assert_string_equal(err, want);
	}
	write_file(tmpdir, "list.json", "[1, 2]");
	snprintf(path, sizeof(path), "%s/list.json", tmpdir);
	assert_int_equal(wd_config_load_file(path, &doc, err, sizeof(err)), 0);
	assert_true(json_is_array(doc));
	json_decref(doc);
	remove_tmpdir();
}

static void locate_follows_crossbar_lookup(void **state)
{
	char *cbdir = NULL, *path = NULL, err[512], want[512], cwd[512], sub[128];
	make_tmpdir();
	unsetenv("CROSSBAR_DIR");

	/* --cbdir without any config: the embedded default is used */
	assert_int_equal(wd_config_locate(tmpdir, NULL, &cbdir, &path, err, sizeof(err)), 0);
	assert_string_equal(cbdir, tmpdir);
	assert_null(path);
	free(cbdir);

	/* config.json in cbdir */
	write_file(tmpdir, "config.json", "{}");
	assert_int_equal(wd_config_locate(tmpdir, NULL, &cbdir, &path, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/config.json", tmpdir);
	assert_string_equal(path, want);
	free(cbdir);
	free(path);

	/* $CROSSBAR_DIR when no --cbdir */
	setenv("CROSSBAR_DIR", tmpdir, 1);
	assert_int_equal(wd_config_locate(NULL, NULL, &cbdir, &path, err, sizeof(err)), 0);
	assert_string_equal(cbdir, tmpdir);
	assert_string_equal(path, want);
	free(cbdir);
	free(path);
	unsetenv("CROSSBAR_DIR");

	/* --config relative to cbdir, absolute as it is, missing, wrong extension */
	write_file(tmpdir, "other.json", "{}");
	assert_int_equal(wd_config_locate(tmpdir, "other.json", &cbdir, &path, err, sizeof(err)),
	                 0);
	snprintf(want, sizeof(want), "%s/other.json", tmpdir);
	assert_string_equal(path, want);
	free(cbdir);
	free(path);
	assert_int_equal(wd_config_locate("/nonexistent", want, &cbdir, &path, err, sizeof(err)),
	                 0);
	assert_string_equal(path, want);
	free(cbdir);
	free(path);
	assert_int_equal(wd_config_locate(tmpdir, "nope.json", &cbdir, &path, err, sizeof(err)),
	                 WD_ENOTFOUND);
	assert_null(path);
	snprintf(want, sizeof(want), "%s/nope.json: No such file or directory", tmpdir);
	assert_string_equal(err, want);
	free(cbdir);
	write_file(tmpdir, "config.txt", "{}");
	assert_int_equal(wd_config_locate(tmpdir, "config.txt", &cbdir, &path, err, sizeof(err)),
	                 WD_EINVAL);
	assert_null(path);
	free(cbdir);

	/* YAML: --config and the config.yaml Crossbar would read before config.json */
	write_file(tmpdir, "node.yaml", "version: 2\n");
	assert_int_equal(wd_config_locate(tmpdir, "node.yaml", &cbdir, &path, err, sizeof(err)),
	                 WD_EUNSUPPORTED);
	snprintf(want, sizeof(want),
	         "%s/node.yaml: YAML configs are not supported yet; convert it to node.json",
	         tmpdir);
	assert_string_equal(err, want);
	free(cbdir);
	write_file(tmpdir, "config.yaml", "version: 2\n");
	assert_int_equal(wd_config_locate(tmpdir, NULL, &cbdir, &path, err, sizeof(err)),
	                 WD_EUNSUPPORTED);
	assert_null(path);
	snprintf(want, sizeof(want),
	         "%s/config.yaml: YAML configs are not supported yet; convert it to config.json",
	         tmpdir);
	assert_string_equal(err, want);
	free(cbdir);

	/* ./.crossbar when it exists, else "." */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(sub, sizeof(sub), "%s/empty", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chdir(sub), 0);
	assert_int_equal(wd_config_locate(NULL, NULL, &cbdir, &path, err, sizeof(err)), 0);
	assert_string_equal(cbdir, ".");
	assert_null(path);
	free(cbdir);
	assert_int_equal(mkdir(".crossbar", 0700), 0);
	write_file(".crossbar", "config.json", "{}");
	assert_int_equal(wd_config_locate(NULL, NULL, &cbdir, &path, err, sizeof(err)), 0);
	assert_string_equal(cbdir, ".crossbar");
	assert_string_equal(path, ".crossbar/config.json");
	free(cbdir);
	free(path);
	assert_int_equal(chdir(cwd), 0);
	remove_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(default_json_passes_check),
	        cmocka_unit_test(init_json_passes_check),
	        cmocka_unit_test(full_config_with_every_accepted_key_passes),
	        cmocka_unit_test(crossbar_extra_realm_and_role_keys_pass),
	        cmocka_unit_test(crossbar_init_template_passes),
	        cmocka_unit_test(bad_documents_report_their_key_path),
	        cmocka_unit_test(every_error_is_reported),
	        cmocka_unit_test(unknown_keys_are_quoted_in_paths),
	        cmocka_unit_test(wrong_version_stops_the_walk),
	        cmocka_unit_test(null_document_is_an_error),
	        cmocka_unit_test(realms_of_disabled_workers_may_repeat),
	        cmocka_unit_test(build_applies_crossbar_defaults),
	        cmocka_unit_test(build_converts_starred_uris),
	        cmocka_unit_test(build_resolves_port_from_environment),
	        cmocka_unit_test(resolve_port_accepts_integers_and_env_names),
	        cmocka_unit_test(build_keeps_json_and_msgpack_in_configured_order),
	        cmocka_unit_test(build_default_json),
	        cmocka_unit_test(build_init_json_keeps_template_options),
	        cmocka_unit_test(build_full_config),
	        cmocka_unit_test(build_empty_config),
	        cmocka_unit_test(build_router_without_components_has_no_component_array),
	        cmocka_unit_test(build_rejects_unchecked_shapes),
	        cmocka_unit_test(load_reports_path_line_and_column),
	        cmocka_unit_test(locate_follows_crossbar_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
