#include "router/memo.h"

#include <stdlib.h>
#include <string.h>

bool wd_memo_get(const struct wd_route_memo *m, const struct wd_realm *realm, uint64_t epoch,
		 const char *uri, void **target, bool *disclose)
{
	if (m->realm != realm || m->epoch != epoch || realm == NULL || strcmp(m->uri, uri) != 0)
		return false;
	*target = m->target;
	*disclose = m->disclose;
	return true;
}

void wd_memo_put(struct wd_route_memo *m, const struct wd_realm *realm, uint64_t epoch,
		 const char *uri, void *target, bool disclose)
{
	size_t n = strlen(uri) + 1;
	m->realm = NULL;
	if (n > m->cap) {
		char *p = realloc(m->uri, n);
		if (p == NULL)
			return; /* nothing memorised; the next message is checked in full */
		m->uri = p;
		m->cap = n;
	}
	memcpy(m->uri, uri, n);
	m->realm = realm;
	m->epoch = epoch;
	m->target = target;
	m->disclose = disclose;
}

void wd_memo_clear(struct wd_route_memo *m)
{
	m->realm = NULL;
}

void wd_memo_free(struct wd_route_memo *m)
{
	free(m->uri);
	memset(m, 0, sizeof(*m));
}
