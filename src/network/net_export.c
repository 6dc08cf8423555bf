/*
 * net_export: networks in the formats analysts' tools read — GraphML
 * (Gephi, Cytoscape, yEd, Maltego's .mtgx holds GraphML), GEXF 1.2 (Gephi),
 * Cytoscape.js JSON, CSV node and edge lists with neo4j-admin import
 * headers, and a link-per-row CSV for i2 Analyst's Notebook's tabular
 * import (reference/coordination.md §5).
 *
 * Victim-centred: a suspect export leaves out every potential victim (and
 * their links); a full export shows them as protected nodes with neither
 * name nor key.  Output order is by entity id, then link, so the same
 * workspace gives byte-identical files.
 */
#include "net_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/u64map.h"

struct xnode {
	uint32_t v;
	char *kind, *key, *label, *net, *role, *reason;
	int64_t rank;
	int64_t cell;        /* cell within its network (0 = no network) */
	double score;
	int victim, hub;
};

struct xedge {
	uint32_t e;
	uint32_t a, b;       /* indexes into nodes */
	char *source;        /* file:line of the first record */
};

struct xp {
	rastro_ws *ws;
	struct net_graph *g;
	struct xnode *nodes;
	size_t nn;
	struct xedge *edges;
	size_t ne;
	uint64_t victims_out;
	struct arena ar;
	char *paths[2];
};

static char *dup_col(struct xp *X, sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s ? arena_strdup(&X->ar, s) : NULL;
}

static int cmp_edge(const void *x, const void *y, void *ctx)
{
	const struct xedge *a = x, *b = y;
	const struct net_graph *g = ctx;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (g->etype[a->e] != g->etype[b->e])
		return strcmp(g->types.name[g->etype[a->e]], g->types.name[g->etype[b->e]]);
	return a->e < b->e ? -1 : a->e > b->e;
}

/* Selects nodes and links and reads their descriptions. */
static int collect(struct xp *X, const struct rastro_export_opts *o)
{
	rastro_ws *ws = X->ws;
	struct net_graph *g = X->g;
	uint8_t *sel = NULL, *vic = NULL;
	uint32_t *idx = NULL, v;
	sqlite3_stmt *q = NULL, *qe = NULL, *qn = NULL, *qp = NULL;
	int64_t only = 0;
	uint64_t e, max_prov;
	int rc = 0;

	sel = mem_calloc(g->n ? g->n : 1, 1);
	vic = mem_calloc(g->n ? g->n : 1, 1);
	idx = mem_alloc((g->n ? g->n : 1) * sizeof *idx);
	if (!sel || !vic || !idx) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if (o->network && (rc = net_network_id(ws, o->network, &only)))
		goto out;
	/* potential victims, whatever the network stage saw */
	if ((rc = ws_prepare(ws, "SELECT entity_id FROM victim_flag", &q)))
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW)
		if ((v = net_node_of(g, sqlite3_column_int64(q, 0))) != NET_NONE)
			vic[v] = 1;
	sqlite3_finalize(q);
	q = NULL;
	if (o->whole_graph) {
		for (v = 0; v < g->n; v++)
			sel[v] = g->off[v + 1] > g->off[v];
	} else {
		if ((rc = ws_prepare(ws, "SELECT m.entity_id FROM network_member m JOIN network n ON n.id = m.network_id"
					 " WHERE (?1 = 0 AND n.rank IS NOT NULL AND (?2 = 0 OR n.rank <= ?2)) OR n.id = ?1", &q)))
			goto out;
		sqlite3_bind_int64(q, 1, only);
		sqlite3_bind_int64(q, 2, (int64_t)o->top);
		while (sqlite3_step(q) == SQLITE_ROW)
			if ((v = net_node_of(g, sqlite3_column_int64(q, 0))) != NET_NONE)
				sel[v] = 1;
		sqlite3_finalize(q);
		q = NULL;
	}
	for (v = 0; v < g->n; v++) {
		idx[v] = NET_NONE;
		if (!sel[v])
			continue;
		if ((vic[v] || g->role[v] == NR_VICTIM) && o->suspects_only) {
			sel[v] = 0;
			X->victims_out++;
			continue;
		}
		X->nn++;
	}
	X->nodes = mem_calloc(X->nn ? X->nn : 1, sizeof *X->nodes);
	if (!X->nodes) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ws_prepare(ws, "SELECT kind, key, label FROM entity WHERE id = ?1", &qe)) ||
	    (rc = ws_prepare(ws, "SELECT n.key, n.rank, n.score, m.reason, ifnull(m.cell, 1) FROM network_member m JOIN network n"
				 " ON n.id = m.network_id WHERE m.entity_id = ?1", &qn)))
		goto out;
	X->nn = 0;
	for (v = 0; v < g->n; v++) {
		struct xnode *x;

		if (!sel[v])
			continue;
		idx[v] = (uint32_t)X->nn;
		x = &X->nodes[X->nn++];
		x->v = v;
		x->victim = vic[v] || g->role[v] == NR_VICTIM;
		x->hub = g->hub[v];
		x->kind = arena_strdup(&X->ar, g->kinds.name[g->kind[v]]);
		if (!x->victim) {
			sqlite3_reset(qe);
			sqlite3_bind_int64(qe, 1, g->ent[v]);
			if (sqlite3_step(qe) == SQLITE_ROW) {
				x->key = dup_col(X, qe, 1);
				x->label = dup_col(X, qe, 2);
			}
		} else {
			x->label = arena_strdup(&X->ar, "[protected: potential victim]");
		}
		x->role = arena_strdup(&X->ar, x->victim ? "potential_victim" : g->hub[v] ? "hub" : net_role_name[g->role[v]]);
		sqlite3_reset(qn);
		sqlite3_bind_int64(qn, 1, g->ent[v]);
		if (sqlite3_step(qn) == SQLITE_ROW) {
			x->net = dup_col(X, qn, 0);
			x->rank = sqlite3_column_type(qn, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(qn, 1);
			x->score = sqlite3_column_double(qn, 2);
			x->cell = sqlite3_column_int64(qn, 4);
			if (!x->victim)
				x->reason = dup_col(X, qn, 3);
		}
	}
	for (e = 0; e < g->m; e++)
		X->ne += g->esrc[e] != g->edst[e] && sel[g->esrc[e]] && sel[g->edst[e]];
	X->edges = mem_calloc(X->ne ? X->ne : 1, sizeof *X->edges);
	if (!X->edges) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	X->ne = 0;
	for (e = 0; e < g->m; e++) {
		if (g->esrc[e] == g->edst[e] || !sel[g->esrc[e]] || !sel[g->edst[e]])
			continue;
		X->edges[X->ne].e = (uint32_t)e;
		X->edges[X->ne].a = idx[g->esrc[e]];
		X->edges[X->ne].b = idx[g->edst[e]];
		X->ne++;
	}
	qsort_r(X->edges, X->ne, sizeof *X->edges, cmp_edge, g);
	/* provenance of each link's first record (skipped for huge exports) */
	max_prov = (uint64_t)cfg_int(ws->cfg, "network.export.provenance_max_edges", 200000);
	if (X->ne <= max_prov) {
		size_t i;

		if ((rc = ws_prepare(ws, "SELECT s.path || ':' || r.line FROM record r JOIN source s ON s.id = r.source_id"
					 " WHERE r.id = ?1", &qp)))
			goto out;
		for (i = 0; i < X->ne; i++) {
			int64_t rec = g->erec[X->edges[i].e];

			if (!rec)
				continue;
			sqlite3_reset(qp);
			sqlite3_bind_int64(qp, 1, rec);
			if (sqlite3_step(qp) == SQLITE_ROW)
				X->edges[i].source = dup_col(X, qp, 0);
		}
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(qe);
	sqlite3_finalize(qn);
	sqlite3_finalize(qp);
	mem_free(sel);
	mem_free(vic);
	mem_free(idx);
	return rc;
}

/* ---- writers: each appends to one sbuf, flushed to the file in chunks */

struct out {
	FILE *f;
	struct sbuf b;
	int err;
};

static void flush(struct out *w, int force)
{
	if (w->b.len && (force || w->b.len > (1u << 20))) {
		if (fwrite(w->b.buf, 1, w->b.len, w->f) != w->b.len)
			w->err = errno ? errno : EIO;
		sbuf_clear(&w->b);
	}
}

static void xml(struct out *w, const char *s)
{
	if (s)
		sbuf_add_xml_escaped(&w->b, s, strlen(s));
}

static void date_of(int64_t t, char *out)
{
	if (t == NET_NOTIME)
		out[0] = '\0';
	else
		format_date(t, out);
}

static const char *edge_type(const struct xp *X, const struct xedge *x)
{
	return X->g->types.name[X->g->etype[x->e]];
}

static void write_graphml(struct xp *X, struct out *w)
{
	static const char *const nkeys[][2] = { { "entity", "long" }, { "kind", "string" }, { "key", "string" },
						{ "label", "string" }, { "network", "string" }, { "rank", "int" },
						{ "score", "double" }, { "role", "string" }, { "reason", "string" },
						{ "hub", "boolean" }, { "cell", "int" } };
	static const char *const ekeys[][2] = { { "type", "string" }, { "count", "long" }, { "amount", "double" },
						{ "first", "string" }, { "last", "string" }, { "weight", "double" },
						{ "record", "long" }, { "source", "string" } };
	const struct net_graph *g = X->g;
	size_t i, k;

	sbuf_adds(&w->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
			 "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
			 "    xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
			 "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
	for (k = 0; k < sizeof nkeys / sizeof nkeys[0]; k++)
		sbuf_addf(&w->b, "  <key id=\"n%zu\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k, nkeys[k][0],
			  nkeys[k][1]);
	for (k = 0; k < sizeof ekeys / sizeof ekeys[0]; k++)
		sbuf_addf(&w->b, "  <key id=\"e%zu\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k, ekeys[k][0],
			  ekeys[k][1]);
	sbuf_adds(&w->b, "  <graph id=\"rastro\" edgedefault=\"directed\">\n");
	for (i = 0; i < X->nn; i++) {
		const struct xnode *x = &X->nodes[i];

		sbuf_addf(&w->b, "    <node id=\"n%lld\">", (long long)g->ent[x->v]);
		sbuf_addf(&w->b, "<data key=\"n0\">%lld</data>", (long long)g->ent[x->v]);
		sbuf_adds(&w->b, "<data key=\"n1\">");
		xml(w, x->kind);
		sbuf_adds(&w->b, "</data>");
		if (x->key) {
			sbuf_adds(&w->b, "<data key=\"n2\">");
			xml(w, x->key);
			sbuf_adds(&w->b, "</data>");
		}
		if (x->label) {
			sbuf_adds(&w->b, "<data key=\"n3\">");
			xml(w, x->label);
			sbuf_adds(&w->b, "</data>");
		}
		if (x->net) {
			sbuf_adds(&w->b, "<data key=\"n4\">");
			xml(w, x->net);
			sbuf_adds(&w->b, "</data>");
			if (x->rank)
				sbuf_addf(&w->b, "<data key=\"n5\">%lld</data>", (long long)x->rank);
			sbuf_addf(&w->b, "<data key=\"n6\">%.4f</data>", x->score);
			sbuf_addf(&w->b, "<data key=\"n10\">%lld</data>", (long long)x->cell);
		}
		if (x->role && *x->role) {
			sbuf_adds(&w->b, "<data key=\"n7\">");
			xml(w, x->role);
			sbuf_adds(&w->b, "</data>");
		}
		if (x->reason) {
			sbuf_adds(&w->b, "<data key=\"n8\">");
			xml(w, x->reason);
			sbuf_adds(&w->b, "</data>");
		}
		sbuf_addf(&w->b, "<data key=\"n9\">%s</data></node>\n", x->hub ? "true" : "false");
		flush(w, 0);
	}
	for (i = 0; i < X->ne; i++) {
		const struct xedge *x = &X->edges[i];
		char d0[16], d1[16];

		date_of(g->et0[x->e], d0);
		date_of(g->et1[x->e], d1);
		sbuf_addf(&w->b, "    <edge id=\"e%zu\" source=\"n%lld\" target=\"n%lld\">", i,
			  (long long)g->ent[g->esrc[x->e]], (long long)g->ent[g->edst[x->e]]);
		sbuf_adds(&w->b, "<data key=\"e0\">");
		xml(w, edge_type(X, x));
		sbuf_addf(&w->b, "</data><data key=\"e1\">%u</data>", g->ecount[x->e]);
		if ((int)g->etype[x->e] == g->paid_type)
			sbuf_addf(&w->b, "<data key=\"e2\">%.2f</data>", g->eamount[x->e]);
		if (d0[0])
			sbuf_addf(&w->b, "<data key=\"e3\">%s</data><data key=\"e4\">%s</data>", d0, d1);
		sbuf_addf(&w->b, "<data key=\"e5\">%.4f</data>", (double)g->eweight[x->e]);
		if (g->erec[x->e])
			sbuf_addf(&w->b, "<data key=\"e6\">%lld</data>", (long long)g->erec[x->e]);
		if (x->source) {
			sbuf_adds(&w->b, "<data key=\"e7\">");
			xml(w, x->source);
			sbuf_adds(&w->b, "</data>");
		}
		sbuf_adds(&w->b, "</edge>\n");
		flush(w, 0);
	}
	sbuf_adds(&w->b, "  </graph>\n</graphml>\n");
}

static void attv(struct out *w, int id, const char *v)
{
	if (!v)
		return;
	sbuf_addf(&w->b, "<attvalue for=\"%d\" value=\"", id);
	xml(w, v);
	sbuf_adds(&w->b, "\"/>");
}

static void write_gexf(struct xp *X, struct out *w)
{
	const struct net_graph *g = X->g;
	size_t i;

	sbuf_adds(&w->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
			 "  <meta><creator>rastro " RASTRO_VERSION "</creator>"
			 "<description>networks found by rastro; potential victims protected</description></meta>\n"
			 "  <graph defaultedgetype=\"directed\" mode=\"static\">\n"
			 "    <attributes class=\"node\">\n"
			 "      <attribute id=\"0\" title=\"kind\" type=\"string\"/>\n"
			 "      <attribute id=\"1\" title=\"key\" type=\"string\"/>\n"
			 "      <attribute id=\"2\" title=\"network\" type=\"string\"/>\n"
			 "      <attribute id=\"3\" title=\"rank\" type=\"integer\"/>\n"
			 "      <attribute id=\"4\" title=\"role\" type=\"string\"/>\n"
			 "      <attribute id=\"5\" title=\"reason\" type=\"string\"/>\n"
			 "      <attribute id=\"6\" title=\"hub\" type=\"boolean\"/>\n"
			 "      <attribute id=\"7\" title=\"cell\" type=\"integer\"/>\n"
			 "    </attributes>\n"
			 "    <attributes class=\"edge\">\n"
			 "      <attribute id=\"0\" title=\"type\" type=\"string\"/>\n"
			 "      <attribute id=\"1\" title=\"count\" type=\"long\"/>\n"
			 "      <attribute id=\"2\" title=\"amount\" type=\"double\"/>\n"
			 "      <attribute id=\"3\" title=\"first\" type=\"string\"/>\n"
			 "      <attribute id=\"4\" title=\"last\" type=\"string\"/>\n"
			 "      <attribute id=\"5\" title=\"source\" type=\"string\"/>\n"
			 "    </attributes>\n"
			 "    <nodes>\n");
	for (i = 0; i < X->nn; i++) {
		const struct xnode *x = &X->nodes[i];
		char rank[24];

		sbuf_addf(&w->b, "      <node id=\"%lld\" label=\"", (long long)g->ent[x->v]);
		xml(w, x->label ? x->label : x->key ? x->key : x->kind);
		sbuf_adds(&w->b, "\"><attvalues>");
		attv(w, 0, x->kind);
		attv(w, 1, x->key);
		attv(w, 2, x->net);
		snprintf(rank, sizeof rank, "%lld", (long long)x->rank);
		if (x->rank)
			attv(w, 3, rank);
		attv(w, 4, x->role && *x->role ? x->role : NULL);
		attv(w, 5, x->reason);
		attv(w, 6, x->hub ? "true" : "false");
		snprintf(rank, sizeof rank, "%lld", (long long)x->cell);
		if (x->cell)
			attv(w, 7, rank);
		sbuf_adds(&w->b, "</attvalues></node>\n");
		flush(w, 0);
	}
	sbuf_adds(&w->b, "    </nodes>\n    <edges>\n");
	for (i = 0; i < X->ne; i++) {
		const struct xedge *x = &X->edges[i];
		char d0[16], d1[16], num[48];

		date_of(g->et0[x->e], d0);
		date_of(g->et1[x->e], d1);
		sbuf_addf(&w->b, "      <edge id=\"%zu\" source=\"%lld\" target=\"%lld\" weight=\"%.4f\" label=\"", i,
			  (long long)g->ent[g->esrc[x->e]], (long long)g->ent[g->edst[x->e]], (double)g->eweight[x->e]);
		xml(w, edge_type(X, x));
		sbuf_adds(&w->b, "\"><attvalues>");
		attv(w, 0, edge_type(X, x));
		snprintf(num, sizeof num, "%u", g->ecount[x->e]);
		attv(w, 1, num);
		if ((int)g->etype[x->e] == g->paid_type) {
			snprintf(num, sizeof num, "%.2f", g->eamount[x->e]);
			attv(w, 2, num);
		}
		if (d0[0]) {
			attv(w, 3, d0);
			attv(w, 4, d1);
		}
		attv(w, 5, x->source);
		sbuf_adds(&w->b, "</attvalues></edge>\n");
		flush(w, 0);
	}
	sbuf_adds(&w->b, "    </edges>\n  </graph>\n</gexf>\n");
}

static void js(struct out *w, const char *k, const char *v, int comma)
{
	if (!v)
		return;
	sbuf_addf(&w->b, "%s\"%s\":\"", comma ? "," : "", k);
	sbuf_add_json_escaped(&w->b, v, strlen(v));
	sbuf_addc(&w->b, '"');
}

static void write_cyjs(struct xp *X, struct out *w)
{
	const struct net_graph *g = X->g;
	size_t i;

	sbuf_adds(&w->b, "{\"format_version\":\"1.0\",\"generated_by\":\"rastro " RASTRO_VERSION "\",\n"
			 "\"data\":{\"name\":\"rastro networks\"},\n\"elements\":{\"nodes\":[\n");
	for (i = 0; i < X->nn; i++) {
		const struct xnode *x = &X->nodes[i];

		sbuf_addf(&w->b, "%s{\"data\":{\"id\":\"n%lld\",\"entity\":%lld", i ? ",\n" : "", (long long)g->ent[x->v],
			  (long long)g->ent[x->v]);
		js(w, "kind", x->kind, 1);
		js(w, "key", x->key, 1);
		js(w, "label", x->label ? x->label : x->key, 1);
		js(w, "network", x->net, 1);
		if (x->rank)
			sbuf_addf(&w->b, ",\"rank\":%lld", (long long)x->rank);
		if (x->cell)
			sbuf_addf(&w->b, ",\"cell\":%lld", (long long)x->cell);
		js(w, "role", x->role && *x->role ? x->role : NULL, 1);
		js(w, "reason", x->reason, 1);
		sbuf_addf(&w->b, ",\"hub\":%s}}", x->hub ? "true" : "false");
		flush(w, 0);
	}
	sbuf_adds(&w->b, "\n],\"edges\":[\n");
	for (i = 0; i < X->ne; i++) {
		const struct xedge *x = &X->edges[i];
		char d0[16], d1[16];

		date_of(g->et0[x->e], d0);
		date_of(g->et1[x->e], d1);
		sbuf_addf(&w->b, "%s{\"data\":{\"id\":\"e%zu\",\"source\":\"n%lld\",\"target\":\"n%lld\"", i ? ",\n" : "", i,
			  (long long)g->ent[g->esrc[x->e]], (long long)g->ent[g->edst[x->e]]);
		js(w, "type", edge_type(X, x), 1);
		sbuf_addf(&w->b, ",\"count\":%u,\"weight\":%.4f", g->ecount[x->e], (double)g->eweight[x->e]);
		if ((int)g->etype[x->e] == g->paid_type)
			sbuf_addf(&w->b, ",\"amount\":%.2f", g->eamount[x->e]);
		if (d0[0]) {
			js(w, "first", d0, 1);
			js(w, "last", d1, 1);
		}
		if (g->erec[x->e])
			sbuf_addf(&w->b, ",\"record\":%lld", (long long)g->erec[x->e]);
		js(w, "source", x->source, 1);
		sbuf_adds(&w->b, "}}");
		flush(w, 0);
	}
	sbuf_adds(&w->b, "\n]}}\n");
}

static void csv(struct out *w, const char *s, int last)
{
	if (s)
		sbuf_add_csv_field(&w->b, s, strlen(s));
	sbuf_addc(&w->b, last ? '\n' : ',');
}

static void write_csv_nodes(struct xp *X, struct out *w)
{
	const struct net_graph *g = X->g;
	size_t i;

	sbuf_adds(&w->b, "id:ID,entity:long,kind,key,label,network,rank:int,role,reason,hub:boolean,cell:int,:LABEL\n");
	for (i = 0; i < X->nn; i++) {
		const struct xnode *x = &X->nodes[i];
		char num[32];

		sbuf_addf(&w->b, "n%lld,%lld,", (long long)g->ent[x->v], (long long)g->ent[x->v]);
		csv(w, x->kind, 0);
		csv(w, x->key, 0);
		csv(w, x->label, 0);
		csv(w, x->net, 0);
		snprintf(num, sizeof num, "%lld", (long long)x->rank);
		csv(w, x->rank ? num : NULL, 0);
		csv(w, x->role, 0);
		csv(w, x->reason, 0);
		csv(w, x->hub ? "true" : "false", 0);
		snprintf(num, sizeof num, "%lld", (long long)x->cell);
		csv(w, x->cell ? num : NULL, 0);
		csv(w, x->victim ? "Entity;PotentialVictim" : "Entity", 1);
		flush(w, 0);
	}
}

static void write_csv_edges(struct xp *X, struct out *w)
{
	const struct net_graph *g = X->g;
	size_t i;

	sbuf_adds(&w->b, ":START_ID,:END_ID,:TYPE,count:long,amount:double,first,last,weight:double,record:long,source\n");
	for (i = 0; i < X->ne; i++) {
		const struct xedge *x = &X->edges[i];
		char d0[16], d1[16];

		date_of(g->et0[x->e], d0);
		date_of(g->et1[x->e], d1);
		sbuf_addf(&w->b, "n%lld,n%lld,", (long long)g->ent[g->esrc[x->e]], (long long)g->ent[g->edst[x->e]]);
		csv(w, edge_type(X, x), 0);
		sbuf_addf(&w->b, "%u,", g->ecount[x->e]);
		if ((int)g->etype[x->e] == g->paid_type)
			sbuf_addf(&w->b, "%.2f", g->eamount[x->e]);
		sbuf_addf(&w->b, ",%s,%s,%.4f,", d0, d1, (double)g->eweight[x->e]);
		if (g->erec[x->e])
			sbuf_addf(&w->b, "%lld", (long long)g->erec[x->e]);
		sbuf_addc(&w->b, ',');
		csv(w, x->source, 1);
		flush(w, 0);
	}
}

/* i2 Analyst's Notebook: one row per link, both ends' identity, type and
 * label, then the link's type, direction, date, strength and attributes;
 * entities without a link in the export come as rows with empty link and
 * second end, so the import specification creates them too. */
static void i2_end(struct out *w, const struct xp *X, const struct xnode *x)
{
	char id[32];

	snprintf(id, sizeof id, "E%lld", (long long)X->g->ent[x->v]);
	csv(w, id, 0);
	csv(w, x->kind, 0);
	csv(w, x->label ? x->label : x->key ? x->key : id, 0);
	csv(w, x->key, 0);
	csv(w, x->net, 0);
	csv(w, x->role, 0);
}

static void write_i2(struct xp *X, struct out *w)
{
	const struct net_graph *g = X->g;
	uint8_t *linked = mem_calloc(X->nn ? X->nn : 1, 1);
	size_t i;

	sbuf_adds(&w->b, "Entity1 Identity,Entity1 Type,Entity1 Label,Entity1 Key,Entity1 Network,Entity1 Role,"
			 "Link Type,Link Label,Link Direction,Link Date,Link End Date,Link Strength,Link Count,Link Amount,"
			 "Entity2 Identity,Entity2 Type,Entity2 Label,Entity2 Key,Entity2 Network,Entity2 Role,"
			 "Source Reference\n");
	for (i = 0; i < X->ne; i++) {
		const struct xedge *x = &X->edges[i];
		const char *type = edge_type(X, x);
		char d0[16], d1[16], num[64];

		if (linked) {
			linked[x->a] = 1;
			linked[x->b] = 1;
		}
		date_of(g->et0[x->e], d0);
		date_of(g->et1[x->e], d1);
		i2_end(w, X, &X->nodes[x->a]);
		csv(w, type, 0);
		if ((int)g->etype[x->e] == g->paid_type) {
			char amt[48];

			net_fmt_amount(amt, sizeof amt, g->eamount[x->e]);
			snprintf(num, sizeof num, "%u payments, %s", g->ecount[x->e], amt);
			csv(w, num, 0);
		} else {
			csv(w, type, 0);
		}
		csv(w, strcmp(type, "same_as") == 0 ? "Arrow on both" : "Arrow on head", 0);
		csv(w, d0, 0);
		csv(w, d1, 0);
		/* a link clustering refused ("may be one person") is tentative */
		csv(w, strcmp(type, "same_as") == 0 ? "Tentative" : "Confirmed", 0);
		sbuf_addf(&w->b, "%u,", g->ecount[x->e]);
		if ((int)g->etype[x->e] == g->paid_type)
			sbuf_addf(&w->b, "%.2f", g->eamount[x->e]);
		sbuf_addc(&w->b, ',');
		i2_end(w, X, &X->nodes[x->b]);
		csv(w, x->source, 1);
		flush(w, 0);
	}
	for (i = 0; i < X->nn; i++) {
		if (linked && linked[i])
			continue;
		i2_end(w, X, &X->nodes[i]);
		sbuf_adds(&w->b, ",,,,,,,,,,,,,,\n");
	}
	mem_free(linked);
}

int rastro_export_format(const char *name)
{
	static const char *const names[] = { "graphml", "gexf", "cyjs", "csv", "i2" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	if (strcmp(name, "cytoscape") == 0 || strcmp(name, "json") == 0)
		return RASTRO_EXPORT_CYJS;
	return -1;
}

static int open_out(rastro_ws *ws, struct out *w, const char *path)
{
	memset(w, 0, sizeof *w);
	sbuf_init(&w->b);
	w->f = fopen(path, "wb");
	if (!w->f)
		return ws_error(ws, RASTRO_IO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static int close_out(rastro_ws *ws, struct out *w, const char *path)
{
	int rc = 0;

	flush(w, 1);
	if (sbuf_failed(&w->b))
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory writing '%s'", path);
	if (fclose(w->f) && !w->err)
		w->err = errno ? errno : EIO;
	if (!rc && w->err)
		rc = ws_error(ws, w->err == ENOSPC ? RASTRO_FULL : RASTRO_IO, "cannot write '%s': %s", path, strerror(w->err));
	sbuf_release(&w->b);
	return rc;
}

int rastro_export(rastro_ws *ws, const struct rastro_export_opts *o, struct rastro_export_stats *st)
{
	struct xp X;
	rastro_graph *G = NULL;
	struct out w;
	struct rastro_export_stats dummy;
	int rc, built;
	static char names[2][4096];

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if (!o || !o->path || o->format < 0 || o->format > RASTRO_EXPORT_I2)
		return ws_error(ws, RASTRO_USAGE, "export needs a format and an output path");
	memset(&X, 0, sizeof X);
	arena_init(&X.ar, 0);
	X.ws = ws;
	if ((rc = rastro_graph_open(ws, &G, &built)))
		goto out;
	X.g = net_graph_of(G);
	if ((rc = collect(&X, o)))
		goto out;
	if (o->format == RASTRO_EXPORT_CSV) {
		size_t n = strlen(o->path);
		int stem = n > 4 && strcmp(o->path + n - 4, ".csv") == 0 ? (int)(n - 4) : (int)n;

		snprintf(names[0], sizeof names[0], "%.*s-nodes.csv", stem, o->path);
		snprintf(names[1], sizeof names[1], "%.*s-edges.csv", stem, o->path);
		if ((rc = open_out(ws, &w, names[0])))
			goto out;
		write_csv_nodes(&X, &w);
		if ((rc = close_out(ws, &w, names[0])) || (rc = open_out(ws, &w, names[1])))
			goto out;
		write_csv_edges(&X, &w);
		if ((rc = close_out(ws, &w, names[1])))
			goto out;
		st->files[0] = names[0];
		st->files[1] = names[1];
	} else {
		snprintf(names[0], sizeof names[0], "%s", o->path);
		if ((rc = open_out(ws, &w, o->path)))
			goto out;
		switch (o->format) {
		case RASTRO_EXPORT_GRAPHML: write_graphml(&X, &w); break;
		case RASTRO_EXPORT_GEXF: write_gexf(&X, &w); break;
		case RASTRO_EXPORT_CYJS: write_cyjs(&X, &w); break;
		default: write_i2(&X, &w); break;
		}
		if ((rc = close_out(ws, &w, o->path)))
			goto out;
		st->files[0] = names[0];
	}
	st->nodes = X.nn;
	st->edges = X.ne;
	st->victims_left_out = X.victims_out;
out:
	mem_free(X.nodes);
	mem_free(X.edges);
	arena_release(&X.ar);
	rastro_graph_close(G);
	return rc;
}
