/*
 * vic_indicators: the victims stage — indicator rules, grouping of a
 * person's entities, and the `victim_flag` table that keeps potential
 * victims out of every suspect output.
 *
 * Sources of indicators (docs/victims.md has one section per code):
 *   - encounter screening answers, modelled on the Vera Institute's TVIT
 *     (documents held, debt, not free to leave, threats, not knowing one's
 *     address, a third party answering, age), and smuggling debt
 *     (FIN-2023-Alert001: migrants who cannot pay the remaining fee may end
 *     in forced labour);
 *   - finance (FIN-2020-A008 typologies): wages swept to a third party,
 *     account identifiers shared with a controller, costs paid by another
 *     person.  When the finance detectors' signals are in the workspace
 *     their `affected` entities are read; until then (or when told to) the
 *     simple forms of these rules run here on txn and kyc;
 *   - any other module's signal mapped to a VIC code in the settings
 *     (victims.from_signals), e.g. ads cluster signals.
 *
 * Every finding is a "hit": (entity, code, record, sentence).  Hits on
 * entities that are one person (a person and the accounts they hold, or
 * records resolution calls the same) are grouped; a group's score is the
 * sum of its indicators' weights, each code counted once.  Groups at or
 * above the threshold are potential victims.
 */
#include "victims.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/u64map.h"
#include "core/vec.h"
#include "normalize/email.h"
#include "normalize/phone.h"

const struct vic_indicator vic_indicators[VIC_CODE_N] = {
	[VIC_DOCS_HELD] = { "VIC.DOCS_HELD", "docs_held", 0.7, "encounter", "legal;t_visa", "" },
	[VIC_DEBT] = { "VIC.DEBT", "debt", 0.5, "encounter", "legal", "" },
	[VIC_NOT_FREE] = { "VIC.NOT_FREE", "not_free", 0.7, "encounter", "safe_house;shelter", "" },
	[VIC_THREATS] = { "VIC.THREATS", "threats", 0.7, "encounter", "safe_house;mental_health", "" },
	[VIC_NO_ADDRESS] = { "VIC.NO_ADDRESS", "no_address", 0.4, "encounter", "shelter", "" },
	[VIC_THIRD_PARTY_SPEAKS] = { "VIC.THIRD_PARTY_SPEAKS", "third_party_speaks", 0.5, "encounter",
				     "case_management", "" },
	[VIC_MINOR] = { "VIC.MINOR", "minor", 0.5, "encounter", "education;childcare", "minors" },
	[VIC_SMUGGLING_DEBT] = { "VIC.SMUGGLING_DEBT", "smuggling_debt", 0.6, "encounter", "legal;t_visa",
				 "smuggled_migrants" },
	[VIC_WORKS_FOR_HOUSING] = { "VIC.WORKS_FOR_HOUSING", "works_for_housing", 0.5, "encounter",
				    "shelter;employment", "labor" },
	[VIC_WAGES_SWEPT] = { "VIC.WAGES_SWEPT", "wages_swept", 0.7, "finance", "employment;legal", "labor" },
	[VIC_EARNINGS_SWEPT] = { "VIC.EARNINGS_SWEPT", "earnings_swept", 0.6, "finance", "employment;legal", "" },
	[VIC_SHARED_CONTROLLER_ID] = { "VIC.SHARED_CONTROLLER_ID", "shared_controller_id", 0.4, "finance",
				       "case_management", "" },
	[VIC_COSTS_PAID_BY_OTHER] = { "VIC.COSTS_PAID_BY_OTHER", "costs_paid_by_other", 0.4, "finance",
				      "shelter", "" },
	[VIC_AD_MULTICITY] = { "VIC.AD_MULTICITY", "ad_multicity", 0.6, "ads", "shelter;medical",
			       "sex_trafficking" },
	[VIC_AD_YOUTH] = { "VIC.AD_YOUTH", "ad_youth", 0.6, "ads", "shelter;medical", "sex_trafficking" },
	[VIC_AD_THIRD_PERSON] = { "VIC.AD_THIRD_PERSON", "ad_third_person", 0.4, "ads", "shelter;medical",
				  "sex_trafficking" },
	[VIC_AGENCY_VICTIM] = { "VIC.AGENCY_VICTIM", "agency_victim", 1.0, "records", "", "" },
	[VIC_PAY_TO_OTHER] = { "VIC.PAY_TO_OTHER", "pay_to_other", 1.0, "finance", "employment;legal", "labor" },
};

int vic_code_find(const char *code)
{
	int i;

	for (i = 0; i < VIC_CODE_N; i++)
		if (strcmp(vic_indicators[i].code, code) == 0)
			return i;
	return -1;
}

double vic_weight(const struct cfg *cfg, int code)
{
	char key[96];

	snprintf(key, sizeof key, "victims.weight.%s", vic_indicators[code].key);
	return cfg_double(cfg, key, vic_indicators[code].weight);
}

/* ---- the stage's working state ---- */

#define HIT_RECORDS 6

struct hit {
	int64_t entity;
	int64_t rec[HIT_RECORDS];  /* evidence records, rec[0] the main one; 0 = none */
	int code;
	const char *sentence;      /* in the stage arena */
};

struct stage {
	rastro_ws *ws;
	const struct cfg *cfg;
	struct arena mem;
	struct vec hits;           /* struct hit */
	struct rastro_victims_stats *st;
	int from_signal[VIC_CODE_N]; /* 1 when a mapped signal supplied this code */
	struct vec same;           /* int64_t pairs: entities an agency filed as one person */
	char now[32];
};

static int add_hit(struct stage *S, int64_t entity, int code, const int64_t *recs, size_t nrecs,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int add_hit(struct stage *S, int64_t entity, int code, const int64_t *recs, size_t nrecs,
		   const char *fmt, ...)
{
	struct hit *h;
	char buf[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	h = vec_grow(&S->hits, 1);
	if (!h)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory collecting victim indicators");
	h->entity = entity;
	h->code = code;
	for (i = 0; i < nrecs && i < HIT_RECORDS; i++)
		h->rec[i] = recs[i];
	h->sentence = arena_strdup(&S->mem, buf);
	if (!h->sentence)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory collecting victim indicators");
	S->st->indicators++;
	return 0;
}

static int step_done(rastro_ws *ws, sqlite3_stmt *st, int rc, const char *doing)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, doing);
	return 0;
}

/* ---- which person each encounter (or victim person record) describes ---- */

static int table_exists(rastro_ws *ws, const char *name)
{
	sqlite3_stmt *st;
	int found;

	if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/*
 * Every encounter describes one person, and so does an agency person record
 * filed with status 'victim'.  When entity resolution has linked the record
 * (er_link), that person entity is used: the encounter then joins the
 * person's other records and the accounts they hold.  Otherwise the record
 * gets a provisional person entity keyed by the agency and its person
 * record id (the agency itself filed those records under one person) or,
 * without one, by the encounter.  The label names no one: names stay in
 * the confidential record tables.  The links are rebuilt on every run, so a
 * later resolution replaces provisional entities.
 */
static int names_compatible(const char *a, const char *b);

/*
 * Whether the person entity resolution gave record `rec` (named `name`)
 * also holds records in another person's name.  Victims' bank records can
 * carry their controller's phone and address (FIN-2020-A008), and a
 * resolution that follows them merges victims and controller into one
 * entity.  Attaching a victim's indicators to that entity would flag the
 * controller's own records, and keep them out of suspect outputs; the
 * record then keeps its own provisional person instead.  A record without
 * a name cannot be compared and keeps the resolved entity; so does an
 * entity of more records than can be checked (treated as mixed).
 */
static int entity_mixed(sqlite3_stmt *names, int64_t ent, int64_t rec, const char *name)
{
	int mixed = 0, n = 0;

	if (!name || !*name)
		return 0;
	sqlite3_bind_int64(names, 1, ent);
	while (!mixed && sqlite3_step(names) == SQLITE_ROW) {
		const char *other = (const char *)sqlite3_column_text(names, 1);

		/* too many names to compare, or one that does not fit */
		if (++n > 256 ||
		    (sqlite3_column_int64(names, 0) != rec && other && *other && !names_compatible(name, other)))
			mixed = 1;
	}
	sqlite3_reset(names);
	return mixed;
}

static int link_persons(struct stage *S)
{
	rastro_ws *ws = S->ws;
	sqlite3_stmt *sel = NULL, *ins = NULL, *find = NULL, *link = NULL, *names = NULL;
	struct sbuf key = SBUF_INIT, label = SBUF_INIT, sql = SBUF_INIT;
	int resolved = table_exists(ws, "er_link"), persons = table_exists(ws, "person");
	int kycs = table_exists(ws, "kyc");
	struct strmap filed;       /* "agency person-record" -> first entity seen */
	struct vec filed_ent;      /* int64_t by strmap id - 1 */
	int64_t next;
	int rc;

	sbuf_init(&key);
	sbuf_init(&label);
	sbuf_init(&sql);
	strmap_init(&filed);
	vec_init(&filed_ent, sizeof(int64_t));
#define NAME3(t) "nullif(trim(coalesce(" t ".given_name, '') || ' ' || coalesce(" t ".surname, '') || ' ' ||" \
	" coalesce(" t ".maternal_surname, '')), '')"
	sbuf_addf(&sql, "SELECT e.id, 'encounter', e.ext_id, e.person_record_id, a.code, %s, " NAME3("e")
			" FROM encounter e JOIN source s ON s.id = e.source_id JOIN agency a ON a.id = s.agency_id%s",
		  resolved ? "l.entity_id" : "NULL", resolved ? " LEFT JOIN er_link l ON l.record_id = e.id" : "");
	if (persons)
		sbuf_addf(&sql, " UNION ALL SELECT p.id, 'person', p.ext_id, p.ext_id, a.code, %s,"
				" coalesce(" NAME3("p") ", p.full_name) FROM person p"
				" JOIN source s ON s.id = p.source_id JOIN agency a ON a.id = s.agency_id%s"
				" WHERE p.status = 'victim'",
			  resolved ? "l.entity_id" : "NULL", resolved ? " LEFT JOIN er_link l ON l.record_id = p.id" : "");
	sbuf_adds(&sql, " ORDER BY 1");
	if (sbuf_failed(&sql)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if (resolved) {
		/* The names on every record of a resolved entity: KYC holder,
		 * agency person record, encounter. */
		struct sbuf q = SBUF_INIT;

		sbuf_init(&q);
		sbuf_addf(&q, "SELECT l.record_id, coalesce(%s%s" NAME3("n") ") FROM er_link l"
			      " LEFT JOIN encounter n ON n.id = l.record_id%s%s WHERE l.entity_id = ?1",
			  kycs ? "k.name, " : "", persons ? NAME3("p") ", p.full_name, " : "",
			  kycs ? " LEFT JOIN kyc k ON k.id = l.record_id" : "",
			  persons ? " LEFT JOIN person p ON p.id = l.record_id" : "");
		rc = sbuf_failed(&q) ? ws_error(ws, RASTRO_NOMEM, "out of memory") : ws_prepare(ws, q.buf, &names);
		sbuf_release(&q);
		if (rc)
			goto out;
	}
#undef NAME3
	if (ws_next_entity_id(ws, &next) ||
	    ws_exec(ws, "DELETE FROM vic_person", "clearing person links") ||
	    ws_prepare(ws, sql.buf, &sel) ||
	    ws_prepare(ws, "INSERT INTO entity(id, kind, key, label, first_record) VALUES(?1, 'person', ?2, ?3, ?4)"
			   " ON CONFLICT(kind, key) DO NOTHING", &ins) ||
	    ws_prepare(ws, "SELECT id FROM entity WHERE kind = 'person' AND key = ?1", &find) ||
	    ws_prepare(ws, "INSERT INTO vic_person(record_id, entity_id, basis) VALUES(?1, ?2, ?3)", &link)) {
		rc = ws->err.code;
		goto out;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		int64_t rec = sqlite3_column_int64(sel, 0), ent = sqlite3_column_int64(sel, 5);
		const char *what = (const char *)sqlite3_column_text(sel, 1);
		const char *ext = (const char *)sqlite3_column_text(sel, 2);
		const char *prid = (const char *)sqlite3_column_text(sel, 3);
		const char *agency = (const char *)sqlite3_column_text(sel, 4);
		const char *basis = "resolved";

		if (ent && entity_mixed(names, ent, rec, (const char *)sqlite3_column_text(sel, 6))) {
			ent = 0;
			S->st->records_kept_apart++;
		}

		sbuf_clear(&key);
		sbuf_clear(&label);
		if (prid && *prid) {
			sbuf_addf(&key, "prov:%s:person:%s", agency, prid);
			sbuf_addf(&label, "person record %s (%s)", prid, agency);
		} else {
			sbuf_addf(&key, "prov:%s:%s:%s", agency, what, ext ? ext : "");
			sbuf_addf(&label, "person met in %s %s (%s)", what, ext ? ext : "", agency);
		}
		if (sbuf_failed(&key) || sbuf_failed(&label)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory linking encounters");
			goto out;
		}
		if (ent) {
			/* A provisional entity from before resolution stays part of this
			 * person, so that referrals made to it still count. */
			int64_t prov = 0;

			sqlite3_bind_text(find, 1, key.buf, (int)key.len, SQLITE_STATIC);
			if (sqlite3_step(find) == SQLITE_ROW)
				prov = sqlite3_column_int64(find, 0);
			sqlite3_reset(find);
			if (prov && prov != ent && (vec_push(&S->same, &prov) || vec_push(&S->same, &ent))) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory linking encounters");
				goto out;
			}
		} else {
			basis = "provisional";
			sqlite3_bind_int64(ins, 1, next);
			sqlite3_bind_text(ins, 2, key.buf, (int)key.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, label.buf, (int)label.len, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 4, rec);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				rc = ws_sqlerr(ws, "creating a person entity for an encounter");
				goto out;
			}
			sqlite3_reset(ins);
			if (sqlite3_changes(ws->db)) {
				ent = next++;
				S->st->persons_new++;
			} else {
				sqlite3_bind_text(find, 1, key.buf, (int)key.len, SQLITE_STATIC);
				if (sqlite3_step(find) == SQLITE_ROW)
					ent = sqlite3_column_int64(find, 0);
				sqlite3_reset(find);
			}
			if (!ent) {
				rc = ws_error(ws, RASTRO_ERROR, "no person entity for record %lld", (long long)rec);
				goto out;
			}
		}
		/* Records the agency filed under one person record are one person,
		 * whatever resolution made of them. */
		if (prid && *prid) {
			int is_new;
			uint32_t id;

			sbuf_clear(&key);
			sbuf_addf(&key, "%s\x1f%s", agency, prid);
			id = sbuf_failed(&key) ? 0 : strmap_intern(&filed, key.buf, key.len, &is_new);
			if (!id || (is_new && vec_push(&filed_ent, &ent))) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory linking encounters");
				goto out;
			}
			if (!is_new && *(int64_t *)vec_at(&filed_ent, id - 1) != ent) {
				int64_t pair[2] = { *(int64_t *)vec_at(&filed_ent, id - 1), ent };

				if (vec_push(&S->same, &pair[0]) || vec_push(&S->same, &pair[1])) {
					rc = ws_error(ws, RASTRO_NOMEM, "out of memory linking encounters");
					goto out;
				}
			}
		}
		sqlite3_bind_int64(link, 1, rec);
		sqlite3_bind_int64(link, 2, ent);
		sqlite3_bind_text(link, 3, basis, -1, SQLITE_STATIC);
		if (sqlite3_step(link) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "linking a record to its person");
			goto out;
		}
		sqlite3_reset(link);
	}
	rc = rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "reading encounters");
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_finalize(find);
	sqlite3_finalize(link);
	sqlite3_finalize(names);
	sbuf_release(&key);
	sbuf_release(&label);
	sbuf_release(&sql);
	strmap_release(&filed);
	vec_release(&filed_ent);
	return rc;
}

/*
 * VIC.AGENCY_VICTIM: an agency's own person record filed with status
 * 'victim' (the `person` format).  The agency has already identified the
 * person; rastro only makes sure no suspect output includes them.
 */
static int agency_rule(struct stage *S)
{
	rastro_ws *ws = S->ws;
	sqlite3_stmt *st;
	int rc;

	if (!table_exists(ws, "person"))
		return 0;
	if (ws_prepare(ws, "SELECT p.id, v.entity_id, p.ext_id, p.case_id, a.code FROM person p"
			   " JOIN vic_person v ON v.record_id = p.id JOIN source s ON s.id = p.source_id"
			   " JOIN agency a ON a.id = s.agency_id WHERE p.status = 'victim' ORDER BY p.id", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rec = sqlite3_column_int64(st, 0);
		const char *ext = (const char *)sqlite3_column_text(st, 2);
		const char *cas = (const char *)sqlite3_column_text(st, 3);

		if (add_hit(S, sqlite3_column_int64(st, 1), VIC_AGENCY_VICTIM, &rec, 1,
			    "%s person record %s%s%s is filed with status 'victim'", sqlite3_column_text(st, 4),
			    ext ? ext : "", cas ? " of case " : "", cas ? cas : "")) {
			sqlite3_finalize(st);
			return ws->err.code;
		}
	}
	return step_done(ws, st, rc, "reading agency person records");
}

/* ---- encounter rules ---- */

/* Age in whole years at time t of someone born on "YYYY-MM-DD", or -1. */
static int age_at(const char *dob, int64_t t)
{
	int64_t born;
	int y1, y2;
	unsigned m1, d1, m2, d2;

	if (!dob || parse_timestamp(dob, strlen(dob), &born))
		return -1;
	civil_from_days(born >= 0 ? born / 86400 : (born - 86399) / 86400, &y1, &m1, &d1);
	civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y2, &m2, &d2);
	return y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
}

/* What each screening-answer rule (and the same code read from a note) says. */
static const char *const enc_what[VIC_CODE_N] = {
	[VIC_DOCS_HELD] = "someone else holds their passport or ID",
	[VIC_DEBT] = "owes a debt to an employer, recruiter or smuggler",
	[VIC_NOT_FREE] = "not free to leave the job or place",
	[VIC_THREATS] = "they or their family were threatened",
	[VIC_NO_ADDRESS] = "does not know the address where they live or work",
	[VIC_THIRD_PARTY_SPEAKS] = "someone else answered for them",
	[VIC_MINOR] = "may be under 18",
	[VIC_SMUGGLING_DEBT] = "still owes part of a smuggling fee",
	[VIC_WORKS_FOR_HOUSING] = "works to pay for lodging the employer gives",
};

static int col_is(sqlite3_stmt *st, int col, int value)
{
	return sqlite3_column_type(st, col) != SQLITE_NULL && sqlite3_column_int(st, col) == value;
}

/*
 * One indicator read from an encounter's notes: the sentence quotes the
 * words that matched (the raw text, at most 124 bytes, quotes and line
 * breaks replaced) and names the lexicon line.
 */
static int note_hit(struct stage *S, int64_t ent, int64_t rec, const char *where, int code, int shown_as,
		    const char *note, const struct vic_note_result *r, const char *suffix)
{
	size_t a = r->at[code].start, b = r->at[code].end, i, k = 0;
	const char *file = r->at[code].file ? strrchr(r->at[code].file, '/') : NULL;
	char quote[128];

	for (i = a; i < b && k + 4 < sizeof quote; i++) {
		char c = note[i];

		quote[k++] = c == '"' ? '\'' : c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
	}
	if (i < b) {
		/* quote[0..k) is note[a..a+k) byte for byte: cut before the
		 * character whose continuation byte note[a+k] is, then mark the cut */
		while (k > 0 && ((unsigned char)note[a + k] & 0xC0) == 0x80)
			k--;
		quote[k++] = '.';
		quote[k++] = '.';
	}
	quote[k] = '\0';
	S->st->note_indicators++;
	file = file ? file + 1 : r->at[code].file ? r->at[code].file : "";
	return add_hit(S, ent, shown_as, &rec, 1, "%s: officer's note \"%s\": %s%s (%s:%u)", where, quote,
		       shown_as == VIC_WORKS_FOR_HOUSING ? "lives at the workplace or with the employer, or works"
							   " for lodging the employer gives" : enc_what[shown_as],
		       suffix, file, r->at[code].line);
}

/* The debt of one interview: at most one debt indicator, from the answers
 * or the notes.  A smuggling fee still owed stands for a debt in the same
 * interview; a debt owed by someone who paid a smuggler, when the fee
 * question was not answered yes, is read the same way: smuggling fees are
 * commonly part paid, the rest owed on arrival (FIN-2023-Alert001), and
 * that debt calls for immigration relief (T visa) and services for
 * smuggled migrants, not only legal help with a debt. */
static int encounter_debt(struct stage *S, sqlite3_stmt *st, int64_t ent, int64_t rec, const char *where,
			  const char *note, const struct vic_note_result *r, int c_owes, int c_amt, int c_paid,
			  int c_owed)
{
	int smuggled = col_is(st, c_paid, 1);
	char amt[48] = "";

	if (col_is(st, c_owed, 1))
		return 0;  /* the answer's smuggling debt is already a hit */
	if (r->found & (1u << VIC_SMUGGLING_DEBT))
		return note_hit(S, ent, rec, where, VIC_SMUGGLING_DEBT, VIC_SMUGGLING_DEBT, note, r, "");
	if (col_is(st, c_owes, 1)) {
		if (sqlite3_column_type(st, c_amt) != SQLITE_NULL)
			snprintf(amt, sizeof amt, " of %.0f", sqlite3_column_double(st, c_amt));
		return smuggled ? add_hit(S, ent, VIC_SMUGGLING_DEBT, &rec, 1,
					  "%s: paid a smuggler and owes a debt%s (read as the rest of the fee)", where, amt)
				: add_hit(S, ent, VIC_DEBT, &rec, 1,
					  "%s: owes a debt%s to an employer, recruiter or smuggler", where, amt);
	}
	if (r->found & (1u << VIC_DEBT))
		return note_hit(S, ent, rec, where, VIC_DEBT, smuggled ? VIC_SMUGGLING_DEBT : VIC_DEBT, note, r,
				smuggled ? "; paid a smuggler (read as the rest of the fee)" : "");
	return 0;
}

static int encounter_rules(struct stage *S)
{
	/* Column order of the query below. */
	enum { C_ID, C_ENT, C_EXT, C_TS, C_TYPE, C_DOB, C_AGE, C_DOCS, C_OWES, C_DEBT_AMT, C_NOT_FREE,
	       C_THREAT, C_KNOWS, C_THIRD, C_PAID, C_OWED, C_HOUSING, C_NOTES };
	static const struct {
		int col, value, code;
	} rules[] = {
		{ C_DOCS, 1, VIC_DOCS_HELD },
		{ C_NOT_FREE, 1, VIC_NOT_FREE },
		{ C_THREAT, 1, VIC_THREATS },
		{ C_KNOWS, 0, VIC_NO_ADDRESS },
		{ C_THIRD, 1, VIC_THIRD_PARTY_SPEAKS },
		{ C_OWED, 1, VIC_SMUGGLING_DEBT },
		{ C_HOUSING, 1, VIC_WORKS_FOR_HOUSING },
	};
	/* Codes a note may add on its own (the debt codes go through
	 * encounter_debt, the minor through the age). */
	static const int note_codes[] = { VIC_DOCS_HELD, VIC_NOT_FREE, VIC_THREATS, VIC_NO_ADDRESS,
					  VIC_THIRD_PARTY_SPEAKS, VIC_WORKS_FOR_HOUSING };
	rastro_ws *ws = S->ws;
	struct vic_notes *notes = NULL;
	struct rs_err err;
	sqlite3_stmt *st;
	int rc;

	err_clear(&err);
	/* Compiling the lexicon costs a fraction of a second: only when some
	 * encounter has a note. */
	if (ws_prepare(ws, "SELECT 1 FROM encounter WHERE notes IS NOT NULL AND notes <> '' LIMIT 1", &st))
		return ws->err.code;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_error(ws, RASTRO_ERROR, "looking for encounter notes: %s", sqlite3_errmsg(ws->db));
	if (rc == SQLITE_ROW && vic_notes_open(S->cfg, &notes, &err))
		return ws_error(ws, err.code, "%s", err.msg);
	if (ws_prepare(ws, "SELECT e.id, p.entity_id, e.ext_id, e.ts, coalesce(e.type, 'encounter'), e.dob,"
			   " e.age_stated, e.documents_held_by_other, e.owes_debt, e.debt_amount,"
			   " e.not_free_to_leave, e.threatened, e.knows_address, e.third_party_speaks,"
			   " e.paid_smuggling_fee, e.smuggling_fee_owed, e.works_for_housing, e.notes"
			   " FROM encounter e JOIN vic_person p ON p.record_id = e.id ORDER BY e.id", &st)) {
		vic_notes_free(notes);
		return ws->err.code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rec = sqlite3_column_int64(st, C_ID), ent = sqlite3_column_int64(st, C_ENT);
		int64_t ts = sqlite3_column_int64(st, C_TS);
		const char *ext = (const char *)sqlite3_column_text(st, C_EXT);
		const char *type = (const char *)sqlite3_column_text(st, C_TYPE);
		const char *note = (const char *)sqlite3_column_text(st, C_NOTES);
		struct vic_note_result nr;
		char day[16], where[160];
		uint32_t answered = 0;
		size_t i;
		int age = -1;

		S->st->encounters++;
		format_date(ts, day);
		snprintf(where, sizeof where, "%s encounter %s on %s", type, ext, day);
		memset(&nr, 0, sizeof nr);
		if (notes && note && note[0]) {
			int src = vic_notes_scan(notes, note, (size_t)sqlite3_column_bytes(st, C_NOTES), &nr);

			if (src) {
				ws_error(ws, src, "reading the notes of encounter %s failed", ext);
				goto fail;
			}
			S->st->notes_read++;
			for (i = 0; i < VIC_CODE_N; i++)
				S->st->notes_negated += (nr.negated >> i) & 1u;
		}
		for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
			if (!col_is(st, rules[i].col, rules[i].value))
				continue;
			answered |= 1u << rules[i].code;
			if (add_hit(S, ent, rules[i].code, &rec, 1, "%s: %s", where, enc_what[rules[i].code]))
				goto fail;
		}
		if (encounter_debt(S, st, ent, rec, where, note, &nr, C_OWES, C_DEBT_AMT, C_PAID, C_OWED))
			goto fail;
		/* A note's indicator is evidence like an answer; an answer that
		 * already gives the code in this interview stands for it. */
		for (i = 0; i < sizeof note_codes / sizeof note_codes[0]; i++)
			if ((nr.found & (1u << note_codes[i])) && !(answered & (1u << note_codes[i])) &&
			    note_hit(S, ent, rec, where, note_codes[i], note_codes[i], note, &nr, ""))
				goto fail;
		if (sqlite3_column_type(st, C_AGE) != SQLITE_NULL)
			age = sqlite3_column_int(st, C_AGE);
		else
			age = age_at((const char *)sqlite3_column_text(st, C_DOB), ts);
		/* An officer who notes that someone looks under 18 writes it knowing
		 * the age they gave: the note counts even beside an adult age. */
		if (age >= 0 && age < 18) {
			if (add_hit(S, ent, VIC_MINOR, &rec, 1, "%s: %s %d years old", where,
				    sqlite3_column_type(st, C_AGE) != SQLITE_NULL ? "said they are" : "born on the stated date, so",
				    age))
				goto fail;
		} else if ((nr.found & (1u << VIC_MINOR)) &&
			   note_hit(S, ent, rec, where, VIC_MINOR, VIC_MINOR, note, &nr, "")) {
			goto fail;
		}
	}
	vic_notes_free(notes);
	return step_done(ws, st, rc, "reading encounter screening answers and notes");
fail:
	vic_notes_free(notes);
	sqlite3_finalize(st);
	return ws->err.code;
}

/* ---- signals of other modules mapped to indicators ---- */

/* Adds the entities a signal's details name as `affected`: entity ids, or
 * account keys as written in the entity table. */
static int signal_affected(struct stage *S, sqlite3_stmt *byacct, json_t *aff, int code, const char *sig,
			   int64_t sid, const int64_t *recs, size_t nrecs, const char *expl)
{
	size_t i;
	json_t *v;

	json_array_foreach(aff, i, v) {
		int64_t ent = 0;

		if (json_is_object(v))
			v = json_object_get(v, "entity") ? json_object_get(v, "entity") : json_object_get(v, "account");
		if (json_is_integer(v)) {
			ent = json_integer_value(v);
		} else if (json_is_string(v)) {
			sqlite3_bind_text(byacct, 1, json_string_value(v), -1, SQLITE_TRANSIENT);
			if (sqlite3_step(byacct) == SQLITE_ROW)
				ent = sqlite3_column_int64(byacct, 0);
			sqlite3_reset(byacct);
		}
		if (ent > 0 && add_hit(S, ent, code, recs, nrecs, "signal %s #%lld: %s", sig, (long long)sid, expl))
			return S->ws->err.code;
	}
	return 0;
}

/*
 * victims.from_signals = ["FIN.PAYROLL_FUNNEL=VIC.WAGES_SWEPT", ...]: each
 * signal of the named code contributes the VIC indicator to every entity in
 * its details' "affected" list (or, without that list, to nobody: a
 * signal's own entity is the suspect, not the victim).
 */
static int signal_rules(struct stage *S)
{
	rastro_ws *ws = S->ws;
	size_t m, nmap = cfg_array_len(S->cfg, "victims.from_signals");
	sqlite3_stmt *sel = NULL, *ev = NULL, *byacct = NULL;
	int rc = 0;

	if (!nmap)
		return 0;
	if (ws_prepare(ws, "SELECT id, details, explanation FROM signal WHERE code = ?1 ORDER BY id", &sel) ||
	    ws_prepare(ws, "SELECT record_id FROM signal_evidence WHERE signal_id = ?1 ORDER BY record_id LIMIT 6",
		       &ev) ||
	    ws_prepare(ws, "SELECT id FROM entity WHERE key = ?1 AND kind IN ('account', 'person', 'phone',"
			   " 'email', 'handle', 'ad', 'image') ORDER BY kind = 'account' DESC, id LIMIT 1", &byacct)) {
		rc = ws->err.code;
		goto out;
	}
	for (m = 0; m < nmap; m++) {
		const char *pair = cfg_array_str(S->cfg, "victims.from_signals", m);
		const char *eq = pair ? strchr(pair, '=') : NULL;
		char sig[64];
		int code, r;

		if (!eq || (size_t)(eq - pair) >= sizeof sig || (code = vic_code_find(eq + 1)) < 0) {
			rc = ws_error(ws, RASTRO_USAGE, "setting victims.from_signals: '%s' is not SIGNAL=VIC.CODE "
				      "with a known VIC code", pair ? pair : "");
			goto out;
		}
		snprintf(sig, sizeof sig, "%.*s", (int)(eq - pair), pair);
		sqlite3_bind_text(sel, 1, sig, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
			int64_t sid = sqlite3_column_int64(sel, 0), recs[HIT_RECORDS] = { 0 };
			const char *details = (const char *)sqlite3_column_text(sel, 1);
			const char *expl = (const char *)sqlite3_column_text(sel, 2);
			json_t *root, *aff;
			size_t nrecs = 0;

			S->from_signal[code] = 1;
			if (!details)
				continue;
			root = json_loads(details, 0, NULL);
			aff = root ? json_object_get(root, "affected") : NULL;
			if (!json_is_array(aff)) {
				json_decref(root);
				continue;
			}
			sqlite3_bind_int64(ev, 1, sid);
			while (sqlite3_step(ev) == SQLITE_ROW && nrecs < HIT_RECORDS)
				recs[nrecs++] = sqlite3_column_int64(ev, 0);
			sqlite3_reset(ev);
			rc = signal_affected(S, byacct, aff, code, sig, sid, recs, nrecs, expl ? expl : "");
			json_decref(root);
			if (rc)
				goto out;
		}
		sqlite3_reset(sel);
		if (r != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "reading signals for victim indicators");
			goto out;
		}
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ev);
	sqlite3_finalize(byacct);
	return rc;
}

/* Whether the built-in finance rule for `code` runs: victims.own_finance_rules
 * = "auto" (only when no mapped signal supplied the code), "always", "never". */
static int own_rule(struct stage *S, int code)
{
	const char *mode = cfg_str(S->cfg, "victims.own_finance_rules", "auto");

	if (strcmp(mode, "always") == 0)
		return 1;
	if (strcmp(mode, "never") == 0)
		return 0;
	return !S->from_signal[code];
}

/* ---- finance rules on kyc and txn ---- */

/* Folded surname key of a holder name: its last word, lower case. */
static void surname_key(const char *name, char *out, size_t outn)
{
	const char *end, *start;
	size_t i, n;

	out[0] = '\0';
	if (!name)
		return;
	end = name + strlen(name);
	while (end > name && (end[-1] == ' ' || end[-1] == ','))
		end--;
	start = end;
	while (start > name && start[-1] != ' ')
		start--;
	n = (size_t)(end - start);
	if (n >= outn)
		n = outn - 1;
	for (i = 0; i < n; i++)
		out[i] = start[i] >= 'A' && start[i] <= 'Z' ? (char)(start[i] + 32) : start[i];
	out[n] = '\0';
}

struct idrow {
	uint32_t key;          /* interned identifier */
	int64_t record, account;
	uint32_t surname;      /* interned surname */
};

static int cmp_idrow(const void *a, const void *b)
{
	const struct idrow *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->account != y->account)
		return x->account < y->account ? -1 : 1;
	return x->record < y->record ? -1 : x->record > y->record;
}

/*
 * VIC.SHARED_CONTROLLER_ID (FIN-2020-A008 behavioural indicators; the
 * generator's and case studies' "victims' accounts carry the controller's
 * phone or address"): one phone, email or street address on the KYC
 * records of several person customers with different surnames.  A very
 * widely shared identifier (a bank branch, a shelter, a company switchboard)
 * is left out by the upper bound.
 */
static int shared_id_rule(struct stage *S)
{
	rastro_ws *ws = S->ws;
	const char *region = cfg_str(S->cfg, "victims.phone_region", "US");
	long long min_acc = cfg_int(S->cfg, "victims.finance.shared_id_min_accounts", 3);
	long long min_sur = cfg_int(S->cfg, "victims.finance.shared_id_min_surnames", 3);
	long long max_acc = cfg_int(S->cfg, "victims.finance.shared_id_max_accounts", 50);
	struct strmap keys, surnames;
	struct vec rows;
	sqlite3_stmt *st;
	size_t i, j;
	int rc;

	strmap_init(&keys);
	strmap_init(&surnames);
	vec_init(&rows, sizeof(struct idrow));
	if (ws_prepare(ws, "SELECT id, account, name, phone, email, address, postcode, city FROM kyc"
			   " WHERE account IS NOT NULL AND (customer_type IS NULL OR customer_type != 'business')"
			   " ORDER BY id", &st)) {
		rc = ws->err.code;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct idrow r;
		char sur[64], k[EMAIL_MAX + 8];
		const char *txt;
		int kinds;

		r.record = sqlite3_column_int64(st, 0);
		r.account = sqlite3_column_int64(st, 1);
		surname_key((const char *)sqlite3_column_text(st, 2), sur, sizeof sur);
		r.surname = strmap_intern(&surnames, sur, strlen(sur), NULL);
		for (kinds = 0; kinds < 3; kinds++) {
			k[0] = '\0';
			if (kinds == 0 && (txt = (const char *)sqlite3_column_text(st, 3))) {
				struct phone p;

				if (!phone_parse(txt, strlen(txt), region, &p))
					snprintf(k, sizeof k, "phone %s", p.e164);
			} else if (kinds == 1 && (txt = (const char *)sqlite3_column_text(st, 4))) {
				char e[EMAIL_MAX];

				if (!email_normalize(txt, strlen(txt), e))
					snprintf(k, sizeof k, "email %s", e);
			} else if (kinds == 2 && (txt = (const char *)sqlite3_column_text(st, 5))) {
				const char *pc = (const char *)sqlite3_column_text(st, 6);
				const char *city = (const char *)sqlite3_column_text(st, 7);
				size_t n = 0;

				/* Letters and digits only, lower case, plus postcode or city. */
				n = (size_t)snprintf(k, sizeof k, "address ");
				for (; *txt && n + 1 < sizeof k; txt++)
					if ((*txt >= '0' && *txt <= '9') || (*txt >= 'a' && *txt <= 'z'))
						k[n++] = *txt;
					else if (*txt >= 'A' && *txt <= 'Z')
						k[n++] = (char)(*txt + 32);
				k[n] = '\0';
				if (n == 8)
					k[0] = '\0';
				else
					snprintf(k + n, sizeof k - n, "|%s", pc ? pc : city ? city : "");
			}
			if (!k[0])
				continue;
			r.key = strmap_intern(&keys, k, strlen(k), NULL);
			if (!r.key || !r.surname || vec_push(&rows, &r)) {
				sqlite3_finalize(st);
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory comparing KYC identifiers");
				goto out;
			}
		}
	}
	if ((rc = step_done(ws, st, rc, "reading KYC identifiers")))
		goto out;
	if (rows.len)
		qsort(rows.data, rows.len, sizeof(struct idrow), cmp_idrow);
	for (i = 0; i < rows.len; i = j) {
		const struct idrow *g = vec_at(&rows, i);
		size_t accounts = 0, nsur = 0, a, b;
		uint32_t seen_sur[64];
		int64_t recs[HIT_RECORDS];
		size_t nrecs = 0;

		for (j = i; j < rows.len && ((struct idrow *)vec_at(&rows, j))->key == g->key; j++) {
			const struct idrow *r = vec_at(&rows, j);
			size_t q;

			if (j == i || r->account != ((struct idrow *)vec_at(&rows, j - 1))->account)
				accounts++;
			for (q = 0; q < nsur && seen_sur[q] != r->surname; q++)
				;
			if (q == nsur && nsur < 64)
				seen_sur[nsur++] = r->surname;
			if (nrecs < HIT_RECORDS)
				recs[nrecs++] = r->record;
		}
		if ((long long)accounts < min_acc || (long long)nsur < min_sur || (long long)accounts > max_acc)
			continue;
		for (a = i; a < j; a = b) {
			const struct idrow *r = vec_at(&rows, a);
			const char *key = strmap_key(&keys, g->key, NULL);
			int64_t own[HIT_RECORDS];
			size_t q, no = 0;

			for (b = a; b < j && ((struct idrow *)vec_at(&rows, b))->account == r->account; b++)
				;
			/* The account's own KYC row first, then the others sharing it. */
			own[no++] = r->record;
			for (q = 0; q < nrecs && no < HIT_RECORDS; q++)
				if (recs[q] != r->record)
					own[no++] = recs[q];
			if (add_hit(S, r->account, VIC_SHARED_CONTROLLER_ID, own, no,
				    "the %s on this account's KYC record is on the accounts of %zu customers "
				    "with %zu different surnames", key, accounts, nsur)) {
				rc = ws->err.code;
				goto out;
			}
		}
	}
	rc = 0;
out:
	vec_release(&rows);
	strmap_release(&keys);
	strmap_release(&surnames);
	return rc;
}

/* A payroll credit and what left the account soon after, per destination. */
struct sweep {
	int64_t worker, dest, credit_rec, out_rec;
	int ok;                    /* the worker counts for this collector */
};

static int cmp_sweep(const void *a, const void *b)
{
	const struct sweep *x = a, *y = b;

	if (x->dest != y->dest)
		return x->dest < y->dest ? -1 : 1;
	if (x->worker != y->worker)
		return x->worker < y->worker ? -1 : 1;
	return x->credit_rec < y->credit_rec ? -1 : x->credit_rec > y->credit_rec;
}

/* Builds "'a', 'b'" from a settings array (or defaults) for an IN list. */
static int sql_list(const struct cfg *cfg, const char *key, const char *const *defaults, struct sbuf *out)
{
	size_t i, n = cfg_has(cfg, key) ? cfg_array_len(cfg, key) : 0;

	if (!cfg_has(cfg, key))
		for (n = 0; defaults[n]; n++)
			;
	if (!n) {
		sbuf_adds(out, "NULL");
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *v = cfg_has(cfg, key) ? cfg_array_str(cfg, key, i) : defaults[i];
		const char *p;

		sbuf_adds(out, i ? ", '" : "'");
		for (p = v ? v : ""; *p; p++) {
			if (*p == '\'')
				sbuf_addc(out, '\'');
			sbuf_addc(out, *p);
		}
		sbuf_addc(out, '\'');
	}
	return sbuf_failed(out) ? -1 : 0;
}

/*
 * VIC.WAGES_SWEPT and VIC.EARNINGS_SWEPT (FIN-2020-A008: exploitative
 * employment, pay moved out immediately; HTCDS method of control
 * "TakesEarnings"): money a person's account receives of which at least
 * `sweep_share` goes, within `sweep_window_hours`, to one other account —
 * again and again (`wages_min_times`, `earnings_min_times`) — where that account collects such
 * sweeps from at least `sweep_min_workers` people and takes at least
 * `sweep_dominant_share` of all the person's account pays out.  Wages are credits whose
 * category is a payroll category; earnings are P2P and cash paid in (what
 * buyers pay a person in commercial sex, tips, day labour).  A collector of
 * very many (`sweep_max_workers`: a money transmitter, a bank) is a service,
 * not a controller; transfers to an account under the same holder name are
 * the person's own savings; money the collector itself sent is not income;
 * rent and remittances home (`sweep_exclude_categories`) are ordinary uses.
 */
static int sweep_rule(struct stage *S, int earnings)
{
	static const char *const def_payroll[] = { "payroll", "wages", "salary", NULL };
	static const char *const def_excl[] = { "remittance", "rent", NULL };
	rastro_ws *ws = S->ws;
	int code = earnings ? VIC_EARNINGS_SWEPT : VIC_WAGES_SWEPT;
	double share = cfg_double(S->cfg, "victims.finance.sweep_share", 0.7);
	double hours = cfg_double(S->cfg, "victims.finance.sweep_window_hours", 72);
	long long min_w = cfg_int(S->cfg, "victims.finance.sweep_min_workers", 2);
	long long max_w = cfg_int(S->cfg, "victims.finance.sweep_max_workers", 25);
	long long min_times = earnings ? cfg_int(S->cfg, "victims.finance.earnings_min_times", 3)
				       : cfg_int(S->cfg, "victims.finance.wages_min_times", 2);
	double dominant = cfg_double(S->cfg, "victims.finance.sweep_dominant_share", 0.5);
	struct sbuf sql = SBUF_INIT;
	struct vec sweeps;
	sqlite3_stmt *st = NULL, *share_st = NULL;
	int64_t cur_credit = 0, cur_worker = 0;
	double cur_amount = 0;
	/* per credit: destinations and the sums they got */
	struct { int64_t dest, first_out; double sum; } dests[32];
	size_t nd = 0, i, j, k;
	int rc;

	vec_init(&sweeps, sizeof(struct sweep));
	sbuf_init(&sql);
	sbuf_adds(&sql, "SELECT c.id, c.dst, c.amount, o.id, o.dst, o.amount FROM txn c"
			" JOIN txn o ON o.src = c.dst AND o.ts >= c.ts AND o.ts <= c.ts + ?1"
			" AND o.dst IS NOT NULL AND o.dst != c.dst AND o.id != c.id"
			" AND (c.src IS NULL OR c.src != o.dst)"
			" AND coalesce(o.category, '') NOT IN (");
	sql_list(S->cfg, "victims.finance.sweep_exclude_categories", def_excl, &sql);
	sbuf_adds(&sql, ") WHERE c.dst IS NOT NULL AND c.amount > 0 AND ");
	if (earnings) {
		sbuf_adds(&sql, "c.channel IN ('p2p', 'cash') AND coalesce(c.category, '') NOT IN (");
		sql_list(S->cfg, "victims.finance.payroll_categories", def_payroll, &sql);
		sbuf_adds(&sql, ") AND NOT EXISTS (SELECT 1 FROM kyc k WHERE k.account = c.dst"
				" AND k.customer_type = 'business')");
	} else {
		sbuf_adds(&sql, "c.category IN (");
		sql_list(S->cfg, "victims.finance.payroll_categories", def_payroll, &sql);
		sbuf_addc(&sql, ')');
	}
	/* Same holder name on both accounts (the KYC name when there is one):
	 * the person moving their own money. */
	sbuf_adds(&sql, " AND NOT EXISTS (SELECT 1 FROM entity w, entity d WHERE w.id = c.dst AND d.id = o.dst"
			" AND lower(coalesce((SELECT name FROM kyc WHERE account = w.id ORDER BY id DESC LIMIT 1), w.label))"
			"   = lower(coalesce((SELECT name FROM kyc WHERE account = d.id ORDER BY id DESC LIMIT 1), d.label)))"
			" ORDER BY c.id, o.dst, o.id");
	if (sbuf_failed(&sql)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if (ws_prepare(ws, sql.buf, &st)) {
		rc = ws->err.code;
		goto out;
	}
	sqlite3_bind_int64(st, 1, (int64_t)(hours * 3600));
	for (;;) {
		int r = sqlite3_step(st);
		int64_t credit = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;

		if (r != SQLITE_ROW && r != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "looking for swept pay");
			goto out;
		}
		if (credit != cur_credit) {
			/* Close the previous credit: which destination took the share? */
			for (i = 0; i < nd; i++) {
				if (cur_amount > 0 && dests[i].sum >= share * cur_amount) {
					struct sweep sw = { cur_worker, dests[i].dest, cur_credit, dests[i].first_out, 0 };

					if (vec_push(&sweeps, &sw)) {
						rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
						goto out;
					}
				}
			}
			nd = 0;
			cur_credit = credit;
			if (r == SQLITE_DONE)
				break;
			cur_worker = sqlite3_column_int64(st, 1);
			cur_amount = sqlite3_column_double(st, 2);
		}
		{
			int64_t dest = sqlite3_column_int64(st, 4);

			for (i = 0; i < nd && dests[i].dest != dest; i++)
				;
			if (i == nd) {
				if (nd == sizeof dests / sizeof dests[0])
					continue;
				dests[nd].dest = dest;
				dests[nd].first_out = sqlite3_column_int64(st, 3);
				dests[nd].sum = 0;
				nd++;
			}
			dests[i].sum += sqlite3_column_double(st, 5);
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "SELECT coalesce(sum(CASE WHEN dst = ?2 THEN amount END), 0) / sum(amount) FROM txn"
			   " WHERE src = ?1 AND amount > 0", &share_st)) {
		rc = ws->err.code;
		goto out;
	}
	if (sweeps.len)
		qsort(sweeps.data, sweeps.len, sizeof(struct sweep), cmp_sweep);
	/* A worker counts for a collector when swept often enough and when that
	 * collector takes most of everything the worker's account pays out (a
	 * controller's own account pays many motels, drivers and landlords;
	 * a victim's pays one controller). */
	for (i = 0; i < sweeps.len; i = k) {
		const struct sweep *w = vec_at(&sweeps, i);
		double dom = 0;

		for (k = i; k < sweeps.len && ((struct sweep *)vec_at(&sweeps, k))->dest == w->dest &&
			    ((struct sweep *)vec_at(&sweeps, k))->worker == w->worker; k++)
			;
		if ((long long)(k - i) >= min_times) {
			sqlite3_bind_int64(share_st, 1, w->worker);
			sqlite3_bind_int64(share_st, 2, w->dest);
			if (sqlite3_step(share_st) == SQLITE_ROW)
				dom = sqlite3_column_double(share_st, 0);
			sqlite3_reset(share_st);
		}
		for (j = i; j < k; j++)
			((struct sweep *)vec_at(&sweeps, j))->ok = (long long)(k - i) >= min_times && dom >= dominant;
	}
	for (i = 0; i < sweeps.len; i = j) {
		const struct sweep *g = vec_at(&sweeps, i);
		long long workers = 0;
		size_t n;

		/* Workers of this collector. */
		for (j = i; j < sweeps.len && ((struct sweep *)vec_at(&sweeps, j))->dest == g->dest; j = k) {
			const struct sweep *w = vec_at(&sweeps, j);

			for (k = j; k < sweeps.len && ((struct sweep *)vec_at(&sweeps, k))->dest == g->dest &&
				    ((struct sweep *)vec_at(&sweeps, k))->worker == w->worker; k++)
				;
			if (w->ok)
				workers++;
		}
		if (workers < min_w || workers > max_w)
			continue;
		/* One hit per such worker, with up to three credit/sweep pairs. */
		for (k = i; k < j; k += n) {
			const struct sweep *w = vec_at(&sweeps, k);
			int64_t recs[HIT_RECORDS];
			size_t nr = 0, q;

			for (n = 0; k + n < j && ((struct sweep *)vec_at(&sweeps, k + n))->worker == w->worker; n++)
				;
			if (!w->ok)
				continue;
			for (q = 0; q < n && nr + 2 <= HIT_RECORDS; q++) {
				const struct sweep *x = vec_at(&sweeps, k + q);

				recs[nr++] = x->credit_rec;
				recs[nr++] = x->out_rec;
			}
			if (add_hit(S, w->worker, code, recs, nr,
				    "%zu %s moved on within %.0f h (at least %.0f%%) to one account that collects "
				    "from %lld people", n, earnings ? "payments received (P2P or cash)" : "payroll credits",
				    hours, share * 100, workers)) {
				rc = ws->err.code;
				goto out;
			}
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(share_st);
	sbuf_release(&sql);
	vec_release(&sweeps);
	return rc;
}

/*
 * VIC.COSTS_PAID_BY_OTHER (FIN-2020-A008: transactions that cover another
 * person's living, transport, medical or phone costs): one payer sending
 * cost payments to the accounts of at least `costs_min_people` people with
 * different surnames (paying for one's own family is ordinary).  Costs paid
 * straight to merchants do not name the person they were for and are the
 * finance detector's business (its signal's `affected` list, when present,
 * is read through victims.from_signals).
 */
static int costs_rule(struct stage *S)
{
	static const char *const def_costs[] = { "lodging", "rent", "phone", "airline", "bus", "rideshare",
						 "grocery", "medical", "travel", "clothing", "food", NULL };
	rastro_ws *ws = S->ws;
	long long min_people = cfg_int(S->cfg, "victims.finance.costs_min_people", 3);
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *st = NULL;
	struct strmap surnames;
	struct { int64_t person, rec; uint32_t sur; } grp[256];
	size_t ng = 0;
	int64_t cur = 0;
	int rc;

	strmap_init(&surnames);
	sbuf_init(&sql);
	sbuf_adds(&sql, "SELECT t.src, t.dst, t.id, d.label, t.category FROM txn t JOIN entity d ON d.id = t.dst"
			" WHERE t.src IS NOT NULL AND t.dst IS NOT NULL AND t.src != t.dst AND t.category IN (");
	sql_list(S->cfg, "victims.finance.cost_categories", def_costs, &sql);
	/* Recipients must be people, not merchants or businesses. */
	sbuf_adds(&sql, ") AND NOT EXISTS (SELECT 1 FROM kyc k WHERE k.account = t.dst AND k.customer_type = 'business')"
			" AND EXISTS (SELECT 1 FROM kyc k WHERE k.account = t.dst)"
			" ORDER BY t.src, t.dst, t.id");
	if (sbuf_failed(&sql)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if (ws_prepare(ws, sql.buf, &st)) {
		rc = ws->err.code;
		goto out;
	}
	for (;;) {
		int r = sqlite3_step(st);
		int64_t payer = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;

		if (r != SQLITE_ROW && r != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "looking for costs paid by another person");
			goto out;
		}
		if (payer != cur) {
			size_t a, b, nsur = 0;
			uint32_t seen[256];

			for (a = 0; a < ng; a++) {
				for (b = 0; b < nsur && seen[b] != grp[a].sur; b++)
					;
				if (b == nsur)
					seen[nsur++] = grp[a].sur;
			}
			if ((long long)ng >= min_people && (long long)nsur >= min_people) {
				for (a = 0; a < ng; a++) {
					int64_t recs[1] = { grp[a].rec };

					if (add_hit(S, grp[a].person, VIC_COSTS_PAID_BY_OTHER, recs, 1,
						    "living or travel costs paid by an account that pays such costs "
						    "for %zu people with %zu different surnames", ng, nsur)) {
						rc = ws->err.code;
						goto out;
					}
				}
			}
			ng = 0;
			cur = payer;
			if (r == SQLITE_DONE)
				break;
		}
		{
			int64_t person = sqlite3_column_int64(st, 1);
			char sur[64];

			if (ng && grp[ng - 1].person == person)
				continue;
			if (ng == sizeof grp / sizeof grp[0])
				continue;
			surname_key((const char *)sqlite3_column_text(st, 3), sur, sizeof sur);
			grp[ng].person = person;
			grp[ng].rec = sqlite3_column_int64(st, 2);
			grp[ng].sur = strmap_intern(&surnames, sur, strlen(sur), NULL);
			if (!grp[ng].sur) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
				goto out;
			}
			ng++;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sbuf_release(&sql);
	strmap_release(&surnames);
	return rc;
}

/* ---- identity links between a person and their accounts ---- */

/* Folded name tokens (case, accents, punctuation), at most 8 of 2+ chars. */
struct tokens {
	char t[8][32];
	int n;
};

static void name_tokens(const char *name, struct tokens *tk)
{
	utf8proc_uint8_t *f = NULL;
	const char *p;

	tk->n = 0;
	if (!name || utf8proc_map((const utf8proc_uint8_t *)name, 0, &f,
				  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
				  UTF8PROC_STRIPMARK) < 0)
		return;
	for (p = (const char *)f; *p && tk->n < 8;) {
		size_t k = 0;

		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80))
			p++;
		while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)) {
			if (k + 1 < sizeof tk->t[0])
				tk->t[tk->n][k++] = *p;
			p++;
		}
		tk->t[tk->n][k] = '\0';
		if (k >= 2)
			tk->n++;
	}
	free(f);   /* utf8proc allocates with malloc */
}

/*
 * Whether two names can be one person's: they share two name words, of
 * which one is the last word of either name or all the words of the
 * shorter name are in the longer; or one word when either name is a single
 * word.  "Leticia González" and "LETICIA MARIA GONZALEZ CONTRERAS" can;
 * "Erick Ordoñez" and "Dolores Moreno López" cannot; nor can "José Luis
 * Rodríguez López" and "José Luis García Castro": compound given names
 * (José Luis, Rosa María, María Guadalupe) are shared by strangers, and a
 * victim's bank record that carries the controller's phone and address must
 * not join the controller's account to the victim on them.  Nicknames fail,
 * which only means a victim's account is not joined to the person (it keeps
 * its own flag).
 */
static int names_compatible(const char *a, const char *b)
{
	struct tokens x, y;
	int i, j, shared = 0, last = 0;

	name_tokens(a, &x);
	name_tokens(b, &y);
	if (!x.n || !y.n)
		return 0;
	for (i = 0; i < x.n; i++)
		for (j = 0; j < y.n; j++)
			if (strcmp(x.t[i], y.t[j]) == 0) {
				shared++;
				last |= i == x.n - 1 || j == y.n - 1;
				break;
			}
	if (x.n == 1 || y.n == 1)
		return shared >= 1;
	return shared >= 2 && (last || shared == (x.n < y.n ? x.n : y.n));
}

/* ---- wages paid into another person's account ---- */

/* A payroll credit that names a payee who cannot be the account's holder. */
struct payee_row {
	char key[256];             /* folded name words, space-separated */
	uint32_t surname;          /* interned last name word */
	int64_t payer;             /* account that paid the first credit */
	int64_t rec[HIT_RECORDS];  /* first credits in their name */
	size_t nrec, ncredits;
};

/* The pooled-pay rule's statements and the account being read. */
struct payee_ctx {
	struct stage *S;
	sqlite3_stmt *ins, *find;  /* create / find a payee's person entity */
	sqlite3_stmt *own;         /* accounts the same payer pays wages into */
	int64_t next;              /* next free entity id */
	int64_t dst;               /* the pooling account */
	char acct[128];            /* and its BANK/NUMBER */
};

static void payee_key(const struct tokens *tk, char *out, size_t outn)
{
	struct sbuf b = SBUF_INIT;
	int i;

	sbuf_init(&b);
	for (i = 0; i < tk->n; i++)
		sbuf_addf(&b, "%s%s", i ? " " : "", tk->t[i]);
	snprintf(out, outn, "%s", sbuf_failed(&b) || !b.buf ? "" : b.buf);
	sbuf_release(&b);
}

/* The provisional person entity of a payee, created when new. */
static int payee_entity(struct payee_ctx *C, const struct payee_row *p, int64_t *out)
{
	char key[384], label[192];

	snprintf(key, sizeof key, "prov:payee:%s:%s", C->acct, p->key);
	/* No name in the label: names stay with victim-services roles. */
	snprintf(label, sizeof label, "person paid wages into account %s", C->acct);
	*out = 0;
	sqlite3_bind_int64(C->ins, 1, C->next);
	sqlite3_bind_text(C->ins, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(C->ins, 3, label, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(C->ins, 4, p->rec[0]);
	if (sqlite3_step(C->ins) != SQLITE_DONE)
		return ws_sqlerr(C->S->ws, "creating a person entity for a payee");
	sqlite3_reset(C->ins);
	if (sqlite3_changes(C->S->ws->db)) {
		*out = C->next++;
		C->S->st->persons_new++;
		return 0;
	}
	sqlite3_bind_text(C->find, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(C->find) == SQLITE_ROW)
		*out = sqlite3_column_int64(C->find, 0);
	sqlite3_reset(C->find);
	return *out ? 0 : ws_error(C->S->ws, RASTRO_ERROR, "no person entity for payee key '%s'", key);
}

/*
 * Whether every word of the shorter name is in the longer, which has at
 * least two: "ELENA RUIZ" is within "Elena Ruiz Paz".  Stricter than
 * names_compatible, whose two shared words join "Rosa María López" and
 * "Rosa María Rodríguez" (two workers of one crew).
 */
static int name_within(const char *a, const char *b)
{
	struct tokens x, y;
	const struct tokens *s, *l;
	int i, j;

	name_tokens(a, &x);
	name_tokens(b, &y);
	s = x.n <= y.n ? &x : &y;
	l = s == &x ? &y : &x;
	if (s->n < 2)
		return 0;
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < l->n && strcmp(s->t[i], l->t[j]) != 0; j++)
			;
		if (j == l->n)
			return 0;
	}
	return 1;
}

/*
 * A worker paid partly into the pooling account and partly into an account
 * of their own: the same payer pays wages into an account whose holder's
 * name is within the worker's (or the worker's within it).  That account is
 * the same person (one victim, not two), joined as records an agency files
 * under one person are.
 */
static int payee_own_accounts(struct payee_ctx *C, const struct payee_row *p, int64_t ent)
{
	int rc;

	sqlite3_bind_int64(C->own, 1, p->payer);
	sqlite3_bind_int64(C->own, 2, C->dst);
	while ((rc = sqlite3_step(C->own)) == SQLITE_ROW) {
		int64_t acct = sqlite3_column_int64(C->own, 0);
		const char *holder = (const char *)sqlite3_column_text(C->own, 1);

		if (holder && name_within(holder, p->key) &&
		    (vec_push(&C->S->same, &ent) || vec_push(&C->S->same, &acct))) {
			sqlite3_reset(C->own);
			return ws_error(C->S->ws, RASTRO_NOMEM, "out of memory");
		}
	}
	sqlite3_reset(C->own);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(C->S->ws, "looking for a payee's own account");
}

/* Flags the payees of one account when they are several unrelated workers. */
static int payee_flush(struct payee_ctx *C, struct payee_row *p, size_t n)
{
	struct stage *S = C->S;
	long long min_payees = cfg_int(S->cfg, "victims.finance.pooled_pay_min_payees", 3);
	long long min_sur = cfg_int(S->cfg, "victims.finance.pooled_pay_min_surnames", 3);
	long long max_payees = cfg_int(S->cfg, "victims.finance.pooled_pay_max_payees", 50);
	size_t i, j, nsur = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && p[j].surname != p[i].surname; j++)
			;
		nsur += j == i;
	}
	if ((long long)n < min_payees || (long long)nsur < min_sur || (long long)n > max_payees)
		return 0;
	for (i = 0; i < n; i++) {
		int64_t ent;
		int rc = payee_entity(C, &p[i], &ent);

		if (!rc && p[i].payer)
			rc = payee_own_accounts(C, &p[i], ent);
		if (rc)
			return rc;
		if (add_hit(S, ent, VIC_PAY_TO_OTHER, p[i].rec, p[i].nrec,
			    "%zu payroll credit%s in their name paid into account %s, which another person holds "
			    "and which receives the pay of %zu workers with %zu different surnames",
			    p[i].ncredits, p[i].ncredits == 1 ? "" : "s", C->acct, n, nsur))
			return S->ws->err.code;
	}
	return 0;
}

/* The row's payee, found or added (NULL: skipped, or out of memory in *rc). */
static struct payee_row *payee_row_of(struct vec *rows, struct strmap *surnames, const struct tokens *tk,
				      int *rc)
{
	struct payee_row *p;
	char key[256];
	size_t i;

	payee_key(tk, key, sizeof key);
	for (i = 0; i < rows->len; i++) {
		p = vec_at(rows, i);
		if (strcmp(p->key, key) == 0)
			return p;
	}
	if (rows->len >= 4096)
		return NULL;   /* far past pooled_pay_max_payees: a service, never flagged */
	p = vec_grow(rows, 1);
	if (!p) {
		*rc = RASTRO_NOMEM;
		return NULL;
	}
	memset(p, 0, sizeof *p);
	snprintf(p->key, sizeof p->key, "%s", key);
	p->surname = strmap_intern(surnames, tk->t[tk->n - 1], strlen(tk->t[tk->n - 1]), NULL);
	if (!p->surname)
		*rc = RASTRO_NOMEM;
	return p->surname ? p : NULL;
}

/*
 * VIC.PAY_TO_OTHER (FIN-2020-A008 typology "exploitative employment":
 * several employees' pay into one account; Polaris: not in control of their
 * own money or bank account): payroll credits that name a worker as payee
 * are paid into a person's account whose holder's name cannot be the
 * worker's, and that account receives the pay of at least
 * pooled_pay_min_payees workers with pooled_pay_min_surnames different
 * surnames (a family's shared account has few surnames).  Each worker gets
 * a provisional person entity keyed by the account and their folded name:
 * the worker may hold no account and appear in no other record.
 */
static int pooled_pay_rule(struct stage *S)
{
	static const char *const def_payroll[] = { "payroll", "wages", "salary", NULL };
	rastro_ws *ws = S->ws;
	struct payee_ctx C;
	struct sbuf sql = SBUF_INIT, own = SBUF_INIT;
	struct strmap surnames;
	struct vec rows;           /* struct payee_row of the current account */
	sqlite3_stmt *st = NULL;
	int rc;

	memset(&C, 0, sizeof C);
	C.S = S;
	strmap_init(&surnames);
	vec_init(&rows, sizeof(struct payee_row));
	sbuf_init(&sql);
	sbuf_init(&own);
	/* NOT INDEXED: one sequential pass and a sort of the few payroll rows
	 * beats walking every transaction in txn_dst_ts order (0.22 -> 0.10 s
	 * CPU on 511,000 transactions). */
	sbuf_adds(&sql, "SELECT t.dst, t.id, t.to_name, (SELECT k.name FROM kyc k WHERE k.account = t.dst ORDER BY k.id"
			" LIMIT 1), coalesce(a.bank, '') || '/' || a.number, t.src FROM txn t NOT INDEXED"
			" JOIN account a ON a.entity_id = t.dst WHERE t.to_name IS NOT NULL AND t.category IN (");
	sql_list(S->cfg, "victims.finance.payroll_categories", def_payroll, &sql);
	/* The holder must be a person known from KYC: a business account that
	 * receives staff pay is a payroll service, and without KYC there is no
	 * holder name to compare. */
	sbuf_adds(&sql, ") AND EXISTS (SELECT 1 FROM kyc k WHERE k.account = t.dst)"
			" AND NOT EXISTS (SELECT 1 FROM kyc k WHERE k.account = t.dst AND k.customer_type = 'business')"
			" ORDER BY t.dst, t.id");
	sbuf_adds(&own, "SELECT DISTINCT t.dst, (SELECT k.name FROM kyc k WHERE k.account = t.dst ORDER BY k.id LIMIT 1)"
			" FROM txn t WHERE t.src = ?1 AND t.dst != ?2 AND t.category IN (");
	sql_list(S->cfg, "victims.finance.payroll_categories", def_payroll, &own);
	sbuf_adds(&own, ") ORDER BY 1");
	if (sbuf_failed(&sql) || sbuf_failed(&own)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if (ws_next_entity_id(ws, &C.next) || ws_prepare(ws, sql.buf, &st) || ws_prepare(ws, own.buf, &C.own) ||
	    ws_prepare(ws, "INSERT INTO entity(id, kind, key, label, first_record) VALUES(?1, 'person', ?2, ?3, ?4)"
			   " ON CONFLICT(kind, key) DO NOTHING", &C.ins) ||
	    ws_prepare(ws, "SELECT id FROM entity WHERE kind = 'person' AND key = ?1", &C.find)) {
		rc = ws->err.code;
		goto out;
	}
	for (;;) {
		int r = sqlite3_step(st);
		int64_t dst = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
		const char *payee, *holder;
		struct payee_row *p;
		struct tokens tk;

		if (r != SQLITE_ROW && r != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "looking for wages paid into another person's account");
			goto out;
		}
		if (dst != C.dst) {
			if (C.dst && (rc = payee_flush(&C, rows.data, rows.len)))
				goto out;
			vec_clear(&rows);
			C.dst = dst;
			if (r == SQLITE_DONE)
				break;
			snprintf(C.acct, sizeof C.acct, "%s", (const char *)sqlite3_column_text(st, 4));
		}
		payee = (const char *)sqlite3_column_text(st, 2);
		holder = (const char *)sqlite3_column_text(st, 3);
		if (!holder || !*holder || names_compatible(payee, holder))
			continue;
		name_tokens(payee, &tk);
		if (tk.n < 2)
			continue;   /* one word is not enough to tell workers apart */
		rc = 0;
		p = payee_row_of(&rows, &surnames, &tk, &rc);
		if (rc) {
			rc = ws_error(ws, rc, "out of memory");
			goto out;
		}
		if (!p)
			continue;
		if (!p->nrec)
			p->payer = sqlite3_column_int64(st, 5);
		if (p->nrec < HIT_RECORDS)
			p->rec[p->nrec++] = sqlite3_column_int64(st, 1);
		p->ncredits++;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(C.own);
	sqlite3_finalize(C.ins);
	sqlite3_finalize(C.find);
	sbuf_release(&sql);
	sbuf_release(&own);
	strmap_release(&surnames);
	vec_release(&rows);
	return rc;
}

struct linker {
	sqlite3_stmt *nb;          /* identity-link neighbours of an entity */
	sqlite3_stmt *name;        /* kind and name (KYC holder name for accounts) */
	struct u64map clean;       /* person -> 1 consistent, 2 mixed */
};

static void entity_name(struct linker *L, int64_t id, char *kind, size_t kn, char *name, size_t nn)
{
	kind[0] = name[0] = '\0';
	sqlite3_bind_int64(L->name, 1, id);
	if (sqlite3_step(L->name) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(L->name, 0);
		const char *n = (const char *)sqlite3_column_text(L->name, 1);

		snprintf(kind, kn, "%s", k ? k : "");
		snprintf(name, nn, "%s", n ? n : "");
	}
	sqlite3_reset(L->name);
}

/*
 * A person entity is consistent when every account it holds is in a name
 * compatible with its own.  Resolution can merge the KYC records of several
 * victims whose accounts carry their controller's phone and address; such
 * a mixed entity must not join anyone to a victim, or the controller's own
 * account would be kept out of suspect outputs with them.
 */
static int person_clean(struct linker *L, int64_t p)
{
	char kind[16], name[200], okind[16], oname[200];
	uint64_t v;
	int64_t others[64];
	size_t n = 0, i;
	int clean = 1;

	if (u64map_get(&L->clean, (uint64_t)p, &v))
		return v == 1;
	entity_name(L, p, kind, sizeof kind, name, sizeof name);
	sqlite3_bind_int64(L->nb, 1, p);
	while (sqlite3_step(L->nb) == SQLITE_ROW && n < 64)
		others[n++] = sqlite3_column_int64(L->nb, 0);
	sqlite3_reset(L->nb);
	for (i = 0; i < n && clean; i++) {
		entity_name(L, others[i], okind, sizeof okind, oname, sizeof oname);
		if (strcmp(okind, "account") == 0 && !names_compatible(name, oname))
			clean = 0;
	}
	u64map_put(&L->clean, (uint64_t)p, clean ? 1 : 2);
	return clean;
}

/* Whether entities x and y, linked by an identity edge, are one victim. */
static int link_ok(struct linker *L, int64_t x, int64_t y)
{
	char kx[16], nx[200], ky[16], ny[200];

	entity_name(L, x, kx, sizeof kx, nx, sizeof nx);
	entity_name(L, y, ky, sizeof ky, ny, sizeof ny);
	if (!names_compatible(nx, ny))
		return 0;
	if (strcmp(kx, "person") == 0 && !person_clean(L, x))
		return 0;
	if (strcmp(ky, "person") == 0 && !person_clean(L, y))
		return 0;
	return 1;
}

/* ---- ads: the person shown ---- */

/*
 * The person an escort or massage ad shows is known by the ad's images (the
 * ads module makes each image hash an entity; images of one person repeat
 * across their ads).  Images shown together in one ad are one person.
 *   VIC.AD_YOUTH         an ad of theirs has youth language or a stated
 *                        age under 18 (JRSA/NIJ: youth language is a
 *                        significant predictor of sex trafficking);
 *   VIC.MINOR            ... a stated age under 18;
 *   VIC.AD_THIRD_PERSON  an ad of theirs speaks of them in the third person
 *                        (McGill/Mila labelling functions, weak evidence);
 *   VIC.AD_MULTICITY     their images appear in ads of at least
 *                        `multicity_min` cities (McGill: more than two
 *                        locations; movement of a person, not movement
 *                        language, which JRSA found negative).
 * An image in more than `max_ads_per_image` ads is a stock picture and
 * stands for no one.
 */
struct adrow {
	int64_t image, ad;
	uint32_t city;             /* interned lower-case city, 0 none */
	uint32_t root;             /* the person: union of images shown together */
	uint8_t youth, minor, third;
};

static int cmp_adrow(const void *a, const void *b)
{
	const struct adrow *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	if (x->ad != y->ad)
		return x->ad < y->ad ? -1 : 1;
	return x->image < y->image ? -1 : x->image > y->image;
}

static uint32_t img_find(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static int ads_rules(struct stage *S)
{
	static const char *const def_cats[] = { "escort", "massage", NULL };
	static const char *const def_youth[] = { "AD.YOUTH", "AD.STATED_MINOR", NULL };
	static const char *const def_third[] = { "AD.THIRD_PERSON", NULL };
	rastro_ws *ws = S->ws;
	long long min_cities = cfg_int(S->cfg, "victims.ads.multicity_min", 3);
	long long max_ads = cfg_int(S->cfg, "victims.ads.max_ads_per_image", 100);
	struct sbuf sql = SBUF_INIT, cats = SBUF_INIT;
	sqlite3_stmt *st = NULL, *same = NULL;
	struct vec rows, imgs;     /* struct adrow; int64_t image entity by index */
	struct u64map idx;
	struct strmap cities;
	uint32_t *parent = NULL;
	size_t i, j;
	int rc = 0, r;

	if (!table_exists(ws, "ad_ident") || !table_exists(ws, "ad_indicator"))
		return 0;
	sbuf_init(&sql);
	sbuf_init(&cats);
	vec_init(&rows, sizeof(struct adrow));
	vec_init(&imgs, sizeof(int64_t));
	u64map_init(&idx);
	strmap_init(&cities);
	sql_list(S->cfg, "victims.ads.categories", def_cats, &cats);
	/* Images of escort and massage ads (stock pictures left out), with each
	 * ad's city and which indicator lists it has. */
	sbuf_adds(&sql, "WITH img AS (SELECT entity_id FROM ad_ident WHERE kind = 'image' AND entity_id IS NOT NULL"
			" GROUP BY entity_id HAVING count(DISTINCT ad_id) <= ?1)"
			" SELECT DISTINCT d.entity_id, a.id, coalesce(lower(a.city), ''),"
			" EXISTS (SELECT 1 FROM ad_indicator i WHERE i.ad_id = a.id AND i.code IN (");
	sql_list(S->cfg, "victims.ads.youth_codes", def_youth, &sql);
	sbuf_adds(&sql, ")), EXISTS (SELECT 1 FROM ad_indicator i WHERE i.ad_id = a.id AND i.code = 'AD.STATED_MINOR'),"
			" EXISTS (SELECT 1 FROM ad_indicator i WHERE i.ad_id = a.id AND i.code IN (");
	sql_list(S->cfg, "victims.ads.third_person_codes", def_third, &sql);
	sbuf_addf(&sql, ")) FROM ad_ident d JOIN ad a ON a.id = d.ad_id JOIN img ON img.entity_id = d.entity_id"
			" WHERE d.kind = 'image' AND lower(coalesce(a.category, '')) IN (%s) ORDER BY 1, 2", cats.buf);
	if (sbuf_failed(&sql) || sbuf_failed(&cats))
		goto oom;
	if (ws_prepare(ws, sql.buf, &st)) {
		rc = ws->err.code;
		goto out;
	}
	sqlite3_bind_int64(st, 1, max_ads);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct adrow *a = vec_grow(&rows, 1);
		const char *city = (const char *)sqlite3_column_text(st, 2);
		uint64_t *slot;
		int created;

		if (!a)
			goto oom;
		a->image = sqlite3_column_int64(st, 0);
		a->ad = sqlite3_column_int64(st, 1);
		a->city = city && *city ? strmap_intern(&cities, city, strlen(city), NULL) : 0;
		a->youth = (uint8_t)sqlite3_column_int(st, 3);
		a->minor = (uint8_t)sqlite3_column_int(st, 4);
		a->third = (uint8_t)sqlite3_column_int(st, 5);
		slot = u64map_ref(&idx, (uint64_t)a->image, &created);
		if (!slot || (city && *city && !a->city))
			goto oom;
		if (created) {
			*slot = imgs.len;
			if (vec_push(&imgs, &a->image))
				goto oom;
		}
		a->root = (uint32_t)*slot;
	}
	if (r != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading ads");
		goto out;
	}
	/* Images shown together in one of these ads are one person. */
	parent = mem_alloc((imgs.len ? imgs.len : 1) * sizeof *parent);
	if (!parent)
		goto oom;
	for (i = 0; i < imgs.len; i++)
		parent[i] = (uint32_t)i;
	if (ws_prepare(ws, "SELECT DISTINCT x.entity_id, y.entity_id FROM ad_ident x JOIN ad_ident y"
			   " ON y.ad_id = x.ad_id AND y.kind = 'image' AND y.entity_id > x.entity_id"
			   " WHERE x.kind = 'image' AND x.entity_id IS NOT NULL", &same)) {
		rc = ws->err.code;
		goto out;
	}
	while ((r = sqlite3_step(same)) == SQLITE_ROW) {
		uint64_t ia, ib;
		int64_t a = sqlite3_column_int64(same, 0), b = sqlite3_column_int64(same, 1);

		/* only images kept above (escort, massage, not stock) */
		if (!u64map_get(&idx, (uint64_t)a, &ia) || !u64map_get(&idx, (uint64_t)b, &ib))
			continue;
		ia = img_find(parent, (uint32_t)ia);
		ib = img_find(parent, (uint32_t)ib);
		if (ia != ib)
			parent[ia > ib ? ia : ib] = (uint32_t)(ia < ib ? ia : ib);
		if (vec_push(&S->same, &a) || vec_push(&S->same, &b))
			goto oom;
	}
	if (r != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading images shown together");
		goto out;
	}
	for (i = 0; i < rows.len; i++) {
		struct adrow *a = vec_at(&rows, i);

		a->root = img_find(parent, a->root);
	}
	if (rows.len)   /* qsort of NULL, 0 is undefined */
		qsort(rows.data, rows.len, sizeof(struct adrow), cmp_adrow);
	/* One person at a time: the indicators go to the entity of its first image. */
	for (i = 0; i < rows.len; i = j) {
		const struct adrow *g = vec_at(&rows, i);
		int64_t person = *(int64_t *)vec_at(&imgs, g->root);
		int64_t youth[HIT_RECORDS], minor[HIT_RECORDS], third[HIT_RECORDS], moved[HIT_RECORDS];
		size_t ny = 0, nm = 0, nt = 0, nmv = 0, nads = 0, ncity = 0, k;
		uint32_t seen[64];
		char names[3][64] = { "", "", "" };
		int64_t last_ad = 0;

		for (j = i; j < rows.len && ((struct adrow *)vec_at(&rows, j))->root == g->root; j++) {
			const struct adrow *a = vec_at(&rows, j);

			if (a->ad == last_ad)
				continue;   /* one ad, several images of the person */
			last_ad = a->ad;
			nads++;
			if (a->youth && ny < HIT_RECORDS)
				youth[ny++] = a->ad;
			if (a->minor && nm < HIT_RECORDS)
				minor[nm++] = a->ad;
			if (a->third && nt < HIT_RECORDS)
				third[nt++] = a->ad;
			if (a->city) {
				for (k = 0; k < ncity && k < 64 && seen[k] != a->city; k++)
					;
				if (k == ncity) {
					if (ncity < 64)
						seen[ncity] = a->city;
					if (ncity < 3)
						snprintf(names[ncity], sizeof names[0], "%s", strmap_key(&cities, a->city, NULL));
					ncity++;
					if (nmv < HIT_RECORDS)
						moved[nmv++] = a->ad;
				}
			}
		}
		if (ny && add_hit(S, person, VIC_AD_YOUTH, youth, ny, "shown in %zu ad(s), %zu with youth language "
				  "or a stated age under 18", nads, ny))
			goto fail;
		if (nm && add_hit(S, person, VIC_MINOR, minor, nm, "an ad showing them states an age under 18"))
			goto fail;
		if (nt && add_hit(S, person, VIC_AD_THIRD_PERSON, third, nt, "%zu of the %zu ad(s) showing them "
				  "speak of them in the third person", nt, nads))
			goto fail;
		if ((long long)ncity >= min_cities &&
		    add_hit(S, person, VIC_AD_MULTICITY, moved, nmv, "shown in ads of %zu cities (%s, %s, %s%s)", ncity,
			    names[0], names[1], names[2], ncity > 3 ? "..." : ""))
			goto fail;
	}
	rc = 0;
	goto out;
oom:
	rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading ads");
	goto out;
fail:
	rc = ws->err.code;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(same);
	sbuf_release(&sql);
	sbuf_release(&cats);
	vec_release(&rows);
	vec_release(&imgs);
	u64map_release(&idx);
	strmap_release(&cities);
	mem_free(parent);
	return rc;
}

/* ---- grouping and scoring ---- */

struct node {
	int64_t entity;
	uint32_t parent;
	char kind[12];
	const char *via;           /* how it joined its group (static) */
};

static uint32_t uf_find(struct node *n, uint32_t i)
{
	while (n[i].parent != i) {
		n[i].parent = n[n[i].parent].parent;
		i = n[i].parent;
	}
	return i;
}

/* Index of an entity in the node table, added when new; UINT32_MAX on OOM. */
static uint32_t node_of(struct vec *nodes, struct u64map *idx, int64_t entity, const char *via, int *added)
{
	uint64_t *slot;
	int created;
	struct node *n;

	*added = 0;
	slot = u64map_ref(idx, (uint64_t)entity, &created);
	if (!slot)
		return UINT32_MAX;
	if (!created)
		return (uint32_t)*slot;
	n = vec_grow(nodes, 1);
	if (!n)
		return UINT32_MAX;
	n->entity = entity;
	n->parent = (uint32_t)(nodes->len - 1);
	n->via = via;
	*slot = nodes->len - 1;
	*added = 1;
	return (uint32_t)(nodes->len - 1);
}

struct group {
	uint32_t root;
	uint32_t primary;          /* node index of the entity that names the victim */
	double score;
	int minor;
	struct vec hits;           /* indexes into S->hits */
};

static int cmp_hit_for_json(const void *a, const void *b, void *ctx)
{
	const struct hit *h = ctx;
	const struct hit *x = &h[*(const size_t *)a], *y = &h[*(const size_t *)b];

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->rec[0] != y->rec[0])
		return x->rec[0] < y->rec[0] ? -1 : 1;
	return x->entity < y->entity ? -1 : x->entity > y->entity;
}

/* Writes hits, groups and victim_flag. */
static int write_results(struct stage *S)
{
	rastro_ws *ws = S->ws;
	double threshold = cfg_double(S->cfg, "victims.threshold", 1.0);
	double minor_threshold = cfg_double(S->cfg, "victims.minor_threshold", 0.9);
	long long max_degree = cfg_int(S->cfg, "victims.link_max_degree", 10);
	long long depth = cfg_int(S->cfg, "victims.link_depth", 2);
	static const char *const def_links[] = { "holds", NULL };
	struct vec nodes, groups;
	struct u64map idx;
	struct sbuf sql = SBUF_INIT, json = SBUF_INIT;
	sqlite3_stmt *nb = NULL, *kind = NULL, *ins_hit = NULL, *ins_flag = NULL, *ins_grp = NULL;
	struct linker L = { NULL, NULL, { NULL, NULL, 0, 0 } };
	size_t i, frontier_start, frontier_end;
	long long d;
	int rc = 0;

	vec_init(&nodes, sizeof(struct node));
	vec_init(&groups, sizeof(struct group));
	u64map_init(&idx);
	sbuf_init(&sql);
	sbuf_init(&json);

	for (i = 0; i < S->hits.len; i++) {
		int added;

		if (node_of(&nodes, &idx, ((struct hit *)vec_at(&S->hits, i))->entity, "indicator", &added) == UINT32_MAX)
			goto oom;
	}
	/* Entities an agency filed under one person record, and images shown
	 * together in one ad, are one victim. */
	for (i = 0; i + 1 < S->same.len; i += 2) {
		int added;
		uint32_t a = node_of(&nodes, &idx, *(int64_t *)vec_at(&S->same, i), "same person", &added);
		uint32_t b = node_of(&nodes, &idx, *(int64_t *)vec_at(&S->same, i + 1), "same person", &added);
		struct node *n;

		if (a == UINT32_MAX || b == UINT32_MAX)
			goto oom;
		n = nodes.data;
		a = uf_find(n, a);
		b = uf_find(n, b);
		if (a != b)
			n[a > b ? a : b].parent = a < b ? a : b;
	}
	/* Identity links (a person and the accounts they hold; records that are
	 * the same person) join entities into one victim, breadth-first up to
	 * `link_depth` hops, never through a hub. */
	sbuf_adds(&sql, "SELECT dst, type FROM edge WHERE src = ?1 AND type IN (");
	sql_list(S->cfg, "victims.link_edges", def_links, &sql);
	sbuf_adds(&sql, ") UNION SELECT src, type FROM edge WHERE dst = ?1 AND type IN (");
	sql_list(S->cfg, "victims.link_edges", def_links, &sql);
	sbuf_adds(&sql, ") ORDER BY 1");
	if (sbuf_failed(&sql))
		goto oom;
	u64map_init(&L.clean);
	if (ws_prepare(ws, sql.buf, &nb) || ws_prepare(ws, "SELECT kind FROM entity WHERE id = ?1", &kind) ||
	    ws_prepare(ws, sql.buf, &L.nb) ||
	    ws_prepare(ws, "SELECT e.kind, coalesce("
			   " (SELECT k.name FROM kyc k WHERE k.account = e.id ORDER BY k.id DESC LIMIT 1),"
			   " (SELECT nullif(trim(coalesce(n.given_name, '') || ' ' || coalesce(n.surname, '') || ' ' ||"
			   "  coalesce(n.maternal_surname, '')), '') FROM encounter n JOIN vic_person v ON v.record_id = n.id"
			   "  WHERE v.entity_id = e.id ORDER BY n.id DESC LIMIT 1),"
			   " e.label) FROM entity e WHERE e.id = ?1", &L.name)) {
		rc = ws->err.code;
		goto out;
	}
	frontier_start = 0;
	frontier_end = nodes.len;
	for (d = 0; d < depth && frontier_start < frontier_end; d++) {
		for (i = frontier_start; i < frontier_end; i++) {
			int64_t ent = ((struct node *)vec_at(&nodes, i))->entity;
			int64_t nbr[64];
			const char *types[64];
			size_t nn = 0, k;
			int r;

			sqlite3_bind_int64(nb, 1, ent);
			while ((r = sqlite3_step(nb)) == SQLITE_ROW && nn < 64) {
				const char *t = (const char *)sqlite3_column_text(nb, 1);

				nbr[nn] = sqlite3_column_int64(nb, 0);
				types[nn] = arena_strdup(&S->mem, t ? t : "link");
				if (!types[nn++])
					goto oom;
			}
			if (r != SQLITE_ROW && r != SQLITE_DONE) { /* ROW: stopped at 64 */
				rc = ws_sqlerr(ws, "reading an entity's links");
				goto out;
			}
			sqlite3_reset(nb);
			if ((long long)nn > max_degree)
				continue;   /* a hub: following it would merge strangers */
			for (k = 0; k < nn; k++) {
				int added;
				uint32_t a = (uint32_t)i, b;
				struct node *n;

				if (!link_ok(&L, ent, nbr[k]))
					continue;
				b = node_of(&nodes, &idx, nbr[k], types[k], &added);
				if (b == UINT32_MAX)
					goto oom;
				n = nodes.data;
				a = uf_find(n, a);
				b = uf_find(n, b);
				if (a != b)
					n[a > b ? a : b].parent = a < b ? a : b;
			}
		}
		frontier_start = frontier_end;
		frontier_end = nodes.len;
	}
	for (i = 0; i < nodes.len; i++) {
		struct node *n = vec_at(&nodes, i);

		sqlite3_bind_int64(kind, 1, n->entity);
		snprintf(n->kind, sizeof n->kind, "%s",
			 sqlite3_step(kind) == SQLITE_ROW ? (const char *)sqlite3_column_text(kind, 0) : "");
		sqlite3_reset(kind);
	}

	/* Groups: one per root that carries hits. */
	{
		struct u64map gidx;

		u64map_init(&gidx);
		for (i = 0; i < S->hits.len; i++) {
			struct hit *h = vec_at(&S->hits, i);
			uint64_t ni, gi;
			uint32_t root;
			struct group *g;

			u64map_get(&idx, (uint64_t)h->entity, &ni);
			root = uf_find(nodes.data, (uint32_t)ni);
			if (!u64map_get(&gidx, root, &gi)) {
				g = vec_grow(&groups, 1);
				if (!g || u64map_put(&gidx, root, groups.len - 1)) {
					u64map_release(&gidx);
					goto oom;
				}
				g->root = root;
				g->primary = UINT32_MAX;
				vec_init(&g->hits, sizeof(size_t));
				gi = groups.len - 1;
			}
			g = vec_at(&groups, gi);
			if (vec_push(&g->hits, &i)) {
				u64map_release(&gidx);
				goto oom;
			}
		}
		u64map_release(&gidx);
	}

	if (ws_exec(ws, "DELETE FROM victim_flag; DELETE FROM vic_group; DELETE FROM vic_hit;",
		    "clearing earlier victim results") ||
	    ws_prepare(ws, "INSERT INTO vic_hit(entity_id, code, weight, record_id, records, sentence, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &ins_hit) ||
	    ws_prepare(ws, "INSERT INTO victim_flag(entity_id, score, minor, reasons, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5)", &ins_flag) ||
	    ws_prepare(ws, "INSERT INTO vic_group(entity_id, victim, via) VALUES(?1, ?2, ?3)", &ins_grp)) {
		rc = ws->err.code;
		goto out;
	}
	for (i = 0; i < groups.len; i++) {
		struct group *g = vec_at(&groups, i);
		double best[VIC_CODE_N] = { 0 };
		int has[VIC_CODE_N] = { 0 };
		size_t k;

		g->score = 0;
		g->minor = 0;
		if (g->hits.len)
			qsort_r(g->hits.data, g->hits.len, sizeof(size_t), cmp_hit_for_json, S->hits.data);
		for (k = 0; k < g->hits.len; k++) {
			const struct hit *h = vec_at(&S->hits, *(size_t *)vec_at(&g->hits, k));
			double w = vic_weight(S->cfg, h->code);
			struct sbuf recs = SBUF_INIT;
			size_t q;

			has[h->code] = 1;
			if (w > best[h->code])
				best[h->code] = w;
			if (h->code == VIC_MINOR)
				g->minor = 1;
			sbuf_init(&recs);
			sbuf_addc(&recs, '[');
			for (q = 0; q < HIT_RECORDS && h->rec[q]; q++)
				sbuf_addf(&recs, "%s%lld", q ? "," : "", (long long)h->rec[q]);
			sbuf_addc(&recs, ']');
			sqlite3_bind_int64(ins_hit, 1, h->entity);
			sqlite3_bind_text(ins_hit, 2, vic_indicators[h->code].code, -1, SQLITE_STATIC);
			sqlite3_bind_double(ins_hit, 3, w);
			if (h->rec[0])
				sqlite3_bind_int64(ins_hit, 4, h->rec[0]);
			else
				sqlite3_bind_null(ins_hit, 4);
			sqlite3_bind_text(ins_hit, 5, recs.buf, (int)recs.len, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins_hit, 6, h->sentence, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins_hit, 7, ws->run_id);
			rc = sbuf_failed(&recs) ? -1 : sqlite3_step(ins_hit);
			sqlite3_reset(ins_hit);
			sbuf_release(&recs);
			if (rc != SQLITE_DONE) {
				rc = rc < 0 ? ws_error(ws, RASTRO_NOMEM, "out of memory") : ws_sqlerr(ws, "storing indicators");
				goto out;
			}
		}
		for (k = 0; k < VIC_CODE_N; k++)
			if (has[k])
				g->score += best[k];
		if (!(g->score >= threshold - 1e-9 || (g->minor && g->score >= minor_threshold - 1e-9)))
			continue;

		/* The entity that names the victim: a person if the group has one,
		 * else its lowest entity id. */
		{
			size_t q;

			for (q = 0; q < nodes.len; q++) {
				struct node *n = vec_at(&nodes, q);
				struct node *p;

				if (uf_find(nodes.data, (uint32_t)q) != g->root)
					continue;
				if (g->primary == UINT32_MAX) {
					g->primary = (uint32_t)q;
					continue;
				}
				p = vec_at(&nodes, g->primary);
				if ((strcmp(n->kind, "person") == 0) > (strcmp(p->kind, "person") == 0) ||
				    ((strcmp(n->kind, "person") == 0) == (strcmp(p->kind, "person") == 0) &&
				     n->entity < p->entity))
					g->primary = (uint32_t)q;
			}
		}

		/* reasons: [{code, weight, entity, record, records, sentence}] */
		sbuf_clear(&json);
		sbuf_addc(&json, '[');
		for (k = 0; k < g->hits.len; k++) {
			const struct hit *h = vec_at(&S->hits, *(size_t *)vec_at(&g->hits, k));
			size_t q;

			sbuf_addf(&json, "%s{\"code\":\"%s\",\"weight\":%.2f,\"entity\":%lld,\"record\":%lld,\"records\":[",
				  k ? "," : "", vic_indicators[h->code].code, vic_weight(S->cfg, h->code),
				  (long long)h->entity, (long long)h->rec[0]);
			for (q = 0; q < HIT_RECORDS && h->rec[q]; q++)
				sbuf_addf(&json, "%s%lld", q ? "," : "", (long long)h->rec[q]);
			sbuf_adds(&json, "],\"sentence\":\"");
			sbuf_add_json_escaped(&json, h->sentence, strlen(h->sentence));
			sbuf_adds(&json, "\"}");
		}
		sbuf_addc(&json, ']');
		if (sbuf_failed(&json))
			goto oom;
		S->st->victims++;
		if (g->minor)
			S->st->minors++;
		for (k = 0; k < nodes.len; k++) {
			struct node *n = vec_at(&nodes, k);

			if (uf_find(nodes.data, (uint32_t)k) != g->root)
				continue;
			sqlite3_bind_int64(ins_flag, 1, n->entity);
			sqlite3_bind_double(ins_flag, 2, g->score);
			sqlite3_bind_int(ins_flag, 3, g->minor);
			sqlite3_bind_text(ins_flag, 4, json.buf, (int)json.len, SQLITE_STATIC);
			sqlite3_bind_int64(ins_flag, 5, ws->run_id);
			sqlite3_bind_int64(ins_grp, 1, n->entity);
			sqlite3_bind_int64(ins_grp, 2, ((struct node *)vec_at(&nodes, g->primary))->entity);
			sqlite3_bind_text(ins_grp, 3, n->via, -1, SQLITE_STATIC);
			if (sqlite3_step(ins_flag) != SQLITE_DONE || sqlite3_step(ins_grp) != SQLITE_DONE) {
				rc = ws_sqlerr(ws, "writing victim flags");
				goto out;
			}
			sqlite3_reset(ins_flag);
			sqlite3_reset(ins_grp);
			S->st->entities_flagged++;
		}
	}
	rc = 0;
	goto out;
oom:
	rc = ws_error(ws, RASTRO_NOMEM, "out of memory grouping victim indicators");
out:
	sqlite3_finalize(nb);
	sqlite3_finalize(kind);
	sqlite3_finalize(L.nb);
	sqlite3_finalize(L.name);
	u64map_release(&L.clean);
	sqlite3_finalize(ins_hit);
	sqlite3_finalize(ins_flag);
	sqlite3_finalize(ins_grp);
	for (i = 0; i < groups.len; i++)
		vec_release(&((struct group *)vec_at(&groups, i))->hits);
	vec_release(&groups);
	vec_release(&nodes);
	u64map_release(&idx);
	sbuf_release(&sql);
	sbuf_release(&json);
	return rc;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int rastro_victims_run(rastro_ws *ws, struct rastro_victims_stats *stats)
{
	struct rastro_victims_stats local;
	struct stage S;
	double t0 = now_seconds();
	char summary[160];
	int rc;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is open read-only; the victims stage writes "
				"its results", ws->path);
	memset(&S, 0, sizeof S);
	S.ws = ws;
	S.cfg = ws->cfg;
	S.st = stats;
	arena_init(&S.mem, 0);
	vec_init(&S.hits, sizeof(struct hit));
	vec_init(&S.same, sizeof(int64_t));
	ws_now(S.now);
	if (ws_run_begin(ws, "victims", NULL)) {
		rc = ws->err.code;
		goto out;
	}
	if (ws_begin(ws)) {
		rc = ws->err.code;
		ws_run_end(ws, rc, ws->err.msg);
		goto out;
	}
	ws_progress(ws, "victims", 0, 5);
	rc = link_persons(&S);
	if (!rc)
		rc = encounter_rules(&S);
	if (!rc)
		rc = agency_rule(&S);
	ws_progress(ws, "victims", 1, 5);
	if (!rc)
		rc = signal_rules(&S);
	ws_progress(ws, "victims", 2, 5);
	if (!rc && own_rule(&S, VIC_SHARED_CONTROLLER_ID))
		rc = shared_id_rule(&S);
	if (!rc && own_rule(&S, VIC_WAGES_SWEPT))
		rc = sweep_rule(&S, 0);
	if (!rc && own_rule(&S, VIC_EARNINGS_SWEPT))
		rc = sweep_rule(&S, 1);
	if (!rc && own_rule(&S, VIC_COSTS_PAID_BY_OTHER))
		rc = costs_rule(&S);
	if (!rc)
		rc = pooled_pay_rule(&S);
	if (!rc)
		rc = ads_rules(&S);
	ws_progress(ws, "victims", 4, 5);
	if (!rc)
		rc = write_results(&S);
	if (!rc)
		rc = ws_commit(ws);
	if (rc) {
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s", ws->err.msg);
		ws_rollback(ws);
		ws_run_end(ws, rc, msg);
		err_set(&ws->err, rc, "%s", msg);
		goto out;
	}
	ws_progress(ws, "victims", 5, 5);
	stats->seconds = now_seconds() - t0;
	snprintf(summary, sizeof summary, "%llu potential victims (%llu minors), %llu entities flagged, %llu indicators",
		 (unsigned long long)stats->victims, (unsigned long long)stats->minors,
		 (unsigned long long)stats->entities_flagged, (unsigned long long)stats->indicators);
	ws_run_end(ws, 0, summary);
out:
	vec_release(&S.hits);
	vec_release(&S.same);
	arena_release(&S.mem);
	return rc;
}
