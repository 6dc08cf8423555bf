/*
 * vic_vocab: the controlled vocabularies of the victims module — services a
 * provider offers, populations it serves, languages, and screening answers.
 * Directory files and encounter records are written by people, so the
 * readers fold case, separators and accents and accept common spellings;
 * anything still unknown is reported (and the row quarantined) rather than
 * guessed.
 */
#include "victims.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/strmap.h"

const char *const vic_services[SVC_N] = {
	"shelter", "safe_house", "mental_health", "medical", "legal", "t_visa", "u_visa",
	"employment", "education", "language_access", "case_management", "substance_use",
	"childcare",
};

const char *const vic_populations[POP_N] = {
	"adults", "minors", "men", "women", "lgbtq", "labor", "sex_trafficking",
	"smuggled_migrants", "families",
};

/* Other spellings met in directories (after folding). */
struct alias {
	const char *name;
	int value;
};

static const struct alias service_aliases[] = {
	{ "emergency_shelter", SVC_SHELTER }, { "housing", SVC_SHELTER },
	{ "transitional_housing", SVC_SHELTER }, { "safehouse", SVC_SAFE_HOUSE },
	{ "mental_health_services", SVC_MENTAL_HEALTH }, { "counseling", SVC_MENTAL_HEALTH },
	{ "counselling", SVC_MENTAL_HEALTH }, { "health", SVC_MEDICAL }, { "health_care", SVC_MEDICAL },
	{ "healthcare", SVC_MEDICAL }, { "legal_services", SVC_LEGAL }, { "immigration_legal", SVC_LEGAL },
	{ "tvisa", SVC_T_VISA }, { "uvisa", SVC_U_VISA }, { "jobs", SVC_EMPLOYMENT },
	{ "job_training", SVC_EMPLOYMENT }, { "post_secondary_education", SVC_EDUCATION },
	{ "interpretation", SVC_LANGUAGE_ACCESS }, { "interpreting", SVC_LANGUAGE_ACCESS },
	{ "translation", SVC_LANGUAGE_ACCESS }, { "case_manager", SVC_CASE_MANAGEMENT },
	{ "substance_abuse", SVC_SUBSTANCE_USE }, { "addiction", SVC_SUBSTANCE_USE },
	{ "child_care", SVC_CHILDCARE },
};

static const struct alias population_aliases[] = {
	{ "adult", POP_ADULTS }, { "minor", POP_MINORS }, { "youth", POP_MINORS },
	{ "children", POP_MINORS }, { "child", POP_MINORS }, { "male", POP_MEN },
	{ "female", POP_WOMEN }, { "lgbt", POP_LGBTQ }, { "lgbtq+", POP_LGBTQ },
	{ "lgbtqia", POP_LGBTQ }, { "lgbtqia+", POP_LGBTQ }, { "labour", POP_LABOR },
	{ "labor_trafficking", POP_LABOR }, { "labour_trafficking", POP_LABOR },
	{ "sex", POP_SEX_TRAFFICKING }, { "migrants", POP_SMUGGLED_MIGRANTS },
	{ "smuggled", POP_SMUGGLED_MIGRANTS }, { "family", POP_FAMILIES },
};

/* Lower-cases ASCII and turns spaces, hyphens and slashes into '_'. */
static size_t fold_word(const char *s, size_t n, char *out, size_t outn)
{
	size_t i, k = 0;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (i = 0; i < n && k + 1 < outn; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c == ' ' || c == '-' || c == '/')
			c = '_';
		if (c == '_' && k && out[k - 1] == '_')
			continue;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return i < n ? 0 : k;   /* too long: report as unknown */
}

static int lookup(const char *s, size_t n, const char *const *names, size_t nnames,
		  const struct alias *aliases, size_t naliases)
{
	char w[64];
	size_t i;

	if (!fold_word(s, n, w, sizeof w))
		return -1;
	for (i = 0; i < nnames; i++)
		if (strcmp(w, names[i]) == 0)
			return (int)i;
	for (i = 0; i < naliases; i++)
		if (strcmp(w, aliases[i].name) == 0)
			return aliases[i].value;
	return -1;
}

int vic_service_parse(const char *s, size_t n)
{
	return lookup(s, n, vic_services, SVC_N, service_aliases,
		      sizeof service_aliases / sizeof service_aliases[0]);
}

int vic_population_parse(const char *s, size_t n)
{
	return lookup(s, n, vic_populations, POP_N, population_aliases,
		      sizeof population_aliases / sizeof population_aliases[0]);
}

static int list_mask(const char *s, size_t n, uint32_t *mask, char *bad, size_t badn,
		     int (*parse)(const char *, size_t))
{
	size_t i = 0;

	*mask = 0;
	while (i < n) {
		size_t j = i;
		int v;

		while (j < n && s[j] != ';')
			j++;
		{
			const char *w = s + i;
			size_t wn = j - i;

			while (wn && (*w == ' ' || *w == '\t')) {
				w++;
				wn--;
			}
			while (wn && (w[wn - 1] == ' ' || w[wn - 1] == '\t'))
				wn--;
			if (wn) {
				v = parse(w, wn);
				if (v < 0) {
					snprintf(bad, badn, "%.*s", (int)(wn > 40 ? 40 : wn), w);
					return -1;
				}
				*mask |= 1u << v;
			}
		}
		i = j + 1;
	}
	return 0;
}

int vic_services_mask(const char *s, size_t n, uint32_t *mask, char *bad, size_t badn)
{
	return list_mask(s, n, mask, bad, badn, vic_service_parse);
}

int vic_populations_mask(const char *s, size_t n, uint32_t *mask, char *bad, size_t badn)
{
	return list_mask(s, n, mask, bad, badn, vic_population_parse);
}

void vic_mask_names(uint32_t mask, const char *const *names, size_t nnames, char *out, size_t outn)
{
	size_t i, k = 0;

	if (outn)
		out[0] = '\0';
	for (i = 0; i < nnames && k < outn; i++) {
		int w;

		if (!(mask & (1u << i)))
			continue;
		w = snprintf(out + k, outn - k, "%s%s", k ? ";" : "", names[i]);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

/*
 * Language names (English and Spanish, after case and accent folding) and
 * their ISO 639-1 codes.  Languages without a 639-1 code (Mam, K'iche',
 * Q'eqchi', Kaqchikel, Mixtec...) are kept by their folded name, as the
 * format says.
 */
static const struct {
	const char *name;
	const char *code;
} language_names[] = {
	{ "english", "en" }, { "ingles", "en" }, { "spanish", "es" }, { "espanol", "es" },
	{ "castellano", "es" }, { "french", "fr" }, { "frances", "fr" }, { "portuguese", "pt" },
	{ "portugues", "pt" }, { "haitian creole", "ht" }, { "creole", "ht" }, { "kreyol", "ht" },
	{ "chinese", "zh" }, { "mandarin", "zh" }, { "chino", "zh" }, { "vietnamese", "vi" },
	{ "korean", "ko" }, { "russian", "ru" }, { "ruso", "ru" }, { "ukrainian", "uk" },
	{ "arabic", "ar" }, { "arabe", "ar" }, { "tagalog", "tl" }, { "filipino", "tl" },
	{ "hindi", "hi" }, { "thai", "th" }, { "tailandes", "th" }, { "romanian", "ro" },
	{ "rumano", "ro" }, { "nepali", "ne" }, { "swahili", "sw" }, { "somali", "so" },
	{ "amharic", "am" }, { "indonesian", "id" }, { "japanese", "ja" }, { "polish", "pl" },
	{ "bengali", "bn" }, { "urdu", "ur" }, { "punjabi", "pa" }, { "tigrinya", "ti" },
	{ "quiche", "k'iche'" }, { "k'iche", "k'iche'" }, { "kiche", "k'iche'" },
};

int vic_language_norm(const char *s, size_t n, char *out, size_t outn)
{
	utf8proc_uint8_t *folded = NULL;
	char buf[64];
	size_t i, k = 0;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || n >= sizeof buf || outn < 3)
		return -1;
	if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &folded,
			 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) < 0)
		return -1;
	/* Typographic apostrophes (K’iche’) become ASCII ones. */
	for (i = 0; folded[i] && k + 1 < sizeof buf; i++) {
		if (folded[i] == 0xe2 && folded[i + 1] == 0x80 && (folded[i + 2] == 0x98 || folded[i + 2] == 0x99)) {
			buf[k++] = '\'';
			i += 2;
			continue;
		}
		buf[k++] = (char)folded[i];
	}
	buf[k] = '\0';
	free(folded);  /* utf8proc allocates with malloc */
	for (i = 0; i < sizeof language_names / sizeof language_names[0]; i++)
		if (strcmp(buf, language_names[i].name) == 0) {
			snprintf(out, outn, "%s", language_names[i].code);
			return 0;
		}
	if (k >= outn)
		return -1;
	memcpy(out, buf, k + 1);
	return 0;
}

int vic_answer(const char *s, size_t n)
{
	char w[16];

	if (!n)
		return -1;
	if (!fold_word(s, n, w, sizeof w))
		return -2;
	if (!w[0])
		return -1;
	if (!strcmp(w, "yes") || !strcmp(w, "y") || !strcmp(w, "true") || !strcmp(w, "1") ||
	    !strcmp(w, "si") || !strcmp(w, "s\xc3\xad"))
		return 1;
	if (!strcmp(w, "no") || !strcmp(w, "n") || !strcmp(w, "false") || !strcmp(w, "0"))
		return 0;
	if (!strcmp(w, "unknown") || !strcmp(w, "not_asked") || !strcmp(w, "na") || !strcmp(w, "n_a") ||
	    !strcmp(w, "refused"))
		return -1;
	return -2;
}

uint32_t vic_intern(struct strmap *m, const char *s, size_t n)
{
	if (!n)
		return 0;
	return strmap_intern(m, s, n, NULL);
}
