/*
 * vic_list: the potential-victim list (`rastro victims`) and its aggregate
 * form.
 *
 * The list is never mixed with suspects: it reads only victim_flag and the
 * victims module's own tables.  Potential minors come first, then higher
 * scores.  Each reason names its record (kind, id in the source, file and
 * line) so a victim-services worker can go back to the interview or the
 * account.  Roles that are not victim-services roles get counts only.
 */
#include "victims.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/sbuf.h"
#include "core/table.h"

/* "encounter E-1 (enc.csv:3)" for a record id. */
static void record_ref(sqlite3_stmt *st, int64_t rec, struct sbuf *out)
{
	sqlite3_bind_int64(st, 1, rec);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *ext = (const char *)sqlite3_column_text(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 3);
		const char *base = path ? strrchr(path, '/') : NULL;

		sbuf_addf(out, "%s %s (%s:%lld)", kind ? kind : "record", ext ? ext : "#",
			  base ? base + 1 : path ? path : "?", (long long)sqlite3_column_int64(st, 2));
		if (!ext)
			sbuf_addf(out, " #%lld", (long long)rec);
	} else {
		sbuf_addf(out, "record %lld", (long long)rec);
	}
	sqlite3_reset(st);
}

/* Who a victim entity is, from the freshest record that says so. */
struct who {
	char name[200], age[16], sex[4], language[32], phone[64], place[160];
};

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t outn)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(out, outn, "%s", s ? s : "");
}

static void describe(sqlite3_stmt *enc, sqlite3_stmt *kyc, sqlite3_stmt *label, int64_t ent,
		     const int64_t *members, size_t nmembers, struct who *w)
{
	size_t i;

	memset(w, 0, sizeof *w);
	sqlite3_bind_int64(enc, 1, ent);
	if (sqlite3_step(enc) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(enc, 0);
		const char *s = (const char *)sqlite3_column_text(enc, 1);
		const char *m = (const char *)sqlite3_column_text(enc, 2);

		snprintf(w->name, sizeof w->name, "%s%s%s%s%s", g ? g : "", g && (s || m) ? " " : "", s ? s : "",
			 s && m ? " " : "", m ? m : "");
		if (sqlite3_column_type(enc, 3) != SQLITE_NULL) {
			snprintf(w->age, sizeof w->age, "%d", sqlite3_column_int(enc, 3));
		} else if (sqlite3_column_type(enc, 4) != SQLITE_NULL) {
			const char *dob = (const char *)sqlite3_column_text(enc, 4);
			int64_t born, at = sqlite3_column_int64(enc, 9);

			if (!parse_timestamp(dob, strlen(dob), &born)) {
				int y1, y2;
				unsigned m1, d1, m2, d2;

				civil_from_days(born / 86400 - (born % 86400 < 0), &y1, &m1, &d1);
				civil_from_days(at / 86400 - (at % 86400 < 0), &y2, &m2, &d2);
				snprintf(w->age, sizeof w->age, "%d",
					 y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1)));
			}
		}
		copy_col(enc, 5, w->sex, sizeof w->sex);
		copy_col(enc, 6, w->language, sizeof w->language);
		copy_col(enc, 7, w->phone, sizeof w->phone);
		copy_col(enc, 8, w->place, sizeof w->place);
	}
	sqlite3_reset(enc);
	/* Accounts: the KYC holder. */
	for (i = 0; i < nmembers && (!w->name[0] || !w->phone[0] || !w->place[0]); i++) {
		sqlite3_bind_int64(kyc, 1, members[i]);
		if (sqlite3_step(kyc) == SQLITE_ROW) {
			if (!w->name[0])
				copy_col(kyc, 0, w->name, sizeof w->name);
			if (!w->phone[0])
				copy_col(kyc, 1, w->phone, sizeof w->phone);
			if (!w->place[0])
				copy_col(kyc, 2, w->place, sizeof w->place);
		}
		sqlite3_reset(kyc);
	}
	if (!w->name[0]) {
		sqlite3_bind_int64(label, 1, ent);
		if (sqlite3_step(label) == SQLITE_ROW) {
			const char *kind = (const char *)sqlite3_column_text(label, 1);

			/* A person known only from ads: say so rather than print a hash. */
			if (kind && strcmp(kind, "image") == 0 && sqlite3_column_type(label, 2) != SQLITE_NULL)
				snprintf(w->name, sizeof w->name, "person shown in %d ad(s) (%s)",
					 sqlite3_column_int(label, 2), (const char *)sqlite3_column_text(label, 3));
			else
				copy_col(label, 0, w->name, sizeof w->name);
		}
		sqlite3_reset(label);
	}
}

static int counts(rastro_ws *ws, const char *role, rastro_table **out)
{
	static const char *const cols[] = { "measure", "count:int" };
	rastro_table *t = tbl_new("potential victims (counts only)", cols, 2);
	sqlite3_stmt *st = NULL;
	int64_t n;
	int rc, i;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (ws_query_i64(ws, "SELECT count(DISTINCT victim) FROM vic_group", 0, &n))
		goto fail;
	tbl_row(t);
	tbl_set(t, 0, "potential victims");
	tbl_set_i64(t, 1, n);
	if (ws_query_i64(ws, "SELECT count(DISTINCT g.victim) FROM vic_group g JOIN victim_flag f"
			     " ON f.entity_id = g.entity_id WHERE f.minor = 1", 0, &n))
		goto fail;
	tbl_row(t);
	tbl_set(t, 0, "potential minors");
	tbl_set_i64(t, 1, n);
	if (ws_query_i64(ws, "SELECT count(*) FROM victim_flag", 0, &n))
		goto fail;
	tbl_row(t);
	tbl_set(t, 0, "entities kept out of suspect outputs");
	tbl_set_i64(t, 1, n);
	/* Victims per indicator (a victim counts once per code). */
	if (ws_prepare(ws, "SELECT h.code, count(DISTINCT g.victim) FROM vic_hit h JOIN vic_group g"
			   " ON g.entity_id = h.entity_id GROUP BY h.code ORDER BY h.code", &st))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tbl_row(t);
		tbl_setf(t, 0, "victims with %s", (const char *)sqlite3_column_text(st, 0));
		tbl_set_i64(t, 1, sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ws_sqlerr(ws, "counting indicators");
		goto fail;
	}
	for (i = 0; i < 4; i++) {
		static const char *const status[] = { "proposed", "made", "accepted", "declined" };
		char sql[128];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE status = '%s'", status[i]);
		if (ws_query_i64(ws, sql, 0, &n))
			goto fail;
		tbl_row(t);
		tbl_setf(t, 0, "referrals %s", status[i]);
		tbl_set_i64(t, 1, n);
	}
	tbl_row(t);
	tbl_setf(t, 0, "(names and reasons: victim-services roles only; role '%s')", role);
	if (tbl_failed(t)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	rastro_table_free(t);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}

int rastro_victims_list(rastro_ws *ws, const char *role, size_t limit, rastro_table **out, int *full)
{
	static const char *const cols[] = {
		"victim:int", "minor", "score:real", "name", "age", "sex", "language", "phone", "place",
		"indicators", "reasons", "entities", "referral",
	};
	enum { L_ID, L_MINOR, L_SCORE, L_NAME, L_AGE, L_SEX, L_LANG, L_PHONE, L_PLACE, L_CODES, L_REASONS,
	       L_ENTITIES, L_REFERRAL };
	const char *eff;
	rastro_table *t;
	sqlite3_stmt *sel = NULL, *mem = NULL, *rec = NULL, *enc = NULL, *kyc = NULL, *lab = NULL, *ref = NULL;
	struct sbuf sb = SBUF_INIT;
	size_t rows = 0;
	int64_t has_ads = 0;
	int rc, ads;

	*out = NULL;
	if (full)
		*full = 0;
	err_clear(&ws->err);
	if (vic_view_for(ws, role, &eff) != VIC_VIEW_FULL)
		return counts(ws, eff, out);
	if (full)
		*full = 1;
	t = tbl_new("potential victims", cols, sizeof cols / sizeof cols[0]);
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	sbuf_init(&sb);
	if (ws_query_i64(ws, "SELECT count(*) FROM sqlite_master WHERE name = 'ad_ident'", 0, &has_ads)) {
		rc = ws->err.code;
		goto out;
	}
	ads = has_ads > 0;
	if (ws_prepare(ws, "SELECT f.entity_id, f.minor, f.score, f.reasons FROM victim_flag f"
			   " JOIN vic_group g ON g.entity_id = f.entity_id AND g.victim = f.entity_id"
			   " ORDER BY f.minor DESC, f.score DESC, f.entity_id", &sel) ||
	    ws_prepare(ws, "SELECT g.entity_id, e.kind FROM vic_group g JOIN entity e ON e.id = g.entity_id"
			   " WHERE g.victim = ?1 ORDER BY g.entity_id", &mem) ||
	    ws_prepare(ws, "SELECT r.kind, r.ext_id, r.line, s.path FROM record r JOIN source s ON s.id = r.source_id"
			   " WHERE r.id = ?1", &rec) ||
	    ws_prepare(ws, "SELECT e.given_name, e.surname, e.maternal_surname, e.age_stated, e.dob, e.sex,"
			   " e.language, e.phone, trim(coalesce(e.city, '') || ', ' || coalesce(e.region, ''), ', '),"
			   " e.ts FROM encounter e JOIN vic_person p ON p.record_id = e.id WHERE p.entity_id = ?1"
			   " ORDER BY e.ts DESC, e.id DESC LIMIT 1", &enc) ||
	    ws_prepare(ws, "SELECT name, phone, trim(coalesce(city, '') || ', ' || coalesce(region, ''), ', ')"
			   " FROM kyc WHERE account = ?1 ORDER BY id DESC LIMIT 1", &kyc) ||
	    ws_prepare(ws, ads ? "SELECT e.label, e.kind, (SELECT count(DISTINCT d.ad_id) FROM ad_ident d"
				 " JOIN vic_group g ON g.entity_id = d.entity_id WHERE g.victim = e.id AND d.kind = 'image'),"
				 " (SELECT group_concat(c, ', ') FROM (SELECT DISTINCT a.city AS c FROM ad_ident d"
				 " JOIN vic_group g ON g.entity_id = d.entity_id JOIN ad a ON a.id = d.ad_id"
				 " WHERE g.victim = e.id AND d.kind = 'image' AND a.city IS NOT NULL ORDER BY a.city))"
				 " FROM entity e WHERE e.id = ?1"
			       : "SELECT label, kind, NULL, NULL FROM entity WHERE id = ?1", &lab) ||
	    ws_prepare(ws, "SELECT status, count(*) FROM referral WHERE victim = ?1 GROUP BY status"
			   " ORDER BY CASE status WHEN 'accepted' THEN 0 WHEN 'made' THEN 1 WHEN 'proposed' THEN 2"
			   " ELSE 3 END", &ref)) {
		rc = ws->err.code;
		goto out;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW && (!limit || rows < limit)) {
		int64_t ent = sqlite3_column_int64(sel, 0), members[32];
		const char *reasons = (const char *)sqlite3_column_text(sel, 3);
		json_t *arr = reasons ? json_loads(reasons, 0, NULL) : NULL;
		size_t nm = 0, i;
		struct who w;
		json_t *v;
		int r;

		rows++;
		tbl_row(t);
		tbl_set_i64(t, L_ID, ent);
		tbl_set(t, L_MINOR, sqlite3_column_int(sel, 1) ? "yes" : "");
		tbl_set_real(t, L_SCORE, sqlite3_column_double(sel, 2), 2);
		/* members */
		sbuf_clear(&sb);
		sqlite3_bind_int64(mem, 1, ent);
		while ((r = sqlite3_step(mem)) == SQLITE_ROW) {
			if (nm < sizeof members / sizeof members[0])
				members[nm++] = sqlite3_column_int64(mem, 0);
			sbuf_addf(&sb, "%s%s %lld", sb.len ? "; " : "", (const char *)sqlite3_column_text(mem, 1),
				  (long long)sqlite3_column_int64(mem, 0));
		}
		if (r != SQLITE_DONE) { /* a read error is not "no more members" */
			rc = ws_sqlerr(ws, "listing potential victims' records");
			sqlite3_reset(mem);
			json_decref(arr);
			goto out;
		}
		sqlite3_reset(mem);
		tbl_set(t, L_ENTITIES, sb.buf);
		describe(enc, kyc, lab, ent, members, nm, &w);
		tbl_set(t, L_NAME, w.name);
		tbl_set(t, L_AGE, w.age[0] ? w.age : NULL);
		tbl_set(t, L_SEX, w.sex[0] ? w.sex : NULL);
		tbl_set(t, L_LANG, w.language[0] ? w.language : NULL);
		tbl_set(t, L_PHONE, w.phone[0] ? w.phone : NULL);
		tbl_set(t, L_PLACE, w.place[0] ? w.place : NULL);
		/* indicator codes (distinct, in the order of the reasons) and reasons */
		sbuf_clear(&sb);
		json_array_foreach(arr, i, v) {
			const char *code = json_string_value(json_object_get(v, "code"));
			char probe[64];

			snprintf(probe, sizeof probe, "%s", code ? code : "");
			if (code && !strstr(sb.buf, probe))
				sbuf_addf(&sb, "%s%s", sb.len ? " " : "", code);
		}
		tbl_set(t, L_CODES, sb.buf);
		sbuf_clear(&sb);
		json_array_foreach(arr, i, v) {
			json_t *recs = json_object_get(v, "records"), *rv;
			size_t k;

			sbuf_addf(&sb, "%s%s %.2f: %s [", i ? "\n" : "",
				  json_string_value(json_object_get(v, "code")),
				  json_number_value(json_object_get(v, "weight")),
				  json_string_value(json_object_get(v, "sentence")));
			json_array_foreach(recs, k, rv) {
				if (k)
					sbuf_adds(&sb, "; ");
				if (k == 3) {
					sbuf_addf(&sb, "%zu more", json_array_size(recs) - 3);
					break;
				}
				record_ref(rec, json_integer_value(rv), &sb);
			}
			sbuf_addc(&sb, ']');
		}
		json_decref(arr);
		tbl_set(t, L_REASONS, sb.buf);
		/* referral status */
		sbuf_clear(&sb);
		sqlite3_bind_int64(ref, 1, ent);
		while (sqlite3_step(ref) == SQLITE_ROW)
			sbuf_addf(&sb, "%s%lld %s", sb.len ? ", " : "", (long long)sqlite3_column_int64(ref, 1),
				  (const char *)sqlite3_column_text(ref, 0));
		sqlite3_reset(ref);
		tbl_set(t, L_REFERRAL, sb.len ? sb.buf : "none");
		if (sbuf_failed(&sb)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory listing victims");
			goto out;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = ws_sqlerr(ws, "listing potential victims");
		goto out;
	}
	rc = 0;
	if (tbl_failed(t))
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory listing victims");
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(mem);
	sqlite3_finalize(rec);
	sqlite3_finalize(enc);
	sqlite3_finalize(kyc);
	sqlite3_finalize(lab);
	sqlite3_finalize(ref);
	sbuf_release(&sb);
	if (rc) {
		rastro_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
