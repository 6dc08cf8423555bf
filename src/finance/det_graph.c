/*
 * det_graph: money-laundering graph patterns over time windows, as in the
 * AML literature (IBM AMLworld's eight pattern kinds; IBM's Graph Feature
 * Preprocessor): fan-out, fan-in, scatter-gather, gather-scatter, temporal
 * cycles, rapid pass-through, bipartite and stack layering.
 *
 * Only transfers count (two different accounts, positive amount): cash in
 * and out, self-transfers ("reinvestment") and zero amounts are not edges
 * of the money graph.  Every search is bounded — by time window, by hop
 * count, by a degree cap above which an account is treated as a hub and not
 * expanded, and by a step budget per search — so that no input can make it
 * blow up; docs/detectors/ and bench/RESULTS.md say what the bounds cost.
 */
#include "fin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define HOUR 3600

static uint32_t out_n(const struct fin_data *d, uint32_t a)
{
	return d->out_off[a + 1] - d->out_off[a];
}

static uint32_t in_n(const struct fin_data *d, uint32_t a)
{
	return d->in_off[a + 1] - d->in_off[a];
}

static const uint32_t *out_l(const struct fin_data *d, uint32_t a)
{
	return d->out_tx + d->out_off[a];
}

static const uint32_t *in_l(const struct fin_data *d, uint32_t a)
{
	return d->in_tx + d->in_off[a];
}

/* ---- fan-out / fan-in ---- */

struct fan_p {
	int det;
	int64_t window;
	uint32_t k, full;
	double burst;          /* the window holds at least this many times the account's usual rate */
};

static int fan_prepare(struct fin_run *r, void **state, const char *code)
{
	struct fan_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find(code);
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->k = (uint32_t)fin_param_int(r, p->det, "min_counterparties", 5);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_counterparties", 3 * p->k);
	p->burst = fin_param(r, p->det, "burst_factor", 2.0);
	if (p->k < 2)
		p->k = 2;
	*state = p;
	return 0;
}

static int fan_out_prepare(struct fin_run *r, void **state)
{
	return fan_prepare(r, state, "FIN.FAN_OUT");
}

static int fan_in_prepare(struct fin_run *r, void **state)
{
	return fan_prepare(r, state, "FIN.FAN_IN");
}

/* A transfer whose counterparty is not a hub. */
static int fan_edge(const struct fin_data *d, uint32_t t, const uint32_t *cp, int in)
{
	return fin_is_transfer(d, t) && !(in ? fin_hub_out(d, cp[t]) : fin_hub_in(d, cp[t]));
}

/* Largest number of distinct counterparties in any window of the list. */
static int fan_scan(struct fin_run *r, const struct fan_p *p, uint32_t a, int in,
		    struct fin_scratch *x, struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	const uint32_t *l = in ? in_l(d, a) : out_l(d, a);
	size_t n = in ? in_n(d, a) : out_n(d, a), lo = 0, hi, best_lo = 0, best_hi = 0, k;
	uint32_t distinct = 0, best = 0;
	const uint32_t *cp = in ? d->src : d->dst;
	struct fin_sigb b;
	char when0[32], when1[32], usd[48];
	double total, burst_ratio = 0;

	if (n < p->k)
		return 0;
	/* a merchant or employer paid by (or paying) everyone is not fanning:
	 * hubs are neither subjects nor counted counterparties */
	if ((in ? fin_hub_in(d, a) : fin_hub_out(d, a)) || fin_swept(d, a))
		return 0;
	for (hi = 0; hi < n; hi++) {
		uint32_t t = l[hi];

		if (fan_edge(d, t, cp, in) && x->acc_cnt[cp[t]]++ == 0)
			distinct++;
		while (d->ts[t] - d->ts[l[lo]] > p->window) {
			uint32_t u = l[lo++];

			if (fan_edge(d, u, cp, in) && --x->acc_cnt[cp[u]] == 0)
				distinct--;
		}
		if (distinct > best) {
			best = distinct;
			best_lo = lo;
			best_hi = hi;
		}
	}
	for (k = lo; k < n; k++)
		if (fan_edge(d, l[k], cp, in))
			x->acc_cnt[cp[l[k]]] = 0;
	if (best < p->k)
		return 0;
	/* a burst, not the account's everyday pace: transfers in the window
	 * against the rate of its transfers outside it */
	{
		size_t inside = 0, outside = 0;
		double span = (double)(d->tmax - d->tmin) - (double)p->window, expected;

		for (k = 0; k < n; k++)
			if (fan_edge(d, l[k], cp, in)) {
				if (k >= best_lo && k <= best_hi)
					inside++;
				else
					outside++;
			}
		expected = span > 0 ? (double)outside * (double)p->window / span : 0;
		if ((double)inside < p->burst * expected)
			return 0;
		burst_ratio = expected > 0 ? (double)inside / expected : 0;
	}
	fin_sig_begin(&b, out, p->det, a, fin_strength(best, p->k, p->full));
	for (k = best_lo; k <= best_hi; k++)
		if (fan_edge(d, l[k], cp, in))
			fin_sig_ev(&b, l[k]);
	fin_sig_num(&b, "burst_ratio", burst_ratio);
	total = fin_sum_usd(d, l + best_lo, best_hi - best_lo + 1, NULL);
	fin_fmt_time(when0, sizeof when0, d->ts[l[best_lo]]);
	fin_fmt_time(when1, sizeof when1, d->ts[l[best_hi]]);
	fin_fmt_usd(usd, sizeof usd, total);
	fin_sig_int(&b, "counterparties", best);
	fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
	fin_sig_int(&b, "min_counterparties", p->k);
	fin_sig_num(&b, "total_usd", total);
	if (in)
		fin_sig_say(&b, "Account %s received transfers from %u different accounts within %.0f h "
			    "(%s to %s), %s in total.", fin_acc_name(d, a), best,
			    (double)p->window / HOUR, when0, when1, usd);
	else
		fin_sig_say(&b, "Account %s sent transfers to %u different accounts within %.0f h "
			    "(%s to %s), %s in total.", fin_acc_name(d, a), best,
			    (double)p->window / HOUR, when0, when1, usd);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

static int fan_out_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
			   struct fin_sink *out)
{
	return fan_scan(r, st, a, 0, x, out);
}

static int fan_in_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
			  struct fin_sink *out)
{
	return fan_scan(r, st, a, 1, x, out);
}

/* ---- one-off fan-out: a burst of large single payments to many payees ---- */

/*
 * Layering by fan-out (AMLworld FAN-OUT; GFP fan features) seen from the
 * payer's whole history: within a few days the account sends large
 * transfers to many accounts that it pays at no other time in the data,
 * and that burst is many times what the account usually pays out.  Funds
 * spread to one-off payees are the fan-out; the one-off test is what sets
 * it apart from a business paying its usual suppliers or a property
 * manager paying owners every month (recurring payees), and it needs no
 * cash placement in the data (the placement may fall before its start).
 * Card payments, receiving hubs (shops, utilities), employers (payroll
 * payments) and swept earners are left out.  The payees are named too.
 */
struct lf_p {
	int det;
	int64_t window, min_data;
	uint32_t k, full;
	double min_each, min_usd, burst;
	long long max_wages;
	uint8_t *payroll;
};

static void lf_release(void *state)
{
	struct lf_p *p = state;

	mem_free(p->payroll);
	mem_free(p);
}

static int lf_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "payroll", "wages", "salary", NULL };
	struct lf_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.ONEOFF_FANOUT");
	p->window = (int64_t)(fin_param(r, p->det, "window_days", 7) * 24 * HOUR);
	p->min_data = (int64_t)(fin_param(r, p->det, "min_data_days", 30) * 24 * HOUR);
	p->k = (uint32_t)fin_param_int(r, p->det, "min_payees", 5);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_payees", 3 * p->k);
	p->min_each = fin_param(r, p->det, "min_each_usd", 2000);
	p->min_usd = fin_param(r, p->det, "min_usd", 10000);
	p->burst = fin_param(r, p->det, "burst_factor", 4.0);
	p->max_wages = fin_param_int(r, p->det, "max_wage_payments", 0);
	if (p->k < 2)
		p->k = 2;
	p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	return p->payroll ? 0 : RASTRO_NOMEM;
}

/* A candidate payment: a transfer (not by card) of at least min_each to a
 * payee that is not a receiving hub and that the account pays only once
 * (acc_cnt holds the payments per payee). */
static int lf_edge(const struct lf_p *p, const struct fin_data *d, uint32_t t, const uint32_t *cnt)
{
	return fin_is_transfer(d, t) && d->chan[t] != CH_CARD && !fin_hub_in(d, d->dst[t]) &&
	       cnt[d->dst[t]] == 1 && !isnan(d->usd[t]) && d->usd[t] >= p->min_each;
}

static int lf_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct lf_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *l = out_l(d, a);
	size_t n = out_n(d, a), lo = 0, hi, k, best_lo = 0, best_hi = 0;
	uint32_t cnt = 0, best = 0;
	long long wages = 0;
	double sum = 0, best_sum = 0, all = 0, expected, span;

	/* "paid at no other time" and "its usual outflow" mean something only
	 * when the data covers a month or more: a monthly payee is then seen
	 * twice (in ten days of data every payee looks one-off) */
	if (n < p->k || d->tmax - d->tmin < p->min_data || fin_hub_out(d, a) || fin_swept(d, a))
		return 0;
	for (k = 0; k < n; k++) {
		uint32_t t = l[k];

		if (p->max_wages >= 0 && p->payroll[d->cat[t]] && d->amt[t] > 0 && ++wages > p->max_wages)
			break;
		if (fin_is_transfer(d, t))
			x->acc_cnt[d->dst[t]]++;
		if (!isnan(d->usd[t]) && d->amt[t] > 0)
			all += d->usd[t];
	}
	if (k == n) {
		/* the window with the most one-off payees (then the most money) */
		for (hi = 0; hi < n; hi++) {
			uint32_t t = l[hi];

			if (!lf_edge(p, d, t, x->acc_cnt))
				continue;
			cnt++;
			sum += d->usd[t];
			while (d->ts[t] - d->ts[l[lo]] > p->window) {
				if (lf_edge(p, d, l[lo], x->acc_cnt)) {
					cnt--;
					sum -= d->usd[l[lo]];
				}
				lo++;
			}
			if (cnt > best || (cnt == best && sum > best_sum)) {
				best = cnt;
				best_sum = sum;
				best_lo = lo;
				best_hi = hi;
			}
		}
	}
	if (best >= p->k && best_sum >= p->min_usd) {
		/* a burst: the one-off payments against what the account pays
		 * out in a window that long the rest of the time */
		span = (double)(d->tmax - d->tmin) - (double)p->window;
		expected = span > 0 ? (all - best_sum) * (double)p->window / span : 0;
		if (best_sum >= p->burst * expected) {
			struct fin_sigb b;
			char usd[48], usd2[48], when0[32], when1[32];
			double sc = fin_strength(best, p->k, p->full);

			fin_fmt_usd(usd, sizeof usd, best_sum);
			fin_fmt_time(when0, sizeof when0, d->ts[l[best_lo]]);
			fin_fmt_time(when1, sizeof when1, d->ts[l[best_hi]]);
			fin_sig_begin(&b, out, p->det, a, sc);
			for (k = best_lo; k <= best_hi; k++)
				if (lf_edge(p, d, l[k], x->acc_cnt))
					fin_sig_ev(&b, l[k]);
			fin_sig_int(&b, "oneoff_payees", best);
			fin_sig_num(&b, "sent_usd", best_sum);
			fin_sig_num(&b, "usual_usd", expected);
			fin_sig_num(&b, "window_days", (double)p->window / (24 * HOUR));
			if (expected > 0)
				fin_sig_say(&b, "Account %s sent %s to %u accounts between %s and %s, one payment to each "
					    "of accounts it paid at no other time, %.0f times what it usually pays out in "
					    "%.0f days — money spread out to one-off payees.", fin_acc_name(d, a), usd,
					    best, when0, when1, best_sum / expected, (double)p->window / (24 * HOUR));
			else
				fin_sig_say(&b, "Account %s sent %s to %u accounts between %s and %s, one payment to each "
					    "of accounts it paid at no other time, and paid out nothing else — money "
					    "spread out to one-off payees.", fin_acc_name(d, a), usd, best, when0, when1);
			fin_sig_end(&b, d, r->max_evidence);
			for (k = best_lo; k <= best_hi; k++) {
				uint32_t u = l[k], y = d->dst[u];

				if (!lf_edge(p, d, u, x->acc_cnt) || fin_swept(d, y))
					continue;
				fin_fmt_usd(usd2, sizeof usd2, d->usd[u]);
				fin_sig_begin(&b, out, p->det, y, sc);
				fin_sig_ev(&b, u);
				fin_sig_int(&b, "oneoff_payees", best);
				fin_sig_num(&b, "received_usd", d->usd[u]);
				fin_sig_say(&b, "Account %s received %s, the only payment from an account that sent %s "
					    "to %u such one-off payees within %.0f days.", fin_acc_name(d, y), usd2, usd,
					    best, (double)p->window / (24 * HOUR));
				fin_sig_end(&b, d, r->max_evidence);
			}
		}
	}
	/* acc_cnt is kept at zero between uses */
	for (k = 0; k < n; k++)
		if (fin_is_transfer(d, l[k]))
			x->acc_cnt[d->dst[l[k]]] = 0;
	return out->failed ? RASTRO_NOMEM : 0;
}

/* ---- gather-scatter: many in, then many out ---- */

struct gs_p {
	int det;
	int64_t window;
	uint32_t k_in, k_out, full;
	double flow_min, flow_max;  /* scattered / gathered amount */
};

static int gs_prepare(struct fin_run *r, void **state)
{
	struct gs_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.GATHER_SCATTER");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->k_in = (uint32_t)fin_param_int(r, p->det, "min_senders", 3);
	p->k_out = (uint32_t)fin_param_int(r, p->det, "min_receivers", 3);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_counterparties", 10);
	p->flow_min = fin_param(r, p->det, "min_flow_ratio", 0.5);
	p->flow_max = fin_param(r, p->det, "max_flow_ratio", 2.0);
	*state = p;
	return 0;
}

/* The money scattered is of the order of the money gathered (it passes
 * through); amounts in unknown currencies do not count against it. */
static int gs_flow_ok(const struct gs_p *p, const struct fin_data *d, const uint32_t *in, size_t ni,
		      const uint32_t *outl, size_t no)
{
	size_t ui = 0, uo = 0;
	double gin = fin_sum_usd(d, in, ni, &ui), gout = fin_sum_usd(d, outl, no, &uo);

	if (gin <= 0 || gout <= 0)
		return 1;
	return gout >= p->flow_min * gin && gout <= p->flow_max * gin;
}

static int gs_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct gs_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *il = in_l(d, a), *ol = out_l(d, a);
	size_t ni = in_n(d, a), no = out_n(d, a), ilo = 0, j, olo = 0, ohi = 0, k;
	uint32_t din = 0, dout = 0, best = 0, bin = 0, bout = 0;
	size_t b_ilo = 0, b_j = 0, b_olo = 0, b_ohi = 0;
	struct fin_sigb b;
	char w0[32], w1[32], usd_in[48], usd_out[48];

	if (ni < p->k_in || no < p->k_out)
		return 0;
	/* in-window (t_j - W, t_j] counted in acc_cnt; out-window [t_j, t_j + W]
	 * in acc_cnt2; both pointers only move forward. */
	for (j = 0; j < ni; j++) {
		uint32_t t = il[j];
		int64_t tj = d->ts[t];

		if (fin_is_transfer(d, t) && x->acc_cnt[d->src[t]]++ == 0)
			din++;
		while (tj - d->ts[il[ilo]] > p->window) {
			uint32_t u = il[ilo++];

			if (fin_is_transfer(d, u) && --x->acc_cnt[d->src[u]] == 0)
				din--;
		}
		while (ohi < no && d->ts[ol[ohi]] <= tj + p->window) {
			uint32_t u = ol[ohi++];

			if (fin_is_transfer(d, u) && x->acc_cnt2[d->dst[u]]++ == 0)
				dout++;
		}
		while (olo < ohi && (d->ts[ol[olo]] < tj || ol[olo] < t)) {
			uint32_t u = ol[olo++];

			if (fin_is_transfer(d, u) && --x->acc_cnt2[d->dst[u]] == 0)
				dout--;
		}
		if (din >= p->k_in && dout >= p->k_out && (din < dout ? din : dout) > best &&
		    gs_flow_ok(p, d, il + ilo, j - ilo + 1, ol + olo, ohi - olo)) {
			best = din < dout ? din : dout;
			bin = din;
			bout = dout;
			b_ilo = ilo;
			b_j = j;
			b_olo = olo;
			b_ohi = ohi;
		}
	}
	for (k = ilo; k < ni; k++)
		if (fin_is_transfer(d, il[k]))
			x->acc_cnt[d->src[il[k]]] = 0;
	for (k = olo; k < ohi; k++)
		if (fin_is_transfer(d, ol[k]))
			x->acc_cnt2[d->dst[ol[k]]] = 0;
	if (!best)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(best, p->k_in < p->k_out ? p->k_in : p->k_out, p->full));
	for (k = b_ilo; k <= b_j; k++)
		if (fin_is_transfer(d, il[k]))
			fin_sig_ev(&b, il[k]);
	for (k = b_olo; k < b_ohi; k++)
		if (fin_is_transfer(d, ol[k]))
			fin_sig_ev(&b, ol[k]);
	fin_fmt_time(w0, sizeof w0, d->ts[il[b_ilo]]);
	fin_fmt_time(w1, sizeof w1, d->ts[ol[b_ohi - 1]]);
	fin_fmt_usd(usd_in, sizeof usd_in, fin_sum_usd(d, il + b_ilo, b_j - b_ilo + 1, NULL));
	fin_fmt_usd(usd_out, sizeof usd_out, fin_sum_usd(d, ol + b_olo, b_ohi - b_olo, NULL));
	fin_sig_int(&b, "senders", bin);
	fin_sig_int(&b, "receivers", bout);
	fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
	fin_sig_say(&b, "Account %s gathered %s from %u accounts and within %.0f h scattered %s to %u "
		    "other accounts (%s to %s).", fin_acc_name(d, a), usd_in, bin,
		    (double)p->window / HOUR, usd_out, bout, w0, w1);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* Parts, per transaction (computed once per detector run, read by every
 * window): a transfer with a dollar amount, not by card, not a wage; bit
 * PART_OUT when its payee is not a receiving hub (a part paid out), bit
 * PART_IN when its payer is not a paying hub (a part received); PART_XFER
 * on every transfer. */
enum { PART_OUT = 1, PART_IN = 2, PART_XFER = 4 /* any transfer (fin_is_transfer) */ };

static uint8_t *parts_make(const struct fin_data *d, const uint8_t *payroll)
{
	uint8_t *f = mem_calloc(d->ntx ? d->ntx : 1, 1);
	size_t t;

	if (!f || !payroll) {
		mem_free(f);
		return NULL;
	}
	for (t = 0; t < d->ntx; t++) {
		if (!fin_is_transfer(d, t))
			continue;
		f[t] = PART_XFER;
		if (isnan(d->usd[t]) || !(d->usd[t] > 0) || d->chan[t] == CH_CARD || fin_is_wage(d, (uint32_t)t, payroll))
			continue;
		f[t] |= (uint8_t)((fin_hub_in(d, d->dst[t]) ? 0 : PART_OUT) | (fin_hub_out(d, d->src[t]) ? 0 : PART_IN));
	}
	return f;
}

/* The part flags for a rule's payroll flags: made once per run and shared
 * by the rules whose payroll categories are the same (the run owns them);
 * a rule with other categories gets its own (*own = 1). */
static uint8_t *parts_get(struct fin_run *r, const uint8_t *payroll, int *own)
{
	size_t n = strmap_count(&r->d->strs) + 1;
	uint8_t *f;

	*own = 0;
	if (!payroll)
		return NULL;
	if (r->parts && !memcmp(r->parts_payroll, payroll, n))
		return r->parts;
	f = parts_make(r->d, payroll);
	if (!f || r->parts) {
		*own = f != NULL;
		return f;
	}
	r->parts_payroll = mem_alloc(n);
	if (!r->parts_payroll) {
		mem_free(f);
		return NULL;
	}
	memcpy(r->parts_payroll, payroll, n);
	r->parts = f;
	return f;
}

/* The payroll categories and part flags a split or relay rule reads. */
struct part_flags {
	uint8_t *payroll;
	uint8_t *parts;       /* PART_* per transaction (parts_get) */
	int own_parts;
};

/* Fills f for detector det; f->parts stays NULL when memory ran out. */
static void part_flags_load(struct fin_run *r, int det, struct part_flags *f)
{
	static const char *const def[] = { "payroll", "wages", "salary", NULL };

	f->payroll = fin_cat_flags(r, det, "payroll_categories", def, 1);
	f->parts = parts_get(r, f->payroll, &f->own_parts);
}

static void part_flags_free(struct part_flags *f)
{
	mem_free(f->payroll);
	if (f->own_parts)
		mem_free(f->parts);
}

static int sgs_edge(const uint8_t *parts, uint32_t t, int in)
{
	return parts[t] & (in ? PART_IN : PART_OUT);
}

/* ---- split gather-scatter: similar parts in, the same money out ---- */

/*
 * Gather-scatter as layering (AMLworld GATHER-SCATTER: a fan-in followed
 * by a fan-out from the same account; GFP fan and vertex-statistics
 * features) told apart from an account that merely has many counterparties:
 * within a short window the account receives similar-sized parts from
 * several accounts (a sum split up, as in smurfing), then pays similar-sized
 * parts to several others, and what it scatters is 80-105 % of what it
 * gathered — the money passes through (the balance FIN.PASS_THROUGH uses).
 * Payers and payees are named too: the pattern, not only its centre, is the
 * finding.  Hubs, cards, wages and swept earners are left out.
 */
struct sgs_p {
	int det;
	int64_t window;
	uint32_t k_in, k_out, full, max_degree;
	double part_ratio;          /* largest part / smallest part of one side */
	double flow_min, flow_max;  /* scattered / gathered */
	double min_usd;             /* gathered at least this much */
	struct part_flags pf;  /* payroll and part flags (part_flags_load) */
};

static void sgs_release(void *state)
{
	struct sgs_p *p = state;

	part_flags_free(&p->pf);
	mem_free(p);
}

static int sgs_prepare(struct fin_run *r, void **state)
{
	struct sgs_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.SPLIT_GATHER_SCATTER");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 48) * HOUR);
	p->k_in = (uint32_t)fin_param_int(r, p->det, "min_senders", 3);
	p->k_out = (uint32_t)fin_param_int(r, p->det, "min_receivers", 3);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_counterparties", 8);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 1000);
	p->part_ratio = fin_param(r, p->det, "max_part_ratio", 1.6);
	p->flow_min = fin_param(r, p->det, "min_flow_ratio", 0.8);
	p->flow_max = fin_param(r, p->det, "max_flow_ratio", 1.05);
	p->min_usd = fin_param(r, p->det, "min_usd", 5000);
	if (p->k_in < 2)
		p->k_in = 2;
	if (p->k_out < 2)
		p->k_out = 2;
	if (p->part_ratio < 1)
		p->part_ratio = 1;
	part_flags_load(r, p->det, &p->pf);
	return p->pf.parts ? 0 : RASTRO_NOMEM;
}

/* Sort key: the amount as a float (positive floats order like their bits)
 * above the transaction index. */
static uint64_t sgs_key(const struct fin_data *d, uint32_t t)
{
	float f = (float)d->usd[t];
	uint32_t bits;

	memcpy(&bits, &f, sizeof bits);
	return (uint64_t)bits << 32 | t;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct sgs_group {
	uint32_t n;       /* distinct counterparties */
	double usd;
	size_t lo, hi;    /* members: keys[lo..hi] */
};

/* The largest set of parts (by distinct counterparties, then money) of
 * l[from..to) whose amounts lie within part_ratio of each other; the keys
 * are left sorted in buf.  With `once`, only counterparties whose count
 * there is 1 (dealt with at no other time).  Fewer than `need` parts: an
 * empty group, nothing sorted.  Shared with FIN.SPLIT_FAN. */
static int sgs_group(double part_ratio, const uint8_t *parts, const struct fin_data *d, const uint32_t *l,
		     size_t from, size_t to, int in, const uint32_t *once, uint32_t need, struct vec *buf,
		     uint32_t *cnt, struct sgs_group *g)
{
	const uint32_t *cp = in ? d->src : d->dst;
	uint64_t *k;
	size_t i, lo = 0, n;
	uint32_t distinct = 0;
	double sum = 0;

	memset(g, 0, sizeof *g);
	buf->len = 0;
	for (i = from; i < to; i++)
		if (sgs_edge(parts, l[i], in) && (!once || once[cp[l[i]]] == 1)) {
			uint64_t key = sgs_key(d, l[i]);

			if (vec_push(buf, &key))
				return RASTRO_NOMEM;
		}
	n = buf->len;
	k = buf->data;
	if (n < need)
		return 0;
	if (n > 1)
		qsort(k, n, sizeof *k, cmp_u64);
	for (i = 0; i < n; i++) {
		uint32_t t = (uint32_t)k[i];

		if (cnt[cp[t]]++ == 0)
			distinct++;
		sum += d->usd[t];
		while (d->usd[t] > part_ratio * d->usd[(uint32_t)k[lo]]) {
			uint32_t u = (uint32_t)k[lo++];

			if (--cnt[cp[u]] == 0)
				distinct--;
			sum -= d->usd[u];
		}
		if (distinct > g->n || (distinct == g->n && sum > g->usd)) {
			g->n = distinct;
			g->usd = sum;
			g->lo = lo;
			g->hi = i;
		}
	}
	for (i = lo; i < n; i++)
		cnt[cp[(uint32_t)k[i]]] = 0;
	return 0;
}

/* Names one payer or payee of the pattern (once each: acc_mark). */
static void sgs_name_spoke(struct fin_run *r, const struct sgs_p *p, uint32_t centre, uint32_t y, const uint64_t *k,
			   const struct sgs_group *g, const struct sgs_group *gi, const struct sgs_group *go, int in,
			   double score, struct fin_scratch *x, uint32_t stamp, struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	struct fin_sigb b;
	char usd[48], usd_in[48];
	double mine = 0;
	size_t i;

	if (x->acc_mark[y] == stamp || y == centre || fin_swept(d, y))
		return;
	x->acc_mark[y] = stamp;
	fin_sig_begin(&b, out, p->det, y, score);
	for (i = g->lo; i <= g->hi; i++) {
		uint32_t t = (uint32_t)k[i];

		if ((in ? d->src[t] : d->dst[t]) == y) {
			fin_sig_ev(&b, t);
			mine += d->usd[t];
		}
	}
	fin_fmt_usd(usd, sizeof usd, mine);
	fin_fmt_usd(usd_in, sizeof usd_in, gi->usd);
	fin_sig_str(&b, "role", in ? "sender" : "receiver");
	fin_sig_str(&b, "centre_account", fin_acc_name(d, centre));
	fin_sig_int(&b, "senders", gi->n);
	fin_sig_int(&b, "receivers", go->n);
	fin_sig_num(&b, "part_usd", mine);
	if (in)
		fin_sig_say(&b, "Account %s paid %s to %s, one of %u similar parts (%s in all) that %s gathered and "
			    "passed on to %u accounts within %.0f h.", fin_acc_name(d, y), usd, fin_acc_name(d, centre),
			    gi->n, usd_in, fin_acc_name(d, centre), go->n, (double)p->window / HOUR);
	else
		fin_sig_say(&b, "Account %s received %s from %s, one of %u similar parts into which %s split the %s it "
			    "had just gathered from %u accounts (within %.0f h).", fin_acc_name(d, y), usd,
			    fin_acc_name(d, centre), go->n, fin_acc_name(d, centre), usd_in, gi->n,
			    (double)p->window / HOUR);
	fin_sig_end(&b, d, r->max_evidence);
}

static int sgs_emit(struct fin_run *r, const struct sgs_p *p, uint32_t a, const struct sgs_group *gi,
		    const struct sgs_group *go, struct fin_scratch *x, struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	const uint64_t *ki = x->tmp64.data, *ko = x->tmp64b.data;
	uint32_t lo_n = gi->n < go->n ? gi->n : go->n, stamp;
	double score = fin_strength(lo_n, p->k_in < p->k_out ? p->k_in : p->k_out, p->full);
	char usd_in[48], usd_out[48], w0[32], w1[32];
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	struct fin_sigb b;
	size_t i;

	fin_sig_begin(&b, out, p->det, a, score);
	for (i = gi->lo; i <= gi->hi; i++) {
		uint32_t t = (uint32_t)ki[i];

		fin_sig_ev(&b, t);
		t0 = d->ts[t] < t0 ? d->ts[t] : t0;
	}
	for (i = go->lo; i <= go->hi; i++) {
		uint32_t t = (uint32_t)ko[i];

		fin_sig_ev(&b, t);
		t1 = d->ts[t] > t1 ? d->ts[t] : t1;
	}
	fin_fmt_usd(usd_in, sizeof usd_in, gi->usd);
	fin_fmt_usd(usd_out, sizeof usd_out, go->usd);
	fin_fmt_time(w0, sizeof w0, t0);
	fin_fmt_time(w1, sizeof w1, t1);
	fin_sig_int(&b, "senders", gi->n);
	fin_sig_int(&b, "receivers", go->n);
	fin_sig_num(&b, "gathered_usd", gi->usd);
	fin_sig_num(&b, "scattered_usd", go->usd);
	fin_sig_num(&b, "flow_ratio", go->usd / gi->usd);
	fin_sig_num(&b, "max_part_ratio", p->part_ratio);
	fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
	fin_sig_say(&b, "Account %s gathered %s in %u similar parts from %u accounts and within %.0f h scattered "
		    "%s (%.0f%% of it) in similar parts to %u other accounts (%s to %s): a sum split up and "
		    "passed on.", fin_acc_name(d, a), usd_in, (unsigned)(gi->hi - gi->lo + 1), gi->n,
		    (double)p->window / HOUR, usd_out, 100 * go->usd / gi->usd, go->n, w0, w1);
	fin_sig_end(&b, d, r->max_evidence);
	/* the payers and the payees, a little weaker than the centre */
	stamp = fin_stamp(x);
	for (i = gi->lo; i <= gi->hi; i++)
		sgs_name_spoke(r, p, a, d->src[(uint32_t)ki[i]], ki, gi, gi, go, 1, score * 0.8, x, stamp, out);
	for (i = go->lo; i <= go->hi; i++)
		sgs_name_spoke(r, p, a, d->dst[(uint32_t)ko[i]], ko, go, gi, go, 0, score * 0.8, x, stamp, out);
	return out->failed ? RASTRO_NOMEM : 0;
}

static int sgs_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		       struct fin_sink *out)
{
	const struct sgs_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *il = in_l(d, a), *ol = out_l(d, a);
	size_t ni = in_n(d, a), no = out_n(d, a), ilo = 0, ihi = 0, ohi = 0, j, best_j = 0;
	uint32_t best = 0;
	double best_usd = 0;
	struct sgs_group gi, go;
	int rc;

	if (ni < p->k_in || no < p->k_out || ni > p->max_degree || no > p->max_degree || fin_swept(d, a) ||
	    fin_hub_in(d, a) || fin_hub_out(d, a))
		return 0;
	/* each payment out starts a scatter: the parts gathered in the window
	 * before it, the parts scattered in the window from it */
	for (j = 0; j < no; j++) {
		uint32_t e = ol[j];
		int64_t t = d->ts[e];

		if (!sgs_edge(p->pf.parts, e, 0) || (j && d->ts[ol[j - 1]] == t))
			continue;
		while (ihi < ni && il[ihi] < e)
			ihi++;
		while (ilo < ihi && d->ts[il[ilo]] <= t - p->window)
			ilo++;
		while (ohi < no && d->ts[ol[ohi]] <= t + p->window)
			ohi++;
		if (ihi - ilo < p->k_in || ohi - j < p->k_out)
			continue;
		if ((rc = sgs_group(p->part_ratio, p->pf.parts, d, il, ilo, ihi, 1, NULL, p->k_in, &x->tmp64, x->acc_cnt, &gi)) != 0)
			return rc;
		if (gi.n < p->k_in || gi.usd < p->min_usd)
			continue;
		if ((rc = sgs_group(p->part_ratio, p->pf.parts, d, ol, j, ohi, 0, NULL, p->k_out, &x->tmp64b, x->acc_cnt, &go)) != 0)
			return rc;
		if (go.n < p->k_out || go.usd < p->flow_min * gi.usd || go.usd > p->flow_max * gi.usd)
			continue;
		if ((gi.n < go.n ? gi.n : go.n) > best ||
		    ((gi.n < go.n ? gi.n : go.n) == best && gi.usd > best_usd)) {
			best = gi.n < go.n ? gi.n : go.n;
			best_usd = gi.usd;
			best_j = j;
		}
	}
	if (!best)
		return 0;
	/* the best scatter again, its groups left in tmp64 / tmp64b */
	{
		int64_t t = d->ts[ol[best_j]];

		for (ihi = 0; ihi < ni && il[ihi] < ol[best_j]; ihi++)
			;
		for (ilo = 0; ilo < ihi && d->ts[il[ilo]] <= t - p->window; ilo++)
			;
		for (ohi = best_j; ohi < no && d->ts[ol[ohi]] <= t + p->window; ohi++)
			;
		if ((rc = sgs_group(p->part_ratio, p->pf.parts, d, il, ilo, ihi, 1, NULL, p->k_in, &x->tmp64, x->acc_cnt, &gi)) != 0 ||
		    (rc = sgs_group(p->part_ratio, p->pf.parts, d, ol, best_j, ohi, 0, NULL, p->k_out, &x->tmp64b, x->acc_cnt, &go)) != 0)
			return rc;
	}
	return sgs_emit(r, p, a, &gi, &go, x, out);
}

/* ---- split fan: a sum split into similar parts, to or from many ---- */

/*
 * Fan-out and fan-in as layering (AMLworld FAN-OUT / FAN-IN; GFP fan and
 * vertex-statistics features): within a short window the account pays (or
 * is paid) similar-sized parts to (from) several accounts — a sum split up
 * — and those parts are out of line with what it usually moves.  The
 * counterparties are named too.  Hubs, cards, wages and swept earners are
 * left out.
 */
struct sf_p {
	int det;
	int64_t window;
	uint32_t k_out, k_in, full, max_degree;
	double part_ratio, min_usd, burst;
	struct part_flags pf;  /* payroll and part flags (part_flags_load) */
};

static void sf_release(void *state)
{
	struct sf_p *p = state;

	part_flags_free(&p->pf);
	mem_free(p);
}

static int sf_prepare(struct fin_run *r, void **state)
{
	struct sf_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.SPLIT_FAN");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->k_out = (uint32_t)fin_param_int(r, p->det, "min_payees", 4);
	p->k_in = (uint32_t)fin_param_int(r, p->det, "min_payers", 4);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_counterparties", 12);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 1000);
	p->part_ratio = fin_param(r, p->det, "max_part_ratio", 1.6);
	p->min_usd = fin_param(r, p->det, "min_usd", 5000);
	p->burst = fin_param(r, p->det, "burst_factor", 3);
	if (p->k_out < 2)
		p->k_out = 2;
	if (p->k_in < 2)
		p->k_in = 2;
	if (p->part_ratio < 1)
		p->part_ratio = 1;
	part_flags_load(r, p->det, &p->pf);
	return p->pf.parts ? 0 : RASTRO_NOMEM;
}

static int sf_emit(struct fin_run *r, const struct sf_p *p, uint32_t a, int in, const struct sgs_group *g,
		   double usual, struct fin_scratch *x, struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	const uint64_t *k = x->tmp64.data;
	double score = fin_strength(g->n, in ? p->k_in : p->k_out, p->full);
	char usd[48], w0[32], w1[32], one[48];
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	struct fin_sigb b;
	uint32_t stamp;
	size_t i, j;

	fin_sig_begin(&b, out, p->det, a, score);
	for (i = g->lo; i <= g->hi; i++) {
		uint32_t t = (uint32_t)k[i];

		fin_sig_ev(&b, t);
		t0 = d->ts[t] < t0 ? d->ts[t] : t0;
		t1 = d->ts[t] > t1 ? d->ts[t] : t1;
	}
	fin_fmt_usd(usd, sizeof usd, g->usd);
	fin_fmt_time(w0, sizeof w0, t0);
	fin_fmt_time(w1, sizeof w1, t1);
	fin_sig_str(&b, "direction", in ? "in" : "out");
	fin_sig_int(&b, "counterparties", g->n);
	fin_sig_num(&b, "total_usd", g->usd);
	fin_sig_num(&b, "usual_usd", usual);
	fin_sig_num(&b, "max_part_ratio", p->part_ratio);
	fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
	fin_sig_say(&b, "Account %s %s %s in %u similar parts %s %u different accounts within %.0f h (%s to %s): "
		    "a sum split up.", fin_acc_name(d, a), in ? "received" : "sent", usd,
		    (unsigned)(g->hi - g->lo + 1), in ? "from" : "to", g->n, (double)p->window / HOUR, w0, w1);
	fin_sig_end(&b, d, r->max_evidence);
	stamp = fin_stamp(x);
	for (i = g->lo; i <= g->hi; i++) {
		uint32_t y = in ? d->src[(uint32_t)k[i]] : d->dst[(uint32_t)k[i]];
		double mine = 0;

		if (x->acc_mark[y] == stamp || fin_swept(d, y))
			continue;
		x->acc_mark[y] = stamp;
		fin_sig_begin(&b, out, p->det, y, score * 0.8);
		for (j = g->lo; j <= g->hi; j++) {
			uint32_t t = (uint32_t)k[j];

			if ((in ? d->src[t] : d->dst[t]) == y) {
				fin_sig_ev(&b, t);
				mine += d->usd[t];
			}
		}
		fin_fmt_usd(one, sizeof one, mine);
		fin_sig_str(&b, "role", in ? "payer" : "payee");
		fin_sig_str(&b, "centre_account", fin_acc_name(d, a));
		fin_sig_int(&b, "counterparties", g->n);
		fin_sig_num(&b, "part_usd", mine);
		if (in)
			fin_sig_say(&b, "Account %s paid %s to %s, one of %u similar parts (%s in all) that %s received "
				    "from %u accounts within %.0f h.", fin_acc_name(d, y), one, fin_acc_name(d, a),
				    (unsigned)(g->hi - g->lo + 1), usd, fin_acc_name(d, a), g->n,
				    (double)p->window / HOUR);
		else
			fin_sig_say(&b, "Account %s received %s from %s, one of %u similar parts (%s in all) that %s "
				    "sent to %u accounts within %.0f h.", fin_acc_name(d, y), one, fin_acc_name(d, a),
				    (unsigned)(g->hi - g->lo + 1), usd, fin_acc_name(d, a), g->n,
				    (double)p->window / HOUR);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

/* One side of account a: the window with the most similar parts. */
static int sf_side(struct fin_run *r, const struct sf_p *p, uint32_t a, int in, struct fin_scratch *x,
		   struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	const uint32_t *l = in ? in_l(d, a) : out_l(d, a);
	size_t n = in ? in_n(d, a) : out_n(d, a), i, hi = 0, best_i = SIZE_MAX, best_hi = 0, last_hi = 0;
	uint32_t k = in ? p->k_in : p->k_out, *cp_cnt = x->acc_cnt2;
	const uint32_t *cp = in ? d->src : d->dst;
	struct sgs_group g, best = { 0, 0, 0, 0 };
	double all = 0, usual = 0, span;
	int rc = 0, counted = 0;

	if (n < k || n > p->max_degree || (in ? fin_hub_in(d, a) : fin_hub_out(d, a)))
		return 0;
	for (i = 0; i < n; i++) {
		uint32_t t = l[i];

		if (!sgs_edge(p->pf.parts, t, in))
			continue;
		if (hi < i)
			hi = i;
		while (hi < n && d->ts[l[hi]] <= d->ts[t] + p->window)
			hi++;
		/* a window that gained nothing is a part of the previous one */
		if (hi - i < k || hi == last_hi)
			continue;
		last_hi = hi;
		/* a part goes to (comes from) a counterparty the account deals
		 * with at no other time: rent, wages and suppliers recur.  Counted
		 * when a window first may hold enough parts (most never do); a
		 * group found from any anchor is also found from its earliest
		 * part, so anchors need not be one-off themselves */
		if (!counted) {
			size_t c;

			for (c = 0; c < n; c++)
				if (p->pf.parts[l[c]] & PART_XFER)
					cp_cnt[cp[l[c]]]++;
			counted = 1;
		}
		rc = sgs_group(p->part_ratio, p->pf.parts, d, l, i, hi, in, cp_cnt, k, &x->tmp64, x->acc_cnt, &g);
		if (rc)
			break;
		if (g.n >= k && g.usd >= p->min_usd && (g.n > best.n || (g.n == best.n && g.usd > best.usd))) {
			best = g;
			best_i = i;
			best_hi = hi;
		}
	}
	if (rc || best_i == SIZE_MAX)
		goto done;
	/* out of line with the account's usual pace: the parts against what
	 * it moves in a window that long the rest of the time */
	for (i = 0; i < n; i++)
		if (!isnan(d->usd[l[i]]) && d->amt[l[i]] > 0)
			all += d->usd[l[i]];
	span = (double)(d->tmax - d->tmin) - (double)p->window;
	usual = span > 0 ? (all - best.usd) * (double)p->window / span : 0;
	if (best.usd < p->burst * usual)
		goto done;
	rc = sgs_group(p->part_ratio, p->pf.parts, d, l, best_i, best_hi, in, cp_cnt, k, &x->tmp64, x->acc_cnt, &g);
	if (!rc)
		rc = sf_emit(r, p, a, in, &g, usual, x, out);
done:
	/* acc_cnt2 is kept at zero between uses */
	for (i = 0; counted && i < n; i++)
		if (p->pf.parts[l[i]] & PART_XFER)
			cp_cnt[cp[l[i]]] = 0;
	return rc;
}

static int sf_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct sf_p *p = st;
	int rc;

	if (fin_swept(r->d, a))
		return 0;
	if ((rc = sf_side(r, p, a, 0, x, out)) != 0)
		return rc;
	return sf_side(r, p, a, 1, x, out);
}

/* ---- split bipartite: several accounts pay the same accounts similar parts ---- */

/*
 * The bipartite and stack layering of AMLworld (BIPARTITE, STACK) at its
 * smallest scale, a biclique K2,2 (GFP lists bicliques as the feature stack
 * patterns need): two accounts each pay the same two accounts within a short
 * window, and the four payments are similar parts of one sum.  A source's
 * pair of payments is kept when both are parts (a transfer with a dollar
 * amount, not by card, not a wage, between accounts that are not hubs);
 * pairs are grouped by their two payees, and two sources of one group whose
 * payments fall within the window of each other, with the four parts within
 * max_part_ratio and together at least min_usd, make the finding.  Every
 * source of such a pair and both payees are named.
 */
struct sb_p {
	int det;
	int64_t window;
	uint32_t max_degree, max_pairs;
	double part_ratio, min_usd, min_part;
	struct part_flags pf;  /* payroll and part flags (part_flags_load) */
};

static void sb_release(void *state)
{
	struct sb_p *p = state;

	part_flags_free(&p->pf);
	mem_free(p);
}

static int sb_prepare(struct fin_run *r, void **state)
{
	struct sb_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.SPLIT_BIPARTITE");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 200);
	p->max_pairs = (uint32_t)fin_param_int(r, p->det, "max_pairs_per_source", 200);
	p->part_ratio = fin_param(r, p->det, "max_part_ratio", 1.6);
	p->min_usd = fin_param(r, p->det, "min_usd", 5000);
	if (p->part_ratio < 1)
		p->part_ratio = 1;
	/* four parts within part_ratio that add up to min_usd: none is smaller */
	p->min_part = p->min_usd / (1 + 3 * p->part_ratio);
	part_flags_load(r, p->det, &p->pf);
	return p->pf.parts ? 0 : RASTRO_NOMEM;
}

static int sb_part(const struct sb_p *p, const struct fin_data *d, uint32_t t)
{
	return (p->pf.parts[t] & (PART_OUT | PART_IN)) == (PART_OUT | PART_IN) && d->usd[t] >= p->min_part;
}

static int sb_similar(const struct sb_p *p, const double *u, int n)
{
	double lo = u[0], hi = u[0];
	int i;

	for (i = 1; i < n; i++) {
		lo = u[i] < lo ? u[i] : lo;
		hi = u[i] > hi ? u[i] : hi;
	}
	return hi <= p->part_ratio * lo;
}

struct sb_pair {
	uint32_t d1, d2;   /* the two payees, d1 < d2 */
	uint32_t t1, t2;   /* the source's payments to them, t1 the earlier */
	uint32_t mark;
};

static int cmp_sb_pair(const void *a, const void *b)
{
	const struct sb_pair *x = a, *y = b;

	if (x->d1 != y->d1)
		return x->d1 < y->d1 ? -1 : 1;
	if (x->d2 != y->d2)
		return x->d2 < y->d2 ? -1 : 1;
	if (x->t1 != y->t1)
		return x->t1 < y->t1 ? -1 : 1;
	return x->t2 < y->t2 ? -1 : x->t2 > y->t2;
}

/* Marks the pairs of q[g..h) (one pair of payees) that have a partner:
 * another source within the window, four similar parts, min_usd together. */
static uint32_t sb_mark(const struct sb_p *p, const struct fin_data *d, struct sb_pair *q, size_t g, size_t h)
{
	size_t i, j;
	uint32_t n = 0;

	for (i = g; i < h; i++)
		for (j = i + 1; j < h; j++) {
			double u[4];

			if (d->ts[q[j].t1] - d->ts[q[i].t1] > p->window)
				break;
			if (d->src[q[i].t1] == d->src[q[j].t1])
				continue;
			u[0] = d->usd[q[i].t1];
			u[1] = d->usd[q[i].t2];
			u[2] = d->usd[q[j].t1];
			u[3] = d->usd[q[j].t2];
			if (!sb_similar(p, u, 4) || u[0] + u[1] + u[2] + u[3] < p->min_usd)
				continue;
			n += !q[i].mark + !q[j].mark;
			q[i].mark = q[j].mark = 1;
		}
	return n;
}

/* One signal per source of a marked pair and for both payees. */
static int sb_emit(struct fin_run *r, const struct sb_p *p, const struct sb_pair *q, size_t g, size_t h,
		   struct fin_scratch *x, struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	uint32_t stamp = fin_stamp(x), nsrc = 0, subj;
	double total = 0, score;
	char usd[48], w0[32];
	int64_t t0 = INT64_MAX;
	size_t i, k;

	x->tmp32.len = 0;
	for (i = g; i < h; i++) {
		if (!q[i].mark)
			continue;
		total += d->usd[q[i].t1] + d->usd[q[i].t2];
		t0 = d->ts[q[i].t1] < t0 ? d->ts[q[i].t1] : t0;
		subj = d->src[q[i].t1];
		if (x->acc_mark[subj] != stamp) {
			x->acc_mark[subj] = stamp;
			nsrc++;
			if (vec_push(&x->tmp32, &subj))
				return RASTRO_NOMEM;
		}
	}
	if (vec_push(&x->tmp32, &q[g].d1) || vec_push(&x->tmp32, &q[g].d2))
		return RASTRO_NOMEM;
	fin_fmt_usd(usd, sizeof usd, total);
	fin_fmt_time(w0, sizeof w0, t0);
	score = fin_strength(nsrc, 2, 5);
	for (k = 0; k < x->tmp32.len; k++) {
		struct fin_sigb b;

		subj = ((uint32_t *)x->tmp32.data)[k];
		if (fin_swept(d, subj))
			continue;
		fin_sig_begin(&b, out, p->det, subj, score);
		for (i = g; i < h; i++)
			if (q[i].mark) {
				fin_sig_ev(&b, q[i].t1);
				fin_sig_ev(&b, q[i].t2);
			}
		fin_sig_str(&b, "role", k + 2 < x->tmp32.len ? "source" : "destination");
		fin_sig_int(&b, "sources", nsrc);
		fin_sig_str(&b, "destination_1", fin_acc_name(d, q[g].d1));
		fin_sig_str(&b, "destination_2", fin_acc_name(d, q[g].d2));
		fin_sig_num(&b, "total_usd", total);
		fin_sig_num(&b, "max_part_ratio", p->part_ratio);
		fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
		fin_sig_say(&b, "Account %s is in a bipartite split: %u accounts each paid both %s and %s within "
			    "%.0f h (from %s) in similar parts, %s in all.", fin_acc_name(d, subj), nsrc,
			    fin_acc_name(d, q[g].d1), fin_acc_name(d, q[g].d2), (double)p->window / HOUR, w0, usd);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

static int sb_global(struct fin_run *r, const void *st, struct fin_scratch *x, struct fin_sink *out)
{
	const struct sb_p *p = st;
	const struct fin_data *d = r->d;
	struct vec pairs;
	struct sb_pair *q;
	size_t i, g, h;
	int rc = RASTRO_NOMEM;

	vec_init(&pairs, sizeof(struct sb_pair));
	/* 1: each source's pairs of similar parts to two payees within the window */
	for (i = 0; i < d->nacc; i++) {
		const uint32_t *l = out_l(d, (uint32_t)i);
		uint32_t n = out_n(d, (uint32_t)i), npairs = 0;
		size_t a, b;

		if (n < 2 || n > p->max_degree || fin_hub_out(d, (uint32_t)i) || fin_swept(d, (uint32_t)i))
			continue;
		for (a = 0; a < n && npairs < p->max_pairs; a++) {
			if (!sb_part(p, d, l[a]))
				continue;
			for (b = a + 1; b < n && npairs < p->max_pairs; b++) {
				struct sb_pair s;
				double u[2];

				if (d->ts[l[b]] - d->ts[l[a]] > p->window)
					break;
				if (!sb_part(p, d, l[b]) || d->dst[l[b]] == d->dst[l[a]])
					continue;
				u[0] = d->usd[l[a]];
				u[1] = d->usd[l[b]];
				if (!sb_similar(p, u, 2))
					continue;
				s.d1 = d->dst[l[a]] < d->dst[l[b]] ? d->dst[l[a]] : d->dst[l[b]];
				s.d2 = d->dst[l[a]] < d->dst[l[b]] ? d->dst[l[b]] : d->dst[l[a]];
				s.t1 = l[a];
				s.t2 = l[b];
				s.mark = 0;
				if (vec_push(&pairs, &s))
					goto out;
				npairs++;
			}
		}
	}
	q = pairs.data;
	if (pairs.len > 1)
		qsort(q, pairs.len, sizeof *q, cmp_sb_pair);
	/* 2: per pair of payees, sources that pair up */
	for (g = 0; g < pairs.len; g = h) {
		for (h = g + 1; h < pairs.len && q[h].d1 == q[g].d1 && q[h].d2 == q[g].d2; h++)
			;
		if (h - g < 2 || !sb_mark(p, d, q, g, h))
			continue;
		if ((rc = sb_emit(r, p, q, g, h, x, out)) != 0)
			goto out;
	}
	rc = 0;
out:
	vec_release(&pairs);
	return rc;
}

/* ---- scatter-gather: s -> many m -> one t ---- */

struct sg_p {
	int det;
	int64_t window;
	uint32_t k, full, max_degree, max_paths;
	double ratio_min, ratio_max;  /* passed on / received by an intermediate */
	uint8_t *payroll;             /* per string id: payroll category */
};

static void sg_release(void *state)
{
	struct sg_p *p = state;

	mem_free(p->payroll);
	mem_free(p);
}

static int sg_prepare(struct fin_run *r, void **state)
{
	struct sg_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.SCATTER_GATHER");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 72) * HOUR);
	p->k = (uint32_t)fin_param_int(r, p->det, "min_intermediates", 3);
	p->full = (uint32_t)fin_param_int(r, p->det, "full_intermediates", 8);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 1000);
	p->max_paths = (uint32_t)fin_param_int(r, p->det, "max_paths", 100000);
	p->ratio_min = fin_param(r, p->det, "min_pass_ratio", 0.5);
	p->ratio_max = fin_param(r, p->det, "max_pass_ratio", 1.1);
	*state = p;
	{
		static const char *const def[] = { "payroll", "wages", "salary", NULL };

		p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	}
	return p->payroll ? 0 : RASTRO_NOMEM;
}

static int cmp_quad(const void *a, const void *b)
{
	const struct fin_quad *x = a, *y = b;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	return x->d < y->d ? -1 : x->d > y->d;
}

static int sg_account(struct fin_run *r, const void *st, uint32_t s, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct sg_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *ol = out_l(d, s);
	size_t no = out_n(d, s), i, g;
	struct fin_quad *q;

	if (no < p->k || no > p->max_degree)
		return 0;
	x->quad.len = 0;
	for (i = 0; i < no; i++) {
		uint32_t e1 = ol[i], m, nm;
		const uint32_t *ml;
		size_t j;

		if (!fin_is_transfer(d, e1))
			continue;
		m = d->dst[e1];
		nm = out_n(d, m);
		if (nm > p->max_degree || fin_hub_in(d, m))
			continue;
		ml = out_l(d, m);
		for (j = fin_after(ml, nm, e1); j < nm; j++) {
			uint32_t e2 = ml[j], t;
			struct fin_quad qq;

			if (d->ts[e2] - d->ts[e1] > p->window)
				break;
			if (!fin_is_transfer(d, e2))
				continue;
			t = d->dst[e2];
			if (t == s || t == m || fin_hub_in(d, t))
				continue;
			/* the intermediate passes on (most of) what it got */
			if (!isnan(d->usd[e1]) && !isnan(d->usd[e2]) &&
			    (d->usd[e2] < p->ratio_min * d->usd[e1] || d->usd[e2] > p->ratio_max * d->usd[e1]))
				continue;
			qq.a = t;
			qq.b = m;
			qq.c = e1;
			qq.d = e2;
			if (vec_push(&x->quad, &qq))
				return RASTRO_NOMEM;
			if (x->quad.len >= p->max_paths)
				goto enough;
		}
	}
enough:
	if (x->quad.len < p->k)
		return 0;
	q = x->quad.data;
	if (x->quad.len > 1)
		qsort(q, x->quad.len, sizeof *q, cmp_quad);
	for (g = 0; g < x->quad.len;) {
		size_t h = g, k;
		uint32_t t = q[g].a, nmid = 0;

		while (h < x->quad.len && q[h].a == t) {
			if (h == g || q[h].b != q[h - 1].b)
				nmid++;
			h++;
		}
		if (nmid >= p->k) {
			double score = fin_strength(nmid, p->k, p->full);
			double total = 0;
			char usd[48], w0[32], w1[32];
			int64_t t0 = INT64_MAX, t1 = INT64_MIN;
			int role;

			for (k = g; k < h; k++) {
				if (!isnan(d->usd[q[k].d]))
					total += d->usd[q[k].d];
				if (d->ts[q[k].c] < t0)
					t0 = d->ts[q[k].c];
				if (d->ts[q[k].d] > t1)
					t1 = d->ts[q[k].d];
			}
			fin_fmt_usd(usd, sizeof usd, total);
			fin_fmt_time(w0, sizeof w0, t0);
			fin_fmt_time(w1, sizeof w1, t1);
			/* the source, the sink, then each intermediate; an
			 * intermediate fed by wages is a worker whose pay was
			 * swept (victim-centred): listed as affected, never a
			 * subject */
			for (role = 0; role < 2 + (int)nmid; role++) {
				struct fin_sigb b;
				uint32_t subj;
				size_t mi = g, mj;
				int c, wage = 0;

				if (role == 0)
					subj = s;
				else if (role == 1)
					subj = t;
				else {
					for (c = 2; c < role; c++) {
						uint32_t mm = q[mi].b;

						while (mi < h && q[mi].b == mm)
							mi++;
					}
					subj = q[mi].b;
					for (mj = mi; mj < h && q[mj].b == subj && !wage; mj++)
						wage = fin_is_wage(d, q[mj].c, p->payroll);
					if (wage || fin_swept(d, subj))
						continue;
				}
				fin_sig_begin(&b, out, p->det, subj, role < 2 ? score : score * 0.8);
				for (k = g; k < h; k++) {
					fin_sig_ev(&b, q[k].c);
					fin_sig_ev(&b, q[k].d);
					if (role < 2 && (fin_is_wage(d, q[k].c, p->payroll) || fin_swept(d, q[k].b)))
						fin_sig_aff(&b, q[k].b);
				}
				fin_sig_str(&b, "role", role == 0 ? "source" : role == 1 ? "sink" : "intermediate");
				fin_sig_str(&b, "source_account", fin_acc_name(d, s));
				fin_sig_str(&b, "sink_account", fin_acc_name(d, t));
				fin_sig_int(&b, "intermediates", nmid);
				fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
				fin_sig_num(&b, "total_usd", total);
				fin_sig_say(&b, "Account %s %s: %s paid %u intermediate accounts that each passed "
					    "money on to %s within %.0f h (%s to %s, %s reached the sink).",
					    fin_acc_name(d, subj),
					    role == 0 ? "scattered funds that were gathered again"
					    : role == 1 ? "gathered funds scattered from one source"
					    : "was an intermediate in a scatter-gather",
					    fin_acc_name(d, s), nmid, fin_acc_name(d, t),
					    (double)p->window / HOUR, w0, w1, usd);
				fin_sig_end(&b, d, r->max_evidence);
			}
		}
		g = h;
	}
	return 0;
}

/* ---- temporal cycles ---- */

struct cyc_p {
	int det;
	int64_t window;
	uint32_t min_hops, max_hops, max_degree, max_steps, max_cycles;
	double ratio_min, ratio_max;  /* each hop's amount against the previous hop's */
	double min_usd;               /* the first hop moves at least this much */
	uint8_t *payroll;             /* wage categories: a wage is not a layering hop */
};

static void cyc_release(void *state)
{
	struct cyc_p *p = state;

	mem_free(p->payroll);
	mem_free(p);
}

static int cyc_prepare(struct fin_run *r, void **state)
{
	static const char *const def[] = { "payroll", "wages", "salary", NULL };
	struct cyc_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.CYCLE");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->max_hops = (uint32_t)fin_param_int(r, p->det, "max_hops", 10);
	p->min_hops = (uint32_t)fin_param_int(r, p->det, "min_hops", 3);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 1000);
	p->max_steps = (uint32_t)fin_param_int(r, p->det, "max_steps", 20000);
	p->max_cycles = (uint32_t)fin_param_int(r, p->det, "max_cycles", 20);
	p->ratio_min = fin_param(r, p->det, "min_hop_ratio", 0.5);
	p->ratio_max = fin_param(r, p->det, "max_hop_ratio", 1.1);
	p->min_usd = fin_param(r, p->det, "min_usd", 5000);
	if (p->max_hops < 2)
		p->max_hops = 2;
	if (p->max_hops > 64)
		p->max_hops = 64;
	*state = p;
	/* only the categories: IBM-format data has none, and an ACH from a
	 * company there is not a wage */
	p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	return p->payroll ? 0 : RASTRO_NOMEM;
}

static void cyc_emit(struct fin_run *r, const struct cyc_p *p, const uint32_t *edges, uint32_t L,
		     struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	int64_t span = d->ts[edges[L - 1]] - d->ts[edges[0]];
	/* longer and faster cycles are stronger: two people paying each other
	 * back is the commonest innocent cycle */
	double score = 0.5 * fin_strength((double)L, 2, 5) +
		       0.5 * fin_strength((double)(p->window - span), 0, (double)p->window);
	double total = fin_sum_usd(d, edges, L, NULL);
	char path[512], usd[48], sp[32], w0[32];
	size_t pl = 0;
	uint32_t i, k;

	path[0] = '\0';
	for (i = 0; i < L && pl + 2 < sizeof path; i++) {
		int w = snprintf(path + pl, sizeof path - pl, "%s → ", fin_acc_name(d, d->src[edges[i]]));

		if (w < 0 || (size_t)w >= sizeof path - pl) {
			pl = sizeof path - 1;
			break;
		}
		pl += (size_t)w;
	}
	if (pl + 2 < sizeof path)
		snprintf(path + pl, sizeof path - pl, "%s", fin_acc_name(d, d->src[edges[0]]));
	fin_fmt_usd(usd, sizeof usd, total);
	fin_fmt_span(sp, sizeof sp, span);
	fin_fmt_time(w0, sizeof w0, d->ts[edges[0]]);
	for (i = 0; i < L; i++) {
		struct fin_sigb b;
		uint32_t subj = d->src[edges[i]];

		if (fin_swept(d, subj))
			continue;
		fin_sig_begin(&b, out, p->det, subj, score);
		for (k = 0; k < L; k++)
			fin_sig_ev(&b, edges[k]);
		fin_sig_int(&b, "hops", L);
		fin_sig_num(&b, "span_hours", (double)span / HOUR);
		fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
		fin_sig_int(&b, "max_hops", p->max_hops);
		fin_sig_str(&b, "path", path);
		fin_sig_num(&b, "total_usd", total);
		fin_sig_say(&b, "Account %s is on a %u-hop cycle of transfers in time order that came back "
			    "to its start within %s (from %s): %s.", fin_acc_name(d, subj), L, sp, w0, path);
		fin_sig_end(&b, d, r->max_evidence);
	}
}

struct frame {
	uint32_t w;        /* account */
	uint32_t pos, end; /* position in w's out list */
};

static int cyc_account(struct fin_run *r, const void *st, uint32_t u, struct fin_scratch *x,
		       struct fin_sink *out)
{
	const struct cyc_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *ul = out_l(d, u);
	size_t nu = out_n(d, u), i;
	struct frame stack[64];
	uint32_t edges[65];
	uint32_t found = 0;

	if (!nu || nu > p->max_degree || !in_n(d, u))
		return 0;
	x->acc_flag[u] = 1;
	for (i = 0; i < nu && found < p->max_cycles; i++) {
		uint32_t e0 = ul[i], v, steps = 0;
		int64_t tend;
		int top;

		/* friends passing tens of dollars round (a shared bill, fuel
		 * money) are not layering: the cycle starts with a transfer of
		 * at least min_usd (unknown currencies are not held back) */
		if (!fin_is_transfer(d, e0) || p->payroll[d->cat[e0]] || d->usd[e0] < p->min_usd)
			continue;
		v = d->dst[e0];
		if (out_n(d, v) > p->max_degree)
			continue;
		tend = d->ts[e0] + p->window;
		edges[0] = e0;
		top = 0;
		stack[0].w = v;
		stack[0].pos = (uint32_t)fin_after(out_l(d, v), out_n(d, v), e0);
		stack[0].end = out_n(d, v);
		x->acc_flag[v] = 1;
		while (top >= 0) {
			struct frame *f = &stack[top];
			uint32_t e, y;

			if (f->pos >= f->end || steps >= p->max_steps || found >= p->max_cycles) {
				x->acc_flag[f->w] = 0;
				top--;
				continue;
			}
			e = out_l(d, f->w)[f->pos++];
			steps++;
			if (d->ts[e] > tend) {
				f->pos = f->end;
				continue;
			}
			/* an employer's wage coming back as the rent it is owed is
			 * everyday life, not layering */
			if (!fin_is_transfer(d, e) || p->payroll[d->cat[e]])
				continue;
			/* the same money moving on: each hop carries a share of the
			 * previous one (0 disables the check) */
			if (p->ratio_min > 0 && !isnan(d->usd[e]) && !isnan(d->usd[edges[top]]) &&
			    (d->usd[e] < p->ratio_min * d->usd[edges[top]] ||
			     d->usd[e] > p->ratio_max * d->usd[edges[top]]))
				continue;
			y = d->dst[e];
			/* two accounts paying each other back (a loan, a shared
			 * bill) is the commonest innocent cycle: below min_hops */
			if (y == u && (uint32_t)top + 2 < p->min_hops)
				continue;
			if (y == u) {
				/* path edges: edges[0..top] then e */
				edges[top + 1] = e;
				cyc_emit(r, p, edges, (uint32_t)top + 2, out);
				found++;
				continue;
			}
			/* path would have top+2 edges and need one more to close */
			if ((uint32_t)top + 3 > p->max_hops || x->acc_flag[y] || out_n(d, y) > p->max_degree ||
			    !out_n(d, y))
				continue;
			edges[top + 1] = e;
			top++;
			stack[top].w = y;
			stack[top].pos = (uint32_t)fin_after(out_l(d, y), out_n(d, y), e);
			stack[top].end = out_n(d, y);
			x->acc_flag[y] = 1;
		}
	}
	x->acc_flag[u] = 0;
	return out->failed ? RASTRO_NOMEM : 0;
}

/* ---- relay chain: a sum handed on from account to account ---- */

/*
 * The AMLworld RANDOM pattern (a walk of laundered money through a few
 * accounts; Altman et al. 2023) and the layering chain of the AML
 * literature: a large transfer, then one from the account it paid, and so
 * on, each within hours of the money arriving and of the order of the
 * previous hop, each between two accounts that deal with each other at no
 * other time in the data.  Every account of the chain is named.  The search
 * is bounded like FIN.CYCLE's: hops, a window per hop, a degree cap and a
 * step budget per start.
 */
struct rc_p {
	int det;
	int64_t hop_window;
	uint32_t min_hops, max_degree, max_steps;
	double min_usd, ratio;
	struct part_flags pf;  /* payroll and part flags (part_flags_load) */
	uint8_t *once;        /* per transaction: the only transfer of its payer to its payee */
};

static void rc_release(void *state)
{
	struct rc_p *p = state;

	if (!p)
		return;
	part_flags_free(&p->pf);
	mem_free(p->once);
	mem_free(p);
}

static int rc_prepare(struct fin_run *r, void **state)
{
	const struct fin_data *d = r->d;
	struct rc_p *p = mem_calloc(1, sizeof *p);
	uint32_t *cnt;
	size_t a, k;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.RELAY_CHAIN");
	p->hop_window = (int64_t)(fin_param(r, p->det, "hop_window_hours", 24) * HOUR);
	p->min_hops = (uint32_t)fin_param_int(r, p->det, "min_hops", 4);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 1000);
	p->max_steps = (uint32_t)fin_param_int(r, p->det, "max_steps", 20000);
	p->min_usd = fin_param(r, p->det, "min_usd", 5000);
	p->ratio = fin_param(r, p->det, "max_hop_ratio", 2.5);
	if (p->min_hops < 2)
		p->min_hops = 2;
	if (p->min_hops > 32)
		p->min_hops = 32;
	if (p->ratio < 1)
		p->ratio = 1;
	part_flags_load(r, p->det, &p->pf);
	p->once = mem_calloc(d->ntx ? d->ntx : 1, 1);
	cnt = mem_calloc(d->nacc ? d->nacc : 1, sizeof *cnt);
	if (!p->pf.parts || !p->once || !cnt) {
		mem_free(cnt);
		return RASTRO_NOMEM;
	}
	/* one pass over each payer's list: which payments go to a payee it
	 * pays at no other time */
	for (a = 0; a < d->nacc; a++) {
		const uint32_t *l = out_l(d, (uint32_t)a);
		uint32_t n = out_n(d, (uint32_t)a);
		int cand = 0;

		/* only a payer with a possible hop needs the counts */
		for (k = 0; k < n && !cand; k++)
			cand = (p->pf.parts[l[k]] & (PART_OUT | PART_IN)) == (PART_OUT | PART_IN) && d->usd[l[k]] >= p->min_usd;
		if (!cand)
			continue;
		for (k = 0; k < n; k++)
			if (p->pf.parts[l[k]] & PART_XFER)
				cnt[d->dst[l[k]]]++;
		for (k = 0; k < n; k++)
			if (p->pf.parts[l[k]] & PART_XFER)
				p->once[l[k]] = cnt[d->dst[l[k]]] == 1;
		for (k = 0; k < n; k++)
			if (p->pf.parts[l[k]] & PART_XFER)
				cnt[d->dst[l[k]]] = 0;
	}
	mem_free(cnt);
	return 0;
}

/* A hop: a one-off part of at least min_usd between accounts that are
 * neither hubs nor too busy to expand. */
static int rc_hop(const struct rc_p *p, const struct fin_data *d, uint32_t t)
{
	return p->once[t] && (p->pf.parts[t] & (PART_OUT | PART_IN)) == (PART_OUT | PART_IN) && d->usd[t] >= p->min_usd &&
	       out_n(d, d->dst[t]) <= p->max_degree;
}

static void rc_emit(struct fin_run *r, const struct rc_p *p, const uint32_t *edges, uint32_t L,
		    struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	double total = fin_sum_usd(d, edges, L, NULL), score = fin_strength(L, p->min_hops, 2.0 * p->min_hops);
	char path[512], usd[48], sp[32], w0[32];
	size_t pl = 0;
	uint32_t i, k;

	path[0] = '\0';
	for (i = 0; i <= L && pl + 2 < sizeof path; i++) {
		uint32_t acc = i < L ? d->src[edges[i]] : d->dst[edges[L - 1]];
		int w = snprintf(path + pl, sizeof path - pl, i < L ? "%s → " : "%s", fin_acc_name(d, acc));

		if (w < 0 || (size_t)w >= sizeof path - pl)
			break;
		pl += (size_t)w;
	}
	fin_fmt_usd(usd, sizeof usd, total);
	fin_fmt_span(sp, sizeof sp, d->ts[edges[L - 1]] - d->ts[edges[0]]);
	fin_fmt_time(w0, sizeof w0, d->ts[edges[0]]);
	for (i = 0; i <= L; i++) {
		struct fin_sigb b;
		uint32_t subj = i < L ? d->src[edges[i]] : d->dst[edges[L - 1]];

		if (fin_swept(d, subj))
			continue;
		fin_sig_begin(&b, out, p->det, subj, score);
		for (k = 0; k < L; k++)
			fin_sig_ev(&b, edges[k]);
		fin_sig_int(&b, "hops", L);
		fin_sig_int(&b, "position", i);
		fin_sig_num(&b, "span_hours", (double)(d->ts[edges[L - 1]] - d->ts[edges[0]]) / HOUR);
		fin_sig_num(&b, "hop_window_hours", (double)p->hop_window / HOUR);
		fin_sig_str(&b, "path", path);
		fin_sig_num(&b, "total_usd", total);
		fin_sig_say(&b, "Account %s is on a chain of %u large transfers, each sent on within %.0f h of the money "
			    "arriving, between accounts with no other dealings (from %s, over %s): %s.",
			    fin_acc_name(d, subj), L, (double)p->hop_window / HOUR, w0, sp, path);
		fin_sig_end(&b, d, r->max_evidence);
	}
}

static int rc_account(struct fin_run *r, const void *st, uint32_t u, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct rc_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *ul = out_l(d, u);
	size_t nu = out_n(d, u), i;
	struct frame stack[33];
	uint32_t edges[33];

	if (!nu || nu > p->max_degree || fin_hub_out(d, u) || fin_swept(d, u))
		return 0;
	/* the first chain found from this account is enough */
	x->acc_flag[u] = 1;
	for (i = 0; i < nu; i++) {
		uint32_t e0 = ul[i], steps = 0;
		int top = 0, done = 0;

		if (!rc_hop(p, d, e0))
			continue;
		edges[0] = e0;
		stack[0].w = d->dst[e0];
		stack[0].pos = (uint32_t)fin_after(out_l(d, stack[0].w), out_n(d, stack[0].w), e0);
		stack[0].end = out_n(d, stack[0].w);
		x->acc_flag[stack[0].w] = 1;
		while (top >= 0) {
			struct frame *f = &stack[top];
			uint32_t e, y;

			if (done || f->pos >= f->end || steps >= p->max_steps) {
				x->acc_flag[f->w] = 0;
				top--;
				continue;
			}
			e = out_l(d, f->w)[f->pos++];
			steps++;
			if (d->ts[e] - d->ts[edges[top]] > p->hop_window) {
				f->pos = f->end;
				continue;
			}
			y = d->dst[e];
			if (!rc_hop(p, d, e) || x->acc_flag[y] || d->usd[e] > p->ratio * d->usd[edges[top]] ||
			    d->usd[e] * p->ratio < d->usd[edges[top]])
				continue;
			edges[top + 1] = e;
			if ((uint32_t)top + 2 >= p->min_hops) {
				rc_emit(r, p, edges, (uint32_t)top + 2, out);
				done = 1;
				continue;
			}
			top++;
			stack[top].w = y;
			stack[top].pos = (uint32_t)fin_after(out_l(d, y), out_n(d, y), e);
			stack[top].end = out_n(d, y);
			x->acc_flag[y] = 1;
		}
		if (done)
			break;
	}
	x->acc_flag[u] = 0;
	return out->failed ? RASTRO_NOMEM : 0;
}

/* ---- rapid pass-through ---- */

struct pt_p {
	int det;
	int64_t lag;
	double ratio_min, ratio_max, min_usd;
	uint32_t min_events;
	uint8_t *payroll;
};

static void pt_release(void *state)
{
	struct pt_p *p = state;

	mem_free(p->payroll);
	mem_free(p);
}

static int pt_prepare(struct fin_run *r, void **state)
{
	struct pt_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.PASS_THROUGH");
	p->lag = (int64_t)(fin_param(r, p->det, "max_lag_hours", 24) * HOUR);
	p->ratio_min = fin_param(r, p->det, "min_ratio", 0.8);
	p->ratio_max = fin_param(r, p->det, "max_ratio", 1.05);
	p->min_usd = fin_param(r, p->det, "min_usd", 1000);
	p->min_events = (uint32_t)fin_param_int(r, p->det, "min_events", 2);
	*state = p;
	{
		static const char *const def[] = { "payroll", "wages", "salary", NULL };

		p->payroll = fin_cat_flags(r, p->det, "payroll_categories", def, 1);
	}
	return p->payroll ? 0 : RASTRO_NOMEM;
}

static int pt_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct pt_p *p = st;
	const struct fin_data *d = r->d;
	const uint32_t *il = in_l(d, a), *ol = out_l(d, a);
	size_t ni = in_n(d, a), no = out_n(d, a), i, next_out = 0, k;
	uint32_t events = 0;
	double passed = 0, lag_sum = 0;
	struct fin_sigb b;
	char usd[48], lag[32];

	/* an account whose earnings are swept to a collector is affected by
	 * FIN.EARNINGS_SWEEP, not a mule */
	if (ni < p->min_events || no < p->min_events || fin_swept(d, a))
		return 0;
	x->tmp32.len = 0;
	for (i = 0; i < ni; i++) {
		uint32_t e = il[i];
		double want = d->usd[e], sum = 0;
		size_t j, start;

		/* wages moved on at once are a worker's pay being swept
		 * (FIN.PAYROLL_FUNNEL, the worker affected), not a mule's flow */
		if (d->src[e] == a || !(want > 0) || isnan(want) || fin_is_wage(d, e, p->payroll))
			continue;
		start = fin_after(ol, no, e);
		if (start < next_out)
			start = next_out;
		for (j = start; j < no; j++) {
			uint32_t o = ol[j];

			if (d->ts[o] - d->ts[e] > p->lag)
				break;
			if (d->dst[o] == a || isnan(d->usd[o]))
				continue;
			sum += d->usd[o];
			if (sum >= p->ratio_min * want)
				break;
		}
		if (j < no && sum >= p->ratio_min * want && sum <= p->ratio_max * want) {
			events++;
			passed += want;
			lag_sum += (double)(d->ts[ol[j]] - d->ts[e]);
			if (vec_push(&x->tmp32, &e))
				return RASTRO_NOMEM;
			for (k = start; k <= j; k++)
				if (d->dst[ol[k]] != a && !isnan(d->usd[ol[k]]) && vec_push(&x->tmp32, &ol[k]))
					return RASTRO_NOMEM;
			next_out = j + 1;
		}
	}
	if (events < p->min_events || passed < p->min_usd)
		return 0;
	fin_sig_begin(&b, out, p->det, a, fin_strength(events, p->min_events, 3.0 * p->min_events));
	for (k = 0; k < x->tmp32.len; k++)
		fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[k]);
	fin_fmt_usd(usd, sizeof usd, passed);
	fin_fmt_span(lag, sizeof lag, (int64_t)(lag_sum / events));
	fin_sig_int(&b, "events", events);
	fin_sig_num(&b, "passed_usd", passed);
	fin_sig_num(&b, "mean_lag_hours", lag_sum / events / HOUR);
	fin_sig_num(&b, "max_lag_hours", (double)p->lag / HOUR);
	fin_sig_num(&b, "min_ratio", p->ratio_min);
	fin_sig_say(&b, "Account %s passed money straight through %u times: %s came in and %.0f–%.0f%% of "
		    "each amount went out again within %.0f h (on average after %s).",
		    fin_acc_name(d, a), events, usd, p->ratio_min * 100, p->ratio_max * 100,
		    (double)p->lag / HOUR, lag);
	fin_sig_end(&b, d, r->max_evidence);
	return 0;
}

/* ---- bipartite and stack layering ---- */

struct bp_p {
	int det, det_stack;
	int64_t window;
	uint32_t min_sources, min_dests, max_degree, max_in_degree, max_pairs;
};

static int bp_prepare(struct fin_run *r, void **state)
{
	struct bp_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.BIPARTITE");
	p->det_stack = fin_detector_find("FIN.STACK");
	p->window = (int64_t)(fin_param(r, p->det, "window_hours", 24) * HOUR);
	p->min_sources = (uint32_t)fin_param_int(r, p->det, "min_sources", 2);
	p->min_dests = (uint32_t)fin_param_int(r, p->det, "min_destinations", 3);
	p->max_degree = (uint32_t)fin_param_int(r, p->det, "max_degree", 50);
	p->max_in_degree = (uint32_t)fin_param_int(r, p->det, "max_in_degree", 200);
	p->max_pairs = (uint32_t)fin_param_int(r, p->det, "max_pairs_per_source", 200);
	if (p->min_sources < 2)
		p->min_sources = 2;
	if (p->min_dests < 2)
		p->min_dests = 2;
	*state = p;
	return 0;
}

static uint32_t uf_find(uint32_t *parent, uint32_t v)
{
	while (parent[v] != v) {
		parent[v] = parent[parent[v]];
		v = parent[v];
	}
	return v;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	/* smaller index becomes the root: deterministic */
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

struct block {
	uint32_t root;            /* destination component */
	size_t src_off, src_n;    /* sources in the block list */
	size_t dst_off, dst_n;
	int stacked;
};

/* Membership list entries: (root, account, side) sorted. */
struct memb {
	uint32_t root, acc;
};

static int cmp_memb(const void *a, const void *b)
{
	const struct memb *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return x->acc < y->acc ? -1 : x->acc > y->acc;
}

static int emit_block(struct fin_run *r, const struct bp_p *p, int det, const struct memb *srcs,
		      size_t ns, const struct memb *dsts, size_t nd, const struct memb *srcs2,
		      size_t ns2, const struct memb *dsts2, size_t nd2, struct fin_scratch *x,
		      struct fin_sink *out)
{
	const struct fin_data *d = r->d;
	uint32_t st; /* a fresh stamp per layer, below */
	size_t i, j, nev = 0;
	size_t total_members;
	double total = 0;
	char usd[48];
	int layer;

	x->tmp32.len = 0;
	/* evidence: transfers from each layer's sources to its destinations */
	for (layer = 0; layer < (srcs2 ? 2 : 1); layer++) {
		const struct memb *S = layer ? srcs2 : srcs, *D = layer ? dsts2 : dsts;
		size_t nS = layer ? ns2 : ns, nD = layer ? nd2 : nd;

		st = fin_stamp(x);
		for (i = 0; i < nD; i++)
			x->acc_mark[D[i].acc] = st;
		for (i = 0; i < nS; i++) {
			const uint32_t *l = out_l(d, S[i].acc);
			uint32_t n = out_n(d, S[i].acc);

			for (j = 0; j < n; j++)
				if (fin_is_transfer(d, l[j]) && x->acc_mark[d->dst[l[j]]] == st) {
					if (vec_push(&x->tmp32, &l[j]))
						return RASTRO_NOMEM;
					if (!isnan(d->usd[l[j]]))
						total += d->usd[l[j]];
					nev++;
				}
		}
	}
	fin_fmt_usd(usd, sizeof usd, total);
	total_members = ns + nd + ns2 + nd2;
	for (layer = 0; layer < 4; layer++) {
		const struct memb *M = layer == 0 ? srcs : layer == 1 ? dsts : layer == 2 ? srcs2 : dsts2;
		size_t nM = layer == 0 ? ns : layer == 1 ? nd : layer == 2 ? ns2 : nd2;

		for (i = 0; i < nM; i++) {
			struct fin_sigb b;
			uint32_t acc = M[i].acc;
			double score;

			/* in a stack the middle layer appears twice: once is enough */
			if (layer == 2 && det == p->det_stack) {
				size_t k;
				int dup = 0;

				for (k = 0; k < nd && !dup; k++)
					dup = dsts[k].acc == acc;
				if (dup)
					continue;
			}
			score = det == p->det_stack ? fin_strength((double)total_members, 6, 12)
						    : fin_strength((double)(ns + nd), (double)(p->min_sources + p->min_dests),
								   2.0 * (p->min_sources + p->min_dests));
			fin_sig_begin(&b, out, det, acc, score);
			for (j = 0; j < x->tmp32.len; j++)
				fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[j]);
			fin_sig_int(&b, "sources", (long long)ns);
			fin_sig_int(&b, "destinations", (long long)nd);
			if (det == p->det_stack)
				fin_sig_int(&b, "third_layer", (long long)nd2);
			fin_sig_num(&b, "window_hours", (double)p->window / HOUR);
			fin_sig_num(&b, "total_usd", total);
			fin_sig_int(&b, "transfers", (long long)nev);
			if (det == p->det_stack)
				fin_sig_say(&b, "Account %s is in a layered (stack) structure: %zu accounts paid the "
					    "same %zu accounts, which paid on to %zu further accounts (%zu transfers, %s).",
					    fin_acc_name(d, acc), ns, nd, nd2, nev, usd);
			else
				fin_sig_say(&b, "Account %s is in a bipartite block: %zu accounts each paid several of "
					    "the same %zu accounts within %.0f h (%zu transfers, %s).",
					    fin_acc_name(d, acc), ns, nd, (double)p->window / HOUR, nev, usd);
			fin_sig_end(&b, d, r->max_evidence);
		}
	}
	return out->failed ? RASTRO_NOMEM : 0;
}

static int bp_global(struct fin_run *r, const void *st, struct fin_scratch *x, struct fin_sink *out)
{
	const struct bp_p *p = st;
	const struct fin_data *d = r->d;
	struct vec pairs, mem_src, mem_dst;
	uint32_t *parent = NULL;
	struct block *blocks = NULL;
	size_t nblocks = 0, i, j;
	uint32_t *dst_block = NULL, *src_block = NULL;
	int rc = RASTRO_NOMEM;

	vec_init(&pairs, sizeof(struct fin_quad));
	vec_init(&mem_src, sizeof(struct memb));
	vec_init(&mem_dst, sizeof(struct memb));
	/* 1: pairs of destinations paid by the same source within the window */
	for (i = 0; i < d->nacc; i++) {
		const uint32_t *l = out_l(d, (uint32_t)i);
		uint32_t n = out_n(d, (uint32_t)i), npairs = 0;
		size_t a, b;

		if (n < 2 || n > p->max_degree)
			continue;
		for (a = 0; a < n && npairs < p->max_pairs; a++) {
			uint32_t da;

			if (!fin_is_transfer(d, l[a]))
				continue;
			da = d->dst[l[a]];
			if (in_n(d, da) > p->max_in_degree || fin_hub_in(d, da))
				continue;
			for (b = a + 1; b < n && npairs < p->max_pairs; b++) {
				uint32_t db;
				struct fin_quad q;

				if (d->ts[l[b]] - d->ts[l[a]] > p->window)
					break;
				if (!fin_is_transfer(d, l[b]))
					continue;
				db = d->dst[l[b]];
				if (db == da || in_n(d, db) > p->max_in_degree || fin_hub_in(d, db))
					continue;
				q.a = da < db ? da : db;
				q.b = da < db ? db : da;
				q.c = (uint32_t)i;
				q.d = 0;
				if (vec_push(&pairs, &q))
					goto out;
				npairs++;
			}
		}
	}
	if (!pairs.len) {
		rc = 0;
		goto out;
	}
	if (pairs.len > 1)
		qsort(pairs.data, pairs.len, sizeof(struct fin_quad), cmp_quad);
	parent = mem_alloc(d->nacc * sizeof *parent);
	if (!parent)
		goto out;
	for (i = 0; i < d->nacc; i++)
		parent[i] = (uint32_t)i;
	/* 2: pairs paid by enough distinct sources join one component */
	{
		struct fin_quad *q = pairs.data;
		size_t g = 0;

		while (g < pairs.len) {
			size_t h = g;
			uint32_t nsrc = 0;

			while (h < pairs.len && q[h].a == q[g].a && q[h].b == q[g].b) {
				if (h == g || q[h].c != q[h - 1].c)
					nsrc++;
				h++;
			}
			if (nsrc >= p->min_sources) {
				uf_union(parent, q[g].a, q[g].b);
				for (j = g; j < h; j++)
					q[j].d = 1;   /* qualifying */
			}
			g = h;
		}
		for (g = 0; g < pairs.len; g++) {
			struct memb m;

			if (!q[g].d)
				continue;
			m.root = uf_find(parent, q[g].a);
			m.acc = q[g].c;
			if (vec_push(&mem_src, &m))
				goto out;
			m.acc = q[g].a;
			if (vec_push(&mem_dst, &m))
				goto out;
			m.acc = q[g].b;
			if (vec_push(&mem_dst, &m))
				goto out;
		}
	}
	vec_release(&pairs);
	if (!mem_src.len) {
		rc = 0;
		goto out;
	}
	/* 3: blocks = components with their distinct sources and destinations */
	{
		struct memb *S, *D;
		size_t ns = 0, nd = 0, a, b;

		if (mem_src.len > 1)
			qsort(mem_src.data, mem_src.len, sizeof(struct memb), cmp_memb);
		if (mem_dst.len > 1)
			qsort(mem_dst.data, mem_dst.len, sizeof(struct memb), cmp_memb);
		S = mem_src.data;
		D = mem_dst.data;
		for (i = 0; i < mem_src.len; i++)
			if (!ns || S[i].root != S[ns - 1].root || S[i].acc != S[ns - 1].acc)
				S[ns++] = S[i];
		mem_src.len = ns;
		for (i = 0; i < mem_dst.len; i++)
			if (!nd || D[i].root != D[nd - 1].root || D[i].acc != D[nd - 1].acc)
				D[nd++] = D[i];
		mem_dst.len = nd;
		blocks = mem_calloc(ns + 1, sizeof *blocks);
		if (!blocks)
			goto out;
		for (a = 0, b = 0; a < ns;) {
			size_t a2 = a, b2;
			uint32_t root = S[a].root;

			while (a2 < ns && S[a2].root == root)
				a2++;
			while (b < nd && D[b].root < root)
				b++;
			b2 = b;
			while (b2 < nd && D[b2].root == root)
				b2++;
			if (a2 - a >= p->min_sources && b2 - b >= p->min_dests) {
				blocks[nblocks].root = root;
				blocks[nblocks].src_off = a;
				blocks[nblocks].src_n = a2 - a;
				blocks[nblocks].dst_off = b;
				blocks[nblocks].dst_n = b2 - b;
				nblocks++;
			}
			a = a2;
			b = b2;
		}
	}
	/* 4: stacks — a block whose destinations are another block's sources */
	dst_block = mem_alloc(d->nacc * sizeof *dst_block);
	src_block = mem_alloc(d->nacc * sizeof *src_block);
	if (!dst_block || !src_block)
		goto out;
	memset(dst_block, 0xff, d->nacc * sizeof *dst_block);
	{
		const struct memb *S = mem_src.data, *D = mem_dst.data;

		for (i = 0; i < nblocks; i++)
			for (j = 0; j < blocks[i].dst_n; j++)
				dst_block[D[blocks[i].dst_off + j].acc] = (uint32_t)i;
		if (p->det_stack >= 0)
			for (i = 0; i < nblocks; i++) {
				/* count sources of block i that are destinations of one earlier layer */
				uint32_t st2 = fin_stamp(x);
				size_t best_n = 0;
				uint32_t best_b = FIN_NONE;

				for (j = 0; j < blocks[i].src_n; j++) {
					uint32_t bb = dst_block[S[blocks[i].src_off + j].acc], cnt;

					if (bb == FIN_NONE || bb == i)
						continue;
					if (x->acc_mark[bb] != st2) {
						x->acc_mark[bb] = st2;
						x->acc_cnt[bb] = 0;
					}
					cnt = ++x->acc_cnt[bb];
					if (cnt > best_n || (cnt == best_n && bb < best_b)) {
						best_n = cnt;
						best_b = bb;
					}
				}
				for (j = 0; j < blocks[i].src_n; j++) {
					uint32_t bb = dst_block[S[blocks[i].src_off + j].acc];

					if (bb != FIN_NONE)
						x->acc_cnt[bb] = 0;
				}
				if (best_n >= 2 && best_b != FIN_NONE) {
					const struct block *b1 = &blocks[best_b], *b2 = &blocks[i];

					blocks[best_b].stacked = 1;
					blocks[i].stacked = 1;
					rc = emit_block(r, p, p->det_stack, S + b1->src_off, b1->src_n, D + b1->dst_off,
							b1->dst_n, S + b2->src_off, b2->src_n, D + b2->dst_off,
							b2->dst_n, x, out);
					if (rc)
						goto out;
				}
			}
		for (i = 0; i < nblocks; i++) {
			if (blocks[i].stacked || p->det < 0)
				continue;
			rc = emit_block(r, p, p->det, S + blocks[i].src_off, blocks[i].src_n,
					D + blocks[i].dst_off, blocks[i].dst_n, NULL, 0, NULL, 0, x, out);
			if (rc)
				goto out;
		}
	}
	rc = 0;
out:
	vec_release(&pairs);
	vec_release(&mem_src);
	vec_release(&mem_dst);
	mem_free(parent);
	mem_free(blocks);
	mem_free(dst_block);
	mem_free(src_block);
	return rc;
}

const struct fin_detector fin_det_graph[] = {
	{ "FIN.FAN_OUT", "fan_out", TY_ML,
	  "AML graph pattern fan-out (IBM AMLworld FAN-OUT; GFP fan features)",
	  "one account pays many accounts in a short window", fan_out_prepare, fan_out_account, NULL, NULL, NULL },
	{ "FIN.FAN_IN", "fan_in", TY_ML,
	  "AML graph pattern fan-in (IBM AMLworld FAN-IN; GFP fan features)",
	  "many accounts pay one account in a short window", fan_in_prepare, fan_in_account, NULL, NULL, NULL },
	{ "FIN.ONEOFF_FANOUT", "oneoff_fanout", TY_ML,
	  "AML graph pattern fan-out (IBM AMLworld FAN-OUT; GFP fan features) as layering: a burst of large "
	  "single payments to payees never paid at any other time",
	  "a burst of large one-off payments to many payees", lf_prepare, lf_account, NULL, lf_release, NULL },
	{ "FIN.SCATTER_GATHER", "scatter_gather", TY_ML,
	  "AML graph pattern scatter-gather (IBM AMLworld SCATTER-GATHER; GFP scatter-gather)",
	  "one source pays intermediates that all pay one sink", sg_prepare, sg_account, NULL, sg_release, NULL },
	{ "FIN.GATHER_SCATTER", "gather_scatter", TY_ML,
	  "AML graph pattern gather-scatter (IBM AMLworld GATHER-SCATTER)",
	  "many pay one account, which soon pays many", gs_prepare, gs_account, NULL, NULL, NULL },
	{ "FIN.SPLIT_GATHER_SCATTER", "split_gather_scatter", TY_ML,
	  "AML graph pattern gather-scatter (IBM AMLworld GATHER-SCATTER; GFP fan and vertex-statistics features) "
	  "as layering: a sum gathered in similar parts and passed on in similar parts",
	  "similar parts gathered from several accounts, the same money scattered on (and those accounts)",
	  sgs_prepare, sgs_account, NULL, sgs_release, NULL },
	{ "FIN.SPLIT_FAN", "split_fan", TY_ML,
	  "AML graph patterns fan-out and fan-in (IBM AMLworld FAN-OUT / FAN-IN; GFP fan and vertex-statistics "
	  "features) as layering: a sum split into similar parts",
	  "a sum sent to (or received from) many accounts in similar parts (and those accounts)",
	  sf_prepare, sf_account, NULL, sf_release, NULL },
	{ "FIN.SPLIT_BIPARTITE", "split_bipartite", TY_ML,
	  "AML graph patterns bipartite and stack (IBM AMLworld BIPARTITE / STACK; GFP bicliques) at their "
	  "smallest: two accounts each pay the same two accounts similar parts",
	  "accounts paying the same accounts similar parts of one sum", sb_prepare, NULL, sb_global, sb_release,
	  NULL },
	{ "FIN.RELAY_CHAIN", "relay_chain", TY_ML,
	  "AML graph pattern random walk (IBM AMLworld RANDOM) as a layering chain: a large sum handed on from "
	  "account to account within hours, between accounts with no other dealings",
	  "a large sum handed on along a chain of accounts (every account named)", rc_prepare, rc_account, NULL,
	  rc_release, NULL },
	{ "FIN.CYCLE", "cycle", TY_ML,
	  "AML graph pattern cycle (IBM AMLworld CYCLE; GFP temporal cycles; Blanuša et al. 2022/2023)",
	  "money returns to its source through a time-ordered cycle", cyc_prepare, cyc_account, NULL, cyc_release, NULL },
	{ "FIN.PASS_THROUGH", "pass_through", TY_ML,
	  "rapid movement of funds (FIN-2020-A008 funnel-account typology: funds withdrawn or moved with "
	  "little time in between; AML pass-through / mule accounts)",
	  "money leaves as fast as it arrives", pt_prepare, pt_account, NULL, pt_release, NULL },
	{ "FIN.BIPARTITE", "bipartite", TY_ML,
	  "AML graph pattern bipartite (IBM AMLworld BIPARTITE)",
	  "a set of accounts pays the same set of accounts", bp_prepare, NULL, bp_global, NULL, NULL },
	{ "FIN.STACK", "stack", TY_ML,
	  "AML graph pattern stack (IBM AMLworld STACK: two bipartite layers)",
	  "layered bipartite structure A → B → C (found by FIN.BIPARTITE)", NULL, NULL, NULL, NULL,
	  "FIN.BIPARTITE" },
};
const size_t fin_det_graph_n = sizeof fin_det_graph / sizeof fin_det_graph[0];
