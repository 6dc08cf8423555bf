/*
 * gen_net: the planted networks — what each one is, who plays which role,
 * and every transaction it makes, planned up front (networks are small
 * next to the background, so their plans fit in memory and the daily
 * simulation merges them in time order).
 *
 * Each kind follows the published indicators:
 *  - smuggling: FinCEN FIN-2023-Alert001 (many originators in many places
 *    paying one beneficiary near the southwest border, cash deposits below
 *    the CTR threshold, funnel accounts with rapid withdrawals or wires
 *    near the border, payouts to drivers and stash houses, Spanish P2P
 *    memos) and FIN-2014-A008's human-smuggling red flags;
 *  - sex trafficking: FIN-2014-A008 (escort-site payments, lodging and
 *    travel for others) and FIN-2020-A008 (covering others' costs, cash
 *    deposits without payroll, funnel accounts, prepaid access, identifiers
 *    shared with ads, geographic movement, late-night activity);
 *  - labour trafficking: FIN-2020-A008 exploitative employment (several
 *    workers' pay into one account, wages moved out at once, recruitment
 *    and visa fees, housing deductions) and FIN-2014-A008 T4;
 *  - laundering: the eight AMLworld pattern shapes (fan-in, fan-out,
 *    cycle, scatter-gather, gather-scatter, bipartite, stack, random).
 */
#include "gen_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

int64_t gen_at(gen_t *g, int day, double hour)
{
	return (g->k.start_day + day) * 86400 + (int64_t)(hour * 3600);
}

/* A random time of `day` between hour lo and hi (hi may pass midnight). */
static int64_t at_r(gen_t *g, struct rng *r, int day, double lo, double hi)
{
	double h = lo + rng_uniform(r) * (hi - lo);

	return gen_at(g, day, 0) + (int64_t)(h * 3600);
}

static int day_of(gen_t *g, int64_t ts)
{
	return (int)(ts / 86400 - g->k.start_day);
}

void gen_net_member(gen_t *g, uint32_t net, uint32_t idx, int is_biz, int role)
{
	struct gen_net *n = vec_at(&g->nets, net);
	struct gen_member m = { idx, (uint8_t)is_biz, (uint8_t)role };

	if (vec_push(&n->members, &m))
		return;
	if (is_biz) {
		struct gen_biz *b = gen_B(g, idx);

		b->net = net;
		b->role = (uint8_t)role;
		b->flags |= B_NETWORK;
		if (b->acct != GEN_NONE && !gen_A(g, b->acct)->role) {
			gen_A(g, b->acct)->role = (uint8_t)role;
			gen_A(g, b->acct)->net = net;
		}
	} else {
		struct gen_person *p = gen_P(g, idx);

		if (p->net == GEN_NONE) {
			p->net = net;
			p->role = (uint8_t)role;
		}
		p->flags |= P_NETWORK | (role == R_VICTIM ? P_VICTIM : 0);
	}
}

struct gen_ev *gen_netev_add(gen_t *g, uint32_t net, int64_t ts, uint32_t from, uint32_t to, int64_t cents,
			     uint8_t channel, const char *category, uint16_t place)
{
	struct gen_ev *e;
	int d = day_of(g, ts);

	/* Plans may run past the simulated period; such events never happen. */
	if (d < 0 || d >= g->k.days || cents <= 0 || (from == GEN_NONE && to == GEN_NONE))
		return NULL;
	e = vec_grow(&g->netev, 1);
	if (!e)
		return NULL;
	e->ts = ts;
	e->cents = cents;
	e->from = from;
	e->to = to;
	e->owner = UINT32_MAX - net;
	e->seq = (uint32_t)g->netev.len;
	e->net = net;
	e->memo_arg = 0;
	e->to_name = GEN_NONE;
	e->category = category;
	e->place = place;
	e->memo = 0;
	e->channel = channel;
	e->memo_kind = 0;
	e->currency = gen_ev_currency(g, from, to);
	return e;
}

/* Adds an event in U.S. dollars (converted when the currency is local). */
static struct gen_ev *ev(gen_t *g, uint32_t net, int64_t ts, uint32_t from, uint32_t to, double usd,
			 uint8_t channel, const char *category, uint16_t place)
{
	uint8_t cur = gen_ev_currency(g, from, to);

	return gen_netev_add(g, net, ts, from, to, gen_cents(g, usd, cur), channel, category, place);
}

static uint32_t net_new(gen_t *g, int kind, int pattern, const char *typology)
{
	struct gen_net *n = vec_grow(&g->nets, 1);
	uint32_t idx = (uint32_t)(g->nets.len - 1);

	if (!n)
		return GEN_NONE;
	snprintf(n->id, sizeof n->id, "N%04u", idx + 1);
	n->kind = (uint8_t)kind;
	n->pattern = (uint8_t)pattern;
	n->typology = typology;
	vec_init(&n->members, sizeof(struct gen_member));
	vec_init(&n->txns, sizeof(uint64_t));
	vec_init(&n->ads, sizeof(uint32_t));
	vec_init(&n->families, sizeof(uint32_t));
	n->nplaces = 0;
	n->nphones = 0;
	n->poster = GEN_NONE;
	return idx;
}

/* A network member created for the network, with an account in
 * bank_country (-1 = none). */
static uint32_t member_new(gen_t *g, struct rng *r, uint32_t net, int role, uint8_t origin, uint16_t place,
			   int sex, int alo, int ahi, int bank_country)
{
	uint32_t p = gen_person_new(g, r, origin, place, sex, alo, ahi);

	if (p == GEN_NONE)
		return GEN_NONE;
	if (bank_country >= 0 && gen_account_new(g, r, H_PERSON, p, place, bank_country) == GEN_NONE)
		return GEN_NONE;
	gen_net_member(g, net, p, 0, role);
	return p;
}

/* Accounts opened shortly before use are themselves a red flag. */
static void recent_account(gen_t *g, struct rng *r, uint32_t acct, int max_days)
{
	if (acct != GEN_NONE)
		gen_A(g, acct)->opened = (int32_t)(g->k.start_day - 1 - (int64_t)rng_below(r, (uint64_t)max_days));
}

static uint32_t acct_of(gen_t *g, uint32_t person)
{
	return gen_P(g, person)->acct;
}

static uint8_t origin_of_country(int c)
{
	return c == C_MX ? OR_MX : c == C_GT ? OR_GT : c == C_HN ? OR_HN : c == C_SV ? OR_SV : OR_US;
}

/* A base-population person with an account, matching `want` (NULL = any). */
static uint32_t pick_base(gen_t *g, struct rng *r, int (*want)(const struct gen_person *))
{
	int t;

	for (t = 0; t < 60; t++) {
		uint32_t i = (uint32_t)rng_below(r, g->nbase);
		const struct gen_person *p = gen_P(g, i);

		if (p->acct != GEN_NONE && !(p->flags & (P_NETWORK | P_ABROAD)) && (!want || want(p)))
			return i;
	}
	return GEN_NONE;
}

static int want_hispanic(const struct gen_person *p)
{
	return p->origin != OR_US;
}

static int want_male_adult(const struct gen_person *p)
{
	return p->sex == 0;
}

static double dist2(const struct gen_place *a, const struct gen_place *b)
{
	double dx = a->lat - b->lat, dy = (a->lon - b->lon) * cos(a->lat * 3.14159265 / 180);

	return dx * dx + dy * dy;
}

static uint16_t nearest_border(gen_t *g, uint16_t from, int country)
{
	size_t i;
	uint16_t best = from;
	double bd = 1e18;

	for (i = 0; i < g->d.ncountry_places[country]; i++) {
		uint32_t p = g->d.country_places[country][i];
		double d;

		if (!g->d.places[p].border)
			continue;
		d = dist2(&g->d.places[from], &g->d.places[p]);
		if (d < bd) {
			bd = d;
			best = (uint16_t)p;
		}
	}
	return best;
}

static uint16_t interior_place(gen_t *g, struct rng *r)
{
	int t;

	for (t = 0; t < 50; t++) {
		uint16_t p = gen_place_pick(g, r, C_US);

		if (!g->d.places[p].border)
			return p;
	}
	return gen_place_pick(g, r, C_US);
}

static uint16_t place_named(gen_t *g, const char *city, int country)
{
	size_t i;

	for (i = 0; i < g->d.nplaces; i++)
		if (g->d.places[i].country == country && strcmp(g->d.places[i].city, city) == 0)
			return (uint16_t)i;
	return UINT16_MAX;
}

/* Splits a cash amount into deposits under the reporting threshold, as
 * structuring does (FIN-2020-A008 T14). */
static int split_under_ctr(gen_t *g, struct rng *r, double usd, double *parts, int max)
{
	double cap = g->k.ctr_threshold * (0.90 + 0.08 * rng_uniform(r));
	int n = 0;

	while (usd > cap && n < max - 1) {
		double x = cap * (0.75 + 0.25 * rng_uniform(r));

		parts[n++] = x;
		usd -= x;
	}
	parts[n++] = usd;
	return n;
}

/* Rounds like people do: cash in twenties, transfers to the dollar, and
 * with stealth, to odd cents so that round amounts do not give it away. */
static double human_amount(gen_t *g, struct rng *r, double usd, int cash)
{
	if (cash)
		return floor(usd / 20) * 20 + (usd < 20 ? 20 : 0);
	if (rng_chance(r, g->k.stealth))
		return floor(usd * 100) / 100;
	return floor(usd);
}

/* ---- smuggling ---------------------------------------------------------- */

static const char *const typ_smuggling =
	"FIN-2023-Alert001 (S1 many originators in many states and abroad paying one beneficiary near the "
	"southwest border; S2/T16 funnel accounts; S3 cash followed by rapid wires; cash below the CTR "
	"threshold; payouts to drivers and stash houses; P2P memos in Spanish); FIN-2014-A008 human "
	"smuggling red flags";

static int plant_smuggling(gen_t *g, struct rng *r, uint32_t ni, int first)
{
	/* The first organisation works the El Paso–Juárez corridor, so that
	 * every world has one inside the local police's jurisdiction. */
	uint16_t hub = first && place_named(g, "El Paso", C_US) != UINT16_MAX ? place_named(g, "El Paso", C_US)
									      : gen_place_border(g, r, C_US);
	uint16_t mxhub = nearest_border(g, hub, C_MX);
	uint16_t stash_pl = rng_chance(r, 0.5) ? hub : interior_place(g, r);
	uint32_t org, stash, recruiter, mule = GEN_NONE, msb = GEN_NONE;
	uint32_t funnels[4], drivers[4], org_us;
	int nf = 2 + (int)rng_below(r, 3), nd = 2 + (int)rng_below(r, 3), ncust, i, j;
	int rec_country = rng_chance(r, 0.5) ? C_MX : (int)(C_GT + rng_below(r, 3));
	int64_t last_stash_pay = -1;

	((struct gen_net *)vec_at(&g->nets, ni))->hub = hub;
	org = member_new(g, r, ni, R_ORGANISER, OR_MX, mxhub, rng_chance(r, 0.85) ? 0 : 1, 28, 58, C_MX);
	if (org == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	/* The organiser also keeps a U.S. account in the border city. */
	org_us = gen_account_new(g, r, H_PERSON, org, hub, C_US);
	for (i = 0; i < nf; i++) {
		funnels[i] = member_new(g, r, ni, R_FUNNEL, rng_chance(r, 0.6) ? OR_USH : OR_MX, hub, -1, 19, 50, C_US);
		if (funnels[i] == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		recent_account(g, r, acct_of(g, funnels[i]), 150);
		gen_A(g, acct_of(g, funnels[i]))->role = R_FUNNEL;
		gen_A(g, acct_of(g, funnels[i]))->net = ni;
	}
	for (i = 0; i < nd; i++) {
		drivers[i] = member_new(g, r, ni, R_DRIVER, rng_chance(r, 0.7) ? OR_USH : OR_US, hub, 0, 19, 45, C_US);
		if (drivers[i] == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	stash = member_new(g, r, ni, R_STASH_HOUSE, OR_USH, stash_pl, -1, 25, 60, C_US);
	recruiter = member_new(g, r, ni, R_RECRUITER, origin_of_country(rec_country),
			       gen_place_pick(g, r, rec_country), 0, 22, 50, rec_country);
	if (stash == GEN_NONE || recruiter == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	{
		struct gen_net *n = vec_at(&g->nets, ni);

		n->places[0] = hub;
		n->places[1] = mxhub;
		n->places[2] = stash_pl;
		n->nplaces = 3;
		n->poster = recruiter;
		memcpy(n->phones[0], gen_P(g, recruiter)->phone, 16);
		memcpy(n->phones[1], gen_P(g, org)->phone, 16);
		n->nphones = 2;
	}
	if (rng_chance(r, g->k.stealth)) {
		/* Layering through a money mover in another city. */
		mule = member_new(g, r, ni, R_MONEY_MOVER, OR_USH, interior_place(g, r), -1, 20, 50, C_US);
		if (mule == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	if (rng_chance(r, 0.35)) {
		/* A complicit money-transmitter agent near the border. */
		uint32_t owner = member_new(g, r, ni, R_FACILITATOR, OR_USH, hub, -1, 30, 60, C_US);

		if (owner == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		msb = gen_biz_new(g, r, BK_MSB, hub, owner);
		if (msb == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_net_member(g, ni, msb, 1, R_FACILITATOR);
	}

	ncust = 12 + (int)rng_below(r, 30);
	for (i = 0; i < ncust; i++) {
		int mc = rng_chance(r, 0.45) ? C_MX : (int)(C_GT + rng_below(r, 3));
		uint16_t home = gen_place_pick(g, r, mc);
		uint32_t migrant = gen_person_new(g, r, origin_of_country(mc), home, rng_chance(r, 0.7) ? 0 : 1, 16, 45);
		uint32_t payer, payer_acct;
		int abroad = rng_chance(r, 0.35), k, nk = 1 + (int)rng_below(r, 3);
		double fee = mc == C_MX ? 3000 + rng_uniform(r) * 5000 : 6000 + rng_uniform(r) * 6000;
		int t0 = (int)rng_below(r, (uint64_t)(g->k.days > 12 ? g->k.days - 10 : 1)), last = t0;
		uint16_t dest;

		if (migrant == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_P(g, migrant)->flags |= P_MIGRANT | P_ABROAD | P_SMUGGLED;
		gen_P(g, migrant)->net = ni;
		if (!abroad) {
			payer = pick_base(g, r, want_hispanic);
			if (payer == GEN_NONE)
				abroad = 1;
		}
		if (abroad) {
			payer = gen_person_new(g, r, origin_of_country(mc), home, -1, 35, 70);
			if (payer == GEN_NONE || gen_account_new(g, r, H_PERSON, payer, home, mc) == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			gen_P(g, payer)->flags |= P_ABROAD;
			gen_P(g, payer)->sur1 = gen_P(g, migrant)->sur1;
			dest = gen_place_pick(g, r, C_US);
		} else {
			dest = gen_P(g, payer)->place;
		}
		gen_net_member(g, ni, payer, 0, R_CUSTOMER);
		/* The migrant ends up living where the family is. */
		gen_P(g, migrant)->rel = payer;
		gen_P(g, migrant)->trip[0] = dest;
		/* Migrants who cannot pay the rest of the fee are kept in debt
		 * bondage: smuggling turned trafficking (FIN-2023-Alert001). */
		if (rng_chance(r, 0.15)) {
			gen_net_member(g, ni, migrant, 0, R_VICTIM);
			gen_P(g, migrant)->ctrl = org;
		}
		payer_acct = acct_of(g, payer);
		for (k = 0; k < nk; k++) {
			int day = t0 + k * (int)rng_range(r, 3, 12);
			double amt = human_amount(g, r, fee / nk * (0.85 + 0.3 * rng_uniform(r)), 0);
			uint32_t f = acct_of(g, funnels[rng_below(r, (uint64_t)nf)]);
			double x = rng_uniform(r);
			struct gen_ev *e;

			last = day;
			if (abroad) {
				/* Wires from the migrant's country, some straight to the organiser. */
				uint32_t to = rng_chance(r, 0.3) ? acct_of(g, org) : f;

				e = ev(g, ni, at_r(g, r, day, 9, 18), payer_acct, to, amt, CH_WIRE, NULL, home);
				if (e)
					gen_ev_memo(g, e, r, rng_chance(r, 0.5) ? M_SMUGGLING : M_FAMILY, migrant);
			} else if (msb != GEN_NONE && x < 0.2) {
				/* Cash handed to the complicit agent, who wires it on. */
				double parts[8];
				int np = split_under_ctr(g, r, amt, parts, 8), q;

				for (q = 0; q < np; q++)
					ev(g, ni, at_r(g, r, day, 9, 19), GEN_NONE, gen_B(g, msb)->acct,
					   human_amount(g, r, parts[q], 1), CH_CASH, NULL, hub);
				ev(g, ni, at_r(g, r, day + 1, 10, 16), gen_B(g, msb)->acct, acct_of(g, org), amt,
				   CH_WIRE, "remittance", hub);
			} else if (x < 0.55) {
				/* Cash deposited at a branch in the payer's own city. */
				double parts[8];
				int np = split_under_ctr(g, r, amt, parts, 8), q;

				for (q = 0; q < np; q++)
					ev(g, ni, at_r(g, r, day + q % 2, 9, 17.5), GEN_NONE, f,
					   human_amount(g, r, parts[q], 1), CH_CASH, NULL, gen_P(g, payer)->place);
			} else if (payer_acct != GEN_NONE) {
				e = ev(g, ni, at_r(g, r, day, 7, 23), payer_acct, f, amt, x < 0.9 ? CH_P2P : CH_WIRE, NULL,
				       gen_P(g, payer)->place);
				if (e)
					gen_ev_memo(g, e, r, M_SMUGGLING, migrant);
			}
		}
		/* Crossing and transport a few days after the last payment. */
		{
			int cross = last + (int)rng_range(r, 2, 10);
			uint32_t drv = drivers[rng_below(r, (uint64_t)nd)];
			struct gen_ev *e;

			e = ev(g, ni, at_r(g, r, cross + 1, 8, 22), acct_of(g, org), acct_of(g, drv),
			       human_amount(g, r, 300 + rng_uniform(r) * 900, 0), CH_P2P, NULL, mxhub);
			if (e)
				gen_ev_memo(g, e, r, M_P2P, 0);
			ev(g, ni, at_r(g, r, cross, 5, 23), acct_of(g, drv), gen_merchant_acct(g, r, "fuel"),
			   30 + rng_uniform(r) * 60, CH_CARD, "fuel", hub);
			ev(g, ni, at_r(g, r, cross, 5, 23), acct_of(g, drv), gen_merchant_acct(g, r, "fuel"),
			   30 + rng_uniform(r) * 60, CH_CARD, "fuel", stash_pl);
			gen_P(g, migrant)->mark_day = cross;   /* read by the encounters */
		}
	}
	/* Funnel outflows: each funnel is emptied within a day or two of its
	 * deposits, by cash withdrawals at the border or wires south. */
	{
		size_t start = 0, e;

		/* The events planned so far for this network are contiguous at the
		 * end of netev; find where they start. */
		for (e = g->netev.len; e > 0; e--)
			if (((struct gen_ev *)vec_at(&g->netev, e - 1))->net != ni)
				break;
		start = e;
		for (j = 0; j < nf; j++) {
			uint32_t f = acct_of(g, funnels[j]);
			double bal = 0;
			int d, lastd = -1;
			size_t q;

			for (d = 0; d < g->k.days; d++) {
				for (q = start; q < g->netev.len; q++) {
					const struct gen_ev *x = vec_at(&g->netev, q);

					if (x->to == f && day_of(g, x->ts) == d)
						bal += (double)x->cents / 100;
				}
				if (bal < 1500 || (lastd >= 0 && d - lastd < 2 && bal < 6000))
					continue;
				lastd = d;
				{
					int od = d + (int)rng_below(r, 2);
					uint32_t to = mule != GEN_NONE && rng_chance(r, 0.5) ? acct_of(g, mule) : GEN_NONE;

					if (rng_chance(r, 0.45) || to != GEN_NONE) {
						if (to == GEN_NONE)
							to = rng_chance(r, 0.6) ? acct_of(g, org) : org_us;
						ev(g, ni, at_r(g, r, od, 9, 16), f, to, human_amount(g, r, bal * 0.98, 0),
						   to == acct_of(g, org) ? CH_WIRE : CH_P2P, NULL, hub);
						if (mule != GEN_NONE && to == acct_of(g, mule))
							ev(g, ni, at_r(g, r, od + 1 + (int)rng_below(r, 2), 9, 16), to,
							   acct_of(g, org), human_amount(g, r, bal * 0.95, 0), CH_WIRE, NULL,
							   gen_P(g, mule)->place);
					} else {
						double parts[8];
						int np = split_under_ctr(g, r, bal * 0.99, parts, 8), k;

						for (k = 0; k < np; k++)
							ev(g, ni, at_r(g, r, od + k / 2, 8, 20), f, GEN_NONE,
							   human_amount(g, r, parts[k], 1), CH_CASH, NULL, hub);
					}
				}
				bal = 0;
			}
		}
	}
	/* Stash-house upkeep and pay, and the organiser's spending from the
	 * U.S. account. */
	for (i = 0; i < g->k.days; i++) {
		if (i % 14 == (int)(ni % 14) && org_us != GEN_NONE) {
			struct gen_ev *e = ev(g, ni, at_r(g, r, i, 9, 21), org_us, acct_of(g, stash),
					      human_amount(g, r, 1500 + rng_uniform(r) * 1500, 0), CH_P2P, NULL, hub);

			if (e)
				gen_ev_memo(g, e, r, M_RENT, 0);
			last_stash_pay = i;
		}
		if (rng_chance(r, 2.0 / 7))
			ev(g, ni, at_r(g, r, i, 8, 21), acct_of(g, stash), gen_merchant_acct(g, r, "grocery"),
			   250 + rng_uniform(r) * 350, CH_CARD, "grocery", stash_pl);
		if (rng_chance(r, 1.0 / 10) && recruiter != GEN_NONE)
			/* The recruiter's cut, wired south. */
			ev(g, ni, at_r(g, r, i, 10, 18), acct_of(g, org), acct_of(g, recruiter),
			   400 + rng_uniform(r) * 1200, CH_WIRE, NULL, mxhub);
	}
	(void)last_stash_pay;
	return 0;
}

/* ---- sex trafficking ---------------------------------------------------- */

static const char *const typ_sex =
	"FIN-2014-A008 (T2 escort and classified-ad site payments; T3 lodging and travel for others) and "
	"FIN-2020-A008 (T6 covering others' costs; T5 movement between cities; T7/T8 cash deposits without "
	"payroll; T9 prepaid access; T10 account identifiers shared with ads; T16 funnel accounts; front "
	"businesses)";

static int plant_sex(gen_t *g, struct rng *r, uint32_t ni, int first)
{
	uint16_t hub = interior_place(g, r), circuit[4];
	uint32_t ctrl, rec = GEN_NONE, driver = GEN_NONE, front = GEN_NONE, hotel = GEN_NONE, landlord = GEN_NONE;
	uint32_t victims[10], buyers[48], ctrl2;
	int nv = 3 + (int)rng_below(r, 6), nb = 10 + (int)rng_below(r, 30), nc = 1 + (int)rng_below(r, 3);
	int a0 = (int)rng_below(r, (uint64_t)(g->k.days / 3 + 1)), i, d;
	uint8_t corigin = rng_chance(r, 0.4) ? OR_US : rng_chance(r, 0.6) ? OR_USH : OR_MX;

	if (rng_chance(r, 0.4))
		hub = gen_place_border(g, r, C_US);
	if (first && rng_chance(r, 0.5) && place_named(g, "El Paso", C_US) != UINT16_MAX)
		hub = place_named(g, "El Paso", C_US);
	circuit[0] = hub;
	for (i = 1; i <= nc; i++)
		circuit[i] = gen_place_pick(g, r, C_US);
	((struct gen_net *)vec_at(&g->nets, ni))->hub = hub;
	ctrl = member_new(g, r, ni, R_CONTROLLER, corigin, hub, rng_chance(r, 0.85) ? 0 : 1, 21, 45, C_US);
	if (ctrl == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	/* A second account at a neobank keeps part of the money apart. */
	ctrl2 = gen_account_new(g, r, H_PERSON, ctrl, hub, C_US);
	if (ctrl2 != GEN_NONE)
		gen_A(g, ctrl2)->bank = (uint8_t)(g->d.nbanks > 8 ? 8 : 0);
	if (rng_chance(r, 0.4)) {
		rec = member_new(g, r, ni, R_RECRUITER, corigin, hub, 1, 20, 32, C_US);
		if (rec == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	if (rng_chance(r, 0.5)) {
		driver = member_new(g, r, ni, R_DRIVER, corigin, hub, 0, 20, 45, C_US);
		if (driver == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	if (rng_chance(r, 0.35)) {
		/* An illicit massage business as front (FIN-2020-A008 front companies). */
		front = gen_biz_new(g, r, BK_MASSAGE, hub, ctrl);
		if (front == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_B(g, front)->flags |= B_FRONT;
		gen_net_member(g, ni, front, 1, R_FACILITATOR);
	}
	if (rng_chance(r, 0.4)) {
		/* A motel whose owner rents rooms to the ring knowingly. */
		uint32_t owner = member_new(g, r, ni, R_FACILITATOR, OR_US, hub, -1, 35, 65, C_US);

		if (owner == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		hotel = gen_biz_new(g, r, BK_HOTEL, hub, owner);
		if (hotel == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_net_member(g, ni, hotel, 1, R_FACILITATOR);
	}
	if (rng_chance(r, 0.3)) {
		landlord = member_new(g, r, ni, R_FACILITATOR, OR_US, hub, -1, 35, 70, C_US);
		if (landlord == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < nv; i++) {
		int minor = rng_chance(r, 0.15);
		double x = rng_uniform(r);
		uint8_t o = x < 0.4 ? OR_US : x < 0.65 ? OR_USH : x < 0.85 ? OR_MX : (uint8_t)(OR_GT + rng_below(r, 3));
		uint32_t v = gen_person_new(g, r, o, hub, rng_chance(r, 0.92) ? 1 : 0, minor ? 15 : 18, minor ? 17 : 26);
		struct gen_person *vp, *cp;

		if (v == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		victims[i] = v;
		vp = gen_P(g, v);
		vp->flags |= P_NO_PAYROLL | (minor ? P_MINOR : 0);
		vp->ctrl = ctrl;
		vp->activity = 0.25f;
		cp = gen_P(g, ctrl);
		if (rng_chance(r, 0.6)) {
			/* Lives where the controller lives. */
			vp->place = cp->place;
			vp->street = cp->street;
			vp->house = cp->house;
			vp->unit = cp->unit;
		}
		if (!minor && rng_chance(r, 0.65)) {
			uint32_t a = gen_account_new(g, r, H_PERSON, v, hub, C_US);

			if (a == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			recent_account(g, r, a, 120);
			if (rng_chance(r, g->k.kyc_link_share)) {
				gen_A(g, a)->flags |= A_KYC_CTRL;
				gen_A(g, a)->ctrl = ctrl;
			}
		}
		gen_net_member(g, ni, v, 0, R_VICTIM);
	}
	{
		struct gen_net *n = vec_at(&g->nets, ni);
		int k;

		for (k = 0; k <= nc; k++)
			n->places[k] = circuit[k];
		n->nplaces = (uint8_t)(nc + 1);
		n->poster = rec != GEN_NONE && rng_chance(r, 0.6) ? rec : ctrl;
		/* Prepaid "work phones" bought by the controller carry the ads
		 * across victims and cities (the linking key of ad research). */
		n->nphones = (uint8_t)(1 + rng_below(r, 3));
		for (k = 0; k < n->nphones; k++)
			gen_phone_new(g, r, hub, n->phones[k]);
	}
	for (i = 0; i < nb; i++) {
		uint32_t b = pick_base(g, r, want_male_adult);

		buyers[i] = b;
		if (b != GEN_NONE)
			gen_net_member(g, ni, b, 0, R_BUYER);
	}

	/* The ring's days: moving around the circuit in stints of 4-10 days. */
	{
		int stint_left = 0, ci = 0;
		uint32_t ca = acct_of(g, ctrl);

		for (d = a0; d < g->k.days; d++) {
			uint16_t loc;
			int k;

			if (stint_left-- <= 0) {
				int old = ci;

				ci = (int)rng_below(r, (uint64_t)(nc + 1));
				stint_left = (int)rng_range(r, 4, 10);
				if (ci != old && d > a0) {
					/* Bus or plane tickets for several people on one day (T3, T6). */
					int tickets = 1 + nv / 2 + (int)rng_below(r, 2);
					const char *cat = rng_chance(r, 0.6) ? "bus" : "airline";

					for (k = 0; k < tickets; k++)
						ev(g, ni, at_r(g, r, d, 6, 23), ca, gen_merchant_acct(g, r, cat),
						   cat[0] == 'b' ? 60 + rng_uniform(r) * 80 : 120 + rng_uniform(r) * 250,
						   CH_CARD, cat, circuit[old]);
					if (driver != GEN_NONE)
						ev(g, ni, at_r(g, r, d, 6, 23), acct_of(g, driver), gen_merchant_acct(g, r, "fuel"),
						   35 + rng_uniform(r) * 50, CH_CARD, "fuel", circuit[old]);
				}
			}
			loc = circuit[ci];
			/* Rooms for the night, checked in late (T3). */
			if (rng_chance(r, 0.8)) {
				int rooms = 1 + (nv > 4) + (int)rng_below(r, 2);

				for (k = 0; k < rooms; k++) {
					uint32_t to = hotel != GEN_NONE && loc == hub ? gen_B(g, hotel)->acct
										  : gen_merchant_acct(g, r, "lodging");

					ev(g, ni, at_r(g, r, d, 21, 26), ca, to, 55 + rng_uniform(r) * 70, CH_CARD, "lodging", loc);
				}
			}
			/* Ad-site fees, several posts at a time (T2). */
			if (rng_chance(r, 3.0 / 7)) {
				uint32_t poster_acct = rec != GEN_NONE && rng_chance(r, 0.5) ? acct_of(g, rec) : ca;
				int posts = 1 + (int)rng_below(r, (uint64_t)nv);

				for (k = 0; k < posts; k++) {
					/* Escort sites, and the general classifieds site too (T11). */
					int adv = rng_chance(r, 0.3);

					ev(g, ni, at_r(g, r, d, 10, 26), poster_acct, gen_merchant_acct(g, r, adv ? "advertising" : "escort_ads"),
					   15 + rng_uniform(r) * 75, CH_CARD, adv ? "advertising" : "escort_ads", loc);
				}
			}
			/* Buyers paying electronically, late at night. */
			{
				uint32_t nbuy = rng_poisson(r, nv * 0.8);

				for (k = 0; k < (int)nbuy; k++) {
					uint32_t b = buyers[rng_below(r, (uint64_t)nb)];
					uint32_t v = victims[rng_below(r, (uint64_t)nv)];
					uint32_t va = acct_of(g, v), to;
					int64_t t = at_r(g, r, d, 20, 27);
					double amt = (double)(100 + 50 * rng_below(r, 6));
					struct gen_ev *e;

					if (b == GEN_NONE || acct_of(g, b) == GEN_NONE)
						continue;
					to = va != GEN_NONE && rng_chance(r, 0.6) ? va : rng_chance(r, 0.5) && ctrl2 != GEN_NONE ? ctrl2 : ca;
					e = ev(g, ni, t, acct_of(g, b), to, amt, CH_P2P, NULL, loc);
					if (e && rng_chance(r, 0.5))
						gen_ev_memo(g, e, r, M_BUYER, 0);
					if (to == va) {
						/* Swept to the controller within hours (T16). */
						e = ev(g, ni, t + 1800 + (int64_t)rng_below(r, 6 * 3600), va, ca, amt * 0.9,
						       CH_P2P, NULL, loc);
						if (e && rng_chance(r, 0.3))
							gen_ev_memo(g, e, r, M_SWEEP, 0);
					}
				}
			}
			/* Cash from buyers, deposited under the threshold (T7, T8, T14). */
			if (rng_chance(r, 0.4)) {
				double cash = 1200 + rng_uniform(r) * 7800;

				ev(g, ni, at_r(g, r, d, 9, 18), GEN_NONE, rng_chance(r, 0.7) ? ca : ctrl2,
				   human_amount(g, r, cash > g->k.ctr_threshold * 0.97 ? g->k.ctr_threshold * 0.95 : cash, 1),
				   CH_CASH, NULL, loc);
			}
			for (k = 0; k < nv; k++) {
				uint32_t va = acct_of(g, victims[k]);

				if (va != GEN_NONE && rng_chance(r, 0.12)) {
					double cash = 300 + rng_uniform(r) * 1500;
					int64_t t = at_r(g, r, d, 10, 17);

					ev(g, ni, t, GEN_NONE, va, human_amount(g, r, cash, 1), CH_CASH, NULL, loc);
					ev(g, ni, t + 3600 + (int64_t)rng_below(r, 8 * 3600), va, ca, human_amount(g, r, cash * 0.95, 0),
					   CH_P2P, NULL, loc);
				}
			}
			/* Late-night rides. */
			if (rng_chance(r, 0.6)) {
				int rides = 1 + (int)rng_below(r, 3);

				for (k = 0; k < rides; k++)
					ev(g, ni, at_r(g, r, d, 22, 28), ca, gen_merchant_acct(g, r, "rideshare"),
					   10 + rng_uniform(r) * 35, CH_CARD, "rideshare", loc);
			}
			/* Phones and prepaid cards for others (T6, T9). */
			if (d % 7 == (int)(ni % 7)) {
				int phones = 1 + (int)rng_below(r, 3);

				for (k = 0; k < phones; k++)
					ev(g, ni, at_r(g, r, d, 10, 21), ca, gen_merchant_acct(g, r, "prepaid_phone"),
					   25 + rng_uniform(r) * 30, CH_CARD, "prepaid_phone", loc);
				if (rng_chance(r, 0.6))
					ev(g, ni, at_r(g, r, d, 10, 21), ca, gen_merchant_acct(g, r, "prepaid_load"),
					   human_amount(g, r, 200 + rng_uniform(r) * 300, 1), CH_CARD, "prepaid_load", loc);
				if (driver != GEN_NONE) {
					struct gen_ev *e = ev(g, ni, at_r(g, r, d, 12, 23), ca, acct_of(g, driver),
							      human_amount(g, r, 200 + rng_uniform(r) * 300, 0), CH_P2P, NULL, loc);
					if (e)
						gen_ev_memo(g, e, r, M_P2P, 0);
				}
			}
			/* Rent for the apartments where the victims are kept. */
			if (landlord != GEN_NONE && (d + 1) % 30 == 1) {
				int units = 1 + nv / 3;

				for (k = 0; k < units; k++) {
					struct gen_ev *e = ev(g, ni, at_r(g, r, d, 9, 20), ca, acct_of(g, landlord),
							      human_amount(g, r, 900 + rng_uniform(r) * 500, 0),
							      rng_chance(r, 0.5) ? CH_P2P : CH_CHECK, "rent", hub);
					if (e)
						gen_ev_memo(g, e, r, M_RENT, 0);
				}
			}
			/* The front: cash takings with no payroll, owner draws (T8, T17). */
			if (front != GEN_NONE) {
				uint32_t fa = gen_B(g, front)->acct;

				if (rng_chance(r, 0.8))
					ev(g, ni, at_r(g, r, d, 8, 23.5), GEN_NONE, fa,
					   human_amount(g, r, 800 + rng_uniform(r) * 3500, 1), CH_CASH, NULL, hub);
				if (rng_chance(r, 0.9))
					ev(g, ni, at_r(g, r, d, 2, 5), g->processor_acct, fa, 300 + rng_uniform(r) * 900,
					   CH_ACH, "card_processor", hub);
				if (d % 7 == 3)
					ev(g, ni, at_r(g, r, d, 9, 17), fa, ca, human_amount(g, r, 2000 + rng_uniform(r) * 4000, 0),
					   CH_ACH, NULL, hub);
			}
		}
	}
	return 0;
}

/* ---- labour trafficking ------------------------------------------------- */

static const char *const typ_labor =
	"FIN-2020-A008 exploitative employment (T15 several employees' wages paid into one account and "
	"moved out at once; recruitment and visa fees; wage retention and housing deductions; front "
	"companies) and FIN-2014-A008 (T3 sustenance of workers; T4 payments to unlicensed recruiters)";

static int plant_labor(gen_t *g, struct rng *r, uint32_t ni)
{
	static const char *const farm_towns[] = { "Immokalee", "Yakima", "Salinas", "Fresno", "Dodge City", "Omaha" };
	static const int front_kinds[] = { BK_STAFFING, BK_STAFFING, BK_FARM, BK_CLEANING, BK_CONSTRUCTION, BK_HOTEL };
	uint16_t hub = place_named(g, farm_towns[rng_below(r, 6)], C_US);
	uint32_t ctrl, front, collector, recruiter, landlord, client = GEN_NONE;
	uint32_t workers[24];
	int nw = 5 + (int)rng_below(r, 16), i, d;
	int rc_country = rng_chance(r, 0.5) ? C_MX : rng_chance(r, 0.6) ? C_GT : C_HN;
	int fk = front_kinds[rng_below(r, 6)];
	uint32_t ca, fa, cola;

	if (hub == UINT16_MAX || rng_chance(r, 0.3))
		hub = gen_place_pick(g, r, C_US);
	((struct gen_net *)vec_at(&g->nets, ni))->hub = hub;
	ctrl = member_new(g, r, ni, R_CONTROLLER, rng_chance(r, 0.5) ? OR_MX : OR_USH, hub, 0, 30, 62, C_US);
	if (ctrl == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	front = gen_biz_new(g, r, fk, hub, ctrl);
	if (front == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	gen_B(g, front)->flags |= B_FRONT;
	gen_net_member(g, ni, front, 1, R_FACILITATOR);
	collector = member_new(g, r, ni, R_FUNNEL, gen_P(g, ctrl)->origin, hub, -1, 20, 60, C_US);
	recruiter = member_new(g, r, ni, R_RECRUITER, origin_of_country(rc_country), gen_place_pick(g, r, rc_country),
			       -1, 25, 60, rc_country);
	landlord = member_new(g, r, ni, R_FACILITATOR, OR_US, hub, -1, 35, 70, C_US);
	if (collector == GEN_NONE || recruiter == GEN_NONE || landlord == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	if (rng_chance(r, 0.5))
		gen_P(g, collector)->sur1 = gen_P(g, ctrl)->sur1;   /* a relative */
	{
		struct gen_net *n = vec_at(&g->nets, ni);

		n->places[0] = hub;
		n->nplaces = 1;
		n->poster = recruiter;
		memcpy(n->phones[0], gen_P(g, recruiter)->phone, 16);
		n->nphones = 1;
	}
	/* The client: an ordinary business that buys the labour, unaware. */
	for (i = 0; i < (int)g->bizs.len; i++) {
		struct gen_biz *b = gen_B(g, (uint32_t)i);

		if (b->place == hub && !(b->flags & B_NETWORK) &&
		    (b->kind == BK_FARM || b->kind == BK_HOTEL || b->kind == BK_CONSTRUCTION || b->kind == BK_RESTAURANT)) {
			client = (uint32_t)i;
			break;
		}
	}
	if (client == GEN_NONE) {
		uint32_t owner = gen_person_at(g, r, hub);

		client = gen_biz_new(g, r, BK_FARM, hub, owner);
		if (client == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	ca = acct_of(g, ctrl);
	fa = gen_B(g, front)->acct;
	cola = acct_of(g, collector);
	recent_account(g, r, cola, 200);
	for (i = 0; i < nw; i++) {
		int wc = rng_chance(r, 0.5) ? C_MX : rng_chance(r, 0.6) ? C_GT : C_HN;
		uint32_t w = gen_person_new(g, r, origin_of_country(wc), hub, fk == BK_CLEANING || fk == BK_HOTEL
								       ? (rng_chance(r, 0.7) ? 1 : 0)
								       : (rng_chance(r, 0.85) ? 0 : 1),
					    18, 45);
		struct gen_person *wp, *lp;
		uint32_t fam, famacct;
		int k, nk = 1 + (int)rng_below(r, 2);
		double fee = 1500 + rng_uniform(r) * 4500;

		if (w == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		workers[i] = w;
		wp = gen_P(g, w);
		lp = gen_P(g, landlord);
		wp->flags |= P_NO_PAYROLL | P_MIGRANT;
		wp->ctrl = ctrl;
		wp->activity = 0.2f;
		wp->employer = front;
		/* Everyone lives in the house the employer provides. */
		wp->place = lp->place;
		wp->street = lp->street;
		wp->house = (uint16_t)(lp->house + 1);
		wp->unit = 0;
		if (rng_chance(r, 0.5))
			gen_phone_new(g, r, gen_place_pick(g, r, wc), wp->phone);
		if (rng_chance(r, 0.55)) {
			uint32_t a = gen_account_new(g, r, H_PERSON, w, hub, C_US);

			if (a == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			recent_account(g, r, a, 90);
			if (rng_chance(r, g->k.kyc_link_share)) {
				gen_A(g, a)->flags |= A_KYC_CTRL;
				gen_A(g, a)->ctrl = ctrl;
			}
		}
		gen_net_member(g, ni, w, 0, R_VICTIM);
		/* The family at home pays the recruiter's fee (T4). */
		fam = gen_person_new(g, r, origin_of_country(wc), gen_place_pick(g, r, wc), -1, 35, 70);
		if (fam == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		famacct = gen_account_new(g, r, H_PERSON, fam, gen_P(g, fam)->place, wc);
		if (famacct == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_P(g, fam)->flags |= P_ABROAD;
		gen_P(g, fam)->sur1 = gen_P(g, w)->sur1;
		gen_net_member(g, ni, fam, 0, R_CUSTOMER);
		for (k = 0; k < nk; k++) {
			struct gen_ev *e = ev(g, ni, at_r(g, r, (int)rng_below(r, (uint64_t)(g->k.days / 3 + 1)) + k * 7, 9, 18),
					      famacct, acct_of(g, recruiter), human_amount(g, r, fee / nk, 0), CH_WIRE,
					      "recruitment_fee", gen_P(g, fam)->place);

			if (e)
				gen_ev_memo(g, e, r, M_FEE, w);
		}
		/* Visa processing paid by the employer for each worker. */
		ev(g, ni, at_r(g, r, (int)rng_below(r, (uint64_t)(g->k.days / 4 + 1)), 9, 17), fa,
		   gen_merchant_acct(g, r, "visa_fee"), 190, CH_CARD, "visa_fee", hub);
	}
	/* Weekly cycle: client pays the front, the front pays wages, wages are
	 * swept to the collector, the collector pays rent and moves the money. */
	for (d = 0; d < g->k.days; d++) {
		int wd = (int)((g->k.start_day + d + 3) % 7);   /* 0 = Monday */
		int k;

		if (wd == 1)
			ev(g, ni, at_r(g, r, d, 8, 11), gen_B(g, client)->acct, fa,
			   human_amount(g, r, nw * (700 + rng_uniform(r) * 200), 0), CH_ACH, NULL, hub);
		if (wd != 4)
			continue;
		for (k = 0; k < nw; k++) {
			uint32_t w = workers[k], wa = acct_of(g, w);
			double pay = 350 + rng_uniform(r) * 200;
			int64_t t = at_r(g, r, d, 6, 8);
			struct gen_ev *e;

			if (wa != GEN_NONE && rng_chance(r, 0.7)) {
				ev(g, ni, t, fa, wa, human_amount(g, r, pay, 0), CH_ACH, "payroll", hub);
				e = ev(g, ni, t + 1800 + (int64_t)rng_below(r, 5 * 3600), wa, cola,
				       human_amount(g, r, pay * (0.7 + 0.25 * rng_uniform(r)), 0), CH_P2P, NULL, hub);
				if (e)
					gen_ev_memo(g, e, r, M_SWEEP, 0);
			} else {
				/* Several workers' pay into one account, each payment still
				 * naming the worker. */
				e = ev(g, ni, t, fa, cola, human_amount(g, r, pay, 0), CH_ACH, "payroll", hub);
				if (e)
					e->to_name = w;
			}
		}
		{
			struct gen_ev *e = ev(g, ni, at_r(g, r, d, 12, 20), cola, acct_of(g, landlord),
					      human_amount(g, r, nw * (80 + rng_uniform(r) * 70), 0), CH_P2P, "rent", hub);
			double parts[8];
			int np, q;

			if (e)
				gen_ev_memo(g, e, r, M_RENT, 0);
			np = split_under_ctr(g, r, nw * 200.0 * (0.8 + 0.4 * rng_uniform(r)), parts, 8);
			for (q = 0; q < np; q++)
				ev(g, ni, at_r(g, r, d + 1 + q / 2, 9, 17), cola, GEN_NONE, human_amount(g, r, parts[q], 1),
				   CH_CASH, NULL, hub);
			ev(g, ni, at_r(g, r, d + 1, 9, 17), cola, ca, human_amount(g, r, nw * 120.0, 0), CH_P2P, NULL, hub);
			if (d % 28 < 7)
				ev(g, ni, at_r(g, r, d + 2, 9, 17), cola, acct_of(g, recruiter),
				   human_amount(g, r, 1000 + rng_uniform(r) * 2000, 0), CH_WIRE, NULL, hub);
		}
		/* Transport of the crew: a van rental and fuel. */
		if (rng_chance(r, 0.5))
			ev(g, ni, at_r(g, r, d, 7, 18), fa, gen_merchant_acct(g, r, "car_rental"), 150 + rng_uniform(r) * 150,
			   CH_CARD, "car_rental", hub);
	}
	return 0;
}

/* ---- generic laundering patterns ---------------------------------------- */

static const char *const typ_launder =
	"AMLworld laundering pattern shapes (Altman et al., NeurIPS 2023): fan-in, fan-out, cycle, "
	"scatter-gather, gather-scatter, bipartite, stack, random; with placement as cash deposits below "
	"the CTR threshold (FIN-2020-A008 T14)";

/* A holder for a laundering account: a shell company or a money mule. */
static uint32_t launder_acct(gen_t *g, struct rng *r, uint32_t ni, int role, uint16_t place)
{
	if (rng_chance(r, 0.5)) {
		static const int kinds[] = { BK_TRUCKING, BK_CONSTRUCTION, BK_CLEANING, BK_PROPERTY, BK_AUTO };
		uint32_t owner = member_new(g, r, ni, role, rng_chance(r, 0.5) ? OR_US : OR_USH, place, -1, 25, 65, -1);
		uint32_t b;

		if (owner == GEN_NONE)
			return GEN_NONE;
		b = gen_biz_new(g, r, kinds[rng_below(r, 5)], place, owner);
		if (b == GEN_NONE)
			return GEN_NONE;
		gen_B(g, b)->flags |= B_FRONT;
		gen_B(g, b)->nstaff = 0;   /* a shell: no staff, no payroll */
		gen_net_member(g, ni, b, 1, role);
		gen_A(g, gen_B(g, b)->acct)->flags |= A_SHELL;
		return gen_B(g, b)->acct;
	} else {
		uint32_t p = member_new(g, r, ni, role, rng_chance(r, 0.5) ? OR_US : OR_USH, place, -1, 19, 60, C_US);

		if (p == GEN_NONE)
			return GEN_NONE;
		recent_account(g, r, acct_of(g, p), 365);
		gen_A(g, acct_of(g, p))->role = (uint8_t)role;
		gen_A(g, acct_of(g, p))->net = ni;
		return acct_of(g, p);
	}
}

static int newacct(gen_t *g, struct rng *r, uint32_t ni, int role, uint16_t place, uint32_t *a, int *n)
{
	if (*n >= 40)
		return 0;
	a[*n] = launder_acct(g, r, ni, role, rng_chance(r, 0.6) ? place : gen_place_pick(g, r, C_US));
	if (a[*n] == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	(*n)++;
	return 0;
}

static int hop(gen_t *g, struct rng *r, uint32_t ni, int64_t *t, uint32_t from, uint32_t to, double usd,
	       uint16_t place)
{
	struct gen_ev *e;
	uint8_t ch = rng_chance(r, 0.7) ? CH_WIRE : CH_ACH;

	*t += (int64_t)(3600 * (2 + rng_uniform(r) * (rng_chance(r, g->k.stealth) ? 120 : 40)));
	e = ev(g, ni, *t, from, to, human_amount(g, r, usd, 0), ch, NULL, place);
	if (e && rng_chance(r, 0.6))
		gen_ev_memo(g, e, r, M_LAYER, (uint32_t)rng_range(r, 1000, 99999));
	return 0;
}

static int plant_launder(gen_t *g, struct rng *r, uint32_t ni, int pattern)
{
	uint16_t place = gen_place_pick(g, r, C_US);
	uint32_t a[40] = { 0 }; /* filled by NEWACCT; zeroed so no path reads garbage */
	int n = 0, i, j, k;
	int t0 = (int)rng_below(r, (uint64_t)(g->k.days > 8 ? g->k.days - 8 : 1));
	int64_t t = at_r(g, r, t0, 8, 18);
	double total = 20000 + rng_uniform(r) * 130000;
	uint32_t src, sink;

	((struct gen_net *)vec_at(&g->nets, ni))->hub = place;
#define NEWACCT(role) \
	do { \
		if (newacct(g, r, ni, (role), place, a, &n)) \
			return g->err.code; \
	} while (0)

	/* Placement: the first account is fed in cash, under the threshold. */
	NEWACCT(R_ORGANISER);
	src = a[0];
	{
		double parts[24];
		int np = split_under_ctr(g, r, total * (0.3 + 0.4 * rng_uniform(r)), parts, 24), q;

		for (q = 0; q < np; q++)
			ev(g, ni, at_r(g, r, t0 - 1 - q / 3, 9, 17), GEN_NONE, src, human_amount(g, r, parts[q], 1), CH_CASH,
			   NULL, place);
	}
	switch (pattern) {
	case PT_FAN_OUT: {
		int m = 4 + (int)rng_below(r, 12);

		for (i = 0; i < m; i++)
			NEWACCT(R_MONEY_MOVER);
		for (i = 1; i < n; i++) {
			int64_t tt = t;

			hop(g, r, ni, &tt, src, a[i], total / (n - 1) * (0.8 + 0.4 * rng_uniform(r)), place);
		}
		break;
	}
	case PT_FAN_IN: {
		int m = 4 + (int)rng_below(r, 12);

		for (i = 0; i < m; i++)
			NEWACCT(R_MONEY_MOVER);
		NEWACCT(R_FUNNEL);
		sink = a[n - 1];
		/* Sources are fed by the organiser's account first, then all pay the sink. */
		for (i = 1; i < n - 1; i++) {
			int64_t tt = t;
			double x = total / (n - 2) * (0.8 + 0.4 * rng_uniform(r));

			hop(g, r, ni, &tt, src, a[i], x, place);
			hop(g, r, ni, &tt, a[i], sink, x * 0.97, place);
		}
		break;
	}
	case PT_CYCLE: {
		int m = 2 + (int)rng_below(r, 7);
		double x = total;

		for (i = 0; i < m; i++)
			NEWACCT(R_MONEY_MOVER);
		for (i = 0; i < n; i++) {
			x *= 0.95 + 0.04 * rng_uniform(r);
			hop(g, r, ni, &t, a[i], a[(i + 1) % n], x, place);
		}
		break;
	}
	case PT_SCATTER_GATHER: {
		int m = 3 + (int)rng_below(r, 10);

		for (i = 0; i < m; i++)
			NEWACCT(R_MONEY_MOVER);
		NEWACCT(R_FUNNEL);
		sink = a[n - 1];
		for (i = 1; i < n - 1; i++) {
			int64_t tt = t;
			double x = total / (n - 2) * (0.8 + 0.4 * rng_uniform(r));

			hop(g, r, ni, &tt, src, a[i], x, place);
			hop(g, r, ni, &tt, a[i], sink, x * (0.9 + 0.08 * rng_uniform(r)), place);
		}
		break;
	}
	case PT_GATHER_SCATTER: {
		int m1 = 3 + (int)rng_below(r, 8), m2 = 3 + (int)rng_below(r, 8);
		uint32_t hubacct;
		int64_t tmax = t;

		for (i = 0; i < m1; i++)
			NEWACCT(R_MONEY_MOVER);
		NEWACCT(R_FUNNEL);
		hubacct = a[n - 1];
		for (i = 1; i <= m1; i++) {
			int64_t tt = t;
			double x = total / m1 * (0.8 + 0.4 * rng_uniform(r));

			hop(g, r, ni, &tt, src, a[i], x, place);
			hop(g, r, ni, &tt, a[i], hubacct, x * 0.97, place);
			if (tt > tmax)
				tmax = tt;
		}
		k = n;
		for (i = 0; i < m2; i++)
			NEWACCT(R_MONEY_MOVER);
		for (i = k; i < n; i++) {
			int64_t tt = tmax;

			hop(g, r, ni, &tt, hubacct, a[i], total * 0.9 / (n - k) * (0.8 + 0.4 * rng_uniform(r)), place);
		}
		break;
	}
	case PT_BIPARTITE:
	case PT_STACK: {
		int layers = pattern == PT_STACK ? 3 : 2, sizes[3], start[3], L;
		int64_t tl = t;

		for (L = 0; L < layers; L++) {
			sizes[L] = 2 + (int)rng_below(r, 4);
			start[L] = n;
			for (i = 0; i < sizes[L]; i++)
				NEWACCT(L == 0 ? R_MONEY_MOVER : L == layers - 1 ? R_FUNNEL : R_MONEY_MOVER);
		}
		/* The organiser feeds the first layer. */
		for (i = 0; i < sizes[0]; i++) {
			int64_t tt = t;

			hop(g, r, ni, &tt, src, a[start[0] + i], total / sizes[0], place);
			if (tt > tl)
				tl = tt;
		}
		for (L = 0; L + 1 < layers; L++) {
			int64_t tnext = tl;

			for (i = 0; i < sizes[L]; i++) {
				int any = 0;

				for (j = 0; j < sizes[L + 1]; j++) {
					if (rng_chance(r, 0.65) || (!any && j == sizes[L + 1] - 1)) {
						int64_t tt = tl;

						hop(g, r, ni, &tt, a[start[L] + i], a[start[L + 1] + j],
						    total / (sizes[L] * sizes[L + 1]) * (0.7 + 0.5 * rng_uniform(r)), place);
						if (tt > tnext)
							tnext = tt;
						any = 1;
					}
				}
			}
			tl = tnext;
		}
		break;
	}
	default: {
		int m = 4 + (int)rng_below(r, 5), steps = 6 + (int)rng_below(r, 10);
		uint32_t cur = src;

		for (i = 0; i < m; i++)
			NEWACCT(R_MONEY_MOVER);
		for (i = 0; i < steps; i++) {
			uint32_t nx = a[1 + rng_below(r, (uint64_t)(n - 1))];

			if (nx == cur)
				continue;
			hop(g, r, ni, &t, cur, nx, total / 3 * (0.6 + 0.6 * rng_uniform(r)), place);
			cur = nx;
		}
		break;
	}
	}
#undef NEWACCT
	return 0;
}

/* ---- all networks ------------------------------------------------------- */

static int count_for(gen_t *g, int kind)
{
	double people = g->k.people_per_scale * g->k.scale;
	int n;

	if (g->k.net_count[kind] >= 0)
		return g->k.net_count[kind];
	n = (int)floor(people / 10000.0 * g->k.net_rate[kind] + 0.5);
	if (n < g->k.net_min && g->k.net_rate[kind] > 0)
		n = g->k.net_min;
	return n;
}

int gen_net_build(gen_t *g)
{
	struct rng r;
	int kind, i, rc = 0;

	for (kind = 0; kind < NK_N && !rc; kind++) {
		int n = count_for(g, kind);

		for (i = 0; i < n && !rc; i++) {
			uint32_t ni;
			int pattern = kind == NK_LAUNDER ? i % PT_N : 0;
			static const char *const *typ[NK_N] = { &typ_smuggling, &typ_sex, &typ_labor, &typ_launder };

			ni = net_new(g, kind, pattern, *typ[kind]);
			if (ni == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			/* One stream per network: adding networks of one kind never
			 * changes the networks of another. */
			rng_seed2(&r, g->k.seed, gen_stream_id(GS_NET, (uint64_t)kind << 24 | (uint64_t)i, 0));
			switch (kind) {
			case NK_SMUGGLING: rc = plant_smuggling(g, &r, ni, i == 0); break;
			case NK_SEX: rc = plant_sex(g, &r, ni, i == 0); break;
			case NK_LABOR: rc = plant_labor(g, &r, ni); break;
			default: rc = plant_launder(g, &r, ni, pattern); break;
			}
		}
	}
	if (!rc && g->netev.len && !g->netev.data)
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	gen_progress(g, "networks", g->nets.len, g->nets.len);
	return rc;
}
