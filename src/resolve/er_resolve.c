/*
 * er_resolve: the `rastro resolve` run — read, block, train or load the
 * model, score, cluster, write entities, links, pairs and edges, export.
 *
 * Entity keys are stable: a person entity is keyed by the smallest record
 * id among its records ("p<id>"), so a rerun on the same data, or an
 * incremental run that only adds records, keeps every entity id.  When
 * clusters merge, the entity that loses its key is recorded in er_merge.
 */
#include "er.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/par.h"
#include "core/table.h"
#include "core/u64map.h"
#include "er_block.h"
#include "store/schema.h"

void rastro_free(void *p)
{
	mem_free(p);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of the process so far (every thread). */
static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Closes stage k of st->cpu: CPU spent since the previous mark. */
static void cpu_mark(struct rastro_resolve_stats *st, int k, double *last)
{
	double c = cpu_s();

	st->cpu[k] += c - *last;
	*last = c;
}

/* Source id from "12", a path as loaded, or a file name. */
static int source_of(rastro_ws *ws, const char *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT id FROM source WHERE CAST(id AS TEXT) = ?1 OR path = ?1"
			   " OR path LIKE '%/' || ?1 ORDER BY id DESC LIMIT 1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	return ws_error(ws, RASTRO_NOTFOUND, "no source '%s' in the workspace (rastro status lists them)", s);
}

/* Index of record id in d (sorted by id), or -1. */
static long rec_index(const struct er_data *d, int64_t id)
{
	const struct er_rec *r = d->recs.data;
	size_t lo = 0, hi = d->recs.len;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->recs.len && r[lo].id == id ? (long)lo : -1;
}

static int latest_params(rastro_ws *ws, char **text)
{
	sqlite3_stmt *st;
	int rc;

	*text = NULL;
	if (ws_prepare(ws, "SELECT params FROM er_model ORDER BY id DESC LIMIT 1", &st))
		return ws->err.code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*text = mem_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW && !*text)
		return ws_error(ws, RASTRO_NOMEM, "out of memory reading the model");
	if (rc != SQLITE_ROW)
		return ws_error(ws, RASTRO_NOTFOUND, "the workspace has no saved resolution model: run 'rastro resolve' first");
	return 0;
}

static int read_file(rastro_ws *ws, const char *path, char **text, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct sbuf b = SBUF_INIT;
	char chunk[65536];
	size_t k;

	if (!f)
		return ws_error(ws, RASTRO_IO, "cannot open '%s'", path);
	sbuf_init(&b);
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, k);
	fclose(f);
	if (sbuf_failed(&b)) {
		sbuf_release(&b);
		return ws_error(ws, RASTRO_NOMEM, "out of memory reading '%s'", path);
	}
	*text = sbuf_detach(&b, n);
	return 0;
}

static int pw_cmp(const void *x, const void *y)
{
	const struct er_pairw *a = x, *b = y;

	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* Levels packed in a pattern back into an array. */
static void unpack(uint64_t pat, int lev[EF_N])
{
	int f;

	for (f = 0; f < EF_N; f++)
		lev[f] = (int)((pat >> (3 * f)) & 7);
}

/* "given_name=exact:+3.21;surname=..." levels as letters for er_pair */
static void levels_text(uint64_t pat, char *out)
{
	int f;

	for (f = 0; f < EF_N; f++)
		out[f] = (char)('0' + ((pat >> (3 * f)) & 7));
	out[EF_N] = '\0';
}

static uint64_t levels_parse(const char *s)
{
	uint64_t pat = 0;
	int f;

	for (f = 0; f < EF_N && s[f] >= '0' && s[f] <= '7'; f++)
		pat |= (uint64_t)(s[f] - '0') << (3 * f);
	return pat;
}

/* Appends the match reasons of one link as JSON. */
static void reasons_json(const struct er_expl *e, struct sbuf *out)
{
	int f, first = 1;

	sbuf_addc(out, '{');
	for (f = 0; f < EF_N; f++) {
		if (!e->lev[f])
			continue;
		sbuf_addf(out, "%s\"%s\":[\"%s\",%.2f]", first ? "" : ",", er_field_name(f),
			  er_level_name(f, e->lev[f]), e->w[f]);
		first = 0;
	}
	sbuf_addf(out, ",\"prior\":%.2f,\"total\":%.2f}", e->prior, e->total);
}

/* ---- entities and edges ---- */

/*
 * Entity ids by (kind, key), loaded from the workspace and created as the
 * write needs them.  The general path interns "kind\x1fkey"; the write asks
 * for some four million keys at a million people, so the two common cases
 * skip it: a person key "p<record id>" is looked up by the record id, and a
 * phone, email or address key, which is an interned string of the records,
 * by that string's id.  A key takes the same path every time it is asked
 * for (a string id serves the first identifier kind that claims it; another
 * kind with the same text takes the general path), and every entity loaded
 * is also in the general table, so no key is ever created twice.
 */
enum { EK_NONE, EK_PHONE, EK_EMAIL, EK_ADDRESS };

struct ent_cache {
	struct strmap keys;   /* "kind\x1fkey" */
	struct vec ids;       /* int64 per key id */
	int64_t next;
	sqlite3_stmt *ins;
	const struct er_data *d;
	size_t nsid;
	int64_t *sid_eid;     /* by string id: the entity of kind sid_kind[] */
	uint8_t *sid_kind;    /* EK_*, EK_NONE while unclaimed */
	struct u64map persons;/* record id -> entity keyed "p<id>" */
};

static int ek_of(const char *kind)
{
	return strcmp(kind, "phone") == 0 ? EK_PHONE : strcmp(kind, "email") == 0 ? EK_EMAIL
	       : strcmp(kind, "address") == 0 ? EK_ADDRESS : EK_NONE;
}

/* Record id of a person key written "p%lld" exactly; 0 when not. */
static int person_key_id(const char *key, int64_t *id)
{
	char back[32];
	char *end;
	long long v;

	if (key[0] != 'p' || key[1] < '-' || key[1] > '9')
		return 0;
	v = strtoll(key + 1, &end, 10);
	if (*end)
		return 0;
	snprintf(back, sizeof back, "p%lld", v);
	if (strcmp(back, key) != 0 || (uint64_t)v == UINT64_MAX)
		return 0;
	*id = v;
	return 1;
}

/* Fast-path entries for a loaded entity (see above). */
static int ent_cache_claim(struct ent_cache *c, const char *kind, const char *key, int64_t eid)
{
	int ek = ek_of(kind);
	int64_t rid;

	if (ek != EK_NONE) {
		uint32_t sid = strmap_find(&c->d->strs, key, strlen(key));

		if (sid && sid < c->nsid && c->sid_kind[sid] == EK_NONE) {
			c->sid_kind[sid] = (uint8_t)ek;
			c->sid_eid[sid] = eid;
		}
		return 0;
	}
	if (strcmp(kind, "person") == 0 && person_key_id(key, &rid))
		return u64map_put(&c->persons, (uint64_t)rid, (uint64_t)eid);
	return 0;
}

static int ent_cache_init(rastro_ws *ws, struct ent_cache *c, const struct er_data *d)
{
	sqlite3_stmt *st;
	int rc;

	strmap_init(&c->keys);
	vec_init(&c->ids, sizeof(int64_t));
	u64map_init(&c->persons);
	c->ins = NULL;
	c->d = d;
	c->nsid = strmap_count(&d->strs) + 1;
	c->sid_eid = mem_alloc(c->nsid * sizeof *c->sid_eid);
	c->sid_kind = mem_calloc(c->nsid, sizeof *c->sid_kind);
	if (!c->sid_eid || !c->sid_kind)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading entities");
	if (ws_next_entity_id(ws, &c->next))
		return ws->err.code;
	if (ws_prepare(ws, "SELECT id, kind, key FROM entity WHERE kind IN ('person', 'phone', 'email', 'address')", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char k[600];
		const char *kind = (const char *)sqlite3_column_text(st, 1), *key = (const char *)sqlite3_column_text(st, 2);
		int n = snprintf(k, sizeof k, "%s\x1f%s", kind, key);
		int is_new;
		uint32_t id = strmap_intern(&c->keys, k, n < 0 ? 0 : (size_t)n >= sizeof k ? sizeof k - 1 : (size_t)n, &is_new);
		int64_t eid = sqlite3_column_int64(st, 0);

		if (!id || (is_new && vec_push(&c->ids, &eid)) || ent_cache_claim(c, kind, key, eid)) {
			sqlite3_finalize(st);
			return ws_error(ws, RASTRO_NOMEM, "out of memory loading entities");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "loading entities");
	return ws_prepare(ws, "INSERT INTO entity(id, kind, key, label, first_record) VALUES(?1, ?2, ?3, ?4, ?5)", &c->ins);
}

static void ent_cache_release(struct ent_cache *c)
{
	strmap_release(&c->keys);
	vec_release(&c->ids);
	u64map_release(&c->persons);
	mem_free(c->sid_eid);
	mem_free(c->sid_kind);
	sqlite3_finalize(c->ins);
}

/* Writes a new entity; its id, or 0 on error (ws->err set). */
static int64_t ent_insert(rastro_ws *ws, struct ent_cache *c, const char *kind, const char *key, const char *label,
			  int64_t record)
{
	int64_t eid = c->next++;

	sqlite3_reset(c->ins);
	sqlite3_bind_int64(c->ins, 1, eid);
	sqlite3_bind_text(c->ins, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->ins, 3, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 4, label, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(c->ins, 5, record);
	if (sqlite3_step(c->ins) != SQLITE_DONE) {
		ws_sqlerr(ws, "creating an entity");
		return 0;
	}
	return eid;
}

/* Entity id of (kind, key), created when new; 0 on error (ws->err set). */
static int64_t ent_get(rastro_ws *ws, struct ent_cache *c, const char *kind, const char *key, const char *label,
		       int64_t record)
{
	char k[600];
	int n = snprintf(k, sizeof k, "%s\x1f%s", kind, key);
	int is_new;
	uint32_t id = strmap_intern(&c->keys, k, n < 0 ? 0 : (size_t)n >= sizeof k ? sizeof k - 1 : (size_t)n, &is_new);
	int64_t eid;

	if (!id) {
		ws_error(ws, RASTRO_NOMEM, "out of memory creating entities");
		return 0;
	}
	if (!is_new)
		return *(int64_t *)vec_at(&c->ids, id - 1);
	eid = c->next;
	if (vec_push(&c->ids, &eid)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory creating entities");
		return 0;
	}
	return ent_insert(ws, c, kind, key, label, record);
}

/* The person entity keyed "p<rid>" (key holds that text). */
static int64_t ent_person(rastro_ws *ws, struct ent_cache *c, int64_t rid, const char *key, const char *label)
{
	uint64_t e;

	if ((uint64_t)rid == UINT64_MAX)
		return ent_get(ws, c, "person", key, label, rid);
	if (u64map_get(&c->persons, (uint64_t)rid, &e))
		return (int64_t)e;
	return ent_insert(ws, c, "person", key, label, rid);
}

/* The identifier entity (phone, email, address) keyed by string sid. */
static int64_t ent_ident(rastro_ws *ws, struct ent_cache *c, const char *kind, uint32_t sid, int64_t record)
{
	int ek = ek_of(kind);
	const char *key = er_str(c->d, sid);
	int64_t eid;

	if (sid >= c->nsid || (c->sid_kind[sid] != EK_NONE && c->sid_kind[sid] != ek))
		return ent_get(ws, c, kind, key, key, record);
	if (c->sid_kind[sid] == ek)
		return c->sid_eid[sid];
	eid = ent_insert(ws, c, kind, key, key, record);
	if (eid) {
		c->sid_kind[sid] = (uint8_t)ek;
		c->sid_eid[sid] = eid;
	}
	return eid;
}

static int add_edge(rastro_ws *ws, sqlite3_stmt *st, int64_t src, int64_t dst, const char *type, double w,
		    int64_t rec)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, src);
	sqlite3_bind_int64(st, 2, dst);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	if (isnan(w))
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_double(st, 4, w);
	sqlite3_bind_int64(st, 5, rec);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : ws_sqlerr(ws, "writing an edge");
}

/* ---- bulk writing ---- */

/*
 * A large resolution writes several rows per record: entities, links,
 * edges.  Kept up row by row, the entity key index and the two edge indexes
 * take their entries in random order (phone, email and address keys, edge
 * destinations), and once they outgrow the page cache nearly every insert
 * reads and re-writes a page: that made writing 1.25 M records take longer
 * than reading them.  When this run writes at least as many rows as a table
 * holds, its bulk indexes are dropped for the write and rebuilt by one sort
 * at the end of it, inside the same transaction, so a crash still leaves
 * either the old resolution with its indexes or the new one with them.
 */
#define BULK_RECORDS 20000     /* resolve.bulk_records: smaller runs write in place */

struct bulk_ix {
	const char *sql[16];       /* CREATE statements of the indexes dropped */
	size_t n;
};

/* Drops the bulk indexes of `table` when the `rows` this run writes
 * outnumber the rows it keeps (counted by `keep_sql`). */
static int bulk_drop(rastro_ws *ws, const char *table, const char *keep_sql, int64_t rows, struct bulk_ix *bx)
{
	const struct schema_component *const *c;
	char sql[160];
	int64_t have = 0;

	if (ws_query_i64(ws, keep_sql, 0, &have))
		return ws->err.code;
	if (rows < have)
		return 0;
	for (c = schema_components(); *c; c++) {
		size_t i;

		for (i = 0; i < (*c)->nindexes; i++) {
			const struct schema_index *x = &(*c)->indexes[i];
			int64_t exists = 0;

			if (strcmp(x->table, table) != 0 || bx->n == sizeof bx->sql / sizeof bx->sql[0])
				continue;
			snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'",
				 x->name);
			if (ws_query_i64(ws, sql, 0, &exists))
				return ws->err.code;
			if (!exists)
				continue;   /* deferred by the user (ingest --defer-index): left so */
			snprintf(sql, sizeof sql, "DROP INDEX %s", x->name);
			if (ws_exec(ws, sql, "dropping an index before writing the resolution"))
				return ws->err.code;
			bx->sql[bx->n++] = x->sql;
		}
	}
	return 0;
}

/* Rebuilds the indexes bulk_drop dropped. */
static int bulk_rebuild(rastro_ws *ws, struct bulk_ix *bx)
{
	size_t i;

	for (i = 0; i < bx->n; i++)
		if (ws_exec(ws, bx->sql[i], "rebuilding an index after writing the resolution"))
			return ws->err.code;
	bx->n = 0;
	return 0;
}

struct run {
	rastro_ws *ws;
	struct er_data d;
	struct er_model mo;
	struct er_pairw *acc;      /* accepted pairs, sorted */
	size_t nacc;
	uint32_t *root;
	uint8_t *merged;
	struct er_block_report rep[ER_NKEYS];
	int64_t link_a, link_b;
	char *params_text;
};

/*
 * The match reasons of every linked record, as JSON, built before the write
 * and beside it: on a second thread while the main thread inserts the person
 * entities (neither needs the other), so the single SQLite writer does not
 * also format some 300 bytes of numbers per linked record.  One buffer, the
 * records' texts back to back; the result is the same on any thread count.
 */
struct reasons_job {
	const struct run *R;
	const int32_t *best;       /* best merged pair per record, -1 for none */
	size_t n;
	struct sbuf text;
	size_t *off;               /* record i's reasons: text[off[i], off[i + 1]) */
};

static void reasons_build(struct reasons_job *j)
{
	const struct er_rec *r = j->R->d.recs.data;
	size_t i;

	for (i = 0; i < j->n; i++) {
		j->off[i] = j->text.len;
		if (j->best[i] >= 0) {
			const struct er_pairw *p = &j->R->acc[j->best[i]];
			struct er_expl e;
			int lev[EF_N];

			unpack(p->pattern, lev);
			er_weight(&j->R->mo, &j->R->d, &r[p->a], &r[p->b], lev, &e);
			reasons_json(&e, &j->text);
		}
	}
	j->off[j->n] = j->text.len;
}

static void *reasons_thread(void *arg)
{
	reasons_build(arg);
	return NULL;
}

/* Person entities, keyed by their smallest record id (eid[] of each
 * record), the entity counts, and the previous resolution cleared. */
static int write_persons(struct run *R, struct ent_cache *c, int64_t *eid, struct rastro_resolve_stats *st)
{
	rastro_ws *ws = R->ws;
	const struct er_rec *r = R->d.recs.data;
	size_t n = R->d.recs.len, i;
	uint32_t *sz;

	st->entities = st->multi_entities = 0;
	for (i = 0; i < n; i++) {
		if (R->root[i] == i) {
			char key[32], label[160];
			const struct er_rec *x = &r[i];

			snprintf(key, sizeof key, "p%lld", (long long)x->id);
			snprintf(label, sizeof label, "%s%s%s", er_str(&R->d, x->given), x->given && x->sur1 ? " " : "",
				 er_str(&R->d, x->sur1));
			eid[i] = ent_person(ws, c, x->id, key, label);
			if (!eid[i])
				return ws->err.code;
			st->entities++;
		}
	}
	for (i = 0; i < n; i++)
		eid[i] = eid[R->root[i]];
	sz = mem_calloc(n ? n : 1, sizeof *sz);
	if (!sz)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		sz[R->root[i]]++;
	for (i = 0; i < n; i++)
		st->multi_entities += R->root[i] == i && sz[i] > 1;
	mem_free(sz);
	return ws_exec(ws, "DELETE FROM er_link; DELETE FROM er_pair; DELETE FROM edge WHERE stage = 'resolve'",
		       "clearing the previous resolution");
}

/* Writes entities, links, pairs and edges; the caller holds a transaction. */
static int write_back(struct run *R, struct rastro_resolve_stats *st)
{
	rastro_ws *ws = R->ws;
	const struct er_rec *r = R->d.recs.data;
	size_t n = R->d.recs.len, i;
	struct ent_cache c;
	struct u64map old;
	int64_t *eid = NULL;
	int32_t *best = NULL;   /* best merged pair per record */
	sqlite3_stmt *ins_link = NULL, *ins_pair = NULL, *ins_edge = NULL, *ins_merge = NULL, *q = NULL;
	struct reasons_job rj;
	pthread_t th;
	int started = 0;
	struct bulk_ix bx;
	int rc = 0;

	bx.n = 0;
	rj.off = NULL;
	sbuf_init(&rj.text);
	u64map_init(&old);
	if ((rc = ent_cache_init(ws, &c, &R->d)))
		goto out;
	if ((int64_t)n >= cfg_int(ws->cfg, "resolve.bulk_records", BULK_RECORDS) &&
	    ((rc = bulk_drop(ws, "entity", "SELECT coalesce(max(id), 0) FROM entity", (int64_t)n, &bx)) ||
	     (rc = bulk_drop(ws, "edge", "SELECT count(*) FROM edge WHERE stage <> 'resolve'", 2 * (int64_t)n, &bx))))
		goto out;
	/* previous record -> entity, to record retired entities */
	if ((rc = ws_prepare(ws, "SELECT record_id, entity_id FROM er_link", &q)))
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW)
		if (u64map_put(&old, (uint64_t)sqlite3_column_int64(q, 0), (uint64_t)sqlite3_column_int64(q, 1))) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto out;
		}
	sqlite3_finalize(q);
	q = NULL;
	eid = mem_alloc((n ? n : 1) * sizeof *eid);
	best = mem_alloc((n ? n : 1) * sizeof *best);
	if (!eid || !best) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		best[i] = -1;
	for (i = 0; i < R->nacc; i++) {
		/* pairs are sorted by weight: the first merged one is the best */
		if (!R->merged[i])
			continue;
		if (best[R->acc[i].a] < 0)
			best[R->acc[i].a] = (int32_t)i;
		if (best[R->acc[i].b] < 0)
			best[R->acc[i].b] = (int32_t)i;
	}
	rj.R = R;
	rj.best = best;
	rj.n = n;
	rj.off = mem_alloc((n + 1) * sizeof *rj.off);
	if (!rj.off) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	started = cfg_int(ws->cfg, "resolve.threads", 2) > 1 && n >= 10000 &&
		  pthread_create(&th, NULL, reasons_thread, &rj) == 0;
	if (!started)
		reasons_build(&rj);
	rc = write_persons(R, &c, eid, st);
	if (started)
		pthread_join(th, NULL);
	if (rc)
		goto out;
	if (sbuf_failed(&rj.text)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory building match reasons");
		goto out;
	}
	if ((rc = ws_prepare(ws, "INSERT INTO er_link(record_id, entity_id, source_id, weight, partner, reasons, run_id)"
				 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &ins_link)) ||
	    (rc = ws_prepare(ws, "INSERT INTO er_pair(a, b, weight, levels, status, run_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			     &ins_pair)) ||
	    (rc = ws_prepare(ws, "INSERT INTO edge(src, dst, type, weight, record_id, stage) VALUES(?1, ?2, ?3, ?4, ?5, 'resolve')",
			     &ins_edge)) ||
	    (rc = ws_prepare(ws, "INSERT INTO er_merge(old_entity, new_entity, run_id) VALUES(?1, ?2, ?3)", &ins_merge)))
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_reset(ins_link);
		sqlite3_bind_int64(ins_link, 1, r[i].id);
		sqlite3_bind_int64(ins_link, 2, eid[i]);
		sqlite3_bind_int64(ins_link, 3, r[i].source_id);
		if (best[i] >= 0) {
			const struct er_pairw *p = &R->acc[best[i]];

			sqlite3_bind_double(ins_link, 4, p->w);
			sqlite3_bind_int64(ins_link, 5, r[p->a == i ? p->b : p->a].id);
			sqlite3_bind_text(ins_link, 6, rj.text.buf + rj.off[i], (int)(rj.off[i + 1] - rj.off[i]),
					  SQLITE_STATIC);
		} else {
			sqlite3_bind_null(ins_link, 4);
			sqlite3_bind_null(ins_link, 5);
			sqlite3_bind_null(ins_link, 6);
		}
		sqlite3_bind_int64(ins_link, 7, ws->run_id);
		if (sqlite3_step(ins_link) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing record links");
			goto out;
		}
		/* an entity this record belonged to that is no longer a cluster key */
		{
			uint64_t oe;

			if (u64map_get(&old, (uint64_t)r[i].id, &oe) && (int64_t)oe != eid[i]) {
				char key[32];

				snprintf(key, sizeof key, "p%lld", (long long)r[i].id);
				if (R->root[i] != i) {
					/* i was the key record of its old entity only if oe's key is p<id> */
					sqlite3_stmt *k;

					if ((rc = ws_prepare(ws, "SELECT 1 FROM entity WHERE id = ?1 AND key = ?2", &k)))
						goto out;
					sqlite3_bind_int64(k, 1, (int64_t)oe);
					sqlite3_bind_text(k, 2, key, -1, SQLITE_TRANSIENT);
					if (sqlite3_step(k) == SQLITE_ROW) {
						sqlite3_reset(ins_merge);
						sqlite3_bind_int64(ins_merge, 1, (int64_t)oe);
						sqlite3_bind_int64(ins_merge, 2, eid[i]);
						sqlite3_bind_int64(ins_merge, 3, ws->run_id);
						if (sqlite3_step(ins_merge) != SQLITE_DONE) {
							sqlite3_finalize(k);
							rc = ws_sqlerr(ws, "recording a merge");
							goto out;
						}
					}
					sqlite3_finalize(k);
				}
			}
		}
		/* identifier entities and their edges, each justified by this record */
		if (r[i].phone) {
			int64_t p = ent_ident(ws, &c, "phone", r[i].phone, r[i].id);

			if (!p || (rc = add_edge(ws, ins_edge, eid[i], p, "uses_phone", NAN, r[i].id))) {
				rc = ws->err.code;
				goto out;
			}
		}
		if (r[i].email) {
			int64_t p = ent_ident(ws, &c, "email", r[i].email, r[i].id);

			if (!p || (rc = add_edge(ws, ins_edge, eid[i], p, "uses_email", NAN, r[i].id))) {
				rc = ws->err.code;
				goto out;
			}
		}
		if (r[i].addrkey) {
			int64_t p = ent_ident(ws, &c, "address", r[i].addrkey, r[i].id);

			if (!p || (rc = add_edge(ws, ins_edge, eid[i], p, "lives_at", NAN, r[i].id))) {
				rc = ws->err.code;
				goto out;
			}
		}
		if (r[i].account && (rc = add_edge(ws, ins_edge, eid[i], r[i].account, "holds", NAN, r[i].id)))
			goto out;
		if ((i & 0xFFFF) == 0)
			ws_progress(ws, "resolve: write", i, n);
	}
	for (i = 0; i < R->nacc; i++) {
		const struct er_pairw *p = &R->acc[i];
		char lv[EF_N + 1];

		levels_text(p->pattern, lv);
		sqlite3_reset(ins_pair);
		sqlite3_bind_int64(ins_pair, 1, r[p->a].id);
		sqlite3_bind_int64(ins_pair, 2, r[p->b].id);
		sqlite3_bind_double(ins_pair, 3, p->w);
		sqlite3_bind_text(ins_pair, 4, lv, EF_N, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_pair, 5, R->merged[i] ? "merged" : "refused", -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_pair, 6, ws->run_id);
		if (sqlite3_step(ins_pair) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing scored pairs");
			goto out;
		}
		if (!R->merged[i]) {
			/* a link clustering refused: the two people may be one; analysts see it */
			st->refused_pairs++;
			if ((rc = add_edge(ws, ins_edge, eid[p->a], eid[p->b], "same_as", p->w, r[p->a].id)))
				goto out;
		}
	}
	rc = bulk_rebuild(ws, &bx);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins_link);
	sqlite3_finalize(ins_pair);
	sqlite3_finalize(ins_edge);
	sqlite3_finalize(ins_merge);
	ent_cache_release(&c);
	u64map_release(&old);
	mem_free(eid);
	mem_free(best);
	mem_free(rj.off);
	sbuf_release(&rj.text);
	return rc;
}

/*
 * Each record's own id and source file, for the export.  The `record` view
 * is a UNION ALL of every record table, so looking one id up probes each
 * table; instead every table is scanned once in id order over the ids
 * resolved and merged with the records (sorted by id).  The first table of
 * the view that holds a record with a known source wins, as the join's
 * first row did; a record none holds gets empty fields.
 */
struct ext_ids {
	struct sbuf text;          /* ext ids and source paths, NUL after each */
	size_t *ext;               /* per record: offset of its ext id, SIZE_MAX for none */
	size_t *file;              /* and of its source path */
	struct u64map src;         /* source id -> offset of its path */
};

static int ext_sources(rastro_ws *ws, struct ext_ids *x)
{
	sqlite3_stmt *q;
	int rc;

	if (ws_prepare(ws, "SELECT id, path FROM source", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(q, 1);

		if (u64map_put(&x->src, (uint64_t)sqlite3_column_int64(q, 0), x->text.len)) {
			sqlite3_finalize(q);
			return ws_error(ws, RASTRO_NOMEM, "out of memory exporting");
		}
		sbuf_adds(&x->text, p ? p : "");
		sbuf_addc(&x->text, '\0');
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "reading sources");
}

/* Merges record table `table` into x. */
static int ext_table(rastro_ws *ws, const struct er_data *d, const char *table, struct ext_ids *x)
{
	const struct er_rec *r = d->recs.data;
	size_t n = d->recs.len, j = 0;
	sqlite3_stmt *q;
	char sql[200];
	int rc;

	snprintf(sql, sizeof sql, "SELECT id, ext_id, source_id FROM %s WHERE id BETWEEN ?1 AND ?2 ORDER BY id", table);
	if (ws_prepare(ws, sql, &q))
		return ws->err.code;
	sqlite3_bind_int64(q, 1, r[0].id);
	sqlite3_bind_int64(q, 2, r[n - 1].id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		uint64_t file;
		const char *e;

		while (j < n && r[j].id < id)
			j++;
		if (j == n)
			break;
		if (r[j].id != id || x->ext[j] != SIZE_MAX ||
		    !u64map_get(&x->src, (uint64_t)sqlite3_column_int64(q, 2), &file))
			continue;
		e = (const char *)sqlite3_column_text(q, 1);
		x->ext[j] = x->text.len;
		x->file[j] = (size_t)file;
		sbuf_adds(&x->text, e ? e : "");
		sbuf_addc(&x->text, '\0');
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading record ids");
	return sbuf_failed(&x->text) ? ws_error(ws, RASTRO_NOMEM, "out of memory exporting") : 0;
}

/* The ext ids and files of every record (caller holds a read transaction). */
static int ext_load(rastro_ws *ws, const struct er_data *d, struct ext_ids *x)
{
	const struct schema_component *const *c;
	size_t i, n = d->recs.len;
	int rc;

	x->ext = mem_alloc((n ? n : 1) * sizeof *x->ext);
	x->file = mem_alloc((n ? n : 1) * sizeof *x->file);
	if (!x->ext || !x->file)
		return ws_error(ws, RASTRO_NOMEM, "out of memory exporting");
	for (i = 0; i < n; i++)
		x->ext[i] = SIZE_MAX;
	if ((rc = ext_sources(ws, x)) || !n)
		return rc;
	for (c = schema_components(); *c; c++)
		for (i = 0; i < (*c)->nrecord_tables; i++) {
			const char *spec = (*c)->record_tables[i];
			char table[64];

			snprintf(table, sizeof table, "%.*s", (int)strcspn(spec, ":"), spec);
			if ((rc = ext_table(ws, d, table, x)))
				return rc;
		}
	return 0;
}

static int export_csv(struct run *R, const char *path)
{
	rastro_ws *ws = R->ws;
	const struct er_rec *r = R->d.recs.data;
	FILE *f = fopen(path, "w");
	struct ext_ids x;
	struct sbuf line = SBUF_INIT;
	size_t i;
	int rc = 0;

	if (!f)
		return ws_error(ws, RASTRO_IO, "cannot write '%s'", path);
	sbuf_init(&line);
	sbuf_init(&x.text);
	x.ext = x.file = NULL;
	u64map_init(&x.src);
	/* one read transaction over every table read */
	if (ws_exec(ws, "BEGIN", "reading record ids")) {
		rc = ws->err.code;
		goto out;
	}
	rc = ext_load(ws, &R->d, &x);
	ws_exec(ws, "COMMIT", "reading record ids");
	if (rc)
		goto out;
	fputs("record_id,source,file,entity\n", f);
	for (i = 0; i < R->d.recs.len; i++) {
		const char *ext = x.ext[i] == SIZE_MAX ? "" : x.text.buf + x.ext[i];
		const char *file = x.ext[i] == SIZE_MAX ? "" : x.text.buf + x.file[i];
		char ent[32];

		snprintf(ent, sizeof ent, "p%lld", (long long)r[R->root[i]].id);
		sbuf_clear(&line);
		sbuf_add_csv_field(&line, ext, strlen(ext));
		sbuf_addf(&line, ",%lld,", (long long)r[i].source_id);
		sbuf_add_csv_field(&line, file, strlen(file));
		sbuf_addf(&line, ",%s\n", ent);
		if (sbuf_failed(&line)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory writing '%s'", path);
			goto out;
		}
		fwrite(line.buf, 1, line.len, f);
	}
	if (ferror(f))
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", path);
out:
	if (fclose(f) && !rc)
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", path);
	sbuf_release(&line);
	sbuf_release(&x.text);
	mem_free(x.ext);
	mem_free(x.file);
	u64map_release(&x.src);
	return rc;
}

/* Score pairs [from, to) into levels and weights. */
struct score_job {
	const struct run *R;
	const uint64_t *pairs;
	size_t from, to;
	uint64_t *pat;
};

static void score_patterns(const struct score_job *j)
{
	const struct er_rec *r = j->R->d.recs.data;
	size_t i;

	for (i = j->from; i < j->to; i++) {
		int lev[EF_N];

		j->pat[i] = er_compare(&j->R->d, &r[j->pairs[i] >> 32], &r[j->pairs[i] & 0xFFFFFFFFu], lev);
	}
}

static void *score_thread(void *arg)
{
	score_patterns(arg);
	return NULL;
}

static int compute_patterns(struct run *R, const uint64_t *pairs, size_t np, uint64_t *pat, int threads)
{
	struct score_job jobs[8];
	int t;

	if (threads < 1)
		threads = 1;
	if (threads > 8)
		threads = 8;
	if (np < 10000)
		threads = 1;
	for (t = 0; t < threads; t++) {
		jobs[t].R = R;
		jobs[t].pairs = pairs;
		jobs[t].from = np * (size_t)t / (size_t)threads;
		jobs[t].to = np * (size_t)(t + 1) / (size_t)threads;
		jobs[t].pat = pat;
	}
	par_run(jobs, sizeof jobs[0], threads, score_thread);
	return 0;
}

/*
 * Deciding every candidate pair (a pure function of the pair) on
 * resolve.threads threads: each takes a contiguous range and writes its
 * accepted pairs at the start of that range in acc, and the ranges are
 * then closed up in order, so acc is the same on any thread count.
 */
struct accept_job {
	const struct run *R;
	const struct er_lw *lw;
	const uint64_t *pairs, *pat;
	size_t from, to;
	struct er_pairw *acc;
	size_t n;                  /* accepted, at acc[from, from + n) */
};

static void accept_range(struct accept_job *j)
{
	const struct er_rec *r = j->R->d.recs.data;
	struct er_pairw *out = j->acc + j->from;
	size_t i;

	j->n = 0;
	for (i = j->from; i < j->to; i++) {
		int lev[EF_N];
		uint32_t a = (uint32_t)(j->pairs[i] >> 32), b = (uint32_t)(j->pairs[i] & 0xFFFFFFFFu);
		double w;

		unpack(j->pat[i], lev);
		if (er_accept_lw(&j->R->mo, j->lw, &r[a], lev, &w)) {
			out[j->n].a = a;
			out[j->n].b = b;
			out[j->n].w = (float)w;
			out[j->n].pattern = j->pat[i];
			j->n++;
		}
	}
}

static void *accept_thread(void *arg)
{
	accept_range(arg);
	return NULL;
}

/* Accepted pairs of pairs[0, np) into acc (room for np); their count. */
static size_t accept_pairs(const struct run *R, const uint64_t *pairs, const uint64_t *pat, size_t np,
			   struct er_pairw *acc, int threads)
{
	struct accept_job jobs[8];
	struct er_lw lw;
	int t;
	size_t n = 0;

	threads = threads < 1 ? 1 : threads > 8 ? 8 : threads;
	if (np < 10000)
		threads = 1;
	er_lw_init(&lw, &R->mo);
	for (t = 0; t < threads; t++) {
		jobs[t].R = R;
		jobs[t].lw = &lw;
		jobs[t].pairs = pairs;
		jobs[t].pat = pat;
		jobs[t].acc = acc;
		jobs[t].from = np * (size_t)t / (size_t)threads;
		jobs[t].to = np * (size_t)(t + 1) / (size_t)threads;
	}
	par_run(jobs, sizeof jobs[0], threads, accept_thread);
	for (t = 0; t < threads; t++) {
		if (n != jobs[t].from)
			memmove(acc + n, acc + jobs[t].from, jobs[t].n * sizeof *acc);
		n += jobs[t].n;
	}
	return n;
}

/* Pattern counts of the blocked pairs found by key `key` (any pair when
 * key < 0), with the fields that key forces to agree blanked out (level 0,
 * left out of the likelihood); rule pairs are counted on the full levels. */
static size_t group_patterns(const uint64_t *combo, const uint64_t *ccount, size_t ncombo, int key,
			     uint64_t *pats, uint64_t *counts, uint64_t *rule, uint64_t *total)
{
	uint64_t blank = 0;
	size_t i, n = 0;
	int f;

	*rule = *total = 0;
	if (key >= 0)
		for (f = 0; f < EF_N; f++)
			if (er_block_keys_of_field(f) & (1u << key))
				blank |= (uint64_t)7 << (3 * f);
	for (i = 0; i < ncombo; i++) {
		uint64_t pat = combo[i] >> ER_NKEYS;
		uint16_t mk = (uint16_t)(combo[i] & ER_KEYMASK);
		int lev[EF_N];

		if (key >= 0 && !(mk & (1u << key)))
			continue;
		unpack(pat, lev);
		if (er_rule_match(lev))
			*rule += ccount[i];
		*total += ccount[i];
		pats[n] = pat & ~blank;
		counts[n++] = ccount[i];
	}
	return n;   /* equal patterns may repeat: EM sums them all the same */
}

/*
 * Training.  u from random pairs; m by EM in the manner of Splink's
 * round-robin training: one EM run per blocking key over the pairs that key
 * found, with the fields the key forces to agree left out of the
 * likelihood (a pass cannot estimate the columns it blocks on, and their
 * forced agreement would otherwise pull non-matches into the match class).
 * A field's m is the average over the runs that could estimate it
 * (weighted by their pairs); a field no run estimates keeps the m of an EM
 * run over all pairs.  The share of matches among each run's pairs is held
 * at (rule pairs / recall guess) / pairs.
 */
static int train(struct run *R, const uint16_t *masks, const uint64_t *pat, size_t np, int64_t total_pairs_link)
{
	rastro_ws *ws = R->ws;
	uint64_t *combo, *ccount, *pats, *counts, rule_all = 0, tot;
	size_t i, ncombo = 0, npat;
	double total, recall = cfg_double(ws->cfg, "resolve.model.recall_guess", 0.8);
	int max_iter = (int)cfg_int(ws->cfg, "resolve.model.em_max_iter", 50), f, l, k;
	double tol = cfg_double(ws->cfg, "resolve.model.em_tol", 1e-5);
	double msum[EF_N][ER_MAXLEV], wsum[EF_N];
	size_t n = R->d.recs.len;
	uint64_t upairs;
	struct er_model all;

	if (er_model_count_tf(&R->mo, &R->d))
		return ws_error(ws, RASTRO_NOMEM, "out of memory counting name frequencies");
	{
		/* never more random pairs than there are pairs */
		double everything = total_pairs_link ? (double)total_pairs_link : (double)n * (double)(n - 1) / 2.0;

		upairs = (uint64_t)cfg_int(ws->cfg, "resolve.model.u_pairs", 300000);
		if ((double)upairs > everything)
			upairs = (uint64_t)everything;
	}
	if (er_model_estimate_u(&R->mo, &R->d, upairs, (uint64_t)cfg_int(ws->cfg, "resolve.seed", 42), R->link_a,
				R->link_b, (int)cfg_int(ws->cfg, "resolve.threads", 2)))
		return ws_error(ws, RASTRO_NOMEM, "out of memory sampling random pairs");
	combo = mem_alloc((np ? np : 1) * sizeof *combo);
	ccount = mem_alloc((np ? np : 1) * sizeof *ccount);
	pats = mem_alloc((np ? np : 1) * sizeof *pats);
	counts = mem_alloc((np ? np : 1) * sizeof *counts);
	if (!combo || !ccount || !pats || !counts) {
		mem_free(combo);
		mem_free(ccount);
		mem_free(pats);
		mem_free(counts);
		return ws_error(ws, RASTRO_NOMEM, "out of memory training the model");
	}
	/* (pattern, keys) combinations with their counts: 42 + 11 bits */
	for (i = 0; i < np; i++)
		combo[i] = pat[i] << ER_NKEYS | masks[i];
	er_radix_u64(combo, pats, np, 64);
	for (i = 0; i < np; i++) {
		if (ncombo && combo[ncombo - 1] == combo[i])
			ccount[ncombo - 1]++;
		else {
			combo[ncombo] = combo[i];
			ccount[ncombo++] = 1;
		}
	}
	/* all pairs: the starting point and the fallback for every field */
	npat = group_patterns(combo, ccount, ncombo, -1, pats, counts, &rule_all, &tot);
	er_model_em(&R->mo, pats, counts, npat, max_iter, tol,
		    rule_all && tot ? fmin(0.5, (double)rule_all / recall / (double)tot) : 0);
	all = R->mo;
	memset(msum, 0, sizeof msum);
	memset(wsum, 0, sizeof wsum);
	for (k = 0; k < ER_NKEYS; k++) {
		uint64_t rule, sub;
		struct er_model m1 = all;

		npat = group_patterns(combo, ccount, ncombo, k, pats, counts, &rule, &sub);
		if (!npat || !rule || sub < 50)
			continue; /* too little evidence in this key's pairs */
		er_model_em(&m1, pats, counts, npat, max_iter, tol, fmin(0.5, (double)rule / recall / (double)sub));
		for (f = 0; f < EF_N; f++) {
			if (er_block_keys_of_field(f) & (1u << k))
				continue;
			for (l = 0; l < ER_MAXLEV; l++)
				msum[f][l] += m1.m[f][l] * (double)rule;
			wsum[f] += (double)rule;
		}
	}
	for (f = 0; f < EF_N; f++)
		if (wsum[f] > 0)
			for (l = 1; l < ER_MAXLEV; l++)
				R->mo.m[f][l] = msum[f][l] / wsum[f];
	mem_free(combo);
	mem_free(ccount);
	mem_free(pats);
	mem_free(counts);
	total = total_pairs_link ? (double)total_pairs_link : (double)n * (double)(n - 1) / 2.0;
	er_model_set_lambda(&R->mo, rule_all, recall, total);
	return 0;
}

static int accept_pair(void *ctx, uint32_t a, uint32_t b)
{
	const struct run *R = ctx;
	const struct er_rec *r = R->d.recs.data;
	int lev[EF_N];

	er_compare(&R->d, &r[a], &r[b], lev);
	return er_accept(&R->mo, &R->d, &r[a], &r[b], lev, NULL);
}

static int save_block_report(struct run *R)
{
	rastro_ws *ws = R->ws;
	sqlite3_stmt *st;
	int k;

	if (ws_exec(ws, "DELETE FROM er_block", "clearing the block report") ||
	    ws_prepare(ws, "INSERT INTO er_block(run_id, key, blocks, pairs, capped, largest) VALUES(?1,?2,?3,?4,?5,?6)", &st))
		return ws->err.code;
	for (k = 0; k < ER_NKEYS; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ws->run_id);
		sqlite3_bind_text(st, 2, er_block_key_name(k), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)R->rep[k].blocks);
		sqlite3_bind_int64(st, 4, (int64_t)R->rep[k].pairs);
		sqlite3_bind_int64(st, 5, (int64_t)R->rep[k].capped);
		sqlite3_bind_int64(st, 6, (int64_t)R->rep[k].largest);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return ws_sqlerr(ws, "writing the block report");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static void warnings_text(const struct er_warnings *w, struct rastro_resolve_stats *st)
{
	size_t k = 0, cap = sizeof st->warning_text;
	char *o = st->warning_text;

	o[0] = '\0';
#define W(cond, ...) do { if ((cond) && k < cap) k += (size_t)snprintf(o + k, cap - k, __VA_ARGS__); } while (0)
	W(w->empty_name, "%llu record(s) without any name (matched on other fields only)\n", (unsigned long long)w->empty_name);
	W(w->only_particles, "%llu record(s) whose name holds only particles (de, del, la...), treated as no name\n",
	  (unsigned long long)w->only_particles);
	W(w->non_latin, "%llu record(s) with names in a non-Latin script (compared exactly, no phonetic keys)\n",
	  (unsigned long long)w->non_latin);
	W(w->bad_dob, "%llu record(s) with an unreadable or absurd date of birth (treated as missing)\n",
	  (unsigned long long)w->bad_dob);
	W(w->bad_phone, "%llu record(s) with a phone number that is not valid (treated as missing)\n",
	  (unsigned long long)w->bad_phone);
	W(w->bad_email, "%llu record(s) with an email that is not an address (treated as missing)\n",
	  (unsigned long long)w->bad_email);
	W(w->capped_blocks, "%llu block(s) over the size cap skipped (%s); raise resolve.block.max_size to pair them\n",
	  (unsigned long long)w->capped_blocks, w->first_capped);
	W(w->adapters_skipped[0], "record tables skipped: %s\n", w->adapters_skipped);
#undef W
	st->warnings = w->empty_name + w->only_particles + w->non_latin + w->bad_dob + w->bad_phone + w->bad_email +
		       w->capped_blocks;
}

int rastro_resolve(rastro_ws *ws, const struct rastro_resolve_opts *o, struct rastro_resolve_stats *st)
{
	struct run R;
	struct vec pairs, masks;
	struct er_block_opts bo;
	uint64_t *pat = NULL;
	double t0 = now_s(), tcl = 0, c0 = cpu_s();
	size_t i, np, nold = 0;
	int rc = 0, in_tx = 0, fk_off = 0, bulk = 0;
	int64_t link_total = 0, cache_was = -65536;
	struct sbuf params = SBUF_INIT;

	memset(&R, 0, sizeof R);
	memset(st, 0, sizeof *st);
	R.ws = ws;
	vec_init(&pairs, sizeof(uint64_t));
	vec_init(&masks, sizeof(uint16_t));
	sbuf_init(&params);
	er_model_init(&R.mo, ws->cfg);
	if (o->link_a || o->link_b) {
		if (!o->link_a || !o->link_b)
			return ws_error(ws, RASTRO_USAGE, "link mode needs two sources");
		if (source_of(ws, o->link_a, &R.link_a) || source_of(ws, o->link_b, &R.link_b))
			return ws->err.code;
		if (R.link_a == R.link_b)
			return ws_error(ws, RASTRO_USAGE, "link mode needs two different sources");
		if (o->incremental)
			return ws_error(ws, RASTRO_USAGE, "--incremental and --link cannot be combined");
	}
	if (ws_run_begin(ws, "resolve", o->link_a ? "link" : o->incremental ? "incremental" : "batch"))
		return ws->err.code;
	if ((rc = er_data_load(ws, &R.d, R.link_a, R.link_b)))
		goto out;
	st->t_read = now_s() - t0;
	cpu_mark(st, 0, &c0);
	st->records = R.d.recs.len;
	if (R.link_a) {
		uint64_t na = 0, nb = 0;
		const struct er_rec *r = R.d.recs.data;

		for (i = 0; i < R.d.recs.len; i++) {
			na += r[i].source_id == R.link_a;
			nb += r[i].source_id == R.link_b;
		}
		link_total = (int64_t)(na * nb);
	}
	/* incremental: which records are new */
	if (o->incremental) {
		sqlite3_stmt *q;
		struct er_rec *r = R.d.recs.data;

		for (i = 0; i < R.d.recs.len; i++)
			r[i].is_new = 1;
		if ((rc = ws_prepare(ws, "SELECT record_id FROM er_link", &q)))
			goto out;
		while (sqlite3_step(q) == SQLITE_ROW) {
			long k = rec_index(&R.d, sqlite3_column_int64(q, 0));

			if (k >= 0) {
				r[k].is_new = 0;
				nold++;
			}
		}
		sqlite3_finalize(q);
		st->new_records = R.d.recs.len - nold;
	} else
		st->new_records = R.d.recs.len;
	/* the model: a file, the saved one (incremental), or trained now */
	if (o->params_in || o->incremental) {
		char *text = NULL;
		size_t tn = 0;
		struct rs_err e;

		if (o->params_in)
			rc = read_file(ws, o->params_in, &text, &tn);
		else {
			rc = latest_params(ws, &text);
			tn = text ? strlen(text) : 0;
		}
		if (rc)
			goto out;
		err_clear(&e);
		if (er_model_load(&R.mo, text, tn, &e)) {
			mem_free(text);
			rc = ws_error(ws, e.code, "%s: %s", o->params_in ? o->params_in : "saved model", e.msg);
			goto out;
		}
		R.params_text = text;
		if (er_model_bind_tf(&R.mo, &R.d)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory binding name frequencies");
			goto out;
		}
	}
	/* blocking */
	bo.cap = (size_t)cfg_int(ws->cfg, "resolve.block.max_size", 1000);
	bo.split = (size_t)cfg_int(ws->cfg, "resolve.block.split_size", 16);
	bo.link_a = R.link_a;
	bo.link_b = R.link_b;
	bo.only_new = o->incremental;
	ws_progress(ws, "resolve: block", 0, 0);
	{
		int b = er_block(&R.d, &bo, &pairs, &masks, R.rep, &R.d.warn);

		if (b == -2) {
			rc = ws_error(ws, RASTRO_LIMIT, "%zu person-like records: one run handles at most 67,108,863",
				      R.d.recs.len);
			goto out;
		}
		if (b) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory building candidate pairs");
			goto out;
		}
	}
	np = pairs.len;
	st->candidate_pairs = np;
	st->t_block = now_s() - t0 - st->t_read;
	cpu_mark(st, 1, &c0);
	pat = mem_alloc((np ? np : 1) * sizeof *pat);
	if (!pat) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory scoring %zu pairs", np);
		goto out;
	}
	ws_progress(ws, "resolve: compare", 0, np);
	{
		double tc = now_s();

		compute_patterns(&R, pairs.data, np, pat, (int)cfg_int(ws->cfg, "resolve.threads", 2));
		st->t_compare = now_s() - tc;
		cpu_mark(st, 2, &c0);
		tc = now_s();
		if (!o->params_in && !o->incremental && (rc = train(&R, masks.data, pat, np, link_total)))
			goto out;
		st->t_train = now_s() - tc;
		cpu_mark(st, 3, &c0);
	}
	/* accepted pairs: this run's plus, incrementally, the saved ones */
	{
		const uint64_t *pp = pairs.data;
		size_t cap = np + 16;
		sqlite3_stmt *q = NULL;
		int64_t nsaved = 0;

		if (o->incremental && (rc = ws_query_i64(ws, "SELECT count(*) FROM er_pair", 0, &nsaved)))
			goto out;
		cap += (size_t)nsaved;
		R.acc = mem_alloc(cap * sizeof *R.acc);
		if (!R.acc) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto out;
		}
		R.nacc = accept_pairs(&R, pp, pat, np, R.acc, (int)cfg_int(ws->cfg, "resolve.threads", 2));
		if (o->incremental) {
			if ((rc = ws_prepare(ws, "SELECT a, b, weight, levels FROM er_pair", &q)))
				goto out;
			while (sqlite3_step(q) == SQLITE_ROW && R.nacc < cap) {
				long a = rec_index(&R.d, sqlite3_column_int64(q, 0)), b = rec_index(&R.d, sqlite3_column_int64(q, 1));

				if (a < 0 || b < 0)
					continue;
				R.acc[R.nacc].a = (uint32_t)(a < b ? a : b);
				R.acc[R.nacc].b = (uint32_t)(a < b ? b : a);
				R.acc[R.nacc].w = (float)sqlite3_column_double(q, 2);
				R.acc[R.nacc].pattern = levels_parse((const char *)sqlite3_column_text(q, 3));
				R.nacc++;
			}
			sqlite3_finalize(q);
		}
		qsort(R.acc, R.nacc, sizeof *R.acc, pw_cmp);
	}
	st->accepted_pairs = R.nacc;
	vec_release(&pairs);
	mem_free(pat);
	pat = NULL;
	/* clustering */
	tcl = now_s();
	R.root = mem_alloc((R.d.recs.len ? R.d.recs.len : 1) * sizeof *R.root);
	R.merged = mem_alloc((R.nacc ? R.nacc : 1) * sizeof *R.merged);
	if (!R.root || !R.merged ||
	    er_cluster(R.acc, R.nacc, R.d.recs.len, cfg_double(ws->cfg, "resolve.cluster.density", 0.5), R.link_a != 0,
		       accept_pair, &R, (size_t)cfg_int(ws->cfg, "resolve.cluster.exhaustive_max", 400), R.root, R.merged)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory clustering");
		goto out;
	}
	st->t_cluster = now_s() - tcl;
	cpu_mark(st, 4, &c0);
	tcl = now_s();
	st->lambda = R.mo.lambda;
	st->threshold = R.mo.threshold;
	st->em_iterations = R.mo.em_iterations;
	if (R.params_text)
		sbuf_adds(&params, R.params_text);   /* keep a loaded model exactly, TF values included */
	else if (er_model_save(&R.mo, &R.d, &params)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory saving the model");
		goto out;
	}
	if (sbuf_failed(&params)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory saving the model");
		goto out;
	}
	if (o->params_out) {
		FILE *f = fopen(o->params_out, "w");

		if (!f || fwrite(params.buf, 1, params.len, f) != params.len) {
			if (f)
				fclose(f);
			rc = ws_error(ws, RASTRO_IO, "cannot write the parameter file '%s'", o->params_out);
			goto out;
		}
		if (fclose(f)) {
			rc = ws_error(ws, RASTRO_IO, "cannot write the parameter file '%s'", o->params_out);
			goto out;
		}
	}
	if (!R.link_a) {
		/* the workspace keeps the resolution; link mode only reports */
		sqlite3_stmt *q;
		char now[32];

		/* Every entity a written row refers to is loaded or created in
		 * this transaction (see write_back), so the references are right
		 * by construction; checking each costs a B-tree lookup per edge
		 * end and link.  The pragma only works outside a transaction. */
		sqlite3_exec(ws->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
		fk_off = 1;
		if ((int64_t)R.d.recs.len >= cfg_int(ws->cfg, "resolve.bulk_records", BULK_RECORDS)) {
			int threads = (int)cfg_int(ws->cfg, "resolve.threads", 2);
			char sql[48];

			/* new pages are not journaled twice (see ws_bulk_journal); a
			 * larger cache for the index rebuilds, set back afterwards */
			if ((rc = ws_query_i64(ws, "PRAGMA cache_size", -65536, &cache_was)))
				goto out;
			ws_bulk_journal(ws, 1);
			sqlite3_exec(ws->db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
			/* the index rebuilds sort on resolve.threads threads (the
			 * pragma counts the helpers beside the calling thread) */
			snprintf(sql, sizeof sql, "PRAGMA threads = %d", threads < 2 ? 0 : threads > 8 ? 7 : threads - 1);
			sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
			bulk = 1;
		}
		if ((rc = ws_begin(ws)))
			goto out;
		in_tx = 1;
		ws_now(now);
		if ((rc = ws_prepare(ws, "INSERT INTO er_model(created_at, params, run_id) VALUES(?1, ?2, ?3)", &q)))
			goto out;
		sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, params.buf, (int)params.len, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, ws->run_id);
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			rc = ws_sqlerr(ws, "saving the model");
			goto out;
		}
		sqlite3_finalize(q);
		if ((rc = write_back(&R, st)) || (rc = save_block_report(&R)))
			goto out;
		if ((rc = ws_commit(ws)))
			goto out;
		in_tx = 0;
	} else {
		for (i = 0; i < R.d.recs.len; i++)
			st->entities += R.root[i] == i;
		for (i = 0; i < R.nacc; i++)
			st->refused_pairs += !R.merged[i];
	}
	st->t_write = now_s() - tcl;
	cpu_mark(st, 5, &c0);
	tcl = now_s();
	if (o->export_path && (rc = export_csv(&R, o->export_path)))
		goto out;
	st->t_export = now_s() - tcl;
	cpu_mark(st, 6, &c0);
	warnings_text(&R.d.warn, st);
out:
	if (in_tx)
		ws_rollback(ws);
	if (bulk) {
		char sql[48];

		snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)cache_was);
		sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
		sqlite3_exec(ws->db, "PRAGMA threads = 0", NULL, NULL, NULL);
		ws_bulk_journal(ws, 0);
	}
	if (fk_off)
		sqlite3_exec(ws->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	st->seconds = now_s() - t0;
	{
		char summary[256];

		snprintf(summary, sizeof summary, "%llu records, %llu pairs scored, %llu accepted, %llu entities",
			 (unsigned long long)st->records, (unsigned long long)st->candidate_pairs,
			 (unsigned long long)st->accepted_pairs, (unsigned long long)st->entities);
		ws_run_end(ws, rc, rc ? ws->err.msg : summary);
	}
	vec_release(&pairs);
	vec_release(&masks);
	mem_free(pat);
	mem_free(R.acc);
	mem_free(R.root);
	mem_free(R.merged);
	mem_free(R.params_text);
	sbuf_release(&params);
	er_model_release(&R.mo);
	er_data_release(&R.d);
	return rc;
}

int rastro_resolve_blocks(rastro_ws *ws, rastro_table **out)
{
	static const char *const cols[] = { "key", "blocks:int", "pairs:int", "capped:int", "largest:int" };
	rastro_table *t = tbl_new("blocking keys", cols, 5);
	sqlite3_stmt *st;

	*out = NULL;
	if (!t)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (ws_prepare(ws, "SELECT key, blocks, pairs, capped, largest FROM er_block ORDER BY rowid", &st)) {
		rastro_table_free(t);
		return ws->err.code;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int c;

		tbl_row(t);
		for (c = 0; c < 5; c++)
			tbl_set(t, (size_t)c, (const char *)sqlite3_column_text(st, c));
	}
	sqlite3_finalize(st);
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}
