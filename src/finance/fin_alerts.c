/*
 * fin_alerts: the outputs an analyst acts on — ranked alerts (one per
 * account, or one per signal), per-account risk scores broken into their
 * named parts, the detector list and a per-detector summary.
 *
 * Everything goes through a fin_view, so potential victims never appear
 * and records the caller may not see are withheld (an alert whose evidence
 * is all withheld is not shown).  Each alert carries the account key as the
 * source wrote it (bank and number), its evidence record ids and their
 * line numbers in the source file, so anyone can score the alerts against
 * their own labels.
 */
#include "fin.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/table.h"
#include "fin_view.h"

static int cmp_evrec(const void *a, const void *b)
{
	const struct fin_evrec *x = a, *y = b;

	return x->record < y->record ? -1 : x->record > y->record;
}

/* Sorts and de-duplicates evidence by record id. */
static void ev_uniq(struct vec *v)
{
	struct fin_evrec *e = v->data;
	size_t i, k = 0;

	if (v->len > 1)
		qsort(e, v->len, sizeof *e, cmp_evrec);
	for (i = 0; i < v->len; i++)
		if (!k || e[i].record != e[k - 1].record)
			e[k++] = e[i];
	v->len = k;
}

/* Appends sep (when not 0) and the decimal v: the evidence columns hold
 * millions of numbers, too many for a printf call each. */
static void add_num(struct sbuf *sb, char sep, long long v)
{
	char buf[24];
	size_t n = sizeof buf;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		buf[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--n] = '-';
	if (sep)
		sbuf_addc(sb, sep);
	sbuf_add(sb, buf + n, sizeof buf - n);
}

/*
 * Evidence cells: record ids, the file they come from, and their lines in
 * it.  Lines are plain numbers for the main file (the one most evidence
 * comes from) and "path:line" for any other file.
 */
static void ev_cells(const struct fin_view *v, const struct vec *ev, size_t max, struct sbuf *ids,
		     struct sbuf *file, struct sbuf *lines, int64_t *t0, int64_t *t1)
{
	const struct fin_evrec *e = ev->data;
	size_t i, best = 0, cnt;
	int64_t main_src = -1;

	/* the main source: most evidence records */
	for (i = 0; i < ev->len; i++) {
		size_t j;

		cnt = 0;
		if (e[i].source == main_src)
			continue;
		for (j = 0; j < ev->len; j++)
			cnt += e[j].source == e[i].source;
		if (cnt > best || (cnt == best && e[i].source < main_src)) {
			best = cnt;
			main_src = e[i].source;
		}
		if (best * 2 > ev->len)
			break;
	}
	*t0 = INT64_MAX;
	*t1 = INT64_MIN;
	for (i = 0; i < ev->len; i++) {
		if (e[i].is_txn) {
			if (e[i].ts < *t0)
				*t0 = e[i].ts;
			if (e[i].ts > *t1)
				*t1 = e[i].ts;
		}
		if (i >= max)
			continue;
		add_num(ids, i ? ';' : 0, (long long)e[i].record);
		if (e[i].source == main_src)
			add_num(lines, i ? ';' : 0, (long long)e[i].line);
		else
			sbuf_addf(lines, "%s%s:%lld", i ? ";" : "", fin_view_source_path(v, e[i].source),
				  (long long)e[i].line);
	}
	if (ev->len > max) {
		sbuf_addf(ids, ";…(%zu more)", ev->len - max);
		sbuf_addf(lines, ";…(%zu more)", ev->len - max);
	}
	if (main_src >= 0)
		sbuf_adds(file, fin_view_source_path(v, main_src));
}

/* "FIN.FUNNEL 2.40 + FIN.STRUCTURING 0.90" and the code of the biggest part. */
int fin_parts_text(const char *json, struct sbuf *out, char *top, size_t topn)
{
	json_error_t jerr;
	json_t *a = json_loads(json, 0, &jerr);
	size_t i, n;
	double best = -1;

	top[0] = '\0';
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	n = json_array_size(a);
	/* parts are stored in detector order; list them biggest first */
	{
		size_t *order = mem_alloc((n + 1) * sizeof *order), k, j;

		if (!order) {
			json_decref(a);
			return -1;
		}
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = 1; i < n; i++)
			for (j = i; j > 0; j--) {
				double pj = json_real_value(json_object_get(json_array_get(a, order[j]), "points"));
				double pk = json_real_value(json_object_get(json_array_get(a, order[j - 1]), "points"));

				if (pj > pk) {
					k = order[j];
					order[j] = order[j - 1];
					order[j - 1] = k;
				} else {
					break;
				}
			}
		for (i = 0; i < n; i++) {
			json_t *p = json_array_get(a, order[i]);
			const char *code = json_string_value(json_object_get(p, "part"));
			double pts = json_number_value(json_object_get(p, "points"));

			sbuf_addf(out, "%s%s %.2f", i ? " + " : "", code ? code : "?", pts);
			if (pts > best) {
				best = pts;
				snprintf(top, topn, "%s", code ? code : "");
			}
		}
		mem_free(order);
	}
	json_decref(a);
	return 0;
}

static const char *const account_cols[] = {
	"rank:int", "entity:int", "bank", "account", "name", "score:real", "parts", "codes", "typologies",
	"signals:int", "first", "last", "explanation", "evidence_ids", "source_file", "evidence_lines",
	"withheld:int", "status",
};

static const char *const signal_cols[] = {
	"rank:int", "signal:int", "code", "typology", "score:real", "entity:int", "bank", "account", "name",
	"explanation", "first", "last", "evidence_ids", "source_file", "evidence_lines", "affected:int",
	"withheld:int",
};

static int alerts_by_account(struct fin_view *v, const struct rastro_alert_opts *o, rastro_table *t)
{
	rastro_ws *ws = v->ws;
	sqlite3_stmt *st = NULL, *ss = NULL;
	struct sbuf parts = SBUF_INIT, codes = SBUF_INIT, ids = SBUF_INIT, file = SBUF_INIT, lines = SBUF_INIT;
	struct vec ev;
	size_t rank = 0, max_ev = (size_t)cfg_int(ws->cfg, "finance.alerts.max_evidence", 1000);
	int rc;

	vec_init(&ev, sizeof(struct fin_evrec));
	sbuf_init(&parts);
	sbuf_init(&codes);
	sbuf_init(&ids);
	sbuf_init(&file);
	sbuf_init(&lines);
	/* alerted accounts first, then (with `watch`) those with one
	 * uncorroborated indicator */
	if (ws_prepare(ws, "SELECT r.entity_id, r.score, r.parts, r.typologies, a.bank, a.number, e.key, e.label,"
			   " r.alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id"
			   " LEFT JOIN account a ON a.entity_id = r.entity_id"
			   " WHERE r.score >= ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM signal s WHERE"
			   "  s.entity_id = r.entity_id AND s.stage = 'finance' AND s.code = ?2))"
			   " AND (r.alert OR ?3)"
			   " ORDER BY r.alert DESC, r.score DESC, r.entity_id", &st) ||
	    ws_prepare(ws, "SELECT id, code, score, explanation FROM signal WHERE stage = 'finance'"
			   " AND entity_id = ?1 ORDER BY score DESC, id", &ss))
		goto fail;
	sqlite3_bind_double(st, 1, o ? o->min_score : 0);
	if (o && o->code)
		sqlite3_bind_text(st, 2, o->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, o && o->watch);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ent = sqlite3_column_int64(st, 0);
		char top[64], expl[1024];
		size_t withheld = 0, nsig = 0;
		int64_t t0, t1;
		char ts0[32], ts1[32];
		double top_score = -1;

		if (o && o->limit && rank >= o->limit)
			break;
		/* victim_flag is read now, not at detection time */
		if (fin_view_is_victim(v, ent))
			continue;
		sbuf_clear(&parts);
		sbuf_clear(&codes);
		sbuf_clear(&ids);
		sbuf_clear(&file);
		sbuf_clear(&lines);
		ev.len = 0;
		fin_parts_text((const char *)sqlite3_column_text(st, 2), &parts, top, sizeof top);
		expl[0] = '\0';
		sqlite3_reset(ss);
		sqlite3_bind_int64(ss, 1, ent);
		while ((rc = sqlite3_step(ss)) == SQLITE_ROW) {
			const char *code = (const char *)sqlite3_column_text(ss, 1);
			double sc = sqlite3_column_double(ss, 2);
			size_t before = ev.len, wh = 0;

			if (fin_view_evidence(v, sqlite3_column_int64(ss, 0), &ev, &wh))
				goto fail;
			withheld += wh;
			/* a signal whose evidence is all withheld is not shown */
			if (ev.len == before && wh)
				continue;
			nsig++;
			if (!strstr(codes.buf, code)) {
				if (codes.len)
					sbuf_addc(&codes, ',');
				sbuf_adds(&codes, code);
			}
			if ((strcmp(code, top) == 0 && sc > top_score) || !expl[0]) {
				if (strcmp(code, top) == 0)
					top_score = sc;
				snprintf(expl, sizeof expl, "%s", (const char *)sqlite3_column_text(ss, 3));
			}
		}
		if (rc != SQLITE_DONE) {
			ws_sqlerr(ws, "reading signals");
			goto fail;
		}
		if (!nsig)
			continue;
		ev_uniq(&ev);
		ev_cells(v, &ev, max_ev, &ids, &file, &lines, &t0, &t1);
		rank++;
		tbl_row(t);
		tbl_set_i64(t, 0, (long long)rank);
		tbl_set_i64(t, 1, (long long)ent);
		tbl_set(t, 2, (const char *)sqlite3_column_text(st, 4));
		tbl_set(t, 3, sqlite3_column_type(st, 5) != SQLITE_NULL ? (const char *)sqlite3_column_text(st, 5)
									 : (const char *)sqlite3_column_text(st, 6));
		tbl_set(t, 4, (const char *)sqlite3_column_text(st, 7));
		tbl_set_real(t, 5, sqlite3_column_double(st, 1), 3);
		tbl_set(t, 6, parts.buf);
		tbl_set(t, 7, codes.buf);
		tbl_set(t, 8, (const char *)sqlite3_column_text(st, 3));
		tbl_set_i64(t, 9, (long long)nsig);
		if (t0 != INT64_MAX) {
			format_timestamp(t0, ts0);
			format_timestamp(t1, ts1);
			tbl_set(t, 10, ts0);
			tbl_set(t, 11, ts1);
		}
		tbl_set(t, 12, expl);
		tbl_set(t, 13, ids.buf);
		tbl_set(t, 14, file.buf);
		tbl_set(t, 15, lines.buf);
		tbl_set_i64(t, 16, (long long)withheld);
		tbl_set(t, 17, sqlite3_column_int(st, 8) ? "alert" : "watch");
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ws_sqlerr(ws, "reading risk scores");
		goto fail;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ss);
	vec_release(&ev);
	sbuf_release(&parts);
	sbuf_release(&codes);
	sbuf_release(&ids);
	sbuf_release(&file);
	sbuf_release(&lines);
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(ss);
	vec_release(&ev);
	sbuf_release(&parts);
	sbuf_release(&codes);
	sbuf_release(&ids);
	sbuf_release(&file);
	sbuf_release(&lines);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}

static int alerts_by_signal(struct fin_view *v, const struct rastro_alert_opts *o, rastro_table *t)
{
	rastro_ws *ws = v->ws;
	sqlite3_stmt *st = NULL;
	struct sbuf ids = SBUF_INIT, file = SBUF_INIT, lines = SBUF_INIT;
	struct vec ev;
	size_t rank = 0, max_ev = (size_t)cfg_int(ws->cfg, "finance.alerts.max_evidence", 1000);
	int rc;

	vec_init(&ev, sizeof(struct fin_evrec));
	sbuf_init(&ids);
	sbuf_init(&file);
	sbuf_init(&lines);
	if (ws_prepare(ws, "SELECT s.id, s.code, s.score, s.explanation, s.details, s.entity_id, a.bank,"
			   " a.number, e.key, e.label, json_extract(s.details, '$.typology'),"
			   " json_array_length(json_extract(s.details, '$.affected'))"
			   " FROM signal s LEFT JOIN entity e ON e.id = s.entity_id"
			   " LEFT JOIN account a ON a.entity_id = s.entity_id"
			   " WHERE s.stage = 'finance' AND s.score >= ?1 AND (?2 IS NULL OR s.code = ?2)"
			   " ORDER BY s.score DESC, s.id", &st))
		goto fail;
	sqlite3_bind_double(st, 1, o ? o->min_score : 0);
	if (o && o->code)
		sqlite3_bind_text(st, 2, o->code, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ent = sqlite3_column_int64(st, 5);
		size_t withheld = 0;
		int64_t t0, t1;
		char ts0[32], ts1[32];

		if (o && o->limit && rank >= o->limit)
			break;
		if (fin_view_is_victim(v, ent))
			continue;
		sbuf_clear(&ids);
		sbuf_clear(&file);
		sbuf_clear(&lines);
		ev.len = 0;
		if (fin_view_evidence(v, sqlite3_column_int64(st, 0), &ev, &withheld))
			goto fail;
		if (!ev.len && withheld)
			continue;
		ev_uniq(&ev);
		ev_cells(v, &ev, max_ev, &ids, &file, &lines, &t0, &t1);
		rank++;
		tbl_row(t);
		tbl_set_i64(t, 0, (long long)rank);
		tbl_set_i64(t, 1, sqlite3_column_int64(st, 0));
		tbl_set(t, 2, (const char *)sqlite3_column_text(st, 1));
		tbl_set(t, 3, (const char *)sqlite3_column_text(st, 10));
		tbl_set_real(t, 4, sqlite3_column_double(st, 2), 3);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			tbl_set_i64(t, 5, (long long)ent);
		tbl_set(t, 6, (const char *)sqlite3_column_text(st, 6));
		tbl_set(t, 7, sqlite3_column_type(st, 7) != SQLITE_NULL ? (const char *)sqlite3_column_text(st, 7)
									 : (const char *)sqlite3_column_text(st, 8));
		tbl_set(t, 8, (const char *)sqlite3_column_text(st, 9));
		tbl_set(t, 9, (const char *)sqlite3_column_text(st, 3));
		if (t0 != INT64_MAX) {
			format_timestamp(t0, ts0);
			format_timestamp(t1, ts1);
			tbl_set(t, 10, ts0);
			tbl_set(t, 11, ts1);
		}
		tbl_set(t, 12, ids.buf);
		tbl_set(t, 13, file.buf);
		tbl_set(t, 14, lines.buf);
		/* affected accounts are counted, never named, in suspect outputs */
		tbl_set_i64(t, 15, sqlite3_column_int64(st, 11));
		tbl_set_i64(t, 16, (long long)withheld);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ws_sqlerr(ws, "reading signals");
		goto fail;
	}
	sqlite3_finalize(st);
	vec_release(&ev);
	sbuf_release(&ids);
	sbuf_release(&file);
	sbuf_release(&lines);
	return 0;
fail:
	sqlite3_finalize(st);
	vec_release(&ev);
	sbuf_release(&ids);
	sbuf_release(&file);
	sbuf_release(&lines);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}

int rastro_alerts(rastro_ws *ws, const struct rastro_alert_opts *o, rastro_table **out)
{
	struct fin_view v;
	rastro_table *t;
	int by_signal = o && o->by_signal, rc, own_txn;

	*out = NULL;
	if (o && o->code && fin_detector_find(o->code) < 0)
		return ws_error(ws, RASTRO_USAGE, "unknown detector '%s' ('rastro detect --list' shows them)", o->code);
	t = by_signal ? tbl_new("alerts by signal", signal_cols, sizeof signal_cols / sizeof signal_cols[0])
		      : tbl_new("alerts", account_cols, sizeof account_cols / sizeof account_cols[0]);
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	/* One read transaction for the whole list: one consistent snapshot,
	 * and no lock taken and dropped around each of its many queries. */
	own_txn = sqlite3_get_autocommit(ws->db) && sqlite3_exec(ws->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	if (fin_view_open(ws, o ? o->viewer : NULL, &v)) {
		fin_view_close(&v);
		if (own_txn)
			sqlite3_exec(ws->db, "COMMIT", NULL, NULL, NULL);
		rastro_table_free(t);
		return ws->err.code;
	}
	/* A long list reads all evidence in one pass; a short one (the top
	 * alerts) asks per signal, which reads only what it shows. */
	if (!o || !o->limit || o->limit > 500)
		rc = fin_view_preload(&v);
	else
		rc = 0;
	if (!rc)
		rc = by_signal ? alerts_by_signal(&v, o, t) : alerts_by_account(&v, o, t);
	fin_view_close(&v);
	if (own_txn)
		sqlite3_exec(ws->db, "COMMIT", NULL, NULL, NULL);
	if (!rc && tbl_failed(t))
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory building the alert list");
	if (rc) {
		rastro_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int rastro_risk(rastro_ws *ws, const char *account, const struct rastro_viewer *viewer,
		rastro_table **out)
{
	static const char *const cols[] = { "entity:int", "bank", "account", "score:real", "part", "weight:real",
					    "strength:real", "points:real", "signals:int" };
	struct fin_view v;
	rastro_table *t;
	sqlite3_stmt *st;
	int64_t ent = 0;
	int rc;

	*out = NULL;
	if (account && fin_view_find_account(ws, account, &ent))
		return ws->err.code;
	t = tbl_new("risk scores", cols, sizeof cols / sizeof cols[0]);
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (fin_view_open(ws, viewer, &v)) {
		fin_view_close(&v);
		rastro_table_free(t);
		return ws->err.code;
	}
	if (ws_prepare(ws, "SELECT r.entity_id, a.bank, coalesce(a.number, e.key), r.score, r.parts FROM fin_risk r"
			   " JOIN entity e ON e.id = r.entity_id LEFT JOIN account a ON a.entity_id = r.entity_id"
			   " WHERE ?1 = 0 OR r.entity_id = ?1 ORDER BY r.score DESC, r.entity_id", &st)) {
		fin_view_close(&v);
		rastro_table_free(t);
		return ws->err.code;
	}
	sqlite3_bind_int64(st, 1, ent);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_error_t jerr;
		json_t *a;
		size_t i;

		if (fin_view_is_victim(&v, sqlite3_column_int64(st, 0)))
			continue;
		a = json_loads((const char *)sqlite3_column_text(st, 4), 0, &jerr);
		for (i = 0; i < json_array_size(a); i++) {
			json_t *p = json_array_get(a, i);

			tbl_row(t);
			tbl_set_i64(t, 0, sqlite3_column_int64(st, 0));
			tbl_set(t, 1, (const char *)sqlite3_column_text(st, 1));
			tbl_set(t, 2, (const char *)sqlite3_column_text(st, 2));
			tbl_set_real(t, 3, sqlite3_column_double(st, 3), 3);
			tbl_set(t, 4, json_string_value(json_object_get(p, "part")));
			tbl_set_real(t, 5, json_number_value(json_object_get(p, "weight")), 3);
			tbl_set_real(t, 6, json_number_value(json_object_get(p, "strength")), 3);
			tbl_set_real(t, 7, json_number_value(json_object_get(p, "points")), 3);
			tbl_set_i64(t, 8, json_integer_value(json_object_get(p, "signals")));
		}
		json_decref(a);
	}
	sqlite3_finalize(st);
	fin_view_close(&v);
	if (rc != SQLITE_DONE) {
		rastro_table_free(t);
		return ws_sqlerr(ws, "reading risk scores");
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

int rastro_detectors(rastro_ws *ws, rastro_table **out)
{
	static const char *const cols[] = { "code", "typology", "enabled", "weight:real", "title", "source" };
	rastro_table *t = tbl_new("detectors", cols, sizeof cols / sizeof cols[0]);
	size_t i, n = fin_detector_count();

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct fin_detector *d = fin_detector_at(i);
		char key[96];

		tbl_row(t);
		tbl_set(t, 0, d->code);
		tbl_set(t, 1, fin_typology_name(d->typology));
		snprintf(key, sizeof key, "finance.%s.enabled", d->key);
		tbl_set(t, 2, cfg_bool(ws->cfg, key, 1) ? "yes" : "no");
		snprintf(key, sizeof key, "finance.%s.weight", d->key);
		tbl_set_real(t, 3, cfg_double(ws->cfg, key, 1.0), 2);
		tbl_set(t, 4, d->title);
		tbl_set(t, 5, d->source);
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

int rastro_detect_summary(rastro_ws *ws, rastro_table **out)
{
	static const char *const cols[] = { "code", "typology", "signals:int", "accounts:int", "title" };
	rastro_table *t = tbl_new("signals per detector", cols, sizeof cols / sizeof cols[0]);
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (ws_prepare(ws, "SELECT code, count(*), count(DISTINCT entity_id) FROM signal WHERE stage = 'finance'"
			   " GROUP BY code ORDER BY code", &st)) {
		rastro_table_free(t);
		return ws->err.code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		int k = fin_detector_find(code);

		tbl_row(t);
		tbl_set(t, 0, code);
		tbl_set(t, 1, k >= 0 ? fin_typology_name(fin_detector_at((size_t)k)->typology) : "");
		tbl_set_i64(t, 2, sqlite3_column_int64(st, 1));
		tbl_set_i64(t, 3, sqlite3_column_int64(st, 2));
		tbl_set(t, 4, k >= 0 ? fin_detector_at((size_t)k)->title : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rastro_table_free(t);
		return ws_sqlerr(ws, "reading signals");
	}
	*out = t;
	return 0;
}
