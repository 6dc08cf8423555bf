/*
 * fin_view: what a caller may see of the finance findings.  Every suspect
 * output (alerts, risk scores, SAR drafts) reads the workspace through a
 * view, which:
 *   - leaves out every entity listed in victim_flag, read at output time
 *     (the victims module may have flagged people after detection ran);
 *   - withholds records whose source carries a dissemination label the
 *     caller lacks (struct rastro_viewer; access control fills it);
 *   - turns record ids into their source file and line.
 */
#include "fin.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/u64map.h"
#include "fin_view.h"

int fin_view_open(rastro_ws *ws, const struct rastro_viewer *viewer, struct fin_view *v)
{
	sqlite3_stmt *st;
	int rc;
	int64_t maxsrc;

	memset(v, 0, sizeof *v);
	v->ws = ws;
	v->viewer = viewer;
	u64map_init(&v->victims);
	if (ws_query_i64(ws, "SELECT max(id) FROM source", 0, &maxsrc))
		return ws->err.code;
	v->nsrc = (size_t)maxsrc + 1;
	v->allowed = mem_calloc(v->nsrc, 1);
	v->path = mem_calloc(v->nsrc, sizeof *v->path);
	if (!v->allowed || !v->path)
		goto nomem;
	if (ws_prepare(ws, "SELECT id, label, path FROM source", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *label = (const char *)sqlite3_column_text(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 2);
		size_t i;
		int ok = 1;

		if (id < 0 || (size_t)id >= v->nsrc)
			continue;
		if (viewer && viewer->labels) {
			ok = 0;
			for (i = 0; i < viewer->nlabels && !ok; i++)
				ok = label && strcmp(label, viewer->labels[i]) == 0;
		}
		v->allowed[id] = (uint8_t)ok;
		v->path[id] = mem_strdup(path ? path : "");
		if (!v->path[id]) {
			sqlite3_finalize(st);
			goto nomem;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading sources");
	if (ws_prepare(ws, "SELECT entity_id FROM victim_flag", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (u64map_put(&v->victims, (uint64_t)sqlite3_column_int64(st, 0), 1)) {
			sqlite3_finalize(st);
			goto nomem;
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading potential victims");
	if (ws_prepare(ws, "SELECT se.record_id, se.role, t.source_id, t.line, t.ts FROM signal_evidence se"
			   " LEFT JOIN txn t ON t.id = se.record_id WHERE se.signal_id = ?1 ORDER BY se.record_id",
		       &v->ev_stmt) ||
	    ws_prepare(ws, "SELECT source_id, line, kind FROM record WHERE id = ?1", &v->rec_stmt))
		return ws->err.code;
	return 0;
nomem:
	return ws_error(ws, RASTRO_NOMEM, "out of memory");
}

void fin_view_close(struct fin_view *v)
{
	size_t i;

	sqlite3_finalize(v->ev_stmt);
	sqlite3_finalize(v->rec_stmt);
	for (i = 0; v->path && i < v->nsrc; i++)
		mem_free(v->path[i]);
	mem_free(v->path);
	mem_free(v->allowed);
	u64map_release(&v->victims);
	memset(v, 0, sizeof *v);
}

int fin_view_is_victim(const struct fin_view *v, int64_t entity)
{
	uint64_t val;

	return entity > 0 && u64map_get(&v->victims, (uint64_t)entity, &val);
}

int fin_view_source_ok(const struct fin_view *v, int64_t source_id)
{
	return source_id >= 0 && (size_t)source_id < v->nsrc && v->allowed[source_id];
}

const char *fin_view_source_path(const struct fin_view *v, int64_t source_id)
{
	if (source_id < 0 || (size_t)source_id >= v->nsrc || !v->path[source_id])
		return "";
	return v->path[source_id];
}

int fin_view_evidence(struct fin_view *v, int64_t signal_id, struct vec *out, size_t *withheld)
{
	sqlite3_stmt *st = v->ev_stmt;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, signal_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fin_evrec e;
		const char *role = (const char *)sqlite3_column_text(st, 1);

		memset(&e, 0, sizeof e);
		e.record = sqlite3_column_int64(st, 0);
		e.is_txn = sqlite3_column_type(st, 2) != SQLITE_NULL;
		snprintf(e.role, sizeof e.role, "%s", role ? role : "");
		if (e.is_txn) {
			e.source = sqlite3_column_int64(st, 2);
			e.line = sqlite3_column_int64(st, 3);
			e.ts = sqlite3_column_int64(st, 4);
		} else {
			sqlite3_stmt *rs = v->rec_stmt;

			sqlite3_reset(rs);
			sqlite3_bind_int64(rs, 1, e.record);
			if (sqlite3_step(rs) == SQLITE_ROW) {
				const char *kind = (const char *)sqlite3_column_text(rs, 2);

				e.source = sqlite3_column_int64(rs, 0);
				e.line = sqlite3_column_int64(rs, 1);
				snprintf(e.kind, sizeof e.kind, "%s", kind ? kind : "");
			} else {
				e.source = -1;
			}
		}
		if (!e.is_txn && !e.kind[0])
			snprintf(e.kind, sizeof e.kind, "record");
		else if (e.is_txn)
			snprintf(e.kind, sizeof e.kind, "txn");
		if (!fin_view_source_ok(v, e.source)) {
			if (withheld)
				(*withheld)++;
			continue;
		}
		if (vec_push(out, &e))
			return ws_error(v->ws, RASTRO_NOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE)
		return ws_sqlerr(v->ws, "reading signal evidence");
	return 0;
}

int fin_view_find_account(rastro_ws *ws, const char *spec, int64_t *entity)
{
	sqlite3_stmt *st;
	int rc;
	int64_t found = 0, n = 0;

	*entity = 0;
	if (spec[0] == '#') {
		int64_t id = 0;
		const char *p = spec + 1;

		for (; *p >= '0' && *p <= '9'; p++)
			id = id * 10 + (*p - '0');
		if (*p || p == spec + 1)
			return ws_error(ws, RASTRO_USAGE, "'%s' is not an entity id (#123)", spec);
		if (ws_prepare(ws, "SELECT id FROM entity WHERE id = ?1 AND kind = 'account'", &st))
			return ws->err.code;
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = id;
		sqlite3_finalize(st);
		if (!found)
			return ws_error(ws, RASTRO_NOTFOUND, "no account entity #%lld", (long long)id);
		*entity = found;
		return 0;
	}
	if (ws_prepare(ws, "SELECT id FROM entity WHERE kind = 'account' AND key = ?1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		found = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (found) {
		*entity = found;
		return 0;
	}
	if (ws_prepare(ws, "SELECT entity_id FROM account WHERE number = ?1 LIMIT 2", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) /* a read error is not "no such account" */
		return ws_sqlerr(ws, "looking up an account");
	if (n > 1)
		return ws_error(ws, RASTRO_USAGE, "account number '%s' exists at several banks: give BANK/%s", spec, spec);
	if (!n)
		return ws_error(ws, RASTRO_NOTFOUND, "no account '%s' (give BANK/NUMBER, NUMBER or #ENTITY)", spec);
	*entity = found;
	return 0;
}
