/*
 * vic_match: ranking service providers for one potential victim.
 *
 * The score is a sum of named parts, each bounded by its weight
 * (victims.refer.*):
 *   needs       share of the services the victim's indicators call for that
 *               the provider offers;
 *   distance    1 - km / radius_km (great-circle, haversine), 0 beyond;
 *   language    the provider works in the victim's language (full), or
 *               offers language access / interpretation (part);
 *   population  share of the victim's populations (labour, sex trafficking,
 *               smuggled migrants, LGBTQ+...) the provider serves;
 *   capacity    open slots, up to capacity_scale for the whole part; a
 *               provider with no open slot gets -w_full instead.
 * With `complementary` (the default), ranks 2 and on score the needs part
 * on the needs the providers ranked before leave open, so three referrals
 * together cover shelter, legal help and counselling rather than three
 * shelters.
 * Hard limits before scoring: a minor goes only to providers that serve
 * minors, an adult not to minors-only programmes, and a provider restricted
 * to women (or men) is not proposed for the other sex.
 *
 * Speed: providers are bucketed in a uniform latitude/longitude grid whose
 * cells are radius_km tall, so a query looks at the few cells that can hold
 * a provider within the radius (more longitude cells toward the poles, all
 * of them across the antimeridian wrap) instead of the whole directory.
 * When fewer than `top` providers qualify within the radius it doubles, up
 * to max_radius_km.  A victim known only by city is placed at the centre of
 * that city's providers (vic_refer.c); one with no place at all is ranked
 * against the whole directory without a distance part.
 */
#include "victims.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/u64map.h"

#define EARTH_KM 6371.0088
#define KM_PER_DEG (EARTH_KM * M_PI / 180.0)
#define DEG2RAD (M_PI / 180.0)

/* The part of a provider the inner loop reads, stored in grid-cell order so
 * that a query walks memory sequentially: its unit vector (distances come
 * from the chord, without trigonometry) and what eligibility needs. */
struct hot {
	double x, y, z;
	uint32_t services, populations;
};

struct vic_matcher {
	const struct vic_provider *p;
	size_t n;
	struct vic_match_cfg mc;
	int32_t *open;            /* open slots left in this run (-1 unknown) */
	struct hot *hot;          /* what the inner loop reads, in grid order */
	double max_rest;          /* the most language, population and capacity can add */
	struct vic_rank *cand;    /* complementary mode: every candidate of a query */
	size_t ncand, candcap;
	int cand_oom;
	/* grid */
	double cell_deg;
	int64_t nx, ny;
	struct u64map cells;      /* cell key -> index into cell_first/cell_n */
	uint32_t *cell_first, *cell_n;
	uint32_t *order;          /* provider indexes grouped by cell */
};

double vic_km(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = (lat2 - lat1) * DEG2RAD, dlon = (lon2 - lon1) * DEG2RAD;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * DEG2RAD) * cos(lat2 * DEG2RAD) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * EARTH_KM * asin(sqrt(a < 1 ? a : 1));
}

static void unit_vector(double lat, double lon, double *v)
{
	double cl = cos(lat * DEG2RAD);

	v[0] = cl * cos(lon * DEG2RAD);
	v[1] = cl * sin(lon * DEG2RAD);
	v[2] = sin(lat * DEG2RAD);
}

/* Squared chord between unit vectors for a great-circle distance in km
 * (monotonic in the distance, so it filters without trigonometry). */
static double chord2_of_km(double km)
{
	double c;

	if (km >= M_PI * EARTH_KM)
		return 4.0 + 1e-9;
	c = 2 * sin(km / (2 * EARTH_KM));
	return c * c;
}

void vic_match_cfg_load(struct vic_match_cfg *mc, const struct cfg *cfg)
{
	mc->w_needs = cfg_double(cfg, "victims.refer.w_needs", 3.0);
	mc->w_distance = cfg_double(cfg, "victims.refer.w_distance", 2.0);
	mc->w_language = cfg_double(cfg, "victims.refer.w_language", 1.5);
	mc->w_language_access = cfg_double(cfg, "victims.refer.w_language_access", 0.75);
	mc->w_population = cfg_double(cfg, "victims.refer.w_population", 1.0);
	mc->w_capacity = cfg_double(cfg, "victims.refer.w_capacity", 1.0);
	mc->w_full = cfg_double(cfg, "victims.refer.w_full", 1.0);
	mc->radius_km = cfg_double(cfg, "victims.refer.radius_km", 150);
	mc->max_radius_km = cfg_double(cfg, "victims.refer.max_radius_km", 1200);
	mc->capacity_scale = cfg_double(cfg, "victims.refer.capacity_scale", 5);
	mc->top = (int)cfg_int(cfg, "victims.refer.top", 3);
	mc->use_grid = cfg_bool(cfg, "victims.refer.grid", 1);
	mc->complementary = cfg_bool(cfg, "victims.refer.complementary", 1);
	if (mc->top < 1)
		mc->top = 1;
	if (mc->top > VIC_TOP_MAX)
		mc->top = VIC_TOP_MAX;
	if (mc->radius_km < 1)
		mc->radius_km = 1;
	if (mc->max_radius_km < mc->radius_km)
		mc->max_radius_km = mc->radius_km;
	if (mc->capacity_scale < 1)
		mc->capacity_scale = 1;
}

static int64_t cell_y(const struct vic_matcher *m, double lat)
{
	int64_t y = (int64_t)floor((lat + 90.0) / m->cell_deg);

	return y < 0 ? 0 : y >= m->ny ? m->ny - 1 : y;
}

static int64_t cell_x(const struct vic_matcher *m, double lon)
{
	int64_t x = (int64_t)floor((lon + 180.0) / m->cell_deg);

	return ((x % m->nx) + m->nx) % m->nx;
}

void vic_matcher_free(struct vic_matcher *m)
{
	if (!m)
		return;
	mem_free(m->open);
	mem_free(m->hot);
	mem_free(m->cand);
	mem_free(m->cell_first);
	mem_free(m->cell_n);
	mem_free(m->order);
	u64map_release(&m->cells);
	mem_free(m);
}

struct vic_matcher *vic_matcher_new(const struct vic_provider *p, size_t n, const struct vic_match_cfg *mc)
{
	struct vic_matcher *m = mem_calloc(1, sizeof *m);
	uint64_t *keys = NULL;
	size_t i, ncells = 0;

	if (!m)
		return NULL;
	m->p = p;
	m->n = n;
	m->mc = *mc;
	u64map_init(&m->cells);
	m->max_rest = fmax(0, fmax(mc->w_language, mc->w_language_access)) + fmax(0, mc->w_population) +
		      fmax(0, mc->w_capacity);
	m->cell_deg = mc->radius_km / KM_PER_DEG;
	if (m->cell_deg > 90)
		m->cell_deg = 90;
	m->nx = (int64_t)ceil(360.0 / m->cell_deg);
	m->ny = (int64_t)ceil(180.0 / m->cell_deg);
	m->open = mem_alloc((n ? n : 1) * sizeof *m->open);
	m->hot = mem_alloc((n ? n : 1) * sizeof *m->hot);
	m->order = mem_alloc((n ? n : 1) * sizeof *m->order);
	keys = mem_alloc((n ? n : 1) * sizeof *keys);
	m->cell_first = mem_alloc((n ? n : 1) * sizeof *m->cell_first);
	m->cell_n = mem_calloc(n ? n : 1, sizeof *m->cell_n);
	if (!m->open || !m->hot || !m->order || !keys || !m->cell_first || !m->cell_n)
		goto fail;
	for (i = 0; i < n; i++) {
		m->open[i] = p[i].available;
		keys[i] = (uint64_t)(cell_y(m, p[i].lat) * m->nx + cell_x(m, p[i].lon));
	}
	/* Counting sort of providers by cell: count, prefix sums, place. */
	for (i = 0; i < n; i++) {
		int created;
		uint64_t *slot = u64map_ref(&m->cells, keys[i], &created);

		if (!slot)
			goto fail;
		if (created)
			*slot = ncells++;
		m->cell_n[*slot]++;
	}
	{
		uint32_t acc = 0, *fill;

		for (i = 0; i < ncells; i++) {
			m->cell_first[i] = acc;
			acc += m->cell_n[i];
		}
		fill = mem_calloc(ncells ? ncells : 1, sizeof *fill);
		if (!fill)
			goto fail;
		for (i = 0; i < n; i++) {
			uint64_t c;

			u64map_get(&m->cells, keys[i], &c);
			m->order[m->cell_first[c] + fill[c]++] = (uint32_t)i;
		}
		mem_free(fill);
		for (i = 0; i < n; i++) {
			const struct vic_provider *q = &p[m->order[i]];
			double v[3];

			unit_vector(q->lat, q->lon, v);
			m->hot[i].x = v[0];
			m->hot[i].y = v[1];
			m->hot[i].z = v[2];
			m->hot[i].services = q->services;
			m->hot[i].populations = q->populations;
		}
	}
	mem_free(keys);
	return m;
fail:
	mem_free(keys);
	vic_matcher_free(m);
	return NULL;
}

void vic_match_take(struct vic_matcher *m, uint32_t i)
{
	if (i < m->n && m->open[i] > 0)
		m->open[i]--;
}

static int popcount32(uint32_t x)
{
	return __builtin_popcount(x);
}

static int excluded(const struct vic_client *c, uint32_t i)
{
	size_t k;

	for (k = 0; k < c->nexclude; k++)
		if (c->exclude[k] == i)
			return 1;
	return 0;
}

/* 1 when a provider with these services and populations may serve the
 * client at all. */
static int eligible(uint32_t services, uint32_t populations, const struct vic_client *c)
{
	int adults = (populations >> POP_ADULTS) & 1, minors = (populations >> POP_MINORS) & 1;
	int men = (populations >> POP_MEN) & 1, women = (populations >> POP_WOMEN) & 1;

	if (!(services & c->needs))
		return 0;
	if (c->minor ? !minors : (minors && !adults))
		return 0;
	if (c->sex == 'M' && women && !men)
		return 0;
	if (c->sex == 'F' && men && !women)
		return 0;
	return 1;
}

static void score(struct vic_matcher *m, uint32_t i, const struct vic_client *c, double km, struct vic_rank *r)
{
	const struct vic_provider *p = &m->p[i];
	const struct vic_match_cfg *mc = &m->mc;
	int need = popcount32(c->needs), k;

	memset(r, 0, sizeof *r);
	r->provider = i;
	r->km = km;
	r->wanted = c->needs;
	r->covered = p->services & c->needs;
	r->p_needs = need ? mc->w_needs * popcount32(r->covered) / need : 0;
	if (!isnan(km)) {
		r->p_distance = km < mc->radius_km ? mc->w_distance * (1 - km / mc->radius_km) : 0;
		r->widened = km > mc->radius_km;
	}
	if (c->lang) {
		for (k = 0; k < VIC_LANGS_MAX && p->lang[k]; k++)
			if (p->lang[k] == c->lang)
				break;
		if (k < VIC_LANGS_MAX && p->lang[k]) {
			r->lang_match = 2;
			r->p_language = mc->w_language;
		} else if (p->services & (1u << SVC_LANGUAGE_ACCESS)) {
			r->lang_match = 1;
			r->p_language = mc->w_language_access;
		}
	}
	if (c->prefer)
		r->p_population = mc->w_population * popcount32(p->populations & c->prefer) / popcount32(c->prefer);
	r->open = m->open[i];
	if (r->open > 0)
		r->p_capacity = mc->w_capacity * (r->open >= mc->capacity_scale ? 1 : r->open / mc->capacity_scale);
	else if (r->open == 0)
		r->p_capacity = -mc->w_full;
	r->score = r->p_needs + r->p_distance + r->p_language + r->p_population + r->p_capacity;
}

/* a ranks before b: higher score, then nearer (unknown last), then index. */
static int better(const struct vic_rank *a, const struct vic_rank *b)
{
	if (a->score > b->score + 1e-12)
		return 1;
	if (a->score < b->score - 1e-12)
		return 0;
	if (isnan(a->km) != isnan(b->km))
		return !isnan(a->km);
	if (!isnan(a->km) && a->km != b->km)
		return a->km < b->km;
	return a->provider < b->provider;
}

/* Inserts r into the best-first list out[0..*k) of at most top entries. */
static void keep(struct vic_rank *out, int *k, int top, const struct vic_rank *r)
{
	int i;

	if (*k == top && !better(r, &out[top - 1]))
		return;
	i = *k < top ? (*k)++ : top - 1;
	while (i > 0 && better(r, &out[i - 1])) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = *r;
}

/* Complementary mode: keeps every candidate of the query (k counts them). */
static void collect(struct vic_matcher *m, const struct vic_rank *r, int *k)
{
	if (m->ncand == m->candcap) {
		size_t cap = m->candcap ? m->candcap * 2 : 256;
		struct vic_rank *p = mem_realloc(m->cand, cap * sizeof *p);

		if (!p) {
			m->cand_oom = 1;   /* ranks what it has: still valid, maybe not the best */
			return;
		}
		m->cand = p;
		m->candcap = cap;
	}
	m->cand[m->ncand++] = *r;
	(*k)++;
}

/*
 * Picks `top` candidates one at a time: each time the needs part counts only
 * the needs the providers picked before leave open (all needs once every
 * one is covered), and the other parts stay as scored.
 */
static int pick_complementary(struct vic_matcher *m, const struct vic_client *c, struct vic_rank *out)
{
	const struct vic_match_cfg *mc = &m->mc;
	uint32_t covered = 0;
	int t;

	for (t = 0; t < mc->top; t++) {
		uint32_t want = c->needs & ~covered;
		struct vic_rank best;
		size_t j;
		int found = 0;

		if (!want)
			want = c->needs;
		for (j = 0; j < m->ncand; j++) {
			struct vic_rank r = m->cand[j];
			const struct vic_provider *p = &m->p[r.provider];

			if (r.provider == UINT32_MAX)
				continue;   /* picked */
			r.score -= r.p_needs;
			r.wanted = want;
			r.covered = p->services & want;
			r.p_needs = mc->w_needs * popcount32(r.covered) / popcount32(want);
			r.score += r.p_needs;
			if (!found || better(&r, &best)) {
				best = r;
				found = 1;
			}
		}
		if (!found)
			break;
		for (j = 0; j < m->ncand; j++)
			if (m->cand[j].provider == best.provider)
				m->cand[j].provider = UINT32_MAX;
		out[t] = best;
		covered |= m->p[best.provider].services & c->needs;
	}
	return t;
}

/* Position pos of the grid order: eligible, within reach, then scored. */
static void consider(struct vic_matcher *m, size_t pos, const struct vic_client *c, const double *v,
		     double chord2, struct vic_rank *out, int *k)
{
	const struct hot *h = &m->hot[pos];
	double dx, dy, dz, d2, half, km;
	struct vic_rank r;
	uint32_t i;

	if (!eligible(h->services, h->populations, c))
		return;
	dx = v[0] - h->x;
	dy = v[1] - h->y;
	dz = v[2] - h->z;
	d2 = dx * dx + dy * dy + dz * dz;
	if (d2 > chord2)
		return;
	half = sqrt(d2) / 2;
	km = 2 * EARTH_KM * asin(half < 1 ? half : 1);
	/* Skip what cannot enter the list: the needs and distance parts plus
	 * the most the other parts could add.  The bound is never below the
	 * real score, so the ranking is the same as without it.  (Not in
	 * complementary mode, where a provider of one missing service can
	 * still be the best second choice.) */
	if (!m->mc.complementary && *k == m->mc.top) {
		const struct vic_match_cfg *mc = &m->mc;
		double bound = mc->w_needs * __builtin_popcount(h->services & c->needs) / __builtin_popcount(c->needs) +
			       (km < mc->radius_km ? mc->w_distance * (1 - km / mc->radius_km) : 0) +
			       m->max_rest;

		if (bound < out[*k - 1].score - 1e-9)
			return;
	}
	i = m->order[pos];
	if (excluded(c, i))
		return;
	score(m, i, c, km, &r);
	if (m->mc.complementary)
		collect(m, &r, k);
	else
		keep(out, k, m->mc.top, &r);
}

int vic_match(struct vic_matcher *m, const struct vic_client *c, struct vic_rank *out)
{
	int k = 0;
	size_t i;

	if (!m->n || !c->needs)
		return 0;
	if (!isnan(c->lat) && !isnan(c->lon)) {
		double v[3], radius = m->mc.radius_km;

		unit_vector(c->lat, c->lon, v);
		for (;;) {
			double chord2 = chord2_of_km(radius);

			k = 0;
			m->ncand = 0;
			if (!m->mc.use_grid) {
				for (i = 0; i < m->n; i++)
					consider(m, i, c, v, chord2, out, &k);
			} else {
				double dlat = radius / KM_PER_DEG, lo = c->lat - dlat, hi = c->lat + dlat;
				double maxlat = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
				int64_t y0 = cell_y(m, lo), y1 = cell_y(m, hi), y, x0, x1, nxs, x;

				if (maxlat >= 89.0 || radius / (KM_PER_DEG * cos(maxlat * DEG2RAD)) >= 180.0) {
					x0 = 0;
					nxs = m->nx;
				} else {
					double dlon = radius / (KM_PER_DEG * cos(maxlat * DEG2RAD));

					x0 = (int64_t)floor((c->lon - dlon + 180.0) / m->cell_deg);
					x1 = (int64_t)floor((c->lon + dlon + 180.0) / m->cell_deg);
					nxs = x1 - x0 + 1;
					if (nxs > m->nx)
						nxs = m->nx;
				}
				for (y = y0; y <= y1; y++) {
					for (x = 0; x < nxs; x++) {
						int64_t cx = (((x0 + x) % m->nx) + m->nx) % m->nx;
						uint64_t cell, j;

						if (!u64map_get(&m->cells, (uint64_t)(y * m->nx + cx), &cell))
							continue;
						for (j = 0; j < m->cell_n[cell]; j++)
							consider(m, m->cell_first[cell] + j, c, v, chord2, out, &k);
					}
				}
			}
			if (k >= m->mc.top || radius >= m->mc.max_radius_km)
				break;
			radius = radius * 2 < m->mc.max_radius_km ? radius * 2 : m->mc.max_radius_km;
		}
		return m->mc.complementary ? pick_complementary(m, c, out) : k;
	}
	/* No place at all: the whole directory, without a distance part. */
	m->ncand = 0;
	for (i = 0; i < m->n; i++) {
		struct vic_rank r;

		if (!eligible(m->p[i].services, m->p[i].populations, c) || excluded(c, (uint32_t)i))
			continue;
		score(m, (uint32_t)i, c, NAN, &r);
		if (m->mc.complementary)
			collect(m, &r, &k);
		else
			keep(out, &k, m->mc.top, &r);
	}
	return m->mc.complementary ? pick_complementary(m, c, out) : k;
}
