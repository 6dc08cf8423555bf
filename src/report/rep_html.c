/*
 * rep_html: the analyst's report — one self-contained HTML file (inline CSS
 * and SVG, no script, no external resource) that opens offline and prints.
 *
 *   summary      what was ingested (sources, rows, quarantine) and what the
 *                stages found (entities, signals, victims, networks, hubs)
 *   ranking      every ranked network with its score bar and summary
 *   per network  score parts, Graphviz diagram, members with roles and
 *                reasons, money flows, a timeline chart, evidence (each
 *                signal's records with source file and line), SAR drafts of
 *                its accounts, potential victims (counts unless the reader's
 *                role may see them)
 *
 * The page holds no wall-clock time: the same workspace gives the same
 * bytes (the date shown is the network run's).
 */
#include "rep.h"

#include <errno.h>
#include <gvc.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/parse.h"
#include "network/net_int.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void esc(struct sbuf *b, const char *s)
{
	if (s)
		sbuf_add_xml_escaped(b, s, strlen(s));
}

static const char css[] =
	":root{--ink:#1d2733;--muted:#5b6b7c;--line:#dfe4ea;--bg:#f6f8fa;--accent:#0b5394}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}"
	"header{background:#13263a;color:#fff;padding:22px 36px}"
	"header h1{margin:0;font-size:24px;font-weight:600}header p{margin:4px 0 0;color:#b9c7d6}"
	"nav{background:#fff;border-bottom:1px solid var(--line);padding:8px 36px;position:sticky;top:0;z-index:2}"
	"nav a{margin-right:18px;color:var(--accent);text-decoration:none;font-weight:500}"
	"main{max-width:1180px;margin:0 auto;padding:20px 36px 60px}"
	"section{scroll-margin-top:48px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:18px 0}"
	"h2{margin:0 0 10px;font-size:19px}h3{margin:18px 0 8px;font-size:15px;color:#29415a}"
	".cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 4px}"
	".card{flex:1 1 110px;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px 14px}"
	".card b{display:block;font-size:22px}.card span{color:var(--muted);font-size:12px}"
	"table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:13px}"
	"th{text-align:left;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:5px 8px}"
	"td{border-bottom:1px solid var(--line);padding:5px 8px;vertical-align:top}"
	"td.d{white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr:hover td{background:#fafbfc}"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;white-space:nowrap}"
	".badge.light{color:#1d2733}"
	".kind{display:inline-block;padding:1px 7px;border-radius:4px;font-size:12px;background:#e8eef5;color:#29415a}"
	".net-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;flex-wrap:wrap}"
	".score{font-size:28px;font-weight:600;color:var(--accent)}"
	".muted{color:var(--muted)}.small{font-size:12px}"
	".diagram{border:1px solid var(--line);border-radius:6px;background:#fcfdfe;padding:8px;text-align:center;overflow:auto}"
	".diagram svg{max-width:100%;height:auto}"
	".timeline{width:100%;height:auto}.timeline .lane{font-size:12px;fill:#29415a}"
	".timeline .axis{font-size:11px;fill:#5b6b7c}.timeline .tick{stroke:#dfe4ea}"
	".timeline .ev{fill:#1f77b4;fill-opacity:.6}.timeline .ev-money{fill:#b22222;fill-opacity:.55}"
	".legend span{margin-right:14px;font-size:12px;white-space:nowrap}"
	".legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;vertical-align:-1px}"
	"pre.sar{white-space:pre-wrap;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px;"
	"font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:360px;overflow:auto}"
	".protected{background:#eef7ee;border:1px solid #b7dbb7;border-radius:6px;padding:8px 12px}"
	"a{color:var(--accent)}"
	/* report.html#net-KEY shows that network alone (to read or print one) */
	"main:has(section.network:target)>section:not(:target){display:none}"
	"@media print{nav{display:none}section{break-inside:avoid-page}body{background:#fff}}";

static void badge(struct sbuf *b, const char *role)
{
	const char *c = rep_role_colour(role);
	int light = role && (strcmp(role, "identifier") == 0 || strcmp(role, "buyer") == 0 ||
			     strcmp(role, "facilitator") == 0 || strcmp(role, "associate") == 0);

	sbuf_addf(b, "<span class=\"badge%s\" style=\"background:%s\">", light ? " light" : "", c);
	esc(b, role && *role ? role : "—");
	sbuf_adds(b, "</span>");
}

static void card(struct sbuf *b, const char *label, long long v)
{
	char num[48];

	net_fmt_amount(num, sizeof num, (double)v);
	sbuf_addf(b, "<div class=\"card\"><b>%s</b><span>", num);
	esc(b, label);
	sbuf_adds(b, "</span></div>");
}

static long long q1(rastro_ws *ws, const char *sql)
{
	int64_t v = 0;

	if (ws_query_i64(ws, sql, 0, &v))
		return 0;
	return v;
}

static int table_exists(rastro_ws *ws, const char *name)
{
	sqlite3_stmt *q;
	int yes;

	if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int summary(rastro_ws *ws, struct sbuf *b)
{
	sqlite3_stmt *q;
	int rc;

	sbuf_adds(b, "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
	card(b, "networks ranked", q1(ws, "SELECT count(*) FROM network WHERE rank IS NOT NULL"));
	card(b, "suspect members", q1(ws, "SELECT ifnull(sum(suspects), 0) FROM network WHERE rank IS NOT NULL"));
	card(b, "potential victims (entities)", q1(ws, "SELECT count(*) FROM victim_flag"));
	card(b, "signals", q1(ws, "SELECT count(*) FROM signal"));
	card(b, "transactions", q1(ws, "SELECT count(*) FROM txn"));
	card(b, "entities", q1(ws, "SELECT count(*) FROM entity"));
	card(b, "hubs set aside", q1(ws, "SELECT count(*) FROM net_hub"));
	sbuf_adds(b, "</div>");

	sbuf_adds(b, "<h3>What was ingested</h3><table><tr><th>file</th><th>format</th><th>records</th><th>agency</th>"
		     "<th>label</th><th class=\"n\">rows read</th><th class=\"n\">loaded</th><th class=\"n\">quarantined</th></tr>");
	if (ws_prepare(ws, "SELECT s.path, s.format, s.kind, a.code, s.label, s.rows_read, s.rows_loaded, s.rows_quarantined"
			   " FROM source s JOIN agency a ON a.id = s.agency_id ORDER BY s.id", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int i;

		sbuf_adds(b, "<tr><td>");
		esc(b, base_name((const char *)sqlite3_column_text(q, 0)));
		sbuf_adds(b, "</td>");
		for (i = 1; i < 5; i++) {
			sbuf_adds(b, "<td>");
			esc(b, (const char *)sqlite3_column_text(q, i));
			sbuf_adds(b, "</td>");
		}
		for (i = 5; i < 8; i++)
			sbuf_addf(b, "<td class=\"n\">%lld</td>", (long long)sqlite3_column_int64(q, i));
		sbuf_adds(b, "</tr>");
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) /* a read error must not leave a silently partial report */
		return ws_sqlerr(ws, "reading the workspace for the report");
	sbuf_adds(b, "</table>");

	sbuf_adds(b, "<h3>What was found</h3><table><tr><th>stage</th><th>finding</th><th class=\"n\">count</th>"
		     "<th class=\"n\">entities</th></tr>");
	if (ws_prepare(ws, "SELECT stage, code, count(*), count(DISTINCT entity_id) FROM signal GROUP BY stage, code"
			   " ORDER BY stage, count(*) DESC, code", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sbuf_adds(b, "<tr><td>");
		esc(b, (const char *)sqlite3_column_text(q, 0));
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>",
			  (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 3));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) /* a read error must not leave a silently partial report */
		return ws_sqlerr(ws, "reading the workspace for the report");
	if (ws_prepare(ws, "SELECT kind, count(*) FROM entity GROUP BY kind ORDER BY count(*) DESC, kind", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sbuf_adds(b, "<tr><td>entities</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 0));
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\"></td></tr>", (long long)sqlite3_column_int64(q, 1));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) /* a read error must not leave a silently partial report */
		return ws_sqlerr(ws, "reading the workspace for the report");
	sbuf_addf(b, "<tr><td>victims</td><td>potential victims (people and their accounts); never scored as suspects"
		     "</td><td class=\"n\">%lld</td><td class=\"n\"></td></tr>", q1(ws, "SELECT count(*) FROM victim_flag"));
	sbuf_addf(b, "<tr><td>ingest</td><td>rows quarantined (file, line, column and reason kept)</td>"
		     "<td class=\"n\">%lld</td><td class=\"n\"></td></tr>", q1(ws, "SELECT count(*) FROM quarantine"));
	sbuf_adds(b, "</table></section>");
	return 0;
}

/* The JSON parts of a network as arrays. */
static size_t parse_parts(const char *json, const char **names, double *pts, size_t max, json_t **keep)
{
	json_t *j = json ? json_loads(json, 0, NULL) : NULL, *it;
	size_t i, n = 0;

	*keep = j;
	json_array_foreach(j, i, it) {
		if (n >= max)
			break;
		names[n] = json_string_value(json_object_get(it, "part"));
		pts[n] = json_number_value(json_object_get(it, "points"));
		if (!names[n])
			names[n] = "?";
		n++;
	}
	return n;
}

static void date_cell(struct sbuf *b, sqlite3_stmt *q, int col)
{
	char d[16];

	if (sqlite3_column_type(q, col) == SQLITE_NULL) {
		sbuf_adds(b, "<td></td>");
		return;
	}
	format_date(sqlite3_column_int64(q, col), d);
	sbuf_addf(b, "<td class=\"d\">%s</td>", d);
}

static int ranking(rastro_ws *ws, struct sbuf *b, size_t top, size_t max_listed, double *max_score)
{
	sqlite3_stmt *q;
	int rc;

	*max_score = q1(ws, "SELECT ifnull(max(score), 0) * 1000 FROM network") / 1000.0;
	sbuf_adds(b, "<section id=\"ranking\"><h2>Networks, ranked</h2>"
		     "<p class=\"muted small\">Score = sum of named parts (hover a bar for each part). Potential victims are "
		     "never counted as suspects. Networks with a page of their own are linked.</p>"
		     "<table><tr><th class=\"n\">#</th><th>network</th><th>kind</th><th class=\"n\">score</th><th>parts</th>"
		     "<th class=\"n\">suspects</th><th class=\"n\">victims</th><th>first</th><th>last</th><th>summary</th></tr>");
	if (ws_prepare(ws, "SELECT rank, key, kind, score, parts, suspects, victims, first_ts, last_ts, summary FROM network"
			   " WHERE rank IS NOT NULL ORDER BY rank LIMIT ?1", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, (int64_t)max_listed);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *names[16];
		double pts[16];
		json_t *keep;
		size_t np = parse_parts((const char *)sqlite3_column_text(q, 4), names, pts, 16, &keep);
		int64_t rank = sqlite3_column_int64(q, 0);
		const char *key = (const char *)sqlite3_column_text(q, 1);

		sbuf_addf(b, "<tr><td class=\"n\">%lld</td><td>", (long long)rank);
		if ((size_t)rank <= top) {
			sbuf_adds(b, "<a href=\"#net-");
			esc(b, key);
			sbuf_adds(b, "\">");
			esc(b, key);
			sbuf_adds(b, "</a>");
		} else {
			esc(b, key);
		}
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 2));
		sbuf_addf(b, "</td><td class=\"n\">%.2f</td><td>", sqlite3_column_double(q, 3));
		rep_parts_svg(b, names, pts, np, *max_score);
		json_decref(keep);
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>", (long long)sqlite3_column_int64(q, 5),
			  (long long)sqlite3_column_int64(q, 6));
		date_cell(b, q, 7);
		date_cell(b, q, 8);
		sbuf_adds(b, "<td class=\"small\">");
		esc(b, (const char *)sqlite3_column_text(q, 9));
		sbuf_adds(b, "</td></tr>");
	}
	sqlite3_finalize(q);
	sbuf_adds(b, "</table>");
	{
		long long more = q1(ws, "SELECT count(*) FROM network WHERE rank IS NOT NULL") - (long long)max_listed;

		if (more > 0)
			sbuf_addf(b, "<p class=\"muted\">%lld more ranked networks are not listed here (rastro network --top 0).</p>",
				  more);
	}
	rep_parts_legend(b);
	sbuf_adds(b, "<div class=\"legend\">roles: ");
	{
		static const char *const roles[] = { "organiser", "money_mover", "recruiter", "transporter", "facilitator",
						     "buyer", "associate", "potential_victim", "identifier", "ad" };
		size_t i;

		for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
			sbuf_addf(b, "<span><i style=\"background:%s\"></i>%s</span>", rep_role_colour(roles[i]), roles[i]);
	}
	sbuf_adds(b, "</div></section>");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing networks");
}

static void prov_cell(struct sbuf *b, sqlite3_stmt *q, int col)
{
	sbuf_adds(b, "<td class=\"small\">");
	if (sqlite3_column_type(q, col) != SQLITE_NULL)
		esc(b, base_name((const char *)sqlite3_column_text(q, col)));
	sbuf_adds(b, "</td>");
}

static int members_table(rastro_ws *ws, struct sbuf *b, int64_t id, int reveal)
{
	sqlite3_stmt *q;
	int rc, n = 0;

	sbuf_adds(b, "<h3>Members</h3><table><tr><th>role</th><th class=\"n\">cell</th><th>entity</th><th>kind</th>"
		     "<th>name or key</th><th>reason</th><th>first seen (source:line)</th></tr>");
	if (ws_prepare(ws, "SELECT m.entity_id, e.kind, ifnull(e.label, e.key), e.key, m.role, m.reason,"
			   " (SELECT s.path || ':' || r.line FROM record r JOIN source s ON s.id = r.source_id"
			   "  WHERE r.id = e.first_record), ifnull(m.cell, 1)"
			   " FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE m.network_id = ?1"
			   " ORDER BY CASE m.role WHEN 'organiser' THEN 0 WHEN 'money_mover' THEN 1 WHEN 'facilitator' THEN 2"
			   " WHEN 'recruiter' THEN 3 WHEN 'transporter' THEN 4 WHEN 'associate' THEN 5 WHEN 'buyer' THEN 6"
			   " WHEN 'potential_victim' THEN 7 WHEN 'identifier' THEN 8 ELSE 9 END, m.strength DESC, m.entity_id",
		       &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(q, 4);
		int victim = role && strcmp(role, "potential_victim") == 0;

		if (++n > 200)
			continue;
		sbuf_adds(b, "<tr><td>");
		badge(b, role);
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">#%lld</td><td><span class=\"kind\">",
			  (long long)sqlite3_column_int64(q, 7), (long long)sqlite3_column_int64(q, 0));
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_adds(b, "</span></td><td>");
		if (victim && !reveal) {
			sbuf_adds(b, "<i>protected</i></td><td class=\"small\">flagged by the victims stage; details for "
				     "victim-services roles only</td><td></td></tr>");
			continue;
		}
		esc(b, (const char *)sqlite3_column_text(q, 2));
		if (sqlite3_column_type(q, 2) != SQLITE_NULL && strcmp((const char *)sqlite3_column_text(q, 2),
								       (const char *)sqlite3_column_text(q, 3)) != 0) {
			sbuf_adds(b, " <span class=\"muted small\">");
			esc(b, (const char *)sqlite3_column_text(q, 3));
			sbuf_adds(b, "</span>");
		}
		sbuf_adds(b, "</td><td class=\"small\">");
		esc(b, (const char *)sqlite3_column_text(q, 5));
		sbuf_adds(b, "</td>");
		prov_cell(b, q, 6);
		sbuf_adds(b, "</tr>");
	}
	sqlite3_finalize(q);
	sbuf_adds(b, "</table>");
	if (n > 200)
		sbuf_addf(b, "<p class=\"muted small\">%d more members: rastro network WS --show KEY.</p>", n - 200);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing members");
}

#define MEMBERS "WITH m(id) AS (SELECT entity_id FROM network_member WHERE network_id = ?1)"

static void name_cell(struct sbuf *b, sqlite3_stmt *q, int col, int victim_col, int reveal)
{
	sbuf_adds(b, "<td>");
	if (sqlite3_column_type(q, victim_col) != SQLITE_NULL && !reveal)
		sbuf_adds(b, "<i>protected</i>");
	else
		esc(b, (const char *)sqlite3_column_text(q, col));
	sbuf_adds(b, "</td>");
}

static int money_table(rastro_ws *ws, struct sbuf *b, int64_t id, int reveal)
{
	sqlite3_stmt *q;
	int rc, n = 0;
	char a[48];

	sbuf_adds(b, "<h3>Money flows between members</h3>");
	if (ws_prepare(ws, MEMBERS " SELECT ifnull(sa.label, sa.key), ifnull(da.label, da.key), count(*), sum(t.amount),"
			   " min(t.ts), max(t.ts), min(t.currency), max(t.currency),"
			   " (SELECT 1 FROM victim_flag WHERE entity_id = t.src), (SELECT 1 FROM victim_flag WHERE entity_id = t.dst)"
			   " FROM txn t JOIN entity sa ON sa.id = t.src JOIN entity da ON da.id = t.dst"
			   " WHERE t.src IN m AND t.dst IN m AND t.src <> t.dst GROUP BY t.src, t.dst"
			   " ORDER BY sum(t.amount) DESC, t.src, t.dst LIMIT 40", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			sbuf_adds(b, "<table><tr><th>from</th><th>to</th><th class=\"n\">payments</th><th class=\"n\">total</th>"
				     "<th>first</th><th>last</th></tr>");
		sbuf_adds(b, "<tr>");
		name_cell(b, q, 0, 8, reveal);
		name_cell(b, q, 1, 9, reveal);
		net_fmt_amount(a, sizeof a, sqlite3_column_double(q, 3));
		sbuf_addf(b, "<td class=\"n\">%d</td><td class=\"n\">%s %s%s</td>", sqlite3_column_int(q, 2), a,
			  sqlite3_column_text(q, 6),
			  strcmp((const char *)sqlite3_column_text(q, 6), (const char *)sqlite3_column_text(q, 7)) ? "+" : "");
		date_cell(b, q, 4);
		date_cell(b, q, 5);
		sbuf_adds(b, "</tr>");
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) /* a read error must not leave a silently partial report */
		return ws_sqlerr(ws, "reading the workspace for the report");
	if (n)
		sbuf_adds(b, "</table>");
	/* in and out of the network, cash included */
	if (ws_prepare(ws, MEMBERS " SELECT"
			   " (SELECT count(*) FROM txn WHERE dst IN m AND (src IS NULL OR src NOT IN m)),"
			   " (SELECT ifnull(sum(amount), 0) FROM txn WHERE dst IN m AND (src IS NULL OR src NOT IN m)),"
			   " (SELECT count(*) FROM txn WHERE src IN m AND (dst IS NULL OR dst NOT IN m)),"
			   " (SELECT ifnull(sum(amount), 0) FROM txn WHERE src IN m AND (dst IS NULL OR dst NOT IN m)),"
			   " (SELECT count(*) FROM txn WHERE dst IN m AND src IS NULL),"
			   " (SELECT count(*) FROM txn WHERE src IN m AND dst IS NULL)", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		char in[48], out[48];

		net_fmt_amount(in, sizeof in, sqlite3_column_double(q, 1));
		net_fmt_amount(out, sizeof out, sqlite3_column_double(q, 3));
		sbuf_addf(b, "<p>Into the network from outside: <b>%s</b> in %lld transactions (%lld cash deposits); out of it: "
			     "<b>%s</b> in %lld transactions (%lld cash withdrawals).%s</p>", in,
			  (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 4), out,
			  (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 5),
			  n ? "" : " No payments between members.");
	}
	sqlite3_finalize(q);
	return 0;
}

static int timeline(rastro_ws *ws, struct sbuf *b, int64_t id)
{
	static const char *const lanes[] = { "money inside", "money in / out", "signals", "links and records" };
	static const int money[] = { 1, 1, 0, 0 };
	struct vec ev;
	sqlite3_stmt *q;
	int pass, rc = 0;

	vec_init(&ev, sizeof(struct rep_event));
	for (pass = 0; pass < 3; pass++) {
		static const char *const sql[3] = {
			MEMBERS " SELECT ts, amount, CASE WHEN src IN m AND dst IN m THEN 0 ELSE 1 END FROM txn"
			" WHERE id IN (SELECT id FROM txn WHERE src IN m UNION SELECT id FROM txn WHERE dst IN m)",
			MEMBERS " SELECT json_extract(details, '$.first'), 1, 2 FROM signal WHERE entity_id IN m"
			" AND entity_id NOT IN (SELECT entity_id FROM victim_flag)",
			MEMBERS " SELECT ts, 1, 3 FROM edge WHERE ts IS NOT NULL AND (src IN m OR dst IN m)",
		};

		if (ws_prepare(ws, sql[pass], &q)) {
			vec_release(&ev);
			return ws->err.code;
		}
		sqlite3_bind_int64(q, 1, id);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct rep_event e;

			if (sqlite3_column_type(q, 0) == SQLITE_NULL)
				continue;
			if (sqlite3_column_type(q, 0) == SQLITE_TEXT) {
				const char *s = (const char *)sqlite3_column_text(q, 0);

				if (parse_timestamp(s, strlen(s), &e.ts))
					continue;
			} else {
				e.ts = sqlite3_column_int64(q, 0);
			}
			e.value = sqlite3_column_double(q, 1);
			e.lane = sqlite3_column_int(q, 2);
			if (vec_push(&ev, &e)) {
				rc = -1;
				break;
			}
		}
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE) { /* a timeline cut short must not pass for the whole one */
			vec_release(&ev);
			return rc < 0 ? ws_error(ws, RASTRO_NOMEM, "out of memory drawing a timeline")
				      : ws_sqlerr(ws, "reading the workspace for the report");
		}
	}
	if (ev.len) {
		sbuf_adds(b, "<h3>Timeline</h3><p class=\"muted small\">One mark per day; area grows with the amount (money) or "
			     "the number of events.</p>");
		rep_timeline_svg(b, ev.data, ev.len, lanes, 4, money);
	}
	vec_release(&ev);
	return 0;
}

static int evidence(rastro_ws *ws, struct sbuf *b, int64_t id, size_t max_signals)
{
	sqlite3_stmt *q, *e;
	int rc, n = 0;

	if (ws_prepare(ws, "SELECT g.id, g.code, g.entity_id, ifnull(en.label, en.key), g.score, g.explanation,"
			   " (SELECT count(*) FROM signal_evidence WHERE signal_id = g.id)"
			   " FROM signal g JOIN entity en ON en.id = g.entity_id"
			   " WHERE g.entity_id IN (SELECT entity_id FROM network_member WHERE network_id = ?1 AND suspect = 1)"
			   " ORDER BY g.score DESC, g.id LIMIT ?2", &q))
		return ws->err.code;
	if (ws_prepare(ws, "SELECT se.record_id, r.kind, s.path, r.line, r.ext_id FROM signal_evidence se"
			   " JOIN record r ON r.id = se.record_id JOIN source s ON s.id = r.source_id"
			   " WHERE se.signal_id = ?1 ORDER BY se.record_id LIMIT 6", &e)) {
		sqlite3_finalize(q);
		return ws->err.code;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, (int64_t)max_signals);
	sbuf_adds(b, "<h3>Evidence</h3>");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int m = 0;
		long long total = sqlite3_column_int64(q, 6);

		if (!n++)
			sbuf_adds(b, "<table><tr><th>signal</th><th>on</th><th class=\"n\">score</th><th>explanation</th>"
				     "<th>records (source:line)</th></tr>");
		sbuf_adds(b, "<tr><td><b>");
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_addf(b, "</b></td><td>#%lld ", (long long)sqlite3_column_int64(q, 2));
		esc(b, (const char *)sqlite3_column_text(q, 3));
		sbuf_addf(b, "</td><td class=\"n\">%.2f</td><td class=\"small\">", sqlite3_column_double(q, 4));
		esc(b, (const char *)sqlite3_column_text(q, 5));
		sbuf_adds(b, "</td><td class=\"small\">");
		sqlite3_reset(e);
		sqlite3_bind_int64(e, 1, sqlite3_column_int64(q, 0));
		while (sqlite3_step(e) == SQLITE_ROW) {
			sbuf_addf(b, "%s%s %lld: ", m++ ? "<br>" : "", sqlite3_column_text(e, 1),
				  (long long)sqlite3_column_int64(e, 0));
			esc(b, base_name((const char *)sqlite3_column_text(e, 2)));
			sbuf_addf(b, ":%lld", (long long)sqlite3_column_int64(e, 3));
		}
		if (total > m)
			sbuf_addf(b, "<br><span class=\"muted\">and %lld more</span>", total - m);
		sbuf_adds(b, "</td></tr>");
	}
	sqlite3_finalize(q);
	sqlite3_finalize(e);
	if (n)
		sbuf_adds(b, "</table>");
	else
		sbuf_adds(b, "<p class=\"muted\">No detector signal on a suspect member: the network stands on its links "
			     "(shared identifiers, money, agency records).</p>");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing evidence");
}

static int sar_drafts(rastro_ws *ws, struct sbuf *b, int64_t id)
{
	(void)ws;
	(void)id;
	/* finance: SAR drafts of the network's accounts with finance signals */
	sbuf_adds(b, "<h3>SAR drafts</h3><p class=\"muted\">The finance stage is not part of this build: no SAR drafts.</p>");
	return 0;
}

/* Referrals of the network's potential victims: through the victims
 * module's API for victim-services roles (it decides what they see),
 * counts per status for everyone else. */
static int referrals_part(rastro_ws *ws, struct sbuf *b, int64_t id, int reveal, const char *role)
{
	sqlite3_stmt *q;
	int rc, n = 0;

	sbuf_adds(b, "<h3>Referrals</h3>");
	if (!reveal) {
		if (ws_prepare(ws, "SELECT r.status, count(*) FROM referral r WHERE r.victim IN (SELECT g.victim FROM vic_group g"
				   " JOIN network_member m ON m.entity_id = g.entity_id WHERE m.network_id = ?1)"
				   " GROUP BY r.status ORDER BY r.status", &q))
			return ws->err.code;
		sqlite3_bind_int64(q, 1, id);
		sbuf_adds(b, "<p>");
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			sbuf_addf(b, "%s%lld %s", n++ ? ", " : "", (long long)sqlite3_column_int64(q, 1), sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		sbuf_adds(b, n ? " referrals to service providers (details for victim-services roles).</p>"
			       : "No referral recorded yet (rastro refer).</p>");
		return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "counting referrals");
	}
	if (ws_prepare(ws, "SELECT DISTINCT g.victim FROM vic_group g JOIN network_member m ON m.entity_id = g.entity_id"
			   " WHERE m.network_id = ?1 ORDER BY g.victim", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		rastro_table *t;
		int full;
		size_t r;

		if (rastro_referrals(ws, role, sqlite3_column_int64(q, 0), &t, &full) || !full) {
			rastro_table_free(t);
			continue;
		}
		for (r = 0; r < rastro_table_nrows(t); r++) {
			if (!n++)
				sbuf_adds(b, "<table><tr><th>victim</th><th>status</th><th>provider</th><th>services</th>"
					     "<th class=\"n\">km</th><th>why</th></tr>");
			sbuf_adds(b, "<tr><td>#");
			esc(b, rastro_table_cell(t, r, 1));
			sbuf_adds(b, "</td><td>");
			esc(b, rastro_table_cell(t, r, 4));
			sbuf_adds(b, "</td><td>");
			esc(b, rastro_table_cell(t, r, 6));
			sbuf_adds(b, "</td><td class=\"small\">");
			esc(b, rastro_table_cell(t, r, 7));
			sbuf_adds(b, "</td><td class=\"n\">");
			esc(b, rastro_table_cell(t, r, 8));
			sbuf_adds(b, "</td><td class=\"small\">");
			esc(b, rastro_table_cell(t, r, 10));
			sbuf_adds(b, "</td></tr>");
		}
		rastro_table_free(t);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) /* a read error must not leave a silently partial report */
		return ws_sqlerr(ws, "reading the workspace for the report");
	sbuf_adds(b, n ? "</table>" : "<p class=\"muted\">No referral recorded yet (rastro refer).</p>");
	return 0;
}

static int victims_part(rastro_ws *ws, struct sbuf *b, int64_t id, int reveal, const char *role)
{
	sqlite3_stmt *q;
	long long n = 0;
	int rc;

	if (ws_prepare(ws, "SELECT m.entity_id, e.kind, ifnull(e.label, e.key), v.score, v.minor, v.reasons"
			   " FROM network_member m JOIN entity e ON e.id = m.entity_id JOIN victim_flag v ON v.entity_id = m.entity_id"
			   " WHERE m.network_id = ?1 ORDER BY v.minor DESC, v.score DESC, m.entity_id", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	sbuf_adds(b, "<h3>Potential victims</h3>");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		n++;
		if (!reveal)
			continue;
		if (n == 1)
			sbuf_adds(b, "<table><tr><th>entity</th><th>kind</th><th>name</th><th class=\"n\">score</th>"
				     "<th>minor</th><th>indicators</th></tr>");
		sbuf_addf(b, "<tr><td>#%lld</td><td>", (long long)sqlite3_column_int64(q, 0));
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 2));
		sbuf_addf(b, "</td><td class=\"n\">%.2f</td><td>%s</td><td class=\"small\">", sqlite3_column_double(q, 3),
			  sqlite3_column_int(q, 4) ? "yes" : "");
		{
			json_t *j = json_loads((const char *)sqlite3_column_text(q, 5), 0, NULL), *it;
			size_t i;

			json_array_foreach(j, i, it) {
				const char *s = json_string_value(json_object_get(it, "sentence"));
				const char *c = json_string_value(json_object_get(it, "code"));

				sbuf_adds(b, i ? "<br>" : "");
				esc(b, c);
				if (s) {
					sbuf_adds(b, ": ");
					esc(b, s);
				}
			}
			json_decref(j);
		}
		sbuf_adds(b, "</td></tr>");
	}
	sqlite3_finalize(q);
	if (reveal && n)
		sbuf_adds(b, "</table>");
	if (!n)
		sbuf_adds(b, "<p class=\"muted\">None flagged in this network.</p>");
	else if (!reveal)
		sbuf_addf(b, "<p class=\"protected\">%lld entities of potential victims are in this network. They are "
			     "routed to referral, never scored or exported as suspects; names, indicators and referrals are "
			     "shown to victim-services roles only (rastro report --role victim_services).</p>", n);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "listing potential victims");
	if (n && table_exists(ws, "referral") && table_exists(ws, "vic_group"))
		return referrals_part(ws, b, id, reveal, role);
	return 0;
}

/* The merchants the members pay, set aside from the members
 * (net_counterparty); nothing when there are none. */
static int counterparties_table(rastro_ws *ws, struct sbuf *b, int64_t id)
{
	sqlite3_stmt *q;
	int rc, n = 0;
	char a[48];

	if (!table_exists(ws, "net_counterparty"))
		return 0;
	if (ws_prepare(ws, "SELECT c.entity_id, ifnull(e.label, e.key), c.payments, c.amount FROM net_counterparty c"
			   " JOIN entity e ON e.id = c.entity_id WHERE c.network_id = ?1"
			   " ORDER BY c.amount DESC, c.entity_id LIMIT 40", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			sbuf_adds(b, "<h3>Counterparties</h3><p class=\"muted small\">Merchants the members pay: accounts reached "
				     "only by categorised purchases, with no holder and no other link (ad sites, phone cards, "
				     "prepaid programmes, transport). What the network buys; not members (docs/network.md, "
				     "Merchants).</p><table><tr><th>entity</th><th>merchant</th><th class=\"n\">payments</th>"
				     "<th class=\"n\">total</th></tr>");
		net_fmt_amount(a, sizeof a, sqlite3_column_double(q, 3));
		sbuf_addf(b, "<tr><td>#%lld</td><td>", (long long)sqlite3_column_int64(q, 0));
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>", (long long)sqlite3_column_int64(q, 2),
			  a);
	}
	sqlite3_finalize(q);
	if (n)
		sbuf_adds(b, "</table>");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing counterparties");
}

/* The cells of an enterprise and the links that joined them (net_bridge). */
static int cells_table(rastro_ws *ws, struct sbuf *b, int64_t id)
{
	sqlite3_stmt *q;
	int rc;

	sbuf_adds(b, "<h3>Cells</h3><p class=\"muted small\">The partition finds cells; a cell joins another when an ad in"
		     " one belongs to an ad cluster in the other that the ads stage flagged (one scheme's ads); an account"
		     " moves to its payer's cell, or the two cells join, when finance signals on both ends cite the same"
		     " payment (one scheme seen from both sides); and (when enabled) a person in one holds an account in"
		     " the other and both hold suspect evidence. Money links alone, potential victims and hubs never join"
		     " cells (docs/network.md, Enterprises).</p>"
		     "<table><tr><th class=\"n\">cell</th><th class=\"n\">entities</th><th class=\"n\">joins cell</th>"
		     "<th>rule</th><th>evidence</th><th>link</th></tr>");
	if (ws_prepare(ws, "SELECT c.cell, c.n, b.cell_b, b.rule, b.evidence, b.reason"
			   " FROM (SELECT cell, count(*) AS n FROM network_member WHERE network_id = ?1 GROUP BY cell) c"
			   " LEFT JOIN net_bridge b ON b.network_id = ?1 AND b.cell_a = c.cell"
			   " ORDER BY c.cell, b.cell_b", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sbuf_addf(b, "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">",
			  (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1));
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			sbuf_addf(b, "%lld", (long long)sqlite3_column_int64(q, 2));
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 3));
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 4));
		sbuf_adds(b, "</td><td class=\"small\">");
		esc(b, (const char *)sqlite3_column_text(q, 5));
		sbuf_adds(b, "</td></tr>");
	}
	sqlite3_finalize(q);
	sbuf_adds(b, "</table>");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing cells");
}

static int network_page(rastro_ws *ws, struct sbuf *b, GVC_t *gvc, int64_t id, int reveal, const char *role,
			size_t max_nodes, double max_score, uint64_t *diagrams)
{
	sqlite3_stmt *q;
	long long cells;
	const char *names[16];
	double pts[16];
	json_t *keep = NULL;
	size_t np, i;
	int rc;

	if (ws_prepare(ws, "SELECT key, kind, score, rank, parts, summary, size, suspects, victims, origin, ifnull(cells, 1)"
			   " FROM network WHERE id = ?1", &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return ws_sqlerr(ws, "reading a network");
	}
	sbuf_adds(b, "<section class=\"network\" id=\"net-");
	esc(b, (const char *)sqlite3_column_text(q, 0));
	sbuf_addf(b, "\"><div class=\"net-head\"><h2>#%lld &nbsp;", (long long)sqlite3_column_int64(q, 3));
	esc(b, (const char *)sqlite3_column_text(q, 0));
	sbuf_adds(b, " <span class=\"kind\">");
	esc(b, (const char *)sqlite3_column_text(q, 1));
	sbuf_addf(b, "</span></h2><span class=\"score\">%.2f</span></div><p>", sqlite3_column_double(q, 2));
	esc(b, (const char *)sqlite3_column_text(q, 5));
	cells = sqlite3_column_int64(q, 10);
	if (cells > 1)
		sbuf_addf(b, ". <span class=\"muted small\">%lld entities; an enterprise of %lld cells (communities of the link"
			     " graph) joined by the links listed under Cells.</span></p>", (long long)sqlite3_column_int64(q, 6),
			  (long long)cells);
	else
		sbuf_addf(b, ". <span class=\"muted small\">%lld entities; found as a %s.</span></p>",
			  (long long)sqlite3_column_int64(q, 6),
			  strcmp((const char *)sqlite3_column_text(q, 9), "leiden") == 0 ? "Leiden community of a larger component"
											  : "connected component");
	np = parse_parts((const char *)sqlite3_column_text(q, 4), names, pts, 16, &keep);
	sbuf_adds(b, "<h3>Score</h3><table><tr><th>part</th><th class=\"n\">points</th><th>how</th></tr>");
	{
		json_t *it;
		size_t k;

		json_array_foreach(keep, k, it) {
			sbuf_adds(b, "<tr><td>");
			esc(b, json_string_value(json_object_get(it, "part")));
			sbuf_addf(b, "</td><td class=\"n\">%.2f</td><td class=\"small\">",
				  json_number_value(json_object_get(it, "points")));
			esc(b, json_string_value(json_object_get(it, "detail")));
			sbuf_adds(b, "</td></tr>");
		}
	}
	sbuf_addf(b, "<tr><td><b>total</b></td><td class=\"n\"><b>%.2f</b></td><td>", sqlite3_column_double(q, 2));
	rep_parts_svg(b, names, pts, np, max_score);
	sbuf_adds(b, "</td></tr></table>");
	json_decref(keep);
	sqlite3_finalize(q);

	{
		struct sbuf svg = SBUF_INIT;

		sbuf_init(&svg);
		rc = rep_diagram(ws, gvc, id, reveal, max_nodes, &svg);
		if (rc) {
			sbuf_release(&svg);
			return rc;
		}
		if (svg.len) {
			long long size = q1(ws, "SELECT 0");

			(void)size;
			sbuf_adds(b, "<h3>Diagram</h3><p class=\"muted small\">Colours are roles; shapes are kinds (ellipse person, "
				     "box account, house business, note phone/email/handle, tab address, component ad). Red arrows are "
				     "money (width grows with the amount; label: total and payments); grey dashes are other links.</p>");
			sbuf_add(b, svg.buf, svg.len);
			(*diagrams)++;
		}
		sbuf_release(&svg);
	}
	if ((cells > 1 && (rc = cells_table(ws, b, id))) || (rc = members_table(ws, b, id, reveal)) ||
	    (rc = money_table(ws, b, id, reveal)) || (rc = counterparties_table(ws, b, id)) || (rc = timeline(ws, b, id)) ||
	    (rc = evidence(ws, b, id, 40)) || (rc = sar_drafts(ws, b, id)) || (rc = victims_part(ws, b, id, reveal, role)))
		return rc;
	(void)i;
	sbuf_adds(b, "<p class=\"small\"><a href=\"#ranking\">back to the ranking</a></p></section>");
	return 0;
}

static int hubs_section(rastro_ws *ws, struct sbuf *b)
{
	sqlite3_stmt *q;
	int rc, n = 0;

	sbuf_adds(b, "<section id=\"hubs\"><h2>Hubs set aside</h2><p class=\"muted small\">Entities linked to so many others "
		     "(banks' clearing accounts, big merchants, marketplaces, shared public phones) that they would join "
		     "unrelated groups; they belong to no network (docs/network.md, hub rule).</p>");
	if (ws_prepare(ws, "SELECT h.entity_id, e.kind, ifnull(e.label, e.key), h.degree, h.threshold, h.rule FROM net_hub h"
			   " JOIN entity e ON e.id = h.entity_id ORDER BY h.degree DESC, h.entity_id LIMIT 50", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			sbuf_adds(b, "<table><tr><th>entity</th><th>kind</th><th>name or key</th><th class=\"n\">distinct links</th>"
				     "<th class=\"n\">threshold</th><th>rule</th></tr>");
		sbuf_addf(b, "<tr><td>#%lld</td><td>", (long long)sqlite3_column_int64(q, 0));
		esc(b, (const char *)sqlite3_column_text(q, 1));
		sbuf_adds(b, "</td><td>");
		esc(b, (const char *)sqlite3_column_text(q, 2));
		sbuf_addf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>", (long long)sqlite3_column_int64(q, 3),
			  (long long)sqlite3_column_int64(q, 4));
		esc(b, (const char *)sqlite3_column_text(q, 5));
		sbuf_adds(b, "</td></tr>");
	}
	sqlite3_finalize(q);
	if (n)
		sbuf_adds(b, "</table>");
	else
		sbuf_adds(b, "<p class=\"muted\">None.</p>");
	sbuf_adds(b, "</section>");
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "listing hubs");
}

int rastro_report(rastro_ws *ws, const struct rastro_report_opts *o, struct rastro_report_stats *st)
{
	struct sbuf b = SBUF_INIT;
	struct rastro_report_stats dummy;
	sqlite3_stmt *q = NULL;
	GVC_t *gvc = NULL;
	FILE *f = NULL;
	size_t top, max_nodes, max_listed;
	double t0 = now_s(), max_score = 0;
	const char *title;
	char asof[64] = "";
	int rc = 0, reveal;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if (!o || !o->path)
		return ws_error(ws, RASTRO_USAGE, "the report needs an output path");
	if (!table_exists(ws, "net_hub") || !q1(ws, "SELECT count(*) FROM run_log WHERE command = 'network' AND status = 'ok'"))
		return ws_error(ws, RASTRO_USAGE, "no networks in '%s' yet: run 'rastro network' (or 'rastro run') first",
				ws->path);
	top = o->top ? o->top : (size_t)cfg_int(ws->cfg, "report.top", 20);
	max_nodes = (size_t)cfg_int(ws->cfg, "report.diagram_max_nodes", 80);
	max_listed = (size_t)cfg_int(ws->cfg, "report.max_listed", 500);
	if (max_listed < top)
		max_listed = top;
	reveal = rastro_victim_access(ws, o->role);
	title = o->title ? o->title : cfg_str(ws->cfg, "report.title", "rastro — networks report");
	if (!ws_prepare(ws, "SELECT finished_at FROM run_log WHERE command = 'network' AND status = 'ok' ORDER BY id DESC LIMIT 1",
			&q)) {
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(asof, sizeof asof, "%s", sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		q = NULL;
	}
	sbuf_init(&b);
	sbuf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	esc(&b, title);
	sbuf_addf(&b, "</title><style>%s</style></head><body><header><h1>", css);
	esc(&b, title);
	sbuf_adds(&b, "</h1><p>Workspace ");
	esc(&b, base_name(ws->path));
	sbuf_adds(&b, " &middot; networks as of ");
	esc(&b, asof);
	sbuf_addf(&b, " &middot; rastro %s &middot; %s</p></header>"
		      "<nav><a href=\"#summary\">Summary</a><a href=\"#ranking\">Networks</a><a href=\"#hubs\">Hubs</a>"
		      "<a href=\"#method\">Method</a></nav><main>",
		  rastro_version(), reveal ? "victim-services view" : "law-enforcement view: victims protected");
	if ((rc = summary(ws, &b)) || (rc = ranking(ws, &b, top, max_listed, &max_score)))
		goto out;
	gvc = gvContext();
	if (!gvc) {
		rc = ws_error(ws, RASTRO_ERROR, "graphviz could not start");
		goto out;
	}
	if ((rc = ws_prepare(ws, "SELECT id FROM network WHERE rank IS NOT NULL ORDER BY rank LIMIT ?1", &q)))
		goto out;
	sqlite3_bind_int64(q, 1, (int64_t)top);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if ((rc = network_page(ws, &b, gvc, sqlite3_column_int64(q, 0), reveal, o->role, max_nodes, max_score,
					&st->diagrams)))
			goto out;
		st->networks++;
		ws_progress(ws, "report", st->networks, top);
	}
	sqlite3_finalize(q);
	q = NULL;
	if ((rc = hubs_section(ws, &b)))
		goto out;
	sbuf_adds(&b, "<section id=\"method\"><h2>Method</h2><p class=\"small\">Networks are groups of the link graph: "
		      "entities are nodes; links come from every stage (entity resolution, ads, agency records) and money "
		      "flows are aggregated per pair of accounts. Hubs are set aside; connected components are split with "
		      "the Leiden algorithm (modularity) when large. Each member's role comes from the first rule that "
		      "matches, and the reason says which. A network's score is the sum of the parts shown with it. Every "
		      "finding points to its records: the source file and line are given with the evidence. Potential "
		      "victims are routed to referral and never scored as suspects. See docs/network.md and docs/report.md.</p>"
		      "</section></main></body></html>\n");
	if (sbuf_failed(&b)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory writing the report");
		goto out;
	}
	f = fopen(o->path, "wb");
	if (!f || fwrite(b.buf, 1, b.len, f) != b.len || fclose(f)) {
		int e = errno;

		if (f)
			f = NULL;
		rc = ws_error(ws, e == ENOSPC ? RASTRO_FULL : RASTRO_IO, "cannot write '%s': %s", o->path, strerror(e));
		goto out;
	}
	f = NULL;
	st->bytes = b.len;
	st->seconds = now_s() - t0;
out:
	sqlite3_finalize(q);
	if (gvc)
		gvFreeContext(gvc);
	sbuf_release(&b);
	return rc;
}
