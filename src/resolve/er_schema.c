/*
 * er_schema: the resolve component of the workspace schema.
 *
 * It owns the `person` record table (filled by the `person` and `febrl`
 * formats) and the tables resolution writes: each record's link to its
 * person entity with the weight and per-field reasons that justify it,
 * the scored record pairs, the saved model, the blocking report, and the
 * history of entities retired by a merge (so an old entity id still leads
 * somewhere).
 */
#include "resolve/er.h"

#include "store/schema.h"

static const char *const er_migrations[] = {
	/* 1: person records and resolution results */
	"CREATE TABLE person("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT,"                      /* the agency's own record id (FEBRL rec_id) */
	" given_name TEXT, surname TEXT,"    /* as written; normalised at resolution time */
	" maternal_surname TEXT, full_name TEXT, nickname TEXT,"
	" dob TEXT,"                         /* as written: day/month order is resolved later */
	" sex TEXT,"                         /* F, M, X or NULL */
	" street_number TEXT, address TEXT, address2 TEXT, city TEXT, region TEXT,"
	" postcode TEXT, country TEXT, phone TEXT, email TEXT,"
	" id_number TEXT, nationality TEXT, case_id TEXT, status TEXT);"
	"CREATE TABLE er_link("
	" record_id INTEGER PRIMARY KEY,"    /* a person-like record (person, kyc, encounter...) */
	" entity_id INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" source_id INTEGER,"
	" weight REAL,"                      /* match weight (log2 Bayes factor) of its best link in the entity; NULL alone */
	" partner INTEGER,"                  /* the record of that best link */
	" reasons TEXT,"                     /* JSON per-field levels and weights of that link */
	" run_id INTEGER);"
	"CREATE INDEX er_link_entity ON er_link(entity_id);"
	"CREATE TABLE er_pair("
	" a INTEGER NOT NULL, b INTEGER NOT NULL,"   /* record ids, a < b */
	" weight REAL NOT NULL,"
	" levels TEXT NOT NULL,"             /* comparison levels, one letter code per field */
	" status TEXT NOT NULL,"             /* merged | refused (clustering kept them apart) */
	" run_id INTEGER,"
	" PRIMARY KEY(a, b)) WITHOUT ROWID;"
	"CREATE INDEX er_pair_b ON er_pair(b);"
	"CREATE TABLE er_model("
	" id INTEGER PRIMARY KEY,"
	" created_at TEXT NOT NULL,"
	" params TEXT NOT NULL,"             /* the parameter file's text (see docs/resolution.md) */
	" run_id INTEGER);"
	"CREATE TABLE er_block("
	" run_id INTEGER, key TEXT NOT NULL,"
	" blocks INTEGER, pairs INTEGER, capped INTEGER, largest INTEGER);"
	"CREATE TABLE er_merge("
	" old_entity INTEGER NOT NULL, new_entity INTEGER NOT NULL, run_id INTEGER);",
};

static const struct schema_index er_indexes[] = {
	{ "person", "person_source", "CREATE INDEX IF NOT EXISTS person_source ON person(source_id, line)" },
};

static const char *const er_record_tables[] = { "person:person" };

const struct schema_component er_component = {
	"resolve",
	er_migrations, sizeof er_migrations / sizeof er_migrations[0],
	er_indexes, sizeof er_indexes / sizeof er_indexes[0],
	er_record_tables, sizeof er_record_tables / sizeof er_record_tables[0],
};
