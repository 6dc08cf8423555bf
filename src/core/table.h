/*
 * table: building rastro_table results (the public accessors live in
 * rastro.h).  Cells are copied into the table's arena; a table is built row
 * by row and then handed to the caller, who frees it with rastro_table_free.
 *
 * Building is failure-sticky: after an allocation failure every call is a
 * no-op and tbl_failed() is true, so callers check once at the end.
 */
#ifndef RASTRO_TABLE_H
#define RASTRO_TABLE_H

#include <stddef.h>

#include "rastro.h"

/* Columns as "name" or "name:int" / "name:real" (type hint for JSON). */
rastro_table *tbl_new(const char *title, const char *const *cols, size_t ncols);
/* Starts a new row with every cell NULL. */
void tbl_row(rastro_table *t);
/* Sets a cell of the current row (copied; NULL allowed). */
void tbl_set(rastro_table *t, size_t col, const char *s);
void tbl_setn(rastro_table *t, size_t col, const char *s, size_t n);
void tbl_setf(rastro_table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tbl_set_i64(rastro_table *t, size_t col, long long v);
void tbl_set_real(rastro_table *t, size_t col, double v, int decimals);
int tbl_failed(const rastro_table *t);

#endif
