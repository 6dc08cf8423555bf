/*
 * net_list: reading the network stage's results back — the ranked list,
 * one network with its members and score parts, the hubs — and the
 * workspace queries that need no graph: entities sharing an identifier
 * and an entity's timeline with provenance.
 */
#include "net_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/table.h"

static int done(rastro_ws *ws, sqlite3_stmt *q, int rc, rastro_table *t, rastro_table **out, const char *doing)
{
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		rastro_table_free(t);
		return ws_sqlerr(ws, doing);
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

static void set_col_text(rastro_table *t, size_t c, sqlite3_stmt *q, int i)
{
	if (sqlite3_column_type(q, i) != SQLITE_NULL)
		tbl_set(t, c, (const char *)sqlite3_column_text(q, i));
}

static void set_date(rastro_table *t, size_t c, sqlite3_stmt *q, int i)
{
	char d[16];

	if (sqlite3_column_type(q, i) == SQLITE_NULL)
		return;
	format_date(sqlite3_column_int64(q, i), d);
	tbl_set(t, c, d);
}

int rastro_networks(rastro_ws *ws, size_t limit, rastro_table **out)
{
	static const char *const cols[] = { "rank:int", "network", "kind", "score:real", "suspects:int",
					    "victims:int", "size:int", "first", "last", "summary" };
	sqlite3_stmt *q;
	rastro_table *t;
	int rc;

	*out = NULL;
	if (ws_prepare(ws, "SELECT rank, key, kind, score, suspects, victims, size, first_ts, last_ts, summary"
			   " FROM network WHERE rank IS NOT NULL ORDER BY rank LIMIT ?1", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, limit ? (int64_t)limit : -1);
	if (!(t = tbl_new("networks, ranked", cols, sizeof cols / sizeof cols[0]))) {
		sqlite3_finalize(q);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		tbl_row(t);
		tbl_set_i64(t, 0, sqlite3_column_int64(q, 0));
		set_col_text(t, 1, q, 1);
		set_col_text(t, 2, q, 2);
		tbl_set_real(t, 3, sqlite3_column_double(q, 3), 2);
		tbl_set_i64(t, 4, sqlite3_column_int64(q, 4));
		tbl_set_i64(t, 5, sqlite3_column_int64(q, 5));
		tbl_set_i64(t, 6, sqlite3_column_int64(q, 6));
		set_date(t, 7, q, 7);
		set_date(t, 8, q, 8);
		set_col_text(t, 9, q, 9);
	}
	return done(ws, q, rc, t, out, "listing networks");
}

/* Network id of a key or "#rank". */
static int network_id(rastro_ws *ws, const char *ref, int64_t *id)
{
	sqlite3_stmt *q;
	int64_t rank;
	int rc;

	if (ref[0] == '#' && !parse_i64(ref + 1, strlen(ref + 1), &rank)) {
		if (ws_prepare(ws, "SELECT id FROM network WHERE rank = ?1", &q))
			return ws->err.code;
		sqlite3_bind_int64(q, 1, rank);
	} else {
		if (ws_prepare(ws, "SELECT id FROM network WHERE key = ?1", &q))
			return ws->err.code;
		sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return ws_error(ws, RASTRO_NOTFOUND, "no network '%s' (give its key, or #rank)", ref);
	return 0;
}

int net_network_id(rastro_ws *ws, const char *ref, int64_t *id)
{
	return network_id(ws, ref, id);
}

int rastro_network_show(rastro_ws *ws, const char *network, int reveal, rastro_table **members, rastro_table **parts)
{
	static const char *const mcols[] = { "entity:int", "kind", "key", "label", "role", "strength:real", "reason",
					     "cell:int" };
	static const char *const pcols[] = { "part", "points:real", "detail" };
	sqlite3_stmt *q;
	rastro_table *t, *p;
	int64_t id = 0; /* set by network_id on success */
	int rc;
	char title[160];

	*members = NULL;
	if (parts)
		*parts = NULL;
	if ((rc = network_id(ws, network, &id)))
		return rc;
	if (ws_prepare(ws, "SELECT n.key, n.kind, n.score, n.rank, n.summary, n.parts FROM network n WHERE n.id = ?1", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return ws_sqlerr(ws, "reading a network");
	}
	snprintf(title, sizeof title, "network %s (%s), rank %s, score %.2f", sqlite3_column_text(q, 0),
		 sqlite3_column_text(q, 1),
		 sqlite3_column_type(q, 3) == SQLITE_NULL ? "-" : (const char *)sqlite3_column_text(q, 3),
		 sqlite3_column_double(q, 2));
	p = tbl_new("score parts", pcols, 3);
	if (p && sqlite3_column_type(q, 5) != SQLITE_NULL) {
		json_t *j = json_loads((const char *)sqlite3_column_text(q, 5), 0, NULL), *it;
		size_t k;
		double total = 0;

		json_array_foreach(j, k, it) {
			tbl_row(p);
			tbl_set(p, 0, json_string_value(json_object_get(it, "part")));
			tbl_set_real(p, 1, json_number_value(json_object_get(it, "points")), 2);
			tbl_set(p, 2, json_string_value(json_object_get(it, "detail")));
			total += json_number_value(json_object_get(it, "points"));
		}
		json_decref(j);
		tbl_row(p);
		tbl_set(p, 0, "total");
		tbl_set_real(p, 1, total, 2);
		tbl_set(p, 2, (const char *)sqlite3_column_text(q, 4));
	}
	sqlite3_finalize(q);
	if (!p || tbl_failed(p)) {
		rastro_table_free(p);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	if (ws_prepare(ws, "SELECT m.entity_id, e.kind, e.key, e.label, m.role, m.strength, m.reason, ifnull(m.cell, 1)"
			   " FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE m.network_id = ?1"
			   " ORDER BY CASE m.role WHEN 'organiser' THEN 0 WHEN 'money_mover' THEN 1 WHEN 'facilitator' THEN 2"
			   " WHEN 'recruiter' THEN 3 WHEN 'transporter' THEN 4 WHEN 'associate' THEN 5 WHEN 'buyer' THEN 6"
			   " WHEN 'potential_victim' THEN 7 WHEN 'identifier' THEN 8 ELSE 9 END, m.strength DESC, m.entity_id",
		       &q)) {
		rastro_table_free(p);
		return ws->err.code;
	}
	sqlite3_bind_int64(q, 1, id);
	if (!(t = tbl_new(title, mcols, sizeof mcols / sizeof mcols[0]))) {
		sqlite3_finalize(q);
		rastro_table_free(p);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(q, 4);
		int victim = role && strcmp(role, "potential_victim") == 0;

		tbl_row(t);
		tbl_set_i64(t, 0, sqlite3_column_int64(q, 0));
		set_col_text(t, 1, q, 1);
		if (victim && !reveal) {
			tbl_set(t, 3, "[protected: potential victim]");
			tbl_set(t, 6, "flagged by the victims stage; details for victim-services roles only");
		} else {
			set_col_text(t, 2, q, 2);
			set_col_text(t, 3, q, 3);
			set_col_text(t, 6, q, 6);
		}
		tbl_set(t, 4, role);
		tbl_set_real(t, 5, sqlite3_column_double(q, 5), 2);
		tbl_set_i64(t, 7, sqlite3_column_int64(q, 7));
	}
	rc = done(ws, q, rc, t, members, "listing network members");
	if (rc) {
		rastro_table_free(p);
		return rc;
	}
	if (parts)
		*parts = p;
	else
		rastro_table_free(p);
	return 0;
}

int rastro_network_hubs(rastro_ws *ws, size_t limit, rastro_table **out)
{
	static const char *const cols[] = { "entity:int", "kind", "key", "label", "degree:int", "threshold:int", "rule" };
	sqlite3_stmt *q;
	rastro_table *t;
	int rc;

	*out = NULL;
	if (ws_prepare(ws, "SELECT h.entity_id, e.kind, e.key, e.label, h.degree, h.threshold, h.rule FROM net_hub h"
			   " JOIN entity e ON e.id = h.entity_id ORDER BY h.degree DESC, h.entity_id LIMIT ?1", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, limit ? (int64_t)limit : -1);
	if (!(t = tbl_new("hubs set aside", cols, sizeof cols / sizeof cols[0]))) {
		sqlite3_finalize(q);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		tbl_row(t);
		tbl_set_i64(t, 0, sqlite3_column_int64(q, 0));
		set_col_text(t, 1, q, 1);
		set_col_text(t, 2, q, 2);
		set_col_text(t, 3, q, 3);
		tbl_set_i64(t, 4, sqlite3_column_int64(q, 4));
		tbl_set_i64(t, 5, sqlite3_column_int64(q, 5));
		set_col_text(t, 6, q, 6);
	}
	return done(ws, q, rc, t, out, "listing hubs");
}

/* SQL for "the entity and those that are it": a person and the accounts
 * they hold, an account and its holders. */
#define SELF_SQL \
	"WITH self(id) AS (SELECT ?1 UNION SELECT dst FROM edge WHERE src = ?1 AND type = 'holds'" \
	" UNION SELECT src FROM edge WHERE dst = ?1 AND type = 'holds')"

#define IDENT_KINDS "('phone','email','handle','address','image')"

int rastro_shared(rastro_ws *ws, int64_t entity, int reveal, rastro_table **out)
{
	static const char *const cols[] = { "identifier:int", "identifier_kind", "identifier_key", "entity:int", "kind",
					    "key", "label", "link" };
	sqlite3_stmt *q;
	rastro_table *t;
	int rc;

	*out = NULL;
	if (ws_prepare(ws, SELF_SQL ", ident(id) AS ("
			   " SELECT e.id FROM entity e WHERE e.id = ?1 AND e.kind IN " IDENT_KINDS
			   " UNION SELECT x.dst FROM edge x JOIN entity e ON e.id = x.dst WHERE x.src IN self AND e.kind IN " IDENT_KINDS
			   " UNION SELECT x.src FROM edge x JOIN entity e ON e.id = x.src WHERE x.dst IN self AND e.kind IN " IDENT_KINDS
			   "), users(ident, other, type) AS ("
			   " SELECT x.dst, x.src, x.type FROM edge x WHERE x.dst IN ident"
			   " UNION SELECT x.src, x.dst, x.type FROM edge x WHERE x.src IN ident)"
			   " SELECT u.ident, i.kind, i.key, u.other, o.kind, o.key, o.label, group_concat(DISTINCT u.type),"
			   " (SELECT 1 FROM victim_flag v WHERE v.entity_id = u.other)"
			   " FROM users u JOIN entity i ON i.id = u.ident JOIN entity o ON o.id = u.other"
			   " WHERE u.other NOT IN self GROUP BY u.ident, u.other ORDER BY u.ident, u.other", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, entity);
	if (!(t = tbl_new("entities sharing an identifier", cols, sizeof cols / sizeof cols[0]))) {
		sqlite3_finalize(q);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int victim = sqlite3_column_type(q, 8) != SQLITE_NULL;

		tbl_row(t);
		tbl_set_i64(t, 0, sqlite3_column_int64(q, 0));
		set_col_text(t, 1, q, 1);
		set_col_text(t, 2, q, 2);
		tbl_set_i64(t, 3, sqlite3_column_int64(q, 3));
		set_col_text(t, 4, q, 4);
		if (victim && !reveal) {
			tbl_set(t, 6, "[protected: potential victim]");
		} else {
			set_col_text(t, 5, q, 5);
			set_col_text(t, 6, q, 6);
		}
		set_col_text(t, 7, q, 7);
	}
	return done(ws, q, rc, t, out, "finding shared identifiers");
}

struct tl_ev {
	int64_t ts;       /* NET_NOTIME sorts last */
	int64_t rec;
	char *cells[6];   /* event, entity, counterparty, amount, detail, source */
};

static int cmp_ev(const void *x, const void *y)
{
	const struct tl_ev *a = x, *b = y;

	if (a->ts != b->ts) {
		if (a->ts == NET_NOTIME)
			return 1;
		if (b->ts == NET_NOTIME)
			return -1;
		return a->ts < b->ts ? -1 : 1;
	}
	if (a->rec != b->rec)
		return a->rec < b->rec ? -1 : 1;
	return strcmp(a->cells[0] ? a->cells[0] : "", b->cells[0] ? b->cells[0] : "");
}

int rastro_timeline(rastro_ws *ws, int64_t entity, size_t limit, rastro_table **out)
{
	static const char *const cols[] = { "time", "event", "entity", "counterparty", "amount", "detail", "record:int",
					    "source" };
	struct vec ev;
	sqlite3_stmt *q = NULL;
	rastro_table *t = NULL;
	size_t i, k;
	int rc = 0, pass;

	*out = NULL;
	vec_init(&ev, sizeof(struct tl_ev));
	/* transactions of the entity and of the accounts that are it */
	for (pass = 0; pass < 3 && !rc; pass++) {
		static const char *const sql[3] = {
			SELF_SQL " SELECT t.ts, t.id, CASE WHEN t.src IN self THEN 'paid' ELSE 'received' END,"
			" ifnull(se.key, ''), CASE WHEN t.src IN self THEN ifnull(de.label, de.key) ELSE ifnull(sl.label, sl.key) END,"
			" printf('%.2f %s', t.amount, t.currency),"
			" trim(t.channel || ' ' || ifnull(t.category, '') || ' ' || ifnull(t.city, '') || ' ' || ifnull(t.memo, '')),"
			" s.path || ':' || t.line, CASE WHEN t.src IN self THEN t.dst ELSE t.src END"
			" FROM txn t JOIN source s ON s.id = t.source_id"
			" LEFT JOIN entity se ON se.id = CASE WHEN t.src IN self THEN t.src ELSE t.dst END"
			" LEFT JOIN entity de ON de.id = t.dst LEFT JOIN entity sl ON sl.id = t.src"
			" WHERE t.id IN (SELECT id FROM txn WHERE src IN self UNION SELECT id FROM txn WHERE dst IN self)",
			SELF_SQL " SELECT x.ts, ifnull(x.record_id, 0), x.type, ifnull(a.key, ''), ifnull(b.label, b.key), NULL,"
			" x.stage || ' link', (SELECT s.path || ':' || r.line FROM record r JOIN source s ON s.id = r.source_id"
			" WHERE r.id = x.record_id), CASE WHEN x.src IN self THEN x.dst ELSE x.src END"
			" FROM edge x JOIN entity a ON a.id = CASE WHEN x.src IN self THEN x.src ELSE x.dst END"
			" JOIN entity b ON b.id = CASE WHEN x.src IN self THEN x.dst ELSE x.src END"
			" WHERE (x.src IN self OR x.dst IN self) AND x.type <> 'holds'",
			SELF_SQL " SELECT json_extract(g.details, '$.first'), 0, 'signal ' || g.code, ifnull(e.key, ''), NULL,"
			" printf('%.2f', g.score), 'signal #' || g.id || ': ' || g.explanation, NULL, NULL"
			" FROM signal g JOIN entity e ON e.id = g.entity_id WHERE g.entity_id IN self",
		};

		if (ws_prepare(ws, sql[pass], &q)) {
			rc = ws->err.code;
			break;
		}
		sqlite3_bind_int64(q, 1, entity);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct tl_ev *e = vec_grow(&ev, 1);
			int victim = 0;

			if (!e) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (sqlite3_column_type(q, 0) == SQLITE_NULL)
				e->ts = NET_NOTIME;
			else if (sqlite3_column_type(q, 0) == SQLITE_TEXT) {
				const char *s = (const char *)sqlite3_column_text(q, 0);

				if (parse_timestamp(s, strlen(s), &e->ts))
					e->ts = NET_NOTIME;
			} else
				e->ts = sqlite3_column_int64(q, 0);
			e->rec = sqlite3_column_int64(q, 1);
			if (sqlite3_column_type(q, 8) != SQLITE_NULL) {
				sqlite3_stmt *v;

				if (!ws_prepare(ws, "SELECT 1 FROM victim_flag WHERE entity_id = ?1", &v)) {
					sqlite3_bind_int64(v, 1, sqlite3_column_int64(q, 8));
					victim = sqlite3_step(v) == SQLITE_ROW;
					sqlite3_finalize(v);
				}
			}
			for (k = 0; k < 6; k++) {
				const char *s = (const char *)sqlite3_column_text(q, (int)k + 2);

				if (k == 2 && victim)
					s = "[protected: potential victim]";
				e->cells[k] = s ? mem_strdup(s) : NULL;
			}
		}
		sqlite3_finalize(q);
		q = NULL;
		if (rc == SQLITE_NOMEM) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			break;
		}
		rc = rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "reading the timeline");
	}
	if (!rc) {
		struct tl_ev *e = ev.data;

		if (ev.len)
			qsort(ev.data, ev.len, sizeof(struct tl_ev), cmp_ev);
		t = tbl_new("timeline", cols, sizeof cols / sizeof cols[0]);
		for (i = 0; t && i < ev.len && (!limit || i < limit); i++) {
			char ts[32];

			tbl_row(t);
			if (e[i].ts != NET_NOTIME) {
				format_timestamp(e[i].ts, ts);
				tbl_set(t, 0, ts);
			}
			for (k = 0; k < 5; k++)
				tbl_set(t, k + 1, e[i].cells[k]);
			if (e[i].rec)
				tbl_set_i64(t, 6, e[i].rec);
			tbl_set(t, 7, e[i].cells[5]);
		}
		if (!t || tbl_failed(t)) {
			rastro_table_free(t);
			t = NULL;
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		}
	}
	for (i = 0; i < ev.len; i++)
		for (k = 0; k < 6; k++)
			mem_free(((struct tl_ev *)ev.data)[i].cells[k]);
	vec_release(&ev);
	*out = t;
	return rc;
}

int rastro_victim_access(rastro_ws *ws, const char *role)
{
	size_t n, i;

	if (!role)
		role = cfg_str(ws->cfg, "victims.role", "analyst");
	n = cfg_array_len(ws->cfg, "victims.services_roles");
	if (!n && !cfg_has(ws->cfg, "victims.services_roles"))
		return strcmp(role, "victim_services") == 0 || strcmp(role, "case_manager") == 0;
	for (i = 0; i < n; i++) {
		const char *r = cfg_array_str(ws->cfg, "victims.services_roles", i);

		if (r && strcmp(r, role) == 0)
			return 1;
	}
	return 0;
}
