/*
 * h128map: open-addressing map from 128-bit key hashes to nonzero 64-bit
 * values, for runs that must recognise millions of keys without keeping
 * them: the caller hashes the key (XXH3_128bits) and the hash stands for
 * it.  Two keys collide with a probability of about n^2 / 2^129 (1e-25 at
 * ten million keys).  A value of 0 marks an empty slot.
 */
#ifndef RASTRO_H128MAP_H
#define RASTRO_H128MAP_H

#include <stddef.h>
#include <stdint.h>

struct h128_slot {
	uint64_t lo, hi;
	uint64_t val;  /* 0 = empty */
};

struct h128map {
	struct h128_slot *slots;
	size_t nslots;  /* power of two, or 0 */
	size_t count;
};

void h128map_init(struct h128map *m);
void h128map_release(struct h128map *m);
/*
 * The value of the hash (lo, hi): when it is not in the map yet, *value is
 * 0 and the caller stores a nonzero value there, which adds it.  NULL when
 * out of memory.
 */
uint64_t *h128map_ref(struct h128map *m, uint64_t lo, uint64_t hi);

#endif
