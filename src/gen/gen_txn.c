/*
 * gen_txn: the daily simulation and transactions.csv (format generic).
 *
 * Day by day, every person and business draws that day's transactions
 * from its own random stream (seeded by entity and day), the planned
 * network transactions of the day are merged in, and the day is sorted by
 * time and written.  Days are independent, so worker threads build them
 * in parallel while the output stays byte-identical for any thread count;
 * memory holds a few days of events, never the whole file.
 *
 * Transaction ids are "T" + date + "-" + number within the day, so they
 * read as dates and can be assigned without knowing other days' counts.
 */
#include "gen_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

/* ---- helpers shared with the network builder ---------------------------- */

static int bank_country(gen_t *g, uint32_t acct)
{
	return g->d.banks[gen_A(g, acct)->bank].country;
}

uint8_t gen_ev_currency(gen_t *g, uint32_t from, uint32_t to)
{
	/* Anything touching a U.S. account is in dollars; payments between
	 * accounts abroad are in the sending country's currency. */
	if (from != GEN_NONE) {
		int c = bank_country(g, from);

		if (c == C_US || (to != GEN_NONE && bank_country(g, to) == C_US))
			return C_US;
		return (uint8_t)c;
	}
	if (to != GEN_NONE)
		return (uint8_t)bank_country(g, to);
	return C_US;
}

int64_t gen_cents(gen_t *g, double usd, uint8_t currency)
{
	double x = usd * g->k.fx[currency] * 100;

	return (int64_t)(x + 0.5);
}

void gen_ev_memo(gen_t *g, struct gen_ev *e, struct rng *r, int kind, uint32_t arg)
{
	size_t n = g->d.memos[kind].len;

	if (!n)
		return;
	e->memo_kind = (uint8_t)kind;
	e->memo = (uint16_t)(1 + rng_below(r, n));
	e->memo_arg = arg;
}

const char *gen_memo_text(gen_t *g, int kind, uint32_t i)
{
	return ((const char **)g->d.memos[kind].data)[i];
}

/* ---- one day ------------------------------------------------------------ */

struct day_ctx {
	gen_t *g;
	int d;
	int64_t day_ts;       /* midnight */
	int wd;               /* 0 = Monday */
	unsigned dom, mdays;  /* day of month, days in the month */
	int week;
	double *spend_cum;    /* cumulative per_month of the spending categories */
};

struct day_buf {
	struct vec ev;        /* struct gen_ev */
	uint32_t *order;      /* events in time order (indices into ev) */
	size_t order_cap;
	uint32_t *count;      /* 86,401 counters of the counting sort */
	struct vec netids;    /* uint64_t: net << 32 | index in the day */
	struct sbuf text;
	uint64_t n, illicit;
	int failed;
};

struct adder {
	struct vec *out;
	uint32_t owner, seq;
	int failed;
};

static struct gen_ev *add(gen_t *g, struct adder *ad, int64_t ts, uint32_t from, uint32_t to, double usd,
			  uint8_t channel, const char *category, uint16_t place)
{
	struct gen_ev *e;
	uint8_t cur;

	if ((from == GEN_NONE && to == GEN_NONE) || usd <= 0)
		return NULL;
	e = vec_grow(ad->out, 1);
	if (!e) {
		ad->failed = 1;
		return NULL;
	}
	cur = gen_ev_currency(g, from, to);
	e->ts = ts;
	e->cents = gen_cents(g, usd, cur);
	e->from = from;
	e->to = to;
	e->owner = ad->owner;
	e->seq = ad->seq++;
	e->net = GEN_NONE;
	e->memo_arg = 0;
	e->to_name = GEN_NONE;
	e->category = category;
	e->place = place;
	e->memo = 0;
	e->channel = channel;
	e->memo_kind = 0;
	e->currency = cur;
	return e;
}

/* A time of the day between hours lo and hi; hours past midnight (hi up to
 * 30) wrap to the small hours of the same day, so that every event of a
 * day's buffer falls on that day. */
static int64_t tin(const struct day_ctx *c, struct rng *r, double lo, double hi)
{
	double h = lo + rng_uniform(r) * (hi - lo);

	if (h >= 24)
		h -= 24;
	return c->day_ts + (int64_t)(h * 3600);
}

static double cash20(double x)
{
	double v = floor(x / 20) * 20;

	return v < 20 ? 20 : v;
}

static double lognorm_usd(struct rng *r, double median, double sigma)
{
	return floor(rng_lognormal(r, log(median), sigma) * 100) / 100;
}

static uint32_t merchant(gen_t *g, struct rng *r, uint32_t first, uint32_t n)
{
	return ((struct gen_merchant *)g->merchants.data)[first + rng_below(r, n)].acct;
}

static uint32_t payee_acct(gen_t *g, struct rng *r, const char *category)
{
	const struct gen_payee *p = gen_payee(g, category);

	return p ? merchant(g, r, p->merchant0, p->nmerchant) : GEN_NONE;
}

static void person_day(const struct day_ctx *c, uint32_t i, struct vec *out, int *failed)
{
	gen_t *g = c->g;
	const struct gen_person *p = gen_P(g, i);
	struct adder ad = { out, i, 0, 0 };
	struct rng r;
	uint32_t a, k, n;
	uint16_t where;
	int on_trip = 0;

	if (p->flags & P_ABROAD)
		return;
	if (p->acct == GEN_NONE && !(p->flags & P_REMIT) && p->payer == GEN_NONE)
		return;
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_DAY_PERSON, i, (uint32_t)c->d));
	a = p->acct;
	if (p->acct2 != GEN_NONE && rng_chance(&r, 0.3))
		a = p->acct2;
	where = p->place;
	if ((p->flags & (P_TRAVELLER | P_ISW)) && rng_chance(&r, p->flags & P_TRAVELLER ? 0.35 : 0.25)) {
		where = p->trip[rng_below(&r, 3)];
		on_trip = where != p->place;
	} else if ((p->flags & P_BORDER) && rng_chance(&r, 0.12)) {
		where = p->trip[0];
	}
	if (a != GEN_NONE) {
		/* Everyday card spending. */
		n = rng_poisson(&r, g->d.spend_total / 30.0 * p->activity);
		for (k = 0; k < n; k++) {
			double x = rng_uniform(&r) * c->spend_cum[g->d.nspend - 1];
			size_t s = 0;
			const struct gen_spend *sp;
			double lo, hi;

			while (s + 1 < g->d.nspend && c->spend_cum[s] <= x)
				s++;
			sp = &g->d.spend[s];
			lo = sp->hour_lo;
			hi = sp->hour_hi + 1;
			if ((p->flags & P_NIGHT) && rng_chance(&r, 0.4) &&
			    (strcmp(sp->category, "restaurant") == 0 || strcmp(sp->category, "rideshare") == 0)) {
				lo = 22;
				hi = 27;
			}
			add(g, &ad, tin(c, &r, lo, hi), a, merchant(g, &r, sp->merchant0, sp->nmerchant),
			    lognorm_usd(&r, sp->median, sp->sigma), sp->channel, sp->category, where);
		}
		if (on_trip) {
			int upscale = (p->flags & P_TRAVELLER) && rng_chance(&r, 0.6);

			add(g, &ad, tin(c, &r, 18, 23.9), a, payee_acct(g, &r, upscale ? "lodging_upscale" : "lodging"),
			    lognorm_usd(&r, upscale ? 190 : 95, 0.3), CH_CARD, "lodging", where);
			if (rng_chance(&r, 0.7))
				add(g, &ad, tin(c, &r, 6, 21), a, payee_acct(g, &r, "fuel"), lognorm_usd(&r, 45, 0.3), CH_CARD,
				    "fuel", where);
		}
		if ((p->flags & P_TRAVELLER) && c->dom == 2 + i % 20 && rng_chance(&r, 0.7))
			add(g, &ad, tin(c, &r, 7, 22), a, payee_acct(g, &r, "airline"), lognorm_usd(&r, 260, 0.4),
			    CH_CARD, "airline", p->place);
		/* Cash from the ATM; border residents use more cash. */
		if (rng_chance(&r, (p->flags & P_BORDER ? 5.0 : 3.0) / 30))
			add(g, &ad, tin(c, &r, 7, 23), a, GEN_NONE,
			    cash20(rng_lognormal(&r, log(p->flags & P_BORDER ? 200 : 100), 0.6)), CH_CASH, NULL, where);
		/* Money between friends and family. */
		if (rng_chance(&r, 2.0 / 30)) {
			uint32_t o = gen_person_at(g, &r, p->place);
			struct gen_ev *e;

			if (o != i && gen_P(g, o)->acct != GEN_NONE) {
				e = add(g, &ad, tin(c, &r, 8, 23), a, gen_P(g, o)->acct, lognorm_usd(&r, 40, 0.8), CH_P2P,
					NULL, p->place);
				if (e && rng_chance(&r, 0.6))
					gen_ev_memo(g, e, &r, M_P2P, 0);
			}
		}
		if ((p->flags & P_CASH_TIPS) && c->wd == 6)
			add(g, &ad, tin(c, &r, 10, 16), GEN_NONE, a, cash20(150 + rng_uniform(&r) * 450), CH_CASH, NULL,
			    p->place);
		if (p->flags & P_ISW) {
			/* An independent adult: her own ads, hotels on tour, clients' P2P. */
			uint32_t nc;

			if (rng_chance(&r, 2.0 / 7))
				add(g, &ad, tin(c, &r, 9, 23), a, payee_acct(g, &r, "escort_ads"), lognorm_usd(&r, 40, 0.4),
				    CH_CARD, "escort_ads", where);
			nc = rng_poisson(&r, 0.7);
			for (k = 0; k < nc; k++) {
				uint32_t o = gen_person_at(g, &r, where);
				struct gen_ev *e;

				if (o == i || gen_P(g, o)->acct == GEN_NONE || gen_P(g, o)->sex != 0)
					continue;
				e = add(g, &ad, tin(c, &r, 19, 26), gen_P(g, o)->acct, a, (double)(150 + 50 * rng_below(&r, 6)),
					CH_P2P, NULL, where);
				if (e && rng_chance(&r, 0.3))
					gen_ev_memo(g, e, &r, M_BUYER, 0);
			}
			if (rng_chance(&r, 1.0 / 7))
				add(g, &ad, tin(c, &r, 10, 17), GEN_NONE, a, cash20(300 + rng_uniform(&r) * 1700), CH_CASH, NULL,
				    where);
		}
		/* Monthly bills. */
		if (c->dom == 1 + i % 5 && p->landlord != GEN_NONE && p->rent > 0) {
			double x = rng_uniform(&r);
			struct gen_ev *e;

			/* Tenants of individual landlords often pay in cash at the
			 * landlord's bank (many depositors, one account: benign). */
			if (x > 0.85 && gen_A(g, p->landlord)->hkind == H_PERSON)
				e = add(g, &ad, tin(c, &r, 9, 17), GEN_NONE, p->landlord, floor(p->rent), CH_CASH, NULL, p->place);
			else
				e = add(g, &ad, tin(c, &r, 7, 21), a, p->landlord, floor(p->rent),
					x < 0.5 ? CH_ACH : x < 0.75 ? CH_P2P : CH_CHECK, "rent", p->place);
			if (e && e->channel == CH_P2P && rng_chance(&r, 0.7))
				gen_ev_memo(g, e, &r, M_RENT, 0);
		}
		if (p->dep != GEN_NONE && c->dom == 15 + i % 5 && gen_P(g, p->dep)->acct != GEN_NONE && rng_chance(&r, 0.6))
			/* Cash put into the student's account at the parent's branch,
			 * in the parent's city. */
			add(g, &ad, tin(c, &r, 9, 17), GEN_NONE, gen_P(g, p->dep)->acct, cash20(100 + rng_uniform(&r) * 400),
			    CH_CASH, NULL, p->place);
		if (rng_chance(&r, 0.4 / 30))
			/* Classified listings: selling a car, a couch, a service. */
			add(g, &ad, tin(c, &r, 8, 23), a, payee_acct(g, &r, "advertising"), lognorm_usd(&r, 15, 0.6), CH_CARD,
			    "advertising", p->place);
		if (p->dep != GEN_NONE && c->dom == 2 + i % 5) {
			const struct gen_person *dp = gen_P(g, p->dep);
			struct gen_ev *e;

			if (dp->landlord != GEN_NONE && dp->rent > 0) {
				e = add(g, &ad, tin(c, &r, 7, 22), a, dp->landlord, floor(dp->rent), CH_P2P, "rent", p->place);
				if (e)
					gen_ev_memo(g, e, &r, M_RENT, 0);
			}
			add(g, &ad, tin(c, &r, 7, 22), a, payee_acct(g, &r, "phone"), lognorm_usd(&r, 45, 0.2), CH_CARD,
			    "phone", p->place);
		}
		if (c->dom == 8 + i % 20)
			add(g, &ad, tin(c, &r, 0, 23.9), a, payee_acct(g, &r, "phone"),
			    lognorm_usd(&r, p->flags & P_FAMILY_PHONES ? 190 : 55, 0.3), CH_CARD, "phone", p->place);
		if (c->dom == 12 + i % 15 && p->landlord != GEN_NONE)
			add(g, &ad, tin(c, &r, 0, 23.9), a, payee_acct(g, &r, "utilities"), lognorm_usd(&r, 115, 0.45),
			    CH_ACH, "utilities", p->place);
		if (c->dom == 20 + i % 8 && (i & 1))
			add(g, &ad, tin(c, &r, 0, 23.9), a, payee_acct(g, &r, "insurance"), lognorm_usd(&r, 160, 0.4),
			    CH_ACH, "insurance", p->place);
	}
	/* Wages on Fridays: weekly crews, or every other week. */
	if (p->payer != GEN_NONE && !(p->flags & P_NO_PAYROLL) && c->wd == 4 &&
	    (p->paygroup == 2 || c->week % 2 == p->paygroup)) {
		int weeks = p->paygroup == 2 ? 1 : 2;
		double hours = 30 + rng_uniform(&r) * 14;
		double pay = floor(p->wage * hours * weeks * 0.82 * 100) / 100;

		if (p->acct != GEN_NONE)
			add(g, &ad, tin(c, &r, 3, 7), p->payer, p->acct, pay, CH_ACH, "payroll", p->place);
		else
			add(g, &ad, tin(c, &r, 9, 18), p->payer, GEN_NONE, pay, CH_CHECK, "payroll", p->place);
	}
	/* Remittances to family abroad (pooled siblings send more). */
	if ((p->flags & P_REMIT) && p->rel != GEN_NONE &&
	    (c->dom == 3 + i % 10 || (c->dom == 18 + i % 10 && rng_chance(&r, 0.5))) && rng_chance(&r, 0.85)) {
		uint32_t to = gen_P(g, p->rel)->acct;
		double amt = lognorm_usd(&r, p->flags & P_POOL ? 420 : 320, 0.5);
		struct gen_ev *e;

		if (to != GEN_NONE) {
			if (p->acct != GEN_NONE)
				e = add(g, &ad, tin(c, &r, 8, 21), p->acct, to, floor(amt), CH_WIRE, "remittance", p->place);
			else
				e = add(g, &ad, tin(c, &r, 9, 20), GEN_NONE, to, floor(amt), CH_CASH, "remittance", p->place);
			if (e && rng_chance(&r, 0.6))
				gen_ev_memo(g, e, &r, M_FAMILY, 0);
		}
	}
	if (ad.failed)
		*failed = 1;
}

static void biz_day(const struct day_ctx *c, uint32_t bi, struct vec *out, int *failed)
{
	gen_t *g = c->g;
	const struct gen_biz *b = gen_B(g, bi);
	struct adder ad = { out, (uint32_t)g->persons.len + bi, 0, 0 };
	struct rng r;
	uint32_t a = b->acct;
	int retail;

	if (a == GEN_NONE)
		return;
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_DAY_BIZ, bi, (uint32_t)c->d));
	if (!(b->flags & B_FRONT)) {
		retail = b->kind == BK_RESTAURANT || b->kind == BK_GROCERY || b->kind == BK_MASSAGE ||
			 b->kind == BK_NAILS || b->kind == BK_HOTEL || b->kind == BK_AUTO;
		if (retail && !(c->wd == 6 && b->kind == BK_AUTO)) {
			/* Card takings settle overnight. */
			add(g, &ad, tin(c, &r, 2, 5), g->processor_acct, a,
			    floor(b->revenue * (1 - b->cash_share) * rng_lognormal(&r, 0, 0.2) * 100) / 100, CH_ACH,
			    "card_processor", b->place);
			if (rng_chance(&r, b->flags & B_CASH_HEAVY ? 0.9 : 0.35)) {
				double cash = b->revenue * b->cash_share * rng_lognormal(&r, 0, 0.25) *
					      (b->flags & B_CASH_HEAVY ? 1.1 : 2.5);
				/* Restaurants use the night drop box (look-alike of T7). */
				int night = b->kind == BK_RESTAURANT && rng_chance(&r, 0.4);

				uint16_t where = b->place;

				if (b->flags & B_BRANCHES) {
					/* Each outlet banks its own takings, near where it is. */
					int k = (int)rng_below(&r, 3);

					where = k ? b->branch[k - 1] : b->place;
				}
				if (cash > g->k.ctr_threshold && (b->flags & B_CASH_HEAVY) && rng_chance(&r, 0.5)) {
					add(g, &ad, tin(c, &r, night ? 21 : 9, night ? 23.9 : 17), GEN_NONE, a, cash20(cash * 0.55),
					    CH_CASH, NULL, where);
					add(g, &ad, tin(c, &r, 9, 17), GEN_NONE, a, cash20(cash * 0.45), CH_CASH, NULL, where);
				} else {
					add(g, &ad, tin(c, &r, night ? 21 : 9, night ? 23.9 : 17), GEN_NONE, a, cash20(cash),
					    CH_CASH, NULL, where);
				}
			}
		}
		if (c->wd == 1 && (b->kind == BK_RESTAURANT || b->kind == BK_GROCERY || b->kind == BK_CONSTRUCTION ||
				   b->kind == BK_FARM || b->kind == BK_AUTO))
			add(g, &ad, tin(c, &r, 8, 17), a, payee_acct(g, &r, "supplier"),
			    floor(b->revenue * 7 * 0.25 * rng_lognormal(&r, 0, 0.2)), CH_ACH, "supplier", b->place);
		if (c->wd == 1 && b->kind == BK_STAFFING && b->client != GEN_NONE)
			add(g, &ad, tin(c, &r, 8, 12), gen_B(g, b->client)->acct, a,
			    floor(b->nstaff * b->wage * 40 * 1.35 * rng_lognormal(&r, 0, 0.1)), CH_ACH, NULL, b->place);
		if (c->wd == 2 && b->kind == BK_FARM)
			add(g, &ad, tin(c, &r, 8, 12), payee_acct(g, &r, "wholesale_produce"), a,
			    floor(b->nstaff * b->wage * 40 * 1.6 * rng_lognormal(&r, 0, 0.25)), CH_ACH, NULL, b->place);
		if ((b->kind == BK_CONSTRUCTION || b->kind == BK_CLEANING || b->kind == BK_TRUCKING ||
		     b->kind == BK_PROPERTY) && (c->wd == 1 || c->wd == 3)) {
			/* Client payments from other businesses. */
			uint32_t o = (uint32_t)rng_below(&r, g->bizs.len);

			if (o != bi && gen_B(g, o)->acct != GEN_NONE && !(gen_B(g, o)->flags & B_FRONT))
				add(g, &ad, tin(c, &r, 8, 17), gen_B(g, o)->acct, a,
				    floor(b->revenue * 2.5 * rng_lognormal(&r, 0, 0.4)), rng_chance(&r, 0.6) ? CH_ACH : CH_CHECK,
				    NULL, b->place);
		}
		if (b->kind == BK_MSB && c->wd != 6) {
			/* A licensed money transmitter: agents' cash in, one wire south
			 * a day (look-alike of S3). */
			int nd = 2 + (int)rng_below(&r, 4), k;
			double total = 0;
			int corr = rng_chance(&r, 0.7) ? C_MX : (int)(C_GT + rng_below(&r, 3));

			for (k = 0; k < nd; k++) {
				double x = cash20(rng_lognormal(&r, log(6000), 0.6));
				uint16_t where = (b->flags & B_BRANCHES) && (k & 1) ? b->branch[k / 2 % 2] : b->place;

				total += x;
				add(g, &ad, tin(c, &r, 9, 18), GEN_NONE, a, x, CH_CASH, NULL, where);
			}
			add(g, &ad, tin(c, &r, 15, 18), a, g->msb_corr[corr], floor(total * 0.97), CH_WIRE, "remittance",
			    b->place);
		}
		if ((b->flags & B_LOOKALIKE) && b->kind == BK_FARM && c->d == 3) {
			/* An H-2A employer pays its workers' visa fees (lawful: the
			 * employer must bear them). */
			int k;

			for (k = 0; k < b->nstaff; k++)
				add(g, &ad, tin(c, &r, 9, 16), a, payee_acct(g, &r, "visa_fee"), 190, CH_CARD, "visa_fee",
				    b->place);
		}
		if (c->dom == 28 && b->owner != GEN_NONE && gen_P(g, b->owner)->acct != GEN_NONE)
			add(g, &ad, tin(c, &r, 9, 17), a, gen_P(g, b->owner)->acct,
			    floor(b->revenue * 30 * 0.08 * rng_lognormal(&r, 0, 0.3)), CH_ACH, NULL, b->place);
	}
	if (c->dom == 1 && b->nstaff)
		add(g, &ad, tin(c, &r, 8, 17), a, payee_acct(g, &r, "mortgage"), floor(b->revenue * 30 * 0.06),
		    CH_ACH, "rent", b->place);
	if (c->dom == 15)
		add(g, &ad, tin(c, &r, 0, 23.9), a, payee_acct(g, &r, "utilities"), lognorm_usd(&r, 400, 0.5), CH_ACH,
		    "utilities", b->place);
	if (ad.failed)
		*failed = 1;
}

static int ev_cmp(const void *x, const void *y)
{
	const struct gen_ev *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->owner != b->owner)
		return a->owner < b->owner ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void memo_out(gen_t *g, const struct gen_ev *e, struct sbuf *sb)
{
	const char *t = gen_memo_text(g, e->memo_kind, e->memo - 1u), *p;
	struct sbuf m = SBUF_INIT;
	static const char *const en[12] = { "January", "February", "March", "April", "May", "June", "July",
					    "August", "September", "October", "November", "December" };
	static const char *const es[12] = { "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
					    "agosto", "septiembre", "octubre", "noviembre", "diciembre" };

	if (!strchr(t, '{')) {
		gb_csv(sb, t);
		return;
	}
	for (p = t; *p; p++) {
		if (strncmp(p, "{name}", 6) == 0) {
			if (e->memo_arg < g->persons.len) {
				const char *gv = gen_P(g, e->memo_arg)->given, *sp = strchr(gv, ' ');

				sbuf_add(&m, gv, sp ? (size_t)(sp - gv) : strlen(gv));
			}
			p += 5;
		} else if (strncmp(p, "{month}", 7) == 0) {
			int y;
			unsigned mo, d;

			civil_from_days(e->ts / 86400, &y, &mo, &d);
			sbuf_adds(&m, strstr(t, "renta") ? es[mo - 1] : en[mo - 1]);
			p += 6;
		} else if (strncmp(p, "{n}", 3) == 0) {
			gb_u64(&m, e->memo_arg);
			p += 2;
		} else {
			sbuf_addc(&m, *p);
		}
	}
	gb_csv(sb, m.buf);
	sbuf_release(&m);
}

/* Pre-formatted fields: "number,bank,name" per account, "city,region,CC"
 * per place (CSV-escaped once, not once per row). */
struct fields {
	char **acct;
	uint16_t *acct_len;
	char **place;
	uint16_t *place_len;
};

static char *csv_dup(struct arena *ar, const char *a, const char *b, const char *c, uint16_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char *out;

	gb_csv(&sb, a);
	sbuf_addc(&sb, ',');
	gb_csv(&sb, b);
	sbuf_addc(&sb, ',');
	gb_csv(&sb, c);
	out = sbuf_failed(&sb) || sb.len > 60000 ? NULL : arena_strndup(ar, sb.buf, sb.len);
	*len = (uint16_t)sb.len;
	sbuf_release(&sb);
	return out;
}

static int fields_build(gen_t *g, struct fields *f)
{
	size_t i;

	f->acct = mem_alloc(sizeof(char *) * (g->accounts.len + 1));
	f->acct_len = mem_alloc(sizeof(uint16_t) * (g->accounts.len + 1));
	f->place = mem_alloc(sizeof(char *) * (g->d.nplaces + 1));
	f->place_len = mem_alloc(sizeof(uint16_t) * (g->d.nplaces + 1));
	if (!f->acct || !f->acct_len || !f->place || !f->place_len)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < g->accounts.len; i++) {
		const struct gen_account *a = gen_A(g, (uint32_t)i);

		f->acct[i] = csv_dup(&g->arena, a->num, g->d.banks[a->bank].code, a->name, &f->acct_len[i]);
		if (!f->acct[i])
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < g->d.nplaces; i++) {
		const struct gen_place *pl = &g->d.places[i];

		f->place[i] = csv_dup(&g->arena, pl->city, pl->region, gen_country_code[pl->country], &f->place_len[i]);
		if (!f->place[i])
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return 0;
}

static void fields_release(struct fields *f)
{
	mem_free(f->acct);
	mem_free(f->acct_len);
	mem_free(f->place);
	mem_free(f->place_len);
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_u64w(char *p, uint64_t v, int width)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while (24 - i < width && i > 0)
		tmp[--i] = '0';
	return put(p, tmp + i, (size_t)(24 - i));
}

static char *put_cents(char *p, int64_t cents)
{
	p = put_u64w(p, (uint64_t)(cents < 0 ? -cents : cents) / 100, 1);
	*p++ = '.';
	*p++ = (char)('0' + (cents < 0 ? -cents : cents) % 100 / 10);
	*p++ = (char)('0' + (cents < 0 ? -cents : cents) % 10);
	return p;
}

#define ROW_MAX 4096   /* room reserved per row; every field is far shorter */

static void day_format(gen_t *g, const struct fields *fl, const struct day_ctx *c, struct day_buf *db)
{
	size_t i;
	char date[9], hms[10];
	int y;
	unsigned m, d;
	struct sbuf memo = SBUF_INIT;
	const struct gen_ev *ev = db->ev.data;

	civil_from_days(g->k.start_day + c->d, &y, &m, &d);
	snprintf(date, sizeof date, "%04d%02u%02u", y % 10000, m % 100, d % 100);
	for (i = 0; i < db->ev.len; i++) {
		const struct gen_ev *e = &ev[db->order[i]];
		struct sbuf *sb = &db->text;
		unsigned sec = (unsigned)(e->ts - c->day_ts);
		char *p;

		if (e->memo) {
			sbuf_clear(&memo);
			memo_out(g, e, &memo);
		}
		if (sbuf_grow(sb, ROW_MAX + memo.len)) {
			db->failed = 1;
			break;
		}
		p = sb->buf + sb->len;
		*p++ = 'T';
		p = put(p, date, 8);
		*p++ = '-';
		p = put_u64w(p, i + 1, 6);
		*p++ = ',';
		/* YYYY-MM-DDTHH:MM:SS */
		p = put(p, date, 4);
		*p++ = '-';
		p = put(p, date + 4, 2);
		*p++ = '-';
		p = put(p, date + 6, 2);
		hms[0] = 'T';
		hms[1] = (char)('0' + sec / 36000);
		hms[2] = (char)('0' + sec / 3600 % 10);
		hms[3] = ':';
		hms[4] = (char)('0' + sec / 600 % 6);
		hms[5] = (char)('0' + sec / 60 % 10);
		hms[6] = ':';
		hms[7] = (char)('0' + sec % 60 / 10);
		hms[8] = (char)('0' + sec % 10);
		p = put(p, hms, 9);
		*p++ = ',';
		if (e->from != GEN_NONE)
			p = put(p, fl->acct[e->from], fl->acct_len[e->from]);
		else
			p = put(p, ",,", 2);
		*p++ = ',';
		if (e->to == GEN_NONE) {
			p = put(p, ",,", 2);
		} else if (e->to_name != GEN_NONE) {
			/* A payee named on the payment, not the account's holder. */
			const struct gen_account *a = gen_A(g, e->to);
			struct sbuf n = SBUF_INIT, q = SBUF_INIT;

			gen_person_fullname(g, gen_P(g, e->to_name), &n);
			gb_csv(&q, n.buf);
			p = put(p, a->num, strlen(a->num));
			*p++ = ',';
			p = put(p, g->d.banks[a->bank].code, strlen(g->d.banks[a->bank].code));
			*p++ = ',';
			if (!sbuf_failed(&q) && q.len < 1024)
				p = put(p, q.buf, q.len);
			sbuf_release(&n);
			sbuf_release(&q);
		} else {
			p = put(p, fl->acct[e->to], fl->acct_len[e->to]);
		}
		*p++ = ',';
		p = put_cents(p, e->cents);
		*p++ = ',';
		p = put(p, gen_currency[e->currency], 3);
		*p++ = ',';
		p = put(p, gen_channel_name[e->channel], strlen(gen_channel_name[e->channel]));
		*p++ = ',';
		if (e->category)
			p = put(p, e->category, strlen(e->category));
		*p++ = ',';
		p = put(p, fl->place[e->place], fl->place_len[e->place]);
		*p++ = ',';
		if (e->memo)
			p = put(p, memo.buf, memo.len);
		if (g->k.labels) {
			*p++ = ',';
			*p++ = e->net != GEN_NONE ? '1' : '0';
			*p++ = ',';
			if (e->net != GEN_NONE) {
				const char *id = ((struct gen_net *)vec_at(&g->nets, e->net))->id;

				p = put(p, id, strlen(id));
			}
		}
		*p++ = '\n';
		sb->len = (size_t)(p - sb->buf);
		sb->buf[sb->len] = '\0';
		if (e->net != GEN_NONE) {
			uint64_t v = (uint64_t)e->net << 32 | (uint64_t)(i + 1);

			if (vec_push(&db->netids, &v))
				db->failed = 1;
			db->illicit++;
		}
	}
	if (sbuf_failed(&memo))
		db->failed = 1;
	sbuf_release(&memo);
	db->n = db->ev.len;
	if (sbuf_failed(&db->text))
		db->failed = 1;
}

struct sim {
	gen_t *g;
	struct fields fl;
	double *spend_cum;
	size_t *net_at;       /* first network event of each day (days + 1) */
};

static void day_build(struct sim *s, int d, struct day_buf *db)
{
	gen_t *g = s->g;
	struct day_ctx c;
	int y, failed = 0;
	unsigned m, dd;
	size_t i;
	int64_t abs_day = g->k.start_day + d;

	vec_clear(&db->ev);
	vec_clear(&db->netids);
	sbuf_clear(&db->text);
	db->n = db->illicit = 0;
	db->failed = 0;
	c.g = g;
	c.d = d;
	c.day_ts = abs_day * 86400;
	c.wd = (int)((abs_day + 3) % 7);
	c.week = (int)((abs_day + 3) / 7);
	civil_from_days(abs_day, &y, &m, &dd);
	c.dom = dd;
	c.mdays = 31;
	c.spend_cum = s->spend_cum;
	for (i = 0; i < g->persons.len; i++)
		person_day(&c, (uint32_t)i, &db->ev, &failed);
	for (i = 0; i < g->bizs.len; i++)
		biz_day(&c, (uint32_t)i, &db->ev, &failed);
	for (i = s->net_at[d]; i < s->net_at[d + 1]; i++)
		if (vec_push(&db->ev, vec_at(&g->netev, i)))
			failed = 1;
	if (!failed && db->order_cap < db->ev.len) {
		mem_free(db->order);
		db->order_cap = db->ev.len + db->ev.len / 4 + 1024;
		db->order = mem_alloc(sizeof(uint32_t) * db->order_cap);
		if (!db->order) {
			db->order_cap = 0;
			failed = 1;
		}
	}
	if (failed || !db->count) {
		db->failed = 1;
		return;
	}
	/* Stable counting sort on the second of the day.  Events were drawn
	 * person by person, then business, then network (each network's in
	 * time order), so ties keep the (owner, draw) order of ev_cmp. */
	{
		const struct gen_ev *ev = db->ev.data;
		uint32_t k, sum = 0;

		memset(db->count, 0, sizeof(uint32_t) * 86401);
		for (i = 0; i < db->ev.len; i++)
			db->count[ev[i].ts - c.day_ts + 1]++;
		for (k = 0; k < 86400; k++) {
			sum += db->count[k + 1];
			db->count[k + 1] = sum;
		}
		for (i = 0; i < db->ev.len; i++)
			db->order[db->count[ev[i].ts - c.day_ts]++] = (uint32_t)i;
	}
	day_format(g, &s->fl, &c, db);
}

/* ---- the run ------------------------------------------------------------ */

struct worker {
	struct sim *sim;
	struct day_buf buf;
	int day;
	pthread_t th;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	day_build(w->sim, w->day, &w->buf);
	return NULL;
}

static int netev_cmp(const void *x, const void *y)
{
	return ev_cmp(x, y);
}

int gen_txn_run(gen_t *g)
{
	struct sim s;
	struct gen_out o;
	struct worker *w;
	int nth = g->k.threads, d, rc, t;
	size_t i;

	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.fd = -1;
	s.g = g;
	s.spend_cum = mem_alloc(sizeof(double) * (g->d.nspend ? g->d.nspend : 1));
	s.net_at = mem_calloc((size_t)g->k.days + 2, sizeof(size_t));
	w = mem_calloc((size_t)nth, sizeof *w);
	if (!s.spend_cum || !s.net_at || !w) {
		mem_free(s.spend_cum);
		mem_free(s.net_at);
		mem_free(w);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	{
		double acc = 0;

		for (i = 0; i < g->d.nspend; i++) {
			acc += g->d.spend[i].per_month;
			s.spend_cum[i] = acc;
		}
	}
	/* Network events in time order, indexed by day. */
	qsort(g->netev.data, g->netev.len, sizeof(struct gen_ev), netev_cmp);
	for (i = 0; i < g->netev.len; i++) {
		const struct gen_ev *e = vec_at(&g->netev, i);
		int64_t day = e->ts / 86400 - g->k.start_day;

		s.net_at[day + 1]++;
	}
	for (d = 0; d < g->k.days; d++)
		s.net_at[d + 1] += s.net_at[d];
	for (t = 0; t < nth; t++) {
		w[t].sim = &s;
		vec_init(&w[t].buf.ev, sizeof(struct gen_ev));
		vec_init(&w[t].buf.netids, sizeof(uint64_t));
		sbuf_init(&w[t].buf.text);
		w[t].buf.count = mem_alloc(sizeof(uint32_t) * 86401);
	}
	rc = fields_build(g, &s.fl);
	if (!rc)
		rc = gout_open(g, &o, "transactions.csv");
	if (!rc) {
		sbuf_adds(&o.b, "txn_id,timestamp,from_account,from_bank,from_name,to_account,to_bank,to_name,amount,"
				"currency,channel,category,city,region,country,memo");
		sbuf_adds(&o.b, g->k.labels ? ",label,label_group\n" : "\n");
	}
	for (d = 0; d < g->k.days && !rc; d += nth) {
		int batch = g->k.days - d < nth ? g->k.days - d : nth, started = 0;

		/* Days of a batch are built in parallel (the calling thread builds
		 * the first), then written in order. */
		for (t = 0; t < batch; t++)
			w[t].day = d + t;
		for (t = 1; t < batch; t++) {
			if (pthread_create(&w[t].th, NULL, worker_main, &w[t]) != 0)
				break;
			started = t;
		}
		day_build(&s, w[0].day, &w[0].buf);
		for (t = started + 1; t < batch; t++)
			day_build(&s, w[t].day, &w[t].buf);   /* threads we could not start */
		for (t = 1; t <= started; t++)
			pthread_join(w[t].th, NULL);
		for (t = 0; t < batch && !rc; t++) {
			struct day_buf *db = &w[t].buf;
			size_t k;

			if (db->failed) {
				rc = gen_fail(g, RASTRO_NOMEM, "out of memory while simulating day %d", w[t].day + 1);
				break;
			}
			rc = gout_write(g, &o, db->text.buf, db->text.len);
			if (rc)
				break;
			o.rows += db->n;
			g->stats->transactions += db->n;
			g->stats->illicit_transactions += db->illicit;
			for (k = 0; k < db->netids.len && !rc; k++) {
				uint64_t v = ((uint64_t *)db->netids.data)[k];
				struct gen_net *n = vec_at(&g->nets, (size_t)(v >> 32));
				uint64_t id = (uint64_t)w[t].day << 32 | (v & 0xffffffffu);

				if (vec_push(&n->txns, &id))
					rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
			}
			if (!rc)
				rc = gout_maybe_flush(g, &o);
		}
		gen_progress(g, "transactions", (uint64_t)(d + batch), (uint64_t)g->k.days);
	}
	for (t = 0; t < nth; t++) {
		vec_release(&w[t].buf.ev);
		vec_release(&w[t].buf.netids);
		sbuf_release(&w[t].buf.text);
		mem_free(w[t].buf.order);
		mem_free(w[t].buf.count);
	}
	fields_release(&s.fl);
	mem_free(w);
	mem_free(s.spend_cum);
	mem_free(s.net_at);
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	return gout_close(g, &o);
}
