/*
 * Unit tests of the ads cluster step (src/ads/cluster.c) on a corpus made
 * here: template families whose ads differ in a few slot words, plus ads
 * of their own.  The fine step must find the families' templates, never
 * give two families one template, and give the same templates whatever
 * the number of workers and whether idle workers help the large groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ads/cluster.h"
#include "core/mem.h"

#define NFAM 6                /* template families */
#define FAM_WORDS 40          /* words of a family's text */
#define LONERS 40             /* ads of their own */
#define CHAIN 120             /* families of a chain: each shares three quarters of its words with the next */
#define CHAIN_ADS 6           /* ads per chained family */

struct corpus {
	struct ads_corpus c;
	uint32_t *sig;
	uint8_t *has_sig;
	uint16_t *tok;
	uint64_t *tok_off;
	int *family;              /* per ad, -1 for a loner */
};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* MinHash over word 3-shingles, one hash function per value (the stage
 * computes its own; any signature of the shingles serves the test). */
static void minhash(const uint16_t *w, size_t n, uint32_t *sig)
{
	size_t i;
	int k;

	for (k = 0; k < ADS_K; k++)
		sig[k] = UINT32_MAX;
	for (i = 0; i + 3 <= n; i++) {
		uint64_t sh = ((uint64_t)w[i] << 32) | ((uint64_t)w[i + 1] << 16) | w[i + 2];

		for (k = 0; k < ADS_K; k++) {
			uint64_t h = (sh + 1) * (0x9E3779B97F4A7C15ULL + 2 * (uint64_t)k + 1);

			h ^= h >> 29;
			h *= 0xBF58476D1CE4E5B9ULL;
			h ^= h >> 32;
			if ((uint32_t)h < sig[k])
				sig[k] = (uint32_t)h;
		}
	}
}

/* Families of sizes 5 + 12 f (the largest over the help threshold of the
 * tests) whose ads change 2 to 4 of their words, and loners. */
static void corpus_make(struct corpus *cp)
{
	uint16_t fam[NFAM][FAM_WORDS], chain[(CHAIN + 3) * FAM_WORDS / 4];
	uint64_t s = 42;
	size_t n = LONERS, i, t = 0;
	int f;

	for (f = 0; f < NFAM; f++)
		n += 5 + 12 * (size_t)f;
	n += CHAIN * CHAIN_ADS;
	memset(cp, 0, sizeof *cp);
	cp->sig = mem_alloc(n * ADS_K * sizeof *cp->sig);
	cp->has_sig = mem_alloc(n);
	cp->tok = mem_alloc(n * FAM_WORDS * sizeof *cp->tok);
	cp->tok_off = mem_alloc((n + 1) * sizeof *cp->tok_off);
	cp->family = mem_alloc(n * sizeof *cp->family);
	assert_non_null(cp->sig);
	assert_non_null(cp->has_sig);
	assert_non_null(cp->tok);
	assert_non_null(cp->tok_off);
	assert_non_null(cp->family);
	for (f = 0; f < NFAM; f++)
		for (i = 0; i < FAM_WORDS; i++)
			fam[f][i] = (uint16_t)(1000 + rng_next(&s) % 60000);
	for (i = 0; i < sizeof chain / sizeof chain[0]; i++)
		chain[i] = (uint16_t)(1000 + rng_next(&s) % 60000);
	/* ads interleaved, as posted: the families' labels shuffled */
	for (f = 0; f < NFAM; f++)
		for (i = 0; i < 5 + 12 * (size_t)f; i++)
			cp->family[t++] = f;
	for (f = 0; f < CHAIN; f++)
		for (i = 0; i < CHAIN_ADS; i++)
			cp->family[t++] = NFAM + f;
	while (t < n)
		cp->family[t++] = -1;
	for (i = n; i-- > 1;) {
		size_t j = (size_t)(rng_next(&s) % (i + 1));
		int x = cp->family[i];

		cp->family[i] = cp->family[j];
		cp->family[j] = x;
	}
	t = 0;
	for (i = 0; i < n; i++) {
		int g = cp->family[i];
		size_t w;

		cp->tok_off[i] = t;
		if (g < 0) {
			/* a loner: words of its own */
			for (w = 0; w < FAM_WORDS; w++)
				cp->tok[t + w] = (uint16_t)(1000 + rng_next(&s) % 60000);
		} else {
			size_t nslot = 2 + (size_t)(rng_next(&s) % 3), q;

			if (g < NFAM)
				memcpy(cp->tok + t, fam[g], sizeof fam[g]);
			else
				memcpy(cp->tok + t, chain + (size_t)(g - NFAM) * FAM_WORDS / 4, sizeof fam[0]);
			for (q = 0; q < nslot; q++)
				cp->tok[t + 5 + rng_next(&s) % (FAM_WORDS - 10)] = (uint16_t)(1 + rng_next(&s) % 999);
		}
		minhash(cp->tok + t, FAM_WORDS, cp->sig + i * ADS_K);
		cp->has_sig[i] = 1;
		t += FAM_WORDS;
	}
	cp->tok_off[n] = t;
	cp->c.n = n;
	cp->c.sig = cp->sig;
	cp->c.has_sig = cp->has_sig;
	cp->c.tok = cp->tok;
	cp->c.tok_off = cp->tok_off;
	cp->c.word_bits = 16;
}

static void corpus_release(struct corpus *cp)
{
	mem_free(cp->sig);
	mem_free(cp->has_sig);
	mem_free(cp->tok);
	mem_free(cp->tok_off);
	mem_free(cp->family);
}

static void ccfg_default(struct ads_ccfg *cfg, int threads, size_t help_min)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->bands = 16;
	cfg->rows = 4;
	cfg->min_jaccard = 0.3;
	cfg->max_diff = 0.6;
	cfg->split_ratio = 0.6;
	cfg->bucket_max = 512;
	cfg->help_min = help_min;
	cfg->threads = threads;
}

static void run(const struct corpus *cp, int threads, size_t help_min, struct ads_templates *T)
{
	struct ads_ccfg cfg;
	struct rs_err err;
	uint32_t *group = mem_alloc(cp->c.n * sizeof *group);

	assert_non_null(group);
	memset(&err, 0, sizeof err);
	ccfg_default(&cfg, threads, help_min);
	assert_int_equal(ads_coarse(&cp->c, &cfg, group, &err), 0);
	assert_int_equal(ads_fine(&cp->c, group, &cfg, T, &err), 0);
	mem_free(group);
}

/* The same templates, in the same order, for the same ads. */
static void assert_same(const struct corpus *cp, const struct ads_templates *a, const struct ads_templates *b)
{
	size_t i;

	assert_int_equal(a->t.len, b->t.len);
	assert_memory_equal(a->of, b->of, cp->c.n * sizeof *a->of);
	assert_int_equal(a->pos.len, b->pos.len);
	assert_int_equal(a->slots.len, b->slots.len);
	if (a->pos.len)
		assert_memory_equal(a->pos.data, b->pos.data, a->pos.len * sizeof(uint32_t));
	if (a->slots.len)
		assert_memory_equal(a->slots.data, b->slots.data, a->slots.len * sizeof(uint32_t));
	for (i = 0; i < a->t.len; i++) {
		const struct ads_tmpl *x = (const struct ads_tmpl *)a->t.data + i;
		const struct ads_tmpl *y = (const struct ads_tmpl *)b->t.data + i;

		assert_int_equal(x->seed, y->seed);
		assert_int_equal(x->nads, y->nads);
		assert_int_equal(x->npos, y->npos);
		assert_int_equal(x->nslots, y->nslots);
		assert_true(x->bits_raw == y->bits_raw);
		assert_true(x->bits_tmpl == y->bits_tmpl);
	}
}

static void families_found(void **state)
{
	struct corpus cp;
	struct ads_templates T;
	size_t i, j, covered = 0, fam_ads = 0;

	(void)state;
	corpus_make(&cp);
	run(&cp, 1, 4096, &T);
	assert_true(T.t.len >= NFAM);
	for (i = 0; i < cp.c.n; i++) {
		if (cp.family[i] < 0) {
			assert_int_equal(T.of[i], UINT32_MAX);   /* a loner shortens nothing */
			continue;
		}
		fam_ads++;
		covered += T.of[i] != UINT32_MAX;
		/* never one template for two families (of the chain, neighbours
		 * share three quarters of their words: one template may then be shorter) */
		for (j = 0; j < i; j++)
			if (T.of[i] != UINT32_MAX && T.of[i] == T.of[j] && (cp.family[i] < NFAM || cp.family[j] < NFAM))
				assert_int_equal(cp.family[i], cp.family[j]);
	}
	assert_true(covered * 10 >= fam_ads * 9);
	for (i = 0; i < T.t.len; i++) {
		const struct ads_tmpl *t = (const struct ads_tmpl *)T.t.data + i;

		assert_true(t->nads >= 2);
		assert_true(t->bits_tmpl < t->bits_raw);   /* kept only when it shortens */
	}
	ads_templates_release(&T);
	corpus_release(&cp);
}

/* One worker; two and three workers with every group of 2+ ads offering
 * its helper to the workers left without a group; the same run again. */
static void helpers_change_nothing(void **state)
{
	struct corpus cp;
	struct ads_templates one, other;
	static const int threads[] = { 2, 3, 2, 3 };
	size_t r;

	(void)state;
	corpus_make(&cp);
	run(&cp, 1, 4096, &one);
	for (r = 0; r < sizeof threads / sizeof threads[0]; r++) {
		run(&cp, threads[r], 2, &other);
		assert_same(&cp, &one, &other);
		ads_templates_release(&other);
		run(&cp, threads[r], 4096, &other);
		assert_same(&cp, &one, &other);
		ads_templates_release(&other);
	}
	ads_templates_release(&one);
	corpus_release(&cp);
}

/* The coarse rule written plainly: per band, the ads of one bucket (equal
 * band values) in ad order, each joined to the bucket's first ad when they
 * agree on `need` values, else to the one before it when those agree. */
static uint32_t ref_find(uint32_t *p, uint32_t x)
{
	while (p[x] != x)
		x = p[x];
	return x;
}

static void ref_union(uint32_t *p, uint32_t a, uint32_t b)
{
	a = ref_find(p, a);
	b = ref_find(p, b);
	if (a < b)
		p[b] = a;
	else if (b < a)
		p[a] = b;
}

static int ref_same(const uint32_t *x, const uint32_t *y)
{
	int k, same = 0;

	for (k = 0; k < ADS_K; k++)
		same += x[k] == y[k];
	return same;
}

static const uint32_t *ref_sig;
static int ref_band;

static int ref_by_band(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = memcmp(ref_sig + (size_t)a * ADS_K + ref_band * 4, ref_sig + (size_t)b * ADS_K + ref_band * 4,
		       4 * sizeof *ref_sig);

	return c ? c : a < b ? -1 : a > b;
}

static void coarse_reference(const struct ads_corpus *c, int need, uint32_t *group)
{
	uint32_t *order = mem_alloc(c->n * sizeof *order);
	size_t i, k, m;
	int b;

	assert_non_null(order);
	for (i = 0; i < c->n; i++)
		group[i] = (uint32_t)i;
	ref_sig = c->sig;
	for (b = 0; b < 16; b++) {
		for (i = 0, m = 0; i < c->n; i++)
			if (c->has_sig[i])
				order[m++] = (uint32_t)i;
		ref_band = b;
		qsort(order, m, sizeof *order, ref_by_band);
		for (i = 0; i < m; i = k)
			for (k = i + 1; k < m && memcmp(c->sig + (size_t)order[i] * ADS_K + b * 4,
							c->sig + (size_t)order[k] * ADS_K + b * 4, 4 * sizeof *c->sig) == 0;
			     k++) {
				const uint32_t *cur = c->sig + (size_t)order[k] * ADS_K;

				if (ref_same(c->sig + (size_t)order[i] * ADS_K, cur) >= need)
					ref_union(group, order[i], order[k]);
				else if (k - 1 > i && ref_same(c->sig + (size_t)order[k - 1] * ADS_K, cur) >= need)
					ref_union(group, order[k - 1], order[k]);
			}
	}
	for (i = 0; i < c->n; i++)
		group[i] = ref_find(group, (uint32_t)i);
	mem_free(order);
}

/*
 * Coarse groups at 1 and 2 threads equal the plain rule's, on signatures
 * whose values come from five letters: a band bucket holds several ads, and
 * pairs agree on about a fifth of their values, so the threshold (20 of 64)
 * cuts through them and every branch of the joins runs (an ad already
 * joined to the bucket's first ad but not to the one before it, among
 * others).
 */
static void coarse_as_compared(void **state)
{
	struct corpus cp;
	struct ads_ccfg cfg;
	struct rs_err err;
	size_t n = 3000, i;
	uint32_t *want, *got;
	uint64_t s = 7;
	int k, threads;

	(void)state;
	memset(&cp, 0, sizeof cp);
	cp.sig = mem_alloc(n * ADS_K * sizeof *cp.sig);
	cp.has_sig = mem_alloc(n);
	want = mem_alloc(n * sizeof *want);
	got = mem_alloc(n * sizeof *got);
	assert_non_null(cp.sig);
	assert_non_null(cp.has_sig);
	assert_non_null(want);
	assert_non_null(got);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ADS_K; k++)
			cp.sig[i * ADS_K + (size_t)k] = (uint32_t)(rng_next(&s) % 5);
		cp.has_sig[i] = i % 50 != 0;   /* a few ads without words */
	}
	cp.c.n = n;
	cp.c.sig = cp.sig;
	cp.c.has_sig = cp.has_sig;
	coarse_reference(&cp.c, 20, want);
	for (threads = 1; threads <= 2; threads++) {
		size_t joined = 0, roots = 0;

		ccfg_default(&cfg, threads, 4096);
		memset(&err, 0, sizeof err);
		assert_int_equal(ads_coarse(&cp.c, &cfg, got, &err), 0);
		assert_memory_equal(want, got, n * sizeof *got);
		for (i = 0; i < n; i++) {
			joined += got[i] != i;
			roots += cp.has_sig[i] && got[i] == i;
		}
		assert_true(joined > 0 && roots > 1);   /* some joined, not all in one */
	}
	mem_free(want);
	mem_free(got);
	mem_free(cp.sig);
	mem_free(cp.has_sig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(families_found),
		cmocka_unit_test(helpers_change_nothing),
		cmocka_unit_test(coarse_as_compared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
