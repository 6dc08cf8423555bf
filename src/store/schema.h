/*
 * schema: the workspace's tables, owned by components (core, finance,
 * resolve, ads...).  Each component lists its forward-only migrations; the
 * schema_version table records how far each component's schema has gone, so
 * a module can add tables without touching anyone else's migration list.
 *
 * Indexes that slow bulk loading are declared separately ("bulk indexes"):
 * ingest drops them before a large load and builds them after it.
 *
 * Every table that holds source records (one row per input row, with
 * source_id and line) is listed as a record table; the `record` view is
 * their union, giving one place to look up any record id's provenance.
 */
#ifndef RASTRO_SCHEMA_H
#define RASTRO_SCHEMA_H

#include <stddef.h>

#include "ws.h"

struct schema_index {
	const char *table;
	const char *name;
	const char *sql;     /* CREATE INDEX IF NOT EXISTS ... */
};

struct schema_component {
	const char *name;
	const char *const *migrations;      /* migrations[v-1] takes version v-1 to v */
	size_t nmigrations;
	const struct schema_index *indexes; /* bulk indexes */
	size_t nindexes;
	const char *const *record_tables;   /* "table:kind" entries for the record view */
	size_t nrecord_tables;
};

/* Creates or upgrades every component's tables; refuses a workspace whose
 * schema is newer than this program (RASTRO_CORRUPT with a clear message). */
int schema_migrate(rastro_ws *ws);

/* Bulk indexes of one table (NULL = all tables). */
int schema_drop_indexes(rastro_ws *ws, const char *table);
int schema_create_indexes(rastro_ws *ws);

/* All registered components, NULL-terminated. */
const struct schema_component *const *schema_components(void);

#endif
