/*
 * lexicon: reading lexicon files, turning their lines into Vectorscan
 * expressions, compiling them into one block-mode database and scanning
 * folded text with it.
 */
#include "lexicon.h"

#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/utf8.h"
#include "core/vec.h"
#include "rastro.h"

#define LEX_FILE_MAX (64u << 20)

struct lexicon {
	struct arena mem;          /* strings of entries and codes */
	struct vec entries;        /* struct lex_entry */
	struct vec codes;          /* struct lex_code */
	struct vec exprs;          /* char *, the compiled form of each entry */
	struct strmap code_ids;    /* name -> code index + 1 */
	hs_database_t *db;         /* NULL until compiled, or when empty */
	int compiled;
};

struct raw_match {
	uint32_t entry;
	uint32_t start, end;       /* folded offsets */
};

struct lex_scanner {
	const struct lexicon *lx;
	hs_scratch_t *scratch;
	struct fold fold;
	struct vec raw;            /* struct raw_match */
	size_t limit;
	size_t dropped;
	int overflow;
};

/* ---- building ---- */

struct lexicon *lex_new(void)
{
	struct lexicon *lx = mem_calloc(1, sizeof *lx);

	if (!lx)
		return NULL;
	arena_init(&lx->mem, 0);
	vec_init(&lx->entries, sizeof(struct lex_entry));
	vec_init(&lx->codes, sizeof(struct lex_code));
	vec_init(&lx->exprs, sizeof(char *));
	strmap_init(&lx->code_ids);
	return lx;
}

void lex_free(struct lexicon *lx)
{
	if (!lx)
		return;
	if (lx->db)
		hs_free_database(lx->db);
	arena_release(&lx->mem);
	vec_release(&lx->entries);
	vec_release(&lx->codes);
	vec_release(&lx->exprs);
	strmap_release(&lx->code_ids);
	mem_free(lx);
}

static int is_ascii_punct(unsigned char c)
{
	return c < 0x80 && c > ' ' && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
	       !(c >= 'A' && c <= 'Z') && c != 0x7f;
}

/* Appends folded text, escaping ASCII punctuation (and, for literals,
 * turning runs of spaces into \s+). */
static void add_folded(struct sbuf *out, const char *s, size_t n, int literal)
{
	struct fold f;
	size_t i;

	fold_init(&f);
	if (fold_text(&f, s, n)) {
		fold_release(&f);
		out->failed = 1;
		return;
	}
	for (i = 0; i < f.len; i++) {
		unsigned char c = (unsigned char)f.text[i];

		if (literal && (c == ' ' || c == '\t')) {
			while (i + 1 < f.len && (f.text[i + 1] == ' ' || f.text[i + 1] == '\t'))
				i++;
			sbuf_adds(out, "\\s+");
		} else {
			if (is_ascii_punct(c))
				sbuf_addc(out, '\\');
			sbuf_addc(out, (char)c);
		}
	}
	fold_release(&f);
}

/*
 * The Vectorscan expression of a pattern: literals folded and escaped
 * whole; regexes keep their ASCII (and every escape) and fold only their
 * non-ASCII characters, so "años" matches the folded "anos".
 */
static int build_expr(struct sbuf *out, const char *p, size_t n, unsigned flags)
{
	size_t i = 0;

	sbuf_clear(out);
	if (flags & LEX_LITERAL) {
		add_folded(out, p, n, 1);
	} else {
		while (i < n) {
			unsigned char c = (unsigned char)p[i];

			if (c == '\\' && i + 1 < n) {
				uint32_t cp;
				size_t len = utf8_decode(p + i + 1, n - i - 1, &cp);

				sbuf_add(out, p + i, 1 + len);
				i += 1 + len;
			} else if (c < 0x80) {
				sbuf_addc(out, (char)c);
				i++;
			} else {
				size_t j = i;

				while (j < n && (unsigned char)p[j] >= 0x80)
					j++;
				add_folded(out, p + i, j - i, 0);
				i = j;
			}
		}
	}
	return sbuf_failed(out) ? -1 : 0;
}

static char *arena_field(struct arena *a, const char *s, size_t n)
{
	return arena_strndup(a, s, n);
}

/* Splits a line at TABs into at most `max` fields; returns the count. */
static size_t split_tabs(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0, start = 0, i;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (k < max) {
				f[k] = s + start;
				fl[k] = i - start;
			}
			k++;
			start = i + 1;
		}
	}
	return k;
}

static int add_line(struct lexicon *lx, const char *name, uint32_t line, const char *s, size_t n,
		    struct sbuf *expr, struct rs_err *err)
{
	const char *f[6];
	size_t fl[6], nf, i;
	double weight;
	unsigned flags = 0;
	struct lex_entry e;
	struct lex_code *code;
	uint32_t cid;
	int is_new;
	char *copy;

	nf = split_tabs(s, n, f, fl, 6);
	if (nf != 6)
		return err_set(err, RASTRO_FORMAT,
			       "%s:%u: expected 6 TAB-separated fields (code, weight, pattern, flags, language, "
			       "source), found %zu", name, line, nf);
	for (i = 0; i < 6; i++) {
		static const char *const what[] = { "code", "weight", "pattern", "flags", "language", "source" };

		while (fl[i] && (f[i][fl[i] - 1] == ' ' || f[i][fl[i] - 1] == '\r'))
			fl[i]--;
		if (i != 2)
			while (fl[i] && f[i][0] == ' ') {
				f[i]++;
				fl[i]--;
			}
		if (!fl[i])
			return err_set(err, RASTRO_FORMAT, "%s:%u: the %s field is empty", name, line, what[i]);
	}
	for (i = 0; i < fl[0]; i++) {
		char c = f[0][i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return err_set(err, RASTRO_FORMAT, "%s:%u: code '%.*s' may hold only letters, digits, '.', '_' and '-'",
				       name, line, (int)fl[0], f[0]);
	}
	if (parse_double(f[1], fl[1], &weight))
		return err_set(err, RASTRO_FORMAT, "%s:%u: weight '%.*s' is not a number", name, line, (int)fl[1], f[1]);
	if (!(fl[3] == 1 && f[3][0] == '-')) {
		for (i = 0; i < fl[3]; i++) {
			if (f[3][i] == 'w')
				flags |= LEX_WORD;
			else if (f[3][i] == 'l')
				flags |= LEX_LITERAL;
			else
				return err_set(err, RASTRO_FORMAT, "%s:%u: unknown flag '%c' in '%.*s' (known: w l, or -)",
					       name, line, f[3][i], (int)fl[3], f[3]);
		}
	}
	cid = strmap_intern(&lx->code_ids, f[0], fl[0], &is_new);
	if (!cid)
		return err_set(err, RASTRO_NOMEM, "out of memory reading %s", name);
	if (is_new) {
		struct lex_code c;

		c.name = strmap_key(&lx->code_ids, cid, NULL);
		c.weight = weight;
		c.first_entry = (uint32_t)lx->entries.len;
		if (vec_push(&lx->codes, &c))
			return err_set(err, RASTRO_NOMEM, "out of memory reading %s", name);
	}
	code = vec_at(&lx->codes, cid - 1);
	if (code->weight != weight) {
		const struct lex_entry *first = vec_at(&lx->entries, code->first_entry);

		return err_set(err, RASTRO_FORMAT, "%s:%u: code '%s' has weight %g here but %g at %s:%u; one code, one weight",
			       name, line, code->name, weight, code->weight, first->file, first->line);
	}
	if (build_expr(expr, f[2], fl[2], flags))
		return err_set(err, RASTRO_NOMEM, "out of memory reading %s", name);
	memset(&e, 0, sizeof e);
	e.code = cid - 1;
	e.pattern = arena_field(&lx->mem, f[2], fl[2]);
	e.flags = flags;
	e.lang = arena_field(&lx->mem, f[4], fl[4]);
	e.source = arena_field(&lx->mem, f[5], fl[5]);
	e.file = arena_strdup(&lx->mem, name);
	e.line = line;
	copy = arena_strndup(&lx->mem, expr->buf, expr->len);
	if (!e.pattern || !e.lang || !e.source || !e.file || !copy || vec_push(&lx->entries, &e) ||
	    vec_push(&lx->exprs, &copy))
		return err_set(err, RASTRO_NOMEM, "out of memory reading %s", name);
	return 0;
}

int lex_add_text(struct lexicon *lx, const char *name, const char *text, size_t n, struct rs_err *err)
{
	struct sbuf expr = SBUF_INIT;
	size_t pos = 0, bad;
	uint32_t line = 0;
	int rc = 0;

	if (lx->compiled)
		return err_set(err, RASTRO_ERROR, "lexicon already compiled; cannot add %s", name);
	sbuf_init(&expr);
	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (!rc && pos < n) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - s) : n - pos;

		line++;
		pos += len + (nl ? 1 : 0);
		if (len && s[len - 1] == '\r')
			len--;
		if (!utf8_valid(s, len, &bad)) {
			rc = err_set(err, RASTRO_FORMAT, "%s:%u:%zu: invalid UTF-8", name, line, bad + 1);
			break;
		}
		if (memchr(s, '\0', len)) {
			rc = err_set(err, RASTRO_FORMAT, "%s:%u: NUL byte in the line", name, line);
			break;
		}
		{
			size_t k = 0;

			while (k < len && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k == len || s[k] == '#')
				continue;
		}
		rc = add_line(lx, name, line, s, len, &expr, err);
	}
	sbuf_release(&expr);
	return rc;
}

int lex_add_file(struct lexicon *lx, const char *path, struct rs_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n = 0, cap = 1 << 16;
	int rc;

	if (!f)
		return err_set(err, RASTRO_IO, "cannot open lexicon '%s'", path);
	buf = mem_alloc(cap);
	if (!buf) {
		fclose(f);
		return err_set(err, RASTRO_NOMEM, "out of memory reading lexicon '%s'", path);
	}
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= LEX_FILE_MAX) {
			fclose(f);
			mem_free(buf);
			return err_set(err, RASTRO_LIMIT, "lexicon '%s' is larger than %u MiB", path, LEX_FILE_MAX >> 20);
		}
		{
			char *nb = mem_realloc(buf, cap * 2);

			if (!nb) {
				fclose(f);
				mem_free(buf);
				return err_set(err, RASTRO_NOMEM, "out of memory reading lexicon '%s'", path);
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		fclose(f);
		mem_free(buf);
		return err_set(err, RASTRO_IO, "cannot read lexicon '%s'", path);
	}
	fclose(f);
	rc = lex_add_text(lx, path, buf, n, err);
	mem_free(buf);
	return rc;
}

int lex_compile(struct lexicon *lx, struct rs_err *err)
{
	size_t n = lx->entries.len, i;
	unsigned *flags, *ids;
	hs_compile_error_t *cerr = NULL;
	hs_error_t hr;

	if (lx->compiled)
		return 0;
	if (n == 0) {
		lx->compiled = 1;
		return 0;
	}
	flags = mem_calloc(n, sizeof *flags);
	ids = mem_calloc(n, sizeof *ids);
	if (!flags || !ids) {
		mem_free(flags);
		mem_free(ids);
		return err_set(err, RASTRO_NOMEM, "out of memory compiling the lexicon");
	}
	for (i = 0; i < n; i++) {
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_UTF8 | HS_FLAG_DOTALL | HS_FLAG_SOM_LEFTMOST;
		ids[i] = (unsigned)i;
	}
	hr = hs_compile_multi((const char *const *)lx->exprs.data, flags, ids, (unsigned)n, HS_MODE_BLOCK,
			      NULL, &lx->db, &cerr);
	mem_free(flags);
	mem_free(ids);
	if (hr != HS_SUCCESS) {
		int rc;

		if (cerr && cerr->expression >= 0 && (size_t)cerr->expression < n) {
			const struct lex_entry *e = vec_at(&lx->entries, (size_t)cerr->expression);
			const struct lex_code *c = vec_at(&lx->codes, e->code);

			rc = err_set(err, RASTRO_FORMAT, "%s:%u: pattern '%s' of code '%s' cannot be compiled: %s",
				     e->file, e->line, e->pattern, c->name, cerr->message);
		} else {
			rc = err_set(err, RASTRO_ERROR, "cannot compile the lexicon (%zu patterns): %s", n,
				     cerr ? cerr->message : "unknown Vectorscan error");
		}
		if (cerr)
			hs_free_compile_error(cerr);
		lx->db = NULL;
		return rc;
	}
	lx->compiled = 1;
	return 0;
}

struct lexicon *lex_load(const char *const *paths, size_t npaths, struct rs_err *err)
{
	struct lexicon *lx = lex_new();
	size_t i;

	if (!lx) {
		err_set(err, RASTRO_NOMEM, "out of memory loading lexicons");
		return NULL;
	}
	for (i = 0; i < npaths; i++)
		if (lex_add_file(lx, paths[i], err)) {
			lex_free(lx);
			return NULL;
		}
	if (lex_compile(lx, err)) {
		lex_free(lx);
		return NULL;
	}
	return lx;
}

size_t lex_nentries(const struct lexicon *lx)
{
	return lx->entries.len;
}

size_t lex_ncodes(const struct lexicon *lx)
{
	return lx->codes.len;
}

const struct lex_entry *lex_entry(const struct lexicon *lx, size_t i)
{
	return vec_at(&lx->entries, i);
}

const struct lex_code *lex_code(const struct lexicon *lx, size_t i)
{
	return vec_at(&lx->codes, i);
}

long lex_find_code(const struct lexicon *lx, const char *name)
{
	uint32_t id = strmap_find(&lx->code_ids, name, strlen(name));

	return id ? (long)id - 1 : -1;
}

void lex_set_weight(struct lexicon *lx, size_t code, double weight)
{
	if (code < lx->codes.len)
		((struct lex_code *)vec_at(&lx->codes, code))->weight = weight;
}

/* ---- scanning ---- */

struct lex_scanner *lex_scanner_new(const struct lexicon *lx, struct rs_err *err)
{
	struct lex_scanner *sc;

	if (!lx->compiled) {
		err_set(err, RASTRO_ERROR, "lexicon not compiled");
		return NULL;
	}
	sc = mem_calloc(1, sizeof *sc);
	if (!sc) {
		err_set(err, RASTRO_NOMEM, "out of memory making a lexicon scanner");
		return NULL;
	}
	sc->lx = lx;
	sc->limit = 10000;
	fold_init(&sc->fold);
	vec_init(&sc->raw, sizeof(struct raw_match));
	if (lx->db && hs_alloc_scratch(lx->db, &sc->scratch) != HS_SUCCESS) {
		mem_free(sc);
		err_set(err, RASTRO_NOMEM, "out of memory for Vectorscan scratch space");
		return NULL;
	}
	return sc;
}

void lex_scanner_free(struct lex_scanner *sc)
{
	if (!sc)
		return;
	if (sc->scratch)
		hs_free_scratch(sc->scratch);
	fold_release(&sc->fold);
	vec_release(&sc->raw);
	mem_free(sc);
}

void lex_scanner_set_limit(struct lex_scanner *sc, size_t max)
{
	sc->limit = max ? max : 1;
}

size_t lex_scanner_dropped(const struct lex_scanner *sc)
{
	return sc->dropped;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		    void *ctx)
{
	struct lex_scanner *sc = ctx;
	struct raw_match m;

	(void)flags;
	/* Vectorscan reports every end of a pattern; a budget of 8 raw reports
	 * per kept match bounds the work on adversarial text. */
	if (sc->raw.len >= sc->limit * 8) {
		sc->overflow = 1;
		return 1;
	}
	m.entry = id;
	m.start = (uint32_t)from;
	m.end = (uint32_t)to;
	if (vec_push(&sc->raw, &m))
		return 1;
	return 0;
}

/* A letter or digit (ASCII, or a Unicode letter/number such as a Greek or
 * Cyrillic one that folding leaves as it is). */
static int is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* Code point starting at or ending just before folded offset i. */
static uint32_t cp_at(const struct fold *f, size_t i)
{
	uint32_t cp = 0;

	if (i < f->len)
		utf8_decode(f->text + i, f->len - i, &cp);
	return cp;
}

static uint32_t cp_before(const struct fold *f, size_t i)
{
	size_t j = i;
	uint32_t cp = 0;

	if (!i)
		return 0;
	j--;
	while (j > 0 && ((unsigned char)f->text[j] & 0xc0) == 0x80 && i - j < 4)
		j--;
	utf8_decode(f->text + j, i - j, &cp);
	return cp;
}

/*
 * Whole-word check done after matching (Vectorscan's \b is ASCII-only and
 * would refuse "100%" followed by a space): a match that begins with a
 * letter or digit must not follow one, and one that ends with a letter or
 * digit must not be followed by one.
 */
static int whole_word(const struct fold *f, size_t a, size_t b)
{
	if (a >= b)
		return 0;
	if (is_word_cp(cp_at(f, a)) && is_word_cp(cp_before(f, a)))
		return 0;
	if (is_word_cp(cp_before(f, b)) && is_word_cp(cp_at(f, b)))
		return 0;
	return 1;
}

static int by_entry_start(const void *a, const void *b)
{
	const struct raw_match *x = a, *y = b;

	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;   /* longest first */
	return 0;
}

static int by_start_entry(const void *a, const void *b)
{
	const struct raw_match *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return 0;
}

int lex_scan_folded(struct lex_scanner *sc, const struct fold *f, lex_match_fn fn, void *user)
{
	const struct lexicon *lx = sc->lx;
	struct raw_match *r;
	size_t i, kept = 0, n;
	hs_error_t hr;

	sc->dropped = 0;
	sc->overflow = 0;
	vec_clear(&sc->raw);
	if (!lx->db || f->len == 0)
		return 0;
	hr = hs_scan(lx->db, f->text, (unsigned)f->len, 0, sc->scratch, on_match, sc);
	if (hr != HS_SUCCESS && hr != HS_SCAN_TERMINATED)
		return RASTRO_ERROR;
	if (hr == HS_SCAN_TERMINATED && !sc->overflow)
		return RASTRO_NOMEM;
	n = sc->raw.len;
	r = sc->raw.data;
	if (!n)
		return 0;
	/* One pattern's matches never overlap: longest at a start, leftmost first. */
	qsort(r, n, sizeof *r, by_entry_start);
	for (i = 0; i < n; i++) {
		const struct lex_entry *e = vec_at(&lx->entries, r[i].entry);

		if ((e->flags & LEX_WORD) && !whole_word(f, r[i].start, r[i].end))
			continue;
		if (kept && r[kept - 1].entry == r[i].entry &&
		    (r[kept - 1].start == r[i].start || r[i].start < r[kept - 1].end))
			continue;
		r[kept++] = r[i];
	}
	qsort(r, kept, sizeof *r, by_start_entry);
	if (kept > sc->limit) {
		sc->dropped = kept - sc->limit;
		kept = sc->limit;
	}
	if (sc->overflow && !sc->dropped)
		sc->dropped = 1;
	for (i = 0; i < kept; i++) {
		struct lex_match m;
		const struct lex_entry *e = vec_at(&lx->entries, r[i].entry);
		int rc;

		m.entry = r[i].entry;
		m.code = e->code;
		m.fstart = r[i].start;
		m.fend = r[i].end;
		fold_span(f, r[i].start, r[i].end, &m.start, &m.end);
		rc = fn(user, &m);
		if (rc)
			return rc;
	}
	return 0;
}

int lex_scan(struct lex_scanner *sc, const char *text, size_t n, lex_match_fn fn, void *user)
{
	if (fold_text(&sc->fold, text, n))
		return n > FOLD_MAX ? RASTRO_LIMIT : RASTRO_NOMEM;
	return lex_scan_folded(sc, &sc->fold, fn, user);
}
