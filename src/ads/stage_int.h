/*
 * stage_int: the state of one run of the ads stage, shared by stage.c
 * (reading, analysing, writing per-ad output) and results.c (templates,
 * clusters, signals, per-ad results).
 */
#ifndef RASTRO_ADS_STAGE_INT_H
#define RASTRO_ADS_STAGE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ads/ads.h"
#include "ads/analyze.h"
#include "ads/cluster.h"
#include "core/arena.h"
#include "core/h128map.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/u64map.h"
#include "core/vec.h"
#include "rastro.h"
#include "store/ws.h"

#define MAX_THREADS 16

/* Page cache while the stage builds indexes (KiB): the size of the sorter's
 * in-memory runs (stage.c, index_beside). */
#define ADS_INDEX_CACHE_KIB 4096

/* One ad as read (strings in the chunk arena). */
struct ad_row {
	int64_t record, entity, posted;
	const char *s[12];
	size_t n[12];
	const char *region;         /* phone region (static string) */
};

enum { R_EXT, R_SITE, R_URL, R_CITY, R_REGION, R_COUNTRY, R_TITLE, R_BODY, R_PHONES, R_EMAILS, R_HANDLES, R_IMAGES };

/* What the analysis of one ad of the chunk yields (copied out of the analyzer). */
struct ad_res {
	struct ads_ident *ids;
	uint32_t nids;
	struct ads_hit *hits;
	uint32_t nhits;
	uint16_t *tok;
	uint32_t ntok;
	uint32_t sig[ADS_K];
	uint8_t has_sig;
	double score;
	const char *lang;
	size_t field_start[3], field_end[3];
	const char *text;
	char (*phones)[24];         /* E.164 of each item of the phones field ("" when not valid), parsed by
	                             * the worker so that the writing thread does not */
	uint32_t nphones;
};

struct stage;

/*
 * A chunk of ads: while the workers analyse one, the main thread writes
 * what the other yielded (SQLite writes are serial), so there are two.
 */
struct chunk {
	struct arena mem;           /* the rows' strings */
	struct arena wmem[MAX_THREADS]; /* each worker's results */
	struct ad_row *rows;
	struct ad_res *res;
	size_t nrows;
};

struct worker {
	struct ads_analyzer *an;
	pthread_t th;
	int started;                /* th is running and must be joined */
	struct stage *S;
	struct chunk *c;
	struct arena *mem;          /* c->wmem of this worker */
	size_t lo, hi;
	int failed;
};

/* meta.lang: the languages analyze.c tells apart */
enum { ADS_LANG_NONE, ADS_LANG_EN, ADS_LANG_ES };

/* Per-ad facts kept for clustering and signals: 64 bytes an ad (at five
 * million ads 320 MB, held through the whole run). */
struct meta {
	int64_t record, entity, posted;
	uint64_t key_hash;          /* XXH3_64bits of "site:ext_id", all a cluster id needs of it */
	uint64_t codes;             /* indicators fired, one bit per indicator code */
	uint32_t site;              /* interned site */
	uint32_t city;              /* interned city key, 0 = none */
	float score;
	uint32_t tmpl;              /* rendered template, UINT32_MAX = none */
	uint32_t cluster;
	uint8_t lang;               /* ADS_LANG_* */
};

struct link {
	int64_t entity;             /* phone, email, handle or image entity */
	uint32_t ad;
	uint8_t kind;               /* AK_* */
};

struct named {
	uint32_t ad;
	uint32_t name;              /* interned name */
};

struct stage {
	rastro_ws *ws;
	struct ads_model model;
	int model_ok;
	size_t nthreads;
	struct worker w[MAX_THREADS];
	struct chunk ch[2];
	size_t chunk;               /* ads per chunk (ads.chunk) */
	int64_t cache_before;       /* the connection's cache_size, restored after the run */
	int cache_set;
	int64_t threads_before;     /* the connection's sorter threads, restored after the run */
	size_t n, cap;
	struct meta *meta;
	struct vec tok;             /* uint16_t */
	uint64_t *tok_off;
	uint32_t *sig;
	uint8_t *has_sig;
	uint8_t *vocab;
	struct vec links;           /* struct link, in ad order */
	struct vec names;           /* struct named, in ad order */
	struct arena keys;
	struct strmap sites, cities, namemap;
	struct vec city_label;      /* const char *, per city id - 1 */
	int8_t *code_bit;           /* per lexicon code: bit in meta.codes, -1 for cities */
	const char *bit_code[64];   /* code name of each bit */
	int nbits;
	struct h128map ent;         /* entities of the kinds this stage writes: hash of (kind, key) -> id */
	int64_t next_entity;
	struct u64map victims;      /* entities with a victim flag */
	struct vec seen;            /* struct seen: identifiers written for the current ad */
	struct vec pend;            /* struct pend: its structured identifiers, written after the text's */
	struct sbuf pbuf;           /* their values */
	sqlite3_stmt *ins_ident, *ins_ind, *ins_entity, *ins_edge;
	struct sbuf tmp;
	struct rastro_ads_stats *st;
};

/* Entity id of (kind, key), created (with label and first record) when new;
 * 0 with the workspace error set on failure. */
int64_t ads_entity(struct stage *S, const char *kind, const char *key, size_t kl, const char *label, size_t ll,
		   int64_t record);
/* An edge written by this stage. */
int ads_edge(struct stage *S, int64_t src, int64_t dst, const char *type, int64_t ts, int64_t record);

/* The n links of `in` (in ad order) into `out` by entity, each entity's in
 * ad order; -1 when out of memory (results.c). */
int ads_sort_links(const struct link *in, size_t n, struct link *out);

/* Templates, clusters, signals and per-ad results (results.c). */
int ads_write_results(struct stage *S, const struct ads_templates *T);

/* The whole stage (stage.c). */
int ads_stage_run(rastro_ws *ws, const struct rastro_ads_opts *opts, struct rastro_ads_stats *st);

#endif
