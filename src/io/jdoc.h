/*
 * jdoc: one line of JSON Lines parsed into a flat, borrowed view of its
 * top-level object — each member's key and value, and the items of the
 * arrays it holds.  Formats read their fields from this view.
 *
 * simdjson parses the line into buffers the parser keeps from line to
 * line (no allocation per value, unlike a tree of jansson values); jansson
 * stays the reference for what is valid: any line the fast path has a doubt
 * about (a parse error, a duplicate key at any depth, a NUL character, an
 * integer beyond 64 bits) is parsed again by jansson with the flags ingest
 * has always used, so a bad line gets jansson's message and column, and a
 * good one the same values, whichever parser read it.
 */
#ifndef RASTRO_JDOC_H
#define RASTRO_JDOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct jdoc;

enum jdoc_type { JDOC_NULL, JDOC_BOOL, JDOC_INT, JDOC_REAL, JDOC_STRING, JDOC_ARRAY, JDOC_OBJECT };

/* A value: scalars in full; arrays of the top-level object with their items;
 * deeper arrays and objects by type only. */
struct jdoc_val {
	int type;                  /* enum jdoc_type */
	const char *s;             /* JDOC_STRING: NUL-terminated, holds no NUL */
	size_t n;                  /* JDOC_STRING: length in bytes */
	int64_t i;                 /* JDOC_INT; JDOC_BOOL: 0 or 1 */
	double d;                  /* JDOC_REAL */
	size_t first, count;       /* JDOC_ARRAY of the top level: items first..first+count-1 */
};

struct jdoc_member {
	const char *key;           /* NUL-terminated, holds no NUL */
	size_t keylen;
	struct jdoc_val v;
};

enum { JDOC_OK = 0, JDOC_BAD = 1, JDOC_NOT_OBJECT = 2, JDOC_NOMEM = -1 };

/* A parser, reused line after line; NULL when memory ran out. */
struct jdoc *jdoc_new(void);
void jdoc_free(struct jdoc *d);
/* Test hook: 0 makes every line go through jansson alone. */
void jdoc_set_fast(struct jdoc *d, int on);

/*
 * Parses one line (s, n: need not be NUL-terminated).  JDOC_OK: the view
 * holds its object until the next call.  JDOC_BAD: not valid JSON, with
 * jansson's 1-based column in *col and its message in reason.
 * JDOC_NOT_OBJECT: valid JSON but not an object.  JDOC_NOMEM.
 */
int jdoc_parse(struct jdoc *d, const char *s, size_t n, uint64_t *col, char *reason, size_t reasonn);

/* The members of the last object parsed, in the line's order. */
size_t jdoc_nmembers(const struct jdoc *d);
const struct jdoc_member *jdoc_member_at(const struct jdoc *d, size_t i);
/* The member named key (NUL-terminated), NULL when absent. */
const struct jdoc_val *jdoc_get(const struct jdoc *d, const char *key);
/* Item k of an array member (k < its count). */
const struct jdoc_val *jdoc_item(const struct jdoc *d, const struct jdoc_val *array, size_t k);
/* 1 when the last line went through jansson (statistics and tests). */
int jdoc_slow(const struct jdoc *d);

#ifdef __cplusplus
}
#endif

#endif
