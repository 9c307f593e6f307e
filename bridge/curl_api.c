#include "bridge/curl_api.h"

#include <dlfcn.h>
#include <stdio.h>

/* Filled once on the loop thread, read-only afterwards: the process-wide view of one shared
 * library, like the library's own globals. */
static struct wd_curl_api api;
static int loaded;

#define LOAD(field, name)                                                                          \
	do {                                                                                       \
		*(void **)&api.field = dlsym(h, name);                                             \
		if (api.field == NULL) {                                                           \
			snprintf(err, errlen, "libcurl.so.4 lacks %s", name);                        \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)

const struct wd_curl_api *wd_curl_api_load(char *err, size_t errlen)
{
	void *h;
	if (loaded)
		return &api;
	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "cannot load libcurl: %s", dlerror());
		return NULL;
	}
	LOAD(global_init, "curl_global_init");
	LOAD(global_cleanup, "curl_global_cleanup");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(easy_escape, "curl_easy_escape");
	LOAD(free, "curl_free");
	LOAD(multi_init, "curl_multi_init");
	LOAD(multi_cleanup, "curl_multi_cleanup");
	LOAD(multi_add_handle, "curl_multi_add_handle");
	LOAD(multi_remove_handle, "curl_multi_remove_handle");
	LOAD(multi_setopt, "curl_multi_setopt");
	LOAD(multi_assign, "curl_multi_assign");
	LOAD(multi_socket_action, "curl_multi_socket_action");
	LOAD(multi_info_read, "curl_multi_info_read");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	loaded = 1; /* the handle stays open for the life of the process */
	return &api;
}

const struct wd_curl_api *wd_curl_api_get(void)
{
	return loaded ? &api : NULL;
}
