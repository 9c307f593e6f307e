/* libcurl, loaded with dlopen the first time an outbound component (MessageForwarder,
 * RESTCallee) needs it. Linking it would make every wampd map and relocate libcurl's whole
 * dependency tree (gnutls, ldap, krb5, ssh, ...) at start-up: about 6 MiB of RSS for a
 * router that, in most configs, never makes an HTTP request. */
#ifndef WD_CURL_API_H
#define WD_CURL_API_H

#include <curl/curl.h>

struct wd_curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *curl, const char *s, int len);
	void (*free)(void *p);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *curl);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *curl);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption option, ...);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask,
					 int *running_handles);
	CURLMsg *(*multi_info_read)(CURLM *m, int *msgs_in_queue);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
};

/* Loads libcurl.so.4 on the first call and returns its functions, or NULL with a reason in
 * err (the library or a symbol is missing). Later calls return the same table. */
const struct wd_curl_api *wd_curl_api_load(char *err, size_t errlen);

/* The table loaded before (only valid after a successful wd_curl_api_load). */
const struct wd_curl_api *wd_curl_api_get(void);

#endif
