/*
 * Fuzz target: the street-address and postcode normalisers.  Checks their
 * fixed-size outputs stay NUL-terminated and within bounds.
 */
#include <stdint.h>
#include <string.h>

#include "normalize/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct addr a;
	char pc[16], big[64];
	size_t n;

	addr_normalize(s, size, &a);
	check_str(a.street, sizeof a.street);
	check_str(a.number, sizeof a.number);
	check_str(a.unit, sizeof a.unit);
	n = addr_postcode(s, size, pc, sizeof pc);
	if (n >= sizeof pc || strlen(pc) != n)
		__builtin_trap();
	n = addr_postcode(s, size, big, sizeof big);
	if (n >= sizeof big || strlen(big) != n)
		__builtin_trap();
	return 0;
}
