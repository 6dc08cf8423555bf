/*
 * Unit tests of the workspace and ingest through the public API: schema
 * creation and reopening, refusal of non-workspaces, loads of each core
 * format, quarantine, strict mode, duplicate detection and entity reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>

#include "rastro.h"
#include "testutil.h"

static long long count(const char *ws, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open_v2(ws, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static rastro_ws *open_new(const char *name)
{
	rastro_ws *ws;
	const char *p = tu_path(name);

	unlink(p);
	assert_int_equal(rastro_open(p, RASTRO_OPEN_CREATE, &ws), 0);
	return ws;
}

static void creates_and_reopens(void **state)
{
	rastro_ws *ws = open_new("a.rastro");
	rastro_table *c, *s;

	(void)state;
	rastro_close(ws);
	assert_int_equal(rastro_open(tu_path("a.rastro"), RASTRO_OPEN_READONLY, &ws), 0);
	assert_int_equal(rastro_status(ws, &c, &s), 0);
	assert_true(rastro_table_nrows(c) >= 10);
	assert_int_equal(rastro_table_nrows(s), 0);
	rastro_table_free(c);
	rastro_table_free(s);
	rastro_close(ws);
	assert_true(count(tu_path("a.rastro"), "SELECT version FROM schema_version WHERE component='core'") >= 2);
	assert_int_equal(count(tu_path("a.rastro"), "SELECT count(*) FROM sqlite_master WHERE name = 'victim_flag'"), 1);
	assert_int_equal(count(tu_path("a.rastro"), "SELECT count(*) FROM pragma_foreign_keys"), 1);
}

static void refuses_what_is_not_a_workspace(void **state)
{
	rastro_ws *ws;
	int rc;

	(void)state;
	rc = rastro_open(tu_path("missing.rastro"), 0, &ws);
	assert_int_equal(rc, RASTRO_NOTFOUND);
	assert_non_null(strstr(rastro_errmsg(ws), "rastro init"));
	rastro_close(ws);
	rc = rastro_open(tu_writes("not.rastro", "this is a text file, not a database, really not\n"), 0, &ws);
	assert_int_equal(rc, RASTRO_CORRUPT);
	assert_non_null(strstr(rastro_errmsg(ws), "not a valid rastro workspace"));
	rastro_close(ws);
	rc = rastro_open(tu_dir(), RASTRO_OPEN_CREATE, &ws);
	assert_int_equal(rc, RASTRO_USAGE);
	rastro_close(ws);
}

static const char *ibm_text =
	"Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering\r\n"
	"2022/09/01 00:20,10,8000EBD30,10,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0\r\n"
	"2022/09/01 00:20,3208,8000F4580,1,8000F5340,0.01,US Dollar,0.01,US Dollar,Cheque,0\r\n"
	"2022/09/01 00:00,3209,8000F4670,3209,8000F4670,14675.57,US Dollar,14675.57,US Dollar,Reinvestment,0\r\n"
	"2022/09/01 00:02,12,8000F5030,12,8000F5030,2806.97,US Dollar,2806.97,US Dollar,Reinvestment,0\r\n"
	"2022/09/01 00:06,10,8000EBD30,0001,8000F5340,100.00,Euro,110.00,US Dollar,ACH,1\r\n";

static void loads_ibm_format(void **state)
{
	rastro_ws *ws = open_new("ibm.rastro");
	struct rastro_ingest_stats st;
	const char *p = tu_writes("HI-Tiny_Trans.csv", ibm_text);

	(void)state;
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_string_equal(st.format, "ibm-aml");
	assert_int_equal(st.rows_read, 5);
	assert_int_equal(st.rows_loaded, 5);
	assert_int_equal(st.rows_quarantined, 0);
	/* 10/8000EBD30, 3208/8000F4580, 1/8000F5340 (0001 is the same bank),
	 * 3209/8000F4670, 12/8000F5030. */
	assert_int_equal(st.entities_added, 5);
	rastro_close(ws);
	p = tu_path("ibm.rastro");
	assert_int_equal(count(p, "SELECT count(*) FROM txn"), 5);
	assert_int_equal(count(p, "SELECT count(*) FROM txn WHERE label = 1 AND currency = 'EUR' AND pay_currency = 'USD'"), 1);
	assert_int_equal(count(p, "SELECT count(*) FROM txn WHERE channel = 'reinvestment' AND src = dst"), 3);
	assert_int_equal(count(p, "SELECT line FROM txn WHERE channel = 'check'"), 3);
	assert_int_equal(count(p, "SELECT count(*) FROM record WHERE kind = 'txn'"), 5);
	assert_int_equal(count(p, "SELECT count(*) FROM account WHERE bank = '10' AND number = '8000EBD30'"), 1);
	assert_int_equal(count(p, "SELECT count(*) FROM sqlite_master WHERE name = 'txn_src_ts'"), 1);
}

static void skips_duplicate_content_unless_forced(void **state)
{
	rastro_ws *ws = open_new("dup.rastro");
	struct rastro_ingest_stats st;
	struct rastro_ingest_opts o = { 0 };
	const char *p = tu_writes("dup.csv", ibm_text);

	(void)state;
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_true(st.skipped_duplicate);
	assert_int_equal(st.rows_loaded, 0);
	o.force = 1;
	assert_int_equal(rastro_ingest(ws, p, &o, &st), 0);
	assert_int_equal(st.rows_loaded, 5);
	assert_int_equal(st.entities_added, 0); /* accounts are reused */
	rastro_close(ws);
	assert_int_equal(count(tu_path("dup.rastro"), "SELECT count(*) FROM txn"), 10);
	assert_int_equal(count(tu_path("dup.rastro"), "SELECT count(*) FROM source"), 2);
	assert_int_equal(count(tu_path("dup.rastro"), "SELECT count(DISTINCT id) FROM record"), 10);
}

static const char *generic_text =
	"txn_id,timestamp,from_account,from_name,to_account,to_name,amount,currency,channel,category,city,region,country,memo\n"
	"t1,2024-03-01T10:00:00,A1,Ana Ruiz,B1,Motel Sol,120.50,USD,card,lodging,El Paso,TX,US,\n"
	"t2,2024-03-01T23:30:00,,,A1,,9500,USD,cash,,Laredo,TX,US,deposito\n"
	"t3,2024-03-02,A1,,C9,,abc,USD,wire,,,,,\n"
	"t4,2024-02-30T10:00:00,A1,,C9,,10,USD,wire,,,,,\n"
	"t5,2024-03-03T10:00:00,A1,,C9,,-5,USD,wire,,,,,\n"
	"t1,2024-03-04T10:00:00,A1,,C9,,5,USD,wire,,,,,\n"
	"t7,2024-03-05T10:00:00,,,,,5,USD,wire,,,,,\n"
	"t8,2024-03-05T10:00:00,A1,,C9,,5,USD\n"
	"t9,2024-03-06T10:00:00,C9,,A1,,77,MXN,Zelle,,CDMX,,MX,\"pago, \"\"viaje\"\"\"\n";

static void quarantines_bad_rows_with_place(void **state)
{
	rastro_ws *ws = open_new("gen.rastro");
	struct rastro_ingest_stats st;
	rastro_table *q;
	const char *p = tu_writes("txns.csv", generic_text);
	size_t i;

	(void)state;
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_string_equal(st.format, "generic");
	assert_int_equal(st.rows_read, 9);
	assert_int_equal(st.rows_loaded, 3);
	assert_int_equal(st.rows_quarantined, 6);
	assert_int_equal(rastro_quarantine(ws, 0, 0, &q), 0);
	assert_int_equal(rastro_table_nrows(q), 6);
	/* line, column and reason of each */
	{
		static const struct { const char *line, *col, *reason; } want[] = {
			{ "4", "66", "column 'amount': not a number ('abc')" },
			{ "5", "4", "column 'timestamp': day out of range for its month ('2024-02-30T10:00:00')" },
			{ "6", "66", "column 'amount': negative amount" },
			{ "7", "1", "column 'txn_id': duplicate transaction id (first seen at line 2)" },
			{ "8", "24", "column 'from_account': neither from_account nor to_account is given" },
			{ "9", "1", "expected 14 fields as in the header, found 8" },
		};

		for (i = 0; i < 6; i++) {
			assert_string_equal(rastro_table_cell(q, i, 3), want[i].line);
			assert_non_null(strstr(rastro_table_cell(q, i, 5), want[i].reason));
		}
		(void)want[0].col;
	}
	rastro_table_free(q);
	rastro_close(ws);
	p = tu_path("gen.rastro");
	assert_int_equal(count(p, "SELECT count(*) FROM txn WHERE src IS NULL AND channel = 'cash'"), 1);
	assert_int_equal(count(p, "SELECT count(*) FROM txn WHERE channel = 'p2p' AND currency = 'MXN' AND memo = 'pago, \"viaje\"'"), 1);
	assert_int_equal(count(p, "SELECT count(*) FROM entity WHERE kind='account' AND label = 'Motel Sol'"), 1);
	assert_int_equal(count(p, "SELECT rows_quarantined FROM source"), 6);
}

static void strict_mode_loads_nothing(void **state)
{
	rastro_ws *ws = open_new("strict.rastro");
	struct rastro_ingest_stats st;
	struct rastro_ingest_opts o = { 0 };
	const char *p = tu_writes("strict.csv", generic_text);

	(void)state;
	o.strict = 1;
	assert_int_equal(rastro_ingest(ws, p, &o, &st), RASTRO_FORMAT);
	assert_non_null(strstr(rastro_errmsg(ws), "strict.csv:4:23:"));
	rastro_close(ws);
	assert_int_equal(count(tu_path("strict.rastro"), "SELECT count(*) FROM txn"), 0);
	assert_int_equal(count(tu_path("strict.rastro"), "SELECT count(*) FROM source"), 0);
	assert_int_equal(count(tu_path("strict.rastro"), "SELECT count(*) FROM entity"), 0);
}

static void loads_amlsim_and_kyc(void **state)
{
	rastro_ws *ws = open_new("sim.rastro");
	struct rastro_ingest_stats st;
	const char *p;

	(void)state;
	p = tu_writes("transactions.csv",
		"tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id\n"
		"1,10,20,TRANSFER,100.5,2017-01-01T00:00:00Z,False,-1\n"
		"2,20,30,TRANSFER,90.0,2017-01-02T00:00:00Z,True,7\n");
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_string_equal(st.format, "amlsim");
	assert_int_equal(st.rows_loaded, 2);
	p = tu_writes("kyc.csv",
		"account_id,name,dob,address,city,state,zip,phone,email,opened,occupation\n"
		"10,José Hernández Núñez,1990-07-03,12 Calle Sol,El Paso,TX,79901,+1 915 555 0100,jh@example.com,2015-01-02,cook\n"
		"99,New Holder,,,,,,,,,\n"
		"10,Again,,,,,,,,,\n"
		"11,Bad Date,1990-02-31,,,,,,,,\n");
	assert_int_equal(rastro_ingest(ws, p, NULL, &st), 0);
	assert_string_equal(st.format, "kyc");
	assert_int_equal(st.rows_loaded, 2);
	assert_int_equal(st.rows_quarantined, 2);
	assert_int_equal(st.entities_added, 1); /* account 99; account 10 existed */
	rastro_close(ws);
	p = tu_path("sim.rastro");
	assert_int_equal(count(p, "SELECT count(*) FROM txn WHERE label = 1 AND label_group = '7'"), 1);
	assert_int_equal(count(p, "SELECT count(*) FROM kyc k JOIN entity e ON e.id = k.account WHERE e.key = '10' AND k.dob = '1990-07-03'"), 1);
}

static void rejects_empty_and_unknown_files(void **state)
{
	rastro_ws *ws = open_new("bad.rastro");
	struct rastro_ingest_stats st;
	struct rastro_ingest_opts o = { 0 };
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

	(void)state;
	assert_int_equal(rastro_ingest(ws, tu_writes("empty.csv", ""), NULL, &st), RASTRO_FORMAT);
	assert_non_null(strstr(rastro_errmsg(ws), "empty"));
	assert_int_equal(rastro_ingest(ws, tu_write("img.png", png, sizeof png), NULL, &st), RASTRO_FORMAT);
	assert_non_null(strstr(rastro_errmsg(ws), "img.png:1:1"));
	assert_int_equal(rastro_ingest(ws, tu_writes("what.csv", "foo,bar\n1,2\n"), NULL, &st), RASTRO_FORMAT);
	assert_non_null(strstr(rastro_errmsg(ws), "cannot tell the format"));
	o.format = "ibm-aml";
	assert_int_equal(rastro_ingest(ws, tu_writes("what2.csv", "foo,bar\n1,2\n"), &o, &st), RASTRO_FORMAT);
	o.format = "no-such-format";
	assert_int_equal(rastro_ingest(ws, tu_writes("what3.csv", "foo,bar\n1,2\n"), &o, &st), RASTRO_USAGE);
	assert_int_equal(rastro_ingest(ws, tu_path("does-not-exist.csv"), NULL, &st), RASTRO_NOTFOUND);
	rastro_close(ws);
	assert_int_equal(count(tu_path("bad.rastro"), "SELECT count(*) FROM source"), 0);
}

static void column_mapping(void **state)
{
	rastro_ws *ws = open_new("map.rastro");
	struct rastro_ingest_stats st;
	struct rastro_ingest_opts o = { 0 };

	(void)state;
	o.format = "generic";
	o.mapping = "timestamp=Fecha,from_account=Origen,to_account=Destino,amount=Monto";
	assert_int_equal(rastro_ingest(ws, tu_writes("es.csv", "Fecha,Origen,Destino,Monto\n2024-01-01,A,B,5\n"), &o, &st), 0);
	assert_int_equal(st.rows_loaded, 1);
	o.mapping = NULL;
	assert_int_equal(rastro_ingest(ws, tu_writes("es2.csv", "Fecha,Origen,Destino,Monto\n2024-01-01,A,B,6\n"), &o, &st), RASTRO_FORMAT);
	assert_non_null(strstr(rastro_errmsg(ws), "'timestamp'"));
	rastro_close(ws);
}

static int teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creates_and_reopens),
		cmocka_unit_test(refuses_what_is_not_a_workspace),
		cmocka_unit_test(loads_ibm_format),
		cmocka_unit_test(skips_duplicate_content_unless_forced),
		cmocka_unit_test(quarantines_bad_rows_with_place),
		cmocka_unit_test(strict_mode_loads_nothing),
		cmocka_unit_test(loads_amlsim_and_kyc),
		cmocka_unit_test(rejects_empty_and_unknown_files),
		cmocka_unit_test(column_mapping),
	};

	return cmocka_run_group_tests_name("workspace", tests, NULL, teardown);
}
