/*
 * arena: chained-block bump allocator.
 */
#include "arena.h"
#include "mem.h"

#include <stdint.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->used_total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;
		mem_free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

void arena_clear(struct arena *a)
{
	struct arena_block *b;

	if (!a->head)
		return;
	b = a->head->next;
	while (b) {
		struct arena_block *next = b->next;
		mem_free(b);
		b = next;
	}
	a->head->next = NULL;
	a->head->used = 0;
	a->used_total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t off;

	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	if (!b || b->size - b->used < n) {
		size_t size = n > a->block_size / 4 ? n : a->block_size;

		/* Big requests get a block of their own behind the current one so
		 * the current block's free space is not wasted. */
		b = mem_alloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		if (a->head && size != a->block_size) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	off = b->used;
	b->used += n;
	a->used_total += n;
	return b->data + off;
}

void *arena_calloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
