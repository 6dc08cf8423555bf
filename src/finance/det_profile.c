/*
 * det_profile: detectors that compare what an account pays for, or earns,
 * with what its holder is — payments to escort and classified-ad sites,
 * one payer covering many people's lodging, travel and phones, several
 * workers' wages swept into one account, businesses whose revenue is out of
 * line with peers of the same kind, and deposits far above others in the
 * same occupation (FIN-2014-A008, FIN-2020-A008, FIN-2023-Alert001).
 *
 * Victim-centred: where an indicator describes people who are exploited
 * (workers whose wages are swept, people whose lodging a controller pays),
 * the signal is attributed to the account that controls the money and the
 * exploited people's accounts are listed as `affected` in its details, for
 * the victims module; they are never the subject.
 */
#include "fin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "normalize/name.h"

#define HOUR 3600
#define DAY 86400

static const uint32_t *in_l(const struct fin_data *d, uint32_t a, size_t *n)
{
	*n = d->in_off[a + 1] - d->in_off[a];
	return d->in_tx + d->in_off[a];
}

static const uint32_t *out_l(const struct fin_data *d, uint32_t a, size_t *n)
{
	*n = d->out_off[a + 1] - d->out_off[a];
	return d->out_tx + d->out_off[a];
}

static int64_t day_of(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* ---- FIN.ESCORT_SITE_PAY ---- */

struct es_p {
	int det;
	int64_t window;
	uint32_t min_payments;
	uint8_t *site;      /* per account: on the ad-site list */
	uint8_t *cat;       /* per string id: escort-ad category */
};

static void es_release(void *state)
{
	struct es_p *p = state;

	mem_free(p->site);
	mem_free(p->cat);
	mem_free(p);
}

/* What an escort or classified-ad site is, for FIN.ESCORT_SITE_PAY and
 * FIN.ESCORT_ADS_ELSEWHERE alike (FIN.ESCORT_SITE_PAY's settings):
 * per account, a merchant on the ad-site list; per string id, an ad
 * category.  The caller frees both. */
static int es_flags(struct fin_run *r, uint8_t **site, uint8_t **cat)
{
	static const char *const def[] = { "escort_ads", "adult_ads", "escort_site", NULL };
	const struct fin_data *d = r->d;
	int det = fin_detector_find("FIN.ESCORT_SITE_PAY");
	size_t i;

	*site = mem_calloc(d->nacc + 1, 1);
	*cat = fin_cat_flags(r, det, "categories", def, 1);
	if (!*site || !*cat)
		return RASTRO_NOMEM;
	/* merchants are accounts named after the site (entity label = the
	 * to_name of the payment, e.g. "SkipTheGames") */
	for (i = 0; i < d->nacc; i++)
		(*site)[i] = (uint8_t)(fin_list_has(&r->lists->adsite, fin_strv(d, d->acc_label[i])) ||
				       fin_list_has(&r->lists->adsite, fin_strv(d, d->k_name[i])));
	return 0;
}

static int es_prepare(struct fin_run *r, void **state)
{
	struct es_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.ESCORT_SITE_PAY");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_payments = (uint32_t)fin_param_int(r, p->det, "min_payments", 2);
	return es_flags(r, &p->site, &p->cat);
}

/* 1 when t is a payment by a to an escort or classified-ad site. */
static int es_is_ad(const struct fin_data *d, const uint8_t *site, const uint8_t *cat, uint32_t a, uint32_t t)
{
	if (d->amt[t] <= 0 || d->dst[t] == a)
		return 0;
	return (d->dst[t] != FIN_NONE && site[d->dst[t]]) || cat[d->cat[t]];
}

static int es_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct es_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i, lo = 0, best_lo = 0, best_hi = 0, k;
	const uint32_t *ol = out_l(d, a, &no);
	uint32_t cnt = 0, best = 0;
	const uint32_t *l;
	struct fin_sigb b;
	char usd[48];

	if (no < p->min_payments || p->site[a])
		return 0;
	x->tmp32.len = 0;
	for (i = 0; i < no; i++) {
		uint32_t t = ol[i];

		if (es_is_ad(d, p->site, p->cat, a, t) && vec_push(&x->tmp32, &t))
			return RASTRO_NOMEM;
	}
	l = x->tmp32.data;
	for (i = 0; i < x->tmp32.len; i++) {
		cnt++;
		while (d->ts[l[i]] - d->ts[l[lo]] > p->window) {
			lo++;
			cnt--;
		}
		if (cnt > best) {
			best = cnt;
			best_lo = lo;
			best_hi = i;
		}
	}
	if (best < p->min_payments)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(best, p->min_payments, 4.0 * p->min_payments));
	sbuf_clear(&x->sb);
	{
		uint32_t st2 = fin_stamp(x);
		int first = 1;

		for (k = best_lo; k <= best_hi; k++) {
			uint32_t t = l[k], m = d->dst[t];
			const char *name = m != FIN_NONE && d->acc_label[m] ? fin_strv(d, d->acc_label[m])
									    : fin_strv(d, d->cat[t]);
			uint32_t key = m != FIN_NONE ? d->acc_label[m] : d->cat[t];

			fin_sig_ev(&b, t);
			if (key && x->str_mark[key] != st2) {
				x->str_mark[key] = st2;
				sbuf_addf(&x->sb, "%s%s", first ? "" : ", ", name);
				first = 0;
			}
		}
	}
	fin_fmt_usd(usd, sizeof usd, fin_sum_usd(d, l + best_lo, best_hi - best_lo + 1, NULL));
	fin_sig_int(&b, "payments", best);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_str(&b, "sites", x->sb.buf);
	fin_sig_say(&b, "Account %s made %u payments to escort or classified-ad sites (%s) within %.0f days, "
		    "%s in total.", fin_acc_name(d, a), best, x->sb.buf, (double)p->window / DAY, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.ESCORT_ADS_ELSEWHERE ---- */

/*
 * Escort-site fees paid at places where the account shows no presence of
 * its own.  An adult worker advertising herself pays for ads where she
 * lives or works, and where she travels she also buys fuel, food and
 * rooms; an account that buys a stream of ads placed in cities its holder
 * is never seen in advertises other people there: FIN-2014-A008's
 * escort-site payments joined with FIN-2020-A008's costs of another person,
 * the people advertised moved from city to city while the payer stays put.
 */
struct ee_p {
	int det;
	uint32_t min_payments;
	double min_share;
	uint32_t min_presence; /* the holder's own uses at known places, at least */
	uint8_t *site;      /* per account: on the ad-site list (FIN.ESCORT_SITE_PAY's) */
	uint8_t *cat;       /* per string id: escort-ad category (FIN.ESCORT_SITE_PAY's) */
	uint8_t *online;    /* per string id: a category paid online, which says nothing of where the holder is */
};

static void ee_release(void *state)
{
	struct ee_p *p = state;

	mem_free(p->site);
	mem_free(p->cat);
	mem_free(p->online);
	mem_free(p);
}

static int ee_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "online", "advertising", NULL };
	struct ee_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.ESCORT_ADS_ELSEWHERE");
	p->min_payments = (uint32_t)fin_param_int(r, p->det, "min_payments", 6);
	p->min_share = fin_param(r, p->det, "min_share", 0.3);
	p->min_presence = (uint32_t)fin_param_int(r, p->det, "min_presence", 10);
	p->online = fin_cat_flags(r, p->det, "online_categories", def, 1);
	if (!p->online)
		return RASTRO_NOMEM;
	return es_flags(r, &p->site, &p->cat);
}

/* Marks in x->str_mark (stamp st) the places where the holder of a was
 * present: card, cash and prepaid debits that are not ad fees nor paid
 * online, and cash deposits with no paying account; *uses counts them.
 * Returns the number of ad fees seen on the way. */
static uint32_t ee_presence(const struct ee_p *p, const struct fin_data *d, uint32_t a, struct fin_scratch *x,
			    uint32_t st, uint32_t *uses)
{
	size_t no, ni, i;
	const uint32_t *ol = out_l(d, a, &no), *il = in_l(d, a, &ni);
	uint32_t ads = 0;

	*uses = 0;
	for (i = 0; i < no; i++) {
		uint32_t t = ol[i];

		if (es_is_ad(d, p->site, p->cat, a, t)) {
			ads++;
		} else if ((d->chan[t] == CH_CARD || d->chan[t] == CH_CASH || d->chan[t] == CH_PREPAID) &&
			   !p->online[d->cat[t]] && d->place[t]) {
			x->str_mark[d->place[t]] = st;
			(*uses)++;
		}
	}
	for (i = 0; i < ni; i++)
		if (d->chan[il[i]] == CH_CASH && d->src[il[i]] == FIN_NONE && d->place[il[i]]) {
			x->str_mark[d->place[il[i]]] = st;
			(*uses)++;
		}
	return ads;
}

static int ee_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct ee_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i;
	const uint32_t *ol = out_l(d, a, &no);
	uint32_t seen, ads, uses, remote, places = 0;
	const uint32_t *l;
	struct fin_sigb b;
	char usd[48];

	if (no < p->min_payments || p->site[a])
		return 0;
	seen = fin_stamp(x);
	ads = ee_presence(p, d, a, x, seen, &uses);
	/* an account with (almost) no use of its own says nothing of where
	 * its holder is */
	if (ads < p->min_payments || uses < p->min_presence)
		return 0;
	/* an unknown place (id 0) is nowhere: never counted as elsewhere */
	x->str_mark[0] = seen;
	x->tmp32.len = 0;
	for (i = 0; i < no; i++)
		if (es_is_ad(d, p->site, p->cat, a, ol[i]) && x->str_mark[d->place[ol[i]]] != seen &&
		    vec_push(&x->tmp32, &ol[i]))
			return RASTRO_NOMEM;
	remote = (uint32_t)x->tmp32.len;
	if (remote < p->min_payments || remote < p->min_share * ads)
		return 0;
	l = x->tmp32.data;
	fin_sig_begin(&b, out, p->det, a, fin_strength(remote, p->min_payments, 4.0 * p->min_payments));
	sbuf_clear(&x->sb);
	seen = fin_stamp(x);
	for (i = 0; i < remote; i++) {
		fin_sig_ev(&b, l[i]);
		if (x->str_mark[d->place[l[i]]] != seen) {
			x->str_mark[d->place[l[i]]] = seen;
			sbuf_addf(&x->sb, "%s%s", places++ ? ", " : "", fin_strv(d, d->city[l[i]]));
		}
	}
	fin_fmt_usd(usd, sizeof usd, fin_sum_usd(d, l, remote, NULL));
	fin_sig_int(&b, "payments_elsewhere", remote);
	fin_sig_int(&b, "ad_payments", ads);
	fin_sig_int(&b, "places", places);
	fin_sig_str(&b, "place_list", x->sb.buf);
	fin_sig_num(&b, "min_share", p->min_share);
	fin_sig_say(&b, "Account %s paid %u escort or classified-ad fees (%s) placed in %u %s where it shows no "
		    "other activity (%s): %.0f%% of its %u ad payments — ads for people elsewhere.",
		    fin_acc_name(d, a), remote, usd, places, places == 1 ? "city" : "cities", x->sb.buf,
		    100.0 * remote / ads, ads);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.VICTIM_COSTS ---- */

enum { SUS_NONE = 0, SUS_LODGING, SUS_TRAVEL, SUS_PHONE, SUS_FOOD, SUS_RIDE, SUS_RENT };

struct vc_p {
	int det;
	int64_t window;
	uint32_t min_people;
	double min_usd;
	uint8_t *kind;      /* per string id: SUS_* of a category */
	uint8_t *exempt;    /* per string id: business types whose line covers these costs */
};

static void vc_release(void *state)
{
	struct vc_p *p = state;

	mem_free(p->kind);
	mem_free(p->exempt);
	mem_free(p);
}

static int vc_prepare(struct fin_run *r, void **state)
{
	static const char *const lodging[] = { "lodging", "hotel", "motel", NULL };
	static const char *const travel[] = { "airline", "bus", "travel", "train", NULL };
	static const char *const phone[] = { "phone", "mobile", "telecom", NULL };
	static const char *const food[] = { "grocery", "groceries", "food", NULL };
	static const char *const ride[] = { "rideshare", "car_rental", "taxi", NULL };
	static const char *const rent[] = { "rent", NULL };
	static const char *const exempt[] = { "hotel", "travel_agency", "staffing_agency", "tour_operator", NULL };
	const struct {
		const char *name;
		const char *const *def;
		uint8_t kind;
	} kinds[] = {
		{ "lodging_categories", lodging, SUS_LODGING }, { "travel_categories", travel, SUS_TRAVEL },
		{ "phone_categories", phone, SUS_PHONE }, { "food_categories", food, SUS_FOOD },
		{ "ride_categories", ride, SUS_RIDE }, { "rent_categories", rent, SUS_RENT },
	};
	const struct fin_data *d = r->d;
	struct vc_p *p = mem_calloc(1, sizeof *p);
	size_t n = strmap_count(&d->strs) + 1, i, k;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.VICTIM_COSTS");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_people = (uint32_t)fin_param_int(r, p->det, "min_people", 3);
	p->min_usd = fin_param(r, p->det, "min_usd", 1000);
	p->kind = mem_calloc(n, 1);
	p->exempt = fin_cat_flags(r, p->det, "exempt_business_types", exempt, 1);
	if (!p->kind || !p->exempt)
		return RASTRO_NOMEM;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		uint8_t *f = fin_cat_flags(r, p->det, kinds[k].name, kinds[k].def, kinds[k].kind);

		if (!f)
			return RASTRO_NOMEM;
		for (i = 0; i < n; i++)
			if (f[i] && !p->kind[i])
				p->kind[i] = f[i];
		mem_free(f);
	}
	return 0;
}

/*
 * "How many people does this payer keep?" — estimated from the most rooms
 * paid for on one night, the phone bills paid in the window (one per line),
 * the tickets bought on one day, and the distinct people sent rent or
 * sustenance money.  The estimate is the largest of these.
 */
static int vc_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct vc_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i, lo = 0, k;
	const uint32_t *ol = out_l(d, a, &no);
	const uint32_t *l;
	size_t n, best_lo = 0, best_hi = 0;
	uint32_t best_people = 0, best_rooms = 0, best_phones = 0, best_tickets = 0, best_persons = 0;
	double best_usd = 0;
	struct fin_sigb b;
	char usd[48];

	if (no < p->min_people)
		return 0;
	if (d->k_ctype[a] == CT_BUSINESS && d->k_btype[a] && p->exempt[d->k_btype[a]])
		return 0;
	x->tmp32.len = 0;
	for (i = 0; i < no; i++)
		if (p->kind[d->cat[ol[i]]] && d->amt[ol[i]] > 0 && d->dst[ol[i]] != a &&
		    vec_push(&x->tmp32, &ol[i]))
			return RASTRO_NOMEM;
	l = x->tmp32.data;
	n = x->tmp32.len;
	if (n < p->min_people)
		return 0;
	/* evaluate each window ending at a sustenance payment */
	for (i = 0; i < n; i++) {
		uint32_t rooms = 0, phones = 0, tickets = 0, persons = 0, people;
		double usd_sum = 0;
		size_t j;
		uint32_t st2;

		while (d->ts[l[i]] - d->ts[l[lo]] > p->window)
			lo++;
		if (i + 1 < n && d->ts[l[i + 1]] - d->ts[l[lo]] <= p->window)
			continue;  /* the window grows further; judge it at its end */
		st2 = fin_stamp(x);
		for (j = lo; j <= i;) {
			int64_t day = day_of(d->ts[l[j]]);
			uint32_t day_rooms = 0, day_tickets = 0;
			size_t k2 = j;

			while (k2 <= i && day_of(d->ts[l[k2]]) == day) {
				uint32_t t = l[k2];
				uint8_t kind = p->kind[d->cat[t]];

				if (!isnan(d->usd[t]))
					usd_sum += d->usd[t];
				if (kind == SUS_LODGING)
					day_rooms++;
				else if (kind == SUS_TRAVEL)
					day_tickets++;
				else if (kind == SUS_PHONE)
					phones++;
				/* money to people's own accounts for rent or food */
				if ((kind == SUS_RENT || kind == SUS_FOOD || kind == SUS_LODGING) &&
				    d->dst[t] != FIN_NONE && d->k_ctype[d->dst[t]] == CT_PERSON &&
				    x->acc_mark[d->dst[t]] != st2) {
					x->acc_mark[d->dst[t]] = st2;
					persons++;
				}
				k2++;
			}
			if (day_rooms > rooms)
				rooms = day_rooms;
			if (day_tickets > tickets)
				tickets = day_tickets;
			j = k2;
		}
		people = rooms;
		if (phones > people)
			people = phones;
		if (tickets > people)
			people = tickets;
		if (persons > people)
			people = persons;
		if (people > best_people && usd_sum >= p->min_usd) {
			best_people = people;
			best_rooms = rooms;
			best_phones = phones;
			best_tickets = tickets;
			best_persons = persons;
			best_usd = usd_sum;
			best_lo = lo;
			best_hi = i;
		}
	}
	if (best_people < p->min_people)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(best_people, p->min_people, 3.0 * p->min_people));
	for (k = best_lo; k <= best_hi; k++) {
		uint32_t t = l[k];

		fin_sig_ev(&b, t);
		/* people whose costs are paid straight into their accounts */
		if (d->dst[t] != FIN_NONE && d->k_ctype[d->dst[t]] == CT_PERSON)
			fin_sig_aff(&b, d->dst[t]);
	}
	fin_fmt_usd(usd, sizeof usd, best_usd);
	fin_sig_int(&b, "people_estimate", best_people);
	fin_sig_int(&b, "max_rooms_one_night", best_rooms);
	fin_sig_int(&b, "phone_bills", best_phones);
	fin_sig_int(&b, "max_tickets_one_day", best_tickets);
	fin_sig_int(&b, "people_paid_for_upkeep", best_persons);
	fin_sig_num(&b, "sustenance_usd", best_usd);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_str(&b, "customer_type", d->k_ctype[a] == CT_BUSINESS ? "business"
					  : d->k_ctype[a] == CT_PERSON ? "person" : "unknown");
	fin_sig_say(&b, "Account %s paid for the upkeep of about %u people within %.0f days (%u rooms on one "
		    "night, %u phone bills, %u tickets on one day, %u people sent rent or food money; %s), "
		    "which does not fit a %s's own needs.", fin_acc_name(d, a), best_people,
		    (double)p->window / DAY, best_rooms, best_phones, best_tickets, best_persons, usd,
		    d->k_ctype[a] == CT_BUSINESS ? "business" : "single customer");
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.PAYROLL_FUNNEL ---- */

struct pf_p;
static int is_wage(const struct pf_p *p, const struct fin_data *d, uint32_t t);

struct pf_p {
	int det;
	int64_t lag;
	double min_ratio;
	uint32_t min_workers, min_same_day, min_sweeps;
	double min_swept_share;
	uint8_t *payroll;   /* per string id: payroll category */
	uint16_t *paid;     /* per account: wages received (saturating) */
};

static void pf_release(void *state)
{
	struct pf_p *p = state;

	mem_free(p->paid);
	mem_free(p->payroll);
	mem_free(p);
}

static int pf_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "payroll", "wages", "salary", NULL };
	struct pf_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.PAYROLL_FUNNEL");
	p->lag = (int64_t)(fin_param(r, p->det, "max_lag_hours", 72) * HOUR);
	p->min_ratio = fin_param(r, p->det, "min_ratio", 0.6);
	p->min_workers = (uint32_t)fin_param_int(r, p->det, "min_workers", 3);
	p->min_same_day = (uint32_t)fin_param_int(r, p->det, "min_same_day_credits", 3);
	p->min_sweeps = (uint32_t)fin_param_int(r, p->det, "min_sweeps_per_worker", 2);
	p->min_swept_share = fin_param(r, p->det, "min_swept_share", 0.5);
	p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	p->paid = mem_calloc(r->d->nacc + 1, sizeof *p->paid);
	if (!p->payroll || !p->paid)
		return RASTRO_NOMEM;
	/* who ever receives a wage: everyone else is skipped quickly */
	{
		const struct fin_data *d = r->d;
		size_t i;

		for (i = 0; i < d->ntx; i++)
			if (d->dst[i] != FIN_NONE && p->paid[d->dst[i]] < UINT16_MAX && is_wage(p, d, (uint32_t)i))
				p->paid[d->dst[i]]++;
	}
	return 0;
}

static int is_wage(const struct pf_p *p, const struct fin_data *d, uint32_t t)
{
	return fin_is_wage(d, t, p->payroll);
}

static int pf_account(struct fin_run *r, const void *st, uint32_t c, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct pf_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, i, k;
	const uint32_t *il = in_l(d, c, &ni);
	uint32_t workers = 0, same_day_max = 0, pay_days = 0;
	uint32_t stw = fin_stamp(x);
	double swept = 0, wages = 0;
	struct fin_sigb b;
	char usd[48];

	if (ni < p->min_workers)
		return 0;
	x->tmp32.len = 0;
	x->tmp32b.len = 0;
	/* (b) sweeps: c receives most of a wage from the worker's own account
	 * soon after the wage arrived there */
	for (i = 0; i < ni; i++) {
		uint32_t e = il[i], w = d->src[e];
		size_t nw, j;
		const uint32_t *wl;

		if (w == FIN_NONE || w == c || !p->paid[w] || d->amt[e] <= 0 || isnan(d->usd[e]))
			continue;
		wl = in_l(d, w, &nw);
		/* wages into w in the lag before the sweep, newest first */
		j = fin_after(wl, nw, e);
		while (j > 0) {
			uint32_t wg = wl[--j];

			if (d->ts[e] - d->ts[wg] > p->lag)
				break;
			if (!is_wage(p, d, wg) || isnan(d->usd[wg]))
				continue;
			if (d->usd[e] >= p->min_ratio * d->usd[wg]) {
				if (x->acc_mark[w] != stw) {
					x->acc_mark[w] = stw;
					x->acc_cnt[w] = 0;
					if (vec_push(&x->tmp32b, &w))
						return RASTRO_NOMEM;
				}
				x->acc_cnt[w]++;
				swept += d->usd[e];
				wages += d->usd[wg];
				if (vec_push(&x->tmp32, &e) || vec_push(&x->tmp32, &wg))
					return RASTRO_NOMEM;
			}
			break;
		}
	}
	/* a worker counts when most of their paydays end in this account,
	 * not once (rent after the first payday of a month is not a sweep) */
	{
		uint32_t *wk = x->tmp32b.data;
		size_t k2, keep = 0;

		for (k2 = 0; k2 < x->tmp32b.len; k2++) {
			uint32_t w = wk[k2];

			if (x->acc_cnt[w] >= p->min_sweeps && x->acc_cnt[w] >= p->min_swept_share * p->paid[w])
				wk[keep++] = w;
			x->acc_cnt[w] = 0;
		}
		x->tmp32b.len = keep;
		workers = (uint32_t)keep;
	}
	/* (a) several wage credits straight into one person's account on one
	 * pay day (a business or bank receiving many is a payroll service) */
	for (i = 0; i < ni && p->paid[c] && d->k_ctype[c] == CT_PERSON;) {
		int64_t day = day_of(d->ts[il[i]]);
		uint32_t cnt = 0;
		size_t j = i;

		while (j < ni && day_of(d->ts[il[j]]) == day) {
			if (is_wage(p, d, il[j]))
				cnt++;
			j++;
		}
		if (cnt >= p->min_same_day) {
			pay_days++;
			for (k = i; k < j; k++)
				if (is_wage(p, d, il[k]) && vec_push(&x->tmp32, &il[k]))
					return RASTRO_NOMEM;
		}
		if (cnt > same_day_max)
			same_day_max = cnt;
		i = j;
	}
	if (workers < p->min_workers && !pay_days)
		return 0;
	fin_sig_begin(&b, out, p->det, c,
		      fin_strength(workers > same_day_max ? workers : same_day_max, p->min_workers,
				   3.0 * p->min_workers));
	for (k = 0; k < x->tmp32.len; k++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[k]);
	/* the workers are the exploited party: listed, never the subject */
	for (k = 0; k < x->tmp32b.len; k++)
		fin_sig_aff(&b, ((uint32_t *)x->tmp32b.data)[k]);
	fin_fmt_usd(usd, sizeof usd, swept);
	fin_sig_int(&b, "workers_swept", workers);
	fin_sig_num(&b, "swept_usd", swept);
	fin_sig_num(&b, "wages_usd", wages);
	fin_sig_int(&b, "max_wage_credits_one_day", same_day_max);
	fin_sig_int(&b, "multi_wage_days", pay_days);
	fin_sig_num(&b, "max_lag_hours", (double)p->lag / HOUR);
	if (workers >= p->min_workers)
		fin_sig_say(&b, "Account %s collected the wages of %u workers: within %.0f h of each payday, "
			    "at least %.0f%% of the wage moved from the worker's account to this one (%s).",
			    fin_acc_name(d, c), workers, (double)p->lag / HOUR, p->min_ratio * 100, usd);
	else
		fin_sig_say(&b, "Account %s received up to %u separate wage payments on one day (%u such days): "
			    "several employees' pay going into one account.", fin_acc_name(d, c), same_day_max,
			    pay_days);
	fin_sig_end(&b, d, r->max_evidence);
	return fin_funnel_beneficiaries(r, p->det, "a funnel account", c,
					fin_strength(workers > same_day_max ? workers : same_day_max,
						     p->min_workers, 3.0 * p->min_workers), x, out);
}

/* ---- FIN.EARNINGS_SWEEP ---- */

struct sw_p {
	int det;
	uint32_t min_accounts;
	double share;
	int name_payees;            /* the data span enough days to tell a collector's regular payees */
	struct fin_idpair *phones;  /* accounts by KYC phone (holder_accounts on), else NULL */
	size_t nphones;
};

static void sw_release(void *state)
{
	struct sw_p *p = state;

	mem_free(p->phones);
	mem_free(p);
}

static int sw_prepare(struct fin_run *r, void **state)
{
	const struct fin_data *d = r->d;
	struct sw_p *p = mem_calloc(1, sizeof *p);
	size_t i, n = 0;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.EARNINGS_SWEEP");
	p->min_accounts = (uint32_t)fin_param_int(r, p->det, "min_accounts", 3);
	p->share = fin_param(r, p->det, "min_share", 0.6);
	/* Two payments to the same payee within a few days say little about
	 * whom a collector regularly pays: on 10 days of IBM-format data (IBM
	 * development seed 2) the beneficiaries of its collectors were 10
	 * accounts, none laundering; as FIN.ONEOFF_FANOUT, it wants a month. */
	p->name_payees = (double)(d->tmax - d->tmin) >= fin_param(r, p->det, "beneficiary_min_data_days", 30) * DAY;
	if (!fin_param_int(r, p->det, "holder_accounts", 1))
		return 0;
	/* the accounts by KYC phone, to find a collector's other accounts */
	for (i = 0; i < d->nacc; i++)
		n += d->k_phone[i] && d->k_name[i];
	p->phones = mem_alloc((n + 1) * sizeof *p->phones);
	if (!p->phones)
		return RASTRO_NOMEM;
	for (i = 0; i < d->nacc; i++)
		if (d->k_phone[i] && d->k_name[i]) {
			p->phones[p->nphones].id = d->k_phone[i];
			p->phones[p->nphones++].acc = (uint32_t)i;
		}
	if (p->nphones > 1)
		qsort(p->phones, p->nphones, sizeof *p->phones, fin_idpair_cmp);
	return 0;
}

/*
 * The collector's other accounts: KYC rows with the collector's phone and,
 * case and accents aside, its holder's name — the same person banking
 * elsewhere too (a controller's second account at another bank, paid by
 * the same buyers).  FIN-2014-A008 asks institutions to review the
 * relationship, not the account alone.  Accounts that victims hold often
 * carry the controller's phone (he opened them: FIN-2020-A008) but in
 * their own names, so the name must match as well.
 */
static int sw_holder_accounts(struct fin_run *r, const struct sw_p *p, uint32_t c, uint32_t n, double score,
			      struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	const char *nm;
	char mine[128], theirs[128];
	size_t lo = 0, hi = p->nphones, k;
	int non_latin;

	if (!p->phones || !d->k_phone[c] || !d->k_name[c])
		return 0;
	nm = fin_strv(d, d->k_name[c]);
	if (!name_fold(nm, strlen(nm), 0, mine, sizeof mine, &non_latin))
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->phones[mid].id < d->k_phone[c])
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < p->nphones && p->phones[k].id == d->k_phone[c]; k++) {
		uint32_t o = p->phones[k].acc;
		struct fin_sigb b;

		if (o == c || fin_swept(d, o))
			continue;
		nm = fin_strv(d, d->k_name[o]);
		name_fold(nm, strlen(nm), 0, theirs, sizeof theirs, &non_latin);
		if (strcmp(mine, theirs) != 0)
			continue;
		/* the collector is not named: its KYC row is the evidence */
		fin_sig_begin(&b, out, p->det, o, score);
		if (d->k_record[c])
			fin_sig_rec(&b, d->k_record[c]);
		if (d->k_record[o])
			fin_sig_rec(&b, d->k_record[o]);
		fin_sig_str(&b, "side", "holder_account");
		fin_sig_say(&b, "Account %s is held by the person (same name and phone on file) who holds an account "
			    "that collects the earnings of %u accounts (named by this indicator) — the collector's "
			    "other account.", fin_acc_name(d, o), n);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

/* The collector of swept earnings (the accounts are marked by fin_data). */
static int sw_account(struct fin_run *r, const void *st, uint32_t c, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct sw_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, i;
	const uint32_t *il = in_l(d, c, &ni);
	uint32_t n = 0, stamp = fin_stamp(x), payers = 0;
	double swept = 0, score;
	struct fin_sigb b;
	char usd[48];

	if (ni < p->min_accounts)
		return 0;
	x->tmp32.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i], w = d->src[t];

		if (w == FIN_NONE || w == c || d->sweep_to[w] != c)
			continue;
		if (x->acc_mark[w] != stamp) {
			x->acc_mark[w] = stamp;
			n++;
			payers += d->in_cp[w];
		}
		if (!isnan(d->usd[t]))
			swept += d->usd[t];
		if (vec_push(&x->tmp32, &t))
			return RASTRO_NOMEM;
	}
	if (n < p->min_accounts)
		return 0;
	score = fin_strength(n, p->min_accounts, 3.0 * p->min_accounts);
	fin_sig_begin(&b, out, p->det, c, score);
	for (i = 0; i < x->tmp32.len; i++) {
		uint32_t t = ((uint32_t *)x->tmp32.data)[i];

		fin_sig_ev(&b, t);
		fin_sig_aff(&b, d->src[t]);
	}
	fin_fmt_usd(usd, sizeof usd, swept);
	fin_sig_int(&b, "accounts_swept", n);
	fin_sig_int(&b, "their_payers", payers);
	fin_sig_num(&b, "swept_usd", swept);
	fin_sig_num(&b, "min_share", p->share);
	fin_sig_say(&b, "Account %s collects the earnings of %u accounts: each passed at least %.0f%% of what it "
		    "received from its %s payers on to this account (%s in all) — one controller taking many "
		    "people's income.", fin_acc_name(d, c), n, p->share * 100, payers > n * 3 ? "many" : "several",
		    usd);
	fin_sig_end(&b, d, r->max_evidence);
	/* where the collected money goes (the driver, the motel, the landlord:
	 * FIN-2020-A008 funnel typology, funds moved on), and the collector's
	 * other accounts */
	if (sw_holder_accounts(r, p, c, n, score, out))
		return RASTRO_NOMEM;
	return p->name_payees ? fin_funnel_beneficiaries(r, p->det, "a funnel account", c, score, x, out) : 0;
}

/* ---- peer-group outliers: FIN.FRONT_COMPANY and FIN.OCCUPATION_OUTLIER ---- */

struct peer_p {
	int det;
	int business;          /* 1 = front company (business type), 0 = occupation */
	double z_min, min_usd, min_cash_share;
	uint32_t min_peers;
	double *monthly;       /* per account: monthly inflow, NaN when not in a group */
	double *cash_share;
	float *z;              /* per account robust z of log(monthly) within its group */
	double *group_median;  /* per account: its group's median monthly inflow */
	uint32_t *group_size;
};

static void peer_release(void *state)
{
	struct peer_p *p = state;

	mem_free(p->monthly);
	mem_free(p->cash_share);
	mem_free(p->z);
	mem_free(p->group_median);
	mem_free(p->group_size);
	mem_free(p);
}

static int cmp_grp(const void *a, const void *b, void *ctx)
{
	const uint32_t *g = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (g[x] != g[y])
		return g[x] < g[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double med(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_d);
	if (!n)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int peer_prepare_common(struct fin_run *r, void **state, const char *code, int business)
{
	const struct fin_data *d = r->d;
	struct peer_p *p = mem_calloc(1, sizeof *p);
	const uint32_t *grp = business ? d->k_btype : d->k_occupation;
	uint32_t *order = NULL;
	double *tmp = NULL;
	size_t i, n = 0;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find(code);
	p->business = business;
	p->z_min = fin_param(r, p->det, "min_z", 3.5);
	p->min_usd = fin_param(r, p->det, "min_monthly_usd", 5000);
	p->min_peers = (uint32_t)fin_param_int(r, p->det, "min_peers", 8);
	p->min_cash_share = fin_param(r, p->det, "min_cash_share", business ? 0.0 : 0.25);
	p->monthly = mem_alloc((d->nacc + 1) * sizeof *p->monthly);
	p->cash_share = mem_calloc(d->nacc + 1, sizeof *p->cash_share);
	p->z = mem_calloc(d->nacc + 1, sizeof *p->z);
	p->group_median = mem_calloc(d->nacc + 1, sizeof *p->group_median);
	p->group_size = mem_calloc(d->nacc + 1, sizeof *p->group_size);
	order = mem_alloc((d->nacc + 1) * sizeof *order);
	tmp = mem_alloc((d->nacc + 1) * sizeof *tmp);
	if (!p->monthly || !p->cash_share || !p->z || !p->group_median || !p->group_size || !order || !tmp) {
		mem_free(order);
		mem_free(tmp);
		return RASTRO_NOMEM;
	}
	/* monthly inflow over the data's span (at least one month) */
	for (i = 0; i < d->nacc; i++) {
		size_t ni, k;
		const uint32_t *il = in_l(d, (uint32_t)i, &ni);
		double in = 0, cash = 0, months;

		p->monthly[i] = NAN;
		if (!grp[i] || (business && d->k_ctype[i] != CT_BUSINESS) || (!business && d->k_ctype[i] == CT_BUSINESS))
			continue;
		for (k = 0; k < ni; k++) {
			uint32_t t = il[k];

			if (d->src[t] == (uint32_t)i || isnan(d->usd[t]))
				continue;
			in += d->usd[t];
			if (d->chan[t] == CH_CASH)
				cash += d->usd[t];
		}
		months = (double)(d->tmax - d->tmin) / (30.0 * DAY);
		if (months < 1)
			months = 1;
		p->monthly[i] = in / months;
		p->cash_share[i] = in > 0 ? cash / in : 0;
		order[n++] = (uint32_t)i;
	}
	if (n > 1)
		qsort_r(order, n, sizeof *order, cmp_grp, (void *)grp);
	for (i = 0; i < n;) {
		size_t j = i, k;
		double m, mad;

		while (j < n && grp[order[j]] == grp[order[i]])
			j++;
		for (k = i; k < j; k++)
			tmp[k - i] = log1p(p->monthly[order[k]]);
		m = med(tmp, j - i);
		for (k = i; k < j; k++)
			tmp[k - i] = fabs(log1p(p->monthly[order[k]]) - m);
		mad = med(tmp, j - i) * 1.4826;
		if (mad < 0.05)
			mad = 0.05;  /* identical peers: avoid dividing by ~0 */
		for (k = i; k < j; k++) {
			uint32_t a = order[k];

			p->z[a] = (float)((log1p(p->monthly[a]) - m) / mad);
			p->group_median[a] = expm1(m);
			p->group_size[a] = (uint32_t)(j - i);
		}
		i = j;
	}
	mem_free(order);
	mem_free(tmp);
	return 0;
}

static int fc_prepare(struct fin_run *r, void **state)
{
	return peer_prepare_common(r, state, "FIN.FRONT_COMPANY", 1);
}

static int oo_prepare(struct fin_run *r, void **state)
{
	return peer_prepare_common(r, state, "FIN.OCCUPATION_OUTLIER", 0);
}

static int peer_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
			struct fin_sink *out)
{
	const struct peer_p *p = st;
	const struct fin_data *d = r->d;
	struct fin_sigb b;
	size_t ni, k;
	const uint32_t *il;
	char usd[48], med_usd[48];
	uint32_t grp;

	(void)x;
	if (isnan(p->monthly[a]) || p->group_size[a] < p->min_peers || p->z[a] < p->z_min ||
	    p->monthly[a] < p->min_usd || p->cash_share[a] < p->min_cash_share)
		return 0;
	grp = p->business ? d->k_btype[a] : d->k_occupation[a];
	fin_sig_begin(&b, out, p->det, a, fin_strength(p->z[a], p->z_min, 2 * p->z_min));
	il = in_l(d, a, &ni);
	/* evidence: the largest credits, which make the difference */
	for (k = 0; k < ni; k++)
		if (d->src[il[k]] != a && !isnan(d->usd[il[k]]) && d->usd[il[k]] >= p->group_median[a] / 4)
			fin_sig_ev(&b, il[k]);
	fin_fmt_usd(usd, sizeof usd, p->monthly[a]);
	fin_fmt_usd(med_usd, sizeof med_usd, p->group_median[a]);
	fin_sig_str(&b, p->business ? "business_type" : "occupation", fin_strv(d, grp));
	fin_sig_num(&b, "monthly_inflow_usd", p->monthly[a]);
	fin_sig_num(&b, "peer_median_usd", p->group_median[a]);
	fin_sig_num(&b, "robust_z", p->z[a]);
	fin_sig_int(&b, "peers", p->group_size[a]);
	fin_sig_num(&b, "cash_share", p->cash_share[a]);
	fin_sig_num(&b, "min_z", p->z_min);
	if (p->business)
		fin_sig_say(&b, "Business account %s (%s) takes in %s a month, far above the %s median of the %u "
			    "businesses of the same type (robust z %.1f; %.0f%% of it in cash).",
			    fin_acc_name(d, a), fin_strv(d, grp), usd, med_usd, p->group_size[a], p->z[a],
			    100 * p->cash_share[a]);
	else
		fin_sig_say(&b, "Account %s (occupation: %s) receives %s a month, far above the %s median of %u "
			    "customers in the same occupation (robust z %.1f; %.0f%% in cash).",
			    fin_acc_name(d, a), fin_strv(d, grp), usd, med_usd, p->group_size[a], p->z[a],
			    100 * p->cash_share[a]);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

const struct fin_detector fin_det_profile[] = {
	{ "FIN.ESCORT_SITE_PAY", "escort_site_pay", TY_HT,
	  "FIN-2014-A008 HT red flag (frequent payments to online escort services / classified sites); "
	  "FIN-2020-A008 (frequent dealings with foreign-based online classified sites)",
	  "payments to escort or classified-ad sites", es_prepare, es_account, NULL, es_release, NULL },
	{ "FIN.ESCORT_ADS_ELSEWHERE", "escort_ads_elsewhere", TY_HT,
	  "FIN-2014-A008 HT red flag (frequent payments to online escort services / classified sites) "
	  "joined with FIN-2020-A008 (transactions covering another person's costs): ad fees placed in "
	  "cities where the payer shows no presence of its own",
	  "escort-site fees for places the payer never is", ee_prepare, ee_account, NULL, ee_release, NULL },
	{ "FIN.VICTIM_COSTS", "victim_costs", TY_HT,
	  "FIN-2020-A008 (transactions covering another person's living, transport, medical and other "
	  "costs); FIN-2014-A008 (business paying for housing, lodging, vehicle rentals, bulk food "
	  "inconsistent with its line of business)",
	  "one payer covers many people's lodging, travel, phones, food", vc_prepare, vc_account, NULL, vc_release, NULL },
	{ "FIN.PAYROLL_FUNNEL", "payroll_funnel", TY_HT,
	  "FIN-2020-A008 typology 'exploitative employment practices' (several employees' pay into one "
	  "account; pay immediately withdrawn or moved)",
	  "several workers' wages swept into one account", pf_prepare, pf_account, NULL, pf_release, NULL },
	{ "FIN.EARNINGS_SWEEP", "earnings_sweep", TY_HT,
	  "FIN-2020-A008 typologies 'funnel accounts' and 'exploitative employment practices' (earnings "
	  "moved to a third party immediately; victims' proceeds funnelled to a controller)",
	  "several accounts' earnings passed on to one collector", sw_prepare, sw_account, NULL, sw_release, NULL },
	{ "FIN.FRONT_COMPANY", "front_company", TY_HT,
	  "FIN-2020-A008 typology 'front companies' (revenue out of line with peers); FIN-2023-Alert001 "
	  "(cash deposits that do not fit the line of business)",
	  "business revenue far above peers of the same type", fc_prepare, peer_account, NULL, peer_release, NULL },
	{ "FIN.OCCUPATION_OUTLIER", "occupation_outlier", TY_HS,
	  "FIN-2023-Alert001 (deposits, incl. cash, much larger than peers in the same profession)",
	  "deposits far above others in the same occupation", oo_prepare, peer_account, NULL, peer_release, NULL },
};
const size_t fin_det_profile_n = sizeof fin_det_profile / sizeof fin_det_profile[0];
