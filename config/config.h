/* Loading, checking and building a Crossbar config (version 2). */
#ifndef WD_CONFIG_H
#define WD_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "config/model.h"

/* A list of error lines, each "key.path: message" (e.g.
 * "workers[0].transports[1].endpoint.port: expected an integer 1..65535"). */
struct wd_config_errors {
	char **lines;
	size_t n;
};
void wd_config_errors_free(struct wd_config_errors *e);

/* Resolves the node directory and config file as Crossbar does: cbdir = cbdir_opt, else
 * $CROSSBAR_DIR, else ./.crossbar if it exists, else "."; config = config_opt (relative to cbdir
 * unless absolute), else the first readable of config.json in cbdir (config.yaml is reported
 * as not supported). *cbdir_out is always set (malloc'd); *path_out is NULL when no file was
 * found (use the embedded default). Returns 0, WD_ENOTFOUND (config_opt names a missing file,
 * message in err) or WD_EUNSUPPORTED (a YAML file, message in err). */
int wd_config_locate(const char *cbdir_opt, const char *config_opt, char **cbdir_out,
		     char **path_out, char *err, size_t errlen);

/* Reads and parses a JSON file. Returns 0 and a new reference in *out, or WD_EINVAL with a
 * message in err ("config.json:3:5: ..."). */
int wd_config_load_file(const char *path, json_t **out, char *err, size_t errlen);

/* Checks doc against Crossbar's rules for what wampd supports. Appends one line per error
 * to errs. Returns the number of errors (0 = valid). getenv is used for "$VAR" ports. */
size_t wd_config_check(const json_t *doc, struct wd_config_errors *errs);

/* Builds the model from a document that passed wd_config_check. Returns 0 or WD_ENOMEM /
 * WD_EINVAL. */
int wd_config_build(const json_t *doc, struct wd_config **out);
void wd_config_free(struct wd_config *c);

/* The embedded default config (realm1, anonymous with full permissions, web transport on
 * 127.0.0.1:8080 with "ws", "publish" and "call" paths) as JSON text. While the bridge
 * is not implemented, the publisher/caller paths are left out of it. */
const char *wd_config_default_json(void);

/* The document `wampd init` writes to .crossbar/config.json (Crossbar template shape). */
const char *wd_config_init_json(void);

#endif
