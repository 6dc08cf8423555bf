/*
 * results: the second half of the ads stage — templates rendered and
 * named, clusters formed from templates and shared identifiers, cluster
 * and phone signals with evidence and explanations, and each ad's result.
 *
 * Clusters: ads of one template are one cluster; ads that list the same
 * phone, email, handle or image hash are joined too, unless the identifier
 * is in more ads than `ads.cluster.link_max_ads` (a generic or misused
 * number would otherwise chain unrelated ads: the edge filtering of
 * Freeman et al., ads.md §3).  A cluster's id is "C" and 16 hex digits of
 * a hash of its earliest ad's "site:id", so it stays the same across runs
 * and when later ads join it.  A template's id is "T" and a hash of its
 * text.
 *
 * Signals (docs/detectors/AD.*.md; thresholds and weights in
 * [ads.signals]): per cluster, distinct phones, names, cities and sites,
 * cities within a week (movement), ads within a day (velocity), and the
 * mean indicator score; per phone, cities and names across its ads.  Each
 * score is weight * min(value / threshold, cap); evidence is the ads.
 */
#include "ads/stage_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/mem.h"
#include "core/parse.h"

/* ---- templates ---- */

struct rtmpl {
	char id[20];
	char *text;
	uint32_t nslots, nads;
	double bits_raw, bits_tmpl;
};

/* A template's seed ad as read, and its rendered text. */
struct rsrc {
	const char *col[5];        /* title, body, url, site, country */
	size_t len[5];
	const char *text;          /* rendered */
	size_t tlen;
};

/* Re-analyses the seed ad (src) to get its words and renders template t. */
static int render(struct stage *S, struct ads_analyzer *an, const struct ads_templates *T, size_t t,
		  const struct rsrc *src, struct sbuf *out)
{
	const struct ads_tmpl *tp = vec_at(&T->t, t);
	const uint32_t *pos = (const uint32_t *)T->pos.data + tp->pos_off;
	const uint32_t *slots = (const uint32_t *)T->slots.data + tp->slot_off;
	struct ads_input in;
	struct ads_analysis res;
	uint32_t g, si = 0, slotno = 0;
	const char *region = ads_region_of(src->col[4], src->len[4], S->model.region);

	memset(&in, 0, sizeof in);
	in.title = src->col[0];
	in.ntitle = src->len[0];
	in.body = src->col[1];
	in.nbody = src->len[1];
	in.url = src->col[2];
	in.nurl = src->len[2];
	in.site = src->col[3];
	in.nsite = src->len[3];
	in.country = region;
	in.ncountry = strlen(region);
	if (ads_analyze(an, &in, region, &res))
		return -1;
	sbuf_clear(out);
	for (g = 0; g <= tp->npos; g++) {
		if (si < tp->nslots && slots[si] == g) {
			sbuf_addf(out, "%s{%u}", out->len ? " " : "", ++slotno);
			si++;
		}
		if (g < tp->npos && pos[g] < ads_analyzer_nwords(an)) {
			size_t wl;
			const char *w = ads_analyzer_word(an, pos[g], &wl);

			if (out->len)
				sbuf_addc(out, ' ');
			sbuf_add(out, w, wl);
		}
	}
	return sbuf_failed(out) ? -1 : 0;
}

/*
 * Every template rendered, on the stage's threads (each with its own
 * analyser; the seed ads are read first, SQLite being serial): at a million
 * ads 28,000 templates, each a re-analysed ad, were a serial second of the
 * write.  The texts are the same whichever thread renders them.
 */
struct render_job {
	struct stage *S;
	struct ads_analyzer *an;
	const struct ads_templates *T;
	struct rsrc *src;
	size_t lo, hi;
	struct arena *mem;
	int failed;
};

static void *render_range(void *arg)
{
	struct render_job *j = arg;
	struct sbuf b = SBUF_INIT;
	size_t t;

	sbuf_init(&b);
	for (t = j->lo; t < j->hi && !j->failed; t++) {
		if (render(j->S, j->an, j->T, t, &j->src[t], &b)) {
			j->failed = 1;
			break;
		}
		j->src[t].text = arena_strndup(j->mem, b.buf, b.len);
		j->src[t].tlen = b.len;
		if (!j->src[t].text)
			j->failed = 1;
	}
	sbuf_release(&b);
	return NULL;
}

static int render_all(struct stage *S, const struct ads_templates *T, struct rsrc *src, struct arena *mem)
{
	struct render_job job[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	int started[MAX_THREADS];
	size_t nt = T->t.len, t, i, nth = S->nthreads, per;
	sqlite3_stmt *st;
	int rc = 0;

	if (ws_prepare(S->ws, "SELECT title, body, url, site, country FROM ad WHERE id = ?1", &st))
		return S->ws->err.code;
	for (t = 0; t < nt && !rc; t++) {
		const struct ads_tmpl *tp = vec_at(&T->t, t);

		sqlite3_bind_int64(st, 1, S->meta[tp->seed].record);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = ws_sqlerr(S->ws, "reading a template's ad");
			break;
		}
		for (i = 0; i < 5; i++) {
			const char *v = (const char *)sqlite3_column_text(st, (int)i);

			src[t].len[i] = v ? (size_t)sqlite3_column_bytes(st, (int)i) : 0;
			src[t].col[i] = arena_strndup(&mem[0], v ? v : "", src[t].len[i]);
			if (!src[t].col[i])
				rc = ws_error(S->ws, RASTRO_NOMEM, "out of memory rendering templates");
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (nth < 1)
		nth = 1;
	per = (nt + nth - 1) / nth;
	for (i = 0; i < nth; i++) {
		job[i].S = S;
		job[i].an = S->w[i].an;
		job[i].T = T;
		job[i].src = src;
		job[i].lo = i * per < nt ? i * per : nt;
		job[i].hi = (i + 1) * per < nt ? (i + 1) * per : nt;
		job[i].mem = &mem[i + 1];
		job[i].failed = 0;
		started[i] = i > 0 && job[i].lo < job[i].hi && pthread_create(&th[i], NULL, render_range, &job[i]) == 0;
	}
	for (i = 0; i < nth; i++)
		if (!started[i])
			render_range(&job[i]);
	for (i = 0; i < nth; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		if (job[i].failed)
			rc = ws_error(S->ws, RASTRO_NOMEM, "out of memory rendering templates");
	}
	return rc;
}

static void hex_id(char *out, size_t n, char prefix, uint64_t hash)
{
	snprintf(out, n, "%c%016llx", prefix, (unsigned long long)hash);
}

/* ---- clusters ---- */

static uint32_t find(uint32_t *p, uint32_t x)
{
	uint32_t r = x;

	while (p[r] != r)
		r = p[r];
	while (p[x] != r) {
		uint32_t nx = p[x];

		p[x] = r;
		x = nx;
	}
	return r;
}

static void unite(uint32_t *p, uint32_t a, uint32_t b)
{
	a = find(p, a);
	b = find(p, b);
	if (a < b)
		p[b] = a;
	else if (b < a)
		p[a] = b;
}

static double sig_agreement(const uint32_t *x, const uint32_t *y)
{
	int i, same = 0;

	for (i = 0; i < ADS_K; i++)
		same += x[i] == y[i];
	return (double)same / ADS_K;
}

static int by_entity(const void *x, const void *y)
{
	const struct link *a = x, *b = y;

	if (a->entity != b->entity)
		return a->entity < b->entity ? -1 : 1;
	return a->ad < b->ad ? -1 : a->ad > b->ad;
}

/*
 * The links by entity, each entity's links in the order they were
 * appended (ad order): the order by_entity gives, since no ad lists one
 * entity twice.  Entity ids are the workspace's row ids, so they span a
 * range not much wider than the run's links, and one counting pass puts
 * every link in place: the comparison sort was 0.6-0.7 of the write's
 * CPU-seconds at a million ads (4.6 M links).  Ids spread far wider than
 * the links (a workspace with many deleted entities) are sorted by
 * comparison.
 */
int ads_sort_links(const struct link *in, size_t n, struct link *out)
{
	int64_t lo, hi;
	uint64_t range;
	uint32_t *at;
	size_t i;

	if (!n)
		return 0;
	lo = hi = in[0].entity;
	for (i = 1; i < n; i++) {
		if (in[i].entity < lo)
			lo = in[i].entity;
		if (in[i].entity > hi)
			hi = in[i].entity;
	}
	range = (uint64_t)hi - (uint64_t)lo + 1;
	if (n >= UINT32_MAX || range > 4 * (uint64_t)n + 65536) {
		memcpy(out, in, n * sizeof *out);
		qsort(out, n, sizeof *out, by_entity);
		return 0;
	}
	at = mem_calloc((size_t)range + 1, sizeof *at);
	if (!at)
		return -1;
	for (i = 0; i < n; i++)
		at[(uint64_t)in[i].entity - (uint64_t)lo + 1]++;
	for (i = 1; i <= range; i++)
		at[i] += at[i - 1];
	for (i = 0; i < n; i++)
		out[at[(uint64_t)in[i].entity - (uint64_t)lo]++] = in[i];
	mem_free(at);
	return 0;
}

/* Ads in time order (then record order). */
static int by_time(const void *x, const void *y, void *arg)
{
	const struct meta *m = arg;
	const struct meta *a = &m[*(const uint32_t *)x], *b = &m[*(const uint32_t *)y];

	if (a->posted != b->posted)
		return a->posted < b->posted ? -1 : 1;
	return a->record < b->record ? -1 : a->record > b->record;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Number of distinct values in v[0..n) (sorts v). */
static size_t distinct(uint64_t *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof *v, cmp_u64);
	for (i = 0; i < n; i++)
		d += !i || v[i] != v[i - 1];
	return d;
}

/* ---- signals ---- */

struct sigctx {
	struct stage *S;
	sqlite3_stmt *ins_sig, *ins_ev;
	size_t max_evidence;
	double cap;
	struct sbuf expl, det;
	uint64_t written, skipped;
};

static double sig_score(double weight, double value, double threshold, double cap)
{
	double r = threshold > 0 ? value / threshold : value;

	return weight * (r < cap ? r : cap);
}

/* Writes a signal on `ent` with the ads as evidence (time order). */
static int put_signal(struct sigctx *sc, const char *code, int64_t ent, double score, const uint32_t *ads, size_t n)
{
	struct stage *S = sc->S;
	int64_t sid;
	uint64_t flagged;
	size_t i;
	int rc;

	if (u64map_get(&S->victims, (uint64_t)ent, &flagged)) {
		sc->skipped++;   /* never scored as a suspect: docs/architecture.md */
		return 0;
	}
	if (sbuf_failed(&sc->expl) || sbuf_failed(&sc->det))
		return ws_error(S->ws, RASTRO_NOMEM, "out of memory");
	sqlite3_bind_text(sc->ins_sig, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(sc->ins_sig, 2, ent);
	sqlite3_bind_double(sc->ins_sig, 3, score);
	sqlite3_bind_text(sc->ins_sig, 4, sc->expl.buf, (int)sc->expl.len, SQLITE_STATIC);
	sqlite3_bind_text(sc->ins_sig, 5, sc->det.buf, (int)sc->det.len, SQLITE_STATIC);
	rc = sqlite3_step(sc->ins_sig);
	sqlite3_reset(sc->ins_sig);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(S->ws, "writing a signal");
	sid = sqlite3_last_insert_rowid(S->ws->db);
	for (i = 0; i < n && i < sc->max_evidence; i++) {
		sqlite3_bind_int64(sc->ins_ev, 1, sid);
		sqlite3_bind_int64(sc->ins_ev, 2, S->meta[ads[i]].record);
		rc = sqlite3_step(sc->ins_ev);
		sqlite3_reset(sc->ins_ev);
		if (rc != SQLITE_DONE)
			return ws_sqlerr(S->ws, "writing signal evidence");
	}
	sc->written++;
	return 0;
}

static void add_date(struct sbuf *b, int64_t t)
{
	char d[16];

	format_date(t, d);
	sbuf_adds(b, d);
}

/* "El Paso, TX; Denver, CO; ..." of up to five distinct city ids. */
static void list_labels(struct sbuf *b, const struct vec *labels, const uint64_t *ids, size_t n, size_t nd)
{
	size_t i, shown = 0;

	for (i = 0; i < n && shown < 5; i++) {
		if (!ids[i] || (i && ids[i] == ids[i - 1]))
			continue;
		sbuf_addf(b, "%s%s", shown ? "; " : "", *(const char *const *)vec_at(labels, ids[i] - 1));
		shown++;
	}
	if (nd > shown)
		sbuf_addf(b, "; and %zu more", nd - shown);
}

static void list_interned(struct sbuf *b, const struct strmap *m, const uint64_t *ids, size_t n, size_t nd)
{
	size_t i, shown = 0;

	for (i = 0; i < n && shown < 5; i++) {
		size_t len;
		const char *s;

		if (!ids[i] || (i && ids[i] == ids[i - 1]))
			continue;
		s = strmap_key(m, (uint32_t)ids[i], &len);
		sbuf_addf(b, "%s%.*s", shown ? ", " : "", (int)len, s);
		shown++;
	}
	if (nd > shown)
		sbuf_addf(b, ", and %zu more", nd - shown);
}

static void details(struct sbuf *d, const char *cluster, size_t nads, double value, double threshold, double weight)
{
	sbuf_clear(d);
	sbuf_adds(d, "{");
	if (cluster)
		sbuf_addf(d, "\"cluster\":\"%s\",", cluster);
	sbuf_addf(d, "\"ads\":%zu,\"value\":%g,\"threshold\":%g,\"weight\":%g}", nads, value, threshold, weight);
}

/* Most ads within `span` seconds, and where that window starts. */
static size_t max_window_count(const struct meta *meta, const uint32_t *ads, size_t n, int64_t span, size_t *at)
{
	size_t lo = 0, hi, best = 0;

	*at = 0;
	for (hi = 0; hi < n; hi++) {
		while (meta[ads[hi]].posted - meta[ads[lo]].posted > span)
			lo++;
		if (hi - lo + 1 > best) {
			best = hi - lo + 1;
			*at = lo;
		}
	}
	return best;
}

/* Most distinct cities within `span` seconds (window start and end);
 * SIZE_MAX when memory ran out (0 would read as "no cities"). */
static size_t max_window_cities(const struct meta *meta, const uint32_t *ads, size_t n, int64_t span,
				struct u64map *cnt, size_t *from, size_t *to)
{
	size_t lo = 0, hi, best = 0, cur = 0;

	*from = *to = 0;
	for (hi = 0; hi < n; hi++) {
		uint32_t c = meta[ads[hi]].city;
		uint64_t *v;

		if (c) {
			v = u64map_ref(cnt, c, NULL);
			if (!v)
				return SIZE_MAX;
			if ((*v)++ == 0)
				cur++;
		}
		while (meta[ads[hi]].posted - meta[ads[lo]].posted > span) {
			uint32_t cl = meta[ads[lo]].city;

			if (cl) {
				v = u64map_ref(cnt, cl, NULL);
				if (v && --(*v) == 0)
					cur--;
			}
			lo++;
		}
		if (cur > best) {
			best = cur;
			*from = lo;
			*to = hi + 1;
		}
	}
	return best;
}

struct cfig {                    /* a cluster's figures */
	size_t ads, templates, phones, emails, handles, images, names, cities, sites;
	int64_t first, last;
	double mean_score;
};

/* The signal settings, read once per run: looked up per cluster they were
 * 2 % of the stage at 20,000 ads (each lookup is a search of the settings). */
enum {
	SG_PHONES_MIN, SG_PHONES_W, SG_NAMES_MIN, SG_NAMES_W, SG_CITIES_MIN, SG_CITIES_W, SG_SITES_MIN, SG_SITES_W,
	SG_MOVE_DAYS, SG_MOVE_CITIES, SG_MOVE_W, SG_VEL_HOURS, SG_VEL_ADS, SG_VEL_W, SG_IND_MIN, SG_IND_W,
	SG_PCITIES_MIN, SG_PCITIES_W, SG_PNAMES_MIN, SG_PNAMES_W, SG_N
};

static const struct {
	const char *key;
	double def;
} sig_settings[SG_N] = {
	{ "ads.signals.phones_min", 3 }, { "ads.signals.phones_weight", 1.0 },
	{ "ads.signals.names_min", 4 }, { "ads.signals.names_weight", 1.0 },
	{ "ads.signals.cities_min", 3 }, { "ads.signals.cities_weight", 1.0 },
	{ "ads.signals.sites_min", 2 }, { "ads.signals.sites_weight", 0.5 },
	{ "ads.signals.movement_days", 7 }, { "ads.signals.movement_cities", 3 }, { "ads.signals.movement_weight", 1.5 },
	{ "ads.signals.velocity_hours", 24 }, { "ads.signals.velocity_ads", 10 }, { "ads.signals.velocity_weight", 1.0 },
	{ "ads.signals.indicators_min", 1.5 }, { "ads.signals.indicators_weight", 1.0 },
	{ "ads.signals.phone_cities_min", 3 }, { "ads.signals.phone_cities_weight", 2.0 },
	{ "ads.signals.phone_names_min", 3 }, { "ads.signals.phone_names_weight", 1.5 },
};

int ads_write_results(struct stage *S, const struct ads_templates *T)
{
	rastro_ws *ws = S->ws;
	const struct cfg *cfg = ws->cfg;
	size_t n = S->n, i, nt = T->t.len, nr = 0, ncl = 0;
	struct rtmpl *rt = NULL;
	uint32_t *tmap = NULL, *parent = NULL, *croot = NULL, *cstart = NULL, *members = NULL, *cfill = NULL;
	uint64_t *link_off = NULL, *name_off = NULL, *scratch = NULL, *scratch2 = NULL;
	char (*cid)[20] = NULL;
	struct link *sorted = NULL;
	struct strmap tids;
	struct sbuf buf = SBUF_INIT;
	struct sigctx sc;
	struct u64map cnt;
	sqlite3_stmt *ins = NULL, *phone_key = NULL;
	size_t link_max = (size_t)cfg_int(cfg, "ads.cluster.link_max_ads", 1000);
	size_t link_pairs = (size_t)cfg_int(cfg, "ads.cluster.link_max_pairs", 50000), pairs_left;
	int cut;
	size_t min_size = (size_t)cfg_int(cfg, "ads.cluster.min_size", 2);
	double link_sim = cfg_double(cfg, "ads.cluster.link_min_jaccard", 0.3);
	double sg[SG_N];
	struct rsrc *rsrc = NULL;
	struct arena rmem[MAX_THREADS + 1];
	int rc = 0;

	for (i = 0; i <= MAX_THREADS; i++)
		arena_init(&rmem[i], 1u << 20);
	strmap_init(&tids);
	sbuf_init(&buf);
	u64map_init(&cnt);
	memset(&sc, 0, sizeof sc);
	sbuf_init(&sc.expl);
	sbuf_init(&sc.det);
	sc.S = S;
	sc.max_evidence = (size_t)cfg_int(cfg, "ads.signals.max_evidence", 1000);
	sc.cap = cfg_double(cfg, "ads.signals.score_cap", 3.0);
	for (i = 0; i < SG_N; i++)
		sg[i] = cfg_double(cfg, sig_settings[i].key, sig_settings[i].def);
	if (min_size < 2)
		min_size = 2;

	/* 1. templates: render, name, merge equal texts */
	tmap = mem_alloc((nt ? nt : 1) * sizeof *tmap);
	rt = mem_calloc(nt ? nt : 1, sizeof *rt);
	if (!tmap || !rt) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	rsrc = mem_calloc(nt ? nt : 1, sizeof *rsrc);
	if (!rsrc) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	rc = render_all(S, T, rsrc, rmem);
	for (i = 0; i < nt && !rc; i++) {
		const struct ads_tmpl *tp = vec_at(&T->t, i);
		char id[20];
		uint32_t k;
		int is_new;

		sbuf_clear(&buf);
		sbuf_add(&buf, rsrc[i].text, rsrc[i].tlen);
		if (sbuf_failed(&buf)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			break;
		}
		hex_id(id, sizeof id, 'T', XXH3_64bits(buf.buf, buf.len));
		k = strmap_intern(&tids, id, strlen(id), &is_new);
		if (!k) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			break;
		}
		if (is_new) {
			memcpy(rt[nr].id, id, sizeof id);
			rt[nr].text = mem_strndup(buf.buf, buf.len);
			rt[nr].nslots = tp->nslots;
			if (!rt[nr].text) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
				break;
			}
			nr++;
		}
		tmap[i] = k - 1;
		rt[k - 1].nads += tp->nads;
		rt[k - 1].bits_raw += tp->bits_raw;
		rt[k - 1].bits_tmpl += tp->bits_tmpl;
	}
	if (rc)
		goto out;
	for (i = 0; i < n; i++)
		S->meta[i].tmpl = T->of[i] == UINT32_MAX ? UINT32_MAX : tmap[T->of[i]];
	S->st->templates = nr;

	/* 2. clusters: templates, then shared identifiers */
	parent = mem_alloc((n ? n : 1) * sizeof *parent);
	croot = mem_alloc((nr ? nr : 1) * sizeof *croot);
	sorted = mem_alloc((S->links.len ? S->links.len : 1) * sizeof *sorted);
	if (!parent || !croot || !sorted) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		parent[i] = (uint32_t)i;
	for (i = 0; i < n; i++)
		S->st->templated_ads += S->meta[i].tmpl != UINT32_MAX;
	if (ads_sort_links(S->links.data, S->links.len, sorted)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	/* Two ads that list the same phone, email, handle or image are one
	 * author's when they also read alike: same template, or MinHash
	 * signatures agreeing on link_min_jaccard of their values (an ad without
	 * words cannot disagree).  A shared identifier between unlike ads, or one
	 * in more than link_max_ads ads, does not link. */
	for (i = 0; i < S->links.len;) {
		size_t j = i + 1, k, q;

		while (j < S->links.len && sorted[j].entity == sorted[i].entity)
			j++;
		if (j - i > link_max) {
			S->st->hub_identifiers++;
			i = j;
			continue;
		}
		pairs_left = link_pairs;
		cut = 0;
		/* the same template, and an ad without words, link without
		 * comparing: both are linear */
		for (k = i; k < j; k++) {
			uint32_t a = sorted[k].ad, t = S->meta[a].tmpl;

			if (!S->has_sig[a]) {
				for (q = i; q < j; q++)
					unite(parent, a, sorted[q].ad);
				break;
			}
			if (t == UINT32_MAX)
				continue;
			for (q = k + 1; q < j; q++)
				if (S->meta[sorted[q].ad].tmpl == t) {
					unite(parent, a, sorted[q].ad);
					break;   /* q carries the chain on */
				}
		}
		/* like wording between ads still apart: at most link_max_pairs
		 * comparisons (0 = no bound), in the order of the ads */
		for (k = i; k < j && !cut; k++)
			for (q = k + 1; q < j; q++) {
				uint32_t a = sorted[k].ad, b = sorted[q].ad;

				if (find(parent, a) == find(parent, b))
					continue;
				if (link_pairs && pairs_left == 0) {
					cut = 1;
					S->st->links_cut++;
					break;
				}
				pairs_left--;
				if (sig_agreement(S->sig + (size_t)a * ADS_K, S->sig + (size_t)b * ADS_K) >= link_sim)
					unite(parent, a, b);
			}
		i = j;
	}
	/* Nothing after the links reads the signatures: at five million ads
	 * their 1.3 GB would otherwise sit beside this phase's arrays. */
	mem_free(S->sig);
	S->sig = NULL;
	mem_free(S->has_sig);
	S->has_sig = NULL;
	/* An ad whose identifiers link it to no other ad (none, or used once)
	 * carries no evidence of its author but its wording: it joins its
	 * template's cluster when the template's ads that do share identifiers
	 * form one cluster, and the ads of a template where none does form one
	 * cluster together.  A template written by several linked authors
	 * (several clusters) leaves such ads alone. */
	{
		uint32_t *owner = croot;   /* per template: root of its linked ads; UINT32_MAX none, -2 several */
		uint32_t *csize = mem_calloc(n ? n : 1, sizeof *csize);

		if (!csize) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			csize[find(parent, (uint32_t)i)]++;
		for (i = 0; i < nr; i++)
			owner[i] = UINT32_MAX;
		for (i = 0; i < n; i++) {
			uint32_t t = S->meta[i].tmpl, r = find(parent, (uint32_t)i);

			if (t == UINT32_MAX || csize[r] < 2)
				continue;
			if (owner[t] == UINT32_MAX)
				owner[t] = r;
			else if (owner[t] != r)
				owner[t] = UINT32_MAX - 1;
		}
		for (i = 0; i < n; i++) {
			uint32_t t = S->meta[i].tmpl;

			if (t == UINT32_MAX || csize[find(parent, (uint32_t)i)] >= 2 || owner[t] == UINT32_MAX - 1)
				continue;
			if (owner[t] != UINT32_MAX)
				unite(parent, owner[t], (uint32_t)i);
			owner[t] = find(parent, (uint32_t)i);
		}
		mem_free(csize);
	}
	/* cluster index per root, in order of first ad */
	cstart = mem_calloc(n + 2, sizeof *cstart);
	members = mem_alloc((n ? n : 1) * sizeof *members);
	if (!cstart || !members) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t r = find(parent, (uint32_t)i);

		if (r == i)
			S->meta[i].cluster = (uint32_t)ncl++;
	}
	for (i = 0; i < n; i++)
		S->meta[i].cluster = S->meta[find(parent, (uint32_t)i)].cluster;
	mem_free(cstart);
	cstart = mem_calloc(ncl + 1, sizeof *cstart);
	cfill = mem_calloc(ncl + 1, sizeof *cfill);
	cid = mem_alloc((ncl ? ncl : 1) * sizeof *cid);
	if (!cstart || !cfill || !cid) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		cstart[S->meta[i].cluster + 1]++;
	for (i = 0; i < ncl; i++)
		cstart[i + 1] += cstart[i];
	for (i = 0; i < n; i++) {
		uint32_t c = S->meta[i].cluster;

		members[cstart[c] + cfill[c]++] = (uint32_t)i;
	}
	for (i = 0; i < ncl; i++) {
		uint32_t *mem = members + cstart[i];
		size_t cn = cstart[i + 1] - cstart[i];
		const struct meta *first;

		qsort_r(mem, cn, sizeof *mem, by_time, S->meta);
		first = &S->meta[mem[0]];
		hex_id(cid[i], sizeof cid[i], 'C', first->key_hash);
	}
	S->st->clusters = ncl;

	/* per-ad offsets of links and names (both were appended in ad order) */
	link_off = mem_calloc(n + 1, sizeof *link_off);
	name_off = mem_calloc(n + 1, sizeof *name_off);
	scratch = mem_alloc((S->links.len + S->names.len + 2 * n + 1) * sizeof *scratch);
	scratch2 = mem_alloc((n + 1) * sizeof *scratch2);
	if (!link_off || !name_off || !scratch || !scratch2) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < S->links.len; i++)
		link_off[((struct link *)S->links.data)[i].ad + 1]++;
	for (i = 0; i < S->names.len; i++)
		name_off[((struct named *)S->names.data)[i].ad + 1]++;
	for (i = 0; i < n; i++) {
		link_off[i + 1] += link_off[i];
		name_off[i + 1] += name_off[i];
	}

	/* 3. clusters of two or more ads: entity, edges, figures, signals */
	if (ws_prepare(ws, "INSERT INTO signal(code, entity_id, score, explanation, details, stage, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, 'ads', ?6)", &sc.ins_sig) ||
	    ws_prepare(ws, "INSERT OR IGNORE INTO signal_evidence(signal_id, record_id, role) VALUES(?1, ?2, 'ad')",
		       &sc.ins_ev) ||
	    ws_prepare(ws, "INSERT INTO ad_cluster(id, entity_id, ads, templates, phones, emails, handles, images, names,"
			   " cities, sites, first_posted, last_posted, score, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)", &ins)) {
		rc = ws->err.code;
		goto out;
	}
	if (ws->run_id) {
		sqlite3_bind_int64(sc.ins_sig, 6, ws->run_id);
		sqlite3_bind_int64(ins, 15, ws->run_id);
	}
	for (i = 0; i < ncl && !rc; i++) {
		const uint32_t *mem = members + cstart[i];
		size_t cn = cstart[i + 1] - cstart[i], k, m, nv;
		struct cfig fg;
		int64_t ent;
		double score = 0, w, th;
		const char *c = cid[i];
		uint64_t counts[64];
		int b;

		if (cn < min_size)
			continue;
		S->st->multi_clusters++;
		memset(&fg, 0, sizeof fg);
		memset(counts, 0, sizeof counts);
		fg.ads = cn;
		fg.first = S->meta[mem[0]].posted;
		fg.last = S->meta[mem[cn - 1]].posted;
		/* identifiers by kind */
		{
			int kind;
			size_t *dst[] = { &fg.phones, &fg.emails, &fg.handles, &fg.images };
			static const int kinds[] = { AK_PHONE, AK_EMAIL, AK_HANDLE, AK_IMAGE };

			for (kind = 0; kind < 4; kind++) {
				nv = 0;
				for (k = 0; k < cn; k++)
					for (m = link_off[mem[k]]; m < link_off[mem[k] + 1]; m++) {
						const struct link *l = (const struct link *)S->links.data + m;

						if (l->kind == kinds[kind])
							scratch[nv++] = (uint64_t)l->entity;
					}
				*dst[kind] = distinct(scratch, nv);
			}
		}
		nv = 0;
		for (k = 0; k < cn; k++)
			for (m = name_off[mem[k]]; m < name_off[mem[k] + 1]; m++)
				scratch[nv++] = ((const struct named *)S->names.data)[m].name;
		fg.names = distinct(scratch, nv);
		{
			size_t nn = nv;

			for (k = 0; k < cn; k++)
				scratch2[k] = S->meta[mem[k]].city;
			nv = distinct(scratch2, cn);
			fg.cities = nv - (scratch2[0] == 0 ? 1 : 0);
			for (k = 0; k < cn; k++)
				scratch[nn + k] = S->meta[mem[k]].site;
			fg.sites = distinct(scratch + nn, cn);
			for (k = 0; k < cn; k++)
				scratch[nn + cn + k] = S->meta[mem[k]].tmpl == UINT32_MAX ? UINT64_MAX : S->meta[mem[k]].tmpl;
			fg.templates = distinct(scratch + nn + cn, cn);
			if (scratch[nn + cn + cn - 1] == UINT64_MAX)
				fg.templates--;
		}
		for (k = 0; k < cn; k++) {
			fg.mean_score += S->meta[mem[k]].score;
			for (b = 0; b < S->nbits && b < 64; b++)
				counts[b] += (S->meta[mem[k]].codes >> b) & 1;
		}
		fg.mean_score /= (double)cn;
		/* the cluster entity and its members */
		sbuf_clear(&buf);
		sbuf_addf(&buf, "%zu ads", cn);
		ent = ads_entity(S, "ad_cluster", c, strlen(c), buf.buf, buf.len, S->meta[mem[0]].record);
		if (!ent) {
			rc = ws->err.code;
			break;
		}
		for (k = 0; k < cn && !rc; k++)
			rc = ads_edge(S, S->meta[mem[k]].entity, ent, "in_cluster", S->meta[mem[k]].posted,
				      S->meta[mem[k]].record);
		if (rc)
			break;
#define RULE(code, i_min, i_w, value, ...)                                               \
	do {                                                                                                 \
		th = sg[i_min];                                                                              \
		w = sg[i_w];                                                                                 \
		if (!rc && (double)(value) >= th && w != 0) {                                                  \
			double s_ = sig_score(w, (double)(value), th, sc.cap);                                  \
			sbuf_clear(&sc.expl);                                                                   \
			__VA_ARGS__                                                                             \
			details(&sc.det, c, cn, (double)(value), th, w);                                       \
			rc = put_signal(&sc, code, ent, s_, mem, cn);                                           \
			score += s_;                                                                            \
		}                                                                                            \
	} while (0)
		RULE("AD.CLUSTER_PHONES", SG_PHONES_MIN, SG_PHONES_W, fg.phones, {
			sbuf_addf(&sc.expl, "Cluster %s: %zu ads with one template or shared identifiers list %zu distinct"
				  " phone numbers, posted ", c, cn, fg.phones);
			add_date(&sc.expl, fg.first);
			sbuf_adds(&sc.expl, " to ");
			add_date(&sc.expl, fg.last);
			sbuf_adds(&sc.expl, ".");
		});
		if (fg.names) {
			nv = 0;
			for (k = 0; k < cn; k++)
				for (m = name_off[mem[k]]; m < name_off[mem[k] + 1]; m++)
					scratch[nv++] = ((const struct named *)S->names.data)[m].name;
			qsort(scratch, nv, sizeof *scratch, cmp_u64);
		}
		RULE("AD.CLUSTER_NAMES", SG_NAMES_MIN, SG_NAMES_W, fg.names, {
			sbuf_addf(&sc.expl, "Cluster %s: %zu ads give %zu different names (", c, cn, fg.names);
			list_interned(&sc.expl, &S->namemap, scratch, nv, fg.names);
			sbuf_adds(&sc.expl, "): one advertiser for several people.");
		});
		for (k = 0; k < cn; k++)
			scratch2[k] = S->meta[mem[k]].city;
		qsort(scratch2, cn, sizeof *scratch2, cmp_u64);
		RULE("AD.CLUSTER_CITIES", SG_CITIES_MIN, SG_CITIES_W, fg.cities, {
			sbuf_addf(&sc.expl, "Cluster %s: %zu ads were posted in %zu cities (", c, cn, fg.cities);
			list_labels(&sc.expl, &S->city_label, scratch2, cn, fg.cities);
			sbuf_adds(&sc.expl, ") between ");
			add_date(&sc.expl, fg.first);
			sbuf_adds(&sc.expl, " and ");
			add_date(&sc.expl, fg.last);
			sbuf_adds(&sc.expl, ".");
		});
		for (k = 0; k < cn; k++)
			scratch2[k] = S->meta[mem[k]].site;
		qsort(scratch2, cn, sizeof *scratch2, cmp_u64);
		RULE("AD.CLUSTER_SITES", SG_SITES_MIN, SG_SITES_W, fg.sites, {
			sbuf_addf(&sc.expl, "Cluster %s: %zu ads were posted on %zu sites (", c, cn, fg.sites);
			list_interned(&sc.expl, &S->sites, scratch2, cn, fg.sites);
			sbuf_adds(&sc.expl, ").");
		});
		{
			double days = sg[SG_MOVE_DAYS];
			size_t from, to, mc;

			u64map_release(&cnt);
			u64map_init(&cnt);
			mc = max_window_cities(S->meta, mem, cn, (int64_t)(days * 86400), &cnt, &from, &to);
			if (mc == SIZE_MAX) {
				mc = 0;
				from = to = 0;
				if (!rc)
					rc = ws_error(S->ws, RASTRO_NOMEM, "out of memory");
			}
			for (k = from; k < to; k++)
				scratch2[k - from] = S->meta[mem[k]].city;
			qsort(scratch2, to - from, sizeof *scratch2, cmp_u64);
			th = sg[SG_MOVE_CITIES];
			w = sg[SG_MOVE_W];
			if (!rc && mc >= th && w != 0) {
				double s_ = sig_score(w, (double)mc, th, sc.cap);

				sbuf_clear(&sc.expl);
				sbuf_addf(&sc.expl, "Cluster %s moved through %zu cities within %g days (", c, mc, days);
				list_labels(&sc.expl, &S->city_label, scratch2, to - from, mc);
				sbuf_adds(&sc.expl, "), from ");
				add_date(&sc.expl, S->meta[mem[from]].posted);
				sbuf_adds(&sc.expl, " to ");
				add_date(&sc.expl, S->meta[mem[to - 1]].posted);
				sbuf_adds(&sc.expl, ".");
				details(&sc.det, c, to - from, (double)mc, th, w);
				rc = put_signal(&sc, "AD.CLUSTER_MOVEMENT", ent, s_, mem + from, to - from);
				score += s_;
			}
		}
		{
			double hours = sg[SG_VEL_HOURS];
			size_t at, mc = max_window_count(S->meta, mem, cn, (int64_t)(hours * 3600), &at);

			th = sg[SG_VEL_ADS];
			w = sg[SG_VEL_W];
			if (!rc && mc >= th && w != 0) {
				double s_ = sig_score(w, (double)mc, th, sc.cap);

				sbuf_clear(&sc.expl);
				sbuf_addf(&sc.expl, "Cluster %s: %zu ads were posted within %g hours, starting ", c, mc, hours);
				add_date(&sc.expl, S->meta[mem[at]].posted);
				sbuf_adds(&sc.expl, ".");
				details(&sc.det, c, mc, (double)mc, th, w);
				rc = put_signal(&sc, "AD.CLUSTER_VELOCITY", ent, s_, mem + at, mc);
				score += s_;
			}
		}
		RULE("AD.CLUSTER_INDICATORS", SG_IND_MIN, SG_IND_W, fg.mean_score, {
			int shown = 0, pass;

			sbuf_addf(&sc.expl, "Cluster %s: the mean indicator score of its %zu ads is %.2f; most frequent: ",
				  c, cn, fg.mean_score);
			/* up to four codes, most frequent first */
			for (pass = 0; pass < 4; pass++) {
				int best = -1;

				for (b = 0; b < S->nbits && b < 64; b++)
					if (counts[b] && (best < 0 || counts[b] > counts[best]))
						best = b;
				if (best < 0)
					break;
				sbuf_addf(&sc.expl, "%s%s in %llu", shown++ ? ", " : "", S->bit_code[best],
					  (unsigned long long)counts[best]);
				counts[best] = 0;
			}
			sbuf_adds(&sc.expl, ".");
		});
#undef RULE
		if (rc)
			break;
		sqlite3_bind_text(ins, 1, c, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, ent);
		sqlite3_bind_int64(ins, 3, (int64_t)cn);
		sqlite3_bind_int64(ins, 4, (int64_t)fg.templates);
		sqlite3_bind_int64(ins, 5, (int64_t)fg.phones);
		sqlite3_bind_int64(ins, 6, (int64_t)fg.emails);
		sqlite3_bind_int64(ins, 7, (int64_t)fg.handles);
		sqlite3_bind_int64(ins, 8, (int64_t)fg.images);
		sqlite3_bind_int64(ins, 9, (int64_t)fg.names);
		sqlite3_bind_int64(ins, 10, (int64_t)fg.cities);
		sqlite3_bind_int64(ins, 11, (int64_t)fg.sites);
		sqlite3_bind_int64(ins, 12, fg.first);
		sqlite3_bind_int64(ins, 13, fg.last);
		sqlite3_bind_double(ins, 14, score);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = ws_sqlerr(ws, "writing clusters");
		sqlite3_reset(ins);
		if (!rc && ((i & 1023) == 0))
			ws_progress(ws, "ads: clusters", i, ncl);
	}
	if (rc)
		goto out;

	/* 4. phones: cities and names across their ads */
	if (ws_prepare(ws, "SELECT key FROM entity WHERE id = ?1", &phone_key)) {
		rc = ws->err.code;
		goto out;
	}
	for (i = 0; i < S->links.len && !rc;) {
		size_t j = i + 1, k, nc, nn = 0;
		uint32_t *ads = (uint32_t *)scratch2;   /* reused: n entries of 8 bytes hold n ads */

		while (j < S->links.len && sorted[j].entity == sorted[i].entity)
			j++;
		if (sorted[i].kind != AK_PHONE || j - i < 2) {
			i = j;
			continue;
		}
		for (k = i; k < j; k++)
			ads[k - i] = sorted[k].ad;
		qsort_r(ads, j - i, sizeof *ads, by_time, S->meta);
		for (k = 0; k < j - i; k++)
			scratch[k] = S->meta[ads[k]].city;
		nc = distinct(scratch, j - i);
		nc -= scratch[0] == 0;
		{
			int64_t ent = sorted[i].entity;
			double thc = sg[SG_PCITIES_MIN], wc = sg[SG_PCITIES_W];
			double thn = sg[SG_PNAMES_MIN], wn = sg[SG_PNAMES_W];
			size_t cn = j - i, q, nd;
			uint64_t *names = scratch + cn;

			for (k = 0; k < cn; k++)
				for (q = name_off[ads[k]]; q < name_off[ads[k] + 1]; q++)
					names[nn++] = ((const struct named *)S->names.data)[q].name;
			nd = distinct(names, nn);
			if (!(((double)nc >= thc && wc != 0) || ((double)nd >= thn && wn != 0))) {
				i = j;
				continue;
			}
			/* the phone's number for the sentence */
			sqlite3_bind_int64(phone_key, 1, ent);
			sbuf_clear(&buf);
			if (sqlite3_step(phone_key) == SQLITE_ROW)
				sbuf_add(&buf, sqlite3_column_text(phone_key, 0), (size_t)sqlite3_column_bytes(phone_key, 0));
			sqlite3_reset(phone_key);
			if ((double)nc >= thc && wc != 0) {
				double s_ = sig_score(wc, (double)nc, thc, sc.cap);

				sbuf_clear(&sc.expl);
				sbuf_addf(&sc.expl, "Phone %s is listed in %zu ads posted in %zu cities (", buf.buf, cn, nc);
				list_labels(&sc.expl, &S->city_label, scratch, cn, nc);
				sbuf_adds(&sc.expl, ") between ");
				add_date(&sc.expl, S->meta[ads[0]].posted);
				sbuf_adds(&sc.expl, " and ");
				add_date(&sc.expl, S->meta[ads[cn - 1]].posted);
				sbuf_adds(&sc.expl, ".");
				details(&sc.det, NULL, cn, (double)nc, thc, wc);
				rc = put_signal(&sc, "AD.SHARED_PHONE_MULTICITY", ent, s_, ads, cn);
			}
			if (!rc && (double)nd >= thn && wn != 0) {
				double s_ = sig_score(wn, (double)nd, thn, sc.cap);

				sbuf_clear(&sc.expl);
				sbuf_addf(&sc.expl, "Phone %s is listed in %zu ads that give %zu different names (", buf.buf, cn,
					  nd);
				list_interned(&sc.expl, &S->namemap, names, nn, nd);
				sbuf_adds(&sc.expl, ").");
				details(&sc.det, NULL, cn, (double)nd, thn, wn);
				rc = put_signal(&sc, "AD.PHONE_MANY_NAMES", ent, s_, ads, cn);
			}
		}
		i = j;
	}
	if (rc)
		goto out;
	S->st->signals = sc.written;
	S->st->signals_skipped_victim = sc.skipped;

	/* 5. templates and per-ad results */
	sqlite3_finalize(ins);
	ins = NULL;
	if (ws_prepare(ws, "INSERT INTO ad_template(id, text, slots, ads, bits_raw, bits_template, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &ins)) {
		rc = ws->err.code;
		goto out;
	}
	for (i = 0; i < nr && !rc; i++) {
		sqlite3_bind_text(ins, 1, rt[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, rt[i].text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, rt[i].nslots);
		sqlite3_bind_int64(ins, 4, rt[i].nads);
		sqlite3_bind_double(ins, 5, rt[i].bits_raw);
		sqlite3_bind_double(ins, 6, rt[i].bits_tmpl);
		if (ws->run_id)
			sqlite3_bind_int64(ins, 7, ws->run_id);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = ws_sqlerr(ws, "writing templates");
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if (rc || ws_prepare(ws, "INSERT INTO ad_result(ad_id, cluster_id, template_id, lang, score, run_id)"
				 " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &ins)) {
		rc = rc ? rc : ws->err.code;
		goto out;
	}
	if (ws->run_id)
		sqlite3_bind_int64(ins, 6, ws->run_id);
	for (i = 0; i < n && !rc; i++) {
		const struct meta *m = &S->meta[i];

		sqlite3_bind_int64(ins, 1, m->record);
		sqlite3_bind_text(ins, 2, cid[m->cluster], -1, SQLITE_STATIC);
		if (m->tmpl != UINT32_MAX)
			sqlite3_bind_text(ins, 3, rt[m->tmpl].id, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 3);
		if (m->lang != ADS_LANG_NONE)
			sqlite3_bind_text(ins, 4, m->lang == ADS_LANG_EN ? "en" : "es", -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 4);
		sqlite3_bind_double(ins, 5, m->score);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = ws_sqlerr(ws, "writing ad results");
		sqlite3_reset(ins);
	}
	/* The index builds sort in memory up to the page cache's size: small
	 * runs sort and merge in less CPU than one run the size of the stage's
	 * large cache (stage.c, index_beside; the connection's own cache is set
	 * back after the run). */
	if (!rc && S->cache_set) {
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", ADS_INDEX_CACHE_KIB);
		rc = ws_exec(ws, sql, "setting the cache size");
	}
	if (!rc)
		rc = ws_ensure_indexes(ws);
out:
	mem_free(rsrc);
	for (i = 0; i <= MAX_THREADS; i++)
		arena_release(&rmem[i]);
	sqlite3_finalize(ins);
	sqlite3_finalize(phone_key);
	sqlite3_finalize(sc.ins_sig);
	sqlite3_finalize(sc.ins_ev);
	for (i = 0; rt && i < nr; i++)
		mem_free(rt[i].text);
	mem_free(rt);
	mem_free(tmap);
	mem_free(parent);
	mem_free(croot);
	mem_free(sorted);
	mem_free(cstart);
	mem_free(cfill);
	mem_free(members);
	mem_free(cid);
	mem_free(link_off);
	mem_free(name_off);
	mem_free(scratch);
	mem_free(scratch2);
	strmap_release(&tids);
	sbuf_release(&buf);
	sbuf_release(&sc.expl);
	sbuf_release(&sc.det);
	u64map_release(&cnt);
	return rc;
}
