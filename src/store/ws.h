/*
 * ws: the workspace handle shared by every module (internal view of the
 * public rastro_ws).  A workspace is one SQLite file; this header gives
 * modules its connection, settings and error slot, plus the few helpers every
 * stage needs (running SQL with errors turned into rastro codes, run log,
 * progress).
 */
#ifndef RASTRO_WS_H
#define RASTRO_WS_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "rastro.h"

struct rastro_ws {
	sqlite3 *db;
	char *path;
	int readonly;
	struct cfg *cfg;           /* effective settings */
	struct rs_err err;         /* last error */
	rastro_progress_fn progress;
	void *progress_user;
	int64_t run_id;            /* current run_log row, 0 when none */
};

/* The path of a data file named in the settings (a lexicon, a list):
 * rel itself when absolute, else rel under the data directory
 * (rastro_datadir).  Returns -1 when it does not fit in n bytes. */
int ws_data_path(char *out, size_t n, const char *rel);

/* Sets the workspace error and returns code. */
int ws_error(rastro_ws *ws, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Turns the connection's last SQLite error into a rastro code + message,
 * prefixed with what was being done ("loading transactions"). */
int ws_sqlerr(rastro_ws *ws, const char *doing);
/* Maps an SQLite result code to a rastro code. */
int ws_code_from_sqlite(int rc);

/* Runs SQL without results; on failure sets the error (doing = context). */
int ws_exec(rastro_ws *ws, const char *sql, const char *doing);
/* Prepares a statement; on failure sets the error. */
int ws_prepare(rastro_ws *ws, const char *sql, sqlite3_stmt **st);
/* Single integer result of a query (def when no row). */
int ws_query_i64(rastro_ws *ws, const char *sql, int64_t def, int64_t *out);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK with errors set. */
int ws_begin(rastro_ws *ws);
int ws_commit(rastro_ws *ws);
void ws_rollback(rastro_ws *ws);

/* meta table helpers. */
int ws_meta_get_i64(rastro_ws *ws, const char *key, int64_t def, int64_t *out);
int ws_meta_set_i64(rastro_ws *ws, const char *key, int64_t v);

/* Reserves n consecutive record ids (the id space shared by every record
 * table) and returns the first.  Must run inside a write transaction. */
int ws_reserve_record_ids(rastro_ws *ws, int64_t n, int64_t *first);
/* Next free entity id (entities get ids from rastro, not SQLite, so that
 * interning can run off the writer thread). */
int ws_next_entity_id(rastro_ws *ws, int64_t *out);

/* Run log: begin a row for a command, end it with a status and summary. */
int ws_run_begin(rastro_ws *ws, const char *command, const char *args);
void ws_run_end(rastro_ws *ws, int status, const char *summary);

/* Progress callback (no-op when none is set). */
void ws_progress(rastro_ws *ws, const char *stage, uint64_t done, uint64_t total);

/* UTC now as "YYYY-MM-DDTHH:MM:SSZ". */
void ws_now(char out[32]);

/* Creates the indexes of a component that were deferred during bulk load. */
int ws_ensure_indexes(rastro_ws *ws);
/* Marks indexes as needing a rebuild (drops them) before a bulk load. */
int ws_drop_bulk_indexes(rastro_ws *ws, const char *table);

/* Rollback journal (on) or write-ahead log (off) around a bulk step. */
void ws_bulk_journal(rastro_ws *ws, int on);

#endif
