#include "router/map.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/error.h"

struct wd_map_entry {
	struct wd_map_entry *next;
	uint64_t hash; /* the id itself for integer keys */
	const char *skey;
	void *val;
};

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
	for (size_t i = 0; i < m->n_slots; i++) {
		struct wd_map_entry *e = m->slots[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct wd_map_entry **find(const struct wd_map *m, uint64_t hash, const char *skey)
{
	struct wd_map_entry **pp;
	if (m->n_slots == 0)
		return NULL;
	pp = &m->slots[mix(hash) & (m->n_slots - 1)];
	for (; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->hash != hash)
			continue;
		if (skey == NULL ? (*pp)->skey == NULL : ((*pp)->skey && !strcmp((*pp)->skey, skey)))
			return pp;
	}
	return NULL;
}

static int grow(struct wd_map *m)
{
	size_t n = m->n_slots ? m->n_slots * 2 : 8;
	struct wd_map_entry **slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return WD_ENOMEM;
	for (size_t i = 0; i < m->n_slots; i++) {
		struct wd_map_entry *e = m->slots[i], *next;
		for (; e != NULL; e = next) {
			size_t j = mix(e->hash) & (n - 1);
			next = e->next;
			e->next = slots[j];
			slots[j] = e;
		}
	}
	free(m->slots);
	m->slots = slots;
	m->n_slots = n;
	return 0;
}

static int put(struct wd_map *m, uint64_t hash, const char *skey, void *val)
{
	struct wd_map_entry *e;
	size_t i;
	if (m->count >= m->n_slots && grow(m) < 0)
		return WD_ENOMEM;
	if ((e = malloc(sizeof(*e))) == NULL)
		return WD_ENOMEM;
	i = mix(hash) & (m->n_slots - 1);
	e->hash = hash;
	e->skey = skey;
	e->val = val;
	e->next = m->slots[i];
	m->slots[i] = e;
	m->count++;
	return 0;
}

static void *del(struct wd_map *m, uint64_t hash, const char *skey)
{
	struct wd_map_entry **pp = find(m, hash, skey), *e;
	void *val;
	if (pp == NULL)
		return NULL;
	e = *pp;
	*pp = e->next;
	val = e->val;
	free(e);
	m->count--;
	return val;
}

void *wd_map_get(const struct wd_map *m, uint64_t key)
{
	struct wd_map_entry **pp = find(m, key, NULL);
	return pp ? (*pp)->val : NULL;
}

void *wd_map_sget(const struct wd_map *m, const char *key)
{
	struct wd_map_entry **pp = find(m, str_hash(key), key);
	return pp ? (*pp)->val : NULL;
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
		if (m->slots[i] != NULL)
			return m->slots[i];
	return NULL;
}

struct wd_map_entry *wd_map_first(const struct wd_map *m)
{
	return first_from(m, 0);
}

struct wd_map_entry *wd_map_next(const struct wd_map *m, struct wd_map_entry *e)
{
	if (e->next != NULL)
		return e->next;
	return first_from(m, (mix(e->hash) & (m->n_slots - 1)) + 1);
}

void *wd_map_val(const struct wd_map_entry *e)
{
	return e->val;
}

uint64_t wd_map_key(const struct wd_map_entry *e)
{
	return e->hash;
}
