/* Loading, checking and building a Crossbar config (version 2). */
#ifndef WD_CONFIG_H
#define WD_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"

/* A list of error lines, each "key.path: message" (e.g.
 * "workers[0].transports[1].endpoint.port: expected an integer 1..65535"). Start from
 * {0} (zeroed); lines are malloc'd. Keys that are not plain words are written as
 * paths["/"]; an error about the whole document uses the path "(root)". */
struct wd_config_errors {
	char **lines;
	size_t n;
};
/* Frees every line and resets e to empty; NULL-safe. */
void wd_config_errors_free(struct wd_config_errors *e);

/* Resolves the node directory and config file as Crossbar does: cbdir = cbdir_opt, else
 * $CROSSBAR_DIR, else ./.crossbar if it exists, else "."; config = config_opt (relative to cbdir
 * unless absolute), else the first readable of config.json in cbdir (config.yaml is reported
 * as not supported). *cbdir_out is always set (malloc'd); *path_out is NULL when no file was
 * found (use the embedded default). Returns 0, WD_ENOTFOUND (config_opt names a missing file,
 * message in err) or WD_EUNSUPPORTED (a YAML file, message in err).
 * Also WD_EINVAL (config_opt does not end in .json or .yaml, as Crossbar's
 * check_config_file) and WD_ENOMEM (both out pointers NULL). On an error *path_out is NULL.
 * Paths are returned as given (relative ones stay relative to the working directory).
 * Crossbar looks for config.yaml before config.json, so a readable config.yaml in cbdir
 * is reported even when config.json exists next to it. */
int wd_config_locate(const char *cbdir_opt, const char *config_opt, char **cbdir_out,
		     char **path_out, char *err, size_t errlen);

/* Reads and parses a JSON file. Returns 0 and a new reference in *out, or WD_EINVAL with a
 * message in err ("config.json:3:5: ..."). Any JSON value is accepted at the top (the
 * checker reports a non-object); duplicate keys keep the last value, as Python's json. */
int wd_config_load_file(const char *path, json_t **out, char *err, size_t errlen);

/* Checks doc against Crossbar's rules for what wampd supports. Appends one line per error
 * to errs. Returns the number of errors (0 = valid). getenv is used for "$VAR" ports. doc is
 * borrowed. A line that cannot be allocated is still counted. A missing or wrong "version"
 * stops the walk (the rest would be read with the wrong schema). */
size_t wd_config_check(const json_t *doc, struct wd_config_errors *errs);

/* Builds the model from a document that passed wd_config_check. Returns 0 or WD_ENOMEM /
 * WD_EINVAL. */
int wd_config_build(const json_t *doc, struct wd_config **out);
void wd_config_free(struct wd_config *c);

/* Helpers shared by check.c and build.c (and useful to callers that report config details). */

/* Resolves a listening endpoint "port" (borrowed): an integer 1..65535, or "$VAR" naming an
 * environment variable whose value is one (Crossbar's _readenv; surrounding blanks and a
 * leading '+' are accepted, as Python's int()). Returns 0 and sets *out, WD_EINVAL (not such
 * an integer or string, or the variable holds no valid port) or WD_ENOTFOUND (not set). */
int wd_config_resolve_port(const json_t *port, uint16_t *out);

/* Crossbar's maybe_from_env for secrets and worker options.disabled: value "${VAR}" (the whole
 * string) stands for the variable's value. Returns 0 and sets *out to value itself or to
 * getenv's result (valid until the environment changes), WD_ENOTFOUND when VAR is not set
 * (*out = value) or WD_ENOMEM. */
int wd_config_resolve_env(const char *value, const char **out);

/* Builds a transport's "auth" object (borrowed, checked; NULL: absent) into out, which must
 * be zeroed. Returns 0, WD_ENOMEM or WD_EINVAL. wd_config_free_auth releases it (also a
 * half-built one). */
int wd_config_build_auth(const json_t *auth, struct wd_auth_cfg *out);
void wd_config_free_auth(struct wd_auth_cfg *a);

/* True if a worker's options.disabled (borrowed worker object) switches it off: true, or a
 * non-empty string; "${VAR}" takes the variable's value (unset or empty = enabled). */
bool wd_config_worker_disabled(const json_t *worker);

/* The embedded default config (realm1, anonymous with full permissions, web transport on
 * 127.0.0.1:8080 with "ws", "publish" and "call" paths) as JSON text. Static storage; it
 * passes wd_config_check. */
const char *wd_config_default_json(void);

/* The document `wampd init` writes to .crossbar/config.json (Crossbar's template without the
 * rawsocket transport wampd lacks; see init.c). Static storage, ends in a newline; it passes
 * wd_config_check. */
const char *wd_config_init_json(void);

/* The web/README.md `wampd init` writes beside .crossbar/ (served by the template's "/" path).
 * Static storage, ends in a newline. */
const char *wd_config_init_web_readme(void);

#endif
