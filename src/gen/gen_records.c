/*
 * gen_records: what agencies hold about people — person records per agency
 * (persons_<agency>.csv, format person), encounters with screening answers
 * (encounters.csv, format encounter) — and the victim-service directory
 * (providers.csv, format providers).
 *
 * Agencies: hsi (Homeland Security Investigations, federal), cbp (Customs
 * and Border Protection, federal, border encounters), txdps (Texas
 * Department of Public Safety, state, Texas residents only), elpasopd (El
 * Paso Police Department, local, El Paso only).  Each writes names its own
 * way, and every record carries the noise real inter-agency data has:
 * dropped maternal surnames, stripped accents, nicknames, swapped name
 * fields, day/month swaps, typos and missing fields (knobs
 * gen.name_noise and gen.missing_share).  Encounter answers follow the
 * Vera Institute's Trafficking Victim Identification Tool topics.
 */
#include "gen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/u64map.h"

static const char *const status_name[] = { "subject", "target", "arrested", "associate", "witness",
					   "victim", "other" };
enum { ST_SUBJECT, ST_TARGET, ST_ARRESTED, ST_ASSOCIATE, ST_WITNESS, ST_VICTIM, ST_OTHER };

static const char *const enc_type_name[] = { "border", "traffic_stop", "raid", "hotline", "shelter_intake",
					     "clinic", "other" };
enum { ET_BORDER, ET_TRAFFIC, ET_RAID, ET_HOTLINE, ET_SHELTER, ET_CLINIC, ET_OTHER };

const char *const gen_enc_answer_name[] = {
	"documents_held_by_other", "owes_debt", "not_free_to_leave", "threatened", "knows_address",
	"third_party_speaks", "paid_smuggling_fee", "smuggling_fee_owed", "works_for_housing",
};
const size_t gen_enc_nanswers = sizeof gen_enc_answer_name / sizeof gen_enc_answer_name[0];
enum { Q_DOCS, Q_DEBT, Q_NOTFREE, Q_THREAT, Q_KNOWSADDR, Q_THIRD, Q_PAIDFEE, Q_FEEOWED, Q_HOUSING };

/* Answer j: bit 2j = asked, bit 2j+1 = yes. */
static void answer(struct gen_enc *e, int q, int yes)
{
	e->answers |= 1u << (2 * q);
	if (yes)
		e->answers |= 1u << (2 * q + 1);
	else
		e->answers &= ~(1u << (2 * q + 1));
}

static const char *const rec_prefix[AG_N] = { "HSI-P", "CBP-S", "TXDPS-SID", "EPPD-" };
static const char *const enc_prefix[AG_N] = { "HSI-E", "CBP-E", "TXDPS-E", "EPPD-E" };

void gen_rec_id(gen_t *g, const struct gen_rec *r, struct sbuf *sb)
{
	sbuf_adds(sb, rec_prefix[r->agency]);
	if (r->agency == AG_ELPASOPD) {
		int y;
		unsigned m, d;

		civil_from_days(g->k.start_day, &y, &m, &d);
		gb_u64w(sb, (uint64_t)(y % 100), 2);
		sbuf_addc(sb, '-');
	}
	gb_u64w(sb, r->seq, r->agency == AG_TXDPS ? 8 : 7);
}

void gen_enc_id(gen_t *g, uint32_t i, struct sbuf *sb)
{
	const struct gen_enc *e = vec_at(&g->encs, i);

	sbuf_adds(sb, enc_prefix[e->agency]);
	gb_u64w(sb, gen_scramble(i) % 100000000u, 8);
}

static int in_texas(gen_t *g, uint16_t place)
{
	const struct gen_place *pl = &g->d.places[place];

	return pl->country == C_US && strcmp(pl->region, "TX") == 0;
}

static int in_el_paso(gen_t *g, uint16_t place)
{
	const struct gen_place *pl = &g->d.places[place];

	return pl->country == C_US && strcmp(pl->city, "El Paso") == 0;
}

static int add_rec(gen_t *g, uint32_t person, int agency, int status, uint32_t net, int dup)
{
	struct gen_rec *r = vec_grow(&g->recs, 1);

	if (!r)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	r->person = person;
	r->agency = (uint8_t)agency;
	r->status = (uint8_t)status;
	r->net = net;
	r->dup = (uint8_t)dup;
	r->seq = 0;
	return 0;
}

/* A local or state agency for a person in `place`, else hsi. */
static int local_agency(gen_t *g, struct rng *r, uint16_t place)
{
	if (in_el_paso(g, place) && rng_chance(r, 0.6))
		return AG_ELPASOPD;
	if (in_texas(g, place))
		return AG_TXDPS;
	return AG_HSI;
}

static int member_records(gen_t *g, struct rng *r)
{
	size_t n, m;
	int rc = 0;

	for (n = 0; n < g->nets.len && !rc; n++) {
		const struct gen_net *net = vec_at(&g->nets, n);

		for (m = 0; m < net->members.len && !rc; m++) {
			const struct gen_member *mb = vec_at(&net->members, m);
			const struct gen_person *p;
			double fed = 0, loc = 0, cbp = 0;
			int lst = ST_SUBJECT;

			if (mb->is_biz)
				continue;
			p = gen_P(g, mb->idx);
			switch (mb->role) {
			case R_ORGANISER:
			case R_CONTROLLER: fed = 0.85; loc = 0.35; break;
			case R_FUNNEL:
			case R_MONEY_MOVER: fed = 0.5; loc = 0.1; break;
			case R_DRIVER:
			case R_TRANSPORTER: fed = 0.4; loc = 0.6; cbp = 0.3; lst = ST_ARRESTED; break;
			case R_STASH_HOUSE: fed = 0.6; loc = 0.3; lst = ST_ARRESTED; break;
			case R_RECRUITER:
			case R_POSTER: fed = 0.5; loc = 0.1; break;
			case R_FACILITATOR: fed = 0.3; loc = 0.1; lst = ST_ASSOCIATE; break;
			case R_BUYER: fed = 0.05; loc = 0.15; lst = ST_ARRESTED; break;
			case R_CUSTOMER: fed = 0.1; break;
			case R_VICTIM:
				/* Victims are often booked for what they were forced to do:
				 * a local "arrested" record next to a federal "victim" one. */
				fed = 0.6;
				loc = net->kind == NK_SEX ? 0.45 : 0.15;
				cbp = net->kind == NK_SMUGGLING ? 0.8 : 0;
				lst = net->kind == NK_SEX ? ST_ARRESTED : ST_OTHER;
				break;
			default: break;
			}
			if (rng_chance(r, fed))
				rc = add_rec(g, mb->idx, AG_HSI,
					     mb->role == R_VICTIM ? ST_VICTIM : mb->role == R_ORGANISER || mb->role == R_CONTROLLER
					     ? ST_TARGET : mb->role == R_CUSTOMER ? ST_WITNESS : ST_SUBJECT,
					     (uint32_t)n, 0);
			if (!rc && rng_chance(r, loc)) {
				int ag = local_agency(g, r, p->place);

				rc = add_rec(g, mb->idx, ag, ag == AG_HSI && mb->role == R_VICTIM ? ST_VICTIM : lst, (uint32_t)n, 0);
			}
			if (!rc && rng_chance(r, cbp))
				rc = add_rec(g, mb->idx, AG_CBP, mb->role == R_VICTIM ? ST_OTHER : ST_ARRESTED, (uint32_t)n, 0);
		}
	}
	return rc;
}

/* ---- encounters --------------------------------------------------------- */

static struct gen_enc *add_enc(gen_t *g, uint32_t person, int agency, int type, int day, uint16_t place,
			       uint32_t net, int victim)
{
	struct gen_enc *e;

	if (day < 0)
		day = 0;
	if (day >= g->k.days)
		day = g->k.days - 1;
	e = vec_grow(&g->encs, 1);
	if (!e)
		return NULL;
	e->person = person;
	e->rec = GEN_NONE;
	e->net = net;
	e->day = day;
	e->place = place;
	e->agency = (uint8_t)agency;
	e->type = (uint8_t)type;
	e->answers = 0;
	e->debt = 0;
	e->age_stated = -1;
	e->victim = (uint8_t)victim;
	return e;
}

static int network_encounters(gen_t *g, struct rng *r)
{
	size_t n, m;

	for (n = 0; n < g->nets.len; n++) {
		const struct gen_net *net = vec_at(&g->nets, n);

		for (m = 0; m < net->members.len; m++) {
			const struct gen_member *mb = vec_at(&net->members, m);
			const struct gen_person *p;
			struct gen_enc *e;
			int victim, day;

			if (mb->is_biz)
				continue;
			p = gen_P(g, mb->idx);
			victim = mb->role == R_VICTIM;
			day = (int)rng_below(r, (uint64_t)g->k.days);
			if (net->kind == NK_SEX && victim && rng_chance(r, 0.7)) {
				int type = rng_chance(r, 0.4) ? ET_RAID : rng_chance(r, 0.5) ? ET_HOTLINE : rng_chance(r, 0.5)
					   ? ET_CLINIC : ET_SHELTER;
				int ag = type == ET_RAID ? local_agency(g, r, net->hub) : AG_HSI;

				e = add_enc(g, mb->idx, ag, type, day, net->hub, (uint32_t)n, 1);
				if (!e)
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
				/* Indicators are present often, never always; some are not asked. */
				if (rng_chance(r, 0.85))
					answer(e, Q_THIRD, rng_chance(r, 0.6));
				if (rng_chance(r, 0.8))
					answer(e, Q_DOCS, rng_chance(r, 0.5));
				if (rng_chance(r, 0.8)) {
					answer(e, Q_DEBT, rng_chance(r, 0.5));
					if (e->answers & (1u << (2 * Q_DEBT + 1)) && rng_chance(r, 0.6))
						e->debt = (int32_t)(500 + rng_below(r, 4500));
				}
				if (rng_chance(r, 0.8))
					answer(e, Q_NOTFREE, rng_chance(r, 0.6));
				if (rng_chance(r, 0.8))
					answer(e, Q_THREAT, rng_chance(r, 0.5));
				if (rng_chance(r, 0.7))
					answer(e, Q_KNOWSADDR, !rng_chance(r, 0.4));
				if (rng_chance(r, 0.6))
					answer(e, Q_HOUSING, rng_chance(r, 0.3));
				if (p->flags & P_MINOR)
					/* Minors often give an adult age. */
					e->age_stated = (int8_t)(rng_chance(r, 0.5) ? (g->k.start_day - p->dob) / 365 : 18 + (int64_t)rng_below(r, 3));
				else if (rng_chance(r, 0.5))
					e->age_stated = (int8_t)((g->k.start_day - p->dob) / 365);
				if (type == ET_RAID && rng_chance(r, 0.5)) {
					/* The controller is found at the same place. */
					size_t c;

					for (c = 0; c < net->members.len; c++) {
						const struct gen_member *cm = vec_at(&net->members, c);

						if (!cm->is_biz && cm->role == R_CONTROLLER) {
							if (!add_enc(g, cm->idx, ag, ET_RAID, day, net->hub, (uint32_t)n, 0))
								return gen_fail(g, RASTRO_NOMEM, "out of memory");
							break;
						}
					}
				}
			} else if (net->kind == NK_LABOR && victim && rng_chance(r, 0.6)) {
				int type = rng_chance(r, 0.4) ? ET_RAID : rng_chance(r, 0.5) ? ET_CLINIC : ET_HOTLINE;

				e = add_enc(g, mb->idx, AG_HSI, type, day, net->hub, (uint32_t)n, 1);
				if (!e)
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
				if (rng_chance(r, 0.85))
					answer(e, Q_DOCS, rng_chance(r, 0.7));
				if (rng_chance(r, 0.85)) {
					answer(e, Q_DEBT, rng_chance(r, 0.7));
					if (e->answers & (1u << (2 * Q_DEBT + 1)))
						e->debt = (int32_t)(2000 + rng_below(r, 10000));
				}
				if (rng_chance(r, 0.8))
					answer(e, Q_HOUSING, rng_chance(r, 0.8));
				if (rng_chance(r, 0.8))
					answer(e, Q_NOTFREE, rng_chance(r, 0.5));
				if (rng_chance(r, 0.8))
					answer(e, Q_THREAT, rng_chance(r, 0.4));
				if (rng_chance(r, 0.6))
					answer(e, Q_KNOWSADDR, !rng_chance(r, 0.3));
				if (rng_chance(r, 0.5))
					answer(e, Q_THIRD, rng_chance(r, 0.4));
				if (rng_chance(r, 0.4))
					answer(e, Q_PAIDFEE, rng_chance(r, 0.3));
			} else if (net->kind == NK_SMUGGLING && mb->role == R_DRIVER && rng_chance(r, 0.4)) {
				if (!add_enc(g, mb->idx, in_texas(g, net->hub) ? AG_TXDPS : AG_CBP, ET_TRAFFIC, day, net->hub,
					     (uint32_t)n, 0))
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
			}
		}
	}
	/* Migrants of the smuggling networks at the border, on their crossing
	 * day: they paid a smuggler (that alone is not trafficking); the ones
	 * held in debt bondage say so more often. */
	for (m = 0; m < g->persons.len; m++) {
		const struct gen_person *p = gen_P(g, (uint32_t)m);
		const struct gen_net *net;
		struct gen_enc *e;
		int victim;

		if (!(p->flags & P_SMUGGLED) || p->net == GEN_NONE || p->mark_day < 0)
			continue;
		net = vec_at(&g->nets, p->net);
		if (net->kind != NK_SMUGGLING || !rng_chance(r, 0.6))
			continue;
		victim = (p->flags & P_VICTIM) != 0;
		e = add_enc(g, (uint32_t)m, AG_CBP, ET_BORDER, p->mark_day, net->hub, p->net, victim);
		if (!e)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		answer(e, Q_PAIDFEE, rng_chance(r, 0.85));
		if (rng_chance(r, 0.8))
			answer(e, Q_FEEOWED, victim ? rng_chance(r, 0.8) : rng_chance(r, 0.2));
		if (rng_chance(r, 0.6))
			answer(e, Q_DEBT, victim ? rng_chance(r, 0.7) : rng_chance(r, 0.1));
		if (rng_chance(r, 0.5))
			answer(e, Q_DOCS, victim ? rng_chance(r, 0.4) : rng_chance(r, 0.03));
		if (rng_chance(r, 0.5))
			answer(e, Q_NOTFREE, victim ? rng_chance(r, 0.5) : rng_chance(r, 0.03));
		if (rng_chance(r, 0.5))
			answer(e, Q_THREAT, victim ? rng_chance(r, 0.4) : rng_chance(r, 0.05));
		if (rng_chance(r, 0.3))
			answer(e, Q_KNOWSADDR, victim ? !rng_chance(r, 0.5) : 1);
		if (victim && e->answers & (1u << (2 * Q_FEEOWED + 1)))
			e->debt = (int32_t)(1500 + rng_below(r, 8000));
		if ((g->k.start_day - p->dob) / 365 < 18)
			e->age_stated = (int8_t)((g->k.start_day - p->dob) / 365);
	}
	return 0;
}

/* Encounters of people no network touched: traffic stops, clinic visits,
 * shelter intakes (some with indicators, for other reasons: domestic
 * violence, eviction) and migrants at the border who paid a smuggler the
 * world does not model. */
static int benign_encounters(gen_t *g, struct rng *r)
{
	uint32_t n = (uint32_t)(g->nbase * g->k.record_share * 0.6 + 1), i;
	uint32_t nb = 0;
	size_t m;

	for (m = 0; m < g->persons.len; m++)
		if (gen_P(g, (uint32_t)m)->flags & P_SMUGGLED)
			nb++;
	for (i = 0; i < n; i++) {
		uint32_t pi = (uint32_t)rng_below(r, g->nbase);
		const struct gen_person *p = gen_P(g, pi);
		double x = rng_uniform(r);
		int type = x < 0.5 ? ET_TRAFFIC : x < 0.7 ? ET_CLINIC : x < 0.85 ? ET_SHELTER : x < 0.95 ? ET_HOTLINE : ET_OTHER;
		int ag = type == ET_TRAFFIC ? local_agency(g, r, p->place) : AG_HSI;
		struct gen_enc *e;

		if (p->flags & P_NETWORK)
			continue;
		e = add_enc(g, pi, ag, type, (int)rng_below(r, (uint64_t)g->k.days), p->place, GEN_NONE, 0);
		if (!e)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		if (type == ET_SHELTER || type == ET_HOTLINE) {
			if (rng_chance(r, 0.8))
				answer(e, Q_THREAT, rng_chance(r, 0.4));
			if (rng_chance(r, 0.6))
				answer(e, Q_DEBT, rng_chance(r, 0.15));
			if (rng_chance(r, 0.5))
				answer(e, Q_HOUSING, rng_chance(r, 0.08));
			if (rng_chance(r, 0.6))
				answer(e, Q_NOTFREE, rng_chance(r, 0.05));
			if (rng_chance(r, 0.5))
				answer(e, Q_KNOWSADDR, 1);
		}
		if (type == ET_CLINIC && rng_chance(r, 0.3))
			answer(e, Q_THIRD, rng_chance(r, 0.1));   /* an interpreter or relative */
	}
	/* Unrelated border crossers, twice as many as the networks' migrants. */
	for (i = 0; i < nb * 2 + 2; i++) {
		int c = rng_chance(r, 0.45) ? C_MX : (int)(C_GT + rng_below(r, 3));
		uint8_t o = c == C_MX ? OR_MX : c == C_GT ? OR_GT : c == C_HN ? OR_HN : OR_SV;
		uint32_t pi = gen_person_new(g, r, o, gen_place_pick(g, r, c), rng_chance(r, 0.65) ? 0 : 1, 16, 50);
		struct gen_enc *e;

		if (pi == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		gen_P(g, pi)->flags |= P_MIGRANT | P_ABROAD | P_LOOKALIKE;
		e = add_enc(g, pi, AG_CBP, ET_BORDER, (int)rng_below(r, (uint64_t)g->k.days), gen_place_border(g, r, C_US),
			    GEN_NONE, 0);
		if (!e)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		answer(e, Q_PAIDFEE, rng_chance(r, 0.75));
		if (rng_chance(r, 0.8))
			answer(e, Q_FEEOWED, rng_chance(r, 0.15));
		if (rng_chance(r, 0.6))
			answer(e, Q_DEBT, rng_chance(r, 0.1));
		if (rng_chance(r, 0.5))
			answer(e, Q_THREAT, rng_chance(r, 0.08));
		if (rng_chance(r, 0.4))
			answer(e, Q_DOCS, rng_chance(r, 0.02));
		if (rng_chance(r, 0.7) && add_rec(g, pi, AG_CBP, ST_OTHER, GEN_NONE, 0))
			return g->err.code;
	}
	return 0;
}

static int rec_cmp_person(const void *a, const void *b)
{
	const struct gen_rec *x = a, *y = b;

	if (x->agency != y->agency)
		return x->agency - y->agency;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int gen_records_build(gen_t *g)
{
	struct rng r;
	uint32_t i;
	size_t k;
	int rc;

	rng_seed2(&r, g->k.seed, gen_stream_id(GS_REC, 0, 0));
	/* A nickname per person, used consistently across agencies: a form of
	 * the given name (Pepe for José) or, for some men and women of
	 * Mexican and Central American origin, a descriptive alias. */
	for (i = 0; i < g->persons.len; i++) {
		struct gen_person *p = gen_P(g, i);
		double x = rng_uniform(&r);

		if (x < 0.35) {
			size_t j, start = rng_below(&r, g->d.nnicks ? g->d.nnicks : 1);

			for (j = 0; j < g->d.nnicks; j++) {
				const struct gen_nick *nk = &g->d.nicks[(start + j) % g->d.nnicks];

				if (strcmp(nk->name, p->given) == 0) {
					p->nick = nk->nick;
					break;
				}
			}
		} else if (x < 0.45 && p->origin >= OR_USH && g->d.aliases[p->sex].n) {
			p->nick = gen_pick(&g->d.aliases[p->sex], &r);
			p->nick_is_alias = 1;
		}
	}
	rc = member_records(g, &r);
	/* People no network touched: witnesses, associates in other cases,
	 * traffic arrests; some known to two agencies.  Local police meet
	 * their own residents more often (El Paso x3). */
	for (i = 0; i < g->nbase && !rc; i++) {
		const struct gen_person *p = gen_P(g, i);
		double x;
		int st, ag;

		if ((p->flags & P_NETWORK) || !rng_chance(&r, g->k.record_share * (in_el_paso(g, p->place) ? 3 : 1)))
			continue;
		x = rng_uniform(&r);
		st = x < 0.35 ? ST_WITNESS : x < 0.55 ? ST_OTHER : x < 0.75 ? ST_ASSOCIATE : x < 0.9 ? ST_ARRESTED : ST_SUBJECT;
		ag = rng_chance(&r, 0.6) ? local_agency(g, &r, p->place) : rng_chance(&r, 0.6) ? AG_HSI : AG_CBP;
		if (p->flags & P_ISW)
			st = ST_ARRESTED;
		rc = add_rec(g, i, ag, st, GEN_NONE, 0);
		if (!rc && rng_chance(&r, 0.2))
			rc = add_rec(g, i, ag == AG_HSI ? local_agency(g, &r, p->place) : AG_HSI, st, GEN_NONE, 0);
	}
	if (!rc) {
		rng_seed2(&r, g->k.seed, gen_stream_id(GS_ENC, 0, 0));
		rc = network_encounters(g, &r);
	}
	if (!rc)
		rc = benign_encounters(g, &r);
	/* Second records of the same person in the same agency (a new booking
	 * that was not matched to the old one). */
	if (!rc) {
		size_t nrec = g->recs.len;

		for (k = 0; k < nrec && !rc; k++)
			if (rng_chance(&r, g->k.dup_share)) {
				struct gen_rec c = *(struct gen_rec *)vec_at(&g->recs, k);

				rc = add_rec(g, c.person, c.agency, c.status, c.net, 1);
			}
	}
	if (rc)
		return rc;
	/* Sequence numbers in a random order per agency, so that a file's
	 * order says nothing about how the world was built. */
	{
		uint32_t *keys = mem_alloc(sizeof(uint32_t) * (g->recs.len + 1));
		uint32_t cnt[AG_N] = { 0 };

		if (!keys)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		for (k = 0; k < g->recs.len; k++)
			keys[k] = (uint32_t)k;
		rng_shuffle(&r, keys, g->recs.len, sizeof(uint32_t));
		for (k = 0; k < g->recs.len; k++) {
			struct gen_rec *rr = vec_at(&g->recs, keys[k]);

			rr->seq = 1000 + (++cnt[rr->agency]) * 7 + (uint32_t)rng_below(&r, 7);
		}
		mem_free(keys);
		qsort(g->recs.data, g->recs.len, sizeof(struct gen_rec), rec_cmp_person);
	}
	/* Link each encounter to its person's record at that agency, if any. */
	{
		struct u64map first;

		u64map_init(&first);
		for (k = 0; k < g->recs.len; k++) {
			const struct gen_rec *rr = vec_at(&g->recs, k);
			uint64_t key = (uint64_t)rr->person * AG_N + rr->agency, v;

			if (!rr->dup && !u64map_get(&first, key, &v) && u64map_put(&first, key, k)) {
				u64map_release(&first);
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			}
		}
		for (k = 0; k < g->encs.len; k++) {
			struct gen_enc *e = vec_at(&g->encs, k);
			uint64_t v;

			if (u64map_get(&first, (uint64_t)e->person * AG_N + e->agency, &v))
				e->rec = (uint32_t)v;
		}
		u64map_release(&first);
	}
	return 0;
}

/* ---- noise -------------------------------------------------------------- */

/* One keyboard-style typo on an ASCII letter of s. */
static void typo(struct rng *r, struct sbuf *s)
{
	size_t pos[64], n = 0, i;

	for (i = 0; i < s->len && n < 64; i++)
		if ((s->buf[i] >= 'a' && s->buf[i] <= 'z') || (s->buf[i] >= 'A' && s->buf[i] <= 'Z'))
			pos[n++] = i;
	if (n < 3)
		return;
	i = pos[1 + rng_below(r, n - 1)];
	switch (rng_below(r, 4)) {
	case 0: /* substitution by a neighbouring letter */
		s->buf[i] = (char)(s->buf[i] == 'z' || s->buf[i] == 'Z' ? s->buf[i] - 1 : s->buf[i] + 1);
		break;
	case 1: /* deletion */
		memmove(s->buf + i, s->buf + i + 1, s->len - i);
		s->len--;
		break;
	case 2: /* doubling */
		if (sbuf_grow(s, 1) == 0) {
			memmove(s->buf + i + 1, s->buf + i, s->len - i + 1);
			s->len++;
		}
		break;
	default: /* transposition with the next letter */
		if (i + 1 < s->len && ((s->buf[i + 1] >= 'a' && s->buf[i + 1] <= 'z') ||
				       (s->buf[i + 1] >= 'A' && s->buf[i + 1] <= 'Z'))) {
			char t = s->buf[i];

			s->buf[i] = s->buf[i + 1];
			s->buf[i + 1] = t;
		}
		break;
	}
}

struct rname {
	struct sbuf given, sur, mat, nick;
};

/* The name as one agency would write it, with noise. */
static void noisy_name(gen_t *g, struct rng *r, const struct gen_person *p, int agency, struct rname *out)
{
	double nz = g->k.name_noise;
	int ascii = agency == AG_CBP || agency == AG_TXDPS || rng_chance(r, nz * 0.8);
	int upper = agency == AG_CBP || agency == AG_TXDPS || (agency == AG_ELPASOPD && rng_chance(r, 0.5));
	int mode = (ascii ? GF_ASCII : 0) | (upper ? GF_UPPER : 0);
	const char *given = p->given;
	int use_nick = p->nick && rng_chance(r, nz * 0.5);
	int as_given = use_nick && !p->nick_is_alias && rng_chance(r, 0.5);
	struct sbuf tmp = SBUF_INIT;

	sbuf_clear(&out->given);
	sbuf_clear(&out->sur);
	sbuf_clear(&out->mat);
	sbuf_clear(&out->nick);
	if (as_given)
		given = p->nick;   /* booked under the nickname */
	gen_fold(given, &out->given, mode);
	if (p->given2 && !rng_chance(r, nz * 0.6)) {
		sbuf_addc(&out->given, ' ');
		if (rng_chance(r, 0.3)) {
			gen_add_initial(&tmp, p->given2);
			gen_fold(tmp.buf, &out->given, mode);
		} else {
			gen_fold(p->given2, &out->given, mode);
		}
	}
	gen_fold(p->sur1, &out->sur, mode);
	if (p->sur2) {
		/* U.S. agencies often drop the maternal surname, or fold it into
		 * the surname with a hyphen or none (Splink/Utah PD findings). */
		double keep = agency == AG_CBP ? 0.85 : agency == AG_HSI ? 0.7 : 0.35;

		if (rng_chance(r, keep * (1 - nz * 0.5))) {
			if (agency == AG_ELPASOPD && rng_chance(r, 0.4)) {
				sbuf_addc(&out->sur, rng_chance(r, 0.5) ? '-' : ' ');
				gen_fold(p->sur2, &out->sur, mode);
			} else {
				gen_fold(p->sur2, &out->mat, mode);
			}
		}
	}
	if (p->nick && ((use_nick && !as_given) || (agency == AG_ELPASOPD && rng_chance(r, 0.5)) ||
			(p->nick_is_alias && rng_chance(r, 0.4))))
		gen_fold(p->nick, &out->nick, mode);
	if (rng_chance(r, nz * 0.35))
		typo(r, rng_chance(r, 0.5) ? &out->sur : &out->given);
	if (rng_chance(r, nz * 0.15)) {
		/* Given name and surname in each other's fields. */
		struct sbuf t = out->given;

		out->given = out->sur;
		out->sur = t;
	}
	sbuf_release(&tmp);
}

static void dob_out(gen_t *g, struct rng *r, const struct gen_person *p, int compact, struct sbuf *sb)
{
	int y;
	unsigned m, d;
	double nz = g->k.name_noise;

	civil_from_days(p->dob, &y, &m, &d);
	if (rng_chance(r, nz * 0.2) && d <= 12 && d != m) {
		/* Day and month swapped (a U.S. form read as a Latin American one). */
		unsigned t = d;

		d = m;
		m = t;
	} else if (rng_chance(r, nz * 0.06)) {
		y += rng_chance(r, 0.5) ? 1 : -1;
	} else if (rng_chance(r, nz * 0.06) && d < 28) {
		d++;
	}
	if (!date_valid(y, (int)m, (int)d))
		civil_from_days(p->dob, &y, &m, &d);
	if (compact)
		sbuf_addf(sb, "%04d%02u%02u", y, m, d);
	else
		sbuf_addf(sb, "%04d-%02u-%02u", y, m, d);
}

static int missing(gen_t *g, struct rng *r)
{
	return rng_chance(r, g->k.missing_share);
}

static const char *nationality(const struct gen_person *p)
{
	switch (p->origin) {
	case OR_MX: return "MX";
	case OR_GT: return "GT";
	case OR_HN: return "HN";
	case OR_SV: return "SV";
	default: return "US";
	}
}

static void id_number(gen_t *g, struct rng *r, uint32_t pi, const struct gen_person *p, int agency,
		      struct sbuf *sb)
{
	uint32_t h = gen_scramble(pi);

	if (agency == AG_TXDPS && g->d.places[p->place].country == C_US) {
		gb_u64w(sb, 10000000u + h % 90000000u, 8);   /* Texas driver licence */
	} else if (p->origin >= OR_MX) {
		if (agency == AG_CBP || rng_chance(r, 0.5)) {
			sbuf_addc(sb, 'A');   /* alien registration number */
			gb_u64w(sb, 200000000u + h % 99999999u, 9);
		} else {
			sbuf_addc(sb, p->origin == OR_MX ? 'G' : 'P');   /* passport */
			gb_u64w(sb, h % 100000000u, 8);
		}
	} else if (rng_chance(r, 0.5)) {
		gb_u64w(sb, 100000000u + h % 800000000u, 9);   /* SSN-like, not a real one */
	}
}

/* ---- persons_<agency>.csv ----------------------------------------------- */

static void case_id(gen_t *g, struct rng *r, const struct gen_rec *rec, struct sbuf *sb)
{
	static const char *const pre[AG_N] = { "HSI-", "CBP-", "DPS-", "EPPD-C" };
	uint32_t c;

	if (rec->net != GEN_NONE)
		c = rec->net + 1;
	else if (rec->status == ST_WITNESS || rec->status == ST_ASSOCIATE || rec->status == ST_SUBJECT)
		c = 500 + (uint32_t)rng_below(r, 400);   /* other cases the world does not model */
	else
		return;
	sbuf_adds(sb, pre[rec->agency]);
	gb_u64w(sb, (uint64_t)(g->k.start_day / 365 + 1970) % 100, 2);
	sbuf_addc(sb, '-');
	gb_u64w(sb, gen_scramble(c) % 10000u, 4);
}

static int write_agency(gen_t *g, int agency)
{
	struct gen_out o;
	struct rname nm;
	struct sbuf tmp = SBUF_INIT;
	struct rng r;
	char name[64];
	size_t k;
	int rc;

	snprintf(name, sizeof name, "persons_%s.csv", gen_agency_code[agency]);
	rc = gout_open(g, &o, name);
	if (rc)
		return rc;
	sbuf_init(&nm.given);
	sbuf_init(&nm.sur);
	sbuf_init(&nm.mat);
	sbuf_init(&nm.nick);
	sbuf_adds(&o.b, "record_id,given_name,surname,maternal_surname,full_name,nickname,dob,sex,address,city,"
			"region,postcode,country,phone,email,id_number,nationality,case_id,status\n");
	for (k = 0; k < g->recs.len && !rc; k++) {
		const struct gen_rec *rec = vec_at(&g->recs, k);
		const struct gen_person *p;
		const struct gen_place *pl;

		if (rec->agency != agency)
			continue;
		p = gen_P(g, rec->person);
		rng_seed2(&r, g->k.seed, gen_stream_id(GS_REC, 1 + k, 0));
		noisy_name(g, &r, p, agency, &nm);
		gen_rec_id(g, rec, &o.b);
		sbuf_addc(&o.b, ',');
		if (agency == AG_TXDPS) {
			/* The state system keeps one name field: "SURNAME MATERNAL, GIVEN". */
			sbuf_adds(&o.b, ",,,");
			sbuf_clear(&tmp);
			sbuf_add(&tmp, nm.sur.buf, nm.sur.len);
			if (nm.mat.len) {
				sbuf_addc(&tmp, ' ');
				sbuf_add(&tmp, nm.mat.buf, nm.mat.len);
			}
			sbuf_adds(&tmp, ", ");
			sbuf_add(&tmp, nm.given.buf, nm.given.len);
			gb_csv(&o.b, tmp.buf);
		} else {
			gb_csv(&o.b, nm.given.buf);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, nm.sur.buf);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, nm.mat.buf);
			sbuf_addc(&o.b, ',');
		}
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, nm.nick.buf);
		sbuf_addc(&o.b, ',');
		if (!missing(g, &r))
			dob_out(g, &r, p, agency == AG_ELPASOPD, &o.b);
		sbuf_addc(&o.b, ',');
		if (!rng_chance(&r, g->k.missing_share * 0.3))
			sbuf_addc(&o.b, p->sex ? 'F' : 'M');
		sbuf_addc(&o.b, ',');
		/* Address: where the person lives now (migrants abroad: their
		 * home abroad, or none known). */
		pl = &g->d.places[p->place];
		if (!missing(g, &r) && !(agency == AG_CBP && rng_chance(&r, 0.5))) {
			sbuf_clear(&tmp);
			gen_person_address(g, p, &tmp);
			if (rng_chance(&r, g->k.name_noise * 0.2) && tmp.len > 4)
				typo(&r, &tmp);
			gb_csv(&o.b, tmp.buf);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->city);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->region);
			sbuf_addc(&o.b, ',');
			if (!rng_chance(&r, 0.2))
				gen_person_postcode(g, p->place, (uint32_t)p->street * 10007u + p->house, &o.b);
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, gen_country_code[pl->country]);
		} else {
			sbuf_adds(&o.b, ",,,,");
		}
		sbuf_addc(&o.b, ',');
		if (p->phone[0] && !missing(g, &r)) {
			sbuf_clear(&tmp);
			gen_phone_style(p->phone, (int)rng_below(&r, 5), &tmp);
			gb_csv(&o.b, tmp.buf);
		}
		sbuf_addc(&o.b, ',');
		if (agency != AG_TXDPS && !missing(g, &r) && !rng_chance(&r, 0.4)) {
			sbuf_clear(&tmp);
			gen_person_email(g, p, &tmp);
			gb_csv(&o.b, tmp.buf);
		}
		sbuf_addc(&o.b, ',');
		if (!missing(g, &r))
			id_number(g, &r, rec->person, p, agency, &o.b);
		sbuf_addc(&o.b, ',');
		if (agency != AG_TXDPS && !missing(g, &r))
			sbuf_adds(&o.b, nationality(p));
		sbuf_addc(&o.b, ',');
		case_id(g, &r, rec, &o.b);
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, status_name[rec->status]);
		sbuf_addc(&o.b, '\n');
		o.rows++;
		rc = gout_maybe_flush(g, &o);
	}
	sbuf_release(&tmp);
	sbuf_release(&nm.given);
	sbuf_release(&nm.sur);
	sbuf_release(&nm.mat);
	sbuf_release(&nm.nick);
	if (rc || sbuf_failed(&o.b)) {
		gout_abort(&o);
		return rc ? rc : gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return gout_close(g, &o);
}

int gen_write_records(gen_t *g)
{
	int a, rc = 0;

	for (a = 0; a < AG_N && !rc; a++)
		rc = write_agency(g, a);
	return rc;
}

/* ---- encounters.csv ----------------------------------------------------- */

static const char *language(struct rng *r, const struct gen_person *p)
{
	static const char *const maya[] = { "mam", "k'iche'", "q'eqchi'" };

	if (p->origin == OR_US)
		return "en";
	if (p->origin == OR_GT && rng_chance(r, 0.35))
		return maya[rng_below(r, 3)];
	if (p->origin == OR_USH && rng_chance(r, 0.6))
		return "en";
	return "es";
}

static int enc_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

#define ENC_STRIDE 3   /* day, scrambled key, index */

int gen_write_encounters(gen_t *g)
{
	static const char *const notes_victim[] = {
		"", "", "accompanied by a man who answered for her", "says she works to pay a debt",
		"no ID on her; says the boss keeps it", "nervous, looked at companion before answering",
		"lives at the workplace", "", "asked for help leaving",
	};
	static const char *const notes_other[] = {
		"", "", "", "routine stop", "requested interpreter", "referred by clinic", "left before interview",
	};
	struct gen_out o;
	struct rname nm;
	struct sbuf tmp = SBUF_INIT;
	struct rng r;
	uint32_t *order;
	size_t k, q;
	int rc;

	/* By date, then by a scrambled key: not in creation order. */
	order = mem_alloc(sizeof(uint32_t) * ENC_STRIDE * (g->encs.len + 1));
	if (!order)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (k = 0; k < g->encs.len; k++) {
		order[ENC_STRIDE * k] = (uint32_t)((const struct gen_enc *)vec_at(&g->encs, k))->day;
		order[ENC_STRIDE * k + 1] = gen_scramble((uint32_t)k);
		order[ENC_STRIDE * k + 2] = (uint32_t)k;
	}
	qsort(order, g->encs.len, ENC_STRIDE * sizeof(uint32_t), enc_cmp);
	rc = gout_open(g, &o, "encounters.csv");
	if (rc) {
		mem_free(order);
		return rc;
	}
	sbuf_init(&nm.given);
	sbuf_init(&nm.sur);
	sbuf_init(&nm.mat);
	sbuf_init(&nm.nick);
	sbuf_adds(&o.b, "encounter_id,date,type,city,region,country,lat,lon,person_record_id,given_name,surname,"
			"maternal_surname,dob,sex,phone,nationality,language,age_stated");
	for (q = 0; q < gen_enc_nanswers; q++) {
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, gen_enc_answer_name[q]);
		if (q == Q_DEBT)
			sbuf_adds(&o.b, ",debt_amount");
	}
	sbuf_adds(&o.b, ",notes\n");
	for (k = 0; k < g->encs.len && !rc; k++) {
		uint32_t idx = order[ENC_STRIDE * k + 2];
		const struct gen_enc *e;
		const struct gen_person *p;
		const struct gen_place *pl;

		e = vec_at(&g->encs, idx);
		p = gen_P(g, e->person);
		pl = &g->d.places[e->place];
		rng_seed2(&r, g->k.seed, gen_stream_id(GS_ENC, 1 + idx, 0));
		gen_enc_id(g, idx, &o.b);
		sbuf_addc(&o.b, ',');
		gb_ts(&o.b, gen_at(g, e->day, 0) + (int64_t)rng_below(&r, 86400));
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, enc_type_name[e->type]);
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, pl->city);
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, pl->region);
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, gen_country_code[pl->country]);
		sbuf_addf(&o.b, ",%.5f,%.5f,", pl->lat + (rng_uniform(&r) - 0.5) * 0.08,
			  pl->lon + (rng_uniform(&r) - 0.5) * 0.08);
		if (e->rec != GEN_NONE)
			gen_rec_id(g, vec_at(&g->recs, e->rec), &o.b);
		sbuf_addc(&o.b, ',');
		noisy_name(g, &r, p, e->agency, &nm);
		gb_csv(&o.b, nm.given.buf);
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, nm.sur.buf);
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, nm.mat.buf);
		sbuf_addc(&o.b, ',');
		if (!missing(g, &r) && !(e->victim && rng_chance(&r, 0.3)))
			dob_out(g, &r, p, 0, &o.b);
		sbuf_addc(&o.b, ',');
		sbuf_addc(&o.b, p->sex ? 'F' : 'M');
		sbuf_addc(&o.b, ',');
		if (p->phone[0] && !missing(g, &r) && !rng_chance(&r, 0.3)) {
			sbuf_clear(&tmp);
			gen_phone_style(p->phone, (int)rng_below(&r, 5), &tmp);
			gb_csv(&o.b, tmp.buf);
		}
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, nationality(p));
		sbuf_addc(&o.b, ',');
		gb_csv(&o.b, language(&r, p));
		sbuf_addc(&o.b, ',');
		if (e->age_stated >= 0)
			gb_u64(&o.b, (uint64_t)e->age_stated);
		for (q = 0; q < gen_enc_nanswers; q++) {
			sbuf_addc(&o.b, ',');
			if (e->answers & (1u << (2 * q)))
				sbuf_adds(&o.b, e->answers & (1u << (2 * q + 1)) ? "yes" : "no");
			if (q == Q_DEBT) {
				sbuf_addc(&o.b, ',');
				if (e->debt)
					gb_u64(&o.b, (uint64_t)e->debt);
			}
		}
		sbuf_addc(&o.b, ',');
		if (e->victim)
			gb_csv(&o.b, notes_victim[rng_below(&r, sizeof notes_victim / sizeof notes_victim[0])]);
		else
			gb_csv(&o.b, notes_other[rng_below(&r, sizeof notes_other / sizeof notes_other[0])]);
		sbuf_addc(&o.b, '\n');
		o.rows++;
		rc = gout_maybe_flush(g, &o);
	}
	mem_free(order);
	sbuf_release(&tmp);
	sbuf_release(&nm.given);
	sbuf_release(&nm.sur);
	sbuf_release(&nm.mat);
	sbuf_release(&nm.nick);
	if (rc || sbuf_failed(&o.b)) {
		gout_abort(&o);
		return rc ? rc : gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return gout_close(g, &o);
}

/* ---- providers.csv ------------------------------------------------------ */

int gen_write_providers(gen_t *g)
{
	struct gen_out o;
	struct sbuf tmp = SBUF_INIT;
	struct rng r;
	size_t c;
	uint32_t id = 0;
	int rc;

	rc = gout_open(g, &o, "providers.csv");
	if (rc)
		return rc;
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_PROV, 0, 0));
	sbuf_adds(&o.b, "provider_id,name,services,languages,populations,address,city,region,postcode,country,lat,lon,"
			"capacity,available,hours,phone,email,website\n");
	for (c = 0; c < g->d.nplaces && !rc; c++) {
		const struct gen_place *pl = &g->d.places[c];
		uint32_t n, i;

		if (pl->country == C_US)
			n = 1 + rng_poisson(&r, pow(pl->pop / 100000.0, 0.5) * 0.6 * (g->k.scale < 1 ? 1 : pow(g->k.scale, 0.3)));
		else if (pl->country == C_MX && pl->border)
			n = 1 + (uint32_t)rng_below(&r, 2);   /* shelters for migrants on the Mexican side */
		else
			continue;
		for (i = 0; i < n; i++) {
			const struct gen_provdef *d = &g->d.provs[rng_below(&r, g->d.nprovs)];
			const char *p;
			int cap = d->kind[0] == 's' ? 8 + (int)rng_below(&r, 60) : 20 + (int)rng_below(&r, 300);
			const char *hours[] = { "24/7", "Mo-Fr 09-17", "Mo-Sa 08-20", "Mo-Fr 08-18; Sa 09-13" };
			char phone[16];

			id++;
			sbuf_adds(&o.b, "PRV");
			gb_u64w(&o.b, id, 5);
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			for (p = d->pattern; *p; p++) {
				if (strncmp(p, "{city}", 6) == 0) {
					sbuf_adds(&tmp, pl->city);
					p += 5;
				} else if (strncmp(p, "{word}", 6) == 0) {
					sbuf_adds(&tmp, gen_pick(&g->d.words, &r));
					p += 5;
				} else {
					sbuf_addc(&tmp, *p);
				}
			}
			gb_csv(&o.b, tmp.buf);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, d->services);
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, pl->country == C_US && rng_chance(&r, 0.15) ? "en" : "en;es");
			if (rng_chance(&r, 0.12))
				sbuf_adds(&o.b, ";mam;k'iche'");
			else if (rng_chance(&r, 0.05))
				sbuf_adds(&o.b, ";q'eqchi'");
			if (pl->country == C_US && rng_chance(&r, 0.15))
				sbuf_adds(&o.b, ";vi;zh");
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, d->populations);
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			if (d->kind[0] == 's' && rng_chance(&r, 0.7))
				sbuf_adds(&tmp, "Confidential location");   /* shelters do not publish addresses */
			else
				sbuf_addf(&tmp, "%u %s", 100 + (unsigned)rng_below(&r, 9000),
					  g->d.streets[pl->country == C_US ? 0 : 1].s[rng_below(&r, g->d.streets[pl->country == C_US ? 0 : 1].n)]);
			gb_csv(&o.b, tmp.buf);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->city);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->region);
			sbuf_addc(&o.b, ',');
			gen_person_postcode(g, (uint16_t)c, id, &o.b);
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, gen_country_code[pl->country]);
			sbuf_addf(&o.b, ",%.5f,%.5f,%d,%d,", pl->lat + (rng_uniform(&r) - 0.5) * 0.1,
				  pl->lon + (rng_uniform(&r) - 0.5) * 0.1, cap, (int)rng_below(&r, (uint64_t)cap / 3 + 1));
			sbuf_adds(&o.b, d->kind[0] == 's' ? "24/7" : hours[1 + rng_below(&r, 3)]);
			sbuf_addc(&o.b, ',');
			gen_phone_new(g, &r, (uint16_t)c, phone);
			sbuf_clear(&tmp);
			gen_phone_style(phone, 1, &tmp);
			gb_csv(&o.b, tmp.buf);
			sbuf_adds(&o.b, ",intake");
			gb_u64(&o.b, id);
			sbuf_adds(&o.b, "@services.example,https://services.example/p");
			gb_u64(&o.b, id);
			sbuf_addc(&o.b, '\n');
			o.rows++;
		}
		rc = gout_maybe_flush(g, &o);
	}
	sbuf_release(&tmp);
	if (g->stats)
		g->stats->providers = id;
	if (rc || sbuf_failed(&o.b)) {
		gout_abort(&o);
		return rc ? rc : gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return gout_close(g, &o);
}
