/*
 * table: rectangular string results with typed column hints.
 */
#include "table.h"
#include "arena.h"
#include "mem.h"
#include "vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rastro_table {
	char *title;
	size_t ncols;
	char **names;
	int *types;
	struct vec rows;   /* char ** per row (ncols cells) */
	struct arena mem;
	int failed;
};

rastro_table *tbl_new(const char *title, const char *const *cols, size_t ncols)
{
	rastro_table *t = mem_calloc(1, sizeof *t);
	size_t i;

	if (!t)
		return NULL;
	arena_init(&t->mem, 64 * 1024);
	vec_init(&t->rows, sizeof(char **));
	t->ncols = ncols;
	t->title = arena_strdup(&t->mem, title ? title : "");
	t->names = arena_calloc(&t->mem, (ncols ? ncols : 1) * sizeof *t->names);
	t->types = arena_calloc(&t->mem, (ncols ? ncols : 1) * sizeof *t->types);
	if (!t->title || !t->names || !t->types) {
		rastro_table_free(t);
		return NULL;
	}
	for (i = 0; i < ncols; i++) {
		const char *colon = strchr(cols[i], ':');
		size_t n = colon ? (size_t)(colon - cols[i]) : strlen(cols[i]);

		t->names[i] = arena_strndup(&t->mem, cols[i], n);
		if (!t->names[i]) {
			rastro_table_free(t);
			return NULL;
		}
		if (colon && strcmp(colon + 1, "int") == 0)
			t->types[i] = RASTRO_COL_INT;
		else if (colon && strcmp(colon + 1, "real") == 0)
			t->types[i] = RASTRO_COL_REAL;
	}
	return t;
}

void tbl_row(rastro_table *t)
{
	char **cells;

	if (!t || t->failed)
		return;
	cells = arena_calloc(&t->mem, (t->ncols ? t->ncols : 1) * sizeof *cells);
	if (!cells || vec_push(&t->rows, &cells))
		t->failed = 1;
}

void tbl_setn(rastro_table *t, size_t col, const char *s, size_t n)
{
	char **cells;

	if (!t || t->failed || !t->rows.len || col >= t->ncols)
		return;
	cells = *(char ***)vec_at(&t->rows, t->rows.len - 1);
	if (!s) {
		cells[col] = NULL;
		return;
	}
	cells[col] = arena_strndup(&t->mem, s, n);
	if (!cells[col])
		t->failed = 1;
}

void tbl_set(rastro_table *t, size_t col, const char *s)
{
	tbl_setn(t, col, s, s ? strlen(s) : 0);
}

void tbl_setf(rastro_table *t, size_t col, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (t)
			t->failed = 1;
		return;
	}
	if ((size_t)n < sizeof small) {
		tbl_setn(t, col, small, (size_t)n);
		return;
	}
	{
		char *big = mem_alloc((size_t)n + 1);

		if (!big) {
			if (t)
				t->failed = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		tbl_setn(t, col, big, (size_t)n);
		mem_free(big);
	}
}

void tbl_set_i64(rastro_table *t, size_t col, long long v)
{
	tbl_setf(t, col, "%lld", v);
}

void tbl_set_real(rastro_table *t, size_t col, double v, int decimals)
{
	tbl_setf(t, col, "%.*f", decimals, v);
}

int tbl_failed(const rastro_table *t)
{
	return !t || t->failed;
}

const char *rastro_table_title(const rastro_table *t)
{
	return t->title;
}

size_t rastro_table_ncols(const rastro_table *t)
{
	return t->ncols;
}

size_t rastro_table_nrows(const rastro_table *t)
{
	return t->rows.len;
}

const char *rastro_table_colname(const rastro_table *t, size_t col)
{
	return col < t->ncols ? t->names[col] : NULL;
}

int rastro_table_coltype(const rastro_table *t, size_t col)
{
	return col < t->ncols ? t->types[col] : RASTRO_COL_TEXT;
}

const char *rastro_table_cell(const rastro_table *t, size_t row, size_t col)
{
	if (row >= t->rows.len || col >= t->ncols)
		return NULL;
	return (*(char ***)vec_at(&t->rows, row))[col];
}

void rastro_table_free(rastro_table *t)
{
	if (!t)
		return;
	vec_release(&t->rows);
	arena_release(&t->mem);
	mem_free(t);
}
