/*
 * jsonl: JSON Lines on top of the CSV reader's line mode, each line parsed
 * by jdoc.
 */
#include "jsonl.h"
#include "csv.h"
#include "core/mem.h"
#include "rastro.h"

#include <stdio.h>
#include <string.h>

struct jsonl {
	struct csv *csv;
	struct jdoc *doc;
	struct jsonl_item item;
};

int jsonl_open(struct jsonl **out, const char *path, size_t max_line, struct rs_err *err)
{
	struct csv_opts o;
	struct jsonl *j;
	int rc;

	*out = NULL;
	j = mem_calloc(1, sizeof *j);
	if (!j)
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	csv_opts_default(&o);
	o.delim = 0;
	o.quote = 0;
	o.check_utf8 = 1;
	if (max_line)
		o.max_record = max_line;
	j->doc = jdoc_new();
	if (!j->doc) {
		mem_free(j);
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	}
	rc = csv_open(&j->csv, path, &o, err);
	if (rc) {
		jdoc_free(j->doc);
		mem_free(j);
		return rc;
	}
	*out = j;
	return 0;
}

int jsonl_next_line(struct jsonl *j, struct jsonl_item **out, struct rs_err *err)
{
	struct jsonl_item *it = &j->item;
	struct csv_row *row;
	int r;

	*out = it;
	memset(it, 0, sizeof *it);
	for (;;) {
		size_t k;

		r = csv_next(j->csv, &row, err);
		if (r == CSV_FAIL)
			return JSONL_FAIL;
		if (r == CSV_EOF)
			return JSONL_EOF;
		it->line = row->line;
		it->offset = row->offset;
		it->raw = row->raw;
		it->raw_len = row->raw_len;
		it->raw_total = row->raw_total;
		if (r == CSV_BAD) {
			it->bad_col = row->bad_col;
			snprintf(it->bad_reason, sizeof it->bad_reason, "%s", row->bad_reason);
			return JSONL_BAD;
		}
		/* Lines of only spaces are blank too. */
		for (k = 0; k < row->raw_len && (row->raw[k] == ' ' || row->raw[k] == '\t'); k++)
			;
		if (k < row->raw_len)
			return JSONL_LINE;
	}
}

int jsonl_parse(struct jdoc *d, const char *raw, size_t n, uint64_t *col, char *reason, size_t reasonn)
{
	int r = jdoc_parse(d, raw, n, col, reason, reasonn);

	if (r == JDOC_NOMEM)
		return JSONL_FAIL;
	if (r == JDOC_BAD)
		return JSONL_BAD;
	if (r == JDOC_NOT_OBJECT) {
		*col = 1;
		snprintf(reason, reasonn, "a JSON line must be an object");
		return JSONL_BAD;
	}
	return JSONL_OBJ;
}

int jsonl_next(struct jsonl *j, struct jsonl_item **out, struct rs_err *err)
{
	struct jsonl_item *it;
	int r = jsonl_next_line(j, &it, err);

	*out = it;
	if (r != JSONL_LINE)
		return r;
	r = jsonl_parse(j->doc, it->raw, it->raw_len, &it->bad_col, it->bad_reason, sizeof it->bad_reason);
	if (r == JSONL_FAIL)
		err_set(err, RASTRO_NOMEM, "out of memory parsing JSON line %llu", (unsigned long long)it->line);
	else if (r == JSONL_OBJ)
		it->doc = j->doc;
	return r;
}

void jsonl_close(struct jsonl *j)
{
	if (!j)
		return;
	jdoc_free(j->doc);
	csv_close(j->csv);
	mem_free(j);
}

uint64_t jsonl_raw_pos(const struct jsonl *j)
{
	return csv_raw_pos(j->csv);
}

uint64_t jsonl_raw_size(const struct jsonl *j)
{
	return csv_raw_size(j->csv);
}

uint64_t jsonl_bytes(const struct jsonl *j)
{
	return csv_bytes(j->csv);
}
