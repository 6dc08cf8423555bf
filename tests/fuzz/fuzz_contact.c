/*
 * Fuzz target: the phone (libphonenumber shim) and email normalisers on
 * their own, with properties: an accepted phone is "+" and digits and
 * parses back to itself; an accepted email has one "@" and normalises to
 * itself.
 */
#include <stdint.h>
#include <string.h>

#include "normalize/email.h"
#include "normalize/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { "US", "MX", "GT", "HN", "SV", "CA", "ZZ", "" };
	const char *s = (const char *)data;
	struct phone p, q;
	char email[EMAIL_MAX], again[EMAIL_MAX];
	const char *at;
	size_t i;

	if (size < 1)
		return 0;
	if (phone_parse(s + 1, size - 1, regions[data[0] & 7], &p) == 0) {
		size_t n = strnlen(p.e164, sizeof p.e164);

		if (n < 2 || n >= sizeof p.e164 || p.e164[0] != '+')
			__builtin_trap();
		for (i = 1; i < n; i++)
			if (p.e164[i] < '0' || p.e164[i] > '9')
				__builtin_trap();
		if (phone_parse(p.e164, n, "ZZ", &q) || strcmp(p.e164, q.e164))
			__builtin_trap();
		(void)phone_region_of(p.country_code);
	}
	if (email_normalize(s, size, email) == 0) {
		size_t n = strnlen(email, EMAIL_MAX);

		if (n == EMAIL_MAX || !(at = strchr(email, '@')) || strchr(at + 1, '@'))
			__builtin_trap();
		if (email_normalize(email, n, again) || strcmp(email, again))
			__builtin_trap();
	}
	return 0;
}
