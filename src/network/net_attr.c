/*
 * net_attr: reads what other stages found about the graph's nodes — the
 * signals of finance and ads (with their typology), victim_flag, KYC
 * business facts and agency person records with their status — into
 * per-node arrays the role rules and the network score read.  Tables of
 * modules that have not run (or are not built in) are simply absent.
 */
#include "net_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const char *const identifier_kinds[] = { "phone", "email", "handle", "address", "image" };

int net_is_identifier(const struct net_graph *g, uint32_t v)
{
	size_t i;

	for (i = 0; i < sizeof identifier_kinds / sizeof identifier_kinds[0]; i++)
		if (strcmp(g->kinds.name[g->kind[v]], identifier_kinds[i]) == 0)
			return 1;
	return 0;
}

int net_is_ad(const struct net_graph *g, const struct net_attr *a, uint32_t v)
{
	const char *k = g->kinds.name[g->kind[v]];

	(void)a;
	return strcmp(k, "ad") == 0 || strncmp(k, "ad_", 3) == 0 || strcmp(k, "adcluster") == 0;
}

static int table_exists(rastro_ws *ws, const char *name)
{
	sqlite3_stmt *q;
	int yes = 0;

	if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?1", -1,
			       &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

static int cmp_sig(const void *x, const void *y)
{
	const struct net_sig *a = x, *b = y;

	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_rec(const void *x, const void *y)
{
	const struct net_rec *a = x, *b = y;

	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->record < b->record ? -1 : a->record > b->record;
}

/* "typology":"..." of a finance signal's details, without a JSON parse. */
static size_t typology_of(const char *details, const char **out)
{
	const char *p = details ? strstr(details, "\"typology\":\"") : NULL, *e;

	if (!p)
		return 0;
	p += 12;
	e = strchr(p, '"');
	if (!e)
		return 0;
	*out = p;
	return (size_t)(e - p);
}

/* NET_SIDE_* of a finance signal from its details (the finance stage
 * writes "side":"beneficiary" with the hop on where a funnel's money went,
 * and "transporters" on the payer of several transporters). */
static uint8_t side_of(const char *details)
{
	const char *h;

	if (!details)
		return NET_SIDE_OWN;
	if (strstr(details, "\"side\":\"beneficiary\"")) {
		h = strstr(details, "\"hop\":");
		return h && h[6] >= '2' && h[6] <= '9' ? NET_SIDE_BEN2 : NET_SIDE_BEN1;
	}
	return strstr(details, "\"transporters\":") ? NET_SIDE_PAYER : NET_SIDE_OWN;
}

int net_attr_load(rastro_ws *ws, const struct net_graph *g, struct net_attr *a)
{
	sqlite3_stmt *q = NULL;
	uint32_t n = g->n, v;
	size_t i;
	int rc;

	memset(a, 0, sizeof *a);
	vec_init(&a->sigs, sizeof(struct net_sig));
	vec_init(&a->sev, sizeof(struct net_sev));
	vec_init(&a->recs, sizeof(struct net_rec));
	strmap_init(&a->codes);
	strmap_init(&a->typologies);
	strmap_init(&a->btypes);
	a->k_person = net_name_find(&g->kinds, "person");
	a->k_account = net_name_find(&g->kinds, "account");
	a->k_org = net_name_find(&g->kinds, "org");
	a->k_ad = net_name_find(&g->kinds, "ad");
	a->t_holds = net_name_find(&g->types, "holds");
	a->k_ad_cluster = net_name_find(&g->kinds, "ad_cluster");
	a->t_in_cluster = net_name_find(&g->types, "in_cluster");
	a->t_lists = net_name_find(&g->types, "lists");
	a->t_posted_by = net_name_find(&g->types, "posted_by");
	a->victim = mem_calloc(n ? n : 1, 1);
	a->victim_score = mem_calloc(n ? n : 1, sizeof *a->victim_score);
	a->business = mem_calloc(n ? n : 1, 1);
	a->btype = mem_calloc(n ? n : 1, sizeof *a->btype);
	a->kyc = mem_calloc(n ? n : 1, 1);
	a->merchant = mem_calloc(n ? n : 1, 1);
	a->alerted = mem_calloc(n ? n : 1, 1);
	a->sig_off = mem_calloc((size_t)n + 1, sizeof *a->sig_off);
	a->rec_off = mem_calloc((size_t)n + 1, sizeof *a->rec_off);
	a->victim_codes = mem_calloc(n ? n : 1, sizeof *a->victim_codes);
	if (!a->victim || !a->victim_score || !a->business || !a->btype || !a->kyc || !a->merchant || !a->alerted || !a->sig_off ||
	    !a->rec_off || !a->victim_codes)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	for (v = 0; v < n; v++)
		a->business[v] = a->k_org >= 0 && g->kind[v] == a->k_org;

	/* signals */
	if (ws_prepare(ws, "SELECT id, entity_id, code, score, stage, details FROM signal"
			   " WHERE entity_id IS NOT NULL ORDER BY id", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct net_sig s;
		const char *code = (const char *)sqlite3_column_text(q, 2);
		const char *stage = (const char *)sqlite3_column_text(q, 4);
		const char *details = (const char *)sqlite3_column_text(q, 5);
		int is_new;

		s.node = net_node_of(g, sqlite3_column_int64(q, 1));
		if (s.node == NET_NONE || !code)
			continue;
		s.id = sqlite3_column_int64(q, 0);
		s.score = sqlite3_column_double(q, 3);
		s.side = side_of(details);
		if (!(s.code = strmap_intern(&a->codes, code, strlen(code), &is_new)))
			goto nomem;
		if (is_new) {
			const char *ty;
			size_t tl = typology_of(details, &ty);
			uint8_t *na;
			uint32_t *nt, tid = 0;

			if (tl && !(tid = strmap_intern(&a->typologies, ty, tl, NULL)))
				goto nomem;
			if (!(na = mem_realloc(a->code_ads, strmap_count(&a->codes) + 1)))
				goto nomem;
			a->code_ads = na;
			if (!(nt = mem_realloc(a->code_typ, (strmap_count(&a->codes) + 1) * sizeof *nt)))
				goto nomem;
			a->code_typ = nt;
			na[s.code] = (stage && strcmp(stage, "ads") == 0) || strncmp(code, "AD.", 3) == 0;
			nt[s.code] = tid;
		}
		if (vec_push(&a->sigs, &s))
			goto nomem;
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(q);
		return ws_sqlerr(ws, "reading signals");
	}
	sqlite3_finalize(q);
	q = NULL;
	a->nsignals = (int64_t)a->sigs.len;
	if (a->sigs.len)
		qsort(a->sigs.data, a->sigs.len, sizeof(struct net_sig), cmp_sig);
	for (i = 0; i < a->sigs.len; i++)
		a->sig_off[((struct net_sig *)a->sigs.data)[i].node + 1]++;
	for (v = 0; v < n; v++)
		a->sig_off[v + 1] += a->sig_off[v];

	/* potential victims */
	if (ws_prepare(ws, "SELECT entity_id, score, reasons FROM victim_flag ORDER BY entity_id", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t x = net_node_of(g, sqlite3_column_int64(q, 0));
		const char *reasons = (const char *)sqlite3_column_text(q, 2);
		json_t *j;

		if (x == NET_NONE)
			continue;
		a->victim[x] = 1;
		a->victim_score[x] = (float)sqlite3_column_double(q, 1);
		if (reasons && (j = json_loads(reasons, 0, NULL))) {
			struct sbuf sb = SBUF_INIT;
			size_t k;
			json_t *it;

			sbuf_init(&sb);
			json_array_foreach(j, k, it) {
				const char *c = json_string_value(json_object_get(it, "code"));

				if (c && !strstr(sb.buf, c)) {
					if (sb.len)
						sbuf_addc(&sb, ',');
					sbuf_adds(&sb, c);
				}
			}
			json_decref(j);
			if (!sbuf_failed(&sb) && sb.len)
				a->victim_codes[x] = sbuf_detach(&sb, NULL);
			sbuf_release(&sb);
		}
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading victim flags");

	/* KYC: business customers and their line of business */
	if (ws_prepare(ws, "SELECT account, customer_type, business_type FROM kyc WHERE account IS NOT NULL ORDER BY id",
		       &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t x = net_node_of(g, sqlite3_column_int64(q, 0));
		const char *ct = (const char *)sqlite3_column_text(q, 1);
		const char *bt = (const char *)sqlite3_column_text(q, 2);

		if (x == NET_NONE)
			continue;
		a->kyc[x] = 1;
		if ((ct && strcmp(ct, "business") == 0) || (bt && *bt))
			a->business[x] = 1;
		if (bt && *bt) {
			uint32_t id = strmap_intern(&a->btypes, bt, strlen(bt), NULL);

			if (!id)
				goto nomem; /* which finalizes q */
			a->btype[x] = id;
		}
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading KYC records");

	/* agency person records, through entity resolution's links */
	if (table_exists(ws, "person") && table_exists(ws, "er_link")) {
		if (ws_prepare(ws, "SELECT l.entity_id, s.agency_id, p.id, ifnull(p.status, '') FROM person p"
				   " JOIN er_link l ON l.record_id = p.id JOIN source s ON s.id = p.source_id ORDER BY p.id",
			       &q))
			return ws->err.code;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct net_rec r;
			const char *st = (const char *)sqlite3_column_text(q, 3);

			r.node = net_node_of(g, sqlite3_column_int64(q, 0));
			if (r.node == NET_NONE)
				continue;
			r.agency = sqlite3_column_int64(q, 1);
			r.record = sqlite3_column_int64(q, 2);
			r.target = strcmp(st, "target") == 0 || strcmp(st, "subject") == 0 || strcmp(st, "arrested") == 0;
			r.suspicion = r.target || strcmp(st, "associate") == 0;
			if (vec_push(&a->recs, &r))
				goto nomem; /* which finalizes q */
		}
		sqlite3_finalize(q);
		q = NULL;
		if (rc != SQLITE_DONE)
			return ws_sqlerr(ws, "reading agency person records");
	}
	if (a->recs.len)
		qsort(a->recs.data, a->recs.len, sizeof(struct net_rec), cmp_rec);
	for (i = 0; i < a->recs.len; i++)
		a->rec_off[((struct net_rec *)a->recs.data)[i].node + 1]++;
	for (v = 0; v < n; v++)
		a->rec_off[v + 1] += a->rec_off[v];

	/* accounts the finance stage alerted (docs/finance.md "Alert rule") */
	if (table_exists(ws, "fin_risk"))
		return net_mark_nodes(ws, g, "SELECT entity_id FROM fin_risk WHERE alert = 1", a->alerted,
				      "reading the finance stage's alerts");
	return 0;
nomem:
	sqlite3_finalize(q);
	return ws_error(ws, RASTRO_NOMEM, "out of memory reading signals");
}

uint32_t net_attr_own_code(const struct net_attr *a, const struct net_join_params *p, uint32_t v)
{
	const struct net_sig *sg = a->sigs.data;
	uint32_t x;

	for (x = a->sig_off[v]; x < a->sig_off[v + 1]; x++) {
		size_t len;
		const char *name;

		if (a->code_ads[sg[x].code] || sg[x].side == NET_SIDE_BEN1 || sg[x].side == NET_SIDE_BEN2)
			continue;
		name = strmap_key(&a->codes, sg[x].code, &len);
		if (!strmap_find(&p->shape_codes, name, len) && !strmap_find(&p->shared_code_skip, name, len))
			return sg[x].code;
	}
	return 0;
}

uint8_t *net_attr_members(const struct net_graph *g, const struct net_attr *a, const struct net_join_params *p)
{
	uint8_t *keep = mem_calloc(g->n ? g->n : 1, 1);
	uint32_t v;

	if (!keep || a->k_account < 0)
		return keep;
	for (v = 0; v < g->n; v++)
		keep[v] = (int)g->kind[v] == a->k_account && a->alerted[v] && a->kyc[v] && !a->victim[v] &&
			  net_attr_own_code(a, p, v);
	return keep;
}

void net_attr_release(struct net_attr *a, uint32_t n)
{
	uint32_t v;

	if (a->victim_codes)
		for (v = 0; v < n; v++)
			mem_free(a->victim_codes[v]);
	mem_free(a->victim_codes);
	mem_free(a->victim);
	mem_free(a->victim_score);
	mem_free(a->business);
	mem_free(a->btype);
	mem_free(a->kyc);
	mem_free(a->merchant);
	mem_free(a->alerted);
	mem_free(a->sig_off);
	mem_free(a->rec_off);
	mem_free(a->code_ads);
	mem_free(a->code_typ);
	vec_release(&a->sigs);
	vec_release(&a->sev);
	vec_release(&a->recs);
	strmap_release(&a->codes);
	strmap_release(&a->typologies);
	strmap_release(&a->btypes);
	memset(a, 0, sizeof *a);
}

/*
 * The evidence rows of finance signals on accounts, by record, where the
 * account is the transaction's payer or payee: the
 * shared-evidence join (net_join.c) walks them once, a run of rows per
 * transaction.  Only accounts; the code ids are net_attr_load's.
 */
int net_attr_load_evidence(rastro_ws *ws, const struct net_graph *g, struct net_attr *a)
{
	sqlite3_stmt *q = NULL;
	int rc;

	vec_clear(&a->sev);
	/* only a transaction's own ends: a pattern signal (scatter-gather,
	 * bipartite) also cites the motif's other payments, which would tie its
	 * account to cells it never paid */
	if (ws_prepare(ws, "SELECT se.record_id, s.entity_id, s.code, s.entity_id = t.dst, coalesce(r.alert, 0)"
			   " FROM signal_evidence se JOIN signal s ON s.id = se.signal_id"
			   " JOIN txn t ON t.id = se.record_id LEFT JOIN fin_risk r ON r.entity_id = s.entity_id"
			   " WHERE s.stage = 'finance' AND s.entity_id IN (t.src, t.dst)"
			   " ORDER BY se.record_id, s.id", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct net_sev e;
		const char *code = (const char *)sqlite3_column_text(q, 2);

		e.node = net_node_of(g, sqlite3_column_int64(q, 1));
		if (e.node == NET_NONE || !code || (int)g->kind[e.node] != a->k_account)
			continue;
		e.record = sqlite3_column_int64(q, 0);
		e.payee = (uint8_t)sqlite3_column_int(q, 3);
		e.alerted = sqlite3_column_int(q, 4) != 0;
		e.code = strmap_find(&a->codes, code, strlen(code));
		if (!e.code)
			continue; /* every finance signal on a node was read by net_attr_load */
		if (vec_push(&a->sev, &e)) {
			sqlite3_finalize(q);
			return ws_error(ws, RASTRO_NOMEM, "out of memory reading signal evidence");
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "reading signal evidence");
}
