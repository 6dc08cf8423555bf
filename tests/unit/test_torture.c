/*
 * Allocation-failure torture: opens a workspace and loads files while the
 * Nth allocation fails, for every N until a run needs no failure.  Each run
 * must end in success or a clean out-of-memory error, leave a workspace that
 * passes SQLite's integrity check, and load either the whole file or none of
 * it.  Leaks on any path are caught by the sanitizer build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rastro.h"
#include "testutil.h"

static long long query(const char *ws, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open_v2(ws, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void integrity_ok(const char *ws)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open_v2(ws, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* One run with the Nth allocation failing; returns the failures injected. */
static long run_once(long n, const char *data, const char *file, long long want_rows, const char *table)
{
	const char *ws_path = tu_path("torture.rastro");
	char src[512], sql[128];
	rastro_ws *ws = NULL;
	struct rastro_ingest_stats st;
	long failures;
	int rc;

	snprintf(src, sizeof src, "%s/%s", data, file);
	remove(ws_path);
	rastro_test_fail_alloc(n);
	rc = rastro_open(ws_path, RASTRO_OPEN_CREATE, &ws);
	if (rc == 0)
		rc = rastro_ingest(ws, src, NULL, &st);
	rastro_test_fail_alloc(-1);
	failures = 0;
	if (rc != 0 && rc != RASTRO_NOMEM)
		print_message("allocation %ld failed: code %d: %s\n", n, rc, ws ? rastro_errmsg(ws) : "(no handle)");
	if (rc != 0)
		assert_int_equal(rc, RASTRO_NOMEM);
	rastro_close(ws);
	/* Whatever happened, the file is either fully loaded or not at all. */
	if (rc == 0) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
		assert_int_equal(query(ws_path, sql), want_rows);
	} else {
		FILE *f = fopen(ws_path, "rb");

		if (f) {
			fclose(f);
			if (query(ws_path, "SELECT count(*) FROM sqlite_master WHERE name = 'source'") == 1) {
				integrity_ok(ws_path);
				snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
				assert_int_equal(query(ws_path, sql), 0);
			}
		}
		failures = 1;
	}
	return failures;
}

static void torture_file(const char *file, long long rows, const char *table)
{
	const char *data = getenv("RASTRO_SRC");
	char dir[512];
	long n, step = 1;

	snprintf(dir, sizeof dir, "%s/tests/data", data ? data : ".");
	for (n = 0; n < 100000; n += step) {
		if (!run_once(n, dir, file, rows, table))
			break;
		/* Every early allocation, then a sample of the later ones. */
		if (n > 300)
			step = 7;
	}
	assert_true(n < 100000);
	print_message("%s: %ld allocations exercised\n", file, n);
}

static void ingest_generic_under_allocation_failures(void **state)
{
	(void)state;
	torture_file("generic_small.csv", 12, "txn");
}

static void ingest_kyc_under_allocation_failures(void **state)
{
	(void)state;
	torture_file("kyc_small.csv", 5, "kyc");
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
		cmocka_unit_test(ingest_generic_under_allocation_failures),
		cmocka_unit_test(ingest_kyc_under_allocation_failures),
	};

	return cmocka_run_group_tests_name("torture", tests, NULL, teardown);
}
