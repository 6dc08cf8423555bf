/*
 * stage: `rastro ads` — the ads stage over a workspace.
 *
 * It reads every ad back in chunks, analyses each (analyze.c) on all cores,
 * and writes what it finds: identifiers (ad_ident) with the entities and
 * `lists` edges of those found in the text, indicator matches
 * (ad_indicator).  Then it groups the ads by template (cluster.c), links
 * groups through shared phones, emails, handles and image hashes into
 * clusters, and writes templates, clusters (each an `ad_cluster` entity
 * with `in_cluster` edges), each ad's cluster, template and score
 * (ad_result), and the cluster signals (signals.c) with their evidence.
 *
 * The whole run is one transaction and replaces the previous run's output
 * (rows of its tables, its edges and signals), so it can be run again at
 * any time, and a failure leaves the previous results intact.
 */
#include "ads/stage_int.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "ads/ads.h"
#include "ads/extract.h"
#include "ads/analyze.h"
#include "ads/cluster.h"
#include "core/arena.h"
#include "core/h128map.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/table.h"
#include "core/u64map.h"
#include "core/vec.h"
#include "normalize/email.h"
#include "normalize/phone.h"
#include "text/fold.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread): on a shared machine the
 * wall time depends on the others' load, the CPU time much less. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- entities ----
 *
 * The phone, email, handle, image and cluster entities already in the
 * workspace are read once, and new ones are written as they are met.  The
 * run keeps, per entity, the 128-bit hash of "kind\x1fkey" and the id
 * (h128map: 24 bytes a slot) rather than the key itself in a string map
 * (about 160 bytes a key with its slot and copy): at five million ads that
 * is some 4 M entities, 0.6 GB less.
 */

/* The id slot of (kind, key): 0 when not known yet; NULL when out of memory. */
static uint64_t *ent_ref(struct stage *S, const char *kind, const char *key, size_t kl)
{
	XXH128_hash_t h;

	sbuf_clear(&S->tmp);
	sbuf_adds(&S->tmp, kind);
	sbuf_addc(&S->tmp, '\x1f');
	sbuf_add(&S->tmp, key, kl);
	if (sbuf_failed(&S->tmp))
		return NULL;
	h = XXH3_128bits(S->tmp.buf, S->tmp.len);
	return h128map_ref(&S->ent, h.low64, h.high64);
}

static int preload_entities(struct stage *S, const char *kind)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(S->ws, "SELECT id, key FROM entity WHERE kind = ?1", &st))
		return S->ws->err.code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t *e = ent_ref(S, kind, (const char *)sqlite3_column_text(st, 1),
				      (size_t)sqlite3_column_bytes(st, 1));

		if (!e) {
			sqlite3_finalize(st);
			return ws_error(S->ws, RASTRO_NOMEM, "out of memory loading %s entities", kind);
		}
		if (!*e)
			*e = (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(S->ws, "loading entities");
}

int64_t ads_entity(struct stage *S, const char *kind, const char *key, size_t kl, const char *label, size_t ll,
		      int64_t record)
{
	uint64_t *e = ent_ref(S, kind, key, kl);
	int rc;
	int64_t id;

	if (!e)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory"), 0;
	if (*e)
		return (int64_t)*e;
	id = S->next_entity++;
	*e = (uint64_t)id;
	/* texts bound SQLITE_STATIC here and below: the statement is stepped and
	 * reset before the caller's buffers change, and every parameter is bound
	 * again before the next step, so SQLite need not copy them */
	sqlite3_bind_int64(S->ins_entity, 1, id);
	sqlite3_bind_text(S->ins_entity, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(S->ins_entity, 3, key, (int)kl, SQLITE_STATIC);
	if (label && ll)
		sqlite3_bind_text(S->ins_entity, 4, label, (int)(ll > 120 ? 120 : ll), SQLITE_STATIC);
	else
		sqlite3_bind_null(S->ins_entity, 4);
	if (record)
		sqlite3_bind_int64(S->ins_entity, 5, record);
	else
		sqlite3_bind_null(S->ins_entity, 5);
	rc = sqlite3_step(S->ins_entity);
	sqlite3_reset(S->ins_entity);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(S->ws, "writing an entity"), 0;
	return id;
}

int ads_edge(struct stage *S, int64_t src, int64_t dst, const char *type, int64_t ts, int64_t record)
{
	int rc;

	sqlite3_bind_int64(S->ins_edge, 1, src);
	sqlite3_bind_int64(S->ins_edge, 2, dst);
	sqlite3_bind_text(S->ins_edge, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(S->ins_edge, 4, ts);
	sqlite3_bind_int64(S->ins_edge, 5, record);
	rc = sqlite3_step(S->ins_edge);
	sqlite3_reset(S->ins_edge);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(S->ws, "writing an edge");
}

/* ---- analysis, in parallel over a chunk ---- */

static int copy_res(struct arena *mem, const struct ads_analysis *an, struct ad_res *r, size_t max_tok)
{
	size_t i;

	memset(r, 0, sizeof *r);
	r->nids = (uint32_t)an->nids;
	r->nhits = (uint32_t)an->nhits;
	r->ntok = (uint32_t)(an->ntok < max_tok ? an->ntok : max_tok);
	r->ids = arena_alloc(mem, (an->nids ? an->nids : 1) * sizeof *r->ids);
	r->hits = arena_alloc(mem, (an->nhits ? an->nhits : 1) * sizeof *r->hits);
	r->tok = arena_alloc(mem, (r->ntok ? r->ntok : 1) * sizeof *r->tok);
	r->text = arena_strndup(mem, an->text, an->ntext);
	if (!r->ids || !r->hits || !r->tok || !r->text)
		return -1;
	if (an->nids)   /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(r->ids, an->ids, an->nids * sizeof *r->ids);
	if (an->nhits)
		memcpy(r->hits, an->hits, an->nhits * sizeof *r->hits);
	for (i = 0; i < r->ntok; i++) {
		uint64_t h = an->tok[i];

		r->tok[i] = (uint16_t)(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
	}
	memcpy(r->sig, an->sig, sizeof r->sig);
	r->has_sig = (uint8_t)an->has_sig;
	r->score = an->score;
	r->lang = an->lang;
	memcpy(r->field_start, an->field_start, sizeof r->field_start);
	memcpy(r->field_end, an->field_end, sizeof r->field_end);
	return 0;
}

/* The next item of a ';'-joined list field from *i on, blanks trimmed, as
 * [*a, *b); 0 at the end of the field.  Empty items are skipped. */
static int next_item(const char *s, size_t n, size_t *i, size_t *a, size_t *b)
{
	while (*i < n) {
		const char *semi = memchr(s + *i, ';', n - *i);
		size_t e = semi ? (size_t)(semi - s) : n;

		*a = *i;
		*b = e;
		*i = e + 1;
		while (*a < *b && (s[*a] == ' ' || s[*a] == '\t'))
			(*a)++;
		while (*b > *a && (s[*b - 1] == ' ' || s[*b - 1] == '\t'))
			(*b)--;
		if (*b > *a)
			return 1;
	}
	return 0;
}

/* The structured phones of one ad, validated on the worker (libphonenumber
 * is the costly part of writing them). */
static int given_phones(struct worker *w, const struct ad_row *row, struct ad_res *r)
{
	const char *s = row->s[R_PHONES];
	size_t n = row->n[R_PHONES], i = 0, a, b, k = 0;

	while (next_item(s, n, &i, &a, &b))
		k++;
	r->nphones = (uint32_t)k;
	if (!k)
		return 0;
	r->phones = arena_alloc(w->mem, k * sizeof *r->phones);
	if (!r->phones)
		return -1;
	for (i = 0, k = 0; next_item(s, n, &i, &a, &b); k++)
		ads_analyzer_phone(w->an, s + a, b - a, row->region, r->phones[k]);
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct stage *S = w->S;
	size_t i;

	for (i = w->lo; i < w->hi && !w->failed; i++) {
		const struct ad_row *row = &w->c->rows[i];
		struct ads_input in;
		struct ads_analysis an;

		in.title = row->s[R_TITLE];
		in.ntitle = row->n[R_TITLE];
		in.body = row->s[R_BODY];
		in.nbody = row->n[R_BODY];
		in.url = row->s[R_URL];
		in.nurl = row->n[R_URL];
		in.site = row->s[R_SITE];
		in.nsite = row->n[R_SITE];
		in.country = row->region;
		in.ncountry = strlen(row->region);
		if (ads_analyze(w->an, &in, row->region, &an) || copy_res(w->mem, &an, &w->c->res[i], S->model.max_tokens) ||
		    given_phones(w, row, &w->c->res[i]))
			w->failed = 1;
	}
	return NULL;
}

/* Starts the analysis of chunk c on every worker thread; analyse_join
 * waits for it.  Which worker analyses which ad does not change what it
 * yields, so the output does not depend on the number of threads. */
static void analyse_start(struct stage *S, struct chunk *c)
{
	size_t t, per = (c->nrows + S->nthreads - 1) / S->nthreads;

	for (t = 0; t < S->nthreads; t++) {
		struct worker *w = &S->w[t];

		arena_clear(&c->wmem[t]);
		w->S = S;
		w->c = c;
		w->mem = &c->wmem[t];
		w->lo = t * per < c->nrows ? t * per : c->nrows;
		w->hi = (t + 1) * per < c->nrows ? (t + 1) * per : c->nrows;
		w->failed = 0;
		w->started = w->lo < w->hi && pthread_create(&w->th, NULL, work, w) == 0;
		if (!w->started)
			work(w);   /* no thread: analysed here, before the next starts */
	}
}

static int analyse_join(struct stage *S)
{
	size_t t;
	int failed = 0;

	for (t = 0; t < S->nthreads; t++) {
		if (S->w[t].started)
			pthread_join(S->w[t].th, NULL);
		S->w[t].started = 0;
		failed |= S->w[t].failed;
	}
	return failed ? ws_error(S->ws, RASTRO_NOMEM, "out of memory analysing ads") : 0;
}

/* ---- writing what one ad yields ---- */

static int put_ident(struct stage *S, int64_t ad, const char *kind, const char *value, size_t vl, const char *raw,
		     size_t rl, const char *field, int64_t start, int64_t end, int obf, int64_t ent)
{
	sqlite3_stmt *st = S->ins_ident;
	int rc;

	sqlite3_bind_int64(st, 1, ad);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, (int)vl, SQLITE_STATIC);
	if (raw)
		sqlite3_bind_text(st, 4, raw, (int)(rl > 200 ? 200 : rl), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, field, -1, SQLITE_STATIC);
	if (start >= 0) {
		sqlite3_bind_int64(st, 6, start);
		sqlite3_bind_int64(st, 7, end);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
	}
	sqlite3_bind_int(st, 8, obf);
	if (ent)
		sqlite3_bind_int64(st, 9, ent);
	else
		sqlite3_bind_null(st, 9);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(S->ws, "writing ad identifiers");
}

static int has_link(const struct stage *S, size_t from, int64_t ent)
{
	const struct link *l = S->links.data;
	size_t i;

	for (i = from; i < S->links.len; i++)
		if (l[i].entity == ent)
			return 1;
	return 0;
}

static int add_link(struct stage *S, uint32_t ad, int64_t ent, int kind)
{
	struct link l;

	l.entity = ent;
	l.ad = ad;
	l.kind = (uint8_t)kind;
	return vec_push(&S->links, &l) ? ws_error(S->ws, RASTRO_NOMEM, "out of memory") : 0;
}

/*
 * One ad_ident row per ad, kind and value: an identifier found several
 * times (a city in the title, the body and the URL; a phone in the text and
 * in the structured field; an image hash listed twice) is written once, at
 * its first place in the text, where the row has a span and the
 * obfuscated flag, else as the structured field gives it.  At a million
 * ads that is 5.0 M rows instead of 7.0 M; every consumer reads distinct
 * ads or entities of a kind, which stay the same.
 */
struct seen {
	uint64_t h;
	const char *v;
	size_t vl;
	int kind;
};

/* A structured identifier held until the text's are written. */
struct pend {
	int k;                      /* 0 phones, 1 emails, 2 handles, 3 images */
	size_t voff, vl;            /* value in S->pbuf */
	const char *raw;
	size_t rl;
	int64_t ent;
};

/* 1 when (kind, value) was already written for this ad, else 0 after
 * noting it (-1 out of memory).  v must stay valid until the ad is done. */
static int seen_before(struct stage *S, int kind, const char *v, size_t vl)
{
	const struct seen *e = S->seen.data;
	struct seen n;
	size_t i;

	n.h = XXH3_64bits(v, vl) ^ (uint64_t)kind;
	for (i = 0; i < S->seen.len; i++)
		if (e[i].h == n.h && e[i].kind == kind && e[i].vl == vl && memcmp(e[i].v, v, vl) == 0)
			return 1;
	n.v = v;
	n.vl = vl;
	n.kind = kind;
	return vec_push(&S->seen, &n) ? -1 : 0;
}

static int hold(struct stage *S, int k, const char *v, size_t vl, const char *raw, size_t rl, int64_t ent)
{
	struct pend p;

	p.k = k;
	p.voff = S->pbuf.len;
	p.vl = vl;
	p.raw = raw;
	p.rl = rl;
	p.ent = ent;
	sbuf_add(&S->pbuf, v, vl);
	if (sbuf_failed(&S->pbuf) || vec_push(&S->pend, &p))
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
	return 0;
}

/* Structured identifiers of one list column: entities came from ingest. */
static int given_idents(struct stage *S, uint32_t ad, const struct ad_row *row, const struct ad_res *r, int col,
			size_t link_from)
{
	static const char *const kinds[] = { "phone", "email", "handle", "image" };
	static const int akinds[] = { AK_PHONE, AK_EMAIL, AK_HANDLE, AK_IMAGE };
	int k = col - R_PHONES;
	const char *s = row->s[col];
	size_t n = row->n[col], i = 0, a, b, item = 0;

	while (next_item(s, n, &i, &a, &b)) {
		char key[EMAIL_MAX + 64];
		size_t kl = 0;

		if (k == 0) {
			/* validated by the worker, item by item */
			const char *e = item < r->nphones ? r->phones[item] : "";

			item++;
			kl = strlen(e);
			memcpy(key, e, kl + 1);
		} else if (k == 1) {
			if (email_normalize(s + a, b - a, key) == 0)
				kl = strlen(key);
		} else if (k == 2) {
			kl = ads_handle_key(s + a, b - a, row->s[R_SITE], row->n[R_SITE], key, sizeof key);
		} else if (b - a < sizeof key) {
			size_t q;

			for (q = 0; q < b - a; q++)
				key[q] = (char)(s[a + q] >= 'A' && s[a + q] <= 'Z' ? s[a + q] + 32 : s[a + q]);
			kl = b - a;
			key[kl] = '\0';
		}
		if (!kl) {
			/* kept in the record as written; no entity (docs/ads.md) */
			if (hold(S, k, s + a, b - a, s + a, b - a, 0))
				return S->ws->err.code;
			continue;
		}
		{
			int64_t ent = ads_entity(S, kinds[k], key, kl, s + a, b - a, row->record);

			if (!ent)
				return S->ws->err.code;
			if (hold(S, k, key, kl, s + a, b - a, ent))
				return S->ws->err.code;
			if (!has_link(S, link_from, ent) && add_link(S, ad, ent, akinds[k]))
				return S->ws->err.code;
		}
	}
	return 0;
}

/* The structured identifiers the text did not give. */
static int write_held(struct stage *S, const struct ad_row *row)
{
	static const char *const fields[] = { "phones", "emails", "handles", "image_hashes" };
	static const int akinds[] = { AK_PHONE, AK_EMAIL, AK_HANDLE, AK_IMAGE };
	const struct pend *p = S->pend.data;
	size_t i;

	for (i = 0; i < S->pend.len; i++) {
		const char *v = S->pbuf.buf + p[i].voff;
		int r = seen_before(S, akinds[p[i].k], v, p[i].vl);

		if (r < 0)
			return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
		if (r == 0 && put_ident(S, row->record, ads_kind_name(akinds[p[i].k]), v, p[i].vl, p[i].raw, p[i].rl,
					fields[p[i].k], -1, -1, 0, p[i].ent))
			return S->ws->err.code;
	}
	return 0;
}

static uint32_t intern(struct stage *S, struct strmap *m, const char *s, size_t n)
{
	uint32_t id = strmap_intern(m, s, n, NULL);

	if (!id)
		ws_error(S->ws, RASTRO_NOMEM, "out of memory");
	return id;
}

/* "el paso|tx" from a city and region as written. */
static uint32_t city_key(struct stage *S, const char *city, size_t cn, const char *region, size_t rn,
			 const char *label, size_t ln)
{
	char buf[256];
	long a, b;
	uint32_t id;
	int is_new;

	a = fold_copy(city, cn, buf, 128);
	if (a == FOLD_NOMEM)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory"), 0;
	if (a <= 0)
		return 0;
	buf[a] = '|';
	b = fold_copy(region, rn, buf + a + 1, sizeof buf - (size_t)a - 1);
	if (b == FOLD_NOMEM)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory"), 0;
	if (b < 0)
		b = 0;
	id = strmap_intern(&S->cities, buf, (size_t)(a + 1 + b), &is_new);
	if (!id)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory"), 0;
	if (is_new) {
		const char *l = arena_strndup(&S->keys, label, ln);

		if (!l || vec_push(&S->city_label, &l))
			return ws_error(S->ws, RASTRO_NOMEM, "out of memory"), 0;
	}
	return id;
}

static int store_ad(struct stage *S, const struct ad_row *row, const struct ad_res *r)
{
	uint32_t ad = (uint32_t)S->n;
	struct meta *m = &S->meta[ad];
	size_t link_from = S->links.len, i;
	int col;

	memset(m, 0, sizeof *m);
	m->record = row->record;
	m->entity = row->entity;
	m->posted = row->posted;
	m->score = (float)r->score;
	m->lang = !r->lang ? ADS_LANG_NONE : strcmp(r->lang, "en") == 0 ? ADS_LANG_EN : ADS_LANG_ES;
	m->tmpl = UINT32_MAX;
	sbuf_clear(&S->tmp);
	sbuf_add(&S->tmp, row->s[R_SITE], row->n[R_SITE]);
	sbuf_addc(&S->tmp, ':');
	sbuf_add(&S->tmp, row->s[R_EXT], row->n[R_EXT]);
	/* the key is kept only as the hash its cluster id is made of: 8 bytes
	 * instead of a copy (~30 bytes an ad with its pointer, 150 MB at five
	 * million); the id hashes the key up to a NUL, as it did the copy */
	m->key_hash = XXH3_64bits(S->tmp.buf, strnlen(S->tmp.buf, S->tmp.len));
	m->site = intern(S, &S->sites, row->s[R_SITE], row->n[R_SITE]);
	if (sbuf_failed(&S->tmp) || !m->site)
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
	if (row->n[R_CITY]) {
		sbuf_clear(&S->tmp);
		sbuf_add(&S->tmp, row->s[R_CITY], row->n[R_CITY]);
		if (row->n[R_REGION]) {
			sbuf_adds(&S->tmp, ", ");
			sbuf_add(&S->tmp, row->s[R_REGION], row->n[R_REGION]);
		}
		m->city = city_key(S, row->s[R_CITY], row->n[R_CITY], row->s[R_REGION], row->n[R_REGION], S->tmp.buf,
				   S->tmp.len);
		if (!m->city && S->ws->err.code)
			return S->ws->err.code;
	}
	vec_clear(&S->seen);
	vec_clear(&S->pend);
	sbuf_clear(&S->pbuf);
	for (col = R_PHONES; col <= R_IMAGES; col++)
		if (row->n[col] && given_idents(S, ad, row, r, col, link_from))
			return S->ws->err.code;
	for (i = 0; i < r->nids; i++) {
		const struct ads_ident *id = &r->ids[i];
		struct ads_analysis an;
		uint32_t fs, fe;
		int f, k = id->kind;
		int64_t ent = 0;
		size_t vl = strlen(id->value);

		memcpy(an.field_start, r->field_start, sizeof an.field_start);
		memcpy(an.field_end, r->field_end, sizeof an.field_end);
		f = ads_field_of(&an, id->start, id->end, &fs, &fe);
		if (k == AK_PHONE || k == AK_EMAIL || k == AK_HANDLE) {
			ent = ads_entity(S, ads_kind_name(k), id->value, vl, r->text + id->start, id->end - id->start, row->record);
			if (!ent)
				return S->ws->err.code;
			if (!has_link(S, link_from, ent)) {
				if (add_link(S, ad, ent, k) || ads_edge(S, row->entity, ent, "lists", row->posted, row->record))
					return S->ws->err.code;
				S->st->edges++;
			}
		} else if (k == AK_NAME) {
			struct named nm;

			nm.ad = ad;
			nm.name = intern(S, &S->namemap, id->value, vl);
			if (!nm.name || vec_push(&S->names, &nm))
				return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
		} else if (k == AK_CITY && !m->city) {
			/* "El Paso, TX, US": the first text city stands in for a missing field */
			const char *c1 = strchr(id->value, ',');
			const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;

			if (c1 && c2) {
				m->city = city_key(S, id->value, (size_t)(c1 - id->value), c1 + 2, (size_t)(c2 - c1 - 2),
						   id->value, (size_t)(c2 - id->value));
				if (!m->city && S->ws->err.code)
					return S->ws->err.code;
			}
		}
		{
			int dup = seen_before(S, k, id->value, vl);

			if (dup < 0)
				return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
			if (dup)
				continue;
		}
		if (put_ident(S, row->record, ads_kind_name(k), id->value, vl, r->text + id->start, id->end - id->start,
			      ads_field_names[f], fs, fe, id->obfuscated, ent))
			return S->ws->err.code;
		S->st->identifiers++;
		S->st->phones += k == AK_PHONE;
		S->st->phones_obfuscated += k == AK_PHONE && id->obfuscated;
		S->st->emails += k == AK_EMAIL;
		S->st->handles += k == AK_HANDLE;
	}
	if (write_held(S, row))
		return S->ws->err.code;
	for (i = 0; i < r->nhits; i++) {
		const struct ads_hit *h = &r->hits[i];
		sqlite3_stmt *st = S->ins_ind;
		int rc, bit = h->code >= 0 ? S->code_bit[h->code] : S->nbits - ADS_D_N + (-1 - h->code);

		sqlite3_bind_int64(st, 1, row->record);
		if (h->code >= 0) {
			const struct lex_code *c = lex_code(S->model.lx, (size_t)h->code);
			const struct lex_entry *e = lex_entry(S->model.lx, h->entry);
			struct ads_analysis an;
			uint32_t fs, fe;
			int f;

			memcpy(an.field_start, r->field_start, sizeof an.field_start);
			memcpy(an.field_end, r->field_end, sizeof an.field_end);
			f = ads_field_of(&an, h->start, h->end, &fs, &fe);
			sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 3, S->model.weight[h->code]);
			sqlite3_bind_text(st, 4, ads_field_names[f], -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, fs);
			sqlite3_bind_int64(st, 6, fe);
			sqlite3_bind_text(st, 7, r->text + h->start, (int)((h->end - h->start) > 200 ? 200 : h->end - h->start),
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 8, e->source, -1, SQLITE_STATIC);
		} else {
			int d = -1 - h->code;

			sqlite3_bind_text(st, 2, ads_derived_codes[d], -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 3, S->model.derived_weight[d]);
			sqlite3_bind_null(st, 4);
			sqlite3_bind_null(st, 5);
			sqlite3_bind_null(st, 6);
			sqlite3_bind_null(st, 7);
			sqlite3_bind_text(st, 8, ads_derived_sources[d], -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return ws_sqlerr(S->ws, "writing ad indicators");
		if (bit >= 0 && bit < 64)
			m->codes |= 1ull << bit;
		S->st->indicators++;
	}
	/* clustering input */
	S->tok_off[ad] = S->tok.len;
	if (r->ntok) {
		uint16_t *t = vec_grow(&S->tok, r->ntok);

		if (!t)
			return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
		memcpy(t, r->tok, r->ntok * sizeof *t);
		for (i = 0; i < r->ntok; i++)
			S->vocab[r->tok[i] >> 3] |= (uint8_t)(1u << (r->tok[i] & 7));
	}
	S->tok_off[ad + 1] = S->tok.len;
	memcpy(S->sig + (size_t)ad * ADS_K, r->sig, sizeof r->sig);
	S->has_sig[ad] = r->has_sig;
	S->n++;
	return 0;
}

/* ---- reading ---- */

static const char *str_col(sqlite3_stmt *st, int c, size_t *n, struct arena *mem)
{
	const char *s = (const char *)sqlite3_column_text(st, c);

	*n = (size_t)sqlite3_column_bytes(st, c);
	if (!s) {
		*n = 0;
		return "";
	}
	return arena_strndup(mem, s, *n);
}

/* Reads up to S->chunk ads into c; -1 on error (set), else 0 with c->nrows
 * (fewer than S->chunk: the last). */
static int read_chunk(struct stage *S, sqlite3_stmt *st, struct chunk *c)
{
	const char *defregion = S->model.region;
	int step = SQLITE_DONE;

	arena_clear(&c->mem);
	c->nrows = 0;
	while (c->nrows < S->chunk && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ad_row *row = &c->rows[c->nrows];
		int col;

		row->record = sqlite3_column_int64(st, 0);
		row->entity = sqlite3_column_int64(st, 1);
		row->posted = sqlite3_column_int64(st, 2);
		for (col = 0; col < 12; col++) {
			row->s[col] = str_col(st, 3 + col, &row->n[col], &c->mem);
			if (!row->s[col])
				return ws_error(S->ws, RASTRO_NOMEM, "out of memory reading ads"), -1;
		}
		row->region = ads_region_of(row->s[R_COUNTRY], row->n[R_COUNTRY], defregion);
		c->nrows++;
	}
	if (c->nrows < S->chunk && step != SQLITE_DONE)
		return ws_sqlerr(S->ws, "reading ads"), -1;
	if (S->n + c->nrows > S->cap)
		return ws_error(S->ws, RASTRO_ERROR, "ads changed while being read"), -1;
	return 0;
}

/*
 * Chunk k+1 is read and its analysis started before chunk k is written,
 * so the workers analyse while the main thread writes.  Ads are written in
 * the order they were read, whatever the threads.
 */
static int read_and_analyse(struct stage *S)
{
	sqlite3_stmt *st;
	struct chunk *cur = &S->ch[0], *next = &S->ch[1];
	uint64_t done = 0;
	size_t i;
	int rc;

	if (ws_prepare(S->ws, "SELECT id, entity, posted_at, ext_id, site, url, city, region, country, title, body,"
			      " phones, emails, handles, image_hashes FROM ad ORDER BY id", &st))
		return S->ws->err.code;
	rc = read_chunk(S, st, cur) ? S->ws->err.code : 0;
	if (!rc && cur->nrows)
		analyse_start(S, cur);
	while (!rc && cur->nrows) {
		int last = cur->nrows < S->chunk;

		rc = analyse_join(S);
		if (rc)
			break;
		next->nrows = 0;
		if (!last) {
			/* cur's rows stay counted in S->n only once written: allow for them */
			S->n += cur->nrows;
			rc = read_chunk(S, st, next) ? S->ws->err.code : 0;
			S->n -= cur->nrows;
			if (rc)
				break;
			if (next->nrows)
				analyse_start(S, next);
		}
		for (i = 0; i < cur->nrows && !rc; i++)
			rc = store_ad(S, &cur->rows[i], &cur->res[i]);
		done += cur->nrows;
		ws_progress(S->ws, "ads: analyse", done, S->cap);
		{
			struct chunk *t = cur;

			cur = next;
			next = t;
		}
	}
	/* a failed write leaves workers running on the next chunk */
	if (rc)
		analyse_join(S);
	sqlite3_finalize(st);
	return rc;
}

/* ---- the run ---- */

/* The two chunks' rows, texts and results (released once the ads are
 * analysed; harmless twice). */
static void chunks_release(struct stage *S)
{
	size_t t, c;

	for (c = 0; c < 2; c++) {
		arena_release(&S->ch[c].mem);
		for (t = 0; t < MAX_THREADS; t++)
			arena_release(&S->ch[c].wmem[t]);
		mem_free(S->ch[c].rows);
		mem_free(S->ch[c].res);
		S->ch[c].rows = NULL;
		S->ch[c].res = NULL;
	}
}

static void stage_release(struct stage *S)
{
	size_t t;

	for (t = 0; t < MAX_THREADS; t++)
		ads_analyzer_free(S->w[t].an);
	chunks_release(S);
	if (S->model_ok)
		ads_model_release(&S->model);
	arena_release(&S->keys);
	mem_free(S->meta);
	vec_release(&S->tok);
	mem_free(S->tok_off);
	mem_free(S->sig);
	mem_free(S->has_sig);
	mem_free(S->vocab);
	mem_free(S->code_bit);
	vec_release(&S->links);
	vec_release(&S->names);
	vec_release(&S->city_label);
	vec_release(&S->seen);
	vec_release(&S->pend);
	sbuf_release(&S->pbuf);
	strmap_release(&S->sites);
	strmap_release(&S->cities);
	strmap_release(&S->namemap);
	h128map_release(&S->ent);
	u64map_release(&S->victims);
	sqlite3_finalize(S->ins_ident);
	sqlite3_finalize(S->ins_ind);
	sqlite3_finalize(S->ins_entity);
	sqlite3_finalize(S->ins_edge);
	sbuf_release(&S->tmp);
}

static int setup(struct stage *S, const struct rastro_ads_opts *o)
{
	rastro_ws *ws = S->ws;
	struct rs_err e = { 0 };
	int64_t nads;
	size_t t;
	long long th = o && o->threads > 0 ? o->threads : cfg_int(ws->cfg, "ads.threads", 0);

	if (th <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		th = cpus > 0 ? cpus : 1;
	}
	S->nthreads = (size_t)(th > MAX_THREADS ? MAX_THREADS : th);
	{
		long long ck = cfg_int(ws->cfg, "ads.chunk", 8192);

		if (ck < 1 || ck > 1000000)
			return ws_error(ws, RASTRO_USAGE, "setting ads.chunk must be 1 to 1000000 (is %lld)", ck);
		S->chunk = (size_t)ck;
	}
	if (ads_model_init(&S->model, ws->cfg, rastro_datadir(), &e))
		return err_copy(&ws->err, &e);
	S->model_ok = 1;
	for (t = 0; t < S->nthreads; t++) {
		S->w[t].an = ads_analyzer_new(&S->model, &e);
		if (!S->w[t].an)
			return err_copy(&ws->err, &e);
	}
	/* one bit per indicator code for cluster explanations (the last ones are
	 * the derived codes; beyond 63 lexicon codes the rest share bit 63-ADS_D_N) */
	{
		size_t nc = lex_ncodes(S->model.lx), c;
		int b = 0;

		S->code_bit = mem_alloc(nc ? nc : 1);
		if (!S->code_bit)
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		for (c = 0; c < nc; c++) {
			if (S->model.code_city[c] >= 0) {
				S->code_bit[c] = -1;
				continue;
			}
			if (b < 64 - ADS_D_N) {
				S->bit_code[b] = lex_code(S->model.lx, c)->name;
				S->code_bit[c] = (int8_t)b++;
			} else {
				S->code_bit[c] = (int8_t)(63 - ADS_D_N);
			}
		}
		for (c = 0; c < ADS_D_N; c++)
			S->bit_code[b + (int)c] = ads_derived_codes[c];
		S->nbits = b + ADS_D_N;
	}
	if (ws_query_i64(ws, "SELECT count(*) FROM ad", 0, &nads))
		return ws->err.code;
	/* The run is one transaction: once its pages outgrow the page cache
	 * SQLite spills them to the log and reads them back (at a million ads
	 * 512 MiB instead of 64 took the write from 42 to 37 CPU-seconds).  A
	 * larger cache for this run (ads.cache_mib), the connection's own
	 * restored after it. */
	{
		long long mib = cfg_int(ws->cfg, "ads.cache_mib", 512);
		char sql[64];

		if (ws_query_i64(ws, "PRAGMA cache_size", 0, &S->cache_before))
			return ws->err.code;
		S->cache_set = 1;
		if (mib > 0) {
			snprintf(sql, sizeof sql, "PRAGMA cache_size = -%lld", mib * 1024);
			if (ws_exec(ws, sql, "setting the cache size"))
				return ws->err.code;
		}
		/* The run ends by building the indexes of its tables (at a million
		 * ads 4.7 M identifier and 2.3 M indicator rows): SQLite's sorter
		 * splits that sort over helper threads when allowed, so the last
		 * phase uses the cores the analysis used.  The index is the same. */
		if (ws_query_i64(ws, "PRAGMA threads", 0, &S->threads_before))
			return ws->err.code;
		snprintf(sql, sizeof sql, "PRAGMA threads = %zu", S->nthreads);
		if (ws_exec(ws, sql, "setting the sorter threads"))
			return ws->err.code;
	}
	S->cap = (size_t)nads;
	for (t = 0; t < 2; t++) {
		S->ch[t].rows = mem_calloc(S->chunk, sizeof *S->ch[t].rows);
		S->ch[t].res = mem_calloc(S->chunk, sizeof *S->ch[t].res);
		if (!S->ch[t].rows || !S->ch[t].res)
			return ws_error(ws, RASTRO_NOMEM, "out of memory for %zu ads", S->cap);
	}
	S->meta = mem_calloc(S->cap ? S->cap : 1, sizeof *S->meta);
	S->tok_off = mem_calloc(S->cap + 1, sizeof *S->tok_off);
	S->sig = mem_alloc((S->cap ? S->cap : 1) * ADS_K * sizeof *S->sig);
	S->has_sig = mem_calloc(S->cap ? S->cap : 1, 1);
	S->vocab = mem_calloc(65536 / 8, 1);
	if (!S->meta || !S->tok_off || !S->sig || !S->has_sig || !S->vocab)
		return ws_error(ws, RASTRO_NOMEM, "out of memory for %zu ads", S->cap);
	if (vec_reserve(&S->tok, S->cap * 64))
		return ws_error(ws, RASTRO_NOMEM, "out of memory for %zu ads", S->cap);
	if (preload_entities(S, "phone") || preload_entities(S, "email") || preload_entities(S, "handle") ||
	    preload_entities(S, "image") || ws_next_entity_id(ws, &S->next_entity))
		return ws->err.code;
	{
		sqlite3_stmt *st;
		int rc;

		if (ws_prepare(ws, "SELECT entity_id FROM victim_flag", &st))
			return ws->err.code;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (u64map_put(&S->victims, (uint64_t)sqlite3_column_int64(st, 0), 1)) {
				sqlite3_finalize(st);
				return ws_error(ws, RASTRO_NOMEM, "out of memory");
			}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return ws_sqlerr(ws, "reading victim flags");
	}
	if (ws_exec(ws, "DELETE FROM ad_ident; DELETE FROM ad_indicator; DELETE FROM ad_template;"
			" DELETE FROM ad_cluster; DELETE FROM ad_result;"
			" DELETE FROM signal WHERE stage = 'ads'; DELETE FROM edge WHERE stage = 'ads';",
		    "clearing the previous ads run") ||
	    ws_drop_bulk_indexes(ws, "ad_ident") || ws_drop_bulk_indexes(ws, "ad_indicator") ||
	    ws_drop_bulk_indexes(ws, "ad_result"))
		return ws->err.code;
	if (ws_prepare(ws, "INSERT INTO ad_ident(ad_id, kind, value, raw, field, start, end, obfuscated, entity_id, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &S->ins_ident) ||
	    ws_prepare(ws, "INSERT INTO ad_indicator(ad_id, code, weight, field, start, end, matched, source, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &S->ins_ind) ||
	    ws_prepare(ws, "INSERT INTO entity(id, kind, key, label, first_record) VALUES(?1, ?2, ?3, ?4, ?5)",
		       &S->ins_entity) ||
	    ws_prepare(ws, "INSERT INTO edge(src, dst, type, ts, weight, record_id, stage) VALUES(?1, ?2, ?3, ?4, 1.0, ?5, 'ads')",
		       &S->ins_edge))
		return ws->err.code;
	if (ws->run_id) {
		sqlite3_bind_int64(S->ins_ident, 10, ws->run_id);
		sqlite3_bind_int64(S->ins_ind, 9, ws->run_id);
	}
	return 0;
}

/* ---- what waits in a file while the ads are clustered ----
 *
 * The cluster step reads the signatures and words only; the per-ad facts,
 * the identifier links and the names (at five million ads 320, 240 and
 * 30 MB) are read again by the write.  Meanwhile they wait in a temporary
 * file (deleted as soon as it is made), so that the cluster step's largest
 * arrays, the peak of the run, do not sit beside them: the kernel keeps the
 * file in its page cache and can write it out, which without swap it
 * cannot do with the process's memory.  When no file can be written they
 * simply stay in memory.
 */
struct parked {
	FILE *f;
	size_t nlinks, nnames;
};

static FILE *park_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f;
	int fd;

	snprintf(path, sizeof path, "%s/rastro-ads-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

/* Writes n items; an empty array (whose data may be NULL) writes nothing,
 * since fwrite must not be handed a null pointer. */
static int park_write(const void *data, size_t size, size_t n, FILE *f)
{
	return n == 0 || fwrite(data, size, n, f) == n;
}

/* Parks the arrays (freed) when a file can hold them; p->f is NULL when
 * they stay in memory. */
static void park(struct stage *S, struct parked *p)
{
	memset(p, 0, sizeof *p);
	if (!cfg_bool(S->ws->cfg, "ads.park", 1) || !S->n)
		return;
	p->f = park_file();
	if (!p->f)
		return;
	p->nlinks = S->links.len;
	p->nnames = S->names.len;
	if (!park_write(S->meta, sizeof *S->meta, S->n, p->f) ||
	    !park_write(S->links.data, S->links.esize, p->nlinks, p->f) ||
	    !park_write(S->names.data, S->names.esize, p->nnames, p->f) || fflush(p->f)) {
		fclose(p->f);
		p->f = NULL;
		return;
	}
	mem_free(S->meta);
	S->meta = NULL;
	vec_release(&S->links);
	vec_release(&S->names);
}

static int unpark(struct stage *S, struct parked *p)
{
	int rc = 0;

	if (!p->f)
		return 0;
	S->meta = mem_alloc(S->n * sizeof *S->meta);
	if (!S->meta || vec_reserve(&S->links, p->nlinks ? p->nlinks : 1) ||
	    vec_reserve(&S->names, p->nnames ? p->nnames : 1)) {
		rc = ws_error(S->ws, RASTRO_NOMEM, "out of memory");
	} else if (fseek(p->f, 0, SEEK_SET) || fread(S->meta, sizeof *S->meta, S->n, p->f) != S->n ||
		   fread(S->links.data, S->links.esize, p->nlinks, p->f) != p->nlinks ||
		   fread(S->names.data, S->names.esize, p->nnames, p->f) != p->nnames) {
		rc = ws_error(S->ws, RASTRO_IO, "reading back the ads' facts from a temporary file");
	} else {
		S->links.len = p->nlinks;
		S->names.len = p->nnames;
	}
	fclose(p->f);
	p->f = NULL;
	return rc;
}

/* ---- the cluster step beside the first index builds ---- */

struct cluster_job {
	const struct ads_corpus *c;
	const struct ads_ccfg *cc;
	uint32_t *group;
	struct ads_templates *T;
	struct rs_err e;
	int rc;
};

static void *cluster_main(void *arg)
{
	struct cluster_job *j = arg;

	j->rc = ads_coarse(j->c, j->cc, j->group, &j->e) || ads_fine(j->c, j->group, j->cc, j->T, &j->e);
	return NULL;
}

static int set_cache(struct stage *S, long long kib_or_pages)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", kib_or_pages);
	return ws_exec(S->ws, sql, "setting the cache size");
}

/*
 * The identifier and indicator tables are complete once the ads are
 * analysed, and the cluster step works in memory without SQLite: their
 * indexes are built meanwhile (at a million ads 5 M identifier and 2.3 M
 * indicator rows, ~10 CPU-seconds of sorting that were serial at the end),
 * with a small page cache, the run's large cache back after.  SQLite's
 * sorter sorts in memory runs as large as the cache: the four indexes of
 * 200,000 ads took 1.80-1.89 CPU-s with 4 MiB runs against 2.24-2.39 with
 * the connection's 64 MiB (sqlite3 on one workspace, three times each,
 * alternating), and 20 instead of 113 MB, beside the cluster step's arrays.
 */
static int index_beside(struct stage *S)
{
	long long mib = cfg_int(S->ws->cfg, "ads.cache_mib", 512);
	int rc;

	if (set_cache(S, -ADS_INDEX_CACHE_KIB))
		return S->ws->err.code;
	/* The pages the smaller cache let go are back in the C library's heap,
	 * which keeps them unless asked: at five million ads the run's 512 MiB
	 * cache would otherwise stay in the process beside the cluster step's
	 * arrays (at 200,000 ads: 441 -> 343 MiB). */
	malloc_trim(0);
	sqlite3_exec(S->ws->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	rc = ads_index_table(S->ws, "ad_ident");
	if (!rc)
		rc = ads_index_table(S->ws, "ad_indicator");
	sqlite3_exec(S->ws->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if (!rc && mib > 0)
		rc = set_cache(S, -mib * 1024);
	return rc;
}

int ads_stage_run(rastro_ws *ws, const struct rastro_ads_opts *opts, struct rastro_ads_stats *st)
{
	struct stage *S = mem_calloc(1, sizeof *S);
	struct ads_templates T;
	struct ads_ccfg cc;
	uint32_t *group = NULL;
	double t0 = now_s(), t1, t2, c0 = cpu_s(), c1, c2;
	int rc;

	memset(&T, 0, sizeof T);
	if (!S)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	S->ws = ws;
	S->st = st;
	arena_init(&S->keys, 1u << 20);
	strmap_init(&S->sites);
	strmap_init(&S->cities);
	strmap_init(&S->namemap);
	vec_init(&S->tok, sizeof(uint16_t));
	vec_init(&S->links, sizeof(struct link));
	vec_init(&S->names, sizeof(struct named));
	vec_init(&S->city_label, sizeof(const char *));
	vec_init(&S->seen, sizeof(struct seen));
	vec_init(&S->pend, sizeof(struct pend));
	sbuf_init(&S->pbuf);
	u64map_init(&S->victims);
	sbuf_init(&S->tmp);
	{
		size_t t;

		for (t = 0; t < 2; t++) {
			size_t k;

			arena_init(&S->ch[t].mem, 4u << 20);
			for (k = 0; k < MAX_THREADS; k++)
				arena_init(&S->ch[t].wmem[k], 1u << 20);
		}
	}
	rc = setup(S, opts);
	if (!rc)
		rc = read_and_analyse(S);
	/* The identifiers' entities are written; until the clusters' (the only
	 * ones the write makes) the map is not needed: at five million ads its
	 * 0.2-0.4 GB would sit beside the cluster step's largest arrays. */
	h128map_release(&S->ent);
	chunks_release(S);
	t1 = now_s();
	c1 = cpu_s();
	st->cpu_analyse = c1 - c0;
	st->ads = S->n;
	st->seconds_analyse = t1 - t0;
	if (!rc) {
		struct ads_corpus c;
		size_t i, v = 0;

		for (i = 0; i < 65536 / 8; i++)
			v += (size_t)__builtin_popcount(S->vocab[i]);
		memset(&c, 0, sizeof c);
		c.n = S->n;
		c.sig = S->sig;
		c.has_sig = S->has_sig;
		c.tok = S->tok.data;
		c.tok_off = S->tok_off;
		c.word_bits = v > 256 ? (unsigned)ceil(log2((double)v)) : 8;
		memset(&cc, 0, sizeof cc);
		cc.bands = (int)cfg_int(ws->cfg, "ads.cluster.bands", 16);
		cc.rows = (int)cfg_int(ws->cfg, "ads.cluster.rows", 4);
		cc.min_jaccard = cfg_double(ws->cfg, "ads.cluster.min_jaccard", 0.3);
		cc.max_diff = cfg_double(ws->cfg, "ads.cluster.max_diff", 0.6);
		cc.split_ratio = cfg_double(ws->cfg, "ads.cluster.split_ratio", 0.6);
		cc.bucket_max = (size_t)cfg_int(ws->cfg, "ads.cluster.bucket_max", 512);
		if (cc.bucket_max < 2)
			cc.bucket_max = 2;
		{
			long long hm = cfg_int(ws->cfg, "ads.cluster.help_min", 4096);

			cc.help_min = (size_t)(hm < 2 ? 2 : hm);
		}
		{
			long long mm = cfg_int(ws->cfg, "ads.cluster.merge_max", 0);

			cc.merge_max = (uint32_t)(mm < 0 ? 0 : mm > 100000 ? 100000 : mm);
		}
		cc.threads = (int)S->nthreads;
		group = mem_alloc((S->n ? S->n : 1) * sizeof *group);
		if (!group) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		} else {
			struct cluster_job cj;
			struct parked pk;
			pthread_t th;
			int threaded, irc, prc;

			memset(&cj, 0, sizeof cj);
			cj.c = &c;
			cj.cc = &cc;
			cj.group = group;
			cj.T = &T;
			ws_progress(ws, "ads: cluster", 0, 2);
			threaded = pthread_create(&th, NULL, cluster_main, &cj) == 0;
			park(S, &pk);
			irc = index_beside(S);
			if (threaded)
				pthread_join(th, NULL);
			else
				cluster_main(&cj);
			prc = unpark(S, &pk);
			if (cj.rc)
				rc = err_copy(&ws->err, &cj.e);
			else
				rc = irc ? irc : prc;
			ws_progress(ws, "ads: cluster", 2, 2);
		}
	}
	t2 = now_s();
	c2 = cpu_s();
	st->seconds_cluster = t2 - t1;
	st->cpu_cluster = c2 - c1;
	/* the words were the cluster step's (templates are rendered from the
	 * seed ads again): 300 MB at five million ads, not kept for the write */
	vec_release(&S->tok);
	mem_free(S->tok_off);
	S->tok_off = NULL;
	if (!rc)
		rc = preload_entities(S, "ad_cluster");
	if (!rc)
		rc = ads_write_results(S, &T);
	st->seconds_write = now_s() - t2;
	st->cpu_write = cpu_s() - c2;
	ads_templates_release(&T);
	mem_free(group);
	if (S->cache_set) {
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)S->cache_before);
		sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
		snprintf(sql, sizeof sql, "PRAGMA threads = %lld", (long long)S->threads_before);
		sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
	}
	stage_release(S);
	mem_free(S);
	return rc;
}
