/*
 * Unit tests of the shared normalisers: phones (U.S., Mexico with and
 * without the old mobile "1", Central America) and emails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "normalize/email.h"
#include "normalize/phone.h"

/* phone_parse and the lighter phone_e164 (resolution's) must agree */
static void e164(const char *in, const char *region, const char *want)
{
	struct phone p;
	char out[24];

	assert_int_equal(phone_parse(in, strlen(in), region, &p), 0);
	assert_string_equal(p.e164, want);
	assert_int_equal(phone_e164(in, strlen(in), region, out), 0);
	assert_string_equal(out, want);
}

static void invalid(const char *in, const char *region)
{
	struct phone p;
	char out[24];

	assert_int_equal(phone_parse(in, strlen(in), region, &p), -1);
	assert_int_equal(phone_e164(in, strlen(in), region, out), -1);
}

static void phones_to_e164(void **state)
{
	struct phone p;

	(void)state;
	e164("(915) 555-0123", "US", "+19155550123");
	e164("915.555.0123", "US", "+19155550123");
	e164("+1 915 555 0123", "MX", "+19155550123");
	e164("1-915-555-0123", "US", "+19155550123");
	e164("55 1234 5678", "MX", "+525512345678");
	e164("+52 1 55 1234 5678", "US", "+525512345678");   /* old mobile "1" */
	e164("+52 656 123 4567", "US", "+526561234567");     /* Ciudad Juárez */
	e164("+502 5123 4567", "US", "+50251234567");        /* Guatemala mobile */
	e164("+504 9123 4567", "US", "+50491234567");        /* Honduras */
	e164("+503 7123 4567", "US", "+50371234567");        /* El Salvador */
	assert_int_equal(phone_parse("+52 656 123 4567", 16, "US", &p), 0);
	assert_string_equal(p.region, "MX");
	assert_int_equal(p.country_code, 52);
	assert_string_equal(phone_region_of(502), "GT");
}

static void written_as(int form, const char *d, char *out, size_t n)
{
	switch (form) {
	case 0: snprintf(out, n, "%s", d); break;
	case 1: snprintf(out, n, "(%.3s) %.3s-%s", d, d + 3, d + 6); break;
	case 2: snprintf(out, n, "%.3s-%.3s-%s", d, d + 3, d + 6); break;
	case 3: snprintf(out, n, "%.3s.%.3s.%s", d, d + 3, d + 6); break;
	default: snprintf(out, n, "%.3s %.3s %s", d, d + 3, d + 6); break;
	}
}

/* phone_e164 builds ten-digit U.S. numbers (plain or with the usual
 * punctuation) without libphonenumber's
 * parser: on random digits, and on the edges (leading 0 or 1, N11 and 555
 * exchanges), it must give exactly what the parser gives. */
static void e164_shortcut_agrees_with_parser(void **state)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char in[11], text[24], out[24];
	struct phone p;
	int i, k, valid = 0;

	(void)state;
	for (i = 0; i < 6000; i++) {
		for (k = 0; k < 10; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[k] = (char)('0' + (int)(x % 10));
		}
		if (i % 3 == 1)
			memcpy(in + 3, "555", 3);
		else if (i % 3 == 2)
			memcpy(in + 1, "11", 2);
		in[10] = '\0';
		/* as written: plain, (915) 555-0123, 915-555-0123, 915.555.0123, 915 555 0123 */
		written_as(i % 5, in, text, sizeof text);
		k = phone_parse(text, strlen(text), "US", &p);
		assert_int_equal(phone_e164(text, strlen(text), "US", out), k);
		if (k == 0) {
			assert_string_equal(out, p.e164);
			valid++;
		}
	}
	assert_true(valid > 1000);  /* both outcomes were exercised */
	assert_true(valid < 6000);
}

static void phone_decoys_rejected(void **state)
{
	(void)state;
	invalid("24/7", "US");
	invalid("2300", "US");
	invalid("555", "US");
	invalid("", "US");
	invalid("call me maybe", "US");
	invalid("123 456 7890", "US");      /* US area codes never start with 1 */
	invalid("12345678901234567890123", "US");
}

static void emails_normalised(void **state)
{
	char out[EMAIL_MAX];

	(void)state;
	assert_int_equal(email_normalize("Rosa.Tz+ads@GMail.com", 21, out), 0);
	assert_string_equal(out, "rosatz@gmail.com");
	assert_int_equal(email_normalize(" mailto:J.Ramos@Example.COM ", 28, out), 0);
	assert_string_equal(out, "j.ramos@example.com");
	assert_int_equal(email_normalize("x@googlemail.com", 16, out), 0);
	assert_string_equal(out, "x@gmail.com");
	assert_int_equal(email_normalize("no-at-sign.com", 14, out), -1);
	assert_int_equal(email_normalize("a@b", 3, out), -1);
	assert_int_equal(email_normalize("a@@b.com", 8, out), -1);
	assert_int_equal(email_normalize("+tag@b.com", 10, out), -1);
	assert_int_equal(email_normalize("a b@c.com", 9, out), -1);
	/* a NUL byte in the local part (fuzzing found it accepted) */
	assert_int_equal(email_normalize("\0x@y.co", 7, out), -1);
	assert_int_equal(email_normalize("a\0b@y.co", 8, out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phones_to_e164),
		cmocka_unit_test(e164_shortcut_agrees_with_parser),
		cmocka_unit_test(phone_decoys_rejected),
		cmocka_unit_test(emails_normalised),
	};

	return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
