/*
 * Unit tests of the ads stage's own helpers (src/ads/results.c): the
 * links put in entity order for the shared-identifier step, by counting
 * when the entity ids span a narrow range and by comparison otherwise,
 * must give the order of the comparison sort (entity, then ad).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ads/stage_int.h"

static int by_entity_ad(const void *x, const void *y)
{
	const struct link *a = x, *b = y;

	if (a->entity != b->entity)
		return a->entity < b->entity ? -1 : 1;
	return a->ad < b->ad ? -1 : a->ad > b->ad;
}

/* n links in ad order, up to three distinct entities an ad, drawn from
 * [base, base + span); the sort's result compared with qsort's. */
static void check(size_t n, int64_t base, uint64_t span, unsigned seed)
{
	struct link *in = calloc(n + 1, sizeof *in), *out = calloc(n + 1, sizeof *out), *want = calloc(n + 1, sizeof *want);
	size_t i = 0;
	uint32_t ad = 0;

	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(want);
	srand(seed);
	while (i < n) {
		int k = 1 + rand() % 3, j;

		for (j = 0; j < k && i < n; j++) {
			int64_t e = base + (int64_t)(((uint64_t)rand() * 65599u + (uint64_t)rand()) % span);
			size_t q, dup = 0;

			for (q = i - (size_t)j; q < i; q++)   /* an ad lists an entity once */
				dup |= in[q].entity == e;
			if (dup)
				continue;
			in[i].entity = e;
			in[i].ad = ad;
			in[i].kind = (uint8_t)(e % 4);
			i++;
		}
		ad++;
	}
	memcpy(want, in, n * sizeof *want);
	qsort(want, n, sizeof *want, by_entity_ad);
	assert_int_equal(ads_sort_links(in, n, out), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i].entity, want[i].entity);
		assert_int_equal(out[i].ad, want[i].ad);
		assert_int_equal(out[i].kind, want[i].kind);
	}
	free(in);
	free(out);
	free(want);
}

static void links_dense(void **state)
{
	(void)state;
	check(1, 7, 1, 1);
	check(5000, 1, 3000, 2);          /* many ads per entity */
	check(5000, 1000000, 20000, 3);   /* ids far from 0, one or two ads each */
	check(20000, -50, 100, 4);        /* a few hub entities */
}

static void links_sparse(void **state)
{
	(void)state;
	/* ids spread over a range far wider than the links: the comparison sort */
	check(3000, 1, (uint64_t)1 << 40, 5);
	check(3000, INT64_C(-4000000000000), UINT64_C(8000000000000), 6);
}

static void links_none(void **state)
{
	struct link out[1];

	(void)state;
	assert_int_equal(ads_sort_links(NULL, 0, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(links_dense),
		cmocka_unit_test(links_sparse),
		cmocka_unit_test(links_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
