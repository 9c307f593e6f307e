#include "router/heads.h"

#include <stdbool.h>

static json_t *build(size_t size, bool with_dict)
{
	json_t *head = json_array();
	if (head == NULL)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		json_t *v = with_dict && i == size - 1 ? json_null() : json_integer(0);
		if (json_array_append_new(head, v) < 0) {
			json_decref(head);
			return NULL;
		}
	}
	return head;
}

/* An idle head fits if it has the size and its last element is a Dict slot (null) exactly
 * when one is wanted: [50, id, {}] and [17, id, id] have the same size. */
static json_t *take(struct wd_heads *h, size_t size, bool with_dict)
{
	for (size_t i = h->n; i-- > 0;) {
		json_t *head = h->pool[i];
		if (json_array_size(head) == size &&
		    json_is_null(json_array_get(head, size - 1)) == with_dict) {
			h->pool[i] = h->pool[--h->n];
			return head;
		}
	}
	return build(size, with_dict);
}

json_t *wd_heads_get(struct wd_heads *h, int type, size_t n_ids, uint64_t a, uint64_t b,
		     json_t *dict)
{
	size_t size = 1 + n_ids + (dict != NULL);
	json_t *head = take(h, size, dict != NULL);
	if (head == NULL)
		return NULL;
	json_integer_set(json_array_get(head, 0), type);
	json_integer_set(json_array_get(head, 1), (json_int_t)a);
	if (n_ids == 2)
		json_integer_set(json_array_get(head, 2), (json_int_t)b);
	if (dict != NULL && json_array_set(head, size - 1, dict) < 0) {
		json_decref(head);
		return NULL;
	}
	return head;
}

void wd_heads_put(struct wd_heads *h, json_t *head)
{
	size_t size;
	if (head == NULL)
		return;
	size = json_array_size(head);
	/* Reused only if nobody shares it or its integers (json_copy shares elements). */
	bool shared = head->refcount != 1 || h->n == WD_HEADS_POOL || size < 2;
	for (size_t i = 0; i < size && !shared; i++) {
		json_t *v = json_array_get(head, i);
		shared = json_is_integer(v) && v->refcount != 1;
	}
	if (shared) {
		json_decref(head);
		return;
	}
	/* Drop the Dict now rather than when the head is next used. */
	if (json_is_object(json_array_get(head, size - 1)) &&
	    json_array_set(head, size - 1, json_null()) < 0) {
		json_decref(head);
		return;
	}
	h->pool[h->n++] = head;
}

json_t *wd_heads_empty(struct wd_heads *h)
{
	if (h->empty == NULL)
		h->empty = json_object();
	return json_incref(h->empty);
}

void wd_heads_deinit(struct wd_heads *h)
{
	json_decref(h->empty);
	h->empty = NULL;
	while (h->n > 0)
		json_decref(h->pool[--h->n]);
}
