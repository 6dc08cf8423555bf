/*
 * phone: phone numbers to E.164, through libphonenumber (the reference for
 * world numbering plans) behind a small C shim.
 *
 * Used by every module that meets a phone number: KYC and agency records,
 * ads (after the ad extractor has undone obfuscation), encounters.  One
 * normaliser means "+1 (915) 555-0100", "915.555.0100" and "9155550100" in
 * different sources become the same phone entity.
 */
#ifndef RASTRO_PHONE_H
#define RASTRO_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum phone_kind {
	PHONE_INVALID = 0,
	PHONE_MOBILE,
	PHONE_FIXED,
	PHONE_FIXED_OR_MOBILE,   /* numbering plans that do not tell (US, MX) */
	PHONE_OTHER              /* toll-free, VoIP, pager... */
};

struct phone {
	char e164[24];           /* "+19155550100" */
	char region[3];          /* ISO 3166-1 alpha-2 of the number, "US" */
	int country_code;        /* 1, 52, 502... */
	enum phone_kind kind;
};

/*
 * Parses s (any common written form, with or without +country code) with
 * `default_region` ("US", "MX"...) for numbers written without one.  Returns
 * 0 and fills out when the number is valid for its region, -1 otherwise.
 * Mexican mobiles written with the old "1" after +52 (+52 1 55...) map to
 * the current 10-digit form.  Thread-safe.
 */
int phone_parse(const char *s, size_t n, const char *default_region, struct phone *out);

/* Only the E.164 form (out, 24 bytes) of a valid number, as phone_parse
 * would give it, at about half the cost: no region or type lookup.  0, or
 * -1 when not valid.  Thread-safe. */
int phone_e164(const char *s, size_t n, const char *default_region, char out[24]);

/* The region a country calling code belongs to ("US" for 1), "ZZ" if none. */
const char *phone_region_of(int country_code);

#ifdef __cplusplus
}
#endif

#endif
