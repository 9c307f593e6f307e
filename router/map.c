#include "router/map.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
	return h;
}

void wd_map_init(struct wd_map *m)
{
	memset(m, 0, sizeof(*m));
}

void wd_map_deinit(struct wd_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static size_t home(const struct wd_map *m, uint64_t hash)
{
	return mix(hash) & (m->n_slots - 1);
}

static struct wd_map_entry *find(const struct wd_map *m, uint64_t hash, const char *skey)
{
	if (m->n_slots == 0)
		return NULL;
	for (size_t i = home(m, hash);; i = (i + 1) & (m->n_slots - 1)) {
		struct wd_map_entry *e = &m->slots[i];
		if (!e->used)
			return NULL; /* never full: there is always an empty slot */
		if (e->hash == hash &&
		    (skey == NULL ? e->skey == NULL : (e->skey && !strcmp(e->skey, skey))))
			return e;
	}
}

static void place(struct wd_map *m, const struct wd_map_entry *src)
{
	size_t i = home(m, src->hash);
	while (m->slots[i].used)
		i = (i + 1) & (m->n_slots - 1);
	m->slots[i] = *src;
}

static int grow(struct wd_map *m)
{
	struct wd_map old = *m;
	size_t n = m->n_slots ? m->n_slots * 2 : 8;
	if ((m->slots = calloc(n, sizeof(*m->slots))) == NULL) {
		*m = old;
		return WD_ENOMEM;
	}
	m->n_slots = n;
	for (size_t i = 0; i < old.n_slots; i++)
		if (old.slots[i].used)
			place(m, &old.slots[i]);
	free(old.slots);
	return 0;
}

static int put(struct wd_map *m, uint64_t hash, const char *skey, void *val)
{
	struct wd_map_entry e = {.hash = hash, .skey = skey, .val = val, .used = 1};
	if ((m->count + 1) * 2 > m->n_slots && grow(m) < 0)
		return WD_ENOMEM;
	place(m, &e);
	m->count++;
	return 0;
}

static void *del(struct wd_map *m, uint64_t hash, const char *skey)
{
	struct wd_map_entry *e = find(m, hash, skey);
	size_t mask = m->n_slots - 1, i, j;
	void *val;
	if (e == NULL)
		return NULL;
	val = e->val;
	/* Backward shift: later entries of the probe run move into the hole when their home
	 * slot does not lie (cyclically) between the hole and where they are. */
	i = (size_t)(e - m->slots);
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		size_t k = home(m, m->slots[j].hash);
		if (((j - k) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->count--;
	return val;
}

void *wd_map_get(const struct wd_map *m, uint64_t key)
{
	struct wd_map_entry *e = find(m, key, NULL);
	return e ? e->val : NULL;
}

void *wd_map_sget(const struct wd_map *m, const char *key)
{
	struct wd_map_entry *e = find(m, str_hash(key), key);
	return e ? e->val : NULL;
}

int wd_map_put(struct wd_map *m, uint64_t key, void *val)
{
	return put(m, key, NULL, val);
}

int wd_map_sput(struct wd_map *m, const char *key, void *val)
{
	return put(m, str_hash(key), key, val);
}

void *wd_map_del(struct wd_map *m, uint64_t key)
{
	return del(m, key, NULL);
}

void *wd_map_sdel(struct wd_map *m, const char *key)
{
	return del(m, str_hash(key), key);
}

static struct wd_map_entry *first_from(const struct wd_map *m, size_t i)
{
	for (; i < m->n_slots; i++)
		if (m->slots[i].used)
			return &m->slots[i];
	return NULL;
}

struct wd_map_entry *wd_map_first(const struct wd_map *m)
{
	return first_from(m, 0);
}

struct wd_map_entry *wd_map_next(const struct wd_map *m, struct wd_map_entry *e)
{
	return first_from(m, (size_t)(e - m->slots) + 1);
}

void *wd_map_val(const struct wd_map_entry *e)
{
	return e->val;
}

uint64_t wd_map_key(const struct wd_map_entry *e)
{
	return e->hash;
}
