/*
 * fin_data: loads the workspace's transactions, accounts and KYC rows into
 * columnar in-memory arrays for the detectors.
 *
 * One sequential pass over each table (rowid order, the cheapest scan
 * SQLite has), every column into its own preallocated array, strings
 * interned to integer ids — no allocation per row.  Rows are then sorted by
 * (timestamp, record id) with a stable radix sort, because sources are not
 * always in time order (IBM AMLworld files are not), and the adjacency lists
 * by payer and by payee are built by counting sort, which keeps them in
 * time order.
 *
 * Bad values that ingest lets through are handled here and counted:
 * unknown currencies get no dollar amount (NaN; amount rules skip them),
 * self-transfers and zero amounts are kept but are not transfers for the
 * graph patterns, rows without a place count toward no place.
 */
#include "fin.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core/mem.h"
#include "normalize/email.h"
#include "normalize/phone.h"

static const char *const chan_names[CH_N] = {
	[CH_OTHER] = "other", [CH_CASH] = "cash", [CH_WIRE] = "wire", [CH_ACH] = "ach",
	[CH_CARD] = "card", [CH_P2P] = "p2p", [CH_CHECK] = "check", [CH_CRYPTO] = "crypto",
	[CH_PREPAID] = "prepaid", [CH_REINVEST] = "reinvestment",
};

const char *fin_chan_name(int ch)
{
	return ch >= 0 && ch < CH_N ? chan_names[ch] : "other";
}

static uint8_t chan_of(const char *s, size_t n)
{
	int i;

	for (i = 1; i < CH_N; i++)
		if (strlen(chan_names[i]) == n && memcmp(chan_names[i], s, n) == 0)
			return (uint8_t)i;
	return CH_OTHER;
}

uint32_t fin_str(const struct fin_data *d, const char *s)
{
	return s ? strmap_find(&d->strs, s, strlen(s)) : 0;
}

const char *fin_strv(const struct fin_data *d, uint32_t id)
{
	return id ? strmap_key(&d->strs, id, NULL) : "";
}

const char *fin_acc_name(const struct fin_data *d, uint32_t acc)
{
	if (acc == FIN_NONE || acc >= d->nacc)
		return "(cash)";
	return fin_strv(d, d->acc_key[acc]);
}

void fin_fmt_span(char *out, size_t n, int64_t secs)
{
	if (secs < 0)
		secs = -secs;
	if (secs < 3600)
		snprintf(out, n, "%lld min", (long long)(secs + 59) / 60);
	else if (secs < 3 * 86400)
		snprintf(out, n, "%lld h", (long long)(secs + 3599) / 3600);
	else
		snprintf(out, n, "%lld days", (long long)(secs + 86399) / 86400);
}

void fin_data_release(struct fin_data *d)
{
	void *cols[] = { d->id, d->ts, d->src, d->dst, d->amt, d->usd, d->cur, d->chan, d->cat,
			 d->city, d->region, d->country, d->place, d->memo, d->acc_entity, d->acc_label,
			 d->acc_key, d->k_customer, d->k_name, d->k_occupation, d->k_btype, d->k_city,
			 d->k_region, d->k_country, d->k_phone, d->k_email, d->k_address, d->k_ctype,
			 d->k_record, d->out_off, d->out_tx, d->in_off, d->in_tx, d->in_cp, d->out_cp, d->sweep_to };
	size_t i;

	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		mem_free(cols[i]);
	sbuf_release(&d->memos);
	strmap_release(&d->strs);
	memset(d, 0, sizeof *d);
}

/*
 * The detectors read the columns of neighbours' transactions at random:
 * at millions of transactions every such read misses the TLB with 4 KiB
 * pages.  Asking for transparent huge pages (the kernel's madvise mode) on
 * the 2 MiB-aligned inside of each big column, before it is first written,
 * cuts those misses; nothing else changes.  Best effort: a kernel that
 * declines leaves ordinary pages.
 */
#define HUGE_SZ ((uintptr_t)2 << 20)

static void advise_huge(void *p, size_t n)
{
	uintptr_t a = ((uintptr_t)p + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_SZ - 1);

	if (p && e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
}

/* Interns column `col` of the current row into m; `last` caches the previous
 * id so that runs of equal values (the common case) skip the hash. */
static uint32_t intern_col(struct strmap *m, sqlite3_stmt *st, int col, uint32_t *last, int *fail)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col), ln;
	const char *ls;
	uint32_t id;

	if (!s || !n)
		return 0;
	if (*last) {
		ls = strmap_key(m, *last, &ln);
		if (ln == n && memcmp(ls, s, n) == 0)
			return *last;
	}
	id = strmap_intern(m, s, n, NULL);
	if (!id)
		*fail = 1;
	*last = id;
	return id;
}

static uint32_t intern_buf(struct fin_data *d, const char *s, size_t n, int *fail)
{
	uint32_t id;

	if (!n)
		return 0;
	id = strmap_intern(&d->strs, s, n, NULL);
	if (!id)
		*fail = 1;
	return id;
}

/* Accounts: every entity of kind 'account', in entity id order. */
static int load_accounts(rastro_ws *ws, struct fin_data *d, uint32_t **map, int64_t *map_n)
{
	sqlite3_stmt *st;
	int64_t n, maxid;
	int rc, fail = 0;
	size_t i = 0;

	if (ws_query_i64(ws, "SELECT count(*) FROM entity WHERE kind = 'account'", 0, &n) ||
	    ws_query_i64(ws, "SELECT max(id) FROM entity", 0, &maxid))
		return ws->err.code;
	d->nacc = (size_t)n;
	d->acc_entity = mem_alloc((d->nacc + 1) * sizeof *d->acc_entity);
	d->acc_label = mem_calloc(d->nacc + 1, sizeof *d->acc_label);
	d->acc_key = mem_calloc(d->nacc + 1, sizeof *d->acc_key);
	*map_n = maxid + 1;
	*map = mem_alloc((size_t)(maxid + 1) * sizeof **map);
	if (!d->acc_entity || !d->acc_label || !d->acc_key || !*map)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading %lld accounts", (long long)n);
	memset(*map, 0xff, (size_t)(maxid + 1) * sizeof **map);
	if (ws_prepare(ws, "SELECT id, key, label FROM entity WHERE kind = 'account' ORDER BY id", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < d->nacc) {
		int64_t eid = sqlite3_column_int64(st, 0);
		uint32_t dummy = 0;

		d->acc_entity[i] = eid;
		d->acc_key[i] = intern_col(&d->strs, st, 1, &dummy, &fail);
		dummy = 0;
		d->acc_label[i] = intern_col(&d->strs, st, 2, &dummy, &fail);
		if (eid >= 0 && eid <= maxid)
			(*map)[eid] = (uint32_t)i;
		i++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ws_sqlerr(ws, "reading accounts");
	if (fail)
		return ws_error(ws, RASTRO_NOMEM, "out of memory interning account names");
	d->nacc = i;
	return 0;
}

/* KYC: the latest row per account wins (rows are read in record order). */
static int load_kyc(rastro_ws *ws, struct fin_data *d, const uint32_t *map, int64_t map_n)
{
	sqlite3_stmt *st;
	const char *region = cfg_str(ws->cfg, "finance.phone_region", "US");
	size_t n = d->nacc + 1;
	int rc, fail = 0;

	d->k_customer = mem_calloc(n, sizeof(uint32_t));
	d->k_name = mem_calloc(n, sizeof(uint32_t));
	d->k_occupation = mem_calloc(n, sizeof(uint32_t));
	d->k_btype = mem_calloc(n, sizeof(uint32_t));
	d->k_city = mem_calloc(n, sizeof(uint32_t));
	d->k_region = mem_calloc(n, sizeof(uint32_t));
	d->k_country = mem_calloc(n, sizeof(uint32_t));
	d->k_phone = mem_calloc(n, sizeof(uint32_t));
	d->k_email = mem_calloc(n, sizeof(uint32_t));
	d->k_address = mem_calloc(n, sizeof(uint32_t));
	d->k_ctype = mem_calloc(n, 1);
	d->k_record = mem_calloc(n, sizeof(int64_t));
	if (!d->k_customer || !d->k_name || !d->k_occupation || !d->k_btype || !d->k_city ||
	    !d->k_region || !d->k_country || !d->k_phone || !d->k_email || !d->k_address ||
	    !d->k_ctype || !d->k_record)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading KYC");
	if (ws_prepare(ws, "SELECT id, account, customer_id, name, lower(city), upper(region), upper(country),"
			   " phone, email, lower(address), lower(occupation), lower(customer_type),"
			   " lower(business_type) FROM kyc ORDER BY id", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t e = sqlite3_column_int64(st, 1);
		const char *s;
		size_t sn;
		uint32_t a, none = 0;
		char buf[EMAIL_MAX];

		if (sqlite3_column_type(st, 1) == SQLITE_NULL || e < 0 || e >= map_n || map[e] == FIN_NONE)
			continue;
		a = map[e];
		d->k_record[a] = sqlite3_column_int64(st, 0);
		d->k_customer[a] = intern_col(&d->strs, st, 2, &none, &fail);
		none = 0;
		d->k_name[a] = intern_col(&d->strs, st, 3, &none, &fail);
		none = 0;
		d->k_city[a] = intern_col(&d->strs, st, 4, &none, &fail);
		none = 0;
		d->k_region[a] = intern_col(&d->strs, st, 5, &none, &fail);
		none = 0;
		d->k_country[a] = intern_col(&d->strs, st, 6, &none, &fail);
		none = 0;
		d->k_address[a] = intern_col(&d->strs, st, 9, &none, &fail);
		none = 0;
		d->k_occupation[a] = intern_col(&d->strs, st, 10, &none, &fail);
		none = 0;
		d->k_btype[a] = intern_col(&d->strs, st, 12, &none, &fail);
		s = (const char *)sqlite3_column_text(st, 11);
		if (s && (strcmp(s, "business") == 0 || strcmp(s, "corporation") == 0 ||
			  strcmp(s, "partnership") == 0 || strcmp(s, "sole proprietorship") == 0 ||
			  strcmp(s, "company") == 0 || strcmp(s, "organization") == 0))
			d->k_ctype[a] = CT_BUSINESS;
		else if (s && (strcmp(s, "person") == 0 || strcmp(s, "individual") == 0))
			d->k_ctype[a] = CT_PERSON;
		/* Identifiers are compared in their normalised forms, the same
		 * ones the ads and resolution modules key their entities by. */
		s = (const char *)sqlite3_column_text(st, 7);
		sn = (size_t)sqlite3_column_bytes(st, 7);
		d->k_phone[a] = 0;
		if (s && sn) {
			struct phone ph;

			if (phone_parse(s, sn, region, &ph) == 0 && ph.kind != PHONE_INVALID)
				d->k_phone[a] = intern_buf(d, ph.e164, strlen(ph.e164), &fail);
		}
		s = (const char *)sqlite3_column_text(st, 8);
		sn = (size_t)sqlite3_column_bytes(st, 8);
		d->k_email[a] = 0;
		if (s && sn && email_normalize(s, sn, buf) == 0)
			d->k_email[a] = intern_buf(d, buf, strlen(buf), &fail);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading KYC rows");
	if (fail)
		return ws_error(ws, RASTRO_NOMEM, "out of memory interning KYC values");
	return 0;
}

/* Stable LSD radix sort of n keys (16-bit digits); writes the permutation. */
static int radix_perm(const uint64_t *key, size_t n, uint32_t *perm)
{
	uint32_t *tmp = mem_alloc(n * sizeof *tmp);
	size_t *count = mem_alloc(65537 * sizeof *count);
	uint64_t maxk = 0;
	size_t i;
	int shift;

	if (!tmp || !count) {
		mem_free(tmp);
		mem_free(count);
		return -1;
	}
	for (i = 0; i < n; i++) {
		perm[i] = (uint32_t)i;
		if (key[i] > maxk)
			maxk = key[i];
	}
	for (shift = 0; shift < 64 && (maxk >> shift); shift += 16) {
		uint32_t *t;

		memset(count, 0, 65537 * sizeof *count);
		for (i = 0; i < n; i++)
			count[((key[perm[i]] >> shift) & 0xffff) + 1]++;
		for (i = 1; i <= 65536; i++)
			count[i] += count[i - 1];
		for (i = 0; i < n; i++)
			tmp[count[(key[perm[i]] >> shift) & 0xffff]++] = perm[i];
		t = perm;
		memcpy(t, tmp, n * sizeof *t);
	}
	mem_free(tmp);
	mem_free(count);
	return 0;
}

/* `type` is a type name and cannot be parenthesised (hence the NOLINT) */
#define PERMUTE(arr, type, perm, n, scratch)                                   \
	do {                                                                   \
		type *s_ = (type *)(scratch); /* NOLINT(bugprone-macro-parentheses) */ \
		size_t k_;                                                     \
		for (k_ = 0; k_ < (n); k_++)                                   \
			s_[k_] = (arr)[(perm)[k_]];                            \
		memcpy((arr), s_, (n) * sizeof(type));                         \
	} while (0)

static int sort_by_time(struct fin_data *d)
{
	size_t n = d->ntx, i;
	uint64_t *key;
	uint32_t *perm;
	void *scratch;
	int sorted = 1;

	for (i = 1; i < n; i++)
		if (d->ts[i] < d->ts[i - 1]) {
			sorted = 0;
			d->n_reordered++;
		}
	if (sorted)
		return 0;
	key = mem_alloc(n * sizeof *key);
	perm = mem_alloc(n * sizeof *perm);
	scratch = mem_alloc(n * 8);
	if (!key || !perm || !scratch || 0) {
		mem_free(key);
		mem_free(perm);
		mem_free(scratch);
		return -1;
	}
	for (i = 0; i < n; i++)
		key[i] = (uint64_t)(d->ts[i] - d->tmin);
	/* Rows were read in record-id order, so a stable sort by time alone
	 * gives (time, id) order. */
	if (radix_perm(key, n, perm)) {
		mem_free(key);
		mem_free(perm);
		mem_free(scratch);
		return -1;
	}
	mem_free(key);
	PERMUTE(d->id, int64_t, perm, n, scratch);
	PERMUTE(d->ts, int64_t, perm, n, scratch);
	PERMUTE(d->src, uint32_t, perm, n, scratch);
	PERMUTE(d->dst, uint32_t, perm, n, scratch);
	PERMUTE(d->amt, double, perm, n, scratch);
	PERMUTE(d->cur, uint32_t, perm, n, scratch);
	PERMUTE(d->chan, uint8_t, perm, n, scratch);
	PERMUTE(d->cat, uint32_t, perm, n, scratch);
	PERMUTE(d->city, uint32_t, perm, n, scratch);
	PERMUTE(d->region, uint32_t, perm, n, scratch);
	PERMUTE(d->country, uint32_t, perm, n, scratch);
	PERMUTE(d->place, uint32_t, perm, n, scratch);
	PERMUTE(d->memo, uint64_t, perm, n, scratch);
	mem_free(perm);
	mem_free(scratch);
	return 0;
}

/* CSR by one endpoint column, keeping time order (counting sort). */
static int build_csr(size_t nacc, size_t ntx, const uint32_t *end, uint32_t **off_out,
		     uint32_t **tx_out)
{
	uint32_t *off = mem_calloc(nacc + 2, sizeof *off);
	uint32_t *tx;
	size_t i, m = 0;

	if (!off)
		return -1;
	advise_huge(off, (nacc + 2) * sizeof *off);
	for (i = 0; i < ntx; i++)
		if (end[i] != FIN_NONE) {
			off[end[i] + 2]++;
			m++;
		}
	tx = mem_alloc((m + 1) * sizeof *tx);
	if (!tx) {
		mem_free(off);
		return -1;
	}
	advise_huge(tx, (m + 1) * sizeof *tx);
	for (i = 2; i < nacc + 2; i++)
		off[i] += off[i - 1];
	for (i = 0; i < ntx; i++)
		if (end[i] != FIN_NONE)
			tx[off[end[i] + 1]++] = (uint32_t)i;
	*off_out = off;
	*tx_out = tx;
	return 0;
}

/* Distinct payers and payees of every account (transfers only).  Payees
 * that are receiving hubs (merchants, utilities) are not counted on the
 * paying side: a person buying at fifty shops by card is not a hub payer
 * (an employer or payment processor is: it pays fifty ordinary accounts). */
static int count_counterparties(struct fin_data *d)
{
	uint32_t *mark = mem_alloc((d->nacc + 1) * sizeof *mark);
	size_t a, k;

	d->in_cp = mem_calloc(d->nacc + 1, sizeof *d->in_cp);
	d->out_cp = mem_calloc(d->nacc + 1, sizeof *d->out_cp);
	if (!mark || !d->in_cp || !d->out_cp) {
		mem_free(mark);
		return -1;
	}
	advise_huge(d->in_cp, (d->nacc + 1) * sizeof *d->in_cp);
	advise_huge(d->out_cp, (d->nacc + 1) * sizeof *d->out_cp);
	memset(mark, 0xff, (d->nacc + 1) * sizeof *mark);
	for (a = 0; a < d->nacc; a++)
		for (k = d->in_off[a]; k < d->in_off[a + 1]; k++) {
			uint32_t t = d->in_tx[k];

			if (fin_is_transfer(d, t) && mark[d->src[t]] != a) {
				mark[d->src[t]] = (uint32_t)a;
				d->in_cp[a]++;
			}
		}
	memset(mark, 0xff, (d->nacc + 1) * sizeof *mark);
	for (a = 0; a < d->nacc; a++)
		for (k = d->out_off[a]; k < d->out_off[a + 1]; k++) {
			uint32_t t = d->out_tx[k];

			if (fin_is_transfer(d, t) && mark[d->dst[t]] != a) {
				mark[d->dst[t]] = (uint32_t)a;
				d->out_cp[a] += !fin_hub_in(d, d->dst[t]);
			}
		}
	mem_free(mark);
	return 0;
}

/* Timing of a sweep (FIN-2020-A008: pay "immediately withdrawn or moved").
 * Earnings are swept soon after they arrive and as often as they arrive;
 * rent or a loan is paid on its own monthly date whatever came in. */
struct sweep_timing_p {
	int64_t max_lag;        /* seconds from a credit to the payment that moves it */
	double min_quick_share; /* share of the payments to the collector that are that quick */
	double min_per_30_days; /* quick payments per 30 days of the account's activity */
};

static int sweep_timing(const struct fin_data *d, uint32_t a, uint32_t to, const struct sweep_timing_p *p)
{
	size_t k, j = d->in_off[a];
	int64_t last_in = INT64_MIN, first = 0, last = 0;
	uint32_t n = 0, quick = 0;

	for (k = d->out_off[a]; k < d->out_off[a + 1]; k++) {
		uint32_t t = d->out_tx[k];

		if (d->dst[t] != to || !fin_is_transfer(d, t))
			continue;
		/* the newest credit from someone else at or before this payment */
		for (; j < d->in_off[a + 1] && d->ts[d->in_tx[j]] <= d->ts[t]; j++)
			if (d->src[d->in_tx[j]] != a)
				last_in = d->ts[d->in_tx[j]];
		if (!n)
			first = d->ts[t];
		last = d->ts[t];
		n++;
		if (last_in != INT64_MIN && d->ts[t] - last_in <= p->max_lag)
			quick++;
	}
	if (!n || quick < p->min_quick_share * n)
		return 0;
	/* the span of the payments, at least 30 days: a short burst counts
	 * against a month */
	double days = (double)(last - first) / 86400.0;

	if (days < 30)
		days = 30;
	return quick >= p->min_per_30_days * days / 30.0;
}

/*
 * Swept earners (see fin.h).  For each account: what it received from
 * others (dollars, from how many payers) and the one account it paid most;
 * a candidate when that account got at least min_share of the inflow.  A
 * collector with min_accounts candidates makes them swept earners.
 */
static int find_sweeps(struct fin_data *d, const struct cfg *cfg)
{
	double share = cfg_double(cfg, "finance.earnings_sweep.min_share", 0.6);
	uint32_t min_payers = (uint32_t)cfg_int(cfg, "finance.earnings_sweep.min_payers", 3);
	uint32_t min_accounts = (uint32_t)cfg_int(cfg, "finance.earnings_sweep.min_accounts", 3);
	struct sweep_timing_p tm = {
		(int64_t)(cfg_double(cfg, "finance.earnings_sweep.max_lag_hours", 48) * 3600),
		cfg_double(cfg, "finance.earnings_sweep.min_quick_share", 0.5),
		cfg_double(cfg, "finance.earnings_sweep.min_per_30_days", 2),
	};
	uint32_t *cand = mem_alloc((d->nacc + 1) * sizeof *cand);
	uint32_t *ncand = mem_calloc(d->nacc + 1, sizeof *ncand);
	double *sum = mem_calloc(d->nacc + 1, sizeof *sum);
	size_t a, k;

	d->sweep_to = mem_alloc((d->nacc + 1) * sizeof *d->sweep_to);
	if (!cand || !ncand || !sum || !d->sweep_to) {
		mem_free(cand);
		mem_free(ncand);
		mem_free(sum);
		return -1;
	}
	for (a = 0; a < d->nacc; a++) {
		double in = 0, best = 0;
		uint32_t best_to = FIN_NONE;

		cand[a] = FIN_NONE;
		d->sweep_to[a] = FIN_NONE;
		if (d->in_cp[a] < min_payers || fin_hub_in(d, (uint32_t)a))
			continue;
		for (k = d->in_off[a]; k < d->in_off[a + 1]; k++) {
			uint32_t t = d->in_tx[k];

			if (d->src[t] != a && !isnan(d->usd[t]))
				in += d->usd[t];
		}
		if (in <= 0)
			continue;
		for (k = d->out_off[a]; k < d->out_off[a + 1]; k++) {
			uint32_t t = d->out_tx[k];

			if (fin_is_transfer(d, t) && !isnan(d->usd[t]))
				sum[d->dst[t]] += d->usd[t];
		}
		for (k = d->out_off[a]; k < d->out_off[a + 1]; k++) {
			uint32_t t = d->out_tx[k], r = d->dst[t];

			if (r == FIN_NONE)
				continue;
			double v = sum[r];

			if (v > best || (v == best && r < best_to)) {
				best = v;
				best_to = r;
			}
		}
		for (k = d->out_off[a]; k < d->out_off[a + 1]; k++)
			if (d->dst[d->out_tx[k]] != FIN_NONE)
				sum[d->dst[d->out_tx[k]]] = 0;
		if (best_to != FIN_NONE && best >= share * in && !fin_hub_in(d, best_to) &&
		    sweep_timing(d, (uint32_t)a, best_to, &tm)) {
			cand[a] = best_to;
			ncand[best_to]++;
		}
	}
	for (a = 0; a < d->nacc; a++)
		if (cand[a] != FIN_NONE && ncand[cand[a]] >= min_accounts)
			d->sweep_to[a] = cand[a];
	mem_free(cand);
	mem_free(ncand);
	mem_free(sum);
	return 0;
}

/*
 * Loading in parts.  The transactions are read in FIN_LOAD_PARTS ranges of
 * record ids, each by its own read-only connection (the workspace is in WAL
 * mode, so readers run side by side) into its own columns with its own
 * string table; the parts are then joined in id order and their string ids
 * mapped into one table, part after part.  The number of parts is fixed, so
 * the string ids — and everything ordered by them — do not depend on how
 * many threads did the reading.
 */
#define FIN_LOAD_PARTS 4

struct part {
	int64_t lo, hi;             /* record id range, inclusive */
	size_t n, cap;
	int64_t *id, *ts;
	uint32_t *src, *dst, *cur, *cat, *city, *region, *country, *place;
	double *amt;
	uint8_t *chan;
	uint64_t *memo;
	struct sbuf memos;
	struct strmap strs;
	int64_t tmin, tmax;
	uint64_t n_zero, n_self, n_no_place;
	int rc;
	char err[256];
};

struct load_job {
	const char *path;
	sqlite3 *shared;            /* when set, every part is read through it, one after another */
	const uint32_t *map;
	int64_t map_n;
	struct part *parts;
	size_t next;
};

static void part_release(struct part *p)
{
	void *cols[] = { p->id, p->ts, p->src, p->dst, p->cur, p->cat, p->city, p->region, p->country,
			 p->place, p->amt, p->chan, p->memo };
	size_t i;

	int64_t lo = p->lo, hi = p->hi;

	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		mem_free(cols[i]);
	sbuf_release(&p->memos);
	strmap_release(&p->strs);
	/* empty and ready again: a part may be released twice (joined, then
	 * the load fails) or read again by the one-connection fallback */
	memset(p, 0, sizeof *p);
	p->lo = lo;
	p->hi = hi;
	strmap_init(&p->strs);
	sbuf_init(&p->memos);
}

static int part_alloc(struct part *p, size_t n)
{
	p->cap = n + 1;
	p->id = mem_alloc(p->cap * sizeof *p->id);
	p->ts = mem_alloc(p->cap * sizeof *p->ts);
	p->src = mem_alloc(p->cap * sizeof *p->src);
	p->dst = mem_alloc(p->cap * sizeof *p->dst);
	p->cur = mem_alloc(p->cap * sizeof *p->cur);
	p->cat = mem_alloc(p->cap * sizeof *p->cat);
	p->city = mem_alloc(p->cap * sizeof *p->city);
	p->region = mem_alloc(p->cap * sizeof *p->region);
	p->country = mem_alloc(p->cap * sizeof *p->country);
	p->place = mem_alloc(p->cap * sizeof *p->place);
	p->amt = mem_alloc(p->cap * sizeof *p->amt);
	p->chan = mem_alloc(p->cap);
	p->memo = mem_alloc(p->cap * sizeof *p->memo);
	return p->id && p->ts && p->src && p->dst && p->cur && p->cat && p->city && p->region && p->country &&
	       p->place && p->amt && p->chan && p->memo ? 0 : -1;
}

/* Reads one range of transactions into its part. */
static void load_part(const struct load_job *job, struct part *p)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint32_t last_cur = 0, last_cat = 0, last_city = 0, last_region = 0, last_country = 0, last_place = 0;
	struct sbuf pl = SBUF_INIT;
	int64_t cnt = 0;
	int rc, fail = 0;

	sbuf_init(&pl);
	p->tmin = INT64_MAX;
	p->tmax = INT64_MIN;
	if (job->shared) {
		db = job->shared;
	} else {
		if (sqlite3_open_v2(job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
			goto sqlfail;
		sqlite3_busy_timeout(db, 10000);
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM txn WHERE id BETWEEN ?1 AND ?2", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, p->lo);
	sqlite3_bind_int64(st, 2, p->hi);
	if (sqlite3_step(st) == SQLITE_ROW)
		cnt = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (part_alloc(p, (size_t)cnt)) {
		p->rc = RASTRO_NOMEM;
		snprintf(p->err, sizeof p->err, "out of memory loading %lld transactions", (long long)cnt);
		goto out;
	}
	/* Labels are deliberately not selected: detectors must not see them. */
	if (sqlite3_prepare_v2(db, "SELECT id, ts, src, dst, amount, currency, channel, category, city,"
				   " upper(region), upper(country), memo FROM txn WHERE id BETWEEN ?1 AND ?2",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, p->lo);
	sqlite3_bind_int64(st, 2, p->hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && p->n < (size_t)cnt) {
		size_t i = p->n;
		int64_t s = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
		int64_t t = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
		const char *ch = (const char *)sqlite3_column_text(st, 6);
		const char *memo = (const char *)sqlite3_column_text(st, 11);

		p->id[i] = sqlite3_column_int64(st, 0);
		p->ts[i] = sqlite3_column_int64(st, 1);
		if (p->ts[i] < p->tmin)
			p->tmin = p->ts[i];
		if (p->ts[i] > p->tmax)
			p->tmax = p->ts[i];
		p->src[i] = s >= 0 && s < job->map_n ? job->map[s] : FIN_NONE;
		p->dst[i] = t >= 0 && t < job->map_n ? job->map[t] : FIN_NONE;
		p->amt[i] = sqlite3_column_double(st, 4);
		if (!(p->amt[i] >= 0))  /* NaN or negative: not a usable amount */
			p->amt[i] = 0;
		if (p->amt[i] == 0)
			p->n_zero++;
		if (p->src[i] != FIN_NONE && p->src[i] == p->dst[i])
			p->n_self++;
		p->cur[i] = intern_col(&p->strs, st, 5, &last_cur, &fail);
		p->chan[i] = ch ? chan_of(ch, (size_t)sqlite3_column_bytes(st, 6)) : CH_OTHER;
		p->cat[i] = intern_col(&p->strs, st, 7, &last_cat, &fail);
		p->city[i] = intern_col(&p->strs, st, 8, &last_city, &fail);
		p->region[i] = intern_col(&p->strs, st, 9, &last_region, &fail);
		p->country[i] = intern_col(&p->strs, st, 10, &last_country, &fail);
		if (p->city[i] || p->region[i] || p->country[i]) {
			size_t kn;
			const char *k = last_place ? strmap_key(&p->strs, last_place, &kn) : NULL;

			sbuf_clear(&pl);
			sbuf_addf(&pl, "%s|%s|%s", p->city[i] ? strmap_key(&p->strs, p->city[i], NULL) : "",
				  p->region[i] ? strmap_key(&p->strs, p->region[i], NULL) : "",
				  p->country[i] ? strmap_key(&p->strs, p->country[i], NULL) : "");
			if (k && kn == pl.len && memcmp(k, pl.buf, kn) == 0) {
				p->place[i] = last_place;
			} else {
				p->place[i] = last_place = strmap_intern(&p->strs, pl.buf, pl.len, NULL);
				if (!last_place)
					fail = 1;
			}
		} else {
			p->place[i] = 0;
			p->n_no_place++;
		}
		if (memo && *memo) {
			p->memo[i] = p->memos.len + 1;
			sbuf_add(&p->memos, memo, (size_t)sqlite3_column_bytes(st, 11) + 1);
		} else {
			p->memo[i] = 0;
		}
		p->n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto sqlfail;
	if (fail || sbuf_failed(&p->memos) || sbuf_failed(&pl)) {
		p->rc = RASTRO_NOMEM;
		snprintf(p->err, sizeof p->err, "out of memory interning transaction values");
	}
	goto out;
sqlfail:
	p->rc = ws_code_from_sqlite(sqlite3_errcode(db));
	if (!p->rc)
		p->rc = RASTRO_ERROR;
	snprintf(p->err, sizeof p->err, "reading transactions: %s", db ? sqlite3_errmsg(db) : "cannot open");
out:
	sqlite3_finalize(st);
	if (!job->shared)
		sqlite3_close(db);
	sbuf_release(&pl);
}

static void *load_worker(void *arg)
{
	struct load_job *job = arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);

		if (k >= FIN_LOAD_PARTS)
			break;
		load_part(job, &job->parts[k]);
	}
	return NULL;
}

/* Joins the parts into d, in id order, mapping their string ids. */
static int join_parts(struct fin_data *d, struct part *parts)
{
	size_t k, i, at = 0, total = 0;
	uint32_t *remap = NULL;

	for (k = 0; k < FIN_LOAD_PARTS; k++)
		total += parts[k].n;
	d->ntx = total;
	d->id = mem_alloc((total + 1) * sizeof *d->id);
	d->ts = mem_alloc((total + 1) * sizeof *d->ts);
	d->src = mem_alloc((total + 1) * sizeof *d->src);
	d->dst = mem_alloc((total + 1) * sizeof *d->dst);
	d->amt = mem_alloc((total + 1) * sizeof *d->amt);
	d->usd = mem_alloc((total + 1) * sizeof *d->usd);
	d->cur = mem_alloc((total + 1) * sizeof *d->cur);
	d->chan = mem_alloc(total + 1);
	d->cat = mem_alloc((total + 1) * sizeof *d->cat);
	d->city = mem_alloc((total + 1) * sizeof *d->city);
	d->region = mem_alloc((total + 1) * sizeof *d->region);
	d->country = mem_alloc((total + 1) * sizeof *d->country);
	d->place = mem_alloc((total + 1) * sizeof *d->place);
	d->memo = mem_alloc((total + 1) * sizeof *d->memo);
	if (!d->id || !d->ts || !d->src || !d->dst || !d->amt || !d->usd || !d->cur || !d->chan ||
	    !d->cat || !d->city || !d->region || !d->country || !d->place || !d->memo)
		return -1;
	advise_huge(d->id, (total + 1) * sizeof *d->id);
	advise_huge(d->ts, (total + 1) * sizeof *d->ts);
	advise_huge(d->src, (total + 1) * sizeof *d->src);
	advise_huge(d->dst, (total + 1) * sizeof *d->dst);
	advise_huge(d->amt, (total + 1) * sizeof *d->amt);
	advise_huge(d->usd, (total + 1) * sizeof *d->usd);
	advise_huge(d->cat, (total + 1) * sizeof *d->cat);
	advise_huge(d->place, (total + 1) * sizeof *d->place);
	d->tmin = INT64_MAX;
	d->tmax = INT64_MIN;
	for (k = 0; k < FIN_LOAD_PARTS; k++) {
		struct part *p = &parts[k];
		size_t ns = strmap_count(&p->strs), base = d->memos.len;

		remap = mem_alloc((ns + 1) * sizeof *remap);
		if (!remap)
			return -1;
		remap[0] = 0;
		for (i = 1; i <= ns; i++) {
			size_t kn;
			const char *key = strmap_key(&p->strs, (uint32_t)i, &kn);

			remap[i] = strmap_intern(&d->strs, key, kn, NULL);
			if (!remap[i]) {
				mem_free(remap);
				return -1;
			}
		}
		if (p->n) {
			memcpy(d->id + at, p->id, p->n * sizeof *d->id);
			memcpy(d->ts + at, p->ts, p->n * sizeof *d->ts);
			memcpy(d->src + at, p->src, p->n * sizeof *d->src);
			memcpy(d->dst + at, p->dst, p->n * sizeof *d->dst);
			memcpy(d->amt + at, p->amt, p->n * sizeof *d->amt);
			memcpy(d->chan + at, p->chan, p->n);
		}
		for (i = 0; i < p->n; i++) {
			d->cur[at + i] = remap[p->cur[i]];
			d->cat[at + i] = remap[p->cat[i]];
			d->city[at + i] = remap[p->city[i]];
			d->region[at + i] = remap[p->region[i]];
			d->country[at + i] = remap[p->country[i]];
			d->place[at + i] = remap[p->place[i]];
			d->memo[at + i] = p->memo[i] ? p->memo[i] + base : 0;
		}
		mem_free(remap);
		remap = NULL;
		sbuf_add(&d->memos, p->memos.buf, p->memos.len);
		if (sbuf_failed(&d->memos))
			return -1;
		if (p->n && p->tmin < d->tmin)
			d->tmin = p->tmin;
		if (p->n && p->tmax > d->tmax)
			d->tmax = p->tmax;
		d->n_zero += p->n_zero;
		d->n_self += p->n_self;
		d->n_no_place += p->n_no_place;
		at += p->n;
		part_release(p);
	}
	if (!d->ntx)
		d->tmin = d->tmax = 0;
	return 0;
}

int fin_data_load(rastro_ws *ws, struct fin_data *d, const struct fin_lists *lists, int threads)
{
	uint32_t *map = NULL;
	int64_t map_n = 0, n, idmin, idmax;
	size_t i, ncur, k;
	double *rate = NULL;
	struct part parts[FIN_LOAD_PARTS];
	struct load_job job;
	pthread_t th[FIN_LOAD_PARTS];
	int nth = 0;

	memset(d, 0, sizeof *d);
	memset(parts, 0, sizeof parts);
	for (k = 0; k < FIN_LOAD_PARTS; k++) {
		strmap_init(&parts[k].strs);
		sbuf_init(&parts[k].memos);
	}
	strmap_init(&d->strs);
	sbuf_init(&d->memos);
	if (load_accounts(ws, d, &map, &map_n) || load_kyc(ws, d, map, map_n))
		goto fail;
	if (ws_query_i64(ws, "SELECT count(*) FROM txn", 0, &n) ||
	    ws_query_i64(ws, "SELECT coalesce(min(id), 0) FROM txn", 0, &idmin) ||
	    ws_query_i64(ws, "SELECT coalesce(max(id), -1) FROM txn", 0, &idmax))
		goto fail;
	if (n >= (int64_t)UINT32_MAX) {
		ws_error(ws, RASTRO_LIMIT, "%lld transactions: more than this version handles in one run (%u)",
			 (long long)n, UINT32_MAX - 1);
		goto fail;
	}
	/* equal id ranges; the last part takes the remainder */
	for (k = 0; k < FIN_LOAD_PARTS; k++) {
		int64_t span = idmax - idmin + 1, step = span > 0 ? (span + FIN_LOAD_PARTS - 1) / FIN_LOAD_PARTS : 0;

		parts[k].lo = idmin + (int64_t)k * step;
		parts[k].hi = k + 1 == FIN_LOAD_PARTS ? idmax : idmin + (int64_t)(k + 1) * step - 1;
	}
	job.path = ws->path;
	job.map = map;
	job.map_n = map_n;
	job.parts = parts;
	job.next = 0;
	/* Side-by-side readers need a file others can open; an in-memory or
	 * read-only (immutable) workspace is read through its own connection. */
	job.shared = threads <= 1 || ws->readonly || !ws->path || !*ws->path || strcmp(ws->path, ":memory:") == 0 ||
				     strncmp(ws->path, "file:", 5) == 0
			     ? ws->db
			     : NULL;
	ws_progress(ws, "load", 0, (uint64_t)n);
	for (k = 0; !job.shared && k < (size_t)threads && k < FIN_LOAD_PARTS; k++) {
		if (pthread_create(&th[k], NULL, load_worker, &job) != 0)
			break;
		nth++;
	}
	if (!nth)
		load_worker(&job);
	for (k = 0; k < (size_t)nth; k++)
		pthread_join(th[k], NULL);
	for (k = 0; !job.shared && k < FIN_LOAD_PARTS; k++)
		if (parts[k].rc && parts[k].rc != RASTRO_NOMEM)
			break;
	if (!job.shared && k < FIN_LOAD_PARTS) {
		/* a reader could not open or read the file (locks, permissions):
		 * read again, one part after another, through the workspace's
		 * own connection; a real fault shows up there too */
		for (k = 0; k < FIN_LOAD_PARTS; k++)
			part_release(&parts[k]);
		job.shared = ws->db;
		job.next = 0;
		load_worker(&job);
	}
	for (k = 0; k < FIN_LOAD_PARTS; k++)
		if (parts[k].rc) {
			ws_error(ws, parts[k].rc, "%s", parts[k].err);
			goto fail;
		}
	if (join_parts(d, parts)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory loading %lld transactions", (long long)n);
		goto fail;
	}
	ws_progress(ws, "load", (uint64_t)d->ntx, (uint64_t)n);
	if (sort_by_time(d) ||
	    build_csr(d->nacc, d->ntx, d->src, &d->out_off, &d->out_tx) ||
	    build_csr(d->nacc, d->ntx, d->dst, &d->in_off, &d->in_tx)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory sorting %zu transactions", d->ntx);
		goto fail;
	}
	/* Dollar amounts: one rate lookup per distinct currency string. */
	ncur = strmap_count(&d->strs) + 1;
	rate = mem_alloc(ncur * sizeof *rate);
	if (!rate) {
		ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < ncur; i++)
		rate[i] = NAN;
	for (i = 0; i < d->ntx; i++) {
		uint32_t c = d->cur[i];

		if (c && isnan(rate[c])) {
			size_t kn;
			const char *ck = strmap_key(&d->strs, c, &kn);
			uint32_t li = lists ? strmap_find(&lists->currency, ck, kn) : 0;

			rate[c] = li ? lists->usd_per_unit[li] : -1;
		}
		d->usd[i] = c && rate[c] > 0 ? d->amt[i] * rate[c] : NAN;
		if (isnan(d->usd[i]))
			d->n_unknown_currency++;
	}
	mem_free(rate);
	rate = NULL; /* the failure path below frees it too */
	/* before the count: payees that are receiving hubs are left out of it */
	d->hub_degree = (uint32_t)cfg_int(ws->cfg, "finance.hub_degree", 50);
	if (count_counterparties(d)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory counting counterparties");
		goto fail;
	}
	if (find_sweeps(d, ws->cfg)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory finding swept earnings");
		goto fail;
	}
	mem_free(map);
	return 0;
fail:
	for (k = 0; k < FIN_LOAD_PARTS; k++)
		part_release(&parts[k]);
	mem_free(map);
	mem_free(rate);
	fin_data_release(d);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}
