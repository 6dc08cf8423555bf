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
#include <stdlib.h>
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

/* ---- preloaded evidence ---- */

#define PRE_NAMES 32

struct fin_view_pre {
	/* finance signals in id order: the evidence of sig[i] is rows
	 * off[i] .. off[i + 1] of rec/role */
	int64_t *sig;
	size_t *off;
	size_t nsig;
	uint32_t *rec;        /* evidence row -> index of its record below */
	uint8_t *role;        /* evidence row -> index into names */
	size_t nev;
	/* distinct records in id order, each resolved once */
	int64_t *id, *source, *line, *ts;
	uint8_t *is_txn, *kind;
	size_t nrec;
	char names[PRE_NAMES][16]; /* roles and record kinds; 0 is "" */
	size_t nnames;
};

static void pre_free(struct fin_view_pre *p)
{
	if (!p)
		return;
	mem_free(p->sig);
	mem_free(p->off);
	mem_free(p->rec);
	mem_free(p->role);
	mem_free(p->id);
	mem_free(p->source);
	mem_free(p->line);
	mem_free(p->ts);
	mem_free(p->is_txn);
	mem_free(p->kind);
	mem_free(p);
}

/* Small code for a role or kind string (there are a handful); a string that
 * does not fit the table reads back as "" — never expected. */
static uint8_t pre_name(struct fin_view_pre *p, const char *s)
{
	size_t i;

	if (!s || !*s)
		return 0;
	for (i = 1; i < p->nnames; i++)
		if (strncmp(p->names[i], s, sizeof p->names[i] - 1) == 0)
			return (uint8_t)i;
	if (p->nnames == PRE_NAMES)
		return 0;
	snprintf(p->names[p->nnames], sizeof p->names[0], "%s", s);
	return (uint8_t)p->nnames++;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Index of x in the sorted a[0..n), or n. */
static size_t find_i64(const int64_t *a, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x ? lo : n;
}

/* Ids of the finance signals, ascending, into ids. */
static int pre_finance_ids(struct fin_view *v, struct vec *ids)
{
	sqlite3_stmt *st;
	int rc, bad = 0;

	if (ws_prepare(v->ws, "SELECT id FROM signal WHERE stage = 'finance' ORDER BY id", &st))
		return v->ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !bad) {
		int64_t id = sqlite3_column_int64(st, 0);

		bad = vec_push(ids, &id);
	}
	sqlite3_finalize(st);
	if (bad)
		return ws_error(v->ws, RASTRO_NOMEM, "out of memory reading signals");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(v->ws, "reading signals");
}

/* Evidence rows of every finance signal, in (signal, record) order: one
 * scan of the evidence table in its key order, keeping the rows of the
 * finance signals (no lookup of the signal per row). */
static int pre_read_rows(struct fin_view *v, struct fin_view_pre *p, struct vec *recs)
{
	sqlite3_stmt *st;
	struct vec fin, sig, off, role;
	int64_t cur = INT64_MIN;
	int keep = 0, rc, bad = 0;

	vec_init(&fin, sizeof(int64_t));
	vec_init(&sig, sizeof(int64_t));
	vec_init(&off, sizeof(size_t));
	vec_init(&role, 1);
	if (pre_finance_ids(v, &fin) ||
	    ws_prepare(v->ws, "SELECT signal_id, record_id, role FROM signal_evidence ORDER BY signal_id, record_id",
		       &st)) {
		vec_release(&fin);
		return v->ws->err.code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !bad) {
		int64_t sid = sqlite3_column_int64(st, 0), rid;
		uint8_t r;

		if (sid != cur) {
			cur = sid;
			keep = find_i64(fin.data, fin.len, sid) < fin.len;
			if (keep)
				bad |= vec_push(&sig, &sid) | vec_push(&off, &recs->len);
		}
		if (!keep)
			continue;
		rid = sqlite3_column_int64(st, 1);
		r = pre_name(p, (const char *)sqlite3_column_text(st, 2));
		bad |= vec_push(recs, &rid) | vec_push(&role, &r);
	}
	sqlite3_finalize(st);
	vec_release(&fin);
	p->nsig = sig.len;
	p->nev = recs->len;
	bad |= vec_push(&off, &recs->len);
	p->sig = sig.data;
	p->off = off.data;
	p->role = role.data;
	if (bad)
		return ws_error(v->ws, RASTRO_NOMEM, "out of memory reading signal evidence");
	if (rc != SQLITE_DONE)
		return ws_sqlerr(v->ws, "reading signal evidence");
	return 0;
}

/* Resolves the distinct records p->id[0..nrec) to file, line and time:
 * lookups in id order, so each page of the table is read once. */
static int pre_resolve(struct fin_view *v, struct fin_view_pre *p)
{
	sqlite3_stmt *tx, *rs = v->rec_stmt;
	size_t i;

	if (ws_prepare(v->ws, "SELECT source_id, line, ts FROM txn WHERE id = ?1", &tx))
		return v->ws->err.code;
	for (i = 0; i < p->nrec; i++) {
		sqlite3_reset(tx);
		sqlite3_bind_int64(tx, 1, p->id[i]);
		p->ts[i] = 0;
		if (sqlite3_step(tx) == SQLITE_ROW) {
			p->is_txn[i] = 1;
			p->source[i] = sqlite3_column_int64(tx, 0);
			p->line[i] = sqlite3_column_int64(tx, 1);
			p->ts[i] = sqlite3_column_int64(tx, 2);
			p->kind[i] = 0;
			continue;
		}
		p->is_txn[i] = 0;
		sqlite3_reset(rs);
		sqlite3_bind_int64(rs, 1, p->id[i]);
		if (sqlite3_step(rs) == SQLITE_ROW) {
			p->source[i] = sqlite3_column_int64(rs, 0);
			p->line[i] = sqlite3_column_int64(rs, 1);
			p->kind[i] = pre_name(p, (const char *)sqlite3_column_text(rs, 2));
		} else {
			p->source[i] = -1;
			p->line[i] = 0;
			p->kind[i] = 0;
		}
	}
	sqlite3_finalize(tx);
	return 0;
}

int fin_view_preload(struct fin_view *v)
{
	struct fin_view_pre *p;
	struct vec recs;
	size_t i, k = 0;

	if (v->pre)
		return 0;
	p = mem_calloc(1, sizeof *p);
	if (!p)
		return ws_error(v->ws, RASTRO_NOMEM, "out of memory");
	p->nnames = 1;
	vec_init(&recs, sizeof(int64_t));
	if (pre_read_rows(v, p, &recs))
		goto fail;
	/* distinct records, sorted */
	p->id = mem_alloc((p->nev + 1) * sizeof *p->id);
	p->rec = mem_alloc((p->nev + 1) * sizeof *p->rec);
	if (!p->id || !p->rec)
		goto nomem;
	if (p->nev)
		memcpy(p->id, recs.data, p->nev * sizeof *p->id);
	qsort(p->id, p->nev, sizeof *p->id, cmp_i64);
	for (i = 0; i < p->nev; i++)
		if (!k || p->id[i] != p->id[k - 1])
			p->id[k++] = p->id[i];
	p->nrec = k;
	p->source = mem_alloc((k + 1) * sizeof *p->source);
	p->line = mem_alloc((k + 1) * sizeof *p->line);
	p->ts = mem_alloc((k + 1) * sizeof *p->ts);
	p->is_txn = mem_alloc(k + 1);
	p->kind = mem_alloc(k + 1);
	if (!p->source || !p->line || !p->ts || !p->is_txn || !p->kind)
		goto nomem;
	for (i = 0; i < p->nev; i++)
		p->rec[i] = (uint32_t)find_i64(p->id, k, ((const int64_t *)recs.data)[i]);
	vec_release(&recs);
	if (pre_resolve(v, p))
		goto fail;
	v->pre = p;
	return 0;
nomem:
	ws_error(v->ws, RASTRO_NOMEM, "out of memory reading signal evidence");
fail:
	vec_release(&recs);
	pre_free(p);
	return v->ws->err.code ? v->ws->err.code : RASTRO_ERROR;
}

/* fin_view_evidence from the preloaded rows; 1 when the signal is not
 * among them (the caller asks the workspace). */
static int pre_evidence(struct fin_view *v, int64_t signal_id, struct vec *out, size_t *withheld, int *rc)
{
	const struct fin_view_pre *p = v->pre;
	size_t s = find_i64(p->sig, p->nsig, signal_id), i;

	*rc = 0;
	if (s == p->nsig)
		return 1;
	for (i = p->off[s]; i < p->off[s + 1]; i++) {
		size_t r = p->rec[i];
		struct fin_evrec e;

		memset(&e, 0, sizeof e);
		e.record = p->id[r];
		e.is_txn = p->is_txn[r];
		e.source = p->source[r];
		e.line = p->line[r];
		e.ts = p->ts[r];
		memcpy(e.role, p->names[p->role[i]], sizeof e.role);
		if (e.is_txn)
			memcpy(e.kind, "txn", 4);
		else if (p->kind[r])
			memcpy(e.kind, p->names[p->kind[r]], sizeof e.kind);
		else
			memcpy(e.kind, "record", 7);
		if (!fin_view_source_ok(v, e.source)) {
			if (withheld)
				(*withheld)++;
			continue;
		}
		if (vec_push(out, &e)) {
			*rc = ws_error(v->ws, RASTRO_NOMEM, "out of memory");
			return 0;
		}
	}
	return 0;
}

void fin_view_close(struct fin_view *v)
{
	size_t i;

	pre_free(v->pre);
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

	if (v->pre && !pre_evidence(v, signal_id, out, withheld, &rc))
		return rc;
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
