/*
 * csv: a streaming RFC 4180 reader.
 *
 * Handles quoted fields with embedded delimiters, quotes ("") and newlines,
 * CRLF and LF line ends, a UTF-8 byte-order mark, any one-byte delimiter,
 * FEBRL-style "comma then space" separators, and validates UTF-8.  Input
 * goes through zin, so gzip and zstd files read the same as plain ones.
 *
 * Fields point into the reader's buffer and stay valid until the next call
 * to csv_next.  Problems with one record (a stray quote, invalid UTF-8, a
 * record over the size limit) are reported for that record only, with its
 * line and column, and reading goes on at the next record: the caller
 * quarantines it.  Only I/O and decompression errors stop the reader.
 *
 * With delim = 0 and quote = 0 the reader splits lines only (one field per
 * line): that is how the JSONL reader uses it.
 */
#ifndef RASTRO_CSV_H
#define RASTRO_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct csv_opts {
	char delim;              /* field delimiter; 0 = whole line is one field */
	char quote;              /* quote character; 0 = no quoting */
	int skip_initial_space;  /* drop spaces after a delimiter (FEBRL's ", ") */
	int check_utf8;          /* reject records that are not valid UTF-8 */
	size_t max_record;       /* bytes; longer records are skipped and reported */
	size_t max_fields;       /* more fields than this in a record is an error */
};

/* ',' '"', no space skipping, UTF-8 checked, 64 MiB records, 10,000 fields. */
void csv_opts_default(struct csv_opts *o);

struct csv_field {
	const char *s;      /* not NUL-terminated */
	size_t len;
	uint32_t line_off;  /* lines between the record's first line and the field's */
	uint32_t col;       /* 1-based byte column of the field in its line */
};

struct csv_row {
	struct csv_field *fields;
	size_t nfields;
	uint64_t line;      /* 1-based line where the record starts */
	uint64_t offset;    /* byte offset of the record in the decompressed input */
	const char *raw;    /* the record's bytes (truncated to 4 KiB for over-long ones) */
	size_t raw_len;
	uint64_t raw_total; /* full length of the record in bytes */
	/* When csv_next returns CSV_BAD: where and why. */
	uint64_t bad_line;
	uint64_t bad_col;
	const char *bad_reason;
};

enum { CSV_FAIL = -1, CSV_EOF = 0, CSV_ROW = 1, CSV_BAD = 2 };

struct csv;

int csv_open(struct csv **out, const char *path, const struct csv_opts *opts,
	     struct rs_err *err);
/* Next record: CSV_ROW, CSV_BAD (row describes the problem), CSV_EOF, or
 * CSV_FAIL (err set; the reader cannot go on). */
int csv_next(struct csv *c, struct csv_row **row, struct rs_err *err);
void csv_close(struct csv *c);

/* Decompressed bytes consumed, raw bytes consumed and raw file size. */
uint64_t csv_bytes(const struct csv *c);
uint64_t csv_raw_pos(const struct csv *c);
uint64_t csv_raw_size(const struct csv *c);
const char *csv_path(const struct csv *c);

/* Index of the n-th (0-based) field of `row` whose text equals `name` after
 * trimming spaces, case-insensitively; -1 when absent.  Used on headers. */
int csv_find(const struct csv_row *row, const char *name, int nth);

#endif
