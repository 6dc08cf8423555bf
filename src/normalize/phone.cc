/*
 * phone: the C++ side of the libphonenumber shim.  Exceptions never cross
 * into C: every call is wrapped, and any failure is "invalid number".
 */
#include "phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static enum phone_kind kind_of(PhoneNumberUtil::PhoneNumberType t)
{
	switch (t) {
	case PhoneNumberUtil::MOBILE: return PHONE_MOBILE;
	case PhoneNumberUtil::FIXED_LINE: return PHONE_FIXED;
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return PHONE_FIXED_OR_MOBILE;
	case PhoneNumberUtil::UNKNOWN: return PHONE_INVALID;
	default: return PHONE_OTHER;
	}
}

/*
 * IsValidNumber and GetNumberType each look the region up again, and for a
 * shared calling code (+1: two dozen regions) that lookup runs the regions'
 * patterns in turn, and both run the type patterns: together they are the
 * costly part.  So the type is computed once and a number is valid when it
 * has one (IsValidNumber asks exactly that of the region GetNumberType
 * looks up), and a number whose length is impossible for its calling code
 * is refused before any pattern runs (a valid number always has a possible
 * length).
 */
static int fill(const PhoneNumberUtil *util, const PhoneNumber &num, struct phone *out)
{
	std::string e164, region;

	PhoneNumberUtil::PhoneNumberType type;

	if (!util->IsPossibleNumber(num))
		return -1;
	type = util->GetNumberType(num);
	if (type == PhoneNumberUtil::UNKNOWN)
		return -1;
	util->GetRegionCodeForNumber(num, &region);
	util->Format(num, PhoneNumberUtil::E164, &e164);
	if (e164.size() >= sizeof out->e164)
		return -1;
	std::memcpy(out->e164, e164.c_str(), e164.size() + 1);
	std::snprintf(out->region, sizeof out->region, "%s", region.size() == 2 ? region.c_str() : "ZZ");
	out->country_code = num.country_code();
	out->kind = kind_of(type);
	return 0;
}

/*
 * Old Mexican mobile format: +52 1 + 10 digits.  The 10-digit form is the
 * canonical one whenever it is valid, whichever way the "1" came in
 * (national or international writing), so that a normalised number
 * normalises to itself.  Sets *fixed to the 10-digit form and returns true
 * when num is written the old way; the caller checks that form's validity.
 */
static bool without_mexican_mobile_one(const PhoneNumber &num, PhoneNumber *fixed)
{
	std::string nsn;

	if (num.country_code() != 52)
		return false;
	nsn = std::to_string(num.national_number());
	if (nsn.size() != 11 || nsn[0] != '1')
		return false;
	*fixed = num;
	fixed->set_national_number(std::stoull(nsn.substr(1)));
	return true;
}

extern "C" int phone_parse(const char *s, size_t n, const char *default_region, struct phone *out)
{
	try {
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber num;
		std::string text(s, n);

		std::memset(out, 0, sizeof *out);
		if (n == 0 || n > 64)
			return -1;
		if (util->Parse(text, default_region ? default_region : "US", &num) != PhoneNumberUtil::NO_PARSING_ERROR)
			return -1;
		{
			PhoneNumber fixed;

			if (without_mexican_mobile_one(num, &fixed) && fill(util, fixed, out) == 0)
				return 0;
		}
		if (fill(util, num, out) == 0)
			return 0;
		return -1;
	} catch (...) {
		std::memset(out, 0, sizeof *out);
		return -1;
	}
}

/*
 * IsValidNumber first looks up the number's region by trying each region of
 * its calling code in turn (two dozen for +1), then tests the number there.
 * For +1 the United States come first in that list and have no
 * leading-digit pattern, so the lookup stops at them exactly when the number
 * is valid for them: such a number is valid with one test.  Any other number
 * takes the full lookup, so the answer is IsValidNumber's in every case.
 */
static bool valid_number(const PhoneNumberUtil *util, const PhoneNumber &num)
{
	static const bool us_first = [util] {
		std::string main;

		util->GetRegionCodeForCountryCode(1, &main);
		return main == "US";
	}();

	if (us_first && num.country_code() == 1 && util->IsValidNumberForRegion(num, "US"))
		return true;
	return util->IsValidNumber(num);
}

/*
 * Ten digits, the first 2-9, written in the United States with nothing but
 * blanks, brackets, hyphens and dots between them ("(915) 555-0123",
 * "915.555.0123", "9155550123"): Parse would drop the punctuation, take the
 * default region's calling code (1), find no national prefix to strip (the
 * U.S. one is "1"), no extension (that needs "x", "ext", "#" and the like),
 * and keep the ten digits as the national number.  The same number is built
 * here without its regular expressions, which are most of a phone's cost and
 * are serialised across threads (libphonenumber looks each one up in a cache
 * under one lock).  Validity is still libphonenumber's.
 * tests/unit/test_normalize.c checks the two paths agree on random numbers
 * written in each of these ways.
 */
static bool us_ten_digits(const char *s, size_t n, const char *region, PhoneNumber *num)
{
	unsigned long long v = 0;
	size_t i;
	int digits = 0;

	if (n < 10 || n > 20 || !region || std::strcmp(region, "US") != 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			if (digits == 0 && c < '2')
				return false;
			if (++digits > 10)
				return false;
			v = v * 10 + (unsigned long long)(c - '0');
		} else if (c != ' ' && c != '(' && c != ')' && c != '-' && c != '.') {
			return false;
		}
	}
	if (digits != 10)
		return false;
	num->set_country_code(1);
	num->set_national_number(v);
	return true;
}

extern "C" int phone_e164(const char *s, size_t n, const char *default_region, char out[24])
{
	/*
	 * What resolution needs of a number: valid or not, and its E.164
	 * form.  The region and type lookups phone_parse adds each test the
	 * number against every region of its country code (some 25 for +1),
	 * doubling the cost, and resolution never reads them.  The Mexican
	 * old-mobile rule is phone_parse's.
	 */
	try {
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber num;
		std::string text(s, n), e164;

		out[0] = '\0';
		if (n == 0 || n > 64)
			return -1;
		if (!us_ten_digits(s, n, default_region, &num) &&
		    util->Parse(text, default_region ? default_region : "US", &num) != PhoneNumberUtil::NO_PARSING_ERROR)
			return -1;
		{
			PhoneNumber fixed;

			if (without_mexican_mobile_one(num, &fixed) && util->IsValidNumber(fixed))
				num = fixed;
		}
		if (!valid_number(util, num))
			return -1;
		util->Format(num, PhoneNumberUtil::E164, &e164);
		if (e164.size() >= 24)
			return -1;
		std::memcpy(out, e164.c_str(), e164.size() + 1);
		return 0;
	} catch (...) {
		out[0] = '\0';
		return -1;
	}
}

extern "C" const char *phone_region_of(int country_code)
{
	static thread_local char buf[3];

	try {
		std::string region;

		PhoneNumberUtil::GetInstance()->GetRegionCodeForCountryCode(country_code, &region);
		std::snprintf(buf, sizeof buf, "%s", region.size() == 2 ? region.c_str() : "ZZ");
	} catch (...) {
		std::snprintf(buf, sizeof buf, "ZZ");
	}
	return buf;
}
