/* A session's memory of the last URI it published to or called, with what checking it and
 * looking it up decided: publishers and callers use a few URIs over and over, and URI rules,
 * permissions and the table lookup cost more than the rest of routing a small message. An
 * entry holds while its realm's broker or dealer epoch is unchanged; the epoch moves whenever
 * a subscription or registration is created or dropped, so a memorised target is never stale
 * (or freed). Only decisions that cannot change otherwise are memorised: static permissions,
 * not a dynamic authorizer's answers. */
#ifndef WD_MEMO_H
#define WD_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_realm;

struct wd_route_memo {
	const struct wd_realm *realm; /* NULL: empty */
	uint64_t epoch;
	char *uri;                    /* owned */
	size_t cap;
	void *target;                 /* subscription or registration; NULL: none */
	bool disclose;
};

/* True if m holds uri for realm at epoch; *target and *disclose are then set. */
bool wd_memo_get(const struct wd_route_memo *m, const struct wd_realm *realm, uint64_t epoch,
		 const char *uri, void **target, bool *disclose);
/* Remembers a decision (uri borrowed and copied). Without memory the memo is just emptied. */
void wd_memo_put(struct wd_route_memo *m, const struct wd_realm *realm, uint64_t epoch,
		 const char *uri, void *target, bool disclose);
/* Empties m (the URI buffer is kept). */
void wd_memo_clear(struct wd_route_memo *m);
void wd_memo_free(struct wd_route_memo *m);

#endif
