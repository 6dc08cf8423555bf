/*
 * er_model: comparison levels and the Fellegi–Sunter model.
 *
 * Each field of a pair falls into one ordered level (the first condition
 * that holds wins, as in Splink's comparison levels); level 0 means one side
 * is missing and contributes nothing.  The match weight of a pair is
 *   log2(lambda / (1 - lambda)) + sum over fields of log2(m / u)
 * where m = P(level | match) comes from EM over the blocked pairs, u =
 * P(level | non-match) from random pairs, and lambda from deterministic
 * rules and a recall guess.  For exact agreement on skewed fields (given
 * name, surname, city) the value's own frequency replaces u (term-frequency
 * adjustment): agreeing on "garcia" counts for less than agreeing on a rare
 * surname.
 */
#include "er.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/par.h"
#include "core/parse.h"
#include "core/rng.h"
#include "er_compare.h"

static const char *const field_names[EF_N] = {
	"given_name", "surname", "maternal_surname", "dob", "sex", "phone", "email", "street_number",
	"street", "address2", "city", "postcode", "region", "id_number",
};

/* Level names per field; index 0 is "null". */
static const char *const level_names[EF_N][ER_MAXLEV] = {
	[EF_GIVEN] = { "null", "exact", "nickname or first name", "jw>=0.92", "jw>=0.85 or phonetic",
		       "initial", "swapped with surname", "different" },
	[EF_SUR] = { "null", "exact", "jw>=0.92", "jw>=0.85 or phonetic", "other surname or joined",
		     "jw>=0.70", "swapped with given name", "different" },
	[EF_SUR2] = { "null", "exact", "jw>=0.88", "different" },
	[EF_DOB] = { "null", "exact", "day/month swapped", "year +-1", "one part differs", "different" },
	[EF_SEX] = { "null", "same", "different" },
	[EF_PHONE] = { "null", "exact", "one digit off", "different" },
	[EF_EMAIL] = { "null", "exact", "same user or one edit", "different" },
	[EF_STNO] = { "null", "exact", "one edit", "different" },
	[EF_STREET] = { "null", "exact", "jw>=0.90", "jw>=0.75", "different" },
	[EF_ADDR2] = { "null", "exact", "jw>=0.90", "jw>=0.75", "different" },
	[EF_CITY] = { "null", "exact", "jw>=0.90", "different" },
	[EF_POSTCODE] = { "null", "exact", "one edit", "different" },
	[EF_REGION] = { "null", "same", "different" },
	[EF_IDNUM] = { "null", "exact", "one edit", "different" },
};

static const int nlevels[EF_N] = { 8, 8, 4, 6, 3, 4, 4, 4, 5, 5, 4, 4, 3, 4 };

const char *er_field_name(int f)
{
	return f >= 0 && f < EF_N ? field_names[f] : "?";
}

const char *er_level_name(int f, int lev)
{
	if (f < 0 || f >= EF_N || lev < 0 || lev >= nlevels[f])
		return "?";
	return level_names[f][lev];
}

/* ---- comparisons ---- */

static double jw_ids(const struct er_data *d, uint32_t a, uint32_t b)
{
	return er_jaro_winkler(d->sp[a], d->sl[a], d->sp[b], d->sl[b]);
}

/* 3-level edit comparison: exact, within one edit, different. */
static int edit3(const struct er_data *d, uint32_t a, uint32_t b)
{
	if (!a || !b)
		return 0;
	if (a == b)
		return 1;
	return er_within1(d->sp[a], d->sl[a], d->sp[b], d->sl[b]) ? 2 : 3;
}

/* Double Metaphone agreement: any code of one name equals any of the other
 * (interned ids; an alternate of 0 means the name has one reading). */
static int dm_match(uint32_t p1, uint32_t a1, uint32_t p2, uint32_t a2)
{
	return p1 && p2 && (p1 == p2 || p1 == a2 || (a1 && (a1 == p2 || a1 == a2)));
}

static int cmp_given(const struct er_data *d, const struct er_rec *a, const struct er_rec *b)
{
	const char *ga, *gb;
	double jw;

	if (!a->given || !b->given)
		return 0;
	if (a->given == b->given)
		return 1;
	if (a->given1 == b->given1 || (a->nick && (a->nick == b->given1 || a->nick == b->nick)) ||
	    (b->nick && b->nick == a->given1) ||
	    name_nicks_match_ids(&d->nicks, a->nk_given1, b->nk_given1) ||
	    name_nicks_match_ids(&d->nicks, a->nk_given, b->nk_given) ||
	    name_nicks_match_ids(&d->nicks, a->nk_given, b->nk_given1) ||
	    name_nicks_match_ids(&d->nicks, a->nk_given1, b->nk_given))
		return 2;
	jw = jw_ids(d, a->given, b->given);
	if (jw >= 0.92)
		return 3;
	if (jw >= 0.85 || (a->ph_given1 && a->ph_given1 == b->ph_given1) ||
	    dm_match(a->mp_given1, a->mp2_given1, b->mp_given1, b->mp2_given1))
		return 4;
	ga = er_str(d, a->given1);
	gb = er_str(d, b->given1);
	if ((ga[1] == '\0' || gb[1] == '\0') && ga[0] == gb[0])
		return 5;
	return 7;
}

static int swapped(const struct er_rec *a, const struct er_rec *b)
{
	return a->given1 && b->given1 && a->sur1 && b->sur1 && a->given1 == b->sur1 && a->sur1 == b->given1;
}

/* Given name and surname swapped with a typing error in one of them:
 * one crossed pair near-equal by Jaro-Winkler (>= 0.92), the other close
 * (>= 0.80: "jennifer" / "jennyy" is 0.83). */
static int near_swap(const struct er_data *d, const struct er_rec *a, const struct er_rec *b)
{
	double x, y;

	if (!a->given1 || !b->given1 || !a->sur1 || !b->sur1)
		return 0;
	x = jw_ids(d, a->given1, b->sur1);
	y = jw_ids(d, a->sur1, b->given1);
	return (x >= 0.92 && y >= 0.80) || (y >= 0.92 && x >= 0.80);
}

/* "martinezcruz" == "martinez" + "cruz" */
static int joined(const struct er_data *d, const struct er_rec *a, const struct er_rec *b)
{
	const char *s1, *s2, *j;
	size_t n1;

	if (!b->sur2)
		return 0;
	j = er_str(d, a->sur1);
	s1 = er_str(d, b->sur1);
	s2 = er_str(d, b->sur2);
	n1 = strlen(s1);
	return strncmp(j, s1, n1) == 0 && (strcmp(j + n1, s2) == 0 || (j[n1] == ' ' && strcmp(j + n1 + 1, s2) == 0));
}

static int cmp_sur(const struct er_data *d, const struct er_rec *a, const struct er_rec *b)
{
	double jw;

	if (!a->sur1 || !b->sur1)
		return 0;
	if (a->sur1 == b->sur1 || a->sur1ny == b->sur1ny)
		return 1;
	jw = jw_ids(d, a->sur1, b->sur1);
	if (jw >= 0.92)
		return 2;
	if (jw >= 0.85 || (a->ph_sur1 && a->ph_sur1 == b->ph_sur1) ||
	    dm_match(a->mp_sur1, a->mp2_sur1, b->mp_sur1, b->mp2_sur1))
		return 3;
	if ((a->sur2 && a->sur2 == b->sur1) || (b->sur2 && b->sur2 == a->sur1) || joined(d, a, b) ||
	    joined(d, b, a))
		return 4;
	if (jw >= 0.70)
		return 5;
	return 7;
}

static int cmp_dob(const struct er_rec *a, const struct er_rec *b)
{
	int same;

	if (!a->y || !b->y)
		return 0;
	if (a->y == b->y && a->m == b->m && a->d == b->d)
		return 1;
	if (a->y == b->y && a->m == b->d && a->d == b->m)
		return 2;
	if (a->m == b->m && a->d == b->d && (a->y == b->y + 1 || b->y == a->y + 1))
		return 3;
	same = (a->y == b->y) + (a->m == b->m) + (a->d == b->d);
	return same == 2 ? 4 : 5;
}

static int cmp_jw4(const struct er_data *d, uint32_t a, uint32_t b)
{
	double jw;

	if (!a || !b)
		return 0;
	if (a == b)
		return 1;
	jw = jw_ids(d, a, b);
	return jw >= 0.90 ? 2 : jw >= 0.75 ? 3 : 4;
}

uint64_t er_compare(const struct er_data *d, const struct er_rec *a, const struct er_rec *b, int lev[EF_N])
{
	uint64_t pat = 0;
	int f;

	if (swapped(a, b)) {
		/* one piece of evidence, counted once (on the surname) */
		lev[EF_GIVEN] = 0;
		lev[EF_SUR] = 6;
	} else {
		lev[EF_GIVEN] = cmp_given(d, a, b);
		lev[EF_SUR] = cmp_sur(d, a, b);
		if (lev[EF_GIVEN] == 7 && lev[EF_SUR] >= 5 && near_swap(d, a, b)) {
			/* swapped, and one of the two mistyped ("whtie brandon") */
			lev[EF_GIVEN] = 0;
			lev[EF_SUR] = 6;
		}
	}
	if (!a->sur2 || !b->sur2)
		lev[EF_SUR2] = 0;
	else if (a->sur2 == b->sur2)
		lev[EF_SUR2] = 1;
	else
		lev[EF_SUR2] = jw_ids(d, a->sur2, b->sur2) >= 0.88 ? 2 : 3;
	lev[EF_DOB] = cmp_dob(a, b);
	lev[EF_SEX] = !a->sex || !b->sex ? 0 : a->sex == b->sex ? 1 : 2;
	lev[EF_PHONE] = edit3(d, a->phone, b->phone);
	if (!a->email || !b->email)
		lev[EF_EMAIL] = 0;
	else if (a->email == b->email)
		lev[EF_EMAIL] = 1;
	else {
		const char *ea = er_str(d, a->email), *eb = er_str(d, b->email);
		const char *ata = strchr(ea, '@'), *atb = strchr(eb, '@');
		int same_user = ata && atb && ata - ea == atb - eb && memcmp(ea, eb, (size_t)(ata - ea)) == 0;

		/* the same user at another provider, or one typing error; two
		 * edits would let "mhernandez85" meet "mhernandez90" */
		lev[EF_EMAIL] = same_user || er_within1(ea, d->sl[a->email], eb, d->sl[b->email]) ? 2 : 3;
	}
	lev[EF_STNO] = edit3(d, a->stno, b->stno);
	lev[EF_STREET] = cmp_jw4(d, a->street, b->street);
	lev[EF_POSTCODE] = edit3(d, a->postcode, b->postcode);
	if (lev[EF_STREET] == 4) {
		/* another street: a person who moved.  Its house number and
		 * postcode differ as a consequence, not as more evidence:
		 * counting them again made a move outweigh name and birth date */
		if (lev[EF_STNO] == 3)
			lev[EF_STNO] = 0;
		if (lev[EF_POSTCODE] == 3)
			lev[EF_POSTCODE] = 0;
	}
	lev[EF_ADDR2] = cmp_jw4(d, a->addr2, b->addr2);
	if (!a->city || !b->city)
		lev[EF_CITY] = 0;
	else if (a->city == b->city)
		lev[EF_CITY] = 1;
	else
		lev[EF_CITY] = jw_ids(d, a->city, b->city) >= 0.90 ? 2 : 3;
	lev[EF_REGION] = !a->region || !b->region ? 0 : a->region == b->region ? 1 : 2;
	lev[EF_IDNUM] = edit3(d, a->idnum, b->idnum);
	for (f = 0; f < EF_N; f++)
		pat |= (uint64_t)lev[f] << (3 * f);
	return pat;
}

int er_rule_match(const int lev[EF_N])
{
	/* deterministic rules: the same full name and date of birth, or the
	 * same document number and date of birth */
	return (lev[EF_GIVEN] == 1 && lev[EF_SUR] == 1 && lev[EF_DOB] == 1) ||
	       (lev[EF_IDNUM] == 1 && lev[EF_DOB] == 1);
}

/* ---- weights ---- */

static int tf_field(int f)
{
	return f == EF_GIVEN || f == EF_SUR || f == EF_CITY;
}

static uint32_t tf_value(const struct er_rec *r, int f)
{
	return f == EF_GIVEN ? r->given : f == EF_SUR ? r->sur1 : f == EF_CITY ? r->city : 0;
}

int er_identity_field(int f)
{
	/* the maternal surname is left out: dropped, joined or displaced by a
	 * given name/surname swap, its disagreement is weak evidence */
	return f == EF_GIVEN || f == EF_SUR || f == EF_DOB || f == EF_SEX || f == EF_IDNUM;
}

/* Weight of a pair, its identity part in *ident; level weights from lw
 * when given (the same values). */
static double weigh(const struct er_model *mo, const struct er_lw *lw, const struct er_rec *a, const int lev[EF_N],
		    struct er_expl *e, double *ident)
{
	double w = log2(mo->lambda / (1.0 - mo->lambda)), id = 0;
	int f;

	if (e) {
		memset(e, 0, sizeof *e);
		e->prior = w;
	}
	for (f = 0; f < EF_N; f++) {
		int l = lev[f];
		double fw, tfw = 0;

		if (!l)
			continue;
		fw = lw ? lw->w[f][l] : log2(mo->m[f][l] / mo->u[f][l]);
		if (l == 1 && tf_field(f) && mo->tf[f].count && mo->tf_weight > 0) {
			uint32_t v = tf_value(a, f);
			double uf;

			if (v < mo->tf[f].n && mo->tf[f].count[v] && mo->tf[f].total) {
				uf = (double)mo->tf[f].count[v] / (double)mo->tf[f].total;
				if (uf < mo->tf_min_u)
					uf = mo->tf_min_u;
				tfw = mo->tf_weight * log2(mo->u[f][l] / uf);
			}
		}
		w += fw + tfw;
		if (er_identity_field(f))
			id += fw + tfw;
		if (e) {
			e->lev[f] = l;
			e->w[f] = fw + tfw;
			e->tfw[f] = tfw;
		}
	}
	if (e) {
		e->total = w;
		e->identity = id;
	}
	*ident = id;
	return w;
}

double er_weight(const struct er_model *mo, const struct er_data *d, const struct er_rec *a,
		 const struct er_rec *b, const int lev[EF_N], struct er_expl *e)
{
	double id;

	(void)d;
	(void)b;
	return weigh(mo, NULL, a, lev, e, &id);
}

int er_accept(const struct er_model *mo, const struct er_data *d, const struct er_rec *a, const struct er_rec *b,
	      const int lev[EF_N], double *w)
{
	double id, x;

	(void)d;
	(void)b;
	x = weigh(mo, NULL, a, lev, NULL, &id);
	if (w)
		*w = x;
	return x >= mo->threshold && id >= mo->identity_min;
}

void er_lw_init(struct er_lw *lw, const struct er_model *mo)
{
	int f, l;

	memset(lw, 0, sizeof *lw);
	for (f = 0; f < EF_N; f++)
		for (l = 1; l < mo->nlev[f] && l < ER_MAXLEV; l++)
			lw->w[f][l] = log2(mo->m[f][l] / mo->u[f][l]);
}

int er_accept_lw(const struct er_model *mo, const struct er_lw *lw, const struct er_rec *a, const int lev[EF_N],
		 double *w)
{
	double id, x = weigh(mo, lw, a, lev, NULL, &id);

	if (w)
		*w = x;
	return x >= mo->threshold && id >= mo->identity_min;
}

/* ---- estimation ---- */

void er_model_init(struct er_model *mo, const struct cfg *cfg)
{
	int f, l;

	memset(mo, 0, sizeof *mo);
	for (f = 0; f < EF_N; f++) {
		mo->nlev[f] = nlevels[f];
		for (l = 1; l < nlevels[f]; l++) {
			/* starting values: agreement likely among matches, unlikely otherwise */
			double frac = (double)(l - 1) / (double)(nlevels[f] - 1);

			mo->m[f][l] = l == 1 ? 0.85 : 0.15 * (1.0 - frac) / (double)(nlevels[f] - 2) + 1e-3;
			mo->u[f][l] = l == nlevels[f] - 1 ? 0.9 : 0.1 / (double)(nlevels[f] - 2);
		}
		strmap_init(&mo->tf_names[f]);
		vec_init(&mo->tf_counts[f], sizeof(uint32_t));
	}
	mo->lambda = cfg_double(cfg, "resolve.model.lambda_default", 1e-4);
	mo->threshold = cfg_double(cfg, "resolve.threshold", 2.0);
	mo->tf_weight = cfg_double(cfg, "resolve.model.tf_weight", 1.0);
	mo->tf_min_u = cfg_double(cfg, "resolve.model.tf_min_u", 1e-4);
	mo->identity_min = cfg_double(cfg, "resolve.identity_min", 0.0);
}

void er_model_release(struct er_model *mo)
{
	int f;

	for (f = 0; f < EF_N; f++) {
		mem_free(mo->tf[f].count);
		mo->tf[f].count = NULL;
		strmap_release(&mo->tf_names[f]);
		vec_release(&mo->tf_counts[f]);
	}
}

/* Random pairs are drawn in a fixed number of chunks, each with its own
 * generator stream, so the estimate is the same whatever the thread count. */
#define U_CHUNKS 16

struct u_job {
	const struct er_data *d;
	const uint32_t *ia, *ib;
	size_t na, nb;
	uint64_t seed, npairs;
	int chunk_from, chunk_to;
	uint64_t cnt[EF_N][ER_MAXLEV];
};

static void *u_thread(void *arg)
{
	struct u_job *j = arg;
	const struct er_rec *r = j->d->recs.data;
	size_t n = j->d->recs.len;
	int c, f;

	memset(j->cnt, 0, sizeof j->cnt);
	for (c = j->chunk_from; c < j->chunk_to; c++) {
		struct rng g;
		uint64_t k, todo = j->npairs / U_CHUNKS + ((uint64_t)c < j->npairs % U_CHUNKS);

		rng_seed2(&g, j->seed, (uint64_t)c);
		for (k = 0; k < todo; k++) {
			int lev[EF_N];
			size_t x, y;

			if (j->ia) {
				x = j->ia[rng_below(&g, j->na)];
				y = j->ib[rng_below(&g, j->nb)];
			} else {
				x = rng_below(&g, n);
				y = rng_below(&g, n - 1);
				if (y >= x)
					y++;
			}
			er_compare(j->d, &r[x], &r[y], lev);
			for (f = 0; f < EF_N; f++)
				j->cnt[f][lev[f]]++;
		}
	}
	return NULL;
}

int er_model_estimate_u(struct er_model *mo, const struct er_data *d, uint64_t npairs, uint64_t seed,
			int64_t link_a, int64_t link_b, int threads)
{
	const struct er_rec *r = d->recs.data;
	uint64_t cnt[EF_N][ER_MAXLEV];
	uint32_t *ia = NULL, *ib = NULL;
	size_t na = 0, nb = 0, i, n = d->recs.len;
	struct u_job jobs[8];
	int f, l, t;

	if (n < 2)
		return 0;
	memset(cnt, 0, sizeof cnt);
	if (link_a || link_b) {
		ia = mem_alloc(n * sizeof *ia);
		ib = mem_alloc(n * sizeof *ib);
		if (!ia || !ib) {
			mem_free(ia);
			mem_free(ib);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (r[i].source_id == link_a)
				ia[na++] = (uint32_t)i;
			else if (r[i].source_id == link_b)
				ib[nb++] = (uint32_t)i;
		}
		if (!na || !nb) {
			mem_free(ia);
			mem_free(ib);
			return 0;
		}
	}
	if (threads < 1)
		threads = 1;
	if (threads > 8)
		threads = 8;
	for (t = 0; t < threads; t++) {
		jobs[t].d = d;
		jobs[t].ia = ia;
		jobs[t].ib = ib;
		jobs[t].na = na;
		jobs[t].nb = nb;
		jobs[t].seed = seed;
		jobs[t].npairs = npairs;
		jobs[t].chunk_from = U_CHUNKS * t / threads;
		jobs[t].chunk_to = U_CHUNKS * (t + 1) / threads;
	}
	par_run(jobs, sizeof jobs[0], threads, u_thread);
	for (t = 0; t < threads; t++)
		for (f = 0; f < EF_N; f++)
			for (l = 0; l < ER_MAXLEV; l++)
				cnt[f][l] += jobs[t].cnt[f][l];
	mem_free(ia);
	mem_free(ib);
	for (f = 0; f < EF_N; f++) {
		uint64_t tot = 0;

		for (l = 1; l < nlevels[f]; l++)
			tot += cnt[f][l];
		if (!tot)
			continue;
		for (l = 1; l < nlevels[f]; l++)
			/* add-half smoothing: a level never seen among random pairs
			 * is rare, not impossible */
			mo->u[f][l] = ((double)cnt[f][l] + 0.5) / ((double)tot + 0.5 * (nlevels[f] - 1));
	}
	return 0;
}

int er_model_em(struct er_model *mo, const uint64_t *patterns, const uint64_t *counts, size_t npat,
		int max_iter, double tol, double p_fixed)
{
	double p = p_fixed > 0 ? p_fixed : 0.05;
	int it, f, l;

	if (!npat)
		return 0;
	for (it = 0; it < max_iter; it++) {
		double sm[EF_N][ER_MAXLEV], tot_match = 0, tot = 0, delta = 0;
		size_t i;

		memset(sm, 0, sizeof sm);
		for (i = 0; i < npat; i++) {
			double lm = log(p), lu = log(1 - p), pm;

			for (f = 0; f < EF_N; f++) {
				l = (int)((patterns[i] >> (3 * f)) & 7);
				if (l) {
					lm += log(mo->m[f][l]);
					lu += log(mo->u[f][l]);
				}
			}
			pm = 1.0 / (1.0 + exp(lu - lm));
			tot_match += pm * (double)counts[i];
			tot += (double)counts[i];
			for (f = 0; f < EF_N; f++) {
				l = (int)((patterns[i] >> (3 * f)) & 7);
				if (l)
					sm[f][l] += pm * (double)counts[i];
			}
		}
		for (f = 0; f < EF_N; f++) {
			double s = 0;

			for (l = 1; l < nlevels[f]; l++)
				s += sm[f][l];
			if (s <= 0)
				continue;
			for (l = 1; l < nlevels[f]; l++) {
				/* one pseudo-pair per level: a level EM never sees among
				 * matches stays possible, not a -15 bit veto */
				double v = (sm[f][l] + 1.0) / (s + 1.0 * (nlevels[f] - 1));

				if (fabs(v - mo->m[f][l]) > delta)
					delta = fabs(v - mo->m[f][l]);
				mo->m[f][l] = v;
			}
		}
		/* the share of matches among blocked pairs comes from the
		 * deterministic rules when known: left free, EM can drift to a
		 * "same name" class that calls almost every blocked pair a match */
		p = p_fixed > 0 ? p_fixed : tot_match / tot;
		if (p < 1e-9)
			p = 1e-9;
		if (p > 1 - 1e-9)
			p = 1 - 1e-9;
		mo->em_iterations = it + 1;
		if (delta < tol)
			break;
	}
	mo->em_p = p;
	mo->trained = 1;
	return 0;
}

void er_model_set_lambda(struct er_model *mo, uint64_t rule_pairs, double recall, double total_pairs)
{
	double l;

	if (!rule_pairs || total_pairs <= 0 || recall <= 0)
		return;
	l = (double)rule_pairs / recall / total_pairs;
	if (l > 0.5)
		l = 0.5;
	if (l < 1e-12)
		l = 1e-12;
	mo->lambda = l;
}

int er_model_count_tf(struct er_model *mo, const struct er_data *d)
{
	const struct er_rec *r = d->recs.data;
	size_t nids = strmap_count(&d->strs) + 1, i;
	int f;

	for (f = 0; f < EF_N; f++) {
		if (!tf_field(f))
			continue;
		mem_free(mo->tf[f].count);
		mo->tf[f].count = mem_calloc(nids, sizeof(uint32_t));
		if (!mo->tf[f].count)
			return -1;
		mo->tf[f].n = nids;
		mo->tf[f].total = 0;
		for (i = 0; i < d->recs.len; i++) {
			uint32_t v = tf_value(&r[i], f);

			if (v) {
				mo->tf[f].count[v]++;
				mo->tf[f].total++;
			}
		}
	}
	return 0;
}

/* ---- parameter files ---- */

int er_model_save(const struct er_model *mo, const struct er_data *d, struct sbuf *out)
{
	int f, l;

	sbuf_adds(out, "# rastro resolution model 1\n");
	sbuf_addf(out, "lambda %.17g\nthreshold %.17g\ntf_weight %.17g\ntf_min_u %.17g\nem_p %.17g\n"
		       "em_iterations %d\n",
		  mo->lambda, mo->threshold, mo->tf_weight, mo->tf_min_u, mo->em_p, mo->em_iterations);
	for (f = 0; f < EF_N; f++)
		for (l = 1; l < nlevels[f]; l++)
			sbuf_addf(out, "level %s %d %.17g %.17g\n", field_names[f], l, mo->m[f][l], mo->u[f][l]);
	for (f = 0; f < EF_N; f++) {
		size_t v;

		if (!mo->tf[f].count)
			continue;
		sbuf_addf(out, "tf_total %s %llu\n", field_names[f], (unsigned long long)mo->tf[f].total);
		/* values seen more than once; a value absent from the file is
		 * as rare as the minimum */
		for (v = 1; v < mo->tf[f].n; v++)
			if (mo->tf[f].count[v] > 1)
				sbuf_addf(out, "tf %s %u %s\n", field_names[f], mo->tf[f].count[v], er_str(d, (uint32_t)v));
	}
	return sbuf_failed(out) ? -1 : 0;
}

static int field_of(const char *s, size_t n)
{
	int f;

	for (f = 0; f < EF_N; f++)
		if (strlen(field_names[f]) == n && memcmp(field_names[f], s, n) == 0)
			return f;
	return -1;
}

/* The next word of [*p, end), spaces and tabs around it skipped; its
 * length in *n (0 at the end of the line). */
static const char *next_word(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *e;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
		;
	*n = (size_t)(e - s);
	*p = e;
	return s;
}

static int word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(w, name, n) == 0;
}

/* One number word, strictly: the whole word must be the number. */
static int word_double(const char **p, const char *end, double *x)
{
	size_t n;
	const char *w = next_word(p, end, &n);

	return n && !parse_double(w, n, x) ? 0 : -1;
}

static int word_i64(const char **p, const char *end, int64_t lo, int64_t hi, int64_t *v)
{
	size_t n;
	const char *w = next_word(p, end, &n);

	return n && !parse_i64(w, n, v) && *v >= lo && *v <= hi ? 0 : -1;
}

/* 0 when nothing but spaces is left on the line. */
static int line_ends(const char **p, const char *end)
{
	size_t n;

	next_word(p, end, &n);
	return n ? -1 : 0;
}

/* The scalar settings: "lambda 0.01" and the like; 1 when the line was
 * one of them, 0 when it is another kind, -1 when its value is bad. */
static int load_scalar(struct er_model *mo, const char *w, size_t wn, const char **p, const char *end)
{
	static const char *const names[] = { "lambda", "threshold", "tf_weight", "tf_min_u", "em_p" };
	double *const slots[] = { &mo->lambda, &mo->threshold, &mo->tf_weight, &mo->tf_min_u, &mo->em_p };
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (word_is(w, wn, names[i]))
			return word_double(p, end, slots[i]) || line_ends(p, end) ? -1 : 1;
	if (word_is(w, wn, "em_iterations")) {
		if (word_i64(p, end, 0, INT32_MAX, &v) || line_ends(p, end))
			return -1;
		mo->em_iterations = (int)v;
		return 1;
	}
	return 0;
}

/* The field named by the next word, or -1. */
static int word_field(const char **p, const char *end)
{
	size_t n;
	const char *w = next_word(p, end, &n);

	return n ? field_of(w, n) : -1;
}

int er_model_load(struct er_model *mo, const char *text, size_t n, struct rs_err *err)
{
	const char *p = text, *end = text + n;
	unsigned long lineno = 0;
	int have_tf[EF_N] = { 0 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p, *w;
		size_t len = (size_t)(le - p), wn;
		int f, r, shown;
		int64_t l, tot, cnt;
		double x, y;

		lineno++;
		p = nl ? nl + 1 : end;
		if (len && le[-1] == '\r')
			le--;
		w = next_word(&q, le, &wn);
		if (!wn || w[0] == '#')
			continue;
		shown = le - w > 60 ? 60 : (int)(le - w);
		if ((r = load_scalar(mo, w, wn, &q, le)) < 0)
			return err_set(err, RASTRO_FORMAT, "parameters:%lu: bad value in '%.*s'", lineno, shown, w);
		if (r)
			continue;
		if (word_is(w, wn, "level")) {
			f = word_field(&q, le);
			if (f < 0 || word_i64(&q, le, 1, nlevels[f] - 1, &l) || word_double(&q, le, &x) ||
			    word_double(&q, le, &y) || line_ends(&q, le) || !(x > 0) || !(y > 0) || x > 1 || y > 1)
				return err_set(err, RASTRO_FORMAT, "parameters:%lu: bad level line '%.*s'", lineno, shown, w);
			mo->m[f][l] = x;
			mo->u[f][l] = y;
		} else if (word_is(w, wn, "tf_total")) {
			f = word_field(&q, le);
			if (f < 0 || !tf_field(f) || word_i64(&q, le, 0, INT64_MAX, &tot) || line_ends(&q, le))
				return err_set(err, RASTRO_FORMAT, "parameters:%lu: bad tf_total line", lineno);
			mo->tf[f].total = (unsigned long long)tot;
			have_tf[f] = 1;
		} else if (word_is(w, wn, "tf")) {
			const char *v;
			uint32_t id, c32;

			f = word_field(&q, le);
			if (f < 0 || !have_tf[f])
				return err_set(err, RASTRO_FORMAT, "parameters:%lu: tf line before its tf_total", lineno);
			if (word_i64(&q, le, 0, UINT32_MAX, &cnt))
				return err_set(err, RASTRO_FORMAT, "parameters:%lu: bad count in a tf line", lineno);
			/* the value is the rest of the line: it may hold spaces */
			for (v = q; v < le && (*v == ' ' || *v == '\t'); v++)
				;
			c32 = (uint32_t)cnt;
			id = strmap_intern(&mo->tf_names[f], v, (size_t)(le - v), NULL);
			if (!id || (id > mo->tf_counts[f].len && vec_push(&mo->tf_counts[f], &c32)))
				return err_set(err, RASTRO_NOMEM, "out of memory reading parameters");
		} else
			return err_set(err, RASTRO_FORMAT, "parameters:%lu: unknown line '%.*s'", lineno, shown, w);
	}
	mo->trained = 1;
	return 0;
}

int er_model_bind_tf(struct er_model *mo, const struct er_data *d)
{
	size_t nids = strmap_count(&d->strs) + 1, i;
	int f;

	for (f = 0; f < EF_N; f++) {
		if (!tf_field(f) || !mo->tf[f].total)
			continue;
		mem_free(mo->tf[f].count);
		mo->tf[f].count = mem_calloc(nids, sizeof(uint32_t));
		if (!mo->tf[f].count)
			return -1;
		mo->tf[f].n = nids;
		for (i = 1; i < nids; i++) {
			size_t kn;
			const char *k = strmap_key(&d->strs, (uint32_t)i, &kn);
			uint32_t id = strmap_find(&mo->tf_names[f], k, kn);

			/* unknown or single values: as rare as one in the training data */
			mo->tf[f].count[i] = id ? *(uint32_t *)vec_at(&mo->tf_counts[f], id - 1) : 1;
		}
	}
	return 0;
}
