/*
 * er_why: the explanation of one pair — per-field values, levels and
 * weights under the workspace's saved model, like Splink's waterfall chart
 * or Senzing's WHY.
 */
#include "er.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/table.h"

/* Record id from a number or a source's own id (ext_id). */
static int record_of(rastro_ws *ws, const char *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (ws_prepare(ws, "SELECT id FROM record WHERE ext_id = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY (ext_id = ?1) DESC, id"
			   " LIMIT 2", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n)
			*out = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) /* a read error is not "no record" */
		return ws_sqlerr(ws, "looking up a record");
	if (!n)
		return ws_error(ws, RASTRO_NOTFOUND, "no record '%s' (give a record id or the source's own id)", s);
	return 0;
}

static void value_of(const struct er_data *d, const struct er_rec *r, int f, char *out, size_t n)
{
	switch (f) {
	case EF_GIVEN: snprintf(out, n, "%s", er_str(d, r->given)); break;
	case EF_SUR: snprintf(out, n, "%s", er_str(d, r->sur1)); break;
	case EF_SUR2: snprintf(out, n, "%s", er_str(d, r->sur2)); break;
	case EF_DOB:
		if (r->y)
			snprintf(out, n, "%04d-%02d-%02d%s", r->y, r->m, r->d, r->dob_amb ? " (d/m?)" : "");
		else
			out[0] = '\0';
		break;
	case EF_SEX: snprintf(out, n, "%s", r->sex ? (char[2]){ r->sex, 0 } : ""); break;
	case EF_PHONE: snprintf(out, n, "%s", er_str(d, r->phone)); break;
	case EF_EMAIL: snprintf(out, n, "%s", er_str(d, r->email)); break;
	case EF_STNO: snprintf(out, n, "%s", er_str(d, r->stno)); break;
	case EF_STREET: snprintf(out, n, "%s", er_str(d, r->street)); break;
	case EF_ADDR2: snprintf(out, n, "%s", er_str(d, r->addr2)); break;
	case EF_CITY: snprintf(out, n, "%s", er_str(d, r->city)); break;
	case EF_POSTCODE: snprintf(out, n, "%s", er_str(d, r->postcode)); break;
	case EF_REGION: snprintf(out, n, "%s", er_str(d, r->region)); break;
	case EF_IDNUM: snprintf(out, n, "%s", er_str(d, r->idnum)); break;
	default: out[0] = '\0';
	}
}

int rastro_why(rastro_ws *ws, const char *sa, const char *sb, rastro_table **out, char **summary)
{
	static const char *const cols[] = { "field", "a", "b", "level", "weight:real", "tf:real" };
	struct er_data d;
	struct er_model mo;
	struct er_expl e;
	int64_t ids[2];
	int lev[EF_N], f, rc;
	rastro_table *t = NULL;
	const struct er_rec *ra = NULL, *rb = NULL;
	char *text = NULL;
	struct rs_err err;
	sqlite3_stmt *st;
	size_t i;

	*out = NULL;
	*summary = NULL;
	if (record_of(ws, sa, &ids[0]) || record_of(ws, sb, &ids[1]))
		return ws->err.code;
	if ((rc = er_data_load_ids(ws, &d, ids, 2))) {
		er_data_release(&d);
		return rc;
	}
	for (i = 0; i < d.recs.len; i++) {
		const struct er_rec *r = vec_at(&d.recs, i);

		if (r->id == ids[0])
			ra = r;
		if (r->id == ids[1])
			rb = r;
	}
	if (!ra || !rb) {
		er_data_release(&d);
		return ws_error(ws, RASTRO_NOTFOUND, "record '%s' is not a person-like record", !ra ? sa : sb);
	}
	er_model_init(&mo, ws->cfg);
	if (ws_prepare(ws, "SELECT params FROM er_model ORDER BY id DESC LIMIT 1", &st))
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		text = mem_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!text) {
		ws_error(ws, RASTRO_NOTFOUND, "the workspace has no resolution model yet: run 'rastro resolve' first");
		goto fail;
	}
	err_clear(&err);
	if (er_model_load(&mo, text, strlen(text), &err)) {
		ws_error(ws, err.code, "saved model: %s", err.msg);
		goto fail;
	}
	if (er_model_bind_tf(&mo, &d)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	er_compare(&d, ra, rb, lev);
	er_weight(&mo, &d, ra, rb, lev, &e);
	t = tbl_new("why", cols, 6);
	if (!t) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	for (f = 0; f < EF_N; f++) {
		char va[128], vb[128];

		value_of(&d, ra, f, va, sizeof va);
		value_of(&d, rb, f, vb, sizeof vb);
		tbl_row(t);
		tbl_set(t, 0, er_field_name(f));
		tbl_set(t, 1, va[0] ? va : NULL);
		tbl_set(t, 2, vb[0] ? vb : NULL);
		tbl_set(t, 3, er_level_name(f, lev[f]));
		tbl_set_real(t, 4, e.w[f], 2);
		tbl_set_real(t, 5, e.tfw[f], 2);
	}
	{
		struct sbuf s = SBUF_INIT;
		int64_t ea = 0, eb = 0;
		double prob = 1.0 / (1.0 + pow(2.0, -e.total));

		sbuf_init(&s);
		if (!ws_prepare(ws, "SELECT entity_id FROM er_link WHERE record_id = ?1", &st)) {
			sqlite3_bind_int64(st, 1, ids[0]);
			if (sqlite3_step(st) == SQLITE_ROW)
				ea = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, ids[1]);
			if (sqlite3_step(st) == SQLITE_ROW)
				eb = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		sbuf_addf(&s, "records %lld and %lld\nprior (lambda %.3g): %+.2f\nmatch weight: %+.2f (probability %.6f)\n"
			       "threshold: %+.2f -> %s\n",
			  (long long)ids[0], (long long)ids[1], mo.lambda, e.prior, e.total, prob, mo.threshold,
			  e.total < mo.threshold ? "not a match"
			  : e.identity < mo.identity_min ? "not a match: names, birth date and id number speak against it"
			  : "a match");
		sbuf_addf(&s, "identity fields (given name, surname, date of birth, sex, id number): %+.2f (minimum %+.2f)\n", e.identity,
			  mo.identity_min);
		if (ea && eb)
			sbuf_addf(&s, "entities: %lld and %lld (%s)\n", (long long)ea, (long long)eb,
				  ea == eb ? "the same person entity" : "kept as different entities");
		if (sbuf_failed(&s)) {
			sbuf_release(&s);
			ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto fail;
		}
		*summary = sbuf_detach(&s, NULL);
	}
	if (tbl_failed(t)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	*out = t;
	mem_free(text);
	er_model_release(&mo);
	er_data_release(&d);
	return 0;
fail:
	rastro_table_free(t);
	mem_free(text);
	er_model_release(&mo);
	er_data_release(&d);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}
