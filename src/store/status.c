/*
 * status: what a workspace holds — row counts per table, the sources with
 * their load figures, the quarantine and the run log — as rastro_tables.
 */
#include "ws.h"
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "core/table.h"

/* Fills a table from a query whose columns match the table's. */
static int fill(rastro_ws *ws, rastro_table *t, sqlite3_stmt *st, const char *doing)
{
	int rc, n = sqlite3_column_count(st);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i;

		tbl_row(t);
		for (i = 0; i < n; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				continue;
			tbl_setn(t, (size_t)i, (const char *)sqlite3_column_text(st, i),
				 (size_t)sqlite3_column_bytes(st, i));
		}
	}
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, doing);
	if (tbl_failed(t))
		return ws_error(ws, RASTRO_NOMEM, "out of memory %s", doing);
	return 0;
}

static int table_exists(rastro_ws *ws, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int rastro_status(rastro_ws *ws, rastro_table **counts, rastro_table **sources)
{
	static const char *const ccols[] = { "table", "rows:int" };
	static const char *const scols[] = { "id:int", "format", "kind", "agency", "label", "rows_read:int",
					     "loaded:int", "quarantined:int", "loaded_at", "path" };
	static const char *const tables[] = { "source", "txn", "kyc", "entity", "account", "edge",
					      "signal", "network", "network_member", "quarantine", "run_log" };
	const struct schema_component *const *c;
	rastro_table *tc, *ts;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*counts = *sources = NULL;
	tc = tbl_new("workspace contents", ccols, 2);
	ts = tbl_new("sources", scols, 10);
	if (!tc || !ts) {
		rastro_table_free(tc);
		rastro_table_free(ts);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char sql[128];
		int64_t n;

		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
		if (ws_query_i64(ws, sql, 0, &n))
			goto fail;
		tbl_row(tc);
		tbl_set(tc, 0, tables[i]);
		tbl_set_i64(tc, 1, (long long)n);
	}
	/* Record tables of later modules. */
	for (c = schema_components(); *c; c++) {
		if (strcmp((*c)->name, "core") == 0)
			continue;
		for (i = 0; i < (*c)->nrecord_tables; i++) {
			char name[64], sql[128];
			const char *colon = strchr((*c)->record_tables[i], ':');
			size_t n = colon ? (size_t)(colon - (*c)->record_tables[i]) : strlen((*c)->record_tables[i]);
			int64_t rows;

			snprintf(name, sizeof name, "%.*s", (int)n, (*c)->record_tables[i]);
			if (!table_exists(ws, name))
				continue;
			snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", name);
			if (ws_query_i64(ws, sql, 0, &rows))
				goto fail;
			tbl_row(tc);
			tbl_set(tc, 0, name);
			tbl_set_i64(tc, 1, (long long)rows);
		}
	}
	if (ws_prepare(ws, "SELECT s.id, s.format, s.kind, a.code, s.label, s.rows_read, s.rows_loaded,"
			   " s.rows_quarantined, s.loaded_at, s.path FROM source s JOIN agency a ON a.id = s.agency_id"
			   " ORDER BY s.id", &st))
		goto fail;
	rc = fill(ws, ts, st, "listing sources");
	sqlite3_finalize(st);
	if (rc)
		goto fail;
	*counts = tc;
	*sources = ts;
	return 0;
fail:
	rastro_table_free(tc);
	rastro_table_free(ts);
	return ws->err.code;
}

int rastro_quarantine(rastro_ws *ws, int64_t source_id, size_t limit, rastro_table **out)
{
	static const char *const cols[] = { "id:int", "source:int", "file", "line:int", "col:int", "reason", "raw" };
	rastro_table *t = tbl_new("quarantined rows", cols, 7);
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (ws_prepare(ws, "SELECT q.id, q.source_id, s.path, q.line, q.col, q.reason, substr(q.raw, 1, 200)"
			   " FROM quarantine q JOIN source s ON s.id = q.source_id"
			   " WHERE ?1 = 0 OR q.source_id = ?1 ORDER BY q.id LIMIT ?2", &st)) {
		rastro_table_free(t);
		return ws->err.code;
	}
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	rc = fill(ws, t, st, "listing the quarantine");
	sqlite3_finalize(st);
	if (rc) {
		rastro_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int rastro_runlog(rastro_ws *ws, size_t limit, rastro_table **out)
{
	static const char *const cols[] = { "id:int", "command", "started_at", "finished_at", "status", "summary" };
	rastro_table *t = tbl_new("run log", cols, 6);
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (ws_prepare(ws, "SELECT id, command, started_at, finished_at, status, summary FROM run_log"
			   " ORDER BY id DESC LIMIT ?1", &st)) {
		rastro_table_free(t);
		return ws->err.code;
	}
	sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
	rc = fill(ws, t, st, "listing the run log");
	sqlite3_finalize(st);
	if (rc) {
		rastro_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
