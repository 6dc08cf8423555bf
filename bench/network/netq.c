/*
 * netq: latency of graph queries through the public API on a workspace
 * whose network stage has run (its graph cache mapped, as a warm
 * workspace is): NQUERIES k-hop neighbourhoods of random entities, each
 * timed alone; prints p50, p90, p99 and max in milliseconds, ids only and
 * with labels looked up.  Each query's thread CPU time is recorded too: on a
 * shared, loaded machine the wall-clock tail is mostly time spent waiting
 * for a core, and the CPU figures show the work itself.
 *
 *   netq WORKSPACE HOPS NQUERIES SEED MAXID
 *
 * Entities are drawn uniformly from the ids 1..MAXID (ids are dense).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/rng.h"
#include "rastro.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	rastro_ws *ws;
	rastro_graph *g;
	struct rng r;
	int built, hops, n, i, pass;
	int64_t maxid;
	double *lat, *cpu, t0, c0;
	unsigned long long rows = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: netq WORKSPACE HOPS NQUERIES SEED MAXID\n");
		return 2;
	}
	hops = atoi(argv[2]);
	n = atoi(argv[3]);
	if (rastro_open(argv[1], RASTRO_OPEN_READONLY, &ws)) {
		fprintf(stderr, "%s\n", rastro_errmsg(ws));
		return 1;
	}
	t0 = now_ms();
	if (rastro_graph_open(ws, &g, &built)) {
		fprintf(stderr, "%s\n", rastro_errmsg(ws));
		return 1;
	}
	printf("graph %s in %.1f ms\n", built ? "built" : "mapped from the cache", now_ms() - t0);
	maxid = strtoll(argv[5], NULL, 10);
	lat = malloc(sizeof *lat * (size_t)n);
	cpu = malloc(sizeof *cpu * (size_t)n);
	if (!lat || !cpu)
		return 1;
	for (pass = 0; pass < 2; pass++) {
		struct rastro_query_opts o = { 0 };

		o.hops = hops;
		o.labels = pass;
		o.limit = 100000;
		rng_seed(&r, strtoull(argv[4], NULL, 10));
		rows = 0;
		for (i = 0; i < n; i++) {
			rastro_table *t;
			int64_t e;
			int rc;

			e = 1 + (int64_t)rng_below(&r, (uint64_t)maxid);
			t0 = now_ms();
			c0 = cpu_ms();
			rc = rastro_neighbourhood(g, e, &o, &t);
			cpu[i] = cpu_ms() - c0;
			lat[i] = now_ms() - t0;
			if (rc) {
				fprintf(stderr, "%s\n", rastro_errmsg(ws));
				return 1;
			}
			rows += rastro_table_nrows(t);
			rastro_table_free(t);
		}
		qsort(lat, (size_t)n, sizeof *lat, cmp_d);
		printf("%d-hop, %s: %d queries, %.1f results on average; p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		       hops, pass ? "with labels" : "ids only", n, (double)rows / n, lat[n / 2], lat[n * 9 / 10],
		       lat[(int)(n * 0.99)], lat[n - 1]);
		qsort(cpu, (size_t)n, sizeof *cpu, cmp_d);
		printf("   thread CPU time: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", cpu[n / 2],
		       cpu[n * 9 / 10], cpu[(int)(n * 0.99)], cpu[n - 1]);
	}
	free(cpu);
	free(lat);
	rastro_graph_close(g);
	rastro_close(ws);
	return 0;
}
