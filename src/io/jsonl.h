/*
 * jsonl: a streaming reader of JSON Lines (one JSON object per line), plain,
 * gzip or zstd.  Lines are split by the CSV reader in line mode and parsed by
 * jdoc (simdjson, with jansson as the reference for doubtful lines); a line
 * that is not a JSON object is reported with its line and column and reading
 * goes on.
 */
#ifndef RASTRO_JSONL_H
#define RASTRO_JSONL_H

#include <stdint.h>

#include "core/err.h"
#include "jdoc.h"

struct jsonl;

struct jsonl_item {
	const struct jdoc *doc; /* the object (JSONL_OBJ); borrowed, valid until the next call */
	uint64_t line;
	uint64_t offset;
	const char *raw;      /* the line's bytes (truncated for over-long lines) */
	size_t raw_len;
	uint64_t raw_total;
	uint64_t bad_col;     /* when JSONL_BAD */
	char bad_reason[160];
};

enum { JSONL_FAIL = -1, JSONL_EOF = 0, JSONL_OBJ = 1, JSONL_BAD = 2, JSONL_LINE = 3 };

/* max_line: bytes per line (0 = 64 MiB). */
int jsonl_open(struct jsonl **out, const char *path, size_t max_line, struct rs_err *err);
int jsonl_next(struct jsonl *j, struct jsonl_item **item, struct rs_err *err);
/* The next non-blank line without parsing it: JSONL_LINE (raw, line,
 * offset filled), JSONL_BAD (a line the reader refused: bad UTF-8, too
 * long), JSONL_EOF or JSONL_FAIL.  For readers that parse elsewhere. */
int jsonl_next_line(struct jsonl *j, struct jsonl_item **item, struct rs_err *err);
/* Parses one line as jsonl_next does, with the caller's parser: JSONL_OBJ
 * (the object is in d), JSONL_BAD (col and reason filled) or JSONL_FAIL
 * (out of memory). */
int jsonl_parse(struct jdoc *d, const char *raw, size_t n, uint64_t *col, char *reason, size_t reasonn);
void jsonl_close(struct jsonl *j);
uint64_t jsonl_raw_pos(const struct jsonl *j);
uint64_t jsonl_raw_size(const struct jsonl *j);
uint64_t jsonl_bytes(const struct jsonl *j);

#endif
