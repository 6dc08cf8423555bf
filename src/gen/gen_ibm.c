/*
 * gen_ibm: IBM AMLworld-style files for the financial-detector benchmark
 * (rastro gen --ibm): gen_Trans.csv, gen_Patterns.txt, gen_accounts.csv
 * and truth.json.
 *
 * The layout follows IBM's published files (Altman et al., NeurIPS 2023;
 * reference/finance.md §3): CRLF lines; `YYYY/MM/DD HH:MM` timestamps; two
 * columns named `Account`; bank ids unpadded in the transaction file and
 * zero-padded in the pattern file; spelled-out currencies; payment formats
 * Reinvestment (self-transfers), Cheque, ACH, Credit Card, Wire, Cash,
 * Bitcoin; `Is Laundering` 0/1.  Laundering is planted at HI-Small's rate
 * (gen.ibm.illicit_rate, 1 row per 981) in the 8 pattern kinds, with
 * HI-Small's mix of rows per kind, plus "lone" laundering rows outside any
 * pattern (gen.ibm.lone_share, 38 % in HI-Small).  Patterns.txt blocks
 * repeat their rows exactly as in the transaction file.
 *
 * Like the world, the background is drawn day by day from per-account
 * streams and written in time order; memory holds the accounts, the
 * planted rows and one day.
 */
#include "gen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

static const struct {
	const char *name;
	double per_usd;       /* units per US dollar (2022 averages, rounded) */
	double share;         /* of accounts */
} cur[] = {
	{ "US Dollar", 1, 0.36 }, { "Euro", 0.95, 0.23 }, { "Yuan", 6.7, 0.07 }, { "Yen", 131, 0.05 },
	{ "UK Pound", 0.81, 0.04 }, { "Rupee", 78, 0.05 }, { "Ruble", 68, 0.04 }, { "Canadian Dollar", 1.3, 0.03 },
	{ "Australian Dollar", 1.44, 0.03 }, { "Swiss Franc", 0.95, 0.02 }, { "Mexican Peso", 20, 0.03 },
	{ "Brazil Real", 5.2, 0.02 }, { "Shekel", 3.4, 0.01 }, { "Saudi Riyal", 3.75, 0.01 },
	{ "Bitcoin", 0.00005, 0.01 },
};
#define NCUR (sizeof cur / sizeof cur[0])
#define BTC (NCUR - 1)

/* Payment formats: share of rows and median amount in USD (HI-Small mix,
 * rounded). */
static const struct {
	const char *name;
	double share, median, sigma;
} fmt[] = {
	{ "Cheque", 0.36, 900, 1.3 }, { "Credit Card", 0.26, 60, 1.0 }, { "ACH", 0.12, 2500, 1.4 },
	{ "Cash", 0.10, 300, 1.1 }, { "Reinvestment", 0.09, 1500, 1.3 }, { "Wire", 0.04, 8000, 1.3 },
	{ "Bitcoin", 0.03, 400, 1.5 },
};
enum { F_CHEQUE, F_CARD, F_ACH, F_CASH, F_REINVEST, F_WIRE, F_BITCOIN, F_N };

/* HI-Small laundering rows per pattern kind (reference/finance.md §3.3),
 * in enum gen_pattern order: fan-in, fan-out, cycle, scatter-gather,
 * gather-scatter, bipartite, stack, random. */
static const double pattern_rows[PT_N] = { 318, 342, 287, 626, 716, 263, 466, 191 };

struct ibm_acct {
	uint32_t bank;        /* bank id as written */
	uint32_t entity;
	float activity;
	uint8_t cur;
	uint8_t kind;         /* entity kind */
};

struct ibm_ev {
	int64_t ts;           /* minute resolution */
	double paid;          /* in the paying currency */
	double recv;
	uint32_t from, to;
	uint32_t owner, seq;
	uint32_t plan;        /* index in the plan + 1, 0 = background */
	uint8_t cur_paid, cur_recv, fmt;
	uint8_t label;
};

struct ibm_pattern {
	uint8_t kind;
	uint16_t degree;      /* the "Max N" of the block header */
	uint32_t first, n;    /* its rows in the plan */
};

struct ibm {
	gen_t *g;
	struct ibm_acct *a;
	uint32_t na;
	uint32_t *hubs;       /* busiest accounts (popular counterparties) */
	uint32_t nhubs;
	double mean_activity;
	struct vec plan;      /* struct ibm_ev, planted rows, sorted by time at the end */
	struct vec pats;      /* struct ibm_pattern */
	uint32_t *line_of;    /* line in gen_Trans.csv of each planned row */
	uint64_t rows, laundering;
};

static void acct_str(const struct ibm *m, uint32_t i, struct sbuf *sb)
{
	/* "8" + 8 hex digits of a bijection of the index: looks like IBM's
	 * 8000EBD30 and never collides. */
	uint32_t x = (uint32_t)(i * 2654435761u + 0x0EBD30u);

	sbuf_addf(sb, "8%08X", x);
	(void)m;
}

static uint8_t pick_fmt(struct rng *r, int self)
{
	double x = rng_uniform(r) * (1 - fmt[F_REINVEST].share);
	int i;

	if (self)
		return F_REINVEST;
	for (i = 0; i < F_N; i++) {
		if (i == F_REINVEST)
			continue;
		if (x < fmt[i].share)
			return (uint8_t)i;
		x -= fmt[i].share;
	}
	return F_CHEQUE;
}

static void fill_amounts(struct ibm *m, struct rng *r, struct ibm_ev *e, double usd)
{
	const struct ibm_acct *fa = &m->a[e->from], *ta = &m->a[e->to];

	if (e->fmt == F_BITCOIN) {
		e->cur_paid = e->cur_recv = BTC;
	} else {
		e->cur_paid = fa->cur == BTC ? 0 : fa->cur;
		e->cur_recv = e->cur_paid;
		/* Cross-border wires and ACH are received in the other currency. */
		if ((e->fmt == F_WIRE || e->fmt == F_ACH) && ta->cur != BTC && ta->cur != e->cur_paid && rng_chance(r, 0.5))
			e->cur_recv = ta->cur;
	}
	e->paid = usd * cur[e->cur_paid].per_usd;
	e->recv = usd * cur[e->cur_recv].per_usd;
}

/* ---- accounts ----------------------------------------------------------- */

static int build_accounts(struct ibm *m, struct rng *r)
{
	gen_t *g = m->g;
	uint32_t nbanks, i, ent = 0;
	uint32_t *bank_id;
	uint8_t *bank_cur;
	double *bank_cum, acc = 0;

	m->na = (uint32_t)(g->k.ibm_accounts_per_scale * g->k.scale + 0.5);
	if (m->na < 50)
		m->na = 50;
	if (m->na > 50000000)
		return gen_fail(g, RASTRO_LIMIT, "at most 50 million IBM-mode accounts");
	nbanks = 20 + m->na / 150;
	m->a = mem_alloc(sizeof(struct ibm_acct) * m->na);
	bank_id = mem_alloc(sizeof(uint32_t) * nbanks);
	bank_cur = mem_alloc(nbanks);
	bank_cum = mem_alloc(sizeof(double) * nbanks);
	if (!m->a || !bank_id || !bank_cur || !bank_cum) {
		mem_free(bank_id);
		mem_free(bank_cur);
		mem_free(bank_cum);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < nbanks; i++) {
		double x = rng_uniform(r);
		size_t c = 0;

		/* Bank ids as numbers of a few digits, distinct. */
		bank_id[i] = (uint32_t)((i * 7919u + 11u) % 300007u) + 1;
		while (c + 1 < NCUR - 1 && x >= cur[c].share) {
			x -= cur[c].share;
			c++;
		}
		bank_cur[i] = (uint8_t)c;
		/* A few large banks and a long tail (Zipf-like). */
		acc += 1.0 / pow(i + 1, 0.9);
		bank_cum[i] = acc;
	}
	for (i = 0; i < m->na; i++) {
		double x = rng_uniform(r) * acc;
		uint32_t lo = 0, hi = nbanks - 1;

		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;

			if (bank_cum[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		m->a[i].bank = bank_id[lo];
		m->a[i].cur = rng_chance(r, 0.01) ? (uint8_t)BTC : bank_cur[lo];
		/* Entities hold one account, some two or three. */
		if (i == 0 || !rng_chance(r, 0.12))
			ent++;
		m->a[i].entity = ent;
		m->a[i].kind = (uint8_t)(rng_chance(r, 0.55) ? 0 : rng_chance(r, 0.6) ? 1 : rng_chance(r, 0.7) ? 2 : 3);
		m->a[i].activity = (float)rng_lognormal(r, m->a[i].kind == 1 ? 0.5 : 0, 0.9);
		m->mean_activity += m->a[i].activity;
	}
	m->mean_activity /= m->na;
	/* The busiest 1 % are popular counterparties (payees of many). */
	m->nhubs = m->na / 100 + 1;
	m->hubs = mem_alloc(sizeof(uint32_t) * m->nhubs);
	if (!m->hubs) {
		mem_free(bank_id);
		mem_free(bank_cur);
		mem_free(bank_cum);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < m->nhubs; i++) {
		uint32_t best = (uint32_t)rng_below(r, m->na), k;

		for (k = 0; k < 8; k++) {
			uint32_t c = (uint32_t)rng_below(r, m->na);

			if (m->a[c].activity > m->a[best].activity)
				best = c;
		}
		m->hubs[i] = best;
	}
	mem_free(bank_id);
	mem_free(bank_cur);
	mem_free(bank_cum);
	return 0;
}

/* ---- planted laundering ------------------------------------------------- */

static struct ibm_ev *plan_row(struct ibm *m, struct rng *r, int64_t ts, uint32_t from, uint32_t to, double usd,
			       int fmtk)
{
	struct ibm_ev *e;

	if (ts < m->g->k.start_day * 86400 || ts >= (m->g->k.start_day + m->g->k.days) * 86400)
		return NULL;
	e = vec_grow(&m->plan, 1);
	if (!e)
		return NULL;
	e->ts = ts / 60 * 60;
	e->from = from;
	e->to = to;
	e->fmt = (uint8_t)(fmtk < 0 ? pick_fmt(r, 0) : fmtk);
	if (e->fmt == F_CASH || e->fmt == F_CARD)
		e->fmt = rng_chance(r, 0.5) ? F_ACH : F_CHEQUE;
	fill_amounts(m, r, e, usd);
	e->owner = UINT32_MAX;
	e->seq = (uint32_t)(m->plan.len - 1);   /* its position in the plan */
	e->plan = 0;
	e->label = 1;
	return e;
}

static uint32_t rand_acct(struct ibm *m, struct rng *r)
{
	return (uint32_t)rng_below(r, m->na);
}

/* One pattern; returns the rows it planted. */
static uint32_t plant_pattern(struct ibm *m, struct rng *r, int kind)
{
	gen_t *g = m->g;
	uint32_t first = (uint32_t)m->plan.len, acc[64], n = 0, i, j, deg = 0;
	int64_t t = (g->k.start_day + (int64_t)rng_below(r, (uint64_t)g->k.days)) * 86400 +
		    (int64_t)rng_below(r, 86400);
	double total = rng_lognormal(r, log(20000), 1.0);
	int fmtk = rng_chance(r, 0.5) ? -1 : (int)(rng_chance(r, 0.5) ? F_ACH : F_WIRE);
	struct ibm_pattern *p;

	/* Each hop comes minutes to hours after the previous one. */
#define STEP() (t += 60 * (int64_t)(5 + rng_below(r, 600)))
	for (i = 0; i < 64; i++)
		acc[i] = rand_acct(m, r);
	switch (kind) {
	case PT_FAN_OUT:
	case PT_FAN_IN:
		n = deg = 2 + (uint32_t)rng_below(r, 15);
		for (i = 1; i <= n; i++) {
			STEP();
			if (kind == PT_FAN_OUT)
				plan_row(m, r, t, acc[0], acc[i], total / n * (0.7 + 0.6 * rng_uniform(r)), fmtk);
			else
				plan_row(m, r, t, acc[i], acc[0], total / n * (0.7 + 0.6 * rng_uniform(r)), fmtk);
		}
		break;
	case PT_CYCLE: {
		double x = total;

		n = deg = 2 + (uint32_t)rng_below(r, 11);
		for (i = 0; i < n; i++) {
			STEP();
			x *= 0.96 + 0.03 * rng_uniform(r);
			plan_row(m, r, t, acc[i], acc[(i + 1) % n], x, fmtk);
		}
		break;
	}
	case PT_SCATTER_GATHER:
		n = deg = 2 + (uint32_t)rng_below(r, 10);
		for (i = 1; i <= n; i++) {
			int64_t t0 = t;
			double x = total / n * (0.8 + 0.4 * rng_uniform(r));

			STEP();
			plan_row(m, r, t, acc[0], acc[i], x, fmtk);
			STEP();
			plan_row(m, r, t, acc[i], acc[n + 1], x * 0.97, fmtk);
			t = t0 + 60;
		}
		break;
	case PT_GATHER_SCATTER: {
		uint32_t in = 2 + (uint32_t)rng_below(r, 8), out = 2 + (uint32_t)rng_below(r, 8);

		deg = in > out ? in : out;
		for (i = 1; i <= in; i++) {
			STEP();
			plan_row(m, r, t, acc[i], acc[0], total / in * (0.8 + 0.4 * rng_uniform(r)), fmtk);
		}
		for (i = 0; i < out; i++) {
			STEP();
			plan_row(m, r, t, acc[0], acc[in + 1 + i], total * 0.95 / out * (0.8 + 0.4 * rng_uniform(r)), fmtk);
		}
		break;
	}
	case PT_BIPARTITE:
	case PT_STACK: {
		uint32_t layers = kind == PT_STACK ? 3 : 2, sz[3], st[3], L, k = 0;

		for (L = 0; L < layers; L++) {
			sz[L] = 2 + (uint32_t)rng_below(r, 4);
			st[L] = k;
			k += sz[L];
			if (sz[L] > deg)
				deg = sz[L];
		}
		for (L = 0; L + 1 < layers; L++)
			for (i = 0; i < sz[L]; i++)
				for (j = 0; j < sz[L + 1]; j++)
					if (rng_chance(r, 0.7) || j == i % sz[L + 1]) {
						STEP();
						plan_row(m, r, t, acc[st[L] + i], acc[st[L + 1] + j],
							 total / (sz[L] * sz[L + 1]) * (0.7 + 0.6 * rng_uniform(r)), fmtk);
					}
		break;
	}
	default: {
		uint32_t cnt = 4 + (uint32_t)rng_below(r, 8), curr = 0, nacc = 3 + (uint32_t)rng_below(r, 6);

		deg = cnt;
		for (i = 0; i < cnt; i++) {
			uint32_t nx = (curr + 1 + (uint32_t)rng_below(r, nacc - 1)) % nacc;

			STEP();
			plan_row(m, r, t, acc[curr], acc[nx], total / 3 * (0.6 + 0.8 * rng_uniform(r)), fmtk);
			curr = nx;
		}
		break;
	}
	}
#undef STEP
	if (m->plan.len == first)
		return 0;
	p = vec_grow(&m->pats, 1);
	if (!p)
		return 0;
	p->kind = (uint8_t)kind;
	p->degree = (uint16_t)deg;
	p->first = first;
	p->n = (uint32_t)(m->plan.len - first);
	return p->n;
}

static int plant(struct ibm *m, struct rng *r)
{
	gen_t *g = m->g;
	double expected = (double)m->na * g->k.ibm_txn_per_account_day * g->k.days;
	double target = expected * g->k.ibm_illicit_rate, in_patterns = target * (1 - g->k.ibm_lone_share);
	double done = 0, wsum = 0, x;
	uint32_t ncrim, i, lone;
	int k;

	for (k = 0; k < PT_N; k++)
		wsum += pattern_rows[k];
	while (done < in_patterns) {
		x = rng_uniform(r) * wsum;
		for (k = 0; k < PT_N - 1 && x >= pattern_rows[k]; k++)
			x -= pattern_rows[k];
		done += plant_pattern(m, r, k);
		if (m->plan.len > 50000000)
			return gen_fail(g, RASTRO_LIMIT, "too many planted rows");
	}
	/* Lone laundering: payments out of criminally sourced accounts that
	 * form no pattern (the rows every published model misses). */
	ncrim = m->na / 500 + 2;
	lone = (uint32_t)(target * g->k.ibm_lone_share + 0.5);
	for (i = 0; i < lone; i++) {
		uint32_t src = (uint32_t)((uint64_t)rng_below(r, ncrim) * 2654435761u % m->na);
		int64_t t = (g->k.start_day + (int64_t)rng_below(r, (uint64_t)g->k.days)) * 86400 + (int64_t)rng_below(r, 86400);

		plan_row(m, r, t, src, rand_acct(m, r), rng_lognormal(r, log(3000), 1.2), -1);
	}
	if (m->plan.len && !m->plan.data)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

static void amount(struct sbuf *sb, double v, int btc)
{
	if (btc)
		sbuf_addf(sb, "%.6f", v);
	else
		gb_cents(sb, (int64_t)(v * 100 + 0.5));
}

static void ts_ibm(struct sbuf *sb, int64_t ts)
{
	int y;
	unsigned mo, d;
	int64_t day = ts / 86400;
	unsigned rem = (unsigned)(ts - day * 86400);

	civil_from_days(day, &y, &mo, &d);
	sbuf_addf(sb, "%04d/%02u/%02u %02u:%02u", y, mo, d, rem / 3600, rem / 60 % 60);
}

static void row_out(const struct ibm *m, const struct ibm_ev *e, int pad, struct sbuf *sb)
{
	ts_ibm(sb, e->ts);
	sbuf_addc(sb, ',');
	if (pad)
		gb_u64w(sb, m->a[e->from].bank, 6);
	else
		gb_u64(sb, m->a[e->from].bank);
	sbuf_addc(sb, ',');
	acct_str(m, e->from, sb);
	sbuf_addc(sb, ',');
	if (pad)
		gb_u64w(sb, m->a[e->to].bank, 6);
	else
		gb_u64(sb, m->a[e->to].bank);
	sbuf_addc(sb, ',');
	acct_str(m, e->to, sb);
	sbuf_addc(sb, ',');
	amount(sb, e->recv, e->cur_recv == BTC);
	sbuf_addc(sb, ',');
	sbuf_adds(sb, cur[e->cur_recv].name);
	sbuf_addc(sb, ',');
	amount(sb, e->paid, e->cur_paid == BTC);
	sbuf_addc(sb, ',');
	sbuf_adds(sb, cur[e->cur_paid].name);
	sbuf_addc(sb, ',');
	sbuf_adds(sb, fmt[e->fmt].name);
	sbuf_addc(sb, ',');
	sbuf_addc(sb, e->label ? '1' : '0');
	sbuf_adds(sb, "\r\n");
}

static int ev_cmp(const void *x, const void *y)
{
	const struct ibm_ev *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->owner != b->owner)
		return a->owner < b->owner ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void background_day(struct ibm *m, int d, struct vec *out, int *failed)
{
	gen_t *g = m->g;
	int64_t day0 = (g->k.start_day + d) * 86400;
	double rate = g->k.ibm_txn_per_account_day / m->mean_activity;
	uint32_t i;

	for (i = 0; i < m->na; i++) {
		struct rng r;
		uint32_t n, k, seq = 0;

		rng_seed2(&r, g->k.seed, gen_stream_id(GS_DAY_IBM, i, (uint32_t)d));
		n = rng_poisson(&r, rate * m->a[i].activity);
		for (k = 0; k < n; k++) {
			struct ibm_ev *e = vec_grow(out, 1);
			uint32_t to;
			int self = rng_chance(&r, fmt[F_REINVEST].share);
			double x = rng_uniform(&r);

			if (!e) {
				*failed = 1;
				return;
			}
			if (self)
				to = i;
			else if (x < 0.55)
				/* Regular counterparties: a few fixed ones per account. */
				to = (uint32_t)(((uint64_t)i * 2654435761u + rng_below(&r, 5) * 40503u + 7u) % m->na);
			else if (x < 0.8)
				to = m->hubs[rng_below(&r, m->nhubs)];
			else
				to = (uint32_t)rng_below(&r, m->na);
			e->from = i;
			e->to = to;
			e->fmt = pick_fmt(&r, self);
			if (m->a[i].cur == BTC && !self)
				e->fmt = F_BITCOIN;
			/* Mostly in working hours, some at any time. */
			e->ts = day0 + 60 * (int64_t)(rng_chance(&r, 0.7) ? 420 + rng_below(&r, 720) : rng_below(&r, 1440));
			fill_amounts(m, &r, e, rng_lognormal(&r, log(fmt[e->fmt].median), fmt[e->fmt].sigma));
			e->owner = i;
			e->seq = seq++;
			e->plan = 0;
			e->label = 0;
		}
	}
}

static int write_trans(struct ibm *m)
{
	gen_t *g = m->g;
	struct gen_out o;
	struct vec day;
	size_t p = 0;
	uint32_t line = 1;
	int d, rc = gout_open(g, &o, "gen_Trans.csv");

	if (rc)
		return rc;
	vec_init(&day, sizeof(struct ibm_ev));
	sbuf_adds(&o.b, "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
			"Payment Currency,Payment Format,Is Laundering\r\n");
	for (d = 0; d < g->k.days && !rc; d++) {
		int failed = 0;
		size_t i;
		int64_t end = (g->k.start_day + d + 1) * 86400;

		vec_clear(&day);
		background_day(m, d, &day, &failed);
		for (; p < m->plan.len && ((struct ibm_ev *)vec_at(&m->plan, p))->ts < end; p++) {
			struct ibm_ev e = *(struct ibm_ev *)vec_at(&m->plan, p);

			e.plan = (uint32_t)p + 1;
			if (vec_push(&day, &e))
				failed = 1;
		}
		if (failed) {
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
			break;
		}
		qsort(day.data, day.len, sizeof(struct ibm_ev), ev_cmp);
		for (i = 0; i < day.len; i++) {
			const struct ibm_ev *e = (const struct ibm_ev *)day.data + i;

			row_out(m, e, 0, &o.b);
			line++;
			if (e->plan)
				m->line_of[e->plan - 1] = line;
			m->laundering += e->label;
		}
		m->rows += day.len;
		rc = gout_maybe_flush(g, &o);
		gen_progress(g, "transactions", (uint64_t)d + 1, (uint64_t)g->k.days);
	}
	vec_release(&day);
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	return gout_close(g, &o);
}

static const char *const pattern_title[PT_N] = { "Fan-In", "Fan-Out", "", "Scatter-Gather", "Gather-Scatter",
						 "Bipartite", "Stack", "" };

static int write_patterns(struct ibm *m)
{
	gen_t *g = m->g;
	struct gen_out o;
	size_t i, k;
	int rc = gout_open(g, &o, "gen_Patterns.txt");

	if (rc)
		return rc;
	for (i = 0; i < m->pats.len && !rc; i++) {
		const struct ibm_pattern *p = vec_at(&m->pats, i);
		const char *kn = gen_pattern_ibm[p->kind];

		if (p->kind == PT_CYCLE || p->kind == PT_RANDOM)
			sbuf_addf(&o.b, "BEGIN LAUNDERING ATTEMPT - %s:  Max %u hops\r\n", kn, p->degree);
		else
			sbuf_addf(&o.b, "BEGIN LAUNDERING ATTEMPT - %s:  Max %u-degree %s\r\n", kn, p->degree,
				  pattern_title[p->kind]);
		for (k = 0; k < p->n; k++)
			row_out(m, vec_at(&m->plan, p->first + k), 1, &o.b);
		sbuf_addf(&o.b, "END LAUNDERING ATTEMPT - %s\r\n\r\n", kn);
		rc = gout_maybe_flush(g, &o);
	}
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	return gout_close(g, &o);
}

static int write_accounts(struct ibm *m)
{
	static const char *const kinds[] = { "Individual", "Corporation", "Sole Proprietorship", "Partnership" };
	gen_t *g = m->g;
	struct gen_out o;
	uint32_t i;
	int rc = gout_open(g, &o, "gen_accounts.csv");

	if (rc)
		return rc;
	sbuf_adds(&o.b, "Bank Name,Bank ID,Account Number,Entity ID,Entity Name\r\n");
	for (i = 0; i < m->na && !rc; i++) {
		const struct ibm_acct *a = &m->a[i];

		sbuf_addf(&o.b, "Bank #%u,", a->bank);
		gb_u64w(&o.b, a->bank, 6);
		sbuf_addc(&o.b, ',');
		acct_str(m, i, &o.b);
		sbuf_addf(&o.b, ",%X,%s #%u\r\n", a->entity * 40503u + 0x80000000u, kinds[a->kind], a->entity);
		rc = gout_maybe_flush(g, &o);
	}
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	return gout_close(g, &o);
}

static int write_truth(struct ibm *m)
{
	gen_t *g = m->g;
	struct gen_out o;
	size_t i, k, lone = 0;
	char start[16];
	int rc = gout_open(g, &o, "truth.json");
	uint64_t in_patterns = 0;

	if (rc)
		return rc;
	for (i = 0; i < m->pats.len; i++)
		in_patterns += ((struct ibm_pattern *)vec_at(&m->pats, i))->n;
	format_date(g->k.start_day * 86400, start);
	sbuf_addf(&o.b, "{\n \"format\": \"rastro-truth-ibm\",\n \"version\": 1,\n \"generator\": {\"seed\":%llu,"
			"\"scale\":%g,\"accounts\":%u,\"days\":%d,\"start\":\"%s\",\"illicit_rate\":%g,\"lone_share\":%g},\n",
		  (unsigned long long)g->k.seed, g->k.scale, m->na, g->k.days, start, g->k.ibm_illicit_rate,
		  g->k.ibm_lone_share);
	sbuf_adds(&o.b, " \"files\": {\"transactions\":\"gen_Trans.csv\",\"patterns\":\"gen_Patterns.txt\","
			"\"accounts\":\"gen_accounts.csv\"},\n");
	sbuf_addf(&o.b, " \"counts\": {\"rows\":%llu,\"laundering_rows\":%llu,\"pattern_rows\":%llu,\"lone_rows\":%llu,"
			"\"patterns\":%zu},\n \"patterns\": [",
		  (unsigned long long)m->rows, (unsigned long long)m->laundering, (unsigned long long)in_patterns,
		  (unsigned long long)(m->laundering - in_patterns), m->pats.len);
	for (i = 0; i < m->pats.len; i++) {
		const struct ibm_pattern *p = vec_at(&m->pats, i);

		sbuf_addf(&o.b, "%s\n  {\"id\":\"P%05zu\",\"kind\":\"%s\",\"ibm_kind\":\"%s\",\"lines\":[", i ? "," : "",
			  i + 1, gen_pattern_name[p->kind], gen_pattern_ibm[p->kind]);
		for (k = 0; k < p->n; k++)
			sbuf_addf(&o.b, "%s%u", k ? "," : "", m->line_of[p->first + k]);
		sbuf_adds(&o.b, "],\"accounts\":[");
		for (k = 0; k < p->n; k++) {
			const struct ibm_ev *e = vec_at(&m->plan, p->first + k);

			/* bank/account keys of each row's payer and payee */
			sbuf_addf(&o.b, "%s\"%u/", k ? "," : "", m->a[e->from].bank);
			acct_str(m, e->from, &o.b);
			sbuf_addf(&o.b, "\",\"%u/", m->a[e->to].bank);
			acct_str(m, e->to, &o.b);
			sbuf_addc(&o.b, '"');
		}
		sbuf_adds(&o.b, "]}");
		rc = gout_maybe_flush(g, &o);
		if (rc)
			break;
	}
	sbuf_adds(&o.b, "\n ],\n \"lone_lines\": [");
	/* The plan holds every pattern's rows first, then the lone rows. */
	for (i = (size_t)in_patterns; i < m->plan.len && !rc; i++)
		sbuf_addf(&o.b, "%s%u", lone++ ? "," : "", m->line_of[i]);
	sbuf_adds(&o.b, "]\n}\n");
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	return gout_close(g, &o);
}

static int plan_cmp(const void *x, const void *y)
{
	const struct ibm_ev *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int gen_ibm_run(gen_t *g)
{
	struct ibm m;
	struct rng r;
	int rc;
	size_t i;

	memset(&m, 0, sizeof m);
	m.g = g;
	vec_init(&m.plan, sizeof(struct ibm_ev));
	vec_init(&m.pats, sizeof(struct ibm_pattern));
	/* AMLworld's small sets span 10 days; the world's 90-day default does
	 * not apply unless days are set explicitly. */
	if (!cfg_has(g->user, "gen.days"))
		g->k.days = 10;
	if (!cfg_has(g->user, "gen.start"))
		g->k.start_day = days_from_civil(2022, 9, 1);
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_IBM, 0, 0));
	rc = build_accounts(&m, &r);
	if (!rc) {
		rng_seed2(&r, g->k.seed, gen_stream_id(GS_IBM, 1, 0));
		rc = plant(&m, &r);
	}
	if (!rc) {
		/* The plan goes out in time order; patterns keep their own row
		 * lists (indices into the plan), so remap them after sorting. */
		size_t n = m.plan.len;
		uint32_t *newpos = mem_alloc(sizeof(uint32_t) * (n + 1));
		struct vec sorted;

		vec_init(&sorted, sizeof(struct ibm_ev));
		m.line_of = mem_calloc(n + 1, sizeof(uint32_t));
		if (!newpos || !m.line_of || vec_reserve(&sorted, n + 1)) {
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
		} else {
			memcpy(sorted.data, m.plan.data, n * sizeof(struct ibm_ev));
			sorted.len = n;
			qsort(sorted.data, n, sizeof(struct ibm_ev), plan_cmp);
			for (i = 0; i < n; i++)
				newpos[((struct ibm_ev *)sorted.data)[i].seq] = (uint32_t)i;
			/* line_of is indexed by plan position before sorting: keep the
			 * unsorted plan for the pattern blocks, write the sorted one. */
			{
				struct vec unsorted = m.plan;

				m.plan = sorted;
				for (i = 0; i < n; i++)
					((struct ibm_ev *)m.plan.data)[i].plan = (uint32_t)i + 1;
				rc = write_trans(&m);
				if (!rc) {
					uint32_t *sorted_lines = m.line_of;

					m.line_of = mem_calloc(n + 1, sizeof(uint32_t));
					if (!m.line_of) {
						m.line_of = sorted_lines;
						rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
					} else {
						for (i = 0; i < n; i++)
							m.line_of[i] = sorted_lines[newpos[i]];
						mem_free(sorted_lines);
					}
				}
				vec_release(&m.plan);
				m.plan = unsorted;
			}
		}
		mem_free(newpos);
	}
	if (!rc)
		rc = write_patterns(&m);
	if (!rc)
		rc = write_accounts(&m);
	if (!rc)
		rc = write_truth(&m);
	if (g->stats) {
		g->stats->transactions = m.rows;
		g->stats->illicit_transactions = m.laundering;
		g->stats->accounts = m.na;
		g->stats->networks = m.pats.len;
	}
	mem_free(m.a);
	mem_free(m.hubs);
	mem_free(m.line_of);
	vec_release(&m.plan);
	vec_release(&m.pats);
	return rc;
}
