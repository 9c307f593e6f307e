/* Finds the node directory and the config file the way `crossbar start` does
 * (crossbar/node/main.py): --cbdir, $CROSSBAR_DIR, ./.crossbar, "."; then --config or the
 * first of config.yaml, config.json in that directory. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "protocol/error.h"

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
                                                          ...)
{
	va_list ap;
	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* dir + "/" + name, or name alone when it is absolute. */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *out;
	if (name[0] == '/')
		return strdup(name);
	if ((out = malloc(n + 1 + strlen(name) + 1)) == NULL)
		return NULL;
	if (n > 0 && dir[n - 1] == '/')
		sprintf(out, "%s%s", dir, name);
	else
		sprintf(out, "%s/%s", dir, name);
	return out;
}

static int yaml_unsupported(const char *path, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	/* The name without ".yaml": what `crossbar convert` would write next to it. */
	set_err(err, errlen, "%s: YAML configs are not supported yet; convert it to %.*s.json",
	        path, (int)(strlen(base) - 5), base);
	return WD_EUNSUPPORTED;
}

int wd_config_locate(const char *cbdir_opt, const char *config_opt, char **cbdir_out,
                     char **path_out, char *err, size_t errlen)
{
	const char *env = getenv("CROSSBAR_DIR");
	const char *cbdir;
	char *path;
	*cbdir_out = NULL;
	*path_out = NULL;
	if (cbdir_opt != NULL && cbdir_opt[0] != '\0')
		cbdir = cbdir_opt;
	else if (env != NULL && env[0] != '\0')
		cbdir = env;
	else if (is_dir(".crossbar"))
		cbdir = ".crossbar";
	else
		cbdir = ".";
	if ((*cbdir_out = strdup(cbdir)) == NULL)
		goto fail_nomem;

	if (config_opt != NULL && config_opt[0] != '\0') {
		if ((path = join(cbdir, config_opt)) == NULL)
			goto fail_nomem;
		if (access(path, F_OK) != 0) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			free(path);
			return WD_ENOTFOUND;
		}
		if (ends_with(path, ".yaml")) {
			int rc = yaml_unsupported(path, err, errlen);
			free(path);
			return rc;
		}
		if (!ends_with(path, ".json")) {
			/* Crossbar's check_config_file: "invalid configuration file extension" */
			set_err(err, errlen, "%s: a config file name must end in .json (or .yaml)",
			        path);
			free(path);
			return WD_EINVAL;
		}
		*path_out = path;
		return 0;
	}

	/* Crossbar takes config.yaml first, so a YAML file there would win over config.json. */
	if ((path = join(cbdir, "config.yaml")) == NULL)
		goto fail_nomem;
	if (access(path, R_OK) == 0) {
		int rc = yaml_unsupported(path, err, errlen);
		free(path);
		return rc;
	}
	free(path);
	if ((path = join(cbdir, "config.json")) == NULL)
		goto fail_nomem;
	if (access(path, R_OK) == 0)
		*path_out = path;
	else
		free(path); /* no config: the caller uses the embedded default */
	return 0;

fail_nomem:
	free(*cbdir_out);
	*cbdir_out = NULL;
	set_err(err, errlen, "out of memory");
	return WD_ENOMEM;
}
