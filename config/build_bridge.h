/* Building the HTTP bridge parts of the model (config/build_bridge.c), used by build.c. */
#ifndef WD_CONFIG_BUILD_BRIDGE_H
#define WD_CONFIG_BUILD_BRIDGE_H

#include <jansson.h>
#include <stdbool.h>

#include "config/model.h"

/* True if type names a path service built here (publisher, caller, webhook, nodeinfo,
 * static). */
bool wd_config_is_bridge_service(const char *type);

/* Fills s (zeroed by the caller) from a checked path service doc (borrowed) at path.
 * Returns 0, WD_EINVAL or WD_ENOMEM; a half-built s is released by wd_config_free_bridge_service. */
int wd_config_build_bridge_service(const char *path, const json_t *doc, struct wd_service_cfg *s);
void wd_config_free_bridge_service(struct wd_service_cfg *s);

/* Counts the components of one enabled router or container worker (borrowed). */
size_t wd_config_count_components(const json_t *worker);
/* Fills out[0..count) (zeroed by the caller) from the worker's components. */
int wd_config_build_components(const json_t *worker, struct wd_component_cfg *out);
void wd_config_free_component(struct wd_component_cfg *c);

#endif
