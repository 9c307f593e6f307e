/* Hash maps keyed by uint64 IDs or by strings, with open addressing (linear probing, deletion
 * by backward shift): entries live in the slot array, so a put or a delete allocates nothing
 * but an occasional larger array. A call routes through two of them per message. Values are
 * borrowed pointers; string keys are borrowed too (they must outlive their entry, e.g. point
 * into the value). */
#ifndef WD_MAP_H
#define WD_MAP_H

#include <stddef.h>
#include <stdint.h>

struct wd_map_entry {
	uint64_t hash; /* the id itself for integer keys */
	const char *skey;
	void *val;
	int used;
};

struct wd_map {
	struct wd_map_entry *slots;
	size_t n_slots; /* power of two, or 0 before the first insert; at most half full */
	size_t count;
};

/* Zero-initialise a struct wd_map, or call wd_map_init. */
void wd_map_init(struct wd_map *m);
/* Frees the table (not the values). */
void wd_map_deinit(struct wd_map *m);

/* Return the value or NULL. */
void *wd_map_get(const struct wd_map *m, uint64_t key);
void *wd_map_sget(const struct wd_map *m, const char *key);
/* Insert; the key must not be present. Return 0 or WD_ENOMEM. */
int wd_map_put(struct wd_map *m, uint64_t key, void *val);
int wd_map_sput(struct wd_map *m, const char *key, void *val);
/* Remove and return the value, or NULL if absent. */
void *wd_map_del(struct wd_map *m, uint64_t key);
void *wd_map_sdel(struct wd_map *m, const char *key);

/* Iteration: for (it = wd_map_first(m); it; it = wd_map_next(m, it)) val = wd_map_val(it).
 * Do not insert or delete while iterating (entries move); collect first. */
struct wd_map_entry *wd_map_first(const struct wd_map *m);
struct wd_map_entry *wd_map_next(const struct wd_map *m, struct wd_map_entry *e);
void *wd_map_val(const struct wd_map_entry *e);
uint64_t wd_map_key(const struct wd_map_entry *e);

#endif
