/*
 * det_cash: detectors over cash, places and corridors — structuring below
 * the $10,000 CTR threshold, funnel accounts, cash followed by wires to
 * high-migration corridors, many originators paying one beneficiary at the
 * southwest border, steady cash with no payroll, cash outside business
 * hours, prepaid-card loads and frequent movement between cities
 * (FIN-2014-A008, FIN-2020-A008, FIN-2023-Alert001).
 *
 * "Cash in" for an account is any credit to it on the cash channel (a
 * deposit has no paying account; IBM data names one); "cash out" any debit
 * on the cash channel.  Rules that compare amounts with dollar thresholds
 * skip transactions whose currency has no known rate (counted by detect).
 */
#include "fin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define HOUR 3600
#define DAY 86400

static int cash_in(const struct fin_data *d, uint32_t t, uint32_t a)
{
	return d->dst[t] == a && d->chan[t] == CH_CASH && d->amt[t] > 0 && d->src[t] != a;
}

static int cash_out(const struct fin_data *d, uint32_t t, uint32_t a)
{
	return d->src[t] == a && d->chan[t] == CH_CASH && d->amt[t] > 0 && d->dst[t] != a;
}

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

/* Day number of a timestamp (local calendar day). */
static int64_t day_of(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* Time of day is known unless the source gave dates only (00:00:00). */
static int has_time_of_day(int64_t t)
{
	return t % DAY != 0;
}

/* Lists of interned category names from a settings array. */
struct catset {
	uint32_t id[16];
	size_t n;
};

static void catset_load(const struct fin_run *r, int det, const char *name, const char *const *def,
			struct catset *c)
{
	char key[128];
	size_t i, n;

	snprintf(key, sizeof key, "finance.%s.%s", fin_detector_at((size_t)det)->key, name);
	n = cfg_array_len(r->cfg, key);
	c->n = 0;
	if (n) {
		for (i = 0; i < n && c->n < 16; i++) {
			uint32_t id = fin_str(r->d, cfg_array_str(r->cfg, key, i));

			if (id)
				c->id[c->n++] = id;
		}
		return;
	}
	for (i = 0; def[i] && c->n < 16; i++) {
		uint32_t id = fin_str(r->d, def[i]);

		if (id)
			c->id[c->n++] = id;
	}
}

static int catset_has(const struct catset *c, uint32_t id)
{
	size_t i;

	for (i = 0; id && i < c->n; i++)
		if (c->id[i] == id)
			return 1;
	return 0;
}

/* ---- FIN.STRUCTURING ---- */

struct st_p {
	int det;
	double threshold, band_low, min_band_share;
	uint32_t min_near, min_split_days;
	int64_t window;
	uint32_t *cust_next;   /* next account of the same customer (ring), FIN_NONE if alone */
	uint8_t *cust_first;   /* 1 for the lowest-index account of each customer */
};

static void st_release(void *state)
{
	struct st_p *p = state;

	mem_free(p->cust_next);
	mem_free(p->cust_first);
	mem_free(p);
}

static int cmp_cust(const void *a, const void *b, void *ctx)
{
	const struct fin_data *d = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (d->k_customer[x] != d->k_customer[y])
		return d->k_customer[x] < d->k_customer[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int st_prepare(struct fin_run *r, void **state)
{
	const struct fin_data *d = r->d;
	struct st_p *p = mem_calloc(1, sizeof *p);
	uint32_t *order;
	size_t i, n = 0;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.STRUCTURING");
	p->threshold = fin_param(r, p->det, "threshold_usd", 10000);
	p->band_low = fin_param(r, p->det, "band_low_usd", 8000);
	p->min_near = (uint32_t)fin_param_int(r, p->det, "min_near_threshold", 3);
	p->min_split_days = (uint32_t)fin_param_int(r, p->det, "min_split_days", 1);
	p->min_band_share = fin_param(r, p->det, "min_band_share", 0.3);
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	/* accounts of one customer (KYC customer_id) form a ring, so that
	 * same-day splits across a customer's accounts are seen together */
	p->cust_next = mem_alloc((d->nacc + 1) * sizeof *p->cust_next);
	p->cust_first = mem_calloc(d->nacc + 1, 1);
	order = mem_alloc((d->nacc + 1) * sizeof *order);
	if (!p->cust_next || !p->cust_first || !order) {
		mem_free(order);
		return RASTRO_NOMEM;
	}
	for (i = 0; i < d->nacc; i++) {
		p->cust_next[i] = FIN_NONE;
		if (d->k_customer[i])
			order[n++] = (uint32_t)i;
	}
	if (n > 1)
		qsort_r(order, n, sizeof *order, cmp_cust, (void *)d);
	for (i = 0; i < n;) {
		size_t j = i, k;

		while (j < n && d->k_customer[order[j]] == d->k_customer[order[i]])
			j++;
		if (j - i > 1) {
			for (k = i; k < j; k++)
				p->cust_next[order[k]] = order[k + 1 < j ? k + 1 : i];
			p->cust_first[order[i]] = 1;
		}
		i = j;
	}
	mem_free(order);
	return 0;
}

struct cash_ev {
	uint32_t tx;
	uint32_t acc;
};

static int cmp_cash_ev(const void *a, const void *b, void *ctx)
{
	const struct fin_data *d = ctx;
	const struct cash_ev *x = a, *y = b;

	(void)d;
	return x->tx < y->tx ? -1 : x->tx > y->tx;
}

static int st_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct st_p *p = st;
	const struct fin_data *d = r->d;
	struct cash_ev *ev;
	size_t nev, i, j, lo, best_lo = 0, best_hi = 0;
	uint32_t near = 0, best_near = 0, split_days = 0, naccs = 1;
	uint32_t member = a;
	int multi = p->cust_next[a] != FIN_NONE;
	struct fin_sigb b;
	char usd[48];

	/* a customer's accounts are examined together, once */
	if (multi && !p->cust_first[a])
		return 0;
	x->quad.len = 0;
	do {
		size_t n;
		const uint32_t *l = in_l(d, member, &n);

		for (i = 0; i < n; i++)
			if (cash_in(d, l[i], member) && !isnan(d->usd[l[i]]) && d->usd[l[i]] < p->threshold) {
				struct fin_quad q = { l[i], member, 0, 0 };

				if (vec_push(&x->quad, &q))
					return RASTRO_NOMEM;
			}
		l = out_l(d, member, &n);
		for (i = 0; i < n; i++)
			if (cash_out(d, l[i], member) && !isnan(d->usd[l[i]]) && d->usd[l[i]] < p->threshold) {
				struct fin_quad q = { l[i], member, 1, 0 };

				if (vec_push(&x->quad, &q))
					return RASTRO_NOMEM;
			}
		member = multi ? p->cust_next[member] : a;
		if (member != a)
			naccs++;
	} while (member != a);
	nev = x->quad.len;
	if (nev < 2)
		return 0;
	/* time order across the accounts (the quad is {tx, acc, dir, 0}) */
	if (vec_reserve(&x->tmp64, nev))
		return RASTRO_NOMEM;
	ev = (struct cash_ev *)x->tmp64.data;
	for (i = 0; i < nev; i++) {
		const struct fin_quad *q = (const struct fin_quad *)x->quad.data + i;

		ev[i].tx = q->a;
		ev[i].acc = q->b | (q->c << 31);
	}
	if (nev > 1)
		qsort_r(ev, nev, sizeof *ev, cmp_cash_ev, (void *)d);
	/* 1: near-threshold amounts, most in any window — and clustered there:
	 * a large share of the window's cash, not a few among hundreds of a
	 * cash business's deposits */
	for (i = 0, lo = 0; i < nev; i++) {
		if (d->usd[ev[i].tx] >= p->band_low)
			near++;
		while (d->ts[ev[i].tx] - d->ts[ev[lo].tx] > p->window) {
			if (d->usd[ev[lo].tx] >= p->band_low)
				near--;
			lo++;
		}
		if (near > best_near && (double)near >= p->min_band_share * (double)(i - lo + 1)) {
			best_near = near;
			best_lo = lo;
			best_hi = i;
		}
	}
	/* 2: days whose same-direction cash, each under the threshold, adds up
	 * past it (split across deposits, branches or the customer's accounts) */
	x->tmp32.len = 0;
	for (i = 0; i < nev;) {
		int64_t day = day_of(d->ts[ev[i].tx]);
		int dir;

		j = i;
		while (j < nev && day_of(d->ts[ev[j].tx]) == day)
			j++;
		for (dir = 0; dir < 2; dir++) {
			double sum = 0;
			uint32_t cnt = 0, place0 = 0, acc0 = FIN_NONE;
			int spread = 0;
			size_t k;

			for (k = i; k < j; k++)
				if ((ev[k].acc >> 31) == (uint32_t)dir) {
					uint32_t pl = d->place[ev[k].tx], ac = ev[k].acc & 0x7fffffff;

					sum += d->usd[ev[k].tx];
					if (!cnt) {
						place0 = pl;
						acc0 = ac;
					} else if ((pl && place0 && pl != place0) || ac != acc0) {
						spread = 1;
					}
					cnt++;
				}
			/* split across branches or accounts: at one branch the
			 * deposits are aggregated and reported anyway */
			if (cnt >= 2 && sum > p->threshold && spread) {
				split_days++;
				for (k = i; k < j; k++)
					if ((ev[k].acc >> 31) == (uint32_t)dir && vec_push(&x->tmp32, &ev[k].tx))
						return RASTRO_NOMEM;
			}
		}
		i = j;
	}
	if (best_near < p->min_near && split_days < p->min_split_days)
		return 0;
	{
		double s_near = best_near >= p->min_near ? fin_strength(best_near, p->min_near, 3.0 * p->min_near) : 0;
		double s_split = split_days >= p->min_split_days
					 ? fin_strength(split_days, p->min_split_days, 4.0 * p->min_split_days) : 0;
		double total = 0;
		uint32_t subj = a;

		fin_sig_begin(&b, out, p->det, subj, s_near > s_split ? s_near : s_split);
		if (best_near >= p->min_near)
			for (i = best_lo; i <= best_hi; i++)
				if (d->usd[ev[i].tx] >= p->band_low) {
					fin_sig_ev(&b, ev[i].tx);
					total += d->usd[ev[i].tx];
				}
		for (i = 0; i < x->tmp32.len; i++) {
			uint32_t t = ((uint32_t *)x->tmp32.data)[i];

			fin_sig_ev(&b, t);
			total += d->usd[t];
		}
		fin_fmt_usd(usd, sizeof usd, total);
		fin_sig_int(&b, "near_threshold", best_near);
		fin_sig_int(&b, "split_days", split_days);
		fin_sig_int(&b, "accounts_of_customer", naccs);
		fin_sig_num(&b, "threshold_usd", p->threshold);
		fin_sig_num(&b, "band_low_usd", p->band_low);
		fin_sig_num(&b, "window_days", (double)p->window / DAY);
		if (best_near >= p->min_near && split_days)
			fin_sig_say(&b, "Account %s%s had %u cash transactions between %.0f and %.0f USD within %.0f days "
				    "and %u days on which cash was split into amounts under %.0f USD that added up past "
				    "it (%s in the evidence).", fin_acc_name(d, subj),
				    naccs > 1 ? " (with the customer's other accounts)" : "", best_near,
				    p->band_low, p->threshold, (double)p->window / DAY, split_days, p->threshold, usd);
		else if (best_near >= p->min_near)
			fin_sig_say(&b, "Account %s%s had %u cash transactions between %.0f and %.0f USD, just under "
				    "the currency-transaction-report threshold, within %.0f days (%s).",
				    fin_acc_name(d, subj), naccs > 1 ? " (with the customer's other accounts)" : "",
				    best_near, p->band_low, p->threshold, (double)p->window / DAY, usd);
		else
			fin_sig_say(&b, "Account %s%s split cash on %u day%s into amounts each under %.0f USD that "
				    "together exceeded it (%s).", fin_acc_name(d, subj),
				    naccs > 1 ? " (with the customer's other accounts)" : "", split_days,
				    split_days == 1 ? "" : "s", p->threshold, usd);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return 0;
}

/* ---- FIN.FUNNEL ---- */

struct fu_p {
	int det;
	int64_t window, lag;
	uint32_t min_places, full_places;
	double min_ratio, min_usd;
	uint32_t relay_places, relay_originators;  /* relayed credits (fu_relay); 0 places = off */
	double relay_usd;
};

static int fu_prepare(struct fin_run *r, void **state)
{
	struct fu_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.FUNNEL");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 14) * DAY);
	p->lag = (int64_t)(fin_param(r, p->det, "max_lag_hours", 72) * HOUR);
	p->min_places = (uint32_t)fin_param_int(r, p->det, "min_deposit_places", 3);
	p->full_places = (uint32_t)fin_param_int(r, p->det, "full_deposit_places", 8);
	p->min_ratio = fin_param(r, p->det, "min_out_ratio", 0.5);
	p->min_usd = fin_param(r, p->det, "min_usd", 3000);
	p->relay_places = (uint32_t)fin_param_int(r, p->det, "relay_min_places", 3);
	p->relay_originators = (uint32_t)fin_param_int(r, p->det, "relay_min_originators", 3);
	p->relay_usd = fin_param(r, p->det, "relay_min_usd", 3000);
	*state = p;
	return 0;
}

/* A debit that takes money away from where credit c came in: a cash
 * withdrawal or a wire, made somewhere else (a wire with no place counts). */
static int relay_debit(const struct fin_data *d, uint32_t o, uint32_t a, uint32_t c)
{
	if (d->dst[o] == a || d->amt[o] <= 0 || isnan(d->usd[o]))
		return 0;
	if (d->chan[o] != CH_CASH && d->chan[o] != CH_WIRE)
		return 0;
	return d->place[o] ? d->place[o] != d->place[c] : d->chan[o] == CH_WIRE;
}

/*
 * The funnel that is emptied after every deposit: the windowed rule wants
 * one debit moving half of a window's deposits, but a smuggling funnel
 * receives a family's payment (cash at a branch in their city, a P2P
 * payment or a wire from home) and passes each on within a day or two —
 * cash withdrawn, or wired, at the border (FIN-2023-Alert001: deposits by
 * many individuals in many locations; wires, cash deposits or P2P payments
 * from many originators).  So credits from other accounts or cash at a
 * known place, each followed within max_lag by cash withdrawals or wires
 * elsewhere moving at least min_out_ratio of it, from at least
 * relay_min_originators originators (payers; a cash depositor is one per
 * place) in at least relay_min_places places, at least relay_min_usd in all.
 * P2P debits do not count: a victim passing a buyer's payment to her
 * controller is not a funnel.  Businesses and receiving hubs are left out.
 */
static int fu_relay(struct fin_run *r, const struct fu_p *p, uint32_t a, struct fin_scratch *x,
		    struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	size_t ni, no, i, j;
	const uint32_t *il = in_l(d, a, &ni), *ol = out_l(d, a, &no);
	uint32_t places = 0, origs = 0, stamp, nrel = 0;
	double usd = 0;
	struct fin_sigb b;
	char usd_s[48];
	const uint32_t *rel;

	if (!p->relay_places || d->k_ctype[a] == CT_BUSINESS || fin_hub_in(d, a) || ni < p->relay_originators ||
	    !no || ni > 4096)
		return 0;
	stamp = fin_stamp(x);
	x->tmp32b.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t c = il[i];
		double moved = 0;

		if (!d->place[c] || isnan(d->usd[c]) || d->amt[c] <= 0 || d->src[c] == a)
			continue;
		if (!(d->src[c] == FIN_NONE ? d->chan[c] == CH_CASH : d->chan[c] == CH_P2P || d->chan[c] == CH_WIRE))
			continue;
		for (j = fin_after(ol, no, c); j < no && d->ts[ol[j]] - d->ts[c] <= p->lag; j++)
			if (relay_debit(d, ol[j], a, c))
				moved += d->usd[ol[j]];
		if (moved < p->min_ratio * d->usd[c])
			continue;
		if (vec_push(&x->tmp32b, &c))
			return RASTRO_NOMEM;
		usd += d->usd[c];
		if (x->str_mark[d->place[c]] != stamp) {
			x->str_mark[d->place[c]] = stamp;
			places++;
		}
		if (d->src[c] == FIN_NONE ? x->str_cnt2[d->place[c]]++ == 0 : x->acc_mark[d->src[c]] != stamp)
			origs++;
		if (d->src[c] != FIN_NONE)
			x->acc_mark[d->src[c]] = stamp;
	}
	rel = x->tmp32b.data;
	nrel = (uint32_t)x->tmp32b.len;
	for (i = 0; i < nrel; i++)
		x->str_cnt2[d->place[rel[i]]] = 0;
	if (places < p->relay_places || origs < p->relay_originators || usd < p->relay_usd)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(places, p->relay_places, p->full_places));
	for (i = 0; i < nrel; i++) {
		fin_sig_ev(&b, rel[i]);
		for (j = fin_after(ol, no, rel[i]); j < no && d->ts[ol[j]] - d->ts[rel[i]] <= p->lag; j++)
			if (relay_debit(d, ol[j], a, rel[i]))
				fin_sig_ev(&b, ol[j]);
	}
	fin_fmt_usd(usd_s, sizeof usd_s, usd);
	fin_sig_str(&b, "reading", "relayed credits");
	fin_sig_int(&b, "deposit_places", places);
	fin_sig_int(&b, "originators", origs);
	fin_sig_int(&b, "deposits", nrel);
	fin_sig_num(&b, "deposits_usd", usd);
	fin_sig_num(&b, "max_lag_hours", (double)p->lag / HOUR);
	fin_sig_say(&b, "Funnel account %s: %u payments and cash deposits (%s) from %u originators in %u different "
		    "places, each withdrawn in cash or wired from elsewhere within %.0f h of arriving.",
		    fin_acc_name(d, a), nrel, usd_s, origs, places, (double)p->lag / HOUR);
	fin_sig_end(&b, d, r->max_evidence);
	return out->failed ? RASTRO_NOMEM : 0;
}

static int fu_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct fu_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, no, i, lo = 0, hi = 0, k;
	const uint32_t *il = in_l(d, a, &ni), *ol = out_l(d, a, &no);
	uint32_t places = 0, best_places = 0, nout = 0;
	double dep_sum = 0, best_dep = 0, best_out = 0;
	size_t best_lo = 0, best_hi = 0, best_o = 0;
	struct fin_sigb b;
	char usd_in[48], usd_out[48], lag[32];
	uint32_t *dep;
	size_t nd = 0;

	if (ni < p->min_places || !no)
		return fu_relay(r, p, a, x, out);
	/* the account's cash deposits with a known place, in time order */
	x->tmp32.len = 0;
	for (i = 0; i < ni; i++)
		if (cash_in(d, il[i], a) && d->place[il[i]] && !isnan(d->usd[il[i]]) &&
		    vec_push(&x->tmp32, &il[i]))
			return RASTRO_NOMEM;
	dep = x->tmp32.data;
	nd = x->tmp32.len;
	if (nd < p->min_places)
		return fu_relay(r, p, a, x, out);
	/* for each debit, the deposits of the window before it */
	for (i = 0; i < no; i++) {
		uint32_t o = ol[i];
		int64_t to = d->ts[o];
		int elsewhere;

		if (d->dst[o] == a || d->amt[o] <= 0 || isnan(d->usd[o]))
			continue;
		while (hi < nd && dep[hi] < o) {
			if (x->str_cnt[d->place[dep[hi]]]++ == 0)
				places++;
			dep_sum += d->usd[dep[hi]];
			hi++;
		}
		while (lo < hi && to - d->ts[dep[lo]] > p->window) {
			if (--x->str_cnt[d->place[dep[lo]]] == 0)
				places--;
			dep_sum -= d->usd[dep[lo]];
			lo++;
		}
		if (places < p->min_places || hi == lo || to - d->ts[dep[hi - 1]] > p->lag)
			continue;
		/* withdrawn or sent from somewhere none of the deposits were made */
		elsewhere = d->place[o] ? x->str_cnt[d->place[o]] == 0 : d->chan[o] != CH_CASH;
		if (!elsewhere || d->usd[o] < p->min_ratio * dep_sum || dep_sum < p->min_usd)
			continue;
		nout++;
		if (places > best_places || (places == best_places && d->usd[o] > best_out)) {
			best_places = places;
			best_dep = dep_sum;
			best_out = d->usd[o];
			best_lo = lo;
			best_hi = hi;
			best_o = i;
		}
	}
	for (k = lo; k < hi; k++)
		x->str_cnt[d->place[dep[k]]] = 0;
	if (!best_places)
		return fu_relay(r, p, a, x, out);
	fin_sig_begin(&b, out, p->det, a, fin_strength(best_places, p->min_places, p->full_places));
	for (k = best_lo; k < best_hi; k++)
		fin_sig_ev(&b, dep[k]);
	fin_sig_ev(&b, ol[best_o]);
	fin_fmt_usd(usd_in, sizeof usd_in, best_dep);
	fin_fmt_usd(usd_out, sizeof usd_out, best_out);
	fin_fmt_span(lag, sizeof lag, d->ts[ol[best_o]] - d->ts[dep[best_hi - 1]]);
	fin_sig_int(&b, "deposit_places", best_places);
	fin_sig_int(&b, "deposits", (long long)(best_hi - best_lo));
	fin_sig_num(&b, "deposits_usd", best_dep);
	fin_sig_num(&b, "out_usd", best_out);
	fin_sig_str(&b, "out_channel", fin_chan_name(d->chan[ol[best_o]]));
	fin_sig_str(&b, "out_place", d->place[ol[best_o]] ? fin_strv(d, d->place[ol[best_o]]) : "");
	fin_sig_int(&b, "qualifying_debits", nout);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_num(&b, "max_lag_hours", (double)p->lag / HOUR);
	fin_sig_say(&b, "Funnel account %s: %zu cash deposits (%s) in %u different places within %.0f days, "
		    "then %s left by %s%s%s %s after the last deposit.", fin_acc_name(d, a),
		    best_hi - best_lo, usd_in, best_places, (double)p->window / DAY, usd_out,
		    fin_chan_name(d->chan[ol[best_o]]), d->city[ol[best_o]] ? " in " : "",
		    d->city[ol[best_o]] ? fin_strv(d, d->city[ol[best_o]]) : "", lag);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.CASH_TO_CORRIDOR ---- */

struct cc_p {
	int det;
	int64_t lag, window;
	double min_ratio, min_usd;
	uint32_t min_events;
	uint8_t *country_is_corridor;  /* per string id */
	size_t nstr;
};

static void cc_release(void *state)
{
	struct cc_p *p = state;

	mem_free(p->country_is_corridor);
	mem_free(p);
}

/* Corridor flags per interned string (country codes and names). */
static uint8_t *corridor_flags(const struct fin_run *r, size_t *nstr)
{
	size_t n = strmap_count(&r->d->strs) + 1, i;
	uint8_t *f = mem_calloc(n, 1);

	if (!f)
		return NULL;
	for (i = 1; i < n; i++)
		f[i] = (uint8_t)fin_list_has(&r->lists->corridor, fin_strv(r->d, (uint32_t)i));
	*nstr = n;
	return f;
}

static int cc_prepare(struct fin_run *r, void **state)
{
	struct cc_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.CASH_TO_CORRIDOR");
	p->lag = (int64_t)(fin_param(r, p->det, "max_lag_hours", 72) * HOUR);
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_ratio = fin_param(r, p->det, "min_ratio", 0.5);
	p->min_usd = fin_param(r, p->det, "min_usd", 10000);
	p->min_events = (uint32_t)fin_param_int(r, p->det, "min_events", 2);
	p->country_is_corridor = corridor_flags(r, &p->nstr);
	return p->country_is_corridor ? 0 : RASTRO_NOMEM;
}

/* Destination country of a debit: where the transaction says, else the
 * receiving account's KYC country. */
static uint32_t dest_country(const struct fin_data *d, uint32_t t)
{
	if (d->country[t])
		return d->country[t];
	if (d->dst[t] != FIN_NONE)
		return d->k_country[d->dst[t]];
	return 0;
}

static int cc_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct cc_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, no, i, lo = 0, hi = 0, k;
	const uint32_t *il = in_l(d, a, &ni), *ol = out_l(d, a, &no);
	double cash = 0, total = 0;
	uint32_t events = 0;
	struct fin_sigb b;
	char usd[48], cn[64];
	uint32_t last_country = 0;

	if (!ni || !no)
		return 0;
	x->tmp32.len = 0;
	x->tmp32b.len = 0;
	for (i = 0; i < ni; i++)
		if (cash_in(d, il[i], a) && !isnan(d->usd[il[i]]) && vec_push(&x->tmp32b, &il[i]))
			return RASTRO_NOMEM;
	if (!x->tmp32b.len)
		return 0;
	for (i = 0; i < no; i++) {
		uint32_t o = ol[i], c;
		const uint32_t *dep = x->tmp32b.data;
		size_t nd = x->tmp32b.len;

		if (d->chan[o] != CH_WIRE && d->chan[o] != CH_P2P)
			continue;
		if (isnan(d->usd[o]) || d->dst[o] == a)
			continue;
		c = dest_country(d, o);
		if (!c || !p->country_is_corridor[c])
			continue;
		while (hi < nd && dep[hi] < o) {
			cash += d->usd[dep[hi]];
			hi++;
		}
		while (lo < hi && d->ts[o] - d->ts[dep[lo]] > p->lag) {
			cash -= d->usd[dep[lo]];
			lo++;
		}
		if (hi == lo || d->usd[o] < p->min_ratio * cash)
			continue;
		events++;
		total += d->usd[o];
		last_country = c;
		for (k = lo; k < hi; k++)
			if (vec_push(&x->tmp32, &dep[k]))
				return RASTRO_NOMEM;
		if (vec_push(&x->tmp32, &o))
			return RASTRO_NOMEM;
		/* a deposit funds one wire only */
		lo = hi;
		cash = 0;
	}
	if (events < p->min_events || total < p->min_usd)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(total, p->min_usd, 5 * p->min_usd));
	for (k = 0; k < x->tmp32.len; k++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[k]);
	fin_fmt_usd(usd, sizeof usd, total);
	snprintf(cn, sizeof cn, "%s", fin_strv(d, last_country));
	fin_sig_int(&b, "events", events);
	fin_sig_num(&b, "wired_usd", total);
	fin_sig_str(&b, "country", cn);
	fin_sig_num(&b, "max_lag_hours", (double)p->lag / HOUR);
	fin_sig_say(&b, "Account %s %u times sent wires or P2P payments to a high-migration corridor (%s) "
		    "within %.0f h of cash deposits that funded them, %s in total.", fin_acc_name(d, a),
		    events, cn, (double)p->lag / HOUR, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.BORDER_FANIN ---- */

struct bf_p {
	int det;
	int64_t window;
	uint32_t min_originators, min_regions;
	double min_border_share;
	uint8_t *place_is_border;  /* per string id: a place / city in the border zone */
	uint8_t *acc_is_border;    /* per account: KYC address in the border zone */
	size_t nstr;
};

static void bf_release(void *state)
{
	struct bf_p *p = state;

	mem_free(p->place_is_border);
	mem_free(p->acc_is_border);
	mem_free(p);
}

/* Border-zone flags: per string id (a border city, or a "city|region|..."
 * place in the zone; lists are matched in lower case by fin_list_has) and
 * per account (KYC address in the zone, city and region kept apart). */
static int border_tables(const struct fin_run *r, uint8_t **place_out, uint8_t **acc_out)
{
	const struct fin_data *d = r->d;
	size_t n = strmap_count(&d->strs) + 1, i;
	uint8_t *place = mem_calloc(n, 1), *acc = mem_calloc(d->nacc + 1, 1);

	*place_out = place;
	*acc_out = acc;
	if (!place || !acc)
		return RASTRO_NOMEM;
	for (i = 1; i < n; i++) {
		const char *str = fin_strv(d, (uint32_t)i);
		const char *bar = strchr(str, '|');
		char key[256];

		if (bar) {
			const char *bar2 = strchr(bar + 1, '|');
			int cl = (int)(bar - str), rl = bar2 ? (int)(bar2 - bar - 1) : (int)strlen(bar + 1);

			if (!cl)
				continue;
			snprintf(key, sizeof key, "%.*s|%.*s", cl, str, rl, bar + 1);
			if (rl && fin_list_has(&r->lists->border, key))
				place[i] = 1;
			else if (!rl) {
				/* a city without a region: match the city name alone */
				snprintf(key, sizeof key, "%.*s", cl, str);
				place[i] = (uint8_t)fin_list_has(&r->lists->border_city, key);
			}
		} else {
			place[i] = (uint8_t)fin_list_has(&r->lists->border_city, str);
		}
	}
	for (i = 0; i < d->nacc; i++) {
		char key[256];

		if (!d->k_city[i])
			continue;
		if (d->k_region[i]) {
			snprintf(key, sizeof key, "%s|%s", fin_strv(d, d->k_city[i]), fin_strv(d, d->k_region[i]));
			acc[i] = (uint8_t)fin_list_has(&r->lists->border, key);
		} else {
			acc[i] = (uint8_t)fin_list_has(&r->lists->border_city, fin_strv(d, d->k_city[i]));
		}
	}
	return 0;
}

static int bf_prepare(struct fin_run *r, void **state)
{
	const struct fin_data *d = r->d;
	struct bf_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.BORDER_FANIN");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_originators = (uint32_t)fin_param_int(r, p->det, "min_originators", 5);
	p->min_regions = (uint32_t)fin_param_int(r, p->det, "min_regions", 3);
	p->min_border_share = fin_param(r, p->det, "min_border_share", 0.5);
	p->nstr = strmap_count(&d->strs) + 1;
	return border_tables(r, &p->place_is_border, &p->acc_is_border);
}

/* Is the beneficiary on or near the border: by KYC address, else by where
 * its own cash and withdrawals happen. */
static int bf_is_border(const struct bf_p *p, const struct fin_data *d, uint32_t a)
{
	size_t no, ni, i, known = 0, border = 0;
	const uint32_t *ol = out_l(d, a, &no), *il = in_l(d, a, &ni);

	if (d->k_city[a])
		return p->acc_is_border[a];
	for (i = 0; i < no; i++)
		if (d->place[ol[i]] && d->chan[ol[i]] == CH_CASH) {
			known++;
			border += p->place_is_border[d->place[ol[i]]];
		}
	for (i = 0; i < ni; i++)
		if (d->place[il[i]] && d->src[il[i]] == FIN_NONE) {
			known++;
			border += p->place_is_border[d->place[il[i]]];
		}
	return known && (double)border >= p->min_border_share * (double)known;
}

/* Where a credit came from: the region (by_country 0) or country (1) where
 * it was made, else the payer's KYC one; 0 when unknown. */
static uint32_t fanin_geo(const struct fin_data *d, uint32_t t, int by_country)
{
	uint32_t g = by_country ? d->country[t] : d->region[t];

	if (!g && d->src[t] != FIN_NONE)
		g = by_country ? d->k_country[d->src[t]] : d->k_region[d->src[t]];
	return g;
}

/* The best window of a fan-in: most originators, then most places. */
struct fanin_win {
	uint32_t orig, geo;   /* distinct originators and regions (countries) */
	size_t lo, hi;        /* the window's first and last credit in the list */
};

/*
 * Slides a window of `window` seconds over the time-ordered credits l[0..n)
 * and keeps the one with the most originators — paying accounts, or for
 * cash the place it was paid in — among those with at least min_orig of
 * them from at least min_geo regions or countries (fanin_geo).  best->orig
 * is 0 when no window qualifies.  The counters of x are left at zero.
 */
static void fanin_best(const struct fin_data *d, const uint32_t *l, size_t n, int64_t window, uint32_t min_orig,
		       uint32_t min_geo, int by_country, struct fin_scratch *x, struct fanin_win *best)
{
	size_t i, k, lo = 0;
	uint32_t orig = 0, geo = 0;

	memset(best, 0, sizeof *best);
	for (i = 0; i < n; i++) {
		uint32_t t = l[i], g = fanin_geo(d, t, by_country);

		if (d->src[t] != FIN_NONE) {
			if (x->acc_cnt[d->src[t]]++ == 0)
				orig++;
		} else if (d->place[t]) {
			if (x->str_cnt[d->place[t]]++ == 0)
				orig++;
		}
		if (g && x->str_cnt2[g]++ == 0)
			geo++;
		while (d->ts[t] - d->ts[l[lo]] > window) {
			uint32_t u = l[lo++], g2 = fanin_geo(d, u, by_country);

			if (d->src[u] != FIN_NONE) {
				if (--x->acc_cnt[d->src[u]] == 0)
					orig--;
			} else if (d->place[u]) {
				if (--x->str_cnt[d->place[u]] == 0)
					orig--;
			}
			if (g2 && --x->str_cnt2[g2] == 0)
				geo--;
		}
		if (orig >= min_orig && geo >= min_geo && (orig > best->orig || (orig == best->orig && geo > best->geo))) {
			best->orig = orig;
			best->geo = geo;
			best->lo = lo;
			best->hi = i;
		}
	}
	for (k = lo; k < n; k++) {
		uint32_t u = l[k], g2 = fanin_geo(d, u, by_country);

		if (d->src[u] != FIN_NONE)
			x->acc_cnt[d->src[u]] = 0;
		else if (d->place[u])
			x->str_cnt[d->place[u]] = 0;
		if (g2)
			x->str_cnt2[g2] = 0;
	}
}

/* The account's credits by channel (bit 1 << CH_*), none from itself, into x->tmp32. */
static int fanin_credits(const struct fin_data *d, uint32_t a, unsigned chans, struct fin_scratch *x)
{
	size_t ni, i;
	const uint32_t *il = in_l(d, a, &ni);

	x->tmp32.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i];

		if (d->amt[t] <= 0 || d->src[t] == a || !(chans & (1u << d->chan[t])))
			continue;
		if (vec_push(&x->tmp32, &t))
			return RASTRO_NOMEM;
	}
	return 0;
}

static int bf_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct bf_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *l;
	size_t ni, k;
	struct fanin_win w;
	struct fin_sigb b;
	char usd[48];
	double score;

	in_l(d, a, &ni);
	if (ni < p->min_originators || !bf_is_border(p, d, a))
		return 0;
	if (fanin_credits(d, a, 1u << CH_WIRE | 1u << CH_P2P | 1u << CH_CASH, x))
		return RASTRO_NOMEM;
	l = x->tmp32.data;
	fanin_best(d, l, x->tmp32.len, p->window, p->min_originators, p->min_regions, 0, x, &w);
	if (!w.orig)
		return 0;
	score = fin_strength(w.orig, p->min_originators, 3.0 * p->min_originators);
	fin_sig_begin(&b, out, p->det, a, score);
	for (k = w.lo; k <= w.hi; k++)
		fin_sig_ev(&b, l[k]);
	fin_fmt_usd(usd, sizeof usd, fin_sum_usd(d, l + w.lo, w.hi - w.lo + 1, NULL));
	fin_sig_int(&b, "originators", w.orig);
	fin_sig_int(&b, "regions", w.geo);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_str(&b, "beneficiary_city", fin_strv(d, d->k_city[a]));
	fin_sig_say(&b, "Account %s, on or near the southwest border, received wires, P2P payments or cash "
		    "deposits from %u different originators in %u regions within %.0f days (%s).",
		    fin_acc_name(d, a), w.orig, w.geo, (double)p->window / DAY, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return fin_funnel_beneficiaries(r, p->det, "a funnel account", a, score, x, out);
}

/* ---- FIN.REMIT_FANIN ---- */

struct rf_p {
	int det;
	int64_t window;
	uint32_t min_originators, min_countries;
	double min_usd;
};

static int rf_prepare(struct fin_run *r, void **state)
{
	struct rf_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.REMIT_FANIN");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_originators = (uint32_t)fin_param_int(r, p->det, "min_originators", 5);
	p->min_countries = (uint32_t)fin_param_int(r, p->det, "min_countries", 3);
	p->min_usd = fin_param(r, p->det, "min_usd", 10000);
	return 0;
}

/*
 * Wires from many originators in several countries to one beneficiary,
 * wherever it is (FIN-2023-Alert001: "several unrelated customers wiring to
 * the same beneficiary", in the senders' home country or a border area;
 * FIN.BORDER_FANIN covers the border side with any channel).  Countries,
 * not regions: relatives across one country sending a student money are
 * ordinary; senders in the U.S., Mexico and Central America paying one
 * person are what the alert describes (recruiters' fees, smugglers' fees).
 */
static int rf_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct rf_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *l;
	size_t ni, k;
	struct fanin_win w;
	struct fin_sigb b;
	char usd[48];
	double sum;

	in_l(d, a, &ni);
	if (ni < p->min_originators || fin_hub_in(d, a))
		return 0;
	if (fanin_credits(d, a, 1u << CH_WIRE, x))
		return RASTRO_NOMEM;
	l = x->tmp32.data;
	fanin_best(d, l, x->tmp32.len, p->window, p->min_originators, p->min_countries, 1, x, &w);
	if (!w.orig)
		return 0;
	sum = fin_sum_usd(d, l + w.lo, w.hi - w.lo + 1, NULL);
	if (sum < p->min_usd)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(w.orig, p->min_originators, 3.0 * p->min_originators));
	for (k = w.lo; k <= w.hi; k++)
		fin_sig_ev(&b, l[k]);
	fin_fmt_usd(usd, sizeof usd, sum);
	fin_sig_int(&b, "originators", w.orig);
	fin_sig_int(&b, "countries", w.geo);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_num(&b, "received_usd", sum);
	fin_sig_say(&b, "Account %s received wires from %u different originators in %u countries within %.0f days "
		    "(%s).", fin_acc_name(d, a), w.orig, w.geo, (double)p->window / DAY, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- beneficiaries of a funnel (FIN.BORDER_FANIN, FIN.PAYROLL_FUNNEL) ---- */

/* At most 1 / beneficiary_share accounts can each take that share. */
#define BEN_MAX 64

/*
 * The accounts paid at least `share` of account `from`'s transfers out, in
 * two payments or more, each named with that money as evidence; up to
 * BEN_MAX of them are returned in `ben` (for the next hop).  `skip` is not
 * named (the funnel, when looking one hop further).
 */
static int ben_hop(struct fin_run *r, int det, const char *who, uint32_t from, uint32_t skip, int hop, double share,
		   double score, struct fin_scratch *x, struct fin_sink *out, uint32_t *ben, size_t *nben)
{
	const struct fin_data *d = r->d;
	size_t no, k, j;
	const uint32_t *ol = out_l(d, from, &no);
	double total = 0;
	uint32_t stamp;

	*nben = 0;
	/* bounded: a funnel with thousands of payees is a business */
	if (share <= 0 || no > 4096)
		return 0;
	for (k = 0; k < no; k++)
		if (fin_is_transfer(d, ol[k]) && !isnan(d->usd[ol[k]]))
			total += d->usd[ol[k]];
	if (total <= 0)
		return 0;
	stamp = fin_stamp(x);
	for (k = 0; k < no; k++) {
		uint32_t t = ol[k], y = d->dst[t], n = 0;
		double sum = 0;
		struct fin_sigb b;
		char usd[48];

		if (!fin_is_transfer(d, t) || x->acc_mark[y] == stamp)
			continue;
		x->acc_mark[y] = stamp;
		if (y == skip || y == from || fin_hub_in(d, y) || fin_swept(d, y))
			continue;
		for (j = k; j < no; j++)
			if (d->dst[ol[j]] == y && fin_is_transfer(d, ol[j]) && !isnan(d->usd[ol[j]])) {
				sum += d->usd[ol[j]];
				n++;
			}
		if (n < 2 || sum < share * total)
			continue;
		if (*nben < BEN_MAX)
			ben[(*nben)++] = y;
		/* the funnel is not named: the evidence shows where the money
		 * came from, with the outputs' protections */
		fin_fmt_usd(usd, sizeof usd, sum);
		fin_sig_begin(&b, out, det, y, score);
		for (j = k; j < no; j++)
			if (d->dst[ol[j]] == y && fin_is_transfer(d, ol[j]))
				fin_sig_ev(&b, ol[j]);
		fin_sig_str(&b, "side", "beneficiary");
		fin_sig_int(&b, "hop", (uint32_t)hop);
		fin_sig_num(&b, "received_usd", sum);
		fin_sig_num(&b, "share_of_funnel_out", sum / total);
		if (hop == 1)
			fin_sig_say(&b, "Account %s received %s in %u payments, %.0f%% of everything %s "
				    "(named by this indicator) paid to other accounts — where the money went.",
				    fin_acc_name(d, y), usd, n, 100.0 * sum / total, who);
		else
			fin_sig_say(&b, "Account %s received %s in %u payments, %.0f%% of everything a "
				    "beneficiary of %s (named by this indicator) paid to other accounts — "
				    "where the money went next.", fin_acc_name(d, y), usd, n, 100.0 * sum / total, who);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

int fin_funnel_beneficiaries(struct fin_run *r, int det, const char *who, uint32_t funnel, double score,
			     struct fin_scratch *x, struct fin_sink *out)
{
	double share = fin_param(r, det, "beneficiary_share", 0.15);
	long long hops = fin_param_int(r, det, "beneficiary_hops", 2);
	uint32_t ben[BEN_MAX], next[BEN_MAX];
	size_t nben = 0, nnext, i;
	int rc;

	if (hops < 1)
		return 0;
	rc = ben_hop(r, det, who, funnel, FIN_NONE, 1, share, score, x, out, ben, &nben);
	/* one hop further (FIN-2014-A008: review the relationship, not the
	 * account alone): whom the funnel's beneficiary pays most of it to */
	for (i = 0; !rc && hops >= 2 && i < nben; i++)
		rc = ben_hop(r, det, who, ben[i], funnel, 2, share, score, x, out, next, &nnext);
	return rc;
}

/* ---- FIN.CASH_NO_ACH ---- */

/* Payroll categories of FIN.CASH_NO_ACH and FIN.CASH_NO_PAYROLL unless set. */
static const char *const def_payroll[] = { "payroll", "wages", "salary", NULL };

struct cn_p {
	int det;
	double min_monthly_usd, max_ach_share;
	uint32_t min_weeks;
	int business_only;
	struct catset payroll;
};

static int cn_prepare(struct fin_run *r, void **state)
{
	struct cn_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.CASH_NO_ACH");
	p->min_monthly_usd = fin_param(r, p->det, "min_monthly_cash_usd", 5000);
	p->min_weeks = (uint32_t)fin_param_int(r, p->det, "min_weeks", 4);
	p->max_ach_share = fin_param(r, p->det, "max_ach_share", 0.05);
	p->business_only = (int)fin_param_int(r, p->det, "business_only", 1);
	catset_load(r, p->det, "payroll_categories", def_payroll, &p->payroll);
	*state = p;
	return 0;
}

/* Steady cash takings, as FIN.CASH_NO_ACH and FIN.CASH_NO_PAYROLL read
 * them: the account's cash deposits (left in x->tmp32), their total, how
 * many there were, in how many distinct weeks, and the months they span
 * (at least one). */
struct steady_cash {
	double usd, months;
	uint32_t deposits, weeks;
};

static int steady_cash(const struct fin_data *d, uint32_t a, struct fin_scratch *x, struct steady_cash *c)
{
	size_t ni, i;
	const uint32_t *il = in_l(d, a, &ni);
	int64_t w0 = INT64_MAX, w1 = INT64_MIN, lastweek = INT64_MIN;

	memset(c, 0, sizeof *c);
	x->tmp32.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i];
		int64_t wk;

		if (!cash_in(d, t, a) || isnan(d->usd[t]))
			continue;
		c->usd += d->usd[t];
		c->deposits++;
		if (d->ts[t] < w0)
			w0 = d->ts[t];
		w1 = d->ts[t];
		wk = day_of(d->ts[t]) / 7;
		if (wk != lastweek) {
			c->weeks++;
			lastweek = wk;
		}
		if (vec_push(&x->tmp32, &t))
			return RASTRO_NOMEM;
	}
	c->months = c->deposits ? (double)(w1 - w0) / (30.0 * DAY) : 0;
	if (c->months < 1)
		c->months = 1;
	return 0;
}

static int cn_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct cn_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i;
	const uint32_t *ol = out_l(d, a, &no);
	double outs = 0, ach = 0;
	struct steady_cash c;
	struct fin_sigb b;
	char usd[48];

	if (p->business_only && d->k_ctype[a] != CT_BUSINESS)
		return 0;
	if (d->in_off[a + 1] - d->in_off[a] < p->min_weeks)
		return 0;
	if (steady_cash(d, a, x, &c))
		return RASTRO_NOMEM;
	if (c.weeks < p->min_weeks || c.usd / c.months < p->min_monthly_usd)
		return 0;
	for (i = 0; i < no; i++) {
		uint32_t t = ol[i];

		if (d->dst[t] == a || isnan(d->usd[t]))
			continue;
		outs += d->usd[t];
		if (d->chan[t] == CH_ACH || catset_has(&p->payroll, d->cat[t]))
			ach += d->usd[t];
	}
	if (outs > 0 && ach / outs > p->max_ach_share)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(c.usd / c.months, p->min_monthly_usd, 4 * p->min_monthly_usd));
	for (i = 0; i < x->tmp32.len; i++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[i]);
	fin_fmt_usd(usd, sizeof usd, c.usd);
	fin_sig_num(&b, "cash_usd", c.usd);
	fin_sig_num(&b, "monthly_cash_usd", c.usd / c.months);
	fin_sig_int(&b, "weeks_with_cash", c.weeks);
	fin_sig_num(&b, "ach_out_share", outs > 0 ? ach / outs : 0);
	fin_sig_num(&b, "outflows_usd", outs);
	fin_sig_say(&b, "%s account %s took steady cash deposits (%u deposits in %u different weeks, %s) "
		    "but made %s ACH or payroll payments (%.0f%% of its outflows).",
		    d->k_ctype[a] == CT_BUSINESS ? "Business" : "The", fin_acc_name(d, a), c.deposits, c.weeks, usd,
		    ach > 0 ? "almost no" : "no", outs > 0 ? 100 * ach / outs : 0.0);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.CASH_NO_PAYROLL ---- */

/*
 * FIN.CASH_NO_ACH reads FIN-2020-A008's "steady cash deposits with no ACH
 * payments" literally, so a front that pays its rent and utilities by ACH
 * and its takings to the trafficker by ACH is not one.  This rule reads the
 * indicator's point instead: a business of some size taking steady cash
 * that pays no payroll at all (nobody works there on the books), whose
 * money goes to one person instead (FIN-2020-A008 front-company typology:
 * proceeds mixed with the business's income, then drawn by the trafficker).
 * That person — the owner drawing the takings — is named too.
 */
struct np_p {
	int det;
	double min_monthly_usd, owner_share;
	uint32_t min_weeks, max_payroll, owner_payments;
	struct catset payroll;
};

static int np_prepare(struct fin_run *r, void **state)
{
	struct np_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.CASH_NO_PAYROLL");
	p->min_monthly_usd = fin_param(r, p->det, "min_monthly_cash_usd", 10000);
	p->min_weeks = (uint32_t)fin_param_int(r, p->det, "min_weeks", 4);
	p->max_payroll = (uint32_t)fin_param_int(r, p->det, "max_payroll_payments", 0);
	p->owner_payments = (uint32_t)fin_param_int(r, p->det, "owner_min_payments", 2);
	p->owner_share = fin_param(r, p->det, "owner_share", 0.5);
	catset_load(r, p->det, "payroll_categories", def_payroll, &p->payroll);
	*state = p;
	return 0;
}

static int np_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct np_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i, k;
	const uint32_t *ol = out_l(d, a, &no);
	double to_persons = 0, owner_usd = 0, score;
	uint32_t payroll = 0, owner = FIN_NONE, owner_n = 0, stamp;
	struct steady_cash c;
	struct fin_sigb b;
	char usd[48], ousd[48];

	if (d->k_ctype[a] != CT_BUSINESS || d->in_off[a + 1] - d->in_off[a] < p->min_weeks)
		return 0;
	/* bounded: a business paying thousands of accounts is no owner-run shop */
	if (no > 65536)
		return 0;
	for (i = 0; i < no && payroll <= p->max_payroll; i++)
		if (catset_has(&p->payroll, d->cat[ol[i]]))
			payroll++;
	if (payroll > p->max_payroll)
		return 0;
	if (steady_cash(d, a, x, &c))
		return RASTRO_NOMEM;
	if (c.weeks < p->min_weeks || c.usd / c.months < p->min_monthly_usd)
		return 0;
	/* the person drawing the money: the individual (KYC person) paid most
	 * of what the business pays to individuals, in owner_min_payments or more */
	for (i = 0; i < no; i++)
		if (fin_is_transfer(d, ol[i]) && d->k_ctype[d->dst[ol[i]]] == CT_PERSON && !isnan(d->usd[ol[i]]))
			to_persons += d->usd[ol[i]];
	stamp = fin_stamp(x);
	for (i = 0; i < no && to_persons > 0; i++) {
		uint32_t y = d->dst[ol[i]], n = 0;
		double sum = 0;

		if (!fin_is_transfer(d, ol[i]) || d->k_ctype[y] != CT_PERSON || x->acc_mark[y] == stamp)
			continue;
		x->acc_mark[y] = stamp;
		for (k = i; k < no; k++)
			if (d->dst[ol[k]] == y && fin_is_transfer(d, ol[k]) && !isnan(d->usd[ol[k]])) {
				sum += d->usd[ol[k]];
				n++;
			}
		if (n >= p->owner_payments && sum >= p->owner_share * to_persons && sum > owner_usd) {
			owner = y;
			owner_usd = sum;
			owner_n = n;
		}
	}
	if (owner == FIN_NONE || fin_swept(d, owner))
		return 0;
	score = fin_strength(c.usd / c.months, p->min_monthly_usd, 4 * p->min_monthly_usd);
	fin_fmt_usd(usd, sizeof usd, c.usd);
	fin_fmt_usd(ousd, sizeof ousd, owner_usd);
	fin_sig_begin(&b, out, p->det, a, score);
	for (i = 0; i < x->tmp32.len; i++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[i]);
	for (i = 0; i < no; i++)
		if (d->dst[ol[i]] == owner)
			fin_sig_ev(&b, ol[i]);
	fin_sig_str(&b, "side", "business");
	fin_sig_num(&b, "cash_usd", c.usd);
	fin_sig_num(&b, "monthly_cash_usd", c.usd / c.months);
	fin_sig_int(&b, "weeks_with_cash", c.weeks);
	fin_sig_int(&b, "payroll_payments", payroll);
	fin_sig_num(&b, "owner_usd", owner_usd);
	fin_sig_num(&b, "owner_share_of_payments_to_persons", owner_usd / to_persons);
	fin_sig_say(&b, "Business account %s took steady cash deposits (%u deposits in %u different weeks, %s, "
		    "%.0f USD a month) but paid no payroll; %s went to one person's account (%s) in %u payments.",
		    fin_acc_name(d, a), c.deposits, c.weeks, usd, c.usd / c.months, ousd, fin_acc_name(d, owner),
		    owner_n);
	fin_sig_end(&b, d, r->max_evidence);
	/* the owner drawing the takings */
	fin_sig_begin(&b, out, p->det, owner, score);
	for (i = 0; i < no; i++)
		if (d->dst[ol[i]] == owner)
			fin_sig_ev(&b, ol[i]);
	fin_sig_str(&b, "side", "owner");
	fin_sig_num(&b, "owner_usd", owner_usd);
	fin_sig_num(&b, "monthly_cash_usd", c.usd / c.months);
	fin_sig_say(&b, "Account %s drew %s in %u payments from business account %s, which takes %.0f USD a month "
		    "in cash and pays no payroll — the person its takings go to.",
		    fin_acc_name(d, owner), ousd, owner_n, fin_acc_name(d, a), c.usd / c.months);
	fin_sig_end(&b, d, r->max_evidence);
	return out->failed ? RASTRO_NOMEM : 0;
}

/* ---- FIN.OFFHOURS_CASH ---- */

struct oh_p {
	int det;
	int open_hour, close_hour;
	uint32_t min_deposits;
	double min_share, large_factor;
	int business_only;
};

static int oh_prepare(struct fin_run *r, void **state)
{
	struct oh_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.OFFHOURS_CASH");
	p->open_hour = (int)fin_param_int(r, p->det, "open_hour", 6);
	p->close_hour = (int)fin_param_int(r, p->det, "close_hour", 22);
	p->min_deposits = (uint32_t)fin_param_int(r, p->det, "min_offhours_deposits", 3);
	p->min_share = fin_param(r, p->det, "min_share", 0.3);
	p->large_factor = fin_param(r, p->det, "large_factor", 2.0);
	p->business_only = (int)fin_param_int(r, p->det, "business_only", 1);
	*state = p;
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int oh_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct oh_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, i;
	const uint32_t *il = in_l(d, a, &ni);
	uint32_t n = 0, off = 0;
	double off_sum = 0, median;
	double *amts;
	struct fin_sigb b;
	char usd[48];

	if (p->business_only && d->k_ctype[a] != CT_BUSINESS)
		return 0;
	if (ni < p->min_deposits)
		return 0;
	x->tmp32.len = 0;
	x->tmp64.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i];
		int h;
		double v;

		if (!cash_in(d, t, a) || isnan(d->usd[t]) || !has_time_of_day(d->ts[t]))
			continue;
		n++;
		v = d->usd[t];
		if (vec_push(&x->tmp64, &v))
			return RASTRO_NOMEM;
		h = (int)((d->ts[t] % DAY + DAY) % DAY / HOUR);
		if (p->open_hour <= p->close_hour ? (h < p->open_hour || h >= p->close_hour)
						  : (h < p->open_hour && h >= p->close_hour)) {
			off++;
			off_sum += d->usd[t];
			if (vec_push(&x->tmp32, &t))
				return RASTRO_NOMEM;
		}
	}
	if (off < p->min_deposits)
		return 0;
	amts = x->tmp64.data;
	if (n > 1)
		qsort(amts, n, sizeof *amts, cmp_dbl);
	median = n % 2 ? amts[n / 2] : (amts[n / 2 - 1] + amts[n / 2]) / 2;
	if ((double)off / n < p->min_share && off_sum / off < p->large_factor * median)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength((double)off / n, p->min_share, 0.9));
	for (i = 0; i < x->tmp32.len; i++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[i]);
	fin_fmt_usd(usd, sizeof usd, off_sum);
	fin_sig_int(&b, "offhours_deposits", off);
	fin_sig_int(&b, "cash_deposits", n);
	fin_sig_num(&b, "offhours_mean_usd", off_sum / off);
	fin_sig_num(&b, "median_deposit_usd", median);
	fin_sig_int(&b, "open_hour", p->open_hour);
	fin_sig_int(&b, "close_hour", p->close_hour);
	fin_sig_say(&b, "%s account %s made %u of its %u cash deposits outside business hours "
		    "(%02d:00–%02d:00), %s in total, averaging %.1f times its median deposit.",
		    d->k_ctype[a] == CT_BUSINESS ? "Business" : "The", fin_acc_name(d, a), off, n,
		    p->close_hour, p->open_hour, usd, median > 0 ? off_sum / off / median : 0.0);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.PREPAID_VELOCITY ---- */

struct pv_p {
	int det;
	int64_t window;
	uint32_t min_loads;
	struct catset cats;
};

static int pv_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "prepaid_load", "prepaid", "prepaid_card", "gift_card", NULL };
	struct pv_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.PREPAID_VELOCITY");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 30) * DAY);
	p->min_loads = (uint32_t)fin_param_int(r, p->det, "min_loads", 6);
	catset_load(r, p->det, "categories", def, &p->cats);
	*state = p;
	return 0;
}

static int pv_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct pv_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, i, lo = 0, best_lo = 0, best_hi = 0, k;
	const uint32_t *ol = out_l(d, a, &no);
	uint32_t cnt = 0, best = 0;
	struct fin_sigb b;
	char usd[48];
	const uint32_t *l;

	if (no < p->min_loads)
		return 0;
	x->tmp32.len = 0;
	for (i = 0; i < no; i++)
		if ((d->chan[ol[i]] == CH_PREPAID || catset_has(&p->cats, d->cat[ol[i]])) && d->amt[ol[i]] > 0 &&
		    vec_push(&x->tmp32, &ol[i]))
			return RASTRO_NOMEM;
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
	if (best < p->min_loads)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(best, p->min_loads, 3.0 * p->min_loads));
	for (k = best_lo; k <= best_hi; k++)
		fin_sig_ev(&b, l[k]);
	fin_fmt_usd(usd, sizeof usd, fin_sum_usd(d, l + best_lo, best_hi - best_lo + 1, NULL));
	fin_sig_int(&b, "loads", best);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_say(&b, "Account %s bought or loaded prepaid cards %u times within %.0f days (%s).",
		    fin_acc_name(d, a), best, (double)p->window / DAY, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.GEO_MOBILITY ---- */

struct gm_p {
	int det;
	int64_t window;
	uint32_t min_cities;
};

static int gm_prepare(struct fin_run *r, void **state)
{
	struct gm_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.GEO_MOBILITY");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 7) * DAY);
	p->min_cities = (uint32_t)fin_param_int(r, p->det, "min_cities", 4);
	*state = p;
	return 0;
}

static int gm_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct gm_p *p = st;
	const struct fin_data *d = r->d;
	size_t no, ni, i, lo = 0, best_lo = 0, best_hi = 0, k, oi = 0, ii = 0;
	const uint32_t *ol = out_l(d, a, &no), *il = in_l(d, a, &ni);
	uint32_t cities = 0, best = 0;
	const uint32_t *l;
	struct fin_sigb b;

	if (no + ni < p->min_cities)
		return 0;
	/* the account holder's own presence: card and cash debits, cash
	 * deposits — merged in time order */
	x->tmp32.len = 0;
	while (oi < no || ii < ni) {
		uint32_t t;

		if (ii >= ni || (oi < no && ol[oi] < il[ii]))
			t = ol[oi++];
		else
			t = il[ii++];
		if (!d->city[t])
			continue;
		if (d->src[t] == a && d->chan[t] != CH_CARD && d->chan[t] != CH_CASH && d->chan[t] != CH_PREPAID)
			continue;
		if (d->dst[t] == a && !(d->chan[t] == CH_CASH && d->src[t] == FIN_NONE))
			continue;
		if (vec_push(&x->tmp32, &t))
			return RASTRO_NOMEM;
	}
	l = x->tmp32.data;
	for (i = 0; i < x->tmp32.len; i++) {
		if (x->str_cnt[d->city[l[i]]]++ == 0)
			cities++;
		while (d->ts[l[i]] - d->ts[l[lo]] > p->window) {
			if (--x->str_cnt[d->city[l[lo]]] == 0)
				cities--;
			lo++;
		}
		if (cities > best) {
			best = cities;
			best_lo = lo;
			best_hi = i;
		}
	}
	for (k = lo; k < x->tmp32.len; k++)
		x->str_cnt[d->city[l[k]]] = 0;
	if (best < p->min_cities)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(best, p->min_cities, 2.0 * p->min_cities));
	sbuf_clear(&x->sb);
	{
		uint32_t st2 = fin_stamp(x);
		int first = 1;

		for (k = best_lo; k <= best_hi; k++) {
			fin_sig_ev(&b, l[k]);
			if (x->str_mark[d->city[l[k]]] != st2) {
				x->str_mark[d->city[l[k]]] = st2;
				sbuf_addf(&x->sb, "%s%s", first ? "" : ", ", fin_strv(d, d->city[l[k]]));
				first = 0;
			}
		}
	}
	fin_sig_int(&b, "cities", best);
	fin_sig_num(&b, "window_days", (double)p->window / DAY);
	fin_sig_str(&b, "city_list", x->sb.buf);
	fin_sig_say(&b, "Account %s was used in %u different cities within %.0f days (%s).",
		    fin_acc_name(d, a), best, (double)p->window / DAY, x->sb.buf);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- FIN.TRIP_PAYOUT ---- */

/*
 * A transporter's pay: one payer pays the account again and again, each
 * time just after the account's own spending along a route through the
 * border zone (fuel, tolls, food in two or more places in a day or two; or,
 * when the route stays within one border city, several fuel stops).
 * Friends settling a road trip do it once; commuters are paid wages.  The
 * payer of several such transporters is named too (the organiser paying
 * drivers per crossing).  Transporters are found once, in prepare, so that
 * each account's task can name both sides.
 */
struct tp_p {
	int det;
	int64_t trip;             /* spending this long before a payout makes its trip */
	uint32_t min_trips, min_places, min_fuel_stops, min_transporters;
	double min_usd;
	uint8_t *place_is_border, *acc_is_border, *payroll, *fuel, *rent;
	uint32_t *payer_of;       /* per account: the payer of its trips, FIN_NONE if none */
	uint32_t *trips;          /* per account: trips paid by payer_of */
	uint32_t *transporters;   /* per account: transporters it pays */
};

static void tp_release(void *state)
{
	struct tp_p *p = state;

	mem_free(p->place_is_border);
	mem_free(p->acc_is_border);
	mem_free(p->payroll);
	mem_free(p->fuel);
	mem_free(p->rent);
	mem_free(p->payer_of);
	mem_free(p->trips);
	mem_free(p->transporters);
	mem_free(p);
}

/* Marks for counting distinct places: a stamp per call. */
struct tp_marks {
	uint32_t *mark;
	uint32_t stamp;
	size_t n;
};

static uint32_t tp_stamp(struct tp_marks *m)
{
	if (++m->stamp == 0) {
		memset(m->mark, 0, m->n * sizeof *m->mark);
		m->stamp = 1;
	}
	return m->stamp;
}

/* Does account a's own spending in (t - trip, t] cover min_places places
 * or min_fuel_stops fuel purchases, one of them in the border zone?  With
 * `ev`, its transactions are added. */
static int tp_trip(const struct tp_p *p, const struct fin_data *d, uint32_t a, int64_t t, struct tp_marks *m,
		   struct fin_sigb *ev)
{
	size_t no, k, lo;
	const uint32_t *ol = out_l(d, a, &no);
	uint32_t places = 0, fuel = 0, stamp = tp_stamp(m);
	int border = 0;

	lo = fin_at_time(d, ol, no, t - p->trip + 1);
	for (k = lo; k < no && d->ts[ol[k]] <= t; k++) {
		uint32_t u = ol[k], pl = d->place[u];

		if (!pl || d->chan[u] == CH_CASH || d->dst[u] == a)
			continue;
		if (m->mark[pl] != stamp) {
			m->mark[pl] = stamp;
			places++;
		}
		fuel += p->fuel[d->cat[u]];
		border |= p->place_is_border[pl];
	}
	if ((places < p->min_places && (!p->min_fuel_stops || fuel < p->min_fuel_stops)) || !border)
		return 0;
	if (ev)
		for (k = lo; k < no && d->ts[ol[k]] <= t; k++)
			if (d->place[ol[k]] && d->chan[ol[k]] != CH_CASH && d->dst[ol[k]] != a)
				fin_sig_ev(ev, ol[k]);
	return 1;
}

/* A payout that can pay for a trip: from an individual, not wages, not
 * rent (a tenant paying a landlord who lives in a border city). */
static int tp_payout(const struct tp_p *p, const struct fin_data *d, uint32_t t)
{
	uint32_t s = d->src[t];

	return fin_is_transfer(d, t) && !fin_hub_out(d, s) && d->k_ctype[s] != CT_BUSINESS &&
	       !fin_is_wage(d, t, p->payroll) && !p->rent[d->cat[t]] && !isnan(d->usd[t]) &&
	       d->usd[t] >= p->min_usd;
}

/* The payer of account a's trips (most trips; ties to the lower index). */
static void tp_find(struct tp_p *p, const struct fin_data *d, uint32_t a, uint32_t *cnt, struct tp_marks *m)
{
	size_t ni, i;
	const uint32_t *il = in_l(d, a, &ni);
	uint32_t best = FIN_NONE, best_n = 0;

	if (ni < p->min_trips || d->k_ctype[a] == CT_BUSINESS || fin_hub_in(d, a))
		return;
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i], s = d->src[t];

		if (!tp_payout(p, d, t) || !tp_trip(p, d, a, d->ts[t], m, NULL))
			continue;
		/* most trips; ties to the lower account index */
		uint32_t c = ++cnt[s];

		if (c > best_n || (c == best_n && best > s)) {
			best_n = c;
			best = s;
		}
	}
	for (i = 0; i < ni; i++)
		if (d->src[il[i]] != FIN_NONE)
			cnt[d->src[il[i]]] = 0;
	if (best != FIN_NONE && best_n >= p->min_trips) {
		p->payer_of[a] = best;
		p->trips[a] = best_n;
		p->transporters[best]++;
	}
}

static int tp_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "payroll", "wages", "salary", NULL };
	static const char *const def_fuel[] = { "fuel", NULL };
	static const char *const def_rent[] = { "rent", NULL };
	const struct fin_data *d = r->d;
	struct tp_p *p = mem_calloc(1, sizeof *p);
	struct tp_marks m = { NULL, 0, strmap_count(&d->strs) + 1 };
	uint32_t *cnt;
	size_t a;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.TRIP_PAYOUT");
	p->trip = (int64_t)(fin_param(r, p->det, "trip_hours", 48) * HOUR);
	p->min_trips = (uint32_t)fin_param_int(r, p->det, "min_trips", 3);
	p->min_places = (uint32_t)fin_param_int(r, p->det, "min_places", 2);
	p->min_fuel_stops = (uint32_t)fin_param_int(r, p->det, "min_fuel_stops", 2);
	p->min_transporters = (uint32_t)fin_param_int(r, p->det, "min_transporters", 2);
	p->min_usd = fin_param(r, p->det, "min_usd", 200);
	p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	p->fuel = fin_cat_flags(r, p->det, "fuel_categories", def_fuel, 1);
	p->rent = fin_cat_flags(r, p->det, "rent_categories", def_rent, 1);
	p->payer_of = mem_alloc((d->nacc + 1) * sizeof *p->payer_of);
	p->trips = mem_calloc(d->nacc + 1, sizeof *p->trips);
	p->transporters = mem_calloc(d->nacc + 1, sizeof *p->transporters);
	cnt = mem_calloc(d->nacc + 1, sizeof *cnt);
	m.mark = mem_calloc(m.n, sizeof *m.mark);
	if (!p->payroll || !p->fuel || !p->rent || !p->payer_of || !p->trips || !p->transporters || !cnt || !m.mark ||
	    border_tables(r, &p->place_is_border, &p->acc_is_border)) {
		mem_free(cnt);
		mem_free(m.mark);
		return RASTRO_NOMEM;
	}
	for (a = 0; a < d->nacc; a++)
		p->payer_of[a] = FIN_NONE;
	for (a = 0; a < d->nacc; a++)
		tp_find(p, d, (uint32_t)a, cnt, &m);
	mem_free(cnt);
	mem_free(m.mark);
	return 0;
}

static int tp_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct tp_p *p = st;
	const struct fin_data *d = r->d;
	struct tp_marks m = { x->str_mark, 0, x->nstr };
	size_t n, i;
	double paid = 0;
	struct fin_sigb b;
	char usd[48];

	/* a swept earner's account is controlled by another: never a subject */
	if (fin_swept(d, a))
		return 0;
	m.stamp = fin_stamp(x);
	if (p->payer_of[a] != FIN_NONE) {
		/* the transporter: its payouts and each trip's spending */
		const uint32_t *il = in_l(d, a, &n);
		uint32_t payer = p->payer_of[a];

		fin_sig_begin(&b, out, p->det, a, fin_strength(p->trips[a], p->min_trips, 3.0 * p->min_trips));
		for (i = 0; i < n; i++) {
			uint32_t t = il[i];

			if (d->src[t] != payer || !tp_payout(p, d, t))
				continue;
			/* the trip's spending first, then the payout */
			if (!tp_trip(p, d, a, d->ts[t], &m, &b))
				continue;
			fin_sig_ev(&b, t);
			paid += d->usd[t];
		}
		fin_fmt_usd(usd, sizeof usd, paid);
		/* the payer is not named: it may yet be flagged as a potential
		 * victim (outputs show evidence counterparties, protected) */
		fin_sig_int(&b, "trips", p->trips[a]);
		fin_sig_num(&b, "paid_usd", paid);
		fin_sig_num(&b, "trip_hours", (double)p->trip / HOUR);
		fin_sig_say(&b, "Account %s was paid %u times by one payer (%s in all), each time within %.0f h "
			    "after its own spending along a route through the border zone — a transporter paid "
			    "per trip.", fin_acc_name(d, a), p->trips[a], usd, (double)p->trip / HOUR);
		fin_sig_end(&b, d, r->max_evidence);
		m.stamp = fin_stamp(x);
	}
	if (p->transporters[a] >= p->min_transporters) {
		/* the payer of several transporters: its payouts to them */
		const uint32_t *ol = out_l(d, a, &n);
		double score = fin_strength(p->transporters[a], p->min_transporters, 3.0 * p->min_transporters);

		paid = 0;
		fin_sig_begin(&b, out, p->det, a, score);
		for (i = 0; i < n; i++) {
			uint32_t t = ol[i];

			if (!fin_is_transfer(d, t) || p->payer_of[d->dst[t]] != a || !tp_payout(p, d, t))
				continue;
			fin_sig_ev(&b, t);
			paid += d->usd[t];
		}
		fin_fmt_usd(usd, sizeof usd, paid);
		fin_sig_int(&b, "transporters", p->transporters[a]);
		fin_sig_num(&b, "paid_usd", paid);
		fin_sig_say(&b, "Account %s pays %u accounts, each after its own spending along a route through "
			    "the border zone (%s in all) — transporters of one organisation.",
			    fin_acc_name(d, a), p->transporters[a], usd);
		fin_sig_end(&b, d, r->max_evidence);
		/* whom the organisation's paymaster pays most besides them, e.g.
		 * its recruiter abroad (FIN-2023-Alert001: payouts along the
		 * smuggling route; FIN-2014-A008: review the relationship, not
		 * the account alone) */
		return fin_funnel_beneficiaries(r, p->det, "an account paying transporters", a, score, x, out);
	}
	return 0;
}

/* ---- FIN.PLACEMENT_FANOUT ---- */

/*
 * Placement then layering: cash paid into an account is sent on within
 * days to several accounts it never paid before (AMLworld fan-out with
 * cash placement; FinCEN's cash deposits followed by rapid transfers).  A
 * business paying its usual suppliers from its takings pays known payees;
 * layering goes to fresh ones.  An employer paying wages is an operating
 * business, not a shell (FIN-2020-A008: cash with no payroll is the red
 * flag), so an account that paid more than max_wage_payments wages places
 * nothing.  The recipients are named too: each got a first payment from the
 * account right after the placement.
 */
struct pf_p {
	int det;
	int64_t placement, layer, history;
	double min_cash, min_each, min_ratio;
	uint32_t min_payees;
	long long max_wages;      /* wage payments an account may make and still place */
	uint8_t *payroll;
};

static void pf_release(void *state)
{
	struct pf_p *p = state;

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
	p->det = fin_detector_find("FIN.PLACEMENT_FANOUT");
	p->placement = (int64_t)(fin_param(r, p->det, "placement_days", 3) * DAY);
	p->layer = (int64_t)(fin_param(r, p->det, "layer_days", 7) * DAY);
	p->history = (int64_t)(fin_param(r, p->det, "min_history_days", 30) * DAY);
	p->min_cash = fin_param(r, p->det, "min_cash_usd", 10000);
	p->min_each = fin_param(r, p->det, "min_each_usd", 2000);
	p->min_ratio = fin_param(r, p->det, "min_out_ratio", 0.5);
	p->min_payees = (uint32_t)fin_param_int(r, p->det, "min_payees", 3);
	p->max_wages = fin_param_int(r, p->det, "max_wage_payments", 0);
	p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	*state = p;
	return p->payroll ? 0 : RASTRO_NOMEM;
}

/* Does account a pay more than p->max_wages payroll-category transfers (an
 * employer)?  Only the category counts: a shell paying mules by ACH must
 * not pass for an employer. */
static int pf_employer(const struct pf_p *p, const struct fin_data *d, const uint32_t *ol, size_t no)
{
	long long n = 0;
	size_t k;

	if (p->max_wages < 0)
		return 0;
	for (k = 0; k < no; k++)
		if (p->payroll[d->cat[ol[k]]] && d->amt[ol[k]] > 0 && ++n > p->max_wages)
			return 1;
	return 0;
}

static int pf_cash_in(const struct fin_data *d, uint32_t t, uint32_t a)
{
	return d->dst[t] == a && d->src[t] == FIN_NONE && d->chan[t] == CH_CASH && d->amt[t] > 0 &&
	       !isnan(d->usd[t]);
}

static int pf_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct pf_p *p = st;
	const struct fin_data *d = r->d;
	size_t ni, no, i, j, k, lo = 0;
	const uint32_t *il = in_l(d, a, &ni), *ol = out_l(d, a, &no);
	uint32_t stamp, *first, best = 0;
	size_t best_i = 0, best_lo = 0, best_k0 = 0;
	double placed = 0, best_placed = 0, best_sent = 0;
	int64_t since;

	/* a hub payer (employer, payroll processor) pays hub_degree ordinary
	 * accounts; shops do not count (fin_data: out_cp leaves them out) */
	if (no < p->min_payees || fin_swept(d, a) || fin_hub_out(d, a) || pf_employer(p, d, ol, no))
		return 0;
	/* "never paid before" needs a look-back: the account's first
	 * transaction at least min_history_days before the placement */
	since = d->ts[ol[0]];
	if (ni && d->ts[il[0]] < since)
		since = d->ts[il[0]];
	/* the first payment to each payee (tmp32b: 1 = first) */
	stamp = fin_stamp(x);
	x->tmp32b.len = 0;
	for (k = 0; k < no; k++) {
		uint32_t t = ol[k], f = 0;

		if (fin_is_transfer(d, t) && x->acc_mark[d->dst[t]] != stamp) {
			x->acc_mark[d->dst[t]] = stamp;
			f = 1;
		}
		if (vec_push(&x->tmp32b, &f))
			return RASTRO_NOMEM;
	}
	first = x->tmp32b.data;
	/* every deposit that completes a placement is tried and the one whose
	 * layering window reaches the most new payees is kept: the first
	 * deposit past min_cash_usd can come days before the last payment
	 * (development seed 10: one payee 5 days after the last deposit, 7
	 * days and 8 hours after the first that qualified) */
	for (i = 0; i < ni; i++) {
		uint32_t t = il[i], npay = 0;
		double sent = 0;
		size_t k0;

		if (!pf_cash_in(d, t, a))
			continue;
		/* cash placed in the days up to this deposit */
		placed += d->usd[t];
		while (lo < i && d->ts[t] - d->ts[il[lo]] > p->placement) {
			if (pf_cash_in(d, il[lo], a))
				placed -= d->usd[il[lo]];
			lo++;
		}
		if (placed < p->min_cash || d->ts[t] - since < p->history)
			continue;
		/* fresh payees paid in the days after it */
		k0 = fin_at_time(d, ol, no, d->ts[t]);
		for (k = k0; k < no && d->ts[ol[k]] <= d->ts[t] + p->layer; k++)
			if (first[k] && d->usd[ol[k]] >= p->min_each && !fin_hub_in(d, d->dst[ol[k]])) {
				npay++;
				sent += d->usd[ol[k]];
			}
		if (npay < p->min_payees || sent < p->min_ratio * placed || npay <= best)
			continue;
		best = npay;
		best_i = i;
		best_lo = lo;
		best_k0 = k0;
		best_placed = placed;
		best_sent = sent;
	}
	if (!best)
		return 0;
	{
		uint32_t t = il[best_i], npay = best;
		size_t k0 = best_k0;
		struct fin_sigb b;
		char usd[48], usd2[48];
		double sc = fin_strength(npay, p->min_payees, 3.0 * p->min_payees);

		i = best_i;
		lo = best_lo;
		placed = best_placed;
		fin_fmt_usd(usd, sizeof usd, placed);
		fin_fmt_usd(usd2, sizeof usd2, best_sent);
		fin_sig_begin(&b, out, p->det, a, sc);
		for (j = lo; j <= i; j++)
			if (pf_cash_in(d, il[j], a))
				fin_sig_ev(&b, il[j]);
		for (k = k0; k < no && d->ts[ol[k]] <= d->ts[t] + p->layer; k++)
			if (first[k] && d->usd[ol[k]] >= p->min_each && !fin_hub_in(d, d->dst[ol[k]]))
				fin_sig_ev(&b, ol[k]);
		fin_sig_int(&b, "new_payees", npay);
		fin_sig_num(&b, "cash_usd", placed);
		fin_sig_num(&b, "sent_usd", best_sent);
		fin_sig_num(&b, "layer_days", (double)p->layer / DAY);
		fin_sig_say(&b, "Account %s took %s in cash and within %.0f days sent %s to %u accounts it had "
			    "never paid before — cash placed, then spread out.", fin_acc_name(d, a), usd,
			    (double)p->layer / DAY, usd2, npay);
		fin_sig_end(&b, d, r->max_evidence);
		/* each recipient: its first payment from the placing account */
		for (k = k0; k < no && d->ts[ol[k]] <= d->ts[t] + p->layer; k++) {
			uint32_t u = ol[k], y = d->dst[u];

			if (!first[k] || d->usd[u] < p->min_each || fin_hub_in(d, y) || fin_swept(d, y))
				continue;
			fin_fmt_usd(usd2, sizeof usd2, d->usd[u]);
			fin_sig_begin(&b, out, p->det, y, sc);
			fin_sig_ev(&b, u);
			fin_sig_int(&b, "new_payees", npay);
			fin_sig_num(&b, "cash_usd", placed);
			fin_sig_num(&b, "received_usd", d->usd[u]);
			fin_sig_say(&b, "Account %s received %s, a first payment from an account that had just "
				    "taken %s in cash and spread it over %u new payees within %.0f days.",
				    fin_acc_name(d, y), usd2, usd, npay, (double)p->layer / DAY);
			fin_sig_end(&b, d, r->max_evidence);
		}
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

const struct fin_detector fin_det_cash[] = {
	{ "FIN.STRUCTURING", "structuring", TY_STRUCT,
	  "FIN-2020-A008 (avoiding reporting: structuring below the CTR threshold); 31 U.S.C. 5324; "
	  "FIN-2020-A008 funnel typology (deposits often below the CTR threshold)",
	  "cash just under $10,000 or split to stay under it", st_prepare, st_account, NULL, st_release, NULL },
	{ "FIN.FUNNEL", "funnel", TY_HT | TY_HS,
	  "FIN-2020-A008 typology 'funnel accounts'; FIN-2023-Alert001 (deposits by many individuals in "
	  "many locations into one account)",
	  "cash paid in at many places, taken out elsewhere soon after", fu_prepare, fu_account, NULL, NULL, NULL },
	{ "FIN.CASH_TO_CORRIDOR", "cash_to_corridor", TY_HS,
	  "FIN-2023-Alert001 and FIN-2014-A008 (unexplained cash deposits followed by rapid wires to "
	  "high-migrant-flow countries)",
	  "cash in, wired soon after to a high-migration corridor", cc_prepare, cc_account, NULL, cc_release, NULL },
	{ "FIN.BORDER_FANIN", "border_fanin", TY_HS,
	  "FIN-2023-Alert001 (wires, cash deposits or P2P payments from many originators in many places "
	  "to one beneficiary on or near the southwest border)",
	  "many originators in many places pay one border beneficiary", bf_prepare, bf_account, NULL, bf_release, NULL },
	{ "FIN.REMIT_FANIN", "remit_fanin", TY_HS,
	  "FIN-2023-Alert001 (several unrelated customers wiring funds to the same beneficiary, in the "
	  "senders' home country or a border area; originators across the U.S., Mexico and Central America)",
	  "wires from many originators in several countries to one beneficiary", rf_prepare, rf_account, NULL, NULL,
	  NULL },
	{ "FIN.CASH_NO_ACH", "cash_no_ach", TY_HT,
	  "FIN-2020-A008 financial indicator (steady cash deposits with no ACH payments: no payroll or "
	  "other normal business outflows)",
	  "steady cash with no payroll or ACH outflows", cn_prepare, cn_account, NULL, NULL, NULL },
	{ "FIN.CASH_NO_PAYROLL", "cash_no_payroll", TY_HT,
	  "FIN-2020-A008 financial indicator (steady cash deposits with no payroll or other normal business "
	  "outflows) and front-company typology (proceeds mixed with a business's income, drawn by the "
	  "trafficker)",
	  "steady cash, no payroll, the takings drawn by one person (and that person)", np_prepare, np_account, NULL,
	  NULL, NULL },
	{ "FIN.OFFHOURS_CASH", "offhours_cash", TY_HT,
	  "FIN-2020-A008 financial indicator (cash or abnormally large deposits outside the business's "
	  "normal operating hours)",
	  "cash deposits outside business hours", oh_prepare, oh_account, NULL, NULL, NULL },
	{ "FIN.PREPAID_VELOCITY", "prepaid_velocity", TY_HT,
	  "FIN-2020-A008 financial indicator (frequent purchase and use of prepaid access cards)",
	  "frequent prepaid-card purchases or loads", pv_prepare, pv_account, NULL, NULL, NULL },
	{ "FIN.GEO_MOBILITY", "geo_mobility", TY_HT,
	  "FIN-2020-A008 financial indicator (transactions showing frequent geographic movement)",
	  "used in many cities within days", gm_prepare, gm_account, NULL, NULL, NULL },
	{ "FIN.TRIP_PAYOUT", "trip_payout", TY_HS,
	  "FIN-2023-Alert001 (transportation phase of smuggling: transporters paid by the organisation) "
	  "and FIN-2014-A008 human-smuggling red flags; the per-trip timing test is rastro's",
	  "paid by one payer after each trip through the border zone", tp_prepare, tp_account, NULL, tp_release,
	  NULL },
	{ "FIN.PLACEMENT_FANOUT", "placement_fanout", TY_ML,
	  "AML graph pattern fan-out with cash placement (IBM AMLworld FAN-OUT; FIN-2020-A008 T14 cash "
	  "placement; FIN-2023-Alert001 and FIN-2014-A008 cash deposits followed by rapid transfers)",
	  "cash placed, then sent within days to several new payees", pf_prepare, pf_account, NULL, pf_release, NULL },
};
const size_t fin_det_cash_n = sizeof fin_det_cash / sizeof fin_det_cash[0];
