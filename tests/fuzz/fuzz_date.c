/*
 * Fuzz target: the date-of-birth parser, both day and month orders and a
 * pivot from the first byte.  An accepted date must be in range; a refused
 * one must say why.
 */
#include <stdint.h>
#include <string.h>

#include "normalize/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct date_val v;
	const char *why = NULL;
	enum date_order order;
	int pivot;

	if (size < 1)
		return 0;
	order = (data[0] & 1) ? DATE_MDY : DATE_DMY;
	pivot = (data[0] >> 1) % 100;
	if (date_parse((const char *)data + 1, size - 1, order, pivot, 1900, 2026, &v, &why) == 0) {
		if (v.y && (v.y < 1900 || v.y > 2026))
			__builtin_trap();
		if (v.m < 0 || v.m > 12 || v.d < 0 || v.d > 31)
			__builtin_trap();
	} else if (!why) {
		__builtin_trap();
	}
	return 0;
}
