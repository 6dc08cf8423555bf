/*
 * net_join: the enterprise above the cells.  The partition (net_comm.c)
 * cuts the graph into cells — components and Leiden communities — that
 * follow the links' weight.  One organisation can lie in several cells: a
 * ring's ads are shared out among the cells of the phones they list, its
 * money sits with the accounts that pay each other.  This step joins cells
 * into one reported network (the enterprise) when a link between them says
 * they are one scheme or one actor, and the evidence says it is a suspect
 * one:
 *
 *   ad cluster  an ad in one cell belongs to (`in_cluster`) an ad cluster in
 *               another that carries a signal of the ads stage: the ads of
 *               one template are one organisation's work (docs/ads.md)
 *   holds       (off by default) a person in one cell holds an account in
 *               another, neither is a potential victim, and both cells hold
 *               a signal on a member that is not a potential victim
 *   shared evidence  (network.enterprise.shared_evidence) finance signals
 *               on a transaction's payer and payee, neither a potential
 *               victim, both alerted by the finance stage, cite it as
 *               evidence, and not both through graph shapes alone: one
 *               scheme seen from both ends (the payer's fan-out, the
 *               payee's layering).  The payee account (with its holder)
 *               first moves into the payer's cell; when they still lie
 *               apart, the cells are joined.  Without the two bounds,
 *               look-alikes chained into false enterprises (docs/network.md)
 *   typology payment  (network.enterprise.typology_payment) an alerted
 *               account with a finance typology of its own pays at least
 *               typology_payment_min to one in another cell: the pieces of
 *               one organisation paying each other (the funnel its boss);
 *               a cell paying into several cells joins none
 *
 * Money links never join cells (a buyer, a merchant or a victim paid by the
 * ring is not the ring), potential victims never bridge, and hubs are in no
 * cell.  Before joining, merchants — accounts the members only buy from —
 * leave their cells and become the networks' counterparties, so that they
 * neither count towards the size limit nor take a role.  Joins are made
 * in link order with union-find (then shared evidence, in transaction
 * order), refused when the enterprise would pass
 * network.enterprise.max_size entities: one pass over the links and one
 * over the evidence rows.  See docs/network.md.
 */
#include "net_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* The AML graph patterns that see only who paid whom and when
 * (docs/network.md "Enterprises"): everyday money forms them too.  The
 * score reads the same list (net_run.c: they count as one finding). */
const char net_shape_signals_default[] = "FIN.FAN_IN,FIN.FAN_OUT,FIN.PASS_THROUGH,FIN.BIPARTITE,FIN.STACK,"
					 "FIN.SCATTER_GATHER,FIN.GATHER_SCATTER,FIN.CYCLE";

int net_join_params_read(const struct cfg *cfg, struct net_join_params *p)
{
	p->ad_clusters = cfg_bool(cfg, "network.enterprise.ad_clusters", 1);
	p->holds = cfg_bool(cfg, "network.enterprise.holds", 0);
	p->max_size = (uint32_t)cfg_int(cfg, "network.enterprise.max_size", 150);
	p->merchants = cfg_bool(cfg, "network.enterprise.merchants", 1);
	p->shared_evidence = cfg_bool(cfg, "network.enterprise.shared_evidence", 1);
	p->shared_alerted = cfg_bool(cfg, "network.enterprise.shared_evidence_alerted", 1);
	p->shared_code = cfg_bool(cfg, "network.enterprise.shared_code", 0);
	p->shared_code_min = cfg_double(cfg, "network.enterprise.shared_code_min", 1000);
	p->typology_payment = cfg_bool(cfg, "network.enterprise.typology_payment", 1);
	p->typology_payment_min = cfg_double(cfg, "network.enterprise.typology_payment_min", 1000);
	strmap_init(&p->shared_code_skip);
	if (net_load_set(cfg, "network.enterprise.shape_signals", net_shape_signals_default, &p->shape_codes))
		return -1;
	return net_load_set(cfg, "network.enterprise.shared_code_skip", "FIN.AD_IDENTIFIER,FIN.SHARED_IDENTIFIER",
			    &p->shared_code_skip);
}

void net_join_params_release(struct net_join_params *p)
{
	strmap_release(&p->shape_codes);
	strmap_release(&p->shared_code_skip);
}

/*
 * A merchant: an account the money only reaches as purchases — paid in,
 * every payment in carrying a transaction category, nothing paid out, no
 * cash, no link but money (so no KYC holder, no phone, no address), no
 * signal of its own and no KYC row (no known holder: the bank's own
 * customers, people and businesses, are never set aside).  The ring's ad
 * sites, phone cards, prepaid programmes, hotels, airlines and bus lines
 * look like this; so does any shop its members use.  Such an account is a counterparty of the
 * network, not a member.
 */
static int is_merchant(const struct net_graph *g, const struct net_attr *a, uint32_t v)
{
	const struct net_nstat *st;
	uint64_t x;

	if (!g->st || (int)g->kind[v] != a->k_account || a->business[v] || (a->kyc && a->kyc[v]) || a->victim[v] || g->hub[v])
		return 0;
	st = &g->st[v];
	if (!st->in_n || st->out_n || st->cash_in || st->in_catd != st->in_n || a->sig_off[v + 1] > a->sig_off[v])
		return 0;

	for (x = g->off[v]; x < g->off[v + 1]; x++)
		if ((int)g->etype[g->adje[x]] != g->paid_type)
			return 0;
	return 1;
}

/*
 * Takes the merchants out of their cells (group_of = NET_NONE), keeping
 * the cells' order; a cell left empty is dropped.  One pass over the
 * members.  *out counts the merchants set aside.
 */
static int set_merchants_aside(const struct net_graph *g, struct net_attr *a, struct net_part *P, struct vec *out)
{
	size_t c, w = 0;
	uint32_t at = 0;

	for (c = 0; c < P->ngroups; c++) {
		struct net_group gr = P->groups[c];
		uint32_t i, first = at;

		for (i = 0; i < gr.n; i++) {
			uint32_t v = P->members[gr.first + i];

			if (is_merchant(g, a, v)) {
				P->group_of[v] = NET_NONE;
				if (a->merchant)
					a->merchant[v] = 1; /* the pass-through rule counts payments to it */
				if (vec_push(out, &v))
					return -1;
				continue;
			}
			P->members[at++] = v;
		}
		if (at == first)
			continue;
		gr.first = first;
		gr.n = at - first;
		P->groups[w] = gr;
		for (i = 0; i < gr.n; i++)
			P->group_of[P->members[first + i]] = (uint32_t)w;
		w++;
	}
	P->ngroups = w;
	return 0;
}

static int cmp_cparty(const void *x, const void *y)
{
	const struct net_cparty *a = x, *b = y;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

/*
 * The counterparties of each enterprise: every merchant set aside, with
 * the payments the enterprise's members made to it (a merchant several
 * networks pay is a counterparty of each).  Linear in the merchants'
 * links; sorted by enterprise, then merchant.
 */
static int counterparties(const struct net_graph *g, const struct net_part *P, const struct vec *merchants,
			  struct vec *out)
{
	size_t i, w = 0;

	for (i = 0; i < merchants->len; i++) {
		uint32_t m = ((const uint32_t *)merchants->data)[i];
		uint64_t x;

		for (x = g->off[m]; x < g->off[m + 1]; x++) {
			uint32_t s = g->adj[x], e = g->adje[x];
			struct net_cparty c;

			if (g->edst[e] != m || P->group_of[s] == NET_NONE)
				continue;
			c.group = P->group_of[s];
			c.node = m;
			c.payments = g->ecount[e];
			c.amount = g->eamount[e];
			if (vec_push(out, &c))
				return -1;
		}
	}
	if (!out->len)
		return 0;
	qsort(out->data, out->len, sizeof(struct net_cparty), cmp_cparty);
	/* one row per (enterprise, merchant): the payments of its members summed */
	for (i = 0; i < out->len; i++) {
		struct net_cparty *c = (struct net_cparty *)out->data + i, *d = (struct net_cparty *)out->data + w;

		if (w && d[-1].group == c->group && d[-1].node == c->node) {
			d[-1].payments += c->payments;
			d[-1].amount += c->amount;
			continue;
		}
		*d = *c;
		w++;
	}
	out->len = w;
	return 0;
}

/* The first ads-stage signal code on v (0 = none). */
static uint32_t ads_code(const struct net_attr *a, uint32_t v)
{
	uint32_t x;

	for (x = a->sig_off[v]; x < a->sig_off[v + 1]; x++) {
		const struct net_sig *s = (const struct net_sig *)a->sigs.data + x;

		if (a->code_ads && a->code_ads[s->code])
			return s->code;
	}
	return 0;
}

static uint32_t root(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Per cell: the first signal code on a member that is not a potential
 * victim (0 = no suspect evidence).  One pass over the members. */
static uint32_t *cell_evidence(const struct net_attr *a, const struct net_part *P)
{
	uint32_t *ev = mem_calloc(P->ngroups ? P->ngroups : 1, sizeof *ev);
	size_t c;

	if (!ev)
		return NULL;
	for (c = 0; c < P->ngroups; c++) {
		const struct net_group *gr = &P->groups[c];
		uint32_t i;

		for (i = 0; i < gr->n && !ev[c]; i++) {
			uint32_t v = P->members[gr->first + i];

			if (!a->victim[v] && a->sig_off[v + 1] > a->sig_off[v])
				ev[c] = ((const struct net_sig *)a->sigs.data)[a->sig_off[v]].code;
		}
	}
	return ev;
}

struct pos {
	uint32_t node, cell;
};

static int cmp_pos(const void *x, const void *y)
{
	const struct pos *a = x, *b = y;

	return a->node < b->node ? -1 : a->node > b->node;
}

/*
 * Rebuilds P's groups as enterprises: members ascending inside each (the
 * role and score steps search them), cell[] the member's cell number
 * within its enterprise (1-based, cells in their partition order), bridge
 * cells renumbered the same way.
 */
static int regroup(struct net_part *P, uint32_t *parent, struct net_bridge *br, size_t nbr, struct rs_err *err)
{
	size_t nc = P->ngroups, c, ne = 0;
	uint32_t *ent_of = mem_alloc((nc ? nc : 1) * sizeof *ent_of);
	uint32_t *num = mem_alloc((nc ? nc : 1) * sizeof *num);       /* cell -> number within its enterprise */
	uint32_t *ncells = NULL, *size = NULL, *at = NULL, *members = NULL, *cell = NULL;
	struct net_group *groups = NULL;
	struct pos *tmp = NULL;
	int rc = 0;

	if (!ent_of || !num)
		goto nomem;
	/* enterprises in the order of their first cell */
	for (c = 0; c < nc; c++) {
		uint32_t r = root(parent, (uint32_t)c);

		ent_of[c] = r == c ? (uint32_t)ne++ : ent_of[r];
	}
	ncells = mem_calloc(ne ? ne : 1, sizeof *ncells);
	size = mem_calloc(ne ? ne : 1, sizeof *size);
	at = mem_calloc(ne + 1, sizeof *at);
	groups = mem_calloc(ne ? ne : 1, sizeof *groups);
	members = mem_alloc((P->groups && nc ? (size_t)P->groups[nc - 1].first + P->groups[nc - 1].n : 1) * sizeof *members);
	cell = mem_alloc((P->groups && nc ? (size_t)P->groups[nc - 1].first + P->groups[nc - 1].n : 1) * sizeof *cell);
	if (!ncells || !size || !at || !groups || !members || !cell)
		goto nomem;
	for (c = 0; c < nc; c++) {
		uint32_t e = ent_of[c];

		num[c] = ++ncells[e];
		size[e] += P->groups[c].n;
		groups[e].component = ncells[e] == 1 ? P->groups[c].component : groups[e].component;
		groups[e].origin = ncells[e] == 1 ? P->groups[c].origin : 2;
	}
	for (c = 0; c < ne; c++) {
		at[c + 1] = at[c] + size[c];
		groups[c].first = at[c];
		groups[c].n = size[c];
		groups[c].ncells = ncells[c];
	}
	for (c = 0; c < nc; c++) {
		const struct net_group *gr = &P->groups[c];
		uint32_t e = ent_of[c], i;

		for (i = 0; i < gr->n; i++) {
			members[at[e]] = P->members[gr->first + i];
			cell[at[e]++] = num[c];
		}
	}
	/* ascending node order inside each enterprise, cells carried along */
	for (c = 0; c < ne; c++) {
		uint32_t i, n = groups[c].n, f = groups[c].first;

		if (groups[c].ncells < 2)
			continue;
		if (!(tmp = mem_alloc(n * sizeof *tmp)))
			goto nomem;
		for (i = 0; i < n; i++)
			tmp[i] = (struct pos){ members[f + i], cell[f + i] };
		qsort(tmp, n, sizeof *tmp, cmp_pos);
		for (i = 0; i < n; i++) {
			members[f + i] = tmp[i].node;
			cell[f + i] = tmp[i].cell;
		}
		mem_free(tmp);
		tmp = NULL;
	}
	for (c = 0; c < nbr; c++) {
		br[c].group = ent_of[br[c].cell_a];
		br[c].cell_a = num[br[c].cell_a];
		br[c].cell_b = num[br[c].cell_b];
	}
	for (c = 0; c < ne; c++) {
		uint32_t i;

		for (i = 0; i < groups[c].n; i++)
			P->group_of[members[groups[c].first + i]] = (uint32_t)c;
	}
	mem_free(P->groups);
	mem_free(P->members);
	mem_free(P->cell);
	P->groups = groups;
	P->members = members;
	P->cell = cell;
	P->ncells = nc;
	P->ngroups = ne;
	groups = NULL;
	members = cell = NULL;
	goto out;
nomem:
	rc = err_set(err, RASTRO_NOMEM, "out of memory joining cells into enterprises");
out:
	mem_free(ent_of);
	mem_free(num);
	mem_free(ncells);
	mem_free(size);
	mem_free(at);
	mem_free(groups);
	mem_free(members);
	mem_free(cell);
	mem_free(tmp);
	return rc;
}

/* A typology code (not a graph shape, not in shared_code_skip) that the
 * finance stage wrote on both s and d; 0 when none. */
static uint32_t common_code(const struct net_attr *a, const struct net_join_params *p, uint32_t s, uint32_t d)
{
	const struct net_sig *sg = a->sigs.data;
	uint32_t x, y;

	for (x = a->sig_off[s]; x < a->sig_off[s + 1]; x++) {
		uint32_t c = sg[x].code;
		size_t len;
		const char *name;

		if (a->code_ads[c])
			continue;
		for (y = a->sig_off[d]; y < a->sig_off[d + 1] && sg[y].code != c; y++)
			;
		if (y == a->sig_off[d + 1])
			continue;
		name = strmap_key(&a->codes, c, &len);
		if (!strmap_find(&p->shape_codes, name, len) && !strmap_find(&p->shared_code_skip, name, len))
			return c;
	}
	return 0;
}

/* A bridge between the cells of u and v when the rule allows it; returns
 * the evidence code (0 = no bridge). */
static uint32_t bridge_code(const struct net_graph *g, const struct net_attr *a, const struct net_join_params *p,
			    const struct net_part *P, const uint32_t *ev, uint64_t e, uint8_t *rule)
{
	uint32_t s = g->esrc[e], d = g->edst[e], cs = P->group_of[s], cd = P->group_of[d];
	int t = g->etype[e];

	if (cs == NET_NONE || cd == NET_NONE || cs == cd || a->victim[s] || a->victim[d])
		return 0;
	if (p->ad_clusters && t == a->t_in_cluster && a->k_ad_cluster >= 0) {
		/* the ad -> cluster link, either way round */
		uint32_t cl = (int)g->kind[d] == a->k_ad_cluster ? d : (int)g->kind[s] == a->k_ad_cluster ? s : NET_NONE;

		*rule = NET_BRIDGE_AD_CLUSTER;
		return cl == NET_NONE ? 0 : ads_code(a, cl);
	}
	if (p->holds && t == a->t_holds && ev[cs] && ev[cd]) {
		*rule = NET_BRIDGE_HOLDS;
		return ev[cd];
	}
	if (p->shared_code && t == g->paid_type && a->alerted[s] && a->alerted[d] && g->eamount[e] >= p->shared_code_min) {
		/* one scheme's signature at both ends of the money between them */
		*rule = NET_BRIDGE_SHARED_CODE;
		return common_code(a, p, s, d);
	}
	return 0;
}

/* Joins cells x and y (roots) unless the enterprise would pass the size
 * limit; 1 = joined, 0 = refused. */
static int unite(uint32_t *parent, uint32_t *size, uint32_t x, uint32_t y, const struct net_join_params *p,
		 struct net_part *P)
{
	if (size[x] + size[y] > p->max_size) {
		P->join_refused++;
		return 0;
	}
	/* the smaller cell number is the root: enterprises follow cell order */
	if (y < x) {
		uint32_t t = x;

		x = y;
		y = t;
	}
	parent[y] = x;
	size[x] += size[y];
	P->joins++;
	return 1;
}

/* What the shared-evidence rule reads besides the evidence rows. */
struct sev_ctx {
	const struct net_attr *a;
	const struct net_join_params *p;
	const uint8_t *pays;  /* pays[v]: v pays someone */
	const uint8_t *shape; /* per signal code id: 1 = a graph-shape signal (p->shape_codes) */
	uint32_t ncodes;      /* code ids shape[] covers: 0 .. ncodes */
};

static int is_shape(const struct sev_ctx *x, uint32_t code)
{
	return code <= x->ncodes && x->shape[code];
}

/*
 * The evidence rows of one transaction, from *i on (a->sev is sorted by
 * transaction): end_of[0] and end_of[1] get a row on its payer and on its
 * payee that is no potential victim, lies in a cell and, with
 * shared_evidence_alerted, is on an alerted account — the first one, or
 * the first that is not a graph-shape signal when there is one — and *i
 * moves past the transaction.  1 when both ends are there, the payee pays
 * on, and at least one end cites it through a signal that is not a graph
 * shape (the condition both halves of the shared-evidence rule start from).
 */
static int cited_both_ends(const struct sev_ctx *x, const struct net_part *P, size_t *i,
			   const struct net_sev *end_of[2])
{
	const struct net_sev *r = x->a->sev.data;
	size_t j, end = *i, n = x->a->sev.len;

	end_of[0] = end_of[1] = NULL;
	while (end < n && r[end].record == r[*i].record)
		end++;
	for (j = *i; j < end; j++) {
		const struct net_sev **e = &end_of[r[j].payee];

		if (x->a->victim[r[j].node] || P->group_of[r[j].node] == NET_NONE || (x->p->shared_alerted && !r[j].alerted))
			continue;
		if (!*e || (is_shape(x, (*e)->code) && !is_shape(x, r[j].code)))
			*e = &r[j];
	}
	*i = end;
	return end_of[0] && end_of[1] && x->pays[end_of[1]->node] &&
	       !(is_shape(x, end_of[0]->code) && is_shape(x, end_of[1]->code));
}

/*
 * Second half of the shared-evidence rule, after the moves (move_cited):
 * a->sev holds the finance signals' evidence
 * rows by transaction, each on the transaction's payer or payee.  When
 * signals on both ends cite it, both ends are suspect accounts in cells,
 * and the payee pays on (pays[]: money that stops at the payee is a
 * purchase or a collection, the merchant's shape — a car rental firm with
 * a fan-in signal would join every crew that rents from it), and the two
 * are still in different cells (the payee was moved by an earlier
 * transaction, or its move was refused), the payer's cell and the payee's
 * are joined.  A transaction cited by one side only
 * joins nothing, nor does a money link by itself.  One pass over the rows.
 */
static int join_shared_evidence(const struct sev_ctx *x, struct net_part *P, uint32_t *parent, uint32_t *size,
				struct vec *br)
{
	size_t i = 0, n = x->a->sev.len;

	while (i < n) {
		const struct net_sev *end_of[2]; /* payer's, payee's suspect signal */
		struct net_bridge b;
		uint32_t cx, cy;

		if (!cited_both_ends(x, P, &i, end_of))
			continue;
		cx = root(parent, P->group_of[end_of[0]->node]);
		cy = root(parent, P->group_of[end_of[1]->node]);
		if (cx == cy || !unite(parent, size, cx, cy, x->p, P))
			continue;
		memset(&b, 0, sizeof b);
		b.cell_a = P->group_of[end_of[0]->node];
		b.cell_b = P->group_of[end_of[1]->node];
		b.src = end_of[0]->node;
		b.dst = end_of[1]->node;
		b.code = end_of[0]->code;
		b.code_b = end_of[1]->code;
		b.record = end_of[0]->record;
		b.rule = NET_BRIDGE_SHARED_EVIDENCE;
		b.alerted = end_of[0]->alerted && end_of[1]->alerted;
		if (vec_push(br, &b))
			return -1;
	}
	return 0;
}

/* Per signal code id of a: 1 when the code is one of p's graph-shape
 * signals.  NULL when out of memory. */
static uint8_t *shape_of_codes(const struct net_attr *a, const struct net_join_params *p)
{
	uint32_t nc = (uint32_t)strmap_count(&a->codes), c;
	uint8_t *shape = mem_calloc((size_t)nc + 1, 1);

	for (c = 1; shape && c <= nc; c++) {
		size_t len;
		const char *k = strmap_key(&a->codes, c, &len);

		shape[c] = strmap_find(&p->shape_codes, k, len) != 0;
	}
	return shape;
}

/* pays[v] = 1 when v pays anyone (one pass over the links). */
static uint8_t *payers(const struct net_graph *g)
{
	uint8_t *pays = mem_calloc(g->n ? g->n : 1, 1);
	uint64_t e;

	if (pays)
		for (e = 0; e < g->m; e++)
			if ((int)g->etype[e] == g->paid_type)
				pays[g->esrc[e]] = 1;
	return pays;
}


/*
 * Moves account b — and the person holding it, when that person is in b's
 * cell and not a potential victim — into cell t (newc, cnt).  0 when the
 * move would pass network.enterprise.max_size (counted as refused).
 */
static int move_account(const struct net_graph *g, const struct net_attr *a, struct net_part *P, uint32_t *newc,
			uint32_t *cnt, uint32_t b, uint32_t t, uint32_t max_size)
{
	uint32_t holder = NET_NONE;
	uint64_t x;

	for (x = g->off[b]; x < g->off[b + 1] && holder == NET_NONE; x++) {
		uint32_t u = g->adj[x];

		if ((int)g->etype[g->adje[x]] == a->t_holds && g->edst[g->adje[x]] == b && !a->victim[u] &&
		    newc[u] == P->group_of[b] && P->group_of[u] == P->group_of[b])
			holder = u;
	}
	if (cnt[t] + 1 + (holder != NET_NONE) > max_size) {
		P->join_refused++;
		return 0;
	}
	cnt[newc[b]]--;
	newc[b] = t;
	cnt[t]++;
	if (holder != NET_NONE) {
		cnt[newc[holder]]--;
		newc[holder] = t;
		cnt[t]++;
	}
	return 1;
}

/* The payer's own typology code when link e is a payment the
 * typology-payment rule reads: payer and payee alerted by the finance
 * stage, neither a potential victim, at least typology_payment_min in all,
 * each with a typology of its own (net_attr_own_code); *code_b the
 * payee's.  0 otherwise. */
static uint32_t typology_code(const struct net_graph *g, const struct net_attr *a, const struct net_join_params *p,
			      uint64_t e, uint32_t *code_b)
{
	uint32_t s = g->esrc[e], d = g->edst[e];

	if ((int)g->etype[e] != g->paid_type || !a->alerted || !a->alerted[s] || !a->alerted[d] || a->victim[s] ||
	    a->victim[d] || g->eamount[e] < p->typology_payment_min)
		return 0;
	if (!(*code_b = net_attr_own_code(a, p, d)))
		return 0;
	return net_attr_own_code(a, p, s);
}

static int cmp_payer_cell(const void *x, const void *y)
{
	const struct net_bridge *a = x, *b = y;

	if (a->cell_a != b->cell_a)
		return a->cell_a < b->cell_a ? -1 : 1;
	if (a->cell_b != b->cell_b)
		return a->cell_b < b->cell_b ? -1 : 1;
	return a->edge < b->edge ? -1 : a->edge > b->edge;
}

/*
 * The typology-payment rule (network.enterprise.typology_payment): an
 * alerted account with a typology of its own that pays at least
 * typology_payment_min to an alerted account with one of its own in
 * another cell — the funnel paying its boss, the front paying the
 * organiser — joins the two cells.  A cell whose accounts pay typology
 * accounts in several cells joins none of them: a service several
 * organisations share (on the development 100-network world one cell held
 * the fronts of four smuggling networks, each paying its own organiser,
 * and joining it to each chained the four into one of 148 entities).
 * Several cells paying one cell (three funnels paying their boss) all
 * join it.  Payments sorted by payer cell, payee cell and link; a join
 * that would pass network.enterprise.max_size is refused.  (Moving the
 * payer account alone, as the shared-evidence rule does, was measured
 * and lost more than it kept: docs/network.md.)
 */
static int join_typology_payments(const struct net_graph *g, const struct net_attr *a, const struct net_join_params *p,
				  struct net_part *P, uint32_t *parent, uint32_t *size, struct vec *br)
{
	struct vec tp;
	struct net_bridge *t;
	size_t i = 0, j, k;
	uint64_t e;
	int rc = -1;

	vec_init(&tp, sizeof(struct net_bridge));
	for (e = 0; e < g->m; e++) {
		uint32_t s = g->esrc[e], d = g->edst[e], code_b = 0, code = typology_code(g, a, p, e, &code_b);
		struct net_bridge b;

		if (!code || P->group_of[s] == NET_NONE || P->group_of[d] == NET_NONE || P->group_of[s] == P->group_of[d])
			continue;
		memset(&b, 0, sizeof b);
		b.cell_a = P->group_of[s];
		b.cell_b = P->group_of[d];
		b.edge = e;
		b.src = s;
		b.dst = d;
		b.code = code;
		b.code_b = code_b;
		b.rule = NET_BRIDGE_TYPOLOGY_PAYMENT;
		if (vec_push(&tp, &b))
			goto out;
	}
	t = tp.data;
	if (tp.len)
		qsort(t, tp.len, sizeof *t, cmp_payer_cell);
	while (i < tp.len) {
		int one = 1;

		for (j = i + 1; j < tp.len && t[j].cell_a == t[i].cell_a; j++)
			one &= t[j].cell_b == t[i].cell_b;
		for (k = i; one && k < j; k++) {
			uint32_t x = root(parent, t[k].cell_a), y = root(parent, t[k].cell_b);

			if (x != y && unite(parent, size, x, y, p, P) && vec_push(br, &t[k]))
				goto out;
		}
		i = j;
	}
	rc = 0;
out:
	vec_release(&tp);
	return rc;
}

/*
 * First half of the shared-evidence rule: a transaction cited by a finance
 * signal on its payer and by one on its payee (both suspect accounts in
 * cells, the payee paying on) moves the payee — and the person holding it,
 * when that person is in the same cell and not a potential victim — into
 * the payer's cell.  Only the cited account moves: its cell also holds the
 * people the account deals with in its own life, who are not the scheme
 * (docs/network.md).  The first transaction citing an account decides
 * (record order); a move that would pass network.enterprise.max_size is
 * refused.  Each move is kept in br (rule NET_BRIDGE_EVIDENCE_MOVE, both
 * cells the target).  Cells left empty are dropped; P is rebuilt in one
 * pass over the nodes.
 */
static int move_cited(const struct net_graph *g, const struct sev_ctx *sx, struct net_part *P, struct vec *br)
{
	const struct net_attr *a = sx->a;
	const struct net_join_params *p = sx->p;
	size_t i = 0, n = a->sev.len, c, nb0 = br->len;
	uint32_t *newc = mem_alloc((g->n ? g->n : 1) * sizeof *newc);
	uint32_t *cnt = mem_calloc(P->ngroups + 1, sizeof *cnt);
	uint32_t *renum = mem_alloc((P->ngroups + 1) * sizeof *renum);
	struct net_group *groups = mem_calloc(P->ngroups + 1, sizeof *groups);
	uint32_t *members = mem_alloc((g->n ? g->n : 1) * sizeof *members);
	uint32_t v, ng = 0, at = 0;
	int rc = -1;

	if (!newc || !cnt || !renum || !groups || !members)
		goto out;
	memcpy(newc, P->group_of, g->n * sizeof *newc);
	for (c = 0; c < P->ngroups; c++)
		cnt[c] = P->groups[c].n;
	while (i < n) {
		const struct net_sev *end_of[2]; /* payer's, payee's suspect signal */
		uint32_t b, t;
		struct net_bridge mvb;

		if (!cited_both_ends(sx, P, &i, end_of))
			continue;
		b = end_of[1]->node;
		t = newc[end_of[0]->node];
		if (newc[b] == t || newc[b] != P->group_of[b])
			continue; /* in the payer's cell already, or moved by an earlier transaction */
		if (!move_account(g, a, P, newc, cnt, b, t, p->max_size))
			continue;
		memset(&mvb, 0, sizeof mvb);
		mvb.cell_a = mvb.cell_b = t;
		mvb.src = end_of[0]->node;
		mvb.dst = b;
		mvb.code = end_of[0]->code;
		mvb.code_b = end_of[1]->code;
		mvb.record = end_of[0]->record;
		mvb.rule = NET_BRIDGE_EVIDENCE_MOVE;
		mvb.alerted = end_of[0]->alerted && end_of[1]->alerted;
		if (vec_push(br, &mvb))
			goto out;
		P->moves++;
	}
	/* the cells again, in their order, without the empty ones */
	for (c = 0; c < P->ngroups; c++) {
		renum[c] = NET_NONE;
		if (!cnt[c])
			continue;
		renum[c] = ng;
		groups[ng] = P->groups[c];
		groups[ng].first = at;
		groups[ng].n = 0;
		at += cnt[c];
		ng++;
	}
	for (v = 0; v < g->n; v++) {
		uint32_t e;

		if (newc[v] == NET_NONE)
			continue;
		e = renum[newc[v]];
		members[groups[e].first + groups[e].n++] = v; /* ascending: nodes in order */
		P->group_of[v] = e;
	}
	for (c = nb0; c < br->len; c++) {
		struct net_bridge *b = (struct net_bridge *)br->data + c;

		b->cell_a = b->cell_b = renum[b->cell_a];
	}
	mem_free(P->groups);
	mem_free(P->members);
	P->groups = groups;
	P->members = members;
	P->ngroups = ng;
	groups = NULL;
	members = NULL;
	rc = 0;
out:
	mem_free(newc);
	mem_free(cnt);
	mem_free(renum);
	mem_free(groups);
	mem_free(members);
	return rc;
}

int net_join(const struct net_graph *g, struct net_attr *a, const struct net_join_params *p, struct net_part *P,
	     struct rs_err *err)
{
	size_t nc = P->ngroups;
	uint32_t *parent = NULL, *size = NULL, *ev = NULL;
	uint8_t *pays = NULL, *shape = NULL;
	struct sev_ctx sx;
	struct vec br, mer, cp;
	uint64_t e;
	size_t c;
	int rc = 0;

	vec_init(&br, sizeof(struct net_bridge));
	vec_init(&mer, sizeof(uint32_t));
	vec_init(&cp, sizeof(struct net_cparty));
	P->joins = P->join_refused = P->merchants = 0;
	if (p->merchants && set_merchants_aside(g, a, P, &mer)) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory setting merchants aside");
		goto out;
	}
	P->merchants = mer.len;
	P->moves = 0;
	if (p->shared_evidence) {
		sx.a = a;
		sx.p = p;
		if (!(pays = payers(g)) || !(shape = shape_of_codes(a, p)))
			goto nomem;
		sx.pays = pays;
		sx.shape = shape;
		sx.ncodes = (uint32_t)strmap_count(&a->codes);
		if (move_cited(g, &sx, P, &br)) {
			rc = err_set(err, RASTRO_NOMEM, "out of memory moving accounts by shared evidence");
			goto out;
		}
	}
	nc = P->ngroups;
	parent = mem_alloc((nc ? nc : 1) * sizeof *parent);
	size = mem_alloc((nc ? nc : 1) * sizeof *size);
	ev = p->holds ? cell_evidence(a, P) : mem_calloc(1, sizeof *ev);
	if (!parent || !size || !ev) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory joining cells into enterprises");
		goto out;
	}
	for (c = 0; c < nc; c++) {
		parent[c] = (uint32_t)c;
		size[c] = P->groups[c].n;
	}
	for (e = 0; (p->ad_clusters || p->holds || p->shared_code) && e < g->m; e++) {
		struct net_bridge b;
		uint32_t x, y;
		uint8_t rule = 0;
		uint32_t code = bridge_code(g, a, p, P, ev, e, &rule);

		if (!code)
			continue;
		x = root(parent, P->group_of[g->esrc[e]]);
		y = root(parent, P->group_of[g->edst[e]]);
		if (x == y || !unite(parent, size, x, y, p, P))
			continue;
		memset(&b, 0, sizeof b);
		b.cell_a = P->group_of[g->esrc[e]];
		b.cell_b = P->group_of[g->edst[e]];
		b.edge = e;
		b.src = g->esrc[e];
		b.dst = g->edst[e];
		b.code = code;
		b.rule = rule;
		if (vec_push(&br, &b)) {
			rc = err_set(err, RASTRO_NOMEM, "out of memory joining cells into enterprises");
			goto out;
		}
	}
	if (p->typology_payment && join_typology_payments(g, a, p, P, parent, size, &br)) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory joining cells into enterprises");
		goto out;
	}
	if (p->shared_evidence && join_shared_evidence(&sx, P, parent, size, &br)) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory joining cells into enterprises");
		goto out;
	}
	if ((rc = regroup(P, parent, br.data, br.len, err)))
		goto out;
	mem_free(P->bridges);
	P->bridges = br.data;
	P->nbridges = br.len;
	br.data = NULL;
	if (counterparties(g, P, &mer, &cp)) {
		rc = err_set(err, RASTRO_NOMEM, "out of memory listing counterparties");
		goto out;
	}
	mem_free(P->cparty);
	P->cparty = cp.data;
	P->ncparty = cp.len;
	cp.data = NULL;
out:
	vec_release(&br);
	vec_release(&mer);
	vec_release(&cp);
	mem_free(parent);
	mem_free(size);
	mem_free(ev);
	mem_free(pays);
	mem_free(shape);
	return rc;
nomem:
	rc = err_set(err, RASTRO_NOMEM, "out of memory moving accounts by shared evidence");
	goto out;
}
