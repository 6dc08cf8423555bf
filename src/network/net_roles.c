/*
 * net_roles: the role of each member of a network, with the reason that
 * gave it.  docs/network.md lists every rule with its source; in short,
 * tried in this order, the first that matches gives the role and the
 * others that match are named in the reason ("also: ..."):
 *
 *   potential_victim  in victim_flag (the victims stage): never a suspect
 *   recruiter         collects recruitment or visa fees from several payers
 *   facilitator       a landlord: most of what members pay it is rent
 *   organiser         a controller signal (pay swept, identifiers on others'
 *                     accounts, others' costs paid) unless the funnel passes
 *                     the money up to the controller, or identifiers shared
 *                     with potential victims, or the payer of several
 *                     transporters, or where several members' money went
 *                     and stayed, or the money's source (cash placed and
 *                     fanned out), or — one per network without a source —
 *                     the largest net receiver of the members' money
 *   facilitator       a business paid for lodging or rent by members, a
 *                     front-company signal, an employer whose wages go to
 *                     potential victims or a payroll funnel, or a front
 *                     line of business
 *   transporter       paid by members with memos naming a ride, fuel or a
 *                     toll, paid for rides/travel, paid per trip (a
 *                     transport signal), or buys travel often
 *   money_mover       a payroll funnel passing the pay up, a laundering/
 *                     funnel/structuring signal on itself, a layer paid by
 *                     members that move money, or money that passes
 *                     through (out within a band of in)
 *   recruiter         linked to ads, ad-site payments, recruitment fees
 *   buyer             only pays into the network, small sums, few links
 *   associate         any other member
 *
 * A person and the accounts they hold are one subject: the rules read
 * their figures together and the accounts take the person's role.
 */
#include "net_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void net_fmt_amount(char *out, size_t n, double v)
{
	char digits[64], grouped[96];
	int len, i, k = 0, lead;

	if (!isfinite(v)) {
		snprintf(out, n, "?");
		return;
	}
	len = snprintf(digits, sizeof digits, "%.0f", fabs(v));
	lead = len % 3 ? len % 3 : 3;
	for (i = 0; i < len && k < (int)sizeof grouped - 2; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	snprintf(out, n, "%s%s", v < 0 ? "-" : "", grouped);
}

int net_load_set(const struct cfg *cfg, const char *key, const char *def, struct strmap *m)
{
	size_t n = cfg_array_len(cfg, key), i;

	strmap_init(m);
	if (n || cfg_has(cfg, key)) {
		for (i = 0; i < n; i++) {
			const char *s = cfg_array_str(cfg, key, i);

			if (s && !strmap_intern(m, s, strlen(s), NULL))
				return -1;
		}
		return 0;
	}
	while (*def) {
		const char *c = strchr(def, ',');
		size_t len = c ? (size_t)(c - def) : strlen(def);

		if (!strmap_intern(m, def, len, NULL))
			return -1;
		def += len + (c != NULL);
	}
	return 0;
}

int net_role_params_read(const struct cfg *cfg, struct net_role_params *p)
{
	memset(p, 0, sizeof *p);
	p->organiser_min_victim_links = cfg_int(cfg, "network.roles.organiser_min_victim_links", 2);
	p->organiser_min_payers = cfg_int(cfg, "network.roles.organiser_min_payers", 2);
	p->organiser_min_retained = cfg_double(cfg, "network.roles.organiser_min_retained", 0.2);
	p->organiser_source_min_payees = cfg_int(cfg, "network.roles.organiser_source_min_payees", 2);
	p->organiser_funnel_beneficiary = cfg_bool(cfg, "network.roles.organiser_funnel_beneficiary", 1);
	p->money_min_amount = cfg_int(cfg, "network.roles.pass_through_min_amount", 1000);
	p->money_min_movers_in = cfg_int(cfg, "network.roles.layer_min_movers", 2);
	p->pass_low = cfg_double(cfg, "network.roles.pass_through_low", 0.8);
	p->pass_high = cfg_double(cfg, "network.roles.pass_through_high", 1.2);
	p->recruiter_min_ads = cfg_int(cfg, "network.roles.recruiter_min_ads", 1);
	p->recruiter_min_ad_payments = cfg_int(cfg, "network.roles.recruiter_min_ad_payments", 2);
	p->recruiter_fees_first = cfg_int(cfg, "network.roles.recruiter_fees_first", 3);
	p->transporter_min_paid = cfg_int(cfg, "network.roles.transporter_min_paid", 2);
	p->transporter_min_purchases = cfg_int(cfg, "network.roles.transporter_min_purchases", 0);
	p->transporter_min_memos = cfg_int(cfg, "network.roles.transporter_min_memos", 1);
	p->facilitator_min_payers = cfg_int(cfg, "network.roles.facilitator_min_payers", 2);
	p->facilitator_rent_first = cfg_int(cfg, "network.roles.facilitator_rent_first", 3);
	p->facilitator_min_payroll = cfg_int(cfg, "network.roles.facilitator_min_payroll", 2);
	p->buyer_max_links = cfg_int(cfg, "network.roles.buyer_max_links", 2);
	p->buyer_max_amount = cfg_double(cfg, "network.roles.buyer_max_amount", 5000);
	if (net_load_set(cfg, "network.roles.organiser_signals", "FIN.PAYROLL_FUNNEL,FIN.SHARED_IDENTIFIER,FIN.VICTIM_COSTS",
		     &p->organiser_signals) ||
	    net_load_set(cfg, "network.roles.money_signals",
		     "FIN.FUNNEL,FIN.PASS_THROUGH,FIN.STRUCTURING,FIN.CASH_TO_CORRIDOR,FIN.BORDER_FANIN,FIN.FAN_IN,"
		     "FIN.FAN_OUT,FIN.SCATTER_GATHER,FIN.GATHER_SCATTER,FIN.CYCLE,FIN.STACK,FIN.BIPARTITE,"
		     "FIN.PREPAID_VELOCITY,FIN.CASH_NO_ACH,FIN.OFFHOURS_CASH,FIN.ONEOFF_FANOUT,FIN.PLACEMENT_FANOUT,"
		     "FIN.SPLIT_GATHER_SCATTER,FIN.SPLIT_FAN,FIN.SPLIT_BIPARTITE,FIN.RELAY_CHAIN",
		     &p->money_signals) ||
	    net_load_set(cfg, "network.roles.recruiter_signals",
		     "FIN.ESCORT_SITE_PAY,FIN.ESCORT_ADS_ELSEWHERE,FIN.AD_IDENTIFIER", &p->recruiter_signals) ||
	    net_load_set(cfg, "network.roles.facilitator_signals", "FIN.FRONT_COMPANY", &p->facilitator_signals) ||
	    net_load_set(cfg, "network.roles.transporter_signals", "FIN.TRIP_PAYOUT", &p->transporter_signals) ||
	    net_load_set(cfg, "network.roles.front_business_types",
		     "hotel,motel,massage_parlor,spa,nail_salon,bar,cantina,staffing_agency,labor_contractor,"
		     "employment_agency,travel_agency,car_rental", &p->front_types)) {
		net_role_params_release(p); /* the sets loaded before the failure */
		return -1;
	}
	return 0;
}

void net_role_params_release(struct net_role_params *p)
{
	strmap_release(&p->organiser_signals);
	strmap_release(&p->money_signals);
	strmap_release(&p->recruiter_signals);
	strmap_release(&p->facilitator_signals);
	strmap_release(&p->transporter_signals);
	strmap_release(&p->front_types);
}

/* Figures of one subject (a person with the accounts they hold, or one
 * entity), counted over the network's members. */
struct feat {
	int victim, business, front;
	uint32_t btype;
	uint32_t in_payers, out_payees;      /* distinct member subjects */
	double in_amt_m, out_amt_m;          /* money with members */
	uint32_t in_n_m, out_n_m;
	uint32_t out_cparty;                 /* money links to merchants set aside (counterparties) */
	double in_amt, out_amt;              /* all money */
	uint32_t in_n, out_n, cash_in, cash_out;
	uint32_t cat_in[CG_N], cat_out[CG_N];
	uint32_t ads, victim_links, shared_ids;
	uint32_t ride_in_m;                  /* payments from members for rides, fuel, tolls (memos) */
	const char *rec_sig, *fac_sig, *ad_sig; /* first matching code */
	/* controller codes by side: on the subject itself (the funnel), or on
	 * where a funnel's money went (NET_SIDE_BEN1/2) */
	const char *org_own, *org_ben;
	const char *money_own;               /* money-movement code on the subject itself */
	const char *money_ben1;              /* money-movement code naming it where a funnel's money went (hop 1) */
	const char *trans_sig;               /* transporter code on the subject (paid per trip) */
	const char *trans_payer;             /* transporter code naming it the payer of several */
	int32_t up;                          /* member subject it pays that took a funnel's money as controller, -1 none */
	uint32_t pays_dep;                   /* member subjects it pays that are potential victims or payroll funnels */
	uint32_t movers_in;                  /* member subjects with a money code of their own that pay it */
	int nsig;
};

struct ctx {
	const struct net_graph *g;
	const struct net_attr *a;
	const struct net_role_params *p;
	const uint32_t *mem;
	uint32_t k;
	const uint32_t *group_of;
	uint32_t group;
	int32_t *subj;       /* member -> subject member index */
	uint32_t *mark;      /* member -> stamp: paid in by it */
	uint32_t *mark2;     /* paid out to it */
	uint32_t *mark3;     /* potential victim sharing an identifier */
	uint32_t stamp;
};

static int32_t idx_of(const struct ctx *c, uint32_t node)
{
	uint32_t lo = 0, hi = c->k;

	if (c->group_of[node] != c->group)
		return -1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->mem[mid] < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->k && c->mem[lo] == node ? (int32_t)lo : -1;
}

static const char *code_name(const struct net_attr *a, uint32_t code)
{
	size_t len;

	return strmap_key(&a->codes, code, &len);
}

static int in_set(const struct strmap *m, const char *s)
{
	return strmap_find(m, s, strlen(s)) != 0;
}

static int is_subject_kind(const struct ctx *c, uint32_t v)
{
	return !net_is_identifier(c->g, v) && !net_is_ad(c->g, c->a, v);
}

static void features(struct ctx *c, uint32_t s, struct feat *f)
{
	const struct net_graph *g = c->g;
	const struct net_attr *a = c->a;
	uint32_t i;

	memset(f, 0, sizeof *f);
	f->up = -1;
	c->stamp++;
	for (i = 0; i < c->k; i++) {
		uint32_t v = c->mem[i];
		uint64_t x;
		int cg;

		if (c->subj[i] != (int32_t)s)
			continue;
		f->victim |= a->victim[v];
		f->business |= a->business[v];
		if (a->btype[v] && !f->btype) {
			size_t len;
			const char *bt = strmap_key(&a->btypes, a->btype[v], &len);

			f->btype = a->btype[v];
			f->front = in_set(&c->p->front_types, bt);
		}
		for (x = a->sig_off[v]; x < a->sig_off[v + 1]; x++) {
			const struct net_sig *sg = (const struct net_sig *)a->sigs.data + x;
			const char *cn = code_name(a, sg->code);

			f->nsig++;
			if (in_set(&c->p->organiser_signals, cn)) {
				if (sg->side == NET_SIDE_BEN1 || sg->side == NET_SIDE_BEN2) {
					if (!f->org_ben)
						f->org_ben = cn;
				} else if (!f->org_own) {
					f->org_own = cn;
				}
			}
			if (in_set(&c->p->transporter_signals, cn)) {
				if (sg->side == NET_SIDE_PAYER) {
					if (!f->trans_payer)
						f->trans_payer = cn;
				} else if (sg->side == NET_SIDE_OWN && !f->trans_sig) {
					f->trans_sig = cn;
				}
			}
			if (in_set(&c->p->money_signals, cn)) {
				if (!f->money_own && sg->side == NET_SIDE_OWN)
					f->money_own = cn;
				if (!f->money_ben1 && sg->side == NET_SIDE_BEN1)
					f->money_ben1 = cn;
			}
			if (!f->rec_sig && in_set(&c->p->recruiter_signals, cn))
				f->rec_sig = cn;
			if (!f->fac_sig && in_set(&c->p->facilitator_signals, cn))
				f->fac_sig = cn;
			if (!f->ad_sig && a->code_ads && a->code_ads[sg->code])
				f->ad_sig = cn;
		}
		if (g->st) {
			const struct net_nstat *st = &g->st[v];

			f->in_amt += st->in_amt;
			f->out_amt += st->out_amt;
			f->in_n += st->in_n;
			f->out_n += st->out_n;
			f->cash_in += st->cash_in;
			f->cash_out += st->cash_out;
			for (cg = 0; cg < CG_N; cg++) {
				f->cat_in[cg] += st->cat_in[cg];
				f->cat_out[cg] += st->cat_out[cg];
			}
		}
		for (x = g->off[v]; x < g->off[v + 1]; x++) {
			uint32_t u = g->adj[x], e = g->adje[x];
			int32_t ui = idx_of(c, u);

			if ((int)g->etype[e] == g->paid_type) {
				int32_t us;

				if (ui < 0 && g->esrc[e] == v && a->merchant && a->merchant[u])
					f->out_cparty++;
				if (ui < 0 || c->subj[ui] == (int32_t)s)
					continue;
				us = c->subj[ui];
				if (g->edst[e] == v) {
					f->in_amt_m += g->eamount[e];
					f->in_n_m += g->ecount[e];
					f->ride_in_m += g->eride ? g->eride[e] : 0;
					if (c->mark[us] != c->stamp) {
						c->mark[us] = c->stamp;
						f->in_payers++;
					}
				} else {
					f->out_amt_m += g->eamount[e];
					f->out_n_m += g->ecount[e];
					if (c->mark2[us] != c->stamp) {
						c->mark2[us] = c->stamp;
						f->out_payees++;
					}
				}
				continue;
			}
			if (net_is_ad(g, a, u)) {
				f->ads++;
				continue;
			}
			if (net_is_identifier(g, u)) {
				/* who else uses this identifier: potential victims among them,
				 * other member subjects, and ads that list it */
				uint64_t y;
				int shared = 0;

				for (y = g->off[u]; y < g->off[u + 1]; y++) {
					uint32_t w = g->adj[y];
					int32_t wi;

					if (w == v)
						continue;
					if (net_is_ad(g, a, w)) {
						f->ads++;
						continue;
					}
					wi = idx_of(c, w);
					if (wi < 0 || c->subj[wi] == (int32_t)s)
						continue;
					shared = 1;
					if (a->victim[w] && c->mark3[c->subj[wi]] != c->stamp) {
						c->mark3[c->subj[wi]] = c->stamp;
						f->victim_links++;
					}
				}
				f->shared_ids += shared;
			}
		}
	}
}

/* An employer whose wages go to potential victims or payroll funnels (the
 * front whose workers' pay is swept). */
static int employer(const struct net_role_params *p, const struct feat *f)
{
	return f->business && p->facilitator_min_payroll > 0 &&
	       f->cat_out[CG_PAYROLL] >= (uint32_t)p->facilitator_min_payroll &&
	       f->pays_dep >= (uint32_t)p->facilitator_min_payers;
}

/* The source of the network's money: paid by no member, it pays several
 * and moves money itself (a laundering ring's placer: cash in, fanned out
 * to the layers); the net receiver at the other end is then no organiser. */
static int money_source(const struct net_role_params *p, const struct feat *f)
{
	return p->organiser_source_min_payees > 0 && f->money_own && f->in_payers == 0 && f->cash_in > 0 &&
	       !f->victim && !employer(p, f) && f->out_payees >= (uint32_t)p->organiser_source_min_payees;
}

/* Rules that are not a role of their own, tried before the organiser: the
 * fee collector gives the recruiter role, the rent collector the
 * facilitator's. */
enum { RULE_FEES = NR_N, RULE_RENT };

static int fee_collector(const struct net_role_params *p, const struct feat *f)
{
	return p->recruiter_fees_first > 0 && f->cat_in[CG_RECRUIT] >= (uint32_t)p->recruiter_fees_first;
}

/* Rent or lodging paid often, and most of what members pay it; a funnel
 * of its own (a controller signal on the subject itself) is not a landlord. */
static int rent_collector(const struct net_role_params *p, const struct feat *f)
{
	uint32_t rent = f->cat_in[CG_RENT] + f->cat_in[CG_LODGING];

	return p->facilitator_rent_first > 0 && rent >= (uint32_t)p->facilitator_rent_first && 2 * rent >= f->in_n_m &&
	       !f->org_own;
}

/*
 * Whom each subject pays among the members, after every subject's
 * features: the member a funnel passes the money up to (one the finance
 * stage names as where a funnel's money went, under a controller code, and
 * not a landlord or fee collector), and how many potential victims or
 * payroll funnels it pays (an employer's wages).  nxt has k entries.
 */
static void payees(struct ctx *c, struct feat *f, int32_t *nxt)
{
	const struct net_graph *g = c->g;
	uint32_t i, s;

	/* the member positions of each subject, as a list from the subject's own */
	for (i = 0; i < c->k; i++)
		nxt[i] = -1;
	for (i = c->k; i-- > 0;) {
		s = (uint32_t)c->subj[i];
		if (s != i) {
			nxt[i] = nxt[s];
			nxt[s] = (int32_t)i;
		}
	}
	for (s = 0; s < c->k; s++) {
		int32_t i2;

		if (c->subj[s] != (int32_t)s || !is_subject_kind(c, c->mem[s]))
			continue;
		c->stamp++;
		for (i2 = (int32_t)s; i2 >= 0; i2 = nxt[i2]) {
			uint32_t v = c->mem[i2];
			uint64_t x;

			for (x = g->off[v]; x < g->off[v + 1]; x++) {
				uint32_t e = g->adje[x];
				int32_t ui, us;
				const struct feat *fu;

				if ((int)g->etype[e] != g->paid_type || g->esrc[e] != v || (ui = idx_of(c, g->adj[x])) < 0)
					continue;
				us = c->subj[ui];
				if (us == (int32_t)s || !is_subject_kind(c, c->mem[us]) || c->mark[us] == c->stamp)
					continue;
				c->mark[us] = c->stamp;
				fu = &f[us];
				if (f[s].up < 0 && fu->org_ben && !fu->victim && !rent_collector(c->p, fu) &&
				    !fee_collector(c->p, fu))
					f[s].up = us;
				if (fu->victim || fu->org_own)
					f[s].pays_dep++;
				if (f[s].money_own)
					f[us].movers_in++;
			}
		}
	}
}

static void fmt_money(char *out, size_t n, double v)
{
	net_fmt_amount(out, n, v);
}

/* Reason sentence of a rule that matched, or "" when it does not. */
static int rule(struct ctx *c, int role, const struct feat *f, const struct feat *all, uint32_t s, int sink,
		struct sbuf *sb)
{
	const struct net_role_params *p = c->p;
	char a1[48], a2[48];
	uint32_t v = c->mem[s];

	(void)all;
	switch (role) {
	case RULE_FEES:
		/* who takes the recruits' fees recruits them, even when the
		 * workers' pay is later swept through the same account (a payroll
		 * funnel) or it keeps the most of the members' money */
		if (!fee_collector(p, f))
			return 0;
		sbuf_addf(sb, "collected %u recruitment or visa fees", f->cat_in[CG_RECRUIT]);
		return 1;
	case RULE_RENT:
		/* the landlord: a payroll funnel's rent goes to it, and the finance
		 * stage names it as where the funnel's money went; the rent says
		 * what it is paid for */
		if (!rent_collector(p, f))
			return 0;
		sbuf_addf(sb, "paid for lodging or rent %u times, of %u payments from members",
			  f->cat_in[CG_RENT] + f->cat_in[CG_LODGING], f->in_n_m);
		if (f->org_ben)
			sbuf_addf(sb, " (where a funnel's money went, %s)", f->org_ben);
		return 1;
	case NR_VICTIM:
		if (!f->victim)
			return 0;
		sbuf_adds(sb, "flagged by the victims stage");
		if (c->a->victim_codes[v])
			sbuf_addf(sb, " (%s)", c->a->victim_codes[v]);
		return 1;
	case NR_ORGANISER:
		if (f->org_ben) {
			sbuf_addf(sb, "controller signal %s (where a funnel's money went)", f->org_ben);
			return 1;
		}
		/* a funnel that passes the money up to a member who takes it as
		 * controller is that member's money mover */
		if (f->org_own && f->up < 0) {
			sbuf_addf(sb, "controller signal %s", f->org_own);
			return 1;
		}
		if (f->victim_links >= (uint32_t)p->organiser_min_victim_links) {
			sbuf_addf(sb, "shares identifiers with %u potential victims (controls their phones, emails or addresses)",
				  f->victim_links);
			return 1;
		}
		if (f->trans_payer) {
			sbuf_addf(sb, "pays several transporters per trip (%s)", f->trans_payer);
			return 1;
		}
		/* where several members' money went under a funnel's code, kept
		 * rather than passed on (a mule passes it on; the boss's staff —
		 * drivers, recruiter, stash house — are paid by one member) */
		if (p->organiser_funnel_beneficiary && f->money_ben1 && !f->money_own &&
		    f->in_payers >= (uint32_t)p->organiser_min_payers && f->out_amt < p->pass_low * f->in_amt) {
			fmt_money(a1, sizeof a1, f->in_amt);
			fmt_money(a2, sizeof a2, f->out_amt);
			sbuf_addf(sb, "where a funnel's money went (%s) and kept: %s in, %s out", f->money_ben1, a1, a2);
			return 1;
		}
		if (money_source(p, f)) {
			fmt_money(a1, sizeof a1, f->out_amt_m);
			sbuf_addf(sb, "source of the members' money: paid by no member, pays %u members %s (%u cash deposits in; %s)",
				  f->out_payees, a1, f->cash_in, f->money_own);
			return 1;
		}
		if (sink) {
			fmt_money(a1, sizeof a1, f->in_amt_m);
			fmt_money(a2, sizeof a2, f->out_amt_m);
			sbuf_addf(sb, "largest net receiver of the members' money: %u payments from %u members, %s in, %s out",
				  f->in_n_m, f->in_payers, a1, a2);
			return 1;
		}
		return 0;
	case NR_FACILITATOR:
		if (f->fac_sig) {
			sbuf_addf(sb, "front-company signal %s", f->fac_sig);
			return 1;
		}
		if ((f->business || c->a->k_person < 0 || (int)c->g->kind[v] != c->a->k_person) &&
		    f->in_payers >= (uint32_t)p->facilitator_min_payers &&
		    f->cat_in[CG_LODGING] + f->cat_in[CG_RENT] >= (uint32_t)p->facilitator_min_payers) {
			sbuf_addf(sb, "paid for lodging or rent %u times, by %u members", f->cat_in[CG_LODGING] + f->cat_in[CG_RENT],
				  f->in_payers);
			return 1;
		}
		if (f->cat_in[CG_RENT] >= (uint32_t)p->facilitator_min_payers && f->in_payers >= (uint32_t)p->facilitator_min_payers) {
			sbuf_addf(sb, "landlord: rent from %u members", f->in_payers);
			return 1;
		}
		if (employer(p, f)) {
			sbuf_addf(sb, "employer: %u payroll payments, to %u members who are potential victims or a payroll funnel",
				  f->cat_out[CG_PAYROLL], f->pays_dep);
			return 1;
		}
		if (f->front && f->in_payers + f->out_payees > 0) {
			size_t len;

			sbuf_addf(sb, "business of a front-prone type (%s) trading with members",
				  strmap_key(&c->a->btypes, f->btype, &len));
			return 1;
		}
		return 0;
	case NR_MONEY_MOVER:
		if (f->org_own && f->up >= 0 && !f->org_ben) {
			sbuf_addf(sb, "funnel (%s) that passes the money up to #%lld, where it went", f->org_own,
				  (long long)c->g->ent[c->mem[f->up]]);
			return 1;
		}
		/* a money code naming the subject as where a funnel's money went
		 * says it was paid, not that it moves money on (the pass-through
		 * test below reads that) */
		if (f->money_own) {
			sbuf_addf(sb, "money-movement signal %s", f->money_own);
			return 1;
		}
		/* a layer: paid by several members that move money themselves (the
		 * organiser and facilitators paid by funnels are tried before) */
		if (p->money_min_movers_in > 0 && f->movers_in >= (uint32_t)p->money_min_movers_in) {
			fmt_money(a1, sizeof a1, f->in_amt_m);
			sbuf_addf(sb, "a layer: paid %s by %u members with money-movement signals", a1, f->movers_in);
			return 1;
		}
		/* out to members, or to the merchants they pay (a money transmitter
		 * set aside is where the money leaves) */
		if (f->in_amt >= (double)p->money_min_amount && f->out_payees + f->out_cparty >= 1 &&
		    f->out_amt >= p->pass_low * f->in_amt && f->out_amt <= p->pass_high * f->in_amt &&
		    f->in_payers + f->cash_in >= 1) {
			fmt_money(a1, sizeof a1, f->in_amt);
			fmt_money(a2, sizeof a2, f->out_amt);
			if (f->out_cparty)
				sbuf_addf(sb, "pass-through: %s in, %s out (%.0f%%), to %u members and %u counterparties", a1, a2,
					  100.0 * f->out_amt / f->in_amt, f->out_payees, f->out_cparty);
			else
				sbuf_addf(sb, "pass-through: %s in, %s out (%.0f%%), to %u members", a1, a2,
					  100.0 * f->out_amt / f->in_amt, f->out_payees);
			return 1;
		}
		return 0;
	case NR_RECRUITER:
		if (f->ads >= (uint32_t)p->recruiter_min_ads) {
			sbuf_addf(sb, "linked to %u ads (posted, or through a phone, email or handle they use)", f->ads);
			return 1;
		}
		if (f->rec_sig) {
			sbuf_addf(sb, "ad-related signal %s", f->rec_sig);
			return 1;
		}
		if (f->ad_sig) {
			sbuf_addf(sb, "ads signal %s", f->ad_sig);
			return 1;
		}
		if (f->cat_out[CG_ADS] >= (uint32_t)p->recruiter_min_ad_payments) {
			sbuf_addf(sb, "%u payments to ad sites", f->cat_out[CG_ADS]);
			return 1;
		}
		/* the one who collects recruitment fees; those who pay them are
		 * recruits or their families */
		if (f->cat_in[CG_RECRUIT] >= 1) {
			sbuf_addf(sb, "collected %u recruitment or visa fees", f->cat_in[CG_RECRUIT]);
			return 1;
		}
		return 0;
	case NR_TRANSPORTER:
		if (f->trans_sig) {
			sbuf_addf(sb, "transport signal %s (paid per trip)", f->trans_sig);
			return 1;
		}
		if (f->cat_in[CG_TRAVEL] >= (uint32_t)p->transporter_min_paid) {
			sbuf_addf(sb, "paid for rides or travel %u times", f->cat_in[CG_TRAVEL]);
			return 1;
		}
		if (p->transporter_min_memos > 0 && f->ride_in_m >= (uint32_t)p->transporter_min_memos) {
			sbuf_addf(sb, "paid %u times by members with memos naming a ride, fuel or a toll", f->ride_in_m);
			return 1;
		}
		if (p->transporter_min_purchases > 0 && f->cat_out[CG_TRAVEL] >= (uint32_t)p->transporter_min_purchases) {
			sbuf_addf(sb, "bought travel or rides %u times", f->cat_out[CG_TRAVEL]);
			return 1;
		}
		return 0;
	case NR_BUYER:
		if (f->out_n_m >= 1 && f->in_n_m == 0 && f->out_payees <= (uint32_t)p->buyer_max_links &&
		    f->out_amt_m <= p->buyer_max_amount && !f->business && !f->nsig && !f->shared_ids) {
			fmt_money(a1, sizeof a1, f->out_amt_m);
			sbuf_addf(sb, "demand side: only pays into the network (%u payments, %s, to %u members)", f->out_n_m, a1,
				  f->out_payees);
			return 1;
		}
		return 0;
	case NR_ASSOCIATE:
		sbuf_adds(sb, "member with no specific role");
		if (f->shared_ids)
			sbuf_addf(sb, "; shares %u identifiers with members", f->shared_ids);
		if (f->in_payers + f->out_payees)
			sbuf_addf(sb, "; pays or is paid by %u members", f->in_payers + f->out_payees);
		return 1;
	}
	return 0;
}

/* The fee and rent collectors come before the organiser: the finance stage
 * names the recruiter and the landlord among the places a payroll funnel's
 * money went, and the fees and the rent say what they are paid for.
 * The transporter rule reads payments from the network's own members for
 * rides or travel; it comes before the recruiter rule, whose weakest branch
 * (payments to ad sites) ordinary people also match, and before the money
 * mover's: a driver paid by many customers near the border also draws
 * FIN.BORDER_FANIN, and the ride payments say more about what it does
 * (docs/network.md "Roles"). */
static const int order[] = { NR_VICTIM, RULE_FEES, RULE_RENT, NR_ORGANISER, NR_FACILITATOR, NR_TRANSPORTER,
			     NR_MONEY_MOVER, NR_RECRUITER, NR_BUYER, NR_ASSOCIATE };

static int rule_role(int r)
{
	return r == RULE_FEES ? NR_RECRUITER : r == RULE_RENT ? NR_FACILITATOR : r;
}

int net_roles(const struct net_graph *g, const struct net_attr *a, const struct net_role_params *p,
	      const uint32_t *members, uint32_t k, const uint32_t *group_of, uint32_t group, uint8_t *role,
	      struct sbuf *reason, uint8_t *held)
{
	struct ctx c;
	struct feat *f = NULL;
	int32_t *nxt = NULL;
	uint32_t i;
	int32_t sink = -1;
	int has_source = 0;
	double best = 0;
	struct sbuf tmp = SBUF_INIT;

	memset(&c, 0, sizeof c);
	c.g = g;
	c.a = a;
	c.p = p;
	c.mem = members;
	c.k = k;
	c.group_of = group_of;
	c.group = group;
	c.subj = mem_alloc((k ? k : 1) * sizeof *c.subj);
	c.mark = mem_calloc(k ? k : 1, sizeof *c.mark);
	c.mark2 = mem_calloc(k ? k : 1, sizeof *c.mark2);
	c.mark3 = mem_calloc(k ? k : 1, sizeof *c.mark3);
	f = mem_calloc(k ? k : 1, sizeof *f);
	nxt = mem_alloc((k ? k : 1) * sizeof *nxt);
	if (!c.subj || !c.mark || !c.mark2 || !c.mark3 || !f || !nxt) {
		mem_free(nxt);
		mem_free(c.subj);
		mem_free(c.mark);
		mem_free(c.mark2);
		mem_free(c.mark3);
		mem_free(f);
		return -1;
	}
	c.stamp = 1;
	/* subjects: an account held by a member person is that person */
	for (i = 0; i < k; i++) {
		uint32_t v = members[i];
		uint64_t x;

		c.subj[i] = (int32_t)i;
		if (a->k_account < 0 || a->t_holds < 0 || (int)g->kind[v] != a->k_account)
			continue;
		for (x = g->off[v]; x < g->off[v + 1]; x++) {
			uint32_t e = g->adje[x], u = g->adj[x];
			int32_t ui;

			if ((int)g->etype[e] == a->t_holds && g->edst[e] == v && (int)g->kind[u] == a->k_person &&
			    (ui = idx_of(&c, u)) >= 0) {
				c.subj[i] = ui;
				break;
			}
		}
	}
	for (i = 0; i < k; i++)
		if (c.subj[i] == (int32_t)i && is_subject_kind(&c, members[i]))
			features(&c, i, &f[i]);
	payees(&c, f, nxt);
	/* the sink: the largest net receiver of members' money (a facilitator
	 * paid for lodging or rent, the collector of recruitment fees, or a
	 * funnel that passes the money up to its controller is not the
	 * organiser for it) */
	sbuf_init(&tmp);
	for (i = 0; i < k; i++)
		if (c.subj[i] == (int32_t)i && is_subject_kind(&c, members[i]) && money_source(p, &f[i]))
			has_source = 1;
	for (i = 0; i < k && !has_source; i++) {
		double net;

		if (c.subj[i] != (int32_t)i || !is_subject_kind(&c, members[i]) || f[i].victim)
			continue;
		sbuf_clear(&tmp);
		if (rule(&c, NR_FACILITATOR, &f[i], f, i, 0, &tmp) || fee_collector(p, &f[i]) || rent_collector(p, &f[i]) ||
		    (f[i].org_own && f[i].up >= 0))
			continue;
		net = f[i].in_amt_m - f[i].out_amt_m;
		/* a receiver that passes most of it on is a mover, not the sink */
		if (f[i].in_payers >= (uint32_t)p->organiser_min_payers && net > 0 &&
		    net >= p->organiser_min_retained * f[i].in_amt_m && net > best) {
			best = net;
			sink = (int32_t)i;
		}
	}
	for (i = 0; i < k; i++) {
		uint32_t v = members[i];
		size_t r;
		int got = 0;

		sbuf_clear(&reason[i]);
		if (net_is_ad(g, a, v) || net_is_identifier(g, v)) {
			uint64_t x;
			uint32_t users = 0, ads = 0;

			c.stamp++;
			for (x = g->off[v]; x < g->off[v + 1]; x++) {
				int32_t ui = idx_of(&c, g->adj[x]);

				if (ui < 0)
					continue;
				if (net_is_ad(g, a, g->adj[x])) {
					ads++;
					continue;
				}
				if (c.mark[c.subj[ui]] != c.stamp) {
					c.mark[c.subj[ui]] = c.stamp;
					users++;
				}
			}
			if (net_is_ad(g, a, v)) {
				role[i] = NR_AD;
				sbuf_addf(&reason[i], "%s linked to %u members", g->kinds.name[g->kind[v]], users + ads);
			} else {
				role[i] = NR_IDENTIFIER;
				if (users == 1)
					sbuf_addf(&reason[i], "%s of one member", g->kinds.name[g->kind[v]]);
				else
					sbuf_addf(&reason[i], "%s shared by %u members", g->kinds.name[g->kind[v]], users);
				if (ads)
					sbuf_addf(&reason[i], ", listed in %u ads", ads);
			}
			continue;
		}
		if (c.subj[i] != (int32_t)i)
			continue;
		for (r = 0; r < sizeof order / sizeof order[0]; r++) {
			sbuf_clear(&tmp);
			if (!rule(&c, order[r], &f[i], f, i, sink == (int32_t)i, &tmp))
				continue;
			if (!got) {
				role[i] = (uint8_t)rule_role(order[r]);
				sbuf_add(&reason[i], tmp.buf, tmp.len);
				got = 1;
				/* a victim is nothing else; the fallback adds nothing */
				if (order[r] == NR_VICTIM)
					break;
			} else if (order[r] != NR_ASSOCIATE && rule_role(order[r]) != role[i]) {
				sbuf_addf(&reason[i], "; also %s: %s", net_role_name[order[r]], tmp.buf);
			}
		}
	}
	/* held accounts take their holder's role */
	for (i = 0; i < k; i++) {
		int32_t s = c.subj[i];

		held[i] = s != (int32_t)i;
		if (s == (int32_t)i)
			continue;
		role[i] = a->victim[members[i]] ? NR_VICTIM : role[s];
		sbuf_clear(&reason[i]);
		sbuf_addf(&reason[i], "account held by #%lld (%s)", (long long)g->ent[members[s]], net_role_name[role[s]]);
	}
	sbuf_release(&tmp);
	mem_free(c.subj);
	mem_free(c.mark);
	mem_free(c.mark2);
	mem_free(c.mark3);
	mem_free(f);
	mem_free(nxt);
	for (i = 0; i < k; i++)
		if (sbuf_failed(&reason[i]))
			return -1;
	return 0;
}
