/*
 * er_compare: string comparators and phonetic keys for resolution.
 *
 * Jaro-Winkler (standard definition: prefix bonus 0.1 per common leading
 * character, up to four), Damerau-Levenshtein in its optimal-string-
 * alignment form with an early exit above a bound, a Spanish phonetic key
 * (the PhoneticSpanish digit map of Amón 2012 / del Pilar Ángeles et al.
 * 2015); Double Metaphone is in er_dmeta.h.  All work on folded ASCII text
 * (see normalize/name.h) and allocate nothing.
 */
#ifndef RASTRO_ER_COMPARE_H
#define RASTRO_ER_COMPARE_H

#include <stddef.h>

double er_jaro_winkler(const char *a, size_t an, const char *b, size_t bn);
/* Edit distance with adjacent transpositions; returns max + 1 as soon as
 * the distance must exceed max. */
int er_damerau(const char *a, size_t an, const char *b, size_t bn, int max);
/* 1 when a and b are at most one edit apart (insertion, deletion,
 * substitution or adjacent transposition); linear time. */
int er_within1(const char *a, size_t an, const char *b, size_t bn);
/* Spanish phonetic key: B,V->1 F,H->2 D,T->3 C,S,X,Z->4 L,Y->5 M,N->6
 * K,Q->7 G,J->8 R->9 P->0; vowels and W dropped, LL->L, repeats kept once. */
size_t er_phonetic_es(const char *s, char *out, size_t outn);

#endif
