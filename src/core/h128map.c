/*
 * h128map: linear probing on the hash's low word (already uniform: it is
 * a hash), grown at three quarters full.
 */
#include "h128map.h"
#include "mem.h"

#include <string.h>

void h128map_init(struct h128map *m)
{
	memset(m, 0, sizeof *m);
}

void h128map_release(struct h128map *m)
{
	mem_free(m->slots);
	memset(m, 0, sizeof *m);
}

static int grow(struct h128map *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 4096, i;
	struct h128_slot *s = mem_calloc(n, sizeof *s);

	if (!s)
		return -1;
	for (i = 0; i < m->nslots; i++) {
		size_t j;

		if (!m->slots[i].val)
			continue;
		for (j = m->slots[i].lo & (n - 1); s[j].val; j = (j + 1) & (n - 1))
			;
		s[j] = m->slots[i];
	}
	mem_free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

uint64_t *h128map_ref(struct h128map *m, uint64_t lo, uint64_t hi)
{
	size_t j;

	/* counted when handed out empty: a slot the caller then leaves empty
	 * only makes the map grow a little sooner */
	if ((m->count + 1) * 4 >= m->nslots * 3 && grow(m))
		return NULL;
	for (j = lo & (m->nslots - 1); m->slots[j].val; j = (j + 1) & (m->nslots - 1))
		if (m->slots[j].lo == lo && m->slots[j].hi == hi)
			return &m->slots[j].val;
	m->slots[j].lo = lo;
	m->slots[j].hi = hi;
	m->count++;
	return &m->slots[j].val;
}
