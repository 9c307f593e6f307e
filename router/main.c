/* wampd command line: init | start | check | version. */
#include <errno.h>
#include <http_parser.h>
#include <jansson.h>
#include <msgpack.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <uv.h>
#include <wslay/wslayver.h>

#include "bridge/bridge.h"
#include "config/config.h"
#include "router/log.h"
#include "router/router.h"

struct opts {
	const char *cbdir, *config, *loglevel, *appdir;
};

static int usage(FILE *f)
{
	fprintf(f, "usage: wampd <command> [options]\n"
		   "  start   [--cbdir DIR] [--config FILE] [--loglevel trace|debug|info|warn|error]\n"
		   "  check   [--cbdir DIR] [--config FILE]\n"
		   "  init    [--appdir DIR]\n"
		   "  version\n");
	return f == stderr ? 2 : 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const char *const names[] = {"--cbdir", "--config", "--loglevel", "--appdir"};
	const char **slots[] = {&o->cbdir, &o->config, &o->loglevel, &o->appdir};
	for (int i = 2; i < argc; i++) {
		int k = -1;
		const char *val = NULL;
		for (int j = 0; j < 4 && k < 0; j++) {
			size_t n = strlen(names[j]);
			if (strcmp(argv[i], names[j]) == 0) {
				k = j;
				if (i + 1 >= argc) {
					fprintf(stderr, "wampd: %s needs a value\n", names[j]);
					return -1;
				}
				val = argv[++i];
			} else if (strncmp(argv[i], names[j], n) == 0 && argv[i][n] == '=') {
				k = j;
				val = argv[i] + n + 1;
			}
		}
		if (k < 0) {
			fprintf(stderr, "wampd: unknown option '%s'\n", argv[i]);
			return -1;
		}
		*slots[k] = val;
	}
	return 0;
}

static int cmd_version(void)
{
	printf("wampd %s\n", WD_VERSION);
	printf("  libuv       %s\n", uv_version_string());
	printf("  wslay       %s\n", WSLAY_VERSION);
	printf("  http-parser %lu.%lu.%lu\n", (http_parser_version() >> 16) & 255,
	       (http_parser_version() >> 8) & 255, http_parser_version() & 255);
	printf("  jansson     %s\n", jansson_version_str());
	printf("  msgpack-c   %s\n", msgpack_version());
	printf("  libsodium   %s\n", sodium_version_string());
	printf("  OpenSSL     %s\n", OpenSSL_version(OPENSSL_VERSION));
	return 0;
}

/* Loads and checks the config the way `start` and `check` both need. On success *doc_out
 * holds the document, *path_out names its source (NULL: embedded default) and, when
 * cbdir_out is not NULL, *cbdir_out the node directory (malloc'd). */
static int load_checked(const struct opts *o, json_t **doc_out, char **path_out,
			char **cbdir_out)
{
	char err[512], *cbdir = NULL, *path = NULL;
	struct wd_config_errors errs = {0};
	json_error_t jerr;
	json_t *doc = NULL;
	int rc = -1;
	if (wd_config_locate(o->cbdir, o->config, &cbdir, &path, err, sizeof(err)) < 0) {
		fprintf(stderr, "wampd: %s\n", err);
		goto out;
	}
	if (path == NULL) {
		doc = json_loads(wd_config_default_json(), 0, &jerr);
		if (doc == NULL) {
			fprintf(stderr, "wampd: embedded default config is broken: %s\n", jerr.text);
			goto out;
		}
	} else if (wd_config_load_file(path, &doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "wampd: %s\n", err);
		goto out;
	}
	if (wd_config_check(doc, &errs) > 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s: %s\n", path ? path : "(embedded default)", errs.lines[i]);
		goto out;
	}
	*doc_out = doc;
	*path_out = path;
	if (cbdir_out != NULL) {
		*cbdir_out = cbdir;
		cbdir = NULL;
	}
	doc = NULL;
	path = NULL;
	rc = 0;
out:
	wd_config_errors_free(&errs);
	json_decref(doc);
	free(path);
	free(cbdir);
	return rc;
}

static int cmd_check(const struct opts *o)
{
	json_t *doc;
	char *path;
	if (load_checked(o, &doc, &path, NULL) < 0)
		return 1;
	printf("ok (%s)\n", path ? path : "embedded default");
	json_decref(doc);
	free(path);
	return 0;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int cmd_init(const struct opts *o)
{
	/* Crossbar's node template: .crossbar/config.json, and web/README.md for its "/" path
	 * (a README that is there already is kept). */
	const char *appdir = o->appdir ? o->appdir : ".";
	char dir[4096], web[4096], file[4200], readme[4200];
	struct {
		char *dir;
		const char *path, *text;
	} out[] = {{dir, file, wd_config_init_json()}, {web, readme, wd_config_init_web_readme()}};
	struct stat st;
	FILE *f;
	snprintf(dir, sizeof(dir), "%s/.crossbar", appdir);
	snprintf(file, sizeof(file), "%s/config.json", dir);
	snprintf(web, sizeof(web), "%s/web", appdir);
	snprintf(readme, sizeof(readme), "%s/README.md", web);
	if (stat(file, &st) == 0) {
		fprintf(stderr, "wampd: %s exists already; not overwriting it\n", file);
		return 1;
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (i > 0 && stat(out[i].path, &st) == 0)
			continue; /* only the config must be new */
		if (mkdirs(out[i].dir) < 0 || (f = fopen(out[i].path, "w")) == NULL) {
			fprintf(stderr, "wampd: cannot create %s: %s\n", out[i].path,
			        strerror(errno));
			return 1;
		}
		fputs(out[i].text, f);
		if (fclose(f) != 0) {
			fprintf(stderr, "wampd: cannot write %s: %s\n", out[i].path,
			        strerror(errno));
			return 1;
		}
		printf("Wrote %s\n", out[i].path);
	}
	printf("To start your node, run 'wampd start --cbdir %s'\n", dir);
	return 0;
}

/* Every connection takes a descriptor: raise the soft limit to the hard one (as nginx's
 * worker_rlimit_nofile or redis's maxclients do) so that the configured hard limit, not a
 * 1024 soft default, bounds the number of sessions. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
	}
	wd_log(WD_LOG_INFO, "router", "file descriptor limit %llu (one per connection)",
	       (unsigned long long)rl.rlim_cur);
}

static int cmd_start(const struct opts *o)
{
	struct wd_config *cfg = NULL;
	struct wd_router r;
	uv_loop_t loop;
	json_t *doc;
	char *path, *cbdir = NULL;
	int level = o->loglevel ? wd_log_parse_level(o->loglevel) : WD_LOG_INFO, rc = 1;
	if (level < 0) {
		fprintf(stderr, "wampd: --loglevel must be trace, debug, info, warn, error or none\n");
		return 2;
	}
	wd_log_set_level((enum wd_log_level)level);
	/* Every publication draws a random ID: libsodium's internal generator (ChaCha20, seeded
	 * and reseeded from the OS) avoids a getrandom() syscall per draw. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (sodium_init() < 0) {
		fprintf(stderr, "wampd: libsodium failed to initialise\n");
		return 1;
	}
	if (load_checked(o, &doc, &path, &cbdir) < 0)
		return 1;
	if (wd_config_build(doc, &cfg) < 0) {
		fprintf(stderr, "wampd: cannot build the configuration\n");
		goto out_doc;
	}
	wd_log(WD_LOG_INFO, "router", "wampd %s starting with %s", WD_VERSION,
	       path ? path : "the embedded default config");
	raise_fd_limit();
	uv_loop_init(&loop);
	if (wd_router_init(&r, &loop, cfg) < 0 || (r.cbdir = cbdir, wd_bridge_attach(&r)) < 0) {
		wd_router_stop(&r);
		uv_run(&loop, UV_RUN_DEFAULT);
		wd_log(WD_LOG_ERROR, "router", "start-up failed");
	} else {
		uv_run(&loop, UV_RUN_DEFAULT);
		wd_log(WD_LOG_INFO, "router", "stopped");
		rc = 0;
	}
	wd_router_deinit(&r);
	uv_loop_close(&loop);
	wd_config_free(cfg);
out_doc:
	json_decref(doc);
	free(path);
	free(cbdir);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (strcmp(argv[1], "version") == 0)
		return cmd_version();
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(&o);
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(&o);
	if (strcmp(argv[1], "start") == 0)
		return cmd_start(&o);
	fprintf(stderr, "wampd: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
