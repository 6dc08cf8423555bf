/*
 * Fuzz target: the lexicon loader — the bytes are read as a lexicon file
 * (code, weight, pattern, flags, language, source), compiled with
 * Vectorscan, and the compiled lexicon scans the same bytes.  A refused
 * file must come with a message; matches must lie inside the text.
 */
#include <stdint.h>
#include <string.h>

#include "text/lexicon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_match(void *user, const struct lex_match *m)
{
	const size_t *n = user;

	if (m->start > m->end || m->end > *n)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lexicon *lx = lex_new();
	struct lex_scanner *sc;
	struct rs_err e;
	size_t i;

	if (!lx)
		return 0;
	memset(&e, 0, sizeof e);
	if (lex_add_text(lx, "fuzz.tsv", (const char *)data, size, &e) || lex_compile(lx, &e)) {
		if (!e.code || !e.msg[0])
			__builtin_trap();
		lex_free(lx);
		return 0;
	}
	for (i = 0; i < lex_ncodes(lx); i++)
		if (lex_find_code(lx, lex_code(lx, i)->name) != (long)i)
			__builtin_trap();
	sc = lex_scanner_new(lx, &e);
	if (sc) {
		(void)lex_scan(sc, (const char *)data, size, on_match, &size);
		lex_scanner_free(sc);
	}
	lex_free(lx);
	return 0;
}
