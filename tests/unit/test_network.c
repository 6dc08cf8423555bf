/*
 * Unit tests of the network stage: the graph built from a tiny hand-made
 * workspace (money aggregated per pair, links merged, CSR), components,
 * the hub rule and Leiden on known small graphs, shortest and all paths,
 * k-hop neighbourhoods, cells joined into enterprises (and the links that
 * must not join them; shared finance evidence in a hand-made workspace), each role rule with a case that must match and one
 * that must not, potential victims never suspects, stable keys across
 * runs, and the graph cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "network/net_int.h"
#include "store/ws.h"
#include "testutil.h"

static int nws;

/* A fresh workspace with one source; statements run in order. */
static rastro_ws *ws_with(const char *sql)
{
	char name[32];
	rastro_ws *ws;
	char *err = NULL;

	snprintf(name, sizeof name, "w%d.rastro", ++nws);
	if (rastro_open(tu_path(name), RASTRO_OPEN_CREATE, &ws)) {
		fprintf(stderr, "%s\n", rastro_errmsg(ws));
		abort();
	}
	if (sqlite3_exec(ws->db,
			 "INSERT INTO source(id, path, format, kind, agency_id, label, loaded_at)"
			 " VALUES(1, 'hand.csv', 'generic', 'txn', 1, 'LES', '2024-01-01');",
			 NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(ws->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sql: %s\n", err);
		abort();
	}
	return ws;
}

/* Entities 1..n as accounts A1..An. */
static void accounts(struct sbuf *sb, int n)
{
	int i;

	for (i = 1; i <= n; i++)
		sbuf_addf(sb, "INSERT INTO entity(id, kind, key, label) VALUES(%d, 'account', 'A%d', 'acct %d');", i, i, i);
}

static int txn_no;

static void pay(struct sbuf *sb, int from, int to, double amount, const char *when, const char *cat)
{
	txn_no++;
	sbuf_addf(sb, "INSERT INTO txn(id, source_id, line, ts, src, dst, amount, currency, channel, category)"
		      " VALUES(%d, 1, %d, strftime('%%s', '%s'), %d, %d, %.2f, 'USD', 'p2p', %s%s%s);",
		  txn_no, txn_no + 1, when, from, to, amount, cat ? "'" : "", cat ? cat : "NULL", cat ? "'" : "");
}

/* Cash paid into account `to` (a deposit has no payer). */
static void deposit(struct sbuf *sb, int to, double amount, const char *when)
{
	txn_no++;
	sbuf_addf(sb, "INSERT INTO txn(id, source_id, line, ts, src, dst, amount, currency, channel)"
		      " VALUES(%d, 1, %d, strftime('%%s', '%s'), NULL, %d, %.2f, 'USD', 'cash');",
		  txn_no, txn_no + 1, when, to, amount);
}

/* A finance signal on entity e with the given details (JSON). */
static void fin_signal(struct sbuf *sb, const char *code, int e, const char *details)
{
	sbuf_addf(sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
		      " VALUES('%s', %d, 0.8, 'x', '%s', 'finance');", code, e, details);
}

static void graph_from_workspace(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct net_graph *g;
	rastro_ws *ws;
	uint64_t e;
	int found = 0;

	(void)state;
	sbuf_init(&sb);
	accounts(&sb, 3);
	sbuf_adds(&sb, "INSERT INTO entity(id, kind, key) VALUES(4, 'person', 'p1'), (5, 'phone', '+15550001');");
	pay(&sb, 1, 2, 100, "2024-03-01", NULL);
	pay(&sb, 1, 2, 50, "2024-03-05", NULL);
	pay(&sb, 2, 3, 70, "2024-03-02", NULL);
	pay(&sb, 2, 2, 10, "2024-03-02", NULL);    /* self transfer: no link */
	sbuf_adds(&sb, "INSERT INTO txn(id, source_id, line, ts, src, dst, amount, currency, channel)"
		       " VALUES(90, 1, 90, 1709251200, NULL, 3, 900, 'USD', 'cash');"  /* cash in: figures only */
		       "INSERT INTO edge(src, dst, type, record_id, stage) VALUES(4, 1, 'holds', 90, 'resolve'),"
		       " (4, 5, 'uses_phone', 90, 'resolve'), (4, 5, 'uses_phone', 91, 'resolve');");
	ws = ws_with(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(net_graph_build(ws, &g), 0);
	assert_int_equal(g->n, 5);
	assert_int_equal(g->m, 4);          /* 1->2 paid, 2->3 paid, holds, uses_phone (merged) */
	assert_int_equal(g->ent[0], 1);
	assert_int_equal(g->txns, 5);
	for (e = 0; e < g->m; e++) {
		const char *type = g->types.name[g->etype[e]];

		if (strcmp(type, "paid") == 0 && g->esrc[e] == 0 && g->edst[e] == 1) {
			assert_int_equal(g->ecount[e], 2);
			assert_true(g->eamount[e] > 149.99 && g->eamount[e] < 150.01);
			assert_true(g->et1[e] - g->et0[e] == 4 * 86400);
			assert_int_equal(g->erec[e], 1);   /* the first payment */
			found++;
		}
		if (strcmp(type, "uses_phone") == 0) {
			assert_int_equal(g->ecount[e], 2);
			found++;
		}
	}
	assert_int_equal(found, 2);
	/* CSR: account 2 has neighbours 1 and 3; the person 1 and the phone */
	assert_int_equal(g->off[2] - g->off[1], 2);
	assert_int_equal(g->ndeg[3], 2);
	assert_int_equal(g->st[2].cash_in, 1);
	assert_int_equal(g->st[1].in_n, 3);     /* two from 1, and its own self transfer */
	assert_int_equal(net_node_of(g, 5), 4);
	assert_int_equal(net_node_of(g, 6), NET_NONE);
	net_graph_free(g);
	rastro_close(ws);
}

/* More transactions than the reader's ring holds (8 batches of 256): the
 * batches come back in order and every row is counted once. */
static void graph_many_transactions(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct net_graph *g;
	rastro_ws *ws;
	uint64_t e;
	int found = 0;

	(void)state;
	sbuf_init(&sb);
	accounts(&sb, 4);
	/* 3000 payments 1 -> 2 of 1.00, then 2000 payments 2 -> 3 of 2.00 with
	 * every tenth memo "gas money", then 999 cash deposits to 4 */
	sbuf_adds(&sb, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5999)"
		       " INSERT INTO txn(id, source_id, line, ts, src, dst, amount, currency, channel, memo)"
		       " SELECT x, 1, x + 1, 1704067200 + x,"
		       " CASE WHEN x <= 3000 THEN 1 WHEN x <= 5000 THEN 2 ELSE NULL END,"
		       " CASE WHEN x <= 3000 THEN 2 WHEN x <= 5000 THEN 3 ELSE 4 END,"
		       " CASE WHEN x <= 3000 THEN 1.0 ELSE 2.0 END, 'USD', 'p2p',"
		       " CASE WHEN x > 3000 AND x <= 5000 AND x % 10 = 0 THEN 'gas money' ELSE NULL END FROM c;");
	ws = ws_with(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(net_graph_build(ws, &g), 0);
	assert_int_equal(g->txns, 5999);
	assert_int_equal(g->m, 2);
	for (e = 0; e < g->m; e++) {
		if (g->esrc[e] == 0 && g->edst[e] == 1) {
			assert_int_equal(e, 0);                  /* first seen, first made */
			assert_int_equal(g->ecount[e], 3000);
			assert_true(g->eamount[e] > 2999.99 && g->eamount[e] < 3000.01);
			assert_int_equal(g->erec[e], 1);
			assert_int_equal(g->eride[e], 0);
			assert_int_equal(g->et1[e] - g->et0[e], 2999);
			found++;
		}
		if (g->esrc[e] == 1 && g->edst[e] == 2) {
			assert_int_equal(g->ecount[e], 2000);
			assert_true(g->eamount[e] > 3999.99 && g->eamount[e] < 4000.01);
			assert_int_equal(g->erec[e], 3001);
			assert_int_equal(g->eride[e], 200);
			found++;
		}
	}
	assert_int_equal(found, 2);
	assert_int_equal(g->st[0].out_n, 3000);
	assert_int_equal(g->st[1].in_n, 3000);
	assert_int_equal(g->st[1].out_n, 2000);
	assert_int_equal(g->st[3].cash_in, 999);
	assert_int_equal(g->st[3].in_n, 999);
	net_graph_free(g);
	rastro_close(ws);
}

/* A hand-made graph of n nodes (entity ids 1..n). */
static struct net_graph *hand_graph(uint32_t n, const uint32_t (*ed)[2], size_t ne)
{
	int64_t *ids = malloc(n * sizeof *ids);
	struct net_graph *g;
	size_t i;

	for (i = 0; i < n; i++)
		ids[i] = (int64_t)i + 1;
	g = net_graph_new(n, ids);
	free(ids);
	assert_non_null(g);
	for (i = 0; i < ne; i++)
		assert_int_equal(net_graph_add_edge(g, ed[i][0], ed[i][1], "paid", 1, 10, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_finish(g), 0);
	return g;
}

static void params(struct net_params *p, uint32_t min_size, uint32_t max_size, uint32_t hub)
{
	net_params_read(NULL, NULL, p);
	p->min_size = min_size;
	p->max_size = max_size;
	p->hub_min_degree = hub;
	p->hub_percentile = 100;
	p->hub_id_degree = 0;
}

static void components_known(void **state)
{
	/* three components: {0,1,2}, {3,4}, {5}; a lone node 6 */
	static const uint32_t ed[][2] = { { 0, 1 }, { 1, 2 }, { 3, 4 }, { 2, 0 } };
	struct net_graph *g = hand_graph(7, ed, 4);
	struct net_params p;
	struct net_part P;
	struct rs_err err;

	(void)state;
	params(&p, 2, 10, 1000);
	net_weights(g, &p);
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(P.ncomp, 4);            /* {0,1,2} {3,4} {5} {6} */
	assert_int_equal(P.ngroups, 2);          /* groups of at least 2 */
	assert_int_equal(P.groups[0].n, 3);
	assert_int_equal(P.members[P.groups[0].first], 0);
	assert_int_equal(P.groups[1].n, 2);
	assert_int_equal(P.group_of[5], NET_NONE);
	assert_int_equal(P.nhubs, 0);
	net_part_release(&P);
	net_graph_free(g);
}

static void hub_rule_splits_star(void **state)
{
	/* two triangles {1,2,3} and {4,5,6}, each tied to a big merchant 0
	 * that ten one-off customers 7..16 also pay */
	uint32_t ed[40][2];
	size_t ne = 0, i;
	struct net_graph *g;
	struct net_params p;
	struct net_part P;
	struct rs_err err;

	(void)state;
	for (i = 1; i <= 16; i++) {
		ed[ne][0] = (uint32_t)i;
		ed[ne++][1] = 0;
	}
	ed[ne][0] = 1, ed[ne++][1] = 2;
	ed[ne][0] = 2, ed[ne++][1] = 3;
	ed[ne][0] = 3, ed[ne++][1] = 1;
	ed[ne][0] = 4, ed[ne++][1] = 5;
	ed[ne][0] = 5, ed[ne++][1] = 6;
	ed[ne][0] = 6, ed[ne++][1] = 4;
	g = hand_graph(17, (const uint32_t(*)[2])ed, ne);
	params(&p, 3, 10, 12);
	net_weights(g, &p);
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(P.nhubs, 1);
	assert_int_equal(g->hub[0], 1);
	assert_int_equal(P.ngroups, 2);          /* the triangles, apart */
	assert_int_equal(P.group_of[0], NET_NONE);
	assert_true(P.group_of[1] != P.group_of[4]);
	net_part_release(&P);
	net_graph_free(g);

	/* a degree below the threshold: no hub, one component of 17 */
	g = hand_graph(17, (const uint32_t(*)[2])ed, ne);
	params(&p, 3, 100, 100);
	net_weights(g, &p);
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(P.nhubs, 0);
	assert_int_equal(P.ngroups, 1);
	assert_int_equal(P.groups[0].n, 17);
	net_part_release(&P);
	net_graph_free(g);
}

static void hub_rule_peels_merchants(void **state)
{
	/* X (45) pays five merchants (0..4), each of which eight one-off
	 * customers also pay, and is in a triangle with 46 and 47: seven
	 * distinct links, but five go to hubs, so X is not a hub (the
	 * controller paying rooms, tickets and phone cards).  The look-alike:
	 * Y (48) in a triangle with 49 and 50 pays five ordinary accounts
	 * (51..55): seven links to non-hubs, a hub (network.hub.peel). */
	uint32_t ed[64][2];
	size_t ne = 0;
	uint32_t m, c;
	struct net_graph *g;
	struct net_params p;
	struct net_part P;
	struct rs_err err;

	(void)state;
	for (m = 0; m < 5; m++) {
		for (c = 0; c < 8; c++) {
			ed[ne][0] = 5 + 8 * m + c;
			ed[ne++][1] = m;
		}
		ed[ne][0] = 45, ed[ne++][1] = m;
		ed[ne][0] = 48, ed[ne++][1] = 51 + m;
	}
	ed[ne][0] = 45, ed[ne++][1] = 46;
	ed[ne][0] = 46, ed[ne++][1] = 47;
	ed[ne][0] = 47, ed[ne++][1] = 45;
	ed[ne][0] = 48, ed[ne++][1] = 49;
	ed[ne][0] = 49, ed[ne++][1] = 50;
	ed[ne][0] = 50, ed[ne++][1] = 48;
	g = hand_graph(56, (const uint32_t(*)[2])ed, ne);
	params(&p, 3, 100, 5);
	p.hub_percentile = 0;                    /* the floor alone decides */
	p.hub_peel = 1;
	net_weights(g, &p);
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(P.hub_threshold, 5);
	for (m = 0; m < 5; m++) {
		assert_int_equal(g->hub[m], 1);
		assert_int_equal(P.hub_links[m], 9);   /* eight customers and X */
	}
	assert_int_equal(g->ndeg[45], 7);
	assert_int_equal(g->hub[45], 0);         /* positive: X stays with its group */
	assert_true(P.group_of[45] != NET_NONE);
	assert_int_equal(P.group_of[45], P.group_of[46]);
	assert_int_equal(P.group_of[45], P.group_of[47]);
	assert_int_equal(g->ndeg[48], 7);
	assert_int_equal(g->hub[48], 1);         /* negative: Y's links are to non-hubs */
	assert_int_equal(P.hub_links[48], 7);
	assert_int_equal(P.nhubs, 6);
	assert_int_equal(P.group_of[5], NET_NONE);   /* a one-off customer alone */
	net_part_release(&P);

	/* without peeling (the default) X's seven links make it a hub */
	p.hub_peel = 0;
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(g->hub[45], 1);
	assert_int_equal(P.hub_links[45], 7);
	assert_int_equal(P.nhubs, 7);
	assert_int_equal(P.hub_kept, 0);
	net_part_release(&P);

	/* network.hub.members: only the organisation's own accounts are
	 * peeled.  X kept (its links go to hubs); Y, a member too, keeps its
	 * seven ordinary links and stays a hub (a big merchant a signal names) */
	{
		uint8_t keep[56] = { 0 };

		keep[45] = keep[48] = 1;
		p.hub_keep = keep;
		assert_int_equal(net_partition(g, &p, &P, &err), 0);
		assert_int_equal(g->hub[45], 0);
		assert_int_equal(P.group_of[45], P.group_of[46]);
		assert_int_equal(g->hub[48], 1);
		assert_int_equal(P.hub_links[48], 7);
		assert_int_equal(P.nhubs, 6);
		assert_int_equal(P.hub_kept, 1);
		net_part_release(&P);
		p.hub_keep = NULL;
	}
	net_graph_free(g);
}

/*
 * Which accounts are an organisation's own (net_attr_members, read by
 * network.hub.members): 1 alerted, a KYC row, FIN.VICTIM_COSTS of its
 * own.  Look-alikes: 2 the same but watched; 3 without a KYC row; 4 with
 * a graph shape only (FIN.FAN_IN); 5 named only as where a funnel's money
 * went (a merchant); 6 with an identifier match only; 7 a potential victim.
 */
static void hub_members_own_accounts(void **state)
{
	static const char *const code[8] = { NULL, "FIN.VICTIM_COSTS", "FIN.VICTIM_COSTS", "FIN.VICTIM_COSTS",
					     "FIN.FAN_IN", "FIN.PAYROLL_FUNNEL", "FIN.AD_IDENTIFIER", "FIN.VICTIM_COSTS" };
	struct sbuf sb = SBUF_INIT;
	struct net_graph *g = NULL;
	struct net_attr A;
	struct net_join_params jp;
	uint8_t *keep;
	rastro_ws *ws;
	int i;

	(void)state;
	sbuf_init(&sb);
	txn_no = 0;
	accounts(&sb, 8);
	for (i = 1; i <= 7; i++) {
		pay(&sb, i, 8, 100, "2024-02-01", NULL);
		sbuf_addf(&sb, "INSERT INTO signal(id, code, entity_id, score, explanation, details, stage)"
			       " VALUES(%d, '%s', %d, 0.9, 'x', '%s', 'finance');"
			       "INSERT INTO fin_risk(entity_id, score, parts, signals, alert) VALUES(%d, 1, '[]', 1, %d);",
			  i, code[i], i, i == 5 ? "{\"side\":\"beneficiary\",\"hop\":1}" : "{}", i, i != 2);
		if (i != 3)
			sbuf_addf(&sb, "INSERT INTO kyc(id, source_id, line, account, name, customer_type)"
				       " VALUES(%d, 1, %d, %d, 'holder %d', 'individual');", i, i + 100, i, i);
	}
	sbuf_adds(&sb, "INSERT INTO victim_flag(entity_id, score, reasons) VALUES(7, 1.5, '[{\"code\":\"VIC.DEBT\"}]');");
	ws = ws_with(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(net_graph_build(ws, &g), 0);
	assert_int_equal(net_attr_load(ws, g, &A), 0);
	assert_int_equal(net_join_params_read(NULL, &jp), 0);
	assert_non_null(keep = net_attr_members(g, &A, &jp));
	for (i = 1; i <= 8; i++)
		assert_int_equal(keep[net_node_of(g, i)], i == 1);
	mem_free(keep);
	net_join_params_release(&jp);
	net_attr_release(&A, g->n);
	net_graph_free(g);
	rastro_close(ws);
}

/* A partition made by hand: cells of three consecutive nodes (0-2, 3-5...). */
static void hand_cells(struct net_part *P, uint32_t n, uint32_t ncells)
{
	uint32_t c, v;

	memset(P, 0, sizeof *P);
	P->members = mem_alloc(n * sizeof *P->members);
	P->groups = mem_calloc(ncells, sizeof *P->groups);
	P->group_of = mem_alloc(n * sizeof *P->group_of);
	assert_true(P->members && P->groups && P->group_of);
	for (v = 0; v < n; v++)
		P->group_of[v] = NET_NONE;
	for (c = 0; c < ncells; c++) {
		P->groups[c].first = 3 * c;
		P->groups[c].n = 3;
		P->groups[c].component = c;
		for (v = 3 * c; v < 3 * c + 3; v++) {
			P->members[v] = v;
			P->group_of[v] = c;
		}
	}
	P->ngroups = ncells;
}

static void join_cells_into_enterprises(void **state)
{
	/*
	 * Cells (three nodes each): c0 {0,1,2} ads 0 and 1; c1 {3,4,5} ad
	 * cluster 3 flagged by the ads stage; c2 {6,7,8} person 6, a finance
	 * signal on 7; c3 {9,10,11} account 9, a signal on 10; c4 {12,13,14}
	 * account 12, a signal only on potential victim 13; c5 {15,16,17} ad
	 * 15 and ad 16; c6 {18,19,20} ad cluster 18 without a signal; c7
	 * {21,22,23} potential victim 21, a signal on 22; c8 {24,25,26}
	 * account 24, a signal on 25.
	 */
	enum { N = 27, CELLS = 9 };
	int64_t ids[N];
	struct net_graph *g;
	struct net_attr a;
	struct net_part P;
	struct net_join_params jp;
	struct rs_err err;
	struct net_sig sg[] = { { 3, 1, 0.9, 1, NET_SIDE_OWN },  { 7, 2, 0.9, 2, NET_SIDE_OWN },
				{ 10, 2, 0.9, 3, NET_SIDE_OWN }, { 13, 2, 0.9, 4, NET_SIDE_OWN },
				{ 22, 2, 0.9, 5, NET_SIDE_OWN }, { 25, 2, 0.9, 6, NET_SIDE_OWN } };
	uint32_t v, i, kad, kcl, kperson, kacct;

	(void)state;
	for (v = 0; v < N; v++)
		ids[v] = v + 1;
	g = net_graph_new(N, ids);
	assert_non_null(g);
	kad = (uint32_t)net_name_intern(&g->kinds, "ad");
	kcl = (uint32_t)net_name_intern(&g->kinds, "ad_cluster");
	kperson = (uint32_t)net_name_intern(&g->kinds, "person");
	kacct = (uint32_t)net_name_intern(&g->kinds, "account");
	for (v = 0; v < N; v++)
		g->kind[v] = (uint8_t)kacct;
	g->kind[0] = g->kind[1] = g->kind[15] = g->kind[16] = (uint8_t)kad;
	g->kind[3] = g->kind[18] = (uint8_t)kcl;
	g->kind[6] = g->kind[21] = (uint8_t)kperson;
	/* inside the cells */
	for (v = 0; v < N; v += 3) {
		assert_int_equal(net_graph_add_edge(g, v, v + 1, "paid", 1, 10, NET_NOTIME, NET_NOTIME, 0), 0);
		assert_int_equal(net_graph_add_edge(g, v + 1, v + 2, "paid", 1, 10, NET_NOTIME, NET_NOTIME, 0), 0);
	}
	/* between them, in link order */
	assert_int_equal(net_graph_add_edge(g, 0, 3, "in_cluster", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);  /* c0-c1: joins */
	assert_int_equal(net_graph_add_edge(g, 15, 18, "in_cluster", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0); /* unflagged cluster */
	assert_int_equal(net_graph_add_edge(g, 6, 9, "holds", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);        /* c2-c3: evidence both */
	assert_int_equal(net_graph_add_edge(g, 6, 12, "holds", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);       /* c4: a victim's signal only */
	assert_int_equal(net_graph_add_edge(g, 21, 24, "holds", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);      /* through a victim */
	assert_int_equal(net_graph_add_edge(g, 1, 16, "paid", 1, 900, NET_NOTIME, NET_NOTIME, 0), 0);      /* money never joins */
	assert_int_equal(net_graph_add_edge(g, 16, 3, "in_cluster", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);  /* c5 to c0+c1: size */
	assert_int_equal(net_graph_finish(g), 0);

	memset(&a, 0, sizeof a);
	vec_init(&a.sigs, sizeof(struct net_sig));
	a.victim = mem_calloc(N, 1);
	a.sig_off = mem_calloc(N + 1, sizeof *a.sig_off);
	a.code_ads = mem_calloc(3, 1);
	assert_true(a.victim && a.sig_off && a.code_ads);
	a.victim[13] = a.victim[21] = 1;
	a.code_ads[1] = 1;                        /* code 1 AD.CLUSTER_PHONES, code 2 FIN.FUNNEL */
	for (i = 0; i < sizeof sg / sizeof sg[0]; i++)
		assert_int_equal(vec_push(&a.sigs, &sg[i]), 0);
	for (v = 0, i = 0; v < N; v++) {
		a.sig_off[v] = i;
		while (i < sizeof sg / sizeof sg[0] && sg[i].node == v)
			i++;
	}
	a.sig_off[N] = i;
	a.k_ad_cluster = (int)kcl;
	a.t_in_cluster = net_name_find(&g->types, "in_cluster");
	a.t_holds = net_name_find(&g->types, "holds");

	/* default: ad clusters only; holds links join nothing */
	assert_int_equal(net_join_params_read(NULL, &jp), 0);
	assert_int_equal(jp.ad_clusters, 1);
	assert_int_equal(jp.holds, 0);
	jp.max_size = 6;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.ncells, CELLS);
	assert_int_equal(P.ngroups, CELLS - 1);           /* only c0 and c1 joined */
	assert_int_equal(P.joins, 1);
	assert_int_equal(P.join_refused, 1);              /* c5 would make 9 entities */
	assert_int_equal(P.group_of[0], P.group_of[3]);
	assert_int_equal(P.groups[0].n, 6);
	assert_int_equal(P.groups[0].ncells, 2);
	assert_int_equal(P.groups[0].origin, 2);
	for (i = 0; i < 6; i++) {
		assert_int_equal(P.members[i], i);            /* ascending */
		assert_int_equal(P.cell[i], i < 3 ? 1 : 2);
	}
	assert_int_equal(P.nbridges, 1);
	assert_int_equal(P.bridges[0].rule, NET_BRIDGE_AD_CLUSTER);
	assert_int_equal(P.bridges[0].cell_a, 1);
	assert_int_equal(P.bridges[0].cell_b, 2);
	assert_int_equal(P.bridges[0].code, 1);
	assert_true(P.group_of[15] != P.group_of[18]);     /* the cluster has no signal */
	assert_true(P.group_of[15] != P.group_of[0]);      /* refused by the size limit; the payment joins nothing */
	assert_true(P.group_of[6] != P.group_of[9]);
	net_part_release(&P);

	/* holds on, room for everything */
	jp.holds = 1;
	jp.max_size = 100;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.group_of[0], P.group_of[3]);
	assert_int_equal(P.group_of[16], P.group_of[3]);   /* positive: c5 through the flagged cluster */
	assert_int_equal(P.group_of[6], P.group_of[9]);    /* positive: both cells hold suspect evidence */
	assert_true(P.group_of[6] != P.group_of[12]);      /* negative: c4's only signal is on a potential victim */
	assert_true(P.group_of[21] != P.group_of[24]);     /* negative: a potential victim never bridges */
	assert_true(P.group_of[18] != P.group_of[3]);      /* the unflagged cluster stays out */
	assert_int_equal(P.joins, 3);
	assert_int_equal(P.join_refused, 0);
	assert_int_equal(P.ngroups, CELLS - 3);
	net_part_release(&P);

	net_attr_release(&a, N);
	net_join_params_release(&jp);
	net_graph_free(g);
}

static void join_cells_by_shared_evidence(void **state)
{
	/*
	 * Six cells of three accounts, v -> v+1 -> v+2 paid inside each (so
	 * the middle account pays on).  Finance signals cite transactions:
	 *   #100 1 (c0) -> 4 (c1), signals on both ends: 4 moves into c0,
	 *        the rest of c1 stays apart
	 *   #101 7 (c2) -> 10 (c3), 10 a potential victim: nothing
	 *   #102 13 (c4) -> 16 (c5) cited by 13's signal only, 16's signal
	 *        cites #103: a money link without shared evidence, nothing
	 *   #104 1 (c0) -> 14 (c4), signals on both ends, but 14 pays no one
	 *        (the money stops there: a purchase, a collection): nothing
	 *   #106 16 (c5) -> 4, signals on both ends; 4 was moved by #100
	 *        already, so c5 joins the cell 4 now lies in (c0)
	 */
	enum { N = 18, CELLS = 6 };
	int64_t ids[N];
	struct net_graph *g;
	struct net_attr a;
	struct net_part P;
	struct net_join_params jp;
	struct rs_err err;
	const struct net_sev ev[] = { { 100, 1, 1, 0, 1 },  { 100, 4, 2, 1, 1 },  { 101, 7, 1, 0, 1 }, { 101, 10, 2, 1, 1 },
				      { 102, 13, 1, 0, 1 }, { 103, 16, 2, 1, 1 }, { 104, 1, 1, 0, 1 }, { 104, 14, 2, 1, 1 },
				      { 106, 16, 1, 0, 1 }, { 106, 4, 2, 1, 1 } };
	uint32_t v, i, kacct;

	(void)state;
	for (v = 0; v < N; v++)
		ids[v] = v + 1;
	g = net_graph_new(N, ids);
	assert_non_null(g);
	kacct = (uint32_t)net_name_intern(&g->kinds, "account");
	for (v = 0; v < N; v++)
		g->kind[v] = (uint8_t)kacct;
	for (v = 0; v < N; v += 3) {
		assert_int_equal(net_graph_add_edge(g, v, v + 1, "paid", 1, 10, NET_NOTIME, NET_NOTIME, 0), 0);
		assert_int_equal(net_graph_add_edge(g, v + 1, v + 2, "paid", 1, 10, NET_NOTIME, NET_NOTIME, 0), 0);
	}
	assert_int_equal(net_graph_add_edge(g, 1, 4, "paid", 1, 500, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_add_edge(g, 7, 10, "paid", 1, 500, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_add_edge(g, 13, 16, "paid", 1, 500, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_add_edge(g, 1, 14, "paid", 1, 500, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_add_edge(g, 16, 4, "paid", 1, 500, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_finish(g), 0);

	memset(&a, 0, sizeof a);
	vec_init(&a.sigs, sizeof(struct net_sig));
	vec_init(&a.sev, sizeof(struct net_sev));
	a.victim = mem_calloc(N, 1);
	a.sig_off = mem_calloc(N + 1, sizeof *a.sig_off);
	assert_true(a.victim && a.sig_off);
	a.victim[10] = 1;
	a.k_account = (int)kacct;
	a.k_ad_cluster = a.t_in_cluster = a.t_holds = -1;
	for (i = 0; i < sizeof ev / sizeof ev[0]; i++)
		assert_int_equal(vec_push(&a.sev, &ev[i]), 0);

	/* switched off: nothing moves, nothing joins */
	assert_int_equal(net_join_params_read(NULL, &jp), 0);
	assert_int_equal(jp.shared_evidence, 1);
	jp.shared_evidence = 0;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.joins + P.moves, 0);
	assert_int_equal(P.ngroups, CELLS);
	net_part_release(&P);

	jp.shared_evidence = 1;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.moves, 1);
	assert_int_equal(P.joins, 1);
	assert_int_equal(P.ncells, CELLS);
	assert_int_equal(P.ngroups, CELLS - 1);
	assert_int_equal(P.group_of[1], P.group_of[4]);    /* positive: both ends' signals cite #100 */
	assert_true(P.group_of[3] != P.group_of[1]);       /* only the cited account moved */
	assert_true(P.group_of[5] != P.group_of[1]);
	assert_int_equal(P.group_of[16], P.group_of[4]);   /* #106: c5 joined where 4 now lies */
	assert_true(P.group_of[7] != P.group_of[10]);      /* negative: the payee is a potential victim */
	assert_true(P.group_of[13] != P.group_of[16]);     /* negative: paid, but no evidence in common */
	assert_true(P.group_of[1] != P.group_of[14]);      /* negative: the payee pays no one */
	assert_int_equal(P.nbridges, 2);
	assert_int_equal(P.bridges[0].rule, NET_BRIDGE_EVIDENCE_MOVE);
	assert_int_equal(P.bridges[0].record, 100);
	assert_int_equal(P.bridges[0].src, 1);
	assert_int_equal(P.bridges[0].dst, 4);
	assert_int_equal(P.bridges[0].code, 1);
	assert_int_equal(P.bridges[0].code_b, 2);
	assert_int_equal(P.bridges[0].cell_a, 1);
	assert_int_equal(P.bridges[0].cell_b, 1);
	assert_int_equal(P.bridges[1].rule, NET_BRIDGE_SHARED_EVIDENCE);
	assert_int_equal(P.bridges[1].record, 106);
	assert_int_equal(P.bridges[1].src, 16);
	assert_int_equal(P.bridges[1].dst, 4);
	assert_int_equal(P.groups[P.group_of[1]].n, 7);   /* c0, account 4, c5 */
	net_part_release(&P);

	/* the size limit applies to moves and joins */
	jp.max_size = 4;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.moves, 1);                      /* c0 + account 4 = 4 */
	assert_int_equal(P.joins, 0);
	assert_int_equal(P.join_refused, 1);               /* c5 would make 7 */
	net_part_release(&P);
	jp.max_size = 3;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.moves, 0);
	assert_true(P.group_of[1] != P.group_of[4]);
	net_part_release(&P);

	net_attr_release(&a, N);
	net_join_params_release(&jp);
	net_graph_free(g);
}

/* Sets the money figures of merchant candidate v: in payments in, of
 * which catd carry a category, out payments out. */
static void figures(struct net_graph *g, uint32_t v, uint32_t in, uint32_t catd, uint32_t out)
{
	g->st[v].in_n = in;
	g->st[v].in_catd = catd;
	g->st[v].out_n = out;
}

static void merchants_set_aside(void **state)
{
	/*
	 * Cells (three nodes each), person p holds account a, a pays x:
	 * c0 {0,1,2}  x = 2 paid only by categorised purchases, no other link:
	 *             a merchant (positive); 4 in c1 pays it too
	 * c1 {3,4,5}  x = 5: one payment in without a category
	 * c2 {6,7,8}  x = 8: categorised purchases in, but pays out
	 * c3 {9,10,11} x = 11: categorised purchases in, but uses a phone
	 * c4 {12,13,14} x = 14: categorised purchases in, a signal of its own
	 * c5 {15,16,17} x = 17: categorised purchases in, a potential victim
	 * c6 {18,19,20} x = 20: categorised purchases in, a KYC row (a known holder)
	 */
	enum { N = 21, CELLS = 7 };
	int64_t ids[N];
	struct net_graph *g;
	struct net_attr a;
	struct net_part P;
	struct net_join_params jp;
	struct rs_err err;
	struct net_sig sg = { 14, 1, 0.9, 1, NET_SIDE_OWN };
	uint32_t v, kperson, kacct, kphone;

	(void)state;
	for (v = 0; v < N; v++)
		ids[v] = v + 1;
	g = net_graph_new(N, ids);
	assert_non_null(g);
	kperson = (uint32_t)net_name_intern(&g->kinds, "person");
	kacct = (uint32_t)net_name_intern(&g->kinds, "account");
	kphone = (uint32_t)net_name_intern(&g->kinds, "phone");
	for (v = 0; v < N; v += 3) {
		g->kind[v] = (uint8_t)kperson;
		g->kind[v + 1] = g->kind[v + 2] = (uint8_t)kacct;
		assert_int_equal(net_graph_add_edge(g, v, v + 1, "holds", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);
		assert_int_equal(net_graph_add_edge(g, v + 1, v + 2, "paid", 4, 400, NET_NOTIME, NET_NOTIME, 0), 0);
	}
	g->kind[9] = (uint8_t)kphone;                                                                     /* c3: a phone */
	assert_int_equal(net_graph_add_edge(g, 11, 9, "uses", 1, 0, NET_NOTIME, NET_NOTIME, 0), 0);
	assert_int_equal(net_graph_add_edge(g, 4, 2, "paid", 2, 60, NET_NOTIME, NET_NOTIME, 0), 0);       /* c1 pays c0's merchant */
	assert_int_equal(net_graph_add_edge(g, 8, 6, "paid", 1, 50, NET_NOTIME, NET_NOTIME, 0), 0);       /* c2's pays out */
	assert_int_equal(net_graph_finish(g), 0);
	g->st = mem_calloc(N, sizeof *g->st);
	assert_non_null(g->st);
	for (v = 0; v < N; v += 3)
		figures(g, v + 1, 0, 0, 4);
	figures(g, 4, 0, 0, 6);
	figures(g, 2, 6, 6, 0);
	figures(g, 5, 4, 3, 0);
	figures(g, 8, 4, 4, 1);
	figures(g, 11, 4, 4, 0);
	figures(g, 14, 4, 4, 0);
	figures(g, 17, 4, 4, 0);
	figures(g, 20, 4, 4, 0);

	memset(&a, 0, sizeof a);
	vec_init(&a.sigs, sizeof(struct net_sig));
	a.victim = mem_calloc(N, 1);
	a.business = mem_calloc(N, 1);
	a.kyc = mem_calloc(N, 1);
	a.sig_off = mem_calloc(N + 1, sizeof *a.sig_off);
	a.code_ads = mem_calloc(2, 1);
	assert_true(a.victim && a.business && a.kyc && a.sig_off && a.code_ads);
	assert_int_equal(vec_push(&a.sigs, &sg), 0);
	for (v = 15; v <= N; v++)
		a.sig_off[v] = 1;                      /* the one signal is on node 14 */
	a.victim[17] = 1;
	a.kyc[20] = 1;
	a.k_account = (int)kacct;
	a.k_ad_cluster = a.t_in_cluster = -1;
	a.t_holds = net_name_find(&g->types, "holds");

	assert_int_equal(net_join_params_read(NULL, &jp), 0);
	assert_int_equal(jp.merchants, 1);         /* on by default */
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.merchants, 1);
	assert_int_equal(P.group_of[2], NET_NONE);  /* positive: set aside */
	assert_int_equal(P.groups[P.group_of[0]].n, 2);
	assert_int_equal(P.group_of[5], P.group_of[3]); /* negative: an uncategorised payment in */
	assert_int_equal(P.group_of[8], P.group_of[6]); /* negative: pays out */
	assert_int_equal(P.group_of[11], P.group_of[10]); /* negative: a link that is not money */
	assert_int_equal(P.group_of[14], P.group_of[13]); /* negative: evidence of its own */
	assert_int_equal(P.group_of[17], P.group_of[16]); /* negative: a potential victim is never set aside */
	assert_int_equal(P.group_of[20], P.group_of[19]); /* negative: the bank knows its holder */
	assert_int_equal(P.ngroups, CELLS);
	/* a counterparty of both cells that pay it, with their payments */
	assert_int_equal(P.ncparty, 2);
	assert_int_equal(P.cparty[0].group, P.group_of[1]);
	assert_int_equal(P.cparty[0].node, 2);
	assert_int_equal(P.cparty[0].payments, 4);
	assert_true(P.cparty[0].amount == 400);
	assert_int_equal(P.cparty[1].group, P.group_of[4]);
	assert_int_equal(P.cparty[1].payments, 2);
	net_part_release(&P);

	/* off: every member stays */
	jp.merchants = 0;
	hand_cells(&P, N, CELLS);
	assert_int_equal(net_join(g, &a, &jp, &P, &err), 0);
	assert_int_equal(P.merchants, 0);
	assert_int_equal(P.group_of[2], P.group_of[0]);
	assert_int_equal(P.ncparty, 0);
	net_part_release(&P);

	net_attr_release(&a, N);
	net_join_params_release(&jp);
	net_graph_free(g);
}

static void leiden_splits_two_cliques(void **state)
{
	/* two 6-cliques joined by one link: one component too large for one
	 * network (max 8), Leiden finds the cliques */
	uint32_t ed[64][2];
	size_t ne = 0;
	uint32_t a, b, c;
	struct net_graph *g;
	struct net_params p;
	struct net_part P;
	struct rs_err err;

	(void)state;
	for (c = 0; c < 2; c++)
		for (a = 0; a < 6; a++)
			for (b = a + 1; b < 6; b++) {
				ed[ne][0] = c * 6 + a;
				ed[ne++][1] = c * 6 + b;
			}
	ed[ne][0] = 5, ed[ne++][1] = 6;
	g = hand_graph(12, (const uint32_t(*)[2])ed, ne);
	params(&p, 3, 8, 1000);
	net_weights(g, &p);
	assert_int_equal(net_partition(g, &p, &P, &err), 0);
	assert_int_equal(P.ncomp, 1);
	assert_int_equal(P.nlarge, 1);
	assert_int_equal(P.ngroups, 2);
	for (a = 0; a < 6; a++) {
		assert_int_equal(P.group_of[a], P.group_of[0]);
		assert_int_equal(P.group_of[a + 6], P.group_of[6]);
	}
	assert_true(P.group_of[0] != P.group_of[6]);
	assert_true(P.modularity > 0.4);
	assert_int_equal(P.groups[0].origin, 1);
	net_part_release(&P);
	net_graph_free(g);
}

static const char *cell(const rastro_table *t, size_t r, const char *col)
{
	size_t c;

	for (c = 0; c < rastro_table_ncols(t); c++)
		if (strcmp(rastro_table_colname(t, c), col) == 0)
			return rastro_table_cell(t, r, c);
	return NULL;
}

static void paths_and_neighbourhood(void **state)
{
	/* 1-2-3-4-5 in a line, and a detour 2-6-7-4 */
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;
	rastro_graph *G;
	rastro_table *t;
	struct rastro_query_opts o = { 0 };
	int built;

	(void)state;
	sbuf_init(&sb);
	accounts(&sb, 8);
	pay(&sb, 1, 2, 10, "2024-01-01", NULL);
	pay(&sb, 2, 3, 10, "2024-01-02", NULL);
	pay(&sb, 3, 4, 10, "2024-01-03", NULL);
	pay(&sb, 4, 5, 10, "2024-01-04", NULL);
	pay(&sb, 2, 6, 10, "2024-01-05", NULL);
	pay(&sb, 6, 7, 10, "2024-01-06", NULL);
	pay(&sb, 7, 4, 10, "2024-01-07", NULL);
	ws = ws_with(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(rastro_graph_open(ws, &G, &built), 0);
	assert_int_equal(built, 1);
	o.labels = 1;
	assert_int_equal(rastro_paths(G, 1, 5, 0, &o, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 5);          /* 1 2 3 4 5 */
	assert_string_equal(cell(t, 2, "entity"), "3");
	assert_string_equal(cell(t, 0, "link"), "paid");
	assert_string_equal(cell(t, 0, "direction"), "->");
	assert_string_equal(cell(t, 1, "label"), "acct 2");
	rastro_table_free(t);
	assert_int_equal(rastro_paths(G, 1, 5, 1, &o, &t), 0);
	/* two paths: 1-2-3-4-5 (4 links) and 1-2-6-7-4-5 (5 links) */
	assert_int_equal(rastro_table_nrows(t), 5 + 6);
	assert_string_equal(cell(t, 5, "path"), "2");
	rastro_table_free(t);
	o.hops = 4;
	assert_int_equal(rastro_paths(G, 1, 5, 1, &o, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 5);          /* the detour is too long */
	rastro_table_free(t);
	assert_int_equal(rastro_paths(G, 1, 8, 0, &o, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 0);          /* 8 is alone */
	assert_non_null(strstr(rastro_table_title(t), "no path"));
	rastro_table_free(t);
	o.hops = 2;
	o.labels = 0;
	assert_int_equal(rastro_neighbourhood(G, 2, &o, &t), 0);
	assert_int_equal(rastro_table_nrows(t), 5);          /* 1 3 6 at 1 hop, 4 7 at 2 */
	assert_string_equal(cell(t, 0, "entity"), "1");
	assert_string_equal(cell(t, 0, "hops"), "1");
	assert_string_equal(cell(t, 4, "hops"), "2");
	assert_string_equal(cell(t, 4, "via"), "6");
	rastro_table_free(t);
	rastro_graph_close(G);
	rastro_close(ws);
}

/* Runs the stage and returns the role of an entity (static buffer). */
static const char *role_of(rastro_ws *ws, int64_t entity)
{
	static char buf[64];
	sqlite3_stmt *q;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(ws->db, "SELECT role FROM network_member WHERE entity_id = ?1", -1, &q, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(q, 1, entity);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return buf;
}

static rastro_ws *stage(const char *sql)
{
	rastro_ws *ws = ws_with(sql);
	struct rastro_network_stats st;

	assert_int_equal(rastro_network_run(ws, &st), 0);
	return ws;
}

/* The parts JSON of the only network (static buffer). */
static const char *parts_of(rastro_ws *ws)
{
	static char buf[4096];
	sqlite3_stmt *q;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(ws->db, "SELECT parts FROM network ORDER BY id LIMIT 1", -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return buf;
}

/* Accounts 1..3 paying each other round: one cell. */
static void money_ring(struct sbuf *sb)
{
	accounts(sb, 3);
	pay(sb, 1, 2, 500, "2024-02-01", NULL);
	pay(sb, 2, 3, 480, "2024-02-02", NULL);
	pay(sb, 3, 1, 300, "2024-02-03", NULL);
}

/* The only network's parts hold every string of want and none of unwanted
 * (both NULL-terminated lists). */
static void parts_expect(rastro_ws *ws, const char *const *want, const char *const *unwanted)
{
	const char *parts = parts_of(ws);

	for (; *want; want++)
		if (!strstr(parts, *want))
			fail_msg("parts lack '%s': %s", *want, parts);
	for (; *unwanted; unwanted++)
		if (strstr(parts, *unwanted))
			fail_msg("parts hold '%s': %s", *unwanted, parts);
}

/* Score parts: finance evidence of graph shapes alone counts as its
 * strongest code, beside a typology code every code counts; a witness
 * record is no evidence against a member, a subject record is. */
static void score_shapes_and_records(void **state)
{
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;
	int typology;

	(void)state;
	sbuf_init(&sb);
	for (typology = 0; typology <= 1; typology++) {
		sbuf_clear(&sb);
		accounts(&sb, 3);
		pay(&sb, 1, 2, 500, "2024-02-01", NULL);
		pay(&sb, 2, 3, 480, "2024-02-02", NULL);
		sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
			       " VALUES('FIN.STACK', 2, 1, 'x', '{}', 'finance'), ('FIN.FAN_IN', 3, 1, 'x', '{}', 'finance');");
		if (typology)
			sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
				       " VALUES('FIN.PAYROLL_FUNNEL', 3, 1, 'x', '{}', 'finance');");
		/* two people in agency records, holding accounts 1 and 2: a witness
		 * and a subject */
		sbuf_adds(&sb, "INSERT INTO entity(id, kind, key) VALUES(10, 'person', 'p10'), (11, 'person', 'p11');"
			       "INSERT INTO edge(src, dst, type, stage) VALUES(10, 1, 'holds', 'resolve'), (11, 2, 'holds', 'resolve');"
			       "INSERT INTO person(id, source_id, line, ext_id, status) VALUES(100, 1, 2, 'R1', 'witness'),"
			       " (101, 1, 3, 'R2', 'subject');"
			       "INSERT INTO er_link(record_id, entity_id, source_id) VALUES(100, 10, 1), (101, 11, 1);");
		ws = stage(sb.buf);
		if (typology) {
			/* every code, each on one subject only: 2 x log2(1 + 3 x 0.5) */
			assert_non_null(strstr(parts_of(ws), "\"part\":\"finance\",\"points\":2.6439"));
			assert_null(strstr(parts_of(ws), "graph shapes only"));
		} else {
			/* 2 x log2(1 + 1): the strongest shape only */
			assert_non_null(strstr(parts_of(ws), "\"part\":\"finance\",\"points\":2.0000"));
			assert_non_null(strstr(parts_of(ws), "graph shapes only, counted as one"));
		}
		/* the subject counts, the witness does not: 1 x log2(1 + 1) */
		assert_non_null(strstr(parts_of(ws), "\"part\":\"records\",\"points\":1.0000"));
		assert_non_null(strstr(parts_of(ws), "1 suspect members named in agency records"));
		rastro_close(ws);
	}
	sbuf_release(&sb);
}

/* Score parts: a finance code two subjects carry counts in full, one that
 * a single subject carries at network.score.single_subject (0.5), the sum
 * at least the strongest code; an agency record counts (records,
 * agency_target) only for a member a signal in the network names — the
 * person or an account they hold — and is shown as not counted otherwise;
 * beside potential victims every record counts. */
static void score_spread_and_named_records(void **state)
{
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;
	struct rastro_network_stats st;
	int variant;

	/* per variant: 0 the defaults, 1 single_subject off, 2 one code on one
	 * subject and no person named by a signal, 3 records_need_evidence off */
	static const char *const want[4][7] = {
		/* PAYROLL_FUNNEL on two subjects, STRUCTURING on one: 2 x log2(1 +
		 * 1 + 0.5); p11 (account 2 signalled) counts, p10 is shown only */
		{ "\"part\":\"finance\",\"points\":2.6439", "FIN.STRUCTURING 1.00 (one subject)",
		  "\"part\":\"records\",\"points\":1.0000", "not counted: 1 more whom no signal in the network names",
		  "\"part\":\"agency_target\",\"points\":2.0000", "is held by hsi (not counted)" },
		/* switched off: 2 x log2(1 + 2) */
		{ "\"part\":\"finance\",\"points\":3.1699", "\"part\":\"records\",\"points\":1.0000", NULL },
		/* never below the strongest code: 2 x log2(1 + 0.8); nobody
		 * named, so records and targets are shown at 0 */
		{ "\"part\":\"finance\",\"points\":1.6960", "\"part\":\"records\",\"points\":0.0000",
		  "not counted: 2 more whom no signal in the network names", "\"part\":\"agency_target\",\"points\":0.0000",
		  NULL },
		/* both records and both agencies count */
		{ "\"part\":\"finance\",\"points\":2.6439", "\"part\":\"records\",\"points\":1.5850",
		  "\"part\":\"agency_target\",\"points\":4.0000", NULL },
	};
	static const char *const beside_victim[] = { "\"part\":\"records\",\"points\":1.0000",
						      "\"part\":\"agency_target\",\"points\":2.0000", NULL };
	static const char *const unwanted[4][3] = {
		{ "FIN.PAYROLL_FUNNEL 1.00 (one subject)", NULL },
		{ "(one subject)", NULL },
		{ "\"part\":\"diversity\"", NULL },
		{ "not counted", NULL },
	};

	(void)state;
	sbuf_init(&sb);
	for (variant = 0; variant < 4; variant++) {
		sbuf_clear(&sb);
		money_ring(&sb);
		if (variant == 2)
			sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
				       " VALUES('FIN.PAYROLL_FUNNEL', 3, 0.8, 'x', '{}', 'finance');");
		else
			sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
				       " VALUES('FIN.PAYROLL_FUNNEL', 2, 1, 'x', '{}', 'finance'),"
				       " ('FIN.PAYROLL_FUNNEL', 3, 1, 'x', '{}', 'finance'),"
				       " ('FIN.STRUCTURING', 3, 1, 'x', '{}', 'finance');");
		/* person 10 holds account 1 (no signal), arrested by a second
		 * agency; person 11 holds account 2 (a signal), a subject of the
		 * first */
		sbuf_adds(&sb, "INSERT INTO agency(id, code) VALUES(7, 'hsi');"
			       "INSERT INTO source(id, path, format, kind, agency_id, label, loaded_at)"
			       " VALUES(2, 'p.csv', 'person', 'person', 7, 'LES', '2024-01-01');"
			       "INSERT INTO entity(id, kind, key) VALUES(10, 'person', 'p10'), (11, 'person', 'p11');"
			       "INSERT INTO edge(src, dst, type, stage) VALUES(10, 1, 'holds', 'resolve'), (11, 2, 'holds', 'resolve');"
			       "INSERT INTO person(id, source_id, line, ext_id, status) VALUES(100, 2, 2, 'R1', 'arrested'),"
			       " (101, 1, 3, 'R2', 'subject');"
			       "INSERT INTO er_link(record_id, entity_id, source_id) VALUES(100, 10, 2), (101, 11, 1);");
		ws = ws_with(sb.buf);
		if (variant == 1)
			assert_int_equal(rastro_config_set(ws, "network.score.single_subject=1"), 0);
		if (variant == 3)
			assert_int_equal(rastro_config_set(ws, "network.score.records_need_evidence=false"), 0);
		assert_int_equal(rastro_network_run(ws, &st), 0);
		parts_expect(ws, want[variant], unwanted[variant]);
		rastro_close(ws);
	}
	/* beside a potential victim every record counts */
	sbuf_clear(&sb);
	money_ring(&sb);
	sbuf_adds(&sb, "INSERT INTO entity(id, kind, key) VALUES(10, 'person', 'p10');"
		       "INSERT INTO edge(src, dst, type, stage) VALUES(10, 1, 'holds', 'resolve');"
		       "INSERT INTO person(id, source_id, line, ext_id, status) VALUES(100, 1, 2, 'R1', 'arrested');"
		       "INSERT INTO er_link(record_id, entity_id, source_id) VALUES(100, 10, 1);"
		       "INSERT INTO victim_flag(entity_id, score, reasons) VALUES(3, 0.9, 'VIC.X');");
	ws = stage(sb.buf);
	parts_expect(ws, beside_victim, unwanted[3]);
	rastro_close(ws);
	sbuf_release(&sb);
}

static void roles_positive_negative(void **state)
{
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;

	(void)state;
	/* organiser: the largest net receiver, paid by 3 members */
	sbuf_init(&sb);
	accounts(&sb, 4);
	pay(&sb, 1, 4, 500, "2024-02-01", NULL);
	pay(&sb, 2, 4, 500, "2024-02-02", NULL);
	pay(&sb, 3, 4, 500, "2024-02-03", NULL);
	pay(&sb, 4, 1, 50, "2024-02-04", NULL);
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 4), "organiser");
	assert_string_equal(role_of(ws, 2), "buyer");   /* pays once into the network, nothing else */
	rastro_close(ws);
	/* negative: a chain where nobody is paid by two members */
	sbuf_clear(&sb);
	accounts(&sb, 3);
	pay(&sb, 1, 2, 500, "2024-02-01", NULL);
	pay(&sb, 2, 3, 100, "2024-02-02", NULL);
	ws = stage(sb.buf);
	assert_string_not_equal(role_of(ws, 2), "organiser");
	assert_string_not_equal(role_of(ws, 3), "organiser");
	rastro_close(ws);

	/* money mover from a finance signal; an unknown code does nothing */
	sbuf_clear(&sb);
	accounts(&sb, 3);
	pay(&sb, 1, 2, 20, "2024-02-01", NULL);
	pay(&sb, 2, 3, 20, "2024-02-02", NULL);
	sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
		       " VALUES('FIN.FUNNEL', 2, 0.9, 'funnel', '{\"typology\":\"trafficking+smuggling\"}', 'finance'),"
		       " ('FIN.SOMETHING_ELSE', 3, 0.9, 'x', '{}', 'finance');");
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 2), "money_mover");
	assert_string_not_equal(role_of(ws, 3), "money_mover");
	rastro_close(ws);

	/* pass-through by flow: in 1,000 from two members, out 950 */
	sbuf_clear(&sb);
	accounts(&sb, 4);
	pay(&sb, 1, 3, 600, "2024-02-01", NULL);
	pay(&sb, 2, 3, 400, "2024-02-01", NULL);
	pay(&sb, 3, 4, 950, "2024-02-02", NULL);
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 3), "money_mover");
	rastro_close(ws);

	/* facilitator: a business paid for lodging by two members */
	sbuf_clear(&sb);
	accounts(&sb, 4);
	sbuf_adds(&sb, "INSERT INTO kyc(id, source_id, line, account, name, customer_type, business_type)"
		       " VALUES(50, 1, 50, 3, 'Sunset Motel', 'business', 'motel');");
	pay(&sb, 1, 3, 80, "2024-02-01", "lodging");
	pay(&sb, 2, 3, 80, "2024-02-02", "lodging");
	pay(&sb, 4, 1, 300, "2024-02-02", NULL);
	pay(&sb, 4, 2, 300, "2024-02-02", NULL);
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 3), "facilitator");
	assert_string_not_equal(role_of(ws, 1), "facilitator");
	rastro_close(ws);

	/* transporter: paid for rides three times; a single ride is not enough.
	 * The driver is the bank's customer (a KYC row): an account paid only
	 * for purchases that has no known holder is a merchant instead */
	sbuf_clear(&sb);
	accounts(&sb, 4);
	sbuf_adds(&sb, "INSERT INTO kyc(id, source_id, line, account, name, customer_type)"
		       " VALUES(51, 1, 51, 3, 'Luis Ortega', 'individual');");
	pay(&sb, 1, 3, 40, "2024-02-01", "rideshare");
	pay(&sb, 1, 3, 40, "2024-02-02", "rideshare");
	pay(&sb, 1, 4, 40, "2024-02-02", "rideshare");
	pay(&sb, 2, 1, 900, "2024-02-03", NULL);
	pay(&sb, 2, 4, 10, "2024-02-03", NULL);
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 3), "transporter");
	assert_string_not_equal(role_of(ws, 4), "transporter");
	rastro_close(ws);

	/* transporter from memos: a member paid person to person "para la
	 * gasolina" (the transport lexicon); one paid for "dinner" is not.
	 * The driver stays the transporter with a money-movement signal on it
	 * too (FIN.BORDER_FANIN: the ride payments are the more specific
	 * evidence, so the rule is tried first) */
	sbuf_clear(&sb);
	accounts(&sb, 4);
	pay(&sb, 1, 3, 60, "2024-02-01", NULL);
	sbuf_addf(&sb, "UPDATE txn SET memo = 'Para la GASOLINA' WHERE id = %d;", txn_no);
	pay(&sb, 1, 4, 60, "2024-02-02", NULL);
	sbuf_addf(&sb, "UPDATE txn SET memo = 'dinner' WHERE id = %d;", txn_no);
	pay(&sb, 2, 1, 900, "2024-02-03", NULL);
	pay(&sb, 2, 4, 10, "2024-02-03", NULL);
	sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
		       " VALUES('FIN.BORDER_FANIN', 3, 0.9, 'x', '{\"typology\":\"smuggling\"}', 'finance');");
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 3), "transporter");
	assert_string_not_equal(role_of(ws, 4), "transporter");
	rastro_close(ws);

	/* recruiter: a person whose phone is listed in an ad; their contact
	 * who is in no ad is not */
	sbuf_clear(&sb);
	sbuf_adds(&sb, "INSERT INTO entity(id, kind, key) VALUES(1, 'person', 'p1'), (2, 'phone', '+15550001'),"
		       " (3, 'ad', 'site:1'), (4, 'person', 'p2'), (5, 'phone', '+15550002');"
		       "INSERT INTO edge(src, dst, type, stage) VALUES(1, 2, 'uses_phone', 'resolve'), (3, 2, 'lists', 'ads'),"
		       " (4, 5, 'uses_phone', 'resolve'), (1, 5, 'uses_phone', 'resolve');");
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 1), "recruiter");
	assert_string_equal(role_of(ws, 3), "ad");
	assert_string_equal(role_of(ws, 2), "identifier");
	assert_string_not_equal(role_of(ws, 4), "recruiter");
	rastro_close(ws);

	/* recruiter before organiser: the account that collects three recruits'
	 * fees is the recruiter even with a payroll-funnel signal (workers' pay
	 * swept through it); with two fees the controller signal decides */
	{
		int fees;

		for (fees = 3; fees >= 2; fees--) {
			int j;

			sbuf_clear(&sb);
			accounts(&sb, 5);
			for (j = 0; j < fees; j++)
				pay(&sb, 1 + j, 5, 1500, "2024-02-01", "recruitment_fee");
			pay(&sb, 4, 5, 400, "2024-02-08", "payroll");
			pay(&sb, 5, 4, 100, "2024-02-09", NULL);
			sbuf_adds(&sb, "INSERT INTO signal(code, entity_id, score, explanation, details, stage)"
				       " VALUES('FIN.PAYROLL_FUNNEL', 5, 0.8, 'x', '{\"typology\":\"trafficking\"}', 'finance');");
			ws = stage(sb.buf);
			assert_string_equal(role_of(ws, 5), fees == 3 ? "recruiter" : "organiser");
			rastro_close(ws);
		}
	}

	/* the payroll funnel (4, the controller code on itself) pays where its
	 * money went (5, the same code as beneficiary).  Paid rent three times,
	 * 5 is the landlord and the funnel stays the organiser; paid rent twice
	 * 5 is the controller the funnel passes the money up to, and the funnel
	 * its money mover */
	{
		int rents;

		for (rents = 3; rents >= 2; rents--) {
			int j;

			sbuf_clear(&sb);
			accounts(&sb, 5);
			pay(&sb, 1, 4, 500, "2024-02-01", "payroll");
			pay(&sb, 2, 4, 500, "2024-02-01", "payroll");
			pay(&sb, 3, 4, 500, "2024-02-01", "payroll");
			for (j = 0; j < rents; j++)
				pay(&sb, 4, 5, 300, "2024-02-02", "rent");
			fin_signal(&sb, "FIN.PAYROLL_FUNNEL", 4, "{\"typology\":\"trafficking\"}");
			fin_signal(&sb, "FIN.PAYROLL_FUNNEL", 5, "{\"side\":\"beneficiary\",\"hop\":1}");
			ws = stage(sb.buf);
			assert_string_equal(role_of(ws, 5), rents == 3 ? "facilitator" : "organiser");
			assert_string_equal(role_of(ws, 4), rents == 3 ? "organiser" : "money_mover");
			rastro_close(ws);
		}
	}

	/* facilitator: a business whose payroll goes to two potential victims
	 * (the employer front); the same business paying two people who are
	 * not flagged is not */
	{
		int flagged;

		for (flagged = 1; flagged >= 0; flagged--) {
			sbuf_clear(&sb);
			accounts(&sb, 4);
			sbuf_adds(&sb, "INSERT INTO kyc(id, source_id, line, account, name, customer_type, business_type)"
				       " VALUES(52, 1, 52, 3, 'Brite Cleaning', 'business', 'cleaning');");
			pay(&sb, 4, 3, 2000, "2024-02-01", NULL);
			pay(&sb, 3, 1, 450, "2024-02-02", "payroll");
			pay(&sb, 3, 2, 450, "2024-02-02", "payroll");
			if (flagged)
				sbuf_adds(&sb, "INSERT INTO victim_flag(entity_id, score, reasons) VALUES"
					       "(1, 1.5, '[{\"code\":\"VIC.PAY_SWEPT\"}]'), (2, 1.5, '[{\"code\":\"VIC.PAY_SWEPT\"}]');");
			ws = stage(sb.buf);
			assert_true((strcmp(role_of(ws, 3), "facilitator") == 0) == flagged);
			rastro_close(ws);
		}
	}

	/* the source of the members' money: paid by no member, account 1 pays
	 * two layers that pay 4.  With a money-movement code of its own (the
	 * placer of a laundering ring) 1 is the organiser and the net receiver
	 * 4 is not; with none, 4 is the organiser as the net receiver */
	{
		int placer;

		for (placer = 1; placer >= 0; placer--) {
			sbuf_clear(&sb);
			accounts(&sb, 4);
			deposit(&sb, 1, 8000, "2024-01-31"); /* placed in cash */
			pay(&sb, 1, 2, 4000, "2024-02-01", NULL);
			pay(&sb, 1, 3, 4000, "2024-02-01", NULL);
			pay(&sb, 2, 4, 3900, "2024-02-02", NULL);
			pay(&sb, 3, 4, 3900, "2024-02-02", NULL);
			if (placer)
				fin_signal(&sb, "FIN.STRUCTURING", 1, "{\"typology\":\"laundering\"}");
			ws = stage(sb.buf);
			assert_true((strcmp(role_of(ws, 1), "organiser") == 0) == placer);
			assert_true((strcmp(role_of(ws, 4), "organiser") == 0) == !placer);
			rastro_close(ws);
		}
	}

	/* a layer: paid by two members with money-movement codes of their own;
	 * paid by one, it is not a money mover for it.  4 places the money in
	 * cash and is the source (so 3 is not the net receiver organiser) */
	{
		int movers;

		for (movers = 2; movers >= 1; movers--) {
			sbuf_clear(&sb);
			accounts(&sb, 4);
			deposit(&sb, 4, 6000, "2024-01-31");
			pay(&sb, 4, 1, 3000, "2024-02-01", NULL);
			pay(&sb, 4, 2, 3000, "2024-02-01", NULL);
			pay(&sb, 1, 3, 2000, "2024-02-02", NULL);
			pay(&sb, 2, movers == 2 ? 3 : 1, 2000, "2024-02-02", NULL);
			fin_signal(&sb, "FIN.FAN_OUT", 1, "{}");
			fin_signal(&sb, "FIN.FAN_OUT", 2, "{}");
			fin_signal(&sb, "FIN.STRUCTURING", 4, "{}");
			ws = stage(sb.buf);
			assert_string_equal(role_of(ws, 4), "organiser");
			assert_true((strcmp(role_of(ws, 3), "money_mover") == 0) == (movers == 2));
			rastro_close(ws);
		}
	}

	/* where funnels' money went: two funnels (1, 2: FIN.BORDER_FANIN on
	 * themselves) pay 3, named as their beneficiary, who keeps it: the
	 * organiser; 3 pays 4, named a hop further: paid, not a money mover.
	 * With one funnel paying 3 (a driver is paid by one member), 3 is not
	 * the organiser for it */
	{
		int payers;

		for (payers = 2; payers >= 1; payers--) {
			sbuf_clear(&sb);
			accounts(&sb, 5);
			pay(&sb, 5, 1, 3000, "2024-02-01", NULL);
			pay(&sb, 5, 2, 3000, "2024-02-01", NULL);
			pay(&sb, 1, 3, 2900, "2024-02-02", NULL);
			pay(&sb, 2, payers == 2 ? 3 : 1, 2900, "2024-02-02", NULL);
			pay(&sb, 3, 4, 500, "2024-02-03", NULL);
			fin_signal(&sb, "FIN.BORDER_FANIN", 1, "{\"typology\":\"smuggling\"}");
			fin_signal(&sb, "FIN.BORDER_FANIN", 2, "{\"typology\":\"smuggling\"}");
			fin_signal(&sb, "FIN.BORDER_FANIN", 3, "{\"side\":\"beneficiary\",\"hop\":1}");
			fin_signal(&sb, "FIN.BORDER_FANIN", 4, "{\"side\":\"beneficiary\",\"hop\":2}");
			ws = stage(sb.buf);
			if (payers == 2)
				assert_string_equal(role_of(ws, 3), "organiser");
			else
				assert_string_not_equal(role_of(ws, 3), "organiser");
			assert_string_equal(role_of(ws, 2), "money_mover");
			assert_string_not_equal(role_of(ws, 4), "money_mover");
			rastro_close(ws);
		}
	}

	/* a transport signal: the account paid per trip is the transporter, the
	 * payer the detector names beside it (several transporters) the
	 * organiser; the payee with no signal is neither */
	{
		static const char *const want[] = { "", "organiser", "transporter" };
		int j;

		sbuf_clear(&sb);
		accounts(&sb, 4);
		for (j = 2; j <= 4; j++)
			pay(&sb, j < 4 ? 1 : 4, j < 4 ? j : 1, j < 4 ? 400 : 3000, "2024-02-01", NULL);
		fin_signal(&sb, "FIN.TRIP_PAYOUT", 2, "{\"typology\":\"smuggling\",\"trips\":3}");
		fin_signal(&sb, "FIN.TRIP_PAYOUT", 1, "{\"typology\":\"smuggling\",\"transporters\":2}");
		ws = stage(sb.buf);
		for (j = 1; j <= 2; j++)
			assert_string_equal(role_of(ws, j), want[j]);
		assert_string_not_equal(role_of(ws, 3), "transporter");
		rastro_close(ws);
	}

	/* a potential victim is a victim and nothing else, never a suspect, even
	 * with a signal; the organiser rule sees the controller */
	sbuf_clear(&sb);
	accounts(&sb, 4);
	pay(&sb, 1, 4, 700, "2024-02-01", NULL);
	pay(&sb, 2, 4, 700, "2024-02-02", NULL);
	pay(&sb, 3, 4, 700, "2024-02-03", NULL);
	sbuf_adds(&sb, "INSERT INTO victim_flag(entity_id, score, reasons) VALUES(1, 1.5, '[{\"code\":\"VIC.DEBT\"}]'),"
		       " (2, 1.2, '[{\"code\":\"VIC.THREATS\"}]');"
		       "INSERT INTO signal(code, entity_id, score, explanation, stage) VALUES('FIN.STRUCTURING', 1, 1, 'x', 'finance');");
	ws = stage(sb.buf);
	assert_string_equal(role_of(ws, 1), "potential_victim");
	assert_string_equal(role_of(ws, 2), "potential_victim");
	assert_string_equal(role_of(ws, 4), "organiser");
	{
		int64_t sus = -1, vic = -1;

		assert_int_equal(ws_query_i64(ws, "SELECT suspects FROM network", -1, &sus), 0);
		assert_int_equal(ws_query_i64(ws, "SELECT victims FROM network", -1, &vic), 0);
		assert_int_equal(sus, 2);
		assert_int_equal(vic, 2);
		assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM network_member WHERE suspect = 1 AND entity_id IN"
						  " (SELECT entity_id FROM victim_flag)", -1, &sus), 0);
		assert_int_equal(sus, 0);
		/* the victim's signal is not counted as suspect evidence */
		assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM network WHERE parts LIKE '%FIN.STRUCTURING%'", -1, &sus), 0);
		assert_int_equal(sus, 0);
	}
	rastro_close(ws);
	sbuf_release(&sb);
}

/* Cell k of the shared-evidence workspace: accounts 4k+1 .. 4k+4 paying
 * each other both ways (so each pays on), a community of its own. */
static void evidence_cell(struct sbuf *sb, int k)
{
	int i, j;

	for (i = 4 * k + 1; i <= 4 * k + 4; i++)
		for (j = i + 1; j <= 4 * k + 4; j++) {
			pay(sb, i, j, 300, "2024-02-01", NULL);
			pay(sb, j, i, 300, "2024-02-02", NULL);
		}
}

/* A finance signal (id sig) on account e citing transaction t; alert is
 * the account's fin_risk.alert (1 alerted, 0 watched). */
static void cite(struct sbuf *sb, int sig, const char *code, int e, int t, int alert)
{
	sbuf_addf(sb, "INSERT INTO signal(id, code, entity_id, score, explanation, details, stage)"
		      " VALUES(%d, '%s', %d, 0.9, 'x', '{\"typology\":\"laundering\"}', 'finance');"
		      "INSERT INTO signal_evidence(signal_id, record_id) VALUES(%d, %d);"
		      "INSERT OR IGNORE INTO fin_risk(entity_id, score, parts, signals, alert) VALUES(%d, 1, '[]', 1, %d);",
		  sig, code, e, sig, t, e, alert);
}

static int64_t network_of(rastro_ws *ws, int entity)
{
	char sql[96];
	int64_t n = -1;

	snprintf(sql, sizeof sql, "SELECT network_id FROM network_member WHERE entity_id = %d", entity);
	assert_int_equal(ws_query_i64(ws, sql, -1, &n), 0);
	return n;
}

static void shared_evidence_in_a_workspace(void **state)
{
	/*
	 * Six cells of four accounts (network.max_size 5 makes Leiden cut the
	 * components into them).  Real: #1 1 (A) -> 5 (B), FIN.PLACEMENT_FANOUT
	 * on both ends, both alerted: 5 moves into A; #2 9 (C) -> 5, FIN.TRIP_PAYOUT
	 * on both: 5 is in A now, so C joins A.  Benign chain: #3 13 (D) -> 17
	 * (E) cited by FIN.STACK on both ends and #4 17 -> 21 (F) by
	 * FIN.SCATTER_GATHER on both, all alerted (graph shapes only); #5 13 ->
	 * 22 (F) by FIN.PLACEMENT_FANOUT on both, 22 only watched.  None of them may
	 * join; with both bounds switched off they chain D, E and F.
	 */
	struct sbuf sb = SBUF_INIT;
	struct rastro_network_stats st;
	rastro_ws *ws;
	static const int between[5][2] = { { 1, 5 }, { 9, 5 }, { 13, 17 }, { 17, 21 }, { 13, 22 } };
	int64_t n;
	int k;

	(void)state;
	sbuf_init(&sb);
	txn_no = 0;
	accounts(&sb, 24);
	for (k = 0; k < 5; k++) /* transactions #1 .. #5, small beside the cells' own payments */
		pay(&sb, between[k][0], between[k][1], 60, "2024-02-03", NULL);
	for (k = 0; k < 6; k++)
		evidence_cell(&sb, k);
	cite(&sb, 1, "FIN.PLACEMENT_FANOUT", 1, 1, 1);
	cite(&sb, 2, "FIN.PLACEMENT_FANOUT", 5, 1, 1);
	cite(&sb, 3, "FIN.TRIP_PAYOUT", 9, 2, 1);
	cite(&sb, 4, "FIN.TRIP_PAYOUT", 5, 2, 1);
	cite(&sb, 5, "FIN.STACK", 13, 3, 1);
	cite(&sb, 6, "FIN.STACK", 17, 3, 1);
	cite(&sb, 7, "FIN.SCATTER_GATHER", 17, 4, 1);
	cite(&sb, 8, "FIN.SCATTER_GATHER", 21, 4, 1);
	cite(&sb, 9, "FIN.PLACEMENT_FANOUT", 13, 5, 1);
	cite(&sb, 10, "FIN.PLACEMENT_FANOUT", 22, 5, 0);
	ws = ws_with(sb.buf);
	assert_int_equal(rastro_config_set(ws, "network.max_size=5"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	n = network_of(ws, 1);
	assert_true(n > 0);
	assert_int_equal(network_of(ws, 5), n);           /* positive: moved by #1 */
	assert_int_equal(network_of(ws, 9), n);           /* positive: C joined through #2 */
	assert_int_equal(network_of(ws, 10), n);
	assert_true(network_of(ws, 6) != n);              /* the rest of B stays apart */
	assert_true(network_of(ws, 13) != network_of(ws, 17)); /* negative: shapes on both ends */
	assert_true(network_of(ws, 17) != network_of(ws, 21));
	assert_true(network_of(ws, 13) != network_of(ws, 22)); /* negative: the payee is only watched */
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge WHERE rule = 'evidence_move'", -1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge WHERE rule = 'shared_evidence'", -1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ws_query_i64(ws, "SELECT record_id FROM net_bridge WHERE rule = 'shared_evidence'", -1, &n), 0);
	assert_int_equal(n, 2);
	/* the report's sentence says why the join counted */
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge WHERE reason LIKE '%both accounts alerted%'", -1, &n), 0);
	assert_int_equal(n, 2);

	/* both bounds off: the benign cells chain (the fixture can fail) */
	assert_int_equal(rastro_config_set(ws, "network.enterprise.shared_evidence_alerted=false"), 0);
	assert_int_equal(rastro_config_set(ws, "network.enterprise.shape_signals=[]"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_int_equal(network_of(ws, 17), network_of(ws, 13));
	assert_int_equal(network_of(ws, 21), network_of(ws, 13));
	assert_int_equal(network_of(ws, 22), network_of(ws, 13));
	rastro_close(ws);
	sbuf_release(&sb);
}

/*
 * network.enterprise.shared_code (off by default): four cells of four
 * accounts; 1 (A) pays 5 (B) 1,000, both alerted, both FIN.BORDER_FANIN:
 * A and B join.  Look-alikes that must not: 9 (C) -> 13 (D), both alerted
 * but sharing only FIN.AD_IDENTIFIER (an identifier match, skipped); 6 (B)
 * -> 14 (D), 14 only watched; 7 (B) -> 10 (C), 500, below the minimum.
 * Every signal cites transaction #5 (1 -> 2 inside A), so the
 * shared-evidence rule moves nothing.
 */
static void shared_code_join(void **state)
{
	static const struct {
		const char *code;
		int account, alerted;
	} sig[8] = { { "FIN.BORDER_FANIN", 1, 1 },  { "FIN.BORDER_FANIN", 5, 1 },  { "FIN.AD_IDENTIFIER", 9, 1 },
		     { "FIN.AD_IDENTIFIER", 13, 1 }, { "FIN.BORDER_FANIN", 6, 1 }, { "FIN.BORDER_FANIN", 14, 0 },
		     { "FIN.BORDER_FANIN", 7, 1 },  { "FIN.BORDER_FANIN", 10, 1 } };
	struct sbuf sb = SBUF_INIT;
	struct rastro_network_stats st;
	rastro_ws *ws;
	int64_t n;
	int k;

	(void)state;
	sbuf_init(&sb);
	txn_no = 0;
	accounts(&sb, 16);
	pay(&sb, 1, 5, 1000, "2024-02-03", NULL);
	pay(&sb, 9, 13, 1000, "2024-02-03", NULL);
	pay(&sb, 6, 14, 1000, "2024-02-03", NULL);
	pay(&sb, 7, 10, 500, "2024-02-03", NULL);
	for (k = 0; k < 4; k++)
		evidence_cell(&sb, k);
	for (k = 0; k < 8; k++) /* signals 1..8, all citing transaction #5 */
		cite(&sb, k + 1, sig[k].code, sig[k].account, 5, sig[k].alerted);
	ws = ws_with(sb.buf);
	assert_int_equal(rastro_config_set(ws, "network.max_size=5"), 0);
	/* the typology-payment join would make 1 -> 5 too (each end carries a code of its own) */
	assert_int_equal(rastro_config_set(ws, "network.enterprise.typology_payment=false"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_true(network_of(ws, 1) != network_of(ws, 5));   /* off by default */
	assert_int_equal(rastro_config_set(ws, "network.enterprise.shared_code=true"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_int_equal(network_of(ws, 5), network_of(ws, 1));
	assert_true(network_of(ws, 9) != network_of(ws, 13));
	assert_true(network_of(ws, 14) != network_of(ws, 5));
	assert_true(network_of(ws, 10) != network_of(ws, 5));
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge WHERE rule = 'shared_code'"
					  " AND evidence = 'FIN.BORDER_FANIN' AND reason LIKE '%both accounts alerted%'", -1, &n), 0);
	assert_int_equal(n, 1);
	rastro_close(ws);
	sbuf_release(&sb);
}

/*
 * network.enterprise.typology_payment (on by default): four cells of four
 * accounts.  1 (A) pays 5 (B) 1,000; both alerted, 1 for FIN.FUNNEL, 5 for
 * FIN.TRIP_PAYOUT (codes of different kinds, each the account's own): A and
 * B join.  Look-alikes from C to D that must not: 9 -> 13, 13 alerted only
 * for a graph shape (FIN.FAN_IN); 10 -> 14, 14 only watched; 11 -> 15, 500,
 * below the minimum; 11 -> 16, 1,000, 16 alerted but named only as where
 * a funnel's money went ("side":"beneficiary"); 3 (A) -> 12 (C), 12
 * alerted for an identifier match and as a beneficiary alone.  A shared
 * service: 17 and 18 (E) pay 21 (F) and 25 (G), all alerted with codes of
 * their own, so E joins neither.  Every signal cites
 * transaction #6 (1 -> 2 inside A), so the shared-evidence rule moves
 * nothing.
 */
static void typology_payment_join(void **state)
{
	static const struct {
		const char *code;
		int account, alerted;
	} sig[8] = { { "FIN.FUNNEL", 1, 1 },	   { "FIN.TRIP_PAYOUT", 5, 1 }, { "FIN.FUNNEL", 9, 1 },
		     { "FIN.FAN_IN", 13, 1 },	   { "FIN.PAYROLL_FUNNEL", 10, 1 }, { "FIN.REMIT_FANIN", 14, 0 },
		     { "FIN.STRUCTURING", 11, 1 }, { "FIN.STRUCTURING", 15, 1 } };
	static const int between[6][3] = { { 1, 5, 1000 },   { 9, 13, 1000 },  { 10, 14, 1000 },
					   { 11, 15, 500 },  { 11, 16, 1000 }, { 3, 12, 1000 } };
	struct sbuf sb = SBUF_INIT;
	struct rastro_network_stats st;
	rastro_ws *ws;
	int64_t n;
	int k;

	(void)state;
	sbuf_init(&sb);
	txn_no = 0;
	accounts(&sb, 28);
	for (k = 0; k < 5; k++) /* transactions #1 .. #5 */
		pay(&sb, between[k][0], between[k][1], between[k][2], "2024-02-03", NULL);
	for (k = 0; k < 7; k++) /* #6 on: 1 -> 2 first */
		evidence_cell(&sb, k);
	pay(&sb, between[5][0], between[5][1], between[5][2], "2024-02-03", NULL);
	pay(&sb, 17, 21, 1000, "2024-02-03", NULL);
	pay(&sb, 18, 25, 1000, "2024-02-03", NULL);
	cite(&sb, 13, "FIN.CASH_NO_ACH", 17, 6, 1);
	cite(&sb, 14, "FIN.CASH_NO_ACH", 18, 6, 1);
	cite(&sb, 15, "FIN.TRIP_PAYOUT", 21, 6, 1);
	cite(&sb, 16, "FIN.TRIP_PAYOUT", 25, 6, 1);
	for (k = 0; k < 8; k++)
		cite(&sb, k + 1, sig[k].code, sig[k].account, 6, sig[k].alerted);
	/* 16: where a funnel's money went; 12 the same, and an identifier match */
	sbuf_adds(&sb, "INSERT INTO signal(id, code, entity_id, score, explanation, details, stage) VALUES"
		       " (9, 'FIN.BORDER_FANIN', 16, 0.9, 'x', '{\"side\":\"beneficiary\",\"hop\":1}', 'finance'),"
		       " (10, 'FIN.AD_IDENTIFIER', 12, 0.9, 'x', '{}', 'finance'),"
		       " (11, 'FIN.STRUCTURING', 3, 0.9, 'x', '{}', 'finance');"
		       "INSERT INTO fin_risk(entity_id, score, parts, signals, alert) VALUES"
		       " (16, 1, '[]', 1, 1), (12, 1, '[]', 1, 1), (3, 1, '[]', 1, 1);"
		       "INSERT INTO signal(id, code, entity_id, score, explanation, details, stage) VALUES"
		       " (12, 'FIN.STRUCTURING', 12, 0.9, 'x', '{\"side\":\"beneficiary\",\"hop\":1}', 'finance');");
	ws = ws_with(sb.buf);
	assert_int_equal(rastro_config_set(ws, "network.max_size=5"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_int_equal(network_of(ws, 5), network_of(ws, 1));   /* positive */
	assert_true(network_of(ws, 9) != network_of(ws, 13));     /* a graph shape at one end */
	assert_true(network_of(ws, 10) != network_of(ws, 14));    /* a watched end */
	assert_true(network_of(ws, 11) != network_of(ws, 15));    /* below the minimum */
	assert_true(network_of(ws, 11) != network_of(ws, 16));    /* a beneficiary-side code only */
	assert_true(network_of(ws, 3) != network_of(ws, 12));     /* an identifier match only */
	assert_true(network_of(ws, 17) != network_of(ws, 21));    /* a cell paying two cells joins neither */
	assert_true(network_of(ws, 18) != network_of(ws, 25));
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge WHERE rule = 'typology_payment'"
					  " AND evidence = 'FIN.FUNNEL,FIN.TRIP_PAYOUT' AND reason LIKE '%both accounts alerted%'",
				      -1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ws_query_i64(ws, "SELECT count(*) FROM net_bridge", -1, &n), 0);
	assert_int_equal(n, 1);
	/* switched off */
	assert_int_equal(rastro_config_set(ws, "network.enterprise.typology_payment=false"), 0);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_true(network_of(ws, 1) != network_of(ws, 5));
	rastro_close(ws);
	sbuf_release(&sb);
}

static void keys_stable_and_cache(void **state)
{
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;
	char key1[64], key2[64];
	sqlite3_stmt *q;
	struct rastro_network_stats st;
	rastro_graph *G;
	int built;

	(void)state;
	sbuf_init(&sb);
	accounts(&sb, 6);
	pay(&sb, 1, 2, 10, "2024-01-01", NULL);
	pay(&sb, 2, 3, 10, "2024-01-02", NULL);
	pay(&sb, 3, 4, 10, "2024-01-03", NULL);
	ws = stage(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(sqlite3_prepare_v2(ws->db, "SELECT key FROM network", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	snprintf(key1, sizeof key1, "%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	/* the cache is current: queries map it */
	assert_int_equal(rastro_graph_open(ws, &G, &built), 0);
	assert_int_equal(built, 0);
	rastro_graph_close(G);
	/* a new member joins: same key; the cache is now stale */
	assert_int_equal(sqlite3_exec(ws->db, "INSERT INTO txn(id, source_id, line, ts, src, dst, amount, currency, channel)"
					      " VALUES(100, 1, 100, 1704067200, 4, 5, 10, 'USD', 'p2p')", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(rastro_graph_open(ws, &G, &built), 0);
	assert_int_equal(built, 1);
	rastro_graph_close(G);
	assert_int_equal(rastro_network_run(ws, &st), 0);
	assert_int_equal(st.keys_kept, 1);
	assert_int_equal(sqlite3_prepare_v2(ws->db, "SELECT key, size FROM network", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	snprintf(key2, sizeof key2, "%s", sqlite3_column_text(q, 0));
	assert_int_equal(sqlite3_column_int(q, 1), 5);
	sqlite3_finalize(q);
	assert_string_equal(key1, key2);
	rastro_close(ws);
}

static void entity_references(void **state)
{
	struct sbuf sb = SBUF_INIT;
	rastro_ws *ws;
	int64_t id = 0;

	(void)state;
	sbuf_init(&sb);
	accounts(&sb, 2);
	sbuf_adds(&sb, "INSERT INTO entity(id, kind, key, label) VALUES(3, 'phone', 'A1', 'dup key');");
	ws = ws_with(sb.buf);
	sbuf_release(&sb);
	assert_int_equal(rastro_entity_find(ws, "#2", &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(rastro_entity_find(ws, "account:A1", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(rastro_entity_find(ws, "acct 2", &id), 0);   /* by label */
	assert_int_equal(id, 2);
	assert_int_equal(rastro_entity_find(ws, "A1", &id), RASTRO_USAGE);  /* two kinds have key A1 */
	assert_non_null(strstr(rastro_errmsg(ws), "kind:key"));
	assert_int_equal(rastro_entity_find(ws, "#99", &id), RASTRO_NOTFOUND);
	assert_int_equal(rastro_entity_find(ws, "nobody", &id), RASTRO_NOTFOUND);
	rastro_close(ws);
}

static void amounts_formatted(void **state)
{
	char b[32];

	(void)state;
	net_fmt_amount(b, sizeof b, 1234567.4);
	assert_string_equal(b, "1,234,567");
	net_fmt_amount(b, sizeof b, 999);
	assert_string_equal(b, "999");
	net_fmt_amount(b, sizeof b, -1000);
	assert_string_equal(b, "-1,000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(graph_from_workspace),
		cmocka_unit_test(graph_many_transactions),
		cmocka_unit_test(components_known),
		cmocka_unit_test(hub_rule_splits_star),
		cmocka_unit_test(hub_rule_peels_merchants),
		cmocka_unit_test(hub_members_own_accounts),
		cmocka_unit_test(join_cells_into_enterprises),
		cmocka_unit_test(join_cells_by_shared_evidence),
		cmocka_unit_test(merchants_set_aside),
		cmocka_unit_test(leiden_splits_two_cliques),
		cmocka_unit_test(paths_and_neighbourhood),
		cmocka_unit_test(roles_positive_negative),
		cmocka_unit_test(score_shapes_and_records),
		cmocka_unit_test(score_spread_and_named_records),
		cmocka_unit_test(shared_evidence_in_a_workspace),
		cmocka_unit_test(shared_code_join),
		cmocka_unit_test(typology_payment_join),
		cmocka_unit_test(keys_stable_and_cache),
		cmocka_unit_test(entity_references),
		cmocka_unit_test(amounts_formatted),
	};
	int rc = cmocka_run_group_tests_name("network", tests, NULL, NULL);

	tu_cleanup();
	return rc;
}
