/*
 * fin_detect: `rastro detect` — loads the data, runs every enabled
 * detector, writes the signals with their evidence, and computes each
 * account's risk score as a sum of named parts.
 *
 * Work is split into tasks: one per block of FIN_CHUNK accounts (running
 * every per-account detector over the block) and one per global detector.
 * Threads take tasks in order from a shared counter; each task fills its
 * own sink, and sinks are written in task order, so the signals and their
 * order never depend on the thread count or on scheduling.
 */
#include "fin.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/table.h"
#include "finance.h"

#define FIN_CHUNK 4096

/* ---- the registry ---- */

static const struct fin_detector *registry[64];
static size_t nregistry;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void add_family(const struct fin_detector *f, size_t n)
{
	size_t i;

	for (i = 0; i < n && nregistry < sizeof registry / sizeof registry[0]; i++)
		registry[nregistry++] = &f[i];
}

static void build_registry(void)
{
	add_family(fin_det_cash, fin_det_cash_n);
	add_family(fin_det_profile, fin_det_profile_n);
	add_family(fin_det_ident, fin_det_ident_n);
	add_family(fin_det_memo, fin_det_memo_n);
	add_family(fin_det_graph, fin_det_graph_n);
}

const struct fin_detector *fin_detector_at(size_t i)
{
	pthread_once(&registry_once, build_registry);
	return i < nregistry ? registry[i] : NULL;
}

size_t fin_detector_count(void)
{
	pthread_once(&registry_once, build_registry);
	return nregistry;
}

int fin_detector_find(const char *name)
{
	size_t i, n = fin_detector_count();

	for (i = 0; i < n; i++)
		if (strcasecmp(registry[i]->code, name) == 0 || strcasecmp(registry[i]->key, name) == 0)
			return (int)i;
	return -1;
}

double fin_param(const struct fin_run *r, int det, const char *name, double def)
{
	char key[128];

	snprintf(key, sizeof key, "finance.%s.%s", registry[det]->key, name);
	return cfg_double(r->cfg, key, def);
}

long long fin_param_int(const struct fin_run *r, int det, const char *name, long long def)
{
	char key[128];

	snprintf(key, sizeof key, "finance.%s.%s", registry[det]->key, name);
	return cfg_int(r->cfg, key, def);
}

const char *fin_typology_name(int t)
{
	if (t & TY_HT && t & TY_HS)
		return "trafficking+smuggling";
	if (t & TY_HT)
		return "trafficking";
	if (t & TY_HS)
		return "smuggling";
	if (t & TY_STRUCT)
		return "structuring";
	return "laundering";
}

/* ---- scratch ---- */

uint32_t fin_stamp(struct fin_scratch *x)
{
	if (++x->stamp == 0) {
		/* Wrapped: clear the marks so old stamps cannot match.  The
		 * array sizes are not kept here, so callers size them via
		 * x->nacc / x->nstr. */
		memset(x->acc_mark, 0, (x->nacc + 1) * sizeof *x->acc_mark);
		memset(x->str_mark, 0, x->nstr * sizeof *x->str_mark);
		x->stamp = 1;
	}
	return x->stamp;
}

static int scratch_init(struct fin_scratch *x, const struct fin_data *d)
{
	size_t ns = strmap_count(&d->strs) + 1;

	memset(x, 0, sizeof *x);
	x->nacc = d->nacc;
	x->nstr = ns;
	x->acc_mark = mem_calloc(d->nacc + 1, sizeof *x->acc_mark);
	x->acc_cnt = mem_calloc(d->nacc + 1, sizeof *x->acc_cnt);
	x->acc_cnt2 = mem_calloc(d->nacc + 1, sizeof *x->acc_cnt2);
	x->acc_flag = mem_calloc(d->nacc + 1, 1);
	x->str_mark = mem_calloc(ns, sizeof *x->str_mark);
	x->str_cnt = mem_calloc(ns, sizeof *x->str_cnt);
	x->str_cnt2 = mem_calloc(ns, sizeof *x->str_cnt2);
	vec_init(&x->tmp32, sizeof(uint32_t));
	vec_init(&x->tmp32b, sizeof(uint32_t));
	vec_init(&x->tmp64, sizeof(uint64_t));
	vec_init(&x->tmp64b, sizeof(uint64_t));
	vec_init(&x->quad, sizeof(struct fin_quad));
	sbuf_init(&x->sb);
	return x->acc_mark && x->acc_cnt && x->acc_cnt2 && x->acc_flag && x->str_mark && x->str_cnt && x->str_cnt2 ? 0 : -1;
}

static void scratch_release(struct fin_scratch *x)
{
	mem_free(x->acc_mark);
	mem_free(x->acc_cnt);
	mem_free(x->acc_cnt2);
	mem_free(x->acc_flag);
	mem_free(x->str_mark);
	mem_free(x->str_cnt);
	mem_free(x->str_cnt2);
	vec_release(&x->tmp32);
	vec_release(&x->tmp32b);
	vec_release(&x->tmp64);
	vec_release(&x->tmp64b);
	vec_release(&x->quad);
	sbuf_release(&x->sb);
}

/* ---- the run ---- */

struct task {
	int det;             /* global detector index, or -1 for an account block */
	uint32_t lo, hi;     /* account block */
	struct fin_sink sink;
	int done;            /* sink complete (under pool.lock) */
};

struct pool {
	struct fin_run *run;
	const int *enabled;  /* per detector */
	void **state;
	struct task *tasks;
	size_t ntasks;
	size_t *order;       /* the order tasks are taken in */
	size_t next;         /* atomically taken */
	int abort;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a task is done, or the run failed */
	size_t done;
	double t_done;       /* when the last task was done */
};

static double now_s(void);

static void fail_run(struct pool *p, const struct rs_err *e)
{
	pthread_mutex_lock(&p->lock);
	if (e && !p->run->err.code)
		err_copy(&p->run->err, e);
	p->abort = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct fin_run *r = p->run;
	struct fin_scratch x;
	size_t n = fin_detector_count();
	struct rs_err e;

	err_clear(&e);
	if (scratch_init(&x, r->d)) {
		err_set(&e, RASTRO_NOMEM, "out of memory for detector scratch space");
		fail_run(p, &e);
		scratch_release(&x);
		return NULL;
	}
	for (;;) {
		size_t ti = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		struct task *t;
		int rc = 0;

		if (ti >= p->ntasks || __atomic_load_n(&p->abort, __ATOMIC_RELAXED))
			break;
		t = &p->tasks[p->order[ti]];
		if (t->det >= 0) {
			rc = registry[t->det]->global(r, p->state[t->det], &x, &t->sink);
		} else {
			uint32_t a;
			size_t k;

			for (a = t->lo; a < t->hi && !rc; a++)
				for (k = 0; k < n && !rc; k++)
					if (p->enabled[k] && registry[k]->account)
						rc = registry[k]->account(r, p->state[k], a, &x, &t->sink);
		}
		if (!rc && t->sink.failed)
			rc = err_set(&e, RASTRO_NOMEM, "out of memory storing signals");
		if (rc) {
			if (!e.code)
				err_set(&e, rc, "detector failed");
			fail_run(p, &e);
			break;
		}
		pthread_mutex_lock(&p->lock);
		t->done = 1;
		if (++p->done == p->ntasks)
			p->t_done = now_s();
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	scratch_release(&x);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the `only` list into enabled flags. */
static int select_detectors(rastro_ws *ws, const char *only, int *enabled)
{
	size_t n = fin_detector_count(), i;

	for (i = 0; i < n; i++) {
		char key[96];

		snprintf(key, sizeof key, "finance.%s.enabled", registry[i]->key);
		enabled[i] = only ? 0 : cfg_bool(ws->cfg, key, 1);
	}
	if (!only)
		return 0;
	while (*only) {
		const char *comma = strchr(only, ',');
		size_t len = comma ? (size_t)(comma - only) : strlen(only);
		char name[64];
		int k;

		snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), only);
		k = fin_detector_find(name);
		if (k < 0)
			return ws_error(ws, RASTRO_USAGE, "unknown detector '%s' ('rastro detect --list' shows them)", name);
		enabled[k] = 1;
		only = comma ? comma + 1 : only + len;
	}
	return 0;
}

/* ---- writing ---- */

struct acc_part {
	uint32_t acc;
	uint16_t det;
	double score;
};

static int cmp_part(const void *a, const void *b)
{
	const struct acc_part *x = a, *y = b;

	if (x->acc != y->acc)
		return x->acc < y->acc ? -1 : 1;
	if (x->det != y->det)
		return x->det < y->det ? -1 : 1;
	return x->score > y->score ? -1 : x->score < y->score;
}

static const char *role_of(const struct fin_data *d, uint32_t tx, uint32_t acc)
{
	if (d->src[tx] == acc && d->dst[tx] == acc)
		return "self";
	if (d->dst[tx] == acc)
		return "in";
	if (d->src[tx] == acc)
		return "out";
	return "related";
}

/*
 * Evidence rows are most of what detection writes (hundreds of thousands
 * at a million transactions): they go in EV_BATCH at a time through one
 * multi-row INSERT, which costs about a third of one statement per row.
 */
#define EV_BATCH 64

struct ev_writer {
	sqlite3_stmt *one, *many;
	int64_t sid[EV_BATCH], rec[EV_BATCH];
	const char *role[EV_BATCH];
	int n;
};

static int evw_prepare(rastro_ws *ws, struct ev_writer *w)
{
	struct sbuf sql = SBUF_INIT;
	int i, rc;

	memset(w, 0, sizeof *w);
	sbuf_init(&sql);
	sbuf_adds(&sql, "INSERT OR IGNORE INTO signal_evidence(signal_id, record_id, role) VALUES");
	for (i = 0; i < EV_BATCH; i++)
		sbuf_adds(&sql, i ? ",(?,?,?)" : "(?,?,?)");
	if (sbuf_failed(&sql)) {
		sbuf_release(&sql);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	rc = ws_prepare(ws, sql.buf, &w->many) ||
	     ws_prepare(ws, "INSERT OR IGNORE INTO signal_evidence(signal_id, record_id, role) VALUES(?1, ?2, ?3)", &w->one);
	sbuf_release(&sql);
	return rc ? ws->err.code : 0;
}

static int evw_step(rastro_ws *ws, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "writing signal evidence");
}

/* Writes the buffered rows: a full batch at once, a last partial one row
 * by row. */
static int evw_flush(rastro_ws *ws, struct ev_writer *w)
{
	int i;

	if (w->n == EV_BATCH) {
		for (i = 0; i < EV_BATCH; i++) {
			sqlite3_bind_int64(w->many, 3 * i + 1, w->sid[i]);
			sqlite3_bind_int64(w->many, 3 * i + 2, w->rec[i]);
			sqlite3_bind_text(w->many, 3 * i + 3, w->role[i], -1, SQLITE_STATIC);
		}
		w->n = 0;
		return evw_step(ws, w->many);
	}
	for (i = 0; i < w->n; i++) {
		sqlite3_bind_int64(w->one, 1, w->sid[i]);
		sqlite3_bind_int64(w->one, 2, w->rec[i]);
		sqlite3_bind_text(w->one, 3, w->role[i], -1, SQLITE_STATIC);
		if (evw_step(ws, w->one))
			return ws->err.code;
	}
	w->n = 0;
	return 0;
}

/* role must be a string constant (bound without a copy). */
static int evw_add(rastro_ws *ws, struct ev_writer *w, int64_t sid, int64_t rec, const char *role)
{
	w->sid[w->n] = sid;
	w->rec[w->n] = rec;
	w->role[w->n] = role;
	return ++w->n == EV_BATCH ? evw_flush(ws, w) : 0;
}

static void evw_release(struct ev_writer *w)
{
	sqlite3_finalize(w->one);
	sqlite3_finalize(w->many);
	w->one = w->many = NULL;
}

/* Removes the previous finance findings.  When every signal is a finance
 * one (the usual case) the evidence table is emptied whole, which SQLite
 * does without visiting its rows; otherwise row by row. */
static int clear_previous(rastro_ws *ws)
{
	int64_t others = 1;

	if (ws_query_i64(ws, "SELECT EXISTS(SELECT 1 FROM signal WHERE stage <> 'finance')", 1, &others))
		return ws->err.code;
	if (!others)
		return ws_exec(ws, "DELETE FROM signal_evidence; DELETE FROM signal; DELETE FROM fin_risk;",
			       "removing the previous finance signals");
	return ws_exec(ws, "DELETE FROM signal_evidence WHERE signal_id IN (SELECT id FROM signal WHERE stage = 'finance');"
			   "DELETE FROM signal WHERE stage = 'finance'; DELETE FROM fin_risk;",
		       "removing the previous finance signals");
}

/*
 * The writer: replaces the previous findings in one transaction.  It runs
 * on the calling thread while the workers detect, writing each task's sink
 * as soon as that task and every task before it are done (task order, so
 * the rows and their ids never depend on the thread count), then frees the
 * sink.  Writing thus overlaps detection, and finished sinks do not pile up
 * in memory.
 */
struct writer {
	struct fin_run *r;
	sqlite3_stmt *si, *sr;
	struct ev_writer evw;
	double weight[64];     /* per detector: finance.<key>.weight */
	int alone[64];         /* per detector: finance.<key>.alone */
	long long min_ind;     /* finance.alert_min_indicators */
	double min_pts;        /* finance.alert_min_score */
	struct sbuf det;
	struct vec parts;      /* struct acc_part */
	uint64_t nsig, nev, withheld;
	int fk_off;            /* foreign-key checks were switched off */
};

/*
 * Foreign-key checks are off while the writer works: every row written
 * refers to a signal id just returned by SQLite or to an account entity
 * just loaded, so they cannot fail, and with them on SQLite checks each of
 * the hundreds of thousands of evidence rows and cannot empty the evidence
 * table at once (clear_previous).  Inside a caller's open transaction the
 * pragma does nothing; the write is then merely slower.
 */
static int writer_begin(struct writer *w, struct fin_run *r)
{
	rastro_ws *ws = r->ws;
	size_t i;

	memset(w, 0, sizeof *w);
	w->r = r;
	sbuf_init(&w->det);
	vec_init(&w->parts, sizeof(struct acc_part));
	for (i = 0; i < fin_detector_count(); i++) {
		char key[96];

		snprintf(key, sizeof key, "finance.%s.weight", registry[i]->key);
		w->weight[i] = cfg_double(ws->cfg, key, 1.0);
		snprintf(key, sizeof key, "finance.%s.alone", registry[i]->key);
		w->alone[i] = cfg_bool(ws->cfg, key, 0);
	}
	w->min_ind = cfg_int(ws->cfg, "finance.alert_min_indicators", 2);
	w->min_pts = cfg_double(ws->cfg, "finance.alert_min_score", 2.0);
	if (sqlite3_get_autocommit(ws->db)) {
		sqlite3_exec(ws->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
		w->fk_off = 1;
	}
	if (ws_begin(ws) || clear_previous(ws))
		return ws->err.code;
	if (ws_prepare(ws, "INSERT INTO signal(code, entity_id, score, explanation, details, stage, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, 'finance', ?6)", &w->si) ||
	    evw_prepare(ws, &w->evw) ||
	    ws_prepare(ws, "INSERT INTO fin_risk(entity_id, score, parts, signals, typologies, run_id, alert)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &w->sr))
		return ws->err.code;
	return 0;
}

/* Closes the writer: commits when ok, else rolls back. */
static int writer_end(struct writer *w, int ok)
{
	rastro_ws *ws = w->r->ws;
	int rc = 0;

	sqlite3_finalize(w->si);
	evw_release(&w->evw);
	sqlite3_finalize(w->sr);
	w->si = w->sr = NULL;
	if (ok && ws_commit(ws))
		rc = ws->err.code;
	if (!ok || rc)
		ws_rollback(ws);
	if (w->fk_off)
		sqlite3_exec(ws->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	sbuf_release(&w->det);
	vec_release(&w->parts);
	return rc;
}

/* The details JSON of a signal: code, typology, source, first and last
 * evidence time, the detector's members, affected accounts last. */
static int signal_details(struct writer *w, const struct fin_sink *s, const struct fin_sig *sig)
{
	const struct fin_data *d = w->r->d;
	const struct fin_detector *dt = registry[sig->det];
	const uint32_t *aff = (const uint32_t *)s->aff.data + sig->aff_off;
	const char *body = s->text.buf + sig->det_off;
	struct sbuf *det = &w->det;
	char t0[32], t1[32];
	size_t k;

	sbuf_clear(det);
	sbuf_addf(det, "{\"code\":\"%s\",\"typology\":\"%s\",\"source\":\"", dt->code,
		  fin_typology_name(dt->typology));
	sbuf_add_json_escaped(det, dt->source, strlen(dt->source));
	sbuf_adds(det, "\"");
	if (sig->ev_n) {
		format_timestamp(sig->t0, t0);
		format_timestamp(sig->t1, t1);
		sbuf_addf(det, ",\"first\":\"%s\",\"last\":\"%s\"", t0, t1);
	}
	if (body[1] != '}')
		sbuf_addc(det, ',');
	sbuf_adds(det, body + 1);
	/* affected accounts go last, as entity ids */
	sbuf_setlen(det, det->len - 1);
	if (sig->aff_n) {
		sbuf_adds(det, ",\"affected\":[");
		for (k = 0; k < sig->aff_n; k++)
			sbuf_addf(det, "%s%lld", k ? "," : "", (long long)d->acc_entity[aff[k]]);
		sbuf_adds(det, "]");
	}
	sbuf_adds(det, "}");
	return sbuf_failed(det) ? ws_error(w->r->ws, RASTRO_NOMEM, "out of memory writing signals") : 0;
}

/* Writes the signals of one task's sink with their evidence. */
static int writer_sink(struct writer *w, const struct fin_sink *s)
{
	struct fin_run *r = w->r;
	rastro_ws *ws = r->ws;
	const struct fin_data *d = r->d;
	const struct fin_sig *sig = s->sigs.data;
	size_t i, k;
	int rc;

	for (i = 0; i < s->sigs.len; i++) {
		const uint32_t *ev = (const uint32_t *)s->ev.data + sig[i].ev_off;
		const int64_t *rr = (const int64_t *)s->rec.data + sig[i].rec_off;
		int64_t sid;
		struct acc_part ap;

		if (!r->enabled[sig[i].det])
			continue;
		/* Victim-centred: an account whose earnings are swept to a
		 * collector is affected, never a subject (whatever else its
		 * flows look like: a fan-in of buyers' payments, cash from
		 * several places); it is named on the collector's signal. */
		if (sig[i].acc != FIN_NONE && fin_swept(d, sig[i].acc)) {
			w->withheld++;
			continue;
		}
		if (signal_details(w, s, &sig[i]))
			return ws->err.code;
		sqlite3_bind_text(w->si, 1, registry[sig[i].det]->code, -1, SQLITE_STATIC);
		if (sig[i].acc != FIN_NONE)
			sqlite3_bind_int64(w->si, 2, d->acc_entity[sig[i].acc]);
		else
			sqlite3_bind_null(w->si, 2);
		sqlite3_bind_double(w->si, 3, sig[i].score);
		sqlite3_bind_text(w->si, 4, s->text.buf + sig[i].text_off, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->si, 5, w->det.buf, (int)w->det.len, SQLITE_STATIC);
		sqlite3_bind_int64(w->si, 6, ws->run_id);
		rc = sqlite3_step(w->si);
		sqlite3_reset(w->si);
		if (rc != SQLITE_DONE)
			return ws_sqlerr(ws, "writing a signal");
		sid = sqlite3_last_insert_rowid(ws->db);
		w->nsig++;
		for (k = 0; k < sig[i].ev_n; k++)
			if (evw_add(ws, &w->evw, sid, d->id[ev[k]], role_of(d, ev[k], sig[i].acc)))
				return ws->err.code;
		for (k = 0; k < sig[i].rec_n; k++)
			if (evw_add(ws, &w->evw, sid, rr[k], "record"))
				return ws->err.code;
		w->nev += sig[i].ev_n + sig[i].rec_n;
		if (sig[i].acc != FIN_NONE) {
			ap.acc = sig[i].acc;
			ap.det = sig[i].det;
			ap.score = sig[i].score;
			if (vec_push(&w->parts, &ap))
				return ws_error(ws, RASTRO_NOMEM, "out of memory");
		}
	}
	return 0;
}

/* Potential victims (victim_flag, read now): they get no risk row.
 * Returns a per-account flag array, or NULL (error set). */
static uint8_t *read_victims(rastro_ws *ws, const struct fin_data *d)
{
	uint8_t *victim = mem_calloc(d->nacc + 1, 1);
	sqlite3_stmt *sv;
	uint32_t *map;
	int64_t maxe = 0;
	size_t i;

	if (!victim) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < d->nacc; i++)
		if (d->acc_entity[i] > maxe)
			maxe = d->acc_entity[i];
	map = mem_alloc((size_t)(maxe + 1) * sizeof *map);
	if (!map) {
		mem_free(victim);
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		return NULL;
	}
	memset(map, 0xff, (size_t)(maxe + 1) * sizeof *map);
	for (i = 0; i < d->nacc; i++)
		map[d->acc_entity[i]] = (uint32_t)i;
	if (ws_prepare(ws, "SELECT entity_id FROM victim_flag", &sv)) {
		mem_free(map);
		mem_free(victim);
		return NULL;
	}
	while (sqlite3_step(sv) == SQLITE_ROW) {
		int64_t e = sqlite3_column_int64(sv, 0);

		if (e >= 0 && e <= maxe && map[e] != FIN_NONE)
			victim[map[e]] = 1;
	}
	sqlite3_finalize(sv);
	mem_free(map);
	return victim;
}

/* One account's risk row from its parts p[a..b) (sorted by detector,
 * strongest first); *alerted says whether it meets the alert rule. */
static int write_risk(struct writer *w, const struct acc_part *p, size_t a, size_t b, double discount,
		      int *alerted)
{
	rastro_ws *ws = w->r->ws;
	const struct fin_data *d = w->r->d;
	struct sbuf *det = &w->det;
	struct sbuf ty = SBUF_INIT;
	double total = 0, fam_best = 0;
	size_t c, fam_first = SIZE_MAX, nsigs = 0;
	int typ = 0, first = 1, rc;
	/* Alert rule (docs/finance.md): one indicator whose detector is
	 * marked `alone` (its rule already joins several red flags), or at
	 * least alert_min_indicators independent ones — the graph patterns
	 * counting as one — that score at least alert_min_score together. */
	int alone = 0, ml_seen = 0;
	long long nind = 0;

	/* Parts of one family (the AML graph patterns) describe the same
	 * movements seen from different angles: the strongest counts in full,
	 * the others at family_discount. */
	for (c = a; c < b; c++) {
		double v;

		if (!(registry[p[c].det]->typology & TY_ML))
			continue;
		v = w->weight[p[c].det] * p[c].score;
		if (v > fam_best || fam_first == SIZE_MAX) {
			fam_best = v;
			fam_first = c;
		}
	}
	sbuf_clear(det);
	sbuf_addc(det, '[');
	for (c = a; c < b;) {
		size_t e = c;
		double wt = w->weight[p[c].det], pts;
		int fam = (registry[p[c].det]->typology & TY_ML) && c != fam_first;

		while (e < b && p[e].det == p[c].det)
			e++;
		if (w->alone[p[c].det])
			alone = 1;
		if (!(registry[p[c].det]->typology & TY_ML) || !ml_seen++)
			nind++;
		/* p[c] is the strongest of this detector (sorted) */
		pts = wt * p[c].score;
		if (fam)
			pts *= discount;
		total += pts;
		typ |= registry[p[c].det]->typology;
		sbuf_addf(det, "%s{\"part\":\"%s\",\"weight\":%.6g,\"strength\":%.4f,\"points\":%.4f,\"signals\":%zu%s}",
			  first ? "" : ",", registry[p[c].det]->code, wt, p[c].score, pts, e - c,
			  fam ? ",\"family\":\"laundering patterns, counted after the strongest\"" : "");
		first = 0;
		nsigs += e - c;
		c = e;
	}
	sbuf_addc(det, ']');
	sbuf_init(&ty);
	if (typ & TY_HT)
		sbuf_adds(&ty, "trafficking,");
	if (typ & TY_HS)
		sbuf_adds(&ty, "smuggling,");
	if (typ & TY_STRUCT)
		sbuf_adds(&ty, "structuring,");
	if (typ & TY_ML)
		sbuf_adds(&ty, "laundering,");
	if (ty.len)
		sbuf_setlen(&ty, ty.len - 1);
	if (sbuf_failed(det) || sbuf_failed(&ty)) {
		sbuf_release(&ty);
		return ws_error(ws, RASTRO_NOMEM, "out of memory writing risk scores");
	}
	sqlite3_bind_int64(w->sr, 1, d->acc_entity[p[a].acc]);
	sqlite3_bind_double(w->sr, 2, total);
	sqlite3_bind_text(w->sr, 3, det->buf, (int)det->len, SQLITE_STATIC);
	sqlite3_bind_int64(w->sr, 4, (int64_t)nsigs);
	sqlite3_bind_text(w->sr, 5, ty.buf, (int)ty.len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(w->sr, 6, ws->run_id);
	*alerted = alone || (nind >= w->min_ind && total >= w->min_pts);
	sqlite3_bind_int(w->sr, 7, *alerted);
	rc = sqlite3_step(w->sr);
	sqlite3_reset(w->sr);
	sbuf_release(&ty);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "writing risk scores");
}

/* After the last sink: the rest of the evidence, then the risk per
 * account — for each detector, weight x its strongest signal. */
static int writer_risk(struct writer *w, struct rastro_detect_stats *stats)
{
	rastro_ws *ws = w->r->ws;
	const struct acc_part *p;
	double discount = cfg_double(ws->cfg, "finance.family_discount", 0.25);
	uint8_t *victim;
	int alerted = 0;
	size_t a, b;

	if (evw_flush(ws, &w->evw))
		return ws->err.code;
	victim = read_victims(ws, w->r->d);
	if (!victim)
		return ws->err.code;
	if (w->parts.len > 1)
		qsort(w->parts.data, w->parts.len, sizeof(struct acc_part), cmp_part);
	p = w->parts.data;
	for (a = 0; a < w->parts.len; a = b) {
		for (b = a; b < w->parts.len && p[b].acc == p[a].acc; b++)
			;
		if (victim[p[a].acc])
			continue;
		if (write_risk(w, p, a, b, discount, &alerted)) {
			mem_free(victim);
			return ws->err.code;
		}
		if (stats) {
			stats->accounts_flagged++;
			stats->accounts_alerted += alerted != 0;
		}
	}
	mem_free(victim);
	if (stats) {
		stats->signals = w->nsig;
		stats->evidence = w->nev;
		stats->signals_withheld += w->withheld;
	}
	return 0;
}

/*
 * The calling thread's part while the workers detect: opens the write
 * transaction (emptying the previous findings meanwhile), then writes each
 * task's sink in task order as soon as it is done.  A failure on either
 * side stops the other.  The writer is left open (writer_end closes it).
 */
static int write_tasks(struct pool *p, struct writer *w)
{
	rastro_ws *ws = p->run->ws;
	size_t ti;
	int rc = writer_begin(w, p->run);

	for (ti = 0; !rc && ti < p->ntasks; ti++) {
		int ready;

		pthread_mutex_lock(&p->lock);
		while (!p->tasks[ti].done && !p->abort)
			pthread_cond_wait(&p->cond, &p->lock);
		ready = p->tasks[ti].done;
		pthread_mutex_unlock(&p->lock);
		if (!ready)
			break;  /* a worker failed: run.err says why */
		rc = writer_sink(w, &p->tasks[ti].sink);
		fin_sink_release(&p->tasks[ti].sink);
		ws_progress(ws, "write", ti + 1, p->ntasks);
	}
	if (rc)
		fail_run(p, NULL);
	return rc;
}

static int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

int rastro_detect(rastro_ws *ws, const struct rastro_detect_opts *opts,
		  struct rastro_detect_stats *stats)
{
	struct fin_lists lists;
	struct fin_data d;
	struct fin_run run;
	struct pool p;
	struct writer w;
	size_t n = fin_detector_count(), i, nchunks;
	int enabled[64], runs[64];
	void *state[64];
	pthread_t th[64];
	int threads, nth = 0, rc;
	double t0 = now_s(), t1, t2;
	char summary[256];

	if (stats)
		memset(stats, 0, sizeof *stats);
	memset(state, 0, sizeof state);
	memset(&p, 0, sizeof p);
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is open read-only", ws->path);
	if (select_detectors(ws, opts ? opts->only : NULL, enabled))
		return ws->err.code;
	/* a detector also runs when a code it computes is wanted */
	for (i = 0; i < n; i++)
		runs[i] = enabled[i];
	for (i = 0; i < n; i++)
		if (enabled[i] && registry[i]->computed_by) {
			int k = fin_detector_find(registry[i]->computed_by);

			if (k >= 0)
				runs[k] = 1;
		}
	threads = opts && opts->threads > 0 ? opts->threads : (int)cfg_int(ws->cfg, "finance.threads", 0);
	if (threads <= 0)
		threads = cpu_count();
	if (threads > 64)
		threads = 64;
	if (ws_run_begin(ws, "detect", opts && opts->only ? opts->only : "all"))
		return ws->err.code;
	if (fin_lists_load(ws, &lists)) {
		rc = ws->err.code;
		ws_run_end(ws, rc, rastro_errmsg(ws));
		return rc;
	}
	if (fin_data_load(ws, &d, &lists, threads)) {
		rc = ws->err.code;
		fin_lists_release(&lists);
		ws_run_end(ws, rc, rastro_errmsg(ws));
		return rc;
	}
	t1 = now_s();
	memset(&run, 0, sizeof run);
	run.ws = ws;
	run.cfg = ws->cfg;
	run.d = &d;
	run.lists = &lists;
	run.max_evidence = (size_t)cfg_int(ws->cfg, "finance.max_evidence", 200);
	run.enabled = enabled;
	rc = 0;
	for (i = 0; i < n && !rc; i++)
		if (runs[i] && registry[i]->prepare) {
			rc = registry[i]->prepare(&run, &state[i]);
			if (rc && !run.err.code)
				err_set(&run.err, rc, "preparing %s failed", registry[i]->code);
		}
	if (rc)
		goto done;
	/* tasks: account blocks first, then one per global detector */
	nchunks = (d.nacc + FIN_CHUNK - 1) / FIN_CHUNK;
	p.ntasks = nchunks;
	for (i = 0; i < n; i++)
		if (runs[i] && registry[i]->global)
			p.ntasks++;
	p.tasks = mem_calloc(p.ntasks + 1, sizeof *p.tasks);
	if (!p.tasks) {
		rc = err_set(&run.err, RASTRO_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < nchunks; i++) {
		p.tasks[i].det = -1;
		p.tasks[i].lo = (uint32_t)(i * FIN_CHUNK);
		p.tasks[i].hi = (uint32_t)((i + 1) * FIN_CHUNK < d.nacc ? (i + 1) * FIN_CHUNK : d.nacc);
	}
	{
		size_t k = nchunks;

		for (i = 0; i < n; i++)
			if (runs[i] && registry[i]->global)
				p.tasks[k++].det = (int)i;
	}
	for (i = 0; i < p.ntasks; i++)
		fin_sink_init(&p.tasks[i].sink);
	/* The global detectors are the longest tasks: taken first, so that no
	 * thread is left running one alone at the end.  Write order stays the
	 * task order. */
	p.order = mem_alloc((p.ntasks + 1) * sizeof *p.order);
	if (!p.order) {
		rc = err_set(&run.err, RASTRO_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p.ntasks; i++)
		p.order[i] = i < p.ntasks - nchunks ? nchunks + i : i - (p.ntasks - nchunks);
	p.run = &run;
	p.enabled = runs;
	p.state = state;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (i = 0; i < (size_t)threads; i++) {
		if (pthread_create(&th[i], NULL, worker, &p) != 0)
			break;
		nth++;
	}
	if (!nth)
		worker(&p);
	rc = write_tasks(&p, &w);
	for (i = 0; i < (size_t)nth; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	t2 = p.t_done > t1 ? p.t_done : now_s();
	if (run.err.code) {
		writer_end(&w, 0);
		rc = run.err.code;
		goto done;
	}
	if (!rc)
		rc = writer_risk(&w, stats);
	if (writer_end(&w, !rc) && !rc)
		rc = ws->err.code;
	if (rc)
		goto done_ws;
	if (stats) {
		stats->transactions = d.ntx;
		stats->accounts = d.nacc;
		stats->unknown_currency = d.n_unknown_currency;
		stats->self_transfers = d.n_self;
		stats->zero_amounts = d.n_zero;
		stats->no_place = d.n_no_place;
		stats->out_of_order = d.n_reordered;
		stats->load_seconds = t1 - t0;
		stats->detect_seconds = t2 - t1;
		stats->write_seconds = now_s() - t2;
		stats->threads = nth ? nth : 1;
	}
	rc = 0;
	goto done_ws;
done:
	if (rc)
		err_copy(&ws->err, &run.err);
done_ws:
	/* p.tasks is NULL when its allocation failed; p.ntasks is already set */
	for (i = 0; p.tasks && i < p.ntasks; i++)
		fin_sink_release(&p.tasks[i].sink);
	mem_free(p.tasks);
	mem_free(p.order);
	for (i = 0; i < n; i++)
		if (state[i]) {
			if (registry[i]->release)
				registry[i]->release(state[i]);
			else
				mem_free(state[i]);
		}
	mem_free(run.parts);
	mem_free(run.parts_payroll);
	fin_data_release(&d);
	fin_lists_release(&lists);
	if (rc) {
		ws_run_end(ws, rc, rastro_errmsg(ws));
		return rc;
	}
	snprintf(summary, sizeof summary, "%zu transactions, %llu signals, %llu accounts alerted, %llu watched",
		 stats ? (size_t)stats->transactions : (size_t)0,
		 stats ? (unsigned long long)stats->signals : 0ULL,
		 stats ? (unsigned long long)stats->accounts_alerted : 0ULL,
		 stats ? (unsigned long long)(stats->accounts_flagged - stats->accounts_alerted) : 0ULL);
	ws_run_end(ws, 0, summary);
	return 0;
}
