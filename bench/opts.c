/* CLI parsing with getopt_long; every numeric option is range-checked. */
#include "bench/opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: wampd-bench SCENARIO [options]\n"
	"  SCENARIO: pubsub | rpc | conns\n"
	"  --url ws://127.0.0.1:PORT/ws   router WebSocket URL (IPv4 or localhost)\n"
	"  --realm NAME                   realm to join (realm1)\n"
	"  --serializer json|msgpack      (json)\n"
	"  --duration SECONDS             measured time (5)\n"
	"  --payload BYTES                encoded size of the arguments (64)\n"
	"  --threads N                    generator threads, one libuv loop each (1)\n"
	"  --publishers P --subscribers S pubsub (1, 1)\n"
	"  --stalled N                    pubsub: N more subscribers that stop reading once\n"
	"                                 subscribed (slow consumers; the router should drop them)\n"
	"  --window W                     outstanding publishes/calls per publisher/caller (100)\n"
	"  --rate R                       pubsub: R events/s in total, unacknowledged (window mode)\n"
	"  --callees K --callers C        rpc (1, 16)\n"
	"  --sessions N                   conns (1000)\n"
	"  --router-pid PID               router process for CPU and RSS figures\n"
	"  --label TEXT                   copied into the report (e.g. wampd, fox-wamp)\n"
	"  --drain SECONDS                most time to wait for in-flight messages at the end (3)\n"
	"Prints one JSON line on stdout.\n";

static int num(const char *name, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "wampd-bench: --%s: expected a number in [%g, %g], got '%s'\n", name,
			lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_url(struct wd_bench_opts *o)
{
	const char *u = o->url;
	if (strncmp(u, "ws://", 5) != 0) {
		fprintf(stderr, "wampd-bench: --url: only ws:// is supported\n");
		return -1;
	}
	u += 5;
	const char *colon = strchr(u, ':');
	const char *slash = strchr(u, '/');
	if (colon == NULL || (slash != NULL && slash < colon) || (size_t)(colon - u) >= sizeof(o->host)) {
		fprintf(stderr, "wampd-bench: --url: expected ws://HOST:PORT/PATH\n");
		return -1;
	}
	memcpy(o->host, u, (size_t)(colon - u));
	o->host[colon - u] = '\0';
	if (strcmp(o->host, "localhost") == 0)
		strcpy(o->host, "127.0.0.1");
	o->port = atoi(colon + 1);
	if (o->port <= 0 || o->port > 65535) {
		fprintf(stderr, "wampd-bench: --url: bad port\n");
		return -1;
	}
	snprintf(o->path, sizeof(o->path), "%s", slash != NULL ? slash : "/");
	return 0;
}

int wd_bench_opts_parse(struct wd_bench_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"realm", required_argument, NULL, 'r'},
		{"serializer", required_argument, NULL, 's'},
		{"duration", required_argument, NULL, 'd'},
		{"payload", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 't'},
		{"publishers", required_argument, NULL, 'P'},
		{"subscribers", required_argument, NULL, 'S'},
		{"stalled", required_argument, NULL, 'X'},
		{"window", required_argument, NULL, 'w'},
		{"rate", required_argument, NULL, 'R'},
		{"callees", required_argument, NULL, 'K'},
		{"callers", required_argument, NULL, 'C'},
		{"sessions", required_argument, NULL, 'N'},
		{"router-pid", required_argument, NULL, 'p'},
		{"label", required_argument, NULL, 'l'},
		{"drain", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->url = "ws://127.0.0.1:8080/ws";
	o->realm = "realm1";
	o->label = "";
	o->codec = &wd_codec_json;
	o->duration_s = 5;
	o->payload_bytes = 64;
	o->threads = 1;
	o->publishers = 1;
	o->subscribers = 1;
	o->window = 100;
	o->callees = 1;
	o->callers = 16;
	o->sessions = 1000;
	o->drain_max_s = 3;
	int ch;
	double v;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': o->url = optarg; break;
		case 'r': o->realm = optarg; break;
		case 'l': o->label = optarg; break;
		case 's':
			if ((o->codec = wd_codec_by_name(optarg)) == NULL) {
				fprintf(stderr, "wampd-bench: --serializer: json or msgpack\n");
				return -1;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case '?':
			fputs(usage, stderr);
			return -1;
		default: {
			const char *name = NULL;
			for (const struct option *lo = longopts; lo->name != NULL; lo++)
				if (lo->val == ch)
					name = lo->name;
			double lo_v = 0, hi_v = 1e7;
			if (ch == 't')
				lo_v = 1, hi_v = 64;
			if (ch == 'd')
				lo_v = 0.1, hi_v = 3600;
			if (ch == 'b')
				hi_v = 1 << 20;
			if (ch == 'w')
				lo_v = 1, hi_v = 1e6;
			if (ch == 'p')
				hi_v = 1 << 30;
			if (ch == 'D')
				hi_v = 600;
			if (ch == 'R')
				hi_v = 1e9;
			if (num(name, optarg, lo_v, hi_v, &v) < 0)
				return -1;
			switch (ch) {
			case 'd': o->duration_s = v; break;
			case 'b': o->payload_bytes = (size_t)v; break;
			case 't': o->threads = (unsigned)v; break;
			case 'P': o->publishers = (unsigned)v; break;
			case 'S': o->subscribers = (unsigned)v; break;
			case 'X': o->stalled = (unsigned)v; break;
			case 'w': o->window = (unsigned)v; break;
			case 'R': o->rate = v; break;
			case 'K': o->callees = (unsigned)v; break;
			case 'C': o->callers = (unsigned)v; break;
			case 'N': o->sessions = (unsigned)v; break;
			case 'p': o->router_pid = (int)v; break;
			case 'D': o->drain_max_s = v; break;
			}
		}
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	o->scenario_name = argv[optind];
	if (strcmp(o->scenario_name, "pubsub") == 0) {
		o->scenario = WD_BENCH_PUBSUB;
		if (o->publishers == 0) {
			fprintf(stderr, "wampd-bench: pubsub needs --publishers >= 1\n");
			return -1;
		}
	} else if (strcmp(o->scenario_name, "rpc") == 0) {
		o->scenario = WD_BENCH_RPC;
		if (o->callees == 0 || o->callers == 0) {
			fprintf(stderr, "wampd-bench: rpc needs --callees and --callers >= 1\n");
			return -1;
		}
	} else if (strcmp(o->scenario_name, "conns") == 0) {
		o->scenario = WD_BENCH_CONNS;
	} else {
		fprintf(stderr, "wampd-bench: unknown scenario '%s'\n", o->scenario_name);
		return -1;
	}
	return parse_url(o);
}
