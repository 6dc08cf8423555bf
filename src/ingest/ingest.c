/*
 * ingest: loads one source file into the workspace.
 *
 * Two threads share the work: this one reads and validates rows through the
 * format (parsing, interning entities, assigning record ids) and fills
 * batches; a writer thread binds the batches' records to prepared INSERTs.
 * Batches come from a small fixed pool, so memory stays flat however long
 * the file is.  The whole file is one transaction: a crash, a disk-full or a
 * damaged compressed stream leaves the workspace exactly as it was, and bad
 * rows are quarantined with file, line, column and reason, never dropped.
 */
#include "format.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/h128map.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/vec.h"
#include "io/csv.h"
#include "io/jsonl.h"
#include "io/zin.h"
#include "store/schema.h"
#include "store/ws.h"

#define BATCH_RECS 8192
#define BATCH_BYTES (8u << 20)
#define NBATCHES 4
#define RAW_STORE_MAX (64u << 10)
#define BULK_BYTES (64u << 20)   /* loads larger than this drop and rebuild indexes */
#define MAX_KINDS 32
#define MULTI_ROWS 128         /* rows per multi-row INSERT: fewer statement steps */
#define MAX_ENTITY_KINDS 16

/* Records are written in passes: entities, then accounts, then everything
 * that refers to them, so a referenced row always exists before its
 * referrer.  A batch keeps one list per pass. */
enum { PASS_ENTITY, PASS_ACCOUNT, PASS_OTHER, NPASSES };

/* What a queue chains: the first member of the structs it carries. */
struct qlink {
	struct qlink *next;
};

struct batch {
	struct qlink link;
	struct arena mem;
	struct vec recs[NPASSES]; /* struct rec *, in creation order within a pass */
	size_t nrecs;
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct qlink *head, *tail;
	int closed;
};

/* Keys of one entity kind -> entity ids (the map's values). */
struct kind_map {
	char name[32];
	struct strmap keys;
};

#define PF_MAX 1024            /* two accounts per row of a block */

#define PF_KEY 48              /* keys up to this long are kept with their prefetch */

/* One prefetched account key: where its parts were, the key built from
 * them and its hash. */
struct prefetched {
	const char *bank, *number;
	size_t banklen, numlen;
	uint64_t hash;
	size_t kl;
	char key[PF_KEY];
};

/* What a statement parameter holds.  Bindings survive sqlite3_reset, so a
 * parameter that already holds the value (NULL in an optional column no
 * row fills, the source id, a label of 0) is not bound again. */
enum { BOUND_NULL, BOUND_INT, BOUND_OTHER };

struct bound {
	int64_t i;
	int type;
};

struct stmt_slot {
	const struct rec_kind *kind;
	size_t rows;              /* rows per statement: 1 or MULTI_ROWS */
	sqlite3_stmt *st;
	struct bound *bound;      /* per parameter (1-based): what it is bound to now */
};

struct fctx {
	rastro_ws *ws;
	const char *path;
	int64_t source_id;
	int64_t next_record;
	int64_t next_entity;
	struct batch *cur;
	struct batch pool[NBATCHES];
	struct queue full, empty;
	/* entity interning, one map per entity kind the format declared */
	struct kind_map kinds[MAX_ENTITY_KINDS];
	size_t nkinds;
	struct kind_map *accounts;  /* kinds[] entry of "account", looked up once */
	/* Account keys prefetched for the current block of rows, with their
	 * hashes, so the lookup that follows does not hash the key again. */
	struct prefetched pf[PF_MAX];
	size_t npf, ipf;
	uint64_t entities_added;
	int undeclared_kind;      /* a format used a kind it did not declare */
	/* duplicate external ids in this file */
	struct h128map seen;      /* 128-bit id hash -> the line where the id was first seen */
	/* writer */
	pthread_t writer;
	int writer_started;
	atomic_int writer_failed;
	struct rs_err writer_err;
	struct stmt_slot stmts[MAX_KINDS];
	size_t nstmts;
	/* Record ids: SQLite gives a NULL rowid max(rowid) + 1, found without
	 * the B-tree search an explicit rowid costs.  Used for the next record
	 * of id_kind when its id is id_prev + 1 and no older row of the table
	 * has a larger id (checked once per kind). */
	const struct rec_kind *id_kind;
	int64_t id_prev;          /* last id written into id_kind's table; 0 = bind explicitly */
	int id_ok;                /* no row of id_kind's table had a larger id when it was checked */
	int oom;                  /* an allocation failed on the reader side */
};

/* ---- queue ---- */

static void queue_init(struct queue *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->head = q->tail = NULL;
	q->closed = 0;
}

static void queue_destroy(struct queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
}

static void queue_push(struct queue *q, struct qlink *b)
{
	pthread_mutex_lock(&q->mu);
	b->next = NULL;
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* Blocks until an item is available; NULL once closed and empty. */
static struct qlink *queue_pop(struct queue *q)
{
	struct qlink *b;

	pthread_mutex_lock(&q->mu);
	while (!q->head && !q->closed)
		pthread_cond_wait(&q->cv, &q->mu);
	b = q->head;
	if (b) {
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	return b;
}

static void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* ---- writer thread ---- */

static struct stmt_slot *stmt_for(struct fctx *ctx, const struct rec_kind *k, size_t rows)
{
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *st = NULL;
	struct stmt_slot *slot = NULL;
	size_t i, r, nparams = k->ncols + (k->is_record ? 3 : 0);

	for (i = 0; i < ctx->nstmts; i++)
		if (ctx->stmts[i].kind == k && ctx->stmts[i].rows == rows)
			return &ctx->stmts[i];
	if (ctx->nstmts == MAX_KINDS) {
		err_set(&ctx->writer_err, RASTRO_ERROR, "too many record kinds in one load");
		return NULL;
	}
	sbuf_init(&sql);
	sbuf_addf(&sql, "INSERT INTO %s(", k->table);
	if (k->is_record)
		sbuf_adds(&sql, "id, source_id, line, ");
	for (i = 0; i < k->ncols; i++)
		sbuf_addf(&sql, "%s%s", i ? ", " : "", k->cols[i]);
	sbuf_adds(&sql, ") VALUES");
	for (r = 0; r < rows; r++) {
		sbuf_adds(&sql, r ? ", (" : "(");
		for (i = 0; i < nparams; i++)
			sbuf_adds(&sql, i ? ", ?" : "?");
		sbuf_addc(&sql, ')');
	}
	if (sbuf_failed(&sql)) {
		err_set(&ctx->writer_err, RASTRO_NOMEM, "out of memory preparing inserts");
	} else if (sqlite3_prepare_v3(ctx->ws->db, sql.buf, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		err_set(&ctx->writer_err, ws_code_from_sqlite(sqlite3_errcode(ctx->ws->db)),
			"preparing inserts into %s: %s", k->table, sqlite3_errmsg(ctx->ws->db));
		st = NULL;
	} else if (!(ctx->stmts[ctx->nstmts].bound = mem_calloc(rows * nparams + 1, sizeof(struct bound)))) {
		sqlite3_finalize(st);
		err_set(&ctx->writer_err, RASTRO_NOMEM, "out of memory preparing inserts");
	} else {
		slot = &ctx->stmts[ctx->nstmts++];
		slot->kind = k;
		slot->rows = rows;
		slot->st = st;
	}
	sbuf_release(&sql);
	return slot;
}

/* Largest id in a table (0 when empty); INT64_MAX when it cannot be read,
 * which makes every record bind its id explicitly. */
static int64_t table_max_id(struct fctx *ctx, const char *table)
{
	char sql[96];
	sqlite3_stmt *st;
	int64_t max = INT64_MAX;

	snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
	if (sqlite3_prepare_v2(ctx->ws->db, sql, -1, &st, NULL) != SQLITE_OK)
		return max;
	if (sqlite3_step(st) == SQLITE_ROW)
		max = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return max;
}

/* 1 when a NULL rowid makes SQLite give record r exactly its id: r follows
 * the previous record of its table by one, and that record was the
 * table's largest.  write_group checks the ids SQLite gave. */
static int id_implicit(struct fctx *ctx, const struct rec *r)
{
	int ok;

	if (ctx->id_kind != r->kind) {
		ctx->id_kind = r->kind;
		ctx->id_prev = 0;
		ctx->id_ok = table_max_id(ctx, r->kind->table) < r->id;
	}
	ok = ctx->id_ok && ctx->id_prev && r->id == ctx->id_prev + 1;
	ctx->id_prev = r->id;
	return ok;
}

static void bind_int(struct stmt_slot *ss, int p, int64_t v)
{
	struct bound *b = &ss->bound[p];

	if (b->type == BOUND_INT && b->i == v)
		return;
	sqlite3_bind_int64(ss->st, p, v);
	b->type = BOUND_INT;
	b->i = v;
}

static void bind_null(struct stmt_slot *ss, int p)
{
	if (ss->bound[p].type == BOUND_NULL)
		return;
	sqlite3_bind_null(ss->st, p);
	ss->bound[p].type = BOUND_NULL;
}

/* Binds one record's values starting at parameter p; returns the next p. */
static int bind_rec(struct fctx *ctx, struct stmt_slot *ss, int p, const struct rec *r)
{
	sqlite3_stmt *st = ss->st;
	size_t i;

	if (r->kind->is_record) {
		if (id_implicit(ctx, r))
			bind_null(ss, p++);
		else
			bind_int(ss, p++, r->id);
		bind_int(ss, p++, ctx->source_id);
		bind_int(ss, p++, (int64_t)r->line);
	}
	for (i = 0; i < r->kind->ncols; i++, p++) {
		const struct val *v = &r->v[i];

		switch (v->type) {
		case VAL_INT:
			bind_int(ss, p, v->u.i);
			break;
		case VAL_REAL:
			sqlite3_bind_double(st, p, v->u.d);
			ss->bound[p].type = BOUND_OTHER;
			break;
		case VAL_TEXT:
			sqlite3_bind_text(st, p, v->u.s, (int)v->n, SQLITE_STATIC);
			ss->bound[p].type = BOUND_OTHER;
			break;
		default:
			bind_null(ss, p);
		}
	}
	return p;
}

/* Writes n records of one kind: one multi-row statement when n is
 * MULTI_ROWS, else one statement per record. */
static int write_group(struct fctx *ctx, const struct rec *const *g, size_t n)
{
	size_t i, rows = n == MULTI_ROWS ? MULTI_ROWS : 1;
	struct stmt_slot *ss = stmt_for(ctx, g[0]->kind, rows);
	sqlite3_stmt *st;

	if (!ss)
		return -1;
	st = ss->st;
	for (i = 0; i < n; i += rows) {
		int p = 1, rc;
		size_t k;

		for (k = 0; k < rows; k++) {
			/* The reader thread wrote these records on the other core:
			 * start loading a later one while this one is bound. */
			if (k + 4 < rows) {
				const char *ahead = (const char *)g[i + k + 4];

				__builtin_prefetch(ahead);
				__builtin_prefetch(ahead + 64);
				__builtin_prefetch(ahead + 128);
				__builtin_prefetch(ahead + 192);
			}
			p = bind_rec(ctx, ss, p, g[i + k]);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE && g[0]->kind->is_record &&
		    sqlite3_last_insert_rowid(ctx->ws->db) != g[i + rows - 1]->id) {
			err_set(&ctx->writer_err, RASTRO_CORRUPT,
				"writing %s lines %llu-%llu into %s: record ids out of step (workspace damaged?)",
				ctx->path, (unsigned long long)g[i]->line,
				(unsigned long long)g[i + rows - 1]->line, g[0]->kind->table);
			return -1;
		}
		if (rc != SQLITE_DONE) {
			int code = ws_code_from_sqlite(sqlite3_extended_errcode(ctx->ws->db));

			if (code == RASTRO_FULL)
				err_set(&ctx->writer_err, code,
					"disk full writing workspace '%s'; nothing from '%s' was loaded",
					ctx->ws->path, ctx->path);
			else
				err_set(&ctx->writer_err, code, "writing %s lines %llu-%llu into %s: %s", ctx->path,
					(unsigned long long)g[i]->line, (unsigned long long)g[i + rows - 1]->line,
					g[0]->kind->table, sqlite3_errmsg(ctx->ws->db));
			return -1;
		}
	}
	return 0;
}

static int write_order(const struct rec_kind *k)
{
	return k == &rk_entity ? PASS_ENTITY : k == &rk_account ? PASS_ACCOUNT : PASS_OTHER;
}

static void *writer_main(void *arg)
{
	struct fctx *ctx = arg;
	const struct rec *group[MULTI_ROWS];
	struct batch *b;

	while ((b = (struct batch *)queue_pop(&ctx->full))) {
		int pass;

		/* Runs of records of one kind go out in multi-row statements. */
		for (pass = 0; pass < NPASSES && !atomic_load(&ctx->writer_failed); pass++) {
			size_t i, n = 0;
			struct rec **recs = b->recs[pass].data;

			for (i = 0; i < b->recs[pass].len; i++) {
				const struct rec *r = recs[i];

				if (n && (group[0]->kind != r->kind || n == MULTI_ROWS)) {
					if (write_group(ctx, group, n)) {
						atomic_store(&ctx->writer_failed, 1);
						n = 0;
						break;
					}
					n = 0;
				}
				group[n++] = r;
			}
			if (n && !atomic_load(&ctx->writer_failed) && write_group(ctx, group, n))
				atomic_store(&ctx->writer_failed, 1);
		}
		for (pass = 0; pass < NPASSES; pass++)
			vec_clear(&b->recs[pass]);
		b->nrecs = 0;
		arena_clear(&b->mem);
		queue_push(&ctx->empty, &b->link);
	}
	return NULL;
}

/* ---- batches (reader side) ---- */

static void flush_batch(struct fctx *ctx)
{
	if (!ctx->cur || !ctx->cur->nrecs)
		return;
	queue_push(&ctx->full, &ctx->cur->link);
	ctx->cur = (struct batch *)queue_pop(&ctx->empty);
}

static void maybe_flush(struct fctx *ctx)
{
	if (ctx->cur->nrecs >= BATCH_RECS || ctx->cur->mem.used_total >= BATCH_BYTES)
		flush_batch(ctx);
}

struct rec *fctx_rec(struct fctx *ctx, const struct rec_kind *k, uint64_t line)
{
	struct rec *r = arena_calloc(&ctx->cur->mem, sizeof *r + k->ncols * sizeof(struct val));
	struct vec *list;

	if (!r) {
		ctx->oom = 1;
		return NULL;
	}
	list = &ctx->cur->recs[write_order(k)];
	if (list->len == list->cap && vec_reserve(list, list->len + 1024)) {
		ctx->oom = 1;
		return NULL;
	}
	((struct rec **)list->data)[list->len++] = r;
	ctx->cur->nrecs++;
	r->kind = k;
	r->line = line;
	if (k->is_record)
		r->id = ctx->next_record++;
	return r;
}

void rec_set_text(struct fctx *ctx, struct rec *r, int col, const char *s, size_t n)
{
	char *copy;

	if (!r || col < 0)
		return;
	copy = arena_strndup(&ctx->cur->mem, s ? s : "", s ? n : 0);
	if (!copy) {
		ctx->oom = 1;
		return;
	}
	r->v[col].type = VAL_TEXT;
	r->v[col].u.s = copy;
	r->v[col].n = (uint32_t)(s ? n : 0);
}

void rec_set_static(struct rec *r, int col, const char *s, size_t n)
{
	if (!r || col < 0)
		return;
	r->v[col].type = VAL_TEXT;
	r->v[col].u.s = s;
	r->v[col].n = (uint32_t)n;
}

void rec_set_opt(struct fctx *ctx, struct rec *r, int col, const char *s, size_t n)
{
	if (s && n)
		rec_set_text(ctx, r, col, s, n);
}

void rec_set_int(struct rec *r, int col, int64_t v)
{
	if (!r || col < 0)
		return;
	r->v[col].type = VAL_INT;
	r->v[col].u.i = v;
}

void rec_set_real(struct rec *r, int col, double v)
{
	if (!r || col < 0)
		return;
	r->v[col].type = VAL_REAL;
	r->v[col].u.d = v;
}

const struct cfg *fctx_cfg(const struct fctx *ctx)
{
	return ctx->ws->cfg;
}

/* ---- entities ---- */

static struct kind_map *find_kind(struct fctx *ctx, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ctx->nkinds; i++)
		if (strlen(ctx->kinds[i].name) == n && memcmp(ctx->kinds[i].name, name, n) == 0)
			return &ctx->kinds[i];
	return NULL;
}

/* Reads the existing entities of a kind so a new load reuses their ids.
 * Runs before the writer thread starts: the connection is not shared. */
static int preload_kind(struct fctx *ctx, const char *kind, size_t n)
{
	struct kind_map *km;
	sqlite3_stmt *st;
	int rc;

	if (find_kind(ctx, kind, n))
		return 0;
	if (n >= sizeof km->name || ctx->nkinds == MAX_ENTITY_KINDS)
		return ws_error(ctx->ws, RASTRO_ERROR, "format declares too many or too long entity kinds");
	km = &ctx->kinds[ctx->nkinds++];
	memcpy(km->name, kind, n);
	km->name[n] = '\0';
	strmap_init(&km->keys);
	if (ws_prepare(ctx->ws, "SELECT id, key FROM entity WHERE kind = ?1", &st))
		return ctx->ws->err.code;
	sqlite3_bind_text(st, 1, km->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		size_t kl = (size_t)sqlite3_column_bytes(st, 1);
		int64_t *v = strmap_intern_value(&km->keys, key ? key : "", key ? kl : 0, NULL);

		if (v)
			*v = id;
		else {
			sqlite3_finalize(st);
			return ws_error(ctx->ws, RASTRO_NOMEM, "out of memory loading %s entities", km->name);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ctx->ws, "loading existing entities");
	return 0;
}

static int preload_kinds(struct fctx *ctx, const char *list)
{
	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t n = comma ? (size_t)(comma - list) : strlen(list);

		if (n && preload_kind(ctx, list, n))
			return ctx->ws->err.code;
		list = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* The entity of a key in one kind's map, created when new. */
static int64_t entity_in(struct fctx *ctx, struct kind_map *km, const char *key, size_t keylen,
			 uint64_t hash, const char *label, size_t labellen, int64_t record_id)
{
	int64_t *slot, id;
	int is_new;
	struct rec *r;

	slot = strmap_intern_value_hashed(&km->keys, key, keylen, hash, &is_new);
	if (!slot) {
		ctx->oom = 1;
		return 0;
	}
	if (!is_new)
		return *slot;
	id = *slot = ctx->next_entity++;
	r = fctx_rec(ctx, &rk_entity, 0);
	if (!r)
		return 0;
	rec_set_int(r, 0, id);
	rec_set_static(r, 1, km->name, strlen(km->name));
	rec_set_text(ctx, r, 2, key, keylen);
	rec_set_opt(ctx, r, 3, label, labellen);
	if (record_id)
		rec_set_int(r, 4, record_id);
	ctx->entities_added++;
	return id;
}

int64_t fctx_entity(struct fctx *ctx, const char *kind, const char *key, size_t keylen,
		    const char *label, size_t labellen, int64_t record_id)
{
	struct kind_map *km = find_kind(ctx, kind, strlen(kind));

	if (!km) {
		ctx->undeclared_kind = 1;
		return 0;
	}
	return entity_in(ctx, km, key, keylen, strmap_hash(key, keylen), label, labellen, record_id);
}

/* The account map, found once per load. */
static struct kind_map *account_map(struct fctx *ctx)
{
	if (!ctx->accounts)
		ctx->accounts = find_kind(ctx, "account", 7);
	return ctx->accounts;
}

/* The account key "bank/number" (or "number"): in `small` when it fits,
 * else in `big`.  Returns the key, NULL on allocation failure. */
static const char *account_key(const char *bank, size_t banklen, const char *number, size_t numlen,
			       char *small, size_t smalln, struct sbuf *big, size_t *kl)
{
	if (banklen + numlen + 1 < smalln) {
		if (banklen) {
			memcpy(small, bank, banklen);
			small[banklen] = '/';
			memcpy(small + banklen + 1, number, numlen);
			*kl = banklen + 1 + numlen;
		} else {
			memcpy(small, number, numlen);
			*kl = numlen;
		}
		return small;
	}
	if (banklen) {
		sbuf_add(big, bank, banklen);
		sbuf_addc(big, '/');
	}
	sbuf_add(big, number, numlen);
	*kl = big->len;
	return sbuf_failed(big) ? NULL : big->buf;
}

void fctx_prefetch_entity(struct fctx *ctx, const char *kind, const char *key, size_t keylen)
{
	struct kind_map *km = find_kind(ctx, kind, strlen(kind));

	if (km)
		strmap_prefetch(&km->keys, key, keylen);
}

void fctx_prefetch_account(struct fctx *ctx, const char *bank, size_t banklen, const char *number,
			   size_t numlen)
{
	struct kind_map *km = account_map(ctx);
	struct prefetched *p;

	if (!km || banklen + numlen + 1 >= PF_KEY || ctx->npf == PF_MAX)
		return;
	p = &ctx->pf[ctx->npf++];
	account_key(bank, banklen, number, numlen, p->key, sizeof p->key, NULL, &p->kl);
	p->hash = strmap_hash(p->key, p->kl);
	strmap_prefetch_hashed(&km->keys, p->hash);
	p->bank = bank;
	p->banklen = banklen;
	p->number = number;
	p->numlen = numlen;
}

/* The key and hash of an account built by its prefetch, found by the
 * position of its parts (rows of a block do not move while it is
 * converted); NULL when it was not prefetched.  Lookups come in prefetch
 * order, with gaps where a row was rejected before its accounts were
 * looked up. */
static const struct prefetched *prefetched_account(struct fctx *ctx, const char *bank, size_t banklen,
						   const char *number, size_t numlen)
{
	size_t j;

	for (j = ctx->ipf; j < ctx->npf && j < ctx->ipf + 8; j++) {
		const struct prefetched *p = &ctx->pf[j];

		if (p->number == number && p->numlen == numlen && p->bank == bank && p->banklen == banklen) {
			ctx->ipf = j + 1;
			return p;
		}
	}
	return NULL;
}

int64_t fctx_account(struct fctx *ctx, const char *bank, size_t banklen, const char *number,
		     size_t numlen, const char *label, size_t labellen, int64_t record_id)
{
	char small[256];
	struct sbuf big = SBUF_INIT;
	const char *k;
	size_t kl;
	uint64_t before = ctx->entities_added, h;
	int64_t id = 0;
	struct kind_map *km = account_map(ctx);
	const struct prefetched *p = prefetched_account(ctx, bank, banklen, number, numlen);

	sbuf_init(&big);
	if (p) {
		k = p->key;
		kl = p->kl;
		h = p->hash;
	} else {
		k = account_key(bank, banklen, number, numlen, small, sizeof small, &big, &kl);
		h = k ? strmap_hash(k, kl) : 0;
	}
	if (!km)
		ctx->undeclared_kind = 1;
	else if (!k)
		ctx->oom = 1;
	else
		id = entity_in(ctx, km, k, kl, h, label, labellen, record_id);
	if (id && ctx->entities_added != before) {
		struct rec *r = fctx_rec(ctx, &rk_account, 0);

		rec_set_int(r, 0, id);
		rec_set_opt(ctx, r, 1, bank, banklen);
		rec_set_text(ctx, r, 2, number, numlen);
	}
	sbuf_release(&big);
	return id;
}

int fctx_edge(struct fctx *ctx, int64_t src, int64_t dst, const char *type, int64_t ts,
	      double weight, int64_t record_id)
{
	struct rec *r = fctx_rec(ctx, &rk_edge, 0);

	if (!r)
		return -1;
	rec_set_int(r, 0, src);
	rec_set_int(r, 1, dst);
	rec_set_text(ctx, r, 2, type, strlen(type));
	if (ts)
		rec_set_int(r, 3, ts);
	rec_set_real(r, 4, weight);
	if (record_id)
		rec_set_int(r, 5, record_id);
	rec_set_static(r, 6, "ingest", 6);
	return 0;
}

/* ---- duplicate external ids ---- */

int fctx_seen_id(struct fctx *ctx, const char *s, size_t n, uint64_t line, uint64_t *first_line)
{
	XXH128_hash_t h = XXH3_128bits(s, n);
	uint64_t *v = h128map_ref(&ctx->seen, h.low64, h.high64);

	if (!v) {
		ctx->oom = 1;
		return 0;
	}
	if (*v) {
		if (first_line)
			*first_line = *v;
		return 1;
	}
	*v = line ? line : 1;
	return 0;
}

/* ---- context lifecycle ---- */

static int ctx_init(struct fctx *ctx, rastro_ws *ws, const char *path)
{
	size_t i, p;

	memset(ctx, 0, sizeof *ctx);
	ctx->ws = ws;
	ctx->path = path;
	queue_init(&ctx->full);
	queue_init(&ctx->empty);
	atomic_init(&ctx->writer_failed, 0);
	for (i = 0; i < NBATCHES; i++) {
		/* One block holds a whole batch: arena_clear keeps the first
		 * block, so a batch's memory is reused rather than returned to
		 * the system and faulted in again for the next batch. */
		arena_init(&ctx->pool[i].mem, BATCH_BYTES + (1u << 20));
		for (p = 0; p < NPASSES; p++)
			vec_init(&ctx->pool[i].recs[p], sizeof(struct rec *));
		if (i)
			queue_push(&ctx->empty, &ctx->pool[i].link);
	}
	ctx->cur = &ctx->pool[0];
	return 0;
}

static void ctx_release(struct fctx *ctx)
{
	size_t i, p;

	for (i = 0; i < ctx->nstmts; i++) {
		sqlite3_finalize(ctx->stmts[i].st);
		mem_free(ctx->stmts[i].bound);
	}
	for (i = 0; i < NBATCHES; i++) {
		arena_release(&ctx->pool[i].mem);
		for (p = 0; p < NPASSES; p++)
			vec_release(&ctx->pool[i].recs[p]);
	}
	queue_destroy(&ctx->full);
	queue_destroy(&ctx->empty);
	for (i = 0; i < ctx->nkinds; i++)
		strmap_release(&ctx->kinds[i].keys);
	h128map_release(&ctx->seen);
}

/* ---- quarantine ---- */

static void quarantine(struct fctx *ctx, uint64_t line, uint64_t col, uint64_t offset,
		       const char *reason, const char *raw, size_t raw_len, uint64_t raw_total)
{
	struct rec *r = fctx_rec(ctx, &rk_quarantine, line);

	if (!r)
		return;
	rec_set_int(r, 0, ctx->source_id);
	rec_set_int(r, 1, (int64_t)line);
	rec_set_int(r, 2, (int64_t)col);
	rec_set_int(r, 3, (int64_t)offset);
	rec_set_text(ctx, r, 4, reason, strlen(reason));
	rec_set_text(ctx, r, 5, raw, raw_len > RAW_STORE_MAX ? RAW_STORE_MAX : raw_len);
	rec_set_int(r, 6, (int64_t)raw_total);
}

/* ---- format choice ---- */

/* Reads the first row of a file as CSV with default settings. */
static int peek_header(rastro_ws *ws, const char *path, struct csv_opts *o, char *first, size_t firstn,
		       const struct fmt **guess, char delim)
{
	struct csv *c;
	struct csv_row *row;
	int r, best = 0, ties = 0;
	const struct fmt *const *f;

	if (csv_open(&c, path, o, &ws->err))
		return ws->err.code;
	r = csv_next(c, &row, &ws->err);
	if (r == CSV_FAIL) {
		csv_close(c);
		return ws->err.code;
	}
	if (r == CSV_EOF) {
		csv_close(c);
		return ws_error(ws, RASTRO_FORMAT, "'%s' is empty: there is no header row and no data", path);
	}
	snprintf(first, firstn, "%.*s", (int)(row->raw_len > 80 ? 80 : row->raw_len), row->raw);
	/* A JSON object is not a CSV row: '{"id":"x",...' may not even parse as one. */
	if (row->raw_len && row->raw[0] == '{') {
		*guess = NULL;
		csv_close(c);
		return 0; /* JSONL: the caller sniffs objects */
	}
	if (r == CSV_BAD) {
		int code = ws_error(ws, RASTRO_FORMAT, "%s:%llu:%llu: %s in the first line; is this a CSV or JSONL file?",
				    path, (unsigned long long)row->bad_line, (unsigned long long)row->bad_col,
				    row->bad_reason);
		csv_close(c);
		return code;
	}
	*guess = NULL;
	if (row->raw_len && row->raw[0] == '{') {
		csv_close(c);
		return 0; /* JSONL: the caller sniffs objects */
	}
	for (f = fmt_all(); *f; f++) {
		int score;

		if ((*f)->input != FMT_CSV || !(*f)->sniff_header)
			continue;
		if (((*f)->delim ? (*f)->delim : ',') != delim)
			continue;
		score = (*f)->sniff_header(row);
		if (score > best) {
			best = score;
			*guess = *f;
			ties = 0;
		} else if (score && score == best) {
			ties = 1;
		}
	}
	csv_close(c);
	if (!*guess)
		return ws_error(ws, RASTRO_FORMAT,
				"cannot tell the format of '%s' from its header (\"%s\"); name it with --format "
				"(rastro formats lists them)", path, first);
	if (ties)
		return ws_error(ws, RASTRO_FORMAT, "the header of '%s' fits several formats; name one with --format",
				path);
	return 0;
}

static int sniff_jsonl(rastro_ws *ws, const char *path, const struct fmt **guess)
{
	struct jsonl *j;
	struct jsonl_item *it;
	const struct fmt *const *f;
	int r, best = 0;

	if (jsonl_open(&j, path, 0, &ws->err))
		return ws->err.code;
	r = jsonl_next(j, &it, &ws->err);
	if (r == JSONL_FAIL) {
		jsonl_close(j);
		return ws->err.code;
	}
	if (r != JSONL_OBJ) {
		int code = ws_error(ws, RASTRO_FORMAT, "%s:%llu:%llu: %s", path, (unsigned long long)it->line,
				    (unsigned long long)it->bad_col, r == JSONL_BAD ? it->bad_reason : "no data");
		jsonl_close(j);
		return code;
	}
	*guess = NULL;
	for (f = fmt_all(); *f; f++) {
		int score;

		if ((*f)->input != FMT_JSONL || !(*f)->sniff_object)
			continue;
		score = (*f)->sniff_object(it->doc);
		if (score > best) {
			best = score;
			*guess = *f;
		}
	}
	jsonl_close(j);
	if (!*guess)
		return ws_error(ws, RASTRO_FORMAT, "cannot tell the format of JSON Lines file '%s'; name it with --format",
				path);
	return 0;
}

/* ---- the load itself ---- */

struct load {
	struct fctx ctx;
	const struct fmt *fmt;
	const struct rastro_ingest_opts *opts;
	struct rastro_ingest_stats *stats;
	struct fmt_run run;
	int aborted;               /* strict mode stop */
};

static void progress_tick(struct load *L, uint64_t pos, uint64_t size)
{
	ws_progress(L->ctx.ws, "ingest", pos, size);
}

/* Handles one bad row; in strict mode sets the workspace error and stops. */
static int bad_row(struct load *L, uint64_t line, uint64_t col, uint64_t offset, const char *reason,
		   const char *raw, size_t raw_len, uint64_t raw_total)
{
	L->stats->rows_quarantined++;
	if (L->opts->strict) {
		ws_error(L->ctx.ws, RASTRO_FORMAT, "%s:%llu:%llu: %s (strict mode: nothing was loaded)",
			 L->ctx.path, (unsigned long long)line, (unsigned long long)col, reason);
		L->aborted = 1;
		return -1;
	}
	quarantine(&L->ctx, line, col, offset, reason, raw, raw_len, raw_total);
	return 0;
}

/* What both load loops report at their end: an allocation the writer could
 * not make, or a format that created an entity kind it does not declare. */
static int load_end(struct load *L, rastro_ws *ws, int rc)
{
	if (L->ctx.oom)
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
	if (L->ctx.undeclared_kind)
		rc = ws_error(ws, RASTRO_ERROR, "format '%s' creates an entity kind it does not declare", L->fmt->name);
	return rc;
}

/* One CSV row (good or bad) through validation and the format. */
static int csv_row_in(struct load *L, int kind, const struct csv_row *row)
{
	rastro_ws *ws = L->ctx.ws;
	struct fmt_bad bad;
	int rc = 0;

	L->stats->rows_read++;
	if (kind == CSV_BAD) {
		if (bad_row(L, row->bad_line, row->bad_col, row->offset, row->bad_reason, row->raw, row->raw_len,
			    row->raw_total))
			rc = RASTRO_FORMAT;
	} else if (row->nfields != L->run.nfields) {
		char reason[128];

		snprintf(reason, sizeof reason, "expected %zu fields as in the header, found %zu", L->run.nfields,
			 row->nfields);
		if (bad_row(L, row->line, 1, row->offset, reason, row->raw, row->raw_len, row->raw_total))
			rc = RASTRO_FORMAT;
	} else {
		int fr;

		bad.field = -1;
		bad.key = NULL;
		bad.reason[0] = '\0';
		fr = L->fmt->row(&L->run, row, &bad);
		if (fr < 0) {
			rc = L->ctx.oom ? ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path)
					: ws->err.code ? ws->err.code : RASTRO_ERROR;
		} else if (fr > 0) {
			uint64_t line = row->line, col = 1;

			if (bad.field >= 0 && (size_t)bad.field < row->nfields) {
				line += row->fields[bad.field].line_off;
				col = row->fields[bad.field].col;
			}
			if (bad_row(L, line, col, row->offset, bad.reason, row->raw, row->raw_len, row->raw_total))
				rc = RASTRO_FORMAT;
		} else {
			L->stats->rows_loaded++;
		}
	}
	return load_end(L, ws, rc);
}

#define ROW_BLOCK 256

struct block_row {
	int kind;                 /* CSV_ROW or CSV_BAD */
	struct csv_row row;       /* fields and raw text in the block's arena */
};

struct row_block {
	struct arena mem;
	size_t n;
	struct block_row rows[ROW_BLOCK];
};

/* Copies a row into the arena with two copies of its bytes: the raw text
 * (kept for quarantine) and a second copy in which the byte after each field
 * becomes a NUL, so fields are rebased into it instead of being copied one
 * by one.  Only fields unescaped into the reader's scratch ("" inside
 * quotes) are copied on their own. */
static int copy_row(struct arena *a, const struct csv_row *src, struct csv_row *dst)
{
	size_t i;
	char *raw, *text;

	*dst = *src;
	raw = arena_alloc(a, 2 * (src->raw_len + 1));
	if (!raw)
		return -1;
	memcpy(raw, src->raw, src->raw_len);
	raw[src->raw_len] = '\0';
	text = raw + src->raw_len + 1;
	memcpy(text, raw, src->raw_len + 1);
	dst->raw = raw;
	dst->fields = NULL;
	if (!src->nfields)
		return 0;
	dst->fields = arena_alloc(a, src->nfields * sizeof *dst->fields);
	if (!dst->fields)
		return -1;
	for (i = 0; i < src->nfields; i++) {
		const char *s = src->fields[i].s;
		size_t n = src->fields[i].len;

		dst->fields[i] = src->fields[i];
		if (s >= src->raw && n <= src->raw_len && (size_t)(s - src->raw) <= src->raw_len - n) {
			size_t off = (size_t)(s - src->raw);

			text[off + n] = '\0';
			dst->fields[i].s = text + off;
		} else {
			dst->fields[i].s = arena_strndup(a, s, n);
			if (!dst->fields[i].s)
				return -1;
		}
	}
	return 0;
}

static int load_csv(struct load *L)
{
	rastro_ws *ws = L->ctx.ws;
	struct csv_opts o;
	struct csv *c;
	struct csv_row *row;
	struct row_block block;
	size_t i;
	int r = CSV_ROW, rc = 0;

	csv_opts_default(&o);
	o.delim = L->opts->delimiter ? L->opts->delimiter : (L->fmt->delim ? L->fmt->delim : ',');
	o.skip_initial_space = L->fmt->skip_initial_space;
	if (csv_open(&c, L->ctx.path, &o, &ws->err))
		return ws->err.code;
	r = csv_next(c, &row, &ws->err);
	if (r == CSV_FAIL) {
		csv_close(c);
		return ws->err.code;
	}
	if (r == CSV_EOF) {
		csv_close(c);
		return ws_error(ws, RASTRO_FORMAT, "'%s' is empty: there is no header row and no data", L->ctx.path);
	}
	if (r == CSV_BAD) {
		rc = ws_error(ws, RASTRO_FORMAT, "%s:%llu:%llu: %s in the header", L->ctx.path,
			      (unsigned long long)row->bad_line, (unsigned long long)row->bad_col, row->bad_reason);
		csv_close(c);
		return rc;
	}
	L->run.nfields = row->nfields;
	if (L->fmt->bind(&L->run, row, L->opts->mapping, &ws->err)) {
		csv_close(c);
		return ws->err.code;
	}
	arena_init(&block.mem, 1u << 20);
	while (!rc) {
		/* Read a block of rows (copied, so they stay valid together), let
		 * the format prefetch what it will look up, then convert them:
		 * the interning lookups of a block overlap instead of stalling one
		 * after the other. */
		block.n = 0;
		arena_clear(&block.mem);
		L->ctx.npf = L->ctx.ipf = 0;
		while (block.n < ROW_BLOCK && (r = csv_next(c, &row, &ws->err)) != CSV_EOF) {
			struct block_row *br;

			if (r == CSV_FAIL) {
				rc = ws->err.code;
				break;
			}
			br = &block.rows[block.n++];
			br->kind = r;
			if (copy_row(&block.mem, row, &br->row)) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
				break;
			}
			if (r == CSV_ROW && row->nfields == L->run.nfields && L->fmt->prefetch)
				L->fmt->prefetch(&L->run, &br->row);
		}
		if (!block.n)
			break;
		for (i = 0; i < block.n && !rc; i++) {
			rc = csv_row_in(L, block.rows[i].kind, &block.rows[i].row);
			if (atomic_load(&L->ctx.writer_failed))
				break;
			maybe_flush(&L->ctx);
			if ((L->stats->rows_read & 0xffff) == 0)
				progress_tick(L, csv_raw_pos(c), csv_raw_size(c));
		}
		if (atomic_load(&L->ctx.writer_failed) || r == CSV_EOF)
			break;
	}
	arena_release(&block.mem);
	L->stats->bytes = csv_bytes(c);
	progress_tick(L, csv_raw_pos(c), csv_raw_size(c));
	csv_close(c);
	return rc;
}

/*
 * JSON Lines are read in two halves (format.h: prep and emit).  A reading
 * thread splits the file into blocks of 256 lines (copied) from a small
 * pool and numbers them; parsing threads (ingest.threads of them) each take
 * a whole block, parse its lines and run the format's prep, each with its
 * own parser and prep state; the loading thread takes the blocks back in
 * their numbered order and emits their rows.  With ingest.threads = 1 the
 * loading thread reads and prepares each block itself.  Either way every
 * row goes through the same calls in file order where order matters (emit),
 * and prep depends on its row alone, so the workspace is the same.
 */
#define PREP_ROWS 256
#define MAX_PARSERS 8
#define NPREP (2 * MAX_PARSERS + 2)

enum { BLOCK_MORE, BLOCK_EOF, BLOCK_FAIL };

/* One line as the reading and parsing sides left it. */
struct prep_row {
	int kind;                 /* JSONL_LINE, then JSONL_OBJ; or JSONL_BAD */
	int fr;                   /* JSONL_OBJ: prep's answer (0, 1 = rejected, <0 = fatal) */
	int oom;                  /* the row could not be kept */
	uint64_t line, offset, raw_total, col;
	const char *raw;          /* copy, for the parser and the quarantine */
	size_t raw_len;
	const char *reason;       /* JSONL_BAD or rejected */
	void *prepared;
};

struct prep_block {
	struct qlink link;
	struct arena mem;
	uint64_t seq;             /* 0, 1, 2... in file order */
	int ready;                /* prepared: the loading thread may take it */
	size_t n;
	int end;                  /* BLOCK_*: what follows the rows */
	uint64_t raw_pos, raw_size;
	struct prep_row rows[PREP_ROWS];
};

/* One parsing side's own parser and format state. */
struct parser {
	struct reader *R;
	struct jdoc *doc;
	void *pstate;
	pthread_t thread;
	int started;
};

struct reader {
	struct jsonl *j;
	const struct fmt *fmt;
	const struct cfg *cfg;
	struct rs_err err;        /* why a block ended in BLOCK_FAIL */
	uint64_t next_seq;        /* of the next block read */
	struct prep_block pool[NPREP];
	struct queue empty, todo;
	pthread_mutex_t mu;       /* guards ready flags */
	pthread_cond_t cv;        /* a block became ready */
	atomic_int stop;          /* the loading thread needs no more blocks */
	pthread_t thread;
	int started;
	struct parser parsers[MAX_PARSERS];
	int nparsers;
};

static const char *keep_str(struct arena *a, const char *s, size_t n, int *oom)
{
	char *c = arena_strndup(a, s, n);

	if (!c)
		*oom = 1;
	return c ? c : "";
}

/* Reads up to PREP_ROWS lines into b, unparsed. */
static void read_block(struct reader *R, struct prep_block *b)
{
	b->n = 0;
	b->end = BLOCK_MORE;
	b->ready = 0;
	b->seq = R->next_seq++;
	arena_clear(&b->mem);
	while (b->n < PREP_ROWS) {
		struct jsonl_item *it;
		struct prep_row *row;
		int r = jsonl_next_line(R->j, &it, &R->err);

		if (r == JSONL_EOF || r == JSONL_FAIL) {
			b->end = r == JSONL_EOF ? BLOCK_EOF : BLOCK_FAIL;
			break;
		}
		row = &b->rows[b->n++];
		memset(row, 0, sizeof *row);
		row->kind = r;
		row->line = it->line;
		row->offset = it->offset;
		row->raw_total = it->raw_total;
		row->col = it->bad_col;
		row->raw = keep_str(&b->mem, it->raw, it->raw_len, &row->oom);
		row->raw_len = it->raw_len;
		if (r == JSONL_BAD)
			row->reason = keep_str(&b->mem, it->bad_reason, strlen(it->bad_reason), &row->oom);
	}
	b->raw_pos = jsonl_raw_pos(R->j);
	b->raw_size = jsonl_raw_size(R->j);
}

/* Parses the lines of b and runs the format's prep on their objects. */
static void prep_block(struct parser *P, struct prep_block *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct prep_row *row = &b->rows[i];
		struct fmt_bad bad;
		char reason[160];
		int r;

		if (row->kind != JSONL_LINE || row->oom)
			continue;
		r = jsonl_parse(P->doc, row->raw, row->raw_len, &row->col, reason, sizeof reason);
		if (r == JSONL_FAIL) {
			row->oom = 1;
			continue;
		}
		row->kind = r;
		if (r == JSONL_BAD) {
			row->reason = keep_str(&b->mem, reason, strlen(reason), &row->oom);
			continue;
		}
		bad.field = -1;
		bad.key = NULL;
		bad.reason[0] = '\0';
		row->fr = P->R->fmt->prep(&P->pstate, P->R->cfg, P->doc, &b->mem, &row->prepared, &bad);
		if (row->fr > 0)
			row->reason = keep_str(&b->mem, bad.reason, strlen(bad.reason), &row->oom);
	}
}

static void *reader_main(void *arg)
{
	struct reader *R = arg;
	struct prep_block *b;

	while (!atomic_load(&R->stop) && (b = (struct prep_block *)queue_pop(&R->empty))) {
		read_block(R, b);
		queue_push(&R->todo, &b->link);
		if (b->end != BLOCK_MORE)
			break;
	}
	return NULL;
}

static void *parser_main(void *arg)
{
	struct parser *P = arg;
	struct reader *R = P->R;
	struct prep_block *b;

	while ((b = (struct prep_block *)queue_pop(&R->todo))) {
		if (!atomic_load(&R->stop))
			prep_block(P, b);
		pthread_mutex_lock(&R->mu);
		b->ready = 1;
		pthread_cond_broadcast(&R->cv);
		pthread_mutex_unlock(&R->mu);
	}
	return NULL;
}

/* The block numbered seq once it is prepared. */
static struct prep_block *ready_block(struct reader *R, uint64_t seq)
{
	struct prep_block *b = NULL;
	size_t i;

	pthread_mutex_lock(&R->mu);
	while (!b) {
		for (i = 0; i < NPREP; i++)
			if (R->pool[i].ready && R->pool[i].seq == seq)
				b = &R->pool[i];
		if (!b)
			pthread_cond_wait(&R->cv, &R->mu);
	}
	b->ready = 0;
	pthread_mutex_unlock(&R->mu);
	return b;
}

/* One prepared line through the quarantine or the format's emit. */
static int jsonl_row_in(struct load *L, const struct prep_row *row)
{
	rastro_ws *ws = L->ctx.ws;
	int rc = 0;

	L->stats->rows_read++;
	if (row->oom) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
	} else if (row->kind == JSONL_BAD || row->fr > 0) {
		if (bad_row(L, row->line, row->kind == JSONL_BAD ? row->col : 1, row->offset, row->reason, row->raw,
			    row->raw_len, row->raw_total))
			rc = RASTRO_FORMAT;
	} else if (row->fr < 0) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
	} else {
		struct fmt_bad bad;
		int fr;

		bad.field = -1;
		bad.key = NULL;
		bad.reason[0] = '\0';
		fr = L->fmt->emit(&L->run, row->prepared, row->line, &bad);
		if (fr < 0) {
			rc = L->ctx.oom ? ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path)
					: ws->err.code ? ws->err.code : RASTRO_ERROR;
		} else if (fr > 0) {
			if (bad_row(L, row->line, 1, row->offset, bad.reason, row->raw, row->raw_len, row->raw_total))
				rc = RASTRO_FORMAT;
		} else {
			L->stats->rows_loaded++;
		}
	}
	return load_end(L, ws, rc);
}

/* Emits the rows of one block; 1 when loading must stop. */
static int jsonl_block_in(struct load *L, const struct prep_block *b, int *rc)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		*rc = jsonl_row_in(L, &b->rows[i]);
		if (*rc || atomic_load(&L->ctx.writer_failed))
			return 1;
		maybe_flush(&L->ctx);
		if ((L->stats->rows_read & 0xffff) == 0)
			progress_tick(L, b->raw_pos, b->raw_size);
	}
	return b->end != BLOCK_MORE;
}

/* Starts the reading thread and the parsing threads; 0 when threads are
 * not wanted or could not be started (the loading thread then does it all). */
static int reader_start(struct reader *R, long long want)
{
	int i;

	if (want < 2)
		return 0;
	R->nparsers = want > MAX_PARSERS ? MAX_PARSERS : (int)want;
	for (i = 0; i < R->nparsers; i++) {
		struct parser *P = &R->parsers[i];

		if (pthread_create(&P->thread, NULL, parser_main, P) != 0)
			break;
		P->started = 1;
	}
	if (i == 0)
		return 0;
	if (pthread_create(&R->thread, NULL, reader_main, R) != 0)
		return 0;
	R->started = 1;
	return 1;
}

/* Stops and joins whatever reader_start started. */
static void reader_stop(struct reader *R)
{
	int i;

	atomic_store(&R->stop, 1);
	queue_close(&R->empty);
	if (R->started)
		pthread_join(R->thread, NULL);
	queue_close(&R->todo);
	for (i = 0; i < R->nparsers; i++)
		if (R->parsers[i].started)
			pthread_join(R->parsers[i].thread, NULL);
}

static int reader_init(struct reader *R, struct load *L)
{
	rastro_ws *ws = L->ctx.ws;
	int i;

	memset(R, 0, sizeof *R);
	R->fmt = L->fmt;
	R->cfg = ws->cfg;
	atomic_init(&R->stop, 0);
	queue_init(&R->empty);
	queue_init(&R->todo);
	pthread_mutex_init(&R->mu, NULL);
	pthread_cond_init(&R->cv, NULL);
	for (i = 0; i < NPREP; i++) {
		arena_init(&R->pool[i].mem, 1u << 20);
		queue_push(&R->empty, &R->pool[i].link);
	}
	for (i = 0; i < MAX_PARSERS; i++) {
		R->parsers[i].R = R;
		if (!(R->parsers[i].doc = jdoc_new()))
			return ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
	}
	if (jsonl_open(&R->j, L->ctx.path, 0, &ws->err))
		return ws->err.code;
	return 0;
}

static void reader_release(struct reader *R)
{
	int i;

	jsonl_close(R->j);
	for (i = 0; i < MAX_PARSERS; i++) {
		if (R->fmt->prep_finish)
			R->fmt->prep_finish(R->parsers[i].pstate);
		jdoc_free(R->parsers[i].doc);
	}
	for (i = 0; i < NPREP; i++)
		arena_release(&R->pool[i].mem);
	queue_destroy(&R->empty);
	queue_destroy(&R->todo);
	pthread_mutex_destroy(&R->mu);
	pthread_cond_destroy(&R->cv);
}

static int load_jsonl(struct load *L)
{
	rastro_ws *ws = L->ctx.ws;
	struct reader *R = mem_calloc(1, sizeof *R);
	uint64_t pos = 0, size = 0, seq;
	int threaded, end = BLOCK_MORE, rc;

	if (!R)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading '%s'", L->ctx.path);
	rc = reader_init(R, L);
	threaded = !rc && reader_start(R, cfg_int(ws->cfg, "ingest.threads", 2));
	for (seq = 0; !rc; seq++) {
		struct prep_block *b;
		int stop;

		if (threaded) {
			b = ready_block(R, seq);
		} else {
			b = (struct prep_block *)queue_pop(&R->empty);
			read_block(R, b);
			prep_block(&R->parsers[0], b);
		}
		stop = jsonl_block_in(L, b, &rc);
		end = b->end;
		pos = b->raw_pos;
		size = b->raw_size;
		queue_push(&R->empty, &b->link);
		if (stop)
			break;
	}
	reader_stop(R);
	if (!rc && end == BLOCK_FAIL && !atomic_load(&L->ctx.writer_failed))
		rc = err_copy(&ws->err, &R->err);
	if (R->j) {
		L->stats->bytes = jsonl_bytes(R->j);
		progress_tick(L, pos, size);
	}
	reader_release(R);
	mem_free(R);
	return rc;
}

static int agency_id(rastro_ws *ws, const char *code, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "INSERT INTO agency(code) VALUES(?1) ON CONFLICT(code) DO NOTHING", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "recording the agency");
	if (ws_prepare(ws, "SELECT id FROM agency WHERE code = ?1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return ws_sqlerr(ws, "recording the agency");
	return 0;
}

/* 1 and the earlier source's id when the same content was loaded before. */
static int find_duplicate(rastro_ws *ws, const char *hash, const char *format, int64_t *id, char *when,
			  size_t whenn)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT id, loaded_at FROM source WHERE content_hash = ?1 AND format = ?2 ORDER BY id LIMIT 1",
		       &st))
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, format, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(when, whenn, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ws_sqlerr(ws, "checking for an earlier load"), -1;
	return rc == SQLITE_ROW;
}

static int insert_source(struct load *L, const char *hash, uint64_t bytes)
{
	rastro_ws *ws = L->ctx.ws;
	const char *agency = L->opts->agency ? L->opts->agency : cfg_str(ws->cfg, "workspace.agency", "local");
	const char *label = L->opts->label ? L->opts->label : cfg_str(ws->cfg, "workspace.label", "LES");
	sqlite3_stmt *st;
	int64_t aid = 0;
	char now[32];
	int rc;

	if (agency_id(ws, agency, &aid))
		return ws->err.code;
	ws_now(now);
	if (ws_prepare(ws, "INSERT INTO source(path, format, kind, content_hash, bytes, agency_id, label, loaded_at, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, L->ctx.path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, L->fmt->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, L->fmt->kind->name, -1, SQLITE_STATIC);
	if (hash)
		sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)bytes);
	sqlite3_bind_int64(st, 6, aid);
	sqlite3_bind_text(st, 7, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	if (ws->run_id)
		sqlite3_bind_int64(st, 9, ws->run_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "registering the source");
	L->ctx.source_id = sqlite3_last_insert_rowid(ws->db);
	return 0;
}

static int finish_source(struct load *L, int64_t first_record)
{
	rastro_ws *ws = L->ctx.ws;
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "UPDATE source SET rows_read = ?1, rows_loaded = ?2, rows_quarantined = ?3,"
			   " first_record = ?4, last_record = ?5, bytes = coalesce(bytes, ?6) WHERE id = ?7", &st))
		return ws->err.code;
	sqlite3_bind_int64(st, 1, (int64_t)L->stats->rows_read);
	sqlite3_bind_int64(st, 2, (int64_t)L->stats->rows_loaded);
	sqlite3_bind_int64(st, 3, (int64_t)L->stats->rows_quarantined);
	if (L->ctx.next_record > first_record) {
		sqlite3_bind_int64(st, 4, first_record);
		sqlite3_bind_int64(st, 5, L->ctx.next_record - 1);
	}
	sqlite3_bind_int64(st, 6, (int64_t)L->stats->bytes);
	sqlite3_bind_int64(st, 7, L->ctx.source_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "recording the load figures");
	return ws_meta_set_i64(ws, "next_record_id", L->ctx.next_record);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_load(struct load *L, const char *hash, uint64_t bytes, int bulk)
{
	rastro_ws *ws = L->ctx.ws;
	int64_t first_record;
	int rc;

	if (insert_source(L, hash, bytes))
		return ws->err.code;
	if (ws_meta_get_i64(ws, "next_record_id", 1, &first_record) ||
	    ws_next_entity_id(ws, &L->ctx.next_entity))
		return ws->err.code;
	L->ctx.next_record = first_record;
	if (preload_kinds(&L->ctx, L->fmt->entity_kinds))
		return ws->err.code;
	if (bulk && (ws_drop_bulk_indexes(ws, L->fmt->kind->table) || ws_drop_bulk_indexes(ws, "entity")))
		return ws->err.code;
	L->run.fmt = L->fmt;
	L->run.ctx = &L->ctx;
	memset(L->run.col, -1, sizeof L->run.col);
	if (pthread_create(&L->ctx.writer, NULL, writer_main, &L->ctx) != 0)
		return ws_error(ws, RASTRO_ERROR, "cannot start the writer thread");
	L->ctx.writer_started = 1;
	rc = L->fmt->input == FMT_JSONL ? load_jsonl(L) : load_csv(L);
	flush_batch(&L->ctx);
	queue_close(&L->ctx.full);
	pthread_join(L->ctx.writer, NULL);
	L->ctx.writer_started = 0;
	if (L->fmt->finish)
		L->fmt->finish(&L->run);
	if (atomic_load(&L->ctx.writer_failed))
		return err_copy(&ws->err, &L->ctx.writer_err);
	if (rc)
		return rc;
	L->stats->entities_added = L->ctx.entities_added;
	return finish_source(L, first_record);
}

/*
 * Rebuilds the indexes a bulk load dropped.  Each build is a sort of the
 * whole table, and SQLite's sorter sorts in memory runs as large as the page
 * cache before it merges them.  Runs of 64 MiB (the connection's cache)
 * are linked lists far larger than the CPU caches, and sorting them is
 * mostly waiting on memory: with 4 MiB runs the three indexes of 1M ads
 * took 3.0-3.1 CPU-s instead of 4.9-5.4 (sqlite3 on the same workspace,
 * twice each).  With ingest.threads > 1 the sorter also sorts and merges
 * runs on helper threads while the main thread reads the table.  The
 * indexes are the same either way.
 */
#define INDEX_CACHE_KIB 4096

static int build_indexes(rastro_ws *ws)
{
	long long th = cfg_int(ws->cfg, "ingest.threads", 2);
	int64_t cache_was = -65536;
	char sql[64];
	int rc;

	if (ws_query_i64(ws, "PRAGMA cache_size", cache_was, &cache_was))
		return ws->err.code;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", INDEX_CACHE_KIB);
	sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
	if (th > 1) {
		snprintf(sql, sizeof sql, "PRAGMA threads = %lld", th > 8 ? 8 : th);
		sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
	}
	rc = ws_ensure_indexes(ws);
	if (th > 1)
		sqlite3_exec(ws->db, "PRAGMA threads = 0", NULL, NULL, NULL);
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)cache_was);
	sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
	return rc;
}

static int choose_format(rastro_ws *ws, const char *path, const struct rastro_ingest_opts *opts,
			 const struct fmt **fmt)
{
	struct csv_opts o;
	char first[96];

	if (opts->format) {
		*fmt = fmt_find(opts->format);
		if (!*fmt)
			return ws_error(ws, RASTRO_USAGE, "unknown format '%s' (rastro formats lists them)", opts->format);
		return 0;
	}
	if (strcmp(path, "-") == 0)
		return ws_error(ws, RASTRO_USAGE, "reading standard input needs --format");
	csv_opts_default(&o);
	if (opts->delimiter)
		o.delim = opts->delimiter;
	if (peek_header(ws, path, &o, first, sizeof first, fmt, o.delim))
		return ws->err.code;
	if (!*fmt)
		return sniff_jsonl(ws, path, fmt);
	return 0;
}

int rastro_ingest(rastro_ws *ws, const char *path, const struct rastro_ingest_opts *opts_in,
		  struct rastro_ingest_stats *stats_out)
{
	struct rastro_ingest_opts defaults = { 0 };
	const struct rastro_ingest_opts *opts = opts_in ? opts_in : &defaults;
	struct rastro_ingest_stats scratch, *stats = stats_out ? stats_out : &scratch;
	struct load *L;
	char hash[33] = "", summary[256];
	uint64_t bytes = 0;
	double t0 = now_seconds();
	int rc, bulk;

	memset(stats, 0, sizeof *stats);
	err_clear(&ws->err);
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' was opened read-only", ws->path);
	L = mem_calloc(1, sizeof *L);
	if (!L)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if (choose_format(ws, path, opts, &L->fmt) || !L->fmt) {
		mem_free(L);
		return ws->err.code ? ws->err.code : RASTRO_ERROR; /* never "ok" without a format */
	}
	stats->format = L->fmt->name;
	if (strcmp(path, "-") != 0) {
		struct rs_err e;

		if (zin_hash_file(path, hash, &bytes, &e)) {
			mem_free(L);
			return err_copy(&ws->err, &e);
		}
	}
	bulk = bytes > BULK_BYTES;
	ctx_init(&L->ctx, ws, path);
	L->opts = opts;
	L->stats = stats;
	ws_run_begin(ws, "ingest", path);
	/* Every entity a loaded record refers to is created by this load, in
	 * the same transaction, before the record (see writer_main), so the
	 * references are right by construction; checking each one again costs
	 * two B-tree lookups per row.  Enforcement is switched off for the load
	 * and back on after it (the pragma only works outside a transaction). */
	ws_exec(ws, "PRAGMA foreign_keys = OFF", "loading");
	if (bulk)
		ws_bulk_journal(ws, 1);
	rc = ws_begin(ws);
	if (!rc && hash[0] && !opts->force) {
		int64_t earlier = 0;
		char when[40] = "";
		int dup = find_duplicate(ws, hash, L->fmt->name, &earlier, when, sizeof when);

		if (dup < 0) {
			rc = ws->err.code;
		} else if (dup) {
			ws_rollback(ws);
			if (bulk)
				ws_bulk_journal(ws, 0);
			ws_exec(ws, "PRAGMA foreign_keys = ON", "loading");
			stats->skipped_duplicate = 1;
			stats->source_id = earlier;
			stats->seconds = now_seconds() - t0;
			snprintf(summary, sizeof summary, "skipped: same content as source %lld loaded %s",
				 (long long)earlier, when);
			ws_run_end(ws, 0, summary);
			ctx_release(&L->ctx);
			mem_free(L);
			return 0;
		}
	}
	if (!rc)
		rc = run_load(L, hash[0] ? hash : NULL, bytes, bulk);
	if (!rc)
		rc = ws_commit(ws);
	if (rc) {
		ws_rollback(ws);
		memset(stats, 0, sizeof *stats);
		stats->format = L->fmt->name;
	} else {
		stats->source_id = L->ctx.source_id;
		if (!opts->defer_index)
			rc = build_indexes(ws);
	}
	if (bulk)
		ws_bulk_journal(ws, 0);
	ws_exec(ws, "PRAGMA foreign_keys = ON", "loading");
	stats->seconds = now_seconds() - t0;
	if (rc)
		snprintf(summary, sizeof summary, "%s", ws->err.msg);
	else
		snprintf(summary, sizeof summary, "%llu rows read, %llu loaded, %llu quarantined",
			 (unsigned long long)stats->rows_read, (unsigned long long)stats->rows_loaded,
			 (unsigned long long)stats->rows_quarantined);
	{
		struct rs_err keep = ws->err;

		ws_run_end(ws, rc, summary);
		ws->err = keep;
	}
	ctx_release(&L->ctx);
	mem_free(L);
	return rc;
}
