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
	assert_string_equal(json_string_value(json_object_get(it->obj, "id")), "ad1");
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
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, teardown);
}
