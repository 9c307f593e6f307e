/* Fuzzes the config checker and builder: bytes -> jansson -> wd_config_check; a document
 * with no errors must build (the checker and the builder agree on what is valid). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "protocol/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wd_config_errors errs = {0};
	struct wd_config *cfg = NULL;
	json_error_t je;
	json_t *doc;
	size_t n;
	/* A fixed environment for "$VAR" ports and "${VAR}" worker switches. */
	setenv("PORT", "8080", 1);
	setenv("BADPORT", "80x", 1);
	setenv("DISABLE", "1", 1);
	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
	if (doc == NULL)
		return 0;
	n = wd_config_check(doc, &errs);
	if (n != errs.n) /* only if a line could not be allocated */
		abort();
	if (n == 0) {
		int rc = wd_config_build(doc, &cfg);
		if (rc == WD_EINVAL) /* checked as valid but not buildable: a checker gap */
			abort();
		wd_config_free(cfg);
	}
	wd_config_errors_free(&errs);
	json_decref(doc);
	return 0;
}
