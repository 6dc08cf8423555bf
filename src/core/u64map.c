/*
 * u64map: linear-probing hash map with a splitmix finaliser as hash.
 */
#include "u64map.h"
#include "mem.h"

#include <string.h>

#define EMPTY UINT64_MAX

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof *m);
}

void u64map_release(struct u64map *m)
{
	mem_free(m->keys);
	mem_free(m->vals);
	memset(m, 0, sizeof *m);
}

int u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (!m->nslots)
		return 0;
	for (i = mix(key) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
		if (m->keys[i] == EMPTY)
			return 0;
	}
}

static int grow(struct u64map *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 1024, i;
	uint64_t *keys = mem_alloc(n * sizeof *keys);
	uint64_t *vals = mem_alloc(n * sizeof *vals);

	if (!keys || !vals) {
		mem_free(keys);
		mem_free(vals);
		return -1;
	}
	memset(keys, 0xff, n * sizeof *keys);
	for (i = 0; i < m->nslots; i++) {
		size_t j;

		if (m->keys[i] == EMPTY)
			continue;
		for (j = mix(m->keys[i]) & (n - 1); keys[j] != EMPTY; j = (j + 1) & (n - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	mem_free(m->keys);
	mem_free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->nslots = n;
	return 0;
}

uint64_t *u64map_ref(struct u64map *m, uint64_t key, int *created)
{
	size_t i;

	if (created)
		*created = 0;
	if (key == EMPTY)
		return NULL;
	if ((m->count + 1) * 4 >= m->nslots * 3 && grow(m))
		return NULL;
	for (i = mix(key) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (m->keys[i] == EMPTY)
			break;
	}
	m->keys[i] = key;
	m->vals[i] = 0;
	m->count++;
	if (created)
		*created = 1;
	return &m->vals[i];
}

int u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	uint64_t *v = u64map_ref(m, key, NULL);

	if (!v)
		return -1;
	*v = val;
	return 0;
}
