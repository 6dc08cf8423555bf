/*
 * schema: the core tables and the migration runner.
 *
 * Core owns provenance (agency, source, quarantine, run_log), the entity and
 * edge graph, signals and networks, and the transaction and KYC record
 * tables that the foundation's readers fill.  Later modules register their
 * own components in `components` below.
 */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "core/sbuf.h"
#include "network/network.h"
#include "resolve/er.h"
#include "ads/ads.h"
/* finance */
#include "finance/finance.h"

static const char *const core_migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE agency(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT);"
	"CREATE TABLE source("
	" id INTEGER PRIMARY KEY,"
	" path TEXT NOT NULL,"               /* as given on the command line */
	" format TEXT NOT NULL,"
	" kind TEXT NOT NULL,"               /* record kind: txn, kyc, person, ad... */
	" content_hash TEXT,"                /* XXH3-128 of the raw file bytes */
	" bytes INTEGER,"
	" agency_id INTEGER NOT NULL REFERENCES agency(id) DEFERRABLE INITIALLY DEFERRED,"
	" label TEXT NOT NULL,"              /* dissemination label */
	" loaded_at TEXT NOT NULL,"
	" rows_read INTEGER NOT NULL DEFAULT 0,"
	" rows_loaded INTEGER NOT NULL DEFAULT 0,"
	" rows_quarantined INTEGER NOT NULL DEFAULT 0,"
	" first_record INTEGER, last_record INTEGER,"
	" run_id INTEGER);"
	"CREATE INDEX source_hash ON source(content_hash);"
	"CREATE TABLE quarantine("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER, col INTEGER, byte_offset INTEGER,"
	" reason TEXT NOT NULL,"
	" raw TEXT,"                         /* the row as read (first 64 KiB) */
	" raw_bytes INTEGER);"               /* its full length */
	"CREATE INDEX quarantine_source ON quarantine(source_id);"
	"CREATE TABLE run_log("
	" id INTEGER PRIMARY KEY, command TEXT NOT NULL, args TEXT,"
	" started_at TEXT NOT NULL, finished_at TEXT, status TEXT, summary TEXT);"
	"CREATE TABLE entity("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"               /* account, person, phone, email, handle, address, org, ad... */
	" key TEXT NOT NULL,"                /* normalised identity within the kind */
	" label TEXT,"                       /* display name */
	" first_record INTEGER);"            /* record that first named it */
	"CREATE UNIQUE INDEX entity_kind_key ON entity(kind, key);"
	"CREATE TABLE account("
	" entity_id INTEGER PRIMARY KEY REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" bank TEXT,"                        /* as written in the source, may be NULL */
	" number TEXT NOT NULL);"
	"CREATE TABLE txn("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT,"                      /* the source's own transaction id */
	" ts INTEGER NOT NULL,"              /* seconds since 1970 (UTC, or local when the source gives no offset) */
	" src INTEGER REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"/* paying account; NULL for cash paid in */
	" dst INTEGER REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"/* receiving account; NULL for cash taken out */
	" amount REAL NOT NULL,"             /* received amount */
	" currency TEXT NOT NULL,"           /* ISO 4217 when known */
	" amount_paid REAL, pay_currency TEXT,"
	" channel TEXT NOT NULL,"            /* cash, wire, ach, card, p2p, check, crypto, reinvestment, prepaid, other */
	" category TEXT,"                    /* merchant or purpose category (lodging, escort_ads, payroll...) */
	" city TEXT, region TEXT, country TEXT,"
	" memo TEXT,"
	" label INTEGER,"                    /* ground truth from the file (1 = illicit); never read by detectors */
	" label_group TEXT);"                /* ground-truth pattern or alert id */
	"CREATE TABLE kyc("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT,"
	" account INTEGER REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" customer_id TEXT, name TEXT, dob TEXT, address TEXT, city TEXT, region TEXT,"
	" postcode TEXT, country TEXT, phone TEXT, email TEXT, opened TEXT,"
	" occupation TEXT, customer_type TEXT, business_type TEXT);"
	"CREATE TABLE edge("
	" id INTEGER PRIMARY KEY,"
	" src INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" dst INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" type TEXT NOT NULL,"               /* owns, uses_phone, uses_email, lives_at, posted, same_as... */
	" ts INTEGER, weight REAL,"
	" record_id INTEGER,"                /* the record that justifies it */
	" stage TEXT NOT NULL);"             /* which stage wrote it (ingest, resolve, ads...) */
	"CREATE TABLE signal("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL,"               /* stable detector code, e.g. FIN.FUNNEL */
	" entity_id INTEGER REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" score REAL NOT NULL,"
	" explanation TEXT NOT NULL,"        /* one sentence an analyst can read */
	" details TEXT,"                     /* JSON: parameters and measured values */
	" stage TEXT NOT NULL, run_id INTEGER);"
	"CREATE INDEX signal_entity ON signal(entity_id);"
	"CREATE INDEX signal_code ON signal(code);"
	"CREATE TABLE signal_evidence("
	" signal_id INTEGER NOT NULL REFERENCES signal(id) ON DELETE CASCADE,"
	" record_id INTEGER NOT NULL,"
	" role TEXT,"
	" PRIMARY KEY(signal_id, record_id)) WITHOUT ROWID;"
	"CREATE TABLE network("
	" id INTEGER PRIMARY KEY,"
	" key TEXT UNIQUE,"                  /* stable identity across runs */
	" kind TEXT, score REAL, parts TEXT, size INTEGER, run_id INTEGER);"
	"CREATE TABLE network_member("
	" network_id INTEGER NOT NULL REFERENCES network(id) ON DELETE CASCADE,"
	" entity_id INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" role TEXT, reason TEXT,"
	" PRIMARY KEY(network_id, entity_id)) WITHOUT ROWID;"
	"INSERT INTO agency(code, name) VALUES('local', 'this workspace''s own agency');",
	/* 2: potential victims, whom no suspect output may ever include */
	"CREATE TABLE victim_flag("
	" entity_id INTEGER PRIMARY KEY REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" score REAL NOT NULL,"              /* sum of the indicator weights */
	" minor INTEGER NOT NULL DEFAULT 0," /* 1 when any indicator says under 18 */
	" reasons TEXT NOT NULL,"            /* JSON list of {code, weight, record_id, sentence} */
	" run_id INTEGER);",
	/* 3: the payee name a transaction gives (a payroll credit names the
	 * worker it pays, which may not be the account's holder: several
	 * workers' pay into one account, FIN-2020-A008; read by the victims
	 * stage).  NULL when the source has no such column. */
	"ALTER TABLE txn ADD COLUMN to_name TEXT;",
};

static const struct schema_index core_indexes[] = {
	/* Interning happens in memory during a load; the unique index is built
	 * (and so verified) once after it rather than maintained per row. */
	{ "entity", "entity_kind_key", "CREATE UNIQUE INDEX IF NOT EXISTS entity_kind_key ON entity(kind, key)" },
	{ "txn", "txn_src_ts", "CREATE INDEX IF NOT EXISTS txn_src_ts ON txn(src, ts)" },
	{ "txn", "txn_dst_ts", "CREATE INDEX IF NOT EXISTS txn_dst_ts ON txn(dst, ts)" },
	{ "txn", "txn_source", "CREATE INDEX IF NOT EXISTS txn_source ON txn(source_id, line)" },
	{ "kyc", "kyc_account", "CREATE INDEX IF NOT EXISTS kyc_account ON kyc(account)" },
	{ "kyc", "kyc_source", "CREATE INDEX IF NOT EXISTS kyc_source ON kyc(source_id, line)" },
	{ "edge", "edge_src", "CREATE INDEX IF NOT EXISTS edge_src ON edge(src, type)" },
	{ "edge", "edge_dst", "CREATE INDEX IF NOT EXISTS edge_dst ON edge(dst, type)" },
};

static const char *const core_record_tables[] = { "txn:txn", "kyc:kyc" };

static const struct schema_component core_component = {
	"core",
	core_migrations, sizeof core_migrations / sizeof core_migrations[0],
	core_indexes, sizeof core_indexes / sizeof core_indexes[0],
	core_record_tables, sizeof core_record_tables / sizeof core_record_tables[0],
};

/* victims */
extern const struct schema_component vic_component;

/* Modules register their components here, after core (they may reference
 * core's tables). */
static const struct schema_component *const components[] = {
	&core_component,

	/* gen */

	/* finance */
	&fin_schema_component,

	/* resolve */
	&er_component,

	/* ads */
	&ads_component,

	/* network */
	&net_schema_component,

	/* victims */
	&vic_component,

	/* report */

	NULL,
};

const struct schema_component *const *schema_components(void)
{
	return components;
}

static int component_version(rastro_ws *ws, const char *name, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT version FROM schema_version WHERE component = ?1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading the schema version");
	return 0;
}

static int set_version(rastro_ws *ws, const char *name, int64_t v)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	ws_now(now);
	if (ws_prepare(ws, "INSERT INTO schema_version(component, version, applied_at) VALUES(?1, ?2, ?3)"
			   " ON CONFLICT(component) DO UPDATE SET version = ?2, applied_at = ?3", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "recording the schema version");
	return 0;
}

/* Rebuilds the `record` view over every registered record table. */
static int rebuild_record_view(rastro_ws *ws)
{
	struct sbuf sql = SBUF_INIT;
	const struct schema_component *const *c;
	int first = 1, rc;

	sbuf_init(&sql);
	sbuf_adds(&sql, "DROP VIEW IF EXISTS record; CREATE VIEW record AS ");
	for (c = components; *c; c++) {
		size_t i;

		for (i = 0; i < (*c)->nrecord_tables; i++) {
			const char *spec = (*c)->record_tables[i];
			const char *colon = strchr(spec, ':');
			int tn = colon ? (int)(colon - spec) : (int)strlen(spec);

			sbuf_addf(&sql, "%sSELECT id, '%s' AS kind, source_id, line, ext_id FROM %.*s",
				  first ? "" : " UNION ALL ", colon ? colon + 1 : spec, tn, spec);
			first = 0;
		}
	}
	if (sbuf_failed(&sql)) {
		sbuf_release(&sql);
		return ws_error(ws, RASTRO_NOMEM, "out of memory building the record view");
	}
	rc = ws_exec(ws, sql.buf, "creating the record view");
	sbuf_release(&sql);
	return rc;
}

int schema_migrate(rastro_ws *ws)
{
	const struct schema_component *const *c;
	int changed = 0;

	if (ws_exec(ws, "CREATE TABLE IF NOT EXISTS schema_version("
			"component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT)",
		    "creating the schema version table"))
		return ws->err.code;
	for (c = components; *c; c++) {
		int64_t v = 0; /* set on success; the analyser cannot see err.code != 0 */

		if (component_version(ws, (*c)->name, &v))
			return ws->err.code;
		if (v > (int64_t)(*c)->nmigrations)
			return ws_error(ws, RASTRO_CORRUPT,
					"workspace '%s' has %s schema version %lld, newer than this rastro "
					"understands (%zu): upgrade rastro", ws->path, (*c)->name,
					(long long)v, (*c)->nmigrations);
		for (; v < (int64_t)(*c)->nmigrations; v++) {
			char doing[96];

			snprintf(doing, sizeof doing, "upgrading the %s schema to version %lld",
				 (*c)->name, (long long)v + 1);
			if (ws_exec(ws, (*c)->migrations[v], doing) ||
			    set_version(ws, (*c)->name, v + 1))
				return ws->err.code;
			changed = 1;
		}
	}
	if (changed && rebuild_record_view(ws))
		return ws->err.code;
	return 0;
}

int schema_drop_indexes(rastro_ws *ws, const char *table)
{
	const struct schema_component *const *c;

	for (c = components; *c; c++) {
		size_t i;

		for (i = 0; i < (*c)->nindexes; i++) {
			char sql[160];

			if (table && strcmp(table, (*c)->indexes[i].table) != 0)
				continue;
			snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", (*c)->indexes[i].name);
			if (ws_exec(ws, sql, "dropping an index before bulk load"))
				return ws->err.code;
		}
	}
	return 0;
}

int schema_create_indexes(rastro_ws *ws)
{
	const struct schema_component *const *c;
	size_t total = 0, done = 0;

	for (c = components; *c; c++)
		total += (*c)->nindexes;
	for (c = components; *c; c++) {
		size_t i;

		for (i = 0; i < (*c)->nindexes; i++) {
			if (ws_exec(ws, (*c)->indexes[i].sql, "building indexes"))
				return ws->err.code;
			ws_progress(ws, "index", ++done, total);
		}
	}
	return 0;
}
