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
	vec_release(&x->quad);
	sbuf_release(&x->sb);
}

/* ---- the run ---- */

struct task {
	int det;             /* global detector index, or -1 for an account block */
	uint32_t lo, hi;     /* account block */
	struct fin_sink sink;
	double seconds;
};

struct pool {
	struct fin_run *run;
	const int *enabled;  /* per detector */
	void **state;
	struct task *tasks;
	size_t ntasks;
	size_t next;         /* atomically taken */
	int abort;
	pthread_mutex_t lock;
	size_t done;
};

static void fail_run(struct pool *p, const struct rs_err *e)
{
	pthread_mutex_lock(&p->lock);
	if (!p->run->err.code)
		err_copy(&p->run->err, e);
	p->abort = 1;
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
		t = &p->tasks[ti];
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
		p->done++;
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

static int write_signals(struct fin_run *r, struct task *tasks, size_t ntasks,
			 struct rastro_detect_stats *stats)
{
	rastro_ws *ws = r->ws;
	const struct fin_data *d = r->d;
	sqlite3_stmt *si = NULL, *se = NULL, *sr = NULL;
	struct sbuf det = SBUF_INIT;
	struct vec parts;
	size_t ti, i;
	int rc;
	uint64_t nsig = 0, nev = 0;
	uint8_t *victim = NULL;

	sbuf_init(&det);
	vec_init(&parts, sizeof(struct acc_part));
	if (ws_exec(ws, "DELETE FROM signal_evidence WHERE signal_id IN (SELECT id FROM signal WHERE stage = 'finance');"
			"DELETE FROM signal WHERE stage = 'finance'; DELETE FROM fin_risk;",
		    "removing the previous finance signals"))
		goto fail;
	if (ws_prepare(ws, "INSERT INTO signal(code, entity_id, score, explanation, details, stage, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, 'finance', ?6)", &si) ||
	    ws_prepare(ws, "INSERT OR IGNORE INTO signal_evidence(signal_id, record_id, role) VALUES(?1, ?2, ?3)", &se) ||
	    ws_prepare(ws, "INSERT INTO fin_risk(entity_id, score, parts, signals, typologies, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &sr))
		goto fail;
	for (ti = 0; ti < ntasks; ti++) {
		struct fin_sink *s = &tasks[ti].sink;
		const struct fin_sig *sig = s->sigs.data;

		for (i = 0; i < s->sigs.len; i++) {
			const struct fin_detector *dt = registry[sig[i].det];
			const uint32_t *ev = (const uint32_t *)s->ev.data + sig[i].ev_off;
			const uint32_t *aff = (const uint32_t *)s->aff.data + sig[i].aff_off;
			const char *body = s->text.buf + sig[i].det_off;
			int64_t sid;
			size_t k;
			char t0[32], t1[32];
			struct acc_part ap;

			if (!r->enabled[sig[i].det])
				continue;
			/* Victim-centred: an account whose earnings are swept to a
			 * collector is affected, never a subject (whatever else its
			 * flows look like: a fan-in of buyers' payments, cash from
			 * several places); it is named on the collector's signal. */
			if (sig[i].acc != FIN_NONE && fin_swept(d, sig[i].acc)) {
				if (stats)
					stats->signals_withheld++;
				continue;
			}
			sbuf_clear(&det);
			sbuf_addf(&det, "{\"code\":\"%s\",\"typology\":\"%s\",\"source\":\"", dt->code,
				  fin_typology_name(dt->typology));
			sbuf_add_json_escaped(&det, dt->source, strlen(dt->source));
			sbuf_adds(&det, "\"");
			if (sig[i].ev_n) {
				format_timestamp(sig[i].t0, t0);
				format_timestamp(sig[i].t1, t1);
				sbuf_addf(&det, ",\"first\":\"%s\",\"last\":\"%s\"", t0, t1);
			}
			if (body[1] != '}')
				sbuf_addc(&det, ',');
			sbuf_adds(&det, body + 1);
			/* affected accounts go last, as entity ids */
			sbuf_setlen(&det, det.len - 1);
			if (sig[i].aff_n) {
				sbuf_adds(&det, ",\"affected\":[");
				for (k = 0; k < sig[i].aff_n; k++)
					sbuf_addf(&det, "%s%lld", k ? "," : "", (long long)d->acc_entity[aff[k]]);
				sbuf_adds(&det, "]");
			}
			sbuf_adds(&det, "}");
			if (sbuf_failed(&det)) {
				ws_error(ws, RASTRO_NOMEM, "out of memory writing signals");
				goto fail;
			}
			sqlite3_bind_text(si, 1, dt->code, -1, SQLITE_STATIC);
			if (sig[i].acc != FIN_NONE)
				sqlite3_bind_int64(si, 2, d->acc_entity[sig[i].acc]);
			else
				sqlite3_bind_null(si, 2);
			sqlite3_bind_double(si, 3, sig[i].score);
			sqlite3_bind_text(si, 4, s->text.buf + sig[i].text_off, -1, SQLITE_STATIC);
			sqlite3_bind_text(si, 5, det.buf, (int)det.len, SQLITE_STATIC);
			sqlite3_bind_int64(si, 6, ws->run_id);
			rc = sqlite3_step(si);
			sqlite3_reset(si);
			if (rc != SQLITE_DONE) {
				ws_sqlerr(ws, "writing a signal");
				goto fail;
			}
			sid = sqlite3_last_insert_rowid(ws->db);
			nsig++;
			for (k = 0; k < sig[i].ev_n; k++) {
				sqlite3_bind_int64(se, 1, sid);
				sqlite3_bind_int64(se, 2, d->id[ev[k]]);
				sqlite3_bind_text(se, 3, role_of(d, ev[k], sig[i].acc), -1, SQLITE_STATIC);
				rc = sqlite3_step(se);
				sqlite3_reset(se);
				if (rc != SQLITE_DONE) {
					ws_sqlerr(ws, "writing signal evidence");
					goto fail;
				}
				nev++;
			}
			for (k = 0; k < sig[i].rec_n; k++) {
				const int64_t *rr = (const int64_t *)s->rec.data + sig[i].rec_off;

				sqlite3_bind_int64(se, 1, sid);
				sqlite3_bind_int64(se, 2, rr[k]);
				sqlite3_bind_text(se, 3, "record", -1, SQLITE_STATIC);
				rc = sqlite3_step(se);
				sqlite3_reset(se);
				if (rc != SQLITE_DONE) {
					ws_sqlerr(ws, "writing signal evidence");
					goto fail;
				}
				nev++;
			}
			if (sig[i].acc != FIN_NONE) {
				ap.acc = sig[i].acc;
				ap.det = sig[i].det;
				ap.score = sig[i].score;
				if (vec_push(&parts, &ap)) {
					ws_error(ws, RASTRO_NOMEM, "out of memory");
					goto fail;
				}
			}
		}
		ws_progress(ws, "write", ti + 1, ntasks);
	}
	/* Risk per account: for each detector, weight x its strongest signal.
	 * Potential victims get no risk row (victim_flag, read now). */
	victim = mem_calloc(d->nacc + 1, 1);
	if (!victim) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	{
		sqlite3_stmt *sv;
		uint32_t *map = NULL;
		int64_t maxe = 0;

		for (i = 0; i < d->nacc; i++)
			if (d->acc_entity[i] > maxe)
				maxe = d->acc_entity[i];
		map = mem_alloc((size_t)(maxe + 1) * sizeof *map);
		if (!map) {
			ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto fail;
		}
		memset(map, 0xff, (size_t)(maxe + 1) * sizeof *map);
		for (i = 0; i < d->nacc; i++)
			map[d->acc_entity[i]] = (uint32_t)i;
		if (ws_prepare(ws, "SELECT entity_id FROM victim_flag", &sv)) {
			mem_free(map);
			goto fail;
		}
		while (sqlite3_step(sv) == SQLITE_ROW) {
			int64_t e = sqlite3_column_int64(sv, 0);

			if (e >= 0 && e <= maxe && map[e] != FIN_NONE)
				victim[map[e]] = 1;
		}
		sqlite3_finalize(sv);
		mem_free(map);
	}
	if (parts.len > 1)
		qsort(parts.data, parts.len, sizeof(struct acc_part), cmp_part);
	{
		const struct acc_part *p = parts.data;
		size_t a = 0;
		double discount = cfg_double(ws->cfg, "finance.family_discount", 0.25);

		while (a < parts.len) {
			size_t b = a, nsigs = 0;
			double total = 0;
			int typ = 0;
			int first = 1;

			sbuf_clear(&det);
			sbuf_addc(&det, '[');
			/* Parts of one family (the AML graph patterns) describe the
			 * same movements seen from different angles: the strongest
			 * counts in full, the others at family_discount. */
			double fam_best = 0;
			size_t fam_first = SIZE_MAX;

			{
				size_t c2;

				for (c2 = b; c2 < parts.len && p[c2].acc == p[a].acc; c2++) {
					char key[96];
					double w;

					if (!(registry[p[c2].det]->typology & TY_ML))
						continue;
					snprintf(key, sizeof key, "finance.%s.weight", registry[p[c2].det]->key);
					w = cfg_double(ws->cfg, key, 1.0) * p[c2].score;
					if (w > fam_best || fam_first == SIZE_MAX) {
						fam_best = w;
						fam_first = c2;
					}
				}
			}
			while (b < parts.len && p[b].acc == p[a].acc) {
				size_t c = b;
				double w, pts;
				char key[96];

				while (c < parts.len && p[c].acc == p[b].acc && p[c].det == p[b].det)
					c++;
				snprintf(key, sizeof key, "finance.%s.weight", registry[p[b].det]->key);
				w = cfg_double(ws->cfg, key, 1.0);
				/* p[b] is the strongest of this detector (sorted) */
				pts = w * p[b].score;
				if ((registry[p[b].det]->typology & TY_ML) && b != fam_first)
					pts *= discount;
				total += pts;
				typ |= registry[p[b].det]->typology;
				sbuf_addf(&det, "%s{\"part\":\"%s\",\"weight\":%.6g,\"strength\":%.4f,\"points\":%.4f,\"signals\":%zu%s}",
					  first ? "" : ",", registry[p[b].det]->code, w, p[b].score, pts,
					  c - b, (registry[p[b].det]->typology & TY_ML) && b != fam_first
							 ? ",\"family\":\"laundering patterns, counted after the strongest\"" : "");
				first = 0;
				nsigs += c - b;
				b = c;
			}
			sbuf_addc(&det, ']');
			if (!victim[p[a].acc]) {
				struct sbuf ty = SBUF_INIT;

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
				sqlite3_bind_int64(sr, 1, d->acc_entity[p[a].acc]);
				sqlite3_bind_double(sr, 2, total);
				sqlite3_bind_text(sr, 3, det.buf, (int)det.len, SQLITE_STATIC);
				sqlite3_bind_int64(sr, 4, (int64_t)nsigs);
				sqlite3_bind_text(sr, 5, ty.buf, (int)ty.len, SQLITE_TRANSIENT);
				sqlite3_bind_int64(sr, 6, ws->run_id);
				rc = sqlite3_step(sr);
				sqlite3_reset(sr);
				sbuf_release(&ty);
				if (rc != SQLITE_DONE) {
					ws_sqlerr(ws, "writing risk scores");
					goto fail;
				}
				if (stats)
					stats->accounts_flagged++;
			}
			a = b;
		}
	}
	sqlite3_finalize(si);
	sqlite3_finalize(se);
	sqlite3_finalize(sr);
	sbuf_release(&det);
	vec_release(&parts);
	mem_free(victim);
	if (stats) {
		stats->signals = nsig;
		stats->evidence = nev;
	}
	return 0;
fail:
	sqlite3_finalize(si);
	sqlite3_finalize(se);
	sqlite3_finalize(sr);
	sbuf_release(&det);
	vec_release(&parts);
	mem_free(victim);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
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
	p.run = &run;
	p.enabled = runs;
	p.state = state;
	pthread_mutex_init(&p.lock, NULL);
	for (i = 0; i < (size_t)threads; i++) {
		if (pthread_create(&th[i], NULL, worker, &p) != 0)
			break;
		nth++;
	}
	if (!nth)
		worker(&p);
	for (i = 0; i < (size_t)nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.lock);
	if (run.err.code) {
		rc = run.err.code;
		goto done;
	}
	t2 = now_s();
	if (ws_begin(ws)) {
		rc = ws->err.code;
		goto done_ws;
	}
	if (write_signals(&run, p.tasks, p.ntasks, stats)) {
		rc = ws->err.code;
		ws_rollback(ws);
		goto done_ws;
	}
	if (ws_commit(ws)) {
		rc = ws->err.code;
		goto done_ws;
	}
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
	for (i = 0; i < n; i++)
		if (state[i]) {
			if (registry[i]->release)
				registry[i]->release(state[i]);
			else
				mem_free(state[i]);
		}
	fin_data_release(&d);
	fin_lists_release(&lists);
	if (rc) {
		ws_run_end(ws, rc, rastro_errmsg(ws));
		return rc;
	}
	snprintf(summary, sizeof summary, "%zu transactions, %llu signals, %llu accounts flagged",
		 stats ? (size_t)stats->transactions : (size_t)0,
		 stats ? (unsigned long long)stats->signals : 0ULL,
		 stats ? (unsigned long long)stats->accounts_flagged : 0ULL);
	ws_run_end(ws, 0, summary);
	return 0;
}
