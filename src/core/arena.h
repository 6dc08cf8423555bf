/*
 * arena: bump allocator for per-run data.
 *
 * Everything allocated from an arena is freed at once by arena_release (or
 * recycled by arena_clear).  Hot paths that would otherwise malloc per row
 * take their small strings and structs from an arena instead.
 */
#ifndef RASTRO_ARENA_H
#define RASTRO_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;  /* current block; older blocks chain behind */
	size_t block_size;         /* default size of new blocks */
	size_t used_total;         /* bytes handed out, for reports */
};

void arena_init(struct arena *a, size_t block_size); /* 0 = 64 KiB */
void arena_release(struct arena *a);
void arena_clear(struct arena *a);  /* frees all blocks but the first, rewinds it */

/* Aligned to 16 bytes; NULL on allocation failure. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
/* Copies n bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
