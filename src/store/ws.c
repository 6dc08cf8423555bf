/*
 * ws: opening, configuring and closing a workspace; SQL helpers that turn
 * SQLite failures into rastro codes with messages a user can act on.
 */
#include "ws.h"
#include "schema.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/sbuf.h"
#include "core/table.h"

const char *rastro_version(void)
{
	return RASTRO_VERSION;
}

const char *rastro_strerror(int code)
{
	switch (code) {
	case RASTRO_OK: return "ok";
	case RASTRO_ERROR: return "internal error";
	case RASTRO_USAGE: return "usage error";
	case RASTRO_FORMAT: return "input data error";
	case RASTRO_IO: return "input/output error";
	case RASTRO_NOMEM: return "out of memory";
	case RASTRO_NOTFOUND: return "not found";
	case RASTRO_EXISTS: return "already exists";
	case RASTRO_CORRUPT: return "workspace damaged or too new";
	case RASTRO_READONLY: return "read-only";
	case RASTRO_FULL: return "disk full";
	case RASTRO_BUSY: return "workspace busy";
	case RASTRO_DENIED: return "access denied";
	case RASTRO_LIMIT: return "size limit exceeded";
	default: return "unknown error";
	}
}

const char *rastro_datadir(void)
{
	const char *env = getenv("RASTRO_DATA");

	return env && *env ? env : RASTRO_DATADIR;
}

int ws_data_path(char *out, size_t n, const char *rel)
{
	int k = rel[0] == '/' ? snprintf(out, n, "%s", rel) : snprintf(out, n, "%s/%s", rastro_datadir(), rel);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}

int ws_error(rastro_ws *ws, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(&ws->err, code, fmt, ap);
	va_end(ap);
	return code;
}

int ws_code_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return RASTRO_OK;
	case SQLITE_NOMEM: return RASTRO_NOMEM;
	case SQLITE_FULL: return RASTRO_FULL;
	case SQLITE_READONLY:
	case SQLITE_PERM: return RASTRO_READONLY;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return RASTRO_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return RASTRO_CORRUPT;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR: return RASTRO_IO;
	case SQLITE_CONSTRAINT: return RASTRO_EXISTS;
	default: return RASTRO_ERROR;
	}
}

int ws_sqlerr(rastro_ws *ws, const char *doing)
{
	int rc = ws->db ? sqlite3_extended_errcode(ws->db) : SQLITE_ERROR;
	int code = ws_code_from_sqlite(rc);
	const char *msg = ws->db ? sqlite3_errmsg(ws->db) : "no database";

	/* Called on a failure: never report it as success, even when SQLite's
	 * last error code has been reset (callers return ws->err.code). */
	if (code == RASTRO_OK)
		code = RASTRO_ERROR;
	switch (code) {
	case RASTRO_FULL:
		return ws_error(ws, code, "%s: disk full writing workspace '%s'; nothing was changed",
				doing, ws->path);
	case RASTRO_READONLY:
		return ws_error(ws, code, "%s: workspace '%s' is read-only (%s)", doing, ws->path, msg);
	case RASTRO_BUSY:
		return ws_error(ws, code, "%s: workspace '%s' is busy (another rastro is writing it)",
				doing, ws->path);
	case RASTRO_CORRUPT:
		return ws_error(ws, code, "%s: '%s' is not a valid rastro workspace (%s)", doing,
				ws->path, msg);
	default:
		return ws_error(ws, code, "%s: %s", doing, msg);
	}
}

int ws_exec(rastro_ws *ws, const char *sql, const char *doing)
{
	if (sqlite3_exec(ws->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ws_sqlerr(ws, doing);
	return 0;
}

int ws_prepare(rastro_ws *ws, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(ws->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return ws_sqlerr(ws, "preparing a query");
	}
	return 0;
}

int ws_query_i64(rastro_ws *ws, const char *sql, int64_t def, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, sql, &st))
		return ws->err.code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	else
		*out = def;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_sqlerr(ws, "running a query");
	return 0;
}

int ws_begin(rastro_ws *ws)
{
	return ws_exec(ws, "BEGIN IMMEDIATE", "starting a transaction");
}

int ws_commit(rastro_ws *ws)
{
	return ws_exec(ws, "COMMIT", "committing");
}

void ws_rollback(rastro_ws *ws)
{
	if (ws->db && !sqlite3_get_autocommit(ws->db))
		sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
}

int ws_meta_get_i64(rastro_ws *ws, const char *key, int64_t def, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT value FROM meta WHERE key = ?1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : def;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading workspace metadata");
	return 0;
}

int ws_meta_set_i64(rastro_ws *ws, const char *key, int64_t v)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "INSERT INTO meta(key, value) VALUES(?1, ?2)"
			   " ON CONFLICT(key) DO UPDATE SET value = ?2", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "writing workspace metadata");
	return 0;
}

int ws_reserve_record_ids(rastro_ws *ws, int64_t n, int64_t *first)
{
	int64_t next = 1; /* set on success (see schema_migrate) */

	if (ws_meta_get_i64(ws, "next_record_id", 1, &next) ||
	    ws_meta_set_i64(ws, "next_record_id", next + n))
		return ws->err.code;
	*first = next;
	return 0;
}

int ws_next_entity_id(rastro_ws *ws, int64_t *out)
{
	int64_t max = 0; /* set on success (see schema_migrate) */

	if (ws_query_i64(ws, "SELECT max(id) FROM entity", 0, &max))
		return ws->err.code;
	*out = max + 1;
	return 0;
}

void ws_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ws_run_begin(rastro_ws *ws, const char *command, const char *args)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (ws->readonly)
		return 0;
	ws_now(now);
	if (ws_prepare(ws, "INSERT INTO run_log(command, args, started_at, status) VALUES(?1, ?2, ?3, 'running')", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, args, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "writing the run log");
	ws->run_id = sqlite3_last_insert_rowid(ws->db);
	return 0;
}

void ws_run_end(rastro_ws *ws, int status, const char *summary)
{
	sqlite3_stmt *st;
	char now[32];

	if (ws->readonly || !ws->run_id)
		return;
	ws_now(now);
	/* Best effort: a failed run-log update must not hide the real error. */
	if (sqlite3_prepare_v2(ws->db, "UPDATE run_log SET finished_at = ?1, status = ?2, summary = ?3 WHERE id = ?4",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, status ? rastro_strerror(status) : "ok", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, ws->run_id);
	sqlite3_step(st);
	sqlite3_finalize(st);
	ws->run_id = 0;
}

void ws_progress(rastro_ws *ws, const char *stage, uint64_t done, uint64_t total)
{
	if (ws->progress)
		ws->progress(ws->progress_user, stage, done, total);
}

void rastro_set_progress(rastro_ws *ws, rastro_progress_fn fn, void *user)
{
	if (!ws)
		return;
	ws->progress = fn;
	ws->progress_user = user;
}

const char *rastro_errmsg(const rastro_ws *ws)
{
	if (!ws)
		return "out of memory";
	return ws->err.msg;
}

int rastro_errcode(const rastro_ws *ws)
{
	return ws ? ws->err.code : RASTRO_NOMEM;
}

/*
 * Building an index sorts every row of its table, and SQLite's sorter
 * spills its sorted runs to temporary storage.  The workspace keeps
 * temporary storage in memory (fast for the small temporary tables of
 * queries), which would make an index build hold a copy of every key in
 * memory: 2.4 GB and growing for 50 million transactions.  During the build
 * the runs go to temporary files instead, so memory stays bounded by the
 * cache whatever the table size.
 */
int ws_ensure_indexes(rastro_ws *ws)
{
	int rc;

	sqlite3_exec(ws->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	rc = schema_create_indexes(ws);
	sqlite3_exec(ws->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	return rc;
}

int ws_drop_bulk_indexes(rastro_ws *ws, const char *table)
{
	return schema_drop_indexes(ws, table);
}

/*
 * A large load or index build appends pages to the file.  In
 * write-ahead-log mode every page would be written twice (log, then
 * checkpoint); with a rollback journal only the few pages that existed
 * before are journaled, and a crash still rolls the whole step back.  The
 * switch needs no other connection open; when it cannot be made the work
 * simply stays in WAL mode.
 */
void ws_bulk_journal(rastro_ws *ws, int on)
{
	if (on) {
		sqlite3_exec(ws->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
		sqlite3_exec(ws->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	} else {
		sqlite3_exec(ws->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		sqlite3_exec(ws->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	}
}

int rastro_index(rastro_ws *ws)
{
	int rc;

	ws_bulk_journal(ws, 1);
	rc = ws_ensure_indexes(ws);
	ws_bulk_journal(ws, 0);
	return rc;
}

int rastro_config_load(rastro_ws *ws, const char *path)
{
	if (cfg_load_file(ws->cfg, path, &ws->err))
		return ws->err.code;
	return 0;
}

int rastro_config_set(rastro_ws *ws, const char *assignment)
{
	if (cfg_set_known(ws->cfg, assignment, "config.dynamic_keys", &ws->err))
		return ws->err.code;
	return 0;
}

/* Defaults from the data directory, then rastro.toml beside the workspace. */
static int load_settings(rastro_ws *ws)
{
	struct sbuf p = SBUF_INIT;
	const char *slash;
	int rc = 0;

	sbuf_init(&p);
	sbuf_addf(&p, "%s/rastro.toml", rastro_datadir());
	if (!sbuf_failed(&p) && access(p.buf, R_OK) == 0)
		rc = cfg_load_file(ws->cfg, p.buf, &ws->err);
	sbuf_clear(&p);
	slash = strrchr(ws->path, '/');
	if (slash)
		sbuf_add(&p, ws->path, (size_t)(slash - ws->path) + 1);
	sbuf_adds(&p, "rastro.toml");
	if (!rc && !sbuf_failed(&p) && access(p.buf, R_OK) == 0)
		rc = cfg_load_file(ws->cfg, p.buf, &ws->err);
	if (!rc && sbuf_failed(&p))
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
	sbuf_release(&p);
	return rc;
}

static int apply_pragmas(rastro_ws *ws, int created)
{
	if (created && ws_exec(ws, "PRAGMA page_size = 16384", "setting the page size"))
		return ws->err.code;
	if (ws_exec(ws, "PRAGMA foreign_keys = ON", "enabling foreign keys") ||
	    ws_exec(ws, "PRAGMA cache_size = -65536", "setting the cache size") ||
	    ws_exec(ws, "PRAGMA temp_store = MEMORY", "setting temporary storage"))
		return ws->err.code;
	if (!ws->readonly &&
	    (ws_exec(ws, "PRAGMA journal_mode = WAL", "switching to write-ahead logging") ||
	     ws_exec(ws, "PRAGMA synchronous = NORMAL", "setting synchronous mode")))
		return ws->err.code;
	return 0;
}

/* Process-wide SQLite settings, made once before SQLite initialises:
 * without memory statistics every SQLite allocation skips a global mutex,
 * which shows on bulk loads.  Connections are never shared between threads
 * concurrently (ingest hands its connection to one writer thread). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

/* A workspace that cannot be written (read-only file system, no write
 * permission on it or its folder, which holds its journal) is refused for
 * writing with a message that says so, before SQLite fails obscurely. */
static int not_writable(rastro_ws *ws, const char *path, int exists)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (exists && access(path, W_OK) != 0)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is not writable (%s); commands that only read "
				"it still work", path, strerror(errno));
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	if (access(dir, W_OK) != 0)
		return ws_error(ws, RASTRO_READONLY, "folder '%s' of workspace '%s' is not writable (%s)", dir, path,
				strerror(errno));
	return 0;
}

static int open_immutable(rastro_ws *ws, const char *path)
{
	char *uri = sqlite3_mprintf("file:%s?immutable=1", path);
	int rc;

	if (!uri)
		return ws_error(ws, RASTRO_NOMEM, "out of memory opening '%s'", path);
	rc = sqlite3_open_v2(uri, &ws->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	sqlite3_free(uri);
	if (rc != SQLITE_OK)
		return ws_sqlerr(ws, "opening the workspace read-only");
	return 0;
}

int rastro_open(const char *path, int flags, rastro_ws **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	rastro_ws *ws;
	struct stat st;
	int exists, oflags, rc, created;

	pthread_once(&once, sqlite_setup);
	*out = NULL;
	ws = mem_calloc(1, sizeof *ws);
	if (!ws)
		return RASTRO_NOMEM;
	*out = ws;
	ws->path = mem_strdup(path);
	ws->cfg = cfg_new();
	if (!ws->path || !ws->cfg)
		return ws_error(ws, RASTRO_NOMEM, "out of memory opening '%s'", path);
	ws->readonly = (flags & RASTRO_OPEN_READONLY) != 0;
	exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode))
		return ws_error(ws, RASTRO_USAGE, "workspace '%s' is a directory; give a file name such as case.rastro", path);
	if (!exists && !(flags & RASTRO_OPEN_CREATE))
		return ws_error(ws, RASTRO_NOTFOUND, "no workspace at '%s' (create one with: rastro init %s)", path, path);
	if (!exists && ws->readonly)
		return ws_error(ws, RASTRO_NOTFOUND, "no workspace at '%s'", path);
	created = !exists || st.st_size == 0;
	if (!ws->readonly && not_writable(ws, path, exists))
		return ws->err.code;
	oflags = ws->readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = sqlite3_open_v2(path, &ws->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int e = errno;

		if (rc == SQLITE_CANTOPEN)
			return ws_error(ws, RASTRO_IO, "cannot open workspace '%s': %s", path,
					e ? strerror(e) : "cannot open file");
		return ws_sqlerr(ws, "opening the workspace");
	}
	sqlite3_busy_timeout(ws->db, 10000);
	sqlite3_extended_result_codes(ws->db, 1);
	/* Reading sqlite_master is the cheapest check that this is a database. */
	if (sqlite3_exec(ws->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK &&
	    ws->readonly && (sqlite3_errcode(ws->db) & 0xff) == SQLITE_CANTOPEN) {
		/* A WAL workspace on read-only media: SQLite cannot create the
		 * shared-memory file it needs.  Nobody can be writing such a file,
		 * so it can be read as immutable. */
		sqlite3_close_v2(ws->db);
		ws->db = NULL;
		if (open_immutable(ws, path))
			return ws->err.code;
	}
	if (ws_exec(ws, "SELECT count(*) FROM sqlite_master", "opening the workspace"))
		return ws->err.code;
	if (apply_pragmas(ws, created))
		return ws->err.code;
	if (!ws->readonly) {
		if (ws_begin(ws))
			return ws->err.code;
		if (schema_migrate(ws)) {
			ws_rollback(ws);
			return ws->err.code;
		}
		if (ws_commit(ws))
			return ws->err.code;
	} else {
		int64_t n = 0; /* set on success (see schema_migrate) */

		if (ws_query_i64(ws, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'", 0, &n))
			return ws->err.code;
		if (!n)
			return ws_error(ws, RASTRO_CORRUPT, "'%s' is not a rastro workspace", path);
	}
	if (load_settings(ws))
		return ws->err.code;
	err_clear(&ws->err);
	return 0;
}

void rastro_close(rastro_ws *ws)
{
	if (!ws)
		return;
	if (ws->db) {
		ws_rollback(ws);
		if (!ws->readonly)
			sqlite3_exec(ws->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close_v2(ws->db);
	}
	cfg_free(ws->cfg);
	mem_free(ws->path);
	mem_free(ws);
}

int rastro_config_table(rastro_ws *ws, rastro_table **out)
{
	static const char *const cols[] = { "key", "value" };
	rastro_table *t = tbl_new("settings", cols, 2);
	const char *k;
	size_t i;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	for (i = 0; (k = cfg_key(ws->cfg, i)); i++) {
		tbl_row(t);
		tbl_set(t, 0, k);
		tbl_set(t, 1, cfg_raw(ws->cfg, k));
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}
