/*
 * mem: allocation wrapper with a failure-injection hook for tests.
 */
#include "mem.h"
#include "rastro.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Atomic so that a load's reader and writer threads can both allocate
 * while the hook is armed; relaxed order is enough for a countdown. */
static atomic_long fail_countdown = -1; /* -1: hook off */
static atomic_long fail_count;

static int should_fail(void)
{
	long left = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	while (left >= 0) {
		if (left == 0) {
			atomic_fetch_add_explicit(&fail_count, 1, memory_order_relaxed);
			return 1;
		}
		if (atomic_compare_exchange_weak_explicit(&fail_countdown, &left, left - 1,
							  memory_order_relaxed, memory_order_relaxed))
			return 0;
	}
	return 0;
}

void mem_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
	atomic_store(&fail_count, 0);
}

long mem_failures(void)
{
	return atomic_load(&fail_count);
}

long mem_fail_left(void)
{
	return atomic_load(&fail_countdown);
}

void rastro_test_fail_alloc(long after)
{
	mem_fail_after(after);
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
