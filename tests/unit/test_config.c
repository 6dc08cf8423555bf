/*
 * Unit tests of the settings reader (TOML subset) and its layering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "core/config.h"
#include "core/mem.h"

static void reads_sections_and_types(void **state)
{
	const char *text =
		"# comment\n"
		"top = 1\n"
		"[finance.funnel]\n"
		"min_places = 3   # trailing comment\n"
		"window_days = 2.5\n"
		"enabled = true\n"
		"name = \"Funnel \\\"accounts\\\"\"\n"
		"codes = [\"a\", 'b', 3]\n"
		"multi = [\n  \"x\",\n  \"y\",\n]\n";
	struct cfg *c = cfg_new();
	struct rs_err e;

	(void)state;
	assert_int_equal(cfg_load_string(c, "t.toml", text, strlen(text), &e), 0);
	assert_int_equal(cfg_int(c, "top", 0), 1);
	assert_int_equal(cfg_int(c, "finance.funnel.min_places", 0), 3);
	assert_true(cfg_double(c, "finance.funnel.window_days", 0) == 2.5);
	assert_true(cfg_bool(c, "finance.funnel.enabled", 0));
	assert_string_equal(cfg_str(c, "finance.funnel.name", ""), "Funnel \"accounts\"");
	assert_int_equal(cfg_array_len(c, "finance.funnel.codes"), 3);
	assert_string_equal(cfg_array_str(c, "finance.funnel.codes", 1), "b");
	assert_int_equal(cfg_array_len(c, "finance.funnel.multi"), 2);
	assert_int_equal(cfg_int(c, "missing.key", 77), 77);
	cfg_free(c);
}

static void later_values_override(void **state)
{
	struct cfg *c = cfg_new();
	struct rs_err e;

	(void)state;
	assert_int_equal(cfg_load_string(c, "a", "[x]\nk = 1\n", 10, &e), 0);
	assert_int_equal(cfg_set(c, "x.k=5", &e), 0);
	assert_int_equal(cfg_int(c, "x.k", 0), 5);
	assert_int_equal(cfg_set(c, "x.word=hello world", &e), 0);
	assert_string_equal(cfg_str(c, "x.word", ""), "hello world");
	assert_string_equal(cfg_key(c, 0), "x.k");
	assert_non_null(cfg_raw(c, "x.k"));
	cfg_free(c);
}

static void errors_name_line_and_column(void **state)
{
	struct cfg *c = cfg_new();
	struct rs_err e;

	(void)state;
	assert_int_not_equal(cfg_load_string(c, "bad.toml", "a = 1\nb = \n", 11, &e), 0);
	assert_non_null(strstr(e.msg, "bad.toml:2:"));
	assert_int_not_equal(cfg_load_string(c, "bad.toml", "[x\n", 3, &e), 0);
	assert_non_null(strstr(e.msg, "bad.toml:1:"));
	assert_int_not_equal(cfg_load_string(c, "bad.toml", "k = \"open\n", 10, &e), 0);
	assert_int_not_equal(cfg_load_string(c, "bad.toml", "k = 1 2\n", 8, &e), 0);
	assert_int_not_equal(cfg_load_string(c, "bad.toml", "k = nope\n", 9, &e), 0);
	assert_int_not_equal(cfg_set(c, "novalue", &e), 0);
	cfg_free(c);
}

/* Found by fuzz_config: a float beyond long long's range made cfg_int's
 * conversion undefined behaviour. */
static void huge_floats_clamp(void **state)
{
	const char *text = "big = 1.11111e+28\nsmall = -1e300\narr = [11111111111111111111111111111111]\n";
	struct cfg *c = cfg_new();
	struct rs_err e;

	(void)state;
	assert_int_equal(cfg_load_string(c, "t", text, strlen(text), &e), 0);
	assert_true(cfg_int(c, "big", 0) == LLONG_MAX);
	assert_true(cfg_int(c, "small", 0) == LLONG_MIN);
	assert_true(cfg_double(c, "big", 0) == 1.11111e+28);
	cfg_free(c);
}

static void survives_allocation_failures(void **state)
{
	const char *text = "[a]\nx = 1\ny = \"s\"\nz = [1, 2]\n";
	long n;

	(void)state;
	/* Fail each allocation in turn: always a clean error or success, no leak
	 * (checked by the sanitizer build). */
	for (n = 0; n < 40; n++) {
		struct cfg *c = cfg_new();
		struct rs_err e;

		if (!c)
			continue;
		mem_fail_after(n);
		(void)cfg_load_string(c, "t", text, strlen(text), &e);
		mem_fail_after(-1);
		cfg_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_sections_and_types),
		cmocka_unit_test(later_values_override),
		cmocka_unit_test(errors_name_line_and_column),
		cmocka_unit_test(huge_floats_clamp),
		cmocka_unit_test(survives_allocation_failures),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
