/* Reads a config file into a jansson document; parse errors carry "path:line:column". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "protocol/error.h"

int wd_config_load_file(const char *path, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc;
	FILE *f;
	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return WD_EINVAL;
	}
	/* JSON_DECODE_ANY: a top-level non-object is the checker's error to report, as it is
	 * Crossbar's ("top-level configuration item must be a dictionary"). Duplicate keys keep
	 * the last value, as Python's json does. */
	doc = json_loadf(f, JSON_DECODE_ANY, &je);
	fclose(f);
	if (doc == NULL) {
		if (err != NULL && errlen > 0) {
			if (je.line > 0)
				snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
				         je.text);
			else
				snprintf(err, errlen, "%s: %s", path, je.text);
		}
		return WD_EINVAL;
	}
	*out = doc;
	return 0;
}
