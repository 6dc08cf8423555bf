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
#include "rastro.h"

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

/* --set refuses keys no file names, says the nearest one, and lets through
 * the keys the patterns of `dynamic_keys` describe. */
static void overrides_of_unknown_keys_refused(void **state)
{
	const char *text =
		"[config]\n"
		"dynamic = [\"finance.*.enabled\", \"ads.weights.*\"]\n"
		"[finance.funnel]\n"
		"min_deposit_places = 3\n";
	struct cfg *c = cfg_new();
	struct rs_err e;

	(void)state;
	assert_int_equal(cfg_load_string(c, "t.toml", text, strlen(text), &e), 0);
	assert_int_equal(cfg_set_known(c, "finance.funnel.min_deposit_places=4", "config.dynamic", &e), 0);
	assert_int_equal(cfg_int(c, "finance.funnel.min_deposit_places", 0), 4);
	assert_int_equal(cfg_set_known(c, " finance.funnel.min_deposit_places = 5", "config.dynamic", &e), 0);
	assert_int_equal(cfg_int(c, "finance.funnel.min_deposit_places", 0), 5);
	/* one letter off: refused, value untouched, the right key suggested */
	assert_int_equal(cfg_set_known(c, "finance.funel.min_deposit_places=9", "config.dynamic", &e), RASTRO_USAGE);
	assert_non_null(strstr(e.msg, "'finance.funel.min_deposit_places'"));
	assert_non_null(strstr(e.msg, "did you mean 'finance.funnel.min_deposit_places'"));
	assert_int_equal(cfg_has(c, "finance.funel.min_deposit_places"), 0);
	assert_int_equal(cfg_int(c, "finance.funnel.min_deposit_places", 0), 5);
	/* nothing near: no suggestion */
	assert_int_equal(cfg_set_known(c, "nothing.like.this=1", "config.dynamic", &e), RASTRO_USAGE);
	assert_null(strstr(e.msg, "did you mean"));
	/* the patterns */
	assert_int_equal(cfg_set_known(c, "finance.cycle.enabled=false", "config.dynamic", &e), 0);
	assert_int_equal(cfg_bool(c, "finance.cycle.enabled", 1), 0);
	assert_int_equal(cfg_set_known(c, "ads.weights.SM.NO_VISA=2.5", "config.dynamic", &e), 0);
	assert_int_equal(cfg_set_known(c, "finance.cycle.disabled=1", "config.dynamic", &e), RASTRO_USAGE);
	/* no patterns setting: only named keys */
	assert_int_equal(cfg_set_known(c, "finance.fan_in.enabled=false", "config.none", &e), RASTRO_USAGE);
	/* a malformed assignment is cfg_set's to report */
	assert_int_equal(cfg_set_known(c, "finance.funnel.min_deposit_places", "config.dynamic", &e), RASTRO_USAGE);
	assert_non_null(strstr(e.msg, "key=value"));
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
		cmocka_unit_test(overrides_of_unknown_keys_refused),
		cmocka_unit_test(survives_allocation_failures),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
