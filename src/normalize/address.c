/*
 * address: street-line normalisation with English and Spanish street types.
 */
#include "address.h"

#include <string.h>

#include "name.h"

struct abbr {
	const char *from;
	const char *to;   /* "" drops the word */
};

/* Street types, units, directions and filler words.  Sources: USPS
 * Publication 28 appendix C (street suffixes) and D (secondary units) for
 * English; common Mexican and Central American usage (Calle, Avenida,
 * Calzada, Boulevard, Privada, Andador, Colonia, Interior, Departamento). */
static const struct abbr words[] = {
	{ "street", "st" }, { "str", "st" }, { "st", "st" }, { "avenue", "av" }, { "ave", "av" },
	{ "av", "av" }, { "avenida", "av" }, { "avda", "av" }, { "road", "rd" }, { "rd", "rd" },
	{ "boulevard", "blvd" }, { "blvd", "blvd" }, { "bulevar", "blvd" }, { "blv", "blvd" },
	{ "drive", "dr" }, { "dr", "dr" }, { "court", "ct" }, { "ct", "ct" }, { "lane", "ln" },
	{ "ln", "ln" }, { "place", "pl" }, { "pl", "pl" }, { "highway", "hwy" }, { "hwy", "hwy" },
	{ "carretera", "hwy" }, { "carr", "hwy" }, { "parkway", "pkwy" }, { "pkwy", "pkwy" },
	{ "circle", "cir" }, { "cir", "cir" }, { "circuit", "cct" }, { "cct", "cct" },
	{ "crescent", "cres" }, { "cres", "cres" }, { "terrace", "ter" }, { "terr", "ter" },
	{ "ter", "ter" }, { "square", "sq" }, { "sq", "sq" }, { "way", "way" }, { "close", "cl" },
	{ "calle", "calle" }, { "c", "calle" }, { "cl", "calle" }, { "clle", "calle" },
	{ "calzada", "calz" }, { "calz", "calz" }, { "privada", "priv" }, { "priv", "priv" },
	{ "andador", "and" }, { "colonia", "col" }, { "col", "col" }, { "fraccionamiento", "fracc" },
	{ "fracc", "fracc" }, { "barrio", "bo" }, { "paseo", "pso" }, { "pso", "pso" },
	{ "apartment", "unit" }, { "apt", "unit" }, { "apto", "unit" }, { "unit", "unit" },
	{ "suite", "unit" }, { "ste", "unit" }, { "interior", "unit" }, { "int", "unit" },
	{ "departamento", "unit" }, { "depto", "unit" }, { "dpto", "unit" }, { "flat", "unit" },
	{ "north", "n" }, { "norte", "n" }, { "south", "s" }, { "sur", "s" }, { "east", "e" },
	{ "oriente", "e" }, { "ote", "e" }, { "west", "w" }, { "poniente", "w" }, { "pte", "w" },
	{ "numero", "#" }, { "num", "#" }, { "no", "#" }, { "nro", "#" }, { "de", "" }, { "del", "" },
	{ "la", "" }, { "los", "" }, { "las", "" }, { "the", "" }, { "y", "" },
	{ "uno", "1" }, { "one", "1" }, { "primero", "1" }, { "first", "1" }, { "dos", "2" },
	{ "two", "2" }, { "second", "2" }, { "tres", "3" }, { "three", "3" }, { "third", "3" },
	{ "cuatro", "4" }, { "four", "4" }, { "cinco", "5" }, { "five", "5" }, { "fifth", "5" },
	{ "seis", "6" }, { "six", "6" }, { "siete", "7" }, { "seven", "7" }, { "ocho", "8" },
	{ "eight", "8" }, { "nueve", "9" }, { "nine", "9" }, { "diez", "10" }, { "ten", "10" },
	{ "once", "11" }, { "doce", "12" }, { "veinte", "20" }, { "twenty", "20" },
};

static const char *map_word(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i].from) == n && memcmp(words[i].from, w, n) == 0)
			return words[i].to;
	return NULL;
}

static int all_digits(const char *w, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (w[i] < '0' || w[i] > '9')
			return 0;
	return 1;
}

/* "12b", "123a": a house number with a letter suffix */
static int house_like(const char *w, size_t n)
{
	return n >= 1 && w[0] >= '0' && w[0] <= '9' && (all_digits(w, n) || (n >= 2 && all_digits(w, n - 1)));
}

static void put(char *dst, size_t cap, const char *w, size_t n)
{
	size_t k = strlen(dst);

	if (k && k + 1 < cap)
		dst[k++] = ' ';
	if (k + n < cap) {
		memcpy(dst + k, w, n);
		dst[k + n] = '\0';
	} else
		dst[k] = '\0';
}

void addr_normalize(const char *s, size_t n, struct addr *out)
{
	char folded[256];
	const char *p;
	int want_unit = 0, seen_street_word = 0;

	memset(out, 0, sizeof *out);
	/* "#12" is a unit or house number marker: make "#" a word of its own */
	{
		char tmp[256];
		size_t i, k = 0;

		for (i = 0; i < n && k + 3 < sizeof tmp; i++) {
			if (s[i] == '#') {
				/* tmp goes on with its length k, no terminator needed */
				memcpy(tmp + k, " no ", 4); /* NOLINT(bugprone-not-null-terminated-result) */
				k += 4;
				if (k + 3 >= sizeof tmp)
					break;
			} else
				tmp[k++] = s[i];
		}
		name_fold(tmp, k, 0, folded, sizeof folded, NULL);
	}
	p = folded;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *m = map_word(p, l);

		if (want_unit && l && (house_like(p, l) || l <= 3)) {
			if (!out->unit[0] && l < sizeof out->unit) {
				memcpy(out->unit, p, l);
				out->unit[l] = '\0';
			}
			want_unit = 0;
		} else if (m && strcmp(m, "unit") == 0) {
			want_unit = 1;
		} else if (house_like(p, l) && !out->number[0] && (!seen_street_word || !e) &&
			   l < sizeof out->number) {
			/* the first number that stands alone is the house number,
			 * unless it names the street (calle 5 de mayo: then it is
			 * followed by more street words) */
			if (seen_street_word && e) {
				put(out->street, sizeof out->street, p, l);
			} else {
				memcpy(out->number, p, l);
				out->number[l] = '\0';
			}
		} else if (m && *m == '#') {
			/* "No. 45", "# 3": a number follows; after the house number it is a unit */
			if (out->number[0])
				want_unit = 1;
		} else if (m) {
			if (*m)
				put(out->street, sizeof out->street, m, strlen(m));
			seen_street_word = 1;
		} else if (l) {
			put(out->street, sizeof out->street, p, l);
			seen_street_word = 1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	/* "calle 5 de mayo 123": the last bare number is the house number when
	 * none was found before the street words */
	if (!out->number[0]) {
		char *last = strrchr(out->street, ' ');

		if (last && house_like(last + 1, strlen(last + 1)) && strlen(last + 1) < sizeof out->number) {
			memcpy(out->number, last + 1, strlen(last + 1) + 1);
			*last = '\0';
		}
	}
}

size_t addr_postcode(const char *s, size_t n, char *out, size_t outn)
{
	size_t i, k = 0, digits = 0;

	for (i = 0; i < n && k + 1 < outn; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			out[k++] = c;
			digits += c >= '0' && c <= '9';
		}
	}
	out[k] = '\0';
	if (k == 9 && digits == 9 && n >= 10 && memchr(s, '-', n)) { /* ZIP+4 */
		out[5] = '\0';
		k = 5;
	}
	return k;
}
