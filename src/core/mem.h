/*
 * mem: the one allocation wrapper every rastro module goes through.
 *
 * Routing all heap traffic through these functions gives tests a single hook
 * to fail the Nth allocation (see mem_fail_after) and prove that every error
 * path releases what it took.  Library code never calls malloc directly.
 */
#ifndef RASTRO_MEM_H
#define RASTRO_MEM_H

#include <stddef.h>

/* Same contracts as malloc/calloc/realloc/free; NULL on failure. */
void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);

/* Copies of strings; NULL on failure.  mem_strndup copies at most n bytes. */
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/*
 * Large tables that are probed at random (hash maps of millions of keys):
 * zeroed memory aligned and advised for transparent huge pages, which cuts
 * the TLB misses of random probes.  Free with mem_free_big(p, n).
 */
void *mem_calloc_big(size_t n);
void mem_free_big(void *p, size_t n);

/*
 * Test hook: after `n` more successful allocations, every allocation fails
 * until mem_fail_after(-1) turns the hook off.  Not thread-safe by design;
 * tests that use it run single-threaded code paths.
 */
void mem_fail_after(long n);

/* Number of allocations failed by the hook since it was last armed. */
long mem_failures(void);

/* Allocations the armed hook still lets succeed (-1 when off): a test arms
 * it with a large count and reads how many allocations a run made. */
long mem_fail_left(void);

#endif
