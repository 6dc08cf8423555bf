/*
 * Fuzz target: the JSON line parser's fast path against its reference.
 * Every input is parsed by jdoc with simdjson (jansson for doubtful lines)
 * and by jansson alone; the verdict, message, column and every value of
 * the view must agree, else the target aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_val(const struct jdoc *a, const struct jdoc_val *x, const struct jdoc *b,
		     const struct jdoc_val *y, int top)
{
	size_t k;

	if (x->type != y->type)
		abort();
	switch (x->type) {
	case JDOC_STRING:
		if (x->n != y->n || memcmp(x->s, y->s, x->n) != 0 || x->s[x->n] != '\0')
			abort();
		break;
	case JDOC_INT:
	case JDOC_BOOL:
		if (x->i != y->i)
			abort();
		break;
	case JDOC_REAL:
		if (memcmp(&x->d, &y->d, sizeof x->d) != 0)
			abort();
		break;
	case JDOC_ARRAY:
		if (!top)
			break;
		if (x->count != y->count)
			abort();
		for (k = 0; k < x->count; k++)
			same_val(a, jdoc_item(a, x, k), b, jdoc_item(b, y, k), 0);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jdoc *fast, *ref;
	uint64_t cf, cr;
	char rf[160], rr[160];
	size_t m;
	int a, b;

	if (!fast) {
		fast = jdoc_new();
		ref = jdoc_new();
		if (!fast || !ref)
			abort();
		jdoc_set_fast(ref, 0);
	}
	a = jdoc_parse(fast, (const char *)data, size, &cf, rf, sizeof rf);
	b = jdoc_parse(ref, (const char *)data, size, &cr, rr, sizeof rr);
	if (a == JDOC_NOMEM || b == JDOC_NOMEM)
		return 0;
	if (a != b || cf != cr || strcmp(rf, rr) != 0)
		abort();
	if (a != JDOC_OK)
		return 0;
	if (jdoc_nmembers(fast) != jdoc_nmembers(ref))
		abort();
	for (m = 0; m < jdoc_nmembers(fast); m++) {
		const struct jdoc_member *x = jdoc_member_at(fast, m), *y = jdoc_member_at(ref, m);

		if (x->keylen != y->keylen || memcmp(x->key, y->key, x->keylen) != 0)
			abort();
		same_val(fast, &x->v, ref, &y->v, 1);
	}
	return 0;
}
