/*
 * Unit tests of the CSV reader, the JSONL reader and transparent
 * decompression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "io/csv.h"
#include "io/jsonl.h"
#include "rastro.h"
#include "testutil.h"

static int next(struct csv *c, struct csv_row **row)
{
	struct rs_err e;

	return csv_next(c, row, &e);
}

static void field_is(const struct csv_row *row, size_t i, const char *want)
{
	assert_true(i < row->nfields);
	assert_int_equal(row->fields[i].len, strlen(want));
	assert_memory_equal(row->fields[i].s, want, strlen(want));
}

static struct csv *open_text(const char *name, const char *text, const struct csv_opts *o)
{
	struct csv *c;
	struct rs_err e;

	assert_int_equal(csv_open(&c, tu_writes(name, text), o, &e), 0);
	return c;
}

static void reads_rfc4180(void **state)
{
	struct csv *c = open_text("a.csv",
		"\xEF\xBB\xBFid,name,note\r\n"
		"1,\"Núñez, José\",\"he said \"\"hola\"\"\"\r\n"
		"\r\n"
		"2,\"two\nlines\",x\r\n"
		"3,,\"\"\n"
		"4,last,no-newline", NULL);
	struct csv_row *row;

	(void)state;
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 0, "id");
	assert_int_equal(row->line, 1);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(row->nfields, 3);
	field_is(row, 1, "Núñez, José");
	field_is(row, 2, "he said \"hola\"");
	assert_int_equal(row->line, 2);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(row->line, 4); /* the blank line 3 is skipped */
	field_is(row, 1, "two\nlines");
	field_is(row, 2, "x");
	assert_int_equal(row->fields[2].line_off, 1);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(row->line, 6);
	field_is(row, 1, "");
	field_is(row, 2, "");
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 1, "last");
	field_is(row, 2, "no-newline");
	assert_int_equal(next(c, &row), CSV_EOF);
	csv_close(c);
}

static void reports_bad_records_and_goes_on(void **state)
{
	/* A NUL byte in the text needs an explicit length. */
	const char text[] = "a,b\n1,\"x\"y\n2,ok\n3,caf\xe9\n4,nul\0x\n5,\"never closed\n6,z\n";
	struct csv *c;
	struct csv_row *row;
	struct rs_err e;

	(void)state;
	assert_int_equal(csv_open(&c, tu_write("bad.csv", text, sizeof text - 1), NULL, &e), 0);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_int_equal(row->bad_line, 2);
	assert_int_equal(row->bad_col, 6);
	assert_string_equal(row->bad_reason, "unexpected text after a closing quote");
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 1, "ok");
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_int_equal(row->bad_line, 4);
	assert_int_equal(row->bad_col, 6);
	assert_string_equal(row->bad_reason, "invalid UTF-8");
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_int_equal(row->bad_line, 5);
	assert_int_equal(row->bad_col, 6);
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_int_equal(row->bad_line, 6);
	assert_non_null(strstr(row->bad_reason, "unterminated"));
	assert_int_equal(next(c, &row), CSV_EOF);
	csv_close(c);
}

static void limits_record_size_and_fields(void **state)
{
	struct csv_opts o;
	struct csv *c;
	struct csv_row *row;
	char *big = malloc(300000), *p;
	int i;

	(void)state;
	csv_opts_default(&o);
	o.max_record = 100000;
	o.max_fields = 5;
	p = big;
	p += sprintf(p, "h1,h2\n");
	for (i = 0; i < 200000; i++)
		*p++ = 'x';
	p += sprintf(p, ",y\n1,2,3,4,5,6,7\nlast,row\n");
	*p = '\0';
	c = open_text("long.csv", big, &o);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_string_equal(row->bad_reason, "record longer than the size limit");
	assert_int_equal(row->line, 2);
	assert_int_equal(row->raw_total, 200002);
	assert_int_equal(next(c, &row), CSV_BAD);
	assert_string_equal(row->bad_reason, "too many fields in one record");
	assert_int_equal(row->line, 3);
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 0, "last");
	assert_int_equal(row->line, 4);
	assert_int_equal(next(c, &row), CSV_EOF);
	csv_close(c);
	free(big);
}

static void records_across_buffer_refills(void **state)
{
	/* 3 MiB of records with quoted newlines: parses across read chunks. */
	size_t n = 60000, i, line = 1;
	char *text = malloc(n * 64 + 64), *p = text;
	struct csv *c;
	struct csv_row *row;

	(void)state;
	p += sprintf(p, "k,v\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%zu,\"line one\nline \"\"two\"\" of record %zu\"\n", i, i);
	*p = '\0';
	c = open_text("many.csv", text, NULL);
	assert_int_equal(next(c, &row), CSV_ROW);
	for (i = 0; i < n; i++) {
		char want[64];

		line++;
		assert_int_equal(next(c, &row), CSV_ROW);
		assert_int_equal(row->line, line);
		snprintf(want, sizeof want, "line one\nline \"two\" of record %zu", i);
		field_is(row, 1, want);
		line++;
	}
	assert_int_equal(next(c, &row), CSV_EOF);
	csv_close(c);
	free(text);
}

static void other_delimiters_and_spaces(void **state)
{
	struct csv_opts o;
	struct csv *c;
	struct csv_row *row;

	(void)state;
	csv_opts_default(&o);
	o.skip_initial_space = 1;
	c = open_text("febrl.csv", "rec_id, given_name, surname\nrec-1-org, ann, lee\n", &o);
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 1, "given_name");
	assert_int_equal(csv_find(row, "surname", 0), 2);
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 2, "lee");
	csv_close(c);
	csv_opts_default(&o);
	o.delim = '\t';
	c = open_text("t.tsv", "a\tb\n1\t2,3\n", &o);
	assert_int_equal(next(c, &row), CSV_ROW);
	assert_int_equal(next(c, &row), CSV_ROW);
	field_is(row, 1, "2,3");
	csv_close(c);
}

static const char *write_gzip(const char *name, const char *text, int truncate)
{
	uLongf cap = compressBound((uLong)strlen(text)) + 64;
	unsigned char *out = malloc(cap);
	z_stream z;
	const char *p;

	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	p = tu_write(name, out, truncate ? z.total_out / 2 : z.total_out);
	deflateEnd(&z);
	free(out);
	return p;
}

static const char *write_zstd(const char *name, const char *text, int truncate)
{
	size_t cap = ZSTD_compressBound(strlen(text));
	void *out = malloc(cap);
	size_t n = ZSTD_compress(out, cap, text, strlen(text), 3);
	const char *p = tu_write(name, out, truncate ? n - 5 : n);

	free(out);
	return p;
}

static void reads_compressed_files(void **state)
{
	char text[20000], *p = text;
	struct csv *c;
	struct csv_row *row;
	struct rs_err e;
	int i, rows, r;

	(void)state;
	p += sprintf(p, "a,b\n");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "%d,value-%d\n", i, i);
	for (int codec = 0; codec < 2; codec++) {
		const char *path = codec ? write_zstd("x.csv.zst", text, 0) : write_gzip("x.csv.gz", text, 0);

		assert_int_equal(csv_open(&c, path, NULL, &e), 0);
		rows = 0;
		while ((r = csv_next(c, &row, &e)) == CSV_ROW)
			rows++;
		assert_int_equal(r, CSV_EOF);
		assert_int_equal(rows, 1001);
		csv_close(c);

		path = codec ? write_zstd("t.csv.zst", text, 1) : write_gzip("t.csv.gz", text, 1);
		assert_int_equal(csv_open(&c, path, NULL, &e), 0);
		while ((r = csv_next(c, &row, &e)) == CSV_ROW || r == CSV_BAD)
			;
		assert_int_equal(r, CSV_FAIL);
		assert_int_equal(e.code, RASTRO_FORMAT);
		assert_non_null(strstr(e.msg, "truncated"));
		csv_close(c);
	}
}

static void missing_file_is_an_error(void **state)
{
	struct csv *c;
	struct rs_err e;

	(void)state;
	assert_int_equal(csv_open(&c, "/nonexistent/file.csv", NULL, &e), RASTRO_NOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/file.csv"));
}

static void jsonl_objects_and_errors(void **state)
{
	struct jsonl *j;
	struct jsonl_item *it;
	struct rs_err e;

	(void)state;
	assert_int_equal(jsonl_open(&j, tu_writes("a.jsonl",
		"{\"id\": \"ad1\", \"body\": \"hola 🌹\"}\n"
		"\n"
		"{\"id\": \"ad2\", \"body\": }\n"
		"[1,2]\n"
		"{\"id\": \"ad3\", \"id\": \"dup\"}\n"
		"{\"id\": \"ad4\"}"), 0, &e), 0);
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_OBJ);
	assert_string_equal(jdoc_get(it->doc, "id")->s, "ad1");
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_BAD);
	assert_int_equal(it->line, 3);
	assert_true(it->bad_col > 1);
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_BAD);
	assert_int_equal(it->line, 4);
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_BAD);
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_OBJ);
	assert_int_equal(it->line, 6);
	assert_int_equal(jsonl_next(j, &it, &e), JSONL_EOF);
	jsonl_close(j);
}

/* Two values of the view are the same (strings by content). */
static void same_val(const struct jdoc *a, const struct jdoc_val *x, const struct jdoc *b,
		     const struct jdoc_val *y, int top)
{
	size_t k;

	assert_int_equal(x->type, y->type);
	switch (x->type) {
	case JDOC_STRING:
		assert_int_equal(x->n, y->n);
		assert_memory_equal(x->s, y->s, x->n);
		assert_int_equal(x->s[x->n], '\0');
		break;
	case JDOC_INT:
	case JDOC_BOOL:
		assert_int_equal(x->i, y->i);
		break;
	case JDOC_REAL:
		assert_memory_equal(&x->d, &y->d, sizeof x->d);
		break;
	case JDOC_ARRAY:
		if (!top)
			break;
		assert_int_equal(x->count, y->count);
		for (k = 0; k < x->count; k++)
			same_val(a, jdoc_item(a, x, k), b, jdoc_item(b, y, k), 0);
		break;
	default:
		break;
	}
}

/* The fast parser (simdjson) and the reference (jansson alone) agree on
 * every line: same verdict, message, column and values.  The lines are the
 * places where the two libraries differ on their own. */
static void jdoc_fast_path_agrees_with_jansson(void **state)
{
	static const char *const lines[] = {
		"{\"id\":\"a\",\"n\":1,\"r\":12.50,\"t\":true,\"z\":null,\"l\":[\"x\",2,[3],{\"a\":1}],\"o\":{}}",
		"{\"body\":\"nul \\u0000 here\"}",
		"{\"\\u0000k\":1}",
		"{\"x\":{\"k\":1,\"k\":2}}",
		"{\"x\":[1,{\"a\":{\"b\":{\"b\":1,\"b\":2}}}]}",
		"{\"id\":1,\"id\":2}",
		"{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,"
		"\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16,\"k17\":17,\"k2\":0}",
		"{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,"
		"\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16,\"k17\":17,\"k18\":0}",
		"{\"p\":18446744073709551615}",
		"{\"p\":9223372036854775807,\"q\":-9223372036854775808,\"r\":-0,\"s\":-0.0}",
		"{\"p\":100000000000000000000000}",
		"{\"p\":1e400}",
		"{\"p\":1e-400,\"q\":0.30000000000000004,\"r\":1.5E+3,\"s\":-1.0e-2}",
		"{\"b\":\"lone \\ud800 x\"}",
		"{\"b\":\"pair \\ud83d\\ude00 \\u00e9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}",
		"{\"b\":\"tab\there\"}",
		"{\"p\":01}",
		"{\"p\":NaN}",
		"{\"a\":1} trailing",
		"{\"a\":1,}",
		"  {\"a\":\"spaces around\"}  ",
		"[1,2]",
		"1",
		"\"str\"",
		"\xef\xbb\xbf{\"a\":1}",
		"{\"\":1}",
		"{\"x\":\"\\u\"}",
		"{\"x\":tru}",
	};
	struct jdoc *fast = jdoc_new(), *ref = jdoc_new();
	uint64_t col;
	size_t i, m;

	(void)state;
	assert_non_null(fast);
	assert_non_null(ref);
	jdoc_set_fast(ref, 0);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		uint64_t cf, cr;
		char rf[160], rr[160];
		int a = jdoc_parse(fast, lines[i], strlen(lines[i]), &cf, rf, sizeof rf);
		int b = jdoc_parse(ref, lines[i], strlen(lines[i]), &cr, rr, sizeof rr);

		print_message("line %zu: %d %s\n", i, a, rf);
		assert_int_equal(a, b);
		assert_int_equal(cf, cr);
		assert_string_equal(rf, rr);
		assert_true(jdoc_slow(ref));
		if (a != JDOC_OK)
			continue;
		assert_int_equal(jdoc_nmembers(fast), jdoc_nmembers(ref));
		for (m = 0; m < jdoc_nmembers(fast); m++) {
			const struct jdoc_member *x = jdoc_member_at(fast, m), *y = jdoc_member_at(ref, m);

			assert_string_equal(x->key, y->key);
			assert_int_equal(x->keylen, y->keylen);
			same_val(fast, &x->v, ref, &y->v, 1);
		}
	}
	/* an ordinary line takes the fast path */
	assert_int_equal(jdoc_parse(fast, lines[0], strlen(lines[0]), &col, NULL, 0), JDOC_OK);
	assert_false(jdoc_slow(fast));
	assert_int_equal(jdoc_get(fast, "n")->i, 1);
	assert_int_equal(jdoc_get(fast, "l")->count, 4);
	assert_null(jdoc_get(fast, "missing"));
	jdoc_free(fast);
	jdoc_free(ref);
}

static int teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_rfc4180),
		cmocka_unit_test(reports_bad_records_and_goes_on),
		cmocka_unit_test(limits_record_size_and_fields),
		cmocka_unit_test(records_across_buffer_refills),
		cmocka_unit_test(other_delimiters_and_spaces),
		cmocka_unit_test(reads_compressed_files),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(jsonl_objects_and_errors),
		cmocka_unit_test(jdoc_fast_path_agrees_with_jansson),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, teardown);
}
