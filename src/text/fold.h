/*
 * fold: the one text normalisation every matcher in rastro shares.
 *
 * Lexicon scanning, identifier extraction and text clustering all look at a
 * "folded" copy of free text: Unicode compatibility decomposition (NFKD:
 * fullwidth "５" becomes "5", "ﬁ" becomes "fi"), case folding, marks
 * stripped (accents, the keycap enclosure of 5️⃣ and its variation
 * selector), default-ignorable characters removed (zero-width spaces and
 * joiners that obfuscators slip between digits) and look-alike punctuation
 * lumped to ASCII (dashes, quotes, spaces).  "José NÚÑEZ" folds to
 * "jose nunez"; "５️⃣５" to "55".
 *
 * Folding changes lengths, so every folded byte keeps the byte offset in the
 * raw text of the character it came from: a match found in the folded copy
 * is reported at its place in the text as written, which is what an analyst
 * sees and what evidence must point to.
 *
 * Bytes that are not valid UTF-8 fold to one space each, so a folded copy
 * is always valid UTF-8 (Vectorscan requires that in UTF-8 mode).
 */
#ifndef RASTRO_FOLD_H
#define RASTRO_FOLD_H

#include <stddef.h>
#include <stdint.h>

struct fold {
	char *text;        /* folded UTF-8, NUL-terminated; owned */
	size_t len;        /* bytes of text (without the NUL) */
	uint32_t *map;     /* map[i]: raw byte offset that folded byte i came from;
			      map[len] = raw length, so [map[a], map[b]) is the raw
			      span of folded bytes [a, b) */
	size_t cap;        /* capacity of text and map, in bytes/entries */
};

void fold_init(struct fold *f);
void fold_release(struct fold *f);

/*
 * Folds s[0..n) into f (replacing what it held).  Returns 0, or -1 when
 * memory ran out or n exceeds FOLD_MAX (f is then empty).
 */
#define FOLD_MAX (256u << 20)
int fold_text(struct fold *f, const char *s, size_t n);

/* Raw span [*rs, *re) of the folded span [a, b) (a <= b <= f->len). */
void fold_span(const struct fold *f, size_t a, size_t b, size_t *rs, size_t *re);

/*
 * Folds one string into a caller buffer without an offset map (for patterns,
 * names and keys).  Writes at most outn-1 bytes plus a NUL; returns the
 * folded length, -1 when it did not fit, or FOLD_NOMEM when folding itself
 * failed (memory ran out, or n exceeds FOLD_MAX): callers must not take
 * that for "no text".
 */
#define FOLD_NOMEM (-2L)
long fold_copy(const char *s, size_t n, char *out, size_t outn);

#endif
