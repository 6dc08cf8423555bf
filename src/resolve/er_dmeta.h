/*
 * er_dmeta: Double Metaphone phonetic codes for names.
 *
 * Written from the published description of the algorithm (Lawrence
 * Philips, "The Double Metaphone Search Algorithm", C/C++ Users Journal,
 * June 2000).  Each name gets a primary code and an alternate one where
 * the spelling admits two readings: Germanic, Slavic, Italian, Greek and
 * above all Spanish spellings ("Jose" reads H and J, "Cabrillo" keeps or
 * drops the LL, "Gonzalez" reads KNSL and, Slavo-Germanic words aside,
 * the alternate).  Two names sound alike when any code of one equals any
 * code of the other.  Input is folded ASCII (normalize/name.h); anything
 * other than letters and spaces is ignored.  Allocates nothing.
 */
#ifndef RASTRO_ER_DMETA_H
#define RASTRO_ER_DMETA_H

#include <stddef.h>

/* The published code length. */
#define ER_DMETA_LEN 4

struct er_dmeta {
	char primary[ER_DMETA_LEN + 1];
	char alternate[ER_DMETA_LEN + 1];   /* equal to primary when the name has one reading */
};

/* Codes of s (NUL-terminated, folded); both empty for a name without letters. */
void er_dmeta(const char *s, struct er_dmeta *out);

/* 1 when any code of a equals any code of b (and they are not empty). */
int er_dmeta_match(const struct er_dmeta *a, const struct er_dmeta *b);

#endif
