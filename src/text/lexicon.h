/*
 * lexicon: indicator word lists compiled into one Vectorscan database and
 * scanned in one pass.
 *
 * Detectors that read free text (ad bodies, payment memos, wire references,
 * encounter notes) share this module: they load one or more lexicon files
 * from data/, compile them once, and scan each text once whatever the number
 * of patterns.  Every pattern carries the code of the indicator it signals,
 * that indicator's weight and the published source the pattern comes from,
 * so a score built from matches can always be explained.
 *
 * File format (documented for users in docs/lexicons.md): UTF-8 text, one
 * pattern per line, six TAB-separated fields
 *
 *     code  weight  pattern  flags  language  source
 *
 * with blank lines and lines starting with '#' ignored.  `flags` is "-" or
 * letters: `w` whole word (a match that starts or ends with a letter or digit
 * must not continue a word on that side), `l` literal (regex metacharacters
 * lose their meaning, runs of spaces match any run of white space).  Every line of one code
 * must give the same weight.
 *
 * Matching is always case- and accent-insensitive: texts are folded (see
 * text/fold.h) and so are the non-ASCII characters of each pattern, and the
 * database is compiled with CASELESS | UTF8 | DOTALL | SOM_LEFTMOST (no UCP,
 * so \b works and means an ASCII word boundary — on folded text that covers
 * accented Latin letters too).  Offsets are reported as byte offsets in the
 * raw text.
 */
#ifndef RASTRO_LEXICON_H
#define RASTRO_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "text/fold.h"

#define LEX_WORD    0x1u   /* `w`: whole word */
#define LEX_LITERAL 0x2u   /* `l`: literal text */

struct lex_code {
	const char *name;      /* "AD.YOUTH" */
	double weight;         /* from the file; callers may override from settings */
	uint32_t first_entry;  /* first entry that named it */
};

struct lex_entry {
	uint32_t code;         /* index into the codes */
	const char *pattern;   /* as written in the file */
	unsigned flags;        /* LEX_* */
	const char *lang;      /* "en", "es", "any"... */
	const char *source;    /* citation */
	const char *file;      /* file it came from */
	uint32_t line;
};

struct lex_match {
	uint32_t entry;        /* which pattern */
	uint32_t code;         /* its code */
	size_t start, end;     /* raw byte span [start, end) */
	size_t fstart, fend;   /* the same span in the folded text */
};

struct lexicon;

/*
 * Building: lex_new, then lex_add_file / lex_add_text for each list, then
 * lex_compile.  Errors name the file and line ("data/x.tsv:12: ...") and,
 * for a pattern Vectorscan refuses, the pattern and its reason.
 */
struct lexicon *lex_new(void);
void lex_free(struct lexicon *lx);
int lex_add_file(struct lexicon *lx, const char *path, struct rs_err *err);
/* `name` stands for the file in messages. */
int lex_add_text(struct lexicon *lx, const char *name, const char *text, size_t n,
		 struct rs_err *err);
int lex_compile(struct lexicon *lx, struct rs_err *err);

/* Convenience: new + add each path + compile; NULL with err set on failure. */
struct lexicon *lex_load(const char *const *paths, size_t npaths, struct rs_err *err);

size_t lex_nentries(const struct lexicon *lx);
size_t lex_ncodes(const struct lexicon *lx);
const struct lex_entry *lex_entry(const struct lexicon *lx, size_t i);
const struct lex_code *lex_code(const struct lexicon *lx, size_t i);
/* Index of a code, or -1. */
long lex_find_code(const struct lexicon *lx, const char *name);
/* Sets a code's weight (settings override the file). */
void lex_set_weight(struct lexicon *lx, size_t code, double weight);

/*
 * Scanning.  A scanner holds Vectorscan scratch space and buffers; it is not
 * thread-safe, so each thread makes its own.  The lexicon must be compiled
 * and must outlive its scanners.
 */
struct lex_scanner;

struct lex_scanner *lex_scanner_new(const struct lexicon *lx, struct rs_err *err);
void lex_scanner_free(struct lex_scanner *sc);
/* At most `max` matches are reported per text (default 10000); the rest
 * are counted in lex_scanner_dropped. Keeps time and memory bounded on
 * hostile input. */
void lex_scanner_set_limit(struct lex_scanner *sc, size_t max);
size_t lex_scanner_dropped(const struct lex_scanner *sc);

/* Return nonzero to stop the scan (lex_scan then returns that value). */
typedef int (*lex_match_fn)(void *user, const struct lex_match *m);

/*
 * Scans text[0..n) (any bytes; invalid UTF-8 is tolerated) and calls fn for
 * each match in order of start offset, then pattern.  Matches of one pattern
 * never overlap: at one start the longest is kept, and a match starting
 * inside an earlier one of the same pattern is dropped.  Returns 0, fn's
 * nonzero value, or a rastro code (RASTRO_NOMEM, RASTRO_ERROR) on failure.
 */
int lex_scan(struct lex_scanner *sc, const char *text, size_t n, lex_match_fn fn, void *user);
/* The same over an already folded text (offsets mapped through f). */
int lex_scan_folded(struct lex_scanner *sc, const struct fold *f, lex_match_fn fn, void *user);

#endif
