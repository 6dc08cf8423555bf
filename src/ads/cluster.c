/*
 * cluster: MinHash/LSH coarse groups and MDL templates (see cluster.h).
 */
#include "ads/cluster.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "rastro.h"

double ads_logstar(double x)
{
	if (x < 1)
		x = 1;
	return 2 * ceil(log2(x + 1)) + 1;
}

/* ---- union-find (the root of a set is its smallest member) ---- */

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
	uint32_t r = x;

	while (p[r] != r)
		r = p[r];
	while (p[x] != r) {
		uint32_t next = p[x];

		p[x] = r;
		x = next;
	}
	return r;
}

static void uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a < b)
		p[b] = a;
	else if (b < a)
		p[a] = b;
}

/* ---- coarse ---- */

struct bkey {
	uint64_t key;
	uint32_t ad;
	uint32_t pad;
};

/* LSD radix sort of band keys (16-bit digits), stable, so equal keys keep
 * ad order. */
static int radix_sort(struct bkey *a, size_t n)
{
	struct bkey *tmp = mem_alloc(n * sizeof *tmp);
	size_t *count;
	int pass;

	if (!tmp)
		return -1;
	count = mem_alloc(65536 * sizeof *count);
	if (!count) {
		mem_free(tmp);
		return -1;
	}
	for (pass = 0; pass < 4; pass++) {
		int shift = pass * 16;
		size_t i, sum = 0;

		memset(count, 0, 65536 * sizeof *count);
		for (i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xffff]++;
		for (i = 0; i < 65536; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(a[i].key >> shift) & 0xffff]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
	mem_free(count);
	mem_free(tmp);
	return 0;
}

static double agreement(const uint32_t *x, const uint32_t *y)
{
	int i, same = 0;

	for (i = 0; i < ADS_K; i++)
		same += x[i] == y[i];
	return (double)same / ADS_K;
}

int ads_coarse(const struct ads_corpus *c, const struct ads_ccfg *cfg, uint32_t *group, struct rs_err *err)
{
	struct bkey *keys;
	size_t i, m = 0;
	int b;

	if (cfg->bands < 1 || cfg->rows < 1 || cfg->bands * cfg->rows > ADS_K)
		return err_set(err, RASTRO_USAGE, "ads.cluster.bands * ads.cluster.rows must be at most %d", ADS_K);
	for (i = 0; i < c->n; i++)
		group[i] = (uint32_t)i;
	keys = mem_alloc((c->n ? c->n : 1) * sizeof *keys);
	if (!keys)
		return err_set(err, RASTRO_NOMEM, "out of memory grouping %zu ads", c->n);
	for (b = 0; b < cfg->bands; b++) {
		m = 0;
		for (i = 0; i < c->n; i++) {
			const uint32_t *s = c->sig + i * ADS_K + (size_t)b * (size_t)cfg->rows;
			uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(b + 1);
			int r;

			if (!c->has_sig[i])
				continue;
			for (r = 0; r < cfg->rows; r++) {
				h ^= s[r];
				h *= 0xff51afd7ed558ccdULL;
				h ^= h >> 33;
			}
			keys[m].key = h;
			keys[m].ad = (uint32_t)i;
			m++;
		}
		if (radix_sort(keys, m)) {
			mem_free(keys);
			return err_set(err, RASTRO_NOMEM, "out of memory grouping %zu ads", c->n);
		}
		for (i = 0; i < m;) {
			size_t j = i + 1;

			while (j < m && keys[j].key == keys[i].key) {
				const uint32_t *first = c->sig + (size_t)keys[i].ad * ADS_K;
				const uint32_t *prev = c->sig + (size_t)keys[j - 1].ad * ADS_K;
				const uint32_t *cur = c->sig + (size_t)keys[j].ad * ADS_K;

				if (agreement(first, cur) >= cfg->min_jaccard)
					uf_union(group, keys[i].ad, keys[j].ad);
				else if (j - 1 > i && agreement(prev, cur) >= cfg->min_jaccard)
					uf_union(group, keys[j - 1].ad, keys[j].ad);
				j++;
			}
			i = j;
		}
	}
	mem_free(keys);
	for (i = 0; i < c->n; i++)
		group[i] = uf_find(group, (uint32_t)i);
	return 0;
}

/* ---- fine: alignment ---- */

struct pair {
	uint16_t p, q;             /* seed word p matches doc word q */
};

struct scratch {
	int *v;                    /* Myers' V, indexed k + off */
	int *trace;                /* V after each d */
	size_t trace_cap;
	struct vec pairs;          /* struct pair, reversed then forward */
	struct vec docpairs;       /* struct pair for every aligned doc of the group */
	struct vec docinfo;        /* struct docinfo */
	uint32_t *support;
	double *gap_len, *gap_star, *gap_n;
	uint32_t *tindex;
	size_t cap_words;
};

struct docinfo {
	uint32_t ad;
	uint32_t ntok;
	uint64_t off;              /* into docpairs */
	uint32_t npairs;
	int aligned;
};

static void scratch_release(struct scratch *s)
{
	mem_free(s->v);
	mem_free(s->trace);
	vec_release(&s->pairs);
	vec_release(&s->docpairs);
	vec_release(&s->docinfo);
	mem_free(s->support);
	mem_free(s->gap_len);
	mem_free(s->gap_star);
	mem_free(s->gap_n);
	mem_free(s->tindex);
}

/*
 * Myers' greedy difference algorithm: the longest common subsequence of a
 * (seed) and b (doc) when at most dmax edits are needed.  Appends matched
 * pairs in order and returns 0, or 1 when more edits are needed, -1 on
 * memory failure.
 */
static int align(struct scratch *s, const uint16_t *a, int n, const uint16_t *b, int m, int dmax,
		 struct vec *out)
{
	int off = dmax + 1, width = 2 * dmax + 3, d, k, found = -1;
	size_t need = (size_t)(dmax + 1) * (size_t)width;
	int x, y;

	if (need > s->trace_cap) {
		int *t = mem_realloc(s->trace, need * sizeof *t);
		int *v = mem_realloc(s->v, (size_t)width * sizeof *v);

		if (t)
			s->trace = t;
		if (v)
			s->v = v;
		if (!t || !v)
			return -1;
		s->trace_cap = need;
	}
	s->v[off + 1] = 0;
	for (d = 0; d <= dmax && found < 0; d++) {
		memcpy(s->trace + (size_t)d * (size_t)width, s->v, (size_t)width * sizeof *s->v);
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && s->v[off + k - 1] < s->v[off + k + 1]))
				x = s->v[off + k + 1];
			else
				x = s->v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && a[x] == b[y]) {
				x++;
				y++;
			}
			s->v[off + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
	}
	if (found < 0)
		return 1;
	/* Walk back through the saved V arrays, collecting diagonal runs. */
	vec_clear(&s->pairs);
	x = n;
	y = m;
	for (d = found; d >= 0; d--) {
		const int *vp = s->trace + (size_t)d * (size_t)width;
		int px, py, mx, my;

		k = x - y;
		if (d == 0) {
			mx = 0;
			my = 0;
			px = py = 0;
		} else {
			int pk = (k == -d || (k != d && vp[off + k - 1] < vp[off + k + 1])) ? k + 1 : k - 1;

			px = vp[off + pk];
			py = px - pk;
			mx = pk == k + 1 ? px : px + 1;
			my = pk == k + 1 ? py + 1 : py;
		}
		while (x > mx && y > my) {
			struct pair pr;

			x--;
			y--;
			pr.p = (uint16_t)x;
			pr.q = (uint16_t)y;
			if (vec_push(&s->pairs, &pr))
				return -1;
		}
		x = px;
		y = py;
	}
	{
		struct pair *pp = s->pairs.data;
		size_t i, np = s->pairs.len;

		for (i = 0; i < np; i++)
			if (vec_push(out, &pp[np - 1 - i]))
				return -1;
	}
	return 0;
}

/* ---- fine: one group ---- */

struct gtmpl {
	uint32_t seed, nads, npos, nslots;
	uint32_t *pos;             /* owned */
	uint32_t *slots;           /* owned */
	double bits_raw, bits_tmpl;
};

struct gresult {
	struct gtmpl *t;
	size_t nt;
	uint32_t *of;              /* per member (group order): local template or UINT32_MAX */
	int failed;
};

struct group {
	uint32_t *members;         /* ascending ad indices; points into a shared array */
	uint32_t n;
};

static double raw_bits(uint32_t ntok, double w)
{
	return ads_logstar(ntok) + ntok * w;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Seed: the member whose signature agrees most with the most common value
 * of each signature position (over a deterministic sample of members). */
static uint32_t choose_seed(const struct ads_corpus *c, const uint32_t *mem, size_t n, uint32_t *tmp)
{
	uint32_t mode[ADS_K];
	size_t step = n > 512 ? n / 512 : 1, ns = 0, i, best = 0;
	int k, best_agree = -1;

	for (i = 0; i < n; i += step)
		ns++;
	for (k = 0; k < ADS_K; k++) {
		size_t j = 0, run = 0, best_run = 0;

		for (i = 0; i < n; i += step)
			tmp[j++] = c->sig[(size_t)mem[i] * ADS_K + (size_t)k];
		qsort(tmp, ns, sizeof *tmp, cmp_u32);
		mode[k] = tmp[0];
		for (i = 0; i < ns; i++) {
			run = (i && tmp[i] == tmp[i - 1]) ? run + 1 : 1;
			if (run > best_run) {
				best_run = run;
				mode[k] = tmp[i];
			}
		}
	}
	for (i = 0; i < n; i++) {
		const uint32_t *s = c->sig + (size_t)mem[i] * ADS_K;
		int agree = 0;

		for (k = 0; k < ADS_K; k++)
			agree += s[k] == mode[k];
		if (agree > best_agree) {
			best_agree = agree;
			best = i;
		}
	}
	return (uint32_t)best;
}

static int grow_words(struct scratch *s, size_t words)
{
	if (words <= s->cap_words)
		return 0;
	mem_free(s->support);
	mem_free(s->gap_len);
	mem_free(s->gap_star);
	mem_free(s->gap_n);
	mem_free(s->tindex);
	s->support = mem_calloc(words + 1, sizeof *s->support);
	s->gap_len = mem_calloc(words + 2, sizeof *s->gap_len);
	s->gap_star = mem_calloc(words + 2, sizeof *s->gap_star);
	s->gap_n = mem_calloc(words + 2, sizeof *s->gap_n);
	s->tindex = mem_calloc(words + 1, sizeof *s->tindex);
	if (!s->support || !s->gap_len || !s->gap_star || !s->gap_n || !s->tindex) {
		s->cap_words = 0;
		return -1;
	}
	s->cap_words = words;
	return 0;
}

/* Content words of a doc per gap of template T (tindex maps seed words to
 * T indices or UINT32_MAX); returns the number of matched template words. */
static uint32_t gap_counts(const struct docinfo *di, const struct pair *pp, const uint32_t *tindex, uint32_t *cnt,
			   uint32_t npos)
{
	uint32_t q = 0, gap = 0, matched = 0, i;

	memset(cnt, 0, (npos + 1) * sizeof *cnt);
	for (i = 0; i < di->npairs; i++) {
		uint32_t t = tindex[pp[i].p];

		if (t == UINT32_MAX)
			continue;
		/* doc words before this matched template word fall in the current gap */
		cnt[gap] += pp[i].q - q;
		q = pp[i].q + 1u;
		gap = t + 1;
		matched++;
	}
	cnt[gap] += di->ntok - q;
	return matched;
}

struct candidate {
	double savings, tmpl_bits, doc_bits, raw_all;
	uint32_t k, npos, nslots, nassigned;
};

/* Evaluates the template of seed words with support >= k.  Fills slot flags
 * (is_slot, npos + 1 entries) and per-doc assignment (assign). */
static int evaluate(const struct ads_corpus *c, struct scratch *s, const struct docinfo *di, size_t nd,
		    const struct pair *allpairs, uint32_t seed_ntok, uint32_t k, uint8_t *is_slot, uint8_t *assign,
		    uint32_t *cnt, struct candidate *cand)
{
	double w = c->word_bits, pos_bits, slot_decl;
	uint32_t npos = 0, p, g;
	size_t i;

	for (p = 0; p < seed_ntok; p++)
		s->tindex[p] = s->support[p] >= k ? npos++ : UINT32_MAX;
	memset(cand, 0, sizeof *cand);
	if (npos < 3)
		return 0;
	pos_bits = ceil(log2(npos + 1.0));
	slot_decl = ceil(log2((double)npos));
	for (g = 0; g <= npos; g++) {
		s->gap_len[g] = 0;
		s->gap_star[g] = 0;
		s->gap_n[g] = 0;
	}
	/* slot decision over the aligned docs */
	for (i = 0; i < nd; i++) {
		if (!di[i].aligned)
			continue;
		gap_counts(&di[i], allpairs + di[i].off, s->tindex, cnt, npos);
		for (g = 0; g <= npos; g++) {
			s->gap_len[g] += cnt[g];
			s->gap_star[g] += ads_logstar(cnt[g] + 1.0);
		}
	}
	cand->nslots = 0;
	for (g = 0; g <= npos; g++) {
		double as_inserts = s->gap_len[g] * (pos_bits + 2 + w);
		double as_slot = s->gap_star[g] + s->gap_len[g] * w;

		is_slot[g] = as_inserts - as_slot > slot_decl;
		cand->nslots += is_slot[g];
	}
	cand->tmpl_bits = ads_logstar(npos) + npos * w + (cand->nslots + 1) * slot_decl;
	for (i = 0; i < nd; i++) {
		double raw = raw_bits(di[i].ntok, w), cost;

		cand->raw_all += raw;
		assign[i] = 0;
		if (!di[i].aligned)
			continue;
		gap_counts(&di[i], allpairs + di[i].off, s->tindex, cnt, npos);
		cost = ads_logstar(npos) + npos;
		for (g = 0; g <= npos; g++)
			cost += is_slot[g] ? ads_logstar(cnt[g] + 1.0) + cnt[g] * w : cnt[g] * (pos_bits + 2 + w);
		if (cost < raw) {
			assign[i] = 1;
			cand->doc_bits += cost;
			cand->nassigned++;
		} else {
			cand->doc_bits += raw;
		}
	}
	cand->k = k;
	cand->npos = npos;
	cand->savings = cand->raw_all - (cand->tmpl_bits + cand->doc_bits);
	return 0;
}

static int fine_group(const struct ads_corpus *c, const struct ads_ccfg *cfg, const struct group *gr,
		      struct scratch *s, struct gresult *res)
{
	uint32_t *left = NULL, *tmp = NULL, *cnt = NULL;
	uint8_t *is_slot = NULL, *assign = NULL, *best_slot = NULL, *best_assign = NULL;
	size_t nleft = gr->n, i, fails = 0;
	int rc = -1;

	res->of = mem_alloc(gr->n * sizeof *res->of);
	left = mem_alloc(gr->n * sizeof *left);
	tmp = mem_alloc(gr->n * sizeof *tmp);
	assign = mem_alloc(gr->n);
	best_assign = mem_alloc(gr->n);
	if (!res->of || !left || !tmp || !assign || !best_assign)
		goto out;
	for (i = 0; i < gr->n; i++) {
		res->of[i] = UINT32_MAX;
		left[i] = (uint32_t)i;   /* indices into gr->members */
	}
	while (nleft >= 2 && res->nt < (size_t)cfg->max_templates && fails < 3) {
		uint32_t seed_local, seed_ad, seed_ntok, p;
		const uint16_t *seed_tok;
		struct candidate best, cand;
		static const double levels[] = { 0.9, 0.7, 0.5, 0.3 };
		size_t l;
		uint32_t *mem_ads = tmp;

		for (i = 0; i < nleft; i++)
			mem_ads[i] = gr->members[left[i]];
		{
			uint32_t *sample = mem_alloc((nleft > 512 ? 1024 : nleft + 1) * sizeof *sample);

			if (!sample)
				goto out;
			seed_local = choose_seed(c, mem_ads, nleft, sample);
			mem_free(sample);
		}
		seed_ad = mem_ads[seed_local];
		seed_tok = c->tok + c->tok_off[seed_ad];
		seed_ntok = (uint32_t)(c->tok_off[seed_ad + 1] - c->tok_off[seed_ad]);
		if (grow_words(s, seed_ntok + 1) || !(is_slot = mem_realloc(is_slot, seed_ntok + 2)) ||
		    !(best_slot = mem_realloc(best_slot, seed_ntok + 2)) ||
		    !(cnt = mem_realloc(cnt, (seed_ntok + 2) * sizeof *cnt)))
			goto out;
		/* align every remaining ad to the seed */
		vec_clear(&s->docpairs);
		vec_clear(&s->docinfo);
		memset(s->support, 0, (seed_ntok + 1) * sizeof *s->support);
		for (i = 0; i < nleft; i++) {
			uint32_t ad = mem_ads[i];
			const uint16_t *t = c->tok + c->tok_off[ad];
			int m = (int)(c->tok_off[ad + 1] - c->tok_off[ad]);
			int dmax = (int)ceil(cfg->max_diff * (double)(m + (int)seed_ntok));
			struct docinfo d;
			size_t before = s->docpairs.len;
			int r;

			d.ad = ad;
			d.ntok = (uint32_t)m;
			d.off = before;
			r = align(s, seed_tok, (int)seed_ntok, t, m, dmax, &s->docpairs);
			if (r < 0)
				goto out;
			d.aligned = r == 0;
			d.npairs = (uint32_t)(s->docpairs.len - before);
			if (d.aligned) {
				const struct pair *pp = (const struct pair *)s->docpairs.data + before;
				uint32_t q;

				for (q = 0; q < d.npairs; q++)
					s->support[pp[q].p]++;
			}
			if (vec_push(&s->docinfo, &d))
				goto out;
		}
		/* the best support level */
		memset(&best, 0, sizeof best);
		for (l = 0; l <= sizeof levels / sizeof levels[0]; l++) {
			uint32_t k = l < sizeof levels / sizeof levels[0] ? (uint32_t)ceil(levels[l] * (double)nleft) : 2;

			if (k < 2)
				k = 2;
			if (evaluate(c, s, s->docinfo.data, nleft, s->docpairs.data, seed_ntok, k, is_slot, assign, cnt,
				     &cand))
				goto out;
			if (cand.nassigned >= 2 && cand.savings > best.savings) {
				best = cand;
				memcpy(best_slot, is_slot, cand.npos + 1);
				memcpy(best_assign, assign, nleft);
			}
		}
		if (best.nassigned >= 2 && best.savings > 0) {
			struct gtmpl gt;
			struct gtmpl *nt = mem_realloc(res->t, (res->nt + 1) * sizeof *nt);
			uint32_t q, g, ns = 0;

			if (!nt)
				goto out;
			res->t = nt;
			memset(&gt, 0, sizeof gt);
			gt.seed = seed_ad;
			gt.npos = best.npos;
			gt.nslots = best.nslots;
			gt.pos = mem_alloc((best.npos ? best.npos : 1) * sizeof *gt.pos);
			gt.slots = mem_alloc((best.nslots ? best.nslots : 1) * sizeof *gt.slots);
			if (!gt.pos || !gt.slots) {
				mem_free(gt.pos);
				mem_free(gt.slots);
				goto out;
			}
			for (p = 0, q = 0; p < seed_ntok; p++)
				if (s->support[p] >= best.k)
					gt.pos[q++] = p;
			for (g = 0; g <= best.npos; g++)
				if (best_slot[g])
					gt.slots[ns++] = g;
			{
				const struct docinfo *di = s->docinfo.data;
				size_t keep = 0;

				/* bits of its ads written out, and with the template */
				gt.bits_tmpl = best.tmpl_bits + best.doc_bits;
				for (i = 0; i < nleft; i++) {
					if (best_assign[i]) {
						res->of[left[i]] = (uint32_t)res->nt;
						gt.nads++;
						gt.bits_raw += raw_bits(di[i].ntok, c->word_bits);
					} else {
						gt.bits_tmpl -= raw_bits(di[i].ntok, c->word_bits);
						left[keep++] = left[i];
					}
				}
				nleft = keep;
			}
			res->t[res->nt++] = gt;
			fails = 0;
		} else {
			/* this seed gives no template: drop it and try another */
			for (i = seed_local; i + 1 < nleft; i++)
				left[i] = left[i + 1];
			nleft--;
			fails++;
		}
	}
	rc = 0;
out:
	mem_free(left);
	mem_free(tmp);
	mem_free(cnt);
	mem_free(is_slot);
	mem_free(assign);
	mem_free(best_slot);
	mem_free(best_assign);
	if (rc)
		res->failed = 1;
	return rc;
}

/* ---- fine: all groups, in parallel ---- */

struct fine_job {
	const struct ads_corpus *c;
	const struct ads_ccfg *cfg;
	struct group *groups;
	size_t ngroups;
	uint32_t *order;           /* groups by size, largest first */
	struct gresult *res;
	atomic_size_t next;
	atomic_int failed;
};

static void *fine_worker(void *arg)
{
	struct fine_job *j = arg;
	struct scratch s;

	memset(&s, 0, sizeof s);
	vec_init(&s.pairs, sizeof(struct pair));
	vec_init(&s.docpairs, sizeof(struct pair));
	vec_init(&s.docinfo, sizeof(struct docinfo));
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		uint32_t g;

		if (i >= j->ngroups || atomic_load(&j->failed))
			break;
		g = j->order[i];
		if (fine_group(j->c, j->cfg, &j->groups[g], &s, &j->res[g]))
			atomic_store(&j->failed, 1);
	}
	scratch_release(&s);
	return NULL;
}

static int by_size(const void *x, const void *y, void *arg)
{
	const struct group *sort_groups = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (sort_groups[a].n != sort_groups[b].n)
		return sort_groups[a].n > sort_groups[b].n ? -1 : 1;
	return a < b ? -1 : a > b;
}

void ads_templates_release(struct ads_templates *t)
{
	vec_release(&t->t);
	vec_release(&t->pos);
	vec_release(&t->slots);
	mem_free(t->of);
	t->of = NULL;
}

int ads_fine(const struct ads_corpus *c, const uint32_t *group, const struct ads_ccfg *cfg,
	     struct ads_templates *out, struct rs_err *err)
{
	uint32_t *count = NULL, *members = NULL, *gidx = NULL, *fill = NULL;
	struct group *groups = NULL;
	struct gresult *res = NULL;
	struct fine_job job;
	size_t i, ng = 0, nthreads = (size_t)(cfg->threads > 0 ? cfg->threads : 1);
	pthread_t th[16];
	size_t started = 0;
	int rc = 0;

	vec_init(&out->t, sizeof(struct ads_tmpl));
	vec_init(&out->pos, sizeof(uint32_t));
	vec_init(&out->slots, sizeof(uint32_t));
	out->of = mem_alloc((c->n ? c->n : 1) * sizeof *out->of);
	count = mem_calloc(c->n + 1, sizeof *count);
	gidx = mem_alloc((c->n + 1) * sizeof *gidx);
	if (!out->of || !count || !gidx) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
		goto done;
	}
	for (i = 0; i < c->n; i++) {
		out->of[i] = UINT32_MAX;
		if (c->has_sig[i])
			count[group[i]]++;
	}
	for (i = 0; i < c->n; i++)
		ng += count[i] >= 2;
	groups = mem_calloc(ng ? ng : 1, sizeof *groups);
	res = mem_calloc(ng ? ng : 1, sizeof *res);
	members = mem_alloc((c->n ? c->n : 1) * sizeof *members);
	fill = mem_calloc(ng ? ng : 1, sizeof *fill);
	if (!groups || !res || !members || !fill) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
		goto done;
	}
	{
		size_t g = 0, off = 0;

		for (i = 0; i < c->n; i++) {
			gidx[i] = UINT32_MAX;
			if (count[i] >= 2) {
				gidx[i] = (uint32_t)g;
				groups[g].members = members + off;
				groups[g].n = 0;
				off += count[i];
				g++;
			}
		}
		for (i = 0; i < c->n; i++) {
			uint32_t gi;

			if (!c->has_sig[i] || gidx[group[i]] == UINT32_MAX)
				continue;
			gi = gidx[group[i]];
			groups[gi].members[groups[gi].n++] = (uint32_t)i;
		}
	}
	memset(&job, 0, sizeof job);
	job.c = c;
	job.cfg = cfg;
	job.groups = groups;
	job.ngroups = ng;
	job.res = res;
	job.order = fill;
	for (i = 0; i < ng; i++)
		fill[i] = (uint32_t)i;
	qsort_r(fill, ng, sizeof *fill, by_size, groups);
	atomic_init(&job.next, 0);
	atomic_init(&job.failed, 0);
	if (nthreads > 16)
		nthreads = 16;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th[started], NULL, fine_worker, &job) == 0)
			started++;
	fine_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (atomic_load(&job.failed)) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
		goto done;
	}
	/* merge in group order */
	for (i = 0; i < ng && !rc; i++) {
		size_t base = out->t.len, t, k;

		for (t = 0; t < res[i].nt; t++) {
			struct ads_tmpl *ot = vec_grow(&out->t, 1);
			const struct gtmpl *gt = &res[i].t[t];

			if (!ot) {
				rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
				break;
			}
			ot->seed = gt->seed;
			ot->nads = gt->nads;
			ot->npos = gt->npos;
			ot->nslots = gt->nslots;
			ot->pos_off = out->pos.len;
			ot->slot_off = out->slots.len;
			ot->bits_raw = gt->bits_raw;
			ot->bits_tmpl = gt->bits_tmpl;
			for (k = 0; k < gt->npos && !rc; k++)
				if (vec_push(&out->pos, &gt->pos[k]))
					rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
			for (k = 0; k < gt->nslots && !rc; k++)
				if (vec_push(&out->slots, &gt->slots[k]))
					rc = err_set(err, RASTRO_NOMEM, "out of memory finding templates");
		}
		for (k = 0; k < groups[i].n; k++)
			if (res[i].of && res[i].of[k] != UINT32_MAX)
				out->of[groups[i].members[k]] = (uint32_t)(base + res[i].of[k]);
	}
done:
	for (i = 0; res && i < ng; i++) {
		size_t t;

		for (t = 0; t < res[i].nt; t++) {
			mem_free(res[i].t[t].pos);
			mem_free(res[i].t[t].slots);
		}
		mem_free(res[i].t);
		mem_free(res[i].of);
	}
	mem_free(res);
	mem_free(groups);
	mem_free(members);
	mem_free(fill);
	mem_free(count);
	mem_free(gidx);
	return rc;
}
