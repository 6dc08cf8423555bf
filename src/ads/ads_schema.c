/*
 * ads_schema: the ads component of the workspace schema.
 *
 * It owns the `ad` record table (filled by the `ads` and `ads-csv` formats)
 * and what `rastro ads` writes: identifiers found in each ad with their
 * place in the text, indicator matches with their weight and source, the
 * templates found by clustering with their slots, clusters with their
 * figures, and each ad's cluster, template and score.  Everything but `ad`
 * is rewritten by each run of the stage.
 */
#include "ads/ads.h"

#include <string.h>

#include "store/schema.h"

static const char *const ads_migrations[] = {
	/* 1: ads, and what the ads stage finds in them */
	"CREATE TABLE ad("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES source(id) DEFERRABLE INITIALLY DEFERRED,"
	" line INTEGER NOT NULL,"
	" ext_id TEXT NOT NULL,"             /* the site's ad or post id, as given */
	" site TEXT NOT NULL,"
	" url TEXT,"
	" posted_at INTEGER NOT NULL,"       /* seconds since 1970 (UTC, or local when the source gives no offset) */
	" city TEXT, region TEXT, country TEXT,"
	" category TEXT,"                    /* escort, massage, job, travel, other, as the site files it */
	" title TEXT, body TEXT,"
	" price TEXT, currency TEXT,"        /* as posted */
	" author TEXT,"
	" phones TEXT, emails TEXT, handles TEXT, image_hashes TEXT," /* structured identifiers as given, ';'-joined */
	" entity INTEGER REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED);" /* the ad entity (site:id) */
	"CREATE TABLE ad_ident("
	" ad_id INTEGER NOT NULL,"           /* ad record */
	" kind TEXT NOT NULL,"               /* phone, email, handle, link, price, age, name, city, image */
	" value TEXT NOT NULL,"              /* normalised: E.164, email form, platform:name, '150 USD/hr', '19' */
	" raw TEXT,"                         /* as written */
	" field TEXT NOT NULL,"              /* title, body, url, or the structured field it came from */
	" start INTEGER, end INTEGER,"       /* byte span in that field; NULL for structured fields */
	" obfuscated INTEGER NOT NULL DEFAULT 0,"
	" entity_id INTEGER,"                /* the entity it became (phone, email, handle, image) */
	" run_id INTEGER);"
	"CREATE TABLE ad_indicator("
	" ad_id INTEGER NOT NULL,"
	" code TEXT NOT NULL,"               /* e.g. AD.YOUTH, SM.PAY_ON_ARRIVAL */
	" weight REAL NOT NULL,"             /* effective weight (lexicon, then settings) */
	" field TEXT,"                       /* title, body, or NULL for indicators derived from extraction */
	" start INTEGER, end INTEGER,"
	" matched TEXT,"                     /* the text as written */
	" source TEXT,"                      /* citation of the pattern or rule */
	" run_id INTEGER);"
	"CREATE TABLE ad_template("
	" id TEXT PRIMARY KEY,"              /* 'T' + hash of the template's words and slots: stable */
	" text TEXT NOT NULL,"               /* constant words with {1}, {2}... slots and <phone>-style placeholders */
	" slots INTEGER NOT NULL,"
	" ads INTEGER NOT NULL,"
	" bits_raw REAL,"                    /* description length of its ads written out */
	" bits_template REAL,"               /* ... with the template (template + per-ad differences) */
	" run_id INTEGER);"
	"CREATE TABLE ad_cluster("
	" id TEXT PRIMARY KEY,"              /* 'C' + hash of the earliest member's site:id: stable */
	" entity_id INTEGER,"                /* the ad_cluster entity */
	" ads INTEGER NOT NULL, templates INTEGER NOT NULL,"
	" phones INTEGER, emails INTEGER, handles INTEGER, images INTEGER,"
	" names INTEGER, cities INTEGER, sites INTEGER,"
	" first_posted INTEGER, last_posted INTEGER,"
	" score REAL,"                       /* sum of its signals' scores */
	" run_id INTEGER);"
	"CREATE TABLE ad_result("
	" ad_id INTEGER PRIMARY KEY,"        /* ad record */
	" cluster_id TEXT NOT NULL,"
	" template_id TEXT,"                 /* NULL when no template shortens its description */
	" lang TEXT,"                        /* en, es or NULL */
	" score REAL NOT NULL,"              /* sum of the weights of its distinct indicators */
	" run_id INTEGER);",
};

static const struct schema_index ads_indexes[] = {
	{ "ad", "ad_source", "CREATE INDEX IF NOT EXISTS ad_source ON ad(source_id, line)" },
	{ "ad", "ad_ext", "CREATE INDEX IF NOT EXISTS ad_ext ON ad(site, ext_id)" },
	/* written in bulk by each run of the stage */
	{ "ad_ident", "ad_ident_ad", "CREATE INDEX IF NOT EXISTS ad_ident_ad ON ad_ident(ad_id)" },
	{ "ad_ident", "ad_ident_value", "CREATE INDEX IF NOT EXISTS ad_ident_value ON ad_ident(kind, value)" },
	{ "ad_indicator", "ad_indicator_ad", "CREATE INDEX IF NOT EXISTS ad_indicator_ad ON ad_indicator(ad_id)" },
	{ "ad_indicator", "ad_indicator_code", "CREATE INDEX IF NOT EXISTS ad_indicator_code ON ad_indicator(code)" },
	{ "ad_result", "ad_result_cluster", "CREATE INDEX IF NOT EXISTS ad_result_cluster ON ad_result(cluster_id)" },
};

/* The stage builds the indexes of its identifier and indicator tables
 * while its cluster step runs on other threads (stage.c). */
int ads_index_table(rastro_ws *ws, const char *table)
{
	size_t i;

	for (i = 0; i < sizeof ads_indexes / sizeof ads_indexes[0]; i++)
		if (strcmp(ads_indexes[i].table, table) == 0 && ws_exec(ws, ads_indexes[i].sql, "building indexes"))
			return ws->err.code;
	return 0;
}

static const char *const ads_record_tables[] = { "ad:ad" };

const struct schema_component ads_component = {
	"ads",
	ads_migrations, sizeof ads_migrations / sizeof ads_migrations[0],
	ads_indexes, sizeof ads_indexes / sizeof ads_indexes[0],
	ads_record_tables, sizeof ads_record_tables / sizeof ads_record_tables[0],
};
