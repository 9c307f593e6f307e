/* Message heads ([Type, ID, ID?, Dict?]) without allocation. Routing one publication or call
 * builds two or three of them (EVENT and PUBLISHED, INVOCATION and RESULT), and json_pack
 * costs about five allocations and a format parse each. Heads are lent from a small pool and
 * rewritten in place; a nested user (a receiver that publishes while a head is lent) simply
 * gets another one. */
#ifndef WD_HEADS_H
#define WD_HEADS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define WD_HEADS_POOL 8

struct wd_heads {
	json_t *pool[WD_HEADS_POOL]; /* idle heads; a Dict slot holds null while idle */
	size_t n;
	json_t *empty;               /* shared {} (see wd_heads_empty) */
};

/* Returns [type, a] or [type, a, b] (n_ids 1 or 2), followed by dict when it is not NULL (a
 * reference is taken), or NULL (no memory). Give it back with wd_heads_put; the caller must
 * not keep other references to it. */
json_t *wd_heads_get(struct wd_heads *h, int type, size_t n_ids, uint64_t a, uint64_t b,
		     json_t *dict);
/* Takes head back (NULL-safe); it is pooled if nobody else holds it, else released. */
void wd_heads_put(struct wd_heads *h, json_t *head);
/* Returns a new reference to a shared empty dict, for Details that stay empty (most EVENT,
 * INVOCATION and RESULT messages), or NULL (no memory). Never modify it. */
json_t *wd_heads_empty(struct wd_heads *h);
void wd_heads_deinit(struct wd_heads *h);

#endif
