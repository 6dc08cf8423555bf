/*
 * Unit tests of the core helpers: buffers, arenas, interning, maps, the
 * random generator, UTF-8 and the strict scalar parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/rng.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/h128map.h"
#include "core/u64map.h"
#include "core/utf8.h"
#include "core/vec.h"

static void sbuf_builds_and_escapes(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	sbuf_init(&sb);
	assert_string_equal(sb.buf, "");
	sbuf_adds(&sb, "a,b");
	sbuf_addf(&sb, "-%d-", 42);
	assert_string_equal(sb.buf, "a,b-42-");
	sbuf_clear(&sb);
	sbuf_add_csv_field(&sb, "say \"hi\", ok", 12);
	assert_string_equal(sb.buf, "\"say \"\"hi\"\", ok\"");
	sbuf_clear(&sb);
	sbuf_add_json_escaped(&sb, "a\"b\n\x01", 5);
	assert_string_equal(sb.buf, "a\\\"b\\n\\u0001");
	sbuf_clear(&sb);
	sbuf_add_xml_escaped(&sb, "<a&b>", 5);
	assert_string_equal(sb.buf, "&lt;a&amp;b&gt;");
	sbuf_release(&sb);
}

static void sbuf_grows_large(void **state)
{
	struct sbuf sb = SBUF_INIT;
	int i;

	(void)state;
	sbuf_init(&sb);
	for (i = 0; i < 100000; i++)
		sbuf_addc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 100000);
	assert_int_equal(sb.buf[99999], 'a' + 99999 % 26);
	assert_int_equal(sb.buf[100000], 0);
	sbuf_release(&sb);
}

static void sbuf_allocation_failure_is_sticky(void **state)
{
	struct sbuf sb = SBUF_INIT;
	char *p;

	(void)state;
	sbuf_init(&sb);
	mem_fail_after(0);
	sbuf_adds(&sb, "hello");
	sbuf_adds(&sb, "world");
	mem_fail_after(-1);
	assert_true(sbuf_failed(&sb));
	p = sbuf_detach(&sb, NULL);
	assert_null(p);
	sbuf_release(&sb);
}

static void arena_allocates_aligned_and_big(void **state)
{
	struct arena a;
	char *s;
	void *big;
	int i;

	(void)state;
	arena_init(&a, 1024);
	for (i = 0; i < 1000; i++) {
		void *p = arena_alloc(&a, (size_t)(i % 37) + 1);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	s = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	big = arena_alloc(&a, 100000);
	assert_non_null(big);
	memset(big, 1, 100000);
	arena_clear(&a);
	assert_int_equal(a.used_total, 0);
	assert_non_null(arena_alloc(&a, 10));
	arena_release(&a);
}

static void strmap_interns_dense_ids(void **state)
{
	struct strmap m;
	char key[32];
	size_t len;
	int i, is_new;

	(void)state;
	strmap_init(&m);
	assert_int_equal(strmap_find(&m, "x", 1), 0);
	for (i = 0; i < 50000; i++) {
		int n = snprintf(key, sizeof key, "acct-%d", i);

		assert_int_equal(strmap_intern(&m, key, (size_t)n, &is_new), (uint32_t)i + 1);
		assert_true(is_new);
	}
	assert_int_equal(strmap_intern(&m, "acct-123", 8, &is_new), 124);
	assert_false(is_new);
	assert_int_equal(strmap_find(&m, "acct-49999", 10), 50000);
	assert_string_equal(strmap_key(&m, 7, &len), "acct-6");
	assert_int_equal(len, 6);
	/* Keys with embedded NUL and the empty key are distinct keys. */
	assert_int_not_equal(strmap_intern(&m, "a\0b", 3, NULL), strmap_intern(&m, "a", 1, NULL));
	assert_int_not_equal(strmap_intern(&m, "", 0, NULL), 0);
	/* A lookup with the hash computed ahead finds the same key, and a new
	 * key interned so is found by the plain lookup. */
	{
		int64_t *v = strmap_intern_value_hashed(&m, "acct-77", 7, strmap_hash("acct-77", 7), &is_new);

		assert_non_null(v);
		assert_false(is_new);
		strmap_prefetch_hashed(&m, strmap_hash("acct-new", 8));
		v = strmap_intern_value_hashed(&m, "acct-new", 8, strmap_hash("acct-new", 8), &is_new);
		assert_non_null(v);
		assert_true(is_new);
		assert_int_not_equal(strmap_find(&m, "acct-new", 8), 0);
	}
	strmap_release(&m);
}

static void u64map_put_get(void **state)
{
	struct u64map m;
	uint64_t v, i;

	(void)state;
	u64map_init(&m);
	for (i = 0; i < 100000; i++)
		assert_int_equal(u64map_put(&m, i * 7919, i), 0);
	for (i = 0; i < 100000; i++) {
		assert_true(u64map_get(&m, i * 7919, &v));
		assert_int_equal(v, i);
	}
	assert_false(u64map_get(&m, 3, &v));
	assert_int_equal(m.count, 100000);
	u64map_release(&m);
}

/* Keys that share the low word (the probe start) but not the high one stay
 * apart; a value handed out empty and left empty is no entry. */
static void h128map_ref_values(void **state)
{
	struct h128map m;
	uint64_t i, *v;

	(void)state;
	h128map_init(&m);
	for (i = 1; i <= 100000; i++) {
		v = h128map_ref(&m, i % 1000, i);
		assert_non_null(v);
		assert_int_equal(*v, 0);
		*v = i;
	}
	for (i = 1; i <= 100000; i++) {
		v = h128map_ref(&m, i % 1000, i);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	v = h128map_ref(&m, 7, 0);
	assert_int_equal(*v, 0);
	v = h128map_ref(&m, 7, 0);
	assert_int_equal(*v, 0);
	assert_true(m.nslots * 3 > m.count * 4);
	h128map_release(&m);
	assert_null(m.slots);
}

static void vec_push_and_grow(void **state)
{
	struct vec v;
	int i, *p;

	(void)state;
	vec_init(&v, sizeof(int));
	for (i = 0; i < 1000; i++)
		assert_int_equal(vec_push(&v, &i), 0);
	assert_int_equal(*(int *)vec_at(&v, 999), 999);
	p = vec_grow(&v, 10);
	assert_non_null(p);
	assert_int_equal(p[9], 0);
	assert_int_equal(v.len, 1010);
	vec_release(&v);
}

static void rng_is_deterministic_and_uniform(void **state)
{
	struct rng a, b;
	int counts[10] = { 0 }, i;
	double mean = 0;

	(void)state;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		assert_int_equal(rng_next(&a), rng_next(&b));
	rng_seed(&a, 7);
	for (i = 0; i < 100000; i++)
		counts[rng_below(&a, 10)]++;
	for (i = 0; i < 10; i++) {
		assert_true(counts[i] > 9500);
		assert_true(counts[i] < 10500);
	}
	for (i = 0; i < 100000; i++)
		mean += rng_poisson(&a, 3.0);
	mean /= 100000;
	assert_true(mean > 2.95 && mean < 3.05);
	/* Streams differ by stream number. */
	rng_seed2(&a, 1, 1);
	rng_seed2(&b, 1, 2);
	assert_int_not_equal(rng_next(&a), rng_next(&b));
}

static void utf8_validation(void **state)
{
	size_t bad;

	(void)state;
	assert_true(utf8_valid("José Núñez 🌹", strlen("José Núñez 🌹"), NULL));
	assert_false(utf8_valid("ab\xff", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("\xc0\xaf", 2, &bad)); /* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
	assert_false(utf8_valid("abcdefgh\xe2\x82", 10, &bad)); /* truncated after fast path */
	assert_int_equal(bad, 8);
	assert_int_equal(utf8_chars("ñandú", strlen("ñandú")), 5);
}

static void parse_numbers_strictly(void **state)
{
	int64_t i;
	double d;

	(void)state;
	assert_null(parse_i64(" 42 ", 4, &i));
	assert_int_equal(i, 42);
	assert_null(parse_i64("-9223372036854775808", 20, &i));
	assert_non_null(parse_i64("9223372036854775808", 19, &i));
	assert_non_null(parse_i64("12a", 3, &i));
	assert_non_null(parse_i64("", 0, &i));
	assert_null(parse_double("3697.34", 7, &d));
	assert_true(d == 3697.34);
	assert_null(parse_double("1e3", 3, &d));
	assert_non_null(parse_double("inf", 3, &d));
	assert_non_null(parse_double("nan", 3, &d));
	assert_non_null(parse_double("0x10", 4, &d));
	assert_non_null(parse_double("1,000", 5, &d));
	assert_non_null(parse_double("1e", 2, &d));
	assert_non_null(parse_double("1e999", 5, &d));
}

static void fast_decimals_match_strtod(void **state)
{
	struct rng r;
	int i;

	(void)state;
	rng_seed(&r, 99);
	for (i = 0; i < 200000; i++) {
		char buf[64];
		double want, got;
		int decimals = (int)rng_below(&r, 7);
		int n = snprintf(buf, sizeof buf, "%.*f", decimals, rng_lognormal(&r, 5.0, 4.0));

		want = strtod(buf, NULL);
		assert_null(parse_double(buf, (size_t)n, &got));
		assert_true(got == want);
	}
	{
		double d;

		assert_null(parse_double("0.000123", 8, &d));
		assert_true(d == 0.000123);
		assert_null(parse_double("-00012.50", 9, &d));
		assert_true(d == -12.5);
		assert_null(parse_double("123456789012345678.5", 20, &d)); /* long: strtod path */
		assert_true(d == 123456789012345678.5);
		assert_non_null(parse_double("1.2.3", 5, &d));
	}
}

static void strmap_values_survive_growth(void **state)
{
	struct strmap m;
	char key[48];
	int i, is_new;

	(void)state;
	strmap_init(&m);
	for (i = 0; i < 20000; i++) {
		/* long keys exercise the path beyond the inline head */
		int n = snprintf(key, sizeof key, "a-rather-long-account-key-%d", i);
		int64_t *v = strmap_intern_value(&m, key, (size_t)n, &is_new);

		assert_non_null(v);
		assert_true(is_new);
		assert_int_equal(*v, 0);
		*v = i * 3;
		strmap_prefetch(&m, key, (size_t)n);
	}
	for (i = 0; i < 20000; i++) {
		int n = snprintf(key, sizeof key, "a-rather-long-account-key-%d", i);

		assert_int_equal(*strmap_intern_value(&m, key, (size_t)n, &is_new), i * 3);
		assert_false(is_new);
	}
	strmap_release(&m);
}

static void parse_timestamps(void **state)
{
	int64_t t;
	char out[32];

	(void)state;
	assert_null(parse_timestamp("2022/09/01 00:20", 16, &t));
	format_timestamp(t, out);
	assert_string_equal(out, "2022-09-01T00:20:00");
	assert_null(parse_timestamp("2017-01-01T00:00:00Z", 20, &t));
	assert_int_equal(t, 1483228800);
	assert_null(parse_timestamp("2017-01-01T02:00:00+02:00", 25, &t));
	assert_int_equal(t, 1483228800);
	assert_null(parse_timestamp("2017-01-01T00:00:00.250", 23, &t));
	assert_null(parse_timestamp("20240229", 8, &t));
	assert_null(parse_timestamp("2024-02-29", 10, &t));
	assert_non_null(parse_timestamp("2023-02-29", 10, &t));
	assert_non_null(parse_timestamp("2023-13-01", 10, &t));
	assert_non_null(parse_timestamp("2023-01-01 24:00", 16, &t));
	assert_non_null(parse_timestamp("01/02/2023", 10, &t));
	assert_non_null(parse_timestamp("2023-01-01x", 11, &t));
	assert_null(parse_timestamp("1969-12-31T23:00:00", 19, &t));
	assert_int_equal(t, -3600);
	format_timestamp(-3600, out);
	assert_string_equal(out, "1969-12-31T23:00:00");
	assert_int_equal(ts_hour(-3600), 23);
	assert_int_equal(ts_weekday(0), 3); /* a Thursday */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sbuf_builds_and_escapes),
		cmocka_unit_test(sbuf_grows_large),
		cmocka_unit_test(sbuf_allocation_failure_is_sticky),
		cmocka_unit_test(arena_allocates_aligned_and_big),
		cmocka_unit_test(strmap_interns_dense_ids),
		cmocka_unit_test(u64map_put_get),
		cmocka_unit_test(h128map_ref_values),
		cmocka_unit_test(vec_push_and_grow),
		cmocka_unit_test(rng_is_deterministic_and_uniform),
		cmocka_unit_test(utf8_validation),
		cmocka_unit_test(parse_numbers_strictly),
		cmocka_unit_test(parse_timestamps),
		cmocka_unit_test(fast_decimals_match_strtod),
		cmocka_unit_test(strmap_values_survive_growth),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
