/*
 * kinds: the core record kinds (columns as in store/schema.c).
 */
#include "record.h"

#include <string.h>

static const char *const txn_cols[] = {
	"ext_id", "ts", "src", "dst", "amount", "currency", "amount_paid", "pay_currency",
	"channel", "category", "city", "region", "country", "memo", "label", "label_group",
	"to_name",
};
const struct rec_kind rk_txn = { "txn", "txn", 1, sizeof txn_cols / sizeof txn_cols[0], txn_cols };

static const char *const kyc_cols[] = {
	"ext_id", "account", "customer_id", "name", "dob", "address", "city", "region",
	"postcode", "country", "phone", "email", "opened", "occupation", "customer_type",
	"business_type",
};
const struct rec_kind rk_kyc = { "kyc", "kyc", 1, sizeof kyc_cols / sizeof kyc_cols[0], kyc_cols };

static const char *const entity_cols[] = { "id", "kind", "key", "label", "first_record" };
const struct rec_kind rk_entity = { "entity", "entity", 0, 5, entity_cols };

static const char *const account_cols[] = { "entity_id", "bank", "number" };
const struct rec_kind rk_account = { "account", "account", 0, 3, account_cols };

static const char *const edge_cols[] = { "src", "dst", "type", "ts", "weight", "record_id", "stage" };
const struct rec_kind rk_edge = { "edge", "edge", 0, 7, edge_cols };

static const char *const quarantine_cols[] = {
	"source_id", "line", "col", "byte_offset", "reason", "raw", "raw_bytes",
};
const struct rec_kind rk_quarantine = { "quarantine", "quarantine", 0, 7, quarantine_cols };

int rec_col(const struct rec_kind *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->ncols; i++)
		if (strcmp(k->cols[i], name) == 0)
			return (int)i;
	return -1;
}
