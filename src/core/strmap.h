/*
 * strmap: string interning.  Each distinct byte string gets a dense id
 * 1, 2, 3... in first-seen order (0 means "absent"), so hot paths compare and
 * index integers instead of strings.  Keys live in an internal arena and stay
 * valid until strmap_release.
 */
#ifndef RASTRO_STRMAP_H
#define RASTRO_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct strmap_key {
	const char *s;   /* NUL-terminated copy, owned by the map's arena */
	uint32_t len;
	uint32_t pad;
	uint64_t hash;
};

struct strmap {
	uint32_t *slots;          /* open-addressing table of ids (0 = empty) */
	size_t nslots;            /* power of two */
	struct strmap_key *keys;  /* keys[id - 1] */
	size_t count;
	size_t keycap;
	struct arena strings;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);

/* Id of s, or 0 when absent. */
uint32_t strmap_find(const struct strmap *m, const char *s, size_t n);
/* Id of s, adding it when absent (*is_new set if given); 0 on allocation failure. */
uint32_t strmap_intern(struct strmap *m, const char *s, size_t n, int *is_new);
/* Borrowed key of an id (1..count). */
const char *strmap_key(const struct strmap *m, uint32_t id, size_t *len);
size_t strmap_count(const struct strmap *m);

#endif
