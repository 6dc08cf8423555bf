/*
 * Fuzz target: the strict scalar parsers (integers, decimals, timestamps)
 * and the phone and email normalisers, all on the same bytes.
 */
#include <stdint.h>
#include <string.h>

#include "core/parse.h"
#include "core/utf8.h"
#include "normalize/email.h"
#include "normalize/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { "US", "MX", "GT", "HN", "SV", "ZZ", "", "XX" };
	const char *s = (const char *)data;
	int64_t i, t;
	double d;
	struct phone p;
	char email[EMAIL_MAX], out[32];

	(void)parse_i64(s, size, &i);
	(void)parse_double(s, size, &d);
	if (!parse_timestamp(s, size, &t)) {
		format_timestamp(t, out);
		(void)ts_hour(t);
	}
	(void)utf8_valid(s, size, NULL);
	(void)utf8_chars(s, size);
	if (size)
		(void)phone_parse(s + 1, size - 1, regions[data[0] & 7], &p);
	(void)email_normalize(s, size, email);
	return 0;
}
