/*
 * er_cluster: accepted links to entities, without chaining.
 *
 * Connected components (what Splink does by default) let one false link
 * join two large entities.  Here links are taken strongest first, and two
 * clusters A and B merge only when the accepted links between them number
 * at least ceil(density * |A| * |B|): a single record joins a pair through
 * one link at density 0.5, but a chain a-b-c-d is cut and two groups of
 * three need several links, not one.  The result depends only on the set
 * of accepted pairs and their weights (ties broken by record index), which
 * is what makes an incremental run equal to a batch run.
 */
#include "er.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct uf {
	uint32_t *parent, *size, *next;   /* next: circular member list */
};

static uint32_t find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

int er_cluster(const struct er_pairw *pairs, size_t npairs, size_t nrec, double density, int one_to_one,
	       er_accept_fn accept, void *ctx, size_t exhaustive_max, uint32_t *root, uint8_t *merged)
{
	uint32_t *parent = mem_alloc(nrec * sizeof *parent), *size = mem_alloc(nrec * sizeof *size);
	uint32_t *next = mem_alloc(nrec * sizeof *next), *adj_start = mem_calloc(nrec + 1, sizeof *adj_start);
	uint32_t *adj = mem_alloc((2 * npairs + 1) * sizeof *adj), *fill = NULL;
	size_t i;
	int rc = -1;

	if (!parent || !size || !next || !adj_start || !adj)
		goto out;
	for (i = 0; i < nrec; i++) {
		parent[i] = (uint32_t)i;
		size[i] = 1;
		next[i] = (uint32_t)i;
	}
	/* adjacency of accepted links (CSR) to count links between clusters */
	for (i = 0; i < npairs; i++) {
		adj_start[pairs[i].a + 1]++;
		adj_start[pairs[i].b + 1]++;
	}
	for (i = 0; i < nrec; i++)
		adj_start[i + 1] += adj_start[i];
	fill = mem_alloc((nrec + 1) * sizeof *fill);
	if (!fill)
		goto out;
	memcpy(fill, adj_start, (nrec + 1) * sizeof *fill);
	for (i = 0; i < npairs; i++) {
		adj[fill[pairs[i].a]++] = pairs[i].b;
		adj[fill[pairs[i].b]++] = pairs[i].a;
	}
	for (i = 0; i < npairs; i++) {
		uint32_t ra = find(parent, pairs[i].a), rb = find(parent, pairs[i].b);
		uint64_t links = 0, need;
		uint32_t small, big, m;

		merged[i] = 0;
		if (ra == rb)
			continue;
		if (one_to_one) {
			if (size[ra] > 1 || size[rb] > 1)
				continue;
		} else {
			small = size[ra] <= size[rb] ? ra : rb;
			big = small == ra ? rb : ra;
			need = (uint64_t)ceil(density * (double)size[ra] * (double)size[rb] - 1e-9);
			if (need < 1)
				need = 1;
			if (need > 1 && accept && (uint64_t)size[ra] * size[rb] <= exhaustive_max) {
				/* judge every cross pair: accepted ones from the list,
				 * the others (never blocked together) scored now */
				uint32_t x = small;

				do {
					uint32_t y = big;

					do {
						uint32_t lo = x < y ? x : y, hi = x < y ? y : x, k;
						int found = 0;

						for (k = adj_start[lo]; k < adj_start[lo + 1]; k++)
							if (adj[k] == hi) {
								found = 1;
								break;
							}
						links += found || accept(ctx, lo, hi);
						y = next[y];
					} while (y != big && links < need);
					x = next[x];
				} while (x != small && links < need);
				if (links < need)
					continue;
			} else if (need > 1) {
				m = small;
				do {
					uint32_t k;

					for (k = adj_start[m]; k < adj_start[m + 1]; k++)
						if (find(parent, adj[k]) == big)
							links++;
					m = next[m];
				} while (m != small && links < need);
				if (links < need)
					continue;
			}
		}
		/* union: the smaller index becomes the root, so the root is the
		 * cluster's smallest record index */
		{
			uint32_t lo = ra < rb ? ra : rb, hi = ra < rb ? rb : ra, t;

			parent[hi] = lo;
			size[lo] += size[hi];
			t = next[lo];
			next[lo] = next[hi];
			next[hi] = t;
		}
	}
	for (i = 0; i < nrec; i++)
		root[i] = find(parent, (uint32_t)i);
	for (i = 0; i < npairs; i++)
		merged[i] = root[pairs[i].a] == root[pairs[i].b];
	rc = 0;
out:
	mem_free(parent);
	mem_free(size);
	mem_free(next);
	mem_free(adj_start);
	mem_free(adj);
	mem_free(fill);
	return rc;
}
