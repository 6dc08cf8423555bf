/*
 * u64map: open-addressing map from 64-bit keys to 64-bit values.
 * Used to translate workspace ids into dense in-memory indexes.
 * The key UINT64_MAX is reserved (it marks empty slots).
 */
#ifndef RASTRO_U64MAP_H
#define RASTRO_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	size_t nslots;  /* power of two, or 0 */
	size_t count;
};

void u64map_init(struct u64map *m);
void u64map_release(struct u64map *m);
/* 1 and *val set when present, else 0. */
int u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
/* Inserts or overwrites; 0 or -1 on allocation failure. */
int u64map_put(struct u64map *m, uint64_t key, uint64_t val);
/* Pointer to the value slot of key, created (value 0) when absent; NULL on failure. */
uint64_t *u64map_ref(struct u64map *m, uint64_t key, int *created);

#endif
