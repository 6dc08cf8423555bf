/*
 * gen_look: benign look-alikes — lawful behaviours that match a published
 * red flag, so that a detector cannot win by flagging the flag alone.
 *
 *   red flag (FinCEN)                          lawful look-alike here
 *   T5  frequent movement between cities       travelling sales staff, touring adults
 *   T6  paying others' rent, phones, travel    parents paying students' rent; family phone plans
 *   T2  escort-site payments, hotels           independent adult escorts (not trafficked)
 *   T7  cash outside business hours            restaurants using the night drop box
 *   T8/T14 steady cash below the threshold     cash-heavy restaurants, grocers, auto shops
 *   S1/S5 many senders to one beneficiary      siblings in several states sending to a parent
 *   S3  cash then wires to corridor countries  licensed money transmitters
 *   T15 visa fees paid by an employer          H-2A farms paying their workers' visa fees
 *   night activity                             night-shift nurses and bartenders
 *
 * The share of the population given these behaviours scales with the
 * difficulty knob gen.lookalike_share (relative to its default 0.15).
 */
#include "gen_int.h"

#include <string.h>

static int age_of(gen_t *g, const struct gen_person *p)
{
	return (int)((g->k.start_day - p->dob) / 365);
}

static uint16_t mx_sister(gen_t *g, uint16_t place)
{
	size_t i;
	uint16_t best = place;
	double bd = 1e18;

	for (i = 0; i < g->d.ncountry_places[C_MX]; i++) {
		uint32_t p = g->d.country_places[C_MX][i];
		double dx = g->d.places[p].lat - g->d.places[place].lat, dy = g->d.places[p].lon - g->d.places[place].lon;

		if (g->d.places[p].border && dx * dx + dy * dy < bd) {
			bd = dx * dx + dy * dy;
			best = (uint16_t)p;
		}
	}
	return best;
}

/* Siblings in several U.S. cities who all send money to one parent. */
static int family_pool(gen_t *g, struct rng *r)
{
	int c = rng_chance(r, 0.5) ? C_MX : (int)(C_GT + rng_below(r, 3));
	uint8_t origin = c == C_MX ? OR_MX : c == C_GT ? OR_GT : c == C_HN ? OR_HN : OR_SV;
	uint16_t home = gen_place_pick(g, r, c);
	uint32_t parent = gen_person_new(g, r, origin, home, -1, 55, 85), first = GEN_NONE;
	int n = 3 + (int)rng_below(r, 4), i;
	const struct gen_payee *payroll = gen_payee(g, "payroll");

	if (parent == GEN_NONE || gen_account_new(g, r, H_PERSON, parent, home, c) == GEN_NONE)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	gen_P(g, parent)->flags |= P_ABROAD;
	for (i = 0; i < n; i++) {
		uint16_t pl = (uint16_t)g->d.country_places[C_US][gen_pick_i(&g->d.us_home, r)];
		uint32_t s = gen_person_new(g, r, origin, pl, -1, 22, 50);
		struct gen_person *sp;

		if (s == GEN_NONE || gen_account_new(g, r, H_PERSON, s, pl, C_US) == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		if (first == GEN_NONE)
			first = s;
		sp = gen_P(g, s);
		/* Siblings share both surnames with each other and the paternal
		 * one with the parent. */
		sp->sur1 = gen_P(g, parent)->sur1;
		sp->sur2 = gen_P(g, first)->sur2;
		sp->rel = parent;
		sp->flags |= P_REMIT | P_POOL | P_LOOKALIKE;
		if (payroll) {
			sp->payer = ((struct gen_merchant *)g->merchants.data)[payroll->merchant0 +
									   rng_below(r, payroll->nmerchant)].acct;
			sp->wage = 18;
		}
	}
	return 0;
}

int gen_lookalikes(gen_t *g)
{
	struct rng r;
	double f = g->k.lookalike_share / 0.15;
	uint32_t i, npools;
	size_t b;

	rng_seed2(&r, g->k.seed, gen_stream_id(GS_LOOK, 0, 0));
	for (i = 0; i < g->nbase; i++) {
		struct gen_person *p = gen_P(g, i);
		int age = age_of(g, p);
		const struct gen_place *pl = &g->d.places[p->place];

		if (p->flags & (P_NETWORK | P_ABROAD))
			continue;
		if (age >= 23 && age <= 65 && rng_chance(&r, g->k.traveller_share * f)) {
			p->flags |= P_TRAVELLER | P_LOOKALIKE;
			p->trip[0] = gen_place_pick(g, &r, C_US);
			p->trip[1] = gen_place_pick(g, &r, C_US);
			p->trip[2] = gen_place_pick(g, &r, C_US);
		}
		if (age <= 60 && rng_chance(&r, g->k.night_share * f))
			p->flags |= P_NIGHT | P_LOOKALIKE;
		if (p->sex == 1 && age >= 21 && age <= 45 && p->acct != GEN_NONE &&
		    rng_chance(&r, g->k.isw_share * f * 2)) {
			p->flags |= P_ISW | P_LOOKALIKE | P_NIGHT;
			p->payer = GEN_NONE;
			p->trip[0] = p->place;
			p->trip[1] = gen_place_pick(g, &r, C_US);
			p->trip[2] = gen_place_pick(g, &r, C_US);
		}
		if (p->employer != GEN_NONE && gen_B(g, p->employer)->kind == BK_RESTAURANT && rng_chance(&r, 0.5))
			p->flags |= P_CASH_TIPS;
		if (pl->border && rng_chance(&r, 0.3 * f)) {
			p->flags |= P_BORDER | P_LOOKALIKE;
			p->trip[0] = mx_sister(g, p->place);
		}
		if (age >= 35 && age <= 70 && p->acct != GEN_NONE && rng_chance(&r, 0.05 * f))
			p->flags |= P_FAMILY_PHONES | P_LOOKALIKE;
		if ((p->flags & P_STUDENT) && rng_chance(&r, 0.6 * f)) {
			/* A parent elsewhere pays the student's rent and phone. */
			uint32_t parent = GEN_NONE;
			int t;

			for (t = 0; t < 30; t++) {
				uint32_t c = (uint32_t)rng_below(&r, g->nbase);
				struct gen_person *cp = gen_P(g, c);

				if (cp->acct != GEN_NONE && cp->dep == GEN_NONE && age_of(g, cp) >= 40 &&
				    !(cp->flags & P_NETWORK)) {
					parent = c;
					break;
				}
			}
			if (parent != GEN_NONE) {
				gen_P(g, parent)->dep = i;
				gen_P(g, parent)->flags |= P_PAYS_OTHER | P_LOOKALIKE;
				if (p->landlord == GEN_NONE || p->rent <= 0) {
					/* Students renting near campus. */
					uint32_t o = gen_person_at(g, &r, p->place);

					if (gen_P(g, o)->acct != GEN_NONE && o != i) {
						p->landlord = gen_P(g, o)->acct;
						p->rent = 750;
					}
				}
			}
		}
	}
	npools = (uint32_t)(g->nbase * 0.004 * f + 0.5);
	if (npools < 1 && f > 0)
		npools = 1;
	for (i = 0; i < npools; i++)
		if (family_pool(g, &r))
			return g->err.code;
	for (b = 0; b < g->bizs.len; b++) {
		struct gen_biz *bz = gen_B(g, (uint32_t)b);

		if (bz->flags & (B_FRONT | B_NETWORK))
			continue;
		if ((bz->kind == BK_RESTAURANT || bz->kind == BK_GROCERY || bz->kind == BK_NAILS ||
		     bz->kind == BK_AUTO || bz->kind == BK_MASSAGE) && rng_chance(&r, 0.3 * f)) {
			bz->flags |= B_CASH_HEAVY | B_LOOKALIKE;
			bz->cash_share = bz->cash_share < 0.5f ? 0.55f : bz->cash_share;
		}
		if (bz->kind == BK_FARM && rng_chance(&r, 0.5 * f))
			bz->flags |= B_LOOKALIKE;   /* H-2A employer: pays visa fees and housing */
		/* A small chain: outlets in other cities deposit their cash into
		 * the one business account (look-alike of T16/S2: cash deposits in
		 * several places into one account). */
		if ((bz->kind == BK_RESTAURANT || bz->kind == BK_GROCERY || bz->kind == BK_AUTO || bz->kind == BK_NAILS ||
		     bz->kind == BK_MSB) && rng_chance(&r, 0.25 * f)) {
			bz->flags |= B_BRANCHES | B_LOOKALIKE;
			bz->branch[0] = gen_place_pick(g, &r, C_US);
			bz->branch[1] = rng_chance(&r, 0.5) ? gen_place_pick(g, &r, C_US) : bz->place;
		}
	}
	gen_progress(g, "look-alikes", g->persons.len, g->persons.len);
	return 0;
}
