/*
 * Unit tests of text folding and lexicon scanning: accents and case in
 * both the text and the pattern, emoji, offsets mapped back to the raw
 * text, whole words, overlapping matches, errors that name file, line and
 * pattern, hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "text/fold.h"
#include "text/lexicon.h"
#include "testutil.h"

static void folds(const char *in, const char *want)
{
	char out[256];
	long n = fold_copy(in, strlen(in), out, sizeof out);

	assert_true(n >= 0);
	assert_string_equal(out, want);
}

static void folding(void **state)
{
	(void)state;
	folds("José María NÚÑEZ", "jose maria nunez");
	folds("ＷＨＡＴＳＡＰＰ ５５５", "whatsapp 555");          /* fullwidth */
	folds("5\xef\xb8\x8f\xe2\x83\xa3" "1\xef\xb8\x8f\xe2\x83\xa3", "51"); /* keycaps 5️⃣1️⃣ */
	folds("55\xe2\x80\x8b" "5", "555");                       /* zero-width space */
	folds("Stra\xc3\x9f" "e", "strasse");
	folds("e\xcc\x81t\xc3\xa9", "ete");                       /* NFD and NFC é */
	folds("a\xe2\x80\x93" "b", "a-b");                        /* en dash lumped */
	folds("\xf0\x9f\x8c\xb9 rose", "\xf0\x9f\x8c\xb9 rose"); /* emoji kept */
}

static void fold_offsets(void **state)
{
	struct fold f;
	size_t rs, re;
	const char *s = "Él ＡＢ x";   /* É is 2 bytes, each fullwidth letter 3 */

	(void)state;
	fold_init(&f);
	assert_int_equal(fold_text(&f, s, strlen(s)), 0);
	assert_string_equal(f.text, "el ab x");
	fold_span(&f, 0, 2, &rs, &re);      /* "el" */
	assert_int_equal(rs, 0);
	assert_int_equal(re, 3);
	fold_span(&f, 3, 5, &rs, &re);      /* "ab" */
	assert_int_equal(rs, 4);
	assert_int_equal(re, 10);
	fold_span(&f, 6, 7, &rs, &re);      /* "x" */
	assert_int_equal(rs, 11);
	assert_int_equal(re, 12);
	/* invalid UTF-8 folds to one space per byte, offsets kept */
	assert_int_equal(fold_text(&f, "a\xff\xfe" "b", 4), 0);
	assert_string_equal(f.text, "a  b");
	fold_span(&f, 3, 4, &rs, &re);
	assert_int_equal(rs, 3);
	fold_release(&f);
}

struct hits {
	char buf[1024];
	size_t n;
	const struct lexicon *lx;
	const char *text;
};

static int collect(void *user, const struct lex_match *m)
{
	struct hits *h = user;
	const struct lex_code *c = lex_code(h->lx, m->code);
	int w = snprintf(h->buf + h->n, sizeof h->buf - h->n, "%s%s@%zu:'%.*s'", h->n ? " " : "", c->name,
			 m->start, (int)(m->end - m->start), h->text + m->start);

	if (w > 0 && (size_t)w < sizeof h->buf - h->n)
		h->n += (size_t)w;
	h->n++;
	h->n--;
	return 0;
}

static const char *scan(struct lex_scanner *sc, const struct lexicon *lx, const char *text, struct hits *h)
{
	memset(h, 0, sizeof *h);
	h->lx = lx;
	h->text = text;
	assert_int_equal(lex_scan(sc, text, strlen(text), collect, h), 0);
	return h->buf;
}

static const char lexicon_text[] =
	"# code\tweight\tpattern\tflags\tlanguage\tsource\n"
	"\n"
	"AD.MOVEMENT\t-0.5\tnew in town\twl\ten\tJRSA/NIJ 2024\n"
	"AD.MOVEMENT\t-0.5\trecién llegada\twl\tes\tJRSA/NIJ 2024 (Spanish rendering)\n"
	"SM.CROSSING\t2\tcruce seguro\twl\tes\tTTP 2022\n"
	"SM.CROSSING\t2\tpa(s|z)amos\tw\tes\tpress\n"
	"AD.ROSES\t1\t\xf0\x9f\x8c\xb9\t-\tany\tSDSU via KPBS\n"
	"AD.YOUTH\t3\tjust turned 18\twl\ten\tMcGill labelling functions\n"
	"AD.AGE\t0\t\\d{2}\\s*(yo|años)\tw\tany\trastro\n";

static struct lexicon *compile(const char *text)
{
	struct rs_err err = { 0 };
	struct lexicon *lx = lex_new();

	assert_non_null(lx);
	if (lex_add_text(lx, "test.tsv", text, strlen(text), &err) || lex_compile(lx, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		fail();
	}
	return lx;
}

static void accents_and_case(void **state)
{
	struct lexicon *lx = compile(lexicon_text);
	struct rs_err err = { 0 };
	struct lex_scanner *sc = lex_scanner_new(lx, &err);
	struct hits h;

	(void)state;
	assert_non_null(sc);
	assert_int_equal(lex_ncodes(lx), 5);
	assert_int_equal(lex_nentries(lx), 7);
	/* text accented, pattern accented, different case */
	assert_string_equal(scan(sc, lx, "RECIÉN LLEGADA a la ciudad", &h), "AD.MOVEMENT@0:'RECIÉN LLEGADA'");
	/* text without the accent still matches the accented pattern */
	assert_string_equal(scan(sc, lx, "recien  llegada", &h), "AD.MOVEMENT@0:'recien  llegada'");
	/* CRUCE SEGURO with accents where the pattern has none, and a regex */
	assert_string_equal(scan(sc, lx, "¡CRÚCE SEGÚRO! PASAMOS hoy", &h),
			    "SM.CROSSING@2:'CRÚCE SEGÚRO' SM.CROSSING@18:'PASAMOS'");
	/* whole words only */
	assert_string_equal(scan(sc, lx, "renew in townhouse", &h), "");
	/* emoji, and offsets in the raw text */
	assert_string_equal(scan(sc, lx, "150\xf0\x9f\x8c\xb9\xf0\x9f\x8c\xb9 New In Town",  &h),
			    "AD.ROSES@3:'\xf0\x9f\x8c\xb9' AD.ROSES@7:'\xf0\x9f\x8c\xb9' AD.MOVEMENT@12:'New In Town'");
	/* Spanish stated age with an accent, fullwidth digits */
	assert_string_equal(scan(sc, lx, "tengo １９ AÑOS", &h), "AD.AGE@6:'１９ AÑOS'");
	assert_string_equal(scan(sc, lx, "", &h), "");
	lex_scanner_free(sc);
	lex_free(lx);
}

static void no_overlaps(void **state)
{
	struct lexicon *lx = compile("X.A\t1\ta+\t-\tany\tt\nX.B\t1\tb[a-z]*\t-\tany\tt\n");
	struct rs_err err = { 0 };
	struct lex_scanner *sc = lex_scanner_new(lx, &err);
	struct hits h;

	(void)state;
	/* "aaaa" is one match (longest at the leftmost start), not 10 */
	assert_string_equal(scan(sc, lx, "aaaa bxyz", &h), "X.A@0:'aaaa' X.B@5:'bxyz'");
	lex_scanner_set_limit(sc, 2);
	assert_string_equal(scan(sc, lx, "a b a b", &h), "X.A@0:'a' X.B@2:'b'");
	assert_int_equal(lex_scanner_dropped(sc), 2);
	lex_scanner_free(sc);
	lex_free(lx);
}

static void expect_error(const char *text, const char *want)
{
	struct rs_err err = { 0 };
	struct lexicon *lx = lex_new();
	int rc = lex_add_text(lx, "data/bad.tsv", text, strlen(text), &err);

	if (!rc)
		rc = lex_compile(lx, &err);
	assert_int_not_equal(rc, 0);
	if (!strstr(err.msg, want)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, want);
		fail();
	}
	lex_free(lx);
}

static void errors_name_file_line_pattern(void **state)
{
	(void)state;
	expect_error("# ok\nA.B\t1\tfoo\t-\ten\n", "data/bad.tsv:2: expected 6 TAB-separated fields");
	expect_error("A.B\tx\tfoo\t-\ten\tsrc\n", "data/bad.tsv:1: weight 'x' is not a number");
	expect_error("A.B\t1\tfoo\tq\ten\tsrc\n", "unknown flag 'q'");
	expect_error("A.B\t1\tfoo\t-\ten\t\n", "the source field is empty");
	expect_error("A.B\t1\tfoo\t-\ten\ts\nA.B\t2\tbar\t-\ten\ts\n", "data/bad.tsv:2: code 'A.B' has weight 2");
	expect_error("A.B\t1\tok\t-\ten\ts\nA.C\t1\tfoo(\t-\ten\ts\n", "data/bad.tsv:2: pattern 'foo(' of code 'A.C' cannot be compiled");
	expect_error("A.B\t1\t\xff\t-\ten\ts\n", "data/bad.tsv:1:");
	expect_error("A B\t1\tx\t-\ten\ts\n", "code 'A B' may hold only");
	{
		struct rs_err err = { 0 };
		struct lexicon *lx = lex_new();

		assert_int_not_equal(lex_add_file(lx, "/nonexistent/lex.tsv", &err), 0);
		assert_non_null(strstr(err.msg, "/nonexistent/lex.tsv"));
		lex_free(lx);
	}
}

static void files_and_literals(void **state)
{
	const char *a = tu_writes("a.tsv", "P.ONE\t1\t$2,300 (usd)\tl\ten\tUnivision\n");
	const char *b = tu_writes("b.tsv", "P.TWO\t0.5\t100%\twl\tes\tpress\r\n");
	const char *paths[2];
	struct rs_err err = { 0 };
	struct lexicon *lx;
	struct lex_scanner *sc;
	struct hits h;

	(void)state;
	paths[0] = a;
	paths[1] = b;
	lx = lex_load(paths, 2, &err);
	assert_non_null(lx);
	assert_int_equal(lex_find_code(lx, "P.TWO"), 1);
	assert_int_equal(lex_find_code(lx, "nope"), -1);
	assert_string_equal(lex_entry(lx, 1)->source, "press");
	assert_string_equal(lex_entry(lx, 0)->file, a);
	sc = lex_scanner_new(lx, &err);
	assert_string_equal(scan(sc, lx, "only $2,300 (USD) cruce 100% seguro", &h),
			    "P.ONE@5:'$2,300 (USD)' P.TWO@24:'100%'");
	lex_set_weight(lx, 1, 4.0);
	assert_true(lex_code(lx, 1)->weight == 4.0);
	lex_scanner_free(sc);
	lex_free(lx);
}

static void hostile_text(void **state)
{
	struct lexicon *lx = compile(lexicon_text);
	struct rs_err err = { 0 };
	struct lex_scanner *sc = lex_scanner_new(lx, &err);
	size_t n = 1u << 20, i;
	char *big = malloc(n + 1);
	struct hits h;

	(void)state;
	assert_non_null(big);
	/* 1 MB of invalid bytes, emoji and phrases: no crash, bounded matches */
	for (i = 0; i < n; i++)
		big[i] = (char)(i % 7 == 0 ? 0xff : "new in town "[i % 12]);
	big[n] = '\0';
	memset(&h, 0, sizeof h);
	h.lx = lx;
	h.text = big;
	assert_int_equal(lex_scan(sc, big, n, collect, &h), 0);
	for (i = 0; i + 4 <= n; i += 4)
		memcpy(big + i, "\xf0\x9f\x8c\xb9", 4);
	assert_int_equal(lex_scan(sc, big, n, collect, &h), 0);
	assert_true(lex_scanner_dropped(sc) > 0);
	free(big);
	lex_scanner_free(sc);
	lex_free(lx);
}

static void empty_lexicon(void **state)
{
	struct lexicon *lx = compile("# nothing here\n");
	struct rs_err err = { 0 };
	struct lex_scanner *sc = lex_scanner_new(lx, &err);
	struct hits h;

	(void)state;
	assert_string_equal(scan(sc, lx, "anything", &h), "");
	lex_scanner_free(sc);
	lex_free(lx);
}

static void out_of_memory(void **state)
{
	long k;

	(void)state;
	/* Every allocation failure on the build path is an error, never a crash or leak. */
	for (k = 0; k < 200; k++) {
		struct rs_err err = { 0 };
		struct lexicon *lx = lex_new();
		int rc;

		mem_fail_after(k);
		if (!lx) {
			mem_fail_after(-1);
			continue;
		}
		rc = lex_add_text(lx, "t.tsv", lexicon_text, strlen(lexicon_text), &err);
		mem_fail_after(-1);
		if (rc)
			assert_int_equal(rc, 5);
		lex_free(lx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folding),
		cmocka_unit_test(fold_offsets),
		cmocka_unit_test(accents_and_case),
		cmocka_unit_test(no_overlaps),
		cmocka_unit_test(errors_name_file_line_pattern),
		cmocka_unit_test(files_and_literals),
		cmocka_unit_test(hostile_text),
		cmocka_unit_test(empty_lexicon),
		cmocka_unit_test(out_of_memory),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_cleanup();
	return rc;
}
