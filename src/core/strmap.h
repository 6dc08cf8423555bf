/*
 * strmap: string interning.  Each distinct byte string gets a dense id
 * 1, 2, 3... in first-seen order (0 means "absent"), so hot paths compare and
 * index integers instead of strings.  Keys live in an internal arena and stay
 * valid until strmap_release.
 *
 * Lookups are the inner loop of ingest (two account keys per transaction),
 * so a slot carries the hash, the length and the first bytes of its key: a
 * hit on a short key touches one cache line.
 */
#ifndef RASTRO_STRMAP_H
#define RASTRO_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define STRMAP_INLINE 20

struct strmap_slot {
	uint32_t id;                   /* 0 = empty */
	uint32_t tag;                  /* high half of the key's hash */
	uint32_t len;                  /* key length */
	char head[STRMAP_INLINE];      /* first bytes of the key */
	int64_t value;                 /* the caller's value for this key */
};

struct strmap_key {
	const char *s;   /* NUL-terminated copy, owned by the map's arena */
	uint32_t len;
	uint32_t pad;
	uint64_t hash;
};

struct strmap {
	struct strmap_slot *slots;     /* open addressing, linear probing */
	size_t nslots;                 /* power of two */
	struct strmap_key *keys;       /* keys[id - 1] */
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
/* Like strmap_intern, and returns the key's value slot (0 for a new key;
 * the caller stores what it maps the key to).  The pointer is valid until
 * the next insertion.  NULL on allocation failure. */
int64_t *strmap_intern_value(struct strmap *m, const char *s, size_t n, int *is_new);
/* Starts loading the slot where s would be found into the cache, so a
 * lookup a little later does not stall (callers look ahead over a block of
 * rows).  Never changes the map. */
void strmap_prefetch(const struct strmap *m, const char *s, size_t n);
/* The same with the key's hash computed once by the caller (strmap_hash),
 * for a prefetch followed by the lookup. */
uint64_t strmap_hash(const char *s, size_t n);
void strmap_prefetch_hashed(const struct strmap *m, uint64_t h);
int64_t *strmap_intern_value_hashed(struct strmap *m, const char *s, size_t n, uint64_t h, int *is_new);
/* Borrowed key of an id (1..count). */
const char *strmap_key(const struct strmap *m, uint32_t id, size_t *len);
size_t strmap_count(const struct strmap *m);

#endif
