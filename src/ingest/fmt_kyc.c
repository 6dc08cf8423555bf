/*
 * fmt_kyc: account and customer ("know your customer") files — rastro's own
 * KYC CSV and IBM AMLworld's *_accounts.csv.  Each row describes the holder
 * of one account; the account becomes (or joins) an account entity, named
 * after its holder.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "rastro.h"

enum {
	K_ACCOUNT, K_BANK, K_CUSTOMER, K_NAME, K_DOB, K_ADDRESS, K_CITY, K_REGION, K_POSTCODE,
	K_COUNTRY, K_PHONE, K_EMAIL, K_OPENED, K_OCCUPATION, K_TYPE, K_BUSINESS, K_N
};

static const struct fmt_colspec kyc_cols[K_N] = {
	[K_ACCOUNT] = { "account_id", "account_id|account|account_number|acct", 1 },
	[K_BANK] = { "bank", "bank|bank_id", 0 },
	[K_CUSTOMER] = { "customer_id", "customer_id|client_id|party_id", 0 },
	[K_NAME] = { "name", "name|holder_name|customer_name|account_holder", 1 },
	[K_DOB] = { "dob", "dob|date_of_birth|birth_date", 0 },
	[K_ADDRESS] = { "address", "address|street|address_1", 0 },
	[K_CITY] = { "city", "city|town", 0 },
	[K_REGION] = { "region", "region|state|province", 0 },
	[K_POSTCODE] = { "postcode", "postcode|zip|postal_code|cp", 0 },
	[K_COUNTRY] = { "country", "country|country_code", 0 },
	[K_PHONE] = { "phone", "phone|phone_number|telephone|mobile", 0 },
	[K_EMAIL] = { "email", "email|e_mail|email_address", 0 },
	[K_OPENED] = { "opened", "opened|opened_date|open_date|account_opened", 0 },
	[K_OCCUPATION] = { "occupation", "occupation|profession|industry", 0 },
	[K_TYPE] = { "customer_type", "customer_type|party_type|type", 0 },
	[K_BUSINESS] = { "business_type", "business_type|naics|line_of_business", 0 },
};

static int kyc_sniff(const struct csv_row *h)
{
	return fmt_score_header(h, kyc_cols, K_N);
}

static int kyc_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
		    struct rs_err *err)
{
	return fmt_bind_columns(run, h, kyc_cols, K_N, mapping, "input", err);
}

/* Dates are checked (a bad one is a bad row) and stored as YYYY-MM-DD. */
static const char *check_date(const char *s, size_t n, char out[16])
{
	int64_t t;
	const char *why;

	if (!n) {
		out[0] = '\0';
		return NULL;
	}
	why = parse_timestamp(s, n, &t);
	if (why)
		return why;
	format_date(t, out);
	return NULL;
}

static int kyc_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[K_N];
	size_t n[K_N];
	char dob[16], opened[16];
	const char *why;
	struct rec *r;
	int64_t acct;
	uint64_t first;
	int i;

	for (i = 0; i < K_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	if (!n[K_ACCOUNT])
		return fmt_reject(run, row, kyc_cols, K_ACCOUNT, bad, "missing");
	why = check_date(s[K_DOB], n[K_DOB], dob);
	if (why)
		return fmt_reject(run, row, kyc_cols, K_DOB, bad, why);
	why = check_date(s[K_OPENED], n[K_OPENED], opened);
	if (why)
		return fmt_reject(run, row, kyc_cols, K_OPENED, bad, why);
	{
		/* One row per account in a file: a second row for it is a conflict. */
		char key[512];
		int kn = snprintf(key, sizeof key, "%.*s/%.*s", (int)n[K_BANK], s[K_BANK], (int)n[K_ACCOUNT],
				  s[K_ACCOUNT]);

		if (fctx_seen_id(run->ctx, key, (size_t)(kn < 0 ? 0 : kn >= (int)sizeof key ? (int)sizeof key - 1 : kn),
				 row->line, &first)) {
			char reason[96];

			snprintf(reason, sizeof reason, "duplicate account (first described at line %llu)",
				 (unsigned long long)first);
			return fmt_reject(run, row, kyc_cols, K_ACCOUNT, bad, reason);
		}
	}
	r = fctx_rec(run->ctx, &rk_kyc, row->line);
	if (!r)
		return -1;
	acct = fctx_account(run->ctx, s[K_BANK], n[K_BANK], s[K_ACCOUNT], n[K_ACCOUNT], s[K_NAME], n[K_NAME], r->id);
	if (!acct)
		return -1;
	rec_set_text(run->ctx, r, 0, s[K_ACCOUNT], n[K_ACCOUNT]);
	rec_set_int(r, 1, acct);
	for (i = K_CUSTOMER; i < K_N; i++) {
		int col = i - K_CUSTOMER + 2;

		if (i == K_DOB)
			rec_set_opt(run->ctx, r, col, dob, strlen(dob));
		else if (i == K_OPENED)
			rec_set_opt(run->ctx, r, col, opened, strlen(opened));
		else
			rec_set_opt(run->ctx, r, col, s[i], n[i]);
	}
	return 0;
}

const struct fmt fmt_kyc = {
	.name = "kyc",
	.kind = &rk_kyc,
	.summary = "account holders: account_id, name, dob, address, phone, email, opened, occupation...",
	.input = FMT_CSV,
	.entity_kinds = "account",
	.sniff_header = kyc_sniff,
	.bind = kyc_bind,
	.row = kyc_row,
};

/* ---- IBM AMLworld accounts ---- */

enum { B_BANK_NAME, B_BANK_ID, B_ACCOUNT, B_ENTITY_ID, B_ENTITY_NAME, B_N };

static const struct fmt_colspec ibm_acct_cols[B_N] = {
	[B_BANK_NAME] = { "Bank Name", "Bank Name", 1 },
	[B_BANK_ID] = { "Bank ID", "Bank ID", 1 },
	[B_ACCOUNT] = { "Account Number", "Account Number", 1 },
	[B_ENTITY_ID] = { "Entity ID", "Entity ID", 1 },
	[B_ENTITY_NAME] = { "Entity Name", "Entity Name", 1 },
};

static int ibm_acct_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, ibm_acct_cols, B_N);

	return s ? s + 50 : 0;
}

static int ibm_acct_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
			 struct rs_err *err)
{
	return fmt_bind_columns(run, h, ibm_acct_cols, B_N, mapping, "input", err);
}

static int ibm_acct_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[B_N];
	size_t n[B_N];
	struct rec *r;
	int64_t acct;
	int i;

	for (i = 0; i < B_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	if (!n[B_ACCOUNT] || !n[B_BANK_ID])
		return fmt_reject(run, row, ibm_acct_cols, n[B_ACCOUNT] ? B_BANK_ID : B_ACCOUNT, bad, "missing");
	r = fctx_rec(run->ctx, &rk_kyc, row->line);
	if (!r)
		return -1;
	{
		const char *b = s[B_BANK_ID];
		size_t bn = n[B_BANK_ID];

		while (bn > 1 && *b == '0') { /* same bank key as the transaction file */
			b++;
			bn--;
		}
		acct = fctx_account(run->ctx, b, bn, s[B_ACCOUNT], n[B_ACCOUNT], s[B_ENTITY_NAME],
				    n[B_ENTITY_NAME], r->id);
	}
	if (!acct)
		return -1;
	rec_set_text(run->ctx, r, 0, s[B_ACCOUNT], n[B_ACCOUNT]);
	rec_set_int(r, 1, acct);
	rec_set_opt(run->ctx, r, 2, s[B_ENTITY_ID], n[B_ENTITY_ID]);
	rec_set_opt(run->ctx, r, 3, s[B_ENTITY_NAME], n[B_ENTITY_NAME]);
	/* "Corporation #123", "Sole Proprietorship #9", "Partnership #4"... */
	{
		const char *hash = memchr(s[B_ENTITY_NAME], '#', n[B_ENTITY_NAME]);
		size_t tn = hash ? (size_t)(hash - s[B_ENTITY_NAME]) : 0;

		while (tn && s[B_ENTITY_NAME][tn - 1] == ' ')
			tn--;
		rec_set_opt(run->ctx, r, 14, s[B_ENTITY_NAME], tn);
	}
	return 0;
}

const struct fmt fmt_ibm_accounts = {
	.name = "ibm-accounts",
	.kind = &rk_kyc,
	.summary = "IBM AMLworld *_accounts.csv (Bank Name, Bank ID, Account Number, Entity ID, Entity Name)",
	.input = FMT_CSV,
	.entity_kinds = "account",
	.sniff_header = ibm_acct_sniff,
	.bind = ibm_acct_bind,
	.row = ibm_acct_row,
};
