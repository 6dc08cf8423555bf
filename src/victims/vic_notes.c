/*
 * vic_notes: victim indicators read from officers' free-text notes on
 * encounters ("the boss keeps her passport", "no la dejan salir").
 *
 * The notes lexicon (data/lexicons/vic_notes.tsv, English and Spanish) maps
 * phrasings of the published indicator lists (Polaris "Recognizing the
 * Signs", DHS Blue Campaign, the Vera Institute's TVIT domains) to the VIC
 * codes the screening answers already have, so a note is evidence of the
 * same kind as an answer.  Notes deny as often as they report ("denies
 * threats", "no tiene deuda"), so matches are negation-aware in the manner
 * of NegEx (Chapman et al. 2001): a pre-negation cue a few words before, or
 * a post-negation cue a few words after, within one clause, cancels the
 * match.  The cues are lines of the same lexicon (codes NEG.PRE, NEG.POST,
 * NEG.END) so that one scan finds indicators and cues together.
 */
#include "victims.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/vec.h"
#include "rastro.h"
#include "text/fold.h"
#include "text/lexicon.h"

/* What a lexicon code stands for: a VIC code (>= 0) or a negation part. */
enum { K_UNKNOWN = -1, K_PRE = -2, K_POST = -3, K_END = -4 };

struct vic_notes {
	struct lexicon *lx;
	struct lex_scanner *sc;
	int *kind;            /* per lexicon code: VIC code or K_* */
	unsigned window;      /* words between a cue and the indicator */
	struct fold f;
	struct vec m;         /* struct lex_match of the current note */
};

static int code_kind(const char *name)
{
	if (strcmp(name, "NEG.PRE") == 0)
		return K_PRE;
	if (strcmp(name, "NEG.POST") == 0)
		return K_POST;
	if (strcmp(name, "NEG.END") == 0)
		return K_END;
	return vic_code_find(name);
}

/* The lexicon files of victims.notes.lexicons (relative to the data
 * directory unless absolute), compiled into one database. */
static int load(struct vic_notes *n, const struct cfg *cfg, struct rs_err *err)
{
	static const char key[] = "victims.notes.lexicons";
	int listed = cfg_has(cfg, key);
	size_t i, nfiles = listed ? cfg_array_len(cfg, key) : 1;
	char path[1024];

	n->lx = lex_new();
	if (!n->lx)
		return err_set(err, RASTRO_NOMEM, "out of memory loading the notes lexicon");
	for (i = 0; i < nfiles; i++) {
		const char *f = listed ? cfg_array_str(cfg, key, i) : "lexicons/vic_notes.tsv";
		int rc;

		if (!f)
			return err_set(err, RASTRO_USAGE, "%s: item %zu is not a string", key, i + 1);
		if (ws_data_path(path, sizeof path, f))
			return err_set(err, RASTRO_USAGE, "%s: item %zu: path too long", key, i + 1);
		rc = lex_add_file(n->lx, path, err);
		if (rc)
			return rc;
	}
	return lex_compile(n->lx, err);
}

/* Every code of the lexicon must be a VIC code or a negation part: a typo
 * would otherwise be a pattern that silently counts for nothing. */
static int check_codes(struct vic_notes *n, struct rs_err *err)
{
	size_t i, nc = lex_ncodes(n->lx);

	n->kind = mem_calloc(nc ? nc : 1, sizeof *n->kind);
	if (!n->kind)
		return err_set(err, RASTRO_NOMEM, "out of memory loading the notes lexicon");
	for (i = 0; i < nc; i++) {
		const struct lex_code *c = lex_code(n->lx, i);
		const struct lex_entry *e = lex_entry(n->lx, c->first_entry);

		n->kind[i] = code_kind(c->name);
		if (n->kind[i] == K_UNKNOWN)
			return err_set(err, RASTRO_FORMAT,
				       "%s:%u: code '%s' is neither a victim indicator (VIC.*, docs/victims.md) nor"
				       " NEG.PRE, NEG.POST or NEG.END", e->file, e->line, c->name);
	}
	return 0;
}

int vic_notes_open(const struct cfg *cfg, struct vic_notes **out, struct rs_err *err)
{
	struct vic_notes *n;
	long long w;
	int rc;

	*out = NULL;
	if (!cfg_bool(cfg, "victims.notes.enabled", 1))
		return 0;
	n = mem_calloc(1, sizeof *n);
	if (!n)
		return err_set(err, RASTRO_NOMEM, "out of memory loading the notes lexicon");
	fold_init(&n->f);
	vec_init(&n->m, sizeof(struct lex_match));
	w = cfg_int(cfg, "victims.notes.negation_window", 5);
	n->window = w < 0 ? 0 : w > 50 ? 50 : (unsigned)w;
	rc = load(n, cfg, err);
	if (!rc)
		rc = check_codes(n, err);
	if (!rc) {
		n->sc = lex_scanner_new(n->lx, err);
		if (!n->sc)
			rc = err->code ? err->code : RASTRO_NOMEM;
	}
	if (rc) {
		vic_notes_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

void vic_notes_free(struct vic_notes *n)
{
	if (!n)
		return;
	lex_scanner_free(n->sc);
	lex_free(n->lx);
	mem_free(n->kind);
	fold_release(&n->f);
	vec_release(&n->m);
	mem_free(n);
}

static int collect(void *user, const struct lex_match *m)
{
	struct vec *v = user;
	struct lex_match *slot = vec_grow(v, 1);

	if (!slot)
		return RASTRO_NOMEM;
	*slot = *m;
	return 0;
}

/* A clause ends at sentence punctuation, a comma or a line break. */
static int clause_break(char c)
{
	return c == '.' || c == ';' || c == ',' || c == '!' || c == '?' || c == '\n' || c == '\r';
}

/*
 * Whether folded bytes [a, b) lie in one clause and hold at most `window`
 * words, with no NEG.END term inside.
 */
static int in_scope(const struct vic_notes *n, size_t a, size_t b)
{
	const struct lex_match *ms = n->m.data;
	unsigned words = 0;
	int in_word = 0;
	size_t i;

	/* A word is rarely longer than 64 bytes; a longer gap is out of scope
	 * without reading it, which keeps a hostile note's scan bounded. */
	if (a > b || b - a > (size_t)64 * (n->window + 1))
		return 0;
	for (i = a; i < b; i++) {
		char c = n->f.text[i];

		if (clause_break(c))
			return 0;
		if (c == ' ' || c == '\t') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			if (++words > n->window)
				return 0;
		}
	}
	/* A terminator that ends past a: between the two, or one the cue is
	 * part of ("sin" of "sin embargo" is no negation). */
	for (i = 0; i < n->m.len; i++)
		if (n->kind[ms[i].code] == K_END && ms[i].fend > a && ms[i].fstart < b)
			return 0;
	return 1;
}

/* Whether an indicator match is negated by a cue outside it. */
static int negated(const struct vic_notes *n, const struct lex_match *x)
{
	const struct lex_match *ms = n->m.data;
	size_t i;

	for (i = 0; i < n->m.len; i++) {
		const struct lex_match *c = &ms[i];
		int k = n->kind[c->code];

		if (k == K_PRE && c->fend <= x->fstart && in_scope(n, c->fend, x->fstart))
			return 1;
		if (k == K_POST && c->fstart >= x->fend && in_scope(n, x->fend, c->fstart))
			return 1;
	}
	return 0;
}

int vic_notes_scan(struct vic_notes *n, const char *text, size_t len, struct vic_note_result *r)
{
	const struct lex_match *ms;
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	vec_clear(&n->m);
	if (!text || !len)
		return 0;
	if (fold_text(&n->f, text, len))
		return RASTRO_NOMEM;
	rc = lex_scan_folded(n->sc, &n->f, collect, &n->m);
	if (rc)
		return rc;
	ms = n->m.data;
	for (i = 0; i < n->m.len; i++) {
		int k = n->kind[ms[i].code];

		if (k < 0 || (r->found & (1u << k)))
			continue;
		if (negated(n, &ms[i])) {
			r->negated |= 1u << k;
			continue;
		}
		r->found |= 1u << k;
		r->at[k].start = ms[i].start;
		r->at[k].end = ms[i].end;
		r->at[k].file = lex_entry(n->lx, ms[i].entry)->file;
		r->at[k].line = lex_entry(n->lx, ms[i].entry)->line;
	}
	r->negated &= ~r->found;
	return 0;
}
