/*
 * name: person names to comparable parts.
 *
 * Text is folded with utf8proc (NFKD compatibility decomposition, case
 * folding, accents stripped; "José María NÚÑEZ" -> "jose maria nunez"),
 * punctuation and hyphens become spaces and apostrophes vanish.  Ñ folds to
 * "n"; the alternative "ny" spelling is kept beside it when the name has an
 * Ñ, so "Peña" meets both "Pena" and "Penya".  Scripts other than Latin are
 * kept as folded UTF-8 (they compare exactly, never phonetically).
 *
 * A name is parsed into ordered given names and the paternal and maternal
 * surnames.  Particles (de, del, de la, de los, y...) are kept for display
 * and dropped for matching; "San"/"Santa" stay, being part of the surname.
 * "Ma."/"Ma" expands to "maria".  A missing maternal surname is empty, which
 * resolution treats as unknown, not as a mismatch.
 *
 * Nicknames (data/nicknames.tsv) are looked up in a `name_nicks` table:
 * Pepe ~ José, Paco ~ Pancho ~ Francisco, Bill ~ William.
 */
#ifndef RASTRO_NAME_H
#define RASTRO_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strmap.h"
#include "core/vec.h"

#define NAME_MAX_GIVEN 4
#define NAME_LEN 64

struct name_parts {
	char given[NAME_MAX_GIVEN][NAME_LEN]; /* given names in order, folded, no particles */
	int ngiven;
	char sur1[NAME_LEN];      /* paternal (first) surname, particles dropped ("cruz") */
	char sur2[NAME_LEN];      /* maternal (second) surname; "" = unknown */
	int had_enye;             /* an Ñ was folded: *_ny variants below differ */
	char sur1_ny[NAME_LEN];   /* sur1 with Ñ read as "ny" */
	int only_particles;       /* a name was given but held nothing but particles */
	int non_latin;            /* holds letters outside the Latin script */
};

/*
 * Folds s[0..n) into out (outn bytes, always NUL-terminated): lower case,
 * no accents, letters and digits kept, everything else a single space, no
 * leading or trailing space.  enye_ny: Ñ becomes "ny" instead of "n".
 * Returns the folded length; sets *non_latin when letters outside Latin
 * remain.  Allocates nothing.
 */
size_t name_fold(const char *s, size_t n, int enye_ny, char *out, size_t outn, int *non_latin);

/* 1 when the folded token w is a particle (de, del, la, las, los, y, da, van, von...). */
int name_is_particle(const char *w, size_t n);

/*
 * Parses a name given in any of the person record's fields (each may be
 * NULL/empty): given names, paternal surname (or the whole surname),
 * maternal surname, or a full name to split ("José Ma. de la Cruz Ortega":
 * given jose, maria; sur1 cruz; sur2 ortega; "LOPEZ GARCIA, JOSE" puts the
 * surnames before the comma).  A surname field holding two
 * surnames ("Hernández Núñez") is split when no maternal field is given.
 */
void name_parse(const char *given, size_t gn, const char *sur, size_t sn, const char *mat, size_t mn,
		const char *full, size_t fn, struct name_parts *out);

/* ---- nicknames ---- */

struct name_nicks {
	struct strmap names;   /* folded name -> id */
	struct vec pairs;      /* uint32 pairs (nickname id, formal id), sorted */
};

/* Loads data/nicknames.tsv (path); errors name the file and line. */
int name_nicks_load(struct name_nicks *t, const char *path, struct rs_err *err);
void name_nicks_release(struct name_nicks *t);
/* 1 when folded names a and b are the same person's name by the table:
 * a nickname of b, b of a, or two nicknames of one formal name. */
int name_nicks_match(const struct name_nicks *t, const char *a, const char *b);
/* The table's id of a folded name (0 = not in the table), and the match
 * test on ids: lets callers look a name up once and compare integers. */
uint32_t name_nicks_id(const struct name_nicks *t, const char *a, size_t n);
int name_nicks_match_ids(const struct name_nicks *t, uint32_t ia, uint32_t ib);
/* The first formal name of a folded nickname (borrowed), or NULL. */
const char *name_nicks_formal(const struct name_nicks *t, const char *a);

#endif
