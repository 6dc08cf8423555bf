/*
 * fmt_txn: transaction formats — rastro's generic CSV, IBM AMLworld's
 * *_Trans.csv and AMLSim's transactions.csv.  All three end up as rows of
 * the txn table with accounts interned as entities.  Ground-truth columns
 * (Is Laundering, is_sar, alert_id) are kept in txn.label / label_group for
 * `rastro eval` and are never read by detectors.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/parse.h"
#include "rastro.h"

/* ---- shared value normalisation ---- */

struct name_map {
	const char *from;
	const char *to;
};

/* IBM AMLworld spells currencies out; everything else uses ISO 4217. */
static const struct name_map currency_names[] = {
	{ "us dollar", "USD" }, { "euro", "EUR" }, { "yuan", "CNY" }, { "yen", "JPY" },
	{ "uk pound", "GBP" }, { "rupee", "INR" }, { "ruble", "RUB" }, { "canadian dollar", "CAD" },
	{ "australian dollar", "AUD" }, { "swiss franc", "CHF" }, { "mexican peso", "MXN" },
	{ "brazil real", "BRL" }, { "shekel", "ILS" }, { "saudi riyal", "SAR" }, { "bitcoin", "BTC" },
	{ "dollar", "USD" }, { "peso", "MXN" }, { "quetzal", "GTQ" }, { "lempira", "HNL" },
	{ "colon", "SVC" },
};

/* ISO code of a currency name or code: the canonical string when known,
 * else the original upper-cased (3 letters) or as written, in buf. */
static const char *norm_currency(const char *s, size_t n, char *buf, size_t bufn)
{
	size_t i;

	for (i = 0; i < sizeof currency_names / sizeof currency_names[0]; i++)
		if (strlen(currency_names[i].from) == n && strncasecmp(currency_names[i].from, s, n) == 0)
			return currency_names[i].to;
	if (n >= bufn)
		n = bufn - 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)(n == 3 && s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[n] = '\0';
	return buf;
}

static const struct name_map channel_names[] = {
	{ "cash", "cash" }, { "cash deposit", "cash" }, { "cash withdrawal", "cash" }, { "atm", "cash" },
	{ "deposit", "cash" }, { "withdrawal", "cash" }, { "cash-in", "cash" }, { "cash-out", "cash" },
	{ "wire", "wire" }, { "wire transfer", "wire" }, { "swift", "wire" }, { "remittance", "wire" },
	{ "money transfer", "wire" }, { "transfer", "wire" },
	{ "ach", "ach" }, { "direct deposit", "ach" }, { "payroll", "ach" }, { "credit", "ach" },
	{ "card", "card" }, { "credit card", "card" }, { "debit card", "card" }, { "pos", "card" },
	{ "p2p", "p2p" }, { "zelle", "p2p" }, { "venmo", "p2p" }, { "cash app", "p2p" }, { "paypal", "p2p" },
	{ "check", "check" }, { "cheque", "check" },
	{ "crypto", "crypto" }, { "bitcoin", "crypto" }, { "cryptocurrency", "crypto" },
	{ "reinvestment", "reinvestment" },
	{ "prepaid", "prepaid" }, { "prepaid card", "prepaid" }, { "prepaid load", "prepaid" },
	{ "other", "other" },
};

/* Canonical channel name, or the original lower-cased in buf. */
static const char *norm_channel(const char *s, size_t n, char *buf, size_t bufn)
{
	size_t i;

	if (!n)
		return "other";
	for (i = 0; i < sizeof channel_names / sizeof channel_names[0]; i++)
		if (strlen(channel_names[i].from) == n && strncasecmp(channel_names[i].from, s, n) == 0)
			return channel_names[i].to;
	if (n >= bufn)
		n = bufn - 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	buf[n] = '\0';
	return buf;
}

/* Files repeat a few currency and channel spellings on every row (IBM's
 * files use 15 currencies, in any order); a small direct-mapped memo of
 * spellings skips the table scan and its string compares. */
#define MEMO_SLOTS 32

struct code_memo_slot {
	char in[32];
	size_t n;
	const char *out;          /* NULL = empty slot */
	size_t outn;
	char buf[40];             /* out when the code is the spelling itself */
};

struct code_memo {
	struct code_memo_slot slot[MEMO_SLOTS];
};

/* A looked-up code and whether it must be copied (it lives in a memo
 * buffer that a later lookup may overwrite). */
struct code {
	const char *s;
	size_t n;
	int copy;
};

/* Per thread, so concurrent loads in one process never share a memo. */
static _Thread_local struct code_memo memo_cur, memo_cur2, memo_chan;

static struct code memo_lookup(struct code_memo *m, const char *s, size_t n,
			       const char *(*norm)(const char *, size_t, char *, size_t))
{
	size_t h = n ? (n * 31u + (unsigned char)s[0] * 7u + (unsigned char)s[n - 1]) % MEMO_SLOTS : 0;
	struct code_memo_slot *e = &m->slot[h];
	struct code c;

	if (!(e->out && n == e->n && memcmp(e->in, s, n) == 0)) {
		e->out = norm(s, n, e->buf, sizeof e->buf);
		e->outn = strlen(e->out);
		if (n < sizeof e->in) {
			memcpy(e->in, s, n);
			e->n = n;
		} else {
			e->n = SIZE_MAX; /* too long to remember; recomputed next time */
		}
	}
	c.s = e->out;
	c.n = e->outn;
	c.copy = e->out == e->buf;
	return c;
}

/* Stores a looked-up code: canonical codes are literals and are not copied;
 * a code spelled as in the file is copied into the batch. */
static void set_code(struct fmt_run *run, struct rec *r, int col, struct code c)
{
	if (c.copy)
		rec_set_text(run->ctx, r, col, c.s, c.n);
	else
		rec_set_static(r, col, c.s, c.n);
}

/* 1/0 for the label spellings found in benchmark files, -1 if unreadable. */
static int parse_label(const char *s, size_t n)
{
	if (n == 1 && (s[0] == '1' || s[0] == '0'))
		return s[0] == '1';
	if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 3 && strncasecmp(s, "yes", 3) == 0))
		return 1;
	if ((n == 5 && strncasecmp(s, "false", 5) == 0) || (n == 2 && strncasecmp(s, "no", 2) == 0))
		return 0;
	return -1;
}

/* Validates an amount: a plain non-negative number. */
static const char *check_amount(const char *s, size_t n, double *out)
{
	const char *why;

	if (!n)
		return "amount is missing";
	why = parse_double(s, n, out);
	if (why)
		return why;
	if (*out < 0)
		return "negative amount (record refunds as a transfer the other way)";
	return NULL;
}

/* Bank ids are compared without leading zeros: IBM's pattern files pad
 * them and its transaction files do not. */
static void strip_zeros(const char **s, size_t *n)
{
	while (*n > 1 && **s == '0') {
		(*s)++;
		(*n)--;
	}
}

/* ---- generic ---- */

enum {
	G_ID, G_TS, G_FROM, G_FROM_BANK, G_FROM_NAME, G_TO, G_TO_BANK, G_TO_NAME, G_AMOUNT, G_CURRENCY,
	G_CHANNEL, G_CATEGORY, G_CITY, G_REGION, G_COUNTRY, G_MEMO, G_LABEL, G_LABEL_GROUP, G_N
};

static const struct fmt_colspec generic_cols[G_N] = {
	[G_ID] = { "txn_id", "txn_id|transaction_id|tran_id", 0 },
	[G_TS] = { "timestamp", "timestamp|datetime|date_time|ts", 1 },
	[G_FROM] = { "from_account", "from_account|from_acct|sender_account|payer_account", 1 },
	[G_FROM_BANK] = { "from_bank", "from_bank|sender_bank", 0 },
	[G_FROM_NAME] = { "from_name", "from_name|sender_name|payer_name", 0 },
	[G_TO] = { "to_account", "to_account|to_acct|receiver_account|payee_account", 1 },
	[G_TO_BANK] = { "to_bank", "to_bank|receiver_bank", 0 },
	[G_TO_NAME] = { "to_name", "to_name|receiver_name|payee_name|merchant", 0 },
	[G_AMOUNT] = { "amount", "amount|value", 1 },
	[G_CURRENCY] = { "currency", "currency|ccy", 0 },
	[G_CHANNEL] = { "channel", "channel|payment_type|payment_format|method", 0 },
	[G_CATEGORY] = { "category", "category|merchant_category|mcc|purpose", 0 },
	[G_CITY] = { "city", "city|location|branch_city", 0 },
	[G_REGION] = { "region", "region|state|province", 0 },
	[G_COUNTRY] = { "country", "country|country_code", 0 },
	[G_MEMO] = { "memo", "memo|description|reference|narrative|note", 0 },
	[G_LABEL] = { "label", "label|is_laundering|is_sar|is_illicit", 0 },
	[G_LABEL_GROUP] = { "label_group", "label_group|alert_id|pattern_id", 0 },
};

static int generic_sniff(const struct csv_row *h)
{
	return fmt_score_header(h, generic_cols, G_N);
}

static int generic_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
			struct rs_err *err)
{
	return fmt_bind_columns(run, h, generic_cols, G_N, mapping, "input", err);
}

static void generic_prefetch(struct fmt_run *run, const struct csv_row *row)
{
	const char *fb, *tb, *fa, *ta;
	size_t fbn, tbn, fan, tan;

	fb = fmt_field(run, row, G_FROM_BANK, &fbn);
	tb = fmt_field(run, row, G_TO_BANK, &tbn);
	fa = fmt_field(run, row, G_FROM, &fan);
	ta = fmt_field(run, row, G_TO, &tan);
	if (fan)
		fctx_prefetch_account(run->ctx, fb, fbn, fa, fan);
	if (tan)
		fctx_prefetch_account(run->ctx, tb, tbn, ta, tan);
}

static int generic_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[G_N];
	size_t n[G_N];
	int64_t ts;
	double amount;
	const char *why;
	struct code cur, chan;
	int label = -1, i;
	struct rec *r;
	int64_t src = 0, dst = 0;

	for (i = 0; i < G_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	why = parse_timestamp(s[G_TS], n[G_TS], &ts);
	if (why)
		return fmt_reject(run, row, generic_cols, G_TS, bad, why);
	why = check_amount(s[G_AMOUNT], n[G_AMOUNT], &amount);
	if (why)
		return fmt_reject(run, row, generic_cols, G_AMOUNT, bad, why);
	if (!n[G_FROM] && !n[G_TO])
		return fmt_reject(run, row, generic_cols, G_FROM, bad,
				  "neither from_account nor to_account is given");
	if (n[G_LABEL]) {
		label = parse_label(s[G_LABEL], n[G_LABEL]);
		if (label < 0)
			return fmt_reject(run, row, generic_cols, G_LABEL, bad, "label is not 0/1/true/false");
	}
	if (n[G_ID]) {
		uint64_t first;

		if (fctx_seen_id(run->ctx, s[G_ID], n[G_ID], row->line, &first)) {
			char reason[96];

			snprintf(reason, sizeof reason, "duplicate transaction id (first seen at line %llu)",
				 (unsigned long long)first);
			return fmt_reject(run, row, generic_cols, G_ID, bad, reason);
		}
	}
	if (n[G_CURRENCY])
		cur = memo_lookup(&memo_cur, s[G_CURRENCY], n[G_CURRENCY], norm_currency);
	else {
		cur.s = cfg_str(fctx_cfg(run->ctx), "ingest.default_currency", "USD");
		cur.n = strlen(cur.s);
		cur.copy = 1;
	}
	chan = memo_lookup(&memo_chan, s[G_CHANNEL], n[G_CHANNEL], norm_channel);

	r = fctx_rec(run->ctx, &rk_txn, row->line);
	if (!r)
		return -1;
	/* Names (holders, merchants) label the accounts they belong to. */
	if (n[G_FROM])
		src = fctx_account(run->ctx, s[G_FROM_BANK], n[G_FROM_BANK], s[G_FROM], n[G_FROM],
				   s[G_FROM_NAME], n[G_FROM_NAME], r->id);
	if (n[G_TO])
		dst = fctx_account(run->ctx, s[G_TO_BANK], n[G_TO_BANK], s[G_TO], n[G_TO],
				   s[G_TO_NAME], n[G_TO_NAME], r->id);
	if ((n[G_FROM] && !src) || (n[G_TO] && !dst))
		return -1;
	rec_set_opt(run->ctx, r, 0, s[G_ID], n[G_ID]);
	rec_set_int(r, 1, ts);
	if (src)
		rec_set_int(r, 2, src);
	if (dst)
		rec_set_int(r, 3, dst);
	rec_set_real(r, 4, amount);
	set_code(run, r, 5, cur);
	rec_set_real(r, 6, amount);
	set_code(run, r, 7, cur);
	set_code(run, r, 8, chan);
	rec_set_opt(run->ctx, r, 9, s[G_CATEGORY], n[G_CATEGORY]);
	rec_set_opt(run->ctx, r, 10, s[G_CITY], n[G_CITY]);
	rec_set_opt(run->ctx, r, 11, s[G_REGION], n[G_REGION]);
	rec_set_opt(run->ctx, r, 12, s[G_COUNTRY], n[G_COUNTRY]);
	rec_set_opt(run->ctx, r, 13, s[G_MEMO], n[G_MEMO]);
	if (label >= 0)
		rec_set_int(r, 14, label);
	rec_set_opt(run->ctx, r, 15, s[G_LABEL_GROUP], n[G_LABEL_GROUP]);
	/* The payee as the payment names it (a worker on a payroll credit). */
	rec_set_opt(run->ctx, r, 16, s[G_TO_NAME], n[G_TO_NAME]);
	return 0;
}

const struct fmt fmt_generic = {
	.name = "generic",
	.kind = &rk_txn,
	.summary = "rastro's transaction CSV: timestamp, from/to account, amount, currency, channel, place, memo",
	.input = FMT_CSV,
	.entity_kinds = "account",
	.sniff_header = generic_sniff,
	.bind = generic_bind,
	.prefetch = generic_prefetch,
	.row = generic_row,
};

/* ---- IBM AMLworld ---- */

enum { I_TS, I_FROM_BANK, I_FROM, I_TO_BANK, I_TO, I_AMT_RECV, I_CUR_RECV, I_AMT_PAID, I_CUR_PAID,
       I_FORMAT, I_LABEL, I_N };

static const char *const ibm_header[I_N] = {
	"Timestamp", "From Bank", "Account", "To Bank", "Account", "Amount Received",
	"Receiving Currency", "Amount Paid", "Payment Currency", "Payment Format", "Is Laundering",
};

static const struct fmt_colspec ibm_cols[I_N] = {
	{ "Timestamp", "", 1 }, { "From Bank", "", 1 }, { "Account", "", 1 }, { "To Bank", "", 1 },
	{ "Account", "", 1 }, { "Amount Received", "", 1 }, { "Receiving Currency", "", 1 },
	{ "Amount Paid", "", 1 }, { "Payment Currency", "", 1 }, { "Payment Format", "", 1 },
	{ "Is Laundering", "", 0 },
};

static int ibm_sniff(const struct csv_row *h)
{
	int i;

	if (h->nfields < I_N - 1)
		return 0;
	/* Positions matter: the two "Account" columns can only be told apart so. */
	for (i = 0; i < I_N - 1; i++)
		if (csv_find(h, ibm_header[i], i == I_TO ? 1 : 0) != i)
			return 0;
	return 100;
}

static int ibm_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
		    struct rs_err *err)
{
	int i;

	if (!ibm_sniff(h))
		return err_set(err, RASTRO_FORMAT,
			       "input:1: the header is not IBM AMLworld's (Timestamp,From Bank,Account,To Bank,"
			       "Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,"
			       "Payment Format[,Is Laundering])");
	for (i = 0; i < I_N; i++)
		run->col[i] = i < (int)h->nfields ? i : -1;
	return 0;
}

static void ibm_prefetch(struct fmt_run *run, const struct csv_row *row)
{
	const char *fb, *tb, *fa, *ta;
	size_t fbn, tbn, fan, tan;

	fb = fmt_field(run, row, I_FROM_BANK, &fbn);
	tb = fmt_field(run, row, I_TO_BANK, &tbn);
	fa = fmt_field(run, row, I_FROM, &fan);
	ta = fmt_field(run, row, I_TO, &tan);
	strip_zeros(&fb, &fbn);
	strip_zeros(&tb, &tbn);
	fctx_prefetch_account(run->ctx, fb, fbn, fa, fan);
	fctx_prefetch_account(run->ctx, tb, tbn, ta, tan);
}

static int ibm_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[I_N];
	size_t n[I_N];
	int64_t ts;
	double recv, paid;
	const char *why;
	struct code cur_r, cur_p, chan;
	int label = -1, i;
	struct rec *r;
	int64_t src, dst;

	for (i = 0; i < I_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	why = parse_timestamp(s[I_TS], n[I_TS], &ts);
	if (why)
		return fmt_reject(run, row, ibm_cols, I_TS, bad, why);
	if (!n[I_FROM] || !n[I_FROM_BANK])
		return fmt_reject(run, row, ibm_cols, n[I_FROM] ? I_FROM_BANK : I_FROM, bad, "missing");
	if (!n[I_TO] || !n[I_TO_BANK])
		return fmt_reject(run, row, ibm_cols, n[I_TO] ? I_TO_BANK : I_TO, bad, "missing");
	why = check_amount(s[I_AMT_RECV], n[I_AMT_RECV], &recv);
	if (why)
		return fmt_reject(run, row, ibm_cols, I_AMT_RECV, bad, why);
	/* Most rows pay what they receive, written the same way: the same
	 * bytes parse to the same number. */
	if (n[I_AMT_PAID] == n[I_AMT_RECV] && memcmp(s[I_AMT_PAID], s[I_AMT_RECV], n[I_AMT_RECV]) == 0) {
		paid = recv;
	} else {
		why = check_amount(s[I_AMT_PAID], n[I_AMT_PAID], &paid);
		if (why)
			return fmt_reject(run, row, ibm_cols, I_AMT_PAID, bad, why);
	}
	if (!n[I_CUR_RECV])
		return fmt_reject(run, row, ibm_cols, I_CUR_RECV, bad, "missing");
	if (n[I_LABEL]) {
		label = parse_label(s[I_LABEL], n[I_LABEL]);
		if (label < 0)
			return fmt_reject(run, row, ibm_cols, I_LABEL, bad, "not 0 or 1");
	}
	cur_r = memo_lookup(&memo_cur, s[I_CUR_RECV], n[I_CUR_RECV], norm_currency);
	cur_p = memo_lookup(&memo_cur2, s[I_CUR_PAID], n[I_CUR_PAID], norm_currency);
	chan = memo_lookup(&memo_chan, s[I_FORMAT], n[I_FORMAT], norm_channel);

	r = fctx_rec(run->ctx, &rk_txn, row->line);
	if (!r)
		return -1;
	{
		const char *fb = s[I_FROM_BANK], *tb = s[I_TO_BANK];
		size_t fbn = n[I_FROM_BANK], tbn = n[I_TO_BANK];

		strip_zeros(&fb, &fbn);
		strip_zeros(&tb, &tbn);
		src = fctx_account(run->ctx, fb, fbn, s[I_FROM], n[I_FROM], NULL, 0, r->id);
		dst = fctx_account(run->ctx, tb, tbn, s[I_TO], n[I_TO], NULL, 0, r->id);
	}
	if (!src || !dst)
		return -1;
	rec_set_int(r, 1, ts);
	rec_set_int(r, 2, src);
	rec_set_int(r, 3, dst);
	rec_set_real(r, 4, recv);
	set_code(run, r, 5, cur_r);
	rec_set_real(r, 6, paid);
	set_code(run, r, 7, cur_p);
	set_code(run, r, 8, chan);
	if (label >= 0)
		rec_set_int(r, 14, label);
	return 0;
}

const struct fmt fmt_ibm_aml = {
	.name = "ibm-aml",
	.kind = &rk_txn,
	.summary = "IBM AMLworld *_Trans.csv (Timestamp, From Bank, Account, To Bank, Account, ..., Is Laundering)",
	.input = FMT_CSV,
	.entity_kinds = "account",
	.sniff_header = ibm_sniff,
	.bind = ibm_bind,
	.prefetch = ibm_prefetch,
	.row = ibm_row,
};

/* ---- AMLSim ---- */

enum { A_ID, A_ORIG, A_BENE, A_TYPE, A_AMT, A_TS, A_SAR, A_ALERT, A_N };

static const struct fmt_colspec amlsim_cols[A_N] = {
	[A_ID] = { "tran_id", "tran_id", 1 },
	[A_ORIG] = { "orig_acct", "orig_acct", 1 },
	[A_BENE] = { "bene_acct", "bene_acct", 1 },
	[A_TYPE] = { "tx_type", "tx_type", 1 },
	[A_AMT] = { "base_amt", "base_amt", 1 },
	[A_TS] = { "tran_timestamp", "tran_timestamp", 1 },
	[A_SAR] = { "is_sar", "is_sar", 0 },
	[A_ALERT] = { "alert_id", "alert_id", 0 },
};

static int amlsim_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, amlsim_cols, A_N);

	return s ? s + 20 : 0; /* more specific than the generic format */
}

static int amlsim_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
		       struct rs_err *err)
{
	return fmt_bind_columns(run, h, amlsim_cols, A_N, mapping, "input", err);
}

static int amlsim_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[A_N];
	size_t n[A_N];
	int64_t ts;
	double amount;
	const char *why;
	struct code chan;
	int label = -1, i;
	struct rec *r;
	int64_t src, dst;
	uint64_t first;

	for (i = 0; i < A_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	if (!n[A_ID])
		return fmt_reject(run, row, amlsim_cols, A_ID, bad, "missing");
	why = parse_timestamp(s[A_TS], n[A_TS], &ts);
	if (why)
		return fmt_reject(run, row, amlsim_cols, A_TS, bad, why);
	why = check_amount(s[A_AMT], n[A_AMT], &amount);
	if (why)
		return fmt_reject(run, row, amlsim_cols, A_AMT, bad, why);
	if (!n[A_ORIG] || !n[A_BENE])
		return fmt_reject(run, row, amlsim_cols, n[A_ORIG] ? A_BENE : A_ORIG, bad, "missing");
	if (n[A_SAR]) {
		label = parse_label(s[A_SAR], n[A_SAR]);
		if (label < 0)
			return fmt_reject(run, row, amlsim_cols, A_SAR, bad, "not True/False");
	}
	if (fctx_seen_id(run->ctx, s[A_ID], n[A_ID], row->line, &first)) {
		char reason[96];

		snprintf(reason, sizeof reason, "duplicate transaction id (first seen at line %llu)",
			 (unsigned long long)first);
		return fmt_reject(run, row, amlsim_cols, A_ID, bad, reason);
	}
	chan = memo_lookup(&memo_chan, s[A_TYPE], n[A_TYPE], norm_channel);
	r = fctx_rec(run->ctx, &rk_txn, row->line);
	if (!r)
		return -1;
	src = fctx_account(run->ctx, NULL, 0, s[A_ORIG], n[A_ORIG], NULL, 0, r->id);
	dst = fctx_account(run->ctx, NULL, 0, s[A_BENE], n[A_BENE], NULL, 0, r->id);
	if (!src || !dst)
		return -1;
	rec_set_text(run->ctx, r, 0, s[A_ID], n[A_ID]);
	rec_set_int(r, 1, ts);
	rec_set_int(r, 2, src);
	rec_set_int(r, 3, dst);
	rec_set_real(r, 4, amount);
	rec_set_static(r, 5, "USD", 3);
	rec_set_real(r, 6, amount);
	rec_set_static(r, 7, "USD", 3);
	set_code(run, r, 8, chan);
	if (label >= 0)
		rec_set_int(r, 14, label);
	if (n[A_ALERT] && !(n[A_ALERT] == 2 && memcmp(s[A_ALERT], "-1", 2) == 0))
		rec_set_text(run->ctx, r, 15, s[A_ALERT], n[A_ALERT]);
	return 0;
}

const struct fmt fmt_amlsim = {
	.name = "amlsim",
	.kind = &rk_txn,
	.summary = "AMLSim transactions.csv (tran_id, orig_acct, bene_acct, tx_type, base_amt, tran_timestamp, is_sar, alert_id)",
	.input = FMT_CSV,
	.entity_kinds = "account",
	.sniff_header = amlsim_sniff,
	.bind = amlsim_bind,
	.row = amlsim_row,
};
