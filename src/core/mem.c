/*
 * mem: allocation wrapper with a failure-injection hook for tests.
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long fail_countdown = -1; /* -1: hook off */
static long fail_count;

static int should_fail(void)
{
	if (fail_countdown < 0)
		return 0;
	if (fail_countdown == 0) {
		fail_count++;
		return 1;
	}
	fail_countdown--;
	return 0;
}

void mem_fail_after(long n)
{
	fail_countdown = n;
	fail_count = 0;
}

long mem_failures(void)
{
	return fail_count;
}

void *mem_alloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *mem_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *mem_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void mem_free(void *p)
{
	free(p);
}

char *mem_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = mem_alloc(len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

#define BIG_MIN (4u << 20)

void *mem_calloc_big(size_t n)
{
	void *p;

	if (n < BIG_MIN)
		return mem_calloc(1, n);
	if (should_fail())
		return NULL;
	/* Anonymous mappings come zeroed; 2 MiB alignment lets the kernel back
	 * them with huge pages where it allows (madvise mode). */
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

void mem_free_big(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG_MIN)
		mem_free(p);
	else
		munmap(p, n);
}
