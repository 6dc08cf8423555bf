/*
 * bench_match: speed of referral matching — N victims ranked against M
 * service providers — with the spatial grid and, as the reference peer in
 * the same run, a scan of the whole directory (victims.refer.grid = false).
 *
 *   bench_match [--victims N] [--providers M] [--runs R] [--seed S] [--grid-only]
 *   bench_match --csv DIR [--victims N] [--providers M] [--seed S]
 *
 * The synthetic world puts providers and victims around 60 U.S. and
 * Mexican cities (coordinates from public gazetteers, rounded to 0.01°)
 * with a normal spread of about 25 km, random services, populations,
 * languages and capacity.  The first form times the in-memory matcher (the
 * work `rastro refer` does between reading and writing the workspace) and
 * checks that both methods rank identically; the second writes the same
 * world as providers.csv and encounters.csv for the end-to-end benchmark
 * (bench/victims/run.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "victims/victims.h"

static const struct {
	const char *city, *region, *country;
	double lat, lon;
} cities[] = {
	{ "El Paso", "TX", "US", 31.76, -106.49 }, { "Laredo", "TX", "US", 27.53, -99.49 },
	{ "McAllen", "TX", "US", 26.20, -98.23 }, { "Brownsville", "TX", "US", 25.90, -97.50 },
	{ "San Antonio", "TX", "US", 29.42, -98.49 }, { "Houston", "TX", "US", 29.76, -95.37 },
	{ "Dallas", "TX", "US", 32.78, -96.80 }, { "Austin", "TX", "US", 30.27, -97.74 },
	{ "Nogales", "AZ", "US", 31.34, -110.93 }, { "Tucson", "AZ", "US", 32.22, -110.97 },
	{ "Phoenix", "AZ", "US", 33.45, -112.07 }, { "San Diego", "CA", "US", 32.72, -117.16 },
	{ "Los Angeles", "CA", "US", 34.05, -118.24 }, { "Fresno", "CA", "US", 36.74, -119.79 },
	{ "San Francisco", "CA", "US", 37.77, -122.42 }, { "Sacramento", "CA", "US", 38.58, -121.49 },
	{ "Las Vegas", "NV", "US", 36.17, -115.14 }, { "Albuquerque", "NM", "US", 35.08, -106.65 },
	{ "Denver", "CO", "US", 39.74, -104.99 }, { "Salt Lake City", "UT", "US", 40.76, -111.89 },
	{ "Seattle", "WA", "US", 47.61, -122.33 }, { "Portland", "OR", "US", 45.52, -122.68 },
	{ "Oklahoma City", "OK", "US", 35.47, -97.52 }, { "Kansas City", "MO", "US", 39.10, -94.58 },
	{ "Chicago", "IL", "US", 41.88, -87.63 }, { "Minneapolis", "MN", "US", 44.98, -93.27 },
	{ "Detroit", "MI", "US", 42.33, -83.05 }, { "Atlanta", "GA", "US", 33.75, -84.39 },
	{ "Miami", "FL", "US", 25.76, -80.19 }, { "Orlando", "FL", "US", 28.54, -81.38 },
	{ "Tampa", "FL", "US", 27.95, -82.46 }, { "New Orleans", "LA", "US", 29.95, -90.07 },
	{ "Nashville", "TN", "US", 36.16, -86.78 }, { "Charlotte", "NC", "US", 35.23, -80.84 },
	{ "Washington", "DC", "US", 38.91, -77.04 }, { "Baltimore", "MD", "US", 39.29, -76.61 },
	{ "Philadelphia", "PA", "US", 39.95, -75.17 }, { "New York", "NY", "US", 40.71, -74.01 },
	{ "Boston", "MA", "US", 42.36, -71.06 }, { "Newark", "NJ", "US", 40.74, -74.17 },
	{ "Raleigh", "NC", "US", 35.78, -78.64 }, { "Columbus", "OH", "US", 39.96, -83.00 },
	{ "Indianapolis", "IN", "US", 39.77, -86.16 }, { "Omaha", "NE", "US", 41.26, -95.93 },
	{ "Boise", "ID", "US", 43.62, -116.20 }, { "Anchorage", "AK", "US", 61.22, -149.90 },
	{ "Honolulu", "HI", "US", 21.31, -157.86 }, { "Tijuana", "BC", "MX", 32.51, -117.04 },
	{ "Ciudad Juarez", "CHIH", "MX", 31.69, -106.42 }, { "Monterrey", "NL", "MX", 25.69, -100.32 },
	{ "Nuevo Laredo", "TAMPS", "MX", 27.48, -99.52 }, { "Reynosa", "TAMPS", "MX", 26.09, -98.28 },
	{ "Hermosillo", "SON", "MX", 29.07, -110.96 }, { "Mexicali", "BC", "MX", 32.62, -115.45 },
	{ "Guadalajara", "JAL", "MX", 20.66, -103.35 }, { "Mexico City", "CDMX", "MX", 19.43, -99.13 },
	{ "Oaxaca", "OAX", "MX", 17.07, -96.73 }, { "Tapachula", "CHIS", "MX", 14.91, -92.26 },
	{ "Guatemala City", "GUA", "GT", 14.63, -90.51 }, { "San Salvador", "SS", "SV", 13.69, -89.22 },
};
#define NCITIES (sizeof cities / sizeof cities[0])

static const char *const langs[] = { "en", "es", "mam", "k'iche'", "q'eqchi'", "zh", "vi", "ht", "fr", "pt" };
static const double lang_p[] = { 0.8, 0.6, 0.03, 0.03, 0.02, 0.04, 0.04, 0.03, 0.03, 0.03 };
#define NLANGS (sizeof langs / sizeof langs[0])

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* A point about 25 km (sd) around a random city. */
static void place(struct rng *r, size_t *city, double *lat, double *lon)
{
	*city = (size_t)rng_below(r, NCITIES);
	*lat = cities[*city].lat + rng_normal(r, 0, 0.22);
	*lon = cities[*city].lon + rng_normal(r, 0, 0.22 / cos(cities[*city].lat * M_PI / 180));
}

struct world {
	struct vic_provider *p;
	struct vic_client *c;
	size_t *pcity, *ccity;
	size_t np, nc;
};

static void make_world(struct world *w, size_t np, size_t nc, uint64_t seed)
{
	struct rng r;
	size_t i, k;

	rng_seed(&r, seed);
	w->np = np;
	w->nc = nc;
	w->p = calloc(np, sizeof *w->p);
	w->c = calloc(nc, sizeof *w->c);
	w->pcity = calloc(np, sizeof *w->pcity);
	w->ccity = calloc(nc, sizeof *w->ccity);
	if (!w->p || !w->c || !w->pcity || !w->ccity) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (i = 0; i < np; i++) {
		struct vic_provider *p = &w->p[i];
		int nl = 0;

		place(&r, &w->pcity[i], &p->lat, &p->lon);
		for (k = 0; k < SVC_N; k++)
			if (rng_chance(&r, 0.25))
				p->services |= 1u << k;
		if (!p->services)
			p->services = 1u << rng_below(&r, SVC_N);
		for (k = 0; k < POP_N; k++)
			if (rng_chance(&r, 0.3))
				p->populations |= 1u << k;
		for (k = 0; k < NLANGS && nl < VIC_LANGS_MAX - 1; k++)
			if (rng_chance(&r, lang_p[k]))
				p->lang[nl++] = (uint32_t)k + 1;
		p->capacity = (int32_t)rng_below(&r, 51);
		p->available = p->capacity ? (int32_t)rng_below(&r, (uint64_t)p->capacity + 1) : 0;
	}
	for (i = 0; i < nc; i++) {
		struct vic_client *c = &w->c[i];

		place(&r, &w->ccity[i], &c->lat, &c->lon);
		c->needs = (1u << SVC_CASE_MANAGEMENT) | (1u << SVC_MENTAL_HEALTH);
		for (k = 0; k < SVC_N; k++)
			if (rng_chance(&r, 0.15))
				c->needs |= 1u << k;
		c->minor = rng_chance(&r, 0.1);
		c->sex = "FFMX"[rng_below(&r, 4)];
		c->lang = rng_chance(&r, 0.5) ? 2 : (uint32_t)rng_below(&r, NLANGS) + 1;
		if (rng_chance(&r, 0.4))
			c->prefer |= 1u << (POP_LGBTQ + rng_below(&r, 4));
	}
}

/* Times matching every client; returns wall seconds (CPU seconds in *cpu)
 * and a checksum of the ranks.  CPU time is reported too because the
 * machine is shared: on a loaded machine wall time includes waiting. */
static double run(const struct world *w, int grid, uint64_t *check, size_t *matched, double *cpu)
{
	struct vic_match_cfg mc;
	struct vic_matcher *m;
	double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	size_t i;

	vic_match_cfg_load(&mc, NULL);
	mc.use_grid = grid;
	m = vic_matcher_new(w->p, w->np, &mc);
	if (!m) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	*check = 1469598103934665603ull;
	*matched = 0;
	for (i = 0; i < w->nc; i++) {
		struct vic_rank rk[VIC_TOP_MAX];
		int k = vic_match(m, &w->c[i], rk), j;

		if (k) {
			vic_match_take(m, rk[0].provider);
			(*matched)++;
		}
		for (j = 0; j < k; j++)
			*check = (*check ^ rk[j].provider) * 1099511628211ull;
	}
	vic_matcher_free(m);
	*cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *names(uint32_t mask, const char *const *list, size_t n, char *out, size_t outn)
{
	vic_mask_names(mask, list, n, out, outn);
	return out;
}

static int write_csv(const struct world *w, const char *dir)
{
	char path[1024], a[512], b[512], pops[512];
	FILE *f;
	size_t i;
	int k;

	snprintf(path, sizeof path, "%s/providers.csv", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "provider_id,name,services,languages,populations,city,region,country,lat,lon,capacity,available,phone\n");
	for (i = 0; i < w->np; i++) {
		const struct vic_provider *p = &w->p[i];

		a[0] = '\0';
		for (k = 0; k < VIC_LANGS_MAX && p->lang[k]; k++)
			snprintf(a + strlen(a), sizeof a - strlen(a), "%s%s", k ? ";" : "", langs[p->lang[k] - 1]);
		fprintf(f, "PR-%zu,Provider %zu,%s,\"%s\",%s,%s,%s,%s,%.5f,%.5f,%d,%d,+1-555-%07zu\n", i, i,
			names(p->services, vic_services, SVC_N, b, sizeof b), a,
			names(p->populations, vic_populations, POP_N, pops, sizeof pops), cities[w->pcity[i]].city,
			cities[w->pcity[i]].region, cities[w->pcity[i]].country, p->lat, p->lon, p->capacity,
			p->available, i);
	}
	if (fclose(f))
		return -1;
	snprintf(path, sizeof path, "%s/encounters.csv", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "encounter_id,date,type,city,region,country,lat,lon,sex,language,age_stated,"
		   "documents_held_by_other,not_free_to_leave,threatened,owes_debt\n");
	for (i = 0; i < w->nc; i++) {
		const struct vic_client *c = &w->c[i];

		/* Every one a potential victim: documents held (1.0) and, for some,
		 * more indicators. */
		fprintf(f, "V-%zu,2024-03-%02zu,border,%s,%s,%s,%.5f,%.5f,%c,%s,%d,yes,%s,%s,%s\n", i, 1 + i % 28,
			cities[w->ccity[i]].city, cities[w->ccity[i]].region, cities[w->ccity[i]].country, c->lat,
			c->lon, c->sex, langs[c->lang - 1], c->minor ? 15 : 30, i % 3 ? "no" : "yes",
			i % 5 ? "no" : "yes", i % 2 ? "no" : "yes");
	}
	return fclose(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	size_t np = 50000, nc = 10000, matched;
	uint64_t seed = 8, cg, cs;
	int runs = 3, i, only_grid = 0;
	const char *csv = NULL;
	struct world w;
	double tg[16], ts[16], cg_s[16], cs_s[16];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--providers") && i + 1 < argc)
			np = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--victims") && i + 1 < argc)
			nc = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--grid-only"))
			only_grid = 1;
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			csv = argv[++i];
		else {
			fprintf(stderr, "usage: bench_match [--victims N] [--providers M] [--runs R] [--seed S] [--csv DIR]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > 16)
		runs = 3;
	make_world(&w, np, nc, seed);
	if (csv) {
		if (write_csv(&w, csv)) {
			perror(csv);
			return 1;
		}
		printf("wrote %s/providers.csv (%zu) and %s/encounters.csv (%zu)\n", csv, np, csv, nc);
		return 0;
	}
	for (i = 0; i < runs; i++) {
		tg[i] = run(&w, 1, &cg, &matched, &cg_s[i]);
		if (only_grid) {
			ts[i] = tg[i];
			cs_s[i] = cg_s[i];
			cs = cg;
			continue;
		}
		ts[i] = run(&w, 0, &cs, &matched, &cs_s[i]);
		if (cg != cs) {
			fprintf(stderr, "grid and full scan disagree\n");
			return 1;
		}
	}
	qsort(tg, (size_t)runs, sizeof tg[0], cmp_double);
	qsort(ts, (size_t)runs, sizeof ts[0], cmp_double);
	qsort(cg_s, (size_t)runs, sizeof cg_s[0], cmp_double);
	qsort(cs_s, (size_t)runs, sizeof cs_s[0], cmp_double);
	printf("matching %zu victims against %zu providers (%zu matched), median of %d runs:\n", nc, np, matched, runs);
	printf("  grid       %.3f s wall, %.3f s CPU  (%.0f victims/s)\n", tg[runs / 2], cg_s[runs / 2],
	       (double)nc / tg[runs / 2]);
	printf("  full scan  %.3f s wall, %.3f s CPU  (%.0f victims/s)\n", ts[runs / 2], cs_s[runs / 2],
	       (double)nc / ts[runs / 2]);
	printf("  ratio      %.1fx wall, %.1fx CPU; identical rankings\n", ts[runs / 2] / tg[runs / 2],
	       cs_s[runs / 2] / cg_s[runs / 2]);
	free(w.p);
	free(w.c);
	free(w.pcity);
	free(w.ccity);
	return 0;
}
