/*
 * Unit tests of the victims module: vocabularies, the encounter and
 * providers readers (bad rows quarantined), every indicator rule positive
 * and negative, grouping of a person's entities, the mapping of other
 * modules' signals, provider ranking on a small hand-made directory (order,
 * hard limits, capacity, grid equal to a full scan), referral statuses and
 * the role hook (names for victim services, counts for everyone else).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "rastro.h"
#include "testutil.h"
#include "victims/victims.h"

static const char *data(const char *name)
{
	static char bufs[4][512];
	static int k;
	char *p = bufs[k++ % 4];
	const char *src = getenv("RASTRO_SRC");

	snprintf(p, 512, "%s/tests/data/%s", src ? src : ".", name);
	return p;
}

static long long q1(const char *ws, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open_v2(ws, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("bad test query %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void exec(const char *ws, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(ws, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

static rastro_ws *open_new(const char *name)
{
	rastro_ws *ws;
	const char *p = tu_path(name);
	char wal[300];

	unlink(p);
	snprintf(wal, sizeof wal, "%s-wal", p);
	unlink(wal);
	assert_int_equal(rastro_open(p, RASTRO_OPEN_CREATE, &ws), 0);
	return ws;
}

static void ingest(rastro_ws *ws, const char *file, const char *format)
{
	struct rastro_ingest_opts o = { 0 };
	struct rastro_ingest_stats st;

	o.format = format;
	if (rastro_ingest(ws, data(file), &o, &st))
		fail_msg("ingest %s: %s", file, rastro_errmsg(ws));
}

/* A workspace with the hand-made encounters, KYC, transactions and directory. */
static rastro_ws *world(const char *name)
{
	rastro_ws *ws = open_new(name);

	ingest(ws, "victims_encounters.csv", NULL);
	ingest(ws, "victims_providers.csv", NULL);
	ingest(ws, "victims_kyc.csv", "kyc");
	ingest(ws, "victims_txn.csv", "generic");
	return ws;
}

/* Entity of the provisional person of an encounter id. */
static long long person_of(const char *ws, const char *enc)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT p.entity_id FROM vic_person p JOIN encounter e ON e.id = p.record_id"
		 " WHERE e.ext_id = '%s'", enc);
	return q1(ws, sql);
}

static long long hits(const char *ws, long long entity, const char *code)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM vic_hit WHERE entity_id = %lld AND code = '%s'", entity, code);
	return q1(ws, sql);
}

static long long flagged(const char *ws, long long entity)
{
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM victim_flag WHERE entity_id = %lld", entity);
	return q1(ws, sql);
}

static long long account(const char *ws, const char *number)
{
	char sql[200];

	snprintf(sql, sizeof sql, "SELECT entity_id FROM account WHERE number = '%s'", number);
	return q1(ws, sql);
}

/* ---- vocabularies ---- */

static void vocabularies(void **state)
{
	uint32_t mask;
	char bad[48], lang[32];

	(void)state;
	assert_int_equal(vic_service_parse("Safe House", 10), SVC_SAFE_HOUSE);
	assert_int_equal(vic_service_parse("t-visa", 6), SVC_T_VISA);
	assert_int_equal(vic_service_parse(" mental health ", 15), SVC_MENTAL_HEALTH);
	assert_int_equal(vic_service_parse("massage", 7), -1);
	assert_int_equal(vic_population_parse("LGBTQ+", 6), POP_LGBTQ);
	assert_int_equal(vic_population_parse("labour", 6), POP_LABOR);
	assert_int_equal(vic_services_mask("shelter; legal;;", 16, &mask, bad, sizeof bad), 0);
	assert_int_equal(mask, (1u << SVC_SHELTER) | (1u << SVC_LEGAL));
	assert_int_equal(vic_services_mask("shelter;spa", 11, &mask, bad, sizeof bad), -1);
	assert_string_equal(bad, "spa");
	assert_int_equal(vic_language_norm("Spanish", 7, lang, sizeof lang), 0);
	assert_string_equal(lang, "es");
	assert_int_equal(vic_language_norm("ESPAÑOL", 8, lang, sizeof lang), 0);
	assert_string_equal(lang, "es");
	assert_int_equal(vic_language_norm("K\xe2\x80\x99iche\xe2\x80\x99", 12, lang, sizeof lang), 0);
	assert_string_equal(lang, "k'iche'");
	assert_int_equal(vic_language_norm("Quiche", 6, lang, sizeof lang), 0);
	assert_string_equal(lang, "k'iche'");
	assert_int_equal(vic_language_norm("Mam", 3, lang, sizeof lang), 0);
	assert_string_equal(lang, "mam");
	assert_int_equal(vic_answer("Yes", 3), 1);
	assert_int_equal(vic_answer("sí", 3), 1);
	assert_int_equal(vic_answer("N", 1), 0);
	assert_int_equal(vic_answer("", 0), -1);
	assert_int_equal(vic_answer("maybe", 5), -2);
	assert_int_equal(vic_code_find("VIC.DOCS_HELD"), VIC_DOCS_HELD);
	assert_int_equal(vic_code_find("VIC.NOPE"), -1);
}

/* ---- readers ---- */

static void readers_quarantine_bad_rows(void **state)
{
	rastro_ws *ws = open_new("read.rastro");
	rastro_table *q;
	const char *p = tu_path("read.rastro");
	size_t i;
	static const char *const want[] = {
		"column 'documents_held_by_other': not a screening answer",
		"column 'date': month out of range",
		"column 'lon': missing (lat and lon go together)",
		"column 'lat': missing (distance matching needs coordinates)",
		"column 'services': unknown service 'massage'",
		"column 'populations': unknown population 'elderly'",
		"column 'available': more open slots than capacity",
	};

	(void)state;
	ingest(ws, "victims_encounters.csv", NULL);
	ingest(ws, "victims_providers.csv", NULL);
	assert_int_equal(rastro_quarantine(ws, 0, 0, &q), 0);
	assert_int_equal(rastro_table_nrows(q), 7);
	for (i = 0; i < 7; i++)
		if (!strstr(rastro_table_cell(q, i, 5), want[i]))
			fail_msg("quarantine row %zu: '%s' lacks '%s'", i, rastro_table_cell(q, i, 5), want[i]);
	rastro_table_free(q);
	rastro_close(ws);
	assert_int_equal(q1(p, "SELECT count(*) FROM encounter"), 8);
	assert_int_equal(q1(p, "SELECT count(*) FROM provider"), 7);
	assert_int_equal(q1(p, "SELECT count(*) FROM record WHERE kind = 'encounter'"), 8);
	/* values normalised: language, answers, canonical service names */
	assert_int_equal(q1(p, "SELECT count(*) FROM encounter WHERE ext_id = 'E-1' AND language = 'es'"
			       " AND documents_held_by_other = 1 AND owes_debt IS NULL AND age_stated = 16"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM encounter WHERE ext_id = 'E-5' AND language = 'k''iche'''"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM provider WHERE ext_id = 'P-1'"
			       " AND services = 'shelter;safe_house;mental_health;case_management'"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM provider WHERE ext_id = 'P-6' AND capacity IS NULL"), 1);
	assert_int_equal(q1(p, "SELECT confidential FROM encounter LIMIT 1"), 1);
}

/* ---- indicator rules ---- */

static void encounter_rules(void **state)
{
	rastro_ws *ws = world("enc.rastro");
	struct rastro_victims_stats s;
	const char *p = tu_path("enc.rastro");
	long long e1, e2, e3, e4, e5, e6, e7, e8;

	(void)state;
	assert_int_equal(rastro_victims_run(ws, &s), 0);
	rastro_close(ws);
	e1 = person_of(p, "E-1");
	e2 = person_of(p, "E-2");
	e3 = person_of(p, "E-3");
	e4 = person_of(p, "E-4");
	e5 = person_of(p, "E-5");
	e6 = person_of(p, "E-6");
	e7 = person_of(p, "E-7");
	e8 = person_of(p, "E-8");
	assert_int_equal(s.encounters, 8);
	assert_int_equal(s.persons_new, 7);          /* E-5 and E-6 share person record P-9 */
	assert_int_equal(e5, e6);
	/* E-1: documents held, not free, 16 years old */
	assert_int_equal(hits(p, e1, "VIC.DOCS_HELD"), 1);
	assert_int_equal(hits(p, e1, "VIC.NOT_FREE"), 1);
	assert_int_equal(hits(p, e1, "VIC.MINOR"), 1);
	assert_int_equal(hits(p, e1, "VIC.DEBT"), 0);
	assert_int_equal(q1(p, "SELECT minor FROM victim_flag f JOIN vic_person v ON v.entity_id = f.entity_id"
			       " JOIN encounter e ON e.id = v.record_id WHERE e.ext_id = 'E-1'"), 1);
	/* E-2: a smuggling fee still owed (which stands for the debt of the same
	 * interview) and not knowing the address */
	assert_int_equal(hits(p, e2, "VIC.DEBT"), 0);
	assert_int_equal(hits(p, e2, "VIC.SMUGGLING_DEBT"), 1);
	assert_int_equal(hits(p, e2, "VIC.NO_ADDRESS"), 1);
	assert_true(flagged(p, e2));
	/* E-3: paid the smuggler in full, knows the address: nothing */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN vic_person v ON v.entity_id = h.entity_id"
			       " JOIN encounter e ON e.id = v.record_id WHERE e.ext_id = 'E-3'"), 0);
	assert_false(flagged(p, e3));
	/* E-4: one weak indicator, below the threshold: found, not flagged */
	assert_int_equal(hits(p, e4, "VIC.NO_ADDRESS"), 1);
	assert_false(flagged(p, e4));
	/* E-5 + E-6 (one person): threats, third party, works for housing */
	assert_int_equal(hits(p, e5, "VIC.THREATS"), 1);
	assert_int_equal(hits(p, e5, "VIC.THIRD_PARTY_SPEAKS"), 1);
	assert_int_equal(hits(p, e5, "VIC.WORKS_FOR_HOUSING"), 1);
	assert_true(flagged(p, e5));
	/* E-7: 13 by date of birth but nothing else: a minor alone is not flagged */
	assert_int_equal(hits(p, e7, "VIC.MINOR"), 1);
	assert_false(flagged(p, e7));
	/* E-8: 17 and does not know the address: minors' threshold */
	assert_true(flagged(p, e8));
	/* provisional entities name no one */
	assert_int_equal(q1(p, "SELECT count(*) FROM entity WHERE kind = 'person' AND (label LIKE '%Mar%a%' OR label LIKE '%Tzul%')"), 0);
	/* reasons point to their records */
	assert_int_equal(q1(p, "SELECT count(*) FROM victim_flag f, json_each(f.reasons) j"
			       " JOIN encounter e ON e.id = json_extract(j.value, '$.record') WHERE e.ext_id = 'E-1'"), 3);
	/* running again gives the same result (no duplicate entities) */
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, &s), 0);
	rastro_close(ws);
	assert_int_equal(s.persons_new, 0);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE code = 'VIC.DOCS_HELD'"), 1);
}

static void finance_rules(void **state)
{
	rastro_ws *ws = world("fin.rastro");
	const char *p = tu_path("fin.rastro");
	long long a100, a101, a102, a200, a300, a400, farm;

	(void)state;
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	a100 = account(p, "A-100");
	a101 = account(p, "A-101");
	a102 = account(p, "A-102");
	a200 = account(p, "A-200");
	a300 = account(p, "A-300");
	a400 = account(p, "A-400");
	farm = account(p, "E-900");
	/* three workers: pay swept to one account, controller's phone on their KYC */
	assert_int_equal(hits(p, a100, "VIC.WAGES_SWEPT"), 1);
	assert_int_equal(hits(p, a101, "VIC.WAGES_SWEPT"), 1);
	assert_int_equal(hits(p, a102, "VIC.WAGES_SWEPT"), 1);
	assert_int_equal(hits(p, a102, "VIC.SHARED_CONTROLLER_ID"), 1);  /* "(915) 555-0142" is the same phone */
	assert_true(flagged(p, a100) && flagged(p, a101) && flagged(p, a102));
	/* the controller who collects is no victim; nor the employer */
	assert_false(flagged(p, a200));
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE entity_id IN (SELECT entity_id FROM account"
			       " WHERE number IN ('A-200', 'E-900'))"), 0);
	(void)farm;
	/* a worker moving pay to their own savings, and one remitting home: nothing */
	assert_int_equal(hits(p, a300, "VIC.WAGES_SWEPT"), 0);
	assert_int_equal(hits(p, a400, "VIC.WAGES_SWEPT"), 0);
	/* earnings (buyers' P2P, cash paid in) swept to one collector, again and
	 * again: both people whose money goes there; not the collector */
	assert_int_equal(hits(p, account(p, "A-500"), "VIC.EARNINGS_SWEPT"), 1);
	assert_int_equal(hits(p, account(p, "A-501"), "VIC.EARNINGS_SWEPT"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE entity_id = (SELECT entity_id FROM account"
			       " WHERE number = 'A-600')"), 0);
	/* roommates paying rent to one landlord: rent is an ordinary use of money */
	assert_int_equal(hits(p, account(p, "A-700"), "VIC.EARNINGS_SWEPT"), 0);
	assert_int_equal(hits(p, account(p, "A-701"), "VIC.EARNINGS_SWEPT"), 0);
	/* the evidence names the payroll credit and the sweep */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h, json_each(h.records) j JOIN txn t ON t.id = j.value"
			       " WHERE h.code = 'VIC.WAGES_SWEPT' AND t.ext_id IN ('T1', 'T4')"), 2);
}

static void settings_change_rules(void **state)
{
	rastro_ws *ws = world("set.rastro");
	const char *p = tu_path("set.rastro");

	(void)state;
	/* Only two workers per controller required -> no change; three surnames
	 * required for a shared id: with four required the rule stays silent. */
	assert_int_equal(rastro_config_set(ws, "victims.finance.shared_id_min_surnames=4"), 0);
	assert_int_equal(rastro_config_set(ws, "victims.threshold=2.0"), 0);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE code = 'VIC.SHARED_CONTROLLER_ID'"), 0);
	assert_false(flagged(p, account(p, "A-100")));
	assert_false(flagged(p, person_of(p, "E-2")));     /* 1.4 < 2.0 */
	assert_true(flagged(p, person_of(p, "E-1")));      /* 1.9, a potential minor: minors' threshold */
}

/* VIC.PAY_TO_OTHER: payroll credits naming three unrelated workers paid into
 * a crew leader's account; one of the workers also has an account of her own
 * that the same employer pays; three workers, one of whom shares the
 * holder's compound given name (José Luis).  Not: a father's account that receives his
 * children's pay (one surname), an account with two workers' pay, a
 * payroll service's business account, the holder's own pay. */
static void pooled_pay(void **state)
{
	rastro_ws *ws = open_new("pool.rastro");
	const char *p = tu_path("pool.rastro");
	struct rastro_refer_opts o = { 0 };
	struct rastro_refer_stats rs;
	long long boss, elena_own;

	(void)state;
	ingest(ws, "victims_pool_kyc.csv", "kyc");
	ingest(ws, "victims_pool_txn.csv", "generic");
	ingest(ws, "victims_providers.csv", NULL);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	o.role = "victim_services";
	assert_int_equal(rastro_refer_run(ws, &o, &rs), 0);
	rastro_close(ws);
	boss = account(p, "P-900");
	elena_own = account(p, "P-901");
	/* three workers per pooling account, each a person entity of their own */
	assert_int_equal(q1(p, "SELECT count(DISTINCT entity_id) FROM vic_hit WHERE code = 'VIC.PAY_TO_OTHER'"), 6);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN entity e ON e.id = h.entity_id"
			       " WHERE h.code = 'VIC.PAY_TO_OTHER' AND e.kind = 'person' AND e.key LIKE 'prov:payee:BK2/P-900:%'"), 3);
	/* "Elena Ruiz Paz" and "ELENA RUIZ PAZ" are one worker, with both credits as evidence */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h, json_each(h.records) j JOIN txn t ON t.id = j.value"
			       " WHERE h.code = 'VIC.PAY_TO_OTHER' AND t.ext_id IN ('W1', 'W5')"), 2);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE code = 'VIC.PAY_TO_OTHER'"
			       " AND sentence LIKE '%BK2/P-900, which another person holds and which receives the pay of"
			       " 3 workers with 3 different surnames'"), 3);
	/* flagged on this indicator alone (weight 1.0), and named nowhere in a label */
	assert_int_equal(q1(p, "SELECT count(*) FROM victim_flag f JOIN entity e ON e.id = f.entity_id"
			       " WHERE e.key LIKE 'prov:payee:BK2/P-900:%'"), 3);
	assert_int_equal(q1(p, "SELECT count(*) FROM entity WHERE key LIKE 'prov:payee:%'"
			       " AND (label LIKE '%Elena%' OR label LIKE '%Caal%' OR label LIKE '%Choc%')"), 0);
	/* her own account, paid by the same employer in her name, is the same victim */
	assert_true(flagged(p, elena_own));
	assert_int_equal(q1(p, "SELECT count(DISTINCT g.victim) FROM vic_group g WHERE g.entity_id IN"
			       " (SELECT entity_id FROM account WHERE number = 'P-901') OR g.entity_id IN"
			       " (SELECT id FROM entity WHERE key = 'prov:payee:BK2/P-900:elena ruiz paz')"), 1);
	/* the holder who collects their pay is no victim */
	assert_false(flagged(p, boss));
	assert_int_equal(hits(p, boss, "VIC.PAY_TO_OTHER"), 0);
	/* a family account (one surname), two workers only, a payroll service: nothing */
	assert_int_equal(q1(p, "SELECT count(*) FROM entity WHERE key LIKE 'prov:payee:BK2/P-950:%'"
			       " OR key LIKE 'prov:payee:BK2/P-960:%' OR key LIKE 'prov:payee:BK2/S-990:%'"), 0);
	/* a shared compound given name is not the same person: "José Luis García
	 * Castro" paid into José Luis Rodríguez López's account is a third worker */
	assert_int_equal(q1(p, "SELECT count(*) FROM entity WHERE key LIKE 'prov:payee:BK2/P-970:%'"), 3);
	assert_true(q1(p, "SELECT count(*) FROM entity WHERE key = 'prov:payee:BK2/P-970:jose luis garcia castro'") == 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM victim_flag"), 7);
	/* a worker known only by payroll credits is placed where their pay was
	 * credited (Anthony, TX: its provider is the centre), and referred for
	 * employment and legal help; one with no city on the credits, anywhere */
	assert_true(q1(p, "SELECT count(*) FROM referral r JOIN entity e ON e.id = r.victim"
			  " WHERE e.key = 'prov:payee:BK2/P-900:jorge caal tzul' AND r.rank = 1"
			  " AND r.explanation LIKE '%place known by city only%' AND r.needs LIKE '%employment%'") == 1);
	assert_true(q1(p, "SELECT count(*) FROM referral r JOIN entity e ON e.id = r.victim"
			  " WHERE e.key LIKE 'prov:payee:BK2/P-970:%' AND r.km IS NOT NULL") == 0);
}

/* A debt owed by someone who paid a smuggler is a smuggling debt; the same
 * debt without a smuggler is an ordinary one.  Neither alone is enough. */
static void debt_after_smuggling(void **state)
{
	rastro_ws *ws = world("smug.rastro");
	const char *p = tu_path("smug.rastro");

	(void)state;
	rastro_close(ws);
	exec(p, "UPDATE encounter SET owes_debt = 1, smuggling_fee_owed = NULL WHERE ext_id IN ('E-3', 'E-4')");
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	assert_int_equal(hits(p, person_of(p, "E-3"), "VIC.SMUGGLING_DEBT"), 1);   /* paid a smuggler */
	assert_int_equal(hits(p, person_of(p, "E-3"), "VIC.DEBT"), 0);
	assert_false(flagged(p, person_of(p, "E-3")));
	assert_int_equal(hits(p, person_of(p, "E-4"), "VIC.DEBT"), 1);             /* no smuggler */
	assert_int_equal(hits(p, person_of(p, "E-4"), "VIC.SMUGGLING_DEBT"), 0);
	assert_false(flagged(p, person_of(p, "E-4")));     /* 0.5 + not knowing the address 0.4 < 1.0 */
}

/* Officers' notes: an indicator in a note is evidence like an answer,
 * English and Spanish, accents and case folded, negation-aware. */
static void notes_rules(void **state)
{
	rastro_ws *ws = world("notes.rastro");
	const char *p = tu_path("notes.rastro");
	struct rastro_victims_stats s;

	(void)state;
	rastro_close(ws);
	/* E-4 (one weak answer) + a note of documents held: flagged */
	exec(p, "UPDATE encounter SET notes = 'Says the boss keeps her passport.' WHERE ext_id = 'E-4'");
	/* E-3 (nothing): every indicator denied, in both languages and both
	 * directions (cue before, cue after) */
	exec(p, "UPDATE encounter SET notes = 'Denies that the employer keeps his ID. No tiene deuda. "
		"Threats from the boss: denied' WHERE ext_id = 'E-3'");
	/* E-7 (a minor by date of birth alone): a Spanish note, upper case,
	 * without accents: not free to leave, so a potential minor */
	exec(p, "UPDATE encounter SET notes = 'NO LA DEJAN SALIR' WHERE ext_id = 'E-7'");
	/* E-8: the negation stops at the clause: the documents count */
	exec(p, "UPDATE encounter SET notes = 'no debt, but el patrón le quitó su pasaporte. Sin embargo no la dejan salir'"
		" WHERE ext_id = 'E-8'");
	/* E-2 already answered a smuggling fee owed: the note adds nothing */
	exec(p, "UPDATE encounter SET notes = 'still owes the coyote' WHERE ext_id = 'E-2'");
	/* E-5: a note that merely mentions threats at home, and an interpreter
	 * the person asked for, are not indicators */
	exec(p, "UPDATE encounter SET notes = 'requested interpreter; fled gang violence at home' WHERE ext_id = 'E-5'");
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, &s), 0);
	rastro_close(ws);
	assert_int_equal(hits(p, person_of(p, "E-4"), "VIC.DOCS_HELD"), 1);
	assert_true(flagged(p, person_of(p, "E-4")));
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN encounter e ON e.id = h.record_id"
			       " WHERE e.ext_id = 'E-4' AND h.code = 'VIC.DOCS_HELD'"
			       " AND h.sentence LIKE '%officer''s note \"boss keeps her passport\"%vic_notes.tsv:%'"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN vic_person v ON v.entity_id = h.entity_id"
			       " JOIN encounter e ON e.id = v.record_id WHERE e.ext_id = 'E-3'"), 0);
	assert_true(s.notes_negated >= 3);
	assert_int_equal(hits(p, person_of(p, "E-7"), "VIC.NOT_FREE"), 1);
	assert_int_equal(q1(p, "SELECT minor FROM victim_flag WHERE entity_id = (SELECT p.entity_id FROM vic_person p"
			       " JOIN encounter e ON e.id = p.record_id WHERE e.ext_id = 'E-7')"), 1);
	assert_int_equal(hits(p, person_of(p, "E-8"), "VIC.DOCS_HELD"), 1);
	assert_int_equal(hits(p, person_of(p, "E-8"), "VIC.DEBT"), 0);
	assert_int_equal(hits(p, person_of(p, "E-8"), "VIC.NOT_FREE"), 1);  /* "sin" of "sin embargo" negates nothing */
	assert_int_equal(hits(p, person_of(p, "E-2"), "VIC.SMUGGLING_DEBT"), 1);
	assert_int_equal(hits(p, person_of(p, "E-5"), "VIC.THREATS"), 1);   /* the E-5 answer, not the note */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE sentence LIKE '%officer''s note%'"), 4);
	assert_int_equal(s.notes_read, 7);      /* and the note E-1 came with */
	assert_int_equal(s.note_indicators, 4);

	/* A debt in the note of someone who paid a smuggler is the rest of the
	 * fee, as for the answers; notes can be switched off */
	exec(p, "UPDATE encounter SET notes = 'says she still owes money' WHERE ext_id = 'E-3'");
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	assert_int_equal(hits(p, person_of(p, "E-3"), "VIC.SMUGGLING_DEBT"), 1);
	assert_int_equal(hits(p, person_of(p, "E-3"), "VIC.DEBT"), 0);
	assert_int_equal(rastro_config_set(ws, "victims.notes.enabled=false"), 0);
	assert_int_equal(rastro_victims_run(ws, &s), 0);
	rastro_close(ws);
	assert_int_equal(s.notes_read, 0);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE sentence LIKE '%officer''s note%'"), 0);
	assert_false(flagged(p, person_of(p, "E-4")));
}

/* A notes lexicon with a code that is no indicator is refused with its
 * file and line, before anything is written. */
static void notes_lexicon_checked(void **state)
{
	rastro_ws *ws = world("notes_bad.rastro");
	const char *lex = tu_path("bad_notes.tsv");
	char set[600];
	FILE *f = fopen(lex, "w");

	(void)state;
	assert_non_null(f);
	fputs("# test\nVIC.DOCS_HELD\t0.7\tkeeps her passport\tw\ten\ttest\nVIC.NOPE\t1\tfoo\tw\ten\ttest\n", f);
	fclose(f);
	snprintf(set, sizeof set, "victims.notes.lexicons=[\"%s\"]", lex);
	assert_int_equal(rastro_config_set(ws, set), 0);
	assert_int_not_equal(rastro_victims_run(ws, NULL), 0);
	assert_non_null(strstr(rastro_errmsg(ws), "bad_notes.tsv:3"));
	assert_non_null(strstr(rastro_errmsg(ws), "VIC.NOPE"));
	rastro_close(ws);
}

/* Whether s is valid UTF-8 (enough for the test: lead and continuation
 * bytes in order). */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;

		if (n < 0)
			return 0;
		for (s++; n > 0; n--, s++)
			if ((*s & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

/* A long match is quoted cut on a character boundary, marked "..". */
static void notes_long_quote(void **state)
{
	rastro_ws *ws = world("notes_long.rastro");
	const char *p = tu_path("notes_long.rastro");
	const char *lex = tu_path("long_notes.tsv");
	char set[600], sql[600];
	FILE *f = fopen(lex, "w");
	sqlite3 *db;
	sqlite3_stmt *st;
	int off;

	(void)state;
	assert_non_null(f);
	fputs("VIC.THREATS\t0.7\tamenaz[^.]*\t-\tes\ttest\n", f);
	fclose(f);
	snprintf(set, sizeof set, "victims.notes.lexicons=[\"%s\"]", lex);
	rastro_close(ws);
	for (off = 0; off < 3; off++) {
		/* "é" (2 bytes) and "€" (3 bytes) across the cut, at each offset */
		snprintf(sql, sizeof sql, "UPDATE encounter SET notes = 'amenazada %.*s%s' WHERE ext_id = 'E-4'", off,
			 "xxx", "éé€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€");
		exec(p, sql);
		assert_int_equal(rastro_open(p, 0, &ws), 0);
		assert_int_equal(rastro_config_set(ws, set), 0);  /* for this session */
		assert_int_equal(rastro_victims_run(ws, NULL), 0);
		rastro_close(ws);
		assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT h.sentence FROM vic_hit h JOIN encounter e ON e.id = h.record_id"
						    " WHERE e.ext_id = 'E-4' AND h.code = 'VIC.THREATS'", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_true(utf8_ok(sqlite3_column_text(st, 0)));
		if (!strstr((const char *)sqlite3_column_text(st, 0), "..\": they or their family"))
			fail_msg("not cut: %s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
}

static void signals_and_grouping(void **state)
{
	rastro_ws *ws = world("sig.rastro");
	const char *p = tu_path("sig.rastro");
	long long a300, a100, rosa;
	char sql[512];

	(void)state;
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	a300 = account(p, "A-300");
	a100 = account(p, "A-100");
	rosa = person_of(p, "E-5");
	/* A finance signal naming A-300 as affected; the built-in wages rule
	 * then steps aside (own_finance_rules = auto).  Resolution says the
	 * encounter person E-5 holds account A-100. */
	snprintf(sql, sizeof sql,
		 "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
		 " VALUES('FIN.PAYROLL_FUNNEL', %lld, 1, 'pay of 4 workers into one account',"
		 " '{\"affected\":[%lld, \"BK1/A-400\"]}', 'finance');"
		 "INSERT INTO signal_evidence(signal_id, record_id) SELECT last_insert_rowid(), id FROM txn WHERE ext_id = 'T7';"
		 "INSERT INTO edge(src, dst, type, stage) VALUES(%lld, %lld, 'holds', 'resolve');",
		 account(p, "A-200"), a300, rosa, a100);
	exec(p, sql);
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	assert_int_equal(hits(p, a300, "VIC.WAGES_SWEPT"), 1);
	assert_int_equal(hits(p, account(p, "A-400"), "VIC.WAGES_SWEPT"), 1);
	assert_int_equal(hits(p, a100, "VIC.WAGES_SWEPT"), 0);   /* built-in rule stepped aside */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN txn t ON t.id = h.record_id"
			       " WHERE h.code = 'VIC.WAGES_SWEPT' AND t.ext_id = 'T7'"), 2);
	/* one victim: the person and the account they hold; the person names it */
	assert_true(flagged(p, rosa) && flagged(p, a100));
	snprintf(sql, sizeof sql, "SELECT victim FROM vic_group WHERE entity_id = %lld", a100);
	assert_int_equal(q1(p, sql), rosa);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM vic_group WHERE victim = %lld", rosa);
	assert_int_equal(q1(p, sql), 2);
	snprintf(sql, sizeof sql, "SELECT score FROM victim_flag WHERE entity_id = %lld", a100);
	assert_int_equal(q1(p, sql), 2);  /* 0.7 + 0.5 + 0.5 + 0.4 (shared id) = 2.1 -> 2 as integer */

	/* A person entity holding accounts in unrelated names (resolution merged
	 * victims' KYC records that carry their controller's phone) joins no
	 * one: the controller's account stays out of the victim. */
	snprintf(sql, sizeof sql,
		 "INSERT INTO entity(id, kind, key, label) VALUES(9000, 'person', 'p-mixed', 'rosa tzul');"
		 "INSERT INTO edge(src, dst, type, stage) VALUES(9000, %lld, 'holds', 'resolve');"
		 "INSERT INTO edge(src, dst, type, stage) VALUES(9000, %lld, 'holds', 'resolve');",
		 a100, account(p, "A-200"));
	exec(p, sql);
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	assert_true(flagged(p, a100));
	assert_false(flagged(p, 9000));
	assert_false(flagged(p, account(p, "A-200")));
}

/* ---- matching ---- */

static struct vic_provider prov(double lat, double lon, uint32_t svc, uint32_t pop, int avail, uint32_t lang)
{
	struct vic_provider p;

	memset(&p, 0, sizeof p);
	p.lat = lat;
	p.lon = lon;
	p.services = svc;
	p.populations = pop;
	p.available = avail;
	p.capacity = avail < 0 ? -1 : 20;
	p.lang[0] = lang;
	return p;
}

#define S(x) (1u << SVC_##x)
#define P(x) (1u << POP_##x)

static void matching_order(void **state)
{
	struct vic_provider d[6];
	struct vic_match_cfg mc;
	struct vic_matcher *m;
	struct vic_client c;
	struct vic_rank r[VIC_TOP_MAX];
	int k;

	(void)state;
	vic_match_cfg_load(&mc, NULL);   /* built-in defaults */
	mc.top = 4;
	/* El Paso victim needing shelter + legal, speaks language 7 */
	d[0] = prov(31.76, -106.49, S(SHELTER) | S(LEGAL), P(ADULTS), 5, 7);       /* near, all needs, language */
	d[1] = prov(31.76, -106.49, S(SHELTER), P(ADULTS), 5, 7);                  /* near, half the needs */
	d[2] = prov(32.32, -106.76, S(SHELTER) | S(LEGAL), P(ADULTS), 5, 7);       /* 67 km */
	d[3] = prov(31.77, -106.48, S(SHELTER) | S(LEGAL), P(MINORS), 5, 7);       /* minors only */
	d[4] = prov(31.77, -106.48, S(SHELTER) | S(LEGAL), P(WOMEN), 5, 7);        /* women only */
	d[5] = prov(31.77, -106.48, S(SHELTER) | S(LEGAL), P(ADULTS), 0, 7);       /* full */
	m = vic_matcher_new(d, 6, &mc);
	assert_non_null(m);
	memset(&c, 0, sizeof c);
	c.lat = 31.7619;
	c.lon = -106.4850;
	c.needs = S(SHELTER) | S(LEGAL);
	c.sex = 'M';
	c.lang = 7;
	k = vic_match(m, &c, r);
	assert_int_equal(k, 4);
	assert_int_equal(r[0].provider, 0);
	assert_int_equal(r[1].provider, 2);   /* all needs at 67 km beat half the needs next door */
	assert_int_equal(r[2].provider, 1);
	assert_int_equal(r[3].provider, 5);   /* full: -1 for capacity, still a match */
	/* the parts add up, and each is bounded by its weight */
	assert_true(fabs(r[0].score - (r[0].p_needs + r[0].p_distance + r[0].p_language + r[0].p_population +
				       r[0].p_capacity)) < 1e-9);
	assert_true(fabs(r[0].p_needs - mc.w_needs) < 1e-9);
	assert_true(fabs(r[1].km - 67.3) < 1.0);
	assert_true(r[3].p_capacity < 0);
	/* a minor only goes to the minors' programme; a woman also to the women's one */
	c.minor = 1;
	k = vic_match(m, &c, r);
	assert_int_equal(k, 1);
	assert_int_equal(r[0].provider, 3);
	c.minor = 0;
	c.sex = 'F';
	k = vic_match(m, &c, r);
	assert_int_equal(k, 4);
	assert_int_equal(r[0].provider, 0);
	assert_int_equal(r[1].provider, 4);
	/* taking slots: after five proposals to provider 0 it is full */
	for (k = 0; k < 5; k++)
		vic_match_take(m, 0);
	k = vic_match(m, &c, r);
	assert_int_equal(r[0].provider, 4);
	/* a provider declined before is never proposed again */
	{
		uint32_t ex = 4;

		c.exclude = &ex;
		c.nexclude = 1;
		k = vic_match(m, &c, r);
		assert_int_not_equal(r[0].provider, 4);
		c.exclude = NULL;
		c.nexclude = 0;
	}
	/* nobody offers what is needed: no match */
	c.needs = S(T_VISA);
	assert_int_equal(vic_match(m, &c, r), 0);
	/* no place: ranked without a distance part */
	c.needs = S(SHELTER);
	c.lat = c.lon = NAN;
	k = vic_match(m, &c, r);
	assert_true(k > 0);
	assert_true(isnan(r[0].km));
	assert_true(r[0].p_distance == 0);
	vic_matcher_free(m);
}

static void matching_widens_and_wraps(void **state)
{
	struct vic_provider d[3];
	struct vic_match_cfg mc;
	struct vic_matcher *m;
	struct vic_client c;
	struct vic_rank r[VIC_TOP_MAX];

	(void)state;
	vic_match_cfg_load(&mc, NULL);
	mc.top = 2;
	d[0] = prov(64.0, 179.9, S(SHELTER), 0, 3, 0);      /* across the antimeridian */
	d[1] = prov(64.0, -170.0, S(SHELTER), 0, 3, 0);     /* ~480 km east */
	d[2] = prov(-33.9, 151.2, S(SHELTER), 0, 3, 0);     /* Sydney */
	m = vic_matcher_new(d, 3, &mc);
	assert_non_null(m);
	memset(&c, 0, sizeof c);
	c.lat = 64.0;
	c.lon = -179.9;
	c.needs = S(SHELTER);
	assert_int_equal(vic_match(m, &c, r), 2);
	assert_int_equal(r[0].provider, 0);
	assert_true(r[0].km < 15);
	assert_int_equal(r[1].provider, 1);
	assert_true(r[1].widened);
	assert_true(r[1].p_distance == 0);
	vic_matcher_free(m);
	/* great-circle distance: El Paso to Houston about 1,080 km */
	assert_true(fabs(vic_km(31.7619, -106.4850, 29.7604, -95.3698) - 1080) < 10);
}

static void matching_complements(void **state)
{
	struct vic_provider d[3];
	struct vic_match_cfg mc;
	struct vic_matcher *m;
	struct vic_client c;
	struct vic_rank r[VIC_TOP_MAX];
	int mode;

	(void)state;
	vic_match_cfg_load(&mc, NULL);
	d[0] = prov(31.760, -106.490, S(SHELTER) | S(LEGAL), 0, 5, 0);
	d[1] = prov(31.770, -106.490, S(SHELTER) | S(LEGAL), 0, 5, 0);
	d[2] = prov(31.800, -106.490, S(MENTAL_HEALTH), 0, 5, 0);
	memset(&c, 0, sizeof c);
	c.lat = 31.76;
	c.lon = -106.49;
	c.needs = S(SHELTER) | S(LEGAL) | S(MENTAL_HEALTH);
	for (mode = 0; mode < 2; mode++) {
		mc.complementary = mode;
		m = vic_matcher_new(d, 3, &mc);
		assert_non_null(m);
		assert_int_equal(vic_match(m, &c, r), 3);
		assert_int_equal(r[0].provider, 0);
		/* complementary: counselling next, it covers what the first leaves open */
		assert_int_equal(r[1].provider, mode ? 2 : 1);
		assert_int_equal(r[2].provider, mode ? 1 : 2);
		if (mode) {
			assert_int_equal(r[1].wanted, S(MENTAL_HEALTH));
			assert_true(fabs(r[1].p_needs - mc.w_needs) < 1e-9);
			/* everything covered: the third is scored on all needs again */
			assert_int_equal(r[2].wanted, c.needs);
		}
		vic_matcher_free(m);
	}
}

/* The grid must give exactly what a scan of the whole directory gives. */
static void grid_equals_full_scan(void **state)
{
	enum { NP = 4000, NC = 400 };
	struct vic_provider *d = calloc(NP, sizeof *d);
	struct vic_match_cfg mc, mc2;
	struct vic_matcher *g, *s;
	struct rng rng;
	int i, mode;

	(void)state;
	assert_non_null(d);
	rng_seed(&rng, 42);
	for (mode = 0; mode < 2; mode++) {
		vic_match_cfg_load(&mc, NULL);
		mc.complementary = mode;   /* both the pruned single pass and the greedy picks */
		mc2 = mc;
		mc2.use_grid = 0;
		for (i = 0; i < NP; i++) {
			d[i] = prov(rng_uniform(&rng) * 150 - 70, rng_uniform(&rng) * 360 - 180,
				    (uint32_t)rng_below(&rng, 1u << SVC_N) | 1, (uint32_t)rng_below(&rng, 1u << POP_N),
				    (int)rng_below(&rng, 6) - 1, (uint32_t)rng_below(&rng, 4));
			/* dense clusters too, near the poles and the antimeridian */
			if (i % 4 == 0) {
				d[i].lat = 60 + rng_uniform(&rng) * 25;
				d[i].lon = rng_chance(&rng, 0.5) ? 179 + rng_uniform(&rng) : -180 + rng_uniform(&rng);
			}
		}
		g = vic_matcher_new(d, NP, &mc);
		s = vic_matcher_new(d, NP, &mc2);
		assert_non_null(g);
		assert_non_null(s);
		for (i = 0; i < NC; i++) {
			struct vic_client c;
			struct vic_rank a[VIC_TOP_MAX], b[VIC_TOP_MAX];
			int ka, kb, j;

			memset(&c, 0, sizeof c);
			c.lat = i % 4 == 0 ? 60 + rng_uniform(&rng) * 25 : rng_uniform(&rng) * 150 - 70;
			c.lon = i % 4 == 0 ? 179.5 : rng_uniform(&rng) * 360 - 180;
			c.needs = (uint32_t)rng_below(&rng, 1u << SVC_N) | 1;
			c.prefer = (uint32_t)rng_below(&rng, 1u << POP_N) & ~(P(ADULTS) | P(MINORS));
			c.minor = rng_chance(&rng, 0.2);
			c.sex = "MFX"[rng_below(&rng, 3)];
			c.lang = (uint32_t)rng_below(&rng, 4);
			ka = vic_match(g, &c, a);
			kb = vic_match(s, &c, b);
			assert_int_equal(ka, kb);
			for (j = 0; j < ka; j++) {
				assert_int_equal(a[j].provider, b[j].provider);
				assert_true(a[j].score == b[j].score);
			}
		}
		vic_matcher_free(g);
		vic_matcher_free(s);
	}
	free(d);
}

static void matcher_survives_allocation_failures(void **state)
{
	struct vic_provider d[50];
	struct vic_match_cfg mc;
	long n;
	int i;

	(void)state;
	vic_match_cfg_load(&mc, NULL);
	for (i = 0; i < 50; i++)
		d[i] = prov(30 + i * 0.1, -100 + i * 0.1, S(SHELTER), 0, 1, 0);
	for (n = 0; n < 40; n++) {
		struct vic_matcher *m;

		mem_fail_after(n);
		m = vic_matcher_new(d, 50, &mc);
		mem_fail_after(-1);
		if (m) {
			vic_matcher_free(m);
			break;
		}
	}
	assert_true(n < 40);
}

/* ---- referrals and roles ---- */

static void referrals_and_statuses(void **state)
{
	rastro_ws *ws = world("ref.rastro");
	const char *p = tu_path("ref.rastro");
	struct rastro_refer_opts o = { 0 };
	struct rastro_refer_stats s;
	rastro_table *t;
	long long minor, ref, e2;
	int full;
	char sql[256];

	(void)state;
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	/* analysts may not refer; they see counts */
	assert_int_equal(rastro_refer_run(ws, &o, &s), RASTRO_DENIED);
	assert_non_null(strstr(rastro_errmsg(ws), "victim-services roles"));
	o.role = "victim_services";
	assert_int_equal(rastro_refer_run(ws, &o, &s), 0);
	assert_int_equal(s.victims, 7);
	assert_int_equal(s.unmatched, 0);
	assert_true(s.proposed >= 7);
	/* the minor from E-1 (El Paso, needs shelter/safe house) goes first to the
	 * El Paso shelter that serves minors and speaks Spanish */
	minor = person_of(p, "E-1");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE victim = %lld AND rank = 1 AND provider = 'P-1'",
		 minor);
	assert_int_equal(q1(p, sql), 1);
	/* no minor is ever proposed to a programme for adults only */
	assert_int_equal(q1(p, "SELECT count(*) FROM referral r JOIN victim_flag f ON f.entity_id = r.victim"
			       " JOIN provider pr ON pr.id = r.provider_record WHERE f.minor = 1"
			       " AND (pr.populations_mask & 2) = 0"), 0);
	/* the smuggling debtor goes first to legal aid */
	e2 = person_of(p, "E-2");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE victim = %lld AND rank = 1 AND provider = 'P-2'",
		 e2);
	assert_int_equal(q1(p, sql), 1);
	/* lists: full for services, counts for others */
	assert_int_equal(rastro_referrals(ws, "victim_services", 0, &t, &full), 0);
	assert_true(full);
	assert_true(rastro_table_nrows(t) >= 7);
	assert_non_null(strstr(rastro_table_cell(t, 0, 10), "needs"));
	rastro_table_free(t);
	assert_int_equal(rastro_referrals(ws, "analyst", 0, &t, &full), 0);
	assert_false(full);
	assert_int_equal(rastro_table_nrows(t), 4);
	rastro_table_free(t);
	/* statuses */
	snprintf(sql, sizeof sql, "SELECT id FROM referral WHERE victim = %lld AND rank = 1", e2);
	ref = q1(p, sql);
	assert_int_equal(rastro_referral_set_status(ws, "analyst", ref, "made", NULL), RASTRO_DENIED);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "accepted", NULL), RASTRO_USAGE);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "bogus", NULL), RASTRO_USAGE);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", 99999, "made", NULL), RASTRO_NOTFOUND);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "made", "called intake"), 0);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "accepted", NULL), 0);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "declined", NULL), RASTRO_USAGE);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral_event WHERE referral_id = %lld", ref);
	assert_int_equal(q1(p, sql), 3);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral_event WHERE referral_id = %lld AND note = 'called intake'"
		 " AND role = 'victim_services' AND at LIKE '20%%Z'", ref);
	assert_int_equal(q1(p, sql), 1);
	/* decline the minor's first proposal: the next run never proposes it again,
	 * and a served victim (E-2, accepted) is left alone */
	snprintf(sql, sizeof sql, "SELECT id FROM referral WHERE victim = %lld AND rank = 1", minor);
	ref = q1(p, sql);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "declined", "victim chose another"), 0);
	assert_int_equal(rastro_refer_run(ws, &o, &s), 0);
	assert_int_equal(s.skipped, 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE victim = %lld AND provider = 'P-1'", minor);
	assert_int_equal(q1(p, sql), 1);   /* only the declined one */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE victim = %lld AND status = 'proposed' AND rank = 1",
		 minor);
	assert_int_equal(q1(p, sql), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM referral WHERE victim = %lld", e2);
	assert_true(q1(p, sql) >= 1);
	rastro_close(ws);
}

static void resolution_and_agency_records(void **state)
{
	rastro_ws *ws = world("res.rastro");
	const char *p = tu_path("res.rastro");
	struct rastro_refer_opts o = { 0 };
	struct rastro_refer_stats rs;
	struct rastro_resolve_opts ro = { 0 };
	struct rastro_resolve_stats st;
	struct rastro_victims_stats vs;
	long long prov, e1prov, ref;
	char sql[256];

	(void)state;
	ingest(ws, "victims_persons.csv", "person");
	assert_int_equal(rastro_victims_run(ws, &vs), 0);
	/* P-9 (status victim) is the person E-5 and E-6 were filed under: one
	 * provisional entity carries all three records' indicators */
	prov = person_of(p, "E-5");
	e1prov = person_of(p, "E-1");
	assert_int_equal(hits(p, prov, "VIC.AGENCY_VICTIM"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit WHERE code = 'VIC.AGENCY_VICTIM'"), 1);   /* not the subject */
	snprintf(sql, sizeof sql, "SELECT count(DISTINCT entity_id) FROM vic_person WHERE entity_id = %lld", prov);
	assert_int_equal(q1(p, sql), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_person WHERE basis = 'provisional'"), 9);
	/* a referral made before resolution */
	o.role = "victim_services";
	assert_int_equal(rastro_refer_run(ws, &o, &rs), 0);
	snprintf(sql, sizeof sql, "SELECT id FROM referral WHERE victim = %lld AND rank = 1", prov);
	ref = q1(p, sql);
	assert_true(ref > 0);
	assert_int_equal(rastro_referral_set_status(ws, "victim_services", ref, "made", NULL), 0);
	/* resolution links the records to resolved persons */
	if (rastro_resolve(ws, &ro, &st))
		fail_msg("resolve: %s", rastro_errmsg(ws));
	assert_int_equal(rastro_victims_run(ws, &vs), 0);
	assert_int_equal(vs.persons_new, 0);
	/* Ana Gomez's account record carries Rosa Tzul's phone and
	 * address, as a controller's would; resolution keeps them apart (names
	 * and birth dates differ), so Rosa's three records get a resolved person
	 * and nothing needs keeping apart here (the wrong merge is simulated below) */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_person WHERE basis = 'resolved'"), 9);
	assert_int_equal(vs.records_kept_apart, 0);
	assert_int_equal(person_of(p, "E-5"), person_of(p, "E-6"));
	/* E-1's resolved person is consistent: the victim is it together with
	 * the old provisional entity */
	assert_true(person_of(p, "E-1") != e1prov);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM vic_group g JOIN vic_group h ON h.victim = g.victim"
		 " WHERE g.entity_id = %lld AND h.entity_id = %lld", e1prov, person_of(p, "E-1"));
	assert_int_equal(q1(p, sql), 1);
	/* the victim keeps E-5, E-6 and P-9 together */
	snprintf(sql, sizeof sql, "SELECT count(DISTINCT g.victim) FROM vic_group g JOIN vic_person v"
		 " ON v.entity_id = g.entity_id WHERE v.record_id IN (SELECT id FROM encounter WHERE ext_id IN ('E-5', 'E-6'))"
		 " OR v.record_id IN (SELECT id FROM person WHERE ext_id = 'P-9')");
	assert_int_equal(q1(p, sql), 1);
	/* so the referral made to the provisional id still counts: served, skipped */
	assert_int_equal(rastro_refer_run(ws, &o, &rs), 0);
	assert_int_equal(rs.skipped, 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM referral WHERE status = 'made'"), 1);
	rastro_close(ws);

	/* A wrong merge: resolution puts the subject's person record and KYC
	 * (P-20, A-200) on the victim's person (victims' bank records can carry
	 * a controller's phone and address): its links and the edges it draws
	 * from those records (holds the account).  The victim's records then
	 * keep their own provisional person, and nothing of the subject is
	 * flagged. */
	exec(p, "UPDATE er_link SET entity_id = (SELECT l.entity_id FROM er_link l JOIN person q ON q.id = l.record_id"
		" WHERE q.ext_id = 'P-9') WHERE record_id IN (SELECT id FROM person WHERE ext_id = 'P-20')"
		" OR record_id IN (SELECT id FROM kyc WHERE name = 'Marco Ruiz')");
	/* and the edges resolution draws from those records (holds the account) */
	exec(p, "UPDATE edge SET src = (SELECT l.entity_id FROM er_link l JOIN person q ON q.id = l.record_id"
		" WHERE q.ext_id = 'P-9') WHERE stage = 'resolve' AND (record_id IN (SELECT id FROM person WHERE ext_id = 'P-20')"
		" OR record_id IN (SELECT id FROM kyc WHERE name = 'Marco Ruiz'))");
	assert_int_equal(rastro_open(p, 0, &ws), 0);
	assert_int_equal(rastro_victims_run(ws, &vs), 0);
	rastro_close(ws);
	assert_true(vs.records_kept_apart >= 3);      /* E-5, E-6, P-9 */
	assert_int_equal(person_of(p, "E-5"), prov);
	assert_int_equal(hits(p, prov, "VIC.AGENCY_VICTIM"), 1);
	assert_true(flagged(p, prov));
	assert_int_equal(q1(p, "SELECT count(*) FROM victim_flag f JOIN er_link l ON l.entity_id = f.entity_id"
			       " WHERE l.record_id IN (SELECT id FROM person WHERE ext_id = 'P-20')"
			       " OR l.record_id IN (SELECT id FROM kyc WHERE name = 'Marco Ruiz')"), 0);
	assert_false(flagged(p, account(p, "A-200")));
}

static long long image_hits(const char *ws, const char *hash, const char *code)
{
	char sql[300];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM vic_hit h JOIN entity e ON e.id = h.entity_id"
		 " WHERE e.kind = 'image' AND e.key = '%s' AND h.code = '%s'", hash, code);
	return q1(ws, sql);
}

static void ads_rules(void **state)
{
	rastro_ws *ws = open_new("ads.rastro");
	const char *p = tu_path("ads.rastro");
	struct rastro_ads_opts ao = { 0 };
	struct rastro_ads_stats as;

	(void)state;
	ingest(ws, "victims_ads.jsonl", "ads");
	if (rastro_ads_run(ws, &ao, &as))
		fail_msg("ads: %s", rastro_errmsg(ws));
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	rastro_close(ws);
	/* Lily: two images shown together in X1, one each in X2 (Houston) and
	 * X3 (Austin): one person in three cities, youth and third-person
	 * language */
	assert_int_equal(image_hits(p, "aaaa000000000001", "VIC.AD_YOUTH"), 1);
	assert_int_equal(image_hits(p, "aaaa000000000001", "VIC.AD_THIRD_PERSON"), 1);
	assert_int_equal(image_hits(p, "aaaa000000000001", "VIC.AD_MULTICITY"), 1);
	assert_int_equal(q1(p, "SELECT count(DISTINCT g.victim) FROM vic_group g JOIN entity e ON e.id = g.entity_id"
			       " WHERE e.key IN ('aaaa000000000001', 'aaaa000000000002')"), 1);
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_group g JOIN entity e ON e.id = g.entity_id"
			       " WHERE e.key IN ('aaaa000000000001', 'aaaa000000000002')"), 2);
	/* Kim: a stated age of 16 in a commercial-sex ad */
	assert_int_equal(image_hits(p, "dddd000000000001", "VIC.MINOR"), 1);
	assert_int_equal(q1(p, "SELECT minor FROM victim_flag f JOIN entity e ON e.id = f.entity_id"
			       " WHERE e.key = 'dddd000000000001'"), 1);
	/* an adult's own ad, and a job ad with the same words: nothing */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN entity e ON e.id = h.entity_id"
			       " WHERE e.key IN ('bbbb000000000001', 'cccc000000000001')"), 0);
	/* the reasons point to the ads */
	assert_int_equal(q1(p, "SELECT count(*) FROM vic_hit h JOIN ad a ON a.id = h.record_id"
			       " WHERE h.code = 'VIC.AD_YOUTH' AND a.ext_id = 'X1'"), 1);
}

static void roles_see_counts_or_names(void **state)
{
	rastro_ws *ws = world("role.rastro");
	rastro_table *t;
	size_t r, c;
	int full;

	(void)state;
	assert_int_equal(rastro_victims_run(ws, NULL), 0);
	/* default role (analyst): counts, no names anywhere */
	assert_int_equal(rastro_victims_list(ws, NULL, 0, &t, &full), 0);
	assert_false(full);
	assert_string_equal(rastro_table_cell(t, 0, 0), "potential victims");
	assert_string_equal(rastro_table_cell(t, 0, 1), "7");
	assert_string_equal(rastro_table_cell(t, 1, 1), "2");
	for (r = 0; r < rastro_table_nrows(t); r++)
		for (c = 0; c < rastro_table_ncols(t); c++) {
			const char *s = rastro_table_cell(t, r, c);

			assert_true(!s || (!strstr(s, "López") && !strstr(s, "Tzul") && !strstr(s, "E-1")));
		}
	rastro_table_free(t);
	/* victim services: minors first, reasons with their records */
	assert_int_equal(rastro_victims_list(ws, "victim_services", 0, &t, &full), 0);
	assert_true(full);
	assert_int_equal(rastro_table_nrows(t), 7);
	assert_string_equal(rastro_table_cell(t, 0, 1), "yes");
	assert_string_equal(rastro_table_cell(t, 1, 1), "yes");
	assert_string_equal(rastro_table_cell(t, 2, 1), "");
	assert_string_equal(rastro_table_cell(t, 0, 3), "María López García");
	assert_non_null(strstr(rastro_table_cell(t, 0, 10), "encounter E-1 (victims_encounters.csv:2)"));
	rastro_table_free(t);
	/* the services roles are a setting */
	assert_int_equal(rastro_config_set(ws, "victims.services_roles=[\"shelter_staff\"]"), 0);
	assert_int_equal(rastro_victims_list(ws, "victim_services", 0, &t, &full), 0);
	assert_false(full);
	rastro_table_free(t);
	assert_int_equal(rastro_victims_list(ws, "shelter_staff", 1, &t, &full), 0);
	assert_true(full);
	assert_int_equal(rastro_table_nrows(t), 1);
	rastro_table_free(t);
	rastro_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vocabularies),
		cmocka_unit_test(readers_quarantine_bad_rows),
		cmocka_unit_test(encounter_rules),
		cmocka_unit_test(finance_rules),
		cmocka_unit_test(settings_change_rules),
		cmocka_unit_test(debt_after_smuggling),
		cmocka_unit_test(pooled_pay),
		cmocka_unit_test(notes_rules),
		cmocka_unit_test(notes_lexicon_checked),
		cmocka_unit_test(notes_long_quote),
		cmocka_unit_test(signals_and_grouping),
		cmocka_unit_test(matching_order),
		cmocka_unit_test(matching_widens_and_wraps),
		cmocka_unit_test(matching_complements),
		cmocka_unit_test(grid_equals_full_scan),
		cmocka_unit_test(matcher_survives_allocation_failures),
		cmocka_unit_test(referrals_and_statuses),
		cmocka_unit_test(resolution_and_agency_records),
		cmocka_unit_test(ads_rules),
		cmocka_unit_test(roles_see_counts_or_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_cleanup();
	return rc;
}
