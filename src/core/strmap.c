/*
 * strmap: open-addressing interning table keyed by XXH3 hashes.
 */
#include "strmap.h"
#include "mem.h"

#include <string.h>
#include <xxhash.h>

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof *m);
	arena_init(&m->strings, 256 * 1024);
}

void strmap_release(struct strmap *m)
{
	mem_free_big(m->slots, m->nslots * sizeof *m->slots);
	mem_free(m->keys);
	arena_release(&m->strings);
	memset(m, 0, sizeof *m);
}

static void fill_slot(struct strmap_slot *sl, uint32_t id, uint64_t h, const char *s, size_t n)
{
	sl->id = id;
	sl->tag = (uint32_t)(h >> 32);
	sl->len = (uint32_t)n;
	memcpy(sl->head, s, n < STRMAP_INLINE ? n : STRMAP_INLINE);
}

/* 1 when the slot holds exactly s: short keys are decided inside the slot,
 * long ones finish the comparison against the stored copy. */
static int slot_matches(const struct strmap *m, const struct strmap_slot *sl, uint64_t h,
			const char *s, size_t n)
{
	if (sl->tag != (uint32_t)(h >> 32) || sl->len != n)
		return 0;
	if (n <= STRMAP_INLINE)
		return memcmp(sl->head, s, n) == 0;
	return memcmp(sl->head, s, STRMAP_INLINE) == 0 &&
	       memcmp(m->keys[sl->id - 1].s + STRMAP_INLINE, s + STRMAP_INLINE, n - STRMAP_INLINE) == 0;
}

uint32_t strmap_find(const struct strmap *m, const char *s, size_t n)
{
	uint64_t h;
	size_t i;

	if (!m->nslots)
		return 0;
	h = XXH3_64bits(s, n);
	for (i = (size_t)h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		const struct strmap_slot *sl = &m->slots[i];

		if (!sl->id)
			return 0;
		if (slot_matches(m, sl, h, s, n))
			return sl->id;
	}
}

static int rehash(struct strmap *m, size_t nslots)
{
	struct strmap_slot *slots = mem_calloc_big(nslots * sizeof *slots);
	size_t j;

	if (!slots)
		return -1;
	for (j = 0; j < m->nslots; j++) {
		const struct strmap_slot *old = &m->slots[j];
		size_t i;

		if (!old->id)
			continue;
		for (i = (size_t)m->keys[old->id - 1].hash & (nslots - 1); slots[i].id; i = (i + 1) & (nslots - 1))
			;
		slots[i] = *old;
	}
	mem_free_big(m->slots, m->nslots * sizeof *m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

/* Finds or inserts s, whose hash is h; returns its slot (NULL on
 * allocation failure). */
static struct strmap_slot *intern_slot(struct strmap *m, const char *s, size_t n, uint64_t h, int *is_new)
{
	size_t i;
	struct strmap_key *k;
	struct strmap_slot *sl;

	if (is_new)
		*is_new = 0;
	if (n > UINT32_MAX || m->count >= UINT32_MAX - 1)
		return NULL;
	if ((m->count + 1) * 4 >= m->nslots * 3 &&
	    rehash(m, m->nslots ? m->nslots * 2 : 1024))
		return NULL;
	for (i = (size_t)h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		sl = &m->slots[i];
		if (!sl->id)
			break;
		if (slot_matches(m, sl, h, s, n))
			return sl;
	}
	if (m->count == m->keycap) {
		size_t cap = m->keycap ? m->keycap * 2 : 1024;
		struct strmap_key *keys = mem_realloc(m->keys, cap * sizeof *keys);

		if (!keys)
			return NULL;
		m->keys = keys;
		m->keycap = cap;
	}
	k = &m->keys[m->count];
	k->s = arena_strndup(&m->strings, s, n);
	if (!k->s)
		return NULL;
	k->len = (uint32_t)n;
	k->hash = h;
	m->count++;
	fill_slot(sl, (uint32_t)m->count, h, s, n);
	sl->value = 0;
	if (is_new)
		*is_new = 1;
	return sl;
}

uint32_t strmap_intern(struct strmap *m, const char *s, size_t n, int *is_new)
{
	struct strmap_slot *sl = intern_slot(m, s, n, XXH3_64bits(s, n), is_new);

	return sl ? sl->id : 0;
}

int64_t *strmap_intern_value(struct strmap *m, const char *s, size_t n, int *is_new)
{
	struct strmap_slot *sl = intern_slot(m, s, n, XXH3_64bits(s, n), is_new);

	return sl ? &sl->value : NULL;
}

uint64_t strmap_hash(const char *s, size_t n)
{
	return XXH3_64bits(s, n);
}

int64_t *strmap_intern_value_hashed(struct strmap *m, const char *s, size_t n, uint64_t h, int *is_new)
{
	struct strmap_slot *sl = intern_slot(m, s, n, h, is_new);

	return sl ? &sl->value : NULL;
}

void strmap_prefetch_hashed(const struct strmap *m, uint64_t h)
{
	if (m->nslots)
		__builtin_prefetch(&m->slots[(size_t)h & (m->nslots - 1)]);
}

void strmap_prefetch(const struct strmap *m, const char *s, size_t n)
{
	if (m->nslots)
		__builtin_prefetch(&m->slots[(size_t)XXH3_64bits(s, n) & (m->nslots - 1)]);
}

const char *strmap_key(const struct strmap *m, uint32_t id, size_t *len)
{
	if (id == 0 || id > m->count)
		return NULL;
	if (len)
		*len = m->keys[id - 1].len;
	return m->keys[id - 1].s;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}
