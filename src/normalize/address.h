/*
 * address: street addresses to one comparable form, English and Spanish.
 *
 * The text is folded like names (case, accents, punctuation), street types
 * and unit words are reduced to one abbreviation each (Street/St./St -> st,
 * Avenue/Ave/Av./Avenida/Avda -> av, Calle/C./Cl -> calle, Apartment/Apt/
 * Unit/Suite/#/Int./Interior/Depto -> unit...), directions to one letter,
 * Spanish and English number words up to twenty to digits ("Cinco de Mayo"
 * = "5 de Mayo"), and "No."/"Núm."/"#" before a house number dropped.  The
 * house number and the unit are pulled out so they compare on their own.
 * ZIP and código postal keep their digits (ZIP+4 keeps the first five).
 */
#ifndef RASTRO_ADDRESS_H
#define RASTRO_ADDRESS_H

#include <stddef.h>

#define ADDR_LEN 128

struct addr {
	char street[ADDR_LEN];   /* "5 de mayo calle" -> "calle 5 mayo"; "" when none */
	char number[16];         /* house number, "" when none */
	char unit[16];           /* apartment / interior, "" when none */
};

/* Normalises a street line (with or without its house number). */
void addr_normalize(const char *s, size_t n, struct addr *out);

/* Postcode: digits and letters only, upper case; US ZIP+4 cut to five
 * digits.  Returns its length. */
size_t addr_postcode(const char *s, size_t n, char *out, size_t outn);

#endif
