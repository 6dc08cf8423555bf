/*
 * vic_schema: the victims module's tables (schema component "victims").
 *
 * Encounter and provider rows are source records (one per input row, with
 * provenance).  The rest is what the victims stage derives: which person
 * entity an encounter describes, how flagged entities group into one
 * potential victim, and the referrals with their status history.
 *
 * Victim data is confidential (34 U.S.C. 12291(b)(2); 8 U.S.C. 1367): the
 * `confidential` columns mark it so that exports and reports can refuse it
 * wholesale, and only victim-services roles are shown names and contacts
 * (see vic_access.c).
 */
#include "victims.h"

static const char *const vic_migrations[] = {
	/* 1: encounters, providers, referrals */
	"CREATE TABLE encounter("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT NOT NULL,"              /* encounter_id as in the source */
	" ts INTEGER NOT NULL,"               /* date of the encounter (seconds since 1970) */
	" type TEXT,"                         /* border, traffic_stop, raid, hotline, shelter_intake, clinic, other */
	" city TEXT, region TEXT, country TEXT, lat REAL, lon REAL,"
	" person_record_id TEXT,"             /* the agency's person record, if any */
	" given_name TEXT, surname TEXT, maternal_surname TEXT, dob TEXT, sex TEXT, phone TEXT,"
	" nationality TEXT, language TEXT,"   /* language normalised (ISO 639-1 or folded name) */
	" age_stated INTEGER,"
	/* screening answers: 1 yes, 0 no, NULL not asked */
	" documents_held_by_other INTEGER, owes_debt INTEGER, debt_amount REAL,"
	" not_free_to_leave INTEGER, threatened INTEGER, knows_address INTEGER,"
	" third_party_speaks INTEGER, paid_smuggling_fee INTEGER, smuggling_fee_owed INTEGER,"
	" works_for_housing INTEGER,"
	" notes TEXT,"
	" confidential INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE provider("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT NOT NULL,"              /* provider_id as in the directory */
	" name TEXT NOT NULL,"
	" services TEXT NOT NULL,"            /* canonical ';'-list */
	" services_mask INTEGER NOT NULL,"
	" languages TEXT,"                    /* normalised ';'-list */
	" populations TEXT,"
	" populations_mask INTEGER NOT NULL,"
	" address TEXT, city TEXT, region TEXT, postcode TEXT, country TEXT,"
	" lat REAL NOT NULL, lon REAL NOT NULL,"
	" capacity INTEGER, available INTEGER,"
	" hours TEXT, phone TEXT, email TEXT, website TEXT,"
	" confidential INTEGER NOT NULL DEFAULT 1);"  /* safe-house locations are never published */
	/* Which person entity an encounter describes.  'provisional' until entity
	 * resolution links the record ('resolved'). */
	"CREATE TABLE vic_person("
	" record_id INTEGER PRIMARY KEY,"
	" entity_id INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" basis TEXT NOT NULL);"
	/* Every flagged entity and the potential victim (primary entity) it
	 * belongs to: a person and the accounts they hold are one victim. */
	"CREATE TABLE vic_group("
	" entity_id INTEGER PRIMARY KEY REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" victim INTEGER NOT NULL,"
	" via TEXT);"                         /* how it joined: indicator, holds, same_as */
	"CREATE INDEX vic_group_victim ON vic_group(victim);"
	/* Every indicator found, flagged or not (explains near misses too). */
	"CREATE TABLE vic_hit("
	" id INTEGER PRIMARY KEY,"
	" entity_id INTEGER NOT NULL,"
	" code TEXT NOT NULL,"                /* VIC.* */
	" weight REAL NOT NULL,"
	" record_id INTEGER,"                 /* main evidence record */
	" records TEXT,"                      /* JSON list of evidence record ids */
	" sentence TEXT NOT NULL,"
	" run_id INTEGER);"
	"CREATE INDEX vic_hit_entity ON vic_hit(entity_id);"
	"CREATE TABLE referral("
	" id INTEGER PRIMARY KEY,"
	" victim INTEGER NOT NULL,"           /* primary entity of the potential victim */
	" provider TEXT NOT NULL,"            /* provider_id in the directory */
	" provider_record INTEGER NOT NULL,"  /* the directory row ranked (provenance) */
	" rank INTEGER NOT NULL,"
	" score REAL NOT NULL,"
	" parts TEXT NOT NULL,"               /* JSON: the named parts of the score */
	" explanation TEXT NOT NULL,"
	" needs TEXT,"                        /* services the victim's indicators call for */
	" km REAL,"
	" status TEXT NOT NULL,"              /* proposed, made, accepted, declined */
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" run_id INTEGER,"
	" confidential INTEGER NOT NULL DEFAULT 1,"
	" UNIQUE(victim, provider));"
	"CREATE TABLE referral_event("
	" id INTEGER PRIMARY KEY,"
	" referral_id INTEGER NOT NULL REFERENCES referral(id) ON DELETE CASCADE,"
	" status TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" role TEXT,"                         /* role that made the change */
	" note TEXT,"
	" run_id INTEGER);"
	"CREATE INDEX referral_event_ref ON referral_event(referral_id);",
	/* 2: lookups by person (profiles, lists) and by provider (open capacity) */
	"CREATE INDEX vic_person_entity ON vic_person(entity_id);"
	"CREATE INDEX referral_provider ON referral(provider, status);",
};

static const struct schema_index vic_indexes[] = {
	{ "encounter", "encounter_source", "CREATE INDEX IF NOT EXISTS encounter_source ON encounter(source_id, line)" },
	{ "provider", "provider_source", "CREATE INDEX IF NOT EXISTS provider_source ON provider(source_id, line)" },
	{ "provider", "provider_ext", "CREATE INDEX IF NOT EXISTS provider_ext ON provider(ext_id)" },
};

static const char *const vic_record_tables[] = { "encounter:encounter", "provider:provider" };

const struct schema_component vic_component = {
	"victims",
	vic_migrations, sizeof vic_migrations / sizeof vic_migrations[0],
	vic_indexes, sizeof vic_indexes / sizeof vic_indexes[0],
	vic_record_tables, sizeof vic_record_tables / sizeof vic_record_tables[0],
};
