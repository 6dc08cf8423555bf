/*
 * vec: growable array of fixed-size elements.
 */
#include "vec.h"
#include "mem.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

void vec_init(struct vec *v, size_t esize)
{
	v->data = NULL;
	v->len = 0;
	v->cap = 0;
	v->esize = esize;
}

void vec_release(struct vec *v)
{
	mem_free(v->data);
	vec_init(v, v->esize);
}

void vec_clear(struct vec *v)
{
	v->len = 0;
}

int vec_reserve(struct vec *v, size_t n)
{
	size_t cap;
	void *p;

	if (n <= v->cap)
		return 0;
	cap = v->cap ? v->cap : 16;
	while (cap < n)
		cap *= 2;
	if (cap > SIZE_MAX / v->esize)
		return -1;
	p = mem_realloc(v->data, cap * v->esize);
	if (!p)
		return -1;
	v->data = p;
	v->cap = cap;
	return 0;
}

int vec_push(struct vec *v, const void *elem)
{
	if (v->len == v->cap && vec_reserve(v, v->len + 1))
		return -1;
	memcpy((char *)v->data + v->len * v->esize, elem, v->esize);
	v->len++;
	return 0;
}

void *vec_grow(struct vec *v, size_t n)
{
	void *p;

	if (vec_reserve(v, v->len + n))
		return NULL;
	p = (char *)v->data + v->len * v->esize;
	memset(p, 0, n * v->esize);
	v->len += n;
	return p;
}

void *vec_at(const struct vec *v, size_t i)
{
	assert(i < v->len && "vec index in range");
	return (char *)v->data + i * v->esize;
}
