/*
 * Unit tests of the finance detectors through the public API: for every
 * detector a tiny hand-built case that must fire and a look-alike that must
 * not; then the victim-centred rules (attribution to the controller,
 * `affected` lists, victims never in alerts, risk scores or SAR drafts),
 * determinism across thread counts, SAR content, evaluation figures and the
 * handling of odd input (unknown currency, zero amounts, self-transfers,
 * out-of-order rows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/sbuf.h"
#include "rastro.h"
#include "testutil.h"

static const char *TXN_HEAD = "txn_id,timestamp,from_account,from_name,to_account,to_name,amount,currency,"
			      "channel,category,city,region,country,memo,label\n";
static const char *KYC_HEAD = "account_id,customer_id,name,city,region,country,phone,email,address,"
			      "occupation,customer_type,business_type\n";

static int ws_counter;

/* A fresh workspace with the given transactions (and KYC rows, may be NULL). */
static rastro_ws *ws_with(const char *txns, const char *kyc)
{
	char name[64];
	rastro_ws *ws;
	struct rastro_ingest_opts o;
	struct rastro_ingest_stats s;
	const char *p;

	snprintf(name, sizeof name, "f%d.rastro", ++ws_counter);
	p = tu_path(name);
	unlink(p);
	assert_int_equal(rastro_open(p, RASTRO_OPEN_CREATE, &ws), 0);
	memset(&o, 0, sizeof o);
	o.format = "generic";
	if (kyc) {
		char kn[64];

		snprintf(kn, sizeof kn, "k%d.csv", ws_counter);
		o.format = "kyc";
		assert_int_equal(rastro_ingest(ws, tu_writes(kn, kyc), &o, &s), 0);
		assert_int_equal(s.rows_quarantined, 0);
	}
	{
		char tn[64];

		snprintf(tn, sizeof tn, "t%d.csv", ws_counter);
		o.format = "generic";
		assert_int_equal(rastro_ingest(ws, tu_writes(tn, txns), &o, &s), 0);
		if (s.rows_quarantined)
			fail_msg("%llu rows quarantined", (unsigned long long)s.rows_quarantined);
	}
	return ws;
}

static void detect_only(rastro_ws *ws, const char *only)
{
	struct rastro_detect_opts o = { only, 2 };
	struct rastro_detect_stats s;

	if (rastro_detect(ws, &o, &s))
		fail_msg("detect: %s", rastro_errmsg(ws));
}

static sqlite3 *db_of(rastro_ws *ws, int ro)
{
	sqlite3 *db;
	char name[64];

	snprintf(name, sizeof name, "f%d.rastro", ws_counter);
	(void)ws;
	assert_int_equal(sqlite3_open_v2(tu_path(name), &db, ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	return db;
}

static long long q1(rastro_ws *ws, const char *sql, const char *arg)
{
	sqlite3 *db = db_of(ws, 1);
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void exec(rastro_ws *ws, const char *sql)
{
	sqlite3 *db = db_of(ws, 0);
	char *err = NULL;

	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

/* Signals of `code` whose subject is the account with key `acc`. */
static long long nsig(rastro_ws *ws, const char *code, const char *acc)
{
	char sql[512];

	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM signal s JOIN entity e ON e.id = s.entity_id WHERE s.code = '%s' AND e.key = ?1",
		 code);
	return q1(ws, sql, acc);
}

static long long nsig_code(rastro_ws *ws, const char *code)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM signal WHERE code = '%s'", code);
	return q1(ws, sql, NULL);
}

static long long entity_of(rastro_ws *ws, const char *key)
{
	return q1(ws, "SELECT id FROM entity WHERE kind = 'account' AND key = ?1", key);
}

/* One transaction line; NULL fields become empty. */
static void row(struct sbuf *sb, const char *id, const char *ts, const char *from, const char *to, double amt,
		const char *chan, const char *cat, const char *city, const char *region, const char *country,
		const char *memo)
{
	sbuf_addf(sb, "%s,%s,%s,,%s,,%.2f,USD,%s,%s,%s,%s,%s,%s,\n", id, ts, from ? from : "", to ? to : "", amt,
		  chan ? chan : "", cat ? cat : "", city ? city : "", region ? region : "", country ? country : "",
		  memo ? memo : "");
}

/* "2024-03-DDTHH:MM:00" */
static const char *at(int day, int hour, int min)
{
	static char buf[8][32];
	static int k;
	char *p = buf[k++ % 8];
	int month = 3;

	while (day > 31) {
		day -= 31;
		month++;
	}
	snprintf(p, 32, "2024-%02d-%02dT%02d:%02d:00", month, day, hour, min);
	return p;
}

static void start(struct sbuf *sb)
{
	sbuf_init(sb);
	sbuf_adds(sb, TXN_HEAD);
}

static int idn;

static const char *nid(void)
{
	static char buf[8][16];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, 16, "t%d", ++idn);
	return p;
}

/* ---- FinCEN cash and place detectors ---- */

static void structuring(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	/* X: three deposits just under 10,000 within 30 days */
	row(&sb, nid(), at(1, 10, 0), NULL, "X", 9500, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(8, 10, 0), NULL, "X", 9800, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(15, 10, 0), NULL, "X", 9100, "cash", NULL, NULL, NULL, NULL, NULL);
	/* S: two deposits on one day that add up past 10,000 */
	row(&sb, nid(), at(3, 9, 0), NULL, "S", 6000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(3, 15, 0), NULL, "S", 5500, "cash", NULL, "Dallas", "TX", "US", NULL);
	/* look-alikes: the same three amounts spread over three months; small
	 * deposits; one deposit over the threshold (a CTR is filed) */
	row(&sb, nid(), at(1, 10, 0), NULL, "Y", 9500, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(45, 10, 0), NULL, "Y", 9800, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(90, 10, 0), NULL, "Y", 9100, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(1, 10, 0), NULL, "Z", 3000, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 10, 0), NULL, "Z", 3100, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 10, 0), NULL, "Z", 12000, "cash", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.STRUCTURING");
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "X"), 1);
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "S"), 1);
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "Y"), 0);
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "Z"), 0);
	/* a customer's accounts are seen together: two accounts, one day */
	rastro_close(ws);
	sbuf_release(&sb);
	start(&sb);
	row(&sb, nid(), at(5, 9, 0), NULL, "C1", 7000, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 11, 0), NULL, "C2", 6000, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 9, 0), NULL, "D1", 7000, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 11, 0), NULL, "D2", 6000, "cash", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, "account_id,customer_id,name\nC1,cust1,Ana Ruiz\nC2,cust1,Ana Ruiz\n"
			     "D1,cust2,Luis Mora\nD2,cust3,Eva Sol\n");
	detect_only(ws, "structuring");
	assert_int_equal(nsig_code(ws, "FIN.STRUCTURING"), 1);
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "C1"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void funnel(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(1, 10, 0), NULL, "F", 4000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(2, 10, 0), NULL, "F", 4500, "cash", NULL, "Atlanta", "GA", "US", NULL);
	row(&sb, nid(), at(3, 10, 0), NULL, "F", 3800, "cash", NULL, "Chicago", "IL", "US", NULL);
	row(&sb, nid(), at(4, 12, 0), "F", NULL, 11000, "cash", NULL, "El Paso", "TX", "US", NULL);
	/* look-alike: a business banking its takings at three branches and
	 * withdrawing at one of them; and one whose withdrawal comes weeks later */
	row(&sb, nid(), at(1, 10, 0), NULL, "G", 4000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(2, 10, 0), NULL, "G", 4500, "cash", NULL, "Katy", "TX", "US", NULL);
	row(&sb, nid(), at(3, 10, 0), NULL, "G", 3800, "cash", NULL, "Sugar Land", "TX", "US", NULL);
	row(&sb, nid(), at(4, 12, 0), "G", NULL, 11000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(1, 10, 0), NULL, "H", 4000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(2, 10, 0), NULL, "H", 4500, "cash", NULL, "Atlanta", "GA", "US", NULL);
	row(&sb, nid(), at(3, 10, 0), NULL, "H", 3800, "cash", NULL, "Chicago", "IL", "US", NULL);
	row(&sb, nid(), at(25, 12, 0), "H", NULL, 11000, "cash", NULL, "El Paso", "TX", "US", NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.FUNNEL");
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "F"), 1);
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "G"), 0);
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "H"), 0);
	/* evidence: the three deposits and the withdrawal */
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" WHERE s.code = 'FIN.FUNNEL'", NULL), 4);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* FIN.FUNNEL's relayed credits: R passes each payment on, in cash or by
 * wire at the border, within a day of its arrival; look-alikes: V passes
 * them on by P2P (a victim paying her controller), T withdraws each where
 * it came from, U has only two originators. */
static void funnel_relay(void **state)
{
	static const char *const acc[] = { "R", "V", "T", "U" };
	struct sbuf sb;
	rastro_ws *ws;
	int j;

	(void)state;
	start(&sb);
	for (j = 0; j < 4; j++) {
		int v = j == 1, t = j == 2;

		row(&sb, nid(), at(2, 10, 0), j == 3 ? "P1" : "P0", acc[j], 1500, "p2p", NULL, "Houston", "TX", "US",
		    NULL);
		row(&sb, nid(), at(2, 18, 0), acc[j], v ? "BOSS" : NULL, 1470, v ? "p2p" : "cash", NULL,
		    t ? "Houston" : "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(9, 10, 0), "P1", acc[j], 1800, "p2p", NULL, "Denver", "CO", "US", NULL);
		row(&sb, nid(), at(10, 9, 0), acc[j], v ? "BOSS" : "ORG", 1760, v ? "p2p" : "wire", NULL,
		    t ? "Denver" : "El Paso", t ? "CO" : "TX", "US", NULL);
		row(&sb, nid(), at(20, 10, 0), "P2", acc[j], 1200, "wire", NULL, "Puebla", "PUE", "MX", NULL);
		row(&sb, nid(), at(21, 11, 0), acc[j], v ? "BOSS" : NULL, 1180, v ? "p2p" : "cash", NULL,
		    t ? "Puebla" : "El Paso", t ? "PUE" : "TX", t ? "MX" : "US", NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.FUNNEL");
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "R"), 1);
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "V"), 0);
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "T"), 0);
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "U"), 0);
	/* evidence: the three credits and the three debits */
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" WHERE s.code = 'FIN.FUNNEL'", NULL), 6);
	assert_int_equal(rastro_config_set(ws, "finance.funnel.relay_min_originators=2"), 0);
	detect_only(ws, "FIN.FUNNEL");
	assert_int_equal(nsig(ws, "FIN.FUNNEL", "U"), 1);
	assert_int_equal(rastro_config_set(ws, "finance.funnel.relay_min_usd=5000"), 0);
	detect_only(ws, "FIN.FUNNEL");
	assert_int_equal(nsig_code(ws, "FIN.FUNNEL"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.funnel.relay_min_usd=3000"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.funnel.relay_min_places=0"), 0);
	detect_only(ws, "FIN.FUNNEL");
	assert_int_equal(nsig_code(ws, "FIN.FUNNEL"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void cash_to_corridor(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 2; k++) {
		row(&sb, nid(), at(1 + 7 * k, 10, 0), NULL, "R", 6500, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(1 + 7 * k, 16, 0), "R", "GT001", 6000, "wire", NULL, NULL, NULL, "GT", NULL);
		/* look-alikes: the same wires to Canada; and a family's small
		 * monthly remittance to Mexico */
		row(&sb, nid(), at(1 + 7 * k, 10, 0), NULL, "Q", 6500, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(1 + 7 * k, 16, 0), "Q", "CA001", 6000, "wire", NULL, NULL, NULL, "CA", NULL);
		row(&sb, nid(), at(1 + 30 * k, 10, 0), NULL, "P", 500, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(1 + 30 * k, 16, 0), "P", "MX001", 400, "wire", NULL, NULL, NULL, "MX", NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.CASH_TO_CORRIDOR");
	assert_int_equal(nsig(ws, "FIN.CASH_TO_CORRIDOR", "R"), 1);
	assert_int_equal(nsig(ws, "FIN.CASH_TO_CORRIDOR", "Q"), 0);
	assert_int_equal(nsig(ws, "FIN.CASH_TO_CORRIDOR", "P"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Many originators, one beneficiary.  FIN.BORDER_FANIN: at the border, from
 * several regions (look-alike: the same payers paying an account in
 * Denver).  FIN.REMIT_FANIN: wires from several countries, wherever the
 * beneficiary is (look-alikes: as many senders in one country, relatives
 * pooling for a student; three countries but too little money; and with a
 * 7-day window the senders, three days apart, are never five at once). */
static void border_fanin(void **state)
{
	static const char *const regions[] = { "CA", "GA", "IL", "NY", "FL" };
	static const char *const country[] = { "MX", "GT", "HN", "MX", "GT" };
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 5; k++) {
		char o[16];

		snprintf(o, sizeof o, "O%d", k);
		row(&sb, nid(), at(1 + k, 10, 0), o, "EP", 800, "wire", NULL, "City", regions[k], "US", NULL);
		row(&sb, nid(), at(1 + k, 11, 0), o, "DN", 800, "wire", NULL, "City", regions[k], "US", NULL);
		snprintf(o, sizeof o, "S%d", k);
		row(&sb, nid(), at(1 + 3 * k, 10, 0), o, "RCR", 2500, "wire", NULL, "City", "R", country[k], NULL);
		snprintf(o, sizeof o, "F%d", k);
		row(&sb, nid(), at(1 + 3 * k, 11, 0), o, "STU", 2500, "wire", NULL, "City", "R", "MX", NULL);
		snprintf(o, sizeof o, "T%d", k);
		row(&sb, nid(), at(1 + 3 * k, 12, 0), o, "SMALL", 300, "wire", NULL, "City", "R", country[k], NULL);
	}
	ws = ws_with(sb.buf, "account_id,name,city,region,country\nEP,Juan Paz,El Paso,TX,US\n"
			     "DN,Rosa Gil,Denver,CO,US\n");
	detect_only(ws, "FIN.BORDER_FANIN,FIN.REMIT_FANIN");
	assert_int_equal(nsig(ws, "FIN.BORDER_FANIN", "EP"), 1);
	assert_int_equal(nsig(ws, "FIN.BORDER_FANIN", "DN"), 0);
	assert_int_equal(nsig(ws, "FIN.REMIT_FANIN", "DN"), 0);
	assert_int_equal(nsig(ws, "FIN.REMIT_FANIN", "RCR"), 1);
	assert_int_equal(nsig(ws, "FIN.REMIT_FANIN", "STU"), 0);
	assert_int_equal(nsig(ws, "FIN.REMIT_FANIN", "SMALL"), 0);
	assert_int_equal(q1(ws, "SELECT json_extract(s.details, '$.countries') FROM signal s JOIN entity e"
				" ON e.id = s.entity_id WHERE e.key = ?1", "RCR"), 3);
	assert_int_equal(rastro_config_set(ws, "finance.remit_fanin.window_days=7"), 0);
	detect_only(ws, "FIN.REMIT_FANIN");
	assert_int_equal(nsig(ws, "FIN.REMIT_FANIN", "RCR"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void cash_no_ach(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 6; k++) {
		row(&sb, nid(), at(1 + 7 * k, 17, 0), NULL, "B1", 3000, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(1 + 7 * k, 17, 0), NULL, "B2", 3000, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "B2", "EMP", 2500, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "B1", "LANDLORD", 200, "check", "rent", NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, "account_id,name,customer_type,business_type\nB1,Spa Uno,business,massage_parlor\n"
			     "B2,Cafe Dos,business,restaurant\n");
	detect_only(ws, "FIN.CASH_NO_ACH");
	assert_int_equal(nsig(ws, "FIN.CASH_NO_ACH", "B1"), 1);
	assert_int_equal(nsig(ws, "FIN.CASH_NO_ACH", "B2"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* FIN.CASH_NO_PAYROLL: F1 takes cash twice a week, pays no payroll and
 * draws its takings to OWN; look-alikes: B2 pays a wage every week, B3 pays
 * nobody but other businesses (no owner draws), B4 takes too little cash. */
static void cash_no_payroll(void **state)
{
	static const char *const acc[] = { "F1", "B2", "B3", "B4" };
	static const char *const quiet[] = { "B2", "OWN2", "B3", "B4", "OWN4", "LANDLORD", "EMP" };
	struct sbuf sb;
	rastro_ws *ws;
	int k, j;

	(void)state;
	start(&sb);
	for (k = 0; k < 6; k++) {
		for (j = 0; j < 4; j++) {
			double cash = j == 3 ? 1000 : 3000;

			row(&sb, nid(), at(1 + 7 * k, 11, 0), NULL, acc[j], cash, "cash", NULL, NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(4 + 7 * k, 11, 0), NULL, acc[j], cash, "cash", NULL, NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(5 + 7 * k, 9, 0), acc[j], "LANDLORD", 300, "ach", "rent", NULL, NULL, NULL,
			    NULL);
		}
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "F1", "OWN", 4000, "ach", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "B2", "OWN2", 4000, "ach", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "B2", "EMP", 600, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 7 * k, 9, 0), "B4", "OWN4", 1500, "ach", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, "account_id,name,customer_type,business_type\nF1,Spa Uno,business,massage_parlor\n"
			     "B2,Cafe Dos,business,restaurant\nB3,Motel Tres,business,hotel\n"
			     "B4,Nails Cuatro,business,nail_salon\nLANDLORD,Rentas SA,business,property_management\n"
			     "OWN,Ana Uno,person,\nOWN2,Luis Dos,person,\nEMP,Eva Dos,person,\nOWN4,Rosa Cuatro,person,\n");
	detect_only(ws, "FIN.CASH_NO_PAYROLL");
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "F1"), 1);
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "OWN"), 1);
	/* it joins several red flags: the owner is alerted on it alone */
	assert_int_equal(q1(ws, "SELECT alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id WHERE e.key = ?1",
			    "OWN"), 1);
	for (j = 0; j < (int)(sizeof quiet / sizeof quiet[0]); j++)
		assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", quiet[j]), 0);
	/* a week's wages allowed: the café's owner is named, not its employee */
	assert_int_equal(rastro_config_set(ws, "finance.cash_no_payroll.max_payroll_payments=6"), 0);
	detect_only(ws, "FIN.CASH_NO_PAYROLL");
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "B2"), 1);
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "OWN2"), 1);
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "EMP"), 0);
	/* less cash a month asked for: the small salon too */
	assert_int_equal(rastro_config_set(ws, "finance.cash_no_payroll.min_monthly_cash_usd=2000"), 0);
	detect_only(ws, "FIN.CASH_NO_PAYROLL");
	assert_int_equal(nsig(ws, "FIN.CASH_NO_PAYROLL", "OWN4"), 1);
	/* owner draws in one payment are not a pattern */
	assert_int_equal(rastro_config_set(ws, "finance.cash_no_payroll.owner_min_payments=7"), 0);
	detect_only(ws, "FIN.CASH_NO_PAYROLL");
	assert_int_equal(nsig_code(ws, "FIN.CASH_NO_PAYROLL"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void offhours_cash(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 5; k++) {
		row(&sb, nid(), at(1 + k, 23, 30), NULL, "N1", 2000, "cash", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(1 + k, 14, 0), NULL, "N2", 2000, "cash", NULL, NULL, NULL, NULL, NULL);
	}
	/* date-only rows carry no time of day: never "off hours" */
	for (k = 0; k < 5; k++)
		sbuf_addf(&sb, "%s,2024-03-%02d,,,N3,,2000,USD,cash,,,,,,\n", nid(), 1 + k);
	ws = ws_with(sb.buf, "account_id,name,customer_type\nN1,Club A,business\nN2,Club B,business\n"
			     "N3,Club C,business\n");
	detect_only(ws, "FIN.OFFHOURS_CASH");
	assert_int_equal(nsig(ws, "FIN.OFFHOURS_CASH", "N1"), 1);
	assert_int_equal(nsig(ws, "FIN.OFFHOURS_CASH", "N2"), 0);
	assert_int_equal(nsig(ws, "FIN.OFFHOURS_CASH", "N3"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void prepaid_and_mobility(void **state)
{
	static const char *const cities[] = { "Houston", "Dallas", "Austin", "Tulsa", "Memphis" };
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 7; k++)
		row(&sb, nid(), at(1 + 3 * k, 12, 0), "PP", "LOADCO", 200, "card", "prepaid_load", NULL, NULL, NULL, NULL);
	for (k = 0; k < 3; k++)
		row(&sb, nid(), at(1 + 3 * k, 12, 0), "PQ", "LOADCO", 200, "card", "prepaid_load", NULL, NULL, NULL, NULL);
	for (k = 0; k < 5; k++) {
		row(&sb, nid(), at(1 + k, 12, 0), "GM", "SHOP", 30, "card", "grocery", cities[k], "TX", "US", NULL);
		row(&sb, nid(), at(1 + 15 * k, 12, 0), "GN", "SHOP", 30, "card", "grocery", cities[k], "TX", "US", NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "prepaid_velocity,geo_mobility");
	assert_int_equal(nsig(ws, "FIN.PREPAID_VELOCITY", "PP"), 1);
	assert_int_equal(nsig(ws, "FIN.PREPAID_VELOCITY", "PQ"), 0);
	assert_int_equal(nsig(ws, "FIN.GEO_MOBILITY", "GM"), 1);
	assert_int_equal(nsig(ws, "FIN.GEO_MOBILITY", "GN"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* ---- trafficking indicators about who pays for what ---- */

static void escort_site(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	sbuf_init(&sb);
	sbuf_adds(&sb, TXN_HEAD);
	sbuf_addf(&sb, "e1,%s,ES,,M1,SkipTheGames,25,USD,card,,,,,,\n", at(1, 1, 0));
	sbuf_addf(&sb, "e2,%s,ES,,M1,SkipTheGames,40,USD,card,,,,,,\n", at(9, 1, 0));
	/* a name that only looks like a listed site */
	sbuf_addf(&sb, "e3,%s,EN,,M2,Skip's Games Store,25,USD,card,,,,,,\n", at(1, 1, 0));
	sbuf_addf(&sb, "e4,%s,EN,,M2,Skip's Games Store,40,USD,card,,,,,,\n", at(9, 1, 0));
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.ESCORT_SITE_PAY");
	assert_int_equal(nsig(ws, "FIN.ESCORT_SITE_PAY", "ES"), 1);
	assert_int_equal(nsig(ws, "FIN.ESCORT_SITE_PAY", "EN"), 0);
	/* the merchant itself is never the subject */
	assert_int_equal(nsig(ws, "FIN.ESCORT_SITE_PAY", "M1"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* FIN.ESCORT_ADS_ELSEWHERE: RA lives and shops in El Paso and pays ad fees
 * placed in New York and Phoenix; OS shops in Austin and pays fees placed
 * in Chicago, where it only shops online.  Look-alikes: IE advertises in
 * Houston, where she also buys fuel (a worker on tour), RB pays a few fees
 * elsewhere among many at home, UN's fees carry no place, NP's account is
 * used for nothing but fees and online shopping (no presence anywhere). */
static void escort_ads_elsewhere(void **state)
{
	static const char *const away[] = { "New York", "Phoenix" };
	static const char *const away_r[] = { "NY", "AZ" };
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 12; k++) {
		row(&sb, nid(), at(1 + k, 12, 0), "RA", "GROC", 40, "card", "grocery", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(1 + k, 13, 0), "OS", "GROC", 40, "card", "grocery", "Austin", "TX", "US", NULL);
		row(&sb, nid(), at(1 + k, 14, 0), "IE", "GROC", 40, "card", "grocery", "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(1 + k, 15, 0), "RB", "GROC", 40, "card", "grocery", "Denver", "CO", "US", NULL);
		row(&sb, nid(), at(1 + k, 16, 0), "UN", "GROC", 40, "card", "grocery", "Tulsa", "OK", "US", NULL);
	}
	for (k = 0; k < 8; k++) {
		row(&sb, nid(), at(2 + 3 * k, 20, 0), "RA", "NIGHTADS", 45, "card", "escort_ads", away[k % 2],
		    away_r[k % 2], "US", NULL);
		row(&sb, nid(), at(2 + 3 * k, 20, 0), "OS", "NIGHTADS", 45, "card", "escort_ads", "Chicago", "IL", "US",
		    NULL);
		row(&sb, nid(), at(3 + 3 * k, 10, 0), "OS", "SHOPCO", 25, "card", "online", "Chicago", "IL", "US", NULL);
		row(&sb, nid(), at(2 + 3 * k, 20, 0), "IE", "NIGHTADS", 45, "card", "escort_ads", "Houston", "TX", "US",
		    NULL);
		row(&sb, nid(), at(2 + 3 * k, 21, 0), "UN", "NIGHTADS", 45, "card", "escort_ads", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 3 * k, 22, 0), "NP", "NIGHTADS", 45, "card", "escort_ads", "Chicago", "IL", "US",
		    NULL);
		row(&sb, nid(), at(3 + 3 * k, 10, 0), "NP", "SHOPCO", 25, "card", "online", "Chicago", "IL", "US", NULL);
	}
	row(&sb, nid(), at(5, 12, 0), "IE", "GAS", 30, "card", "fuel", "Houston", "TX", "US", NULL);
	for (k = 0; k < 22; k++)
		row(&sb, nid(), at(1 + k, 20, 0), "RB", "NIGHTADS", 45, "card", "escort_ads", "Denver", "CO", "US",
		    NULL);
	for (k = 0; k < 6; k++)
		row(&sb, nid(), at(1 + 4 * k, 21, 0), "RB", "NIGHTADS", 45, "card", "escort_ads", "Reno", "NV", "US",
		    NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.ESCORT_ADS_ELSEWHERE");
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "RA"), 1);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "OS"), 1);
	/* ads for other people: alerted on it alone */
	assert_int_equal(q1(ws, "SELECT alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id WHERE e.key = ?1",
			    "RA"), 1);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "IE"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "RB"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "UN"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "NP"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "NIGHTADS"), 0);
	/* a lower share asked for: RB's six fees in Reno among 28 */
	assert_int_equal(rastro_config_set(ws, "finance.escort_ads_elsewhere.min_share=0.2"), 0);
	detect_only(ws, "FIN.ESCORT_ADS_ELSEWHERE");
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "RB"), 1);
	/* no presence asked for: NP's fees are all "elsewhere" */
	assert_int_equal(rastro_config_set(ws, "finance.escort_ads_elsewhere.min_presence=0"), 0);
	detect_only(ws, "FIN.ESCORT_ADS_ELSEWHERE");
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "NP"), 1);
	/* online shopping counted as presence: OS and NP were in Chicago */
	assert_int_equal(rastro_config_set(ws, "finance.escort_ads_elsewhere.online_categories=[\"none\"]"), 0);
	detect_only(ws, "FIN.ESCORT_ADS_ELSEWHERE");
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "OS"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "NP"), 0);
	assert_int_equal(nsig(ws, "FIN.ESCORT_ADS_ELSEWHERE", "RA"), 1);
	/* more fees elsewhere asked for than RA's eight */
	assert_int_equal(rastro_config_set(ws, "finance.escort_ads_elsewhere.min_payments=9"), 0);
	detect_only(ws, "FIN.ESCORT_ADS_ELSEWHERE");
	assert_int_equal(nsig_code(ws, "FIN.ESCORT_ADS_ELSEWHERE"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void victim_costs(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	/* VC pays three rooms on the same nights and three phone lines */
	for (k = 0; k < 3; k++) {
		row(&sb, nid(), at(2, 22, k), "VC", "MOTEL6", 150, "card", "lodging", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(3, 22, k), "VC", "MOTEL6", 150, "card", "lodging", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(4, 10, k), "VC", "TMOBILE", 60, "card", "phone", NULL, NULL, NULL, NULL);
	}
	/* look-alike: a traveller, one room a night for ten nights */
	for (k = 0; k < 10; k++)
		row(&sb, nid(), at(1 + k, 22, 0), "TR", "HILTON", 180, "card", "lodging", NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.VICTIM_COSTS");
	assert_int_equal(nsig(ws, "FIN.VICTIM_COSTS", "VC"), 1);
	assert_int_equal(nsig(ws, "FIN.VICTIM_COSTS", "TR"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void payroll_funnel(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;
	long long cent;
	char sql[256];

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		char w[8], l[8], v[8];

		snprintf(w, sizeof w, "W%d", k);
		snprintf(v, sizeof v, "V%d", k);
		snprintf(l, sizeof l, "L%d", k);
		/* every payday the wage arrives, and within hours 90% of it
		 * leaves for CTRL */
		row(&sb, nid(), at(5, 8, 0), "EMPL", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(5, 12, 0), w, "CTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 8, 0), "EMPL", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 12, 0), w, "CTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
		/* look-alikes: workers paying their own rent to their own
		 * landlords; and one landlord paid right after the first payday
		 * of the month by three tenants (once in four paydays) */
		row(&sb, nid(), at(5, 8, 0), "EMP2", v, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(6, 12, 0), v, l, 900, "p2p", "rent", NULL, NULL, NULL, NULL);
		{
			char tn[8];
			int d;

			snprintf(tn, sizeof tn, "TN%d", k);
			for (d = 0; d < 4; d++)
				row(&sb, nid(), at(1 + 7 * d, 8, 0), "EMP3", tn, 1000, "ach", "payroll", NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(1, 18, 0), tn, "LANDLORD", 800, "p2p", "rent", NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(32, 18, 0), tn, "LANDLORD", 800, "p2p", "rent", NULL, NULL, NULL, NULL);
		}
	}
	/* where the collected wages go: BOSS takes most of it (a beneficiary);
	 * a utility paid small amounts and a one-off payee are not named */
	row(&sb, nid(), at(13, 9, 0), "CTRL", "BOSS", 1500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(14, 9, 0), "CTRL", "BOSS", 1500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(13, 10, 0), "CTRL", "UTIL", 20, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(14, 10, 0), "CTRL", "UTIL", 20, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(15, 10, 0), "CTRL", "ONCE", 2000, "p2p", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PAYROLL_FUNNEL");
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "CTRL"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "LANDLORD"), 0);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "UTIL"), 0);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "ONCE"), 0);
	assert_int_equal(nsig_code(ws, "FIN.PAYROLL_FUNNEL"), 2);
	/* the workers are listed as affected, never as subjects */
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "W0"), 0);
	assert_int_equal(q1(ws, "SELECT json_array_length(json_extract(details, '$.affected')) FROM signal"
				" WHERE code = 'FIN.PAYROLL_FUNNEL'", NULL), 3);
	cent = entity_of(ws, "W1");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM signal, json_each(json_extract(details, '$.affected')) j"
				  " WHERE code = 'FIN.PAYROLL_FUNNEL' AND j.value = %lld", cent);
	assert_int_equal(q1(ws, sql, NULL), 1);
	/* the same flow is a scatter-gather: the wage-fed intermediates stay
	 * out of it as subjects and are listed as affected */
	detect_only(ws, "FIN.SCATTER_GATHER");
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "CTRL"), 1);
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "W0"), 0);
	assert_int_equal(q1(ws, "SELECT json_array_length(json_extract(s.details, '$.affected')) FROM signal s"
				" JOIN entity e ON e.id = s.entity_id WHERE s.code = 'FIN.SCATTER_GATHER' AND e.key = 'CTRL'",
			    NULL), 3);
	/* nor are the workers mules passing money through */
	detect_only(ws, "FIN.PASS_THROUGH");
	assert_int_equal(nsig(ws, "FIN.PASS_THROUGH", "W0"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Three earners E0..E2, each paid by five payers in five regions late at
 * night, each passing 90 % of it on to COLL within 90 minutes. */
static void swept_earners(struct sbuf *sb)
{
	static const char *const regions[] = { "CA", "GA", "IL", "NY", "FL" };
	int k, e;

	for (e = 0; e < 3; e++) {
		char w[8];

		snprintf(w, sizeof w, "E%d", e);
		for (k = 0; k < 5; k++) {
			char o2[16];

			snprintf(o2, sizeof o2, "B%d%d", e, k);
			row(sb, nid(), at(1 + k, 22, 0), o2, w, 300, "p2p", NULL, "City", regions[k], "US", NULL);
			row(sb, nid(), at(1 + k, 23, 30), w, "COLL", 270, "p2p", NULL, NULL, NULL, NULL, NULL);
		}
	}
}

/* An account whose takings are swept to a collector is a potential victim:
 * even when its own inflows look like a border fan-in it is never a
 * subject, only affected on the collector's FIN.EARNINGS_SWEEP signal. */
static void swept_earner_not_subject(void **state)
{
	static const char *const regions[] = { "CA", "GA", "IL", "NY", "FL" };
	struct sbuf sb;
	rastro_ws *ws;
	struct rastro_detect_opts o = { "FIN.BORDER_FANIN,FIN.EARNINGS_SWEEP", 2 };
	struct rastro_detect_stats st;
	char sql[256];
	int k, e;

	(void)state;
	start(&sb);
	swept_earners(&sb);
	/* look-alike: the same inflows into an account that keeps its money */
	for (k = 0; k < 5; k++) {
		char o2[16];

		snprintf(o2, sizeof o2, "B9%d", k);
		row(&sb, nid(), at(1 + k, 22, 0), o2, "KEEP", 300, "p2p", NULL, "City", regions[k], "US", NULL);
	}
	ws = ws_with(sb.buf, "account_id,name,city,region,country\nE0,Ana Paz,El Paso,TX,US\n"
			     "E1,Eva Gil,El Paso,TX,US\nE2,Luz Sol,El Paso,TX,US\nKEEP,Rosa Gil,El Paso,TX,US\n");
	assert_int_equal(rastro_detect(ws, &o, &st), 0);
	assert_int_equal(nsig(ws, "FIN.BORDER_FANIN", "KEEP"), 1);
	for (e = 0; e < 3; e++) {
		char w[8];

		snprintf(w, sizeof w, "E%d", e);
		assert_int_equal(nsig(ws, "FIN.BORDER_FANIN", w), 0);
		assert_int_equal(q1(ws, "SELECT count(*) FROM fin_risk r JOIN entity x ON x.id = r.entity_id"
					" WHERE x.key = ?1", w), 0);
	}
	assert_true(st.signals_withheld >= 3);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL"), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM signal, json_each(json_extract(details, '$.affected')) j"
				  " WHERE code = 'FIN.EARNINGS_SWEEP' AND j.value = %lld", entity_of(ws, "E0"));
	assert_int_equal(q1(ws, sql, NULL), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Rent is not a sweep: tenants paid by several payers pass most of it to
 * one landlord, but on the first of the month, days after their pay. */
static void earnings_sweep_timing(void **state)
{
	static const int pay[] = { 10, 15, 20, 41, 46, 51 }, rent[] = { 1, 32, 60 };
	struct sbuf sb;
	rastro_ws *ws;
	int e, k;

	(void)state;
	start(&sb);
	for (e = 0; e < 3; e++) {
		char w[8], sw[8];

		snprintf(w, sizeof w, "TN%d", e);
		snprintf(sw, sizeof sw, "SW%d", e);
		for (k = 0; k < 6; k++) {
			char o2[16];

			snprintf(o2, sizeof o2, "PY%d%d", e, k % 3);
			row(&sb, nid(), at(pay[k], 9, 0), o2, w, 400, "p2p", NULL, NULL, NULL, NULL, NULL);
			/* the swept earner: the same pay, moved on within hours */
			snprintf(o2, sizeof o2, "PZ%d%d", e, k % 3);
			row(&sb, nid(), at(pay[k], 9, 0), o2, sw, 400, "p2p", NULL, NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(pay[k], 13, 0), sw, "SCOL", 380, "p2p", NULL, NULL, NULL, NULL, NULL);
		}
		for (k = 0; k < 3; k++)
			row(&sb, nid(), at(rent[k], 8, 0), w, "LANDLORD", 900, "p2p", "rent", NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.EARNINGS_SWEEP");
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "SCOL"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "LANDLORD"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A collector of swept earnings: where its money goes (the driver paid
 * often, one hop further the driver's own payee) and the holder's other
 * account (same name, case and accents aside, and phone) are named too.
 * Look-alikes: a shop paid small sums, an account with the collector's
 * phone in another name (a victim's account the controller opened), an
 * account in the same name with another phone. */
static void earnings_sweep_links(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	swept_earners(&sb);
	for (k = 0; k < 4; k++) {
		row(&sb, nid(), at(3 + 7 * k, 12, 0), "COLL", "DRV", 400, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(3 + 7 * k, 13, 0), "COLL", "SHOP", 20, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(4 + 7 * k, 9, 0), "DRV", "DRVLL", 300, "p2p", NULL, NULL, NULL, NULL, NULL);
	}
	row(&sb, nid(), at(27, 9, 0), "COLL", "CASHOUT", 2900, "wire", NULL, NULL, NULL, NULL, NULL);
	/* the data span 40 days: enough to tell regular payees (beneficiary_min_data_days) */
	row(&sb, nid(), at(40, 9, 0), "ZED", "ZOE", 50, "p2p", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, "account_id,customer_id,name,phone\nCOLL,A-1,Ana Núñez,+19155550101\n"
			     "COLL2,B-1,ANA NUNEZ,(915) 555-0101\nVICT,B-2,Eva Gil,915.555.0101\n"
			     "SAMENAME,C-1,Ana Nunez,+19155550199\n");
	detect_only(ws, "FIN.EARNINGS_SWEEP");
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "DRV"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "CASHOUT"), 0);   /* one payment */
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "SHOP"), 0);      /* 2 % of the money */
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "DRVLL"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL2"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "VICT"), 0);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "SAMENAME"), 0);
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal s JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1"
				" AND json_extract(s.details, '$.side') = 'holder_account'", "COLL2"), 1);
	/* on data spanning fewer days than beneficiary_min_data_days no
	 * beneficiary is named; the holder's other account still is */
	assert_int_equal(rastro_config_set(ws, "finance.earnings_sweep.beneficiary_min_data_days=60"), 0);
	detect_only(ws, "FIN.EARNINGS_SWEEP");
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "DRV"), 0);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL2"), 1);
	assert_int_equal(rastro_config_set(ws, "finance.earnings_sweep.beneficiary_min_data_days=30"), 0);
	/* both links can be switched off */
	assert_int_equal(rastro_config_set(ws, "finance.earnings_sweep.beneficiary_share=0"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.earnings_sweep.holder_accounts=0"), 0);
	detect_only(ws, "FIN.EARNINGS_SWEEP");
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL"), 1);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "DRV"), 0);
	assert_int_equal(nsig(ws, "FIN.EARNINGS_SWEEP", "COLL2"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Transporters: paid by one payer after each trip through the border zone;
 * the payer of two of them is named too.  Look-alikes: a friend repaying
 * trips that never touch the border, a commuter paid wages. */
static void trip_payout(void **state)
{
	static const int days[] = { 2, 9, 16 };
	struct sbuf sb;
	rastro_ws *ws;
	int k, v;

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		int d = days[k];

		for (v = 0; v < 2; v++) {
			const char *drv = v ? "DRV2" : "DRV1";

			row(&sb, nid(), at(d, 6, 0), drv, "FUELA", 45, "card", "fuel", "El Paso", "TX", "US", NULL);
			row(&sb, nid(), at(d, 14, 0), drv, "FUELB", 50, "card", "fuel", "San Antonio", "TX", "US", NULL);
			row(&sb, nid(), at(d + 1, 10, 0), "ORG", drv, 450, "p2p", NULL, NULL, NULL, NULL, NULL);
		}
		row(&sb, nid(), at(d, 6, 0), "CHUM", "FUELA", 45, "card", "fuel", "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(d, 14, 0), "CHUM", "FUELB", 50, "card", "fuel", "Houston", "TX", "US", NULL);
		row(&sb, nid(), at(d + 1, 10, 0), "FRIEND", "CHUM", 450, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(d, 6, 0), "COMM", "FUELA", 45, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 14, 0), "COMM", "FUELB", 50, "card", "fuel", "Las Cruces", "NM", "US", NULL);
		row(&sb, nid(), at(d + 1, 10, 0), "EMPL", "COMM", 450, "ach", "payroll", NULL, NULL, NULL, NULL);
	}
	/* the payer's other payees: REC twice (its recruiter abroad), ONCE once */
	row(&sb, nid(), at(5, 10, 0), "ORG", "REC", 2000, "wire", NULL, "Ciudad Juarez", "CHH", "MX", NULL);
	row(&sb, nid(), at(19, 10, 0), "ORG", "REC", 2000, "wire", NULL, "Ciudad Juarez", "CHH", "MX", NULL);
	row(&sb, nid(), at(12, 10, 0), "ORG", "ONCE", 3000, "wire", NULL, "Ciudad Juarez", "CHH", "MX", NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.TRIP_PAYOUT");
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "REC"), 1);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "ONCE"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "DRV1"), 1);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "DRV2"), 1);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "ORG"), 1);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "CHUM"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "FRIEND"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "COMM"), 0);
	/* evidence: each payout and the trip's spending before it */
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "DRV1"), 9);
	/* beneficiaries off */
	assert_int_equal(rastro_config_set(ws, "finance.trip_payout.beneficiary_share=0"), 0);
	detect_only(ws, "FIN.TRIP_PAYOUT");
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "REC"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "ORG"), 1);
	/* two payouts are not yet a pattern */
	assert_int_equal(rastro_config_set(ws, "finance.trip_payout.min_trips=4"), 0);
	detect_only(ws, "FIN.TRIP_PAYOUT");
	assert_int_equal(nsig_code(ws, "FIN.TRIP_PAYOUT"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* The hub-payer test counts ordinary payees only: a placer who also shops
 * at many merchants is no hub; a payer of many ordinary accounts (a
 * payroll processor) is.  hub_degree is 5 here. */
static void placement_fanout_shopper(void **state)
{
	static const char *const who[] = { "SHOPPER", "PROC" };
	struct sbuf sb;
	rastro_ws *ws;
	int k, w, m;

	(void)state;
	start(&sb);
	/* five merchants, each a hub: five shoppers pay each */
	for (m = 0; m < 5; m++)
		for (k = 0; k < 5; k++) {
			char shop[16], cust[16];

			snprintf(shop, sizeof shop, "SHOP%d", m);
			snprintf(cust, sizeof cust, "CUST%d", k);
			row(&sb, nid(), at(2 + k, 12, m), k ? cust : "SHOPPER", shop, 40, "card", "grocery", NULL, NULL,
			    NULL, NULL);
		}
	/* the processor pays five ordinary accounts early on */
	for (k = 0; k < 5; k++) {
		char to[16];

		snprintf(to, sizeof to, "PAYEE%d", k);
		row(&sb, nid(), at(3, 9, k), "PROC", to, 300, "ach", NULL, NULL, NULL, NULL, NULL);
	}
	for (w = 0; w < 2; w++) {
		row(&sb, nid(), at(1, 9, 0), who[w], "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(40, 10, 0), NULL, who[w], 6000, "cash", NULL, "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(40, 15, 0), NULL, who[w], 5000, "cash", NULL, "Dallas", "TX", "US", NULL);
		for (k = 0; k < 3; k++) {
			char to[16];

			snprintf(to, sizeof to, "%s_P%d", who[w], k);
			row(&sb, nid(), at(41 + k, 9, 0), who[w], to, 3000, "wire", NULL, NULL, NULL, NULL, NULL);
		}
	}
	ws = ws_with(sb.buf, NULL);
	assert_int_equal(rastro_config_set(ws, "finance.hub_degree=5"), 0);
	detect_only(ws, "FIN.PLACEMENT_FANOUT");
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "SHOPPER"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "PROC"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A transporter whose route stays within one border city: no second place,
 * but several fuel stops before each payout.  Look-alikes: one fuel stop
 * before each repayment in the border city, and several fuel stops away
 * from the border, each repaid by one friend. */
static void trip_payout_local(void **state)
{
	static const int days[] = { 2, 9, 16, 23 };
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 4; k++) {
		int d = days[k];

		row(&sb, nid(), at(d, 5, 0), "LDRV", "FUELA", 60, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 9, 0), "LDRV", "FUELB", 70, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 20, 0), "LORG", "LDRV", 600, "p2p", NULL, "Ciudad Juárez", "CHH", "MX", NULL);
		row(&sb, nid(), at(d, 7, 0), "ONCE", "FUELA", 60, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 20, 0), "PAL", "ONCE", 600, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(d, 5, 0), "AWAY", "FUELA", 60, "card", "fuel", "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(d, 9, 0), "AWAY", "FUELB", 70, "card", "fuel", "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(d, 20, 0), "PAL2", "AWAY", 600, "p2p", NULL, NULL, NULL, NULL, NULL);
		/* a landlord in the border city who buys fuel, paid rent by a tenant */
		row(&sb, nid(), at(d, 5, 0), "LANDLORD", "FUELA", 60, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 9, 0), "LANDLORD", "FUELB", 70, "card", "fuel", "El Paso", "TX", "US", NULL);
		row(&sb, nid(), at(d, 20, 0), "TENANT", "LANDLORD", 900, "ach", "rent", "El Paso", "TX", "US", NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.TRIP_PAYOUT");
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "LANDLORD"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "LDRV"), 1);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "ONCE"), 0);
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "AWAY"), 0);
	/* without the fuel-stop rule the local route is not a trip */
	assert_int_equal(rastro_config_set(ws, "finance.trip_payout.min_fuel_stops=0"), 0);
	detect_only(ws, "FIN.TRIP_PAYOUT");
	assert_int_equal(nsig(ws, "FIN.TRIP_PAYOUT", "LDRV"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Where a funnel's money goes, two hops: CTRL collects wages, BOSS takes
 * most of CTRL's money, and BOSS2 most of BOSS's.  Look-alikes: BOSS's
 * grocer (small share), a one-off payee of BOSS, the funnel itself paid
 * back, and BOSS3 three hops away. */
static void funnel_beneficiary_hops(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		char w[8];

		snprintf(w, sizeof w, "W%d", k);
		row(&sb, nid(), at(5, 8, 0), "EMPL", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(5, 12, 0), w, "CTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 8, 0), "EMPL", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 12, 0), w, "CTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
	}
	row(&sb, nid(), at(13, 9, 0), "CTRL", "BOSS", 1500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(14, 9, 0), "CTRL", "BOSS", 1500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(15, 9, 0), "BOSS", "BOSS2", 1200, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(16, 9, 0), "BOSS", "BOSS2", 1200, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(15, 10, 0), "BOSS", "GROCER", 30, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(16, 10, 0), "BOSS", "GROCER", 30, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(17, 10, 0), "BOSS", "ONEOFF", 1000, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(18, 10, 0), "BOSS", "CTRL", 500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(19, 10, 0), "BOSS", "CTRL", 500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(20, 9, 0), "BOSS2", "BOSS3", 1100, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(21, 9, 0), "BOSS2", "BOSS3", 1100, "wire", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PAYROLL_FUNNEL");
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "CTRL"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS2"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "GROCER"), 0);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "ONEOFF"), 0);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS3"), 0);
	assert_int_equal(q1(ws, "SELECT json_extract(s.details, '$.hop') FROM signal s JOIN entity e"
				" ON e.id = s.entity_id WHERE e.key = ?1", "BOSS2"), 2);
	/* one hop only: BOSS2 is not named */
	assert_int_equal(rastro_config_set(ws, "finance.payroll_funnel.beneficiary_hops=1"), 0);
	detect_only(ws, "FIN.PAYROLL_FUNNEL");
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS"), 1);
	assert_int_equal(nsig(ws, "FIN.PAYROLL_FUNNEL", "BOSS2"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Cash placed, then sent to fresh payees (and the payees); look-alikes: a
 * business paying its usual suppliers from its takings, and the same
 * pattern in the first weeks of data, when every payee looks new. */
static void placement_fanout(void **state)
{
	static const char *const who[] = { "PL", "BIZ", "EARLY", "EMPLOYER" };
	struct sbuf sb;
	rastro_ws *ws;
	int k, w;

	(void)state;
	start(&sb);
	/* an operating business: the same placement, but it pays wages */
	row(&sb, nid(), at(20, 8, 0), "EMPLOYER", "STAFF", 900, "ach", "payroll", NULL, NULL, NULL, NULL);
	for (w = 0; w < 4; w++) {
		int day = w == 2 ? 3 : 40;

		/* history: a first transaction on day 1; the business pays its
		 * suppliers early on too */
		row(&sb, nid(), at(1, 9, 0), who[w], "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(day, 10, 0), NULL, who[w], 6000, "cash", NULL, "Dallas", "TX", "US", NULL);
		row(&sb, nid(), at(day, 15, 0), NULL, who[w], 5000, "cash", NULL, "Dallas", "TX", "US", NULL);
		for (k = 0; k < 3; k++) {
			char to[16];

			snprintf(to, sizeof to, "%s_P%d", who[w], k);
			if (w == 1)
				row(&sb, nid(), at(5 + k, 9, 0), who[w], to, 2500, "wire", NULL, NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(day + 1 + k, 9, 0), who[w], to, 3000, "wire", NULL, NULL, NULL, NULL, NULL);
		}
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PLACEMENT_FANOUT");
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "PL"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "PL_P0"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "PL_P2"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "BIZ"), 0);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "EARLY"), 0);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "EMPLOYER"), 0);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "EMPLOYER_P0"), 0);
	assert_int_equal(nsig_code(ws, "FIN.PLACEMENT_FANOUT"), 4);
	/* evidence of the placer: two deposits and three payments */
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "PL"), 5);
	/* with the employer test off, the employer places like PL */
	assert_int_equal(rastro_config_set(ws, "finance.placement_fanout.max_wage_payments=-1"), 0);
	detect_only(ws, "FIN.PLACEMENT_FANOUT");
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "EMPLOYER"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* The placement whose layering window reaches the most new payees is the
 * one reported: a third deposit two days after the first two extends the
 * window to a payee eight days after them. */
static void placement_fanout_best_window(void **state)
{
	static const int pay_day[] = { 43, 44, 45, 48 };
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(1, 9, 0), "LATE", "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(40, 10, 0), NULL, "LATE", 6000, "cash", NULL, "Dallas", "TX", "US", NULL);
	row(&sb, nid(), at(40, 15, 0), NULL, "LATE", 5000, "cash", NULL, "Dallas", "TX", "US", NULL);
	row(&sb, nid(), at(42, 9, 0), NULL, "LATE", 5000, "cash", NULL, "Dallas", "TX", "US", NULL);
	for (k = 0; k < 4; k++) {
		char to[16];

		snprintf(to, sizeof to, "LATE_P%d", k);
		row(&sb, nid(), at(pay_day[k], 9, 0), "LATE", to, 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PLACEMENT_FANOUT");
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "LATE"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "LATE_P0"), 1);
	assert_int_equal(nsig(ws, "FIN.PLACEMENT_FANOUT", "LATE_P3"), 1);
	/* evidence: the three deposits and the four payments */
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "LATE"), 7);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A burst of large one-off payments (and its payees).  Look-alikes: a
 * business paying the same six suppliers every month, six card purchases,
 * an account whose weekly outflow is as large as the burst, an employer. */
static void oneoff_fanout(void **state)
{
	static const char *const who[] = { "FO", "SUPPLY", "CARDS", "STEADY", "EMP" };
	struct sbuf sb;
	rastro_ws *ws;
	int k, w;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(20, 8, 0), "EMP", "STAFF", 900, "ach", "payroll", NULL, NULL, NULL, NULL);
	for (k = 0; k < 9; k++)
		row(&sb, nid(), at(1 + 7 * k, 9, 0), "STEADY", "RENTCO", 10000, "ach", NULL, NULL, NULL, NULL, NULL);
	for (w = 0; w < 5; w++) {
		row(&sb, nid(), at(1, 9, 0), who[w], "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(61, 9, 0), who[w], "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
		for (k = 0; k < 6; k++) {
			char to[16];

			snprintf(to, sizeof to, "%s_P%d", who[w], k);
			if (w == 1)
				row(&sb, nid(), at(10 + k, 9, 0), who[w], to, 4000, "ach", NULL, NULL, NULL, NULL, NULL);
			row(&sb, nid(), at(40 + k, 9, 0), who[w], to, 4000, w == 2 ? "card" : "wire", NULL, NULL, NULL,
			    NULL, NULL);
		}
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.ONEOFF_FANOUT");
	assert_int_equal(nsig(ws, "FIN.ONEOFF_FANOUT", "FO"), 1);
	assert_int_equal(nsig(ws, "FIN.ONEOFF_FANOUT", "FO_P0"), 1);
	assert_int_equal(nsig(ws, "FIN.ONEOFF_FANOUT", "FO_P5"), 1);
	for (w = 1; w < 5; w++)
		assert_int_equal(nsig(ws, "FIN.ONEOFF_FANOUT", who[w]), 0);
	assert_int_equal(nsig_code(ws, "FIN.ONEOFF_FANOUT"), 7);
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "FO"), 6);
	/* six payees in the window are not enough at min_payees 7 */
	assert_int_equal(rastro_config_set(ws, "finance.oneoff_fanout.min_payees=7"), 0);
	detect_only(ws, "FIN.ONEOFF_FANOUT");
	assert_int_equal(nsig_code(ws, "FIN.ONEOFF_FANOUT"), 0);
	/* the data (60 days) too short to tell one-off payees from monthly ones */
	assert_int_equal(rastro_config_set(ws, "finance.oneoff_fanout.min_payees=5"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.oneoff_fanout.min_data_days=90"), 0);
	detect_only(ws, "FIN.ONEOFF_FANOUT");
	assert_int_equal(nsig_code(ws, "FIN.ONEOFF_FANOUT"), 0);
	/* with the employer test off, the employer fans out like FO */
	assert_int_equal(rastro_config_set(ws, "finance.oneoff_fanout.min_data_days=30"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.oneoff_fanout.max_wage_payments=-1"), 0);
	detect_only(ws, "FIN.ONEOFF_FANOUT");
	assert_int_equal(nsig(ws, "FIN.ONEOFF_FANOUT", "EMP"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Alert rule: one indicator from a detector not marked `alone` only puts
 * the account on the watch list; `alone`, or enough independent
 * indicators, alert. */
static void alert_rule(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	rastro_table *t;
	struct rastro_alert_opts ao = { 0 };
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 2; k++) {
		row(&sb, nid(), at(2 + 5 * k, 9, 0), "IN1", "MULE", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 5 * k, 11, 0), "MULE", "OUT1", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
	}
	row(&sb, nid(), at(20, 9, 0), "CA", "CB", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(20, 11, 0), "CB", "CC", 4950, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(20, 13, 0), "CC", "CA", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PASS_THROUGH,FIN.CYCLE");
	assert_int_equal(q1(ws, "SELECT r.alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id WHERE e.key = ?1",
			    "MULE"), 0);
	assert_int_equal(q1(ws, "SELECT r.alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id WHERE e.key = ?1",
			    "CA"), 1);
	/* alerts list the alerted account; --watch adds the watched one after it */
	ao.limit = 0;
	assert_int_equal(rastro_alerts(ws, &ao, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 3);
	rastro_table_free(t);
	ao.watch = 1;
	assert_int_equal(rastro_alerts(ws, &ao, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 4);
	assert_string_equal(rastro_table_cell(t, 3, 3), "MULE");
	assert_string_equal(rastro_table_cell(t, 3, 17), "watch");
	assert_string_equal(rastro_table_cell(t, 0, 17), "alert");
	rastro_table_free(t);
	/* the same single indicator alerts when its detector is marked alone */
	assert_int_equal(rastro_config_set(ws, "finance.pass_through.alone=true"), 0);
	detect_only(ws, "FIN.PASS_THROUGH,FIN.CYCLE");
	assert_int_equal(q1(ws, "SELECT r.alert FROM fin_risk r JOIN entity e ON e.id = r.entity_id WHERE e.key = ?1",
			    "MULE"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void peer_outliers(void **state)
{
	struct sbuf sb, kyc;
	rastro_ws *ws;
	int k, d;

	(void)state;
	start(&sb);
	sbuf_init(&kyc);
	sbuf_adds(&kyc, KYC_HEAD);
	/* ten restaurants take about 10,000 a month; R9 takes 25 times that */
	for (k = 0; k < 10; k++) {
		char acc[8], per[8];

		snprintf(acc, sizeof acc, "R%d", k);
		snprintf(per, sizeof per, "P%d", k);
		sbuf_addf(&kyc, "%s,,Restaurant %d,,,,,,,,business,restaurant\n", acc, k);
		sbuf_addf(&kyc, "%s,,Person %d,,,,,,,cook,person,\n", per, k);
		for (d = 0; d < 4; d++) {
			double amt = (k == 9 ? 60000.0 : 2500.0) + 37 * k + d;

			row(&sb, nid(), at(1 + 15 * d, 18, 0), NULL, acc, amt, "cash", NULL, NULL, NULL, NULL, NULL);
			/* "deposits, incl. cash": the cooks' deposits are cash */
			row(&sb, nid(), at(1 + 15 * d, 18, 0), NULL, per, (k == 9 ? 40000.0 : 1500.0) + 11 * k + d, "cash",
			    NULL, NULL, NULL, NULL, NULL);
		}
	}
	ws = ws_with(sb.buf, kyc.buf);
	detect_only(ws, "front_company,occupation_outlier");
	assert_int_equal(nsig(ws, "FIN.FRONT_COMPANY", "R9"), 1);
	assert_int_equal(nsig_code(ws, "FIN.FRONT_COMPANY"), 1);
	assert_int_equal(nsig(ws, "FIN.OCCUPATION_OUTLIER", "P9"), 1);
	assert_int_equal(nsig_code(ws, "FIN.OCCUPATION_OUTLIER"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
	sbuf_release(&kyc);
}

static void shared_identifier(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	/* three unrelated holders share the controller's phone and pay him */
	row(&sb, nid(), at(3, 12, 0), "SA", "BOSS", 500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 13, 0), "SB", "BOSS", 500, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 14, 0), "SC", "BOSS", 500, "p2p", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, "account_id,customer_id,name,phone\n"
			     "BOSS,c0,Mario Rossi,(915) 555-0100\nSA,c1,Ana Lopez,915-555-0100\n"
			     "SB,c2,Maria Chen,+1 915 555 0100\nSC,c3,Olga Petrova,9155550100\n"
			     /* look-alike: a family sharing the home phone */
			     "FA,c4,Jose Garcia Lopez,(713) 555-0199\nFB,c5,Maria Garcia Ruiz,713 555 0199\n"
			     "FC,c6,Luis Garcia Lopez,7135550199\n");
	detect_only(ws, "FIN.SHARED_IDENTIFIER");
	assert_int_equal(nsig_code(ws, "FIN.SHARED_IDENTIFIER"), 1);
	assert_int_equal(nsig(ws, "FIN.SHARED_IDENTIFIER", "BOSS"), 1);
	assert_int_equal(q1(ws, "SELECT json_array_length(json_extract(details, '$.affected')) FROM signal"
				" WHERE code = 'FIN.SHARED_IDENTIFIER'", NULL), 3);
	assert_int_equal(q1(ws, "SELECT json_extract(details, '$.identifier') = '+19155550100' FROM signal"
				" WHERE code = 'FIN.SHARED_IDENTIFIER'", NULL), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void ad_identifier(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(3, 12, 0), "AD1", "SHOP", 50, "card", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, "account_id,name,phone,email\nAD1,Kim Park,(619) 555-0142,\n"
			     "AD2,Lee Wong,(619) 555-0199,Someone@Example.com\n");
	/* no ads loaded: nothing to join with */
	detect_only(ws, "FIN.AD_IDENTIFIER");
	assert_int_equal(nsig_code(ws, "FIN.AD_IDENTIFIER"), 0);
	/* what the ads module writes: phone/email entities listed by ad entities */
	exec(ws, "INSERT INTO entity(id, kind, key, label) VALUES(9001, 'phone', '+16195550142', NULL),"
		 " (9002, 'ad', 'escortsite.example:1', NULL), (9003, 'ad', 'escortsite.example:2', NULL),"
		 " (9004, 'email', 'someone@example.com', NULL), (9005, 'phone', '+16195550100', NULL);"
		 "INSERT INTO edge(src, dst, type, stage) VALUES(9002, 9001, 'lists', 'ads'), (9003, 9001, 'lists', 'ads'),"
		 " (9003, 9004, 'lists', 'ads'), (9002, 9005, 'lists', 'ads');");
	detect_only(ws, "FIN.AD_IDENTIFIER");
	assert_int_equal(nsig(ws, "FIN.AD_IDENTIFIER", "AD1"), 1);
	assert_int_equal(nsig(ws, "FIN.AD_IDENTIFIER", "AD2"), 1);
	assert_int_equal(q1(ws, "SELECT json_extract(s.details, '$.ads') FROM signal s JOIN entity e ON e.id = s.entity_id"
				" WHERE s.code = 'FIN.AD_IDENTIFIER' AND e.key = 'AD1'", NULL), 2);
	/* the KYC row is part of the evidence */
	assert_true(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN kyc k ON k.id = se.record_id", NULL) >= 2);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void smuggling_memo(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(1, 10, 0), "M1", "BEN", 1500, "p2p", NULL, NULL, NULL, NULL, "pago del cruce de mi primo");
	row(&sb, nid(), at(2, 10, 0), "M2", "BEN", 2000, "p2p", NULL, NULL, NULL, NULL, "Para el COYOTE");
	row(&sb, nid(), at(3, 10, 0), "M3", "BEN", 800, "p2p", NULL, NULL, NULL, NULL, "resto del viaje");
	/* look-alikes: a family's ordinary memos */
	row(&sb, nid(), at(1, 10, 0), "M4", "FAM", 300, "p2p", NULL, NULL, NULL, NULL, "viaje a Cancún");
	row(&sb, nid(), at(2, 10, 0), "M5", "FAM", 300, "p2p", NULL, NULL, NULL, NULL, "renta de marzo");
	row(&sb, nid(), at(3, 10, 0), "M6", "FAM", 300, "p2p", NULL, NULL, NULL, NULL, "ya llegue a casa");
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.SMUGGLING_MEMO");
	assert_int_equal(nsig(ws, "FIN.SMUGGLING_MEMO", "BEN"), 1);
	assert_int_equal(nsig_code(ws, "FIN.SMUGGLING_MEMO"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* ---- AML graph patterns ---- */

/* Background so that fans are measured against the account's usual pace. */
static void quiet_month(struct sbuf *sb, const char *acc)
{
	int d;

	for (d = 1; d <= 30; d += 10)
		row(sb, nid(), at(d, 9, 0), acc, "UTILITY", 80, "ach", NULL, NULL, NULL, NULL, NULL);
}

static void fans(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k, d;

	(void)state;
	start(&sb);
	quiet_month(&sb, "FO");
	for (k = 0; k < 6; k++) {
		char to[8];

		snprintf(to, sizeof to, "FX%d", k);
		row(&sb, nid(), at(12, 9 + k, 0), "FO", to, 2000, "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(to, sizeof to, "FY%d", k);
		row(&sb, nid(), at(12, 9 + k, 0), to, "FI", 2000, "wire", NULL, NULL, NULL, NULL, NULL);
	}
	/* look-alike: a business that pays six suppliers every day */
	for (d = 1; d <= 30; d++)
		for (k = 0; k < 6; k++) {
			char to[8];

			snprintf(to, sizeof to, "SUP%d", k);
			row(&sb, nid(), at(d, 9 + k, 0), "BIZ", to, 500, "ach", NULL, NULL, NULL, NULL, NULL);
		}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "fan_out,fan_in");
	assert_int_equal(nsig(ws, "FIN.FAN_OUT", "FO"), 1);
	assert_int_equal(nsig(ws, "FIN.FAN_IN", "FI"), 1);
	assert_int_equal(nsig(ws, "FIN.FAN_OUT", "BIZ"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void scatter_gather(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		char m[8];

		snprintf(m, sizeof m, "SM%d", k);
		row(&sb, nid(), at(2, 9, k), "SS", m, 3000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2, 15, k), m, "ST", 2900, "wire", NULL, NULL, NULL, NULL, NULL);
		/* look-alike: what the intermediates pay on has nothing to do
		 * with what they got (a small bill to the same utility) */
		snprintf(m, sizeof m, "NM%d", k);
		row(&sb, nid(), at(2, 9, k), "NS", m, 3000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2, 15, k), m, "NT", 45, "ach", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.SCATTER_GATHER");
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "SS"), 1);
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "ST"), 1);
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "SM1"), 1);
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "NS"), 0);
	assert_int_equal(nsig(ws, "FIN.SCATTER_GATHER", "NT"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void gather_scatter(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		char a[8];

		snprintf(a, sizeof a, "GI%d", k);
		row(&sb, nid(), at(2, 8, k), a, "GC", 1000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2, 8, k), a, "HC", 1000, "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "GO%d", k);
		row(&sb, nid(), at(2, 14, k), "GC", a, 950, "wire", NULL, NULL, NULL, NULL, NULL);
		/* look-alike: the money stays; only small bills go out */
		row(&sb, nid(), at(2, 14, k), "HC", a, 20, "card", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.GATHER_SCATTER");
	assert_int_equal(nsig(ws, "FIN.GATHER_SCATTER", "GC"), 1);
	assert_int_equal(nsig(ws, "FIN.GATHER_SCATTER", "HC"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A sum gathered in similar parts and passed on in similar parts (and its
 * payers and payees).  Look-alikes: balanced money in parts of very
 * different sizes; similar parts gathered and kept. */
static void split_gather_scatter(void **state)
{
	static const double in[4] = { 3000, 3200, 2900, 3100 }, out[4] = { 2800, 2950, 3000, 3050 };
	static const double mixed[4] = { 300, 2500, 9000, 400 };
	struct sbuf sb;
	rastro_ws *ws;
	char a[16];
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 4; k++) {
		snprintf(a, sizeof a, "SI%d", k);
		row(&sb, nid(), at(2, 8 + k, 0), a, "SC", in[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "SO%d", k);
		row(&sb, nid(), at(2, 20 + k, 0), "SC", a, out[k], "ach", NULL, NULL, NULL, NULL, NULL);
		/* look-alike: in and out balance, but the parts are anything */
		snprintf(a, sizeof a, "UI%d", k);
		row(&sb, nid(), at(3, 8 + k, 0), a, "UC", mixed[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "UO%d", k);
		row(&sb, nid(), at(3, 20 + k, 0), "UC", a, mixed[3 - k], "wire", NULL, NULL, NULL, NULL, NULL);
		/* look-alike: similar parts gathered, a fifth of it paid on */
		snprintf(a, sizeof a, "KI%d", k);
		row(&sb, nid(), at(4, 8 + k, 0), a, "KC", in[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "KO%d", k);
		row(&sb, nid(), at(4, 20 + k, 0), "KC", a, out[k] / 5, "wire", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.SPLIT_GATHER_SCATTER");
	assert_int_equal(nsig(ws, "FIN.SPLIT_GATHER_SCATTER", "SC"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_GATHER_SCATTER", "SI0"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_GATHER_SCATTER", "SO3"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_GATHER_SCATTER", "UC"), 0);
	assert_int_equal(nsig(ws, "FIN.SPLIT_GATHER_SCATTER", "KC"), 0);
	/* the centre, four payers, four payees */
	assert_int_equal(nsig_code(ws, "FIN.SPLIT_GATHER_SCATTER"), 9);
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "SC"), 8);
	/* parts this close are not close enough at a ratio of 1.05 */
	assert_int_equal(rastro_config_set(ws, "finance.split_gather_scatter.max_part_ratio=1.05"), 0);
	detect_only(ws, "FIN.SPLIT_GATHER_SCATTER");
	assert_int_equal(nsig_code(ws, "FIN.SPLIT_GATHER_SCATTER"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A sum sent in similar parts to payees paid at no other time, out of line
 * with the account's pace (and the payees); the same on the receiving side.
 * Look-alikes: a landlord paid the same rent by five tenants every month;
 * five payments of very different sizes; an account that pays as much every
 * day. */
static void split_fan(void **state)
{
	static const double part[5] = { 4000, 4100, 3900, 4200, 3800 }, mixed[5] = { 100, 900, 4000, 12000, 30000 };
	struct sbuf sb;
	rastro_ws *ws;
	char a[16];
	int k, day;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(1, 9, 0), "FC", "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(61, 9, 0), "FC", "UTIL", 50, "ach", NULL, NULL, NULL, NULL, NULL);
	for (k = 0; k < 5; k++) {
		snprintf(a, sizeof a, "FP%d", k);
		row(&sb, nid(), at(40, 8 + 2 * k, 0), "FC", a, part[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "FA%d", k);
		row(&sb, nid(), at(30, 8 + 2 * k, 0), a, "FI", part[k] / 2, "ach", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "MP%d", k);
		row(&sb, nid(), at(40, 8 + 2 * k, 0), "MIXED", a, mixed[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "BP%d", k);
		row(&sb, nid(), at(40, 8 + 2 * k, 0), "BUSY", a, part[k], "wire", NULL, NULL, NULL, NULL, NULL);
		snprintf(a, sizeof a, "TEN%d", k);
		for (day = 1; day < 90; day += 30)
			row(&sb, nid(), at(day, 9 + k, 0), a, "RENT", 1200 + 10 * k, "ach", NULL, NULL, NULL, NULL,
			    NULL);
	}
	for (day = 1; day < 60; day++)
		row(&sb, nid(), at(day, 7, 0), "BUSY", "RENTCO", 20000, "ach", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.SPLIT_FAN");
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FC"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FP0"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FP4"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FI"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FA2"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "RENT"), 0);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "MIXED"), 0);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "BUSY"), 0);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "BP0"), 0);
	/* FC and its five payees, FI and its five payers */
	assert_int_equal(nsig_code(ws, "FIN.SPLIT_FAN"), 12);
	/* with the pace test off, the busy account's parts count too */
	assert_int_equal(rastro_config_set(ws, "finance.split_fan.burst_factor=0"), 0);
	detect_only(ws, "FIN.SPLIT_FAN");
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "BUSY"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "RENT"), 0);
	/* its own payroll categories: its own part flags beside the shared ones */
	assert_int_equal(rastro_config_set(ws, "finance.split_fan.burst_factor=3"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.split_fan.payroll_categories=[\"none\"]"), 0);
	detect_only(ws, "FIN.SPLIT_GATHER_SCATTER,FIN.SPLIT_FAN,FIN.RELAY_CHAIN");
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "FC"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_FAN", "BUSY"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Two accounts each pay the same two accounts similar parts within a day.
 * Look-alikes: the same shape with parts of very different sizes; the two
 * payers five days apart; small sums. */
static void split_bipartite(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(5, 8, 0), "B1", "D1", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 9, 0), "B1", "D2", 3300, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 15, 0), "B2", "D1", 2800, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(5, 16, 0), "B2", "D2", 3100, "ach", NULL, NULL, NULL, NULL, NULL);
	/* parts of any size */
	row(&sb, nid(), at(6, 8, 0), "C1", "E1", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(6, 9, 0), "C1", "E2", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(6, 15, 0), "C2", "E1", 300, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(6, 16, 0), "C2", "E2", 9000, "wire", NULL, NULL, NULL, NULL, NULL);
	/* days apart */
	row(&sb, nid(), at(7, 8, 0), "F1", "G1", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(7, 9, 0), "F1", "G2", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(12, 8, 0), "F2", "G1", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(12, 9, 0), "F2", "G2", 3000, "wire", NULL, NULL, NULL, NULL, NULL);
	/* small sums: roommates paying rent and power */
	row(&sb, nid(), at(8, 8, 0), "H1", "I1", 400, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(8, 9, 0), "H1", "I2", 420, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(8, 15, 0), "H2", "I1", 400, "ach", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(8, 16, 0), "H2", "I2", 420, "ach", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.SPLIT_BIPARTITE");
	assert_int_equal(nsig(ws, "FIN.SPLIT_BIPARTITE", "B1"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_BIPARTITE", "B2"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_BIPARTITE", "D1"), 1);
	assert_int_equal(nsig(ws, "FIN.SPLIT_BIPARTITE", "D2"), 1);
	assert_int_equal(nsig_code(ws, "FIN.SPLIT_BIPARTITE"), 4);
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "D1"), 4);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* A large sum handed on along four accounts within hours of arriving, each
 * hop between accounts with no other dealings.  Look-alikes: the same chain
 * of small sums, with days between hops, through a payee paid twice (a
 * regular counterparty), and a chain of three hops. */
static void relay_chain(void **state)
{
	static const double amt[4] = { 9000, 8000, 12000, 7000 };
	static const char *const pre[5] = { "R", "S", "T", "U", "V" };
	struct sbuf sb;
	rastro_ws *ws;
	char a[16], b[16];
	int k, c;

	(void)state;
	start(&sb);
	for (c = 0; c < 5; c++)
		for (k = 0; k < (c == 4 ? 3 : 4); k++) {
			snprintf(a, sizeof a, "%s%d", pre[c], k);
			snprintf(b, sizeof b, "%s%d", pre[c], k + 1);
			row(&sb, nid(), c == 2 ? at(5 + 3 * k, 9, 0) : at(5, 8 + 3 * k, 0), a, b,
			    c == 1 ? amt[k] / 10 : amt[k], "wire", NULL, NULL, NULL, NULL, NULL);
		}
	/* U2 pays U3 every week: a regular counterparty, not a relay */
	for (k = 10; k < 40; k += 7)
		row(&sb, nid(), at(k, 12, 0), "U2", "U3", 500, "ach", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.RELAY_CHAIN");
	for (k = 0; k <= 4; k++) {
		snprintf(a, sizeof a, "R%d", k);
		assert_int_equal(nsig(ws, "FIN.RELAY_CHAIN", a), 1);
	}
	assert_int_equal(nsig_code(ws, "FIN.RELAY_CHAIN"), 5);
	assert_int_equal(q1(ws, "SELECT count(*) FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
				" JOIN entity e ON e.id = s.entity_id WHERE e.key = ?1", "R2"), 4);
	/* three hops are a chain at min_hops 3 */
	assert_int_equal(rastro_config_set(ws, "finance.relay_chain.min_hops=3"), 0);
	detect_only(ws, "FIN.RELAY_CHAIN");
	assert_int_equal(nsig(ws, "FIN.RELAY_CHAIN", "V0"), 1);
	assert_int_equal(nsig(ws, "FIN.RELAY_CHAIN", "S0"), 0);
	assert_int_equal(nsig(ws, "FIN.RELAY_CHAIN", "T0"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void cycles(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;

	(void)state;
	start(&sb);
	row(&sb, nid(), at(2, 9, 0), "CA", "CB", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 11, 0), "CB", "CC", 4950, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 13, 0), "CC", "CA", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
	/* look-alike: the same three accounts' edges, but not in time order */
	row(&sb, nid(), at(2, 13, 0), "DA", "DB", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 11, 0), "DB", "DC", 4950, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 9, 0), "DC", "DA", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
	/* look-alike: an employer's wage, then rent to a flatmate, who pays
	 * the employer (also the landlord) */
	row(&sb, nid(), at(3, 5, 0), "WE", "WB", 1400, "ach", "payroll", NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 14, 0), "WB", "WC", 1000, "p2p", "rent", NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 17, 0), "WC", "WE", 700, "ach", "rent", NULL, NULL, NULL, NULL);
	/* friends passing tens of dollars round (below finance.cycle.min_usd) */
	row(&sb, nid(), at(4, 22, 0), "FR1", "FR2", 77, "p2p", NULL, NULL, NULL, NULL, "gracias");
	row(&sb, nid(), at(5, 18, 0), "FR2", "FR3", 46, "p2p", NULL, NULL, NULL, NULL, "gas money");
	row(&sb, nid(), at(6, 19, 0), "FR3", "FR1", 46, "p2p", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig(ws, "FIN.CYCLE", "CA"), 1);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "CB"), 1);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "CC"), 1);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "DA"), 0);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "WE"), 0);
	assert_int_equal(nsig_code(ws, "FIN.CYCLE"), 3);
	/* without the wage test and the amount floor both are cycles */
	assert_int_equal(rastro_config_set(ws, "finance.cycle.payroll_categories=[\"none\"]"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_usd=0"), 0);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig(ws, "FIN.CYCLE", "WE"), 1);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "FR1"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
	/* look-alike: two people paying each other back is below min_hops */
	start(&sb);
	row(&sb, nid(), at(2, 9, 0), "EA", "EB", 6000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 18, 0), "EB", "EA", 5990, "wire", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig_code(ws, "FIN.CYCLE"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_hops=2"), 0);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig_code(ws, "FIN.CYCLE"), 2);
	rastro_close(ws);
	sbuf_release(&sb);
	/* the hop bound: a 4-hop cycle is not found with max_hops 3 */
	start(&sb);
	row(&sb, nid(), at(2, 9, 0), "Q1", "Q2", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 10, 0), "Q2", "Q3", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 11, 0), "Q3", "Q4", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(2, 12, 0), "Q4", "Q1", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.max_hops=3"), 0);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig_code(ws, "FIN.CYCLE"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.max_hops=4"), 0);
	detect_only(ws, "FIN.CYCLE");
	assert_int_equal(nsig_code(ws, "FIN.CYCLE"), 4);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void pass_through(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 2; k++) {
		row(&sb, nid(), at(2 + 5 * k, 9, 0), "IN1", "MULE", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(2 + 5 * k, 11, 0), "MULE", "OUT1", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
		/* look-alike: a saver who spends the money weeks later */
		row(&sb, nid(), at(2 + 5 * k, 9, 0), "IN1", "SAVER", 5000, "wire", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(30 + 5 * k, 11, 0), "SAVER", "OUT1", 4900, "wire", NULL, NULL, NULL, NULL, NULL);
	}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.PASS_THROUGH");
	assert_int_equal(nsig(ws, "FIN.PASS_THROUGH", "MULE"), 1);
	assert_int_equal(nsig(ws, "FIN.PASS_THROUGH", "SAVER"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void bipartite_and_stack(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	int a, b;

	(void)state;
	start(&sb);
	for (a = 0; a < 2; a++)
		for (b = 0; b < 3; b++) {
			char s[8], d[8];

			snprintf(s, sizeof s, "BA%d", a);
			snprintf(d, sizeof d, "BB%d", b);
			row(&sb, nid(), at(3, 9 + a, b), s, d, 2000, "wire", NULL, NULL, NULL, NULL, NULL);
		}
	/* look-alikes: two roommates paying the same two accounts; two payers,
	 * each with its own two payees */
	row(&sb, nid(), at(3, 9, 0), "RM0", "RENT", 900, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 1), "RM0", "POWER", 60, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 2), "RM1", "RENT", 900, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 3), "RM1", "POWER", 60, "p2p", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 0), "NA0", "NB0", 2000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 1), "NA0", "NB1", 2000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 2), "NA1", "NB2", 2000, "wire", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(3, 9, 3), "NA1", "NB3", 2000, "wire", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.BIPARTITE");
	assert_int_equal(nsig(ws, "FIN.BIPARTITE", "BA0"), 1);
	assert_int_equal(nsig(ws, "FIN.BIPARTITE", "BB1"), 1);
	assert_int_equal(nsig(ws, "FIN.BIPARTITE", "NA0"), 0);
	assert_int_equal(nsig(ws, "FIN.BIPARTITE", "RM0"), 0);
	assert_int_equal(nsig_code(ws, "FIN.BIPARTITE"), 5);
	rastro_close(ws);
	sbuf_release(&sb);
	/* A -> B -> C: two chained layers are a stack */
	start(&sb);
	for (a = 0; a < 3; a++)
		for (b = 0; b < 3; b++) {
			char s[8], d[8];

			snprintf(s, sizeof s, "KA%d", a);
			snprintf(d, sizeof d, "KB%d", b);
			row(&sb, nid(), at(3, 9 + a, b), s, d, 2000, "wire", NULL, NULL, NULL, NULL, NULL);
			snprintf(s, sizeof s, "KB%d", a);
			snprintf(d, sizeof d, "KC%d", b);
			row(&sb, nid(), at(3, 15 + a, b), s, d, 1900, "wire", NULL, NULL, NULL, NULL, NULL);
		}
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "FIN.STACK");
	assert_int_equal(nsig_code(ws, "FIN.STACK"), 9);
	assert_int_equal(nsig(ws, "FIN.STACK", "KA0"), 1);
	assert_int_equal(nsig(ws, "FIN.STACK", "KC1"), 1);
	/* only the wanted code is written */
	assert_int_equal(nsig_code(ws, "FIN.BIPARTITE"), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

/* ---- outputs: victims, SAR, determinism, evaluation, odd input ---- */

static char *dump_signals(rastro_ws *ws)
{
	sqlite3 *db = db_of(ws, 1);
	sqlite3_stmt *st;
	struct sbuf sb;

	sbuf_init(&sb);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT s.code, s.entity_id, s.score, s.explanation, s.details,"
					       " (SELECT group_concat(record_id || ':' || role) FROM signal_evidence"
					       "  WHERE signal_id = s.id) FROM signal s ORDER BY s.id", -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int c;

		for (c = 0; c < 6; c++)
			sbuf_addf(&sb, "%s|", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "");
		sbuf_addc(&sb, '\n');
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT entity_id, score, parts FROM fin_risk ORDER BY entity_id", -1, &st,
					    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		sbuf_addf(&sb, "%lld|%.9f|%s\n", sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
			  sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sbuf_detach(&sb, NULL);
}

/* A random little economy with every kind of activity. */
static char *random_world(uint64_t seed, int n)
{
	static const char *const chans[] = { "wire", "ach", "cash", "p2p", "card", "check" };
	static const char *const cats[] = { "", "lodging", "phone", "payroll", "rent", "grocery", "prepaid_load" };
	static const char *const cities[] = { "Houston", "El Paso", "Chicago", "Atlanta", "Laredo", "" };
	struct rng r;
	struct sbuf sb;
	int i;

	rng_seed(&r, seed);
	start(&sb);
	for (i = 0; i < n; i++) {
		int from = (int)rng_below(&r, 60), to = (int)rng_below(&r, 60);
		const char *ch = chans[rng_below(&r, 6)];
		char fs[8], ts[8];

		snprintf(fs, sizeof fs, "A%d", from);
		snprintf(ts, sizeof ts, "A%d", to);
		sbuf_addf(&sb, "w%d,%s,%s,,%s,,%.2f,USD,%s,%s,%s,TX,US,%s,\n", i,
			  at(1 + (int)rng_below(&r, 40), (int)rng_below(&r, 24), (int)rng_below(&r, 60)),
			  strcmp(ch, "cash") == 0 && rng_chance(&r, 0.5) ? "" : fs, ts,
			  rng_lognormal(&r, 7, 1.2), ch, cats[rng_below(&r, 7)], cities[rng_below(&r, 6)],
			  rng_chance(&r, 0.05) ? "pago del cruce" : "");
	}
	return sbuf_detach(&sb, NULL);
}

static void determinism(void **state)
{
	char *world = random_world(42, 4000), *a, *b, *c;
	rastro_ws *ws;
	struct rastro_detect_opts o1 = { NULL, 1 }, o2 = { NULL, 2 }, o8 = { NULL, 8 };
	struct rastro_detect_stats s;

	(void)state;
	ws = ws_with(world, NULL);
	assert_int_equal(rastro_detect(ws, &o1, &s), 0);
	assert_true(s.signals > 10);
	a = dump_signals(ws);
	assert_int_equal(rastro_detect(ws, &o2, &s), 0);
	b = dump_signals(ws);
	assert_int_equal(rastro_detect(ws, &o8, &s), 0);
	c = dump_signals(ws);
	/* signal ids restart after each run, so the dumps compare whole */
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
	{
		/* alerts: same rows in the same order */
		rastro_table *t1, *t2;
		struct rastro_alert_opts ao = { 0 };
		size_t r, col;

		assert_int_equal(rastro_alerts(ws, &ao, &t1), 0);
		assert_int_equal(rastro_detect(ws, &o1, &s), 0);
		assert_int_equal(rastro_alerts(ws, &ao, &t2), 0);
		assert_int_equal(rastro_table_nrows(t1), rastro_table_nrows(t2));
		assert_true(rastro_table_nrows(t1) > 0);
		for (r = 0; r < rastro_table_nrows(t1); r++)
			for (col = 0; col < rastro_table_ncols(t1); col++) {
				const char *x = rastro_table_cell(t1, r, col), *y = rastro_table_cell(t2, r, col);

				if (!x || !y)
					assert_true(x == y);
				else
					assert_string_equal(x, y);
			}
		/* a short list reads evidence signal by signal, a long one all at
		 * once (fin_view_preload): the same rows either way */
		{
			struct rastro_alert_opts so = { 0 };
			rastro_table *t3;
			size_t k = rastro_table_nrows(t1) < 400 ? rastro_table_nrows(t1) : 400;

			so.limit = k;
			assert_int_equal(rastro_alerts(ws, &so, &t3), 0);
			assert_int_equal(rastro_table_nrows(t3), k);
			for (r = 0; r < k; r++)
				for (col = 0; col < rastro_table_ncols(t1); col++) {
					const char *x = rastro_table_cell(t1, r, col), *y = rastro_table_cell(t3, r, col);

					if (!x || !y)
						assert_true(x == y);
					else
						assert_string_equal(x, y);
				}
			rastro_table_free(t3);
		}
		rastro_table_free(t1);
		rastro_table_free(t2);
	}
	rastro_close(ws);
	free(world);
}

/* Every cell of every row of t, joined, for "does it mention X" checks. */
static char *table_text(const rastro_table *t)
{
	struct sbuf sb;
	size_t r, c;

	sbuf_init(&sb);
	for (r = 0; r < rastro_table_nrows(t); r++)
		for (c = 0; c < rastro_table_ncols(t); c++) {
			const char *s = rastro_table_cell(t, r, c);

			sbuf_addf(&sb, "%s\t", s ? s : "");
		}
	return sbuf_detach(&sb, NULL);
}

static void victims_never_in_outputs(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	rastro_table *t;
	struct rastro_alert_opts ao = { 0 };
	char *text, sql[256], *txt;
	int k;

	(void)state;
	start(&sb);
	for (k = 0; k < 3; k++) {
		char w[8];

		snprintf(w, sizeof w, "VW%d", k);
		row(&sb, nid(), at(5, 8, 0), "VEMP", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(5, 12, 0), w, "VCTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 8, 0), "VEMP", w, 1200, "ach", "payroll", NULL, NULL, NULL, NULL);
		row(&sb, nid(), at(12, 12, 0), w, "VCTRL", 1080, "p2p", NULL, NULL, NULL, NULL, NULL);
	}
	/* a victim who is also, on her own, the subject of a signal */
	row(&sb, nid(), at(1, 10, 0), NULL, "VW0", 9500, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(8, 10, 0), NULL, "VW0", 9800, "cash", NULL, NULL, NULL, NULL, NULL);
	row(&sb, nid(), at(15, 10, 0), NULL, "VW0", 9100, "cash", NULL, NULL, NULL, NULL, NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "payroll_funnel,structuring");
	assert_int_equal(nsig(ws, "FIN.STRUCTURING", "VW0"), 1);
	/* the victims module flags the workers after detection ran */
	snprintf(sql, sizeof sql, "INSERT INTO victim_flag(entity_id, score, reasons) SELECT id, 1, '[]' FROM entity"
				  " WHERE key IN ('VW0', 'VW1', 'VW2')");
	exec(ws, sql);
	assert_int_equal(rastro_alerts(ws, &ao, &t), 0);
	txt = table_text(t);
	assert_null(strstr(txt, "VW0"));
	assert_null(strstr(txt, "VW1"));
	assert_non_null(strstr(txt, "VCTRL"));
	free(txt);
	rastro_table_free(t);
	ao.by_signal = 1;
	assert_int_equal(rastro_alerts(ws, &ao, &t), 0);
	txt = table_text(t);
	assert_null(strstr(txt, "VW0"));
	free(txt);
	rastro_table_free(t);
	assert_int_equal(rastro_risk(ws, NULL, NULL, &t), 0);
	txt = table_text(t);
	assert_null(strstr(txt, "VW"));
	free(txt);
	rastro_table_free(t);
	/* no SAR for a victim; the controller's SAR names no worker */
	assert_int_equal(rastro_sar(ws, "VW0", NULL, &text), RASTRO_DENIED);
	assert_int_equal(rastro_sar(ws, "VCTRL", NULL, &text), 0);
	assert_null(strstr(text, "VW0"));
	assert_null(strstr(text, "VW1"));
	assert_non_null(strstr(text, "[protected]"));
	assert_non_null(strstr(text, "HUMAN TRAFFICKING FIN-2020-A008"));
	assert_non_null(strstr(text, "[x] 38(h)"));
	assert_non_null(strstr(text, "[ ] 38(g)"));
	rastro_sar_free(text);
	/* and a fresh detection gives victims no risk row */
	detect_only(ws, "payroll_funnel,structuring");
	assert_int_equal(q1(ws, "SELECT count(*) FROM fin_risk r JOIN victim_flag v ON v.entity_id = r.entity_id", NULL), 0);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void sar_and_labels(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	char *text;
	struct rastro_viewer v = { 0 };
	const char *other[] = { "OTHER" };

	(void)state;
	start(&sb);
	row(&sb, nid(), at(1, 10, 0), NULL, "SF", 4000, "cash", NULL, "Houston", "TX", "US", NULL);
	row(&sb, nid(), at(2, 10, 0), NULL, "SF", 4500, "cash", NULL, "Atlanta", "GA", "US", NULL);
	row(&sb, nid(), at(3, 10, 0), NULL, "SF", 3800, "cash", NULL, "Chicago", "IL", "US", NULL);
	row(&sb, nid(), at(4, 12, 0), "SF", NULL, 11000, "cash", NULL, "El Paso", "TX", "US", NULL);
	ws = ws_with(sb.buf, NULL);
	detect_only(ws, "funnel");
	assert_int_equal(rastro_sar(ws, "SF", NULL, &text), 0);
	assert_non_null(strstr(text, "FIN-2023-HUMANSMUGGLING"));
	assert_non_null(strstr(text, "HUMAN TRAFFICKING FIN-2020-A008"));
	assert_non_null(strstr(text, "[x] 38(g)"));
	assert_non_null(strstr(text, "Who (subject)"));
	assert_non_null(strstr(text, "Why (indicators"));
	assert_non_null(strstr(text, "El Paso"));
	assert_non_null(strstr(text, ":5 "));  /* source line of the withdrawal */
	rastro_sar_free(text);
	/* a caller without the records' label sees nothing to report */
	v.labels = other;
	v.nlabels = 1;
	assert_int_equal(rastro_sar(ws, "SF", &v, &text), RASTRO_NOTFOUND);
	assert_int_equal(rastro_sar(ws, "NOSUCH", NULL, &text), RASTRO_NOTFOUND);
	{
		rastro_table *t;
		struct rastro_alert_opts ao = { 0 };

		ao.viewer = &v;
		assert_int_equal(rastro_alerts(ws, &ao, &t), 0);
		assert_int_equal(rastro_table_nrows(t), 0);
		rastro_table_free(t);
	}
	rastro_close(ws);
	sbuf_release(&sb);
}

static const char *eval_cell(const rastro_table *t, const char *level, const char *group, const char *subset,
			     const char *col)
{
	size_t r, c, nc = rastro_table_ncols(t);

	for (r = 0; r < rastro_table_nrows(t); r++)
		if (strcmp(rastro_table_cell(t, r, 0), level) == 0 && strcmp(rastro_table_cell(t, r, 1), group) == 0 &&
		    strcmp(rastro_table_cell(t, r, 2), subset) == 0)
			for (c = 0; c < nc; c++)
				if (strcmp(rastro_table_colname(t, c), col) == 0)
					return rastro_table_cell(t, r, c);
	return NULL;
}

static void evaluation(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	rastro_table *t;
	struct rastro_eval_opts eo = { 0 };

	(void)state;
	sbuf_init(&sb);
	sbuf_adds(&sb, "txn_id,timestamp,from_account,to_account,amount,channel,label,label_group\n");
	/* a labelled cycle (found), a labelled pair (missed), a false alarm cycle */
	sbuf_addf(&sb, "a,%s,CA,CB,5000,wire,1,g1\nb,%s,CB,CC,4950,wire,1,g1\nc,%s,CC,CA,4900,wire,1,g1\n",
		  at(2, 9, 0), at(2, 10, 0), at(2, 11, 0));
	sbuf_addf(&sb, "d,%s,LX,LY,700,wire,1,g2\n", at(2, 9, 0));
	sbuf_addf(&sb, "e,%s,FA,FB,100,wire,0,\nf,%s,FB,FA,99,wire,0,\n", at(3, 9, 0), at(3, 10, 0));
	ws = ws_with(sb.buf, NULL);
	/* two-hop cycles are below the default min_hops and these amounts
	 * below its min_usd; counted here */
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_hops=2"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_usd=0"), 0);
	detect_only(ws, "cycle");
	assert_int_equal(rastro_eval(ws, &eo, &t), 0);
	/* transactions: 3 found of 4 illicit, 2 false */
	assert_string_equal(eval_cell(t, "transaction", "all", "all days", "tp"), "3");
	assert_string_equal(eval_cell(t, "transaction", "all", "all days", "fp"), "2");
	assert_string_equal(eval_cell(t, "transaction", "all", "all days", "fn"), "1");
	assert_string_equal(eval_cell(t, "transaction", "all", "all days", "precision"), "0.6000");
	assert_string_equal(eval_cell(t, "transaction", "all", "all days", "recall"), "0.7500");
	/* accounts: CA CB CC alerted and true, FA FB alerted and false, LX LY missed */
	assert_string_equal(eval_cell(t, "account", "all", "all days", "tp"), "3");
	assert_string_equal(eval_cell(t, "account", "all", "all days", "fp"), "2");
	assert_string_equal(eval_cell(t, "account", "all", "all days", "fn"), "2");
	/* networks: g1 found, g2 missed */
	assert_string_equal(eval_cell(t, "network", "all", "all days", "tp"), "1");
	assert_string_equal(eval_cell(t, "network", "all", "all days", "fn"), "1");
	assert_string_equal(eval_cell(t, "account", "all", "top-k alerts", "precision"), "0.6000");
	rastro_table_free(t);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void odd_input(void **state)
{
	struct sbuf sb;
	rastro_ws *ws;
	struct rastro_detect_opts o = { NULL, 2 };
	struct rastro_detect_stats s;

	(void)state;
	sbuf_init(&sb);
	sbuf_adds(&sb, TXN_HEAD);
	/* near-threshold cash in an unknown currency: no dollar amount, no structuring */
	sbuf_addf(&sb, "o1,%s,,,UC,,9500,XYZ,cash,,,,,,\n", at(1, 10, 0));
	sbuf_addf(&sb, "o2,%s,,,UC,,9600,XYZ,cash,,,,,,\n", at(2, 10, 0));
	sbuf_addf(&sb, "o3,%s,,,UC,,9700,XYZ,cash,,,,,,\n", at(3, 10, 0));
	/* a cycle made of self-transfers and zero amounts is no cycle */
	sbuf_addf(&sb, "o4,%s,SA,,SA,,100,USD,reinvestment,,,,,,\n", at(2, 9, 0));
	sbuf_addf(&sb, "o5,%s,ZA,,ZB,,0,USD,wire,,,,,,\n", at(2, 9, 0));
	sbuf_addf(&sb, "o6,%s,ZB,,ZA,,0,USD,wire,,,,,,\n", at(2, 10, 0));
	/* out of time order in the file: the cycle is still found */
	sbuf_addf(&sb, "o7,%s,OB,,OA,,980,USD,wire,,,,,,\n", at(4, 14, 0));
	sbuf_addf(&sb, "o8,%s,OA,,OB,,1000,USD,wire,,,,,,\n", at(4, 10, 0));
	ws = ws_with(sb.buf, NULL);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_hops=2"), 0);
	assert_int_equal(rastro_config_set(ws, "finance.cycle.min_usd=0"), 0);
	assert_int_equal(rastro_detect(ws, &o, &s), 0);
	assert_int_equal(s.unknown_currency, 3);
	assert_int_equal(s.self_transfers, 1);
	assert_int_equal(s.zero_amounts, 2);
	assert_int_equal(s.out_of_order, 2);  /* o4 and o8 come before their predecessors */
	assert_int_equal(nsig_code(ws, "FIN.STRUCTURING"), 0);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "ZA"), 0);
	assert_int_equal(nsig(ws, "FIN.CYCLE", "OA"), 1);
	rastro_close(ws);
	sbuf_release(&sb);
	/* an empty workspace: detection runs and finds nothing */
	{
		rastro_ws *e;
		const char *p = tu_path("empty.rastro");

		unlink(p);
		assert_int_equal(rastro_open(p, RASTRO_OPEN_CREATE, &e), 0);
		assert_int_equal(rastro_detect(e, &o, &s), 0);
		assert_int_equal(s.signals, 0);
		rastro_close(e);
	}
}

static void bad_settings(void **state)
{
	rastro_ws *ws = ws_with("txn_id,timestamp,from_account,to_account,amount\nx,2024-03-01,A,B,10\n", NULL);
	struct rastro_detect_opts o = { "FIN.NOPE", 1 };
	struct rastro_detect_stats s;

	(void)state;
	assert_int_equal(rastro_detect(ws, &o, &s), RASTRO_USAGE);
	assert_non_null(strstr(rastro_errmsg(ws), "FIN.NOPE"));
	assert_int_equal(rastro_config_set(ws, "finance.lists.adsites=/nonexistent/list.tsv"), 0);
	o.only = NULL;
	assert_int_equal(rastro_detect(ws, &o, &s), RASTRO_NOTFOUND);
	assert_non_null(strstr(rastro_errmsg(ws), "/nonexistent/list.tsv"));
	rastro_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(structuring),
		cmocka_unit_test(funnel),
		cmocka_unit_test(funnel_relay),
		cmocka_unit_test(cash_to_corridor),
		cmocka_unit_test(border_fanin),
		cmocka_unit_test(cash_no_ach),
		cmocka_unit_test(cash_no_payroll),
		cmocka_unit_test(offhours_cash),
		cmocka_unit_test(prepaid_and_mobility),
		cmocka_unit_test(escort_site),
		cmocka_unit_test(escort_ads_elsewhere),
		cmocka_unit_test(victim_costs),
		cmocka_unit_test(payroll_funnel),
		cmocka_unit_test(swept_earner_not_subject),
		cmocka_unit_test(peer_outliers),
		cmocka_unit_test(shared_identifier),
		cmocka_unit_test(ad_identifier),
		cmocka_unit_test(smuggling_memo),
		cmocka_unit_test(fans),
		cmocka_unit_test(scatter_gather),
		cmocka_unit_test(gather_scatter),
		cmocka_unit_test(split_gather_scatter),
		cmocka_unit_test(split_fan),
		cmocka_unit_test(split_bipartite),
		cmocka_unit_test(relay_chain),
		cmocka_unit_test(cycles),
		cmocka_unit_test(pass_through),
		cmocka_unit_test(bipartite_and_stack),
		cmocka_unit_test(determinism),
		cmocka_unit_test(victims_never_in_outputs),
		cmocka_unit_test(sar_and_labels),
		cmocka_unit_test(evaluation),
		cmocka_unit_test(odd_input),
		cmocka_unit_test(bad_settings),
		cmocka_unit_test(earnings_sweep_timing),
		cmocka_unit_test(earnings_sweep_links),
		cmocka_unit_test(trip_payout),
		cmocka_unit_test(trip_payout_local),
		cmocka_unit_test(placement_fanout_shopper),
		cmocka_unit_test(funnel_beneficiary_hops),
		cmocka_unit_test(alert_rule),
		cmocka_unit_test(placement_fanout),
		cmocka_unit_test(placement_fanout_best_window),
		cmocka_unit_test(oneoff_fanout),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_cleanup();
	return rc;
}
