/*
 * net_query: questions analysts ask of the graph — who is within k hops of
 * an entity, how A is connected to B (shortest path, every path up to k
 * links), and entity references.
 *
 * A query graph is the cache the network stage leaves beside the workspace,
 * mapped read-only, or — when the cache is missing or stale — the graph
 * built in memory.  Per-query scratch (visit stamps, parents, depths) is
 * allocated once per open graph, so a query costs what it visits, not the
 * size of the graph.  Hubs are listed but not expanded unless asked: the
 * neighbours of a bank's clearing account are not a lead.
 */
#include "net_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/table.h"

struct rastro_graph {
	struct net_graph *g;
	int built;
	uint32_t *mark, stamp;     /* visited when mark[v] == stamp */
	uint32_t *mark2;           /* distance-to-target stamps for path pruning */
	uint32_t *parent;
	uint32_t *pedge;
	uint8_t *depth, *dist2;
	uint32_t *queue;
	sqlite3_stmt *ent_q, *net_q, *vic_q;
};

struct net_graph *net_graph_of(rastro_graph *G)
{
	return G->g;
}

static int open_scratch(struct rastro_graph *G)
{
	size_t n = G->g->n ? G->g->n : 1;

	G->mark = mem_calloc(n, sizeof *G->mark);
	G->mark2 = mem_calloc(n, sizeof *G->mark2);
	G->parent = mem_alloc(n * sizeof *G->parent);
	G->pedge = mem_alloc(n * sizeof *G->pedge);
	G->depth = mem_alloc(n);
	G->dist2 = mem_alloc(n);
	G->queue = mem_alloc(n * sizeof *G->queue);
	return G->mark && G->mark2 && G->parent && G->pedge && G->depth && G->dist2 && G->queue ? 0 : -1;
}

int rastro_graph_open(rastro_ws *ws, rastro_graph **out, int *built)
{
	struct rastro_graph *G;
	uint64_t stamp;
	char *path;
	int rc;

	*out = NULL;
	if (!(G = mem_calloc(1, sizeof *G)))
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if ((rc = net_stamp(ws, &stamp)) || !(path = net_cache_path(ws))) {
		mem_free(G);
		return rc ? rc : ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	rc = net_cache_open(ws, path, stamp, &G->g);
	mem_free(path);
	if (rc == RASTRO_NOTFOUND) {
		struct net_params p;

		if ((rc = net_graph_build(ws, &G->g)) || (rc = net_graph_load_membership(G->g))) {
			rastro_graph_close(G);
			return rc;
		}
		net_params_read(ws->cfg, G->g, &p);
		net_weights(G->g, &p);
		G->built = 1;
	} else if (rc) {
		mem_free(G);
		return rc;
	}
	if (open_scratch(G) ||
	    ws_prepare(ws, "SELECT kind, key, label FROM entity WHERE id = ?1", &G->ent_q) ||
	    ws_prepare(ws, "SELECT key FROM network WHERE id = ?1", &G->net_q) ||
	    ws_prepare(ws, "SELECT 1 FROM victim_flag WHERE entity_id = ?1", &G->vic_q)) {
		rc = ws->err.code ? ws->err.code : ws_error(ws, RASTRO_NOMEM, "out of memory");
		rastro_graph_close(G);
		return rc;
	}
	if (built)
		*built = G->built;
	*out = G;
	return 0;
}

void rastro_graph_close(rastro_graph *G)
{
	if (!G)
		return;
	sqlite3_finalize(G->ent_q);
	sqlite3_finalize(G->net_q);
	sqlite3_finalize(G->vic_q);
	mem_free(G->mark);
	mem_free(G->mark2);
	mem_free(G->parent);
	mem_free(G->pedge);
	mem_free(G->depth);
	mem_free(G->dist2);
	mem_free(G->queue);
	net_graph_free(G->g);
	mem_free(G);
}

static uint32_t next_stamp(struct rastro_graph *G)
{
	if (++G->stamp == 0) {
		memset(G->mark, 0, (size_t)G->g->n * sizeof *G->mark);
		memset(G->mark2, 0, (size_t)G->g->n * sizeof *G->mark2);
		G->stamp = 1;
	}
	return G->stamp;
}

int rastro_entity_find(rastro_ws *ws, const char *ref, int64_t *entity)
{
	sqlite3_stmt *q;
	const char *colon, *r = ref;
	int64_t id;
	int rc, n = 0;
	struct sbuf cand = SBUF_INIT;

	if (!ref || !*ref)
		return ws_error(ws, RASTRO_USAGE, "empty entity reference");
	if (*r == '#')
		r++;
	if (!parse_i64(r, strlen(r), &id)) {
		if (ws_prepare(ws, "SELECT id FROM entity WHERE id = ?1", &q))
			return ws->err.code;
		sqlite3_bind_int64(q, 1, id);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc == SQLITE_ROW) {
			*entity = id;
			return 0;
		}
		if (*ref == '#')
			return ws_error(ws, RASTRO_NOTFOUND, "no entity #%lld", (long long)id);
	}
	colon = strchr(ref, ':');
	if (colon) {
		if (ws_prepare(ws, "SELECT id FROM entity WHERE kind = ?1 AND key = ?2", &q))
			return ws->err.code;
		sqlite3_bind_text(q, 1, ref, (int)(colon - ref), SQLITE_STATIC);
		sqlite3_bind_text(q, 2, colon + 1, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*entity = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
			return 0;
		}
		sqlite3_finalize(q);
	}
	/* a bare key or label in exactly one entity */
	if (ws_prepare(ws, "SELECT id, kind, key FROM entity WHERE key = ?1 UNION SELECT id, kind, key FROM entity"
			   " WHERE label = ?1 ORDER BY 1 LIMIT 6", &q))
		return ws->err.code;
	sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
	sbuf_init(&cand);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			*entity = sqlite3_column_int64(q, 0);
		sbuf_addf(&cand, "%s#%lld (%s:%s)", n > 1 ? ", " : "", (long long)sqlite3_column_int64(q, 0),
			  sqlite3_column_text(q, 1), sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) { /* a read error is not "no such entity" */
		sbuf_release(&cand);
		return ws_sqlerr(ws, "looking up an entity");
	}
	if (n == 1) {
		sbuf_release(&cand);
		return 0;
	}
	if (n > 1) {
		rc = ws_error(ws, RASTRO_USAGE, "'%s' names %s%d entities: %s; use #id or kind:key", ref,
			      n > 5 ? "more than " : "", n > 5 ? 5 : n, cand.buf);
		sbuf_release(&cand);
		return rc;
	}
	sbuf_release(&cand);
	return ws_error(ws, RASTRO_NOTFOUND, "no entity '%s' (use #id, kind:key, a key or a label)", ref);
}

/* Fills kind/key/label/network/role cells of a row for node v. */
static void describe(struct rastro_graph *G, rastro_table *t, uint32_t v, size_t c_kind, size_t c_key,
		     size_t c_label, size_t c_net, size_t c_role, int labels, int reveal)
{
	struct net_graph *g = G->g;
	int victim = g->role[v] == NR_VICTIM;

	tbl_set(t, c_kind, g->kinds.name[g->kind[v]]);
	if (labels && !victim) {
		sqlite3_reset(G->vic_q);
		sqlite3_bind_int64(G->vic_q, 1, g->ent[v]);
		victim = sqlite3_step(G->vic_q) == SQLITE_ROW;
	}
	if (labels && (!victim || reveal)) {
		sqlite3_reset(G->ent_q);
		sqlite3_bind_int64(G->ent_q, 1, g->ent[v]);
		if (sqlite3_step(G->ent_q) == SQLITE_ROW) {
			tbl_set(t, c_key, (const char *)sqlite3_column_text(G->ent_q, 1));
			tbl_set(t, c_label, (const char *)sqlite3_column_text(G->ent_q, 2));
		}
	} else if (victim) {
		tbl_set(t, c_label, "[protected: potential victim]");
	}
	if (g->net[v]) {
		if (labels) {
			sqlite3_reset(G->net_q);
			sqlite3_bind_int64(G->net_q, 1, g->net[v]);
			if (sqlite3_step(G->net_q) == SQLITE_ROW)
				tbl_set(t, c_net, (const char *)sqlite3_column_text(G->net_q, 0));
		} else {
			tbl_setf(t, c_net, "%u", g->net[v]);
		}
	}
	if (victim)
		tbl_set(t, c_role, "potential_victim");
	else if (g->hub[v])
		tbl_set(t, c_role, "hub");
	else if (g->role[v])
		tbl_set(t, c_role, net_role_name[g->role[v]]);
}

static int settings_hops(struct net_graph *g, int hops)
{
	if (hops > 0)
		return hops > 12 ? 12 : hops;
	return (int)cfg_int(g->ws->cfg, "network.query.hops", 2);
}

static size_t settings_limit(struct net_graph *g, size_t limit)
{
	return limit ? limit : (size_t)cfg_int(g->ws->cfg, "network.query.limit", 1000);
}

int rastro_neighbourhood(rastro_graph *G, int64_t entity, const struct rastro_query_opts *o,
			 rastro_table **out)
{
	static const char *const cols[] = { "entity:int", "kind", "key", "label", "hops:int", "via:int", "link",
					    "network", "role" };
	struct net_graph *g = G->g;
	struct rastro_query_opts def = { 0 };
	uint32_t s = net_node_of(g, entity), head = 0, tail = 0, st, i;
	int hops;
	size_t limit, found;
	rastro_table *t;

	*out = NULL;
	if (!o)
		o = &def;
	if (s == NET_NONE)
		return ws_error(g->ws, RASTRO_NOTFOUND, "no entity #%lld in the graph", (long long)entity);
	hops = settings_hops(g, o->hops);
	limit = settings_limit(g, o->limit);
	st = next_stamp(G);
	G->mark[s] = st;
	G->depth[s] = 0;
	G->queue[tail++] = s;
	while (head < tail) {
		uint32_t u = G->queue[head++];
		uint64_t x;

		if (G->depth[u] >= hops || (u != s && g->hub[u] && !o->through_hubs))
			continue;
		for (x = g->off[u]; x < g->off[u + 1]; x++) {
			uint32_t w = g->adj[x];

			if (G->mark[w] == st)
				continue;
			G->mark[w] = st;
			G->depth[w] = (uint8_t)(G->depth[u] + 1);
			G->parent[w] = u;
			G->pedge[w] = g->adje[x];
			G->queue[tail++] = w;
		}
	}
	found = tail - 1;
	{
		char title[128];

		snprintf(title, sizeof title, "%zu entities within %d hops of #%lld%s", found, hops, (long long)entity,
			 found > limit ? " (first rows shown)" : "");
		t = tbl_new(title, cols, sizeof cols / sizeof cols[0]);
	}
	if (!t)
		return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
	for (i = 1; i < tail && i <= limit; i++) {
		uint32_t w = G->queue[i];

		tbl_row(t);
		tbl_set_i64(t, 0, g->ent[w]);
		tbl_set_i64(t, 4, G->depth[w]);
		tbl_set_i64(t, 5, g->ent[G->parent[w]]);
		tbl_set(t, 6, g->types.name[g->etype[G->pedge[w]]]);
		describe(G, t, w, 1, 2, 3, 7, 8, o->labels, o->reveal_victims);
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

/* Link types between u and w ("paid+holds") and the first edge. */
static uint32_t link_between(const struct net_graph *g, uint32_t u, uint32_t w, char *types, size_t n)
{
	uint64_t x;
	uint32_t first = UINT32_MAX;
	size_t len = 0;

	types[0] = '\0';
	for (x = g->off[u]; x < g->off[u + 1]; x++) {
		if (g->adj[x] != w)
			continue;
		if (first == UINT32_MAX)
			first = g->adje[x];
		len += (size_t)snprintf(types + len, len < n ? n - len : 0, "%s%s", len ? "+" : "",
					g->types.name[g->etype[g->adje[x]]]);
	}
	return first;
}

static void path_rows(struct rastro_graph *G, rastro_table *t, int pathno, const uint32_t *p, int len,
		      const struct rastro_query_opts *o)
{
	struct net_graph *g = G->g;
	int i;

	for (i = 0; i < len; i++) {
		tbl_row(t);
		tbl_set_i64(t, 0, pathno);
		tbl_set_i64(t, 1, i);
		tbl_set_i64(t, 2, g->ent[p[i]]);
		describe(G, t, p[i], 3, 4, 5, 12, 13, o->labels, o->reveal_victims);
		if (i + 1 < len) {
			char types[128], d0[16], d1[16];
			uint32_t e = link_between(g, p[i], p[i + 1], types, sizeof types);

			tbl_set(t, 6, types);
			if (e != UINT32_MAX) {
				tbl_set(t, 7, g->esrc[e] == p[i] ? "->" : "<-");
				tbl_set_i64(t, 8, g->ecount[e]);
				if ((int)g->etype[e] == g->paid_type)
					tbl_set_real(t, 9, g->eamount[e], 2);
				if (g->et0[e] != NET_NOTIME) {
					format_date(g->et0[e], d0);
					format_date(g->et1[e], d1);
					tbl_set(t, 10, d0);
					tbl_set(t, 11, d1);
				}
			}
		}
	}
}

/* BFS distances to b (at most k), in dist2/mark2, not through hubs. */
static void dist_to(struct rastro_graph *G, uint32_t b, int k, int through_hubs, uint32_t st)
{
	struct net_graph *g = G->g;
	uint32_t head = 0, tail = 0;

	G->mark2[b] = st;
	G->dist2[b] = 0;
	G->queue[tail++] = b;
	while (head < tail) {
		uint32_t u = G->queue[head++];
		uint64_t x;

		if (G->dist2[u] >= k || (u != b && g->hub[u] && !through_hubs))
			continue;
		for (x = g->off[u]; x < g->off[u + 1]; x++) {
			uint32_t w = g->adj[x];

			if (G->mark2[w] == st)
				continue;
			G->mark2[w] = st;
			G->dist2[w] = (uint8_t)(G->dist2[u] + 1);
			G->queue[tail++] = w;
		}
	}
}

struct dfs {
	struct rastro_graph *G;
	uint32_t b, st, st2;
	int k;
	const struct rastro_query_opts *o;
	uint32_t path[16];
	uint32_t *store;   /* paths found, (k + 2) words each: length then nodes */
	size_t npaths, cap, limit;
	int full;
};

static void dfs(struct dfs *D, uint32_t u, int len)
{
	struct rastro_graph *G = D->G;
	struct net_graph *g = G->g;
	uint64_t x;
	uint32_t prev = NET_NONE;

	D->path[len - 1] = u;
	if (u == D->b) {
		uint32_t *slot;

		if (D->npaths >= D->limit) {
			D->full = 1;
			return;
		}
		if (D->npaths == D->cap) {
			size_t cap = D->cap ? D->cap * 2 : 64;
			uint32_t *ns = mem_realloc(D->store, cap * (size_t)(D->k + 2) * sizeof *ns);

			if (!ns) {
				D->full = 2;
				return;
			}
			D->store = ns;
			D->cap = cap;
		}
		slot = D->store + D->npaths++ * (size_t)(D->k + 2);
		slot[0] = (uint32_t)len;
		memcpy(slot + 1, D->path, (size_t)len * sizeof *slot);
		return;
	}
	if (len > D->k || (len > 1 && g->hub[u] && !D->o->through_hubs))
		return;
	G->mark[u] = D->st;   /* on the current path */
	for (x = g->off[u]; x < g->off[u + 1] && !D->full; x++) {
		uint32_t w = g->adj[x];

		if (w == prev)
			continue;  /* parallel links: one path */
		prev = w;
		if (G->mark[w] == D->st || G->mark2[w] != D->st2 || G->dist2[w] > D->k - len)
			continue;
		dfs(D, w, len + 1);
	}
	G->mark[u] = 0;
}

static int cmp_len(const void *x, const void *y, void *k)
{
	const uint32_t *a = x, *b = y;
	size_t i, n;

	(void)k;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	n = a[0];
	for (i = 1; i <= n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int rastro_paths(rastro_graph *G, int64_t ea, int64_t eb, int all, const struct rastro_query_opts *o,
		 rastro_table **out)
{
	static const char *const cols[] = { "path:int", "step:int", "entity:int", "kind", "key", "label", "link",
					    "direction", "count:int", "amount:real", "first", "last", "network", "role" };
	struct net_graph *g = G->g;
	struct rastro_query_opts def = { 0 };
	uint32_t a = net_node_of(g, ea), b = net_node_of(g, eb), st, st2;
	rastro_table *t;
	char title[160];
	int k;

	*out = NULL;
	if (!o)
		o = &def;
	if (a == NET_NONE || b == NET_NONE)
		return ws_error(g->ws, RASTRO_NOTFOUND, "no entity #%lld in the graph",
				(long long)(a == NET_NONE ? ea : eb));
	if (a == b)
		return ws_error(g->ws, RASTRO_USAGE, "a path needs two different entities");
	k = o->hops > 0 ? (o->hops > 12 ? 12 : o->hops) : (int)cfg_int(g->ws->cfg, "network.query.path_hops", 6);
	st2 = next_stamp(G);
	dist_to(G, b, k, o->through_hubs, st2);
	if (G->mark2[a] != st2) {
		snprintf(title, sizeof title, "no path of at most %d links between #%lld and #%lld%s", k, (long long)ea,
			 (long long)eb, o->through_hubs ? "" : " (hubs not crossed)");
		t = tbl_new(title, cols, sizeof cols / sizeof cols[0]);
		if (!t)
			return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
		*out = t;
		return 0;
	}
	if (!all) {
		/* walk down the distance field: the smallest next node at each step */
		uint32_t p[16], u = a;
		int len = 0;

		p[len++] = a;
		while (u != b) {
			uint64_t x;
			uint32_t next = NET_NONE;

			for (x = g->off[u]; x < g->off[u + 1]; x++) {
				uint32_t w = g->adj[x];

				if (G->mark2[w] == st2 && G->dist2[w] + 1 == G->dist2[u] &&
				    (w == b || !g->hub[w] || o->through_hubs)) {
					next = w;
					break;
				}
			}
			if (next == NET_NONE)
				break;
			p[len++] = u = next;
		}
		snprintf(title, sizeof title, "shortest path between #%lld and #%lld: %d links", (long long)ea,
			 (long long)eb, len - 1);
		if (!(t = tbl_new(title, cols, sizeof cols / sizeof cols[0])))
			return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
		path_rows(G, t, 1, p, len, o);
	} else {
		struct dfs D;
		size_t i;

		memset(&D, 0, sizeof D);
		D.G = G;
		D.b = b;
		D.k = k;
		D.o = o;
		D.st2 = st2;
		D.limit = o->limit ? o->limit : (size_t)cfg_int(g->ws->cfg, "network.query.max_paths", 100);
		st = next_stamp(G);
		D.st = st;
		dfs(&D, a, 1);
		if (D.full == 2) {
			mem_free(D.store);
			return ws_error(g->ws, RASTRO_NOMEM, "out of memory listing paths");
		}
		if (D.npaths)
			qsort_r(D.store, D.npaths, (size_t)(k + 2) * sizeof *D.store, cmp_len, NULL);
		snprintf(title, sizeof title, "%zu%s paths of at most %d links between #%lld and #%lld", D.npaths,
			 D.full ? " (limit reached)" : "", k, (long long)ea, (long long)eb);
		if (!(t = tbl_new(title, cols, sizeof cols / sizeof cols[0]))) {
			mem_free(D.store);
			return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
		}
		for (i = 0; i < D.npaths; i++) {
			const uint32_t *slot = D.store + i * (size_t)(k + 2);

			path_rows(G, t, (int)i + 1, slot + 1, (int)slot[0], o);
		}
		mem_free(D.store);
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}
