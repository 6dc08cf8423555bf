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
	mem_free(m->slots);
	mem_free(m->keys);
	arena_release(&m->strings);
	memset(m, 0, sizeof *m);
}

static size_t probe_start(const struct strmap *m, uint64_t h)
{
	return (size_t)h & (m->nslots - 1);
}

uint32_t strmap_find(const struct strmap *m, const char *s, size_t n)
{
	uint64_t h;
	size_t i;

	if (!m->nslots)
		return 0;
	h = XXH3_64bits(s, n);
	for (i = probe_start(m, h);; i = (i + 1) & (m->nslots - 1)) {
		uint32_t id = m->slots[i];
		const struct strmap_key *k;

		if (!id)
			return 0;
		k = &m->keys[id - 1];
		if (k->hash == h && k->len == n && memcmp(k->s, s, n) == 0)
			return id;
	}
}

static int rehash(struct strmap *m, size_t nslots)
{
	uint32_t *slots = mem_calloc(nslots, sizeof *slots);
	size_t id;

	if (!slots)
		return -1;
	for (id = 1; id <= m->count; id++) {
		size_t i = (size_t)m->keys[id - 1].hash & (nslots - 1);

		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t)id;
	}
	mem_free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

uint32_t strmap_intern(struct strmap *m, const char *s, size_t n, int *is_new)
{
	uint64_t h;
	size_t i;
	struct strmap_key *k;

	if (is_new)
		*is_new = 0;
	if (n > UINT32_MAX || m->count >= UINT32_MAX - 1)
		return 0;
	if ((m->count + 1) * 4 >= m->nslots * 3 &&
	    rehash(m, m->nslots ? m->nslots * 2 : 1024))
		return 0;
	h = XXH3_64bits(s, n);
	for (i = probe_start(m, h);; i = (i + 1) & (m->nslots - 1)) {
		uint32_t id = m->slots[i];

		if (!id)
			break;
		k = &m->keys[id - 1];
		if (k->hash == h && k->len == n && memcmp(k->s, s, n) == 0)
			return id;
	}
	if (m->count == m->keycap) {
		size_t cap = m->keycap ? m->keycap * 2 : 1024;
		struct strmap_key *keys = mem_realloc(m->keys, cap * sizeof *keys);

		if (!keys)
			return 0;
		m->keys = keys;
		m->keycap = cap;
	}
	k = &m->keys[m->count];
	k->s = arena_strndup(&m->strings, s, n);
	if (!k->s)
		return 0;
	k->len = (uint32_t)n;
	k->hash = h;
	m->count++;
	m->slots[i] = (uint32_t)m->count;
	if (is_new)
		*is_new = 1;
	return (uint32_t)m->count;
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
