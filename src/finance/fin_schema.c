/*
 * fin_schema: the finance component's tables.  Signals and their evidence
 * live in core's `signal` / `signal_evidence` (stage 'finance'); finance
 * adds the per-account risk score, a sum of named parts so that no number
 * reaches an analyst unexplained.
 */
#include "finance.h"

static const char *const fin_migrations[] = {
	/* 1: risk scores */
	"CREATE TABLE fin_risk("
	" entity_id INTEGER PRIMARY KEY REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" score REAL NOT NULL,"              /* sum of the parts' points */
	" parts TEXT NOT NULL,"              /* JSON list of {part, weight, strength, points, signals} */
	" signals INTEGER NOT NULL,"         /* number of signals behind it */
	" typologies TEXT,"                  /* trafficking,smuggling,structuring,laundering */
	" run_id INTEGER);"
	"CREATE INDEX fin_risk_score ON fin_risk(score DESC);",
	/* 2: alerted (1) or watched (0: one uncorroborated indicator) */
	"ALTER TABLE fin_risk ADD COLUMN alert INTEGER NOT NULL DEFAULT 1;"
	"CREATE INDEX fin_risk_alert ON fin_risk(alert DESC, score DESC);",
};

const struct schema_component fin_schema_component = {
	"finance",
	fin_migrations, sizeof fin_migrations / sizeof fin_migrations[0],
	NULL, 0,
	NULL, 0,
};
