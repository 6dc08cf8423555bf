/*
 * cluster: MinHash/LSH coarse groups and MDL templates (see cluster.h).
 */
#include "ads/cluster.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "rastro.h"

double ads_logstar(double x)
{
	/* integers, the common case, without log2: 2 ceil(log2(x + 1)) + 1,
	 * and ceil(log2(x + 1)) of an integer x >= 1 is its bit length */
	if (x < 1)
		x = 1;
	if (x < 4294967296.0 && x == (double)(uint32_t)x)
		return 2.0 * (32 - __builtin_clz((uint32_t)x)) + 1;
	return 2 * ceil(log2(x + 1)) + 1;
}

/*
 * ads_logstar(c + 1.0) of a word count c, without the double's tests: the
 * evaluation of a template calls it for every gap of every aligned doc at
 * every support level (3.5 % of the cluster phase at a million ads).
 * Counts are below 65,536 (words of an ad), so c + 1 is the integer case.
 */
static inline double logstar_count(uint32_t c)
{
	return 2.0 * (32 - __builtin_clz(c + 1)) + 1;
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
static int by_key(const void *x, const void *y)
{
	const struct bkey *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->ad < b->ad ? -1 : a->ad > b->ad;
}

static int radix_sort(struct bkey *a, size_t n)
{
	struct bkey *tmp;
	size_t *count;
	int pass;

	if (n < 65536) {
		/* small arrays: the counting passes would cost more than sorting */
		qsort(a, n, sizeof *a, by_key);
		return 0;
	}
	tmp = mem_alloc(n * sizeof *tmp);

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

/* 1 when at least `need` of the values agree (stops as soon as it cannot). */
static int agrees(const uint32_t *x, const uint32_t *y, int need)
{
	int i, same = 0;

	for (i = 0; i < ADS_K; i++) {
		same += x[i] == y[i];
		if (same >= need)
			return 1;
		if (same + (ADS_K - 1 - i) < need)
			return 0;
	}
	return same >= need;
}

/* The fewest equal values of ADS_K whose share is at least min_jaccard
 * (ADS_K + 1 when none is): the share compared as a double, as it is
 * written in the settings. */
static int need_values(double min_jaccard)
{
	int s;

	for (s = 0; s <= ADS_K; s++)
		if ((double)s / ADS_K >= min_jaccard)
			return s;
	return ADS_K + 1;
}

/*
 * Four bits per MinHash value (its eight nibbles xor-ed), two values a
 * byte: two equal values have equal nibbles, so the number of equal
 * nibbles of two ads is at least the number of equal values, and an ad
 * whose nibbles agree fewer than `need` times cannot agree on `need`
 * values.  The 32 bytes of an ad are half a cache line and are compared
 * sixteen values at a time, where the values take four lines and a branch
 * each: candidates of a bucket that cannot pass are turned away here (at a
 * million ads the candidate search was 11 % of the stage).  Unlike ads
 * agree on a nibble one time in 16, so 20 of 64 almost never by chance; a
 * byte per value (64 bytes an ad) held 0.26 GB more for the largest group
 * at five million ads.
 */
#define FP_BYTES (ADS_K / 2)

static unsigned fp_nibble(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	return (v ^ v >> 4) & 0xf;
}

static int fp_equal(const uint8_t *x, const uint8_t *y)
{
	const uint64_t lo3 = 0x7777777777777777ULL, hi1 = 0x8888888888888888ULL;
	int i, differ = 0;

	for (i = 0; i < FP_BYTES; i += 8) {
		uint64_t a, b, d, z;

		memcpy(&a, x + i, 8);
		memcpy(&b, y + i, 8);
		d = a ^ b;
		/* the high bit of each nibble of d that is not zero, moved to the
		 * nibble's low bit; the two of a byte added, then the bytes summed
		 * into the top byte (no popcount instruction is assumed) */
		z = ((((d & lo3) + lo3) | d) & hi1) >> 3;
		z = (z + (z >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
		differ += (int)(z * 0x0101010101010101ULL >> 56);
	}
	return ADS_K - differ;
}

/* Hash of band b (rows values) of a signature. */
static uint64_t band_key(const uint32_t *sig, int b, int rows)
{
	const uint32_t *s = sig + (size_t)b * (size_t)rows;
	uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(b + 1);
	int r;

	for (r = 0; r < rows; r++) {
		h ^= s[r];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
	}
	return h;
}

/*
 * The bands are independent: each thread hashes and sorts its own bands
 * and joins their ads in a union-find of its own; the threads' sets are
 * then joined.  A set's root is its smallest ad whatever the order of the
 * joins, so the groups are the same at any number of threads.
 */
struct coarse_job {
	const struct ads_corpus *c;
	const struct ads_ccfg *cfg;
	int b0, step;              /* bands b0, b0 + step, ... */
	uint32_t *uf;
	int failed;
};

static void *coarse_bands(void *arg)
{
	struct coarse_job *j = arg;
	const struct ads_corpus *c = j->c;
	struct bkey *keys = mem_alloc((c->n ? c->n : 1) * sizeof *keys);
	size_t i, m;
	int b, need = need_values(j->cfg->min_jaccard);

	if (!keys) {
		j->failed = 1;
		return NULL;
	}
	for (b = j->b0; b < j->cfg->bands; b += j->step) {
		m = 0;
		for (i = 0; i < c->n; i++) {
			if (!c->has_sig[i])
				continue;
			keys[m].key = band_key(c->sig + i * ADS_K, b, j->cfg->rows);
			keys[m].ad = (uint32_t)i;
			m++;
		}
		if (radix_sort(keys, m)) {
			j->failed = 1;
			break;
		}
		for (i = 0; i < m;) {
			size_t k = i + 1;

			while (k < m && keys[k].key == keys[i].key) {
				const uint32_t *first = c->sig + (size_t)keys[i].ad * ADS_K;
				const uint32_t *prev = c->sig + (size_t)keys[k - 1].ad * ADS_K;
				const uint32_t *cur = c->sig + (size_t)keys[k].ad * ADS_K;
				uint32_t root = uf_find(j->uf, keys[k].ad);

				/* an ad already in the set of the bucket's first ad (and of
				 * the one before it) is joined to nothing new by either
				 * test: its signature, a cache miss, is not read (most
				 * pairs of a family meet again in the family's other
				 * bands) */
				if (root == uf_find(j->uf, keys[i].ad) &&
				    (k - 1 == i || root == uf_find(j->uf, keys[k - 1].ad))) {
					k++;
					continue;
				}
				if (agrees(first, cur, need))
					uf_union(j->uf, keys[i].ad, keys[k].ad);
				else if (k - 1 > i && agrees(prev, cur, need))
					uf_union(j->uf, keys[k - 1].ad, keys[k].ad);
				k++;
			}
			i = k;
		}
	}
	mem_free(keys);
	return NULL;
}

int ads_coarse(const struct ads_corpus *c, const struct ads_ccfg *cfg, uint32_t *group, struct rs_err *err)
{
	struct coarse_job job[16];
	pthread_t th[16];
	int nt = cfg->threads > 1 ? cfg->threads : 1, t, failed = 0;
	size_t i;

	if (cfg->bands < 1 || cfg->rows < 1 || cfg->bands * cfg->rows > ADS_K)
		return err_set(err, RASTRO_USAGE, "ads.cluster.bands * ads.cluster.rows must be at most %d", ADS_K);
	if (nt > 16)
		nt = 16;
	if (nt > cfg->bands)
		nt = cfg->bands;
	for (i = 0; i < c->n; i++)
		group[i] = (uint32_t)i;
	memset(job, 0, sizeof job);
	for (t = 0; t < nt; t++) {
		job[t].c = c;
		job[t].cfg = cfg;
		job[t].b0 = t;
		job[t].step = nt;
		job[t].uf = group;
		if (t > 0) {
			job[t].uf = mem_alloc((c->n ? c->n : 1) * sizeof *job[t].uf);
			if (!job[t].uf) {
				failed = 1;
				nt = t;
				break;
			}
			for (i = 0; i < c->n; i++)
				job[t].uf[i] = (uint32_t)i;
		}
	}
	/* thread t > 0 runs in its own thread when one can be made, else here */
	for (t = 1; t < nt; t++)
		if (pthread_create(&th[t], NULL, coarse_bands, &job[t]) != 0)
			job[t].step = -1;
	if (!failed)
		coarse_bands(&job[0]);
	for (t = 1; t < nt; t++) {
		if (job[t].step == -1) {
			job[t].step = nt;
			coarse_bands(&job[t]);
		} else {
			pthread_join(th[t], NULL);
		}
		failed |= job[t].failed;
		for (i = 0; i < c->n && !failed; i++)
			uf_union(group, (uint32_t)i, uf_find(job[t].uf, (uint32_t)i));
		mem_free(job[t].uf);
	}
	failed |= job[0].failed;
	if (failed)
		return err_set(err, RASTRO_NOMEM, "out of memory grouping %zu ads", c->n);
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
	size_t need = (size_t)(dmax + 1) * (size_t)width, cap, np = 0;
	struct pair *dst;
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
		/* the walk back reads diagonals -d..d of the V saved before step d
		 * (those the steps so far wrote): only they are saved, not the whole
		 * width of dmax, which for near-duplicates is many times larger */
		int lo = d > 0 ? off - d : off + 1, cnt = d > 0 ? 2 * d + 1 : 1;

		memcpy(s->trace + (size_t)d * (size_t)width + lo, s->v + lo, (size_t)cnt * sizeof *s->v);
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && s->v[off + k - 1] < s->v[off + k + 1]))
				x = s->v[off + k + 1];
			else
				x = s->v[off + k - 1] + 1;
			y = x - k;
			/* the snake: near-duplicates share long runs of words, compared
			 * four at a time first */
			while (x + 4 <= n && y + 4 <= m) {
				uint64_t wa, wb;

				memcpy(&wa, a + x, sizeof wa);
				memcpy(&wb, b + y, sizeof wb);
				if (wa != wb)
					break;
				x += 4;
				y += 4;
			}
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
	/* Walk back through the saved V arrays, collecting diagonal runs.  The
	 * pairs (at most min(n, m)) are written from the end of room reserved
	 * in out, last pair first, then moved down: no push per pair (the
	 * alignments of a million ads make a few hundred million pairs). */
	cap = (size_t)(n < m ? n : m);
	if (vec_reserve(out, out->len + cap + 1))
		return -1;
	dst = (struct pair *)out->data + out->len;
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
			struct pair *pr = &dst[cap - 1 - np++];

			x--;
			y--;
			pr->p = (uint16_t)x;
			pr->q = (uint16_t)y;
		}
		x = px;
		y = py;
	}
	memmove(dst, dst + cap - np, np * sizeof *dst);
	out->len += np;
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
	double savings, tmpl_bits;
	uint32_t k, npos, nslots, nassigned;
};

/*
 * Evaluates the template of seed words with support >= k against the
 * docs' current best costs (cur): fills the slot flags (npos + 1), each
 * doc's cost under the template (cost; INFINITY when not aligned) and the
 * bits the template would save (its docs' gains minus its own cost).
 */
static void evaluate(const struct ads_corpus *c, struct scratch *s, const struct docinfo *di, size_t nd,
		     const struct pair *allpairs, uint32_t seed_ntok, uint32_t k, uint8_t *is_slot, uint32_t *cnt,
		     const double *cur, double *cost, struct candidate *cand)
{
	double w = c->word_bits, pos_bits, slot_decl, gain = 0;
	uint32_t npos = 0, p, g;
	size_t i;

	for (p = 0; p < seed_ntok; p++)
		s->tindex[p] = s->support[p] >= k ? npos++ : UINT32_MAX;
	memset(cand, 0, sizeof *cand);
	for (i = 0; i < nd; i++)
		cost[i] = INFINITY;
	if (npos < 3)
		return;
	pos_bits = ceil(log2(npos + 1.0));
	slot_decl = ceil(log2((double)npos));
	for (g = 0; g <= npos; g++) {
		s->gap_len[g] = 0;
		s->gap_star[g] = 0;
	}
	/* slot decision over the aligned docs */
	for (i = 0; i < nd; i++) {
		if (!di[i].aligned)
			continue;
		gap_counts(&di[i], allpairs + di[i].off, s->tindex, cnt, npos);
		for (g = 0; g <= npos; g++) {
			s->gap_len[g] += cnt[g];
			s->gap_star[g] += logstar_count(cnt[g]);
		}
	}
	for (g = 0; g <= npos; g++) {
		double as_inserts = s->gap_len[g] * (pos_bits + 2 + w);
		double as_slot = s->gap_star[g] + s->gap_len[g] * w;

		is_slot[g] = as_inserts - as_slot > slot_decl;
		cand->nslots += is_slot[g];
	}
	cand->tmpl_bits = ads_logstar(npos) + npos * w + (cand->nslots + 1) * slot_decl;
	for (i = 0; i < nd; i++) {
		double cs;

		if (!di[i].aligned)
			continue;
		gap_counts(&di[i], allpairs + di[i].off, s->tindex, cnt, npos);
		cs = ads_logstar(npos) + npos;
		for (g = 0; g <= npos; g++)
			cs += is_slot[g] ? logstar_count(cnt[g]) + cnt[g] * w : cnt[g] * (pos_bits + 2 + w);
		cost[i] = cs;
		if (cs < cur[i]) {
			gain += cur[i] - cs;
			cand->nassigned++;
		}
	}
	cand->k = k;
	cand->npos = npos;
	cand->savings = gain - cand->tmpl_bits;
}

/* A template being built for a group. */
struct ftmpl {
	uint32_t seed;             /* member index */
	uint32_t npos, nslots;
	uint32_t *pos, *slots;
	double bits;               /* the template's own cost */
};

/* A doc's cost under a template (kept to move docs when a template is dropped). */
struct tcost {
	uint32_t doc, tmpl;
	float cost;
};

/*
 * The group's band index: per band, its members sorted by band key (then
 * by member).  An entry keeps only the key's upper 32 bits beside the
 * member, 8 bytes instead of 16: the index of a group holds bands * n
 * entries, and at five million ads the two largest groups' indexes took
 * about 1 GB.  Members whose keys share the upper half but differ are rare
 * (a few dozen pairs per band in a group of half a million); their entries
 * carry BENT_MIXED, and only there the full key is computed again from the
 * member's signature.  The buckets found are exactly those of full keys.
 */
struct bent {
	uint32_t hi;               /* band key >> 32 */
	uint32_t m;                /* member, | BENT_MIXED when entries of this hi hold several keys */
};

#define BENT_MIXED 0x80000000u

struct bandidx {
	struct bent *e;            /* bands * n entries, band-major */
	size_t n;
	int bands, rows;
	const struct ads_corpus *c;
	const uint32_t *members;   /* the group's ads */
};

/* The full band key of entry i of band b. */
static uint64_t bent_key(const struct bandidx *bi, int b, size_t i)
{
	uint32_t m = bi->e[(size_t)b * bi->n + i].m & ~BENT_MIXED;

	return band_key(bi->c->sig + (size_t)bi->members[m] * ADS_K, b, bi->rows);
}

static int bandidx_build(struct bandidx *bi, const struct ads_corpus *c, const struct group *gr, int bands, int rows)
{
	struct bkey *tmp;
	int b;
	size_t i;

	bi->n = gr->n;
	bi->bands = bands;
	bi->rows = rows;
	bi->c = c;
	bi->members = gr->members;
	if (gr->n >= BENT_MIXED)
		return -1;
	bi->e = mem_alloc((size_t)bands * gr->n * sizeof *bi->e);
	tmp = mem_alloc((gr->n ? gr->n : 1) * sizeof *tmp);
	if (!bi->e || !tmp) {
		mem_free(tmp);
		return -1;
	}
	for (b = 0; b < bands; b++) {
		struct bent *e = bi->e + (size_t)b * gr->n;

		for (i = 0; i < gr->n; i++) {
			tmp[i].key = band_key(c->sig + (size_t)gr->members[i] * ADS_K, b, rows);
			tmp[i].ad = (uint32_t)i;
		}
		if (radix_sort(tmp, gr->n)) {
			mem_free(tmp);
			return -1;
		}
		for (i = 0; i < gr->n;) {
			size_t k = i + 1, q;
			int mixed = 0;

			while (k < gr->n && tmp[k].key >> 32 == tmp[i].key >> 32) {
				mixed |= tmp[k].key != tmp[k - 1].key;
				k++;
			}
			for (q = i; q < k; q++) {
				e[q].hi = (uint32_t)(tmp[q].key >> 32);
				e[q].m = tmp[q].ad | (mixed ? BENT_MIXED : 0);
			}
			i = k;
		}
	}
	mem_free(tmp);
	return 0;
}

/* First entry of e[0..n) whose upper key half is at least hi (a 64-bit
 * bound, so that the one past the largest half can be asked for). */
static size_t first_from(const struct bent *e, size_t n, uint64_t hi)
{
	size_t lo = 0, up = n;

	while (lo < up) {
		size_t mid = (lo + up) / 2;

		if (e[mid].hi < hi)
			lo = mid + 1;
		else
			up = mid;
	}
	return lo;
}

/* Entries [*first, *last) of band b whose key is `key`. */
static void bucket_range(const struct bandidx *bi, int b, uint64_t key, size_t *first, size_t *last)
{
	const struct bent *e = bi->e + (size_t)b * bi->n;
	uint64_t hi = key >> 32;
	size_t f = first_from(e, bi->n, hi), l = first_from(e, bi->n, hi + 1), lo;

	if (f < l && (e[f].m & BENT_MIXED)) {
		/* sorted by the full key inside: narrow to the equal ones */
		while (f < l && bent_key(bi, b, f) < key)
			f++;
		lo = f;
		while (lo < l && bent_key(bi, b, lo) == key)
			lo++;
		l = lo;
	}
	*first = f;
	*last = l;
}

struct fine_state {
	const struct ads_corpus *c;
	const struct ads_ccfg *cfg;
	const struct group *gr;
	struct scratch *s;
	struct bandidx bi;
	size_t n;
	double *cur, *raw;         /* per member: best cost so far, cost written out */
	int32_t *best;             /* per member: template, -1 = written out */
	uint8_t *tried;
	uint32_t *stamp, stamp_now;
	uint8_t *fp;               /* per member: FP_BYTES bytes of fp_nibble */
	int need;                  /* MinHash values that must agree: ceil(min_jaccard * ADS_K) */
	struct vec cand;           /* uint32_t members */
	double *ccur, *ccost, *bcost; /* per candidate */
	size_t ccap;
	uint32_t *cnt;
	uint8_t *is_slot, *best_slot;
	size_t wcap;
	uint8_t *lslot;            /* per support level: its slot flags (wcap each) */
	double *lcost;             /* per support level: each candidate's cost (ccap each) */
	struct ftmpl *tp;
	size_t nt, tcap;
	struct vec costs;          /* struct tcost */
	struct aligner *help;      /* the helper working with this group's tries, or NULL */
	struct aligner *offer;     /* a helper offered to idle workers, not taken yet (or NULL) */
	struct fine_job *job;      /* the step's workers, where the offer waits */
};

/*
 * The candidate search is bound by cache misses, not by its arithmetic: a
 * bucket's members are spread over the group, and each costs a miss on its
 * stamp, its filter nibbles and, when those pass, its signature.  So the
 * stamps and nibbles of the members a few entries ahead are asked for
 * early, and the members that pass the filter are held in a small batch
 * whose signatures are asked for together before they are compared (in
 * the same order: the candidates are the same list).
 */
#define CAND_AHEAD 8               /* entries ahead whose stamp and nibbles are fetched */
#define CAND_BATCH 32              /* members passing the filter whose signatures are fetched together */

/* Appends the members of batch[0..nb) whose signatures agree with ss. */
static int cand_flush(const struct fine_state *F, const uint32_t *ss, const uint32_t *batch, size_t nb,
		      struct vec *out)
{
	size_t q;

	for (q = 0; q < nb; q++) {
		const uint32_t *sg = F->c->sig + (size_t)F->gr->members[batch[q]] * ADS_K;

		/* the compare usually ends within the first 32 values */
		__builtin_prefetch(sg);
		__builtin_prefetch(sg + 16);
	}
	for (q = 0; q < nb; q++)
		if (agrees(ss, F->c->sig + (size_t)F->gr->members[batch[q]] * ADS_K, F->need) && vec_push(out, &batch[q]))
			return -1;
	return 0;
}

/* Members of bands [b0, b1) that share a bucket with the seed's signature
 * and agree on at least min_jaccard of their values, not stamped yet, in
 * band and bucket order, appended to out (and stamped). */
static int cand_bands(const struct fine_state *F, uint32_t *stamp, uint32_t now, uint32_t seed, int b0, int b1,
		      struct vec *out)
{
	const uint32_t *ss = F->c->sig + (size_t)F->gr->members[seed] * ADS_K;
	const uint8_t *sfp = F->fp + (size_t)seed * FP_BYTES;
	uint32_t batch[CAND_BATCH];
	size_t nb = 0;
	int b;

	for (b = b0; b < b1; b++) {
		uint64_t key = band_key(ss, b, F->bi.rows);
		const struct bent *e = F->bi.e + (size_t)b * F->n;
		size_t i, first, last;

		if (key == UINT64_MAX)
			continue;
		bucket_range(&F->bi, b, key, &first, &last);
		/* a bucket shared by very many ads is a generic phrase, not a family:
		 * the family's ads also meet in the seed's other buckets */
		if (last - first > F->cfg->bucket_max)
			continue;
		for (i = first; i < last && i < first + CAND_AHEAD; i++) {
			uint32_t m = e[i].m & ~BENT_MIXED;

			__builtin_prefetch(&stamp[m]);
			__builtin_prefetch(F->fp + (size_t)m * FP_BYTES);
		}
		for (i = first; i < last; i++) {
			uint32_t m = e[i].m & ~BENT_MIXED;

			if (i + CAND_AHEAD < last) {
				uint32_t ahead = e[i + CAND_AHEAD].m & ~BENT_MIXED;

				__builtin_prefetch(&stamp[ahead]);
				__builtin_prefetch(F->fp + (size_t)ahead * FP_BYTES);
				__builtin_prefetch(&F->gr->members[ahead]);
			}
			if (stamp[m] == now)
				continue;
			stamp[m] = now;
			if (fp_equal(sfp, F->fp + (size_t)m * FP_BYTES) < F->need)
				continue;
			batch[nb++] = m;
			if (nb == CAND_BATCH) {
				if (cand_flush(F, ss, batch, nb, out))
					return -1;
				nb = 0;
			}
		}
	}
	return cand_flush(F, ss, batch, nb, out);
}

/* A new stamp value (stamps cleared when the counter wraps). */
static uint32_t next_stamp(uint32_t *stamp, uint32_t *now, size_t n)
{
	if (++*now == 0) {
		memset(stamp, 0, n * sizeof *stamp);
		*now = 1;
	}
	return *now;
}

/* Members whose signatures share a band with the seed's and agree on at
 * least min_jaccard of their values (the seed itself first). */
static int candidates(struct fine_state *F, uint32_t seed)
{
	uint32_t now = next_stamp(F->stamp, &F->stamp_now, F->n);

	vec_clear(&F->cand);
	F->stamp[seed] = now;
	if (vec_push(&F->cand, &seed))
		return -1;
	return cand_bands(F, F->stamp, now, seed, 0, F->bi.bands, &F->cand);
}

/* The fine step's workers: the groups to take, and the helpers offered. */
struct fine_job {
	const struct ads_corpus *c;
	const struct ads_ccfg *cfg;
	struct group *groups;
	size_t ngroups;
	uint32_t *order;           /* groups by size, largest first */
	struct gresult *res;
	atomic_size_t next;
	atomic_int failed;
	pthread_mutex_t mu;        /* guards offers */
	struct aligner *offers;    /* oldest (largest group) first */
	atomic_int deciding;       /* workers between taking a group and offering its helper (or not) */
};

/* ---- fine: a second thread for each seed's try ---- */

/*
 * In a large group the seeds are tried one after another (each template
 * changes which docs the next seeds may take), but the three costly parts
 * of one try split without changing it: finding the candidates (by bands),
 * aligning them to the seed (by candidates; alignments depend on nothing
 * but the words) and evaluating the support levels (by level).  A helper
 * thread takes the second part of each while the caller does the first,
 * and the parts are put together in the order one thread makes them:
 * candidates in band order with repeats dropped, alignments in candidate
 * order, levels compared in level order.  So the result is the one of a
 * single thread.  At a million ads one coarse group held 57 % of the ads,
 * and working it on one core took 19 of the 20 seconds of the step.
 */
#define ALIGN_SPLIT_MIN 16          /* seeds with fewer candidates are aligned by the caller alone (or
				     * fewer than help_min, so that small tests take every path) */
#define NLEVELS 5                   /* support levels tried per seed */

/* JOB_BUSY: the helper took the posted job and runs it */
enum { JOB_NONE, JOB_CAND, JOB_ALIGN, JOB_EVAL, JOB_QUIT, JOB_BUSY };

struct aligner {
	struct aligner *next;      /* in the job's list of offers */
	atomic_int taken;          /* a worker runs aligner_main for it */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	atomic_int job;            /* posted job, JOB_BUSY while the helper runs it, JOB_NONE when done */
	int sleeping, waiting;     /* under mu: the helper waits for a job, the caller for its end */
	const struct fine_state *F;
	/* JOB_CAND: the seed and its bands [b0, b1) */
	uint32_t seed;
	int b0, b1;
	uint32_t *stamp, stamp_now;
	struct vec cand;
	/* JOB_ALIGN: candidates [lo, hi) */
	const uint16_t *seed_tok;
	uint32_t seed_ntok;
	const uint32_t *cands;
	size_t lo, hi;
	struct scratch s;          /* its own alignment and evaluation scratch */
	struct vec docpairs, docinfo;
	/* JOB_EVAL: levels [lo, hi) of k[], over the caller's aligned docs */
	const uint32_t *k;
	struct candidate *cd;
	size_t nd;
	uint32_t *cnt;
	size_t cnt_cap;
	int failed;
};

/* Aligns member `member` to the seed: its pairs appended to pairs, its
 * docinfo to info. */
static int align_doc(const struct fine_state *F, struct scratch *s, const uint16_t *seed_tok, uint32_t seed_ntok,
		     uint32_t member, struct vec *pairs, struct vec *info)
{
	const struct ads_corpus *c = F->c;
	uint32_t ad = F->gr->members[member];
	int m = (int)(c->tok_off[ad + 1] - c->tok_off[ad]);
	int dmax = (int)ceil(F->cfg->max_diff * (double)(m + (int)seed_ntok));
	struct docinfo d;
	size_t before = pairs->len;
	int r = align(s, seed_tok, (int)seed_ntok, c->tok + c->tok_off[ad], m, dmax, pairs);

	if (r < 0)
		return -1;
	d.ad = ad;
	d.ntok = (uint32_t)m;
	d.off = before;
	d.aligned = r == 0;
	d.npairs = (uint32_t)(pairs->len - before);
	return vec_push(info, &d);
}

/*
 * Candidates cands[lo, hi) aligned to the seed, in order (align_doc each).
 * The candidates are spread over the group, so each one's ad number, word
 * offsets and first words are cache misses that the alignment waits for:
 * they are asked for a few candidates ahead, in the order they are needed.
 */
#define ALIGN_AHEAD 4               /* candidates ahead whose words are fetched */

static int align_range(const struct fine_state *F, struct scratch *s, const uint16_t *seed_tok, uint32_t seed_ntok,
		       const uint32_t *cands, size_t lo, size_t hi, struct vec *pairs, struct vec *info)
{
	const struct ads_corpus *c = F->c;
	const uint32_t *members = F->gr->members;
	size_t i;

	for (i = lo; i < hi; i++) {
		if (i + 3 * ALIGN_AHEAD < hi)
			__builtin_prefetch(&members[cands[i + 3 * ALIGN_AHEAD]]);
		if (i + 2 * ALIGN_AHEAD < hi)
			__builtin_prefetch(&c->tok_off[members[cands[i + 2 * ALIGN_AHEAD]]]);
		if (i + ALIGN_AHEAD < hi) {
			const uint16_t *w = c->tok + c->tok_off[members[cands[i + ALIGN_AHEAD]]];

			__builtin_prefetch(w);
			__builtin_prefetch(w + 32);
		}
		if (align_doc(F, s, seed_tok, seed_ntok, cands[i], pairs, info))
			return -1;
	}
	return 0;
}

/* Support level l of a try: evaluated into F's buffers of that level. */
static void eval_level(const struct fine_state *F, struct scratch *s, const struct scratch *al, size_t nd,
		       uint32_t seed_ntok, uint32_t k, size_t l, uint32_t *cnt, struct candidate *cd)
{
	struct scratch view = *s;

	/* the support counts and alignments are the caller's; tindex and the
	 * gap sums are this thread's */
	view.support = al->support;
	evaluate(F->c, &view, al->docinfo.data, nd, al->docpairs.data, seed_ntok, k, F->lslot + l * F->wcap, cnt,
		 F->ccur, F->lcost + l * F->ccap, cd);
}

/* Runs job `job` of A (on the helper's thread, or on the caller's when it
 * took the job back). */
static void run_job(struct aligner *A, int job)
{
	const struct fine_state *F = A->F;
	size_t i;

	A->failed = 0;
	if (job == JOB_CAND) {
		uint32_t now = next_stamp(A->stamp, &A->stamp_now, F->n);

		vec_clear(&A->cand);
		A->stamp[A->seed] = now;
		A->failed = cand_bands(F, A->stamp, now, A->seed, A->b0, A->b1, &A->cand) != 0;
	} else if (job == JOB_ALIGN) {
		vec_clear(&A->docpairs);
		vec_clear(&A->docinfo);
		A->failed = align_range(F, &A->s, A->seed_tok, A->seed_ntok, A->cands, A->lo, A->hi, &A->docpairs,
					&A->docinfo) != 0;
	} else if (job == JOB_EVAL) {
		if (grow_words(&A->s, A->seed_ntok + 2)) {
			A->failed = 1;
			return;
		}
		if (A->seed_ntok + 2 > A->cnt_cap) {
			uint32_t *c = mem_realloc(A->cnt, (A->seed_ntok + 2) * sizeof *c);

			if (!c) {
				A->failed = 1;
				return;
			}
			A->cnt = c;
			A->cnt_cap = A->seed_ntok + 2;
		}
		for (i = A->lo; i < A->hi; i++)
			eval_level(F, &A->s, F->s, A->nd, A->seed_ntok, A->k[i], i, A->cnt, &A->cd[i]);
	}
}

/*
 * A try hands work over three times, every few microseconds: each side
 * first spins a while on the job word (the other side is usually running
 * on the other core and about to answer), and only then sleeps on the
 * condition variable.  The job word changes, and the sleeping flags are
 * read, under the mutex, so no wake-up is lost.  The helper takes a posted
 * job by setting the word to JOB_BUSY; a job it has not taken when the
 * caller is done with its own part, the caller takes back and runs itself
 * (the helper is asleep, or its thread waits for a core: on two cores the
 * stage's index builds run beside the workers), instead of spinning and
 * sleeping until the helper gets to it.  Either thread runs the same code
 * into the same buffers, so the result does not depend on which did.
 */
#define SPINS 1000

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The job word set back to JOB_NONE, and a caller waiting for it woken. */
static void job_done(struct aligner *A)
{
	pthread_mutex_lock(&A->mu);
	atomic_store_explicit(&A->job, JOB_NONE, memory_order_release);
	if (A->waiting)
		pthread_cond_signal(&A->done);
	pthread_mutex_unlock(&A->mu);
}

static void *aligner_main(void *arg)
{
	struct aligner *A = arg;

	for (;;) {
		int j = atomic_load_explicit(&A->job, memory_order_acquire), i;

		for (i = 0; i < SPINS && j == JOB_NONE; i++) {
			cpu_relax();
			j = atomic_load_explicit(&A->job, memory_order_acquire);
		}
		if (j == JOB_NONE) {
			pthread_mutex_lock(&A->mu);
			A->sleeping = 1;
			while ((j = atomic_load(&A->job)) == JOB_NONE)
				pthread_cond_wait(&A->go, &A->mu);
			A->sleeping = 0;
			pthread_mutex_unlock(&A->mu);
		}
		if (j == JOB_QUIT) {
			/* the caller frees A once the job word is back and the mutex
			 * free: this unlock is the helper's last touch of A */
			job_done(A);
			break;
		}
		/* taken unless the caller took it back meanwhile */
		if (!atomic_compare_exchange_strong(&A->job, &j, JOB_BUSY))
			continue;
		run_job(A, j);
		job_done(A);
	}
	return NULL;
}

static void post(struct aligner *A, int job)
{
	pthread_mutex_lock(&A->mu);
	atomic_store_explicit(&A->job, job, memory_order_release);
	if (A->sleeping)
		pthread_cond_signal(&A->go);
	pthread_mutex_unlock(&A->mu);
}

/* Waits until the job word is back to JOB_NONE. */
static void wait_none(struct aligner *A)
{
	int i;

	for (i = 0; i < SPINS && atomic_load_explicit(&A->job, memory_order_acquire) != JOB_NONE; i++)
		cpu_relax();
	if (atomic_load_explicit(&A->job, memory_order_acquire) != JOB_NONE) {
		pthread_mutex_lock(&A->mu);
		A->waiting = 1;
		while (atomic_load(&A->job) != JOB_NONE)
			pthread_cond_wait(&A->done, &A->mu);
		A->waiting = 0;
		pthread_mutex_unlock(&A->mu);
	}
}

/* The posted job `job` done: run here when the helper has not taken it,
 * else waited for.  0, or -1 when it ran out of memory. */
static int wait_job(struct aligner *A, int job)
{
	int j = job;

	if (atomic_compare_exchange_strong(&A->job, &j, JOB_NONE))
		run_job(A, job);
	else
		wait_none(A);
	return A->failed ? -1 : 0;
}

/*
 * Helpers are offered, not started: a large group's state gets an aligner
 * that waits in the step's list of offers, and a worker that finds no
 * group left to take runs it (aligner_main) until the group no longer
 * needs it.  While every worker has a group of its own (and the stage
 * builds its indexes beside them), a helper would only take turns with
 * them on the two cores, and its hand-overs (spinning, then sleeping) cost
 * CPU of their own: at 200,000 ads the cluster phase took 8.4-8.6 CPU-s
 * with no helper and 10.9-11.8 with one started for every large group.
 */
static struct aligner *aligner_new(const struct fine_state *F)
{
	struct aligner *A = mem_calloc(1, sizeof *A);

	if (!A)
		return NULL;
	A->F = F;
	atomic_init(&A->job, JOB_NONE);
	atomic_init(&A->taken, 0);
	A->stamp = mem_calloc(F->n ? F->n : 1, sizeof *A->stamp);
	if (!A->stamp) {
		mem_free(A);
		return NULL;
	}
	vec_init(&A->cand, sizeof(uint32_t));
	vec_init(&A->s.docpairs, sizeof(struct pair));
	vec_init(&A->s.docinfo, sizeof(struct docinfo));
	vec_init(&A->docpairs, sizeof(struct pair));
	vec_init(&A->docinfo, sizeof(struct docinfo));
	pthread_mutex_init(&A->mu, NULL);
	pthread_cond_init(&A->go, NULL);
	pthread_cond_init(&A->done, NULL);
	return A;
}

static void aligner_free(struct aligner *A)
{
	pthread_mutex_destroy(&A->mu);
	pthread_cond_destroy(&A->go);
	pthread_cond_destroy(&A->done);
	scratch_release(&A->s);
	vec_release(&A->cand);
	vec_release(&A->docpairs);
	vec_release(&A->docinfo);
	mem_free(A->stamp);
	mem_free(A->cnt);
	mem_free(A);
}

/* The helper is used from the next seed on once a worker took the offer. */
static void helper_check(struct fine_state *F)
{
	if (F->offer && atomic_load_explicit(&F->offer->taken, memory_order_acquire)) {
		F->help = F->offer;
		F->offer = NULL;
	}
}

/* Puts F's helper on offer (F works alone when it cannot be made). */
static void helper_offer(struct fine_state *F)
{
	struct aligner *A = aligner_new(F), **tail;

	if (!A)
		return;
	pthread_mutex_lock(&F->job->mu);
	for (tail = &F->job->offers; *tail; tail = &(*tail)->next)
		;
	*tail = A;
	pthread_mutex_unlock(&F->job->mu);
	F->offer = A;
}

/* The group needs its helper no more: an offer not taken is withdrawn, a
 * helper that was taken is sent back to its worker. */
static void helper_end(struct fine_state *F)
{
	struct aligner *A = F->help ? F->help : F->offer;
	int taken;

	if (!A)
		return;
	F->help = F->offer = NULL;
	pthread_mutex_lock(&F->job->mu);
	taken = atomic_load(&A->taken);
	if (!taken) {
		struct aligner **p;

		for (p = &F->job->offers; *p != A; p = &(*p)->next)
			;
		*p = A->next;
	}
	pthread_mutex_unlock(&F->job->mu);
	if (taken) {
		post(A, JOB_QUIT);
		wait_none(A);
		pthread_mutex_lock(&A->mu);
		pthread_mutex_unlock(&A->mu);
	}
	aligner_free(A);
}

/* An offered helper for an idle worker to run, or NULL. */
static struct aligner *helper_take(struct fine_job *j)
{
	struct aligner *A;

	pthread_mutex_lock(&j->mu);
	A = j->offers;
	if (A) {
		j->offers = A->next;
		atomic_store_explicit(&A->taken, 1, memory_order_release);
	}
	pthread_mutex_unlock(&j->mu);
	return A;
}

static size_t split_min(const struct fine_state *F)
{
	return F->cfg->help_min < ALIGN_SPLIT_MIN ? F->cfg->help_min : ALIGN_SPLIT_MIN;
}

/* candidates(), the second half of the bands found by the helper. */
static int candidates_shared(struct fine_state *F, uint32_t seed)
{
	struct aligner *A = F->help;
	int half = F->bi.bands / 2, rc;
	uint32_t now;
	size_t i;

	if (!A || half < 1)
		return candidates(F, seed);
	A->seed = seed;
	A->b0 = half;
	A->b1 = F->bi.bands;
	post(A, JOB_CAND);
	now = next_stamp(F->stamp, &F->stamp_now, F->n);
	vec_clear(&F->cand);
	F->stamp[seed] = now;
	rc = vec_push(&F->cand, &seed) || cand_bands(F, F->stamp, now, seed, 0, half, &F->cand);
	if (wait_job(A, JOB_CAND) || rc)
		return -1;
	/* the helper's bands come after the caller's: what they found first */
	for (i = 0; i < A->cand.len; i++) {
		uint32_t m = ((const uint32_t *)A->cand.data)[i];

		if (F->stamp[m] == now)
			continue;
		F->stamp[m] = now;
		if (vec_push(&F->cand, &m))
			return -1;
	}
	return 0;
}

/*
 * The seed's candidates aligned to it, in candidate order, into
 * s->docpairs and s->docinfo (the helper, when there is one, takes the
 * second half).
 */
static int align_candidates(struct fine_state *F, const uint16_t *seed_tok, uint32_t seed_ntok, const uint32_t *cand,
			    size_t nc)
{
	struct scratch *s = F->s;
	struct aligner *A = F->help;
	size_t split = nc;
	int rc;

	vec_clear(&s->docpairs);
	vec_clear(&s->docinfo);
	if (A && nc >= split_min(F)) {
		split = (nc + 1) / 2;
		A->seed_tok = seed_tok;
		A->seed_ntok = seed_ntok;
		A->cands = cand;
		A->lo = split;
		A->hi = nc;
		post(A, JOB_ALIGN);
	}
	rc = align_range(F, s, seed_tok, seed_ntok, cand, 0, split, &s->docpairs, &s->docinfo);
	if (split < nc) {
		size_t base = s->docpairs.len, k;
		const struct docinfo *hd;
		struct pair *to;

		if (wait_job(A, JOB_ALIGN) || rc)
			return -1;
		if (A->docpairs.len) {
			to = vec_grow(&s->docpairs, A->docpairs.len);
			if (!to)
				return -1;
			memcpy(to, A->docpairs.data, A->docpairs.len * sizeof *to);
		}
		hd = A->docinfo.data;
		for (k = 0; k < A->docinfo.len; k++) {
			struct docinfo d = hd[k];

			d.off += base;
			if (vec_push(&s->docinfo, &d))
				return -1;
		}
	}
	return rc;
}

/* The support levels ks[0..nk) evaluated into cd[] and F's level buffers
 * (the helper, when there is one, takes the second half). */
static int eval_levels(struct fine_state *F, uint32_t seed_ntok, size_t nc, const uint32_t *ks, size_t nk,
		       struct candidate *cd)
{
	struct aligner *A = F->help;
	size_t l, split = nk;

	if (A && nk >= 2 && nc >= split_min(F)) {
		split = (nk + 1) / 2;
		A->seed_ntok = seed_ntok;
		A->nd = nc;
		A->k = ks;
		A->cd = cd;
		A->lo = split;
		A->hi = nk;
		post(A, JOB_EVAL);
	}
	for (l = 0; l < split; l++)
		eval_level(F, F->s, F->s, nc, seed_ntok, ks[l], l, F->cnt, &cd[l]);
	return split < nk ? wait_job(A, JOB_EVAL) : 0;
}

/* Tries a template seeded at member `seed`; 1 when one was added. */
static int try_seed(struct fine_state *F, uint32_t seed)
{
	const struct ads_corpus *c = F->c;
	struct scratch *s = F->s;
	uint32_t seed_ad = F->gr->members[seed], seed_ntok, p, *cand;
	const uint16_t *seed_tok;
	static const double levels[] = { 0.9, 0.7, 0.5, 0.3 };
	struct candidate bestc, lcd[NLEVELS];
	uint32_t ks[NLEVELS];
	size_t i, nc, nal = 0, l, nk = 0;

	F->tried[seed] = 1;
	helper_check(F);
	if (candidates_shared(F, seed))
		return -1;
	cand = F->cand.data;
	nc = F->cand.len;
	if (nc < 2)
		return 0;
	seed_tok = c->tok + c->tok_off[seed_ad];
	seed_ntok = (uint32_t)(c->tok_off[seed_ad + 1] - c->tok_off[seed_ad]);
	if (seed_ntok + 2 > F->wcap) {
		size_t wc = seed_ntok + 2;

		if (grow_words(s, wc) || !(F->is_slot = mem_realloc(F->is_slot, wc)) ||
		    !(F->best_slot = mem_realloc(F->best_slot, wc)) || !(F->cnt = mem_realloc(F->cnt, wc * sizeof *F->cnt)) ||
		    !(F->lslot = mem_realloc(F->lslot, NLEVELS * wc)))
			return -1;
		F->wcap = wc;
	}
	if (nc > F->ccap) {
		size_t cc = nc * 2;

		if (!(F->ccur = mem_realloc(F->ccur, cc * sizeof *F->ccur)) ||
		    !(F->ccost = mem_realloc(F->ccost, cc * sizeof *F->ccost)) ||
		    !(F->bcost = mem_realloc(F->bcost, cc * sizeof *F->bcost)) ||
		    !(F->lcost = mem_realloc(F->lcost, NLEVELS * cc * sizeof *F->lcost)))
			return -1;
		F->ccap = cc;
	}
	/* align the candidates to the seed */
	if (align_candidates(F, seed_tok, seed_ntok, cand, nc))
		return -1;
	memset(s->support, 0, (seed_ntok + 1) * sizeof *s->support);
	for (i = 0; i < nc; i++) {
		const struct docinfo *d = (const struct docinfo *)s->docinfo.data + i;

		if (d->aligned) {
			const struct pair *pp = (const struct pair *)s->docpairs.data + d->off;
			uint32_t q;

			nal++;
			for (q = 0; q < d->npairs; q++)
				s->support[pp[q].p]++;
		}
		F->ccur[i] = F->cur[cand[i]];
	}
	/* the best support level: the levels' k do not rise, and the same k
	 * again gives the same template, which cannot save more than itself */
	for (l = 0; l < NLEVELS; l++) {
		uint32_t k = l < sizeof levels / sizeof levels[0] ? (uint32_t)ceil(levels[l] * (double)nal) : 2;

		if (k < 2)
			k = 2;
		if (nk == 0 || ks[nk - 1] != k)
			ks[nk++] = k;
	}
	if (eval_levels(F, seed_ntok, nc, ks, nk, lcd))
		return -1;
	memset(&bestc, 0, sizeof bestc);
	for (l = 0; l < nk; l++) {
		const struct candidate *cd = &lcd[l];

		if (cd->nassigned >= 2 && cd->savings > bestc.savings) {
			bestc = *cd;
			memcpy(F->best_slot, F->lslot + l * F->wcap, cd->npos + 1);
			memcpy(F->bcost, F->lcost + l * F->ccap, nc * sizeof *F->bcost);
		}
	}
	if (!(bestc.nassigned >= 2 && bestc.savings > 0))
		return 0;
	if (F->nt == F->tcap) {
		size_t tc = F->tcap ? F->tcap * 2 : 16;
		struct ftmpl *nt = mem_realloc(F->tp, tc * sizeof *nt);

		if (!nt)
			return -1;
		F->tp = nt;
		F->tcap = tc;
	}
	{
		struct ftmpl *t = &F->tp[F->nt];
		uint32_t q, g, ns = 0;

		memset(t, 0, sizeof *t);
		t->seed = seed;
		t->npos = bestc.npos;
		t->nslots = bestc.nslots;
		t->bits = bestc.tmpl_bits;
		t->pos = mem_alloc((bestc.npos ? bestc.npos : 1) * sizeof *t->pos);
		t->slots = mem_alloc((bestc.nslots ? bestc.nslots : 1) * sizeof *t->slots);
		F->nt++;
		if (!t->pos || !t->slots)
			return -1;
		for (p = 0, q = 0; p < seed_ntok; p++)
			if (s->support[p] >= bestc.k)
				t->pos[q++] = p;
		for (g = 0; g <= bestc.npos; g++)
			if (F->best_slot[g])
				t->slots[ns++] = g;
		for (i = 0; i < nc; i++) {
			struct tcost tc;

			if (!isfinite(F->bcost[i]) || F->bcost[i] >= F->raw[cand[i]])
				continue;
			tc.doc = cand[i];
			tc.tmpl = (uint32_t)(F->nt - 1);
			tc.cost = (float)F->bcost[i];
			if (vec_push(&F->costs, &tc))
				return -1;
			if (F->bcost[i] < F->cur[cand[i]]) {
				F->cur[cand[i]] = F->bcost[i];
				F->best[cand[i]] = (int32_t)(F->nt - 1);
			}
		}
	}
	return 1;
}

/* The cost of member d under template t (INFINITY when it does not align). */
static double doc_cost(struct fine_state *F, const struct ftmpl *t, uint32_t d)
{
	const struct ads_corpus *c = F->c;
	struct scratch *s = F->s;
	uint32_t seed_ad = F->gr->members[t->seed], ad = F->gr->members[d], g, p;
	const uint16_t *seed_tok = c->tok + c->tok_off[seed_ad];
	uint32_t seed_ntok = (uint32_t)(c->tok_off[seed_ad + 1] - c->tok_off[seed_ad]);
	int m = (int)(c->tok_off[ad + 1] - c->tok_off[ad]);
	int dmax = (int)ceil(F->cfg->max_diff * (double)(m + (int)seed_ntok));
	struct docinfo di;
	double w = c->word_bits, pos_bits, cost;
	int r;

	if (seed_ntok + 2 > F->wcap) {
		size_t wc = seed_ntok + 2;

		if (grow_words(s, wc) || !(F->is_slot = mem_realloc(F->is_slot, wc)) ||
		    !(F->best_slot = mem_realloc(F->best_slot, wc)) || !(F->cnt = mem_realloc(F->cnt, wc * sizeof *F->cnt)))
			return NAN;
		F->wcap = wc;
	}
	vec_clear(&s->docpairs);
	r = align(s, seed_tok, (int)seed_ntok, c->tok + c->tok_off[ad], m, dmax, &s->docpairs);
	if (r < 0)
		return NAN;
	if (r > 0)
		return INFINITY;
	for (p = 0; p < seed_ntok; p++)
		s->tindex[p] = UINT32_MAX;
	for (p = 0; p < t->npos; p++)
		s->tindex[t->pos[p]] = p;
	memset(F->is_slot, 0, t->npos + 1);
	for (g = 0; g < t->nslots; g++)
		F->is_slot[t->slots[g]] = 1;
	di.ad = ad;
	di.ntok = (uint32_t)m;
	di.off = 0;
	di.npairs = (uint32_t)s->docpairs.len;
	di.aligned = 1;
	gap_counts(&di, s->docpairs.data, s->tindex, F->cnt, t->npos);
	pos_bits = ceil(log2(t->npos + 1.0));
	cost = ads_logstar(t->npos) + t->npos;
	for (g = 0; g <= t->npos; g++)
		cost += F->is_slot[g] ? logstar_count(F->cnt[g]) + F->cnt[g] * w : F->cnt[g] * (pos_bits + 2 + w);
	return cost;
}

/* Docs still written out are tried against the templates of their near
 * neighbours (a template is found from its seed's neighbours only). */
static int reassign(struct fine_state *F)
{
	size_t d;

	for (d = 0; d < F->n; d++) {
		uint32_t tseen[8];
		size_t nts = 0, i;

		if (F->best[d] >= 0)
			continue;
		if (candidates(F, (uint32_t)d))
			return -1;
		for (i = 1; i < F->cand.len && nts < 8; i++) {
			uint32_t cm = ((uint32_t *)F->cand.data)[i];
			int32_t t = F->best[cm];
			size_t q;
			double cost;

			if (t < 0)
				continue;
			for (q = 0; q < nts && tseen[q] != (uint32_t)t; q++)
				;
			if (q < nts)
				continue;
			tseen[nts++] = (uint32_t)t;
			cost = doc_cost(F, &F->tp[t], (uint32_t)d);
			if (isnan(cost))
				return -1;
			if (cost < F->cur[d]) {
				struct tcost tc;

				tc.doc = (uint32_t)d;
				tc.tmpl = (uint32_t)t;
				tc.cost = (float)cost;
				if (vec_push(&F->costs, &tc))
					return -1;
				F->cur[d] = cost;
				F->best[d] = t;
			}
		}
	}
	return 0;
}

/*
 * InfoShield's test applied to a pair of templates: template b goes when
 * its docs written with template a (or written out, when cheaper) take
 * fewer bits than b itself plus its docs as they are.  A family whose
 * variants change many words is first cut into a template per variant
 * (their ads are too far apart in MinHash to meet as candidates); this
 * joins the variants again whenever one template describes them shorter.
 * Smaller templates are tried first, against every larger template of the
 * group (the templates of a group are few: at most merge_max are tried
 * for each).  gone[t] is set for each template merged away.
 */
static int merge_templates(struct fine_state *F, uint8_t *gone)
{
	size_t n = F->n, nt = F->nt, i, b;
	uint32_t *nads = mem_calloc(nt ? nt : 1, sizeof *nads), *order = mem_alloc((nt ? nt : 1) * sizeof *order);
	uint32_t *docs = mem_alloc((n ? n : 1) * sizeof *docs);
	double *best_cost = mem_alloc((n ? n : 1) * sizeof *best_cost), *try_cost = mem_alloc((n ? n : 1) * sizeof *try_cost);
	int rc = -1;

	if (!nads || !order || !docs || !best_cost || !try_cost)
		goto out;
	for (i = 0; i < n; i++)
		if (F->best[i] >= 0)
			nads[F->best[i]]++;
	for (b = 0; b < nt; b++)
		order[b] = (uint32_t)b;
	/* smallest first; ties in creation order */
	for (b = 1; b < nt; b++) {
		uint32_t x = order[b];
		size_t j = b;

		while (j > 0 && nads[order[j - 1]] > nads[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (b = 0; b < nt; b++) {
		uint32_t tb = order[b], nd = 0, best_a = UINT32_MAX, tried = 0;
		double keep, best_total = INFINITY;
		size_t a;

		if (gone[tb] || nads[tb] == 0)
			continue;
		keep = F->tp[tb].bits;
		for (i = 0; i < n; i++)
			if (F->best[i] == (int32_t)tb) {
				docs[nd++] = (uint32_t)i;
				keep += F->cur[i];
			}
		for (a = nt; a-- > 0 && tried < F->cfg->merge_max;) {
			uint32_t ta = order[a];
			double total = 0;
			uint32_t q;

			if (ta == tb || gone[ta] || nads[ta] < nads[tb])
				continue;
			tried++;
			for (q = 0; q < nd && total < keep; q++) {
				double c = doc_cost(F, &F->tp[ta], docs[q]);

				if (isnan(c))
					goto out;
				/* every doc must still be explained as well as step 2 asks */
				if (F->cfg->split_ratio > 0 && !(c <= F->cfg->split_ratio * F->raw[docs[q]]))
					total = INFINITY;
				try_cost[q] = c;
				total += c;
			}
			if (total < keep && total < best_total) {
				best_total = total;
				best_a = ta;
				memcpy(best_cost, try_cost, nd * sizeof *best_cost);
			}
		}
		if (best_a == UINT32_MAX)
			continue;
		gone[tb] = 1;
		for (i = 0; i < nd; i++) {
			uint32_t d = docs[i];

			F->best[d] = -1;
			F->cur[d] = F->raw[d];
			if (isfinite(best_cost[i])) {
				struct tcost tc;

				tc.doc = d;
				tc.tmpl = best_a;
				tc.cost = (float)best_cost[i];
				if (vec_push(&F->costs, &tc))
					goto out;
				F->best[d] = (int32_t)best_a;
				F->cur[d] = best_cost[i];
				nads[best_a]++;
			}
		}
		nads[tb] = 0;
	}
	rc = 0;
out:
	mem_free(nads);
	mem_free(order);
	mem_free(docs);
	mem_free(best_cost);
	mem_free(try_cost);
	return rc;
}

static int by_degree(const void *x, const void *y, void *arg)
{
	const uint32_t *deg = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (deg[a] != deg[b])
		return deg[a] > deg[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int by_ratio(const void *x, const void *y, void *arg)
{
	const struct fine_state *F = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	double ra = F->cur[a] / F->raw[a], rb = F->cur[b] / F->raw[b];

	if (ra != rb)
		return ra > rb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * Templates of one coarse group by minimum description length.  Each doc is
 * encoded by the template that encodes it cheapest, or written out.  Seeds
 * are tried in order of how many near-duplicates they have (the most
 * typical ad of a family first), then the docs their templates explain
 * worst; a seed's template is built from the docs whose MinHash signatures
 * are close to it (found through a band index of the group, so the work
 * grows with the size of the families, not of the group) and is kept when
 * it lowers the total description length.  Docs move to a later template
 * when it encodes them cheaper, so two families that share part of their
 * wording end up with a template each when that is shorter than one
 * template with their differences as slots.
 */
static int fine_group(const struct ads_corpus *c, const struct ads_ccfg *cfg, const struct group *gr,
		      struct scratch *s, struct gresult *res, struct fine_job *job, int help)
{
	struct fine_state F;
	uint32_t *order = NULL, *deg = NULL;
	size_t n = gr->n, i;
	int rc = -1;

	memset(&F, 0, sizeof F);
	F.c = c;
	F.cfg = cfg;
	F.gr = gr;
	F.s = s;
	F.n = n;
	F.job = job;
	/* first, so that a worker left without a group finds the offer */
	if (help)
		helper_offer(&F);
	atomic_fetch_sub(&job->deciding, 1);
	F.need = (int)ceil(cfg->min_jaccard * ADS_K - 1e-9);
	vec_init(&F.cand, sizeof(uint32_t));
	vec_init(&F.costs, sizeof(struct tcost));
	res->of = mem_alloc(n * sizeof *res->of);
	F.cur = mem_alloc(n * sizeof *F.cur);
	F.raw = mem_alloc(n * sizeof *F.raw);
	F.best = mem_alloc(n * sizeof *F.best);
	F.tried = mem_calloc(n, 1);
	F.stamp = mem_calloc(n, sizeof *F.stamp);
	order = mem_alloc(n * sizeof *order);
	deg = mem_calloc(n, sizeof *deg);
	F.fp = mem_calloc(n, FP_BYTES);
	if (!res->of || !F.cur || !F.raw || !F.best || !F.tried || !F.stamp || !order || !deg || !F.fp ||
	    bandidx_build(&F.bi, c, gr, cfg->bands, cfg->rows))
		goto out;
	for (i = 0; i < n; i++) {
		uint32_t ad = gr->members[i];

		F.raw[i] = raw_bits((uint32_t)(c->tok_off[ad + 1] - c->tok_off[ad]), c->word_bits);
		F.cur[i] = F.raw[i];
		F.best[i] = -1;
		order[i] = (uint32_t)i;
		{
			const uint32_t *sg = c->sig + (size_t)ad * ADS_K;
			int k;

			for (k = 0; k < ADS_K; k++)
				F.fp[i * FP_BYTES + (size_t)k / 2] |= (uint8_t)(fp_nibble(sg[k]) << (k & 1 ? 4 : 0));
		}
	}
	/* degree: the ads sharing a band bucket, summed over bands */
	{
		int b;

		for (b = 0; b < cfg->bands; b++) {
			const struct bent *e = F.bi.e + (size_t)b * n;
			size_t j = 0;

			while (j < n) {
				size_t k = j + 1, q;

				if (e[j].m & BENT_MIXED) {
					uint64_t key = bent_key(&F.bi, b, j);

					while (k < n && e[k].hi == e[j].hi && bent_key(&F.bi, b, k) == key)
						k++;
				} else {
					while (k < n && e[k].hi == e[j].hi)
						k++;
				}
				for (q = j; q < k; q++)
					deg[e[q].m & ~BENT_MIXED] += (uint32_t)(k - j - 1);
				j = k;
			}
		}
	}
	qsort_r(order, n, sizeof *order, by_degree, deg);
	/* 1. unexplained docs, most typical first */
	for (i = 0; i < n; i++) {
		uint32_t d = order[i];

		if (F.best[d] >= 0 || F.tried[d])
			continue;
		if (try_seed(&F, d) < 0)
			goto out;
	}
	/* 2. docs their template explains worst (split_ratio 0 turns this off) */
	if (cfg->split_ratio > 0) {
		size_t m = 0;

		for (i = 0; i < n; i++)
			if (F.best[i] >= 0 && !F.tried[i] && F.cur[i] / F.raw[i] > cfg->split_ratio)
				order[m++] = (uint32_t)i;
		qsort_r(order, m, sizeof *order, by_ratio, &F);
		for (i = 0; i < m; i++) {
			uint32_t d = order[i];

			if (F.tried[d] || F.cur[d] / F.raw[d] <= cfg->split_ratio)
				continue;
			if (try_seed(&F, d) < 0)
				goto out;
		}
	}
	/* 3. docs left over, against their neighbours' templates (one thread:
	 * a worker's helper is free again for another group) */
	helper_end(&F);
	if (reassign(&F))
		goto out;
	/* 4. templates merged when one describes both families' docs shorter
	 * (merge_max 0 turns this off); 5. templates left with fewer than two
	 * docs are dropped; their docs go to their next best choice */
	{
		uint32_t *count = mem_calloc(F.nt + 1, sizeof *count);
		uint8_t *dead = mem_calloc(F.nt + 1, 1);
		const struct tcost *tc;
		int again = 1;

		if (!count || !dead || (cfg->merge_max && merge_templates(&F, dead))) {
			mem_free(count);
			mem_free(dead);
			goto out;
		}
		tc = F.costs.data;   /* merging may have grown it */
		while (again) {
			size_t t;

			again = 0;
			memset(count, 0, (F.nt + 1) * sizeof *count);
			for (i = 0; i < n; i++)
				if (F.best[i] >= 0)
					count[F.best[i]]++;
			for (t = 0; t < F.nt; t++)
				if (!dead[t] && count[t] < 2) {
					dead[t] = 1;
					again = 1;
				}
			if (!again)
				break;
			for (i = 0; i < n; i++) {
				F.cur[i] = F.raw[i];
				F.best[i] = -1;
			}
			for (i = 0; i < F.costs.len; i++)
				if (!dead[tc[i].tmpl] && tc[i].cost < F.cur[tc[i].doc]) {
					F.cur[tc[i].doc] = tc[i].cost;
					F.best[tc[i].doc] = (int32_t)tc[i].tmpl;
				}
		}
		/* the kept templates, in creation order */
		res->t = mem_calloc(F.nt ? F.nt : 1, sizeof *res->t);
		if (!res->t) {
			mem_free(count);
			mem_free(dead);
			goto out;
		}
		{
			size_t t, kept = 0;

			for (t = 0; t < F.nt; t++) {
				struct gtmpl *gt;

				count[t] = UINT32_MAX;
				if (dead[t])
					continue;
				count[t] = (uint32_t)kept;
				gt = &res->t[kept++];
				gt->seed = gr->members[F.tp[t].seed];
				gt->npos = F.tp[t].npos;
				gt->nslots = F.tp[t].nslots;
				gt->pos = F.tp[t].pos;
				gt->slots = F.tp[t].slots;
				F.tp[t].pos = F.tp[t].slots = NULL;
				gt->bits_tmpl = F.tp[t].bits;
			}
			res->nt = kept;
		}
		for (i = 0; i < n; i++) {
			res->of[i] = F.best[i] >= 0 ? count[F.best[i]] : UINT32_MAX;
			if (F.best[i] >= 0) {
				struct gtmpl *gt = &res->t[count[F.best[i]]];

				gt->nads++;
				gt->bits_raw += F.raw[i];
				gt->bits_tmpl += F.cur[i];
			}
		}
		mem_free(count);
		mem_free(dead);
	}
	rc = 0;
out:
	helper_end(&F);
	for (i = 0; F.tp && i < F.nt; i++) {
		mem_free(F.tp[i].pos);
		mem_free(F.tp[i].slots);
	}
	mem_free(F.tp);
	mem_free(F.bi.e);
	mem_free(F.cur);
	mem_free(F.raw);
	mem_free(F.best);
	mem_free(F.tried);
	mem_free(F.stamp);
	mem_free(F.fp);
	mem_free(F.ccur);
	mem_free(F.ccost);
	mem_free(F.bcost);
	mem_free(F.cnt);
	mem_free(F.is_slot);
	mem_free(F.best_slot);
	mem_free(F.lslot);
	mem_free(F.lcost);
	vec_release(&F.cand);
	vec_release(&F.costs);
	mem_free(order);
	mem_free(deg);
	if (rc)
		res->failed = 1;
	return rc;
}

/* ---- fine: all groups, in parallel ---- */

static void *fine_worker(void *arg)
{
	struct fine_job *j = arg;
	struct scratch s;

	memset(&s, 0, sizeof s);
	vec_init(&s.docpairs, sizeof(struct pair));
	vec_init(&s.docinfo, sizeof(struct docinfo));
	for (;;) {
		size_t i;
		uint32_t g;
		int failed;

		atomic_fetch_add(&j->deciding, 1);
		i = atomic_fetch_add(&j->next, 1);
		failed = atomic_load(&j->failed);
		if (i >= j->ngroups || failed)
			atomic_fetch_sub(&j->deciding, 1);
		if (failed)
			break;
		if (i >= j->ngroups) {
			/* no group left: help one still trying seeds, until none is
			 * (a worker that took a group offers its helper right away) */
			struct aligner *A;

			while (!(A = helper_take(j)) && atomic_load(&j->deciding) > 0)
				sched_yield();
			if (!A)
				break;
			aligner_main(A);
			continue;
		}
		g = j->order[i];
		if (fine_group(j->c, j->cfg, &j->groups[g], &s, &j->res[g], j,
			       j->cfg->threads > 1 && j->groups[g].n >= j->cfg->help_min))
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
	pthread_mutex_init(&job.mu, NULL);
	atomic_init(&job.deciding, 0);
	if (nthreads > 16)
		nthreads = 16;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th[started], NULL, fine_worker, &job) == 0)
			started++;
	fine_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&job.mu);
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
