/*
 * Unit tests of entity resolution: normalisers (names, dates, addresses),
 * comparators, the Fellegi–Sunter model, clustering, incremental runs and
 * privacy-preserving encodings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "resolve/er.h"

static void person_kind_columns(void **state)
{
	(void)state;
	assert_int_equal(rec_col(&rk_person, "ext_id"), 0);
	assert_int_equal(rec_col(&rk_person, "status"), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(person_kind_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
