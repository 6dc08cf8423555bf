/*
 * extract: identifiers in the free text of ads and posts, in English and
 * Spanish — phones (including obfuscated ones), emails (including "at" /
 * "arroba" spellings), social handles, WhatsApp and Telegram links, prices
 * with their units, stated ages and person names given with a cue
 * ("my name is", "soy").  Cities are found by the gazetteer lexicon in the
 * stage, not here.
 *
 * Everything works on the folded text (text/fold.h) and reports spans in
 * the raw text.  Extraction runs in this order, each step skipping what an
 * earlier one claimed: links, emails, handles, prices and ages (which are
 * also the decoys a phone must not be made of), phones, names.
 *
 * The rules, with the sources of the obfuscations they undo, are in
 * docs/ads.md.  Precision comes before recall, as in the DIG/Memex phone
 * extractor: every phone is validated by libphonenumber.
 */
#ifndef RASTRO_ADS_EXTRACT_H
#define RASTRO_ADS_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/strmap.h"
#include "core/vec.h"
#include "text/fold.h"

enum ads_kind {
	AK_PHONE, AK_EMAIL, AK_HANDLE, AK_LINK, AK_PRICE, AK_AGE, AK_NAME, AK_CITY, AK_IMAGE, AK_N
};

/* "phone", "email"... */
const char *ads_kind_name(int kind);

#define ADS_VALUE_MAX 96

struct ads_ident {
	uint8_t kind;              /* enum ads_kind */
	uint8_t obfuscated;        /* phones: written to defeat search; emails: "at"/"dot" spelled */
	uint16_t num;              /* ages: years; prices: 1 when the amount is a rate per hour */
	uint32_t start, end;       /* raw byte span in the analysed text */
	uint32_t fstart, fend;     /* the same span in the folded text */
	double amount;             /* prices: the amount */
	char value[ADS_VALUE_MAX]; /* normalised value (see ad_ident.value in the schema) */
};

struct ads_xopts {
	const char *region;        /* default region for phones ("US", "MX") */
	const char *site;          /* platform of bare @handles */
	size_t sitelen;
	size_t max_phones;         /* per text (0 = 100) */
	size_t max_parses;         /* libphonenumber calls per text (0 = 4000) */
	int miss_cost;             /* cost of a misspelled number word (0 = 7; ads.misspelling_cost) */
	int url_last;              /* the text is "title \x1e body \x1e url": in the URL, digits glued to
	                            * letters ("/ES13103796") are ids, not phones */
	const struct strmap *names; /* folded given names read as names when capitalised (may be NULL) */
};

struct phone;

/*
 * Recent answers of ads_phone_parse (phones repeat across the ads of one
 * poster, and libphonenumber is the costly part of extraction): a
 * direct-mapped table, one per thread.  Only the E.164 form is kept: a hit
 * fills out->e164 and leaves the other fields zero.
 */
struct ads_pslot {
	char key[32];              /* region + '|' + text as tried ("" = empty slot) */
	int ok;
	char e164[24];
};

struct ads_pshared;

struct ads_pcache {
	struct ads_pslot *slot;    /* allocated on first use */
	size_t mask;               /* slots - 1 (0: no cache) */
	struct ads_pshared *shared; /* second level shared by threads (borrowed; NULL: none) */
};

#define ADS_PCACHE_DEFAULT 65536  /* ads.phone_cache */

/* slots is rounded down to a power of two; fewer than 2 turn the cache off.
 * No shared level until the caller sets c->shared. */
void ads_pcache_init(struct ads_pcache *c, size_t slots);

/* A table of answers shared by the threads of one run (thread-safe), or
 * NULL when slots < 2 or memory ran out (the caches then work alone). */
struct ads_pshared *ads_pshared_new(size_t slots);
void ads_pshared_free(struct ads_pshared *sh);
void ads_pcache_release(struct ads_pcache *c);
/* ads_phone_parse (below) through the cache (c may be NULL: no cache).  A
 * number written with only blanks, brackets, hyphens and dots between its
 * digits is looked up, and parsed, as its digits (the same answer). */
int ads_phone_parse_cached(struct ads_pcache *c, const char *s, size_t n, const char *region, struct phone *out);

/* Working memory, reused across texts; not thread-safe (one per thread). */
struct ads_xwork {
	struct vec atoms;          /* phone-number atoms */
	struct vec claimed;        /* folded spans already taken: uint32_t pairs */
	struct vec seq;            /* scratch */
	struct ads_pcache pc;      /* libphonenumber answers */
	int miss_cost;             /* of the text being read (ads_xopts) */
	uint32_t url_from;         /* folded offset where the URL starts (UINT32_MAX: none) */
	struct ads_siteplat {
		char site[64];     /* a site name met before ("" = empty entry) */
		char plat[64];     /* the platform of its bare @handles */
	} sites[16];               /* a run has few sites: each is looked up once, not once per ad */
	unsigned nextsite;         /* entry replaced next */
};

/* pcache_slots: ads_pcache_init's slots. */
void ads_xwork_init(struct ads_xwork *w, size_t pcache_slots);
void ads_xwork_release(struct ads_xwork *w);

/*
 * Finds every identifier in f (the fold of raw) and appends struct
 * ads_ident to out, in the order of the steps above.  Returns 0 or -1 when
 * memory ran out.  Time is linear in the text, with libphonenumber calls
 * bounded by o->max_parses.
 */
int ads_extract(const struct fold *f, const char *raw, const struct ads_xopts *o, struct ads_xwork *w,
		struct vec *out);

/*
 * A phone as written with the ad's region, falling back to the U.S. and
 * Mexico for numbers without '+' (border ads often give a number of the
 * other side).  0 and out->e164 filled (the other fields zero), or -1.
 */
int ads_phone_parse(const char *s, size_t n, const char *region, struct phone *out);

/* 0 when libphonenumber cannot find s valid in region (nor in the U.S. or
 * Mexico), without asking it; 1 when it might (ads_phone_parse's
 * pre-test; exact, see ads_phone.c). */
int ads_phone_plausible(const char *s, size_t n, const char *region);

/* Phones only (used by ads_extract after the decoys are claimed). */
int ads_extract_phones(const struct fold *f, const char *raw, const struct ads_xopts *o, struct ads_xwork *w,
		       struct vec *out);

/* 1 when folded span [a, b) overlaps a claimed span. */
int ads_claimed(const struct ads_xwork *w, uint32_t a, uint32_t b);
int ads_claim(struct ads_xwork *w, uint32_t a, uint32_t b);

#endif
