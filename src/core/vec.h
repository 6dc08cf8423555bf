/*
 * vec: a growable array of fixed-size elements.
 *
 * Used for the columnar in-memory arrays of the hot paths (transaction
 * columns, edge lists).  Elements are stored contiguously; `data` may move on
 * growth, so never keep pointers into a vec across a push.
 */
#ifndef RASTRO_VEC_H
#define RASTRO_VEC_H

#include <stddef.h>

struct vec {
	void *data;    /* owned; NULL while empty */
	size_t len;    /* elements in use */
	size_t cap;    /* elements allocated */
	size_t esize;  /* bytes per element */
};

void vec_init(struct vec *v, size_t esize);
void vec_release(struct vec *v);
void vec_clear(struct vec *v);

/* Makes room for `n` elements in total; 0 or -1 on allocation failure. */
int vec_reserve(struct vec *v, size_t n);
/* Appends one element copied from `elem`; 0 or -1. */
int vec_push(struct vec *v, const void *elem);
/* Appends n zeroed elements and returns a pointer to the first, or NULL. */
void *vec_grow(struct vec *v, size_t n);
/* Pointer to element i (no bounds check beyond an assert). */
void *vec_at(const struct vec *v, size_t i);

#endif
