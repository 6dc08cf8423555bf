/*
 * ads_api: the public calls of the ads module (rastro.h): running the
 * stage in one transaction with its run-log entry, listing clusters,
 * exporting each ad's cluster and template, showing one ad's findings.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ads/stage_int.h"
#include "core/parse.h"
#include "core/sbuf.h"
#include "core/table.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rastro_ads_run(rastro_ws *ws, const struct rastro_ads_opts *opts, struct rastro_ads_stats *stats)
{
	struct rastro_ads_stats scratch, *st = stats ? stats : &scratch;
	char summary[256];
	double t0 = now_s();
	int rc;

	memset(st, 0, sizeof *st);
	err_clear(&ws->err);
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' was opened read-only", ws->path);
	ws_run_begin(ws, "ads", NULL);
	/*
	 * Every entity an edge of the run names exists before the edge (stage.c
	 * makes it first), so the two foreign-key lookups per edge are switched
	 * off for the run, as ingest does (the pragma works only outside a
	 * transaction; restored after it).  The run stays in write-ahead-log
	 * mode: with a rollback journal, each spill of the page cache while
	 * the entity and edge indexes change waits for a journal sync, and at a
	 * million ads the analysis took 109 s of wall time instead of 62 for
	 * the same CPU.
	 */
	ws_exec(ws, "PRAGMA foreign_keys = OFF", "starting the ads stage");
	rc = ws_begin(ws);
	if (!rc)
		rc = ads_stage_run(ws, opts, st);
	if (!rc)
		rc = ws_commit(ws);
	if (rc)
		ws_rollback(ws);
	{
		struct rs_err keep = ws->err;

		ws_exec(ws, "PRAGMA foreign_keys = ON", "ending the ads stage");
		ws->err = keep;
	}
	st->seconds = now_s() - t0;
	if (rc)
		snprintf(summary, sizeof summary, "%s", ws->err.msg);
	else
		snprintf(summary, sizeof summary,
			 "%llu ads, %llu identifiers, %llu indicators, %llu templates, %llu clusters of 2+ ads, %llu signals",
			 (unsigned long long)st->ads, (unsigned long long)st->identifiers,
			 (unsigned long long)st->indicators, (unsigned long long)st->templates,
			 (unsigned long long)st->multi_clusters, (unsigned long long)st->signals);
	{
		struct rs_err keep = ws->err;

		ws_run_end(ws, rc, summary);
		ws->err = keep;
	}
	if (rc) {
		uint64_t ads = st->ads;

		memset(st, 0, sizeof *st);
		st->ads = ads;
	}
	return rc;
}

/* 1 when the stage has results (it ran since the ads were loaded). */
static int have_results(rastro_ws *ws)
{
	int64_t ads = 0, res = 0;

	if (ws_query_i64(ws, "SELECT count(*) FROM ad", 0, &ads) ||
	    ws_query_i64(ws, "SELECT count(*) FROM ad_result", 0, &res))
		return -1;
	if (ads && !res)
		return ws_error(ws, RASTRO_NOTFOUND, "the ads in '%s' have not been analysed yet: run 'rastro ads' first",
				ws->path), -1;
	if (ads != res)
		return ws_error(ws, RASTRO_NOTFOUND, "'%s' holds %lld ads but results for %lld: run 'rastro ads' again",
				ws->path, (long long)ads, (long long)res), -1;
	return 0;
}

int rastro_ads_clusters(rastro_ws *ws, size_t limit, rastro_table **out)
{
	static const char *const cols[] = {
		"cluster", "ads:int", "templates:int", "phones:int", "names:int", "cities:int", "sites:int", "first",
		"last", "score:real", "signals", "template",
	};
	rastro_table *t;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	err_clear(&ws->err);
	if (have_results(ws))
		return ws->err.code;
	if (ws_prepare(ws, "SELECT c.id, c.ads, c.templates, c.phones, c.names, c.cities, c.sites, c.first_posted,"
			   " c.last_posted, c.score,"
			   " (SELECT group_concat(code, ' ') FROM (SELECT DISTINCT code FROM signal s"
			   "   WHERE s.entity_id = c.entity_id AND s.stage = 'ads' ORDER BY code)),"
			   " (SELECT t.text FROM ad_result r JOIN ad_template t ON t.id = r.template_id"
			   "   WHERE r.cluster_id = c.id GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1)"
			   " FROM ad_cluster c ORDER BY c.score DESC, c.ads DESC, c.id LIMIT ?1", &st))
		return ws->err.code;
	sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
	t = tbl_new("ad clusters", cols, sizeof cols / sizeof cols[0]);
	if (!t) {
		sqlite3_finalize(st);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int c;

		tbl_row(t);
		for (c = 0; c < 12; c++) {
			if (c == 7 || c == 8) {
				char d[32];

				format_timestamp(sqlite3_column_int64(st, c), d);
				tbl_set(t, (size_t)c, d);
			} else if (c == 9) {
				tbl_set_real(t, 9, sqlite3_column_double(st, 9), 2);
			} else if (c == 11) {
				const char *s = (const char *)sqlite3_column_text(st, c);
				size_t n = (size_t)sqlite3_column_bytes(st, c);

				/* the start of the template, cut on a character boundary */
				if (s && n > 80) {
					n = 80;
					while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
						n--;
					tbl_setf(t, 11, "%.*s...", (int)n, s);
				} else {
					tbl_set(t, 11, s);
				}
			} else {
				tbl_set(t, (size_t)c, (const char *)sqlite3_column_text(st, c));
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rastro_table_free(t);
		return ws_sqlerr(ws, "listing ad clusters");
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

int rastro_ads_export(rastro_ws *ws, const char *path, uint64_t *rows)
{
	struct sbuf line = SBUF_INIT, tmp = SBUF_INIT;
	sqlite3_stmt *st;
	FILE *f;
	uint64_t n = 0;
	int rc, failed = 0;

	if (rows)
		*rows = 0;
	err_clear(&ws->err);
	if (have_results(ws))
		return ws->err.code;
	sbuf_init(&tmp);
	sbuf_addf(&tmp, "%s.tmp", path);
	if (sbuf_failed(&tmp))
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	f = fopen(tmp.buf, "wb");
	if (!f) {
		rc = ws_error(ws, RASTRO_IO, "cannot write '%s'", tmp.buf);
		sbuf_release(&tmp);
		return rc;
	}
	if (ws_prepare(ws, "SELECT a.ext_id, r.cluster_id, r.template_id, a.site FROM ad a JOIN ad_result r ON r.ad_id = a.id"
			   " ORDER BY a.id", &st)) {
		fclose(f);
		remove(tmp.buf);
		sbuf_release(&tmp);
		return ws->err.code;
	}
	sbuf_init(&line);
	failed |= fputs("ad_id,cluster_id,template_id,site\n", f) < 0;
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int c;

		sbuf_clear(&line);
		for (c = 0; c < 4; c++) {
			const char *s = (const char *)sqlite3_column_text(st, c);

			if (c)
				sbuf_addc(&line, ',');
			if (s)
				sbuf_add_csv_field(&line, s, (size_t)sqlite3_column_bytes(st, c));
		}
		sbuf_addc(&line, '\n');
		failed |= sbuf_failed(&line) || fwrite(line.buf, 1, line.len, f) != line.len;
		n++;
	}
	if (!failed && rc != SQLITE_DONE)
		rc = ws_sqlerr(ws, "exporting ad clusters");
	else
		rc = failed ? ws_error(ws, RASTRO_IO, "cannot write '%s'", tmp.buf) : 0;
	sqlite3_finalize(st);
	if (fclose(f) != 0 && !rc)
		rc = ws_error(ws, RASTRO_IO, "cannot write '%s'", tmp.buf);
	if (!rc && rename(tmp.buf, path) != 0)
		rc = ws_error(ws, RASTRO_IO, "cannot rename '%s' to '%s'", tmp.buf, path);
	if (rc)
		remove(tmp.buf);
	else if (rows)
		*rows = n;
	sbuf_release(&line);
	sbuf_release(&tmp);
	return rc;
}

int rastro_ads_show(rastro_ws *ws, const char *ad, rastro_table **idents, rastro_table **indicators)
{
	static const char *const icols[] = { "kind", "value", "raw", "field", "start:int", "end:int", "obfuscated:int",
					     "entity:int" };
	static const char *const ncols[] = { "code", "weight:real", "field", "start:int", "end:int", "matched", "source" };
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, c;
	rastro_table *a = NULL, *b = NULL;

	*idents = *indicators = NULL;
	err_clear(&ws->err);
	if (have_results(ws))
		return ws->err.code;
	if (ws_prepare(ws, "SELECT id FROM ad WHERE CAST(id AS TEXT) = ?1 OR site || ':' || ext_id = ?1 ORDER BY id LIMIT 1",
		       &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, ad, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!id)
		return ws_error(ws, RASTRO_NOTFOUND, "no ad '%s' (give a record id or site:id)", ad);
	a = tbl_new("identifiers", icols, 8);
	b = tbl_new("indicators", ncols, 7);
	if (!a || !b)
		goto nomem;
	if (ws_prepare(ws, "SELECT kind, value, raw, field, start, end, obfuscated, entity_id FROM ad_ident WHERE ad_id = ?1"
			   " ORDER BY field, start, kind", &st))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tbl_row(a);
		for (c = 0; c < 8; c++)
			tbl_set(a, (size_t)c, (const char *)sqlite3_column_text(st, c));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (ws_prepare(ws, "SELECT code, weight, field, start, end, matched, source FROM ad_indicator WHERE ad_id = ?1"
			   " ORDER BY start IS NULL, start, code", &st))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tbl_row(b);
		for (c = 0; c < 7; c++)
			tbl_set(b, (size_t)c, (const char *)sqlite3_column_text(st, c));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (tbl_failed(a) || tbl_failed(b))
		goto nomem;
	*idents = a;
	*indicators = b;
	return 0;
sqlfail:
	rc = ws_sqlerr(ws, "reading an ad's findings");
	rastro_table_free(a);
	rastro_table_free(b);
	return rc;
nomem:
	ws_error(ws, RASTRO_NOMEM, "out of memory");
fail:
	rastro_table_free(a);
	rastro_table_free(b);
	return ws->err.code;
}
